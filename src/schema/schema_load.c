/*
 * Loading knowledge: read each product's YAML files and check them against the format's
 * keyword tables (docs/schema-format.md). Fail closed: the first thing not understood is a
 * load error at file:line:col.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reader/reader.h"
#include "schema_expr.h"
#include "schema_kb.h"
#include "schema_named.h"
#include "schema_pack.h"
#include "util/util_error.h"

/* ---- what a definition may say ----------------------------------------------------------- */

enum shape {
    SH_STRING,
    SH_BOOL,
    SH_INT,
    SH_NUMBER,
    SH_ANY,
    SH_VERSION,
    SH_STRINGS,
    SH_FIELDDEF,
    SH_FULL_FIELDDEF,
    SH_FIELDS,
    SH_CHECKS,
    SH_REGEX,
    SH_PATTERNS,
    SH_MATCH_ANY,
    SH_ENUM,
    SH_RANGE,
    SH_DEPRECATED,
    SH_TYPE,
    SH_TYPEDEF,
    SH_VALIDATOR,
    SH_ENTITY,
    SH_SUBSETS,
    SH_SHORTHANDS,
    SH_SUBSCHEMAS,
    SH_FLAVORS,
    SH_ROUTER_FLAVORS,
    SH_EDITIONS,
    SH_EDITION_LIST,
    SH_BACKEND_LIST,
    SH_EXPAND,
    SH_KEY_VARIANTS,
    SH_STRINGS_VARIANTS,
    SH_SETS,
    SH_CONDITIONAL,
    SH_CONDITIONAL_ALO,
    SH_ORDERED,
    SH_NAMES_ITEM,
    SH_VERSIONS,
    SH_FORMAT_VERSIONS,
    SH_NAMES_FROM,
    SH_SHARED_CONFIGS,
    SH_VARIANTS,
    SH_RULES,
    SH_CODE,
    SH_HOP,
    SH_LISTED_VERSION,
    SH_AT,
    SH_WHEN,
    SH_DO,
    SH_TRANSFORM,
    SH_FORMAT_LIST,
    SH_WHERE,
    SH_TRUE,
    SH_VALUE_MAP,
    SH_SEVERITY,
    SH_MOVE,
    SH_SCALARS,
    SH_FIELDDEFS,
    SH_BOOL_VARIANTS,
    SH_DELEGATES,
    SH_PLUGIN_SCOPE,
    SH_EXCLUSIVE_CHILDREN,
    SH_LOCAL_REFS,
    SH_PLAN_CHOICES,
    SH_PLAN_STEPS,
    SH_PLAN_NOTES,
    SH_PLAN_JUMPS,
    SH_PLAN_PHASE,
    SH_PLAN_TEXT,
    SH_PLAN_MODES,
    SH_CAPTURES,
    SH_UNIQUE_ITEMS,
    SH_JSON,
    SH_UNCHECKED,
    SH_AND_IF,
    SH_REWRITES,
    SH_IF_SET,
    SH_DISTINCT_BY,
    SH_EXPR,
    SH_YAML_PARSERS,
    SH_SET_WHEN,
    SH_UNKNOWN_KEYS,
    SH_MISPLACED_KEYS,
    SH_PLUGIN_DECLARATIONS,
    SH_UNKNOWN_PLUGINS,
    SH_STRING_LENGTH,
    SH_SECRET_REFERENCES,
    SH_PLUGIN_ENTRIES,
    SH_UNLESS_METADATA,
    SH_COUNT
};

struct keyword {
    const char *name;
    enum shape shape;
};

#define TABLE(t) t, sizeof(t) / sizeof(t[0])

static const struct keyword condition_keywords[] = {
    {"since", SH_VERSION},     {"until", SH_VERSION},
    {"flavors", SH_FLAVORS},   {"router_flavors", SH_ROUTER_FLAVORS},
    {"editions", SH_EDITIONS},
};

static const struct keyword field_keywords[] = {
    {"type", SH_TYPE},
    {"typedef", SH_TYPEDEF},
    {"required", SH_BOOL},
    {"default", SH_ANY},
    {"auto", SH_BOOL},
    {"unique", SH_BOOL},
    {"unique_keys", SH_STRING},
    {"secret", SH_BOOL},
    {"referenceable", SH_BOOL},
    {"reference", SH_ENTITY},
    {"elements", SH_FIELDDEF},
    {"keys", SH_FIELDDEF},
    {"values", SH_FIELDDEF},
    {"fields", SH_FIELDS},
    {"checks", SH_CHECKS},
    {"shorthands", SH_SHORTHANDS},
    {"open", SH_BOOL},
    {"deprecated", SH_DEPRECATED},
    {"replaced_by", SH_STRING},
    {"description", SH_STRING},
    {"eq", SH_ANY},
    {"ne", SH_ANY},
    {"not_one_of", SH_ENUM},
    {"one_of", SH_ENUM},
    {"gt", SH_NUMBER},
    {"uuid", SH_BOOL},
    {"between", SH_RANGE},
    {"len_eq", SH_INT},
    {"len_min", SH_INT},
    {"len_max", SH_INT},
    {"starts_with", SH_STRING},
    {"not_match", SH_REGEX},
    {"keys_matching", SH_REGEX},
    {"match_none", SH_PATTERNS},
    {"match", SH_REGEX},
    {"match_all", SH_PATTERNS},
    {"match_any", SH_MATCH_ANY},
    {"contains", SH_ANY},
    {"validator", SH_VALIDATOR},
    {"any_of", SH_FIELDDEFS},
    {"mutually_exclusive_subsets", SH_SUBSETS},
    {"err", SH_STRING},
    {"plugin_map", SH_PLUGIN_SCOPE},
    {"implied", SH_BOOL},
    {"check_secret_refs", SH_BOOL},
    {"captures", SH_CAPTURES},
    {"unique_items", SH_UNIQUE_ITEMS},
    {"json", SH_JSON},
    {"unchecked", SH_STRING},
    {"plugin_entries", SH_PLUGIN_ENTRIES},
};

static const struct keyword check_keywords[] = {
    {"at_least_one_of", SH_STRINGS},
    {"only_one_of", SH_STRINGS},
    {"mutually_exclusive", SH_STRINGS},
    {"mutually_required", SH_STRINGS},
    {"mutually_exclusive_sets", SH_SETS},
    {"distinct", SH_STRINGS},
    {"ordered", SH_ORDERED},
    {"same_count", SH_STRINGS},
    {"conditional", SH_CONDITIONAL},
    {"conditional_at_least_one_of", SH_CONDITIONAL_ALO},
    {"at_least_one_true", SH_STRINGS},
    {"closed_if_any", SH_STRINGS},
    {"equal", SH_STRINGS},
    {"unchecked", SH_UNCHECKED},
    {"forbids", SH_IF_SET},
    {"requires", SH_IF_SET},
    {"distinct_by", SH_DISTINCT_BY},
    {"names_item", SH_NAMES_ITEM},
    {"unless_metadata", SH_UNLESS_METADATA},
    {"description", SH_STRING},
};

/* Beside a check's keyword: keys that qualify it rather than being checks themselves. */
static const char *const check_qualifiers[] = {"description", "unless_metadata"};

/* A check that holds unless the plugin's metadata in the file sets some fields. */
static const struct keyword unless_metadata_keywords[] = {{"sets", SH_STRINGS}, {"err", SH_STRING}};

/* A value holding plugin configurations (docs/schema-format.md, "Plugin entries"). */
static const struct keyword plugin_entries_keywords[] = {
    {"form", SH_STRING},     {"scope", SH_PLUGIN_SCOPE}, {"plugin_type", SH_STRING},
    {"names_only", SH_BOOL}, {"names", SH_ANY},          {"skip", SH_STRINGS},
    {"extras", SH_FIELDDEF}, {"err", SH_STRING},         {"description", SH_STRING}};

/* One name of plugin_entries' `names` written as a mapping. */
static const struct keyword entry_name_keywords[] = {
    {"value", SH_STRING}, {"definition", SH_FIELDDEF}, {"plugin", SH_STRING},
    {"field", SH_STRING}, {"fields", SH_ANY},          {"description", SH_STRING}};

static const struct keyword conditional_keywords[] = {
    {"if_field", SH_STRING},        {"if_match", SH_FIELDDEF}, {"then_field", SH_STRING},
    {"then_match", SH_FIELDDEF},    {"then_err", SH_STRING},   {"and_if", SH_AND_IF},
    {"then_def", SH_FULL_FIELDDEF}, {"unless_set", SH_STRING},
};

/* ordered written as a mapping: the comparison, strict or not, only where a condition holds
 * (APISIX's limit-count compares sync_interval with time_window only with a redis policy). */
static const struct keyword ordered_keywords[] = {
    {"fields", SH_STRINGS},    {"strict", SH_BOOL},   {"if_field", SH_STRING},
    {"if_match", SH_FIELDDEF}, {"and_if", SH_AND_IF}, {"err", SH_STRING},
};

/* names_item: a field's value is the `by` field of one of a list's items (ai-proxy-multi's
 * semantic_opts.fallback names an instance), where the optional condition holds. */
static const struct keyword names_item_keywords[] = {
    {"field", SH_STRING},      {"list", SH_STRING},   {"by", SH_STRING},  {"if_field", SH_STRING},
    {"if_match", SH_FIELDDEF}, {"and_if", SH_AND_IF}, {"err", SH_STRING},
};

/* More conditions a conditional (or an unchecked check) needs, all of which must hold. */
static const struct keyword and_if_keywords[] = {{"field", SH_STRING}, {"match", SH_FIELDDEF}};

/* A check gatehop cannot run, announced (HOP9005) when its condition holds. */
static const struct keyword unchecked_check_keywords[] = {{"if_field", SH_STRING},
                                                          {"if_match", SH_FIELDDEF},
                                                          {"and_if", SH_AND_IF},
                                                          {"unless_set", SH_STRING},
                                                          {"text", SH_STRING}};

/* forbids / requires: when if_field is set (and matches if_match), the fields must all be
 * unset / all be set. */
static const struct keyword if_set_keywords[] = {
    {"if_field", SH_STRING}, {"if_match", SH_FIELDDEF}, {"fields", SH_STRINGS}, {"err", SH_STRING}};

/* distinct_by: the fields' values, each turned by a named derivation, differ. */
static const struct keyword distinct_by_keywords[] = {
    {"fields", SH_STRINGS}, {"by", SH_STRING}, {"err", SH_STRING}};

/* A string's parts: the groups of a pattern, each checked against a definition. */
static const struct keyword captures_keywords[] = {
    {"pattern", SH_REGEX}, {"err", SH_STRING}, {"parts", SH_ANY}};

/* The items of a list must differ (by one of their fields, for records). */
static const struct keyword unique_items_keywords[] = {{"by", SH_STRING}, {"err", SH_STRING}};

/* What the gateway does to an entity's values before it validates them (Kong's shorthand
 * functions named like the fields they rewrite). */
static const struct keyword rewrite_keywords[] = {{"field", SH_STRING}, {"cases", SH_ANY}};
static const struct keyword rewrite_case_keywords[] = {{"match", SH_FIELDDEF}, {"set", SH_ANY}};

static const struct keyword conditional_alo_keywords[] = {
    {"if_field", SH_STRING},
    {"if_match", SH_FIELDDEF},
    {"then_at_least_one_of", SH_STRINGS},
    {"then_err", SH_STRING},
    {"else_match", SH_FIELDDEF},
    {"else_then_at_least_one_of", SH_STRINGS},
    {"else_then_err", SH_STRING},
};

static const struct keyword sets_keywords[] = {{"set1", SH_STRINGS}, {"set2", SH_STRINGS}};

static const struct keyword entity_keywords[] = {
    {"entity", SH_STRING},
    {"singular", SH_STRING},
    {"description", SH_STRING},
    {"primary_key", SH_STRING},
    {"endpoint_key", SH_KEY_VARIANTS},
    {"label", SH_STRING},
    {"cache_key", SH_STRINGS_VARIANTS},
    {"open", SH_BOOL_VARIANTS},
    {"delegates", SH_DELEGATES},
    {"fields", SH_FIELDS},
    {"shorthands", SH_SHORTHANDS},
    {"checks", SH_CHECKS},
    {"subschemas", SH_SUBSCHEMAS},
    {"plugin_key", SH_STRING},
    {"plugin_scope", SH_PLUGIN_SCOPE},
    {"exclusive_children", SH_EXCLUSIVE_CHILDREN},
    {"local_refs", SH_LOCAL_REFS},
    {"rewrites", SH_REWRITES},
    {"unchecked", SH_KEY_VARIANTS},
};

/* Collections nested in an entity that must not be given together (ADC: a service holds
 * routes or stream routes). */
static const struct keyword exclusive_children_keywords[] = {{"names", SH_STRINGS},
                                                             {"err", SH_STRING}};

/* A plugin field naming an item of one of the entity's own lists (API7 3.8: traffic-split's
 * upstream_id names an upstream of the same service). */
static const struct keyword local_ref_keywords[] = {{"plugin", SH_STRING}, {"field", SH_STRINGS},
                                                    {"among", SH_STRING},  {"own_id", SH_BOOL},
                                                    {"ids", SH_STRING},    {"err", SH_STRING}};

/* A shorthand either names a C expansion (`expand`) or copies its value, through `map`, into
 * fields of its record (`sets`, dotted paths into nested records). */
static const struct keyword shorthand_keywords[] = {{"type", SH_TYPE},
                                                    {"expand", SH_EXPAND},
                                                    {"sets", SH_STRINGS},
                                                    {"map", SH_ANY},
                                                    {"len_min", SH_INT},
                                                    {"elements", SH_FIELDDEF},
                                                    {"deprecated", SH_DEPRECATED},
                                                    {"description", SH_STRING}};

static const struct keyword subschemas_keywords[] = {{"key", SH_STRING},
                                                     {"names_from", SH_NAMES_FROM},
                                                     {"plugin_config", SH_STRING},
                                                     {"shared_configs", SH_SHARED_CONFIGS},
                                                     {"variants", SH_VARIANTS}};

/* decK's `_config: NAME` on a plugin, naming an entry of the top-level `_plugin_configs`. */
static const struct keyword shared_configs_keywords[] = {{"field", SH_STRING}, {"from", SH_STRING}};

