#include "db_status.h"

#include <stdio.h>
#include <string.h>

#include "db/db_kong.h"
#include "plan/plan.h"
#include "util/util_buf.h"
#include "util/util_error.h"

/* The migrations a row lists, executed or pending. */
static bool row_has(const struct meta_row *row, const char *name)
{
    for (size_t i = 0; row && i < row->nexecuted; i++)
        if (!strcmp(row->executed[i], name))
            return true;
    for (size_t i = 0; row && i < row->npending; i++)
        if (!strcmp(row->pending[i], name))
            return true;
    return false;
}

static bool subsystem_runs(const struct migration_subsystem *s, const char *name,
                           const struct version *at)
{
    for (size_t i = 0; s && i < s->count; i++)
        if (!strcmp(s->items[i].name, name))
            return migration_in(&s->items[i], at);
    return false;
}

/* Every name the row lists is one release `at` runs for the subsystem. */
static bool row_within(const struct meta_row *row, const struct migration_subsystem *s,
                       const struct version *at)
{
    for (size_t i = 0; i < row->nexecuted; i++)
        if (!subsystem_runs(s, row->executed[i], at))
            return false;
    for (size_t i = 0; i < row->npending; i++)
        if (!subsystem_runs(s, row->pending[i], at))
            return false;
    return true;
}

/* Release `at` matches the database: its core migrations are exactly the core row's, and every
 * bundled plugin's row lists only migrations `at` has. */
static bool release_matches(const struct migration_kb *kb, const struct meta_state *st,
                            const struct version *at)
{
    const struct migration_subsystem *core = &kb->subsystems[0];
    const struct meta_row *core_row = meta_state_row(st, "core");
    if (!core_row || !row_within(core_row, core, at))
        return false;
    for (size_t i = 0; i < core->count; i++)
        if (migration_in(&core->items[i], at) && !row_has(core_row, core->items[i].name))
            return false;
    for (size_t i = 1; i < kb->count; i++) {
        const struct meta_row *row = meta_state_row(st, kb->subsystems[i].name);
        if (row && !row_within(row, &kb->subsystems[i], at))
            return false;
    }
    return true;
}

/* A release is named by its minor when the knowledge holds every patch of it: "3.4.0 to 3.4.2"
 * says more than needed where "3.4" will do; patches that differ are named. */
static void describe_range(const struct migration_kb *kb, const struct version *first,
                           const struct version *last, char *out, size_t size)
{
    char a[32], b[32];
    version_format(first, a, sizeof(a));
    version_format(last, b, sizeof(b));
    bool from_minor_start = true, to_minor_end = true;
    for (size_t i = 0; i < kb->nreleases; i++) {
        const struct version *r = &kb->releases[i];
        if (version_same_minor(r, first) && version_compare(r, first) < 0)
            from_minor_start = false;
        if (version_same_minor(r, last) && version_compare(r, last) > 0)
            to_minor_end = false;
    }
    if (from_minor_start && to_minor_end) {
        snprintf(a, sizeof(a), "%u.%u", first->part[0], first->part[1]);
        snprintf(b, sizeof(b), "%u.%u", last->part[0], last->part[1]);
    }
    if (!strcmp(a, b))
        snprintf(out, size, "%s", a);
    else
        snprintf(out, size, "%s to %s", a, b);
}

static void identify(const struct migration_kb *kb, const struct meta_state *st,
                     struct db_status_outcome *out)
{
    for (size_t i = 0; i < kb->nreleases; i++) {
        if (!release_matches(kb, st, &kb->releases[i]))
            continue;
        if (!out->known)
            out->first = kb->releases[i];
        out->last = kb->releases[i];
        out->known = true;
    }
    char range[80], newest[32];
    version_format(&kb->releases[kb->nreleases - 1], newest, sizeof(newest));
    if (out->known) {
        describe_range(kb, &out->first, &out->last, range, sizeof(range));
        snprintf(out->summary, sizeof(out->summary), "the database holds the migrations of Kong %s",
                 range);
    } else if (!meta_state_row(st, "core")) {
        snprintf(out->summary, sizeof(out->summary),
                 "schema_meta has no row for core: the release is not known");
    } else {
        snprintf(out->summary, sizeof(out->summary),
                 "the core migrations match no Kong release gatehop knows (2.0.0 to %s): a later "
                 "release (Kong Gateway Enterprise), or a database migrated in part",
                 newest);
    }
}

