#include "ruleset_run.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util_buf.h"

/* A node and the collection it sits in (NULL at the root): a finding's place. */
struct spot {
    const struct node *node, *parent;
};

/* One given match being checked: where it is, and the rule. */
struct rs_pass {
    const struct ruleset *rs;
    const struct rs_rule *rule;
    size_t rule_index;
    struct diag_sink *sink;
    struct arena scratch; /* messages of one value; reset per match */
    bool *exhausted;      /* per rule: a path stopped at the visit limit */
    /* per given path of each rule (from first_given[rule]): streamed, it would have taken a
     * whole top-level list, which only the document has */
    bool *whole_list;
    size_t *first_given;
    bool lists_only; /* running those on the document: keep only the top-level lists */
    struct rs_severity *severities; /* per rule, for this file (the ruleset's overrides) */
    /* set per target */
    struct path *where;
    struct spot closest; /* the deepest existing node on the target's path */
    const struct rs_target *target;
};

/* Spectral's {{path}}: "#/services/0/host". */
static const char *pointer_text(struct rs_pass *R)
{
    const char *pointer = path_text(R->where);
    return arena_printf(&R->scratch, "#%s", pointer);
}

/* Whether the node holds a secret value (a credential's key, a password): the checks marked
 * where those are, and no ruleset message may show them. */
static bool holds_secret(const struct rs_pass *R, const struct node *n)
{
    return n && diag_span_holds_secret(R->sink, &n->span);
}

/* Spectral's {{value}}: strings quoted, other scalars as written, collections as JS prints
 * them. */
static const char *value_text(struct rs_pass *R)
{
    const struct node *v = R->target->value;
    if (!v)
        return "undefined";
    if (holds_secret(R, v))
        return "'<redacted>'";
    if (node_is_string(v))
        return arena_printf(&R->scratch, "\"%s\"", v->u.text);
    if (v->kind == NODE_SCALAR)
        return v->type == SCALAR_NULL ? "null" : v->u.text;
    return v->kind == NODE_SEQUENCE ? "Array[]" : "Object{}";
}

static const char *placeholder(struct rs_pass *R, const char *name, size_t len, const char *error)
{
    static const char *const names[] = {"error", "description", "path", "property", "value"};
    size_t which = sizeof(names) / sizeof(names[0]);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strlen(names[i]) == len && !strncmp(name, names[i], len))
            which = i;
    switch (which) {
    case 0:
        return error;
    case 1:
        return R->rule->description ? R->rule->description : "";
    case 2:
        return pointer_text(R);
    case 3:
        return R->target->property ? R->target->property : "";
    case 4:
        return value_text(R);
    default:
        return NULL; /* not one of Spectral's: left as written */
    }
}

/* The rule's message with its {{placeholders}} filled; without one, its description, else the
 * function's own message (Spectral's order). */
static const char *message_for(struct rs_pass *R, const char *error)
{
    const char *tpl = R->rule->message;
    if (!tpl)
        return R->rule->description ? R->rule->description : error;
    struct buf out;
    buf_init(&out, 64 * 1024);
    for (const char *p = tpl; *p;) {
        const char *open = strstr(p, "{{");
        const char *close = open ? strstr(open + 2, "}}") : NULL;
        if (!close) {
            buf_append(&out, p, strlen(p));
            break;
        }
        buf_append(&out, p, (size_t)(open - p));
        const char *name = open + 2;
        while (*name == ' ')
            name++;
        size_t len = (size_t)(close - name);
        while (len && name[len - 1] == ' ')
            len--;
        const char *value = placeholder(R, name, len, error);
        if (value)
            buf_append(&out, value, strlen(value));
        else
            buf_append(&out, open, (size_t)(close + 2 - open));
        p = close + 2;
    }
    /* trimmed, as Spectral trims its messages (a folded YAML message ends in a newline) */
    const char *start = out.data ? out.data : "";
    size_t len = out.data ? out.len : 0;
    while (len && isspace((unsigned char)*start))
        start++, len--;
    while (len && isspace((unsigned char)start[len - 1]))
        len--;
    const char *text = arena_strndup(&R->scratch, start, len);
    buf_release(&out);
    return text ? text : "";
}

/* One step down: a key of a mapping, or an index of a sequence (written as a number, as a
 * property path writes it: "paths.0"). NULL when there is none. */
