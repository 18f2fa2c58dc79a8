/*
 * Quoted keys with no space after their ':'. See reader_lenient.h.
 */
#include "reader_lenient.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "util/util_array.h"
#include "util/util_buf.h"

/* ---- the file's bytes, read again from the start ------------------------------------------ */

struct input {
    struct source copy;
    bool from_source;
    const char *memory;
    size_t len, pos;
};

static int input_open(struct input *in, const struct source *src, const char *memory, size_t len)
{
    memset(in, 0, sizeof(*in));
    if (!src) {
        in->memory = memory;
        in->len = len;
        return 0;
    }
    gh_error err = {0};
    if (source_open_copy(src, &in->copy, &err) < 0)
        return -1;
    in->from_source = true;
    return 0;
}

static void input_close(struct input *in)
{
    if (in->from_source)
        source_close(&in->copy);
}

static long input_read(void *ctx, unsigned char *buffer, size_t size)
{
    struct input *in = ctx;
    if (in->from_source)
        return source_read(&in->copy, buffer, size);
    size_t n = in->len - in->pos < size ? in->len - in->pos : size;
    memcpy(buffer, in->memory + in->pos, n);
    in->pos += n;
    return (long)n;
}

/* ---- the plan --------------------------------------------------------------------------- */

static struct lenient_plan *plan_new(void)
{
    struct lenient_plan *p = calloc(1, sizeof(*p));
    if (p)
        arena_init(&p->keys, 4096);
    return p;
}

void lenient_plan_free(struct lenient_plan *plan)
{
    if (!plan)
        return;
    free(plan->colons);
    free(plan->quotes);
    arena_release(&plan->keys);
    free(plan);
}

/* ---- the line scanner --------------------------------------------------------------------- */

/*
 * What the lines before the current one left open. The scanner follows YAML only as far as
 * it must to tell a key at the start of a line from text: the parse that follows checks
 * every colon it picked.
 */
struct scan {
    struct lenient_plan *plan;
    uint64_t after;
    int flow;   /* [ and { open */
    char quote; /* a quoted scalar goes on to the next line: '"' or '\'' */
    long block; /* in a block scalar: lines indented more than this are its text */
    bool in_block;
    bool full; /* too many colons, or out of memory */
    bool oom;
    uint32_t line; /* of the line scanned, 1-based */
    /* lenient_dash_quoted_keys(): list items whose first key is quoted, a space after its ':' */
    struct lenient_key *dash_keys;
    size_t ndash_keys, dash_keys_cap;
    bool want_dash_keys;
};

static bool blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Characters in t[0..n): libyaml counts each character once, whatever its bytes. */
static uint64_t chars(const char *t, size_t n)
{
    uint64_t count = 0;
    for (size_t i = 0; i < n; i++)
        count += ((unsigned char)t[i] & 0xC0) != 0x80;
    return count;
}

/* From just inside a quoted scalar: just past its closing quote, or n (*closed false). */
static size_t skip_quoted(const char *t, size_t n, size_t i, char quote, bool *closed)
{
    *closed = false;
    while (i < n) {
        if (quote == '"' && t[i] == '\\') {
            i += 2;
            continue;
        }
        if (t[i] == quote) {
            if (quote == '\'' && i + 1 < n && t[i + 1] == '\'') {
                i += 2;
                continue;
            }
            *closed = true;
            return i + 1;
        }
        i++;
    }
    return n;
}

/* A quote opens a scalar only where a value starts, not inside a plain one (it's). */
static bool starts_value(const char *t, size_t i, size_t from)
{
    return i == from || blank(t[i - 1]) || strchr("[{,:", t[i - 1]);
}

/* Inside a flow collection, from t[i]: follows brackets, quotes and comments to its end. */
static void scan_flow(struct scan *s, const char *t, size_t n, size_t i)
{
    size_t from = i;
    while (i < n) {
        if (s->quote) {
            bool closed;
            i = skip_quoted(t, n, i, s->quote, &closed);
            if (closed)
                s->quote = 0;
            continue;
        }
        char c = t[i];
        if (c == '#' && (i == 0 || blank(t[i - 1])))
            return;
        if ((c == '"' || c == '\'') && starts_value(t, i, from))
            s->quote = c;
        else if (c == '[' || c == '{')
            s->flow++;
        else if ((c == ']' || c == '}') && --s->flow <= 0) {
            s->flow = 0;
            return; /* what follows the collection on its line holds no key */
        }
        i++;
    }
}

