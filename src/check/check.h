/*
 * Checking one input file: read it entry by entry, detect what it is, choose the version to
 * check against, and walk every entity with the compiled schema, the reference index and the
 * uniqueness rules of that version. Findings go to the sink; what was detected and assumed
 * goes to check_info.
 */
#ifndef CHECK_H
#define CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "diag/diag.h"
#include "reader/reader.h"
#include "schema/schema.h"
#include "source/source.h"

struct check_options {
    const char *product;     /* from --from/--to, or NULL */
    struct version from, to; /* count 0 when not given */
    const char *input_flavor;
    const char *router_flavor;
    const char *const *custom_plugins;
    size_t custom_plugin_count;
    bool json_strict;
    struct reader_limits limits;
};

struct check_info {
    char product[16];
    char flavor[16];
    char format_version[32];
    char version[32];
    char router_flavor[32];
    char note[320];
    bool assumed;
};

int check_file(struct kb *kb, struct source *src, const struct check_options *opt,
               struct diag_sink *sink, struct check_info *info, gh_error *err);

#endif
