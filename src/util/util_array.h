/*
 * Room for one more item in a heap array that doubles as it fills.
 *
 * array_grow(items, &cap, count, size, first): when count has reached *cap, reallocates items
 * to twice *cap items of `size` bytes (first when *cap is 0) and updates *cap; returns the
 * array (moved or not), or NULL when memory ran out, leaving items and *cap as they were.
 *
 * bytes_reserve(bytes, &cap, need, first): room for `need` bytes in all, doubling *cap (from
 * first) until it holds them; the same return and failure as array_grow().
 */
#ifndef UTIL_ARRAY_H
#define UTIL_ARRAY_H

#include <stddef.h>

void *array_grow(void *items, size_t *cap, size_t count, size_t size, size_t first);
void *bytes_reserve(void *bytes, size_t *cap, size_t need, size_t first);

#endif
