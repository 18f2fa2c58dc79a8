/*
 * Unit tests for src/schema: the real knowledge loads and compiles for every target; broken
 * knowledge fails closed at file:line:col; the validation engine on a small "toy" product.
 * usage: test_schema SCHEMA_DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plan/plan.h"
#include "reader/reader.h"
#include "schema/schema.h"
#include "schema/schema_kb.h"
#include "schema/schema_validate.h"
#include "tap.h"

/* ---- the real knowledge ------------------------------------------------------------------ */

static void test_real_knowledge(const char *dir)
{
    struct kb *kb = NULL;
    gh_error err = {0};
    ok(kb_new(dir, &kb, &err) == 0, "schemas/ loads: %s", err.message);
    if (!kb)
        return;
    static const char *const routers[] = {"traditional", "traditional_compatible", "expressions"};
    static const char *const editions[] = {NULL, "oss", "enterprise"};
    for (size_t p = 0; p < kb_product_count(kb); p++) {
        const struct kb_product *product = kb_product_at(kb, p);
        for (size_t v = 0; v < kb_version_count(product); v++) {
            const struct version *ver = kb_version_at(product, v);
            for (size_t ed = 0; ed < 3; ed++) {
                /* Every edition the release exists in, or none for a product without them. */
                if (kb_has_editions(product)
                        ? !editions[ed] || !kb_edition_exists(product, editions[ed], ver)
                        : editions[ed] != NULL)
                    continue;
                for (int f = 0; f < FLAVOR_COUNT; f++)
                    for (size_t r = 0; r < 3; r++) {
                        const char *router = kb_router_flavor_find(product, ver, routers[r]);
                        if (!router)
                            continue;
                        const char *edition =
                            editions[ed] ? kb_edition_find(product, editions[ed]) : NULL;
                        struct target t = {.version = *ver,
                                           .flavor = (enum flavor)f,
                                           .router_flavor = router,
                                           .edition = edition};
                        const struct spec_document *doc = NULL;
                        gh_error e = {0};
                        int rc = kb_compile(kb, product, &t, &doc, &e);
                        ok(rc == 0 && doc && doc->nentities > 0, "%s %s %s %s %s compiles%s%s",
                           kb_product_name(product), kb_version_text(product, v),
                           flavor_name((enum flavor)f), router, edition ? edition : "-",
                           rc ? ": " : "", rc ? e.message : "");
                    }
            }
        }
    }
    const struct kb_product *kong = kb_product_find(kb, "kong");
    struct version v34 = {{3, 4, 0, 0}, 2};
    struct target t = {.version = v34,
                       .flavor = FLAVOR_KONG,
                       .router_flavor = kb_router_flavor_find(kong, &v34, "traditional")};
    const struct spec_document *doc = NULL;
    kb_compile(kb, kong, &t, &doc, &err);
    const struct spec_entity *services = doc ? spec_entity_find(doc, "services") : NULL;
    ok(services && services->nchildren >= 2, "services nest routes and plugins");
    const struct spec_entity *routes = doc ? spec_entity_find(doc, "routes") : NULL;
    ok(routes && routes->nsubschemas == 3, "routes have their three protocol subschemas");
    ok(doc && doc->duplicates_are_errors, "3.4 rejects duplicates");
    kb_free(kb);
}

/* ---- the built-in knowledge: packed at build time, the same trees as the files give ------- */

static bool same_tree(const struct node *a, const struct node *b)
{
    if (!a || !b)
        return a == b;
    if (a->kind != b->kind || a->type != b->type || a->style != b->style || a->flags != b->flags ||
        a->count != b->count || memcmp(&a->span, &b->span, sizeof(a->span)))
        return false;
    if (a->kind == NODE_SCALAR)
        return !memcmp(a->u.text, b->u.text, a->count + 1) &&
               (a->type != SCALAR_INT || a->v.i == b->v.i) &&
               (a->type != SCALAR_FLOAT || !memcmp(&a->v.f, &b->v.f, sizeof(a->v.f))) &&
               (a->type != SCALAR_BOOL || a->v.b == b->v.b);
    for (uint32_t i = 0; i < a->count; i++)
        if (a->kind == NODE_SEQUENCE ? !same_tree(a->u.items[i], b->u.items[i])
                                     : !same_tree(a->u.pairs[i].key, b->u.pairs[i].key) ||
                                           !same_tree(a->u.pairs[i].value, b->u.pairs[i].value))
            return false;
    return true;
}

/* read: a file loaded from the directory; built: its built-in twin, built as the compiler
 * builds it (whole, or key by key for a plugin file). */
static bool same_file(struct kb *kb, const struct kb_file *read, const struct kb_file *built,
                      bool by_parts)
{
    size_t a = strlen(read->path), b = strlen(built->path);
    if (a < b || strcmp(read->path + a - b, built->path) || !read->name != !built->name ||
        (read->name && strcmp(read->name, built->name)))
        return false;
    const struct node *root = NULL, *part = NULL;
    if (!by_parts)
        return kb_file_tree(kb, built, &root) == 0 && same_tree(read->root, root);
    for (uint32_t i = 0; i < read->root->count; i++)
        if (kb_file_part(kb, built, read->root->u.pairs[i].key->u.text, &part) < 0 ||
            !same_tree(read->root->u.pairs[i].value, part))
            return false;
    return kb_file_part(kb, built, "no such key", &part) == 0 && !part;
}

