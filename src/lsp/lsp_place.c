#include "lsp_place.h"

#include <stdio.h>
#include <stdlib.h>
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

/* The document is JSON (or flow style at its top): its places are read by its tokens. */
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

/* ---- JSON ----------------------------------------------------------------------------------
 *
 * A JSON text is read token by token with a stack of the objects and arrays open at each point,
 * forgiving what is half typed: a string not closed ends at its line's end, and a closing
 * bracket of the wrong kind still closes.
 */

enum jkind { J_STRING, J_OPEN_OBJECT, J_OPEN_ARRAY, J_CLOSE, J_COLON, J_COMMA, J_OTHER, J_END };

struct jtoken {
    enum jkind kind;
    size_t start, end; /* bytes; a string's include its quotes */
};

static struct jtoken json_token(const struct lsp_text *t, size_t *at)
{
    const char *s = t->bytes;
    size_t i = *at, n = t->len;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    struct jtoken tok = {J_END, i, i};
    if (i >= n) {
        *at = i;
        return tok;
    }
    static const char punct[] = "{[}]]:,";
    static const enum jkind kinds[] = {J_OPEN_OBJECT, J_OPEN_ARRAY, J_CLOSE, J_CLOSE,
                                       J_CLOSE,       J_COLON,      J_COMMA};
    const char *p = strchr(punct, s[i]);
    if (p && s[i]) {
        tok.kind = kinds[p - punct];
        tok.end = i + 1;
    } else if (s[i] == '"') {
        size_t j = i + 1;
        while (j < n && s[j] != '"' && s[j] != '\n')
            j += s[j] == '\\' && j + 1 < n ? 2 : 1;
        tok.kind = J_STRING;
        tok.end = j < n && s[j] == '"' ? j + 1 : j;
    } else {
        size_t j = i;
        while (j < n && !strchr("{}[]:,\" \t\r\n", s[j]))
            j++;
        tok.kind = J_OTHER;
        tok.end = j;
    }
    *at = tok.end;
    return tok;
}

/* A string token's text, without its quotes (escapes kept as written: keys rarely have any). */
static void json_text(const struct lsp_text *t, struct jtoken tok, char *out)
{
    size_t from = tok.start + 1, to = tok.end;
    if (to > from && t->bytes[to - 1] == '"')
        to--;
    copy_text(out, t->bytes + from, to > from ? to - from : 0);
}

/* An open object or array, and where its parent stands. */
struct jframe {
    bool object;
    bool want_key;            /* an object: a key comes next */
    size_t start;             /* the bracket's offset */
    char key[PLACE_MAX_TEXT]; /* an object: the key whose value is read */
};

/* Visits the members of the object opening at `start`: fn(ctx, key, value token) for each. */
static void json_members(const struct lsp_text *t, size_t start,
                         void (*fn)(void *ctx, const char *key, struct jtoken value,
                                    const struct lsp_text *t),
                         void *ctx)
{
    size_t at = start + 1;
    int depth = 0;
    bool want_key = true;
    char key[PLACE_MAX_TEXT] = "";
    for (struct jtoken tok = json_token(t, &at); tok.kind != J_END; tok = json_token(t, &at)) {
        if (tok.kind == J_CLOSE && depth-- == 0)
            return;
        if (tok.kind == J_OPEN_OBJECT || tok.kind == J_OPEN_ARRAY) {
            if (depth++ == 0)
                fn(ctx, key, tok, t);
        } else if (depth == 0 && tok.kind == J_COMMA) {
            want_key = true;
        } else if (depth == 0 && tok.kind == J_COLON) {
            want_key = false;
        } else if (depth == 0 && tok.kind == J_STRING && want_key) {
            json_text(t, tok, key);
        } else if (depth == 0 && (tok.kind == J_STRING || tok.kind == J_OTHER)) {
            fn(ctx, key, tok, t);
        }
    }
}

static void name_member(void *ctx, const char *key, struct jtoken value, const struct lsp_text *t)
{
    if (!strcmp(key, "name") && value.kind == J_STRING)
        json_text(t, value, ctx);
}

static void each_key(void *ctx, const char *key, struct jtoken value, const struct lsp_text *t)
{
    (void)value, (void)t;
    struct place *p = ctx;
    if (key[0] && p->nkeys < PLACE_MAX_KEYS)
        copy_text(p->keys[p->nkeys++], key, strlen(key));
}

