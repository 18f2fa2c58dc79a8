#define _GNU_SOURCE /* memmem */
#include "ruleset_path.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <math.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ruleset/ruleset_js.h"

/* ---- the parsed form ----------------------------------------------------------------------- */

enum sel_kind { SEL_NAME, SEL_WILD, SEL_INDEX, SEL_SLICE, SEL_FILTER };

struct slice {
    bool has_start, has_end;
    long start, end, step;
};

struct expr;

struct selector {
    enum sel_kind kind;
    const char *name; /* SEL_NAME */
    size_t len;
    long index; /* SEL_INDEX */
    struct slice slice;
    const struct expr *filter;
};

struct segment {
    bool descendant; /* `..` */
    struct selector *sels;
    size_t nsels;
};

struct jpath {
    struct segment *segs;
    size_t nsegs;
    /* What keeps it from being run on one top-level entry at a time (jpath_streamable): a
     * filter that reads the root ($), a selector that counts from the end of a list. */
    bool reads_root, counts_from_end;
};

enum expr_kind {
    EX_OR,
    EX_AND,
    EX_NOT,
    EX_COMPARE,
    EX_REGEX_MATCH, /* a =~ /re/ */
    EX_QUERY,       /* @... or $...: its first match */
    EX_LITERAL,
    EX_PROPERTY,        /* @property */
    EX_PARENT_PROPERTY, /* @parentProperty */
    EX_FUNCTION,        /* RFC 9535's length(), count(), match(), search(), value() */
    EX_METHOD           /* JavaScript's: @.name.startsWith('x'), @.name.match(/x/), ... */
};

/* == and != as JavaScript reads them (converting between numbers and strings), === and !==
 * without conversion. */
enum compare_op { OP_EQ, OP_NE, OP_STRICT_EQ, OP_STRICT_NE, OP_LT, OP_LE, OP_GT, OP_GE };

enum function_kind { FN_LENGTH, FN_COUNT, FN_MATCH, FN_SEARCH, FN_VALUE };

enum method_kind { M_MATCH, M_STARTS_WITH, M_ENDS_WITH, M_INCLUDES };

enum value_kind { V_NOTHING, V_NULL, V_BOOL, V_NUMBER, V_STRING, V_COLLECTION };

struct value {
    enum value_kind kind;
    bool b;
    double number;
    const char *text;
    size_t len;
    const struct node *node; /* V_COLLECTION, and any value read from the document */
};

struct expr {
    enum expr_kind kind;
    enum compare_op op;
    enum function_kind fn;
    enum method_kind method;
    const struct expr *a, *b;
    const struct jpath *query;
    bool from_root; /* the query starts at $, not @ */
    struct value literal;
    pcre2_code *re;
};

/* ---- parsing ------------------------------------------------------------------------------- */

struct parser {
    const char *text, *at;
    struct arena *arena;
    struct jpath_regexes *regexes;
    struct jpath_error *err;
    int depth;
    bool reads_root; /* a filter's query starts at $ */
};

#define MAX_NESTING 64

static int fail(struct parser *P, const char *fmt, ...) GH_PRINTF(2, 3);
static int fail(struct parser *P, const char *fmt, ...)
{
    if (P->err->message[0])
        return -1; /* the first failure is the one to report */
    P->err->offset = (size_t)(P->at - P->text);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(P->err->message, sizeof(P->err->message), fmt, ap);
    va_end(ap);
    return -1;
}

static void skip_space(struct parser *P)
{
    while (*P->at == ' ' || *P->at == '\t' || *P->at == '\n' || *P->at == '\r')
        P->at++;
}

static bool take(struct parser *P, const char *token)
{
    skip_space(P);
    size_t n = strlen(token);
    if (strncmp(P->at, token, n))
        return false;
    P->at += n;
    return true;
}

static void *grow(struct parser *P, void *old, size_t count, size_t size)
{
    void *p = arena_alloc(P->arena, (count + 1) * size);
    if (p && old)
        memcpy(p, old, count * size);
    return p;
}

/* A member name after `.` or `..`: letters, digits, _, -, $ and any non-ASCII byte. */
static bool name_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '$' ||
           (unsigned char)c >= 0x80;
}

static int parse_string(struct parser *P, const char **out, size_t *len)
{
    char quote = *P->at++;
    size_t cap = strlen(P->at) + 1, n = 0;
    char *s = arena_alloc(P->arena, cap);
    if (!s)
        return fail(P, "out of memory");
    while (*P->at && *P->at != quote) {
        char c = *P->at++;
        if (c == '\\') {
            static const char from[] = "btnfr\\/'\"", to[] = "\b\t\n\f\r\\/'\"";
            const char *k = *P->at ? strchr(from, *P->at) : NULL;
            if (!k)
                return fail(P, "unknown escape '\\%c' in a string", *P->at ? *P->at : ' ');
            c = to[k - from];
            P->at++;
        }
        s[n++] = c;
    }
    if (*P->at != quote)
        return fail(P, "a string is not closed (%c expected)", quote);
    P->at++;
    s[n] = '\0';
    *out = s;
    *len = n;
    return 0;
}

static bool parse_long(struct parser *P, long *out)
{
    skip_space(P);
    const char *s = P->at;
    if (*s == '-')
        s++;
    if (!isdigit((unsigned char)*s))
        return false;
    char *end;
    *out = strtol(P->at, &end, 10);
    P->at = end;
    return true;
}

