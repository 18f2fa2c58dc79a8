/*
 * Checks a JSON document against a JSON Schema, for the report tests: the subset of draft-07
 * our schemas use (type, properties, required, additionalProperties, items, enum, const,
 * minimum, minItems, and $ref to "#/definitions/NAME"). Prints every violation with its JSON
 * pointer; exit 0 valid, 1 invalid, 2 a file could not be read or a keyword is not supported.
 *
 *   json_schema_check SCHEMA.json DOCUMENT.json
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static json_t *root_schema;
static int violations, unsupported;

static void fail(const char *where, const char *what)
{
    printf("%s: %s\n", where[0] ? where : "/", what);
    violations++;
}

static bool has_type(const json_t *v, const char *type)
{
    if (!strcmp(type, "object"))
        return json_is_object(v);
    if (!strcmp(type, "array"))
        return json_is_array(v);
    if (!strcmp(type, "string"))
        return json_is_string(v);
    if (!strcmp(type, "integer"))
        return json_is_integer(v);
    if (!strcmp(type, "number"))
        return json_is_number(v);
    if (!strcmp(type, "boolean"))
        return json_is_boolean(v);
    return json_is_null(v) && !strcmp(type, "null");
}

static bool type_ok(const json_t *v, const json_t *type)
{
    if (json_is_string(type))
        return has_type(v, json_string_value(type));
    size_t i;
    json_t *t;
    json_array_foreach(type, i, t) if (has_type(v, json_string_value(t))) return true;
    return false;
}

static void check(const json_t *v, const json_t *schema, const char *where);

static void check_object(const json_t *v, const json_t *schema, const char *where)
{
    const json_t *props = json_object_get(schema, "properties");
    const json_t *extra = json_object_get(schema, "additionalProperties");
    size_t i;
    json_t *name;
    json_array_foreach(json_object_get(schema, "required"), i, name)
    {
        if (!json_object_get(v, json_string_value(name))) {
            char msg[200];
            snprintf(msg, sizeof(msg), "required property '%s' missing", json_string_value(name));
            fail(where, msg);
        }
    }
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)v, key, value)
    {
        char inner[1024];
        snprintf(inner, sizeof(inner), "%s/%s", where, key);
        const json_t *sub = json_object_get(props, key);
        if (sub)
            check(value, sub, inner);
        else if (json_is_false(extra))
            fail(inner, "property not allowed");
        else if (json_is_object(extra))
            check(value, extra, inner);
    }
}

static void check_array(const json_t *v, const json_t *schema, const char *where)
{
    const json_t *min = json_object_get(schema, "minItems");
    if (min && json_array_size(v) < (size_t)json_integer_value(min))
        fail(where, "too few items");
    const json_t *items = json_object_get(schema, "items");
    size_t i;
    json_t *item;
    json_array_foreach((json_t *)v, i, item)
    {
        char inner[1024];
        snprintf(inner, sizeof(inner), "%s/%zu", where, i);
        if (items)
            check(item, items, inner);
    }
}

static const json_t *resolve(const json_t *schema)
{
    const json_t *ref = json_object_get(schema, "$ref");
    if (!ref)
        return schema;
    const char *prefix = "#/definitions/", *text = json_string_value(ref);
    const json_t *target =
        text && !strncmp(text, prefix, strlen(prefix))
            ? json_object_get(json_object_get(root_schema, "definitions"), text + strlen(prefix))
            : NULL;
    if (!target) {
        printf("unsupported or dangling $ref %s\n", text ? text : "?");
        unsupported++;
    }
    return target;
}

static void check_enum(const json_t *v, const json_t *schema, const char *where)
{
    const json_t *options = json_object_get(schema, "enum");
    const json_t *constant = json_object_get(schema, "const");
    if (constant && !json_equal((json_t *)v, (json_t *)constant))
        fail(where, "value differs from the constant");
    if (!options)
        return;
    size_t i;
    json_t *o;
    json_array_foreach(options, i, o) if (json_equal((json_t *)v, o)) return;
    fail(where, "value not in the enumeration");
}

static void check(const json_t *v, const json_t *schema, const char *where)
{
    schema = resolve(schema);
    if (!schema)
        return;
    static const char *const known[] = {
        "type",    "properties", "required", "additionalProperties", "items", "enum", "const",
        "minimum", "minItems",   "$ref",     "description"};
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)schema, key, value)
    {
        bool ok = false;
        for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
            ok |= !strcmp(key, known[i]);
        if (!ok) {
            printf("unsupported keyword '%s'\n", key);
            unsupported++;
        }
    }
    const json_t *type = json_object_get(schema, "type");
    if (type && !type_ok(v, type)) {
        fail(where, "wrong type");
        return;
    }
    const json_t *min = json_object_get(schema, "minimum");
    if (min && json_is_number(v) && json_number_value(v) < json_number_value(min))
        fail(where, "below the minimum");
    check_enum(v, schema, where);
    if (json_is_object(v))
        check_object(v, schema, where);
    else if (json_is_array(v))
        check_array(v, schema, where);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: json_schema_check SCHEMA DOCUMENT\n");
        return 2;
    }
    json_error_t e;
    root_schema = json_load_file(argv[1], 0, &e);
    json_t *doc = root_schema ? json_load_file(argv[2], 0, &e) : NULL;
    if (!doc) {
        fprintf(stderr, "%s:%d: %s\n", e.source, e.line, e.text);
        return 2;
    }
    /* The top level is checked against the schema's own body (its definitions are skipped). */
    json_t *body = json_deep_copy(root_schema);
    json_object_del(body, "definitions");
    json_object_del(body, "$schema");
    json_object_del(body, "title");
    check(doc, body, "");
    json_decref(body);
    json_decref(doc);
    json_decref(root_schema);
    if (unsupported)
        return 2;
    printf("%s\n", violations ? "invalid" : "valid");
    return violations ? 1 : 0;
}
