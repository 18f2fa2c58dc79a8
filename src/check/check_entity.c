/*
 * Walking one entity: its fields against the compiled schema, the entities nested in it,
 * its references to other entities, and the keys that must be unique across the file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_internal.h"

static const char *string_of(const struct node *n)
{
    return node_is_string(n) ? n->u.text : NULL;
}

static bool field_is_secret(const struct spec_record *r, const char *name)
{
    const struct spec_field *f = name ? spec_record_field(r, name, strlen(name)) : NULL;
    return f && (f->flags & SF_SECRET);
}

/* "route 'orders'", or "key-auth credential #2 of consumer 'alice'" when nothing names it. */
static const char *entity_label(struct check_run *run, const struct spec_entity *e,
                                const struct node *item, size_t index, const struct parent *parent)
{
    const char *name = NULL;
    if (e->label && !field_is_secret(&e->record, e->label))
        name = string_of(node_map_get(item, e->label));
    if (!name && e->primary_key)
        name = string_of(node_map_get(item, e->primary_key));
    const char *label;
    if (name)
        label = arena_printf(&run->scratch, "%s '%.80s'", e->singular, name);
    else if (parent)
        label = arena_printf(&run->scratch, "%s #%zu of %s", e->singular, index, parent->label);
    else
        label = arena_printf(&run->scratch, "%s #%zu", e->singular, index);
    return label ? label : e->singular;
}

/* The text of a reference: a string, or the id (or decK's name) inside a mapping. */
static const struct node *reference_value(const struct node *v)
{
    if (node_is_string(v))
        return v;
    static const char *const keys[] = {"id", "name", "username"};
    for (size_t i = 0; v && v->kind == NODE_MAPPING && i < 3; i++) {
        const struct node *inner = node_map_get(v, keys[i]);
        if (node_is_string(inner))
            return inner;
    }
    return NULL;
}

static bool names_parent(const struct parent *parent, const struct node *ref)
{
    static const char *const id = "id";
    const char *keys[2] = {parent->entity->primary_key ? parent->entity->primary_key : id,
                           parent->entity->endpoint_key};
    for (size_t i = 0; i < 2; i++) {
        const struct node *v = keys[i] ? node_map_get(parent->item, keys[i]) : NULL;
        if (v && node_equal(v, ref))
            return true;
    }
    return false;
}

/* A nested entity takes one reference from its nesting and may set no other. */
static void check_nested_references(struct check_run *run, const struct spec_record *rec,
                                    const struct node *item, const struct parent *parent)
{
    for (size_t i = 0; i < rec->nfields; i++) {
        const struct spec_field *f = &rec->fields[i];
        const struct node *v = f->type == FT_FOREIGN ? node_map_get(item, f->name) : NULL;
        if (!v || node_is_null(v))
            continue;
        path_push_key(&run->path, f->name, strlen(f->name));
        if (!strcmp(f->name, parent->foreign_field)) {
            const struct node *ref = reference_value(v);
            if (!ref || !names_parent(parent, ref))
                diag_add(run->sink, R_HOP3004, -1, &v->span, path_text(&run->path),
                         run->vctx.entity,
                         "'%s' must name %s, which this entity is nested in, or be left out",
                         f->name, parent->label);
        } else {
            const struct spec_entity *target = spec_entity_find(run->doc, f->reference);
            diag_add(run->sink, R_HOP3004, -1, &v->span, path_text(&run->path), run->vctx.entity,
                     "'%s' must be null here: an entity nested in %s cannot also refer to a %s; "
                     "move it to the top level to scope it to both",
                     f->name, parent->label, target ? target->singular : f->reference);
        }
        path_pop(&run->path);
    }
}

static void check_references(struct check_run *run, const struct spec_record *rec,
                             const struct node *item)
{
    for (size_t i = 0; i < rec->nfields; i++) {
        const struct spec_field *f = &rec->fields[i];
        const struct node *v = f->type == FT_FOREIGN ? node_map_get(item, f->name) : NULL;
        const struct spec_entity *target = v ? spec_entity_find(run->doc, f->reference) : NULL;
        if (!target || node_is_null(v))
            continue;
        const struct node *ref = reference_value(v);
        path_push_key(&run->path, f->name, strlen(f->name));
        if (!ref) {
            if (v->kind == NODE_MAPPING)
                diag_add(run->sink, R_HOP2003, -1, &v->span, path_text(&run->path),
                         run->vctx.entity, "'%s': a reference needs an 'id' or a 'name'",
                         f->name);
        } else if (!index_resolves(&run->index, (uint8_t)target->index, ref->u.text,
                                   ref->count)) {
            struct pending_ref p = {(uint8_t)target->index, ref->u.text, ref->count, ref->span,
                                    path_text(&run->path), run->vctx.entity, f->name,
                                    target->singular};
            if (index_defer(&run->index, &p) < 0)
                run->failed = true;
        }
        path_pop(&run->path);
    }
}

