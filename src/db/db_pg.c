#include "db_pg.h"

#include <dlfcn.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_status.h"
#include "util/util_error.h"

/*
 * libpq is loaded when a database command first connects, not linked: it pulls in some twenty
 * libraries (TLS, Kerberos, LDAP) whose loading at every start would double the start-up of a
 * one-file lint (issue 17's figure), for a command most runs never use.
 */
static struct {
    PQconninfoOption *(*conninfoParse)(const char *, char **);
    void (*conninfoFree)(PQconninfoOption *);
    void (*freemem)(void *);
    PGconn *(*connectdbParams)(const char *const *, const char *const *, int);
    ConnStatusType (*status)(const PGconn *);
    char *(*errorMessage)(const PGconn *);
    void (*finish)(PGconn *);
    char *(*host)(const PGconn *);
    char *(*port)(const PGconn *);
    char *(*user)(const PGconn *);
    char *(*db)(const PGconn *);
    PGresult *(*exec)(PGconn *, const char *);
    PGresult *(*execParams)(PGconn *, const char *, int, const Oid *, const char *const *,
                            const int *, const int *, int);
    ExecStatusType (*resultStatus)(const PGresult *);
    void (*clear)(PGresult *);
    int (*ntuples)(const PGresult *);
    char *(*getvalue)(const PGresult *, int, int);
    int (*getisnull)(const PGresult *, int, int);
} pq;

static const struct {
    const char *name;
    void **slot;
} pq_symbols[] = {
    {"PQconninfoParse", (void **)&pq.conninfoParse},
    {"PQconninfoFree", (void **)&pq.conninfoFree},
    {"PQfreemem", (void **)&pq.freemem},
    {"PQconnectdbParams", (void **)&pq.connectdbParams},
    {"PQstatus", (void **)&pq.status},
    {"PQerrorMessage", (void **)&pq.errorMessage},
    {"PQfinish", (void **)&pq.finish},
    {"PQhost", (void **)&pq.host},
    {"PQport", (void **)&pq.port},
    {"PQuser", (void **)&pq.user},
    {"PQdb", (void **)&pq.db},
    {"PQexec", (void **)&pq.exec},
    {"PQexecParams", (void **)&pq.execParams},
    {"PQresultStatus", (void **)&pq.resultStatus},
    {"PQclear", (void **)&pq.clear},
    {"PQntuples", (void **)&pq.ntuples},
    {"PQgetvalue", (void **)&pq.getvalue},
    {"PQgetisnull", (void **)&pq.getisnull},
};

static pthread_once_t pq_once = PTHREAD_ONCE_INIT;
static char pq_problem[256]; /* empty once loaded */

static void pq_load(void)
{
    void *lib = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char *why = dlerror();
        snprintf(pq_problem, sizeof(pq_problem), "cannot load libpq (%s): install libpq5",
                 why ? why : "");
        return;
    }
    for (size_t i = 0; i < sizeof(pq_symbols) / sizeof(pq_symbols[0]); i++)
        if (!(*pq_symbols[i].slot = dlsym(lib, pq_symbols[i].name))) {
            snprintf(pq_problem, sizeof(pq_problem), "libpq has no %s", pq_symbols[i].name);
            return;
        }
}

struct db_pg {
    PGconn *conn;
    char display[512];
    char *password; /* to cut out of libpq's messages; NULL when none is known */
};

/* ---- keeping the password out ---------------------------------------------------------------- */

/* The password the connection string or the environment gives, if any: libpq parses the
 * string (key=value or URL) itself, so every spelling of it is found. */
static char *password_of(const char *conninfo)
{
    char *found = NULL;
    PQconninfoOption *opts = conninfo && *conninfo ? pq.conninfoParse(conninfo, NULL) : NULL;
    for (PQconninfoOption *o = opts; o && o->keyword; o++)
        if (!strcmp(o->keyword, "password") && o->val && *o->val)
            found = strdup(o->val);
    pq.conninfoFree(opts);
    const char *env = getenv("PGPASSWORD");
    if (!found && env && *env)
        found = strdup(env);
    return found;
}

