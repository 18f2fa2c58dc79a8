#include "reader_locate.h"

#include <stdlib.h>
#include <string.h>

#include "util/util_utf8.h"
#include "util/util_str.h"

/*
 * The value is rebuilt byte by byte from the source lines; each byte comes with the place it
 * was written (a line and a byte in it). The byte asked for records its place; any byte that
 * differs from the reader's value makes the whole answer untrusted.
 */
struct rebuild {
    const struct node *n;
    const char *const *lines;
    const size_t *lens;
    size_t nlines;
    size_t out;    /* bytes of the value rebuilt so far */
    size_t target; /* the byte asked for */
    bool found, broken;
    bool unfollowed; /* written in a way this file does not follow (an explicit indentation) */
    bool extra_text; /* a byte past the value that is not a line break (block chomping) */
    size_t at_line, at_byte;
    size_t stop_line, stop_byte; /* just past the value's text: where "the end" is */
};

static void emit(struct rebuild *b, const char *bytes, size_t k, size_t line, size_t byte)
{
    for (size_t i = 0; i < k; i++, b->out++) {
        if (b->out < b->n->count) {
            if (b->n->u.text[b->out] != bytes[i])
                b->broken = true;
        } else if (bytes[i] != '\n') {
            b->extra_text = true;
        }
        if (!b->found && b->out == b->target) {
            b->found = true;
            b->at_line = line;
            b->at_byte = byte;
        }
    }
}

