#include "kongconf.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/model_node.h"
#include "reader/reader.h"
#include "util/util_buf.h"
#include "util/util_embed.h"
#include "util/util_error.h"
#include "util/util_str.h"

#define KNOWLEDGE_PATH "schemas/kong/conf.yaml"

struct kconf_kb {
    struct arena arena; /* holds the tree */
    const struct node *properties, *prefixes;
    const struct node *role_rules; /* hybrid-mode checks that read settings together */
    struct version *releases;
    size_t nreleases;
};

/* ---- the knowledge ----------------------------------------------------------------------------
 */

static struct version version_of(const struct node *n)
{
    struct version v = {0};
    if (node_is_string(n))
        version_parse(n->u.text, n->count, &v);
    return v;
}

/* A {since, until} mapping holds v: since <= v < until (either may be absent). */
static bool span_holds(const struct node *span, const struct version *v)
{
    struct version since = version_of(node_map_get(span, "since"));
    struct version until = version_of(node_map_get(span, "until"));
    return (!version_is_set(&since) || version_compare(&since, v) <= 0) &&
           (!version_is_set(&until) || version_compare(v, &until) < 0);
}

/* One span, or a list of them: whether any holds v. */
static bool spans_hold(const struct node *spans, const struct version *v)
{
    if (!spans)
        return false;
    if (spans->kind == NODE_MAPPING)
        return span_holds(spans, v);
    for (uint32_t i = 0; spans->kind == NODE_SEQUENCE && i < spans->count; i++)
        if (span_holds(spans->u.items[i], v))
            return true;
    return false;
}

/* Of a list of {since[, until], value}, the value at v (the last whose span holds it). */
static const struct node *value_at(const struct node *list, const struct version *v)
{
    const struct node *found = NULL;
    for (uint32_t i = 0; list && list->kind == NODE_SEQUENCE && i < list->count; i++)
        if (span_holds(list->u.items[i], v))
            found = node_map_get(list->u.items[i], "value");
    return found;
}

static const char *text_of(const struct node *n)
{
    return node_is_string(n) ? n->u.text : NULL;
}

int kconf_kb_load(struct kconf_kb **out, gh_error *err)
{
    *out = NULL;
    const struct embedded_file *f = embedded_find(KNOWLEDGE_PATH);
    if (!f)
        return error_set(err, GH_ESCHEMA, "the binary holds no %s", KNOWLEDGE_PATH);
    struct kconf_kb *kb = calloc(1, sizeof(*kb));
    if (!kb)
        return error_set(err, GH_ENOMEM, "out of memory");
    arena_init(&kb->arena, 64 * 1024);
    struct node *root = NULL;
    int rc = reader_load_knowledge(KNOWLEDGE_PATH, f->data, f->size, &kb->arena, &root, err);
    const struct node *releases = root ? node_map_get(root, "releases") : NULL;
    if (rc == 0 && (!(kb->properties = node_map_get(root, "properties")) || !releases ||
                    releases->kind != NODE_SEQUENCE || !releases->count))
        rc = error_set(err, GH_ESCHEMA, "%s: not the knowledge of kong.conf", KNOWLEDGE_PATH);
    if (rc == 0 && !(kb->releases = calloc(releases->count, sizeof(*kb->releases))))
        rc = error_set(err, GH_ENOMEM, "out of memory");
    for (uint32_t i = 0; rc == 0 && i < releases->count; i++)
        kb->releases[kb->nreleases++] = version_of(releases->u.items[i]);
    if (rc < 0) {
        kconf_kb_free(kb);
        return rc;
    }
    kb->prefixes = node_map_get(root, "dynamic_prefixes");
    kb->role_rules = node_map_get(root, "role_rules");
    *out = kb;
    return 0;
}

void kconf_kb_free(struct kconf_kb *kb)
{
    if (!kb)
        return;
    arena_release(&kb->arena);
    free(kb->releases);
    free(kb);
}

struct version kconf_kb_newest(const struct kconf_kb *kb)
{
    return kb->releases[kb->nreleases - 1];
}

struct version kconf_kb_resolve(const struct kconf_kb *kb, const struct version *v)
{
    return version_tag_for(kb->releases, kb->nreleases, v);
}

