/*
 * The public API (gatehop.h) over the layers below: the only file the CLI's calls land in.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api_internal.h"
#include "emit/emit.h"
#include "report/report.h"
#include "schema/schema.h"
#include "util/util_embed.h"
#include "util/util_error.h"
#include "util/util_str.h"

gh_engine *gh_engine_new(const char *schema_dir, gh_error *err)
{
    gh_engine *e = calloc(1, sizeof(*e));
    if (!e) {
        error_set(err, GH_ENOMEM, "out of memory");
        return NULL;
    }
    if (kb_new(schema_dir, &e->kb, err) < 0) {
        free(e);
        return NULL;
    }
    config_cache_init(&e->projects);
    if (api_rulesets_init(e) < 0) {
        gh_engine_free(e);
        error_set(err, GH_ENOMEM, "out of memory");
        return NULL;
    }
    return e;
}

void gh_engine_forget_files(gh_engine *engine)
{
    config_cache_release(&engine->projects);
    config_cache_init(&engine->projects);
    api_rulesets_release(engine);
    api_rulesets_init(engine); /* out of memory: no rulesets run, each lint says so */
}

void gh_engine_free(gh_engine *engine)
{
    if (!engine)
        return;
    kb_free(engine->kb);
    config_cache_release(&engine->projects);
    api_rulesets_release(engine);
    free(engine);
}

/* "kong@3.4" or "3.4"; a product part must be one the engine knows. */
int parse_product_version(const gh_engine *engine, const char *text, const char *option,
                          const char **product, struct version *v, gh_error *err)
{
    const char *at = strchr(text, '@');
    const char *version = text;
    if (at) {
        char name[32];
        size_t n = (size_t)(at - text);
        if (n == 0 || n >= sizeof(name))
            return error_set(err, GH_EUSAGE, "%s '%s': expected PRODUCT@VERSION", option, text);
        memcpy(name, text, n);
        name[n] = '\0';
        const struct kb_product *p = kb_product_find(engine->kb, name);
        if (!p)
            return error_set(err, GH_EVERSION, "%s '%s': unknown product '%s'", option, text, name);
        *product = kb_product_name(p);
        version = at + 1;
    }
    if (!version_parse(version, strlen(version), v))
        return error_set(err, GH_EUSAGE, "%s '%s': '%s' is not a version such as 3.4", option, text,
                         version);
    return 0;
}

static int check_options_from(const gh_engine *engine, const gh_lint_options *o,
                              const char *display, struct check_options *co, gh_error *err)
{
    memset(co, 0, sizeof(*co));
    reader_limits_default(&co->limits);
    int rc;
    if (o->from &&
        (rc = parse_product_version(engine, o->from, "--from", &co->product, &co->from, err)) < 0)
        return rc;
    if (o->to &&
        (rc = parse_product_version(engine, o->to, "--to", &co->product, &co->to, err)) < 0)
        return rc;
    co->input_flavor = o->input_flavor;
    co->router_flavor = o->router_flavor;
    co->edition = o->edition;
    if (o->placeholders && !placeholder_kind_from_name(o->placeholders, &co->placeholders))
        return error_set(err, GH_EUSAGE, "--placeholders takes envsubst, deck or none, not '%s'",
                         o->placeholders);
    co->placeholders_given = o->placeholders != NULL;
    co->custom_plugins = o->custom_plugins;
    co->custom_plugin_count = o->custom_plugin_count;
    co->json_strict = str_ends_with(display, ".json");
    co->strict = o->strict;
    return 0;
}

void gh_result_free(gh_result *r)
{
    if (!r)
        return;
    if (r->src_open)
        source_close(&r->src);
    diag_sink_release(&r->sink);
    rw_log_release(&r->log);
    across_release(&r->across);
    free(r->suppress.baseline_key);
    lenient_plan_free(r->lenient);
    lenient_plan_free(r->info.lenient_found);
    free(r->file);
    free(r->config);
    free(r);
}

/* gh_lint_text(), gh_convert_text(): the bytes that stand for the file. */
struct input_text {
    const char *bytes;
    size_t len;
};

static const char *display_name(const gh_lint_options *o, const char *path)
{
    return o->display_name ? o->display_name : strcmp(path, "-") == 0 ? "<stdin>" : path;
}

