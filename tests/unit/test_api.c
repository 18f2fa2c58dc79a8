/*
 * The public API as a library user sees it: only gatehop.h. Lints a file, walks its findings
 * and what was detected, counts severities, writes a report, converts the file to another
 * release, plans an upgrade, and reads the rule catalogue.
 */
#include <stdio.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gatehop.h"
#include "tap.h"

static const char config[] = "_format_version: \"2.1\"\n"
                             "services:\n"
                             "- name: orders\n"
                             "  host: orders.internal\n"
                             "  retries: five\n"
                             "  routes:\n"
                             "  - name: orders-api\n"
                             "    paths: [/orders]\n"
                             "consumers:\n"
                             "- username: alice\n"
                             "  keyauth_credentials:\n"
                             "  - key: s3cret-key-of-alice\n"
                             "  - key: s3cret-key-of-alice\n";

/* A temporary file holding text; the caller frees the returned path. */
static char *write_temp(const char *text)
{
    char *path = strdup("/tmp/gatehop-api-XXXXXX");
    int fd = path ? mkstemp(path) : -1;
    bool written = fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text);
    if (fd >= 0)
        close(fd);
    if (!written) {
        free(path);
        return NULL;
    }
    return path;
}

static void test_lint(gh_engine *engine, const char *path)
{
    gh_lint_options o = {0};
    o.display_name = "kong.yml";
    gh_result *r = NULL;
    gh_error err = {0};
    ok(gh_lint_path(engine, path, &o, &r, &err) == 0, "lints: %s", err.message);
    if (!r)
        return;
    is_int(gh_result_count(r), 2, "two findings: the string retries, the repeated key");
    gh_diagnostic d;
    gh_result_get(r, 0, &d);
    is_str(d.code, "HOP2003", "sorted by line: the type error first");
    is_str(d.file, "kong.yml", "under the display name");
    is_int(d.line, 5, "line");
    is_int(d.column, 12, "column");
    is_str(d.path, "/services/0/retries", "JSON pointer");
    is_str(d.entity, "service 'orders'", "entity");
    gh_result_get(r, 1, &d);
    is_str(d.code, "HOP3002", "the repeated key-auth key");
    is_int(d.severity, GH_WARNING, "a warning on 2.8, which drops repeats silently");
    ok(!strstr(d.message, "s3cret"), "the key is not in the message: %s", d.message);
    is_int(gh_result_severity_count(r, GH_ERROR), 1, "one error");
    bool any;
    is_int(gh_result_worst(r, &any), GH_ERROR, "the worst is an error");
    gh_input_info info;
    gh_result_info(r, &info);
    is_str(info.product, "kong", "detected kong");
    is_str(info.version, "2.8", "\"2.1\" assumes 2.8");
    ok(info.assumed, "and says it assumed");
    FILE *out = tmpfile();
    gh_report_options ro = {false, true};
    ok(gh_report_write(out, GH_FORMAT_JSON, &r, 1, &ro, &err) == 0, "writes a JSON report");
    char buf[8192] = "";
    rewind(out);
    size_t n = fread(buf, 1, sizeof(buf) - 1, out);
    buf[n] = '\0';
    fclose(out);
    ok(strstr(buf, "\"version\": 1") && strstr(buf, "\"HOP2003\""), "a versioned report");
    ok(!strstr(buf, "s3cret"), "with no secret in it");
    gh_result_free(r);
}

/* The SARIF report of one file, parsed; NULL when it could not be made. */
static json_t *sarif_of(gh_engine *engine, const char *text)
{
    char *path = write_temp(text);
    gh_lint_options o = {0};
    o.display_name = "kong.yml";
    gh_result *r = NULL;
    gh_error err = {0};
    json_t *report = NULL;
    if (path && gh_lint_path(engine, path, &o, &r, &err) == 0) {
        FILE *out = tmpfile();
        gh_report_options ro = {false, true};
        if (out && gh_report_write(out, GH_FORMAT_SARIF, &r, 1, &ro, &err) == 0) {
            rewind(out);
            json_error_t e;
            report = json_loadf(out, 0, &e);
        }
        if (out)
            fclose(out);
        gh_result_free(r);
    }
    if (path)
        unlink(path);
    free(path);
    return report;
}

