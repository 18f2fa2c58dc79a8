/*
 * Files compiled into the binary at build time (schemas/ and docs/rules/), sorted by path.
 */
#ifndef UTIL_EMBED_H
#define UTIL_EMBED_H

#include <stddef.h>

struct embedded_file {
    const char *path; /* relative to the repository root: "schemas/kong/product.yaml" */
    const char *data; /* NUL-terminated */
    size_t size;
};

extern const struct embedded_file embedded_files[];
extern const size_t embedded_file_count;

const struct embedded_file *embedded_find(const char *path);

#endif