/* ---- findings -------------------------------------------------------------------------------- */

struct status_run {
    const struct db_status_request *req;
    struct diag_sink *sink;
    struct db_status_outcome *out;
    struct version target; /* the release tag the target names in the knowledge; unset: none */
    char target_text[32];
    struct buf text;
};

static void add(struct status_run *run, enum rule_id rule, int severity, const char *subsystem,
                const char *message)
{
    char path[160], entity[160];
    snprintf(path, sizeof(path), "/schema_meta/%s", subsystem);
    snprintf(entity, sizeof(entity), "subsystem '%s'", subsystem);
    struct span none = {0};
    diag_add(run->sink, rule, severity, &none, path, entity, "%s", message);
}

static void list_names(struct buf *b, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        buf_printf(b, "%s%s", i ? ", " : "", names[i]);
}

typedef void row_fn(struct status_run *run, const struct meta_row *row);

/* Each row, core first as Kong runs it, then the plugins in the order the database gave them. */
static void each_row(struct status_run *run, row_fn *fn)
{
    const struct meta_state *st = run->req->state;
    const struct meta_row *core = meta_state_row(st, "core");
    if (core)
        fn(run, core);
    for (size_t i = 0; i < st->count; i++)
        if (&st->rows[i] != core)
            fn(run, &st->rows[i]);
}

static void report_pending(struct status_run *run, const struct meta_row *row)
{
    bool target = version_is_set(&run->req->to);
    if (!row->npending)
        return;
    buf_clear(&run->text);
    buf_printf(&run->text,
               "%zu migration%s of '%s' wait%s for kong migrations finish: ", row->npending,
               row->npending == 1 ? "" : "s", row->subsystem, row->npending == 1 ? "s" : "");
    list_names(&run->text, row->pending, row->npending);
    if (target)
        buf_printf(&run->text,
                   "; kong migrations up for %s refuses to start until they finish "
                   "(\"Database has pending migrations; run 'kong migrations finish'\")",
                   run->req->to_text);
    else
        buf_puts(&run->text, "; run it once no node of the release before needs the old schema");
    add(run, R_HOP4602, target ? GH_ERROR : GH_WARNING, row->subsystem, buf_cstr(&run->text));
}

/* What Kong at the target reads of one subsystem's row: new and missing migrations. */
static void report_subsystem(struct status_run *run, const struct migration_subsystem *s)
{
    const struct meta_row *row = meta_state_row(run->req->state, s->name);
    const char *news[256], *teardowns[256], *missing[256];
    size_t nnew = 0, nteardown = 0, nmissing = 0;
    bool after_last = !row || !row->last_executed;
    for (size_t i = 0; i < s->count; i++) {
        const struct migration *m = &s->items[i];
        if (!migration_in(m, &run->target))
            continue;
        bool listed = row_has(row, m->name);
        if (!listed && after_last && nnew < 256) {
            news[nnew++] = m->name;
            if (migration_has_teardown(m, &run->target))
                teardowns[nteardown++] = m->name;
        } else if (!listed && nmissing < 256) {
            missing[nmissing++] = m->name;
        }
        if (row && row->last_executed && !strcmp(m->name, row->last_executed))
            after_last = true;
    }
    if (nnew) {
        buf_clear(&run->text);
        buf_printf(&run->text,
                   "kong migrations up for %s runs %zu migration%s of '%s': ", run->req->to_text,
                   nnew, nnew == 1 ? "" : "s", s->name);
        list_names(&run->text, news, nnew);
        if (nteardown) {
            buf_puts(&run->text, "; then kong migrations finish runs the teardown of ");
            list_names(&run->text, teardowns, nteardown);
        }
        add(run, R_HOP4603, -1, s->name, buf_cstr(&run->text));
    }
    if (nmissing) {
        buf_clear(&run->text);
        buf_printf(&run->text, "'%s' records %s as its last migration but not the earlier ",
                   s->name, row->last_executed);
        list_names(&run->text, missing, nmissing);
        buf_printf(&run->text, ": Kong %s counts %s missing and kong migrations up will not run %s",
                   run->req->to_text, nmissing == 1 ? "it" : "them", nmissing == 1 ? "it" : "them");
        add(run, R_HOP4607, -1, s->name, buf_cstr(&run->text));
    }
}

