/*
 * The schema engine: knowledge about gateways, read from YAML data (docs/schema-format.md)
 * and compiled for one target (product, version, input flavour, router flavour).
 *
 * Two stages. Loading reads every file of a product, checks it against the format's keyword
 * tables (fail closed: anything unknown is a load error with file:line:col) and keeps the YAML
 * trees; the built-in knowledge was loaded and checked so when the binary was built, and its
 * trees are rebuilt from a packed form (schema_pack.h), the entity and plugin files only when a
 * target of their product is compiled. Compiling picks, for a target, the active variant of
 * every definition, applies typedefs and subschema overlays, and builds the spec_* structures
 * the checks walk. Compiled documents are cached per target and live as long as the knowledge
 * base.
 *
 * Invariants: every spec_* pointer borrowed from a compiled document is valid until
 * kb_free(). Records list their fields sorted by name. A spec_field of type FT_RECORD has a
 * record; FT_ARRAY and FT_SET have elements; FT_MAP has keys and values.
 */
#ifndef SCHEMA_H
#define SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "diag/diag.h"
#include "model/model_node.h"
#include "model/model_scalar.h"
#include "util/util_arena.h"
#include "util/util_version.h"

/* Input flavours of a product's files; conditions select on them. */
enum flavor { FLAVOR_KONG, FLAVOR_DBEXPORT, FLAVOR_DECK, FLAVOR_APISIX, FLAVOR_ADC, FLAVOR_COUNT };

const char *flavor_name(enum flavor f);
bool flavor_from_name(const char *name, enum flavor *out);

/*
 * Where a plugin is configured. A plugin may have a schema for each (APISIX: `schema` on
 * routes, services and the like, `consumer_schema` on consumers, `metadata_schema` for
 * plugin_metadata, and the stream plugin's own `schema` on stream routes); a consumer's plugin
 * without a consumer schema uses its config schema, and so does a stream plugin without one of
 * its own (APISIX's stream ip-restriction, prometheus and traffic-split reuse the HTTP schema).
 */
enum plugin_scope {
    PLUGIN_SCOPE_NONE,
    PLUGIN_SCOPE_CONFIG,
    PLUGIN_SCOPE_CONSUMER,
    PLUGIN_SCOPE_METADATA,
    PLUGIN_SCOPE_STREAM,
    PLUGIN_SCOPE_COUNT
};

bool plugin_scope_from_name(const char *name, enum plugin_scope *out);
const char *plugin_scope_name(enum plugin_scope scope);

struct kb_product;

struct target {
    struct version version;
    enum flavor flavor;
    const char *router_flavor; /* owned by the knowledge base */
    const char *edition;       /* owned by the knowledge base; NULL: the product has none */
    /* Another product the file configures through a tool (product.yaml `backends`: ADC files
     * for open-source APISIX), and its release: its plugins are the ones checked. NULL: none. */
    const struct kb_product *backend;
    struct version backend_version;
};

enum field_type {
    FT_STRING,
    FT_INTEGER,
    FT_NUMBER,
    FT_BOOLEAN,
    FT_ARRAY,
    FT_SET,
    FT_MAP,
    FT_RECORD,
    FT_FOREIGN,
    FT_ANY
};

/* The field type a data file names ("string", "record", ...); false for another name. */
bool field_type_from_name(const struct node *name, enum field_type *out);

enum spec_flags {
    SF_REQUIRED = 1 << 0,
    SF_AUTO = 1 << 1,
    SF_UNIQUE = 1 << 2,
    SF_SECRET = 1 << 3,
    SF_REFERENCEABLE = 1 << 4,
    SF_OPEN = 1 << 5,
    SF_UUID = 1 << 6,
    SF_GT = 1 << 7,
    SF_BETWEEN = 1 << 8,
    SF_TYPED = 1 << 9,       /* a type was given (validator sets in checks may omit it) */
    SF_SUBSCHEMA = 1 << 10,  /* specialised by a subschema: its rules depend on another field */
    SF_VALIDATORS = 1 << 11, /* has validators beyond its type (most fields have none) */
    SF_IMPLIED = 1 << 12,    /* set only by nesting: the file may not write it (ADC) */
    SF_CHECK_REFS = 1 << 13  /* a secret reference is checked even where the release skips them */
};