/* msg with every occurrence of secret replaced by <redacted>, into out. */
static void redact(const char *msg, const char *secret, char *out, size_t size)
{
    size_t used = 0, slen = secret ? strlen(secret) : 0;
    out[0] = '\0';
    while (*msg && used + 1 < size) {
        if (slen && !strncmp(msg, secret, slen)) {
            int n = snprintf(out + used, size - used, "<redacted>");
            used = n < 0 || (size_t)n >= size - used ? size - 1 : used + (size_t)n;
            msg += slen;
            continue;
        }
        /* libpq's message has lines (LF, then a tab before a hint): one line here */
        if (*msg != '\t') {
            out[used++] = *msg == '\n' ? ' ' : *msg;
            out[used] = '\0';
        }
        msg++;
    }
    while (used && out[used - 1] == ' ')
        out[--used] = '\0';
}

static void describe(struct db_pg *pg)
{
    const char *host = pq.host(pg->conn), *port = pq.port(pg->conn);
    const char *user = pq.user(pg->conn), *db = pq.db(pg->conn);
    bool socket = host && host[0] == '/';
    snprintf(pg->display, sizeof(pg->display), "postgres://%s@%s%s%s/%s", user ? user : "",
             socket ? "" : (host ? host : ""), socket || !port || !*port ? "" : ":",
             socket || !port ? "" : port, db ? db : "");
    if (socket) {
        size_t used = strlen(pg->display);
        snprintf(pg->display + used, sizeof(pg->display) - used, "?host=%s", host);
    }
}

static int pg_error(struct db_pg *pg, gh_error *err, const char *what)
{
    char clean[400];
    redact(pq.errorMessage(pg->conn), pg->password, clean, sizeof(clean));
    return error_set(err, GH_EIO, "%s %s: %s", what, pg->display, clean);
}

/* ---- the session ------------------------------------------------------------------------------
 */

static int run(struct db_pg *pg, const char *sql, gh_error *err)
{
    PGresult *res = pq.exec(pg->conn, sql);
    bool ok = pq.resultStatus(res) == PGRES_COMMAND_OK;
    pq.clear(res);
    return ok ? 0 : pg_error(pg, err, "cannot read");
}

int db_pg_open(struct db_pg **out, const char *conninfo, gh_error *err)
{
    *out = NULL;
    pthread_once(&pq_once, pq_load);
    if (pq_problem[0])
        return error_set(err, GH_EIO, "%s", pq_problem);
    struct db_pg *pg = calloc(1, sizeof(*pg));
    if (!pg)
        return error_set(err, GH_ENOMEM, "out of memory");
    pg->password = password_of(conninfo);
    if (conninfo && *conninfo) {
        char *why = NULL;
        PQconninfoOption *parsed = pq.conninfoParse(conninfo, &why);
        pq.conninfoFree(parsed);
        if (!parsed) {
            char clean[400];
            redact(why ? why : "out of memory", pg->password, clean, sizeof(clean));
            pq.freemem(why);
            db_pg_close(pg);
            return error_set(err, GH_EUSAGE, "--pg: %s", clean);
        }
    }
    /* A host that does not answer must not hang a CI job: ten seconds unless the connection
     * string or PGCONNECT_TIMEOUT says otherwise (the string comes last and wins). */
    const char *timeout = getenv("PGCONNECT_TIMEOUT") ? NULL : "10";
    const char *keys[] = {"connect_timeout", "application_name", "dbname", NULL};
    const char *vals[] = {timeout, "gatehop", conninfo && *conninfo ? conninfo : NULL, NULL};
    pg->conn = pq.connectdbParams(keys, vals, 1);
    if (!pg->conn) {
        db_pg_close(pg);
        return error_set(err, GH_ENOMEM, "out of memory");
    }
    describe(pg);
    int rc = 0;
    if (pq.status(pg->conn) != CONNECTION_OK)
        rc = pg_error(pg, err, "cannot connect to");
    else if ((rc = run(pg, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err)) == 0)
        rc = run(pg, "SET LOCAL statement_timeout = '60s'", err);
    if (rc < 0) {
        db_pg_close(pg);
        return rc;
    }
    *out = pg;
    return 0;
}

