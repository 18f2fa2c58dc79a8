#include "schema_expr.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util_buf.h"
#include "util/util_str.h"

/*
 * The parse follows the atc-router's pest grammar (src/atc_grammar.pest) rule by rule, and
 * records failures the way pest does: a failed rule counts at the position where it started,
 * the farthest such position wins, and among the rules that failed there, one whose children
 * made a single attempt gives way to that child. So the position of a syntax error is the one
 * Kong reports ("--> 1:11"), and the rules named are the ones it names ("expected term").
 *
 * Literals, fields and types are checked as each predicate is parsed. The atc-router only does
 * so once the whole parse succeeded (literals while it builds the tree, types when it
 * validates it), in the order of the text; since a parse that backs out of a predicate never
 * succeeds in this grammar, keeping the first problem of each kind and reporting the kinds in
 * that order gives the same answer without building a tree.
 */

#define KONG_SAYS "Router Expression failed validation: "

/* pest's rules, in the grammar's order, which is the order pest lists expected rules in. */
enum prule {
    P_EOI,
    P_IDENT,
    P_RHS,
    P_TRANSFORM,
    P_LHS,
    P_INT,
    P_HEX,
    P_OCT,
    P_DEC,
    P_STR,
    P_STR_CHAR,
    P_STR_ESC,
    P_RAW,
    P_RAW_CHAR,
    P_IPV4,
    P_IPV6,
    P_IPV4_CIDR,
    P_IPV6_CIDR,
    P_IP,
    P_OP,
    P_AND,
    P_OR,
    P_NOT,
    P_PREDICATE,
    P_PAREN,
    P_TERM,
    P_EXPRESSION,
    P_MATCHER,
    P_COUNT
};

static const char *const prule_names[P_COUNT] = {"EOI",
                                                 "ident",
                                                 "rhs",
                                                 "transform_func",
                                                 "lhs",
                                                 "int_literal",
                                                 "hex_digits",
                                                 "oct_digits",
                                                 "dec_digits",
                                                 "str_literal",
                                                 "str_char",
                                                 "str_esc",
                                                 "rawstr_literal",
                                                 "rawstr_char",
                                                 "ipv4_literal",
                                                 "ipv6_literal",
                                                 "ipv4_cidr_literal",
                                                 "ipv6_cidr_literal",
                                                 "ip_literal",
                                                 "binary_operator",
                                                 "and_op",
                                                 "or_op",
                                                 "not_op",
                                                 "predicate",
                                                 "parenthesised_expression",
                                                 "term",
                                                 "expression",
                                                 "matcher"};

/* What each rule stands for, said for people. */
static const char *const prule_phrases[P_COUNT] = {
    "the end of the expression",
    "a field name",
    "a value (a string, an integer, an IP address or a CIDR range)",
    "a function",
    "a field",
    "an integer",
    "a hexadecimal digit",
    "a digit",
    "a digit",
    "a string",
    "a character of the string",
    "an escape sequence",
    "a raw string",
    "a character of the raw string",
    "an IP address",
    "an IP address",
    "a CIDR range",
    "a CIDR range",
    "an IP address or a CIDR range",
    "an operator",
    "'&&'",
    "'||'",
    "'!'",
    "a predicate (field, operator, value)",
    "'('",
    "a predicate or '('",
    "an expression",
    "an expression"};

enum op {
    OP_EQ,
    OP_NE,
    OP_REGEX,
    OP_PREFIX,
    OP_POSTFIX,
    OP_GE,
    OP_GT,
    OP_LE,
    OP_LT,
    OP_IN,
    OP_NOT_IN,
    OP_CONTAINS,
    OP_COUNT
};

/* In the grammar's order of choice: "==" before "=^", ">=" before ">". */
static const char *const op_texts[OP_COUNT] = {
    "==", "!=", "~", "^=", "=^", ">=", ">", "<=", "<", "in", "not in", "contains"};

enum rhs_kind { RHS_STR, RHS_RAW, RHS_INT, RHS_IPV4, RHS_IPV6, RHS_IPV4_CIDR, RHS_IPV6_CIDR };

/* The left-hand side: a field, inside transformation functions. */
struct lhs {
    size_t field_at, field_len;
    size_t functions; /* how many wrap the field */
    size_t lower_at;  /* the innermost lower(), when there is one */
    bool lower;
    size_t bad_fn_at, bad_fn_len; /* the innermost unknown function (len 0: none) */
};

struct rhs {
    enum rhs_kind kind;
    size_t at, end;
    size_t digits_at, digits_len; /* an integer's digits, without sign or 0x */
    int radix;
};

/* The first problem of one kind, with its rule and offset. */
struct problem {
    bool set;
    enum rule_id rule;
    size_t at;
    char message[512];
};

/* The names the data gives the features (product.yaml `expressions.features`). */
static const char *const feature_names[EXPR_FEATURE_COUNT] = {[EXPR_RAW_STRINGS] = "raw_strings",
                                                              [EXPR_CONTAINS] = "contains",
                                                              [EXPR_NOT] = "not",
                                                              [EXPR_IP_ADDRESSES] = "ip_addresses",
                                                              [EXPR_PATH_SEGMENTS] =
                                                                  "path_segments"};

struct xp {
    const struct spec_expr_lang *lang;
    const char *s;
    size_t n, pos;
    int subsystem;        /* the route's, or -1: every field counts */
    const char *protocol; /* the route's first protocol, for messages */
    /* pest's record of the farthest failure */
    size_t attempt_pos;
    enum prule attempts[48];
    size_t nattempts;
    /* nesting, bounded */
    unsigned depth;
    bool too_deep;
    size_t deep_at;
    /* the first problem of each kind, reported in this order of precedence */
    struct problem build, semantic, kong, note;
};

static bool has(const struct xp *p, enum expr_feature f)
{
    return p->lang->features[f];
}

static void note_problem(struct problem *pb, enum rule_id rule, size_t at, const char *fmt, ...)
    GH_PRINTF(4, 5);

static void note_problem(struct problem *pb, enum rule_id rule, size_t at, const char *fmt, ...)
{
    if (pb->set)
        return;
    pb->set = true;
    pb->rule = rule;
    pb->at = at;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pb->message, sizeof(pb->message), fmt, ap);
    va_end(ap);
}

/* ---- pest's bookkeeping ------------------------------------------------------------------ */

struct entry {
    size_t pos, keep, before;
};

static void enter(const struct xp *p, struct entry *e)
{
    e->pos = p->pos;
    e->keep = e->before = p->attempt_pos == p->pos ? p->nattempts : 0;
}

/* pest's ParserState::track for a rule that failed. */
static void track(struct xp *p, const struct entry *e, enum prule r)
{
    size_t now = p->attempt_pos == e->pos ? p->nattempts : 0;
    if (now > e->before && now - e->before == 1)
        return; /* its one child says it better */
    if (e->pos == p->attempt_pos)
        p->nattempts = e->keep;
    if (e->pos > p->attempt_pos) {
        p->nattempts = 0;
        p->attempt_pos = e->pos;
    }
    if (e->pos == p->attempt_pos && p->nattempts < sizeof(p->attempts) / sizeof(p->attempts[0]))
        p->attempts[p->nattempts++] = r;
}

static bool leave(struct xp *p, const struct entry *e, enum prule r, bool ok)
{
    if (ok)
        return true;
    p->pos = e->pos;
    if (!p->too_deep)
        track(p, e, r);
    return false;
}

/* ---- characters -------------------------------------------------------------------------- */

static bool at_end(const struct xp *p)
{
    return p->pos >= p->n;
}

static unsigned char cur(const struct xp *p)
{
    return at_end(p) ? 0 : (unsigned char)p->s[p->pos];
}

static bool lit(struct xp *p, const char *text)
{
    size_t l = strlen(text);
    if (p->n - p->pos < l || memcmp(p->s + p->pos, text, l) != 0)
        return false;
    p->pos += l;
    return true;
}

static bool starts(const struct xp *p, size_t at, const char *text)
{
    size_t l = strlen(text);
    return at <= p->n && p->n - at >= l && memcmp(p->s + at, text, l) == 0;
}

