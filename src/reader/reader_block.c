#include "reader_block.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/util_utf8.h"

/*
 * The input is read in chunks and taken a line at a time. Each line adds its events to a
 * queue; they are handed out once the next line with content has been read as well (libyaml
 * looks at the next token before it gives a scalar: it could be a key, or go on), and once the
 * bytes up to MARGIN past that line have been read and found clean (libyaml decodes, and so
 * refuses, its input well ahead of where it scans). Marks count characters, as libyaml's do:
 * a line's byte columns are turned into characters where the line holds UTF-8 sequences.
 */

#define CHUNK    (256 * 1024)
#define MARGIN   (64 * 1024)
#define KEY_SPAN 1000 /* libyaml: a simple key's ':' within 1024 characters of its start */
#define NO_BYTE  UINT64_MAX

enum level_kind { L_MAPPING, L_SEQUENCE, L_INDENTLESS }; /* indentless: at its mapping's column */

struct level {
    uint8_t kind;
    size_t column;
};

/* What the last line left open: a key or an entry whose value may start on a later line. */
enum pending { P_NONE, P_VALUE, P_ENTRY };

/* A queued event: its value, if a scalar, is at text + value. */
struct item {
    yaml_event_type_t type;
    int style;
    bool implicit;
    yaml_mark_t start, end;
    size_t value, length;
};

/* One line of the input, without its line break. */
struct line {
    const unsigned char *s;
    size_t n;
    size_t number;        /* 0-based */
    uint64_t offset;      /* of s[0] in the input */
    uint64_t index;       /* of s[0] in characters, as libyaml counts */
    size_t continuations; /* UTF-8 continuation bytes in it: none when it is ASCII */
};

struct block_events {
    block_read_fn read;
    void *ctx;
    uint32_t max_depth;

    unsigned char *buf;
    size_t cap, len, pos;   /* buf[pos..len) is not yet taken as lines */
    uint64_t base;          /* input offset of buf[0] */
    uint64_t bad_at;        /* input offset of the first character not taken, or NO_BYTE */
    uint64_t checked;       /* input offset up to which characters are checked */
    uint64_t continuations; /* UTF-8 continuation bytes in the lines taken */
    bool eof;
    size_t lines;       /* lines taken so far */
    size_t tail_column; /* the length of the last line taken when no line break ended it */

    struct level *levels;
    size_t depth, levels_cap;
    enum pending pending;
    yaml_mark_t pending_mark; /* where the empty value of a pending key or entry stands */
    bool started, rooted, finished;
    bool had_root;   /* the document's collection was opened: there is no second */
    bool plain_last; /* the last line with content ended in a plain scalar, which may go on */
    uint64_t last_event_at; /* the index (characters) where the last event queued starts */

    struct item *queue;
    size_t head, ready, tail, queue_cap;
    uint64_t ready_horizon; /* the events before ready wait for the input read clean to here */
    unsigned char *text;
    size_t text_len, text_cap;
    uint64_t given;
};

/* ---- input -------------------------------------------------------------------------------- */

/*
 * Checks the characters read since the last call, as libyaml's reader checks what it decodes,
 * and notes the first this reader does not take: what libyaml refuses, a tab or carriage
 * return, a line break other than a line feed, and a byte order mark (libyaml skips one at
 * the start of any line). A character cut by the buffer's end waits for the next read.
 */
static void note_bad_bytes(struct block_events *b)
{
    if (b->bad_at != NO_BYTE)
        return;
    size_t bad, p = utf8_yaml_check(b->buf, (size_t)(b->checked - b->base), b->len, false, false,
                                    !b->eof, &bad);
    if (bad != SIZE_MAX)
        b->bad_at = b->base + bad;
    b->checked = b->base + p;
}

/* Continuation bytes in a line: its characters are n less these. */
static size_t continuation_bytes(const unsigned char *s, size_t n)
{
    size_t i = utf8_ascii_run(s, 0, n, true), count = 0;
    for (; i < n; i++)
        count += (s[i] & 0xC0) == 0x80;
    return count;
}

/* Moves what is not yet taken to the front, then reads one chunk. */
static enum block_status refill(struct block_events *b)
{
    if (b->pos) {
        memmove(b->buf, b->buf + b->pos, b->len - b->pos);
        b->base += b->pos;
        b->len -= b->pos;
        b->pos = 0;
    }
    if (b->cap - b->len < CHUNK) {
        size_t cap = b->cap ? 2 * b->cap : 2 * CHUNK;
        unsigned char *more = realloc(b->buf, cap);
        if (!more)
            return BLOCK_ENOMEM;
        b->buf = more;
        b->cap = cap;
    }
    long n = b->read(b->ctx, b->buf + b->len, b->cap - b->len);
    if (n < 0)
        return BLOCK_EIO;
    if (n == 0)
        b->eof = true;
    b->len += (size_t)n;
    note_bad_bytes(b);
    return BLOCK_EVENT;
}

