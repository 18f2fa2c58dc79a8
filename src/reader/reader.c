#include "reader.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "model/model_path.h"
#include "model/model_scalar.h"
#include "reader_block.h"
#include "reader_json.h"
#include "reader_lenient.h"
#include "util/util_array.h"
#include "util/util_error.h"
#include "util/util_strmap.h"

/* A container being built: its children sit in the scratch stack from `base` on. */
struct frame {
    uint8_t kind;
    uint8_t style;
    struct span start;
    size_t base;
    size_t skipped;  /* children not built (past the node limit): they still count as keys */
    uint64_t weight; /* values below, aliases expanded */
    char *anchor;
};

struct anchor {
    struct node *node;
    uint64_t weight;
};

enum state {
    ST_START,
    ST_TOP,
    ST_LIST,
    ST_BUFFERED_LIST,
    ST_AFTER_ROOT,
    ST_DOC_END,
    ST_FINISH,
    ST_DONE
};

enum step { STEP_OK = 0, STEP_STOP = 1 }; /* STOP: a finding ended the read */

#define GUARD_LOOK_AFTER (1u << 20) /* raw bytes without an event before lines are classified */

struct reader_impl {
    yaml_parser_t parser;
    bool parser_ready;
    struct json_events *json; /* strict JSON read without libyaml (reader_json.h), or NULL */
    /* Block YAML read without libyaml until it meets what only libyaml reads (reader_block.h),
     * or NULL */
    struct block_events *block;
    struct source *src;
    const char *memory;
    size_t memory_len, memory_pos;
    struct diag_sink *sink;
    struct reader_options opt;
    struct arena doc, own_item;
    struct arena *item; /* where the next item is built: own_item, or one the caller lends */

    struct frame *frames;
    size_t nframes, frames_cap;
    struct node **scratch;
    size_t nscratch, scratch_cap;
    uint64_t built_nodes;     /* nodes made for the value being built */
    uint32_t yaml11_seen;     /* NODE_YAML11 scalars made for the entry being read */
    uint32_t buffered_yaml11; /* ... for the whole of a buffered list */
    struct reader_yaml_uses uses;
    uint64_t alias_weight; /* values reached through aliases in it */
    bool skipping;         /* over the node limit: consume without building */
    uint32_t base_depth;   /* containers above the value being built (the root mapping, a list) */

    struct strmap anchor_names; /* name -> index in anchors (value.extra) */
    struct anchor *anchors;
    size_t nanchors, anchors_cap;
    uint64_t anchored_nodes;

    enum state state;
    const struct node *list_key;
    const struct node *buffered_list;
    size_t list_index;
    struct strmap top_keys;

    yaml_event_t event;
    bool have_event;
    struct span last_span;      /* of the last event read, for findings without a better place */
    uint64_t bytes_since_event; /* of content lines, counted once raw_since_event is large */
    uint64_t raw_since_event;
    uint64_t guard_limit;
    enum { LINE_START, LINE_COMMENT, LINE_CONTENT } line_state;
    bool guard_tripped, io_failed;
    bool incomplete, json_reported, empty;

    uint64_t last_event_index;    /* where the last event began, in characters */
    struct lenient_stream stream; /* opt.lenient: the spaces it inserts as bytes pass */
    struct lenient_plan *found;   /* opt.lenient_probe: what makes a refused file readable */
};

void reader_limits_default(struct reader_limits *limits)
{
    limits->max_depth = 100;
    limits->max_item_nodes = 2000000;
    limits->max_value_bytes = 4 * 1024 * 1024;
    limits->max_alias_nodes = 1000000;
}

void reader_options_default(struct reader_options *options)
{
    reader_limits_default(&options->limits);
    options->json_strict = false;
    options->meta_only = false;
    options->lenient_probe = false;
    options->lenient = NULL;
}

/* ---- positions and paths ---------------------------------------------------------------- */

/*
 * A libyaml mark as a position in the file: 1-based, and, when the file is read with spaces
 * inserted after quoted keys (reader_lenient.h), moved back past them. Every position the
 * reader hands out comes through here.
 */
static void position(const struct reader_impl *R, const yaml_mark_t *m, uint32_t *line,
                     uint32_t *column)
{
    uint32_t c = (uint32_t)m->column;
    if (R->opt.lenient)
        lenient_map(R->opt.lenient, (uint32_t)m->line, &c);
    *line = (uint32_t)m->line + 1;
    *column = c + 1;
}

static struct span span_of(const struct reader_impl *R, const yaml_event_t *ev)
{
    struct span s;
    position(R, &ev->start_mark, &s.line, &s.column);
    position(R, &ev->end_mark, &s.end_line, &s.end_column);
    return s;
}

/* The path of the value being built, for findings the reader makes. */
static void current_path(const struct reader_impl *R, struct path *p)
{
    path_init(p);
    if (R->list_key && R->list_key->kind == NODE_SCALAR)
        path_push_key(p, R->list_key->u.text, R->list_key->count);
    if (R->state == ST_LIST || R->state == ST_BUFFERED_LIST)
        path_push_index(p, R->list_index);
    for (size_t i = 0; i < R->nframes; i++) {
        size_t end = i + 1 < R->nframes ? R->frames[i + 1].base : R->nscratch;
        size_t children = end - R->frames[i].base;
        if (R->frames[i].kind == NODE_SEQUENCE) {
            path_push_index(p, children);
        } else if (children % 2 == 1) {
            const struct node *key = R->scratch[end - 1];
            if (key && key->kind == NODE_SCALAR)
                path_push_key(p, key->u.text, key->count);
        }
    }
}

static void report(struct reader_impl *R, enum rule_id rule, int severity, const struct span *span,
                   const char *fmt, ...) GH_PRINTF(5, 6);

static void report(struct reader_impl *R, enum rule_id rule, int severity, const struct span *span,
                   const char *fmt, ...)
{
    struct path p;
    current_path(R, &p);
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    diag_add(R->sink, rule, severity, span, path_text(&p), NULL, "%s", msg);
}

/* ---- events ------------------------------------------------------------------------------- */

/*
 * Bytes of lines that are not blank or comments: what libyaml may be holding as one value.
 * Only looked at once a lot of input has passed without an event, so it costs nothing on
 * ordinary files.
 */
static uint64_t content_bytes(struct reader_impl *R, const unsigned char *p, size_t n)
{
    uint64_t count = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = p[i];
        if (c == '\n' || c == '\r') {
            R->line_state = LINE_START;
            continue;
        }
        if (R->line_state == LINE_START && (c == ' ' || c == '\t'))
            continue;
        if (R->line_state == LINE_START)
            R->line_state = c == '#' ? LINE_COMMENT : LINE_CONTENT;
        if (R->line_state == LINE_CONTENT)
            count++;
    }
    return count;
}

/* The input's own bytes: the source, or (read with spaces inserted) the memory given. */
static long raw_read(void *data, unsigned char *buffer, size_t size)
{
    struct reader_impl *R = data;
    if (R->src)
        return source_read(R->src, buffer, size);
    size_t n = R->memory_len - R->memory_pos < size ? R->memory_len - R->memory_pos : size;
    memcpy(buffer, R->memory + R->memory_pos, n);
    R->memory_pos += n;
    return (long)n;
}