/* ---- what a release reads -----------------------------------------------------------------------
 */

static const struct node *property(const struct kconf_kb *kb, const char *name)
{
    return node_map_get(kb->properties, name);
}

static bool exists_at(const struct node *p, const struct version *v)
{
    return p && span_holds(p, v);
}

/* A dynamic prefix of release v the name starts with (its settings are read as they are). */
static const char *prefix_of(const struct kconf_kb *kb, const char *name, const struct version *v)
{
    for (uint32_t i = 0; kb->prefixes && i < kb->prefixes->count; i++) {
        const struct node *p = kb->prefixes->u.items[i];
        const char *prefix = text_of(node_map_get(p, "prefix"));
        if (prefix && span_holds(p, v) && !strncmp(name, prefix, strlen(prefix)))
            return prefix;
    }
    return NULL;
}

/* Release v reads the name: a property in its kong_defaults.lua, or a name under a prefix. */
static bool reads(const struct kconf_kb *kb, const char *name, const struct version *v)
{
    const struct node *p = property(kb, name);
    if (exists_at(p, v) && !spans_hold(node_map_get(p, "not_read"), v)) {
        const struct node *in_defaults = node_map_get(p, "in_defaults");
        if (!in_defaults || spans_hold(in_defaults, v))
            return true;
    }
    return prefix_of(kb, name, v) != NULL;
}

static const char *type_at(const struct node *p, const struct version *v)
{
    const char *t = text_of(value_at(node_map_get(p, "types"), v));
    return t ? t : text_of(node_map_get(p, "type"));
}

static const char *default_at(const struct node *p, const struct version *v)
{
    return text_of(value_at(node_map_get(p, "defaults"), v));
}

/* The deprecation in force at v (deprecated is one mapping or a list of them), or NULL. */
static const struct node *deprecation_at(const struct node *p, const struct version *v)
{
    const struct node *d = node_map_get(p, "deprecated");
    if (d && d->kind == NODE_MAPPING)
        return span_holds(d, v) ? d : NULL;
    for (uint32_t i = 0; d && d->kind == NODE_SEQUENCE && i < d->count; i++)
        if (span_holds(d->u.items[i], v))
            return d->u.items[i];
    return NULL;
}

