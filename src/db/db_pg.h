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
#include "gatehop.h"

struct db_pg;

/* Connects and opens the transaction; GH_EIO with libpq's reason (redacted) on failure. */
int db_pg_open(struct db_pg **out, const char *conninfo, gh_error *err);
void db_pg_close(struct db_pg *pg);
/* "postgres://kong@db.internal:5432/kong": the connection without its password. */
const char *db_pg_display(const struct db_pg *pg);
/* The schema_meta table as Kong reads it (its current schema, key 'schema_meta'). */
int db_pg_read_meta(struct db_pg *pg, struct meta_state *state, gh_error *err);

#endif
