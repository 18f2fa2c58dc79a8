/*
 * Rewriting a config from one release to a later one, hop by hop, by the rules of the
 * product's upgrades.yaml (docs/schema-format.md, "Upgrade rules").
 *
 * A plan lists the hops (2.8 to 3.0, 3.0 to 3.1, ...) and, in order, the rules whose
 * conditions hold for this file. Applying the plan to an entry of the file gives the entry
 * as the target release should see it, and records in a log what changed: one rw_change
 * per rewrite (for findings and the change log) and the text edits that make the same change
 * in the user's file (for convert).
 *
 * Invariants: the input tree is never modified. A rewritten entry shares every unchanged
 * node with the input and holds copies of the containers on the way to a change, allocated
 * in the arena the caller gives (valid until the caller resets it). Edits name spans of the
 * input file; an edit whose span lies outside the entry being rewritten (a value shared
 * through a YAML anchor) is recorded like any other, and emit/ resolves the duplicates.
 */
#ifndef REWRITE_H
#define REWRITE_H

#include <stdbool.h>
#include <stddef.h>

#include "diag/diag.h"
#include "model/model_node.h"
#include "model/model_path.h"
#include "model/model_write.h"
#include "reader/reader_lenient.h"
#include "schema/schema.h"
#include "schema/schema_named.h"
#include "schema/schema_validate.h"

enum rw_op {
    RW_SET,
    RW_RENAME,
    RW_TRANSFORM,
    RW_REMOVE,
    RW_MAP,
    RW_MOVE,
    RW_MANUAL,
    RW_JOIN,
    RW_NOTICE,
    RW_KEEP_DEFAULT, /* a field left out gets the old default written, so behaviour stays */
    RW_WRAP          /* a single value becomes a list of one */
};

struct rw_rule {
    enum rule_id rule;
    size_t hop;
    const struct node *at; /* a list of entity names, or NULL for the top level */
    const char *field;     /* a key; dots descend into records ("config.allow"); "*" is every key */
    bool each;             /* the rule applies to each element of a list */
    enum rw_op op;
    const struct node *where;   /* the entity's fields must have these values, or NULL */
    const struct node *value;   /* RW_SET: a scalar; RW_MAP: a mapping of old to new values;
                                   RW_KEEP_DEFAULT: the old default */
    const char *new_name;       /* RW_RENAME; RW_MOVE: "record.field" beside the old field;
                                   RW_KEEP_DEFAULT: the field, for the change log */
    const char *manual;         /* RW_MANUAL: what the user has to do instead (HOP4008); RW_NOTICE:
                                   how the gateway's behaviour changes */
    const char *separator;      /* RW_JOIN: a list of strings becomes one, joined by this */
    const struct node *ignored; /* RW_MOVE: values the target ignores: removed, not moved */
    /* RW_RENAME onto a key that is set too: the value the source release used ('o'ld, 'n'ew),
     * or 0 when that is the user's to decide. */
    char both_set;
    named_transform_fn transform;
    int severity; /* the finding's severity, or -1 for the code's default */
    const char *why;
    /* The rule migrates a file in an old format (`when: format_version`), as the gateway does
     * when it loads one: its change and the marker's stand or fall together. */
    bool about_format;
};

struct rw_hop {
    struct version from, to;
    const char *format_version; /* the file's marker as the hop starts; NULL when absent */
};

struct rw_plan {
    const char *product;
    struct rw_hop *hops;
    size_t nhops;
    struct rw_rule *rules; /* hop by hop; only those whose conditions hold */
    size_t nrules;
    const char *format_field;            /* "_format_version", or NULL */
    const char *final_format;            /* the marker after the last hop; NULL when absent */
    const struct rw_rule *insert_format; /* sets a missing marker, or NULL */
    struct arena arena;
};

/*
 * The plan from `from` to `to` for a file whose marker is format_version (NULL when it has
 * none), with the rules of the edition (NULL: the product has none). No hops when to is not
 * later than from. Fails on a rule the engine cannot apply.
 */
int rw_plan_build(struct rw_plan *plan, const struct kb_product *p, const struct version *from,
                  const struct version *to, const char *format_version, const char *edition,
                  gh_error *err);
void rw_plan_release(struct rw_plan *plan);
/* "2.8 -> 3.0" */
void rw_hop_text(const struct rw_hop *hop, char *out, size_t size);

enum rw_change_kind {
    CHANGE_VALUE,  /* a value became another */
    CHANGE_KEY,    /* a key was renamed */
    CHANGE_ADDED,  /* a missing key was added */
    CHANGE_REMOVED /* a key and its value were removed */
};

