/*
 * Where the secret values of a document sit: a span per value, kept so that excerpts and
 * ruleset messages can mask them. A large file has one per credential (a million at a million
 * consumers), so they are kept as a few bytes each, not as 16-byte spans.
 *
 * Invariants: spans are kept in a log, each written as its difference from the one before
 * (varints), in groups of SECRET_GROUP whose first span is written whole, so that a group can
 * be read from its start. Once secret_spans_sort() has run, the spans are in start order; since
 * secret values are scalars, which do not overlap, their ends are then in order too, and
 * secret_spans_seek() finds a position by binary search over the groups.
 */
#ifndef DIAG_SECRETS_H
#define DIAG_SECRETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model_node.h"

#define SECRET_GROUP 64

struct secret_spans {
    unsigned char *log;
    size_t len, cap;
    size_t *groups; /* log offset of each group's first span */
    size_t groups_cap;
    size_t count;
    struct span last;  /* the span written last: the next is written as a difference from it */
    bool out_of_order; /* a span came before one written earlier: secret_spans_sort() sorts */
};

/* A place in the list, read forward. */
struct secret_cursor {
    const struct secret_spans *list;
    size_t index;
    const unsigned char *at;
    struct span prev;
};

void secret_spans_init(struct secret_spans *s);
void secret_spans_release(struct secret_spans *s);
/* -1 when out of memory (the list is as it was). */
int secret_spans_add(struct secret_spans *s, const struct span *span);
/* Puts the spans in start order; -1 when out of memory (the list is as it was). */
int secret_spans_sort(struct secret_spans *s);
/* A cursor at the first span, in the order written. */
struct secret_cursor secret_spans_first(const struct secret_spans *s);
/* A cursor at the first span that ends at or after line:column; at the first span of all when
 * the list is not sorted (secret_spans_sort() ran out of memory: every span must be read). */
struct secret_cursor secret_spans_seek(const struct secret_spans *s, uint32_t line,
                                       uint32_t column);
static inline bool secret_spans_sorted(const struct secret_spans *s)
{
    return !s->out_of_order;
}
/* The span at the cursor into *out, and the cursor past it; false at the end. */
bool secret_cursor_next(struct secret_cursor *c, struct span *out);

#endif
