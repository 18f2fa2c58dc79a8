#include "schema_named.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <jansson.h>
#include <pcre2.h>

#include "schema_der.h"
#include "schema_lua.h"
#include "schema_expr.h"
#include "util/util_buf.h"
#include "util/util_utf8.h"
#include "util/util_str.h"

/*
 * Messages follow Kong's own wording where Kong has one, so a user who has seen Kong reject a
 * value recognises the finding.
 */
static bool fail(struct named_result *out, const char *fmt, ...) GH_PRINTF(2, 3);

static bool fail(struct named_result *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->message, sizeof(out->message), fmt, ap);
    va_end(ap);
    return false;
}

static bool all_chars(const char *s, size_t n, bool (*ok)(unsigned char))
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!ok((unsigned char)s[i]))
            return false;
    return true;
}

static bool is_alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static bool is_hex(unsigned char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_digit_or_dot(unsigned char c)
{
    return is_digit(c) || c == '.';
}

/* ---- hosts, as Kong's utils.normalize_ip reads them -------------------------------------- */

enum host_kind { HOST_IPV4, HOST_IPV6, HOST_NAME };

struct host {
    enum host_kind kind;
    bool valid;
    bool bad_port; /* a port above 65535 */
    bool has_port;
    bool bad_suffix; /* "[ipv6]" followed by something other than ":port" */
};

/* What normalize_ip calls each kind of address in its messages. */
static const char *const host_kind_words[] = {
    [HOST_IPV4] = "ipv4 address", [HOST_IPV6] = "ipv6 address", [HOST_NAME] = "hostname"};

static bool parse_port(const char *s, size_t n, bool *bad)
{
    if (n == 0 || !all_chars(s, n, is_digit))
        return false;
    unsigned long v = 0;
    for (size_t i = 0; i < n && v <= 65535; i++)
        v = v * 10 + (unsigned long)(s[i] - '0');
    *bad = v > 65535;
    return true;
}

static enum host_kind host_kind(const char *s, size_t n)
{
    size_t colons = 0, rest = 0;
    bool digits_dots = true;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ':') {
            colons++;
            continue;
        }
        rest++;
        if (!is_digit_or_dot((unsigned char)s[i]))
            digits_dots = false;
    }
    if (colons > 1)
        return HOST_IPV6;
    return digits_dots && rest > 0 ? HOST_IPV4 : HOST_NAME;
}

static bool parse_octet(const char **p, const char *end)
{
    size_t digits = 0;
    unsigned v = 0;
    while (*p < end && is_digit((unsigned char)**p) && digits < 4) {
        v = v * 10 + (unsigned)(**p - '0');
        (*p)++;
        digits++;
    }
    return digits >= 1 && digits <= 3 && v <= 255;
}

static void parse_ipv4(const char *s, size_t n, struct host *h)
{
    const char *p = s, *end = s + n;
    const char *colon = memchr(s, ':', n);
    if (colon)
        end = colon;
    for (int i = 0; i < 4; i++) {
        if (!parse_octet(&p, end))
            return;
        if (i < 3 && (p >= end || *p++ != '.'))
            return;
    }
    if (p != end)
        return;
    if (colon && !parse_port(colon + 1, (size_t)(s + n - colon - 1), &h->bad_port))
        return;
    h->has_port = colon != NULL;
    h->valid = !h->bad_port;
}

/* Kong expands "::" by counting colons, then wants eight groups of one to four hex digits. */
static bool ipv6_groups_ok(const char *s, size_t n)
{
    char buf[128];
    if (n + 2 >= sizeof(buf))
        return false;
    size_t len = 0;
    if (n && s[0] == ':')
        buf[len++] = '0';
    memcpy(buf + len, s, n);
    len += n;
    if (n && s[n - 1] == ':')
        buf[len++] = '0';
    buf[len] = '\0';
    char expanded[256];
    const char *dbl = strstr(buf, "::");
    if (dbl) {
        size_t colons = 0;
        for (size_t i = 0; i < len; i++)
            colons += buf[i] == ':';
        size_t pre = (size_t)(dbl - buf), o = 0;
        memcpy(expanded, buf, pre);
        o = pre;
        expanded[o++] = ':';
        for (size_t i = colons; i < 8 && o + 3 < sizeof(expanded); i++) {
            expanded[o++] = '0';
            expanded[o++] = ':';
        }
        size_t tail = len - pre - 2;
        if (o + tail + 1 > sizeof(expanded))
            return false;
        memcpy(expanded + o, dbl + 2, tail);
        o += tail;
        expanded[o] = '\0';
    } else {
        memcpy(expanded, buf, len + 1);
    }
    int groups = 0;
    const char *p = expanded;
    for (;;) {
        size_t digits = 0;
        while (is_hex((unsigned char)p[digits]))
            digits++;
        if (digits < 1 || digits > 4)
            return false;
        groups++;
        p += digits;
        if (*p == '\0')
            break;
        if (*p++ != ':')
            return false;
    }
    return groups == 8;
}

static void parse_ipv6(const char *s, size_t n, struct host *h)
{
    if (n && s[0] == '[') {
        const char *close = memchr(s, ']', n);
        if (!close)
            return;
        size_t rest = (size_t)(s + n - close - 1);
        if (rest) {
            if (close[1] != ':' || !parse_port(close + 2, rest - 1, &h->bad_port)) {
                h->bad_suffix = true;
                return;
            }
            h->has_port = true;
        }
        h->valid = !h->bad_port && ipv6_groups_ok(s + 1, (size_t)(close - s - 1));
        return;
    }
    h->valid = ipv6_groups_ok(s, n);
}

static bool is_host_char(unsigned char c)
{
    return is_alnum(c) || c == '-' || c == '.' || c == '_';
}

static void parse_name(const char *s, size_t n, struct host *h)
{
    size_t i = n;
    while (i > 0 && is_digit((unsigned char)s[i - 1]))
        i--;
    size_t name_len = n;
    if (i < n && i > 0 && s[i - 1] == ':') {
        parse_port(s + i, n - i, &h->bad_port);
        h->has_port = true;
        name_len = i - 1;
    }
    if (h->bad_port || !all_chars(s, name_len, is_host_char))
        return;
    /* No segment may end in '-'; only the last may be empty (a trailing dot). */
    size_t start = 0;
    for (size_t j = 0; j <= name_len; j++) {
        if (j < name_len && s[j] != '.')
            continue;
        size_t seg = j - start;
        if (seg == 0 && j < name_len)
            return;
        if (seg > 0 && s[j - 1] == '-')
            return;
        start = j + 1;
    }
    h->valid = true;
}

static struct host parse_host(const char *s, size_t n)
{
    struct host h = {host_kind(s, n), false, false, false, false};
    if (h.kind == HOST_IPV4)
        parse_ipv4(s, n, &h);
    else if (h.kind == HOST_IPV6)
        parse_ipv6(s, n, &h);
    else
        parse_name(s, n, &h);
    return h;
}

static bool v_host(const char *s, size_t n, const struct named_env *env, struct named_result *out)
{
    (void)env;
    struct host h = parse_host(s, n);
    if (!h.valid && !h.bad_port)
        return fail(out, "invalid value: %.*s", (int)n, s);
    if (h.bad_port || h.has_port)
        return fail(out, "must not have a port");
    return true;
}

/* Kong's host_with_optional_port gives normalize_ip's own error: the kind of address it took
 * the text for, and the text. */
static bool v_host_with_optional_port(const char *s, size_t n, const struct named_env *env,
                                      struct named_result *out)
{
    (void)env;
    struct host h = parse_host(s, n);
    if (h.bad_port)
        return fail(out, "invalid port number");
    if (h.bad_suffix)
        return fail(out, "invalid ipv6 address");
    if (!h.valid)
        return fail(out, "invalid %s: %.*s", host_kind_words[h.kind], (int)n, s);
    return true;
}

/* A route host: the wildcard stands in for a label, so check the host with a label there.
 * Kong checks the text with "abc" for each '*', and its message shows that text. */
static bool v_host_with_wildcards(const char *s, size_t n, const struct named_env *env,
                                  struct named_result *out)
{
    char local[512] = "";
    size_t stars = 0;
    for (size_t i = 0; i < n; i++)
        stars += s[i] == '*';
    size_t len = n + 2 * stars;
    char *buf = len <= sizeof(local) ? local : malloc(len);
    if (!buf)
        return true; /* out of memory: do not invent a finding */
    for (size_t i = 0, o = 0; i < n; i++) {
        if (s[i] == '*') {
            memcpy(buf + o, "abc", 3);
            o += 3;
        } else {
            buf[o++] = s[i];
        }
    }
    bool ok = v_host_with_optional_port(buf, len, env, out);
    if (buf != local)
        free(buf);
    return ok;
}

static bool check_name_host(const char *s, size_t n, struct named_result *out)
{
    struct host h = parse_host(s, n);
    if (!h.valid && !h.bad_port)
        return fail(out, "invalid value: %.*s", (int)n, s);
    if (h.kind != HOST_NAME)
        return fail(out, "must not be an IP");
    if (h.bad_port || h.has_port)
        return fail(out, "must not have a port");
    return true;
}

static bool v_sni(const char *s, size_t n, const struct named_env *env, struct named_result *out)
{
    (void)env;
    return check_name_host(s, n, out);
}

static bool v_wildcard_host(const char *s, size_t n, const struct named_env *env,
                            struct named_result *out)
{
    (void)env;
    const char *star = memchr(s, '*', n);
    if (!star)
        return check_name_host(s, n, out);
    size_t at = (size_t)(star - s);
    if (at != 0 && at != n - 1)
        return fail(out, "wildcard must be leftmost or rightmost character");
    if (memchr(star + 1, '*', n - at - 1))
        return fail(out, "only one wildcard must be specified");
    char buf[512];
    if (n + 8 >= sizeof(buf))
        return fail(out, "invalid value: %.*s", (int)n, s);
    size_t len = 0;
    memcpy(buf, s, at);
    len = at;
    memcpy(buf + len, "wildcard", 8);
    len += 8;
    memcpy(buf + len, star + 1, n - at - 1);
    len += n - at - 1;
    return check_name_host(buf, len, out);
}

