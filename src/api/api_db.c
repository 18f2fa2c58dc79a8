/* The database commands' side of the API (gatehop.h): gh_db_status(), gh_db_export(),
 * gh_lint_pg() and gh_convert_pg(). */
#define _DEFAULT_SOURCE /* mkstemps */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api_internal.h"
#include "db/db_export.h"
#include "db/db_meta_csv.h"
#include "db/db_migrations.h"
#include "db/db_pg.h"
#include "db/db_status.h"
#include "util/util_error.h"

/* The target: Kong's, by whatever name it is given. */
static int target_of(gh_engine *engine, const gh_db_options *o, struct version *to, gh_error *err)
{
    memset(to, 0, sizeof(*to));
    if (!o->to)
        return 0;
    const char *product = NULL;
    int rc = parse_product_version(engine, o->to, "--to", &product, to, err);
    if (rc == 0 && product && strcmp(product, "kong"))
        rc = error_set(err, GH_EUSAGE, "--to '%s': the database commands read Kong databases",
                       o->to);
    if (rc == 0 && !kb_version_match(kb_product_find(engine->kb, "kong"), to))
        rc = error_set(err, GH_EVERSION, "--to '%s': gatehop knows no such Kong release", o->to);
    return rc;
}

/* What the database says: schema_meta from the file or the database, and from a database
 * the plugins in use; *display names where it came from. */
struct db_reading {
    struct meta_state state;
    struct plugin_use *plugins;
    size_t nplugins;
    char display[512];
};

static int read_state(const gh_db_options *o, struct db_reading *d, gh_error *err)
{
    if (o->schema_meta) {
        snprintf(d->display, sizeof(d->display), "%s", o->schema_meta);
        int rc = meta_state_read_csv(&d->state, o->schema_meta, err);
        if (rc == 0 && o->plugins)
            rc = plugin_uses_read_csv(o->plugins, &d->state.arena, &d->plugins, &d->nplugins, err);
        return rc;
    }
    struct db_pg *pg;
    int rc = db_pg_open(&pg, o->pg, err);
    if (rc < 0)
        return rc;
    snprintf(d->display, sizeof(d->display), "%s", db_pg_display(pg));
    rc = db_pg_read_meta(pg, &d->state, err);
    if (rc == 0 && o->to)
        rc = db_pg_plugin_uses(pg, &d->state.arena, &d->plugins, &d->nplugins, err);
    db_pg_close(pg);
    return rc;
}

static void fill_info(gh_result *r, const struct db_status_outcome *out)
{
    struct check_info *info = &r->info;
    snprintf(info->product, sizeof(info->product), "kong");
    snprintf(info->flavor, sizeof(info->flavor), "database");
    /* The release the database is at (the newest its migrations fit): what a plan starts from. */
    if (out->known)
        snprintf(info->version, sizeof(info->version), "%u.%u", out->last.part[0],
                 out->last.part[1]);
    snprintf(info->note, sizeof(info->note), "%s", out->summary);
}

static int status_into(gh_engine *engine, const gh_db_options *o, const struct version *to,
                       gh_result **out, gh_error *err)
{
    struct migration_kb migrations;
    struct db_reading d = {0};
    meta_state_init(&d.state);
    int rc = migration_kb_load(&migrations, err);
    if (rc < 0) {
        meta_state_release(&d.state);
        return rc;
    }
    gh_lint_options lo = {0};
    if ((rc = read_state(o, &d, err)) == 0 && (rc = result_new(&lo, d.display, out, err)) == 0) {
        struct db_status_request req = {.migrations = &migrations,
                                        .kong = {engine->kb, kb_product_find(engine->kb, "kong")},
                                        .state = &d.state,
                                        .plugins = d.plugins,
                                        .nplugins = d.nplugins,
                                        .to = *to,
                                        .to_text = version_part(o->to)};
        struct db_status_outcome outcome;
        rc = db_status_check(&req, &(*out)->sink, &outcome, err);
        fill_info(*out, &outcome);
        diag_finish(&(*out)->sink);
        diag_sort(&(*out)->sink);
    }
    free(d.plugins);
    migration_kb_release(&migrations);
    meta_state_release(&d.state);
    return rc;
}

