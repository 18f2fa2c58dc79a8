/*
 * Building a plan: the hops between two releases and the rules that hold for this file.
 */
#include <stdio.h>
#include <string.h>

#include "rewrite.h"
#include "util/util_error.h"

static const char *text_of(const struct node *n)
{
    return n && node_is_string(n) ? n->u.text : NULL;
}

static enum rule_id rule_by_code(const char *code)
{
    for (size_t i = 0; i < RULE_COUNT; i++)
        if (!strcmp(rule_info((enum rule_id)i)->code, code))
            return (enum rule_id)i;
    return RULE_COUNT; /* the loader checked the code: not reached */
}

/* Whether a rule's `when` holds for a file whose marker is format (NULL when absent). */
static bool when_holds(const struct node *when, const char *format)
{
    const struct node *formats = when ? node_map_get(when, "format_version") : NULL;
    if (!formats)
        return true;
    for (uint32_t i = 0; i < formats->count; i++) {
        const struct node *f = formats->u.items[i];
        if (node_is_null(f) ? format == NULL : format && node_text_equals(f, format))
            return true;
    }
    return false;
}

/* What an operation's value is, and where the rule keeps it. */
enum op_arg { ARG_NONE, ARG_VALUE, ARG_NAME, ARG_TEXT, ARG_SEPARATOR, ARG_TRANSFORM };

static const struct {
    const char *name;
    enum rw_op op;
    enum op_arg arg;
} operations[] = {
    {"set", RW_SET, ARG_VALUE},
    {"rename", RW_RENAME, ARG_NAME},
    {"remove", RW_REMOVE, ARG_NONE},
    {"move", RW_MOVE, ARG_NAME},
    {"manual", RW_MANUAL, ARG_TEXT},
    {"notice", RW_NOTICE, ARG_TEXT},
    {"join", RW_JOIN, ARG_SEPARATOR},
    {"wrap", RW_WRAP, ARG_NONE},
    {"map", RW_MAP, ARG_VALUE},
    {"keep_default", RW_KEEP_DEFAULT, ARG_VALUE},
    {"transform", RW_TRANSFORM, ARG_TRANSFORM},
};

/* The operation of a `do` mapping (the loader checked it has exactly one). */
static int read_op(struct rw_rule *r, const struct node *def, const char *file, gh_error *err)
{
    const struct node_pair *op = &node_map_get(def, "do")->u.pairs[0];
    const struct node *v = op->value;
    size_t i = 0, n = sizeof(operations) / sizeof(operations[0]);
    while (i < n && !node_text_equals(op->key, operations[i].name))
        i++;
    if (i == n) /* the loader's list of operations and this one disagree */
        return error_set_at(err, GH_ESCHEMA, file, op->key->span.line, op->key->span.column,
                            "no rewrite for the operation '%s'", op->key->u.text);
    r->op = operations[i].op;
    switch (operations[i].arg) {
    case ARG_VALUE:
        r->value = v;
        break;
    case ARG_NAME:
        r->new_name = v->u.text;
        break;
    case ARG_TEXT:
        r->manual = v->u.text;
        break;
    case ARG_SEPARATOR:
        r->separator = v->u.text;
        break;
    case ARG_TRANSFORM:
        r->transform = named_transform_find(v->u.text)->fn;
        break;
    case ARG_NONE:
        break;
    }
    if (r->op == RW_SET && v->kind != NODE_SCALAR)
        return error_set_at(err, GH_ESCHEMA, file, v->span.line, v->span.column,
                            "'set' takes a single value");
    const struct node *both = r->op == RW_RENAME ? node_map_get(def, "both_set") : NULL;
    r->both_set = both ? both->u.text[0] : 0;
    if (r->op == RW_KEEP_DEFAULT)
        r->new_name = r->field; /* the change log names the field it writes */
    return 0;
}

/* A rule's own severity ("warning"), or -1 for its code's default. */
static int severity_of(const struct node *n)
{
    static const char *const names[] = {
        [GH_INFO] = "info", [GH_WARNING] = "warning", [GH_ERROR] = "error"};
    for (int s = GH_INFO; n && s <= GH_ERROR; s++)
        if (node_text_equals(n, names[s]))
            return s;
    return -1;
}

/* `at` as a list of entity names (one name is a list of one); NULL for the top level. */
static const struct node *entity_list(struct arena *a, const struct node *at)
{
    if (node_text_equals(at, "document") || at->kind == NODE_SEQUENCE)
        return at->kind == NODE_SEQUENCE ? at : NULL;
    struct node *list = arena_calloc(a, 1, sizeof(*list));
    struct node **items = arena_alloc(a, sizeof(*items));
    if (!list || !items)
        return at; /* out of memory: the loader's checks keep this from mattering */
    items[0] = (struct node *)at;
    *list = (struct node){.kind = NODE_SEQUENCE, .count = 1};
    list->u.items = items;
    return list;
}

