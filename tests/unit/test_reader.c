/*
 * Unit tests for src/reader (and model_scalar): entries, positions, typing, and every finding
 * the reader makes. A document is read into a compact trace:
 *   V key=value      a top-level key and its value
 *   L key            a list begins;  I0 value  its items;  E  the list ends
 * with values written as  s"text"@line:col  i5  b1  n  f1.5  [a,b]  {k:v}.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/model_scalar.h"
#include "reader/reader.h"
#include "tap.h"
#include "util/util_buf.h"

static void render(struct buf *b, const struct node *n)
{
    if (!n) {
        buf_puts(b, "-");
        return;
    }
    if (n->kind == NODE_SEQUENCE) {
        buf_putc(b, '[');
        for (uint32_t i = 0; i < n->count; i++) {
            if (i)
                buf_putc(b, ',');
            render(b, n->u.items[i]);
        }
        buf_putc(b, ']');
        return;
    }
    if (n->kind == NODE_MAPPING) {
        buf_putc(b, '{');
        for (uint32_t i = 0; i < n->count; i++) {
            if (i)
                buf_putc(b, ',');
            render(b, n->u.pairs[i].key);
            buf_putc(b, ':');
            render(b, n->u.pairs[i].value);
        }
        buf_putc(b, '}');
        return;
    }
    switch (n->type) {
    case SCALAR_NULL:
        buf_puts(b, "n");
        break;
    case SCALAR_BOOL:
        buf_printf(b, "b%d", n->v.b);
        break;
    case SCALAR_INT:
        buf_printf(b, "i%lld", (long long)n->v.i);
        break;
    case SCALAR_FLOAT:
        buf_printf(b, "f%g", n->v.f);
        break;
    default:
        buf_printf(b, "s\"%s\"", n->u.text);
    }
}

struct run {
    struct buf trace;
    struct diag_sink sink;
    bool incomplete;
};

static void read_all(struct reader *r, struct run *out)
{
    struct reader_entry e;
    gh_error err = {0};
    while (reader_next(r, &e, &err) == 0 && e.kind != ENTRY_END) {
        if (out->trace.len)
            buf_putc(&out->trace, ' ');
        switch (e.kind) {
        case ENTRY_VALUE:
            buf_puts(&out->trace, "V ");
            if (e.key) {
                render(&out->trace, e.key);
                buf_putc(&out->trace, '=');
            }
            render(&out->trace, e.value);
            if (e.yaml11)
                buf_printf(&out->trace, "^%u", e.yaml11);
            break;
        case ENTRY_LIST_BEGIN:
            buf_puts(&out->trace, "L ");
            render(&out->trace, e.key);
            break;
        case ENTRY_ITEM:
            buf_printf(&out->trace, "I%zu ", e.index);
            render(&out->trace, e.value);
            if (e.yaml11)
                buf_printf(&out->trace, "^%u", e.yaml11);
            break;
        default:
            buf_puts(&out->trace, "E");
        }
    }
    out->incomplete = reader_incomplete(r);
    diag_sort(&out->sink);
}

static void run_opts(const char *yaml, const struct reader_options *opt, struct run *out)
{
    buf_init(&out->trace, 0);
    diag_sink_init(&out->sink, 100);
    struct reader r;
    gh_error err = {0};
    if (reader_open_memory(&r, yaml, strlen(yaml), opt, &out->sink, &err) == 0)
        read_all(&r, out);
    reader_close(&r);
}

static void run(const char *yaml, struct run *out)
{
    run_opts(yaml, NULL, out);
}

static void release(struct run *r)
{
    buf_release(&r->trace);
    diag_sink_release(&r->sink);
}

/* The codes of the findings, in order, "HOP1002@3:5 HOP1003@4:9". */
static void codes(const struct run *r, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < r->sink.count && used < size; i++) {
        const struct diag *d = &r->sink.items[i];
        int n = snprintf(out + used, size - used, "%s%s@%u:%u", i ? " " : "",
                         rule_info(d->rule)->code, d->span.line, d->span.column);
        used += n > 0 ? (size_t)n : 0;
    }
}