static bool same_product(struct kb *kb, const struct kb_product *read,
                         const struct kb_product *built)
{
    gh_error err = {0};
    bool same = kb_product_ready(built, &err) == 0 && !strcmp(read->name, built->name) &&
                !strcmp(read->display, built->display) && read->nversions == built->nversions &&
                read->nentities == built->nentities && read->nplugins == built->nplugins &&
                !read->upgrades.root == !built->upgrades.root &&
                !read->plan.root == !built->plan.root;
    const struct kb_file *fixed[][2] = {{&read->product, &built->product},
                                        {&read->document, &built->document},
                                        {&read->typedefs, &built->typedefs},
                                        {&read->upgrades, &built->upgrades},
                                        {&read->plan, &built->plan}};
    for (size_t i = 0; same && i < sizeof(fixed) / sizeof(fixed[0]); i++)
        same = !fixed[i][0]->root || same_file(kb, fixed[i][0], fixed[i][1], false);
    for (size_t i = 0; same && i < read->nentities; i++)
        same = same_file(kb, &read->entities[i], &built->entities[i], false);
    for (size_t i = 0; same && i < read->nplugins; i++)
        same = same_file(kb, &read->plugins[i], &built->plugins[i], true);
    return same;
}

/* Every plugin of a built-in document compiled late has the scopes the eager path gives. */
static bool same_plugins(const struct spec_document *read, const struct spec_document *built)
{
    if (read->nplugins != built->nplugins)
        return false;
    for (size_t i = 0; i < read->nplugins; i++) {
        const struct spec_plugin *a = spec_plugin_find(read, read->plugins[i]);
        const struct spec_plugin *b = spec_plugin_find(built, read->plugins[i]);
        if (!a || !b || a->described != b->described || !a->type != !b->type)
            return false;
        for (int s = 0; s < PLUGIN_SCOPE_COUNT; s++)
            if (!a->scopes[s] != !b->scopes[s] ||
                (a->scopes[s] && a->scopes[s]->type != b->scopes[s]->type))
                return false;
    }
    return !spec_document_error(built);
}

static void test_packed_knowledge(const char *dir)
{
    struct kb *read = NULL, *built = NULL;
    gh_error err = {0};
    ok(kb_new(dir, &read, &err) == 0 && kb_new(NULL, &built, &err) == 0,
       "the files and the built-in knowledge load: %s", err.message);
    if (!read || !built) {
        kb_free(read);
        kb_free(built);
        return;
    }
    ok(kb_product_count(read) == kb_product_count(built), "as many products built in as in %s",
       dir);
    for (size_t i = 0; i < kb_product_count(read) && i < kb_product_count(built); i++) {
        const struct kb_product *a = kb_product_at(read, i), *b = kb_product_at(built, i);
        ok(same_product(built, a, b), "built-in %s: the same trees, spans and names as %s",
           kb_product_name(b), dir);
        const struct version *v = kb_version_at(a, kb_version_count(a) - 1);
        struct target t = {.version = *v,
                           .flavor = FLAVOR_APISIX,
                           .router_flavor = kb_default_router_flavor(a, v),
                           .edition = NULL};
        struct target u = t;
        u.router_flavor = kb_default_router_flavor(b, v);
        if (kb_has_editions(a)) {
            t.edition = kb_edition_find(a, "oss");
            u.edition = kb_edition_find(b, "oss");
        }
        const struct spec_document *da = NULL, *db = NULL;
        ok(kb_compile(read, a, &t, &da, &err) == 0 && kb_compile(built, b, &u, &db, &err) == 0 &&
               same_plugins(da, db),
           "built-in %s %s: each plugin compiled when first found as the files compile it",
           kb_product_name(b), kb_version_text(b, kb_version_count(b) - 1));
    }
    kb_free(read);
    kb_free(built);
}

/* ---- a toy product, written to a temporary directory ------------------------------------- */

static const char toy_product[] =
    "product: toy\nname: Toy\nversions: [\"1.0\", \"2.0\"]\n"
    "format_versions:\n  - {value: \"1\", assume: \"1.0\"}\n"
    "router_flavors:\n  - {value: plain}\n"
    "default_router_flavor:\n  - {value: plain}\n"
    "plugins: [a, {value: b, since: \"2.0\"}]\n"
    "duplicates:\n  - {value: warning, until: \"2.0\"}\n  - {value: error, since: \"2.0\"}\n";

static const char toy_document[] = "fields:\n  _format_version: {type: string, required: true}\n"
                                   "entity_fields:\n  _comment: {type: string}\n"
                                   "entities:\n  - things\n  - gadgets\n";

static const char toy_typedefs[] = "typedefs:\n"
                                   "  port: {type: integer, between: [0, 65535]}\n"
                                   "  name:\n"
                                   "    - {until: \"2.0\", type: string, match: '^[a-z]+\\z'}\n"
                                   "    - {since: \"2.0\", type: string, match: '^[a-z0-9]+\\z'}\n";

static const char toy_things[] =
    "entity: things\nsingular: thing\nprimary_key: id\nendpoint_key: name\n"
    "fields:\n"
    "  id: {type: string, uuid: true, auto: true}\n"
    "  name: {typedef: name, unique: true}\n"
    "  port: {typedef: port, required: true, default: 80}\n"
    "  mode: {type: string, one_of: [x, {value: y, since: \"2.0\"}, "
    "{value: z, deprecated: {since: \"2.0\", message: use x}}]}\n"
    "  old: {type: string, until: \"2.0\", replaced_by: mode}\n"
    "  new: {type: integer, since: \"2.0\"}\n"
    "  tags: {type: set, elements: {type: string}}\n"
    "  hidden: {type: string, secret: true, len_min: 3}\n"
    "  a: {type: string}\n"
    "  b: {type: string}\n"
    "checks:\n"
    "  - at_least_one_of: [a, b]\n"
    "  - conditional: {if_field: mode, if_match: {eq: x}, then_field: port, "
    "then_match: {between: [1, 1024]}}\n";

/* The newer check kinds and keywords, on an entity of their own so that the things' cases
 * above stay as they are. */
