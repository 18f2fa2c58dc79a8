/*
 * Unit tests for src/ruleset/ruleset_func.c: Spectral's core functions on gatehop's nodes.
 *
 * The expected messages in `cases` and `option_errors` are what Spectral 6 (spectral-functions
 * 1.11, typedEnum from spectral-rulesets) printed for the same YAML, the rule being
 * `given: $.case, then: {field: v, function: F, functionOptions: O}`. Those in `schema_cases`
 * are what Spectral's schema function (spectral-functions 1.20, ajv 8.17) returned for the
 * options and value, at a target named "v", its results kept once per path and message as
 * Spectral's linter keeps them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag/diag.h"
#include "reader/reader.h"
#include "ruleset/ruleset_func.h"
#include "tap.h"

/* Every document parsed stays open until the end: nodes point into the readers' arenas. */
#define MAX_DOCS 4096
static struct {
    struct reader rd;
    struct diag_sink sink;
    char *text;
} docs[MAX_DOCS];
static size_t ndocs;

/* The value of `v` in "v: <yaml>"; NULL for a NULL yaml (the field is absent). */
static const struct node *parse_value(const char *yaml)
{
    if (!yaml || ndocs == MAX_DOCS)
        return NULL;
    size_t len = strlen(yaml) + 8;
    char *text = malloc(len);
    if (!text)
        return NULL;
    snprintf(text, len, "v: %s\n", yaml);
    gh_error err = {0};
    struct node *root = NULL;
    docs[ndocs].text = text;
    diag_sink_init(&docs[ndocs].sink, 4);
    int rc = reader_open_memory(&docs[ndocs].rd, text, strlen(text), NULL, &docs[ndocs].sink, &err);
    if (rc == 0)
        rc = reader_load(&docs[ndocs].rd, &root, &err);
    ndocs++;
    if (rc != 0 || !root)
        printf("# cannot read: %s\n", text);
    return rc == 0 ? node_map_get(root, "v") : NULL;
}

static void close_docs(void)
{
    for (size_t i = 0; i < ndocs; i++) {
        reader_close(&docs[i].rd);
        diag_sink_release(&docs[i].sink);
        free(docs[i].text);
    }
    ndocs = 0;
}

/* The results of one run: messages and their paths, each joined with " | ". */
struct results {
    char messages[4096];
    char rels[512];
};

static void append(char *buf, size_t size, const char *text)
{
    size_t used = strlen(buf);
    snprintf(buf + used, size - used, "%s", text);
}

static void collect(void *ctx, const struct rs_result *r)
{
    struct results *res = ctx;
    if (res->messages[0])
        append(res->messages, sizeof(res->messages), " | ");
    append(res->messages, sizeof(res->messages), r->message);
    if (!r->nrel)
        return;
    if (res->rels[0])
        append(res->rels, sizeof(res->rels), " | ");
    for (size_t i = 0; i < r->nrel; i++) {
        char seg[128];
        if (r->rel[i].key)
            snprintf(seg, sizeof(seg), "%s%.*s", i ? "/" : "", (int)r->rel[i].len_or_index,
                     r->rel[i].key);
        else
            snprintf(seg, sizeof(seg), "%s%zu", i ? "/" : "", r->rel[i].len_or_index);
        append(res->rels, sizeof(res->rels), seg);
    }
}

/* Prepares fn with the options (flow YAML, or NULL for none) and runs it on value. 0, or -1
 * with why (and where, the text of the option at fault: "(mapping)", "(sequence)" or NULL). */
static int lint(const char *fn, const char *options, const char *value, const char *property,
                struct results *res, char *why, size_t why_size, const char **where)
{
    static struct arena ruleset_arena, scratch;
    static bool ready;
    if (!ready) {
        arena_init(&ruleset_arena, 4096);
        arena_init(&scratch, 4096);
        ready = true;
    }
    memset(res, 0, sizeof(*res));
    *where = NULL;
    const struct rs_func *f = rs_func_find(fn);
    if (!f) {
        snprintf(why, why_size, "no function %s", fn);
        return -1;
    }
    struct jpath_regexes regexes = {0};
    const void *prepared;
    const struct node *at, *opts = parse_value(options);
    if (rs_func_prepare(f, opts, &ruleset_arena, &regexes, &prepared, why, why_size, &at) < 0) {
        jpath_free_regexes(&regexes);
        static const char *const kinds[] = {
            [NODE_SEQUENCE] = "(sequence)", [NODE_MAPPING] = "(mapping)"};
        *where = !at ? NULL : at->kind == NODE_SCALAR ? at->u.text : kinds[at->kind];
        return -1;
    }
    struct rs_target target = {parse_value(value), property};
    struct rs_output out = {collect, res, &scratch};
    rs_func_run(f, prepared, &target, &out);
    arena_reset(&scratch);
    jpath_free_regexes(&regexes);
    return 0;
}

struct lint_case {
    const char *fn, *options, *value;
    const char *messages; /* joined with " | " */
    const char *rels;     /* the results' paths below the value, joined likewise */
};

