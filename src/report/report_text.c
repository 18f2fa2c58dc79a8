/*
 * The text report: one gcc-style line per finding, which editors and CI logs understand,
 *   kong.yml:12:14: error: 'retries': expected an integer, got a string 'five' [HOP2003]
 * then the source line with a caret under the value. Secret values are masked in the excerpt.
 */
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "util/util_buf.h"
#include "util/util_utf8.h"

#define EXCERPT_MAX 240

struct text_state {
    FILE *out;
    gh_report_options opt;
};

struct line_text {
    uint32_t line;
    char *text;
    size_t len;
};

struct fetched {
    struct line_text *lines;
    size_t count;
};

static struct line_text *line_slot(const struct fetched *f, uint32_t line);

/* The lines are sorted and distinct: one lookup per line read, not a scan of them all (a file
 * of 100,000 findings would take minutes). */
static void keep_line(void *ctx, uint32_t line, const char *text, size_t len)
{
    struct fetched *f = ctx;
    struct line_text *slot = line_slot(f, line);
    if (!slot || slot->text)
        return;
    slot->text = malloc(len + 1);
    if (slot->text) {
        memcpy(slot->text, text, len);
        slot->text[len] = '\0';
        slot->len = len;
    }
}

static int compare_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* The distinct lines the findings point at, read from the source in one pass. */
static void fetch_lines(const struct report_file *f, struct fetched *out)
{
    out->lines = NULL;
    out->count = 0;
    size_t n = f->sink->count;
    uint32_t *wanted = malloc((n ? n : 1) * sizeof(*wanted));
    if (!wanted)
        return;
    for (size_t i = 0; i < n; i++)
        wanted[i] = f->sink->items[i].span.line;
    qsort(wanted, n, sizeof(*wanted), compare_u32);
    size_t unique = 0;
    for (size_t i = 0; i < n; i++)
        if (!unique || wanted[unique - 1] != wanted[i])
            wanted[unique++] = wanted[i];
    out->lines = calloc(unique ? unique : 1, sizeof(*out->lines));
    if (out->lines) {
        for (size_t i = 0; i < unique; i++)
            out->lines[i].line = wanted[i];
        out->count = unique;
        source_fetch_lines(f->src, wanted, unique, 4096, keep_line, out);
    }
    free(wanted);
}

static struct line_text *line_slot(const struct fetched *f, uint32_t line)
{
    size_t lo = 0, hi = f->count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (f->lines[mid].line == line)
            return &f->lines[mid];
        if (f->lines[mid].line < line)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static const struct line_text *find_line(const struct fetched *f, uint32_t line)
{
    const struct line_text *slot = line_slot(f, line);
    return slot && slot->text ? slot : NULL;
}

static size_t byte_of_column(const char *s, size_t len, uint32_t column)
{
    size_t i = 0;
    for (uint32_t c = 1; c < column && i < len; c++) {
        i++;
        while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
    }
    return i;
}

/* Bytes that are not valid UTF-8, and control characters other than tab, become '?', so an
 * excerpt of a broken file cannot garble a terminal or a log. Columns stay where they were. */
static void printable(char *text, size_t len)
{
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)text[i];
        size_t n = utf8_sequence_length((const unsigned char *)text + i, len - i);
        if (n == 0 || (c < 0x20 && c != '\t') || c == 0x7f) {
            text[i++] = '?';
            continue;
        }
        i += n;
    }
}

static void print_excerpt(FILE *out, const struct report_file *f, const struct diag *d,
                          const struct line_text *lt)
{
    char text[EXCERPT_MAX + 1];
    size_t len = lt->len < EXCERPT_MAX ? lt->len : EXCERPT_MAX;
    memcpy(text, lt->text, len);
    text[len] = '\0';
    report_mask_line(f->sink, d->span.line, text, len);
    printable(text, len);
    size_t at = byte_of_column(text, len, d->span.column);
    size_t end =
        d->span.end_line == d->span.line ? byte_of_column(text, len, d->span.end_column) : len;
    if (end <= at)
        end = at + 1;
    fprintf(out, "%5u | %s\n      | ", d->span.line, text);
    for (size_t i = 0; i < at && i < len; i++) {
        if (((unsigned char)text[i] & 0xC0) == 0x80)
            continue;
        fputc(text[i] == '\t' ? '\t' : ' ', out);
    }
    fputc('^', out);
    for (size_t i = at + 1; i < end && i < len; i++)
        if (((unsigned char)text[i] & 0xC0) != 0x80)
            fputc('~', out);
    fputc('\n', out);
}

