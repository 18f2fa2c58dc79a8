/* Unit tests for src/schema/schema_named.c: the validators the data refers to by name. */
#include <stdio.h>
#include <string.h>

#include "reader/reader.h"
#include "schema/schema_expr.h"
#include "schema/schema_named.h"
#include "tap.h"

static struct version v28 = {{2, 8, 0, 0}, 2}, v34 = {{3, 4, 0, 0}, 2}, v30 = {{3, 0, 0, 0}, 2};

static bool check(const char *validator, const char *value, const struct version *v,
                  struct named_result *r)
{
    /* Kong 3.4's ATC router: regexes in the syntax of regex-syntax 0.7 */
    static const struct spec_expr_lang atc34 = {.regex = RUST_REGEX_0_7};
    const struct named_validator *nv = named_validator_find(validator);
    struct named_env env = {v, "traditional_compatible", "3.0", &atc34, NULL};
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

/* A 3.x prefix path that reads like a pattern: HOP3006, whose message holds the advice. */
static void advises(const char *path, const char *advice, const char *what)
{
    struct named_result r;
    bool pass = check("kong_route_path", path, &v34, &r);
    ok(!pass && r.rule == R_HOP3006 && strstr(r.message, advice), "%s: %s", path, what);
    if (pass || !strstr(r.message, advice))
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
    /* Kong's normalize_ip words each kind of address; a wildcard is checked as "abc". */
    rejects("host_with_optional_port", "ex ample.com", "invalid hostname: ex ample.com");
    rejects("host_with_optional_port", "300.1.1.1", "invalid ipv4 address: 300.1.1.1");
    rejects("host_with_optional_port", "2001:db8::g", "invalid ipv6 address: 2001:db8::g");
    rejects("host_with_optional_port", "[::1]x", "invalid ipv6 address");
    rejects("host_with_wildcards", "*.ex ample.com", "invalid hostname: abc.ex ample.com");
    rejects("host_with_wildcards", "*.example.com:70000", "invalid port number");
    /* A host longer than any buffer is checked whole: its bad last character is found. */
    char long_host[2100];
    for (size_t i = 0; i < 2096; i += 4)
        memcpy(long_host + i, "*.a.", 4);
    memcpy(long_host + 2096, "b;c", 4);
    struct named_result r;
    ok(!check("host_with_wildcards", long_host, &v34, &r) &&
           !strncmp(r.message, "invalid hostname: ", 18),
       "host_with_wildcards checks a 2,099-byte host to its end");
    long_host[2097] = 'x';
    ok(check("host_with_wildcards", long_host, &v34, &r), "and accepts it without the bad byte");
    rejects("redirect_uri", "foobar", "cannot parse 'foobar'");
    rejects("redirect_uri", "/cb", "cannot parse '/cb'");
    rejects("redirect_uri", "https://a.example/cb#x",
            "fragment not allowed in 'https://a.example/cb#x'");
    accepts("redirect_uri", "https://a.example/cb?x=1");
    accepts("redirect_uri", "com.example.app://callback");
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
    /* HOP3006's advice: a template or a glob says the regex it means. */
    advises("/movies/{id}", "write '~/movies/(?<id>[^/]+)'",
            "a template's {name} becomes a named group");
    advises("/u/{user-id}/*/x", "write '~/u/[^/]+/[^/]+/x'",
            "a name PCRE does not take, and a '*' segment, become [^/]+");
    advises("/files/{id}.json", "write '~/files/(?<id>[^/]+)\\.json'",
            "in the regex a '.' is itself");
    advises("/a*", "write '~/a[^/]*'", "a '*' within a segment may match nothing");
    advises("/training/*", "write '/training/'",
            "a final '*' segment is dropped: the prefix already matches below it");
    advises("/users/\\d+$", "write '~/users/\\d+$' if it is a regex",
            "a regex is told to start with '~'");
    advises("/w/{id", "write '~/w/{id'", "an unclosed brace is no template");
    /* Escapes are checked in a path of RFC 3986 characters only: never in a regex. */
    rejects("kong_route_path", "/plain%zz", "invalid url-encoded value: '%zz'");
    accepts("kong_route_path", "~/a%zz");
    accepts("kong_route_path", "~/api/router(?:/|%2[fF]|$)");
    ok(check("kong_route_path_2x", "/api/router(?:/|%2[fF]|$)", &v28, &r),
       "a 2.x regex path is not checked for escapes");
    ok(!check("kong_route_path_2x", "/plain%zz", &v28, &r) &&
           !strcmp(r.message, "invalid url-encoded value: '%zz'"),
       "a 2.x prefix path is");
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

/* A throwaway self-signed EC certificate and its key, made for these tests. */
static const char test_cert[] = "-----BEGIN CERTIFICATE-----\n"
                                "MIIBgzCCASmgAwIBAgIUN3pkycbjKwsauG1QmIKJKfGs8dMwCgYIKoZIzj0EAwIw\n"
                                "FzEVMBMGA1UEAwwMdGVzdC5leGFtcGxlMB4XDTI2MTIwNjE4MDIwNVoXDTM2MTIw\n"
                                "MzE4MDIwNVowFzEVMBMGA1UEAwwMdGVzdC5leGFtcGxlMFkwEwYHKoZIzj0CAQYI\n"
                                "KoZIzj0DAQcDQgAENHt5E4T1zS85a/YITM8UUXKD/AjmcVqeckY+tDdPamDNeYHK\n"
                                "bIpLc49fjT2+z0e4lL+Ap/aUi4Z3u6LDKwIaoqNTMFEwHQYDVR0OBBYEFE13paZk\n"
                                "rRu1isxAy01Bwvb0v6beMB8GA1UdIwQYMBaAFE13paZkrRu1isxAy01Bwvb0v6be\n"
                                "MA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIgXiSG14Mag+K3BA+q\n"
                                "QN9QhRANJmYEd2drydT05OZYpEsCIQC4qdsT0vypj6TwOuxD7xv5xtwjL+7d72rM\n"
                                "U3q9j4igLQ==\n"
                                "-----END CERTIFICATE-----\n";
static const char test_key[] = "-----BEGIN PRIVATE KEY-----\n"
                               "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgwvZul0QZjwO+p5Ld\n"
                               "csJOkEVx9l3j7FxBXjc2KAKNBPGhRANCAAQ0e3kThPXNLzlr9ghMzxRRcoP8COZx\n"
                               "Wp5yRj60N09qYM15gcpsiktzj1+NPb7PR7iUv4Cn9pSLhne7osMrAhqi\n"
                               "-----END PRIVATE KEY-----\n";

/* Real certificates and keys (made with openssl and python-cryptography for these tests): a
 * CA valid until 2126, one that expired in 2001, one without basicConstraints (valid until 2120,
 * a GeneralizedTime), an EC and an RSA leaf, and an EC key pair. */
static const char ca_long[] = "-----BEGIN CERTIFICATE-----\n"
                              "MIIBijCCATGgAwIBAgIUMti6cc+N3cwC01fZeXIuw010n88wCgYIKoZIzj0EAwIw\n"
                              "GjEYMBYGA1UEAwwPZ2F0ZWhvcC10ZXN0LWNhMCAXDTI2MTIwNjE4MjIyOFoYDzIx\n"
                              "MjYxMTEyMTgyMjI4WjAaMRgwFgYDVQQDDA9nYXRlaG9wLXRlc3QtY2EwWTATBgcq\n"
                              "hkjOPQIBBggqhkjOPQMBBwNCAARHAEwJmzsIuQT3TVxPNLoRVuxgRbYmEFObS7GU\n"
                              "bh+JyInD5BTACrPeQy5n0tXtiDP3/mbk+SeN2Aq0SOzNLeD3o1MwUTAdBgNVHQ4E\n"
                              "FgQUCDHFQF5zK2zz5sW+2pLMr5t4L6kwHwYDVR0jBBgwFoAUCDHFQF5zK2zz5sW+\n"
                              "2pLMr5t4L6kwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNHADBEAiAS5BTd\n"
                              "Kjg+F2PubdoZXRJ0AZAS9IEJ90WBADloG1BeuQIgMZ0VpwtF9aKIlmX1MbCKxdba\n"
                              "QD8Bi1YvwuFA/yz1Ze0=\n"
                              "-----END CERTIFICATE-----\n";
static const char ca_expired[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBTjCB9aADAgECAhRppwHnnqlz29zqUKcrvQFHPGgbuTAKBggqhkjOPQQDAjAd\n"
    "MRswGQYDVQQDDBJnYXRlaG9wLWV4cGlyZWQtY2EwHhcNMDAwMTAxMDAwMDAwWhcN\n"
    "MDEwMTAxMDAwMDAwWjAdMRswGQYDVQQDDBJnYXRlaG9wLWV4cGlyZWQtY2EwWTAT\n"
    "BgcqhkjOPQIBBggqhkjOPQMBBwNCAAT+Tf36iwfsYTcJAa2tgFH81SHdrFsd4y86\n"
    "XsagfSN30CCOmWDnUPApBd/hEx1okoPfGvwIR1CCCbPiPygUMZxyoxMwETAPBgNV\n"
    "HRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIH3F+CVKa8gW+qkY9JsSHwS6\n"
    "tACU8EmGUn6rMTkuhfa0AiEAryDyP7vCddUBwp6gIvKejqFQg0SSe11GVx8jhw5a\n"
    "ksQ=\n"
    "-----END CERTIFICATE-----\n";
static const char no_constraints[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBMjCB2KADAgECAhQe/w5UPUrXbamc/+qH/+RfkFNl4jAKBggqhkjOPQQDAjAY\n"
    "MRYwFAYDVQQDDA1nYXRlaG9wLXBsYWluMCAXDTIwMDEwMTAwMDAwMFoYDzIxMjAw\n"
    "MTAxMDAwMDAwWjAYMRYwFAYDVQQDDA1nYXRlaG9wLXBsYWluMFkwEwYHKoZIzj0C\n"
    "AQYIKoZIzj0DAQcDQgAE/k39+osH7GE3CQGtrYBR/NUh3axbHeMvOl7GoH0jd9Ag\n"
    "jplg51DwKQXf4RMdaJKD3xr8CEdQggmz4j8oFDGccjAKBggqhkjOPQQDAgNJADBG\n"
    "AiEAzNl42dBlLFkMjkVjPmKtUuADhBX9bAILownHD6eqJaACIQCzHw5zAKLnCBde\n"
    "Z4ww7s2W6LkMGyqN/zszkk4xDjMi4w==\n"
    "-----END CERTIFICATE-----\n";
static const char leaf_ec[] = "-----BEGIN CERTIFICATE-----\n"
                              "MIIBijCCATCgAwIBAgIUUE9W8ll/9hfoAU9xmJ16Tu5/YLMwCgYIKoZIzj0EAwIw\n"
                              "GzEZMBcGA1UEAwwQbGVhZi5leGFtcGxlLmNvbTAgFw0yNjEyMDYxODIyMjdaGA8y\n"
                              "MTI2MTExMjE4MjIyN1owGzEZMBcGA1UEAwwQbGVhZi5leGFtcGxlLmNvbTBZMBMG\n"
                              "ByqGSM49AgEGCCqGSM49AwEHA0IABHCzr+CFKJenrS+wnjb0bI/H75h4xYyAOWD4\n"
                              "aK21h8xROwHD3OScu92jkbtu94NlKTm4hevKDJIGxDye2Qie15mjUDBOMB0GA1Ud\n"
                              "DgQWBBT2LrC78BBe+9H/RU5vG5H8yJ+hSTAfBgNVHSMEGDAWgBT2LrC78BBe+9H/\n"
                              "RU5vG5H8yJ+hSTAMBgNVHRMBAf8EAjAAMAoGCCqGSM49BAMCA0gAMEUCIH2u3l6C\n"
                              "cUXNT6TP5IX8eDSjol+2mCt8hAcmiWuXG8LuAiEA8uPzy0Z7+QNJ615CbaGcHVH9\n"
                              "KjtbaesO/mje+NH3uLY=\n"
                              "-----END CERTIFICATE-----\n";
static const char leaf_rsa[] = "-----BEGIN CERTIFICATE-----\n"
                               "MIIDFjCCAf6gAwIBAgIUE6z/Fe7o6cn3xjWKMFseEa6xNDMwDQYJKoZIhvcNAQEL\n"
                               "BQAwGzEZMBcGA1UEAwwQbGVhZi5leGFtcGxlLmNvbTAgFw0yNjEyMDYxODIyMjha\n"
                               "GA8yMTI2MTExMjE4MjIyOFowGzEZMBcGA1UEAwwQbGVhZi5leGFtcGxlLmNvbTCC\n"
                               "ASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBAKJ5soj7X7Od4sdd3IwWrQcf\n"
                               "iWsMm7oah4GmX6jnBnu3kTCbNeP0sdIXl+hdZt5GfZRXrlAHkRHDDOAUkhGDPR2p\n"
                               "yMl3vLozpqXAqTiw1+y99u9FNBIUBvvGscE01ZxJq/BxT0zTSPK1/V4wfG1EFsan\n"
                               "MLnXnuKEf481TsJJVieUdvf9zznS7lASGtnc3s9/THvIpWBQsPvIZWXSXlRcNyF4\n"
                               "/GtNiAo/UZcNfeM095Er6UGXFiW5lITP0AJZOkoHvthbz0dtaBfvXJ5yVxDRR2xn\n"
                               "NvcywJfeqDaxFK5NNjrM+BwXm3xTmUc77dpq53xfHB/5agr9D9HJ3Qz1Y3w81g8C\n"
                               "AwEAAaNQME4wHQYDVR0OBBYEFH4c2JubW2G5hBTgO+l1RQB1y/QqMB8GA1UdIwQY\n"
                               "MBaAFH4c2JubW2G5hBTgO+l1RQB1y/QqMAwGA1UdEwEB/wQCMAAwDQYJKoZIhvcN\n"
                               "AQELBQADggEBAIwh8903y5r/WGbTgKMACahDmHjM5YvhHcnGtN+TblDd0fRE/hEb\n"
                               "Fjvs3tiumvjP4NcZwT9MR5PKNCQ/otmWwylh3ZXentFdqAgqRR7y16C5R5hmW/p2\n"
                               "vcS3zH/bYc7pagpNLq6EztaymjawxXNl1OS0zPu+Y2oDnvk0jO5db8PXqoOlh+8+\n"
                               "8+GbJCC1U4cXw/lblQajxZxmpmeQtA1j7rCO2H8x5bLgjuc6NL+BgJG/rpeHuUCe\n"
                               "X9LDuWx8mcr0OIY9SS6DWQ3MkkQVBDuIUBpKcp9KJA6QGRWjKHAX+ywGNY3HknHK\n"
                               "w4lPVAW6FhefGljAmlKNRvD8RnDEavOy5HE=\n"
                               "-----END CERTIFICATE-----\n";
static const char ec_private_pkcs8[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgGb0cRnE1lRJ5J6sv\n"
    "oZJ6QEdjci6jOCg8vIXcgZVYaFChRANCAARws6/ghSiXp60vsJ429GyPx++YeMWM\n"
    "gDlg+GittYfMUTsBw9zknLvdo5G7bveDZSk5uIXrygySBsQ8ntkInteZ\n"
    "-----END PRIVATE KEY-----\n";
static const char ec_private_sec1[] =
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MHcCAQEEIBm9HEZxNZUSeSerL6GSekBHY3IuozgoPLyF3IGVWGhQoAoGCCqGSM49\n"
    "AwEHoUQDQgAEcLOv4IUol6etL7CeNvRsj8fvmHjFjIA5YPhorbWHzFE7AcPc5Jy7\n"
    "3aORu273g2UpObiF68oMkgbEPJ7ZCJ7XmQ==\n"
    "-----END EC PRIVATE KEY-----\n";
static const char ec_public[] = "-----BEGIN PUBLIC KEY-----\n"
                                "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEcLOv4IUol6etL7CeNvRsj8fvmHjF\n"
                                "jIA5YPhorbWHzFE7AcPc5Jy73aORu273g2UpObiF68oMkgbEPJ7ZCJ7XmQ==\n"
                                "-----END PUBLIC KEY-----\n";

/* The first n characters of a PEM block, closed again: a DER cut short. */
static void truncated(const char *pem, size_t keep, const char *end_line, char *out, size_t size)
{
    snprintf(out, size, "%.*s\n%s\n", (int)keep, pem, end_line);
}

static void test_pem(void)
{
    char cut[512];
    accepts("certificate", ca_long);
    accepts("certificate", ca_expired);
    accepts("certificate", leaf_rsa);
    truncated(ca_long, 158, "-----END CERTIFICATE-----", cut,
              sizeof(cut)); /* 128 base64 characters */
    rejects("certificate", cut,
            "invalid certificate: a length runs past the data (byte 0 of the DER)");
    rejects("certificate", "not a certificate", "invalid certificate: no PEM block found");
    rejects("certificate", "-----BEGIN CERTIFICATE-----\nMII*\n-----END CERTIFICATE-----",
            "invalid certificate: the PEM body is not base64");
    rejects("certificate", "-----BEGIN CERTIFICATE-----\nMIIBszCC\n",
            "invalid certificate: the PEM block is not closed with '-----END CERTIFICATE-----'");
    rejects("certificate", "-----BEGIN CERTIFICATE-----\nAgEB\n-----END CERTIFICATE-----",
            "invalid certificate: expected a certificate (a SEQUENCE) (byte 0 of the DER)");
    rejects("certificate", "-----BEGIN CERTIFICATE-----\nMAIC\n-----END CERTIFICATE-----",
            "invalid certificate: a length runs past the data (byte 0 of the DER)");
    accepts("ca_certificate", ca_long);
    rejects("ca_certificate", ca_expired, "certificate expired, \"Not After\" time is in the past");
    rejects("ca_certificate", no_constraints,
            "certificate does not appear to be a CA because it is missing the \"CA\" basic "
            "constraint");
    rejects("ca_certificate", leaf_ec,
            "certificate does not appear to be a CA because it is missing the \"CA\" basic "
            "constraint");
    accepts("key", ec_private_pkcs8);
    accepts("key", ec_private_sec1);
    accepts("key", ec_public);
    accepts("key", "{\"kty\": \"RSA\", \"n\": \"AQAB\", \"e\": \"AQAB\"}");
    accepts("key", "-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: x\n\nMHcC\n"
                   "-----END EC PRIVATE KEY-----");
    rejects("key", "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIA==\n-----END EC PRIVATE KEY-----",
            "invalid key: a length runs past the data (byte 0 of the DER)");
    rejects("key", "-----BEGIN RSA PUBLIC KEY-----\nMAMCAQE=\n-----END RSA PUBLIC KEY-----",
            "invalid key: an element is missing (byte 5 of the DER)");
    rejects("key", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
            "invalid key: no PEM block found");
    accepts("public_key", ec_public);
    rejects("public_key", ec_private_pkcs8, "invalid public key: no PEM block found");
    accepts("private_key", ec_private_sec1);
    rejects("private_key", ec_public, "invalid private key: no PEM block found");
    const struct named_derivation *key_type = named_derivation_find("certificate_key_type");
    char a[128] = "", b[128] = "", r[128] = "";
    ok(key_type && key_type->fn(leaf_ec, strlen(leaf_ec), a, sizeof(a)) &&
           key_type->fn(ca_long, strlen(ca_long), b, sizeof(b)) &&
           key_type->fn(leaf_rsa, strlen(leaf_rsa), r, sizeof(r)) && !strcmp(a, b) && strcmp(a, r),
       "certificate_key_type: two EC certificates share a type, RSA is another (%s, %s)", a, r);
}

static void test_apisix_pem(void)
{
    char chain[4096];
    snprintf(chain, sizeof(chain), "%s%s", test_cert, test_cert);
    accepts("apisix_certificate", test_cert);
    accepts("apisix_certificate", chain);
    accepts("apisix_certificate", "$secret://vault/1/cert");
    accepts("apisix_certificate", "$ENV://SHOP_CERT");
    rejects("apisix_certificate", test_key,
            "failed to parse cert: no PEM certificate (-----BEGIN CERTIFICATE-----)");
    snprintf(chain, sizeof(chain),
             "%s-----BEGIN CERTIFICATE-----\nAQID\n-----END CERTIFICATE-----\n", test_cert);
    rejects("apisix_certificate", chain,
            "failed to parse cert: certificate 2 of the chain: a length runs past the data (byte 0 "
            "of the DER)");
    accepts("apisix_private_key", test_key);
    accepts("apisix_private_key", "$secret://vault/1/key");
    accepts("apisix_private_key", "c2VjcmV0LWtleS1lbmNyeXB0ZWQtYnktYXBpc2l4");
    rejects("apisix_private_key", "not a key!",
            "failed to decrypt previous encrypted key: the key is neither PEM (-----BEGIN PRIVATE "
            "KEY-----) nor an encrypted key in base64");
    rejects("apisix_private_key", test_cert,
            "failed to parse key: no PEM private key (-----BEGIN PRIVATE KEY-----)");
    rejects("apisix_private_key",
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIHsMFcGCSqGSIb3DQEFDTBK\n-----END ENCRYPTED "
            "PRIVATE KEY-----\n",
            "failed to parse key: the key is encrypted with a passphrase, which the gateway cannot "
            "supply");
    rejects("apisix_private_key",
            "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n"
            "MIIB\n-----END RSA PRIVATE KEY-----\n",
            "failed to parse key: the key is encrypted with a passphrase, which the gateway cannot "
            "supply");
}

static void test_apisix_strings(void)
{
    accepts("base64", "QUJD");
    accepts("base64", "QUI=");
    accepts("base64", "QUI");
    accepts("base64", "QUI=anything after the padding");
    rejects("base64", "QUJDR", "invalid base64 value");
    rejects("base64", "QU!D", "invalid base64 value");
    accepts("apisix_secret_uri", "$secret://vault/1/password");
    accepts("apisix_secret_uri", "$ENV://DB_PASSWORD");
    accepts("apisix_secret_uri", "$env://CREDS/password");
    rejects("apisix_secret_uri", "$secret://vault", "error format: no secret manager");
    rejects("apisix_secret_uri", "$secret://vault/1", "error format: no secret conf id");
    rejects("apisix_secret_uri", "$secret://vault/1/", "error format: no secret key id");
    rejects("apisix_secret_uri", "$env://", "no environment variable named after $env://");
    rejects("apisix_secret_uri", "vault/1/key",
            "a secret reference starts with $secret:// or $env://");
    accepts("apisix_header_field", "X-Api-Key");
    accepts("apisix_header_field", "x_under~score!");
    rejects("apisix_header_field", "X Api",
            "invalid field: a header name takes the characters '!' to '~' but ':', no space, "
            "control or non-ASCII byte");
    rejects("apisix_header_field", "a:b",
            "invalid field: a header name takes the characters '!' to '~' but ':', no space, "
            "control or non-ASCII byte");
    accepts("apisix_header_value", "text/html; charset=utf-8");
    rejects("apisix_header_value", "a\tb",
            "invalid value: a header value takes no control character (tab included) and no "
            "byte outside ASCII");
    rejects("apisix_header_value", "caf\xc3\xa9",
            "invalid value: a header value takes no control character (tab included) and no "
            "byte outside ASCII");
}

static void test_apisix_ips(void)
{
    accepts("apisix_ip_or_cidr", "10.0.0.1");
    accepts("apisix_ip_or_cidr", "10.0.0.0/8");
    accepts("apisix_ip_or_cidr", "0.0.0.0/0");
    accepts("apisix_ip_or_cidr", "192.168.1.0/32");
    accepts("apisix_ip_or_cidr", "::1");
    accepts("apisix_ip_or_cidr", "fe80::/10");
    accepts("apisix_ip_or_cidr", "2001:db8::/999"); /* APISIX's IPv6 CIDR pattern is loose */
    rejects("apisix_ip_or_cidr", "10.0.0.0/33",
            "'10.0.0.0/33' is not an IPv4 or IPv6 address or CIDR range");
    rejects("apisix_ip_or_cidr", "10.0.0.0/08",
            "'10.0.0.0/08' is not an IPv4 or IPv6 address or CIDR range");
    rejects("apisix_ip_or_cidr", "010.0.0.1",
            "'010.0.0.1' is not an IPv4 or IPv6 address or CIDR range");
    rejects("apisix_ip_or_cidr", "256.0.0.1",
            "'256.0.0.1' is not an IPv4 or IPv6 address or CIDR range");
    rejects("apisix_ip_or_cidr", "localhost",
            "'localhost' is not an IPv4 or IPv6 address or CIDR range");
    accepts("apisix_cidr_or_ip", "127.0.0.1");
    accepts("apisix_cidr_or_ip", "10.0.0.0/24");
    accepts("apisix_cidr_or_ip", "2001:db8::/64");
    rejects("apisix_cidr_or_ip", "2001:db8::/129",
            "invalid address: '2001:db8::/129': the stream router reads an IPv4 or IPv6 "
            "address, with a prefix up to 32 or 128");
    rejects("apisix_cidr_or_ip", "[::1]", "'[::1]' is not an IPv4 or IPv6 address or CIDR range");
}

/* A node validator over the first document of yaml. */
static bool check_node(const char *validator, const char *yaml, struct named_result *r, int *line)
{
    const struct named_node_validator *nv = named_node_validator_find(validator);
    struct reader rd;
    struct diag_sink sink;
    gh_error err = {0};
    struct node *root = NULL;
    diag_sink_init(&sink, 4);
    struct named_env env = {.version = &v34, .format_version = ""};
    memset(r, 0, sizeof(*r));
    r->offset = -1;
    bool pass = false;
    if (reader_open_memory(&rd, yaml, strlen(yaml), NULL, &sink, &err) == 0 &&
        reader_load(&rd, &root, &err) == 0 && root && nv)
        pass = nv->fn(root, &env, r);
    *line = r->at ? (int)r->at->span.line : 0;
    reader_close(&rd);
    diag_sink_release(&sink);
    return pass;
}

static void vars_ok(const char *validator, const char *yaml)
{
    struct named_result r;
    int line;
    ok(check_node(validator, yaml, &r, &line), "%s accepts %s", validator, yaml);
}

static void vars_bad(const char *validator, const char *yaml, const char *message)
{
    struct named_result r;
    int line;
    bool pass = check_node(validator, yaml, &r, &line);
    char want[600];
    snprintf(want, sizeof(want), "failed to validate the 'vars' expression: %s", message);
    ok(!pass && !strcmp(r.message, want) && r.at, "%s rejects %s: %s", validator, yaml, message);
    if (pass || strcmp(r.message, want))
        printf("#   got: %s\n", pass ? "(accepted)" : r.message);
}

/* Rules and messages from lua-resty-expr 1.3.2 (resty/expr/v1.lua) and its tests (t/v1). */
static void test_apisix_vars(void)
{
    vars_ok("apisix_vars", "[]");
    vars_ok("apisix_vars", "[[arg_name, ==, json]]");
    vars_ok("apisix_vars", "[[arg_name, json]]");             /* == by default */
    vars_ok("apisix_vars", "[[http_x, has]]");                /* an operator, no value */
    vars_ok("apisix_vars", "[[arg_k, '!', '~~', '[a-z]+']]"); /* negation */
    vars_ok("apisix_vars", "[OR, [arg_a, ==, 1], [arg_b, in, [1, 2]]]");
    vars_ok("apisix_vars", "[[arg_a, '>=', 3], ['!AND', [arg_b, '<', 2], [arg_c, '~*', x]]]");
    vars_ok("apisix_vars", "[[remote_addr, ipmatch, [10.0.0.0/8, '::1']]]");
    vars_ok("apisix_vars", "[[remote_addr, IPMATCH, 127.0.0.1]]");
    vars_bad("apisix_vars", "[arg_name, ==, json]", "rule should be wrapped inside brackets");
    vars_bad("apisix_vars", "[[arg_name, =, json]]", "invalid operator '='");
    vars_bad("apisix_vars", "[[arg_name]]", "invalid expression");
    vars_bad("apisix_vars", "[[]]", "rule too short");
    vars_bad("apisix_vars", "[AND, [a, ==, b]]", "rule too short");
    vars_bad("apisix_vars", "[[a, x, '~~', b]]", "bad 'not' expression");
    vars_bad("apisix_vars", "[[a, ==, b], OR]",
             "expected a list (an expression or a group of them), got a string");
    vars_bad("apisix_vars", "[[a, true, b]]", "expected an operator (a string), got a boolean");
    vars_bad("apisix_vars", "[[remote_addr, ipmatch, '']]", "invalid ip address");
    vars_bad("apisix_vars", "[[remote_addr, ipmatch, []]]", "invalid ip address");
    vars_bad("apisix_vars", "[[remote_addr, ipmatch, [10.0.0.256]]]",
             "invalid ip address: 10.0.0.256");
    vars_bad("apisix_vars_no_ipmatch", "[[remote_addr, ipmatch, 127.0.0.1]]",
             "invalid operator 'ipmatch'");
}

/* The value an expansion gives one of its fields, or NULL. */
static const struct node *expanded(const struct named_expansion *e, const struct node *value,
                                   const char *field, struct arena *a)
{
    const struct node *made[NAMED_EXPANSION_MAX] = {NULL};
    e->fn(value, a, made);
    for (size_t i = 0; i < NAMED_EXPANSION_MAX && e->fields[i]; i++)
        if (!strcmp(e->fields[i], field))
            return made[i];
    return NULL;
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
    const struct node *port = expanded(e, &url, "port", &a);
    ok(port && port->type == SCALAR_INT && port->v.i == 443, "https implies port 443");
    is_str(expanded(e, &url, "host", &a)->u.text, "orders.internal", "host");
    is_str(expanded(e, &url, "path", &a)->u.text, "/api", "path");
    is_str(expanded(e, &url, "protocol", &a)->u.text, "https", "protocol");

    url.u.text = "http://orders.internal:8443";
    url.count = (uint32_t)strlen(url.u.text);
    port = expanded(e, &url, "port", &a);
    ok(port && port->v.i == 8443, "a port written is the port");
    is_str(expanded(e, &url, "protocol", &a)->u.text, "http", "the scheme written is the protocol");
    ok(expanded(e, &url, "path", &a)->type == SCALAR_NULL, "no path: a null path");

    struct node number = {.kind = NODE_SCALAR, .type = SCALAR_INT, .u.text = "80", .count = 2};
    ok(expanded(e, &number, "host", &a) == NULL, "a url that is not a string gives nothing");
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
    static const char *const refused[] = {
        "~/a(?=b)",        "~/a(?!b)", "~/(?<=a)b",       "~/(?<!a)b", "~/(a)\\1",
        "~/(?<n>a)\\k<n>", "~/(?>ab)", "~/(a)?(?(1)b|c)", "~/a\\Kb",   "~/a\\Z"};
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        bool pass = check("kong_route_path", refused[i], &v34, &r);
        ok(!pass && r.rule == R_HOP3007, "traditional_compatible refuses '%s'", refused[i]);
    }
    /* Rust's parser takes "a++" for a repetition repeated, not a possessive one, and 0.7's
     * "(?R)" for the CRLF flag */
    static const char *const run[] = {"~/a(?:b)", "~/(?<name>a)", "~/a[(?=]", "~/a\\(?=b\\)",
                                      "~/a+?",    "~/\\d{2}+x",   "~/a++",    "~/(?R)"};
    for (size_t i = 0; i < sizeof(run) / sizeof(run[0]); i++)
        accepts("kong_route_path", run[i]);
}

/* LuaJIT's loader, as Kong's pre-function and loggers use it; the cases were checked against
 * LuaJIT 2.1 (with Lua 5.2 compatibility where it matters: goto is a keyword, break may be
 * followed by more statements, a call may start a line). */
static void test_lua(void)
{
    accepts("lua_chunk", "return 1");
    accepts("lua_chunk", "local x = kong.request.get_header('x')\nif not x then return end");
    accepts("lua_chunk", "#!/usr/bin/env luajit\nreturn ...");
    accepts("lua_chunk", "for i = 1, 3 do goto continue; local y = i ::continue:: end");
    accepts("lua_chunk", "while true do break; print(1) end");
    accepts("lua_chunk", "local f = print\n(f)(1)");
    accepts("lua_chunk", "x = 0x1p4 + 1e-3 + .5 + 3LL + 2i + \"\\u{48}\\z  \\x41\\065\"");
    accepts("lua_chunk", "s = [==[ ]] ]=] ]==] --[[ comment ]] t = 1");
    rejects("lua_chunk",
            "local x = ", "the Lua code does not compile: line 1: unexpected symbol near '<eof>'");
    rejects("lua_chunk", "return return",
            "the Lua code does not compile: line 1: unexpected symbol near 'return'");
    rejects("lua_chunk", "if x then\nfoo()\n",
            "the Lua code does not compile: line 3: 'end' expected (to close 'if' at line 1) near "
            "'<eof>'");
    rejects("lua_chunk", "break", "the Lua code does not compile: line 1: no loop to break");
    rejects("lua_chunk", "goto nowhere",
            "the Lua code does not compile: line 1: undefined label 'nowhere'");
    rejects("lua_chunk", "do goto l; local x; ::l:: print(x) end",
            "the Lua code does not compile: line 1: <goto l> jumps into the scope of local 'x'");
    rejects("lua_chunk",
            "::a:: ::a::", "the Lua code does not compile: line 1: duplicate label 'a'");
    rejects("lua_chunk", "function f() return ... end",
            "the Lua code does not compile: line 1: cannot use '...' outside a vararg function "
            "near '...'");
    rejects("lua_chunk", "local goto = 1",
            "the Lua code does not compile: line 1: '<name>' expected near 'goto'");
    rejects("lua_chunk", "x = a // b",
            "the Lua code does not compile: line 1: unexpected symbol near '/'");
    rejects("lua_chunk", "x = '\\q'",
            "the Lua code does not compile: line 1: invalid escape sequence near ''\\'");
    rejects("lua_chunk", "x = 1..2",
            "the Lua code does not compile: line 1: malformed number near '1..2'");
    rejects("lua_chunk", "x = [=x",
            "the Lua code does not compile: line 1: invalid long string delimiter near '[='");
    rejects("lua_chunk", "(a) = 1", "the Lua code does not compile: line 1: syntax error near '='");
    accepts("lua_template", "plain text");
    accepts("lua_template", "$(headers.host)");
    accepts("lua_template", "id=$(uri_captures[1] or 'none') and $( not closed");
    rejects("lua_template", "$(uri_captures.0)",
            "value '$(uri_captures.0)' is not in supported format: ')' expected near '.0'");
    rejects("lua_template", "$()",
            "value '$()' is not in supported format: unexpected symbol near ')'");
    rejects("lua_template", "$(...)",
            "value '$(...)' is not in supported format: cannot use '...' outside a vararg function "
            "near '...'");
    rejects("lua_template", "$(goto)",
            "value '$(goto)' is not in supported format: unexpected symbol near 'goto'");
}

int main(void)
{
    test_hosts();
    test_ips();
    test_names();
    test_paths();
    test_normalize();
    test_pem();
    test_apisix_pem();
    test_apisix_strings();
    test_apisix_ips();
    test_apisix_vars();
    test_expansion();
    test_migrate_path();
    test_router_regex();
    test_lua();
    return done();
}