/* Reads yaml with opt: the findings' codes must be want. */
static void expect_codes(const char *yaml, const struct reader_options *opt, const char *want,
                         const char *what)
{
    struct run r;
    char got[256];
    run_opts(yaml, opt, &r);
    codes(&r, got, sizeof(got));
    is_str(got, want, what);
    release(&r);
}

static void expect(const char *yaml, const char *trace, const char *findings, const char *what)
{
    struct run r;
    char got[1024];
    run(yaml, &r);
    codes(&r, got, sizeof(got));
    is_str(buf_cstr(&r.trace), trace, what);
    is_str(got, findings, what);
    release(&r);
}

static void test_entries(void)
{
    expect("_format_version: \"3.0\"\nservices:\n- name: a\n  port: 80\n- name: b\n",
           "V s\"_format_version\"=s\"3.0\" L s\"services\" I0 {s\"name\":s\"a\",s\"port\":i80} "
           "I1 {s\"name\":s\"b\"} E",
           "", "a top-level value, then a list item by item");
    expect("[1, 2]\n", "V [i1,i2]", "", "a root that is not a mapping comes whole");
    expect("a: &list [1]\nb: *list\n", "L s\"a\" I0 i1 E L s\"b\" I0 i1 E", "",
           "anchored and aliased lists come item by item too");
    expect("{\"services\": [{\"name\": \"x\"}]}\n", "L s\"services\" I0 {s\"name\":s\"x\"} E", "",
           "JSON is read as YAML flow");
}

static void test_positions(void)
{
    const char *yaml = "services:\n- name: orders\n  url: \"http://x\"\n";
    struct reader r;
    struct diag_sink sink;
    diag_sink_init(&sink, 10);
    gh_error err = {0};
    reader_open_memory(&r, yaml, strlen(yaml), NULL, &sink, &err);
    struct reader_entry e;
    reader_next(&r, &e, &err);
    is_int(e.kind, ENTRY_LIST_BEGIN, "the list");
    reader_next(&r, &e, &err);
    const struct node *name = node_map_get(e.value, "name");
    const struct node *url = node_map_get(e.value, "url");
    is_int(e.value->span.line, 2, "item line");
    is_int(e.value->span.column, 3, "item column");
    is_int(name->span.line, 2, "scalar line, 1-based");
    is_int(name->span.column, 9, "scalar column, 1-based");
    is_int(name->span.end_column, 15, "end column is just past the value");
    is_int(url->span.column, 8, "a quoted scalar starts at its quote");
    is_int(url->style, STYLE_DOUBLE_QUOTED, "style is kept");
    reader_close(&r);
    diag_sink_release(&sink);
}

static struct node typed(const char *text, enum scalar_style style)
{
    struct node n = {0};
    n.kind = NODE_SCALAR;
    n.style = (uint8_t)style;
    n.u.text = text;
    n.count = (uint32_t)strlen(text);
    scalar_resolve(&n, NULL);
    return n;
}

