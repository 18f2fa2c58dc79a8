/*
 * Knowledge for editors (gatehop.h): what a key at a place in a document is, and which keys a
 * mapping there may hold. Answered from the compiled document the result was checked against,
 * with the lookups the checker walks a document with: collections and nested collections
 * (check.c, check_entity.c), an item's record by its subschema (spec_entity_record_for), a
 * plugin's schema for a scope (spec_plugin_find, spec_plugin_schema), records, elements and
 * plugin maps (schema_validate.c). Keys only another release has come from the definitions of
 * every release (all_fields, all_entities, all_plugins) and their conditions.
 */
#include <stdio.h>
#include <string.h>

#include "api_internal.h"
#include "model/model_write.h"
#include "util/util_buf.h"

/* What a walk down a place stands on. */
enum spot_kind {
    SPOT_NONE,     /* something gatehop does not know */
    SPOT_DOCUMENT, /* the top level: metadata fields and collections */
    SPOT_ENTITIES, /* a list of entities */
    SPOT_ENTITY,   /* one entity: its record, the keys of every entity, nested collections */
    SPOT_VALUE     /* a value a field defines: a record, a list, a map of plugins, ... */
};

struct spot {
    enum spot_kind kind;
    const struct spec_entity *entity; /* SPOT_ENTITIES, SPOT_ENTITY */
    const struct spec_record *record; /* SPOT_ENTITY: the item's record (its subschema) */
    const struct spec_field *field;   /* SPOT_VALUE */
    const struct spec_record *extras; /* SPOT_VALUE: keys every plugin's configuration takes */
    const struct spec_field *plugin;  /* SPOT_ENTITY: the schema of the plugin it names */
    const char *plugin_name;          /* ... and that plugin's name */
    bool in_plugin;                   /* inside a plugin's configuration */
    char owner[96];
};

/* The knowledge a result was checked against; plugins may be another product's (ADC files
 * checked for APISIX take APISIX's plugins). */
struct view {
    const struct spec_document *doc;
    const struct kb_product *product, *plugin_product;
    struct target plugin_target;
};

/* What a key names in the mapping it is a key of: one of these. */
struct key_hit {
    const struct spec_field *field;          /* a field of the target */
    const struct spec_entity *collection;    /* a list of entities */
    const struct node *collection_def;       /* ... and its entry in document.yaml, or NULL */
    const char *plugin;                      /* the name of a plugin, in a map of plugins */
    const struct node *plugin_def;           /* ... its entry in the product's plugin list */
    bool plugin_known;                       /* ... which the release has */
    const struct spec_field *plugin_schema;  /* ... and its schema in the map's scope, or NULL */
    const struct spec_record *plugin_extras; /* ... with the keys every plugin takes */
    const struct node *absent;               /* only another release's definition */
    bool absent_collection;                  /* ... of a collection (an entities list entry) */
    bool in_plugin;                          /* found inside a plugin's configuration */
};

static bool view_of(const gh_result *r, struct view *v)
{
    const struct check_info *i = &r->info;
    if (!i->doc || !i->kb_product)
        return false;
    const struct target *t = &i->doc->target;
    v->doc = i->doc;
    v->product = i->kb_product;
    v->plugin_product = t->backend ? t->backend : i->kb_product;
    v->plugin_target = *t;
    /* As the compiler takes a backend's plugins (schema_compile.c take_backend_plugins). */
    if (t->backend)
        v->plugin_target = (struct target){
            .version = t->backend_version,
            .flavor = FLAVOR_APISIX,
            .router_flavor = kb_default_router_flavor(t->backend, &t->backend_version)};
    return true;
}

static const struct target *target_for(const struct view *v, bool in_plugin)
{
    return in_plugin ? &v->plugin_target : &v->doc->target;
}

static const struct kb_product *product_for(const struct view *v, bool in_plugin)
{
    return in_plugin ? v->plugin_product : v->product;
}

/* ---- owners: what holds a key, for people ------------------------------------------------- */