static bool upstream_name_ok(const char *s, size_t n, struct named_result *out)
{
    struct host h = parse_host(s, n);
    if (!h.valid && !h.bad_port)
        return fail(out, "Invalid name ('%.*s'); must be a valid hostname", (int)n, s);
    if (h.kind != HOST_NAME)
        return fail(out, "Invalid name ('%.*s'); no ip addresses allowed", (int)n, s);
    if (h.bad_port || h.has_port)
        return fail(out, "Invalid name ('%.*s'); no port allowed", (int)n, s);
    return true;
}

static bool v_upstream_name(const char *s, size_t n, const struct named_env *env,
                            struct named_result *out)
{
    (void)env;
    return upstream_name_ok(s, n, out);
}

static bool v_target(const char *s, size_t n, const struct named_env *env, struct named_result *out)
{
    (void)env;
    struct host h = parse_host(s, n);
    if (!h.valid)
        return fail(out, "Invalid target ('%.*s'); not a valid hostname or ip address", (int)n, s);
    return true;
}

/* ---- IP addresses and ranges ------------------------------------------------------------- */

static bool copy_cstr(const char *s, size_t n, char *buf, size_t size)
{
    if (n >= size || memchr(s, '\0', n))
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return true;
}

static bool ip_ok(const char *s, size_t n, int *family)
{
    char buf[64];
    unsigned char addr[16];
    if (!copy_cstr(s, n, buf, sizeof(buf)))
        return false;
    if (inet_pton(AF_INET, buf, addr) == 1) {
        *family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, buf, addr) == 1) {
        *family = AF_INET6;
        return true;
    }
    return false;
}

/* A prefix length written exactly as Kong's table has it: "0" to the maximum, no zeros. */
static bool prefix_ok(const char *s, size_t n, unsigned max)
{
    if (n == 0 || n > 3 || !all_chars(s, n, is_digit) || (n > 1 && s[0] == '0'))
        return false;
    return (unsigned)atoi(s) <= max;
}

static bool cidr_ok(const char *s, size_t n, bool v4_only)
{
    const char *slash = n > 2 ? memchr(s + 2, '/', n - 2) : NULL;
    int family = 0;
    if (!slash)
        return ip_ok(s, n, &family) && (!v4_only || family == AF_INET);
    if (!ip_ok(s, (size_t)(slash - s), &family) || (v4_only && family != AF_INET))
        return false;
    char prefix[8];
    size_t plen = (size_t)(s + n - slash - 1);
    return copy_cstr(slash + 1, plen, prefix, sizeof(prefix)) &&
           prefix_ok(prefix, plen, family == AF_INET ? 32 : 128);
}

static bool v_ip(const char *s, size_t n, const struct named_env *env, struct named_result *out)
{
    (void)env;
    int family;
    if (!ip_ok(s, n, &family))
        return fail(out, "not an ip address: %.*s", (int)n, s);
    return true;
}

static bool v_ip_or_cidr(const char *s, size_t n, const struct named_env *env,
                         struct named_result *out)
{
    (void)env;
    if (!cidr_ok(s, n, false))
        return fail(out, "invalid ip or cidr range: '%.*s'", (int)n, s);
    return true;
}

static bool v_cidr_v4(const char *s, size_t n, const struct named_env *env,
                      struct named_result *out)
{
    (void)env;
    if (!cidr_ok(s, n, true))
        return fail(out, "invalid ipv4 cidr range: '%.*s'", (int)n, s);
    return true;
}

/* ---- names and tags ---------------------------------------------------------------------- */

static bool is_name_char(unsigned char c)
{
    return is_alnum(c) || c == '.' || c == '-' || c == '_' || c == '~';
}

static bool is_utf8_name_char(unsigned char c)
{
    return is_name_char(c) || (c >= 0x80 && c <= 0xF4);
}

static bool utf8_ok(const char *s, size_t n, struct named_result *out)
{
    size_t bad;
    if (!utf8_valid(s, n, &bad))
        return fail(out, "invalid utf-8 character sequence detected at position %zu", bad + 1);
    return true;
}

static bool v_name(const char *s, size_t n, const struct named_env *env, struct named_result *out)
{
    (void)env;
    if (!all_chars(s, n, is_name_char))
        return fail(out,
                    "invalid value '%.*s': it must only contain alphanumeric and '., -, _, ~' "
                    "characters",
                    (int)n, s);
    return true;
}

static bool v_utf8_name(const char *s, size_t n, const struct named_env *env,
                        struct named_result *out)
{
    (void)env;
    if (!utf8_ok(s, n, out))
        return false;
    if (!all_chars(s, n, is_utf8_name_char))
        return fail(out,
                    "invalid value '%.*s': the only accepted ascii characters are alphanumerics "
                    "or ., -, _, and ~",
                    (int)n, s);
    return true;
}

/* Printable ASCII except ',' and '/', and non-ASCII UTF-8; 3.0 also allows a space. */
static bool is_tag_char(unsigned char c)
{
    return (c >= 33 && c <= 126 && c != ',' && c != '/') || (c >= 0x80 && c <= 0xF4);
}

static bool is_tag_char_or_space(unsigned char c)
{
    return c == ' ' || is_tag_char(c);
}

static bool tag_ok(const char *s, size_t n, bool (*ok)(unsigned char), struct named_result *out)
{
    if (!utf8_ok(s, n, out))
        return false;
    if (!all_chars(s, n, ok))
        return fail(out,
                    "invalid tag '%.*s': expected printable ascii (except `,` and `/`) or valid "
                    "utf-8 sequences",
                    (int)n, s);
    return true;
}

static bool v_tag_2x(const char *s, size_t n, const struct named_env *env, struct named_result *out)
{
    (void)env;
    return tag_ok(s, n, is_tag_char, out);
}

static bool v_tag(const char *s, size_t n, const struct named_env *env, struct named_result *out)
{
    (void)env;
    return tag_ok(s, n, is_tag_char_or_space, out);
}

static bool is_token_char(unsigned char c)
{
    return is_alnum(c) || c == '-' || c == '_';
}

static bool v_header_name(const char *s, size_t n, const struct named_env *env,
                          struct named_result *out)
{
    (void)env;
    if (n == 0)
        return fail(out, "no header name provided");
    if (!all_chars(s, n, is_token_char))
        return fail(out,
                    "bad header name '%.*s', allowed characters are A-Z, a-z, 0-9, '_', and '-'",
                    (int)n, s);
    return true;
}

static bool v_cookie_name(const char *s, size_t n, const struct named_env *env,
                          struct named_result *out)
{
    (void)env;
    if (n == 0)
        return fail(out, "no cookie name provided");
    if (!all_chars(s, n, is_token_char))
        return fail(out,
                    "bad cookie name '%.*s', allowed characters are A-Z, a-z, 0-9, '_', and '-'",
                    (int)n, s);
    return true;
}

/* ---- URLs and paths ---------------------------------------------------------------------- */

struct url_parts {
    const char *scheme, *host, *port, *path;
    size_t scheme_len, host_len, port_len, path_len;
};

static bool is_scheme_char(unsigned char c)
{
    return is_alnum(c) || c == '+' || c == '-' || c == '.';
}

/* Splits a URL the way LuaSocket's url.parse does, which is what Kong uses. */
static void split_url(const char *s, size_t n, struct url_parts *u)
{
    memset(u, 0, sizeof(*u));
    const char *hash = memchr(s, '#', n);
    if (hash)
        n = (size_t)(hash - s);
    size_t i = 0;
    if (n && is_alnum((unsigned char)s[0])) {
        size_t j = 1;
        while (j < n && is_scheme_char((unsigned char)s[j]))
            j++;
        if (j < n && s[j] == ':') {
            u->scheme = s;
            u->scheme_len = j;
            i = j + 1;
        }
    }
    if (n - i >= 2 && s[i] == '/' && s[i + 1] == '/') {
        size_t a = i + 2, b = a;
        while (b < n && s[b] != '/' && s[b] != '?')
            b++;
        const char *auth = s + a;
        size_t auth_len = b - a;
        const char *at = NULL;
        for (size_t k = 0; k < auth_len; k++)
            if (auth[k] == '@')
                at = auth + k;
        if (at) {
            auth_len -= (size_t)(at + 1 - auth);
            auth = at + 1;
        }
        size_t k = auth_len;
        while (k > 0 && is_digit((unsigned char)auth[k - 1]))
            k--;
        if (k > 0 && auth[k - 1] == ':' && (k < 2 || auth[k - 2] != ':')) {
            u->port = auth + k;
            u->port_len = auth_len - k;
            auth_len = k - 1;
        }
        u->host = auth_len ? auth : NULL;
        u->host_len = auth_len;
        i = b;
    }
    size_t p = i;
    while (p < n && s[p] != '?')
        p++;
    if (p > i) {
        u->path = s + i;
        u->path_len = p - i;
    }
}

static bool v_url(const char *s, size_t n, const struct named_env *env, struct named_result *out)
{
    (void)env;
    struct url_parts u;
    split_url(s, n, &u);
    if (!u.host)
        return fail(out, "missing host in url");
    if (!u.scheme)
        return fail(out, "missing scheme in url");
    return true;
}

/* The oauth2 plugin's redirect_uris: its own check, not the url typedef's, in its own words (a
 * URI without a host or a scheme "cannot parse"; a fragment is refused, however empty). */
static bool v_redirect_uri(const char *s, size_t n, const struct named_env *env,
                           struct named_result *out)
{
    (void)env;
    struct url_parts u;
    split_url(s, n, &u);
    if (!u.host || !u.scheme)
        return fail(out, "cannot parse '%.*s'", (int)n, s);
    if (memchr(s, '#', n))
        return fail(out, "fragment not allowed in '%.*s'", (int)n, s);
    return true;
}

static bool is_path_char(unsigned char c)
{
    return is_alnum(c) || strchr(".-_~/%:@!$&'()*+,;=", c) != NULL;
}