static int compile_regex(struct parser *P, const char *pattern, size_t len, const char *flags,
                         pcre2_code **out)
{
    uint32_t options = 0;
    for (const char *f = flags; *f; f++)
        options |= *f == 'i'   ? PCRE2_CASELESS
                   : *f == 'm' ? PCRE2_MULTILINE
                   : *f == 's' ? PCRE2_DOTALL
                               : 0;
    char why[160];
    int rc = js_regex_compile(pattern, len, options, P->regexes, out, why, sizeof(why));
    if (rc == -2)
        return fail(P, "out of memory");
    return rc < 0 ? fail(P, "regular expression: %s", why) : 0;
}

/* A /pattern/flags literal (JavaScript's form). */
static int parse_regex_literal(struct parser *P, pcre2_code **out)
{
    const char *start = ++P->at;
    while (*P->at && *P->at != '/')
        P->at += P->at[0] == '\\' && P->at[1] ? 2 : 1;
    if (*P->at != '/')
        return fail(P, "a /regular expression/ is not closed");
    size_t len = (size_t)(P->at - start);
    P->at++;
    char flags[8] = "";
    size_t n = 0;
    while (isalpha((unsigned char)*P->at) && n < sizeof(flags) - 1)
        flags[n++] = *P->at++;
    flags[n] = '\0';
    return compile_regex(P, start, len, flags, out);
}

static int parse_segments(struct parser *P, struct jpath *p, bool in_filter);
static int parse_or(struct parser *P, const struct expr **out);

static struct expr *new_expr(struct parser *P, enum expr_kind kind)
{
    struct expr *e = arena_calloc(P->arena, 1, sizeof(*e));
    if (e)
        e->kind = kind;
    else
        fail(P, "out of memory");
    return e;
}

static int parse_query(struct parser *P, bool from_root, const struct expr **out)
{
    struct expr *e = new_expr(P, EX_QUERY);
    struct jpath *q = arena_calloc(P->arena, 1, sizeof(*q));
    if (!e || !q)
        return fail(P, "out of memory");
    e->from_root = from_root;
    P->reads_root |= from_root;
    e->query = q;
    *out = e;
    return parse_segments(P, q, true);
}

static const struct {
    const char *name;
    enum function_kind fn;
    int nargs;
} functions[] = {{"length", FN_LENGTH, 1},
                 {"count", FN_COUNT, 1},
                 {"match", FN_MATCH, 2},
                 {"search", FN_SEARCH, 2},
                 {"value", FN_VALUE, 1}};

static int parse_operand(struct parser *P, const struct expr **out);

static const struct {
    const char *name;
    enum expr_kind kind;
} at_names[] = {{"@property", EX_PROPERTY}, {"@parentProperty", EX_PARENT_PROPERTY}};

static const struct {
    const char *name;
    enum method_kind method;
} methods[] = {{"match", M_MATCH},
               {"startsWith", M_STARTS_WITH},
               {"endsWith", M_ENDS_WITH},
               {"includes", M_INCLUDES}};

/* The argument of a method: a /regex/ for match(), else a literal value. */
static int parse_method_argument(struct parser *P, struct expr *e)
{
    skip_space(P);
    if (e->method == M_MATCH) {
        if (*P->at == '/')
            return parse_regex_literal(P, &e->re);
        const char *pattern;
        size_t len;
        if ((*P->at != '\'' && *P->at != '"') || parse_string(P, &pattern, &len) < 0)
            return fail(P, "match() takes a /regular expression/ or a string");
        return compile_regex(P, pattern, len, "", &e->re);
    }
    return parse_operand(P, &e->b);
}

/*
 * A query whose last step names a method, called: @.name.startsWith('x'). The query up to the
 * method is the receiver; the methods are those JavaScript strings (and, for includes, arrays)
 * have that rules use.
 */
static int parse_method(struct parser *P, const struct expr **out)
{
    const struct expr *q = *out;
    struct jpath *path = (struct jpath *)q->query;
    const struct segment *last = path->nsegs ? &path->segs[path->nsegs - 1] : NULL;
    if (!last || last->descendant || last->nsels != 1 || last->sels[0].kind != SEL_NAME)
        return fail(P, "'(' after a value: only a method call (match, startsWith, endsWith, "
                       "includes) may follow");
    const struct selector *name = &last->sels[0];
    size_t which = sizeof(methods) / sizeof(methods[0]);
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        if (strlen(methods[i].name) == name->len && !memcmp(methods[i].name, name->name, name->len))
            which = i;
    if (which == sizeof(methods) / sizeof(methods[0]))
        return fail(P, "method '%s' is not supported (match, startsWith, endsWith, includes)",
                    name->name);
    path->nsegs--; /* the receiver */
    struct expr *e = new_expr(P, EX_METHOD);
    if (!e)
        return -1;
    e->method = methods[which].method;
    e->a = q;
    P->at++; /* '(' */
    if (parse_method_argument(P, e) < 0)
        return -1;
    if (!take(P, ")"))
        return fail(P, "')' expected after the method's argument");
    *out = e;
    return 0;
}

