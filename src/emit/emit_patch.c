/*
 * Applying edits to the user's text, and the unified diff of the result.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "util/util_buf.h"
#include "util/util_error.h"
#include "util/util_swar.h"

static int compare_edits(const void *a, const void *b)
{
    const struct rw_edit *x = a, *y = b;
    int c = position_compare(x->span.line, x->span.column, y->span.line, y->span.column);
    if (c)
        return c;
    /* An insertion before a position comes before a replacement starting there. */
    if (x->kind != y->kind)
        return x->kind == EDIT_INSERT_PAIR ? -1 : 1;
    return x->change < y->change ? -1 : x->change > y->change;
}

static bool same_edit(const struct rw_edit *a, const struct rw_edit *b)
{
    return a->kind == b->kind && !memcmp(&a->span, &b->span, sizeof(a->span)) &&
           !strcmp(a->text, b->text);
}

int emit_prepare(struct rw_log *log, gh_error *err)
{
    if (log->nedits == 0)
        return 0;
    qsort(log->edits, log->nedits, sizeof(*log->edits), compare_edits);
    size_t kept = 1;
    for (size_t i = 1; i < log->nedits; i++) {
        struct rw_edit *prev = &log->edits[kept - 1], *e = &log->edits[i];
        if (same_edit(prev, e))
            continue;
        bool overlaps = prev->kind != EDIT_INSERT_PAIR &&
                        position_compare(e->span.line, e->span.column, prev->span.end_line,
                                         prev->span.end_column) < 0;
        /* Two cuts that overlap (pairs removed side by side in a flow mapping) are one cut. */
        bool cuts =
            prev->kind == EDIT_DELETE && e->kind == EDIT_DELETE && !*prev->text && !*e->text;
        if (overlaps && cuts) {
            if (position_compare(e->span.end_line, e->span.end_column, prev->span.end_line,
                                 prev->span.end_column) > 0) {
                prev->span.end_line = e->span.end_line;
                prev->span.end_column = e->span.end_column;
            }
            continue;
        }
        /* A space after a key's colon, inside a pair that is cut whole: nothing to do. */
        if (overlaps && e->kind == EDIT_COLON)
            continue;
        if (overlaps && prev->kind == EDIT_COLON) {
            *prev = *e;
            continue;
        }
        if (overlaps)
            return error_set(err, GH_EUSAGE,
                             "line %u: a value shared through a YAML anchor needs two different "
                             "rewrites; write the anchor's uses out before converting",
                             e->span.line);
        log->edits[kept++] = *e;
    }
    log->nedits = kept;
    return 0;
}

/* ---- the patcher ------------------------------------------------------------------------- */

/*
 * Copies bytes while counting lines and characters the way the reader's positions count
 * them; at an edit's start it writes the edit's text and, for a replacement, skips to the
 * edit's end. A byte order mark is not a character (the reader does not count it).
 */
struct patcher {
    const struct rw_edit *edits;
    size_t count, next;
    uint32_t line, column;
    bool skipping;
    uint32_t skip_line, skip_column;
    const struct rw_edit *pending; /* a replacement waiting for the node's anchor and tag */
    bool in_property;              /* copying an &anchor or !tag */
    bool after_cr;                 /* the last byte was a CR: an LF now completes the same break */
    unsigned char ch[4];           /* the bytes of the current character, for NEL, LS and PS */
    size_t ch_len;
    unsigned char last_seen; /* the last byte that was neither blank nor a line break */
    bool broken_since;       /* a line break came after it */
    size_t offset;           /* bytes fed so far */
    struct buf *out;
    bool failed;
};

static void put(struct patcher *p, const char *s, size_t n)
{
    if (buf_append(p->out, s, n) < 0)
        p->failed = true;
}

static void insert_pair(struct patcher *p, const struct rw_edit *e)
{
    /* In a flow mapping ({a: 1}) the new pair is followed by a comma; in a block mapping by a
     * line break and the key's indentation. */
    bool flow = p->last_seen == '{' || p->last_seen == ',';
    put(p, e->text, strlen(e->text));
    if (flow && !p->broken_since) {
        put(p, ", ", 2);
        return;
    }
    put(p, flow ? ",\n" : "\n", flow ? 2 : 1);
    for (uint32_t i = 1; i < e->span.column; i++)
        put(p, " ", 1);
}