/* The next line into *l: BLOCK_EVENT, BLOCK_REFUSED at the end of the input, or an error. */
static enum block_status next_line(struct block_events *b, struct line *l)
{
    size_t searched = b->pos;
    for (;;) {
        const unsigned char *nl =
            b->buf ? memchr(b->buf + searched, '\n', b->len - searched) : NULL;
        size_t end = nl ? (size_t)(nl - b->buf) : b->len;
        if (nl || (b->eof && end > b->pos)) {
            l->s = b->buf + b->pos;
            l->n = end - b->pos;
            l->number = b->lines++;
            l->offset = b->base + b->pos;
            l->index = l->offset - b->continuations;
            l->continuations = continuation_bytes(l->s, l->n);
            b->continuations += l->continuations;
            b->pos = nl ? end + 1 : end;
            b->tail_column = nl ? 0 : l->n - l->continuations;
            return l->offset + l->n > b->bad_at ? BLOCK_REFUSED : BLOCK_EVENT;
        }
        if (b->eof)
            return BLOCK_REFUSED;
        if (b->len - b->pos > BLOCK_LINE_MAX)
            return BLOCK_REFUSED;
        searched = b->len - b->pos; /* refill moves the line to the front */
        enum block_status rc = refill(b);
        if (rc != BLOCK_EVENT)
            return rc;
    }
}

/* ---- the queue ------------------------------------------------------------------------------ */

/* The mark of the byte at `column` of a line: libyaml counts characters. */
static yaml_mark_t mark_at(const struct line *l, size_t column)
{
    size_t chars = l->continuations ? column - continuation_bytes(l->s, column) : column;
    yaml_mark_t m = {(size_t)l->index + chars, l->number, chars};
    return m;
}

static struct item *push(struct block_events *b, yaml_event_type_t type, yaml_mark_t start,
                         yaml_mark_t end)
{
    if (b->tail == b->queue_cap) {
        size_t cap = b->queue_cap ? 2 * b->queue_cap : 64;
        struct item *q = realloc(b->queue, cap * sizeof(*q));
        if (!q)
            return NULL;
        b->queue = q;
        b->queue_cap = cap;
    }
    struct item *it = &b->queue[b->tail++];
    *it = (struct item){.type = type, .start = start, .end = end, .implicit = true};
    b->last_event_at = start.index;
    return it;
}

static enum block_status push_plain(struct block_events *b, yaml_event_type_t type,
                                    yaml_mark_t start, yaml_mark_t end, int style)
{
    struct item *it = push(b, type, start, end);
    if (!it)
        return BLOCK_ENOMEM;
    it->style = style;
    return BLOCK_EVENT;
}

/* Room for n more bytes of scalar values, and a NUL after each. */
static bool text_room(struct block_events *b, size_t n)
{
    if (b->text_cap - b->text_len > n)
        return true;
    size_t cap = b->text_cap ? b->text_cap : 4096;
    while (cap - b->text_len <= n)
        cap *= 2;
    unsigned char *t = realloc(b->text, cap);
    if (!t)
        return false;
    b->text = t;
    b->text_cap = cap;
    return true;
}

/* A scalar whose value is the last `length` bytes written to text. */
static enum block_status push_scalar(struct block_events *b, yaml_mark_t start, yaml_mark_t end,
                                     size_t length, yaml_scalar_style_t style)
{
    struct item *it = push(b, YAML_SCALAR_EVENT, start, end);
    if (!it)
        return BLOCK_ENOMEM;
    it->style = style;
    it->value = b->text_len - length;
    it->length = length;
    b->text[b->text_len++] = '\0';
    return BLOCK_EVENT;
}

static enum block_status push_empty_scalar(struct block_events *b, yaml_mark_t at)
{
    if (!text_room(b, 1))
        return BLOCK_ENOMEM;
    return push_scalar(b, at, at, 0, YAML_PLAIN_SCALAR_STYLE);
}

static void fill(const struct block_events *b, const struct item *it, yaml_event_t *ev)
{
    memset(ev, 0, sizeof(*ev));
    ev->type = it->type;
    ev->start_mark = it->start;
    ev->end_mark = it->end;
    switch (it->type) {
    case YAML_STREAM_START_EVENT:
        ev->data.stream_start.encoding = YAML_UTF8_ENCODING;
        break;
    case YAML_DOCUMENT_START_EVENT:
        ev->data.document_start.implicit = it->implicit;
        break;
    case YAML_DOCUMENT_END_EVENT:
        ev->data.document_end.implicit = 1;
        break;
    case YAML_SCALAR_EVENT:
        ev->data.scalar.value = b->text + it->value;
        ev->data.scalar.length = it->length;
        ev->data.scalar.style = (yaml_scalar_style_t)it->style;
        ev->data.scalar.plain_implicit = it->style == YAML_PLAIN_SCALAR_STYLE;
        ev->data.scalar.quoted_implicit = it->style != YAML_PLAIN_SCALAR_STYLE;
        break;
    case YAML_MAPPING_START_EVENT:
        ev->data.mapping_start.implicit = 1;
        ev->data.mapping_start.style = (yaml_mapping_style_t)it->style;
        break;
    case YAML_SEQUENCE_START_EVENT:
        ev->data.sequence_start.implicit = 1;
        ev->data.sequence_start.style = (yaml_sequence_style_t)it->style;
        break;
    default:
        break;
    }
}