static const struct lint_case cases[] = {
    {"truthy", NULL, "0", "\"v\" property must be truthy", ""},
    {"truthy", NULL, "''", "\"v\" property must be truthy", ""},
    {"truthy", NULL, "false", "\"v\" property must be truthy", ""},
    {"truthy", NULL, "null", "\"v\" property must be truthy", ""},
    {"truthy", NULL, "1", "", ""},
    {"truthy", NULL, "x", "", ""},
    {"truthy", NULL, "[]", "", ""},
    {"truthy", NULL, "{}", "", ""},
    {"truthy", NULL, ".nan", "\"v\" property must be truthy", ""},
    {"truthy", NULL, NULL, "\"v\" property must be truthy", ""},
    {"truthy", NULL, "0.0", "\"v\" property must be truthy", ""},
    {"truthy", NULL, "-1", "", ""},
    {"falsy", NULL, "0", "", ""},
    {"falsy", NULL, "''", "", ""},
    {"falsy", NULL, "x", "\"v\" property must be falsy", ""},
    {"falsy", NULL, "[]", "\"v\" property must be falsy", ""},
    {"falsy", NULL, NULL, "", ""},
    {"falsy", NULL, "true", "\"v\" property must be falsy", ""},
    {"defined", NULL, NULL, "\"v\" property must be defined", ""},
    {"defined", NULL, "null", "", ""},
    {"defined", NULL, "0", "", ""},
    {"undefined", NULL, NULL, "", ""},
    {"undefined", NULL, "null", "\"v\" property must be undefined", ""},
    {"undefined", NULL, "x", "\"v\" property must be undefined", ""},
    {"pattern", "{match: '^[a-z.]+$'}", "A.example",
     "\"A.example\" must match the pattern \"^[a-z.]+$\"", ""},
    {"pattern", "{match: '^[a-z.]+$'}", "a.example", "", ""},
    {"pattern", "{match: '^[a-z.]+$'}", "5", "", ""},
    {"pattern", "{match: '^[a-z.]+$'}", NULL, "", ""},
    {"pattern", "{match: '^[a-z.]+$'}", "[a]", "", ""},
    {"pattern", "{notMatch: x}", "xyz", "\"xyz\" must not match the pattern \"x\"", ""},
    {"pattern", "{notMatch: x}", "abc", "", ""},
    {"pattern", "{match: '/^abc$/i'}", "ABC", "", ""},
    {"pattern", "{match: '/^abc$/i'}", "ABD", "\"ABD\" must match the pattern \"/^abc$/i\"", ""},
    {"pattern", "{match: '^a', notMatch: b}", "cb",
     "\"cb\" must match the pattern \"^a\" | \"cb\" must not match the pattern \"b\"", ""},
    {"pattern", "{match: '/a/b/'}", "xa/by", "", ""},
    {"pattern", "{match: '/a/b/'}", "ab", "\"ab\" must match the pattern \"/a/b/\"", ""},
    {"pattern", "{match: '\\d+'}", "abc", "\"abc\" must match the pattern \"\\\\d+\"", ""},
    {"pattern", "{match: '\\d+'}", "a1", "", ""},
    {"pattern", "{match: '^abc$'}", "\"abc\\n\"", "\"abc\\n\" must match the pattern \"^abc$\"",
     ""},
    {"pattern", "{match: '^\\u0041$'}", "A", "", ""},
    {"pattern", "{match: '/^a.c$/s'}", "\"a\\nc\"", "", ""},
    {"pattern", "{match: '/^a.c$/'}", "\"a\\nc\"", "\"a\\nc\" must match the pattern \"/^a.c$/\"",
     ""},
    {"pattern", "{match: '/^b/m'}", "\"a\\nb\"", "", ""},
    {"pattern", "{match: '/^b/'}", "\"a\\nb\"", "\"a\\nb\" must match the pattern \"/^b/\"", ""},
    {"pattern", "{match: '/b/y'}", "ab", "\"ab\" must match the pattern \"/b/y\"", ""},
    {"pattern", "{match: '/b/g'}", "ab", "", ""},
    {"pattern", "{match: '^x'}", "'say \"hi\"\\ there'",
     "\"say \\\"hi\\\"\\\\ there\" must match the pattern \"^x\"", ""},
    {"pattern", "{match: '^x'}", "\"tab\\there\\u0001\"",
     "\"tab\\there\\u0001\" must match the pattern \"^x\"", ""},
    {"pattern", "{match: '[^]'}", "a", "", ""},
    {"pattern", "{match: '^[]'}", "a", "\"a\" must match the pattern \"^[]\"", ""},
    {"pattern", "{match: '/ABC/XYZ'}", "/ABC/XYZ", "", ""},
    {"pattern", "{match: '^x'}", "'2001-12-14'", "\"2001-12-14\" must match the pattern \"^x\"",
     ""},
    {"enumeration", "{values: [a, b]}", "c",
     "\"c\" must be equal to one of the allowed values: \"a\", \"b\"", ""},
    {"enumeration", "{values: [a, b]}", "a", "", ""},
    {"enumeration", "{values: [1, 2.5, null, true, x, 1e21, 0.000001, 1e-7, -0.5]}", "3",
     "3 must be equal to one of the allowed values: 1, 2.5, null, true, \"x\", 1e+21, 0.000001, "
     "1e-7, -0.5",
     ""},
    {"enumeration", "{values: [1, 2.5, null, true, x]}", "1.0", "", ""},
    {"enumeration", "{values: [1, 2.5, null, true, x]}", "null", "", ""},
    {"enumeration", "{values: [1, 2.5, null, true, x]}", "false",
     "false must be equal to one of the allowed values: 1, 2.5, null, true, \"x\"", ""},
    {"enumeration", "{values: [a]}", "[a]", "", ""},
    {"enumeration", "{values: [a]}", NULL, "", ""},
    {"enumeration", "{values: []}", "a", "\"a\" must be equal to one of the allowed values: ", ""},
    {"enumeration", "{values: [a]}", ".nan", "", ""},
    {"enumeration", "{values: [.inf]}", "null", "", ""},
    {"enumeration", "{values: ['a\"b']}", "'c\\d'",
     "\"c\\\\d\" must be equal to one of the allowed values: \"a\\\"b\"", ""},
    {"length", "{min: 2}", "a", "\"v\" property must be longer than 2", ""},
    {"length", "{min: 2}", "ab", "", ""},
    {"length", "{max: 1}", "[1, 2]", "\"v\" property must be shorter than 1", ""},
    {"length", "{min: 3}", "{a: 1}", "\"v\" property must be longer than 3", ""},
    {"length", "{max: 3}", "5", "\"v\" property must be shorter than 3", ""},
    {"length", "{min: 1.5, max: 0.5}", "1",
     "\"v\" property must be longer than 1.5 | \"v\" property must be shorter than 0.5", ""},
    {"length", "{max: 1}", "true", "", ""},
    {"length", "{max: 4}", "héllo", "\"v\" property must be shorter than 4", ""},
    {"length", "{min: 2}", "😀", "", ""},
    {"length", "{max: 4}", "'    '", "", ""},
    {"length", "{max: 1}", NULL, "", ""},
    {"length", "{min: 1}", "null", "", ""},
    {"length", "{max: 1}", "{a: 1, b: 2}", "\"v\" property must be shorter than 1", ""},
    {"length", "{max: 1e21}", "1e22", "\"v\" property must be shorter than 1e+21", ""},
    {"alphabetical", NULL, "[b, a]", "\"b\" must be placed after \"a\"", "0"},
    {"alphabetical", NULL, "[a, b]", "", ""},
    {"alphabetical", NULL, "{b: 1, a: 2}", "\"b\" must be placed after \"a\"", "b"},
    {"alphabetical", NULL, "{a: 1, b: 2}", "", ""},
    {"alphabetical", NULL, "[1, 10, 2]", "10 must be placed after 2", "1"},
    {"alphabetical", NULL, "[2, 1.5]", "", ""},
    {"alphabetical", NULL, "[3, 1.5]", "3 must be placed after 1.5", "0"},
    {"alphabetical", NULL, "[a, B, b]", "\"B\" must be placed after \"b\"", "1"},
    {"alphabetical", NULL, "[A, a]", "\"A\" must be placed after \"a\"", "0"},
    {"alphabetical", NULL, "[a, A]", "", ""},
    {"alphabetical", NULL, "[a-b, ab]", "", ""},
    {"alphabetical", NULL, "[ab, a-b]", "\"ab\" must be placed after \"a-b\"", "0"},
    {"alphabetical", NULL, "[x, 1]", "", ""},
    {"alphabetical", NULL, "[1, x]", "", ""},
    {"alphabetical", NULL, "['10', '9']", "", ""},
    {"alphabetical", NULL, "['9', '10']", "\"9\" must be placed after \"10\"", "0"},
    {"alphabetical", NULL, "[x, '1']", "", ""},
    {"alphabetical", NULL, "['1', a]", "", ""},
    {"alphabetical", NULL, "[a, null]",
     "\"v\" property must be one of the allowed types: number, string", ""},
    {"alphabetical", NULL, "[a]", "", ""},
    {"alphabetical", NULL, "[]", "", ""},
    {"alphabetical", NULL, "abc", "", ""},
    {"alphabetical", NULL,
     "[_a, -a, ',a', ';a', ':a', '!a', '?a', '.a', \"'a\", '\"a', '(a', ')a', '[a', ']a', '{a', "
     "'}a', '@a', '*a', '/a', '\\a', '&a', '#a', '%a', '`a', '^a', '+a', '<a', '=a', '>a', '|a', "
     "'~a', '$a', 0a, 9a, a]",
     "", ""},
    {"alphabetical", NULL, "[a, ' a']", "\"a\" must be placed after \" a\"", "0"},
    {"alphabetical", NULL, "[' a', a]", "", ""},
    {"alphabetical", NULL, "[ab, a]", "\"ab\" must be placed after \"a\"", "0"},
    {"alphabetical", NULL, "['a b', 'a-b']", "", ""},
    {"alphabetical", NULL, "[Ab, aa]", "\"Ab\" must be placed after \"aa\"", "0"},
    {"alphabetical", NULL, "[aB, Ab]", "", ""},
    {"alphabetical", NULL, "{b: 1, '10': 2, '2': 3}", "", ""},
    {"alphabetical", NULL, "{'0x10': 1, '15': 2}", "", ""},
    {"alphabetical", NULL, "[' 5 ', '4']", "", ""},
    {"alphabetical", NULL, "['', '-1']", "", ""},
    {"alphabetical", NULL, "[Infinity, '5']", "\"Infinity\" must be placed after \"5\"", "0"},
    {"alphabetical", "{keyedBy: name}", "[{name: b}, {name: a}]",
     "properties must follow the alphabetical order", ""},
    {"alphabetical", "{keyedBy: name}", "[{name: a}, {name: b}]", "", ""},
    {"alphabetical", "{keyedBy: name}", "[a, b]", "\"v\" property must be an object", ""},
    {"alphabetical", "{keyedBy: name}", "[{name: a}, {x: 1}]",
     "\"v\" property must be one of the allowed types: number, string", ""},
    {"alphabetical", "{keyedBy: name}", "{b: 1, a: 2}", "\"v\" property must be an object", ""},
    {"alphabetical", "{keyedBy: name}", "[{name: a}]", "", ""},
    {"alphabetical", "{keyedBy: length}", "[[1, 2], [1]]",
     "properties must follow the alphabetical order", ""},
    {"alphabetical", "{keyedBy: '0'}", "[[b], [a]]",
     "properties must follow the alphabetical order", ""},
    {"alphabetical", "{keyedBy: name}", "[{name: 2}, {name: 1}]",
     "properties must follow the alphabetical order", ""},
    {"casing", "{type: camel}", "fooBar", "", ""},
    {"casing", "{type: camel}", "FooBar", "must be camel case", ""},
    {"casing", "{type: camel}", "''", "", ""},
    {"casing", "{type: camel}", "5", "", ""},
    {"casing", "{type: camel}", "foo1Bar2", "", ""},
    {"casing", "{type: camel}", "fooBAR", "must be camel case", ""},
    {"casing", "{type: pascal, disallowDigits: true}", "Foo1", "must be pascal case", ""},
    {"casing", "{type: pascal}", "Foo1", "", ""},
    {"casing", "{type: kebab}", "foo-bar", "", ""},
    {"casing", "{type: kebab}", "foo_bar", "must be kebab case", ""},
    {"casing", "{type: cobol}", "FOO-BAR", "", ""},
    {"casing", "{type: cobol}", "Foo-Bar", "must be cobol case", ""},
    {"casing", "{type: snake}", "foo_bar", "", ""},
    {"casing", "{type: snake}", "foo__bar", "must be snake case", ""},
    {"casing", "{type: macro}", "FOO_BAR", "", ""},
    {"casing", "{type: macro}", "FOO-BAR", "must be macro case", ""},
    {"casing", "{type: flat}", "foo1", "", ""},
    {"casing", "{type: flat}", "1foo", "must be flat case", ""},
    {"casing", "{type: flat}", "\"foo\\n\"", "must be flat case", ""},
    {"casing", "{type: camel, separator: {char: /, allowLeading: true}}", "/fooBar/baz", "", ""},
    {"casing", "{type: camel, separator: {char: /, allowLeading: true}}", "/", "", ""},
    {"casing", "{type: camel, separator: {char: /, allowLeading: true}}", "//a",
     "must be camel case", ""},
    {"casing", "{type: camel, separator: {char: /}}", "/a", "must be camel case", ""},
    {"casing", "{type: camel, separator: {char: /}}", "/", "must be camel case", ""},
    {"casing", "{type: macro, separator: {char: .}}", "A.B", "", ""},
    {"casing", "{type: macro, separator: {char: .}}", ".A", "must be macro case", ""},
    {"casing", "{type: flat, separator: {char: ']'}}", "'a]b'", "", ""},
    {"casing", "{type: flat, separator: {char: '\\'}}", "'a\\b'", "", ""},
    {"casing", "{type: flat, separator: {char: ''}}", "ab", "", ""},
    {"casing", "{type: flat, separator: {char: ''}}", "a", "", ""},
    {"xor", "{properties: [a, b]}", "{a: 1}", "", ""},
    {"xor", "{properties: [a, b]}", "{}", "At least one of \"a\" or \"b\" must be defined", ""},
    {"xor", "{properties: [a, b]}", "{a: 1, b: 2}", "Just one of \"a\" and \"b\" must be defined",
     ""},
    {"xor", "{properties: [a, b, c, d, e]}", "{x: 1}",
     "At least one of \"a\" or \"b\" or \"c\" or 2 other properties must be defined", ""},
    {"xor", "{properties: [a, b, c, d]}", "{x: 1}",
     "At least one of \"a\" or \"b\" or \"c\" or \"d\" must be defined", ""},
    {"xor", "{properties: [a, b]}", "str", "", ""},
    {"xor", "{properties: [a, b]}", NULL, "", ""},
    {"xor", "{properties: [a, b]}", "{b: 1, a: 1}", "Just one of \"b\" and \"a\" must be defined",
     ""},
    {"xor", "{properties: [a, b, c]}", "{c: 1, a: null, b: 3}",
     "Just one of \"c\" and \"a\" and \"b\" must be defined", ""},
    {"xor", "{properties: [a, b]}", "[a, b]", "", ""},
    {"or", "{properties: [a, b]}", "{}", "At least one of \"a\" or \"b\" must be defined", ""},
    {"or", "{properties: [a, b]}", "{a: 1, b: 1}", "", ""},
    {"or", "{properties: [a, b, c, d, e, f]}", "{z: 1}",
     "At least one of \"a\" or \"b\" or \"c\" or 3 other properties must be defined", ""},
    {"or", "{properties: [a, b]}", "{b: null}", "", ""},
    {"typedEnum", NULL, "{type: string, enum: [a, 1]}", "Enum value 1 must be \"string\".",
     "enum/1"},
    {"typedEnum", NULL, "{type: integer, enum: [1, 1.5, 2.0]}",
     "Enum value 1.5 must be \"integer\".", "enum/1"},
    {"typedEnum", NULL, "{type: [string, 'null'], enum: [a, null, 2]}",
     "Enum value 2 must be \"string,null\".", "enum/2"},
    {"typedEnum", NULL, "{type: number, enum: [1, 1.5]}", "", ""},
    {"typedEnum", NULL, "{enum: [1]}", "", ""},
    {"typedEnum", NULL, "{type: string, enum: a}", "", ""},
    {"typedEnum", NULL, "{type: boolean, enum: [{a: 1}, [1], true, '\"q\"']}",
     "Enum value Object{} must be \"boolean\". | Enum value Array[] must be \"boolean\". | Enum "
     "value \"\\\"q\\\"\" must be \"boolean\".",
     "enum/0 | enum/1 | enum/3"},
    {"typedEnum", NULL, "{type: [string, 1], enum: [1]}", "", ""},
    {"typedEnum", NULL, "{type: [integer, string], enum: [1, 1.5, x]}",
     "Enum value 1.5 must be \"integer,string\".", "enum/1"},
    {"typedEnum", NULL, "{type: string, enum: [], nullable: true}", "", ""},
    {"typedEnum", NULL, "{type: string, enum: [null], nullable: true}",
     "Enum value null must be \"string\".", "enum/0"},
    {"alphabetical", "{keyedBy: name}", "[{x: 1}, a]", "\"v\" property must be an object", ""},
    {"alphabetical", NULL, "{b: 1, a: 2, b: 3}", "", ""},
    {"xor", "{properties: [a, b]}", "{b: 1, a: 2, b: 3}",
     "Just one of \"a\" and \"b\" must be defined", ""},
    {"length", "{max: 2}", "{b: 1, a: 2, b: 3}", "", ""},
    {"xor", "{properties: ['1', '2', b]}", "{b: 1, '2': 1, '1': 1}",
     "Just one of \"b\" and \"2\" and \"1\" must be defined", ""},
    {"alphabetical", NULL, "{b: 1, '2': 1, '1': 1}", "\"2\" must be placed after \"1\"", "2"},
    {"alphabetical", NULL, "[é, f]", "", ""},
    {"length", "{max: 0}", "{? [a] : b}", "", ""},
};

