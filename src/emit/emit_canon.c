/*
 * The canonical writer: each top-level entry written as it streams past, so a converted dump
 * is never held whole. YAML in block style with two-space indentation, or pretty JSON.
 */
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "util/util_buf.h"

static void flush(struct emit_canon *c, struct buf *b)
{
    if (b->len && fwrite(b->data, 1, b->len, c->out) != b->len)
        c->failed = true;
    buf_release(b);
}

static int yaml_key(struct buf *b, const struct node *key)
{
    int rc = write_scalar(b, key, STYLE_PLAIN, WRITE_BLOCK);
    return rc == 0 ? buf_putc(b, ':') : rc;
}

static void yaml_entry(struct emit_canon *c, struct buf *b, enum reader_entry_kind kind,
                       const struct node *key, const struct node *value)
{
    int rc = 0;
    if (kind == ENTRY_VALUE && key) {
        struct node_pair pair = {(struct node *)key, (struct node *)value};
        struct node map = {.kind = NODE_MAPPING, .count = 1};
        map.u.pairs = &pair;
        rc = write_yaml_value(b, &map, 0);
        rc = rc == 0 ? buf_putc(b, '\n') : rc;
    } else if (kind == ENTRY_VALUE) {
        rc = write_yaml_value(b, value, 0);
        rc = rc == 0 ? buf_putc(b, '\n') : rc;
    } else if (kind == ENTRY_ITEM && value) {
        if (c->items++ == 0)
            rc = yaml_key(b, c->list_key) || buf_putc(b, '\n') ? -1 : 0;
        struct node *item = (struct node *)value;
        struct node list = {.kind = NODE_SEQUENCE, .count = 1};
        list.u.items = &item;
        rc = rc == 0 ? write_yaml_value(b, &list, 0) : rc;
        rc = rc == 0 ? buf_putc(b, '\n') : rc;
    } else if (kind == ENTRY_LIST_END && c->items == 0) {
        rc = yaml_key(b, c->list_key) || buf_puts(b, " []\n") ? -1 : 0;
    }
    if (rc < 0)
        c->failed = true;
}

static void json_entry(struct emit_canon *c, struct buf *b, enum reader_entry_kind kind,
                       const struct node *key, const struct node *value)
{
    int rc = 0;
    bool opens = kind == ENTRY_VALUE || kind == ENTRY_LIST_BEGIN;
    if (opens)
        rc = buf_puts(b, c->entries++ ? ",\n  " : "{\n  ");
    if (opens && key)
        rc = rc == 0 ? write_json_value(b, key, 2) || buf_puts(b, ": ") : rc;
    if (kind == ENTRY_VALUE)
        rc = rc == 0 ? write_json_value(b, value, 2) : rc;
    else if (kind == ENTRY_LIST_BEGIN)
        rc = rc == 0 ? buf_putc(b, '[') : rc;
    else if (kind == ENTRY_ITEM && value)
        rc = buf_puts(b, c->items++ ? ",\n    " : "\n    ") || write_json_value(b, value, 4);
    else if (kind == ENTRY_LIST_END)
        rc = buf_puts(b, c->items ? "\n  ]" : "]");
    if (rc)
        c->failed = true;
}

static void on_entry(void *ctx, enum reader_entry_kind kind, const struct node *key,
                     const struct node *value)
{
    struct emit_canon *c = ctx;
    if (kind == ENTRY_LIST_BEGIN) {
        c->list_key = key;
        c->items = 0;
    }
    struct buf b;
    buf_init(&b, BUF_DEFAULT_MAX);
    if (c->json)
        json_entry(c, &b, kind, key, value);
    else
        yaml_entry(c, &b, kind, key, value);
    flush(c, &b);
}

void emit_canon_init(struct emit_canon *c, FILE *out, bool json)
{
    memset(c, 0, sizeof(*c));
    c->out = out;
    c->json = json;
    c->emitter = (struct check_emitter){c, on_entry};
}

int emit_canon_finish(struct emit_canon *c)
{
    if (c->json)
        fputs(c->entries ? "\n}\n" : "{}\n", c->out);
    return c->failed || ferror(c->out) ? -1 : 0;
}
