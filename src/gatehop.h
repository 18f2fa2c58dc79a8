/*
 * gatehop: check API-gateway declarative configuration against per-version knowledge.
 *
 * This is the library's only public header. The command-line tool uses nothing else.
 *
 * Ownership, stated once: every gh_X_new() or function that hands out a gh_X through an out
 * parameter has a matching gh_X_free(). Every pointer a function returns is borrowed: it stays
 * valid until the object it came from is freed, and the caller never frees it.
 *
 * Two channels, never mixed: operational failures (I/O, memory, a broken schema file, a bad
 * option) make a function return a negative enum gh_status and fill the caller's gh_error;
 * the first error wins. Findings about the user's configuration are diagnostics in a
 * gh_result and never make a function fail. The library never prints and never exits.
 */
#ifndef GATEHOP_H
#define GATEHOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define GATEHOP_VERSION "0.1.0"

enum gh_status {
    GH_OK = 0,
    GH_ENOMEM = -1,  /* out of memory */
    GH_EIO = -2,     /* an input could not be read */
    GH_EUSAGE = -3,  /* a bad option value */
    GH_ESCHEMA = -4, /* a knowledge file is broken */
    GH_EVERSION = -5 /* an unknown product or version */
};

enum gh_severity { GH_INFO = 0, GH_WARNING = 1, GH_ERROR = 2 };

typedef struct gh_error {
    int status;
    char file[256]; /* where the problem is, when it is in a file */
    unsigned line, column;
    char message[512];
} gh_error;

typedef struct gh_engine gh_engine;
typedef struct gh_result gh_result;

/* What the knowledge base holds, and which version to check against. */
gh_engine *gh_engine_new(const char *schema_dir, gh_error *err);
void gh_engine_free(gh_engine *engine);
/*
 * Forgets the project configs, baselines and rulesets the engine loaded (each is loaded once,
 * when a file first needs it), so that the next lint reads them again: a long-lived caller (an
 * editor's server) calls it when one of them changed on disk. Free every result of this
 * engine first (a ruleset's findings name its rules), and lint nothing meanwhile.
 */
void gh_engine_forget_files(gh_engine *engine);

typedef struct gh_lint_options {
    const char *from;          /* "kong@2.8", "2.8" or NULL: as the file says */
    const char *to;            /* target version, or NULL: check against the source */
    const char *input_flavor;  /* kong, dbexport, deck, adc, apisix, or NULL: detect */
    const char *router_flavor; /* traditional, traditional_compatible, expressions, or NULL */
    const char *edition;       /* oss, enterprise (Kong), or NULL: as the releases allow */
    /* What stands for a value filled in before the gateway reads the file, left unchecked:
     * "deck" (decK's ${{ env "DECK_X" }}; the default), "envsubst" (also $NAME and ${NAME})
     * or "none". */
    const char *placeholders;
    bool strict; /* a file gatehop recognises but does not check is an error (HOP9001) */
    const char *display_name;          /* the name reports use; NULL: the path */
    const char *const *custom_plugins; /* plugin names the gateway loads besides bundled ones */
    size_t custom_plugin_count;
    size_t max_findings; /* per input; 0: the default (100000) */
    /* The project config (docs/config.md): NULL finds .gatehop.yml in the input's directory
     * or above it; "" uses none; anything else is the file to use. What these options set
     * wins over what the config says. */
    const char *config;
    const char *baseline; /* accepted findings: NULL the config's, "" none, else this file */
    const char *fail_on;  /* "error", "warning" or "info"; NULL: the config's, else error */
    /* The file is one of several checked together, which decK (and ADC) would read as one
     * configuration: keep what gh_results_join() needs to resolve references between them. */
    bool joined;
    /* Where the project config is looked for and the baseline names the input; NULL: the
     * path (standard input: display_name). A database's export names the connection here. */
    const char *place_as;
    /* Organisation rulesets in Spectral's format (docs/rulesets.md), run after gatehop's own
     * checks; their findings carry the rule's name as code. */
    const char *const *rulesets;
    size_t ruleset_count;
} gh_lint_options;

/*
 * Lints one file, or standard input when path is "-". A file the project config excludes is
 * not read: its result says so (gh_input_info.excluded) and holds no findings.
 */
