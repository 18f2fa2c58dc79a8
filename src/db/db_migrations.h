/*
 * Kong's database migrations and what a database says of them.
 *
 * The knowledge (schemas/kong/migrations.yaml, generated from Kong's source at every release
 * tag) lists, per subsystem (core, and each bundled plugin that has migrations), the
 * migrations in the order `kong migrations` runs them, the first release that has each, and
 * the first release whose migration has a teardown step (then `up` leaves it pending until
 * `finish`). A database keeps its side in the schema_meta table: one row per subsystem with
 * the migrations executed, those pending, and the last one executed.
 *
 * Knowledge and rows in, facts out: nothing here connects to a database or prints.
 */
#ifndef DB_MIGRATIONS_H
#define DB_MIGRATIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "gatehop.h"
#include "util/util_arena.h"
#include "util/util_version.h"

struct migration {
    const char *name;
    struct version since;
    struct version teardown; /* unset: never has a teardown step */
};

struct migration_subsystem {
    const char *name;
    struct migration *items;
    size_t count;
};

struct migration_kb {
    struct migration_subsystem *subsystems; /* core first */
    size_t count;
    struct version *releases; /* every release tag read, oldest first */
    size_t nreleases;
    struct arena arena;
};

/* Loads the knowledge compiled into the binary; GH_ESCHEMA when it is malformed. */
int migration_kb_load(struct migration_kb *kb, gh_error *err);
void migration_kb_release(struct migration_kb *kb);
const struct migration_subsystem *migration_kb_subsystem(const struct migration_kb *kb,
                                                         const char *name);
/* Whether release `at` runs this migration, and whether it has a teardown step there. */
bool migration_in(const struct migration *m, const struct version *at);
bool migration_has_teardown(const struct migration *m, const struct version *at);
/* The newest release tag the knowledge has of the minor release v names (3.7 -> 3.7.1), or
 * v itself when it names a tag; unset when the knowledge has no such release. */
struct version migration_kb_resolve(const struct migration_kb *kb, const struct version *v);

/* One schema_meta row. */
struct meta_row {
    const char *subsystem;
    const char *last_executed; /* NULL when the column is null */
    const char **executed;
    size_t nexecuted;
    const char **pending;
    size_t npending;
};

/* What a database says: whether it has a schema_meta table, and its rows for key
 * 'schema_meta' (the rows Kong reads). */
struct meta_state {
    bool has_table;
    struct meta_row *rows;
    size_t count, cap;
    struct arena arena;
};

void meta_state_init(struct meta_state *s);
void meta_state_release(struct meta_state *s);
/* A new row; its strings are copied into the state's arena. NULL when out of memory. */
struct meta_row *meta_state_add(struct meta_state *s, const char *subsystem,
                                const char *last_executed);
/* Appends a name to a row's executed (or pending) list; -1 when out of memory. */
int meta_row_add(struct meta_state *s, struct meta_row *row, bool pending, const char *name);
const struct meta_row *meta_state_row(const struct meta_state *s, const char *subsystem);
/*
 * Parses a PostgreSQL text array literal ({a,b,"c d"}) into names added to the row's list.
 * Returns 0, -1 out of memory, -2 when the text is not an array of strings.
 */
int meta_row_add_array(struct meta_state *s, struct meta_row *row, bool pending, const char *text);

#endif