/* a, b and c one after the other, cut to fit: owners are for people, a cut one still serves. */
static void owner_join(struct spot *s, const char *a, const char *b, const char *c)
{
    const char *parts[3] = {a, b, c};
    size_t used = 0;
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(parts[i]), room = sizeof(s->owner) - 1 - used;
        n = n < room ? n : room;
        memmove(s->owner + used, parts[i], n);
        used += n;
    }
    s->owner[used] = '\0';
}

/* "route's destinations", "plugin rate-limiting's config.redis": a record inside another. */
static void owner_descend(struct spot *s, const char *key)
{
    char outer[sizeof(s->owner)];
    memcpy(outer, s->owner, sizeof(outer));
    owner_join(s, outer, strstr(outer, "'s ") ? "." : "'s ", key);
}

/* "plugin limit-count's config", "plugin key-auth's consumer config". */
static void owner_plugin(struct spot *s, const char *plugin, enum plugin_scope scope)
{
    static const char *const scope_words[PLUGIN_SCOPE_COUNT] = {
        [PLUGIN_SCOPE_CONFIG] = "'s config",
        [PLUGIN_SCOPE_CONSUMER] = "'s consumer config",
        [PLUGIN_SCOPE_METADATA] = "'s metadata",
        [PLUGIN_SCOPE_STREAM] = "'s stream config"};
    owner_join(s, "plugin ", plugin, scope_words[scope] ? scope_words[scope] : "'s config");
}

/* ---- entering an entity ------------------------------------------------------------------- */

/*
 * The record an item of e is checked against when its own name is `name`: what
 * spec_entity_record_for() picks for an item holding only that (Kong's plugins pick their
 * subschema by name); an item whose subschema another field decides gets the default one.
 */
static const struct spec_record *record_named(const struct spec_entity *e, const char *name)
{
    bool by_name = e->subschema_key &&
                   (e->subschema_names_from_plugins || strcmp(e->subschema_key, "name") == 0);
    struct node key = {.kind = NODE_SCALAR, .type = SCALAR_STRING};
    struct node value = key;
    struct node_pair pair = {&key, &value};
    struct node item = {.kind = NODE_MAPPING, .u.pairs = &pair};
    if (by_name && name) {
        key.u.text = e->subschema_key;
        key.count = (uint32_t)strlen(e->subschema_key);
        value.u.text = name;
        value.count = (uint32_t)strlen(name);
        item.count = 1;
    }
    return spec_entity_record_for(e, &item);
}

/* The schema of the plugin an item names, in the scope its entity configures plugins in. */
static const struct spec_field *plugin_of_item(const struct view *v, const struct spec_entity *e,
                                               const char *name, enum plugin_scope *scope)
{
    if (!name || (!e->plugin_config && !e->plugin_key))
        return NULL;
    *scope = e->plugin_key ? e->plugin_scope : PLUGIN_SCOPE_CONFIG;
    const struct spec_plugin *p = spec_plugin_find(v->doc, name);
    bool is_config;
    const struct spec_field *schema = p ? spec_plugin_schema(p, *scope, &is_config) : NULL;
    return schema && schema->record ? schema : NULL;
}

static void enter_entity(const struct view *v, struct spot *s, const struct spec_entity *e,
                         const char *name)
{
    enum plugin_scope scope = PLUGIN_SCOPE_CONFIG;
    *s = (struct spot){.kind = SPOT_ENTITY, .entity = e, .record = record_named(e, name)};
    s->plugin = plugin_of_item(v, e, name, &scope);
    s->plugin_name = s->plugin ? name : NULL;
    owner_join(s, e->singular, s->plugin ? " " : "", s->plugin ? name : "");
}

/* ---- a value's shapes --------------------------------------------------------------------- */

/* The alternative of a type union that has the shape wanted (a mapping or a list), or f. */
static const struct spec_field *shaped(const struct spec_field *f, bool mapping)
{
    for (size_t i = 0; f && i < f->n_any_of; i++) {
        const struct spec_field *alt = f->any_of[i];
        if (mapping ? (alt->record || alt->plugin_map || alt->values) : alt->elements != NULL)
            return alt;
    }
    return f;
}