static const char toy_gadgets[] =
    "entity: gadgets\nsingular: gadget\n"
    "fields:\n"
    "  name: {type: string}\n"
    "  pair:\n"
    "    type: string\n"
    "    captures:\n"
    "      pattern: '^([^:]+):*(([\\s\\S]*))\\z'\n"
    "      err: needs a name\n"
    "      parts:\n"
    "        - {match: '^[a-z]+\\z', err: \"bad name %1\"}\n"
    "        - {len_min: 1, err: \"key '%1' has no value\"}\n"
    "        - {validator: lua_template}\n"
    "  tags: {type: array, elements: {type: record, fields: {k: {type: string}}}, "
    "unique_items: {by: k, err: \"repeated: %s\"}}\n"
    "  items: {type: array, elements: {type: string}, unique_items: {}}\n"
    "  doc: {type: string, json: {type: record, fields: {kid: {type: string, required: true}, "
    "n: {type: integer}}}}\n"
    "  kid: {type: string}\n"
    "  a: {type: boolean, default: false}\n"
    "  b: {type: boolean}\n"
    "  msg: {type: string}\n"
    "  body: {type: string}\n"
    "  ctype: {type: string}\n"
    "  zone: {type: string, unchecked: zones are the node's}\n"
    "  algo: {type: string, default: rr, one_of: [rr, lc, ch]}\n"
    "  hash: {type: string, default: none, one_of: [none, ip, header]}\n"
    "  hdr: {type: string}\n"
    "  code: {type: string, validator: lua_chunk}\n"
    "  headers: {type: map, keys: {type: string}, values: {type: string}}\n"
    "  url: {type: string}\n"
    "checks:\n"
    "  - at_least_one_true: [a, b]\n"
    "  - equal: [kid, doc.kid]\n"
    "  - forbids: {if_field: msg, fields: [body, ctype], err: \"msg excludes %s\"}\n"
    "  - requires: {if_field: ctype, fields: [body]}\n"
    "  - unchecked: {if_field: hash, if_match: {eq: ip}, and_if: [{field: algo, match: {eq: "
    "ch}}], text: ip hashing}\n"
    "  - conditional: {if_field: hash, if_match: {eq: header}, then_field: hdr, then_match: "
    "{required: true}}\n"
    "  - conditional: {if_field: url, if_match: {match: '@'}, then_field: headers, then_match: "
    "{keys: {not_match: '^auth\\z'}}}\n"
    "rewrites:\n"
    "  - field: algo\n"
    "    cases: [{match: {eq: lc}, set: {hash: null}}]\n"
    "  - field: hash\n"
    "    cases:\n"
    "      - {match: {eq: null}, set: {hash: none}}\n"
    "      - {match: {eq: none}, set: {algo: rr}}\n"
    "      - set: {algo: ch}\n";

struct file {
    const char *name;
    const char *text;
};

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* Writes the toy product with one file replaced; returns the schema directory. */
static char *make_toy(const struct file *replace)
{
    static char root[64];
    snprintf(root, sizeof(root), "/tmp/gatehop-schema-XXXXXX");
    if (!mkdtemp(root))
        return NULL;
    char dir[128];
    snprintf(dir, sizeof(dir), "%s/toy", root);
    mkdir(dir, 0700);
    snprintf(dir, sizeof(dir), "%s/toy/entities", root);
    mkdir(dir, 0700);
    struct file files[] = {{"product.yaml", toy_product},
                           {"document.yaml", toy_document},
                           {"typedefs.yaml", toy_typedefs},
                           {"entities/things.yaml", toy_things},
                           {"entities/gadgets.yaml", toy_gadgets}};
    snprintf(dir, sizeof(dir), "%s/toy", root);
    bool replaced = false;
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        const char *text = files[i].text;
        if (replace && !strcmp(replace->name, files[i].name)) {
            text = replace->text;
            replaced = true;
        }
        write_file(dir, files[i].name, text);
    }
    if (replace && !replaced) /* a file the toy does not have, such as plan.yaml */
        write_file(dir, replace->name, replace->text);
    return root;
}

static void remove_toy(const char *root)
{
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", root);
}

static void broken(const char *file, const char *text, const char *message, unsigned line,
                   unsigned column)
{
    struct file f = {file, text};
    char *root = make_toy(&f);
    struct kb *kb = NULL;
    gh_error err = {0};
    int rc = kb_new(root, &kb, &err);
    ok(rc == GH_ESCHEMA && strstr(err.message, message) && err.line == line &&
           err.column == column && strstr(err.file, file),
       "fails closed: %s", message);
    if (rc != GH_ESCHEMA || !strstr(err.message, message) || err.line != line ||
        err.column != column)
        printf("#   got %d %s:%u:%u: %s\n", rc, err.file, err.line, err.column, err.message);
    kb_free(kb);
    remove_toy(root);
}

/* broken() for a file made of a shared start and the text under test. */
static void broken_after(const char *file, const char *start, const char *rest, const char *message,
                         unsigned line, unsigned column)
{
    char text[512];
    snprintf(text, sizeof(text), "%s%s", start, rest);
    broken(file, text, message, line, column);
}

