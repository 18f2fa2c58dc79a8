/*
 * An upgrade plan: the hops from one release of a product to a later one and, for each hop,
 * the steps its deployment mode takes (schemas/<product>/plan.yaml) and the configuration
 * changes the hop's upgrade rules check (upgrades.yaml). Knowledge in, a plan out: nothing
 * here reads a user's file or prints.
 *
 * Invariants: hops are consecutive (each starts where the one before ended) and go through
 * every release the product lists between the two ends, because the vendors test upgrades
 * between adjacent minor releases. Every string lives in the plan's arena.
 */
#ifndef PLAN_H
#define PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "schema/schema.h"
#include "util/util_arena.h"

struct plan_step {
    int phase; /* an index into kb_plan_phases */
    const char *text;
};

/* The upgrade rules of one hop that give the same reason, as one line of the plan. */
struct plan_change {
    const char *code; /* "HOP4008" */
    const char *why;
    size_t rules; /* how many rules give this reason */
};

struct plan_hop {
    const char *from, *to; /* as the user wrote the ends ("3.8.1"), else the listed release */
    struct plan_step *steps;
    size_t nsteps;
    struct plan_change *changes;
    size_t nchanges;
};

struct upgrade_plan {
    const struct kb_product *source; /* the knowledge the plan was built from */
    const char *product, *display;
    const char *from, *to;
    const char *mode; /* "hybrid" */
    const char *mode_description;
    bool mode_assumed;   /* the default mode, not named by the user */
    const char *edition; /* NULL when the product has no editions */
    const char *edition_description;
    bool edition_assumed;
    bool edition_only;  /* assumed because no other edition has both releases */
    const char **notes; /* about the plan as a whole */
    size_t nnotes;
    struct plan_hop *hops;
    size_t nhops;
    struct arena arena;
};

/* What the user asked for: a product's release to start from and one to arrive at. */
struct plan_request {
    const struct kb_product *product;
    struct version from, to;
    const char *from_text, *to_text;
    const char *mode;    /* NULL: the plan's default */
    const char *edition; /* NULL: the plan's default */
};

/* Fails with GH_EVERSION for a release the product does not list and GH_EUSAGE for a
 * request the product's plan cannot answer (no plan, a mode it does not know, going back). */
int upgrade_plan_build(struct upgrade_plan *plan, const struct plan_request *req, gh_error *err);
void upgrade_plan_release(struct upgrade_plan *plan);

#endif
