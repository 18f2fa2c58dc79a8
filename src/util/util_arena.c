#include "util_arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct arena_block {
    struct arena_block *next;
    size_t size;
    size_t used;
    /* Aligned storage follows. */
    max_align_t data[];
};

/* The head block's free space, for the inline arena_alloc(). */
static void take_head(struct arena *a)
{
    struct arena_block *b = a->head;
    a->cursor = b ? (char *)b->data + b->used : NULL;
    a->limit = b ? (char *)b->data + b->size : NULL;
}

/* What the inline arena_alloc() took from the head, written back into the block. */
static void settle_head(struct arena *a)
{
    if (a->head)
        a->head->used = (size_t)(a->cursor - (char *)a->head->data);
}

void arena_init(struct arena *a, size_t block_size)
{
    a->head = NULL;
    a->cursor = a->limit = NULL;
    a->block_size = block_size ? block_size : 64 * 1024;
    a->used = 0;
}

void arena_release(struct arena *a)
{
    struct arena_block *b = a->head;
    while (b) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->cursor = a->limit = NULL;
    a->used = 0;
}

void arena_reset(struct arena *a)
{
    struct arena_block *b = a->head;
    if (!b)
        return;
    /* Keep the oldest block (the last in the list): it has the standard size. */
    while (b->next) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
    b->used = 0;
    a->head = b;
    take_head(a);
    a->used = 0;
}

static struct arena_block *block_new(size_t size)
{
    struct arena_block *b = malloc(sizeof(*b) + size);
    if (!b)
        return NULL;
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

void *arena_alloc_slow(struct arena *a, size_t size)
{
    size_t need = (size + 7u) & ~(size_t)7u;
    if (need < size)
        return NULL;
    settle_head(a);
    struct arena_block *b = a->head;
    if (!b || b->size - b->used < need) {
        size_t bsize = need > a->block_size ? need : a->block_size;
        struct arena_block *nb = block_new(bsize);
        if (!nb)
            return NULL;
        /* Oversized blocks go behind the head so the head's free space is not wasted. */
        if (b && need > a->block_size) {
            nb->next = b->next;
            b->next = nb;
            nb->used = need;
            a->used += need;
            return (char *)nb->data;
        }
        nb->next = b;
        a->head = nb;
        b = nb;
    }
    void *p = (char *)b->data + b->used;
    b->used += need;
    a->used += need;
    take_head(a);
    return p;
}

void *arena_calloc(struct arena *a, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    void *p = arena_alloc(a, count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t len)
{
    char *p = arena_alloc(a, len + 1);
    if (!p)
        return NULL;
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        return NULL;
    char *p = arena_alloc(a, (size_t)n + 1);
    if (!p)
        return NULL;
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = arena_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

void arena_prefetch(const struct arena *a, size_t max)
{
    const struct arena_block *b = a->head;
    if (!b)
        return;
    size_t used = (size_t)(a->cursor - (const char *)b->data);
    size_t n = used < max ? used : max;
    for (size_t at = 0; at < n; at += 64)
        __builtin_prefetch((const char *)b->data + at);
}