/* Every result's ruleIndex points at its rule, and a fingerprint does not move with lines. */
static void test_sarif(gh_engine *engine)
{
    char shifted[2048];
    snprintf(shifted, sizeof(shifted), "# two lines added\n# above everything\n%s", config);
    json_t *a = sarif_of(engine, config), *b = sarif_of(engine, shifted);
    json_t *run_a = json_array_get(json_object_get(a, "runs"), 0);
    json_t *run_b = json_array_get(json_object_get(b, "runs"), 0);
    json_t *rules =
        json_object_get(json_object_get(json_object_get(run_a, "tool"), "driver"), "rules");
    json_t *results_a = json_object_get(run_a, "results"),
           *results_b = json_object_get(run_b, "results");
    ok(json_array_size(results_a) == 2 && json_array_size(results_b) == 2, "two results each");
    is_int(json_array_size(rules), gh_rule_count(), "the driver lists the whole catalogue");
    for (size_t i = 0; i < json_array_size(results_a); i++) {
        json_t *ra = json_array_get(results_a, i), *rb = json_array_get(results_b, i);
        json_t *rule =
            json_array_get(rules, (size_t)json_integer_value(json_object_get(ra, "ruleIndex")));
        is_str(json_string_value(json_object_get(rule, "id")),
               json_string_value(json_object_get(ra, "ruleId")), "ruleIndex names the rule");
        ok(json_object_get(rule, "help") != NULL, "a rule that fired carries its page");
        json_t *fa = json_object_get(json_object_get(ra, "partialFingerprints"), "gatehop/v1");
        json_t *fb = json_object_get(json_object_get(rb, "partialFingerprints"), "gatehop/v1");
        ok(fa && json_equal(fa, fb), "the fingerprint survives lines added above");
        json_t *la = json_object_get(
            json_object_get(json_object_get(json_array_get(json_object_get(ra, "locations"), 0),
                                            "physicalLocation"),
                            "region"),
            "startLine");
        json_t *lb = json_object_get(
            json_object_get(json_object_get(json_array_get(json_object_get(rb, "locations"), 0),
                                            "physicalLocation"),
                            "region"),
            "startLine");
        is_int(json_integer_value(lb) - json_integer_value(la), 2, "while the line moves");
    }
    json_t *f0 = json_object_get(
        json_object_get(json_array_get(results_a, 0), "partialFingerprints"), "gatehop/v1");
    json_t *f1 = json_object_get(
        json_object_get(json_array_get(results_a, 1), "partialFingerprints"), "gatehop/v1");
    ok(f0 && f1 && !json_equal(f0, f1), "two findings have two fingerprints");
    json_decref(a);
    json_decref(b);
}

static void test_errors(gh_engine *engine, const char *path)
{
    gh_lint_options o = {0};
    gh_result *r = NULL;
    gh_error err = {0};
    o.from = "kong@9.9";
    is_int(gh_lint_path(engine, path, &o, &r, &err), GH_EVERSION, "an unknown version");
    ok(strstr(err.message, "known: 2.0, 2.1, 2.2, 2.3, 2.4, 2.5, 2.6, 2.7, 2.8, 3.0, 3.1") != NULL,
       "says which are known");
    gh_error err2 = {0};
    o.from = NULL;
    is_int(gh_lint_path(engine, "/nonexistent/kong.yml", &o, &r, &err2), GH_EIO,
           "a missing file is an I/O error, not a finding");
}

/* Converts to memory; the text, or NULL when nothing was written. */
static char *convert(gh_engine *engine, const char *path, gh_output output, gh_result **r)
{
    gh_convert_options o = {{0}, output};
    o.lint.to = "kong@3.4";
    o.lint.display_name = "kong.yml";
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    gh_error err = {0};
    bool written = false;
    *r = NULL;
    int rc = out ? gh_convert_path(engine, path, &o, out, &written, r, &err) : -1;
    if (out)
        fclose(out);
    if (rc < 0 || !written) {
        free(text);
        return NULL;
    }
    return text;
}

static void test_convert(gh_engine *engine, const char *path)
{
    gh_result *r;
    char *text = convert(engine, path, GH_OUTPUT_PATCH, &r);
    ok(text && strstr(text, "_format_version: \"3.0\"\nservices:\n- name: orders\n"),
       "the format version changes and the rest of the text stays");
    ok(text && strstr(text, "  retries: five\n"), "a value no rule touches is kept as written");
    is_int(r ? (long long)gh_result_change_count(r) : -1, 1, "one change");
    gh_change c = {0};
    if (r && gh_result_change_count(r))
        gh_result_change(r, 0, &c);
    ok(c.code && !strcmp(c.code, "HOP4003") && !strcmp(c.hop, "2.8 -> 3.0") &&
           !strcmp(c.old_value, "'2.1'") && !strcmp(c.new_value, "'3.0'") && c.line == 1,
       "the change: code, hop, old and new value, line");
    ok(r && gh_result_severity_count(r, GH_ERROR) > 0,
       "what convert cannot fix remains as findings (retries, the duplicate key)");
    free(text);
    gh_result_free(r);
    text = convert(engine, path, GH_OUTPUT_JSON, &r);
    ok(text && text[0] == '{' && strstr(text, "\"_format_version\": \"3.0\""),
       "--output-format json re-emits the document as JSON");
    free(text);
    gh_result_free(r);
    char *broken = write_temp("_format_version: \"2.1\"\nservices: [\n");
    r = NULL;
    text = broken ? convert(engine, broken, GH_OUTPUT_PATCH, &r) : NULL;
    ok(broken && !text && r && gh_result_severity_count(r, GH_ERROR) == 1,
       "a file with a syntax error: nothing written, one finding");
    gh_result_free(r);
    if (broken)
        unlink(broken);
    free(broken);
}