int gh_db_status(gh_engine *engine, const gh_db_options *o, gh_result **out, gh_error *err)
{
    *out = NULL;
    struct version to;
    enum gh_severity fail_on = GH_ERROR;
    int rc = target_of(engine, o, &to, err);
    if (rc == 0 && o->fail_on && gh_severity_from_name(o->fail_on, &fail_on) < 0)
        rc = error_set(err, GH_EUSAGE, "--fail-on takes error, warning or info, not '%s'",
                       o->fail_on);
    if (rc == 0 && o->pg && o->schema_meta)
        rc = error_set(err, GH_EUSAGE, "give --pg or --schema-meta, not both");
    if (rc == 0 && o->plugins && !o->schema_meta)
        rc =
            error_set(err, GH_EUSAGE, "--plugins goes with --schema-meta (--pg reads them itself)");
    if (rc == 0)
        rc = status_into(engine, o, &to, out, err);
    if (rc < 0) {
        gh_result_free(*out);
        *out = NULL;
        return rc;
    }
    (*out)->fail_on = fail_on;
    return 0;
}

/* ---- export -------------------------------------------------------------------------------------
 */

/* The release to export for: what the migrations say (the newest release they fit), else
 * --from. */
static int export_release(gh_engine *engine, const gh_db_export_options *o,
                          const struct meta_state *state, struct version *release, gh_error *err)
{
    struct migration_kb migrations;
    int rc = migration_kb_load(&migrations, err);
    if (rc < 0)
        return rc;
    struct diag_sink sink;
    diag_sink_init(&sink, 64);
    struct db_status_request req = {.migrations = &migrations, .state = state};
    struct db_status_outcome outcome;
    rc = db_status_check(&req, &sink, &outcome, err);
    diag_sink_release(&sink);
    migration_kb_release(&migrations);
    if (rc < 0)
        return rc;
    const char *product = NULL;
    if (o->from)
        rc = parse_product_version(engine, o->from, "--from", &product, release, err);
    else if (outcome.known)
        *release = (struct version){{outcome.last.part[0], outcome.last.part[1]}, 2};
    else if (!state->has_table || state->count == 0)
        rc = error_set(err, GH_EUSAGE,
                       "the database is not bootstrapped: no Kong schema to "
                       "export (HOP4601; gatehop db status says more)");
    else
        rc = error_set(err, GH_EUSAGE, "%s; say which release the database is with --from",
                       outcome.summary);
    if (rc == 0 && product && strcmp(product, "kong"))
        rc = error_set(err, GH_EUSAGE, "--from '%s': the database commands read Kong databases",
                       o->from);
    if (rc == 0 && !kb_version_match(kb_product_find(engine->kb, "kong"), release))
        rc = error_set(err, GH_EVERSION, "gatehop knows no Kong release %u.%u to export for",
                       release->part[0], release->part[1]);
    return rc;
}

static int export_from(gh_engine *engine, struct db_pg *pg, const gh_db_export_options *o,
                       FILE *out, gh_db_export_info *info, gh_error *err)
{
    struct meta_state state;
    meta_state_init(&state);
    struct db_export_request req = {.kb = engine->kb,
                                    .kong = kb_product_find(engine->kb, "kong"),
                                    .workspace = o->workspace,
                                    .json = o->json};
    int rc = db_pg_read_meta(pg, &state, err);
    if (rc == 0)
        rc = export_release(engine, o, &state, &req.release, err);
    meta_state_release(&state);
    struct db_export_stats stats;
    if (rc == 0)
        rc = db_export_write(pg, &req, out, &stats, err);
    if (rc == 0) {
        version_format(&req.release, info->release, sizeof(info->release));
        snprintf(info->workspace, sizeof(info->workspace), "%s", stats.workspace);
        info->workspaces = stats.workspaces;
        info->entities = stats.entities;
        info->collections = stats.collections;
    }
    return rc;
}

int gh_db_export(gh_engine *engine, const gh_db_export_options *o, FILE *out,
                 gh_db_export_info *info, gh_error *err)
{
    memset(info, 0, sizeof(*info));
    struct db_pg *pg;
    int rc = db_pg_open(&pg, o->db.pg, err);
    if (rc < 0)
        return rc;
    snprintf(info->source, sizeof(info->source), "%s", db_pg_display(pg));
    rc = export_from(engine, pg, o, out, info, err);
    db_pg_close(pg);
    return rc;
}

/* ---- lint and convert of a database ------------------------------------------------------------
 */