static int read_handler(void *data, unsigned char *buffer, size_t size, size_t *size_read)
{
    struct reader_impl *R = data;
    /* A value this large, or (whatever the lines hold) far more than that: stop before
     * libyaml buffers it. */
    if (R->bytes_since_event > R->guard_limit || R->raw_since_event > 16 * R->guard_limit) {
        R->guard_tripped = true;
        return 0;
    }
    long n = R->opt.lenient ? lenient_read(&R->stream, buffer, size, raw_read, R)
                            : raw_read(R, buffer, size);
    if (n < 0) {
        R->io_failed = true;
        return 0;
    }
    *size_read = (size_t)n;
    R->raw_since_event += (uint64_t)n;
    if (R->raw_since_event > GUARD_LOOK_AFTER)
        R->bytes_since_event += content_bytes(R, buffer, (size_t)n);
    return 1;
}

/* Line and column of a byte offset, for errors libyaml reports by offset. */
static void locate_offset(struct reader_impl *R, uint64_t offset, struct span *span)
{
    uint32_t line = 1, column = 1;
    if (R->src) {
        source_locate_offset(R->src, offset, &line, &column);
    } else {
        for (uint64_t i = 0; i < offset && i < R->memory_len; i++) {
            if (R->memory[i] == '\n')
                line++, column = 1;
            else if (((unsigned char)R->memory[i] & 0xC0) != 0x80)
                column++;
        }
    }
    *span = (struct span){line, column, line, column + 1};
}

/* Steps back from a bad trailing byte to the lead byte of its sequence (at most 3 bytes). */
static void find_sequence_start(struct reader_impl *R, size_t *at, unsigned *byte)
{
    unsigned char back[4];
    size_t from = *at >= 3 ? *at - 3 : 0, n = *at - from;
    if (R->src) {
        if (source_bytes_at(R->src, from, back, n) != n)
            return;
    } else if (*at <= R->memory_len) {
        memcpy(back, R->memory + from, n);
    }
    for (size_t i = n; i-- > 0;)
        if (back[i] >= 0xC0) {
            *at = from + i;
            *byte = back[i];
            return;
        }
}

static int report_parse_error(struct reader_impl *R, gh_error *err)
{
    yaml_parser_t *p = &R->parser;
    R->incomplete = true;
    if (R->io_failed)
        return error_set(err, GH_EIO, "cannot read '%s'", R->src ? R->src->name : "input");
    if (R->guard_tripped) {
        report(R, R_HOP1006, -1, &R->last_span,
               "a single value after this point is larger than %zu bytes; stopped reading",
               R->opt.limits.max_value_bytes);
        return STEP_STOP;
    }
    /* A quoted key with no space after its ':' is what tinyyaml reads and libyaml does not:
     * whether a space after each would make the file readable is the caller's to use. */
    bool syntax = p->error == YAML_SCANNER_ERROR || p->error == YAML_PARSER_ERROR;
    if (syntax && R->opt.lenient_probe && !R->found &&
        lenient_probe(R->src, R->memory, R->memory_len, R->last_event_index,
                      R->opt.limits.max_depth, R->guard_limit, &R->found) < 0)
        return error_set(err, GH_ENOMEM, "out of memory");
    struct span span;
    if (p->error == YAML_READER_ERROR) {
        bool encoding = strstr(p->problem, "UTF") || strstr(p->problem, "Unicode");
        size_t at = R->opt.lenient ? (size_t)lenient_map_offset(R->opt.lenient, p->problem_offset)
                                   : p->problem_offset;
        unsigned byte = (unsigned)p->problem_value & 0xffu;
        if (encoding && strstr(p->problem, "trailing"))
            find_sequence_start(R, &at, &byte); /* libyaml points at the byte after the lead */
        locate_offset(R, at, &span);
        if (encoding)
            report(R, R_HOP1008, -1, &span,
                   "%s: the sequence starting with byte 0x%02x at offset %zu is not UTF-8 "
                   "(is the file in Latin-1 or Windows-1252?)",
                   p->problem, byte, at);
        else
            report(R, R_HOP1001, -1, &span, "%s (0x%02x)", p->problem,
                   (unsigned)p->problem_value & 0xffu);
        return STEP_STOP;
    }
    position(R, &p->problem_mark, &span.line, &span.column);
    span.end_line = span.line;
    span.end_column = span.column + 1;
    const char *problem = p->problem ? p->problem : "syntax error";
    if (p->context)
        report(R, R_HOP1001, -1, &span, "%s, %s at line %zu", problem, p->context,
               p->context_mark.line + 1);
    else
        report(R, R_HOP1001, -1, &span, "%s", problem);
    return STEP_STOP;
}

/*
 * libyaml reads the input again from its first byte, in the place of the fast reader (the
 * block reader or the JSON reader). The events that reader handed out are libyaml's own first
 * events (reader_block.h, reader_json.h): they are read again and dropped, so that libyaml goes
 * on from where the fast reader stopped, having read what it would have read by then.
 */
static int libyaml_after(struct reader_impl *R, uint64_t given, gh_error *err)
{
    block_events_free(R->block);
    json_events_free(R->json);
    R->block = NULL;
    R->json = NULL;
    int rc = R->src ? source_rewind(R->src, err) : 0;
    if (rc < 0) {
        R->incomplete = true;
        return rc;
    }
    if (R->src && R->opt.json_strict)
        source_watch_json(R->src); /* what a strict JSON parser would refuse, from the start */
    for (uint64_t i = 0; i < given; i++) {
        yaml_event_t again;
        if (!yaml_parser_parse(&R->parser, &again))
            return report_parse_error(R, err);
        yaml_event_delete(&again);
        R->bytes_since_event = 0;
        R->raw_since_event = 0;
        R->line_state = LINE_START;
    }
    return STEP_OK;
}

static int hand_over_to_libyaml(struct reader_impl *R, gh_error *err)
{
    return libyaml_after(R, R->block ? block_events_given(R->block) : json_events_given(R->json),
                         err);
}

static int fast_next(struct reader_impl *R, gh_error *err);

/* Whether the tests ask libyaml to read what a fast reader would (GATEHOP_JSON_READER or
 * GATEHOP_YAML_READER set to "libyaml"): the tests that compare both paths. */
static bool libyaml_forced(const char *variable)
{
    const char *force = getenv(variable);
    return force && !strcmp(force, "libyaml");
}

/* libyaml's next event, once it has taken over. */
static int libyaml_next(struct reader_impl *R, gh_error *err)
{
    return yaml_parser_parse(&R->parser, &R->event) ? STEP_OK : report_parse_error(R, err);
}

/*
 * A YAML file whose text opens with '{' or '[' is a JSON document read as YAML (standard input,
 * a dump saved as .yaml): the block reader refuses it at its first token, and libyaml would read
 * it all, at a third of the JSON reader's speed. libyaml gives JSON the same events whatever the
 * file is named, so the JSON reader takes over from the start instead, its first events (those
 * the block reader gave) passed over; where it stops, libyaml takes over as ever. *took says
 * whether it did; then the result is the next event's, as fast_next() gives it.
 */