/* ---- finding a key ------------------------------------------------------------------------ */

/* The document.yaml entry of a collection (its conditions), or NULL. */
static const struct node *collection_entry(const struct spec_document *d, const char *name)
{
    const struct node *list = d->all_entities;
    for (uint32_t i = 0; list && i < list->count; i++)
        if (node_text_equals(spec_item_value(list->u.items[i]), name))
            return list->u.items[i];
    return NULL;
}

/*
 * A field or shorthand of a record; else its definition in another release. A field only
 * nesting sets (ADC's route `service`) is no key: the checker refuses it written (HOP2001).
 */
static bool record_key(const struct spec_record *r, const char *key, struct key_hit *hit)
{
    hit->field = NULL;
    hit->absent = NULL;
    if (!r)
        return false;
    size_t len = strlen(key);
    const struct spec_field *f = spec_record_field(r, key, len);
    const struct spec_shorthand *sh = f ? NULL : spec_record_shorthand(r, key, len);
    if (f && (f->flags & SF_IMPLIED))
        return false;
    if (f || sh) {
        hit->field = f ? f : &sh->value;
        return true;
    }
    hit->absent = r->all_fields ? node_map_get(r->all_fields, key) : NULL;
    return hit->absent != NULL;
}

static bool document_key(const struct view *v, const char *key, struct key_hit *hit)
{
    const struct spec_entity *e = spec_entity_find(v->doc, key);
    if (e && !e->nested_only) {
        hit->collection = e;
        hit->collection_def = collection_entry(v->doc, key);
        return true;
    }
    if (record_key(&v->doc->meta, key, hit))
        return true;
    hit->absent = e ? NULL : collection_entry(v->doc, key);
    hit->absent_collection = hit->absent != NULL;
    return hit->absent != NULL;
}

static bool entity_key(const struct view *v, const struct spot *s, const char *key,
                       struct key_hit *hit)
{
    /* The item's record, the keys every entity takes, and for an item configuring a plugin
     * (APISIX plugin_metadata) that plugin's schema: the records check_entity() checks it by. */
    const struct spec_record *records[3] = {s->record, &v->doc->entity_extras,
                                            s->plugin && s->entity->plugin_key ? s->plugin->record
                                                                               : NULL};
    const struct node *absent = NULL;
    bool absent_in_plugin = false;
    for (size_t i = 0; i < 3; i++) {
        hit->in_plugin = i == 2;
        if (record_key(records[i], key, hit) && hit->field)
            return true;
        if (!absent && hit->absent)
            absent = hit->absent, absent_in_plugin = i == 2;
    }
    hit->absent = NULL;
    hit->in_plugin = false;
    for (size_t i = 0; i < s->entity->nchildren; i++)
        if (strcmp(s->entity->children[i].entity->name, key) == 0) {
            hit->collection = s->entity->children[i].entity;
            hit->collection_def = collection_entry(v->doc, key);
            return true;
        }
    hit->absent = absent;
    hit->in_plugin = absent_in_plugin;
    return absent != NULL;
}

/* A key of a mapping of plugin configurations: a plugin of the release (whose schema in the
 * map's scope gatehop may lack), or of another one. */
static bool plugin_key(const struct view *v, const struct spec_field *f, const char *key,
                       struct key_hit *hit)
{
    const struct spec_plugin *p = spec_plugin_find(v->doc, key);
    const struct node *list = v->doc->all_plugins;
    for (uint32_t i = 0; list && i < list->count && !hit->plugin_def; i++)
        if (node_text_equals(spec_item_value(list->u.items[i]), key))
            hit->plugin_def = list->u.items[i];
    hit->plugin = key;
    hit->in_plugin = true;
    if (!p) {
        hit->absent = hit->plugin_def;
        return hit->absent != NULL;
    }
    bool is_config = false;
    const struct spec_field *schema = spec_plugin_schema(p, f->plugin_map, &is_config);
    hit->plugin_known = true;
    hit->plugin_schema = schema && schema->record ? schema : NULL;
    /* APISIX injects `_meta` into config schemas only (validate_conf_against). */
    hit->plugin_extras = is_config && f->values ? f->values->record : NULL;
    return true;
}

