/*
 * Applying a plan to the entries of a file: copy-on-write walks that record each change and
 * the text edit that makes it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rewrite.h"
#include "util/util_buf.h"
#include "util/util_str.h"

void rw_log_init(struct rw_log *log)
{
    memset(log, 0, sizeof(*log));
    arena_init(&log->arena, 16 * 1024);
}

void rw_log_release(struct rw_log *log)
{
    free(log->changes);
    free(log->edits);
    arena_release(&log->arena);
    memset(log, 0, sizeof(*log));
}

static void *grow(void *items, size_t *cap, size_t count, size_t size)
{
    if (count < *cap)
        return items;
    size_t n = *cap ? *cap * 2 : 64;
    void *bigger = realloc(items, n * size);
    if (bigger)
        *cap = n;
    return bigger;
}

/* ---- how values are shown ---------------------------------------------------------------- */

/* A scalar as the change log shows it: quoted, cut at 80 bytes, '<redacted>' when secret. */
static const char *shown(struct rw_log *log, const struct node *n, bool secret)
{
    if (!n)
        return "(none)";
    if (secret)
        return "'<redacted>'";
    if (n->kind != NODE_SCALAR)
        return n->kind == NODE_SEQUENCE ? "a list" : "a mapping";
    struct buf b;
    buf_init(&b, 1024);
    if (n->type != SCALAR_STRING) {
        write_scalar(&b, n, STYLE_PLAIN, WRITE_BLOCK);
    } else {
        size_t len = n->count > 80 ? 80 : n->count;
        /* Back off to a character boundary so the cut never splits UTF-8. */
        while (len < n->count && len > 0 && ((unsigned char)n->u.text[len] & 0xC0) == 0x80)
            len--;
        buf_putc(&b, '\'');
        for (size_t i = 0; i < len; i++) {
            unsigned char ch = (unsigned char)n->u.text[i];
            if (ch < 0x20 || ch == 0x7f)
                buf_printf(&b, "\\x%02x", ch);
            else
                buf_putc(&b, (char)ch);
        }
        buf_puts(&b, len < n->count ? "...'" : "'");
    }
    const char *out = b.data ? arena_strndup(&log->arena, b.data, b.len) : NULL;
    buf_release(&b);
    return out ? out : "?";
}

/* Secret by the entity's schema, or, for fields it does not describe (plugin configs), by name. */
static bool field_is_secret(const struct spec_entity *e, const struct node *item, const char *name)
{
    const struct spec_record *rec = e ? spec_entity_record_for(e, item) : NULL;
    const struct spec_field *f = rec ? spec_record_field(rec, name, strlen(name)) : NULL;
    return (f && (f->flags & SF_SECRET)) || str_names_secret(name, strlen(name));
}

/* "route 'orders'", or "route #3" when nothing names it. */
static const char *entity_label(struct rw_log *log, const struct spec_entity *e,
                                const struct node *item, size_t index)
{
    if (!e)
        return NULL;
    const char *keys[] = {e->label, e->endpoint_key, e->primary_key};
    for (size_t i = 0; i < 3; i++) {
        const struct node *v = keys[i] ? node_map_get(item, keys[i]) : NULL;
        if (node_is_string(v) && !field_is_secret(e, item, keys[i]))
            return arena_printf(&log->arena, "%s '%.80s'", e->singular, v->u.text);
    }
    return arena_printf(&log->arena, "%s #%zu", e->singular, index);
}

/* ---- recording --------------------------------------------------------------------------- */

struct site {
    const struct spec_entity *entity; /* NULL at the top level */
    const struct node *item;
    const char *label;
    bool flow; /* inside a flow collection */
};

static enum write_context context_of(const struct rw_ctx *c, const struct site *s)
{
    return c->json ? WRITE_JSON : s->flow ? WRITE_FLOW : WRITE_BLOCK;
}

static void finding(struct rw_ctx *c, const struct rw_change *ch)
{
    if (!c->sink)
        return;
    char hop[64], what[512];
    rw_hop_text(&c->plan->hops[ch->hop], hop, sizeof(hop));
    if (ch->kind == CHANGE_KEY)
        snprintf(what, sizeof(what), "key %s becomes %s", ch->old_text, ch->new_text);
    else if (ch->kind == CHANGE_ADDED)
        snprintf(what, sizeof(what), "'%s' is added as %s", ch->field, ch->new_text);
    else if (ch->kind == CHANGE_REMOVED)
        snprintf(what, sizeof(what), "'%s' (%s) is removed", ch->field, ch->old_text);
    else
        snprintf(what, sizeof(what), "'%s': %s becomes %s", ch->field, ch->old_text, ch->new_text);
    diag_add(c->sink, ch->rule, ch->severity, &ch->span, ch->path, ch->entity, "%s (%s %s): %s",
             what, c->plan->product, hop, ch->why);
}

