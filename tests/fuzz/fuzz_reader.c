/*
 * libFuzzer target for the reader: any bytes, read entry by entry with the default limits.
 * A file libyaml refuses that reads with a space after quoted keys' colons (reader_lenient.h)
 * is read a second time so, as the checks read it. Build with -DGATEHOP_FUZZ=ON and
 * CC=clang; seeds are corpus/ and tests/fuzz/seeds/.
 */
#include <stddef.h>
#include <stdint.h>

#include "reader/reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One reading; returns the plan a refused file reads with, or NULL. */
static struct lenient_plan *read_all(const uint8_t *data, size_t size,
                                     const struct lenient_plan *plan)
{
    struct diag_sink sink;
    diag_sink_init(&sink, 1000);
    struct reader_options opt;
    reader_options_default(&opt);
    opt.limits.max_item_nodes = 100000;
    opt.limits.max_alias_nodes = 100000;
    opt.lenient = plan;
    opt.lenient_probe = !plan;
    struct reader r;
    gh_error err = {0};
    struct lenient_plan *found = NULL;
    if (reader_open_memory(&r, (const char *)data, size, &opt, &sink, &err) == 0) {
        struct reader_entry e;
        while (reader_next(&r, &e, &err) == 0 && e.kind != ENTRY_END)
            ;
        found = reader_take_lenient(&r);
    }
    reader_close(&r);
    diag_sink_release(&sink);
    return found;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct lenient_plan *plan = read_all(data, size, NULL);
    if (plan)
        lenient_plan_free(read_all(data, size, plan));
    lenient_plan_free(plan);
    return 0;
}