/* ---- nesting -------------------------------------------------------------------------------- */

static const struct level *top(const struct block_events *b)
{
    return b->depth ? &b->levels[b->depth - 1] : NULL;
}

static enum block_status open_level(struct block_events *b, enum level_kind kind, size_t column)
{
    if (b->max_depth && b->depth + 4 > b->max_depth)
        return BLOCK_REFUSED; /* the reader's limit: where it stops, libyaml's reading decides */
    if (b->depth == b->levels_cap) {
        size_t cap = b->levels_cap ? 2 * b->levels_cap : 16;
        struct level *l = realloc(b->levels, cap * sizeof(*l));
        if (!l)
            return BLOCK_ENOMEM;
        b->levels = l;
        b->levels_cap = cap;
    }
    b->levels[b->depth++] = (struct level){(uint8_t)kind, column};
    return BLOCK_EVENT;
}

/* Ends the innermost collection at `at`. */
static enum block_status close_level(struct block_events *b, yaml_mark_t at)
{
    bool mapping = b->levels[--b->depth].kind == L_MAPPING;
    return push_plain(b, mapping ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT, at, at, 0);
}

/* ---- scalars -------------------------------------------------------------------------------- */

/* How a scalar on a line ended: at a key's ':', a comment, the line's end, or something else. */
enum stop { S_COLON, S_COMMENT, S_END, S_OTHER };

struct scalar {
    size_t start, end; /* columns: the first character, one past the last (quotes included) */
    size_t colon;      /* with S_COLON: the column of the ':' */
    size_t length;     /* of the value, written at the end of text */
    yaml_scalar_style_t style;
    enum stop stop;
};

/* What a character is to the scanner: a table, not strchr(), as every character is asked. */
enum {
    C_INDICATOR = 1, /* cannot start a plain scalar: libyaml's indicators */
    C_FLOW_END = 2,  /* ends a plain scalar in a flow collection */
    C_FLOW_HARD = 4  /* in a flow plain scalar: left to libyaml */
};

static const uint8_t char_class[256] = {
    ['-'] = C_INDICATOR,
    ['?'] = C_INDICATOR | C_FLOW_HARD,
    [':'] = C_INDICATOR,
    [','] = C_INDICATOR | C_FLOW_END,
    ['['] = C_INDICATOR | C_FLOW_HARD,
    [']'] = C_INDICATOR | C_FLOW_END,
    ['{'] = C_INDICATOR | C_FLOW_HARD,
    ['}'] = C_INDICATOR | C_FLOW_END,
    ['#'] = C_INDICATOR | C_FLOW_HARD,
    ['&'] = C_INDICATOR,
    ['*'] = C_INDICATOR,
    ['!'] = C_INDICATOR,
    ['|'] = C_INDICATOR,
    ['>'] = C_INDICATOR,
    ['\''] = C_INDICATOR,
    ['"'] = C_INDICATOR,
    ['%'] = C_INDICATOR,
    ['@'] = C_INDICATOR,
    ['`'] = C_INDICATOR,
};

static bool indicator(unsigned char c)
{
    return char_class[c] & C_INDICATOR;
}

static size_t skip_spaces(const struct line *l, size_t i)
{
    while (i < l->n && l->s[i] == ' ')
        i++;
    return i;
}

/* What follows a quoted scalar or a flow collection that ended at column `end`. */
static enum stop stop_after(const struct line *l, size_t end, size_t *colon)
{
    size_t i = skip_spaces(l, end);
    if (i == l->n)
        return S_END;
    if (l->s[i] == '#' && i > end)
        return S_COMMENT;
    if (l->s[i] == ':' && (i + 1 == l->n || l->s[i + 1] == ' ')) {
        *colon = i;
        return S_COLON;
    }
    return S_OTHER;
}

/* A plain scalar's value, the line's characters from sc->start to end, into text. */
static enum block_status plain_value(struct block_events *b, const struct line *l,
                                     struct scalar *sc, size_t end)
{
    sc->end = end;
    sc->length = end - sc->start;
    sc->style = YAML_PLAIN_SCALAR_STYLE;
    if (!text_room(b, sc->length))
        return BLOCK_ENOMEM;
    memcpy(b->text + b->text_len, l->s + sc->start, sc->length);
    b->text_len += sc->length;
    return BLOCK_EVENT;
}

