#include "ruleset_func.h"

#include "ruleset_js.h"
#include "ruleset_schema.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Values are looked at as JavaScript sees the JSON Spectral parses (ruleset_js.h). */

/* ---- JSON types, as ajv checks them -------------------------------------------------------- */

/* In the order of enum js_type's bits, for ajv's "accepts only the following types" message. */
static const char *const jtype_names[] = {"null", "boolean", "number", "string", "array", "object"};

/* An option's type. Spectral bundles a YAML ruleset into JSON, where NaN and the infinities
 * become null; an absent option is null too (lintNode passes `functionOptions ?? null`). */
static unsigned opt_jtype(const struct node *n)
{
    unsigned t = js_ruleset_type(n);
    return t ? t : JS_NULL;
}

/* ---- Number() and localeCompare() of strings ----------------------------------------------- */

static bool all_digits(const char *s, size_t n, int radix)
{
    for (size_t i = 0; i < n; i++) {
        int c = s[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : 99;
        if (d >= radix)
            return false;
    }
    return n > 0;
}

static double radix_value(const char *s, size_t n, int radix)
{
    double d = 0;
    for (size_t i = 0; i < n; i++) {
        int c = s[i] | 0x20;
        d = d * radix + (c <= '9' ? c - '0' : c - 'a' + 10);
    }
    return d;
}

/* Digits, an optional fraction and exponent: JavaScript's StrUnsignedDecimalLiteral. */
static bool decimal_literal(const char *s, size_t n)
{
    size_t i = 0, int_digits = 0, frac_digits = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++, int_digits++;
    if (i < n && s[i] == '.')
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            frac_digits++;
    if (int_digits + frac_digits == 0)
        return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (!all_digits(s + i, n - i, 10))
            return false;
        i = n;
    }
    return i == n;
}

/* JavaScript's Number(string): NaN when the text is not a number. */
static double js_string_to_number(const char *s, size_t n)
{
    size_t i = 0, start = n, end = 0;
    while (i < n) {
        size_t at = i;
        if (!js_white_space(js_next_code_point(s, n, &i))) {
            start = start < at ? start : at;
            end = i;
        }
    }
    if (start >= end)
        return 0; /* empty or only white space */
    const char *b = s + start;
    size_t len = end - start;
    static const struct {
        char letter;
        int radix;
    } prefixes[] = {{'x', 16}, {'o', 8}, {'b', 2}};
    for (size_t k = 0; k < sizeof(prefixes) / sizeof(prefixes[0]); k++)
        if (len > 2 && b[0] == '0' && (b[1] | 0x20) == prefixes[k].letter)
            return all_digits(b + 2, len - 2, prefixes[k].radix)
                       ? radix_value(b + 2, len - 2, prefixes[k].radix)
                       : NAN;
    bool negative = b[0] == '-';
    size_t sign = b[0] == '-' || b[0] == '+';
    if (len - sign == 8 && memcmp(b + sign, "Infinity", 8) == 0)
        return negative ? -INFINITY : INFINITY;
    if (!decimal_literal(b + sign, len - sign))
        return NAN;
    /* The literal ends at white space or the text's NUL, where strtod stops too. */
    return strtod(b, NULL);
}

/*
 * String.prototype.localeCompare as Node's ICU does it (root collation, tertiary strength), for
 * ASCII and Latin-1's accented letters: control characters are ignored; white space,
 * punctuation, symbols, digits, then letters compare first (an accented letter as its base
 * letter, case ignored); then accents (none, acute, grave, circumflex, ring, diaeresis, tilde,
 * cedilla); then case, lower before upper. Other characters sort after those, by code point
 * (ICU would place some among them, or expand æ and ß).
 */
static const char collation_order[] = "\t\n\v\f\r _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$"
                                      "0123456789abcdefghijklmnopqrstuvwxyz";
/* U+00C0 to U+00DF, and U+00E0 to U+00FF in lower case: the base letter and the accent. */
static const char latin1_base[] = "AAAAAA-CEEEEIIII-NOOOOO--UUUUY--";
static const char latin1_accent[] = "213654-721352135-621365--21351--";

struct collation_element {
    uint32_t weight[3]; /* primary (0: ignorable), accent, upper case */
};

