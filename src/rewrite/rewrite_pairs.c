/*
 * Operations on whole pairs: removing one (cutting its text cleanly), renaming onto a field
 * that is already set, and moving one into a record.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rewrite_internal.h"
#include "util/util_buf.h"

/* ---- removing pairs --------------------------------------------------------------------- */

/*
 * Where a value's text ends. A block collection ends where its furthest value does: the last
 * pair need not be, since pairs merged in with << stand where their anchor is.
 */
struct span rw_content_end(const struct node *n)
{
    if (n->kind == NODE_SCALAR || n->style == STYLE_FLOW || n->count == 0)
        return n->span;
    struct span best = n->span;
    best.end_line = n->span.line;
    best.end_column = n->span.column;
    for (uint32_t i = 0; i < n->count; i++) {
        struct span e =
            rw_content_end(n->kind == NODE_MAPPING ? n->u.pairs[i].value : n->u.items[i]);
        if (position_compare(e.end_line, e.end_column, best.end_line, best.end_column) > 0)
            best = e;
    }
    return best;
}

/* A key written in this mapping's own text, not brought in by a merge key (<<). */
static bool written_in(const struct node *map, const struct node *key)
{
    struct span end = rw_content_end(map);
    return position_compare(key->span.line, key->span.column, map->span.line, map->span.column) >=
               0 &&
           position_compare(key->span.line, key->span.column, end.end_line, end.end_column) <= 0;
}

/*
 * The text that removing pair `at` deletes, and what replaces it: up to the next key (which
 * then stands where the removed one stood), or, for the last pair, its whole lines (block) or
 * from the end of the value before (flow). A mapping left empty becomes {}.
 */
/* The nearest pair after (step 1) or before (step -1) `at` that was read, not made; -1: none. */
static long written_pair(const struct node *map, uint32_t at, int step)
{
    for (long i = (long)at + step; i >= 0 && i < (long)map->count; i += step)
        if (!(map->u.pairs[i].key->flags & NODE_SYNTH))
            return i;
    return -1;
}

/* The whole lines from `line` up to (not including) line `until`. */
static struct span lines(uint32_t line, uint32_t until)
{
    return (struct span){line, 1, until, 1};
}

/*
 * What removing pair `at` cuts from the text, and what replaces it. In a block mapping, whole
 * lines: from the key's line to the next key's line (or past the value's last line), so that
 * removals next to each other never overlap. In a flow mapping, up to the next key, or from the
 * end of the value before. A mapping left empty becomes {}. The first key of a sequence item
 * (`- name: x`) shares its line with the dash: that case is not cut here (the item is written
 * anew instead). in_item: map is the entity item itself, an element of a sequence.
 */
static bool removal(const struct node *map, uint32_t at, bool in_item, struct span *cut,
                    const char **text)
{
    const struct node *key = map->u.pairs[at].key;
    const struct node *value = map->u.pairs[at].value;
    struct span end = rw_content_end(value);
    long next = written_pair(map, at, 1), prev = written_pair(map, at, -1);
    const struct node *next_key = next >= 0 ? map->u.pairs[next].key : NULL;
    bool flow = map->style == STYLE_FLOW;
    *text = "";
    /* A value written as an alias (*name) stands where its anchor is: its end is unknown. */
    bool alias = position_compare(value->span.line, value->span.column, key->span.line,
                                  key->span.column) < 0;
    if (!written_in(map, key) || (alias && !next_key) || (next_key && !written_in(map, next_key)))
        return false;
    if (!next_key && prev < 0) {
        *cut = (struct span){key->span.line, key->span.column, end.end_line, end.end_column};
        /* A block mapping left empty must say {}; a flow one keeps its braces; a pair made by
         * a move may take its place. */
        *text = map->count == 1 && !flow ? "{}" : "";
    } else if (flow && next_key) {
        *cut = (struct span){key->span.line, key->span.column, next_key->span.line,
                             next_key->span.column};
    } else if (flow) {
        struct span before = rw_content_end(map->u.pairs[prev].value);
        *cut = (struct span){before.end_line, before.end_column, end.end_line, end.end_column};
    } else if (in_item && prev < 0) {
        return false;
    } else if (next_key) {
        *cut = lines(key->span.line, next_key->span.line);
    } else {
        /* A block scalar's end is already the start of the next line. */
        bool at_line_start = end.end_column == 1 && end.end_line > key->span.line;
        *cut = lines(key->span.line, at_line_start ? end.end_line : end.end_line + 1);
    }
    return true;
}

