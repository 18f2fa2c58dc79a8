/*
 * Applying a plan to the entries of a file: copy-on-write walks over entities and their
 * fields, each rule's operation at its field, and the entity written out anew where its text
 * cannot be edited in place.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rewrite_internal.h"
#include "util/util_buf.h"

/* ---- new nodes --------------------------------------------------------------------------- */

static struct node *new_string(struct rw_ctx *c, const struct node *like, const char *text)
{
    struct node *n = arena_alloc(c->nodes, sizeof(*n));
    if (!n)
        return NULL;
    *n = (struct node){.kind = NODE_SCALAR,
                       .type = SCALAR_STRING,
                       .style = like->style,
                       .count = (uint32_t)strlen(text),
                       .span = like->span};
    n->u.text = text;
    return n;
}

/* A scalar from the rules' data, placed where the value it replaces stood. */
static struct node *new_from_data(struct rw_ctx *c, const struct node *like,
                                  const struct node *data)
{
    struct node *n = arena_alloc(c->nodes, sizeof(*n));
    if (!n)
        return NULL;
    *n = *data;
    n->span = like->span;
    n->style = like->style;
    n->flags = 0;
    return n;
}

/* A private copy of a container, so one of its children can change. */
struct node *rw_clone(struct rw_ctx *c, const struct node *n)
{
    struct node *m = arena_alloc(c->nodes, sizeof(*m));
    if (!m)
        return NULL;
    *m = *n;
    m->flags &= (uint8_t) ~(NODE_ANCHORED | NODE_ANCHOR_DEF);
    size_t size = n->kind == NODE_MAPPING ? sizeof(struct node_pair) : sizeof(struct node *);
    void *children = n->count ? arena_alloc(c->nodes, n->count * size) : NULL;
    if (n->count && !children)
        return NULL;
    if (n->count)
        memcpy(children, n->kind == NODE_MAPPING ? (void *)n->u.pairs : (void *)n->u.items,
               n->count * size);
    if (n->kind == NODE_MAPPING)
        m->u.pairs = children;
    else
        m->u.items = children;
    return m;
}

/* [v], written in flow style where v stood. */
static struct node *list_of_one(struct rw_ctx *c, const struct node *v)
{
    struct node *n = arena_alloc(c->nodes, sizeof(*n));
    struct node **items = arena_alloc(c->nodes, sizeof(*items));
    if (!n || !items)
        return NULL;
    items[0] = (struct node *)v;
    *n = (struct node){.kind = NODE_SEQUENCE, .style = STYLE_FLOW, .count = 1, .span = v->span};
    n->u.items = items;
    return n;
}

/* ---- operations -------------------------------------------------------------------------- */

/* The new value of one scalar under a set or transform rule, or NULL when it stays. */
static const struct node *changed_scalar(struct rw_ctx *c, const struct rw_rule *r,
                                         const struct node *v)
{
    if (r->op == RW_SET)
        return node_equal(v, r->value) ? NULL : new_from_data(c, v, r->value);
    if (r->op == RW_KEEP_DEFAULT) /* null is left out too: the gateway fills the default */
        return node_is_null(v) ? new_from_data(c, v, r->value) : NULL;
    if (r->op == RW_WRAP)
        return node_is_null(v) ? NULL : list_of_one(c, v);
    if (r->op == RW_MAP) {
        for (uint32_t i = 0; i < r->value->count; i++)
            if (node_equal(v, r->value->u.pairs[i].key))
                return new_from_data(c, v, r->value->u.pairs[i].value);
        return NULL;
    }
    if (!node_is_string(v))
        return NULL; /* the schema check reports the wrong type */
    const char *text = r->transform(v->u.text, v->count, c->nodes);
    return text ? new_string(c, v, text) : NULL;
}

/*
 * A template placeholder (decK's ${{ env "X" }}, $NAME) is kept as written: what it stands
 * for is known only where it is filled in. When the rule would change the text as written,
 * the user is told to make the change once the value is known.
 */