static void test_cases(void)
{
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct lint_case *c = &cases[i];
        struct results res;
        char why[512], label[600];
        const char *where;
        snprintf(label, sizeof(label), "%s %s on %s", c->fn, c->options ? c->options : "",
                 c->value ? c->value : "(absent)");
        if (lint(c->fn, c->options, c->value, "v", &res, why, sizeof(why), &where) < 0) {
            ok(0, "%s: %s", label, why);
            continue;
        }
        is_str(res.messages, c->messages, label);
        is_str(res.rels, c->rels, label);
    }
}

/* schema: options (JSON, which YAML reads too) and value; expected messages and paths. */
struct schema_case {
    const char *options, *value;
    const char *messages, *rels;
};

static const struct schema_case schema_cases[] = {
    {"{\"schema\": {\"type\": \"integer\"}}", "5", "", ""},
    {"{\"schema\": {\"type\": \"integer\"}}", "5.5", "\"v\" property type must be integer", ""},
    {"{\"schema\": {\"type\": \"integer\"}}", "\"5\"", "\"v\" property type must be integer", ""},
    {"{\"schema\": {\"type\": [\"string\", \"null\"]}}", "null", "", ""},
    {"{\"schema\": {\"type\": [\"string\", \"null\"]}}", "true",
     "\"v\" property type must be string,null", ""},
    {"{\"schema\": {\"type\": \"string\", \"nullable\": true}}", "null", "", ""},
    {"{\"schema\": {\"type\": \"object\"}}", "[1]", "\"v\" property type must be object", ""},
    {"{\"schema\": {\"type\": \"array\"}}", "{\"a\": 1}", "\"v\" property type must be array", ""},
    {"{\"schema\": {\"enum\": [\"http\", \"https\"]}}", "\"https\"", "", ""},
    {"{\"schema\": {\"enum\": [\"http\", \"https\"]}}", "\"htps\"",
     "\"v\" property must be equal to one of the allowed values: \"http\", \"https\". Did you mean "
     "\"https\"?",
     ""},
    {"{\"schema\": {\"enum\": [\"http\", 1, null, {\"a\": [1]}]}}", "2",
     "\"v\" property must be equal to one of the allowed values: \"http\", 1, null, {\"a\":[1]}",
     ""},
    {"{\"schema\": {\"const\": {\"a\": [1, 2]}}}", "{\"a\": [1, 2]}", "", ""},
    {"{\"schema\": {\"const\": 1}}", "1.5", "\"v\" property must be equal to constant", ""},
    {"{\"schema\": {\"required\": [\"a\", \"b\"]}}", "{\"a\": 1}",
     "\"v\" property must have required property \"b\"", ""},
    {"{\"schema\": {\"required\": [\"a\", \"b\"]}, \"allErrors\": true}", "{}",
     "\"v\" property must have required property \"a\" | \"v\" property must have required "
     "property \"b\"",
     ""},
    {"{\"schema\": {\"properties\": {\"port\": {\"type\": \"integer\"}}}}", "{\"port\": 80}", "",
     ""},
    {"{\"schema\": {\"properties\": {\"port\": {\"type\": \"integer\"}}}}", "{\"port\": \"80\"}",
     "\"port\" property type must be integer", "port"},
    {"{\"schema\": {\"additionalProperties\": false, \"properties\": {\"a\": {}}}}", "{\"a\": 1}",
     "", ""},
    {"{\"schema\": {\"additionalProperties\": false, \"properties\": {\"a\": {}}}}",
     "{\"a\": 1, \"b\": 2, \"c\": 3}", "Property \"b\" is not expected to be here", ""},
    {"{\"schema\": {\"additionalProperties\": false, \"properties\": {\"a\": {}}}, \"allErrors\": "
     "true}",
     "{\"a\": 1, \"b\": 2, \"c\": 3}",
     "Property \"b\" is not expected to be here | Property \"c\" is not expected to be here", ""},
    {"{\"schema\": {\"additionalProperties\": {\"type\": \"string\"}}}", "{\"x\": \"1\", \"y\": 2}",
     "\"y\" property type must be string", "y"},
    {"{\"schema\": {\"patternProperties\": {\"^x-\": {\"type\": \"string\"}}, "
     "\"additionalProperties\": false}}",
     "{\"x-a\": \"1\"}", "", ""},
    {"{\"schema\": {\"patternProperties\": {\"^x-\": {\"type\": \"string\"}}}}", "{\"x-a\": 1}",
     "\"x-a\" property type must be string", "x-a"},
    {"{\"schema\": {\"propertyNames\": {\"pattern\": \"^[a-z]+$\"}}}", "{\"ok\": 1, \"NotOk\": 2}",
     "\"v\" property must match pattern \"^[a-z]+$\" | \"v\" property property name must be valid",
     ""},
    {"{\"schema\": {\"minProperties\": 2}}", "{\"a\": 1}",
     "\"v\" property must not have fewer than 2 properties", ""},
    {"{\"schema\": {\"maxProperties\": 1}}", "{\"a\": 1, \"b\": 2}",
     "\"v\" property must not have more than 1 properties", ""},
    {"{\"schema\": {\"dependencies\": {\"a\": [\"b\"]}}}", "{\"a\": 1}",
     "\"v\" property must have property b when property a is present", ""},
    {"{\"schema\": {\"dependencies\": {\"a\": [\"b\"]}}}", "{\"b\": 1}", "", ""},
    {"{\"schema\": {\"dependencies\": {\"a\": {\"required\": [\"c\"]}}}}", "{\"a\": 1}",
     "\"v\" property must have required property \"c\"", ""},
    {"{\"schema\": {\"dependentRequired\": {\"a\": [\"b\", \"c\"]}}, \"dialect\": "
     "\"draft2019-09\"}",
     "{\"a\": 1}", "\"v\" property must have properties b, c when property a is present", ""},
    {"{\"schema\": {\"dependentRequired\": {\"a\": [\"b\", \"c\"]}}}", "{\"a\": 1}", "", ""},
    {"{\"schema\": {\"items\": {\"type\": \"string\"}}}", "[\"a\", \"b\"]", "", ""},
    {"{\"schema\": {\"items\": {\"type\": \"string\"}}}", "[\"a\", 2, 3]",
     "Item at index 1 must be string", "1"},
    {"{\"schema\": {\"items\": {\"type\": \"string\"}}, \"allErrors\": true}", "[\"a\", 2, 3]",
     "Item at index 1 must be string | Item at index 2 must be string", "1 | 2"},
    {"{\"schema\": {\"items\": [{\"type\": \"string\"}], \"additionalItems\": false}}",
     "[\"a\", \"b\"]", "\"v\" property must not have more than 1 items", ""},
    {"{\"schema\": {\"items\": [{\"type\": \"string\"}], \"additionalItems\": {\"type\": "
     "\"integer\"}}}",
     "[\"a\", 1, \"x\"]", "Item at index 2 must be integer", "2"},
    {"{\"schema\": {\"prefixItems\": [{\"type\": \"string\"}], \"items\": false}, \"dialect\": "
     "\"draft2020-12\"}",
     "[\"a\", \"b\"]", "\"v\" property must not have more than 1 items", ""},
    {"{\"schema\": {\"prefixItems\": [{\"type\": \"string\"}]}}", "[1]", "", ""},
    {"{\"schema\": {\"contains\": {\"type\": \"integer\"}}}", "[\"a\", 1]", "", ""},
    {"{\"schema\": {\"contains\": {\"type\": \"integer\"}}}", "[\"a\", \"b\"]",
     "\"v\" property must contain at least 1 valid item(s)", ""},
    {"{\"schema\": {\"contains\": {\"type\": \"integer\"}, \"maxContains\": 1}, \"dialect\": "
     "\"draft2019-09\"}",
     "[1, 2]", "\"v\" property must contain at least 1 and no more than 1 valid item(s)", ""},
    {"{\"schema\": {\"contains\": {\"type\": \"integer\"}, \"minContains\": 2}, \"dialect\": "
     "\"draft2020-12\"}",
     "[1, \"a\"]", "\"v\" property must contain at least 2 valid item(s)", ""},
    {"{\"schema\": {\"minItems\": 2, \"maxItems\": 3}}", "[1]",
     "\"v\" property must not have fewer than 2 items", ""},
    {"{\"schema\": {\"maxItems\": 1}}", "[1, 2]", "\"v\" property must not have more than 1 items",
     ""},
    {"{\"schema\": {\"uniqueItems\": true}}", "[1, 2, 1]",
     "\"v\" property must not have duplicate items (items ## 0 and 2 are identical)", ""},
    {"{\"schema\": {\"uniqueItems\": true, \"items\": {\"type\": \"string\"}}}",
     "[\"a\", \"b\", \"a\", \"b\"]",
     "\"v\" property must not have duplicate items (items ## 3 and 1 are identical)", ""},
    {"{\"schema\": {\"uniqueItems\": true}}", "[{\"a\": 1}, {\"a\": 2}]", "", ""},
    {"{\"schema\": {\"minLength\": 2}}", "\"a\"",
     "\"v\" property must not have fewer than 2 characters", ""},
    {"{\"schema\": {\"maxLength\": 2}}", "\"ab😀\"",
     "\"v\" property must not have more than 2 characters", ""},
    {"{\"schema\": {\"maxLength\": 3}}", "\"ab😀\"", "", ""},
    {"{\"schema\": {\"pattern\": \"^[a-z]+$\"}}", "\"abc\"", "", ""},
    {"{\"schema\": {\"pattern\": \"^[a-z]+$\"}}", "\"aBc\"",
     "\"v\" property must match pattern \"^[a-z]+$\"", ""},
    {"{\"schema\": {\"pattern\": \"'NOT'\"}}", "\"x\"",
     "\"v\" property must match pattern \"\"not\"\"", ""},
    {"{\"schema\": {\"format\": \"email\"}}", "\"a@example.com\"", "", ""},
    {"{\"schema\": {\"format\": \"email\"}}", "\"nope\"",
     "\"v\" property must match format \"email\"", ""},
    {"{\"schema\": {\"format\": \"date-time\"}}", "\"2024-02-29T10:00:00Z\"", "", ""},
    {"{\"schema\": {\"format\": \"date-time\"}}", "\"2023-02-29T10:00:00Z\"",
     "\"v\" property must match format \"date-time\"", ""},
    {"{\"schema\": {\"format\": \"date\"}}", "\"2024-13-01\"",
     "\"v\" property must match format \"date\"", ""},
    {"{\"schema\": {\"format\": \"time\"}}", "\"23:59:60\"", "", ""},
    {"{\"schema\": {\"format\": \"uri\"}}", "\"https://example.com/a?b#c\"", "", ""},
    {"{\"schema\": {\"format\": \"uri\"}}", "\"example.com\"",
     "\"v\" property must match format \"uri\"", ""},
    {"{\"schema\": {\"format\": \"hostname\"}}", "\"a-b.example.com\"", "", ""},
    {"{\"schema\": {\"format\": \"hostname\"}}", "\"-a.example.com\"",
     "\"v\" property must match format \"hostname\"", ""},
    {"{\"schema\": {\"format\": \"ipv4\"}}", "\"10.0.0.256\"",
     "\"v\" property must match format \"ipv4\"", ""},
    {"{\"schema\": {\"format\": \"ipv6\"}}", "\"fe80::1\"", "", ""},
    {"{\"schema\": {\"format\": \"uuid\"}}", "\"123e4567-e89b-12d3-a456-426614174000\"", "", ""},
    {"{\"schema\": {\"format\": \"uuid\"}}", "\"123e4567\"",
     "\"v\" property must match format \"uuid\"", ""},
    {"{\"schema\": {\"format\": \"regex\"}}", "\"(a\"",
     "\"v\" property must match format \"regex\"", ""},
    {"{\"schema\": {\"format\": \"int32\"}}", "2147483648",
     "\"v\" property must match format \"int32\"", ""},
    {"{\"schema\": {\"format\": \"no-such-format\"}}", "\"x\"", "", ""},
    {"{\"schema\": {\"minimum\": 1, \"maximum\": 10}}", "11", "\"v\" property must be <= 10", ""},
    {"{\"schema\": {\"minimum\": 1, \"maximum\": 10}}", "0", "\"v\" property must be >= 1", ""},
    {"{\"schema\": {\"exclusiveMinimum\": 1}}", "1", "\"v\" property must be > 1", ""},
    {"{\"schema\": {\"exclusiveMaximum\": 10}}", "10", "\"v\" property must be < 10", ""},
    {"{\"schema\": {\"maximum\": 10, \"exclusiveMaximum\": true}, \"dialect\": \"draft4\"}", "10",
     "\"v\" property must be < 10", ""},
    {"{\"schema\": {\"multipleOf\": 0.5}}", "2.5", "", ""},
    {"{\"schema\": {\"multipleOf\": 0.5}}", "2.25", "\"v\" property must be multiple of 0.5", ""},
    {"{\"schema\": {\"maximum\": 1e+21}}", "2e+21", "\"v\" property must be <= 1e+21", ""},
    {"{\"schema\": {\"allOf\": [{\"type\": \"string\"}, {\"minLength\": 3}]}}", "\"ab\"",
     "\"v\" property must not have fewer than 3 characters", ""},
    {"{\"schema\": {\"anyOf\": [{\"type\": \"string\"}, {\"type\": \"integer\"}]}}", "1", "", ""},
    {"{\"schema\": {\"anyOf\": [{\"type\": \"string\"}, {\"type\": \"integer\"}]}}", "1.5",
     "\"v\" property type must be string | \"v\" property type must be integer | \"v\" property "
     "must match a schema in anyOf. None of the schemas matched, see the other errors reported for "
     "this value",
     ""},
    {"{\"schema\": {\"anyOf\": [{\"properties\": {\"a\": {\"type\": \"string\"}}}, {\"required\": "
     "[\"b\"]}]}}",
     "{\"a\": 1}",
     "\"a\" property type must be string | \"v\" property must have required property \"b\" | "
     "\"v\" property must match a schema in anyOf. None of the schemas matched, see the other "
     "errors reported for this value",
     "a"},
    {"{\"schema\": {\"oneOf\": [{\"type\": \"number\"}, {\"type\": \"integer\"}]}}", "1",
     "\"v\" property must match exactly one schema in oneOf", ""},
    {"{\"schema\": {\"oneOf\": [{\"type\": \"string\"}, {\"type\": \"boolean\"}]}}", "1",
     "\"v\" property type must be string | \"v\" property type must be boolean | \"v\" property "
     "must match exactly one schema in oneOf. None of the schemas matched, see the other errors "
     "reported for this value",
     ""},
    {"{\"schema\": {\"not\": {\"type\": \"string\"}}}", "\"x\"", "\"v\" property must not be valid",
     ""},
    {"{\"schema\": {\"not\": {\"type\": \"string\"}}}", "1", "", ""},
    {"{\"schema\": {\"if\": {\"properties\": {\"kind\": {\"const\": \"a\"}}}, \"then\": "
     "{\"required\": [\"x\"]}, \"else\": {\"required\": [\"y\"]}}}",
     "{\"kind\": \"a\"}", "\"v\" property must have required property \"x\"", ""},
    {"{\"schema\": {\"if\": {\"properties\": {\"kind\": {\"const\": \"a\"}}}, \"then\": "
     "{\"required\": [\"x\"]}, \"else\": {\"required\": [\"y\"]}}, \"allErrors\": true}",
     "{\"kind\": \"b\"}",
     "\"v\" property must have required property \"y\" | \"v\" property must match \"else\" schema",
     ""},
    {"{\"schema\": {\"properties\": {\"p\": {\"$ref\": \"#/definitions/port\"}}, \"definitions\": "
     "{\"port\": {\"type\": \"integer\"}}}}",
     "{\"p\": \"x\"}", "\"p\" property type must be integer", "p"},
    {"{\"schema\": {\"properties\": {\"p\": {\"$ref\": \"#/$defs/port\"}}, \"$defs\": {\"port\": "
     "{\"maximum\": 9}}}}",
     "{\"p\": 10}", "\"p\" property must be <= 9", "p"},
    {"{\"schema\": {\"properties\": {\"child\": {\"$ref\": \"#\"}}, \"required\": [\"name\"]}}",
     "{\"name\": \"a\", \"child\": {\"child\": {}}}",
     "\"child\" property must have required property \"name\"", "child"},
    {"{\"schema\": {\"$ref\": \"#\"}}", "1", "Maximum call stack size exceeded", ""},
    {"{\"schema\": {\"properties\": {\"p\": {\"$ref\": \"#/definitions/none\"}}}}", "{\"p\": 1}",
     "", ""},
    {"{\"schema\": {\"properties\": {\"a/b\": {\"type\": \"string\"}, \"c.d\": {\"type\": "
     "\"string\"}}}, \"allErrors\": true}",
     "{\"a/b\": 1, \"c.d\": 2}",
     "\"a~1b\" property type must be string | \"c.d\" property type must be string",
     /* the function's path says a~1b; Spectral's linter decodes it */
     "a/b | c.d"},
    {"{\"schema\": {\"items\": {\"enum\": [\"a\", \"b\"]}}, \"allErrors\": true}",
     "[\"a\", \"c\", \"d\"]",
     "Item at index 2 must be equal to one of the allowed values: \"a\", \"b\"", "2"},
    {"{\"schema\": {\"properties\": {\"a\": {\"enum\": [\"x\"]}, \"b\": {\"type\": \"string\"}}}, "
     "\"allErrors\": true}",
     "{\"a\": 1, \"b\": 2}", "\"b\" property type must be string", "b"},
    {"{\"schema\": {\"properties\": {\"a\": {\"anyOf\": [{\"enum\": [\"xa\"]}, {\"enum\": "
     "[\"xb\"]}]}}}}",
     "{\"a\": \"xc\"}",
     "\"a\" property must be equal to one of the allowed values | \"a\" property must match a "
     "schema in anyOf. None of the schemas matched, see the other errors reported for this value",
     "a | a"},
    {"{\"schema\": {\"type\": \"string\"}}", NULL, "\"v\" property must exist", ""},
    {"{\"schema\": {\"type\": \"strings\"}}", "\"x\"",
     "schema is invalid: data/type must be equal to one of the allowed values, data/type must be "
     "array, data/type must match a schema in anyOf",
     ""},
    {"{\"schema\": {\"enum\": []}}", "\"x\"",
     "schema is invalid: data/enum must NOT have fewer than 1 items", ""},
    {"{\"schema\": {\"minLength\": -1}}", "\"x\"", "schema is invalid: data/minLength must be >= 0",
     ""},
    {"{\"schema\": {\"id\": \"x\"}}", "\"x\"",
     "NOT SUPPORTED: keyword \"id\", use \"$id\" for schema ID", ""},
    {"{\"schema\": {\"$schema\": \"https://example.com/schema\"}}", "\"x\"",
     "no schema with key or ref \"https://example.com/schema\"", ""},
    {"{\"schema\": {\"x-custom\": {\"type\": \"nope\"}, \"type\": \"string\"}}", "1",
     "\"v\" property type must be string", ""},
    {"{\"schema\": {\"errorMessage\": \"ignored\", \"type\": \"string\"}}", "1",
     "\"v\" property type must be string", ""},
    {"{\"schema\": {\"required\": [\"a\"]}, \"prepareResults\": true}", "{}",
     "_c.call is not a function", ""},
    {"{\"schema\": {\"required\": [\"a\"]}, \"prepareResults\": null}", "{}",
     "\"v\" property must have required property \"a\"", ""},
};