int result_new(const gh_lint_options *o, const char *display, gh_result **out, gh_error *err)
{
    gh_result *r = calloc(1, sizeof(*r));
    if (!r)
        return error_set(err, GH_ENOMEM, "out of memory");
    diag_sink_init(&r->sink, o->max_findings);
    r->sink.policy = r->policy;
    memset(r->policy, RULE_KEEP, sizeof(r->policy));
    rw_log_init(&r->log);
    across_init(&r->across);
    r->file = malloc(strlen(display) + 1);
    if (!r->file) {
        gh_result_free(r);
        return error_set(err, GH_ENOMEM, "out of memory");
    }
    strcpy(r->file, display);
    *out = r;
    return 0;
}

static bool has_finding(const gh_result *r, enum rule_id rule)
{
    for (size_t i = 0; i < r->sink.count; i++)
        if (r->sink.items[i].rule == rule)
            return true;
    return false;
}

/* Something a second pass over a file must start over first (the converted output). */
struct check_restart {
    int (*fn)(struct check_restart *self, gh_error *err);
};

int result_open_source(gh_result *r, const char *path, gh_error *err)
{
    if (r->text.given)
        return source_open_text(&r->src, r->text.bytes, r->text.len, r->file, err);
    return source_open(&r->src, path, r->file, err);
}

/* One pass over the file: read and checked (again from its first byte, on a second pass). */
static int check_pass(gh_engine *engine, const char *path, gh_result *r,
                      const struct check_options *co, gh_error *err)
{
    int rc = r->src_open ? source_rewind(&r->src, err) : result_open_source(r, path, err);
    if (rc == 0) {
        r->src_open = true;
        rc = check_file(engine->kb, &r->src, co, &r->sink, &r->info, err);
        source_done_reading(&r->src);
    }
    return rc;
}

/* Passes after the first: one per release or setting inferred (run_check). */
enum { MAX_RECHECKS = 4 };

/* What earlier passes inferred, kept while the file is checked again (the options point here). */
struct inferred {
    char version[sizeof(((struct check_info *)0)->inferred)];
    char settings[sizeof(((struct check_info *)0)->settings_inferred)];
    char edition[sizeof(((struct check_info *)0)->recheck_edition)];
    char router[sizeof(((struct check_info *)0)->recheck_router_flavor)];
    char flavor[sizeof(((struct check_info *)0)->recheck_input_flavor)];
};

/* What a pass found is dropped before the file is checked again. */
static void result_clear(gh_result *r)
{
    size_t max = r->sink.max;
    diag_sink_release(&r->sink);
    diag_sink_init(&r->sink, max);
    r->sink.policy = r->policy;
    rw_log_release(&r->log);
    rw_log_init(&r->log);
}

/*
 * libyaml refused the file, and it reads with a space after the ':' of quoted keys written
 * without one, as tinyyaml (APISIX 2.15 to 3.9) reads them: it is checked again so read, and
 * the checks say which releases refuse it. Otherwise the first pass's refusal stands.
 */
static int check_lenient(gh_engine *engine, const char *path, gh_result *r,
                         struct check_options *co, struct check_restart *restart, gh_error *err)
{
    r->lenient = r->info.lenient_found;
    r->info.lenient_found = NULL;
    co->lenient = r->lenient;
    int rc = restart ? restart->fn(restart, err) : 0;
    if (rc == 0) {
        result_clear(r);
        rc = check_pass(engine, path, r, co, err);
    }
    return rc;
}

/*
 * The pass found the file uses what only a later release has than the one assumed, or what
 * only another edition or router flavour has: it is checked again as written for that
 * release, edition or flavour. What the pass found is dropped; what earlier passes inferred
 * stays in *keep (a release inferred first may show the flavour next).
 */
static int check_inferred(gh_engine *engine, const char *path, gh_result *r,
                          struct check_options *co, struct inferred *keep, gh_error *err)
{
    result_clear(r);
    const struct check_info *info = &r->info;
    if (version_is_set(&info->recheck_from)) {
        memcpy(keep->version, info->inferred, sizeof(keep->version));
        co->from = info->recheck_from;
        co->inferred = keep->version;
    }
    if (info->recheck_edition[0])
        co->edition = memcpy(keep->edition, info->recheck_edition, sizeof(keep->edition));
    if (info->recheck_router_flavor[0])
        co->router_flavor = memcpy(keep->router, info->recheck_router_flavor, sizeof(keep->router));
    if (info->recheck_input_flavor[0])
        co->input_flavor = memcpy(keep->flavor, info->recheck_input_flavor, sizeof(keep->flavor));
    if (info->recheck_envsubst) {
        co->placeholders = PLACEHOLDERS_ENVSUBST;
        co->placeholders_given = true;
    }
    if (info->settings_inferred[0]) {
        size_t used = strlen(keep->settings);
        snprintf(keep->settings + used, sizeof(keep->settings) - used, "%s%s", used ? "; " : "",
                 info->settings_inferred);
        co->settings_inferred = keep->settings;
    }
    return check_pass(engine, path, r, co, err);
}