/* match(@.name, '^a') and search(): the pattern must be a string literal, compiled once. */
static int parse_function(struct parser *P, size_t which, const struct expr **out)
{
    struct expr *e = new_expr(P, EX_FUNCTION);
    if (!e)
        return -1;
    e->fn = functions[which].fn;
    if (parse_operand(P, &e->a) < 0)
        return -1;
    if (functions[which].nargs == 2) {
        if (!take(P, ","))
            return fail(P, "%s() takes two arguments", functions[which].name);
        skip_space(P);
        const char *pattern;
        size_t len;
        if ((*P->at != '\'' && *P->at != '"') || parse_string(P, &pattern, &len) < 0)
            return fail(P, "%s()'s pattern must be a string", functions[which].name);
        /* match() is anchored at both ends (RFC 9535's I-Regexp match); search() is not. */
        const char *full =
            e->fn == FN_MATCH ? arena_printf(P->arena, "^(?:%s)$", pattern) : pattern;
        if (!full || compile_regex(P, full, strlen(full), "", &e->re) < 0)
            return -1;
    }
    if (!take(P, ")"))
        return fail(P, "')' expected after %s()'s arguments", functions[which].name);
    *out = e;
    return 0;
}

static int parse_literal_word(struct parser *P, const struct expr **out)
{
    static const struct {
        const char *word;
        enum value_kind kind;
        bool b;
    } words[] = {{"true", V_BOOL, true},
                 {"false", V_BOOL, false},
                 {"null", V_NULL, false},
                 {"undefined", V_NOTHING, false}};
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        size_t n = strlen(words[i].word);
        if (!strncmp(P->at, words[i].word, n) && !name_char(P->at[n])) {
            struct expr *e = new_expr(P, EX_LITERAL);
            if (!e)
                return -1;
            e->literal = (struct value){.kind = words[i].kind, .b = words[i].b};
            P->at += n;
            *out = e;
            return 0;
        }
    }
    for (size_t i = 0; i < sizeof(functions) / sizeof(functions[0]); i++) {
        size_t n = strlen(functions[i].name);
        if (!strncmp(P->at, functions[i].name, n) && P->at[n] == '(') {
            P->at += n + 1;
            return parse_function(P, i, out);
        }
    }
    return fail(P, "a value expected (@, $, a string, a number, true, false or null)");
}

static int parse_number(struct parser *P, const struct expr **out)
{
    char *end;
    double d = strtod(P->at, &end);
    if (end == P->at)
        return fail(P, "a number expected");
    P->at = end;
    struct expr *e = new_expr(P, EX_LITERAL);
    if (!e)
        return -1;
    e->literal = (struct value){.kind = V_NUMBER, .number = d};
    *out = e;
    return 0;
}

static int parse_operand(struct parser *P, const struct expr **out)
{
    skip_space(P);
    char c = *P->at;
    for (size_t i = 0; c == '@' && i < sizeof(at_names) / sizeof(at_names[0]); i++) {
        size_t n = strlen(at_names[i].name);
        if (!strncmp(P->at, at_names[i].name, n) && !name_char(P->at[n])) {
            P->at += n;
            struct expr *e = new_expr(P, at_names[i].kind);
            *out = e;
            return e ? 0 : -1;
        }
    }
    if (c == '@' && name_char(P->at[1]))
        return fail(P,
                    "'%.*s' is not supported (of JSONPath-Plus's @ names, only @property "
                    "and @parentProperty)",
                    (int)strcspn(P->at, " )]=!<>&|"), P->at);
    if (c == '@' || c == '$') {
        P->at++;
        if (parse_query(P, c == '$', out) < 0)
            return -1;
        return *P->at == '(' ? parse_method(P, out) : 0;
    }
    if (c == '\'' || c == '"') {
        struct expr *e = new_expr(P, EX_LITERAL);
        if (!e)
            return -1;
        e->literal.kind = V_STRING;
        *out = e;
        return parse_string(P, &e->literal.text, &e->literal.len);
    }
    if (c == '-' || isdigit((unsigned char)c))
        return parse_number(P, out);
    return parse_literal_word(P, out);
}

static const struct {
    const char *token;
    enum compare_op op;
} compare_ops[] = {{"===", OP_STRICT_EQ}, {"!==", OP_STRICT_NE}, {"==", OP_EQ}, {"!=", OP_NE},
                   {"<=", OP_LE},         {">=", OP_GE},         {"<", OP_LT},  {">", OP_GT}};

/* operand [op operand] | operand =~ /re/ | ( expr ) */
static int parse_comparison(struct parser *P, const struct expr **out)
{
    skip_space(P);
    if (*P->at == '(') {
        P->at++;
        if (parse_or(P, out) < 0)
            return -1;
        return take(P, ")") ? 0 : fail(P, "')' expected");
    }
    const struct expr *left;
    if (parse_operand(P, &left) < 0)
        return -1;
    if (take(P, "=~")) {
        struct expr *e = new_expr(P, EX_REGEX_MATCH);
        if (!e)
            return -1;
        e->a = left;
        skip_space(P);
        const char *pattern;
        size_t len;
        if (*P->at == '/') {
            if (parse_regex_literal(P, &e->re) < 0)
                return -1;
        } else if (*P->at == '\'' || *P->at == '"') {
            if (parse_string(P, &pattern, &len) < 0 ||
                compile_regex(P, pattern, len, "", &e->re) < 0)
                return -1;
        } else {
            return fail(P, "=~ takes a /regular expression/ or a string");
        }
        *out = e;
        return 0;
    }
    for (size_t i = 0; i < sizeof(compare_ops) / sizeof(compare_ops[0]); i++)
        if (take(P, compare_ops[i].token)) {
            struct expr *e = new_expr(P, EX_COMPARE);
            if (!e)
                return -1;
            e->op = compare_ops[i].op;
            e->a = left;
            *out = e;
            return parse_operand(P, &e->b);
        }
    *out = left;
    return 0;
}