static int json_instead_of_block(struct reader_impl *R, bool *took, gh_error *err)
{
    uint64_t given = block_events_given(R->block);
    unsigned char opening = R->src ? R->src->stats.opening : 0;
    *took =
        (opening == '{' || opening == '[') && given <= 2 && !libyaml_forced("GATEHOP_JSON_READER");
    if (!*took)
        return STEP_OK;
    block_events_free(R->block);
    R->block = NULL;
    if (source_rewind(R->src, err) < 0) {
        R->incomplete = true;
        return -1;
    }
    if (!(R->json = json_events_new(raw_read, R, R->opt.limits.max_depth)))
        return error_set(err, GH_ENOMEM, "out of memory");
    for (uint64_t i = 0; i < given; i++) {
        yaml_event_t again;
        if (json_events_next(R->json, &again) != JSON_EVENT) {
            int rc = libyaml_after(R, given, err);
            return rc != STEP_OK ? rc : libyaml_next(R, err);
        }
    }
    return fast_next(R, err);
}

_Static_assert((int)BLOCK_EVENT == (int)JSON_EVENT && (int)BLOCK_REFUSED == (int)JSON_REFUSED &&
                   (int)BLOCK_EIO == (int)JSON_EIO && (int)BLOCK_ENOMEM == (int)JSON_ENOMEM,
               "the fast readers' statuses agree");

/* The next event from the fast reader; where it stops, libyaml takes over. */
static int fast_next(struct reader_impl *R, gh_error *err)
{
    int status = R->block ? (int)block_events_next(R->block, &R->event)
                          : (int)json_events_next(R->json, &R->event);
    if (status == BLOCK_EVENT)
        return STEP_OK;
    if (status == BLOCK_ENOMEM)
        return error_set(err, GH_ENOMEM, "out of memory");
    if (status == BLOCK_EIO) {
        R->incomplete = true;
        return error_set(err, GH_EIO, "cannot read '%s'", R->src ? R->src->name : "input");
    }
    if (R->block) {
        bool took;
        int rc = json_instead_of_block(R, &took, err);
        if (took || rc < 0)
            return rc;
    }
    int rc = hand_over_to_libyaml(R, err);
    return rc != STEP_OK ? rc : libyaml_next(R, err);
}

/* Makes the next event current. Returns STEP_OK, STEP_STOP (reported) or an error. */
static int fetch(struct reader_impl *R, gh_error *err)
{
    if (R->have_event)
        return STEP_OK;
    if (R->json || R->block) {
        int rc = fast_next(R, err);
        if (rc != STEP_OK)
            return rc;
    } else if (!yaml_parser_parse(&R->parser, &R->event)) {
        return report_parse_error(R, err);
    }
    R->bytes_since_event = 0;
    R->raw_since_event = 0;
    R->line_state = LINE_START;
    R->have_event = true;
    R->last_span = span_of(R, &R->event);
    R->last_event_index = R->event.start_mark.index;
    return STEP_OK;
}

static void consume(struct reader_impl *R)
{
    if (R->have_event && !R->json && !R->block) /* the fast readers' events own nothing */
        yaml_event_delete(&R->event);
    R->have_event = false;
}

/* ---- strict JSON -------------------------------------------------------------------------- */

static bool building_key(const struct reader_impl *R)
{
    if (R->nframes == 0)
        return false;
    const struct frame *f = &R->frames[R->nframes - 1];
    return f->kind == NODE_MAPPING && (R->nscratch - f->base + f->skipped) % 2 == 0;
}

/* What in the current event is YAML but not JSON, or NULL. */
static const char *json_violation(const struct reader_impl *R, const yaml_event_t *ev)
{
    switch (ev->type) {
    case YAML_ALIAS_EVENT:
        return "an alias";
    case YAML_SEQUENCE_START_EVENT:
        if (ev->data.sequence_start.anchor || !ev->data.sequence_start.implicit)
            return "an anchor or tag";
        return ev->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE ? NULL
                                                                         : "a block-style list";
    case YAML_MAPPING_START_EVENT:
        if (ev->data.mapping_start.anchor || !ev->data.mapping_start.implicit)
            return "an anchor or tag";
        return ev->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE ? NULL
                                                                       : "a block-style mapping";
    case YAML_SCALAR_EVENT: {
        const char *s = (const char *)ev->data.scalar.value;
        size_t n = ev->data.scalar.length;
        if (ev->data.scalar.anchor || ev->data.scalar.tag)
            return "an anchor or tag";
        if (ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE)
            return NULL;
        if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
            return "a string not in double quotes";
        if (building_key(R))
            return "a key not in double quotes";
        bool literal = (n == 4 && (!memcmp(s, "true", 4) || !memcmp(s, "null", 4))) ||
                       (n == 5 && !memcmp(s, "false", 5)) || json_number(s, n);
        return literal ? NULL : "an unquoted string";
    }
    default:
        return NULL;
    }
}

static void report_json_violation(struct reader_impl *R, const yaml_event_t *ev)
{
    const char *what = json_violation(R, ev);
    if (!what)
        return;
    R->json_reported = true;
    struct span span = span_of(R, ev);
    report(R, R_HOP1013, -1, &span,
           "not valid JSON: %s; Kong reads .json files with a strict JSON parser", what);
}

/* Called for every event, so the test that there is nothing to do stays in the caller. */
static inline void check_json(struct reader_impl *R, const yaml_event_t *ev)
{
    if (R->opt.json_strict && !R->json_reported && !R->json) /* the JSON reader: strict JSON */
        report_json_violation(R, ev);
}

/* ---- building nodes ----------------------------------------------------------------------- */

static struct node *new_node(struct reader_impl *R, struct arena *a, uint8_t kind,
                             const struct span *span)
{
    struct node *n = arena_alloc(a, sizeof(*n));
    if (!n)
        return NULL;
    memset(n, 0, sizeof(*n));
    n->kind = kind;
    n->span = *span;
    R->built_nodes++;
    return n;
}

static int push_scratch(struct reader_impl *R, struct node *n)
{
    if (R->nscratch == R->scratch_cap) {
        size_t cap = R->scratch_cap ? R->scratch_cap * 2 : 256;
        struct node **s = realloc(R->scratch, cap * sizeof(*s));
        if (!s)
            return -1;
        R->scratch = s;
        R->scratch_cap = cap;
    }
    R->scratch[R->nscratch++] = n;
    return 0;
}

/*
 * The checks type scalars again for the gateway and release they check and report what the
 * libraries read differently (check_yaml.c): here, flagged scalars are only counted.
 */
static void note_scalar(struct reader_impl *R, const struct node *n)
{
    if (n->count > R->opt.limits.max_value_bytes)
        report(R, R_HOP1006, -1, &n->span, "a value of %u bytes is larger than the limit of %zu",
               n->count, R->opt.limits.max_value_bytes);
    if (n->flags & NODE_YAML11)
        R->yaml11_seen++;
}