/* A value from t[i] on, in a mapping whose keys stand at column `indent`. */
static void scan_value(struct scan *s, const char *t, size_t n, size_t i, long indent)
{
    for (;;) {
        while (i < n && blank(t[i]))
            i++;
        if (i < n && (t[i] == '&' || t[i] == '!')) { /* an anchor or a tag before the value */
            while (i < n && !blank(t[i]))
                i++;
            continue;
        }
        break;
    }
    if (i >= n || t[i] == '#')
        return;
    if (t[i] == '[' || t[i] == '{') {
        s->flow = 0;
        scan_flow(s, t, n, i);
    } else if (t[i] == '|' || t[i] == '>') {
        s->in_block = true;
        s->block = indent;
    } else if (t[i] == '"' || t[i] == '\'') {
        bool closed;
        skip_quoted(t, n, i + 1, t[i], &closed);
        if (!closed)
            s->quote = t[i];
    }
}

/*
 * Room for one more item of a list the scan fills: the list (grown, maybe moved), or NULL with
 * the scan full, past LENIENT_MAX_COLONS items or out of memory (then also oom).
 */
static void *scan_room(struct scan *s, void *items, size_t *cap, size_t count, size_t size)
{
    if (count >= LENIENT_MAX_COLONS) {
        s->full = true;
        return NULL;
    }
    void *grown = array_grow(items, cap, count, size, 16);
    if (!grown)
        s->full = s->oom = true;
    return grown;
}

static void candidate(struct scan *s, uint64_t offset, uint64_t index, bool after_dash)
{
    struct lenient_plan *p = s->plan;
    struct lenient_colon *grown = index < s->after || s->full
                                      ? NULL
                                      : scan_room(s, p->colons, &p->cap, p->count, sizeof(*grown));
    if (!grown)
        return; /* not a candidate, or no room: the list stays as it was */
    p->colons = grown;
    p->colons[p->count++] =
        (struct lenient_colon){.offset = offset, .index = index, .after_dash = after_dash};
}

static void dash_key(struct scan *s, uint32_t column)
{
    struct lenient_key *grown =
        !s->want_dash_keys || s->full
            ? NULL
            : scan_room(s, s->dash_keys, &s->dash_keys_cap, s->ndash_keys, sizeof(*grown));
    if (!grown)
        return;
    s->dash_keys = grown;
    s->dash_keys[s->ndash_keys++] = (struct lenient_key){s->line, column};
}

/* A line of block context: "- " items, then a key and its value, or a value alone. */
static void scan_block_line(struct scan *s, const char *t, size_t n, uint64_t offset,
                            uint64_t index)
{
    size_t i = 0;
    while (i < n && t[i] == ' ')
        i++;
    if (i == n || t[i] == '#')
        return;
    if (i == 0 && n >= 3 && (!memcmp(t, "---", 3) || !memcmp(t, "...", 3)) &&
        (n == 3 || blank(t[3]))) {
        scan_value(s, t, n, 3, -1);
        return;
    }
    long item = -1; /* the column of the last "- " */
    while (i < n && t[i] == '-' && (i + 1 == n || blank(t[i + 1]))) {
        item = (long)i++;
        while (i < n && blank(t[i]))
            i++;
    }
    if (i >= n || t[i] == '#')
        return;
    long key = (long)i;
    if (t[i] == '"' || t[i] == '\'') {
        bool closed;
        size_t end = skip_quoted(t, n, i + 1, t[i], &closed);
        if (!closed) {
            s->quote = t[i];
            return;
        }
        if (end < n && t[end] == ':') {
            if (end + 1 < n && !blank(t[end + 1]))
                candidate(s, offset + end, index + chars(t, end), item >= 0);
            else if (item >= 0)
                dash_key(s, (uint32_t)chars(t, (size_t)key) + 1);
            scan_value(s, t, n, end + 1, key);
        }
        return;
    }
    if (strchr("[{|>&!", t[i])) { /* a value alone: a list item, or the document's own */
        scan_value(s, t, n, i, item >= 0 ? item : key - 1);
        return;
    }
    for (size_t j = i; j < n; j++) {
        if (t[j] == ':' && (j + 1 == n || blank(t[j + 1]))) {
            scan_value(s, t, n, j + 1, key);
            return;
        }
        if (t[j] == '#' && blank(t[j - 1]))
            return;
    }
}

