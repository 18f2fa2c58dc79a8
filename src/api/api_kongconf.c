/* kong.conf and environment files through gh_lint_path(): detected by name or by
 * --input-flavor, read whole (a node's settings are a few kilobytes), checked by kongconf.h. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_internal.h"
#include "kongconf/kongconf.h"
#include "util/util_array.h"
#include "util/util_buf.h"
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
    /* Without --from: the target's release when there is one (no defaults compared: the
     * file's own release is not known), else the newest. */
    bool assumed = !version_is_set(&co->from);
    struct version to =
        version_is_set(&co->to) ? kconf_kb_resolve(kb, &co->to) : (struct version){0};
    struct version at = !assumed                  ? kconf_kb_resolve(kb, &co->from)
                        : version_is_set(&co->to) ? to
                                                  : kconf_kb_newest(kb);
    if (!version_is_set(&at) || (version_is_set(&co->to) && !version_is_set(&to)))
        rc = error_set(err, GH_EVERSION, "gatehop knows kong.conf of Kong 2.0 to %u.%u only",
                       kconf_kb_newest(kb).part[0], kconf_kb_newest(kb).part[1]);
    if (assumed)
        to = (struct version){0};
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
    int rc = result_open_source(r, path, err);
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

/* ---- convert: renamed properties rewritten in the text ------------------------------------------
 */

struct rename {
    const struct kconf_entry *e;
    const char *to;
};

/* The renames `to` needs, in file order (entries are): none where the new name is set too. */
static size_t renames(const struct kconf_kb *kb, const struct kconf_input *in,
                      const struct version *to, struct rename *out)
{
    size_t n = 0;
    for (size_t i = 0; i < in->count; i++) {
        const char *new_name = kconf_rename_for(kb, in->entries[i].name, to);
        bool taken = false;
        for (size_t k = 0; new_name && k < in->count; k++)
            taken |= !strcmp(in->entries[k].name, new_name);
        if (new_name && !taken)
            out[n++] = (struct rename){&in->entries[i], new_name};
    }
    return n;
}

/* How a name is written in the file: as is in kong.conf, KONG_NAME in an environment file. */
static void written_name(enum kconf_kind kind, const char *name, char *out, size_t size)
{
    snprintf(out, size, "%s%s", kind == KCONF_ENV ? "KONG_" : "", name);
    for (char *c = out; kind == KCONF_ENV && *c; c++)
        *c = (char)toupper((unsigned char)*c);
}

/* The text with each rename made: the name at its line and column replaced. */
static int rewrite(const char *text, size_t len, enum kconf_kind kind, const struct rename *r,
                   size_t n, struct buf *out)
{
    uint32_t line = 1;
    size_t k = 0;
    for (size_t at = 0; at < len;) {
        const char *nl = memchr(text + at, '\n', len - at);
        size_t end = nl ? (size_t)(nl - text) + 1 : len;
        if (k < n && r[k].e->line == line) {
            char old_name[300], new_name[300];
            written_name(kind, r[k].e->name, old_name, sizeof(old_name));
            written_name(kind, r[k].to, new_name, sizeof(new_name));
            size_t col = r[k].e->name_column - 1, old_len = strlen(old_name);
            if (buf_append(out, text + at, col) < 0 || buf_puts(out, new_name) < 0 ||
                buf_append(out, text + at + col + old_len, end - at - col - old_len) < 0)
                return -1;
            k++;
        } else if (buf_append(out, text + at, end - at) < 0) {
            return -1;
        }
        at = end;
        line++;
    }
    return 0;
}

