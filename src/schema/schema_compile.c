/*
 * Compiling knowledge for one target: pick the active variant of every definition, apply
 * typedefs and subschema overlays, and build the spec_* structures of schema.h.
 *
 * A definition's keywords come from a chain of mappings: the overlay (subschemas), the field's
 * own definition, then its typedef, that typedef's typedef, and so on. Keywords nearer the
 * field win, so the chain is applied from its far end.
 */
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema_expr.h"
#include "schema_kb.h"
#include "schema_named.h"
#include "util/util_error.h"

struct cctx {
    struct kb_product *p;
    const struct target *t;
    struct arena *a;
    gh_error *err;
    const char *file;
};

#define MAX_CHAIN 12

struct chain {
    const struct node *m[MAX_CHAIN];
    size_t n;
};

/* Sub-definitions are compiled once the whole chain has been applied. */
struct pending {
    const struct node *elements, *keys, *values, *fields, *checks, *shorthands, *any_of, *json;
};

static int oom(struct cctx *c)
{
    return error_set(c->err, GH_ENOMEM, "out of memory");
}

static int broken(struct cctx *c, const struct node *at, const char *fmt, ...) GH_PRINTF(3, 4);

static int broken(struct cctx *c, const struct node *at, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return error_set_at(c->err, GH_ESCHEMA, c->file, at ? at->span.line : 0,
                        at ? at->span.column : 0, "%s", msg);
}

const struct node *pick_variant(const struct node *def, const struct target *t)
{
    if (!def)
        return NULL;
    if (def->kind == NODE_MAPPING)
        return cond_holds(def, t) ? def : NULL;
    for (uint32_t i = 0; i < def->count; i++)
        if (cond_holds(def->u.items[i], t))
            return def->u.items[i];
    return NULL;
}

static int chain_add(struct cctx *c, struct chain *ch, const struct node *m)
{
    if (ch->n == MAX_CHAIN)
        return broken(c, m, "typedefs nest too deeply (a cycle?)");
    ch->m[ch->n++] = m;
    const struct node *td = node_map_get(m, "typedef");
    if (!td)
        return 0;
    const struct node *def = pick_variant(kb_typedef(c->p, td->u.text), c->t);
    if (!def)
        return broken(c, td, "typedef '%s' does not exist in %s %s", td->u.text, c->p->name,
                      c->t->router_flavor ? "this version" : "");
    return chain_add(c, ch, def);
}

/* The first name of a condition's list (router_flavors, editions) unless it holds `current`. */
static const char *setting_near(const struct node *variant, const char *key, const char *current)
{
    const struct node *list = node_map_get(variant, key);
    if (!list || list->kind != NODE_SEQUENCE || !list->count)
        return current;
    for (uint32_t i = 0; current && i < list->count; i++)
        if (node_text_equals(list->u.items[i], current))
            return current;
    return list->u.items[0]->u.text;
}

/* The newest release of p before v (otherwise: `otherwise`). */
static struct version last_release_before(const struct kb_product *p, const struct version *v,
                                          const struct version *otherwise)
{
    const struct version *best = NULL;
    for (size_t i = 0; i < p->nversions; i++)
        if (version_compare(&p->versions[i], v) < 0 &&
            (!best || version_compare(&p->versions[i], best) > 0))
            best = &p->versions[i];
    return best ? *best : *otherwise;
}

/* A release and settings a variant holds in, near t: t's own where they hold, else its first
 * release, or the last release known before its removal, and its own settings. */
static struct target target_near(const struct kb_product *p, const struct node *variant,
                                 const struct target *t)
{
    struct target at = *t;
    const struct node *since = node_map_get(variant, "since"),
                      *until = node_map_get(variant, "until");
    struct version v;
    if (since && version_parse(since->u.text, since->count, &v) &&
        version_compare(&t->version, &v) < 0)
        at.version = v;
    else if (until && version_parse(until->u.text, until->count, &v) &&
             version_compare(&t->version, &v) >= 0)
        at.version = last_release_before(p, &v, &t->version);
    const struct node *flavors = node_map_get(variant, "flavors");
    enum flavor f;
    if (flavors && flavors->count && !cond_settings_hold(variant, &at) &&
        flavor_from_name(flavors->u.items[0]->u.text, &f))
        at.flavor = f;
    at.router_flavor = setting_near(variant, "router_flavors", t->router_flavor);
    at.edition = setting_near(variant, "editions", t->edition);
    return at;
}

const struct node *kb_definition_keyword(const struct kb_product *p, const struct node *variant,
                                         const struct target *t, const char *keyword)
{
    struct target at = target_near(p, variant, t);
    const struct node *m = variant;
    for (size_t depth = 0; m && m->kind == NODE_MAPPING && depth < MAX_CHAIN; depth++) {
        const struct node *v = node_map_get(m, keyword);
        const struct node *td = v ? NULL : node_map_get(m, "typedef");
        if (v || !td)
            return v;
        const struct node *def = kb_typedef(p, td->u.text);
        m = pick_variant(def, &at);
        if (!m && def) /* none at that release: the typedef's first definition will do */
            m = def->kind == NODE_SEQUENCE ? def->u.items[0] : def;
    }
    return NULL;
}

/* ---- applying keywords ------------------------------------------------------------------- */

static const char *const type_names[] = {
    [FT_STRING] = "string",   [FT_INTEGER] = "integer", [FT_NUMBER] = "number",
    [FT_BOOLEAN] = "boolean", [FT_ARRAY] = "array",     [FT_SET] = "set",
    [FT_MAP] = "map",         [FT_RECORD] = "record",   [FT_FOREIGN] = "foreign",
    [FT_ANY] = "any",
};

const char *field_type_name(enum field_type type)
{
    return type_names[type];
}

bool field_type_from_name(const struct node *name, enum field_type *out)
{
    for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
        if (node_text_equals(name, type_names[i])) {
            *out = (enum field_type)i;
            return true;
        }
    return false;
}

static void set_flag(struct spec_field *f, uint32_t flag, const struct node *v)
{
    if (v->v.b)
        f->flags |= flag;
    else
        f->flags &= ~flag;
}

static int compile_patterns(struct cctx *c, const struct node *list, struct spec_pattern **out,
                            size_t *n)
{
    *out = arena_calloc(c->a, list->count, sizeof(**out));
    if (!*out && list->count)
        return oom(c);
    for (uint32_t i = 0; i < list->count; i++) {
        const struct node *item = list->u.items[i];
        const struct node *pat = item->kind == NODE_MAPPING ? node_map_get(item, "pattern") : item;
        const struct node *err = node_map_get(item, "err");
        (*out)[i].re = kb_regex(c->p->kb, pat->u.text, pat->count);
        (*out)[i].source = pat->u.text;
        (*out)[i].err = err ? err->u.text : NULL;
    }
    *n = list->count;
    return 0;
}

static struct spec_pattern *one_pattern(struct cctx *c, const struct node *v)
{
    struct spec_pattern *p = arena_calloc(c->a, 1, sizeof(*p));
    if (p) {
        p->re = kb_regex(c->p->kb, v->u.text, v->count);
        p->source = v->u.text;
    }
    return p;
}

/* The listed values that exist for the target; items stay as written (scalar or mapping). */
static int compile_enum(struct cctx *c, const struct node *list, const struct node ***out,
                        size_t *n)
{
    *out = arena_calloc(c->a, list->count ? list->count : 1, sizeof(**out));
    if (!*out)
        return oom(c);
    *n = 0;
    for (uint32_t i = 0; i < list->count; i++)
        if (cond_holds(list->u.items[i], c->t))
            (*out)[(*n)++] = list->u.items[i];
    return 0;
}

static int kw_type(struct cctx *c, struct spec_field *f, const struct node *v)
{
    (void)c;
    field_type_from_name(v, &f->type);
    f->flags |= SF_TYPED;
    return 0;
}

/* A deprecation counts only for targets at or after the version it names. */
static int kw_deprecated(struct cctx *c, struct spec_field *f, const struct node *v)
{
    const struct node *since = node_map_get(v, "since"), *msg = node_map_get(v, "message");
    struct version sv;
    version_parse(since->u.text, since->count, &sv);
    if (version_compare(&c->t->version, &sv) >= 0) {
        f->deprecated_since = since->u.text;
        f->deprecated_message = msg ? msg->u.text : NULL;
        f->deprecated_old_default = node_map_get(v, "old_default");
    }
    return 0;
}

static int kw_one_of(struct cctx *c, struct spec_field *f, const struct node *v)
{
    f->all_one_of = v;
    return compile_enum(c, v, &f->one_of, &f->n_one_of);
}

static int kw_not_one_of(struct cctx *c, struct spec_field *f, const struct node *v)
{
    return compile_enum(c, v, &f->not_one_of, &f->n_not_one_of);
}

static int kw_gt(struct cctx *c, struct spec_field *f, const struct node *v)
{
    (void)c;
    f->gt = node_number(v);
    f->flags |= SF_GT;
    return 0;
}

static int kw_between(struct cctx *c, struct spec_field *f, const struct node *v)
{
    (void)c;
    f->between_min = node_number(v->u.items[0]);
    f->between_max = node_number(v->u.items[1]);
    f->flags |= SF_BETWEEN;
    return 0;
}

static int kw_match(struct cctx *c, struct spec_field *f, const struct node *v)
{
    return (f->match = one_pattern(c, v)) ? 0 : oom(c);
}

static int kw_not_match(struct cctx *c, struct spec_field *f, const struct node *v)
{
    return (f->not_match = one_pattern(c, v)) ? 0 : oom(c);
}

static int kw_keys_matching(struct cctx *c, struct spec_field *f, const struct node *v)
{
    return (f->keys_matching = one_pattern(c, v)) ? 0 : oom(c);
}

static int kw_match_none(struct cctx *c, struct spec_field *f, const struct node *v)
{
    return compile_patterns(c, v, &f->match_none, &f->n_match_none);
}

static int kw_match_all(struct cctx *c, struct spec_field *f, const struct node *v)
{
    return compile_patterns(c, v, &f->match_all, &f->n_match_all);
}

