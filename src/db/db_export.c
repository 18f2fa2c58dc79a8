#include "db_export.h"

#include <stdlib.h>
#include <string.h>

#include "db/db_json.h"
#include "db/db_kong.h"
#include "model/model_write.h"
#include "util/util_arena.h"
#include "util/util_buf.h"
#include "util/util_error.h"

#define FETCH_ROWS 1000

/* Collections Kong's export leaves out: db_export = false in their schemas at 3.4.2
 * (clustering_data_planes, tags; the oauth2, rate-limiting and session plugins' daos), and
 * the workspaces, which it skips by name. */
static const char *const not_exported[] = {
    "workspaces",
    "clustering_data_planes",
    "tags",
    "oauth2_authorization_codes",
    "ratelimiting_metrics",
    "sessions",
};

/* Kong's core entities (kong/constants.lua CORE_ENTITIES): its export sorts plugin-owned
 * collections first, then these, each group by name from z to a, and then puts every
 * collection after those it refers to. */
static const char *const core_entities[] = {
    "workspaces",    "consumers", "certificates",    "services",
    "routes",        "snis",      "upstreams",       "targets",
    "plugins",       "tags",      "ca_certificates", "clustering_data_planes",
    "parameters",    "vaults",    "key_sets",        "keys",
    "filter_chains",
};

/* Entities whose table is not named after them (the schema's table_name; Kong 3.0 to 3.9). */
static const struct {
    const char *entity, *table;
} table_names[] = {
    {"vaults", "sm_vaults"},
};

static const char *table_of(const struct spec_entity *e)
{
    for (size_t i = 0; i < sizeof(table_names) / sizeof(table_names[0]); i++)
        if (!strcmp(table_names[i].entity, e->name))
            return table_names[i].table;
    return e->name;
}

static bool listed(const char *name, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(list[i], name))
            return true;
    return false;
}

#define LISTED(name, list) listed(name, list, sizeof(list) / sizeof(list[0]))

/* ---- the order ------------------------------------------------------------------------------ */

struct order {
    const struct spec_document *doc;
    const struct spec_entity **sorted; /* the result */
    size_t n;
    bool *placed;
};

static int by_kong_sort(const void *a, const void *b)
{
    const struct spec_entity *x = *(const struct spec_entity *const *)a;
    const struct spec_entity *y = *(const struct spec_entity *const *)b;
    int cx = LISTED(x->name, core_entities), cy = LISTED(y->name, core_entities);
    if (cx != cy)
        return cx - cy;
    return strcmp(y->name, x->name);
}

static void place(struct order *o, const struct spec_entity *e)
{
    if (o->placed[e->index])
        return;
    o->placed[e->index] = true; /* before its references: a cycle ends here */
    for (size_t i = 0; i < e->record.nfields; i++) {
        const struct spec_field *f = &e->record.fields[i];
        const struct spec_entity *to =
            f->type == FT_FOREIGN && f->reference ? spec_entity_find(o->doc, f->reference) : NULL;
        if (to)
            place(o, to);
    }
    o->sorted[o->n++] = e;
}

