#include "report.h"

#include "util/util_embed.h"
#include "util/util_str.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct report_writer *const writers[] = {
    &report_text_writer,  &report_json_writer,       &report_sarif_writer,
    &report_junit_writer, &report_checkstyle_writer, &report_github_writer,
};

const char *report_rule_doc(const gh_rule *rule)
{
    char path[64];
    snprintf(path, sizeof(path), "docs/rules/%s.md", rule->code);
    const struct embedded_file *f = embedded_find(path);
    return f ? f->data : NULL;
}

const struct report_writer *report_writer_for(enum gh_format format)
{
    for (size_t i = 0; i < sizeof(writers) / sizeof(writers[0]); i++)
        if (writers[i]->format == format)
            return writers[i];
    return NULL;
}

const struct report_writer *report_writer_named(const char *name)
{
    for (size_t i = 0; i < sizeof(writers) / sizeof(writers[0]); i++)
        if (strcmp(writers[i]->name, name) == 0)
            return writers[i];
    return NULL;
}

static int compare_files(const void *a, const void *b)
{
    return strcmp(((const struct report_file *)a)->name, ((const struct report_file *)b)->name);
}

int report_write(FILE *out, enum gh_format format, struct report_file *files, size_t count,
                 const gh_report_options *opt)
{
    const struct report_writer *w = report_writer_for(format);
    if (!w)
        return -1;
    qsort(files, count, sizeof(*files), compare_files);
    struct report_totals totals = {count, {0, 0, 0}, 0};
    void *state = w->begin(out, opt);
    if (!state)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < count && rc == 0; i++) {
        for (size_t s = 0; s < 3; s++)
            totals.by_severity[s] += files[i].sink->by_severity[s];
        totals.suppressed += files[i].sink->suppressed;
        rc = w->file(state, &files[i]);
    }
    int end = w->end(state, &totals);
    return rc ? rc : end;
}

static void mask_range(char *text, size_t len, size_t from, size_t to)
{
    for (size_t i = from; i < to && i < len; i++)
        if (text[i] != '"' && text[i] != '\'')
            text[i] = '*';
}

/* Column (1-based characters) to byte offset within a line. */
static size_t byte_at(const char *text, size_t len, uint32_t column)
{
    size_t i = 0;
    for (uint32_t c = 1; c < column && i < len; c++) {
        i++;
        while (i < len && ((unsigned char)text[i] & 0xC0) == 0x80)
            i++;
    }
    return i;
}

void report_mask_line(const struct diag_sink *sink, uint32_t line, char *text, size_t len)
{
    /* the secrets that reach the line, from the first that ends on it or later (the spans
     * are sorted by diag_sort, unless it ran out of memory: then all are read) */
    bool sorted = secret_spans_sorted(&sink->secrets);
    struct secret_cursor c = secret_spans_seek(&sink->secrets, line, 0);
    struct span s;
    while (secret_cursor_next(&c, &s)) {
        if (s.line > line && sorted)
            break;
        if (line < s.line || line > s.end_line)
            continue;
        size_t from = s.line == line ? byte_at(text, len, s.column) : 0;
        size_t to = s.end_line == line ? byte_at(text, len, s.end_column) : len;
        mask_range(text, len, from, to);
    }
    /* "  password: hunter2" or "- key: abc": mask the value of a secret-looking key */
    size_t k = 0;
    while (k < len && (text[k] == ' ' || text[k] == '-' || text[k] == '"' || text[k] == '{'))
        k++;
    size_t start = k;
    while (k < len && (isalnum((unsigned char)text[k]) || text[k] == '_' || text[k] == '-'))
        k++;
    size_t key_len = k - start;
    if (k < len && text[k] == '"')
        k++;
    if (k < len && text[k] == ':' && key_len && str_names_secret(text + start, key_len)) {
        k++;
        while (k < len && text[k] == ' ')
            k++;
        mask_range(text, len, k, len);
    }
}

static int compare_changes(const void *a, const void *b)
{
    const struct rw_change *x = *(const struct rw_change *const *)a;
    const struct rw_change *y = *(const struct rw_change *const *)b;
    if (x->span.line != y->span.line)
        return x->span.line < y->span.line ? -1 : 1;
    if (x->span.column != y->span.column)
        return x->span.column < y->span.column ? -1 : 1;
    return x < y ? -1 : x > y;
}

size_t report_hop_changes(const struct rw_log *log, size_t hop, const struct rw_change **out,
                          size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < log->nchanges && n < max; i++)
        if (log->changes[i].hop == hop)
            out[n++] = &log->changes[i];
    qsort(out, n, sizeof(*out), compare_changes);
    return n;
}
