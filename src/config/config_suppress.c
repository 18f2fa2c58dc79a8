#include "config_suppress.h"

#include <stdlib.h>
#include <string.h>

#include "util/util_utf8.h"

#define COMMENT_MAX_RULES 16
#define COMMENT_MAX_LINE  4096
#define COMMENT_MAX_NAME  64

/* One "# gatehop:" comment. */
struct comment {
    uint32_t line, column; /* of the '#' */
    /* gatehop's rules; -1 for a name that is none of them: an organisation ruleset's rule,
     * whose name is in names[] (whether it is one is known only by the findings it covers) */
    int rules[COMMENT_MAX_RULES];
    char names[COMMENT_MAX_RULES][COMMENT_MAX_NAME];
    bool used[COMMENT_MAX_RULES];
    size_t nrules;
    char problem[200]; /* a directive gatehop cannot read, reported as HOP9004 */
};

struct comments {
    struct comment *items;
    size_t count, cap;
    bool failed;
};

/* ---- reading the comments ------------------------------------------------------------------- */

/* Where the line's comment starts: a '#' first or after a blank, outside quotes; or NULL. */
static const char *comment_start(const char *text, size_t len)
{
    bool single = false, dbl = false;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (dbl && c == '\\') {
            i++;
        } else if (!single && c == '"') {
            dbl = !dbl;
        } else if (!dbl && c == '\'') {
            single = !single; /* '' inside single quotes toggles twice: still inside */
        } else if (!single && !dbl && c == '#' &&
                   (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\t')) {
            return text + i;
        }
    }
    return NULL;
}

static const char *skip_blanks(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    return p;
}

static const char *word_end(const char *p, const char *end)
{
    while (p < end && *p != ' ' && *p != '\t')
        p++;
    return p;
}

/* The rules of "HOP2001,unknown-field": into c->rules, or a problem. */
static void read_rules(struct comment *c, const char *p, const char *end)
{
    while (p < end) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *stop = comma ? comma : end;
        char name[64];
        size_t n = (size_t)(stop - p);
        snprintf(name, sizeof(name), "%.*s", (int)(n < sizeof(name) ? n : sizeof(name) - 1), p);
        int rule = n ? rule_lookup(name) : -1;
        if (!n || n >= COMMENT_MAX_NAME) {
            snprintf(c->problem, sizeof(c->problem), "'%s' is not a rule's name", name);
            return;
        }
        if (rule == R_HOP9004) {
            snprintf(c->problem, sizeof(c->problem), "HOP9004 cannot be ignored");
            return;
        }
        if (c->nrules == COMMENT_MAX_RULES) {
            snprintf(c->problem, sizeof(c->problem), "at most %d rules per comment",
                     COMMENT_MAX_RULES);
            return;
        }
        memcpy(c->names[c->nrules], name, n + 1);
        c->rules[c->nrules++] = rule;
        p = comma ? comma + 1 : end;
    }
}

/* "gatehop: ignore RULES reason" after the '#': the comment, or false when it is no directive. */
static bool read_directive(const char *hash, const char *end, struct comment *c)
{
    static const char marker[] = "gatehop:";
    const char *p = skip_blanks(hash + 1, end);
    if ((size_t)(end - p) < sizeof(marker) - 1 || memcmp(p, marker, sizeof(marker) - 1) != 0)
        return false;
    p = skip_blanks(p + sizeof(marker) - 1, end);
    const char *verb_end = word_end(p, end);
    if ((size_t)(verb_end - p) != 6 || memcmp(p, "ignore", 6) != 0) {
        snprintf(c->problem, sizeof(c->problem),
                 "'gatehop: %.*s' is no directive gatehop knows; write 'gatehop: ignore RULE "
                 "reason'",
                 (int)(verb_end - p > 40 ? 40 : verb_end - p), p);
        return true;
    }
    p = skip_blanks(verb_end, end);
    const char *rules_end = word_end(p, end);
    if (rules_end == p)
        snprintf(c->problem, sizeof(c->problem),
                 "name the rules to ignore: 'gatehop: ignore HOP2001 reason'");
    else
        read_rules(c, p, rules_end);
    return true;
}

static void on_line(void *ctx, uint32_t line, const char *text, size_t len)
{
    struct comments *all = ctx;
    const char *hash = comment_start(text, len);
    struct comment c = {0};
    if (!hash || !read_directive(hash, text + len, &c))
        return;
    if (all->count == all->cap) {
        size_t cap = all->cap ? all->cap * 2 : 16;
        struct comment *grown = realloc(all->items, cap * sizeof(*grown));
        if (!grown) {
            all->failed = true;
            return;
        }
        all->items = grown;
        all->cap = cap;
    }
    c.line = line;
    c.column = (uint32_t)utf8_count(text, (size_t)(hash - text)) + 1;
    all->items[all->count++] = c;
}