static int parse_unary(struct parser *P, const struct expr **out)
{
    skip_space(P);
    if (P->at[0] == '!' && P->at[1] != '=') {
        P->at++;
        struct expr *e = new_expr(P, EX_NOT);
        if (!e)
            return -1;
        *out = e;
        return parse_unary(P, &e->a);
    }
    return parse_comparison(P, out);
}

static int parse_binary(struct parser *P, const char *token, enum expr_kind kind,
                        int (*operand)(struct parser *, const struct expr **),
                        const struct expr **out)
{
    if (++P->depth > MAX_NESTING)
        return fail(P, "the filter nests deeper than %d", MAX_NESTING);
    if (operand(P, out) < 0)
        return -1;
    while (take(P, token)) {
        struct expr *e = new_expr(P, kind);
        if (!e)
            return -1;
        e->a = *out;
        if (operand(P, &e->b) < 0)
            return -1;
        *out = e;
    }
    P->depth--;
    return 0;
}

static int parse_and(struct parser *P, const struct expr **out)
{
    return parse_binary(P, "&&", EX_AND, parse_unary, out);
}

static int parse_or(struct parser *P, const struct expr **out)
{
    return parse_binary(P, "||", EX_OR, parse_and, out);
}

/* start:end:step, any part left out */
static int parse_slice(struct parser *P, struct selector *s, long first, bool has_first)
{
    s->kind = SEL_SLICE;
    s->slice = (struct slice){.has_start = has_first, .start = first, .step = 1};
    P->at++; /* the first ':' */
    s->slice.has_end = parse_long(P, &s->slice.end);
    if (take(P, ":")) {
        long step;
        if (parse_long(P, &step))
            s->slice.step = step;
    }
    return 0;
}

static int parse_selector(struct parser *P, struct selector *s)
{
    skip_space(P);
    char c = *P->at;
    if (c == '\'' || c == '"') {
        s->kind = SEL_NAME;
        return parse_string(P, &s->name, &s->len);
    }
    if (c == '*') {
        P->at++;
        s->kind = SEL_WILD;
        return 0;
    }
    if (c == '?') {
        P->at++;
        s->kind = SEL_FILTER;
        return parse_or(P, &s->filter);
    }
    long n = 0;
    bool has = parse_long(P, &n);
    skip_space(P);
    if (*P->at == ':')
        return parse_slice(P, s, n, has);
    if (!has)
        return fail(P, "a selector expected: a quoted name, *, an index, a slice or ?filter");
    s->kind = SEL_INDEX;
    s->index = n;
    return 0;
}

static int parse_bracket(struct parser *P, struct segment *seg)
{
    do {
        seg->sels = grow(P, seg->sels, seg->nsels, sizeof(*seg->sels));
        if (!seg->sels)
            return fail(P, "out of memory");
        memset(&seg->sels[seg->nsels], 0, sizeof(seg->sels[0]));
        if (parse_selector(P, &seg->sels[seg->nsels++]) < 0)
            return -1;
    } while (take(P, ","));
    return take(P, "]") ? 0 : fail(P, "']' expected");
}

static int parse_dot_name(struct parser *P, struct segment *seg)
{
    seg->sels = grow(P, NULL, 0, sizeof(*seg->sels));
    if (!seg->sels)
        return fail(P, "out of memory");
    struct selector *s = &seg->sels[0];
    memset(s, 0, sizeof(*s));
    seg->nsels = 1;
    if (*P->at == '*') {
        P->at++;
        s->kind = SEL_WILD;
        return 0;
    }
    const char *start = P->at;
    while (name_char(*P->at))
        P->at++;
    if (P->at == start)
        return fail(P, "a member name expected after '.'");
    s->kind = SEL_NAME;
    s->name = arena_strndup(P->arena, start, (size_t)(P->at - start));
    s->len = (size_t)(P->at - start);
    return s->name ? 0 : fail(P, "out of memory");
}

/* One segment, or 0 with *done when none follows. */
static int parse_segment(struct parser *P, struct segment *seg, bool *done)
{
    memset(seg, 0, sizeof(*seg));
    if (P->at[0] == '.' && P->at[1] == '.') {
        P->at += 2;
        seg->descendant = true;
        if (*P->at == '[') {
            P->at++;
            return parse_bracket(P, seg);
        }
        return parse_dot_name(P, seg);
    }
    if (P->at[0] == '.') {
        P->at++;
        return parse_dot_name(P, seg);
    }
    if (P->at[0] == '[') {
        P->at++;
        return parse_bracket(P, seg);
    }
    *done = true;
    return 0;
}

/* Segments up to the end (a whole path) or, in a filter, up to what is not a segment. */
static int parse_segments(struct parser *P, struct jpath *p, bool in_filter)
{
    for (;;) {
        struct segment seg;
        bool done = false;
        if (parse_segment(P, &seg, &done) < 0)
            return -1;
        if (done)
            break;
        p->segs = grow(P, p->segs, p->nsegs, sizeof(*p->segs));
        if (!p->segs)
            return fail(P, "out of memory");
        p->segs[p->nsegs++] = seg;
    }
    if (!in_filter && *P->at)
        return fail(P, "unexpected '%c'", *P->at);
    return 0;
}

static bool counts_from_end(const struct jpath *p);