struct spec_pattern {
    pcre2_code *re;
    const char *source;
    const char *err; /* message when the pattern decides, or NULL */
};

struct named_validator;
struct named_node_validator;
struct named_expansion;
struct spec_expr_lang;
struct spec_record;
struct spec_field;

/* A string read in parts: the groups of a pattern, each checked against a validator set
 * (request-transformer's "name:value" items). A string the pattern does not match fails with
 * the pattern's err. */
struct spec_captures {
    struct spec_pattern pattern;
    const struct spec_field **parts; /* one per group, in order */
    size_t nparts;
};

/*
 * A name a field of plugin entries takes (spec_plugin_entries.names): a plugin of the release,
 * checked against its schema for the scope, or something checked otherwise.
 */
struct spec_entry_name {
    const char *name;
    const struct spec_field *definition; /* its own definition (workflow's `return`), or NULL */
    const char *plugin;                  /* checked as this plugin's configuration, or NULL */
    const char *field;                   /* ... as this field of it (traffic-label), or NULL */
    const struct spec_record *also;      /* more definitions for some of its keys, or NULL */
};

/*
 * A value holding plugin configurations (APISIX's multi-auth items, workflow and traffic-label
 * actions): names checked against the release's plugins (or a list of names), each
 * configuration against the named plugin's schema for the scope.
 */
struct spec_plugin_entries {
    bool pairs; /* a list [name, configuration]; else each key of a mapping */
    enum plugin_scope scope;
    const char *plugin_type; /* a named plugin must be of this type (its file's plugin_type) */
    bool names_only;         /* configurations are not checked, only names (and types) */
    struct spec_entry_name *names; /* the names taken for the target; NULL: every plugin */
    size_t nnames;
    const struct node *all_names; /* every release's list, for messages */
    const char **skip;            /* keys of a mapping that are no entries */
    size_t nskip;
    const struct spec_field *extras; /* keys every plugin's configuration accepts (_meta) */
    const char *err;                 /* the gateway's message for a name it does not take */
};

/* A check that holds unless the file's plugin metadata sets these fields (file-logger's path). */
struct spec_unless_metadata {
    const char **fields;
    size_t nfields;
    const char *err; /* the gateway's message, instead of the check's own */
};

/* The items of a list must differ, by the value of one of their fields for records. */
struct spec_unique_items {
    const char *by;  /* NULL: the items themselves */
    const char *err; /* the gateway's message; %s is the repeated value */
};

struct spec_field {
    const char *name;
    enum field_type type;
    uint32_t flags;
    const struct node *where; /* the definition in the data */
    /* Every release's definitions when there are several (a list of variants), else NULL:
     * a value only another release's type takes says the file is for that release. */
    const struct node *variants;
    const struct node *default_value;
    const struct node *eq, *ne;
    const struct node **one_of;
    size_t n_one_of;
    const struct node **not_one_of;
    size_t n_not_one_of;
    const struct node *all_one_of; /* every version's list, for "added in" messages */
    double gt, between_min, between_max;
    int64_t len_eq, len_min, len_max; /* -1 when not set */
    const char *starts_with;
    struct spec_pattern *not_match, *match;
    struct spec_pattern *keys_matching; /* with `values`: only these keys' values are checked */
    struct spec_pattern *match_none, *match_all, *match_any;
    size_t n_match_none, n_match_all, n_match_any;
    const char *match_any_err;
    const struct node *contains;
    const struct named_validator *validator;
    const struct named_node_validator *node_validator; /* instead of validator: whole values */
    const struct node *subsets; /* mutually_exclusive_subsets: a list of lists */
    const char *err;
    const struct spec_field *elements, *keys, *values;
    const struct spec_field **any_of; /* alternatives: the value must be one of them */
    size_t n_any_of;
    const struct spec_record *record;
    const char *reference;
    const char *deprecated_since;
    const char *deprecated_message;
    const struct node *deprecated_old_default; /* a value that does not warn (Kong's old_default) */
    /* for validator sets in checks: required: true means "must be set" */
    bool must_be_set;
    /* A map of plugin name to that plugin's configuration in this scope (APISIX `plugins`);
     * `values` then checks the keys every plugin accepts (`_meta`) and unknown plugins. */
    enum plugin_scope plugin_map;
    const struct spec_captures *captures;
    const struct spec_unique_items *unique_items;
    /* The string holds JSON, decoded and checked against this definition (keys.jwk). */
    const struct spec_field *json;
    /* What the gateway checks of a set value that gatehop cannot (Lua it would have to run, a
     * key pair that needs cryptography): a set value is announced as HOP9005. */
    const char *unchecked;
    /* A mapping whose keys no two entities of the collection may share (APISIX 3.15's plugins
     * of global rules): what the gateway does with a repeat, for the warning (HOP3002). */
    const char *unique_keys;
    /* The value holds plugin configurations (plugin_entries), or NULL. */
    const struct spec_plugin_entries *entries;
};

