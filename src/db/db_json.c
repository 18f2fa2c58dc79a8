#include "db_json.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct parse {
    struct arena *a;
    const char *s, *end;
    unsigned depth;
    const char *why;
};

/* Items or pairs gathered while a collection is read, before its size is known. */
struct gather {
    void **items;
    size_t count, cap;
};

static struct node *value(struct parse *p);

static bool fail(struct parse *p, const char *why)
{
    if (!p->why)
        p->why = why;
    return false;
}

static void skip_space(struct parse *p)
{
    while (p->s < p->end && (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' || *p->s == '\r'))
        p->s++;
}

static struct node *node_of(struct parse *p, enum node_kind kind)
{
    struct node *n = arena_calloc(p->a, 1, sizeof(*n));
    if (!n)
        fail(p, "out of memory");
    else
        n->kind = (uint8_t)kind;
    return n;
}

static int hex4(const char *s)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return -1;
        v = v << 4 | d;
    }
    return v;
}

static size_t put_utf8(char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12);
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | cp >> 18);
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* \uXXXX at s (a surrogate pair takes a second one): the code point, and bytes read. */
static bool unicode_escape(struct parse *p, const char *s, uint32_t *cp, size_t *used)
{
    int hi = p->end - s >= 6 ? hex4(s + 2) : -1;
    if (hi < 0)
        return fail(p, "a bad \\u escape");
    *cp = (uint32_t)hi;
    *used = 6;
    if (hi >= 0xDC00 && hi <= 0xDFFF)
        return fail(p, "a lone low surrogate");
    if (hi < 0xD800 || hi > 0xDBFF)
        return true;
    int lo = p->end - s >= 12 && s[6] == '\\' && s[7] == 'u' ? hex4(s + 8) : -1;
    if (lo < 0xDC00 || lo > 0xDFFF)
        return fail(p, "a high surrogate without its low one");
    *cp = 0x10000 + (((uint32_t)hi - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
    *used = 12;
    return true;
}

static const char simple_escapes[][2] = {{'"', '"'},  {'\\', '\\'}, {'/', '/'},  {'b', '\b'},
                                         {'f', '\f'}, {'n', '\n'},  {'r', '\r'}, {'t', '\t'}};

/* One escape at s into out; the bytes written, or 0 (failed). */
static size_t escape(struct parse *p, const char **s, char *out)
{
    for (size_t i = 0; i < sizeof(simple_escapes) / sizeof(simple_escapes[0]); i++)
        if ((*s)[1] == simple_escapes[i][0]) {
            *out = simple_escapes[i][1];
            *s += 2;
            return 1;
        }
    uint32_t cp;
    size_t used;
    if ((*s)[1] != 'u' || !unicode_escape(p, *s, &cp, &used))
        return fail(p, "a bad escape"), 0;
    *s += used;
    return put_utf8(out, cp);
}

/* A string from the quote at p->s, into the arena: its bytes and length. */
static bool string(struct parse *p, const char **text, uint32_t *len)
{
    const char *s = p->s + 1, *close = s;
    bool escaped = false;
    while (close < p->end && *close != '"') {
        if ((unsigned char)*close < 0x20)
            return fail(p, "a control character in a string");
        escaped |= *close == '\\';
        close += *close == '\\' ? 2 : 1;
    }
    if (close >= p->end)
        return fail(p, "an unterminated string");
    size_t max = (size_t)(close - s);
    char *out = arena_alloc(p->a, max + 1);
    if (!out)
        return fail(p, "out of memory");
    size_t n = 0;
    if (!escaped) {
        memcpy(out, s, max);
        n = max;
    }
    while (escaped && s < close) {
        size_t got = *s == '\\' ? escape(p, &s, out + n) : (out[n] = *s++, 1);
        if (!got)
            return false;
        n += got;
    }
    out[n] = '\0';
    *text = out;
    *len = (uint32_t)n;
    p->s = close + 1;
    return true;
}

static struct node *scalar_text(struct parse *p, enum scalar_type type, const char *text,
                                size_t len)
{
    struct node *n = node_of(p, NODE_SCALAR);
    if (n && !(n->u.text = arena_strndup(p->a, text, len)))
        return fail(p, "out of memory"), NULL;
    if (n) {
        n->type = (uint8_t)type;
        n->count = (uint32_t)len;
    }
    return n;
}

static struct node *number(struct parse *p)
{
    const char *start = p->s, *s = p->s;
    s += *s == '-';
    const char *digits = s;
    if (s >= p->end || *s < '0' || *s > '9' ||
        (*s == '0' && s + 1 < p->end && s[1] >= '0' && s[1] <= '9'))
        return fail(p, "a bad number"), NULL;
    s = digits;
    /* The number's characters (strtoll and strtod say whether they make one); a fraction or
     * an exponent makes it a float. */
    bool integral = true;
    for (; s < p->end && strchr("0123456789.eE+-", *s); s++)
        if (*s < '0' || *s > '9')
            integral = false;
    char buf[64];
    size_t len = (size_t)(s - start);
    if (len >= sizeof(buf))
        return fail(p, "a number too long"), NULL;
    memcpy(buf, start, len);
    buf[len] = '\0';
    char *stop;
    errno = 0;
    long long i = integral ? strtoll(buf, &stop, 10) : 0;
    integral &= errno == 0;
    double f = integral ? 0 : strtod(buf, &stop);
    if (*stop)
        return fail(p, "a bad number"), NULL;
    struct node *n = scalar_text(p, integral ? SCALAR_INT : SCALAR_FLOAT, start, len);
    if (n && integral)
        n->v.i = i;
    else if (n)
        n->v.f = f;
    p->s = s;
    return n;
}

static const struct {
    const char *word;
    enum scalar_type type;
    bool b;
} literals[] = {
    {"true", SCALAR_BOOL, true}, {"false", SCALAR_BOOL, false}, {"null", SCALAR_NULL, false}};

static struct node *literal(struct parse *p)
{
    for (size_t i = 0; i < sizeof(literals) / sizeof(literals[0]); i++) {
        size_t n = strlen(literals[i].word);
        if ((size_t)(p->end - p->s) >= n && !memcmp(p->s, literals[i].word, n)) {
            struct node *node = scalar_text(p, literals[i].type, p->s, n);
            if (node)
                node->v.b = literals[i].b;
            p->s += n;
            return node;
        }
    }
    return fail(p, "not a JSON value"), NULL;
}

static bool gather_add(struct parse *p, struct gather *g, void *item)
{
    if (g->count == g->cap) {
        size_t cap = g->cap ? 2 * g->cap : 16;
        void **more = realloc(g->items, cap * sizeof(*more));
        if (!more)
            return fail(p, "out of memory");
        g->items = more;
        g->cap = cap;
    }
    g->items[g->count++] = item;
    return true;
}

/* Reads "item, item, ...close" after the opening bracket; for a mapping each item is a key
 * then a value. */
static bool members(struct parse *p, struct gather *g, bool mapping, char close)
{
    skip_space(p);
    if (p->s < p->end && *p->s == close) {
        p->s++;
        return true;
    }
    for (;;) {
        skip_space(p);
        if (mapping) {
            struct node *key = node_of(p, NODE_SCALAR);
            if (!key || p->s >= p->end || *p->s != '"' || !string(p, &key->u.text, &key->count))
                return fail(p, "a mapping key must be a string");
            skip_space(p);
            if (p->s >= p->end || *p->s++ != ':')
                return fail(p, "a ':' is missing after a key");
            if (!gather_add(p, g, key))
                return false;
        }
        struct node *v = value(p);
        if (!v || !gather_add(p, g, v))
            return false;
        skip_space(p);
        if (p->s < p->end && *p->s == ',') {
            p->s++;
            continue;
        }
        if (p->s < p->end && *p->s == close) {
            p->s++;
            return true;
        }
        return fail(p, "a ',' or a closing bracket is missing");
    }
}

static struct node *collection(struct parse *p, bool mapping)
{
    if (++p->depth > JSON_NODE_DEPTH)
        return fail(p, "nested too deep"), NULL;
    p->s++;
    struct gather g = {0};
    struct node *n = members(p, &g, mapping, mapping ? '}' : ']')
                         ? node_of(p, mapping ? NODE_MAPPING : NODE_SEQUENCE)
                         : NULL;
    size_t count = mapping ? g.count / 2 : g.count;
    if (n) {
        n->count = (uint32_t)count;
        if (mapping && (n->u.pairs = arena_calloc(p->a, count + 1, sizeof(*n->u.pairs))))
            for (size_t i = 0; i < count; i++)
                n->u.pairs[i] = (struct node_pair){g.items[2 * i], g.items[2 * i + 1]};
        else if (!mapping && (n->u.items = arena_calloc(p->a, count + 1, sizeof(*n->u.items))) &&
                 count)
            memcpy(n->u.items, g.items, count * sizeof(*n->u.items));
        if (mapping ? !n->u.pairs : !n->u.items)
            n = (fail(p, "out of memory"), NULL);
    }
    free(g.items);
    p->depth--;
    return n;
}

static struct node *value(struct parse *p)
{
    skip_space(p);
    if (p->s >= p->end)
        return fail(p, "a value is missing"), NULL;
    if (*p->s == '{' || *p->s == '[')
        return collection(p, *p->s == '{');
    if (*p->s == '"') {
        struct node *n = node_of(p, NODE_SCALAR);
        if (!n || !string(p, &n->u.text, &n->count))
            return NULL;
        n->type = SCALAR_STRING;
        return n;
    }
    if (*p->s == '-' || (*p->s >= '0' && *p->s <= '9'))
        return number(p);
    return literal(p);
}

struct node *json_node_parse(struct arena *a, const char *text, size_t len, const char **why)
{
    struct parse p = {a, text, text + len, 0, NULL};
    struct node *n = value(&p);
    skip_space(&p);
    if (n && p.s != p.end)
        n = (fail(&p, "text after the value"), NULL);
    *why = p.why;
    return n;
}
