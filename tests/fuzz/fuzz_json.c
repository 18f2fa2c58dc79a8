/*
 * libFuzzer target for the JSON reader (src/reader/reader_json.h): any bytes it accepts must
 * give libyaml's events exactly (tests/tools/json_events_compare.h), and the reader must hand
 * out the same entries and findings on both paths. Build with -DGATEHOP_FUZZ=ON and CC=clang;
 * seeds are corpus/ and tests/fuzz/seeds/.
 */
#include <stdint.h>
#include <stdlib.h>

#include "../tools/json_events_compare.h"
#include "diag/diag.h"
#include "util/util_buf.h"
#include "reader/reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The findings of one strict JSON reading, as text, with the entries' kinds and spans. */
static void read_all(const uint8_t *data, size_t size, struct buf *out)
{
    struct diag_sink sink;
    diag_sink_init(&sink, 1000);
    struct reader_options opt;
    reader_options_default(&opt);
    opt.json_strict = true;
    opt.limits.max_item_nodes = 100000;
    struct reader r;
    gh_error err = {0};
    if (reader_open_memory(&r, (const char *)data, size, &opt, &sink, &err) == 0) {
        struct reader_entry e;
        int rc;
        while ((rc = reader_next(&r, &e, &err)) == 0 && e.kind != ENTRY_END) {
            const struct node *n = e.value ? e.value : e.key;
            buf_printf(out, "entry %d %zu %u", (int)e.kind, e.index, e.yaml11);
            if (n)
                buf_printf(out, " %u:%u-%u:%u %u", n->span.line, n->span.column, n->span.end_line,
                           n->span.end_column, n->count);
            buf_putc(out, '\n');
        }
        buf_printf(out, "end %d %d %d\n", rc, e.stopped, reader_incomplete(&r));
    }
    reader_close(&r);
    for (size_t i = 0; i < sink.count; i++) {
        const struct diag *d = &sink.items[i];
        buf_printf(out, "%d %u:%u-%u:%u %s %s\n", (int)d->rule, d->span.line, d->span.column,
                   d->span.end_line, d->span.end_column, d->path ? d->path : "",
                   d->message ? d->message : "");
    }
    diag_sink_release(&sink);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bool accepted;
    if (compare_json_events("input", data, size, &accepted) > 0)
        abort();
    if (!accepted)
        return 0;
    struct buf fast, slow;
    buf_init(&fast, BUF_DEFAULT_MAX);
    buf_init(&slow, BUF_DEFAULT_MAX);
    read_all(data, size, &fast);
    setenv("GATEHOP_JSON_READER", "libyaml", 1);
    read_all(data, size, &slow);
    unsetenv("GATEHOP_JSON_READER");
    if (fast.len != slow.len || memcmp(buf_cstr(&fast), buf_cstr(&slow), fast.len)) {
        fprintf(stderr, "JSON reader:\n%s\nlibyaml:\n%s\n", buf_cstr(&fast), buf_cstr(&slow));
        abort();
    }
    buf_release(&fast);
    buf_release(&slow);
    return 0;
}