int jpath_parse(const char *text, struct arena *a, struct jpath_regexes *regexes,
                const struct jpath **out, struct jpath_error *err)
{
    memset(err, 0, sizeof(*err));
    struct parser P = {text, text, a, regexes, err, 0, false};
    skip_space(&P);
    if (*P.at != '$')
        return fail(&P, "a path starts with '$'");
    P.at++;
    struct jpath *p = arena_calloc(a, 1, sizeof(*p));
    if (!p)
        return fail(&P, "out of memory");
    if (parse_segments(&P, p, false) < 0)
        return -1;
    p->reads_root = P.reads_root;
    p->counts_from_end = counts_from_end(p);
    *out = p;
    return 0;
}

/* ---- streaming ----------------------------------------------------------------------------- */

static bool selector_counts_from_end(const struct selector *s)
{
    if (s->kind == SEL_INDEX)
        return s->index < 0;
    if (s->kind != SEL_SLICE)
        return false;
    const struct slice *c = &s->slice;
    return c->step < 0 || (c->has_start && c->start < 0) || (c->has_end && c->end < 0);
}

static bool counts_from_end(const struct jpath *p)
{
    for (size_t i = 0; i < p->nsegs; i++)
        for (size_t k = 0; k < p->segs[i].nsels; k++)
            if (selector_counts_from_end(&p->segs[i].sels[k]))
                return true;
    return false;
}

bool jpath_streamable(const struct jpath *p)
{
    return p->nsegs > 0 && !p->reads_root && !p->counts_from_end;
}

void jpath_free_regexes(struct jpath_regexes *r)
{
    for (size_t i = 0; i < r->count; i++)
        pcre2_code_free(r->items[i]);
    free(r->items);
    memset(r, 0, sizeof(*r));
}

/* ---- evaluation ---------------------------------------------------------------------------- */

/*
 * A top-level list of which only one item is at hand (jpath_eval_item): the stand-in node for
 * the list, and the item with its index. Selectors on the stand-in see that item alone.
 */
struct one_item {
    const struct node *list, *item;
    size_t index;
    bool *whole_list; /* set when the path would take the list itself, which is not at hand */
};

struct eval {
    const struct node *root;
    jpath_visit_fn visit;
    void *ctx;
    unsigned long visits;
    bool *exhausted;
    const struct one_item *only; /* or NULL */
};

static bool spend(struct eval *E)
{
    if (++E->visits <= JPATH_VISIT_BUDGET)
        return true;
    *E->exhausted = true;
    return false;
}

static void eval_from(struct eval *E, const struct jpath *p, size_t i, const struct node *n,
                      const struct node *parent, struct path *where);

/* The value of a document node as a filter sees it. */
static struct value value_of(const struct node *n)
{
    struct value v = {.node = n};
    if (!n) {
        v.kind = V_NOTHING;
        return v;
    }
    if (n->kind != NODE_SCALAR) {
        v.kind = V_COLLECTION;
        return v;
    }
    switch (n->type) {
    case SCALAR_NULL:
        v.kind = V_NULL;
        break;
    case SCALAR_BOOL:
        v.kind = V_BOOL;
        v.b = n->v.b;
        break;
    case SCALAR_INT:
    case SCALAR_FLOAT:
        v.kind = V_NUMBER;
        v.number = node_number(n);
        break;
    default:
        v.kind = V_STRING;
        v.text = n->u.text;
        v.len = n->count;
    }
    return v;
}

/* A query's matches inside a filter: the first, and how many. */
struct query_result {
    const struct node *first;
    size_t count;
};

static void count_match(void *ctx, const struct jpath_match *m)
{
    struct query_result *r = ctx;
    if (!r->count++)
        r->first = m->node;
}

struct filter_at {
    const struct node *current;
    const struct node *key;            /* @property for a mapping member */
    size_t index;                      /* @property for an item */
    const struct path_segment *parent; /* @parentProperty: where the filtered collection sits */
};

static struct query_result run_path(struct eval *E, const struct jpath *p, bool from_root,
                                    const struct filter_at *at)
{
    struct query_result r = {0};
    struct eval sub = {E->root, count_match, &r, E->visits, E->exhausted, E->only};
    struct path where;
    path_init(&where);
    eval_from(&sub, p, 0, from_root ? E->root : at->current, NULL, &where);
    E->visits = sub.visits;
    return r;
}

static struct query_result run_query(struct eval *E, const struct expr *e,
                                     const struct filter_at *at)
{
    return run_path(E, e->query, e->from_root, at);
}

static bool is_length_step(const struct segment *s)
{
    return !s->descendant && s->nsels == 1 && s->sels[0].kind == SEL_NAME && s->sels[0].len == 6 &&
           !memcmp(s->sels[0].name, "length", 6);
}

static struct value length_of(const struct value *v);

/* @.paths.length: JavaScript's length of a string or an array, when no member "length" is
 * there to select. */
static struct value query_value(struct eval *E, const struct expr *e, const struct filter_at *at)
{
    struct query_result r = run_query(E, e, at);
    const struct jpath *q = e->query;
    if (r.count || !q->nsegs || !is_length_step(&q->segs[q->nsegs - 1]))
        return value_of(r.first);
    struct jpath receiver = {q->segs, q->nsegs - 1, false, false};
    struct value v = value_of(run_path(E, &receiver, e->from_root, at).first);
    if (v.kind == V_COLLECTION && v.node->kind == NODE_MAPPING)
        return (struct value){.kind = V_NOTHING};
    return length_of(&v);
}

static bool truthy(const struct value *v)
{
    switch (v->kind) {
    case V_BOOL:
        return v->b;
    case V_NUMBER:
        return v->number != 0 && !isnan(v->number);
    case V_STRING:
        return v->len > 0;
    case V_COLLECTION:
        return true;
    default:
        return false;
    }
}