static int kw_match_any(struct cctx *c, struct spec_field *f, const struct node *v)
{
    const struct node *err = node_map_get(v, "err");
    f->match_any_err = err ? err->u.text : NULL;
    return compile_patterns(c, node_map_get(v, "patterns"), &f->match_any, &f->n_match_any);
}

static int kw_validator(struct cctx *c, struct spec_field *f, const struct node *v)
{
    (void)c;
    f->validator = named_validator_find(v->u.text);
    f->node_validator = named_node_validator_find(v->u.text);
    return 0;
}

/* How a field keyword lands in the compiled spec: most copy the value into one member. */
enum keyword_kind {
    KW_FLAG,    /* a boolean that sets or clears one SF_ bit */
    KW_NODE,    /* the value node itself, kept for later comparison */
    KW_TEXT,    /* the value's text */
    KW_INT,     /* the value as an integer */
    KW_PENDING, /* nested specs, compiled once every keyword is in */
    KW_CALL     /* anything needing more work */
};

static int kw_plugin_map(struct cctx *c, struct spec_field *f, const struct node *v)
{
    (void)c;
    plugin_scope_from_name(v->u.text, &f->plugin_map); /* the loader checked the name */
    return 0;
}

static int kw_unique_items(struct cctx *c, struct spec_field *f, const struct node *v)
{
    struct spec_unique_items *u = arena_calloc(c->a, 1, sizeof(*u));
    if (!u)
        return oom(c);
    const struct node *by = node_map_get(v, "by"), *err = node_map_get(v, "err");
    u->by = by ? by->u.text : NULL;
    u->err = err ? err->u.text : NULL;
    f->unique_items = u;
    return 0;
}

static int validator_set(struct cctx *c, const char *field, const struct node *def,
                         const struct spec_field **out);
static int string_list(struct cctx *c, const struct node *list, const char ***out, size_t *n);
static int compile_sub(struct cctx *c, const char *name, const struct node *def,
                       const struct spec_field **out);
static int compile_record(struct cctx *c, const struct node *fields, const struct node *checks,
                          const struct node *shorthands, bool open, struct spec_record *out);

/* One name plugin_entries takes for the target (the loader checked its shape). */
static int compile_entry_name(struct cctx *c, const struct node *item, struct spec_entry_name *out)
{
    out->name = spec_item_value(item)->u.text;
    if (item->kind != NODE_MAPPING)
        return 0;
    const struct node *plugin = node_map_get(item, "plugin"), *field = node_map_get(item, "field");
    const struct node *fields = node_map_get(item, "fields");
    out->plugin = plugin ? plugin->u.text : NULL;
    out->field = field ? field->u.text : NULL;
    int rc = compile_sub(c, out->name, node_map_get(item, "definition"), &out->definition);
    if (rc < 0 || !fields)
        return rc;
    struct spec_record *also = arena_calloc(c->a, 1, sizeof(*also));
    if (!also)
        return oom(c);
    out->also = also;
    return compile_record(c, fields, NULL, NULL, true, also);
}

/* plugin_entries: the value holds plugin configurations; names resolve when checked, since a
 * plugin's schema may be compiled after the definition naming it. */
static int kw_plugin_entries(struct cctx *c, struct spec_field *f, const struct node *v)
{
    struct spec_plugin_entries *e = arena_calloc(c->a, 1, sizeof(*e));
    if (!e)
        return oom(c);
    const struct node *type = node_map_get(v, "plugin_type"), *err = node_map_get(v, "err");
    const struct node *names_only = node_map_get(v, "names_only");
    const struct node *names = node_map_get(v, "names");
    e->pairs = node_text_equals(node_map_get(v, "form"), "pair");
    plugin_scope_from_name(node_map_get(v, "scope")->u.text, &e->scope);
    e->plugin_type = type ? type->u.text : NULL;
    e->names_only = names_only && names_only->v.b;
    e->err = err ? err->u.text : NULL;
    e->all_names = names;
    int rc = string_list(c, node_map_get(v, "skip"), &e->skip, &e->nskip);
    if (rc == 0)
        rc = compile_sub(c, f->name, node_map_get(v, "extras"), &e->extras);
    if (rc == 0 && names && !(e->names = arena_calloc(c->a, names->count, sizeof(*e->names))))
        return oom(c);
    for (uint32_t i = 0; rc == 0 && names && i < names->count; i++)
        if (cond_holds(names->u.items[i], c->t))
            rc = compile_entry_name(c, names->u.items[i], &e->names[e->nnames++]);
    f->entries = e;
    return rc;
}

/* captures: the pattern, and each part compiled as a validator set named after the field. */
static int kw_captures(struct cctx *c, struct spec_field *f, const struct node *v)
{
    struct spec_captures *cap = arena_calloc(c->a, 1, sizeof(*cap));
    const struct node *pattern = node_map_get(v, "pattern"), *err = node_map_get(v, "err");
    const struct node *parts = node_map_get(v, "parts");
    if (!cap || !(cap->parts = arena_calloc(c->a, parts->count, sizeof(*cap->parts))))
        return oom(c);
    cap->pattern.re = kb_regex(c->p->kb, pattern->u.text, pattern->count);
    cap->pattern.source = pattern->u.text;
    cap->pattern.err = err ? err->u.text : NULL;
    for (uint32_t i = 0; i < parts->count; i++) {
        int rc = validator_set(c, f->name, parts->u.items[i], &cap->parts[i]);
        if (rc < 0)
            return rc;
    }
    cap->nparts = parts->count;
    f->captures = cap;
    return 0;
}

struct keyword_action {
    const char *name;
    enum keyword_kind kind;
    size_t at; /* the SF_ bit for KW_FLAG, else an offset into spec_field or pending */
    int (*call)(struct cctx *c, struct spec_field *f, const struct node *v);
};

#define FIELD_AT(kind, name, member)                                                               \
    {                                                                                              \
        name, kind, offsetof(struct spec_field, member), NULL                                      \
    }
#define PENDING_AT(name, member)                                                                   \
    {                                                                                              \
        name, KW_PENDING, offsetof(struct pending, member), NULL                                   \
    }

/* typedef, replaced_by, description and the conditions shape the choice, not the spec. */
static const struct keyword_action keyword_actions[] = {
    {"type", KW_CALL, 0, kw_type},
    {"required", KW_FLAG, SF_REQUIRED, NULL},
    {"auto", KW_FLAG, SF_AUTO, NULL},
    {"unique", KW_FLAG, SF_UNIQUE, NULL},
    {"secret", KW_FLAG, SF_SECRET, NULL},
    {"referenceable", KW_FLAG, SF_REFERENCEABLE, NULL},
    {"open", KW_FLAG, SF_OPEN, NULL},
    {"uuid", KW_FLAG, SF_UUID, NULL},
    {"implied", KW_FLAG, SF_IMPLIED, NULL},
    {"check_secret_refs", KW_FLAG, SF_CHECK_REFS, NULL},
    FIELD_AT(KW_NODE, "default", default_value),
    FIELD_AT(KW_NODE, "eq", eq),
    FIELD_AT(KW_NODE, "ne", ne),
    FIELD_AT(KW_NODE, "contains", contains),
    FIELD_AT(KW_NODE, "mutually_exclusive_subsets", subsets),
    FIELD_AT(KW_TEXT, "reference", reference),
    FIELD_AT(KW_TEXT, "starts_with", starts_with),
    FIELD_AT(KW_TEXT, "err", err),
    FIELD_AT(KW_INT, "len_eq", len_eq),
    FIELD_AT(KW_INT, "len_min", len_min),
    FIELD_AT(KW_INT, "len_max", len_max),
    PENDING_AT("elements", elements),
    PENDING_AT("keys", keys),
    PENDING_AT("values", values),
    PENDING_AT("fields", fields),
    PENDING_AT("checks", checks),
    PENDING_AT("shorthands", shorthands),
    PENDING_AT("any_of", any_of),
    PENDING_AT("json", json),
    FIELD_AT(KW_TEXT, "unchecked", unchecked),
    FIELD_AT(KW_TEXT, "unique_keys", unique_keys),
    {"captures", KW_CALL, 0, kw_captures},
    {"unique_items", KW_CALL, 0, kw_unique_items},
    {"deprecated", KW_CALL, 0, kw_deprecated},
    {"plugin_map", KW_CALL, 0, kw_plugin_map},
    {"plugin_entries", KW_CALL, 0, kw_plugin_entries},
    {"one_of", KW_CALL, 0, kw_one_of},
    {"not_one_of", KW_CALL, 0, kw_not_one_of},
    {"gt", KW_CALL, 0, kw_gt},
    {"between", KW_CALL, 0, kw_between},
    {"match", KW_CALL, 0, kw_match},
    {"not_match", KW_CALL, 0, kw_not_match},
    {"keys_matching", KW_CALL, 0, kw_keys_matching},
    {"match_none", KW_CALL, 0, kw_match_none},
    {"match_all", KW_CALL, 0, kw_match_all},
    {"match_any", KW_CALL, 0, kw_match_any},
    {"validator", KW_CALL, 0, kw_validator},
};

static int apply_keyword(struct cctx *c, struct spec_field *f, struct pending *pend, const char *k,
                         const struct node *v)
{
    const struct keyword_action *a = NULL;
    for (size_t i = 0; i < sizeof(keyword_actions) / sizeof(keyword_actions[0]) && !a; i++)
        if (!strcmp(keyword_actions[i].name, k))
            a = &keyword_actions[i];
    if (!a)
        return 0;
    char *member = (char *)f + a->at;
    switch (a->kind) {
    case KW_FLAG:
        set_flag(f, (uint32_t)a->at, v);
        break;
    case KW_NODE:
        memcpy(member, &v, sizeof(v));
        break;
    case KW_TEXT:
        memcpy(member, &v->u.text, sizeof(v->u.text));
        break;
    case KW_INT:
        memcpy(member, &v->v.i, sizeof(int64_t));
        break;
    case KW_PENDING:
        memcpy((char *)pend + a->at, &v, sizeof(v));
        break;
    case KW_CALL:
        return a->call(c, f, v);
    }
    return 0;
}

