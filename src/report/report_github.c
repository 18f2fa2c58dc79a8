/*
 * GitHub Actions workflow commands: one `::error`, `::warning` or `::notice` line per finding,
 * which the runner shows as an annotation on the file and line. Values are escaped as the
 * runner's own toolkit escapes them (%, CR and LF in the message; also : and , in properties).
 * The runner keeps only the first few annotations of each kind per step, so a CI job should
 * also print the text report or upload SARIF (docs/ci.md).
 */
#include <stdlib.h>

#include "report.h"

static void *github_begin(FILE *out, const gh_report_options *opt)
{
    (void)opt;
    return out;
}

static void put_escaped(FILE *out, const char *s, bool property)
{
    for (; *s; s++) {
        if (*s == '%')
            fputs("%25", out);
        else if (*s == '\r')
            fputs("%0D", out);
        else if (*s == '\n')
            fputs("%0A", out);
        else if (property && *s == ':')
            fputs("%3A", out);
        else if (property && *s == ',')
            fputs("%2C", out);
        else
            fputc(*s, out);
    }
}

static void annotation(FILE *out, const char *file, const struct diag *d)
{
    static const char *const commands[] = {
        [GH_INFO] = "notice", [GH_WARNING] = "warning", [GH_ERROR] = "error"};
    const gh_rule *rule = diag_rule(d);
    fprintf(out, "::%s file=", commands[d->severity]);
    put_escaped(out, file, true);
    if (d->span.line > 0) {
        fprintf(out, ",line=%u,endLine=%u", d->span.line, d->span.end_line);
        /* Columns mean something to the runner only within one line. */
        if (d->span.line == d->span.end_line)
            fprintf(out, ",col=%u,endColumn=%u", d->span.column, d->span.end_column);
    }
    fprintf(out, ",title=%s %s::", rule->code, rule->name);
    put_escaped(out, d->message, false);
    fprintf(out, " [%s]\n", rule->code);
}

static int github_file(void *state, const struct report_file *f)
{
    FILE *out = state;
    for (size_t i = 0; i < f->sink->count; i++)
        annotation(out, f->name, &f->sink->items[i]);
    return ferror(out) ? -1 : 0;
}

static int github_end(void *state, const struct report_totals *t)
{
    (void)t;
    return ferror((FILE *)state) ? -1 : 0;
}

const struct report_writer report_github_writer = {"github", GH_FORMAT_GITHUB, github_begin,
                                                   github_file, github_end};
