/*
 * A compact hash map from byte strings to a 32-bit value, for the name and id index of a
 * document (hundreds of thousands of keys) and smaller lookups.
 *
 * Invariants: keys are copied into one pooled buffer, each preceded by its 32-bit length; a
 * slot is 16 bytes (hash, pool offset, value). The table is open-addressed and at most 3/4
 * full. Lookups never allocate. Keys and the pool are limited to 4 GiB.
 */
#ifndef UTIL_STRMAP_H
#define UTIL_STRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strmap_slot {
    uint64_t hash; /* 0 marks an empty slot */
    uint32_t offset;
    uint32_t value;
};

struct strmap {
    struct strmap_slot *slots;
    size_t cap; /* a power of two */
    size_t count;
    char *pool;
    size_t pool_len, pool_cap;
};

void strmap_init(struct strmap *m);
void strmap_release(struct strmap *m);
uint64_t strmap_hash(const void *data, size_t len);
/*
 * Inserts key unless present. Returns 1 when inserted, 0 when the key was already there (then
 * *existing, if not NULL, receives its value), -1 when out of memory.
 */
int strmap_put(struct strmap *m, const void *key, size_t len, uint32_t value, uint32_t *existing);
/* The value's address, or NULL; it may be updated in place until the next put. */
uint32_t *strmap_get(const struct strmap *m, const void *key, size_t len);
/* Makes room for n keys in all (no effect when already larger); -1 when out of memory. */
int strmap_reserve(struct strmap *m, size_t n);
/* Bytes held, for accounting. */
size_t strmap_memory(const struct strmap *m);

#endif
