/*
 * Conditions on definitions: since, until, flavors, router_flavors, editions
 * (docs/schema-format.md).
 * The loader has already checked their shape, so parsing here cannot fail.
 */
#include <stdio.h>
#include <string.h>

#include "schema.h"

static const char *const flavor_names[FLAVOR_COUNT] = {"kong", "dbexport", "deck", "apisix", "adc"};
static const char *const flavor_phrases[FLAVOR_COUNT] = {
    "Kong declarative files", "kong config db_export dumps", "decK state files",
    "APISIX standalone files", "ADC files"};

const char *flavor_name(enum flavor f)
{
    return flavor_names[f];
}

bool flavor_from_name(const char *name, enum flavor *out)
{
    for (int i = 0; i < FLAVOR_COUNT; i++)
        if (strcmp(flavor_names[i], name) == 0) {
            *out = (enum flavor)i;
            return true;
        }
    return false;
}

static const char *const plugin_scope_names[PLUGIN_SCOPE_COUNT] = {
    [PLUGIN_SCOPE_CONFIG] = "config",
    [PLUGIN_SCOPE_CONSUMER] = "consumer",
    [PLUGIN_SCOPE_METADATA] = "metadata",
    [PLUGIN_SCOPE_STREAM] = "stream"};

bool plugin_scope_from_name(const char *name, enum plugin_scope *out)
{
    for (int i = PLUGIN_SCOPE_CONFIG; i < PLUGIN_SCOPE_COUNT; i++)
        if (strcmp(plugin_scope_names[i], name) == 0) {
            *out = (enum plugin_scope)i;
            return true;
        }
    return false;
}

const char *plugin_scope_name(enum plugin_scope scope)
{
    return plugin_scope_names[scope];
}

const struct node *spec_item_value(const struct node *item)
{
    return item && item->kind == NODE_MAPPING ? node_map_get(item, "value") : item;
}

const struct node *spec_choice_find(const struct node *choices, const char *name)
{
    for (uint32_t i = 0; name && choices && i < choices->count; i++) {
        const struct node *c = choices->u.items[i];
        if (node_text_equals(node_map_get(c, "value"), name))
            return c;
        const struct node *aliases = node_map_get(c, "aliases");
        for (uint32_t j = 0; aliases && j < aliases->count; j++)
            if (node_text_equals(aliases->u.items[j], name))
                return c;
    }
    return NULL;
}

static bool version_of(const struct node *def, const char *key, struct version *v)
{
    const struct node *n = node_map_get(def, key);
    return n && version_parse(n->u.text, n->count, v);
}

static bool list_has(const struct node *list, const char *name)
{
    if (!list || list->kind != NODE_SEQUENCE)
        return true;
    for (uint32_t i = 0; i < list->count; i++)
        if (node_text_equals(list->u.items[i], name))
            return true;
    return false;
}

bool cond_in_edition(const struct node *def, const char *edition)
{
    return !edition || !def || def->kind != NODE_MAPPING ||
           list_has(node_map_get(def, "editions"), edition);
}

bool cond_settings_hold(const struct node *def, const struct target *t)
{
    if (!def || def->kind != NODE_MAPPING)
        return true;
    if (!list_has(node_map_get(def, "flavors"), flavor_names[t->flavor]))
        return false;
    if (t->router_flavor && !list_has(node_map_get(def, "router_flavors"), t->router_flavor))
        return false;
    return cond_in_edition(def, t->edition);
}

bool cond_holds(const struct node *def, const struct target *t)
{
    if (!def || def->kind != NODE_MAPPING)
        return true;
    struct version v;
    if (version_of(def, "since", &v) && version_compare(&t->version, &v) < 0)
        return false;
    if (version_of(def, "until", &v) && version_compare(&t->version, &v) >= 0)
        return false;
    return cond_settings_hold(def, t);
}

static uint32_t variant_count(const struct node *def)
{
    return def->kind == NODE_SEQUENCE ? def->count : 1;
}

static const struct node *variant_at(const struct node *def, uint32_t i)
{
    return def->kind == NODE_SEQUENCE ? def->u.items[i] : def;
}

/* A variant's first release and the release that removed it; count 0 where it names none. */
static void variant_bounds(const struct node *v, struct version *since, struct version *until)
{
    static const struct version none = {{0}, 0};
    if (!version_of(v, "since", since))
        *since = none;
    if (!version_of(v, "until", until))
        *until = none;
}

/* Moves *edge over the variants (for t's settings) that meet it: back to the first release of
 * one that ends there, or on to the end of one that starts there, as far as they go. */