int gh_lint_path(gh_engine *engine, const char *path, const gh_lint_options *options,
                 gh_result **out, gh_error *err);
void gh_result_free(gh_result *result);

/*
 * Lints text held in memory (an editor's unsaved buffer) as if it were the file at path, which
 * need not exist: the project config is looked for from path, and reports name it (or
 * options->display_name). The text is copied before this returns.
 */
int gh_lint_text(gh_engine *engine, const char *path, const char *text, size_t len,
                 const gh_lint_options *options, gh_result **out, gh_error *err);

/*
 * Files linted with options.joined, taken together as decK takes the state files it is given:
 * a reference one file could not resolve (HOP3001, or decK's HOP9005) that another file of the
 * same product resolves is no finding, and those left say the other files were searched too;
 * between files so linked, an id or name an earlier file declares is a repeat in the later
 * one (HOP3002). Then the
 * project's suppressions and baseline apply (they wait for this). Call once, when every file is
 * linted; the names the results kept for it go when each result is freed (results freed on
 * several threads free them in parallel). Returns 0, or < 0 when a file could not be read again
 * for its suppression comments (err says which).
 */
int gh_results_join(gh_result *const *results, size_t count, gh_error *err);

/*
 * Converting a file to a later release, hop by hop. The output goes to `out`: the user's text
 * with each rewrite made in place (GH_OUTPUT_PATCH: comments, order and layout kept), a
 * unified diff of that (GH_OUTPUT_DIFF), or the converted document re-emitted canonically
 * (GH_OUTPUT_YAML, GH_OUTPUT_JSON). Nothing is written when the file could not be read to its
 * end (a syntax error, a limit) or is not a config gatehop converts: *written says whether it
 * was. The result holds the changes (gh_result_change) and, as findings, what is left to do
 * by hand.
 */
typedef enum gh_output {
    GH_OUTPUT_PATCH,
    GH_OUTPUT_DIFF,
    GH_OUTPUT_YAML,
    GH_OUTPUT_JSON
} gh_output;

typedef struct gh_convert_options {
    gh_lint_options lint; /* from, to (required), flavours, display name, max findings */
    gh_output output;
} gh_convert_options;

int gh_convert_path(gh_engine *engine, const char *path, const gh_convert_options *options,
                    FILE *out, bool *written, gh_result **result, gh_error *err);

enum gh_change_kind {
    GH_CHANGE_VALUE,  /* a value became another */
    GH_CHANGE_KEY,    /* a key was renamed */
    GH_CHANGE_ADDED,  /* a missing key was added */
    GH_CHANGE_REMOVED /* a key and its value were removed */
};

typedef struct gh_change {
    const char *code; /* "HOP4004" */
    const char *hop;  /* "2.8 -> 3.0" */
    const char *file;
    unsigned line, column;
    const char *path;   /* JSON pointer */
    const char *entity; /* "route 'orders'", or "" */
    const char *field;
    /* quoted for display; secrets '<redacted>'; "(none)" before a key is added or after one
     * is removed */
    const char *old_value, *new_value;
    enum gh_change_kind kind;
} gh_change;

/* gh_convert_path() of text held in memory, taken as the file at path (gh_lint_text()). */
int gh_convert_text(gh_engine *engine, const char *path, const char *text, size_t len,
                    const gh_convert_options *options, FILE *out, bool *written, gh_result **result,
                    gh_error *err);

/* The changes a conversion made (0 for lint), in the order they were made. */
size_t gh_result_change_count(const gh_result *result);
void gh_result_change(const gh_result *result, size_t index, gh_change *out);
/*
 * The input's text with one change made (an editor's quick fix for one finding), written to
 * out; the result must come from a conversion. A change that migrates a file in an old format
 * (a Kong "2.1" file's regex paths, its _format_version) is made only with every other change
 * of that migration: one alone would have the gateway read the file differently (it would
 * migrate the paths again, or read regex paths as prefixes). *made counts the changes made.
 */
int gh_result_write_change(gh_result *result, size_t index, FILE *out, size_t *made, gh_error *err);