/* The export in a temporary file (JSON: the fast reader reads it), and where it came from. */
static int export_to_temp(gh_engine *engine, const char *pg, const char *from, char *path,
                          size_t size, gh_db_export_info *info, gh_error *err)
{
    const char *dir = getenv("TMPDIR");
    snprintf(path, size, "%s/gatehop-export-XXXXXX.json", dir && *dir ? dir : "/tmp");
    int fd = mkstemps(path, 5);
    FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (!f) {
        if (fd >= 0) {
            close(fd);
            unlink(path);
        }
        return error_set(err, GH_EIO, "cannot create a temporary file for the export: %s",
                         strerror(errno));
    }
    gh_db_export_options o = {.db = {.pg = pg}, .from = from, .json = true};
    int rc = gh_db_export(engine, &o, f, info, err);
    if (fclose(f) != 0 && rc == 0)
        rc = error_set(err, GH_EIO, "cannot write the export: %s", strerror(errno));
    if (rc < 0)
        unlink(path);
    return rc;
}

/* The options a database's export is checked with: the caller's, as that export, of the
 * database's release unless --from says otherwise, named by the connection. */
static gh_lint_options export_options(const gh_lint_options *o, const gh_db_export_info *info,
                                      char *from, size_t size)
{
    gh_lint_options e = *o;
    snprintf(from, size, "kong@%s", info->release);
    e.from = o->from ? o->from : from;
    e.input_flavor = "dbexport";
    e.display_name = info->source;
    e.place_as = info->source;
    e.joined = false;
    return e;
}

/* Says where the source release came from when the caller did not give it: the database's
 * migrations, not --from (which the check's note would say). */
static void note_source(gh_result *r, const gh_lint_options *o, const gh_db_export_info *info)
{
    static const char given[] = "source version given (--from or .gatehop.yml)";
    char *note = r->info.note;
    if (o->from || strncmp(note, given, sizeof(given) - 1))
        return;
    char rest[sizeof(r->info.note)];
    snprintf(rest, sizeof(rest), "%s", note + sizeof(given) - 1);
    /* what followed is kept as far as it fits after the new start */
    snprintf(note, sizeof(r->info.note), "source kong %.31s, as the database's migrations say%.*s",
             info->release, (int)sizeof(r->info.note) - 100, rest);
}

/*
 * What Kong's own migrations change in the database on the way up, so that nothing is left
 * for the operator: a database has no _format_version (HOP4003), and core migration
 * 016_280_to_300 gives 2.x regex route paths their '~' (p_migrate_regex_path; HOP4004).
 */
static const enum rule_id migrated_by_kong[] = {R_HOP4003, R_HOP4004};

/* And the plugin fields their migrations rewrite (read in each file at the release named):
 * a finding on such a field (its path under the plugin's config) is left to them when the
 * migration runs on the way, after the database's release and up to the target. The finding
 * is one of the rewrite rules, or the rule named (a check the migration makes pass). */
static const struct migrated_field {
    const char *plugin, *under_config;
    struct version since;
    /* NULL: any of the rewrite rules; else the finding is of this rule and its message starts
     * so */
    const char *message;
    enum rule_id rule;
} migrated_fields[] = {
    /* 001_200_to_210 of ip-restriction and bot-detection, 003_200_to_210 of acl (2.1.0):
     * whitelist and blacklist become allow and deny */
    {"ip-restriction", "whitelist", {{2, 1}, 2}, NULL, 0},
    {"ip-restriction", "blacklist", {{2, 1}, 2}, NULL, 0},
    {"bot-detection", "whitelist", {{2, 1}, 2}, NULL, 0},
    {"bot-detection", "blacklist", {{2, 1}, 2}, NULL, 0},
    {"acl", "whitelist", {{2, 1}, 2}, NULL, 0},
    {"acl", "blacklist", {{2, 1}, 2}, NULL, 0},
    /* 001_280_to_300 (3.0.0): functions becomes access; headers' arrays joined with ", " */
    {"pre-function", "functions", {{3, 0}, 2}, NULL, 0},
    {"post-function", "functions", {{3, 0}, 2}, NULL, 0},
    {"http-log", "headers", {{3, 0}, 2}, NULL, 0},
    /* 006_350_to_360, 001_350_to_360, 003_350_to_360 (3.6.0): the redis fields into the
     * redis record */
    {"rate-limiting", "redis", {{3, 6}, 2}, NULL, 0},
    {"response-ratelimiting", "redis", {{3, 6}, 2}, NULL, 0},
    {"acme", "storage_config/redis", {{3, 6}, 2}, NULL, 0},
    /* ai-proxy's 001_360_to_370 (3.7.0) turns log_statistics off for Anthropic completions,
     * which 3.7 refuses with it on: the one check of ai-proxy's config (HOP2008, whose path
     * is the config record) with this message, the schema's own text. */
    {"ai-proxy", "", {{3, 7}, 2}, "anthropic does not support statistics", R_HOP2008},
    /* Not here: opentelemetry's 001_331_to_332 (3.3.2, 3.4.x) raises queue.max_batch_size from
     * 1 to 200, a value no gatehop rule flags. */
};

