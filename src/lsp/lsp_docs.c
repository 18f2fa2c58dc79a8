/*
 * Open documents: their text, their lint, and the diagnostics published for them.
 *
 * Only gateway configurations get diagnostics: a YAML file gatehop does not recognise gets an
 * empty list, so an editor that sends every YAML file shows nothing on the others. A document
 * once recognised keeps getting them, so that a config broken while it is typed shows its
 * syntax finding instead of going quiet.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lsp_internal.h"

#define DEBOUNCE_MAX_MS 250.0

/* ---- URIs ---------------------------------------------------------------------------------- */

static int hex_value(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* The path a file: URI names ("file:///a%20b/kong.yml": "/a b/kong.yml"), or NULL when the URI
 * names no local file (untitled:, a remote scheme, a NUL escaped in). */
static char *path_of_uri(const char *uri)
{
    static const char scheme[] = "file://";
    if (strncmp(uri, scheme, sizeof(scheme) - 1) != 0)
        return NULL;
    const char *p = uri + sizeof(scheme) - 1;
    if (*p != '/') { /* file://host/path: only the local host */
        if (strncmp(p, "localhost/", 10) != 0)
            return NULL;
        p += 9;
    }
    char *out = malloc(strlen(p) + 1), *o = out;
    for (; out && *p && *p != '?' && *p != '#'; p++) {
        int hi, lo;
        if (*p == '%' && (hi = hex_value(p[1])) >= 0 && (lo = hex_value(p[2])) >= 0) {
            *o++ = (char)(hi * 16 + lo);
            p += 2;
        } else {
            *o++ = *p;
        }
    }
    if (out)
        *o = '\0';
    if (out && strlen(out) != (size_t)(o - out)) { /* %00 */
        free(out);
        return NULL;
    }
    return out;
}

/* ---- the store ----------------------------------------------------------------------------- */

static void conversion_release(struct doc_conversion *c)
{
    gh_result_free(c->result);
    free(c->text);
    memset(c, 0, sizeof(*c));
    c->version = -1;
}

static void doc_free(struct lsp_doc *doc)
{
    if (doc->known != doc->result)
        gh_result_free(doc->known);
    gh_result_free(doc->result);
    conversion_release(&doc->conversion);
    text_release(&doc->text);
    free(doc->uri);
    free(doc->path);
    free(doc);
}

struct lsp_doc *docs_find(struct lsp_server *s, const char *uri)
{
    for (size_t i = 0; uri && i < s->ndocs; i++)
        if (strcmp(s->docs[i]->uri, uri) == 0)
            return s->docs[i];
    return NULL;
}

static const char *uri_of(json_t *params)
{
    return json_string_value(json_object_get(json_object_get(params, "textDocument"), "uri"));
}

static int64_t version_of(json_t *params)
{
    json_t *v = json_object_get(json_object_get(params, "textDocument"), "version");
    return json_is_integer(v) ? json_integer_value(v) : 0;
}

static struct lsp_doc *doc_new(const char *uri)
{
    struct lsp_doc *doc = calloc(1, sizeof(*doc));
    if (!doc)
        return NULL;
    text_init(&doc->text);
    doc->conversion.version = -1;
    doc->uri = strdup(uri);
    doc->path = path_of_uri(uri);
    doc->on_disk = doc->path != NULL;
    if (!doc->path)
        doc->path = strdup(uri);
    if (!doc->uri || !doc->path) {
        doc_free(doc);
        return NULL;
    }
    return doc;
}

static bool docs_add(struct lsp_server *s, struct lsp_doc *doc)
{
    if (s->ndocs == s->docs_cap) {
        size_t cap = s->docs_cap ? s->docs_cap * 2 : 16;
        struct lsp_doc **grown = realloc(s->docs, cap * sizeof(*grown));
        if (!grown)
            return false;
        s->docs = grown;
        s->docs_cap = cap;
    }
    s->docs[s->ndocs++] = doc;
    return true;
}

static void mark_dirty(struct lsp_server *s, struct lsp_doc *doc)
{
    double wait = s->settings.debounce_ms >= 0     ? s->settings.debounce_ms
                  : doc->cost_ms < DEBOUNCE_MAX_MS ? doc->cost_ms
                                                   : DEBOUNCE_MAX_MS;
    doc->dirty = true;
    doc->due_ms = lsp_now_ms() + wait;
    conversion_release(&doc->conversion);
}

void docs_open(struct lsp_server *s, json_t *params)
{
    const char *uri = uri_of(params);
    json_t *text = json_object_get(json_object_get(params, "textDocument"), "text");
    if (!uri || !json_is_string(text))
        return;
    struct lsp_doc *doc = docs_find(s, uri);
    if (!doc && (!(doc = doc_new(uri)) || !docs_add(s, doc))) {
        if (doc)
            doc_free(doc);
        lsp_log(s, "out of memory opening %s", uri);
        return;
    }
    if (text_set(&doc->text, json_string_value(text), json_string_length(text)) < 0)
        lsp_log(s, "%s is too large to check", uri);
    doc->version = version_of(params);
    mark_dirty(s, doc);
    doc->due_ms = lsp_now_ms(); /* an opened file shows its findings at once */
}

/* One content change: a range and its new text, or the whole text. */
static int apply_change(struct lsp_server *s, struct lsp_doc *doc, json_t *change)
{
    json_t *text = json_object_get(change, "text");
    if (!json_is_string(text))
        return -1;
    json_t *range = json_object_get(change, "range");
    if (!range)
        return text_set(&doc->text, json_string_value(text), json_string_length(text));
    struct text_pos from, to;
    if (!docs_position_from(json_object_get(range, "start"), &from) ||
        !docs_position_from(json_object_get(range, "end"), &to))
        return -1;
    return text_replace(&doc->text, from, to, json_string_value(text), json_string_length(text),
                        s->encoding);
}

void docs_change(struct lsp_server *s, json_t *params)
{
    struct lsp_doc *doc = docs_find(s, uri_of(params));
    if (!doc)
        return;
    size_t i;
    json_t *change;
    json_array_foreach(json_object_get(params, "contentChanges"), i, change)
    {
        if (apply_change(s, doc, change) < 0)
            lsp_log(s, "a change to %s could not be applied (too large, or malformed)", doc->uri);
    }
    doc->version = version_of(params);
    mark_dirty(s, doc);
}

static void publish(struct lsp_server *s, const struct lsp_doc *doc, json_t *diagnostics)
{
    lsp_notify(s, "textDocument/publishDiagnostics",
               json_pack("{s:s, s:I, s:o}", "uri", doc->uri, "version", (json_int_t)doc->version,
                         "diagnostics", diagnostics));
}

void docs_close(struct lsp_server *s, json_t *params)
{
    struct lsp_doc *doc = docs_find(s, uri_of(params));
    if (!doc)
        return;
    publish(s, doc, json_array()); /* its findings leave with it */
    for (size_t i = 0; i < s->ndocs; i++)
        if (s->docs[i] == doc) {
            s->docs[i] = s->docs[--s->ndocs];
            break;
        }
    doc_free(doc);
}

void docs_free_all(struct lsp_server *s)
{
    for (size_t i = 0; i < s->ndocs; i++)
        doc_free(s->docs[i]);
    s->ndocs = 0;
}

void docs_forget_results(struct lsp_server *s)
{
    for (size_t i = 0; i < s->ndocs; i++) {
        struct lsp_doc *doc = s->docs[i];
        if (doc->known != doc->result)
            gh_result_free(doc->known);
        gh_result_free(doc->result);
        doc->known = doc->result = NULL;
        conversion_release(&doc->conversion);
    }
}

void docs_touch_all(struct lsp_server *s)
{
    for (size_t i = 0; i < s->ndocs; i++) {
        mark_dirty(s, s->docs[i]);
        s->docs[i]->due_ms = lsp_now_ms();
    }
}

/* ---- positions ----------------------------------------------------------------------------- */

json_t *docs_position_json(struct text_pos p)
{
    return json_pack("{s:I, s:I}", "line", (json_int_t)p.line, "character",
                     (json_int_t)p.character);
}

bool docs_position_from(json_t *position, struct text_pos *out)
{
    json_t *line = json_object_get(position, "line");
    json_t *character = json_object_get(position, "character");
    if (!json_is_integer(line) || !json_is_integer(character) || json_integer_value(line) < 0 ||
        json_integer_value(character) < 0)
        return false;
    json_int_t l = json_integer_value(line), c = json_integer_value(character);
    out->line = l > UINT32_MAX ? UINT32_MAX : (uint32_t)l;
    out->character = c > UINT32_MAX ? UINT32_MAX : (uint32_t)c;
    return true;
}

json_t *docs_range(const struct lsp_server *s, const struct lsp_doc *doc, unsigned line,
                   unsigned column, unsigned end_line, unsigned end_column)
{
    struct text_pos start = text_from_gatehop(&doc->text, line, column, s->encoding);
    struct text_pos end =
        end_line ? text_from_gatehop(&doc->text, end_line, end_column, s->encoding) : start;
    if (end.line < start.line || (end.line == start.line && end.character < start.character))
        end = start;
    return json_pack("{s:o, s:o}", "start", docs_position_json(start), "end",
                     docs_position_json(end));
}

/* ---- diagnostics --------------------------------------------------------------------------- */

static int lsp_severity(enum gh_severity s)
{
    static const int levels[] = {[GH_ERROR] = 1, [GH_WARNING] = 2, [GH_INFO] = 3};
    return levels[s];
}

static json_t *diagnostic_json(const struct lsp_server *s, const struct lsp_doc *doc,
                               const gh_diagnostic *d)
{
    json_t *j = json_pack("{s:o, s:i, s:o, s:s, s:o, s:{s:o, s:o}}", "range",
                          docs_range(s, doc, d->line, d->column, d->end_line, d->end_column),
                          "severity", lsp_severity(d->severity), "code", lsp_text_json(d->code),
                          "source", "gatehop", "message", lsp_text_json(d->message), "data", "path",
                          lsp_text_json(d->path ? d->path : ""), "name",
                          lsp_text_json(d->name ? d->name : ""));
    /* A ruleset's rule has no page of gatehop's. */
    if (j && gh_rule_doc(d->code)) {
        char href[256];
        snprintf(href, sizeof(href), "%s/%s.md", GATEHOP_RULES_URL, d->code);
        json_object_set_new(j, "codeDescription", json_pack("{s:s}", "href", href));
    }
    return j;
}

static json_t *diagnostics_json(const struct lsp_server *s, const struct lsp_doc *doc)
{
    json_t *list = json_array();
    for (size_t i = 0; list && doc->result && i < gh_result_count(doc->result); i++) {
        gh_diagnostic d;
        gh_result_get(doc->result, i, &d);
        json_array_append_new(list, diagnostic_json(s, doc, &d));
    }
    return list;
}

/* Whether the lint saw a gateway configuration (or a file gatehop reads, kong.conf). */
static bool recognised(const gh_result *r)
{
    gh_input_info info;
    gh_result_info(r, &info);
    return !info.excluded && info.product[0] && strcmp(info.product, "unknown") != 0;
}

/* Keeps the lint, and the last one that recognised a config for hover and completion; frees
 * the ones neither keeps. */
static void keep_result(struct lsp_doc *doc, gh_result *r)
{
    gh_result *old = doc->result, *old_known = doc->known;
    doc->result = r;
    if (recognised(r)) {
        doc->known = r;
        doc->gateway = true;
    }
    if (old && old != doc->known)
        gh_result_free(old);
    if (old_known && old_known != old && old_known != doc->known)
        gh_result_free(old_known);
}

static void doc_lint(struct lsp_server *s, struct lsp_doc *doc)
{
    gh_lint_options o;
    lsp_lint_options(s, doc, &o);
    gh_result *r = NULL;
    gh_error err = {0};
    double start = lsp_now_ms();
    int rc = gh_lint_text(s->engine, doc->path, doc->text.bytes ? doc->text.bytes : "",
                          doc->text.len, &o, &r, &err);
    doc->cost_ms = lsp_now_ms() - start;
    doc->dirty = false;
    lsp_log(s, "linted %s (version %lld) in %.1f ms", doc->uri, (long long)doc->version,
            doc->cost_ms);
    if (rc < 0) { /* the project's mistake, said once; no findings stand for this text */
        lsp_show_error(s, &err);
        if (doc->result != doc->known)
            gh_result_free(doc->result);
        doc->result = NULL; /* the last lint's findings are about another text */
        publish(s, doc, json_array());
        return;
    }
    keep_result(doc, r);
    gh_input_info info;
    gh_result_info(r, &info);
    bool show = doc->gateway && !info.excluded && !info.unrecognized;
    publish(s, doc, show ? diagnostics_json(s, doc) : json_array());
}

int docs_next_due(const struct lsp_server *s)
{
    double now = lsp_now_ms(), next = -1;
    for (size_t i = 0; i < s->ndocs; i++)
        if (s->docs[i]->dirty && (next < 0 || s->docs[i]->due_ms < next))
            next = s->docs[i]->due_ms;
    if (next < 0)
        return -1;
    return next <= now ? 0 : (int)(next - now) + 1;
}

void docs_lint_due(struct lsp_server *s)
{
    double now = lsp_now_ms();
    for (size_t i = 0; i < s->ndocs; i++)
        if (s->docs[i]->dirty && s->docs[i]->due_ms <= now)
            doc_lint(s, s->docs[i]);
}

struct lsp_doc *docs_current(struct lsp_server *s, json_t *params)
{
    struct lsp_doc *doc = docs_find(s, uri_of(params));
    if (doc && doc->dirty)
        doc_lint(s, doc); /* answers must be about the text as it is now */
    return doc;
}

/* ---- conversion ---------------------------------------------------------------------------- */

/* The release to convert to: the settings', the project config's (convert reads it), else the
 * newest release of the document's product. */
static void conversion_target(struct lsp_server *s, const struct lsp_doc *doc, char *out,
                              size_t size)
{
    out[0] = '\0';
    if (s->settings.to) {
        snprintf(out, size, "%s", s->settings.to);
        return;
    }
    gh_input_info info;
    gh_result_info(doc->known, &info);
    for (size_t p = 0; p < gh_engine_product_count(s->engine); p++) {
        size_t n = gh_engine_version_count(s->engine, p);
        if (n && strcmp(gh_engine_product_name(s->engine, p), info.product) == 0)
            snprintf(out, size, "%s@%s", info.product, gh_engine_version_at(s->engine, p, n - 1));
    }
}

char *docs_read_back(FILE *f, size_t *len)
{
    long size = ftell(f);
    char *text = size >= 0 ? malloc((size_t)size + 1) : NULL;
    rewind(f);
    if (text && fread(text, 1, (size_t)size, f) != (size_t)size) {
        free(text);
        return NULL;
    }
    if (text)
        text[size] = '\0';
    *len = size > 0 ? (size_t)size : 0;
    return text;
}

static int convert_to(struct lsp_server *s, struct lsp_doc *doc, const char *to,
                      struct doc_conversion *c)
{
    gh_convert_options o = {.output = GH_OUTPUT_PATCH};
    lsp_lint_options(s, doc, &o.lint);
    o.lint.to = to;
    FILE *out = tmpfile();
    if (!out)
        return -1;
    bool written = false;
    gh_error err = {0};
    int rc = gh_convert_text(s->engine, doc->path, doc->text.bytes ? doc->text.bytes : "",
                             doc->text.len, &o, out, &written, &c->result, &err);
    if (rc == 0 && written)
        c->text = docs_read_back(out, &c->len);
    fclose(out);
    if (rc < 0)
        lsp_log(s, "convert of %s to %s: %s", doc->uri, to ? to : "the config's target",
                err.message);
    return rc;
}

const struct doc_conversion *docs_conversion(struct lsp_server *s, struct lsp_doc *doc)
{
    struct doc_conversion *c = &doc->conversion;
    if (c->version == doc->version && !doc->dirty)
        return c->result ? c : NULL;
    conversion_release(c);
    c->version = doc->version;
    if (!doc->known || doc->known != doc->result)
        return NULL; /* the text as it is was not recognised */
    /* The project config's target first (convert reads it), then the newest release. */
    if (!s->settings.to && convert_to(s, doc, NULL, c) == 0) {
        gh_input_info info;
        gh_result_info(c->result, &info);
        snprintf(c->target, sizeof(c->target), "%s %s", info.product, info.version);
        return c;
    }
    gh_result_free(c->result);
    c->result = NULL;
    char target[64];
    conversion_target(s, doc, target, sizeof(target));
    if (!target[0] || convert_to(s, doc, target, c) < 0)
        return NULL;
    gh_input_info info;
    gh_result_info(c->result, &info);
    snprintf(c->target, sizeof(c->target), "%s %s", info.product, info.version);
    return c;
}
