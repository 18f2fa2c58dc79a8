/*
 * schema_meta from a file, for an operator who may not give gatehop a connection: what
 *   psql "$URL" -c "\copy schema_meta to 'schema_meta.csv' csv header"
 * writes (CSV with a header; columns key, subsystem, last_executed, executed, pending in any
 * order; arrays as PostgreSQL writes them, {a,b}; an empty field is NULL). Only rows whose key
 * is 'schema_meta' count, as for Kong.
 */
#ifndef DB_META_CSV_H
#define DB_META_CSV_H

#include "db/db_migrations.h"
#include "gatehop.h"
#include "util/util_arena.h"

/* GH_EIO when the file cannot be read, GH_EUSAGE (with its line) when it is not such a file. */
int meta_state_read_csv(struct meta_state *state, const char *path, gh_error *err);

/*
 * The plugins in use from a file, for the same operator:
 *   \copy (SELECT name, count(*) FROM plugins GROUP BY name) to 'FILE' csv header
 * (columns name and count). Names live in `a`; *out is malloc'd.
 */
struct plugin_use;
int plugin_uses_read_csv(const char *path, struct arena *a, struct plugin_use **out, size_t *n,
                         gh_error *err);

#endif
