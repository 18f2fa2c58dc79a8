/*
 * Scalars as the checked gateway's YAML library reads them. See check_yaml.h.
 *
 * What tinyyaml does, from api7-lua-tinyyaml 0.4.2 and 0.4.4 (tinyyaml.lua), the versions
 * APISIX's rockspec pins (0.4.2 until 3.6, 0.4.4 from 3.6; lyaml from 3.10):
 * - parsescalar types a value in block style (model_scalar.c, scalar_retype_tinyyaml);
 *   parseflowstyle types nothing, so every value inside [...] or {...} is a string.
 * - A value is read from its own line: a plain or quoted scalar continued on the next line is
 *   "bad indenting" or "failed to classify line", an error that loads nothing.
 * - parseseq takes "- key: ..." for a nested block mapping whenever the text after the dash
 *   has no quote or space before a ':' and a space: "- {host: a}" then fails to parse.
 * - 0.4.2 calls parsescalar without the indent for a list item, so a block scalar (| or >)
 *   as a list item fails ("attempt to compare number with nil"); 0.4.4 fixed it.
 * - There are no anchors, aliases or merge keys: "&a" and "*a" are read as text (or fail on
 *   the lines after them), and "<<" is an ordinary key.
 */
#include "check_yaml.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "model/model_path.h"

struct walk {
    struct yaml_typing *t;
    struct path path;
    bool item; /* an item's own nodes: a node anchored elsewhere was looked at there */
};

static bool tiny(enum yaml_lib lib)
{
    return yaml_lib_is_tinyyaml(lib);
}

static bool same_reading(const struct node *a, const struct node *b)
{
    if (a->type != b->type)
        return false;
    switch ((enum scalar_type)a->type) {
    case SCALAR_BOOL:
        return a->v.b == b->v.b;
    case SCALAR_INT:
        return a->v.i == b->v.i;
    case SCALAR_FLOAT:
        return a->v.f == b->v.f || (isnan(a->v.f) && isnan(b->v.f));
    default:
        return true;
    }
}

static void report(struct walk *w, enum rule_id rule, const struct node *n, const char *fmt, ...)
    GH_PRINTF(4, 5);

static void report(struct walk *w, enum rule_id rule, const struct node *n, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    diag_add(w->t->sink, rule, -1, &n->span, path_text(&w->path), NULL, "%s", msg);
}

/* "apisix 3.10 and later (lyaml, YAML 1.1)", or YAML 1.1 tools when no release uses lyaml. */
static void lyaml_releases(const struct yaml_typing *t, char *out, size_t size)
{
    if (t->lyaml_since)
        snprintf(out, size, "%s %s and later (lyaml, YAML 1.1)", t->product, t->lyaml_since);
    else
        snprintf(out, size, "YAML 1.1 tools");
}

/* A YAML 1.1 scalar, read by lyaml: what YAML 1.2 tools make of it. */
static void report_yaml11(struct walk *w, const struct node *n)
{
    const struct yaml_typing *t = w->t;
    char lyaml[96], others[96];
    scalar_describe(n, false, lyaml, sizeof(lyaml));
    scalar_describe_yaml12(n, others, sizeof(others));
    if (!t->named)
        report(w, R_HOP1003, n,
               "unquoted '%.40s' is %s to Kong (YAML 1.1) but %s; quote it, or write the value "
               "plainly",
               n->u.text, lyaml, others);
    else
        report(w, R_HOP1003, n,
               "unquoted '%.40s' is %s to %s %s (lyaml, YAML 1.1) but %s; quote it, or write the "
               "value plainly",
               n->u.text, lyaml, t->product, t->version, others);
}

/* The checked release reads with tinyyaml, which reads n (lyaml's reading) as `tinyr`. */
static void report_tinyyaml(struct walk *w, const struct node *n, const struct node *tinyr,
                            bool in_flow)
{
    const struct yaml_typing *t = w->t;
    char was[96], lyaml[96], later[96];
    scalar_describe(tinyr, true, was, sizeof(was));
    scalar_describe(n, true, lyaml, sizeof(lyaml));
    lyaml_releases(t, later, sizeof(later));
    if (in_flow)
        report(w, R_HOP1003, n,
               "'%.40s' in a flow collection is the string '%.40s' to %s %s (tinyyaml reads "
               "every value in [...] or {...} as a string) but %s to %s; write the collection "
               "in block style to give it a type, or quote it",
               n->u.text, n->u.text, t->product, t->version, lyaml, later);
    else
        report(w, R_HOP1003, n,
               "unquoted '%.40s' is %s to %s %s (tinyyaml) but %s to %s; quote it, or write the "
               "value plainly",
               n->u.text, was, t->product, t->version, lyaml, later);
}

