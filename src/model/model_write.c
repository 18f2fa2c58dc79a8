/*
 * Scalars and values back to text. See model_write.h.
 */
#include "model_write.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_scalar.h"

static bool is_control(unsigned char c)
{
    return c < 0x20 || c == 0x7f;
}

/* Characters that may not start a plain scalar (YAML 1.2, 7.3.3, plus '%' and '@'). */
static bool is_indicator(char c)
{
    return c != '\0' && strchr("-?:,[]{}#&*!|>'\"%@`", c) != NULL;
}

bool plain_is_safe(const char *text, size_t len, enum write_context ctx)
{
    if (ctx == WRITE_JSON || len == 0 || is_indicator(text[0]) || text[0] == ' ' ||
        text[len - 1] == ' ' || text[len - 1] == ':')
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (is_control(c) || (c == ':' && i + 1 < len && text[i + 1] == ' ') ||
            (c == '#' && text[i - 1] == ' ') || (ctx == WRITE_FLOW && strchr(",[]{}", c)))
            return false;
    }
    /* Read back plain, the text must still be a string, and one that YAML 1.2 agrees on. */
    struct node probe = {.kind = NODE_SCALAR, .style = STYLE_PLAIN, .count = (uint32_t)len};
    probe.u.text = text;
    scalar_resolve(&probe, NULL);
    return probe.type == SCALAR_STRING && !(probe.flags & NODE_YAML11);
}

static bool single_quotes_fit(const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (is_control((unsigned char)text[i]))
            return false;
    return true;
}

static int write_single_quoted(struct buf *b, const char *text, size_t len)
{
    int rc = buf_putc(b, '\'');
    for (size_t i = 0; rc == 0 && i < len; i++)
        rc = text[i] == '\'' ? buf_append(b, "''", 2) : buf_putc(b, text[i]);
    return rc == 0 ? buf_putc(b, '\'') : rc;
}

/* Double quotes with JSON's escapes, which YAML's double-quoted style also reads. */
static int write_double_quoted(struct buf *b, const char *text, size_t len)
{
    int rc = buf_putc(b, '"');
    for (size_t i = 0; rc == 0 && i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        static const char escapes[] = "\"\"\\\\\bb\ff\nn\rr\tt";
        const char *e = c ? memchr(escapes, c, sizeof(escapes) - 1) : NULL;
        if (e && (e - escapes) % 2 == 0) {
            char pair[2] = {'\\', e[1]};
            rc = buf_append(b, pair, 2);
        } else if (is_control(c)) {
            rc = buf_printf(b, "\\u%04x", c);
        } else {
            rc = buf_putc(b, (char)c);
        }
    }
    return rc == 0 ? buf_putc(b, '"') : rc;
}

int write_string_like(struct buf *b, const char *text, size_t len, enum scalar_style like,
                      enum write_context ctx)
{
    if (ctx == WRITE_JSON || like == STYLE_DOUBLE_QUOTED)
        return write_double_quoted(b, text, len);
    if (like == STYLE_PLAIN && plain_is_safe(text, len, ctx))
        return buf_append(b, text, len);
    if (single_quotes_fit(text, len))
        return write_single_quoted(b, text, len);
    return write_double_quoted(b, text, len);
}

static int write_number(struct buf *b, const struct node *n)
{
    if (n->type == SCALAR_INT)
        return buf_printf(b, "%lld", (long long)n->v.i);
    double f = n->v.f;
    if (isnan(f) || isinf(f)) /* JSON has no such numbers; YAML spells them .nan and .inf */
        return buf_puts(b, isnan(f) ? ".nan" : f > 0 ? ".inf" : "-.inf");
    char text[40];
    /* The shortest form that reads back as the same number. */
    snprintf(text, sizeof(text), "%.15g", f);
    if (strtod(text, NULL) != f)
        snprintf(text, sizeof(text), "%.17g", f);
    /* Keep it a float when read back: 3 would come back as an integer. */
    bool integral = !strpbrk(text, ".eEn");
    return buf_printf(b, "%s%s", text, integral ? ".0" : "");
}

int write_scalar(struct buf *b, const struct node *n, enum scalar_style like,
                 enum write_context ctx)
{
    switch ((enum scalar_type)n->type) {
    case SCALAR_NULL:
        return buf_puts(b, "null");
    case SCALAR_BOOL:
        return buf_puts(b, n->v.b ? "true" : "false");
    case SCALAR_INT:
    case SCALAR_FLOAT:
        return write_number(b, n);
    case SCALAR_STRING:
    case SCALAR_TIMESTAMP: /* written as it was read: plain, a date */
        break;
    }
    return write_string_like(b, n->u.text, n->count, like, ctx);
}

/* ---- whole values ------------------------------------------------------------------------ */

static int indent_to(struct buf *b, unsigned n)
{
    int rc = 0;
    for (unsigned i = 0; rc == 0 && i < n; i++)
        rc = buf_putc(b, ' ');
    return rc;
}