/* One rewrite, as the change log and the findings show it. Strings live in the log's arena. */
struct rw_change {
    enum rule_id rule;
    enum rw_change_kind kind;
    size_t hop;
    struct span span;
    const char *path;
    const char *entity;
    const char *field;               /* the key changed, or whose value changed */
    const char *old_text, *new_text; /* quoted for display; secrets are '<redacted>' */
    const char *why;
    int severity;      /* -1: the code's default */
    bool about_format; /* made by a rule about the file's format (struct rw_rule) */
};

enum rw_edit_kind {
    EDIT_REPLACE,     /* a node's text (after its &anchor and !tag) becomes text */
    EDIT_DELETE,      /* exactly the text of span becomes text (a removed pair: "" or "{}") */
    EDIT_INSERT_PAIR, /* a new first key of a mapping, before span's start */
    EDIT_COLON        /* a key's ':' (span) becomes text; dropped when a cut covers it */
};

struct rw_edit {
    enum rw_edit_kind kind;
    struct span span;
    const char *text;     /* REPLACE: the new text; INSERT: "key: value" */
    bool keep_line_break; /* REPLACE of a block scalar, whose span ends past its line break */
    size_t change;        /* the rw_change it makes */
};

struct rw_log {
    struct rw_change *changes;
    size_t nchanges, changes_cap;
    struct rw_edit *edits;
    size_t nedits, edits_cap;
    struct arena arena;
    bool failed; /* out of memory: the log is incomplete */
};

void rw_log_init(struct rw_log *log);
void rw_log_release(struct rw_log *log);

/* What one walk needs. The caller resets `nodes` between entries, after checking each. */
#define RW_AT_WORDS 4 /* 256 rules */

struct rw_ctx {
    const struct rw_plan *plan;
    const struct spec_document *doc;
    struct rw_log *log;
    struct diag_sink *sink;   /* when set, every change is also a finding (lint --to) */
    struct diag_sink *manual; /* what a rule cannot change by itself (both modes) */
    struct arena *nodes;
    bool json;                          /* the file is JSON: edits are written as JSON */
    enum placeholder_kind placeholders; /* values holding these are kept as written */
    bool format_seen;                   /* the top level had the marker */
    struct span removed[64];            /* where keys removed from the text stood */
    size_t nremoved;
    /* Records a move created, whose text is one edit re-written as more fields move in. */
    struct rw_made {
        const struct node *record;
        size_t edit;
        const char *prefix;    /* "queue: " before the record's text, or "" */
        unsigned block_column; /* written in block style from this column; 0: on one line */
    } made[16];
    size_t nmade; /* reset for each entry */
    /* The current item (rw_item()), and whether it may be written out anew where a cut is not
     * clean: asked only when a cut is not clean (rw_may_reemit()), since the answer walks it. */
    const struct node *item;
    enum { REEMIT_UNASKED, REEMIT_ALLOWED, REEMIT_REFUSED } may_reemit;
    bool reemit; /* ... and must be */
    struct path path;
    /* Which rules an entity kind's `at` names (bit i: plan->rules[i]), found at its first
     * entity instead of at every one; plans with more rules than bits look each time. */
    struct rw_rules_at {
        const struct spec_entity *entity;
        uint64_t bits[RW_AT_WORDS];
        bool by_name; /* one of them has `where: {name: ...}` */
    } at[16];
    size_t nat;
    /* Which of an entity kind's rules an item's `name` lets hold (bit i: the rule has no
     * `where` on `name`, or its item's name meets it), per kind and name: a plugin's name
     * decides most of its rules, and a file repeats few plugin names. */
    struct rw_rules_named {
        const struct spec_entity *entity;
        const char *name; /* in the log's arena */
        uint64_t bits[RW_AT_WORDS];
    } named[64];
    size_t nnamed;
};

/* The first top-level key: where a missing marker is inserted. Call once, first. */
void rw_begin(struct rw_ctx *c, const struct node *first_key);
/* A top-level key and its value (not a list): may rename the key and rewrite the value. */
void rw_top_value(struct rw_ctx *c, const struct node **key, const struct node **value);
/* The key of a top-level list, before its items: may rename it. */
void rw_list_key(struct rw_ctx *c, const struct node **key);
/* One entity and everything nested in it; returns the entity as the target sees it. */
const struct node *rw_item(struct rw_ctx *c, const struct spec_entity *e, const struct node *key,
                           const struct node *item, size_t index);
/*
 * A space after each ':' of the plan (quoted keys the reader read as tinyyaml does,
 * reader_lenient.h), in hop `hop`: each recorded in the log (HOP1001) with its edit, never as
 * a finding (the checks report the colons that stay). Call after the last entry: a colon in a
 * pair the rewrites cut is left out.
 */
void rw_spaces_after_colons(struct rw_ctx *c, size_t hop, const struct lenient_plan *plan,
                            const char *why);

#endif