static void test_typing(void)
{
    struct node n;
    n = typed("yes", STYLE_PLAIN);
    ok(n.type == SCALAR_BOOL && n.v.b && (n.flags & NODE_YAML11), "yes is a YAML 1.1 boolean");
    n = typed("Off", STYLE_PLAIN);
    ok(n.type == SCALAR_BOOL && !n.v.b && (n.flags & NODE_YAML11), "Off is false");
    n = typed("y", STYLE_PLAIN);
    ok(n.type == SCALAR_STRING, "y stays a string (as in lyaml)");
    n = typed("true", STYLE_PLAIN);
    ok(n.type == SCALAR_BOOL && !(n.flags & NODE_YAML11), "true means the same in 1.1 and 1.2");
    n = typed("3.0", STYLE_PLAIN);
    ok(n.type == SCALAR_FLOAT && n.v.f == 3.0, "3.0 is a number");
    n = typed("3.0", STYLE_DOUBLE_QUOTED);
    ok(n.type == SCALAR_STRING, "\"3.0\" is a string");
    n = typed("012", STYLE_PLAIN);
    ok(n.type == SCALAR_INT && n.v.i == 10 && (n.flags & NODE_YAML11), "012 is octal 10");
    n = typed("08", STYLE_PLAIN);
    ok(n.type == SCALAR_INT && n.v.i == 8, "08 is decimal (not octal)");
    n = typed("0x1F", STYLE_PLAIN);
    ok(n.type == SCALAR_INT && n.v.i == 31, "hex");
    n = typed("0b101", STYLE_PLAIN);
    ok(n.type == SCALAR_INT && n.v.i == 5 && (n.flags & NODE_YAML11), "binary");
    n = typed("1:30", STYLE_PLAIN);
    ok(n.type == SCALAR_INT && n.v.i == 90 && (n.flags & NODE_YAML11), "base 60");
    n = typed("1_000", STYLE_PLAIN);
    ok(n.type == SCALAR_INT && n.v.i == 1000 && (n.flags & NODE_YAML11), "underscores");
    n = typed("~", STYLE_PLAIN);
    ok(n.type == SCALAR_NULL, "~ is null");
    n = typed("", STYLE_PLAIN);
    ok(n.type == SCALAR_NULL, "empty plain is null");
    n = typed(".inf", STYLE_PLAIN);
    ok(n.type == SCALAR_FLOAT && isinf(n.v.f), ".inf");
    n = typed("1e3", STYLE_PLAIN);
    ok(n.type == SCALAR_FLOAT && n.v.f == 1000, "exponent");
    n = typed("1.2.3", STYLE_PLAIN);
    ok(n.type == SCALAR_STRING, "1.2.3 is a string");
    n = typed("::1", STYLE_PLAIN);
    ok(n.type == SCALAR_STRING, "an IPv6 address is a string");
    n = typed("-", STYLE_PLAIN);
    ok(n.type == SCALAR_STRING, "a lone dash is a string");
}

static void test_findings(void)
{
    expect("a:\n  x: 1\n  x: 2\n", "V s\"a\"={s\"x\":i2}", "HOP1002@2:3",
           "a duplicate key is reported; the later value wins");
    expect("a: 1\na: 2\n", "V s\"a\"=i1 V s\"a\"=i2", "HOP1002@2:1",
           "a duplicate top-level key is reported");
    expect("enabled: on\n", "V s\"enabled\"=b1^1", "",
           "a YAML 1.1 boolean is counted for the checks, not reported");
    expect("a: 'on'\n", "V s\"a\"=s\"on\"", "", "a quoted 'on' is a string, no finding");
    expect("a: [1\n", "L s\"a\" I0 i1", "HOP1001@2:1",
           "a syntax error at libyaml's position; what came before was delivered");
    expect("", "", "HOP1011@1:1", "an empty file");
    expect("# only a comment\n", "", "HOP1011@1:1", "a comment-only file");
    expect("---\n", "", "HOP1011@1:1", "an empty document");
    expect("a: 1\n---\nb: 2\n", "V s\"a\"=i1", "HOP1012@2:1", "a second document");
    expect("a: *nope\n", "V s\"a\"=n", "HOP1014@1:4", "an alias without an anchor");
    expect("base: &b {p: 1, q: 2}\nitem: {<<: *b, q: 3}\n",
           "V s\"base\"={s\"p\":i1,s\"q\":i2} V s\"item\"={s\"q\":i3,s\"p\":i1}", "",
           "a merge key: written keys win, the rest is merged");
    expect("a: [y, N, 0o17]\n", "L s\"a\" I0 s\"y\"^1 I1 s\"N\"^1 I2 s\"0o17\"^1 E", "",
           "y and N are strings to Kong but booleans to go-yaml; 0o17 is 15 to YAML 1.2");
    expect("a: &l [1, yes]\n", "L s\"a\" I0 i1^1 I1 b1^1 E", "",
           "a buffered list: each item is marked, the count is for the whole list");
    expect("a: {<<: 5}\n", "V s\"a\"={}", "HOP1015@1:9", "a merge key with a scalar");
    expect("a: \"\xff\"\n", "", "HOP1008@1:5", "invalid UTF-8, located");
}

