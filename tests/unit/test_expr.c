/*
 * Unit tests for Kong's route expressions (src/schema/schema_expr.c), the syntax of Rust's regex
 * crate (schema_rust_regex.c) and pointing inside a YAML scalar (src/reader/reader_locate.c).
 * The syntax error positions and rule lists are the ones the atc-router's pest parser gives for
 * the same input (checked against it). usage: test_expr SCHEMA_DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reader/reader_locate.h"
#include "schema/schema.h"
#include "schema/schema_expr.h"
#include "tap.h"

static struct kb *kb;

/* The language of Kong 3.<minor>. */
static const struct spec_expr_lang *lang(unsigned minor)
{
    static const struct spec_expr_lang *cache[16];
    if (minor < 16 && cache[minor])
        return cache[minor];
    const struct kb_product *kong = kb_product_find(kb, "kong");
    struct version v = {{3, minor, 0, 0}, 2};
    struct target t = {.version = v,
                       .flavor = FLAVOR_KONG,
                       .router_flavor = kb_router_flavor_find(kong, &v, "expressions")};
    const struct spec_document *doc = NULL;
    gh_error err = {0};
    if (kb_compile(kb, kong, &t, &doc, &err) != 0 || !doc->expr) {
        printf("# kong 3.%u does not compile: %s\n", minor, err.message);
        exit(1);
    }
    return minor < 16 ? (cache[minor] = doc->expr) : doc->expr;
}

static bool check(unsigned minor, const char *protocol, const char *e, size_t n,
                  struct named_result *r)
{
    memset(r, 0, sizeof(*r));
    r->rule = R_HOP2007;
    r->offset = -1;
    return expr_check(lang(minor), e, n, protocol, r);
}

static void accepts_on(unsigned minor, const char *protocol, const char *e)
{
    struct named_result r;
    bool pass = check(minor, protocol, e, strlen(e), &r);
    ok(pass, "3.%u accepts %s", minor, e);
    if (!pass)
        printf("#   got %s at %ld\n", r.message, r.offset);
}

static void accepts(const char *e)
{
    accepts_on(9, NULL, e);
}

/* Refused with the rule, at the byte offset, with a message holding `says`. */
static void rejects_on(unsigned minor, const char *protocol, const char *e, enum rule_id rule,
                       long offset, const char *says)
{
    struct named_result r;
    bool pass = check(minor, protocol, e, strlen(e), &r);
    bool right = !pass && r.rule == rule && r.offset == offset && strstr(r.message, says);
    ok(right, "3.%u refuses %s at %ld: %s", minor, e, offset, says);
    if (!right)
        printf("#   got %s (rule %d) at %ld: %s\n", pass ? "accepted" : "refused", (int)r.rule,
               r.offset, r.message);
}

static void rejects(const char *e, enum rule_id rule, long offset, const char *says)
{
    rejects_on(9, NULL, e, rule, offset, says);
}

/* pest's positions and rules, as the atc-router's parser reports them. */
static void test_syntax(void)
{
    rejects("! a == 1", R_HOP3008, 0, "expected term)");
    rejects("a == 1 || ! b == 2", R_HOP3008, 10, "expected term)");
    rejects("(a == 1 || b == 2) && ! c == 3", R_HOP3008, 22, "expected term)");
    rejects("http.path ==", R_HOP3008, 12, "expected rhs)");
    rejects("http.path == \"abc", R_HOP3008, 17, "expected str_char or str_esc)");
    rejects("net.dst.port == 0xg", R_HOP3008, 18, "expected hex_digits)");
    rejects("http.path == \"a\" http.host == \"b\"", R_HOP3008, 17,
            "expected EOI, and_op, or or_op)");
    rejects("lower(http.host == \"x\"", R_HOP3008, 6, "expected transform_func)");
    rejects("http.path == \"a\\qb\"", R_HOP3008, 15, "invalid escape '\\q' in a string");
    rejects("(http.path == \"a\"", R_HOP3008, 17, "expected and_op or or_op)");
    rejects("http.path = \"a\"", R_HOP3008, 10, "expected binary_operator)");
    rejects("http.path == r#\"x", R_HOP3008, 17, "the raw string is not closed");
    rejects("http.path == 1.2.3.4567", R_HOP3008, 22, "expected EOI, and_op, or or_op)");
    rejects("", R_HOP3008, 0, "expected term)");
    rejects(" \t\n", R_HOP3008, 3, "expected term)");
    rejects("http.path == \"a\" &&", R_HOP3008, 19, "expected term)");
    /* whitespace between "not" and "in" is optional, as the grammar has it */
    accepts("net.src.ip not  in 10.0.0.0/8");
    accepts("net.src.ip notin 10.0.0.0/8");
    accepts("\n  http.path==\"/a\"&&(http.method==\"GET\"||http.method==\"HEAD\")\n");
    accepts("http.path == \"\\\"\\\\\\n\\r\\t\"");
}

