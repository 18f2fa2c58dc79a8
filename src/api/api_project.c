/*
 * The project around a file: its .gatehop.yml, its baseline, its suppression comments, and
 * the input files command-line arguments name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_internal.h"
#include "config/config_suppress.h"
#include "source/source_find.h"
#include "util/util_error.h"
#include "util/util_fspath.h"
#include "util/util_str.h"

/* The input as the config and the baseline place it: standard input by its display name. */
static char *absolute_name(const char *path, const char *display)
{
    return fspath_absolute(strcmp(path, "-") != 0 ? path : display);
}

/* A path as reports show it: from the working directory, as the user's own paths are. */
static char *shown_path(const char *abs)
{
    char *cwd = fspath_absolute(".");
    char *shown = cwd ? fspath_relative(cwd, abs) : NULL;
    free(cwd);
    return shown;
}

static int find_config(gh_engine *e, const gh_lint_options *o, const char *abs,
                       const struct config **out, gh_error *err)
{
    *out = NULL;
    if (o->config && !*o->config)
        return 0;
    return o->config ? config_cache_load(&e->projects, o->config, out, err)
                     : config_cache_find(&e->projects, abs, out, err);
}

/* mine, then theirs, in a new list (*out, the caller's to free); nothing when theirs is empty. */
static int append_lists(const char *const *mine, size_t nmine, const char *const *theirs,
                        size_t ntheirs, const char ***out, size_t *count, gh_error *err)
{
    if (!ntheirs)
        return 0;
    const char **all = malloc((nmine + ntheirs) * sizeof(*all));
    if (!all)
        return error_set(err, GH_ENOMEM, "out of memory");
    if (nmine)
        memcpy(all, mine, nmine * sizeof(*all));
    memcpy(all + nmine, theirs, ntheirs * sizeof(*all));
    *out = all;
    *count = nmine + ntheirs;
    return 0;
}

/* The caller's custom plugins, then the config's; the caller's rulesets, then the config's for
 * this file. */
static int merge_lists(const gh_lint_options *o, const struct config *c,
                       const struct config_settings *s, struct project_view *v, gh_error *err)
{
    int rc =
        append_lists(o->custom_plugins, o->custom_plugin_count, c ? c->custom_plugins : NULL,
                     c ? c->ncustom_plugins : 0, &v->plugins, &v->lint.custom_plugin_count, err);
    if (rc == 0 && v->plugins)
        v->lint.custom_plugins = v->plugins;
    if (rc == 0)
        rc = append_lists(o->rulesets, o->ruleset_count, s->rulesets, s->nrulesets, &v->rulesets,
                          &v->lint.ruleset_count, err);
    if (rc == 0 && v->rulesets)
        v->lint.rulesets = v->rulesets;
    return rc;
}

/* Options first, then the config, for each setting the config may give. */
static int apply_settings(const gh_lint_options *o, const struct config_settings *s,
                          struct project_view *v, gh_result *r, gh_error *err)
{
    const char **mine[] = {&v->lint.from,         &v->lint.to,      &v->lint.router_flavor,
                           &v->lint.input_flavor, &v->lint.edition, &v->lint.placeholders};
    const char *const theirs[] = {s->from,         s->to,      s->router_flavor,
                                  s->input_flavor, s->edition, s->placeholders};
    v->from_config = !o->from && s->from;
    v->to_config = !o->to && s->to;
    for (size_t i = 0; i < sizeof(theirs) / sizeof(theirs[0]); i++)
        if (!*mine[i])
            *mine[i] = theirs[i];
    memcpy(r->policy, s->rules, sizeof(r->policy));
    r->fail_on = s->fail_on >= 0 ? (enum gh_severity)s->fail_on : GH_ERROR;
    if (o->fail_on && gh_severity_from_name(o->fail_on, &r->fail_on) < 0)
        return error_set(err, GH_EUSAGE, "fail-on takes error, warning or info, not '%s'",
                         o->fail_on);
    return 0;
}

static int find_baseline(gh_engine *e, const gh_lint_options *o, const char *abs,
                         struct project_view *v, gh_error *err)
{
    const char *path = o->baseline ? o->baseline : v->config ? v->config->baseline : NULL;
    if (!path || !*path)
        return 0;
    int rc = config_cache_baseline(&e->projects, path, &v->baseline, err);
    if (rc == 0 && !(v->baseline_key = fspath_relative(v->baseline->dir, abs)))
        rc = error_set(err, GH_ENOMEM, "out of memory");
    return rc;
}

int project_view_for(gh_engine *engine, const char *path, const gh_lint_options *o, gh_result *r,
                     struct project_view *v, gh_error *err)
{
    memset(v, 0, sizeof(*v));
    v->lint = *o;
    char *abs = absolute_name(o->place_as ? o->place_as : path, r->file);
    if (!abs)
        return error_set(err, GH_ENOMEM, "out of memory");
    struct config_settings s = {.fail_on = -1};
    memset(s.rules, RULE_KEEP, sizeof(s.rules));
    int rc = find_config(engine, o, abs, &v->config, err);
    if (rc == 0 && v->config) {
        config_settings_for(v->config, abs, &s);
        v->excluded = config_excludes(v->config, abs);
        if (!(r->config = shown_path(v->config->path)))
            rc = error_set(err, GH_ENOMEM, "out of memory");
    }
    if (rc == 0)
        rc = apply_settings(o, &s, v, r, err);
    if (rc == 0)
        rc = merge_lists(o, v->config, &s, v, err);
    if (rc == 0)
        rc = find_baseline(engine, o, abs, v, err);
    free(abs);
    return rc;
}

