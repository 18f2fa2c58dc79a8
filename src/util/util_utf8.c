#include "util_utf8.h"

#include <stdint.h>
#include <string.h>

#include "util_swar.h"

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

size_t utf8_yaml_length(const unsigned char *s, size_t avail)
{
    unsigned c = s[0];
    size_t n = c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
    if (!n || avail < n)
        return 0;
    uint32_t cp = c & (n == 2 ? 0x1Fu : n == 3 ? 0x0Fu : 0x07u);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3Fu);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0; /* overlong, or past Unicode */
    /* C1 controls and NEL, surrogates, LS and PS (line breaks to libyaml), non-characters */
    if (cp < 0xA0 || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0x2028 || cp == 0x2029 ||
        cp == 0xFFFE || cp == 0xFFFF)
        return 0;
    return n;
}

/* ASCII libyaml's reader takes as it is: printable, line feed (1); tab, carriage return (2). */
static const uint8_t yaml_ascii[128] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 1, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
};

/*
 * Every byte a word gets to test is below 0x80, so each test is exact per byte: adding 0x60
 * sets the high bit of a byte of 0x20 or more, adding 0x7F that of a byte other than zero.
 */
size_t utf8_ascii_run(const unsigned char *b, size_t p, size_t e, bool tab_and_cr)
{
#ifdef UTIL_SSE2
    /* The same test on 16 bytes: as signed bytes, those of 0x80 and up are below 0x20 too. */
    const __m128i v_space = _mm_set1_epi8(0x20), v_del = _mm_set1_epi8(0x7F);
    const __m128i v_lf = _mm_set1_epi8('\n'), v_tab = _mm_set1_epi8('\t'),
                  v_cr = _mm_set1_epi8('\r');
    for (; p + 16 <= e; p += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + p));
        __m128i allowed = _mm_cmpeq_epi8(v, v_lf);
        if (tab_and_cr)
            allowed = _mm_or_si128(allowed,
                                   _mm_or_si128(_mm_cmpeq_epi8(v, v_tab), _mm_cmpeq_epi8(v, v_cr)));
        __m128i bad = _mm_or_si128(_mm_andnot_si128(allowed, _mm_cmplt_epi8(v, v_space)),
                                   _mm_cmpeq_epi8(v, v_del));
        if (_mm_movemask_epi8(bad))
            break;
    }
#endif
#ifdef UTIL_SWAR
    const uint64_t ones = SWAR_ONES, highs = SWAR_HIGHS;
    for (; p + 8 <= e; p += 8) {
        uint64_t w = swar_load(b + p);
        if (w & highs)
            break;
        uint64_t control = ~(w + ones * 0x60) & highs;
        uint64_t lf = ~((w ^ ones * '\n') + ones * 0x7F) & highs;
        uint64_t allowed = lf;
        if (tab_and_cr)
            allowed |= (~((w ^ ones * '\t') + ones * 0x7F) & highs) |
                       (~((w ^ ones * '\r') + ones * 0x7F) & highs);
        uint64_t del = ~((w ^ ones * 0x7F) + ones * 0x7F) & highs;
        if ((control & ~allowed) | del)
            break;
    }
#endif
    unsigned limit = tab_and_cr ? 2 : 1;
    while (p < e && b[p] < 0x80 && yaml_ascii[b[p]] && yaml_ascii[b[p]] <= limit)
        p++;
    return p;
}

bool utf8_cut(const unsigned char *s, size_t avail)
{
    size_t want = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 1;
    if (avail >= want)
        return false;
    for (size_t i = 1; i < avail; i++)
        if ((s[i] & 0xC0) != 0x80)
            return false;
    return true;
}

size_t utf8_yaml_check(const unsigned char *b, size_t p, size_t e, bool tab_and_cr, bool bom,
                       bool more, size_t *bad)
{
    *bad = SIZE_MAX;
    while ((p = utf8_ascii_run(b, p, e, tab_and_cr)) < e) {
        const unsigned char *c = b + p;
        size_t n = c[0] < 0x80 ? 0 : utf8_yaml_length(c, e - p);
        if (!n && c[0] >= 0x80 && more && utf8_cut(c, e - p))
            return p; /* a character the next read completes */
        if (!n || (!bom && n == 3 && c[0] == 0xEF && c[1] == 0xBB && c[2] == 0xBF)) {
            *bad = p;
            return p;
        }
        p += n;
    }
    return p;
}