static void begin_replace(struct patcher *p, const struct rw_edit *e)
{
    put(p, e->text, strlen(e->text));
    if (e->keep_line_break)
        put(p, "\n", 1);
    p->skip_line = e->span.end_line;
    p->skip_column = e->span.end_column;
    /* Skip up to the end; an edit that cuts nothing (an insertion) skips nothing. */
    p->skipping = position_compare(p->line, p->column, p->skip_line, p->skip_column) < 0;
}

/*
 * A node's position includes its properties (&anchor, !tag): they are copied, so aliases of
 * the anchor still resolve, and the replacement starts at the value itself.
 */
static void continue_pending(struct patcher *p, unsigned char c)
{
    if (p->in_property) {
        p->in_property = c != ' ' && c != '\t' && c != '\n' && c != '\r';
        return;
    }
    if (c == '&' || c == '!') {
        p->in_property = true;
        return;
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
        return;
    const struct rw_edit *e = p->pending;
    p->pending = NULL;
    begin_replace(p, e);
}

/* Edits that start at the current position. */
static void start_edits(struct patcher *p)
{
    while (p->next < p->count && !p->skipping && !p->pending) {
        const struct rw_edit *e = &p->edits[p->next];
        if (position_compare(e->span.line, e->span.column, p->line, p->column) > 0)
            return;
        p->next++;
        if (e->kind == EDIT_INSERT_PAIR) {
            insert_pair(p, e);
            continue;
        }
        if (e->kind == EDIT_DELETE || e->kind == EDIT_COLON) {
            begin_replace(p, e);
            continue;
        }
        p->pending = e;
        p->in_property = false;
    }
}

/* Line breaks as libyaml counts them: LF, CR, CR LF, and the Unicode NEL, LS and PS. */
static size_t break_length(const unsigned char *s, size_t n)
{
    if (n == 0)
        return 0;
    if (s[0] == '\r')
        return n > 1 && s[1] == '\n' ? 2 : 1;
    if (s[0] == '\n')
        return 1;
    if (n > 1 && s[0] == 0xC2 && s[1] == 0x85)
        return 2;
    if (n > 2 && s[0] == 0xE2 && s[1] == 0x80 && (s[2] == 0xA8 || s[2] == 0xA9))
        return 3;
    return 0;
}

static void new_line(struct patcher *p)
{
    p->line++;
    p->column = 1;
    p->broken_since = true;
}

/* Moves the position past byte c. */
static void advance(struct patcher *p, unsigned char c, bool starts_char)
{
    if (c == '\n' && p->after_cr) {
        p->after_cr = false;
        return;
    }
    p->after_cr = c == '\r';
    if (c == '\n' || c == '\r') {
        new_line(p);
        return;
    }
    if (starts_char) {
        p->column++;
        p->ch_len = 0;
    }
    if (p->ch_len < sizeof(p->ch))
        p->ch[p->ch_len++] = c;
    size_t n = p->ch_len;
    if ((n == 2 || n == 3) && break_length(p->ch, n) == n)
        new_line(p);
    if (c != ' ' && c != '\t' && !(p->ch_len > 1 && break_length(p->ch, n) == n)) {
        p->last_seen = c;
        p->broken_since = false;
    }
}

/* Whether the next edit (or the end of a replacement) lies beyond the current line. */
static bool line_is_plain(const struct patcher *p)
{
    if (p->pending || p->after_cr || p->column != 1 || p->offset < 3)
        return false;
    if (p->skipping)
        return p->skip_line > p->line;
    return p->next >= p->count || p->edits[p->next].span.line > p->line;
}

/* The first byte from `from` on that is an LF, a CR or not ASCII; `len` when there is none. */
static size_t next_notable(const unsigned char *data, size_t from, size_t len)
{
    size_t i = from;
#ifdef UTIL_SWAR
    for (; i + 8 <= len; i += 8) {
        uint64_t w = swar_load(data + i);
        uint64_t hit = swar_bytes_equal(w, '\n') | swar_bytes_equal(w, '\r') | (w & SWAR_HIGHS);
        if (hit)
            return i + swar_first(hit);
    }
#endif
    while (i < len && data[i] != '\n' && data[i] != '\r' && data[i] < 0x80)
        i++;
    return i;
}

/*
 * The fast path: whole lines with nothing to edit on them and no break but their LF, up to the
 * line of the next edit, are copied (or skipped) at once. Returns the bytes taken, 0 when the
 * byte-by-byte path must handle the next line.
 */
static size_t take_plain_lines(struct patcher *p, const unsigned char *data, size_t len)
{
    if (!line_is_plain(p))
        return 0;
    uint32_t stop = p->skipping          ? p->skip_line
                    : p->next < p->count ? p->edits[p->next].span.line
                                         : UINT32_MAX;
    size_t taken = 0; /* the bytes of the complete lines taken so far */
    uint32_t lines = 0;
    for (size_t i = 0; p->line + lines < stop;) {
        i = next_notable(data, i, len);
        if (i == len || data[i] == '\r' || data[i] == 0xC2 || data[i] == 0xE2)
            break; /* no LF in the chunk, or another kind of line break may start here (NEL,
                    * LS, PS): the byte path takes this line */
        if (data[i] == '\n') {
            taken = ++i;
            lines++;
        } else {
            i++; /* a byte of a character that is no line break */
        }
    }
    if (!taken)
        return 0;
    for (size_t i = taken; i-- > 0;) /* the last byte neither blank nor a line break */
        if (data[i] != ' ' && data[i] != '\t' && data[i] != '\n') {
            p->last_seen = data[i];
            break;
        }
    if (!p->skipping)
        put(p, (const char *)data, taken);
    p->broken_since = true;
    p->line += lines;
    p->offset += taken;
    return taken;
}

static void patcher_feed(struct patcher *p, const unsigned char *data, size_t len)
{
    static const unsigned char bom[] = {0xEF, 0xBB, 0xBF};
    for (size_t i = 0; i < len; i++, p->offset++) {
        size_t plain;
        while (i < len && (plain = take_plain_lines(p, data + i, len - i)) > 0)
            i += plain;
        if (i == len)
            break;
        unsigned char c = data[i];
        bool in_bom = p->offset < 3 && c == bom[p->offset] && p->line == 1 && p->column == 1;
        bool starts_char = (c & 0xC0) != 0x80 && !in_bom && !(c == '\n' && p->after_cr);
        if (starts_char) {
            if (p->skipping &&
                position_compare(p->line, p->column, p->skip_line, p->skip_column) >= 0)
                p->skipping = false;
            start_edits(p);
            if (p->pending)
                continue_pending(p, c);
        }
        if (!p->skipping)
            put(p, (const char *)&c, 1);
        advance(p, c, starts_char);
    }
}

/* Edits at the very end (after the last byte) still apply. */
static void patcher_end(struct patcher *p)
{
    p->skipping = false;
    start_edits(p);
    if (p->pending)
        begin_replace(p, p->pending);
    p->skipping = false;
}

static struct patcher patcher_new(const struct rw_edit *edits, size_t count, uint32_t first_line,
                                  struct buf *out)
{
    return (struct patcher){
        .edits = edits, .count = count, .line = first_line, .column = 1, .out = out};
}

int emit_patched(FILE *out, const struct source *src, const struct rw_log *log, gh_error *err)
{
    struct source copy;
    int rc = source_open_copy(src, &copy, err);
    if (rc < 0)
        return rc;
    struct buf chunk;
    buf_init(&chunk, BUF_DEFAULT_MAX);
    struct patcher p = patcher_new(log->edits, log->nedits, 1, &chunk);
    unsigned char data[65536];
    long n;
    while ((n = source_read(&copy, data, sizeof(data))) > 0) {
        patcher_feed(&p, data, (size_t)n);
        /* Flushing between reads keeps memory at one chunk plus the edits' texts. */
        if (fwrite(chunk.data, 1, chunk.len, out) != chunk.len)
            n = -1;
        buf_clear(&chunk);
        if (n < 0 || p.failed)
            break;
    }
    patcher_end(&p);
    if (n >= 0 && !p.failed && chunk.len && fwrite(chunk.data, 1, chunk.len, out) != chunk.len)
        n = -1;
    buf_release(&chunk);
    source_close(&copy);
    if (p.failed)
        return error_set(err, GH_ENOMEM, "out of memory while writing '%s'", src->name);
    return n < 0 ? error_set(err, GH_EIO, "cannot read '%s' again or write the output", src->name)
                 : 0;
}

/* ---- the diff ---------------------------------------------------------------------------- */

struct lines {
    const char *text;
    size_t *start; /* start[i]: offset of line i+1; start[count] is the end */
    size_t count;
};

static int split_lines(struct lines *l, const char *text, size_t len)
{
    const unsigned char *u = (const unsigned char *)text;
    size_t n = 1;
    for (size_t i = 0; i < len; i++)
        n += break_length(u + i, len - i) > 0;
    l->text = text;
    l->start = malloc((n + 1) * sizeof(*l->start));
    if (!l->start)
        return -1;
    l->count = 0;
    l->start[l->count++] = 0;
    for (size_t i = 0; i < len;) {
        size_t b = break_length(u + i, len - i);
        i += b ? b : 1;
        if (b && i < len)
            l->start[l->count++] = i;
    }
    l->start[l->count] = len;
    if (len == 0)
        l->count = 0;
    return 0;
}

/* The input lines an edit touches: a replacement ending at column 1 ends on the line before. */
static void edit_lines(const struct rw_edit *e, uint32_t *first, uint32_t *last)
{
    *first = e->span.line;
    *last = e->kind == EDIT_INSERT_PAIR ? e->span.line : e->span.end_line;
    if (e->kind == EDIT_REPLACE && e->span.end_column == 1 && *last > *first)
        (*last)--;
}

struct block {
    uint32_t first, last; /* input lines */
    size_t edit_from, edit_to;
    struct buf after; /* the new text of those lines */
    size_t new_count;
};

static void print_lines(FILE *out, char mark, const char *text, size_t len)
{
    const unsigned char *u = (const unsigned char *)text;
    size_t i = 0;
    while (i < len) {
        size_t end = i, b = 0;
        while (end < len && !(b = break_length(u + end, len - end)))
            end++;
        fputc(mark, out);
        fwrite(text + i, 1, end + b - i, out);
        if (!b)
            fputs("\n\\ No newline at end of file\n", out);
        i = end + b;
    }
}

static size_t count_lines(const char *text, size_t len)
{
    const unsigned char *u = (const unsigned char *)text;
    size_t n = 0, b = 0;
    for (size_t i = 0; i < len; i += b ? b : 1)
        n += (b = break_length(u + i, len - i)) > 0;
    return n + (len && !b);
}

static const char *line_at(const struct lines *l, uint32_t line, size_t *len)
{
    *len = l->start[line] - l->start[line - 1];
    return l->text + l->start[line - 1];
}

/*
 * Lines at either end of a block that its edits leave as they were (an edit that ends at the
 * start of the next line rewrites that line with the same text): context, not change.
 */
static void trim_block(const struct lines *in, struct block *k)
{
    const char *text = k->after.data ? k->after.data : "";
    size_t head = 0, tail = k->after.len;
    size_t n;
    while (k->first <= k->last) {
        const char *line = line_at(in, k->first, &n);
        if (tail - head < n || memcmp(text + head, line, n) != 0)
            break;
        head += n;
        k->first++;
    }
    while (k->first <= k->last) {
        const char *line = line_at(in, k->last, &n);
        if (tail - head < n || memcmp(text + tail - n, line, n) != 0)
            break;
        tail -= n;
        k->last--;
    }
    if (k->after.data)
        memmove(k->after.data, text + head, tail - head);
    k->after.len = tail - head;
    k->new_count = count_lines(text, k->after.len);
}

static int make_blocks(const struct lines *in, const struct rw_log *log, struct block **out,
                       size_t *count)
{
    struct block *blocks = calloc(log->nedits ? log->nedits : 1, sizeof(*blocks));
    if (!blocks)
        return -1;
    size_t n = 0;
    for (size_t i = 0; i < log->nedits; i++) {
        uint32_t first, last;
        edit_lines(&log->edits[i], &first, &last);
        if (n && first <= blocks[n - 1].last + 1) { /* adjacent lines: one block */
            if (last > blocks[n - 1].last)
                blocks[n - 1].last = last;
            blocks[n - 1].edit_to = i + 1;
            continue;
        }
        blocks[n++] = (struct block){first, last, i, i + 1, {0}, 0};
    }
    int rc = 0;
    for (size_t b = 0; b < n && rc == 0; b++) {
        struct block *k = &blocks[b];
        if (k->last > in->count)
            k->last = (uint32_t)in->count;
        buf_init(&k->after, BUF_DEFAULT_MAX);
        size_t from = in->start[k->first - 1], to = in->start[k->last];
        struct patcher p =
            patcher_new(log->edits + k->edit_from, k->edit_to - k->edit_from, k->first, &k->after);
        p.offset = from; /* a byte order mark can only be at offset 0 */
        for (size_t back = from; back > 0; back--) {
            unsigned char c = (unsigned char)in->text[back - 1];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                p.last_seen = c;
                break;
            }
            p.broken_since = p.broken_since || c == '\n';
        }
        patcher_feed(&p, (const unsigned char *)in->text + from, to - from);
        if (k->last == in->count)
            patcher_end(&p);
        rc = p.failed ? -1 : 0;
        trim_block(in, k);
    }
    size_t kept = 0; /* blocks whose edits changed nothing in the end are not shown */
    for (size_t b = 0; b < n; b++) {
        if (blocks[b].first > blocks[b].last && !blocks[b].after.len)
            buf_release(&blocks[b].after);
        else
            blocks[kept++] = blocks[b];
    }
    *out = blocks;
    *count = kept;
    return rc;
}

