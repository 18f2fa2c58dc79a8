/*
 * libFuzzer target for convert, through the public API, on any bytes: the input is converted
 * to kong 3.4 and to apisix 3.18 (whichever it is) as text patches, as a diff, and re-emitted as
 * YAML and JSON. One oracle: a converted text converts to itself (the converter is
 * idempotent); a difference aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gatehop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static gh_engine *engine;

/* Converts path into a malloc'd buffer; NULL when nothing was written. */
static char *convert(const char *path, const char *to, gh_output output, size_t *len)
{
    gh_convert_options o = {{0}, output};
    o.lint.to = to;
    o.lint.max_findings = 200;
    char *text = NULL;
    FILE *out = open_memstream(&text, len);
    if (!out)
        abort();
    gh_error err = {0};
    gh_result *r = NULL;
    bool written = false;
    if (gh_convert_path(engine, path, &o, out, &written, &r, &err) == 0)
        gh_result_free(r);
    fclose(out);
    if (!written) {
        free(text);
        return NULL;
    }
    return text;
}

static void write_file(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    fwrite(data, 1, size, f);
    fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64], again[64];
    if (!engine) {
        gh_error err = {0};
        engine = gh_engine_new(NULL, &err);
        snprintf(path, sizeof(path), "/tmp/gatehop-fuzz-convert-%ld.yaml", (long)getpid());
        snprintf(again, sizeof(again), "/tmp/gatehop-fuzz-convert-%ld-2.yaml", (long)getpid());
        if (!engine)
            abort();
    }
    write_file(path, data, size);
    static const char *const targets[] = {"kong@3.4", "apisix@3.18"};
    for (size_t t = 0; t < sizeof(targets) / sizeof(targets[0]); t++) {
        size_t len, len2;
        char *first = convert(path, targets[t], GH_OUTPUT_PATCH, &len);
        if (first) {
            write_file(again, first, len);
            char *second = convert(again, targets[t], GH_OUTPUT_PATCH, &len2);
            if (second && (len != len2 || memcmp(first, second, len) != 0))
                abort(); /* not idempotent */
            free(second);
        }
        free(first);
        static const gh_output others[] = {GH_OUTPUT_DIFF, GH_OUTPUT_YAML, GH_OUTPUT_JSON};
        for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
            free(convert(path, targets[t], others[i], &len));
    }
    return 0;
}
