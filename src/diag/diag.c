#include "diag.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/util_buf.h"
#include "util/util_utf8.h"

static const gh_rule rules[RULE_COUNT] = {
#define RULE(code, name, severity, summary) [R_##code] = {#code, name, severity, summary},
#include "diag_rules.def"
#undef RULE
};

const gh_rule *rule_info(enum rule_id rule)
{
    return &rules[rule];
}

int rule_lookup(const char *code_or_name)
{
    for (size_t i = 0; i < RULE_COUNT; i++)
        if (!strcasecmp(rules[i].code, code_or_name) || !strcmp(rules[i].name, code_or_name))
            return (int)i;
    return -1;
}

void diag_sink_init(struct diag_sink *sink, size_t max)
{
    memset(sink, 0, sizeof(*sink));
    sink->max = max ? max : 100000;
    arena_init(&sink->strings, 64 * 1024);
}

void diag_sink_release(struct diag_sink *sink)
{
    free(sink->items);
    secret_spans_release(&sink->secrets);
    arena_release(&sink->strings);
    memset(sink, 0, sizeof(*sink));
}

static struct diag *next_slot(struct diag_sink *sink)
{
    if (sink->count == sink->cap) {
        size_t cap = sink->cap ? sink->cap * 2 : 64;
        struct diag *items = realloc(sink->items, cap * sizeof(*items));
        if (!items) {
            sink->failed = true;
            return NULL;
        }
        sink->items = items;
        sink->cap = cap;
    }
    return &sink->items[sink->count++];
}

static const char *keep(struct diag_sink *sink, const char *s)
{
    if (!s || !*s)
        return "";
    const char *copy = arena_strdup(&sink->strings, s);
    if (!copy)
        sink->failed = true;
    return copy ? copy : "";
}

void diag_add_custom(struct diag_sink *sink, const gh_rule *custom, enum gh_severity severity,
                     const struct span *span, const char *path, const char *message)
{
    size_t before = sink->count;
    diag_add(sink, R_HOP9006, (int)severity, span, path, NULL, "%s", message);
    if (sink->count > before)
        sink->items[sink->count - 1].custom = custom;
}

void diag_add(struct diag_sink *sink, enum rule_id rule, int severity, const struct span *span,
              const char *path, const char *entity, const char *fmt, ...)
{
    int chosen = sink->policy ? sink->policy[rule] : RULE_KEEP;
    if (chosen == RULE_OFF)
        return;
    if (chosen != RULE_KEEP)
        severity = chosen;
    enum gh_severity sev = severity < 0 ? rules[rule].severity : (enum gh_severity)severity;
    sink->by_severity[sev]++;
    if (sink->count >= sink->max) {
        sink->dropped++;
        return;
    }
    struct diag *d = next_slot(sink);
    if (!d)
        return;
    va_list ap;
    va_start(ap, fmt);
    const char *message = arena_vprintf(&sink->strings, fmt, ap);
    va_end(ap);
    if (!message) {
        sink->failed = true;
        message = "";
    }
    static const struct span nowhere = {1, 1, 1, 2};
    struct span where = span ? *span : nowhere;
    /* A span covers at least one character, so every report can underline something; line 0
     * is no place at all (a finding about a database), and stays so. */
    if (where.line && (where.end_line < where.line ||
                       (where.end_line == where.line && where.end_column <= where.column))) {
        where.end_line = where.line;
        where.end_column = where.column + 1;
    }
    *d = (struct diag){
        .rule = rule,
        .severity = sev,
        .span = where,
        .message = message,
        .path = keep(sink, path),
        .entity = keep(sink, entity),
        .seq = (uint32_t)(sink->count - 1),
    };
}

void diag_add_secret_span(struct diag_sink *sink, const struct span *span)
{
    if (secret_spans_add(&sink->secrets, span) < 0)
        sink->failed = true;
}

void diag_add_copy(struct diag_sink *sink, const struct diag *d)
{
    size_t before = sink->count;
    diag_add(sink, d->rule, (int)d->severity, &d->span, d->path, d->entity, "%s", d->message);
    if (sink->count > before)
        sink->items[sink->count - 1].custom = d->custom;
}

