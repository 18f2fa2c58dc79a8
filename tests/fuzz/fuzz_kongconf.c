/*
 * libFuzzer target for kong.conf and KONG_* environment files (kongconf.h): the text read as
 * both, and checked as the newest release and as a 2.8 -> 3.6 upgrade. Seeds: the corpus and
 * tests/fuzz/seeds (which hold kong.conf and .env files).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "kongconf/kongconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct kconf_kb *kb; /* loaded once: it lives as long as the process */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gh_error err = {0};
    if (!kb && kconf_kb_load(&kb, &err) < 0)
        abort();
    struct version newest = kconf_kb_newest(kb);
    struct version from = {{2, 8}, 2}, to = {{3, 6}, 2};
    from = kconf_kb_resolve(kb, &from);
    to = kconf_kb_resolve(kb, &to);
    for (int env = 0; env < 2; env++) {
        struct diag_sink sink;
        diag_sink_init(&sink, 1000);
        struct kconf_input in;
        if (kconf_parse((const char *)data, size, env, &in, &sink) == 0) {
            kconf_check(kb, &in, &newest, NULL, &sink);
            kconf_check(kb, &in, &from, &to, &sink);
            kconf_input_release(&in);
        }
        diag_sink_release(&sink);
    }
    return 0;
}