/* The suppressions, kept for gh_results_join() to apply once the files are joined. */
static int defer_suppression(gh_result *r, const struct project_view *view, gh_error *err)
{
    r->suppress.pending = true;
    r->suppress.baseline = view->baseline;
    if (view->baseline_key && !(r->suppress.baseline_key = strdup(view->baseline_key)))
        return error_set(err, GH_ENOMEM, "out of memory");
    return 0;
}

/* Reads and checks the file, then lets suppressions take their findings out; the findings are
 * sorted when it returns 0. */
static int run_check(gh_engine *engine, const char *path, gh_result *r, struct check_options *co,
                     const struct project_view *view, struct check_restart *restart, gh_error *err)
{
    int rc = check_pass(engine, path, r, co, err);
    if (rc == 0 && r->info.lenient_found)
        rc = check_lenient(engine, path, r, co, restart, err);
    /* Again while a pass infers something new: each pass either moves the release later or
     * settles a setting (edition, router flavour, input flavour) not settled before, so a few
     * passes suffice. Checked as Enterprise, a consumer group's plugins show their release (a
     * redis record: 3.6); a 2.1 file with an expression route shows 3.0, then the expressions
     * flavour, then (its other routes keep `paths`) 3.7. */
    struct check_options saved = *co;
    struct inferred keep = {0};
    for (int pass = 0; pass < MAX_RECHECKS && rc == 0 && r->info.recheck; pass++)
        if (!restart || (rc = restart->fn(restart, err)) == 0)
            rc = check_inferred(engine, path, r, co, &keep, err);
    *co = saved;
    if (rc == 0)
        rc = api_rulesets_run(engine, &view->lint, r, err);
    if (rc == 0) {
        diag_finish(&r->sink);
        diag_sort(&r->sink);
        r->unrecognized = r->info.unrecognized && !has_finding(r, R_HOP1001);
        rc = co->across ? defer_suppression(r, view, err) : project_suppress(r, view, err);
    }
    return rc;
}

/*
 * An empty result for a file about to be linted or converted, the options it is checked with
 * (the caller's and its project config's), and the check's options made from them.
 */
static int prepare(gh_engine *engine, const char *path, const struct input_text *text,
                   const gh_lint_options *o, struct project_view *view, struct check_options *co,
                   gh_result **r, gh_error *err)
{
    const char *display = display_name(o, path);
    int rc = result_new(o, display, r, err);
    if (rc == 0 && text)
        (*r)->text.bytes = text->bytes, (*r)->text.len = text->len, (*r)->text.given = true;
    if (rc == 0)
        rc = project_view_for(engine, path, o, *r, view, err);
    if (rc == 0 && (rc = check_options_from(engine, &view->lint, display, co, err)) < 0)
        project_blame(view, err);
    if (rc < 0) {
        gh_result_free(*r);
        *r = NULL;
        project_view_release(view);
    }
    return rc;
}

/* Lints the file at path, or the text given as that file. */
static int lint_input(gh_engine *engine, const char *path, const struct input_text *text,
                      const gh_lint_options *options, gh_result **out, gh_error *err)
{
    static const gh_lint_options defaults = {0};
    const gh_lint_options *o = options ? options : &defaults;
    *out = NULL;
    struct check_options co;
    struct project_view view;
    gh_result *r;
    int rc = prepare(engine, path, text, o, &view, &co, &r, err);
    if (rc < 0)
        return rc;
    r->excluded = view.excluded;
    if (o->joined)
        co.across = &r->across;
    enum kconf_kind kconf = kconf_kind_of(path, view.lint.input_flavor);
    if (!r->excluded && kconf != KCONF_NONE) {
        if ((rc = lint_kong_conf(path, kconf, &co, r, err)) == 0)
            rc = project_suppress(r, &view, err);
        if (rc < 0) {
            gh_result_free(r);
            r = NULL;
        }
    } else if (!r->excluded && (rc = run_check(engine, path, r, &co, &view, NULL, err)) < 0) {
        project_blame(&view, err);
        gh_result_free(r);
        r = NULL;
    }
    project_view_release(&view);
    if (r)
        r->text.given = false; /* the caller's bytes may go now: the source has its copy */
    *out = r;
    return rc;
}

