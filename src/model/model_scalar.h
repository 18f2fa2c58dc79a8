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

/*
 * The YAML libraries whose typing gatehop knows, by the names product.yaml's `yaml_parser` gives
 * them. lyaml (Kong; APISIX from 3.10) is what scalar_resolve() does. tinyyaml (APISIX 2.15 to
 * 3.9; api7-lua-tinyyaml 0.4.2 until 3.6, 0.4.4 from 3.6) types far less, and reads some YAML
 * it does not support as something else or not at all (check_yaml.c says which).
 */
enum yaml_lib { YAML_LIB_LYAML, YAML_LIB_TINYYAML_042, YAML_LIB_TINYYAML_044, YAML_LIB_COUNT };

/* false when the name is not one of the table's. */
bool yaml_lib_from_name(const char *name, enum yaml_lib *out);
/* "lyaml", "tinyyaml" (the library, without its version). */
const char *yaml_lib_name(enum yaml_lib lib);
bool yaml_lib_is_tinyyaml(enum yaml_lib lib);

/*
 * Types n again as tinyyaml types it (tinyyaml.lua parsescalar, parseflowstyle): quoted and
 * block scalars are strings; inside a flow collection ([...] or {...}) every scalar is a
 * string; a plain scalar is null when empty, ~, null, Null or NULL, a timestamp when it starts
 * with a date (dddd-dd-dd, whatever follows), a boolean only as true/True/TRUE or
 * false/False/FALSE, .inf/.nan in their three spellings, a number only as decimal digits with
 * an optional sign and fraction (012 is 12, 1.5 and 1. are numbers; 0x1F, 1e3, .5, 1_000 and
 * 1:30 are strings), and a string otherwise. Tags are ignored. NODE_YAML11 is cleared.
 */
void scalar_retype_tinyyaml(struct node *n, bool in_flow);

/* What a typed scalar is, for messages: "the boolean true", "the number 10", "null", "a
 * timestamp", "a string" ("the string 'yes'" with quote_strings). */
void scalar_describe(const struct node *n, bool quote_strings, char *out, size_t size);
/* What YAML 1.2 tools, and decK's go-yaml for y and n, make of a NODE_YAML11 scalar. */
void scalar_describe_yaml12(const struct node *n, char *out, size_t size);

#endif