enum check_kind {
    CHECK_AT_LEAST_ONE_OF,
    CHECK_ONLY_ONE_OF,
    CHECK_MUTUALLY_EXCLUSIVE,
    CHECK_MUTUALLY_REQUIRED,
    CHECK_MUTUALLY_EXCLUSIVE_SETS,
    CHECK_DISTINCT,
    CHECK_ORDERED,
    CHECK_SAME_COUNT,
    CHECK_CONDITIONAL,
    CHECK_CONDITIONAL_AT_LEAST_ONE_OF,
    CHECK_AT_LEAST_ONE_TRUE,
    CHECK_CLOSED_IF_ANY,
    CHECK_EQUAL,
    CHECK_UNCHECKED,
    CHECK_FORBIDS,
    CHECK_REQUIRES,
    CHECK_DISTINCT_BY,
    CHECK_NAMES_ITEM
};

/* One more condition of a conditional: the field's value must match. */
struct spec_condition {
    const char *field;
    int at;
    const struct spec_field *match;
};

/*
 * A check names fields; each name comes with its position in the record's fields (-1 when the
 * field does not exist for the target), so checks read values without looking names up.
 */
struct spec_check {
    enum check_kind kind;
    const struct node *where;
    const char **fields; /* field lists; for sets: set1 then set2, split at n_fields_a */
    int *fields_at;
    size_t n_fields, n_fields_a;
    /* unchecked: announced only while this field is not set (file-logger's `path`);
     * conditional: applies only while it is not set (openid-connect's public_key); or NULL */
    const char *unless_field;
    int unless_at;
    const char *if_field, *then_field;
    int if_at, then_at;
    const struct spec_field *if_match, *then_match, *else_match;
    /* conditional: instead of then_match, a whole definition then_field's written value is
     * checked against as a field is (APISIX's if/then branches that declare lists, records) */
    const struct spec_field *then_def;
    const char **then_fields, **else_fields;
    int *then_fields_at, *else_fields_at;
    size_t n_then_fields, n_else_fields;
    const char *then_err, *else_err; /* for CHECK_UNCHECKED, then_err is its text */
    struct spec_condition *and_if;   /* conditions beside if_field, all of which must hold */
    size_t n_and_if;
    const struct named_derivation *derive; /* distinct_by: what is compared */
    bool strict;                           /* ordered: each field greater, not just no lower */
    const char *by; /* names_item: the field of the list's items then_field's value names */
    /* In a plugin's configuration: the check holds unless the plugin's metadata in the file
     * sets these fields; NULL: always. */
    const struct spec_unless_metadata *unless_metadata;
};

/*
 * What the gateway does to a record's values before validating them (Kong's upstreams: a
 * shorthand function named like the field). When `field` is given (written, or set by an
 * earlier rewrite, null included), the first case whose match holds sets its values.
 */
struct spec_rewrite_case {
    const struct spec_field *match; /* NULL: always */
    const struct node *set;         /* a mapping of field names to values */
};

struct spec_rewrite {
    const char *field;
    struct spec_rewrite_case *cases;
    size_t ncases;
};

