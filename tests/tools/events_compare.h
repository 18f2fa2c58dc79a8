/*
 * Whether a fast reader's event is libyaml's: type, start and end marks, scalar values, styles
 * and flags, anchors and tags. Shared by the JSON reader's and the block reader's comparisons
 * (json_events_compare.h, block_events_compare.h).
 */
#ifndef EVENTS_COMPARE_H
#define EVENTS_COMPARE_H

#include <stdbool.h>
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

#endif