static struct node *make_scalar(struct reader_impl *R, struct arena *a, const yaml_event_t *ev)
{
    /* The node and its text in one allocation: scalars are most of what a file holds. */
    size_t len = ev->data.scalar.length;
    struct node *n = arena_alloc(a, sizeof(*n) + len + 1);
    if (!n)
        return NULL;
    char *text = (char *)(n + 1);
    memcpy(text, ev->data.scalar.value, len);
    text[len] = '\0';
    memset(n, 0, sizeof(*n));
    n->kind = NODE_SCALAR;
    n->span = R->last_span; /* fetch() placed the current event already */
    R->built_nodes++;
    static const uint8_t styles[] = {
        [YAML_ANY_SCALAR_STYLE] = STYLE_PLAIN,
        [YAML_PLAIN_SCALAR_STYLE] = STYLE_PLAIN,
        [YAML_SINGLE_QUOTED_SCALAR_STYLE] = STYLE_SINGLE_QUOTED,
        [YAML_DOUBLE_QUOTED_SCALAR_STYLE] = STYLE_DOUBLE_QUOTED,
        [YAML_LITERAL_SCALAR_STYLE] = STYLE_LITERAL,
        [YAML_FOLDED_SCALAR_STYLE] = STYLE_FOLDED,
    };
    n->style = styles[ev->data.scalar.style];
    n->u.text = text;
    n->count = (uint32_t)(len > UINT32_MAX ? UINT32_MAX : len);
    scalar_resolve(n, (const char *)ev->data.scalar.tag);
    note_scalar(R, n);
    return n;
}

static void note_use(uint32_t *count, struct span *first, const struct span *at)
{
    if ((*count)++ == 0)
        *first = *at;
}

/* Counts the nodes a deep copy would make (nodes already in the document are shared). */
static uint64_t copy_cost(const struct node *n)
{
    if (n->flags & NODE_ANCHORED)
        return 0;
    uint64_t cost = 1;
    if (n->kind == NODE_SEQUENCE)
        for (uint32_t i = 0; i < n->count; i++)
            cost += copy_cost(n->u.items[i]);
    else if (n->kind == NODE_MAPPING)
        for (uint32_t i = 0; i < n->count; i++)
            cost += copy_cost(n->u.pairs[i].key) + copy_cost(n->u.pairs[i].value);
    return cost;
}

static struct node *deep_copy(struct arena *a, const struct node *n)
{
    if (n->flags & NODE_ANCHORED)
        return (struct node *)n;
    struct node *c = arena_alloc(a, sizeof(*c));
    if (!c)
        return NULL;
    *c = *n;
    if (n->kind == NODE_SCALAR) {
        char *text = arena_strndup(a, n->u.text, n->count);
        if (!text)
            return NULL;
        c->u.text = text;
    } else if (n->kind == NODE_SEQUENCE) {
        c->u.items = arena_alloc(a, n->count * sizeof(*c->u.items));
        if (n->count && !c->u.items)
            return NULL;
        for (uint32_t i = 0; i < n->count; i++)
            if (!(c->u.items[i] = deep_copy(a, n->u.items[i])))
                return NULL;
    } else {
        c->u.pairs = arena_alloc(a, n->count * sizeof(*c->u.pairs));
        if (n->count && !c->u.pairs)
            return NULL;
        for (uint32_t i = 0; i < n->count; i++) {
            c->u.pairs[i].key = deep_copy(a, n->u.pairs[i].key);
            c->u.pairs[i].value = deep_copy(a, n->u.pairs[i].value);
            if (!c->u.pairs[i].key || !c->u.pairs[i].value)
                return NULL;
        }
    }
    return c;
}

/* Keeps an anchored node in the document arena so aliases in later items can reach it. */
static int define_anchor(struct reader_impl *R, struct arena *a, const char *name, struct node *n,
                         uint64_t weight)
{
    struct node *kept = n;
    n->flags |= NODE_ANCHOR_DEF;
    note_use(&R->uses.anchors, &R->uses.first_anchor, &n->span);
    if (a != &R->doc) {
        uint64_t cost = copy_cost(n);
        if (R->anchored_nodes + cost > R->opt.limits.max_alias_nodes) {
            report(R, R_HOP1007, -1, &n->span,
                   "anchored values hold more than %llu values; stopped reading",
                   (unsigned long long)R->opt.limits.max_alias_nodes);
            return STEP_STOP;
        }
        R->anchored_nodes += cost;
        kept = deep_copy(&R->doc, n);
        if (!kept)
            return GH_ENOMEM;
    }
    kept->flags |= NODE_ANCHORED;
    struct anchor *an = array_grow(R->anchors, &R->anchors_cap, R->nanchors, sizeof(*an), 16);
    if (!an)
        return GH_ENOMEM;
    R->anchors = an;
    size_t len = strlen(name);
    int put = strmap_put(&R->anchor_names, name, len, (uint32_t)R->nanchors, NULL);
    if (put < 0)
        return GH_ENOMEM;
    if (put == 0) /* YAML lets a later anchor of the same name replace the earlier one */
        *strmap_get(&R->anchor_names, name, len) = (uint32_t)R->nanchors;
    R->anchors[R->nanchors++] = (struct anchor){kept, weight};
    return STEP_OK;
}

static int resolve_alias(struct reader_impl *R, struct arena *a, const yaml_event_t *ev,
                         struct node **out, uint64_t *weight)
{
    const char *name = (const char *)ev->data.alias.anchor;
    const uint32_t *v = strmap_get(&R->anchor_names, name, strlen(name));
    struct span span = span_of(R, ev);
    if (!v) {
        report(R, R_HOP1014, -1, &span, "alias '*%s' names no anchor defined before it", name);
        *out = new_node(R, a, NODE_SCALAR, &span);
        if (!*out)
            return GH_ENOMEM;
        (*out)->type = SCALAR_NULL;
        (*out)->u.text = "";
        *weight = 1;
        return STEP_OK;
    }
    note_use(&R->uses.aliases, &R->uses.first_alias, &span);
    const struct anchor *an = &R->anchors[*v];
    if (R->alias_weight + an->weight > R->opt.limits.max_alias_nodes) {
        report(R, R_HOP1007, -1, &span,
               "aliases expand to more than %llu values; stopped reading (a file like this "
               "can exhaust the gateway's memory)",
               (unsigned long long)R->opt.limits.max_alias_nodes);
        return STEP_STOP;
    }
    R->alias_weight += an->weight;
    *out = an->node;
    *weight = an->weight;
    return STEP_OK;
}

static int push_frame(struct reader_impl *R, const yaml_event_t *ev)
{
    if (R->nframes + R->base_depth >= R->opt.limits.max_depth) {
        struct span span = span_of(R, ev);
        report(R, R_HOP1004, -1, &span, "nesting deeper than %u levels; stopped reading",
               R->opt.limits.max_depth);
        return STEP_STOP;
    }
    if (R->nframes == R->frames_cap) {
        size_t cap = R->frames_cap ? R->frames_cap * 2 : 32;
        struct frame *f = realloc(R->frames, cap * sizeof(*f));
        if (!f)
            return GH_ENOMEM;
        R->frames = f;
        R->frames_cap = cap;
    }
    bool seq = ev->type == YAML_SEQUENCE_START_EVENT;
    const yaml_char_t *anchor =
        seq ? ev->data.sequence_start.anchor : ev->data.mapping_start.anchor;
    bool flow = seq ? ev->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE
                    : ev->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE;
    struct frame *f = &R->frames[R->nframes++];
    f->kind = seq ? NODE_SEQUENCE : NODE_MAPPING;
    f->style = flow ? STYLE_FLOW : STYLE_BLOCK;
    f->start = R->last_span; /* the current event's, placed by fetch() */
    f->base = R->nscratch;
    f->skipped = 0;
    f->weight = 0;
    f->anchor = NULL;
    if (anchor && !R->skipping) {
        size_t len = strlen((const char *)anchor);
        f->anchor = malloc(len + 1);
        if (!f->anchor)
            return GH_ENOMEM;
        memcpy(f->anchor, anchor, len + 1);
    }
    return STEP_OK;
}