static void test_fail_closed(void)
{
    broken("entities/things.yaml", "entity: things\nfields:\n  id: {type: string, requird: true}\n",
           "unknown keyword 'requird' in a field definition", 3, 22);
    broken("entities/things.yaml", "entity: things\nfields:\n  id: {type: string, since: 2.0}\n",
           "a version must be a quoted string", 3, 29);
    broken("entities/things.yaml", "entity: things\nfields:\n  id: {typedef: nope}\n",
           "unknown typedef 'nope'", 3, 17);
    broken("entities/things.yaml", "entity: things\nfields:\n  id: {type: string, match: '(['}\n",
           "pattern does not compile", 3, 29);
    broken("entities/things.yaml",
           "entity: things\nfields:\n  id:\n    - {type: string, since: \"1.0\"}\n"
           "    - {type: integer, until: \"3.0\"}\n",
           "overlaps the one at line 4", 5, 7);
    broken("entities/things.yaml",
           "entity: things\nfields:\n  a: {type: string}\nchecks:\n  - at_least_one_of: [a, zzz]\n",
           "'zzz' is not a field here", 5, 26);
    broken("entities/things.yaml",
           "entity: things\nfields:\n  id: {type: string, validator: nope}\n",
           "unknown validator 'nope'", 3, 33);
    broken("entities/things.yaml", "entity: stuff\nfields:\n  id: {type: string}\n",
           "the file must say 'entity: things'", 1, 9);
    broken("entities/things.yaml", "entity: things\nfields:\n  id: {type: [string}\n",
           "did not find expected", 3, 21);
    broken("document.yaml", "fields: {}\nentity_fields: {}\nentities: [things, ghost]\n",
           "entity 'ghost' has no file entities/ghost.yaml", 3, 20);
    broken("product.yaml", "product: toy\nversions: [\"2.0\", \"1.0\"]\n",
           "versions must be listed oldest first", 2, 19);
    broken("entities/things.yaml",
           "entity: things\nfields:\n  id: {type: string}\nexclusive_children: {names: [things]}\n",
           "exclusive_children needs 'names', two collections or more", 4, 21);
    broken("entities/things.yaml",
           "entity: things\nfields:\n  id: {type: string}\n"
           "exclusive_children: {names: [things, ghosts]}\n",
           "unknown entity 'ghosts'", 4, 38);
    static const char things[] = "entity: things\nfields:\n  id: {type: string}\n"
                                 "  parts: {type: array, elements: {type: string}}\n";
    broken_after("entities/things.yaml", things, "local_refs:\n  - {plugin: a, field: [x]}\n",
                 "a local reference needs 'among'", 6, 5);
    broken_after("entities/things.yaml", things,
                 "local_refs:\n  - {plugin: a, field: [x], among: bits}\n",
                 "'bits' is not a field here", 6, 36);
    broken_after("entities/things.yaml", things,
                 "local_refs:\n  - {plugin: zz, field: [x], among: parts}\n",
                 "'zz' is not a plugin of toy", 6, 14);
    broken_after("entities/things.yaml", things,
                 "local_refs:\n  - {plugin: a, field: [x], among: parts, ids: sha256}\n",
                 "'ids' is 'adc'", 6, 48);
    static const char nested[] = "entity: things\nfields:\n  id: {type: string}\n"
                                 "  conf:\n    type: record\n    fields:\n"
                                 "      redis: {type: record, fields: {host: {type: string}}}\n";
    broken_after("entities/things.yaml", nested, "    checks: [{at_least_one_of: [redis.port]}]\n",
                 "'redis.port' is not a field here", 8, 33);
    broken_after("entities/things.yaml", nested,
                 "    shorthands: {redis_host: {type: string, sets: [redis.hots]}}\n",
                 "'redis.hots' is not a field here", 8, 52);
    broken_after("entities/things.yaml", nested, "    shorthands: {redis_host: {type: string}}\n",
                 "a shorthand needs 'type' and one of 'expand' or 'sets'", 8, 30);
    broken_after("entities/things.yaml", nested,
                 "    shorthands: {h: {type: string, sets: [redis.host], map: [a]}}\n",
                 "'map' must be a mapping", 8, 61);
    broken("entities/things.yaml",
           "entity: things\nfields:\n  p: {type: string, captures: {pattern: '^(a)', parts: "
           "[{}, {}]}}\n",
           "'parts' lists 2 parts, the pattern has 1 groups", 3, 56);
    broken("entities/things.yaml",
           "entity: things\nfields:\n  a: {type: string}\nchecks:\n"
           "  - distinct_by: {fields: [a], by: colour}\n",
           "unknown derivation 'colour'", 5, 36);
    broken("entities/things.yaml",
           "entity: things\nfields:\n  a: {type: string}\nchecks:\n"
           "  - unchecked: {if_field: a, if_match: {eq: x}}\n",
           "an unchecked check needs 'text'", 5, 16);
    broken("entities/things.yaml",
           "entity: things\nfields:\n  a: {type: string}\nchecks:\n"
           "  - conditional: {if_field: a, if_match: {eq: x}, then_field: a, then_match: {eq: y}, "
           "and_if: [{field: b, match: {eq: z}}]}\n",
           "'b' is not a field here", 5, 104);
    broken("entities/things.yaml",
           "entity: things\nfields:\n  a: {type: string}\nchecks:\n"
           "  - conditional: {if_field: a, if_match: {eq: x}, then_field: a, then_match: {eq: y}, "
           "then_def: {type: string}}\n",
           "one of then_match or then_def", 5, 18);
    broken("entities/things.yaml",
           "entity: things\nfields:\n  a: {type: string}\nchecks:\n"
           "  - conditional: {if_field: a, if_match: {eq: x}, then_field: a, then_def: {len_min: "
           "2}}\n",
           "a field definition needs 'type', 'typedef' or 'any_of'", 5, 76);
    broken("entities/things.yaml",
           "entity: things\nfields:\n  a: {type: string}\nchecks:\n"
           "  - conditional: {if_field: a, if_match: {eq: x}, then_field: a, then_def: {type: "
           "array, elements: {len_min: 1}}}\n",
           "a field definition needs 'type', 'typedef' or 'any_of'", 5, 100);
    broken("entities/things.yaml",
           "entity: things\nfields:\n  a: {type: string}\nchecks:\n"
           "  - conditional: {if_field: a, if_match: {eq: x}, then_field: a, then_def: {type: "
           "string, required: true}}\n",
           "say 'required' with then_match", 5, 101);
    broken("entities/things.yaml",
           "entity: things\nfields:\n  a: {type: string}\nchecks:\n"
           "  - conditional: {if_field: a, if_match: {eq: x}, then_field: a, then_def: {type: "
           "string}, then_err: x}\n",
           "give 'err' inside it instead", 5, 102);
    broken("entities/things.yaml",
           "entity: things\nfields:\n  a: {type: string}\nchecks:\n"
           "  - conditional: {if_field: a, if_match: {eq: x}, then_field: a, then_match: {eq: y}, "
           "unless_set: zz}\n",
           "'zz' is not a field here", 5, 99);
    broken("entities/things.yaml",
           "entity: things\nfields:\n  a: {type: integer}\nchecks:\n"
           "  - ordered: {fields: [a, zz]}\n",
           "'zz' is not a field here", 5, 27);
    broken("entities/things.yaml",
           "entity: things\nfields:\n  a: {type: integer}\nchecks:\n"
           "  - ordered: {fields: [a], if_field: a}\n",
           "ordered takes 'if_field' and 'if_match' together", 5, 14);
    broken("entities/things.yaml",
           "entity: things\nfields:\n  a: {type: integer}\nchecks:\n"
           "  - ordered: {fields: [a], strict: 1}\n",
           "expected true or false", 5, 36);
    broken("entities/things.yaml",
           "entity: things\nfields:\n  a: {type: string}\nchecks:\n"
           "  - names_item: {field: a, by: name}\n",
           "names_item needs 'list'", 5, 17);
    broken("entities/things.yaml",
           "entity: things\nfields:\n  a: {type: string}\nchecks:\n"
           "  - names_item: {field: a, list: items, by: name}\n",
           "'items' is not a field here", 5, 34);
    broken("entities/things.yaml",
           "entity: things\nfields:\n  a: {type: string}\nrewrites:\n"
           "  - {field: a, cases: [{match: {eq: x}}]}\n",
           "a rewrite case needs 'set'", 5, 24);
    broken("entities/things.yaml",
           "entity: things\nfields:\n  a: {type: string}\nchecks:\n"
           "  - requires: {if_field: a, fields: [c]}\n",
           "'c' is not a field here", 5, 38);
    /* plugin_entries and unless_metadata: their shapes, and names that are no plugins. */
    static const char entries[] = "entity: things\nfields:\n  a: {type: any, plugin_entries: ";
    broken_after("entities/things.yaml", entries, "{form: list, scope: config}}\n",
                 "'form' is 'keys' (each key names one) or 'pair'", 3, 41);
    broken_after("entities/things.yaml", entries, "{form: keys}}\n", "plugin_entries needs 'scope'",
                 3, 34);
    broken_after("entities/things.yaml", entries, "{form: keys, scope: config, names: [zz]}}\n",
                 "'zz' is not a plugin of toy", 3, 70);
    broken_after("entities/things.yaml", entries, "{form: pair, scope: config, skip: [w]}}\n",
                 "'skip' names keys: it needs form 'keys'", 3, 68);
    broken_after("entities/things.yaml", entries,
                 "{form: keys, scope: config, names: [{value: x, definition: {type: string}, "
                 "plugin: a}]}}\n",
                 "a name with its own 'definition' takes no 'plugin' or 'fields'", 3, 93);
    broken_after("entities/things.yaml", entries,
                 "{form: keys, scope: config, names: [{value: x, field: f}]}}\n",
                 "'field' names a field of the configuration of 'plugin'", 3, 70);
    static const char metadata_check[] = "entity: things\nfields:\n  a: {type: string}\nchecks:\n";
    broken_after("entities/things.yaml", metadata_check,
                 "  - {at_least_one_of: [a], unless_metadata: {err: x}}\n",
                 "unless_metadata needs 'sets'", 5, 45);
    broken_after("entities/things.yaml", metadata_check, "  - {unless_metadata: {sets: [a]}}\n",
                 "a check needs exactly one check keyword, it has 0", 5, 5);
    static const char rule[] = "rules:\n  - {code: HOP4006, hop: \"2.0\", at: things, field: a, ";
    broken_after("upgrades.yaml", rule, "do: {rename: b}}\n", "an upgrade rule needs 'why'", 2, 5);
    broken_after("upgrades.yaml", rule, "do: {remove: true}, both_set: old, why: x}\n",
                 "'both_set' goes with 'rename' and is 'old' or 'new'", 2, 85);
    broken_after("upgrades.yaml", rule, "do: {rename: b}, both_set: newer, why: x}\n",
                 "'both_set' goes with 'rename' and is 'old' or 'new'", 2, 82);
    static const char plan_modes[] = "modes:\n  - {value: one, description: the only mode}\n";
    broken("plan.yaml", "modes:\n  - {value: one}\n", "a choice needs 'value' and 'description'", 2,
           5);
    broken("plan.yaml", "steps:\n  - {phase: during, text: x}\n", "a phase is prepare", 2, 13);
    broken("plan.yaml", "steps:\n  - {phase: verify, text: x}\n  - {phase: prepare, text: y}\n",
           "steps are listed phase by phase: prepare cannot follow verify", 3, 13);
    broken("plan.yaml", "steps:\n  - {phase: prepare}\n", "a plan step needs 'text'", 2, 5);
    broken("plan.yaml", "notes:\n  - {text: \"go to {too}\"}\n",
           "plan text may use {from}, {to} and {product}, not {too}", 2, 12);
    broken_after("plan.yaml", plan_modes, "steps:\n  - {phase: prepare, modes: [two], text: x}\n",
                 "'two' is not one of the plan's modes", 4, 30);
    broken_after("plan.yaml", plan_modes, "steps:\n  - {phase: prepare, hop: \"1.0\", text: x}\n",
                 "a hop must arrive at a listed version after the first", 4, 27);
    broken("plan.yaml", "jumps:\n  - {from: \"1.0\"}\n", "a jump needs 'from' and 'to'", 2, 5);
    broken("plan.yaml", "jumps:\n  - {from: \"1.5\", to: \"2.0\"}\n",
           "'1.5' is not a listed version", 2, 12);
    broken("plan.yaml", "jumps:\n  - {from: \"2.0\", to: \"2.0\"}\n",
           "a jump goes to a later release than it starts from", 2, 23);
    broken_after("plan.yaml", plan_modes,
                 "jumps:\n  - {from: \"1.0\", to: \"2.0\", editions: [gold]}\n",
                 "'gold' is not one of product.yaml's editions", 4, 41);
    broken("product.yaml",
           "product: toy\nname: Toy\nversions: [\"1.0\", \"2.0\"]\neditions:\n  - {value: free}\n",
           "an edition needs 'value' and 'description'", 5, 5);
    broken("product.yaml",
           "product: toy\nname: Toy\nversions: [\"1.0\", \"2.0\"]\n"
           "editions:\n  - {value: free, description: f, flavors: [kong]}\n",
           "unknown keyword 'flavors' in an edition", 5, 35);
    broken(
        "product.yaml",
        "product: toy\nname: Toy\nversions: [\"1.0\", \"2.0\"]\n"
        "editions:\n  - {value: free, description: f}\nplugins: [{value: a, editions: [gold]}]\n",
        "'gold' is not one of product.yaml's editions", 6, 33);
    /* The expressions language: names the C code does not know, and references that go nowhere. */
    static const char expr_start[] =
        "product: toy\nname: Toy\nversions: [\"1.0\", \"2.0\"]\nexpressions:\n"
        "  subsystems: [{value: web, protocols: [http]}]\n";
    broken_after("product.yaml", expr_start,
                 "  features: [{value: teleport, since: \"2.0\"}]\n  fields: {}\n",
                 "unknown feature 'teleport'", 6, 22);
    broken_after("product.yaml", expr_start, "  fields:\n    a.b: {type: Float}\n",
                 "unknown expression type 'Float'", 7, 17);
    broken_after("product.yaml", expr_start, "  fields:\n    a.b: {alias_of: a.c}\n",
                 "'alias_of' names no field of 'fields'", 7, 21);
    broken_after("product.yaml", expr_start, "  fields:\n    a.b: {type: Int, subsystems: [tcp]}\n",
                 "unknown subsystem 'tcp'", 7, 35);
    broken_after("product.yaml", expr_start, "  functions: [upper]\n  fields: {}\n",
                 "unknown function 'upper'", 6, 15);
    broken_after("product.yaml", expr_start, "  regex_syntax: [\"1.0\"]\n  fields: {}\n",
                 "unknown regex syntax (0.6, 0.7 or 0.8) '1.0'", 6, 18);
    broken_after("product.yaml", expr_start,
                 "  fields:\n    a.b: [{type: Int}, {since: \"2.0\", type: String}]\n",
                 "this variant overlaps the one at line 7", 7, 24);
    broken_after("product.yaml", expr_start, "  fields:\n    a.b: {type: Int, since: 2.0}\n",
                 "a version must be a quoted string", 7, 29);
}

