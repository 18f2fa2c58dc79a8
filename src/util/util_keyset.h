/*
 * A compact, exact set of byte strings, each with a 32-bit value, for the name and id index of a
 * document (millions of keys): a few bytes per key where a copy of every key would cost tens.
 *
 * Invariants: keys are kept, in the order they arrive, in a log of blocks of KEYSET_BLOCK
 * entries; within a block an entry is written as the prefix it shares with an earlier entry of
 * the block plus its own suffix, and its value as a difference from the previous entry's. The
 * table holds, per slot, one 32-bit word: the entry's number and as many bits of its hash as
 * the number leaves free. Equal hashes are only a hint: a key matches only when its bytes equal
 * the entry's bytes, read back from the log, so a collision costs time, never a wrong answer.
 * The table has any number of slots (a multiple of 64), at most 7/8 of them used: it grows to
 * what keyset_reserve() asks, not to the next power of two, and is rebuilt from the log alone.
 * Keys are at most KEYSET_KEY_MAX bytes; at most 7 * 2^28 keys. Lookups never allocate.
 */
#ifndef UTIL_KEYSET_H
#define UTIL_KEYSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A lookup that matches an older block reads the headers of its entries up to the one it
 * matches: 128 a block would save a twentieth of the log (a block's first key of each kind is
 * written whole), but cost 5% more instructions on a dump whose routes name services by id. */
#define KEYSET_BLOCK   64
#define KEYSET_KEY_MAX 1024

struct keyset {
    uint32_t *slots; /* 0: empty; else (entry + 1) << fp_bits | fingerprint */
    size_t nslots;
    unsigned fp_bits;
    size_t count;
    unsigned char *log;
    size_t log_len, log_cap;
    uint64_t *blocks; /* log offset of each block's first entry */
    size_t blocks_cap;
    /* The last block's keys as written, to find the prefix a new entry shares: packed one
     * after another (tail_at), in a buffer that grows as long keys need it, so that the many
     * small sets of a run over thousands of small files stay small. */
    char *tail;
    size_t tail_used, tail_cap;
    uint32_t tail_at[KEYSET_BLOCK];
    uint16_t tail_len[KEYSET_BLOCK];
    /* Their first 16 bytes, zero-padded, side by side: the prefix search reads these. */
    unsigned char tail_head[KEYSET_BLOCK][16];
    uint32_t tail_value[KEYSET_BLOCK];
    /* Bits of the hash kept (64); a test lowers it to force collisions. */
    unsigned hash_bits;
};

void keyset_init(struct keyset *s);
void keyset_release(struct keyset *s);
/*
 * Adds key unless present. Returns 1 when added, 0 when already there (then *existing, if not
 * NULL, receives its value), -1 when out of memory or the key is longer than KEYSET_KEY_MAX.
 */
int keyset_put(struct keyset *s, const void *key, size_t len, uint32_t value, uint32_t *existing);
/* Whether key is present; its value goes to *value when not NULL. */
bool keyset_get(const struct keyset *s, const void *key, size_t len, uint32_t *value);
/* A hint that key will be put or got soon: its slot is fetched into the cache meanwhile (the
 * table is far larger than the cache, and a slot read is otherwise a wait for memory). */
void keyset_prefetch(const struct keyset *s, const void *key, size_t len);
/* Makes room for n keys in all without growing the table; -1 when out of memory. */
int keyset_reserve(struct keyset *s, size_t n);
/* How many more keys fit before the table must grow. */
size_t keyset_room(const struct keyset *s);
/* Bytes held, for accounting. */
size_t keyset_memory(const struct keyset *s);
/* Calls fn with every key and its value, in the order they were put. */
void keyset_each(const struct keyset *s,
                 void (*fn)(void *ctx, const char *key, size_t len, uint32_t value), void *ctx);

#endif