void diag_merge(struct diag_sink *dst, const struct diag_sink *src)
{
    for (size_t i = 0; i < src->count; i++)
        diag_add_copy(dst, &src->items[i]);
    for (int s = GH_INFO; s <= GH_ERROR; s++) {
        size_t stored = 0;
        for (size_t i = 0; i < src->count; i++)
            stored += src->items[i].severity == (enum gh_severity)s;
        dst->by_severity[s] += src->by_severity[s] - stored; /* counted but not stored */
    }
    dst->dropped += src->dropped;
    struct secret_cursor c = secret_spans_first(&src->secrets);
    struct span secret;
    while (secret_cursor_next(&c, &secret))
        diag_add_secret_span(dst, &secret);
    dst->failed |= src->failed;
}

/* Takes out the flagged findings; returns how many. */
static size_t remove_flagged(struct diag_sink *sink, const bool *remove)
{
    size_t kept = 0;
    for (size_t i = 0; i < sink->count; i++) {
        if (remove[i])
            sink->by_severity[sink->items[i].severity]--;
        else
            sink->items[kept++] = sink->items[i];
    }
    size_t removed = sink->count - kept;
    sink->count = kept;
    return removed;
}

void diag_remove(struct diag_sink *sink, const bool *remove)
{
    sink->suppressed += remove_flagged(sink, remove);
}

void diag_take_back(struct diag_sink *sink, const bool *remove)
{
    remove_flagged(sink, remove);
}

void diag_finish(struct diag_sink *sink)
{
    if (!sink->dropped)
        return;
    size_t dropped = sink->dropped;
    sink->max++; /* room for the note itself */
    diag_add(sink, R_HOP9003, -1, NULL, NULL, NULL,
             "%zu more findings were not reported (limit %zu); fix these first or raise "
             "--max-findings",
             dropped, sink->max - 1);
}

static int compare_diags(const void *a, const void *b)
{
    const struct diag *x = a, *y = b;
    if (x->span.line != y->span.line)
        return x->span.line < y->span.line ? -1 : 1;
    if (x->span.column != y->span.column)
        return x->span.column < y->span.column ? -1 : 1;
    if (x->rule != y->rule)
        return x->rule < y->rule ? -1 : 1;
    int by_name = x->custom && y->custom ? strcmp(x->custom->code, y->custom->code) : 0;
    if (by_name)
        return by_name;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void diag_sort(struct diag_sink *sink)
{
    if (sink->count > 1)
        qsort(sink->items, sink->count, sizeof(sink->items[0]), compare_diags);
    /* an excerpt finds the secrets on its line by binary search (report_mask_line); out of
     * memory, it reads them all */
    if (secret_spans_sort(&sink->secrets) < 0)
        sink->failed = true;
}

bool diag_span_holds_secret(const struct diag_sink *sink, const struct span *span)
{
    /* the first secret that ends after the span's start: it is within when it starts before
     * the span's end (a later one starts later still) */
    bool sorted = secret_spans_sorted(&sink->secrets);
    uint32_t after = span->column + 1, line = span->line + (after == 0);
    struct secret_cursor c = secret_spans_seek(&sink->secrets, line, after);
    struct span s;
    while (secret_cursor_next(&c, &s)) {
        bool within = position_compare(s.end_line, s.end_column, line, after) >= 0 &&
                      position_compare(s.line, s.column, span->end_line, span->end_column) < 0;
        if (within || sorted)
            return within;
    }
    return false;
}

const char *diag_value(struct diag_sink *sink, const struct node *n, bool secret)
{
    if (secret)
        return "'<redacted>'";
    if (!n || n->kind != NODE_SCALAR)
        return node_describe(n);
    struct buf b;
    buf_init(&b, 512);
    buf_putc(&b, '\'');
    const char *s = n->u.text;
    size_t len = n->count, shown = utf8_offset(s, len, 80);
    for (size_t i = 0; i < shown; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n')
            buf_puts(&b, "\\n");
        else if (c == '\t')
            buf_puts(&b, "\\t");
        else if (c < 0x20 || c == 0x7f)
            buf_printf(&b, "\\x%02x", c);
        else
            buf_putc(&b, (char)c);
    }
    buf_puts(&b, shown < len ? "...'" : "'");
    const char *out = keep(sink, buf_cstr(&b));
    buf_release(&b);
    return out;
}