static bool value_key(const struct view *v, const struct spot *s, const char *key,
                      struct key_hit *hit)
{
    const struct spec_field *f = shaped(s->field, true);
    if (f->plugin_map)
        return plugin_key(v, f, key, hit);
    if (record_key(f->record, key, hit) && hit->field)
        return true;
    const struct node *absent = hit->absent;
    if (record_key(s->extras, key, hit) && hit->field)
        return true;
    hit->absent = absent ? absent : hit->absent;
    return hit->absent != NULL;
}

/* What key names at s; false when nothing gatehop knows. */
static bool find_key(const struct view *v, const struct spot *s, const char *key,
                     struct key_hit *hit)
{
    memset(hit, 0, sizeof(*hit));
    hit->in_plugin = s->in_plugin;
    switch (s->kind) {
    case SPOT_DOCUMENT:
        return document_key(v, key, hit);
    case SPOT_ENTITY:
        return entity_key(v, s, key, hit);
    case SPOT_VALUE:
        return value_key(v, s, key, hit);
    default:
        return false;
    }
}

/* ---- walking down a place ----------------------------------------------------------------- */

static void enter_value(struct spot *s, const struct spec_field *f,
                        const struct spec_record *extras)
{
    s->kind = SPOT_VALUE;
    s->field = f;
    s->extras = extras;
    s->entity = NULL;
    s->record = NULL;
    s->plugin = NULL;
}

/* Past a key: where its value stands. */
static void step_key(const struct view *v, struct spot *s, const char *key)
{
    struct key_hit hit;
    const struct spot from = *s;
    if (!find_key(v, &from, key, &hit) || hit.absent) {
        s->kind = SPOT_NONE;
    } else if (hit.collection) {
        *s = (struct spot){.kind = SPOT_ENTITIES, .entity = hit.collection};
    } else if (hit.plugin) {
        if (!hit.plugin_schema) {
            s->kind = SPOT_NONE; /* a configuration gatehop cannot check */
            return;
        }
        enter_value(s, hit.plugin_schema, hit.plugin_extras);
        s->in_plugin = true;
        owner_plugin(s, hit.plugin, shaped(from.field, true)->plugin_map);
    } else if (from.kind == SPOT_ENTITY && from.plugin && from.entity->plugin_config &&
               strcmp(key, from.entity->plugin_config) == 0) {
        /* Kong: `config` holds the configuration of the plugin `name` names. */
        enter_value(s, from.plugin, NULL);
        s->in_plugin = true;
        owner_join(s, "plugin ", from.plugin_name, "'s config");
    } else {
        enter_value(s, hit.field, NULL);
        s->in_plugin = hit.in_plugin;
        if (from.kind == SPOT_DOCUMENT)
            owner_join(s, key, "", "");
        else
            owner_descend(s, key);
    }
}

/* Past a list item: the entity it is, or the value its list's elements define. */
static void step_item(const struct view *v, struct spot *s, const char *name)
{
    const struct spec_field *f = s->kind == SPOT_VALUE ? shaped(s->field, false) : NULL;
    if (s->kind == SPOT_ENTITIES)
        enter_entity(v, s, s->entity, name);
    else if (f && f->elements)
        enter_value(s, f->elements, NULL);
    else
        s->kind = SPOT_NONE;
}

/* Where the place leads, all its steps taken (n: how many). */
static struct spot walk(const struct view *v, const gh_place_step *place, size_t n)
{
    struct spot s = {.kind = SPOT_DOCUMENT};
    snprintf(s.owner, sizeof(s.owner), "the top level");
    for (size_t i = 0; i < n && s.kind != SPOT_NONE; i++) {
        if (place[i].key)
            step_key(v, &s, place[i].key);
        else
            step_item(v, &s, place[i].name);
    }
    return s;
}

/* ---- filling a gh_field_info -------------------------------------------------------------- */

static void copy_text(char *out, size_t size, const char *text)
{
    snprintf(out, size, "%s", text ? text : "");
}

