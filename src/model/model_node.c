#include "model_node.h"

#include <string.h>

#include "util/util_arena.h"

bool node_text_equals(const struct node *n, const char *s)
{
    size_t len = strlen(s);
    return node_is_string(n) && n->count == len && memcmp(n->u.text, s, len) == 0;
}

struct node *node_map_get(const struct node *map, const char *key)
{
    if (!map || map->kind != NODE_MAPPING)
        return NULL;
    size_t len = strlen(key);
    for (uint32_t i = 0; i < map->count; i++) {
        const struct node *k = map->u.pairs[i].key;
        if (k->kind == NODE_SCALAR && k->type == SCALAR_STRING && k->count == len &&
            k->u.text[0] == key[0] && memcmp(k->u.text, key, len) == 0)
            return map->u.pairs[i].value;
    }
    return NULL;
}

const char *node_describe(const struct node *n)
{
    if (!n)
        return "nothing";
    switch (n->kind) {
    case NODE_SEQUENCE:
        return "a sequence";
    case NODE_MAPPING:
        return "a mapping";
    default:
        break;
    }
    static const char *const scalar_names[] = {
        [SCALAR_STRING] = "a string", [SCALAR_NULL] = "null",
        [SCALAR_BOOL] = "a boolean",  [SCALAR_INT] = "an integer",
        [SCALAR_FLOAT] = "a number",  [SCALAR_TIMESTAMP] = "a timestamp",
    };
    return scalar_names[n->type];
}

static bool scalars_equal(const struct node *a, const struct node *b)
{
    if (a->type != b->type) {
        if (node_is_number(a) && node_is_number(b))
            return node_number(a) == node_number(b);
        return false;
    }
    switch (a->type) {
    case SCALAR_NULL:
        return true;
    case SCALAR_BOOL:
        return a->v.b == b->v.b;
    case SCALAR_INT:
        return a->v.i == b->v.i;
    case SCALAR_FLOAT:
        return a->v.f == b->v.f;
    default:
        return a->count == b->count && memcmp(a->u.text, b->u.text, a->count) == 0;
    }
}

bool node_equal(const struct node *a, const struct node *b)
{
    if (a == b)
        return true;
    if (!a || !b || a->kind != b->kind || a->count != b->count)
        return a && b && a->kind == NODE_SCALAR && b->kind == NODE_SCALAR && scalars_equal(a, b);
    if (a->kind == NODE_SCALAR)
        return scalars_equal(a, b);
    if (a->kind == NODE_SEQUENCE) {
        for (uint32_t i = 0; i < a->count; i++)
            if (!node_equal(a->u.items[i], b->u.items[i]))
                return false;
        return true;
    }
    for (uint32_t i = 0; i < a->count; i++) {
        const struct node_pair *p = &a->u.pairs[i];
        const struct node *other = NULL;
        for (uint32_t j = 0; j < b->count && !other; j++)
            if (node_equal(p->key, b->u.pairs[j].key))
                other = b->u.pairs[j].value;
        if (!other || !node_equal(p->value, other))
            return false;
    }
    return true;
}

const struct node *node_merge(struct arena *a, const struct node *base, const struct node *over)
{
    if (base->kind != NODE_MAPPING || over->kind != NODE_MAPPING)
        return over;
    struct node *m = arena_alloc(a, sizeof(*m));
    struct node_pair *pairs =
        arena_alloc(a, ((size_t)base->count + over->count + 1) * sizeof(*pairs));
    if (!m || !pairs)
        return NULL;
    *m = *over;
    m->count = 0;
    m->u.pairs = pairs;
    for (uint32_t i = 0; i < base->count; i++)
        if (!node_is_string(base->u.pairs[i].key) ||
            !node_map_get(over, base->u.pairs[i].key->u.text))
            pairs[m->count++] = base->u.pairs[i];
    for (uint32_t i = 0; i < over->count; i++) {
        const struct node_pair *p = &over->u.pairs[i];
        const struct node *under =
            node_is_string(p->key) ? node_map_get(base, p->key->u.text) : NULL;
        const struct node *value = under ? node_merge(a, under, p->value) : p->value;
        if (!value)
            return NULL;
        pairs[m->count++] = (struct node_pair){p->key, (struct node *)value};
    }
    return m;
}

struct node *node_copy(struct arena *a, const struct node *n)
{
    struct node *c = arena_alloc(a, sizeof(*c));
    if (!c)
        return NULL;
    *c = *n;
    if (n->kind == NODE_SCALAR) {
        c->u.text = arena_strndup(a, n->u.text, n->count);
        return c->u.text ? c : NULL;
    }
    if (n->kind == NODE_SEQUENCE) {
        c->u.items = arena_alloc(a, n->count * sizeof(*c->u.items));
        if (n->count && !c->u.items)
            return NULL;
        for (uint32_t i = 0; i < n->count; i++)
            if (!(c->u.items[i] = node_copy(a, n->u.items[i])))
                return NULL;
        return c;
    }
    c->u.pairs = arena_alloc(a, n->count * sizeof(*c->u.pairs));
    if (n->count && !c->u.pairs)
        return NULL;
    for (uint32_t i = 0; i < n->count; i++) {
        c->u.pairs[i].key = node_copy(a, n->u.pairs[i].key);
        c->u.pairs[i].value = node_copy(a, n->u.pairs[i].value);
        if (!c->u.pairs[i].key || !c->u.pairs[i].value)
            return NULL;
    }
    return c;
}

int position_compare(uint32_t line1, uint32_t column1, uint32_t line2, uint32_t column2)
{
    if (line1 != line2)
        return line1 < line2 ? -1 : 1;
    return column1 != column2 ? (column1 < column2 ? -1 : 1) : 0;
}