static void test_schema(void)
{
    for (size_t i = 0; i < sizeof(schema_cases) / sizeof(schema_cases[0]); i++) {
        const struct schema_case *c = &schema_cases[i];
        struct results res;
        char why[512], label[700];
        const char *where;
        snprintf(label, sizeof(label), "schema %s on %s", c->options,
                 c->value ? c->value : "(absent)");
        if (lint("schema", c->options, c->value, "v", &res, why, sizeof(why), &where) < 0) {
            ok(0, "%s: %s", label, why);
            continue;
        }
        is_str(res.messages, c->messages, label);
        is_str(res.rels, c->rels, label);
    }
}

/* A YAML value nested `depth` levels: {a: {a: ... 1}}. */
static char *nested(size_t depth)
{
    char *text = malloc(5 * depth + 2);
    if (!text)
        return NULL;
    char *p = text;
    for (size_t i = 0; i < depth; i++)
        memcpy(p, "{a: ", 4), p += 4;
    *p++ = '1';
    memset(p, '}', depth);
    p[depth] = '\0';
    return text;
}

/* Beyond Spectral: gatehop's bounds on one value's validation. */
static void test_schema_bounds(void)
{
    struct results res;
    char why[512];
    const char *where;
    /* ajv recurses without end too: V8's stack overflow is what Spectral reports */
    lint("schema",
         "{schema: {definitions: {a: {anyOf: [{$ref: '#/definitions/a'}, {type: string}]}}, "
         "$ref: '#/definitions/a'}}",
         "1", "v", &res, why, sizeof(why), &where);
    is_str(res.messages, "Maximum call stack size exceeded", "schema: a $ref loop");
    /* as deep as the reader goes, with three subschemas a level: well within the bound */
    char *deep = nested(95);
    lint("schema",
         "{schema: {type: object, additionalProperties: {anyOf: [{type: string}, {$ref: '#'}]}}}",
         deep, "v", &res, why, sizeof(why), &where);
    ok(strstr(res.messages, "\"a\" property type must be object") != NULL,
       "schema: 95 nested values: %s", res.messages);
    free(deep);
    /* anyOf trying both branches at every level, each validating the level below: 2^24 */
    char *wide = nested(24);
    lint("schema",
         "{schema: {anyOf: [{allOf: [{properties: {a: {$ref: '#'}}}, {required: [x]}]}, "
         "{properties: {a: {$ref: '#'}}}]}}",
         wide, "v", &res, why, sizeof(why), &where);
    is_str(res.messages,
           "gatehop stopped validating this value: the schema took more than 5000000 steps",
           "schema: exponential anyOf");
    free(wide);
    /* a chain of $refs compiles one after the other, not nested */
    char *chain = malloc(64 * 200);
    if (chain) {
        char *p = chain + sprintf(chain, "{schema: {$ref: '#/definitions/d0', definitions: {");
        for (int i = 0; i < 150; i++)
            p += sprintf(p, "d%d: {$ref: '#/definitions/d%d'}, ", i, i + 1);
        sprintf(p, "d150: {type: string}}}}");
        int rc = lint("schema", chain, "1", "v", &res, why, sizeof(why), &where);
        ok(rc == 0, "schema: a chain of 150 $refs: %s", rc ? why : "prepared");
        is_str(res.messages, "\"v\" property type must be string", "schema: at its end");
        free(chain);
    }
}

