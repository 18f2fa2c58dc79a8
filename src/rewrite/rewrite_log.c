/*
 * Recording rewrites: the change log, the findings of lint --to, and the text edits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rewrite_internal.h"
#include "util/util_array.h"
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

/* ---- how values are shown ---------------------------------------------------------------- */

/* A scalar as the change log shows it: quoted, cut at 80 bytes, '<redacted>' when secret. */
/* A short list of scalars as ['a', 'b'], so the log keeps the values; NULL for any other. */
static const char *shown_list(struct rw_log *log, const struct node *n)
{
    enum { MAX_SHOWN = 8 };
    if (n->kind != NODE_SEQUENCE || n->count == 0 || n->count > MAX_SHOWN)
        return NULL;
    struct buf b;
    buf_init(&b, 1024);
    buf_putc(&b, '[');
    for (uint32_t i = 0; i < n->count; i++) {
        if (n->u.items[i]->kind != NODE_SCALAR) {
            buf_release(&b);
            return NULL;
        }
        buf_printf(&b, "%s%s", i ? ", " : "", rw_shown(log, n->u.items[i], false));
    }
    buf_putc(&b, ']');
    const char *out = b.data ? arena_strndup(&log->arena, b.data, b.len) : NULL;
    buf_release(&b);
    return out;
}

