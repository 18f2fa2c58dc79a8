/*
 * Whether a fast reader's event is libyaml's: type, start and end marks, scalar values, styles
 * and flags, anchors and tags. Shared by the JSON reader's and the block reader's comparisons
 * (json_events_compare.h, block_events_compare.h).
 */
#ifndef EVENTS_COMPARE_H
#define EVENTS_COMPARE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

static bool same_mark(const yaml_mark_t *a, const yaml_mark_t *b)
{
    return a->index == b->index && a->line == b->line && a->column == b->column;
}

/* What differs between libyaml's event y and a fast reader's j, or NULL. */
static const char *event_difference(const yaml_event_t *y, const yaml_event_t *j)
{
    if (y->type != j->type)
        return "event type";
    if (!same_mark(&y->start_mark, &j->start_mark))
        return "start mark";
    if (!same_mark(&y->end_mark, &j->end_mark))
        return "end mark";
    switch (y->type) {
    case YAML_SCALAR_EVENT:
        if (y->data.scalar.anchor || y->data.scalar.tag || j->data.scalar.anchor ||
            j->data.scalar.tag)
            return "scalar anchor or tag";
        if (y->data.scalar.length != j->data.scalar.length ||
            memcmp(y->data.scalar.value, j->data.scalar.value, y->data.scalar.length))
            return "scalar value";
        if (y->data.scalar.style != j->data.scalar.style ||
            y->data.scalar.plain_implicit != j->data.scalar.plain_implicit ||
            y->data.scalar.quoted_implicit != j->data.scalar.quoted_implicit)
            return "scalar style";
        return NULL;
    case YAML_MAPPING_START_EVENT:
        if (y->data.mapping_start.anchor || y->data.mapping_start.tag ||
            y->data.mapping_start.implicit != j->data.mapping_start.implicit ||
            y->data.mapping_start.style != j->data.mapping_start.style)
            return "mapping start";
        return NULL;
    case YAML_SEQUENCE_START_EVENT:
        if (y->data.sequence_start.anchor || y->data.sequence_start.tag ||
            y->data.sequence_start.implicit != j->data.sequence_start.implicit ||
            y->data.sequence_start.style != j->data.sequence_start.style)
            return "sequence start";
        return NULL;
    case YAML_DOCUMENT_START_EVENT:
        if (y->data.document_start.version_directive ||
            y->data.document_start.tag_directives.start !=
                y->data.document_start.tag_directives.end ||
            y->data.document_start.implicit != j->data.document_start.implicit)
            return "document start";
        return NULL;
    case YAML_DOCUMENT_END_EVENT:
        return y->data.document_end.implicit != j->data.document_end.implicit ? "document end"
                                                                              : NULL;
    default:
        return NULL;
    }
}

/* A fast reader's next event: 1 an event, 0 it hands over to libyaml, <0 out of memory. */
typedef int (*fast_next_fn)(void *reader, yaml_event_t *ev);

/*
 * Reads data with a fast reader (who names it) and with libyaml, and compares every event the
 * fast reader hands out with libyaml's, up to where it hands over: libyaml must give each of
 * them, in order, before any error of its own. 0: they are libyaml's (*whole: the fast reader
 * gave all of them, to the stream's end; *given: how many; *line: the 1-based line of the last
 * one); 1: they differ, said on stderr with name; -1: out of memory.
 */
static int compare_fast_events(const char *name, const char *who, const unsigned char *data,
                               size_t len, fast_next_fn next, void *reader, bool *whole,
                               uint64_t *given, size_t *line)
{
    *whole = false;
    *given = 0;
    *line = 0;
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return -1;
    yaml_parser_set_input_string(&parser, data, len);
    int rc = 0;
    for (size_t n = 0; rc == 0; n++) {
        yaml_event_t y, e;
        int st = next(reader, &e);
        if (st < 0)
            rc = -1;
        if (st != 1)
            break;
        *given = n + 1;
        *line = e.start_mark.line + 1;
        if (!yaml_parser_parse(&parser, &y)) {
            fprintf(stderr,
                    "%s: event %zu: libyaml fails (%s at %zu:%zu) where the %s gave type %d at "
                    "%zu:%zu\n",
                    name, n, parser.problem ? parser.problem : "?", parser.problem_mark.line,
                    parser.problem_mark.column, who, (int)e.type, e.start_mark.line,
                    e.start_mark.column);
            rc = 1;
            break;
        }
        const char *diff = event_difference(&y, &e);
        if (diff) {
            fprintf(stderr,
                    "%s: event %zu (libyaml type %d at %zu:%zu+%zu, ends %zu:%zu+%zu): %s differs "
                    "(%s: type %d at %zu:%zu+%zu, ends %zu:%zu+%zu)\n",
                    name, n, (int)y.type, y.start_mark.line, y.start_mark.column,
                    y.start_mark.index, y.end_mark.line, y.end_mark.column, y.end_mark.index, diff,
                    who, (int)e.type, e.start_mark.line, e.start_mark.column, e.start_mark.index,
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
    yaml_parser_delete(&parser);
    return rc;
}

#endif