/* tinyyaml's reading of one scalar (tinyyaml.lua parsescalar, parseflowstyle), as "t:value". */
static void tiny(const char *text, enum scalar_style style, bool in_flow, const char *want)
{
    struct node n = {.kind = NODE_SCALAR, .style = (uint8_t)style, .count = (uint32_t)strlen(text)};
    n.u.text = text;
    scalar_resolve(&n, NULL);
    scalar_retype_tinyyaml(&n, in_flow);
    char got[64];
    switch (n.type) {
    case SCALAR_BOOL:
        snprintf(got, sizeof(got), "b:%d", n.v.b);
        break;
    case SCALAR_INT:
        snprintf(got, sizeof(got), "i:%lld", (long long)n.v.i);
        break;
    case SCALAR_FLOAT:
        snprintf(got, sizeof(got), "f:%g", n.v.f);
        break;
    case SCALAR_NULL:
        snprintf(got, sizeof(got), "n");
        break;
    case SCALAR_TIMESTAMP:
        snprintf(got, sizeof(got), "t");
        break;
    default:
        snprintf(got, sizeof(got), "s:%s", n.u.text);
    }
    char what[128];
    snprintf(what, sizeof(what), "tinyyaml reads '%s'%s as %s", text,
             in_flow ? " in a flow collection" : "", want);
    is_str(got, want, what);
    ok(!(n.flags & NODE_YAML11), "no YAML 1.1 mark left on '%s'", text);
}

static void test_tinyyaml_typing(void)
{
    tiny("yes", STYLE_PLAIN, false, "s:yes");
    tiny("off", STYLE_PLAIN, false, "s:off");
    tiny("True", STYLE_PLAIN, false, "b:1");
    tiny("FALSE", STYLE_PLAIN, false, "b:0");
    tiny("~", STYLE_PLAIN, false, "n");
    tiny("NULL", STYLE_PLAIN, false, "n");
    tiny("012", STYLE_PLAIN, false, "i:12");
    tiny("+5", STYLE_PLAIN, false, "i:5");
    tiny("1.", STYLE_PLAIN, false, "f:1");
    tiny("2.50", STYLE_PLAIN, false, "f:2.5");
    tiny("0x1F", STYLE_PLAIN, false, "s:0x1F");
    tiny("1e3", STYLE_PLAIN, false, "s:1e3");
    tiny(".5", STYLE_PLAIN, false, "s:.5");
    tiny("1_000", STYLE_PLAIN, false, "s:1_000");
    tiny("1:30", STYLE_PLAIN, false, "s:1:30");
    tiny("-.inf", STYLE_PLAIN, false, "f:-inf");
    tiny("2024-01-01", STYLE_PLAIN, false, "t");
    tiny("2024-01-01 release", STYLE_PLAIN, false, "t");
    tiny("2024-1-01", STYLE_PLAIN, false, "s:2024-1-01");
    tiny("302", STYLE_PLAIN, true, "s:302");
    tiny("true", STYLE_PLAIN, true, "s:true");
    tiny("5", STYLE_SINGLE_QUOTED, false, "s:5");
    tiny("99999999999999999999", STYLE_PLAIN, false, "f:1e+20");
}

static void test_yaml_uses(void)
{
    struct reader r;
    struct diag_sink sink;
    gh_error err = {0};
    const char *yaml = "a: &x {p: 1}\nb: *x\nc: {<<: *x, q: 2}\nd: *x\n";
    diag_sink_init(&sink, 10);
    struct reader_entry e;
    if (reader_open_memory(&r, yaml, strlen(yaml), NULL, &sink, &err) == 0)
        while (reader_next(&r, &e, &err) == 0 && e.kind != ENTRY_END)
            ;
    const struct reader_yaml_uses *u = reader_yaml_uses(&r);
    is_int(u->anchors, 1, "one anchor");
    is_int(u->aliases, 3, "three aliases");
    is_int(u->merges, 1, "one merge key");
    is_int(u->first_anchor.line, 1, "the anchor is on line 1");
    is_int(u->first_alias.line, 2, "the first alias is on line 2");
    is_int(u->first_merge.line, 3, "the merge key is on line 3");
    reader_close(&r);
    diag_sink_release(&sink);
}