static void emit_char(struct rebuild *b, char c, size_t line, size_t byte)
{
    emit(b, &c, 1, line, byte);
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Byte offset of a 1-based character column in line i. */
static size_t byte_at_column(const struct rebuild *b, size_t i, uint32_t column)
{
    return utf8_offset(b->lines[i], b->lens[i], column ? column - 1 : 0);
}

/* ---- plain and single-quoted scalars ----------------------------------------------------- */

/*
 * Flow folding between two lines of a plain or quoted scalar: one line break becomes a space,
 * a break followed by k empty lines becomes k line feeds. After an escaped line break (double
 * quotes) only the empty lines count.
 */
static void fold(struct rebuild *b, bool escaped, size_t empty, size_t line, size_t byte)
{
    if (!escaped && empty == 0)
        emit_char(b, ' ', line, byte);
    for (size_t i = 0; i < empty; i++)
        emit_char(b, '\n', line, byte);
}

/* One line's content of a plain or single-quoted scalar, '' read as one quote. */
static void emit_plain(struct rebuild *b, size_t line, size_t from, size_t to, bool quoted)
{
    const char *t = b->lines[line];
    for (size_t i = from; i < to; i++) {
        emit_char(b, t[i], line, i);
        if (quoted && t[i] == '\'' && i + 1 < to && t[i + 1] == '\'')
            i++;
    }
}

/* ---- double-quoted scalars --------------------------------------------------------------- */

static size_t utf8_encode(unsigned long cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* YAML's escapes: the bytes one stands for, and how long it is; 0 when it is not one. */
static size_t decode_escape(const char *t, size_t at, size_t z, char *out, size_t *len)
{
    static const char simple[] = "0\0a\ab\bt\t\t\tn\nv\vf\fr\re\x1b  \"\"//\\\\";
    char c = t[at + 1];
    for (size_t i = 0; i + 1 < sizeof(simple); i += 2)
        if (simple[i] == c) {
            out[0] = simple[i + 1];
            *len = 2;
            return 1;
        }
    static const struct {
        char letter;
        unsigned long cp;
    } named[] = {{'N', 0x85}, {'_', 0xA0}, {'L', 0x2028}, {'P', 0x2029}};
    for (size_t i = 0; i < 4; i++)
        if (named[i].letter == c) {
            *len = 2;
            return utf8_encode(named[i].cp, out);
        }
    size_t digits = c == 'x' ? 2 : c == 'u' ? 4 : c == 'U' ? 8 : 0;
    if (!digits || at + 2 + digits > z)
        return 0;
    unsigned long cp = 0;
    for (size_t i = 0; i < digits; i++) {
        int d = str_hex_value((unsigned char)t[at + 2 + i]);
        if (d < 0)
            return 0;
        cp = cp * 16 + (unsigned long)d;
    }
    if (cp > 0x10FFFF)
        return 0;
    *len = 2 + digits;
    return utf8_encode(cp, out);
}

/*
 * One line of a double-quoted scalar. Blanks are held back until something follows them on
 * the line, since a folded line break drops them; *escaped_break says the line ends with an
 * escaped line break, which keeps them and joins the next line without a space.
 */
static bool emit_double_line(struct rebuild *b, size_t line, size_t a, size_t z, bool last,
                             bool *escaped_break, size_t *content_end)
{
    const char *t = b->lines[line];
    size_t blanks = a; /* start of held-back blanks; == i when none */
    *escaped_break = false;
    *content_end = a;
    size_t i = a;
    while (i < z) {
        if (is_blank(t[i])) {
            i++;
            continue;
        }
        emit_plain(b, line, blanks, i, false);
        if (t[i] == '\\' && i + 1 == z && !last) {
            *escaped_break = true;
            *content_end = i;
            return true;
        }
        if (t[i] == '\\') {
            char bytes[4];
            size_t len = 0, k = i + 1 < z ? decode_escape(t, i, z, bytes, &len) : 0;
            if (k == 0)
                return false;
            emit(b, bytes, k, line, i);
            i += len;
        } else {
            emit_char(b, t[i], line, i);
            i++;
        }
        blanks = i;
        *content_end = i;
    }
    if (last)
        emit_plain(b, line, blanks, z, false);
    return true;
}

/* One line of a plain or single-quoted scalar: blanks before a line break are folded away. */
static bool emit_plain_line(struct rebuild *b, size_t line, size_t a, size_t z, bool last,
                            bool *escaped_break, size_t *content_end)
{
    const char *t = b->lines[line];
    if (!last)
        while (z > a && is_blank(t[z - 1]))
            z--;
    emit_plain(b, line, a, z, b->n->style == STYLE_SINGLE_QUOTED);
    *escaped_break = false;
    *content_end = z;
    return true;
}

typedef bool (*flow_line_fn)(struct rebuild *b, size_t line, size_t a, size_t z, bool last,
                             bool *escaped_break, size_t *content_end);

/*
 * A plain or quoted scalar, line by line: a quoted one starts after its quote and ends before
 * the closing one, and keeps its first and last line even when they are empty; the blanks that
 * start a continuation line are not content; lines in between with nothing on them are folded.
 */
static void flow_scalar(struct rebuild *b, bool quoted, flow_line_fn emit_line)
{
    const struct node *n = b->n;
    size_t last = b->nlines - 1;
    size_t start = byte_at_column(b, 0, n->span.column) + (quoted ? 1 : 0);
    size_t end = byte_at_column(b, last, n->span.end_column);
    if (quoted && end > 0)
        end--; /* the closing quote */
    size_t empty = 0, prev_line = 0, prev_end = 0;
    bool any = false, escaped = false;
    for (size_t i = 0; i <= last; i++) {
        const char *t = b->lines[i];
        size_t a = i == 0 ? start : 0, z = i == last ? end : b->lens[i];
        if (i > 0)
            while (a < z && is_blank(t[a]))
                a++;
        if (a >= z && i > 0 && (i < last || !quoted)) {
            empty++;
            continue;
        }
        if (any)
            fold(b, escaped, empty, prev_line, prev_end);
        size_t content_end;
        if (!emit_line(b, i, a, z, i == last, &escaped, &content_end)) {
            b->broken = true;
            return;
        }
        any = true;
        empty = 0;
        prev_line = i;
        prev_end = content_end;
    }
    b->stop_line = last;
    b->stop_byte = end;
}

/* ---- block scalars (| and >) ------------------------------------------------------------- */

/* Leading spaces of a line, and whether nothing else is on it. */
static size_t indentation(const struct rebuild *b, size_t i, bool *empty)
{
    size_t k = 0;
    while (k < b->lens[i] && b->lines[i][k] == ' ')
        k++;
    *empty = k == b->lens[i];
    return k;
}

/* libyaml's yaml_parser_scan_block_scalar, without the chomping at the end. */
static void block(struct rebuild *b, bool literal)
{
    const char *header = b->lines[0];
    for (size_t h = byte_at_column(b, 0, b->n->span.column) + 1;
         h < b->lens[0] && !is_blank(header[h]) && header[h] != '#'; h++)
        if (header[h] >= '1' && header[h] <= '9') {
            b->unfollowed = true; /* indented relative to a parent we do not know */
            return;
        }
    size_t indent = 0, first = 1;
    for (size_t i = 1; i < b->nlines; i++) {
        bool empty;
        size_t k = indentation(b, i, &empty);
        if (k > indent)
            indent = k;
        if (!empty) {
            first = i;
            break;
        }
    }
    if (indent == 0)
        indent = 1;
    size_t i = 1, prev_line = 0, prev_end = b->lens[0];
    size_t trailing = 0;
    bool leading_break = false, leading_blank = false;
    /* Empty lines before the first content line are line feeds of the value. */
    for (; i < first; i++)
        trailing++;
    while (i < b->nlines) {
        bool empty;
        size_t k = indentation(b, i, &empty);
        if (k < indent && !empty)
            break; /* less indented: the block has ended */
        if (k <= indent && empty) {
            trailing++;
            i++;
            continue;
        }
        const char *t = b->lines[i];
        bool trailing_blank = is_blank(t[indent]);
        if (!literal && leading_break && !leading_blank && !trailing_blank) {
            if (trailing == 0)
                emit_char(b, ' ', prev_line, prev_end);
        } else if (leading_break) {
            emit_char(b, '\n', prev_line, prev_end);
        }
        for (; trailing > 0; trailing--)
            emit_char(b, '\n', prev_line, prev_end);
        leading_blank = trailing_blank;
        for (size_t c = indent; c < b->lens[i]; c++)
            emit_char(b, t[c], i, c);
        leading_break = true;
        prev_line = i;
        prev_end = b->lens[i];
        i++;
    }
    b->stop_line = prev_line;
    b->stop_byte = prev_end;
    /* What chomping keeps, at most: the other bytes the rebuild allows are line feeds. */
    if (leading_break)
        emit_char(b, '\n', prev_line, prev_end);
    for (; trailing > 0; trailing--)
        emit_char(b, '\n', prev_line, prev_end);
}

/* ---- entry points ------------------------------------------------------------------------ */

enum scalar_located scalar_locate_in_lines(const struct node *n, const char *const *lines,
                                           const size_t *lens, size_t nlines, uint32_t first_line,
                                           size_t offset, struct span *out)
{
    if (!n || n->kind != NODE_SCALAR || (n->flags & NODE_SYNTH) || offset > n->count ||
        nlines == 0 || n->span.line != first_line || n->span.end_line + 1 < first_line + nlines)
        return SCALAR_NOT_FOUND;
    struct rebuild b = {.n = n, .lines = lines, .lens = lens, .nlines = nlines, .target = offset};
    bool block_style = n->style == STYLE_LITERAL || n->style == STYLE_FOLDED;
    if (n->style == STYLE_PLAIN || n->style == STYLE_SINGLE_QUOTED)
        flow_scalar(&b, n->style == STYLE_SINGLE_QUOTED, emit_plain_line);
    else if (n->style == STYLE_DOUBLE_QUOTED)
        flow_scalar(&b, true, emit_double_line);
    else if (block_style)
        block(&b, n->style == STYLE_LITERAL);
    else
        return SCALAR_NOT_FOUND;
    bool whole = block_style
                     ? b.out >= n->count || strspn(n->u.text + b.out, "\n") == n->count - b.out
                     : b.out == n->count;
    if (b.unfollowed)
        return SCALAR_NOT_FOUND;
    if (b.broken || b.extra_text || !whole)
        return SCALAR_REWRITTEN;
    if (!b.found) { /* the end of the value: past its last character */
        b.at_line = b.stop_line;
        b.at_byte = b.stop_byte;
    }
    uint32_t line = first_line + (uint32_t)b.at_line;
    uint32_t column = (uint32_t)utf8_count(lines[b.at_line], b.at_byte) + 1;
    *out = (struct span){line, column, line, column + 1};
    return SCALAR_LOCATED;
}

/* The lines, kept while the source is read. */
struct fetched {
    char **lines;
    size_t *lens;
    uint32_t first;
    size_t count;
    bool failed;
};

static void keep_line(void *ctx, uint32_t line, const char *text, size_t len)
{
    struct fetched *f = ctx;
    size_t i = line - f->first;
    if (i >= f->count || f->lines[i])
        return;
    f->lines[i] = malloc(len + 1);
    if (!f->lines[i]) {
        f->failed = true;
        return;
    }
    memcpy(f->lines[i], text, len);
    f->lines[i][len] = '\0';
    f->lens[i] = len;
}

enum scalar_located scalar_locate(const struct source *src, const struct node *n, size_t offset,
                                  struct span *out)
{
    enum { MAX_LINES = 100000, MAX_LINE = 8 * 1024 * 1024 };
    if (!src || !n || n->kind != NODE_SCALAR || n->span.end_line < n->span.line ||
        n->span.end_line - n->span.line >= MAX_LINES)
        return SCALAR_NOT_FOUND;
    struct fetched f = {NULL, NULL, n->span.line, n->span.end_line - n->span.line + 1, false};
    uint32_t *numbers = calloc(f.count, sizeof(*numbers));
    f.lines = calloc(f.count, sizeof(*f.lines));
    f.lens = calloc(f.count, sizeof(*f.lens));
    enum scalar_located result = SCALAR_NOT_FOUND;
    if (numbers && f.lines && f.lens) {
        for (size_t i = 0; i < f.count; i++)
            numbers[i] = f.first + (uint32_t)i;
        bool ok =
            source_fetch_lines(src, numbers, f.count, MAX_LINE, keep_line, &f) == 0 && !f.failed;
        for (size_t i = 0; ok && i < f.count; i++)
            ok = f.lines[i] != NULL && f.lens[i] < MAX_LINE;
        if (ok)
            result = scalar_locate_in_lines(n, (const char *const *)f.lines, f.lens, f.count,
                                            f.first, offset, out);
    }
    for (size_t i = 0; f.lines && i < f.count; i++)
        free(f.lines[i]);
    free(f.lines);
    free(f.lens);
    free(numbers);
    return result;
}