int gh_lint_path(gh_engine *engine, const char *path, const gh_lint_options *options,
                 gh_result **out, gh_error *err)
{
    return lint_input(engine, path, NULL, options, out, err);
}

int gh_lint_text(gh_engine *engine, const char *path, const char *text, size_t len,
                 const gh_lint_options *options, gh_result **out, gh_error *err)
{
    struct input_text t = {text, len};
    return lint_input(engine, path, &t, options, out, err);
}

/* The suppressions deferred for the join, now that the findings are final. */
static int apply_deferred_suppression(gh_result *r, gh_error *err)
{
    if (!r->suppress.pending)
        return 0;
    r->suppress.pending = false;
    diag_sort(&r->sink); /* the join may have added findings */
    struct project_view view = {.baseline = r->suppress.baseline,
                                .baseline_key = r->suppress.baseline_key};
    return project_suppress(r, &view, err);
}

int gh_results_join(gh_result *const *results, size_t count, gh_error *err)
{
    struct across_file **files = calloc(count ? count : 1, sizeof(*files));
    struct diag_sink **sinks = calloc(count ? count : 1, sizeof(*sinks));
    const char **names = calloc(count ? count : 1, sizeof(*names));
    if (files && sinks && names) {
        for (size_t i = 0; i < count; i++) {
            files[i] = results[i] ? &results[i]->across : NULL;
            sinks[i] = results[i] ? &results[i]->sink : NULL;
            names[i] = results[i] ? results[i]->file : "";
        }
        across_join(files, sinks, names, count);
    } /* else the files stand alone: each keeps its own findings */
    free(files);
    free(sinks);
    free(names);
    int rc = 0;
    for (size_t i = 0; i < count; i++) {
        gh_error mine = {0};
        if (results[i] && apply_deferred_suppression(results[i], &mine) < 0 && rc == 0) {
            *err = mine; /* the first failure is said; every other file is still done */
            rc = mine.status < 0 ? mine.status : GH_EIO;
        }
    }
    return rc;
}

/* Copies what the canonical writer spooled to out, once the whole file was read. */
static int copy_spool(FILE *spool, FILE *out, gh_error *err)
{
    char data[65536];
    size_t n;
    rewind(spool);
    while ((n = fread(data, 1, sizeof(data), spool)) > 0)
        if (fwrite(data, 1, n, out) != n)
            return error_set(err, GH_EIO, "cannot write the output");
    return ferror(spool) ? error_set(err, GH_EIO, "cannot write the output") : 0;
}

static int write_converted(gh_result *r, gh_output output, FILE *spool, FILE *out, gh_error *err)
{
    if (output == GH_OUTPUT_YAML || output == GH_OUTPUT_JSON)
        return copy_spool(spool, out, err);
    int rc = emit_prepare(&r->log, err);
    if (rc == 0)
        rc = output == GH_OUTPUT_DIFF ? emit_diff(out, &r->src, &r->log, r->file, err)
                                      : emit_patched(out, &r->src, &r->log, err);
    return rc;
}

/* Canonical output spooled while the file streams past: started over for a second pass. */
struct canon_spool {
    struct check_restart restart;
    struct emit_canon canon;
    FILE *file;
    bool json;
};

static int canon_spool_start(struct canon_spool *c, gh_error *err)
{
    if (c->file)
        fclose(c->file);
    if (!(c->file = tmpfile()))
        return error_set(err, GH_EIO, "cannot create a temporary file");
    emit_canon_init(&c->canon, c->file, c->json);
    return 0;
}

static int canon_spool_restart(struct check_restart *restart, gh_error *err)
{
    return canon_spool_start((struct canon_spool *)restart, err);
}

/*
 * A decK template with double quotes in a double-quoted string was read with single quotes
 * (reader_lenient.h): converted, it could be written back so, which decK no longer renders.
 */
