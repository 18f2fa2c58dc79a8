/*
 * What the driver (check.c) and the entity walker (check_entity.c) share.
 */
#ifndef CHECK_INTERNAL_H
#define CHECK_INTERNAL_H

#include "check.h"
#include "check_index.h"
#include "model/model_path.h"
#include "schema/schema_validate.h"

struct check_run {
    const struct spec_document *doc;
    const struct check_options *opt;
    struct diag_sink *sink;
    struct index index;
    struct path path;
    struct arena scratch; /* reset before each top-level item */
    struct vctx vctx;     /* the template every entity walk starts from */
    /* decK's `_plugin_configs`, kept (in `kept`) from where the file gives it, for the plugins
     * after it whose `_config` names an entry; NULL until then. */
    const struct node *shared_configs;
    struct arena kept;
    /* What the file's plugin metadata sets, for the checks it excuses (unless_metadata). */
    struct metadata_book metadata;
    /* The plugin names the file declares, and the findings waiting for them. */
    struct plugin_book declared;
    bool duplicates_are_errors;
    /* Only looking (check.c's probe): no index of names and ids, no references resolved. */
    bool probe;
    bool failed; /* out of memory */
};

/* A nested entity's parent, for the references its nesting decides. */
struct parent {
    const struct spec_entity *entity;
    const struct node *item;
    const char *label;
    const char *foreign_field; /* the child's field that names this parent */
};

/* A string node's text; NULL for anything else. */
static inline const char *string_of(const struct node *n)
{
    return node_is_string(n) ? n->u.text : NULL;
}

/* Checks one entity (and everything nested in it) at the current path. */
void check_entity(struct check_run *run, const struct spec_entity *e, const struct node *item,
                  size_t index, const struct parent *parent);

/* Plugin fields that must name an item of the entity's own lists (spec_local_ref). */
void check_local_refs(struct check_run *run, const struct spec_entity *e, const struct node *item);

#endif