static void test_anchor_across_items(void)
{
    expect("s:\n- &one {name: a, port: 1}\n- {<<: *one, name: b}\n- *one\n",
           "L s\"s\" I0 {s\"name\":s\"a\",s\"port\":i1} I1 {s\"name\":s\"b\",s\"port\":i1} "
           "I2 {s\"name\":s\"a\",s\"port\":i1} E",
           "", "an anchor from an earlier item outlives that item's arena");
}

static void test_limits(void)
{
    struct reader_options opt;
    struct run r;
    char got[256];

    reader_options_default(&opt);
    opt.limits.max_depth = 3;
    run_opts("a: [[[[1]]]]\nb: 2\n", &opt, &r);
    codes(&r, got, sizeof(got));
    is_str(got, "HOP1004@1:6", "nesting deeper than the limit, counted from the root");
    ok(r.incomplete, "stops reading");
    release(&r);

    reader_options_default(&opt);
    opt.limits.max_item_nodes = 10;
    run_opts("s:\n- [1,2,3,4,5,6,7,8,9,10,11,12]\n- [1]\n", &opt, &r);
    codes(&r, got, sizeof(got));
    is_str(buf_cstr(&r.trace), "L s\"s\" I0 - I1 [i1] E",
           "a too-large item is skipped, not the next");
    ok(strstr(got, "HOP1005") != NULL, "and reported");
    release(&r);

    reader_options_default(&opt);
    opt.limits.max_value_bytes = 8;
    expect_codes("a: 0123456789abcdef\n", &opt, "HOP1006@1:4", "a value over the size limit");

    reader_options_default(&opt);
    opt.limits.max_alias_nodes = 50;
    run_opts("a: &a [1,2,3,4,5,6,7,8,9]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n", &opt, &r);
    codes(&r, got, sizeof(got));
    ok(strstr(got, "HOP1007") != NULL, "alias expansion over the limit");
    ok(r.incomplete, "stops reading");
    release(&r);
}

static void test_json_strict(void)
{
    struct reader_options opt;
    reader_options_default(&opt);
    opt.json_strict = true;
    expect_codes("{\"a\": [1, true, null, \"x\"]}", &opt, "", "strict JSON passes");
    expect_codes("{\"a\": yes}", &opt, "HOP1013@1:7", "an unquoted word is not JSON");
    expect_codes("a: 1\n", &opt, "HOP1013@1:1", "block style is not JSON");
    /* Past the node limit the entry is skipped, not built: its keys and values still alternate. */
    opt.limits.max_item_nodes = 4;
    expect_codes("{\"s\": {\"a\": null, \"b\": null, \"c\": null, \"d\": true}}", &opt,
                 "HOP1005@1:30", "a value in a skipped entry is no key without quotes");
    expect_codes("{\"s\": {\"a\": null, \"b\": null, c: null}}", &opt, "HOP1005@1:30 HOP1013@1:30",
                 "and a key without quotes there still is one");
}

