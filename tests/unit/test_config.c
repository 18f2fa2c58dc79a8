/*
 * Unit tests for src/config: the project config loads, applies per file and fails closed at
 * file:line:col; configs are found upwards; baselines load and refuse what they are not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "tap.h"

static char root[64];

/* Writes text to root/name (directories made as needed); returns the path (static). */
static const char *put(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof(path), "%s/%s", root, name);
    for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')) != NULL; p++) {
        *p = '\0';
        mkdir(path, 0700);
        *p = '/';
    }
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
    return path;
}

static const char *at(const char *name)
{
    static char path[256];
    snprintf(path, sizeof(path), "%s/%s", root, name);
    return path;
}

static void test_settings(void)
{
    const char *file =
        put("p/.gatehop.yml", "to: kong@3.4\n"
                              "fail-on: warning\n"
                              "rules: {HOP1003: off, unknown-field: info}\n"
                              "exclude: [vendor, 'gen/*.yaml', ./tmp, /gen2, gen3/]\n"
                              "custom-plugins: my-auth\n"
                              "baseline: base/accepted.json\n"
                              "overrides:\n"
                              "  - files: legacy\n"
                              "    from: kong@2.8\n"
                              "    rules: {HOP1003: on}\n"
                              "  - files: ['legacy/old/**']\n"
                              "    to: kong@3.0\n"
                              "    fail-on: error\n");
    struct config *c = NULL;
    gh_error err = {0};
    ok(config_load(file, &c, &err) == 0, "a full config loads: %s", err.message);
    if (!c)
        return;
    struct config_settings s;
    config_settings_for(c, at("p/kong.yml"), &s);
    is_str(s.to, "kong@3.4", "the top level applies");
    ok(!s.from && s.fail_on == GH_WARNING, "no source, fail-on warning");
    is_int(s.rules[R_HOP1003], RULE_OFF, "a rule turned off");
    is_int(s.rules[R_HOP2001], GH_INFO, "a rule by name, turned down");
    is_int(s.rules[R_HOP2003], RULE_KEEP, "other rules as they are");
    config_settings_for(c, at("p/a/legacy/x.yml"), &s);
    ok(s.from && !strcmp(s.from, "kong@2.8") && !strcmp(s.to, "kong@3.4"),
       "a name glob takes in a directory anywhere on the path");
    is_int(s.rules[R_HOP1003], GH_WARNING, "'on' undoes 'off' with the rule's own severity");
    config_settings_for(c, at("p/legacy/old/y.yml"), &s);
    ok(!strcmp(s.to, "kong@3.0") && s.fail_on == GH_ERROR && !strcmp(s.from, "kong@2.8"),
       "later overrides win, earlier ones still apply");
    config_settings_for(c, at("elsewhere/legacy/z.yml"), &s);
    ok(!s.from, "a file outside the config's directory takes no override");
    ok(config_excludes(c, at("p/x/vendor/lib.yml")), "an excluded directory");
    ok(config_excludes(c, at("p/gen/a.yaml")) && !config_excludes(c, at("p/gen/sub/a.yaml")),
       "a path glob: '*' stays in its segment");
    ok(!config_excludes(c, at("p/kong.yml")), "not excluded");
    ok(config_excludes(c, at("p/tmp/a.yml")) && config_excludes(c, at("p/gen2/b.yml")) &&
           config_excludes(c, at("p/x/gen3/c.yml")),
       "'./tmp', '/gen2' and 'gen3/' are read as 'tmp', 'gen2' and 'gen3'");
    ok(c->ncustom_plugins == 1 && !strcmp(c->custom_plugins[0], "my-auth"), "a string for a list");
    ok(c->baseline && !strcmp(c->baseline, at("p/base/accepted.json")),
       "the baseline is placed from the config's directory");
    config_free(c);
}

/* The config must fail to load at line:column with a message holding `want`. */
static void refused(const char *text, unsigned line, unsigned column, const char *want)
{
    const char *file = put("bad/.gatehop.yml", text);
    struct config *c = NULL;
    gh_error err = {0};
    int rc = config_load(file, &c, &err);
    ok(rc == GH_EUSAGE && !c && err.line == line && err.column == column &&
           strstr(err.message, want) && strstr(err.file, ".gatehop.yml"),
       "refused at %u:%u: %s (got %u:%u: %s)", line, column, want, err.line, err.column,
       err.message);
}