/*
 * Whether the rule runs on hop h: the hop arriving at its release, and with `repeat`, every
 * later hop too (an export of a later release still writes the old field beside the new). A
 * rule about the file's format (`when: format_version`) whose release lies at or behind the
 * source runs on the first hop: a file still in the old format is read through the same
 * on-load migration, whatever release it was written for.
 */
static bool about_format(const struct node *def)
{
    return node_map_get(node_map_get(def, "when"), "format_version") != NULL;
}

static bool runs_on_hop(const struct rw_plan *plan, const struct node *def, size_t h)
{
    const struct node *hop = node_map_get(def, "hop");
    const struct node *repeat = node_map_get(def, "repeat");
    struct version v;
    version_parse(hop->u.text, hop->count, &v);
    int cmp = version_compare(&plan->hops[h].to, &v);
    if (cmp == 0 || (cmp > 0 && repeat && repeat->v.b))
        return true;
    return about_format(def) && h == 0 && version_compare(&plan->hops[0].from, &v) >= 0;
}

/* The hops: every listed release after `from`, up to and including `to`. */
static int build_hops(struct rw_plan *plan, const struct kb_product *p, const struct version *from,
                      const struct version *to)
{
    size_t n = kb_version_count(p);
    plan->hops = arena_calloc(&plan->arena, n ? n : 1, sizeof(*plan->hops));
    if (!plan->hops)
        return -1;
    struct version prev = *from;
    for (size_t i = 0; i < n; i++) {
        const struct version *v = kb_version_at(p, i);
        if (version_compare(v, from) <= 0 || version_compare(v, to) > 0)
            continue;
        plan->hops[plan->nhops++] = (struct rw_hop){prev, *v, NULL};
        prev = *v;
    }
    return 0;
}

/* Follows the marker through the hops: a rule that sets it changes it for later hops. */
static void track_format(struct rw_plan *plan, const struct rw_rule *r)
{
    bool on_marker =
        plan->format_field && !r->at && !strcmp(r->field, plan->format_field) && r->op == RW_SET;
    if (!on_marker)
        return;
    if (!plan->final_format && !plan->insert_format)
        plan->insert_format = r;
    plan->final_format = r->value->u.text;
}

int rw_plan_build(struct rw_plan *plan, const struct kb_product *p, const struct version *from,
                  const struct version *to, const char *format_version, const char *edition,
                  gh_error *err)
{
    memset(plan, 0, sizeof(*plan));
    arena_init(&plan->arena, 8 * 1024);
    plan->product = kb_product_name(p);
    plan->format_field = kb_format_field(p);
    plan->final_format = format_version ? arena_strdup(&plan->arena, format_version) : NULL;
    const struct node *rules = kb_upgrade_rules(p);
    if ((format_version && !plan->final_format) || build_hops(plan, p, from, to) < 0 ||
        !(plan->rules = arena_calloc(&plan->arena, rules ? rules->count * plan->nhops + 1 : 1,
                                     sizeof(*plan->rules))))
        return error_set(err, GH_ENOMEM, "out of memory");
    size_t next = 0;
    for (size_t h = 0; h < plan->nhops; h++) {
        plan->hops[h].format_version = plan->final_format;
        for (uint32_t i = 0; rules && i < rules->count; i++) {
            const struct node *def = rules->u.items[i];
            if (!runs_on_hop(plan, def, h) || !cond_in_edition(def, edition) ||
                !when_holds(node_map_get(def, "when"), plan->final_format))
                continue;
            struct rw_rule *r = &plan->rules[next];
            const struct node *each = node_map_get(def, "each");
            *r = (struct rw_rule){.rule = rule_by_code(text_of(node_map_get(def, "code"))),
                                  .hop = h,
                                  .at = entity_list(&plan->arena, node_map_get(def, "at")),
                                  .field = text_of(node_map_get(def, "field")),
                                  .each = each && each->v.b,
                                  .where = node_map_get(def, "where"),
                                  .ignored = node_map_get(def, "ignored"),
                                  .severity = severity_of(node_map_get(def, "severity")),
                                  .why = text_of(node_map_get(def, "why")),
                                  .about_format = about_format(def)};
            int rc = read_op(r, def, "upgrades.yaml", err);
            if (rc < 0)
                return rc;
            next++;
        }
        /* The marker changes after the hop's other rules have looked at it. */
        for (size_t i = plan->nrules; i < next; i++)
            track_format(plan, &plan->rules[i]);
        plan->nrules = next;
    }
    return 0;
}

void rw_plan_release(struct rw_plan *plan)
{
    arena_release(&plan->arena);
    memset(plan, 0, sizeof(*plan));
}

void rw_hop_text(const struct rw_hop *hop, char *out, size_t size)
{
    char a[32], b[32];
    version_format(&hop->from, a, sizeof(a));
    version_format(&hop->to, b, sizeof(b));
    snprintf(out, size, "%s -> %s", a, b);
}
