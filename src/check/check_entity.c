/*
 * Walking one entity: its fields against the compiled schema, the entities nested in it,
 * its references to other entities, and the keys that must be unique across the file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_internal.h"

/* An id as APISIX writes one: a string or an integer (it compares them as text). */
static bool is_id_scalar(const struct node *n)
{
    return node_is_string(n) || (n && n->kind == NODE_SCALAR && n->type == SCALAR_INT);
}

static bool field_is_secret(const struct spec_record *r, const char *name)
{
    const struct spec_field *f = name ? spec_record_field(r, name, strlen(name)) : NULL;
    return f && (f->flags & SF_SECRET);
}

/* "singular 'name'" (the name cut at 80 bytes), without printf: every entity gets one. */
static const char *join_label(struct arena *a, const char *singular, const char *name)
{
    size_t ls = strlen(singular), ln = strlen(name);
    if (ln > 80)
        ln = 80;
    char *out = arena_alloc(a, ls + ln + 4);
    if (!out)
        return NULL;
    memcpy(out, singular, ls);
    memcpy(out + ls, " '", 2);
    memcpy(out + ls + 2, name, ln);
    memcpy(out + ls + 2 + ln, "'", 2);
    return out;
}

/* "route 'orders'", or "key-auth credential #2 of consumer 'alice'" when nothing names it. */
static const char *entity_label(struct check_run *run, const struct spec_entity *e,
                                const struct node *item, size_t index, const struct parent *parent)
{
    const char *name = NULL;
    if (e->label && !field_is_secret(&e->record, e->label))
        name = string_of(node_map_get(item, e->label));
    const struct node *key = e->primary_key ? node_map_get(item, e->primary_key) : NULL;
    if (!name && is_id_scalar(key))
        name = key->u.text;
    const char *label;
    if (name)
        label = join_label(&run->scratch, e->singular, name);
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

/* Keeps a reference to check when the file has been read (path: at the field). */
static void defer_reference(struct check_run *run, const struct spec_entity *target,
                            const struct spec_field *f, const struct node *ref,
                            const char *if_resolved)
{
    struct pending_ref p = {
        (uint8_t)target->index, ref->u.text, ref->count,       ref->span,  path_text(&run->path),
        run->vctx.entity,       f->name,     target->singular, if_resolved};
    if (index_defer(&run->index, &p) < 0)
        run->failed = true;
}

static void resolve_reference(struct check_run *run, const struct spec_field *f,
                              const struct node *v)
{
    const struct spec_entity *target = spec_entity_find(run->doc, f->reference);
    if (!target || node_is_null(v))
        return;
    const struct node *ref = f->type == FT_FOREIGN ? reference_value(v) : v;
    if (!is_id_scalar(ref))
        ref = NULL;
    /* A template placeholder names whatever it will be filled with. */
    if (ref && is_placeholder(&run->vctx, ref))
        return;
    path_push_key(&run->path, f->name, strlen(f->name));
    if (!ref) {
        if (v->kind == NODE_MAPPING && f->type == FT_FOREIGN)
            diag_add(run->sink, R_HOP2003, -1, &v->span, path_text(&run->path), run->vctx.entity,
                     "'%s': a reference needs an 'id' or a 'name'", f->name);
    } else if (!index_resolves(&run->index, (uint8_t)target->index, ref->u.text, ref->count)) {
        defer_reference(run, target, f, ref, NULL);
    }
    path_pop(&run->path);
}

/*
 * A nested entity whose reference to its parent names another entity. Kong's loader resolves
 * it first: naming nothing in the file is an invalid reference (HOP3001); naming another
 * entity, the nesting wins (HOP3004). Either is known once the file has been read.
 */
static void check_parent_reference(struct check_run *run, const struct spec_entity *e,
                                   const struct spec_field *f, const struct node *v,
                                   const struct parent *parent)
{
    const struct node *ref = reference_value(v);
    if (ref && names_parent(parent, ref))
        return;
    const struct spec_entity *target = spec_entity_find(run->doc, f->reference);
    if (!ref || !is_id_scalar(ref) || !target) {
        resolve_reference(run, f, v); /* reports the malformed reference */
        return;
    }
    char note[600];
    snprintf(note, sizeof(note),
             "'%s' names %s %s, but this %s is nested in %s; Kong ignores the field and "
             "attaches the %s to %s",
             f->name, parent->entity->singular, diag_value(run->sink, ref, false), e->singular,
             parent->label, e->singular, parent->label);
    path_push_key(&run->path, f->name, strlen(f->name));
    defer_reference(run, target, f, ref, note);
    path_pop(&run->path);
}

/*
 * Kong fills a nested entity's reference to its parent from the nesting, overwriting what the
 * file says; references to other entities stay and scope it further (a plugin nested in a
 * service with a consumer applies to that consumer on that service).
 */
static void check_references(struct check_run *run, const struct spec_entity *e,
                             const struct spec_record *rec, const struct node **values,
                             const struct parent *parent)
{
    for (size_t i = 0; i < e->nid_ref; i++)
        if (values[e->id_ref_at[i]])
            resolve_reference(run, &rec->fields[e->id_ref_at[i]], values[e->id_ref_at[i]]);
    for (size_t i = 0; i < e->nforeign; i++) {
        const struct spec_field *f = &rec->fields[e->foreign_at[i]];
        const struct node *v = values[e->foreign_at[i]];
        if (!v || node_is_null(v))
            continue;
        if (!parent || strcmp(f->name, parent->foreign_field) != 0)
            resolve_reference(run, f, v);
        else
            check_parent_reference(run, e, f, v, parent);
    }
}

static const char *article(const char *word)
{
    return strchr("aeiouAEIOU", word[0]) ? "an" : "a";
}

static void report_duplicate(struct check_run *run, const struct spec_entity *e,
                             const struct node *at, const char *what, uint32_t first_line)
{
    const struct spec_document *d = run->doc;
    if (run->duplicates_are_errors)
        diag_add(run->sink, R_HOP3002, GH_ERROR, &at->span, path_text(&run->path), run->vctx.entity,
                 "uniqueness violation: %s %s with %s is already declared at line %u",
                 article(e->singular), e->singular, what, first_line);
    else
        diag_add(run->sink, R_HOP3002, GH_WARNING, &at->span, path_text(&run->path),
                 run->vctx.entity,
                 "%s %s with %s is already declared at line %u; %s %s keeps only one of them, "
                 "without a warning",
                 article(e->singular), e->singular, what, first_line, d->product, d->version_text);
}

/* Returns whether a repeat was reported. */
static bool define(struct check_run *run, const struct spec_entity *e, unsigned kind,
                   const struct node *v, bool report, const char *field, bool secret)
{
    uint32_t first = 0;
    int rc = index_define(&run->index, (uint8_t)e->index, kind, v->u.text, v->count, v->span.line,
                          &first);
    if (rc < 0) {
        run->failed = true;
        return false;
    }
    if (rc == 0 && report) {
        char what[200];
        if (secret)
            snprintf(what, sizeof(what), "%s '<redacted>'", field);
        else
            snprintf(what, sizeof(what), "%s '%.120s'", field, v->u.text);
        report_duplicate(run, e, v, what, first);
        return true;
    }
    return false;
}

static size_t put(char *key, size_t len, size_t size, const char *s, size_t n)
{
    if (n > size - len)
        n = size - len;
    memcpy(key + len, s, n);
    return len + n;
}

/* The entity a nested child belongs to: its id, its endpoint key, or its position. */
static size_t put_parent(char *key, size_t len, size_t size, const struct parent *parent)
{
    const struct node *id = node_map_get(parent->item, "id");
    const struct node *ek = parent->entity->endpoint_key
                                ? node_map_get(parent->item, parent->entity->endpoint_key)
                                : NULL;
    const struct node *v = node_is_string(id) ? id : node_is_string(ek) ? ek : NULL;
    if (v)
        return put(key, len, size, v->u.text, v->count);
    char at[32];
    int n = snprintf(at, sizeof(at), "@%u:%u", parent->item->span.line, parent->item->span.column);
    return put(key, len, size, at, n > 0 ? (size_t)n : 0);
}

/* Whether Kong builds a cache key at all: not when one of its fields is generated. */
static bool has_cache_key(const struct spec_entity *e, const struct spec_record *rec)
{
    if (!e->n_cache_key)
        return false;
    for (size_t i = 0; i < e->n_cache_key; i++)
        if (e->cache_key_at[i] >= 0 && (rec->fields[e->cache_key_at[i]].flags & SF_AUTO))
            return false;
    return true;
}

/* Appends a reference's text, or the parent's identity for the field the nesting fills. */
static size_t put_reference(char *key, size_t len, size_t size, const char *name,
                            const struct node *v, const struct parent *parent)
{
    if (parent && !strcmp(name, parent->foreign_field) && (!v || node_is_null(v)))
        return put_parent(key, len, size, parent);
    if ((v = reference_value(v)) != NULL)
        return put(key, len, size, v->u.text, v->count);
    return len;
}

static void report_id_collision(struct check_run *run, const struct spec_entity *e,
                                const struct node *item, const char *const *names, size_t n,
                                uint32_t first)
{
    char what[300];
    snprintf(what, sizeof(what), "the same %s", names[0]);
    for (size_t i = 1; i < n; i++) {
        size_t used = strlen(what);
        snprintf(what + used, sizeof(what) - used, "%s%s", i + 1 == n ? " and " : ", ", names[i]);
    }
    report_duplicate(run, e, item, what, first);
}

/*
 * Whether the cache key is one field that is unique by itself, written as a string (a basic-auth
 * credential's username): register_entity() has defined that field, so the cache key repeats
 * exactly when it does, and a key of its own would only cost memory (a key per credential).
 */
static bool cache_key_is_unique_field(const struct spec_entity *e, const struct spec_record *rec,
                                      const struct node **values)
{
    if (e->n_cache_key != 1 || e->cache_key_at[0] < 0)
        return false;
    int at = e->cache_key_at[0];
    return (rec->fields[at].flags & SF_UNIQUE) && node_is_string(values[at]);
}

/*
 * Kong gives an entity written without an id one derived from its cache key, or, when it has
 * none, from its endpoint key and the entities it belongs to; equal derivations collide.
 */
static void define_derived_id(struct check_run *run, const struct spec_entity *e,
                              const struct spec_record *rec, const struct node *item,
                              const struct node **values, const struct parent *parent, bool report)
{
    char key[1024];
    size_t len = 0;
    const char *names[16];
    size_t n = 0;
    if (cache_key_is_unique_field(e, rec, values))
        return;
    if (has_cache_key(e, rec)) {
        for (size_t i = 0; i < e->n_cache_key && n < 16; i++) {
            const struct node *v = e->cache_key_at[i] >= 0 ? values[e->cache_key_at[i]] : NULL;
            if (i)
                len = put(key, len, sizeof(key), "\x1f", 1);
            len = put_reference(key, len, sizeof(key), e->cache_key[i], v, parent);
            names[n++] = e->cache_key[i];
        }
    } else if (!e->n_cache_key && e->endpoint_at >= 0 &&
               !(rec->fields[e->endpoint_at].flags & SF_UNIQUE) &&
               node_is_string(values[e->endpoint_at])) {
        const struct node *v = values[e->endpoint_at];
        len = put(key, len, sizeof(key), v->u.text, v->count);
        names[n++] = e->endpoint_key;
        for (size_t i = 0; i < e->nforeign && n < 16; i++) {
            const struct spec_field *f = &rec->fields[e->foreign_at[i]];
            len = put(key, len, sizeof(key), "\x1f", 1);
            len = put_reference(key, len, sizeof(key), f->name, values[e->foreign_at[i]], parent);
            names[n++] = f->name;
        }
    } else {
        return;
    }
    uint32_t first = 0;
    int rc = index_define(&run->index, (uint8_t)e->index, INDEX_CACHE_KEY, key, len,
                          item->span.line, &first);
    if (rc < 0)
        run->failed = true;
    else if (rc == 0 && report)
        report_id_collision(run, e, item, names, n, first);
}

/*
 * The keys of a `unique_keys` mapping, each defined once across the collection. The slot is
 * the field's INDEX_UNIQUE one: a mapping never holds the string values `unique` indexes.
 */
static void define_unique_keys(struct check_run *run, const struct spec_entity *e,
                               const struct spec_field *f, int at, const struct node *map)
{
    for (uint32_t i = 0; map->kind == NODE_MAPPING && i < map->count; i++) {
        const struct node *key = map->u.pairs[i].key;
        uint32_t first = 0;
        if (!node_is_string(key))
            continue;
        int rc = index_define(&run->index, (uint8_t)e->index, INDEX_UNIQUE + (unsigned)at,
                              key->u.text, key->count, key->span.line, &first);
        if (rc < 0) {
            run->failed = true;
        } else if (rc == 0) {
            path_push_key(&run->path, f->name, strlen(f->name));
            path_push_key(&run->path, key->u.text, key->count);
            diag_add(run->sink, R_HOP3002, GH_WARNING, &key->span, path_text(&run->path),
                     run->vctx.entity, "'%.80s' is also in '%s' of the %s at line %u: %s",
                     key->u.text, f->name, e->singular, first, f->unique_keys);
            path_pop(&run->path);
            path_pop(&run->path);
        }
    }
}

static void register_entity(struct check_run *run, const struct spec_entity *e,
                            const struct spec_record *rec, const struct node *item,
                            const struct node **values, const struct parent *parent)
{
    bool reported = false;
    const struct node *id = e->primary_at >= 0 ? values[e->primary_at] : NULL;
    if (is_id_scalar(id))
        reported |= define(run, e, INDEX_ID, id, true, e->primary_key, false);
    const struct spec_field *ek = e->endpoint_at >= 0 ? &rec->fields[e->endpoint_at] : NULL;
    const struct node *key = ek ? values[e->endpoint_at] : NULL;
    if (node_is_string(key))
        reported |= define(run, e, INDEX_ENDPOINT, key, (ek->flags & SF_UNIQUE) != 0, ek->name,
                           (ek->flags & SF_SECRET) != 0);
    for (size_t i = 0; i < e->nunique; i++) {
        int at = e->unique_at[i];
        const struct spec_field *f = &rec->fields[at];
        const struct node *v = values[at];
        if (at != e->endpoint_at && node_is_string(v))
            reported |= define(run, e, INDEX_UNIQUE + (unsigned)at, v, !reported, f->name,
                               (f->flags & SF_SECRET) != 0);
    }
    for (size_t i = 0; i < e->nunique_keys; i++) {
        int at = e->unique_keys_at[i];
        if (values[at])
            define_unique_keys(run, e, &rec->fields[at], at, values[at]);
    }
    /* Kong reports one uniqueness violation per entity, so a repeat found above is enough. */
    if (!is_id_scalar(id))
        define_derived_id(run, e, rec, item, values, parent, !reported);
}

/*
 * decK fills a plugin's configuration from the `_plugin_configs` entry its `_config` names
 * (deep merge, the plugin's own values winning): the merged configuration, or NULL when it
 * cannot be known here (the shared configurations come later in the file, or the entry is
 * missing: reported).
 */
static const struct node *with_shared_config(struct check_run *run, const struct spec_entity *e,
                                             const struct node *item, const struct node *conf)
{
    const struct node *ref = node_map_get(item, e->shared_config_field);
    if (!run->shared_configs || !node_is_string(ref))
        return NULL; /* later in the file (decK reads it first), or of the wrong type */
    const struct node *shared = node_map_get(run->shared_configs, ref->u.text);
    if (!shared) {
        path_push_key(&run->path, e->shared_config_field, strlen(e->shared_config_field));
        diag_add(run->sink, R_HOP3001, -1, &ref->span, path_text(&run->path), run->vctx.entity,
                 "'%s' names '%s', which %s does not hold", e->shared_config_field, ref->u.text,
                 e->shared_configs_key);
        path_pop(&run->path);
        return NULL;
    }
    /* No configuration of its own: an empty one where `_config` stands, for the findings. */
    const struct node empty = {.kind = NODE_MAPPING, .span = ref->span};
    const struct node *own = conf && conf->kind == NODE_MAPPING ? conf : &empty;
    const struct node *merged = node_merge(&run->scratch, shared, own);
    if (!merged)
        run->failed = true;
    return merged;
}

/*
 * An item naming a plugin (Kong's plugins entity): the name must be a plugin of the target,
 * and the field `plugin_config` holds that plugin's configuration. A configuration left out
 * or null is checked as an empty one: Kong fills in the defaults, so a required field without
 * one is still missing.
 */
static void check_named_plugin(struct check_run *run, const struct spec_entity *e,
                               const struct node *item)
{
    const struct node *name = node_map_get(item, e->subschema_key);
    if (!node_is_string(name))
        return;
    path_push_key(&run->path, e->subschema_key, strlen(e->subschema_key));
    const struct spec_field *schema = NULL;
    bool known, is_config;
    if (e->plugin_config)
        schema = plugin_conf_schema(&run->vctx, name, PLUGIN_SCOPE_CONFIG, &known, &is_config);
    else
        check_plugin_known(&run->vctx, name);
    path_pop(&run->path);
    const struct node *conf = schema ? node_map_get(item, e->plugin_config) : NULL;
    /* [] is the same empty table as {} to Kong's Lua: checked as an empty configuration. */
    bool empty_table = conf && conf->kind == NODE_SEQUENCE && conf->count == 0;
    if (!schema || (conf && conf->kind != NODE_MAPPING && !node_is_null(conf) && !empty_table))
        return; /* unknown, unchecked, or of the wrong type (the entity's record said so) */
    if (e->shared_config_field && node_map_get(item, e->shared_config_field) &&
        !(conf = with_shared_config(run, e, item, conf)))
        return;
    struct node empty;
    memset(&empty, 0, sizeof(empty));
    empty.kind = NODE_MAPPING;
    empty.span = conf ? conf->span : name->span;
    path_push_key(&run->path, e->plugin_config, strlen(e->plugin_config));
    run->vctx.in_plugin_conf = true;
    validate_record(&run->vctx, schema->record, conf && conf->kind == NODE_MAPPING ? conf : &empty,
                    NULL);
    run->vctx.in_plugin_conf = false;
    path_pop(&run->path);
}

/*
 * Nesting fills the field naming the parent, so a subschema that wants it null (a Kong plugin
 * that cannot be applied to a consumer, nested under one) is broken by the nesting itself.
 */
static void check_nesting_allowed(struct check_run *run, const struct spec_record *rec,
                                  const struct node *item, const struct parent *parent)
{
    if (!parent || !parent->foreign_field)
        return;
    const struct spec_field *f =
        spec_record_field(rec, parent->foreign_field, strlen(parent->foreign_field));
    if (!f || !(f->flags & SF_SUBSCHEMA) || !f->eq || !node_is_null(f->eq))
        return;
    diag_add(run->sink, R_HOP2008, -1, &item->span, path_text(&run->path), run->vctx.entity,
             "%s (it is nested in %s)", f->err ? f->err : "it cannot be nested here",
             parent->label);
}

/* Keys of an item that are the entity's own fields: checked by the entity's record. */
static bool own_field(void *ctx, const struct node *key, const struct node *value)
{
    (void)value;
    const struct spec_record *r = ctx;
    return spec_record_field(r, key->u.text, key->count) != NULL;
}

/*
 * An item that configures the plugin its key names (APISIX plugin_metadata): the rest of its
 * keys are that plugin's configuration in the entity's scope.
 */
static void check_plugin_item(struct check_run *run, const struct spec_entity *e,
                              const struct spec_record *rec, const struct node *item)
{
    const struct node *name = node_map_get(item, e->plugin_key);
    if (!node_is_string(name))
        return;
    path_push_key(&run->path, e->plugin_key, strlen(e->plugin_key));
    bool known, is_config;
    const struct spec_field *schema =
        plugin_conf_schema(&run->vctx, name, e->plugin_scope, &known, &is_config);
    path_pop(&run->path);
    if (!schema)
        return;
    struct record_options opt = {NULL, own_field, (void *)rec, NULL, NULL};
    size_t errors = run->sink->by_severity[GH_ERROR];
    const char *plugin = run->vctx.plugin;
    run->vctx.plugin = name->u.text;
    validate_record(&run->vctx, schema->record, item, &opt);
    run->vctx.plugin = plugin;
    /* The gateway drops plugin metadata that fails its checks: only sound metadata counts. */
    if (e->plugin_scope == PLUGIN_SCOPE_METADATA && run->sink->by_severity[GH_ERROR] == errors)
        metadata_note(&run->vctx, name->u.text, item);
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
    /* null is an empty collection, as at the top level: Kong's declarative schema takes a nested
     * collection as an optional array field, and null leaves it unset (Kong's validate and
     * flatten specs, "accepts an empty list", 2.8 to 3.9). */
    if (node_is_null(value))
        return;
    if (value->kind != NODE_SEQUENCE && !(value->kind == NODE_MAPPING && value->count == 0)) {
        diag_add(run->sink, R_HOP2003, -1, &value->span, path_text(&run->path), run->vctx.entity,
                 "'%s': expected an array of %s, got %s", child->entity->name, child->entity->name,
                 node_describe(value));
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

/* Nested collections the entity must not hold together: the second one given is reported. A
 * list counts as given even when empty (ADC tests Array.isArray). */
static void check_exclusive_children(struct check_run *run, const struct spec_entity *e,
                                     const struct node *item)
{
    const struct node *first = NULL;
    for (size_t i = 0; i < e->n_exclusive_children; i++) {
        const struct node *key = NULL;
        for (uint32_t k = 0; k < item->count && !key; k++)
            if (node_text_equals(item->u.pairs[k].key, e->exclusive_children[i]) &&
                item->u.pairs[k].value->kind == NODE_SEQUENCE)
                key = item->u.pairs[k].key;
        if (!key)
            continue;
        if (!first) {
            first = key;
            continue;
        }
        path_push_key(&run->path, key->u.text, key->count);
        diag_add(run->sink, R_HOP2010, -1, &key->span, path_text(&run->path), run->vctx.entity,
                 "'%s' and '%s' must not be given together%s%s", first->u.text, key->u.text,
                 e->exclusive_err ? ": " : "", e->exclusive_err ? e->exclusive_err : "");
        path_pop(&run->path);
        return;
    }
}

/* The index slots of the item's id and endpoint key, fetched from memory while the item is
 * checked: register_entity() finds them in the cache then. */
static void prefetch_keys(const struct check_run *run, const struct spec_entity *e,
                          const struct node *item)
{
    const char *fields[2] = {e->primary_key, e->endpoint_key};
    const unsigned kinds[2] = {INDEX_ID, INDEX_ENDPOINT};
    for (size_t i = 0; i < 2; i++) {
        const struct node *v = fields[i] ? node_map_get(item, fields[i]) : NULL;
        if (node_is_string(v))
            index_prefetch(&run->index, (uint8_t)e->index, kinds[i], v->u.text, v->count);
    }
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
    if (!run->probe)
        prefetch_keys(run, e, item);
    const char *outer = run->vctx.entity;
    /* The probe records no finding: it has no use for the item's label. */
    const char *label = run->probe ? e->singular : entity_label(run, e, item, index, parent);
    run->vctx.entity = label;
    const struct spec_record *rec = spec_entity_record_for(e, item);
    const struct node **values = arena_alloc(&run->scratch, (rec->nfields + 1) * sizeof(*values));
    if (!values) {
        run->failed = true;
        run->vctx.entity = outer;
        return;
    }
    struct nesting nest = {run, e, item, label};
    struct record_options opt = {&run->doc->entity_extras, nested_key, &nest,
                                 parent ? parent->foreign_field : NULL, values};
    validate_record(&run->vctx, rec, item, &opt);
    if (e->unchecked) /* the gateway checks the item against a schema gatehop does not have */
        diag_add(run->sink, R_HOP9005, -1, &item->span, path_text(&run->path), label,
                 "not checked: %s", e->unchecked);
    if (e->n_exclusive_children && !run->probe)
        check_exclusive_children(run, e, item);
    if (e->subschema_names_from_plugins)
        check_named_plugin(run, e, item);
    if (e->nsubschemas && !run->probe)
        check_nesting_allowed(run, rec, item, parent);
    if (e->plugin_key)
        check_plugin_item(run, e, rec, item);
    if (!run->probe) {
        if (e->nlocal_refs)
            check_local_refs(run, e, item);
        check_references(run, e, rec, values, parent);
        register_entity(run, e, rec, item, values, parent);
    }
    run->vctx.entity = outer;
}
