/*
 * Unit tests for src/ruleset/ruleset_path: JSONPath as rulesets write it, selected from a small
 * Kong file, the matches given as their JSON pointers in the order visited (RFC 9535's: `..`
 * applies its selector to a node before the nodes below it); and paths that must
 * not parse, with where the parser stops. (tests/ruleset/ compares whole rulesets with Spectral.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag/diag.h"
#include "reader/reader.h"
#include "ruleset/ruleset_path.h"
#include "tap.h"

static const char doc[] = "_format_version: \"3.0\"\n"
                          "services:\n"
                          "- name: orders\n"
                          "  protocol: https\n"
                          "  port: 443\n"
                          "  enabled: true\n"
                          "  plugins:\n"
                          "  - {name: key-auth, config: {hide_credentials: false}}\n"
                          "  routes:\n"
                          "  - {name: r1, paths: [/a, /b], protocols: [https]}\n"
                          "- name: pay\n"
                          "  protocol: http\n"
                          "  port: 80\n"
                          "  enabled: false\n"
                          "routes:\n"
                          "- {name: r2, paths: ['/x-1'], tags: []}\n"
                          "plugins:\n"
                          "- {name: cors, config: {origins: ['*']}}\n"
                          "- {name: key-auth, enabled: false}\n";

struct collected {
    char text[2048];
};

static void collect(void *ctx, const struct jpath_match *m)
{
    struct collected *c = ctx;
    size_t used = strlen(c->text);
    snprintf(c->text + used, sizeof(c->text) - used, "%s%s", used ? " " : "", path_text(m->where));
}

static const struct node *root_of(struct reader *r, struct diag_sink *sink)
{
    gh_error err = {0};
    struct node *root = NULL;
    if (reader_open_memory(r, doc, strlen(doc), NULL, sink, &err) < 0 ||
        reader_load(r, &root, &err) < 0)
        return NULL;
    return root;
}

static void selects(const struct node *root, const char *path, const char *want)
{
    struct arena a;
    arena_init(&a, 4096);
    struct jpath_regexes re = {0};
    const struct jpath *p;
    struct jpath_error err;
    struct collected got = {""};
    if (jpath_parse(path, &a, &re, &p, &err) == 0) {
        struct path where;
        path_init(&where);
        bool exhausted;
        jpath_eval(p, root, &where, collect, &got, &exhausted);
    } else {
        snprintf(got.text, sizeof(got.text), "parse error: %s", err.message);
    }
    is_str(got.text, want, path);
    jpath_free_regexes(&re);
    arena_release(&a);
}

static void collect_lists(void *ctx, const struct jpath_match *m)
{
    if (m->where->depth == 1 && m->node->kind == NODE_SEQUENCE)
        collect(ctx, m);
}

static int compare_words(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* text's words and more's, sorted, back into text: findings are sorted anyway, and `..` visits
 * the document in another order than entry by entry does. */
static void sorted_words(char *text, const char *more)
{
    char all[4096];
    snprintf(all, sizeof(all), "%s %s", text, more);
    char *words[256];
    size_t n = 0;
    for (char *w = strtok(all, " "); w && n < 256; w = strtok(NULL, " "))
        words[n++] = w;
    qsort(words, n, sizeof(*words), compare_words);
    char out[2048] = "";
    for (size_t i = 0; i < n; i++) {
        size_t used = strlen(out);
        snprintf(out + used, sizeof(out) - used, "%s%s", used ? " " : "", words[i]);
    }
    strcpy(text, out);
}

/* The same matches (in any order) when the document is given entry by entry:
 * every top-level value, and each item of a top-level list alone. */
