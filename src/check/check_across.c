#include "check_across.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util_array.h"

void across_init(struct across_file *f)
{
    memset(f, 0, sizeof(*f));
    index_init(&f->names);
    arena_init(&f->strings, 4 * 1024);
}

/* The entities' names live in the file's arena, with the references it holds: a few blocks
 * for a file's thirty-odd entities, where a copy of each name apiece was 120 allocations a
 * file (thousands of small files in a run). */
static char *copy_or_null(struct across_file *f, const char *s)
{
    char *c = s ? arena_strdup(&f->strings, s) : NULL;
    f->failed |= s && !c;
    return c;
}

void across_release(struct across_file *f)
{
    index_release(&f->names);
    free(f->held);
    arena_release(&f->strings);
    memset(f, 0, sizeof(*f));
}

void across_reset(struct across_file *f)
{
    across_release(f);
    across_init(f);
}

bool across_flavor_joins(enum flavor flavor)
{
    /* decK reads plain Kong files too; a db_export dump is one database, and APISIX reads its
     * one standalone file. */
    static const bool joins[FLAVOR_COUNT] = {
        [FLAVOR_KONG] = true, [FLAVOR_DECK] = true, [FLAVOR_ADC] = true};
    return flavor < FLAVOR_COUNT && joins[flavor];
}

static void hold(void *ctx, const struct diag_sink *sink, size_t count_before, uint8_t target,
                 const char *value, size_t len)
{
    struct across_file *f = ctx;
    if (f->failed || sink->count == count_before)
        return; /* the finding was not kept (its rule off, past the limit): nothing to take back */
    struct across_ref *grown = array_grow(f->held, &f->cap, f->nheld, sizeof(*grown), 16);
    if (!grown) {
        f->failed = true;
        return;
    }
    f->held = grown;
    const char *copy = arena_strndup(&f->strings, value, len);
    if (!copy) {
        f->failed = true;
        return;
    }
    f->held[f->nheld++] = (struct across_ref){sink->items[sink->count - 1].seq, target, copy, len};
}

struct index_unresolved across_listener(struct across_file *f)
{
    return (struct index_unresolved){hold, f};
}

int across_adopt(struct across_file *f, const struct spec_document *doc, struct index *ix)
{
    f->joins = true;
    snprintf(f->product, sizeof(f->product), "%s", doc->product);
    f->entities =
        arena_calloc(&f->strings, doc->nentities ? doc->nentities : 1, sizeof(*f->entities));
    if (!f->entities) {
        f->failed = true;
        return -1;
    }
    f->nentities = doc->nentities;
    for (size_t i = 0; i < doc->nentities; i++) {
        const struct spec_entity *e = &doc->entities[i];
        struct across_entity *a = &f->entities[i];
        a->name = copy_or_null(f, e->name);
        a->singular = copy_or_null(f, e->singular);
        a->primary_key = copy_or_null(f, e->primary_key ? e->primary_key : "id");
        a->endpoint_key = copy_or_null(f, e->endpoint_key);
        const struct spec_field *ek =
            e->endpoint_key
                ? spec_record_field(&e->record, e->endpoint_key, strlen(e->endpoint_key))
                : NULL;
        a->endpoint_secret = ek && (ek->flags & SF_SECRET);
    }
    if (f->failed)
        return -1;
    index_release(&f->names);
    f->names = *ix; /* the file's own index is done with: it moves here */
    index_init(ix);
    return 0;
}

/* This file's number for the entity another file numbers `target`; -1 when it has none. */
static int entity_number(const struct across_file *f, const struct across_file *from,
                         uint8_t target)
{
    if (target >= from->nentities || !from->entities[target].name)
        return -1;
    for (size_t i = 0; i < f->nentities; i++)
        if (f->entities[i].name && !strcmp(f->entities[i].name, from->entities[target].name))
            return (int)i;
    return -1;
}

static bool same_set(const struct across_file *a, const struct across_file *b)
{
    return b && a != b && a->joins && b->joins && !a->failed && !b->failed &&
           !strcmp(a->product, b->product);
}

/* The first other file of the set that resolves the reference, or -1. */
static long answered_elsewhere(struct across_file *const *files, size_t n, size_t self,
                               const struct across_ref *ref)
{
    for (size_t j = 0; j < n; j++) {
        if (!same_set(files[self], files[j]))
            continue;
        int number = entity_number(files[j], files[self], ref->target);
        if (number >= 0 && index_resolves(&files[j]->names, (uint8_t)number, ref->value, ref->len))
            return (long)j;
    }
    return -1;
}

/*
 * Files linked by a reference one makes to the other are parts of one state; files that never
 * refer to each other may as well be variants of one configuration (kong.yml beside
 * kong-prod.yml), where the same names are no repeat. A union-find over the files.
 */
static size_t part_of(size_t *part, size_t i)
{
    while (part[i] != i)
        i = part[i] = part[part[i]];
    return i;
}

static void link_parts(size_t *part, size_t a, size_t b)
{
    part[part_of(part, a)] = part_of(part, b);
}

static size_t others_in_set(struct across_file *const *files, size_t n, size_t self)
{
    size_t others = 0;
    for (size_t j = 0; j < n; j++)
        others += same_set(files[self], files[j]);
    return others;
}

/* The reference a finding reports, if it is held; held[] is in the order of seq (the
 * references were reported one after the other). */