static bool kept_placeholder(struct rw_ctx *c, const struct rw_rule *r, const struct site *s,
                             const char *field, const struct node *v)
{
    if (r->op != RW_TRANSFORM || !holds_placeholder(c->placeholders, v))
        return false;
    const struct node *now = changed_scalar(c, r, v);
    if (now && !node_equal(now, v)) {
        char what[200];
        snprintf(what, sizeof(what),
                 "'%s' holds a placeholder, so what it becomes is known only once it is "
                 "filled in: make this change by hand then",
                 field);
        rw_manual(c, r, s, v, what);
    }
    return true;
}

static const struct node *rewrite_scalar(struct rw_ctx *c, const struct rw_rule *r,
                                         const struct site *s, const char *field,
                                         const struct node *v)
{
    if (kept_placeholder(c, r, s, field, v))
        return v;
    const struct node *now = changed_scalar(c, r, v);
    if (!now)
        return v;
    bool secret = rw_field_is_secret(s->entity, s->item, field);
    struct rw_edit edit = rw_replace_edit(c, s, v, now);
    rw_record(c, r, s, CHANGE_VALUE, field, v, rw_shown(c->log, v, secret),
              rw_shown(c->log, now, secret), &edit);
    return now;
}

/* A list of strings joined into one ("a, b"), or NULL when v is not such a list. */
static struct node *joined(struct rw_ctx *c, const struct rw_rule *r, const struct node *v)
{
    if (v->kind != NODE_SEQUENCE || v->count == 0)
        return NULL;
    struct buf b;
    buf_init(&b, BUF_DEFAULT_MAX);
    bool strings = true;
    for (uint32_t i = 0; i < v->count && strings; i++) {
        strings =
            node_is_string(v->u.items[i]) && !holds_placeholder(c->placeholders, v->u.items[i]);
        if (strings)
            buf_printf(&b, "%s%s", i ? r->separator : "", v->u.items[i]->u.text);
    }
    const char *text = strings && b.data ? arena_strndup(c->nodes, b.data, b.len) : NULL;
    buf_release(&b);
    struct node *n = text ? arena_alloc(c->nodes, sizeof(*n)) : NULL;
    if (!n)
        return NULL; /* another type is the schema check's to report */
    *n = (struct node){.kind = NODE_SCALAR,
                       .type = SCALAR_STRING,
                       .style = STYLE_DOUBLE_QUOTED,
                       .count = (uint32_t)strlen(text),
                       .span = v->span};
    n->u.text = text;
    return n;
}

/*
 * A list becomes one string. A flow list (or JSON) is replaced where it stands; a block list
 * spans lines the string cannot take, so the item is written out anew.
 */
static const struct node *rewrite_joined(struct rw_ctx *c, const struct rw_rule *r,
                                         const struct site *s, const char *field,
                                         const struct node *v)
{
    struct node *now = joined(c, r, v);
    bool in_place = v->style == STYLE_FLOW || c->json;
    if (!now || (!in_place && !rw_may_reemit(c)))
        return v; /* an anchored item keeps its list: the schema check reports the type */
    bool secret = rw_field_is_secret(s->entity, s->item, field);
    struct node as_scalar = *v; /* the list's place, as a scalar's, for the edit */
    as_scalar.kind = NODE_SCALAR;
    as_scalar.style = STYLE_DOUBLE_QUOTED;
    as_scalar.count = 1;
    struct rw_edit edit = rw_replace_edit(c, s, &as_scalar, now);
    c->reemit = c->reemit || !in_place;
    rw_record(c, r, s, CHANGE_VALUE, field, v, rw_shown(c->log, v, secret),
              rw_shown(c->log, now, secret), in_place ? &edit : NULL);
    return now;
}

static const struct node *rewrite_value(struct rw_ctx *c, const struct rw_rule *r,
                                        const struct site *s, const char *field,
                                        const struct node *v)
{
    if (r->op == RW_JOIN)
        return rewrite_joined(c, r, s, field, v);
    if (!r->each || v->kind != NODE_SEQUENCE)
        return v->kind == NODE_SCALAR ? rewrite_scalar(c, r, s, field, v) : v;
    struct node *copy = NULL;
    struct site inner = *s;
    inner.flow = s->flow || v->style == STYLE_FLOW;
    for (uint32_t i = 0; i < v->count; i++) {
        path_push_index(&c->path, i);
        const struct node *now = rewrite_value(c, r, &inner, field, v->u.items[i]);
        path_pop(&c->path);
        if (now == v->u.items[i] || (!copy && !(copy = rw_clone(c, v))))
            continue;
        copy->u.items[i] = (struct node *)now;
    }
    return copy ? copy : v;
}

