/*
 * Spectral's core functions, run on gatehop's node trees: truthy, falsy, defined, undefined,
 * pattern, enumeration, length, alphabetical, casing, xor, or, typedEnum, and schema (whose
 * validator is ruleset_schema.c).
 *
 * A rule's `then` names a function and its functionOptions. The options are checked and
 * prepared once, when the ruleset loads (a pattern compiled, a casing's regex built), as
 * Spectral checks them; each run then looks at one value: the node the rule's `given` selected,
 * or its `field`, or nothing when that field is absent.
 *
 * Invariants: prepared options live in the arena given to rs_func_prepare (compiled regexes are
 * also registered in `regexes`, freed by the caller); running never allocates on the heap except
 * through out->arena; a function reports zero or more results through out->emit.
 */
#ifndef RULESET_FUNC_H
#define RULESET_FUNC_H

#include <stdbool.h>
#include <stddef.h>

#include "model/model_node.h"
#include "ruleset/ruleset_path.h"
#include "util/util_arena.h"

struct rs_func;

/* The function named, or NULL: a ruleset naming another one is refused when it loads. */
const struct rs_func *rs_func_find(const char *name);
const char *rs_func_name(const struct rs_func *f);

/*
 * Checks a function's options (a mapping node, or NULL when the rule gives none) and prepares
 * them. 0 and *prepared set, or -1 with why (what is wrong, as Spectral says it where it can)
 * and *at (the option node at fault, for the error's line and column; NULL for the options
 * as a whole).
 */
int rs_func_prepare(const struct rs_func *f, const struct node *options, struct arena *a,
                    struct jpath_regexes *regexes, const void **prepared, char *why,
                    size_t why_size, const struct node **at);

/* One result: its message (Spectral's {{error}}), and where it points below the value run on
 * (rel segments, as in model_path.h; none for the value itself). */
struct rs_result {
    const char *message;
    const struct path_segment *rel;
    size_t nrel;
};

struct rs_output {
    void (*emit)(void *ctx, const struct rs_result *r);
    void *ctx;
    struct arena *arena; /* for messages; reset by the caller between values */
};

/* What a function looks at: the value (NULL when the field is absent) and the name under which
 * it sits (a field's name, a key, or an index as text), for messages. */
struct rs_target {
    const struct node *value;
    const char *property;
};

void rs_func_run(const struct rs_func *f, const void *prepared, const struct rs_target *t,
                 struct rs_output *out);

#endif
