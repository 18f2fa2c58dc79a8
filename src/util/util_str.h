/*
 * Small string helpers.
 */
#ifndef UTIL_STR_H
#define UTIL_STR_H

#include <stdbool.h>
#include <stddef.h>

/* Levenshtein distance, capped: strings over 63 bytes count as far apart. */
size_t str_edit_distance(const char *a, const char *b);
bool str_ends_with(const char *s, const char *suffix);

#endif