void db_pg_close(struct db_pg *pg)
{
    if (!pg)
        return;
    if (pg->conn)
        pq.finish(pg->conn); /* the transaction ends with the session: nothing was written */
    if (pg->password)
        memset(pg->password, 0, strlen(pg->password));
    free(pg->password);
    free(pg);
}

const char *db_pg_display(const struct db_pg *pg)
{
    return pg->display;
}

/* ---- schema_meta --------------------------------------------------------------------------------
 */

static int add_names(struct meta_state *state, struct meta_row *row, bool pending,
                     const char *json_text, gh_error *err)
{
    json_error_t jerr;
    json_t *list = json_loads(json_text, 0, &jerr);
    int rc = 0;
    if (!json_is_array(list))
        rc = error_set(err, GH_EIO, "schema_meta: %s is not an array of names",
                       pending ? "pending" : "executed");
    for (size_t i = 0; rc == 0 && i < json_array_size(list); i++) {
        const char *name = json_string_value(json_array_get(list, i));
        if (name && meta_row_add(state, row, pending, name) < 0)
            rc = error_set(err, GH_ENOMEM, "out of memory");
    }
    json_decref(list);
    return rc;
}

static int read_row(PGresult *res, int i, struct meta_state *state, gh_error *err)
{
    const char *last = pq.getisnull(res, i, 1) ? NULL : pq.getvalue(res, i, 1);
    struct meta_row *row = meta_state_add(state, pq.getvalue(res, i, 0), last);
    if (!row)
        return error_set(err, GH_ENOMEM, "out of memory");
    int rc = 0;
    if (!pq.getisnull(res, i, 2))
        rc = add_names(state, row, false, pq.getvalue(res, i, 2), err);
    if (rc == 0 && !pq.getisnull(res, i, 3))
        rc = add_names(state, row, true, pq.getvalue(res, i, 3), err);
    return rc;
}

int db_pg_read_meta(struct db_pg *pg, struct meta_state *state, gh_error *err)
{
    /* Kong looks for schema_meta among the tables of its schema (the connection's current
     * one; kong.conf's pg_schema sets it), as information_schema shows them to the user. */
    PGresult *res = pq.exec(pg->conn, "SELECT 1 FROM information_schema.tables"
                                      " WHERE table_schema = current_schema()"
                                      "   AND table_name = 'schema_meta'");
    if (pq.resultStatus(res) != PGRES_TUPLES_OK) {
        pq.clear(res);
        return pg_error(pg, err, "cannot read");
    }
    state->has_table = pq.ntuples(res) > 0;
    pq.clear(res);
    if (!state->has_table)
        return 0;
    res = pq.exec(pg->conn, "SELECT subsystem, last_executed, array_to_json(executed)::text,"
                            "       array_to_json(pending)::text"
                            "  FROM schema_meta WHERE key = 'schema_meta' ORDER BY subsystem");
    if (pq.resultStatus(res) != PGRES_TUPLES_OK) {
        pq.clear(res);
        return pg_error(pg, err, "cannot read schema_meta of");
    }
    int rc = 0;
    for (int i = 0; rc == 0 && i < pq.ntuples(res); i++)
        rc = read_row(res, i, state, err);
    pq.clear(res);
    return rc;
}

/* ---- queries for the export ------------------------------------------------------------------ */

void pg_columns_release(struct pg_columns *c)
{
    free(c->items);
    c->items = NULL;
    c->count = 0;
}

static PGresult *exec_param(struct db_pg *pg, const char *sql, const char *param)
{
    const char *values[1] = {param};
    return pq.execParams(pg->conn, sql, param ? 1 : 0, NULL, param ? values : NULL, NULL, NULL, 0);
}

int db_pg_columns(struct db_pg *pg, const char *table, struct pg_columns *out, gh_error *err)
{
    out->items = NULL;
    out->count = 0;
    PGresult *res = exec_param(pg,
                               "SELECT column_name, data_type FROM information_schema.columns"
                               " WHERE table_schema = current_schema() AND table_name = $1"
                               " ORDER BY ordinal_position",
                               table);
    if (pq.resultStatus(res) != PGRES_TUPLES_OK) {
        pq.clear(res);
        return pg_error(pg, err, "cannot read the columns of");
    }
    int n = pq.ntuples(res);
    if (n > 0 && !(out->items = calloc((size_t)n, sizeof(*out->items)))) {
        pq.clear(res);
        return error_set(err, GH_ENOMEM, "out of memory");
    }
    for (int i = 0; i < n; i++) {
        snprintf(out->items[i].name, sizeof(out->items[i].name), "%s", pq.getvalue(res, i, 0));
        snprintf(out->items[i].type, sizeof(out->items[i].type), "%s", pq.getvalue(res, i, 1));
    }
    out->count = (size_t)n;
    pq.clear(res);
    return 0;
}

