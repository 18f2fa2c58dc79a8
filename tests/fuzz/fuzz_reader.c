/*
 * libFuzzer target for the reader: any bytes, read entry by entry with the default limits.
 * Build with -DGATEHOP_FUZZ=ON and CC=clang; seeds are corpus/ and tests/fuzz/seeds/.
 */
#include <stddef.h>
#include <stdint.h>

#include "reader/reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct diag_sink sink;
    diag_sink_init(&sink, 1000);
    struct reader_options opt;
    reader_options_default(&opt);
    opt.limits.max_item_nodes = 100000;
    opt.limits.max_alias_nodes = 100000;
    struct reader r;
    gh_error err = {0};
    if (reader_open_memory(&r, (const char *)data, size, &opt, &sink, &err) == 0) {
        struct reader_entry e;
        while (reader_next(&r, &e, &err) == 0 && e.kind != ENTRY_END)
            ;
    }
    reader_close(&r);
    diag_sink_release(&sink);
    return 0;
}