/* What each release's grammar and router accept. */
static void test_releases(void)
{
    rejects_on(3, NULL, "http.path ~ r#\"a\"#", R_HOP2013, 12, "was added in kong 3.4");
    rejects_on(3, NULL, "http.path contains \"a\"", R_HOP2013, 10, "was added in kong 3.4");
    rejects_on(4, NULL, "!(http.path == \"a\")", R_HOP2013, 0, "was added in kong 3.6");
    rejects_on(3, NULL, "net.src.ip == 10.0.0.1", R_HOP2013, 0, "was added in kong 3.4");
    rejects_on(5, NULL, "http.path.segments.0 == \"a\"", R_HOP2013, 0, "was added in kong 3.6");
    rejects_on(4, NULL, "http.raw_path == \"/a\"", R_HOP4001, 0, "was removed in kong 3.4");
    accepts_on(3, NULL, "http.raw_path == \"/a\" && net.port == 80");
    /* atc-router 1.0: an address is a /32 range, and `in` compares two values of one type */
    accepts_on(3, NULL, "http.path in \"/a\"");
    rejects_on(3, NULL, "http.host == 10.0.0.1", R_HOP3008, 13, "Type mismatch");
    rejects_on(9, NULL, "http.path in \"/a\"", R_HOP3008, 10, "only supports IP in CIDR");
    /* 3.6 rewrites net.port into net.dst.port before a comparison, and deprecates it */
    accepts_on(5, NULL, "net.port == 80");
    rejects_on(6, NULL, "net.port >= 80", R_HOP4002, 0, "deprecated since kong 3.6");
    rejects_on(6, NULL, "lower(net.port) == 80", R_HOP3008, 6, "only when a comparison");
    /* 3.6 gives a stream route its own fields */
    accepts_on(5, "tcp", "http.path == \"/a\"");
    rejects_on(6, "tcp", "http.path == \"/a\"", R_HOP3008, 0, "a field of http routes");
    accepts_on(9, "tls_passthrough", "tls.sni == \"a.example.com\" && net.dst.port == 443");
    accepts_on(9, "grpcs", "http.path == \"/a\" && net.src.ip in ::/0");
}

static void test_types(void)
{
    rejects("http.paht == \"/a\"", R_HOP3008, 0, "did you mean 'http.path'?");
    rejects("http.header.x == \"a\"", R_HOP3008, 0, "did you mean 'http.headers.x'?");
    rejects("http.headers.a.b == \"a\"", R_HOP3008, 0, "unknown field 'http.headers.a.b'");
    rejects("net.dst.port == \"80\"", R_HOP3008, 16, "write 80");
    rejects("http.host == 80", R_HOP3008, 13, "write \"80\"");
    rejects("net.src.ip == \"10.0.0.1\"", R_HOP3008, 14, "without quotes");
    rejects("net.src.ip == 10.0.0.0/8", R_HOP3008, 14, "use 'in'");
    rejects("lower(net.dst.port) == 1", R_HOP3008, 0, "lower-case transformation function");
    rejects("any(lower(net.dst.port)) == 1", R_HOP3008, 4, "lower-case transformation function");
    rejects("net.dst.port ~ \"1\"", R_HOP3008, 13, "Regex operators only supports string");
    rejects("net.dst.port ^= 1", R_HOP3008, 13, "Regex/Prefix/Postfix operators");
    rejects("http.path >= \"a\"", R_HOP3008, 10, "Greater/GreaterOrEqual");
    rejects("net.src.ip in 10.0.0.1", R_HOP3008, 11, "only supports IP in CIDR");
    rejects("net.dst.port contains 1", R_HOP3008, 13, "Contains operator only supports string");
    rejects("upper(http.host) == \"A\"", R_HOP3008, 0, "unknown transformation function: upper");
    rejects("lower(upper(http.host)) == \"a\"", R_HOP3008, 6, "function: upper");
    rejects("net.dst.port == 9223372036854775808", R_HOP3008, 16, "number too large");
    accepts("net.dst.port == 9223372036854775807 || net.dst.port == -0x7fffffffffffffff");
    rejects("http.path ~ 1", R_HOP3008, 12, "regex operator can only be used with String");
    rejects("http.path.segments.1_1 == \"a\"", R_HOP3008, 0, "illformed http.path.segments");
    rejects("http.path.segments.1_02 == \"a\"", R_HOP3008, 0, "illformed http.path.segments");
    accepts("http.path.segments.9_10 == \"a\" && http.path.segments.len == 2");
    /* the first problem in Kong's order: literals before types, whatever comes first */
    rejects("http.paht == \"a\" || net.src.ip == 300.0.0.1", R_HOP3008, 34, "not an IPv4");
    rejects("http.paht == 1 || http.hots == \"a\"", R_HOP3008, 0, "http.paht");
}

