/*
 * Running organisation rulesets over one file: each rule that is on, each of its given paths,
 * each `then` on each match, and a finding (diag_add_custom) per function result, at the value
 * it points at, or at the closest value that exists when it points at a missing field (as
 * Spectral places them).
 *
 * A pass streams: most paths address the items of top-level lists (jpath_streamable), and run
 * on one top-level entry at a time as the file is read (rs_pass_entry), so memory stays flat.
 * The others (a path that may select the root or a whole list, or reads the root in a filter)
 * need the file as one tree (rs_pass_document), which the caller reads only when
 * rs_pass_needs_document says so, and when it cannot (a file too large to read whole) says why
 * instead (rs_pass_no_document). Findings arrive in any order; the caller sorts them.
 */
#ifndef RULESET_RUN_H
#define RULESET_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "diag/diag.h"
#include "model/model_node.h"
#include "ruleset/ruleset.h"

struct rs_pass;

/* A pass over the file at abs_path (for the ruleset's overrides; NULL: none apply). NULL when
 * out of memory. */
struct rs_pass *rs_pass_begin(const struct ruleset *rs, const char *abs_path,
                              struct diag_sink *sink);
/* One top-level entry: the key and its value (item false), or one item of its list. */
void rs_pass_entry(struct rs_pass *pass, const struct node *key, const struct node *value,
                   bool item, size_t index);
bool rs_pass_needs_document(struct rs_pass *pass);
void rs_pass_document(struct rs_pass *pass, const struct node *root);
/* The rules whose paths need the whole tree were not run: HOP9007 with why. */
void rs_pass_no_document(struct rs_pass *pass, const char *why);
/* Notes the rules not run (custom functions, the visit limit) and frees the pass. */
void rs_pass_end(struct rs_pass *pass);

#endif
