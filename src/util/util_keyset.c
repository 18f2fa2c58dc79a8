#define _GNU_SOURCE /* madvise's MADV_HUGEPAGE */
#include "util_keyset.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "util_array.h"
#include "util_varint.h"

#define MIN_SLOTS 64
#define MAX_SLOTS ((size_t)1 << 31)

void keyset_init(struct keyset *s)
{
    memset(s, 0, sizeof(*s));
    s->hash_bits = 64;
}

void keyset_release(struct keyset *s)
{
    free(s->slots);
    free(s->log);
    free(s->blocks);
    free(s->tail);
    keyset_init(s);
}

static uint64_t rotl(uint64_t x, unsigned r)
{
    return (x << r) | (x >> (64 - r));
}

static uint64_t scramble(uint64_t k)
{
    k *= 0x87c37b91114253d5ull;
    return rotl(k, 31) * 0x4cf5ad432745937full;
}

/* Eight bytes a step, then a full avalanche: the table uses the top bits as the slot and the
 * low bits as the fingerprint, so both ends must depend on every byte. */
static uint64_t hash_key(const struct keyset *s, const unsigned char *p, size_t len)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ (len * 0xff51afd7ed558ccdull);
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t k;
        memcpy(&k, p + i, 8);
        h = rotl(h ^ scramble(k), 27) * 5 + 0x52dce729;
    }
    if (i < len) {
        uint64_t k = 0;
        memcpy(&k, p + i, len - i);
        h ^= scramble(k);
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return s->hash_bits < 64 ? h & ((1ull << s->hash_bits) - 1) : h;
}

/* The slot a hash starts from: its top 32 bits scaled to the table (any size, no modulo). */
static size_t home(size_t nslots, uint64_t h)
{
    return (size_t)(((h >> 32) * (uint64_t)nslots) >> 32);
}

static size_t next_slot(size_t nslots, size_t i)
{
    return i + 1 == nslots ? 0 : i + 1;
}

static uint32_t fingerprint(unsigned fp_bits, uint64_t h)
{
    return (uint32_t)h & ((1u << fp_bits) - 1);
}

/*
 * An entry in the log: its value's difference from the previous entry's (zigzag varint), its
 * shape, its suffix. The shape says how many entries back in the block the entry is that the
 * key shares a prefix with (back), how many bytes shorter than that entry's key the prefix is
 * (drop), and the suffix's length. The first entry of a block shares nothing.
 */
struct entry_head {
    uint16_t ref, shared, len;
    uint32_t value;
    const unsigned char *suffix;
};

/*
 * A shape is one byte below SHAPE_MEDIUM, ((back - 1) * 8 + drop) * 4 + suffix - 1, when back
 * is at most 7, drop at most 7 and the suffix 1 to 4 bytes (the next name of a series); two
 * bytes, SHAPE_MEDIUM + drop and then (back - 1) << 4 | (suffix - 1), when back is at most 16,
 * drop at most 30 and the suffix 1 to 16 bytes (a UUID's 16 bytes after another's); else
 * SHAPE_LONG and three varints: back, drop, length.
 */
#define SHAPE_MEDIUM 224
#define SHAPE_LONG   0xff

static unsigned char *put_shape(unsigned char *p, size_t back, size_t drop, size_t suffix)
{
    if (back >= 1 && back <= 7 && drop <= 7 && suffix >= 1 && suffix <= 4) {
        *p++ = (unsigned char)(((back - 1) * 8 + drop) * 4 + suffix - 1);
    } else if (back >= 1 && back <= 16 && drop <= 30 && suffix >= 1 && suffix <= 16) {
        *p++ = (unsigned char)(SHAPE_MEDIUM + drop);
        *p++ = (unsigned char)((back - 1) << 4 | (suffix - 1));
    } else {
        *p++ = SHAPE_LONG;
        p = varint_put(p, back);
        p = varint_put(p, drop);
        p = varint_put(p, suffix);
    }
    return p;
}