struct option_error {
    const char *fn, *options;
    const char *why;
    const char *where; /* the text of the option at fault; NULL for the options as a whole */
};

static const struct option_error option_errors[] = {
    {"truthy", "{x: 1}", "\"truthy\" function does not accept any options", NULL},
    {"truthy", "{}", "\"truthy\" function does not accept any options", NULL},
    {"falsy", "5", "\"falsy\" function does not accept any options", NULL},
    {"defined", "[1]", "\"defined\" function does not accept any options", NULL},
    {"undefined", "x", "\"undefined\" function does not accept any options", NULL},
    {"typedEnum", "{}", "\"typedEnum\" function does not accept any options", NULL},
    {"pattern", NULL,
     "\"pattern\" function has invalid options specified. Example valid options: { \"match\": "
     "\"^Stoplight\" }, { \"notMatch\": \"Swagger\" }, { \"match\": \"Stoplight\", \"notMatch\": "
     "\"Swagger\" }",
     NULL},
    {"pattern", "{}",
     "\"pattern\" function has invalid options specified. Example valid options: { \"match\": "
     "\"^Stoplight\" }, { \"notMatch\": \"Swagger\" }, { \"match\": \"Stoplight\", \"notMatch\": "
     "\"Swagger\" }",
     NULL},
    {"pattern", "{match: 5, foo: 1}", "\"pattern\" function does not support \"foo\" option", "1"},
    {"pattern", "{match: 5}",
     "\"pattern\" function and its \"match\" option must be string or RegExp instance", "5"},
    {"pattern", "{notMatch: [a]}",
     "\"pattern\" function and its \"notMatch\" option must be string or RegExp instance",
     "(sequence)"},
    {"pattern", "x",
     "\"pattern\" function has invalid options specified. Example valid options: { \"match\": "
     "\"^Stoplight\" }, { \"notMatch\": \"Swagger\" }, { \"match\": \"Stoplight\", \"notMatch\": "
     "\"Swagger\" }",
     NULL},
    {"pattern", "{match: null}",
     "\"pattern\" function and its \"match\" option must be string or RegExp instance", "null"},
    {"enumeration", NULL,
     "\"enumeration\" function has invalid options specified. Example valid options: { \"values\": "
     "[\"Berlin\", \"London\", \"Paris\"] }, { \"values\": [2, 3, 5, 8, 13, 21] }",
     NULL},
    {"enumeration", "{}", "\"enumeration\" function is missing \"values\" option", NULL},
    {"enumeration", "{values: 3, x: 1}", "\"enumeration\" function does not support \"x\" option",
     "1"},
    {"enumeration", "{values: [1, [2]]}",
     "\"enumeration\" and its \"values\" option support only arrays of primitive values, i.e. "
     "[\"Berlin\", \"London\", \"Paris\"]",
     "(sequence)"},
    {"enumeration", "{values: [{a: 1}]}",
     "\"enumeration\" and its \"values\" option support only arrays of primitive values, i.e. "
     "[\"Berlin\", \"London\", \"Paris\"]",
     "(sequence)"},
    {"enumeration", "[a]",
     "\"enumeration\" function has invalid options specified. Example valid options: { \"values\": "
     "[\"Berlin\", \"London\", \"Paris\"] }, { \"values\": [2, 3, 5, 8, 13, 21] }",
     NULL},
    {"length", NULL,
     "\"length\" function has invalid options specified. Example valid options: { \"min\": 2 }, { "
     "\"max\": 5 }, { \"min\": 0, \"max\": 10 }",
     NULL},
    {"length", "{}", "must NOT have fewer than 1 properties", NULL},
    {"length", "{min: x, max: .inf}",
     "\"length\" function and its \"min\" option accepts only the following types: number", "x"},
    {"length", "{min: .nan}",
     "\"length\" function and its \"min\" option accepts only the following types: number", ".nan"},
    {"length", "{max: '3'}",
     "\"length\" function and its \"max\" option accepts only the following types: number", "3"},
    {"length", "{min: 1, mx: 2}", "\"length\" function does not support \"mx\" option", "2"},
    {"alphabetical", "{keyedBy: 1}",
     "\"alphabetical\" function and its \"keyedBy\" option accepts only the following types: "
     "string",
     "1"},
    {"alphabetical", "5",
     "\"alphabetical\" function has invalid options specified. Example valid options: null (no "
     "options), { \"keyedBy\": \"my-key\" }",
     NULL},
    {"alphabetical", "{keyedBy: a, x: 1}",
     "\"alphabetical\" function does not support \"x\" option", "1"},
    {"alphabetical", "[]",
     "\"alphabetical\" function has invalid options specified. Example valid options: null (no "
     "options), { \"keyedBy\": \"my-key\" }",
     NULL},
    {"casing", NULL,
     "\"casing\" function has invalid options specified. Example valid options: { \"type\": "
     "\"camel\" }, { \"type\": \"pascal\", \"disallowDigits\": true }",
     NULL},
    {"casing", "{}", "\"casing\" function is missing \"type\" option", NULL},
    {"casing", "{type: Camel}",
     "\"casing\" function and its \"type\" option accept the following values: flat, camel, "
     "pascal, kebab, cobol, snake, macro",
     "Camel"},
    {"casing", "{type: 5}",
     "\"casing\" function and its \"type\" option accept the following values: flat, camel, "
     "pascal, kebab, cobol, snake, macro",
     "5"},
    {"casing", "{type: camel, disallowDigits: 1, separator: {char: ab, x: 1}}",
     "\"casing\" function and its \"disallowDigits\" option accepts only the following types: "
     "boolean",
     "1"},
    {"casing", "{type: camel, separator: {}}",
     "\"casing\" function is missing \"separator.char\" option", "(mapping)"},
    {"casing", "{type: camel, separator: 5}",
     "\"casing\" function and its \"separator\" option accepts only the following types: object",
     "5"},
    {"casing", "{type: camel, separator: {char: '-', allowLeading: 1}}",
     "\"casing\" function and its \"separator.allowLeading\" option accepts only the following "
     "types: boolean",
     "1"},
    {"casing", "{type: camel, separator: {char: 1}}",
     "\"casing\" function and its \"separator.char\" option accepts only char, i.e. \"I\" or \"/\"",
     "1"},
    {"casing", "{type: camel, separator: {char: ab}}",
     "\"casing\" function and its \"separator.char\" option accepts only char, i.e. \"I\" or \"/\"",
     "ab"},
    {"casing", "{type: camel, separator: {char: '-', x: 1}}",
     "\"casing\" function does not support \"separator.x\" option", "1"},
    {"casing", "{type: camel, foo: 1}", "\"casing\" function does not support \"foo\" option", "1"},
    {"casing", "{disallowDigits: true}", "\"casing\" function is missing \"type\" option", NULL},
    {"xor", NULL,
     "\"xor\" function has invalid options specified. Example valid options: { \"properties\": "
     "[\"country\", \"street\"] }, { \"properties\": [\"one\", \"two\", \"three\"] }, etc.",
     NULL},
    {"xor", "{}", "\"xor\" function is missing \"properties\" option", NULL},
    {"xor", "{properties: [a]}",
     "\"xor\" requires at least two enumerated \"properties\", i.e. [\"country\", \"street\"], "
     "[\"one\", \"two\", \"three\"], etc.",
     "(sequence)"},
    {"xor", "{properties: a}",
     "\"xor\" requires at least two enumerated \"properties\", i.e. [\"country\", \"street\"], "
     "[\"one\", \"two\", \"three\"], etc.",
     "a"},
    {"xor", "{properties: [a, 1]}",
     "\"xor\" requires at least two enumerated \"properties\", i.e. [\"country\", \"street\"], "
     "[\"one\", \"two\", \"three\"], etc.",
     "(sequence)"},
    {"or", "{properties: [a]}",
     "\"or\" requires at least two enumerated \"properties\", i.e. [\"default\", \"example\"], "
     "[\"title\", \"summary\", \"description\"], etc.",
     "(sequence)"},
    {"or", "{props: [a, b]}", "\"or\" function is missing \"properties\" option", NULL},
    {"or", "[]",
     "\"or\" function has invalid options specified. Example valid options: { \"properties\": "
     "[\"default\", \"example\"] }, { \"properties\": [\"title\", \"summary\", \"description\"] }, "
     "etc.",
     NULL},
    {"schema", "{}", "\"schema\" function is missing \"schema\" option", NULL},
    {"schema", "null",
     "\"schema\" function has invalid options specified. Example valid options: { \"schema\": "
     "{ /* any JSON Schema can be defined here */ } , { \"schema\": { \"type\": \"object\" }, "
     "\"dialect\": \"auto\" }",
     NULL},
    {"schema", "[1]",
     "\"schema\" function has invalid options specified. Example valid options: { \"schema\": "
     "{ /* any JSON Schema can be defined here */ } , { \"schema\": { \"type\": \"object\" }, "
     "\"dialect\": \"auto\" }",
     NULL},
    {"schema", "{schema: true}",
     "\"schema\" function and its \"schema\" option accepts only the following types: object",
     "true"},
    {"schema", "{schema: [1]}",
     "\"schema\" function and its \"schema\" option accepts only the following types: object",
     "(sequence)"},
    {"schema", "{schema: {}, foo: 1}", "\"schema\" function does not support \"foo\" option", "1"},
    {"schema", "{schema: {}, dialect: draft5}",
     "\"schema\" function and its \"dialect\" option accepts only the following values: "
     "\"auto\", \"draft4\", \"draft6\", \"draft7\", \"draft2019-09\", \"draft2020-12\"",
     "draft5"},
    {"schema", "{schema: {}, dialect: 7}",
     "\"schema\" function and its \"dialect\" option accepts only the following values: "
     "\"auto\", \"draft4\", \"draft6\", \"draft7\", \"draft2019-09\", \"draft2020-12\"",
     "7"},
    {"schema", "{schema: {}, allErrors: 1}",
     "\"schema\" function and its \"allErrors\" option accepts only the following types: boolean",
     "1"},
    /* Beyond Spectral, which only fails when the rule first runs: */
    {"pattern", "{match: '('}",
     "\"pattern\" function and its \"match\" option: Invalid regular expression: /(/: missing "
     "closing parenthesis at offset 1",
     "("},
    {"pattern", "{match: '^a', notMatch: '/[/i'}",
     "\"pattern\" function and its \"notMatch\" option: Invalid regular expression: /[/: missing "
     "terminating ] for character class at offset 1",
     "/[/i"},
    {"pattern", "{match: '/a/xq'}",
     "\"pattern\" function and its \"match\" option: Invalid flags supplied to RegExp constructor "
     "'xq'",
     "/a/xq"},
    {"pattern", "{match: '/a/ii'}",
     "\"pattern\" function and its \"match\" option: Invalid flags supplied to RegExp constructor "
     "'ii'",
     "/a/ii"},
    {"pattern", "{match: '/a/uv'}",
     "\"pattern\" function and its \"match\" option: Invalid flags supplied to RegExp constructor "
     "'uv'",
     "/a/uv"},
    /* Beyond Spectral: what gatehop's schema function cannot evaluate */
    {"schema", "{schema: {unevaluatedProperties: false}, dialect: draft2020-12}",
     "keyword 'unevaluatedProperties' is not supported by gatehop's schema function", "false"},
    {"schema",
     "{schema: {$schema: 'https://json-schema.org/draft/2019-09/schema', items: "
     "{$recursiveRef: '#'}}}",
     "keyword '$recursiveRef' is not supported by gatehop's schema function", "#"},
    {"schema", "{schema: {format: date, formatMaximum: '2020-01-01'}}",
     "keyword 'formatMaximum' is not supported by gatehop's schema function", "2020-01-01"},
    {"schema", "{schema: {errorMessage: bad}, allErrors: true}",
     "keyword 'errorMessage' (ajv-errors) is not supported by gatehop's schema function", "bad"},
    {"schema", "{schema: {properties: {a: {$ref: 'other.json#/a'}}}}",
     "$ref 'other.json#/a': gatehop resolves only local references (\"#\", \"#/...\")",
     "other.json#/a"},
    {"schema", "{schema: {$ref: '#anchor'}}",
     "$ref '#anchor': gatehop resolves only local references (\"#\", \"#/...\")", "#anchor"},
};

