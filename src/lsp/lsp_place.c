#include "lsp_place.h"

#include <stdio.h>
#include <string.h>

/* One line of block YAML as far as places need it: its list dashes, its key and whether the key
 * opens a block (nothing but a comment after the colon). Columns are bytes from the line's
 * start. */
struct yline {
    bool blank; /* empty, or a comment */
    bool stop;  /* a document marker, or flow style where a place cannot be told */
    size_t indent;
    size_t dash[8]; /* columns of "- " item markers, outermost first */
    size_t ndash;
    bool has_key;
    size_t key_col, key_end; /* the key's text, quotes included */
    char key[PLACE_MAX_TEXT];
    bool opens;       /* "key:" with no value on the line: a block follows */
    size_t value_col; /* where the value starts, when there is one */
    size_t content;   /* the first column after the dashes (where a key starts) */
};

static bool space_or_end(const char *s, size_t n, size_t i)
{
    return i >= n || s[i] == ' ' || s[i] == '\t';
}

static void copy_text(char *out, const char *s, size_t n)
{
    if (n >= PLACE_MAX_TEXT)
        n = PLACE_MAX_TEXT - 1;
    memcpy(out, s, n);
    out[n] = '\0';
}

/* A quoted key's end (just past its closing quote), or 0 when it does not close on the line. */
static size_t quoted_end(const char *s, size_t n, size_t i)
{
    char q = s[i];
    for (size_t j = i + 1; j < n; j++) {
        if (q == '"' && s[j] == '\\') {
            j++;
            continue;
        }
        if (s[j] == q) {
            if (q == '\'' && j + 1 < n && s[j + 1] == '\'') {
                j++;
                continue;
            }
            return j + 1;
        }
    }
    return 0;
}

/* The end of a plain key: the first ':' followed by a space or the line's end; 0 when none. */
static size_t plain_key_end(const char *s, size_t n, size_t i)
{
    for (size_t j = i; j < n; j++) {
        if (s[j] == '#' && j > i && (s[j - 1] == ' ' || s[j - 1] == '\t'))
            return 0;
        if (s[j] == ':' && space_or_end(s, n, j + 1))
            return j;
    }
    return 0;
}

static void read_key(struct yline *y, const char *s, size_t n, size_t i)
{
    size_t end;
    if (s[i] == '"' || s[i] == '\'') {
        end = quoted_end(s, n, i);
        if (!end || end >= n || s[end] != ':' || !space_or_end(s, n, end + 1))
            return;
        copy_text(y->key, s + i + 1, end - i - 2);
    } else {
        if (s[i] == '{' || s[i] == '[') {
            y->stop = true;
            return;
        }
        if (!(end = plain_key_end(s, n, i)))
            return;
        size_t trimmed = end;
        while (trimmed > i && (s[trimmed - 1] == ' ' || s[trimmed - 1] == '\t'))
            trimmed--;
        copy_text(y->key, s + i, trimmed - i);
    }
    y->has_key = true;
    y->key_col = i;
    y->key_end = end;
    size_t v = end + 1;
    while (v < n && (s[v] == ' ' || s[v] == '\t'))
        v++;
    y->opens = v >= n || s[v] == '#';
    y->value_col = v;
}

static void read_line(const struct lsp_text *t, size_t line, struct yline *y)
{
    memset(y, 0, sizeof(*y));
    size_t n;
    const char *s = text_line(t, (uint32_t)line, &n);
    size_t i = 0;
    while (i < n && s[i] == ' ')
        i++;
    y->indent = i;
    if (i >= n || s[i] == '#') {
        y->blank = true;
        return;
    }
    if (n - i >= 3 && (!strncmp(s + i, "---", 3) || !strncmp(s + i, "...", 3)) &&
        space_or_end(s, n, i + 3) && i == 0) {
        y->stop = true;
        return;
    }
    while (i < n && s[i] == '-' && space_or_end(s, n, i + 1) && y->ndash < 8) {
        y->dash[y->ndash++] = i++;
        while (i < n && s[i] == ' ')
            i++;
    }
    y->content = i;
    if (i < n && s[i] != '#')
        read_key(y, s, n, i);
}