/* A one-byte shape (b below SHAPE_MEDIUM). */
static inline void short_shape(unsigned b, uint64_t *back, uint64_t *drop, uint64_t *suffix)
{
    *back = b / 32 + 1;
    *drop = b / 4 % 8;
    *suffix = b % 4 + 1;
}

static const unsigned char *get_shape(const unsigned char *p, uint64_t *back, uint64_t *drop,
                                      uint64_t *suffix)
{
    unsigned b = *p++;
    if (b < SHAPE_MEDIUM) {
        short_shape(b, back, drop, suffix);
    } else if (b < SHAPE_LONG) {
        *drop = b - SHAPE_MEDIUM;
        *back = (*p >> 4) + 1u;
        *suffix = (*p++ & 15) + 1u;
    } else {
        p = varint_get(p, back);
        p = varint_get(p, drop);
        p = varint_get(p, suffix);
    }
    return p;
}

/* Reads the headers of the entries 0..last of a block. */
static void read_block(const struct keyset *s, size_t block, size_t last, struct entry_head *h)
{
    const unsigned char *p = s->log + s->blocks[block];
    int64_t value = 0;
    for (size_t i = 0; i <= last; i++) {
        uint64_t delta, back, drop, suffix;
        /* Most values move by less than 64 lines and most shapes are one byte: a lookup
         * that matches reads up to KEYSET_BLOCK headers, so these take no call. */
        if (p[0] < 0x80 && p[1] < SHAPE_MEDIUM) {
            delta = p[0];
            short_shape(p[1], &back, &drop, &suffix);
            p += 2;
        } else {
            p = varint_get(p, &delta);
            p = get_shape(p, &back, &drop, &suffix);
        }
        size_t ref = i ? i - back : 0;
        value += unzigzag(delta);
        h[i].ref = (uint16_t)ref;
        h[i].shared = (uint16_t)(i ? h[ref].len - drop : 0);
        h[i].len = (uint16_t)(h[i].shared + suffix);
        h[i].value = (uint32_t)value;
        h[i].suffix = p;
        p += suffix;
    }
}

/* Entry e's key into out: its suffix, then the part of each entry it shares with that the
 * entries after it on the chain do not cover. */
static void entry_key(const struct entry_head *h, size_t e, char *out)
{
    size_t limit = h[e].len;
    for (size_t i = e; limit > 0; i = h[i].ref) {
        if (h[i].shared < limit) {
            memcpy(out + h[i].shared, h[i].suffix, limit - h[i].shared);
            limit = h[i].shared;
        }
    }
}

/* Whether the entry's key is key (its value to *value): the last block is compared as
 * written, an older one read back from the log. */
static bool entry_is(const struct keyset *s, size_t entry, const void *key, size_t len,
                     uint32_t *value)
{
    size_t block = entry / KEYSET_BLOCK, at = entry % KEYSET_BLOCK;
    const char *k;
    uint32_t v;
    char buf[KEYSET_KEY_MAX];
    if (block == (s->count - 1) / KEYSET_BLOCK) {
        k = s->tail + s->tail_at[at];
        if (s->tail_len[at] != len)
            return false;
        v = s->tail_value[at];
    } else {
        struct entry_head h[KEYSET_BLOCK];
        read_block(s, block, at, h);
        if (h[at].len != len)
            return false;
        entry_key(h, at, buf);
        k = buf;
        v = h[at].value;
    }
    if (memcmp(k, key, len) != 0)
        return false;
    if (value)
        *value = v;
    return true;
}

/* The slot holding key, or the empty slot where it would go. */
static size_t find(const struct keyset *s, uint64_t h, const void *key, size_t len, uint32_t *value,
                   bool *found)
{
    uint32_t fp = fingerprint(s->fp_bits, h), fp_mask = (1u << s->fp_bits) - 1;
    for (size_t i = home(s->nslots, h);; i = next_slot(s->nslots, i)) {
        uint32_t w = s->slots[i];
        if (w == 0) {
            *found = false;
            return i;
        }
        if ((w & fp_mask) == fp && entry_is(s, (w >> s->fp_bits) - 1, key, len, value)) {
            *found = true;
            return i;
        }
    }
}

