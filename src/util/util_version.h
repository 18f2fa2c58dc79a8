/*
 * Release versions: dotted numbers such as "3.4" or "2.8.1", compared part by part. A missing
 * part counts as 0, so "3.4" == "3.4.0".
 */
#ifndef UTIL_VERSION_H
#define UTIL_VERSION_H

#include <stdbool.h>
#include <stddef.h>

#define VERSION_PARTS 4

struct version {
    unsigned part[VERSION_PARTS];
    unsigned count; /* 0 for "no version" */
};

/* Parses a dotted number; false when s is not one (trailing text, empty parts, > 4 parts). */
bool version_parse(const char *s, size_t len, struct version *out);
int version_compare(const struct version *a, const struct version *b);
/* Formats with exactly v->count parts. */
void version_format(const struct version *v, char *out, size_t size);
bool version_is_set(const struct version *v);
/* True when a and b have the same major and minor parts. */
bool version_same_minor(const struct version *a, const struct version *b);
/* Of release tags (oldest first), the one v names: v itself when it gives a patch, else the
 * newest tag of its minor release (3.7 -> 3.7.1); unset when there is none. */
struct version version_tag_for(const struct version *tags, size_t n, const struct version *v);

#endif
