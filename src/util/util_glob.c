#include "util_glob.h"

#include <stddef.h>
#include <string.h>

bool glob_has_magic(const char *text)
{
    return strpbrk(text, "*?[") != NULL;
}

/* The end of the bracket expression that starts at p ('['), or NULL when it is not closed. */
static const char *class_end(const char *p, const char *end)
{
    const char *q = p + 1;
    if (q < end && (*q == '!' || *q == '^'))
        q++;
    if (q < end && *q == ']')
        q++;
    while (q < end && *q != ']')
        q++;
    return q < end ? q : NULL;
}

static bool class_has(const char *p, const char *close, char c)
{
    const char *q = p + 1;
    bool negate = *q == '!' || *q == '^';
    if (negate)
        q++;
    bool found = false;
    while (q < close) {
        if (q + 2 < close && q[1] == '-') {
            found |=
                (unsigned char)c >= (unsigned char)q[0] && (unsigned char)c <= (unsigned char)q[2];
            q += 3;
        } else {
            found |= *q == c;
            q++;
        }
    }
    return found != negate;
}

/*
 * One segment of the pattern [p, pend) against one segment of the path [s, send): '*' with
 * the usual single backtrack point, which is enough because '*' never crosses a '/'.
 */
static bool match_segment(const char *p, const char *pend, const char *s, const char *send)
{
    const char *star_p = NULL, *star_s = NULL;
    while (s < send) {
        if (p < pend && *p == '*') {
            star_p = ++p;
            star_s = s;
            continue;
        }
        if (p < pend) {
            const char *close = *p == '[' ? class_end(p, pend) : NULL;
            if (close && class_has(p, close, *s)) {
                p = close + 1;
                s++;
                continue;
            }
            if (!close) {
                bool escaped = *p == '\\' && p + 1 < pend;
                const char *lit = escaped ? p + 1 : p;
                if (*p == '?' || *lit == *s) {
                    p = lit + 1;
                    s++;
                    continue;
                }
            }
        }
        if (!star_p)
            return false;
        p = star_p;
        s = ++star_s;
    }
    while (p < pend && *p == '*')
        p++;
    return p == pend;
}

/* The end of the segment starting at p: the next '/' that no backslash escapes. */
static const char *segment_end(const char *p)
{
    while (*p && *p != '/')
        p += p[0] == '\\' && p[1] ? 2 : 1;
    return p;
}

static bool match_from(const char *p, const char *s)
{
    if (p[0] == '*' && p[1] == '*' && (p[2] == '/' || p[2] == '\0')) {
        const char *rest = p[2] == '/' ? p + 3 : p + 2;
        if (*rest == '\0')
            return true;
        for (const char *t = s;; t++) {
            if (match_from(rest, t))
                return true;
            t = strchr(t, '/');
            if (!t)
                return false;
        }
    }
    const char *pend = segment_end(p);
    const char *send = strchr(s, '/');
    if (!send)
        send = s + strlen(s);
    if (!match_segment(p, pend, s, send))
        return false;
    if (*pend == '\0' || *send == '\0')
        return *pend == '\0' && *send == '\0';
    return match_from(pend + 1, send + 1);
}

bool glob_match(const char *pattern, const char *path)
{
    return match_from(pattern, path);
}