static struct collation_element collation_element(uint32_t cp)
{
    if (cp >= 0xC0 && cp <= 0xFF && (cp == 0xFF || latin1_base[cp & 0x1F] != '-')) {
        uint32_t base = cp == 0xFF ? 'y' : (uint32_t)latin1_base[cp & 0x1F];
        struct collation_element e = collation_element(base);
        e.weight[1] = cp == 0xFF ? 5 : (uint32_t)(latin1_accent[cp & 0x1F] - '0');
        e.weight[2] = cp < 0xE0;
        return e;
    }
    if (cp >= 0x80)
        return (struct collation_element){{cp + (uint32_t)sizeof(collation_order), 0, 0}};
    char c = (char)(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
    const char *at = c ? strchr(collation_order, c) : NULL;
    uint32_t primary = at ? (uint32_t)(at - collation_order) + 1 : 0;
    return (struct collation_element){{primary, 0, cp >= 'A' && cp <= 'Z'}};
}

/* The next character that is not ignorable, or false at the end. */
static bool next_collated(const char *s, size_t n, size_t *i, struct collation_element *e)
{
    while (*i < n) {
        *e = collation_element(js_next_code_point(s, n, i));
        if (e->weight[0])
            return true;
    }
    return false;
}

/* Level by level: the first difference decides, a string that ends first comes first. */
static int locale_compare(const char *a, size_t na, const char *b, size_t nb)
{
    for (int level = 0; level < 3; level++) {
        size_t i = 0, j = 0;
        struct collation_element ea, eb;
        for (;;) {
            bool more_a = next_collated(a, na, &i, &ea), more_b = next_collated(b, nb, &j, &eb);
            if (!more_a || !more_b) {
                if (more_a != more_b)
                    return more_a ? 1 : -1;
                break;
            }
            if (ea.weight[level] != eb.weight[level])
                return ea.weight[level] < eb.weight[level] ? -1 : 1;
        }
    }
    return 0;
}

/* ---- printing values as Spectral's printValue does ------------------------------------------ */

/* printValue: JSON for scalars, "Array[]" and "Object{}" for collections. */
static void sb_value(struct sbuf *b, const struct node *n)
{
    static const char *const collections[] = {[JS_ARRAY] = "Array[]", [JS_OBJECT] = "Object{}"};
    unsigned t = js_type(n);
    if (!n)
        sb_str(b, "undefined");
    else if (t == JS_ARRAY || t == JS_OBJECT)
        sb_str(b, collections[t]);
    else if (t == JS_STRING)
        sb_json_string(b, n->u.text, n->count);
    else if (t == JS_BOOL)
        sb_str(b, n->v.b ? "true" : "false");
    else if (t == JS_NULL)
        sb_str(b, "null");
    else
        sb_json_number(b, node_number(n));
}

/* ---- regular expressions ------------------------------------------------------------------- */

/* Compiles a JavaScript pattern (ruleset_js.h) and registers it in r; why as V8 words it. */
static int compile_js_regex(const char *pattern, size_t len, uint32_t options,
                            struct jpath_regexes *r, pcre2_code **out, char *why, size_t why_size)
{
    char detail[160];
    int rc = js_regex_compile(pattern, len, options, r, out, detail, sizeof(detail));
    if (rc == -1)
        snprintf(why, why_size, "Invalid regular expression: /%.*s/: %s", (int)len, pattern,
                 detail);
    else if (rc < 0)
        snprintf(why, why_size, "%s", detail);
    return rc < 0 ? -1 : 0;
}

/* JavaScript's RegExp flags: i, m and s change the match, y anchors it at the start (the
 * pattern function tests from index 0); d, g, u and v do not change what test() says. */
static int js_regex_flags(const char *flags, size_t n, uint32_t *options)
{
    static const struct {
        char flag;
        uint32_t option;
    } table[] = {
        {'d', 0}, {'g', 0}, {'i', PCRE2_CASELESS}, {'m', PCRE2_MULTILINE}, {'s', PCRE2_DOTALL},
        {'u', 0}, {'v', 0}, {'y', PCRE2_ANCHORED}};
    bool seen[sizeof(table) / sizeof(table[0])] = {false};
    *options = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < sizeof(table) / sizeof(table[0]) && table[k].flag != flags[i])
            k++;
        if (k == sizeof(table) / sizeof(table[0]) || seen[k])
            return -1;
        seen[k] = true;
        *options |= table[k].option;
    }
    return seen[5] && seen[6] ? -1 : 0; /* u and v together */
}

/* The pattern function's reading of a string: "/source/flags" (flags in a-z) or a bare source. */
static void split_regex_literal(const char *s, size_t n, size_t *src, size_t *src_len,
                                size_t *flags)
{
    *src = 0, *src_len = n, *flags = n;
    size_t slash = n;
    while (slash > 0 && s[slash - 1] >= 'a' && s[slash - 1] <= 'z')
        slash--;
    if (n < 3 || s[0] != '/' || slash < 3 || s[slash - 1] != '/')
        return;
    for (size_t i = 1; i < slash - 1; i++)
        if (s[i] == '\n' || s[i] == '\r' ||
            (i + 2 < slash && memcmp(s + i, "\xE2\x80", 2) == 0 &&
             (s[i + 2] == '\xA8' || s[i + 2] == '\xA9')))
            return; /* `.` does not match line terminators */
    *src = 1, *src_len = slash - 2, *flags = slash;
}

/* RegExp.prototype.test: 1, 0, or -1 when PCRE2 could not say (memory, match limits). All of
 * PCRE2's memory comes from the arena, which the caller resets. */
static int regex_test(const pcre2_code *re, const char *s, size_t n, struct arena *a)
{
    struct js_matcher m;
    return js_matcher_init(&m, a) ? js_regex_test(&m, re, s, n) : -1;
}

/* ---- options, checked as Spectral's option schemas (optionSchemas.js) check them ----------- */

struct opt_schema;

/* One option. `error` is Spectral's errorMessage for it: it replaces whatever ajv says. */
struct opt_prop {
    const char *name;
    unsigned types;
    const char *error;
    unsigned item_types; /* arrays: what every item must be (0: anything) */
    size_t min_items;
    size_t max_chars;               /* strings: code points at most (0: no limit) */
    const char *const *one_of;      /* strings: the values allowed, NULL-terminated */
    const struct opt_schema *inner; /* objects: their own schema */
};

struct opt_schema {
    unsigned types;
    const char *type_error;
    bool min_one_property;
    const char *min_properties_error;
    const char *required;
    const struct opt_prop *props; /* ends with {0} */
};

struct prep {
    const char *fn;
    struct arena *a;
    struct jpath_regexes *regexes;
    char *why;
    size_t why_size;
    const struct node **at;
};

static int fail(struct prep *P, const struct node *at, const char *fmt, ...) GH_PRINTF(3, 4);
static int fail(struct prep *P, const struct node *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(P->why, P->why_size, fmt, ap);
    va_end(ap);
    *P->at = at;
    return -1;
}

/* The option's text (keys may be any scalar; others are shown as "?"). */
static const char *key_text(const struct node *k)
{
    return node_is_scalar(k) ? k->u.text : "?";
}

static int type_error(struct prep *P, const struct node *at, const char *path, unsigned types)
{
    char names[80] = "";
    for (size_t k = 0; k < sizeof(jtype_names) / sizeof(jtype_names[0]); k++)
        if (types & (1u << k))
            snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
                     names[0] ? ", " : "", jtype_names[k]);
    return fail(P, at, "\"%s\" function and its \"%s\" option accepts only the following types: %s",
                P->fn, path, names);
}

static bool one_of(const char *const *values, const struct node *v)
{
    for (; *values; values++)
        if (node_text_equals(v, *values))
            return true;
    return false;
}