/*
 * Editions: a free edition with 1.0 only and a gold one with both releases, and a plugin only
 * gold bundles. The default is the first edition that has every release asked about.
 */
static const char toy_editions[] =
    "product: toy\nname: Toy\nversions: [\"1.0\", \"2.0\"]\n"
    "format_versions:\n  - {value: \"1\", assume: \"1.0\"}\n"
    "router_flavors:\n  - {value: plain}\n"
    "default_router_flavor:\n  - {value: plain}\n"
    "editions:\n  - {value: free, description: Toy Free, until: \"2.0\"}\n"
    "  - {value: gold, description: Toy Gold, aliases: [paid]}\n"
    "plugins: [a, {value: g, editions: [gold]}]\n";

static bool toy_bundles(struct kb *kb, const struct kb_product *p, const char *version,
                        const char *edition, const char *plugin)
{
    struct version v;
    version_parse(version, strlen(version), &v);
    struct target t = {.version = v,
                       .flavor = FLAVOR_KONG,
                       .router_flavor = kb_router_flavor_find(p, &v, "plain"),
                       .edition = edition};
    const struct spec_document *doc = NULL;
    gh_error err = {0};
    return kb_compile(kb, p, &t, &doc, &err) == 0 && spec_plugin_find(doc, plugin) != NULL;
}