/*
 * Keys removed from the text, by position: a pair merged (<<) from an anchor whose own removal
 * was already written needs no second edit. (The reader keeps a copy of an anchored mapping
 * for its aliases, so the position, not the node, identifies the key.)
 */
static void note_removed(struct rw_ctx *c, const struct node *key)
{
    if (c->nremoved < sizeof(c->removed) / sizeof(c->removed[0]))
        c->removed[c->nremoved++] = key->span;
}

static bool was_removed(const struct rw_ctx *c, const struct node *key)
{
    for (size_t i = 0; i < c->nremoved; i++)
        if (!memcmp(&c->removed[i], &key->span, sizeof(key->span)))
            return true;
    return false;
}

static struct node *without_pair(struct rw_ctx *c, const struct node *map, uint32_t at)
{
    struct node *copy = rw_clone(c, map);
    if (!copy)
        return NULL;
    memmove(&copy->u.pairs[at], &copy->u.pairs[at + 1],
            (map->count - at - 1) * sizeof(*copy->u.pairs));
    copy->count--;
    return copy;
}

/*
 * A record a move made is inserted before another key of the mapping. When that key's own
 * pair is cut later (queue_size moved into `queue`, then flush_timeout dropped), the insertion
 * follows to the next key still written, or the one before; with none left, the record's
 * text takes the cut pair's place. Returns whether it did: the pair then needs no cut.
 */
static bool reanchor_inserts(struct rw_ctx *c, const struct node *map, uint32_t at)
{
    const struct node_pair *p = &map->u.pairs[at];
    long next = written_pair(map, at, 1), prev = written_pair(map, at, -1);
    long other = next >= 0 ? next : prev;
    bool replaced = false;
    for (size_t i = 0; i < c->nmade; i++) {
        struct rw_edit *e = &c->log->edits[c->made[i].edit];
        if (e->kind != EDIT_INSERT_PAIR || memcmp(&e->span, &p->key->span, sizeof(e->span)))
            continue;
        if (other >= 0) {
            e->span = map->u.pairs[other].key->span;
            continue;
        }
        struct span end = rw_content_end(p->value);
        e->kind = EDIT_DELETE;
        e->span =
            (struct span){p->key->span.line, p->key->span.column, end.end_line, end.end_column};
        replaced = true;
    }
    return replaced;
}