static bool keys_equal(const struct node *a, const struct node *b)
{
    return a->kind == NODE_SCALAR && b->kind == NODE_SCALAR && a->type == b->type &&
           a->count == b->count && memcmp(a->u.text, b->u.text, a->count) == 0;
}

static bool is_merge_key(const struct node *key)
{
    return node_is_string(key) && key->count == 2 && !memcmp(key->u.text, "<<", 2);
}

static bool has_key(const struct node_pair *pairs, size_t n, const struct node *key)
{
    for (size_t i = 0; i < n; i++)
        if (keys_equal(pairs[i].key, key))
            return true;
    return false;
}

/* One of 64 bits, from a key's type, length and end bytes: equal keys share it. */
static uint64_t key_signature(const struct node *key)
{
    if (key->kind != NODE_SCALAR)
        return ~(uint64_t)0; /* complex keys: always compare */
    unsigned h = key->type * 7u + key->count * 31u;
    if (key->count)
        h += (unsigned char)key->u.text[0] * 17u + (unsigned char)key->u.text[key->count - 1];
    return (uint64_t)1 << (h & 63u);
}

/*
 * Keeps the last of repeated keys (as Kong's loader does) and reports the earlier ones.
 * Small mappings compare pairwise; large ones go through a temporary hash map.
 */
static size_t drop_duplicates(struct reader_impl *R, struct node **kv, size_t npairs,
                              struct node_pair *out)
{
    size_t kept = 0;
    uint64_t seen_bits = 0;
    const struct node *dups[64]; /* found last to first, reported first to last */
    size_t ndups = 0;
    struct strmap seen;
    bool hashed = npairs > 32;
    if (hashed)
        strmap_init(&seen);
    for (size_t i = npairs; i-- > 0;) {
        struct node *key = kv[2 * i];
        bool dup = false;
        if (is_merge_key(key)) {
            /* merge keys are applied, not stored */
        } else if (hashed && key->kind == NODE_SCALAR) {
            /* The map holds a type byte and a prefix of the key; a hit is confirmed in full. */
            char buf[1 + 256];
            size_t n = key->count < 256 ? key->count : 256;
            buf[0] = (char)key->type;
            memcpy(buf + 1, key->u.text, n);
            dup = strmap_put(&seen, buf, n + 1, 0, NULL) == 0 && has_key(out, kept, key);
        } else {
            /* Only a key whose signature bit is already taken can be a repeat. */
            uint64_t bit = key_signature(key);
            dup = (seen_bits & bit) && has_key(out, kept, key);
            seen_bits |= bit;
        }
        if (dup) {
            if (ndups < sizeof(dups) / sizeof(dups[0]))
                dups[ndups++] = key;
            continue;
        }
        if (!is_merge_key(key))
            out[kept++] = (struct node_pair){key, kv[2 * i + 1]};
    }
    if (hashed)
        strmap_release(&seen);
    for (size_t i = ndups; i-- > 0;)
        report(R, R_HOP1002, -1, &dups[i]->span,
               "duplicate key '%.80s'; the later value wins and this one is ignored",
               dups[i]->kind == NODE_SCALAR ? dups[i]->u.text : "(complex key)");
    /* The loop went backwards; restore document order. */
    for (size_t i = 0; i < kept / 2; i++) {
        struct node_pair t = out[i];
        out[i] = out[kept - 1 - i];
        out[kept - 1 - i] = t;
    }
    return kept;
}

static size_t merged_pair_count(const struct node *source)
{
    size_t n = 0;
    if (source->kind == NODE_MAPPING)
        return source->count;
    if (source->kind == NODE_SEQUENCE)
        for (uint32_t i = 0; i < source->count; i++)
            if (source->u.items[i]->kind == NODE_MAPPING)
                n += source->u.items[i]->count;
    return n;
}

static size_t merge_from(struct node_pair *pairs, size_t n, const struct node *map)
{
    for (uint32_t i = 0; i < map->count; i++)
        if (!has_key(pairs, n, map->u.pairs[i].key))
            pairs[n++] = map->u.pairs[i];
    return n;
}

/* Applies merge keys (<<): keys written in the mapping win, then earlier merges win. */
/* Where to report a merge problem: the value written there, or the '<<' for an alias. */
static const struct span *merge_span(const struct node *key, const struct node *value)
{
    return (value->flags & NODE_ANCHORED) ? &key->span : &value->span;
}

static size_t apply_merges(struct reader_impl *R, struct node **kv, size_t npairs,
                           struct node_pair *pairs, size_t n)
{
    for (size_t i = 0; i < npairs; i++) {
        const struct node *key = kv[2 * i];
        if (!is_merge_key(key))
            continue;
        const struct node *src = kv[2 * i + 1];
        note_use(&R->uses.merges, &R->uses.first_merge, &key->span);
        if (src->kind == NODE_MAPPING) {
            n = merge_from(pairs, n, src);
            continue;
        }
        if (src->kind != NODE_SEQUENCE) {
            report(R, R_HOP1015, -1, merge_span(key, src),
                   "the merge key '<<' needs a mapping or a list of mappings, not %s",
                   node_describe(src));
            continue;
        }
        uint32_t bad = 0;
        while (bad < src->count && src->u.items[bad]->kind == NODE_MAPPING)
            bad++;
        if (bad < src->count) {
            report(R, R_HOP1015, -1, merge_span(key, src->u.items[bad]),
                   "item %u of the merge list is %s; '<<' merges only mappings", bad + 1,
                   node_describe(src->u.items[bad]));
            continue;
        }
        for (uint32_t j = 0; j < src->count; j++)
            n = merge_from(pairs, n, src->u.items[j]);
    }
    return n;
}

static struct node *close_mapping(struct reader_impl *R, struct arena *a, struct node *n,
                                  struct node **kv, size_t nkv)
{
    size_t npairs = nkv / 2, extra = 0;
    bool merges = false;
    for (size_t i = 0; i < npairs; i++)
        if (is_merge_key(kv[2 * i])) {
            merges = true;
            extra += merged_pair_count(kv[2 * i + 1]);
        }
    struct node_pair *pairs = arena_alloc(a, (npairs + extra) * sizeof(*pairs));
    if (!pairs && npairs + extra)
        return NULL;
    size_t kept = drop_duplicates(R, kv, npairs, pairs);
    if (merges)
        kept = apply_merges(R, kv, npairs, pairs, kept);
    n->u.pairs = pairs;
    n->count = (uint32_t)kept;
    return n;
}

