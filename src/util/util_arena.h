/*
 * An arena: many small allocations freed together.
 *
 * Invariants: memory from arena_alloc() is 8-byte aligned and lives until arena_reset() or
 * arena_release(). A failed allocation returns NULL and leaves the arena usable. arena_reset()
 * keeps the first block so a per-item arena does not go back to malloc for every item.
 */
#ifndef UTIL_ARENA_H
#define UTIL_ARENA_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define GH_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define GH_PRINTF(fmt, args)
#endif

struct arena_block;

struct arena {
    struct arena_block *head;
    /* The head block's free space: arena_alloc() takes from it without a call (the reader
     * makes a node per event). The head's own `used` is brought up to date when it changes. */
    char *cursor, *limit;
    size_t block_size;
    size_t used; /* bytes handed out since the last reset, for accounting */
};

void arena_init(struct arena *a, size_t block_size);
void arena_release(struct arena *a);
void arena_reset(struct arena *a);
/* Takes from a new block when the head has no room (util_arena.c). */
void *arena_alloc_slow(struct arena *a, size_t size);

static inline void *arena_alloc(struct arena *a, size_t size)
{
    size_t need = (size + 7u) & ~(size_t)7u;
    /* need - 1: a zero size (or one that wrapped) always takes the slow path. */
    if (need >= size && need - 1 < (size_t)((uintptr_t)a->limit - (uintptr_t)a->cursor)) {
        void *p = a->cursor;
        a->cursor += need;
        a->used += need;
        return p;
    }
    return arena_alloc_slow(a, size);
}
void *arena_calloc(struct arena *a, size_t count, size_t size);
char *arena_strndup(struct arena *a, const char *s, size_t len);
char *arena_strdup(struct arena *a, const char *s);
char *arena_printf(struct arena *a, const char *fmt, ...) GH_PRINTF(2, 3);
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap) GH_PRINTF(2, 0);
/* Asks the CPU to bring what the newest block holds into the cache, up to max bytes. */
void arena_prefetch(const struct arena *a, size_t max);

#endif
