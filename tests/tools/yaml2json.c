/*
 * yaml2json [--compact] [--crlf] [--indent N] FILE: the first YAML document of FILE as JSON on
 * standard output, to make JSON inputs for the test that reads them with the JSON reader and
 * with libyaml (tests/meta/check_json_reader.sh). Plain scalars that read as JSON numbers,
 * true, false or null are written bare, everything else as a string. Exits 3 for what JSON
 * cannot say as written (anchors, aliases, complex keys), 2 when the file is not YAML.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "reader/reader_json.h"

static bool compact, crlf;
static int indent = 2;

struct level {
    bool mapping;
    size_t count; /* children written (keys and values in a mapping) */
};

static struct level stack[1000];
static size_t depth;

static void line_break(int level)
{
    if (compact)
        return;
    fputs(crlf ? "\r\n" : "\n", stdout);
    for (int i = 0; i < level * indent; i++)
        putchar(' ');
}

static void string(const unsigned char *s, size_t n)
{
    putchar('"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c == '\n')
            fputs("\\n", stdout);
        else if (c == '\t')
            fputs("\\t", stdout);
        else if (c < 0x20 || c == 0x7f)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

/* Before a node: the separator and line break its place needs; true for a mapping's key. */
static bool place(void)
{
    if (!depth)
        return false;
    struct level *l = &stack[depth - 1];
    bool key = l->mapping && l->count % 2 == 0;
    if (key || !l->mapping) {
        if (l->count)
            putchar(',');
        line_break((int)depth);
    } else {
        fputs(compact ? ":" : ": ", stdout);
    }
    l->count++;
    return key;
}

static void scalar(const yaml_event_t *ev)
{
    const char *v = (const char *)ev->data.scalar.value;
    size_t n = ev->data.scalar.length;
    bool key = place();
    bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !ev->data.scalar.tag;
    if (!key && plain && n && (json_number(v, n) || !strcmp(v, "true") || !strcmp(v, "false")))
        fputs(v, stdout);
    else if (!key && plain && (!n || !strcmp(v, "null") || !strcmp(v, "~")))
        fputs("null", stdout);
    else
        string(ev->data.scalar.value, n);
}

static int open_level(bool mapping)
{
    if (depth && stack[depth - 1].mapping && stack[depth - 1].count % 2 == 0)
        return 3; /* a complex key */
    if (depth == sizeof(stack) / sizeof(stack[0]))
        return 3;
    place();
    putchar(mapping ? '{' : '[');
    stack[depth++] = (struct level){mapping, 0};
    return 0;
}

static void close_level(void)
{
    struct level *l = &stack[--depth];
    if (l->count)
        line_break((int)depth);
    putchar(l->mapping ? '}' : ']');
}

int main(int argc, char **argv)
{
    int i = 1;
    for (; i < argc - 1; i++) {
        if (!strcmp(argv[i], "--compact"))
            compact = true;
        else if (!strcmp(argv[i], "--crlf"))
            crlf = true;
        else if (!strcmp(argv[i], "--indent") && i + 2 < argc)
            indent = atoi(argv[++i]);
    }
    FILE *fp = i < argc ? fopen(argv[i], "rb") : NULL;
    if (!fp) {
        fprintf(stderr, "usage: yaml2json [--compact] [--crlf] [--indent N] FILE\n");
        return 2;
    }
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, fp);
    int rc = 0;
    for (bool done = false; !done && rc == 0;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            rc = 2;
            break;
        }
        switch (ev.type) {
        case YAML_SCALAR_EVENT:
            if (ev.data.scalar.anchor)
                rc = 3;
            else
                scalar(&ev);
            break;
        case YAML_ALIAS_EVENT:
            rc = 3;
            break;
        case YAML_MAPPING_START_EVENT:
        case YAML_SEQUENCE_START_EVENT:
            rc = ev.data.mapping_start.anchor ? 3 : open_level(ev.type == YAML_MAPPING_START_EVENT);
            break;
        case YAML_MAPPING_END_EVENT:
        case YAML_SEQUENCE_END_EVENT:
            close_level();
            break;
        case YAML_DOCUMENT_END_EVENT:
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
    }
    if (rc == 0)
        fputs(crlf ? "\r\n" : "\n", stdout);
    yaml_parser_delete(&parser);
    fclose(fp);
    return rc;
}
