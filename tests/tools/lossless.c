/*
 * The losslessness check of convert cases: every value of the input (keys and scalars, by
 * type and value) is in the output, or is the old value of a change in the change log.
 *
 * usage: lossless INPUT OUTPUT CHANGES.json
 * CHANGES.json is `gatehop convert --format json`'s report. Prints each lost value; exit 1
 * when any is lost, 2 when a file cannot be read.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag/diag.h"
#include "model/model_write.h"
#include "reader/reader.h"

struct values {
    char **items;
    size_t count, cap;
};

static void add(struct values *v, const char *text)
{
    if (v->count == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 256;
        v->items = realloc(v->items, v->cap * sizeof(*v->items));
        if (!v->items)
            exit(2);
    }
    v->items[v->count] = strdup(text);
    if (!v->items[v->count++])
        exit(2);
}

/* A scalar by type and value: "s:/users", "i:80", "b:true", "n:", "f:1.5". */
static void add_scalar(struct values *v, const struct node *n)
{
    struct buf b;
    buf_init(&b, BUF_DEFAULT_MAX);
    static const char types[] = {[SCALAR_STRING] = 's',
                                 [SCALAR_NULL] = 'n',
                                 [SCALAR_BOOL] = 'b',
                                 [SCALAR_INT] = 'i',
                                 [SCALAR_FLOAT] = 'f'};
    buf_putc(&b, types[n->type]);
    buf_putc(&b, ':');
    if (n->type == SCALAR_STRING)
        buf_append(&b, n->u.text, n->count);
    else if (n->type != SCALAR_NULL)
        write_scalar(&b, n, STYLE_PLAIN, WRITE_BLOCK);
    add(v, b.data);
    buf_release(&b);
}

static void collect(struct values *v, const struct node *n, int depth)
{
    if (!n || depth > 200)
        return;
    if (n->kind == NODE_SCALAR) {
        add_scalar(v, n);
        return;
    }
    for (uint32_t i = 0; i < n->count; i++) {
        if (n->kind == NODE_SEQUENCE) {
            collect(v, n->u.items[i], depth + 1);
        } else {
            collect(v, n->u.pairs[i].key, depth + 1);
            collect(v, n->u.pairs[i].value, depth + 1);
        }
    }
}

/* Reads data (with plan's spaces, when given); *found: a plan that reads a refused file. */
static int load_text(const char *data, size_t len, const struct lenient_plan *plan,
                     struct values *v, struct lenient_plan **found)
{
    struct diag_sink sink;
    diag_sink_init(&sink, 10);
    struct reader_options opt;
    reader_options_default(&opt);
    opt.lenient = plan;
    opt.lenient_probe = !plan;
    struct reader r;
    gh_error err = {0};
    struct node *root = NULL;
    int rc = reader_open_memory(&r, data, len, &opt, &sink, &err);
    if (rc == 0)
        rc = reader_load(&r, &root, &err);
    *found = reader_take_lenient(&r);
    if (rc == 0 && !*found)
        collect(v, root, 0);
    reader_close(&r);
    diag_sink_release(&sink);
    return rc;
}

/* A file as gatehop reads it: a quoted key with no space after its ':' as tinyyaml reads it. */
static int load(const char *path, struct values *v)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    static char data[64 << 20];
    size_t len = fread(data, 1, sizeof(data), f);
    fclose(f);
    struct lenient_plan *plan = NULL, *again = NULL;
    int rc = load_text(data, len, NULL, v, &plan);
    if (rc == 0 && plan)
        rc = load_text(data, len, plan, v, &again);
    lenient_plan_free(plan);
    lenient_plan_free(again);
    return rc;
}

static void release(struct values *v)
{
    for (size_t i = 0; i < v->count; i++)
        free(v->items[i]);
    free(v->items);
}

