/*
 * Reading a quoted key followed directly by ':' ("127.0.0.1:1980":1), as tinyyaml does.
 *
 * APISIX 2.15 to 3.9 read apisix.yaml with tinyyaml, whose block mappings take a quoted key
 * and a ':' with no space after it; libyaml (Kong, APISIX from 3.10) refuses such a line. The
 * reader reads every file with libyaml first. Only when libyaml refuses one does
 * lenient_probe() look, after the place where reading stopped, for lines that start (after
 * their indentation and any "- ") with such a key, outside block scalars, flow collections and
 * quoted values over several lines as far as a line scanner can tell. It then parses the file
 * once more with a space inserted after each of those colons: the plan is kept only when that
 * reading reaches the end and every space landed right after a quoted key of a block mapping.
 * Otherwise there is no plan, and the file's own error stands.
 *
 * With a plan, the file is read again through lenient_read(), which inserts the spaces while
 * the bytes stream past (the file is never held whole), and every position the parser gives
 * goes through lenient_map() back to the file's own line and column. A line holds at most one
 * such colon, so only the columns after it on its line move, by one.
 *
 * The same plan reads decK templates in double-quoted strings (lenient_quote): the probe also
 * picks the double quotes inside a `${{ ... }}` that stands after an odd number of double quotes
 * on its line, and the check parse must read to the end with them made single quotes.
 *
 * Bounds: the scanner holds one line (at most max_gap bytes, lenient_probe) and the plan at
 * most LENIENT_MAX_COLONS colons; past either there is no plan.
 */
#ifndef READER_LENIENT_H
#define READER_LENIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "source/source.h"
#include "util/util_arena.h"

#define LENIENT_MAX_COLONS 200000

struct lenient_colon {
    uint64_t offset;       /* of the ':' in the file, in bytes */
    uint64_t index;        /* characters before the ':', as libyaml counts them (mark.index) */
    uint32_t line, column; /* of the ':', 1-based; columns count characters */
    const char *key;       /* the key's value, cut at 40 bytes (for the change log) */
    char quote;            /* how the key was quoted: '"' or '\'' */
    bool after_dash;       /* the key follows "- " on its line (a list item's first key) */
};

/*
 * A double quote of a decK template inside a double-quoted string: decK renders `${{ env
 * "DECK_X" }}` in the file's text before it reads the YAML, so `"Bearer ${{ env "DECK_TOKEN"
 * }}"` is a string to decK, and a string that ends too early to libyaml. The reader reads each
 * such quote as a single quote: the same length, so no position moves, and the value is still
 * a placeholder.
 */
struct lenient_quote {
    uint64_t offset;       /* of the '"' in the file, in bytes */
    uint32_t line, column; /* 1-based; columns count characters */
};

/* Sorted by offset, one colon per line at most. */
struct lenient_plan {
    struct lenient_colon *colons;
    size_t count, cap;
    struct lenient_quote *quotes;
    size_t nquotes, quotes_cap;
    struct arena keys;
};

void lenient_plan_free(struct lenient_plan *plan);

/*
 * After libyaml refused the file: the plan that makes it readable, or *out = NULL. The bytes
 * are read again from the start: from src (through a copy of it) or from memory. Only colons
 * from the character `after` on (where the last event libyaml gave starts) are candidates:
 * libyaml stops at the first such colon (an event that ends a list there starts at it), so
 * any before was something else to libyaml. There is no plan past max_depth levels of nesting,
 * or past max_gap bytes in a line or without an event (libyaml would hold them as one value).
 * Returns 0, or GH_ENOMEM.
 */
int lenient_probe(const struct source *src, const char *memory, size_t len, uint64_t after,
                  uint32_t max_depth, uint64_t max_gap, struct lenient_plan **out);

/* Where a list item's first key stands, quoted, on the item's own line with a space after its
 * ':' (`- "id": 2`): 1-based line and column of its opening quote. */
struct lenient_key {
    uint32_t line, column;
};

/*
 * The list items of a file libyaml read whose first key is quoted on the "- " line, a space
 * after its ':' (tinyyaml reads each as the key's text alone: its parseseq takes "- key: ..."
 * for a mapping only when no quote comes before the ':'). The bytes are read again from the
 * start; *out (free it) holds *count positions in file order, none when a line is longer than
 * max_line or the file cannot be read again. Returns 0, or GH_ENOMEM.
 */
int lenient_dash_quoted_keys(const struct source *src, const char *memory, size_t len,
                             uint64_t max_line, struct lenient_key **out, size_t *count);

/* Reads the next bytes of the file from an underlying reader, the plan's spaces inserted and
 * its template quotes made single quotes. */
typedef long (*lenient_read_fn)(void *ctx, unsigned char *buffer, size_t size);
struct lenient_stream {
    const struct lenient_plan *plan;
    size_t next;       /* the next colon to pass */
    size_t next_quote; /* the next template quote to read as a single quote */
    uint64_t offset;   /* bytes of the file read so far */
    bool space_due;    /* the colon was just read: a space comes next */
};

void lenient_stream_init(struct lenient_stream *s, const struct lenient_plan *plan);
/* Like read: the count, 0 at the end, -1 on an error of the underlying reader. */
long lenient_read(struct lenient_stream *s, unsigned char *buffer, size_t size,
                  lenient_read_fn read, void *ctx);

/* A position the parser gave for the patched text (0-based line and column, as libyaml's
 * marks), made a position in the file. */
void lenient_map(const struct lenient_plan *plan, uint32_t line, uint32_t *column);
/* A byte offset in the patched text, made one in the file. */
uint64_t lenient_map_offset(const struct lenient_plan *plan, uint64_t offset);

#endif
