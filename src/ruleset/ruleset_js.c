#include "ruleset_js.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- types ---- */

unsigned js_type(const struct node *n)
{
    if (!n)
        return JS_UNDEFINED;
    if (n->kind == NODE_SEQUENCE)
        return JS_ARRAY;
    if (n->kind == NODE_MAPPING)
        return JS_OBJECT;
    switch (n->type) {
    case SCALAR_NULL:
        return JS_NULL;
    case SCALAR_BOOL:
        return JS_BOOL;
    case SCALAR_INT:
    case SCALAR_FLOAT:
        return isfinite(node_number(n)) ? JS_NUMBER : JS_NONFINITE;
    default:
        return JS_STRING; /* strings and timestamps */
    }
}

unsigned js_typeof(const struct node *n)
{
    unsigned t = js_type(n);
    return t == JS_NONFINITE ? JS_NUMBER : t;
}

unsigned js_ruleset_type(const struct node *n)
{
    unsigned t = js_type(n);
    return t == JS_NONFINITE ? JS_NULL : t;
}

bool js_is_string(const struct node *n)
{
    return js_type(n) == JS_STRING;
}

bool js_truthy(const struct node *n)
{
    switch (js_type(n)) {
    case JS_ARRAY:
    case JS_OBJECT:
        return true;
    case JS_STRING:
        return n->count > 0;
    case JS_BOOL:
        return n->v.b;
    case JS_NUMBER:
    case JS_NONFINITE:
        return node_number(n) != 0 && !isnan(node_number(n));
    default:
        return false; /* null, undefined */
    }
}

/* ---- strings ---- */

bool same_text(const char *a, size_t na, const char *b, size_t nb)
{
    return na == nb && memcmp(a, b, na) == 0;
}

bool text_dup(struct arena *a, const char *s, size_t n, struct text *out)
{
    out->len = n;
    out->s = arena_strndup(a, s, n);
    return out->s != NULL;
}

uint32_t js_next_code_point(const char *s, size_t n, size_t *i)
{
    const unsigned char *u = (const unsigned char *)s + *i;
    size_t left = n - *i;
    size_t len = u[0] < 0x80 ? 1 : u[0] >= 0xF0 ? 4 : u[0] >= 0xE0 ? 3 : u[0] >= 0xC0 ? 2 : 0;
    if (len == 0 || len > left) {
        (*i)++;
        return u[0] < 0x80 ? u[0] : 0xFFFD;
    }
    uint32_t cp = len == 1 ? u[0] : (uint32_t)(u[0] & (0x7F >> len));
    for (size_t k = 1; k < len; k++) {
        if ((u[k] & 0xC0) != 0x80) {
            (*i)++;
            return 0xFFFD;
        }
        cp = cp << 6 | (uint32_t)(u[k] & 0x3F);
    }
    *i += len;
    return cp;
}

size_t js_code_points(const char *s, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; count++)
        js_next_code_point(s, n, &i);
    return count;
}

size_t js_utf16_length(const char *s, size_t n)
{
    size_t units = 0;
    for (size_t i = 0; i < n;)
        units += js_next_code_point(s, n, &i) > 0xFFFF ? 2 : 1;
    return units;
}