/* Any line may hold one: libyaml's last event may start past the quote that ended its string
 * (only what a template holds is touched, and the check parse must still read it all). */
static void quote_candidate(struct scan *s, uint64_t offset, uint32_t line, uint32_t column)
{
    struct lenient_plan *p = s->plan;
    struct lenient_quote *grown =
        s->full ? NULL : scan_room(s, p->quotes, &p->quotes_cap, p->nquotes, sizeof(*grown));
    if (!grown)
        return;
    p->quotes = grown;
    p->quotes[p->nquotes++] = (struct lenient_quote){offset, line, column};
}

/*
 * decK templates on the line whose double quotes end a double-quoted string early: a `${{`
 * after an odd number of double quotes (none escaped, none of an earlier template), up to its
 * `}}`. Every double quote inside it is a candidate.
 */
static void scan_templates(struct scan *s, const char *t, size_t n, uint64_t offset)
{
    if (!memchr(t, '$', n))
        return;
    bool in_string = s->quote == '"';
    for (size_t i = 0; i < n; i++) {
        if (t[i] == '\\' && in_string) {
            i++;
            continue;
        }
        if (t[i] == '"') {
            in_string = !in_string;
            continue;
        }
        if (!in_string || i + 2 >= n || memcmp(t + i, "${{", 3) != 0)
            continue;
        size_t end = i + 3;
        while (end + 1 < n && memcmp(t + end, "}}", 2) != 0)
            end++;
        if (end + 1 >= n)
            return; /* not closed on its line: not a template a line scanner can follow */
        for (size_t j = i + 3; j < end; j++)
            if (t[j] == '"')
                quote_candidate(s, offset + j, s->line, (uint32_t)chars(t, j) + 1);
        i = end + 1;
    }
}

static void scan_line(struct scan *s, const char *t, size_t n, uint64_t offset, uint64_t index)
{
    s->line++;
    if (s->in_block) {
        size_t indent = 0;
        while (indent < n && blank(t[indent]))
            indent++;
        if (indent == n || (long)indent > s->block)
            return; /* the block scalar's text */
        s->in_block = false;
    }
    scan_templates(s, t, n, offset);
    if (s->quote && !s->flow) {
        bool closed;
        skip_quoted(t, n, 0, s->quote, &closed);
        if (closed)
            s->quote = 0;
        return; /* what follows a value's closing quote holds no key */
    }
    if (s->flow || s->quote) {
        scan_flow(s, t, n, 0);
        return;
    }
    scan_block_line(s, t, n, offset, index);
}

/*
 * Reads the file line by line: each line without its break, with the byte offset and the
 * character index of its start. Breaks are LF, CRLF and a lone CR, as libyaml's; a byte order
 * mark is no character to libyaml. A UTF-16 file or a line past the limit: no plan.
 */
static bool scan_file(struct input *in, struct scan *s, uint64_t max_line)
{
    unsigned char chunk[65536];
    struct buf line;
    buf_init(&line, (size_t)max_line);
    uint64_t offset = 0, index = 0, line_offset = 0, line_index = 0;
    bool after_cr = false, ok = true, first = true;
    long got = 0;
    while (ok && !s->full && (got = input_read(in, chunk, sizeof(chunk))) > 0) {
        size_t i = 0;
        if (first && got >= 2 &&
            ((chunk[0] == 0xFE && chunk[1] == 0xFF) || (chunk[0] == 0xFF && chunk[1] == 0xFE)))
            ok = false;
        if (first && got >= 3 && chunk[0] == 0xEF && chunk[1] == 0xBB && chunk[2] == 0xBF)
            i = 3, offset = line_offset = 3;
        first = false;
        for (; ok && i < (size_t)got; i++) {
            unsigned char c = chunk[i];
            bool lf_after_cr = after_cr && c == '\n';
            after_cr = c == '\r';
            offset++;
            index += (c & 0xC0) != 0x80;
            if (lf_after_cr) {
                line_offset = offset;
                line_index = index;
                continue;
            }
            if (c == '\n' || c == '\r') {
                scan_line(s, line.data ? line.data : "", line.len, line_offset, line_index);
                buf_clear(&line);
                line_offset = offset;
                line_index = index;
                continue;
            }
            if (buf_putc(&line, (char)c) < 0)
                ok = false;
        }
    }
    if (ok && got == 0 && !s->full && line.len)
        scan_line(s, line.data, line.len, line_offset, line_index);
    buf_release(&line);
    return ok && got == 0 && !s->full;
}