/* The value of the `name` key an item holds, the item's dash at column `dash` of line `from`.
 * Its keys stand at the column just after the dash's spaces; the item ends at the first line
 * not indented past the dash. */
static void item_name(const struct lsp_text *t, size_t from, size_t dash, char *out)
{
    out[0] = '\0';
    size_t key_col = (size_t)-1;
    for (size_t line = from; line < t->nlines; line++) {
        struct yline y;
        read_line(t, line, &y);
        if (y.blank)
            continue;
        if (line > from && (y.stop || y.indent <= dash))
            return;
        if (!y.has_key)
            continue;
        if (key_col == (size_t)-1)
            key_col = y.key_col;
        if (y.key_col != key_col || strcmp(y.key, "name") != 0 || y.opens)
            continue;
        size_t n;
        const char *s = text_line(t, (uint32_t)line, &n);
        size_t v = y.value_col, e = v;
        if (v < n && (s[v] == '"' || s[v] == '\'')) {
            size_t q = quoted_end(s, n, v);
            if (q)
                copy_text(out, s + v + 1, q - v - 2);
            return;
        }
        while (e < n && !(s[e] == '#' && (s[e - 1] == ' ' || s[e - 1] == '\t')))
            e++;
        while (e > v && (s[e - 1] == ' ' || s[e - 1] == '\t'))
            e--;
        copy_text(out, s + v, e - v);
        return;
    }
}

static bool push(struct place *p, bool item, const char *key, const char *name)
{
    if (p->n == PLACE_MAX_DEPTH)
        return false;
    struct place_step *st = &p->steps[p->n++];
    st->item = item;
    snprintf(st->key, sizeof(st->key), "%s", item ? "" : key);
    snprintf(st->name, sizeof(st->name), "%s", name ? name : "");
    return true;
}

/*
 * How far up the next ancestor stands: a key left of `col`, or (right after an item) a key at
 * `col` itself, since a list may stand at its parent key's own indentation ("plugins:" then
 * "- name: x" below it, both at column 0).
 */
struct bound {
    size_t col;
    bool key_at_col;
};

static bool parent_key(const struct yline *y, struct bound b)
{
    return y->has_key && y->ndash == 0 ? y->key_col < b.col || (b.key_at_col && y->key_col == b.col)
                                       : y->has_key && y->key_col < b.col;
}

/* Pushes the items a line's dashes open left of the bound, innermost first. */
static bool push_items(const struct lsp_text *t, size_t line, const struct yline *y,
                       struct bound *b, struct place *p)
{
    for (size_t d = y->ndash; d-- > 0;) {
        if (y->dash[d] >= b->col)
            continue;
        char name[PLACE_MAX_TEXT];
        item_name(t, line, y->dash[d], name);
        if (!push(p, true, NULL, name))
            return false;
        *b = (struct bound){y->dash[d], true};
    }
    return true;
}

/* The ancestors of what stands within the bound on line `line`, pushed innermost first. */
static bool ancestors(const struct lsp_text *t, size_t line, struct bound b, struct place *p)
{
    while (line-- > 0 && (b.col > 0 || b.key_at_col)) {
        struct yline y;
        read_line(t, line, &y);
        if (y.stop)
            return false;
        if (y.blank)
            continue;
        if (parent_key(&y, b)) {
            if (!y.opens)
                return false; /* a scalar's continuation: no key can stand there */
            if (!push(p, false, y.key, NULL))
                return false;
            b = (struct bound){y.key_col, false};
        }
        if (!push_items(t, line, &y, &b, p))
            return false;
    }
    return b.col == 0 && !b.key_at_col;
}