/* Removes pair `at` of map: the new map, or map when the text cannot be cut cleanly. */
const struct node *rw_remove_pair(struct rw_ctx *c, const struct rw_rule *r, const struct site *s,
                                  const struct node *map, uint32_t at, const char *why)
{
    const struct node_pair *p = &map->u.pairs[at];
    struct span cut;
    const char *text;
    if (!written_in(map, p->key) && was_removed(c, p->key))
        return without_pair(c, map, at); /* merged from an anchor whose text lost it already */
    bool in_item = s->item && !memcmp(&map->span, &s->item->span, sizeof(map->span));
    bool cut_ok = removal(map, at, in_item, &cut, &text);
    if (!cut_ok && rw_may_reemit(c)) {
        /* The text cannot be cut here, but the whole item can be written out anew. */
        struct node *now = without_pair(c, map, at);
        if (!now)
            return map;
        c->reemit = true;
        struct rw_rule noted = *r;
        noted.why = why ? why : r->why;
        rw_record(
            c, &noted, s, CHANGE_REMOVED, p->key->u.text, p->key,
            rw_shown(c->log, p->value, rw_field_is_secret(s->entity, s->item, p->key->u.text)),
            "(none)", NULL);
        return now;
    }
    if (!cut_ok) {
        char what[300];
        snprintf(what, sizeof(what),
                 "'%s' must be removed, but it comes from a merge key (<<) and its entity "
                 "defines an anchor, so it cannot be written out anew: remove it by hand",
                 p->key->u.text);
        rw_manual(c, r, s, p->key, what);
        return map;
    }
    struct node *now = without_pair(c, map, at);
    if (!now)
        return map;
    note_removed(c, p->key);
    bool replaced = reanchor_inserts(c, map, at);
    bool secret = rw_field_is_secret(s->entity, s->item, p->key->u.text);
    struct rw_edit edit = {EDIT_DELETE, cut, arena_strdup(&c->log->arena, text), false, 0};
    struct rw_rule noted = *r;
    if (why)
        noted.why = why;
    rw_record(c, &noted, s, CHANGE_REMOVED, p->key->u.text, p->key,
              rw_shown(c->log, p->value, secret), "(none)", replaced ? NULL : &edit);
    return now;
}

static bool is_empty(const struct node *v)
{
    return node_is_null(v) || v->count == 0;
}

/* The old key renamed in place of the new one, which is removed (it held `why`). */
static const struct node *rename_over(struct rw_ctx *c, const struct rw_rule *r,
                                      const struct site *s, const struct node *map, uint32_t at,
                                      uint32_t other, const char *why)
{
    const struct node *without =
        rw_remove_pair(c, r, s, map, other, arena_strdup(&c->log->arena, why));
    if (without == map)
        return map;
    uint32_t moved = other < at ? at - 1 : at;
    struct node *copy = (struct node *)without;
    copy->u.pairs[moved].key = (struct node *)rw_rename_key(c, r, s, copy->u.pairs[moved].key);
    return copy;
}

/*
 * A rename whose new name is already set, as decK and Kong's own migrations resolve it: an
 * empty or equal old value goes; an empty new value gives way to the old one; two different
 * values keep the one the source release used when the rule says which (`both_set`), and are
 * otherwise the user's to merge.
 */
const struct node *rw_rename_onto(struct rw_ctx *c, const struct rw_rule *r, const struct site *s,
                                  const struct node *map, uint32_t at, uint32_t other)
{
    const struct node *old_v = map->u.pairs[at].value, *new_v = map->u.pairs[other].value;
    const char *old_name = map->u.pairs[at].key->u.text;
    char why[400];
    if (is_empty(old_v) || node_equal(old_v, new_v)) {
        if (is_empty(old_v))
            snprintf(why, sizeof(why), "it is empty and '%s' is set; %s", r->new_name, r->why);
        else
            snprintf(why, sizeof(why), "'%s' holds the same value; %s", r->new_name, r->why);
        return rw_remove_pair(c, r, s, map, at, arena_strdup(&c->log->arena, why));
    }
    if (is_empty(new_v)) {
        snprintf(why, sizeof(why), "'%s' was empty; '%s' takes its place", r->new_name, old_name);
        return rename_over(c, r, s, map, at, other, why);
    }
    if (r->both_set == 'o') {
        snprintf(why, sizeof(why),
                 "the source release used '%s' when both were set, so its value takes the place "
                 "of '%s'; %s",
                 old_name, r->new_name, r->why);
        return rename_over(c, r, s, map, at, other, why);
    }
    if (r->both_set == 'n') {
        snprintf(why, sizeof(why), "the source release used '%s' when both were set; %s",
                 r->new_name, r->why);
        return rw_remove_pair(c, r, s, map, at, arena_strdup(&c->log->arena, why));
    }
    char what[400];
    snprintf(what, sizeof(what),
             "'%s' becomes '%s', but both are set, with different values: merge them into '%s' "
             "by hand",
             old_name, r->new_name, r->new_name);
    rw_manual(c, r, s, map->u.pairs[at].key, what);
    return map;
}

