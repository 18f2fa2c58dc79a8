#include "reader_json.h"

#include <stdlib.h>
#include <string.h>

#include "util/util_swar.h"
#include "util/util_utf8.h"

/*
 * libyaml's marks count characters: the index from the first character after a BOM, the
 * column from the line's start. Only strings hold characters of more than one byte, so a
 * position is its byte offset less the BOM and the UTF-8 continuation bytes before it.
 */

#define JSON_BUFFER (2 * 1024 * 1024) /* holds a whole token (JSON_TOKEN_MAX) past the cursor */
#define JSON_WINDOW (JSON_TOKEN_MAX + 16)
#define KEY_SPAN    1024 /* libyaml: a simple key and its ':' within 1024 characters */

enum state {
    J_STREAM_START,
    J_DOC_START,
    J_VALUE,
    J_FIRST_KEY,
    J_KEY,
    J_COLON,
    J_FIRST_ITEM,
    J_AFTER_VALUE,
    J_DOC_END,
    J_STREAM_END,
    J_DONE
};

enum { IN_MAPPING = 1, IN_SEQUENCE = 2 };

struct json_events {
    json_read_fn read;
    void *ctx;
    unsigned char *buf;
    size_t pos, end;
    bool eof;
    uint64_t base;       /* input offset of buf[0] */
    uint64_t skipped;    /* bytes before the first character: a BOM */
    uint64_t cont;       /* UTF-8 continuation bytes before buf[pos] */
    uint64_t line;       /* 0-based, as libyaml counts */
    uint64_t line_index; /* index of the current line's first character */
    enum state state;
    uint8_t *stack;
    size_t depth, stack_cap;
    uint32_t max_depth; /* refuse nesting this close to the reader's limit (0: none) */
    bool quiet;         /* json_events_check(): events are only counted, not filled */
    uint64_t key_offset, key_line;
    yaml_mark_t stream_end;
    unsigned char *text; /* a string's value with its escapes decoded */
    size_t text_cap;
    /* Events made and not yet handed out, in a ring of held_cap (a power of two): events
     * given to made-1, each at index n & (held_cap - 1) (json_events_next). */
    struct json_held {
        yaml_event_t ev;
        unsigned char *text; /* its value, a copy */
        size_t cap;
    } * held;
    size_t held_cap;
    uint64_t made, given;
    bool ended;       /* the stream's end has been handed out */
    uint64_t checked; /* input offset up to which characters are checked (note_bad_bytes) */
    uint64_t bad_at;  /* of the first character libyaml's reader refuses, or UINT64_MAX */
};

