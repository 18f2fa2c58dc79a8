#include "schema_validate.h"

#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "reader/reader_locate.h"
#include "util/util_array.h"
#include "util/util_buf.h"
#include "util/util_str.h"
#include "util/util_strmap.h"
#include "util/util_utf8.h"

struct failure {
    bool quiet; /* test mode: only whether it failed matters, so no message is made */
    enum rule_id rule;
    long offset;           /* byte offset inside the value, or -1 */
    const struct node *at; /* the part of the value the message is about, or NULL */
    bool from_err;         /* the message is the data's own `err` text */
    char message[512];
};

static bool failed(struct failure *fl, enum rule_id rule, const char *fmt, ...) GH_PRINTF(3, 4);

static bool failed(struct failure *fl, enum rule_id rule, const char *fmt, ...)
{
    fl->rule = rule;
    fl->offset = -1;
    fl->at = NULL;
    fl->from_err = false;
    if (fl->quiet)
        return false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(fl->message, sizeof(fl->message), fmt, ap);
    va_end(ap);
    return false;
}

bool vctx_init(struct vctx *c, struct diag_sink *sink, struct path *path, struct arena *scratch)
{
    memset(c, 0, sizeof(*c));
    c->sink = sink;
    c->path = path;
    c->scratch = scratch;
    c->placeholders = true;
    c->placeholder_kind = PLACEHOLDERS_DECK;
    /* One ovector pair is enough: only whether a pattern matches is asked. */
    c->match_data = pcre2_match_data_create(1, NULL);
    return c->match_data != NULL;
}

void vctx_release(struct vctx *c)
{
    pcre2_match_data_free(c->match_data);
    c->match_data = NULL;
}

/* ---- small helpers ----------------------------------------------------------------------- */