static int compare(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One old value as the log prints it, unquoted: 'text' is a string, anything else as printed. */
static void add_old(struct values *olds, const char *old, size_t n)
{
    char text[1024];
    if (n >= 2 && old[0] == '\'' && old[n - 1] == '\'')
        snprintf(text, sizeof(text), "s:%.*s", (int)(n - 2), old + 1);
    else if (n == 4 && !strncmp(old, "null", 4))
        snprintf(text, sizeof(text), "n:");
    else
        snprintf(text, sizeof(text), "?:%.*s", (int)n, old);
    add(olds, text);
}

/* A short list is logged as ['a', 'b']: it names each of its values. */
static void add_old_list(struct values *olds, const char *old, size_t n)
{
    const char *p = old + 1, *end = old + n - 1;
    while (p < end) {
        const char *sep = strstr(p, ", ");
        size_t len = sep && sep < end ? (size_t)(sep - p) : (size_t)(end - p);
        add_old(olds, p, len);
        p += len + 2;
    }
}

/* The change log's old values. */
static void add_changes(struct values *olds, const char *path)
{
    json_error_t e;
    json_t *root = json_load_file(path, 0, &e);
    json_t *files = json_object_get(root, "files"), *file;
    size_t i, j;
    json_array_foreach(files, i, file)
    {
        json_t *change;
        json_array_foreach(json_object_get(file, "changes"), j, change)
        {
            const char *old = json_string_value(json_object_get(change, "old"));
            const char *kind = json_string_value(json_object_get(change, "kind"));
            const char *field = json_string_value(json_object_get(change, "field"));
            char text[1024];
            /* A removed pair takes its key with it. */
            if (kind && field && !strcmp(kind, "removed")) {
                snprintf(text, sizeof(text), "s:%s", field);
                add(olds, text);
            }
            if (!old)
                continue;
            size_t n = strlen(old);
            if (n >= 2 && old[0] == '[' && old[n - 1] == ']')
                add_old_list(olds, old, n);
            else
                add_old(olds, old, n);
        }
    }
    json_decref(root);
}

/* An input value the log names: exactly, or by the first 80 bytes it shows ("...'"). */
static bool named_in_log(const struct values *olds, const char *value)
{
    for (size_t i = 0; i < olds->count; i++) {
        const char *o = olds->items[i];
        size_t n = strlen(o);
        if (!strcmp(o, value) || !strcmp(o + 2, value + 2))
            return true;
        if (n > 5 && !strcmp(o + n - 3, "...") && !strncmp(o, value, n - 3))
            return true;
    }
    return false;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: lossless INPUT OUTPUT CHANGES.json\n");
        return 2;
    }
    struct values in = {0}, out = {0}, olds = {0};
    if (load(argv[1], &in) < 0 || load(argv[2], &out) < 0) {
        fprintf(stderr, "lossless: cannot read %s or %s\n", argv[1], argv[2]);
        return 2;
    }
    add_changes(&olds, argv[3]);
    size_t redacted_left = 0;
    for (size_t i = 0; i < olds.count; i++)
        redacted_left += !strcmp(olds.items[i], "s:<redacted>");
    qsort(in.items, in.count, sizeof(char *), compare);
    qsort(out.items, out.count, sizeof(char *), compare);
    int status = 0;
    size_t j = 0;
    for (size_t i = 0; i < in.count; i++) {
        while (j < out.count && strcmp(out.items[j], in.items[i]) < 0)
            j++;
        if (j < out.count && !strcmp(out.items[j], in.items[i])) {
            j++; /* each output value accounts for one input value */
            continue;
        }
        if (named_in_log(&olds, in.items[i]))
            continue;
        /* A secret's old value is logged as '<redacted>': each such change accounts for one
         * string the output no longer has, and no more. */
        if (!strncmp(in.items[i], "s:", 2) && redacted_left > 0) {
            redacted_left--;
            continue;
        }
        {
            printf("lost: %s\n", in.items[i]);
            status = 1;
        }
    }
    release(&in);
    release(&out);
    release(&olds);
    return status;
}