/* Percent signs must start a %XX escape; reports the first bad one. */
static bool percent_ok(const char *s, size_t n, struct named_result *out)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '%')
            continue;
        if (i + 2 < n + 0 && is_hex((unsigned char)s[i + 1]) && is_hex((unsigned char)s[i + 2])) {
            i += 2;
            continue;
        }
        size_t shown = n - i < 3 ? n - i : 3;
        out->offset = (long)i;
        return fail(out, "invalid url-encoded value: '%.*s'", (int)shown, s + i);
    }
    return true;
}

/* Kong's validate_path's first test: a '/' and then RFC 3986 characters only. */
static bool is_rfc3986_path(const char *s, size_t n)
{
    return n > 0 && s[0] == '/' && all_chars(s, n, is_path_char);
}

static bool v_path(const char *s, size_t n, const struct named_env *env, struct named_result *out)
{
    (void)env;
    if (!is_rfc3986_path(s, n))
        return fail(out,
                    "invalid path: '%.*s' (characters outside of the reserved list of RFC 3986 "
                    "found)",
                    (int)n, s);
    return percent_ok(s, n, out);
}

/* A route path's escapes: Kong's route validator asks the path typedef's check first and keeps
 * only its percent error, which that check reaches only for a path of RFC 3986 characters
 * starting with '/'. A regex path ('~', or 2.x characters such as '?', '[' and '|') is never
 * checked for escapes. */
static bool route_percent_ok(const char *s, size_t n, struct named_result *out)
{
    return !is_rfc3986_path(s, n) || percent_ok(s, n, out);
}

static bool compile_regex_ok(const char *re, size_t n, long base, struct named_result *out)
{
    int code;
    PCRE2_SIZE at;
    pcre2_code *c = pcre2_compile((PCRE2_SPTR)re, n, 0, &code, &at, NULL);
    if (c) {
        pcre2_code_free(c);
        return true;
    }
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(code, msg, sizeof(msg));
    out->rule = R_HOP3003;
    out->offset = base + (long)at;
    return fail(out, "invalid regex: '%.*s' (PCRE2: %s at offset %zu)", (int)n, re,
                (const char *)msg, (size_t)at);
}

/* Kong's `is_regex` fields: a regular expression PCRE compiles (Kong compiles it with PCRE
 * through ngx.re; PCRE2 reads the same syntax). */
static bool v_regex(const char *s, size_t n, const struct named_env *env, struct named_result *out)
{
    (void)env;
    return compile_regex_ok(s, n, 0, out);
}

/* Kong's cors origins: "*" (any origin), or a regular expression that compiles. */
static bool v_asterisk_or_regex(const char *s, size_t n, const struct named_env *env,
                                struct named_result *out)
{
    return (n == 1 && s[0] == '*') || v_regex(s, n, env, out);
}

/* ---- what the ATC router's regex engine cannot run ----------------------------------------- */

/*
 * Under router_flavor traditional_compatible (and expressions from 3.7, for a route written with
 * the traditional fields), Kong 3.x turns a route into an ATC expression, whose regexes Rust's
 * regex crate compiles: a path's regex as "^" followed by the regex with every "?<" made "?P<",
 * a header's `~*` value lowercased. From 3.2 the route schema has the router validate the
 * expression; before, the router fails to build.
 */
struct atc_regex {
    const char *what; /* "regex path", "header regex" */
    const char *re;   /* as written, without its marker (~, ~*) */
    size_t n;
    long base;      /* the offset of re in the value */
    bool kong_path; /* Kong's "^" prefix and "?<" -> "?P<" */
    bool lower;     /* Kong lowercases a header's regex */
};

/* The text Kong hands the regex crate; map[i] is the offset in re of text[i]. */
static size_t atc_regex_text(const struct atc_regex *r, char *text, size_t *map)
{
    size_t len = 0;
    if (r->kong_path) {
        map[len] = 0;
        text[len++] = '^';
    }
    for (size_t i = 0; i < r->n; i++) {
        char ch = r->re[i];
        if (r->lower && ch >= 'A' && ch <= 'Z')
            ch = (char)(ch - 'A' + 'a');
        map[len] = i;
        text[len++] = ch;
        if (r->kong_path && ch == '?' && i + 1 < r->n && r->re[i + 1] == '<') {
            map[len] = i;
            text[len++] = 'P';
        }
    }
    map[len] = r->n;
    return len;
}

static bool atc_regex_ok(const struct atc_regex *r, const struct named_env *env,
                         struct named_result *out)
{
    if (!env->router_flavor || strcmp(env->router_flavor, "traditional") == 0 || !env->expr)
        return true;
    char *text = malloc(2 * r->n + 2);
    size_t *map = malloc((2 * r->n + 2) * sizeof(*map));
    struct rust_regex_error e;
    bool ok = true;
    if (text && map) {
        size_t len = atc_regex_text(r, text, map);
        ok = rust_regex_check(text, len, env->expr->regex, &e);
        /* Kong's "?P<" turns a look-behind into a bad group name: name the construct written */
        struct rust_regex_error as_written;
        if (!ok && !rust_regex_check(r->re, r->n, env->expr->regex, &as_written) &&
            as_written.construct) {
            e = as_written;
            out->offset = r->base + (long)e.offset;
        } else if (!ok) {
            out->offset = r->base + (long)map[e.offset < len ? e.offset : len];
        }
    }
    free(text);
    free(map);
    if (ok)
        return true; /* out of memory: the check cannot run, and says nothing */
    struct version v32 = {{3, 2, 0, 0}, 2};
    const char *outcome = version_compare(env->version, &v32) >= 0
                              ? "kong refuses the route (Router Expression failed validation)"
                              : "kong cannot build the route";
    out->rule = R_HOP3007;
    if (e.construct)
        return fail(out,
                    "%s uses %s, which router_flavor %s cannot run (its regex engine, Rust's regex "
                    "crate, has no backtracking features)%s%s; %s",
                    r->what, e.construct, env->router_flavor, e.hint ? "; " : "",
                    e.hint ? e.hint : "", outcome);
    bool lowered = false;
    for (size_t i = 0; r->lower && i < r->n && !lowered; i++)
        lowered = r->re[i] >= 'A' && r->re[i] <= 'Z';
    return fail(out,
                "%s does not parse as router_flavor %s reads it (Rust's regex crate): %s%s; %s",
                r->what, env->router_flavor, e.message,
                lowered ? " (kong lowercases a header regex before it compiles it)" : "", outcome);
}

static bool atc_can_run(const char *re, size_t n, long base, const struct named_env *env,
                        struct named_result *out)
{
    struct atc_regex r = {"regex path", re, n, base, true, false};
    return atc_regex_ok(&r, env, out);
}

static bool route_has(const struct node *route, const char *field)
{
    const struct node *v = route ? node_map_get(route, field) : NULL;
    return v && !node_is_null(v) && !(v->kind != NODE_SCALAR && v->count == 0);
}

/* Whether Kong hands this route's traditional fields to the ATC router: 3.1 on (the release
 * that made `~*` header values regexes there), under traditional_compatible every route from
 * 3.6 and one with paths 3.2 to 3.5 (the schema validates only those; 3.1 builds them all),
 * and under expressions (3.7 on) a route without an `expression`. */
static bool atc_reads_headers(const struct named_env *env)
{
    struct version v31 = {{3, 1, 0, 0}, 2}, v32 = {{3, 2, 0, 0}, 2}, v36 = {{3, 6, 0, 0}, 2};
    if (!env->router_flavor || version_compare(env->version, &v31) < 0)
        return false;
    if (strcmp(env->router_flavor, "expressions") == 0)
        return !route_has(env->record, "expression");
    return strcmp(env->router_flavor, "traditional_compatible") == 0 &&
           (version_compare(env->version, &v32) < 0 || version_compare(env->version, &v36) >= 0 ||
            route_has(env->record, "paths"));
}

/* A route's header value: one starting `~*` is a regex, compiled by the ATC router. */
static bool v_kong_route_header_value(const char *s, size_t n, const struct named_env *env,
                                      struct named_result *out)
{
    if (n < 2 || s[0] != '~' || s[1] != '*' || !atc_reads_headers(env))
        return true;
    struct atc_regex r = {"header regex", s + 2, n - 2, 2, false, true};
    return atc_regex_ok(&r, env, out);
}

static bool regex_path_ok(const char *re, size_t n, long base, const struct named_env *env,
                          struct named_result *out)
{
    return compile_regex_ok(re, n, base, out) && atc_can_run(re, n, base, env, out);
}

static bool is_plain_path_char(unsigned char c)
{
    return is_alnum(c) || strchr(".-_~/%", c) != NULL;
}

/* Kong's test for "this 2.x path is a regex": a character outside [a-zA-Z0-9.-_~/%]. */
static bool is_legacy_regex_path(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_plain_path_char((unsigned char)s[i]))
            return true;
    return false;
}

/* 2.x: a path with characters outside [a-zA-Z0-9.-_~/%] is a regex. */
static bool v_kong_route_path_2x(const char *s, size_t n, const struct named_env *env,
                                 struct named_result *out)
{
    if (!route_percent_ok(s, n, out))
        return false;
    return is_legacy_regex_path(s, n) ? regex_path_ok(s, n, 0, env, out) : true;
}

static bool memmem_2(const char *s, size_t n, const char *two)
{
    for (size_t i = 0; i + 1 < n; i++)
        if (s[i] == two[0] && s[i + 1] == two[1])
            return true;
    return false;
}

/* Files in the 2.x formats ("1.1", "2.1") whose paths Kong 3.x migrates on load. */
static bool is_legacy_format(const struct named_env *env)
{
    const char *f = env->format_version;
    return f && (strcmp(f, "1.1") == 0 || strcmp(f, "2.1") == 0);
}

/* Characters that make a path without '~' read like a regex to a person. */
static bool reads_like_regex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strchr("\\^$*+?()[]{}|", s[i]) && s[i] != '\0')
            return true;
    return false;
}

static const char *t_kong_migrate_route_path(const char *s, size_t n, struct arena *a);

static bool is_group_name_char(unsigned char c)
{
    return is_alnum(c) || c == '_';
}

/* A '*' that stands for a whole segment: between slashes, or after the last one. */
static bool star_is_segment(const char *s, size_t n, size_t i)
{
    return i > 0 && s[i - 1] == '/' && (i + 1 == n || s[i + 1] == '/');
}