/*
 * An input-only key. It either names a C expansion (Kong's service `url`) or gives its value,
 * through `map`, to the fields `sets` names (dotted paths into nested records: Kong 3.6's
 * rate-limiting `redis_host` sets `redis.host`).
 */
struct spec_shorthand {
    const char *name;
    struct spec_field value; /* the accepted type, and a deprecation */
    const struct named_expansion *expand;
    const char **sets; /* NULL-terminated; with `expand`, its fields */
    const struct node *map;
};

struct spec_record {
    struct spec_field *fields;
    size_t nfields;
    struct spec_check *checks;
    size_t nchecks;
    struct spec_shorthand *shorthands;
    size_t nshorthands;
    struct spec_rewrite *rewrites;
    size_t nrewrites;
    bool open;
    /* The definitions of every version, for "added in" / "removed in" messages. */
    const struct node *all_fields;
    /* A hash index over fields: slot holds field index + 1, or 0 (every key is looked up). */
    uint32_t *slots;
    uint32_t slot_mask;
    /* Each field's name length (FIELD_NAME_LONG: that or more), by field index: a lookup
     * compares the bytes of a name of the right length only. */
    uint16_t *name_len;
};

struct spec_subschema {
    const struct node *names; /* list of key values */
    struct spec_record record;
};

struct spec_entity;

struct spec_child {
    const struct spec_entity *entity;
    const char *foreign_field; /* the child's field naming this parent */
};

/*
 * A plugin field that names an item of one of the entity's own lists (API7 3.8: traffic-split's
 * upstream_id names an upstream of the same service). It is checked in the plugins of the entity
 * and of the entities nested in it.
 */
struct spec_local_ref {
    const char *plugin;
    const char **field; /* path into the plugin's config; lists on the way are walked through */
    size_t nfield;
    const char *among; /* the entity's list whose items' ids may be named */
    bool own_id;       /* the entity's own id may be named too (ADC's default upstream) */
    bool adc_ids;      /* an item without `id` has the id ADC derives from its name */
    const char *err;   /* the gateway's message, when known */
};

struct spec_entity {
    const char *name;
    const char *singular;
    const char *primary_key;
    const char *endpoint_key;
    const char *label;
    const char **cache_key;
    size_t n_cache_key;
    /* Positions in record.fields (the same in every subschema record), -1 when absent. */
    int primary_at, endpoint_at, label_at;
    int *cache_key_at;
    int *foreign_at, *unique_at, *unique_keys_at;
    size_t nforeign, nunique, nunique_keys;
    /* Fields of another type that name an entity by its id (APISIX `upstream_id`): resolved
     * like foreign fields, but an entity does not nest inside the one they name. */
    int *id_ref_at;
    size_t nid_ref;
    struct spec_record record;
    const char *subschema_key;
    struct spec_subschema *subschemas;
    size_t nsubschemas;
    bool subschema_names_from_plugins;
    /* Kong: the field holding the configuration of the plugin `name` names, checked against
     * that plugin's config schema (NULL elsewhere). */
    const char *plugin_config;
    /* decK: the item field naming an entry of a top-level mapping of shared configurations
     * (`_config` and `_plugin_configs`), deep-merged under the item's own; NULL elsewhere. */
    const char *shared_config_field, *shared_configs_key;
    struct spec_child *children;
    size_t nchildren;
    size_t index; /* position in the document's entity list */
    const struct node *where;
    bool nested_only; /* not a top-level collection of its own (APISIX credentials) */
    /* Items of this collection that are another entity, told apart by one field's form:
     * APISIX's consumers list also holds credentials (id `<user>/credentials/<id>`). */
    struct spec_delegate {
        const char *field;
        struct spec_pattern match;
        const struct spec_entity *entity;
    } * delegates;
    size_t ndelegates;
    /* Items that configure one plugin each (APISIX plugin_metadata: `id` names the plugin):
     * the item is also checked against that plugin's schema for plugin_scope. */
    const char *plugin_key;
    enum plugin_scope plugin_scope;
    /* Nested collections that must not be given together, and the gateway's message. */
    const char **exclusive_children;
    size_t n_exclusive_children;
    const char *exclusive_err;
    struct spec_local_ref *local_refs;
    size_t nlocal_refs;
    /* What gatehop cannot check of any item (an Enterprise schema it does not have): each item
     * is announced as HOP9005. NULL: everything is checked. */
    const char *unchecked;
};