static const struct node *step_down(const struct node *n, const struct path_segment *s)
{
    if (n->kind == NODE_MAPPING && s->key) {
        for (uint32_t k = 0; k < n->count; k++)
            if (n->u.pairs[k].key->count == s->len_or_index &&
                !memcmp(n->u.pairs[k].key->u.text, s->key, s->len_or_index))
                return n->u.pairs[k].value;
        return NULL;
    }
    if (n->kind != NODE_SEQUENCE)
        return NULL;
    size_t index = s->len_or_index;
    if (s->key) {
        char *end;
        index = s->len_or_index ? (size_t)strtoul(s->key, &end, 10) : 0;
        if (!s->len_or_index || end != s->key + s->len_or_index)
            return NULL;
    }
    return index < n->count ? n->u.items[index] : NULL;
}

/* Pushes the segments below start that exist (a finding points at the closest value there is,
 * as Spectral's do); returns how many, and the last node reached in *at. */
static size_t push_existing(struct path *where, struct spot start, const struct path_segment *segs,
                            size_t nsegs, struct spot *at)
{
    size_t pushed = 0;
    *at = start;
    for (const struct node *n = start.node; n && pushed < nsegs; pushed++) {
        const struct path_segment *s = &segs[pushed];
        const struct node *next = step_down(n, s);
        if (!next)
            break;
        if (s->key)
            path_push_key(where, s->key, s->len_or_index);
        else
            path_push_index(where, s->len_or_index);
        *at = (struct spot){next, n};
        n = next;
    }
    return pushed;
}

/*
 * Where a finding on the node is shown. Spectral's YAML positions start a block collection that
 * is a member's value just after its key's colon, on the key's line; gatehop's start at its
 * first '-' or key. Ruleset findings use Spectral's, so the two tools name the same lines.
 */
static struct span spot_span(struct spot s)
{
    struct span span = s.node->span;
    if (s.node->kind == NODE_SCALAR || s.node->style != STYLE_BLOCK || !s.parent ||
        s.parent->kind != NODE_MAPPING)
        return span;
    for (uint32_t k = 0; k < s.parent->count; k++)
        if (s.parent->u.pairs[k].value == s.node) {
            const struct node *key = s.parent->u.pairs[k].key;
            span.line = key->span.end_line;
            span.column = key->span.end_column + 1;
        }
    return span;
}

static void emit(void *ctx, const struct rs_result *r)
{
    struct rs_pass *R = ctx;
    struct spot at = R->closest;
    size_t pushed =
        R->target->value ? push_existing(R->where, R->closest, r->rel, r->nrel, &at) : 0;
    /* a function's message may quote the value it looked at: not when that holds a secret */
    const char *error = holds_secret(R, at.node) || holds_secret(R, R->target->value)
                            ? "the value is secret and not shown here"
                        : r->message ? r->message
                                     : "";
    const char *message = message_for(R, error);
    struct span span = at.node ? spot_span(at) : (struct span){0};
    diag_add_custom(R->sink, &R->rule->info, R->severities[R->rule_index].severity,
                    at.node ? &span : NULL, path_text(R->where), message);
    while (pushed--)
        path_pop(R->where);
}

static void run_function(struct rs_pass *R, const struct rs_then *t, const struct node *value,
                         struct spot closest, const char *property)
{
    struct rs_target target = {value, property};
    R->target = &target;
    R->closest = closest;
    struct rs_output out = {emit, R, &R->scratch};
    rs_func_run(t->func, t->prepared, &target, &out);
}

/* The last segment of where, as text: a key, or an index. */
static const char *last_property(struct rs_pass *R)
{
    if (!R->where->depth)
        return NULL;
    const struct path_segment *s = &R->where->seg[R->where->depth - 1];
    if (s->key)
        return arena_strndup(&R->scratch, s->key, s->len_or_index);
    return arena_printf(&R->scratch, "%zu", s->len_or_index);
}

/* field: a.b[0]: the value at those segments, or nothing; the path goes as far as they exist. */
static void run_field_segments(struct rs_pass *R, const struct rs_then *t, struct spot given)
{
    struct spot closest;
    size_t pushed = push_existing(R->where, given, t->field_segs, t->nfield_segs, &closest);
    const struct node *value = pushed == t->nfield_segs ? closest.node : NULL;
    const char *property = t->nfield_segs ? t->field_segs[t->nfield_segs - 1].key : NULL;
    run_function(R, t, value, closest, property);
    while (pushed--)
        path_pop(R->where);
}