/*
 * A path written as an OpenAPI template ("/movies/{id}") or a glob ('*'), with no other regex
 * character, as the regex it means: each {name} a segment (a named group when the name is one
 * PCRE takes), a '*' segment [^/]+ and a '*' within a segment [^/]*, each '.' itself; and a '*'
 * that is the whole last segment nothing, since a prefix already matches every path under it
 * (*prefix_only: nothing else made it a regex, and out is that prefix). False when the path is
 * not such a pattern or out is too small.
 */
static bool pattern_as_regex(const char *s, size_t n, char *out, size_t size, bool *prefix_only)
{
    bool regex = false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '{') {
            const char *close = memchr(s + i, '}', n - i);
            if (!close)
                return false;
            i = (size_t)(close - s);
            regex = true;
        } else if (strchr("\\^$+?()[]}|", s[i])) {
            return false;
        }
        regex |= s[i] == '*' && (i + 1 < n || !star_is_segment(s, n, i));
    }
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char piece[160];
        int len = 1;
        piece[0] = s[i];
        if (s[i] == '{') {
            const char *close = memchr(s + i, '}', n - i);
            size_t name_len = close ? (size_t)(close - s - i - 1) : 0;
            if (!close || name_len == 0 || name_len > 64)
                return false;
            bool named = !is_digit((unsigned char)s[i + 1]) &&
                         all_chars(s + i + 1, name_len, is_group_name_char);
            len = named ? snprintf(piece, sizeof(piece), "(?<%.*s>[^/]+)", (int)name_len, s + i + 1)
                        : snprintf(piece, sizeof(piece), "[^/]+");
            i += name_len + 1;
        } else if (s[i] == '*') {
            bool last = i + 1 == n && star_is_segment(s, n, i);
            len = last ? 0
                       : snprintf(piece, sizeof(piece), "%s",
                                  star_is_segment(s, n, i) ? "[^/]+" : "[^/]*");
        } else if (s[i] == '.' && regex) {
            len = snprintf(piece, sizeof(piece), "\\.");
        }
        if (len < 0 || o + (size_t)len + 1 > size)
            return false;
        memcpy(out + o, piece, (size_t)len);
        o += (size_t)len;
    }
    out[o] = '\0';
    *prefix_only = !regex;
    return true;
}

/* HOP3006: what to write instead of a prefix path that reads like a pattern. */
static bool regex_like_advice(const char *s, size_t n, struct named_result *out)
{
    char meant[512];
    bool prefix_only;
    if (!pattern_as_regex(s, n, meant, sizeof(meant), &prefix_only))
        return fail(out,
                    "'%.*s' looks like a regex but does not start with '~': kong 3.x matches it "
                    "as a plain prefix; write '~%.*s' if it is a regex",
                    (int)n, s, (int)n, s);
    if (prefix_only)
        return fail(out,
                    "'%.*s' looks like a glob, but kong 3.x matches it as a plain prefix, '*' "
                    "and all; a prefix already matches every path under it: write '%s'",
                    (int)n, s, meant);
    return fail(out,
                "'%.*s' looks like a path template or a glob, but kong 3.x matches it as a plain "
                "prefix, character for character; write '~%s' to match any value there",
                (int)n, s, meant);
}

/* 3.x: "~" starts a regex; from 3.1 a prefix path must be in normalised form. */
static bool v_kong_route_path(const char *s, size_t n, const struct named_env *env,
                              struct named_result *out)
{
    if (!route_percent_ok(s, n, out))
        return false;
    if (is_legacy_format(env)) {
        /* Kong checks what its on-load migration makes of the path. */
        if (!is_legacy_regex_path(s, n))
            return true;
        struct arena a;
        arena_init(&a, 1024);
        const char *migrated = t_kong_migrate_route_path(s, n, &a);
        bool ok = !migrated || regex_path_ok(migrated + 1, strlen(migrated) - 1, 0, env, out);
        /* Written as a 3.x regex already: the migration adds a second '~', which the regex
         * then needs in the request path, so the route matches next to nothing. */
        if (ok && migrated && n && s[0] == '~') {
            out->rule = R_HOP4004;
            ok =
                fail(out,
                     "Kong 3.x migrates the paths of a \"%s\" file when it loads it and adds a '~' "
                     "to this one: its regex becomes '%.200s', with the '~' as a character to "
                     "match, so the route matches only request paths that start with '~'; with "
                     "_format_version \"3.0\" it is read as written",
                     env->format_version, migrated + 1);
        }
        arena_release(&a);
        return ok;
    }
    if (n && s[0] == '~')
        return regex_path_ok(s + 1, n - 1, 1, env, out);
    struct version v31 = {{3, 1, 0, 0}, 2};
    /* Normalising only changes escapes, dot segments and doubled slashes. */
    bool may_change = memchr(s, '%', n) || memchr(s, '.', n) || memmem_2(s, n, "//");
    if (version_compare(env->version, &v31) >= 0 && may_change) {
        struct arena a;
        arena_init(&a, 1024);
        const char *norm = kong_normalize_path(&a, s, n);
        bool same = norm && strlen(norm) == n && memcmp(norm, s, n) == 0;
        if (!same) {
            out->rule = R_HOP3005;
            fail(out, "non-normalized path, consider use '%s' instead", norm ? norm : "");
        }
        arena_release(&a);
        if (!same)
            return false;
    }
    if (reads_like_regex(s, n)) {
        out->rule = R_HOP3006;
        return regex_like_advice(s, n, out);
    }
    return true;
}

/* ---- PEM --------------------------------------------------------------------------------- */

static bool is_base64_or_space(unsigned char c)
{
    return is_alnum(c) || c == '+' || c == '/' || c == '=' || c == '\n' || c == '\r' || c == ' ' ||
           c == '\t';
}

static bool contains(const char *s, size_t n, const char *word)
{
    size_t w = strlen(word);
    for (size_t i = 0; i + w <= n; i++)
        if (!memcmp(s + i, word, w))
            return true;
    return false;
}

/* A PEM block: its label and its body (between the BEGIN and END lines). */
struct pem_block {
    const char *label, *body;
    size_t label_len, body_len;
};

/* The next "-----BEGIN X-----" ... "-----END X-----" block from *p; false when there is none,
 * or (with *problem set) when one is not closed. */
static bool next_pem_block(const char **p, const char *end, struct pem_block *b,
                           const char **problem)
{
    static const char begin[] = "-----BEGIN ";
    for (const char *q = *p; q && q < end; q++) {
        q = memchr(q, '-', (size_t)(end - q));
        if (!q || (size_t)(end - q) < sizeof(begin) - 1)
            return false;
        if (memcmp(q, begin, sizeof(begin) - 1) != 0)
            continue;
        b->label = q + sizeof(begin) - 1;
        const char *dash = memchr(b->label, '-', (size_t)(end - b->label));
        if (!dash)
            return false;
        b->label_len = (size_t)(dash - b->label);
        b->body = dash;
        while (b->body < end && *b->body == '-')
            b->body++;
        char closing[96];
        snprintf(closing, sizeof(closing), "-----END %.*s-----", (int)b->label_len, b->label);
        size_t cl = strlen(closing);
        const char *c = b->body;
        while (c + cl <= end && memcmp(c, closing, cl) != 0)
            c++;
        if (c + cl > end) {
            *problem = "the PEM block is not closed";
            return false;
        }
        b->body_len = (size_t)(c - b->body);
        *p = c + cl;
        return true;
    }
    return false;
}

static bool label_ends_with(const struct pem_block *b, const char *word)
{
    size_t l = strlen(word);
    return b->label_len >= l && memcmp(b->label + b->label_len - l, word, l) == 0;
}

/* The first PEM block whose label ends with one of the given words, its body base64 DER. */
static bool pem_ok(const char *s, size_t n, const char *const *labels, const char *what,
                   struct named_result *out, struct pem_block *block)
{
    const char *p = s, *end = s + n, *problem = NULL;
    struct pem_block b;
    while (next_pem_block(&p, end, &b, &problem)) {
        bool wanted = false;
        for (size_t i = 0; labels[i] && !wanted; i++)
            wanted = label_ends_with(&b, labels[i]);
        if (!wanted)
            continue;
        for (size_t i = 0; i < b.body_len; i++) {
            unsigned char c = (unsigned char)b.body[i];
            /* Headers such as "Proc-Type:" in encrypted keys are allowed before the data. */
            if (!is_base64_or_space(c) && c != ':' && c != ',' && c != '-')
                return fail(out, "invalid %s: the PEM body is not base64", what);
        }
        if (b.body_len < 4)
            return fail(out, "invalid %s: the PEM block is empty", what);
        *block = b;
        return true;
    }
    if (problem)
        return fail(out, "invalid %s: the PEM block is not closed with '-----END %.*s-----'", what,
                    (int)b.label_len, b.label);
    return fail(out, "invalid %s: no PEM block found", what);
}

/*
 * The DER of a PEM block, walked as its label says (schema_der.c): false, with a message, when
 * OpenSSL could not load it; a body this reader does not follow (an encrypted key) passes.
 * When cert is given, the block is a certificate and cert receives what it says.
 */
static bool der_ok(const struct pem_block *block, const char *what, struct der_certificate *cert,
                   enum der_verdict *verdict, struct named_result *out)
{
    bool broken;
    size_t len;
    *verdict = DER_UNKNOWN;
    uint8_t *der = der_from_base64(block->body, block->body_len, &len, &broken);
    if (!der)
        return broken ? fail(out, "invalid %s: the PEM body is not whole base64", what) : true;
    char why[160] = "";
    *verdict = cert ? der_read_certificate(der, len, cert, why, sizeof(why))
                    : der_read_key(block->label, block->label_len, der, len, why, sizeof(why));
    free(der);
    if (*verdict == DER_BROKEN)
        return fail(out, "invalid %s: %s", what, why);
    return true;
}

static bool pem_der_ok(const char *s, size_t n, const char *const *labels, const char *what,
                       struct der_certificate *cert, enum der_verdict *verdict,
                       struct named_result *out)
{
    struct pem_block block;
    *verdict = DER_UNKNOWN;
    return pem_ok(s, n, labels, what, out, &block) && der_ok(&block, what, cert, verdict, out);
}