static int export_order(const struct spec_document *doc, const struct spec_entity ***out, size_t *n,
                        gh_error *err)
{
    const struct spec_entity **start = calloc(doc->nentities + 1, sizeof(*start));
    struct order o = {doc, calloc(doc->nentities + 1, sizeof(*o.sorted)), 0,
                      calloc(doc->nentities + 1, sizeof(bool))};
    if (!start || !o.sorted || !o.placed) {
        free(start);
        free(o.sorted);
        free(o.placed);
        return error_set(err, GH_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < doc->nentities; i++)
        start[i] = &doc->entities[i];
    qsort(start, doc->nentities, sizeof(*start), by_kong_sort);
    for (size_t i = 0; i < doc->nentities; i++)
        place(&o, start[i]);
    free(start);
    free(o.placed);
    *out = o.sorted;
    *n = o.n;
    return 0;
}

/* ---- one collection's query -------------------------------------------------------------------
 */

static const struct pg_column *column(const struct pg_columns *c, const char *name)
{
    for (size_t i = 0; i < c->count; i++)
        if (!strcmp(c->items[i].name, name))
            return &c->items[i];
    return NULL;
}

static bool is_timestamp(const struct pg_column *c)
{
    return !strncmp(c->type, "timestamp", 9);
}

/* One field's expression, named as the field: Kong's reading of the column it is stored in. */
static void select_field(struct buf *sql, const struct spec_field *f, const struct pg_column *c)
{
    const char *name = f->name;
    if (f->type == FT_FOREIGN)
        buf_printf(sql, "\"%s\" AS \"%s\"", c->name, name); /* the bare id */
    else if (is_timestamp(c) && !strcmp(name, "ttl"))
        /* what is left of the time to live, in seconds, as Kong shows it */
        buf_printf(sql,
                   "FLOOR(EXTRACT(EPOCH FROM (\"ttl\" - CURRENT_TIMESTAMP)))::bigint AS \"ttl\"");
    else if (is_timestamp(c) && f->type == FT_NUMBER)
        buf_printf(sql, "ROUND(EXTRACT(EPOCH FROM \"%s\")::numeric, 3) AS \"%s\"", c->name, name);
    else if (is_timestamp(c))
        buf_printf(sql, "FLOOR(EXTRACT(EPOCH FROM \"%s\"))::bigint AS \"%s\"", c->name, name);
    else
        buf_printf(sql, "\"%s\"", c->name);
}

/* The query of one collection: its fields that have a column, the workspace's rows, the
 * expired ones (ttl) left out as Kong leaves them out, in id order. Returns the number of
 * fields selected. */
static size_t collection_query(struct buf *sql, const struct spec_entity *e,
                               const struct pg_columns *cols, const char *ws_id)
{
    size_t selected = 0;
    buf_clear(sql);
    buf_puts(sql, "SELECT row_to_json(x)::text FROM (SELECT ");
    for (size_t i = 0; i < e->record.nfields; i++) {
        const struct spec_field *f = &e->record.fields[i];
        char name[96];
        snprintf(name, sizeof(name), f->type == FT_FOREIGN ? "%s_id" : "%s", f->name);
        const struct pg_column *c = column(cols, name);
        if (!c)
            continue;
        if (selected++)
            buf_puts(sql, ", ");
        select_field(sql, f, c);
    }
    buf_printf(sql, " FROM \"%s\" WHERE TRUE", table_of(e));
    if (*ws_id && column(cols, "ws_id"))
        buf_printf(sql, " AND \"ws_id\" = '%s'", ws_id); /* a uuid the database gave */
    if (column(cols, "ttl") && is_timestamp(column(cols, "ttl")))
        buf_puts(sql, " AND (\"ttl\" IS NULL OR \"ttl\" >= CURRENT_TIMESTAMP)");
    if (column(cols, "id"))
        buf_puts(sql, " ORDER BY \"id\"");
    buf_puts(sql, ") x");
    return selected;
}

/* ---- writing ------------------------------------------------------------------------------------
 */

struct writer {
    FILE *out;
    bool json;
    const char *collection;
    size_t rows_in_collection;
    size_t collections_written;
    struct db_export_stats *stats;
    struct arena arena; /* one row's nodes */
    struct buf text;
};

static int flush_text(struct writer *w, gh_error *err)
{
    size_t n = w->text.len;
    if (n && fwrite(buf_cstr(&w->text), 1, n, w->out) != n)
        return error_set(err, GH_EIO, "cannot write the export");
    buf_clear(&w->text);
    return 0;
}

/* The key of a collection, before its first row. */
static int begin_collection(struct writer *w)
{
    if (w->json)
        return buf_printf(&w->text, ",\n  \"%s\": [\n    ", w->collection);
    return buf_printf(&w->text, "%s:\n", w->collection);
}

static int write_row(struct writer *w, const struct node *row)
{
    if (w->json) {
        if (w->rows_in_collection && buf_puts(&w->text, ",\n    ") < 0)
            return -1;
        return write_json_value(&w->text, row, 4);
    }
    /* "- " and the row's keys aligned under its first, as a sequence item is written */
    if (buf_puts(&w->text, "- ") < 0 || write_yaml_value(&w->text, row, 2) < 0)
        return -1;
    return buf_putc(&w->text, '\n');
}

static int end_collection(struct writer *w)
{
    return w->json ? buf_puts(&w->text, "\n  ]") : 0;
}

/* One row from the database: its JSON, as the row it stands for. */
static int take_row(void *ctx, const char *value, gh_error *err)
{
    struct writer *w = ctx;
    const char *why = "SQL null";
    arena_reset(&w->arena);
    struct node *row = value ? json_node_parse(&w->arena, value, strlen(value), &why) : NULL;
    if (!row && why && !strcmp(why, "out of memory"))
        return error_set(err, GH_ENOMEM, "out of memory");
    if (!row)
        return error_set(err, GH_EIO, "%s: the database gave a row that is not JSON (%s)",
                         w->collection, why ? why : "unreadable");
    int rc = 0;
    if (rc == 0 && w->rows_in_collection == 0)
        rc = begin_collection(w);
    if (rc == 0)
        rc = write_row(w, row);
    if (rc < 0)
        return error_set(err, GH_ENOMEM, "out of memory");
    w->rows_in_collection++;
    w->stats->entities++;
    return flush_text(w, err);
}

/* ---- the workspace ------------------------------------------------------------------------------
 */

static int choose_workspace(struct db_pg *pg, const struct db_export_request *req,
                            struct db_export_stats *stats, char *ws_id, size_t size, gh_error *err)
{
    struct pg_columns cols;
    int rc = db_pg_columns(pg, "workspaces", &cols, err);
    bool has = cols.count > 0;
    pg_columns_release(&cols);
    ws_id[0] = '\0';
    if (rc < 0 || !has) {
        if (rc == 0 && req->workspace)
            rc = error_set(err, GH_EUSAGE, "--workspace: the database has no workspaces");
        return rc;
    }
    const char *name = req->workspace ? req->workspace : "default";
    char count[32];
    bool found;
    if ((rc = db_pg_value(pg, "SELECT count(*) FROM workspaces", NULL, count, sizeof(count), &found,
                          err)) < 0 ||
        (rc = db_pg_value(pg, "SELECT id::text FROM workspaces WHERE name = $1", name, ws_id, size,
                          &found, err)) < 0)
        return rc;
    if (!found)
        return error_set(err, GH_EUSAGE, "the database has no workspace '%s'", name);
    /* The id goes into the queries as a literal: it must be the uuid the database holds. */
    if (strspn(ws_id, "0123456789abcdef-") != strlen(ws_id) || strlen(ws_id) != 36)
        return error_set(err, GH_EIO, "workspace '%s' has an id that is not a uuid", name);
    stats->workspaces = strtoul(count, NULL, 10);
    snprintf(stats->workspace, sizeof(stats->workspace), "%s", name);
    return 0;
}

/* ---- the whole ----------------------------------------------------------------------------------
 */

static int write_header(struct writer *w, const struct version *release, gh_error *err)
{
    const char *format = release->part[0] >= 3 ? "3.0" : release->part[1] >= 1 ? "2.1" : "1.1";
    if (w->json)
        buf_printf(&w->text, "{\n  \"_format_version\": \"%s\",\n  \"_transform\": false", format);
    else
        buf_printf(&w->text, "_format_version: \"%s\"\n_transform: false\n", format);
    return flush_text(w, err);
}

static int export_collection(struct db_pg *pg, struct writer *w, const struct spec_entity *e,
                             const char *ws_id, struct buf *sql, gh_error *err)
{
    struct pg_columns cols;
    int rc = db_pg_columns(pg, table_of(e), &cols, err);
    if (rc < 0 || cols.count == 0) { /* no table: a plugin whose migrations never ran */
        pg_columns_release(&cols);
        return rc;
    }
    size_t fields = collection_query(sql, e, &cols, ws_id);
    pg_columns_release(&cols);
    if (fields == 0)
        return 0;
    w->collection = e->name;
    w->rows_in_collection = 0;
    rc = db_pg_each(pg, buf_cstr(sql), FETCH_ROWS, take_row, w, err);
    if (rc == 0 && w->rows_in_collection) {
        w->stats->collections++;
        rc =
            end_collection(w) < 0 ? error_set(err, GH_ENOMEM, "out of memory") : flush_text(w, err);
    }
    return rc;
}

int db_export_write(struct db_pg *pg, const struct db_export_request *req, FILE *out,
                    struct db_export_stats *stats, gh_error *err)
{
    memset(stats, 0, sizeof(*stats));
    const struct spec_document *doc;
    const struct spec_entity **order = NULL;
    size_t n = 0;
    char ws_id[64];
    int rc = db_kong_document(req->kb, req->kong, &req->release, &doc, err);
    if (rc == 0)
        rc = choose_workspace(pg, req, stats, ws_id, sizeof(ws_id), err);
    if (rc == 0)
        rc = export_order(doc, &order, &n, err);
    struct writer w = {.out = out, .json = req->json, .stats = stats};
    arena_init(&w.arena, 64 * 1024);
    buf_init(&w.text, SIZE_MAX / 2);
    struct buf sql;
    buf_init(&sql, 1024 * 1024);
    if (rc == 0)
        rc = write_header(&w, &req->release, err);
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (!LISTED(order[i]->name, not_exported))
            rc = export_collection(pg, &w, order[i], ws_id, &sql, err);
    if (rc == 0 && w.json && (buf_puts(&w.text, "\n}\n") < 0 || flush_text(&w, err) < 0))
        rc = rc ? rc : error_set(err, GH_EIO, "cannot write the export");
    free(order);
    buf_release(&sql);
    buf_release(&w.text);
    arena_release(&w.arena);
    return rc;
}