static void *text_begin(FILE *out, const gh_report_options *opt)
{
    struct text_state *s = calloc(1, sizeof(*s));
    if (s) {
        s->out = out;
        if (opt)
            s->opt = *opt;
    }
    return s;
}

/* The hops of a conversion on one line: "kong 2.8 -> 3.0 -> 3.1". */
static void print_hop_chain(FILE *out, const struct report_file *f)
{
    const struct check_info *info = f->info;
    fprintf(out, "%s: %s", f->name, info->product);
    for (size_t h = 0; h < info->nhops; h++) {
        const char *arrow = strstr(info->hops[h], " -> ");
        if (h == 0)
            fprintf(out, " %s", info->hops[h]);
        else if (arrow)
            fprintf(out, "%s", arrow);
    }
    fputs(info->nhops ? "\n" : " is already at the target: nothing to convert\n", out);
}

/* What a conversion changed, hop by hop (hops without changes are only in the chain). */
static void print_changes(FILE *out, const struct report_file *f)
{
    const struct check_info *info = f->info;
    const struct rw_change **hop_changes =
        calloc(f->log->nchanges ? f->log->nchanges : 1, sizeof(*hop_changes));
    if (!hop_changes)
        return;
    print_hop_chain(out, f);
    for (size_t h = 0; h < info->nhops; h++) {
        size_t n = report_hop_changes(f->log, h, hop_changes, f->log->nchanges);
        if (n)
            fprintf(out, "  %s:\n", info->hops[h]);
        for (size_t i = 0; i < n; i++) {
            const struct rw_change *c = hop_changes[i];
            const char *entity = c->entity ? c->entity : "";
            fprintf(out, "    %s:%u:%u: %s%s", f->name, c->span.line, c->span.column, entity,
                    *entity ? ": " : "");
            if (c->kind == CHANGE_KEY)
                fprintf(out, "key %s -> %s", c->old_text, c->new_text);
            else if (c->kind == CHANGE_ADDED)
                fprintf(out, "'%s' added: %s", c->field, c->new_text);
            else if (c->kind == CHANGE_REMOVED)
                fprintf(out, "'%s' removed: %s", c->field, c->old_text);
            else
                fprintf(out, "'%s': %s -> %s", c->field, c->old_text, c->new_text);
            fprintf(out, " [%s]\n", rule_info(c->rule)->code);
        }
    }
    free(hop_changes);
}

static int text_file(void *state, const struct report_file *f)
{
    struct text_state *s = state;
    if (f->log && f->info->version[0]) /* a file never checked was not converted either */
        print_changes(s->out, f);
    struct fetched lines = {NULL, 0};
    if (s->opt.excerpts && f->src)
        fetch_lines(f, &lines);
    for (size_t i = 0; i < f->sink->count; i++) {
        const struct diag *d = &f->sink->items[i];
        const gh_rule *rule = diag_rule(d);
        /* Findings about a database have no line: the entity says where instead. */
        if (d->span.line)
            fprintf(s->out, "%s:%u:%u: ", f->name, d->span.line, d->span.column);
        else if (d->entity && *d->entity)
            fprintf(s->out, "%s: %s: ", f->name, d->entity);
        else
            fprintf(s->out, "%s: ", f->name);
        fprintf(s->out, "%s: %s [%s]\n", gh_severity_name(d->severity), d->message, rule->code);
        const struct line_text *lt = find_line(&lines, d->span.line);
        if (lt)
            print_excerpt(s->out, f, d, lt);
    }
    for (size_t i = 0; i < lines.count; i++)
        free(lines.lines[i].text);
    free(lines.lines);
    return ferror(s->out) ? -1 : 0;
}

static int text_end(void *state, const struct report_totals *totals)
{
    struct text_state *s = state;
    (void)totals;
    int rc = fflush(s->out) == 0 ? 0 : -1;
    free(s);
    return rc;
}

const struct report_writer report_text_writer = {"text", GH_FORMAT_TEXT, text_begin, text_file,
                                                 text_end};