/* The steps down to the innermost open frame: keys, and items named by their `name`. */
static bool json_steps(const struct lsp_text *t, const struct jframe *frames, size_t depth,
                       struct place *p)
{
    for (size_t i = 1; i < depth; i++) {
        const struct jframe *parent = &frames[i - 1];
        char name[PLACE_MAX_TEXT] = "";
        if (!parent->object && frames[i].object)
            json_members(t, frames[i].start, name_member, name);
        if (!push(p, !parent->object, parent->key, name))
            return false;
    }
    return true;
}

/* What stands at `offset` in a JSON text: the frames open there, and the token under it. */
struct jspot {
    struct jframe frames[PLACE_MAX_DEPTH];
    size_t depth;
    bool on_key;       /* the offset is on an object's key (or where a key goes) */
    struct jtoken key; /* that key's token (J_END: none, between tokens) */
};

/* Updates the frames for one token; false when too deep. */
static bool json_step(struct jspot *sp, struct jtoken tok)
{
    struct jframe *top = sp->depth ? &sp->frames[sp->depth - 1] : NULL;
    if (tok.kind == J_OPEN_OBJECT || tok.kind == J_OPEN_ARRAY) {
        if (sp->depth == PLACE_MAX_DEPTH)
            return false;
        sp->frames[sp->depth++] =
            (struct jframe){tok.kind == J_OPEN_OBJECT, tok.kind == J_OPEN_OBJECT, tok.start, ""};
    } else if (tok.kind == J_CLOSE && sp->depth) {
        sp->depth--;
    } else if (top && top->object && tok.kind == J_COMMA) {
        top->want_key = true;
    } else if (top && top->object && tok.kind == J_COLON) {
        top->want_key = false;
    }
    return true;
}

static bool json_spot(const struct lsp_text *t, size_t offset, struct jspot *sp)
{
    memset(sp, 0, sizeof(*sp));
    size_t at = 0;
    for (struct jtoken tok = json_token(t, &at);; tok = json_token(t, &at)) {
        struct jframe *top = sp->depth ? &sp->frames[sp->depth - 1] : NULL;
        bool key_here = top && top->object && top->want_key;
        if (tok.kind == J_END || tok.start >= offset ||
            (tok.end >= offset && tok.kind == J_STRING)) {
            bool on = tok.kind == J_STRING && tok.start < offset;
            sp->on_key = key_here;
            sp->key = on ? tok : (struct jtoken){J_END, offset, offset};
            return true;
        }
        if (key_here && tok.kind == J_STRING)
            json_text(t, tok, top->key);
        if (!json_step(sp, tok))
            return false;
    }
}

static bool json_place_of_key(const struct lsp_text *t, size_t offset, struct place *out)
{
    struct jspot *sp = malloc(sizeof(*sp));
    bool found = sp && json_spot(t, offset, sp) && sp->on_key && sp->key.kind == J_STRING &&
                 json_steps(t, sp->frames, sp->depth, out);
    if (found) {
        char key[PLACE_MAX_TEXT];
        json_text(t, sp->key, key);
        found = push(out, false, key, NULL);
    }
    free(sp);
    return found;
}

static bool json_place_for_completion(const struct lsp_text *t, size_t offset, struct place *out)
{
    struct jspot *sp = malloc(sizeof(*sp));
    bool found = sp && json_spot(t, offset, sp) && sp->on_key && sp->depth &&
                 json_steps(t, sp->frames, sp->depth, out);
    if (found) {
        /* The word replaced: the key's text typed so far, its quotes included. */
        out->word_from = sp->key.start;
        out->word_to = sp->key.kind == J_STRING ? sp->key.end : offset;
        char typed[PLACE_MAX_TEXT] = "";
        if (sp->key.kind == J_STRING)
            json_text(t, sp->key, typed);
        json_members(t, sp->frames[sp->depth - 1].start, each_key, out);
        for (size_t i = 0; i < out->nkeys; i++) /* the key typed is no sibling */
            if (!strcmp(out->keys[i], typed)) {
                memmove(out->keys[i], out->keys[out->nkeys - 1], PLACE_MAX_TEXT);
                out->nkeys--;
                break;
            }
        out->json = true;
    }
    free(sp);
    return found;
}

bool place_of_key(const struct lsp_text *t, size_t offset, struct place *out)
{
    memset(out, 0, sizeof(*out));
    if (t->nlines == 0)
        return false;
    if (flow_document(t))
        return json_place_of_key(t, offset, out);
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
        return json_place_for_completion(t, offset, out);
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