const struct node *rw_rename_key(struct rw_ctx *c, const struct rw_rule *r, const struct site *s,
                                 const struct node *key)
{
    struct node *now = new_string(c, key, r->new_name);
    if (!now)
        return key;
    struct rw_edit edit = rw_replace_edit(c, s, key, now);
    rw_record(c, r, s, CHANGE_KEY, key->u.text, key, rw_shown(c->log, key, false),
              rw_shown(c->log, now, false), &edit);
    return now;
}

int rw_find_key(const struct node *map, const char *name, size_t len)
{
    for (uint32_t i = 0; map->kind == NODE_MAPPING && i < map->count; i++) {
        const struct node *k = map->u.pairs[i].key;
        if (node_is_string(k) && k->count == len && !memcmp(k->u.text, name, len))
            return (int)i;
    }
    return -1;
}

/* The rule's operation on pair `at` of map (the field itself). */
static const struct node *apply_op(struct rw_ctx *c, const struct rw_rule *r, const struct site *s,
                                   const struct node *map, uint32_t at)
{
    const struct node_pair *p = &map->u.pairs[at];
    const struct node *key = p->key, *value = p->value;
    if (r->op == RW_REMOVE)
        return rw_remove_pair(c, r, s, map, at, NULL);
    if (r->op == RW_MOVE)
        return rw_move_pair(c, r, s, map, at);
    /* Nothing is rewritten: the finding says what to do, or how the gateway behaves now. */
    if (r->op == RW_MANUAL || r->op == RW_NOTICE) {
        rw_notice(c, r, s, key);
        return map;
    }
    if (r->op == RW_JOIN && value->kind == NODE_SEQUENCE && value->count == 0)
        return rw_remove_pair(c, r, s, map, at, "an empty list joins into nothing: the key goes");
    if (r->op == RW_RENAME) {
        int other = rw_find_key(map, r->new_name, strlen(r->new_name));
        if (other >= 0)
            return rw_rename_onto(c, r, s, map, at, (uint32_t)other);
        key = rw_rename_key(c, r, s, key);
    } else {
        value = rewrite_value(c, r, s, key->u.text, value);
    }
    if (key == p->key && value == p->value)
        return map;
    struct node *copy = rw_clone(c, map);
    if (!copy)
        return map;
    copy->u.pairs[at] = (struct node_pair){(struct node *)key, (struct node *)value};
    return copy;
}

/* Applies r to the field path `field` inside map; returns map or its rewritten copy. */
static const struct node *apply_in(struct rw_ctx *c, const struct rw_rule *r, const struct site *s,
                                   const struct node *map, const char *field);

/*
 * The rest of the path in every child of a container: the value of each key of a mapping (a
 * `*` segment), or each record of a list met on the way down (ai-proxy-advanced's targets).
 */
static const struct node *apply_in_children(struct rw_ctx *c, const struct rw_rule *r,
                                            const struct site *s, const struct node *container,
                                            const char *rest)
{
    struct node *copy = NULL;
    struct site inner = *s;
    inner.flow = s->flow || container->style == STYLE_FLOW;
    bool map = container->kind == NODE_MAPPING;
    for (uint32_t i = 0; i < container->count; i++) {
        const struct node *key = map ? container->u.pairs[i].key : NULL;
        const struct node *child = map ? container->u.pairs[i].value : container->u.items[i];
        if (map ? !node_is_string(key) : child->kind != NODE_MAPPING)
            continue; /* a list item that is no record: the schema check reports it */
        if (map)
            path_push_key(&c->path, key->u.text, key->count);
        else
            path_push_index(&c->path, i);
        const struct node *now = apply_in(c, r, &inner, child, rest);
        path_pop(&c->path);
        if (now == child || (!copy && !(copy = rw_clone(c, container))))
            continue;
        if (map)
            copy->u.pairs[i].value = (struct node *)now;
        else
            copy->u.items[i] = (struct node *)now;
    }
    return copy ? copy : container;
}