static bool eval_value_regex(const pcre2_code *re, const struct value *v)
{
    if (v->kind != V_STRING)
        return false;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    int rc = md ? pcre2_match(re, (PCRE2_SPTR)v->text, v->len, 0, 0, md, NULL) : -1;
    pcre2_match_data_free(md);
    return rc >= 0;
}

static struct value eval_value(struct eval *E, const struct expr *e, const struct filter_at *at);

static struct value number_value(double d)
{
    return (struct value){.kind = V_NUMBER, .number = d};
}

/* RFC 9535's length(): characters of a string, items or members of a collection. */
static struct value length_of(const struct value *v)
{
    if (v->kind == V_STRING) {
        size_t chars = 0;
        for (size_t i = 0; i < v->len; i++)
            chars += ((unsigned char)v->text[i] & 0xC0) != 0x80;
        return number_value((double)chars);
    }
    if (v->kind == V_COLLECTION)
        return number_value((double)v->node->count);
    return (struct value){.kind = V_NOTHING};
}

static struct value eval_function(struct eval *E, const struct expr *e, const struct filter_at *at)
{
    if (e->fn == FN_COUNT && e->a->kind == EX_QUERY)
        return number_value((double)run_query(E, e->a, at).count);
    struct value arg = eval_value(E, e->a, at);
    switch (e->fn) {
    case FN_LENGTH:
        return length_of(&arg);
    case FN_MATCH:
    case FN_SEARCH:
        return (struct value){.kind = V_BOOL, .b = eval_value_regex(e->re, &arg)};
    default:
        return arg;
    }
}

static bool eval_bool(struct eval *E, const struct expr *e, const struct filter_at *at);

/* A key or an index as @parentProperty gives it; nothing at the root. */
static struct value segment_value(const struct path_segment *s)
{
    if (!s)
        return (struct value){.kind = V_NOTHING};
    if (s->key)
        return (struct value){.kind = V_STRING, .text = s->key, .len = s->len_or_index};
    return number_value((double)s->len_or_index);
}

static bool values_equal(const struct value *a, const struct value *b);

static bool has_affix(const struct value *s, const struct value *affix, bool at_end)
{
    if (s->kind != V_STRING || affix->kind != V_STRING || affix->len > s->len)
        return false;
    return !memcmp(s->text + (at_end ? s->len - affix->len : 0), affix->text, affix->len);
}

/* A string's includes() finds a substring; an array's, an item (as === compares). */
static bool includes(const struct value *receiver, const struct value *what)
{
    if (receiver->kind == V_STRING && what->kind == V_STRING)
        return what->len == 0 ||
               (what->len <= receiver->len &&
                memmem(receiver->text, receiver->len, what->text, what->len) != NULL);
    if (receiver->kind != V_COLLECTION || receiver->node->kind != NODE_SEQUENCE)
        return false;
    for (uint32_t i = 0; i < receiver->node->count; i++) {
        struct value item = value_of(receiver->node->u.items[i]);
        if (values_equal(&item, what))
            return true;
    }
    return false;
}

static bool eval_value_regex(const pcre2_code *re, const struct value *v);

static struct value eval_value(struct eval *E, const struct expr *e, const struct filter_at *at);

/* A method on a value that lacks it (a number's startsWith) throws in JavaScript, which
 * Spectral reports as an error of the whole run; here the filter is false for that value. */
static bool eval_method(struct eval *E, const struct expr *e, const struct filter_at *at)
{
    struct value receiver = eval_value(E, e->a, at);
    if (e->method == M_MATCH)
        return eval_value_regex(e->re, &receiver);
    struct value arg = eval_value(E, e->b, at);
    switch (e->method) {
    case M_STARTS_WITH:
        return has_affix(&receiver, &arg, false);
    case M_ENDS_WITH:
        return has_affix(&receiver, &arg, true);
    default:
        return includes(&receiver, &arg);
    }
}

static struct value eval_value(struct eval *E, const struct expr *e, const struct filter_at *at)
{
    switch (e->kind) {
    case EX_LITERAL:
        return e->literal;
    case EX_QUERY:
        return query_value(E, e, at);
    case EX_PROPERTY:
        if (at->key)
            return value_of(at->key);
        return number_value((double)at->index);
    case EX_PARENT_PROPERTY:
        return segment_value(at->parent);
    case EX_FUNCTION:
        return eval_function(E, e, at);
    case EX_METHOD:
        return (struct value){.kind = V_BOOL, .b = eval_method(E, e, at)};
    default:
        return (struct value){.kind = V_BOOL, .b = eval_bool(E, e, at)};
    }
}

/* === : same type and value; collections only when they are the same value. */
static bool values_equal(const struct value *a, const struct value *b)
{
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case V_BOOL:
        return a->b == b->b;
    case V_NUMBER:
        return a->number == b->number;
    case V_STRING:
        return a->len == b->len && !memcmp(a->text, b->text, a->len);
    case V_COLLECTION:
        return a->node == b->node;
    default:
        return true; /* null === null, undefined === undefined */
    }
}

