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

/*
 * 0: the JSON reader refuses the bytes (*accepted false) or gives libyaml's events exactly;
 * 1: they differ, said on stderr with name; -1: out of memory.
 */
static int compare_json_events(const char *name, const unsigned char *data, size_t len,
                               bool *accepted)
{
    struct json_memory in = {(const char *)data, len, 0};
    int ok = json_events_check(json_memory_read, &in, 100);
    *accepted = ok == 1;
    if (ok < 0 && ok != JSON_REFUSED)
        return -1;
    if (ok != 1)
        return 0;
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return -1;
    yaml_parser_set_input_string(&parser, data, len);
    struct json_memory again = {(const char *)data, len, 0};
    struct json_events *j = json_events_new(json_memory_read, &again);
    int rc = j ? 0 : -1;
    for (size_t n = 0; rc == 0; n++) {
        yaml_event_t y, e;
        if (!yaml_parser_parse(&parser, &y)) {
            fprintf(stderr, "%s: event %zu: libyaml refuses what the JSON reader accepted: %s\n",
                    name, n, parser.problem ? parser.problem : "?");
            rc = 1;
            break;
        }
        enum json_status st = json_events_next(j, &e);
        const char *diff = st != JSON_EVENT ? "the JSON reader stopped" : event_difference(&y, &e);
        if (diff) {
            fprintf(stderr,
                    "%s: event %zu (libyaml type %d at %zu:%zu+%zu, ends %zu:%zu+%zu): %s differs "
                    "(JSON reader: type %d at %zu:%zu+%zu, ends %zu:%zu+%zu)\n",
                    name, n, (int)y.type, y.start_mark.line, y.start_mark.column,
                    y.start_mark.index, y.end_mark.line, y.end_mark.column, y.end_mark.index, diff,
                    st == JSON_EVENT ? (int)e.type : -1, e.start_mark.line, e.start_mark.column,
                    e.start_mark.index, e.end_mark.line, e.end_mark.column, e.end_mark.index);
            rc = 1;
        }
        bool end = y.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&y);
        if (end)
            break;
    }
    json_events_free(j);
    yaml_parser_delete(&parser);
    return rc;
}

#endif
