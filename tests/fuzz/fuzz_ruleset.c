/*
 * libFuzzer target for organisation rulesets (ruleset.h): the input read as a ruleset (YAML or
 * JSON, its JSONPaths and function options), and when it loads, run over a small Kong file both
 * ways a pass runs (entry by entry, and on the whole tree). Seeds: the rulesets under
 * tests/ruleset (the tests' own and decK's).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reader/reader.h"
#include "ruleset/ruleset.h"
#include "ruleset/ruleset_run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char doc[] = "_format_version: \"3.0\"\n"
                          "services:\n"
                          "- name: orders\n"
                          "  host: orders.internal\n"
                          "  port: 8080\n"
                          "  tags: [b, a]\n"
                          "  plugins: [{name: key-auth, config: {hide_credentials: false}}]\n"
                          "  routes: [{name: r1, paths: [/a, /b], protocols: [http]}]\n"
                          "- {name: pay, url: 'https://pay.internal', enabled: false}\n"
                          "routes: [{name: r2, paths: ['/x'], tags: []}, null, 3]\n"
                          "plugins: [{name: cors, config: {origins: ['*'], max_age: 3600}}]\n"
                          "upstreams: {}\n";

static struct arena tree_arena;
static struct node *root; /* read once: it lives as long as the process */

static void run_entries(struct rs_pass *pass)
{
    for (uint32_t i = 0; i < root->count; i++) {
        const struct node *key = root->u.pairs[i].key, *value = root->u.pairs[i].value;
        if (value->kind != NODE_SEQUENCE) {
            rs_pass_entry(pass, key, value, false, 0);
            continue;
        }
        for (uint32_t k = 0; k < value->count; k++)
            rs_pass_entry(pass, key, value->u.items[k], true, k);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gh_error err = {0};
    if (!root) {
        arena_init(&tree_arena, 64 * 1024);
        if (reader_load_knowledge("doc.yaml", doc, strlen(doc), &tree_arena, &root, &err) < 0)
            abort();
    }
    struct ruleset *rs;
    if (ruleset_load_text("fuzz-rules.yaml", (const char *)data, size, &rs, &err) < 0)
        return 0;
    struct diag_sink sink;
    diag_sink_init(&sink, 1000);
    struct rs_pass *pass = rs_pass_begin(rs, "/fuzz/kong.yaml", &sink);
    if (pass) {
        run_entries(pass);
        if (rs_pass_needs_document(pass))
            rs_pass_document(pass, root);
        rs_pass_end(pass);
    }
    diag_sink_release(&sink);
    ruleset_free(rs);
    return 0;
}
