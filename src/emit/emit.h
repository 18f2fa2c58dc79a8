/*
 * Writing a converted document: the user's text with the rewrites' edits applied (comments,
 * key order, quoting and layout kept byte for byte everywhere else), a unified diff of that,
 * or the whole document re-emitted canonically as YAML or JSON.
 *
 * Edits name positions as the reader reports them (1-based lines, columns counting
 * characters); the patcher finds them again by counting as it copies the input, so the input
 * is streamed, never held whole (except for --diff, which needs the changed lines' context).
 */
#ifndef EMIT_H
#define EMIT_H

#include <stdbool.h>
#include <stdio.h>

#include "check/check.h"
#include "rewrite/rewrite.h"
#include "source/source.h"

/*
 * Orders the edits by position and drops exact repeats (a value shared through a YAML anchor
 * is rewritten once per use). Two different edits of the same text cannot both be made: that
 * is an error naming the line, and nothing is written.
 */
int emit_prepare(struct rw_log *log, gh_error *err);

/* The input with the (prepared) edits applied. */
int emit_patched(FILE *out, const struct source *src, const struct rw_log *log, gh_error *err);

/* A unified diff (three lines of context) from the input to the patched text. */
int emit_diff(FILE *out, const struct source *src, const struct rw_log *log, const char *name,
              gh_error *err);

/* The canonical writer: a check_emitter that writes each converted entry as it comes. */
struct emit_canon {
    struct check_emitter emitter;
    FILE *out;
    bool json;
    size_t entries;
    size_t items; /* of the current top-level list */
    const struct node *list_key;
    bool failed; /* a value was too large to write */
};

void emit_canon_init(struct emit_canon *c, FILE *out, bool json);
/* Closes the document; returns -1 when anything could not be written. */
int emit_canon_finish(struct emit_canon *c);

#endif
