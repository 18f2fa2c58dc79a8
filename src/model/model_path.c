#include "model_path.h"

#include <stdio.h>
#include <string.h>

void path_init(struct path *p)
{
    p->text[0] = '\0';
    p->len = 0;
    p->depth = 0;
}

static void mark(struct path *p)
{
    if (p->depth < PATH_MAX_DEPTH)
        p->marks[p->depth] = p->len;
    p->depth++;
}

static void append(struct path *p, const char *s, size_t n)
{
    const size_t room = PATH_MAX_TEXT - 5; /* leaves space for "/..." and the NUL */
    if (p->len + n > room) {
        if (p->len <= room) {
            memcpy(p->text + p->len, "/...", 5);
            p->len = room + 1;
        }
        return;
    }
    memcpy(p->text + p->len, s, n);
    p->len += n;
    p->text[p->len] = '\0';
}

void path_push_key(struct path *p, const char *key, size_t len)
{
    mark(p);
    append(p, "/", 1);
    for (size_t i = 0; i < len; i++) {
        if (key[i] == '~')
            append(p, "~0", 2);
        else if (key[i] == '/')
            append(p, "~1", 2);
        else
            append(p, key + i, 1);
    }
}

void path_push_index(struct path *p, size_t index)
{
    char tmp[32];
    int n = snprintf(tmp, sizeof(tmp), "/%zu", index);
    mark(p);
    append(p, tmp, (size_t)n);
}

void path_pop(struct path *p)
{
    if (p->depth == 0)
        return;
    p->depth--;
    if (p->depth < PATH_MAX_DEPTH) {
        size_t len = p->marks[p->depth];
        if (len < PATH_MAX_TEXT) {
            p->len = len;
            p->text[len] = '\0';
        }
    }
}

const char *path_text(const struct path *p)
{
    return p->text;
}