static void print_hunk(FILE *out, const struct lines *in, struct block *blocks, size_t from,
                       size_t to, long delta)
{
    enum { CONTEXT = 3 };
    uint32_t first = blocks[from].first > CONTEXT ? blocks[from].first - CONTEXT : 1;
    uint32_t last = blocks[to - 1].last + CONTEXT;
    if (last > in->count)
        last = (uint32_t)in->count;
    long new_count = (long)(last - first + 1);
    for (size_t b = from; b < to; b++)
        new_count += (long)blocks[b].new_count - (long)(blocks[b].last - blocks[b].first + 1);
    fprintf(out, "@@ -%u,%u +%ld,%ld @@\n", first, last - first + 1, (long)first + delta,
            new_count);
    uint32_t line = first;
    for (size_t b = from; b <= to; b++) {
        uint32_t until = b < to ? blocks[b].first : last + 1;
        for (; line < until; line++) {
            size_t len;
            const char *t = line_at(in, line, &len);
            print_lines(out, ' ', t, len);
        }
        if (b == to)
            break;
        size_t from_byte = in->start[blocks[b].first - 1], to_byte = in->start[blocks[b].last];
        print_lines(out, '-', in->text + from_byte, to_byte - from_byte);
        print_lines(out, '+', blocks[b].after.data ? blocks[b].after.data : "",
                    blocks[b].after.len);
        line = blocks[b].last + 1;
    }
}