/* The atc-router's own semantics tests (src/semantics.rs, v1.6.2), on fields of each type. */
static void test_router_semantics(void)
{
    static const char *const valid[] = {"http.path == \"abc\"",
                                        "http.path != \"abc\"",
                                        "http.path ~ \"abc\"",
                                        "http.path ^= \"abc\"",
                                        "http.path =^ \"abc\"",
                                        "lower(http.path) =^ \"abc\"",
                                        "net.src.ip == 192.168.0.1",
                                        "net.src.ip == fd00::1",
                                        "net.src.ip in 192.168.0.0/24",
                                        "net.src.ip in fd00::/64",
                                        "net.src.ip not in 192.168.0.0/24",
                                        "net.src.ip not in fd00::/64",
                                        "net.dst.port == 123",
                                        "net.dst.port >= 123",
                                        "net.dst.port <= 123",
                                        "net.dst.port > 123",
                                        "net.dst.port < 123"};
    static const char *const invalid[] = {"http.path == 192.168.0.1",
                                          "http.path == 192.168.0.0/24",
                                          "http.path == 123",
                                          "http.path in \"abc\"",
                                          "net.src.ip == \"abc\"",
                                          "net.src.ip == 123",
                                          "net.src.ip in 192.168.0.1",
                                          "net.src.ip in fd00::1",
                                          "net.src.ip == 192.168.0.0/24",
                                          "net.src.ip == fd00::/64",
                                          "lower(net.src.ip) == fd00::1",
                                          "net.dst.port == \"abc\"",
                                          "net.dst.port in 192.168.0.0/24",
                                          "lower(net.dst.port) == 123"};
    for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++)
        accepts(valid[i]);
    /* and its validation tests (t/06-validate.t, v1.6.2) */
    accepts("http.headers.foo == \"bar\"");
    rejects("http.headers.foo == 123", R_HOP3008, 20, "Type mismatch");
    rejects("== 123", R_HOP3008, 0, "expected term)");
    rejects("== \"bar\"", R_HOP3008, 0, "expected term)");
    accepts("http.headers.foo ~ \"/\\\\\\\\/*user$\"");
    rejects("http.headers.foo ~ \"([.\"", R_HOP3003, 21, "unclosed character class");
    accepts("http.headers.foo ~ \"/\\\\/*user$\""); /* "Rust regex 1.8.x will not think..." */
    rejects_on(3, NULL, "http.headers.foo ~ \"/\\\\/*user$\"", R_HOP3007, 21, "kong 3.3");
    rejects("http.headers.foo == \"a\" && http.headers.foo ~ \"([.\"", R_HOP3003, 48,
            "unclosed character class");
    for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
        struct named_result r;
        ok(!check(9, NULL, invalid[i], strlen(invalid[i]), &r) && r.rule == R_HOP3008,
           "3.9 refuses %s", invalid[i]);
    }
}

static void test_literals(void)
{
    accepts("net.src.ip == ::1 || net.src.ip == :: || net.src.ip == 1:: || "
            "net.src.ip == 1:2:3:4:5:6:7:: || net.src.ip == fe80::1:2:3");
    rejects("net.src.ip == 1:2:3:4:5:6:7:8::", R_HOP3008, 14, "not an IPv6 address");
    rejects("net.src.ip == 1:12345::", R_HOP3008, 14, "not an IPv6 address");
    rejects("net.src.ip == 256.0.0.1", R_HOP3008, 14, "not an IPv4 address");
    rejects("net.src.ip == 01.0.0.1", R_HOP3008, 14, "leading zero");
    accepts("net.src.ip in 010.0.0.0/8 && net.src.ip in 0.0.0.0/0 && net.src.ip in ::/0");
    rejects("net.src.ip in 10.0.0.1/8", R_HOP3008, 14, "the range is 10.0.0.0/8");
    rejects("net.src.ip in 10.0.0.0/33", R_HOP3008, 14, "maximum: 32");
    rejects("net.src.ip in fe80::1/10", R_HOP3008, 14, "the range is fe80::/10");
    rejects("net.src.ip in ::/256", R_HOP3008, 14, "number too large to fit");
    rejects("net.src.ip in ::/129", R_HOP3008, 14, "maximum: 128");
}