/* Names a row lists that the target does not run: the database is ahead of it. */
static void report_unknown_names(struct status_run *run, const struct meta_row *row,
                                 const struct migration_subsystem *s)
{
    const char *ahead[256];
    size_t n = 0;
    for (size_t i = 0; i < row->nexecuted + row->npending && n < 256; i++) {
        const char *name = i < row->nexecuted ? row->executed[i] : row->pending[i - row->nexecuted];
        if (!subsystem_runs(s, name, &run->target))
            ahead[n++] = name;
    }
    if (!n)
        return;
    buf_clear(&run->text);
    buf_printf(&run->text, "'%s' has %zu migration%s Kong %s does not have: ", row->subsystem, n,
               n == 1 ? "" : "s", run->req->to_text);
    list_names(&run->text, ahead, n);
    buf_puts(&run->text, "; the database is newer than the target, and Kong does not migrate "
                         "a database back");
    add(run, R_HOP4605, -1, row->subsystem, buf_cstr(&run->text));
}

/* A row of a subsystem the knowledge does not know at all: a custom plugin's, or one of
 * Kong Gateway Enterprise's, whose migrations are not open source. */
static void report_foreign_row(struct status_run *run, const struct meta_row *row)
{
    buf_clear(&run->text);
    buf_printf(&run->text,
               "'%s' has migrations in the database and is no plugin Kong %s bundles: a custom "
               "plugin (or an Enterprise one) must be installed on the %s nodes and named in "
               "kong.conf's plugins for its migrations to run, and gatehop cannot tell what "
               "they are",
               row->subsystem, run->req->to_text, run->req->to_text);
    add(run, R_HOP4606, -1, row->subsystem, buf_cstr(&run->text));
}

static void report_row_against_target(struct status_run *run, const struct meta_row *row)
{
    const struct migration_subsystem *s =
        migration_kb_subsystem(run->req->migrations, row->subsystem);
    if (s)
        report_unknown_names(run, row, s); /* a plugin whose migrations came later counts too */
    else
        report_foreign_row(run, row);
}

/* The plan from the database's release to the target: more than one hop means the jump is not
 * one Kong supports in a single `up`; across a major release it is an error. */
static int report_jump(struct status_run *run, gh_error *err)
{
    const struct db_status_request *req = run->req;
    if (!run->out->known || !req->kong.product)
        return 0;
    struct version from = {{run->out->last.part[0], run->out->last.part[1]}, 2};
    if (version_compare(&from, &req->to) >= 0 || version_same_minor(&from, &req->to))
        return 0;
    char from_text[32];
    version_format(&from, from_text, sizeof(from_text));
    struct plan_request pr = {.product = req->kong.product,
                              .from = from,
                              .to = req->to,
                              .from_text = from_text,
                              .to_text = req->to_text};
    struct upgrade_plan plan;
    gh_error plan_err = {0};
    if (upgrade_plan_build(&plan, &pr, &plan_err) < 0)
        return plan_err.status == GH_ENOMEM ? error_set(err, GH_ENOMEM, "out of memory") : 0;
    if (plan.nhops > 1) {
        buf_clear(&run->text);
        buf_printf(&run->text, "Kong does not migrate a %s database to %s in one step: ", from_text,
                   req->to_text);
        for (size_t i = 0; i < plan.nhops; i++)
            buf_printf(&run->text, "%s%s", i ? " -> " : "go ", plan.hops[i].from);
        buf_printf(&run->text,
                   " -> %s, with kong migrations up and finish at each stop "
                   "(gatehop plan --from kong@%s --to kong@%s)",
                   req->to_text, from_text, req->to_text);
        bool across_major = from.part[0] != req->to.part[0];
        add(run, R_HOP4604, across_major ? GH_ERROR : GH_WARNING, "core", buf_cstr(&run->text));
    }
    upgrade_plan_release(&plan);
    return 0;
}

/* The plugins the database configures that the target does not bundle: a node of it refuses
 * to start until each is installed and named in kong.conf's plugins. */