/* A bundled plugin and its configuration schema per scope (NULL: not known to gatehop). */
struct spec_plugin_late;

struct spec_plugin {
    const char *name;
    /* Valid once the plugin is found with spec_plugin_find(). */
    const struct spec_field *scopes[PLUGIN_SCOPE_COUNT];
    bool described;    /* gatehop has its schemas: a scope without one has none in the gateway */
    const char *type;  /* its file's plugin_type for the target (APISIX's `auth`), or NULL */
    bool deprecations; /* the product's list holds a deprecation for it (in some release) */
    /* The built-in knowledge's plugins are compiled when first found (a file names a few of a
     * release's hundred), its scopes then; NULL when they were compiled with the document. */
    struct spec_plugin_late *late;
};

struct spec_document {
    const char *product;      /* "kong" */
    const char *product_name; /* "Kong Gateway" */
    struct target target;
    char version_text[32];
    struct version newest;            /* the newest release gatehop knows of the product */
    struct spec_record meta;          /* top-level keys that are not collections */
    struct spec_record entity_extras; /* keys allowed on every entity */
    struct spec_entity *entities;
    size_t nentities;
    const char **plugins; /* bundled plugin names for the target, sorted */
    size_t nplugins;
    const struct spec_plugin *plugin_specs; /* parallel to plugins */
    const struct node *all_plugins;         /* every version's list, for messages */
    /* The plugins that run on stream routes (APISIX), sorted; all_stream_plugins is NULL when
     * the product does not list them. */
    const char **stream_plugins;
    size_t nstream_plugins;
    const struct node *all_stream_plugins;
    const struct node *all_entities; /* every version's list, for messages */
    bool duplicates_are_errors;      /* repeated ids and keys are errors, not dropped */
    /* a deprecated shorthand and its field set to different values is an error, not a win
     * for the shorthand (Kong 3.8) */
    bool shorthand_conflicts_are_errors;
    /* ADC: `${NAME}` in a string is an environment variable, replaced before the file is
     * checked, and every number field also takes a string holding a number. */
    bool string_env_vars;
    bool numbers_from_strings;
    /* `$` means nothing to the gateway (Kong): a value refused for the `$NAME` it holds shows
     * an envsubst template (product.yaml `envsubst_inferred`). */
    bool envsubst_inferred;
    /* A `set` must not repeat an item (APISIX: JSON schema's uniqueItems); Kong drops repeats. */
    bool unique_sets;
    /* The language of the router's expressions (product.yaml `expressions`), or NULL. */
    const struct spec_expr_lang *expr;
    bool missing_records_fail; /* a required record left out is not built from its defaults */
    /* The library the target reads its YAML files with (product.yaml `yaml_parser`). */
    enum yaml_lib yaml_lib;
    /* A key counts as set once present, whatever its value (product.yaml `set_when: present`):
     * APISIX's JSON schema `required` and its Lua `~= nil`. A null is then a value too: an
     * empty table in a YAML file (tinyyaml's and lyaml's null), a value of no type in JSON. */
    bool set_when_present;
    /* A top-level key the gateway does not know is ignored, not refused (document.yaml
     * `unknown_keys: ignored`: APISIX reads only the keys it asks for): HOP2015. */
    bool unknown_keys_ignored;
    /* document.yaml `misplaced_keys` {file, keys}: keys of another file often pasted here. */
    const struct node *misplaced_keys;
    /* document.yaml `plugin_declarations` [{key, name, clone_of}]: top-level lists whose items
     * declare plugin names (decK's cloned_plugins, custom_plugins), or NULL. A plugin the
     * target does not bundle is then held to the end of the file, where a declaration of its
     * name turns the finding into a note that its configuration is not checked. */
    const struct node *plugin_declarations;
    /* The tool that reads the file may merge it with others first (document.yaml
     * `merged_files`: ADC's `adc sync -f a.yaml -f b.yaml`): what another file may give (plugin
     * metadata) is not known missing when this one lacks it. */
    bool merged_files;
    /* A plugin the gateway does not load is skipped, not refused (product.yaml `unknown_plugins`:
     * APISIX standalone before 3.16): its findings are warnings. */
    bool unknown_plugins_ignored;
    /* String lengths (len_min, len_max, len_eq) count UTF-8 characters, not bytes (product.yaml
     * `string_length: characters`: APISIX's JSON schema). */
    bool lengths_in_characters;
    /* A string that is a secret reference skips the checks of a string or untyped field
     * (product.yaml `secret_references: skip_checks`: APISIX 3.17's skip_validation). */
    bool secret_refs_skip_checks;
    /* Where a plugin compiled late records a failure (spec_document_error). */
    struct spec_late_target *late;
};