/* A plain scalar in block context from column sc->start: it ends at ": ", " #" or the line. */
static enum block_status block_plain(struct block_events *b, const struct line *l,
                                     struct scalar *sc)
{
    const unsigned char *s = l->s;
    size_t i = sc->start, end = i;
    sc->stop = S_END;
    while (i < l->n) {
        if (s[i] == ' ') {
            size_t j = skip_spaces(l, i);
            if (j < l->n && s[j] == '#') {
                sc->stop = S_COMMENT;
                break;
            }
            i = j;
            continue;
        }
        if (s[i] == ':' && (i + 1 == l->n || s[i + 1] == ' ')) {
            sc->stop = S_COLON;
            sc->colon = i;
            break;
        }
        end = ++i;
    }
    return plain_value(b, l, sc, end);
}

/*
 * A plain scalar in a flow collection: it ends before ',', ']', '}', or ": " (a key), blanks
 * inside it kept. A ':' or '#' in it, a '[', '{' or '?', and a comment are left to libyaml.
 */
static enum block_status flow_plain(struct block_events *b, const struct line *l, struct scalar *sc)
{
    const unsigned char *s = l->s;
    size_t i = sc->start, end = i;
    sc->stop = S_OTHER;
    while (i < l->n) {
        if (s[i] == ' ') {
            size_t j = skip_spaces(l, i);
            if (j == l->n || s[j] == '#')
                return BLOCK_REFUSED;
            if (s[j] == ':' || char_class[s[j]] & C_FLOW_END)
                break;
            i = j;
            continue;
        }
        if (s[i] == ':') {
            if (i + 1 < l->n && s[i + 1] == ' ')
                break;
            return BLOCK_REFUSED;
        }
        if (char_class[s[i]] & C_FLOW_END)
            break;
        if (char_class[s[i]] & C_FLOW_HARD)
            return BLOCK_REFUSED;
        end = ++i;
    }
    return plain_value(b, l, sc, end);
}

/* The character a double-quoted escape stands for, or 0 for those left to libyaml. */
static unsigned char escaped(unsigned char c)
{
    static const char from[] = "\\\"/ntrbf", to[] = "\\\"/\n\t\r\b\f";
    const char *at = c ? strchr(from, c) : NULL;
    return at ? (unsigned char)to[at - from] : 0;
}

/* A quoted scalar from the quote at sc->start, closed on the same line. */
static enum block_status quoted(struct block_events *b, const struct line *l, struct scalar *sc)
{
    const unsigned char *s = l->s;
    unsigned char quote = s[sc->start];
    if (!text_room(b, l->n))
        return BLOCK_ENOMEM;
    unsigned char *out = b->text + b->text_len, *o = out;
    size_t i = sc->start + 1;
    for (;;) {
        if (i == l->n)
            return BLOCK_REFUSED; /* it goes on to the next line */
        unsigned char c = s[i];
        if (c == quote && quote == '\'' && i + 1 < l->n && s[i + 1] == '\'') {
            *o++ = '\'';
            i += 2;
        } else if (c == quote) {
            i++;
            break;
        } else if (c == '\\' && quote == '"') {
            if (i + 1 == l->n || !(*o++ = escaped(s[i + 1])))
                return BLOCK_REFUSED;
            i += 2;
        } else {
            *o++ = c;
            i++;
        }
    }
    sc->end = i;
    sc->length = (size_t)(o - out);
    sc->style = quote == '"' ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_SINGLE_QUOTED_SCALAR_STYLE;
    b->text_len += sc->length;
    sc->stop = stop_after(l, i, &sc->colon);
    return BLOCK_EVENT;
}

/* A scalar in block context at sc->start, its value written to text. */
static enum block_status block_scalar(struct block_events *b, const struct line *l,
                                      struct scalar *sc)
{
    unsigned char c = l->s[sc->start];
    if (c == '\'' || c == '"')
        return quoted(b, l, sc);
    bool dash_word = c == '-' && sc->start + 1 < l->n && l->s[sc->start + 1] != ' ';
    if (indicator(c) && !dash_word)
        return BLOCK_REFUSED;
    return block_plain(b, l, sc);
}

static enum block_status emit_scalar(struct block_events *b, const struct line *l,
                                     const struct scalar *sc)
{
    return push_scalar(b, mark_at(l, sc->start), mark_at(l, sc->end), sc->length, sc->style);
}

/* ---- flow collections on one line ------------------------------------------------------------ */

static enum block_status flow_collection(struct block_events *b, const struct line *l, size_t i,
                                         size_t *next);

/* A scalar in a flow collection at column i; *sc says where it ends. */
static enum block_status flow_scalar(struct block_events *b, const struct line *l, size_t i,
                                     struct scalar *sc)
{
    *sc = (struct scalar){.start = i};
    unsigned char c = l->s[i];
    if (c == '\'' || c == '"')
        return quoted(b, l, sc);
    return indicator(c) || c == ' ' ? BLOCK_REFUSED : flow_plain(b, l, sc);
}

/* A value in a flow collection at column i: a scalar or a collection on this line. */
static enum block_status flow_node(struct block_events *b, const struct line *l, size_t i,
                                   size_t *next)
{
    if (i == l->n)
        return BLOCK_REFUSED;
    if (l->s[i] == '[' || l->s[i] == '{')
        return flow_collection(b, l, i, next);
    struct scalar sc;
    enum block_status rc = flow_scalar(b, l, i, &sc);
    if (rc != BLOCK_EVENT)
        return rc;
    *next = sc.end;
    return emit_scalar(b, l, &sc);
}