/* The checked release reads with lyaml, the source release with tinyyaml: the value changes. */
static void report_changed(struct walk *w, const struct node *n, const struct node *tinyr,
                           bool in_flow)
{
    const struct yaml_typing *t = w->t;
    char was[96], now[96];
    scalar_describe(tinyr, true, was, sizeof(was));
    scalar_describe(n, true, now, sizeof(now));
    report(w, R_HOP1003, n,
           "%s'%.40s'%s is %s to %s %s (lyaml, YAML 1.1) but was %s to %s %s (tinyyaml%s); "
           "quote it, or write the value plainly",
           in_flow ? "" : "unquoted ", n->u.text, in_flow ? " in a flow collection" : "", now,
           t->product, t->version, was, t->product, t->source_version,
           in_flow ? " reads every value in [...] or {...} as a string" : "");
}

/* tinyyaml reads a value from its own line: one continued on the next fails to parse. */
static void check_one_line(struct walk *w, const struct node *n)
{
    bool inline_style = n->style == STYLE_PLAIN || n->style == STYLE_SINGLE_QUOTED ||
                        n->style == STYLE_DOUBLE_QUOTED;
    if (!inline_style || n->span.line == n->span.end_line)
        return;
    report(w, R_HOP1001, n,
           "%s %s reads its file with tinyyaml, which cannot read a %s value that goes on over "
           "several lines: the file fails to parse and nothing loads; write the value on one "
           "line, or as a block scalar (| or >)",
           w->t->product, w->t->version, n->style == STYLE_PLAIN ? "plain" : "quoted");
}

static void visit_scalar(struct walk *w, struct node *n, bool in_flow)
{
    const struct yaml_typing *t = w->t;
    if (!tiny(t->lib) && !tiny(t->source)) {
        if (n->flags & NODE_YAML11)
            report_yaml11(w, n);
        return;
    }
    struct node tinyr = *n;
    scalar_retype_tinyyaml(&tinyr, in_flow);
    bool differs = !same_reading(&tinyr, n) && n->style == STYLE_PLAIN;
    if (tiny(t->lib)) {
        if (differs)
            report_tinyyaml(w, n, &tinyr, in_flow);
        check_one_line(w, n);
        n->type = tinyr.type;
        n->v = tinyr.v;
        n->flags = tinyr.flags;
    } else if (differs) {
        report_changed(w, n, &tinyr, in_flow);
    } else if (n->flags & NODE_YAML11) {
        report_yaml11(w, n);
    }
}

/* tinyyaml's parseseq takes "- {key: ..." for the start of a nested block mapping. */
static bool flow_map_read_as_block(const struct node *item)
{
    if (item->kind != NODE_MAPPING || item->style != STYLE_FLOW || item->count == 0)
        return false;
    const struct node *key = item->u.pairs[0].key;
    if (key->kind != NODE_SCALAR || key->style != STYLE_PLAIN || key->count == 0 ||
        key->span.line != item->span.line || key->span.column != item->span.column + 1)
        return false;
    for (uint32_t i = 0; i < key->count; i++)
        if (strchr(" \t'\"", key->u.text[i]))
            return false;
    return true;
}

static void check_block_item(struct walk *w, const struct node *item)
{
    const struct yaml_typing *t = w->t;
    if (!tiny(t->lib))
        return;
    if (flow_map_read_as_block(item))
        report(w, R_HOP1001, item,
               "%s %s reads its file with tinyyaml, which takes a list item that starts '{key:' "
               "for a block mapping and fails to parse the file; write the item in block "
               "style, or begin the mapping with '{ ' or a quoted key",
               t->product, t->version);
    else if (t->lib == YAML_LIB_TINYYAML_042 &&
             (item->style == STYLE_LITERAL || item->style == STYLE_FOLDED))
        report(w, R_HOP1001, item,
               "%s %s reads its file with tinyyaml 0.4.2, which fails to parse a block scalar "
               "(| or >) that is a list item (tinyyaml 0.4.4 reads it); write the value as a "
               "quoted string",
               t->product, t->version);
}

static void visit(struct walk *w, struct node *n, bool in_flow);

static void visit_children(struct walk *w, struct node *n, bool in_flow)
{
    bool flow = in_flow || n->style == STYLE_FLOW;
    if (n->kind == NODE_SEQUENCE) {
        for (uint32_t i = 0; i < n->count; i++) {
            path_push_index(&w->path, i);
            if (!flow)
                check_block_item(w, n->u.items[i]);
            visit(w, n->u.items[i], flow);
            path_pop(&w->path);
        }
        return;
    }
    for (uint32_t i = 0; i < n->count; i++) {
        struct node *key = n->u.pairs[i].key;
        visit(w, key, flow);
        if (key->kind == NODE_SCALAR)
            path_push_key(&w->path, key->u.text, key->count);
        else
            path_push_key(&w->path, "?", 1);
        visit(w, n->u.pairs[i].value, flow);
        path_pop(&w->path);
    }
}

static void visit(struct walk *w, struct node *n, bool in_flow)
{
    if (!n || (n->flags & NODE_SEEN) || (w->item && (n->flags & NODE_ANCHORED)))
        return;
    n->flags |= NODE_SEEN;
    if (n->kind == NODE_SCALAR)
        visit_scalar(w, n, in_flow);
    else
        visit_children(w, n, in_flow);
}

static bool walks_everything(const struct yaml_typing *t)
{
    return tiny(t->lib) || tiny(t->source);
}