bool js_white_space(uint32_t cp)
{
    static const uint32_t others[] = {0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF};
    if ((cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || (cp >= 0x2000 && cp <= 0x200A))
        return true;
    for (size_t k = 0; k < sizeof(others) / sizeof(others[0]); k++)
        if (cp == others[k])
            return true;
    return false;
}

/* ---- objects and arrays ---- */

bool js_text_is(const struct node *n, const char *s)
{
    return node_is_scalar(n) && same_text(n->u.text, n->count, s, strlen(s));
}

const struct node *js_get(const struct node *map, const char *name, size_t len)
{
    const struct node *found = NULL;
    for (uint32_t i = 0; map && map->kind == NODE_MAPPING && i < map->count; i++) {
        const struct node *k = map->u.pairs[i].key;
        if (node_is_scalar(k) && same_text(k->u.text, k->count, name, len))
            found = map->u.pairs[i].value; /* a repeated key: the last one wins */
    }
    return found;
}

long js_keys(const struct node *map, struct arena *a, struct jkey **out)
{
    size_t slots = 4;
    while (slots < 2 * (size_t)map->count)
        slots *= 2;
    struct jkey *keys = arena_alloc(a, ((size_t)map->count + 1) * sizeof(*keys));
    uint32_t *seen = arena_calloc(a, slots, sizeof(*seen)); /* keys' indexes + 1 */
    if (!keys || !seen)
        return -1;
    /* From the last pair back, so that a repeated key is kept where it last appears. */
    size_t n = map->count;
    for (uint32_t i = map->count; i-- > 0;) {
        const struct node *k = map->u.pairs[i].key;
        if (!node_is_scalar(k))
            continue;
        struct jkey key = {k->u.text, k->count, map->u.pairs[i].value};
        size_t slot = js_text_hash(key.s, key.len) & (slots - 1);
        while (seen[slot] &&
               !same_text(keys[seen[slot] - 1].s, keys[seen[slot] - 1].len, key.s, key.len))
            slot = (slot + 1) & (slots - 1);
        if (seen[slot])
            continue;
        keys[--n] = key;
        seen[slot] = (uint32_t)n + 1;
    }
    *out = keys + n;
    return (long)(map->count - n);
}

bool js_array_index(const char *s, size_t n, uint32_t *out)
{
    if (n == 0 || n > 10 || (n > 1 && s[0] == '0'))
        return false;
    double d = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        d = d * 10 + (s[i] - '0');
    }
    if (d >= 4294967295.0)
        return false;
    *out = (uint32_t)d;
    return true;
}

uint32_t js_text_hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

/* ---- text built in an arena ---- */