/* Records a change and the edit that makes it in the text (none: the item is re-emitted). */
static void record(struct rw_ctx *c, const struct rw_rule *r, const struct site *s,
                   enum rw_change_kind kind, const char *field, const struct node *old_node,
                   const char *old_text, const char *new_text, const struct rw_edit *edit)
{
    struct rw_log *log = c->log;
    struct rw_change *changes =
        grow(log->changes, &log->changes_cap, log->nchanges, sizeof(*changes));
    struct rw_edit *edits = grow(log->edits, &log->edits_cap, log->nedits, sizeof(*edits));
    if (changes)
        log->changes = changes;
    if (edits)
        log->edits = edits;
    /* Everything kept must outlive the entry: its nodes go when the next one is read. */
    const char *path = arena_strdup(&log->arena, path_text(&c->path));
    field = arena_strdup(&log->arena, field);
    if (!changes || !edits || !path || !field || (edit && !edit->text)) {
        log->failed = true;
        return;
    }
    struct rw_change *ch = &log->changes[log->nchanges];
    *ch = (struct rw_change){r->rule, kind,     r->hop,   old_node->span, path,       s->label,
                             field,   old_text, new_text, r->why,         r->severity};
    if (edit) {
        log->edits[log->nedits] = *edit;
        log->edits[log->nedits].change = log->nchanges;
        log->nedits++;
    }
    log->nchanges++;
    finding(c, ch);
}

/* The text that replaces a scalar, in a style valid where it stands. */
static const char *render(struct rw_ctx *c, const struct site *s, const struct node *n,
                          enum scalar_style like)
{
    struct buf b;
    buf_init(&b, BUF_DEFAULT_MAX);
    if (like == STYLE_LITERAL || like == STYLE_FOLDED)
        like = STYLE_DOUBLE_QUOTED;
    write_scalar(&b, n, like, context_of(c, s));
    const char *out = b.data ? arena_strndup(&c->log->arena, b.data, b.len) : NULL;
    buf_release(&b);
    return out;
}

static struct rw_edit replace_edit(struct rw_ctx *c, const struct site *s,
                                   const struct node *old_node, const struct node *new_node)
{
    /* An empty value (`key:` and nothing) has no text of its own: the new one goes after the
     * colon, with a space, and nothing is cut (its span may reach the next token). */
    if (old_node->kind == NODE_SCALAR && old_node->count == 0 && old_node->style == STYLE_PLAIN) {
        const char *text = render(c, s, new_node, STYLE_PLAIN);
        struct span at = {old_node->span.line, old_node->span.column, old_node->span.line,
                          old_node->span.column};
        return (struct rw_edit){EDIT_DELETE, at,
                                text ? arena_printf(&c->log->arena, " %s", text) : NULL, false, 0};
    }
    bool block = old_node->style == STYLE_LITERAL || old_node->style == STYLE_FOLDED;
    return (struct rw_edit){EDIT_REPLACE, old_node->span, render(c, s, new_node, old_node->style),
                            block && old_node->span.end_column == 1, 0};
}

/* ---- new nodes --------------------------------------------------------------------------- */

static struct node *new_string(struct rw_ctx *c, const struct node *like, const char *text)
{
    struct node *n = arena_alloc(c->nodes, sizeof(*n));
    if (!n)
        return NULL;
    *n = (struct node){.kind = NODE_SCALAR,
                       .type = SCALAR_STRING,
                       .style = like->style,
                       .count = (uint32_t)strlen(text),
                       .span = like->span};
    n->u.text = text;
    return n;
}

/* A scalar from the rules' data, placed where the value it replaces stood. */
static struct node *new_from_data(struct rw_ctx *c, const struct node *like,
                                  const struct node *data)
{
    struct node *n = arena_alloc(c->nodes, sizeof(*n));
    if (!n)
        return NULL;
    *n = *data;
    n->span = like->span;
    n->style = like->style;
    n->flags = 0;
    return n;
}

/* A private copy of a container, so one of its children can change. */
static struct node *clone(struct rw_ctx *c, const struct node *n)
{
    struct node *m = arena_alloc(c->nodes, sizeof(*m));
    if (!m)
        return NULL;
    *m = *n;
    m->flags &= (uint8_t) ~(NODE_ANCHORED | NODE_ANCHOR_DEF);
    size_t size = n->kind == NODE_MAPPING ? sizeof(struct node_pair) : sizeof(struct node *);
    void *children = n->count ? arena_alloc(c->nodes, n->count * size) : NULL;
    if (n->count && !children)
        return NULL;
    if (n->count)
        memcpy(children, n->kind == NODE_MAPPING ? (void *)n->u.pairs : (void *)n->u.items,
               n->count * size);
    if (n->kind == NODE_MAPPING)
        m->u.pairs = children;
    else
        m->u.items = children;
    return m;
}

