/*
 * libFuzzer target for the whole lint: detection, the schema checks, references and reports,
 * through the public API, on any bytes. The input goes through a file because the API reads
 * files, as the tool does; it is linted as whatever it is detected as, as Kong 2.8, as Kong
 * 3.4 named .json, and as APISIX 2.15 (tinyyaml's typing of values, the Lua checks of the
 * plugin schemas); the text and JSON reports are written to /dev/null.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "gatehop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static gh_engine *engine;
static FILE *sink;

static void lint(const char *path, const char *display, const char *from)
{
    gh_lint_options o = {0};
    o.from = from;
    o.display_name = display;
    o.max_findings = 200;
    gh_error err = {0};
    gh_result *r = NULL;
    if (gh_lint_path(engine, path, &o, &r, &err) == 0) {
        gh_report_options ro = {false, true};
        gh_report_write(sink, GH_FORMAT_TEXT, &r, 1, &ro, &err);
        gh_report_write(sink, GH_FORMAT_JSON, &r, 1, &ro, &err);
        gh_result_free(r);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    if (!engine) {
        gh_error err = {0};
        engine = gh_engine_new(NULL, &err);
        sink = fopen("/dev/null", "w");
        snprintf(path, sizeof(path), "/tmp/gatehop-fuzz-%ld.yaml", (long)getpid());
        if (!engine || !sink)
            abort();
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    lint(path, "input.yaml", NULL);
    lint(path, "input.yaml", "kong@2.8");
    lint(path, "input.json", "kong@3.4");
    lint(path, "apisix.yaml", "apisix@2.15");
    return 0;
}