static void place(struct keyset *s, uint64_t h, size_t entry)
{
    size_t i = home(s->nslots, h);
    while (s->slots[i])
        i = next_slot(s->nslots, i);
    s->slots[i] = (uint32_t)((entry + 1) << s->fp_bits) | fingerprint(s->fp_bits, h);
}

/* Every entry read back from the log, in order: its number, key and value. */
static void each_entry(const struct keyset *s,
                       void (*fn)(void *ctx, size_t entry, const char *key, size_t len,
                                  uint32_t value),
                       void *ctx)
{
    struct entry_head h[KEYSET_BLOCK];
    char key[KEYSET_KEY_MAX];
    for (size_t b = 0; b * KEYSET_BLOCK < s->count; b++) {
        size_t n = s->count - b * KEYSET_BLOCK;
        n = n < KEYSET_BLOCK ? n : KEYSET_BLOCK;
        read_block(s, b, n - 1, h);
        for (size_t i = 0; i < n; i++) {
            entry_key(h, i, key);
            fn(ctx, b * KEYSET_BLOCK + i, key, h[i].len, h[i].value);
        }
    }
}

/*
 * Placing the log's entries in an empty table, REFILL_AHEAD at a time: their hashes first, each
 * slot fetched as its hash is known, then the entries placed. A slot is a random place in a
 * table far larger than the cache; one at a time, a rebuild at millions of keys waited for
 * memory once a key (1.6 s at 7.5 million).
 */
#define REFILL_AHEAD 64

struct refill {
    struct keyset *s;
    uint64_t hash[REFILL_AHEAD];
    size_t entry[REFILL_AHEAD];
    size_t n;
};

static void refill_place(struct refill *r)
{
    for (size_t i = 0; i < r->n; i++)
        place(r->s, r->hash[i], r->entry[i]);
    r->n = 0;
}

static void refill_one(void *ctx, size_t entry, const char *key, size_t len, uint32_t value)
{
    (void)value;
    struct refill *r = ctx;
    uint64_t h = hash_key(r->s, (const unsigned char *)key, len);
    __builtin_prefetch(&r->s->slots[home(r->s->nslots, h)], 1);
    r->hash[r->n] = h;
    r->entry[r->n++] = entry;
    if (r->n == REFILL_AHEAD)
        refill_place(r);
}

/*
 * A table of n zeroed slots. Each key reads one slot at random: a table of a few MiB (a large
 * file's) on 4 KiB pages costs a TLB miss per key, and two page faults per page (the first read
 * maps the shared zero page, the first write copies it and flushes both cores' TLBs). On 2 MiB
 * pages, where the system gives them, it costs neither. Written at once: such a table is
 * filled all over anyway.
 */
static uint32_t *slots_new(size_t n)
{
    enum { HUGE_PAGE = 2 * 1024 * 1024 };
    size_t bytes = n * sizeof(uint32_t);
#ifdef MADV_HUGEPAGE
    void *p;
    if (bytes >= HUGE_PAGE && posix_memalign(&p, HUGE_PAGE, bytes) == 0) {
        madvise(p, bytes, MADV_HUGEPAGE); /* advice: refused, the table works as well */
        memset(p, 0, bytes);
        return p;
    }
#endif
    return calloc(n, sizeof(uint32_t));
}

/*
 * At most 7/8 of the slots are used. Linear probing then reads about 30 slots for a key not in
 * the table at the fullest, but they are next to each other (16 to a cache line) and each is a
 * compare of a few bits of hash; what a lookup waits for is the first slot's line. At 3/4, a
 * large file's table was a third of its memory.
 */
static size_t capacity(size_t nslots)
{
    return nslots / 8 * 7;
}

/* The fewest slots (a multiple of 64) with room for n entries. */
static size_t slots_for(size_t n)
{
    size_t slots = (n / 7 + 1) * 8;
    slots = (slots + MIN_SLOTS - 1) / MIN_SLOTS * MIN_SLOTS;
    return slots > MAX_SLOTS ? MAX_SLOTS : slots;
}

