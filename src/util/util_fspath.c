#include "util_fspath.h"

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* An absolute path with "." and ".." and repeated slashes resolved; NULL when out of memory. */
static char *normalised(const char *path)
{
    char *result = malloc(strlen(path) + 2);
    if (!result)
        return NULL;
    char *out = result; /* after the loop's first step, always just past a '/' */
    *out++ = '/';
    const char *in = path;
    while (*in) {
        while (*in == '/')
            in++;
        const char *end = strchr(in, '/');
        size_t n = end ? (size_t)(end - in) : strlen(in);
        if (n == 2 && in[0] == '.' && in[1] == '.') {
            if (out > result + 1) {
                out--; /* the '/' after the last segment kept */
                while (out > result + 1 && out[-1] != '/')
                    out--;
            }
        } else if (n > 0 && !(n == 1 && in[0] == '.')) {
            memcpy(out, in, n);
            out += n;
            *out++ = '/';
        }
        in += n;
    }
    if (out > result + 1)
        out--; /* no trailing slash */
    *out = '\0';
    return result;
}

char *fspath_absolute(const char *path)
{
    if (path[0] == '/')
        return normalised(path);
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof(cwd)))
        return NULL;
    char *joined = fspath_join(cwd, path);
    char *result = joined ? normalised(joined) : NULL;
    free(joined);
    return result;
}

char *fspath_parent(const char *abs)
{
    const char *slash = strrchr(abs, '/');
    size_t n = slash && slash > abs ? (size_t)(slash - abs) : 1;
    return strndup(slash ? abs : "/", slash ? n : 1);
}

char *fspath_join(const char *dir, const char *name)
{
    size_t d = strlen(dir), n = strlen(name);
    bool slash = d > 0 && dir[d - 1] == '/';
    char *p = malloc(d + n + 2);
    if (!p)
        return NULL;
    memcpy(p, dir, d);
    if (!slash)
        p[d++] = '/';
    memcpy(p + d, name, n + 1);
    return p;
}

/* The length of the leading directories the two paths share, ending on a segment boundary. */
static size_t common_prefix(const char *a, const char *b)
{
    size_t i = 0, last = 0;
    while (a[i] && a[i] == b[i]) {
        if (a[i] == '/')
            last = i;
        i++;
    }
    if ((a[i] == '\0' && (b[i] == '/' || b[i] == '\0')) || (b[i] == '\0' && a[i] == '/'))
        last = i;
    return last;
}

static size_t segment_count(const char *p)
{
    size_t n = 0;
    for (; *p; p++)
        if (*p != '/' && (p[1] == '/' || p[1] == '\0'))
            n++;
    return n;
}

char *fspath_relative(const char *from, const char *to)
{
    size_t common = common_prefix(from, to);
    size_t ups = segment_count(from + common);
    const char *rest = to + common;
    while (*rest == '/')
        rest++;
    size_t n = strlen(rest);
    if (ups == 0 && n == 0)
        return strndup(".", 1);
    char *out = malloc(ups * 3 + n + 1);
    if (!out)
        return NULL;
    char *p = out;
    for (size_t i = 0; i < ups; i++, p += 3)
        memcpy(p, "../", 3);
    memcpy(p, rest, n + 1);
    if (n == 0)
        p[-1] = '\0'; /* "../.." rather than "../../" */
    return out;
}