/* ---- moving a field into a record ---------------------------------------------------------- */

static bool is_ignored(const struct rw_rule *r, const struct node *v)
{
    if (node_is_null(v))
        return true;
    for (uint32_t i = 0; r->ignored && i < r->ignored->count; i++)
        if (node_equal(v, r->ignored->u.items[i]))
            return true;
    return false;
}

/* A made node, placed (for findings) where `where` stands. */
static struct node *made(struct rw_ctx *c, const struct node *like, const struct node *where)
{
    struct node *n = arena_alloc(c->nodes, sizeof(*n));
    if (n) {
        *n = *like;
        n->span = where->span;
        n->flags = NODE_SYNTH;
    }
    return n;
}

static struct node *made_key(struct rw_ctx *c, const char *text, size_t len,
                             const struct node *where)
{
    struct node *k = made(c, where, where);
    char *copy = k ? arena_strndup(c->nodes, text, len) : NULL;
    if (!copy)
        return NULL;
    *k = (struct node){.kind = NODE_SCALAR,
                       .type = SCALAR_STRING,
                       .count = (uint32_t)len,
                       .span = where->span,
                       .flags = NODE_SYNTH};
    k->u.text = copy;
    return k;
}

/* map with pair (key, value) added at the end (or replacing the pair named key). */
static struct node *with_pair(struct rw_ctx *c, const struct node *map, struct node *key,
                              struct node *value)
{
    int at = map->kind == NODE_MAPPING ? rw_find_key(map, key->u.text, key->count) : -1;
    struct node *m = arena_alloc(c->nodes, sizeof(*m));
    uint32_t count = map->kind == NODE_MAPPING ? map->count : 0;
    struct node_pair *pairs = arena_alloc(c->nodes, (count + 1) * sizeof(*pairs));
    if (!m || !pairs)
        return NULL;
    *m = map->kind == NODE_MAPPING
             ? *map
             : (struct node){.kind = NODE_MAPPING, .style = STYLE_FLOW, .span = map->span};
    m->flags &= (uint8_t) ~(NODE_ANCHORED | NODE_ANCHOR_DEF);
    if (count)
        memcpy(pairs, map->u.pairs, count * sizeof(*pairs));
    if (at >= 0)
        pairs[at].value = value;
    else
        pairs[count++] = (struct node_pair){key, value};
    m->u.pairs = pairs;
    m->count = count;
    return m;
}

static const char *flow_text(struct rw_ctx *c, const char *prefix, const struct node *n)
{
    struct buf b;
    buf_init(&b, BUF_DEFAULT_MAX);
    buf_puts(&b, prefix);
    write_flow_value(&b, n, c->json ? WRITE_JSON : WRITE_FLOW);
    const char *out = b.data ? arena_strndup(&c->log->arena, b.data, b.len) : NULL;
    buf_release(&b);
    return out;
}

/*
 * Whether a record the converter adds to map is written in block style: the target reads its
 * file with a library that types nothing inside {...} (tinyyaml, APISIX 2.15 to 3.9), where
 * `_meta: {disable: true}` would hold the string 'true'.
 */
static bool block_records(const struct rw_ctx *c, const struct node *map)
{
    return !c->json && c->doc && yaml_lib_is_tinyyaml(c->doc->yaml_lib) &&
           map->kind == NODE_MAPPING && map->style != STYLE_FLOW;
}