/* A slot holds (entry + 1) in its top bits, as many as the table's entries need, and as much
 * of the hash as is left below them. */
static unsigned fp_bits_for(size_t nslots)
{
    unsigned entry_bits = 1;
    while (((size_t)1 << entry_bits) <= capacity(nslots))
        entry_bits++;
    return 32 - entry_bits;
}

static int fill(struct keyset *s, size_t nslots)
{
    s->slots = slots_new(nslots);
    if (!s->slots)
        return -1;
    s->nslots = nslots;
    s->fp_bits = fp_bits_for(nslots);
    struct refill r = {.s = s};
    each_entry(s, refill_one, &r);
    refill_place(&r);
    return 0;
}

/*
 * A table of nslots slots, filled again from the log (the hashes are not kept). Nothing is read
 * from the old table, so it is freed first: the two side by side were the peak of a large
 * file's run (a third of the index at a million services). Out of memory, the old size is made
 * again; if even that fails, the set has no table (nslots 0) until a put makes one.
 */
static int rebuild(struct keyset *s, size_t nslots)
{
    size_t old = s->nslots;
    free(s->slots);
    s->slots = NULL;
    s->nslots = 0;
    if (fill(s, nslots) == 0)
        return 0;
    if (old)
        fill(s, old);
    return -1;
}

int keyset_reserve(struct keyset *s, size_t n)
{
    size_t nslots = slots_for(n);
    return nslots > s->nslots ? rebuild(s, nslots) : 0;
}

size_t keyset_room(const struct keyset *s)
{
    return capacity(s->nslots) > s->count ? capacity(s->nslots) - s->count : 0;
}

static int ensure_room(struct keyset *s, size_t need)
{
    unsigned char *log = bytes_reserve(s->log, &s->log_cap, s->log_len + need, 512);
    if (!log)
        return -1;
    s->log = log;
    size_t block = s->count / KEYSET_BLOCK;
    if (s->count % KEYSET_BLOCK == 0 && block == s->blocks_cap) {
        size_t cap = s->blocks_cap ? s->blocks_cap * 2 : 16;
        uint64_t *p = realloc(s->blocks, cap * sizeof(*p));
        if (!p)
            return -1;
        s->blocks = p;
        s->blocks_cap = cap;
    }
    /* A new block starts the tail afresh (append()). */
    size_t tail_need = (s->count % KEYSET_BLOCK ? s->tail_used : 0) + need;
    char *tail = bytes_reserve(s->tail, &s->tail_cap, tail_need, 256);
    if (!tail)
        return -1;
    s->tail = tail;
    return 0;
}

/* The earlier entry of the block sharing the longest prefix with key (the latest on a tie),
 * and how long that prefix is. */
/* How far back a new key looks for the key it shares most with: a name's series neighbour is a
 * few entities back (each entity adds a few keys), and the short shape reaches 8 back. */
#define KEYSET_LOOKBACK 16

/* How many of the first 16 bytes two heads share. */
static size_t heads_share(const unsigned char *a, const unsigned char *b)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    for (size_t w = 0; w < 16; w += 8) {
        uint64_t x, y;
        memcpy(&x, a + w, 8);
        memcpy(&y, b + w, 8);
        if (x != y)
            return w + (size_t)__builtin_ctzll(x ^ y) / 8; /* the first byte that differs */
    }
    return 16;
#else
    size_t c = 0;
    while (c < 16 && a[c] == b[c])
        c++;
    return c;
#endif
}

static size_t best_ref(const struct keyset *s, size_t at, const char *key, size_t len,
                       size_t *shared)
{
    unsigned char head[16] = {0};
    memcpy(head, key, len < 16 ? len : 16);
    size_t ref = at - 1;
    *shared = 0;
    size_t first = at > KEYSET_LOOKBACK ? at - KEYSET_LOOKBACK : 0;
    for (size_t i = at; i-- > first;) {
        size_t n = s->tail_len[i] < len ? s->tail_len[i] : len;
        if (n <= *shared)
            continue;
        size_t c = heads_share(s->tail_head[i], head);
        if (c >= 16) { /* the rest from the key itself */
            const char *k = s->tail + s->tail_at[i];
            while (c < n && k[c] == key[c])
                c++;
        }
        c = c < n ? c : n;
        if (c > *shared) {
            *shared = c;
            ref = i;
        }
    }
    return ref;
}