/* Whether v breaks a constraint other than its type. */
static bool breaks_constraint(const struct opt_prop *p, const struct node *v)
{
    unsigned t = opt_jtype(v);
    if (t == JS_ARRAY) {
        for (uint32_t i = 0; i < v->count; i++)
            if (p->item_types && !(opt_jtype(v->u.items[i]) & p->item_types))
                return true;
        return v->count < p->min_items;
    }
    if (t == JS_STRING)
        return (p->max_chars && js_code_points(v->u.text, v->count) > p->max_chars) ||
               (p->one_of && !one_of(p->one_of, v));
    return false;
}

static int check_object(struct prep *P, const struct opt_schema *s, const struct node *obj,
                        const struct node *at, const char *prefix);

static int check_prop(struct prep *P, const struct opt_prop *p, const struct node *v,
                      const char *prefix)
{
    char path[128];
    snprintf(path, sizeof(path), "%s%s", prefix, p->name);
    bool bad_type = !(opt_jtype(v) & p->types);
    if ((bad_type || breaks_constraint(p, v)) && p->error)
        return fail(P, v, "%s", p->error);
    if (bad_type)
        return type_error(P, v, path, p->types);
    if (p->inner && opt_jtype(v) == JS_OBJECT) {
        char inner_prefix[160];
        snprintf(inner_prefix, sizeof(inner_prefix), "%s.", path);
        return check_object(P, p->inner, v, v, inner_prefix);
    }
    return 0;
}

/* ajv's order: type, minProperties, required, additionalProperties, then each property in the
 * schema's order; the first error is the one reported. */
static int check_object(struct prep *P, const struct opt_schema *s, const struct node *obj,
                        const struct node *at, const char *prefix)
{
    unsigned t = opt_jtype(obj);
    if (!(t & s->types)) {
        if (s->type_error)
            return fail(P, at, "%s", s->type_error);
        char path[128];
        snprintf(path, sizeof(path), "%.*s", prefix[0] ? (int)strlen(prefix) - 1 : 0, prefix);
        return type_error(P, at, path, s->types);
    }
    if (t != JS_OBJECT)
        return 0;
    if (s->min_one_property && obj->count == 0)
        return fail(P, at, "%s",
                    s->min_properties_error ? s->min_properties_error
                                            : "must NOT have fewer than 1 properties");
    if (s->required && !js_get(obj, s->required, strlen(s->required)))
        return fail(P, at, "\"%s\" function is missing \"%s%s\" option", P->fn, prefix,
                    s->required);
    for (uint32_t i = 0; i < obj->count; i++) {
        const struct opt_prop *p = s->props;
        while (p->name && !js_text_is(obj->u.pairs[i].key, p->name))
            p++;
        if (!p->name)
            return fail(P, obj->u.pairs[i].value,
                        "\"%s\" function does not support \"%s%s\" option", P->fn, prefix,
                        key_text(obj->u.pairs[i].key));
    }
    for (const struct opt_prop *p = s->props; p->name; p++) {
        const struct node *v = js_get(obj, p->name, strlen(p->name));
        if (v && check_prop(P, p, v, prefix) < 0)
            return -1;
    }
    return 0;
}

static const struct opt_schema alphabetical_options = {
    .types = JS_OBJECT | JS_NULL,
    .type_error = "\"alphabetical\" function has invalid options specified. Example valid options: "
                  "null (no options), { \"keyedBy\": \"my-key\" }",
    .props = (const struct opt_prop[]){{.name = "keyedBy", .types = JS_STRING}, {0}}};

/* In the order Spectral's CasingType lists them (its message lists them so). */
static const char *const casing_types[] = {"flat",  "camel", "pascal", "kebab",
                                           "cobol", "snake", "macro",  NULL};

static const struct opt_schema casing_separator = {
    .types = JS_OBJECT,
    .required = "char",
    .props = (const struct opt_prop[]){
        {.name = "char",
         .types = JS_STRING,
         .max_chars = 1,
         .error = "\"casing\" function and its \"separator.char\" option accepts only char, i.e. "
                  "\"I\" or \"/\""},
        {.name = "allowLeading", .types = JS_BOOL},
        {0}}};

static const struct opt_schema casing_options = {
    .types = JS_OBJECT,
    .type_error = "\"casing\" function has invalid options specified. Example valid options: { "
                  "\"type\": \"camel\" }, { \"type\": \"pascal\", \"disallowDigits\": true }",
    .required = "type",
    .props = (const struct opt_prop[]){
        {.name = "type",
         .types = JS_STRING,
         .one_of = casing_types,
         .error = "\"casing\" function and its \"type\" option accept the following values: flat, "
                  "camel, pascal, kebab, cobol, snake, macro"},
        {.name = "disallowDigits", .types = JS_BOOL},
        {.name = "separator", .types = JS_OBJECT, .inner = &casing_separator},
        {0}}};

static const struct opt_schema enumeration_options = {
    .types = JS_OBJECT,
    .type_error = "\"enumeration\" function has invalid options specified. Example valid options: "
                  "{ \"values\": [\"Berlin\", \"London\", \"Paris\"] }, { \"values\": [2, 3, 5, "
                  "8, 13, 21] }",
    .required = "values",
    .props = (const struct opt_prop[]){
        {.name = "values",
         .types = JS_ARRAY,
         .item_types = JS_STRING | JS_NUMBER | JS_NULL | JS_BOOL,
         .error = "\"enumeration\" and its \"values\" option support only arrays of primitive "
                  "values, i.e. [\"Berlin\", \"London\", \"Paris\"]"},
        {0}}};

/* minProperties has no errorMessage here: ajv's own text is what Spectral says. */
static const struct opt_schema length_options = {
    .types = JS_OBJECT,
    .type_error = "\"length\" function has invalid options specified. Example valid options: { "
                  "\"min\": 2 }, { \"max\": 5 }, { \"min\": 0, \"max\": 10 }",
    .min_one_property = true,
    .props = (const struct opt_prop[]){
        {.name = "min", .types = JS_NUMBER}, {.name = "max", .types = JS_NUMBER}, {0}}};

#define PATTERN_EXAMPLE                                                                            \
    "\"pattern\" function has invalid options specified. Example valid options: { \"match\": "     \
    "\"^Stoplight\" }, { \"notMatch\": \"Swagger\" }, { \"match\": \"Stoplight\", \"notMatch\": "  \
    "\"Swagger\" }"