static void streams_alike(const struct node *root, const char *path)
{
    struct arena a;
    arena_init(&a, 4096);
    struct jpath_regexes re = {0};
    const struct jpath *p;
    struct jpath_error err;
    struct collected whole = {""}, entries = {""};
    if (jpath_parse(path, &a, &re, &p, &err) == 0 && jpath_streamable(p)) {
        struct path where;
        path_init(&where);
        bool exhausted;
        jpath_eval(p, root, &where, collect, &whole, &exhausted);
        bool whole_list = false;
        for (uint32_t i = 0; i < root->count; i++) {
            const struct node *key = root->u.pairs[i].key, *value = root->u.pairs[i].value;
            bool list = value->kind == NODE_SEQUENCE;
            for (uint32_t k = 0; k < (list ? value->count : 1); k++)
                jpath_eval_entry(p, key, list ? value->u.items[k] : value, list, k, &where, collect,
                                 &entries, &exhausted, &whole_list);
        }
        /* what streaming could not see: the top-level lists, from the whole document */
        struct collected lists = {""};
        if (whole_list)
            jpath_eval(p, root, &where, collect_lists, &lists, &exhausted);
        sorted_words(entries.text, lists.text);
        sorted_words(whole.text, "");
    } else {
        snprintf(whole.text, sizeof(whole.text), "not streamable");
    }
    char what[200];
    snprintf(what, sizeof(what), "%s, entry by entry", path);
    is_str(entries.text, whole.text, what);
    jpath_free_regexes(&re);
    arena_release(&a);
}

static void not_streamable(const char *path)
{
    struct arena a;
    arena_init(&a, 4096);
    struct jpath_regexes re = {0};
    const struct jpath *p;
    struct jpath_error err;
    ok(jpath_parse(path, &a, &re, &p, &err) == 0 && !jpath_streamable(p),
       "%s needs the whole document", path);
    jpath_free_regexes(&re);
    arena_release(&a);
}

static void refuses(const char *path, size_t offset, const char *why)
{
    struct arena a;
    arena_init(&a, 4096);
    struct jpath_regexes re = {0};
    const struct jpath *p;
    struct jpath_error err;
    int rc = jpath_parse(path, &a, &re, &p, &err);
    char what[200];
    snprintf(what, sizeof(what), "'%s' is refused at %zu", path, offset);
    ok(rc < 0 && err.offset == offset && strstr(err.message, why), "%s", what);
    if (rc == 0 || err.offset != offset || !strstr(err.message, why))
        printf("#   got rc %d at %zu: %s\n", rc, err.offset, err.message);
    jpath_free_regexes(&re);
    arena_release(&a);
}