static void test_regex(void)
{
    accepts("http.path ~ \"^/users/\\\\d+$\" && http.path ~ r#\"^/a/(?P<x>[^/]+)/?$\"#");
    /* the caret is inside the string, past its escapes */
    rejects("http.path ~ \"\\\\d\\\"(\"", R_HOP3003, 18, "unclosed group");
    rejects("http.path ~ r#\"a(?=b)\"#", R_HOP3007, 16, "a look-ahead");
    rejects("http.path ~ r#\"/{id}\"#", R_HOP3003, 17, "a literal '{' must be written");
    rejects_on(3, NULL, "http.path ~ \"(?<n>a)\"", R_HOP3007, 15, "kong 3.3 does not accept");

    struct rust_regex_error e;
    static const struct {
        const char *re;
        enum rust_regex_dialect d;
        long at; /* -1: accepted */
    } cases[] = {
        {"(?<n>a)", RUST_REGEX_0_6, 2},
        {"(?<n>a)", RUST_REGEX_0_7, -1},
        {"a\\/b", RUST_REGEX_0_6, 1},
        {"a\\/b", RUST_REGEX_0_7, -1},
        {"(?R)a", RUST_REGEX_0_6, 2},
        {"(?R)a", RUST_REGEX_0_7, -1},
        {"\\b{start}", RUST_REGEX_0_7, 3},
        {"\\b{start}", RUST_REGEX_0_8, -1},
        {"\\<a\\>", RUST_REGEX_0_7, 0},
        {"\\<a\\>", RUST_REGEX_0_8, -1},
        {"a{,3}", RUST_REGEX_0_6, 2},
        {"a{,3}", RUST_REGEX_0_8, 2},
        {"a{", RUST_REGEX_0_8, 1},
        {"[[:alpha:]-]", RUST_REGEX_0_6, -1},
        {"(?x) a # c\n b", RUST_REGEX_0_6, -1},
        {"[a-\\d]", RUST_REGEX_0_8, 3},
        {"a++", RUST_REGEX_0_8, -1},
        {"(?i)\\p{Greek}\\x{10FFFF}", RUST_REGEX_0_8, -1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bool pass = rust_regex_check(cases[i].re, strlen(cases[i].re), cases[i].d, &e);
        bool right = cases[i].at < 0 ? pass : !pass && (long)e.offset == cases[i].at;
        ok(right, "regex-syntax %d: '%s' %s", (int)cases[i].d, cases[i].re,
           cases[i].at < 0 ? "parses" : "is refused");
        if (!right)
            printf("#   got %s at %zu\n", pass ? "accepted" : e.message, pass ? 0 : e.offset);
    }
    /* nesting past regex-syntax's limit is its error, not a deep recursion */
    char deep[2 * 300 + 1];
    memset(deep, '(', 300);
    memset(deep + 300, ')', 300);
    deep[600] = '\0';
    ok(!rust_regex_check(deep, 600, RUST_REGEX_0_8, &e) && strstr(e.message, "nested"),
       "300 nested groups exceed the nesting limit");
}

/* Deep nesting is a finding, and a megabyte of expression takes a moment, not a crash. */
static void test_limits(void)
{
    size_t depth = 10000;
    char *deep = malloc(2 * depth + 32);
    size_t n = 0;
    for (size_t i = 0; i < depth; i++)
        deep[n++] = '(';
    n += (size_t)sprintf(deep + n, "a == 1");
    for (size_t i = 0; i < depth; i++)
        deep[n++] = ')';
    struct named_result r;
    bool pass = check(9, NULL, deep, n, &r);
    ok(!pass && r.rule == R_HOP3008 && r.offset == EXPR_MAX_DEPTH && strstr(r.message, "nests"),
       "10,000 nested parentheses: a finding at the one that opens level %d", EXPR_MAX_DEPTH + 1);
    free(deep);

    static const char piece[] = "http.path ~ r#\"^/a(b|c)*$\"# || ";
    size_t size = 1 << 20, len = 0;
    char *big = malloc(size + 64);
    while (len + sizeof(piece) < size) {
        memcpy(big + len, piece, sizeof(piece) - 1);
        len += sizeof(piece) - 1;
    }
    len += (size_t)sprintf(big + len, "http.path == \"/x\"");
    clock_t start = clock();
    pass = check(9, NULL, big, len, &r);
    double seconds = (double)(clock() - start) / CLOCKS_PER_SEC;
    ok(pass && seconds < 5, "a 1 MB expression is accepted (%.2f s)", seconds);
    big[len - 1] = '\''; /* the last string is not closed now */
    pass = check(9, NULL, big, len, &r);
    ok(!pass && r.offset == (long)len, "and its unclosed last string is found at its end");
    memset(big, '(', len);
    pass = check(9, NULL, big, len, &r);
    ok(!pass && strstr(r.message, "nests"), "a megabyte of '(' is a finding");
    free(big);
}

/* ---- pointing inside a scalar ------------------------------------------------------------ */

static void locates(const char *what, enum scalar_style style, const char *value,
                    const char *const *lines, size_t nlines, uint32_t col, uint32_t end_line,
                    uint32_t end_col, size_t offset, uint32_t want_line, uint32_t want_col)
{
    size_t lens[16];
    for (size_t i = 0; i < nlines; i++)
        lens[i] = strlen(lines[i]);
    struct node n = {NODE_SCALAR,
                     SCALAR_STRING,
                     (uint8_t)style,
                     0,
                     (uint32_t)strlen(value),
                     {10, col, end_line, end_col},
                     {.text = value},
                     {.i = 0}};
    struct span s = {0, 0, 0, 0};
    enum scalar_located got = scalar_locate_in_lines(&n, lines, lens, nlines, 10, offset, &s);
    ok(got == SCALAR_LOCATED && s.line == want_line && s.column == want_col,
       "%s: byte %zu is at %u:%u", what, offset, want_line, want_col);
    if (got != SCALAR_LOCATED || s.line != want_line || s.column != want_col)
        printf("#   got %d, %u:%u\n", (int)got, s.line, s.column);
}

static void test_locate(void)
{
    const char *dq[] = {"  e: \"a\\\"b \\u00e9 \\", "     x  y\""};
    locates("double-quoted, after an escaped break", STYLE_DOUBLE_QUOTED, "a\"b \xc3\xa9 x  y", dq,
            2, 6, 11, 14, 9, 11, 8);
    locates("double-quoted, at a \\u escape", STYLE_DOUBLE_QUOTED, "a\"b \xc3\xa9 x  y", dq, 2, 6,
            11, 14, 5, 10, 12);
    const char *sq[] = {"  e: 'it''s", "", "     here'"};
    locates("single-quoted over an empty line", STYLE_SINGLE_QUOTED, "it's\nhere", sq, 3, 6, 12, 12,
            5, 12, 6);
    const char *plain[] = {"  e: a b  ", "     c"};
    locates("plain over two lines", STYLE_PLAIN, "a b c", plain, 2, 6, 11, 7, 4, 11, 6);
    const char *lit[] = {"  e: |", "    one", "      two", "", "    three", "  next: 1"};
    locates("literal block", STYLE_LITERAL, "one\n  two\n\nthree\n", lit, 6, 6, 15, 3, 11, 14, 5);
    locates("literal block, more indented", STYLE_LITERAL, "one\n  two\n\nthree\n", lit, 6, 6, 15,
            3, 4, 12, 5);
    const char *fold[] = {"  e: >-", "    one", "    two", "", "    three"};
    locates("folded block", STYLE_FOLDED, "one two\nthree", fold, 5, 6, 14, 10, 4, 12, 5);
    locates("the end of a folded block", STYLE_FOLDED, "one two\nthree", fold, 5, 6, 14, 10, 13, 14,
            10);
    size_t lens[2] = {strlen(plain[0]), strlen(plain[1])};
    struct node other = {NODE_SCALAR, SCALAR_STRING,  STYLE_PLAIN,       0,
                         5,           {10, 6, 11, 7}, {.text = "a b d"}, {.i = 0}};
    struct span s;
    ok(scalar_locate_in_lines(&other, plain, lens, 2, 10, 1, &s) == SCALAR_REWRITTEN,
       "a value the text does not hold is not located");
}

int main(int argc, char **argv)
{
    gh_error err = {0};
    if (kb_new(argc > 1 ? argv[1] : NULL, &kb, &err) != 0) {
        printf("# schemas do not load: %s\n", err.message);
        return 1;
    }
    test_syntax();
    test_releases();
    test_types();
    test_router_semantics();
    test_literals();
    test_regex();
    test_limits();
    test_locate();
    kb_free(kb);
    return done();
}