static int read_all(const struct source *src, struct buf *b, gh_error *err)
{
    struct source copy;
    int rc = source_open_copy(src, &copy, err);
    if (rc < 0)
        return rc;
    unsigned char data[65536];
    long n;
    while ((n = source_read(&copy, data, sizeof(data))) > 0)
        if (buf_append(b, data, (size_t)n) < 0) {
            n = -2;
            break;
        }
    source_close(&copy);
    if (n == -2)
        return error_set(err, GH_ENOMEM, "'%s' is too large to diff", src->name);
    return n < 0 ? error_set(err, GH_EIO, "cannot read '%s' again", src->name) : 0;
}

int emit_diff(FILE *out, const struct source *src, const struct rw_log *log, const char *name,
              gh_error *err)
{
    struct buf whole;
    buf_init(&whole, (size_t)1 << 30);
    int rc = read_all(src, &whole, err);
    struct lines in = {0};
    struct block *blocks = NULL;
    size_t nblocks = 0;
    if (rc == 0 && (split_lines(&in, whole.data ? whole.data : "", whole.len) < 0 ||
                    make_blocks(&in, log, &blocks, &nblocks) < 0))
        rc = error_set(err, GH_ENOMEM, "out of memory while diffing '%s'", src->name);
    if (rc == 0 && nblocks) {
        fprintf(out, "--- %s\n+++ %s (converted)\n", name, name);
        long delta = 0;
        for (size_t b = 0; b < nblocks;) {
            size_t end = b + 1;
            while (end < nblocks && blocks[end].first <= blocks[end - 1].last + 7)
                end++;
            print_hunk(out, &in, blocks, b, end, delta);
            for (size_t k = b; k < end; k++)
                delta += (long)blocks[k].new_count - (long)(blocks[k].last - blocks[k].first + 1);
            b = end;
        }
    }
    for (size_t b = 0; b < nblocks; b++)
        buf_release(&blocks[b].after);
    free(blocks);
    free(in.start);
    buf_release(&whole);
    return rc;
}
