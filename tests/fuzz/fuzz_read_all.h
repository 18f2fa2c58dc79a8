/*
 * One reading of any bytes by the reader, as text: each entry's kind and span, and every
 * finding. The fuzz targets of the fast readers compare it between the fast path and libyaml.
 */
#ifndef FUZZ_READ_ALL_H
#define FUZZ_READ_ALL_H

#include <stdbool.h>
#include <stdint.h>

#include "diag/diag.h"
#include "reader/reader.h"
#include "util/util_buf.h"

/* The entries (kinds, spans) and findings of one reading, as text. */
static void read_all(const uint8_t *data, size_t size, bool json_strict, struct buf *out)
{
    struct diag_sink sink;
    diag_sink_init(&sink, 1000);
    struct reader_options opt;
    reader_options_default(&opt);
    opt.json_strict = json_strict;
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

#endif
