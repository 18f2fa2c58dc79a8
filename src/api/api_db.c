/* gh_db_status(): the database commands' side of the API (gatehop.h). */
#include <stdio.h>
#include <string.h>

#include "api_internal.h"
#include "db/db_export.h"
#include "db/db_meta_csv.h"
#include "db/db_migrations.h"
#include "db/db_pg.h"
#include "db/db_status.h"
#include "util/util_error.h"

/* "3.7" of "kong@3.7" or "3.7". */
static const char *version_text(const char *option)
{
    const char *at = option ? strchr(option, '@') : NULL;
    return at ? at + 1 : option;
}

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

/* schema_meta from the file or the database; *display names where it came from. */
static int read_state(const gh_db_options *o, struct meta_state *state, char *display, size_t size,
                      gh_error *err)
{
    if (o->schema_meta) {
        snprintf(display, size, "%s", o->schema_meta);
        return meta_state_read_csv(state, o->schema_meta, err);
    }
    struct db_pg *pg;
    int rc = db_pg_open(&pg, o->pg, err);
    if (rc < 0)
        return rc;
    snprintf(display, size, "%s", db_pg_display(pg));
    rc = db_pg_read_meta(pg, state, err);
    db_pg_close(pg);
    return rc;
}

static void fill_info(gh_result *r, const gh_db_options *o, const struct db_status_outcome *out)
{
    struct check_info *info = &r->info;
    snprintf(info->product, sizeof(info->product), "kong");
    snprintf(info->flavor, sizeof(info->flavor), "database");
    if (o->to)
        snprintf(info->version, sizeof(info->version), "%s", version_text(o->to));
    else if (out->known)
        version_format(&out->last, info->version, sizeof(info->version));
    snprintf(info->note, sizeof(info->note), "%s", out->summary);
}

static int status_into(gh_engine *engine, const gh_db_options *o, const struct version *to,
                       gh_result **out, gh_error *err)
{
    struct migration_kb migrations;
    struct meta_state state;
    meta_state_init(&state);
    char display[512] = "";
    int rc = migration_kb_load(&migrations, err);
    if (rc < 0) {
        meta_state_release(&state);
        return rc;
    }
    gh_lint_options lo = {0};
    if ((rc = read_state(o, &state, display, sizeof(display), err)) == 0 &&
        (rc = result_new(&lo, display, out, err)) == 0) {
        struct db_status_request req = {&migrations, kb_product_find(engine->kb, "kong"), &state,
                                        *to, version_text(o->to)};
        struct db_status_outcome outcome;
        rc = db_status_check(&req, &(*out)->sink, &outcome, err);
        fill_info(*out, o, &outcome);
        diag_finish(&(*out)->sink);
        diag_sort(&(*out)->sink);
    }
    migration_kb_release(&migrations);
    meta_state_release(&state);
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