/* "queue:" and the record's pairs on the lines below, for a key that starts at `column`. */
static const char *block_text(struct rw_ctx *c, const char *prefix, const struct node *n,
                              unsigned column)
{
    struct buf b;
    buf_init(&b, BUF_DEFAULT_MAX);
    size_t plen = strlen(prefix);
    while (plen && prefix[plen - 1] == ' ')
        plen--;
    buf_append(&b, prefix, plen);
    buf_putc(&b, '\n');
    for (unsigned i = 1; i < column + 2; i++)
        buf_putc(&b, ' ');
    write_yaml_value(&b, n, column + 1);
    const char *out = b.data ? arena_strndup(&c->log->arena, b.data, b.len) : NULL;
    buf_release(&b);
    return out;
}

/* A made record's text, in the style it was first written in. */
static const char *made_text(struct rw_ctx *c, const struct rw_made *m, const struct node *now)
{
    return m->block_column ? block_text(c, m->prefix, now, m->block_column)
                           : flow_text(c, m->prefix, now);
}

static struct rw_made *made_record(struct rw_ctx *c, const struct node *record)
{
    for (size_t i = 0; i < c->nmade; i++)
        if (c->made[i].record == record)
            return &c->made[i];
    return NULL;
}

/* Keeps the edit that writes a made record's text, to re-write it when more fields move in. */
static void remember(struct rw_ctx *c, const struct node *record, const char *prefix,
                     unsigned block_column)
{
    if (c->nmade < sizeof(c->made) / sizeof(c->made[0]) && c->log->nedits)
        c->made[c->nmade++] = (struct rw_made){record, c->log->nedits - 1, prefix, block_column};
}

/* The change a move makes in its record: a value added, or one it replaces (the old wins). */
static void record_move(struct rw_ctx *c, const struct rw_rule *r, const struct site *s,
                        const struct node *target, const struct node *key, const struct node *old,
                        const struct rw_edit *edit)
{
    bool secret = rw_field_is_secret(s->entity, s->item, key->u.text);
    int inside = target->kind == NODE_MAPPING ? rw_find_key(target, key->u.text, key->count) : -1;
    const struct node *replaced = inside >= 0 ? target->u.pairs[inside].value : NULL;
    if (replaced)
        rw_record(c, r, s, CHANGE_VALUE, r->new_name, old, rw_shown(c->log, replaced, secret),
                  rw_shown(c->log, old, secret), edit);
    else
        rw_record(c, r, s, CHANGE_ADDED, r->new_name, old, "(none)", rw_shown(c->log, old, secret),
                  edit);
}

/* The text that adds `key: value` to a written record: a new first key (in a flow record the
 * patcher puts a comma after it), or its value replaced. */
static struct rw_edit record_pair_edit(struct rw_ctx *c, const struct site *s,
                                       const struct node *target, const struct node *key,
                                       const struct node *value)
{
    int inside = rw_find_key(target, key->u.text, key->count);
    if (inside >= 0)
        return rw_replace_edit(c, s, target->u.pairs[inside].value, value);
    enum write_context ctx = c->json                       ? WRITE_JSON
                             : target->style == STYLE_FLOW ? WRITE_FLOW
                                                           : WRITE_BLOCK;
    struct buf b;
    buf_init(&b, BUF_DEFAULT_MAX);
    write_string_like(&b, key->u.text, key->count, STYLE_PLAIN, ctx);
    buf_puts(&b, ": ");
    write_flow_value(&b, value, c->json ? WRITE_JSON : WRITE_FLOW);
    struct rw_edit edit = {EDIT_INSERT_PAIR, target->u.pairs[0].key->span,
                           b.data ? arena_strndup(&c->log->arena, b.data, b.len) : NULL, false, 0};
    buf_release(&b);
    return edit;
}

/*
 * The record's new text: into a record made earlier by a move, its edit is written again;
 * into a written record, the field goes in as its first key (or replaces the value there), so
 * edits elsewhere in the record stay apart; an empty record, or a null, is written anew on one
 * line. Returns the new record, or NULL when it cannot be done cleanly.
 */
