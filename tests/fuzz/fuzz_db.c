/*
 * libFuzzer target for what the database commands read: a row's JSON as PostgreSQL writes it
 * (db_json.h), written back as YAML and as JSON the way db export writes it, and the input as
 * a PostgreSQL array literal of schema_meta (db_migrations.h). Seeds: tests/json.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_json.h"
#include "db/db_migrations.h"
#include "model/model_write.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena a;
    arena_init(&a, 64 * 1024);
    const char *why = NULL;
    struct node *n = json_node_parse(&a, (const char *)data, size, &why);
    if (!n && !why)
        abort(); /* a refusal always says why */
    if (n) {
        struct buf b;
        buf_init(&b, 64 * 1024 * 1024);
        (void)write_yaml_value(&b, n, 0);
        buf_clear(&b);
        (void)write_json_value(&b, n, 0);
        buf_release(&b);
    }
    arena_release(&a);

    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    struct meta_state s;
    meta_state_init(&s);
    struct meta_row *row = meta_state_add(&s, "core", NULL);
    if (row)
        (void)meta_row_add_array(&s, row, false, text);
    meta_state_release(&s);
    free(text);
    return 0;
}
