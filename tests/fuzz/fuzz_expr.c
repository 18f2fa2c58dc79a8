/*
 * libFuzzer target for route expressions: the expression checker of every Kong release with an
 * expressions router (as an http route and as a stream route), the Rust regex syntax checker
 * in each dialect, and pointing inside a scalar rebuilt from lines of the input. The whole lint
 * cannot reach these with its default router flavour, hence a target of their own. Seeds:
 * corpus/expressions (one expression per file).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reader/reader_locate.h"
#include "schema/schema.h"
#include "schema/schema_expr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { RELEASES = 10 };
static const struct spec_expr_lang *langs[RELEASES]; /* Kong 3.0 to 3.9 */
static struct kb *kb; /* lives as long as the process, as the languages borrow from it */

static void setup(void)
{
    gh_error err = {0};
    if (kb_new(NULL, &kb, &err) != 0)
        abort();
    const struct kb_product *kong = kb_product_find(kb, "kong");
    for (unsigned minor = 0; minor < RELEASES; minor++) {
        struct version v = {{3, minor, 0, 0}, 2};
        struct target t = {v, FLAVOR_KONG, kb_router_flavor_find(kong, &v, "expressions"), NULL};
        const struct spec_document *doc = NULL;
        if (kb_compile(kb, kong, &t, &doc, &err) != 0 || !doc->expr)
            abort();
        langs[minor] = doc->expr;
    }
}

/* The input cut into lines, as the source would hand them over, and a scalar over them. */
static void locate(const char *text, size_t size)
{
    enum { MAX_LINES = 8 };
    const char *lines[MAX_LINES];
    size_t lens[MAX_LINES], n = 0, start = 0;
    for (size_t i = 0; i <= size && n < MAX_LINES; i++)
        if (i == size || text[i] == '\n') {
            lines[n] = text + start;
            lens[n++] = i - start;
            start = i + 1;
        }
    static const enum scalar_style styles[] = {STYLE_PLAIN, STYLE_SINGLE_QUOTED,
                                               STYLE_DOUBLE_QUOTED, STYLE_LITERAL, STYLE_FOLDED};
    unsigned char k = size ? (unsigned char)text[0] : 0;
    char *value = malloc(size / 2 + 1); /* a scalar's text ends with a NUL */
    if (!value)
        return;
    memcpy(value, text + size - size / 2, size / 2);
    value[size / 2] = '\0';
    struct node node = {NODE_SCALAR,
                        SCALAR_STRING,
                        (uint8_t)styles[k % 5],
                        0,
                        (uint32_t)(size / 2),
                        {1, 1u + k % 7, (uint32_t)n, 1u + k % 11},
                        {.text = value},
                        {.i = 0}};
    struct span s;
    for (size_t offset = 0; offset <= node.count; offset += 1 + node.count / 4)
        scalar_locate_in_lines(&node, lines, lens, n, 1, offset, &s);
    free(value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!langs[0])
        setup();
    const char *text = (const char *)data;
    for (unsigned minor = 0; minor < RELEASES; minor++) {
        struct named_result r = {.rule = R_HOP2007, .offset = -1};
        expr_check(langs[minor], text, size, minor % 2 ? "tcp" : NULL, &r);
        if (r.offset > (long)size)
            abort(); /* a finding must point inside the expression or just past it */
    }
    struct rust_regex_error e;
    for (int d = RUST_REGEX_0_6; d <= RUST_REGEX_0_8; d++)
        if (!rust_regex_check(text, size, (enum rust_regex_dialect)d, &e) && e.offset > size)
            abort();
    locate(text, size);
    return 0;
}