/* Spectral also takes a RegExp instance here, which a YAML or JSON ruleset cannot hold. */
static const struct opt_schema pattern_options = {
    .types = JS_OBJECT,
    .type_error = PATTERN_EXAMPLE,
    .min_one_property = true,
    .min_properties_error = PATTERN_EXAMPLE,
    .props = (const struct opt_prop[]){
        {.name = "match",
         .types = JS_STRING,
         .error = "\"pattern\" function and its \"match\" option must be string or RegExp "
                  "instance"},
        {.name = "notMatch",
         .types = JS_STRING,
         .error = "\"pattern\" function and its \"notMatch\" option must be string or RegExp "
                  "instance"},
        {0}}};

static const struct opt_schema xor_options = {
    .types = JS_OBJECT,
    .type_error = "\"xor\" function has invalid options specified. Example valid options: { "
                  "\"properties\": [\"country\", \"street\"] }, { \"properties\": [\"one\", "
                  "\"two\", \"three\"] }, etc.",
    .required = "properties",
    .props = (const struct opt_prop[]){
        {.name = "properties",
         .types = JS_ARRAY,
         .item_types = JS_STRING,
         .min_items = 2,
         .error = "\"xor\" requires at least two enumerated \"properties\", i.e. [\"country\", "
                  "\"street\"], [\"one\", \"two\", \"three\"], etc."},
        {0}}};

static const struct opt_schema or_options = {
    .types = JS_OBJECT,
    .type_error = "\"or\" function has invalid options specified. Example valid options: { "
                  "\"properties\": [\"default\", \"example\"] }, { \"properties\": [\"title\", "
                  "\"summary\", \"description\"] }, etc.",
    .required = "properties",
    .props = (const struct opt_prop[]){
        {.name = "properties",
         .types = JS_ARRAY,
         .item_types = JS_STRING,
         .min_items = 2,
         .error = "\"or\" requires at least two enumerated \"properties\", i.e. [\"default\", "
                  "\"example\"], [\"title\", \"summary\", \"description\"], etc."},
        {0}}};

/* In the order of enum rs_dialect. */
static const char *const schema_dialects[] = {"auto",         "draft4",       "draft6", "draft7",
                                              "draft2019-09", "draft2020-12", NULL};

/* prepareResults is Spectral's hook for a function, which a YAML or JSON ruleset cannot hold:
 * any value is accepted, as Spectral accepts it (see prepare_schema). */
static const struct opt_schema schema_options = {
    .types = JS_OBJECT,
    .type_error = "\"schema\" function has invalid options specified. Example valid options: { "
                  "\"schema\": { /* any JSON Schema can be defined here */ } , { \"schema\": { "
                  "\"type\": \"object\" }, \"dialect\": \"auto\" }",
    .required = "schema",
    .props = (const struct opt_prop[]){
        {.name = "schema", .types = JS_OBJECT},
        {.name = "dialect",
         .types = JS_STRING,
         .one_of = schema_dialects,
         .error = "\"schema\" function and its \"dialect\" option accepts only the following "
                  "values: \"auto\", \"draft4\", \"draft6\", \"draft7\", \"draft2019-09\", "
                  "\"draft2020-12\""},
        {.name = "allErrors", .types = JS_BOOL},
        {.name = "prepareResults",
         .types = JS_NULL | JS_BOOL | JS_NUMBER | JS_STRING | JS_ARRAY | JS_OBJECT},
        {0}}};

/* ---- the functions ------------------------------------------------------------------------- */

/* A string copied into the ruleset's arena. */
static int copy_text(struct prep *P, const struct node *n, struct text *out)
{
    return text_dup(P->a, n->u.text, n->count, out) ? 0 : fail(P, NULL, "out of memory");
}

/* A finished message, or a failure for lack of memory. */
static int keep_message(struct prep *P, struct sbuf *b, const char **out)
{
    *out = sb_text(b);
    return *out ? 0 : fail(P, NULL, "out of memory");
}

static void emit(struct rs_output *out, const char *message, const struct path_segment *rel,
                 size_t nrel)
{
    if (!message)
        return; /* out of memory: nothing better to say */
    struct rs_result r = {message, rel, nrel};
    out->emit(out->ctx, &r);
}

static void emit_built(struct rs_output *out, struct sbuf *b)
{
    emit(out, sb_text(b), NULL, 0);
}

/* "<print(property)>must be ..." */
static void emit_about_property(struct rs_output *out, const struct rs_target *t, const char *tail)
{
    struct sbuf b = {.a = out->arena};
    sb_property(&b, t->property);
    sb_str(&b, tail);
    emit_built(out, &b);
}

/* truthy, falsy, defined, undefined: no options. */

static void run_truthy(const void *prep, const struct rs_target *t, struct rs_output *out)
{
    (void)prep;
    if (!js_truthy(t->value))
        emit_about_property(out, t, "must be truthy");
}

static void run_falsy(const void *prep, const struct rs_target *t, struct rs_output *out)
{
    (void)prep;
    if (js_truthy(t->value))
        emit_about_property(out, t, "must be falsy");
}

static void run_defined(const void *prep, const struct rs_target *t, struct rs_output *out)
{
    (void)prep;
    if (!t->value)
        emit_about_property(out, t, "must be defined");
}

static void run_undefined(const void *prep, const struct rs_target *t, struct rs_output *out)
{
    (void)prep;
    if (t->value)
        emit_about_property(out, t, "must be undefined");
}

/* pattern */

struct pattern_test {
    pcre2_code *re;
    const char *message_tail; /* " must match the pattern \"...\"" */
};

struct pattern_prep {
    struct pattern_test match, not_match;
};