bool placeholder_kind_from_name(const char *name, enum placeholder_kind *out)
{
    static const char *const names[] = {[PLACEHOLDERS_DECK] = "deck",
                                        [PLACEHOLDERS_ENVSUBST] = "envsubst",
                                        [PLACEHOLDERS_NONE] = "none"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (!strcmp(names[i], name)) {
            *out = (enum placeholder_kind)i;
            return true;
        }
    return false;
}

static bool deck_placeholder(const struct node *n)
{
    const char *open = strstr(n->u.text, "${{");
    return open && strstr(open, "}}");
}

/* The first $NAME or ${NAME} in text (a shell variable's name), or NULL; *len its length. */
static const char *shell_variable(const char *text, size_t *len)
{
    for (const char *p = strchr(text, '$'); p; p = strchr(p + 1, '$')) {
        bool braced = p[1] == '{';
        const char *name = p + 1 + braced;
        size_t n = 0;
        if (isalpha((unsigned char)name[0]) || name[0] == '_')
            while (isalnum((unsigned char)name[n]) || name[n] == '_')
                n++;
        if (n && (!braced || name[n] == '}')) {
            *len = n;
            return name;
        }
    }
    return NULL;
}

bool holds_placeholder(enum placeholder_kind kind, const struct node *n)
{
    if (kind == PLACEHOLDERS_NONE || !node_is_string(n) || !memchr(n->u.text, '$', n->count))
        return false;
    size_t len;
    return deck_placeholder(n) ||
           (kind == PLACEHOLDERS_ENVSUBST && shell_variable(n->u.text, &len));
}

bool is_placeholder(const struct vctx *c, const struct node *n)
{
    return c->placeholders && holds_placeholder(c->placeholder_kind, n);
}

/* ADC's `${NAME}` (a word in braces): replaced by the environment variable before ADC checks
 * the file, so the string's content is not known here. `\${NAME}` is an escape, not a variable. */
static bool holds_env_var(const struct node *n)
{
    if (!node_is_string(n))
        return false;
    const char *text = n->u.text, *end = text + n->count;
    for (const char *p = memchr(text, '$', n->count); p; p = memchr(p + 1, '$', end - p - 1)) {
        if (p + 1 == end || p[1] != '{' || (p > text && p[-1] == '\\'))
            continue;
        const char *q = p + 2;
        while (q < end && (isalnum((unsigned char)*q) || *q == '_'))
            q++;
        if (q > p + 2 && q < end && *q == '}')
            return true;
    }
    return false;
}

static bool all_digits_in_base(const char *s, const char *end, int base)
{
    if (s == end)
        return false;
    for (; s < end; s++) {
        int d = isdigit((unsigned char)*s)    ? *s - '0'
                : isxdigit((unsigned char)*s) ? tolower((unsigned char)*s) - 'a' + 10
                                              : 99;
        if (d >= base)
            return false;
    }
    return true;
}

/* A decimal literal as JavaScript writes one: digits with an optional fraction and exponent. */
static bool is_decimal_literal(const char *s, const char *end)
{
    const char *digits = s;
    while (s < end && isdigit((unsigned char)*s))
        s++;
    bool any = s > digits;
    if (s < end && *s == '.') {
        const char *fraction = ++s;
        while (s < end && isdigit((unsigned char)*s))
            s++;
        any = any || s > fraction;
    }
    if (any && s < end && (*s == 'e' || *s == 'E')) {
        s++;
        if (s < end && (*s == '+' || *s == '-'))
            s++;
        const char *exponent = s;
        while (s < end && isdigit((unsigned char)*s))
            s++;
        any = s > exponent;
    }
    return any && s == end;
}

/* JavaScript's Number(text), which zod's coerce applies: surrounding white space is ignored,
 * an empty string is 0, 0x/0o/0b prefixes give other bases. False for NaN. */
static bool js_number(const char *text, size_t len, double *out)
{
    const char *s = text, *end = text + len;
    while (s < end && isspace((unsigned char)*s))
        s++;
    while (end > s && isspace((unsigned char)end[-1]))
        end--;
    char copy[64];
    if ((size_t)(end - s) >= sizeof(copy))
        return false;
    memcpy(copy, s, (size_t)(end - s));
    copy[end - s] = '\0';
    static const struct {
        char letter;
        int base;
    } prefixes[] = {{'x', 16}, {'o', 8}, {'b', 2}};
    for (size_t i = 0; end - s > 2 && s[0] == '0' && i < 3; i++)
        if (tolower((unsigned char)s[1]) == prefixes[i].letter) {
            if (!all_digits_in_base(s + 2, end, prefixes[i].base))
                return false;
            *out = (double)strtoull(copy + 2, NULL, prefixes[i].base);
            return true;
        }
    const char *unsigned_part = s < end && (*s == '+' || *s == '-') ? s + 1 : s;
    if ((size_t)(end - unsigned_part) == 8 && !memcmp(unsigned_part, "Infinity", 8)) {
        *out = *s == '-' ? -INFINITY : INFINITY;
        return true;
    }
    if (s == end) {
        *out = 0;
        return true;
    }
    if (!is_decimal_literal(unsigned_part, end))
        return false;
    *out = strtod(copy, NULL);
    return true;
}

/* APISIX's is_secret_ref: `$secret://`, or `$env://` in any case. */
static bool is_secret_reference(const struct node *n)
{
    if (!node_is_string(n) || n->count < 7 || n->u.text[0] != '$')
        return false;
    return !strncmp(n->u.text, "$secret://", 10) || !strncasecmp(n->u.text, "$env://", 7);
}

static bool is_vault_reference(const struct node *n)
{
    return node_is_string(n) && n->count > 10 && !strncmp(n->u.text, "{vault://", 9) &&
           n->u.text[n->count - 1] == '}';
}

static bool is_set(const struct node *n)
{
    if (!n || node_is_null(n))
        return false;
    if (n->kind == NODE_SCALAR)
        return !(n->type == SCALAR_STRING && n->count == 0);
    return n->count > 0;
}

/* APISIX (product.yaml `set_when: present`): a written key is set, even to "", [], {} or null. */
static bool nulls_are_values(const struct vctx *c)
{
    return c->doc && c->doc->set_when_present;
}

static bool counts_as_set(const struct vctx *c, const struct node *n)
{
    return nulls_are_values(c) ? n != NULL : is_set(n);
}

static const char *type_phrase(enum field_type t)
{
    static const char *const phrases[] = {
        [FT_STRING] = "a string",
        [FT_INTEGER] = "an integer",
        [FT_NUMBER] = "a number",
        [FT_BOOLEAN] = "a boolean",
        [FT_ARRAY] = "an array",
        [FT_SET] = "a set",
        [FT_MAP] = "a map",
        [FT_RECORD] = "a record",
        [FT_FOREIGN] = "a reference (a name or an id)",
        [FT_ANY] = "any value",
    };
    return phrases[t];
}

static bool type_ok(enum field_type t, const struct node *n)
{
    switch (t) {
    case FT_STRING:
        return node_is_string(n);
    case FT_INTEGER:
        return n->kind == NODE_SCALAR &&
               (n->type == SCALAR_INT ||
                (n->type == SCALAR_FLOAT && isfinite(n->v.f) && floor(n->v.f) == n->v.f));
    case FT_NUMBER:
        return node_is_number(n);
    case FT_BOOLEAN:
        return n->kind == NODE_SCALAR && n->type == SCALAR_BOOL;
    case FT_ARRAY:
    case FT_SET: /* an empty {} is an empty table to Kong, so an empty list too */
        return n->kind == NODE_SEQUENCE || (n->kind == NODE_MAPPING && n->count == 0);
    case FT_MAP:
    case FT_RECORD:
        return n->kind == NODE_MAPPING || (n->kind == NODE_SEQUENCE && n->count == 0);
    case FT_FOREIGN:
        return node_is_string(n) || n->kind == NODE_MAPPING;
    default:
        return true;
    }
}

/* A scalar's text for messages, quoted; never a secret. */
static void show(const struct vctx *c, const struct node *n, char *out, size_t size)
{
    const char *v = diag_value(c->sink, n, c->secret);
    snprintf(out, size, "%s", v);
}

static void list_values(const struct node *const *items, size_t n, struct buf *b)
{
    for (size_t i = 0; i < n; i++) {
        const struct node *item = items[i];
        const struct node *v = spec_item_value(item);
        buf_printf(b, "%s%s", i ? ", " : "", v && v->kind == NODE_SCALAR ? v->u.text : "?");
    }
}

static bool pattern_matches(const struct vctx *c, const struct spec_pattern *p,
                            const struct node *n)
{
    if (!c->match_data)
        return true; /* out of memory earlier: do not invent a finding */
    int rc = pcre2_match(p->re, (PCRE2_SPTR)n->u.text, n->count, 0, 0, c->match_data, NULL);
    return rc >= 0;
}

/* `values` applies to a key unless `keys_matching` leaves it out (JSON schema's
 * patternProperties: a key that does not match is not checked at all). */
static bool values_apply(const struct vctx *c, const struct spec_field *f, const struct node *key)
{
    if (!f->values)
        return false;
    if (!f->keys_matching)
        return true;
    return key && key->kind == NODE_SCALAR && pattern_matches(c, f->keys_matching, key);
}

static bool is_uuid(const struct node *n)
{
    static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
    if (n->count != sizeof(shape) - 1)
        return false;
    for (size_t i = 0; i < n->count; i++) {
        char c = n->u.text[i];
        bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (shape[i] == '-' ? c != '-' : !hex)
            return false;
    }
    return true;
}

/* A string's length in bytes, or in UTF-8 characters where the product counts so (APISIX's
 * JSON schema: minLength and maxLength count characters); a list's or map's item count. */
static int64_t length_of(const struct vctx *c, const struct node *n)
{
    if (c->doc && c->doc->lengths_in_characters && node_is_string(n))
        return (int64_t)utf8_count(n->u.text, n->count);
    return (int64_t)n->count;
}

/* ---- validators, in Kong's order --------------------------------------------------------- */

static const struct node *find_item(const struct node *const *items, size_t n, const struct node *v)
{
    for (size_t i = 0; i < n; i++) {
        const struct node *item = items[i];
        const struct node *value = spec_item_value(item);
        if (node_equal(value, v))
            return item;
    }
    return NULL;
}

/* A value listed for another version: "'latency' was added in kong 3.2". */
static bool value_of_other_version(const struct vctx *c, const struct spec_field *f,
                                   const struct node *n, struct failure *fl)
{
    const struct node *list = f->all_one_of;
    for (uint32_t i = 0; list && i < list->count; i++) {
        const struct node *item = list->u.items[i];
        if (item->kind != NODE_MAPPING || !node_equal(node_map_get(item, "value"), n))
            continue;
        enum rule_id rule;
        char phrase[160], shown[128];
        if (!cond_explain(item, &c->doc->target, c->doc->product, &rule, phrase, sizeof(phrase)))
            return false;
        show(c, n, shown, sizeof(shown));
        if (c->evidence && !c->secret) {
            char what[160];
            snprintf(what, sizeof(what), "the value %s", shown);
            evidence_note_value(c->evidence, item, &c->doc->target, what, &n->span);
        }
        failed(fl, rule == R_HOP2001 ? R_HOP2004 : rule,
               "the value %s %s, so %s %s does not accept it", shown, phrase, c->doc->product,
               c->doc->version_text);
        return true;
    }
    return false;
}

/* Fails with the values listed: lead, the values, tail (no buffer is made unless it fails: a
 * value is checked against a list far more often than it is not on it). */
static bool failed_listing(struct failure *fl, const char *lead, const struct node *const *items,
                           size_t n, const char *tail)
{
    struct buf b;
    buf_init(&b, 4096);
    list_values(items, n, &b);
    failed(fl, R_HOP2004, "%s%s%s", lead, buf_cstr(&b), tail);
    buf_release(&b);
    return false;
}

/* Whether another release's definition of a field (a variant) takes the value n. */
typedef bool (*variant_takes_fn)(const struct node *variant, const struct node *n);

/* Notes the releases whose definition of the field takes n, where the target's does not, as
 * evidence of them (what: "the value 'x' for 'field'"); first_only: the oldest such only. */
static void note_other_releases(const struct vctx *c, const struct spec_field *f,
                                const struct node *n, variant_takes_fn takes, bool first_only,
                                const char *what)
{
    for (uint32_t i = 0; i < f->variants->count; i++) {
        const struct node *variant = f->variants->u.items[i];
        if (variant == f->where || !takes(variant, n))
            continue;
        evidence_note_value(c->evidence, variant, &c->doc->target, what, &n->span);
        if (first_only)
            return;
    }
}

/* Whether a release's definition of a field lists the value among its one_of values. */
static bool variant_lists_value(const struct node *variant, const struct node *n)
{
    const struct node *list =
        variant->kind == NODE_MAPPING ? node_map_get(variant, "one_of") : NULL;
    for (uint32_t i = 0; list && list->kind == NODE_SEQUENCE && i < list->count; i++)
        if (list->u.items[i]->kind == NODE_SCALAR && node_equal(list->u.items[i], n))
            return true;
    return false;
}

/* A value another release's definition of the field lists (ai-proxy's provider 'gemini': 3.8):
 * evidence of that release. The variants run from the oldest release to the newest, and the
 * first that lists the value says when it came (a later one listing it too says nothing more). */
static void note_value_of_other_release(const struct vctx *c, const struct spec_field *f,
                                        const struct node *n)
{
    if (!c->evidence || c->secret || !f->variants)
        return;
    char what[160], shown[96];
    show(c, n, shown, sizeof(shown));
    snprintf(what, sizeof(what), "the value %s for '%.40s'", shown, c->field ? c->field : f->name);
    note_other_releases(c, f, n, variant_lists_value, true, what);
}

static bool check_enums(const struct vctx *c, const struct spec_field *f, const struct node *n,
                        struct failure *fl, const struct node **matched)
{
    char shown[128];
    shown[0] = '\0';
    /* A subschema's rule depends on another field (a gRPC route's strip_path). */
    enum rule_id rule = (f->flags & SF_SUBSCHEMA) ? R_HOP2008 : R_HOP2004;
    if (f->ne && !node_is_null(f->ne) && node_equal(n, f->ne)) {
        if (!fl->quiet)
            show(c, f->ne, shown, sizeof(shown));
        return failed(fl, rule, "value must not be %s", shown);
    }
    if (f->eq && !node_is_null(f->eq) && !node_equal(n, f->eq)) {
        if (!fl->quiet)
            show(c, f->eq, shown, sizeof(shown));
        return failed(fl, rule, "value must be %s", shown);
    }
    if (fl->quiet) {
        if (f->n_not_one_of && find_item(f->not_one_of, f->n_not_one_of, n))
            return failed(fl, R_HOP2004, "not one of");
        if (f->one_of && !(*matched = find_item(f->one_of, f->n_one_of, n)))
            return failed(fl, R_HOP2004, "one of");
        return true;
    }
    if (f->n_not_one_of && find_item(f->not_one_of, f->n_not_one_of, n))
        return failed_listing(fl, "must not be one of: ", f->not_one_of, f->n_not_one_of, "");
    if (!f->one_of || (*matched = find_item(f->one_of, f->n_one_of, n)))
        return true;
    if (value_of_other_version(c, f, n, fl))
        return false;
    note_value_of_other_release(c, f, n);
    char got[160];
    show(c, n, shown, sizeof(shown));
    snprintf(got, sizeof(got), "; got %s", shown);
    return failed_listing(fl, "expected one of: ", f->one_of, f->n_one_of, got);
}

static bool check_numbers(const struct spec_field *f, const struct node *n, struct failure *fl)
{
    if (!node_is_number(n))
        return true;
    double v = node_number(n);
    if ((f->flags & SF_GT) && !(v > f->gt))
        return failed(fl, R_HOP2005, "value must be greater than %g", f->gt);
    if ((f->flags & SF_BETWEEN) && (v < f->between_min || v > f->between_max))
        return failed(fl, R_HOP2005, "value should be between %.0f and %.0f", f->between_min,
                      f->between_max);
    return true;
}

static bool check_lengths(const struct vctx *c, const struct spec_field *f, const struct node *n,
                          struct failure *fl)
{
    if (n->kind == NODE_SCALAR && n->type != SCALAR_STRING)
        return true;
    int64_t len = length_of(c, n);
    int64_t min = f->len_min;
    if (min < 0 && node_is_string(n))
        min = 1; /* Kong rejects empty strings unless the field allows them */
    if (f->len_eq >= 0 && len != f->len_eq)
        return failed(fl, R_HOP2006, "length must be %lld", (long long)f->len_eq);
    if (min >= 0 && len < min)
        return failed(fl, R_HOP2006, "length must be at least %lld", (long long)min);
    if (f->len_max >= 0 && len > f->len_max)
        return failed(fl, R_HOP2006, "length must be at most %lld", (long long)f->len_max);
    return true;
}

static bool invalid_by_pattern(const struct vctx *c, const struct node *n, const char *err,
                               struct failure *fl)
{
    if (fl->quiet)
        return failed(fl, R_HOP2007, "invalid");
    if (err)
        return failed(fl, R_HOP2007, "%s", err);
    char shown[128];
    show(c, n, shown, sizeof(shown));
    return failed(fl, R_HOP2007, "invalid value: %s", shown);
}

static bool check_patterns(const struct vctx *c, const struct spec_field *f, const struct node *n,
                           struct failure *fl)
{
    if (!node_is_string(n))
        return true;
    if (f->starts_with && strncmp(n->u.text, f->starts_with, strlen(f->starts_with)) != 0)
        return failed(fl, R_HOP2007, "should start with: %s", f->starts_with);
    if (f->not_match && pattern_matches(c, f->not_match, n))
        return invalid_by_pattern(c, n, NULL, fl);
    for (size_t i = 0; i < f->n_match_none; i++)
        if (pattern_matches(c, &f->match_none[i], n))
            return invalid_by_pattern(c, n, f->match_none[i].err, fl);
    if (f->match && !pattern_matches(c, f->match, n))
        return invalid_by_pattern(c, n, NULL, fl);
    for (size_t i = 0; i < f->n_match_all; i++)
        if (!pattern_matches(c, &f->match_all[i], n))
            return invalid_by_pattern(c, n, f->match_all[i].err, fl);
    if (f->n_match_any) {
        for (size_t i = 0; i < f->n_match_any; i++)
            if (pattern_matches(c, &f->match_any[i], n))
                return true;
        return invalid_by_pattern(c, n, f->match_any_err, fl);
    }
    return true;
}

static bool check_contains(const struct vctx *c, const struct spec_field *f, const struct node *n,
                           struct failure *fl)
{
    if (!f->contains || n->kind != NODE_SEQUENCE)
        return true;
    for (uint32_t i = 0; i < n->count; i++)
        if (node_equal(n->u.items[i], f->contains))
            return true;
    char shown[128] = "";
    if (!fl->quiet)
        show(c, f->contains, shown, sizeof(shown));
    return failed(fl, R_HOP2007, "expected to contain: %s", shown);
}

static bool check_named(const struct vctx *c, const struct spec_field *f, const struct node *n,
                        struct failure *fl)
{
    if (!f->node_validator && (!f->validator || !node_is_string(n)))
        return true;
    struct named_result r = {R_HOP2007, -1, NULL, ""};
    bool ok = f->node_validator ? f->node_validator->fn(n, &c->env, &r)
                                : f->validator->fn(n->u.text, n->count, &c->env, &r);
    if (ok)
        return true;
    failed(fl, r.rule, "%s", r.message);
    fl->offset = r.offset;
    fl->at = r.at;
    return false;
}

static bool check_value(const struct vctx *c, const struct spec_field *f, const struct node *n,
                        struct failure *fl, const struct node **matched);

/* A part's err with %1 ... %9 replaced by the captured groups (<redacted> inside a secret). */
static void format_part_err(const struct vctx *c, const char *err, const char *text,
                            const PCRE2_SIZE *ov, uint32_t ngroups, char *out, size_t size)
{
    struct buf b;
    buf_init(&b, size);
    for (const char *p = err; *p; p++) {
        unsigned g = p[0] == '%' && p[1] >= '1' && p[1] <= '9' ? (unsigned)(p[1] - '0') : 0;
        if (!g) {
            buf_putc(&b, *p);
            continue;
        }
        p++;
        if (g <= ngroups && ov[2 * g] != PCRE2_UNSET)
            buf_printf(&b, "%.*s", c->secret ? 10 : (int)(ov[2 * g + 1] - ov[2 * g]),
                       c->secret ? "<redacted>" : text + ov[2 * g]);
    }
    snprintf(out, size, "%s", buf_cstr(&b));
    buf_release(&b);
}

/* One captured group checked as a string of its own; an unset group is a null value. */
static bool check_part(const struct vctx *c, const struct spec_field *part, const struct node *n,
                       const PCRE2_SIZE *ov, uint32_t ngroups, uint32_t g, struct failure *fl)
{
    struct node sub = *n;
    bool unset = ov[2 * g] == PCRE2_UNSET;
    char *text =
        unset ? NULL : arena_strndup(c->scratch, n->u.text + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
    if (!unset && !text)
        return true; /* out of memory: do not invent a finding */
    sub.type = unset ? SCALAR_NULL : SCALAR_STRING;
    sub.u.text = unset ? "" : text;
    sub.count = unset ? 0 : (uint32_t)(ov[2 * g + 1] - ov[2 * g]);
    const struct node *matched;
    if (check_value(c, part, &sub, fl, &matched))
        return true;
    if (part->err && !fl->quiet) {
        format_part_err(c, part->err, n->u.text, ov, ngroups, fl->message, sizeof(fl->message));
        fl->from_err = true;
    }
    /* An offset inside the part becomes one inside the whole value. */
    fl->offset = unset ? -1 : (long)ov[2 * g] + (fl->offset > 0 ? fl->offset : 0);
    return false;
}

/* captures: the pattern must match, and each group must pass its part's validators. */
static bool check_captures(const struct vctx *c, const struct spec_field *f, const struct node *n,
                           struct failure *fl)
{
    if (!f->captures || !node_is_string(n))
        return true;
    const struct spec_captures *cap = f->captures;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(cap->pattern.re, NULL);
    if (!md)
        return true;
    bool ok = true;
    if (pcre2_match(cap->pattern.re, (PCRE2_SPTR)n->u.text, n->count, 0, 0, md, NULL) < 0) {
        ok = invalid_by_pattern(c, n, cap->pattern.err, fl);
    } else {
        const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        uint32_t ngroups = pcre2_get_ovector_count(md) - 1;
        for (uint32_t g = 1; ok && g <= cap->nparts && g <= ngroups; g++)
            ok = check_part(c, cap->parts[g - 1], n, ov, ngroups, g, fl);
    }
    pcre2_match_data_free(md);
    return ok;
}

/* A set may not mix elements of two of the listed groups (route protocols). */
static bool check_subsets(const struct spec_field *f, const struct node *n, struct failure *fl)
{
    if (!f->subsets || n->kind != NODE_SEQUENCE)
        return true;
    const struct node *first_group = NULL;
    for (uint32_t i = 0; i < n->count; i++) {
        for (uint32_t g = 0; g < f->subsets->count; g++) {
            const struct node *group = f->subsets->u.items[g];
            if (!find_item((const struct node *const *)group->u.items, group->count, n->u.items[i]))
                continue;
            if (!first_group)
                first_group = group;
            else if (group != first_group) {
                if (fl->quiet)
                    return failed(fl, R_HOP2004, "mixed");
                struct buf b;
                buf_init(&b, 2048);
                for (uint32_t k = 0; k < f->subsets->count; k++) {
                    buf_puts(&b, k ? ", (" : "(");
                    list_values((const struct node *const *)f->subsets->u.items[k]->u.items,
                                f->subsets->u.items[k]->count, &b);
                    buf_putc(&b, ')');
                }
                failed(fl, R_HOP2004, "these values cannot be mixed; use one group of: %s",
                       buf_cstr(&b));
                buf_release(&b);
                return false;
            }
        }
    }
    return true;
}

static bool check_null(const struct vctx *c, const struct spec_field *f, const struct node *n,
                       struct failure *fl)
{
    (void)n;
    char shown[128] = "";
    if (f->ne && node_is_null(f->ne))
        return failed(fl, R_HOP2004, "value must not be null");
    if (f->eq && !node_is_null(f->eq)) {
        if (!fl->quiet)
            show(c, f->eq, shown, sizeof(shown));
        return failed(fl, R_HOP2004, "value must be %s", shown);
    }
    if (f->flags & SF_REQUIRED || f->must_be_set)
        return failed(fl, R_HOP2002, "required field missing");
    return true;
}

/*
 * Checks one value without looking below it. Null and absent values follow Kong: they fail
 * only when required, or when eq/ne say otherwise.
 */
static bool is_numeric(enum field_type t)
{
    return t == FT_INTEGER || t == FT_NUMBER;
}

static bool check_value(const struct vctx *c, const struct spec_field *f, const struct node *n,
                        struct failure *fl, const struct node **matched);

/* zod's coerce (ADC): a number field reads a string as JavaScript's Number() does, then checks
 * the number. The finding still points at the string. */
static bool check_number_in_string(const struct vctx *c, const struct spec_field *f,
                                   const struct node *n, struct failure *fl,
                                   const struct node **matched)
{
    double d;
    if (!js_number(n->u.text, n->count, &d)) {
        char shown[128] = "";
        if (!fl->quiet)
            show(c, n, shown, sizeof(shown));
        return failed(fl, R_HOP2003, "expected %s, got a string that is not a number: %s",
                      type_phrase(f->type), shown);
    }
    struct node number = *n;
    number.type = SCALAR_FLOAT;
    number.v.f = d;
    return check_value(c, f, &number, fl, matched);
}

/*
 * A quoted shell variable in a number or boolean field ("${PORT}"): filled in, it is still a
 * string there, which the gateway refuses. Unquoted, it becomes whatever it is filled with.
 */
static bool quoted_variable(const struct vctx *c, const struct spec_field *f, const struct node *n,
                            struct failure *fl)
{
    bool typed = f->type == FT_INTEGER || f->type == FT_NUMBER || f->type == FT_BOOLEAN;
    bool quoted = n->style == STYLE_SINGLE_QUOTED || n->style == STYLE_DOUBLE_QUOTED;
    size_t len;
    const char *name = c->placeholder_kind == PLACEHOLDERS_ENVSUBST && typed && quoted
                           ? shell_variable(n->u.text, &len)
                           : NULL;
    if (!name)
        return false;
    failed(fl, R_HOP2003,
           "expected %s, but the quotes keep it a string once '%.*s' is filled in; write the "
           "placeholder without quotes",
           type_phrase(f->type), (int)(len < 80 ? len : 80), name);
    return true;
}

/* A field whose values may be tables (APISIX's YAML parsers read a null as an empty one). */
static bool accepts_table(const struct spec_field *f)
{
    for (size_t i = 0; i < f->n_any_of; i++)
        if (accepts_table(f->any_of[i]))
            return true;
    return f->type == FT_ARRAY || f->type == FT_SET || f->type == FT_MAP || f->type == FT_RECORD ||
           f->type == FT_ANY;
}

/* An empty table, as a null is to APISIX's YAML parsers, at the null's place. */
static struct node empty_table_at(const struct node *null)
{
    return (struct node){.kind = NODE_MAPPING, .style = STYLE_FLOW, .span = null->span};
}

/* A null the gateway reads as a value (nulls_are_values): what it fails as, in messages. */
static bool null_as_value_fails(const struct vctx *c, const struct spec_field *f,
                                struct failure *fl)
{
    return failed(fl, R_HOP2003, "expected %s, got null, which %s %s reads as %s",
                  type_phrase(f->type), c->doc->product, c->doc->version_text,
                  c->json ? "a value of no type (cjson's null)" : "an empty table");
}

/* Whether a release's definition of a field has a type the value is of. */
static bool variant_types_value(const struct node *variant, const struct node *n)
{
    const struct node *type = variant->kind == NODE_MAPPING ? node_map_get(variant, "type") : NULL;
    enum field_type t;
    return type && field_type_from_name(type, &t) && type_ok(t, n);
}

/* A value of the wrong type that another release's definition of the field takes (a filter's
 * `config` mapping: 3.5): evidence of that release. */
static void note_type_of_other_release(const struct vctx *c, const struct spec_field *f,
                                       const struct node *n)
{
    if (!c->evidence || c->secret || !f->variants)
        return;
    char what[96];
    snprintf(what, sizeof(what), "%s for '%.40s'", node_describe(n), c->field ? c->field : f->name);
    note_other_releases(c, f, n, variant_types_value, false, what);
}

static bool check_value(const struct vctx *c, const struct spec_field *f, const struct node *n,
                        struct failure *fl, const struct node **matched)
{
    *matched = NULL;
    if (n && node_is_null(n) && nulls_are_values(c)) {
        if (!(f->flags & SF_TYPED))
            return true; /* a check's validator set: the key is present, so it is set */
        if (c->json || !accepts_table(f))
            return null_as_value_fails(c, f, fl);
        struct node empty = empty_table_at(n);
        return check_value(c, f, &empty, fl, matched);
    }
    if (!n || node_is_null(n))
        return check_null(c, f, n, fl);
    if (f->eq && node_is_null(f->eq))
        return failed(fl, (f->flags & SF_SUBSCHEMA) ? R_HOP2008 : R_HOP2004, "value must be null");
    if (is_placeholder(c, n))
        return !quoted_variable(c, f, n, fl);
    /* The JSON schema skips a reference (APISIX 3.17); code checking the raw value may not. */
    if (c->doc && c->doc->secret_refs_skip_checks && (f->type == FT_STRING || f->type == FT_ANY) &&
        !(f->flags & SF_CHECK_REFS) && is_secret_reference(n))
        return true;
    if (c->doc && c->doc->string_env_vars && holds_env_var(n) &&
        (f->type == FT_STRING || is_numeric(f->type)))
        return true;
    if (c->doc && c->doc->numbers_from_strings && is_numeric(f->type) && node_is_string(n))
        return check_number_in_string(c, f, n, fl, matched);
    if (!type_ok(f->type, n)) {
        char shown[128] = "";
        if (fl->quiet)
            return failed(fl, R_HOP2003, "type");
        note_type_of_other_release(c, f, n);
        show(c, n, shown, sizeof(shown));
        bool quote_hint = f->type == FT_STRING && n->kind == NODE_SCALAR && n->style == STYLE_PLAIN;
        return failed(fl, R_HOP2003, "expected %s, got %s%s%s%s", type_phrase(f->type),
                      node_describe(n), n->kind == NODE_SCALAR ? " " : "",
                      n->kind == NODE_SCALAR ? shown : "",
                      quote_hint ? "; put it in quotes to make it a string" : "");
    }
    if ((f->flags & SF_REFERENCEABLE) && is_vault_reference(n))
        return true;
    if (f->type == FT_FOREIGN)
        return true;
    if (c->probe) /* only what a release added is looked for: values listed since then */
        return !f->all_one_of || check_enums(c, f, n, fl, matched);
    if (!(f->flags & SF_VALIDATORS))
        return f->type != FT_STRING || check_lengths(c, f, n, fl);
    if ((f->flags & SF_UUID) && node_is_string(n) && !is_uuid(n))
        return failed(fl, R_HOP2007, "expected a valid UUID");
    return check_enums(c, f, n, fl, matched) && check_numbers(f, n, fl) &&
           check_lengths(c, f, n, fl) && check_patterns(c, f, n, fl) &&
           check_contains(c, f, n, fl) && check_named(c, f, n, fl) && check_subsets(f, n, fl) &&
           check_captures(c, f, n, fl);
}

/* Test mode, for the validator sets of entity checks: no findings, elements included. */
static bool matches(const struct vctx *c, const struct spec_field *f, const struct node *n)
{
    struct failure fl;
    fl.quiet = true;
    const struct node *matched;
    if (!check_value(c, f, n, &fl, &matched))
        return false;
    if (f->elements && n && n->kind == NODE_SEQUENCE)
        for (uint32_t i = 0; i < n->count; i++)
            if (!matches(c, f->elements, n->u.items[i]))
                return false;
    for (uint32_t i = 0; n && n->kind == NODE_MAPPING && (f->keys || f->values) && i < n->count;
         i++)
        if ((f->keys && !matches(c, f->keys, n->u.pairs[i].key)) ||
            (values_apply(c, f, n->u.pairs[i].key) && !matches(c, f->values, n->u.pairs[i].value)))
            return false;
    return true;
}

/* ---- reporting --------------------------------------------------------------------------- */

/* Points inside a one-line scalar when the source has no escapes to throw columns off. */
static bool span_at_offset(const struct node *n, long offset, struct span *out)
{
    struct span s = n->span;
    *out = s;
    if (offset < 0 || n->kind != NODE_SCALAR || s.line != s.end_line)
        return false;
    bool quoted = n->style == STYLE_SINGLE_QUOTED || n->style == STYLE_DOUBLE_QUOTED;
    if (n->style != STYLE_PLAIN && !quoted)
        return false;
    size_t chars = utf8_count(n->u.text, n->count) + (quoted ? 2 : 0);
    if (s.end_column - s.column != chars)
        return false;
    size_t at = utf8_count(n->u.text, (size_t)offset < n->count ? (size_t)offset : n->count);
    s.column += (uint32_t)at + (quoted ? 1 : 0);
    s.end_column = s.column + 1;
    *out = s;
    return true;
}

/* Lookups that read the file again, per file; past them a finding stays at the value's start. */
enum { MAX_LOCATES = 256 };

/*
 * The position of byte `offset` of a scalar's value: computed when the value is written on one
 * line without escapes, else read again from the file. When neither can say, the value's own
 * span, and the message says where in the value.
 */
static struct span locate(struct vctx *c, const struct node *n, struct failure *fl)
{
    if (fl->at) /* a node validator named the item that fails */
        return fl->at->span;
    struct span s = n->span;
    /* A value a rewrite made has no text of its own in the file to point into. */
    if (fl->offset < 0 || (n->flags & NODE_SYNTH) || span_at_offset(n, fl->offset, &s))
        return s;
    if (c->src && c->locates < MAX_LOCATES && n->kind == NODE_SCALAR) {
        c->locates++;
        enum scalar_located found = scalar_locate(c->src, n, (size_t)fl->offset, &s);
        if (found == SCALAR_REWRITTEN)
            return n->span; /* the offset is into a value the file does not hold */
        if (found == SCALAR_LOCATED)
            return s;
    }
    size_t used = strlen(fl->message);
    size_t at =
        utf8_count(n->u.text, (size_t)fl->offset < n->count ? (size_t)fl->offset : n->count);
    snprintf(fl->message + used, sizeof(fl->message) - used, " (at character %zu of the value)",
             at + 1);
    return n->span;
}

static void report(struct vctx *c, const struct node *at, const struct span *span,
                   const struct failure *fl)
{
    struct span where = span ? *span : at->span;
    if (c->field && !fl->from_err)
        diag_add(c->sink, fl->rule, -1, &where, path_text(c->path), c->entity, "'%s': %s", c->field,
                 fl->message);
    else
        diag_add(c->sink, fl->rule, -1, &where, path_text(c->path), c->entity, "%s", fl->message);
}

static void report_deprecations(struct vctx *c, const struct spec_field *f, const struct node *n,
                                const struct node *matched)
{
    if (!f->deprecated_since && !(matched && matched->kind == NODE_MAPPING))
        return;
    const char *product = c->doc->product;
    /* Kong's old_default: a value the field had by default before; an export writes it. */
    bool at_old_default = f->deprecated_old_default && node_equal(n, f->deprecated_old_default);
    if (f->deprecated_since && !at_old_default)
        diag_add(c->sink, R_HOP4002, -1, &n->span, path_text(c->path), c->entity,
                 "'%s' is deprecated since %s %s%s%s", c->field ? c->field : f->name, product,
                 f->deprecated_since, f->deprecated_message ? ": " : "",
                 f->deprecated_message ? f->deprecated_message : "");
    const struct node *dep =
        matched && matched->kind == NODE_MAPPING ? node_map_get(matched, "deprecated") : NULL;
    if (!dep)
        return;
    const struct node *since = node_map_get(dep, "since"), *msg = node_map_get(dep, "message");
    struct version v;
    version_parse(since->u.text, since->count, &v);
    if (version_compare(&c->doc->target.version, &v) < 0)
        return;
    char shown[128];
    show(c, n, shown, sizeof(shown));
    diag_add(c->sink, R_HOP4002, -1, &n->span, path_text(c->path), c->entity,
             "'%s': the value %s is deprecated since %s %s%s%s", c->field ? c->field : f->name,
             shown, product, since->u.text, msg ? ": " : "", msg ? msg->u.text : "");
}

static bool validate_plugin_map(struct vctx *c, const struct spec_field *f, const struct node *n)
{
    bool ok = true;
    for (uint32_t i = 0; i < n->count; i++) {
        const struct node_pair *p = &n->u.pairs[i];
        if (!node_is_string(p->key)) {
            diag_add(c->sink, R_HOP2003, -1, &p->key->span, path_text(c->path), c->entity,
                     "plugin names must be strings, not %s", node_describe(p->key));
            ok = false;
            continue;
        }
        path_push_key(c->path, p->key->u.text, p->key->count);
        ok &= validate_plugin_conf(c, p->key, f->plugin_map, f->values, p->value);
        path_pop(c->path);
    }
    return ok;
}

/* The identity of a scalar item as JSON compares them: numbers by value, else type and text. */
static size_t item_identity(const struct node *n, char *out, size_t size)
{
    if (node_is_number(n)) {
        int len = snprintf(out, size, "n%.17g", node_number(n));
        return len < 0 ? 0 : (size_t)len < size ? (size_t)len : size - 1;
    }
    /* As "%c%.*s" would print it (up to a NUL in the text), without formatting: lists of
     * strings are checked for repeats on every entity. */
    size_t len = strnlen(n->u.text, size - 2);
    out[0] = (char)('0' + n->type);
    memcpy(out + 1, n->u.text, len);
    out[len + 1] = '\0';
    return len + 1;
}

/*
 * Repeated items of a list the gateway requires to be distinct (APISIX sets, or a field's
 * unique_items): compared as scalars, a record item by its field `by`. Items longer than 255
 * bytes are compared by their first 255.
 */
static bool check_repeats(struct vctx *c, const struct spec_field *f, const struct node *n,
                          const struct spec_unique_items *u)
{
    struct strmap seen;
    strmap_init(&seen);
    bool ok = true;
    for (uint32_t i = 0; i < n->count; i++) {
        const struct node *item = n->u.items[i];
        if (u && u->by)
            item = item->kind == NODE_MAPPING ? node_map_get(item, u->by) : NULL;
        if (!item || item->kind != NODE_SCALAR || node_is_null(item))
            continue;
        char key[258];
        size_t len = item_identity(item, key, sizeof(key));
        uint32_t first;
        int rc = strmap_put(&seen, key, len, i, &first);
        if (rc != 0)
            continue; /* new, or out of memory: the check is then skipped */
        char shown[128];
        show(c, item, shown, sizeof(shown));
        path_push_index(c->path, i);
        const char *field = c->field ? c->field : f->name;
        if (u && u->err) {
            struct buf msg;
            buf_init(&msg, 1024);
            for (const char *p = u->err; *p; p++) {
                if (p[0] == '%' && p[1] == 's')
                    buf_printf(&msg, "%.200s", c->secret ? "<redacted>" : item->u.text), p++;
                else
                    buf_putc(&msg, *p);
            }
            diag_add(c->sink, R_HOP2012, -1, &item->span, path_text(c->path), c->entity, "'%s': %s",
                     field, buf_cstr(&msg));
            buf_release(&msg);
        } else {
            diag_add(c->sink, R_HOP2012, -1, &item->span, path_text(c->path), c->entity,
                     "'%s': item %u repeats item %u (%s); %s requires the items to differ", field,
                     i + 1, first + 1, shown, c->doc->product);
        }
        path_pop(c->path);
        ok = false;
    }
    strmap_release(&seen);
    return ok;
}

/* ---- JSON held in a string --------------------------------------------------------------- */

/* Deeper JSON is not built: a definition that reaches this far would reject it anyway. */
#define JSON_DEPTH_MAX 32

static struct node *json_to_node(struct arena *a, const json_t *j, const struct span *span,
                                 int depth);

static struct node *json_scalar(struct arena *a, struct node *n, const json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_STRING:
        n->type = SCALAR_STRING;
        n->count = (uint32_t)json_string_length(j);
        n->u.text = arena_strndup(a, json_string_value(j), n->count);
        return n->u.text ? n : NULL;
    case JSON_INTEGER:
        n->type = SCALAR_INT;
        n->v.i = json_integer_value(j);
        n->u.text = arena_printf(a, "%lld", (long long)n->v.i);
        break;
    case JSON_REAL:
        n->type = SCALAR_FLOAT;
        n->v.f = json_real_value(j);
        n->u.text = arena_printf(a, "%.17g", n->v.f);
        break;
    case JSON_TRUE:
    case JSON_FALSE:
        n->type = SCALAR_BOOL;
        n->v.b = json_is_true(j);
        n->u.text = n->v.b ? "true" : "false";
        break;
    default:
        n->type = SCALAR_NULL;
        n->u.text = "null";
        break;
    }
    if (!n->u.text)
        return NULL;
    n->count = (uint32_t)strlen(n->u.text);
    return n;
}

static struct node *json_container(struct arena *a, struct node *n, const json_t *j,
                                   const struct span *span, int depth)
{
    bool object = json_is_object(j);
    size_t count = object ? json_object_size(j) : json_array_size(j);
    n->kind = object ? NODE_MAPPING : NODE_SEQUENCE;
    n->style = STYLE_FLOW;
    n->count = (uint32_t)count;
    if (object) {
        n->u.pairs = arena_calloc(a, count ? count : 1, sizeof(*n->u.pairs));
        const char *key;
        json_t *value;
        size_t i = 0;
        json_object_foreach((json_t *)j, key, value)
        {
            json_t *k = json_string(key);
            n->u.pairs[i].key = k ? json_to_node(a, k, span, depth + 1) : NULL;
            json_decref(k);
            n->u.pairs[i].value = json_to_node(a, value, span, depth + 1);
            if (!n->u.pairs[i].key || !n->u.pairs[i].value)
                return NULL;
            i++;
        }
        return n;
    }
    n->u.items = arena_calloc(a, count ? count : 1, sizeof(*n->u.items));
    for (size_t i = 0; n->u.items && i < count; i++)
        if (!(n->u.items[i] = json_to_node(a, json_array_get(j, i), span, depth + 1)))
            return NULL;
    return n->u.items ? n : NULL;
}

/* A decoded JSON value as nodes, every one at the span of the string that held it. */
static struct node *json_to_node(struct arena *a, const json_t *j, const struct span *span,
                                 int depth)
{
    struct node *n = arena_calloc(a, 1, sizeof(*n));
    if (!n)
        return NULL;
    n->span = *span;
    n->flags = NODE_SYNTH;
    n->style = STYLE_DOUBLE_QUOTED;
    bool container = json_is_object(j) || json_is_array(j);
    if (container && depth < JSON_DEPTH_MAX)
        return json_container(a, n, j, span, depth);
    if (container) { /* too deep to build: a value no definition takes */
        n->type = SCALAR_STRING;
        n->u.text = "(JSON nested too deeply)";
        n->count = (uint32_t)strlen(n->u.text);
        return n;
    }
    return json_scalar(a, n, j);
}

/* The JSON a string holds, as nodes; NULL when it does not decode (or out of memory). */
static const struct node *decode_json(struct arena *a, const struct node *s)
{
    json_error_t error;
    json_t *j = json_loadb(s->u.text, s->count, JSON_DECODE_ANY | JSON_ALLOW_NUL, &error);
    if (!j)
        return NULL;
    const struct node *n = json_to_node(a, j, &s->span, 0);
    json_decref(j);
    return n;
}

/* A string field with `json`: it must decode, and the value must pass the definition. The
 * decoder's own message is not shown: it quotes the input, which may be a secret. */
static bool validate_json(struct vctx *c, const struct spec_field *f, const struct node *n)
{
    if (is_vault_reference(n) || is_placeholder(c, n))
        return true;
    const struct node *decoded = decode_json(c->scratch, n);
    if (!decoded) {
        diag_add(c->sink, R_HOP2007, -1, &n->span, path_text(c->path), c->entity,
                 "'%s': could not decode the string as JSON", c->field ? c->field : f->name);
        return false;
    }
    /* A record's own result does not count its fields' failures: count the errors instead. */
    size_t errors = c->sink->by_severity[GH_ERROR];
    bool ok = validate_value(c, f->json, decoded);
    return ok && c->sink->by_severity[GH_ERROR] == errors;
}

/* A record's keys that it does not declare, checked against its `keys` and `values` (JSON
 * schema's patternProperties or additionalProperties beside properties). */
struct undeclared {
    struct vctx *c;
    const struct spec_field *f;
    bool ok;
};

static bool check_undeclared(void *ctx, const struct node *key, const struct node *value)
{
    struct undeclared *u = ctx;
    path_push_key(u->c->path, key->u.text, key->count);
    if (u->f->keys)
        u->ok &= validate_value(u->c, u->f->keys, key);
    if (values_apply(u->c, u->f, key))
        u->ok &= validate_value(u->c, u->f->values, value);
    path_pop(u->c->path);
    return true;
}

static bool validate_record_with_extras(struct vctx *c, const struct spec_field *f,
                                        const struct node *n)
{
    struct undeclared u = {c, f, true};
    struct record_options opt = {NULL, check_undeclared, &u, NULL, NULL};
    bool ok = validate_record(c, f->record, n, &opt);
    return ok && u.ok;
}

static bool validate_children(struct vctx *c, const struct spec_field *f, const struct node *n)
{
    bool ok = true;
    if (n->kind == NODE_MAPPING && f->plugin_map)
        return validate_plugin_map(c, f, n);
    if (n->kind == NODE_MAPPING && f->record && (f->keys || f->values))
        return validate_record_with_extras(c, f, n);
    if (n->kind == NODE_SEQUENCE && f->type == FT_SET && c->doc && c->doc->unique_sets)
        ok = check_repeats(c, f, n, NULL);
    if (n->kind == NODE_SEQUENCE && f->unique_items)
        ok &= check_repeats(c, f, n, f->unique_items);
    if (f->json && node_is_string(n))
        ok &= validate_json(c, f, n);
    if (n->kind == NODE_SEQUENCE && f->elements) {
        for (uint32_t i = 0; i < n->count; i++) {
            const struct node *item = n->u.items[i];
            path_push_index(c->path, i);
            if (node_is_null(item) && !nulls_are_values(c)) {
                diag_add(c->sink, R_HOP2002, -1, &item->span, path_text(c->path), c->entity,
                         "'%s': a list element is null", c->field ? c->field : f->name);
                ok = false;
            } else {
                ok &= validate_value(c, f->elements, item);
            }
            path_pop(c->path);
        }
    } else if (n->kind == NODE_MAPPING && (f->keys || f->values)) {
        for (uint32_t i = 0; i < n->count; i++) {
            const struct node_pair *p = &n->u.pairs[i];
            if (p->key->kind == NODE_SCALAR)
                path_push_key(c->path, p->key->u.text, p->key->count);
            else
                path_push_key(c->path, "?", 1);
            if (f->keys)
                ok &= validate_value(c, f->keys, p->key);
            if (values_apply(c, f, p->key))
                ok &= validate_value(c, f->values, p->value);
            path_pop(c->path);
        }
    } else if (f->record && n->kind == NODE_MAPPING) {
        ok = validate_record(c, f->record, n, NULL);
    } else if (f->record && n->kind == NODE_SEQUENCE && n->count == 0) {
        /* To the gateway's Lua, [] is the same empty table as {}: a record's required fields
         * are missing all the same. */
        struct node empty = {.kind = NODE_MAPPING, .style = n->style, .span = n->span};
        ok = validate_record(c, f->record, &empty, NULL);
    }
    return ok;
}

/* The separator before item i of n in "a, b and c" (last: " and " or " or "). */
static const char *list_sep(size_t i, size_t n, const char *last)
{
    return i == 0 ? "" : i + 1 == n ? last : ", ";
}

/*
 * any_of: the alternative whose type the value has (JSON schema's type unions: an id that is
 * a string or an integer). None: a wrong-type finding naming every accepted type.
 */
static bool validate_alternatives(struct vctx *c, const struct spec_field *f, const struct node *n)
{
    for (size_t i = 0; i < f->n_any_of; i++)
        if (type_ok(f->any_of[i]->type, n))
            return validate_value(c, f->any_of[i], n);
    struct buf b;
    buf_init(&b, 4096);
    for (size_t i = 0; i < f->n_any_of; i++)
        buf_printf(&b, "%s%s", list_sep(i, f->n_any_of, " or "), type_phrase(f->any_of[i]->type));
    struct failure fl = {.rule = R_HOP2003, .offset = -1};
    snprintf(fl.message, sizeof(fl.message), "expected %s, got %s", b.data ? b.data : "",
             node_describe(n));
    buf_release(&b);
    report(c, n, &n->span, &fl);
    return false;
}

/* A null where nulls are values: an empty table in YAML (checked as one), no type in JSON. */
static bool validate_null_as_value(struct vctx *c, const struct spec_field *f, const struct node *n)
{
    if (c->json || !accepts_table(f)) {
        struct failure fl = {.offset = -1};
        null_as_value_fails(c, f, &fl);
        if (f->err) {
            snprintf(fl.message, sizeof(fl.message), "%s", f->err);
            fl.from_err = true;
        }
        report(c, n, &n->span, &fl);
        return false;
    }
    struct node empty = empty_table_at(n);
    return validate_value(c, f, &empty);
}

/* A refused value that holds $NAME or ${NAME} while those are text: evidence of a template. */
static void note_shell_variable(const struct vctx *c, const struct spec_field *f,
                                const struct node *n)
{
    size_t len;
    const char *name;
    if (!c->evidence || !c->doc || !c->doc->envsubst_inferred || c->secret ||
        c->placeholder_kind != PLACEHOLDERS_DECK || !n || !node_is_string(n) ||
        !memchr(n->u.text, '$', n->count) || !(name = shell_variable(n->u.text, &len)))
        return;
    char what[96];
    snprintf(what, sizeof(what), "$%.*s in '%.40s'", (int)(len < 40 ? len : 40), name,
             c->field ? c->field : f->name);
    evidence_note_shell_variable(c->evidence, what, &n->span);
}
static bool validate_plugin_entries(struct vctx *c, const struct spec_field *f,
                                    const struct node *n);

bool validate_value(struct vctx *c, const struct spec_field *f, const struct node *n)
{
    /* The probe looks only for what another release has: a scalar whose definition is the
     * same in every release (no variants, no values listed by release, no alternatives or
     * JSON text that may hold either) has nothing to show. */
    if (c->probe && n && n->kind == NODE_SCALAR && !f->variants && !f->all_one_of && !f->n_any_of &&
        !f->json)
        return true;
    if (n && node_is_null(n) && nulls_are_values(c))
        return validate_null_as_value(c, f, n);
    if (f->n_any_of && n && !node_is_null(n) && !is_placeholder(c, n))
        return validate_alternatives(c, f, n);
    bool secret = c->secret;
    if (f->flags & SF_SECRET)
        c->secret = true;
    if (c->secret && n && n->kind == NODE_SCALAR)
        diag_add_secret_span(c->sink, &n->span);
    struct failure fl;
    fl.quiet = false;
    fl.at = NULL;
    const struct node *matched = NULL;
    bool ok = check_value(c, f, n, &fl, &matched);
    if (!ok) {
        if (f->err && !(fl.rule == R_HOP2002)) {
            snprintf(fl.message, sizeof(fl.message), "%s", f->err);
            fl.from_err = true;
        }
        struct span s = locate(c, n, &fl);
        report(c, n, &s, &fl);
        note_shell_variable(c, f, n);
    } else if (n && !node_is_null(n) && !is_placeholder(c, n)) {
        report_deprecations(c, f, n, matched);
        size_t errors = c->sink->by_severity[GH_ERROR];
        ok = validate_children(c, f, n);
        /* As the gateway: the value passes its own schema before the Lua walks its entries. */
        if (f->entries && ok && c->sink->by_severity[GH_ERROR] == errors)
            ok = validate_plugin_entries(c, f, n);
        /* Announced only for a value that passed the rest: what failed is a finding already,
         * and a vault reference is not checked by the gateway either. */
        if (f->unchecked && ok && is_set(n) && !is_vault_reference(n))
            diag_add(c->sink, R_HOP9005, -1, &n->span, path_text(c->path), c->entity,
                     "'%s': not checked: %s", c->field ? c->field : f->name, f->unchecked);
    }
    c->secret = secret;
    return ok;
}

/* ---- plugins ----------------------------------------------------------------------------- */

static bool plugin_is_custom(const struct vctx *c, const char *name)
{
    for (size_t i = 0; i < c->n_custom_plugins; i++)
        if (!strcmp(c->custom_plugins[i], name))
            return true;
    return false;
}

/* When a plugin list holds the name under conditions the target fails (added later, removed):
 * the rule to report (HOP2013, HOP4001, else HOP2014) and a phrase saying why; returns the
 * list's item, or NULL. */
static const struct node *why_not_listed(const struct spec_document *d, const struct node *list,
                                         const struct node *name, enum rule_id *rule, char *phrase,
                                         size_t size)
{
    for (uint32_t i = 0; list && i < list->count; i++) {
        const struct node *it = list->u.items[i];
        if (node_equal(spec_item_value(it), name) &&
            cond_explain(it, &d->target, d->product, rule, phrase, size)) {
            if (*rule == R_HOP2001)
                *rule = R_HOP2014;
            return it;
        }
    }
    return NULL;
}

/* A plugin the release still bundles but has deprecated (product.yaml: {value: statsd-advanced,
 * deprecated: {since, message}}): a warning, as for a deprecated field. */
static void report_plugin_deprecation(struct vctx *c, const struct node *name)
{
    const struct spec_document *d = c->doc;
    for (uint32_t i = 0; i < d->all_plugins->count; i++) {
        const struct node *it = d->all_plugins->u.items[i];
        const struct node *dep = it->kind == NODE_MAPPING ? node_map_get(it, "deprecated") : NULL;
        if (!dep || !node_equal(spec_item_value(it), name) || !cond_holds(it, &d->target))
            continue;
        const struct node *since = node_map_get(dep, "since"), *msg = node_map_get(dep, "message");
        struct version v;
        version_parse(since->u.text, since->count, &v);
        if (version_compare(&d->target.version, &v) >= 0)
            diag_add(c->sink, R_HOP4002, -1, &name->span, path_text(c->path), c->entity,
                     "plugin '%s' is deprecated since %s %s%s%s", name->u.text, d->product,
                     since->u.text, msg ? ": " : "", msg ? msg->u.text : "");
    }
}

static bool plugin_book_hold(struct plugin_book *b, const char *name);

/* ignored: the gateway skips a plugin it does not load and still loads the entity. */
static bool plugin_known(struct vctx *c, const struct node *name, bool ignored)
{
    const struct spec_document *d = c->doc;
    if (is_placeholder(c, name))
        return false; /* rendered before the gateway reads the file (APISIX's ${{VAR}} in a key,
                         t/cli/test_standalone.sh at 3.18.0): no plugin to check here */
    if (!d->all_plugins || plugin_is_custom(c, name->u.text))
        return true; /* no plugin list: the product's plugin set is not known to gatehop */
    const struct spec_plugin *bundled = spec_plugin_find(d, name->u.text);
    if (bundled) {
        if (bundled->deprecations)
            report_plugin_deprecation(c, name);
        return true;
    }
    enum rule_id rule;
    char phrase[160];
    int severity = ignored ? GH_WARNING : -1;
    const char *skipped = ignored ? " (it skips the plugin and loads the rest)" : "";
    const struct node *listed =
        why_not_listed(d, d->all_plugins, name, &rule, phrase, sizeof(phrase));
    if (listed) {
        char what[120];
        snprintf(what, sizeof(what), "plugin '%.80s'", name->u.text);
        evidence_note(c->evidence, listed, &d->target, what, &name->span);
        diag_add(c->sink, rule, severity, &name->span, path_text(c->path), c->entity,
                 "plugin '%s' %s, so %s %s does not bundle it%s", name->u.text, phrase, d->product,
                 d->version_text, skipped);
        return false;
    }
    /* The file may declare the name further down (decK writes cloned_plugins last). */
    struct plugin_book *book = d->plugin_declarations ? c->declared : NULL;
    struct diag_sink *sink = book && plugin_book_hold(book, name->u.text) ? &book->held : c->sink;
    size_t before = sink->count;
    diag_add(sink, R_HOP2014, severity, &name->span, path_text(c->path), c->entity,
             "plugin '%.80s' is not bundled with %s %s%s; if the gateway loads it as a custom "
             "plugin, pass --custom-plugin %.80s",
             name->u.text, d->product, d->version_text, skipped, name->u.text);
    if (sink != c->sink && sink->count == before)
        book->nheld--; /* the held sink refused it: keep the names in step */
    return false;
}

bool check_plugin_known(struct vctx *c, const struct node *name)
{
    return plugin_known(c, name, c->doc->unknown_plugins_ignored);
}

/* "ip-restriction, limit-conn and syslog": the stream plugins of the target. */
static void list_stream_plugins(const struct spec_document *d, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < d->nstream_plugins && used < size; i++) {
        const char *sep = i == 0 ? "" : i + 1 == d->nstream_plugins ? " and " : ", ";
        int n = snprintf(out + used, size - used, "%s%s", sep, d->stream_plugins[i]);
        used += n > 0 ? (size_t)n : 0;
    }
}

