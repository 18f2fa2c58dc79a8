/*
 * References from plugin configurations to items of the entity's own lists: from API7
 * Enterprise 3.8 a traffic-split in a service, or in one of its routes, may only send traffic
 * to an upstream of that service. The data says which plugin field names what (local_refs in
 * docs/schema-format.md); this file collects the ids the entity offers and walks the plugins.
 */
#include <string.h>

#include "check_internal.h"
#include "util/util_sha1.h"

struct local_ids {
    const char **text; /* every id the entity offers, NUL-terminated */
    size_t n;
};

/* ADC's id for a resource that gives none: the SHA-1 of its name, "<parent>.<name>" when it is
 * nested (api7/adc libs/differ differv3 at v0.28.0). */
static const char *adc_id(struct arena *a, const char *parent_name, const char *name)
{
    char *hex = arena_alloc(a, SHA1_HEX_SIZE);
    if (!hex)
        return NULL;
    const char *pieces[3] = {parent_name, ".", name};
    size_t lens[3] = {parent_name ? strlen(parent_name) : 0, 1, strlen(name)};
    if (parent_name)
        sha1_hex(pieces, lens, 3, hex);
    else
        sha1_hex(&name, &lens[2], 1, hex);
    return hex;
}

/* The id of one item: its own `id`, else (with ADC's ids) the one derived from its name. */
static const char *item_id(struct arena *a, const struct spec_local_ref *ref,
                           const char *parent_name, const struct node *item)
{
    const char *id = string_of(node_map_get(item, "id"));
    const char *name = string_of(node_map_get(item, "name"));
    if (id || !ref->adc_ids || !name)
        return id;
    return adc_id(a, parent_name, name);
}

static bool collect_ids(struct check_run *run, const struct spec_local_ref *ref,
                        const struct node *entity, struct local_ids *out)
{
    const struct node *list = node_map_get(entity, ref->among);
    size_t room = 1 + (list && list->kind == NODE_SEQUENCE ? list->count : 0);
    out->text = arena_alloc(&run->scratch, room * sizeof(*out->text));
    out->n = 0;
    if (!out->text)
        return false;
    const char *entity_name = string_of(node_map_get(entity, "name"));
    const char *own = ref->own_id ? item_id(&run->scratch, ref, NULL, entity) : NULL;
    if (own)
        out->text[out->n++] = own;
    for (size_t i = 0; room > 1 && i < list->count; i++) {
        const char *id = item_id(&run->scratch, ref, entity_name, list->u.items[i]);
        if (id)
            out->text[out->n++] = id;
    }
    return true;
}

static bool offered(const struct local_ids *ids, const struct node *v)
{
    for (size_t i = 0; i < ids->n; i++)
        if (strlen(ids->text[i]) == v->count && memcmp(ids->text[i], v->u.text, v->count) == 0)
            return true;
    return false;
}

struct ref_walk {
    struct check_run *run;
    const struct spec_local_ref *ref;
    const struct local_ids *ids;
    const char *owner; /* "service 'checkout'" */
};

static void check_named(struct ref_walk *w, const struct node *v)
{
    /* A value from a variable or a secret cannot be known offline. */
    if (!node_is_string(v) || memchr(v->u.text, '$', v->count) || offered(w->ids, v))
        return;
    const char *field = w->ref->field[w->ref->nfield - 1];
    diag_add(w->run->sink, R_HOP3001, -1, &v->span, path_text(&w->run->path), w->run->vctx.entity,
             "'%s' is %s, which is not one of the %s of %s%s%s", field,
             diag_value(w->run->sink, v, false), w->ref->among, w->owner, w->ref->err ? ": " : "",
             w->ref->err ? w->ref->err : "");
}

/* Follows the field path from `depth`, through every item of the lists met on the way. */
static void walk_field(struct ref_walk *w, const struct node *n, size_t depth)
{
    struct path *path = &w->run->path;
    if (n && n->kind == NODE_SEQUENCE) {
        for (uint32_t i = 0; i < n->count; i++) {
            path_push_index(path, i);
            walk_field(w, n->u.items[i], depth);
            path_pop(path);
        }
        return;
    }
    if (depth == w->ref->nfield) {
        check_named(w, n);
        return;
    }
    const char *key = w->ref->field[depth];
    const struct node *next = n && n->kind == NODE_MAPPING ? node_map_get(n, key) : NULL;
    if (!next)
        return;
    path_push_key(path, key, strlen(key));
    walk_field(w, next, depth + 1);
    path_pop(path);
}

/* The plugin's configuration in one holder's `plugins` (the entity or a nested child). */
static void walk_plugins(struct ref_walk *w, const struct node *holder)
{
    const struct node *plugins = node_map_get(holder, "plugins");
    const struct node *conf =
        plugins && plugins->kind == NODE_MAPPING ? node_map_get(plugins, w->ref->plugin) : NULL;
    if (!conf)
        return;
    struct path *path = &w->run->path;
    path_push_key(path, "plugins", 7);
    path_push_key(path, w->ref->plugin, strlen(w->ref->plugin));
    walk_field(w, conf, 0);
    path_pop(path);
    path_pop(path);
}

static void walk_children(struct ref_walk *w, const struct spec_entity *e, const struct node *item)
{
    struct path *path = &w->run->path;
    for (size_t c = 0; c < e->nchildren; c++) {
        const char *name = e->children[c].entity->name;
        const struct node *list = node_map_get(item, name);
        if (!list || list->kind != NODE_SEQUENCE)
            continue;
        path_push_key(path, name, strlen(name));
        for (uint32_t i = 0; i < list->count; i++) {
            path_push_index(path, i);
            walk_plugins(w, list->u.items[i]);
            path_pop(path);
        }
        path_pop(path);
    }
}

void check_local_refs(struct check_run *run, const struct spec_entity *e, const struct node *item)
{
    for (size_t i = 0; i < e->nlocal_refs; i++) {
        struct local_ids ids;
        if (!collect_ids(run, &e->local_refs[i], item, &ids)) {
            run->failed = true;
            return;
        }
        struct ref_walk w = {run, &e->local_refs[i], &ids, run->vctx.entity};
        walk_plugins(&w, item);
        walk_children(&w, e, item);
    }
}
