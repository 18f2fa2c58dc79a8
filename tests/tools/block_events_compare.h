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

static int block_next(void *reader, yaml_event_t *ev)
{
    return (int)block_events_next(reader, ev);
}

/* compare_fast_events() for the block reader. */
static int compare_block_events(const char *name, const unsigned char *data, size_t len,
                                bool *whole, uint64_t *given, size_t *line)
{
    struct block_memory in = {data, len, 0};
    struct block_events *b = block_events_new(block_memory_read, &in, 100);
    if (!b)
        return -1;
    int rc =
        compare_fast_events(name, "block reader", data, len, block_next, b, whole, given, line);
    block_events_free(b);
    return rc;
}

#endif
