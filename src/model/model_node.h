/*
 * The positioned node tree the reader builds from libyaml events.
 *
 * Invariants: every node has a 1-based line and column (columns count characters) for its
 * start, and an end position just past its last character. Scalars hold their text
 * NUL-terminated (text may contain NULs; count is the byte length) and a type decided as
 * Kong's YAML loader decides it (see model_scalar.h); the checks may type them again as another
 * gateway's loader does (scalar_retype), before anything else reads them. Sequences hold `count`
 * items; mappings hold `count` key/value pairs in document order, merge keys already applied. Nodes
 * live in an arena and are never freed one by one. A node reached through an alias is shared, not
 * copied: the tree is a DAG, and a walk must not assume each node is visited once.
 */
#ifndef MODEL_NODE_H
#define MODEL_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum node_kind { NODE_SCALAR, NODE_SEQUENCE, NODE_MAPPING };

/* SCALAR_TIMESTAMP: a date, which tinyyaml (APISIX 2.15 to 3.9) reads as a table, not a string. */
enum scalar_type {
    SCALAR_STRING,
    SCALAR_NULL,
    SCALAR_BOOL,
    SCALAR_INT,
    SCALAR_FLOAT,
    SCALAR_TIMESTAMP
};

enum scalar_style {
    STYLE_PLAIN,
    STYLE_SINGLE_QUOTED,
    STYLE_DOUBLE_QUOTED,
    STYLE_LITERAL,
    STYLE_FOLDED,
    STYLE_FLOW, /* a flow collection ([...] or {...}) */
    STYLE_BLOCK /* a block collection */
};

enum node_flags {
    NODE_ANCHORED = 1 << 0,   /* defined with &anchor: lives in the document arena */
    NODE_YAML11 = 1 << 1,     /* a plain scalar whose type YAML 1.1 and 1.2 disagree on */
    NODE_TAGGED = 1 << 2,     /* an explicit tag decided the type */
    NODE_ANCHOR_DEF = 1 << 3, /* an &anchor is written on this node (in the item's own copy too) */
    NODE_SYNTH = 1 << 4,      /* made by a rewrite, not read: its span is borrowed */
    NODE_SEEN = 1 << 5        /* looked at by the typing pass (check_yaml.c): an alias that
                                 reaches it again is not looked at twice */
};

struct span {
    uint32_t line, column, end_line, end_column;
};

struct node_pair;

struct node {
    uint8_t kind;
    uint8_t type;  /* enum scalar_type, scalars only */
    uint8_t style; /* enum scalar_style */
    uint8_t flags;
    uint32_t count; /* bytes of text, items, or pairs */
    struct span span;
    union {
        const char *text;
        struct node **items;
        struct node_pair *pairs;
    } u;
    union {
        int64_t i;
        double f;
        bool b;
    } v;
};

struct node_pair {
    struct node *key;
    struct node *value;
};

/* Orders two positions (line, column): -1, 0 or 1. */
int position_compare(uint32_t line1, uint32_t column1, uint32_t line2, uint32_t column2);

/* Inline: the checks ask these millions of times per large file. */
static inline bool node_is_scalar(const struct node *n)
{
    return n && n->kind == NODE_SCALAR;
}

static inline bool node_is_string(const struct node *n)
{
    return n && n->kind == NODE_SCALAR && n->type == SCALAR_STRING;
}

static inline bool node_is_null(const struct node *n)
{
    return n && n->kind == NODE_SCALAR && n->type == SCALAR_NULL;
}

static inline bool node_is_number(const struct node *n)
{
    return n && n->kind == NODE_SCALAR && (n->type == SCALAR_INT || n->type == SCALAR_FLOAT);
}

static inline double node_number(const struct node *n)
{
    return n->type == SCALAR_INT ? (double)n->v.i : n->v.f;
}
/* Text of a string scalar equal to s. */
bool node_text_equals(const struct node *n, const char *s);
/* The value for a string key in a mapping, or NULL. */
struct node *node_map_get(const struct node *map, const char *key);
/* "a string", "an integer", "a mapping", ... for messages. */
const char *node_describe(const struct node *n);
/* Two nodes have the same value (deep comparison, types included). */
bool node_equal(const struct node *a, const struct node *b);

struct arena;
/* A full deep copy into arena a (shared subtrees become separate copies); NULL on OOM. */
struct node *node_copy(struct arena *a, const struct node *n);
/*
 * over laid on base, as decK merges a shared plugin configuration: over's keys win, and where
 * both hold a mapping under one key, the two merge the same way. Nodes are shared with the
 * inputs (only the merged mappings are new, in arena a); NULL on OOM.
 */
const struct node *node_merge(struct arena *a, const struct node *base, const struct node *over);

#endif