/* ---- the second reading ------------------------------------------------------------------- */

struct level {
    bool mapping, flow;
    uint64_t children;
};

struct check {
    struct lenient_plan *plan;
    struct level *levels;
    size_t depth, max_depth;
    size_t next;
    bool bad;
};

/* Where the next colon's ':' stands in the patched text (each earlier space moved it). */
static uint64_t patched_index(const struct check *k)
{
    return k->plan->colons[k->next].index + k->next;
}

static void match_key(struct check *k, const yaml_event_t *ev)
{
    const struct level *top = k->depth ? &k->levels[k->depth - 1] : NULL;
    bool key = top && top->mapping && !top->flow && top->children % 2 == 0;
    bool quoted = ev->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                  ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
    if (!key || !quoted || k->next == k->plan->count || ev->end_mark.index != patched_index(k))
        return;
    struct lenient_colon *c = &k->plan->colons[k->next++];
    c->line = (uint32_t)ev->end_mark.line + 1;
    c->column = (uint32_t)ev->end_mark.column + 1; /* nothing moved before it on its line */
    c->quote = ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE ? '"' : '\'';
    size_t len = ev->data.scalar.length < 40 ? ev->data.scalar.length : 40;
    while (len < ev->data.scalar.length && len > 0 && (ev->data.scalar.value[len] & 0xC0) == 0x80)
        len--; /* never cut a character in two */
    c->key = arena_strndup(&k->plan->keys, (const char *)ev->data.scalar.value, len);
    if (!c->key)
        k->bad = true;
}

static void follow(struct check *k, const yaml_event_t *ev)
{
    /* A space that no quoted key ended right before: it went into something else. */
    if (k->next < k->plan->count && ev->start_mark.index > patched_index(k)) {
        k->bad = true;
        return;
    }
    bool counts = false;
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        match_key(k, ev);
        counts = true;
        break;
    case YAML_ALIAS_EVENT:
        counts = true;
        break;
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        if (k->depth == k->max_depth) {
            k->bad = true;
            return;
        }
        bool mapping = ev->type == YAML_MAPPING_START_EVENT;
        bool flow = mapping ? ev->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE
                            : ev->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;
        k->levels[k->depth++] = (struct level){mapping, flow, 0};
        break;
    }
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        if (k->depth)
            k->depth--;
        counts = true;
        break;
    default:
        break;
    }
    if (counts && k->depth)
        k->levels[k->depth - 1].children++;
}

struct patched {
    struct input in;
    struct lenient_stream stream;
    uint64_t since_event, max_gap; /* bytes read since the last event, and the most allowed */
};

static int patched_read(void *data, unsigned char *buffer, size_t size, size_t *size_read)
{
    struct patched *p = data;
    if (p->since_event > p->max_gap)
        return 0; /* a value this large would stop the reading anyway */
    long n = lenient_read(&p->stream, buffer, size, input_read, &p->in);
    if (n < 0)
        return 0;
    *size_read = (size_t)n;
    p->since_event += (uint64_t)n;
    return 1;
}

/* Parses the patched text to its end; true when it reads and every space follows a key. */
static bool check_plan(const struct source *src, const char *memory, size_t len,
                       struct lenient_plan *plan, uint32_t max_depth, uint64_t max_gap)
{
    struct patched p = {.max_gap = max_gap};
    if (input_open(&p.in, src, memory, len) < 0)
        return false;
    lenient_stream_init(&p.stream, plan);
    struct check k = {.plan = plan, .max_depth = max_depth};
    k.levels = malloc((max_depth + 1) * sizeof(*k.levels));
    yaml_parser_t parser;
    bool ready = k.levels && yaml_parser_initialize(&parser);
    bool done = false;
    if (ready) {
        yaml_parser_set_input(&parser, patched_read, &p);
        yaml_event_t ev;
        while (!k.bad && yaml_parser_parse(&parser, &ev)) {
            p.since_event = 0;
            follow(&k, &ev);
            done = ev.type == YAML_STREAM_END_EVENT;
            yaml_event_delete(&ev);
            if (done)
                break;
        }
        yaml_parser_delete(&parser);
    }
    free(k.levels);
    input_close(&p.in);
    return done && !k.bad && k.next == plan->count;
}