/* The reader over a file: what the source notices on the raw bytes. */
static void test_file_findings(void)
{
    static const struct {
        const char *bytes;
        size_t len;
        const char *codes;
        const char *what;
    } cases[] = {
        {"\xef\xbb\xbf"
         "a: 1\n",
         8, "HOP1009@1:1", "a byte order mark"},
        {"a: 1\r\nb: 2\r\nc: 3\n", 17, "HOP1010@3:1", "one LF among CRLF lines"},
        {"a: 1\r\nb: 2\r\n", 12, "", "CRLF throughout is fine"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char path[] = "/tmp/gatehop-test-XXXXXX";
        int fd = mkstemp(path);
        if (fd < 0 || write(fd, cases[i].bytes, cases[i].len) != (ssize_t)cases[i].len) {
            ok(0, "temporary file");
            continue;
        }
        close(fd);
        struct source src;
        struct run r;
        gh_error err = {0};
        buf_init(&r.trace, 0);
        diag_sink_init(&r.sink, 100);
        struct reader rd;
        if (source_open(&src, path, NULL, &err) == 0 &&
            reader_open(&rd, &src, NULL, &r.sink, &err) == 0) {
            read_all(&rd, &r);
            reader_close(&rd);
        }
        source_close(&src);
        char got[256];
        codes(&r, got, sizeof(got));
        is_str(got, cases[i].codes, cases[i].what);
        release(&r);
        unlink(path);
    }
}

/* A temporary file holding len bytes of text, its name in path (the caller unlinks it). */
static bool temp_file(char *path, const char *text, size_t len)
{
    int fd = mkstemp(path);
    bool written = fd >= 0 && write(fd, text, len) == (ssize_t)len;
    if (fd >= 0)
        close(fd);
    return written;
}

/* Everything source_read() gives, in reads of at most 1000 bytes; false on an error. */
static bool read_back(struct source *src, struct buf *out)
{
    unsigned char chunk[1000];
    long n;
    while ((n = source_read(src, chunk, sizeof(chunk))) > 0)
        buf_append(out, (const char *)chunk, (size_t)n);
    return n == 0;
}

static bool holds(const struct buf *b, const char *text, size_t len)
{
    return b->len == len && (len == 0 || !memcmp(b->data, text, len));
}

/* A file of len bytes (up to 90,000): each byte comes back once, in order, and its end marker
 * is seen, from the bytes read when it was opened (a small file) or from its end (a larger
 * one); then once more after a rewind. */
static void check_source_size(size_t len, bool marked)
{
    static char text[90000];
    memset(text, 'x', len);
    for (size_t i = 80; i < len; i += 81)
        text[i] = '\n';
    if (marked)
        memcpy(text + len - 6, "#END\n\n", 6);
    char path[] = "/tmp/gatehop-test-XXXXXX";
    const char *tag = marked ? ", #END" : "";
    struct source src;
    gh_error err = {0};
    struct buf got;
    buf_init(&got, 0);
    bool opened = temp_file(path, text, len) && source_open(&src, path, NULL, &err) == 0;
    ok(opened, "%zu bytes%s: opened", len, tag);
    if (opened) {
        ok(source_has_end_marker(&src) == marked, "%zu bytes%s: the end marker", len, tag);
        ok(read_back(&src, &got) && holds(&got, text, len), "%zu bytes%s: read back", len, tag);
        buf_clear(&got);
        ok(source_rewind(&src, &err) == 0 && read_back(&src, &got) && holds(&got, text, len),
           "%zu bytes%s: read again", len, tag);
        ok(src.stats.bytes == len, "%zu bytes%s: counted once", len, tag);
        source_close(&src);
    }
    buf_release(&got);
    unlink(path);
}

/* The source of a file: a small one is read whole when opened (SOURCE_SMALL). */
static void test_source(void)
{
    static const size_t sizes[] = {
        0, 6, 1000, 4096, SOURCE_SMALL - 1, SOURCE_SMALL, SOURCE_SMALL + 1, 90000};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        check_source_size(sizes[i], false);
        if (sizes[i] >= 6)
            check_source_size(sizes[i], true);
    }
    /* A small file that grows after it was opened: read whole then, it is read as it was. */
    char path[] = "/tmp/gatehop-test-XXXXXX";
    struct source src;
    gh_error err = {0};
    struct buf got;
    buf_init(&got, 0);
    if (temp_file(path, "a: 1\n", 5) && source_open(&src, path, NULL, &err) == 0) {
        FILE *more = fopen(path, "ab");
        bool grown = more && fputs("b: 2\n", more) >= 0;
        if (more)
            fclose(more);
        ok(grown && read_back(&src, &got) && holds(&got, "a: 1\n", 5),
           "a small file that grew after it was opened is read as it was then");
        source_close(&src);
    } else {
        ok(0, "a file that grows: opened");
    }
    buf_release(&got);
    unlink(path);
}

/*
 * A quoted key with no space after its ':' (reader_lenient.h): read once with the probe, and
 * again with the plan it found. plan is "" when none was found, else "line:col" per colon, then
 * "qline:col" per template quote.
 */
struct lenient_run {
    struct run first, second;
    char plan[256];
};

