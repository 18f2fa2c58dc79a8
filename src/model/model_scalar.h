/*
 * Typing of scalars, as Kong's YAML loader (lyaml, YAML 1.1 rules) types them.
 *
 * Only plain (unquoted) scalars are typed; quoted and block scalars are strings. The rules,
 * tried in this order: null (~, null, Null, NULL, empty); octal (012); decimal; float (needs
 * a '.' or an exponent); boolean (true/false, yes/no, on/off in lower, Capital or UPPER
 * case; not y/n); .inf; .nan; hex (0x1F); binary (0b101); base 60 (1:30); anything else is a
 * string. Underscores inside numbers are ignored.
 *
 * Where YAML 1.2 tools (decK, most editors) would read the same text differently (yes/on/off,
 * 012, 1:30, 1_000, 0b101), the node gets NODE_YAML11 so the reader can warn.
 */
#ifndef MODEL_SCALAR_H
#define MODEL_SCALAR_H

#include "model_node.h"

/* Sets n->type and n->v from n->u.text, n->count and n->style; tag may be NULL. */
void scalar_resolve(struct node *n, const char *tag);

#endif