/* Writes the entry for key at the end of the log, sharing the longest prefix the block has. */
static void append(struct keyset *s, const char *key, size_t len, uint32_t value)
{
    size_t at = s->count % KEYSET_BLOCK;
    size_t ref = 0, shared = 0, drop = 0;
    int64_t prev = 0;
    if (at == 0) {
        s->blocks[s->count / KEYSET_BLOCK] = s->log_len;
    } else {
        prev = s->tail_value[at - 1];
        ref = best_ref(s, at, key, len, &shared);
        drop = s->tail_len[ref] - shared;
    }
    int64_t delta = (int64_t)value - prev;
    size_t back = at ? at - ref : 1, suffix = len - shared;
    unsigned char *p = s->log + s->log_len;
    p = varint_put(p, zigzag(delta));
    p = put_shape(p, back, drop, suffix);
    memcpy(p, key + shared, len - shared);
    s->log_len = (size_t)(p - s->log) + (len - shared);
    if (at == 0)
        s->tail_used = 0;
    s->tail_at[at] = (uint32_t)s->tail_used;
    memcpy(s->tail + s->tail_used, key, len);
    s->tail_used += len;
    memset(s->tail_head[at], 0, 16);
    memcpy(s->tail_head[at], key, len < 16 ? len : 16);
    s->tail_len[at] = (uint16_t)len;
    s->tail_value[at] = value;
    s->count++;
}

int keyset_put(struct keyset *s, const void *key, size_t len, uint32_t value, uint32_t *existing)
{
    if (len > KEYSET_KEY_MAX || s->count >= capacity(MAX_SLOTS))
        return -1;
    if (!keyset_room(s)) {
        /* Unless the caller reserved more, the table doubles. */
        size_t nslots = s->nslots ? 2 * s->nslots : MIN_SLOTS;
        size_t least = slots_for(s->count + 1);
        if (rebuild(s, nslots < least ? least : nslots > MAX_SLOTS ? MAX_SLOTS : nslots) < 0)
            return -1;
    }
    uint64_t h = hash_key(s, key, len);
    bool found;
    size_t i = find(s, h, key, len, existing, &found);
    if (found)
        return 0;
    /* Varints: 10 bytes for the value, 1 + 3 * 2 for the shape. */
    if (ensure_room(s, 17 + len) < 0)
        return -1;
    append(s, key, len, value);
    s->slots[i] = (uint32_t)(s->count << s->fp_bits) | fingerprint(s->fp_bits, h);
    return 1;
}

bool keyset_get(const struct keyset *s, const void *key, size_t len, uint32_t *value)
{
    if (!s->count || !s->slots || len > KEYSET_KEY_MAX)
        return false;
    bool found;
    find(s, hash_key(s, key, len), key, len, value, &found);
    return found;
}

void keyset_prefetch(const struct keyset *s, const void *key, size_t len)
{
    if (s->slots && len <= KEYSET_KEY_MAX)
        __builtin_prefetch(&s->slots[home(s->nslots, hash_key(s, key, len))]);
}

struct each {
    void (*fn)(void *ctx, const char *key, size_t len, uint32_t value);
    void *ctx;
};

static void each_one(void *ctx, size_t entry, const char *key, size_t len, uint32_t value)
{
    (void)entry;
    const struct each *e = ctx;
    e->fn(e->ctx, key, len, value);
}

void keyset_each(const struct keyset *s,
                 void (*fn)(void *ctx, const char *key, size_t len, uint32_t value), void *ctx)
{
    struct each e = {fn, ctx};
    each_entry(s, each_one, &e);
}

size_t keyset_memory(const struct keyset *s)
{
    return (s->slots ? sizeof(uint32_t) * s->nslots : 0) + s->log_cap +
           s->blocks_cap * sizeof(uint64_t) + s->tail_cap;
}
