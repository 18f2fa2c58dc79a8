/* Unit tests for src/schema/schema_named.c: the validators the data refers to by name. */
#include <stdio.h>
#include <string.h>

#include "schema/schema_named.h"
#include "tap.h"

static struct version v28 = {{2, 8, 0, 0}, 2}, v34 = {{3, 4, 0, 0}, 2}, v30 = {{3, 0, 0, 0}, 2};

static bool check(const char *validator, const char *value, const struct version *v,
                  struct named_result *r)
{
    const struct named_validator *nv = named_validator_find(validator);
    struct named_env env = {v, "traditional_compatible", "3.0", NULL, NULL};
    memset(r, 0, sizeof(*r));
    r->rule = R_HOP2007;
    r->offset = -1;
    return nv && nv->fn(value, strlen(value), &env, r);
}

static void accepts(const char *validator, const char *value)
{
    struct named_result r;
    ok(check(validator, value, &v34, &r), "%s accepts '%s'", validator, value);
}

static void rejects(const char *validator, const char *value, const char *message)
{
    struct named_result r;
    bool pass = check(validator, value, &v34, &r);
    ok(!pass && strcmp(r.message, message) == 0, "%s rejects '%s': %s", validator, value, message);
    if (pass || strcmp(r.message, message) != 0)
        printf("#   got: %s\n", pass ? "(accepted)" : r.message);
}

static void test_hosts(void)
{
    accepts("host", "example.com");
    accepts("host", "10.0.0.1");
    accepts("host", "::1");
    accepts("host", "[2001:db8::1]");
    accepts("host", "orders.svc.cluster.local.");
    rejects("host", "example.com:8080", "must not have a port");
    rejects("host", "300.1.1.1", "invalid value: 300.1.1.1");
    rejects("host", "ex ample.com", "invalid value: ex ample.com");
    rejects("host", "a-.example.com", "invalid value: a-.example.com");
    rejects("host", "a..b", "invalid value: a..b");
    accepts("host_with_optional_port", "example.com:8080");
    rejects("host_with_optional_port", "example.com:99999", "invalid port number");
    accepts("wildcard_host", "*.example.com");
    accepts("wildcard_host", "example.*");
    rejects("wildcard_host", "a.*.com", "wildcard must be leftmost or rightmost character");
    rejects("wildcard_host", "10.0.0.1", "must not be an IP");
    rejects("sni", "example.com:443", "must not have a port");
    accepts("host_with_wildcards", "*.example.com");
    accepts("upstream_name", "backend.internal");
    rejects("upstream_name", "10.0.0.1", "Invalid name ('10.0.0.1'); no ip addresses allowed");
    rejects("upstream_name", "backend:80", "Invalid name ('backend:80'); no port allowed");
    accepts("target", "10.0.0.1:8080");
    accepts("target", "[::1]:80");
    rejects("target", "bad host",
            "Invalid target ('bad host'); not a valid hostname or ip address");
}

static void test_ips(void)
{
    accepts("ip", "192.168.1.1");
    accepts("ip", "2001:db8::1");
    rejects("ip", "192.168.1", "not an ip address: 192.168.1");
    accepts("ip_or_cidr", "10.0.0.0/8");
    accepts("ip_or_cidr", "2001:db8::/32");
    rejects("ip_or_cidr", "10.0.0.0/33", "invalid ip or cidr range: '10.0.0.0/33'");
    rejects("ip_or_cidr", "10.0.0.0/08", "invalid ip or cidr range: '10.0.0.0/08'");
    rejects("cidr_v4", "2001:db8::/32", "invalid ipv4 cidr range: '2001:db8::/32'");
}

