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

struct kb_file {
    const char *path; /* for messages: "schemas/kong/entities/routes.yaml" */
    struct node *root;
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
     * arena): several threads may lint with one kb, so kb_compile holds this lock. */
    pthread_mutex_t compile_lock;
    struct kb_product *products;
    size_t nproducts;
    struct arena arena;
    struct strmap regex_index; /* pattern text -> index in regexes */
    pcre2_code **regexes;
    size_t nregexes, regexes_cap;
};

/* The compiled form of a pattern the loader has already compiled once. */
pcre2_code *kb_regex(struct kb *kb, const char *pattern, size_t len);
int kb_regex_add(struct kb *kb, const char *pattern, size_t len, pcre2_code *code);

const struct kb_file *kb_entity_file(const struct kb_product *p, const char *name);
const struct kb_file *kb_plugin_file(const struct kb_product *p, const char *name);
const struct node *kb_typedef(const struct kb_product *p, const char *name);

/* Picks the one variant of a definition (a mapping, or a list of mappings) that holds. */
const struct node *pick_variant(const struct node *def, const struct target *t);

#endif