static void test_option_errors(void)
{
    for (size_t i = 0; i < sizeof(option_errors) / sizeof(option_errors[0]); i++) {
        const struct option_error *e = &option_errors[i];
        struct results res;
        char why[512], label[600];
        const char *where;
        snprintf(label, sizeof(label), "%s refuses %s", e->fn, e->options ? e->options : "none");
        int rc = lint(e->fn, e->options, "x", "v", &res, why, sizeof(why), &where);
        is_int(rc, -1, label);
        is_str(rc < 0 ? why : "", e->why, label);
        if (e->where)
            is_str(where, e->where, label);
        else
            ok(!where, "%s: as a whole", label);
    }
}

/* Options Spectral takes, which must prepare. */
static void test_options_accepted(void)
{
    static const char *const accepted[][2] = {
        {"truthy", NULL},
        {"truthy", "null"},
        {"typedEnum", "~"},
        {"alphabetical", NULL},
        {"alphabetical", "{}"},
        {"alphabetical", "null"},
        {"pattern", "{match: ''}"},
        {"pattern", "{match: '/a/dgimsuy'}"},
        {"enumeration", "{values: []}"},
        {"length", "{min: 0}"},
        {"casing",
         "{type: macro, disallowDigits: false, separator: {char: '', allowLeading: false}}"},
        {"xor", "{properties: [a, a]}"},
        {"or", "{properties: [a, b, c]}"},
        {"schema", "{schema: {}}"},
        {"schema", "{schema: {}, dialect: auto, allErrors: false, prepareResults: ~}"},
        {"schema", "{schema: {}, prepareResults: {a: 1}}"},
        {"schema", "{schema: {unevaluatedProperties: false, $dynamicRef: '#x'}}"},
        {"schema", "{schema: {errorMessage: ignored}}"},
        {"schema", "{schema: {type: strings}}"},
        {"schema", "{schema: {$ref: '#/definitions/missing'}}"},
    };
    for (size_t i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++) {
        struct results res;
        char why[512];
        const char *where;
        int rc = lint(accepted[i][0], accepted[i][1], "x", "v", &res, why, sizeof(why), &where);
        ok(rc == 0, "%s takes %s", accepted[i][0], accepted[i][1] ? accepted[i][1] : "no options");
        if (rc)
            printf("#   %s\n", why);
    }
}

