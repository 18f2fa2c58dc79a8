/* kong.conf and environment files through gh_lint_path(): detected by name or by
 * --input-flavor, read whole (a node's settings are a few kilobytes), checked by kongconf.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_internal.h"
#include "kongconf/kongconf.h"
#include "util/util_error.h"

#define KCONF_FILE_MAX (4 * 1024 * 1024)

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

enum kconf_kind kconf_kind_of(const char *path, const char *input_flavor)
{
    if (input_flavor)
        return !strcmp(input_flavor, "kong.conf") ? KCONF_CONF
               : !strcmp(input_flavor, "env")     ? KCONF_ENV
                                                  : KCONF_NONE;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (!strcmp(base, ".env") || ends_with(base, ".env"))
        return KCONF_ENV;
    return ends_with(base, ".conf") ? KCONF_CONF : KCONF_NONE;
}

static int read_all(struct source *src, char **text, size_t *len, gh_error *err)
{
    size_t cap = 64 * 1024;
    *text = malloc(cap);
    *len = 0;
    long n;
    while (*text && (n = source_read(src, (unsigned char *)*text + *len, cap - *len)) > 0) {
        *len += (size_t)n;
        if (*len == cap && cap < KCONF_FILE_MAX) {
            char *more = realloc(*text, cap * 2);
            if (!more)
                break;
            *text = more;
            cap *= 2;
        } else if (*len == cap) {
            free(*text);
            *text = NULL;
            return error_set(err, GH_EIO, "'%s' is larger than %d MiB: not a kong.conf", src->name,
                             KCONF_FILE_MAX / (1024 * 1024));
        }
    }
    if (!*text)
        return error_set(err, GH_ENOMEM, "out of memory");
    return n < 0 ? error_set(err, GH_EIO, "cannot read '%s'", src->name) : 0;
}

/* The release checked: --from, or the newest the knowledge has (a kong.conf does not say). */
static void fill_info(gh_result *r, enum kconf_kind kind, const struct version *at,
                      const struct version *to, bool assumed)
{
    char at_text[32], to_text[32] = "";
    version_format(at, at_text, sizeof(at_text));
    if (version_is_set(to))
        version_format(to, to_text, sizeof(to_text));
    snprintf(r->info.product, sizeof(r->info.product), "kong");
    snprintf(r->info.flavor, sizeof(r->info.flavor), "%s", kind == KCONF_ENV ? "env" : "kong.conf");
    snprintf(r->info.version, sizeof(r->info.version), "%s", to_text[0] ? to_text : at_text);
    r->info.assumed = assumed;
    snprintf(r->info.note, sizeof(r->info.note), "%s%s%s%s",
             assumed ? "the file does not say its release: checked as Kong " : "source Kong ",
             at_text, to_text[0] ? ", target Kong " : "", to_text);
}

static int check_text(const char *text, size_t len, enum kconf_kind kind,
                      const struct check_options *co, gh_result *r, gh_error *err)
{
    if (co->product && strcmp(co->product, "kong"))
        return error_set(err, GH_EUSAGE, "a %s is Kong's: --from and --to name kong releases",
                         kind == KCONF_ENV ? "KONG_* environment file" : "kong.conf");
    struct kconf_kb *kb;
    int rc = kconf_kb_load(&kb, err);
    if (rc < 0)
        return rc;
    bool assumed = !version_is_set(&co->from);
    struct version at = assumed ? kconf_kb_newest(kb) : kconf_kb_resolve(kb, &co->from);
    struct version to =
        version_is_set(&co->to) ? kconf_kb_resolve(kb, &co->to) : (struct version){0};
    if (!version_is_set(&at) || (version_is_set(&co->to) && !version_is_set(&to)))
        rc = error_set(err, GH_EVERSION, "gatehop knows kong.conf of Kong 2.0 to %u.%u only",
                       kconf_kb_newest(kb).part[0], kconf_kb_newest(kb).part[1]);
    struct kconf_input in;
    if (rc == 0 && kconf_parse(text, len, kind == KCONF_ENV, &in, &r->sink) < 0)
        rc = error_set(err, GH_ENOMEM, "out of memory");
    if (rc == 0) {
        kconf_check(kb, &in, &at, version_is_set(&to) ? &to : NULL, &r->sink);
        kconf_input_release(&in);
        fill_info(r, kind, &at, &to, assumed);
    }
    kconf_kb_free(kb);
    return rc;
}

int lint_kong_conf(const char *path, enum kconf_kind kind, const struct check_options *co,
                   gh_result *r, gh_error *err)
{
    int rc = source_open(&r->src, path, r->file, err);
    if (rc < 0)
        return rc;
    r->src_open = true;
    char *text = NULL;
    size_t len = 0;
    rc = read_all(&r->src, &text, &len, err);
    source_done_reading(&r->src);
    if (rc == 0)
        rc = check_text(text, len, kind, co, r, err);
    free(text);
    if (rc == 0) {
        diag_finish(&r->sink);
        diag_sort(&r->sink);
    }
    return rc;
}