/* The plan, written as JSON into memory, or NULL (the caller frees it). */
static char *plan_json(gh_engine *engine, const gh_plan_options *o, gh_error *err)
{
    gh_plan *plan = NULL;
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    int rc = out ? gh_plan_new(engine, o, &plan, err) : -1;
    if (rc == 0)
        rc = gh_plan_write(out, GH_FORMAT_JSON, plan, err);
    if (out)
        fclose(out);
    gh_plan_free(plan);
    if (rc < 0) {
        free(text);
        return NULL;
    }
    return text;
}

static void test_plan(gh_engine *engine)
{
    gh_error err = {0};
    gh_plan_options o = {.from = "apisix@2.15", .to = "3.1", .mode = "dbless"};
    char *json = plan_json(engine, &o, &err);
    ok(json && strstr(json, "\"mode\": \"standalone\"") && strstr(json, "\"mode_assumed\": false"),
       "a mode named by its alias is the mode: %s", err.message);
    ok(json && strstr(json, "\"from\": \"3.0\",\n        \"to\": \"3.1\""),
       "two hops: 2.15 to 3.0, then 3.0 to 3.1");
    ok(json && strstr(json, "etcdctl") == NULL, "standalone steps only: no etcd backup");
    free(json);

    /* Kong: 2.8 and 3.4 are LTS releases, so 2.8 goes straight to 3.4; only Enterprise has
     * the 3.1.1.3 patch release that takes 2.8 directly to 3.1. */
    o = (gh_plan_options){.from = "kong@2.8", .to = "kong@3.6"};
    json = plan_json(engine, &o, &err);
    ok(json && strstr(json, "\"from\": \"2.8\",\n        \"to\": \"3.4\"") &&
           strstr(json, "\"from\": \"3.4\",\n        \"to\": \"3.5\""),
       "kong 2.8 to 3.6: 2.8 -> 3.4 -> 3.5 -> 3.6: %s", err.message);
    free(json);
    o = (gh_plan_options){.from = "kong@2.8", .to = "kong@3.2", .edition = "enterprise"};
    json = plan_json(engine, &o, &err);
    ok(json && strstr(json, "\"to\": \"3.1.1.3\"") && !strstr(json, "\"to\": \"3.0\""),
       "kong enterprise 2.8 to 3.2 goes through 3.1.1.3");
    free(json);
    o = (gh_plan_options){.from = "kong@2.8", .to = "kong@3.2", .edition = "oss"};
    json = plan_json(engine, &o, &err);
    ok(json && strstr(json, "\"to\": \"3.0\"") && !strstr(json, "\"to\": \"3.1.1.3\""),
       "kong open-source 2.8 to 3.2 goes through 3.0 and 3.1");
    free(json);
    /* 3.10 and 3.14, the next LTS releases, exist only as Enterprise releases: the edition
     * follows, and the plan jumps from LTS to LTS. */
    o = (gh_plan_options){.from = "kong@2.8", .to = "kong@3.14"};
    json = plan_json(engine, &o, &err);
    ok(json && strstr(json, "\"edition\": \"enterprise\"") &&
           strstr(json, "\"from\": \"2.8\",\n        \"to\": \"3.4\"") &&
           strstr(json, "\"from\": \"3.4\",\n        \"to\": \"3.10\"") &&
           strstr(json, "\"from\": \"3.10\",\n        \"to\": \"3.14\"") &&
           !strstr(json, "\"to\": \"3.11\""),
       "kong 2.8 to 3.14: enterprise, 2.8 -> 3.4 -> 3.10 -> 3.14: %s", err.message);
    free(json);
    /* Enterprise plugins' rules are listed for the enterprise edition only. */
    o = (gh_plan_options){.from = "kong@3.4", .to = "kong@3.9", .edition = "enterprise"};
    json = plan_json(engine, &o, &err);
    ok(json && strstr(json, "3.8 reads Redis cluster nodes"), "enterprise 3.4 to 3.9: redis nodes");
    free(json);
    o = (gh_plan_options){.from = "kong@3.4", .to = "kong@3.9"};
    json = plan_json(engine, &o, &err);
    ok(json && !strstr(json, "Redis cluster nodes"), "open-source 3.4 to 3.9: no Enterprise rule");
    free(json);
    o = (gh_plan_options){.from = "kong@3.10", .to = "kong@3.12"};
    json = plan_json(engine, &o, &err);
    ok(json && strstr(json, "\"from\": \"3.10\",\n        \"to\": \"3.11\"") &&
           strstr(json, "\"from\": \"3.11\",\n        \"to\": \"3.12\""),
       "kong 3.10 to 3.12: minor by minor");
    free(json);

    gh_error bad = {0};
    o = (gh_plan_options){.from = "apisix@3.1", .to = "apisix@3.0"};
    ok(!plan_json(engine, &o, &bad) && bad.status == GH_EUSAGE, "no plan backwards");
    bad = (gh_error){0};
    bad = (gh_error){0};
    o = (gh_plan_options){.from = "kong@3.9", .to = "kong@3.10", .edition = "oss"};
    ok(!plan_json(engine, &o, &bad) && bad.status == GH_EVERSION &&
           strstr(bad.message, "3.10 was never released as the open-source Kong Gateway"),
       "no open-source 3.10: %s", bad.message);
    bad = (gh_error){0};
    o = (gh_plan_options){.from = "api7@3.1", .to = "api7@3.4"};
    ok(!plan_json(engine, &o, &bad) && bad.status == GH_EVERSION && strstr(bad.message, "3.1"),
       "an unknown release: %s", bad.message);
}