void yaml_typing_entry(struct yaml_typing *t, const struct reader_entry *e)
{
    if (t->off)
        return;
    /* The reader's nodes: typing them again here is what makes the checks see tinyyaml's. */
    struct node *key = (struct node *)e->key, *value = (struct node *)e->value;
    bool all = walks_everything(t);
    bool do_key = (e->kind == ENTRY_VALUE || e->kind == ENTRY_LIST_BEGIN) && key &&
                  (all || (key->flags & NODE_YAML11));
    bool do_value = e->kind != ENTRY_LIST_BEGIN && value && (all || e->yaml11);
    if (!do_key && !do_value)
        return; /* most entries of a Kong file: nothing to look at, nothing to set up */
    struct walk w = {.t = t, .item = e->kind == ENTRY_ITEM};
    path_init(&w.path);
    if (do_key)
        visit(&w, key, false);
    if (!do_value)
        return;
    if (key && key->kind == NODE_SCALAR)
        path_push_key(&w.path, key->u.text, key->count);
    if (e->kind == ENTRY_ITEM)
        path_push_index(&w.path, e->index);
    visit(&w, value, false);
}

static void report_use(struct yaml_typing *t, uint32_t count, const struct span *at,
                       const char *what, const char *result)
{
    if (!count)
        return;
    diag_add(t->sink, R_HOP1001, -1, at, "", NULL,
             "%s %s reads its file with tinyyaml, which has no %s: %s (%u in the file); write "
             "the values out in full",
             t->product, t->version, what, result, count);
}

void yaml_typing_finish(struct yaml_typing *t, const struct reader_yaml_uses *uses)
{
    if (t->off || !tiny(t->lib))
        return;
    report_use(t, uses->anchors, &uses->first_anchor, "anchors ('&name')",
               "it reads an anchor as part of the text, or fails on the lines after it");
    report_use(t, uses->aliases, &uses->first_alias, "aliases ('*name')",
               "it reads an alias as the text '*name'");
    report_use(t, uses->merges, &uses->first_merge, "merge keys ('<<')",
               "'<<' is an ordinary key there, so nothing is merged");
}

/* Which releases of the product refuse a quoted key followed directly by ':', and which read
 * it: "apisix 3.10 and later (lyaml) refuse it; apisix 2.15 to 3.9 (tinyyaml) read it". */
static void lenient_readers(const struct yaml_typing *t, char *out, size_t size)
{
    if (!t->named || !t->tinyyaml_first || !t->lyaml_since)
        snprintf(out, size, "%s's YAML reader refuses it", t->product);
    else
        snprintf(out, size, "%s %s and later (lyaml) refuse it; %s %s to %s (tinyyaml) read it",
                 t->product, t->lyaml_since, t->product, t->tinyyaml_first, t->tinyyaml_last);
}

void yaml_typing_lenient(struct yaml_typing *t, const struct lenient_plan *plan)
{
    if (!plan)
        return;
    bool all_tiny = tiny(t->lib) && tiny(t->source), any_tiny = tiny(t->lib) || tiny(t->source);
    char who[160];
    lenient_readers(t, who, sizeof(who));
    for (size_t i = 0; i < plan->count; i++) {
        const struct lenient_colon *c = &plan->colons[i];
        struct span at = {c->line, c->column, c->line, c->column + 1};
        /* tinyyaml's parseseq reads "- key: ..." as a mapping only when no quote comes
         * before the ':': "- \"key\":..." is the string key, and the lines after it fail. */
        if (c->after_dash && any_tiny)
            diag_add(t->sink, R_HOP1001, -1, &at, "", NULL,
                     "a list item that starts with a quoted key is a string to tinyyaml (%s %s "
                     "to %s), not a mapping, and with no space after its ':' %s %s and later "
                     "(lyaml) refuse it: write the key unquoted, or on the line after the '-', "
                     "with a space after the ':'",
                     t->product, t->tinyyaml_first, t->tinyyaml_last, t->product,
                     t->lyaml_since ? t->lyaml_since : "?");
        else if (!all_tiny)
            diag_add(t->sink, R_HOP1001, -1, &at, "", NULL,
                     "a ':' right after a quoted key needs a space after it: %s", who);
    }
}

bool yaml_typing_any_tinyyaml(const struct yaml_typing *t)
{
    return !t->off && (tiny(t->lib) || tiny(t->source));
}

void yaml_typing_dash_keys(struct yaml_typing *t, const struct lenient_key *keys, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct span at = {keys[i].line, keys[i].column, keys[i].line, keys[i].column + 1};
        diag_add(t->sink, R_HOP1001, -1, &at, "", NULL,
                 "a list item that starts with a quoted key is a string to tinyyaml (%s %s to "
                 "%s), not a mapping: the item is the key's text alone, and any further line of "
                 "the item makes the file fail to parse; write the key unquoted, or on the line "
                 "after the '-'",
                 t->product, t->tinyyaml_first ? t->tinyyaml_first : "?",
                 t->tinyyaml_last ? t->tinyyaml_last : "?");
    }
}
