#include "util_version.h"

#include <stdio.h>

bool version_parse(const char *s, size_t len, struct version *out)
{
    struct version v = {{0}, 0};
    size_t i = 0;
    while (i < len) {
        if (v.count == VERSION_PARTS)
            return false;
        if (s[i] < '0' || s[i] > '9')
            return false;
        unsigned long n = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            n = n * 10 + (unsigned)(s[i] - '0');
            if (n > 1000000)
                return false;
            i++;
        }
        v.part[v.count++] = (unsigned)n;
        if (i < len) {
            if (s[i] != '.' || i + 1 == len)
                return false;
            i++;
        }
    }
    if (v.count == 0)
        return false;
    *out = v;
    return true;
}

int version_compare(const struct version *a, const struct version *b)
{
    for (unsigned i = 0; i < VERSION_PARTS; i++) {
        unsigned x = i < a->count ? a->part[i] : 0;
        unsigned y = i < b->count ? b->part[i] : 0;
        if (x != y)
            return x < y ? -1 : 1;
    }
    return 0;
}

void version_format(const struct version *v, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (unsigned i = 0; i < v->count && used < size; i++) {
        int n = snprintf(out + used, size - used, i ? ".%u" : "%u", v->part[i]);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

bool version_is_set(const struct version *v)
{
    return v->count > 0;
}

bool version_same_minor(const struct version *a, const struct version *b)
{
    unsigned a1 = a->count > 1 ? a->part[1] : 0, b1 = b->count > 1 ? b->part[1] : 0;
    return a->part[0] == b->part[0] && a1 == b1;
}

struct version version_tag_for(const struct version *tags, size_t n, const struct version *v)
{
    struct version found = {0};
    for (size_t i = 0; i < n; i++)
        if (v->count >= 3 ? !version_compare(&tags[i], v) : version_same_minor(&tags[i], v))
            found = tags[i];
    return found;
}
