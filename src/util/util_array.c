/* Heap arrays that double as they fill. See util_array.h. */
#include "util_array.h"

#include <stdint.h>
#include <stdlib.h>

void *array_grow(void *items, size_t *cap, size_t count, size_t size, size_t first)
{
    if (count < *cap)
        return items;
    size_t n = *cap ? *cap * 2 : first;
    void *bigger = realloc(items, n * size);
    if (bigger)
        *cap = n;
    return bigger;
}

void *bytes_reserve(void *bytes, size_t *cap, size_t need, size_t first)
{
    if (need <= *cap)
        return bytes;
    size_t grown = *cap ? *cap : first;
    while (grown < need) {
        if (grown > SIZE_MAX / 2)
            return NULL;
        grown *= 2;
    }
    void *moved = realloc(bytes, grown);
    if (moved)
        *cap = grown;
    return moved;
}
