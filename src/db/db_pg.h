/*
 * A read-only PostgreSQL session on a Kong database (libpq).
 *
 * The connection comes from a libpq connection string or postgres:// URL, or from libpq's PG*
 * environment variables when none is given; TLS modes are libpq's own (sslmode and the rest).
 * Everything runs in one REPEATABLE READ READ ONLY transaction, so every query sees one
 * snapshot and nothing can be written. The password never reaches a message: names shown are
 * user@host:port/database, and libpq's errors have the password cut out.
 */
#ifndef DB_PG_H
#define DB_PG_H

#include "db/db_migrations.h"
#include "util/util_arena.h"
#include "gatehop.h"

struct db_pg;

/* Connects and opens the transaction; GH_EIO with libpq's reason (redacted) on failure. */
int db_pg_open(struct db_pg **out, const char *conninfo, gh_error *err);
void db_pg_close(struct db_pg *pg);
/* "postgres://kong@db.internal:5432/kong": the connection without its password. */
const char *db_pg_display(const struct db_pg *pg);
/* The schema_meta table as Kong reads it (its current schema, key 'schema_meta'). */
int db_pg_read_meta(struct db_pg *pg, struct meta_state *state, gh_error *err);

/* The plugins the plugins table configures (every workspace), by name, with their counts;
 * none when there is no such table. Names live in `a`; *out is malloc'd. */
struct plugin_use;
int db_pg_plugin_uses(struct db_pg *pg, struct arena *a, struct plugin_use **out, size_t *n,
                      gh_error *err);

/* A table's columns in the current schema, with their PostgreSQL types ("uuid", "text",
 * "ARRAY", "jsonb", "timestamp with time zone", ...); count 0 when there is no such table. */
struct pg_column {
    char name[64];
    char type[48];
};
struct pg_columns {
    struct pg_column *items;
    size_t count;
};
int db_pg_columns(struct db_pg *pg, const char *table, struct pg_columns *out, gh_error *err);
void pg_columns_release(struct pg_columns *c);

/* The first column of the first row of a query with one text parameter (NULL: none), into
 * out; *found says whether there was a row. */
int db_pg_value(struct db_pg *pg, const char *sql, const char *param, char *out, size_t size,
                bool *found, gh_error *err);

/*
 * Runs a query through a cursor, `batch` rows at a time, so that a table of a million rows
 * never sits in memory: each row's first column goes to fn (text, or NULL for SQL null).
 * fn returns 0 to go on, < 0 to stop (its error is kept as it is).
 */
typedef int pg_row_fn(void *ctx, const char *value, gh_error *err);
int db_pg_each(struct db_pg *pg, const char *sql, size_t batch, pg_row_fn *fn, void *ctx,
               gh_error *err);

#endif