/* A plugin on a stream route must be a stream plugin of the target (APISIX loads the two sets
 * apart: "unknown plugin" otherwise); false when it was reported. */
static bool check_stream_plugin(struct vctx *c, const struct node *name)
{
    const struct spec_document *d = c->doc;
    if (!d->all_stream_plugins || spec_runs_on_stream_routes(d, name->u.text) ||
        plugin_is_custom(c, name->u.text))
        return true;
    enum rule_id rule;
    char phrase[160];
    int severity = d->unknown_plugins_ignored ? GH_WARNING : -1;
    if (why_not_listed(d, d->all_stream_plugins, name, &rule, phrase, sizeof(phrase))) {
        diag_add(c->sink, rule, severity, &name->span, path_text(c->path), c->entity,
                 "stream plugin '%s' %s, so %s %s does not run it on stream routes", name->u.text,
                 phrase, d->product, d->version_text);
        return false;
    }
    char names[400];
    list_stream_plugins(d, names, sizeof(names));
    diag_add(c->sink, R_HOP2014, severity, &name->span, path_text(c->path), c->entity,
             "plugin '%.80s' does not run on stream routes; %s %s runs %s there", name->u.text,
             d->product, d->version_text, names);
    return false;
}

/* A plugin gatehop describes with a stream schema only (APISIX mqtt-proxy) has no HTTP side. */
static bool check_not_stream_only(struct vctx *c, const struct node *name,
                                  const struct spec_plugin *plugin)
{
    if (!plugin || !plugin->described || plugin->scopes[PLUGIN_SCOPE_CONFIG] ||
        !plugin->scopes[PLUGIN_SCOPE_STREAM])
        return true;
    diag_add(c->sink, R_HOP2014, c->doc->unknown_plugins_ignored ? GH_WARNING : -1, &name->span,
             path_text(c->path), c->entity,
             "plugin '%s' runs on stream routes only; %s %s has no HTTP plugin of that name",
             name->u.text, c->doc->product, c->doc->version_text);
    return false;
}

