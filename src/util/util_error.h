/*
 * Filling a gh_error (see gatehop.h): the first error wins, later ones are dropped, so the
 * message a user sees names the root cause rather than its consequences.
 */
#ifndef UTIL_ERROR_H
#define UTIL_ERROR_H

#include "gatehop.h"
#include "util_arena.h"

/* Sets err (when not already set) and returns status, so failures are one line. */
int error_set(gh_error *err, int status, const char *fmt, ...) GH_PRINTF(3, 4);
int error_set_at(gh_error *err, int status, const char *file, unsigned line, unsigned column,
                 const char *fmt, ...) GH_PRINTF(6, 7);
void error_clear(gh_error *err);

#endif