const char *kconf_rename_for(const struct kconf_kb *kb, const char *name, const struct version *to)
{
    const struct node *p = property(kb, name);
    if (!p || (reads(kb, name, to) && !deprecation_at(p, to)))
        return NULL;
    const struct node *d = deprecation_at(p, to);
    if (!d) { /* no longer read: the replacement Kong named last */
        d = node_map_get(p, "deprecated");
        if (d && d->kind == NODE_SEQUENCE)
            d = d->count ? d->u.items[d->count - 1] : NULL;
    }
    const char *replacement = text_of(node_map_get(d, "replacement"));
    if (!replacement || text_of(node_map_get(d, "value")))
        return NULL; /* a deprecated value, not a name */
    for (const char *c = replacement; *c; c++)
        if (!(*c == '_' || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9')))
            return NULL; /* "a / b": two properties take its place */
    return reads(kb, replacement, to) ? replacement : NULL;
}

/* ---- findings -----------------------------------------------------------------------------------
 */

struct run {
    const struct kconf_kb *kb;
    const struct version *at, *to;
    char at_text[32], to_text[32];
    struct diag_sink *sink;
    struct buf text;
};

static void report(struct run *run, enum rule_id rule, int severity, const struct kconf_entry *e,
                   bool on_value, const char *message)
{
    uint32_t col = on_value ? e->value_column : e->name_column;
    size_t len = on_value ? strlen(e->value) : strlen(e->name);
    struct span at = {e->line, col, e->line, col + (uint32_t)(len ? len : 1)};
    char path[160];
    snprintf(path, sizeof(path), "/%s", e->name);
    diag_add(run->sink, rule, severity, &at, path, NULL, "%s", message);
}

/* The releases a property is read in, for a message: "3.0 to 3.9", "2.0 to before 3.0". */
static void life(const struct node *p, char *out, size_t size)
{
    const char *since = text_of(node_map_get(p, "since"));
    const char *until = text_of(node_map_get(p, "until"));
    if (until)
        snprintf(out, size, "Kong %s to before %s", since ? since : "?", until);
    else
        snprintf(out, size, "Kong %s and later", since ? since : "?");
}

/* A name the release does not read: unknown to every release, or not read by this one. */
static void not_read(struct run *run, const struct kconf_entry *e, const struct version *v,
                     const char *v_text)
{
    const struct node *p = property(run->kb, e->name);
    buf_clear(&run->text);
    if (!p) {
        buf_printf(&run->text, "no Kong release has a property '%s'; Kong %s ignores it", e->name,
                   v_text);
        const char *near = NULL;
        size_t best = 3;
        for (uint32_t i = 0; i < run->kb->properties->count; i++) {
            const char *name = run->kb->properties->u.pairs[i].key->u.text;
            size_t d = str_edit_distance(e->name, name);
            if (d < best && reads(run->kb, name, v))
                best = d, near = name;
        }
        if (near)
            buf_printf(&run->text, " (did you mean '%s'?)", near);
        report(run, R_HOP4701, -1, e, false, buf_cstr(&run->text));
        return;
    }
    char span[96];
    life(p, span, sizeof(span));
    buf_printf(&run->text, "Kong %s does not read '%s' and ignores it (the property is read by %s)",
               v_text, e->name, span);
    /* the replacement Kong named last (deprecated is one mapping or a list of them) */
    const struct node *d = node_map_get(p, "deprecated");
    if (d && d->kind == NODE_SEQUENCE)
        d = d->count ? d->u.items[d->count - 1] : NULL;
    const char *replacement = text_of(node_map_get(d, "replacement"));
    if (replacement)
        buf_printf(&run->text, "; its replacement is '%s'", replacement);
    report(run, R_HOP4702, -1, e, false, buf_cstr(&run->text));
}

static void deprecated(struct run *run, const struct kconf_entry *e, const struct node *d,
                       const char *v_text)
{
    const char *value = text_of(node_map_get(d, "value"));
    if (value && strcasecmp(value, e->value))
        return; /* only that value is deprecated */
    const char *replacement = text_of(node_map_get(d, "replacement"));
    const struct node *alias = node_map_get(d, "alias");
    bool works = !alias || (alias->type == SCALAR_BOOL && alias->v.b);
    buf_clear(&run->text);
    if (value)
        buf_printf(&run->text, "Kong %s deprecates the value '%s' of '%s'", v_text, value, e->name);
    else
        buf_printf(&run->text, "Kong %s deprecates '%s'%s", v_text, e->name,
                   works ? " (it still takes effect, for now)" : " and ignores it");
    if (replacement)
        buf_printf(&run->text, ": use '%s'", replacement);
    report(run, R_HOP4703, -1, e, value != NULL, buf_cstr(&run->text));
}

/* Splits an array value as the loader does: on commas, each element trimmed. */
static size_t elements(const char *value, char out[][128], size_t max)
{
    size_t n = 0;
    for (const char *s = value; n < max;) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        while (len && isspace((unsigned char)*s))
            s++, len--;
        while (len && isspace((unsigned char)s[len - 1]))
            len--;
        snprintf(out[n++], 128, "%.*s", (int)len, s);
        if (!comma)
            break;
        s = comma + 1;
    }
    return n;
}

/* A message of the knowledge with its one %s filled in (the text is data: never a format). */
static void fill_message(struct buf *b, const char *msg, const char *fallback, const char *arg)
{
    const char *m = msg ? msg : fallback, *hole = strstr(m, "%s");
    buf_clear(b);
    if (!hole) {
        buf_puts(b, m);
        return;
    }
    buf_append(b, m, (size_t)(hole - m));
    buf_puts(b, arg);
    buf_puts(b, hole + 2);
}

static bool listed(const struct node *values, const char *v, bool any_case)
{
    for (uint32_t i = 0; values && i < values->count; i++) {
        const char *allowed = text_of(values->u.items[i]);
        if (allowed && (any_case ? !strcasecmp(allowed, v) : !strcmp(allowed, v)))
            return true;
    }
    return false;
}

static bool is_number(const char *s)
{
    char *end;
    strtod(s, &end);
    return end != s && !*end;
}

static bool below(double x, double bound)
{
    return x < bound;
}

static bool at_most(double x, double bound)
{
    return x <= bound;
}

static bool above(double x, double bound)
{
    return x > bound;
}

static bool at_least(double x, double bound)
{
    return x >= bound;
}

/* The comparisons a reject_number check's terms make ("< 0", "<= 0", "> 1000", ">= 1"). */
static const struct {
    const char *op;
    bool (*holds)(double x, double bound);
} comparisons[] = {{"<=", at_most}, {"<", below}, {">=", at_least}, {">", above}};

/* Whether one term of a reject_number check holds for x: a comparison, or "not_integer". */
static bool term_holds(const char *term, double x)
{
    if (!strcmp(term, "not_integer"))
        return x != floor(x);
    for (size_t i = 0; i < sizeof(comparisons) / sizeof(comparisons[0]); i++) {
        size_t n = strlen(comparisons[i].op);
        char *end;
        if (strncmp(term, comparisons[i].op, n))
            continue;
        double bound = strtod(term + n, &end);
        return end != term + n && comparisons[i].holds(x, bound);
    }
    return false;
}

/* A number the loader refuses: any term of `when` holds (Kong joins them with `or`). A value
 * that is not a number is the type's finding, not this one. */
static bool number_refused(const struct node *when, const char *value)
{
    if (!is_number(value))
        return false;
    double x = strtod(value, NULL);
    for (uint32_t i = 0; when && when->kind == NODE_SEQUENCE && i < when->count; i++) {
        const char *term = text_of(when->u.items[i]);
        if (term && term_holds(term, x))
            return true;
    }
    return false;
}

/* The loader's check function's lists: each entry allowed, the value allowed, a value
 * refused or deprecated, a number out of its bounds. */
static void run_checks(struct run *run, const struct kconf_entry *e, const struct node *p,
                       const struct version *v)
{
    const struct node *checks = node_map_get(p, "checks");
    for (uint32_t i = 0; checks && i < checks->count; i++) {
        const struct node *c = checks->u.items[i];
        const char *kind = text_of(node_map_get(c, "kind"));
        const char *msg = text_of(node_map_get(c, "message"));
        const char *one = text_of(node_map_get(c, "value"));
        const struct node *values = node_map_get(c, "values"),
                          *cs = node_map_get(c, "case_insensitive");
        bool any_case = cs && cs->type == SCALAR_BOOL && cs->v.b;
        if (!kind || !span_holds(c, v))
            continue;
        char items[64][128];
        size_t n = !strcmp(kind, "entries") ? elements(e->value, items, 64) : 0;
        for (size_t k = 0; k < n; k++)
            if (*items[k] && !listed(values, items[k], any_case)) {
                fill_message(&run->text, msg, "invalid entry '%s'", items[k]);
                report(run, R_HOP4704, -1, e, true, buf_cstr(&run->text));
            }
        bool is_one = one && !strcasecmp(e->value, one);
        if (is_one && (!strcmp(kind, "rejected_value") || !strcmp(kind, "deprecated_value"))) {
            fill_message(&run->text, msg, "the value '%s' is not accepted", e->value);
            report(run, !strcmp(kind, "rejected_value") ? R_HOP4704 : R_HOP4703, -1, e, true,
                   buf_cstr(&run->text));
        }
        if (!strcmp(kind, "value") && *e->value && !listed(values, e->value, any_case)) {
            fill_message(&run->text, msg, "invalid value '%s'", e->value);
            report(run, R_HOP4704, -1, e, true, buf_cstr(&run->text));
        }
        if (!strcmp(kind, "reject_number") && number_refused(node_map_get(c, "when"), e->value)) {
            fill_message(&run->text, msg, "the value '%s' is out of bounds", e->value);
            report(run, R_HOP4704, -1, e, true, buf_cstr(&run->text));
        }
    }
}

/* The value as the loader's types read it (kong/conf_loader parse_value, check_and_parse). */
/* What the loader's type makes of the value: a message and its severity, or nothing. A
 * boolean or Nginx boolean Kong reads otherwise than written is a warning (it starts, and
 * does the other thing); a number that is not one is an error (it refuses to start). */
static int type_problem(struct buf *b, const char *type, const struct kconf_entry *e)
{
    const char *value = e->value;
    if (!strcmp(type, "number") && !is_number(value))
        return buf_printf(b, "%s is not a number: '%s'", e->name, value), -1;
    if (!strcmp(type, "boolean") && strcmp(value, "on") && strcmp(value, "off") &&
        strcmp(value, "true") && strcmp(value, "false"))
        return buf_printf(b,
                          "'%s' is read as false: Kong takes only on and true as true, and on, "
                          "off, true or false is what it expects",
                          value),
               GH_WARNING;
    if (!strcmp(type, "ngx_boolean") && strcmp(value, "on") && strcmp(value, "off"))
        return buf_printf(b, "'%s' is read as off: Kong takes only on as on", value), GH_WARNING;
    return -1;
}

/* A value outside the property's list at v (lists are of string properties only). */
static void enum_problem(struct buf *b, const struct node *enums, const struct kconf_entry *e,
                         const struct version *v)
{
    bool plain = node_is_string(enums->u.items[0]), ok = false;
    struct buf allowed;
    buf_init(&allowed, 4096);
    for (uint32_t i = 0; i < enums->count; i++) {
        const struct node *item = enums->u.items[i];
        const char *name = plain ? text_of(item) : text_of(node_map_get(item, "value"));
        if (!name || (!plain && !span_holds(item, v)))
            continue;
        ok |= !strcmp(name, e->value);
        buf_printf(&allowed, "%s%s", allowed.len ? ", " : "", name);
    }
    if (!ok)
        buf_printf(b, "%s has an invalid value: '%s' (%s)", e->name, e->value, buf_cstr(&allowed));
    buf_release(&allowed);
}

/* The value as the loader's types read it (kong/conf_loader parse_value, check_and_parse). */
static void check_value(struct run *run, const struct kconf_entry *e, const struct node *p,
                        const struct version *v)
{
    const char *type = type_at(p, v);
    if (!*e->value || !type)
        return; /* unset: the default applies */
    buf_clear(&run->text);
    int severity = type_problem(&run->text, type, e);
    const struct node *enums = node_map_get(p, "enum");
    if (!run->text.len && enums && enums->count)
        enum_problem(&run->text, enums, e, v);
    if (run->text.len)
        report(run, R_HOP4704, severity, e, true, buf_cstr(&run->text));
    run_checks(run, e, p, v);
}

static void check_entry(struct run *run, const struct kconf_entry *e, const struct version *v,
                        const char *v_text)
{
    if (!reads(run->kb, e->name, v)) {
        not_read(run, e, v, v_text);
        return;
    }
    const struct node *p = property(run->kb, e->name);
    if (!p)
        return; /* a name under a dynamic prefix: an Nginx directive, taken as it is */
    const struct node *d = deprecation_at(p, v);
    if (d)
        deprecated(run, e, d, v_text);
    check_value(run, e, p, v);
}

/* ---- settings read together (role_rules) ------------------------------------------------- */

/* The file's entry for a property (the last: Kong keeps the last value), or NULL. */
static const struct kconf_entry *entry_for(const struct kconf_input *in, const char *name)
{
    for (size_t k = in->count; k-- > 0;)
        if (!strcmp(in->entries[k].name, name))
            return &in->entries[k];
    return NULL;
}

/* The value in effect at v: the file's, else the release's default ("" when unset). */
static const char *in_effect(const struct run *run, const struct kconf_input *in, const char *name,
                             const struct version *v)
{
    const struct kconf_entry *e = entry_for(in, name);
    if (e)
        return e->value;
    const char *d = default_at(property(run->kb, name), v);
    return d ? d : "";
}

/* A list setting's entries, none when its value is blank (Kong: unset, or an empty list). */
static size_t list_entries(const char *value, char out[][128], size_t max)
{
    const char *c = value;
    while (isspace((unsigned char)*c))
        c++;
    return *c ? elements(value, out, max) : 0;
}

/* Whether a listener list is empty or begins with off. */
static bool listens_off(const char *value)
{
    char items[64][128];
    size_t n = list_entries(value, items, 64);
    return n == 0 || !strcmp(items[0], "off");
}

/* Whether the value is one of the words of list (space-separated). */
static bool among(const char *value, const char *list)
{
    size_t n = strlen(value);
    for (const char *w = list; *w;) {
        size_t len = strcspn(w, " ");
        if (len == n && !strncmp(w, value, n))
            return true;
        w += len + (w[len] == ' ');
    }
    return false;
}

/* The settings the file leaves out whose defaults made a rule hold: the node may set them
 * elsewhere (a kong.conf beside KONG_* variables, or the other way round). */
struct defaulted {
    char names[4][128];
    const char *values[4]; /* the release's default; "" when unset */
    size_t count;
};

static void note_default(struct defaulted *d, const char *name, const char *value)
{
    for (size_t i = 0; i < d->count; i++)
        if (!strcmp(d->names[i], name))
            return;
    if (d->count < 4) {
        snprintf(d->names[d->count], sizeof(d->names[0]), "%s", name);
        d->values[d->count++] = value;
    }
}

/* A term's setting name into name (its first word) and what follows it into *rest; false when
 * the term has no second word or the name is too long. */
static bool term_name(const char *term, char name[128], const char **rest)
{
    size_t n = strcspn(term, " ");
    if (!n || n >= 128 || !term[n])
        return false;
    memcpy(name, term, n);
    name[n] = '\0';
    *rest = term + n + 1;
    return true;
}

static bool one_term_holds(const struct run *run, const struct kconf_input *in, const char *name,
                           const char *op, const struct version *v)
{
    const char *value = in_effect(run, in, name, v);
    if (!strncmp(op, "= ", 2))
        return !strcmp(value, op + 2);
    if (!strncmp(op, "!= ", 3))
        return strcmp(value, op + 3) != 0;
    if (!strncmp(op, "in ", 3))
        return among(value, op + 3);
    if (!strcmp(op, "unset"))
        return !*value;
    if (!strcmp(op, "off"))
        return listens_off(value);
    if (!strcmp(op, "true")) /* Kong's booleans: on and true are true, anything else false */
        return !strcmp(value, "on") || !strcmp(value, "true");
    if (!strcmp(op, "nonempty")) {
        char items[64][128];
        return list_entries(value, items, 64) > 0;
    }
    return false;
}

/* One term of a rule's `when`: "name = value", "name != value", "name in a b", "name unset",
 * "name off", "name true", "name nonempty". An unknown term never holds: the rule is then not
 * reported. A term that holds on a default the file leaves out is noted in *d. */
static bool one_term_is_true(const struct run *run, const struct kconf_input *in, const char *term,
                             const struct version *v, struct defaulted *d)
{
    char name[128];
    const char *op;
    if (!term_name(term, name, &op))
        return false;
    bool holds = one_term_holds(run, in, name, op, v);
    if (holds && !entry_for(in, name))
        note_default(d, name, in_effect(run, in, name, v));
    return holds;
}

/* A term, or terms joined by " | ", of which one must hold. */
static bool term_is_true(const struct run *run, const struct kconf_input *in, const char *term,
                         const struct version *v, struct defaulted *d)
{
    char one[256];
    for (const char *t = term;;) {
        const char *bar = strstr(t, " | ");
        size_t n = bar ? (size_t)(bar - t) : strlen(t);
        if (n < sizeof(one)) {
            memcpy(one, t, n);
            one[n] = '\0';
            if (one_term_is_true(run, in, one, v, d))
                return true;
        }
        if (!bar)
            return false;
        t = bar + 3;
    }
}

/* Kong's message on one line (its "\n" before a hint becomes ". "), and the defaults it rests
 * on, which the node may set elsewhere. */
static void rule_message(struct buf *b, const char *msg, const struct defaulted *d)
{
    buf_clear(b);
    for (const char *c = msg; *c; c++) {
        if (*c == '\n')
            buf_puts(b, ". ");
        else
            buf_putc(b, *c);
    }
    if (!d->count)
        return;
    buf_puts(b, "; this file leaves out ");
    for (size_t i = 0; i < d->count; i++) {
        buf_printf(b, "%s%s", i == 0 ? "" : i + 1 == d->count ? " and " : ", ", d->names[i]);
        if (*d->values[i])
            buf_printf(b, " (default '%s')", d->values[i]);
        else
            buf_puts(b, " (unset by default)");
    }
    buf_printf(b, ", which the node may set elsewhere");
}

/*
 * The hybrid-mode checks: each rule whose terms all hold on the values in effect, reported at
 * the line of its first term's setting (the role, or cluster_dp_labels off a data plane). A
 * rule whose first setting the file leaves out is not reported: the defaults are a
 * traditional node's, which none of them concerns.
 */
static void role_rules(struct run *run, const struct kconf_input *in, const struct version *v)
{
    for (uint32_t i = 0; run->kb->role_rules && i < run->kb->role_rules->count; i++) {
        const struct node *r = run->kb->role_rules->u.items[i];
        const struct node *when = node_map_get(r, "when");
        const char *msg = text_of(node_map_get(r, "message"));
        if (!msg || !when || when->kind != NODE_SEQUENCE || !when->count || !span_holds(r, v))
            continue;
        const char *first = text_of(when->u.items[0]), *op;
        char name[128];
        if (!first || !term_name(first, name, &op))
            continue;
        const struct kconf_entry *e = entry_for(in, name);
        bool all = e != NULL;
        struct defaulted d = {0};
        for (uint32_t k = 0; all && k < when->count; k++) {
            const char *term = text_of(when->u.items[k]);
            all = term && term_is_true(run, in, term, v, &d);
        }
        if (all) {
            rule_message(&run->text, msg, &d);
            /* resting on a default the node may set elsewhere: a warning, not an error */
            report(run, R_HOP4704, d.count ? GH_WARNING : -1, e, true, buf_cstr(&run->text));
        }
    }
}

/* With a target: a property the file leaves out whose default changes on the way. */
static void defaults_changed(struct run *run, const struct kconf_input *in)
{
    for (uint32_t i = 0; i < run->kb->properties->count; i++) {
        const char *name = run->kb->properties->u.pairs[i].key->u.text;
        const struct node *p = run->kb->properties->u.pairs[i].value;
        const char *before = default_at(p, run->at), *after = default_at(p, run->to);
        if (entry_for(in, name) || !before || !after || !strcmp(before, after) ||
            !reads(run->kb, name, run->to))
            continue;
        buf_clear(&run->text);
        if (*before)
            buf_printf(&run->text,
                       "the default of '%s' changes from '%s' (Kong %s) to '%s' (Kong %s), and "
                       "the file leaves it out: set %s = %s to keep it",
                       name, before, run->at_text, after, run->to_text, name, before);
        else
            buf_printf(&run->text,
                       "'%s' is unset by default in Kong %s and '%s' in Kong %s, and the file "
                       "leaves it out: check that '%s' suits this node",
                       name, run->at_text, after, run->to_text, after);
        struct span top = {0}; /* about the file as a whole */
        char path[160];
        snprintf(path, sizeof(path), "/%s", name);
        diag_add(run->sink, R_HOP4705, -1, &top, path, NULL, "%s", buf_cstr(&run->text));
    }
}

void kconf_check(const struct kconf_kb *kb, const struct kconf_input *in, const struct version *at,
                 const struct version *to, struct diag_sink *sink)
{
    struct run run = {.kb = kb, .at = at, .to = to, .sink = sink};
    buf_init(&run.text, 16 * 1024);
    version_format(at, run.at_text, sizeof(run.at_text));
    if (to && version_is_set(to))
        version_format(to, run.to_text, sizeof(run.to_text));
    const struct version *v = run.to_text[0] ? to : at;
    const char *v_text = run.to_text[0] ? run.to_text : run.at_text;
    for (size_t i = 0; i < in->count; i++)
        check_entry(&run, &in->entries[i], v, v_text);
    role_rules(&run, in, v);
    if (run.to_text[0])
        defaults_changed(&run, in);
    buf_release(&run.text);
}
