/*
 * A fast reader for the YAML gateway configurations are written in: block mappings and block
 * sequences (indentless ones, "- - a" and "- key: value" too), scalars on one line (plain,
 * single- or double-quoted), literal block scalars ("|", "|-", "|+"), flow sequences and
 * mappings of such scalars on one line, comments, an explicit "---" first, UTF-8 text. It
 * gives the events libyaml gives for the same bytes, with the same marks and values, several
 * times faster, and it reads as it goes: no pass over the input comes first.
 *
 * It hands out an event only when it is sure libyaml gives that event next: once the next line
 * with content has been read (libyaml looks at the next token before it gives a scalar), and
 * 64 KiB past it have been found to hold only characters libyaml's reader takes (it refuses a
 * bad one up to 16 KiB ahead of where it scans). It gives up with BLOCK_REFUSED at anything
 * else: a character libyaml refuses, a tab, a carriage return, NEL, LS, PS or a byte order
 * mark; a plain scalar that goes on to another line, a quoted one or a flow collection over
 * several lines; a folded block scalar, an indentation indicator, a literal block at the very
 * end; an anchor, alias, tag, directive, second document or complex key; a key whose ':' is
 * more than 1000 characters from its start; a line longer than BLOCK_LINE_MAX or a gap between
 * events longer than BLOCK_GAP_MAX characters (libyaml's reader guard decides those); nesting
 * within 3 levels of the depth limit; an empty file.
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
