/*
 * What the schema data cannot say, in C, referred to by name from the data: validators
 * (validator: host), shorthand expansions (expand: service_url). Each is a row in a table;
 * adding one is adding a row and a function.
 */
#ifndef SCHEMA_NAMED_H
#define SCHEMA_NAMED_H

#include <stdbool.h>
#include <stddef.h>

#include "diag/diag.h"
#include "model/model_node.h"
#include "util/util_arena.h"
#include "util/util_version.h"

struct spec_expr_lang;

struct named_env {
    const struct version *version;
    const char *router_flavor;
    const char *format_version;        /* the file's own version marker ("3.0"), "" when absent */
    const struct spec_expr_lang *expr; /* the router's expression language, or NULL */
    const struct node *record;         /* the mapping the value is a field of, or NULL */
};

struct named_result {
    enum rule_id rule;     /* HOP2007 unless the validator says otherwise */
    long offset;           /* byte offset in the value the message is about, or -1 */
    const struct node *at; /* a node validator: the part of the value it is about, or NULL */
    char message[512];
};

typedef bool (*named_validator_fn)(const char *s, size_t len, const struct named_env *env,
                                   struct named_result *out);
struct named_validator {
    const char *name;
    named_validator_fn fn; /* checks strings; other values pass */
};

const struct named_validator *named_validator_find(const char *name);

/* A value derived from a string, for checks that compare what values hold (two certificates'
 * key types); false when it cannot be derived (the check then passes). */
typedef bool (*named_derivation_fn)(const char *s, size_t len, char *out, size_t size);

struct named_derivation {
    const char *name;
    named_derivation_fn fn;
};

const struct named_derivation *named_derivation_find(const char *name);
/* A validator of a whole value (a list, a mapping): APISIX's `vars` expressions. Its name
 * is used in the data like a string validator's (`validator: apisix_vars`). */
typedef bool (*named_node_validator_fn)(const struct node *n, const struct named_env *env,
                                        struct named_result *out);

struct named_node_validator {
    const char *name;
    named_node_validator_fn fn;
};

const struct named_node_validator *named_node_validator_find(const char *name);

/* The most fields one expansion sets. */
#define NAMED_EXPANSION_MAX 8

/* A shorthand's expansion: the value each of its fields gets from the shorthand, all made at
 * once (out[i] for fields[i]; NULL where the shorthand gives none). */
typedef void (*named_expansion_fn)(const struct node *value, struct arena *arena,
                                   const struct node **out);

struct named_expansion {
    const char *name;
    /* The fields it sets, NULL-terminated, at most NAMED_EXPANSION_MAX. */
    const char *const *fields;
    named_expansion_fn fn;
};

const struct named_expansion *named_expansion_find(const char *name);

/*
 * A rewrite the data cannot express: the new text of a scalar, or NULL when the value stays as
 * it is (also on out of memory: a transform never half-applies).
 */
typedef const char *(*named_transform_fn)(const char *s, size_t len, struct arena *arena);

struct named_transform {
    const char *name;
    named_transform_fn fn;
};

const struct named_transform *named_transform_find(const char *name);

/* Kong's path normalisation (kong/tools/uri.lua normalize with merge_slashes). */
char *kong_normalize_path(struct arena *a, const char *path, size_t len);

#endif