/* A final `*`: the operation on every pair of map, last first, so a removal moves no pair the
 * loop has still to visit. */
static const struct node *apply_to_each(struct rw_ctx *c, const struct rw_rule *r,
                                        const struct site *s, const struct node *map)
{
    struct site inner = *s;
    inner.flow = s->flow || map->style == STYLE_FLOW;
    const struct node *now = map;
    for (uint32_t i = map->count; i-- > 0;) {
        const struct node *key = map->u.pairs[i].key;
        if (!node_is_string(key))
            continue;
        path_push_key(&c->path, key->u.text, key->count);
        now = apply_op(c, r, &inner, now, i);
        path_pop(&c->path);
    }
    return now;
}

static const struct node *apply_in(struct rw_ctx *c, const struct rw_rule *r, const struct site *s,
                                   const struct node *map, const char *field)
{
    if (map && map->kind == NODE_SEQUENCE)
        return apply_in_children(c, r, s, map, field);
    const char *dot = strchr(field, '.');
    size_t len = dot ? (size_t)(dot - field) : strlen(field);
    bool each_key = len == 1 && field[0] == '*' && map && map->kind == NODE_MAPPING;
    if (each_key && dot)
        return apply_in_children(c, r, s, map, dot + 1);
    if (each_key)
        return apply_to_each(c, r, s, map);
    int at = map && map->kind == NODE_MAPPING ? rw_find_key(map, field, len) : -1;
    if (at < 0)
        return r->op == RW_KEEP_DEFAULT && map ? rw_add_default(c, r, s, map, field) : map;
    const struct node_pair *p = &map->u.pairs[at];
    struct site inner = *s;
    inner.flow = s->flow || map->style == STYLE_FLOW;
    path_push_key(&c->path, p->key->u.text, p->key->count);
    const struct node *now = map;
    if (!dot) {
        now = apply_op(c, r, &inner, map, (uint32_t)at);
    } else {
        const struct node *value = apply_in(c, r, &inner, p->value, dot + 1);
        struct node *copy = value != p->value ? rw_clone(c, map) : NULL;
        if (copy) {
            copy->u.pairs[at].value = (struct node *)value;
            now = copy;
        }
    }
    path_pop(&c->path);
    return now;
}

/* ---- entries ----------------------------------------------------------------------------- */

/* The value at a dotted field path ("plugins.request-id.algorithm"), or NULL. */
static const struct node *value_at(const struct node *item, const char *field)
{
    const struct node *n = item;
    for (const char *p = field; n;) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        int at = n->kind == NODE_MAPPING ? rw_find_key(n, p, len) : -1;
        n = at >= 0 ? n->u.pairs[at].value : NULL;
        if (!dot)
            return n;
        p = dot + 1;
    }
    return NULL;
}

/* A string starting with the text of `{prefix: TEXT}` (an https:// endpoint). */
static bool has_prefix(const struct node *have, const struct node *want)
{
    const struct node *prefix = want->kind == NODE_MAPPING ? node_map_get(want, "prefix") : NULL;
    return prefix && node_is_string(have) && have->count >= prefix->count &&
           !memcmp(have->u.text, prefix->u.text, prefix->count);
}

/* `{present: true}`: any value but null (a route's own upstream, whatever it holds). */
static bool is_written(const struct node *have, const struct node *want)
{
    return want->kind == NODE_MAPPING && node_map_get(want, "present") && !node_is_null(have);
}

/*
 * Every field the rule's `where` names has its value, one of its list of values, the prefix it
 * gives, or any value for {present: true}. A field left out matches a null (`~`) in `where`, as
 * a field written null does.
 */
static bool condition_holds(const struct node *want, const struct node *have)
{
    static const struct node null_node = {.kind = NODE_SCALAR, .type = SCALAR_NULL};
    if (!have)
        have = &null_node;
    bool match = node_equal(have, want) || has_prefix(have, want) || is_written(have, want);
    for (uint32_t j = 0; !match && want->kind == NODE_SEQUENCE && j < want->count; j++)
        match = node_equal(have, want->u.items[j]) || has_prefix(have, want->u.items[j]);
    return match;
}