static const struct keyword variant_keywords[] = {{"names", SH_STRINGS},
                                                  {"fields", SH_FIELDS},
                                                  {"checks", SH_CHECKS},
                                                  {"description", SH_STRING}};

static const struct keyword enum_item_keywords[] = {{"value", SH_ANY},
                                                    {"deprecated", SH_DEPRECATED},
                                                    {"replaced_by", SH_STRING},
                                                    {"file", SH_STRING},
                                                    {"nested_only", SH_BOOL}};

static const struct keyword delegate_keywords[] = {
    {"field", SH_STRING}, {"match", SH_REGEX}, {"entity", SH_ENTITY}};

static const struct keyword format_item_keywords[] = {{"value", SH_STRING}, {"assume", SH_VERSION}};

static const struct keyword key_variant_keywords[] = {{"value", SH_STRING}};

static const struct keyword bool_variant_keywords[] = {{"value", SH_BOOL}};

static const struct keyword strings_variant_keywords[] = {{"value", SH_STRINGS}};

static const struct keyword deprecated_keywords[] = {
    {"since", SH_VERSION}, {"message", SH_STRING}, {"old_default", SH_ANY}};

static const struct keyword match_any_keywords[] = {{"patterns", SH_STRINGS}, {"err", SH_STRING}};

static const struct keyword pattern_keywords[] = {{"pattern", SH_STRING}, {"err", SH_STRING}};

static const struct keyword product_keywords[] = {
    {"product", SH_STRING},
    {"name", SH_STRING},
    {"versions", SH_VERSIONS},
    {"format_versions", SH_FORMAT_VERSIONS},
    {"router_flavors", SH_ENUM},
    {"default_router_flavor", SH_ENUM},
    {"editions", SH_EDITION_LIST},
    {"plugins", SH_ENUM},
    {"duplicates", SH_ENUM},
    {"shorthand_conflicts", SH_ENUM},
    {"end_marker", SH_STRING},
    {"json_since", SH_VERSION},
    {"string_env_vars", SH_BOOL},
    {"envsubst_inferred", SH_BOOL},
    {"numbers_from_strings", SH_BOOL},
    {"stream_plugins", SH_ENUM},
    {"unique_sets", SH_BOOL},
    {"backends", SH_BACKEND_LIST},
    {"expressions", SH_EXPR},
    {"missing_records_fail", SH_BOOL},
    {"yaml_parser", SH_YAML_PARSERS},
    {"set_when", SH_SET_WHEN},
    {"unknown_plugins", SH_UNKNOWN_PLUGINS},
    {"string_length", SH_STRING_LENGTH},
    {"secret_references", SH_SECRET_REFERENCES},
};

/* product.yaml `expressions`: the language of the router's expressions (Kong's ATC router). */
static const struct keyword expressions_keywords[] = {
    {"subsystems", SH_ANY},    {"features", SH_ENUM}, {"functions", SH_ENUM},
    {"regex_syntax", SH_ENUM}, {"fields", SH_ANY},    {"description", SH_STRING}};

static const struct keyword expr_subsystem_keywords[] = {
    {"value", SH_STRING}, {"protocols", SH_STRINGS}, {"description", SH_STRING}};

static const struct keyword expr_def_keywords[] = {{"type", SH_STRING},
                                                   {"subsystems", SH_STRINGS},
                                                   {"alias_of", SH_STRING},
                                                   {"deprecated", SH_DEPRECATED},
                                                   {"description", SH_STRING}};

static const struct keyword document_keywords[] = {{"fields", SH_FIELDS},
                                                   {"entity_fields", SH_FIELDS},
                                                   {"entities", SH_ENUM},
                                                   {"unknown_keys", SH_UNKNOWN_KEYS},
                                                   {"misplaced_keys", SH_MISPLACED_KEYS},
                                                   {"merged_files", SH_BOOL},
                                                   {"plugin_declarations", SH_PLUGIN_DECLARATIONS}};

static const struct keyword misplaced_keywords[] = {{"file", SH_STRING}, {"keys", SH_STRINGS}};

static const struct keyword declaration_keywords[] = {
    {"key", SH_STRING}, {"name", SH_STRING}, {"clone_of", SH_STRING}};

static const struct keyword typedefs_keywords[] = {{"typedefs", SH_FIELDS}};

/* One plugin's configuration, per place it is configured (docs/schema-format.md, "Plugins"). */
static const struct keyword plugin_keywords[] = {{"plugin", SH_STRING},
                                                 {"config", SH_FIELDDEF},
                                                 {"consumer", SH_FIELDDEF},
                                                 {"metadata", SH_FIELDDEF},
                                                 {"stream", SH_FIELDDEF},
                                                 {"entity", SH_FIELDS},
                                                 {"plugin_type", SH_KEY_VARIANTS},
                                                 {"description", SH_STRING}};

static const struct keyword upgrades_keywords[] = {{"format_field", SH_STRING},
                                                   {"rules", SH_RULES}};

static const struct keyword rule_keywords[] = {
    {"code", SH_CODE},
    {"hop", SH_HOP},
    {"at", SH_AT},
    {"where", SH_WHERE},
    {"field", SH_STRING},
    {"each", SH_BOOL},
    {"when", SH_WHEN},
    {"do", SH_DO},
    {"severity", SH_SEVERITY},
    {"ignored", SH_SCALARS},
    {"why", SH_STRING},
    {"both_set", SH_STRING},
    {"repeat", SH_BOOL},
    {"editions", SH_EDITIONS},
};

static const struct keyword when_keywords[] = {{"format_version", SH_FORMAT_LIST}};

static const struct keyword do_keywords[] = {
    {"set", SH_ANY},          {"rename", SH_STRING}, {"transform", SH_TRANSFORM},
    {"remove", SH_TRUE},      {"map", SH_VALUE_MAP}, {"move", SH_MOVE},
    {"manual", SH_STRING},    {"join", SH_STRING},   {"notice", SH_STRING},
    {"keep_default", SH_ANY}, {"wrap", SH_TRUE}};

/* An upgrade plan: deployment modes and the steps of each hop (docs/schema-format.md,
 * "Upgrade plans"). */
static const struct keyword plan_keywords[] = {{"modes", SH_PLAN_CHOICES},
                                               {"notes", SH_PLAN_NOTES},
                                               {"jumps", SH_PLAN_JUMPS},
                                               {"steps", SH_PLAN_STEPS}};

static const struct keyword plan_choice_keywords[] = {
    {"value", SH_STRING}, {"description", SH_STRING}, {"aliases", SH_STRINGS}};

/* An edition of product.yaml: a plan's choice that exists in some releases only. */
static const struct keyword backend_keywords[] = {
    {"value", SH_STRING}, {"description", SH_STRING}, {"since", SH_VERSION}};

static const struct keyword edition_keywords[] = {{"value", SH_STRING},
                                                  {"description", SH_STRING},
                                                  {"aliases", SH_STRINGS},
                                                  {"since", SH_VERSION},
                                                  {"until", SH_VERSION}};

/* What selects a step or a note: the deployment mode, the edition, the hop's releases. */
#define PLAN_CONDITIONS                                                                            \
    {"modes", SH_PLAN_MODES}, {"editions", SH_EDITIONS}, {"hop", SH_HOP}, {"since", SH_VERSION},   \
        {"until", SH_VERSION},                                                                     \
    {                                                                                              \
        "text", SH_PLAN_TEXT                                                                       \
    }

static const struct keyword plan_step_keywords[] = {{"phase", SH_PLAN_PHASE}, PLAN_CONDITIONS};
static const struct keyword plan_note_keywords[] = {PLAN_CONDITIONS};

/* A direct upgrade the vendor supports between releases that are not adjacent (an LTS to the
 * next); `as` is the release it arrives at when that is a patch release (3.1.1.3). */
static const struct keyword plan_jump_keywords[] = {
    {"from", SH_LISTED_VERSION}, {"to", SH_HOP}, {"as", SH_STRING}, {"editions", SH_EDITIONS}};

static const char *const type_names[] = {"string", "integer", "number", "boolean", "array",
                                         "set",    "map",     "record", "foreign", "any"};

/* ---- the loading context ----------------------------------------------------------------- */

struct lctx {
    struct kb_product *p;
    const char *file;
    gh_error *err;
    bool needs_type;                  /* a field definition must say type or typedef */
    const struct node *record_fields; /* field names checks may refer to */
};

static int bad(struct lctx *c, const struct node *at, const char *fmt, ...) GH_PRINTF(3, 4);

static int bad(struct lctx *c, const struct node *at, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return error_set_at(c->err, GH_ESCHEMA, c->file, at ? at->span.line : 0,
                        at ? at->span.column : 0, "%s", msg);
}

static int check_shape(struct lctx *c, enum shape shape, const struct node *n);

static const struct keyword *find_keyword(const struct keyword *table, size_t n,
                                          const struct node *key)
{
    for (size_t i = 0; i < n; i++)
        if (node_text_equals(key, table[i].name))
            return &table[i];
    return NULL;
}

