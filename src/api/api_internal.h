/*
 * What the API's files (api.c, api_project.c) share: the engine and the result behind the
 * opaque handles of gatehop.h.
 */
#ifndef API_INTERNAL_H
#define API_INTERNAL_H

#include "check/check.h"
#include "config/config.h"
#include "diag/diag.h"
#include "gatehop.h"
#include "rewrite/rewrite.h"
#include "source/source.h"

struct ruleset_cache;

struct gh_engine {
    struct kb *kb;
    struct config_cache projects;   /* .gatehop.yml files and baselines, loaded once */
    struct ruleset_cache *rulesets; /* organisation rulesets, loaded once (api_ruleset.c) */
};

struct gh_result {
    char *file;
    struct source src;
    bool src_open;
    struct diag_sink sink;
    struct check_info info;
    struct rw_log log;
    bool converted; /* log holds a conversion's changes */
    rule_policy policy;
    enum gh_severity fail_on;
    char *config; /* the project config's path, or NULL */
    bool excluded, unrecognized;
    struct lenient_plan *lenient; /* the file is read with these spaces (check_options) */
    struct across_file across;    /* gh_lint_options.joined: names and references kept */
    /* gh_lint_options.joined: the suppressions wait for gh_results_join(), which may add
     * findings (a repeat across files) or take some back. */
    struct {
        bool pending;
        const struct baseline *baseline;
        char *baseline_key;
    } suppress;
    /* gh_lint_text(), gh_convert_text(): the input's bytes, borrowed while the call runs (the
     * source keeps its own copy, which later passes and reports read). */
    struct {
        const char *bytes;
        size_t len;
        bool given;
    } text;
};

/* Opens the result's input: the text the caller gave, else the file at path. */
int result_open_source(gh_result *r, const char *path, gh_error *err);

/*
 * The options a file is checked with: the caller's, with what the project config says for
 * this file filled in where the caller said nothing.
 */
struct project_view {
    gh_lint_options lint;
    const char **plugins;  /* the caller's custom plugins and the config's */
    const char **rulesets; /* the caller's rulesets and the config's */
    const struct config *config;
    const struct baseline *baseline;
    char *baseline_key; /* the file as the baseline names it */
    bool excluded;
    bool from_config, to_config; /* the source or target release came from the config */
};

/* "kong@3.4" or "3.4" (*product left as it was): GH_EUSAGE or GH_EVERSION naming the option. */
int parse_product_version(const gh_engine *engine, const char *text, const char *option,
                          const char **product, struct version *v, gh_error *err);
/* "3.4" of "kong@3.4" or "3.4" (NULL stays NULL). */
const char *version_part(const char *text);
/* A result with no findings yet, named display, its findings capped by o->max_findings. */
int result_new(const gh_lint_options *o, const char *display, gh_result **out, gh_error *err);

/* kong.conf and environment files (api_kongconf.c): which kind a path is, by --input-flavor
 * (kong.conf, env) or by name (*.conf; .env, *.env), and its lint. */
enum kconf_kind { KCONF_NONE, KCONF_CONF, KCONF_ENV };
enum kconf_kind kconf_kind_of(const char *path, const char *input_flavor);
int lint_kong_conf(const char *path, enum kconf_kind kind, const struct check_options *co,
                   gh_result *r, gh_error *err);
/* convert: the text with renamed properties renamed for co->to; what is left, as findings. */
int convert_kong_conf(const char *path, enum kconf_kind kind, const struct check_options *co,
                      gh_result *r, FILE *out, bool *written, gh_error *err);

/* Finds the file's config and baseline and fills view and r's policy, fail_on and config. */
int project_view_for(gh_engine *engine, const char *path, const gh_lint_options *o, gh_result *r,
                     struct project_view *view, gh_error *err);
void project_view_release(struct project_view *view);
/* An error about --from or --to whose value the config gave says so, with the config's name. */
void project_blame(const struct project_view *view, gh_error *err);
/* After the check: inline comments and the baseline take their findings out. */
int project_suppress(gh_result *r, const struct project_view *view, gh_error *err);

/* Organisation rulesets (api_ruleset.c): the engine's cache, and the run over one linted
 * file's whole tree after gatehop's own checks (nothing when o names none). */
int api_rulesets_init(gh_engine *e);
void api_rulesets_release(gh_engine *e);
int api_rulesets_run(gh_engine *e, const gh_lint_options *o, gh_result *r, gh_error *err);

#endif