static bool where_holds(const struct node *where, const struct node *item)
{
    for (uint32_t i = 0; where && i < where->count; i++)
        if (!condition_holds(where->u.pairs[i].value,
                             value_at(item, where->u.pairs[i].key->u.text)))
            return false;
    return true;
}

/* The rule's `where` condition on `name`, or NULL. */
static const struct node *name_condition(const struct rw_rule *r)
{
    return r->where && r->where->kind == NODE_MAPPING ? node_map_get(r->where, "name") : NULL;
}

/* The rule applies to this entity (one of its `at` names), or to the top level (no `at`). */
static bool rule_is_at(const struct rw_rule *r, const char *entity)
{
    if (!entity)
        return !r->at;
    for (uint32_t i = 0; r->at && i < r->at->count; i++)
        if (node_text_equals(spec_item_value(r->at->u.items[i]), entity))
            return true;
    return false;
}

void rw_begin(struct rw_ctx *c, const struct node *first_key)
{
    const struct rw_rule *r = c->plan->insert_format;
    if (!r || c->format_seen || !first_key)
        return;
    struct site s = {NULL, NULL, 0, false};
    struct buf b;
    buf_init(&b, 4096);
    enum write_context ctx = c->json ? WRITE_JSON : WRITE_BLOCK;
    write_string_like(&b, r->field, strlen(r->field), STYLE_PLAIN, ctx);
    buf_puts(&b, ": ");
    write_scalar(&b, r->value, STYLE_DOUBLE_QUOTED, ctx);
    struct rw_edit edit = {EDIT_INSERT_PAIR, first_key->span,
                           b.data ? arena_strndup(&c->log->arena, b.data, b.len) : NULL, false, 0};
    buf_release(&b);
    path_init(&c->path);
    path_push_key(&c->path, r->field, strlen(r->field));
    struct node *marker = new_from_data(c, first_key, r->value);
    if (marker)
        rw_record(c, r, &s, CHANGE_ADDED, r->field, marker, "(none)",
                  rw_shown(c->log, r->value, false), &edit);
    c->format_seen = true;
}

void rw_top_value(struct rw_ctx *c, const struct node **key, const struct node **value)
{
    if (!*key || !node_is_string(*key))
        return;
    if (c->plan->format_field && node_text_equals(*key, c->plan->format_field))
        c->format_seen = true;
    /* The top level is one mapping; a rule sees it as {key: value}. */
    struct node_pair pair = {(struct node *)*key, (struct node *)*value};
    struct node map = {.kind = NODE_MAPPING, .count = 1, .span = (*key)->span};
    map.u.pairs = &pair;
    const struct node *now = &map;
    struct site s = {NULL, NULL, 0, false};
    for (size_t i = 0; i < c->plan->nrules; i++) {
        const struct rw_rule *r = &c->plan->rules[i];
        if (!rule_is_at(r, NULL))
            continue;
        path_init(&c->path);
        now = apply_in(c, r, &s, now, r->field);
    }
    *key = now->u.pairs[0].key;
    *value = now->u.pairs[0].value;
}

void rw_list_key(struct rw_ctx *c, const struct node **key)
{
    static const struct node empty = {.kind = NODE_SEQUENCE};
    const struct node *value = &empty;
    rw_top_value(c, key, &value);
}

static const struct node *walk_children(struct rw_ctx *c, const struct spec_entity *e,
                                        const struct node *item);

/* The rules at entity kind e; NULL when they do not fit the cache. */
static const struct rw_rules_at *rules_at(struct rw_ctx *c, const struct spec_entity *e)
{
    for (size_t i = 0; i < c->nat; i++)
        if (c->at[i].entity == e)
            return &c->at[i];
    if (c->plan->nrules > 64 * RW_AT_WORDS || c->nat == sizeof(c->at) / sizeof(c->at[0]))
        return NULL;
    struct rw_rules_at *a = &c->at[c->nat++];
    memset(a, 0, sizeof(*a));
    a->entity = e;
    for (size_t i = 0; i < c->plan->nrules; i++)
        if (rule_is_at(&c->plan->rules[i], e->name)) {
            a->bits[i / 64] |= (uint64_t)1 << (i % 64);
            a->by_name |= name_condition(&c->plan->rules[i]) != NULL;
        }
    return a;
}

