/*
 * The JSON report, a contract for scripts (docs/cli.md): {"version": 1, "files": [...],
 * "diagnostics": [...], "summary": {...}}. New keys may be added; the existing ones stay.
 */
#include <jansson.h>
#include <stdlib.h>

#include "report.h"

struct json_state {
    FILE *out;
    json_t *root, *files, *diagnostics;
};

static void *json_begin(FILE *out, const gh_report_options *opt)
{
    (void)opt;
    struct json_state *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->out = out;
    s->root = json_object();
    s->files = json_array();
    s->diagnostics = json_array();
    if (!s->root || !s->files || !s->diagnostics) {
        json_decref(s->root);
        json_decref(s->files);
        json_decref(s->diagnostics);
        free(s);
        return NULL;
    }
    json_object_set_new(s->root, "version", json_integer(1));
    json_object_set_new(s->root, "tool",
                        json_pack("{s:s, s:s}", "name", "gatehop", "version", GATEHOP_VERSION));
    return s;
}

static json_t *file_info(const struct report_file *f)
{
    const struct check_info *i = f->info;
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s}", "file", f->name, "product",
                     i->product, "flavor", i->flavor, "format_version", i->format_version,
                     "version", i->version, "router_flavor", i->router_flavor, "assumed",
                     i->assumed, "note", i->note);
}

static json_t *diagnostic(const struct report_file *f, const struct diag *d)
{
    const gh_rule *rule = rule_info(d->rule);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:s, s:s}", "code", rule->code,
                     "name", rule->name, "severity", gh_severity_name(d->severity), "message",
                     d->message, "file", f->name, "line", (json_int_t)d->span.line, "column",
                     (json_int_t)d->span.column, "end_line", (json_int_t)d->span.end_line,
                     "end_column", (json_int_t)d->span.end_column, "path", d->path, "entity",
                     d->entity);
}

static int json_file(void *state, const struct report_file *f)
{
    struct json_state *s = state;
    json_t *info = file_info(f);
    if (!info || json_array_append_new(s->files, info) < 0)
        return -1;
    for (size_t i = 0; i < f->sink->count; i++) {
        json_t *d = diagnostic(f, &f->sink->items[i]);
        if (!d || json_array_append_new(s->diagnostics, d) < 0)
            return -1;
    }
    return 0;
}

static int json_end(void *state, const struct report_totals *t)
{
    struct json_state *s = state;
    json_object_set_new(s->root, "files", s->files);
    json_object_set_new(s->root, "diagnostics", s->diagnostics);
    json_object_set_new(s->root, "summary",
                        json_pack("{s:I, s:I, s:I, s:I}", "files", (json_int_t)t->files, "errors",
                                  (json_int_t)t->by_severity[GH_ERROR], "warnings",
                                  (json_int_t)t->by_severity[GH_WARNING], "infos",
                                  (json_int_t)t->by_severity[GH_INFO]));
    int rc = json_dumpf(s->root, s->out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (rc == 0)
        fputc('\n', s->out);
    json_decref(s->root);
    int flushed = fflush(s->out);
    free(s);
    return rc == 0 && flushed == 0 ? 0 : -1;
}

const struct report_writer report_json_writer = {"json", GH_FORMAT_JSON, json_begin, json_file,
                                                 json_end};