/* ---- the knowledge base ------------------------------------------------------------------ */

struct kb;
struct kb_product;

/* Loads the knowledge of every product, from dir or (dir == NULL) from the binary. */
int kb_new(const char *dir, struct kb **out, gh_error *err);
void kb_free(struct kb *kb);

size_t kb_product_count(const struct kb *kb);
const struct kb_product *kb_product_at(const struct kb *kb, size_t index);
const struct kb_product *kb_product_find(const struct kb *kb, const char *name);
const char *kb_product_name(const struct kb_product *p);
size_t kb_version_count(const struct kb_product *p);
const struct version *kb_version_at(const struct kb_product *p, size_t index);
const char *kb_version_text(const struct kb_product *p, size_t index);
/* The known release for v: the same minor, or NULL. */
const struct version *kb_version_match(const struct kb_product *p, const struct version *v);
/* For a file's own version marker ("3.0"): the release to assume, or NULL when unknown. */
const struct version *kb_format_assume(const struct kb_product *p, const char *format_version);
/* The router flavour used when none is given, for a version. */
const char *kb_default_router_flavor(const struct kb_product *p, const struct version *v);
/* Whether the product's files carry their own version marker (Kong's _format_version). */
bool kb_has_format_versions(const struct kb_product *p);
/* Whether the product has router flavours at all (Kong does, APISIX does not). */
bool kb_has_router_flavors(const struct kb_product *p);
/* The text a file of the product must end with to be loaded ("#END"), or NULL. */
const char *kb_end_marker(const struct kb_product *p);
/* The YAML library release v reads its files with (product.yaml `yaml_parser`, else lyaml). */
enum yaml_lib kb_yaml_lib(const struct kb_product *p, const struct version *v);
/* Whether product.yaml names the libraries at all (messages then name release and library). */
bool kb_names_yaml_libs(const struct kb_product *p);
/* The release from which the product reads with lyaml after another library ("3.10"), or NULL. */
const char *kb_lyaml_since(const struct kb_product *p);
/* Whether release v of the product loads a JSON file (product.yaml `json_since`). */
bool kb_reads_json(const struct kb_product *p, const struct version *v);
/* The knowledge base's own copy of a router flavour name valid for v, or NULL. */
const char *kb_router_flavor_find(const struct kb_product *p, const struct version *v,
                                  const char *name);

/*
 * Editions (product.yaml `editions`): a product sold in several (Kong's open-source edition
 * and Kong Gateway Enterprise) names them, each with the releases it exists in.
 */
bool kb_has_editions(const struct kb_product *p);
/* The edition a name or an alias names (the knowledge base's own copy of its value), or NULL. */
const char *kb_edition_find(const struct kb_product *p, const char *name);
/* Whether release v exists in the edition. */
bool kb_edition_exists(const struct kb_product *p, const char *edition, const struct version *v);
/* The first edition listed, the usual one (Kong's open-source edition), or NULL. */
const char *kb_usual_edition(const struct kb_product *p);
/* The newest release of an edition (NULL: the usual one); the newest release of a
 * product without editions. */
const struct version *kb_latest(const struct kb_product *p, const char *edition);
/* The edition's description ("Kong Gateway Enterprise"). */
const char *kb_edition_description(const struct kb_product *p, const char *edition);
/*
 * The edition a run checks, for releases a and b: the one `asked` names (a value or an alias;
 * NULL: none asked), which must have both releases (GH_EVERSION otherwise), else the default.
 * *out is the knowledge base's copy of its value, NULL for a product without editions (then
 * asking for one is GH_EUSAGE).
 */