/* JavaScript's ToNumber of a primitive: NaN where it has none. */
static double to_number(const struct value *v)
{
    switch (v->kind) {
    case V_NUMBER:
        return v->number;
    case V_BOOL:
        return v->b ? 1 : 0;
    case V_NULL:
        return 0;
    case V_STRING: {
        char buf[64];
        size_t n = v->len < sizeof(buf) - 1 ? v->len : sizeof(buf) - 1;
        memcpy(buf, v->text, n);
        buf[n] = '\0';
        char *end;
        const char *start = buf;
        while (*start == ' ' || *start == '\t' || *start == '\n')
            start++;
        if (!*start)
            return 0; /* "" and blanks are 0 */
        double d = strtod(start, &end);
        while (*end == ' ' || *end == '\t' || *end == '\n')
            end++;
        return *end || v->len >= sizeof(buf) ? NAN : d;
    }
    default:
        return NAN;
    }
}

/* == : null and undefined equal each other only; a number, string or boolean compared with
 * another of those kinds compares as numbers; collections only with themselves. */
static bool loosely_equal(const struct value *a, const struct value *b)
{
    if (a->kind == b->kind)
        return values_equal(a, b);
    bool a_nullish = a->kind == V_NULL || a->kind == V_NOTHING;
    bool b_nullish = b->kind == V_NULL || b->kind == V_NOTHING;
    if (a_nullish || b_nullish)
        return a_nullish && b_nullish;
    if (a->kind == V_COLLECTION || b->kind == V_COLLECTION)
        return false;
    return to_number(a) == to_number(b);
}

static int string_order(const struct value *a, const struct value *b)
{
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->text, b->text, n);
    return c ? c : (a->len > b->len) - (a->len < b->len);
}

/* <, <=, >, >=: two strings by their characters, anything else as numbers (false with NaN). */
static bool ordered(const struct value *a, const struct value *b, enum compare_op op)
{
    int c;
    if (a->kind == V_STRING && b->kind == V_STRING) {
        c = string_order(a, b);
    } else {
        if (a->kind == V_COLLECTION || b->kind == V_COLLECTION)
            return false;
        double x = to_number(a), y = to_number(b);
        if (isnan(x) || isnan(y))
            return false;
        c = (x > y) - (x < y);
    }
    return op == OP_LT ? c < 0 : op == OP_LE ? c <= 0 : op == OP_GT ? c > 0 : c >= 0;
}

static bool compare(const struct value *a, const struct value *b, enum compare_op op)
{
    switch (op) {
    case OP_EQ:
        return loosely_equal(a, b);
    case OP_NE:
        return !loosely_equal(a, b);
    case OP_STRICT_EQ:
        return values_equal(a, b);
    case OP_STRICT_NE:
        return !values_equal(a, b);
    default:
        return ordered(a, b, op);
    }
}

static bool eval_bool(struct eval *E, const struct expr *e, const struct filter_at *at)
{
    switch (e->kind) {
    case EX_OR:
        return eval_bool(E, e->a, at) || eval_bool(E, e->b, at);
    case EX_AND:
        return eval_bool(E, e->a, at) && eval_bool(E, e->b, at);
    case EX_NOT:
        return !eval_bool(E, e->a, at);
    case EX_COMPARE: {
        struct value a = eval_value(E, e->a, at), b = eval_value(E, e->b, at);
        return compare(&a, &b, e->op);
    }
    case EX_REGEX_MATCH: {
        struct value a = eval_value(E, e->a, at);
        return eval_value_regex(e->re, &a);
    }
    default: {
        struct value v = eval_value(E, e, at);
        return truthy(&v);
    }
    }
}

/* ---- selectors ----------------------------------------------------------------------------- */

static void child(struct eval *E, const struct jpath *p, size_t i, const struct node *parent,
                  const struct node *key, size_t index, const struct node *value,
                  struct path *where)
{
    if (key)
        path_push_key(where, key->u.text, key->count);
    else
        path_push_index(where, index);
    eval_from(E, p, i, value, parent, where);
    path_pop(where);
}

static long normalize_index(long index, size_t count)
{
    return index < 0 ? (long)count + index : index;
}

static void select_slice(struct eval *E, const struct jpath *p, size_t i, const struct slice *s,
                         const struct node *n, struct path *where)
{
    long len = (long)n->count, step = s->step;
    if (step == 0)
        return;
    long start = s->has_start ? normalize_index(s->start, n->count) : step > 0 ? 0 : len - 1;
    long end = s->has_end ? normalize_index(s->end, n->count) : step > 0 ? len : -len - 1;
    if (step > 0) {
        long lo = start < 0 ? 0 : start > len ? len : start;
        long hi = end < 0 ? 0 : end > len ? len : end;
        for (long k = lo; k < hi; k += step)
            child(E, p, i, n, NULL, (size_t)k, n->u.items[k], where);
    } else {
        long hi = start < -1 ? -1 : start >= len ? len - 1 : start;
        long lo = end < -1 ? -1 : end >= len ? len - 1 : end;
        for (long k = hi; k > lo; k += step)
            child(E, p, i, n, NULL, (size_t)k, n->u.items[k], where);
    }
}

static void select_filter(struct eval *E, const struct jpath *p, size_t i, const struct expr *f,
                          const struct node *n, struct path *where)
{
    for (uint32_t k = 0; k < n->count; k++) {
        bool map = n->kind == NODE_MAPPING;
        const struct node *value = map ? n->u.pairs[k].value : n->u.items[k];
        if (E->only && value == E->only->list) {
            *E->only->whole_list = true; /* a filter on the list itself: not at hand */
            continue;
        }
        struct filter_at at = {value, map ? n->u.pairs[k].key : NULL, k,
                               where->depth ? &where->seg[where->depth - 1] : NULL};
        if (eval_bool(E, f, &at))
            child(E, p, i, n, at.key, k, value, where);
    }
}

