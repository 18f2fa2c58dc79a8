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
/*
 * The name nearest to key for a "did you mean": at most two edits away, three for names of
 * five letters and more ("retry" and "retries"); NULL when none is that near. The names are
 * read with a stride, so a member of an array of structs is searched in place: first points at
 * the first element's `const char *`.
 */
const char *str_closest(const char *key, const void *first, size_t count, size_t stride);

/*
 * Whether a key names a secret whatever the schema says ("password", "client_secret",
 * "api-key", ...): its last word is one of the secret words.
 */
bool str_names_secret(const char *key, size_t len);

/* The value of a hexadecimal digit (either case), or -1 for any other character. */
int str_hex_value(int c);

#endif