int kb_edition_choose(const struct kb_product *p, const char *asked, const struct version *a,
                      const struct version *b, const char **out, gh_error *err);

/*
 * product.yaml `backends`: another product whose releases a file of this product configures
 * (an ADC file, for open-source APISIX through ADC's apisix backends). Returns that product
 * when p names it; *since gets the first release of it the backend takes (count 0: any).
 */
const struct kb_product *kb_backend_find(const struct kb_product *p, const char *name,
                                         struct version *since, const char **description);

/*
 * Reads the product's document, typedefs, upgrade rules and plan, which the built-in knowledge
 * builds only for a product in use: kb_compile() does it, and the functions below need it
 * done (-1 when memory ran out). Any thread: under the compile lock.
 */
int kb_product_ready(const struct kb_product *p, gh_error *err);
/* The upgrade rules (upgrades.yaml, docs/schema-format.md), or NULL when there are none. */
const struct node *kb_upgrade_rules(const struct kb_product *p);
/* The top-level key that holds a file's own version marker ("_format_version"), or NULL. */
const char *kb_format_field(const struct kb_product *p);
/* The product's name for people ("API7 Enterprise"). */
const char *kb_product_display(const struct kb_product *p);
/* The root of plan.yaml (docs/schema-format.md, "Upgrade plans"), or NULL when it has none. */
const struct node *kb_plan(const struct kb_product *p);
/* The phases of a plan's steps, in the order they are done. */
enum { KB_PLAN_PHASE_COUNT = 5 };
extern const char *const kb_plan_phases[KB_PLAN_PHASE_COUNT];

/* Compiles (or finds in the cache) the document schema for a target. */
int kb_compile(struct kb *kb, const struct kb_product *p, const struct target *t,
               const struct spec_document **out, gh_error *err);

const struct spec_entity *spec_entity_find(const struct spec_document *d, const char *name);
const struct spec_field *spec_record_field(const struct spec_record *r, const char *name,
                                           size_t len);
/* The field a path names or, for a dotted path (redis.host), the field it starts at. */
const struct spec_field *spec_record_path_start(const struct spec_record *r, const char *path);
const struct spec_shorthand *spec_record_shorthand(const struct spec_record *r, const char *name,
                                                   size_t len);
const struct spec_record *spec_entity_record_for(const struct spec_entity *e,
                                                 const struct node *item);
/* The entity an item of e's collection is: e, or the entity of a delegate it matches. */
const struct spec_entity *spec_entity_for_item(const struct spec_entity *e,
                                               const struct node *item);

/* A bundled plugin of the target by name, or NULL; compiles its scopes on first use (any
 * thread: under the knowledge base's compile lock). */
const struct spec_plugin *spec_plugin_find(const struct spec_document *d, const char *name);
/* Why compiling a plugin of d late failed (its checks are incomplete), or NULL. */
const gh_error *spec_document_error(const struct spec_document *d);
/* Whether the target runs the plugin on stream routes (stream_plugins). */
bool spec_runs_on_stream_routes(const struct spec_document *d, const char *name);
/*
 * The schema a plugin's configuration is checked against in a scope: the scope's own, or for
 * consumers the config schema when there is no consumer schema; NULL when gatehop has none.
 * *is_config says whether it is the config schema (the one APISIX injects `_meta` into).
 */
const struct spec_field *spec_plugin_schema(const struct spec_plugin *p, enum plugin_scope scope,
                                            bool *is_config);

/* ---- conditions, shared by loading, compiling and messages -------------------------------- */

/* The value of a listed item, written plain or as {value: x, since: ...}. */
const struct node *spec_item_value(const struct node *item);

/* Whether a definition's `editions` (none: every edition) take in edition (NULL: the product
 * has no editions). For upgrade rules and plan steps, whose releases are said otherwise. */
bool cond_in_edition(const struct node *def, const char *edition);

/* The entry of a list of {value, aliases, ...} (a plan's modes, the editions) that name names
 * by its value or an alias, or NULL. */