typedef struct gh_diagnostic {
    const char *code; /* "HOP2001" */
    const char *name; /* "unknown-field" */
    enum gh_severity severity;
    const char *message;
    const char *file;
    unsigned line, column, end_line, end_column; /* 1-based; columns count characters */
    const char *path;                            /* JSON pointer into the document */
    const char *entity;                          /* "route 'orders'", or "" */
} gh_diagnostic;

size_t gh_result_count(const gh_result *result);
void gh_result_get(const gh_result *result, size_t index, gh_diagnostic *out);
enum gh_severity gh_result_worst(const gh_result *result, bool *any);
/* The severity at which this file's findings fail a run (options, else project config). */
enum gh_severity gh_result_fail_on(const gh_result *result);
/* Findings taken out by "# gatehop: ignore" comments and the baseline. */
size_t gh_result_suppressed_count(const gh_result *result);
/* Findings of a severity, including those past --max-findings that were counted only. */
size_t gh_result_severity_count(const gh_result *result, enum gh_severity severity);

/* What was detected in the input and what was assumed. Strings are "" when unknown. */
typedef struct gh_input_info {
    const char *file;
    const char *product;        /* "kong" */
    const char *flavor;         /* "kong", "dbexport", "deck", "adc", "apisix" */
    const char *format_version; /* the file's own marker, e.g. "3.0" */
    const char *version;        /* the release checked against, e.g. "3.4" */
    const char *router_flavor;
    const char *edition; /* the product's edition checked ("enterprise"), or "" */
    bool edition_shown;  /* the edition is not the product's usual one: worth saying */
    const char *note;    /* one sentence: how the version was chosen */
    bool assumed;        /* the version was not given by the user */
    /* "a, b": plugins the file configures whose configuration gatehop cannot check yet */
    const char *unchecked_plugins;
    const char *config; /* the project config that applied, or "" */
    bool excluded;      /* the project config excludes the file: it was not read */
    bool unrecognized;  /* read to its end and no gateway configuration (HOP9002) */
} gh_input_info;

void gh_result_info(const gh_result *result, gh_input_info *out);

/* Reports: one writer per format, all given every result at once. */
enum gh_format {
    GH_FORMAT_TEXT,
    GH_FORMAT_JSON,
    GH_FORMAT_SARIF,      /* SARIF 2.1.0, for code scanning */
    GH_FORMAT_JUNIT,      /* JUnit XML: a test suite per file, a failing test case per finding */
    GH_FORMAT_GITHUB,     /* GitHub Actions workflow commands (::error file=...::message) */
    GH_FORMAT_CHECKSTYLE, /* checkstyle XML */
};

typedef struct gh_report_options {
    bool color;
    bool excerpts; /* text: the source line and a caret under each finding */
} gh_report_options;

int gh_format_from_name(const char *name, enum gh_format *out);
int gh_report_write(FILE *out, enum gh_format format, gh_result *const *results, size_t count,
                    const gh_report_options *options, gh_error *err);

/*
 * A baseline of accepted findings: every finding of the results (but HOP9003 and HOP9004),
 * by file, code and JSON pointer, written to path (files named relative to its directory).
 * Lint with it (gh_lint_options.baseline, or `baseline:` in the project config) and those
 * findings are suppressed; one that no longer occurs is reported as HOP9004. *written counts
 * the entries.
 */
int gh_baseline_write(const char *path, gh_result *const *results, size_t count, size_t *written,
                      gh_error *err);

/*
 * The input files of a run, from command-line arguments: a file as named; the *.yml, *.yaml
 * and *.json files under a directory (hidden entries skipped, in path order, links to
 * directories not followed); the files a glob matches ('*', '?', '[...]', and a "**" segment
 * for any depth), for a name that is no file. Each file is listed once.
 */
typedef struct gh_inputs gh_inputs;

gh_inputs *gh_inputs_new(void);
void gh_inputs_free(gh_inputs *inputs);
/* Adds the files arg names; *matched counts them, repeats included (0: a directory or glob
 * matched nothing). A directory that cannot be read is an error, after the rest was added. */
int gh_inputs_add(gh_inputs *inputs, const char *arg, size_t *matched, gh_error *err);
size_t gh_inputs_count(const gh_inputs *inputs);
const char *gh_inputs_path(const gh_inputs *inputs, size_t index);
/* Found by searching a directory or a glob, not named: such a file that turns out to be no
 * gateway configuration is better skipped than reported. */