static void extend_run(const struct node *def, const struct target *t, struct version *edge,
                       bool backwards)
{
    for (uint32_t steps = 0; edge->count && steps < variant_count(def); steps++) {
        bool moved = false;
        for (uint32_t i = 0; i < variant_count(def) && !moved; i++) {
            const struct node *v = variant_at(def, i);
            struct version since, until;
            variant_bounds(v, &since, &until);
            const struct version *meets = backwards ? &until : &since;
            if (!cond_settings_hold(v, t) || !meets->count || version_compare(meets, edge) != 0)
                continue;
            *edge = backwards ? since : until;
            moved = true;
        }
        if (!moved)
            return;
    }
}

const struct node *cond_span(const struct node *def, const struct target *t, struct version *since,
                             struct version *until)
{
    const struct node *at = NULL, *after = NULL, *before = NULL;
    struct version after_since = {{0}, 0}, before_until = {{0}, 0};
    for (uint32_t i = 0; def && i < variant_count(def) && !at; i++) {
        const struct node *v = variant_at(def, i);
        struct version s, u;
        variant_bounds(v, &s, &u);
        if (!cond_settings_hold(v, t))
            continue;
        if (cond_holds(v, t)) {
            at = v;
        } else if (s.count && version_compare(&s, &t->version) > 0) {
            if (!after || version_compare(&s, &after_since) < 0)
                after = v, after_since = s;
        } else if (u.count && (!before || version_compare(&u, &before_until) > 0)) {
            before = v, before_until = u;
        }
    }
    const struct node *nearest = at ? at : after ? after : before;
    if (!nearest)
        return NULL;
    variant_bounds(nearest, since, until);
    extend_run(def, t, since, true);
    extend_run(def, t, until, false);
    return nearest;
}

/* "enterprise" or "oss or enterprise": a condition's list of names, for messages. */
static void join_names(const struct node *list, char *out, size_t size)
{
    out[0] = '\0';
    for (uint32_t i = 0; list && i < list->count; i++) {
        size_t used = strlen(out);
        snprintf(out + used, size - used, "%s%s", i ? " or " : "", list->u.items[i]->u.text);
    }
}

static void join_flavors(const struct node *list, char *out, size_t size)
{
    out[0] = '\0';
    size_t used = 0;
    for (uint32_t i = 0; i < list->count && used < size; i++) {
        enum flavor f;
        const char *name = list->u.items[i]->u.text;
        const char *phrase = flavor_from_name(name, &f) ? flavor_phrases[f] : name;
        int n = snprintf(out + used, size - used, "%s%s", i ? " and " : "", phrase);
        used += n > 0 ? (size_t)n : 0;
    }
}

bool cond_explain(const struct node *def, const struct target *t, const char *product,
                  enum rule_id *rule, char *phrase, size_t size)
{
    if (cond_holds(def, t))
        return false;
    struct version v;
    char text[32];
    if (version_of(def, "since", &v) && version_compare(&t->version, &v) < 0) {
        version_format(&v, text, sizeof(text));
        *rule = R_HOP2013;
        snprintf(phrase, size, "was added in %s %s", product, text);
        return true;
    }
    if (version_of(def, "until", &v) && version_compare(&t->version, &v) >= 0) {
        version_format(&v, text, sizeof(text));
        *rule = R_HOP4001;
        snprintf(phrase, size, "was removed in %s %s", product, text);
        return true;
    }
    const struct node *flavors = node_map_get(def, "flavors");
    if (!list_has(flavors, flavor_names[t->flavor])) {
        char list[128];
        join_flavors(flavors, list, sizeof(list));
        *rule = R_HOP2001;
        snprintf(phrase, size, "is accepted only in %s", list);
        return true;
    }
    const struct node *editions = node_map_get(def, "editions");
    char list[128];
    if (t->edition && !list_has(editions, t->edition)) {
        join_names(editions, list, sizeof(list));
        *rule = R_HOP2001;
        snprintf(phrase, size, "exists only in the %s edition (--edition %s)", list,
                 editions->u.items[0]->u.text);
        return true;
    }
    join_names(node_map_get(def, "router_flavors"), list, sizeof(list));
    *rule = R_HOP2001;
    snprintf(phrase, size, "exists only with router_flavor %s, not %s", list,
             t->router_flavor ? t->router_flavor : "");
    return true;
}

/* How far a variant is from holding: other flavour, added later, removed. */
static int distance(enum rule_id rule)
{
    return rule == R_HOP2001 ? 0 : rule == R_HOP2013 ? 1 : 2;
}

