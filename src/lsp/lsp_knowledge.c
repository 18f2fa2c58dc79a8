/*
 * Hover and completion: what gatehop knows, shown where the cursor is.
 *
 * Hover on a finding shows its rule's page; hover on a key, what the knowledge of the release
 * the file is checked against says of it (type, default, the release that added or removed it).
 * Completion lists the keys the mapping at the cursor may hold in that release, but those it
 * holds already. Both read the knowledge through the last lint that recognised the file, so
 * a line half typed (which does not parse) still has its release and its place.
 */
#include <stdlib.h>
#include <string.h>

#include "lsp_internal.h"
#include "lsp_place.h"

/* ---- buffers ------------------------------------------------------------------------------- */

struct md {
    char *text;
    size_t len, cap;
};

static void md_add(struct md *m, const char *s)
{
    size_t n = strlen(s);
    if (m->len + n + 1 > m->cap) {
        size_t cap = m->cap ? m->cap : 1024;
        while (cap < m->len + n + 1)
            cap *= 2;
        char *grown = realloc(m->text, cap);
        if (!grown)
            return;
        m->text = grown;
        m->cap = cap;
    }
    memcpy(m->text + m->len, s, n + 1);
    m->len += n;
}

/* ---- places -------------------------------------------------------------------------------- */

/* The library's view of a place: pointers into the place's own texts. */
static size_t library_place(const struct place *p, gh_place_step *steps)
{
    for (size_t i = 0; i < p->n; i++) {
        steps[i].key = p->steps[i].item ? NULL : p->steps[i].key;
        steps[i].name = p->steps[i].name[0] ? p->steps[i].name : NULL;
    }
    return p->n;
}

static bool in_range(const struct lsp_server *s, const struct lsp_doc *doc, const gh_diagnostic *d,
                     struct text_pos at)
{
    struct text_pos a = text_from_gatehop(&doc->text, d->line, d->column, s->encoding);
    struct text_pos b =
        d->end_line ? text_from_gatehop(&doc->text, d->end_line, d->end_column, s->encoding) : a;
    bool after_start = at.line > a.line || (at.line == a.line && at.character >= a.character);
    bool before_end = at.line < b.line || (at.line == b.line && at.character <= b.character);
    return d->line && after_start && before_end;
}

/* ---- hover --------------------------------------------------------------------------------- */

/* The findings at the position, each with its rule's page. */
static void hover_findings(const struct lsp_server *s, const struct lsp_doc *doc,
                           struct text_pos at, struct md *m)
{
    for (size_t i = 0; doc->result && i < gh_result_count(doc->result); i++) {
        gh_diagnostic d;
        gh_result_get(doc->result, i, &d);
        if (!in_range(s, doc, &d, at))
            continue;
        char head[1024];
        snprintf(head, sizeof(head), "%s**%s** %s: %s\n\n", m->len ? "\n---\n\n" : "", d.code,
                 d.name ? d.name : "", d.message);
        md_add(m, head);
        const char *page = gh_rule_doc(d.code);
        if (page)
            md_add(m, page);
    }
}

static void field_markdown(const gh_field_info *f, const gh_input_info *info, struct md *m)
{
    char line[1024];
    snprintf(line, sizeof(line), "**%s** (%s%s)%s%s\n\n", f->name, f->type,
             f->required ? ", required" : "", f->owner[0] ? ": " : "", f->owner);
    md_add(m, line);
    if (f->default_json[0]) {
        snprintf(line, sizeof(line), "default: `%s`\n\n", f->default_json);
        md_add(m, line);
    }
    if (!f->in_target) {
        snprintf(line, sizeof(line), "not in %s %s, the release this file is checked against\n\n",
                 info->product, info->version);
        md_add(m, line);
    }
    if (f->since[0]) {
        snprintf(line, sizeof(line), "added in %s %s\n\n", info->product, f->since);
        md_add(m, line);
    }
    if (f->until[0]) {
        snprintf(line, sizeof(line), "removed in %s %s\n\n", info->product, f->until);
        md_add(m, line);
    }
    if (f->deprecated[0]) {
        snprintf(line, sizeof(line), "deprecated: %s\n\n", f->deprecated);
        md_add(m, line);
    }
}