/*
 * A path that is a pipe, as /dev/stdin is under `cat apisix.yaml | gatehop lint /dev/stdin`,
 * can be read only once: it is spooled, so the end marker is still found at its end.
 */
static void test_pipe(gh_engine *engine)
{
    static const char text[] = "routes:\n"
                               "  - id: r1\n"
                               "    uri: /a\n"
                               "    upstream:\n"
                               "      type: roundrobin\n"
                               "      nodes:\n"
                               "        \"a.internal:80\": 1\n"
                               "#END\n";
    int fds[2];
    if (pipe(fds) != 0) {
        ok(false, "a pipe");
        return;
    }
    /* Small enough for the pipe's buffer: written before anyone reads. */
    bool written = write(fds[1], text, sizeof(text) - 1) == (ssize_t)(sizeof(text) - 1);
    close(fds[1]);
    char path[32];
    snprintf(path, sizeof(path), "/dev/fd/%d", fds[0]);
    gh_lint_options o = {.config = "", .from = "apisix@3.0"};
    gh_result *r = NULL;
    gh_error err = {0};
    ok(written && gh_lint_path(engine, path, &o, &r, &err) == 0, "a pipe lints: %s", err.message);
    bool marker_missing = false;
    for (size_t i = 0; r && i < gh_result_count(r); i++) {
        gh_diagnostic d;
        gh_result_get(r, i, &d);
        marker_missing |= !strcmp(d.code, "HOP1016");
    }
    ok(r && !marker_missing, "the end marker is found in a pipe's text");
    gh_input_info info;
    if (r)
        gh_result_info(r, &info);
    ok(r && !strcmp(info.flavor, "apisix"), "read as an APISIX file");
    gh_result_free(r);
    close(fds[0]);
}

static void test_catalogue(void)
{
    ok(gh_rule_count() == 72, "the catalogue: 72 codes");
    const gh_rule *r = gh_rule_find("unknown-field");
    ok(r && !strcmp(r->code, "HOP2001"), "found by name");
    ok(gh_rule_find("hop2001") == r, "and by code, in any case");
    const char *doc = gh_rule_doc("HOP2001");
    ok(doc && !strncmp(doc, "# HOP2001", 9), "its page is built in");
    ok(!gh_rule_find("HOP0000"), "no such rule");
}

int main(void)
{
    gh_error err = {0};
    gh_engine *engine = gh_engine_new(NULL, &err);
    ok(engine != NULL, "the built-in knowledge loads: %s", err.message);
    char *path = write_temp(config);
    if (engine && path) {
        test_lint(engine, path);
        test_errors(engine, path);
        test_convert(engine, path);
        test_plan(engine);
        test_sarif(engine);
        test_pipe(engine);
    }
    test_catalogue();
    if (path)
        unlink(path);
    free(path);
    gh_engine_free(engine);
    return done();
}
