/*
 * The built-in knowledge in packed form: every product's files as node trees laid out flat,
 * written into the binary at build time by src/tools/kbgen.c after the loader has checked them
 * (a bad file fails the build with the loader's own message). At start the knowledge base
 * rebuilds nodes from these arrays instead of parsing and checking YAML again.
 *
 * Invariants: the nodes of a file are in preorder, its root first, so every subtree is the
 * range [index, end) of nodes; a mapping's kids are key, value, key, value...; a scalar's text
 * is NUL-terminated in strings. The form is private to one build: the tool and the binary
 * share this header.
 */
#ifndef SCHEMA_PACK_H
#define SCHEMA_PACK_H

#include <stdint.h>
#include <stdio.h>

#include "model/model_node.h"

struct kb_packed_node {
    uint8_t kind, type, style, flags;
    uint32_t count;
    struct span span;
    uint32_t ref;  /* scalar: offset of its text in strings; else index of its first kid */
    uint32_t end;  /* index just past its subtree */
    uint32_t v[2]; /* an integer, the bits of a number, or a boolean (0/1); else 0 */
};

/* Which file of a product: the order kb_product holds them in. */
enum kb_packed_role {
    KB_PACKED_PRODUCT,
    KB_PACKED_DOCUMENT,
    KB_PACKED_TYPEDEFS,
    KB_PACKED_UPGRADES,
    KB_PACKED_PLAN,
    KB_PACKED_ENTITY,
    KB_PACKED_PLUGIN
};

struct kb_packed_file {
    uint32_t role; /* enum kb_packed_role */
    uint32_t path; /* offsets in strings */
    uint32_t name; /* an entity's `entity`, a plugin's name; UINT32_MAX for the others */
    uint32_t root; /* index of its root node */
};

struct kb_packed_product {
    uint32_t name; /* offset in strings */
    uint32_t first_file, end_file;
};

struct kb_packed {
    const struct kb_packed_node *nodes;
    const uint32_t *kids;
    const char *strings;
    const struct kb_packed_file *files;
    const struct kb_packed_product *products;
    uint32_t nnodes, nkids, nstrings, nfiles, nproducts;
};

/* Written by the build (kbgen); the tool itself links an empty one. */
extern const struct kb_packed kb_builtin_knowledge;

struct kb;
struct arena;

/* Builds the node tree of the subtree at index root in arena a; NULL when memory runs out. */
struct node *kb_packed_tree(const struct kb_packed *k, uint32_t root, struct arena *a);

/* Writes kb (loaded and checked) as a C file defining kb_builtin_knowledge; -1 on failure. */
int kb_pack_write(const struct kb *kb, FILE *out);

#endif
