/*
 * What the parts of the rewrite walk share (rewrite_log.c records changes and edits,
 * rewrite_pairs.c removes, renames and moves pairs, rewrite_apply.c walks the entries). Not for
 * other layers: they use rewrite.h.
 */
#ifndef REWRITE_INTERNAL_H
#define REWRITE_INTERNAL_H

#include "rewrite.h"

/* Where a rule is being applied: the entity, its item, its label, and the text's context. */
struct site {
    const struct spec_entity *entity; /* NULL at the top level */
    const struct node *item;
    size_t index; /* of the item in its list: labels it when nothing names it */
    bool flow;    /* inside a flow collection */
};

/* ---- rewrite_log.c: what changed, as the change log, findings and text edits say it ------ */

/* A scalar as the change log shows it: quoted, cut at 80 bytes, '<redacted>' when secret. */
const char *rw_shown(struct rw_log *log, const struct node *n, bool secret);
/* Secret by the entity's schema, or, for fields it does not describe, by name. */
bool rw_field_is_secret(const struct spec_entity *e, const struct node *item, const char *name);
/* Whether the current item may be written out anew: it defines no anchor (re-emitting it would
 * lose the anchor for later aliases), and the file is YAML. */
bool rw_may_reemit(struct rw_ctx *c);
/* "route 'orders'", or "route #3" when nothing names it. */
const char *rw_entity_label(struct rw_log *log, const struct spec_entity *e,
                            const struct node *item, size_t index);
/* Records a change and the edit that makes it (none: the item is re-emitted); in lint mode
 * the change is also a finding. */
void rw_record(struct rw_ctx *c, const struct rw_rule *r, const struct site *s,
               enum rw_change_kind kind, const char *field, const struct node *old_node,
               const char *old_text, const char *new_text, const struct rw_edit *edit);
/* The edit that replaces a scalar's text with new_node, in a style valid where it stands. */
struct rw_edit rw_replace_edit(struct rw_ctx *c, const struct site *s, const struct node *old_node,
                               const struct node *new_node);
/* A finding (HOP4008) for what a rule cannot do by itself: it stays for the user. */
void rw_manual(struct rw_ctx *c, const struct rw_rule *r, const struct site *s,
               const struct node *at, const char *what);
/* A manual or notice rule's own finding (its code, severity and text): nothing is rewritten. */
void rw_notice(struct rw_ctx *c, const struct rw_rule *r, const struct site *s,
               const struct node *at);

/* ---- rewrite_apply.c: nodes ---------------------------------------------------------------- */

/* A private copy of a container, so one of its children can change. */
struct node *rw_clone(struct rw_ctx *c, const struct node *n);
/* The position of a string key in a mapping, or -1. */
int rw_find_key(const struct node *map, const char *name, size_t len);
/* The key renamed to the rule's new name, recorded. */
const struct node *rw_rename_key(struct rw_ctx *c, const struct rw_rule *r, const struct site *s,
                                 const struct node *key);

/* ---- rewrite_pairs.c: pairs that go, are renamed onto others, or move -------------------- */

/* Where a value's text ends (a block collection: where its furthest written value ends). */
struct span rw_content_end(const struct node *n);
/* Removes pair `at` of map (why: the change's reason, NULL for the rule's); returns the map
 * as it is now. */
const struct node *rw_remove_pair(struct rw_ctx *c, const struct rw_rule *r, const struct site *s,
                                  const struct node *map, uint32_t at, const char *why);
/* A rename whose new name is already set (pair `other`). */
const struct node *rw_rename_onto(struct rw_ctx *c, const struct rw_rule *r, const struct site *s,
                                  const struct node *map, uint32_t at, uint32_t other);
/* keep_default: the rule's old default written as `field` (a key, or record.key) of map,
 * which leaves it out (a missing record is added); returns the map as it is now. */
const struct node *rw_add_default(struct rw_ctx *c, const struct rw_rule *r, const struct site *s,
                                  const struct node *map, const char *field);
/* Moves pair `at` into the rule's RECORD.FIELD beside it. */
const struct node *rw_move_pair(struct rw_ctx *c, const struct rw_rule *r, const struct site *s,
                                const struct node *map, uint32_t at);

#endif