/* A key of a flow mapping at column i and its ':'; *next is the column after the ':'. */
static enum block_status flow_key(struct block_events *b, const struct line *l, size_t i,
                                  size_t *next)
{
    if (i == l->n)
        return BLOCK_REFUSED;
    struct scalar sc;
    enum block_status rc = flow_scalar(b, l, i, &sc);
    if (rc != BLOCK_EVENT)
        return rc;
    size_t colon = skip_spaces(l, sc.end);
    /* After a plain key only ": " is a key's end; a quoted key may be followed by ':'. */
    bool plain = sc.style == YAML_PLAIN_SCALAR_STYLE;
    if (colon == l->n || l->s[colon] != ':' || colon - i > KEY_SPAN ||
        (plain && (colon + 1 == l->n || l->s[colon + 1] != ' ')))
        return BLOCK_REFUSED;
    *next = colon + 1;
    return emit_scalar(b, l, &sc);
}

/*
 * A flow sequence or mapping from the '[' or '{' at column i, closed on this line, of scalars
 * and flow collections, each mapping value present; *next is the column after its end.
 */
static enum block_status flow_collection(struct block_events *b, const struct line *l, size_t i,
                                         size_t *next)
{
    bool mapping = l->s[i] == '{';
    unsigned char close = mapping ? '}' : ']';
    enum block_status rc = open_level(b, mapping ? L_MAPPING : L_SEQUENCE, i);
    if (rc != BLOCK_EVENT)
        return rc;
    rc = push_plain(b, mapping ? YAML_MAPPING_START_EVENT : YAML_SEQUENCE_START_EVENT,
                    mark_at(l, i), mark_at(l, i + 1),
                    mapping ? (int)YAML_FLOW_MAPPING_STYLE : (int)YAML_FLOW_SEQUENCE_STYLE);
    i = skip_spaces(l, i + 1);
    for (bool first = true; rc == BLOCK_EVENT; first = false) {
        if (i < l->n && l->s[i] == close && first)
            break;
        if (mapping && (rc = flow_key(b, l, i, &i)) != BLOCK_EVENT)
            return rc;
        if ((rc = flow_node(b, l, skip_spaces(l, i), &i)) != BLOCK_EVENT)
            return rc;
        i = skip_spaces(l, i);
        if (i < l->n && l->s[i] == close)
            break;
        if (i == l->n || l->s[i] != ',')
            return BLOCK_REFUSED;
        i = skip_spaces(l, i + 1);
        if (i < l->n && l->s[i] == close)
            return BLOCK_REFUSED; /* "[a, ]" */
    }
    if (rc != BLOCK_EVENT)
        return rc;
    b->depth--;
    *next = i + 1;
    return push_plain(b, mapping ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT, mark_at(l, i),
                      mark_at(l, i + 1), 0);
}

/* ---- literal block scalars ----------------------------------------------------------------- */

#define LITERAL_MAX (512 * 1024) /* a longer one is left to libyaml (its reader guard) */

/* Takes back the line just read: the next next_line() gives it again. */
static void unread_line(struct block_events *b, const struct line *l)
{
    b->pos = (size_t)(l->offset - b->base);
    b->lines--;
    b->continuations -= l->continuations;
}

/* Appends n bytes of c, or of s when s is given, to text. */
static bool text_add(struct block_events *b, const unsigned char *s, unsigned char c, size_t n)
{
    if (!text_room(b, n))
        return false;
    if (s)
        memcpy(b->text + b->text_len, s, n);
    else
        memset(b->text + b->text_len, c, n);
    b->text_len += n;
    return true;
}

/*
 * The lines of a literal block scalar whose "|" (or "|-", "|+") is at column i of l: its
 * indentation is its first line's, and it ends before the first line with content that is
 * indented less, which is read again as a line of its own. Left to libyaml: an indentation
 * indicator, a blank line before the first content line (it may set the indentation), no
 * content line, and a scalar that runs to the end of the input.
 */