static void test_refusals(void)
{
    refused("to: kong@3.4\ntarget: kong@3.4\n", 2, 1, "unknown setting 'target'");
    refused("rules:\n  HOP2999: off\n", 2, 3, "'HOP2999' is not a gatehop rule");
    refused("rules:\n  HOP2001: loud\n", 2, 12, "expected off, on, error, warning or info");
    refused("rules: [HOP2001]\n", 1, 8, "'rules' takes a mapping");
    refused("fail-on: fatal\n", 1, 10, "'fail-on' takes error, warning or info");
    refused("router-flavor: fancy\n", 1, 16, "'router-flavor' cannot be 'fancy'");
    refused("overrides:\n  - to: kong@3.4\n", 2, 5, "an override needs 'files'");
    refused("overrides:\n  - files: []\n", 2, 12, "'files' names no file");
    refused("overrides:\n  - files: x\n    baseline: b.json\n", 3, 5,
            "unknown setting 'baseline' in an override");
    refused("overrides: {files: x}\n", 1, 12, "'overrides' takes a list");
    refused("- to\n", 1, 1, "a .gatehop.yml is a mapping");
    refused("to: [kong@3.4\n", 2, 1, "not valid YAML");
    refused("to: ''\n", 1, 5, "'to' takes a string");
    refused("exclude: {a: b}\n", 1, 10, "'exclude' takes a string or a list of strings");
    refused("to: kong@3.4\nrules: {}\nto: kong@3.0\n", 3, 1, "'to' is set twice");
    struct config *c = NULL;
    gh_error err = {0};
    ok(config_load(put("empty/.gatehop.yml", ""), &c, &err) == 0 && c && c->noverrides == 0,
       "an empty config sets nothing");
    config_free(c);
    char *big = malloc(2 * 1024 * 1024);
    if (big) {
        memset(big, '#', 2 * 1024 * 1024 - 1);
        big[2 * 1024 * 1024 - 1] = '\0';
        err = (gh_error){0};
        ok(config_load(put("big/.gatehop.yml", big), &c, &err) == GH_EUSAGE &&
               strstr(err.message, "larger than"),
           "a config larger than 1 MiB is refused: %s", err.message);
        free(big);
    }
}

static void test_finding(void)
{
    put("tree/.gatehop.yml", "to: kong@3.4\n");
    put("tree/a/b/.gatehop.yaml", "to: kong@3.0\n");
    put("tree/a/b/c/kong.yml", "_format_version: \"3.0\"\n");
    struct config_cache cache;
    config_cache_init(&cache);
    const struct config *c = NULL;
    gh_error err = {0};
    ok(config_cache_find(&cache, at("tree/a/b/c/kong.yml"), &c, &err) == 0 && c &&
           !strcmp(c->top.settings.to, "kong@3.0"),
       "the nearest config, two directories up (.gatehop.yaml)");
    const struct config *again = NULL;
    ok(config_cache_find(&cache, at("tree/a/b/other.yml"), &again, &err) == 0 && again == c,
       "loaded once for its directory");
    ok(config_cache_find(&cache, at("tree/a/x.yml"), &c, &err) == 0 && c &&
           !strcmp(c->top.settings.to, "kong@3.4"),
       "the next one up, for a file beside");
    ok(config_cache_find(&cache, at("none/x.yml"), &c, &err) == 0 &&
           (!c || strncmp(c->path, root, strlen(root)) != 0),
       "none of ours above a directory without one");
    put("broken/.gatehop.yml", "rules: {HOP2001: loud}\n");
    err = (gh_error){0};
    ok(config_cache_find(&cache, at("broken/x.yml"), &c, &err) == GH_EUSAGE && err.line == 1,
       "a broken config found upwards is an error: %s", err.message);
    const struct baseline *b = NULL;
    put("tree/base.json", "{\"version\": 1, \"findings\": ["
                          "{\"file\": \"k.yml\", \"code\": \"HOP2001\", \"path\": \"/b\"},"
                          "{\"file\": \"a.yml\", \"code\": \"HOP2003\", \"path\": \"/x\"},"
                          "{\"file\": \"k.yml\", \"code\": \"HOP2001\", \"path\": \"/a\"}]}\n");
    err = (gh_error){0};
    ok(config_cache_baseline(&cache, at("tree/base.json"), &b, &err) == 0 && b && b->count == 3,
       "a baseline loads: %s", err.message);
    size_t n = 0;
    const struct baseline_entry *e = b ? baseline_for_file(b, "k.yml", &n) : NULL;
    ok(n == 2 && e && !strcmp(e[0].path, "/a") && !strcmp(e[1].path, "/b"),
       "a file's entries, sorted");
    ok(b && !baseline_for_file(b, "zz.yml", &n) && n == 0, "no entries for another file");
    config_cache_release(&cache);
}

static void baseline_refused(const char *text, const char *want)
{
    struct baseline *b = NULL;
    gh_error err = {0};
    int rc = baseline_load(put("b.json", text), &b, &err);
    ok(rc == GH_EUSAGE && !b && strstr(err.message, want), "baseline refused: %s (got %s)", want,
       err.message);
}

static void test_baseline_refusals(void)
{
    baseline_refused("{\"version\": 1, \"findings\": [\n", "baseline:");
    baseline_refused("{\"version\": 2, \"findings\": []}", "is not a gatehop baseline");
    baseline_refused("[]", "is not a gatehop baseline");
    baseline_refused("{\"version\": 1, \"findings\": [{\"file\": \"a\", \"code\": 1, \"path\": "
                     "\"/\"}]}",
                     "finding 1 is not");
    baseline_refused("{\"version\": 1, \"version\": 1, \"findings\": []}", "baseline:");
}

int main(void)
{
    snprintf(root, sizeof(root), "/tmp/gatehop-config-XXXXXX");
    if (!mkdtemp(root)) {
        perror("mkdtemp");
        return 1;
    }
    test_settings();
    test_refusals();
    test_finding();
    test_baseline_refusals();
    char command[128];
    snprintf(command, sizeof(command), "rm -rf '%s'", root);
    if (system(command) != 0)
        printf("# could not remove %s\n", root);
    return done();
}
