#include "check_across.h"

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

static void forget_entities(struct across_file *f)
{
    for (size_t i = 0; i < f->nentities; i++)
        free(f->entity_names[i]);
    free(f->entity_names);
    f->entity_names = NULL;
    f->nentities = 0;
}

void across_release(struct across_file *f)
{
    forget_entities(f);
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
    f->entity_names = calloc(doc->nentities ? doc->nentities : 1, sizeof(*f->entity_names));
    if (!f->entity_names) {
        f->failed = true;
        return -1;
    }
    f->nentities = doc->nentities;
    for (size_t i = 0; i < doc->nentities; i++)
        if (!(f->entity_names[i] = strdup(doc->entities[i].name))) {
            f->failed = true;
            return -1;
        }
    index_release(&f->names);
    f->names = *ix; /* the file's own index is done with: it moves here */
    index_init(ix);
    return 0;
}

/* This file's number for the entity another file numbers `target`; -1 when it has none. */
static int entity_number(const struct across_file *f, const struct across_file *from,
                         uint8_t target)
{
    if (target >= from->nentities)
        return -1;
    for (size_t i = 0; i < f->nentities; i++)
        if (!strcmp(f->entity_names[i], from->entity_names[target]))
            return (int)i;
    return -1;
}

static bool same_set(const struct across_file *a, const struct across_file *b)
{
    return b && a != b && a->joins && b->joins && !a->failed && !b->failed &&
           !strcmp(a->product, b->product);
}

static bool answered_elsewhere(struct across_file *const *files, size_t n, size_t self,
                               const struct across_ref *ref)
{
    for (size_t j = 0; j < n; j++) {
        if (!same_set(files[self], files[j]))
            continue;
        int number = entity_number(files[j], files[self], ref->target);
        if (number >= 0 && index_resolves(&files[j]->names, (uint8_t)number, ref->value, ref->len))
            return true;
    }
    return false;
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
                     size_t self)
{
    size_t others = others_in_set(files, n, self);
    if (!others || !files[self]->nheld)
        return;
    bool *take = calloc(sink->count ? sink->count : 1, sizeof(*take));
    if (!take)
        return; /* the findings stand as if the file were alone: nothing is lost */
    for (size_t i = 0; i < sink->count; i++) {
        const struct across_ref *ref = held_for(files[self], sink->items[i].seq);
        if (!ref)
            continue;
        if (answered_elsewhere(files, n, self, ref))
            take[i] = true;
        else
            say_others_searched(sink, &sink->items[i], others);
    }
    diag_take_back(sink, take);
    free(take);
}

void across_join(struct across_file *const *files, struct diag_sink *const *sinks, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (files[i] && files[i]->joins && !files[i]->failed)
            join_one(files, sinks[i], n, i);
    for (size_t i = 0; i < n; i++)
        if (files[i])
            across_reset(files[i]);
}