/* ---- matching ------------------------------------------------------------------------------ */

/* A finding of gatehop's rule, or of a ruleset's rule by its name (or all of those by
 * HOP9006). */
static bool names_finding(const struct comment *c, size_t i, const struct diag *d)
{
    if (c->rules[i] >= 0)
        return c->rules[i] == (int)d->rule;
    return d->custom && !strcmp(c->names[i], d->custom->code);
}

static bool comment_covers(struct comment *c, const struct diag *d)
{
    for (size_t i = 0; i < c->nrules; i++)
        if (names_finding(c, i, d)) {
            c->used[i] = true;
            return true;
        }
    return false;
}

/* Comments are in line order: the first one on `line`, or NULL. */
static struct comment *first_on(struct comments *all, uint32_t line)
{
    size_t lo = 0, hi = all->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (all->items[mid].line < line)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < all->count && all->items[lo].line == line ? &all->items[lo] : NULL;
}

/* One comment per line at most: the one on the finding's line, then the one above it. */
static bool inline_covers(struct comments *all, const struct diag *d)
{
    struct comment *same = first_on(all, d->span.line);
    struct comment *above = d->span.line > 1 ? first_on(all, d->span.line - 1) : NULL;
    return (same && comment_covers(same, d)) || (above && comment_covers(above, d));
}

static int compare_key(const struct baseline_entry *e, const char *code, const char *path)
{
    int c = strcmp(e->code, code);
    return c ? c : strcmp(e->path, path);
}

/* A file's entries are sorted by code and path: the first equal one still unused. */
static bool baseline_covers(const struct suppress_input *in, bool *used, const struct diag *d)
{
    const char *code = diag_rule(d)->code;
    size_t lo = 0, hi = in->nbaseline;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (compare_key(&in->baseline[mid], code, d->path) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < in->nbaseline && !compare_key(&in->baseline[lo], code, d->path); lo++)
        if (!used[lo])
            return used[lo] = true;
    return false;
}

/* ---- what is left over ------------------------------------------------------------------ */

static void report_stale_comments(struct diag_sink *sink, const struct comments *all)
{
    for (size_t i = 0; i < all->count; i++) {
        const struct comment *c = &all->items[i];
        struct span at = {c->line, c->column, c->line, c->column + 1};
        if (c->problem[0])
            diag_add(sink, R_HOP9004, -1, &at, NULL, NULL, "this suppression is not read: %s",
                     c->problem);
        for (size_t r = 0; r < c->nrules; r++)
            if (!c->used[r] && c->rules[r] >= 0)
                diag_add(sink, R_HOP9004, -1, &at, NULL, NULL,
                         "'gatehop: ignore %s' covers no finding on this line or the next; "
                         "remove it",
                         rule_info((enum rule_id)c->rules[r])->code);
            else if (!c->used[r])
                diag_add(sink, R_HOP9004, -1, &at, NULL, NULL,
                         "'gatehop: ignore %s' covers no finding on this line or the next: "
                         "'%s' is not a gatehop rule, and no ruleset rule of that name found "
                         "anything here",
                         c->names[r], c->names[r]);
    }
}

static void report_stale_baseline(struct diag_sink *sink, const struct suppress_input *in,
                                  const bool *used)
{
    for (size_t i = 0; i < in->nbaseline; i++)
        if (!used[i])
            diag_add(sink, R_HOP9004, -1, NULL, in->baseline[i].path, NULL,
                     "baseline '%s' lists %s at '%s', which no longer occurs; write the "
                     "baseline again (--write-baseline)",
                     in->baseline_name, in->baseline[i].code, in->baseline[i].path);
}

int suppress_findings(struct diag_sink *sink, const struct suppress_input *in)
{
    struct comments all = {0};
    int rc = 0;
    if (in->inline_comments && in->src->stats.marker)
        rc = source_each_line(in->src, COMMENT_MAX_LINE, on_line, &all);
    bool *remove = calloc(sink->count + 1, sizeof(*remove));
    bool *used = calloc(in->nbaseline + 1, sizeof(*used));
    if (!remove || !used || all.failed) {
        sink->failed = true;
        rc = -1;
    }
    for (size_t i = 0; rc == 0 && i < sink->count; i++) {
        const struct diag *d = &sink->items[i];
        remove[i] = inline_covers(&all, d) || baseline_covers(in, used, d);
    }
    if (rc == 0) {
        diag_remove(sink, remove);
        /* What was dropped past the limit may be what a suppression covers. */
        if (!sink->dropped) {
            report_stale_comments(sink, &all);
            report_stale_baseline(sink, in, used);
        }
        diag_sort(sink);
    }
    free(remove);
    free(used);
    free(all.items);
    return rc;
}