static void test_names(void)
{
    accepts("utf8_name", "orders-v2_x.y~z");
    accepts("utf8_name", "caf\xc3\xa9");
    rejects("utf8_name", "orders v2",
            "invalid value 'orders v2': the only accepted ascii characters are alphanumerics or "
            "., -, _, and ~");
    accepts("tag", "team a");
    rejects("tag_2x", "team a",
            "invalid tag 'team a': expected printable ascii (except `,` and `/`) or valid utf-8 "
            "sequences");
    rejects("tag", "a,b",
            "invalid tag 'a,b': expected printable ascii (except `,` and `/`) or valid utf-8 "
            "sequences");
    accepts("header_name", "X-Request-Id");
    rejects("header_name", "X Request",
            "bad header name 'X Request', allowed characters are A-Z, a-z, 0-9, '_', and '-'");
    accepts("url", "https://example.com:8443/api");
    rejects("url", "example.com/api", "missing host in url");
    rejects("url", "//example.com/api", "missing scheme in url");
}

static void test_paths(void)
{
    struct named_result r;
    accepts("path", "/api/v1/%20x");
    rejects("path", "/api/%zz", "invalid url-encoded value: '%zz'");
    rejects("path", "/api/{x}",
            "invalid path: '/api/{x}' (characters outside of the reserved list of RFC 3986 found)");
    accepts("kong_route_path", "/orders");
    accepts("kong_route_path", "~/orders/(?<id>\\d+)$");
    ok(!check("kong_route_path", "~/orders/(\\d+", &v34, &r) && r.rule == R_HOP3003,
       "an unclosed group is an invalid regex");
    is_int(r.offset, 13, "pointed at the end of the pattern, past the ~");
    ok(!check("kong_route_path", "/a/../b", &v34, &r) && r.rule == R_HOP3005,
       "3.4 wants normalised prefix paths");
    is_str(r.message, "non-normalized path, consider use '/b' instead", "with Kong's wording");
    ok(check("kong_route_path", "/a/../b", &v30, &r), "3.0 did not check normalisation yet");
    ok(!check("kong_route_path", "/a/%7Eb", &v34, &r), "%%7E is ~, which must be written plainly");
    is_str(r.message, "non-normalized path, consider use '/a/~b' instead", "decoded");
    ok(check("kong_route_path", "/a/%2Fb", &v34, &r), "%%2F stays encoded (reserved)");
    ok(!check("kong_route_path_2x", "/orders/(\\d+", &v28, &r) && r.rule == R_HOP3003,
       "2.x finds regexes by their characters");
    ok(check("kong_route_path_2x", "/orders/v1", &v28, &r), "a 2.x prefix path");
}

static void test_normalize(void)
{
    static const char *const cases[][2] = {
        {"/", "/"},         {"/a//b", "/a/b"},    {"/a/./b", "/a/b"}, {"/a/b/../c", "/a/c"},
        {"/a/%41", "/a/A"}, {"/a/%2f", "/a/%2F"}, {"/a/b/..", "/a/"}, {"/../a", "/a"},
        {"/a/./", "/a/"},
    };
    struct arena a;
    arena_init(&a, 1024);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *got = kong_normalize_path(&a, cases[i][0], strlen(cases[i][0]));
        is_str(got, cases[i][1], cases[i][0]);
    }
    arena_release(&a);
}

static void test_pem(void)
{
    accepts("certificate",
            "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n");
    rejects("certificate", "not a certificate", "invalid certificate: no PEM block found");
    rejects("certificate", "-----BEGIN CERTIFICATE-----\nMII*\n-----END CERTIFICATE-----",
            "invalid certificate: the PEM body is not base64");
    rejects("certificate", "-----BEGIN CERTIFICATE-----\nMIIBszCC\n",
            "invalid certificate: the PEM block is not closed with '-----END CERTIFICATE-----'");
    accepts("key", "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIA==\n-----END EC PRIVATE KEY-----");
    rejects("key", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
            "invalid key: no PEM block found");
}

