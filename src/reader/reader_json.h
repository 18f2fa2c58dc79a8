/*
 * A fast reader for strict JSON: the events libyaml gives for the same bytes, with the same
 * marks (line, column, character index), the same scalar styles and values, several times
 * faster than libyaml's scanner.
 *
 * It reads only what it reads exactly as libyaml does, and gives up with JSON_REFUSED at
 * anything else; the caller then reads the input again with libyaml from its first byte and
 * drops the first json_events_given() events, which are libyaml's own (an event is handed out
 * only once the reader has read the next one and 64 KiB past it, so libyaml gives it before
 * any error of its own). json_events_check() reads the whole input once and says whether all
 * of it is such JSON (the tests' measure of what the reader takes). Left to libyaml: a root
 * that is not an object or array; anything that is not strict JSON; invalid UTF-8, control
 * characters, or characters libyaml refuses or reads as line breaks (NEL, U+2028, U+2029); \u
 * escapes of surrogates (libyaml refuses them) or of '$', '{' and '}' (a placeholder written so
 * is not seen by the source's byte scan at the same moment on both paths); a key whose ':' is
 * on another line or more than 1024 characters from its start (no longer a key to libyaml); a
 * token or run of blanks longer than JSON_TOKEN_MAX (libyaml's reader guard may stop such a
 * file); a tab outside the root value; nesting within 3 levels of the depth limit (the reader
 * stops there, at a read position only libyaml's buffering decides).
 *
 * The reader reads .json files, and also YAML files whose text opens with '{' or '[' (JSON read
 * as YAML, as from standard input): libyaml gives JSON the same events whatever the file's name
 * (reader.c, json_instead_of_block()).
 *
 * Events are filled like libyaml's but own nothing: a scalar's value points into the reader's
 * buffers and is valid until the next call; never pass them to yaml_event_delete().
 */
#ifndef READER_JSON_H
#define READER_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#define JSON_TOKEN_MAX (512 * 1024)

/* Reads up to size bytes; returns the count, 0 at the end, -1 on an I/O error. */
typedef long (*json_read_fn)(void *ctx, unsigned char *buffer, size_t size);

enum json_status {
    JSON_EVENT = 1,   /* *ev is the next event */
    JSON_REFUSED = 0, /* the input is not what this reader reads (see above) */
    JSON_EIO = -1,    /* read failed */
    JSON_ENOMEM = -2
};

/* A JSON number, all of s[0..n) (RFC 8259's grammar). */
bool json_number(const char *s, size_t n);

/* Input from memory, for json_read_fn: ctx is a struct json_memory. */
struct json_memory {
    const char *data;
    size_t len, pos;
};
long json_memory_read(void *ctx, unsigned char *buffer, size_t size);

struct json_events;

/* 1: the whole input is read by this reader exactly as by libyaml; 0: not; <0: json_status. */
int json_events_check(json_read_fn read, void *ctx, uint32_t max_depth);

/* max_depth: the reader's nesting limit (0: none). */
struct json_events *json_events_new(json_read_fn read, void *ctx, uint32_t max_depth);
/* The next event; JSON_REFUSED: from here on, libyaml must read the input (see above). */
enum json_status json_events_next(struct json_events *j, yaml_event_t *ev);
/* How many events json_events_next() has handed out. */
uint64_t json_events_given(const struct json_events *j);
void json_events_free(struct json_events *j);

#endif