static int prepare_regex(struct prep *P, const struct node *options, const char *option,
                         const char *verb, struct pattern_test *out)
{
    const struct node *v = js_get(options, option, strlen(option));
    if (!v)
        return 0;
    size_t src, src_len, flags;
    split_regex_literal(v->u.text, v->count, &src, &src_len, &flags);
    uint32_t pcre_options;
    if (js_regex_flags(v->u.text + flags, v->count - flags, &pcre_options) < 0)
        return fail(P, v,
                    "\"pattern\" function and its \"%s\" option: Invalid flags supplied to "
                    "RegExp constructor '%s'",
                    option, v->u.text + flags);
    char why[200];
    if (compile_js_regex(v->u.text + src, src_len, pcre_options, P->regexes, &out->re, why,
                         sizeof(why)) < 0)
        return fail(P, v, "\"pattern\" function and its \"%s\" option: %s", option, why);
    struct sbuf b = {.a = P->a};
    sb_str(&b, verb);
    sb_json_string(&b, v->u.text, v->count);
    return keep_message(P, &b, &out->message_tail);
}

static int prepare_pattern(struct prep *P, const struct node *options, const void **prepared)
{
    struct pattern_prep *p = arena_calloc(P->a, 1, sizeof(*p));
    if (!p)
        return fail(P, NULL, "out of memory");
    *prepared = p;
    if (prepare_regex(P, options, "match", " must match the pattern ", &p->match) < 0)
        return -1;
    return prepare_regex(P, options, "notMatch", " must not match the pattern ", &p->not_match);
}

static void report_value(struct rs_output *out, const struct node *v, const char *tail)
{
    struct sbuf b = {.a = out->arena};
    sb_value(&b, v);
    sb_str(&b, tail);
    emit_built(out, &b);
}

static void run_pattern(const void *prep, const struct rs_target *t, struct rs_output *out)
{
    const struct pattern_prep *p = prep;
    const struct node *v = t->value;
    if (p->match.re && regex_test(p->match.re, v->u.text, v->count, out->arena) == 0)
        report_value(out, v, p->match.message_tail);
    if (p->not_match.re && regex_test(p->not_match.re, v->u.text, v->count, out->arena) == 1)
        report_value(out, v, p->not_match.message_tail);
}

/* enumeration */

struct enum_prep {
    const struct node *values; /* copied into the ruleset's arena */
    const char *message_tail;  /* " must be equal to one of the allowed values: ..." */
};

static int prepare_enumeration(struct prep *P, const struct node *options, const void **prepared)
{
    struct enum_prep *p = arena_calloc(P->a, 1, sizeof(*p));
    if (!p || !(p->values = node_copy(P->a, js_get(options, "values", 6))))
        return fail(P, NULL, "out of memory");
    struct sbuf b = {.a = P->a};
    sb_str(&b, " must be equal to one of the allowed values: ");
    /* NaN and the infinities print as null, which is what the options hold in Spectral. */
    for (uint32_t i = 0; i < p->values->count; i++) {
        sb_str(&b, i ? ", " : "");
        sb_value(&b, p->values->u.items[i]);
    }
    *prepared = p;
    return keep_message(P, &b, &p->message_tail);
}

/* Array.prototype.includes (SameValueZero), with the options' own typing for the allowed values. */
static bool same_value_zero(const struct node *target, const struct node *allowed)
{
    unsigned t = js_type(target), a = opt_jtype(allowed);
    if (t != a)
        return false;
    if (t == JS_STRING)
        return target->count == allowed->count &&
               memcmp(target->u.text, allowed->u.text, target->count) == 0;
    if (t == JS_BOOL)
        return target->v.b == allowed->v.b;
    if (t == JS_NUMBER)
        return node_number(target) == node_number(allowed);
    return true; /* null */
}

static void run_enumeration(const void *prep, const struct rs_target *t, struct rs_output *out)
{
    const struct enum_prep *p = prep;
    for (uint32_t i = 0; i < p->values->count; i++)
        if (same_value_zero(t->value, p->values->u.items[i]))
            return;
    report_value(out, t->value, p->message_tail);
}

/* length */

struct length_prep {
    bool has_min, has_max;
    double min, max;
};

static int prepare_length(struct prep *P, const struct node *options, const void **prepared)
{
    struct length_prep *p = arena_calloc(P->a, 1, sizeof(*p));
    if (!p)
        return fail(P, NULL, "out of memory");
    const struct node *min = js_get(options, "min", 3), *max = js_get(options, "max", 3);
    if ((p->has_min = min != NULL))
        p->min = node_number(min);
    if ((p->has_max = max != NULL))
        p->max = node_number(max);
    *prepared = p;
    return 0;
}

static void report_length(struct rs_output *out, const struct rs_target *t, const char *what,
                          double bound)
{
    struct sbuf b = {.a = out->arena};
    sb_property(&b, t->property);
    sb_str(&b, what);
    sb_json_number(&b, bound);
    emit_built(out, &b);
}

static void run_length(const void *prep, const struct rs_target *t, struct rs_output *out)
{
    const struct length_prep *p = prep;
    const struct node *v = t->value;
    double value;
    if (v->kind == NODE_MAPPING) {
        struct jkey *keys;
        long n = js_keys(v, out->arena, &keys);
        if (n < 0)
            return;
        value = (double)n;
    } else if (v->kind == NODE_SEQUENCE) {
        value = v->count;
    } else {
        value = js_is_string(v) ? (double)js_utf16_length(v->u.text, v->count) : node_number(v);
    }
    if (p->has_min && value < p->min)
        report_length(out, t, "must be longer than ", p->min);
    if (p->has_max && value > p->max)
        report_length(out, t, "must be shorter than ", p->max);
}

/* alphabetical */

struct alphabetical_prep {
    struct text keyed_by; /* s NULL: none */
};

static int prepare_alphabetical(struct prep *P, const struct node *options, const void **prepared)
{
    struct alphabetical_prep *p = arena_calloc(P->a, 1, sizeof(*p));
    if (!p)
        return fail(P, NULL, "out of memory");
    *prepared = p;
    const struct node *keyed_by = js_get(options, "keyedBy", 7);
    return keyed_by ? copy_text(P, keyed_by, &p->keyed_by) : 0;
}

/* One element of the array alphabetical sorts: a string or a number (or something else, which
 * makes the array invalid). */
struct sortable {
    unsigned type; /* JS_NUMBER includes NaN and the infinities here: typeof is "number" */
    const char *s;
    size_t len;
    double number;
    const struct node *node; /* for printing; NULL for an object's key */
};