static bool is_empty_collection(const struct node *n)
{
    return n->kind != NODE_SCALAR && n->count == 0;
}

static int write_yaml_at(struct buf *b, const struct node *n, unsigned indent);

/* What follows "key:" or "- ": a scalar on the same line, a collection on the next lines. */
static int write_yaml_after_indicator(struct buf *b, const struct node *n, unsigned indent)
{
    if (n->kind == NODE_SCALAR || is_empty_collection(n)) {
        int rc = buf_putc(b, ' ');
        return rc == 0 ? write_yaml_value(b, n, indent) : rc;
    }
    int rc = buf_putc(b, '\n');
    if (rc == 0)
        rc = indent_to(b, indent);
    return rc == 0 ? write_yaml_at(b, n, indent) : rc;
}

static int write_yaml_at(struct buf *b, const struct node *n, unsigned indent)
{
    int rc = 0;
    for (uint32_t i = 0; rc == 0 && i < n->count; i++) {
        if (i)
            rc = buf_putc(b, '\n') || indent_to(b, indent) ? -1 : 0;
        if (rc)
            break;
        if (n->kind == NODE_SEQUENCE) {
            rc = buf_putc(b, '-');
            const struct node *item = n->u.items[i];
            if (rc == 0 && item->kind == NODE_MAPPING && item->count) {
                /* "- key: value", the rest of the mapping aligned under the first key */
                rc = buf_putc(b, ' ') || write_yaml_at(b, item, indent + 2) ? -1 : 0;
            } else if (rc == 0) {
                rc = write_yaml_after_indicator(b, item, indent + 2);
            }
        } else {
            const struct node_pair *p = &n->u.pairs[i];
            rc = write_scalar(b, p->key, STYLE_PLAIN, WRITE_BLOCK);
            if (rc == 0)
                rc = buf_putc(b, ':');
            if (rc == 0)
                rc = write_yaml_after_indicator(b, p->value, indent + 2);
        }
    }
    return rc;
}

int write_yaml_value(struct buf *b, const struct node *n, unsigned indent)
{
    if (n->kind == NODE_SCALAR)
        return write_scalar(b, n, STYLE_PLAIN, WRITE_BLOCK);
    if (n->count == 0)
        return buf_puts(b, n->kind == NODE_SEQUENCE ? "[]" : "{}");
    return write_yaml_at(b, n, indent);
}

int write_json_value(struct buf *b, const struct node *n, unsigned indent)
{
    if (n->kind == NODE_SCALAR) {
        bool special = n->type == SCALAR_FLOAT && (isnan(n->v.f) || isinf(n->v.f));
        /* JSON keys are strings, and JSON has no NaN: both are written as strings. */
        if (special)
            return write_double_quoted(b, n->u.text, n->count);
        return write_scalar(b, n, STYLE_DOUBLE_QUOTED, WRITE_JSON);
    }
    bool seq = n->kind == NODE_SEQUENCE;
    if (n->count == 0)
        return buf_puts(b, seq ? "[]" : "{}");
    int rc = buf_putc(b, seq ? '[' : '{');
    for (uint32_t i = 0; rc == 0 && i < n->count; i++) {
        rc = buf_puts(b, i ? ",\n" : "\n") || indent_to(b, indent + 2) ? -1 : 0;
        if (rc == 0 && !seq) {
            const struct node *key = n->u.pairs[i].key;
            rc = key->kind == NODE_SCALAR ? write_double_quoted(b, key->u.text, key->count) : -1;
            if (rc == 0)
                rc = buf_puts(b, ": ");
        }
        if (rc == 0)
            rc = write_json_value(b, seq ? n->u.items[i] : n->u.pairs[i].value, indent + 2);
    }
    if (rc == 0)
        rc = buf_putc(b, '\n') || indent_to(b, indent) ? -1 : 0;
    return rc == 0 ? buf_putc(b, seq ? ']' : '}') : rc;
}

int write_flow_value(struct buf *b, const struct node *n, enum write_context ctx)
{
    if (ctx == WRITE_BLOCK)
        ctx = WRITE_FLOW;
    if (n->kind == NODE_SCALAR)
        return write_scalar(b, n, STYLE_PLAIN, ctx);
    bool seq = n->kind == NODE_SEQUENCE;
    int rc = buf_putc(b, seq ? '[' : '{');
    for (uint32_t i = 0; rc == 0 && i < n->count; i++) {
        if (i)
            rc = buf_puts(b, ", ");
        if (rc == 0 && !seq) {
            const struct node *key = n->u.pairs[i].key;
            rc = ctx == WRITE_JSON ? write_double_quoted(b, key->u.text, key->count)
                                   : write_scalar(b, key, STYLE_PLAIN, ctx);
            rc = rc == 0 ? buf_puts(b, ": ") : rc;
        }
        if (rc == 0)
            rc = write_flow_value(b, seq ? n->u.items[i] : n->u.pairs[i].value, ctx);
    }
    return rc == 0 ? buf_putc(b, seq ? ']' : '}') : rc;
}