/* pest's ANY: one character (an invalid byte counts as one). */
static void any_char(struct xp *p)
{
    unsigned char c = cur(p);
    size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
    size_t k = 1;
    while (k < len && p->pos + k < p->n && ((unsigned char)p->s[p->pos + k] & 0xC0) == 0x80)
        k++;
    p->pos += k;
}

/* The grammar's WHITESPACE, skipped between the parts of every rule that is not atomic. */
static void skip(struct xp *p)
{
    while (!at_end(p) && cur(p) && strchr(" \t\r\n", cur(p)))
        p->pos++;
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static bool is_hex(unsigned char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Up to max characters of a class from at; how many. */
static size_t run(const struct xp *p, size_t at, size_t max, bool (*ok)(unsigned char))
{
    size_t k = 0;
    while (k < max && at + k < p->n && ok((unsigned char)p->s[at + k]))
        k++;
    return k;
}

/* ---- atomic rules: matched whole, nothing inside them is tracked ------------------------- */

/* ident = @{ ASCII_ALPHA ~ (ASCII_ALPHANUMERIC | "_" | ".")* } */
static size_t match_ident(const struct xp *p, size_t at)
{
    if (at >= p->n || !is_alpha((unsigned char)p->s[at]))
        return 0;
    size_t end = at + 1;
    while (end < p->n) {
        unsigned char c = (unsigned char)p->s[end];
        if (!is_alpha(c) && !is_digit(c) && c != '_' && c != '.')
            break;
        end++;
    }
    return end - at;
}

/* ipv4_literal = @{ ASCII_DIGIT{1,3} ~ ( "." ~ ASCII_DIGIT{1,3} ){3} } */
static size_t match_ipv4(const struct xp *p, size_t at)
{
    size_t i = at;
    for (int part = 0; part < 4; part++) {
        if (part > 0) {
            if (i >= p->n || p->s[i] != '.')
                return 0;
            i++;
        }
        size_t d = run(p, i, 3, is_digit);
        if (d == 0)
            return 0;
        i += d;
    }
    return i - at;
}

/* ipv6_literal = @{ ( ":" | ASCII_HEX_DIGIT{1,4} ) ~ ":" ~ ( ASCII_HEX_DIGIT{1,4} | ":" )* } */
static size_t match_ipv6(const struct xp *p, size_t at)
{
    size_t i = at;
    if (i < p->n && p->s[i] == ':')
        i++;
    else {
        size_t h = run(p, i, 4, is_hex);
        if (h == 0)
            return 0;
        i += h;
    }
    if (i >= p->n || p->s[i] != ':')
        return 0;
    i++;
    for (;;) {
        size_t h = run(p, i, 4, is_hex);
        if (h > 0)
            i += h;
        else if (i < p->n && p->s[i] == ':')
            i++;
        else
            break;
    }
    return i - at;
}

/* ipv4_cidr_literal and ipv6_cidr_literal: the address, "/" and up to 2 or 3 digits. */
static size_t match_cidr(const struct xp *p, size_t at, bool v6)
{
    size_t a = v6 ? match_ipv6(p, at) : match_ipv4(p, at);
    if (a == 0 || at + a >= p->n || p->s[at + a] != '/')
        return 0;
    size_t d = run(p, at + a + 1, v6 ? 3 : 2, is_digit);
    return d ? a + 1 + d : 0;
}

static bool atomic_rule(struct xp *p, enum prule r, size_t len)
{
    struct entry e;
    enter(p, &e);
    p->pos += len;
    return leave(p, &e, r, len > 0);
}

static bool r_ident(struct xp *p, size_t *at, size_t *len)
{
    *at = p->pos;
    *len = match_ident(p, p->pos);
    return atomic_rule(p, P_IDENT, *len);
}

/* ---- literals ---------------------------------------------------------------------------- */

/* str_esc = { "\\" ~ ("\"" | "\\" | "n" | "r" | "t") } */
static bool r_str_esc(struct xp *p)
{
    struct entry e;
    enter(p, &e);
    bool ok = lit(p, "\\") && !at_end(p) && cur(p) && strchr("\"\\nrt", cur(p));
    if (ok)
        p->pos++;
    return leave(p, &e, P_STR_ESC, ok);
}

/* str_char = { !("\"" | "\\") ~ ANY } */
static bool r_str_char(struct xp *p)
{
    struct entry e;
    enter(p, &e);
    bool ok = !at_end(p) && cur(p) != '"' && cur(p) != '\\';
    if (ok)
        any_char(p);
    return leave(p, &e, P_STR_CHAR, ok);
}

/* str_literal = ${ "\"" ~ (str_esc | str_char)* ~ "\"" } */
static bool r_str(struct xp *p)
{
    struct entry e;
    enter(p, &e);
    bool ok = lit(p, "\"");
    while (ok && (r_str_esc(p) || r_str_char(p)))
        ;
    ok = ok && lit(p, "\"");
    return leave(p, &e, P_STR, ok);
}

/* rawstr_char = { !"\"#" ~ ANY } */
static bool r_raw_char(struct xp *p)
{
    struct entry e;
    enter(p, &e);
    bool ok = !at_end(p) && !starts(p, p->pos, "\"#");
    if (ok)
        any_char(p);
    return leave(p, &e, P_RAW_CHAR, ok);
}

/* rawstr_literal = ${ "r#\"" ~ rawstr_char* ~ "\"#" } */
static bool r_raw(struct xp *p)
{
    struct entry e;
    enter(p, &e);
    bool ok = lit(p, "r#\"");
    while (ok && r_raw_char(p))
        ;
    ok = ok && lit(p, "\"#");
    return leave(p, &e, P_RAW, ok);
}

static bool r_digits(struct xp *p, enum prule r, bool (*ok)(unsigned char), struct rhs *v)
{
    struct entry e;
    enter(p, &e);
    size_t start = p->pos;
    if (r == P_OCT) {
        bool zero = lit(p, "0");
        size_t d = zero ? run(p, p->pos, SIZE_MAX, ok) : 0;
        p->pos += d;
        if (d == 0)
            return leave(p, &e, r, false);
    } else {
        size_t d = run(p, p->pos, SIZE_MAX, ok);
        p->pos += d;
        if (d == 0)
            return leave(p, &e, r, false);
    }
    v->digits_at = start;
    v->digits_len = p->pos - start;
    return true;
}

static bool is_oct(unsigned char c)
{
    return c >= '0' && c <= '7';
}

/* int_literal = ${ "-"? ~ (oct_digits | ("0x" ~ hex_digits) | dec_digits) } */
static bool r_int(struct xp *p, struct rhs *v)
{
    struct entry e;
    enter(p, &e);
    lit(p, "-");
    bool ok = false;
    if (r_digits(p, P_OCT, is_oct, v)) {
        ok = true;
        v->radix = 8;
    } else {
        size_t save = p->pos;
        if (lit(p, "0x") && r_digits(p, P_HEX, is_hex, v)) {
            ok = true;
            v->radix = 16;
        } else {
            p->pos = save;
            ok = r_digits(p, P_DEC, is_digit, v);
            v->radix = 10;
        }
    }
    return leave(p, &e, P_INT, ok);
}

/* The IP literals, in the grammar's order: ranges before addresses, IPv4 before IPv6. */
static bool r_ip(struct xp *p, struct rhs *v)
{
    static const struct {
        enum prule rule;
        enum rhs_kind kind;
    } forms[] = {{P_IPV4_CIDR, RHS_IPV4_CIDR},
                 {P_IPV6_CIDR, RHS_IPV6_CIDR},
                 {P_IPV4, RHS_IPV4},
                 {P_IPV6, RHS_IPV6}};
    for (size_t i = 0; i < 4; i++) {
        enum prule r = forms[i].rule;
        size_t len = r == P_IPV4_CIDR   ? match_cidr(p, p->pos, false)
                     : r == P_IPV6_CIDR ? match_cidr(p, p->pos, true)
                     : r == P_IPV4      ? match_ipv4(p, p->pos)
                                        : match_ipv6(p, p->pos);
        if (atomic_rule(p, r, len)) {
            v->kind = forms[i].kind;
            return true;
        }
    }
    return false;
}

/* Before the router's 1.2 release (Kong 3.4) ip_literal was a rule of its own, so pest names it. */
static bool r_ip_literal(struct xp *p, struct rhs *v)
{
    if (has(p, EXPR_IP_ADDRESSES))
        return r_ip(p, v);
    struct entry e;
    enter(p, &e);
    return leave(p, &e, P_IP, r_ip(p, v));
}

/* rhs = { str_literal | rawstr_literal | ip_literal | int_literal } */
static bool r_rhs(struct xp *p, struct rhs *v)
{
    struct entry e;
    enter(p, &e);
    v->at = p->pos;
    bool ok = true;
    if (r_str(p))
        v->kind = RHS_STR;
    else if (has(p, EXPR_RAW_STRINGS) && r_raw(p))
        v->kind = RHS_RAW;
    else if (r_ip_literal(p, v))
        ;
    else if (r_int(p, v))
        v->kind = RHS_INT;
    else
        ok = false;
    v->end = p->pos;
    return leave(p, &e, P_RHS, ok);
}

/* ---- operators --------------------------------------------------------------------------- */

static bool r_op(struct xp *p, enum op *op)
{
    struct entry e;
    enter(p, &e);
    for (int i = 0; i < OP_COUNT; i++) {
        if (i == OP_CONTAINS && !has(p, EXPR_CONTAINS))
            continue;
        if (i == OP_NOT_IN) {
            size_t save = p->pos;
            if (lit(p, "not")) {
                skip(p);
                if (lit(p, "in")) {
                    *op = OP_NOT_IN;
                    return true;
                }
            }
            p->pos = save;
            continue;
        }
        if (lit(p, op_texts[i])) {
            *op = (enum op)i;
            return true;
        }
    }
    return leave(p, &e, P_OP, false);
}

static bool simple_rule(struct xp *p, enum prule r, const char *text)
{
    struct entry e;
    enter(p, &e);
    return leave(p, &e, r, lit(p, text));
}

/* ---- the checks on a parsed predicate ---------------------------------------------------- */

static void check_predicate(struct xp *p, const struct lhs *l, enum op op, size_t op_at,
                            const struct rhs *v);

/* ---- recursive rules --------------------------------------------------------------------- */

/* One level deeper, for the construct that starts at `at`; the caller steps back up whatever
 * this returns. */
static bool deeper(struct xp *p, size_t at)
{
    if (++p->depth > EXPR_MAX_DEPTH && !p->too_deep) {
        p->too_deep = true;
        p->deep_at = at;
    }
    return !p->too_deep;
}

static bool r_lhs(struct xp *p, struct lhs *l);

static bool function_known(const struct xp *p, size_t at, size_t len)
{
    for (size_t i = 0; i < p->lang->nfunctions; i++)
        if (strlen(p->lang->functions[i]) == len && !memcmp(p->lang->functions[i], p->s + at, len))
            return true;
    return false;
}

/* transform_func = { ident ~ "(" ~ lhs ~ ")" } */
static bool r_transform(struct xp *p, struct lhs *l)
{
    struct entry e;
    enter(p, &e);
    size_t at, len;
    bool ok = r_ident(p, &at, &len);
    if (ok) {
        skip(p);
        ok = lit(p, "(");
    }
    if (ok) {
        skip(p);
        ok = deeper(p, e.pos) && r_lhs(p, l);
        p->depth--;
    }
    if (ok) {
        skip(p);
        ok = lit(p, ")");
    }
    if (ok) {
        l->functions++;
        if (len == 5 && !memcmp(p->s + at, "lower", 5) && !l->lower) {
            l->lower = true;
            l->lower_at = at;
        }
        if (!function_known(p, at, len) && l->bad_fn_len == 0) {
            l->bad_fn_at = at;
            l->bad_fn_len = len;
        }
    }
    return leave(p, &e, P_TRANSFORM, ok);
}

/* lhs = { transform_func | ident } */
static bool r_lhs(struct xp *p, struct lhs *l)
{
    struct entry e;
    enter(p, &e);
    memset(l, 0, sizeof(*l));
    if (r_transform(p, l))
        return true;
    memset(l, 0, sizeof(*l));
    bool ok = r_ident(p, &l->field_at, &l->field_len);
    return leave(p, &e, P_LHS, ok);
}

/* predicate = { lhs ~ binary_operator ~ rhs } */
static bool r_predicate(struct xp *p)
{
    struct entry e;
    enter(p, &e);
    struct lhs l;
    struct rhs v;
    enum op op = OP_EQ;
    size_t op_at = 0;
    bool ok = r_lhs(p, &l);
    if (ok) {
        skip(p);
        op_at = p->pos;
        ok = r_op(p, &op);
    }
    if (ok) {
        skip(p);
        ok = r_rhs(p, &v);
    }
    if (ok)
        check_predicate(p, &l, op, op_at, &v);
    return leave(p, &e, P_PREDICATE, ok);
}

static bool r_expression(struct xp *p);

/* parenthesised_expression = { not_op? ~ "(" ~ expression ~ ")" } (no not_op before 3.6) */
static bool r_paren(struct xp *p)
{
    struct entry e;
    enter(p, &e);
    if (has(p, EXPR_NOT)) {
        simple_rule(p, P_NOT, "!");
        skip(p);
    }
    bool ok = lit(p, "(");
    if (ok) {
        skip(p);
        ok = deeper(p, e.pos) && r_expression(p);
        p->depth--;
    }
    if (ok) {
        skip(p);
        ok = lit(p, ")");
    }
    return leave(p, &e, P_PAREN, ok);
}

/* term = { predicate | parenthesised_expression } */
static bool r_term(struct xp *p)
{
    struct entry e;
    enter(p, &e);
    if (p->too_deep)
        return false;
    return leave(p, &e, P_TERM, r_predicate(p) || r_paren(p));
}

/* logical_operator ~ term, after a skip when it is not the first */
static bool next_term(struct xp *p, bool first)
{
    size_t save = p->pos;
    if (!first)
        skip(p);
    bool ok = simple_rule(p, P_AND, "&&") || simple_rule(p, P_OR, "||");
    if (ok) {
        skip(p);
        ok = r_term(p);
    }
    if (!ok)
        p->pos = save;
    return ok;
}

/* expression = { term ~ ( logical_operator ~ term )* } */
static bool r_expression(struct xp *p)
{
    struct entry e;
    enter(p, &e);
    bool ok = r_term(p);
    if (ok) {
        skip(p);
        for (bool first = true; next_term(p, first); first = false)
            ;
    }
    return leave(p, &e, P_EXPRESSION, ok);
}

static bool r_eoi(struct xp *p)
{
    struct entry e;
    enter(p, &e);
    return leave(p, &e, P_EOI, at_end(p));
}

/* matcher = { SOI ~ expression ~ EOI } */
static bool r_matcher(struct xp *p)
{
    struct entry e;
    enter(p, &e);
    skip(p);
    bool ok = r_expression(p);
    if (ok) {
        skip(p);
        ok = r_eoi(p);
    }
    return leave(p, &e, P_MATCHER, ok);
}

/* ---- literals as Rust reads them --------------------------------------------------------- */

static const char *value_phrase(enum rhs_kind k)
{
    static const char *const phrases[] = {"a string",      "a string",      "an integer",
                                          "an IP address", "an IP address", "a CIDR range",
                                          "a CIDR range"};
    return phrases[k];
}

static const char *field_phrase(enum expr_type t)
{
    static const char *const phrases[] = {"a string field", "an integer field",
                                          "an IP address field", "a CIDR range"};
    return phrases[t];
}

/* The type a value has for the router of this release. */
static enum expr_type value_type(const struct xp *p, enum rhs_kind k)
{
    switch (k) {
    case RHS_STR:
    case RHS_RAW:
        return EXPR_STRING;
    case RHS_INT:
        return EXPR_INT;
    case RHS_IPV4:
    case RHS_IPV6:
        /* Before the router's 1.2 release an address literal is a /32 or /128 range. */
        return has(p, EXPR_IP_ADDRESSES) ? EXPR_IPADDR : EXPR_IPCIDR;
    default:
        return EXPR_IPCIDR;
    }
}

/*
 * An IPv4 address: four decimal parts up to 255. Rust's own parser (strict) refuses leading
 * zeros; the cidr crate's fallback, used for ranges, reads each part as a number ("010" is 10).
 */
static bool parse_ipv4(const char *s, size_t n, bool strict, unsigned char out[4], bool *zeros)
{
    size_t i = 0;
    *zeros = false;
    for (int part = 0; part < 4; part++) {
        if (part > 0 && (i >= n || s[i++] != '.'))
            return false;
        size_t start = i;
        unsigned v = 0;
        while (i < n && is_digit((unsigned char)s[i]) && i - start < 4)
            v = v * 10 + (unsigned)(s[i++] - '0');
        if (i == start || v > 255)
            return false;
        if (i - start > 1 && s[start] == '0') {
            *zeros = true;
            if (strict)
                return false;
        }
        out[part] = (unsigned char)v;
    }
    return i == n;
}

/* Groups of one to four hex digits separated by ':', as many as fit in limit. */
static size_t ipv6_groups(const char *s, size_t n, size_t *i, unsigned *groups, size_t limit)
{
    size_t count = 0;
    for (; count < limit; count++) {
        size_t j = *i;
        if (count > 0) {
            if (j >= n || s[j] != ':')
                break;
            j++;
        }
        size_t d = 0;
        unsigned v = 0;
        while (j + d < n && is_hex((unsigned char)s[j + d]) && d < 5) {
            unsigned char c = (unsigned char)s[j + d];
            v = v * 16 + (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
            d++;
        }
        if (d == 0 || d > 4)
            break;
        groups[count] = v;
        *i = j + d;
    }
    return count;
}

/* Rust's Ipv6Addr parser: eight groups, or fewer around one "::" that stands for at least one. */
static bool parse_ipv6(const char *s, size_t n, unsigned char out[16])
{
    unsigned head[8], tail[8];
    size_t i = 0;
    size_t nhead = ipv6_groups(s, n, &i, head, 8), ntail = 0;
    if (nhead < 8) {
        if (n - i < 2 || s[i] != ':' || s[i + 1] != ':')
            return false;
        i += 2;
        ntail = ipv6_groups(s, n, &i, tail, 8 - (nhead + 1));
    }
    if (i != n)
        return false;
    memset(out, 0, 16);
    for (size_t g = 0; g < nhead; g++) {
        out[2 * g] = (unsigned char)(head[g] >> 8);
        out[2 * g + 1] = (unsigned char)head[g];
    }
    for (size_t g = 0; g < ntail; g++) {
        size_t at = 16 - 2 * (ntail - g);
        out[at] = (unsigned char)(tail[g] >> 8);
        out[at + 1] = (unsigned char)tail[g];
    }
    return true;
}

/* Clears the bits after the prefix; true when some were set. */
static bool clear_host_bits(unsigned char *addr, size_t bytes, unsigned prefix)
{
    bool set = false;
    for (size_t b = 0; b < bytes; b++) {
        unsigned keep = prefix >= (b + 1) * 8 ? 8 : prefix > b * 8 ? prefix - (unsigned)b * 8 : 0;
        unsigned char mask = (unsigned char)(keep ? 0xFF << (8 - keep) : 0);
        set |= (addr[b] & ~mask) != 0;
        addr[b] &= mask;
    }
    return set;
}

static void format_ipv6(const unsigned char a[16], char *out, size_t size)
{
    /* The longest run of zero groups becomes "::", as Rust and inet_ntop write it. */
    int best = -1, best_len = 0;
    for (int g = 0; g < 8;) {
        int len = 0;
        while (g + len < 8 && a[2 * (g + len)] == 0 && a[2 * (g + len) + 1] == 0)
            len++;
        if (len > best_len && len > 1) {
            best = g;
            best_len = len;
        }
        g += len ? len : 1;
    }
    size_t used = 0;
    out[0] = '\0';
    for (int g = 0; g < 8 && used < size; g++) {
        if (g == best) {
            used += (size_t)snprintf(out + used, size - used, "::");
            g += best_len - 1;
            continue;
        }
        const char *sep = g > 0 && g != best + best_len ? ":" : "";
        used +=
            (size_t)snprintf(out + used, size - used, "%s%x", sep, a[2 * g] << 8 | a[2 * g + 1]);
    }
}

/* A literal as written, cut for a message. */
static int shown_len(const struct xp *p, size_t at, size_t end)
{
    (void)p;
    return (int)(end - at > 60 ? 60 : end - at);
}

static void check_ip(struct xp *p, const struct rhs *v)
{
    const char *t = p->s + v->at;
    size_t n = v->end - v->at;
    bool zeros;
    unsigned char addr[16];
    bool ranges = !has(p, EXPR_IP_ADDRESSES); /* before 1.2 an address is read as a range */
    if (v->kind == RHS_IPV4 && !parse_ipv4(t, n, !ranges, addr, &zeros)) {
        if (zeros && !ranges)
            note_problem(&p->build, R_HOP3008, v->at,
                         "IP address '%.*s' has a part with a leading zero, which the router "
                         "refuses (" KONG_SAYS "invalid IPv4 address syntax)",
                         (int)n, t);
        else
            note_problem(&p->build, R_HOP3008, v->at,
                         "'%.*s' is not an IPv4 address (" KONG_SAYS "%sinvalid IPv4 address "
                         "syntax)",
                         (int)n, t, ranges ? "couldn't parse address in network: " : "");
        return;
    }
    if (v->kind == RHS_IPV6 && !parse_ipv6(t, n, addr)) {
        note_problem(&p->build, R_HOP3008, v->at,
                     "'%.*s' is not an IPv6 address (" KONG_SAYS "%sinvalid IPv6 address syntax)",
                     shown_len(p, v->at, v->end), t,
                     ranges ? "couldn't parse address in network: " : "");
        return;
    }
    if (v->kind != RHS_IPV4_CIDR && v->kind != RHS_IPV6_CIDR)
        return;
    bool v6 = v->kind == RHS_IPV6_CIDR;
    const char *slash = memchr(t, '/', n);
    size_t alen = (size_t)(slash - t);
    bool parsed = v6 ? parse_ipv6(t, alen, addr) : parse_ipv4(t, alen, false, addr, &zeros);
    if (!parsed) {
        note_problem(&p->build, R_HOP3008, v->at,
                     "'%.*s' is not a CIDR range: '%.*s' is not an IPv%d address (" KONG_SAYS
                     "couldn't parse address in network: invalid IPv%d address syntax)",
                     shown_len(p, v->at, v->end), t, (int)alen, t, v6 ? 6 : 4, v6 ? 6 : 4);
        return;
    }
    unsigned prefix = 0, max = v6 ? 128 : 32; /* the grammar gave it one to three digits */
    for (const char *d = slash + 1; d < t + n; d++)
        prefix = prefix * 10 + (unsigned)(*d - '0');
    if (prefix > 255) {
        note_problem(&p->build, R_HOP3008, v->at,
                     "'%.*s': the prefix length is not a number from 0 to %u (" KONG_SAYS
                     "couldn't parse length in network: number too large to fit in target "
                     "type)",
                     shown_len(p, v->at, v->end), t, max);
        return;
    }
    if (prefix > max) {
        note_problem(&p->build, R_HOP3008, v->at,
                     "'%.*s': the prefix length %u is longer than %u (" KONG_SAYS
                     "invalid length for network: Network length %u is too long for Ipv%d "
                     "(maximum: %u))",
                     shown_len(p, v->at, v->end), t, prefix, max, prefix, v6 ? 6 : 4, max);
        return;
    }
    if (clear_host_bits(addr, v6 ? 16 : 4, prefix)) {
        char net[64];
        if (v6)
            format_ipv6(addr, net, sizeof(net));
        else
            snprintf(net, sizeof(net), "%u.%u.%u.%u", addr[0], addr[1], addr[2], addr[3]);
        note_problem(&p->build, R_HOP3008, v->at,
                     "'%.*s' sets bits after the prefix; the range is %s/%u (" KONG_SAYS
                     "host part of address was not zero)",
                     shown_len(p, v->at, v->end), t, net, prefix);
    }
}

/* i64::from_str_radix on the digits (the sign is applied afterwards). */
static void check_int(struct xp *p, const struct rhs *v)
{
    uint64_t value = 0, limit = INT64_MAX;
    for (size_t i = 0; i < v->digits_len; i++) {
        unsigned char c = (unsigned char)p->s[v->digits_at + i];
        unsigned d = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
        if (value > (limit - d) / (uint64_t)v->radix) {
            note_problem(&p->build, R_HOP3008, v->digits_at,
                         "integer '%.*s' is too large: the router takes 64-bit integers (" KONG_SAYS
                         "number too large to fit in target type)",
                         shown_len(p, v->at, v->end), p->s + v->at);
            return;
        }
        value = value * (uint64_t)v->radix + d;
    }
}

/* The text a string literal stands for. */
static void literal_text(const struct xp *p, const struct rhs *v, struct buf *b)
{
    if (v->kind == RHS_RAW) {
        buf_append(b, p->s + v->at + 3, v->end - v->at - 5);
        return;
    }
    static const char from[] = "\"\\nrt", to[] = "\"\\\n\r\t";
    for (size_t i = v->at + 1; i + 1 < v->end; i++) {
        char c = p->s[i];
        if (c == '\\' && i + 2 < v->end) {
            c = to[strchr(from, p->s[++i]) - from];
        }
        buf_putc(b, c);
    }
}

/* Where the character at offset k of a string literal's text is written. */
static size_t literal_source(const struct xp *p, const struct rhs *v, size_t k)
{
    if (v->kind == RHS_RAW)
        return v->at + 3 + k;
    size_t i = v->at + 1;
    for (size_t seen = 0; seen < k && i + 1 < v->end; seen++)
        i += p->s[i] == '\\' ? 2 : 1;
    return i;
}

static void check_regex(struct xp *p, const struct rhs *v)
{
    if (v->kind != RHS_STR && v->kind != RHS_RAW) {
        note_problem(&p->build, R_HOP3008, v->at,
                     "the regex operator '~' takes a string; write the regex in quotes (" KONG_SAYS
                     "regex operator can only be used with String operands)");
        return;
    }
    struct buf b;
    buf_init(&b, v->end - v->at + 1);
    literal_text(p, v, &b);
    struct rust_regex_error e;
    const char *re = b.data ? b.data : "";
    if (!rust_regex_check(re, b.len, p->lang->regex, &e)) {
        size_t at = literal_source(p, v, e.offset);
        int shown = b.len > 60 ? 60 : (int)b.len;
        const char *more = b.len > 60 ? "..." : "";
        if (e.construct && e.later)
            note_problem(&p->build, R_HOP3007, at,
                         "the regex '%.*s%s' uses %s, which the router of %s %s does not "
                         "accept%s%s (" KONG_SAYS "regex parse error: %s)",
                         shown, re, more, e.construct, p->lang->product, p->lang->version_text,
                         e.hint ? "; " : "", e.hint ? e.hint : "", e.message);
        else if (e.construct)
            note_problem(&p->build, R_HOP3007, at,
                         "the regex '%.*s%s' uses %s, which the router cannot run (its regex "
                         "engine, Rust's regex crate, has no backtracking features)%s%s (" KONG_SAYS
                         "regex parse error: %s)",
                         shown, re, more, e.construct, e.hint ? "; " : "", e.hint ? e.hint : "",
                         e.message);
        else
            note_problem(&p->build, R_HOP3003, at,
                         "invalid regex '%.*s%s': %s%s%s (" KONG_SAYS "regex parse error: %s)",
                         shown, re, more, e.message, e.hint ? "; " : "", e.hint ? e.hint : "",
                         e.message);
    }
    buf_release(&b);
}

/* The literals, as the atc-router reads them while it builds the tree. */
static void check_literals(struct xp *p, const struct lhs *l, enum op op, const struct rhs *v)
{
    if (p->build.set)
        return;
    if (l->bad_fn_len) {
        char known[128] = "";
        for (size_t i = 0, used = 0; i < p->lang->nfunctions && used < sizeof(known); i++)
            used += (size_t)snprintf(known + used, sizeof(known) - used, "%s%s()",
                                     i == 0                         ? ""
                                     : i + 1 == p->lang->nfunctions ? " and "
                                                                    : ", ",
                                     p->lang->functions[i]);
        note_problem(&p->build, R_HOP3008, l->bad_fn_at,
                     "unknown function '%.*s()': the router has %s (" KONG_SAYS
                     "unknown transformation function: %.*s)",
                     (int)l->bad_fn_len, p->s + l->bad_fn_at, known, (int)l->bad_fn_len,
                     p->s + l->bad_fn_at);
        return;
    }
    if (v->kind == RHS_INT)
        check_int(p, v);
    else if (v->kind != RHS_STR && v->kind != RHS_RAW)
        check_ip(p, v);
    if (!p->build.set && op == OP_REGEX)
        check_regex(p, v);
}

/* ---- fields ------------------------------------------------------------------------------ */

/* The schema's lookup: the name itself, else its family ("http.headers.x" in "http.headers.*"). */
static const struct spec_expr_field *find_field(const struct spec_expr_lang *lang, const char *name,
                                                size_t len)
{
    for (size_t i = 0; i < lang->nfields; i++)
        if (strlen(lang->fields[i].name) == len && !memcmp(lang->fields[i].name, name, len))
            return &lang->fields[i];
    const char *dot = NULL;
    for (size_t i = len; i-- > 0;)
        if (name[i] == '.') {
            dot = name + i;
            break;
        }
    if (!dot)
        return NULL;
    size_t prefix = (size_t)(dot - name);
    for (size_t i = 0; i < lang->nfields; i++) {
        const char *f = lang->fields[i].name;
        if (strlen(f) == prefix + 2 && !memcmp(f, name, prefix) && !strcmp(f + prefix, ".*"))
            return &lang->fields[i];
    }
    return NULL;
}

static bool for_route(const struct xp *p, const struct spec_expr_field *f)
{
    return p->subsystem < 0 || f->subsystems == 0 || (f->subsystems & (1u << p->subsystem));
}

/* Kong rewrites "net.port" followed by blanks and one of "=><!" (kong/router/transform.lua). */
static bool alias_applies(const struct lhs *l, enum op op)
{
    return l->functions == 0 && strchr("=><!", op_texts[op][0]);
}

/* Every release's definition of a field (or of its family), or NULL. */
static const struct node *field_definition(const struct spec_expr_lang *lang, const char *name,
                                           size_t len)
{
    const struct node *all = lang->all_fields;
    for (int pass = 0; pass < 2 && all; pass++) {
        size_t want = len;
        if (pass == 1) {
            while (want > 0 && name[want - 1] != '.')
                want--;
            if (want == 0)
                return NULL;
        }
        for (uint32_t i = 0; i < all->count; i++) {
            const struct node *key = all->u.pairs[i].key;
            bool hit = pass == 0 ? key->count == len && !memcmp(key->u.text, name, len)
                                 : key->count == want + 1 && !memcmp(key->u.text, name, want) &&
                                       key->u.text[want] == '*';
            if (hit)
                return all->u.pairs[i].value;
        }
    }
    return NULL;
}

/* The nearest field of the route, for "did you mean"; into out. */
static bool nearest_field(const struct xp *p, const char *name, char *out, size_t size)
{
    size_t best = strlen(name) >= 5 ? 4 : 3;
    bool found = false;
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; i < p->lang->nfields; i++) {
        const struct spec_expr_field *f = &p->lang->fields[i];
        if (f->alias_of || !for_route(p, f))
            continue;
        size_t flen = strlen(f->name), d;
        char candidate[160];
        if (flen > 2 && !strcmp(f->name + flen - 2, ".*")) {
            char family[128];
            snprintf(family, sizeof(family), "%.*s", (int)(flen - 2), f->name);
            if (!dot)
                continue;
            char prefix[128];
            snprintf(prefix, sizeof(prefix), "%.*s", (int)(dot - name), name);
            d = str_edit_distance(prefix, family);
            snprintf(candidate, sizeof(candidate), "%s%s", family, dot);
        } else {
            d = str_edit_distance(name, f->name);
            snprintf(candidate, sizeof(candidate), "%s", f->name);
        }
        if (d < best && strcmp(candidate, name) != 0) {
            best = d;
            snprintf(out, size, "%s", candidate);
            found = true;
        }
    }
    return found;
}

/* A family named without a member: "http.headers" for "http.headers.*". */
static const struct spec_expr_field *bare_family(const struct xp *p, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < p->lang->nfields; i++) {
        const char *f = p->lang->fields[i].name;
        if (strlen(f) == len + 2 && !strncmp(f, name, len) && !strcmp(f + len, ".*"))
            return &p->lang->fields[i];
    }
    return NULL;
}

static void subsystem_names(const struct xp *p, uint32_t bits, char *out, size_t size)
{
    out[0] = '\0';
    for (size_t i = 0, used = 0; i < p->lang->nsubsystems && used < size; i++)
        if (bits & (1u << i))
            used += (size_t)snprintf(out + used, size - used, "%s%s", used ? " and " : "",
                                     p->lang->subsystems[i].name);
}

static void unknown_field(struct xp *p, const struct lhs *l, const struct spec_expr_field *f,
                          const char *name)
{
    size_t at = l->field_at;
    if (f && !f->alias_of && !for_route(p, f)) {
        char where[64];
        subsystem_names(p, f->subsystems, where, sizeof(where));
        note_problem(&p->semantic, R_HOP3008, at,
                     "'%s' is a field of %s routes, and this route is a %s route (its first "
                     "protocol is '%s') (" KONG_SAYS "Unknown LHS field)",
                     name, where, p->lang->subsystems[p->subsystem].name, p->protocol);
        return;
    }
    if (f && f->alias_of) {
        note_problem(&p->semantic, R_HOP3008, at,
                     "kong reads '%s' as '%s' only when a comparison (==, !=, <, <=, >, >=) "
                     "follows it; write '%s' (" KONG_SAYS "Unknown LHS field)",
                     name, f->alias_of, f->alias_of);
        return;
    }
    const struct node *def = field_definition(p->lang, name, strlen(name));
    enum rule_id rule;
    char phrase[200];
    if (def && cond_explain_variants(def, p->lang->target, p->lang->product, &rule, phrase,
                                     sizeof(phrase))) {
        note_problem(&p->semantic, rule, at, "field '%s' %s (" KONG_SAYS "Unknown LHS field)", name,
                     phrase);
        return;
    }
    const struct spec_expr_field *family = bare_family(p, name);
    if (family) {
        note_problem(&p->semantic, R_HOP3008, at,
                     "unknown field '%s': the family %s needs a name after the dot, such as "
                     "'%s.name' (" KONG_SAYS "Unknown LHS field)",
                     name, family->name, name);
        return;
    }
    char hint[160];
    bool near = nearest_field(p, name, hint, sizeof(hint));
    note_problem(&p->semantic, R_HOP3008, at,
                 "unknown field '%s'%s%s%s (" KONG_SAYS "Unknown LHS field)", name,
                 near ? "; did you mean '" : "", near ? hint : "", near ? "'?" : "");
}

/* ---- types ------------------------------------------------------------------------------- */

static void type_mismatch(struct xp *p, const char *name, const struct spec_expr_field *f,
                          const struct rhs *v)
{
    const char *t = p->s + v->at;
    int shown = shown_len(p, v->at, v->end);
    char hint[96] = "";
    bool digits_only = v->kind == RHS_STR && v->end - v->at > 2;
    for (size_t i = v->at + 1; digits_only && i + 1 < v->end; i++)
        digits_only = is_digit((unsigned char)p->s[i]) || (i == v->at + 1 && p->s[i] == '-');
    if (f->type == EXPR_STRING && v->kind != RHS_STR && v->kind != RHS_RAW && shown < 40)
        snprintf(hint, sizeof(hint), "; write \"%.*s\"", shown, t);
    else if (f->type == EXPR_INT && digits_only && shown < 40)
        snprintf(hint, sizeof(hint), "; write %.*s", shown - 2, t + 1);
    else if (f->type == EXPR_IPADDR && (v->kind == RHS_STR || v->kind == RHS_RAW))
        snprintf(hint, sizeof(hint), "; write the address without quotes");
    else if (f->type == EXPR_IPADDR && value_type(p, v->kind) == EXPR_IPCIDR)
        snprintf(hint, sizeof(hint), "; use 'in' to test an address against a range");
    note_problem(&p->semantic, R_HOP3008, v->at,
                 "'%s' is %s, but %.*s%s is %s%s (" KONG_SAYS
                 "Type mismatch between the LHS and RHS values of predicate)",
                 name, field_phrase(f->type), shown, t, v->end - v->at > 60 ? "..." : "",
                 value_phrase(v->kind), hint);
}

/* What the operator takes, as the atc-router's semantics.rs says it. */
static void check_operator(struct xp *p, const char *name, const struct spec_expr_field *f,
                           enum op op, size_t op_at, const struct rhs *v)
{
    enum expr_type rt = value_type(p, v->kind);
    const char *op_text = op_texts[op];
    int shown = shown_len(p, v->at, v->end);
    const char *t = p->s + v->at;
    switch (op) {
    case OP_REGEX:
        if (f->type != EXPR_STRING)
            note_problem(&p->semantic, R_HOP3008, op_at,
                         "the regex operator '~' takes a string field, and '%s' is %s (" KONG_SAYS
                         "Regex operators only supports string operands)",
                         name, field_phrase(f->type));
        break;
    case OP_PREFIX:
    case OP_POSTFIX:
        if (rt != EXPR_STRING)
            note_problem(&p->semantic, R_HOP3008, op_at,
                         "'%s' compares strings, and %.*s is %s (" KONG_SAYS
                         "Regex/Prefix/Postfix operators only supports string operands)",
                         op_text, shown, t, value_phrase(v->kind));
        break;
    case OP_GE:
    case OP_GT:
    case OP_LE:
    case OP_LT:
        if (rt != EXPR_INT)
            note_problem(&p->semantic, R_HOP3008, op_at,
                         "'%s' compares integers, and %.*s is %s (" KONG_SAYS
                         "Greater/GreaterOrEqual/Lesser/LesserOrEqual operators only supports "
                         "integer operands)",
                         op_text, shown, t, value_phrase(v->kind));
        break;
    case OP_IN:
    case OP_NOT_IN:
        if (!has(p, EXPR_IP_ADDRESSES)) {
            if (rt != EXPR_STRING && rt != EXPR_IPCIDR)
                note_problem(&p->semantic, R_HOP3008, op_at,
                             "'%s' takes a string or a CIDR range, and %.*s is %s (" KONG_SAYS
                             "In/NotIn operators only supports string/IP cidr operands)",
                             op_text, shown, t, value_phrase(v->kind));
        } else if (f->type != EXPR_IPADDR || rt != EXPR_IPCIDR) {
            note_problem(&p->semantic, R_HOP3008, op_at,
                         "'%s' tests an IP address field against a CIDR range such as "
                         "10.0.0.0/8, and here it has %s and %s (" KONG_SAYS
                         "In/NotIn operators only supports IP in CIDR)",
                         op_text, field_phrase(f->type), value_phrase(v->kind));
        }
        break;
    case OP_CONTAINS:
        if (rt != EXPR_STRING)
            note_problem(&p->semantic, R_HOP3008, op_at,
                         "'contains' looks for a string, and %.*s is %s (" KONG_SAYS
                         "Contains operator only supports string operands)",
                         shown, t, value_phrase(v->kind));
        break;
    default:
        break;
    }
}

/* Kong's own check from 3.6: http.path.segments.len, .N or .N_M with N < M, no leading zeros. */
static bool segment_name_ok(const char *name)
{
    static const char prefix[] = "http.path.segments.";
    if (!strstr(name, prefix))
        return true;
    /* Kong takes the suffix after the prefix's length, wherever it found the prefix. */
    const char *s = strlen(name) > sizeof(prefix) - 1 ? name + sizeof(prefix) - 1 : "";
    if (!strcmp(s, "len"))
        return true;
    const char *under = strchr(s, '_');
    size_t first = under ? (size_t)(under - s) : strlen(s);
    for (size_t part = 0; part < 2; part++) {
        const char *d = part ? under + 1 : s;
        size_t len = part ? strlen(d) : first;
        if (len == 0 || (d[0] == '0' && (len > 1 || part == 1)))
            return false;
        for (size_t i = 0; i < len; i++)
            if (!is_digit((unsigned char)d[i]))
                return false;
        if (!under)
            break;
    }
    if (!under)
        return true;
    /* Lua compares them as numbers. */
    return strtod(s, NULL) < strtod(under + 1, NULL);
}

static void check_types(struct xp *p, const struct lhs *l, enum op op, size_t op_at,
                        const struct rhs *v)
{
    char name[256];
    snprintf(name, sizeof(name), "%.*s", (int)l->field_len, p->s + l->field_at);
    const struct spec_expr_field *f = find_field(p->lang, p->s + l->field_at, l->field_len);
    const struct spec_expr_field *alias = NULL;
    if (f && f->alias_of && alias_applies(l, op)) {
        alias = f;
        f = find_field(p->lang, f->alias_of, strlen(f->alias_of));
    }
    if (!f || f->alias_of || !for_route(p, f)) {
        unknown_field(p, l, f, name);
        return;
    }
    enum expr_type rt = value_type(p, v->kind);
    bool skips = op == OP_REGEX || (has(p, EXPR_IP_ADDRESSES) && (op == OP_IN || op == OP_NOT_IN));
    if (!skips && f->type != rt)
        type_mismatch(p, name, f, v);
    else if (l->lower && f->type != EXPR_STRING)
        note_problem(&p->semantic, R_HOP3008, l->lower_at,
                     "lower() works on string fields, and '%s' is %s (" KONG_SAYS
                     "lower-case transformation function only supported with String type "
                     "fields)",
                     name, field_phrase(f->type));
    else
        check_operator(p, name, f, op, op_at, v);
    const char *checked = alias ? alias->alias_of : name;
    if (has(p, EXPR_PATH_SEGMENTS) && !segment_name_ok(checked))
        note_problem(&p->kong, R_HOP3008, l->field_at,
                     "'%s': after 'http.path.segments.' comes 'len', a segment number N or a "
                     "range N_M with N < M, without leading zeros (" KONG_SAYS
                     "illformed http.path.segments.* field)",
                     checked);
    if (alias && alias->deprecated_since)
        note_problem(&p->note, R_HOP4002, l->field_at, "field '%s' is deprecated since %s %s%s%s",
                     name, p->lang->product, alias->deprecated_since,
                     alias->deprecated_message ? ": " : "",
                     alias->deprecated_message ? alias->deprecated_message : "");
}

static void check_predicate(struct xp *p, const struct lhs *l, enum op op, size_t op_at,
                            const struct rhs *v)
{
    check_literals(p, l, op, v);
    check_types(p, l, op, op_at, v);
}

/* ---- syntax errors ----------------------------------------------------------------------- */

static int compare_rules(const void *a, const void *b)
{
    return (int)*(const enum prule *)a - (int)*(const enum prule *)b;
}

static bool attempted(const struct xp *p, enum prule r)
{
    for (size_t i = 0; i < p->nattempts; i++)
        if (p->attempts[i] == r)
            return true;
    return false;
}

/* Only rules of the given kinds failed at the farthest position. */
static bool attempts_only(const struct xp *p, enum prule a, enum prule b)
{
    for (size_t i = 0; i < p->nattempts; i++)
        if (p->attempts[i] != a && p->attempts[i] != b)
            return false;
    return p->nattempts > 0;
}

/* pest's "expected a, b, or c", and the same for people. */
static void expected_lists(const struct xp *p, char *kong, size_t ksize, char *people, size_t psize)
{
    const char *said[P_COUNT];
    size_t nsaid = 0, kused = 0, pused = 0;
    kong[0] = people[0] = '\0';
    for (size_t i = 0; i < p->nattempts; i++) {
        const char *name = prule_names[p->attempts[i]];
        const char *sep = i == 0                 ? ""
                          : i + 1 < p->nattempts ? ", "
                          : p->nattempts > 2     ? ", or "
                                                 : " or ";
        if (kused < ksize)
            kused += (size_t)snprintf(kong + kused, ksize - kused, "%s%s", sep, name);
        const char *phrase = prule_phrases[p->attempts[i]];
        bool dup = false;
        for (size_t k = 0; k < nsaid; k++)
            dup |= !strcmp(said[k], phrase);
        if (!dup)
            said[nsaid++] = phrase;
    }
    for (size_t k = 0; k < nsaid && pused < psize; k++)
        pused += (size_t)snprintf(people + pused, psize - pused, "%s%s",
                                  k == 0          ? ""
                                  : k + 1 < nsaid ? ", "
                                                  : " or ",
                                  said[k]);
}

/* A construct a later release's grammar has, at the place the parse stopped. */
static bool later_feature(const struct xp *p, struct named_result *out, const char *kong)
{
    static const struct {
        enum expr_feature feature;
        enum prule where;
        const char *text, *what;
    } later[] = {{EXPR_NOT, P_TERM, "!", "the negation !(...)"},
                 {EXPR_RAW_STRINGS, P_RHS, "r#\"", "the raw string r#\"...\"#"},
                 {EXPR_CONTAINS, P_OP, "contains", "the operator 'contains'"}};
    for (size_t i = 0; i < sizeof(later) / sizeof(later[0]); i++) {
        if (has(p, later[i].feature) || !attempted(p, later[i].where) ||
            !starts(p, p->attempt_pos, later[i].text))
            continue;
        const struct node *all = p->lang->all_features;
        for (uint32_t k = 0; all && k < all->count; k++) {
            const struct node *item = all->u.items[k];
            enum rule_id rule;
            char phrase[200];
            if (!node_text_equals(spec_item_value(item), feature_names[later[i].feature]) ||
                !cond_explain(item, p->lang->target, p->lang->product, &rule, phrase,
                              sizeof(phrase)))
                continue;
            out->rule = rule;
            snprintf(out->message, sizeof(out->message), "%s %s (" KONG_SAYS "expected %s)",
                     later[i].what, phrase, kong);
            return true;
        }
    }
    return false;
}

static void syntax_problem(struct xp *p, struct named_result *out)
{
    qsort(p->attempts, p->nattempts, sizeof(p->attempts[0]), compare_rules);
    size_t kept = 0;
    for (size_t i = 0; i < p->nattempts; i++)
        if (kept == 0 || p->attempts[kept - 1] != p->attempts[i])
            p->attempts[kept++] = p->attempts[i];
    p->nattempts = kept;
    char kong[256], people[256];
    expected_lists(p, kong, sizeof(kong), people, sizeof(people));
    size_t at = p->attempt_pos;
    out->offset = (long)at;
    out->rule = R_HOP3008;
    if (later_feature(p, out, kong))
        return;
    const char *s = p->s;
    if (attempts_only(p, P_STR_CHAR, P_STR_ESC) && at < p->n && s[at] == '\\') {
        int width = at + 1 < p->n ? 2 : 1;
        snprintf(out->message, sizeof(out->message),
                 "invalid escape '%.*s' in a string: a \"...\" string knows only \\\" \\\\ \\n "
                 "\\r and \\t; write '\\%.*s'%s (" KONG_SAYS "expected %s)",
                 width, s + at, width, s + at,
                 has(p, EXPR_RAW_STRINGS) ? ", or use a raw string r#\"...\"#" : "", kong);
    } else if (attempts_only(p, P_STR_CHAR, P_STR_ESC)) {
        snprintf(out->message, sizeof(out->message),
                 "the string is not closed: a '\"' is missing at the end (" KONG_SAYS
                 "expected %s)",
                 kong);
    } else if (attempts_only(p, P_RAW_CHAR, P_RAW_CHAR)) {
        snprintf(out->message, sizeof(out->message),
                 "the raw string is not closed: '\"#' is missing at the end (" KONG_SAYS
                 "expected %s)",
                 kong);
    } else if (has(p, EXPR_NOT) && at < p->n && s[at] == '!' &&
               (attempted(p, P_TERM) || attempted(p, P_PAREN))) {
        snprintf(out->message, sizeof(out->message),
                 "'!' negates a parenthesised expression only: write !(...) (" KONG_SAYS
                 "expected %s)",
                 kong);
    } else {
        snprintf(out->message, sizeof(out->message),
                 "syntax error: expected %s (" KONG_SAYS "expected %s)", people, kong);
    }
}

/* ---- the check --------------------------------------------------------------------------- */

static int route_subsystem(const struct spec_expr_lang *lang, const char *protocol)
{
    for (size_t i = 0; i < lang->nsubsystems; i++) {
        const struct node *list = lang->subsystems[i].protocols;
        for (uint32_t k = 0; list && k < list->count; k++)
            if (node_text_equals(list->u.items[k], protocol))
                return (int)i;
    }
    return -1;
}

static bool report(const struct problem *pb, struct named_result *out)
{
    if (!pb->set)
        return false;
    out->rule = pb->rule;
    out->offset = (long)pb->at;
    snprintf(out->message, sizeof(out->message), "%s", pb->message);
    return true;
}

bool expr_check(const struct spec_expr_lang *lang, const char *s, size_t n, const char *protocol,
                struct named_result *out)
{
    struct xp *p = calloc(1, sizeof(*p));
    if (!p)
        return true; /* out of memory: nothing is said rather than something wrong */
    p->lang = lang;
    p->s = s;
    p->n = n;
    p->protocol = protocol ? protocol : "http";
    p->subsystem = route_subsystem(lang, p->protocol);
    bool ok = r_matcher(p);
    if (p->too_deep) {
        out->rule = R_HOP3008;
        out->offset = (long)p->deep_at;
        snprintf(out->message, sizeof(out->message),
                 "the expression nests deeper than %d levels of parentheses or functions; "
                 "gatehop stops checking it here (the router's parser recurses once per level "
                 "and may run out of stack)",
                 EXPR_MAX_DEPTH);
        ok = false;
    } else if (!ok) {
        syntax_problem(p, out);
    } else {
        ok = !(report(&p->build, out) || report(&p->semantic, out) || report(&p->kong, out) ||
               report(&p->note, out));
    }
    free(p);
    return ok;
}

/* ---- names the data uses ----------------------------------------------------------------- */

static const char *const type_names[] = {
    [EXPR_STRING] = "String", [EXPR_INT] = "Int", [EXPR_IPADDR] = "IpAddr"};

bool expr_feature_from_name(const char *name, enum expr_feature *out)
{
    for (int i = 0; i < EXPR_FEATURE_COUNT; i++)
        if (!strcmp(feature_names[i], name)) {
            *out = (enum expr_feature)i;
            return true;
        }
    return false;
}

bool expr_type_from_name(const char *name, enum expr_type *out)
{
    for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
        if (!strcmp(type_names[i], name)) {
            *out = (enum expr_type)i;
            return true;
        }
    return false;
}

/* The functions whose meaning this file knows: lower() changes the type check, any() nothing. */
bool expr_function_known(const char *name)
{
    return !strcmp(name, "lower") || !strcmp(name, "any");
}

/* ---- compiling the data for a target ----------------------------------------------------- */

/* The variant of a definition (a mapping, or a list of them) that holds for t, or NULL. */
static const struct node *pick_variant_of(const struct node *def, const struct target *t)
{
    if (def->kind != NODE_SEQUENCE)
        return cond_holds(def, t) ? def : NULL;
    for (uint32_t i = 0; i < def->count; i++)
        if (cond_holds(def->u.items[i], t))
            return def->u.items[i];
    return NULL;
}

static int compile_subsystems(const struct node *list, struct arena *a, struct spec_expr_lang *l)
{
    l->nsubsystems = list ? list->count : 0;
    l->subsystems = arena_calloc(a, l->nsubsystems + 1, sizeof(*l->subsystems));
    if (!l->subsystems)
        return -1;
    for (size_t i = 0; i < l->nsubsystems; i++) {
        l->subsystems[i].name = node_map_get(list->u.items[i], "value")->u.text;
        l->subsystems[i].protocols = node_map_get(list->u.items[i], "protocols");
    }
    return 0;
}

static uint32_t subsystem_bits(const struct spec_expr_lang *l, const struct node *names)
{
    uint32_t bits = 0;
    for (uint32_t i = 0; names && i < names->count; i++)
        for (size_t k = 0; k < l->nsubsystems && k < 32; k++)
            if (node_text_equals(names->u.items[i], l->subsystems[k].name))
                bits |= 1u << k;
    return bits;
}

static int compile_fields(const struct node *fields, const struct target *t, struct arena *a,
                          struct spec_expr_lang *l)
{
    size_t count = fields ? fields->count : 0;
    l->fields = arena_calloc(a, count + 1, sizeof(*l->fields));
    if (!l->fields)
        return -1;
    for (size_t i = 0; i < count; i++) {
        const struct node *def = pick_variant_of(fields->u.pairs[i].value, t);
        if (!def)
            continue;
        struct spec_expr_field *f = &l->fields[l->nfields++];
        f->name = fields->u.pairs[i].key->u.text;
        const struct node *type = node_map_get(def, "type");
        if (type)
            expr_type_from_name(type->u.text, &f->type);
        f->subsystems = subsystem_bits(l, node_map_get(def, "subsystems"));
        const struct node *alias = node_map_get(def, "alias_of");
        f->alias_of = alias ? alias->u.text : NULL;
        const struct node *dep = node_map_get(def, "deprecated");
        if (dep) {
            f->deprecated_since = node_map_get(dep, "since")->u.text;
            const struct node *msg = node_map_get(dep, "message");
            f->deprecated_message = msg ? msg->u.text : NULL;
        }
    }
    /* An alias has the type and routes of the field it stands for. */
    for (size_t i = 0; i < l->nfields; i++) {
        struct spec_expr_field *f = &l->fields[i];
        for (size_t k = 0; f->alias_of && k < l->nfields; k++)
            if (!strcmp(l->fields[k].name, f->alias_of)) {
                f->type = l->fields[k].type;
                f->subsystems = l->fields[k].subsystems;
            }
    }
    return 0;
}

int expr_lang_compile(const struct node *section, const struct target *t, const char *product,
                      const char *version_text, struct arena *a, const struct spec_expr_lang **out)
{
    *out = NULL;
    if (!section)
        return 0;
    struct spec_expr_lang *l = arena_calloc(a, 1, sizeof(*l));
    if (!l)
        return -1;
    l->target = t;
    l->product = product;
    l->version_text = version_text;
    l->all_fields = node_map_get(section, "fields");
    l->all_features = node_map_get(section, "features");
    for (uint32_t i = 0; l->all_features && i < l->all_features->count; i++) {
        const struct node *item = l->all_features->u.items[i];
        enum expr_feature f;
        if (cond_holds(item, t) && expr_feature_from_name(spec_item_value(item)->u.text, &f))
            l->features[f] = true;
    }
    const struct node *regex = node_map_get(section, "regex_syntax");
    for (uint32_t i = 0; regex && i < regex->count; i++)
        if (cond_holds(regex->u.items[i], t))
            rust_regex_dialect_from_name(spec_item_value(regex->u.items[i])->u.text, &l->regex);
    const struct node *functions = node_map_get(section, "functions");
    l->functions = arena_calloc(a, (functions ? functions->count : 0) + 1, sizeof(char *));
    if (!l->functions)
        return -1;
    for (uint32_t i = 0; functions && i < functions->count; i++)
        if (cond_holds(functions->u.items[i], t))
            l->functions[l->nfunctions++] = spec_item_value(functions->u.items[i])->u.text;
    if (compile_subsystems(node_map_get(section, "subsystems"), a, l) < 0 ||
        compile_fields(l->all_fields, t, a, l) < 0)
        return -1;
    *out = l;
    return 0;
}