static const char *const certificate_labels[] = {"CERTIFICATE", NULL};

static bool v_certificate(const char *s, size_t n, const struct named_env *env,
                          struct named_result *out)
{
    (void)env;
    struct der_certificate cert;
    enum der_verdict verdict;
    return pem_der_ok(s, n, certificate_labels, "certificate", &cert, &verdict, out);
}

/* Kong's ca_certificates check (every release): a CA that has not expired, as of now. */
static bool v_ca_certificate(const char *s, size_t n, const struct named_env *env,
                             struct named_result *out)
{
    (void)env;
    struct der_certificate cert;
    enum der_verdict verdict;
    if (!pem_der_ok(s, n, certificate_labels, "certificate", &cert, &verdict, out))
        return false;
    if (verdict != DER_OK)
        return true;
    if (cert.has_not_after && cert.not_after < time(NULL))
        return fail(out, "certificate expired, \"Not After\" time is in the past");
    if (!cert.is_ca)
        return fail(out, "certificate does not appear to be a CA because it is missing the "
                         "\"CA\" basic constraint");
    return true;
}

/* A private or public key (Kong's typedefs.key and resty.openssl's pkey.new, any kind). The
 * loader also takes a JWK, whose JSON is not judged here. */
static bool v_key(const char *s, size_t n, const struct named_env *env, struct named_result *out)
{
    (void)env;
    static const char *const labels[] = {"PRIVATE KEY", "PUBLIC KEY", NULL};
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    if (i < n && s[i] == '{')
        return true;
    enum der_verdict verdict;
    return pem_der_ok(s, n, labels, "key", NULL, &verdict, out);
}

static bool v_public_key(const char *s, size_t n, const struct named_env *env,
                         struct named_result *out)
{
    (void)env;
    static const char *const labels[] = {"PUBLIC KEY", NULL};
    enum der_verdict verdict;
    return pem_der_ok(s, n, labels, "public key", NULL, &verdict, out);
}

static bool v_private_key(const char *s, size_t n, const struct named_env *env,
                          struct named_result *out)
{
    (void)env;
    static const char *const labels[] = {"PRIVATE KEY", NULL};
    enum der_verdict verdict;
    return pem_der_ok(s, n, labels, "private key", NULL, &verdict, out);
}

/* ---- derived values, for checks that compare something a value holds ------------------------ */

/* The type of a certificate's public key (its algorithm's OID, in hex): RSA, EC, Ed25519, ... */
static bool d_certificate_key_type(const char *s, size_t n, char *out, size_t size)
{
    struct pem_block block;
    struct named_result ignored;
    struct der_certificate cert;
    enum der_verdict verdict;
    if (!pem_ok(s, n, certificate_labels, "certificate", &ignored, &block) ||
        !der_ok(&block, "certificate", &cert, &verdict, &ignored) || verdict != DER_OK ||
        !cert.key_oid_len || size < 2 * cert.key_oid_len + 1)
        return false;
    for (size_t i = 0; i < cert.key_oid_len; i++)
        snprintf(out + 2 * i, 3, "%02x", cert.key_oid[i]);
    return true;
}

static const struct named_derivation derivations[] = {
    {"certificate_key_type", d_certificate_key_type},
};

const struct named_derivation *named_derivation_find(const char *name)
{
    for (size_t i = 0; i < sizeof(derivations) / sizeof(derivations[0]); i++)
        if (strcmp(derivations[i].name, name) == 0)
            return &derivations[i];
    return NULL;
}

/* ---- Lua code, as LuaJIT loads it (schema_lua.c) ---------------------------------------- */

/* A chunk Kong loads with loadstring or load (pre-function phases, custom_fields_by_lua). */
static bool v_lua_chunk(const char *s, size_t n, const struct named_env *env,
                        struct named_result *out)
{
    (void)env;
    struct lua_options opt = {true, false};
    struct lua_error err;
    if (lua_chunk_ok(s, n, &opt, &err))
        return true;
    out->offset = err.offset;
    return fail(out, "the Lua code does not compile: line %u: %s", err.line, err.message);
}

/*
 * An APISIX route's filter_func: the router loads "return " .. value when it builds the routes,
 * and leaves out (with an error in the log) a route whose function does not compile.
 */
static bool v_apisix_filter_func(const char *s, size_t n, const struct named_env *env,
                                 struct named_result *out)
{
    (void)env;
    static const char prefix[] = "return ";
    size_t plen = sizeof(prefix) - 1;
    char *text = malloc(plen + n);
    if (!text)
        return true; /* out of memory: the check cannot run, and says nothing */
    memcpy(text, prefix, plen);
    memcpy(text + plen, s, n);
    struct lua_options opt = {true, false};
    struct lua_error err;
    bool ok = lua_chunk_ok(text, plen + n, &opt, &err);
    free(text);
    if (ok)
        return true;
    out->offset = err.offset >= (long)plen ? err.offset - (long)plen : -1;
    return fail(out, "failed to load filter function: line %u: %s (APISIX leaves the route out)",
                err.line, err.message);
}

/* A Penlight template (request-transformer's values): each $(...) is a Lua expression. */
static bool v_lua_template(const char *s, size_t n, const struct named_env *env,
                           struct named_result *out)
{
    (void)env;
    struct lua_error err;
    if (lua_template_ok(s, n, &err))
        return true;
    out->offset = err.offset;
    return fail(out, "value '%.*s' is not in supported format: %s", (int)(n > 120 ? 120 : n), s,
                err.message);
}

/* ---- router expressions ------------------------------------------------------------------ */

/* The route's first protocol, which chooses the fields its expression sees; NULL: the default. */
static const char *first_protocol(const struct node *record)
{
    const struct node *protocols = record ? node_map_get(record, "protocols") : NULL;
    if (!protocols || protocols->kind != NODE_SEQUENCE || protocols->count == 0 ||
        !node_is_string(protocols->u.items[0]))
        return NULL;
    return protocols->u.items[0]->u.text;
}

/* A route's `expression`, as the release's ATC router parses and checks it. */
static bool v_kong_expression(const char *s, size_t n, const struct named_env *env,
                              struct named_result *out)
{
    if (!env->expr)
        return true;
    return expr_check(env->expr, s, n, first_protocol(env->record), out);
}

/* ---- APISIX: what its Lua checks add to the JSON schemas --------------------------------- */

/*
 * A secret reference APISIX resolves when it uses the value: `$secret://` (apisix/secret.lua
 * check_secret_uri) or `$env://` in any case (core.env). Where APISIX skips a check for one, so
 * do these validators.
 */
static bool is_secret_ref(const char *s, size_t n)
{
    static const char secret[] = "$secret://", env[] = "$env://";
    if (n >= sizeof(secret) - 1 && !memcmp(s, secret, sizeof(secret) - 1))
        return true;
    if (n < sizeof(env) - 1)
        return false;
    for (size_t i = 0; i < sizeof(env) - 1; i++)
        if ((s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]) != env[i])
            return false;
    return true;
}

/*
 * ngx.decode_base64 (nginx's ngx_decode_base64): the standard alphabet up to the first '=',
 * anything after it ignored, and no length of the form 4k+1.
 */
static bool base64_ok(const char *s, size_t n)
{
    size_t len = 0;
    while (len < n && s[len] != '=') {
        if (der_base64_value((unsigned char)s[len]) < 0)
            return false;
        len++;
    }
    return len % 4 != 1;
}

static bool v_base64(const char *s, size_t n, const struct named_env *env, struct named_result *out)
{
    (void)env;
    if (!base64_ok(s, n))
        return fail(out, "invalid base64 value");
    return true;
}

/* `$secret://MANAGER/ID/KEY` (each part non-empty, apisix/secret.lua parse_secret_uri), or
 * `$env://NAME` with an optional `/KEY` (apisix/core/env.lua parse_env_uri). */
static bool v_apisix_secret_uri(const char *s, size_t n, const struct named_env *env,
                                struct named_result *out)
{
    (void)env;
    static const char secret[] = "$secret://";
    if (!is_secret_ref(s, n))
        return fail(out, "a secret reference starts with $secret:// or $env://");
    if (n < sizeof(secret) - 1 || memcmp(s, secret, sizeof(secret) - 1) != 0) {
        if (n == sizeof("$env://") - 1 || s[sizeof("$env://") - 1] == '/')
            return fail(out, "no environment variable named after $env://");
        return true;
    }
    const char *path = s + sizeof(secret) - 1, *end = s + n;
    const char *slash1 = memchr(path, '/', (size_t)(end - path));
    if (!slash1)
        return fail(out, "error format: no secret manager");
    const char *slash2 = memchr(slash1 + 1, '/', (size_t)(end - slash1 - 1));
    if (!slash2)
        return fail(out, "error format: no secret conf id");
    if (slash2 + 1 == end)
        return fail(out, "error format: no secret key id");
    return true;
}

/*
 * Whether OpenSSL would load a PEM block APISIX parses (ngx.ssl's parse_pem_cert and
 * parse_pem_priv_key): false, with why, for a passphrase the gateway cannot supply, a body that
 * is not base64, or DER that does not hold together; true when it loads or this reader cannot
 * tell.
 */
static bool apisix_pem_loads(const struct pem_block *b, bool certificate, char *why, size_t size)
{
    if (contains(b->body, b->body_len, "Proc-Type:")) {
        snprintf(why, size,
                 "the key is encrypted with a passphrase, which the gateway cannot "
                 "supply");
        return false;
    }
    bool broken;
    size_t len;
    uint8_t *der = der_from_base64(b->body, b->body_len, &len, &broken);
    if (!der) {
        snprintf(why, size, "the PEM body is not base64");
        return !broken;
    }
    struct der_certificate cert;
    enum der_verdict verdict = certificate
                                   ? der_read_certificate(der, len, &cert, why, size)
                                   : der_read_key(b->label, b->label_len, der, len, why, size);
    free(der);
    return verdict != DER_BROKEN;
}

/*
 * ngx.ssl.parse_pem_cert, which ssl.lua's validate() runs on ssl cert and certs, client.ca
 * and an upstream's tls.client_cert: every certificate of the chain must read, at least one.
 */