static int refuse_template_quotes(const gh_result *r, gh_error *err)
{
    if (!r->lenient || !r->lenient->nquotes)
        return 0;
    const struct lenient_quote *q = &r->lenient->quotes[0];
    return error_set(err, GH_EIO,
                     "%s:%u:%u: cannot convert: a decK template with double quotes stands in a "
                     "double-quoted string; decK renders it before it reads the YAML, and gatehop "
                     "could not write it back as it is; quote the string with single quotes, or "
                     "write the template's argument in backquotes (${{ env `DECK_X` }})",
                     r->file, q->line, q->column);
}

/* Converts the file at path, or the text given as that file. */
static int convert_input(gh_engine *engine, const char *path, const struct input_text *text,
                         const gh_convert_options *options, FILE *out, bool *written,
                         gh_result **result, gh_error *err)
{
    *result = NULL;
    *written = false;
    struct check_options co;
    struct project_view view;
    gh_result *r;
    int rc = prepare(engine, path, text, &options->lint, &view, &co, &r, err);
    if (rc < 0)
        return rc;
    if (!view.lint.to)
        rc = error_set(err, GH_EUSAGE, "convert needs --to, the release to convert to");
    enum kconf_kind kconf = kconf_kind_of(path, view.lint.input_flavor);
    if (rc == 0 && kconf != KCONF_NONE) {
        rc = convert_kong_conf(path, kconf, &co, r, out, written, err);
        project_view_release(&view);
        if (rc < 0)
            gh_result_free(r);
        else
            *result = r;
        return rc;
    }
    bool canonical = options->output == GH_OUTPUT_YAML || options->output == GH_OUTPUT_JSON;
    /* Canonical output is written while the file streams past: spool it until it is whole. */
    struct canon_spool spool;
    memset(&spool, 0, sizeof(spool));
    spool.restart.fn = canon_spool_restart;
    spool.json = options->output == GH_OUTPUT_JSON;
    if (canonical && rc == 0 && (rc = canon_spool_start(&spool, err)) == 0)
        co.emitter = &spool.canon.emitter;
    co.log = &r->log;
    r->converted = true;
    if (rc == 0)
        rc = run_check(engine, path, r, &co, &view, canonical ? &spool.restart : NULL, err);
    if (rc == 0)
        rc = refuse_template_quotes(r, err);
    if (rc == 0 && spool.file && emit_canon_finish(&spool.canon) < 0)
        rc = error_set(err, GH_EIO, "cannot write the converted document");
    /* A duplicate key hides a value from the rewrites (the reader keeps the later one), so
     * the text could not be converted consistently: it is the user's to resolve first. */
    bool complete = r->info.version[0] && !r->info.hops_incomplete && !has_finding(r, R_HOP1002);
    if (rc == 0 && complete &&
        (rc = write_converted(r, options->output, spool.file, out, err)) == 0)
        *written = true;
    if (spool.file)
        fclose(spool.file);
    project_view_release(&view);
    if (rc < 0) {
        gh_result_free(r);
        return rc;
    }
    *result = r;
    return 0;
}

int gh_convert_path(gh_engine *engine, const char *path, const gh_convert_options *options,
                    FILE *out, bool *written, gh_result **result, gh_error *err)
{
    return convert_input(engine, path, NULL, options, out, written, result, err);
}

int gh_convert_text(gh_engine *engine, const char *path, const char *text, size_t len,
                    const gh_convert_options *options, FILE *out, bool *written, gh_result **result,
                    gh_error *err)
{
    struct input_text t = {text, len};
    int rc = convert_input(engine, path, &t, options, out, written, result, err);
    if (*result)
        (*result)->text.given = false; /* the caller's bytes may go now */
    return rc;
}

/* Whether change i goes with change `index` in a quick fix: itself, and every change of a
 * format migration when it is one (rw_change.about_format). */
static bool goes_with(const struct rw_log *log, size_t index, size_t i)
{
    return i == index || (log->changes[index].about_format && log->changes[i].about_format);
}

int gh_result_write_change(gh_result *r, size_t index, FILE *out, size_t *made, gh_error *err)
{
    *made = 0;
    if (!r->converted || index >= r->log.nchanges)
        return error_set(err, GH_EUSAGE, "no change %zu in this result", index);
    int rc = emit_prepare(&r->log, err);
    if (rc < 0)
        return rc;
    struct rw_log some = r->log;
    some.edits = malloc((r->log.nedits ? r->log.nedits : 1) * sizeof(*some.edits));
    if (!some.edits)
        return error_set(err, GH_ENOMEM, "out of memory");
    some.nedits = 0;
    for (size_t i = 0; i < r->log.nedits; i++)
        if (goes_with(&r->log, index, r->log.edits[i].change))
            some.edits[some.nedits++] = r->log.edits[i];
    for (size_t i = 0; i < r->log.nchanges; i++)
        *made += goes_with(&r->log, index, i);
    rc = emit_patched(out, &r->src, &some, err);
    free(some.edits);
    return rc;
}

