/*
 * The language server's latency: from a change notification to the diagnostics published for
 * it, on one document, as an editor sees it while a user types (one edit at a time, each waited
 * for). Prints the median and the 90th percentile over the edits, beside the time `gatehop lint`
 * of the same file takes, measured by the caller.
 *
 * usage: lsp_latency GATEHOP FILE [EDITS]      (the file: YAML, its line 6 is a service's retries)
 */
#define _POSIX_C_SOURCE 200809L
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../lsp/lsp_client.h"

#define WAIT_MS 30000

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Waits for the diagnostics of a version; false when they did not come. */
static bool diagnostics_of(struct lsp_client *c, json_int_t version)
{
    const char *why;
    json_t *params = client_published(c, NULL, version, WAIT_MS, &why);
    if (!params) {
        fprintf(stderr, "lsp_latency: %s\n", why);
        return false;
    }
    json_decref(params);
    return true;
}

static void send_new(struct lsp_client *c, json_t *m)
{
    client_send(c, m);
    json_decref(m);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: lsp_latency GATEHOP FILE [EDITS]\n");
        return 2;
    }
    int edits = argc > 3 ? atoi(argv[3]) : 200;
    size_t len;
    char *text = client_read_file(argv[2], &len);
    double *ms = calloc((size_t)edits + 1, sizeof(double));
    if (!text || !ms) {
        fprintf(stderr, "lsp_latency: cannot read %s\n", argv[2]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    struct lsp_client c;
    if (client_start(&c, argv[1], "."))
        return 2;
    send_new(&c, json_pack("{s:s, s:i, s:s, s:{s:{}}}", "jsonrpc", "2.0", "id", 1, "method",
                           "initialize", "params", "capabilities"));
    send_new(&c,
             json_pack("{s:s, s:s, s:{s:{s:s, s:s, s:i, s:s}}}", "jsonrpc", "2.0", "method",
                       "textDocument/didOpen", "params", "textDocument", "uri",
                       "untitled:latency.yml", "languageId", "yaml", "version", 1, "text", text));
    int ok = diagnostics_of(&c, 1);
    for (int i = 0; ok && i < edits; i++) {
        /* retries: 0 <-> retries: 1, as a user retypes a digit */
        double start = now_ms();
        send_new(&c, json_pack("{s:s, s:s, s:{s:{s:s, s:i}, s:[{s:{s:{s:i, s:i}, s:{s:i, "
                               "s:i}}, s:s}]}}",
                               "jsonrpc", "2.0", "method", "textDocument/didChange", "params",
                               "textDocument", "uri", "untitled:latency.yml", "version", i + 2,
                               "contentChanges", "range", "start", "line", 5, "character", 11,
                               "end", "line", 5, "character", 12, "text", i % 2 ? "0" : "1"));
        ok = diagnostics_of(&c, i + 2);
        ms[i] = now_ms() - start;
    }
    client_stop(&c);
    if (!ok)
        return 1;
    qsort(ms, (size_t)edits, sizeof(*ms), by_value);
    size_t lines = 0;
    for (const char *p = text; *p; p++)
        lines += *p == '\n';
    printf("lsp_latency: %zu lines, %d edits: median %.2f ms, p90 %.2f ms, max %.2f ms\n", lines,
           edits, ms[edits / 2], ms[edits * 9 / 10], ms[edits - 1]);
    free(ms);
    free(text);
    return 0;
}
