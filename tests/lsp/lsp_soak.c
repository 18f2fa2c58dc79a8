/*
 * A long editing session: `gatehop lsp` is sent 10,000 edits of one document, each linted
 * (a hover request after each change makes the server lint before it answers), and its memory
 * must stay flat: the resident size after the last edit may exceed the one after the first
 * 1,000 by at most SOAK_GROWTH_KB. The edits break and mend a value, add and remove lines, and
 * now and then replace the whole text, so every path that keeps or drops a lint runs.
 *
 * usage: lsp_soak GATEHOP [EDITS]
 */
#define _DEFAULT_SOURCE /* setenv */
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lsp_client.h"

#define SOAK_GROWTH_KB 2048
#define WAIT_MS        30000

static const char text[] = "_format_version: \"3.0\"\n"
                           "services:\n"
                           "- name: orders\n"
                           "  url: http://orders.internal:8080\n"
                           "  retries: 5\n"
                           "  routes:\n"
                           "  - name: orders\n"
                           "    paths: [\"~/orders/\\\\d+$\"]\n"
                           "    plugins:\n"
                           "    - name: rate-limiting\n"
                           "      config: {minute: 5, policy: local}\n";

static int failed(struct lsp_client *c, const char *what, const char *why)
{
    fprintf(stderr, "lsp_soak: %s: %s\n", what, why ? why : "unexpected answer");
    client_stop(c);
    return 1;
}

/* The next answer to request id, skipping the diagnostics published before it. */
static json_t *answer(struct lsp_client *c, json_int_t id, const char **why)
{
    for (;;) {
        json_t *m = client_next(c, WAIT_MS, why);
        if (!m || json_integer_value(json_object_get(m, "id")) == id)
            return m;
        json_decref(m);
    }
}

static json_t *change(int i)
{
    /* line 4 is "  retries: 5": break it, mend it, or add a line after it */
    static const char *const edits[] = {"  retries: five\n", "  retries: 5\n",
                                        "  retries: 5\n  tags: [a, b]\n", "  retries: 5\n"};
    const char *uri = "untitled:soak.yml";
    if (i % 1000 == 999)
        return json_pack("{s:s, s:s, s:{s:{s:s, s:i}, s:[{s:s}]}}", "jsonrpc", "2.0", "method",
                         "textDocument/didChange", "params", "textDocument", "uri", uri, "version",
                         i + 2, "contentChanges", "text", text);
    int lines = i % 4 == 3 ? 2 : 1; /* the added tags line goes again */
    return json_pack("{s:s, s:s, s:{s:{s:s, s:i}, s:[{s:{s:{s:i, s:i}, s:{s:i, s:i}}, s:s}]}}",
                     "jsonrpc", "2.0", "method", "textDocument/didChange", "params", "textDocument",
                     "uri", uri, "version", i + 2, "contentChanges", "range", "start", "line", 4,
                     "character", 0, "end", "line", 4 + lines, "character", 0, "text",
                     edits[i % 4]);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: lsp_soak GATEHOP [EDITS]\n");
        return 2;
    }
    int edits = argc > 2 ? atoi(argv[2]) : 10000;
    signal(SIGPIPE, SIG_IGN);
    /* Under AddressSanitizer, freed memory waits in a quarantine of 256 MB: keep it small, so
     * that what is measured is what the server keeps. */
    setenv("ASAN_OPTIONS", "quarantine_size_mb=1:detect_leaks=1", 0);
    struct lsp_client c;
    const char *why = client_start(&c, argv[1], ".");
    if (why)
        return failed(&c, "start", why);
    json_t *m = json_pack("{s:s, s:i, s:s, s:{s:{}}}", "jsonrpc", "2.0", "id", 1, "method",
                          "initialize", "params", "capabilities");
    client_send(&c, m);
    json_decref(m);
    json_decref(answer(&c, 1, &why));
    m = json_pack("{s:s, s:s, s:{s:{s:s, s:s, s:i, s:s}}}", "jsonrpc", "2.0", "method",
                  "textDocument/didOpen", "params", "textDocument", "uri", "untitled:soak.yml",
                  "languageId", "yaml", "version", 1, "text", text);
    client_send(&c, m);
    json_decref(m);
    long after_warmup = -1, rss = -1;
    for (int i = 0; i < edits; i++) {
        m = change(i);
        why = client_send(&c, m);
        json_decref(m);
        m = json_pack("{s:s, s:i, s:s, s:{s:{s:s}, s:{s:i, s:i}}}", "jsonrpc", "2.0", "id", i + 10,
                      "method", "textDocument/hover", "params", "textDocument", "uri",
                      "untitled:soak.yml", "position", "line", 4, "character", 4);
        if (!why)
            why = client_send(&c, m);
        json_decref(m);
        json_t *a = why ? NULL : answer(&c, i + 10, &why);
        if (!a)
            return failed(&c, "edit", why);
        json_decref(a);
        if (i + 1 == (edits < 1000 ? edits : 1000))
            after_warmup = client_rss_kb(&c);
    }
    rss = client_rss_kb(&c);
    printf("lsp_soak: %d edits; resident %ld kB after %d, %ld kB after all (%+ld kB)\n", edits,
           after_warmup, edits < 1000 ? edits : 1000, rss, rss - after_warmup);
    m = json_pack("{s:s, s:i, s:s}", "jsonrpc", "2.0", "id", 2, "method", "shutdown");
    client_send(&c, m);
    json_decref(m);
    json_decref(answer(&c, 2, &why));
    m = json_pack("{s:s, s:s}", "jsonrpc", "2.0", "method", "exit");
    client_send(&c, m);
    json_decref(m);
    int rc = client_wait_exit(&c, WAIT_MS);
    client_stop(&c);
    if (rc != 0) {
        fprintf(stderr, "lsp_soak: the server exited %d\n", rc);
        return 1;
    }
    if (after_warmup < 0 || rss < 0 || rss - after_warmup > SOAK_GROWTH_KB) {
        fprintf(stderr, "lsp_soak: memory grew by more than %d kB\n", SOAK_GROWTH_KB);
        return 1;
    }
    return 0;
}