static const struct across_ref *held_for(const struct across_file *f, uint32_t seq)
{
    size_t lo = 0, hi = f->nheld;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (f->held[mid].seq < seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < f->nheld && f->held[lo].seq == seq ? &f->held[lo] : NULL;
}

/* A finding left standing says the other files were searched too. */
static void say_others_searched(struct diag_sink *sink, struct diag *d, size_t others)
{
    const char *plural = others == 1 ? "" : "s";
    const char *more =
        d->rule == R_HOP3001
            ? arena_printf(&sink->strings, "%s, nor in the %zu other file%s checked with it",
                           d->message, others, plural)
            : arena_printf(&sink->strings,
                           "%s; none of the %zu other file%s checked with it "
                           "has it",
                           d->message, others, plural);
    if (more)
        d->message = more;
}

static void join_one(struct across_file *const *files, struct diag_sink *sink, size_t n,
                     size_t self, size_t *part)
{
    if (!files[self]->nheld) /* first: counting the others reads every file */
        return;
    size_t others = others_in_set(files, n, self);
    if (!others)
        return;
    bool *take = calloc(sink->count ? sink->count : 1, sizeof(*take));
    if (!take)
        return; /* the findings stand as if the file were alone: nothing is lost */
    for (size_t i = 0; i < sink->count; i++) {
        const struct across_ref *ref = held_for(files[self], sink->items[i].seq);
        if (!ref)
            continue;
        long there = answered_elsewhere(files, n, self, ref);
        if (there >= 0) {
            take[i] = true;
            link_parts(part, self, (size_t)there);
        } else {
            say_others_searched(sink, &sink->items[i], others);
        }
    }
    diag_take_back(sink, take);
    free(take);
}

/* A file of the set (files[self]) declaring what an earlier file of the set declares. */
struct repeats {
    struct across_file *const *files;
    const char *const *names;
    size_t self;
    struct diag_sink *sink;
    /* The files of each part in the order given: the first of self's part, and each file's
     * next. Only they are searched, so that thousands of unrelated files cost no more than
     * one each (searching every earlier file was quadratic). */
    size_t first;
    const size_t *next;
};

/* No further file in the part. */
#define NO_FILE SIZE_MAX

/* next[i]: the file after files[i] in its part; first_of[i]: the first file of i's part. */
static void chain_parts(size_t *part, size_t n, size_t *first_of, size_t *next)
{
    size_t *last = first_of + n; /* the part's latest file so far, by its root */
    for (size_t i = 0; i < n; i++)
        last[i] = NO_FILE;
    for (size_t i = 0; i < n; i++) {
        size_t root = part_of(part, i);
        next[i] = NO_FILE;
        if (last[root] != NO_FILE)
            next[last[root]] = i;
        else
            first_of[root] = i;
        last[root] = i;
    }
    for (size_t i = 0; i < n; i++)
        first_of[i] = first_of[part_of(part, i)];
}

static void repeat_of(void *ctx, uint8_t entity, unsigned kind, const char *value, size_t len,
                      uint32_t line)
{
    const struct repeats *r = ctx;
    const struct across_file *self = r->files[r->self];
    for (size_t i = r->first; i != NO_FILE && i < r->self; i = r->next[i]) {
        const struct across_file *first = r->files[i];
        int there = same_set(self, first) ? entity_number(first, self, entity) : -1;
        uint32_t first_line = 0;
        if (there < 0 ||
            !index_first_line(&first->names, (uint8_t)there, kind, value, len, &first_line))
            continue;
        const struct across_entity *e = &self->entities[entity];
        const char *field = kind == INDEX_ID ? e->primary_key : e->endpoint_key;
        if (kind == INDEX_ENDPOINT && e->endpoint_secret) { /* a message never holds a secret */
            value = "<redacted>";
            len = strlen(value);
        }
        /* The index keeps the line alone: the finding stands at its start, and its path is
         * the entity's collection. */
        struct span at = {line, 1, line, 2};
        char path[80];
        snprintf(path, sizeof(path), "/%s", e->name ? e->name : "");
        /* A warning: the files may be the one state decK refuses, or a combined file beside
         * its parts that nobody syncs together. */
        diag_add(r->sink, R_HOP3002, GH_WARNING, &at, path, NULL,
                 "a %s with %s '%.*s' is also declared in %s:%u: decK, given both files as one "
                 "state, refuses the second (entity already exists)",
                 e->singular ? e->singular : e->name, field ? field : "key",
                 (int)(len < 120 ? len : 120), value, r->names[i], first_line);
        return; /* the first file that declares it is the one to name */
    }
}

void across_join(struct across_file *const *files, struct diag_sink *const *sinks,
                 const char *const *names, size_t n)
{
    size_t *part = malloc((n ? n : 1) * sizeof(*part));
    for (size_t i = 0; part && i < n; i++)
        part[i] = i;
    for (size_t i = 0; part && i < n; i++)
        if (files[i] && files[i]->joins && !files[i]->failed)
            join_one(files, sinks[i], n, i, part);
    size_t *first_of = part ? malloc((n ? n : 1) * 2 * sizeof(*first_of)) : NULL;
    size_t *next = first_of ? malloc((n ? n : 1) * sizeof(*next)) : NULL;
    if (next)
        chain_parts(part, n, first_of, next);
    for (size_t i = 1; next && i < n; i++) {
        if (!files[i] || !files[i]->joins || files[i]->failed || first_of[i] == i)
            continue;
        struct repeats r = {files, names, i, sinks[i], first_of[i], next};
        index_each_name(&files[i]->names, repeat_of, &r);
    }
    free(next);
    free(first_of);
    free(part); /* out of memory: each file stands alone, as without the join */
}