/* Ends the innermost container; returns the node, or NULL when skipping. */
static int close_frame(struct reader_impl *R, struct arena *a, const yaml_event_t *ev,
                       struct node **out, uint64_t *weight)
{
    struct frame f = R->frames[--R->nframes];
    size_t nchildren = R->nscratch - f.base;
    struct node **children = nchildren ? R->scratch + f.base : NULL;
    *out = NULL;
    *weight = f.weight + 1;
    if (R->skipping) {
        R->nscratch = f.base;
        free(f.anchor);
        return STEP_OK;
    }
    struct span span = f.start;
    position(R, &ev->end_mark, &span.end_line, &span.end_column);
    struct node *n = new_node(R, a, f.kind, &span);
    int rc = STEP_OK;
    if (!n) {
        rc = GH_ENOMEM;
    } else if (f.kind == NODE_SEQUENCE) {
        n->style = f.style;
        n->u.items = arena_alloc(a, nchildren * sizeof(*n->u.items));
        if (nchildren && !n->u.items)
            rc = GH_ENOMEM;
        else if (nchildren)
            memcpy(n->u.items, children, nchildren * sizeof(*children));
        n->count = (uint32_t)nchildren;
    } else {
        n->style = f.style;
        if (!close_mapping(R, a, n, children, nchildren))
            rc = GH_ENOMEM;
    }
    R->nscratch = f.base;
    if (rc == STEP_OK && f.anchor)
        rc = define_anchor(R, a, f.anchor, n, *weight);
    free(f.anchor);
    *out = n;
    return rc;
}

static void enter_skipping(struct reader_impl *R, const struct span *span)
{
    report(R, R_HOP1005, -1, span, "this entry holds more than %u values; it is not checked",
           R->opt.limits.max_item_nodes);
    R->skipping = true;
}

/*
 * Builds one node starting at the current event, in arena a. On STEP_OK, *out is the node,
 * or NULL when it was too large to build (already reported).
 */
static int build(struct reader_impl *R, struct arena *a, struct node **out, gh_error *err)
{
    size_t depth0 = R->nframes;
    R->built_nodes = 0;
    R->alias_weight = 0;
    R->skipping = false;
    for (;;) {
        int rc = fetch(R, err);
        if (rc != STEP_OK)
            return rc;
        const yaml_event_t *ev = &R->event;
        check_json(R, ev);
        struct node *done = NULL;
        uint64_t weight = 1;
        bool complete = false;
        switch (ev->type) {
        case YAML_SCALAR_EVENT:
            complete = true;
            if (R->skipping)
                break;
            if (!(done = make_scalar(R, a, ev)))
                return error_set(err, GH_ENOMEM, "out of memory");
            if (ev->data.scalar.anchor)
                rc = define_anchor(R, a, (const char *)ev->data.scalar.anchor, done, 1);
            break;
        case YAML_ALIAS_EVENT:
            complete = true;
            if (!R->skipping)
                rc = resolve_alias(R, a, ev, &done, &weight);
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            rc = push_frame(R, ev);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            complete = true;
            rc = close_frame(R, a, ev, &done, &weight);
            break;
        default:
            return error_set(err, GH_ENOMEM, "internal error: unexpected YAML event %d",
                             (int)ev->type);
        }
        if (rc == GH_ENOMEM)
            return error_set(err, GH_ENOMEM, "out of memory");
        if (rc != STEP_OK)
            return rc;
        consume(R);
        if (!R->skipping && R->built_nodes > R->opt.limits.max_item_nodes)
            enter_skipping(R, &R->last_span);
        if (!complete)
            continue;
        if (R->nframes == depth0) {
            *out = R->skipping ? NULL : done;
            return STEP_OK;
        }
        if (R->skipping) {
            R->frames[R->nframes - 1].skipped++;
        } else {
            R->frames[R->nframes - 1].weight += weight;
            if (push_scratch(R, done) < 0)
                return error_set(err, GH_ENOMEM, "out of memory");
        }
    }
}

/* ---- the top level ------------------------------------------------------------------------ */

static void finish_findings(struct reader_impl *R)
{
    if (!R->src)
        return;
    const struct source_stats *st = &R->src->stats;
    if (st->json_problem && !R->json_reported) {
        struct span at = {st->json_line, st->json_column, st->json_line, st->json_column + 1};
        report(R, R_HOP1013, -1, &at,
               "not valid JSON: %s; Kong reads .json files with a strict JSON parser",
               st->json_problem);
    }
    static const struct span start = {1, 1, 1, 2};
    if (st->bom)
        report(R, R_HOP1009, R->opt.json_strict ? GH_ERROR : -1, &start,
               R->opt.json_strict
                   ? "the file starts with a UTF-8 byte order mark, which Kong's JSON parser "
                     "rejects"
                   : "the file starts with a UTF-8 byte order mark; some tools reject it");
    if (st->crlf_count && st->lf_count) {
        bool lf_first = st->crlf_count > st->lf_count;
        uint32_t line = lf_first ? st->first_lf_line : st->first_crlf_line;
        struct span at = {line, 1, line, 1};
        report(R, R_HOP1010, -1, &at,
               "%s line ending here in a file that mostly uses %s (%llu CRLF, %llu LF or CR)",
               lf_first ? "an LF (or CR)" : "a CRLF", lf_first ? "CRLF" : "LF",
               (unsigned long long)st->crlf_count, (unsigned long long)st->lf_count);
    }
}

static void stop(struct reader_impl *R)
{
    /* Where reading stops, libyaml's reading decides what the source has seen by then (its
     * line endings, its suppression comments): libyaml reads to the same event. */
    if (R->block || R->json) {
        R->have_event = false; /* the fast reader's, which owns its value: not libyaml's */
        gh_error ignored = {0};
        hand_over_to_libyaml(R, &ignored);
    }
    R->incomplete = true;
    R->state = ST_FINISH;
}

static int entry_end(struct reader_impl *R, struct reader_entry *e)
{
    if (R->state == ST_FINISH) {
        R->list_key = NULL;
        finish_findings(R);
        R->state = ST_DONE;
    }
    e->kind = ENTRY_END;
    e->stopped = R->incomplete || R->empty;
    return 0;
}

static void report_empty(struct reader_impl *R)
{
    R->empty = true;
    static const struct span start = {1, 1, 1, 1};
    report(R, R_HOP1011, -1, &start,
           "the file holds no configuration (it is empty or comments only)");
}

static int start_document(struct reader_impl *R, struct reader_entry *e, gh_error *err)
{
    int rc = fetch(R, err);
    if (rc != STEP_OK)
        return rc;
    if (R->event.type == YAML_STREAM_START_EVENT) {
        consume(R);
        if ((rc = fetch(R, err)) != STEP_OK)
            return rc;
    }
    if (R->event.type == YAML_STREAM_END_EVENT) {
        report_empty(R);
        R->state = ST_FINISH;
        return STEP_OK;
    }
    consume(R); /* DOCUMENT-START */
    if ((rc = fetch(R, err)) != STEP_OK)
        return rc;
    if (R->event.type == YAML_MAPPING_START_EVENT && !R->event.data.mapping_start.anchor) {
        check_json(R, &R->event);
        consume(R);
        R->state = ST_TOP;
        return STEP_OK;
    }
    struct node *root = NULL;
    if ((rc = build(R, &R->doc, &root, err)) != STEP_OK)
        return rc;
    R->state = ST_AFTER_ROOT;
    if (root && node_is_null(root)) {
        report_empty(R);
        return STEP_OK;
    }
    e->kind = ENTRY_VALUE;
    e->value = root;
    return STEP_OK;
}

