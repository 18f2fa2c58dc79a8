/*
 * Kong's router expressions (router_flavor expressions, a route's `expression`), checked as
 * Kong's ATC router checks them when a route is validated: the parse (the atc-router's pest
 * grammar, with pest's own idea of where a syntax error is), the literals (integers, IP
 * addresses and CIDR ranges as Rust parses them, regexes as Rust's regex crate does), the
 * fields and their types, the operators and the types they take, and what Kong adds on top
 * (the names of http.path.segments.* fields, net.port read as net.dst.port).
 *
 * What differs between releases is data (product.yaml `expressions`, docs/schema-format.md):
 * the fields, their types and the routes they exist for, the functions, the language features
 * and the regex dialect. This file knows what each feature and type means.
 *
 * Invariants: a compiled language lives as long as the knowledge base; its strings and nodes
 * are borrowed from the loaded data. A check reads the expression once, front to back, in time
 * and memory proportional to its length; nesting deeper than EXPR_MAX_DEPTH is a finding, not
 * a deeper recursion.
 */
#ifndef SCHEMA_EXPR_H
#define SCHEMA_EXPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "schema.h"
#include "schema_named.h"
#include "schema_rust_regex.h"

#define EXPR_MAX_DEPTH 256

/* The types of fields and values. Fields are String, Int or IpAddr; a CIDR is only a value. */
enum expr_type { EXPR_STRING, EXPR_INT, EXPR_IPADDR, EXPR_IPCIDR };

/* What a release's router accepts beyond the base language (product.yaml `features`). */
enum expr_feature {
    EXPR_RAW_STRINGS,   /* r#"..."# literals */
    EXPR_CONTAINS,      /* the contains operator */
    EXPR_NOT,           /* !( ... ) */
    EXPR_IP_ADDRESSES,  /* an address literal is an IP address, and in/not in test one against a
                           CIDR range; before, every IP literal is a range and in/not in compare
                           values of one type */
    EXPR_PATH_SEGMENTS, /* Kong checks the names of http.path.segments.* fields */
    EXPR_FEATURE_COUNT
};

struct spec_expr_field {
    const char *name;     /* "http.path", or a family such as "http.headers.*" */
    enum expr_type type;  /* of the field it stands for, when it is an alias */
    uint32_t subsystems;  /* one bit per subsystem that has the field; 0: every route */
    const char *alias_of; /* Kong rewrites this name into that field's before checking */
    const char *deprecated_since, *deprecated_message;
};

struct spec_expr_subsystem {
    const char *name;             /* "http" */
    const struct node *protocols; /* the route protocols whose first one chooses it */
};

struct spec_expr_lang {
    struct spec_expr_field *fields; /* those of the target, in the data's order */
    size_t nfields;
    bool features[EXPR_FEATURE_COUNT];
    enum rust_regex_dialect regex;
    const char **functions; /* transformation functions: lower, any */
    size_t nfunctions;
    struct spec_expr_subsystem *subsystems;
    size_t nsubsystems;
    /* Every release's definitions, for "added in" messages. */
    const struct node *all_fields, *all_features;
    const struct target *target;
    const char *product, *version_text;
};

/* Names the data may use; false for one not known here (the loader refuses it). */
bool expr_feature_from_name(const char *name, enum expr_feature *out);
bool expr_type_from_name(const char *name, enum expr_type *out);
bool expr_function_known(const char *name);

/*
 * The language of the target from product.yaml's `expressions` section (NULL: none), in
 * arena a; *out is NULL when the product has none. -1 on out of memory.
 */
int expr_lang_compile(const struct node *section, const struct target *t, const char *product,
                      const char *version_text, struct arena *a, const struct spec_expr_lang **out);

/*
 * Checks one expression of a route whose first protocol is `protocol` (NULL: Kong's default,
 * http). True when the release's router accepts it; otherwise out holds the first problem in
 * Kong's order (syntax, then literals, then fields and types, then Kong's own checks; a
 * deprecated field last), its rule and its byte offset in s.
 */
bool expr_check(const struct spec_expr_lang *lang, const char *s, size_t n, const char *protocol,
                struct named_result *out);

#endif