static int compile_record(struct cctx *c, const struct node *fields, const struct node *checks,
                          const struct node *shorthands, bool open, struct spec_record *out);
static int compile_field(struct cctx *c, const char *name, const struct node *def,
                         const struct node *overlay, struct spec_field *out);

static int compile_sub(struct cctx *c, const char *name, const struct node *def,
                       const struct spec_field **out)
{
    if (!def)
        return 0;
    struct spec_field *f = arena_calloc(c->a, 1, sizeof(*f));
    if (!f)
        return oom(c);
    int rc = compile_field(c, name, def, NULL, f);
    *out = rc > 0 ? f : NULL;
    return rc < 0 ? rc : 0;
}

/* any_of: each alternative compiled like a field of its own, under the field's name. */
static int compile_alternatives(struct cctx *c, struct spec_field *f, const struct node *list)
{
    if (!list)
        return 0;
    f->any_of = arena_calloc(c->a, list->count, sizeof(*f->any_of));
    if (!f->any_of)
        return oom(c);
    for (uint32_t i = 0; i < list->count; i++) {
        const struct spec_field *alt = NULL;
        int rc = compile_sub(c, f->name, list->u.items[i], &alt);
        if (rc < 0)
            return rc;
        if (alt)
            f->any_of[f->n_any_of++] = alt;
    }
    return 0;
}

static bool has_validators(const struct spec_field *f)
{
    return f->eq || f->ne || f->one_of || f->n_not_one_of || (f->flags & (SF_GT | SF_BETWEEN)) ||
           (f->flags & SF_UUID) || f->len_eq >= 0 || f->len_min >= 0 || f->len_max >= 0 ||
           f->starts_with || f->not_match || f->match || f->n_match_none || f->n_match_all ||
           f->n_match_any || f->contains || f->validator || f->node_validator || f->subsets ||
           f->captures;
}

static int finish_field(struct cctx *c, struct spec_field *f, const struct pending *p)
{
    int rc;
    if (has_validators(f))
        f->flags |= SF_VALIDATORS;
    if ((rc = compile_sub(c, "[]", p->elements, &f->elements)) < 0 ||
        (rc = compile_sub(c, "{key}", p->keys, &f->keys)) < 0 ||
        (rc = compile_sub(c, "{value}", p->values, &f->values)) < 0 ||
        (rc = compile_alternatives(c, f, p->any_of)) < 0 ||
        (rc = compile_sub(c, f->name, p->json, &f->json)) < 0)
        return rc;
    if (f->type == FT_RECORD || p->fields || p->checks) {
        struct spec_record *r = arena_calloc(c->a, 1, sizeof(*r));
        if (!r)
            return oom(c);
        if ((rc = compile_record(c, p->fields, p->checks, p->shorthands, f->flags & SF_OPEN, r)) <
            0)
            return rc;
        f->record = r;
    }
    return 0;
}

/*
 * Compiles one field: def is its definition (a mapping or variants), overlay an optional
 * subschema overlay. Returns 1 when the field exists for the target, 0 when not, or an error.
 */
static int compile_field(struct cctx *c, const char *name, const struct node *def,
                         const struct node *overlay, struct spec_field *out)
{
    const struct node *active = pick_variant(def, c->t);
    if (!active)
        return 0;
    struct chain ch = {{0}, 0};
    int rc;
    const struct node *ov = pick_variant(overlay, c->t);
    if (ov && (rc = chain_add(c, &ch, ov)) < 0)
        return rc;
    if ((rc = chain_add(c, &ch, active)) < 0)
        return rc;
    memset(out, 0, sizeof(*out));
    out->name = name;
    out->type = FT_ANY;
    out->where = active;
    out->variants = def->kind == NODE_SEQUENCE ? def : NULL;
    out->len_eq = out->len_min = out->len_max = -1;
    struct pending pend = {0};
    for (size_t i = ch.n; i-- > 0;) {
        const struct node *m = ch.m[i];
        for (uint32_t j = 0; j < m->count; j++)
            if ((rc = apply_keyword(c, out, &pend, m->u.pairs[j].key->u.text,
                                    m->u.pairs[j].value)) < 0)
                return rc;
    }
    if ((rc = finish_field(c, out, &pend)) < 0)
        return rc;
    return 1;
}

/* ---- records and checks ------------------------------------------------------------------ */

static int compare_fields(const void *a, const void *b)
{
    return strcmp(((const struct spec_field *)a)->name, ((const struct spec_field *)b)->name);
}

static int string_list(struct cctx *c, const struct node *list, const char ***out, size_t *n)
{
    *n = list ? list->count : 0;
    *out = arena_calloc(c->a, *n + 1, sizeof(**out)); /* NULL-terminated too */
    if (!*out)
        return oom(c);
    for (size_t i = 0; i < *n; i++)
        (*out)[i] = list->u.items[i]->u.text;
    return 0;
}

/* A field's position; for a dotted path (redis.host), the position of the field it starts at. */
static int position_of(const struct spec_record *r, const char *name)
{
    const struct spec_field *f = name ? spec_record_path_start(r, name) : NULL;
    return f ? (int)(f - r->fields) : -1;
}

static int positions(struct cctx *c, const struct spec_record *r, const char *const *names,
                     size_t n, int **out)
{
    *out = arena_calloc(c->a, n ? n : 1, sizeof(**out));
    if (!*out)
        return oom(c);
    for (size_t i = 0; i < n; i++)
        (*out)[i] = position_of(r, names[i]);
    return 0;
}

/* Resolves a check's field names against the record it runs on. */
static int place_check(struct cctx *c, const struct spec_record *r, struct spec_check *k)
{
    k->if_at = position_of(r, k->if_field);
    k->then_at = position_of(r, k->then_field);
    k->unless_at = position_of(r, k->unless_field);
    int rc = positions(c, r, k->fields, k->n_fields, &k->fields_at);
    if (rc == 0)
        rc = positions(c, r, k->then_fields, k->n_then_fields, &k->then_fields_at);
    if (rc == 0)
        rc = positions(c, r, k->else_fields, k->n_else_fields, &k->else_fields_at);
    for (size_t i = 0; i < k->n_and_if; i++)
        k->and_if[i].at = position_of(r, k->and_if[i].field);
    return rc;
}

static int validator_set(struct cctx *c, const char *field, const struct node *def,
                         const struct spec_field **out)
{
    *out = NULL;
    if (!def)
        return 0;
    struct spec_field *f = arena_calloc(c->a, 1, sizeof(*f));
    if (!f)
        return oom(c);
    int rc = compile_field(c, field, def, NULL, f);
    if (rc < 0)
        return rc;
    f->must_be_set = (f->flags & SF_REQUIRED) != 0;
    *out = f;
    return 0;
}

static const char *text_of(const struct node *m, const char *key)
{
    const struct node *n = node_map_get(m, key);
    return n ? n->u.text : NULL;
}

struct check_keyword {
    const char *name;
    enum check_kind kind;
};

static const struct check_keyword check_kinds[] = {
    {"at_least_one_of", CHECK_AT_LEAST_ONE_OF},
    {"only_one_of", CHECK_ONLY_ONE_OF},
    {"mutually_exclusive", CHECK_MUTUALLY_EXCLUSIVE},
    {"mutually_required", CHECK_MUTUALLY_REQUIRED},
    {"mutually_exclusive_sets", CHECK_MUTUALLY_EXCLUSIVE_SETS},
    {"distinct", CHECK_DISTINCT},
    {"ordered", CHECK_ORDERED},
    {"same_count", CHECK_SAME_COUNT},
    {"conditional", CHECK_CONDITIONAL},
    {"conditional_at_least_one_of", CHECK_CONDITIONAL_AT_LEAST_ONE_OF},
    {"at_least_one_true", CHECK_AT_LEAST_ONE_TRUE},
    {"closed_if_any", CHECK_CLOSED_IF_ANY},
    {"equal", CHECK_EQUAL},
    {"unchecked", CHECK_UNCHECKED},
    {"forbids", CHECK_FORBIDS},
    {"requires", CHECK_REQUIRES},
    {"distinct_by", CHECK_DISTINCT_BY},
    {"names_item", CHECK_NAMES_ITEM},
};