static void note_unchecked_plugin(struct vctx *c, const struct spec_plugin *plugin)
{
    if (plugin && !plugin->described && c->unchecked_plugins)
        c->unchecked_plugins[plugin - c->doc->plugin_specs] = true;
}

/* plugin_conf_schema(), where an unknown plugin is skipped by the gateway (ignored) or not. */
static const struct spec_field *plugin_schema_in(struct vctx *c, const struct node *name,
                                                 enum plugin_scope scope, bool ignored, bool *known,
                                                 bool *is_config)
{
    *is_config = false;
    *known = plugin_known(c, name, ignored);
    const struct spec_plugin *plugin = *known ? spec_plugin_find(c->doc, name->u.text) : NULL;
    if (*known && !plugin && c->doc->all_plugins && plugin_is_custom(c, name->u.text))
        diag_add(c->sink, R_HOP9005, -1, &name->span, path_text(c->path), c->entity,
                 "plugin '%s': not checked: a custom plugin (--custom-plugin), whose configuration "
                 "the gateway checks against the plugin's own schema",
                 name->u.text);
    if (*known && scope == PLUGIN_SCOPE_STREAM)
        *known = check_stream_plugin(c, name);
    else if (*known && scope != PLUGIN_SCOPE_METADATA)
        *known = check_not_stream_only(c, name, plugin);
    if (!*known)
        plugin = NULL;
    const struct spec_field *schema = plugin ? spec_plugin_schema(plugin, scope, is_config) : NULL;
    if (schema && schema->record)
        return schema;
    note_unchecked_plugin(c, plugin);
    return NULL;
}

const struct spec_field *plugin_conf_schema(struct vctx *c, const struct node *name,
                                            enum plugin_scope scope, bool *known, bool *is_config)
{
    /* Metadata of a plugin the node does not load is skipped in every release (APISIX's
     * check_plugin_metadata passes skip_disabled_plugin, 2.15.3 to 3.17.0; 3.18.0 ignores it
     * silently): the metadata scope is APISIX's alone. */
    bool ignored = c->doc->unknown_plugins_ignored || scope == PLUGIN_SCOPE_METADATA;
    return plugin_schema_in(c, name, scope, ignored, known, is_config);
}

/* A configuration against its plugin's schema (a record); base holds the keys every plugin
 * accepts, where the config schema applies. */
static bool validate_conf_against(struct vctx *c, const struct node *name,
                                  const struct spec_field *schema, bool is_config,
                                  const struct spec_field *base, const struct node *conf)
{
    const char *field = c->field, *plugin = c->plugin;
    c->field = name->u.text;
    c->plugin = name->u.text;
    bool ok;
    if (conf->kind != NODE_MAPPING || is_placeholder(c, conf))
        ok = validate_value(c, schema, conf); /* reports the wrong type */
    else {
        /* APISIX injects `_meta` into the config schema only, not into consumer or metadata
         * schemas: the extras apply where the config schema does. */
        struct record_options opt = {is_config && base ? base->record : NULL, NULL, NULL, NULL,
                                     NULL};
        /* the configuration's own bounds (APISIX's minProperties on echo, fault-injection) */
        struct failure fl = {.quiet = false, .offset = -1};
        ok = check_lengths(c, schema, conf, &fl);
        if (!ok)
            report(c, conf, NULL, &fl);
        ok &= validate_record(c, schema->record, conf, &opt);
    }
    c->field = field;
    c->plugin = plugin;
    return ok;
}

bool validate_plugin_conf(struct vctx *c, const struct node *name, enum plugin_scope scope,
                          const struct spec_field *base, const struct node *conf)
{
    bool known, is_config;
    const struct spec_field *schema = plugin_conf_schema(c, name, scope, &known, &is_config);
    if (!known)
        return false;
    if (!schema) /* checked only as far as every plugin's configuration is */
        return base ? validate_value(c, base, conf) : true;
    size_t errors = c->sink->by_severity[GH_ERROR];
    bool ok = validate_conf_against(c, name, schema, is_config, base, conf);
    /* The gateway drops plugin metadata that fails its checks: only sound metadata counts. */
    if (scope == PLUGIN_SCOPE_METADATA && c->sink->by_severity[GH_ERROR] == errors)
        metadata_note(c, name->u.text, conf);
    return ok;
}