/* Bytes a string holds as they are: printable ASCII but the quote and the backslash. */
static const uint8_t plain_byte[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

static yaml_mark_t mark_at(const struct json_events *j, size_t p)
{
    yaml_mark_t m;
    m.index = (size_t)(j->base + p - j->skipped - j->cont);
    m.line = (size_t)j->line;
    m.column = (size_t)(m.index - j->line_index);
    return m;
}

static void new_line(struct json_events *j, size_t p)
{
    j->line++;
    j->line_index = j->base + p - j->skipped - j->cont;
}

/*
 * Checks the characters read since the last call, as libyaml's reader checks what it decodes
 * (a byte order mark first is taken; NEL, LS and PS count as bad here: this reader refuses
 * them anyway), and notes the first bad one. A character cut by the buffer's end waits for
 * the next read.
 */
static void note_bad_bytes(struct json_events *j)
{
    if (j->bad_at != UINT64_MAX)
        return;
    size_t p = (size_t)(j->checked - j->base), bad;
    if (j->checked == 0 && j->end >= 3 && j->buf[0] == 0xEF && j->buf[1] == 0xBB &&
        j->buf[2] == 0xBF)
        p = 3;
    p = utf8_yaml_check(j->buf, p, j->end, true, true, !j->eof, &bad);
    if (bad != SIZE_MAX)
        j->bad_at = j->base + bad;
    j->checked = j->base + p;
}

/* Moves the unread bytes to the front and reads until the buffer is full or the input ends. */
static enum json_status refill(struct json_events *j)
{
    if (j->eof)
        return JSON_EVENT;
    if (j->pos) {
        memmove(j->buf, j->buf + j->pos, j->end - j->pos);
        j->base += j->pos;
        j->end -= j->pos;
        j->pos = 0;
    }
    while (j->end < JSON_BUFFER) {
        long n = j->read(j->ctx, j->buf + j->end, JSON_BUFFER - j->end);
        if (n < 0)
            return JSON_EIO;
        if (n == 0) {
            j->eof = true;
            break;
        }
        j->end += (size_t)n;
    }
    note_bad_bytes(j);
    return JSON_EVENT;
}

/* A whole token from the cursor on is in the buffer (or the rest of the input). */
static enum json_status window(struct json_events *j)
{
    return j->end - j->pos < JSON_WINDOW && !j->eof ? refill(j) : JSON_EVENT;
}

/*
 * Eight bytes at a time where the machine is little-endian: the first byte that is not a space
 * (skip_spaces), and the first a string cannot hold as it is (plain_run: a quote, a
 * backslash, a control character, DEL, any byte of a multi-byte character); util_swar.h.
 */
static inline size_t skip_spaces(const unsigned char *b, size_t p, size_t e)
{
#ifdef UTIL_SWAR
    for (; p + 8 <= e; p += 8) {
        uint64_t x = swar_load(b + p) ^ (SWAR_ONES * ' ');
        if (x)
            return p + swar_first(x);
    }
#endif
    while (p < e && b[p] == ' ')
        p++;
    return p;
}

static inline size_t plain_run(const unsigned char *b, size_t p, size_t e)
{
#ifdef UTIL_SWAR
    for (; p + 8 <= e; p += 8) {
        uint64_t w = swar_load(b + p);
        uint64_t hit = swar_bytes_equal(w, '"') | swar_bytes_equal(w, '\\') |
                       swar_bytes_equal(w, 0x7F) | ((w - SWAR_ONES * 0x20) & ~w & SWAR_HIGHS) |
                       (w & SWAR_HIGHS);
        if (hit)
            return p + swar_first(hit);
    }
#endif
    while (p < e && plain_byte[b[p]])
        p++;
    return p;
}

/* Skips blanks and line breaks (a tab only inside the root value, where libyaml skips it). */
static enum json_status skip_blanks(struct json_events *j)
{
    uint64_t from = j->base + j->pos;
    for (;;) {
        const unsigned char *b = j->buf;
        size_t p = j->pos, e = j->end;
        while (p < e) {
            unsigned char c = b[p];
            if (c == ' ') {
                p = skip_spaces(b, p + 1, e);
            } else if (c == '\t' && j->depth) {
                p++;
            } else if (c == '\n') {
                new_line(j, ++p);
            } else if (c == '\r') {
                if (p + 1 == e && !j->eof)
                    break; /* CR LF is one break: look at the next byte first */
                p++;
                if (p < e && b[p] == '\n')
                    p++;
                new_line(j, p);
            } else {
                break;
            }
        }
        j->pos = p;
        if (j->base + p - from > JSON_TOKEN_MAX)
            return JSON_REFUSED;
        if (j->eof || (p < e && !(b[p] == '\r' && p + 1 == e)))
            return JSON_EVENT;
        enum json_status rc = refill(j);
        if (rc != JSON_EVENT)
            return rc;
    }
}

static int hex_digit(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The code point of \uXXXX at s (6 bytes available), or -1. */
static long unicode_escape(const unsigned char *s)
{
    long v = 0;
    for (int i = 2; i < 6; i++) {
        int d = hex_digit(s[i]);
        if (d < 0)
            return -1;
        v = v << 4 | d;
    }
    return v;
}

/* The length of a JSON escape this reader decodes as libyaml does, or 0. */
static size_t escape_length(const unsigned char *s, size_t avail)
{
    if (avail < 2)
        return 0;
    switch (s[1]) {
    case '"':
    case '\\':
    case '/':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
        return 2;
    case 'u': {
        if (avail < 6)
            return 0;
        long v = unicode_escape(s);
        /* Surrogates: libyaml refuses them. '$', '{', '}': see reader_json.h. */
        if (v < 0 || (v >= 0xD800 && v <= 0xDFFF) || v == '$' || v == '{' || v == '}')
            return 0;
        return 6;
    }
    default:
        return 0;
    }
}

static size_t put_utf8(unsigned char *out, unsigned long v)
{
    if (v < 0x80) {
        out[0] = (unsigned char)v;
        return 1;
    }
    if (v < 0x800) {
        out[0] = (unsigned char)(0xC0 | v >> 6);
        out[1] = (unsigned char)(0x80 | (v & 0x3F));
        return 2;
    }
    out[0] = (unsigned char)(0xE0 | v >> 12);
    out[1] = (unsigned char)(0x80 | ((v >> 6) & 0x3F));
    out[2] = (unsigned char)(0x80 | (v & 0x3F));
    return 3;
}

/* The string's value, its escapes (checked already) decoded, in j->text. */
static enum json_status decode(struct json_events *j, const unsigned char *s, size_t n, size_t *len)
{
    if (n > j->text_cap) {
        unsigned char *t = realloc(j->text, n);
        if (!t)
            return JSON_ENOMEM;
        j->text = t;
        j->text_cap = n;
    }
    static const unsigned char simple[256] = {
        ['"'] = '"',  ['\\'] = '\\', ['/'] = '/',  ['b'] = '\b',
        ['f'] = '\f', ['n'] = '\n',  ['r'] = '\r', ['t'] = '\t'};
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        if (s[i] != '\\') {
            j->text[o++] = s[i++];
        } else if (s[i + 1] == 'u') {
            o += put_utf8(j->text + o, (unsigned long)unicode_escape(s + i));
            i += 6;
        } else {
            j->text[o++] = simple[s[i + 1]];
            i += 2;
        }
    }
    *len = o;
    return JSON_EVENT;
}

static void scalar_event(const struct json_events *j, yaml_event_t *ev, const unsigned char *value,
                         size_t len, bool quoted, yaml_mark_t start, yaml_mark_t end)
{
    if (j->quiet) {
        ev->type = YAML_SCALAR_EVENT;
        return;
    }
    memset(ev, 0, sizeof(*ev));
    ev->type = YAML_SCALAR_EVENT;
    ev->data.scalar.value = (yaml_char_t *)value;
    ev->data.scalar.length = len;
    ev->data.scalar.plain_implicit = !quoted;
    ev->data.scalar.quoted_implicit = quoted;
    ev->data.scalar.style = quoted ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_PLAIN_SCALAR_STYLE;
    ev->start_mark = start;
    ev->end_mark = end;
}

/* A string from the quote at the cursor. */
static enum json_status scan_string(struct json_events *j, yaml_event_t *ev)
{
    const unsigned char *b = j->buf;
    size_t start = j->pos, p = start + 1;
    size_t stop = j->end - start > JSON_TOKEN_MAX ? start + JSON_TOKEN_MAX : j->end;
    bool escaped = false;
    uint64_t cont = 0;
    for (;;) {
        p = plain_run(b, p, stop);
        if (p >= stop)
            return JSON_REFUSED; /* too long, or unterminated */
        unsigned char c = b[p];
        size_t n;
        if (c == '"')
            break;
        if (c == '\\') {
            if (!(n = escape_length(b + p, stop - p)))
                return JSON_REFUSED;
            escaped = true;
        } else {
            if (!(n = utf8_yaml_length(b + p, stop - p)))
                return JSON_REFUSED; /* control characters, DEL, what libyaml refuses */
            cont += n - 1;
        }
        p += n;
    }
    yaml_mark_t from = mark_at(j, start);
    j->cont += cont;
    j->pos = p + 1;
    const unsigned char *value = b + start + 1;
    size_t len = p - start - 1;
    if (escaped && !j->quiet) {
        enum json_status rc = decode(j, value, len, &len);
        if (rc != JSON_EVENT)
            return rc;
        value = j->text;
    }
    scalar_event(j, ev, value, len, true, from, mark_at(j, j->pos));
    return JSON_EVENT;
}

bool json_number(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && s[i] == '-')
        i++;
    if (i < n && s[i] == '0')
        i++;
    else if (i < n && s[i] >= '1' && s[i] <= '9')
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    else
        return false;
    if (i < n && s[i] == '.') {
        size_t digits = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == digits)
            return false;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t digits = i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == digits)
            return false;
    }
    return i == n;
}