static const struct node *move_into(struct rw_ctx *c, const struct rw_rule *r, const struct site *s,
                                    const struct node *target, struct node *key, struct node *value,
                                    const struct node *old)
{
    /* The record already holds the same value (an export writes the old name beside the new
     * one): there is nothing to move, and the old pair just goes. */
    const struct node *there =
        target->kind == NODE_MAPPING ? node_map_get(target, key->u.text) : NULL;
    if (there && node_equal(there, value))
        return target;
    struct rw_made *m = made_record(c, target);
    struct node *now = with_pair(c, target, key, value);
    if (!now)
        return NULL;
    if (m) {
        c->log->edits[m->edit].text = made_text(c, m, now);
        m->record = now;
        record_move(c, r, s, target, key, old, NULL);
        return now;
    }
    if (target->kind == NODE_MAPPING && target->count) {
        if (!written_in(target, target->u.pairs[0].key))
            return NULL;
        struct rw_edit edit = record_pair_edit(c, s, target, key, value);
        record_move(c, r, s, target, key, old, &edit);
        return now;
    }
    if (!node_is_null(target) && target->kind != NODE_MAPPING)
        return NULL; /* a record the schema check will report; nothing to move into */
    /* An empty record or a null: written anew. An empty null needs a space after its ':'. */
    bool bare = target->kind == NODE_SCALAR && target->count == 0;
    const char *prefix = bare ? " " : "";
    struct span cut = target->span;
    if (bare) /* nothing to cut: the span of an empty value may reach the next token */
        cut = (struct span){cut.line, cut.column, cut.line, cut.column};
    struct rw_edit edit = {EDIT_DELETE, cut, flow_text(c, prefix, now), false, 0};
    if (node_is_null(target)) {
        /* The null the record replaces is a value too: the change names it. */
        const char *dot = strchr(r->new_name, '.');
        char *name = arena_strndup(&c->log->arena, r->new_name, (size_t)(dot - r->new_name));
        rw_record(c, r, s, CHANGE_VALUE, name ? name : r->new_name, target, "null",
                  flow_text(c, "", now), &edit);
    } else {
        record_move(c, r, s, target, key, old, &edit);
    }
    remember(c, now, prefix, 0);
    return now;
}

/* The first key of map the user wrote (not one a rewrite added), other than pair skip; -1 when
 * there is none. */
static long first_written(const struct node *map, long skip)
{
    for (uint32_t i = 0; map->kind == NODE_MAPPING && i < map->count; i++)
        if (i != skip && !(map->u.pairs[i].key->flags & NODE_SYNTH))
            return i;
    return -1;
}

/* A record a rewrite adds to a mapping, `head: {key: value}`, with the text that writes it. */
struct added_record {
    struct node *key, *record;
    char prefix[96];
    unsigned block_column; /* written in block style from this column; 0: on one line */
    struct rw_edit edit;   /* an insertion before the key `before` */
};

/* The record and its text, to go before the key `before` of map; false when that text cannot
 * be written cleanly. */
static bool added_record(struct rw_ctx *c, const struct node *map, const struct node *before,
                         const char *head, size_t hlen, struct node *key, struct node *value,
                         struct added_record *out)
{
    static const struct node none = {.kind = NODE_SCALAR, .type = SCALAR_NULL};
    out->key = made_key(c, head, hlen, before);
    out->record = out->key ? with_pair(c, &none, key, value) : NULL;
    if (!out->record || !written_in(map, before))
        return false;
    out->record->flags = NODE_SYNTH;
    out->record->span = before->span;
    snprintf(out->prefix, sizeof(out->prefix), c->json ? "\"%.*s\": " : "%.*s: ", (int)hlen, head);
    out->block_column = block_records(c, map) ? before->span.column : 0;
    const char *text = out->block_column
                           ? block_text(c, out->prefix, out->record, out->block_column)
                           : flow_text(c, out->prefix, out->record);
    out->edit = (struct rw_edit){EDIT_INSERT_PAIR, before->span, text, false, 0};
    return true;
}