static void report_duplicate(struct check_run *run, const struct spec_entity *e,
                             const struct node *at, const char *what, uint32_t first_line)
{
    const struct spec_document *d = run->doc;
    if (run->duplicates_are_errors)
        diag_add(run->sink, R_HOP3002, GH_ERROR, &at->span, path_text(&run->path),
                 run->vctx.entity,
                 "uniqueness violation: a %s with %s is already declared at line %u",
                 e->singular, what, first_line);
    else
        diag_add(run->sink, R_HOP3002, GH_WARNING, &at->span, path_text(&run->path),
                 run->vctx.entity,
                 "a %s with %s is already declared at line %u; %s %s keeps only one of them, "
                 "without a warning",
                 e->singular, what, first_line, d->product, d->version_text);
}

static void define(struct check_run *run, const struct spec_entity *e, unsigned kind,
                   const struct node *v, bool report, const char *field, bool secret)
{
    uint32_t first = 0;
    int rc = index_define(&run->index, (uint8_t)e->index, kind, v->u.text, v->count,
                          v->span.line, &first);
    if (rc < 0) {
        run->failed = true;
        return;
    }
    if (rc == 0 && report) {
        char what[200];
        if (secret)
            snprintf(what, sizeof(what), "%s '<redacted>'", field);
        else
            snprintf(what, sizeof(what), "%s '%.120s'", field, v->u.text);
        report_duplicate(run, e, v, what, first);
    }
}

/* The entity a nested child belongs to, as a string for cache keys. */
static void parent_identity(const struct parent *parent, char *out, size_t size)
{
    const struct node *id = node_map_get(parent->item, "id");
    const struct node *key = parent->entity->endpoint_key
                                 ? node_map_get(parent->item, parent->entity->endpoint_key)
                                 : NULL;
    const struct node *v = node_is_string(id) ? id : node_is_string(key) ? key : NULL;
    if (v)
        snprintf(out, size, "%s", v->u.text);
    else
        snprintf(out, size, "@%u:%u", parent->item->span.line, parent->item->span.column);
}

/* Kong derives the id of an entity without one from its cache key, so equal keys collide. */
static void define_cache_key(struct check_run *run, const struct spec_entity *e,
                             const struct node *item, const struct parent *parent)
{
    char key[1024];
    size_t len = 0;
    for (size_t i = 0; i < e->n_cache_key && len < sizeof(key) - 1; i++) {
        const char *name = e->cache_key[i];
        char part[512] = "";
        const struct node *v = node_map_get(item, name);
        if (parent && !strcmp(name, parent->foreign_field) && (!v || node_is_null(v)))
            parent_identity(parent, part, sizeof(part));
        else if ((v = reference_value(v)) != NULL)
            snprintf(part, sizeof(part), "%s", v->u.text);
        int n = snprintf(key + len, sizeof(key) - len, "%s%s", i ? "\x1f" : "", part);
        len += n > 0 ? (size_t)n : 0;
    }
    if (len >= sizeof(key))
        len = sizeof(key) - 1;
    uint32_t first = 0;
    int rc = index_define(&run->index, (uint8_t)e->index, INDEX_CACHE_KEY, key, len,
                          item->span.line, &first);
    if (rc < 0) {
        run->failed = true;
    } else if (rc == 0) {
        char what[300];
        snprintf(what, sizeof(what), "the same %s", e->cache_key[0]);
        for (size_t i = 1; i < e->n_cache_key; i++) {
            size_t used = strlen(what);
            snprintf(what + used, sizeof(what) - used, "%s%s",
                     i + 1 == e->n_cache_key ? " and " : ", ", e->cache_key[i]);
        }
        report_duplicate(run, e, item, what, first);
    }
}

static void register_entity(struct check_run *run, const struct spec_entity *e,
                            const struct spec_record *rec, const struct node *item,
                            const struct parent *parent)
{
    const struct node *id = e->primary_key ? node_map_get(item, e->primary_key) : NULL;
    if (node_is_string(id))
        define(run, e, INDEX_ID, id, true, e->primary_key, false);
    const struct spec_field *ek =
        e->endpoint_key ? spec_record_field(rec, e->endpoint_key, strlen(e->endpoint_key)) : NULL;
    const struct node *key = ek ? node_map_get(item, ek->name) : NULL;
    if (node_is_string(key))
        define(run, e, INDEX_ENDPOINT, key, (ek->flags & SF_UNIQUE) != 0, ek->name,
               (ek->flags & SF_SECRET) != 0);
    for (size_t i = 0; i < rec->nfields; i++) {
        const struct spec_field *f = &rec->fields[i];
        if (!(f->flags & SF_UNIQUE) || f == ek)
            continue;
        const struct node *v = node_map_get(item, f->name);
        if (node_is_string(v))
            define(run, e, INDEX_UNIQUE + (unsigned)i, v, true, f->name,
                   (f->flags & SF_SECRET) != 0);
    }
    if (e->n_cache_key && !node_is_string(id))
        define_cache_key(run, e, item, parent);
}