/* The rules of `a` that an item named `name` may meet; NULL: look at each. */
static const uint64_t *rules_named(struct rw_ctx *c, const struct rw_rules_at *a,
                                   const struct node *name)
{
    if (!a || !a->by_name || !node_is_string(name))
        return NULL;
    const struct spec_entity *e = a->entity;
    const uint64_t *at = a->bits;
    for (size_t i = 0; i < c->nnamed; i++)
        if (c->named[i].entity == e && !strcmp(c->named[i].name, name->u.text))
            return c->named[i].bits;
    if (c->nnamed == sizeof(c->named) / sizeof(c->named[0]))
        return NULL; /* many names: each rule is looked at, as without the cache */
    struct rw_rules_named *n = &c->named[c->nnamed];
    if (!(n->name = arena_strndup(&c->log->arena, name->u.text, name->count)))
        return NULL;
    n->entity = e;
    for (size_t i = 0; i < c->plan->nrules; i++) {
        const struct node *want = name_condition(&c->plan->rules[i]);
        bool may = ((at[i / 64] >> (i % 64)) & 1) && (!want || condition_holds(want, name));
        n->bits[i / 64] = may ? n->bits[i / 64] | (uint64_t)1 << (i % 64)
                              : n->bits[i / 64] & ~((uint64_t)1 << (i % 64));
    }
    c->nnamed++;
    return n->bits;
}

/* The first rule from i on whose bit is set; n when none. */
static size_t next_rule(const uint64_t *bits, size_t i, size_t n)
{
    for (size_t w = i / 64; w < RW_AT_WORDS && w * 64 < n; w++) {
        uint64_t x = bits[w] & (w == i / 64 ? ~(uint64_t)0 << (i % 64) : ~(uint64_t)0);
        if (x)
            return w * 64 + (size_t)__builtin_ctzll(x);
    }
    return n;
}

/* The rules for e on item, then the same for every entity nested in it. */
static const struct node *walk_entity(struct rw_ctx *c, const struct spec_entity *e,
                                      const struct node *item, size_t index, bool flow)
{
    struct site s = {e, item, index, flow};
    const struct node *now = item;
    const struct rw_rules_at *a = rules_at(c, e);
    const uint64_t *at = a ? a->bits : NULL;
    /* Only an entity kind with rules on `name` looks its items' names up. */
    const struct node *name = a && a->by_name ? value_at(item, "name") : NULL;
    const uint64_t *named = rules_named(c, a, name);
    size_t n = c->plan->nrules;
    for (size_t i = at ? next_rule(named ? named : at, 0, n) : 0; i < n;) {
        const struct rw_rule *r = &c->plan->rules[i];
        if ((at || rule_is_at(r, e->name)) && where_holds(r->where, now))
            now = apply_in(c, r, &s, now, r->field);
        /* A rule that changed the name leaves the cache's answer for the old one. */
        if (named && now != item && !node_equal(value_at(now, "name"), name))
            named = NULL;
        i = at ? next_rule(named ? named : at, i + 1, n) : i + 1;
    }
    return walk_children(c, e, now);
}

/* Nested collections (a service's routes): each element is an entity of its own. */
static const struct node *walk_children(struct rw_ctx *c, const struct spec_entity *e,
                                        const struct node *item)
{
    struct node *copy = NULL;
    for (size_t k = 0; k < e->nchildren; k++) {
        const struct spec_entity *child = e->children[k].entity;
        int at = rw_find_key(item, child->name, strlen(child->name));
        const struct node *list = at >= 0 ? item->u.pairs[at].value : NULL;
        if (!list || list->kind != NODE_SEQUENCE)
            continue;
        path_push_key(&c->path, child->name, strlen(child->name));
        struct node *list_copy = NULL;
        for (uint32_t i = 0; i < list->count; i++) {
            const struct node *elem = list->u.items[i];
            if (elem->kind != NODE_MAPPING)
                continue;
            path_push_index(&c->path, i);
            /* Inside a flow collection everything is flow: the element's own style tells. */
            const struct node *now = walk_entity(c, child, elem, i, elem->style == STYLE_FLOW);
            path_pop(&c->path);
            if (now != elem && (list_copy || (list_copy = rw_clone(c, list))))
                list_copy->u.items[i] = (struct node *)now;
        }
        path_pop(&c->path);
        if (list_copy && (copy || (copy = rw_clone(c, item))))
            copy->u.pairs[at].value = list_copy;
    }
    return copy ? copy : item;
}

