#include "util_strmap.h"

#include <stdlib.h>
#include <string.h>

#include "util_array.h"

void strmap_init(struct strmap *m)
{
    memset(m, 0, sizeof(*m));
}

void strmap_release(struct strmap *m)
{
    free(m->slots);
    free(m->pool);
    memset(m, 0, sizeof(*m));
}

/* FNV-1a, 64-bit; never 0, so 0 can mark empty slots. */
uint64_t strmap_hash(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h ? h : 1;
}

static bool key_at(const struct strmap *m, uint32_t offset, const void *key, size_t len)
{
    uint32_t stored;
    memcpy(&stored, m->pool + offset, sizeof(stored));
    return stored == len && memcmp(m->pool + offset + sizeof(stored), key, len) == 0;
}

static struct strmap_slot *find_slot(const struct strmap *m, struct strmap_slot *slots, size_t cap,
                                     uint64_t hash, const void *key, size_t len)
{
    size_t mask = cap - 1;
    for (size_t i = (size_t)hash & mask;; i = (i + 1) & mask) {
        struct strmap_slot *s = &slots[i];
        if (s->hash == 0)
            return s;
        if (s->hash == hash && (!key || key_at(m, s->offset, key, len)))
            return s;
    }
}

static int resize(struct strmap *m, size_t cap);

static int grow(struct strmap *m)
{
    return resize(m, m->cap ? m->cap * 2 : 64);
}

int strmap_reserve(struct strmap *m, size_t n)
{
    size_t cap = m->cap ? m->cap : 64;
    while (n * 4 > cap * 3)
        cap *= 2;
    return cap > m->cap ? resize(m, cap) : 0;
}

static int resize(struct strmap *m, size_t cap)
{
    struct strmap_slot *slots = calloc(cap, sizeof(*slots));
    if (!slots)
        return -1;
    size_t mask = cap - 1;
    for (size_t i = 0; i < m->cap; i++) {
        const struct strmap_slot *old = &m->slots[i];
        if (!old->hash)
            continue;
        size_t j = (size_t)old->hash & mask;
        while (slots[j].hash)
            j = (j + 1) & mask;
        slots[j] = *old;
    }
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
    return 0;
}

static long pool_add(struct strmap *m, const void *key, size_t len)
{
    size_t need = sizeof(uint32_t) + len;
    if (m->pool_len + need > UINT32_MAX)
        return -1;
    char *pool = bytes_reserve(m->pool, &m->pool_cap, m->pool_len + need, 4096);
    if (!pool)
        return -1;
    m->pool = pool;
    size_t offset = m->pool_len;
    uint32_t stored = (uint32_t)len;
    memcpy(m->pool + offset, &stored, sizeof(stored));
    memcpy(m->pool + offset + sizeof(stored), key, len);
    m->pool_len += need;
    return (long)offset;
}

int strmap_put(struct strmap *m, const void *key, size_t len, uint32_t value, uint32_t *existing)
{
    if (len > UINT32_MAX)
        return -1;
    if ((m->count + 1) * 4 > m->cap * 3 && grow(m) < 0)
        return -1;
    uint64_t hash = strmap_hash(key, len);
    struct strmap_slot *s = find_slot(m, m->slots, m->cap, hash, key, len);
    if (s->hash) {
        if (existing)
            *existing = s->value;
        return 0;
    }
    long offset = pool_add(m, key, len);
    if (offset < 0)
        return -1;
    s->hash = hash;
    s->offset = (uint32_t)offset;
    s->value = value;
    m->count++;
    return 1;
}

uint32_t *strmap_get(const struct strmap *m, const void *key, size_t len)
{
    if (!m->cap)
        return NULL;
    struct strmap_slot *s = find_slot(m, m->slots, m->cap, strmap_hash(key, len), key, len);
    return s->hash ? &s->value : NULL;
}

size_t strmap_memory(const struct strmap *m)
{
    return m->cap * sizeof(*m->slots) + m->pool_cap;
}
