/*
 * A baseline: the findings a project has accepted for now, so that a large legacy config can
 * adopt gatehop without fixing everything first. Written by `gatehop lint --write-baseline`:
 *
 *   {"version": 1, "findings": [
 *     {"file": "kong/legacy.yml", "code": "HOP2001", "path": "/services/0/retries"},
 *     ...]}
 *
 * A finding is covered by an entry with the same file (relative to the baseline's directory),
 * code and JSON pointer; each entry covers one finding, so a second finding of the same kind
 * at the same place is new. Lines are not part of the key: edits above a finding do not
 * un-baseline it. Entries are sorted by file, code and path, one per line, for small diffs.
 */
#ifndef CONFIG_BASELINE_H
#define CONFIG_BASELINE_H

#include <stddef.h>
#include <stdio.h>

#include "gatehop.h"
#include "util/util_arena.h"

struct baseline_entry {
    const char *file, *code, *path;
};

struct baseline {
    char *path; /* absolute */
    char *dir;
    struct arena arena;
    struct baseline_entry *entries; /* sorted */
    size_t count;
};

/* A mistake in the file is GH_EUSAGE, with its line and column when it is not JSON. */
int baseline_load(const char *path, struct baseline **out, gh_error *err);
void baseline_free(struct baseline *b);
/* The entries for one file, as the baseline names it; *count 0 when none. */
const struct baseline_entry *baseline_for_file(const struct baseline *b, const char *file,
                                               size_t *count);
/* Sorts the entries and writes them as a baseline file; -1 when the output failed. */
int baseline_write(FILE *out, struct baseline_entry *entries, size_t count);

#endif