struct field_match {
    struct rs_pass *R;
    const struct rs_then *t;
};

static void on_field_match(void *ctx, const struct jpath_match *m)
{
    struct field_match *fm = ctx;
    run_function(fm->R, fm->t, m->node, (struct spot){m->node, m->parent}, last_property(fm->R));
}

static void run_then(struct rs_pass *R, const struct rs_then *t, struct spot given)
{
    const struct node *n = given.node;
    if (t->field_keys) {
        for (uint32_t k = 0; n->kind == NODE_MAPPING && k < n->count; k++) {
            const struct node *key = n->u.pairs[k].key;
            path_push_key(R->where, key->u.text, key->count);
            run_function(R, t, key, (struct spot){key, n}, key->u.text);
            path_pop(R->where);
        }
    } else if (t->field_path) {
        struct field_match fm = {R, t};
        bool exhausted;
        jpath_eval(t->field_path, n, R->where, on_field_match, &fm, &exhausted);
        R->exhausted[R->rule_index] |= exhausted;
    } else if (t->field) {
        run_field_segments(R, t, given);
    } else {
        run_function(R, t, n, given, last_property(R));
    }
}

static void on_given(void *ctx, const struct jpath_match *m)
{
    struct rs_pass *R = ctx;
    arena_reset(&R->scratch);
    R->where = m->where;
    for (size_t i = 0; i < R->rule->nthen; i++)
        run_then(R, &R->rule->then[i], (struct spot){m->node, m->parent});
}

/* A rule runs unless it is off for this file, bound to Spectral's document formats, or custom
 * code. */
static bool runs(const struct rs_pass *R, size_t i)
{
    const struct rs_rule *r = R->rs->rules[i];
    return !R->severities[i].off && !r->has_formats && !r->skipped;
}

static void note_not_run(struct diag_sink *sink, const struct rs_rule *r, const char *why)
{
    diag_add(sink, R_HOP9007, -1, NULL, NULL, NULL, "rule '%s' (%s:%u) was not run: %s",
             r->info.code, r->file, r->span.line, why);
}

struct rs_pass *rs_pass_begin(const struct ruleset *rs, const char *abs_path,
                              struct diag_sink *sink)
{
    struct rs_pass *R = calloc(1, sizeof(*R));
    if (!R)
        return NULL;
    size_t ngiven = 0;
    R->first_given = calloc(rs->nrules + 1, sizeof(*R->first_given));
    for (size_t i = 0; R->first_given && i < rs->nrules; i++) {
        R->first_given[i] = ngiven;
        ngiven += rs->rules[i]->ngiven;
    }
    R->exhausted = calloc(rs->nrules + 1, sizeof(*R->exhausted));
    R->whole_list = calloc(ngiven + 1, sizeof(*R->whole_list));
    R->severities = calloc(rs->nrules + 1, sizeof(*R->severities));
    if (!R->first_given || !R->exhausted || !R->whole_list || !R->severities) {
        free(R->first_given);
        free(R->exhausted);
        free(R->whole_list);
        free(R->severities);
        free(R);
        return NULL;
    }
    ruleset_severities_for(rs, abs_path, R->severities);
    R->rs = rs;
    R->sink = sink;
    arena_init(&R->scratch, 8 * 1024);
    return R;
}

/* Which given paths a step takes: those run entry by entry, those that need the document
 * whole, and those that, streamed, met a whole top-level list. */
enum given_kind { GIVEN_STREAMED, GIVEN_DOCUMENT, GIVEN_LISTS };

static bool is_kind(struct rs_pass *R, size_t slot, const struct jpath *given, enum given_kind kind)
{
    switch (kind) {
    case GIVEN_STREAMED:
        return jpath_streamable(given);
    case GIVEN_DOCUMENT:
        return !jpath_streamable(given);
    default:
        return R->whole_list[slot];
    }
}

/* Calls run on each given path of that kind of each rule that runs, with its rule set. */
static void each_given(struct rs_pass *R, enum given_kind kind,
                       void (*run)(struct rs_pass *R, const struct jpath *given, size_t slot,
                                   void *arg),
                       void *arg)
{
    for (size_t i = 0; i < R->rs->nrules; i++) {
        const struct rs_rule *rule = R->rs->rules[i];
        if (!runs(R, i))
            continue;
        R->rule = rule;
        R->rule_index = i;
        for (size_t g = 0; g < rule->ngiven; g++) {
            size_t slot = R->first_given[i] + g;
            if (is_kind(R, slot, rule->given[g], kind))
                run(R, rule->given[g], slot, arg);
        }
    }
}

