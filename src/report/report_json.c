/*
 * The JSON report, a contract for scripts (docs/cli.md): {"version": 1, "files": [...],
 * "diagnostics": [...], "summary": {...}}. New keys may be added; the existing ones stay.
 */
#include <jansson.h>
#include <string.h>
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

/* "a, b" as ["a", "b"]. */
static json_t *name_list(const char *text)
{
    json_t *list = json_array();
    for (const char *p = text; list && *p;) {
        const char *end = strstr(p, ", ");
        size_t len = end ? (size_t)(end - p) : strlen(p);
        json_array_append_new(list, json_stringn(p, len));
        p += len + (end ? 2 : 0);
    }
    return list;
}

static json_t *file_info(const struct report_file *f)
{
    const struct check_info *i = f->info;
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:o}", "file", f->name,
                     "product", i->product, "flavor", i->flavor, "format_version",
                     i->format_version, "version", i->version, "router_flavor", i->router_flavor,
                     "edition", i->edition, "assumed", i->assumed, "note", i->note,
                     "unchecked_plugins", name_list(i->unchecked_plugins));
}

static json_t *diagnostic(const struct report_file *f, const struct diag *d)
{
    const gh_rule *rule = diag_rule(d);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:s, s:s}", "code", rule->code,
                     "name", rule->name, "severity", gh_severity_name(d->severity), "message",
                     d->message, "file", f->name, "line", (json_int_t)d->span.line, "column",
                     (json_int_t)d->span.column, "end_line", (json_int_t)d->span.end_line,
                     "end_column", (json_int_t)d->span.end_column, "path", d->path, "entity",
                     d->entity);
}

static json_t *change(const struct report_file *f, const struct rw_change *c)
{
    static const char *const kinds[] = {[CHANGE_VALUE] = "value",
                                        [CHANGE_KEY] = "key",
                                        [CHANGE_ADDED] = "added",
                                        [CHANGE_REMOVED] = "removed"};
    const gh_rule *rule = rule_info(c->rule);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "code",
                     rule->code, "name", rule->name, "hop", f->info->hops[c->hop], "kind",
                     kinds[c->kind], "file", f->name, "line", (json_int_t)c->span.line, "column",
                     (json_int_t)c->span.column, "path", c->path, "entity",
                     c->entity ? c->entity : "", "field", c->field, "old", c->old_text, "new",
                     c->new_text, "why", c->why);
}

/* convert: the changes, hop by hop, under the file's entry. */
static int add_changes(json_t *info, const struct report_file *f)
{
    json_t *list = json_array();
    const struct rw_change **hop_changes =
        calloc(f->log->nchanges ? f->log->nchanges : 1, sizeof(*hop_changes));
    int rc = list && hop_changes ? 0 : -1;
    for (size_t h = 0; rc == 0 && h < f->info->nhops; h++) {
        size_t n = report_hop_changes(f->log, h, hop_changes, f->log->nchanges);
        for (size_t i = 0; rc == 0 && i < n; i++) {
            json_t *c = change(f, hop_changes[i]);
            rc = c ? json_array_append_new(list, c) : -1;
        }
    }
    free(hop_changes);
    json_t *hops = json_array();
    for (size_t h = 0; rc == 0 && hops && h < f->info->nhops; h++)
        rc = json_array_append_new(hops, json_string(f->info->hops[h]));
    if (rc == 0 && hops && list) {
        json_object_set_new(info, "hops", hops);
        json_object_set_new(info, "changes", list);
        return 0;
    }
    json_decref(hops);
    json_decref(list);
    return -1;
}

static int json_file(void *state, const struct report_file *f)
{
    struct json_state *s = state;
    json_t *info = file_info(f);
    if (info && f->log && add_changes(info, f) < 0) {
        json_decref(info);
        return -1;
    }
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
                        json_pack("{s:I, s:I, s:I, s:I, s:I}", "files", (json_int_t)t->files,
                                  "errors", (json_int_t)t->by_severity[GH_ERROR], "warnings",
                                  (json_int_t)t->by_severity[GH_WARNING], "infos",
                                  (json_int_t)t->by_severity[GH_INFO], "suppressed",
                                  (json_int_t)t->suppressed));
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
