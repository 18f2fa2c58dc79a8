/*
 * Code actions: convert's rewrites, offered where the findings are.
 *
 * The document is converted once per version of its text (to the target of the settings or the
 * project config, else its product's newest release). A finding convert changes (the same code
 * at the same JSON pointer) gets a quick fix whose edit is that one change's own text patch,
 * gh_result_write_change(): what `gatehop convert` would write there, comments and layout kept.
 * The whole conversion is the source action "convert this file".
 */
#include <stdlib.h>
#include <string.h>

#include "lsp_internal.h"

#define CONVERT_KIND "source.gatehop.convert"

/* Whether the client asked for actions of this kind: context.only lists kinds and their
 * parents ("source" takes "source.gatehop.convert"); no list takes every kind. */
static bool wanted(json_t *only, const char *kind)
{
    if (!json_is_array(only))
        return true;
    size_t i;
    json_t *k;
    json_array_foreach(only, i, k)
    {
        const char *name = json_string_value(k);
        size_t n = name ? strlen(name) : 0;
        if (name && strncmp(kind, name, n) == 0 && (kind[n] == '\0' || kind[n] == '.'))
            return true;
    }
    return false;
}

static bool continuation(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

/* The one range of `old` that turns it into `new`: the bytes between their common start and
 * their common end, kept on character and CRLF boundaries. */
static void differing_range(const char *old, size_t old_len, const char *new, size_t new_len,
                            size_t *from, size_t *old_to, size_t *new_to)
{
    size_t p = 0, limit = old_len < new_len ? old_len : new_len;
    while (p < limit && old[p] == new[p])
        p++;
    while (p > 0 && p < old_len &&
           (continuation((unsigned char)old[p]) || (old[p] == '\n' && old[p - 1] == '\r')))
        p--;
    size_t q = 0;
    while (q < limit - p && old[old_len - 1 - q] == new[new_len - 1 - q])
        q++;
    while (q > 0 && (continuation((unsigned char)old[old_len - q]) ||
                     (old[old_len - q] == '\n' && old_len - q > 0 && old[old_len - q - 1] == '\r')))
        q--;
    *from = p;
    *old_to = old_len - q;
    *new_to = new_len - q;
}

/* A workspace edit making the document's text into `text`. */
static json_t *edit_to(const struct lsp_server *s, const struct lsp_doc *doc, const char *text,
                       size_t len)
{
    size_t from, old_to, new_to;
    const char *old = doc->text.bytes ? doc->text.bytes : "";
    differing_range(old, doc->text.len, text, len, &from, &old_to, &new_to);
    json_t *range = json_pack(
        "{s:o, s:o}", "start", docs_position_json(text_position(&doc->text, from, s->encoding)),
        "end", docs_position_json(text_position(&doc->text, old_to, s->encoding)));
    json_t *edit = json_pack("{s:o, s:s%}", "range", range, "newText", text + from, new_to - from);
    return json_pack("{s:{s:[o]}}", "changes", doc->uri, edit);
}

/* The text with change i made (and those it goes with: *made counts them all). */
static char *one_change(struct lsp_server *s, gh_result *r, size_t i, size_t *len, size_t *made)
{
    FILE *f = tmpfile();
    if (!f)
        return NULL;
    gh_error err = {0};
    char *text = NULL;
    if (gh_result_write_change(r, i, f, made, &err) == 0)
        text = docs_read_back(f, len);
    else
        lsp_log(s, "change %zu: %s", i, err.message);
    fclose(f);
    return text;
}

/* "change 'paths' from '/x' to '~/x' (for kong 3.4)", what a change does, for the action's
 * title; a change made with others says how many. */
static void change_title(const gh_change *c, size_t made, const char *target, char *out,
                         size_t size)
{
    if (made > 1)
        snprintf(out, size,
                 "gatehop: change '%s' from %s to %s, with the rest of its format "
                 "migration (%zu changes, for %s)",
                 c->field, c->old_value, c->new_value, made, target);
    else if (c->kind == GH_CHANGE_REMOVED)
        snprintf(out, size, "gatehop: remove '%s' (for %s)", c->field, target);
    else if (c->kind == GH_CHANGE_ADDED)
        snprintf(out, size, "gatehop: add '%s' %s (for %s)", c->field, c->new_value, target);
    else
        snprintf(out, size, "gatehop: change '%s' from %s to %s (for %s)", c->field, c->old_value,
                 c->new_value, target);
}

/* The change of the conversion that fixes a published finding: same code, same pointer. */
static bool change_for(const struct doc_conversion *c, json_t *diagnostic, size_t *index)
{
    const char *code = json_string_value(json_object_get(diagnostic, "code"));
    const char *path =
        json_string_value(json_object_get(json_object_get(diagnostic, "data"), "path"));
    if (!code || !path || !path[0])
        return false;
    for (size_t i = 0; i < gh_result_change_count(c->result); i++) {
        gh_change ch;
        gh_result_change(c->result, i, &ch);
        if (strcmp(ch.code, code) == 0 && ch.path && strcmp(ch.path, path) == 0) {
            *index = i;
            return true;
        }
    }
    return false;
}

static void add_quick_fixes(struct lsp_server *s, struct lsp_doc *doc,
                            const struct doc_conversion *c, json_t *diagnostics, json_t *actions)
{
    size_t i;
    json_t *d;
    json_array_foreach(diagnostics, i, d)
    {
        const char *source = json_string_value(json_object_get(d, "source"));
        size_t index, len, made;
        if (!source || strcmp(source, "gatehop") != 0 || !change_for(c, d, &index))
            continue;
        char *text = one_change(s, c->result, index, &len, &made);
        if (!text)
            continue;
        gh_change ch;
        gh_result_change(c->result, index, &ch);
        char title[512];
        change_title(&ch, made, c->target, title, sizeof(title));
        json_array_append_new(actions,
                              json_pack("{s:o, s:s, s:[O], s:b, s:o}", "title",
                                        lsp_text_json(title), "kind", "quickfix", "diagnostics", d,
                                        "isPreferred", 1, "edit", edit_to(s, doc, text, len)));
        free(text);
    }
}

static void add_convert(struct lsp_server *s, struct lsp_doc *doc, const struct doc_conversion *c,
                        json_t *actions)
{
    size_t n = gh_result_change_count(c->result);
    if (!c->text || n == 0)
        return;
    char title[160];
    snprintf(title, sizeof(title), "gatehop: convert this file to %s (%zu change%s)", c->target, n,
             n == 1 ? "" : "s");
    json_array_append_new(actions,
                          json_pack("{s:s, s:s, s:o}", "title", title, "kind", CONVERT_KIND, "edit",
                                    edit_to(s, doc, c->text, c->len)));
}

void actions_code_action(struct lsp_server *s, json_t *id, json_t *params)
{
    struct lsp_doc *doc = docs_current(s, params);
    json_t *actions = json_array();
    const struct doc_conversion *c = doc ? docs_conversion(s, doc) : NULL;
    json_t *context = json_object_get(params, "context");
    json_t *only = json_object_get(context, "only");
    if (c && wanted(only, "quickfix"))
        add_quick_fixes(s, doc, c, json_object_get(context, "diagnostics"), actions);
    if (c && wanted(only, CONVERT_KIND))
        add_convert(s, doc, c, actions);
    lsp_reply(s, id, actions);
}
