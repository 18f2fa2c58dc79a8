/*
 * Reading kong.conf as Kong does (Penlight's config reader with smart = false, then the conf
 * loader's comment stripping): `name = value` lines, `#` comments (a line's own, or from an
 * unescaped # to the line's end, with the blanks before it), `\#` for a literal #, a trailing
 * backslash continuing a value on the next line, names made identifiers (a '-' or ' ' becomes
 * '_'). An environment file holds `KONG_NAME=value` lines (`export` and quotes allowed): the
 * loader reads KONG_<NAME> for each property it knows.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kongconf.h"
#include "util/util_array.h"
#include "util/util_buf.h"

#define KCONF_LINE_MAX (64 * 1024)

void kconf_input_release(struct kconf_input *in)
{
    for (size_t i = 0; i < in->count; i++) {
        free(in->entries[i].name);
        free(in->entries[i].value);
    }
    free(in->entries);
    memset(in, 0, sizeof(*in));
}

static char *copy(const char *s, size_t n)
{
    char *out = malloc(n + 1);
    if (out) {
        memcpy(out, s, n);
        out[n] = '\0';
    }
    return out;
}

static void trim(const char **s, size_t *n)
{
    while (*n && isspace((unsigned char)**s))
        (*s)++, (*n)--;
    while (*n && isspace((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

/* The value without its comment, and with \# made #: what the conf loader keeps. */
static char *uncommented(const char *s, size_t n)
{
    size_t end = n;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '#' && (i == 0 || s[i - 1] != '\\')) {
            end = i;
            break;
        }
    trim(&s, &end);
    char *out = malloc(end + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < end; i++) {
        if (s[i] == '\\' && i + 1 < end && s[i + 1] == '#')
            continue;
        out[o++] = s[i];
    }
    out[o] = '\0';
    return out;
}

static int add(struct kconf_input *in, char *name, char *value, uint32_t line, uint32_t name_col,
               uint32_t value_col)
{
    struct kconf_entry *grown =
        name && value ? array_grow(in->entries, &in->cap, in->count, sizeof(*in->entries), 32)
                      : NULL;
    if (!grown) {
        free(name);
        free(value);
        return -1;
    }
    in->entries = grown;
    in->entries[in->count++] = (struct kconf_entry){name, value, line, name_col, value_col};
    return 0;
}

/* A name as Penlight makes it (an identifier; lower case as the loader's KONG_ lookup is). */
static char *conf_name(const char *s, size_t n)
{
    char *out = copy(s, n);
    for (size_t i = 0; out && i < n; i++)
        out[i] = isalnum((unsigned char)out[i]) ? (char)tolower((unsigned char)out[i]) : '_';
    return out;
}

/* A line Kong takes no setting from: a warning, as the loader skips it and starts. */
static void not_a_setting(struct diag_sink *sink, uint32_t line, const char *what)
{
    struct span at = {line, 1, line, 2};
    diag_add(sink, R_HOP4704, GH_WARNING, &at, NULL, NULL, "%s", what);
}

/* One logical kong.conf line (continuations joined): a setting, or nothing. */
static int conf_line(struct kconf_input *in, const char *s, size_t n, uint32_t line,
                     struct diag_sink *sink)
{
    const char *start = s;
    trim(&s, &n);
    if (n == 0 || *s == '#' || *s == ';')
        return 0;
    const char *eq = memchr(s, '=', n);
    if (!eq) {
        not_a_setting(sink, line, "not a 'name = value' line: Kong reads no setting from it");
        return 0;
    }
    const char *name = s, *value = eq + 1;
    size_t name_len = (size_t)(eq - s), value_len = n - name_len - 1;
    trim(&name, &name_len);
    while (value_len && isspace((unsigned char)*value))
        value++, value_len--;
    if (!name_len) {
        not_a_setting(sink, line, "a setting with no name before its '='");
        return 0;
    }
    return add(in, conf_name(name, name_len), uncommented(value, value_len), line,
               (uint32_t)(name - start) + 1, (uint32_t)(value - start) + 1);
}

/* One environment file line: KONG_NAME=value (others are not Kong's). */
static int env_line(struct kconf_input *in, const char *s, size_t n, uint32_t line)
{
    const char *start = s;
    trim(&s, &n);
    if (n > 7 && !strncmp(s, "export ", 7))
        s += 7, n -= 7;
    trim(&s, &n);
    const char *eq = n ? memchr(s, '=', n) : NULL;
    if (!eq || *s == '#' || (size_t)(eq - s) <= 5 || strncasecmp(s, "KONG_", 5))
        return 0;
    const char *value = eq + 1;
    size_t value_len = n - (size_t)(eq - s) - 1;
    trim(&value, &value_len);
    if (value_len >= 2 && (*value == '"' || *value == '\'') && value[value_len - 1] == *value)
        value++, value_len -= 2;
    return add(in, conf_name(s + 5, (size_t)(eq - s) - 5), copy(value, value_len), line,
               (uint32_t)(s - start) + 1, (uint32_t)(value - start) + 1);
}

int kconf_parse(const char *text, size_t len, bool env, struct kconf_input *out,
                struct diag_sink *sink)
{
    memset(out, 0, sizeof(*out));
    struct buf logical;
    buf_init(&logical, KCONF_LINE_MAX);
    uint32_t line = 1, first = 1;
    int rc = 0;
    for (size_t at = 0; rc == 0 && at < len;) {
        const char *nl = memchr(text + at, '\n', len - at);
        size_t n = (nl ? (size_t)(nl - text) : len) - at;
        const char *s = text + at;
        if (n && s[n - 1] == '\r')
            n--;
        bool more = !env && n && s[n - 1] == '\\' && (n < 2 || s[n - 2] != '\\');
        if (logical.len == 0)
            first = line;
        if (buf_append(&logical, s, more ? n - 1 : n) < 0)
            not_a_setting(sink, first, "a line longer than 64 KiB: not read");
        if (!more) {
            rc = env ? env_line(out, buf_cstr(&logical), logical.len, first)
                     : conf_line(out, buf_cstr(&logical), logical.len, first, sink);
            buf_clear(&logical);
        }
        at = nl ? (size_t)(nl - text) + 1 : len;
        line++;
    }
    buf_release(&logical);
    return rc;
}