bool gh_inputs_searched(const gh_inputs *inputs, size_t index);

/*
 * An upgrade plan: the hops from one release to a later one and, for each, the steps of the
 * deployment mode and the configuration changes gatehop checks on that hop.
 */
typedef struct gh_plan gh_plan;

typedef struct gh_plan_options {
    const char *from, *to; /* "api7@3.4", "3.8": the product must be named in one of them */
    const char *mode;      /* NULL: the product's default mode */
    const char *edition;   /* NULL: the product's default edition, for products that have them */
} gh_plan_options;

int gh_plan_new(gh_engine *engine, const gh_plan_options *options, gh_plan **out, gh_error *err);
void gh_plan_free(gh_plan *plan);
/* Text for people, JSON ({"version": 1, "plan": {...}}) for scripts. */
int gh_plan_write(FILE *out, enum gh_format format, const gh_plan *plan, gh_error *err);

/*
 * A Kong database's migrations (gatehop db status): which release they belong to, what an
 * earlier `kong migrations up` left for `finish`, and, for a target release, what its `up`
 * will run and what stands in the way (findings HOP46xx). The database is read in one
 * read-only transaction, or schema_meta is read from a CSV file psql wrote. The result is
 * named by the connection without its password; a connection that fails is GH_EIO with
 * libpq's reason, the password cut out.
 */
typedef struct gh_db_options {
    const char *pg;          /* a libpq connection string or postgres:// URL; NULL: PG* vars */
    const char *schema_meta; /* a CSV file of schema_meta instead of a connection, or NULL */
    const char *plugins;     /* with schema_meta: a CSV file of the plugins in use, or NULL */
    const char *to;          /* "kong@3.7", "3.7", or NULL: the database's own state only */
    const char *fail_on;     /* "error" (NULL), "warning" or "info" */
} gh_db_options;

int gh_db_status(gh_engine *engine, const gh_db_options *options, gh_result **out, gh_error *err);

/*
 * gatehop db export: the database's entities as `kong config db_export` writes them (flat
 * collections, every field, foreign keys as ids, _format_version and _transform: false), for
 * the release its migrations say (options->from names it where they do not), one workspace,
 * streamed to `out`: memory stays flat on a database of any size.
 */
typedef struct gh_db_export_options {
    gh_db_options db;      /* pg (or the PG* variables); schema_meta, to and fail_on unused */
    const char *from;      /* the database's release when its migrations do not say */
    const char *workspace; /* NULL: the default workspace */
    bool json;             /* JSON instead of YAML */
} gh_db_export_options;

typedef struct gh_db_export_info {
    char source[512];    /* the connection, without its password */
    char release[32];    /* the release exported for */
    char workspace[128]; /* "" when the database has no workspaces */
    size_t workspaces;   /* in the database */
    size_t entities, collections;
} gh_db_export_info;

int gh_db_export(gh_engine *engine, const gh_db_export_options *options, FILE *out,
                 gh_db_export_info *info, gh_error *err);

/*
 * Lints or converts the configuration a Kong database holds: exported as gh_db_export()
 * writes it (into a temporary file, removed after), then linted or converted as that export,
 * from the release the database's migrations say unless options give --from. The findings
 * have no line: the result's file is the connection without its password, and each finding
 * names its entity and its JSON pointer in the export. The project config is looked for
 * from the working directory.
 */
int gh_lint_pg(gh_engine *engine, const char *pg, const gh_lint_options *options, gh_result **out,
               gh_error *err);
int gh_convert_pg(gh_engine *engine, const char *pg, const gh_convert_options *options, FILE *out,
                  bool *written, gh_result **result, gh_error *err);

/* ---- Knowledge for editors: what a key is, which keys a mapping may hold ---- */