static void test_lookup(void)
{
    static const char *const names[] = {
        "truthy", "falsy",       "defined", "undefined", "pattern",   "length", "alphabetical",
        "casing", "enumeration", "xor",     "or",        "typedEnum", "schema"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const struct rs_func *f = rs_func_find(names[i]);
        ok(f && strcmp(rs_func_name(f), names[i]) == 0, "rs_func_find(\"%s\")", names[i]);
    }
    ok(!rs_func_find("Truthy") && !rs_func_find("") && !rs_func_find(NULL), "unknown names");
}

/* Where there is no property name, Spectral says "The document". */
static void test_document(void)
{
    struct results res;
    char why[256];
    const char *where;
    lint("truthy", NULL, "0", NULL, &res, why, sizeof(why), &where);
    is_str(res.messages, "The document must be truthy", "truthy on the document");
    lint("length", "{max: 0}", "[1]", "", &res, why, sizeof(why), &where);
    is_str(res.messages, "The document must be shorter than 0", "length on the document");
    lint("defined", NULL, NULL, "protocols", &res, why, sizeof(why), &where);
    is_str(res.messages, "\"protocols\" property must be defined", "defined names the field");
}

/* Compiled regexes are registered for the caller to free. */
static void test_regexes(void)
{
    struct arena a;
    arena_init(&a, 1024);
    struct jpath_regexes regexes = {0};
    const void *prepared;
    const struct node *at;
    char why[256];
    int rc = rs_func_prepare(rs_func_find("pattern"), parse_value("{match: a, notMatch: b}"), &a,
                             &regexes, &prepared, why, sizeof(why), &at);
    ok(rc == 0 && regexes.count == 2, "pattern registers its two regexes");
    rc = rs_func_prepare(rs_func_find("casing"), parse_value("{type: camel}"), &a, &regexes,
                         &prepared, why, sizeof(why), &at);
    ok(rc == 0 && regexes.count == 3, "casing registers its regex");
    rc = rs_func_prepare(rs_func_find("pattern"), parse_value("{match: '('}"), &a, &regexes,
                         &prepared, why, sizeof(why), &at);
    ok(rc < 0 && regexes.count == 3, "a regex that does not compile is not registered");
    rc = rs_func_prepare(rs_func_find("schema"),
                         parse_value("{schema: {pattern: a, properties: {b: {format: email}, c: "
                                     "{format: email}}}}"),
                         &a, &regexes, &prepared, why, sizeof(why), &at);
    ok(rc == 0 && regexes.count == 5, "schema registers its pattern and a format's regex once");
    jpath_free_regexes(&regexes);
    arena_release(&a);
}