static bool is_list(const struct node *n)
{
    return n && n->kind == NODE_SEQUENCE;
}

static int begin_list(struct reader_impl *R, struct reader_entry *e, const struct node *key,
                      const struct node *buffered)
{
    struct node *stand_in = arena_alloc(&R->doc, sizeof(*stand_in));
    if (!stand_in)
        return GH_ENOMEM;
    memset(stand_in, 0, sizeof(*stand_in));
    stand_in->kind = NODE_SEQUENCE;
    stand_in->span = buffered ? buffered->span : R->last_span;
    R->list_key = key;
    R->list_index = 0;
    R->buffered_list = buffered;
    R->state = buffered ? ST_BUFFERED_LIST : ST_LIST;
    e->kind = ENTRY_LIST_BEGIN;
    e->key = key;
    e->value = stand_in;
    return STEP_OK;
}

static void check_top_key(struct reader_impl *R, const struct node *key)
{
    if (key->kind != NODE_SCALAR)
        return;
    uint32_t first;
    if (strmap_put(&R->top_keys, key->u.text, key->count, key->span.line, &first) == 0)
        report(R, R_HOP1002, -1, &key->span,
               "duplicate top-level key '%.80s' (first at line %u); Kong keeps only the later one",
               key->u.text, first);
}

/* Consumes a whole node without building it (meta_only passes). */
static int skip_node(struct reader_impl *R, gh_error *err)
{
    size_t depth = 0;
    for (;;) {
        int rc = fetch(R, err);
        if (rc != STEP_OK)
            return rc;
        yaml_event_type_t type = R->event.type;
        consume(R);
        if (type == YAML_SEQUENCE_START_EVENT || type == YAML_MAPPING_START_EVENT)
            depth++;
        else if (type == YAML_SEQUENCE_END_EVENT || type == YAML_MAPPING_END_EVENT)
            depth--;
        if (depth == 0) {
            R->list_key = NULL;
            return STEP_OK;
        }
    }
}

static int top_entry(struct reader_impl *R, struct reader_entry *e, gh_error *err)
{
    int rc = fetch(R, err);
    if (rc != STEP_OK)
        return rc;
    if (R->event.type == YAML_MAPPING_END_EVENT) {
        consume(R);
        R->state = ST_DOC_END;
        return STEP_OK;
    }
    struct node *key = NULL;
    R->list_key = NULL;
    R->base_depth = 1;
    if ((rc = build(R, &R->doc, &key, err)) != STEP_OK)
        return rc;
    if (!key)
        return STEP_STOP;
    check_top_key(R, key);
    R->list_key = key;
    if ((rc = fetch(R, err)) != STEP_OK)
        return rc;
    const yaml_event_t *ev = &R->event;
    if (ev->type == YAML_SEQUENCE_START_EVENT && R->opt.meta_only) {
        /* The list is skipped unread; its key still tells what the file is. */
        if ((rc = skip_node(R, err)) != STEP_OK)
            return rc;
        e->kind = ENTRY_LIST_BEGIN;
        e->key = key;
        e->value = NULL;
        return STEP_OK;
    }
    if (ev->type == YAML_SEQUENCE_START_EVENT && !ev->data.sequence_start.anchor) {
        check_json(R, ev);
        R->last_span = span_of(R, ev);
        consume(R);
        return begin_list(R, e, key, NULL);
    }
    struct node *value = NULL;
    if ((rc = build(R, &R->doc, &value, err)) != STEP_OK)
        return rc;
    if (is_list(value)) {
        R->buffered_yaml11 = R->yaml11_seen;
        return begin_list(R, e, key, value);
    }
    R->list_key = NULL;
    e->kind = ENTRY_VALUE;
    e->key = key;
    e->value = value;
    return STEP_OK;
}

static int list_entry(struct reader_impl *R, struct reader_entry *e, gh_error *err)
{
    int rc = fetch(R, err);
    if (rc != STEP_OK)
        return rc;
    if (R->event.type == YAML_SEQUENCE_END_EVENT) {
        consume(R);
        R->state = ST_TOP;
        e->kind = ENTRY_LIST_END;
        e->key = R->list_key;
        R->list_key = NULL;
        return STEP_OK;
    }
    arena_reset(R->item);
    struct node *item = NULL;
    R->base_depth = 2;
    if ((rc = build(R, R->item, &item, err)) != STEP_OK)
        return rc;
    e->kind = ENTRY_ITEM;
    e->key = R->list_key;
    e->value = item;
    e->index = R->list_index++;
    return STEP_OK;
}

static int buffered_entry(struct reader_impl *R, struct reader_entry *e)
{
    const struct node *list = R->buffered_list;
    if (R->list_index >= list->count) {
        R->state = ST_TOP;
        e->kind = ENTRY_LIST_END;
        e->key = R->list_key;
        R->list_key = NULL;
        return STEP_OK;
    }
    e->kind = ENTRY_ITEM;
    e->key = R->list_key;
    e->value = list->u.items[R->list_index];
    e->index = R->list_index++;
    e->yaml11 = R->buffered_yaml11; /* somewhere in the list: every item is looked at */
    return STEP_OK;
}

/* After the first document: Kong reads only that one. The rest is still parsed for errors. */
static int document_end(struct reader_impl *R, gh_error *err)
{
    int rc = fetch(R, err);
    if (rc != STEP_OK)
        return rc;
    consume(R); /* DOCUMENT-END */
    if ((rc = fetch(R, err)) != STEP_OK)
        return rc;
    if (R->event.type == YAML_DOCUMENT_START_EVENT) {
        struct span at = span_of(R, &R->event);
        report(R, R_HOP1012, -1, &at,
               "a second YAML document starts here; Kong reads only the first, so everything "
               "from here on is ignored");
    }
    while (R->event.type != YAML_STREAM_END_EVENT) {
        consume(R);
        if ((rc = fetch(R, err)) != STEP_OK)
            return rc;
    }
    consume(R);
    R->state = ST_FINISH;
    return STEP_OK;
}

int reader_next(struct reader *r, struct reader_entry *e, gh_error *err)
{
    struct reader_impl *R = r->impl;
    memset(e, 0, sizeof(*e));
    R->yaml11_seen = 0;
    for (;;) {
        int rc = STEP_OK;
        switch (R->state) {
        case ST_START:
            rc = start_document(R, e, err);
            break;
        case ST_TOP:
            rc = top_entry(R, e, err);
            break;
        case ST_LIST:
            rc = list_entry(R, e, err);
            break;
        case ST_BUFFERED_LIST:
            rc = buffered_entry(R, e);
            break;
        case ST_AFTER_ROOT:
        case ST_DOC_END:
            rc = document_end(R, err);
            break;
        case ST_FINISH:
        case ST_DONE:
            return entry_end(R, e);
        }
        if (rc < 0) {
            R->state = ST_DONE;
            return rc;
        }
        if (rc == STEP_STOP)
            stop(R);
        else if (e->kind != ENTRY_END) {
            if (e->kind == ENTRY_VALUE || (e->kind == ENTRY_ITEM && R->state == ST_LIST))
                e->yaml11 = R->yaml11_seen;
            return 0;
        }
    }
}

