/*
 * The index of a document: every entity's id, endpoint key, unique values and cache key, so
 * that references can be resolved and repeats found across the whole file, while items
 * themselves are freed as soon as they are checked.
 *
 * Invariants: a key is [entity index][kind][value bytes], kept exactly but compactly (a few
 * bytes a key: util_keyset); the value stored is the line of the first definition. References that
 * point forward are kept (with the location of the reference) until index_resolve() at the end of
 * the file.
 */
#ifndef CHECK_INDEX_H
#define CHECK_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag/diag.h"
#include "util/util_keyset.h"

enum index_kind {
    INDEX_ID = 1,
    INDEX_ENDPOINT = 2,
    INDEX_CACHE_KEY = 3,
    INDEX_UNIQUE = 16 /* + the field's position in its record */
};

struct pending_ref {
    uint8_t target;    /* entity index referred to */
    const char *value; /* the reference as written */
    size_t len;
    struct span span;
    const char *path, *entity, *field, *target_singular;
    /* When set, the reference must not name what it names: resolved, this is reported as
     * HOP3004 (a nested entity naming another parent); NULL for an ordinary reference. */
    const char *if_resolved;
};

/* The previous string of a kind written to (or read from) the pending log, to share with. */
struct shared_text {
    char *text; /* NUL-terminated */
    size_t len, cap;
};

struct index {
    struct keyset keys;
    /* Forward references in the order they came, each written as what it shares with the one
     * before it plus its own bytes (a few bytes a reference, not a copy of every string). */
    unsigned char *pending;
    size_t pending_len, pending_cap, npending;
    struct shared_text last[4]; /* path, entity, value, if_resolved */
    const char *last_field, *last_target;
    uint32_t last_line;
    /* Where index_foresee() last made room: the keys then, and the input's bytes read. */
    size_t grown_count;
    uint64_t grown_done;
};

void index_init(struct index *ix);
/* Room for about n keys without growing (a guess from the file's size saves rehashing). */
int index_reserve(struct index *ix, size_t n);
/*
 * Told, as entries are taken, how far the reader is into the input (done of total bytes). When
 * the table is about to fill it makes room at once for the keys the rest of the input promises
 * at the rate seen so far, and half as many again (at least a sixteenth of the keys so far),
 * instead of doubling: a large file's table ends about 4/5 full, not anywhere from 7/16 to
 * 7/8. -1 when out of memory.
 */
int index_foresee(struct index *ix, uint64_t done, uint64_t total);
void index_release(struct index *ix);
/* 1: new; 0: already there (*first_line set); -1: out of memory. */
int index_define(struct index *ix, uint8_t entity, unsigned kind, const char *value, size_t len,
                 uint32_t line, uint32_t *first_line);
bool index_has(const struct index *ix, uint8_t entity, unsigned kind, const char *value,
               size_t len);
/* The key will be defined or looked up soon: fetched into the cache meanwhile. */
void index_prefetch(const struct index *ix, uint8_t entity, unsigned kind, const char *value,
                    size_t len);
/* Whether the key is defined, and the line of its definition. */
bool index_first_line(const struct index *ix, uint8_t entity, unsigned kind, const char *value,
                      size_t len, uint32_t *line);
/* Whether an entity with this id or endpoint key is defined. */
bool index_resolves(const struct index *ix, uint8_t entity, const char *value, size_t len);
int index_defer(struct index *ix, const struct pending_ref *ref);
/* Calls fn with every id and endpoint key defined: the entity's number, the kind (INDEX_ID or
 * INDEX_ENDPOINT), the value as text (an id in its canonical form) and the defining line. */
void index_each_name(const struct index *ix,
                     void (*fn)(void *ctx, uint8_t entity, unsigned kind, const char *value,
                                size_t len, uint32_t line),
                     void *ctx);
/* Told of each reference reported as not in the file, just after its finding was added (if
 * it was kept: sink->count is then past count_before). */
struct index_unresolved {
    void (*reported)(void *ctx, const struct diag_sink *sink, size_t count_before, uint8_t target,
                     const char *value, size_t len);
    void *ctx;
};
/* Reports the references still unresolved, and those resolved that must not be.
 * elsewhere: references are also looked up outside the file (decK resolves a dangling one
 * in the running gateway), so one not in the file is announced as not checked (HOP9005).
 * tell: NULL, or told of each reference reported as not in the file. */
void index_resolve(struct index *ix, struct diag_sink *sink, bool elsewhere,
                   const struct index_unresolved *tell);

#endif