static bool v_apisix_certificate(const char *s, size_t n, const struct named_env *env,
                                 struct named_result *out)
{
    (void)env;
    if (is_secret_ref(s, n))
        return true;
    const char *p = s, *end = s + n, *problem = NULL;
    struct pem_block b;
    size_t certs = 0;
    while (next_pem_block(&p, end, &b, &problem)) {
        if (!label_ends_with(&b, "CERTIFICATE"))
            continue;
        certs++;
        char why[160] = "";
        if (!apisix_pem_loads(&b, true, why, sizeof(why)))
            return fail(out, "failed to parse cert: certificate %zu of the chain: %s", certs, why);
    }
    if (problem)
        return fail(out, "failed to parse cert: %s", problem);
    if (!certs)
        return fail(out, "failed to parse cert: no PEM certificate (-----BEGIN CERTIFICATE-----)");
    return true;
}

/*
 * ssl.lua's aes_decrypt_pkey then ngx.ssl.parse_pem_priv_key: a key starting "---" must be a
 * PEM private key OpenSSL reads without a passphrase; any other text is taken for a key the
 * Admin API encrypted (base64 of AES), which only the gateway's keyring can check.
 */
static bool v_apisix_private_key(const char *s, size_t n, const struct named_env *env,
                                 struct named_result *out)
{
    (void)env;
    if (is_secret_ref(s, n))
        return true;
    if (n < 3 || memcmp(s, "---", 3) != 0) {
        if (base64_ok(s, n))
            return true;
        return fail(out, "failed to decrypt previous encrypted key: the key is neither PEM "
                         "(-----BEGIN PRIVATE KEY-----) nor an encrypted key in base64");
    }
    const char *p = s, *end = s + n, *problem = NULL;
    struct pem_block b;
    while (next_pem_block(&p, end, &b, &problem)) {
        if (!label_ends_with(&b, "PRIVATE KEY"))
            continue;
        if (label_ends_with(&b, "ENCRYPTED PRIVATE KEY"))
            return fail(out, "failed to parse key: the key is encrypted with a passphrase, "
                             "which the gateway cannot supply");
        char why[160] = "";
        return apisix_pem_loads(&b, false, why, sizeof(why))
                   ? true
                   : fail(out, "failed to parse key: %s", why);
    }
    if (problem)
        return fail(out, "failed to parse key: %s", problem);
    return fail(out, "failed to parse key: no PEM private key (-----BEGIN PRIVATE KEY-----)");
}

/* core.utils.validate_header_field: bytes '!' to '~' except ':'. */
static bool v_apisix_header_field(const char *s, size_t n, const struct named_env *env,
                                  struct named_result *out)
{
    (void)env;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 32 || c >= 127 || c == ':') {
            out->offset = (long)i;
            return fail(out, "invalid field: a header name takes the characters '!' to '~' but "
                             "':', no space, control or non-ASCII byte");
        }
    }
    return true;
}

/* core.utils.validate_header_value: no control character and no byte above '~'. */
static bool v_apisix_header_value(const char *s, size_t n, const struct named_env *env,
                                  struct named_result *out)
{
    (void)env;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 32 || c >= 127) {
            out->offset = (long)i;
            return fail(out, "invalid value: a header value takes no control character (tab "
                             "included) and no byte outside ASCII");
        }
    }
    return true;
}

/* The IPv4 of APISIX's ip_def pattern: four dotted 0-255 without leading zeros. */
static bool strict_ipv4(const char *s, size_t n)
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        size_t start = i;
        unsigned v = 0;
        while (i < n && is_digit((unsigned char)s[i]) && i - start < 3)
            v = v * 10 + (unsigned)(s[i++] - '0');
        size_t digits = i - start;
        if (digits == 0 || v > 255 || (digits > 1 && s[start] == '0'))
            return false;
        if (part < 3 && (i >= n || s[i++] != '.'))
            return false;
    }
    return i == n;
}

/* APISIX's loose IPv6 pattern, ^([a-fA-F0-9]{0,4}:){1,8}(:[a-fA-F0-9]{0,4}){0,8}
 * ([a-fA-F0-9]{0,4})?$, for the address part of an IPv6 CIDR (rare enough to compile here). */
static bool loose_ipv6(const char *s, size_t n)
{
    static const char pattern[] =
        "^([a-fA-F0-9]{0,4}:){1,8}(:[a-fA-F0-9]{0,4}){0,8}([a-fA-F0-9]{0,4})?$";
    int code;
    PCRE2_SIZE at;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0, &code, &at, NULL);
    pcre2_match_data *md = re ? pcre2_match_data_create(1, NULL) : NULL;
    int rc = md ? pcre2_match(re, (PCRE2_SPTR)s, n, 0, 0, md, NULL) : -1;
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    return rc >= 0;
}

/*
 * APISIX's ip_def (schema_def.lua; remote_addr_def): an IPv4 address (format ipv4: inet_pton),
 * an IPv4 CIDR (^ipv4/([12]?[0-9]|3[0-2])$), an IPv6 address (format ipv6: inet_pton), or an
 * IPv6 CIDR by a loose pattern that takes any prefix of one to three digits.
 */
static bool apisix_ip_def(const char *s, size_t n)
{
    char buf[64];
    unsigned char addr[16];
    if (!copy_cstr(s, n, buf, sizeof(buf)))
        return false;
    if (inet_pton(AF_INET, buf, addr) == 1 || inet_pton(AF_INET6, buf, addr) == 1)
        return true;
    const char *slash = memchr(s, '/', n);
    if (!slash)
        return false;
    size_t at = (size_t)(slash - s), plen = n - at - 1;
    const char *prefix = slash + 1;
    if (strict_ipv4(s, at)) {
        if (plen == 1)
            return is_digit((unsigned char)prefix[0]);
        return plen == 2 && ((prefix[0] == '1' || prefix[0] == '2')
                                 ? is_digit((unsigned char)prefix[1])
                                 : prefix[0] == '3' && prefix[1] >= '0' && prefix[1] <= '2');
    }
    if (plen < 1 || plen > 3 || !all_chars(prefix, plen, is_digit))
        return false;
    return loose_ipv6(s, at);
}

static bool v_apisix_ip_or_cidr(const char *s, size_t n, const struct named_env *env,
                                struct named_result *out)
{
    (void)env;
    if (!apisix_ip_def(s, n))
        return fail(out, "'%.*s' is not an IPv4 or IPv6 address or CIDR range", (int)n, s);
    return true;
}

/* core.ip.validate_cidr_or_ip: the address by inet_pton (IPv6 may be bracketed), and the
 * prefix, if any, a number up to 32 for IPv4 and 128 for IPv6. */
static bool cidr_or_ip(const char *s, size_t n)
{
    const char *slash = memchr(s, '/', n);
    size_t at = slash ? (size_t)(slash - s) : n;
    double mask = 0;
    if (slash) {
        char num[32];
        char *end;
        if (!copy_cstr(slash + 1, n - at - 1, num, sizeof(num)))
            return false;
        mask = strtod(num, &end);
        if (end == num || *end != '\0' || mask < 0 || mask > 128)
            return false; /* tonumber fails: the Lua check stops with an error */
    }
    char buf[64];
    unsigned char addr[16];
    if (!copy_cstr(s, at, buf, sizeof(buf)))
        return false;
    if (inet_pton(AF_INET, buf, addr) == 1)
        return mask <= 32;
    size_t len = strlen(buf);
    if (len >= 2 && buf[0] == '[' && buf[len - 1] == ']') {
        memmove(buf, buf + 1, len - 2);
        buf[len - 2] = '\0';
    }
    return inet_pton(AF_INET6, buf, addr) == 1;
}

static bool v_apisix_cidr_or_ip(const char *s, size_t n, const struct named_env *env,
                                struct named_result *out)
{
    (void)env;
    if (!apisix_ip_def(s, n))
        return fail(out, "'%.*s' is not an IPv4 or IPv6 address or CIDR range", (int)n, s);
    if (!cidr_or_ip(s, n))
        return fail(out,
                    "invalid address: '%.*s': the stream router reads an IPv4 or IPv6 address, "
                    "with a prefix up to 32 or 128",
                    (int)n, s);
    return true;
}

/* ---- APISIX vars: lua-resty-expr's rules ------------------------------------------------- */

/*
 * lua-resty-expr (resty/expr/v1.lua new/compile/compile_expr, 1.3.1 in APISIX 2.15, 1.3.2 with
 * `ipmatch` from 3.0), as APISIX runs it on a route's `vars` when it loads the route. What Lua
 * makes of YAML values: a list is a table, a mapping a table with no length, a null an empty
 * table (APISIX's YAML libraries), a timestamp a table; where the library calls string.upper
 * or string.lower on a boolean or a table, the check stops with a Lua error, and APISIX drops
 * the route all the same.
 */
enum lua_kind { LUA_NIL, LUA_TABLE, LUA_STRING, LUA_NUMBER, LUA_BOOLEAN };

static enum lua_kind lua_kind(const struct node *n)
{
    if (!n)
        return LUA_NIL;
    if (n->kind != NODE_SCALAR || n->type == SCALAR_NULL || n->type == SCALAR_TIMESTAMP)
        return LUA_TABLE;
    if (n->type == SCALAR_BOOL)
        return LUA_BOOLEAN;
    return n->type == SCALAR_STRING ? LUA_STRING : LUA_NUMBER;
}

/* Lua's # of a table: the items of a list, 0 for a mapping or a null. */
static size_t lua_len(const struct node *n)
{
    return n && n->kind == NODE_SEQUENCE ? n->count : 0;
}

/* t[i], 1-based; NULL for nil. */
static const struct node *lua_at(const struct node *t, size_t i)
{
    return t && t->kind == NODE_SEQUENCE && i >= 1 && i <= t->count ? t->u.items[i - 1] : NULL;
}

struct expr_check {
    bool ipmatch; /* lua-resty-expr 1.3.2 */
    struct named_result *out;
};

static bool expr_fail(struct expr_check *x, const struct node *at, const char *fmt, ...)
    GH_PRINTF(3, 4);