/* map with the record added, once its edit is recorded: later moves into it rewrite that edit. */
static const struct node *with_added_record(struct rw_ctx *c, const struct node *map,
                                            struct added_record *a)
{
    remember(c, a->record, arena_strdup(&c->log->arena, a->prefix), a->block_column);
    return with_pair(c, map, a->key, a->record);
}

/*
 * A new record for a move, `queue: {max_batch_size: 5}`: written before the mapping's first
 * other key (so that the moved pair's own cut never covers it), or, when the moved pair is the
 * only one, in its place (*in_place). *map gains the record; returns it, or NULL.
 */
static const struct node *new_record(struct rw_ctx *c, const struct rw_rule *r,
                                     const struct site *s, const struct node **map, uint32_t at,
                                     struct node *key, struct node *value, bool *in_place)
{
    const struct node *m = *map;
    const struct node_pair *p = &m->u.pairs[at];
    const char *dot = strchr(r->new_name, '.');
    long other = first_written(m, at);
    struct added_record a;
    if (!added_record(c, m, other >= 0 ? m->u.pairs[other].key : p->key, r->new_name,
                      (size_t)(dot - r->new_name), key, value, &a))
        return NULL;
    if (other < 0) {
        struct span end = rw_content_end(p->value);
        a.edit.kind = EDIT_DELETE;
        a.edit.span =
            (struct span){p->key->span.line, p->key->span.column, end.end_line, end.end_column};
        *in_place = true;
    }
    rw_record(c, r, s, CHANGE_ADDED, r->new_name, p->key, "(none)",
              rw_shown(c->log, p->value, rw_field_is_secret(s->entity, s->item, p->key->u.text)),
              &a.edit);
    *map = with_added_record(c, m, &a);
    return *map ? a.record : NULL;
}

/* `head: {key: value}`, a record map does not have, written before map's first written key;
 * returns map with it, or NULL when that text cannot be written cleanly. */
static const struct node *add_record(struct rw_ctx *c, const struct rw_rule *r,
                                     const struct site *s, const struct node *map, const char *head,
                                     size_t hlen, struct node *key, struct node *value)
{
    long first = first_written(map, -1);
    struct added_record a;
    if (first < 0 || !added_record(c, map, map->u.pairs[first].key, head, hlen, key, value, &a))
        return NULL;
    rw_record(c, r, s, CHANGE_ADDED, r->new_name, value, "(none)",
              rw_shown(c->log, r->value, false), &a.edit);
    return with_added_record(c, map, &a);
}

/*
 * The pair that keep_default adds for `path` (the part of the rule's field below the first
 * record missing): its key, and its value, which is the old default itself or, when records
 * further down are missing too, those records around it (`logging: {log_statistics: true}`).
 */
static bool default_pair(struct rw_ctx *c, const struct rw_rule *r, const struct node *where,
                         const char *path, struct node **key, struct node **value)
{
    static const struct node none = {.kind = NODE_SCALAR, .type = SCALAR_NULL};
    const char *last = strrchr(path, '.');
    const char *leaf = last ? last + 1 : path;
    *value = made(c, r->value, where);
    *key = made_key(c, leaf, strlen(leaf), where);
    /* Wrap the default in each missing record, innermost first. */
    for (const char *end = last; *key && *value && end;) {
        const char *start = end;
        while (start > path && start[-1] != '.')
            start--;
        struct node *record = with_pair(c, &none, *key, *value);
        if (record) {
            record->flags = NODE_SYNTH;
            record->span = where->span;
        }
        *value = record;
        *key = made_key(c, start, (size_t)(end - start), where);
        end = start > path ? start - 1 : NULL;
    }
    return *key && *value;
}

