/* Heap arrays that double as they fill. See util_array.h. */
#include "util_array.h"

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