/*
 * A place in a document, as the steps from its top: `services`, then an item, then `routes`,
 * then an item, then `paths` is a route's paths. A step is a mapping's key, or an item of a
 * list (key NULL). The steps are read as the checker reads the document: top-level and nested
 * collections (Kong and decK nest routes in services and plugins in services, routes and
 * consumers; ADC nests routes in services), records in records, the items of lists, and plugin
 * configurations in both forms: Kong's list of entries (the item's step carries the plugin's
 * name, then the key `config`, then its keys) and APISIX's and ADC's mapping (the key is the
 * plugin's name: `plugins`, `limit-count`, then its keys).
 */
typedef struct gh_place_step {
    const char *key; /* the key; NULL for a list item */
    /* The item's (or the mapping value's) own `name` where it has one: how a plugin entry of a
     * list is known (Kong: plugins: [{name: rate-limiting, config: ...}]). NULL when none. An
     * item whose entity is told apart by another field gives that field's value here (APISIX
     * plugin_metadata: its `id`, the plugin it configures). */
    const char *name;
} gh_place_step;

typedef struct gh_field_info {
    char name[128];
    char type[32]; /* as the knowledge names it: string, integer, number, boolean, array, set, map,
                      record, ... */
    char default_json[256]; /* the default as JSON text; "" when none (cut if longer) */
    bool required;
    bool in_target; /* the release the result was checked against has this key */
    /* The releases that have it, for the file's input flavour, router flavour and edition: the
     * run of releases holding the target's, else the nearest one after it, else before it.
     * Both "" with in_target false: only another input flavour, router flavour or edition has
     * the key. */
    char since[32];       /* the release that added it, "" when every release known has it */
    char until[32];       /* the release that removed it, "" when none did */
    char deprecated[256]; /* the deprecation message, "" when not deprecated */
    char owner[96];       /* what holds it: "route", "service", "plugin rate-limiting's config" */
} gh_field_info;

/*
 * What the knowledge of the release `result` was checked against (product, version, edition,
 * input flavour and router flavour of gh_result_info) says of the key that place's last step
 * names (place[n - 1].key). Returns 1 and fills *out when the key is known (in the target, or
 * only in another release: then in_target is false and since/until say when it existed), 0
 * when not (an unknown key, a place gatehop does not know, a last step that is a list item, a
 * result that checked no gateway configuration), < 0 (GH_ENOMEM) when out of memory. A key of
 * a free-form mapping (a map's keys, an open record's undeclared keys) is not known, nor is
 * anything below a key the release does not have, nor a key only nesting sets (ADC's route
 * `service`), which the checker refuses written. Nothing is
 * kept: *out is the caller's. The engine the result came from must not have been freed (the
 * answers come from its knowledge); any number of threads may ask at once.
 */
int gh_result_describe(const gh_result *result, const gh_place_step *place, size_t n,
                       gh_field_info *out);

/*
 * The keys a mapping at `place` may hold in that release, in the order the knowledge lists
 * them (fields; then input-only shorthands; then the keys every entity or plugin configuration
 * takes; then nested collections): fn is called for each (in_target true); returns how many (0:
 * not a mapping gatehop knows). For a mapping of plugin configurations (APISIX's and ADC's
 * `plugins`) the keys are the plugin names of the release, sorted. The field passed to fn lives
 * only during the call. Same lifetime rules as gh_result_describe().
 */
typedef void (*gh_field_fn)(void *ctx, const gh_field_info *field);
size_t gh_result_keys(const gh_result *result, const gh_place_step *place, size_t n, gh_field_fn fn,
                      void *ctx);

/* The rule catalogue. */
typedef struct gh_rule {
    const char *code;
    const char *name;
    enum gh_severity severity; /* the default; a version may report another */
    const char *summary;
} gh_rule;

size_t gh_rule_count(void);
const gh_rule *gh_rule_at(size_t index);
const gh_rule *gh_rule_find(const char *code_or_name);
/* The rule's documentation page (Markdown), or NULL. */
const char *gh_rule_doc(const char *code);

/* Products and versions the engine knows. */
size_t gh_engine_product_count(const gh_engine *engine);
const char *gh_engine_product_name(const gh_engine *engine, size_t index);
size_t gh_engine_version_count(const gh_engine *engine, size_t product);
const char *gh_engine_version_at(const gh_engine *engine, size_t product, size_t index);

const char *gh_severity_name(enum gh_severity severity);
int gh_severity_from_name(const char *name, enum gh_severity *out);

#endif