int reader_load(struct reader *r, struct node **root, gh_error *err)
{
    struct reader_impl *R = r->impl;
    *root = NULL;
    int rc = fetch(R, err);
    for (int i = 0; rc == STEP_OK && i < 2; i++) { /* STREAM-START, DOCUMENT-START */
        if (R->event.type == YAML_STREAM_END_EVENT)
            return 0;
        consume(R);
        rc = fetch(R, err);
    }
    if (rc == STEP_OK)
        rc = build(R, &R->doc, root, err);
    if (rc == STEP_OK)
        rc = document_end(R, err);
    if (rc == STEP_STOP)
        stop(R);
    return rc < 0 ? rc : 0;
}

/* ---- lifetime ----------------------------------------------------------------------------- */

static int open_common(struct reader *r, const struct reader_options *options,
                       struct diag_sink *sink, gh_error *err)
{
    struct reader_impl *R = calloc(1, sizeof(*R));
    r->impl = R;
    if (!R)
        return error_set(err, GH_ENOMEM, "out of memory");
    if (options)
        R->opt = *options;
    else
        reader_options_default(&R->opt);
    R->sink = sink;
    arena_init(&R->doc, 64 * 1024);
    arena_init(&R->own_item, 64 * 1024);
    R->item = &R->own_item;
    strmap_init(&R->anchor_names);
    strmap_init(&R->top_keys);
    R->guard_limit = R->opt.limits.max_value_bytes + 128 * 1024;
    if (R->opt.lenient)
        lenient_stream_init(&R->stream, R->opt.lenient);
    if (!yaml_parser_initialize(&R->parser))
        return error_set(err, GH_ENOMEM, "out of memory");
    R->parser_ready = true;
    return 0;
}

/* ---- the JSON reader ---------------------------------------------------------------------- */

/* A .json file (json_strict) goes to the JSON reader first (reader_json.h). With
 * GATEHOP_JSON_READER=libyaml, libyaml reads it (the test that compares both paths). */
static int choose_json_reader(struct reader_impl *R, gh_error *err)
{
    if (!R->opt.json_strict || R->opt.lenient || libyaml_forced("GATEHOP_JSON_READER"))
        return 0;
    if (!(R->json = json_events_new(raw_read, R, R->opt.limits.max_depth)))
        return error_set(err, GH_ENOMEM, "out of memory");
    return 0;
}

/* YAML that is not strict JSON goes to the block reader first (reader_block.h). With
 * GATEHOP_YAML_READER=libyaml, libyaml reads it all (the test that compares both paths). */
static int choose_block_reader(struct reader_impl *R, gh_error *err)
{
    if (R->json || R->opt.json_strict || R->opt.lenient || libyaml_forced("GATEHOP_YAML_READER"))
        return 0;
    if (!(R->block = block_events_new(raw_read, R, R->opt.limits.max_depth)))
        return error_set(err, GH_ENOMEM, "out of memory");
    return 0;
}

int reader_open(struct reader *r, struct source *src, const struct reader_options *options,
                struct diag_sink *sink, gh_error *err)
{
    int rc = open_common(r, options, sink, err);
    if (rc < 0)
        return rc;
    r->impl->src = src;
    if ((rc = choose_json_reader(r->impl, err)) < 0 || (rc = choose_block_reader(r->impl, err)) < 0)
        return rc;
    if (r->impl->opt.json_strict && !r->impl->json)
        source_watch_json(src);
    yaml_parser_set_input(&r->impl->parser, read_handler, r->impl);
    return 0;
}

int reader_open_memory(struct reader *r, const char *data, size_t len,
                       const struct reader_options *options, struct diag_sink *sink, gh_error *err)
{
    int rc = open_common(r, options, sink, err);
    if (rc < 0)
        return rc;
    r->impl->memory = data;
    r->impl->memory_len = len;
    if ((rc = choose_json_reader(r->impl, err)) < 0 || (rc = choose_block_reader(r->impl, err)) < 0)
        return rc;
    if (r->impl->opt.lenient)
        yaml_parser_set_input(&r->impl->parser, read_handler, r->impl);
    else
        yaml_parser_set_input_string(&r->impl->parser, (const unsigned char *)data, len);
    return 0;
}

void reader_lend_item_arena(struct reader *r, struct arena *a)
{
    r->impl->item = a ? a : &r->impl->own_item;
}

bool reader_incomplete(const struct reader *r)
{
    return r->impl->incomplete;
}

const struct reader_yaml_uses *reader_yaml_uses(const struct reader *r)
{
    return &r->impl->uses;
}

int reader_dash_quoted_keys(struct reader *r, struct lenient_key **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    struct reader_impl *R = r->impl;
    if (!R)
        return 0;
    return lenient_dash_quoted_keys(R->src, R->memory, R->memory_len, R->guard_limit, out, count);
}

struct lenient_plan *reader_take_lenient(struct reader *r)
{
    if (!r->impl)
        return NULL;
    struct lenient_plan *found = r->impl->found;
    r->impl->found = NULL;
    return found;
}

void reader_close(struct reader *r)
{
    struct reader_impl *R = r->impl;
    if (!R)
        return;
    consume(R);
    json_events_free(R->json);
    block_events_free(R->block);
    if (R->parser_ready)
        yaml_parser_delete(&R->parser);
    for (size_t i = 0; i < R->nframes; i++)
        free(R->frames[i].anchor);
    free(R->frames);
    free(R->scratch);
    free(R->anchors);
    strmap_release(&R->anchor_names);
    strmap_release(&R->top_keys);
    lenient_plan_free(R->found);
    arena_release(&R->doc);
    arena_release(&R->own_item);
    free(R);
    r->impl = NULL;
}

int reader_load_knowledge(const char *path, const char *data, size_t len, struct arena *a,
                          struct node **out, gh_error *err)
{
    struct diag_sink sink;
    diag_sink_init(&sink, 8);
    struct reader_options opt;
    reader_options_default(&opt);
    struct reader r;
    int rc = reader_open_memory(&r, data, len, &opt, &sink, err);
    struct node *root = NULL;
    if (rc == 0)
        rc = reader_load(&r, &root, err);
    if (rc == 0 && sink.count > 0) {
        diag_sort(&sink);
        const struct diag *d = &sink.items[0];
        rc = error_set_at(err, GH_ESCHEMA, path, d->span.line, d->span.column, "%s", d->message);
    } else if (rc == 0 && (!root || root->kind != NODE_MAPPING)) {
        rc = error_set_at(err, GH_ESCHEMA, path, 1, 1, "the file must hold a mapping");
    } else if (rc == 0 && !(*out = node_copy(a, root))) {
        rc = error_set(err, GH_ENOMEM, "out of memory");
    }
    reader_close(&r);
    diag_sink_release(&sink);
    return rc;
}
