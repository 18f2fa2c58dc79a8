/*
 * An input file read once, front to back, in chunks: the reader never holds a whole file,
 * except a small one (SOURCE_SMALL bytes at most), read whole when opened and handed out from
 * memory: a run over thousands of small files makes four system calls per file, not six (no
 * read of the end apart, no read that only finds the end).
 *
 * Standard input, and any path that is not a regular file (a pipe, /dev/stdin), is copied to
 * an anonymous temporary file first, so that later passes (a pre-scan, the source lines of
 * excerpts, the end marker) can read it again like any file.
 *
 * While bytes flow through source_read(), the source notes what a YAML parser hides: a byte
 * order mark, the line endings in use, and the last bytes of the file (APISIX's "#END").
 */
#ifndef SOURCE_H
#define SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "gatehop.h"

#define SOURCE_TAIL  64
#define SOURCE_SMALL (64 * 1024)

struct source_stats {
    uint64_t bytes;
    uint64_t crlf_count, lf_count;           /* line breaks, by kind (a lone CR counts as LF) */
    uint32_t first_crlf_line, first_lf_line; /* 1-based, 0 when none */
    bool bom;
    bool nul;         /* a NUL byte was seen */
    bool placeholder; /* "${{" was seen: template placeholders may stand anywhere */
    bool dollar;      /* a '$' was seen: shell-style placeholders may stand anywhere */
    bool marker;      /* "gatehop:" was seen: the text may hold suppression comments */
    /* The first byte that is not blank (nor a byte order mark); 0 until one is seen. A '{' or
     * '[' there opens a JSON document, whatever the file is named. */
    unsigned char opening;
    /* With source_watch_json(): the first thing a strict JSON parser rejects that YAML
     * accepts (a trailing comma, a comment), or NULL. */
    const char *json_problem;
    uint32_t json_line, json_column;
};

/* JSON lexing state, kept across chunks. */
struct json_watch {
    bool on, in_string, escape, comma, slash;
    uint32_t comma_line, comma_column;
    uint32_t line, column; /* of the next byte, 1-based; columns count characters */
};

struct source {
    char *name; /* for reports */
    char *path; /* NULL for a spooled stream (standard input, a pipe) */
    FILE *fp;
    FILE *spool;     /* standard input's copy */
    uint64_t size;   /* bytes in the input when opened (0 when unknown) */
    bool end_marker; /* the input ends with "#END": read from its end once, when opened */
    struct source_stats stats;
    uint32_t line; /* line of the next byte, 1-based */
    int last_byte; /* -1 at the start */
    unsigned char tail[SOURCE_TAIL];
    size_t tail_len;
    /* A small file's bytes, read when it was opened; handed out by source_read() and freed
     * once all given. whole: they are all the file has (the read stopped short of asking). */
    struct {
        unsigned char *bytes;
        size_t len, given;
        bool whole;
    } early;
    struct json_watch json;
};

/* Opens a file, or standard input for "-"; on failure nothing is left to close. */
int source_open(struct source *src, const char *path, const char *display_name, gh_error *err);
/* Text held in memory, read as a file named `name` (copied: text may go once this returns). */
int source_open_text(struct source *src, const char *text, size_t len, const char *name,
                     gh_error *err);
void source_close(struct source *src);
/* Gives up the read handle of a file once it has been read to its end, so that thousands of
 * open results do not hold thousands of descriptors; later passes reopen it by path. A spooled
 * stream keeps its spool. */
void source_done_reading(struct source *src);
/* Reads the input again from its first byte, as if just opened (a second pass over it). */
int source_rewind(struct source *src, gh_error *err);
/* A second, independent reader of the same input, from its first byte; cleans up on failure. */
int source_open_copy(const struct source *src, struct source *copy, gh_error *err);
/* Also lexes the bytes as JSON and notes the first trailing comma or comment. */
void source_watch_json(struct source *src);
/* Reads up to size bytes; returns the count, 0 at the end, -1 on an I/O error. */
long source_read(struct source *src, unsigned char *buffer, size_t size);
/* Reads up to n bytes at a byte offset from a separate handle; returns how many it read. */
size_t source_bytes_at(const struct source *src, uint64_t offset, unsigned char *out, size_t n);
/* True when the file's last non-blank text is "#END" (APISIX standalone); read from its end
 * when the source was opened, not from a second handle per call (thousands of small files). */
bool source_has_end_marker(const struct source *src);

/*
 * Reads the given lines (sorted, 1-based, may repeat) from a separate handle and hands each to
 * fn without its line break. A line longer than max_len is cut. Returns 0 or -1 on I/O error.
 */
typedef void (*source_line_fn)(void *ctx, uint32_t line, const char *text, size_t len);
int source_fetch_lines(const struct source *src, const uint32_t *lines, size_t count,
                       size_t max_len, source_line_fn fn, void *ctx);
/* Hands every line to fn, in order, without its line break; lines longer than max_len are
 * cut. Returns 0 or -1 on an I/O error. */
int source_each_line(const struct source *src, size_t max_len, source_line_fn fn, void *ctx);
/* Line and column (1-based, characters) of a byte offset, by reading the file again. */
int source_locate_offset(const struct source *src, uint64_t offset, uint32_t *line,
                         uint32_t *column);

#endif