static struct sortable sortable_of(const struct node *n)
{
    unsigned t = js_type(n);
    if (t == JS_STRING)
        return (struct sortable){JS_STRING, n->u.text, n->count, 0, n};
    if (t == JS_NUMBER || t == JS_NONFINITE)
        return (struct sortable){JS_NUMBER, NULL, 0, node_number(n), n};
    return (struct sortable){t, NULL, 0, 0, n};
}

/* item[keyedBy], for an array too (an index, or its length). */
static struct sortable keyed_value(const struct node *item, const struct text *key)
{
    uint32_t index;
    if (item->kind == NODE_MAPPING)
        return sortable_of(js_get(item, key->s, key->len));
    if (key->len == 6 && memcmp(key->s, "length", 6) == 0)
        return (struct sortable){JS_NUMBER, NULL, 0, item->count, NULL};
    if (js_array_index(key->s, key->len, &index) && index < item->count)
        return sortable_of(item->u.items[index]);
    return sortable_of(NULL);
}

/* Spectral's compare(a, b) >= 1, quirks included: a number, or a string that is not numeric,
 * followed by a number or a numeric string compares as numbers, and only a difference of 1 or
 * more counts; two other strings compare with localeCompare; anything else is in order. */
static bool out_of_order(const struct sortable *a, const struct sortable *b)
{
    double na = a->type == JS_NUMBER ? a->number : js_string_to_number(a->s, a->len);
    double nb = b->type == JS_NUMBER ? b->number : js_string_to_number(b->s, b->len);
    if ((a->type == JS_NUMBER || isnan(na)) && (b->type == JS_NUMBER || !isnan(nb)))
        return na - nb >= 1;
    if (a->type != JS_STRING || b->type != JS_STRING)
        return false;
    return locale_compare(a->s, a->len, b->s, b->len) > 0;
}

static void sb_sortable(struct sbuf *b, const struct sortable *v)
{
    if (v->node)
        sb_value(b, v->node);
    else if (v->type == JS_STRING)
        sb_json_string(b, v->s, v->len);
    else
        sb_json_number(b, v->number);
}

static void report_unsorted(struct rs_output *out, const struct jkey *keys,
                            const struct sortable *items, size_t i)
{
    struct path_segment *rel = arena_alloc(out->arena, sizeof(*rel));
    if (!rel)
        return;
    *rel = keys ? (struct path_segment){keys[i].s, keys[i].len} : (struct path_segment){NULL, i};
    struct sbuf b = {.a = out->arena};
    sb_sortable(&b, &items[i]);
    sb_str(&b, " must be placed after ");
    sb_sortable(&b, &items[i + 1]);
    emit(out, sb_text(&b), rel, 1);
}

static void run_alphabetical(const void *prep, const struct rs_target *t, struct rs_output *out)
{
    const struct alphabetical_prep *p = prep;
    const struct node *v = t->value;
    struct jkey *keys = NULL;
    long n = v->kind == NODE_MAPPING ? js_keys(v, out->arena, &keys) : (long)v->count;
    if (n < 2)
        return;
    struct sortable *items = arena_alloc(out->arena, (size_t)n * sizeof(*items));
    if (!items)
        return;
    /* Every item must be an object (when keyed) before any is looked at for its type. */
    for (size_t i = 0; i < (size_t)n; i++) {
        const struct node *item = keys ? NULL : v->u.items[i];
        if (p->keyed_by.s && (!item || item->kind == NODE_SCALAR)) {
            emit_about_property(out, t, "must be an object");
            return;
        }
        items[i] = p->keyed_by.s ? keyed_value(item, &p->keyed_by)
                   : keys        ? (struct sortable){JS_STRING, keys[i].s, keys[i].len, 0, NULL}
                                 : sortable_of(item);
    }
    for (size_t i = 0; i < (size_t)n; i++)
        if (items[i].type != JS_STRING && items[i].type != JS_NUMBER) {
            emit_about_property(out, t, "must be one of the allowed types: number, string");
            return;
        }
    for (size_t i = 0; i + 1 < (size_t)n; i++) {
        if (!out_of_order(&items[i], &items[i + 1]))
            continue;
        if (p->keyed_by.s)
            emit(out, "properties must follow the alphabetical order", NULL, 0);
        else
            report_unsorted(out, keys, items, i);
        return;
    }
}

/* casing */

struct casing_prep {
    pcre2_code *re;
    const char *message;
    struct text separator; /* s NULL: none */
    bool allow_leading;
};

/* Spectral's CASES, in casing_types' order; {D} is where digits go unless disallowed. */
static const char *const casing_patterns[] = {
    "[a-z][a-z{D}]*",
    "[a-z][a-z{D}]*(?:[A-Z{D}](?:[a-z{D}]+|$))*",
    "[A-Z][a-z{D}]*(?:[A-Z{D}](?:[a-z{D}]+|$))*",
    "[a-z][a-z{D}]*(?:-[a-z{D}]+)*",
    "[A-Z][A-Z{D}]*(?:-[A-Z{D}]+)*",
    "[a-z][a-z{D}]*(?:_[a-z{D}]+)*",
    "[A-Z][A-Z{D}]*(?:_[A-Z{D}]+)*",
};

static void sb_casing(struct sbuf *b, const char *pattern, bool digits)
{
    for (const char *at; (at = strstr(pattern, "{D}")); pattern = at + 3) {
        sb_add(b, pattern, (size_t)(at - pattern));
        sb_str(b, digits ? "0-9" : "");
    }
    sb_str(b, pattern);
}

/* lodash's escapeRegExp: a backslash before ^ $ \ . * + ? ( ) [ ] { } | */
static void sb_escaped(struct sbuf *b, const struct text *t)
{
    for (size_t i = 0; i < t->len; i++) {
        if (t->s[i] && strchr("^$\\.*+?()[]{}|", t->s[i]))
            sb_add(b, "\\", 1);
        sb_add(b, t->s + i, 1);
    }
}