const struct node *spec_choice_find(const struct node *choices, const char *name);

/*
 * What a file uses that only some releases have, gathered while it is checked so that the
 * release it was written for can be inferred: the newest release that something it uses needs
 * (a field, value, plugin or collection added then) and the oldest release that no longer has
 * something it uses. Each with the first place it was seen and what was seen there.
 */
struct version_evidence {
    bool newer, older;
    struct version since, until;
    struct span since_at, until_at;
    char since_what[96], until_what[96];
    /* The first thing seen that exists at this release only in another edition, or only
     * with another router flavour ("" when none): the file is written for that one. */
    char edition[24], router_flavor[32];
    struct span edition_at, router_at;
    char edition_what[96], router_what[96];
    /* The same for a plain Kong file that uses what only decK state files have. */
    char flavor[16];
    struct span flavor_at;
    char flavor_what[96];
    /* The first value a check refused that holds a shell variable ($NAME, ${NAME}), while
     * such variables were taken as text: the file is a template that envsubst fills in. */
    bool shell_variables;
    struct span shell_variable_at;
    char shell_variable_what[96];
};

/*
 * Notes what a definition that does not hold for t says about the releases that have it:
 * what (a phrase such as "field 'realm'") seen at `at` exists only after t, or only before.
 * Flavour conditions count (a decK-only key is not evidence); edition and router flavour do
 * not decide the release, but a definition that holds at t's release in another edition or
 * with another router flavour is noted as evidence of that one. def may be a list of variants.
 */
void evidence_note(struct version_evidence *ev, const struct node *def, const struct target *t,
                   const char *what, const struct span *at);

/* Notes that a check refused a value holding a shell variable (what: "$HOST in 'host'"). */
void evidence_note_shell_variable(struct version_evidence *ev, const char *what,
                                  const struct span *at);
/* The same for a value of a field (a listed value): not evidence of a decK file. */
void evidence_note_value(struct version_evidence *ev, const struct node *def,
                         const struct target *t, const char *what, const struct span *at);

/* Whether a definition's conditions (since, until, flavors, router_flavors) hold for t. */
bool cond_holds(const struct node *def, const struct target *t);
/* The same, leaving the release out: whether it holds for t's input flavour, router flavour
 * and edition in some release. */
bool cond_settings_hold(const struct node *def, const struct target *t);

/*
 * Why a definition does not hold for t, as the rule to report and a phrase such as
 * "was added in kong 3.3" or "exists only in decK files". Returns false when it holds.
 */
bool cond_explain(const struct node *def, const struct target *t, const char *product,
                  enum rule_id *rule, char *phrase, size_t size);
/*
 * The same for a definition with variants: the variant nearest to holding explains (one that
 * exists in this version but for another flavour, before one added later, before one removed).
 * Returns that variant, or NULL when one of them holds.
 */
const struct node *cond_explain_variants(const struct node *def, const struct target *t,
                                         const char *product, enum rule_id *rule, char *phrase,
                                         size_t size);

/* ---- describing definitions, for editors (schema_cond.c, schema_compile.c) ---------------- */

/* The name the data files give a field type ("string", "record", ...). */
const char *field_type_name(enum field_type type);

/*
 * The releases a definition (a mapping or a list of variants) exists in for t's input flavour,
 * router flavour and edition: the run of variants, back to back, that holds at t's release, or
 * else the nearest run after it, or else the nearest one before it. *since is the run's first
 * release and *until the release that ends it (count 0: open on that side). Returns the
 * variant of the run nearest t's release (the one holding there, the first after it, the last
 * before it); NULL when no variant exists for these settings in any release.
 */
const struct node *cond_span(const struct node *def, const struct target *t, struct version *since,
                             struct version *until);

/*
 * A keyword's value in a variant or, when the variant does not write it, in its typedef, that
 * typedef's typedef and so on (the chain the compiler applies), each typedef's variant picked
 * for a release and settings the variant holds in near t. NULL when none writes it.
 */
const struct node *kb_definition_keyword(const struct kb_product *p, const struct node *variant,
                                         const struct target *t, const char *keyword);

#endif