size_t gh_result_change_count(const gh_result *r)
{
    return r->converted ? r->log.nchanges : 0;
}

static const enum gh_change_kind change_kinds[] = {
    [CHANGE_VALUE] = GH_CHANGE_VALUE,
    [CHANGE_KEY] = GH_CHANGE_KEY,
    [CHANGE_ADDED] = GH_CHANGE_ADDED,
    [CHANGE_REMOVED] = GH_CHANGE_REMOVED,
};

void gh_result_change(const gh_result *r, size_t index, gh_change *out)
{
    const struct rw_change *c = &r->log.changes[index];
    *out = (gh_change){rule_info(c->rule)->code,
                       r->info.hops[c->hop],
                       r->file,
                       c->span.line,
                       c->span.column,
                       c->path,
                       c->entity ? c->entity : "",
                       c->field,
                       c->old_text,
                       c->new_text,
                       change_kinds[c->kind]};
}

size_t gh_result_count(const gh_result *r)
{
    return r->sink.count;
}

void gh_result_get(const gh_result *r, size_t index, gh_diagnostic *out)
{
    const struct diag *d = &r->sink.items[index];
    const gh_rule *rule = diag_rule(d);
    *out = (gh_diagnostic){
        rule->code,     rule->name,       d->severity,        d->message, r->file,  d->span.line,
        d->span.column, d->span.end_line, d->span.end_column, d->path,    d->entity};
}

enum gh_severity gh_result_worst(const gh_result *r, bool *any)
{
    for (int s = GH_ERROR; s >= GH_INFO; s--)
        if (r->sink.by_severity[s]) {
            *any = true;
            return (enum gh_severity)s;
        }
    *any = false;
    return GH_INFO;
}

size_t gh_result_severity_count(const gh_result *r, enum gh_severity severity)
{
    return r->sink.by_severity[severity];
}

enum gh_severity gh_result_fail_on(const gh_result *r)
{
    return r->fail_on;
}

size_t gh_result_suppressed_count(const gh_result *r)
{
    return r->sink.suppressed;
}

void gh_result_info(const gh_result *r, gh_input_info *out)
{
    const struct check_info *i = &r->info;
    *out = (gh_input_info){.file = r->file,
                           .product = i->product,
                           .flavor = i->flavor,
                           .format_version = i->format_version,
                           .version = i->version,
                           .router_flavor = i->router_flavor,
                           .edition = i->edition,
                           .edition_shown = i->edition_shown,
                           .note = i->note,
                           .assumed = i->assumed,
                           .unchecked_plugins = i->unchecked_plugins,
                           .config = r->config ? r->config : "",
                           .excluded = r->excluded,
                           .unrecognized = r->unrecognized};
}

int gh_format_from_name(const char *name, enum gh_format *out)
{
    const struct report_writer *w = report_writer_named(name);
    if (!w)
        return GH_EUSAGE;
    *out = w->format;
    return 0;
}

int gh_report_write(FILE *out, enum gh_format format, gh_result *const *results, size_t count,
                    const gh_report_options *options, gh_error *err)
{
    static const gh_report_options defaults = {false, true};
    const char *xml =
        format == GH_FORMAT_JUNIT || format == GH_FORMAT_CHECKSTYLE ? report_xml_problem() : NULL;
    if (xml)
        return error_set(err, GH_EIO, "cannot write the %s report: %s",
                         report_writer_for(format)->name, xml);
    struct report_file *files = calloc(count ? count : 1, sizeof(*files));
    if (!files)
        return error_set(err, GH_ENOMEM, "out of memory");
    for (size_t i = 0; i < count; i++)
        files[i] = (struct report_file){results[i]->file,
                                        &results[i]->sink,
                                        results[i]->src_open ? &results[i]->src : NULL,
                                        &results[i]->info,
                                        results[i]->converted ? &results[i]->log : NULL,
                                        results[i]->fail_on};
    int rc = report_write(out, format, files, count, options ? options : &defaults);
    free(files);
    return rc < 0 ? error_set(err, GH_EIO, "cannot write the report") : 0;
}

