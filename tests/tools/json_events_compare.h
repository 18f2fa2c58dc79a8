/*
 * Reads bytes with the JSON reader (src/reader/reader_json.h) and with libyaml and compares
 * every event: type, start and end marks, scalar values, styles and flags, anchors and tags.
 * Shared by tests/tools/json_diff.c (files) and tests/fuzz/fuzz_json.c (any bytes).
 */
#ifndef JSON_EVENTS_COMPARE_H
#define JSON_EVENTS_COMPARE_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "events_compare.h"
#include "reader/reader_json.h"

static int json_next(void *reader, yaml_event_t *ev)
{
    return (int)json_events_next(reader, ev);
}

/*
 * compare_fast_events() for the JSON reader, whose *accepted says it reads the whole input; it
 * must do so exactly when json_events_check() says so. 0: the events it hands out are
 * libyaml's; 1: they differ, said on stderr with name; -1: out of memory.
 */
static int compare_json_events(const char *name, const unsigned char *data, size_t len,
                               bool *accepted)
{
    struct json_memory in = {(const char *)data, len, 0};
    int ok = json_events_check(json_memory_read, &in, 100);
    if (ok < 0 && ok != JSON_REFUSED)
        return -1;
    struct json_memory again = {(const char *)data, len, 0};
    struct json_events *j = json_events_new(json_memory_read, &again, 100);
    if (!j)
        return -1;
    uint64_t given;
    size_t line;
    int rc =
        compare_fast_events(name, "JSON reader", data, len, json_next, j, accepted, &given, &line);
    json_events_free(j);
    if (rc == 0 && *accepted != (ok == 1)) {
        fprintf(stderr, "%s: the JSON reader %s, but its check says %s\n", name,
                *accepted ? "read it whole" : "handed over", ok == 1 ? "it reads it" : "not");
        rc = 1;
    }
    return rc;
}

#endif