static void test_editions(void)
{
    struct file f = {"product.yaml", toy_editions};
    char *root = make_toy(&f);
    struct kb *kb = NULL;
    gh_error err = {0};
    ok(kb_new(root, &kb, &err) == 0, "a product with editions loads: %s", err.message);
    const struct kb_product *p = kb ? kb_product_find(kb, "toy") : NULL;
    if (!p) {
        kb_free(kb);
        remove_toy(root);
        return;
    }
    struct version v1, v2;
    version_parse("1.0", 3, &v1);
    version_parse("2.0", 3, &v2);
    const char *e = NULL;
    ok(kb_edition_choose(p, NULL, &v1, &v1, &e, &err) == 0 && e && !strcmp(e, "free"),
       "1.0 alone: the first edition listed");
    ok(kb_edition_choose(p, NULL, &v1, &v2, &e, &err) == 0 && e && !strcmp(e, "gold"),
       "1.0 to 2.0: the only edition with both");
    ok(kb_edition_choose(p, "paid", &v1, &v1, &e, &err) == 0 && e && !strcmp(e, "gold"),
       "an alias names its edition");
    ok(kb_edition_choose(p, "free", &v1, &v2, &e, &err) == GH_EVERSION &&
           strstr(err.message, "Toy 2.0 was never released as Toy Free (--edition free)"),
       "an edition without the release: %s", err.message);
    err = (gh_error){0};
    ok(kb_edition_choose(p, "platinum", &v1, &v1, &e, &err) == GH_EUSAGE &&
           strstr(err.message, "--edition 'platinum': Toy has the editions free, gold"),
       "an unknown edition: %s", err.message);
    ok(version_compare(kb_latest(p, NULL), &v1) == 0 &&
           version_compare(kb_latest(p, "gold"), &v2) == 0,
       "the latest release of the usual edition, and of another");
    ok(toy_bundles(kb, p, "1.0", "gold", "g") && !toy_bundles(kb, p, "1.0", "free", "g") &&
           toy_bundles(kb, p, "1.0", "free", "a"),
       "a plugin with an editions condition is bundled in that edition only");
    kb_free(kb);
    remove_toy(root);
}