static void copy_version(char *out, size_t size, const struct version *ver)
{
    out[0] = '\0';
    if (version_is_set(ver))
        version_format(ver, out, size);
}

/* The value as compact JSON, cut to fit; -1 when out of memory. */
static int write_default(char *out, size_t size, const struct node *value)
{
    out[0] = '\0';
    if (!value)
        return 0;
    struct buf b;
    buf_init(&b, BUF_DEFAULT_MAX);
    int rc = write_flow_value(&b, value, WRITE_JSON);
    if (rc == 0)
        copy_text(out, size, buf_cstr(&b));
    buf_release(&b);
    return rc < 0 ? -1 : 0;
}

/* since and until of a definition, for the settings the key was looked up with. */
static const struct node *fill_span(gh_field_info *out, const struct node *def,
                                    const struct target *t)
{
    struct version since = {{0}, 0}, until = {{0}, 0};
    const struct node *variant = def ? cond_span(def, t, &since, &until) : NULL;
    copy_version(out->since, sizeof(out->since), &since);
    copy_version(out->until, sizeof(out->until), &until);
    return variant;
}

static void fill_deprecation(gh_field_info *out, const char *product, const char *since,
                             const char *message)
{
    if (message)
        copy_text(out->deprecated, sizeof(out->deprecated), message);
    else if (since)
        snprintf(out->deprecated, sizeof(out->deprecated), "deprecated since %s %s", product,
                 since);
}

static int fill_field(gh_field_info *out, const struct spec_field *f, const struct view *v,
                      bool in_plugin)
{
    copy_text(out->type, sizeof(out->type), field_type_name(f->type));
    out->required = (f->flags & SF_REQUIRED) != 0;
    out->in_target = true;
    fill_span(out, f->variants ? f->variants : f->where, target_for(v, in_plugin));
    fill_deprecation(out, v->doc->product, f->deprecated_since, f->deprecated_message);
    return write_default(out->default_json, sizeof(out->default_json), f->default_value);
}

/* A key only another release (or flavour) has: what its nearest definition says. */
static int fill_absent(gh_field_info *out, const struct node *def, const struct view *v,
                       bool in_plugin)
{
    const struct target *t = target_for(v, in_plugin);
    const struct kb_product *p = product_for(v, in_plugin);
    const struct node *variant = fill_span(out, def, t);
    if (!variant) /* another input flavour, router flavour or edition only */
        variant = def->kind == NODE_SEQUENCE ? def->u.items[0] : def;
    if (variant->kind != NODE_MAPPING)
        return 0;
    const struct node *type = kb_definition_keyword(p, variant, t, "type");
    const struct node *required = kb_definition_keyword(p, variant, t, "required");
    const struct node *dep = kb_definition_keyword(p, variant, t, "deprecated");
    copy_text(out->type, sizeof(out->type), node_is_string(type) ? type->u.text : "");
    out->required =
        required && required->kind == NODE_SCALAR && required->type == SCALAR_BOOL && required->v.b;
    if (dep) {
        const struct node *since = node_map_get(dep, "since"), *msg = node_map_get(dep, "message");
        fill_deprecation(out, v->doc->product, node_is_string(since) ? since->u.text : NULL,
                         node_is_string(msg) ? msg->u.text : NULL);
    }
    return write_default(out->default_json, sizeof(out->default_json),
                         kb_definition_keyword(p, variant, t, "default"));
}

/* A list of entities or a plugin's configuration, under the name the mapping gives it. */
static void fill_entry(gh_field_info *out, const char *type, const struct node *def,
                       const struct target *t, bool in_target)
{
    copy_text(out->type, sizeof(out->type), type);
    out->in_target = in_target;
    fill_span(out, def, t);
}

