/*
 * Checking values against compiled specs, the way Kong's schema library checks them: the type
 * first, then the validators in Kong's order, the first failure reported once per value; then
 * the elements, keys, values or fields below. Records also check required fields and their
 * entity checks (at_least_one_of, conditional, ...), reading missing fields at their default.
 *
 * Findings go to the context's sink with the current path and entity. Values of secret fields
 * never appear in a message, and their positions are recorded for excerpt masking.
 */
#ifndef SCHEMA_VALIDATE_H
#define SCHEMA_VALIDATE_H

#include <stdbool.h>

#include "diag/diag.h"
#include "model/model_path.h"
#include "schema.h"
#include "schema_named.h"
#include "util/util_strmap.h"

/* What stands for a value that is filled in before the gateway reads the file. */
enum placeholder_kind {
    PLACEHOLDERS_DECK,     /* decK's ${{ env "DECK_X" }} (the default) */
    PLACEHOLDERS_ENVSUBST, /* those, and $NAME and ${NAME} (envsubst, shell templates) */
    PLACEHOLDERS_NONE      /* none: every value is checked as written */
};

/* "deck", "envsubst" or "none"; false for any other name. */
bool placeholder_kind_from_name(const char *name, enum placeholder_kind *out);
struct source;
struct metadata_book;
struct plugin_book;

struct vctx {
    struct diag_sink *sink;
    struct path *path;
    const char *entity; /* "route 'orders'", or NULL */
    const struct spec_document *doc;
    struct named_env env;
    struct arena *scratch; /* per item; values made by shorthand expansion live here */
    const char *field;     /* the innermost named field, for messages */
    bool secret;           /* inside a secret field */
    bool placeholders;     /* the item may hold placeholders (the input has shown one) */
    enum placeholder_kind placeholder_kind;
    bool json;                         /* the file is JSON (its nulls are not YAML's) */
    pcre2_match_data *match_data;      /* one for every pattern match: see vctx_init() */
    const char *const *custom_plugins; /* plugins the gateway loads besides the bundled ones */
    size_t n_custom_plugins;
    /* Parallel to doc->plugins, or NULL: set for each plugin whose configuration was met but
     * could not be checked (gatehop has no schema for it), so the caller can say so once. */
    bool *unchecked_plugins;
    /* When set, what the file uses that only other releases have is noted here (the check
     * still reports it): the driver infers the release the file was written for from it. */
    struct version_evidence *evidence;
    /* Only looking for evidence (check.c's probe): keys, plugin names and listed values are
     * checked; other validators, required fields and entity checks are not. */
    bool probe;
    /* The release checked is assumed or inferred, not given (--to, --from): a key added in a
     * release gatehop does not know is then a note (HOP9001; an error when strict), for the
     * file is written for that release, not a finding against the one assumed. */
    bool release_assumed, strict;
    /* The edition checked is not the one gatehop's plugin schemas describe (Kong's schemas
     * are the open-source plugins'; Enterprise adds fields to some): inside a plugin's
     * configuration (in_plugin_conf) an unknown key is announced as not checked (HOP9005). */
    bool plugin_fields_open;
    bool in_plugin_conf;
    /* The file, to point inside values written with escapes or over several lines (NULL: not
     * read from a file); each such lookup reads it again, so they are counted and capped. */
    const struct source *src;
    unsigned locates;
    /* The plugin whose configuration is being checked (as the file names it), or NULL: checks
     * with unless_metadata read its metadata in `metadata`. */
    const char *plugin;
    /* The plugin metadata the file gives; NULL: not known (unless_metadata checks then run as
     * they stand). */
    struct metadata_book *metadata;
    /* The plugin names the file declares (spec_document.plugin_declarations), or NULL. */
    struct plugin_book *declared;
    /* Plugin configurations inside plugin configurations (multi-auth's auth_plugins), so far. */
    unsigned entries_depth;
};

/* Sets up a context (the match data is the only thing it allocates); false on OOM. */
bool vctx_init(struct vctx *c, struct diag_sink *sink, struct path *path, struct arena *scratch);
void vctx_release(struct vctx *c);

/* Checks n against f and everything below it; false when anything failed. */
bool validate_value(struct vctx *c, const struct spec_field *f, const struct node *n);

/* Keys of an entity that are not fields: nested collections. Return true when handled. */
typedef bool (*extra_key_fn)(void *ctx, const struct node *key, const struct node *value);