/* A product without plan.yaml (the toy) has no plans: a usage error, not a crash. */
static void test_no_plan(void)
{
    char *root = make_toy(NULL);
    struct kb *kb = NULL;
    gh_error err = {0};
    int rc = kb_new(root, &kb, &err);
    const struct kb_product *toy = rc == 0 ? kb_product_find(kb, "toy") : NULL;
    struct plan_request req = {.product = toy, .from_text = "1.0", .to_text = "2.0"};
    version_parse("1.0", 3, &req.from);
    version_parse("2.0", 3, &req.to);
    struct upgrade_plan plan;
    rc = toy ? upgrade_plan_build(&plan, &req, &err) : -1;
    ok(toy && rc == GH_EUSAGE && strstr(err.message, "no upgrade plans for Toy"),
       "no plan.yaml: %s", err.message);
    if (toy)
        upgrade_plan_release(&plan);
    kb_free(kb);
    remove_toy(root);
}

/* ---- validating values ------------------------------------------------------------------- */

struct check_env {
    struct kb *kb;
    const struct spec_document *doc;
    struct diag_sink sink;
    struct path path;
    struct arena scratch;
    struct vctx vctx;
    char root[64];
};

static bool env_open(struct check_env *e, const char *version)
{
    memset(e, 0, sizeof(*e));
    snprintf(e->root, sizeof(e->root), "%s", make_toy(NULL));
    gh_error err = {0};
    if (kb_new(e->root, &e->kb, &err) < 0) {
        printf("# toy: %s\n", err.message);
        return false;
    }
    const struct kb_product *p = kb_product_find(e->kb, "toy");
    struct version v;
    version_parse(version, strlen(version), &v);
    struct target t = {.version = v,
                       .flavor = FLAVOR_KONG,
                       .router_flavor = kb_router_flavor_find(p, &v, "plain")};
    if (kb_compile(e->kb, p, &t, &e->doc, &err) < 0)
        return false;
    diag_sink_init(&e->sink, 100);
    path_init(&e->path);
    arena_init(&e->scratch, 4096);
    vctx_init(&e->vctx, &e->sink, &e->path, &e->scratch);
    e->vctx.entity = "thing 'x'";
    e->vctx.doc = e->doc;
    e->vctx.env = (struct named_env){&e->doc->target.version, "plain", "3.0", NULL, NULL};
    return true;
}

static void env_close(struct check_env *e)
{
    vctx_release(&e->vctx);
    diag_sink_release(&e->sink);
    arena_release(&e->scratch);
    kb_free(e->kb);
    remove_toy(e->root);
}

/* Validates one YAML mapping as an item of an entity; returns the codes found, in order. */
static void validate_item(const char *entity, const char *version, const char *yaml, char *out,
                          size_t size)
{
    struct check_env e;
    out[0] = '\0';
    if (!env_open(&e, version))
        return;
    struct diag_sink parse_sink;
    diag_sink_init(&parse_sink, 10);
    struct reader r;
    gh_error err = {0};
    struct node *root = NULL;
    if (reader_open_memory(&r, yaml, strlen(yaml), NULL, &parse_sink, &err) == 0 &&
        reader_load(&r, &root, &err) == 0 && root) {
        const struct spec_entity *target = spec_entity_find(e.doc, entity);
        validate_record(&e.vctx, &target->record, root, NULL);
    }
    reader_close(&r);
    diag_sink_release(&parse_sink);
    diag_sort(&e.sink);
    size_t used = 0;
    for (size_t i = 0; i < e.sink.count && used < size; i++) {
        int n = snprintf(out + used, size - used, "%s%s", i ? " " : "",
                         rule_info(e.sink.items[i].rule)->code);
        used += n > 0 ? (size_t)n : 0;
        if (getenv("TOY_DEBUG"))
            printf("# %s\n", e.sink.items[i].message);
        if (strstr(e.sink.items[i].message, "hunter2"))
            printf("# a secret leaked: %s\n", e.sink.items[i].message), ok(0, "secret leaked");
    }
    env_close(&e);
}

static void expect_codes(const char *version, const char *yaml, const char *codes, const char *what)
{
    char got[512];
    validate_item("things", version, yaml, got, sizeof(got));
    is_str(got, codes, what);
}

static void expect_gadget(const char *yaml, const char *codes, const char *what)
{
    char got[512];
    validate_item("gadgets", "1.0", yaml, got, sizeof(got));
    is_str(got, codes, what);
}