struct entry_arg {
    const struct node *key, *value;
    bool item;
    size_t index;
};

static void run_on_entry(struct rs_pass *R, const struct jpath *given, size_t slot, void *arg)
{
    const struct entry_arg *e = arg;
    struct path where;
    path_init(&where);
    bool exhausted, whole_list = false;
    jpath_eval_entry(given, e->key, e->value, e->item, e->index, &where, on_given, R, &exhausted,
                     &whole_list);
    R->exhausted[R->rule_index] |= exhausted;
    R->whole_list[slot] |= whole_list;
}

void rs_pass_entry(struct rs_pass *R, const struct node *key, const struct node *value, bool item,
                   size_t index)
{
    struct entry_arg e = {key, value, item, index};
    if (key && value)
        each_given(R, GIVEN_STREAMED, run_on_entry, &e);
}

/* On the document, a path streamed already keeps only what streaming could not see: the
 * top-level lists themselves. */
static void on_document_match(void *ctx, const struct jpath_match *m)
{
    struct rs_pass *R = ctx;
    if (!R->lists_only || (m->where->depth == 1 && m->node->kind == NODE_SEQUENCE))
        on_given(ctx, m);
}

static void run_on_document(struct rs_pass *R, const struct jpath *given, size_t slot, void *arg)
{
    (void)slot;
    struct path where;
    path_init(&where);
    bool exhausted;
    jpath_eval(given, arg, &where, on_document_match, R, &exhausted);
    R->exhausted[R->rule_index] |= exhausted;
}

void rs_pass_document(struct rs_pass *R, const struct node *root)
{
    R->lists_only = false;
    each_given(R, GIVEN_DOCUMENT, run_on_document, (void *)root);
    R->lists_only = true;
    each_given(R, GIVEN_LISTS, run_on_document, (void *)root);
    R->lists_only = false;
}

static void count_given(struct rs_pass *R, const struct jpath *given, size_t slot, void *arg)
{
    (void)R;
    (void)given;
    (void)slot;
    (*(size_t *)arg)++;
}

bool rs_pass_needs_document(struct rs_pass *R)
{
    size_t n = 0;
    each_given(R, GIVEN_DOCUMENT, count_given, &n);
    each_given(R, GIVEN_LISTS, count_given, &n);
    return n > 0;
}

struct no_document {
    const char *why;
    size_t last_noted; /* rule index + 1: each_given goes rule by rule, said once for each */
};

static void note_no_document(struct rs_pass *R, const struct jpath *given, size_t slot, void *arg)
{
    struct no_document *nd = arg;
    (void)given;
    (void)slot;
    if (nd->last_noted != R->rule_index + 1)
        note_not_run(R->sink, R->rule, nd->why);
    nd->last_noted = R->rule_index + 1;
}

void rs_pass_no_document(struct rs_pass *R, const char *why)
{
    struct no_document nd = {why, 0};
    each_given(R, GIVEN_DOCUMENT, note_no_document, &nd);
    nd.last_noted = 0;
    each_given(R, GIVEN_LISTS, note_no_document, &nd);
}

/* As Spectral's unrecognized-format warning: the rule is bound to document formats. */
static void note_formats(struct rs_pass *R, const struct rs_rule *rule)
{
    const char *why = arena_printf(&R->scratch,
                                   "it applies to Spectral's document formats (%s), which a "
                                   "gateway config is not",
                                   rule->formats ? rule->formats : "");
    note_not_run(R->sink, rule, why ? why : "it applies to other document formats");
}

void rs_pass_end(struct rs_pass *R)
{
    if (!R)
        return;
    for (size_t i = 0; i < R->rs->nrules; i++) {
        const struct rs_rule *rule = R->rs->rules[i];
        bool off = R->severities[i].off;
        if (rule->skipped && !off)
            note_not_run(R->sink, rule, rule->skipped);
        else if (rule->has_formats && !off)
            note_formats(R, rule);
        else if (R->exhausted[i])
            note_not_run(R->sink, rule, "its paths visit more values than gatehop's limit");
    }
    arena_release(&R->scratch);
    free(R->exhausted);
    free(R->whole_list);
    free(R->first_given);
    free(R->severities);
    free(R);
}