static enum block_status literal_block(struct block_events *b, const struct line *l, size_t i)
{
    size_t j = i + 1, colon;
    int chomp = 0; /* clip one line break at the end, strip all (-), keep all (+) */
    if (j < l->n && (l->s[j] == '-' || l->s[j] == '+'))
        chomp = l->s[j++] == '-' ? -1 : 1;
    enum stop stop = stop_after(l, j, &colon);
    if (stop != S_END && stop != S_COMMENT)
        return BLOCK_REFUSED;
    size_t parent = top(b)->column, indent = 0, blank = 0, value = b->text_len;
    bool first = true;
    yaml_mark_t start = mark_at(l, i); /* l's text moves as the lines after it are read */
    struct line c;
    for (;;) {
        enum block_status rc = next_line(b, &c);
        if (rc != BLOCK_EVENT)
            return rc == BLOCK_REFUSED ? BLOCK_REFUSED : rc;
        size_t sp = skip_spaces(&c, 0);
        if (first && (sp == c.n || sp <= parent))
            return BLOCK_REFUSED;
        if (first)
            indent = sp;
        if (sp == c.n && c.n <= indent) {
            blank++;
            continue;
        }
        if (sp < indent)
            break;
        if ((!first && !text_add(b, NULL, '\n', 1)) || !text_add(b, NULL, '\n', blank) ||
            !text_add(b, c.s + indent, 0, c.n - indent))
            return BLOCK_ENOMEM;
        if (b->text_len - value > LITERAL_MAX)
            return BLOCK_REFUSED;
        blank = 0;
        first = false;
    }
    unread_line(b, &c);
    size_t tail = chomp < 0 ? 0 : chomp > 0 ? 1 + blank : 1;
    if (!text_add(b, NULL, '\n', tail) || !text_room(b, 1))
        return BLOCK_ENOMEM;
    return push_scalar(b, start, mark_at(&c, 0), b->text_len - value, YAML_LITERAL_SCALAR_STYLE);
}

/* ---- lines ---------------------------------------------------------------------------------- */

static bool is_entry(const struct line *l, size_t c)
{
    return l->s[c] == '-' && (c + 1 == l->n || l->s[c + 1] == ' ');
}

static enum block_status key_at(struct block_events *b, const struct line *l,
                                const struct scalar *key);

/*
 * What follows a key's ':' or an entry's '-' at column `after`: nothing yet (the value comes
 * on a later line, or is empty), a flow collection, a scalar, or (after '-' only) the first
 * key of a mapping.
 */
static enum block_status value_part(struct block_events *b, const struct line *l, size_t after,
                                    bool entry)
{
    size_t i = skip_spaces(l, after);
    if (i == l->n || l->s[i] == '#') {
        b->pending = entry ? P_ENTRY : P_VALUE;
        b->pending_mark = mark_at(l, after);
        return BLOCK_EVENT;
    }
    size_t end = 0, colon;
    enum block_status rc;
    if (l->s[i] == '[' || l->s[i] == '{') {
        if ((rc = flow_collection(b, l, i, &end)) != BLOCK_EVENT)
            return rc;
        enum stop stop = stop_after(l, end, &colon);
        return stop == S_END || stop == S_COMMENT ? BLOCK_EVENT : BLOCK_REFUSED;
    }
    if (l->s[i] == '|')
        return literal_block(b, l, i);
    if (is_entry(l, i)) {
        if (!entry)
            return BLOCK_REFUSED; /* "key: - a" */
        /* "- - a": a sequence in the entry, at the second '-' */
        yaml_mark_t at = mark_at(l, i);
        if ((rc = open_level(b, L_SEQUENCE, i)) != BLOCK_EVENT ||
            (rc = push_plain(b, YAML_SEQUENCE_START_EVENT, at, at, YAML_BLOCK_SEQUENCE_STYLE)) !=
                BLOCK_EVENT)
            return rc;
        return value_part(b, l, i + 1, true);
    }
    struct scalar sc = {.start = i};
    if ((rc = block_scalar(b, l, &sc)) != BLOCK_EVENT)
        return rc;
    if (sc.stop == S_COLON && entry)
        return key_at(b, l, &sc); /* "- key: value": a mapping in the entry */
    if (sc.stop != S_END && sc.stop != S_COMMENT)
        return BLOCK_REFUSED;
    /* Only a plain scalar that ends its line may go on to the next. */
    b->plain_last = sc.style == YAML_PLAIN_SCALAR_STYLE && sc.stop == S_END;
    return emit_scalar(b, l, &sc);
}

/* A mapping's key, scanned: the mapping at its column is open, or is opened here. */
static enum block_status key_at(struct block_events *b, const struct line *l,
                                const struct scalar *key)
{
    size_t c = key->start;
    if (key->stop != S_COLON || key->colon - c > KEY_SPAN)
        return BLOCK_REFUSED;
    const struct level *t = top(b);
    enum block_status rc;
    if (!t || t->column != c || t->kind != L_MAPPING) {
        if ((rc = open_level(b, L_MAPPING, c)) != BLOCK_EVENT)
            return rc;
        yaml_mark_t at = mark_at(l, c);
        if ((rc = push_plain(b, YAML_MAPPING_START_EVENT, at, at, YAML_BLOCK_MAPPING_STYLE)) !=
            BLOCK_EVENT)
            return rc;
    }
    if ((rc = emit_scalar(b, l, key)) != BLOCK_EVENT)
        return rc;
    return value_part(b, l, key->colon + 1, false);
}

static enum block_status key_line(struct block_events *b, const struct line *l, size_t c)
{
    struct scalar sc = {.start = c};
    enum block_status rc = block_scalar(b, l, &sc);
    return rc == BLOCK_EVENT ? key_at(b, l, &sc) : rc;
}

