/*
 * Reads bytes with the block reader (src/reader/reader_block.h) and with libyaml and compares
 * every event the block reader hands out with libyaml's, up to where it refuses: libyaml must
 * give each of them, in order, before any error of its own. Shared by tests/tools/yaml_diff.c
 * (files) and tests/fuzz/fuzz_block.c (any bytes).
 */
#ifndef BLOCK_EVENTS_COMPARE_H
#define BLOCK_EVENTS_COMPARE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "events_compare.h"
#include "reader/reader_block.h"

struct block_memory {
    const unsigned char *data;
    size_t len, pos;
};

/* Hands the bytes out in pieces of at most 7 KiB, so that lines cross the reads. */
static long block_memory_read(void *ctx, unsigned char *buffer, size_t size)
{
    struct block_memory *m = ctx;
    size_t n = m->len - m->pos;
    if (n > size)
        n = size;
    if (n > 7 * 1024)
        n = 7 * 1024;
    memcpy(buffer, m->data + m->pos, n);
    m->pos += n;
    return (long)n;
}

/*
 * 0: the block reader's events are libyaml's (*whole: it gave all of them, to the stream's
 * end; *given: how many; *line: the 1-based line of the last one); 1: they differ, said on
 * stderr with name; -1: out of memory.
 */
static int compare_block_events(const char *name, const unsigned char *data, size_t len,
                                bool *whole, uint64_t *given, size_t *line)
{
    *whole = false;
    *given = 0;
    *line = 0;
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return -1;
    yaml_parser_set_input_string(&parser, data, len);
    struct block_memory in = {data, len, 0};
    struct block_events *b = block_events_new(block_memory_read, &in, 100);
    int rc = b ? 0 : -1;
    for (size_t n = 0; rc == 0; n++) {
        yaml_event_t y, e;
        enum block_status st = block_events_next(b, &e);
        if (st == BLOCK_ENOMEM || st == BLOCK_EIO)
            rc = -1;
        if (st != BLOCK_EVENT)
            break;
        *given = n + 1;
        *line = e.start_mark.line + 1;
        if (!yaml_parser_parse(&parser, &y)) {
            fprintf(stderr,
                    "%s: event %zu: libyaml fails (%s at %zu:%zu) where the block reader gave "
                    "type %d at %zu:%zu\n",
                    name, n, parser.problem ? parser.problem : "?", parser.problem_mark.line,
                    parser.problem_mark.column, (int)e.type, e.start_mark.line,
                    e.start_mark.column);
            rc = 1;
            break;
        }
        const char *diff = event_difference(&y, &e);
        if (diff) {
            fprintf(stderr,
                    "%s: event %zu (libyaml type %d at %zu:%zu+%zu, ends %zu:%zu+%zu): %s differs "
                    "(block reader: type %d at %zu:%zu+%zu, ends %zu:%zu+%zu)\n",
                    name, n, (int)y.type, y.start_mark.line, y.start_mark.column,
                    y.start_mark.index, y.end_mark.line, y.end_mark.column, y.end_mark.index, diff,
                    (int)e.type, e.start_mark.line, e.start_mark.column, e.start_mark.index,
                    e.end_mark.line, e.end_mark.column, e.end_mark.index);
            rc = 1;
        }
        bool end = y.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&y);
        if (end) {
            *whole = true;
            break;
        }
    }
    block_events_free(b);
    yaml_parser_delete(&parser);
    return rc;
}

#endif