int lenient_probe(const struct source *src, const char *memory, size_t len, uint64_t after,
                  uint32_t max_depth, uint64_t max_gap, struct lenient_plan **out)
{
    *out = NULL;
    struct lenient_plan *plan = plan_new();
    if (!plan)
        return GH_ENOMEM;
    struct scan s = {.plan = plan, .after = after};
    struct input in;
    bool found = false;
    if (input_open(&in, src, memory, len) == 0) {
        found = scan_file(&in, &s, max_gap) && (plan->count > 0 || plan->nquotes > 0);
        input_close(&in);
    }
    if (s.oom) {
        lenient_plan_free(plan);
        return GH_ENOMEM;
    }
    if (found && check_plan(src, memory, len, plan, max_depth, max_gap))
        *out = plan;
    else
        lenient_plan_free(plan);
    return 0;
}

int lenient_dash_quoted_keys(const struct source *src, const char *memory, size_t len,
                             uint64_t max_line, struct lenient_key **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    struct lenient_plan *plan = plan_new(); /* the scanner's colons, not wanted here */
    if (!plan)
        return GH_ENOMEM;
    struct scan s = {.plan = plan, .after = UINT64_MAX, .want_dash_keys = true};
    struct input in;
    bool read = false;
    if (input_open(&in, src, memory, len) == 0) {
        read = scan_file(&in, &s, max_line);
        input_close(&in);
    }
    lenient_plan_free(plan);
    if (s.oom) {
        free(s.dash_keys);
        return GH_ENOMEM;
    }
    if (!read) { /* unreadable again, or past a limit: nothing is said rather than a part */
        free(s.dash_keys);
        return 0;
    }
    *out = s.dash_keys;
    *count = s.ndash_keys;
    return 0;
}

/* ---- reading with the spaces, and positions back in the file ------------------------------- */

void lenient_stream_init(struct lenient_stream *s, const struct lenient_plan *plan)
{
    *s = (struct lenient_stream){.plan = plan};
}

long lenient_read(struct lenient_stream *s, unsigned char *buffer, size_t size,
                  lenient_read_fn read, void *ctx)
{
    if (size == 0)
        return 0;
    if (s->space_due) {
        s->space_due = false;
        s->next++;
        buffer[0] = ' ';
        return 1;
    }
    const struct lenient_plan *p = s->plan;
    if (s->next < p->count) {
        uint64_t up_to_colon = p->colons[s->next].offset + 1 - s->offset;
        if (up_to_colon < size)
            size = (size_t)up_to_colon;
    }
    long n = read(ctx, buffer, size);
    if (n <= 0)
        return n;
    for (; s->next_quote < p->nquotes && p->quotes[s->next_quote].offset < s->offset + (uint64_t)n;
         s->next_quote++)
        buffer[p->quotes[s->next_quote].offset - s->offset] = '\'';
    s->offset += (uint64_t)n;
    if (s->next < p->count && s->offset == p->colons[s->next].offset + 1)
        s->space_due = true;
    return n;
}

void lenient_map(const struct lenient_plan *plan, uint32_t line, uint32_t *column)
{
    size_t lo = 0, hi = plan->count;
    while (lo < hi) { /* the first colon on this line or after it */
        size_t mid = lo + (hi - lo) / 2;
        if (plan->colons[mid].line < line + 1)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == plan->count || plan->colons[lo].line != line + 1)
        return;
    /* 0-based: the ':' stands at column - 1 and its space at column; after that, one back. */
    if (*column > plan->colons[lo].column)
        (*column)--;
}

uint64_t lenient_map_offset(const struct lenient_plan *plan, uint64_t offset)
{
    uint64_t moved = 0;
    for (size_t i = 0; i < plan->count && plan->colons[i].offset + 1 + i < offset; i++)
        moved++;
    return offset - moved;
}