struct record_options {
    const struct spec_record *extras; /* more allowed fields (_comment, _ignore) */
    extra_key_fn extra;
    void *extra_ctx;
    const char *implied_field;      /* a required field its nesting provides */
    const struct node **values_out; /* if set: receives the written values by field position */
};

/* Checks a mapping's keys, required fields and checks; false when anything failed. */
bool validate_record(struct vctx *c, const struct spec_record *r, const struct node *map,
                     const struct record_options *opt);

/* Reports a key that r does not know, saying when it existed if it ever did. */
void report_unknown_key(struct vctx *c, const struct spec_record *r, const struct node *key,
                        const char *what);

/*
 * A plugin name the target does not bundle (HOP2014, or the rule saying when it existed),
 * unless it is a custom plugin; false when it was reported.
 */
bool check_plugin_known(struct vctx *c, const struct node *name);

/*
 * The schema (a record) a plugin's configuration is checked against in a scope, once its name
 * is checked (*known false: reported). NULL when gatehop has none; the plugin is then recorded
 * in unchecked_plugins. *is_config as spec_plugin_schema().
 */
const struct spec_field *plugin_conf_schema(struct vctx *c, const struct node *name,
                                            enum plugin_scope scope, bool *known, bool *is_config);

/* Checks one plugin's configuration in a scope; extras are keys every plugin accepts. */
bool validate_plugin_conf(struct vctx *c, const struct node *name, enum plugin_scope scope,
                          const struct spec_field *base, const struct node *conf);

/*
 * The plugin metadata a file gives (APISIX's plugin_metadata items, ADC's plugin_metadata map),
 * for the checks that hold unless it sets some fields (unless_metadata). A file may give the
 * metadata after the configurations it excuses: such a check's findings are held until the end
 * of the file, then reported or dropped.
 */
struct metadata_held {
    const char *plugin;
    const struct spec_unless_metadata *unless;
};

struct metadata_book {
    struct strmap set;     /* "PLUGIN" once its metadata is seen; "PLUGIN\x1eFIELD" per field set */
    struct diag_sink held; /* findings waiting for the end of the file */
    struct metadata_held *why; /* parallel to held.items */
    size_t nwhy, why_cap;
    struct arena names;
};

void metadata_book_init(struct metadata_book *b);
void metadata_book_release(struct metadata_book *b);
/* Notes what a plugin's metadata sets; call it for metadata that passed its checks (the gateway
 * drops metadata that fails them). */
void metadata_note(struct vctx *c, const char *plugin, const struct node *conf);
/* The end of the file: each held finding whose metadata never set the fields is reported; with
 * merged_files, one whose plugin has no metadata in this file is announced instead (HOP9005). */
void metadata_resolve(struct metadata_book *b, bool merged_files, struct diag_sink *sink);

/*
 * The plugin names a file declares in its own lists (document.yaml `plugin_declarations`:
 * decK's cloned_plugins and custom_plugins, which decK writes after the plugins that use
 * them), and the findings on plugins the target does not bundle, held until the end of the
 * file: a declared name is then announced as not checked instead.
 */
struct plugin_declared {
    const char *name, *list, *clone_of; /* clone_of: NULL for a custom plugin */
    uint32_t line;
};

struct plugin_book {
    struct strmap names; /* name -> index in decl */
    struct plugin_declared *decl;
    size_t ndecl, decl_cap;
    struct diag_sink held;   /* findings waiting for the end of the file */
    const char **held_names; /* parallel to held.items */
    size_t nheld, held_cap;
    struct arena strings;
};

void plugin_book_init(struct plugin_book *b);
void plugin_book_release(struct plugin_book *b);
/* Notes the plugin an item of a declaring list names (decl: its plugin_declarations entry). */
void plugin_declare(struct plugin_book *b, const struct node *decl, const struct node *item);
/* The end of the file: each held finding is reported, or announced when its name was declared. */
void plugin_book_resolve(struct plugin_book *b, struct diag_sink *sink);

/* Whether a string holds a placeholder of the kind (decK's ${{ env "DECK_X" }}, $NAME). */
bool holds_placeholder(enum placeholder_kind kind, const struct node *n);
/* The same for what the context takes as placeholders. */
bool is_placeholder(const struct vctx *c, const struct node *n);

#endif