static void test_expansion(void)
{
    const struct named_expansion *e = named_expansion_find("service_url");
    ok(e != NULL, "service_url exists");
    struct node url = {0};
    url.kind = NODE_SCALAR;
    url.type = SCALAR_STRING;
    url.u.text = "https://orders.internal/api";
    url.count = (uint32_t)strlen(url.u.text);
    struct arena a;
    arena_init(&a, 1024);
    const struct node *port = e->fn(&url, "port", &a);
    ok(port && port->type == SCALAR_INT && port->v.i == 443, "https implies port 443");
    is_str(e->fn(&url, "host", &a)->u.text, "orders.internal", "host");
    is_str(e->fn(&url, "path", &a)->u.text, "/api", "path");
    is_str(e->fn(&url, "protocol", &a)->u.text, "https", "protocol");
    arena_release(&a);
}

/* What a transform makes of a value; "(unchanged)" when it returns NULL. */
static void transforms(const char *name, const char *value, const char *expected)
{
    const struct named_transform *t = named_transform_find(name);
    struct arena a;
    arena_init(&a, 1024);
    const char *got = t ? t->fn(value, strlen(value), &a) : "(no such transform)";
    char what[256];
    snprintf(what, sizeof(what), "%s('%s')", name, value);
    is_str(got ? got : "(unchanged)", expected, what);
    arena_release(&a);
}

/*
 * Kong's on-load migration of 2.x paths, with the examples of its own spec
 * (04-on-the-fly-migration_spec.lua: "/regex.+" and "/prefix") and of its decoding rules.
 */
static void test_migrate_path(void)
{
    const char *m = "kong_migrate_route_path";
    transforms(m, "/regex.+", "~/regex.+");
    transforms(m, "/prefix", "(unchanged)");
    transforms(m, "/users/\\d+$", "~/users/\\d+$");
    transforms(m, "/a/%7Eb/./c//d", "/a/~b/c/d");
    transforms(m, "/a/%2fb", "/a/%2Fb");
    /* a regex: reserved escapes stay (upper case), metacharacters become escaped literals */
    transforms(m, "/x/(a|b)%2e%5c%7e%2f", "~/x/(a|b)\\.\\\\~%2F");
    transforms(m, "/x/(a)%00", "~/x/(a)%00");
    /* '~' is in the plain class, so a 3.x-style regex in a 2.x file is a prefix to Kong too */
    transforms(m, "~/already", "(unchanged)");
    const char *n = "kong_normalize_prefix_path";
    transforms(n, "/static//img", "/static/img");
    transforms(n, "/a/../b", "/b");
    transforms(n, "~/static//(.*)", "(unchanged)");
    transforms(n, "/plain", "(unchanged)");
    ok(named_transform_find("no_such_transform") == NULL, "unknown transforms are not found");
}

/* The constructs the ATC router's regex engine refuses, and the ones it runs. */
static void test_router_regex(void)
{
    struct named_result r;
    static const char *const refused[] = {"~/a(?=b)", "~/a(?!b)",        "~/(?<=a)b", "~/(?<!a)b",
                                          "~/(a)\\1", "~/(?<n>a)\\k<n>", "~/(?>ab)",  "~/a++",
                                          "~/(?R)",   "~/(a)?(?(1)b|c)", "~/a\\Kb",   "~/a\\Z"};
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        bool pass = check("kong_route_path", refused[i], &v34, &r);
        ok(!pass && r.rule == R_HOP3007, "traditional_compatible refuses '%s'", refused[i]);
    }
    static const char *const run[] = {"~/a(?:b)",     "~/(?<name>a)", "~/a[(?=]",
                                      "~/a\\(?=b\\)", "~/a+?",        "~/\\d{2}+x"};
    for (size_t i = 0; i < sizeof(run) / sizeof(run[0]); i++)
        accepts("kong_route_path", run[i]);
}

int main(void)
{
    test_hosts();
    test_ips();
    test_names();
    test_paths();
    test_normalize();
    test_pem();
    test_expansion();
    test_migrate_path();
    test_router_regex();
    return done();
}