/* casing.js's buildFrom: ^pattern$, or with a separator ^[sep]?pattern(?:[sep]pattern)*$. */
static void sb_casing_regex(struct sbuf *b, const char *pattern, bool digits,
                            const struct casing_prep *p)
{
    sb_str(b, "^");
    if (p->separator.s && p->allow_leading) {
        sb_str(b, "[");
        sb_escaped(b, &p->separator);
        sb_str(b, "]?");
    }
    sb_casing(b, pattern, digits);
    if (p->separator.s) {
        sb_str(b, "(?:[");
        sb_escaped(b, &p->separator);
        sb_str(b, "]");
        sb_casing(b, pattern, digits);
        sb_str(b, ")*");
    }
    sb_str(b, "$");
}

static int prepare_casing(struct prep *P, const struct node *options, const void **prepared)
{
    struct casing_prep *p = arena_calloc(P->a, 1, sizeof(*p));
    if (!p)
        return fail(P, NULL, "out of memory");
    const struct node *type = js_get(options, "type", 4);
    const struct node *no_digits = js_get(options, "disallowDigits", 14);
    const struct node *separator = js_get(options, "separator", 9);
    size_t which = 0;
    while (!node_text_equals(type, casing_types[which]))
        which++;
    if (separator) {
        const struct node *leading = js_get(separator, "allowLeading", 12);
        p->allow_leading = leading && leading->v.b;
        if (copy_text(P, js_get(separator, "char", 4), &p->separator) < 0)
            return -1;
    }
    struct sbuf re = {.a = P->a}, message = {.a = P->a};
    sb_casing_regex(&re, casing_patterns[which], !(no_digits && no_digits->v.b), p);
    sb_str(&message, "must be ");
    sb_str(&message, casing_types[which]);
    sb_str(&message, " case");
    const char *re_text;
    if (keep_message(P, &re, &re_text) < 0 || keep_message(P, &message, &p->message) < 0)
        return -1;
    char why[200];
    if (compile_js_regex(re_text, strlen(re_text), 0, P->regexes, &p->re, why, sizeof(why)) < 0)
        return fail(P, NULL, "\"casing\" function: %s", why);
    *prepared = p;
    return 0;
}

static void run_casing(const void *prep, const struct rs_target *t, struct rs_output *out)
{
    const struct casing_prep *p = prep;
    const struct node *v = t->value;
    if (v->count == 0)
        return; /* minLength: 1 */
    /* A lone leading separator is fine when leading ones are. */
    if (p->separator.s && p->allow_leading && js_utf16_length(v->u.text, v->count) == 1 &&
        v->count == p->separator.len && memcmp(v->u.text, p->separator.s, v->count) == 0)
        return;
    if (regex_test(p->re, v->u.text, v->count, out->arena) == 0)
        emit(out, p->message, NULL, 0);
}

/* xor, or */

struct props_prep {
    struct text *names;
    size_t count;
    const char *none_message; /* "At least one of ... must be defined" */
};

static int prepare_properties(struct prep *P, const struct node *options, const void **prepared)
{
    const struct node *list = js_get(options, "properties", 10);
    struct props_prep *p = arena_calloc(P->a, 1, sizeof(*p));
    if (!p || !(p->names = arena_calloc(P->a, list->count, sizeof(*p->names))))
        return fail(P, NULL, "out of memory");
    p->count = list->count;
    for (size_t i = 0; i < p->count; i++)
        if (copy_text(P, list->u.items[i], &p->names[i]) < 0)
            return -1;
    /* More than four: the first three and how many others. */
    size_t shown = p->count > 4 ? 3 : p->count;
    struct sbuf b = {.a = P->a};
    sb_str(&b, "At least one of \"");
    for (size_t i = 0; i < shown; i++) {
        sb_str(&b, i ? "\" or \"" : "");
        sb_add(&b, p->names[i].s, p->names[i].len);
    }
    if (p->count > 4)
        sb_printf(&b, "\" or %zu other properties must be defined", p->count - 3);
    else
        sb_str(&b, "\" must be defined");
    *prepared = p;
    return keep_message(P, &b, &p->none_message);
}

static bool listed(const struct props_prep *p, const struct jkey *k)
{
    for (size_t i = 0; i < p->count; i++)
        if (p->names[i].len == k->len && memcmp(p->names[i].s, k->s, k->len) == 0)
            return true;
    return false;
}

/* Reports none of the properties present; with `exclusive` (xor), more than one too. */
static void check_properties(const struct props_prep *p, const struct rs_target *t,
                             struct rs_output *out, bool exclusive)
{
    struct jkey *keys;
    long n = js_keys(t->value, out->arena, &keys);
    if (n < 0)
        return;
    size_t present = 0;
    struct sbuf b = {.a = out->arena};
    sb_str(&b, "Just one of \"");
    for (size_t i = 0; i < (size_t)n; i++) {
        if (!listed(p, &keys[i]))
            continue;
        sb_str(&b, present++ ? "\" and \"" : "");
        sb_add(&b, keys[i].s, keys[i].len);
    }
    sb_str(&b, "\" must be defined");
    if (present == 0)
        emit(out, p->none_message, NULL, 0);
    else if (present > 1 && exclusive)
        emit_built(out, &b);
}

static void run_xor(const void *prep, const struct rs_target *t, struct rs_output *out)
{
    check_properties(prep, t, out, true);
}

static void run_or(const void *prep, const struct rs_target *t, struct rs_output *out)
{
    check_properties(prep, t, out, false);
}

/* typedEnum (from Spectral's OpenAPI ruleset): a schema's enum values must be of its type. */

/* getDataType */
static const char *data_type(const struct node *n, bool check_integer)
{
    static const char *const names[] = {
        [0] = "undefined",      [JS_NULL] = "null",   [JS_BOOL] = "boolean", [JS_NUMBER] = "number",
        [JS_STRING] = "string", [JS_ARRAY] = "array", [JS_OBJECT] = "object"};
    unsigned t = js_type(n);
    if (t == JS_NONFINITE)
        return "number";
    double d = t == JS_NUMBER ? node_number(n) : 0;
    return t == JS_NUMBER && check_integer && d == floor(d) ? "integer" : names[t];
}

/* The schema's type: one string, or an array of strings (else Spectral skips the value). */
static bool schema_types(const struct node *type)
{
    if (node_is_scalar(type))
        return js_is_string(type);
    if (!type || type->kind != NODE_SEQUENCE)
        return false;
    for (uint32_t i = 0; i < type->count; i++)
        if (js_type(type->u.items[i]) != JS_STRING)
            return false;
    return true;
}