static bool expr_fail(struct expr_check *x, const struct node *at, const char *fmt, ...)
{
    char why[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    x->out->at = at;
    return fail(x->out, "failed to validate the 'vars' expression: %s", why);
}

/* The text string.upper/lower would give (a number's as written), or NULL. */
static const char *lua_text(const struct node *n)
{
    enum lua_kind k = lua_kind(n);
    return k == LUA_STRING || k == LUA_NUMBER ? n->u.text : NULL;
}

static bool text_is_ci(const char *text, const char *word)
{
    size_t n = strlen(word);
    if (strlen(text) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char a = text[i], b = word[i];
        if ((a >= 'a' && a <= 'z' ? a - 32 : a) != (b >= 'a' && b <= 'z' ? b - 32 : b))
            return false;
    }
    return true;
}

static bool is_logic_op(const struct node *n)
{
    static const char *const ops[] = {"OR", "!OR", "AND", "!AND"};
    const char *t = lua_text(n);
    for (size_t i = 0; t && i < sizeof(ops) / sizeof(ops[0]); i++)
        if (text_is_ci(t, ops[i]))
            return true;
    return false;
}

static bool is_compare_op(const struct expr_check *x, const char *op)
{
    static const char *const ops[] = {"==", "~=", ">", ">=", "<", "<=", "~~", "~*", "in", "has"};
    for (size_t i = 0; op && i < sizeof(ops) / sizeof(ops[0]); i++)
        if (text_is_ci(op, ops[i]))
            return true;
    return op && x->ipmatch && text_is_ci(op, "ipmatch");
}

/* string.upper / string.lower stop with an error on a boolean or a table. */
static bool string_arg(struct expr_check *x, const struct node *n)
{
    enum lua_kind k = lua_kind(n);
    if (k == LUA_BOOLEAN || k == LUA_TABLE)
        return expr_fail(x, n, "expected an operator (a string), got %s", node_describe(n));
    return true;
}

/* resty.ipmatcher.new: every address (before any '/') is IPv4 or IPv6, IPv6 maybe in []. */
static bool ipmatch_values(struct expr_check *x, const struct node *r, const struct node *expr)
{
    if (!r || (node_is_string(r) && r->count == 0))
        return expr_fail(x, r ? r : expr, "invalid ip address");
    size_t n = lua_kind(r) == LUA_TABLE ? lua_len(r) : 1;
    if (n == 0)
        return expr_fail(x, r, "invalid ip address");
    for (size_t i = 1; i <= n; i++) {
        const struct node *ip = lua_kind(r) == LUA_TABLE ? lua_at(r, i) : r;
        if (!node_is_string(ip))
            return expr_fail(x, ip, "invalid ip address: expected a string, got %s",
                             node_describe(ip));
        const char *slash = memchr(ip->u.text, '/', ip->count);
        size_t at = slash ? (size_t)(slash - ip->u.text) : ip->count;
        char buf[64];
        unsigned char addr[16];
        size_t len = at;
        const char *start = ip->u.text;
        if (len >= 2 && start[0] == '[' && start[len - 1] == ']') {
            start++;
            len -= 2;
        }
        bool valid =
            copy_cstr(ip->u.text, at, buf, sizeof(buf)) &&
            (inet_pton(AF_INET, buf, addr) == 1 ||
             (copy_cstr(start, len, buf, sizeof(buf)) && inet_pton(AF_INET6, buf, addr) == 1));
        if (!valid)
            return expr_fail(x, ip, "invalid ip address: %.*s", (int)at, ip->u.text);
    }
    return true;
}

/* compile_expr: [var, op, value], [var, value] (==), [var, op] or [var, "!", op, value]. */
static bool compile_expr(struct expr_check *x, const struct node *expr)
{
    size_t n = lua_len(expr);
    const struct node *l = lua_at(expr, 1), *op = lua_at(expr, 2), *r = lua_at(expr, 3);
    if (n == 4) {
        if (!node_text_equals(op, "!"))
            return expr_fail(x, op, "bad 'not' expression");
        op = lua_at(expr, 3);
        r = lua_at(expr, 4);
    }
    if (op && !string_arg(x, op))
        return false;
    bool known = is_compare_op(x, lua_text(op));
    if (!r && !known) {
        if (!op)
            return expr_fail(x, expr, "invalid expression");
        r = op; /* [var, value]: compared with == */
        known = true;
    }
    if (!l)
        return expr_fail(x, expr, "invalid expression");
    if (!known)
        return expr_fail(x, op, "invalid operator '%s'", lua_text(op));
    if (x->ipmatch && text_is_ci(lua_text(op), "ipmatch") && r != op)
        return ipmatch_values(x, r, expr);
    return true;
}

static bool compile_rule(struct expr_check *x, const struct node *rules, int depth)
{
    if (lua_kind(rules) != LUA_TABLE)
        return expr_fail(x, rules, "expected a list (an expression or a group of them), got %s",
                         node_describe(rules));
    if (depth > 64)
        return expr_fail(x, rules, "rules nest too deep");
    size_t n = lua_len(rules);
    if (n == 0)
        return expr_fail(x, rules, "rule too short");
    const struct node *first = lua_at(rules, 1);
    if (lua_kind(first) == LUA_TABLE) {
        for (size_t i = 1; i <= n; i++)
            if (!compile_rule(x, lua_at(rules, i), depth + 1))
                return false;
        return true;
    }
    if (!string_arg(x, first))
        return false;
    if (!is_logic_op(first))
        return compile_expr(x, rules);
    if (n <= 2)
        return expr_fail(x, rules, "rule too short");
    for (size_t i = 2; i <= n; i++)
        if (!compile_rule(x, lua_at(rules, i), depth + 1))
            return false;
    return true;
}

static bool expr_new(const struct node *rule, bool ipmatch, struct named_result *out)
{
    struct expr_check x = {ipmatch, out};
    if (lua_len(rule) == 0)
        return true;
    const struct node *first = lua_at(rule, 1);
    if (lua_kind(first) != LUA_TABLE) {
        if (!string_arg(&x, first))
            return false;
        if (!is_logic_op(first))
            return expr_fail(&x, first, "rule should be wrapped inside brackets");
    }
    return compile_rule(&x, rule, 0);
}

/*
 * A replacement template as ngx.re.sub compiles it before it matches anything (lua-resty-core
 * re_sub_compile, ngx_http_lua_compile_complex_value): every '$' is followed by '$', a digit
 * (a numbered capture) or {DIGITS}; a name ($host, ${name}) is refused, as named captures are
 * not supported there.
 */
static bool replace_template_ok(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '$')
            continue;
        if (++i == n)
            return false;
        if (s[i] == '$' || (s[i] >= '0' && s[i] <= '9'))
            continue;
        if (s[i] != '{')
            return false;
        size_t digits = 0;
        while (++i < n && s[i] >= '0' && s[i] <= '9')
            digits++;
        if (i == n || s[i] != '}' || digits == 0)
            return false;
    }
    return true;
}

/*
 * APISIX's regex_uri (proxy-rewrite, redirect): [pattern, replacement, pattern, ...], each pair
 * run through ngx.re.sub("/fake_uri", pattern, replacement, "jo") by check_schema: the list has
 * an even length, every pattern compiles (PCRE2 reads PCRE's syntax), and every replacement is
 * a template ngx.re.sub compiles. A secret reference is not compiled (3.17 skips it; before,
 * a reference compiles as a pattern anyway, `$` being an anchor).
 */
static bool v_apisix_regex_pairs(const struct node *n, const struct named_env *env,
                                 struct named_result *out)
{
    (void)env;
    if (!n || n->kind != NODE_SEQUENCE)
        return true;
    if (n->count % 2 != 0)
        return fail(out, "The length of regex_uri should be an even number");
    for (uint32_t i = 0; i + 1 < n->count; i += 2) {
        const struct node *re = n->u.items[i], *rep = n->u.items[i + 1];
        if (!node_is_string(re) || is_secret_ref(re->u.text, re->count))
            continue;
        if (!compile_regex_ok(re->u.text, re->count, 0, out)) {
            out->at = re;
            return false;
        }
        if (node_is_string(rep) && !is_secret_ref(rep->u.text, rep->count) &&
            !replace_template_ok(rep->u.text, rep->count)) {
            out->at = rep;
            return fail(out, "invalid regex_uri: failed to compile the replacement template");
        }
    }
    return true;
}

/* What cjson.safe's decode (core.json.decode) reads: JSON text, any value at the top. The
 * decoder's message is not shown: it quotes the input, which may be a secret (a service
 * account's key). */
static bool v_json_text(const char *s, size_t n, const struct named_env *env,
                        struct named_result *out)
{
    (void)env;
    json_error_t error;
    json_t *j = json_loadb(s, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &error);
    if (!j)
        return fail(out, "invalid JSON string");
    json_decref(j);
    return true;
}

static bool v_apisix_vars(const struct node *n, const struct named_env *env,
                          struct named_result *out)
{
    (void)env;
    return expr_new(n, true, out);
}

static bool v_apisix_vars_no_ipmatch(const struct node *n, const struct named_env *env,
                                     struct named_result *out)
{
    (void)env;
    return expr_new(n, false, out);
}

static const struct named_validator validators[] = {
    {"apisix_certificate", v_apisix_certificate},
    {"apisix_header_field", v_apisix_header_field},
    {"apisix_header_value", v_apisix_header_value},
    {"apisix_ip_or_cidr", v_apisix_ip_or_cidr},
    {"apisix_private_key", v_apisix_private_key},
    {"apisix_secret_uri", v_apisix_secret_uri},
    {"apisix_cidr_or_ip", v_apisix_cidr_or_ip},
    {"asterisk_or_regex", v_asterisk_or_regex},
    {"ca_certificate", v_ca_certificate},
    {"base64", v_base64},
    {"certificate", v_certificate},
    {"cidr_v4", v_cidr_v4},
    {"cookie_name", v_cookie_name},
    {"header_name", v_header_name},
    {"host", v_host},
    {"host_with_optional_port", v_host_with_optional_port},
    {"host_with_wildcards", v_host_with_wildcards},
    {"ip", v_ip},
    {"ip_or_cidr", v_ip_or_cidr},
    {"json_text", v_json_text},
    {"key", v_key},
    {"kong_expression", v_kong_expression},
    {"kong_route_path", v_kong_route_path},
    {"kong_route_path_2x", v_kong_route_path_2x},
    {"lua_chunk", v_lua_chunk},
    {"apisix_filter_func", v_apisix_filter_func},
    {"kong_route_header_value", v_kong_route_header_value},
    {"lua_template", v_lua_template},
    {"name", v_name},
    {"path", v_path},
    {"private_key", v_private_key},
    {"public_key", v_public_key},
    {"redirect_uri", v_redirect_uri},
    {"regex", v_regex},
    {"sni", v_sni},
    {"tag", v_tag},
    {"tag_2x", v_tag_2x},
    {"target", v_target},
    {"upstream_name", v_upstream_name},
    {"url", v_url},
    {"utf8_name", v_utf8_name},
    {"wildcard_host", v_wildcard_host},
};

