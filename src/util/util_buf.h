/*
 * A growable byte buffer with a hard cap, for text built from untrusted input.
 *
 * Invariants: data is always NUL-terminated once anything was appended; len never exceeds
 * max. An append that would pass max fails with -1 and leaves the buffer as it was.
 */
#ifndef UTIL_BUF_H
#define UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "util_arena.h"

struct buf {
    char *data;
    size_t len;
    size_t cap;
    size_t max;
};

#define BUF_DEFAULT_MAX ((size_t)64 * 1024 * 1024)

void buf_init(struct buf *b, size_t max);
void buf_release(struct buf *b);
void buf_clear(struct buf *b);
int buf_append(struct buf *b, const void *data, size_t len);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) GH_PRINTF(2, 3);
void buf_truncate(struct buf *b, size_t len);
const char *buf_cstr(const struct buf *b);

#endif