const char *rw_shown(struct rw_log *log, const struct node *n, bool secret)
{
    if (!n)
        return "(none)";
    if (secret)
        return "'<redacted>'";
    const char *list = shown_list(log, n);
    if (list)
        return list;
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
bool rw_field_is_secret(const struct spec_entity *e, const struct node *item, const char *name)
{
    const struct spec_record *rec = e ? spec_entity_record_for(e, item) : NULL;
    const struct spec_field *f = rec ? spec_record_field(rec, name, strlen(name)) : NULL;
    return (f && (f->flags & SF_SECRET)) || str_names_secret(name, strlen(name));
}

/* "route 'orders'", or "route #3" when nothing names it. */
const char *rw_entity_label(struct rw_log *log, const struct spec_entity *e,
                            const struct node *item, size_t index)
{
    if (!e)
        return NULL;
    const char *keys[] = {e->label, e->endpoint_key, e->primary_key};
    for (size_t i = 0; i < 3; i++) {
        const struct node *v = keys[i] ? node_map_get(item, keys[i]) : NULL;
        if (node_is_string(v) && !rw_field_is_secret(e, item, keys[i]))
            return arena_printf(&log->arena, "%s '%.80s'", e->singular, v->u.text);
    }
    return arena_printf(&log->arena, "%s #%zu", e->singular, index);
}

/* The label of the entity a change is in, made only when there is a change to label: most
 * entities have none, and a label kept for each would grow with the file. */
static const char *site_label(struct rw_log *log, const struct site *s)
{
    return rw_entity_label(log, s->entity, s->item, s->index);
}

/* ---- recording --------------------------------------------------------------------------- */

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

/* Room for one more change and one more edit; false when memory ran out. */
static bool make_room(struct rw_log *log)
{
    struct rw_change *changes =
        array_grow(log->changes, &log->changes_cap, log->nchanges, sizeof(*changes), 64);
    struct rw_edit *edits =
        array_grow(log->edits, &log->edits_cap, log->nedits, sizeof(*edits), 64);
    if (changes)
        log->changes = changes;
    if (edits)
        log->edits = edits;
    return changes && edits;
}

/* Records a change and the edit that makes it in the text (none: the item is re-emitted). */
void rw_record(struct rw_ctx *c, const struct rw_rule *r, const struct site *s,
               enum rw_change_kind kind, const char *field, const struct node *old_node,
               const char *old_text, const char *new_text, const struct rw_edit *edit)
{
    struct rw_log *log = c->log;
    bool room = make_room(log);
    /* Everything kept must outlive the entry: its nodes go when the next one is read. */
    const char *path = arena_strdup(&log->arena, path_text(&c->path));
    field = arena_strdup(&log->arena, field);
    const char *label = site_label(log, s);
    if (!room || !path || !field || (s->entity && !label) || (edit && !edit->text)) {
        log->failed = true;
        return;
    }
    struct rw_change *ch = &log->changes[log->nchanges];
    *ch =
        (struct rw_change){r->rule,  kind,     r->hop, old_node->span, path,           label, field,
                           old_text, new_text, r->why, r->severity,    r->about_format};
    if (edit) {
        log->edits[log->nedits] = *edit;
        log->edits[log->nedits].change = log->nchanges;
        log->nedits++;
    }
    log->nchanges++;
    finding(c, ch);
}

static void space_after_colon(struct rw_ctx *c, size_t hop, const struct lenient_colon *colon,
                              const char *why)
{
    struct rw_log *log = c->log;
    bool room = make_room(log);
    /* Shown as written, in the other quote: "'a:1':" -> "'a:1': " */
    char q = colon->quote, outer = q == '\'' ? '"' : '\'';
    const char *key = colon->key ? colon->key : "";
    const char *old_text = arena_printf(&log->arena, "%c%c%s%c:%c", outer, q, key, q, outer);
    const char *new_text = arena_printf(&log->arena, "%c%c%s%c: %c", outer, q, key, q, outer);
    const char *field = arena_strdup(&log->arena, key);
    if (!room || !old_text || !new_text || !field) {
        log->failed = true;
        return;
    }
    struct span at = {colon->line, colon->column, colon->line, colon->column + 1};
    log->changes[log->nchanges] = (struct rw_change){
        R_HOP1001, CHANGE_KEY, hop, at, "", NULL, field, old_text, new_text, why, -1, false};
    /* The colon itself becomes ": ", so an edit of the value right after it stays apart. */
    log->edits[log->nedits++] = (struct rw_edit){EDIT_COLON, at, ": ", false, log->nchanges};
    log->nchanges++;
}

static int compare_starts(const void *a, const void *b)
{
    const struct span *x = a, *y = b;
    return position_compare(x->line, x->column, y->line, y->column);
}

void rw_spaces_after_colons(struct rw_ctx *c, size_t hop, const struct lenient_plan *plan,
                            const char *why)
{
    /* The text edits replace, by start, each with the furthest end of any up to it. */
    struct rw_log *log = c->log;
    struct span *cuts = malloc((log->nedits ? log->nedits : 1) * sizeof(*cuts));
    if (!cuts) {
        log->failed = true;
        return;
    }
    size_t ncuts = 0;
    for (size_t i = 0; i < log->nedits; i++)
        if (log->edits[i].kind == EDIT_DELETE || log->edits[i].kind == EDIT_REPLACE)
            cuts[ncuts++] = log->edits[i].span; /* a pair removed, an item written anew */
    qsort(cuts, ncuts, sizeof(*cuts), compare_starts);
    for (size_t i = 1; i < ncuts; i++)
        if (position_compare(cuts[i].end_line, cuts[i].end_column, cuts[i - 1].end_line,
                             cuts[i - 1].end_column) < 0) {
            cuts[i].end_line = cuts[i - 1].end_line;
            cuts[i].end_column = cuts[i - 1].end_column;
        }
    for (size_t i = 0; i < plan->count; i++) {
        const struct lenient_colon *colon = &plan->colons[i];
        size_t lo = 0, hi = ncuts; /* the cuts that start at or before the colon: [0, lo) */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (position_compare(cuts[mid].line, cuts[mid].column, colon->line, colon->column) <= 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        bool cut = lo > 0 && position_compare(colon->line, colon->column, cuts[lo - 1].end_line,
                                              cuts[lo - 1].end_column) < 0;
        if (!cut)
            space_after_colon(c, hop, colon, why);
    }
    free(cuts);
}

/* The text that replaces a scalar, in a style valid where it stands. */
static const char *render(struct rw_ctx *c, const struct site *s, const struct node *n,
                          enum scalar_style like)
{
    struct buf b;
    buf_init(&b, BUF_DEFAULT_MAX);
    if (like == STYLE_LITERAL || like == STYLE_FOLDED)
        like = STYLE_DOUBLE_QUOTED;
    if (n->kind == NODE_SCALAR)
        write_scalar(&b, n, like, context_of(c, s));
    else /* a list or record in a scalar's place (an old default written for a null) */
        write_flow_value(&b, n, c->json ? WRITE_JSON : WRITE_FLOW);
    const char *out = b.data ? arena_strndup(&c->log->arena, b.data, b.len) : NULL;
    buf_release(&b);
    return out;
}

struct rw_edit rw_replace_edit(struct rw_ctx *c, const struct site *s, const struct node *old_node,
                               const struct node *new_node)
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

/* A finding the rewrite leaves for the user (both modes), under the given code. */
static void left_for_user(struct rw_ctx *c, const struct rw_rule *r, enum rule_id rule,
                          int severity, const struct site *s, const struct node *at,
                          const char *what)
{
    char hop[64];
    rw_hop_text(&c->plan->hops[r->hop], hop, sizeof(hop));
    diag_add(c->manual, rule, severity, &at->span, path_text(&c->path), site_label(c->log, s),
             "%s (%s %s: %s)", what, c->plan->product, hop, r->why);
}

/* What a rule cannot do by itself: HOP4008, whatever the rule's own code. */
void rw_manual(struct rw_ctx *c, const struct rw_rule *r, const struct site *s,
               const struct node *at, const char *what)
{
    left_for_user(c, r, R_HOP4008, -1, s, at, what);
}

/* What a manual or notice rule leaves to the user: its own code, severity and text. */
void rw_notice(struct rw_ctx *c, const struct rw_rule *r, const struct site *s,
               const struct node *at)
{
    left_for_user(c, r, r->rule, r->severity, s, at, r->manual);
}
