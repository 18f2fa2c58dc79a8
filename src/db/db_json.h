/*
 * JSON text, as PostgreSQL's row_to_json() writes a row, made straight into nodes in an arena
 * (model_node.h) for the YAML and JSON writers: the export reads a million rows, and a general
 * JSON library's objects (a hash table and an allocation per value) cost more than the rest of
 * the export together.
 *
 * Strict JSON (RFC 8259): anything else, nesting past JSON_NODE_DEPTH, or text after the value
 * is refused with a reason. Integers that fit 64 bits are SCALAR_INT, other numbers
 * SCALAR_FLOAT; keys keep their order.
 */
#ifndef DB_JSON_H
#define DB_JSON_H

#include <stddef.h>

#include "model/model_node.h"
#include "util/util_arena.h"

#define JSON_NODE_DEPTH 512

/* The value, or NULL with *why set (out of memory, or what is wrong and where). */
struct node *json_node_parse(struct arena *a, const char *text, size_t len, const char **why);

#endif