/* Each rename in the change log, as convert's summary and reports show changes. */
static int log_renames(gh_result *r, const struct rename *rn, size_t n)
{
    struct rw_log *log = &r->log;
    for (size_t i = 0; i < n; i++) {
        struct rw_change *grown =
            array_grow(log->changes, &log->changes_cap, log->nchanges, sizeof(*grown), 8);
        if (!grown)
            return -1;
        log->changes = grown;
        const struct kconf_entry *e = rn[i].e;
        grown[log->nchanges++] = (struct rw_change){
            .rule = R_HOP4703,
            .kind = CHANGE_KEY,
            .span = {e->line, e->name_column, e->line, e->name_column + (uint32_t)strlen(e->name)},
            .path = arena_printf(&log->arena, "/%s", e->name),
            .field = arena_strdup(&log->arena, e->name),
            .old_text = arena_strdup(&log->arena, e->name),
            .new_text = arena_strdup(&log->arena, rn[i].to),
            .severity = -1};
    }
    return 0;
}

static int convert_text(const char *text, size_t len, enum kconf_kind kind,
                        const struct check_options *co, gh_result *r, struct buf *out,
                        gh_error *err)
{
    struct kconf_kb *kb;
    int rc = kconf_kb_load(&kb, err);
    if (rc < 0)
        return rc;
    struct version to = kconf_kb_resolve(kb, &co->to);
    struct version at = version_is_set(&co->from) ? kconf_kb_resolve(kb, &co->from) : to;
    if (!version_is_set(&to) || !version_is_set(&at))
        rc = error_set(err, GH_EVERSION, "gatehop knows kong.conf of Kong 2.0 to %u.%u only",
                       kconf_kb_newest(kb).part[0], kconf_kb_newest(kb).part[1]);
    struct diag_sink scratch;
    diag_sink_init(&scratch, 16);
    struct kconf_input in = {0}, after = {0};
    struct rename *rn = NULL;
    size_t n = 0;
    if (rc == 0 && (kconf_parse(text, len, kind == KCONF_ENV, &in, &scratch) < 0 ||
                    !(rn = calloc(in.count + 1, sizeof(*rn)))))
        rc = error_set(err, GH_ENOMEM, "out of memory");
    if (rc == 0)
        n = renames(kb, &in, &to, rn);
    if (rc == 0 && (rewrite(text, len, kind, rn, n, out) < 0 || log_renames(r, rn, n) < 0))
        rc = error_set(err, GH_ENOMEM, "out of memory");
    /* What is left to do is what the converted text still has. */
    if (rc == 0 && kconf_parse(buf_cstr(out), out->len, kind == KCONF_ENV, &after, &r->sink) < 0)
        rc = error_set(err, GH_ENOMEM, "out of memory");
    if (rc == 0) {
        kconf_check(kb, &after, &at, version_compare(&at, &to) ? &to : NULL, &r->sink);
        fill_info(r, kind, &at, &to, false);
        char a[32], b[32];
        version_format(&at, a, sizeof(a));
        version_format(&to, b, sizeof(b));
        snprintf(r->info.hops[0], sizeof(r->info.hops[0]), "%.9s -> %.9s", a, b);
        r->info.nhops = 1;
    }
    free(rn);
    kconf_input_release(&in);
    kconf_input_release(&after);
    diag_sink_release(&scratch);
    kconf_kb_free(kb);
    return rc;
}

int convert_kong_conf(const char *path, enum kconf_kind kind, const struct check_options *co,
                      gh_result *r, FILE *out, bool *written, gh_error *err)
{
    *written = false;
    int rc = result_open_source(r, path, err);
    if (rc < 0)
        return rc;
    r->src_open = true;
    r->converted = true;
    char *text = NULL;
    size_t len = 0;
    struct buf converted;
    buf_init(&converted, KCONF_FILE_MAX * 2);
    rc = read_all(&r->src, &text, &len, err);
    source_done_reading(&r->src);
    if (rc == 0)
        rc = convert_text(text, len, kind, co, r, &converted, err);
    free(text);
    if (rc == 0 && fwrite(buf_cstr(&converted), 1, converted.len, out) != converted.len)
        rc = error_set(err, GH_EIO, "cannot write the converted file");
    buf_release(&converted);
    if (rc == 0) {
        *written = true;
        diag_finish(&r->sink);
        diag_sort(&r->sink);
    }
    return rc;
}
