#include "schema_expr_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

const char *const expr_op_texts[OP_COUNT] = {
    "==", "!=", "~", "^=", "=^", ">=", ">", "<=", "<", "in", "not in", "contains"};

/* The names the data gives the features (product.yaml `expressions.features`), in the order
 * of enum expr_feature. */
static const char *const feature_names[EXPR_FEATURE_COUNT] = {"raw_strings", "contains", "not",
                                                              "ip_addresses", "path_segments"};

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
        if (!is_alpha(c) && !expr_is_digit(c) && c != '_' && c != '.')
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
        size_t d = run(p, i, 3, expr_is_digit);
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
        size_t h = run(p, i, 4, expr_is_hex);
        if (h == 0)
            return 0;
        i += h;
    }
    if (i >= p->n || p->s[i] != ':')
        return 0;
    i++;
    for (;;) {
        size_t h = run(p, i, 4, expr_is_hex);
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
    size_t d = run(p, at + a + 1, v6 ? 3 : 2, expr_is_digit);
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
        if (lit(p, "0x") && r_digits(p, P_HEX, expr_is_hex, v)) {
            ok = true;
            v->radix = 16;
        } else {
            p->pos = save;
            ok = r_digits(p, P_DEC, expr_is_digit, v);
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
    if (expr_has(p, EXPR_IP_ADDRESSES))
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
    else if (expr_has(p, EXPR_RAW_STRINGS) && r_raw(p))
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
        if (i == OP_CONTAINS && !expr_has(p, EXPR_CONTAINS))
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
        if (lit(p, expr_op_texts[i])) {
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
        expr_check_predicate(p, &l, op, op_at, &v);
    return leave(p, &e, P_PREDICATE, ok);
}

static bool r_expression(struct xp *p);

/* parenthesised_expression = { not_op? ~ "(" ~ expression ~ ")" } (no not_op before 3.6) */
static bool r_paren(struct xp *p)
{
    struct entry e;
    enter(p, &e);
    if (expr_has(p, EXPR_NOT)) {
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

/* ---- syntax errors ----------------------------------------------------------------------- */

static int compare_rules(const void *a, const void *b)
{
    return (int)*(const unsigned char *)a - (int)*(const unsigned char *)b;
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
        if (expr_has(p, later[i].feature) || !attempted(p, later[i].where) ||
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
                 expr_has(p, EXPR_RAW_STRINGS) ? ", or use a raw string r#\"...\"#" : "", kong);
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
    } else if (expr_has(p, EXPR_NOT) && at < p->n && s[at] == '!' &&
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