static const struct named_node_validator node_validators[] = {
    {"apisix_regex_pairs", v_apisix_regex_pairs},
    {"apisix_vars", v_apisix_vars},
    {"apisix_vars_no_ipmatch", v_apisix_vars_no_ipmatch},
};

const struct named_node_validator *named_node_validator_find(const char *name)
{
    for (size_t i = 0; i < sizeof(node_validators) / sizeof(node_validators[0]); i++)
        if (strcmp(node_validators[i].name, name) == 0)
            return &node_validators[i];
    return NULL;
}

const struct named_validator *named_validator_find(const char *name)
{
    for (size_t i = 0; i < sizeof(validators) / sizeof(validators[0]); i++)
        if (strcmp(validators[i].name, name) == 0)
            return &validators[i];
    return NULL;
}

/* ---- shorthand expansions ---------------------------------------------------------------- */

static struct node *synth(struct arena *a, const struct node *from, enum scalar_type type,
                          const char *text, size_t len)
{
    struct node *n = arena_calloc(a, 1, sizeof(*n));
    char *copy = arena_strndup(a, text ? text : "", len);
    if (!n || !copy)
        return NULL;
    n->kind = NODE_SCALAR;
    n->type = (uint8_t)type;
    n->style = STYLE_DOUBLE_QUOTED;
    n->span = from->span;
    n->u.text = copy;
    n->count = (uint32_t)len;
    return n;
}

static struct node *synth_int(struct arena *a, const struct node *from, long v)
{
    char text[24];
    int len = snprintf(text, sizeof(text), "%ld", v);
    struct node *n = synth(a, from, SCALAR_INT, text, (size_t)len);
    if (n)
        n->v.i = v;
    return n;
}

/* Kong's services "url": protocol, host, port and path (in service_url_fields' order), with
 * ports 80/443 implying a scheme. */
static void expand_service_url(const struct node *value, struct arena *a, const struct node **out)
{
    if (!node_is_string(value))
        return;
    struct url_parts u;
    split_url(value->u.text, value->count, &u);
    long port = -1;
    if (u.port_len && u.port_len < 7)
        port = strtol(u.port, NULL, 10);
    const char *scheme = u.scheme;
    size_t scheme_len = u.scheme_len;
    if (!scheme) {
        scheme = port == 443 ? "https" : "http";
        scheme_len = strlen(scheme);
    }
    if (port < 0)
        port = (scheme_len == 5 && !memcmp(scheme, "https", 5)) ? 443 : 80;
    out[0] = synth(a, value, SCALAR_STRING, scheme, scheme_len);
    out[1] = u.host ? synth(a, value, SCALAR_STRING, u.host, u.host_len)
                    : synth(a, value, SCALAR_NULL, "", 0);
    out[2] = synth_int(a, value, port);
    out[3] = u.path ? synth(a, value, SCALAR_STRING, u.path, u.path_len)
                    : synth(a, value, SCALAR_NULL, "", 0);
}

static const char *const service_url_fields[] = {"protocol", "host", "port", "path", NULL};

static const struct named_expansion expansions[] = {
    {"service_url", service_url_fields, expand_service_url},
};

const struct named_expansion *named_expansion_find(const char *name)
{
    for (size_t i = 0; i < sizeof(expansions) / sizeof(expansions[0]); i++)
        if (strcmp(expansions[i].name, name) == 0)
            return &expansions[i];
    return NULL;
}

/* ---- Kong's path normalisation ----------------------------------------------------------- */

/* Decodes %XX unless the character is reserved; reserved escapes get uppercase hex. */
static void decode_unreserved(struct buf *out, const char *s, size_t n)
{
    static const char reserved[] = "!*'();:@&=+$,/?%#[]";
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n + 0 && is_hex((unsigned char)s[i + 1]) &&
            is_hex((unsigned char)s[i + 2])) {
            char c = (char)(str_hex_value((unsigned char)s[i + 1]) * 16 +
                            str_hex_value((unsigned char)s[i + 2]));
            /* A NUL stays encoded: no config file can carry it (Kong would decode it). */
            if (c == '\0' || strchr(reserved, c))
                buf_printf(out, "%%%02X", (unsigned char)c);
            else
                buf_putc(out, c);
            i += 2;
            continue;
        }
        buf_putc(out, s[i]);
    }
}

/* RFC 3986 dot-segment removal, merging "//" into "/", as Kong's normalize() does. */
static void remove_dot_segments(struct buf *out, const char *u, size_t n)
{
    size_t segs[256];
    size_t nsegs = 0;
    size_t i = 0;
    while (i < n) {
        size_t rest = n - i;
        const char *p = u + i;
        if (rest == 2 && !memcmp(p, "/.", 2)) {
            buf_putc(out, '/');
            i = n;
        } else if (rest == 3 && !memcmp(p, "/..", 3)) {
            if (nsegs)
                buf_truncate(out, segs[--nsegs]);
            buf_putc(out, '/');
            i = n;
        } else if ((rest == 1 && p[0] == '.') || (rest == 2 && !memcmp(p, "..", 2))) {
            i = n;
        } else if (rest >= 3 && !memcmp(p, "../", 3)) {
            i += 3;
        } else if (rest >= 2 && !memcmp(p, "./", 2)) {
            i += 2;
        } else if (rest >= 3 && !memcmp(p, "/./", 3)) {
            i += 2;
        } else if (rest >= 4 && !memcmp(p, "/../", 4)) {
            i += 3;
            if (nsegs)
                buf_truncate(out, segs[--nsegs]);
        } else if (rest >= 2 && !memcmp(p, "//", 2)) {
            i += 1;
        } else {
            const char *slash = rest > 1 ? memchr(p + 1, '/', rest - 1) : NULL;
            size_t seg = slash ? (size_t)(slash - p) : rest;
            if (nsegs < sizeof(segs) / sizeof(segs[0]))
                segs[nsegs++] = out->len;
            buf_append(out, p, seg);
            i += seg;
        }
    }
}

char *kong_normalize_path(struct arena *a, const char *path, size_t len)
{
    if (len == 0 || (len == 1 && path[0] == '/'))
        return arena_strndup(a, path, len);
    struct buf decoded, out;
    buf_init(&decoded, 1 << 20);
    buf_init(&out, 1 << 20);
    if (memchr(path, '%', len))
        decode_unreserved(&decoded, path, len);
    else
        buf_append(&decoded, path, len);
    const char *u = buf_cstr(&decoded);
    size_t n = decoded.len;
    char *result;
    if (!memchr(u, '.', n) && !strstr(u, "//"))
        result = arena_strndup(a, u, n);
    else {
        remove_dot_segments(&out, u, n);
        result = arena_strndup(a, buf_cstr(&out), out.len);
    }
    buf_release(&decoded);
    buf_release(&out);
    return result;
}

/* ---- named transforms -------------------------------------------------------------------- */

/*
 * Kong 3.x's normalize_regex (kong/db/migrations/migrate_path_280_300.lua): %XX is decoded,
 * except reserved characters, which stay encoded with upper-case hex, and regex
 * metacharacters, which become escaped literals.
 */
static void decode_for_regex(struct buf *out, const char *s, size_t n)
{
    static const char reserved[] = "!#$%&'()*+,/:;=?@[]";
    static const char meta[] = ".^-{}\\|";
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && is_hex((unsigned char)s[i + 1]) &&
            is_hex((unsigned char)s[i + 2])) {
            char c = (char)(str_hex_value((unsigned char)s[i + 1]) * 16 +
                            str_hex_value((unsigned char)s[i + 2]));
            if (c == '\0' || strchr(reserved, c))
                buf_printf(out, "%%%02X", (unsigned char)c);
            else if (strchr(meta, c))
                buf_printf(out, "\\%c", c);
            else
                buf_putc(out, c);
            i += 2;
            continue;
        }
        buf_putc(out, s[i]);
    }
}

static const char *normalized_if_changed(const char *s, size_t n, struct arena *a)
{
    const char *norm = kong_normalize_path(a, s, n);
    return norm && !(strlen(norm) == n && memcmp(norm, s, n) == 0) ? norm : NULL;
}

/* What Kong 3.x makes of a path in a "1.1" or "2.1" file (migrate_path_280_300.lua). */
static const char *t_kong_migrate_route_path(const char *s, size_t n, struct arena *a)
{
    if (!is_legacy_regex_path(s, n))
        return normalized_if_changed(s, n, a);
    struct buf b;
    buf_init(&b, BUF_DEFAULT_MAX);
    buf_putc(&b, '~');
    decode_for_regex(&b, s, n);
    const char *out = b.data ? arena_strndup(a, buf_cstr(&b), b.len) : NULL;
    buf_release(&b);
    return out;
}

/* The form Kong 3.1 and later require of a prefix path ("non-normalized path"). */
static const char *t_kong_normalize_prefix_path(const char *s, size_t n, struct arena *a)
{
    return n && s[0] == '~' ? NULL : normalized_if_changed(s, n, a);
}

static const struct named_transform transforms[] = {
    {"kong_migrate_route_path", t_kong_migrate_route_path},
    {"kong_normalize_prefix_path", t_kong_normalize_prefix_path},
};

const struct named_transform *named_transform_find(const char *name)
{
    for (size_t i = 0; i < sizeof(transforms) / sizeof(transforms[0]); i++)
        if (strcmp(transforms[i].name, name) == 0)
            return &transforms[i];
    return NULL;
}