long json_memory_read(void *ctx, unsigned char *buffer, size_t size)
{
    struct json_memory *in = ctx;
    size_t n = in->len - in->pos < size ? in->len - in->pos : size;
    memcpy(buffer, in->data + in->pos, n);
    in->pos += n;
    return (long)n;
}

static bool literal_byte(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '-' ||
           c == '+' || c == '.';
}

/* true, false, null or a number: a plain scalar to libyaml. */
static enum json_status scan_literal(struct json_events *j, yaml_event_t *ev)
{
    const unsigned char *b = j->buf;
    size_t start = j->pos, p = start;
    size_t stop = j->end - start > JSON_TOKEN_MAX ? start + JSON_TOKEN_MAX : j->end;
    while (p < stop && literal_byte(b[p]))
        p++;
    size_t n = p - start;
    if (p == stop && stop < j->end)
        return JSON_REFUSED;
    bool word = (n == 4 && (!memcmp(b + start, "true", 4) || !memcmp(b + start, "null", 4))) ||
                (n == 5 && !memcmp(b + start, "false", 5));
    if (!n || !(word || json_number((const char *)b + start, n)))
        return JSON_REFUSED;
    j->pos = p;
    scalar_event(j, ev, b + start, n, false, mark_at(j, start), mark_at(j, p));
    return JSON_EVENT;
}