static bool has_type(const struct node *type, const char *name)
{
    if (type->kind == NODE_SCALAR)
        return node_text_equals(type, name);
    for (uint32_t i = 0; i < type->count; i++)
        if (node_text_equals(type->u.items[i], name))
            return true;
    return false;
}

static void report_enum_value(struct rs_output *out, const struct node *type,
                              const struct node *value, size_t i)
{
    struct path_segment *rel = arena_alloc(out->arena, 2 * sizeof(*rel));
    if (!rel)
        return;
    rel[0] = (struct path_segment){"enum", 4};
    rel[1] = (struct path_segment){NULL, i};
    struct sbuf b = {.a = out->arena};
    sb_str(&b, "Enum value ");
    sb_value(&b, value);
    sb_str(&b, " must be \"");
    sb_strings(&b, type);
    sb_str(&b, "\".");
    emit(out, sb_text(&b), rel, 2);
}

static void run_typed_enum(const void *prep, const struct rs_target *t, struct rs_output *out)
{
    (void)prep;
    const struct node *values = js_get(t->value, "enum", 4);
    const struct node *type = js_get(t->value, "type", 4);
    if (js_type(values) != JS_ARRAY || !schema_types(type))
        return;
    bool check_integer = has_type(type, "integer");
    for (uint32_t i = 0; i < values->count; i++)
        if (!has_type(type, data_type(values->u.items[i], check_integer)))
            report_enum_value(out, type, values->u.items[i], i);
}

/* schema: ruleset_schema.c validates; the options only pick its mode. */

static int prepare_schema(struct prep *P, const struct node *options, const void **prepared)
{
    const struct node *dialect = js_get(options, "dialect", 7);
    const struct node *all_errors = js_get(options, "allErrors", 9);
    const struct node *prepare_results = js_get(options, "prepareResults", 14);
    struct rs_schema_options o = {.schema = js_get(options, "schema", 6),
                                  .dialect = RS_DIALECT_AUTO,
                                  .all_errors = all_errors && all_errors->v.b,
                                  /* Spectral calls it when a value fails: anything but null
                                   * throws there */
                                  .broken_prepare_results =
                                      prepare_results && opt_jtype(prepare_results) != JS_NULL};
    for (size_t i = 0; dialect && schema_dialects[i]; i++)
        if (node_text_equals(dialect, schema_dialects[i]))
            o.dialect = (enum rs_dialect)i;
    const struct rs_schema *s;
    if (rs_schema_prepare(&o, P->a, P->regexes, &s, P->why, P->why_size, P->at) < 0)
        return -1;
    *prepared = s;
    return 0;
}

static void run_schema(const void *prep, const struct rs_target *t, struct rs_output *out)
{
    rs_schema_run(prep, t, out);
}

/* ---- the table ------------------------------------------------------------------------------ */

typedef int (*prepare_fn)(struct prep *P, const struct node *options, const void **prepared);
typedef void (*run_fn)(const void *prepared, const struct rs_target *t, struct rs_output *out);

struct rs_func {
    const char *name;
    const struct opt_schema *options; /* NULL: the function takes none */
    prepare_fn prepare;               /* NULL: nothing to prepare */
    unsigned input;                   /* the values it looks at (0: any, absent too); others
                                         are skipped, as Spectral skips an invalid input */
    run_fn run;
};

static const struct rs_func functions[] = {
    {"truthy", NULL, NULL, 0, run_truthy},
    {"falsy", NULL, NULL, 0, run_falsy},
    {"defined", NULL, NULL, 0, run_defined},
    {"undefined", NULL, NULL, 0, run_undefined},
    {"pattern", &pattern_options, prepare_pattern, JS_STRING, run_pattern},
    {"enumeration", &enumeration_options, prepare_enumeration,
     JS_STRING | JS_NUMBER | JS_NULL | JS_BOOL, run_enumeration},
    {"length", &length_options, prepare_length, JS_ARRAY | JS_OBJECT | JS_STRING | JS_NUMBER,
     run_length},
    {"alphabetical", &alphabetical_options, prepare_alphabetical, JS_OBJECT | JS_ARRAY,
     run_alphabetical},
    {"casing", &casing_options, prepare_casing, JS_STRING, run_casing},
    {"xor", &xor_options, prepare_properties, JS_OBJECT, run_xor},
    {"or", &or_options, prepare_properties, JS_OBJECT, run_or},
    {"typedEnum", NULL, NULL, JS_OBJECT, run_typed_enum},
    {"schema", &schema_options, prepare_schema, 0, run_schema},
};

const struct rs_func *rs_func_find(const char *name)
{
    for (size_t i = 0; name && i < sizeof(functions) / sizeof(functions[0]); i++)
        if (strcmp(functions[i].name, name) == 0)
            return &functions[i];
    return NULL;
}

const char *rs_func_name(const struct rs_func *f)
{
    return f->name;
}

int rs_func_prepare(const struct rs_func *f, const struct node *options, struct arena *a,
                    struct jpath_regexes *regexes, const void **prepared, char *why,
                    size_t why_size, const struct node **at)
{
    struct prep P = {f ? f->name : "", a, regexes, why, why_size, at};
    *prepared = NULL;
    *at = NULL;
    if (why_size)
        why[0] = '\0';
    if (!f)
        return fail(&P, NULL, "no such function");
    /* A null functionOptions is no options (Spectral passes `functionOptions ?? null`). */
    if (!f->options)
        return opt_jtype(options) == JS_NULL
                   ? 0
                   : fail(&P, NULL, "\"%s\" function does not accept any options", f->name);
    if (check_object(&P, f->options, options, NULL, "") < 0)
        return -1;
    return f->prepare ? f->prepare(&P, options, prepared) : 0;
}

void rs_func_run(const struct rs_func *f, const void *prepared, const struct rs_target *t,
                 struct rs_output *out)
{
    if (f->input && !(js_type(t->value) & f->input))
        return;
    f->run(prepared, t, out);
}