static void test_newer_checks(void)
{
    expect_gadget("{a: true}", "", "a valid gadget");
    expect_gadget("{}", "HOP2009", "at_least_one_true reads the defaults");
    expect_gadget("{b: true}", "", "at_least_one_true: the other one");
    expect_gadget("{a: true, pair: 'x:$(y)'}", "", "captures: a name and a template");
    expect_gadget("{a: true, pair: ':y'}", "HOP2007", "captures: the pattern does not match");
    expect_gadget("{a: true, pair: 'X1:y'}", "HOP2007", "captures: the first part fails");
    expect_gadget("{a: true, pair: 'x:'}", "HOP2006", "captures: the second part is empty");
    expect_gadget("{a: true, pair: 'x:$(a b)'}", "HOP2007", "captures: a template that fails");
    expect_gadget("{a: true, tags: [{k: a}, {k: b}]}", "", "unique_items by a field");
    expect_gadget("{a: true, tags: [{k: a}, {k: a}]}", "HOP2012", "a repeated tag");
    expect_gadget("{a: true, items: [x, y, x]}", "HOP2012", "a repeated item");
    expect_gadget("{a: true, doc: '{\"kid\": \"k\"}', kid: k}", "", "json and equal");
    expect_gadget("{a: true, doc: '{\"kid\": \"k\"}', kid: j}", "HOP2008", "equal fails");
    expect_gadget("{a: true, doc: '{\"n\": 1}'}", "HOP2002", "the JSON lacks kid");
    expect_gadget("{a: true, doc: '{\"kid\": 5}', kid: k}", "HOP2003", "a JSON value's type");
    expect_gadget("{a: true, doc: '{kid'}", "HOP2007", "JSON that does not decode");
    expect_gadget("{a: true, doc: '{vault://env/jwk}', kid: k}", "",
                  "equal skips a value it cannot read");
    expect_gadget("{a: true, msg: m}", "", "forbids: nothing else set");
    expect_gadget("{a: true, msg: m, ctype: t, body: b}", "HOP2010", "forbids fires once");
    expect_gadget("{a: true, ctype: t}", "HOP2011", "requires");
    expect_gadget("{a: true, zone: z}", "HOP9005", "an unchecked field, set");
    expect_gadget("{a: true, zone: ''}", "HOP2006", "an empty value is checked, not announced");
    expect_gadget("{a: true, hash: ip}", "HOP9005", "an unchecked check (hash_on rewrites algo)");
    expect_gadget("{a: true, hash: ip, algo: lc}", "", "a rewrite nulls hash first");
    expect_gadget("{a: true, hash: header}", "HOP2008", "the conditional on hash");
    expect_gadget("{a: true, hash: header, algo: lc}", "", "which the rewrite takes away");
    expect_gadget("{a: true, code: 'return 1'}", "", "Lua that loads");
    expect_gadget("{a: true, code: 'return return'}", "HOP2007", "Lua that does not");
    expect_gadget("{a: true, url: 'http://u@h', headers: {auth: x}}", "HOP2008",
                  "a validator set checks a map's keys");
    expect_gadget("{a: true, url: 'http://h', headers: {auth: x}}", "", "only when the if holds");
}

static void test_validation(void)
{
    expect_codes("1.0", "{name: abc, a: x}", "", "a valid thing");
    expect_codes("1.0", "{name: abc}", "HOP2009", "at_least_one_of");
    expect_codes("1.0", "{name: abc, a: x, port: five}", "HOP2003", "wrong type");
    expect_codes("1.0", "{name: abc, a: x, port: 70000}", "HOP2005", "out of range");
    expect_codes("1.0", "{name: abc1, a: x}", "HOP2007", "the 1.0 typedef variant rejects digits");
    expect_codes("2.0", "{name: abc1, a: x}", "", "the 2.0 variant allows them");
    expect_codes("1.0", "{name: abc, a: x, mode: y}", "HOP2013", "a value from a later version");
    expect_codes("1.0", "{name: abc, a: x, mode: q}", "HOP2004", "a value of no version");
    expect_codes("2.0", "{name: abc, a: x, mode: y}", "", "which 2.0 has");
    expect_codes("2.0", "{name: abc, a: x, mode: z}", "HOP4002", "a deprecated value warns");
    expect_codes("2.0", "{name: abc, a: x, old: q}", "HOP4001", "a removed field");
    expect_codes("1.0", "{name: abc, a: x, new: 1}", "HOP2013", "a field added later");
    expect_codes("1.0", "{name: abc, a: x, nmae: q}", "HOP2001", "an unknown field");
    expect_codes("1.0", "{name: '', a: x}", "HOP2006", "an empty string");
    expect_codes("1.0", "{name: abc, a: x, id: not-a-uuid}", "HOP2007", "uuid");
    expect_codes("1.0", "{name: abc, a: x, mode: x, port: 2000}", "HOP2008",
                 "a conditional rule, with port's default-free value");
    expect_codes("1.0", "{name: abc, a: x, mode: x}", "", "the conditional reads the default");
    expect_codes("1.0", "{name: abc, a: x, port: null}", "HOP2002", "required and null");
    expect_codes("1.0", "{name: abc, a: x, hidden: hunter2}", "", "a secret value passes");
    expect_codes("1.0", "{name: abc, a: x, hidden: h2}", "HOP2006",
                 "a failing secret is reported without its value");
    expect_codes("1.0", "{name: abc, a: x, port: '${{ env \"DECK_PORT\" }}'}", "",
                 "a placeholder stands in for any value");
    expect_codes("1.0", "{name: abc, a: x, tags: [a, null]}", "HOP2002", "a null list element");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_schema SCHEMA_DIR\n");
        return 2;
    }
    test_real_knowledge(argv[1]);
    test_packed_knowledge(argv[1]);
    test_fail_closed();
    test_no_plan();
    test_editions();
    test_validation();
    test_newer_checks();
    return done();
}
