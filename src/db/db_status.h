/*
 * `gatehop db status`: what a Kong database's schema_meta says against Kong's migrations.
 *
 * It names the release the database's migrations belong to and what stands in the way of a
 * node of another release: migrations an earlier `up` left for `finish`, what `kong migrations
 * up` of the target will run (and which of those will wait for `finish` in turn), migrations
 * the target does not know (the database is newer), plugin subsystems the target does not
 * bundle, and a release jump Kong does not support. Each is a finding (HOP46xx) in the sink.
 * It models Kong's own reading of schema_meta (kong/db/migrations/state.lua): a migration is
 * executed or pending when its row lists it, else new after the row's last executed one and
 * missing before it.
 */
#ifndef DB_STATUS_H
#define DB_STATUS_H

#include <stdbool.h>

#include "db/db_migrations.h"
#include "diag/diag.h"
#include "schema/schema.h"

/* A plugin the database's plugins table configures, and on how many rows. */
struct plugin_use {
    const char *name;
    size_t count;
};

struct db_status_request {
    const struct migration_kb *migrations;
    const struct kong_knowledge {
        struct kb *kb;
        const struct kb_product *product; /* its plan says which jumps Kong supports */
    } kong;
    const struct meta_state *state;
    /* The plugins in use (NULL when not read: schema_meta from a file); the target must
     * bundle each, or a Kong node refuses to start ("... plugin is in use but not enabled"). */
    const struct plugin_use *plugins;
    size_t nplugins;
    struct version to; /* unset: no target, only the database's own state */
    const char *to_text;
};

struct db_status_outcome {
    bool known;           /* the migrations are those of one or more known releases */
    struct version first; /* the oldest and newest release tags they match */
    struct version last;
    char summary[512]; /* one sentence: the release, or why it is not known */
};

int db_status_check(const struct db_status_request *req, struct diag_sink *sink,
                    struct db_status_outcome *out, gh_error *err);

#endif