/* ---- operations -------------------------------------------------------------------------- */

/* The new value of one scalar under a set or transform rule, or NULL when it stays. */
static const struct node *changed_scalar(struct rw_ctx *c, const struct rw_rule *r,
                                         const struct node *v)
{
    if (r->op == RW_SET)
        return node_equal(v, r->value) ? NULL : new_from_data(c, v, r->value);
    if (r->op == RW_MAP) {
        for (uint32_t i = 0; i < r->value->count; i++)
            if (node_equal(v, r->value->u.pairs[i].key))
                return new_from_data(c, v, r->value->u.pairs[i].value);
        return NULL;
    }
    if (!node_is_string(v))
        return NULL; /* the schema check reports the wrong type */
    /* A template placeholder (decK's ${{ env "X" }}) is kept as written: what it stands for
     * is known only where it is expanded. */
    if (strstr(v->u.text, "${{"))
        return NULL;
    const char *text = r->transform(v->u.text, v->count, c->nodes);
    return text ? new_string(c, v, text) : NULL;
}

static const struct node *rewrite_scalar(struct rw_ctx *c, const struct rw_rule *r,
                                         const struct site *s, const char *field,
                                         const struct node *v)
{
    const struct node *now = changed_scalar(c, r, v);
    if (!now)
        return v;
    bool secret = field_is_secret(s->entity, s->item, field);
    struct rw_edit edit = replace_edit(c, s, v, now);
    record(c, r, s, CHANGE_VALUE, field, v, shown(c->log, v, secret), shown(c->log, now, secret),
           &edit);
    return now;
}

static const struct node *rewrite_value(struct rw_ctx *c, const struct rw_rule *r,
                                        const struct site *s, const char *field,
                                        const struct node *v)
{
    if (!r->each || v->kind != NODE_SEQUENCE)
        return v->kind == NODE_SCALAR ? rewrite_scalar(c, r, s, field, v) : v;
    struct node *copy = NULL;
    struct site inner = *s;
    inner.flow = s->flow || v->style == STYLE_FLOW;
    for (uint32_t i = 0; i < v->count; i++) {
        path_push_index(&c->path, i);
        const struct node *now = rewrite_value(c, r, &inner, field, v->u.items[i]);
        path_pop(&c->path);
        if (now == v->u.items[i] || (!copy && !(copy = clone(c, v))))
            continue;
        copy->u.items[i] = (struct node *)now;
    }
    return copy ? copy : v;
}

static const struct node *rename_key(struct rw_ctx *c, const struct rw_rule *r,
                                     const struct site *s, const struct node *key)
{
    struct node *now = new_string(c, key, r->new_name);
    if (!now)
        return key;
    struct rw_edit edit = replace_edit(c, s, key, now);
    record(c, r, s, CHANGE_KEY, key->u.text, key, shown(c->log, key, false),
           shown(c->log, now, false), &edit);
    return now;
}

static int find_key(const struct node *map, const char *name, size_t len)
{
    for (uint32_t i = 0; map->kind == NODE_MAPPING && i < map->count; i++) {
        const struct node *k = map->u.pairs[i].key;
        if (node_is_string(k) && k->count == len && !memcmp(k->u.text, name, len))
            return (int)i;
    }
    return -1;
}

/* ---- removing pairs --------------------------------------------------------------------- */

static int compare_at(uint32_t l1, uint32_t c1, uint32_t l2, uint32_t c2);

/*
 * Where a value's text ends. A block collection ends where its furthest value does: the last
 * pair need not be, since pairs merged in with << stand where their anchor is.
 */
static struct span content_end(const struct node *n)
{
    if (n->kind == NODE_SCALAR || n->style == STYLE_FLOW || n->count == 0)
        return n->span;
    struct span best = n->span;
    best.end_line = n->span.line;
    best.end_column = n->span.column;
    for (uint32_t i = 0; i < n->count; i++) {
        struct span e = content_end(n->kind == NODE_MAPPING ? n->u.pairs[i].value : n->u.items[i]);
        if (compare_at(e.end_line, e.end_column, best.end_line, best.end_column) > 0)
            best = e;
    }
    return best;
}

static int compare_at(uint32_t l1, uint32_t c1, uint32_t l2, uint32_t c2)
{
    return l1 != l2 ? (l1 < l2 ? -1 : 1) : c1 != c2 ? (c1 < c2 ? -1 : 1) : 0;
}