/*
 * Of two variants that fail the same way, whether `v` is the nearer one: the last removal
 * before the release (a field that changed in 2.1 and went in 3.0 "was removed in 3.0"), or
 * the first addition after it.
 */
static bool nearer(const struct node *v, const struct node *best, enum rule_id rule)
{
    const char *key = rule == R_HOP4001 ? "until" : "since";
    struct version a, b;
    if (rule == R_HOP2001 || !version_of(v, key, &a) || !version_of(best, key, &b))
        return false;
    return rule == R_HOP4001 ? version_compare(&a, &b) > 0 : version_compare(&a, &b) < 0;
}

const struct node *cond_explain_variants(const struct node *def, const struct target *t,
                                         const char *product, enum rule_id *rule, char *phrase,
                                         size_t size)
{
    uint32_t n = def->kind == NODE_SEQUENCE ? def->count : 1;
    const struct node *best = NULL;
    for (uint32_t i = 0; i < n; i++) {
        const struct node *variant = def->kind == NODE_SEQUENCE ? def->u.items[i] : def;
        enum rule_id r;
        char p[200];
        if (!cond_explain(variant, t, product, &r, p, sizeof(p)))
            return NULL;
        if (!best || distance(r) < distance(*rule) ||
            (distance(r) == distance(*rule) && nearer(variant, best, r))) {
            best = variant;
            *rule = r;
            snprintf(phrase, size, "%s", p);
        }
    }
    return best;
}

/* The first release after t in which a variant holds, else false; in t's router flavour when
 * same_router, else in any edition and flavour. */
static bool first_after(const struct node *def, const struct target *t, bool same_router,
                        struct version *out)
{
    struct target at = *t;
    at.edition = NULL;
    if (!same_router)
        at.router_flavor = NULL;
    bool found = false;
    uint32_t n = def->kind == NODE_SEQUENCE ? def->count : 1;
    for (uint32_t i = 0; i < n; i++) {
        const struct node *variant = def->kind == NODE_SEQUENCE ? def->u.items[i] : def;
        struct version since;
        if (!version_of(variant, "since", &since) || version_compare(&since, &t->version) <= 0)
            continue;
        at.version = since;
        if (cond_holds(variant, &at) && (!found || version_compare(&since, out) < 0)) {
            *out = since;
            found = true;
        }
    }
    return found;
}

/* The release that removed the last variant that held before t, else false. */
static bool last_before(const struct node *def, const struct target *t, struct version *out)
{
    bool found = false;
    uint32_t n = def->kind == NODE_SEQUENCE ? def->count : 1;
    for (uint32_t i = 0; i < n; i++) {
        const struct node *variant = def->kind == NODE_SEQUENCE ? def->u.items[i] : def;
        struct version until;
        if (!version_of(variant, "until", &until) || version_compare(&until, &t->version) > 0)
            continue;
        if (!found || version_compare(&until, out) > 0) {
            *out = until;
            found = true;
        }
    }
    return found;
}

/*
 * The first name in a variant's `key` list (editions, router_flavors) with which the variant
 * holds at t's release, t's own setting replaced; NULL when none does.
 */
static const char *other_setting(const struct node *def, const struct target *t, bool edition)
{
    uint32_t n = def->kind == NODE_SEQUENCE ? def->count : 1;
    for (uint32_t i = 0; i < n; i++) {
        const struct node *variant = def->kind == NODE_SEQUENCE ? def->u.items[i] : def;
        const struct node *list =
            variant->kind == NODE_MAPPING
                ? node_map_get(variant, edition ? "editions" : "router_flavors")
                : NULL;
        for (uint32_t j = 0; list && list->kind == NODE_SEQUENCE && j < list->count; j++) {
            struct target at = *t;
            if (edition)
                at.edition = list->u.items[j]->u.text;
            else
                at.router_flavor = list->u.items[j]->u.text;
            if (cond_holds(variant, &at))
                return list->u.items[j]->u.text;
        }
    }
    return NULL;
}

static void note_setting(char *name, size_t name_size, struct span *where, char *what_out,
                         size_t what_size, const char *value, const char *what,
                         const struct span *at)
{
    if (!value || name[0])
        return; /* the first one seen is the one to name */
    snprintf(name, name_size, "%s", value);
    *where = *at;
    snprintf(what_out, what_size, "%s", what);
}

/* Moves *v to the earliest release a variant of def starts in, when every variant is
 * limited to some input flavours and starts after *v (a decK key only later releases have). */
