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

#if defined(__GNUC__)
#define GH_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define GH_PRINTF(fmt, args)
#endif

struct arena_block;

struct arena {
    struct arena_block *head;
    size_t block_size;
    size_t used; /* bytes handed out since the last reset, for accounting */
};

void arena_init(struct arena *a, size_t block_size);
void arena_release(struct arena *a);
void arena_reset(struct arena *a);
void *arena_alloc(struct arena *a, size_t size);
void *arena_calloc(struct arena *a, size_t count, size_t size);
char *arena_strndup(struct arena *a, const char *s, size_t len);
char *arena_strdup(struct arena *a, const char *s);
char *arena_printf(struct arena *a, const char *fmt, ...) GH_PRINTF(2, 3);
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap) GH_PRINTF(2, 0);
/* Asks the CPU to bring what the newest block holds into the cache, up to max bytes. */
void arena_prefetch(const struct arena *a, size_t max);

#endif
