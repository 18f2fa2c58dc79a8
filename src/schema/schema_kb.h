/*
 * The knowledge base's insides, shared by the loader (schema_load.c) and the compiler
 * (schema_compile.c) and nothing else.
 *
 * Invariants: every tree under a kb_product has passed the loader's keyword tables, so the
 * compiler may read shapes without checking them again; names it looks up (typedefs,
 * entities, validators, regular expressions) exist.
 */
#ifndef SCHEMA_KB_H
#define SCHEMA_KB_H

#include <pthread.h>

#include "schema.h"
#include "util/util_strmap.h"

struct kb_packed_file;

struct kb_file {
    const char *path; /* for messages: "schemas/kong/entities/routes.yaml" */
    const char *name; /* an entity file's `entity`, a plugin file's `plugin`, or NULL */
    /* NULL for a built-in file other than product.yaml until its product is compiled for a
     * target (kb_product_ready) or the compiler asks for it (kb_file_tree, kb_file_part: a
     * plugin file's parts one by one), under the compile lock. */
    struct node *root;
    const struct kb_packed_file *packed; /* a built-in file's nodes, or NULL */
    struct node **parts;                 /* the values of a built-in root's keys, built so far */
};

struct kb_cache_entry {
    struct target target;
    struct spec_document *doc;
};

struct kb_product {
    struct kb *kb;
    const char *name;
    const char *display;
    struct kb_file product, document, typedefs;
    struct kb_file upgrades;  /* root is NULL when the product has no upgrades.yaml */
    struct kb_file plan;      /* root is NULL when the product has no plan.yaml */
    struct kb_file *entities; /* in document.yaml order */
    size_t nentities;
    struct kb_file *plugins; /* plugins/<name>.yaml of the plugins that have one */
    size_t nplugins;
    struct version *versions;
    const char **version_texts;
    size_t nversions;
    struct kb_cache_entry *cache;
    size_t ncache, cache_cap;
};

struct kb {
    /* Compiling a document for a new target is the one change after loading (the cache, the
     * arena, the patterns, the parts of built-in plugin files): several threads may lint with
     * one kb, so kb_compile holds this lock. */
    pthread_mutex_t compile_lock;
    /* The built-in knowledge, checked when the binary was built; NULL when read from a
     * directory (and checked as it was read). */
    const struct kb_packed *packed;
    struct kb_product *products;
    size_t nproducts;
    struct arena arena;
    struct strmap regex_index; /* pattern text -> index in regexes */
    pcre2_code **regexes;
    size_t nregexes, regexes_cap;
};

/* The compiled form of a pattern, compiled on first use (the loader has checked that every
 * pattern compiles); NULL only when memory ran out. */
pcre2_code *kb_regex(struct kb *kb, const char *pattern, size_t len);

const struct kb_file *kb_entity_file(const struct kb_product *p, const char *name);
const struct kb_file *kb_plugin_file(const struct kb_product *p, const char *name);
const struct node *kb_typedef(const struct kb_product *p, const char *name);
/* kb_product_ready() with the compile lock held, as the compiler holds it. */
int kb_product_ready_locked(struct kb_product *p, gh_error *err);
/* f->root, built first for a built-in file; -1 when memory ran out. The compiler calls these
 * two with the compile lock held. */
int kb_file_tree(struct kb *kb, const struct kb_file *f, const struct node **out);
/* node_map_get(f->root, key), building only that part of a built-in plugin file. */
int kb_file_part(struct kb *kb, const struct kb_file *f, const char *key, const struct node **out);

/* Picks the one variant of a definition (a mapping, or a list of mappings) that holds. */
const struct node *pick_variant(const struct node *def, const struct target *t);

#endif