static void run_lenient(const char *yaml, struct lenient_run *out)
{
    struct reader_options opt;
    reader_options_default(&opt);
    opt.lenient_probe = true;
    buf_init(&out->first.trace, 0);
    diag_sink_init(&out->first.sink, 100);
    buf_init(&out->second.trace, 0);
    diag_sink_init(&out->second.sink, 100);
    out->plan[0] = '\0';
    struct reader r;
    gh_error err = {0};
    struct lenient_plan *plan = NULL;
    if (reader_open_memory(&r, yaml, strlen(yaml), &opt, &out->first.sink, &err) == 0) {
        read_all(&r, &out->first);
        plan = reader_take_lenient(&r);
    }
    reader_close(&r);
    if (!plan)
        return;
    size_t used = 0;
    for (size_t i = 0; i < plan->count && used < sizeof(out->plan); i++)
        used += (size_t)snprintf(out->plan + used, sizeof(out->plan) - used, "%s%u:%u",
                                 i ? " " : "", plan->colons[i].line, plan->colons[i].column);
    for (size_t i = 0; i < plan->nquotes && used < sizeof(out->plan); i++)
        used += (size_t)snprintf(out->plan + used, sizeof(out->plan) - used, "%sq%u:%u",
                                 used ? " " : "", plan->quotes[i].line, plan->quotes[i].column);
    opt.lenient_probe = false;
    opt.lenient = plan;
    if (reader_open_memory(&r, yaml, strlen(yaml), &opt, &out->second.sink, &err) == 0)
        read_all(&r, &out->second);
    reader_close(&r);
    lenient_plan_free(plan);
}

static void lenient_release(struct lenient_run *r)
{
    release(&r->first);
    release(&r->second);
}

static void expect_lenient(const char *yaml, const char *plan, const char *trace,
                           const char *findings, const char *what)
{
    struct lenient_run r;
    char got[1024], label[256];
    run_lenient(yaml, &r);
    snprintf(label, sizeof(label), "%s: the plan", what);
    is_str(r.plan, plan, label);
    snprintf(label, sizeof(label), "%s: the entries", what);
    is_str(buf_cstr(plan[0] ? &r.second.trace : &r.first.trace), trace, label);
    codes(plan[0] ? &r.second : &r.first, got, sizeof(got));
    snprintf(label, sizeof(label), "%s: the findings", what);
    is_str(got, findings, label);
    lenient_release(&r);
}