static int compare_name(const void *key, const void *item)
{
    return strcmp(key, *(const char *const *)item);
}

static bool plugin_is_custom(const struct check_run *run, const char *name)
{
    for (size_t i = 0; i < run->opt->custom_plugin_count; i++)
        if (!strcmp(run->opt->custom_plugins[i], name))
            return true;
    return false;
}

static void check_plugin_name(struct check_run *run, const struct node *item)
{
    const struct node *name = node_map_get(item, "name");
    const struct spec_document *d = run->doc;
    if (!node_is_string(name) || plugin_is_custom(run, name->u.text) ||
        bsearch(name->u.text, d->plugins, d->nplugins, sizeof(*d->plugins), compare_name))
        return;
    path_push_key(&run->path, "name", 4);
    const struct node *list = d->all_plugins;
    for (uint32_t i = 0; list && i < list->count; i++) {
        const struct node *it = list->u.items[i];
        const struct node *v = it->kind == NODE_MAPPING ? node_map_get(it, "value") : it;
        enum rule_id rule;
        char phrase[160];
        if (node_equal(v, name) &&
            cond_explain(it, &d->target, d->product, &rule, phrase, sizeof(phrase))) {
            diag_add(run->sink, rule == R_HOP2001 ? R_HOP2014 : rule, -1, &name->span,
                     path_text(&run->path), run->vctx.entity,
                     "plugin '%s' %s, so %s %s does not bundle it", name->u.text, phrase,
                     d->product, d->version_text);
            path_pop(&run->path);
            return;
        }
    }
    diag_add(run->sink, R_HOP2014, -1, &name->span, path_text(&run->path), run->vctx.entity,
             "plugin '%.80s' is not bundled with %s %s; if the gateway loads it as a custom "
             "plugin, pass --custom-plugin %.80s",
             name->u.text, d->product, d->version_text, name->u.text);
    path_pop(&run->path);
}

struct nesting {
    struct check_run *run;
    const struct spec_entity *entity;
    const struct node *item;
    const char *label;
};

static void check_nested_list(struct nesting *n, const struct spec_child *child,
                              const struct node *value)
{
    struct check_run *run = n->run;
    if (value->kind != NODE_SEQUENCE && !(value->kind == NODE_MAPPING && value->count == 0)) {
        diag_add(run->sink, R_HOP2003, -1, &value->span, path_text(&run->path), run->vctx.entity,
                 "'%s': expected an array of %s, got %s", child->entity->name,
                 child->entity->name, node_describe(value));
        return;
    }
    struct parent parent = {n->entity, n->item, n->label, child->foreign_field};
    for (uint32_t i = 0; value->kind == NODE_SEQUENCE && i < value->count; i++) {
        path_push_index(&run->path, i);
        check_entity(run, child->entity, value->u.items[i], i, &parent);
        path_pop(&run->path);
    }
}

/* Keys of an entity that are not fields: the collections of entities nested in it. */
static bool nested_key(void *ctx, const struct node *key, const struct node *value)
{
    struct nesting *n = ctx;
    for (size_t i = 0; i < n->entity->nchildren; i++) {
        const struct spec_child *child = &n->entity->children[i];
        if (!node_text_equals(key, child->entity->name))
            continue;
        path_push_key(&n->run->path, key->u.text, key->count);
        check_nested_list(n, child, value);
        path_pop(&n->run->path);
        return true;
    }
    return false;
}

void check_entity(struct check_run *run, const struct spec_entity *e, const struct node *item,
                  size_t index, const struct parent *parent)
{
    if (!item)
        return; /* too large to read; already reported */
    if (item->kind != NODE_MAPPING) {
        diag_add(run->sink, R_HOP2003, -1, &item->span, path_text(&run->path), NULL,
                 "expected a %s (a mapping), got %s", e->singular, node_describe(item));
        return;
    }
    const char *outer = run->vctx.entity;
    const char *label = entity_label(run, e, item, index, parent);
    run->vctx.entity = label;
    const struct spec_record *rec = spec_entity_record_for(e, item);
    struct nesting nest = {run, e, item, label};
    struct record_options opt = {&run->doc->entity_extras, nested_key, &nest,
                                 parent ? parent->foreign_field : NULL};
    validate_record(&run->vctx, rec, item, &opt);
    if (e->subschema_names_from_plugins)
        check_plugin_name(run, item);
    if (parent)
        check_nested_references(run, rec, item, parent);
    else
        check_references(run, rec, item);
    register_entity(run, e, rec, item, parent);
    run->vctx.entity = outer;
}