/* What the knowledge says of the key at the position. */
static void hover_key(const struct lsp_doc *doc, size_t offset, struct md *m)
{
    struct place p;
    gh_place_step steps[PLACE_MAX_DEPTH];
    gh_field_info f;
    if (!doc->known || !place_of_key(&doc->text, offset, &p) ||
        gh_result_describe(doc->known, steps, library_place(&p, steps), &f) != 1)
        return;
    gh_input_info info;
    gh_result_info(doc->known, &info);
    if (m->len)
        md_add(m, "\n---\n\n");
    field_markdown(&f, &info, m);
}

void knowledge_hover(struct lsp_server *s, json_t *id, json_t *params)
{
    struct lsp_doc *doc = docs_current(s, params);
    struct text_pos at;
    if (!doc || !docs_position_from(json_object_get(params, "position"), &at)) {
        lsp_reply(s, id, NULL);
        return;
    }
    struct md m = {0};
    hover_findings(s, doc, at, &m);
    hover_key(doc, text_offset(&doc->text, at, s->encoding), &m);
    if (!m.len) {
        free(m.text);
        lsp_reply(s, id, NULL);
        return;
    }
    lsp_reply(s, id,
              json_pack("{s:{s:s, s:o}}", "contents", "kind", "markdown", "value",
                        lsp_text_json(m.text)));
    free(m.text);
}

/* ---- completion ---------------------------------------------------------------------------- */

struct completion {
    const struct lsp_server *s;
    const struct lsp_doc *doc;
    const struct place *place;
    json_t *items;
    json_t *range; /* the partial key the item replaces */
};

static bool already_there(const struct place *p, const char *name)
{
    for (size_t i = 0; i < p->nkeys; i++)
        if (strcmp(p->keys[i], name) == 0)
            return true;
    return false;
}

enum { KIND_FIELD = 5, KIND_MODULE = 9 };
enum { FORMAT_PLAIN = 1 };

static void add_item(void *ctx, const gh_field_info *f)
{
    struct completion *c = ctx;
    if (already_there(c->place, f->name))
        return;
    char detail[512], text[PLACE_MAX_TEXT + 8];
    snprintf(detail, sizeof(detail), "%s%s%s%s", f->type, f->required ? ", required" : "",
             f->default_json[0] ? ", default " : "", f->default_json);
    snprintf(text, sizeof(text), c->place->json ? "\"%s\": " : "%s: ", f->name);
    /* Required keys first, then the knowledge's order. */
    char sort[16];
    snprintf(sort, sizeof(sort), "%d%05zu", f->required ? 0 : 1, json_array_size(c->items));
    json_array_append_new(c->items, json_pack("{s:s, s:i, s:s, s:s, s:{s:O, s:s}, s:i}", "label",
                                              f->name, "kind", KIND_FIELD, "detail", detail,
                                              "sortText", sort, "textEdit", "range", c->range,
                                              "newText", text, "insertTextFormat", FORMAT_PLAIN));
}

void knowledge_completion(struct lsp_server *s, json_t *id, json_t *params)
{
    struct lsp_doc *doc = docs_current(s, params);
    struct text_pos at;
    struct place *p = malloc(sizeof(*p));
    json_t *items = json_array();
    if (p && doc && doc->known && docs_position_from(json_object_get(params, "position"), &at) &&
        place_for_completion(&doc->text, text_offset(&doc->text, at, s->encoding), p)) {
        json_t *range = json_pack(
            "{s:o, s:o}", "start",
            docs_position_json(text_position(&doc->text, p->word_from, s->encoding)), "end",
            docs_position_json(text_position(&doc->text, p->word_to, s->encoding)));
        struct completion c = {s, doc, p, items, range};
        gh_place_step steps[PLACE_MAX_DEPTH];
        gh_result_keys(doc->known, steps, library_place(p, steps), add_item, &c);
        json_decref(range);
    }
    free(p);
    lsp_reply(s, id, json_pack("{s:b, s:o}", "isIncomplete", 0, "items", items));
}