/* A sequence entry at column c, in the sequence open at c. */
static enum block_status entry_line(struct block_events *b, const struct line *l, size_t c)
{
    return value_part(b, l, c + 1, true);
}

/* A block sequence (at '-') or mapping (at a key) that starts at column c. */
static enum block_status open_block(struct block_events *b, const struct line *l, size_t c)
{
    if (!is_entry(l, c))
        return key_line(b, l, c);
    enum block_status rc = open_level(b, L_SEQUENCE, c);
    yaml_mark_t at = mark_at(l, c);
    if (rc == BLOCK_EVENT)
        rc = push_plain(b, YAML_SEQUENCE_START_EVENT, at, at, YAML_BLOCK_SEQUENCE_STYLE);
    return rc == BLOCK_EVENT ? entry_line(b, l, c) : rc;
}

/* The value a key or entry left pending, now that a line at column c follows. */
static enum block_status settle_pending(struct block_events *b, const struct line *l, size_t c,
                                        bool *done)
{
    enum pending p = b->pending;
    size_t column = top(b)->column;
    *done = false;
    if (p == P_NONE)
        return BLOCK_EVENT;
    b->pending = P_NONE;
    if (c > column) {
        *done = true;
        return open_block(b, l, c);
    }
    if (c == column && p == P_VALUE && is_entry(l, c)) {
        /* A sequence at its key's column: libyaml ends its start event after the '-'. */
        *done = true;
        enum block_status rc = open_level(b, L_INDENTLESS, c);
        if (rc == BLOCK_EVENT)
            rc = push_plain(b, YAML_SEQUENCE_START_EVENT, mark_at(l, c), mark_at(l, c + 1),
                            YAML_BLOCK_SEQUENCE_STYLE);
        return rc == BLOCK_EVENT ? entry_line(b, l, c) : rc;
    }
    return push_empty_scalar(b, b->pending_mark);
}

/* Ends the collections a line at column c leaves; an indentless sequence ends at a key. */
static enum block_status close_to(struct block_events *b, const struct line *l, size_t c)
{
    yaml_mark_t at = mark_at(l, c);
    enum block_status rc = BLOCK_EVENT;
    while (rc == BLOCK_EVENT && b->depth && top(b)->column > c)
        rc = close_level(b, at);
    if (rc == BLOCK_EVENT && b->depth && top(b)->kind == L_INDENTLESS && !is_entry(l, c))
        rc = close_level(b, at);
    return rc;
}

/* "---" on the first line with content: an explicit document start. */
static enum block_status document_marker(struct block_events *b, const struct line *l)
{
    size_t colon;
    if (b->rooted || l->s[0] != '-' || (l->n > 3 && l->s[3] != ' '))
        return BLOCK_REFUSED;
    enum stop stop = stop_after(l, 3, &colon);
    if (stop != S_END && stop != S_COMMENT)
        return BLOCK_REFUSED;
    struct item *it = push(b, YAML_DOCUMENT_START_EVENT, mark_at(l, 0), mark_at(l, 3));
    if (!it)
        return BLOCK_ENOMEM;
    it->implicit = false;
    b->rooted = true;
    return BLOCK_EVENT;
}

static bool document_line(const struct line *l)
{
    return l->n >= 3 && (!memcmp(l->s, "---", 3) || !memcmp(l->s, "...", 3)) &&
           (l->n == 3 || l->s[3] == ' ');
}

/* The first collection of the document, at column c. */
static enum block_status root(struct block_events *b, const struct line *l, size_t c)
{
    if (!b->rooted) {
        yaml_mark_t at = mark_at(l, c);
        enum block_status rc = push_plain(b, YAML_DOCUMENT_START_EVENT, at, at, 0);
        if (rc != BLOCK_EVENT)
            return rc;
        b->rooted = true;
    }
    b->had_root = true;
    return open_block(b, l, c);
}

static enum block_status content_line(struct block_events *b, const struct line *l, size_t c)
{
    if (l->index + c - b->last_event_at > BLOCK_GAP_MAX)
        return BLOCK_REFUSED; /* libyaml's reader guard decides such a gap */
    if (b->plain_last && b->depth && c > top(b)->column)
        return BLOCK_REFUSED; /* the plain scalar goes on to this line */
    b->plain_last = false;
    if (document_line(l))
        return document_marker(b, l);
    if (!b->depth)
        return b->had_root ? BLOCK_REFUSED : root(b, l, c);
    bool done;
    enum block_status rc = settle_pending(b, l, c, &done);
    if (rc != BLOCK_EVENT || done)
        return rc;
    if ((rc = close_to(b, l, c)) != BLOCK_EVENT)
        return rc;
    const struct level *t = top(b);
    if (!t || t->column != c)
        return BLOCK_REFUSED;
    if (t->kind == L_MAPPING)
        return is_entry(l, c) ? BLOCK_REFUSED : key_line(b, l, c);
    return is_entry(l, c) ? entry_line(b, l, c) : BLOCK_REFUSED;
}

