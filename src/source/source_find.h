/*
 * The input files that command-line arguments name: a file as given, the configuration files
 * under a directory, or the files a glob matches.
 *
 * Invariants: each file is listed once (compared as absolute paths), under the spelling of its
 * first mention; a directory contributes its *.yml, *.yaml and *.json files (any case), hidden
 * entries ('.' first) skipped, in byte
 * order of their paths; symbolic links to files count as files, links to directories are not
 * followed (no loops). Searches stop below SOURCE_FIND_MAX_DEPTH directories.
 */
#ifndef SOURCE_FIND_H
#define SOURCE_FIND_H

#include <stdbool.h>
#include <stddef.h>

#include "gatehop.h"
#include "util/util_strmap.h"

#define SOURCE_FIND_MAX_DEPTH 64

struct found_file {
    char *path;
    bool searched; /* found by a directory or glob search, not named */
};

struct found_files {
    struct found_file *items;
    size_t count, cap;
    struct strmap seen;
};

void found_files_init(struct found_files *f);
void found_files_release(struct found_files *f);

/*
 * Adds the files `arg` names: "-" and any path that is not a directory as given (whether it
 * exists is for the reader to say), a directory searched, and a name holding glob
 * metacharacters that is no file expanded (util_glob.h). *named counts the files it named,
 * repeats included: 0 when a search matched nothing. Returns 0, or a negative status (a
 * directory that cannot be read, out of memory) after adding what it could.
 */
int found_files_add(struct found_files *f, const char *arg, size_t *named, gh_error *err);

#endif