static int fill_hit(gh_field_info *out, const char *key, const struct key_hit *hit,
                    const struct view *v, const char *owner)
{
    memset(out, 0, sizeof(*out));
    copy_text(out->name, sizeof(out->name), key);
    copy_text(out->owner, sizeof(out->owner), owner);
    const struct target *t = target_for(v, hit->in_plugin);
    if (hit->collection || hit->absent_collection)
        fill_entry(out, "array", hit->collection_def ? hit->collection_def : hit->absent, t,
                   hit->collection != NULL);
    else if (hit->plugin)
        fill_entry(out, "record", hit->plugin_def, t, hit->plugin_known);
    else if (hit->field)
        return fill_field(out, hit->field, v, hit->in_plugin);
    else
        return fill_absent(out, hit->absent, v, hit->in_plugin);
    return 0;
}

/* ---- the API ------------------------------------------------------------------------------ */

int gh_result_describe(const gh_result *result, const gh_place_step *place, size_t n,
                       gh_field_info *out)
{
    struct view v;
    if (!result || !n || !place[n - 1].key || !view_of(result, &v))
        return 0;
    struct spot s = walk(&v, place, n - 1);
    struct key_hit hit;
    if (!find_key(&v, &s, place[n - 1].key, &hit))
        return 0;
    return fill_hit(out, place[n - 1].key, &hit, &v, s.owner) < 0 ? GH_ENOMEM : 1;
}

/* Hands each key of a listing to the caller, counted. */
struct lister {
    const struct view *v;
    const struct spot *spot;
    gh_field_fn fn;
    void *ctx;
    size_t count;
};

static void list_one(struct lister *l, const char *key)
{
    struct key_hit hit;
    gh_field_info info;
    if (!find_key(l->v, l->spot, key, &hit) || hit.absent)
        return;
    fill_hit(&info, key, &hit, l->v, l->spot->owner); /* out of memory: no default */
    l->fn(l->ctx, &info);
    l->count++;
}

/* A record's keys of the target, in the order its definitions list them, then its shorthands. */
static void list_record(struct lister *l, const struct spec_record *r)
{
    const struct node *all = r ? r->all_fields : NULL;
    for (uint32_t i = 0; all && i < all->count; i++) {
        const struct node *key = all->u.pairs[i].key;
        if (spec_record_field(r, key->u.text, key->count))
            list_one(l, key->u.text);
    }
    for (size_t i = 0; r && i < r->nshorthands; i++)
        list_one(l, r->shorthands[i].name);
}

static void list_plugins(struct lister *l, const struct spec_field *f)
{
    const struct spec_document *d = l->v->doc;
    bool stream_only = f->plugin_map == PLUGIN_SCOPE_STREAM && d->all_stream_plugins;
    for (size_t i = 0; i < d->nplugins; i++)
        if (!stream_only || spec_runs_on_stream_routes(d, d->plugins[i]))
            list_one(l, d->plugins[i]);
}

static void list_document(struct lister *l)
{
    const struct spec_document *d = l->v->doc;
    list_record(l, &d->meta);
    for (size_t i = 0; i < d->nentities; i++)
        if (!d->entities[i].nested_only)
            list_one(l, d->entities[i].name);
}

static void list_entity(struct lister *l, const struct spot *s)
{
    list_record(l, s->record);
    list_record(l, &l->v->doc->entity_extras);
    for (size_t i = 0; i < s->entity->nchildren; i++)
        list_one(l, s->entity->children[i].entity->name);
    if (s->plugin && s->entity->plugin_key)
        list_record(l, s->plugin->record);
}

size_t gh_result_keys(const gh_result *result, const gh_place_step *place, size_t n, gh_field_fn fn,
                      void *ctx)
{
    struct view v;
    if (!result || !fn || !view_of(result, &v))
        return 0;
    struct spot s = walk(&v, place, n);
    struct lister l = {&v, &s, fn, ctx, 0};
    const struct spec_field *f = s.kind == SPOT_VALUE ? shaped(s.field, true) : NULL;
    if (s.kind == SPOT_DOCUMENT)
        list_document(&l);
    else if (s.kind == SPOT_ENTITY)
        list_entity(&l, &s);
    else if (f && f->plugin_map)
        list_plugins(&l, f);
    else if (f && f->record) {
        list_record(&l, f->record);
        list_record(&l, s.extras);
    }
    return l.count;
}