static void plain_event(const struct json_events *j, yaml_event_t *ev, yaml_event_type_t type,
                        yaml_mark_t start, yaml_mark_t end)
{
    if (j->quiet) {
        ev->type = type;
        return;
    }
    memset(ev, 0, sizeof(*ev));
    ev->type = type;
    ev->start_mark = start;
    ev->end_mark = end;
}

static enum json_status open_container(struct json_events *j, yaml_event_t *ev, bool mapping)
{
    if (j->max_depth && j->depth + 4 > j->max_depth)
        return JSON_REFUSED;
    if (j->depth == j->stack_cap) {
        size_t cap = j->stack_cap ? 2 * j->stack_cap : 64;
        uint8_t *s = realloc(j->stack, cap);
        if (!s)
            return JSON_ENOMEM;
        j->stack = s;
        j->stack_cap = cap;
    }
    j->stack[j->depth++] = mapping ? IN_MAPPING : IN_SEQUENCE;
    plain_event(j, ev, mapping ? YAML_MAPPING_START_EVENT : YAML_SEQUENCE_START_EVENT,
                mark_at(j, j->pos), mark_at(j, j->pos + 1));
    if (mapping) {
        ev->data.mapping_start.implicit = 1;
        ev->data.mapping_start.style = YAML_FLOW_MAPPING_STYLE;
    } else {
        ev->data.sequence_start.implicit = 1;
        ev->data.sequence_start.style = YAML_FLOW_SEQUENCE_STYLE;
    }
    j->pos++;
    j->state = mapping ? J_FIRST_KEY : J_FIRST_ITEM;
    return JSON_EVENT;
}

static enum json_status close_container(struct json_events *j, yaml_event_t *ev)
{
    bool mapping = j->stack[--j->depth] == IN_MAPPING;
    plain_event(j, ev, mapping ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT,
                mark_at(j, j->pos), mark_at(j, j->pos + 1));
    j->pos++;
    j->state = J_AFTER_VALUE;
    return JSON_EVENT;
}

