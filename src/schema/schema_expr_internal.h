/*
 * What the two halves of the expression checker share: schema_expr.c parses (the grammar,
 * pest's bookkeeping, syntax errors, the check as a whole) and schema_expr_check.c checks each
 * predicate the parse reads (literals as Rust reads them, fields, types). Not for other files:
 * they use schema_expr.h.
 */
#ifndef SCHEMA_EXPR_INTERNAL_H
#define SCHEMA_EXPR_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "schema_expr.h"

#define KONG_SAYS "Router Expression failed validation: "

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

/* The operators as written, in the grammar's order of choice ("==" before "=^"). */
extern const char *const expr_op_texts[OP_COUNT];

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

struct xp {
    const struct spec_expr_lang *lang;
    const char *s;
    size_t n, pos;
    int subsystem;        /* the route's, or -1: every field counts */
    const char *protocol; /* the route's first protocol, for messages */
    /* pest's record of the farthest failure */
    size_t attempt_pos;
    unsigned char attempts[48]; /* pest rules (schema_expr.c), as many as failed there */
    size_t nattempts;
    /* nesting, bounded */
    unsigned depth;
    bool too_deep;
    size_t deep_at;
    /* the first problem of each kind, reported in this order of precedence */
    struct problem build, semantic, kong, note;
};

static inline bool expr_has(const struct xp *p, enum expr_feature f)
{
    return p->lang->features[f];
}

static inline bool expr_is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static inline bool expr_is_hex(unsigned char c)
{
    return expr_is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Keeps a problem unless one of its kind was met before: the first in the text wins. */
void expr_note(struct problem *pb, enum rule_id rule, size_t at, const char *fmt, ...)
    GH_PRINTF(4, 5);

/*
 * A predicate the parse has read: its literals as the router reads them (the first such problem
 * goes to p->build), then its field and types (p->semantic), then Kong's own rules on the field
 * (p->kong) and a deprecated field (p->note).
 */
void expr_check_predicate(struct xp *p, const struct lhs *l, enum op op, size_t op_at,
                          const struct rhs *v);

#endif