/*
 * The end of the input: what is pending and open ends where libyaml's stream end stands. When
 * the last line has no line break, libyaml first ends the collections indented deeper than
 * where that line ends, there; then it moves to the start of a line after it for the rest.
 */
static enum block_status end_of_input(struct block_events *b)
{
    if (!b->depth)
        return BLOCK_REFUSED; /* nothing, or only "---" */
    size_t index = (size_t)(b->base + b->len - b->continuations);
    yaml_mark_t at = {index, b->lines, 0};
    yaml_mark_t before = b->tail_column ? (yaml_mark_t){index, b->lines - 1, b->tail_column} : at;
    enum block_status rc = BLOCK_EVENT;
    if (b->pending != P_NONE)
        rc = push_empty_scalar(b, b->pending_mark);
    while (rc == BLOCK_EVENT && b->depth && top(b)->column > before.column)
        rc = close_level(b, before);
    while (rc == BLOCK_EVENT && b->depth)
        rc = close_level(b, at);
    if (rc == BLOCK_EVENT)
        rc = push_plain(b, YAML_DOCUMENT_END_EVENT, at, at, 0);
    if (rc == BLOCK_EVENT)
        rc = push_plain(b, YAML_STREAM_END_EVENT, at, at, 0);
    b->finished = true;
    b->ready = b->tail;
    b->ready_horizon = b->base + b->len;
    return rc;
}

/* Reads lines until the queue has events that may be handed out, or the input ends. */
static enum block_status advance(struct block_events *b)
{
    struct line l;
    enum block_status rc = next_line(b, &l);
    if (rc == BLOCK_REFUSED && b->eof && b->pos == b->len && b->bad_at == NO_BYTE)
        return end_of_input(b);
    if (rc != BLOCK_EVENT)
        return rc;
    size_t c = skip_spaces(&l, 0);
    if (c == l.n)
        return BLOCK_EVENT; /* blank: a plain scalar may go on past it */
    if (l.s[c] == '#') {
        b->plain_last = false;
        return BLOCK_EVENT;
    }
    size_t before = b->tail;
    if ((rc = content_line(b, &l, c)) != BLOCK_EVENT)
        return rc;
    b->ready = before;
    b->ready_horizon = l.offset + l.n + MARGIN;
    return BLOCK_EVENT;
}

/* ---- the interface --------------------------------------------------------------------------- */

/* Drops the events handed out, and their values: the last one's lives only until this call. */
static void compact(struct block_events *b)
{
    size_t keep = b->tail - b->head, text_from = b->text_len;
    for (size_t i = b->head; i < b->tail; i++)
        if (b->queue[i].type == YAML_SCALAR_EVENT) {
            text_from = b->queue[i].value;
            break;
        }
    memmove(b->queue, b->queue + b->head, keep * sizeof(*b->queue));
    if (text_from)
        memmove(b->text, b->text + text_from, b->text_len - text_from);
    b->text_len -= text_from;
    for (size_t i = 0; i < keep; i++)
        if (b->queue[i].type == YAML_SCALAR_EVENT)
            b->queue[i].value -= text_from;
    b->ready -= b->head;
    b->tail = keep;
    b->head = 0;
}

enum block_status block_events_next(struct block_events *b, yaml_event_t *ev)
{
    if (!b->started) {
        b->started = true;
        yaml_mark_t zero = {0, 0, 0};
        if (push_plain(b, YAML_STREAM_START_EVENT, zero, zero, 0) != BLOCK_EVENT)
            return BLOCK_ENOMEM;
    }
    for (;;) {
        if (b->head < b->ready) {
            if (!b->eof && b->base + b->len < b->ready_horizon) {
                enum block_status rc = refill(b);
                if (rc != BLOCK_EVENT)
                    return rc;
                continue;
            }
            if (b->bad_at != NO_BYTE && b->bad_at <= b->ready_horizon)
                return BLOCK_REFUSED;
            fill(b, &b->queue[b->head++], ev);
            b->given++;
            return BLOCK_EVENT;
        }
        if (b->finished)
            return BLOCK_REFUSED; /* nothing after the stream's end */
        if (b->head == b->tail || b->head > b->queue_cap / 2)
            compact(b); /* not at every line: a line's events would be moved each time */
        enum block_status rc = advance(b);
        if (rc != BLOCK_EVENT)
            return rc;
    }
}

struct block_events *block_events_new(block_read_fn read, void *ctx, uint32_t max_depth)
{
    struct block_events *b = calloc(1, sizeof(*b));
    if (!b)
        return NULL;
    b->read = read;
    b->ctx = ctx;
    b->max_depth = max_depth;
    b->bad_at = NO_BYTE;
    return b;
}

uint64_t block_events_given(const struct block_events *b)
{
    return b->given;
}

void block_events_free(struct block_events *b)
{
    if (!b)
        return;
    free(b->buf);
    free(b->levels);
    free(b->queue);
    free(b->text);
    free(b);
}
