/*
 * Path globs, as users write them in .gatehop.yml and on the command line.
 *
 * '*' matches any run of characters within one path segment, '?' one character, '[a-z]' one
 * of a set ('!' or '^' first negates; a ']' first is literal; an unclosed '[' is literal),
 * and a backslash makes the next character literal. A segment of exactly two stars matches
 * zero or more segments, so kong, two stars and x.yml joined by slashes match kong/x.yml and
 * kong/a/b/x.yml. Matching is on bytes
 * and case-sensitive; a leading dot is not special (hidden files are skipped by whoever
 * lists directories, not here).
 */
#ifndef UTIL_GLOB_H
#define UTIL_GLOB_H

#include <stdbool.h>

bool glob_match(const char *pattern, const char *path);
/* Whether text holds a glob metacharacter ('*', '?' or '['), i.e. is a pattern, not a name. */
bool glob_has_magic(const char *text);

#endif