/* and_if: the conditions beside if_field, each a field and a validator set. */
static int compile_and_if(struct cctx *c, struct spec_check *k, const struct node *list)
{
    if (!list)
        return 0;
    k->and_if = arena_calloc(c->a, list->count, sizeof(*k->and_if));
    if (!k->and_if)
        return oom(c);
    for (uint32_t i = 0; i < list->count; i++) {
        struct spec_condition *cond = &k->and_if[k->n_and_if++];
        cond->field = text_of(list->u.items[i], "field");
        int rc =
            validator_set(c, cond->field, node_map_get(list->u.items[i], "match"), &cond->match);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int compile_check_args(struct cctx *c, struct spec_check *k, const struct node *args)
{
    int rc = 0;
    switch (k->kind) {
    case CHECK_MUTUALLY_EXCLUSIVE_SETS: {
        const struct node *s1 = node_map_get(args, "set1"), *s2 = node_map_get(args, "set2");
        size_t n1 = s1 ? s1->count : 0, n2 = s2 ? s2->count : 0;
        k->fields = arena_calloc(c->a, n1 + n2 + 1, sizeof(*k->fields));
        if (!k->fields)
            return oom(c);
        for (size_t i = 0; i < n1; i++)
            k->fields[i] = s1->u.items[i]->u.text;
        for (size_t i = 0; i < n2; i++)
            k->fields[n1 + i] = s2->u.items[i]->u.text;
        k->n_fields = n1 + n2;
        k->n_fields_a = n1;
        return 0;
    }
    case CHECK_CONDITIONAL:
        k->if_field = text_of(args, "if_field");
        k->then_field = text_of(args, "then_field");
        k->unless_field = text_of(args, "unless_set");
        k->then_err = text_of(args, "then_err");
        if ((rc = validator_set(c, k->if_field, node_map_get(args, "if_match"), &k->if_match)) <
                0 ||
            (rc = compile_and_if(c, k, node_map_get(args, "and_if"))) < 0)
            return rc;
        if ((rc = compile_sub(c, k->then_field, node_map_get(args, "then_def"), &k->then_def)) < 0)
            return rc;
        return validator_set(c, k->then_field, node_map_get(args, "then_match"), &k->then_match);
    case CHECK_FORBIDS:
    case CHECK_REQUIRES:
        k->if_field = text_of(args, "if_field");
        k->then_err = text_of(args, "err");
        if ((rc = string_list(c, node_map_get(args, "fields"), &k->fields, &k->n_fields)) < 0)
            return rc;
        return validator_set(c, k->if_field, node_map_get(args, "if_match"), &k->if_match);
    case CHECK_ORDERED: {
        if (args->kind == NODE_SEQUENCE)
            return string_list(c, args, &k->fields, &k->n_fields);
        const struct node *strict = node_map_get(args, "strict");
        k->strict = strict && strict->v.b;
        k->if_field = text_of(args, "if_field");
        k->then_err = text_of(args, "err");
        if ((rc = string_list(c, node_map_get(args, "fields"), &k->fields, &k->n_fields)) < 0 ||
            (rc = compile_and_if(c, k, node_map_get(args, "and_if"))) < 0)
            return rc;
        return validator_set(c, k->if_field, node_map_get(args, "if_match"), &k->if_match);
    }
    case CHECK_NAMES_ITEM:
        k->then_field = text_of(args, "field");
        k->by = text_of(args, "by");
        k->if_field = text_of(args, "if_field");
        k->then_err = text_of(args, "err");
        /* the list is the check's one field: a failed list skips the check */
        if (!(k->fields = arena_calloc(c->a, 2, sizeof(*k->fields))))
            return oom(c);
        k->fields[0] = text_of(args, "list");
        k->n_fields = 1;
        if ((rc = compile_and_if(c, k, node_map_get(args, "and_if"))) < 0)
            return rc;
        return validator_set(c, k->if_field, node_map_get(args, "if_match"), &k->if_match);
    case CHECK_DISTINCT_BY:
        k->derive = named_derivation_find(text_of(args, "by"));
        k->then_err = text_of(args, "err");
        return string_list(c, node_map_get(args, "fields"), &k->fields, &k->n_fields);
    case CHECK_UNCHECKED:
        k->if_field = text_of(args, "if_field");
        k->unless_field = text_of(args, "unless_set");
        k->then_err = text_of(args, "text");
        if ((rc = compile_and_if(c, k, node_map_get(args, "and_if"))) < 0)
            return rc;
        return validator_set(c, k->if_field, node_map_get(args, "if_match"), &k->if_match);
    case CHECK_CONDITIONAL_AT_LEAST_ONE_OF:
        k->if_field = text_of(args, "if_field");
        k->then_err = text_of(args, "then_err");
        k->else_err = text_of(args, "else_then_err");
        if ((rc = validator_set(c, k->if_field, node_map_get(args, "if_match"), &k->if_match)) <
                0 ||
            (rc = validator_set(c, k->if_field, node_map_get(args, "else_match"), &k->else_match)) <
                0 ||
            (rc = string_list(c, node_map_get(args, "then_at_least_one_of"), &k->then_fields,
                              &k->n_then_fields)) < 0)
            return rc;
        return string_list(c, node_map_get(args, "else_then_at_least_one_of"), &k->else_fields,
                           &k->n_else_fields);
    default:
        return string_list(c, args, &k->fields, &k->n_fields);
    }
}

/* unless_metadata: the check holds unless the plugin's metadata in the file sets the fields. */
static int compile_unless_metadata(struct cctx *c, const struct node *v, struct spec_check *k)
{
    if (!v)
        return 0;
    struct spec_unless_metadata *u = arena_calloc(c->a, 1, sizeof(*u));
    if (!u)
        return oom(c);
    u->err = text_of(v, "err");
    k->unless_metadata = u;
    return string_list(c, node_map_get(v, "sets"), &u->fields, &u->nfields);
}

static int compile_check(struct cctx *c, const struct node *item, struct spec_check *k)
{
    memset(k, 0, sizeof(*k));
    k->where = item;
    int rc = compile_unless_metadata(c, node_map_get(item, "unless_metadata"), k);
    if (rc < 0)
        return rc;
    for (uint32_t i = 0; i < item->count; i++)
        for (size_t j = 0; j < sizeof(check_kinds) / sizeof(check_kinds[0]); j++)
            if (node_text_equals(item->u.pairs[i].key, check_kinds[j].name)) {
                k->kind = check_kinds[j].kind;
                return compile_check_args(c, k, item->u.pairs[i].value);
            }
    return broken(c, item, "a check without a check keyword");
}

static int compile_checks(struct cctx *c, const struct node *checks, const struct spec_record *r,
                          struct spec_check **out, size_t *n)
{
    size_t count = checks ? checks->count : 0;
    *out = arena_calloc(c->a, count ? count : 1, sizeof(**out));
    *n = 0;
    if (!*out)
        return oom(c);
    for (size_t i = 0; i < count; i++) {
        if (!cond_holds(checks->u.items[i], c->t))
            continue;
        int rc = compile_check(c, checks->u.items[i], &(*out)[*n]);
        if (rc == 0)
            rc = place_check(c, r, &(*out)[*n]);
        if (rc < 0)
            return rc;
        (*n)++;
    }
    return 0;
}

static int compile_shorthands(struct cctx *c, const struct node *defs, struct spec_record *r)
{
    size_t count = defs ? defs->count : 0;
    r->shorthands = arena_calloc(c->a, count ? count : 1, sizeof(*r->shorthands));
    if (!r->shorthands)
        return oom(c);
    for (size_t i = 0; i < count; i++) {
        const struct node *def = defs->u.pairs[i].value;
        if (!cond_holds(def, c->t))
            continue;
        struct spec_shorthand *s = &r->shorthands[r->nshorthands++];
        s->name = defs->u.pairs[i].key->u.text;
        const struct node *expand = node_map_get(def, "expand");
        s->expand = expand ? named_expansion_find(expand->u.text) : NULL;
        s->map = node_map_get(def, "map");
        size_t nsets;
        int rc = s->expand ? 0 : string_list(c, node_map_get(def, "sets"), &s->sets, &nsets);
        if (s->expand)
            s->sets = (const char **)s->expand->fields;
        /* The value is checked as a field of its own: its type, elements, len_min and
         * deprecation; the other keys are the shorthand's and mean nothing to a field. */
        if (rc == 0 && compile_field(c, s->name, def, NULL, &s->value) < 0)
            rc = -1;
        if (rc < 0)
            return rc;
    }
    return 0;
}

/*
 * Field names differ in length and first, middle and last bytes often enough; the index is at
 * most half full and every hit is confirmed by a compare, so a cheap hash serves.
 */
static uint32_t field_hash(const char *s, size_t len)
{
    if (len == 0)
        return 0;
    return (uint32_t)len * 0x9E3779B1u ^ ((uint32_t)(unsigned char)s[0] << 8) ^
           ((uint32_t)(unsigned char)s[len / 2] << 16) ^ (uint32_t)(unsigned char)s[len - 1];
}

/* The longest name length a record's name_len holds; a longer name is compared as a string. */
enum { FIELD_NAME_LONG = UINT16_MAX };

/* Open addressing at most half full, so a lookup is a hash and one or two compares. */
static int index_fields(struct cctx *c, struct spec_record *r)
{
    uint32_t cap = 8;
    while (cap < 2 * r->nfields)
        cap *= 2;
    r->slots = arena_calloc(c->a, cap, sizeof(*r->slots));
    r->name_len = arena_calloc(c->a, r->nfields + 1, sizeof(*r->name_len));
    if (!r->slots || !r->name_len)
        return -1;
    r->slot_mask = cap - 1;
    for (size_t i = 0; i < r->nfields; i++) {
        size_t len = strlen(r->fields[i].name);
        r->name_len[i] = (uint16_t)(len < FIELD_NAME_LONG ? len : FIELD_NAME_LONG);
        uint32_t h = field_hash(r->fields[i].name, len);
        while (r->slots[h & r->slot_mask])
            h++;
        r->slots[h & r->slot_mask] = (uint32_t)i + 1;
    }
    return 0;
}

static int compile_record(struct cctx *c, const struct node *fields, const struct node *checks,
                          const struct node *shorthands, bool open, struct spec_record *out)
{
    memset(out, 0, sizeof(*out));
    out->open = open;
    out->all_fields = fields;
    size_t count = fields ? fields->count : 0;
    out->fields = arena_calloc(c->a, count ? count : 1, sizeof(*out->fields));
    if (!out->fields)
        return oom(c);
    for (size_t i = 0; i < count; i++) {
        const struct node_pair *p = &fields->u.pairs[i];
        int rc = compile_field(c, p->key->u.text, p->value, NULL, &out->fields[out->nfields]);
        if (rc < 0)
            return rc;
        out->nfields += (size_t)rc;
    }
    qsort(out->fields, out->nfields, sizeof(*out->fields), compare_fields);
    if (index_fields(c, out) < 0)
        return oom(c);
    int rc = compile_checks(c, checks, out, &out->checks, &out->nchecks);
    if (rc == 0)
        rc = compile_shorthands(c, shorthands, out);
    return rc;
}

/* ---- entities ---------------------------------------------------------------------------- */

/* A scalar entity key, or one picked from variants: [{value: x, since: ...}]. */
static const struct node *key_variant(const struct node *v, const struct target *t)
{
    if (!v || v->kind != NODE_SEQUENCE || !v->count || v->u.items[0]->kind != NODE_MAPPING)
        return v;
    const struct node *picked = pick_variant(v, t);
    return picked ? node_map_get(picked, "value") : NULL;
}

/*
 * What a subschema changes. Overlays (a subschema variant's `fields`) add keys to the entity's
 * own definitions; replacements (a Kong plugin file's `entity`) are whole definitions, used in
 * the versions they exist in.
 */
struct subschema_source {
    const struct node *names; /* a list of key values, or one */
    const struct node *fields;
    bool replace;
    const struct node *checks;
};

static int compile_changed_field(struct cctx *c, const struct node *entity_fields,
                                 const struct subschema_source *src, const struct node *def,
                                 struct spec_field *f)
{
    const char *name = f->name;
    if (!src->replace)
        return compile_field(c, name, node_map_get(entity_fields, name), def, f);
    struct spec_field replacement;
    int rc = compile_field(c, name, def, NULL, &replacement);
    if (rc > 0)
        *f = replacement;
    return rc;
}

/* A subschema's record: the entity's fields with the source's changes, then both checks. */
static int compile_subschema(struct cctx *c, const struct node *entity_fields,
                             const struct spec_record *base, const struct subschema_source *src,
                             struct spec_subschema *out)
{
    out->names = src->names;
    struct spec_record *r = &out->record;
    *r = *base;
    r->fields = arena_calloc(c->a, base->nfields ? base->nfields : 1, sizeof(*r->fields));
    if (!r->fields)
        return oom(c);
    memcpy(r->fields, base->fields, base->nfields * sizeof(*r->fields));
    const struct node *changes = src->fields;
    for (uint32_t i = 0; changes && i < changes->count; i++) {
        const char *name = changes->u.pairs[i].key->u.text;
        for (size_t j = 0; j < r->nfields; j++) {
            if (strcmp(r->fields[j].name, name) != 0)
                continue;
            int rc = compile_changed_field(c, entity_fields, src, changes->u.pairs[i].value,
                                           &r->fields[j]);
            if (rc < 0)
                return rc;
            r->fields[j].flags |= SF_SUBSCHEMA;
        }
    }
    struct spec_check *extra;
    size_t nextra;
    int rc = compile_checks(c, src->checks, base, &extra, &nextra);
    if (rc < 0)
        return rc;
    r->checks = arena_calloc(c->a, base->nchecks + nextra + 1, sizeof(*r->checks));
    if (!r->checks)
        return oom(c);
    memcpy(r->checks, base->checks, base->nchecks * sizeof(*r->checks));
    memcpy(r->checks + base->nchecks, extra, nextra * sizeof(*extra));
    r->nchecks = base->nchecks + nextra;
    return 0;
}

/*
 * Kong plugin files say which of the plugins entity's own fields the plugin defines its way
 * (`entity`: protocols, and consumer/service/route where the plugin cannot be applied): each
 * such plugin of the target is a subschema keyed by its name.
 */
static int compile_plugin_subschemas(struct cctx *c, const struct node *plugins,
                                     const struct node *entity_fields, struct spec_entity *e)
{
    for (uint32_t i = 0; plugins && i < plugins->count; i++) {
        if (!cond_holds(plugins->u.items[i], c->t))
            continue;
        const struct kb_file *file =
            kb_plugin_file(c->p, spec_item_value(plugins->u.items[i])->u.text);
        const struct node *changes = NULL, *name = NULL;
        if (file && kb_file_part(c->p->kb, file, "entity", &changes) < 0)
            return oom(c);
        if (!changes)
            continue;
        if (kb_file_part(c->p->kb, file, "plugin", &name) < 0)
            return oom(c);
        const char *outer = c->file;
        c->file = file->path;
        struct subschema_source src = {name, changes, true, NULL};
        int rc =
            compile_subschema(c, entity_fields, &e->record, &src, &e->subschemas[e->nsubschemas]);
        c->file = outer;
        if (rc < 0)
            return rc;
        e->nsubschemas++;
    }
    return 0;
}

static int compile_subschemas(struct cctx *c, const struct node *root, struct spec_entity *e)
{
    const struct node *sub = node_map_get(root, "subschemas");
    if (!sub)
        return 0;
    e->subschema_key = text_of(sub, "key");
    e->subschema_names_from_plugins = node_map_get(sub, "names_from") != NULL;
    e->plugin_config = text_of(sub, "plugin_config");
    const struct node *shared = node_map_get(sub, "shared_configs");
    e->shared_config_field = shared ? text_of(shared, "field") : NULL;
    e->shared_configs_key = shared ? text_of(shared, "from") : NULL;
    const struct node *variants = node_map_get(sub, "variants");
    const struct node *plugins =
        e->subschema_names_from_plugins ? node_map_get(c->p->product.root, "plugins") : NULL;
    size_t count = (variants ? variants->count : 0) + (plugins ? plugins->count : 0);
    e->subschemas = arena_calloc(c->a, count ? count : 1, sizeof(*e->subschemas));
    if (!e->subschemas)
        return oom(c);
    const struct node *entity_fields = node_map_get(root, "fields");
    for (size_t i = 0; variants && i < variants->count; i++) {
        const struct node *v = variants->u.items[i];
        if (!cond_holds(v, c->t))
            continue;
        struct subschema_source src = {node_map_get(v, "names"), node_map_get(v, "fields"), false,
                                       node_map_get(v, "checks")};
        int rc =
            compile_subschema(c, entity_fields, &e->record, &src, &e->subschemas[e->nsubschemas]);
        if (rc < 0)
            return rc;
        e->nsubschemas++;
    }
    return compile_plugin_subschemas(c, plugins, entity_fields, e);
}

static int fields_with(struct cctx *c, const struct spec_record *r,
                       bool (*want)(const struct spec_field *), int **out, size_t *n)
{
    *out = arena_calloc(c->a, r->nfields + 1, sizeof(**out));
    if (!*out)
        return oom(c);
    *n = 0;
    for (size_t i = 0; i < r->nfields; i++)
        if (want(&r->fields[i]))
            (*out)[(*n)++] = (int)i;
    return 0;
}

static bool is_foreign(const struct spec_field *f)
{
    return f->type == FT_FOREIGN;
}

static bool is_id_reference(const struct spec_field *f)
{
    return f->reference && f->type != FT_FOREIGN;
}

static bool is_unique(const struct spec_field *f)
{
    return (f->flags & SF_UNIQUE) != 0;
}

static bool has_unique_keys(const struct spec_field *f)
{
    return f->unique_keys != NULL;
}

/* Where the fields the entity walker reads sit, so it reads them by position. */
static int place_entity_fields(struct cctx *c, struct spec_entity *e)
{
    e->primary_at = position_of(&e->record, e->primary_key);
    e->endpoint_at = position_of(&e->record, e->endpoint_key);
    e->label_at = position_of(&e->record, e->label);
    int rc = positions(c, &e->record, e->cache_key, e->n_cache_key, &e->cache_key_at);
    if (rc == 0)
        rc = fields_with(c, &e->record, is_foreign, &e->foreign_at, &e->nforeign);
    if (rc == 0)
        rc = fields_with(c, &e->record, is_unique, &e->unique_at, &e->nunique);
    if (rc == 0)
        rc = fields_with(c, &e->record, has_unique_keys, &e->unique_keys_at, &e->nunique_keys);
    if (rc == 0)
        rc = fields_with(c, &e->record, is_id_reference, &e->id_ref_at, &e->nid_ref);
    return rc;
}

/* A boolean key of a mapping; false when absent. */
static bool flag_of(const struct node *m, const char *key)
{
    const struct node *v = node_map_get(m, key);
    return v && v->kind == NODE_SCALAR && v->type == SCALAR_BOOL && v->v.b;
}

static int compile_local_refs(struct cctx *c, const struct node *list, struct spec_entity *e)
{
    if (!list)
        return 0;
    e->local_refs = arena_calloc(c->a, list->count, sizeof(*e->local_refs));
    if (!e->local_refs)
        return oom(c);
    for (uint32_t i = 0; i < list->count; i++) {
        const struct node *item = list->u.items[i];
        if (!cond_holds(item, c->t))
            continue;
        struct spec_local_ref *ref = &e->local_refs[e->nlocal_refs++];
        ref->plugin = text_of(item, "plugin");
        ref->among = text_of(item, "among");
        ref->own_id = flag_of(item, "own_id");
        ref->adc_ids = node_map_get(item, "ids") != NULL;
        ref->err = text_of(item, "err");
        int rc = string_list(c, node_map_get(item, "field"), &ref->field, &ref->nfield);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* rewrites: the cases' matches compiled as validator sets of the rewritten field. */
static int compile_rewrites(struct cctx *c, const struct node *list, struct spec_record *r)
{
    if (!list)
        return 0;
    r->rewrites = arena_calloc(c->a, list->count, sizeof(*r->rewrites));
    if (!r->rewrites)
        return oom(c);
    for (uint32_t i = 0; i < list->count; i++) {
        const struct node *item = list->u.items[i];
        if (!cond_holds(item, c->t))
            continue;
        struct spec_rewrite *rw = &r->rewrites[r->nrewrites++];
        const struct node *cases = node_map_get(item, "cases");
        rw->field = text_of(item, "field");
        rw->cases = arena_calloc(c->a, cases->count, sizeof(*rw->cases));
        if (!rw->cases)
            return oom(c);
        for (uint32_t j = 0; j < cases->count; j++) {
            struct spec_rewrite_case *one = &rw->cases[rw->ncases++];
            one->set = node_map_get(cases->u.items[j], "set");
            int rc =
                validator_set(c, rw->field, node_map_get(cases->u.items[j], "match"), &one->match);
            if (rc < 0)
                return rc;
        }
    }
    return 0;
}

static int compile_entity(struct cctx *c, const struct kb_file *file, struct spec_entity *e)
{
    const struct node *root;
    if (kb_file_tree(c->p->kb, file, &root) < 0)
        return oom(c);
    c->file = file->path;
    memset(e, 0, sizeof(*e));
    e->where = root;
    e->name = text_of(root, "entity");
    e->singular = text_of(root, "singular");
    if (!e->singular)
        e->singular = e->name;
    e->primary_key = text_of(root, "primary_key");
    const struct node *ek = key_variant(node_map_get(root, "endpoint_key"), c->t);
    e->endpoint_key = ek ? ek->u.text : NULL;
    e->label = text_of(root, "label");
    if (!e->label)
        e->label = e->endpoint_key;
    int rc = string_list(c, key_variant(node_map_get(root, "cache_key"), c->t), &e->cache_key,
                         &e->n_cache_key);
    const struct node *open = key_variant(node_map_get(root, "open"), c->t);
    if (rc == 0)
        rc = compile_record(c, node_map_get(root, "fields"), node_map_get(root, "checks"),
                            node_map_get(root, "shorthands"), open && open->v.b, &e->record);
    if (rc == 0)
        rc = compile_rewrites(c, node_map_get(root, "rewrites"), &e->record);
    if (rc == 0)
        rc = compile_subschemas(c, root, e);
    const struct node *unchecked = key_variant(node_map_get(root, "unchecked"), c->t);
    e->unchecked = unchecked ? unchecked->u.text : NULL;
    if (rc == 0)
        rc = place_entity_fields(c, e);
    e->plugin_key = text_of(root, "plugin_key");
    const struct node *exclusive = node_map_get(root, "exclusive_children");
    if (rc == 0 && exclusive) {
        rc = string_list(c, node_map_get(exclusive, "names"), &e->exclusive_children,
                         &e->n_exclusive_children);
        e->exclusive_err = text_of(exclusive, "err");
    }
    if (rc == 0)
        rc = compile_local_refs(c, node_map_get(root, "local_refs"), e);
    const struct node *scope = node_map_get(root, "plugin_scope");
    if (scope)
        plugin_scope_from_name(scope->u.text, &e->plugin_scope);
    return rc;
}

/* Delegates name entities of the same document: resolved once every entity is compiled. */
static int link_delegates(struct cctx *c, struct spec_document *d)
{
    for (size_t i = 0; i < d->nentities; i++) {
        struct spec_entity *e = &d->entities[i];
        const struct node *list = node_map_get(e->where, "delegates");
        if (!list)
            continue;
        e->delegates = arena_calloc(c->a, list->count, sizeof(*e->delegates));
        if (!e->delegates)
            return oom(c);
        for (uint32_t j = 0; j < list->count; j++) {
            const struct node *item = list->u.items[j];
            const struct spec_entity *target = spec_entity_find(d, text_of(item, "entity"));
            const struct node *match = node_map_get(item, "match");
            if (!target || !cond_holds(item, c->t))
                continue;
            e->delegates[e->ndelegates++] = (struct spec_delegate){
                text_of(item, "field"),
                {kb_regex(c->p->kb, match->u.text, match->count), match->u.text, NULL},
                target};
        }
    }
    return 0;
}

/* Every foreign field of an entity lets that entity nest inside the one it refers to. */
static int link_children(struct cctx *c, struct spec_document *d)
{
    for (size_t pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < d->nentities; i++)
            d->entities[i].nchildren = 0;
        for (size_t i = 0; i < d->nentities; i++) {
            const struct spec_entity *child = &d->entities[i];
            for (size_t j = 0; j < child->record.nfields; j++) {
                const struct spec_field *f = &child->record.fields[j];
                struct spec_entity *parent =
                    f->type == FT_FOREIGN ? (struct spec_entity *)spec_entity_find(d, f->reference)
                                          : NULL;
                if (!parent)
                    continue;
                if (pass == 1)
                    parent->children[parent->nchildren] = (struct spec_child){child, f->name};
                parent->nchildren++;
            }
        }
        if (pass == 0)
            for (size_t i = 0; i < d->nentities; i++) {
                struct spec_entity *e = &d->entities[i];
                e->children = arena_calloc(c->a, e->nchildren + 1, sizeof(*e->children));
                if (!e->children)
                    return oom(c);
            }
    }
    return 0;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The target a document's plugins are compiled for when they are first found. */
struct spec_late_target {
    struct kb_product *p;
    struct target t;
    atomic_bool failed; /* set once error holds the first failure */
    gh_error error;
};

struct spec_plugin_late {
    struct spec_late_target *target;
    const struct kb_file *file;
    atomic_bool done; /* set, under the compile lock, once the scopes are written */
};

/* A plugin's schema per scope, from its file. */
static int compile_plugin_scopes(struct cctx *c, const struct kb_file *file, struct spec_plugin *sp)
{
    for (int scope = PLUGIN_SCOPE_CONFIG; scope < PLUGIN_SCOPE_COUNT; scope++) {
        const char *key = plugin_scope_name((enum plugin_scope)scope);
        const struct node *def;
        if (kb_file_part(c->p->kb, file, key, &def) < 0)
            return oom(c);
        int rc = compile_sub(c, sp->name, def, &sp->scopes[scope]);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* The built-in knowledge's files compile for every target (tests/unit/test_schema.c compiles
 * them all through the eager path), so a plugin compiled late fails only when memory runs out;
 * spec_document_error() tells the checks. */
static int defer_plugin_scopes(struct cctx *c, struct spec_document *d, const struct kb_file *file,
                               struct spec_plugin *sp)
{
    if (!d->late) {
        if (!(d->late = arena_calloc(c->a, 1, sizeof(*d->late))))
            return oom(c);
        d->late->p = c->p;
        d->late->t = *c->t;
    }
    if (!(sp->late = arena_calloc(c->a, 1, sizeof(*sp->late))))
        return oom(c);
    sp->late->target = d->late;
    sp->late->file = file;
    return 0;
}

static void compile_late(const struct spec_plugin *sp)
{
    struct spec_plugin_late *late = sp->late;
    struct kb *kb = late->target->p->kb;
    pthread_mutex_lock(&kb->compile_lock);
    if (!atomic_load_explicit(&late->done, memory_order_relaxed)) {
        gh_error err = {0};
        struct cctx c = {late->target->p, &late->target->t, &kb->arena, &err, late->file->path};
        if (compile_plugin_scopes(&c, late->file, (struct spec_plugin *)sp) < 0 &&
            !atomic_load(&late->target->failed)) {
            late->target->error = err;
            atomic_store(&late->target->failed, true);
        }
        atomic_store_explicit(&late->done, true, memory_order_release);
    }
    pthread_mutex_unlock(&kb->compile_lock);
}

/* Each bundled plugin's schema per scope, from plugins/<name>.yaml where there is one. */
static int compile_plugin_schemas(struct cctx *c, struct spec_document *d)
{
    struct spec_plugin *specs = arena_calloc(c->a, d->nplugins ? d->nplugins : 1, sizeof(*specs));
    if (!specs)
        return oom(c);
    d->plugin_specs = specs;
    for (size_t i = 0; i < d->nplugins; i++) {
        specs[i].name = d->plugins[i];
        const struct kb_file *file = kb_plugin_file(c->p, d->plugins[i]);
        if (!file)
            continue;
        specs[i].described = true;
        const struct node *types;
        if (kb_file_part(c->p->kb, file, "plugin_type", &types) < 0)
            return oom(c);
        const struct node *type = key_variant(types, c->t);
        specs[i].type = type ? type->u.text : NULL;
        c->file = file->path;
        int rc = c->p->kb->packed ? defer_plugin_scopes(c, d, file, &specs[i])
                                  : compile_plugin_scopes(c, file, &specs[i]);
        if (rc < 0)
            return rc;
    }
    /* Few plugins were ever deprecated: the check looks at the list only for those. */
    for (uint32_t i = 0; d->all_plugins && i < d->all_plugins->count; i++) {
        const struct node *it = d->all_plugins->u.items[i];
        const struct spec_plugin *p = it->kind == NODE_MAPPING && node_map_get(it, "deprecated")
                                          ? spec_plugin_find(d, spec_item_value(it)->u.text)
                                          : NULL;
        if (p)
            specs[p - specs].deprecations = true;
    }
    return 0;
}

/* The names of a product list (plugins, stream_plugins) that hold for the target, sorted. */
static int names_for_target(struct cctx *c, const struct node *list, const char ***out, size_t *n)
{
    size_t count = list ? list->count : 0;
    *n = 0;
    *out = arena_calloc(c->a, count ? count : 1, sizeof(**out));
    if (!*out)
        return oom(c);
    for (size_t i = 0; i < count; i++) {
        const struct node *item = list->u.items[i];
        if (cond_holds(item, c->t))
            (*out)[(*n)++] = spec_item_value(item)->u.text;
    }
    qsort(*out, *n, sizeof(**out), compare_strings);
    return 0;
}

static int compile_plugins(struct cctx *c, struct spec_document *d)
{
    d->all_plugins = node_map_get(c->p->product.root, "plugins");
    d->all_stream_plugins = node_map_get(c->p->product.root, "stream_plugins");
    int rc = names_for_target(c, d->all_plugins, &d->plugins, &d->nplugins);
    if (rc == 0)
        rc = names_for_target(c, d->all_stream_plugins, &d->stream_plugins, &d->nstream_plugins);
    return rc < 0 ? rc : compile_plugin_schemas(c, d);
}

static const struct node *value_for(const struct node *list, const struct target *t);

static int compile_document(struct cctx *c, struct spec_document *d)
{
    const struct node *root = c->p->document.root;
    d->product = c->p->name;
    d->product_name = c->p->display;
    d->target = *c->t;
    version_format(&c->t->version, d->version_text, sizeof(d->version_text));
    d->newest = c->p->versions[c->p->nversions - 1];
    const struct node *dup = value_for(node_map_get(c->p->product.root, "duplicates"), c->t);
    d->duplicates_are_errors = node_text_equals(dup, "error");
    const struct node *conflicts =
        value_for(node_map_get(c->p->product.root, "shorthand_conflicts"), c->t);
    d->shorthand_conflicts_are_errors = node_text_equals(conflicts, "error");
    d->string_env_vars = flag_of(c->p->product.root, "string_env_vars");
    d->numbers_from_strings = flag_of(c->p->product.root, "numbers_from_strings");
    d->envsubst_inferred = flag_of(c->p->product.root, "envsubst_inferred");
    d->unique_sets = flag_of(c->p->product.root, "unique_sets");
    d->missing_records_fail = flag_of(c->p->product.root, "missing_records_fail");
    d->yaml_lib = kb_yaml_lib(c->p, &c->t->version);
    d->set_when_present = node_text_equals(node_map_get(c->p->product.root, "set_when"), "present");
    d->secret_refs_skip_checks = node_text_equals(
        value_for(node_map_get(c->p->product.root, "secret_references"), c->t), "skip_checks");
    d->lengths_in_characters =
        node_text_equals(node_map_get(c->p->product.root, "string_length"), "characters");
    d->unknown_plugins_ignored = node_text_equals(
        value_for(node_map_get(c->p->product.root, "unknown_plugins"), c->t), "ignored");
    c->file = c->p->document.path;
    int rc = compile_record(c, node_map_get(root, "fields"), NULL, NULL, false, &d->meta);
    if (rc == 0)
        rc = compile_record(c, node_map_get(root, "entity_fields"), NULL, NULL, false,
                            &d->entity_extras);
    if (rc < 0)
        return rc;
    d->unknown_keys_ignored = node_text_equals(node_map_get(root, "unknown_keys"), "ignored");
    d->misplaced_keys = node_map_get(root, "misplaced_keys");
    d->plugin_declarations = node_map_get(root, "plugin_declarations");
    d->merged_files = flag_of(root, "merged_files");
    const struct node *list = node_map_get(root, "entities");
    d->all_entities = list;
    d->entities = arena_calloc(c->a, c->p->nentities + 1, sizeof(*d->entities));
    if (!d->entities)
        return oom(c);
    for (size_t i = 0; i < c->p->nentities; i++) {
        if (!cond_holds(list->u.items[i], c->t))
            continue;
        struct spec_entity *e = &d->entities[d->nentities];
        if ((rc = compile_entity(c, &c->p->entities[i], e)) < 0)
            return rc;
        e->name = spec_item_value(list->u.items[i])->u.text; /* the collection's own key */
        const struct node *nested = node_map_get(list->u.items[i], "nested_only");
        e->nested_only = nested && nested->v.b;
        e->index = d->nentities++;
    }
    if ((rc = link_children(c, d)) < 0 || (rc = link_delegates(c, d)) < 0)
        return rc;
    if (expr_lang_compile(node_map_get(c->p->product.root, "expressions"), &d->target, d->product,
                          d->version_text, c->a, &d->expr) < 0)
        return oom(c);
    return compile_plugins(c, d);
}

static bool same_target(const struct target *a, const struct target *b)
{
    return version_compare(&a->version, &b->version) == 0 && a->flavor == b->flavor &&
           strcmp(a->router_flavor ? a->router_flavor : "",
                  b->router_flavor ? b->router_flavor : "") == 0 &&
           strcmp(a->edition ? a->edition : "", b->edition ? b->edition : "") == 0 &&
           a->backend == b->backend &&
           (!a->backend || version_compare(&a->backend_version, &b->backend_version) == 0);
}

static int compile_cached(struct kb *kb, struct kb_product *p, const struct target *t,
                          const struct spec_document **out, gh_error *err);

/* A file configuring another product through a tool takes that product's plugins: ADC passes
 * a plugin's configuration to APISIX as it is written. */
static int take_backend_plugins(struct kb *kb, const struct target *t, struct spec_document *d,
                                gh_error *err)
{
    struct target bt = {.version = t->backend_version, .flavor = FLAVOR_APISIX};
    bt.router_flavor = kb_default_router_flavor(t->backend, &t->backend_version);
    const struct spec_document *b;
    int rc = compile_cached(kb, (struct kb_product *)t->backend, &bt, &b, err);
    if (rc < 0)
        return rc;
    d->plugins = b->plugins;
    d->nplugins = b->nplugins;
    d->plugin_specs = b->plugin_specs;
    d->late = b->late;
    d->all_plugins = b->all_plugins;
    d->stream_plugins = b->stream_plugins;
    d->nstream_plugins = b->nstream_plugins;
    d->all_stream_plugins = b->all_stream_plugins;
    /* Findings name the release asked for, the backend's. */
    d->product = b->product;
    d->product_name = b->product_name;
    memcpy(d->version_text, b->version_text, sizeof(d->version_text));
    return 0;
}

static int compile_cached(struct kb *kb, struct kb_product *p, const struct target *t,
                          const struct spec_document **out, gh_error *err)
{
    for (size_t i = 0; i < p->ncache; i++)
        if (same_target(&p->cache[i].target, t)) {
            *out = p->cache[i].doc;
            return 0;
        }
    if (p->ncache == p->cache_cap) {
        size_t cap = p->cache_cap ? p->cache_cap * 2 : 4;
        struct kb_cache_entry *e = realloc(p->cache, cap * sizeof(*e));
        if (!e)
            return error_set(err, GH_ENOMEM, "out of memory");
        p->cache = e;
        p->cache_cap = cap;
    }
    struct spec_document *d = arena_calloc(&kb->arena, 1, sizeof(*d));
    if (!d)
        return error_set(err, GH_ENOMEM, "out of memory");
    int rc = kb_product_ready_locked(p, err);
    if (rc < 0)
        return rc;
    struct cctx c = {p, t, &kb->arena, err, p->document.path};
    rc = compile_document(&c, d);
    if (rc == 0 && t->backend)
        rc = take_backend_plugins(kb, t, d, err);
    if (rc < 0)
        return rc;
    p->cache[p->ncache++] = (struct kb_cache_entry){*t, d};
    *out = d;
    return 0;
}

int kb_compile(struct kb *kb, const struct kb_product *product, const struct target *t,
               const struct spec_document **out, gh_error *err)
{
    pthread_mutex_lock(&kb->compile_lock);
    int rc = compile_cached(kb, (struct kb_product *)product, t, out, err);
    pthread_mutex_unlock(&kb->compile_lock);
    return rc;
}

/* ---- lookups ----------------------------------------------------------------------------- */

static int compare_name(const void *key, const void *item)
{
    return strcmp(key, *(const char *const *)item);
}

const struct spec_plugin *spec_plugin_find(const struct spec_document *d, const char *name)
{
    const char **at = bsearch(name, d->plugins, d->nplugins, sizeof(*d->plugins), compare_name);
    const struct spec_plugin *sp = at ? &d->plugin_specs[at - d->plugins] : NULL;
    if (sp && sp->late && !atomic_load_explicit(&sp->late->done, memory_order_acquire))
        compile_late(sp);
    return sp;
}

const gh_error *spec_document_error(const struct spec_document *d)
{
    return d && d->late && atomic_load(&d->late->failed) ? &d->late->error : NULL;
}

bool spec_runs_on_stream_routes(const struct spec_document *d, const char *name)
{
    return bsearch(name, d->stream_plugins, d->nstream_plugins, sizeof(*d->stream_plugins),
                   compare_name) != NULL;
}

const struct spec_field *spec_plugin_schema(const struct spec_plugin *p, enum plugin_scope scope,
                                            bool *is_config)
{
    const struct spec_field *f = p->scopes[scope];
    /* Without a schema of their own, consumers, stream routes and plugin metadata use the
     * plugin's configuration schema: APISIX's check_schema validates against `schema` whatever
     * the schema type when the plugin has no consumer_schema or metadata_schema. */
    if (!f && (scope == PLUGIN_SCOPE_CONSUMER || scope == PLUGIN_SCOPE_STREAM ||
               scope == PLUGIN_SCOPE_METADATA))
        scope = PLUGIN_SCOPE_CONFIG, f = p->scopes[scope];
    /* APISIX injects `_meta` into every plugin's schema, HTTP and stream alike. */
    *is_config = scope == PLUGIN_SCOPE_CONFIG || scope == PLUGIN_SCOPE_STREAM;
    return f;
}

const struct spec_entity *spec_entity_find(const struct spec_document *d, const char *name)
{
    for (size_t i = 0; name && i < d->nentities; i++)
        if (strcmp(d->entities[i].name, name) == 0)
            return &d->entities[i];
    return NULL;
}

const struct spec_field *spec_record_field(const struct spec_record *r, const char *name,
                                           size_t len)
{
    if (!r->slots)
        return NULL;
    for (uint32_t h = field_hash(name, len);; h++) {
        uint32_t slot = r->slots[h & r->slot_mask];
        if (!slot)
            return NULL;
        const struct spec_field *f = &r->fields[slot - 1];
        size_t known = r->name_len[slot - 1];
        if (known == FIELD_NAME_LONG ? strncmp(f->name, name, len) == 0 && f->name[len] == '\0'
                                     : known == len && memcmp(f->name, name, len) == 0)
            return f;
    }
}

const struct spec_field *spec_record_path_start(const struct spec_record *r, const char *path)
{
    const char *dot = strchr(path, '.');
    return spec_record_field(r, path, dot ? (size_t)(dot - path) : strlen(path));
}

const struct spec_shorthand *spec_record_shorthand(const struct spec_record *r, const char *name,
                                                   size_t len)
{
    for (size_t i = 0; i < r->nshorthands; i++)
        if (strlen(r->shorthands[i].name) == len && !memcmp(r->shorthands[i].name, name, len))
            return &r->shorthands[i];
    return NULL;
}

static const struct spec_subschema *subschema_named(const struct spec_entity *e,
                                                    const struct node *v)
{
    if (!node_is_string(v))
        return NULL;
    for (size_t i = 0; i < e->nsubschemas; i++) {
        const struct node *names = e->subschemas[i].names;
        if (names->kind != NODE_SEQUENCE && node_equal(names, v))
            return &e->subschemas[i];
        for (uint32_t j = 0; names->kind == NODE_SEQUENCE && j < names->count; j++)
            if (node_equal(names->u.items[j], v))
                return &e->subschemas[i];
    }
    return NULL;
}

/* The subschema chosen by the key's value; for a list, its first element that names one. */
const struct spec_record *spec_entity_record_for(const struct spec_entity *e,
                                                 const struct node *item)
{
    if (!e->subschema_key || !e->nsubschemas)
        return &e->record;
    const struct node *v = node_map_get(item, e->subschema_key);
    if (!v) {
        const struct spec_field *f =
            spec_record_field(&e->record, e->subschema_key, strlen(e->subschema_key));
        v = f ? f->default_value : NULL;
    }
    const struct spec_subschema *s = NULL;
    if (v && v->kind == NODE_SEQUENCE) {
        for (uint32_t i = 0; i < v->count && !s; i++)
            s = subschema_named(e, v->u.items[i]);
    } else {
        s = subschema_named(e, v);
    }
    return s ? &s->record : &e->record;
}

const struct spec_entity *spec_entity_for_item(const struct spec_entity *e, const struct node *item)
{
    for (size_t i = 0; i < e->ndelegates; i++) {
        const struct spec_delegate *dl = &e->delegates[i];
        const struct node *v = item ? node_map_get(item, dl->field) : NULL;
        if (!node_is_string(v) || !dl->match.re)
            continue;
        pcre2_match_data *md = pcre2_match_data_create_from_pattern(dl->match.re, NULL);
        int rc =
            md ? pcre2_match(dl->match.re, (PCRE2_SPTR)v->u.text, v->count, 0, 0, md, NULL) : -1;
        pcre2_match_data_free(md);
        if (rc >= 0)
            return dl->entity;
    }
    return e;
}

/* ---- the product's own lists ------------------------------------------------------------- */

size_t kb_product_count(const struct kb *kb)
{
    return kb->nproducts;
}

const struct kb_product *kb_product_at(const struct kb *kb, size_t index)
{
    return &kb->products[index];
}

const struct kb_product *kb_product_find(const struct kb *kb, const char *name)
{
    for (size_t i = 0; i < kb->nproducts; i++)
        if (strcmp(kb->products[i].name, name) == 0)
            return &kb->products[i];
    return NULL;
}

const char *kb_product_name(const struct kb_product *p)
{
    return p->name;
}

size_t kb_version_count(const struct kb_product *p)
{
    return p->nversions;
}

const struct version *kb_version_at(const struct kb_product *p, size_t index)
{
    return &p->versions[index];
}

const char *kb_version_text(const struct kb_product *p, size_t index)
{
    return p->version_texts[index];
}

const struct version *kb_version_match(const struct kb_product *p, const struct version *v)
{
    for (size_t i = 0; i < p->nversions; i++)
        if (version_same_minor(&p->versions[i], v))
            return &p->versions[i];
    return NULL;
}

const struct version *kb_format_assume(const struct kb_product *p, const char *format_version)
{
    const struct node *list = node_map_get(p->product.root, "format_versions");
    for (uint32_t i = 0; list && i < list->count; i++) {
        const struct node *item = list->u.items[i];
        if (!node_text_equals(node_map_get(item, "value"), format_version))
            continue;
        const struct node *assume = node_map_get(item, "assume");
        struct version v;
        version_parse(assume->u.text, assume->count, &v);
        return kb_version_match(p, &v);
    }
    return NULL;
}

static const struct node *value_for(const struct node *list, const struct target *t)
{
    for (uint32_t i = 0; list && i < list->count; i++) {
        const struct node *item = list->u.items[i];
        if (cond_holds(item, t))
            return spec_item_value(item);
    }
    return NULL;
}

const char *kb_default_router_flavor(const struct kb_product *p, const struct version *v)
{
    struct target t = {.version = *v, .flavor = FLAVOR_KONG};
    const struct node *n = value_for(node_map_get(p->product.root, "default_router_flavor"), &t);
    return n ? n->u.text : NULL;
}

bool kb_has_format_versions(const struct kb_product *p)
{
    return node_map_get(p->product.root, "format_versions") != NULL;
}

bool kb_has_router_flavors(const struct kb_product *p)
{
    return node_map_get(p->product.root, "router_flavors") != NULL;
}

const char *kb_end_marker(const struct kb_product *p)
{
    const struct node *n = node_map_get(p->product.root, "end_marker");
    return n ? n->u.text : NULL;
}

enum yaml_lib kb_yaml_lib(const struct kb_product *p, const struct version *v)
{
    struct target t = {.version = *v, .flavor = FLAVOR_KONG};
    const struct node *n = value_for(node_map_get(p->product.root, "yaml_parser"), &t);
    enum yaml_lib lib = YAML_LIB_LYAML;
    if (n)
        yaml_lib_from_name(n->u.text, &lib); /* the loader let through only known names */
    return lib;
}

bool kb_names_yaml_libs(const struct kb_product *p)
{
    return node_map_get(p->product.root, "yaml_parser") != NULL;
}

const char *kb_lyaml_since(const struct kb_product *p)
{
    const struct node *list = node_map_get(p->product.root, "yaml_parser");
    for (uint32_t i = 0; list && i < list->count; i++) {
        const struct node *item = list->u.items[i];
        const struct node *since = node_map_get(item, "since");
        if (since && node_text_equals(spec_item_value(item), "lyaml"))
            return since->u.text;
    }
    return NULL;
}

bool kb_reads_json(const struct kb_product *p, const struct version *v)
{
    const struct node *since = node_map_get(p->product.root, "json_since");
    struct version first;
    return !since ||
           (version_parse(since->u.text, since->count, &first) && version_compare(v, &first) >= 0);
}

const char *kb_router_flavor_find(const struct kb_product *p, const struct version *v,
                                  const char *name)
{
    struct target t = {.version = *v, .flavor = FLAVOR_KONG};
    const struct node *list = node_map_get(p->product.root, "router_flavors");
    for (uint32_t i = 0; list && i < list->count; i++) {
        const struct node *item = list->u.items[i];
        const struct node *value = spec_item_value(item);
        if (node_text_equals(value, name))
            return cond_holds(item, &t) ? value->u.text : NULL;
    }
    return NULL;
}

bool kb_has_editions(const struct kb_product *p)
{
    return node_map_get(p->product.root, "editions") != NULL;
}

/* The edition entry a name or an alias names. */
static const struct node *edition_entry(const struct kb_product *p, const char *name)
{
    return spec_choice_find(node_map_get(p->product.root, "editions"), name);
}

const char *kb_edition_find(const struct kb_product *p, const char *name)
{
    const struct node *item = edition_entry(p, name);
    return item ? node_map_get(item, "value")->u.text : NULL;
}

const struct kb_product *kb_backend_find(const struct kb_product *p, const char *name,
                                         struct version *since, const char **description)
{
    const struct node *list = node_map_get(p->product.root, "backends");
    const struct node *item = spec_choice_find(list, name);
    const struct node *from = item ? node_map_get(item, "since") : NULL;
    *since = (struct version){{0}, 0};
    if (from)
        version_parse(from->u.text, from->count, since);
    *description = item ? node_map_get(item, "description")->u.text : NULL;
    return item ? kb_product_find(p->kb, name) : NULL;
}

bool kb_edition_exists(const struct kb_product *p, const char *edition, const struct version *v)
{
    struct target t = {.version = *v, .flavor = FLAVOR_KONG};
    const struct node *item = edition_entry(p, edition);
    return item && cond_holds(item, &t);
}

const char *kb_usual_edition(const struct kb_product *p)
{
    const struct node *list = node_map_get(p->product.root, "editions");
    return list ? node_map_get(list->u.items[0], "value")->u.text : NULL;
}

const struct version *kb_latest(const struct kb_product *p, const char *edition)
{
    if (!edition)
        edition = kb_usual_edition(p);
    size_t i = kb_version_count(p);
    while (edition && i > 1 && !kb_edition_exists(p, edition, kb_version_at(p, i - 1)))
        i--;
    return kb_version_at(p, i - 1);
}

/* The first edition listed that has both releases: the one assumed when none is asked for. */
static const char *default_edition(const struct kb_product *p, const struct version *a,
                                   const struct version *b)
{
    const struct node *list = node_map_get(p->product.root, "editions");
    for (uint32_t i = 0; list && i < list->count; i++) {
        const char *name = node_map_get(list->u.items[i], "value")->u.text;
        if (kb_edition_exists(p, name, a) && kb_edition_exists(p, name, b))
            return name;
    }
    return NULL;
}

/* "oss, enterprise": the editions, for messages. */
static void edition_names(const struct kb_product *p, char *out, size_t size)
{
    const struct node *list = node_map_get(p->product.root, "editions");
    out[0] = '\0';
    for (uint32_t i = 0; list && i < list->count; i++) {
        size_t used = strlen(out);
        snprintf(out + used, size - used, "%s%s", i ? ", " : "",
                 node_map_get(list->u.items[i], "value")->u.text);
    }
}

int kb_edition_choose(const struct kb_product *p, const char *asked, const struct version *a,
                      const struct version *b, const char **out, gh_error *err)
{
    *out = NULL;
    if (!kb_has_editions(p))
        return asked ? error_set(err, GH_EUSAGE, "--edition %s: %s has no editions to choose from",
                                 asked, p->display)
                     : 0;
    char text[32];
    if (!asked) {
        if ((*out = default_edition(p, a, b)))
            return 0;
        version_format(b, text, sizeof(text));
        return error_set(err, GH_EVERSION, "no edition of %s has both releases asked for (%s)",
                         p->display, text);
    }
    const char *edition = kb_edition_find(p, asked);
    if (!edition) {
        char names[128];
        edition_names(p, names, sizeof(names));
        return error_set(err, GH_EUSAGE, "--edition '%s': %s has the editions %s", asked,
                         p->display, names);
    }
    const struct version *missing = !kb_edition_exists(p, edition, a)   ? a
                                    : !kb_edition_exists(p, edition, b) ? b
                                                                        : NULL;
    if (!missing) {
        *out = edition;
        return 0;
    }
    version_format(missing, text, sizeof(text));
    return error_set(err, GH_EVERSION, "%s %s was never released as %s (--edition %s)", p->display,
                     text, kb_edition_description(p, edition), edition);
}

const char *kb_edition_description(const struct kb_product *p, const char *edition)
{
    const struct node *item = edition_entry(p, edition);
    return item ? node_map_get(item, "description")->u.text : NULL;
}

void kb_free(struct kb *kb)
{
    if (!kb)
        return;
    for (size_t i = 0; i < kb->nproducts; i++)
        free(kb->products[i].cache);
    free(kb->products);
    for (size_t i = 0; i < kb->nregexes; i++)
        pcre2_code_free(kb->regexes[i]);
    free(kb->regexes);
    strmap_release(&kb->regex_index);
    arena_release(&kb->arena);
    pthread_mutex_destroy(&kb->compile_lock);
    free(kb);
}
