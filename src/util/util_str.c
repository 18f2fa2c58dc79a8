#include "util_str.h"

#include <string.h>
#include <strings.h>

size_t str_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 99;
    size_t row[64];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t above = row[j];
            size_t best = diagonal + (a[i - 1] != b[j - 1]);
            if (above + 1 < best)
                best = above + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diagonal = above;
        }
    }
    return row[lb];
}

bool str_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

const char *str_closest(const char *key, const void *first, size_t count, size_t stride)
{
    const char *best = NULL;
    size_t best_distance = strlen(key) >= 5 ? 4 : 3;
    for (size_t i = 0; i < count; i++) {
        const char *name;
        memcpy(&name, (const char *)first + i * stride, sizeof(name));
        size_t d = str_edit_distance(key, name);
        if (d < best_distance) {
            best_distance = d;
            best = name;
        }
    }
    return best;
}

bool str_names_secret(const char *key, size_t len)
{
    static const char *const words[] = {"password",   "secret",      "token",     "key",
                                        "credential", "private_key", "passphrase"};
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        size_t w = strlen(words[i]);
        if (len < w)
            continue;
        bool tail = strncasecmp(key + len - w, words[i], w) == 0;
        bool boundary = len == w || key[len - w - 1] == '_' || key[len - w - 1] == '-';
        if (tail && boundary)
            return true;
    }
    return false;
}

int str_hex_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}
