/*
 * kong.conf, and its KONG_* environment form, checked as each Kong release's configuration
 * loader reads it (kong/conf_loader): which properties a release reads (the names in its
 * kong_defaults.lua and the names under a dynamic prefix such as nginx_http_; any other name
 * is dropped without a word), their types and allowed values, deprecations, and the defaults
 * that change between releases. The knowledge is schemas/kong/conf.yaml, generated from
 * Kong's source at every tag (schemas/tools/kong/kong_conf.py).
 *
 * Text in, findings out (HOP47xx): nothing here opens files or prints.
 */
#ifndef KONGCONF_H
#define KONGCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag/diag.h"
#include "gatehop.h"
#include "util/util_version.h"

/* One setting as written: kong.conf's `name = value`, or an environment file's KONG_NAME=value. */
struct kconf_entry {
    char *name;  /* as Kong reads it: lower case, KONG_ taken off */
    char *value; /* its comment and surrounding blanks taken off, \# made # */
    uint32_t line, name_column, value_column;
};

struct kconf_input {
    struct kconf_entry *entries;
    size_t count, cap;
};

/* Parses kong.conf text (env: an environment file of KONG_* lines). Lines that are neither
 * settings nor comments are reported as HOP4704 in sink. -1 when out of memory. */
int kconf_parse(const char *text, size_t len, bool env, struct kconf_input *out,
                struct diag_sink *sink);
void kconf_input_release(struct kconf_input *in);

struct kconf_kb;
int kconf_kb_load(struct kconf_kb **out, gh_error *err);
void kconf_kb_free(struct kconf_kb *kb);
/* The newest release the knowledge has (what a file that does not say is checked against). */
struct version kconf_kb_newest(const struct kconf_kb *kb);
/* A release tag the knowledge has for v (3.4 -> 3.4.2), unset when none. */
struct version kconf_kb_resolve(const struct kconf_kb *kb, const struct version *v);

/* The name `to` reads in place of a property it no longer reads or deprecates: the
 * replacement Kong named, when it is one property that `to` reads; else NULL. */
const char *kconf_rename_for(const struct kconf_kb *kb, const char *name, const struct version *to);

/*
 * Checks the settings as release `at` reads them, and with `to` set (a later release), what
 * changes on the way: properties it no longer reads, deprecations, defaults that change for
 * properties the file leaves out.
 */
void kconf_check(const struct kconf_kb *kb, const struct kconf_input *in, const struct version *at,
                 const struct version *to, struct diag_sink *sink);

#endif
