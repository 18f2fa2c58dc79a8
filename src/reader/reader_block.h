/*
 * A fast reader for the YAML gateway configurations are written in: block mappings and block
 * sequences whose scalars each sit on one line (plain, single- or double-quoted), flow
 * sequences of such scalars on one line, and empty flow collections. It gives the events
 * libyaml gives for the same bytes, with the same marks and values, several times faster, and
 * it reads as it goes: no pass over the input comes first.
 *
 * It hands out an event only when it is sure libyaml gives that event next, and gives up with
 * BLOCK_REFUSED at anything else: a character that is not printable ASCII (libyaml checks every
 * character it decodes, up to 16 KiB ahead of where it scans, so an event is held until 64 KiB
 * past the line after it have been read clean); a scalar that goes on to another line; a block
 * scalar, anchor, alias, tag, directive, second document, complex key, flow mapping with
 * content, nested or multi-line flow collection; a tab anywhere; a key whose ':' is more than
 * 1000 characters from its start; a line longer than BLOCK_LINE_MAX or a gap between events
 * longer than BLOCK_GAP_MAX (libyaml's reader guard decides those); nesting within 3 levels of
 * the depth limit; an empty file.
 *
 * After BLOCK_REFUSED the caller reads the input again with libyaml from its first byte and
 * drops the first block_events_given() events, which are libyaml's own: a refused file costs
 * a second reading of its start, never a different event.
 *
 * Events are filled like libyaml's but own nothing: a scalar's value lives in the reader's
 * buffers until the next call; never pass them to yaml_event_delete().
 */
#ifndef READER_BLOCK_H
#define READER_BLOCK_H

#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#define BLOCK_LINE_MAX (256 * 1024)
#define BLOCK_GAP_MAX  (1024 * 1024)

/* Reads up to size bytes; returns the count, 0 at the end, -1 on an I/O error. */
typedef long (*block_read_fn)(void *ctx, unsigned char *buffer, size_t size);

enum block_status {
    BLOCK_EVENT = 1,   /* *ev is the next event */
    BLOCK_REFUSED = 0, /* from here on, libyaml must read the input (see above) */
    BLOCK_EIO = -1,    /* read failed */
    BLOCK_ENOMEM = -2
};

struct block_events;

/* max_depth: the reader's nesting limit (0: none). */
struct block_events *block_events_new(block_read_fn read, void *ctx, uint32_t max_depth);
enum block_status block_events_next(struct block_events *b, yaml_event_t *ev);
/* How many events block_events_next() has handed out. */
uint64_t block_events_given(const struct block_events *b);
void block_events_free(struct block_events *b);

#endif