void sb_add(struct sbuf *b, const char *s, size_t n)
{
    if (b->failed || n == 0)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = arena_alloc(b->a, cap);
        if (!p) {
            b->failed = true;
            return;
        }
        if (b->len)
            memcpy(p, b->s, b->len);
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void sb_str(struct sbuf *b, const char *s)
{
    sb_add(b, s, strlen(s));
}

void sb_printf(struct sbuf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n > 0)
        sb_add(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

void sb_quote(struct sbuf *b, const char *open, const char *s, size_t n, const char *close)
{
    sb_str(b, open);
    sb_add(b, s, n);
    sb_str(b, close);
}

const char *sb_text(struct sbuf *b)
{
    if (!b->s && !b->failed) {
        b->s = arena_strdup(b->a, "");
        b->failed = !b->s;
    }
    return b->failed ? NULL : b->s;
}

void js_number_text(double d, char out[40])
{
    if (d == 0) {
        snprintf(out, 40, "0"); /* -0 too */
        return;
    }
    char e[40];
    for (int precision = 1; precision <= 17; precision++) {
        snprintf(e, sizeof(e), "%.*e", precision - 1, fabs(d));
        if (strtod(e, NULL) == fabs(d))
            break;
    }
    char digits[24];
    int k = 0;
    const char *q = e;
    for (; *q && *q != 'e'; q++)
        if (*q != '.' && k < 20)
            digits[k++] = *q;
    while (k > 1 && digits[k - 1] == '0')
        k--;
    int n = atoi(q + 1) + 1; /* the decimal point's place, after digits[n - 1] */
    const char *sign = d < 0 ? "-" : "";
    if (k <= n && n <= 21)
        snprintf(out, 40, "%s%.*s%.*s", sign, k, digits, n - k, "000000000000000000000");
    else if (0 < n && n <= 21)
        snprintf(out, 40, "%s%.*s.%.*s", sign, n, digits, k - n, digits + n);
    else if (-6 < n && n <= 0)
        snprintf(out, 40, "%s0.%.*s%.*s", sign, -n, "000000", k, digits);
    else
        snprintf(out, 40, "%s%c%s%.*se%c%d", sign, digits[0], k > 1 ? "." : "", k - 1, digits + 1,
                 n - 1 < 0 ? '-' : '+', abs(n - 1));
}

void sb_json_string(struct sbuf *b, const char *s, size_t n)
{
    static const char *const short_escapes[32] = {
        ['\b'] = "\\b", ['\t'] = "\\t", ['\n'] = "\\n", ['\f'] = "\\f", ['\r'] = "\\r"};
    sb_add(b, "\"", 1);
    size_t from = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        if (c == '"' || c == '\\')
            snprintf(esc, sizeof(esc), "\\%c", c);
        else if (c < 0x20 && short_escapes[c])
            snprintf(esc, sizeof(esc), "%s", short_escapes[c]);
        else if (c < 0x20)
            snprintf(esc, sizeof(esc), "\\u%04x", c);
        else
            continue;
        sb_add(b, s + from, i - from);
        sb_str(b, esc);
        from = i + 1;
    }
    sb_add(b, s + from, n - from);
    sb_add(b, "\"", 1);
}

void sb_json_number(struct sbuf *b, double d)
{
    char text[40];
    if (isfinite(d))
        js_number_text(d, text);
    sb_str(b, isfinite(d) ? text : "null");
}

void sb_js_number(struct sbuf *b, double d)
{
    char text[40];
    if (isnan(d)) {
        sb_str(b, "NaN");
    } else if (isinf(d)) {
        sb_str(b, d < 0 ? "-Infinity" : "Infinity");
    } else {
        js_number_text(d, text);
        sb_str(b, text);
    }
}

void sb_strings(struct sbuf *b, const struct node *n)
{
    if (n->kind == NODE_SCALAR) {
        sb_add(b, n->u.text, n->count);
        return;
    }
    for (uint32_t i = 0; i < n->count; i++) {
        sb_str(b, i ? "," : "");
        sb_add(b, n->u.items[i]->u.text, n->u.items[i]->count);
    }
}

void sb_property(struct sbuf *b, const char *property)
{
    if (property && *property)
        sb_quote(b, "\"", property, strlen(property), "\" property ");
    else
        sb_str(b, "The document ");
}

/* ---- regular expressions ---- */

int js_regex_compile(const char *pattern, size_t len, uint32_t options, struct jpath_regexes *r,
                     pcre2_code **out, char *why, size_t why_size)
{
    int code;
    PCRE2_SIZE at;
    pcre2_code *re =
        pcre2_compile((PCRE2_SPTR)pattern, len, options | JS_REGEX_OPTIONS, &code, &at, NULL);
    if (!re) {
        PCRE2_UCHAR message[120];
        pcre2_get_error_message(code, message, sizeof(message));
        snprintf(why, why_size, "%s at offset %zu", (char *)message, (size_t)at);
        return -1;
    }
    if (r->count == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 8;
        void **items = realloc(r->items, cap * sizeof(*items));
        if (!items) {
            pcre2_code_free(re);
            snprintf(why, why_size, "out of memory");
            return -2;
        }
        r->items = items;
        r->cap = cap;
    }
    r->items[r->count++] = re;
    *out = re;
    return 0;
}

static void *arena_malloc(size_t size, void *arena)
{
    return arena_alloc(arena, size);
}

static void arena_free(void *p, void *arena)
{
    (void)p, (void)arena;
}

pcre2_general_context *js_pcre2_context(struct arena *a)
{
    return pcre2_general_context_create(arena_malloc, arena_free, a);
}

bool js_matcher_init(struct js_matcher *m, struct arena *a)
{
    pcre2_general_context *g = js_pcre2_context(a);
    m->mc = g ? pcre2_match_context_create(g) : NULL;
    m->md = m->mc ? pcre2_match_data_create(1, g) : NULL;
    return m->md != NULL;
}

int js_regex_test(const struct js_matcher *m, const pcre2_code *re, const char *s, size_t n)
{
    int rc = pcre2_match(re, (PCRE2_SPTR)s, n, 0, 0, m->md, m->mc);
    return rc >= 0 ? 1 : rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
}