static int report_plugins_in_use(struct status_run *run, gh_error *err)
{
    const struct db_status_request *req = run->req;
    if (!req->nplugins || !req->kong.kb)
        return 0;
    struct version at = run->target;
    if (!version_is_set(&at))
        at = req->to; /* a release after the migrations gatehop knows: its plugins are known */
    const struct spec_document *doc;
    gh_error compile_err = {0};
    if (db_kong_document(req->kong.kb, req->kong.product, &at, &doc, &compile_err) < 0)
        return compile_err.status == GH_ENOMEM ? error_set(err, GH_ENOMEM, "out of memory") : 0;
    for (size_t i = 0; i < req->nplugins; i++) {
        const struct plugin_use *u = &req->plugins[i];
        if (spec_plugin_find(doc, u->name))
            continue;
        buf_clear(&run->text);
        buf_printf(&run->text,
                   "the plugin '%s' is configured %zu time%s in the database and Kong %s does not "
                   "bundle it: install it on the %s nodes and name it in kong.conf's plugins "
                   "first, or they refuse to start ('%s plugin is in use but not enabled')",
                   u->name, u->count, u->count == 1 ? "" : "s", req->to_text, req->to_text,
                   u->name);
        char path[160], entity[160];
        snprintf(path, sizeof(path), "/plugins/%s", u->name);
        snprintf(entity, sizeof(entity), "plugin '%s'", u->name);
        struct span none = {0};
        diag_add(run->sink, R_HOP4608, -1, &none, path, entity, "%s", buf_cstr(&run->text));
    }
    return 0;
}

static void report_target(struct status_run *run)
{
    const struct migration_kb *kb = run->req->migrations;
    if (!version_is_set(&run->target))
        return; /* a later release than the knowledge: its migrations are not known */
    each_row(run, report_row_against_target);
    for (size_t i = 0; i < kb->count; i++) {
        const struct migration_subsystem *s = &kb->subsystems[i];
        if (s->count && migration_in(&s->items[0], &run->target))
            report_subsystem(run, s);
    }
}

static void note_unknown_target(struct status_run *run)
{
    const struct migration_kb *kb = run->req->migrations;
    char newest[32];
    version_format(&kb->releases[kb->nreleases - 1], newest, sizeof(newest));
    size_t used = strlen(run->out->summary);
    snprintf(run->out->summary + used, sizeof(run->out->summary) - used,
             "; gatehop knows Kong's migrations up to %s (the last open-source release), so it "
             "cannot list what kong migrations up for %s runs",
             newest, run->req->to_text);
}

/* Which release tag stands for the target: a minor release is taken at its newest patch. */
static void note_target(struct status_run *run)
{
    size_t used = strlen(run->out->summary);
    snprintf(run->out->summary + used, sizeof(run->out->summary) - used,
             "; target Kong %s (its migrations as of %s)", run->req->to_text, run->target_text);
}

int db_status_check(const struct db_status_request *req, struct diag_sink *sink,
                    struct db_status_outcome *out, gh_error *err)
{
    memset(out, 0, sizeof(*out));
    const struct meta_state *st = req->state;
    if (!st->has_table || st->count == 0) {
        snprintf(out->summary, sizeof(out->summary), "the database is not bootstrapped");
        struct span none = {0};
        diag_add(sink, R_HOP4601, -1, &none, "/schema_meta", NULL, "%s",
                 st->has_table
                     ? "schema_meta holds no migrations: kong migrations bootstrap did not get "
                       "as far as running one; Kong says the database needs bootstrapping"
                     : "the database has no schema_meta table: Kong has never bootstrapped it "
                       "(kong migrations bootstrap), or it is older than Kong 1.0");
        return 0;
    }
    struct status_run run = {.req = req, .sink = sink, .out = out};
    buf_init(&run.text, 16 * 1024);
    identify(req->migrations, st, out);
    each_row(&run, report_pending);
    int rc = 0;
    if (version_is_set(&req->to)) {
        run.target = migration_kb_resolve(req->migrations, &req->to);
        version_format(&run.target, run.target_text, sizeof(run.target_text));
        if (!version_is_set(&run.target))
            note_unknown_target(&run);
        else
            note_target(&run);
        report_target(&run);
        rc = report_jump(&run, err);
        if (rc == 0)
            rc = report_plugins_in_use(&run, err);
    }
    buf_release(&run.text);
    return rc;
}