const struct node *rw_add_default(struct rw_ctx *c, const struct rw_rule *r, const struct site *s,
                                  const struct node *map, const char *field)
{
    if (map->kind != NODE_MAPPING && !node_is_null(map))
        return map; /* a record of the wrong type: the schema check reports it */
    const char *dot = strchr(field, '.');
    long first = first_written(map, -1);
    const struct node *where = first >= 0 ? map->u.pairs[first].key : map;
    /* A missing record goes in before the mapping's first written key; a mapping with none
     * (empty, or null) gets the whole chain of records as its content. */
    bool before_key = dot && first >= 0;
    struct node *key, *value, *shown = made(c, r->value, where);
    if (!shown || !default_pair(c, r, where, before_key ? dot + 1 : field, &key, &value))
        return map;
    path_push_key(&c->path, field, strlen(field));
    const struct node *now =
        before_key ? add_record(c, r, s, map, field, (size_t)(dot - field), key, value)
                   : move_into(c, r, s, map, key, value, shown);
    path_pop(&c->path);
    if (now)
        return now;
    char what[300];
    snprintf(what, sizeof(what),
             "write '%s' with the old default by hand: the text cannot be "
             "edited cleanly here",
             r->field);
    rw_manual(c, r, s, where, what);
    return map;
}

/*
 * Moves pair `at` into RECORD.FIELD beside it: into the record when it exists, into a new
 * record written as the mapping's first key when not. A value the gateway ignores (null, or
 * one of the rule's `ignored` values) is removed instead.
 */
const struct node *rw_move_pair(struct rw_ctx *c, const struct rw_rule *r, const struct site *s,
                                const struct node *map, uint32_t at)
{
    const struct node_pair *p = &map->u.pairs[at];
    char why[400];
    if (is_ignored(r, p->value)) {
        /* Removing a value the gateway ignores never changes what it does: a warning at most. */
        struct rw_rule quiet = *r;
        if (quiet.severity < 0 || quiet.severity > GH_WARNING)
            quiet.severity = GH_WARNING;
        snprintf(why, sizeof(why), "the gateway ignores this value; %s", r->why);
        return rw_remove_pair(c, &quiet, s, map, at, arena_strdup(&c->log->arena, why));
    }
    const char *dot = strchr(r->new_name, '.');
    size_t rlen = (size_t)(dot - r->new_name);
    struct node *key = made_key(c, dot + 1, strlen(dot + 1), p->key);
    struct node *value = made(c, p->value, p->value);
    int rec = rw_find_key(map, r->new_name, rlen);
    const struct node *target = rec >= 0 ? map->u.pairs[rec].value : NULL;
    if (!key || !value)
        return map;
    const struct node *now_record;
    bool in_place = false;
    if (target)
        now_record = move_into(c, r, s, target, key, value, p->value);
    else
        now_record = new_record(c, r, s, &map, at, key, value, &in_place);
    if (!now_record || !map) {
        char what[300];
        snprintf(what, sizeof(what),
                 "'%s' moves to '%s', but the text there cannot be edited "
                 "cleanly: move it by hand",
                 p->key->u.text, r->new_name);
        rw_manual(c, r, s, p->key, what);
        return map ? map : p->value;
    }
    if (rec >= 0) {
        struct node *copy = rw_clone(c, map);
        if (!copy)
            return map;
        copy->u.pairs[rec].value = (struct node *)now_record;
        map = copy;
    }
    snprintf(why, sizeof(why), "moved to '%s'; %s", r->new_name, r->why);
    if (in_place) { /* the record's text took the pair's place: no cut of its own */
        struct rw_rule noted = *r;
        noted.why = arena_strdup(&c->log->arena, why);
        rw_record(
            c, &noted, s, CHANGE_REMOVED, p->key->u.text, p->key,
            rw_shown(c->log, p->value, rw_field_is_secret(s->entity, s->item, p->key->u.text)),
            "(none)", NULL);
        return without_pair(c, map, at);
    }
    return rw_remove_pair(c, r, s, map, at, arena_strdup(&c->log->arena, why));
}