/* ---- plugin metadata the file gives ------------------------------------------------------ */

/* Between a plugin's name and a field's in the book's keys: a byte no name holds. */
#define METADATA_SEP '\x1e'

void metadata_book_init(struct metadata_book *b)
{
    memset(b, 0, sizeof(*b));
    strmap_init(&b->set);
    diag_sink_init(&b->held, 0);
    arena_init(&b->names, 4 * 1024);
}

void metadata_book_release(struct metadata_book *b)
{
    strmap_release(&b->set);
    diag_sink_release(&b->held);
    free(b->why);
    arena_release(&b->names);
    memset(b, 0, sizeof(*b));
}

/* "PLUGIN" or "PLUGIN\x1eFIELD", cut at the buffer. */
static size_t metadata_key(const char *plugin, const char *field, char *out, size_t size)
{
    int n = field ? snprintf(out, size, "%s%c%s", plugin, METADATA_SEP, field)
                  : snprintf(out, size, "%s", plugin);
    return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

void metadata_note(struct vctx *c, const char *plugin, const struct node *conf)
{
    struct metadata_book *b = c->metadata;
    if (!b || !conf || conf->kind != NODE_MAPPING)
        return;
    char key[512];
    strmap_put(&b->set, key, metadata_key(plugin, NULL, key, sizeof(key)), 1, NULL);
    for (uint32_t i = 0; i < conf->count; i++) {
        const struct node_pair *p = &conf->u.pairs[i];
        if (node_is_string(p->key) && counts_as_set(c, p->value))
            strmap_put(&b->set, key, metadata_key(plugin, p->key->u.text, key, sizeof(key)), 1,
                       NULL);
    }
}

/* 1: the plugin's metadata sets every field; 0: it does not; -1: the file gave none (yet). */
static int metadata_sets(const struct metadata_book *b, const char *plugin,
                         const struct spec_unless_metadata *u)
{
    char key[512];
    if (!strmap_get(&b->set, key, metadata_key(plugin, NULL, key, sizeof(key))))
        return -1;
    for (size_t i = 0; i < u->nfields; i++)
        if (!strmap_get(&b->set, key, metadata_key(plugin, u->fields[i], key, sizeof(key))))
            return 0;
    return 1;
}

/* Keeps a finding until the end of the file; false when it could not (it is then reported). */
static bool metadata_hold(struct metadata_book *b, const char *plugin,
                          const struct spec_unless_metadata *u, const struct diag *d,
                          const char *message)
{
    struct metadata_held *why = array_grow(b->why, &b->why_cap, b->nwhy, sizeof(*why), 16);
    if (!why)
        return false;
    b->why = why;
    const char *name = arena_strdup(&b->names, plugin);
    size_t before = b->held.count;
    if (!name)
        return false;
    diag_add(&b->held, d->rule, (int)d->severity, &d->span, d->path, d->entity, "%s", message);
    if (b->held.count == before)
        return false; /* past the sink's limit */
    b->why[b->nwhy++] = (struct metadata_held){name, u};
    return true;
}

void metadata_resolve(struct metadata_book *b, bool merged_files, struct diag_sink *sink)
{
    const struct diag *announced = NULL;
    for (size_t i = 0; i < b->nwhy && i < b->held.count; i++) {
        const struct diag *d = &b->held.items[i];
        const struct metadata_held *why = &b->why[i];
        int sets = metadata_sets(b, why->plugin, why->unless);
        if (sets == 1)
            continue;
        if (sets == 0 || !merged_files) {
            diag_add_copy(sink, d);
            continue;
        }
        /* Another file merged with this one may hold the metadata: once per configuration. */
        if (announced && !memcmp(&announced->span, &d->span, sizeof(d->span)) &&
            !strcmp(announced->path, d->path))
            continue;
        announced = d;
        diag_add(sink, R_HOP9005, -1, &d->span, d->path, d->entity,
                 "'%s': not checked: this file has no plugin metadata for it, and another file "
                 "merged with this one may have; without it: %s",
                 why->plugin, d->message);
    }
    diag_sink_release(&b->held);
    diag_sink_init(&b->held, 0);
    b->nwhy = 0;
}

/* ---- plugins the file declares ----------------------------------------------------------- */

void plugin_book_init(struct plugin_book *b)
{
    memset(b, 0, sizeof(*b));
    strmap_init(&b->names);
    diag_sink_init(&b->held, 0);
    arena_init(&b->strings, 4 * 1024);
}

void plugin_book_release(struct plugin_book *b)
{
    strmap_release(&b->names);
    diag_sink_release(&b->held);
    free(b->decl);
    free(b->held_names);
    arena_release(&b->strings);
    memset(b, 0, sizeof(*b));
}

static const char *item_text(const struct node *item, const struct node *decl, const char *key)
{
    const struct node *field = node_map_get(decl, key);
    const struct node *v = field ? node_map_get(item, field->u.text) : NULL;
    return node_is_string(v) ? v->u.text : NULL;
}

void plugin_declare(struct plugin_book *b, const struct node *decl, const struct node *item)
{
    const char *name = item && item->kind == NODE_MAPPING ? item_text(item, decl, "name") : NULL;
    if (!name || strmap_get(&b->names, name, strlen(name)))
        return;
    struct plugin_declared *grown = array_grow(b->decl, &b->decl_cap, b->ndecl, sizeof(*grown), 8);
    if (!grown)
        return;
    b->decl = grown;
    const char *clone_of = item_text(item, decl, "clone_of");
    struct plugin_declared p = {arena_strdup(&b->strings, name),
                                arena_strdup(&b->strings, node_map_get(decl, "key")->u.text),
                                clone_of ? arena_strdup(&b->strings, clone_of) : NULL,
                                item->span.line};
    if (!p.name || !p.list || (clone_of && !p.clone_of) ||
        strmap_put(&b->names, p.name, strlen(p.name), (uint32_t)b->ndecl, NULL) < 0)
        return;
    b->decl[b->ndecl++] = p;
}

/* Keeps the name of the finding just held; false when it could not. */
static bool plugin_book_hold(struct plugin_book *b, const char *name)
{
    const char **grown = array_grow(b->held_names, &b->held_cap, b->nheld, sizeof(*grown), 16);
    const char *copy = grown ? arena_strdup(&b->strings, name) : NULL;
    if (grown)
        b->held_names = grown;
    if (!copy)
        return false;
    b->held_names[b->nheld++] = copy;
    return true;
}

void plugin_book_resolve(struct plugin_book *b, struct diag_sink *sink)
{
    for (size_t i = 0; i < b->nheld && i < b->held.count; i++) {
        const struct diag *d = &b->held.items[i];
        const uint32_t *at = strmap_get(&b->names, b->held_names[i], strlen(b->held_names[i]));
        if (!at) {
            diag_add_copy(sink, d);
            continue;
        }
        const struct plugin_declared *p = &b->decl[*at];
        if (p->clone_of)
            diag_add(sink, R_HOP9005, -1, &d->span, d->path, d->entity,
                     "plugin '%s': not checked: %s (line %u) declares it a copy of '%s' under "
                     "another name, and gatehop does not check a copy's configuration",
                     p->name, p->list, p->line, p->clone_of);
        else
            diag_add(sink, R_HOP9005, -1, &d->span, d->path, d->entity,
                     "plugin '%s': not checked: %s (line %u) declares it, with its own schema "
                     "and handler, which gatehop does not read",
                     p->name, p->list, p->line);
    }
    diag_sink_release(&b->held);
    diag_sink_init(&b->held, 0);
    b->nheld = 0;
}

/* ---- plugin entries ---------------------------------------------------------------------- */

/* Plugin configurations inside plugin configurations nest no deeper than this: APISIX recurses
 * as deep as the file does (multi-auth in multi-auth), gatehop stops and says so. */
#define ENTRIES_DEPTH_MAX 8

/* "a, b and c": the names the field takes in the target. */
static void entry_names_phrase(const struct spec_plugin_entries *e, struct buf *b)
{
    for (size_t i = 0; i < e->nnames; i++)
        buf_printf(b, "%s%s", list_sep(i, e->nnames, " and "), e->names[i].name);
}

/* "a, b and c": the target's plugins of a type. */
static bool of_type(const struct spec_plugin *p, const char *type)
{
    return p->type && !strcmp(p->type, type);
}

static void plugins_of_type(const struct spec_document *d, const char *type, struct buf *b)
{
    size_t n = 0, total = 0;
    for (size_t i = 0; i < d->nplugins; i++)
        total += of_type(&d->plugin_specs[i], type);
    for (size_t i = 0; i < d->nplugins; i++) {
        if (!of_type(&d->plugin_specs[i], type))
            continue;
        buf_printf(b, "%s%s", list_sep(n, total, " and "), d->plugins[i]);
        n++;
    }
}

/* The gateway's message for a name, its %s the name. */
static void gateway_says(const char *err, const char *name, struct buf *out)
{
    for (const char *p = err; p && *p; p++) {
        if (p[0] == '%' && p[1] == 's')
            buf_printf(out, "%.80s", name), p++;
        else
            buf_putc(out, *p);
    }
}

/* A name the field does not take: another release's (HOP2013, HOP4001) or none (HOP2004). */
static void report_entry_name(struct vctx *c, const struct spec_plugin_entries *e,
                              const struct node *name)
{
    const struct spec_document *d = c->doc;
    const char *field = c->field ? c->field : "";
    enum rule_id rule;
    char phrase[160];
    const struct node *listed =
        why_not_listed(d, e->all_names, name, &rule, phrase, sizeof(phrase));
    if (listed) {
        char what[120];
        snprintf(what, sizeof(what), "'%.80s' in '%.30s'", name->u.text, field);
        evidence_note(c->evidence, listed, &d->target, what, &name->span);
        struct buf says;
        buf_init(&says, 1024);
        gateway_says(e->err, name->u.text, &says);
        diag_add(c->sink, rule == R_HOP2014 ? R_HOP2004 : rule, -1, &name->span, path_text(c->path),
                 c->entity, "'%s': '%s' %s, so %s %s does not take it here%s%s", field,
                 name->u.text, phrase, d->product, d->version_text, e->err ? ": " : "",
                 buf_cstr(&says));
        buf_release(&says);
        return;
    }
    struct buf names, says;
    buf_init(&names, 4096);
    buf_init(&says, 1024);
    entry_names_phrase(e, &names);
    gateway_says(e->err, name->u.text, &says);
    diag_add(c->sink, R_HOP2004, -1, &name->span, path_text(c->path), c->entity,
             "'%s': '%.80s' is not one of the names %s %s takes here (%s)%s%s", field, name->u.text,
             d->product, d->version_text, buf_cstr(&names), e->err ? ": " : "", buf_cstr(&says));
    buf_release(&names);
    buf_release(&says);
}

/* A plugin named where only plugins of one type go (multi-auth takes auth plugins). */
static bool plugin_type_fits(struct vctx *c, const struct spec_plugin_entries *e,
                             const struct node *name)
{
    const struct spec_plugin *plugin = spec_plugin_find(c->doc, name->u.text);
    if (!e->plugin_type || !plugin || !plugin->described || of_type(plugin, e->plugin_type))
        return true; /* a custom plugin's type is not known: it is announced as not checked */
    struct buf names, says;
    buf_init(&names, 4096);
    buf_init(&says, 1024);
    plugins_of_type(c->doc, e->plugin_type, &names);
    gateway_says(e->err, name->u.text, &says);
    diag_add(c->sink, R_HOP2004, -1, &name->span, path_text(c->path), c->entity,
             "'%s': plugin '%s' is not of type '%s'; the %s %s plugins of that type are %s%s%s",
             c->field ? c->field : "", name->u.text, e->plugin_type, c->doc->product,
             c->doc->version_text, buf_cstr(&names), e->err ? ": " : "", buf_cstr(&says));
    buf_release(&names);
    buf_release(&says);
    return false;
}

/* More definitions for some keys of a configuration (workflow's limit-count: no `group`). */
static bool validate_also(struct vctx *c, const struct spec_record *also, const struct node *conf)
{
    bool ok = true;
    for (size_t i = 0; also && conf->kind == NODE_MAPPING && i < also->nfields; i++) {
        const struct spec_field *f = &also->fields[i];
        const struct node *v = node_map_get(conf, f->name);
        if (!v)
            continue;
        const char *field = c->field;
        c->field = f->name;
        path_push_key(c->path, f->name, strlen(f->name));
        ok &= validate_value(c, f, v);
        path_pop(c->path);
        c->field = field;
    }
    return ok;
}

/* A configuration checked as another plugin's, or as one field of it (traffic-label's
 * set_headers is proxy-rewrite's `headers`). */
static bool validate_as_plugin(struct vctx *c, const struct spec_plugin_entries *e,
                               const struct spec_entry_name *en, const struct node *name,
                               const struct node *conf)
{
    const struct spec_plugin *plugin = spec_plugin_find(c->doc, en->plugin);
    bool is_config;
    const struct spec_field *schema =
        plugin ? spec_plugin_schema(plugin, e->scope, &is_config) : NULL;
    if (!schema || !schema->record)
        return true; /* not described for the target: nothing to check it against */
    if (!en->field) {
        struct node as = *name;
        as.u.text = en->plugin;
        as.count = (uint32_t)strlen(en->plugin);
        return validate_conf_against(c, &as, schema, is_config, e->extras, conf);
    }
    const struct spec_field *f = spec_record_field(schema->record, en->field, strlen(en->field));
    if (!f)
        return true;
    const char *field = c->field;
    c->field = name->u.text;
    bool ok = validate_value(c, f, conf);
    c->field = field;
    return ok;
}

/* What an entry's name resolved to: how its configuration is checked. */
struct entry_target {
    const struct spec_entry_name *en; /* its item of `names`, or NULL */
    const struct spec_field *schema;  /* the named plugin's schema, or NULL */
    bool is_config;
};

/* An entry's name is one the field takes (a plugin of the right type, or one of `names`);
 * false when it was reported. */
static bool resolve_entry(struct vctx *c, const struct spec_plugin_entries *e,
                          const struct node *name, struct entry_target *t)
{
    memset(t, 0, sizeof(*t));
    for (size_t i = 0; e->all_names && i < e->nnames && !t->en; i++)
        if (!strcmp(e->names[i].name, name->u.text))
            t->en = &e->names[i];
    if (e->all_names && !t->en) {
        report_entry_name(c, e, name);
        return false;
    }
    if (t->en && (t->en->definition || t->en->plugin))
        return true;
    /* A plugin by its name: unknown is refused here, even where a plugins map skips it. */
    bool known;
    t->schema = plugin_schema_in(c, name, e->scope, false, &known, &t->is_config);
    return known && plugin_type_fits(c, e, name);
}

/* An entry's configuration, once its name resolved. */
static bool validate_entry_conf(struct vctx *c, const struct spec_plugin_entries *e,
                                const struct entry_target *t, const struct node *name,
                                const struct node *conf)
{
    if (t->en && t->en->definition) {
        const char *field = c->field;
        c->field = name->u.text;
        bool ok = validate_value(c, t->en->definition, conf);
        c->field = field;
        return ok;
    }
    if (t->en && t->en->plugin)
        return validate_as_plugin(c, e, t->en, name, conf);
    if (e->names_only || !t->schema)
        return true;
    bool ok = validate_conf_against(c, name, t->schema, t->is_config, e->extras, conf);
    return validate_also(c, t->en ? t->en->also : NULL, conf) && ok;
}

/* `form: keys`: each key of a mapping names an entry (a Lua table walked with pairs(), so an
 * empty list is an empty table too). */
static bool validate_keyed_entries(struct vctx *c, const struct spec_plugin_entries *e,
                                   const struct node *n)
{
    if (n->kind == NODE_SEQUENCE && n->count == 0)
        return true;
    if (n->kind != NODE_MAPPING) {
        diag_add(c->sink, R_HOP2003, -1, &n->span, path_text(c->path), c->entity,
                 "'%s': expected a mapping of names to configurations, got %s",
                 c->field ? c->field : "", node_describe(n));
        return false;
    }
    bool ok = true;
    for (uint32_t i = 0; i < n->count; i++) {
        const struct node_pair *p = &n->u.pairs[i];
        if (!node_is_string(p->key)) {
            diag_add(c->sink, R_HOP2003, -1, &p->key->span, path_text(c->path), c->entity,
                     "'%s': a name must be a string, not %s", c->field ? c->field : "",
                     node_describe(p->key));
            ok = false;
            continue;
        }
        bool skipped = false;
        for (size_t j = 0; j < e->nskip && !skipped; j++)
            skipped = node_text_equals(p->key, e->skip[j]);
        if (skipped)
            continue;
        struct entry_target t;
        path_push_key(c->path, p->key->u.text, p->key->count);
        ok &= resolve_entry(c, e, p->key, &t) && validate_entry_conf(c, e, &t, p->key, p->value);
        path_pop(c->path);
    }
    return ok;
}

/* `form: pair`: the list [name, configuration] (later items are not read). */
static bool validate_paired_entry(struct vctx *c, const struct spec_plugin_entries *e,
                                  const struct node *n)
{
    const char *field = c->field ? c->field : "";
    if (n->kind != NODE_SEQUENCE || n->count == 0)
        return true; /* the field's own type and length say so */
    const struct node *name = n->u.items[0];
    struct entry_target t;
    path_push_index(c->path, 0);
    bool named = node_is_string(name);
    if (!named)
        diag_add(c->sink, R_HOP2003, -1, &name->span, path_text(c->path), c->entity,
                 "'%s': the first item must be a string naming it, not %s", field,
                 node_describe(name));
    named = named && resolve_entry(c, e, name, &t);
    path_pop(c->path);
    if (!named)
        return false;
    if (n->count < 2) {
        diag_add(c->sink, R_HOP2002, -1, &n->span, path_text(c->path), c->entity,
                 "'%s': '%.80s' needs its configuration as the second item", field, name->u.text);
        return false;
    }
    path_push_index(c->path, 1);
    bool ok = validate_entry_conf(c, e, &t, name, n->u.items[1]);
    path_pop(c->path);
    return ok;
}

static bool validate_plugin_entries(struct vctx *c, const struct spec_field *f,
                                    const struct node *n)
{
    if (c->entries_depth >= ENTRIES_DEPTH_MAX) {
        diag_add(c->sink, R_HOP9005, -1, &n->span, path_text(c->path), c->entity,
                 "'%s': not checked: plugin configurations nest more than %d deep here",
                 c->field ? c->field : f->name, ENTRIES_DEPTH_MAX);
        return true;
    }
    c->entries_depth++;
    bool ok = f->entries->pairs ? validate_paired_entry(c, f->entries, n)
                                : validate_keyed_entries(c, f->entries, n);
    c->entries_depth--;
    return ok;
}

/* ---- unknown keys ------------------------------------------------------------------------ */

/* A key added in a release newer than every one gatehop knows, in a file whose release was
 * not given: a note that it is not checked, not an error against the release assumed. */
static bool report_unknown_release(struct vctx *c, const struct node *variant,
                                   const struct node *key, const char *what)
{
    const struct node *since = node_map_get(variant, "since");
    struct version v;
    if (!c->release_assumed || !since || !version_parse(since->u.text, since->count, &v) ||
        version_compare(&v, &c->doc->newest) <= 0)
        return false;
    char newest[32];
    version_format(&c->doc->newest, newest, sizeof(newest));
    diag_add(c->sink, R_HOP9001, c->strict ? GH_ERROR : -1, &key->span, path_text(c->path),
             c->entity,
             "%s '%s' was added in %s %s, later than the releases gatehop knows (up to %s): "
             "the file is written for a release gatehop cannot check it against; '%s' is not "
             "checked and the rest is checked as %s %s (pass --to to choose)",
             what, key->u.text, c->doc->product, since->u.text, newest, key->u.text,
             c->doc->product, c->doc->version_text);
    return true;
}

void report_unknown_key(struct vctx *c, const struct spec_record *r, const struct node *key,
                        const char *what)
{
    const char *name = key->u.text;
    const struct node *def = r->all_fields ? node_map_get(r->all_fields, name) : NULL;
    const char *product = c->doc->product;
    if (def) {
        enum rule_id rule;
        char phrase[200];
        const struct node *variant =
            cond_explain_variants(def, &c->doc->target, product, &rule, phrase, sizeof(phrase));
        if (variant) {
            char seen[140];
            snprintf(seen, sizeof(seen), "%s '%.80s'", what, name);
            evidence_note(c->evidence, def, &c->doc->target, seen, &key->span);
            if (rule == R_HOP2013 && report_unknown_release(c, variant, key, what))
                return;
            const struct node *instead = node_map_get(variant, "replaced_by");
            diag_add(c->sink, rule, -1, &key->span, path_text(c->path), c->entity,
                     "%s '%s' %s, so %s %s does not accept it%s%s%s", what, name, phrase, product,
                     c->doc->version_text, instead ? "; use '" : "", instead ? instead->u.text : "",
                     instead ? "' instead" : "");
            return;
        }
    }
    if (c->plugin_fields_open && c->in_plugin_conf) {
        diag_add(c->sink, R_HOP9005, -1, &key->span, path_text(c->path), c->entity,
                 "%s '%s': not checked: the open-source plugin has no such field, and gatehop "
                 "does not have the %s edition's schema, which may add it",
                 what, name, c->doc->target.edition);
        return;
    }
    const char *hint =
        r->nfields ? str_closest(name, &r->fields[0].name, r->nfields, sizeof(r->fields[0])) : NULL;
    diag_add(c->sink, R_HOP2001, -1, &key->span, path_text(c->path), c->entity,
             "unknown %s '%s'%s%s%s", what, name, hint ? "; did you mean '" : "", hint ? hint : "",
             hint ? "'?" : "");
}

/* ---- records ----------------------------------------------------------------------------- */

#define SHORTHAND_CACHE 8

/*
 * One record being checked. Its keys are looked up once, in check_keys(); after that, checks
 * read values by field position from `values`, never by name.
 */
struct record_run {
    struct vctx *c;
    const struct spec_record *r;
    const struct node *map;
    const struct node **values; /* by field position; NULL when not written */
    bool *failed_fields;        /* by field position */
    bool some_failed;
    /* Values a shorthand gives (a service's 'url' gives its 'protocol', read by five checks). */
    const char *expanded_name[SHORTHAND_CACHE];
    const struct node *expanded_value[SHORTHAND_CACHE];
    size_t nexpanded;
    /* Whether the map holds any shorthand key (-1: not looked yet). Most records hold none,
     * and a check reads many unwritten fields, each of which would look for every shorthand. */
    int shorthands_given;
    const char *implied; /* the field nesting fills (a filter chain's service), or NULL */
};

/* What a check reads for the field nesting fills: set, to the parent it sits in. */
static const struct node nested_parent = {
    .kind = NODE_SCALAR, .type = SCALAR_STRING, .u.text = "(the parent)", .count = 12};

static void cache_shorthand_value(struct record_run *run, const char *name, const struct node *v)
{
    for (size_t i = 0; i < run->nexpanded; i++)
        if (!strcmp(run->expanded_name[i], name))
            return;
    if (run->nexpanded < SHORTHAND_CACHE) {
        run->expanded_name[run->nexpanded] = name;
        run->expanded_value[run->nexpanded++] = v;
    }
}

/* The field `target` of an expansion written as `given`. Every field it sets is made at once
 * and kept (a service's url is split once, not once for each of the four fields read); one it
 * gives nothing for is not kept, for another shorthand may set that field. */
static const struct node *expanded_field(struct record_run *run, const struct spec_shorthand *s,
                                         const struct node *given, const char *target)
{
    const struct node *made[NAMED_EXPANSION_MAX] = {NULL};
    s->expand->fn(given, run->c->scratch, made);
    const struct node *v = NULL;
    for (size_t i = 0; i < NAMED_EXPANSION_MAX && s->expand->fields[i]; i++) {
        if (!strcmp(s->expand->fields[i], target))
            v = made[i];
        if (made[i])
            cache_shorthand_value(run, s->expand->fields[i], made[i]);
    }
    return v;
}

/* What a shorthand other than an expansion, written as `given`, gives the fields it sets: its
 * value, or its value through `map`. */
static const struct node *shorthand_mapped(const struct spec_shorthand *s, const struct node *given)
{
    for (uint32_t i = 0; s->map && node_is_string(given) && i < s->map->count; i++)
        if (node_equal(s->map->u.pairs[i].key, given))
            return s->map->u.pairs[i].value;
    return given;
}

static bool any_shorthand_given(struct record_run *run)
{
    if (run->shorthands_given < 0) {
        run->shorthands_given = 0;
        for (size_t i = 0; i < run->r->nshorthands && !run->shorthands_given; i++)
            run->shorthands_given = node_map_get(run->map, run->r->shorthands[i].name) != NULL;
    }
    return run->shorthands_given;
}

static bool shorthand_sets(const struct spec_shorthand *s, const char *name)
{
    for (const char *const *f = s->sets; *f; f++)
        if (!strcmp(*f, name))
            return true;
    return false;
}

/* The value a written shorthand gives the field `name`, or NULL. */
static const struct node *shorthand_value(struct record_run *run, const char *name)
{
    if (!any_shorthand_given(run))
        return NULL;
    for (size_t i = 0; i < run->nexpanded; i++)
        if (!strcmp(run->expanded_name[i], name))
            return run->expanded_value[i];
    const struct node *v = NULL;
    for (size_t i = 0; i < run->r->nshorthands && !v; i++) {
        const struct spec_shorthand *s = &run->r->shorthands[i];
        const struct node *given = shorthand_sets(s, name) ? node_map_get(run->map, s->name) : NULL;
        if (given)
            v = s->expand ? expanded_field(run, s, given, name) : shorthand_mapped(s, given);
    }
    if (v)
        cache_shorthand_value(run, name, v);
    return v;
}

/*
 * A field a dotted path (redis.host) names: its definition and the value written for it, if
 * any. `at` is the position of the path's first field.
 */
struct nested_field {
    const struct spec_field *f;
    const struct node *written;
    bool unreadable; /* inside a JSON string that does not decode (or a vault reference) */
};

static struct nested_field nested_field(const struct record_run *run, int at, const char *path)
{
    /* Read from the map, not from `values`: shorthands are looked at before every key is. */
    struct nested_field out = {at >= 0 ? &run->r->fields[at] : NULL,
                               at >= 0 ? node_map_get(run->map, run->r->fields[at].name) : NULL,
                               false};
    for (const char *seg = strchr(path, '.'); seg && out.f; seg = strchr(seg, '.')) {
        seg++;
        const char *end = strchr(seg, '.');
        size_t len = end ? (size_t)(end - seg) : strlen(seg);
        if (out.f->json && out.written && node_is_string(out.written)) {
            /* A JSON string (keys.jwk): read inside what it decodes to, if it does. */
            out.written = decode_json(run->c->scratch, out.written);
            out.unreadable = !out.written;
            out.f = out.f->json;
        }
        out.f = out.f->record ? spec_record_field(out.f->record, seg, len) : NULL;
        const struct node *w = NULL;
        for (uint32_t i = 0;
             out.written && out.written->kind == NODE_MAPPING && i < out.written->count && !w;
             i++) {
            const struct node *key = out.written->u.pairs[i].key;
            if (node_is_string(key) && key->count == len && !memcmp(key->u.text, seg, len))
                w = out.written->u.pairs[i].value;
        }
        out.written = w;
    }
    return out;
}

/* What a check reads where the value cannot be known (inside a JSON string that does not
 * decode): the checks that compare values skip it. */
static const struct node unreadable_value = {
    .kind = NODE_SCALAR, .type = SCALAR_NULL, .u.text = ""};

/* A dotted path's value: written, else set by a shorthand, else the nested field's default
 * (Kong fills a record left out with its fields' defaults). */
static const struct node *nested_value(struct record_run *run, int at, const char *path)
{
    struct nested_field n = nested_field(run, at, path);
    if (n.unreadable)
        return &unreadable_value;
    if (n.written)
        return n.written;
    const struct node *v = run->r->nshorthands ? shorthand_value(run, path) : NULL;
    return v ? v : n.f ? n.f->default_value : NULL;
}

/* The value a check reads: written, else set by a shorthand, else the field's default. */
static const struct node *run_value(struct record_run *run, int at, const char *name)
{
    if (strchr(name, '.'))
        return nested_value(run, at, name);
    if (at >= 0 && run->values[at])
        return run->values[at];
    const struct node *v = run->r->nshorthands ? shorthand_value(run, name) : NULL;
    if (!v && run->implied && !strcmp(run->implied, name))
        v = &nested_parent;
    if (!v && at >= 0)
        v = run->r->fields[at].default_value;
    return v;
}

static bool shorthand_provides(const struct spec_record *r, const struct node *map,
                               const char *name)
{
    for (size_t i = 0; i < r->nshorthands; i++) {
        if (!node_map_get(map, r->shorthands[i].name))
            continue;
        for (const char *const *f = r->shorthands[i].sets; *f; f++)
            if (!strcmp(*f, name))
                return true;
    }
    return false;
}

static void quoted_list(const char *const *names, size_t n, struct buf *b)
{
    for (size_t i = 0; i < n; i++)
        buf_printf(b, "%s'%s'", i ? ", " : "", names[i]);
}

/* Replaces each %s of a check's err text with the quoted field list. */
static void format_err(const char *err, const char *list, struct buf *out)
{
    for (const char *p = err; *p; p++) {
        if (p[0] == '%' && p[1] == 's') {
            buf_puts(out, list);
            p++;
        } else {
            buf_putc(out, *p);
        }
    }
}

static bool failed_at(const struct record_run *run, int at)
{
    return at >= 0 && run->failed_fields[at];
}

static bool any_failed(const struct record_run *run, const int *at, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (failed_at(run, at[i]))
            return true;
    return false;
}

static size_t count_set(struct record_run *run, const int *at, const char *const *names, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        count += counts_as_set(run->c, run_value(run, at[i], names[i]));
    return count;
}

/* Reports a check over a list of fields: the message is the lead text and the quoted list. */
static void check_report(struct record_run *run, enum rule_id rule, const char *lead,
                         const char *const *names, size_t n)
{
    struct buf list;
    buf_init(&list, 4096);
    quoted_list(names, n, &list);
    diag_add(run->c->sink, rule, -1, &run->map->span, path_text(run->c->path), run->c->entity,
             "%s%s", lead, buf_cstr(&list));
    buf_release(&list);
}

static bool at_least_one(struct record_run *run, const int *at, const char *const *names, size_t n,
                         const char *err)
{
    if (count_set(run, at, names, n) > 0)
        return true;
    struct buf list, msg;
    buf_init(&list, 4096);
    buf_init(&msg, 4096);
    quoted_list(names, n, &list);
    if (err)
        format_err(err, buf_cstr(&list), &msg);
    else
        buf_printf(&msg, "at least one of these fields must be %s: %s",
                   nulls_are_values(run->c) ? "given" : "non-empty", buf_cstr(&list));
    diag_add(run->c->sink, R_HOP2009, -1, &run->map->span, path_text(run->c->path), run->c->entity,
             "%s", buf_cstr(&msg));
    buf_release(&list);
    buf_release(&msg);
    return false;
}

/* The check's if_field and every and_if condition hold (a null value holds none). */
static bool conditions_hold(struct record_run *run, const struct spec_check *k)
{
    const struct node *iv = run_value(run, k->if_at, k->if_field);
    if (!iv || node_is_null(iv) || !matches(run->c, k->if_match, iv))
        return false;
    for (size_t i = 0; i < k->n_and_if; i++) {
        const struct spec_condition *cond = &k->and_if[i];
        const struct node *v = run_value(run, cond->at, cond->field);
        if (!v || node_is_null(v) || !matches(run->c, cond->match, v))
            return false;
    }
    return true;
}

/*
 * A conditional's then_def: then_field's written value checked as a field is, its findings at
 * their own paths (APISIX checks the list a branch on `policy` declares only in that branch).
 * A field that fails is marked failed, so later checks that read it are skipped.
 */
static bool run_then_def(struct record_run *run, const struct spec_check *k)
{
    struct vctx *c = run->c;
    struct nested_field nf = nested_field(run, k->then_at, k->then_field);
    const struct node *v = nf.written;
    if (!v)
        return true;
    size_t depth = 0;
    for (const char *seg = k->then_field; seg; depth++) {
        const char *dot = strchr(seg, '.');
        path_push_key(c->path, seg, dot ? (size_t)(dot - seg) : strlen(seg));
        seg = dot ? dot + 1 : NULL;
    }
    const char *field = c->field;
    const struct node *outer = c->env.record;
    bool secret = c->secret;
    const char *last = strrchr(k->then_field, '.');
    c->field = last ? last + 1 : k->then_field; /* messages name the field, as its own checks do */
    c->env.record = run->map;
    c->secret = secret || (nf.f && (nf.f->flags & SF_SECRET)); /* the field's own secrecy */
    bool ok = validate_value(c, k->then_def, v);
    c->secret = secret;
    c->env.record = outer;
    c->field = field;
    while (depth-- > 0)
        path_pop(c->path);
    if (!ok && k->then_at >= 0) {
        run->failed_fields[k->then_at] = true;
        run->some_failed = true;
    }
    return ok;
}

static bool run_conditional(struct record_run *run, const struct spec_check *k)
{
    struct vctx *c = run->c;
    const struct node *iv = run_value(run, k->if_at, k->if_field);
    if (!conditions_hold(run, k) ||
        (k->unless_field && counts_as_set(c, run_value(run, k->unless_at, k->unless_field))))
        return true;
    if (k->then_def)
        return run_then_def(run, k);
    if (!k->then_match)
        return true; /* a then_def none of whose variants holds for the target */
    const struct node *tv = run_value(run, k->then_at, k->then_field);
    if (matches(c, k->then_match, tv))
        return true;
    struct failure fl;
    fl.quiet = false;
    const struct node *matched;
    check_value(c, k->then_match, tv, &fl, &matched);
    const struct node *at = k->then_at >= 0 ? run->values[k->then_at] : NULL;
    const struct span *where = at ? &at->span : &run->map->span;
    char shown[128];
    show(c, iv, shown, sizeof(shown));
    if (k->then_err)
        diag_add(c->sink, R_HOP2008, -1, where, path_text(c->path), c->entity, "%s", k->then_err);
    else
        diag_add(c->sink, R_HOP2008, -1, where, path_text(c->path), c->entity,
                 "'%s': %s, because '%s' is %s", k->then_field, fl.message, k->if_field, shown);
    return false;
}

static bool run_conditional_alo(struct record_run *run, const struct spec_check *k)
{
    const struct node *iv = run_value(run, k->if_at, k->if_field);
    if (!iv || node_is_null(iv))
        return true;
    if (matches(run->c, k->if_match, iv))
        return at_least_one(run, k->then_fields_at, k->then_fields, k->n_then_fields, k->then_err);
    if (k->else_match && matches(run->c, k->else_match, iv))
        return at_least_one(run, k->else_fields_at, k->else_fields, k->n_else_fields, k->else_err);
    return true;
}

static bool run_distinct(struct record_run *run, const struct spec_check *k)
{
    for (size_t i = 0; i < k->n_fields; i++) {
        const struct node *a = run_value(run, k->fields_at[i], k->fields[i]);
        for (size_t j = i + 1; counts_as_set(run->c, a) && j < k->n_fields; j++) {
            const struct node *b = run_value(run, k->fields_at[j], k->fields[j]);
            if (counts_as_set(run->c, b) && node_equal(a, b)) {
                check_report(run, R_HOP2012, "values of these fields must be distinct: ", k->fields,
                             k->n_fields);
                return false;
            }
        }
    }
    return true;
}

/* At least one of the fields is true (read at its default: oauth2's grant flows). */
static bool run_at_least_one_true(struct record_run *run, const struct spec_check *k)
{
    for (size_t i = 0; i < k->n_fields; i++) {
        const struct node *v = run_value(run, k->fields_at[i], k->fields[i]);
        if (v && v->kind == NODE_SCALAR && v->type == SCALAR_BOOL && v->v.b)
            return true;
    }
    check_report(run, R_HOP2009, "at least one of these fields must be true: ", k->fields,
                 k->n_fields);
    return false;
}

/*
 * A record that is two forms in one (JSON schema's oneOf of a closed record and an open map, as
 * APISIX's proxy-rewrite `headers`): once one of the fields is a table, the record is the closed
 * form and takes no key it does not declare.
 */
static bool run_closed_if_any(struct record_run *run, const struct spec_check *k)
{
    const char *form = NULL;
    for (size_t i = 0; i < k->n_fields && !form; i++) {
        const struct node *v = run_value(run, k->fields_at[i], k->fields[i]);
        if (v && v->kind != NODE_SCALAR)
            form = k->fields[i];
    }
    bool ok = true;
    for (uint32_t i = 0; form && i < run->map->count; i++) {
        const struct node *key = run->map->u.pairs[i].key;
        if (!node_is_string(key) || spec_record_field(run->r, key->u.text, key->count))
            continue;
        diag_add(run->c->sink, R_HOP2010, -1, &key->span, path_text(run->c->path), run->c->entity,
                 "'%.80s' cannot be set beside '%s': with '%s' the record is read in its "
                 "structured form, which takes no other key",
                 key->u.text, form, form);
        ok = false;
    }
    return ok;
}

/* The fields have one value; an unset field is null. The check applies when the field each
 * name starts at is set (keys: `jwk.kid` only when there is a jwk); a value that cannot be read
 * (a JSON string that does not decode, a vault reference) is not compared. */
static bool run_equal(struct record_run *run, const struct spec_check *k)
{
    const struct node *first = NULL;
    for (size_t i = 0; i < k->n_fields; i++) {
        int at = k->fields_at[i];
        if (at < 0 ||
            (strchr(k->fields[i], '.') && !is_set(run_value(run, at, run->r->fields[at].name))))
            return true;
    }
    for (size_t i = 0; i < k->n_fields; i++) {
        const struct node *v = run_value(run, k->fields_at[i], k->fields[i]);
        if (v == &unreadable_value || (v && is_vault_reference(v)) ||
            (v && is_placeholder(run->c, v)))
            return true;
        if (!v)
            v = &unreadable_value; /* compares as null */
        if (i == 0)
            first = v;
        else if (!node_equal(first, v) && !(node_is_null(first) && node_is_null(v))) {
            check_report(run, R_HOP2008, "these fields must have the same value: ", k->fields,
                         k->n_fields);
            return false;
        }
    }
    return true;
}

/*
 * forbids / requires: when if_field is set (and matches if_match, when given), none / all of
 * the fields may be set. One finding per check, at the record.
 */
static bool run_if_set(struct record_run *run, const struct spec_check *k)
{
    const struct node *iv = run_value(run, k->if_at, k->if_field);
    if (!is_set(iv) || (k->if_match && !matches(run->c, k->if_match, iv)))
        return true;
    bool forbids = k->kind == CHECK_FORBIDS;
    size_t set = count_set(run, k->fields_at, k->fields, k->n_fields);
    if (forbids ? set == 0 : set == k->n_fields)
        return true;
    struct buf list, msg;
    buf_init(&list, 4096);
    buf_init(&msg, 4096);
    quoted_list(k->fields, k->n_fields, &list);
    if (k->then_err)
        format_err(k->then_err, buf_cstr(&list), &msg);
    else
        buf_printf(&msg, "'%s' %s: %s", k->if_field,
                   forbids ? "cannot be used with any of" : "needs all of", buf_cstr(&list));
    diag_add(run->c->sink, forbids ? R_HOP2010 : R_HOP2011, -1, &run->map->span,
             path_text(run->c->path), run->c->entity, "%s", buf_cstr(&msg));
    buf_release(&list);
    buf_release(&msg);
    return false;
}

/* The fields' string values, turned by a derivation (a certificate's key type), differ;
 * values that cannot be derived (a vault reference) are left out. */
static bool run_distinct_by(struct record_run *run, const struct spec_check *k)
{
    enum { MAX_COMPARED = 8 };
    char derived[MAX_COMPARED][128];
    size_t have = 0;
    bool repeat = false;
    for (size_t i = 0; i < k->n_fields && have < MAX_COMPARED && !repeat; i++) {
        const struct node *v = run_value(run, k->fields_at[i], k->fields[i]);
        if (!node_is_string(v) || is_vault_reference(v) ||
            !k->derive->fn(v->u.text, v->count, derived[have], sizeof(derived[have])))
            continue;
        for (size_t j = 0; j < have && !repeat; j++)
            repeat = !strcmp(derived[j], derived[have]);
        have++;
    }
    if (!repeat)
        return true;
    if (k->then_err)
        diag_add(run->c->sink, R_HOP2012, -1, &run->map->span, path_text(run->c->path),
                 run->c->entity, "%s", k->then_err);
    else
        check_report(run, R_HOP2012, "these fields must differ in their derived value: ", k->fields,
                     k->n_fields);
    return false;
}

/* The value set in then_field is the `by` field of an item of the list (HOP3001 if not). */
static bool run_names_item(struct record_run *run, const struct spec_check *k)
{
    if (k->if_field && !conditions_hold(run, k))
        return true;
    const struct node *v = run_value(run, k->then_at, k->then_field);
    const struct node *list = run_value(run, k->fields_at[0], k->fields[0]);
    if (!counts_as_set(run->c, v) || v->kind != NODE_SCALAR)
        return true;
    for (uint32_t i = 0; list && list->kind == NODE_SEQUENCE && i < list->count; i++)
        if (node_equal(node_map_get(list->u.items[i], k->by), v))
            return true;
    const struct node *at = nested_field(run, k->then_at, k->then_field).written;
    char shown[128];
    show(run->c, v, shown, sizeof(shown));
    struct buf msg;
    buf_init(&msg, 4096);
    if (k->then_err)
        format_err(k->then_err, shown, &msg);
    else
        buf_printf(&msg, "'%s': %s names no item of '%s' (by '%s')", k->then_field, shown,
                   k->fields[0], k->by);
    diag_add(run->c->sink, R_HOP3001, -1, at ? &at->span : &run->map->span, path_text(run->c->path),
             run->c->entity, "%s", buf_cstr(&msg));
    buf_release(&msg);
    return false;
}

/* A check gatehop cannot run, announced when its condition holds (HOP9005, an info). */
static bool run_unchecked(struct record_run *run, const struct spec_check *k)
{
    if (!conditions_hold(run, k))
        return true;
    if (k->unless_field) { /* about a field left out: said at the record */
        if (!counts_as_set(run->c, run_value(run, k->unless_at, k->unless_field)))
            diag_add(run->c->sink, R_HOP9005, -1, &run->map->span, path_text(run->c->path),
                     run->c->entity, "'%s': not checked: %s", k->unless_field, k->then_err);
        return true;
    }
    const struct node *at = nested_field(run, k->if_at, k->if_field).written;
    diag_add(run->c->sink, R_HOP9005, -1, at ? &at->span : &run->map->span, path_text(run->c->path),
             run->c->entity, "'%s': not checked: %s", k->if_field, k->then_err);
    return true;
}

static bool is_number(const struct node *n)
{
    return n && n->kind == NODE_SCALAR && (n->type == SCALAR_INT || n->type == SCALAR_FLOAT);
}

/* The numbers set among the fields must not decrease in the order listed (rate-limiting's
 * limits per second, minute, ... year), or, strict, must increase (APISIX's sync_interval and
 * time_window), where the check's condition holds. The first pair out of order is reported. */
static bool run_ordered(struct record_run *run, const struct spec_check *k)
{
    if (k->if_field && !conditions_hold(run, k))
        return true;
    for (size_t i = 0; i < k->n_fields; i++) {
        const struct node *low = run_value(run, k->fields_at[i], k->fields[i]);
        for (size_t j = i + 1; is_number(low) && j < k->n_fields; j++) {
            const struct node *high = run_value(run, k->fields_at[j], k->fields[j]);
            if (!is_number(high) || node_number(high) > node_number(low) ||
                (!k->strict && node_number(high) == node_number(low)))
                continue;
            if (k->then_err)
                diag_add(run->c->sink, R_HOP2008, -1, &run->map->span, path_text(run->c->path),
                         run->c->entity, "%s", k->then_err);
            else
                diag_add(run->c->sink, R_HOP2008, -1, &run->map->span, path_text(run->c->path),
                         run->c->entity, "'%s' (%g) must %s '%s' (%g)", k->fields[j],
                         node_number(high), k->strict ? "be greater than" : "not be lower than",
                         k->fields[i], node_number(low));
            return false;
        }
    }
    return true;
}

/* Lists that go in pairs (APISIX ssl certs and keys): as many items in each; absent is none. */
static bool run_same_count(struct record_run *run, const struct spec_check *k)
{
    size_t first = 0;
    for (size_t i = 0; i < k->n_fields; i++) {
        const struct node *v = run_value(run, k->fields_at[i], k->fields[i]);
        size_t count = v && v->kind == NODE_SEQUENCE ? v->count : 0;
        if (i == 0)
            first = count;
        else if (count != first) {
            check_report(run, R_HOP2008, "these lists must have as many items each: ", k->fields,
                         k->n_fields);
            return false;
        }
    }
    return true;
}

static bool run_check(struct record_run *run, const struct spec_check *k)
{
    size_t n = k->n_fields, set;
    switch (k->kind) {
    case CHECK_AT_LEAST_ONE_OF:
        return at_least_one(run, k->fields_at, k->fields, n, NULL);
    case CHECK_ONLY_ONE_OF:
        set = count_set(run, k->fields_at, k->fields, n);
        if (set == 1)
            return true;
        check_report(run, set ? R_HOP2010 : R_HOP2009,
                     nulls_are_values(run->c) ? "exactly one of these fields must be given: "
                                              : "exactly one of these fields must be non-empty: ",
                     k->fields, n);
        return false;
    case CHECK_MUTUALLY_EXCLUSIVE:
        if (count_set(run, k->fields_at, k->fields, n) <= 1)
            return true;
        check_report(run, R_HOP2010, "only one or none of these fields must be set: ", k->fields,
                     n);
        return false;
    case CHECK_MUTUALLY_REQUIRED:
        set = count_set(run, k->fields_at, k->fields, n);
        if (set == 0 || set == n)
            return true;
        check_report(run, R_HOP2011, "all or none of these fields must be set: ", k->fields, n);
        return false;
    case CHECK_MUTUALLY_EXCLUSIVE_SETS:
        if (!count_set(run, k->fields_at, k->fields, k->n_fields_a) ||
            !count_set(run, k->fields_at + k->n_fields_a, k->fields + k->n_fields_a,
                       n - k->n_fields_a))
            return true;
        check_report(run, R_HOP2010,
                     "fields of these two sets must not be set together: ", k->fields, n);
        return false;
    case CHECK_DISTINCT:
        return run_distinct(run, k);
    case CHECK_ORDERED:
        return run_ordered(run, k);
    case CHECK_SAME_COUNT:
        return run_same_count(run, k);
    case CHECK_CONDITIONAL:
        return run_conditional(run, k);
    case CHECK_CONDITIONAL_AT_LEAST_ONE_OF:
        return run_conditional_alo(run, k);
    case CHECK_AT_LEAST_ONE_TRUE:
        return run_at_least_one_true(run, k);
    case CHECK_CLOSED_IF_ANY:
        return run_closed_if_any(run, k);
    case CHECK_EQUAL:
        return run_equal(run, k);
    case CHECK_UNCHECKED:
        return run_unchecked(run, k);
    case CHECK_FORBIDS:
    case CHECK_REQUIRES:
        return run_if_set(run, k);
    case CHECK_DISTINCT_BY:
        return run_distinct_by(run, k);
    case CHECK_NAMES_ITEM:
        return run_names_item(run, k);
    }
    return true;
}

/* The message of a finding of an unless_metadata check: the gateway's own, or the check's
 * with what the metadata would do. */
static void excused_by_metadata(const struct vctx *c, const struct spec_unless_metadata *u,
                                const char *message, struct buf *out)
{
    if (u->err) {
        buf_puts(out, u->err);
        return;
    }
    struct buf list;
    buf_init(&list, 1024);
    for (size_t i = 0; i < u->nfields; i++)
        buf_printf(&list, "%s'%s'", list_sep(i, u->nfields, " and "), u->fields[i]);
    buf_printf(out, "%s; or the plugin metadata of '%s' must set %s", message, c->plugin,
               buf_cstr(&list));
    buf_release(&list);
}

/*
 * A check that holds unless the plugin's metadata in the file sets some fields (APISIX's
 * file-logger takes the metadata's path): skipped when it does, run when it does not, and run
 * with its findings held when the file has given no metadata yet (it may come later).
 */
static bool run_check_unless_metadata(struct record_run *run, const struct spec_check *k)
{
    struct vctx *c = run->c;
    int sets =
        c->metadata && c->plugin ? metadata_sets(c->metadata, c->plugin, k->unless_metadata) : 0;
    if (sets == 1)
        return true;
    struct diag_sink found, *sink = c->sink;
    diag_sink_init(&found, 0);
    c->sink = &found;
    bool ok = run_check(run, k);
    c->sink = sink;
    for (size_t i = 0; i < found.count; i++) {
        const struct diag *d = &found.items[i];
        struct buf msg;
        buf_init(&msg, 4096);
        excused_by_metadata(c, k->unless_metadata, d->message, &msg);
        if (sets == 0 ||
            !metadata_hold(c->metadata, c->plugin, k->unless_metadata, d, buf_cstr(&msg)))
            diag_add(sink, d->rule, (int)d->severity, &d->span, d->path, d->entity, "%s",
                     buf_cstr(&msg));
        buf_release(&msg);
    }
    sink->failed |= found.failed;
    diag_sink_release(&found);
    return ok || sets < 0;
}

/* Kong skips an entity check when a field it reads has already failed. An `unchecked` check
 * checks nothing: it still says what gatehop does not know (a finding on that field may be one
 * the gateway does not make). */
static bool check_reads_failed_field(const struct record_run *run, const struct spec_check *k)
{
    if (!run->some_failed || k->kind == CHECK_UNCHECKED)
        return false;
    for (size_t i = 0; i < k->n_and_if; i++)
        if (failed_at(run, k->and_if[i].at))
            return true;
    return any_failed(run, k->fields_at, k->n_fields) ||
           any_failed(run, k->then_fields_at, k->n_then_fields) ||
           any_failed(run, k->else_fields_at, k->n_else_fields) || failed_at(run, k->if_at) ||
           failed_at(run, k->then_at) || failed_at(run, k->unless_at);
}

static void validate_field_value(struct vctx *c, struct record_run *run, const struct spec_field *f,
                                 const struct node *key, const struct node *value)
{
    const char *field = c->field;
    c->field = f->name;
    path_push_key(c->path, key->u.text, key->count);
    bool ok = validate_value(c, f, value);
    path_pop(c->path);
    c->field = field;
    if (run && !ok) {
        run->failed_fields[f - run->r->fields] = true;
        run->some_failed = true;
    }
}

/*
 * Kong 3.6 and later write a deprecated shorthand back beside the field it sets when they
 * export a plugin (db_export, decK dumps): the shorthand then echoes the field's value.
 */
static bool shorthand_echoed(const struct record_run *run, const struct spec_shorthand *s,
                             const struct node *given)
{
    if (s->expand || !s->sets[0])
        return false;
    for (const char *const *target = s->sets; *target; target++) {
        const struct spec_field *top = spec_record_path_start(run->r, *target);
        if (!top)
            return false;
        struct nested_field n = nested_field(run, (int)(top - run->r->fields), *target);
        if (!n.written || !node_equal(n.written, shorthand_mapped(s, given)))
            return false;
    }
    return true;
}

/* Whether a deprecated shorthand's value loses to the field it sets (Kong 3.8 rejects the two
 * set differently, and keeps the field's value otherwise); else the shorthand's value wins. */
static bool shorthand_yields(const struct vctx *c, const struct spec_shorthand *s)
{
    return s->value.deprecated_since && c->doc->shorthand_conflicts_are_errors;
}

/*
 * The shorthand written in the record that replaces the value written for field `name`: Kong
 * expands shorthands before it validates, and a shorthand that wins overwrites the field
 * (a service's `url` sets protocol, host, port and path), so the field's own value is never
 * checked. Only whole fields: a dotted target (redis.host) merges into its record.
 */
static const struct spec_shorthand *
overriding_shorthand(const struct vctx *c, const struct record_run *run, const char *name)
{
    for (size_t i = 0; i < run->r->nshorthands; i++) {
        const struct spec_shorthand *s = &run->r->shorthands[i];
        bool sets_it = false;
        for (const char *const *f = s->sets; *f && !sets_it; f++)
            sets_it = !strcmp(*f, name);
        if (!sets_it || shorthand_yields(c, s))
            continue;
        const struct node *given = node_map_get(run->map, s->name);
        if (given && !node_is_null(given) && matches(c, &s->value, given))
            return s;
    }
    return NULL;
}

/* A key that is a field, a shorthand or an extra (_comment); false when none of these. */
static bool validate_known_key(struct vctx *c, struct record_run *run, const struct node *key,
                               const struct node *value, const struct record_options *opt)
{
    const struct spec_record *r = run->r;
    const struct spec_field *f = spec_record_field(r, key->u.text, key->count);
    if (f && (f->flags & SF_IMPLIED))
        return false; /* only nesting sets it: written, it is a key the format does not have */
    if (f && r->nshorthands && overriding_shorthand(c, run, f->name))
        return true; /* overwritten before Kong looks: checks read what the shorthand gives */
    if (f) {
        run->values[f - r->fields] = value;
        validate_field_value(c, run, f, key, value);
        return true;
    }
    const struct spec_shorthand *s = spec_record_shorthand(r, key->u.text, key->count);
    if (s && shorthand_echoed(run, s, value)) {
        struct spec_field quiet = s->value; /* an export's echo is not a use of the old field */
        quiet.deprecated_since = NULL;
        validate_field_value(c, NULL, &quiet, key, value);
        return true;
    }
    if (s) {
        validate_field_value(c, NULL, &s->value, key, value);
        return true;
    }
    f = opt && opt->extras ? spec_record_field(opt->extras, key->u.text, key->count) : NULL;
    if (f) {
        validate_field_value(c, NULL, f, key, value);
        return true;
    }
    return false;
}

static bool check_keys(struct vctx *c, struct record_run *run, const struct record_options *opt)
{
    bool ok = true;
    const struct node *map = run->map;
    for (uint32_t i = 0; map->kind == NODE_MAPPING && i < map->count; i++) {
        const struct node *key = map->u.pairs[i].key, *value = map->u.pairs[i].value;
        if (!node_is_string(key)) {
            diag_add(c->sink, R_HOP2003, -1, &key->span, path_text(c->path), c->entity,
                     "keys must be strings, not %s", node_describe(key));
            ok = false;
            continue;
        }
        if (validate_known_key(c, run, key, value, opt))
            continue;
        if (opt && opt->extra && opt->extra(opt->extra_ctx, key, value))
            continue;
        const struct spec_field *implied = spec_record_field(run->r, key->u.text, key->count);
        if (run->r->open && !implied)
            continue;
        path_push_key(c->path, key->u.text, key->count);
        if (implied) {
            const struct spec_entity *parent = spec_entity_find(c->doc, implied->reference);
            diag_add(c->sink, R_HOP2001, -1, &key->span, path_text(c->path), c->entity,
                     "unknown field '%s': the file does not write it; nesting sets it (the "
                     "item belongs to the %s it sits in)",
                     implied->name, parent ? parent->singular : "item");
        } else
            report_unknown_key(c, run->r, key, "field");
        path_pop(c->path);
        ok = false;
    }
    return ok;
}

/*
 * A shorthand and the field it sets, both written with different values. Kong lets the
 * shorthand win, except that from the release product.yaml's `shorthand_conflicts` names, a
 * deprecated shorthand's conflict rejects the entity.
 */
static bool report_shorthand_conflict(struct vctx *c, const struct spec_shorthand *s,
                                      const char *target, const struct node *given)
{
    const struct spec_document *d = c->doc;
    if (shorthand_yields(c, s)) {
        diag_add(c->sink, R_HOP2010, -1, &given->span, path_text(c->path), c->entity,
                 "'%s' (deprecated) and '%s' are both set, to different values; %s %s rejects "
                 "this: set only '%s'",
                 s->name, target, d->product, d->version_text, target);
        return false;
    }
    diag_add(c->sink, R_HOP2010, GH_WARNING, &given->span, path_text(c->path), c->entity,
             "'%s' and '%s' are both set, to different values; %s %s uses the value of '%s'",
             s->name, target, d->product, d->version_text, s->name);
    return true;
}

/* Appends s to out[0..*used) as snprintf would, cut to fit. */
static void append_cut(char *out, size_t size, size_t *used, const char *s)
{
    size_t n = strlen(s), room = size - 1 - *used;
    n = n < room ? n : room;
    memcpy(out + *used, s, n);
    *used += n;
    out[*used] = '\0';
}

/*
 * One field a written shorthand sets: checked like a written value ("url: ftp://x" gives a
 * protocol Kong rejects) and reported at the shorthand, or compared with the value written
 * for the field itself.
 */
static bool check_one_expanded(struct vctx *c, struct record_run *run,
                               const struct spec_shorthand *s, const struct node *given,
                               const char *target)
{
    const struct spec_field *top = spec_record_path_start(run->r, target);
    if (!top)
        return true;
    int at = (int)(top - run->r->fields);
    struct nested_field n = nested_field(run, at, target);
    const struct node *v = n.f ? shorthand_value(run, target) : NULL;
    bool written = n.written && !node_is_null(n.written);
    if (!v || node_is_null(v)) {
        /* `url` without a path still overwrites a written path, with null */
        if (written && !shorthand_yields(c, s)) {
            path_push_key(c->path, s->name, strlen(s->name));
            report_shorthand_conflict(c, s, target, given);
            path_pop(c->path);
        }
        return true;
    }
    path_push_key(c->path, s->name, strlen(s->name));
    bool ok = true;
    if (written)
        ok = node_equal(n.written, v) || report_shorthand_conflict(c, s, target, given);
    if (!written || (ok && !shorthand_yields(c, s))) {
        /* "host (from url)", made for every service: no formatting */
        char label[160];
        size_t used = 0;
        label[0] = '\0';
        append_cut(label, sizeof(label), &used, target);
        append_cut(label, sizeof(label), &used, " (from ");
        append_cut(label, sizeof(label), &used, s->name);
        append_cut(label, sizeof(label), &used, ")");
        const char *field = c->field;
        c->field = label;
        ok = validate_value(c, n.f, v);
        c->field = field;
    }
    path_pop(c->path);
    if (!ok) {
        run->failed_fields[at] = true;
        run->some_failed = true;
    }
    return ok;
}

static bool check_expanded(struct vctx *c, struct record_run *run)
{
    bool ok = true;
    for (size_t i = 0; i < run->r->nshorthands; i++) {
        const struct spec_shorthand *s = &run->r->shorthands[i];
        const struct node *given = node_map_get(run->map, s->name);
        if (!given || node_is_null(given) || !matches(c, &s->value, given))
            continue; /* a value of the wrong type was reported at the shorthand */
        for (const char *const *target = s->sets; *target; target++)
            ok &= check_one_expanded(c, run, s, given, *target);
    }
    return ok;
}

/*
 * Whether Kong can fill a required record left out: it builds it from its fields' defaults
 * (kong/db/schema/init.lua, handle_missing_field), which works when every required field has
 * a default, is generated, or is such a record itself.
 */
static bool fills_itself(const struct spec_field *f, int depth)
{
    if (f->type != FT_RECORD || !f->record || depth > 16)
        return false;
    for (size_t i = 0; i < f->record->nfields; i++) {
        const struct spec_field *sub = &f->record->fields[i];
        bool filled = !(sub->flags & SF_REQUIRED) || sub->default_value || (sub->flags & SF_AUTO) ||
                      fills_itself(sub, depth + 1);
        if (!filled)
            return false;
    }
    return true;
}

static bool check_required(struct vctx *c, const struct record_run *run,
                           const struct record_options *opt)
{
    bool ok = true;
    for (size_t i = 0; i < run->r->nfields; i++) {
        const struct spec_field *f = &run->r->fields[i];
        if (!(f->flags & SF_REQUIRED) || f->default_value || (f->flags & SF_AUTO) ||
            run->values[i] || (!c->doc->missing_records_fail && fills_itself(f, 0)))
            continue;
        if (opt && opt->implied_field && !strcmp(opt->implied_field, f->name))
            continue;
        if (shorthand_provides(run->r, run->map, f->name))
            continue;
        diag_add(c->sink, R_HOP2002, -1, &run->map->span, path_text(c->path), c->entity,
                 "required field '%s' is missing", f->name);
        ok = false;
    }
    return ok;
}

/* The pair of a mapping under a string key, or NULL. */
static struct node_pair *pair_named(struct node *map, const char *key)
{
    for (uint32_t i = 0; i < map->count; i++)
        if (node_text_equals(map->u.pairs[i].key, key))
            return &map->u.pairs[i];
    return NULL;
}

/* A rewrite case's values, written into the copy at the place of the value that triggered it. */
static void apply_set(struct vctx *c, struct node *copy, const struct node *set,
                      const struct span *at)
{
    for (uint32_t i = 0; i < set->count; i++) {
        const struct node *key = set->u.pairs[i].key;
        struct node *value = arena_alloc(c->scratch, sizeof(*value));
        if (!value)
            return;
        *value = *set->u.pairs[i].value;
        value->span = *at;
        value->flags |= NODE_SYNTH;
        struct node_pair *p = pair_named(copy, key->u.text);
        if (!p) {
            struct node *k = arena_alloc(c->scratch, sizeof(*k));
            if (!k)
                return;
            *k = *key;
            k->span = *at;
            k->flags |= NODE_SYNTH;
            p = &copy->u.pairs[copy->count++];
            p->key = k;
        }
        p->value = value;
    }
}

/*
 * What the gateway does to the values before it validates them (Kong's upstreams turn
 * `hash_on` and `algorithm` into each other), applied to a copy of the mapping; the original
 * is returned when nothing applies or memory runs out.
 */
static const struct node *apply_rewrites(struct vctx *c, const struct spec_record *r,
                                         const struct node *map)
{
    if (!r->nrewrites || map->kind != NODE_MAPPING)
        return map;
    size_t room = map->count;
    for (size_t i = 0; i < r->nrewrites; i++)
        for (size_t j = 0; j < r->rewrites[i].ncases; j++)
            room += r->rewrites[i].cases[j].set->count;
    struct node *copy = arena_alloc(c->scratch, sizeof(*copy));
    struct node_pair *pairs = arena_calloc(c->scratch, room, sizeof(*pairs));
    if (!copy || !pairs)
        return map;
    *copy = *map;
    memcpy(pairs, map->u.pairs, map->count * sizeof(*pairs));
    copy->u.pairs = pairs;
    for (size_t i = 0; i < r->nrewrites; i++) {
        const struct spec_rewrite *rw = &r->rewrites[i];
        struct node_pair *p = pair_named(copy, rw->field);
        for (size_t j = 0; p && j < rw->ncases; j++) {
            const struct spec_rewrite_case *one = &rw->cases[j];
            if (one->match && !matches(c, one->match, p->value))
                continue;
            struct span at = p->value->span;
            apply_set(c, copy, one->set, &at);
            break;
        }
    }
    return copy;
}

bool validate_record(struct vctx *c, const struct spec_record *r, const struct node *map,
                     const struct record_options *opt)
{
    map = apply_rewrites(c, r, map);
    enum { SMALL = 64 };
    const struct node *small_values[SMALL];
    bool small_failed[SMALL];
    bool small = r->nfields <= SMALL;
    const struct node **values =
        small ? small_values : arena_calloc(c->scratch, r->nfields, sizeof(*values));
    bool *failed_fields = small ? small_failed : arena_calloc(c->scratch, r->nfields, 1);
    if (!values || !failed_fields)
        return true;
    if (small) {
        memset(small_values, 0, r->nfields * sizeof(*small_values));
        memset(small_failed, 0, r->nfields);
    }
    if (opt && opt->values_out)
        values = opt->values_out; /* the caller reads them afterwards */
    if (opt && opt->values_out)
        memset(values, 0, r->nfields * sizeof(*values));
    struct record_run run = {.c = c,
                             .r = r,
                             .map = map,
                             .values = values,
                             .failed_fields = failed_fields,
                             .shorthands_given = -1,
                             .implied = opt ? opt->implied_field : NULL};
    /* A validator may read the value's siblings (a route expression its route's protocols). */
    const struct node *outer = c->env.record;
    c->env.record = map;
    bool ok = check_keys(c, &run, opt);
    c->env.record = outer;
    if (c->probe)
        return ok;
    ok &= check_expanded(c, &run);
    ok &= check_required(c, &run, opt);
    for (size_t i = 0; i < r->nchecks; i++)
        if (!check_reads_failed_field(&run, &r->checks[i]))
            ok &= r->checks[i].unless_metadata ? run_check_unless_metadata(&run, &r->checks[i])
                                               : run_check(&run, &r->checks[i]);
    return ok;
}