static void earliest_since_after(const struct node *def, struct version *v)
{
    struct version first = {{0}, 0};
    uint32_t n = def->kind == NODE_SEQUENCE ? def->count : 1;
    for (uint32_t i = 0; i < n; i++) {
        const struct node *variant = def->kind == NODE_SEQUENCE ? def->u.items[i] : def;
        struct version since;
        if (variant->kind != NODE_MAPPING || !node_map_get(variant, "flavors") ||
            !version_of(variant, "since", &since) || version_compare(&since, v) <= 0)
            return;
        if (i == 0 || version_compare(&since, &first) < 0)
            first = since;
    }
    *v = first;
}

static void note_evidence(struct version_evidence *ev, const struct node *def,
                          const struct target *t, const char *what, const struct span *at,
                          bool is_key);

void evidence_note(struct version_evidence *ev, const struct node *def, const struct target *t,
                   const char *what, const struct span *at)
{
    note_evidence(ev, def, t, what, at, true);
}

void evidence_note_value(struct version_evidence *ev, const struct node *def,
                         const struct target *t, const char *what, const struct span *at)
{
    note_evidence(ev, def, t, what, at, false);
}

void evidence_note_shell_variable(struct version_evidence *ev, const char *what,
                                  const struct span *at)
{
    if (!ev || ev->shell_variables)
        return; /* the first one seen is the one to name */
    ev->shell_variables = true;
    ev->shell_variable_at = *at;
    snprintf(ev->shell_variable_what, sizeof(ev->shell_variable_what), "%s", what);
}

static void note_evidence(struct version_evidence *ev, const struct node *def,
                          const struct target *t, const char *what, const struct span *at,
                          bool is_key)
{
    if (!ev || !def)
        return;
    /* What holds at this release in another edition or router flavour says which one the
     * file is for, and nothing about its release (expression: 3.0 with expressions). */
    const char *edition = t->edition ? other_setting(def, t, true) : NULL;
    const char *router = t->router_flavor ? other_setting(def, t, false) : NULL;
    note_setting(ev->edition, sizeof(ev->edition), &ev->edition_at, ev->edition_what,
                 sizeof(ev->edition_what), edition, what, at);
    note_setting(ev->router_flavor, sizeof(ev->router_flavor), &ev->router_at, ev->router_what,
                 sizeof(ev->router_what), router, what, at);
    /* A plain Kong file with a key only decK accepts is a decK file written without decK's
     * own keys (they are optional): decK reads it, not Kong. A value decK alone accepts
     * (policy: cluster, for a node with a database) says nothing about the format. */
    struct target as_deck = *t;
    as_deck.flavor = FLAVOR_DECK;
    /* ... whatever its release: a decK key added later still shows decK's file. */
    earliest_since_after(def, &as_deck.version);
    uint32_t n = def->kind == NODE_SEQUENCE ? def->count : 1;
    const char *deck = NULL;
    for (uint32_t i = 0; is_key && t->flavor == FLAVOR_KONG && !deck && i < n; i++)
        if (cond_holds(def->kind == NODE_SEQUENCE ? def->u.items[i] : def, &as_deck))
            deck = flavor_name(FLAVOR_DECK);
    /* decK's consumer groups on a consumer: decK's, and the Enterprise edition's. */
    if (is_key && t->flavor == FLAVOR_KONG && !deck && !edition && t->edition &&
        (edition = other_setting(def, &as_deck, true)) != NULL) {
        deck = flavor_name(FLAVOR_DECK);
        note_setting(ev->edition, sizeof(ev->edition), &ev->edition_at, ev->edition_what,
                     sizeof(ev->edition_what), edition, what, at);
    }
    note_setting(ev->flavor, sizeof(ev->flavor), &ev->flavor_at, ev->flavor_what,
                 sizeof(ev->flavor_what), deck, what, at);
    if (edition || deck)
        return;
    /* Another router flavour has it now, and this one from a later release (a route's
     * `paths` with expressions: 3.7): both are evidence, the flavour inferred first. */
    struct version v;
    if (first_after(def, t, router != NULL, &v)) {
        if (!ev->newer || version_compare(&v, &ev->since) > 0) {
            ev->newer = true;
            ev->since = v;
            ev->since_at = *at;
            if (router)
                snprintf(ev->since_what, sizeof(ev->since_what), "%s under router_flavor %s", what,
                         t->router_flavor);
            else
                snprintf(ev->since_what, sizeof(ev->since_what), "%s", what);
        }
    } else if (!router && last_before(def, t, &v)) {
        if (!ev->older || version_compare(&v, &ev->until) < 0) {
            ev->older = true;
            ev->until = v;
            ev->until_at = *at;
            snprintf(ev->until_what, sizeof(ev->until_what), "%s", what);
        }
    }
}