/* A mapping whose keys all come from table (and, if allowed, the condition keywords). */
static int check_mapping(struct lctx *c, const struct node *n, const struct keyword *table,
                         size_t ntable, bool conditions, const char *what)
{
    if (!n || n->kind != NODE_MAPPING)
        return bad(c, n, "%s must be a mapping", what);
    for (uint32_t i = 0; i < n->count; i++) {
        const struct node *key = n->u.pairs[i].key;
        if (!node_is_string(key))
            return bad(c, key, "keys of %s must be strings", what);
        const struct keyword *k = find_keyword(table, ntable, key);
        if (!k && conditions)
            k = find_keyword(TABLE(condition_keywords), key);
        if (!k)
            return bad(c, key, "unknown keyword '%s' in %s", key->u.text, what);
        int rc = check_shape(c, k->shape, n->u.pairs[i].value);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static bool find_in(const struct node *list, const char *name)
{
    for (uint32_t i = 0; list && i < list->count; i++) {
        if (node_text_equals(spec_item_value(list->u.items[i]), name))
            return true;
    }
    return false;
}

/* Every key of `needed` is present in the mapping n, which is "what". */
static int require_keys(struct lctx *c, const struct node *n, const char *const *needed,
                        size_t nneeded, const char *what)
{
    for (size_t k = 0; k < nneeded; k++)
        if (!node_map_get(n, needed[k]))
            return bad(c, n, "%s needs '%s'", what, needed[k]);
    return 0;
}

/* ---- one checker per shape --------------------------------------------------------------- */

static int sh_string(struct lctx *c, const struct node *n)
{
    return node_is_string(n) ? 0 : bad(c, n, "expected a string, got %s", node_describe(n));
}

static int sh_bool(struct lctx *c, const struct node *n)
{
    return n->kind == NODE_SCALAR && n->type == SCALAR_BOOL
               ? 0
               : bad(c, n, "expected true or false, got %s", node_describe(n));
}

static int sh_int(struct lctx *c, const struct node *n)
{
    return n->kind == NODE_SCALAR && n->type == SCALAR_INT
               ? 0
               : bad(c, n, "expected an integer, got %s", node_describe(n));
}

static int sh_number(struct lctx *c, const struct node *n)
{
    return node_is_number(n) ? 0 : bad(c, n, "expected a number, got %s", node_describe(n));
}

static int sh_any(struct lctx *c, const struct node *n)
{
    (void)c;
    (void)n;
    return 0;
}

static int sh_version(struct lctx *c, const struct node *n)
{
    struct version v;
    if (!node_is_string(n))
        return bad(c, n, "a version must be a quoted string such as \"3.4\", not %s",
                   node_describe(n));
    return version_parse(n->u.text, n->count, &v) ? 0
                                                  : bad(c, n, "'%s' is not a version", n->u.text);
}

static int sh_strings(struct lctx *c, const struct node *n)
{
    if (n->kind != NODE_SEQUENCE)
        return bad(c, n, "expected a list of strings, got %s", node_describe(n));
    for (uint32_t i = 0; i < n->count; i++)
        if (!node_is_string(n->u.items[i]))
            return bad(c, n->u.items[i], "expected a string, got %s", node_describe(n->u.items[i]));
    return 0;
}

static int sh_versions(struct lctx *c, const struct node *n)
{
    if (n->kind != NODE_SEQUENCE || n->count == 0)
        return bad(c, n, "expected a list of versions");
    for (uint32_t i = 0; i < n->count; i++) {
        int rc = sh_version(c, n->u.items[i]);
        if (rc < 0)
            return rc;
    }
    return 0;
}

struct range {
    struct version since, until;
    bool has_since, has_until;
};

static struct range range_of(const struct node *def)
{
    struct range r = {{{0}, 0}, {{0}, 0}, false, false};
    const struct node *s = node_map_get(def, "since"), *u = node_map_get(def, "until");
    if (s)
        r.has_since = version_parse(s->u.text, s->count, &r.since);
    if (u)
        r.has_until = version_parse(u->u.text, u->count, &r.until);
    return r;
}

/* Compares two version strings already checked by sh_version(). */
static int version_compare_text(const struct node *a, const struct node *b)
{
    struct version x, y;
    version_parse(a->u.text, a->count, &x);
    version_parse(b->u.text, b->count, &y);
    return version_compare(&x, &y);
}

static bool lists_meet(const struct node *a, const struct node *b)
{
    if (!a || !b)
        return true;
    for (uint32_t i = 0; i < a->count; i++)
        for (uint32_t j = 0; j < b->count; j++)
            if (node_equal(a->u.items[i], b->u.items[j]))
                return true;
    return false;
}

/* Two variants overlap when some version, flavour and router flavour selects both. */
static bool variants_overlap(const struct node *a, const struct node *b)
{
    struct range x = range_of(a), y = range_of(b);
    if (x.has_until && y.has_since && version_compare(&x.until, &y.since) <= 0)
        return false;
    if (y.has_until && x.has_since && version_compare(&y.until, &x.since) <= 0)
        return false;
    return lists_meet(node_map_get(a, "flavors"), node_map_get(b, "flavors")) &&
           lists_meet(node_map_get(a, "router_flavors"), node_map_get(b, "router_flavors")) &&
           lists_meet(node_map_get(a, "editions"), node_map_get(b, "editions"));
}

static int check_one_fielddef(struct lctx *c, const struct node *n)
{
    bool needs_type = c->needs_type;
    const struct node *record_fields = c->record_fields;
    /* Checks and shorthands inside a record name that record's fields. */
    if (n->kind == NODE_MAPPING && (node_map_get(n, "checks") || node_map_get(n, "shorthands")))
        c->record_fields = node_map_get(n, "fields");
    int rc = check_mapping(c, n, TABLE(field_keywords), true, "a field definition");
    c->needs_type = needs_type;
    c->record_fields = record_fields;
    if (rc < 0)
        return rc;
    if (needs_type && !node_map_get(n, "type") && !node_map_get(n, "typedef") &&
        !node_map_get(n, "any_of"))
        return bad(c, n, "a field definition needs 'type', 'typedef' or 'any_of'");
    const struct node *type = node_map_get(n, "type");
    const struct node *elements = node_map_get(n, "elements");
    if (type && (node_text_equals(type, "array") || node_text_equals(type, "set")) && !elements &&
        needs_type && !node_map_get(n, "typedef"))
        return bad(c, n, "an array or set needs 'elements'");
    if (type && node_text_equals(type, "foreign") && !node_map_get(n, "reference"))
        return bad(c, n, "a foreign field needs 'reference'");
    return 0;
}

static int sh_fielddef(struct lctx *c, const struct node *n)
{
    if (n->kind != NODE_SEQUENCE)
        return check_one_fielddef(c, n);
    if (n->count == 0)
        return bad(c, n, "a list of variants must not be empty");
    for (uint32_t i = 0; i < n->count; i++) {
        int rc = check_one_fielddef(c, n->u.items[i]);
        if (rc < 0)
            return rc;
        for (uint32_t j = 0; j < i; j++)
            if (variants_overlap(n->u.items[j], n->u.items[i]))
                return bad(c, n->u.items[i],
                           "this variant overlaps the one at line %u: give them disjoint "
                           "since/until, flavors, router_flavors or editions",
                           n->u.items[j]->span.line);
    }
    return 0;
}

/*
 * A conditional's then_def: a whole field definition (a type, and elements, fields, ... as a
 * field has), even where the check around it holds validator sets. It checks a value that is
 * written; `required` would say nothing there (then_match says it).
 */
static int sh_full_fielddef(struct lctx *c, const struct node *n)
{
    bool needs_type = c->needs_type;
    c->needs_type = true;
    int rc = sh_fielddef(c, n);
    c->needs_type = needs_type;
    for (uint32_t i = 0; rc == 0 && i < (n->kind == NODE_SEQUENCE ? n->count : 1); i++) {
        const struct node *def = n->kind == NODE_SEQUENCE ? n->u.items[i] : n;
        const struct node *required = node_map_get(def, "required");
        if (required)
            return bad(c, required,
                       "a then_def checks a value that is written: say 'required' "
                       "with then_match in a conditional of its own");
    }
    return rc;
}

static int sh_fields(struct lctx *c, const struct node *n)
{
    if (n->kind != NODE_MAPPING)
        return bad(c, n, "'fields' must be a mapping of field names to definitions");
    for (uint32_t i = 0; i < n->count; i++) {
        if (!node_is_string(n->u.pairs[i].key))
            return bad(c, n->u.pairs[i].key, "field names must be strings");
        int rc = sh_fielddef(c, n->u.pairs[i].value);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* The `fields` a variant of a definition holds: its own, its typedef's, or those of the JSON
 * value its string holds (keys.jwk: `jwk.kid` names a member of the decoded JSON). */
static const struct node *variant_fields(const struct kb_product *p, const struct node *v,
                                         int depth)
{
    const struct node *fields = node_map_get(v, "fields");
    const struct node *td = node_map_get(v, "typedef");
    const struct node *json = node_map_get(v, "json");
    if (fields || depth > 8)
        return fields;
    if (json)
        return variant_fields(p, json, depth + 1);
    const struct node *def = td && node_is_string(td) ? kb_typedef(p, td->u.text) : NULL;
    size_t n = def && def->kind == NODE_SEQUENCE ? def->count : 1;
    for (size_t i = 0; def && i < n && !fields; i++)
        fields = variant_fields(p, def->kind == NODE_SEQUENCE ? def->u.items[i] : def, depth + 1);
    return fields;
}

/* The `fields` of some variant of a definition that has `name` among them. */
static const struct node *fields_holding(const struct kb_product *p, const struct node *def,
                                         const char *name, size_t len)
{
    size_t n = def && def->kind == NODE_SEQUENCE ? def->count : 1;
    for (size_t i = 0; def && i < n; i++) {
        const struct node *v = def->kind == NODE_SEQUENCE ? def->u.items[i] : def;
        const struct node *fields = variant_fields(p, v, 0);
        for (uint32_t j = 0; fields && j < fields->count; j++)
            if (fields->u.pairs[j].key->count == len &&
                !memcmp(fields->u.pairs[j].key->u.text, name, len))
                return fields;
    }
    return NULL;
}

/* A field of the record, or a dotted path into its nested records (redis.host), in some
 * version. */
static bool field_path_exists(const struct kb_product *p, const struct node *fields,
                              const char *path)
{
    const char *dot = strchr(path, '.');
    size_t len = dot ? (size_t)(dot - path) : strlen(path);
    for (uint32_t i = 0; fields && i < fields->count; i++) {
        const struct node *key = fields->u.pairs[i].key;
        if (key->count != len || memcmp(key->u.text, path, len))
            continue;
        if (!dot)
            return true;
        const struct node *def = fields->u.pairs[i].value;
        const char *next = dot + 1;
        const char *next_dot = strchr(next, '.');
        size_t next_len = next_dot ? (size_t)(next_dot - next) : strlen(next);
        return field_path_exists(p, fields_holding(p, def, next, next_len), next);
    }
    return false;
}

static int check_field_name(struct lctx *c, const struct node *name)
{
    if (!c->record_fields || !name)
        return 0;
    if (!field_path_exists(c->p, c->record_fields, name->u.text))
        return bad(c, name, "'%s' is not a field here", name->u.text);
    return 0;
}

static int check_field_names(struct lctx *c, const struct node *list)
{
    for (uint32_t i = 0; list && i < list->count; i++) {
        int rc = check_field_name(c, list->u.items[i]);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int sh_checks(struct lctx *c, const struct node *n)
{
    if (n->kind != NODE_SEQUENCE)
        return bad(c, n, "'checks' must be a list");
    for (uint32_t i = 0; i < n->count; i++) {
        const struct node *item = n->u.items[i];
        int rc = check_mapping(c, item, TABLE(check_keywords), true, "a check");
        if (rc < 0)
            return rc;
        int kinds = 0;
        for (uint32_t j = 0; j < item->count; j++) {
            const struct node *key = item->u.pairs[j].key;
            const struct keyword *k = find_keyword(TABLE(check_keywords), key);
            bool qualifier = false;
            for (size_t q = 0; k && q < sizeof(check_qualifiers) / sizeof(*check_qualifiers); q++)
                qualifier |= !strcmp(k->name, check_qualifiers[q]);
            if (!k || qualifier)
                continue;
            kinds++;
            if (k->shape == SH_STRINGS && (rc = check_field_names(c, item->u.pairs[j].value)) < 0)
                return rc;
        }
        if (kinds != 1)
            return bad(c, item, "a check needs exactly one check keyword, it has %d", kinds);
    }
    return 0;
}

static int compile_pattern(struct lctx *c, const struct node *n)
{
    if (!node_is_string(n))
        return bad(c, n, "a pattern must be a string");
    if (kb_regex(c->p->kb, n->u.text, n->count))
        return 0;
    /* Compiled again only to say why it failed. */
    int code;
    PCRE2_SIZE at;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)n->u.text, n->count, 0, &code, &at, NULL);
    if (!re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(code, msg, sizeof(msg));
        return bad(c, n, "pattern does not compile: %s at offset %zu", (const char *)msg,
                   (size_t)at);
    }
    pcre2_code_free(re);
    return error_set(c->err, GH_ENOMEM, "out of memory");
}

static int sh_regex(struct lctx *c, const struct node *n)
{
    return compile_pattern(c, n);
}

static int sh_patterns(struct lctx *c, const struct node *n)
{
    if (n->kind != NODE_SEQUENCE)
        return bad(c, n, "expected a list of {pattern, err}");
    for (uint32_t i = 0; i < n->count; i++) {
        const struct node *item = n->u.items[i];
        int rc = check_mapping(c, item, TABLE(pattern_keywords), false, "a pattern");
        if (rc < 0)
            return rc;
        if (!node_map_get(item, "pattern"))
            return bad(c, item, "a pattern needs 'pattern'");
        if ((rc = compile_pattern(c, node_map_get(item, "pattern"))) < 0)
            return rc;
    }
    return 0;
}

static int sh_match_any(struct lctx *c, const struct node *n)
{
    int rc = check_mapping(c, n, TABLE(match_any_keywords), false, "match_any");
    if (rc < 0)
        return rc;
    const struct node *patterns = node_map_get(n, "patterns");
    if (!patterns)
        return bad(c, n, "match_any needs 'patterns'");
    for (uint32_t i = 0; i < patterns->count; i++)
        if ((rc = compile_pattern(c, patterns->u.items[i])) < 0)
            return rc;
    return 0;
}

static int sh_enum(struct lctx *c, const struct node *n)
{
    if (n->kind != NODE_SEQUENCE)
        return bad(c, n, "expected a list of values");
    for (uint32_t i = 0; i < n->count; i++) {
        const struct node *item = n->u.items[i];
        if (item->kind == NODE_SCALAR)
            continue;
        int rc = check_mapping(c, item, TABLE(enum_item_keywords), true, "a listed value");
        if (rc < 0)
            return rc;
        if (!node_map_get(item, "value"))
            return bad(c, item, "a listed value with conditions needs 'value'");
    }
    return 0;
}

/* product.yaml `yaml_parser`: libraries model_scalar.h knows, with conditions. */
static int sh_yaml_parsers(struct lctx *c, const struct node *n)
{
    int rc = sh_enum(c, n);
    for (uint32_t i = 0; rc == 0 && i < n->count; i++) {
        const struct node *v = spec_item_value(n->u.items[i]);
        enum yaml_lib lib;
        if (!node_is_string(v) || !yaml_lib_from_name(v->u.text, &lib))
            return bad(c, v, "unknown YAML library '%s' (lyaml, tinyyaml 0.4.2, tinyyaml 0.4.4)",
                       node_is_string(v) ? v->u.text : "?");
    }
    return rc;
}

/* product.yaml `set_when`: when a check counts a field as set. */
static int sh_set_when(struct lctx *c, const struct node *n)
{
    if (node_text_equals(n, "present") || node_text_equals(n, "non_empty"))
        return 0;
    return bad(c, n, "set_when is 'present' or 'non_empty'");
}

/* document.yaml `unknown_keys`: what the gateway does with a top-level key it does not know. */
static int sh_unknown_keys(struct lctx *c, const struct node *n)
{
    if (node_text_equals(n, "ignored") || node_text_equals(n, "refused"))
        return 0;
    return bad(c, n, "unknown_keys is 'ignored' or 'refused'");
}

/* A list of values with conditions, each one of two words (what the rest of the key says). */
static int enum_of_two(struct lctx *c, const struct node *n, const char *key, const char *a,
                       const char *b)
{
    int rc = sh_enum(c, n);
    for (uint32_t i = 0; rc == 0 && i < n->count; i++) {
        const struct node *v = spec_item_value(n->u.items[i]);
        if (!node_text_equals(v, a) && !node_text_equals(v, b))
            return bad(c, v, "%s values are '%s' or '%s'", key, a, b);
    }
    return rc;
}

/* product.yaml `unknown_plugins`: per release, whether a plugin the gateway does not load is
 * ignored (the entity loads without it) or refused. */
static int sh_unknown_plugins(struct lctx *c, const struct node *n)
{
    return enum_of_two(c, n, "unknown_plugins", "ignored", "refused");
}

/* product.yaml `secret_references`: per release, whether a secret reference skips the checks of
 * a string field (skip_checks) or is checked like any string (checked). */
static int sh_secret_references(struct lctx *c, const struct node *n)
{
    return enum_of_two(c, n, "secret_references", "skip_checks", "checked");
}

/* product.yaml `string_length`: what a string's length counts. */
static int sh_string_length(struct lctx *c, const struct node *n)
{
    if (node_text_equals(n, "bytes") || node_text_equals(n, "characters"))
        return 0;
    return bad(c, n, "string_length is 'bytes' or 'characters'");
}

/* document.yaml `misplaced_keys`: keys of another file, often pasted into this one. */
static int sh_misplaced_keys(struct lctx *c, const struct node *n)
{
    int rc = check_mapping(c, n, TABLE(misplaced_keywords), false, "misplaced_keys");
    if (rc == 0 && (!node_map_get(n, "file") || !node_map_get(n, "keys")))
        return bad(c, n, "misplaced_keys needs 'file' and 'keys'");
    return rc;
}

/* document.yaml `plugin_declarations`: [{key, name, clone_of}], the top-level lists whose
 * items declare plugin names the file's plugins may use. */
static int sh_plugin_declarations(struct lctx *c, const struct node *n)
{
    if (n->kind != NODE_SEQUENCE)
        return bad(c, n, "plugin_declarations is a list of {key, name, clone_of}");
    for (uint32_t i = 0; i < n->count; i++) {
        const struct node *it = n->u.items[i];
        int rc = check_mapping(c, it, TABLE(declaration_keywords), false, "plugin_declarations");
        if (rc < 0)
            return rc;
        if (!node_map_get(it, "key") || !node_map_get(it, "name"))
            return bad(c, it, "a plugin declaration needs 'key' and 'name'");
    }
    return 0;
}

static int sh_range(struct lctx *c, const struct node *n)
{
    if (n->kind != NODE_SEQUENCE || n->count != 2 || !node_is_number(n->u.items[0]) ||
        !node_is_number(n->u.items[1]))
        return bad(c, n, "expected [min, max]");
    if (node_number(n->u.items[0]) > node_number(n->u.items[1]))
        return bad(c, n, "the range's minimum is above its maximum");
    return 0;
}

static int sh_deprecated(struct lctx *c, const struct node *n)
{
    int rc = check_mapping(c, n, TABLE(deprecated_keywords), false, "deprecated");
    if (rc == 0 && !node_map_get(n, "since"))
        return bad(c, n, "deprecated needs 'since'");
    return rc;
}

static int sh_type(struct lctx *c, const struct node *n)
{
    for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
        if (node_text_equals(n, type_names[i]))
            return 0;
    return bad(c, n, "unknown type '%s'", node_is_string(n) ? n->u.text : "?");
}

static int sh_typedef(struct lctx *c, const struct node *n)
{
    if (!node_is_string(n))
        return bad(c, n, "a typedef name must be a string");
    return kb_typedef(c->p, n->u.text) ? 0 : bad(c, n, "unknown typedef '%s'", n->u.text);
}

static int sh_validator(struct lctx *c, const struct node *n)
{
    if (!node_is_string(n))
        return bad(c, n, "a validator name must be a string");
    bool known = named_validator_find(n->u.text) || named_node_validator_find(n->u.text);
    return known ? 0 : bad(c, n, "unknown validator '%s'", n->u.text);
}

static int sh_expand(struct lctx *c, const struct node *n)
{
    if (!node_is_string(n))
        return bad(c, n, "an expansion name must be a string");
    return named_expansion_find(n->u.text) ? 0 : bad(c, n, "unknown expansion '%s'", n->u.text);
}

static int sh_entity(struct lctx *c, const struct node *n)
{
    if (!node_is_string(n))
        return bad(c, n, "an entity name must be a string");
    return kb_entity_file(c->p, n->u.text) ? 0 : bad(c, n, "unknown entity '%s'", n->u.text);
}

/* Every item of a list names an entity of the product. */
static int entities_known(struct lctx *c, const struct node *list)
{
    for (uint32_t i = 0; i < list->count; i++) {
        int rc = sh_entity(c, list->u.items[i]);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int sh_exclusive_children(struct lctx *c, const struct node *n)
{
    int rc = check_mapping(c, n, TABLE(exclusive_children_keywords), false, "exclusive_children");
    const struct node *names = rc < 0 ? NULL : node_map_get(n, "names");
    if (rc == 0 && (!names || names->count < 2))
        return bad(c, n, "exclusive_children needs 'names', two collections or more");
    return rc < 0 ? rc : entities_known(c, names);
}

/* local_refs: [{plugin, field, among, own_id, ids, err, since...}]. `among` is a field of the
 * entity; `ids: adc` gives items without an `id` the one ADC derives from their name. */
static int sh_local_refs(struct lctx *c, const struct node *n)
{
    static const char *const needed[] = {"plugin", "field", "among"};
    if (n->kind != NODE_SEQUENCE)
        return bad(c, n, "'local_refs' must be a list");
    for (uint32_t i = 0; i < n->count; i++) {
        const struct node *ref = n->u.items[i];
        int rc = check_mapping(c, ref, TABLE(local_ref_keywords), true, "a local reference");
        if (rc == 0)
            rc = require_keys(c, ref, TABLE(needed), "a local reference");
        if (rc == 0)
            rc = check_field_name(c, node_map_get(ref, "among"));
        const struct node *ids = node_map_get(ref, "ids");
        if (rc == 0 && ids && !node_text_equals(ids, "adc"))
            return bad(c, ids, "'ids' is 'adc' (the ids ADC derives from names) or absent");
        /* A product without a plugin list (API7) does not check plugin names. */
        const struct node *plugin = node_map_get(ref, "plugin");
        const struct node *plugins = node_map_get(c->p->product.root, "plugins");
        if (rc == 0 && plugins && !find_in(plugins, plugin->u.text))
            return bad(c, plugin, "'%s' is not a plugin of %s", plugin->u.text, c->p->name);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int sh_subsets(struct lctx *c, const struct node *n)
{
    if (n->kind != NODE_SEQUENCE)
        return bad(c, n, "expected a list of lists");
    for (uint32_t i = 0; i < n->count; i++) {
        int rc = sh_strings(c, n->u.items[i]);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int sh_shorthands(struct lctx *c, const struct node *n)
{
    if (n->kind != NODE_MAPPING)
        return bad(c, n, "'shorthands' must be a mapping");
    for (uint32_t i = 0; i < n->count; i++) {
        const struct node *def = n->u.pairs[i].value;
        int rc = check_mapping(c, def, TABLE(shorthand_keywords), true, "a shorthand");
        if (rc < 0)
            return rc;
        if (!node_map_get(def, "type") ||
            !node_map_get(def, "expand") == !node_map_get(def, "sets"))
            return bad(c, def, "a shorthand needs 'type' and one of 'expand' or 'sets'");
        if ((rc = check_field_names(c, node_map_get(def, "sets"))) < 0)
            return rc;
        const struct node *map = node_map_get(def, "map");
        if (map && map->kind != NODE_MAPPING)
            return bad(c, map, "'map' must be a mapping of old values to new ones");
    }
    return 0;
}

static int sh_subschemas(struct lctx *c, const struct node *n)
{
    int rc = check_mapping(c, n, TABLE(subschemas_keywords), false, "subschemas");
    if (rc == 0 && !node_map_get(n, "key"))
        return bad(c, n, "subschemas need 'key'");
    return rc;
}

static int sh_variants(struct lctx *c, const struct node *n)
{
    if (n->kind != NODE_SEQUENCE)
        return bad(c, n, "'variants' must be a list");
    bool needs_type = c->needs_type;
    c->needs_type = false; /* variant fields overlay the entity's own */
    for (uint32_t i = 0; i < n->count; i++) {
        int rc = check_mapping(c, n->u.items[i], TABLE(variant_keywords), true, "a variant");
        if (rc == 0 && !node_map_get(n->u.items[i], "names"))
            rc = bad(c, n->u.items[i], "a variant needs 'names'");
        if (rc < 0)
            return rc;
    }
    c->needs_type = needs_type;
    return 0;
}

static int sh_names_from(struct lctx *c, const struct node *n)
{
    return node_text_equals(n, "plugins") ? 0 : bad(c, n, "names_from can only be 'plugins'");
}

static int sh_flavors(struct lctx *c, const struct node *n)
{
    int rc = sh_strings(c, n);
    for (uint32_t i = 0; rc == 0 && i < n->count; i++) {
        enum flavor f;
        if (!flavor_from_name(n->u.items[i]->u.text, &f))
            rc = bad(c, n->u.items[i], "unknown flavour '%s'", n->u.items[i]->u.text);
    }
    return rc;
}

static int sh_router_flavors(struct lctx *c, const struct node *n)
{
    int rc = sh_strings(c, n);
    const struct node *known = node_map_get(c->p->product.root, "router_flavors");
    for (uint32_t i = 0; rc == 0 && i < n->count; i++)
        if (!find_in(known, n->u.items[i]->u.text))
            rc = bad(c, n->u.items[i], "unknown router flavour '%s'", n->u.items[i]->u.text);
    return rc;
}

/* Names from product.yaml's `editions`, in a condition or a plan. */
static int sh_editions(struct lctx *c, const struct node *n)
{
    int rc = sh_strings(c, n);
    const struct node *known = node_map_get(c->p->product.root, "editions");
    for (uint32_t i = 0; rc == 0 && i < n->count; i++)
        if (!find_in(known, n->u.items[i]->u.text))
            rc = bad(c, n->u.items[i], "'%s' is not one of product.yaml's editions",
                     n->u.items[i]->u.text);
    return rc;
}

static int sh_shared_configs(struct lctx *c, const struct node *n)
{
    static const char *const needed[] = {"field", "from"};
    int rc = check_mapping(c, n, TABLE(shared_configs_keywords), false, "shared_configs");
    return rc < 0 ? rc : require_keys(c, n, TABLE(needed), "shared_configs");
}

static int variants_of(struct lctx *c, const struct node *n, const struct keyword *table,
                       size_t ntable, enum shape plain)
{
    if (n->kind == NODE_SEQUENCE && n->count && n->u.items[0]->kind == NODE_MAPPING) {
        for (uint32_t i = 0; i < n->count; i++) {
            int rc = check_mapping(c, n->u.items[i], table, ntable, true, "a variant");
            if (rc == 0 && !node_map_get(n->u.items[i], "value"))
                rc = bad(c, n->u.items[i], "a variant needs 'value'");
            if (rc < 0)
                return rc;
        }
        return 0;
    }
    return check_shape(c, plain, n);
}

static int sh_key_variants(struct lctx *c, const struct node *n)
{
    return variants_of(c, n, TABLE(key_variant_keywords), SH_STRING);
}

/* delegates: [{field, match, entity, since...}]: items of the collection that are another entity.
 */
static int sh_delegates(struct lctx *c, const struct node *n)
{
    if (n->kind != NODE_SEQUENCE)
        return bad(c, n, "'delegates' must be a list");
    for (uint32_t i = 0; i < n->count; i++) {
        static const char *const needed[] = {"field", "match", "entity"};
        int rc = check_mapping(c, n->u.items[i], TABLE(delegate_keywords), true, "a delegate");
        if (rc == 0)
            rc = require_keys(c, n->u.items[i], TABLE(needed), "a delegate");
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int sh_plugin_scope(struct lctx *c, const struct node *n)
{
    enum plugin_scope scope;
    if (!node_is_string(n) || !plugin_scope_from_name(n->u.text, &scope))
        return bad(c, n, "a plugin scope is 'config', 'consumer', 'metadata' or 'stream'");
    return 0;
}

static int sh_bool_variants(struct lctx *c, const struct node *n)
{
    return variants_of(c, n, TABLE(bool_variant_keywords), SH_BOOL);
}

/* any_of: alternative definitions of one value (a type union), at least two. */
static int sh_fielddefs(struct lctx *c, const struct node *n)
{
    if (n->kind != NODE_SEQUENCE || n->count < 2)
        return bad(c, n, "'any_of' lists two or more field definitions");
    for (uint32_t i = 0; i < n->count; i++) {
        int rc = check_one_fielddef(c, n->u.items[i]);
        if (rc < 0)
            return rc;
        if (!node_map_get(n->u.items[i], "type") && !node_map_get(n->u.items[i], "typedef"))
            return bad(c, n->u.items[i], "each 'any_of' alternative needs 'type' or 'typedef'");
    }
    return 0;
}

static int sh_strings_variants(struct lctx *c, const struct node *n)
{
    return variants_of(c, n, TABLE(strings_variant_keywords), SH_STRINGS);
}

static int sh_sets(struct lctx *c, const struct node *n)
{
    return check_mapping(c, n, TABLE(sets_keywords), false, "mutually_exclusive_sets");
}

static int sh_conditional(struct lctx *c, const struct node *n)
{
    bool needs_type = c->needs_type;
    c->needs_type = false; /* if_match and then_match are validator sets */
    int rc = check_mapping(c, n, TABLE(conditional_keywords), false, "conditional");
    c->needs_type = needs_type;
    if (rc == 0 && (!node_map_get(n, "if_field") || !node_map_get(n, "if_match") ||
                    !node_map_get(n, "then_field") ||
                    !node_map_get(n, "then_match") == !node_map_get(n, "then_def")))
        return bad(c, n,
                   "conditional needs if_field, if_match, then_field and one of then_match or "
                   "then_def");
    if (rc == 0 && node_map_get(n, "then_def") && node_map_get(n, "then_err"))
        return bad(c, node_map_get(n, "then_err"),
                   "a then_def reports its own findings: give 'err' inside it instead");
    if (rc == 0)
        rc = check_field_name(c, node_map_get(n, "if_field"));
    if (rc == 0)
        rc = check_field_name(c, node_map_get(n, "then_field"));
    if (rc == 0)
        rc = check_field_name(c, node_map_get(n, "unless_set"));
    return rc;
}

/*
 * A check whose condition is optional (ordered, names_item): its keywords, then if_field and
 * if_match given together, and_if only beside them, and the condition's field a field here.
 */
static int optional_condition(struct lctx *c, const struct node *n, const struct keyword *table,
                              size_t ntable, const char *what)
{
    bool needs_type = c->needs_type;
    c->needs_type = false; /* if_match is a validator set */
    int rc = check_mapping(c, n, table, ntable, false, what);
    c->needs_type = needs_type;
    if (rc == 0 && !node_map_get(n, "if_field") != !node_map_get(n, "if_match"))
        return bad(c, n, "%s takes 'if_field' and 'if_match' together", what);
    if (rc == 0 && node_map_get(n, "and_if") && !node_map_get(n, "if_field"))
        return bad(c, n, "%s takes 'and_if' only with 'if_field'", what);
    return rc < 0 ? rc : check_field_name(c, node_map_get(n, "if_field"));
}

/* ordered: a list of fields, or {fields, strict?, if_field?, if_match?, and_if?, err?}. */
static int sh_ordered(struct lctx *c, const struct node *n)
{
    static const char *const needed[] = {"fields"};
    int rc;
    if (n->kind == NODE_SEQUENCE)
        rc = sh_strings(c, n);
    else if ((rc = optional_condition(c, n, TABLE(ordered_keywords), "ordered")) == 0)
        rc = require_keys(c, n, TABLE(needed), "ordered");
    return rc < 0 ? rc
                  : check_field_names(c, n->kind == NODE_SEQUENCE ? n : node_map_get(n, "fields"));
}

/* names_item: {field, list, by, if_field?, if_match?, and_if?, err?}. */
static int sh_names_item(struct lctx *c, const struct node *n)
{
    static const char *const needed[] = {"field", "list", "by"};
    int rc = optional_condition(c, n, TABLE(names_item_keywords), "names_item");
    if (rc == 0)
        rc = require_keys(c, n, TABLE(needed), "names_item");
    if (rc == 0)
        rc = check_field_name(c, node_map_get(n, "field"));
    return rc < 0 ? rc : check_field_name(c, node_map_get(n, "list"));
}

static int sh_conditional_alo(struct lctx *c, const struct node *n)
{
    bool needs_type = c->needs_type;
    c->needs_type = false;
    int rc =
        check_mapping(c, n, TABLE(conditional_alo_keywords), false, "conditional_at_least_one_of");
    c->needs_type = needs_type;
    if (rc == 0 && (!node_map_get(n, "if_field") || !node_map_get(n, "if_match") ||
                    !node_map_get(n, "then_at_least_one_of")))
        return bad(c, n,
                   "conditional_at_least_one_of needs if_field, if_match and "
                   "then_at_least_one_of");
    if (rc == 0)
        rc = check_field_name(c, node_map_get(n, "if_field"));
    if (rc == 0)
        rc = check_field_names(c, node_map_get(n, "then_at_least_one_of"));
    if (rc == 0)
        rc = check_field_names(c, node_map_get(n, "else_then_at_least_one_of"));
    return rc;
}

static int sh_format_versions(struct lctx *c, const struct node *n)
{
    if (n->kind != NODE_SEQUENCE)
        return bad(c, n, "expected a list");
    for (uint32_t i = 0; i < n->count; i++) {
        int rc =
            check_mapping(c, n->u.items[i], TABLE(format_item_keywords), true, "a format version");
        if (rc < 0)
            return rc;
        if (!node_map_get(n->u.items[i], "value") || !node_map_get(n->u.items[i], "assume"))
            return bad(c, n->u.items[i], "a format version needs 'value' and 'assume'");
    }
    return 0;
}

/* ---- upgrade rules (upgrades.yaml) ------------------------------------------------------- */

static int sh_code(struct lctx *c, const struct node *n)
{
    if (!node_is_string(n))
        return bad(c, n, "a rule code must be a string such as HOP4004");
    for (size_t i = 0; i < RULE_COUNT; i++) {
        const gh_rule *r = rule_info((enum rule_id)i);
        if (!strcmp(r->code, n->u.text))
            return strncmp(r->code, "HOP4", 4) == 0
                       ? 0
                       : bad(c, n, "an upgrade rule reports a HOP4xxx code, not %s", r->code);
    }
    return bad(c, n, "unknown rule code '%s'", n->u.text);
}

/* The position of a (valid) version node in the product's list, or -1. */
static long listed_at(const struct lctx *c, const struct node *n)
{
    struct version v;
    version_parse(n->u.text, n->count, &v);
    for (size_t i = 0; i < c->p->nversions; i++)
        if (version_compare(&c->p->versions[i], &v) == 0)
            return (long)i;
    return -1;
}

/* A release the product lists. */
static int sh_listed_version(struct lctx *c, const struct node *n)
{
    int rc = sh_version(c, n);
    if (rc == 0 && listed_at(c, n) < 0)
        return bad(c, n, "'%s' is not a listed version", n->u.text);
    return rc;
}

/* A hop arrives at a release the product lists. */
static int sh_hop(struct lctx *c, const struct node *n)
{
    int rc = sh_version(c, n);
    if (rc == 0 && listed_at(c, n) < 1)
        return bad(c, n, "a hop must arrive at a listed version after the first, not '%s'",
                   n->u.text);
    return rc;
}

/* `document`, an entity, or a list of entities. */
static int sh_at(struct lctx *c, const struct node *n)
{
    if (n->kind != NODE_SEQUENCE)
        return node_text_equals(n, "document") ? 0 : sh_entity(c, n);
    if (n->count == 0)
        return bad(c, n, "'at' lists at least one entity");
    return entities_known(c, n);
}

static int sh_format_list(struct lctx *c, const struct node *n)
{
    if (n->kind != NODE_SEQUENCE)
        return bad(c, n, "expected a list of format versions (null for none)");
    for (uint32_t i = 0; i < n->count; i++)
        if (!node_is_string(n->u.items[i]) && !node_is_null(n->u.items[i]))
            return bad(c, n->u.items[i], "a format version is a quoted string, or null for none");
    return 0;
}

/* {prefix: TEXT}: a string value starting with TEXT. */
static bool is_prefix_match(const struct node *v)
{
    const struct node *prefix = v->kind == NODE_MAPPING ? node_map_get(v, "prefix") : NULL;
    return prefix && v->count == 1 && node_is_string(prefix);
}

/* where: {field: value}, {field: {prefix: TEXT}} or {field: [either, ...]}. */
static int sh_where(struct lctx *c, const struct node *n)
{
    if (n->kind != NODE_MAPPING || n->count == 0)
        return bad(c, n, "'where' must map field names to the values they must have");
    for (uint32_t i = 0; i < n->count; i++) {
        const struct node *v = n->u.pairs[i].value;
        bool list = v->kind == NODE_SEQUENCE;
        for (uint32_t j = 0; list && j < v->count; j++)
            list = v->u.items[j]->kind == NODE_SCALAR || is_prefix_match(v->u.items[j]);
        const struct node *present = v->kind == NODE_MAPPING ? node_map_get(v, "present") : NULL;
        bool written = present && v->count == 1 && present->type == SCALAR_BOOL && present->v.b;
        if (!node_is_string(n->u.pairs[i].key) ||
            (v->kind != NODE_SCALAR && !list && !is_prefix_match(v) && !written))
            return bad(c, v,
                       "'where' values are a value, {prefix: TEXT}, a list of those, or "
                       "{present: true}");
    }
    return 0;
}

/* map: {old: new, ...}, scalars to scalars (a null key matches a null value). */
static int sh_value_map(struct lctx *c, const struct node *n)
{
    if (n->kind != NODE_MAPPING || n->count == 0)
        return bad(c, n, "'map' must map old values to new ones");
    for (uint32_t i = 0; i < n->count; i++)
        if (n->u.pairs[i].key->kind != NODE_SCALAR || n->u.pairs[i].value->kind != NODE_SCALAR)
            return bad(c, n->u.pairs[i].key, "'map' maps single values to single values");
    return 0;
}

/* move: "record.field": a field of a record beside the field moved. */
static int sh_move(struct lctx *c, const struct node *n)
{
    const char *dot = node_is_string(n) ? strchr(n->u.text, '.') : NULL;
    if (!dot || dot == n->u.text || !dot[1] || strchr(dot + 1, '.'))
        return bad(c, n, "'move' takes RECORD.FIELD, a field of a record beside the old field");
    return 0;
}

static int sh_scalars(struct lctx *c, const struct node *n)
{
    if (n->kind != NODE_SEQUENCE)
        return bad(c, n, "expected a list of values");
    for (uint32_t i = 0; i < n->count; i++)
        if (n->u.items[i]->kind != NODE_SCALAR)
            return bad(c, n->u.items[i], "expected a single value");
    return 0;
}

static int sh_severity(struct lctx *c, const struct node *n)
{
    static const char *const names[] = {"error", "warning", "info"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (node_text_equals(n, names[i]))
            return 0;
    return bad(c, n, "a severity is error, warning or info");
}

static int sh_true(struct lctx *c, const struct node *n)
{
    return n->kind == NODE_SCALAR && n->type == SCALAR_BOOL && n->v.b
               ? 0
               : bad(c, n, "expected true (leave the operation out otherwise)");
}

static int sh_when(struct lctx *c, const struct node *n)
{
    return check_mapping(c, n, TABLE(when_keywords), false, "a rule's 'when'");
}

static int sh_do(struct lctx *c, const struct node *n)
{
    int rc = check_mapping(c, n, TABLE(do_keywords), false, "a rule's 'do'");
    if (rc == 0 && n->count != 1)
        return bad(c, n, "'do' needs exactly one operation, it has %u", n->count);
    return rc;
}

static int sh_transform(struct lctx *c, const struct node *n)
{
    if (!node_is_string(n))
        return bad(c, n, "a transform name must be a string");
    return named_transform_find(n->u.text) ? 0 : bad(c, n, "unknown transform '%s'", n->u.text);
}

/* Operations whose finding is one code only: what they do is what the code's page explains. */
static int check_op_code(struct lctx *c, const struct node *rule, const struct node *ops)
{
    static const struct {
        const char *op, *code;
    } only[] = {{"manual", "HOP4008"}, {"notice", "HOP4012"}, {"keep_default", "HOP4013"}};
    const struct node *code = node_map_get(rule, "code");
    for (size_t i = 0; i < sizeof(only) / sizeof(only[0]); i++)
        if (node_map_get(ops, only[i].op) && !node_text_equals(code, only[i].code))
            return bad(c, code, "a '%s' rule reports %s", only[i].op, only[i].code);
    return 0;
}

static int sh_rules(struct lctx *c, const struct node *n)
{
    static const char *const needed[] = {"code", "hop", "at", "field", "do", "why"};
    if (n->kind != NODE_SEQUENCE)
        return bad(c, n, "'rules' must be a list");
    for (uint32_t i = 0; i < n->count; i++) {
        const struct node *rule = n->u.items[i];
        int rc = check_mapping(c, rule, TABLE(rule_keywords), false, "an upgrade rule");
        if (rc == 0)
            rc = require_keys(c, rule, TABLE(needed), "an upgrade rule");
        if (rc < 0)
            return rc;
        const struct node *ops = node_map_get(rule, "do");
        if ((rc = check_op_code(c, rule, ops)) < 0)
            return rc;
        const char *field = node_map_get(rule, "field")->u.text;
        if (node_map_get(ops, "keep_default") &&
            (strchr(field, '*') || node_text_equals(node_map_get(rule, "at"), "document")))
            return bad(c, node_map_get(rule, "field"),
                       "'keep_default' writes a field of an entity or of a record in it");
        const struct node *both = node_map_get(rule, "both_set");
        if (both && (!node_map_get(ops, "rename") ||
                     !(node_text_equals(both, "old") || node_text_equals(both, "new"))))
            return bad(c, both, "'both_set' goes with 'rename' and is 'old' or 'new'");
        if (node_map_get(rule, "ignored") && !node_map_get(ops, "move"))
            return bad(c, node_map_get(rule, "ignored"), "'ignored' goes with 'move'");
        if (node_map_get(rule, "where") && node_text_equals(node_map_get(rule, "at"), "document"))
            return bad(c, node_map_get(rule, "where"),
                       "'where' selects entities, not the document");
        if (i && version_compare_text(node_map_get(n->u.items[i - 1], "hop"),
                                      node_map_get(rule, "hop")) > 0)
            return bad(c, rule, "rules must be listed hop by hop, oldest first");
    }
    return 0;
}

/* ---- upgrade plans (plan.yaml) ---------------------------------------------------------- */

const char *const kb_plan_phases[KB_PLAN_PHASE_COUNT] = {"prepare", "control-plane", "data-plane",
                                                         "upgrade", "verify"};

static int phase_index(const struct node *n)
{
    for (int i = 0; i < KB_PLAN_PHASE_COUNT; i++)
        if (node_text_equals(n, kb_plan_phases[i]))
            return i;
    return -1;
}

/* A list of {value, description, aliases, ...} the user chooses from with an option (a plan's
 * modes, product.yaml's editions), each entry's keys from table: the default first. */
static int choice_list(struct lctx *c, const struct node *n, const struct keyword *table,
                       size_t ntable, const char *what)
{
    if (n->kind != NODE_SEQUENCE || n->count == 0)
        return bad(c, n, "expected a list of {value, description}, the default first");
    for (uint32_t i = 0; i < n->count; i++) {
        const struct node *item = n->u.items[i];
        int rc = check_mapping(c, item, table, ntable, false, what);
        if (rc < 0)
            return rc;
        if (!node_map_get(item, "value") || !node_map_get(item, "description"))
            return bad(c, item, "%s needs 'value' and 'description'", what);
    }
    return 0;
}

static int sh_plan_choices(struct lctx *c, const struct node *n)
{
    return choice_list(c, n, TABLE(plan_choice_keywords), "a choice");
}

/* product.yaml `editions`: the first that exists in a release is the default there. */
static int sh_edition_list(struct lctx *c, const struct node *n)
{
    return choice_list(c, n, TABLE(edition_keywords), "an edition");
}

/* product.yaml `backends`: products named here must exist (checked once all are loaded). */
static int sh_backend_list(struct lctx *c, const struct node *n)
{
    return choice_list(c, n, TABLE(backend_keywords), "a backend");
}

/* ---- the expressions language ------------------------------------------------------------- */

/* Every listed value (plain or {value, conditions}) is one the C code knows. */
static int expr_names_known(struct lctx *c, const struct node *list, bool (*known)(const char *),
                            const char *what)
{
    for (uint32_t i = 0; list && i < list->count; i++) {
        const struct node *v = spec_item_value(list->u.items[i]);
        if (!node_is_string(v) || !known(v->u.text))
            return bad(c, v, "unknown %s '%s'", what, node_is_string(v) ? v->u.text : "?");
    }
    return 0;
}

static bool known_feature(const char *name)
{
    enum expr_feature f;
    return expr_feature_from_name(name, &f);
}

static bool known_dialect(const char *name)
{
    enum rust_regex_dialect d;
    return rust_regex_dialect_from_name(name, &d);
}

static int expr_subsystems(struct lctx *c, const struct node *n)
{
    if (!n || n->kind != NODE_SEQUENCE)
        return bad(c, n, "'subsystems' must be a list of {value, protocols}");
    for (uint32_t i = 0; i < n->count; i++) {
        int rc =
            check_mapping(c, n->u.items[i], TABLE(expr_subsystem_keywords), false, "a subsystem");
        if (rc < 0)
            return rc;
        if (!node_map_get(n->u.items[i], "value") || !node_map_get(n->u.items[i], "protocols"))
            return bad(c, n->u.items[i], "a subsystem needs 'value' and 'protocols'");
    }
    return n->count <= 32 ? 0 : bad(c, n, "at most 32 subsystems");
}

static int expr_field(struct lctx *c, const struct node *def, const struct node *x)
{
    int rc = check_mapping(c, def, TABLE(expr_def_keywords), true, "an expression field");
    if (rc < 0)
        return rc;
    const struct node *type = node_map_get(def, "type"), *alias = node_map_get(def, "alias_of");
    enum expr_type t;
    if (!type == !alias)
        return bad(c, def, "an expression field needs 'type' or 'alias_of', not both");
    if (type && !expr_type_from_name(type->u.text, &t))
        return bad(c, type, "unknown expression type '%s' (String, Int or IpAddr)", type->u.text);
    if (alias && !node_map_get(node_map_get(x, "fields"), alias->u.text))
        return bad(c, alias, "'alias_of' names no field of 'fields'");
    const struct node *subs = node_map_get(def, "subsystems");
    for (uint32_t i = 0; subs && i < subs->count; i++)
        if (!find_in(node_map_get(x, "subsystems"), subs->u.items[i]->u.text))
            return bad(c, subs->u.items[i], "unknown subsystem '%s'", subs->u.items[i]->u.text);
    return 0;
}

static int expr_fields(struct lctx *c, const struct node *n, const struct node *x)
{
    if (!n || n->kind != NODE_MAPPING)
        return bad(c, n, "'fields' must map field names to definitions");
    for (uint32_t i = 0; i < n->count; i++) {
        const struct node *def = n->u.pairs[i].value;
        if (!node_is_string(n->u.pairs[i].key))
            return bad(c, n->u.pairs[i].key, "field names must be strings");
        uint32_t count = def->kind == NODE_SEQUENCE ? def->count : 1;
        if (count == 0)
            return bad(c, def, "a list of variants must not be empty");
        for (uint32_t k = 0; k < count; k++) {
            const struct node *v = def->kind == NODE_SEQUENCE ? def->u.items[k] : def;
            int rc = expr_field(c, v, x);
            if (rc < 0)
                return rc;
            for (uint32_t j = 0; j < k; j++)
                if (variants_overlap(def->u.items[j], v))
                    return bad(c, v, "this variant overlaps the one at line %u",
                               def->u.items[j]->span.line);
        }
    }
    return 0;
}

static int sh_expressions(struct lctx *c, const struct node *n)
{
    int rc = check_mapping(c, n, TABLE(expressions_keywords), false, "'expressions'");
    if (rc == 0)
        rc = expr_subsystems(c, node_map_get(n, "subsystems"));
    if (rc == 0)
        rc = expr_fields(c, node_map_get(n, "fields"), n);
    if (rc == 0)
        rc = expr_names_known(c, node_map_get(n, "features"), known_feature, "feature");
    if (rc == 0)
        rc = expr_names_known(c, node_map_get(n, "functions"), expr_function_known, "function");
    if (rc == 0)
        rc = expr_names_known(c, node_map_get(n, "regex_syntax"), known_dialect,
                              "regex syntax (0.6, 0.7 or 0.8)");
    return rc;
}

static int sh_plan_phase(struct lctx *c, const struct node *n)
{
    if (phase_index(n) >= 0)
        return 0;
    return bad(c, n, "a phase is prepare, control-plane, data-plane, upgrade or verify");
}

/* Text a plan prints, with {from}, {to} and {product} filled in. Any other {word} is a typo;
 * braces around anything else ({port, enable_http2}) are text. */
static int sh_plan_text(struct lctx *c, const struct node *n)
{
    static const char *const names[] = {"{from}", "{to}", "{product}"};
    int rc = sh_string(c, n);
    for (const char *b = rc < 0 ? NULL : strchr(n->u.text, '{'); b; b = strchr(b + 1, '{')) {
        size_t word = strspn(b + 1, "abcdefghijklmnopqrstuvwxyz_");
        if (word == 0 || b[1 + word] != '}')
            continue;
        bool known = false;
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
            known = known || !strncmp(b, names[i], strlen(names[i]));
        if (!known)
            return bad(c, n, "plan text may use {from}, {to} and {product}, not %.*s",
                       (int)word + 2, b);
    }
    return rc;
}

/* Names from the plan's own `modes:` list. */
static int plan_names(struct lctx *c, const struct node *n, const char *list)
{
    const struct node *declared = node_map_get(c->p->plan.root, list);
    int rc = sh_strings(c, n);
    for (uint32_t i = 0; rc == 0 && i < n->count; i++)
        if (!find_in(declared, n->u.items[i]->u.text))
            return bad(c, n->u.items[i], "'%s' is not one of the plan's %s", n->u.items[i]->u.text,
                       list);
    return rc;
}

static int sh_plan_modes(struct lctx *c, const struct node *n)
{
    return plan_names(c, n, "modes");
}

static int plan_items(struct lctx *c, const struct node *n, const struct keyword *table,
                      size_t ntable, const char *what)
{
    if (n->kind != NODE_SEQUENCE)
        return bad(c, n, "expected a list of %ss", what);
    for (uint32_t i = 0; i < n->count; i++) {
        int rc = check_mapping(c, n->u.items[i], table, ntable, false, what);
        if (rc < 0)
            return rc;
        if (!node_map_get(n->u.items[i], "text"))
            return bad(c, n->u.items[i], "a %s needs 'text'", what);
    }
    return 0;
}

static int sh_plan_notes(struct lctx *c, const struct node *n)
{
    return plan_items(c, n, TABLE(plan_note_keywords), "plan note");
}

static int sh_plan_jumps(struct lctx *c, const struct node *n)
{
    if (n->kind != NODE_SEQUENCE)
        return bad(c, n, "expected a list of jumps {from, to}");
    for (uint32_t i = 0; i < n->count; i++) {
        const struct node *j = n->u.items[i];
        int rc = check_mapping(c, j, TABLE(plan_jump_keywords), false, "a jump");
        if (rc < 0)
            return rc;
        const struct node *from = node_map_get(j, "from"), *to = node_map_get(j, "to");
        if (!from || !to)
            return bad(c, j, "a jump needs 'from' and 'to'");
        struct version a, b;
        version_parse(from->u.text, from->count, &a);
        version_parse(to->u.text, to->count, &b);
        if (version_compare(&a, &b) >= 0)
            return bad(c, to, "a jump goes to a later release than it starts from");
    }
    return 0;
}

/* Steps in the order they are done: phases never go back (prepare before verify). */
static int sh_plan_steps(struct lctx *c, const struct node *n)
{
    int rc = plan_items(c, n, TABLE(plan_step_keywords), "plan step");
    for (uint32_t i = 0; rc == 0 && i < n->count; i++) {
        const struct node *phase = node_map_get(n->u.items[i], "phase");
        if (!phase)
            return bad(c, n->u.items[i], "a plan step needs 'phase'");
        if (i && phase_index(phase) < phase_index(node_map_get(n->u.items[i - 1], "phase")))
            return bad(c, phase, "steps are listed phase by phase: %s cannot follow %s",
                       phase->u.text, node_map_get(n->u.items[i - 1], "phase")->u.text);
    }
    return rc;
}

/* ---- checks gatehop states but cannot run, and values read apart ------------------------- */

/* Validator sets (no type needed), as a conditional's if_match. */
static int validator_set_shape(struct lctx *c, const struct node *n)
{
    bool needs_type = c->needs_type;
    c->needs_type = false;
    int rc = sh_fielddef(c, n);
    c->needs_type = needs_type;
    return rc;
}

/* and_if: [{field, match}, ...], every field one of the record's. */
static int sh_and_if(struct lctx *c, const struct node *n)
{
    static const char *const needed[] = {"field", "match"};
    if (n->kind != NODE_SEQUENCE || n->count == 0)
        return bad(c, n, "'and_if' is a list of {field, match}");
    for (uint32_t i = 0; i < n->count; i++) {
        const struct node *cond = n->u.items[i];
        bool needs_type = c->needs_type;
        c->needs_type = false;
        int rc = check_mapping(c, cond, TABLE(and_if_keywords), false, "a condition");
        c->needs_type = needs_type;
        if (rc == 0)
            rc = require_keys(c, cond, TABLE(needed), "a condition");
        if (rc == 0)
            rc = check_field_name(c, node_map_get(cond, "field"));
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* unchecked: {if_field, if_match, and_if?, text}: announced when the condition holds. */
static int sh_unchecked_check(struct lctx *c, const struct node *n)
{
    static const char *const needed[] = {"if_field", "if_match", "text"};
    bool needs_type = c->needs_type;
    c->needs_type = false;
    int rc = check_mapping(c, n, TABLE(unchecked_check_keywords), false, "an unchecked check");
    c->needs_type = needs_type;
    if (rc == 0)
        rc = require_keys(c, n, TABLE(needed), "an unchecked check");
    if (rc == 0 && node_map_get(n, "unless_set"))
        rc = check_field_name(c, node_map_get(n, "unless_set"));
    return rc < 0 ? rc : check_field_name(c, node_map_get(n, "if_field"));
}

/* forbids / requires: {if_field, if_match?, fields, err?}. */
static int sh_if_set(struct lctx *c, const struct node *n)
{
    static const char *const needed[] = {"if_field", "fields"};
    bool needs_type = c->needs_type;
    c->needs_type = false;
    int rc = check_mapping(c, n, TABLE(if_set_keywords), false, "forbids or requires");
    c->needs_type = needs_type;
    if (rc == 0)
        rc = require_keys(c, n, TABLE(needed), "forbids or requires");
    if (rc == 0)
        rc = check_field_name(c, node_map_get(n, "if_field"));
    return rc < 0 ? rc : check_field_names(c, node_map_get(n, "fields"));
}

/* distinct_by: {fields, by, err?}; `by` names a derivation of schema_named.c. */
static int sh_distinct_by(struct lctx *c, const struct node *n)
{
    static const char *const needed[] = {"fields", "by"};
    int rc = check_mapping(c, n, TABLE(distinct_by_keywords), false, "distinct_by");
    if (rc == 0)
        rc = require_keys(c, n, TABLE(needed), "distinct_by");
    const struct node *by = rc == 0 ? node_map_get(n, "by") : NULL;
    if (rc == 0 && !named_derivation_find(by->u.text))
        return bad(c, by, "unknown derivation '%s'", by->u.text);
    return rc < 0 ? rc : check_field_names(c, node_map_get(n, "fields"));
}

/* captures: {pattern, err?, parts: [validator set, ...]}: one part per group of the pattern. */
static int sh_captures(struct lctx *c, const struct node *n)
{
    static const char *const needed[] = {"pattern", "parts"};
    int rc = check_mapping(c, n, TABLE(captures_keywords), false, "captures");
    if (rc == 0)
        rc = require_keys(c, n, TABLE(needed), "captures");
    if (rc < 0)
        return rc;
    const struct node *parts = node_map_get(n, "parts");
    if (parts->kind != NODE_SEQUENCE || parts->count == 0)
        return bad(c, parts, "'parts' lists one validator set per group of the pattern");
    const struct node *pattern = node_map_get(n, "pattern");
    uint32_t groups = 0;
    pcre2_pattern_info(kb_regex(c->p->kb, pattern->u.text, pattern->count), PCRE2_INFO_CAPTURECOUNT,
                       &groups);
    if (groups < parts->count)
        return bad(c, parts, "'parts' lists %u parts, the pattern has %u groups", parts->count,
                   groups);
    for (uint32_t i = 0; i < parts->count; i++)
        if ((rc = validator_set_shape(c, parts->u.items[i])) < 0)
            return rc;
    return 0;
}

/* unique_items: {by?, err?}. */
static int sh_unique_items(struct lctx *c, const struct node *n)
{
    return check_mapping(c, n, TABLE(unique_items_keywords), false, "unique_items");
}

/* unless_metadata: {sets: [fields of the plugin's metadata], err?}. */
static int sh_unless_metadata(struct lctx *c, const struct node *n)
{
    static const char *const needed[] = {"sets"};
    int rc = check_mapping(c, n, TABLE(unless_metadata_keywords), false, "unless_metadata");
    if (rc == 0)
        rc = require_keys(c, n, TABLE(needed), "unless_metadata");
    if (rc == 0 && node_map_get(n, "sets")->count == 0)
        return bad(c, n, "'sets' names one field of the plugin's metadata or more");
    return rc;
}

/* A plugin of the product, when the product lists its plugins (API7's are not known). */
static int plugin_of_product(struct lctx *c, const struct node *name)
{
    const struct node *plugins = node_map_get(c->p->product.root, "plugins");
    if (plugins && !find_in(plugins, name->u.text))
        return bad(c, name, "'%s' is not a plugin of %s", name->u.text, c->p->name);
    return 0;
}

/* One item of plugin_entries' `names`: a plugin's name, or {value, definition | plugin (and
 * field), fields?, conditions}. */
static int entry_name(struct lctx *c, const struct node *item)
{
    if (node_is_string(item))
        return plugin_of_product(c, item);
    bool needs_type = c->needs_type;
    c->needs_type = true;
    int rc = check_mapping(c, item, TABLE(entry_name_keywords), true, "a name of plugin_entries");
    c->needs_type = false; /* `fields` are more rules for keys the plugin defines */
    const struct node *fields = rc == 0 ? node_map_get(item, "fields") : NULL;
    if (fields)
        rc = sh_fields(c, fields);
    c->needs_type = needs_type;
    if (rc < 0)
        return rc;
    const struct node *value = node_map_get(item, "value"), *plugin = node_map_get(item, "plugin");
    const struct node *definition = node_map_get(item, "definition");
    if (!value)
        return bad(c, item, "a name of plugin_entries needs 'value'");
    if (definition && (plugin || fields))
        return bad(c, definition, "a name with its own 'definition' takes no 'plugin' or 'fields'");
    if (node_map_get(item, "field") && !plugin)
        return bad(c, item, "'field' names a field of the configuration of 'plugin'");
    return plugin ? plugin_of_product(c, plugin) : definition ? 0 : plugin_of_product(c, value);
}

/* plugin_entries: {form: keys | pair, scope, plugin_type?, names_only?, names?, skip?, extras?,
 * err?}. */
static int sh_plugin_entries(struct lctx *c, const struct node *n)
{
    static const char *const needed[] = {"form", "scope"};
    bool needs_type = c->needs_type;
    c->needs_type = true; /* extras is a definition of its own */
    int rc = check_mapping(c, n, TABLE(plugin_entries_keywords), false, "plugin_entries");
    c->needs_type = needs_type;
    if (rc == 0)
        rc = require_keys(c, n, TABLE(needed), "plugin_entries");
    if (rc < 0)
        return rc;
    const struct node *form = node_map_get(n, "form"), *names = node_map_get(n, "names");
    if (!node_text_equals(form, "keys") && !node_text_equals(form, "pair"))
        return bad(c, form, "'form' is 'keys' (each key names one) or 'pair' ([name, config])");
    if (node_map_get(n, "skip") && !node_text_equals(form, "keys"))
        return bad(c, node_map_get(n, "skip"), "'skip' names keys: it needs form 'keys'");
    if (names && (names->kind != NODE_SEQUENCE || names->count == 0))
        return bad(c, names, "'names' is a list of names, each a string or {value, ...}");
    for (uint32_t i = 0; names && i < names->count; i++)
        if ((rc = entry_name(c, names->u.items[i])) < 0)
            return rc;
    return 0;
}

/* json: a field definition for the value a JSON string holds. */
static int sh_json(struct lctx *c, const struct node *n)
{
    const struct node *record_fields = c->record_fields;
    int rc = sh_fielddef(c, n);
    c->record_fields = record_fields;
    return rc;
}

/* rewrites: [{field, cases: [{match?, set: {field: value}}]}], fields of the entity. */
static int sh_rewrites(struct lctx *c, const struct node *n)
{
    static const char *const needed[] = {"field", "cases"};
    if (n->kind != NODE_SEQUENCE)
        return bad(c, n, "'rewrites' must be a list");
    for (uint32_t i = 0; i < n->count; i++) {
        const struct node *rw = n->u.items[i];
        int rc = check_mapping(c, rw, TABLE(rewrite_keywords), true, "a rewrite");
        if (rc == 0)
            rc = require_keys(c, rw, TABLE(needed), "a rewrite");
        if (rc == 0)
            rc = check_field_name(c, node_map_get(rw, "field"));
        const struct node *cases = rc == 0 ? node_map_get(rw, "cases") : NULL;
        if (rc == 0 && (cases->kind != NODE_SEQUENCE || cases->count == 0))
            rc = bad(c, cases, "'cases' is a list of {match, set}");
        for (uint32_t j = 0; rc == 0 && j < cases->count; j++) {
            const struct node *one = cases->u.items[j];
            bool needs_type = c->needs_type;
            c->needs_type = false;
            rc = check_mapping(c, one, TABLE(rewrite_case_keywords), false, "a rewrite case");
            c->needs_type = needs_type;
            const struct node *set = rc == 0 ? node_map_get(one, "set") : NULL;
            if (rc == 0 && (!set || set->kind != NODE_MAPPING || set->count == 0))
                rc = bad(c, one, "a rewrite case needs 'set', a mapping of fields to values");
            for (uint32_t k = 0; rc == 0 && k < set->count; k++)
                rc = check_field_name(c, set->u.pairs[k].key);
        }
        if (rc < 0)
            return rc;
    }
    return 0;
}

typedef int (*shape_checker)(struct lctx *c, const struct node *n);

static const shape_checker shape_checkers[SH_COUNT] = {
    [SH_STRING] = sh_string,
    [SH_BOOL] = sh_bool,
    [SH_INT] = sh_int,
    [SH_NUMBER] = sh_number,
    [SH_ANY] = sh_any,
    [SH_VERSION] = sh_version,
    [SH_STRINGS] = sh_strings,
    [SH_FIELDDEF] = sh_fielddef,
    [SH_FULL_FIELDDEF] = sh_full_fielddef,
    [SH_FIELDS] = sh_fields,
    [SH_CHECKS] = sh_checks,
    [SH_REGEX] = sh_regex,
    [SH_PATTERNS] = sh_patterns,
    [SH_MATCH_ANY] = sh_match_any,
    [SH_ENUM] = sh_enum,
    [SH_RANGE] = sh_range,
    [SH_DEPRECATED] = sh_deprecated,
    [SH_TYPE] = sh_type,
    [SH_TYPEDEF] = sh_typedef,
    [SH_VALIDATOR] = sh_validator,
    [SH_ENTITY] = sh_entity,
    [SH_SUBSETS] = sh_subsets,
    [SH_SHORTHANDS] = sh_shorthands,
    [SH_SUBSCHEMAS] = sh_subschemas,
    [SH_FLAVORS] = sh_flavors,
    [SH_ROUTER_FLAVORS] = sh_router_flavors,
    [SH_EXPAND] = sh_expand,
    [SH_KEY_VARIANTS] = sh_key_variants,
    [SH_STRINGS_VARIANTS] = sh_strings_variants,
    [SH_SETS] = sh_sets,
    [SH_CONDITIONAL] = sh_conditional,
    [SH_CONDITIONAL_ALO] = sh_conditional_alo,
    [SH_ORDERED] = sh_ordered,
    [SH_NAMES_ITEM] = sh_names_item,
    [SH_VERSIONS] = sh_versions,
    [SH_FORMAT_VERSIONS] = sh_format_versions,
    [SH_NAMES_FROM] = sh_names_from,
    [SH_SHARED_CONFIGS] = sh_shared_configs,
    [SH_VARIANTS] = sh_variants,
    [SH_RULES] = sh_rules,
    [SH_CODE] = sh_code,
    [SH_HOP] = sh_hop,
    [SH_AT] = sh_at,
    [SH_WHEN] = sh_when,
    [SH_DO] = sh_do,
    [SH_TRANSFORM] = sh_transform,
    [SH_FORMAT_LIST] = sh_format_list,
    [SH_WHERE] = sh_where,
    [SH_TRUE] = sh_true,
    [SH_VALUE_MAP] = sh_value_map,
    [SH_SEVERITY] = sh_severity,
    [SH_MOVE] = sh_move,
    [SH_SCALARS] = sh_scalars,
    [SH_FIELDDEFS] = sh_fielddefs,
    [SH_BOOL_VARIANTS] = sh_bool_variants,
    [SH_DELEGATES] = sh_delegates,
    [SH_PLUGIN_SCOPE] = sh_plugin_scope,
    [SH_EXCLUSIVE_CHILDREN] = sh_exclusive_children,
    [SH_LOCAL_REFS] = sh_local_refs,
    [SH_PLAN_CHOICES] = sh_plan_choices,
    [SH_PLAN_STEPS] = sh_plan_steps,
    [SH_PLAN_NOTES] = sh_plan_notes,
    [SH_PLAN_JUMPS] = sh_plan_jumps,
    [SH_LISTED_VERSION] = sh_listed_version,
    [SH_PLAN_PHASE] = sh_plan_phase,
    [SH_PLAN_TEXT] = sh_plan_text,
    [SH_PLAN_MODES] = sh_plan_modes,
    [SH_EDITIONS] = sh_editions,
    [SH_EDITION_LIST] = sh_edition_list,
    [SH_BACKEND_LIST] = sh_backend_list,
    [SH_CAPTURES] = sh_captures,
    [SH_UNIQUE_ITEMS] = sh_unique_items,
    [SH_JSON] = sh_json,
    [SH_UNCHECKED] = sh_unchecked_check,
    [SH_AND_IF] = sh_and_if,
    [SH_REWRITES] = sh_rewrites,
    [SH_IF_SET] = sh_if_set,
    [SH_DISTINCT_BY] = sh_distinct_by,
    [SH_EXPR] = sh_expressions,
    [SH_YAML_PARSERS] = sh_yaml_parsers,
    [SH_SET_WHEN] = sh_set_when,
    [SH_UNKNOWN_KEYS] = sh_unknown_keys,
    [SH_MISPLACED_KEYS] = sh_misplaced_keys,
    [SH_PLUGIN_DECLARATIONS] = sh_plugin_declarations,
    [SH_UNKNOWN_PLUGINS] = sh_unknown_plugins,
    [SH_STRING_LENGTH] = sh_string_length,
    [SH_SECRET_REFERENCES] = sh_secret_references,
    [SH_PLUGIN_ENTRIES] = sh_plugin_entries,
    [SH_UNLESS_METADATA] = sh_unless_metadata,
};

static int check_shape(struct lctx *c, enum shape shape, const struct node *n)
{
    return shape_checkers[shape](c, n);
}

/* ---- files ------------------------------------------------------------------------------- */

/* Parses one YAML file into the knowledge base's arena. Any reader finding is a load error. */
static int parse_file(struct kb *kb, const char *path, const char *data, size_t len,
                      struct node **out, gh_error *err)
{
    return reader_load_knowledge(path, data, len, &kb->arena, out, err);
}

struct file_source {
    const char *dir; /* NULL: embedded */
};

static int read_whole(const char *path, char **data, size_t *len, gh_error *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return error_set(err, GH_ESCHEMA, "cannot open '%s': %s", path, strerror(errno));
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, fp)) > 0) {
        n += got;
        if (n == cap) {
            char *bigger = cap < (64u << 20) ? realloc(buf, cap * 2) : NULL;
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(fp);
    if (!buf)
        return error_set(err, GH_ESCHEMA, "'%s' is too large or memory ran out", path);
    *data = buf;
    *len = n;
    return 0;
}

/* Loads "<dir>/<product>/<rel>" (the built-in knowledge is packed: load_packed). */
static int load_file(struct kb *kb, const struct file_source *fs, const char *product,
                     const char *rel, struct kb_file *out, gh_error *err)
{
    char full[1024];
    snprintf(full, sizeof(full), "%s/%s/%s", fs->dir, product, rel);
    char *data = NULL;
    size_t len = 0;
    int rc = read_whole(full, &data, &len, err);
    if (rc == 0) {
        rc = parse_file(kb, full, data, len, &out->root, err);
        out->path = arena_strdup(&kb->arena, full);
        free(data);
        if (rc == 0 && !out->path)
            rc = error_set(err, GH_ENOMEM, "out of memory");
    }
    return rc;
}

/* The text a file gives under key, if a string: what an entity or plugin file is looked up by. */
static const char *name_in(const struct kb_file *f, const char *key)
{
    const struct node *n = node_map_get(f->root, key);
    return node_is_string(n) ? n->u.text : NULL;
}

static bool file_exists(const struct file_source *fs, const char *product, const char *rel)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s/%s", fs->dir, product, rel);
    FILE *f = fopen(path, "rb");
    if (f)
        fclose(f);
    return f != NULL;
}

static int validate_file(struct kb_product *p, const struct kb_file *f, const struct keyword *table,
                         size_t ntable, bool conditions, bool needs_type, gh_error *err)
{
    struct lctx c = {p, f->path, err, needs_type, NULL};
    return check_mapping(&c, f->root, table, ntable, conditions, "the file");
}

static int validate_entity(struct kb_product *p, const struct kb_file *f, const char *name,
                           gh_error *err)
{
    struct lctx c = {p, f->path, err, true, node_map_get(f->root, "fields")};
    const struct node *entity = node_map_get(f->root, "entity");
    if (!node_text_equals(entity, name))
        return bad(&c, entity ? entity : f->root, "the file must say 'entity: %s'", name);
    if (!node_map_get(f->root, "fields"))
        return bad(&c, f->root, "an entity needs 'fields'");
    return check_mapping(&c, f->root, TABLE(entity_keywords), true, "an entity");
}

/* The entity file of a document's collection: its own name, or another collection's
 * (`{value: ssl, until: "3.0", file: ssls}`: a collection renamed, its items unchanged). */
static const struct node *entity_file_name(const struct node *item)
{
    const struct node *file = item->kind == NODE_MAPPING ? node_map_get(item, "file") : NULL;
    return file ? file : spec_item_value(item);
}

static int load_entities(struct kb *kb, const struct file_source *fs, struct kb_product *p,
                         gh_error *err)
{
    const struct node *list = node_map_get(p->document.root, "entities");
    if (!list || list->kind != NODE_SEQUENCE)
        return error_set_at(err, GH_ESCHEMA, p->document.path, 1, 1,
                            "document.yaml needs an 'entities' list");
    p->entities = arena_calloc(&kb->arena, list->count, sizeof(*p->entities));
    if (!p->entities && list->count)
        return error_set(err, GH_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < list->count; i++) {
        const struct node *item = list->u.items[i];
        const struct node *name = spec_item_value(item);
        if (!node_is_string(name))
            return error_set_at(err, GH_ESCHEMA, p->document.path, item->span.line,
                                item->span.column, "an entity name must be a string");
        char rel[300];
        snprintf(rel, sizeof(rel), "entities/%s.yaml", entity_file_name(item)->u.text);
        if (!file_exists(fs, p->name, rel))
            return error_set_at(err, GH_ESCHEMA, p->document.path, name->span.line,
                                name->span.column, "entity '%s' has no file %s", name->u.text, rel);
        int rc = load_file(kb, fs, p->name, rel, &p->entities[i], err);
        if (rc < 0)
            return rc;
        p->entities[i].name = name_in(&p->entities[i], "entity");
        p->nentities++;
    }
    return 0;
}

/* plugins/<name>.yaml for every listed plugin that has one; a plugin without stays unchecked. */
static int load_plugins(struct kb *kb, const struct file_source *fs, struct kb_product *p,
                        gh_error *err)
{
    const struct node *list = node_map_get(p->product.root, "plugins");
    if (!list)
        return 0;
    p->plugins = arena_calloc(&kb->arena, list->count ? list->count : 1, sizeof(*p->plugins));
    if (!p->plugins)
        return error_set(err, GH_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < list->count; i++) {
        const char *name = spec_item_value(list->u.items[i])->u.text;
        char rel[300];
        snprintf(rel, sizeof(rel), "plugins/%s.yaml", name);
        if (!file_exists(fs, p->name, rel))
            continue;
        struct kb_file *f = &p->plugins[p->nplugins];
        int rc = load_file(kb, fs, p->name, rel, f, err);
        if (rc < 0)
            return rc;
        f->name = name_in(f, "plugin");
        p->nplugins++;
        struct lctx c = {p, f->path, err, true, NULL};
        const struct node *named = node_map_get(f->root, "plugin");
        if ((rc = check_mapping(&c, f->root, TABLE(plugin_keywords), false, "a plugin")) < 0)
            return rc;
        if (!node_text_equals(named, name))
            return bad(&c, named ? named : f->root, "the file must say 'plugin: %s'", name);
    }
    return 0;
}

static int load_versions(struct kb *kb, struct kb_product *p, gh_error *err)
{
    const struct node *list = node_map_get(p->product.root, "versions");
    if (!list)
        return error_set_at(err, GH_ESCHEMA, p->product.path, 1, 1,
                            "product.yaml needs 'versions'");
    p->versions = arena_calloc(&kb->arena, list->count, sizeof(*p->versions));
    p->version_texts = arena_calloc(&kb->arena, list->count, sizeof(*p->version_texts));
    if (!p->versions || !p->version_texts)
        return error_set(err, GH_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < list->count; i++) {
        const struct node *v = list->u.items[i];
        version_parse(v->u.text, v->count, &p->versions[i]);
        p->version_texts[i] = v->u.text;
        if (i && version_compare(&p->versions[i - 1], &p->versions[i]) >= 0)
            return error_set_at(err, GH_ESCHEMA, p->product.path, v->span.line, v->span.column,
                                "versions must be listed oldest first");
    }
    p->nversions = list->count;
    return 0;
}

static int load_product(struct kb *kb, const struct file_source *fs, const char *name,
                        struct kb_product *p, gh_error *err)
{
    p->kb = kb;
    p->name = arena_strdup(&kb->arena, name);
    if (!p->name)
        return error_set(err, GH_ENOMEM, "out of memory");
    int rc;
    if ((rc = load_file(kb, fs, name, "product.yaml", &p->product, err)) < 0 ||
        (rc = load_file(kb, fs, name, "document.yaml", &p->document, err)) < 0 ||
        (rc = load_file(kb, fs, name, "typedefs.yaml", &p->typedefs, err)) < 0 ||
        (rc = load_entities(kb, fs, p, err)) < 0)
        return rc;
    /* Names are all known now; check every file against the format. */
    if ((rc = validate_file(p, &p->product, TABLE(product_keywords), false, true, err)) < 0 ||
        (rc = load_versions(kb, p, err)) < 0 ||
        (rc = validate_file(p, &p->typedefs, TABLE(typedefs_keywords), false, false, err)) < 0 ||
        (rc = validate_file(p, &p->document, TABLE(document_keywords), false, true, err)) < 0)
        return rc;
    const struct node *product = node_map_get(p->product.root, "product");
    if (!node_text_equals(product, name))
        return error_set_at(err, GH_ESCHEMA, p->product.path, 1, 1,
                            "product.yaml must say 'product: %s'", name);
    const struct node *display = node_map_get(p->product.root, "name");
    p->display = display ? display->u.text : p->name;
    if (file_exists(fs, name, "upgrades.yaml") &&
        ((rc = load_file(kb, fs, name, "upgrades.yaml", &p->upgrades, err)) < 0 ||
         (rc = validate_file(p, &p->upgrades, TABLE(upgrades_keywords), false, false, err)) < 0))
        return rc;
    if (file_exists(fs, name, "plan.yaml") &&
        ((rc = load_file(kb, fs, name, "plan.yaml", &p->plan, err)) < 0 ||
         (rc = validate_file(p, &p->plan, TABLE(plan_keywords), false, false, err)) < 0))
        return rc;
    const struct node *list = node_map_get(p->document.root, "entities");
    for (size_t i = 0; i < p->nentities; i++) {
        const struct node *item = list->u.items[i];
        const struct node *ename = entity_file_name(item);
        if ((rc = validate_entity(p, &p->entities[i], ename->u.text, err)) < 0)
            return rc;
    }
    return load_plugins(kb, fs, p, err);
}

/* ---- lookups the loader and the compiler share ------------------------------------------- */

const struct kb_file *kb_entity_file(const struct kb_product *p, const char *name)
{
    for (size_t i = 0; i < p->nentities; i++)
        if (p->entities[i].name && !strcmp(p->entities[i].name, name))
            return &p->entities[i];
    return NULL;
}

const struct node *kb_upgrade_rules(const struct kb_product *p)
{
    return p->upgrades.root ? node_map_get(p->upgrades.root, "rules") : NULL;
}

const struct node *kb_plan(const struct kb_product *p)
{
    return p->plan.root;
}

const char *kb_product_display(const struct kb_product *p)
{
    return p->display;
}

const char *kb_format_field(const struct kb_product *p)
{
    const struct node *f = p->upgrades.root ? node_map_get(p->upgrades.root, "format_field") : NULL;
    return f ? f->u.text : NULL;
}

const struct kb_file *kb_plugin_file(const struct kb_product *p, const char *name)
{
    for (size_t i = 0; i < p->nplugins; i++)
        if (p->plugins[i].name && !strcmp(p->plugins[i].name, name))
            return &p->plugins[i];
    return NULL;
}

/* The index of key among the packed mapping's keys, or -1. */
static long packed_key(const struct kb_packed *k, uint32_t map, const char *key)
{
    const struct kb_packed_node *m = &k->nodes[map];
    size_t len = strlen(key);
    for (uint32_t i = 0; i < m->count; i++) {
        const struct kb_packed_node *name = &k->nodes[k->kids[m->ref + 2 * i]];
        if (name->kind == NODE_SCALAR && name->type == SCALAR_STRING && name->count == len &&
            !memcmp(k->strings + name->ref, key, len))
            return (long)i;
    }
    return -1;
}

int kb_file_tree(struct kb *kb, const struct kb_file *f, const struct node **out)
{
    struct kb_file *file = (struct kb_file *)f; /* built once, then kept */
    if (!file->root && f->packed &&
        !(file->root = kb_packed_tree(kb->packed, f->packed->root, &kb->arena)))
        return -1;
    *out = file->root;
    return 0;
}

int kb_product_ready_locked(struct kb_product *p, gh_error *err)
{
    struct kb_file *files[] = {&p->document, &p->typedefs, &p->upgrades, &p->plan};
    const struct node *root;
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        if (kb_file_tree(p->kb, files[i], &root) < 0)
            return error_set(err, GH_ENOMEM, "out of memory");
    return 0;
}

int kb_product_ready(const struct kb_product *p, gh_error *err)
{
    pthread_mutex_lock(&p->kb->compile_lock);
    int rc = kb_product_ready_locked((struct kb_product *)p, err);
    pthread_mutex_unlock(&p->kb->compile_lock);
    return rc;
}

int kb_file_part(struct kb *kb, const struct kb_file *f, const char *key, const struct node **out)
{
    *out = NULL;
    if (f->root || !f->packed) {
        *out = node_map_get(f->root, key);
        return 0;
    }
    const struct kb_packed *k = kb->packed;
    long i = packed_key(k, f->packed->root, key);
    if (i < 0)
        return 0;
    struct kb_file *file = (struct kb_file *)f; /* the parts are a cache, filled once */
    uint32_t nkeys = k->nodes[f->packed->root].count;
    if (!file->parts && !(file->parts = arena_calloc(&kb->arena, nkeys, sizeof(*file->parts))))
        return -1;
    uint32_t value = k->kids[k->nodes[f->packed->root].ref + 2 * (uint32_t)i + 1];
    if (!file->parts[i] && !(file->parts[i] = kb_packed_tree(k, value, &kb->arena)))
        return -1;
    *out = file->parts[i];
    return 0;
}

const struct node *kb_typedef(const struct kb_product *p, const char *name)
{
    return node_map_get(node_map_get(p->typedefs.root, "typedefs"), name);
}

static int kb_regex_add(struct kb *kb, const char *pattern, size_t len, pcre2_code *code)
{
    if (kb->nregexes == kb->regexes_cap) {
        size_t cap = kb->regexes_cap ? kb->regexes_cap * 2 : 64;
        pcre2_code **r = realloc(kb->regexes, cap * sizeof(*r));
        if (!r)
            return -1;
        kb->regexes = r;
        kb->regexes_cap = cap;
    }
    if (strmap_put(&kb->regex_index, pattern, len, (uint32_t)kb->nregexes, NULL) < 0)
        return -1;
    kb->regexes[kb->nregexes++] = code;
    return 0;
}

pcre2_code *kb_regex(struct kb *kb, const char *pattern, size_t len)
{
    const uint32_t *v = strmap_get(&kb->regex_index, pattern, len);
    if (v)
        return kb->regexes[*v];
    int code;
    PCRE2_SIZE at;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, len, 0, &code, &at, NULL);
    if (!re)
        return NULL;
    /* JIT where the platform has it; without it PCRE2 interprets, and results are the same. */
    pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    if (kb_regex_add(kb, pattern, len, re) < 0) {
        pcre2_code_free(re);
        return NULL;
    }
    return re;
}

/* ---- discovering products ---------------------------------------------------------------- */

static int add_product_name(char ***names, size_t *n, const char *name, size_t len)
{
    for (size_t i = 0; i < *n; i++)
        if (strlen((*names)[i]) == len && !memcmp((*names)[i], name, len))
            return 0;
    char **grown = realloc(*names, (*n + 1) * sizeof(**names));
    if (!grown)
        return -1;
    *names = grown;
    char *copy = malloc(len + 1);
    if (!copy)
        return -1;
    memcpy(copy, name, len);
    copy[len] = '\0';
    (*names)[(*n)++] = copy;
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_products(const struct file_source *fs, char ***names, size_t *n, gh_error *err)
{
    DIR *d = opendir(fs->dir);
    if (!d)
        return error_set(err, GH_ESCHEMA, "cannot open schema directory '%s': %s", fs->dir,
                         strerror(errno));
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char probe[1024];
        snprintf(probe, sizeof(probe), "%s/%s/product.yaml", fs->dir, e->d_name);
        FILE *fp = fopen(probe, "rb");
        if (!fp)
            continue;
        fclose(fp);
        if (add_product_name(names, n, e->d_name, strlen(e->d_name)) < 0) {
            closedir(d);
            return error_set(err, GH_ENOMEM, "out of memory");
        }
    }
    closedir(d);
    if (*n == 0)
        return error_set(err, GH_ESCHEMA, "no product knowledge found in %s", fs->dir);
    qsort(*names, *n, sizeof(**names), compare_names);
    return 0;
}

/* A backend names a product gatehop knows, other than its own. */
static int check_backends(const struct kb *kb, const struct kb_product *p, gh_error *err)
{
    const struct node *list = node_map_get(p->product.root, "backends");
    for (uint32_t i = 0; list && i < list->count; i++) {
        const struct node *name = node_map_get(list->u.items[i], "value");
        const struct kb_product *other = kb_product_find(kb, name->u.text);
        if (!other || other == p)
            return error_set(err, GH_ESCHEMA, "%s:%u:%u: backend '%s' is not another product",
                             p->product.path, name->span.line, name->span.column, name->u.text);
    }
    return 0;
}

/* ---- the built-in knowledge -------------------------------------------------------------- */

/* A file of the packed knowledge. Only product.yaml is built now: the other files are read
 * once a target of their product is compiled (kb_product_ready), entities and plugins by the
 * compiler, plugin files part by part. */
static int packed_file(struct kb *kb, const struct kb_packed_file *pf, struct kb_file *f,
                       gh_error *err)
{
    const struct kb_packed *k = kb->packed;
    f->path = k->strings + pf->path;
    f->name = pf->name == UINT32_MAX ? NULL : k->strings + pf->name;
    f->packed = pf;
    if (pf->role == KB_PACKED_PRODUCT && !(f->root = kb_packed_tree(k, pf->root, &kb->arena)))
        return error_set(err, GH_ENOMEM, "out of memory");
    return 0;
}

/* A product as load_product() left it, from files the build has checked (kbgen). */
static int packed_product(struct kb *kb, const struct kb_packed_product *pp, struct kb_product *p,
                          gh_error *err)
{
    const struct kb_packed *k = kb->packed;
    size_t n = pp->end_file - pp->first_file;
    p->kb = kb;
    p->name = k->strings + pp->name;
    p->entities = arena_calloc(&kb->arena, n, sizeof(*p->entities));
    p->plugins = arena_calloc(&kb->arena, n, sizeof(*p->plugins));
    if (!p->entities || !p->plugins)
        return error_set(err, GH_ENOMEM, "out of memory");
    for (uint32_t i = pp->first_file; i < pp->end_file; i++) {
        const struct kb_packed_file *pf = &k->files[i];
        struct kb_file *fixed[] = {[KB_PACKED_PRODUCT] = &p->product,
                                   [KB_PACKED_DOCUMENT] = &p->document,
                                   [KB_PACKED_TYPEDEFS] = &p->typedefs,
                                   [KB_PACKED_UPGRADES] = &p->upgrades,
                                   [KB_PACKED_PLAN] = &p->plan,
                                   [KB_PACKED_ENTITY] = &p->entities[p->nentities],
                                   [KB_PACKED_PLUGIN] = &p->plugins[p->nplugins]};
        int rc = packed_file(kb, pf, fixed[pf->role], err);
        if (rc < 0)
            return rc;
        p->nentities += pf->role == KB_PACKED_ENTITY;
        p->nplugins += pf->role == KB_PACKED_PLUGIN;
    }
    const struct node *display = node_map_get(p->product.root, "name");
    p->display = display ? display->u.text : p->name;
    return load_versions(kb, p, err);
}

static int load_packed(struct kb *kb, gh_error *err)
{
    const struct kb_packed *k = &kb_builtin_knowledge;
    if (k->nproducts == 0)
        return error_set(err, GH_ESCHEMA, "no product knowledge found");
    kb->packed = k;
    if (!(kb->products = calloc(k->nproducts, sizeof(*kb->products))))
        return error_set(err, GH_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < k->nproducts; i++, kb->nproducts++) {
        int rc = packed_product(kb, &k->products[i], &kb->products[i], err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* The knowledge in dir, each file checked against the format as it is read. */
static int load_dir(struct kb *kb, const char *dir, gh_error *err)
{
    struct file_source fs = {dir};
    char **names = NULL;
    size_t n = 0;
    int rc = list_products(&fs, &names, &n, err);
    if (rc == 0 && !(kb->products = calloc(n, sizeof(*kb->products))))
        rc = error_set(err, GH_ENOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = load_product(kb, &fs, names[i], &kb->products[i], err);
        kb->nproducts++;
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    for (size_t i = 0; rc == 0 && i < kb->nproducts; i++)
        rc = check_backends(kb, &kb->products[i], err);
    return rc;
}

int kb_new(const char *dir, struct kb **out, gh_error *err)
{
    struct kb *kb = calloc(1, sizeof(*kb));
    *out = NULL;
    if (!kb)
        return error_set(err, GH_ENOMEM, "out of memory");
    arena_init(&kb->arena, 256 * 1024);
    pthread_mutex_init(&kb->compile_lock, NULL);
    strmap_init(&kb->regex_index);
    int rc = dir ? load_dir(kb, dir, err) : load_packed(kb, err);
    if (rc < 0) {
        kb_free(kb);
        return rc;
    }
    *out = kb;
    return 0;
}