void project_view_release(struct project_view *v)
{
    free(v->plugins);
    free(v->rulesets);
    free(v->baseline_key);
    memset(v, 0, sizeof(*v));
}

void project_blame(const struct project_view *v, gh_error *err)
{
    const char *key = v->from_config && strstr(err->message, "--from") ? "from"
                      : v->to_config && strstr(err->message, "--to")   ? "to"
                                                                       : NULL;
    if (!key || !v->config)
        return;
    size_t used = strlen(err->message);
    snprintf(err->message + used, sizeof(err->message) - used, " (the value is '%s:' of %s)", key,
             v->config->path);
}

static const char *file_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

int project_suppress(gh_result *r, const struct project_view *v, gh_error *err)
{
    size_t n = 0;
    const struct baseline_entry *entries =
        v->baseline ? baseline_for_file(v->baseline, v->baseline_key, &n) : NULL;
    struct suppress_input in = {&r->src, !str_ends_with(r->file, ".json"), entries, n,
                                v->baseline ? file_name(v->baseline->path) : ""};
    if (suppress_findings(&r->sink, &in) < 0)
        return error_set(err, GH_EIO, "cannot read '%s' again for its suppression comments",
                         r->file);
    return 0;
}

/* ---- baselines ------------------------------------------------------------------------------ */

/* Every finding worth keeping in a baseline, keyed from the baseline's directory. */
static int collect_entries(const char *dir, gh_result *const *results, size_t count,
                           struct baseline_entry **out, size_t *n, char ***keys, gh_error *err)
{
    size_t total = 0;
    for (size_t i = 0; i < count; i++)
        total += results[i]->sink.count;
    *out = calloc(total + 1, sizeof(**out));
    *keys = calloc(count + 1, sizeof(**keys));
    if (!*out || !*keys)
        return error_set(err, GH_ENOMEM, "out of memory");
    *n = 0;
    for (size_t i = 0; i < count; i++) {
        const gh_result *r = results[i];
        char *abs = absolute_name(r->file, r->file);
        (*keys)[i] = abs ? fspath_relative(dir, abs) : NULL;
        free(abs);
        if (!(*keys)[i])
            return error_set(err, GH_ENOMEM, "out of memory");
        for (size_t j = 0; j < r->sink.count; j++) {
            const struct diag *d = &r->sink.items[j];
            if (d->rule != R_HOP9003 && d->rule != R_HOP9004)
                (*out)[(*n)++] = (struct baseline_entry){(*keys)[i], diag_rule(d)->code, d->path};
        }
    }
    return 0;
}

/* Written beside the target and renamed over it, so a failed write leaves the old file. */
static int write_file(const char *path, struct baseline_entry *entries, size_t n, gh_error *err)
{
    size_t len = strlen(path);
    char *tmp = malloc(len + 16);
    if (!tmp)
        return error_set(err, GH_ENOMEM, "out of memory");
    snprintf(tmp, len + 16, "%s.tmp", path);
    FILE *out = fopen(tmp, "w");
    int rc = out ? 0 : error_set(err, GH_EIO, "cannot write '%s'", tmp);
    if (out) {
        bool ok = baseline_write(out, entries, n) == 0;
        if (fclose(out) != 0 || !ok || rename(tmp, path) != 0) {
            remove(tmp);
            rc = error_set(err, GH_EIO, "cannot write '%s'", path);
        }
    }
    free(tmp);
    return rc;
}

int gh_baseline_write(const char *path, gh_result *const *results, size_t count, size_t *written,
                      gh_error *err)
{
    char *abs = fspath_absolute(path);
    char *dir = abs ? fspath_parent(abs) : NULL;
    struct baseline_entry *entries = NULL;
    char **keys = NULL;
    size_t n = 0;
    int rc = dir ? collect_entries(dir, results, count, &entries, &n, &keys, err)
                 : error_set(err, GH_ENOMEM, "out of memory");
    if (rc == 0)
        rc = write_file(path, entries, n, err);
    *written = rc == 0 ? n : 0;
    for (size_t i = 0; keys && i < count; i++)
        free(keys[i]);
    free(keys);
    free(entries);
    free(dir);
    free(abs);
    return rc;
}

/* ---- inputs ------------------------------------------------------------------------------ */

struct gh_inputs {
    struct found_files found;
};

gh_inputs *gh_inputs_new(void)
{
    gh_inputs *in = malloc(sizeof(*in));
    if (in)
        found_files_init(&in->found);
    return in;
}

void gh_inputs_free(gh_inputs *inputs)
{
    if (!inputs)
        return;
    found_files_release(&inputs->found);
    free(inputs);
}

int gh_inputs_add(gh_inputs *inputs, const char *arg, size_t *matched, gh_error *err)
{
    return found_files_add(&inputs->found, arg, matched, err);
}

size_t gh_inputs_count(const gh_inputs *inputs)
{
    return inputs->found.count;
}

const char *gh_inputs_path(const gh_inputs *inputs, size_t index)
{
    return inputs->found.items[index].path;
}

bool gh_inputs_searched(const gh_inputs *inputs, size_t index)
{
    return inputs->found.items[index].searched;
}