int main(void)
{
    struct reader r;
    struct diag_sink sink;
    diag_sink_init(&sink, 10);
    const struct node *root = root_of(&r, &sink);
    ok(root != NULL, "the document loads");
    if (!root)
        return done();
    selects(root, "$", "");
    selects(root, "$.services[*].name", "/services/0/name /services/1/name");
    selects(root, "$['services'][1]['name']", "/services/1/name");
    selects(root, "$.services[-1].port", "/services/1/port");
    selects(root, "$.services[0].routes[0].paths[0:1]", "/services/0/routes/0/paths/0");
    selects(root, "$.services[0].routes[0].paths[::-1]",
            "/services/0/routes/0/paths/1 /services/0/routes/0/paths/0");
    selects(root, "$.services[0,1].port", "/services/0/port /services/1/port");
    selects(root, "$.services[?(@.protocol == 'http')].name", "/services/1/name");
    selects(root, "$.services[?(@.port > 100 && @.enabled)]", "/services/0");
    selects(root, "$.services[?(!@.enabled)]", "/services/1");
    selects(root, "$.services[?(@.port >= 80 || @.name === 'x')].port",
            "/services/0/port /services/1/port");
    selects(root, "$..plugins[?(@.name == 'key-auth')].config", "/services/0/plugins/0/config");
    selects(root, "$..plugins[?(@.name == 'key-auth')]", "/plugins/1 /services/0/plugins/0");
    selects(root, "$.routes[?(@.tags)]", "/routes/0"); /* an empty list is truthy, as in JS */
    selects(root, "$.routes[?(@.name =~ /^R\\d$/i)].name", "/routes/0/name");
    selects(root, "$.services[0][?(@property == 'port')]", "/services/0/port");
    selects(root, "$.services[?(@property == 1)].name", "/services/1/name");
    selects(root, "$.services[?(length(@.name) == 3)].name", "/services/1/name");
    selects(root, "$.services[?(count(@.routes[*]) == 1)].name", "/services/0/name");
    selects(root, "$.routes[?(match(@.name, 'r[0-9]'))].name", "/routes/0/name");
    selects(root, "$.routes[?(search(@.paths[0], 'x-'))].name", "/routes/0/name");
    selects(root, "$.services[?(@.port == '443')]", "/services/0"); /* JavaScript's == */
    selects(root, "$.services[?(@.port === '443')]", "");
    selects(root, "$.services[?(@.missing == null)].name", "/services/0/name /services/1/name");
    selects(root, "$.services[?(@.missing === null)].name", "");
    selects(root, "$.services[?(@.missing === undefined)].name",
            "/services/0/name /services/1/name");
    selects(root, "$.routes[?(@.tags.length == 0)].name", "/routes/0/name");
    selects(root, "$.services[?(@.name.length == 3)].name", "/services/1/name");
    selects(root, "$.services[?(@.name.match(/^o/))].name", "/services/0/name");
    selects(root, "$.services[?(@.name.startsWith('p'))].name", "/services/1/name");
    selects(root, "$.services[?(@.name.endsWith('ers'))].name", "/services/0/name");
    selects(root, "$.services[?(@.name.includes('rd'))].name", "/services/0/name");
    selects(root, "$.services[?(@.routes[0].protocols.includes('https'))].name",
            "/services/0/name");
    selects(root, "$.services[?(@.port.startsWith('4'))]", ""); /* not a string: false */
    selects(root, "$.services[?(@parentProperty == 'services')].name",
            "/services/0/name /services/1/name");
    selects(root, "$.services[?(@.port < '100')].name", "/services/1/name");
    selects(root, "$.nothing[*]", "");
    selects(root, "$.services[9]", "");
    selects(root, "$..name",
            "/services/0/name /services/0/plugins/0/name /services/0/routes/0/name "
            "/services/1/name /routes/0/name /plugins/0/name /plugins/1/name");
    selects(root, "$.plugins[*].config.*", "/plugins/0/config/origins");
    selects(root, "$.services[?($._format_version == '3.0')].name",
            "/services/0/name /services/1/name");
    static const char *const streamable[] = {
        "$.services[*].name",
        "$.services[1]",
        "$.services[0:2].port",
        "$.services[1:]",
        "$.services[::2].name",
        "$.services[0,1].port",
        "$.services[?(@.protocol == 'http')].name",
        "$.services[?(@property == 1)].name",
        "$.services[?(@parentProperty == 'services')].name",
        "$..plugins[?(@.name == 'key-auth')]",
        "$..name",
        "$..[?(@.name == 'r1')]",
        "$.*[*].name",
        "$.services[*]..paths[*]",
        "$.routes[*].tags",
        "$['_format_version', 'routes'][0]",
    };
    for (size_t i = 0; i < sizeof(streamable) / sizeof(streamable[0]); i++)
        streams_alike(root, streamable[i]);
    streams_alike(root, "$.services");
    streams_alike(root, "$..plugins");
    streams_alike(root, "$._format_version");
    streams_alike(root, "$[?(@.length > 1)]");
    streams_alike(root, "$.*");
    not_streamable("$");
    not_streamable("$.services[-1]");
    not_streamable("$.services[-2:].name");
    not_streamable("$.services[::-1].name");
    not_streamable("$.services[?($._format_version == '3.0')].name");
    refuses("services[*]", 0, "starts with '$'");
    refuses("$.services[", 11, "selector expected");
    refuses("$.services[?(@.name == 'x']", 26, "')' expected");
    refuses("$.a[?(@.b =~ /(/)]", 16, "regular expression");
    refuses("$.a[?(@parent.x)]", 6, "not supported");
    refuses("$.a.", 4, "member name expected");
    refuses("$.a[?(@.b == 'x)]", 17, "not closed");
    reader_close(&r);
    diag_sink_release(&sink);
    return done();
}
