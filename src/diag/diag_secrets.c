#include "diag_secrets.h"

#include <stdlib.h>
#include <string.h>

#include "util/util_array.h"
#include "util/util_varint.h"

/* The most bytes a span takes: four varints of at most 35 bits. */
#define SPAN_BYTES_MAX 24

void secret_spans_init(struct secret_spans *s)
{
    memset(s, 0, sizeof(*s));
}

void secret_spans_release(struct secret_spans *s)
{
    free(s->log);
    free(s->groups);
    secret_spans_init(s);
}

/*
 * A span as its difference from prev: the line's (zigzag), then the column's when the line is
 * prev's, else the column itself, shifted left by one with the low bit set when the value
 * runs over several lines; then the end, as a difference from the start when on the same line,
 * else as the lines it runs over and the end column. A credential's password takes 3 bytes.
 */
static unsigned char *encode(unsigned char *p, const struct span *prev, const struct span *s)
{
    bool one_line = s->end_line == s->line;
    int64_t column = s->line == prev->line ? (int64_t)s->column - prev->column : (int64_t)s->column;
    p = varint_put(p, zigzag((int64_t)s->line - prev->line));
    p = varint_put(p, zigzag(column) << 1 | !one_line);
    if (one_line)
        return varint_put(p, zigzag((int64_t)s->end_column - s->column));
    p = varint_put(p, zigzag((int64_t)s->end_line - s->line));
    return varint_put(p, s->end_column);
}

static const unsigned char *decode(const unsigned char *p, const struct span *prev,
                                   struct span *out)
{
    uint64_t v;
    p = varint_get(p, &v);
    out->line = (uint32_t)((int64_t)prev->line + unzigzag(v));
    p = varint_get(p, &v);
    bool one_line = !(v & 1);
    int64_t column = unzigzag(v >> 1);
    out->column = (uint32_t)(out->line == prev->line ? (int64_t)prev->column + column : column);
    p = varint_get(p, &v);
    if (one_line) {
        out->end_line = out->line;
        out->end_column = (uint32_t)((int64_t)out->column + unzigzag(v));
        return p;
    }
    out->end_line = (uint32_t)((int64_t)out->line + unzigzag(v));
    p = varint_get(p, &v);
    out->end_column = (uint32_t)v;
    return p;
}

int secret_spans_add(struct secret_spans *s, const struct span *span)
{
    size_t group = s->count / SECRET_GROUP;
    bool starts_group = s->count % SECRET_GROUP == 0;
    if (starts_group) {
        size_t *groups = array_grow(s->groups, &s->groups_cap, group, sizeof(*groups), 8);
        if (!groups)
            return -1;
        s->groups = groups;
    }
    unsigned char *log = bytes_reserve(s->log, &s->cap, s->len + SPAN_BYTES_MAX, 64);
    if (!log)
        return -1;
    s->log = log;
    static const struct span none;
    if (starts_group)
        s->groups[group] = s->len;
    if (s->count && position_compare(span->line, span->column, s->last.line, s->last.column) < 0)
        s->out_of_order = true;
    s->len = (size_t)(encode(s->log + s->len, starts_group ? &none : &s->last, span) - s->log);
    s->last = *span;
    s->count++;
    return 0;
}

struct secret_cursor secret_spans_first(const struct secret_spans *s)
{
    return (struct secret_cursor){.list = s, .index = 0, .at = s->log};
}

bool secret_cursor_next(struct secret_cursor *c, struct span *out)
{
    static const struct span none;
    if (c->index >= c->list->count)
        return false;
    c->at = decode(c->at, c->index % SECRET_GROUP ? &c->prev : &none, out);
    c->prev = *out;
    c->index++;
    return true;
}

static int compare_starts(const void *a, const void *b)
{
    const struct span *x = a, *y = b;
    return position_compare(x->line, x->column, y->line, y->column);
}

int secret_spans_sort(struct secret_spans *s)
{
    if (!s->out_of_order)
        return 0;
    struct span *all = malloc(s->count * sizeof(*all));
    if (!all)
        return -1;
    struct secret_cursor c = secret_spans_first(s);
    for (size_t i = 0; secret_cursor_next(&c, &all[i]); i++)
        ;
    qsort(all, s->count, sizeof(*all), compare_starts);
    struct secret_spans sorted;
    secret_spans_init(&sorted);
    int rc = 0;
    for (size_t i = 0; i < s->count && rc == 0; i++)
        rc = secret_spans_add(&sorted, &all[i]);
    free(all);
    if (rc < 0) {
        secret_spans_release(&sorted);
        return -1;
    }
    secret_spans_release(s);
    *s = sorted;
    return 0;
}

/* The cursor at the start of group g. */
static struct secret_cursor group_start(const struct secret_spans *s, size_t g)
{
    return (struct secret_cursor){
        .list = s, .index = g * SECRET_GROUP, .at = s->log + s->groups[g]};
}

static bool ends_before(const struct span *span, uint32_t line, uint32_t column)
{
    return position_compare(span->end_line, span->end_column, line, column) < 0;
}

struct secret_cursor secret_spans_seek(const struct secret_spans *s, uint32_t line, uint32_t column)
{
    if (!s->count || s->out_of_order)
        return secret_spans_first(s);
    /* The first group whose first span does not end before the place: the place is in the
     * group before it, or at its start. */
    size_t lo = 0, hi = (s->count + SECRET_GROUP - 1) / SECRET_GROUP;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        struct secret_cursor c = group_start(s, mid);
        struct span first;
        secret_cursor_next(&c, &first);
        if (ends_before(&first, line, column))
            lo = mid + 1;
        else
            hi = mid;
    }
    struct secret_cursor c = group_start(s, lo ? lo - 1 : 0);
    for (;;) {
        struct secret_cursor here = c;
        struct span span;
        if (!secret_cursor_next(&c, &span) || !ends_before(&span, line, column))
            return here;
    }
}
