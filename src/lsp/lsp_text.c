#include "lsp_text.h"

#include <stdlib.h>
#include <string.h>

#include "util/util_utf8.h"

void text_init(struct lsp_text *t)
{
    memset(t, 0, sizeof(*t));
}

void text_release(struct lsp_text *t)
{
    free(t->bytes);
    free(t->line_start);
    text_init(t);
}

/* Fills line_start from the bytes: a line starts after LF, after CRLF, and after a lone CR. */
static int index_lines(struct lsp_text *t)
{
    t->nlines = 0;
    for (size_t i = 0; i <= t->len; i++) {
        bool starts = i == 0 || t->bytes[i - 1] == '\n' ||
                      (t->bytes[i - 1] == '\r' && (i == t->len || t->bytes[i] != '\n'));
        if (!starts)
            continue;
        if (t->nlines == t->lines_cap) {
            size_t cap = t->lines_cap ? t->lines_cap * 2 : 256;
            size_t *grown = realloc(t->line_start, cap * sizeof(*grown));
            if (!grown)
                return -1;
            t->line_start = grown;
            t->lines_cap = cap;
        }
        t->line_start[t->nlines++] = i;
    }
    return 0;
}

static bool reserve(struct lsp_text *t, size_t len)
{
    if (len + 1 <= t->cap)
        return true;
    size_t cap = t->cap ? t->cap : 4096;
    while (cap < len + 1)
        cap *= 2;
    char *grown = realloc(t->bytes, cap);
    if (!grown)
        return false;
    t->bytes = grown;
    t->cap = cap;
    return true;
}

int text_set(struct lsp_text *t, const char *bytes, size_t len)
{
    if (len > TEXT_MAX_BYTES || !reserve(t, len))
        return -1;
    memcpy(t->bytes, bytes, len);
    t->len = len;
    t->bytes[len] = '\0';
    return index_lines(t);
}

int text_replace(struct lsp_text *t, struct text_pos from, struct text_pos to, const char *bytes,
                 size_t len, enum text_encoding enc)
{
    size_t a = text_offset(t, from, enc), b = text_offset(t, to, enc);
    if (b < a) { /* a reversed range: taken as written the other way round */
        size_t swap = a;
        a = b;
        b = swap;
    }
    size_t new_len = t->len - (b - a) + len;
    if (new_len > TEXT_MAX_BYTES || !reserve(t, new_len))
        return -1;
    memmove(t->bytes + a + len, t->bytes + b, t->len - b);
    memcpy(t->bytes + a, bytes, len);
    t->len = new_len;
    t->bytes[new_len] = '\0';
    return index_lines(t);
}

const char *text_line(const struct lsp_text *t, uint32_t line, size_t *len)
{
    if (line >= t->nlines) {
        *len = 0;
        return "";
    }
    size_t start = t->line_start[line];
    size_t end = line + 1 < t->nlines ? t->line_start[line + 1] : t->len;
    if (end > start && t->bytes[end - 1] == '\n')
        end--;
    if (end > start && t->bytes[end - 1] == '\r')
        end--;
    *len = end - start;
    return t->bytes + start;
}

/* One character's bytes at s (an invalid byte is a character of its own), and its size in the
 * encoding's units. */
static size_t char_at(const char *s, size_t n, enum text_encoding enc, uint32_t *units)
{
    size_t bytes = utf8_sequence_length((const unsigned char *)s, n);
    if (bytes == 0)
        bytes = 1;
    *units = enc == ENC_UTF8 ? (uint32_t)bytes : enc == ENC_UTF16 && bytes == 4 ? 2 : 1;
    return bytes;
}

size_t text_offset(const struct lsp_text *t, struct text_pos p, enum text_encoding enc)
{
    if (p.line >= t->nlines)
        return t->len;
    size_t len;
    const char *line = text_line(t, p.line, &len);
    size_t at = 0;
    uint32_t units = 0;
    while (at < len && units < p.character) {
        uint32_t u;
        size_t bytes = char_at(line + at, len - at, enc, &u);
        if (units + u > p.character)
            break; /* inside a character: its start */
        units += u;
        at += bytes;
    }
    return (size_t)(line - t->bytes) + at;
}

/* The line holding a byte offset: the last line starting at or before it. */
static uint32_t line_of(const struct lsp_text *t, size_t offset)
{
    size_t lo = 0, hi = t->nlines;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->line_start[mid] <= offset)
            lo = mid;
        else
            hi = mid;
    }
    return (uint32_t)lo;
}

/* Units from a line's start to a byte offset within it (clamped to the line's text). */
static uint32_t units_to(const char *line, size_t len, size_t upto, enum text_encoding enc)
{
    uint32_t units = 0;
    for (size_t at = 0; at < upto && at < len;) {
        uint32_t u;
        at += char_at(line + at, len - at, enc, &u);
        units += u;
    }
    return units;
}

struct text_pos text_position(const struct lsp_text *t, size_t offset, enum text_encoding enc)
{
    if (t->nlines == 0)
        return (struct text_pos){0, 0};
    if (offset > t->len)
        offset = t->len;
    uint32_t line = line_of(t, offset);
    size_t len;
    const char *text = text_line(t, line, &len);
    return (struct text_pos){line, units_to(text, len, offset - t->line_start[line], enc)};
}

struct text_pos text_from_gatehop(const struct lsp_text *t, uint32_t line, uint32_t column,
                                  enum text_encoding enc)
{
    if (line == 0)
        return (struct text_pos){0, 0};
    if (line > t->nlines)
        return text_position(t, t->len, enc);
    size_t len;
    const char *text = text_line(t, line - 1, &len);
    size_t upto = column > 1 ? utf8_offset(text, len, column - 1) : 0;
    return (struct text_pos){line - 1, units_to(text, len, upto, enc)};
}
