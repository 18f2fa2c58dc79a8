/*
 * Spectral's `schema` core function: a JSON Schema validator on gatehop's node trees that
 * reports what Spectral reports (ajv 8 in Spectral's configuration, then Spectral's and
 * better-ajv-errors' reading of ajv's errors).
 *
 * The schema is compiled once, when the ruleset loads: keywords are checked (as ajv's
 * meta-schemas check them), regexes compiled, local $refs resolved. A schema that ajv would
 * refuse to compile does not stop the ruleset from loading: like Spectral, the rule then
 * reports ajv's complaint at every value it looks at (and nothing at all when a $ref is
 * missing, as Spectral ignores that error for resolved rules). What gatehop cannot evaluate
 * (remote $refs, unevaluated*, $dynamicRef, ajv-errors' errorMessage with allErrors, ajv-formats'
 * formatMaximum...) is refused at load, with the keyword named.
 *
 * Invariants: the compiled schema lives in the arena given to rs_schema_prepare (its regexes are
 * registered in `regexes`); running never allocates on the heap except through out->arena;
 * recursion is bounded (schema nesting at load, subschemas on the stack and steps per value at
 * run), so no schema or value can crash or hang it.
 */
#ifndef RULESET_SCHEMA_H
#define RULESET_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "ruleset/ruleset_func.h"

/* Spectral's `dialect` option: which ajv instance validates. */
enum rs_dialect {
    RS_DIALECT_AUTO, /* from the schema's $schema, else draft 7 */
    RS_DIALECT_DRAFT4,
    RS_DIALECT_DRAFT6,
    RS_DIALECT_DRAFT7,
    RS_DIALECT_2019_09,
    RS_DIALECT_2020_12
};

struct rs_schema_options {
    const struct node *schema; /* a mapping (Spectral's option schema allows nothing else) */
    enum rs_dialect dialect;
    bool all_errors;
    bool broken_prepare_results; /* prepareResults given, and not null: not a function */
};

struct rs_schema;

/* 0 and *out set, or -1 with why (and *at, the node at fault, or NULL). */
int rs_schema_prepare(const struct rs_schema_options *o, struct arena *a,
                      struct jpath_regexes *regexes, const struct rs_schema **out, char *why,
                      size_t why_size, const struct node **at);

/* Validates t->value (reporting "must exist" when it is absent) and emits Spectral's results. */
void rs_schema_run(const struct rs_schema *s, const struct rs_target *t, struct rs_output *out);

#endif