static void test_lenient(void)
{
    expect_lenient("nodes:\n  \"a:1\":1\n  'b:2':\"x\"\n", "2:8 3:8",
                   "V s\"nodes\"={s\"a:1\":i1,s\"b:2\":s\"x\"}", "",
                   "quoted keys, a space after each colon");
    expect_lenient("nodes:\n  \"a:1\":1 # weight\n  \"a:1\":2\n", "2:8 3:8",
                   "V s\"nodes\"={s\"a:1\":i2}", "HOP1002@2:3",
                   "findings before the colon keep their place");
    expect_lenient("services:\n- \"name\":orders\n  port: 80\n", "2:9",
                   "L s\"services\" I0 {s\"name\":s\"orders\",s\"port\":i80} E", "",
                   "a list item's first key");
    expect_lenient("text: |\n  \"a\":b\n  x\nup:\n  \"k\":1\n", "5:6",
                   "V s\"text\"=s\"\"a\":b\nx\n\" V s\"up\"={s\"k\":i1}", "",
                   "a block scalar's text is left as it is");
    expect_lenient("text: 'x\n  \"q\":1'\nup:\n  \"k\":1\n", "4:6",
                   "V s\"text\"=s\"x \"q\":1\" V s\"up\"={s\"k\":i1}", "",
                   "a quoted value over two lines is left as it is");
    expect_lenient("f: [\n  \"a\":1 ]\n", "", "L s\"f\" I0 {s\"a\":i1} E", "",
                   "libyaml reads a flow collection's \"a\":1: nothing to do");
    expect_lenient("up:\n  \"k\":1\nm: [\n", "", "V s\"up\"=s\"k\"", "HOP1001@2:6",
                   "when the second reading fails too, the file's own error stands");
    expect_lenient("up:\n  \"k\":1\n  x\n", "", "V s\"up\"=s\"k\"", "HOP1001@2:6",
                   "a colon that makes no key: no plan");
    expect_lenient("\xef\xbb\xbfup:\r\n  \"\xc3\xa9\":1\r\n  \"b\":\"\xc3\xa9\"\r\n", "2:6 3:6",
                   "V s\"up\"={s\"\xc3\xa9\":i1,s\"b\":s\"\xc3\xa9\"}", "",
                   "a byte order mark, CRLF and characters of two bytes");

    /* decK renders its templates before it reads the YAML: their double quotes in a
     * double-quoted string are read as single quotes, in place. */
    expect_lenient("h:\n- \"X:${{ env \"DECK_A\" }}\"\n- \"${{ env \"B\" }} ${{ env \"C\" }}\"\n",
                   "q2:14 q2:21 q3:12 q3:14 q3:27 q3:29",
                   "L s\"h\" I0 s\"X:${{ env 'DECK_A' }}\" I1 s\"${{ env 'B' }} ${{ env 'C' }}\" E",
                   "", "a template's quotes in a double-quoted string");
    expect_lenient("nodes:\n  \"a\":1\nh: \"${{ env \"B\" }}\"\n", "2:6 q3:13 q3:15",
                   "V s\"nodes\"={s\"a\":i1} V s\"h\"=s\"${{ env 'B' }}\"", "",
                   "template quotes and a quoted key's colon together");
    expect_lenient("h: \"a\\\"${{ env \"B\" }}\"\n", "q1:16 q1:18",
                   "V s\"h\"=s\"a\"${{ env 'B' }}\"", "",
                   "an escaped quote does not end the string");
    expect_lenient("h: ${{ env \"A\" }}\nm: [\n", "", "V s\"h\"=s\"${{ env \"A\" }}\" L s\"m\"",
                   "HOP1001@3:1", "a template outside a string: no plan, the file's error stands");
    expect_lenient("h: '${{ env \"A\" }}'\ni: ${{ env \"B\" }}\n", "",
                   "V s\"h\"=s\"${{ env \"A\" }}\" V s\"i\"=s\"${{ env \"B\" }}\"", "",
                   "single-quoted and plain templates read as they are");

    /* Positions after the colon move back by the space inserted on their line. */
    struct lenient_run r;
    run_lenient("nodes:\n  \"b:2\":\"x\"\n  \"c\": 3\n", &r);
    struct reader_options opt;
    reader_options_default(&opt);
    is_str(r.plan, "2:8", "one colon");
    lenient_release(&r);
    const char *yaml = "nodes:\n  \"b:2\":\"x\" # c\n  \"c\": 3\n";
    struct lenient_plan *plan = NULL;
    struct diag_sink sink;
    diag_sink_init(&sink, 10);
    gh_error err = {0};
    struct reader rd;
    opt.lenient_probe = true;
    reader_open_memory(&rd, yaml, strlen(yaml), &opt, &sink, &err);
    struct reader_entry e;
    while (reader_next(&rd, &e, &err) == 0 && e.kind != ENTRY_END)
        ;
    plan = reader_take_lenient(&rd);
    reader_close(&rd);
    opt.lenient_probe = false;
    opt.lenient = plan;
    reader_open_memory(&rd, yaml, strlen(yaml), &opt, &sink, &err);
    reader_next(&rd, &e, &err);
    const struct node *x = e.kind == ENTRY_VALUE ? node_map_get(e.value, "b:2") : NULL;
    const struct node *c = e.kind == ENTRY_VALUE ? node_map_get(e.value, "c") : NULL;
    ok(x && x->span.line == 2 && x->span.column == 9 && x->span.end_column == 12,
       "a value right after the colon is where the file has it (2:9-12)");
    ok(c && c->span.line == 3 && c->span.column == 8, "a line without a colon moved: as it is");
    ok(e.value && e.value->span.end_line == 4 && e.value->span.end_column == 1,
       "the mapping ends where it does");
    reader_close(&rd);
    lenient_plan_free(plan);
    diag_sink_release(&sink);
}

int main(void)
{
    test_entries();
    test_positions();
    test_typing();
    test_findings();
    test_anchor_across_items();
    test_yaml_uses();
    test_tinyyaml_typing();
    test_limits();
    test_json_strict();
    test_file_findings();
    test_source();
    test_lenient();
    return done();
}
