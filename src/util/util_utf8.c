#include "util_utf8.h"

/* The well-formed byte sequences of Unicode 6.2, table 3-7. */
size_t utf8_sequence_length(const unsigned char *s, size_t n)
{
    if (n == 0)
        return 0;
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return len;
}

bool utf8_valid(const char *s, size_t n, size_t *bad_at)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t len = utf8_sequence_length(p + i, n - i);
        if (len == 0) {
            if (bad_at)
                *bad_at = i;
            return false;
        }
        i += len;
    }
    return true;
}

size_t utf8_count(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t chars = 0, i = 0;
    while (i < n) {
        size_t len = utf8_sequence_length(p + i, n - i);
        i += len ? len : 1;
        chars++;
    }
    return chars;
}

size_t utf8_offset(const char *s, size_t n, size_t chars)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n && chars > 0) {
        size_t len = utf8_sequence_length(p + i, n - i);
        i += len ? len : 1;
        chars--;
    }
    return i < n ? i : n;
}