/* ---- upgrade plans ----------------------------------------------------------------------- */

struct gh_plan {
    struct upgrade_plan plan;
};

/* "3.4" of "kong@3.4" (or of "3.4"). */
const char *version_part(const char *text)
{
    const char *at = text ? strchr(text, '@') : NULL;
    return at ? at + 1 : text;
}

/* The plan's product: named by --from or --to (the same one when both name it). */
static int plan_request_from(const gh_engine *engine, const gh_plan_options *o,
                             struct plan_request *req, gh_error *err)
{
    const char *from_product = NULL, *to_product = NULL;
    int rc;
    if (!o->from || !o->to)
        return error_set(err, GH_EUSAGE,
                         "a plan needs --from and --to (for example --from "
                         "apisix@2.15 --to apisix@3.0)");
    if ((rc = parse_product_version(engine, o->from, "--from", &from_product, &req->from, err)) <
            0 ||
        (rc = parse_product_version(engine, o->to, "--to", &to_product, &req->to, err)) < 0)
        return rc;
    if (from_product && to_product && strcmp(from_product, to_product))
        return error_set(err, GH_EUSAGE,
                         "--from names %s and --to names %s: a plan stays with "
                         "one product",
                         from_product, to_product);
    const char *product = from_product ? from_product : to_product;
    if (!product)
        return error_set(err, GH_EUSAGE,
                         "name the product in --from or --to (for example --to api7@3.8)");
    req->product = kb_product_find(engine->kb, product);
    req->from_text = version_part(o->from);
    req->to_text = version_part(o->to);
    req->mode = o->mode;
    req->edition = o->edition;
    return 0;
}

int gh_plan_new(gh_engine *engine, const gh_plan_options *options, gh_plan **out, gh_error *err)
{
    *out = NULL;
    struct plan_request req = {0};
    int rc = plan_request_from(engine, options, &req, err);
    if (rc < 0)
        return rc;
    gh_plan *p = calloc(1, sizeof(*p));
    if (!p)
        return error_set(err, GH_ENOMEM, "out of memory");
    if ((rc = upgrade_plan_build(&p->plan, &req, err)) < 0) {
        gh_plan_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

void gh_plan_free(gh_plan *plan)
{
    if (!plan)
        return;
    upgrade_plan_release(&plan->plan);
    free(plan);
}

int gh_plan_write(FILE *out, enum gh_format format, const gh_plan *plan, gh_error *err)
{
    return report_plan_write(out, format, &plan->plan) < 0
               ? error_set(err, GH_EIO, "cannot write the plan")
               : 0;
}

/* ---- the catalogue ----------------------------------------------------------------------- */

size_t gh_rule_count(void)
{
    return RULE_COUNT;
}

const gh_rule *gh_rule_at(size_t index)
{
    return index < RULE_COUNT ? rule_info((enum rule_id)index) : NULL;
}

const gh_rule *gh_rule_find(const char *code_or_name)
{
    int rule = rule_lookup(code_or_name);
    return rule < 0 ? NULL : rule_info((enum rule_id)rule);
}

const char *gh_rule_doc(const char *code)
{
    const gh_rule *r = gh_rule_find(code);
    return r ? report_rule_doc(r) : NULL;
}

/* ---- knowledge --------------------------------------------------------------------------- */

size_t gh_engine_product_count(const gh_engine *engine)
{
    return kb_product_count(engine->kb);
}

const char *gh_engine_product_name(const gh_engine *engine, size_t index)
{
    return kb_product_name(kb_product_at(engine->kb, index));
}

size_t gh_engine_version_count(const gh_engine *engine, size_t product)
{
    return kb_version_count(kb_product_at(engine->kb, product));
}

const char *gh_engine_version_at(const gh_engine *engine, size_t product, size_t index)
{
    return kb_version_text(kb_product_at(engine->kb, product), index);
}

const char *gh_severity_name(enum gh_severity severity)
{
    static const char *const names[] = {"info", "warning", "error"};
    return names[severity];
}

int gh_severity_from_name(const char *name, enum gh_severity *out)
{
    for (int s = GH_INFO; s <= GH_ERROR; s++)
        if (!strcmp(gh_severity_name((enum gh_severity)s), name)) {
            *out = (enum gh_severity)s;
            return 0;
        }
    return GH_EUSAGE;
}
