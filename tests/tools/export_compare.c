/*
 * export_compare SOURCE.json EXPORT.json [SKIP | +EXTRA ...]: compares a db_export-shaped document
 * that filled a database (SOURCE) with what `gatehop db export` wrote of that database (EXPORT),
 * field by field: every collection of the source (but those named SKIP) is in the export with the
 * same entities by id, every field the source gives has the same value there, and a field the
 * export adds is null (Kong's export writes every field, unset ones as null). A collection
 * only the export has is a difference unless named +EXTRA (one not in any workspace, such as
 * ca_certificates, comes with every workspace's export). Both files are
 * JSON (tests/tools/yaml2json turns YAML into it). Prints each difference; exits 1 on any,
 * 2 when a file cannot be read.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int differences;

static void differ(const char *collection, const char *id, const char *field, const char *what)
{
    printf("%s %s: %s: %s\n", collection, id, field, what);
    differences++;
}

/* An entity's primary key: its id, or its key (parameters). */
static const char *primary_key(json_t *e)
{
    const char *id = json_string_value(json_object_get(e, "id"));
    return id ? id : json_string_value(json_object_get(e, "key"));
}

static json_t *find_by_id(json_t *list, const char *id)
{
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e)
    {
        const char *eid = primary_key(e);
        if (eid && !strcmp(eid, id))
            return e;
    }
    return NULL;
}

static void compare_entity(const char *collection, json_t *want, json_t *got)
{
    const char *id = primary_key(want);
    const char *field;
    json_t *value;
    json_object_foreach(want, field, value)
    {
        json_t *there = json_object_get(got, field);
        if (!there)
            differ(collection, id, field, "missing from the export");
        else if (!json_equal(value, there))
            differ(collection, id, field, "another value in the export");
    }
    json_object_foreach(got, field, value)
    {
        if (!json_object_get(want, field) && !json_is_null(value))
            differ(collection, id, field, "set in the export, not in the source");
    }
}

static void compare_collection(const char *name, json_t *want, json_t *got)
{
    size_t i;
    json_t *e;
    if (!json_is_array(got)) {
        differ(name, "-", "-", "no such collection in the export");
        return;
    }
    if (json_array_size(want) != json_array_size(got))
        differ(name, "-", "-", "another number of entities in the export");
    json_array_foreach(want, i, e)
    {
        const char *id = primary_key(e);
        json_t *there = id ? find_by_id(got, id) : NULL;
        if (!there)
            differ(name, id ? id : "(no id)", "-", "not in the export");
        else
            compare_entity(name, e, there);
    }
}

/* Whether the arguments name the collection, after `mark` ("" or "+"). */
static bool named(const char *name, const char *mark, int argc, char **argv)
{
    size_t m = strlen(mark);
    for (int i = 3; i < argc; i++)
        if (!strncmp(argv[i], mark, m) && (m || argv[i][0] != '+') && !strcmp(argv[i] + m, name))
            return true;
    return false;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: export_compare SOURCE.json EXPORT.json [SKIP | +EXTRA ...]\n");
        return 2;
    }
    json_error_t err;
    json_t *source = json_load_file(argv[1], JSON_DECODE_ANY, &err);
    if (!json_is_object(source)) {
        fprintf(stderr, "export_compare: %s: %s\n", argv[1], err.text);
        return 2;
    }
    json_t *exported = json_load_file(argv[2], JSON_DECODE_ANY, &err);
    if (!json_is_object(exported)) {
        fprintf(stderr, "export_compare: %s: %s\n", argv[2], err.text);
        return 2;
    }
    const char *name;
    json_t *value;
    size_t entities = 0;
    json_object_foreach(source, name, value)
    {
        if (name[0] == '_' || named(name, "", argc, argv))
            continue;
        entities += json_array_size(value);
        compare_collection(name, value, json_object_get(exported, name));
    }
    json_object_foreach(exported, name, value)
    {
        if (name[0] != '_' && !json_object_get(source, name) && !named(name, "+", argc, argv))
            differ(name, "-", "-", "in the export, not in the source");
    }
    printf("export_compare: %zu entities compared, %d difference%s\n", entities, differences,
           differences == 1 ? "" : "s");
    json_decref(source);
    json_decref(exported);
    return differences ? 1 : 0;
}
