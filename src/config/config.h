/*
 * A project's settings: the .gatehop.yml that governs an input, and what it says for one file.
 *
 *   from: kong@2.8                 to: kong@3.4              fail-on: warning
 *   router-flavor: expressions     input-flavor: deck        custom-plugins: [my-auth]
 *   rules: {HOP1003: off, unknown-field: warning}            baseline: gatehop-baseline.json
 *   rulesets: [rules/team.yaml]
 *   exclude: [vendor, "*.tmpl.yaml"]
 *   overrides:
 *     - files: [legacy]
 *       from: kong@2.8
 *       rules: {HOP4002: info}
 *
 * (docs/config.md is the user's description.) The nearest file applies alone: it is looked
 * for in the input's directory and then upwards, as .editorconfig is, but files are not
 * merged. Globs (util_glob.h) are matched against the path from the file's own directory, and
 * a glob that matches a directory takes in everything below it; a glob without a '/' is
 * matched against each name on the path ("legacy" takes in a/legacy/x.yml). The top level
 * applies to every
 * file, then each override whose globs match, in order, a later one winning.
 *
 * Invariants: the loader fails closed: an unknown key, rule, severity or flavour is an error
 * at its line and column, and nothing is half-loaded. A loaded config is never changed, so
 * threads share it; the cache that finds and loads them holds a lock.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "config/config_baseline.h"
#include "diag/diag.h"
#include "util/util_arena.h"
#include "util/util_strmap.h"

/* What the file settles for one input; NULL (or -1) where it says nothing. */
struct config_settings {
    const char *from, *to, *router_flavor, *input_flavor, *edition, *placeholders;
    int fail_on; /* a gh_severity, or -1 */
    rule_policy rules;
    /* organisation rulesets (absolute paths); an override's list replaces the top level's */
    const char **rulesets;
    size_t nrulesets;
};

struct config_section {
    const char **files; /* the override's globs; none at the top level */
    size_t nfiles;
    struct config_settings settings;
};

struct config {
    char *path; /* absolute */
    char *dir;
    struct arena arena;
    struct config_section top;
    struct config_section *overrides; /* in the file's order */
    size_t noverrides;
    const char **exclude;
    size_t nexclude;
    const char **custom_plugins;
    size_t ncustom_plugins;
    const char *baseline; /* absolute, or NULL */
};

int config_load(const char *path, struct config **out, gh_error *err);
void config_free(struct config *c);
/* For an absolute, normalised path (util_fspath.h). */
void config_settings_for(const struct config *c, const char *abs_path, struct config_settings *out);
bool config_excludes(const struct config *c, const char *abs_path);

/* The configs and baselines of a run, each loaded once, and which directory each config
 * governs. */
struct config_cache {
    pthread_mutex_t lock;
    struct strmap dirs; /* directory -> index in configs + 1, or 0: none governs it */
    struct config **configs;
    size_t count, cap;
    struct baseline **baselines;
    size_t nbaselines;
};

void config_cache_init(struct config_cache *cache);
void config_cache_release(struct config_cache *cache);
/* The config nearest to an absolute path's directory, or NULL when there is none. */
int config_cache_find(struct config_cache *cache, const char *abs_path, const struct config **out,
                      gh_error *err);
/* A config named by the user (--config). */
int config_cache_load(struct config_cache *cache, const char *path, const struct config **out,
                      gh_error *err);
/* A baseline, by path. */
int config_cache_baseline(struct config_cache *cache, const char *path, const struct baseline **out,
                          gh_error *err);

#endif
