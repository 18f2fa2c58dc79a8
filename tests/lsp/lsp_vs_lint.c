/*
 * The server's diagnostics are what `gatehop lint` reports: every file given is linted by the
 * CLI (`gatehop lint -f json FILE`, its project config found as usual) and opened in one
 * `gatehop lsp`, and the two lists must hold the same findings in the same order: code,
 * severity, message, JSON pointer and range (the CLI's 1-based code-point columns turned into
 * the protocol's UTF-16 positions). A file lint does not recognise as a gateway configuration
 * (product "unknown", or excluded by its project config) must get an empty list. A file that
 * is not UTF-8 is not compared: an editor decodes it before it sends it.
 *
 * usage: lsp_vs_lint GATEHOP FILE...
 */
#define _DEFAULT_SOURCE /* realpath, popen */
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lsp/lsp_text.h"
#include "lsp_client.h"

#define WAIT_MS 30000

static const char *const severities[] = {"", "error", "warning", "info"};

/* The CLI's report of one file, as JSON. */
static json_t *lint_json(const char *gatehop, const char *path)
{
    char command[PATH_MAX * 2 + 64];
    snprintf(command, sizeof(command), "'%s' lint -f json '%s' 2>/dev/null", gatehop, path);
    FILE *p = popen(command, "r");
    if (!p)
        return NULL;
    json_error_t error;
    json_t *report = json_loadf(p, 0, &error);
    pclose(p);
    return report;
}

/* The diagnostics published for uri, skipping everything else the server says. */
static json_t *published(struct lsp_client *c, const char *uri)
{
    const char *why;
    json_t *params = client_published(c, uri, -1, WAIT_MS, &why);
    if (!params) {
        fprintf(stderr, "lsp_vs_lint: %s\n", why);
        return NULL;
    }
    json_t *list = json_incref(json_object_get(params, "diagnostics"));
    json_decref(params);
    return list;
}

static bool same_position(json_t *p, struct text_pos want)
{
    return json_integer_value(json_object_get(p, "line")) == want.line &&
           json_integer_value(json_object_get(p, "character")) == want.character;
}

/* One finding of lint against the server's diagnostic; false (and says why) when they differ. */
static bool same_finding(const struct lsp_text *t, json_t *want, json_t *got, const char *path)
{
    unsigned line = (unsigned)json_integer_value(json_object_get(want, "line"));
    unsigned end_line = (unsigned)json_integer_value(json_object_get(want, "end_line"));
    struct text_pos start = text_from_gatehop(
        t, line, (unsigned)json_integer_value(json_object_get(want, "column")), ENC_UTF16);
    struct text_pos end =
        end_line
            ? text_from_gatehop(t, end_line,
                                (unsigned)json_integer_value(json_object_get(want, "end_column")),
                                ENC_UTF16)
            : start;
    json_t *range = json_object_get(got, "range");
    int severity = (int)json_integer_value(json_object_get(got, "severity"));
    const char *what =
        !json_equal(json_object_get(want, "code"), json_object_get(got, "code"))         ? "code"
        : !json_equal(json_object_get(want, "message"), json_object_get(got, "message")) ? "message"
        : !json_equal(json_object_get(want, "path"),
                      json_object_get(json_object_get(got, "data"), "path"))
            ? "JSON pointer"
        : severity < 1 || severity > 3 ||
                strcmp(severities[severity], json_string_value(json_object_get(want, "severity")))
            ? "severity"
        : !same_position(json_object_get(range, "start"), start) ? "start"
        : end.line < start.line || !same_position(json_object_get(range, "end"), end)
            ? (end.line < start.line ? NULL : "end")
            : NULL;
    if (what)
        fprintf(stderr, "%s:%u: %s %s differs\n", path, line,
                json_string_value(json_object_get(want, "code")), what);
    return !what;
}

/* Whether lint recognised the file as a gateway configuration it checks. */
static bool recognised(json_t *report)
{
    const char *product = json_string_value(
        json_object_get(json_array_get(json_object_get(report, "files"), 0), "product"));
    return product && strcmp(product, "unknown") != 0;
}

static bool compare(struct lsp_client *c, const char *gatehop, const char *path, int version)
{
    size_t len = 0;
    char *text = client_read_file(path, &len);
    json_t *utf8 = text ? json_stringn(text, len) : NULL;
    if (text && !utf8) { /* an editor sends such a file decoded: lint's HOP1008 cannot stand */
        printf("%s: not UTF-8, not compared\n", path);
        free(text);
        return true;
    }
    json_decref(utf8);
    json_t *report = text ? lint_json(gatehop, path) : NULL;
    char uri[PATH_MAX + 16];
    snprintf(uri, sizeof(uri), "file://%s", path);
    json_t *open =
        json_pack("{s:s, s:s, s:{s:{s:s, s:s, s:i, s:s%}}}", "jsonrpc", "2.0", "method",
                  "textDocument/didOpen", "params", "textDocument", "uri", uri, "languageId",
                  "yaml", "version", version, "text", text ? text : "", len);
    bool ok = report && open && !client_send(c, open);
    json_decref(open);
    json_t *got = ok ? published(c, uri) : NULL;
    json_t *want = recognised(report) ? json_object_get(report, "diagnostics") : NULL;
    size_t nwant = want ? json_array_size(want) : 0;
    if (!got || json_array_size(got) != nwant) {
        fprintf(stderr, "%s: lint reports %zu findings, the server %zu\n", path, nwant,
                got ? json_array_size(got) : 0);
        ok = false;
    }
    struct lsp_text t;
    text_init(&t);
    text_set(&t, text ? text : "", text ? len : 0);
    for (size_t i = 0; ok && i < nwant; i++)
        ok = same_finding(&t, json_array_get(want, i), json_array_get(got, i), path);
    text_release(&t);
    json_decref(got);
    json_decref(report);
    free(text);
    return ok;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: lsp_vs_lint GATEHOP FILE...\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    char gatehop[PATH_MAX];
    struct lsp_client c;
    if (!realpath(argv[1], gatehop) || client_start(&c, gatehop, "/")) {
        fprintf(stderr, "lsp_vs_lint: cannot start %s\n", argv[1]);
        return 2;
    }
    json_t *init = json_pack("{s:s, s:i, s:s, s:{s:{}}}", "jsonrpc", "2.0", "id", 1, "method",
                             "initialize", "params", "capabilities");
    client_send(&c, init);
    json_decref(init);
    int failures = 0, files = 0;
    for (int i = 2; i < argc; i++) {
        char path[PATH_MAX];
        if (!realpath(argv[i], path)) {
            fprintf(stderr, "lsp_vs_lint: no file %s\n", argv[i]);
            return 2;
        }
        files++;
        failures += !compare(&c, gatehop, path, i);
    }
    client_stop(&c);
    printf("lsp_vs_lint: %d files, %d differ\n", files, failures);
    return failures ? 1 : 0;
}