int db_pg_value(struct db_pg *pg, const char *sql, const char *param, char *out, size_t size,
                bool *found, gh_error *err)
{
    PGresult *res = exec_param(pg, sql, param);
    if (pq.resultStatus(res) != PGRES_TUPLES_OK) {
        pq.clear(res);
        return pg_error(pg, err, "cannot read");
    }
    *found = pq.ntuples(res) > 0;
    snprintf(out, size, "%s", *found ? pq.getvalue(res, 0, 0) : "");
    pq.clear(res);
    return 0;
}

/* One FETCH: each row to fn; *rows says how many came (0: the cursor is done). */
static int fetch_batch(struct db_pg *pg, const char *fetch, pg_row_fn *fn, void *ctx, int *rows,
                       gh_error *err)
{
    PGresult *res = pq.exec(pg->conn, fetch);
    if (pq.resultStatus(res) != PGRES_TUPLES_OK) {
        pq.clear(res);
        return pg_error(pg, err, "cannot read");
    }
    *rows = pq.ntuples(res);
    int rc = 0;
    for (int i = 0; rc == 0 && i < *rows; i++)
        rc = fn(ctx, pq.getisnull(res, i, 0) ? NULL : pq.getvalue(res, i, 0), err);
    pq.clear(res);
    return rc;
}

int db_pg_each(struct db_pg *pg, const char *sql, size_t batch, pg_row_fn *fn, void *ctx,
               gh_error *err)
{
    size_t n = strlen(sql) + 64;
    char *declare = malloc(n);
    if (!declare)
        return error_set(err, GH_ENOMEM, "out of memory");
    snprintf(declare, n, "DECLARE gatehop_rows NO SCROLL CURSOR FOR %s", sql);
    int rc = run(pg, declare, err);
    free(declare);
    char fetch[64];
    snprintf(fetch, sizeof(fetch), "FETCH %zu FROM gatehop_rows", batch);
    int rows = 1;
    while (rc == 0 && rows > 0)
        rc = fetch_batch(pg, fetch, fn, ctx, &rows, err);
    /* Closed whatever happened, so that the next query may declare it again. */
    PGresult *res = pq.exec(pg->conn, "CLOSE gatehop_rows");
    pq.clear(res);
    return rc;
}

int db_pg_plugin_uses(struct db_pg *pg, struct arena *a, struct plugin_use **out, size_t *n,
                      gh_error *err)
{
    *out = NULL;
    *n = 0;
    struct pg_columns cols;
    int rc = db_pg_columns(pg, "plugins", &cols, err);
    bool has = cols.count > 0;
    pg_columns_release(&cols);
    if (rc < 0 || !has)
        return rc;
    PGresult *res =
        pq.exec(pg->conn, "SELECT name, count(*) FROM plugins GROUP BY name ORDER BY name");
    if (pq.resultStatus(res) != PGRES_TUPLES_OK) {
        pq.clear(res);
        return pg_error(pg, err, "cannot read the plugins of");
    }
    int rows = pq.ntuples(res);
    if (rows > 0 && !(*out = calloc((size_t)rows, sizeof(**out))))
        rc = error_set(err, GH_ENOMEM, "out of memory");
    for (int i = 0; rc == 0 && i < rows; i++) {
        (*out)[i].name = arena_strdup(a, pq.getvalue(res, i, 0));
        (*out)[i].count = strtoul(pq.getvalue(res, i, 1), NULL, 10);
        if (!(*out)[i].name)
            rc = error_set(err, GH_ENOMEM, "out of memory");
        else
            (*n)++;
    }
    pq.clear(res);
    return rc;
}