/* A selector on the stand-in of a top-level list: does it take the one item at hand? Only
 * selectors that do not count from the end get here (jpath_streamable). */
static bool takes_the_item(struct eval *E, const struct selector *s, const struct node *list,
                           struct path *where)
{
    size_t k = E->only->index;
    switch (s->kind) {
    case SEL_WILD:
        return true;
    case SEL_INDEX:
        return s->index >= 0 && (size_t)s->index == k;
    case SEL_SLICE: {
        const struct slice *c = &s->slice;
        size_t start = c->has_start ? (size_t)c->start : 0;
        return c->step > 0 && k >= start && (!c->has_end || k < (size_t)c->end) &&
               (k - start) % (size_t)c->step == 0;
    }
    case SEL_FILTER: {
        struct filter_at at = {E->only->item, NULL, k,
                               where->depth ? &where->seg[where->depth - 1] : NULL};
        (void)list;
        return eval_bool(E, s->filter, &at);
    }
    default:
        return false;
    }
}

static void select_one(struct eval *E, const struct jpath *p, size_t i, const struct selector *s,
                       const struct node *n, struct path *where)
{
    if (E->only && n == E->only->list) {
        if (takes_the_item(E, s, n, where))
            child(E, p, i, n, NULL, E->only->index, E->only->item, where);
        return;
    }
    if (n->kind == NODE_SCALAR)
        return;
    bool map = n->kind == NODE_MAPPING;
    switch (s->kind) {
    case SEL_NAME:
        for (uint32_t k = 0; map && k < n->count; k++) {
            const struct node *key = n->u.pairs[k].key;
            if (key->count == s->len && !memcmp(key->u.text, s->name, s->len))
                child(E, p, i, n, key, k, n->u.pairs[k].value, where);
        }
        break;
    case SEL_WILD:
        for (uint32_t k = 0; k < n->count; k++)
            child(E, p, i, n, map ? n->u.pairs[k].key : NULL, k,
                  map ? n->u.pairs[k].value : n->u.items[k], where);
        break;
    case SEL_INDEX: {
        long k = normalize_index(s->index, n->count);
        if (!map && k >= 0 && k < (long)n->count)
            child(E, p, i, n, NULL, (size_t)k, n->u.items[k], where);
        break;
    }
    case SEL_SLICE:
        if (!map)
            select_slice(E, p, i, &s->slice, n, where);
        break;
    case SEL_FILTER:
        select_filter(E, p, i, s->filter, n, where);
        break;
    }
}

static void apply_segment(struct eval *E, const struct jpath *p, size_t i, const struct node *n,
                          struct path *where)
{
    const struct segment *seg = &p->segs[i];
    for (size_t k = 0; k < seg->nsels; k++)
        select_one(E, p, i + 1, &seg->sels[k], n, where);
}

/* `..`: the segment's selectors applied to the node and to every node below it, in order. */
static void descend(struct eval *E, const struct jpath *p, size_t i, const struct node *n,
                    struct path *where)
{
    if (!spend(E))
        return;
    apply_segment(E, p, i, n, where);
    if (E->only && n == E->only->list) {
        path_push_index(where, E->only->index);
        if (E->only->item->kind != NODE_SCALAR)
            descend(E, p, i, E->only->item, where);
        path_pop(where);
        return;
    }
    bool map = n->kind == NODE_MAPPING;
    for (uint32_t k = 0; n->kind != NODE_SCALAR && k < n->count; k++) {
        const struct node *c = map ? n->u.pairs[k].value : n->u.items[k];
        if (c->kind == NODE_SCALAR)
            continue;
        if (map)
            path_push_key(where, n->u.pairs[k].key->u.text, n->u.pairs[k].key->count);
        else
            path_push_index(where, k);
        descend(E, p, i, c, where);
        path_pop(where);
    }
}

static void eval_from(struct eval *E, const struct jpath *p, size_t i, const struct node *n,
                      const struct node *parent, struct path *where)
{
    if (!n || !spend(E))
        return;
    if (i == p->nsegs) {
        if (E->only && n == E->only->list) {
            *E->only->whole_list = true;
            return;
        }
        struct jpath_match m = {n, parent, where};
        E->visit(E->ctx, &m);
        return;
    }
    if (p->segs[i].descendant)
        descend(E, p, i, n, where);
    else
        apply_segment(E, p, i, n, where);
}

void jpath_eval(const struct jpath *p, const struct node *root, struct path *where,
                jpath_visit_fn visit, void *ctx, bool *exhausted)
{
    *exhausted = false;
    struct eval E = {root, visit, ctx, 0, exhausted, NULL};
    eval_from(&E, p, 0, root, NULL, where);
}

void jpath_eval_entry(const struct jpath *p, const struct node *key, const struct node *value,
                      bool item, size_t index, struct path *where, jpath_visit_fn visit, void *ctx,
                      bool *exhausted, bool *whole_list)
{
    *exhausted = false;
    struct node list = {.kind = NODE_SEQUENCE, .style = STYLE_BLOCK};
    struct node_pair pair = {(struct node *)key, item ? &list : (struct node *)value};
    struct node root = {.kind = NODE_MAPPING, .style = STYLE_BLOCK, .count = 1};
    root.u.pairs = &pair;
    struct one_item only = {&list, value, index, whole_list};
    struct eval E = {&root, visit, ctx, 0, exhausted, item ? &only : NULL};
    eval_from(&E, p, 0, &root, NULL, where);
}