/* A key written in this mapping's own text, not brought in by a merge key (<<). */
static bool written_in(const struct node *map, const struct node *key)
{
    struct span end = content_end(map);
    return compare_at(key->span.line, key->span.column, map->span.line, map->span.column) >= 0 &&
           compare_at(key->span.line, key->span.column, end.end_line, end.end_column) <= 0;
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
    struct span end = content_end(value);
    long next = written_pair(map, at, 1), prev = written_pair(map, at, -1);
    const struct node *next_key = next >= 0 ? map->u.pairs[next].key : NULL;
    bool flow = map->style == STYLE_FLOW;
    *text = "";
    /* A value written as an alias (*name) stands where its anchor is: its end is unknown. */
    bool alias =
        compare_at(value->span.line, value->span.column, key->span.line, key->span.column) < 0;
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
        struct span before = content_end(map->u.pairs[prev].value);
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

/* A finding for what a rule cannot do by itself: it stays for the user (both modes). */
static void manual(struct rw_ctx *c, const struct rw_rule *r, const struct site *s,
                   const struct node *at, const char *what)
{
    char hop[64];
    rw_hop_text(&c->plan->hops[r->hop], hop, sizeof(hop));
    diag_add(c->manual, R_HOP4008, -1, &at->span, path_text(&c->path), s->label, "%s (%s %s: %s)",
             what, c->plan->product, hop, r->why);
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
    struct node *copy = clone(c, map);
    if (!copy)
        return NULL;
    memmove(&copy->u.pairs[at], &copy->u.pairs[at + 1],
            (map->count - at - 1) * sizeof(*copy->u.pairs));
    copy->count--;
    return copy;
}

/* Removes pair `at` of map: the new map, or map when the text cannot be cut cleanly. */
static const struct node *remove_pair(struct rw_ctx *c, const struct rw_rule *r,
                                      const struct site *s, const struct node *map, uint32_t at,
                                      const char *why)
{
    const struct node_pair *p = &map->u.pairs[at];
    struct span cut;
    const char *text;
    if (!written_in(map, p->key) && was_removed(c, p->key))
        return without_pair(c, map, at); /* merged from an anchor whose text lost it already */
    bool in_item = s->item && !memcmp(&map->span, &s->item->span, sizeof(map->span));
    bool cut_ok = removal(map, at, in_item, &cut, &text);
    if (!cut_ok && c->may_reemit) {
        /* The text cannot be cut here, but the whole item can be written out anew. */
        struct node *now = without_pair(c, map, at);
        if (!now)
            return map;
        c->reemit = true;
        struct rw_rule noted = *r;
        noted.why = why ? why : r->why;
        record(c, &noted, s, CHANGE_REMOVED, p->key->u.text, p->key,
               shown(c->log, p->value, field_is_secret(s->entity, s->item, p->key->u.text)),
               "(none)", NULL);
        return now;
    }
    if (!cut_ok) {
        char what[300];
        snprintf(what, sizeof(what),
                 "'%s' must be removed, but it comes from a merge key (<<) and its entity "
                 "defines an anchor, so it cannot be written out anew: remove it by hand",
                 p->key->u.text);
        manual(c, r, s, p->key, what);
        return map;
    }
    struct node *now = without_pair(c, map, at);
    if (!now)
        return map;
    note_removed(c, p->key);
    bool secret = field_is_secret(s->entity, s->item, p->key->u.text);
    struct rw_edit edit = {EDIT_DELETE, cut, arena_strdup(&c->log->arena, text), false, 0};
    struct rw_rule noted = *r;
    if (why)
        noted.why = why;
    record(c, &noted, s, CHANGE_REMOVED, p->key->u.text, p->key, shown(c->log, p->value, secret),
           "(none)", &edit);
    return now;
}

static bool is_empty(const struct node *v)
{
    return node_is_null(v) || v->count == 0;
}

/*
 * A rename whose new name is already set, as decK and Kong's own migrations resolve it: an
 * empty or equal old value goes; an empty new value gives way to the old one; two different
 * values are the user's to merge.
 */
static const struct node *rename_onto(struct rw_ctx *c, const struct rw_rule *r,
                                      const struct site *s, const struct node *map, uint32_t at,
                                      uint32_t other)
{
    const struct node *old_v = map->u.pairs[at].value, *new_v = map->u.pairs[other].value;
    const char *old_name = map->u.pairs[at].key->u.text;
    char why[400];
    if (is_empty(old_v) || node_equal(old_v, new_v)) {
        if (is_empty(old_v))
            snprintf(why, sizeof(why), "it is empty and '%s' is set; %s", r->new_name, r->why);
        else
            snprintf(why, sizeof(why), "'%s' holds the same value; %s", r->new_name, r->why);
        return remove_pair(c, r, s, map, at, arena_strdup(&c->log->arena, why));
    }
    if (is_empty(new_v)) {
        snprintf(why, sizeof(why), "'%s' was empty; '%s' takes its place", r->new_name, old_name);
        const struct node *without =
            remove_pair(c, r, s, map, other, arena_strdup(&c->log->arena, why));
        if (without == map)
            return map;
        uint32_t moved = other < at ? at - 1 : at;
        struct node *copy = (struct node *)without;
        copy->u.pairs[moved].key = (struct node *)rename_key(c, r, s, copy->u.pairs[moved].key);
        return copy;
    }
    char what[400];
    snprintf(what, sizeof(what),
             "'%s' becomes '%s', but both are set, with different values: merge them into '%s' "
             "by hand",
             old_name, r->new_name, r->new_name);
    manual(c, r, s, map->u.pairs[at].key, what);
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
    int at = map->kind == NODE_MAPPING ? find_key(map, key->u.text, key->count) : -1;
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

static struct rw_made *made_record(struct rw_ctx *c, const struct node *record)
{
    for (size_t i = 0; i < c->nmade; i++)
        if (c->made[i].record == record)
            return &c->made[i];
    return NULL;
}

/* Keeps the edit that writes a made record's text, to re-write it when more fields move in. */
static void remember(struct rw_ctx *c, const struct node *record, const char *prefix)
{
    if (c->nmade < sizeof(c->made) / sizeof(c->made[0]) && c->log->nedits)
        c->made[c->nmade++] = (struct rw_made){record, c->log->nedits - 1, prefix};
}

/*
 * The record's new text: into a record made earlier by a move, its edit is written again;
 * into a block record, the field goes in as its first key; a flow record, or a null, is
 * written anew on one line. Returns the new record, or NULL when it cannot be done cleanly.
 */
/* The change a move makes in its record: a value added, or one it replaces (the old wins). */
static void record_move(struct rw_ctx *c, const struct rw_rule *r, const struct site *s,
                        const struct node *target, const struct node *key, const struct node *old,
                        const struct rw_edit *edit)
{
    bool secret = field_is_secret(s->entity, s->item, key->u.text);
    int inside = target->kind == NODE_MAPPING ? find_key(target, key->u.text, key->count) : -1;
    const struct node *replaced = inside >= 0 ? target->u.pairs[inside].value : NULL;
    if (replaced)
        record(c, r, s, CHANGE_VALUE, r->new_name, old, shown(c->log, replaced, secret),
               shown(c->log, old, secret), edit);
    else
        record(c, r, s, CHANGE_ADDED, r->new_name, old, "(none)", shown(c->log, old, secret), edit);
}

/* The text that adds `key: value` to a block record: a new first key, or its value replaced. */
static struct rw_edit block_record_edit(struct rw_ctx *c, const struct site *s,
                                        const struct node *target, const struct node *key,
                                        const struct node *value)
{
    int inside = find_key(target, key->u.text, key->count);
    if (inside >= 0)
        return replace_edit(c, s, target->u.pairs[inside].value, value);
    struct buf b;
    buf_init(&b, BUF_DEFAULT_MAX);
    write_string_like(&b, key->u.text, key->count, STYLE_PLAIN, WRITE_BLOCK);
    buf_puts(&b, ": ");
    write_flow_value(&b, value, WRITE_FLOW);
    struct rw_edit edit = {EDIT_INSERT_PAIR, target->u.pairs[0].key->span,
                           b.data ? arena_strndup(&c->log->arena, b.data, b.len) : NULL, false, 0};
    buf_release(&b);
    return edit;
}

/*
 * The record's new text: into a record made earlier by a move, its edit is written again;
 * into a block record, the field goes in as its first key (or replaces the value there); a
 * flow record, or a null, is written anew on one line. Returns the new record, or NULL when
 * it cannot be done cleanly.
 */
static const struct node *move_into(struct rw_ctx *c, const struct rw_rule *r, const struct site *s,
                                    const struct node *target, struct node *key, struct node *value,
                                    const struct node *old)
{
    struct rw_made *m = made_record(c, target);
    struct node *now = with_pair(c, target, key, value);
    if (!now)
        return NULL;
    if (m) {
        c->log->edits[m->edit].text = flow_text(c, m->prefix, now);
        m->record = now;
        record_move(c, r, s, target, key, old, NULL);
        return now;
    }
    if (target->kind == NODE_MAPPING && target->style != STYLE_FLOW && target->count) {
        if (!written_in(target, target->u.pairs[0].key))
            return NULL;
        struct rw_edit edit = block_record_edit(c, s, target, key, value);
        record_move(c, r, s, target, key, old, &edit);
        return now;
    }
    if (!node_is_null(target) && target->kind != NODE_MAPPING)
        return NULL; /* a record the schema check will report; nothing to move into */
    /* A flow record or a null: written anew. An empty null needs a space after its ':'. */
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
        record(c, r, s, CHANGE_VALUE, name ? name : r->new_name, target, "null",
               flow_text(c, "", now), &edit);
    } else {
        record_move(c, r, s, target, key, old, &edit);
    }
    remember(c, now, prefix);
    return now;
}

/*
 * Moves pair `at` into RECORD.FIELD beside it: into the record when it exists, into a new
 * record written as the mapping's first key when not. A value the gateway ignores (null, or
 * one of the rule's `ignored` values) is removed instead.
 */
static const struct node *move_pair(struct rw_ctx *c, const struct rw_rule *r, const struct site *s,
                                    const struct node *map, uint32_t at)
{
    const struct node_pair *p = &map->u.pairs[at];
    char why[400];
    if (is_ignored(r, p->value)) {
        snprintf(why, sizeof(why), "the gateway ignores this value; %s", r->why);
        return remove_pair(c, r, s, map, at, arena_strdup(&c->log->arena, why));
    }
    const char *dot = strchr(r->new_name, '.');
    size_t rlen = (size_t)(dot - r->new_name);
    struct node *key = made_key(c, dot + 1, strlen(dot + 1), p->key);
    struct node *value = made(c, p->value, p->value);
    int rec = find_key(map, r->new_name, rlen);
    const struct node *target = rec >= 0 ? map->u.pairs[rec].value : NULL;
    if (!key || !value)
        return map;
    const struct node *now_record;
    if (target) {
        now_record = move_into(c, r, s, target, key, value, p->value);
    } else {
        /* A new record, written as the mapping's first key: `queue: {max_batch_size: 5}`. */
        struct node *rkey = made_key(c, r->new_name, rlen, map->u.pairs[0].key);
        static const struct node none = {.kind = NODE_SCALAR, .type = SCALAR_NULL};
        struct node *fresh = rkey ? with_pair(c, &none, key, value) : NULL;
        const struct node *first = map->u.pairs[0].key;
        now_record = NULL;
        if (fresh && written_in(map, first)) {
            fresh->flags = NODE_SYNTH;
            fresh->span = first->span;
            char prefix[96];
            snprintf(prefix, sizeof(prefix), c->json ? "\"%.*s\": " : "%.*s: ", (int)rlen,
                     r->new_name);
            struct rw_edit edit = {EDIT_INSERT_PAIR, first->span, flow_text(c, prefix, fresh),
                                   false, 0};
            record(c, r, s, CHANGE_ADDED, r->new_name, p->key, "(none)",
                   shown(c->log, p->value, field_is_secret(s->entity, s->item, p->key->u.text)),
                   &edit);
            remember(c, fresh, arena_strdup(&c->log->arena, prefix));
            map = with_pair(c, map, rkey, fresh);
            now_record = fresh;
        }
    }
    if (!now_record || !map) {
        char what[300];
        snprintf(what, sizeof(what),
                 "'%s' moves to '%s', but the text there cannot be edited "
                 "cleanly: move it by hand",
                 p->key->u.text, r->new_name);
        manual(c, r, s, p->key, what);
        return map ? map : p->value;
    }
    if (rec >= 0) {
        struct node *copy = clone(c, map);
        if (!copy)
            return map;
        copy->u.pairs[rec].value = (struct node *)now_record;
        map = copy;
    }
    snprintf(why, sizeof(why), "moved to '%s'; %s", r->new_name, r->why);
    return remove_pair(c, r, s, map, at, arena_strdup(&c->log->arena, why));
}

/* The rule's operation on pair `at` of map (the field itself). */
static const struct node *apply_op(struct rw_ctx *c, const struct rw_rule *r, const struct site *s,
                                   const struct node *map, uint32_t at)
{
    const struct node_pair *p = &map->u.pairs[at];
    const struct node *key = p->key, *value = p->value;
    if (r->op == RW_REMOVE)
        return remove_pair(c, r, s, map, at, NULL);
    if (r->op == RW_MOVE)
        return move_pair(c, r, s, map, at);
    if (r->op == RW_RENAME) {
        int other = find_key(map, r->new_name, strlen(r->new_name));
        if (other >= 0)
            return rename_onto(c, r, s, map, at, (uint32_t)other);
        key = rename_key(c, r, s, key);
    } else {
        value = rewrite_value(c, r, s, key->u.text, value);
    }
    if (key == p->key && value == p->value)
        return map;
    struct node *copy = clone(c, map);
    if (!copy)
        return map;
    copy->u.pairs[at] = (struct node_pair){(struct node *)key, (struct node *)value};
    return copy;
}

/* Applies r to the field path `field` inside map; returns map or its rewritten copy. */
static const struct node *apply_in(struct rw_ctx *c, const struct rw_rule *r, const struct site *s,
                                   const struct node *map, const char *field)
{
    const char *dot = strchr(field, '.');
    size_t len = dot ? (size_t)(dot - field) : strlen(field);
    int at = map && map->kind == NODE_MAPPING ? find_key(map, field, len) : -1;
    if (at < 0)
        return map;
    const struct node_pair *p = &map->u.pairs[at];
    struct site inner = *s;
    inner.flow = s->flow || map->style == STYLE_FLOW;
    path_push_key(&c->path, p->key->u.text, p->key->count);
    const struct node *now = map;
    if (!dot) {
        now = apply_op(c, r, &inner, map, (uint32_t)at);
    } else {
        const struct node *value = apply_in(c, r, &inner, p->value, dot + 1);
        struct node *copy = value != p->value ? clone(c, map) : NULL;
        if (copy) {
            copy->u.pairs[at].value = (struct node *)value;
            now = copy;
        }
    }
    path_pop(&c->path);
    return now;
}

/* ---- entries ----------------------------------------------------------------------------- */

/* Every field the rule's `where` names has its value, or one of its list of values. */
static bool where_holds(const struct node *where, const struct node *item)
{
    for (uint32_t i = 0; where && i < where->count; i++) {
        const struct node *want = where->u.pairs[i].value;
        const struct node *have = node_map_get(item, where->u.pairs[i].key->u.text);
        bool match = have && node_equal(have, want);
        for (uint32_t j = 0; have && !match && want->kind == NODE_SEQUENCE && j < want->count; j++)
            match = node_equal(have, want->u.items[j]);
        if (!match)
            return false;
    }
    return true;
}

static bool rule_is_at(const struct rw_rule *r, const char *entity)
{
    return entity ? r->at && !strcmp(r->at, entity) : !r->at;
}

void rw_begin(struct rw_ctx *c, const struct node *first_key)
{
    const struct rw_rule *r = c->plan->insert_format;
    if (!r || c->format_seen || !first_key)
        return;
    struct site s = {NULL, NULL, NULL, false};
    struct buf b;
    buf_init(&b, 4096);
    enum write_context ctx = c->json ? WRITE_JSON : WRITE_BLOCK;
    write_string_like(&b, r->field, strlen(r->field), STYLE_PLAIN, ctx);
    buf_puts(&b, ": ");
    write_scalar(&b, r->value, STYLE_DOUBLE_QUOTED, ctx);
    struct rw_edit edit = {EDIT_INSERT_PAIR, first_key->span,
                           b.data ? arena_strndup(&c->log->arena, b.data, b.len) : NULL, false, 0};
    buf_release(&b);
    path_init(&c->path);
    path_push_key(&c->path, r->field, strlen(r->field));
    struct node *marker = new_from_data(c, first_key, r->value);
    if (marker)
        record(c, r, &s, CHANGE_ADDED, r->field, marker, "(none)", shown(c->log, r->value, false),
               &edit);
    c->format_seen = true;
}

void rw_top_value(struct rw_ctx *c, const struct node **key, const struct node **value)
{
    if (!*key || !node_is_string(*key))
        return;
    if (c->plan->format_field && node_text_equals(*key, c->plan->format_field))
        c->format_seen = true;
    /* The top level is one mapping; a rule sees it as {key: value}. */
    struct node_pair pair = {(struct node *)*key, (struct node *)*value};
    struct node map = {.kind = NODE_MAPPING, .count = 1, .span = (*key)->span};
    map.u.pairs = &pair;
    const struct node *now = &map;
    struct site s = {NULL, NULL, NULL, false};
    for (size_t i = 0; i < c->plan->nrules; i++) {
        const struct rw_rule *r = &c->plan->rules[i];
        if (!rule_is_at(r, NULL))
            continue;
        path_init(&c->path);
        now = apply_in(c, r, &s, now, r->field);
    }
    *key = now->u.pairs[0].key;
    *value = now->u.pairs[0].value;
}

void rw_list_key(struct rw_ctx *c, const struct node **key)
{
    static const struct node empty = {.kind = NODE_SEQUENCE};
    const struct node *value = &empty;
    rw_top_value(c, key, &value);
}

static const struct node *walk_children(struct rw_ctx *c, const struct spec_entity *e,
                                        const struct node *item);

/* The rules for e on item, then the same for every entity nested in it. */
static const struct node *walk_entity(struct rw_ctx *c, const struct spec_entity *e,
                                      const struct node *item, size_t index, bool flow)
{
    const char *label = entity_label(c->log, e, item, index);
    struct site s = {e, item, label, flow};
    const struct node *now = item;
    for (size_t i = 0; i < c->plan->nrules; i++) {
        const struct rw_rule *r = &c->plan->rules[i];
        if (rule_is_at(r, e->name) && where_holds(r->where, now))
            now = apply_in(c, r, &s, now, r->field);
    }
    return walk_children(c, e, now);
}

/* Nested collections (a service's routes): each element is an entity of its own. */
static const struct node *walk_children(struct rw_ctx *c, const struct spec_entity *e,
                                        const struct node *item)
{
    struct node *copy = NULL;
    for (size_t k = 0; k < e->nchildren; k++) {
        const struct spec_entity *child = e->children[k].entity;
        int at = find_key(item, child->name, strlen(child->name));
        const struct node *list = at >= 0 ? item->u.pairs[at].value : NULL;
        if (!list || list->kind != NODE_SEQUENCE)
            continue;
        path_push_key(&c->path, child->name, strlen(child->name));
        struct node *list_copy = NULL;
        for (uint32_t i = 0; i < list->count; i++) {
            const struct node *elem = list->u.items[i];
            if (elem->kind != NODE_MAPPING)
                continue;
            path_push_index(&c->path, i);
            /* Inside a flow collection everything is flow: the element's own style tells. */
            const struct node *now = walk_entity(c, child, elem, i, elem->style == STYLE_FLOW);
            path_pop(&c->path);
            if (now != elem && (list_copy || (list_copy = clone(c, list))))
                list_copy->u.items[i] = (struct node *)now;
        }
        path_pop(&c->path);
        if (list_copy && (copy || (copy = clone(c, item))))
            copy->u.pairs[at].value = list_copy;
    }
    return copy ? copy : item;
}

/* Whether an anchor is defined inside n (re-emitting n would lose it for later aliases). */
static bool defines_anchor(const struct node *n, unsigned depth)
{
    if (n->flags & (NODE_ANCHORED | NODE_ANCHOR_DEF))
        return true;
    if (n->kind == NODE_SCALAR || depth > 200)
        return n->kind != NODE_SCALAR;
    for (uint32_t i = 0; i < n->count; i++) {
        bool found = n->kind == NODE_MAPPING ? defines_anchor(n->u.pairs[i].key, depth + 1) ||
                                                   defines_anchor(n->u.pairs[i].value, depth + 1)
                                             : defines_anchor(n->u.items[i], depth + 1);
        if (found)
            return true;
    }
    return false;
}

/*
 * Replaces the item's text with the rewritten item written out anew, at the item's
 * indentation: the edits made inside it so far are dropped, since the new text holds them.
 * A block item's text runs to the next token (its span's end), so comments and blank lines
 * up to the next item go with it; the next token's indentation is written back.
 */
static void reemit(struct rw_ctx *c, const struct node *item, const struct node *now,
                   size_t edits_before)
{
    struct buf b;
    buf_init(&b, BUF_DEFAULT_MAX);
    unsigned indent = item->span.column > 0 ? item->span.column - 1 : 0;
    if (c->json || item->style == STYLE_FLOW) {
        write_json_value(&b, now, indent);
    } else {
        write_yaml_value(&b, now, indent);
        struct span last = content_end(item);
        if (item->span.end_line > last.end_line) {
            buf_putc(&b, '\n');
            for (uint32_t i = 1; i < item->span.end_column; i++)
                buf_putc(&b, ' ');
        }
    }
    struct span end = item->span;
    struct rw_edit edit = {EDIT_DELETE,
                           {item->span.line, item->span.column, end.end_line, end.end_column},
                           b.data ? arena_strndup(&c->log->arena, b.data, b.len) : NULL,
                           false,
                           c->log->nchanges ? c->log->nchanges - 1 : 0};
    buf_release(&b);
    if (!edit.text) {
        c->log->failed = true;
        return;
    }
    c->log->nedits = edits_before;
    c->log->edits[c->log->nedits++] = edit;
}

const struct node *rw_item(struct rw_ctx *c, const struct spec_entity *e, const struct node *key,
                           const struct node *item, size_t index)
{
    if (!item || item->kind != NODE_MAPPING)
        return item;
    path_init(&c->path);
    path_push_key(&c->path, key->u.text, key->count);
    path_push_index(&c->path, index);
    size_t edits_before = c->log->nedits;
    c->reemit = false;
    c->nmade = 0;
    /* An item written out anew keeps no anchors: one that defines any must be edited in place. */
    c->may_reemit = !c->json && !defines_anchor(item, 0);
    const struct node *now = walk_entity(c, e, item, index, item->style == STYLE_FLOW);
    if (c->reemit)
        reemit(c, item, now, edits_before);
    c->may_reemit = false;
    return now;
}