/* Every function on every kind of value, absent included: no crash, whatever it says. */
static void test_any_value(void)
{
    static const char *const fns[][2] = {
        {"truthy", NULL},
        {"falsy", NULL},
        {"defined", NULL},
        {"undefined", NULL},
        {"pattern", "{match: '^a', notMatch: b}"},
        {"enumeration", "{values: [a, 1, null, true]}"},
        {"length", "{min: 1, max: 2}"},
        {"alphabetical", NULL},
        {"alphabetical", "{keyedBy: k}"},
        {"casing", "{type: camel, separator: {char: '-', allowLeading: true}}"},
        {"xor", "{properties: [a, b]}"},
        {"or", "{properties: [a, b]}"},
        {"typedEnum", NULL},
        {"schema", "{schema: {type: [object, array], properties: {a: {type: string}}, required: "
                   "[a], additionalProperties: {not: {}}, propertyNames: {maxLength: 1}, items: "
                   "{enum: [1, ~]}, uniqueItems: true, contains: {const: {}}, anyOf: [{minimum: "
                   "1}, {maxLength: 0}], dependencies: {a: [b]}}, allErrors: true}"},
        {"schema", "{schema: {oneOf: [{$ref: '#/definitions/d'}, {type: string, format: "
                   "date-time}], definitions: {d: {items: {$ref: '#'}, uniqueItems: true, "
                   "patternProperties: {'^': {$ref: '#'}}}}}}"},
    };
    static const char *const values[] = {
        NULL,
        "~",
        "''",
        "x",
        "0",
        "-0.0",
        ".inf",
        "-.inf",
        ".nan",
        "true",
        "2001-12-14",
        "[]",
        "{}",
        "[~, [], {}]",
        "{a: ~}",
        "[{k: []}, {k: {}}]",
        "{enum: ~, type: ~}",
        "{enum: [~], type: []}",
        "{? [a] : b, c: d}",
        "\"\\0\\x01\\uFFFF\"",
        "\"\\xff\\xfe\"",
        "&a [*a]",
    };
    size_t runs = 0, failed = 0;
    for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
        for (size_t j = 0; j < sizeof(values) / sizeof(values[0]); j++) {
            struct results res;
            char why[256];
            const char *where;
            runs++;
            if (lint(fns[i][0], fns[i][1], values[j], "v", &res, why, sizeof(why), &where) < 0)
                failed++;
        }
    ok(runs > 0 && failed == 0, "%zu runs on all kinds of values", runs);
}

int main(void)
{
    test_lookup();
    test_cases();
    test_option_errors();
    test_options_accepted();
    test_schema();
    test_schema_bounds();
    test_document();
    test_regexes();
    test_any_value();
    close_docs();
    return done();
}