/* Whether an anchor is defined inside n (re-emitting n would lose it for later aliases). */
static bool defines_anchor(const struct node *n, unsigned depth)
{
    if (n->flags & (NODE_ANCHORED | NODE_ANCHOR_DEF))
        return true;
    if (n->kind == NODE_SCALAR || depth > 200)
        return n->kind != NODE_SCALAR;
    for (uint32_t i = 0; i < n->count; i++) {
        bool found = n->kind == NODE_MAPPING ? defines_anchor(n->u.pairs[i].key, depth + 1) ||
                                                   defines_anchor(n->u.pairs[i].value, depth + 1)
                                             : defines_anchor(n->u.items[i], depth + 1);
        if (found)
            return true;
    }
    return false;
}

bool rw_may_reemit(struct rw_ctx *c)
{
    if (c->may_reemit == REEMIT_UNASKED)
        c->may_reemit =
            c->item && !c->json && !defines_anchor(c->item, 0) ? REEMIT_ALLOWED : REEMIT_REFUSED;
    return c->may_reemit == REEMIT_ALLOWED;
}

/*
 * Replaces the item's text with the rewritten item written out anew, at the item's
 * indentation: the edits made inside it so far are dropped, since the new text holds them.
 * A block item's text runs to the next token (its span's end), so comments and blank lines
 * up to the next item go with it; the next token's indentation is written back.
 */
static void reemit(struct rw_ctx *c, const struct node *item, const struct node *now,
                   size_t edits_before)
{
    struct buf b;
    buf_init(&b, BUF_DEFAULT_MAX);
    unsigned indent = item->span.column > 0 ? item->span.column - 1 : 0;
    if (c->json || item->style == STYLE_FLOW) {
        write_json_value(&b, now, indent);
    } else {
        write_yaml_value(&b, now, indent);
        struct span last = rw_content_end(item);
        if (item->span.end_line > last.end_line) {
            buf_putc(&b, '\n');
            for (uint32_t i = 1; i < item->span.end_column; i++)
                buf_putc(&b, ' ');
        }
    }
    struct span end = item->span;
    struct rw_edit edit = {EDIT_DELETE,
                           {item->span.line, item->span.column, end.end_line, end.end_column},
                           b.data ? arena_strndup(&c->log->arena, b.data, b.len) : NULL,
                           false,
                           c->log->nchanges ? c->log->nchanges - 1 : 0};
    buf_release(&b);
    if (!edit.text) {
        c->log->failed = true;
        return;
    }
    c->log->nedits = edits_before;
    c->log->edits[c->log->nedits++] = edit;
}

const struct node *rw_item(struct rw_ctx *c, const struct spec_entity *e, const struct node *key,
                           const struct node *item, size_t index)
{
    if (!item || item->kind != NODE_MAPPING)
        return item;
    path_init(&c->path);
    path_push_key(&c->path, key->u.text, key->count);
    path_push_index(&c->path, index);
    size_t edits_before = c->log->nedits;
    c->reemit = false;
    c->nmade = 0;
    /* An item written out anew keeps no anchors: one that defines any must be edited in place
     * (rw_may_reemit()). */
    c->item = item;
    c->may_reemit = REEMIT_UNASKED;
    const struct node *now = walk_entity(c, e, item, index, item->style == STYLE_FLOW);
    if (c->reemit)
        reemit(c, item, now, edits_before);
    c->item = NULL;
    c->may_reemit = REEMIT_REFUSED;
    return now;
}