/* A value from the cursor (blanks skipped): the event it starts with. */
static enum json_status value(struct json_events *j, yaml_event_t *ev)
{
    if (j->pos == j->end)
        return JSON_REFUSED;
    unsigned char c = j->buf[j->pos];
    if (c == '{' || c == '[')
        return open_container(j, ev, c == '{');
    j->state = J_AFTER_VALUE;
    if (c == '"')
        return scan_string(j, ev);
    if (c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f' || c == 'n')
        return scan_literal(j, ev);
    return JSON_REFUSED;
}

static enum json_status key(struct json_events *j, yaml_event_t *ev)
{
    if (j->pos == j->end || j->buf[j->pos] != '"')
        return JSON_REFUSED;
    j->key_offset = j->base + j->pos;
    j->key_line = j->line;
    j->state = J_COLON;
    return scan_string(j, ev);
}

/* The ':' after a key: on the key's line and near enough for libyaml to take it as a key. */
static enum json_status colon(struct json_events *j)
{
    if (j->pos == j->end || j->buf[j->pos] != ':' || j->line != j->key_line ||
        j->base + j->pos - j->key_offset > KEY_SPAN)
        return JSON_REFUSED;
    j->pos++;
    j->state = J_VALUE;
    return JSON_EVENT;
}

/* After a value: a comma, or the end of the container. */
static enum json_status after_value(struct json_events *j, yaml_event_t *ev, bool *emitted)
{
    if (j->pos == j->end)
        return JSON_REFUSED;
    unsigned char c = j->buf[j->pos];
    bool mapping = j->stack[j->depth - 1] == IN_MAPPING;
    if (c == ',') {
        j->pos++;
        j->state = mapping ? J_KEY : J_VALUE;
        return JSON_EVENT;
    }
    if (c != (mapping ? '}' : ']'))
        return JSON_REFUSED;
    *emitted = true;
    return close_container(j, ev);
}

static enum json_status start(struct json_events *j, yaml_event_t *ev)
{
    enum json_status rc = refill(j);
    if (rc != JSON_EVENT)
        return rc;
    if (j->end >= 3 && j->buf[0] == 0xEF && j->buf[1] == 0xBB && j->buf[2] == 0xBF)
        j->pos = j->skipped = 3;
    plain_event(j, ev, YAML_STREAM_START_EVENT, mark_at(j, j->pos), mark_at(j, j->pos));
    ev->data.stream_start.encoding = YAML_UTF8_ENCODING;
    j->state = J_DOC_START;
    return JSON_EVENT;
}

/* The implicit document ends where libyaml's stream end is: a line after the last text. */
static enum json_status document_end(struct json_events *j, yaml_event_t *ev)
{
    if (j->pos != j->end)
        return JSON_REFUSED;
    yaml_mark_t m = mark_at(j, j->pos);
    if (m.column) {
        m.line++;
        m.column = 0;
    }
    j->stream_end = m;
    plain_event(j, ev, YAML_DOCUMENT_END_EVENT, m, m);
    ev->data.document_end.implicit = 1;
    j->state = J_STREAM_END;
    return JSON_EVENT;
}

/* One step: an event (*emitted), or a step without one (a comma, a colon). */
static enum json_status step(struct json_events *j, yaml_event_t *ev, bool *emitted)
{
    enum json_status rc = JSON_EVENT;
    enum state s = j->state;
    *emitted = true;
    if (s == J_STREAM_START)
        return start(j, ev);
    if (s == J_STREAM_END) {
        plain_event(j, ev, YAML_STREAM_END_EVENT, j->stream_end, j->stream_end);
        j->state = J_DONE;
        return JSON_EVENT;
    }
    if (s == J_DONE)
        return JSON_REFUSED;
    if (s == J_AFTER_VALUE && j->depth == 0) {
        *emitted = false;
        j->state = J_DOC_END;
        return JSON_EVENT;
    }
    if ((rc = skip_blanks(j)) != JSON_EVENT || (rc = window(j)) != JSON_EVENT)
        return rc;
    switch (s) {
    case J_DOC_START:
        if (j->pos == j->end || (j->buf[j->pos] != '{' && j->buf[j->pos] != '['))
            return JSON_REFUSED;
        plain_event(j, ev, YAML_DOCUMENT_START_EVENT, mark_at(j, j->pos), mark_at(j, j->pos));
        ev->data.document_start.implicit = 1;
        j->state = J_VALUE;
        return JSON_EVENT;
    case J_FIRST_KEY:
        if (j->pos < j->end && j->buf[j->pos] == '}')
            return close_container(j, ev);
        return key(j, ev);
    case J_KEY:
        return key(j, ev);
    case J_FIRST_ITEM:
        if (j->pos < j->end && j->buf[j->pos] == ']')
            return close_container(j, ev);
        return value(j, ev);
    case J_VALUE:
        return value(j, ev);
    case J_COLON:
        *emitted = false;
        return colon(j);
    case J_AFTER_VALUE:
        *emitted = false;
        return after_value(j, ev, emitted);
    case J_DOC_END:
        return document_end(j, ev);
    default:
        return JSON_REFUSED;
    }
}

/* The next event of the input, as the reader reads it (not yet handed out). */
static enum json_status produce(struct json_events *j, yaml_event_t *ev)
{
    for (;;) {
        bool emitted;
        enum json_status rc = step(j, ev, &emitted);
        if (rc != JSON_EVENT || emitted)
            return rc;
    }
}

/* ---- handing out ---------------------------------------------------------------------------- */

/*
 * An event is handed out only once libyaml is sure to give it too. Before libyaml gives an
 * event it may read ahead: where a key could start (every scalar and every '[' or '{' in JSON)
 * it reads token after token until a token starts on a later line or more than 1024
 * characters on, and it refuses a bad character up to 16 KiB past where it scans. So an event
 * waits until the reader has made a later event that starts so far on, and the input MARGIN
 * bytes past the cursor has been read and found to hold only characters libyaml's reader
 * takes. Every token up to there is read exactly as libyaml reads it, so libyaml gives every
 * event handed out before any error of its own, and whoever reads on with libyaml after
 * JSON_REFUSED may skip them (reader_json.h).
 */
#define MARGIN    (64 * 1024)
#define KEY_AHEAD 1024

/* An event made: its value copied out of the buffers, which move on. */
static enum json_status hold(struct json_held *h)
{
    if (h->ev.type != YAML_SCALAR_EVENT)
        return JSON_EVENT;
    size_t n = h->ev.data.scalar.length;
    if (h->cap <= n) {
        size_t cap = h->cap ? h->cap : 256;
        while (cap <= n)
            cap *= 2;
        unsigned char *t = realloc(h->text, cap);
        if (!t)
            return JSON_ENOMEM;
        h->text = t;
        h->cap = cap;
    }
    memcpy(h->text, h->ev.data.scalar.value, n);
    h->text[n] = '\0';
    h->ev.data.scalar.value = h->text;
    return JSON_EVENT;
}

/* The input read and checked MARGIN bytes past the cursor (or to its end). */
static enum json_status read_ahead(struct json_events *j)
{
    while (!j->eof && j->end - j->pos < MARGIN) {
        enum json_status rc = refill(j);
        if (rc != JSON_EVENT)
            return rc;
    }
    return j->bad_at > j->base + j->pos + MARGIN ? JSON_EVENT : JSON_REFUSED;
}

static struct json_held *held_at(const struct json_events *j, uint64_t n)
{
    return &j->held[n & (j->held_cap - 1)];
}

/* libyaml has read as far as it may before it gives the oldest event held (first), now that
 * last has been made. */
static bool settled(const yaml_event_t *first, const yaml_event_t *last)
{
    return last->type == YAML_STREAM_END_EVENT || last->start_mark.line > first->start_mark.line ||
           last->start_mark.index > first->start_mark.index + KEY_AHEAD;
}

/* Room for one more event held: the ring doubles, its events kept in order. */
static enum json_status held_room(struct json_events *j)
{
    if (j->made - j->given < j->held_cap)
        return JSON_EVENT;
    size_t cap = j->held_cap ? 2 * j->held_cap : 16;
    struct json_held *ring = calloc(cap, sizeof(*ring));
    if (!ring)
        return JSON_ENOMEM;
    for (size_t i = 0; i < j->held_cap; i++) {
        uint64_t n = j->given + i;
        ring[n & (cap - 1)] = *held_at(j, n);
    }
    free(j->held);
    j->held = ring;
    j->held_cap = cap;
    return JSON_EVENT;
}

enum json_status json_events_next(struct json_events *j, yaml_event_t *ev)
{
    enum json_status rc;
    if (j->ended)
        return JSON_REFUSED; /* nothing after the stream's end */
    /* The oldest event held, and the newest; the ring may move as it grows. */
    const yaml_event_t *first = j->made > j->given ? &held_at(j, j->given)->ev : NULL;
    const yaml_event_t *last = first ? &held_at(j, j->made - 1)->ev : NULL;
    while (!first || !settled(first, last)) {
        if ((rc = held_room(j)) != JSON_EVENT)
            return rc;
        struct json_held *h = held_at(j, j->made);
        if ((rc = produce(j, &h->ev)) != JSON_EVENT || (rc = hold(h)) != JSON_EVENT)
            return rc;
        j->made++;
        first = &held_at(j, j->given)->ev;
        last = &h->ev;
    }
    if ((rc = read_ahead(j)) != JSON_EVENT)
        return rc;
    *ev = *first;
    j->given++;
    j->ended = ev->type == YAML_STREAM_END_EVENT;
    return JSON_EVENT;
}

uint64_t json_events_given(const struct json_events *j)
{
    return j->given;
}

struct json_events *json_events_new(json_read_fn read, void *ctx, uint32_t max_depth)
{
    struct json_events *j = calloc(1, sizeof(*j));
    if (!j)
        return NULL;
    j->buf = malloc(JSON_BUFFER);
    if (!j->buf) {
        free(j);
        return NULL;
    }
    j->read = read;
    j->ctx = ctx;
    j->max_depth = max_depth;
    j->bad_at = UINT64_MAX;
    return j;
}

void json_events_free(struct json_events *j)
{
    if (!j)
        return;
    free(j->buf);
    free(j->stack);
    free(j->text);
    for (size_t i = 0; i < j->held_cap; i++)
        free(j->held[i].text);
    free(j->held);
    free(j);
}

int json_events_check(json_read_fn read, void *ctx, uint32_t max_depth)
{
    struct json_events *j = json_events_new(read, ctx, max_depth);
    if (!j)
        return JSON_ENOMEM;
    j->quiet = true;
    yaml_event_t ev;
    enum json_status rc;
    while ((rc = produce(j, &ev)) == JSON_EVENT && ev.type != YAML_STREAM_END_EVENT)
        ;
    json_events_free(j);
    return rc == JSON_EVENT ? 1 : rc;
}
