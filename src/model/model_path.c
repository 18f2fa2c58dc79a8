#include "model_path.h"

#include <string.h>

void path_init(struct path *p)
{
    p->depth = 0;
    p->text[0] = '\0';
}

static void push(struct path *p, const char *key, size_t n)
{
    if (p->depth < PATH_MAX_DEPTH)
        p->seg[p->depth] = (struct path_segment){key, n};
    p->depth++;
}

void path_push_key(struct path *p, const char *key, size_t len)
{
    push(p, key, len);
}

void path_push_index(struct path *p, size_t index)
{
    push(p, NULL, index);
}

void path_pop(struct path *p)
{
    if (p->depth > 0)
        p->depth--;
}

struct out {
    char *text;
    size_t len;
    bool full;
};

static void put(struct out *o, const char *s, size_t n)
{
    if (o->full || o->len + n > PATH_MAX_TEXT - 5) {
        if (!o->full)
            memcpy(o->text + o->len, "/...", 4), o->len += 4;
        o->full = true;
        return;
    }
    memcpy(o->text + o->len, s, n);
    o->len += n;
}

static void put_key(struct out *o, const char *key, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (key[i] == '~')
            put(o, "~0", 2);
        else if (key[i] == '/')
            put(o, "~1", 2);
        else
            put(o, key + i, 1);
    }
}

static void put_index(struct out *o, size_t index)
{
    char tmp[24];
    size_t n = sizeof(tmp);
    do {
        tmp[--n] = (char)('0' + index % 10);
        index /= 10;
    } while (index);
    put(o, tmp + n, sizeof(tmp) - n);
}

const char *path_text(struct path *p)
{
    struct out o = {p->text, 0, false};
    size_t kept = p->depth < PATH_MAX_DEPTH ? p->depth : PATH_MAX_DEPTH;
    for (size_t i = 0; i < kept; i++) {
        put(&o, "/", 1);
        if (p->seg[i].key)
            put_key(&o, p->seg[i].key, p->seg[i].len_or_index);
        else
            put_index(&o, p->seg[i].len_or_index);
    }
    if (p->depth > PATH_MAX_DEPTH && !o.full)
        put(&o, "/...", 4);
    p->text[o.len] = '\0';
    return p->text;
}
