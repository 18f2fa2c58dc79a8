/*
 * `gatehop db export`: a Kong database's entities written as `kong config db_export` writes
 * them, read straight from the tables, with no Kong node.
 *
 * What Kong's export does (kong/db/declarative/export.lua): every entity collection but the
 * workspaces and those Kong marks db_export = false, flat (no nesting), each row with every
 * field of the entity's schema at the database's release (nulls written), foreign keys as the
 * bare id, timestamps as epoch seconds, one workspace's rows; `_format_version` and
 * `_transform: false` first. Which fields an entity has comes from gatehop's knowledge of that
 * release (schemas/kong/entities), met with the table's own columns: a field with no column
 * is left out, a column no field names (ws_id, cache_key) too.
 *
 * Rows are read through a cursor a thousand at a time and written as they come, so memory
 * stays flat however large the database.
 */
#ifndef DB_EXPORT_H
#define DB_EXPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "db/db_pg.h"
#include "schema/schema.h"

struct db_export_request {
    struct kb *kb;
    const struct kb_product *kong;
    struct version release; /* the database's (db_status_check()), a minor release */
    const char *workspace;  /* NULL: the default one */
    bool json;              /* JSON instead of YAML */
};

struct db_export_stats {
    size_t entities;     /* rows written */
    size_t collections;  /* collections with at least one row */
    size_t workspaces;   /* in the database; 0 when it has none (2.0) */
    char workspace[128]; /* the one exported ("" when the database has none) */
};

int db_export_write(struct db_pg *pg, const struct db_export_request *req, FILE *out,
                    struct db_export_stats *stats, gh_error *err);

#endif