static const enum rule_id rewrite_rules[] = {R_HOP4006, R_HOP4007, R_HOP4009, R_HOP4010, R_HOP4011};

static bool is_rewrite(enum rule_id rule)
{
    for (size_t i = 0; i < sizeof(rewrite_rules) / sizeof(rewrite_rules[0]); i++)
        if (rewrite_rules[i] == rule)
            return true;
    return false;
}

static bool of_migrated_rule(const struct diag *d, const struct migrated_field *m)
{
    if (!m->message)
        return is_rewrite(d->rule);
    return d->rule == m->rule && d->message && !strncmp(d->message, m->message, strlen(m->message));
}

/* "/plugins/2/config/redis_host" under "redis", of "plugin 'rate-limiting'"; "/plugins/2/config"
 * under "". */
static bool on_migrated_field(const struct diag *d, const struct migrated_field *m)
{
    if (!of_migrated_rule(d, m))
        return false;
    char entity[160];
    snprintf(entity, sizeof(entity), "plugin '%s'", m->plugin);
    const char *config =
        d->path && d->entity && !strcmp(d->entity, entity) ? strstr(d->path, "/config") : NULL;
    if (!config)
        return false;
    config += strlen("/config");
    if (!*m->under_config)
        return !*config;
    return *config == '/' && !strncmp(config + 1, m->under_config, strlen(m->under_config));
}

static bool migrated(const struct diag *d, const struct version *from, const struct version *to)
{
    for (size_t k = 0; k < sizeof(migrated_by_kong) / sizeof(migrated_by_kong[0]); k++)
        if (d->rule == migrated_by_kong[k])
            return true;
    for (size_t k = 0; k < sizeof(migrated_fields) / sizeof(migrated_fields[0]); k++) {
        const struct migrated_field *m = &migrated_fields[k];
        if (version_compare(from, &m->since) < 0 && version_compare(&m->since, to) <= 0 &&
            on_migrated_field(d, m))
            return true;
    }
    return false;
}

static void drop_migrated(gh_result *r, const char *from_text, const char *to_text)
{
    struct version from = {0}, to = {0};
    version_parse(from_text, strlen(from_text), &from);
    if (!to_text || !version_parse(to_text, strlen(to_text), &to))
        to = from;
    bool *take = calloc(r->sink.count + 1, sizeof(*take));
    if (!take)
        return; /* they stay, which is only noise */
    for (size_t i = 0; i < r->sink.count; i++)
        take[i] = migrated(&r->sink.items[i], &from, &to);
    diag_take_back(&r->sink, take);
    free(take);
}

/* Findings about a database have no line: the export they were read from is gone. */
static void drop_positions(gh_result *r)
{
    for (size_t i = 0; i < r->sink.count; i++)
        memset(&r->sink.items[i].span, 0, sizeof(r->sink.items[i].span));
    secret_spans_release(&r->sink.secrets);
}

int gh_lint_pg(gh_engine *engine, const char *pg, const gh_lint_options *options, gh_result **out,
               gh_error *err)
{
    static const gh_lint_options defaults = {0};
    const gh_lint_options *o = options ? options : &defaults;
    *out = NULL;
    char path[4096], from[64];
    gh_db_export_info info;
    int rc = export_to_temp(engine, pg, o->from, path, sizeof(path), &info, err);
    if (rc < 0)
        return rc;
    gh_lint_options e = export_options(o, &info, from, sizeof(from));
    rc = gh_lint_path(engine, path, &e, out, err);
    unlink(path);
    if (rc == 0) {
        drop_migrated(*out, o->from ? version_part(o->from) : info.release, version_part(o->to));
        drop_positions(*out);
        note_source(*out, o, &info);
    }
    return rc;
}

int gh_convert_pg(gh_engine *engine, const char *pg, const gh_convert_options *options, FILE *out,
                  bool *written, gh_result **result, gh_error *err)
{
    *result = NULL;
    *written = false;
    char path[4096], from[64];
    gh_db_export_info info;
    int rc = export_to_temp(engine, pg, options->lint.from, path, sizeof(path), &info, err);
    if (rc < 0)
        return rc;
    gh_convert_options c = *options;
    c.lint = export_options(&options->lint, &info, from, sizeof(from));
    rc = gh_convert_path(engine, path, &c, out, written, result, err);
    unlink(path);
    if (rc == 0) {
        drop_positions(*result);
        note_source(*result, &options->lint, &info);
    }
    return rc;
}