static void reverse(struct place *p)
{
    for (size_t i = 0; i < p->n / 2; i++) {
        struct place_step swap = p->steps[i];
        p->steps[i] = p->steps[p->n - 1 - i];
        p->steps[p->n - 1 - i] = swap;
    }
}

/* The document is JSON (or flow style at its top): places are not read there. */
static bool flow_document(const struct lsp_text *t)
{
    for (size_t i = 0; i < t->len; i++) {
        char c = t->bytes[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        return c == '{' || c == '[';
    }
    return false;
}

bool place_of_key(const struct lsp_text *t, size_t offset, struct place *out)
{
    memset(out, 0, sizeof(*out));
    if (t->nlines == 0 || flow_document(t))
        return false;
    struct text_pos pos = text_position(t, offset, ENC_UTF8);
    struct yline y;
    read_line(t, pos.line, &y);
    if (!y.has_key || pos.character < y.key_col || pos.character > y.key_end)
        return false;
    struct bound b = {y.key_col, false};
    if (!push(out, false, y.key, NULL) || !push_items(t, pos.line, &y, &b, out) ||
        !ancestors(t, pos.line, b, out))
        return false;
    reverse(out);
    return true;
}

/* Whether a line read while looking for a mapping's keys at column col ends the mapping; keeps
 * its key when it is one of them. */
static bool mapping_line(const struct yline *y, size_t col, bool upward, struct place *p)
{
    bool item_start = y->ndash && y->content == col; /* "- key:" whose key is at col */
    if (y->stop || (y->indent < col && !(upward && item_start)))
        return false;
    if (y->has_key && y->key_col == col && p->nkeys < PLACE_MAX_KEYS)
        copy_text(p->keys[p->nkeys++], y->key, strlen(y->key));
    bool list_here = y->ndash && y->dash[0] == col; /* a list, not this mapping, at col */
    return !(upward && item_start) && !list_here;
}

/* The keys of the mapping whose keys stand at column `col` around line `line` (not that line's
 * own): up to its first key (none above when the line starts an item), down to its last. */
static void sibling_keys(const struct lsp_text *t, size_t line, size_t col, bool item_start,
                         struct place *p)
{
    struct yline y;
    for (size_t l = item_start ? 0 : line; l-- > 0;) {
        read_line(t, l, &y);
        if (!y.blank && !mapping_line(&y, col, true, p))
            break;
    }
    for (size_t l = line + 1; l < t->nlines; l++) {
        read_line(t, l, &y);
        if (!y.blank && !mapping_line(&y, col, false, p))
            break;
    }
}

bool place_for_completion(const struct lsp_text *t, size_t offset, struct place *out)
{
    memset(out, 0, sizeof(*out));
    if (flow_document(t))
        return false;
    struct text_pos pos = text_position(t, offset, ENC_UTF8);
    size_t n;
    const char *s = text_line(t, pos.line, &n);
    struct yline y;
    read_line(t, pos.line, &y);
    if (y.stop || (y.has_key && pos.character > y.key_end))
        return false; /* in a value */
    /* Where the key goes: after the dashes, or at the cursor on a blank line. */
    size_t col = y.blank ? (pos.character < n ? y.indent : pos.character) : y.content;
    if (pos.character < col)
        return false;
    for (size_t i = col; i < pos.character && i < n; i++)
        if (s[i] == ' ' || s[i] == ':' || s[i] == '#')
            return false; /* past a word: a value, or a comment */
    size_t line_start = (size_t)(s - t->bytes);
    out->word_from = line_start + col;
    out->word_to = line_start + pos.character;
    struct bound b = {col, false};
    if (!push_items(t, pos.line, &y, &b, out) || !ancestors(t, pos.line, b, out))
        return false;
    reverse(out);
    sibling_keys(t, pos.line, col, y.ndash > 0, out); /* "- " starts a new item here */
    return true;
}
