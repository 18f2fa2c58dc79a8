/*
 * Unit tests for src/db: the migrations knowledge as the binary holds it, PostgreSQL array
 * literals as psql writes them, and db_status_check() on states built here (what Kong's
 * state.lua makes of a row: new after the last executed migration, missing before it; the
 * release a database's migrations belong to).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "db/db_json.h"
#include "db/db_migrations.h"
#include "db/db_status.h"
#include "diag/diag.h"
#include "tap.h"

static struct migration_kb kb;

static struct version v(const char *s)
{
    struct version out = {0};
    version_parse(s, strlen(s), &out);
    return out;
}

static void test_knowledge(void)
{
    gh_error err = {0};
    ok(migration_kb_load(&kb, &err) == 0, "the knowledge loads (%s)", err.message);
    ok(kb.count > 10 && !strcmp(kb.subsystems[0].name, "core"), "core first, then plugins");
    char newest[32];
    version_format(&kb.releases[kb.nreleases - 1], newest, sizeof(newest));
    is_str(newest, "3.9.3", "the last release read is 3.9.3");
    const struct migration_subsystem *core = migration_kb_subsystem(&kb, "core");
    is_str(core->items[0].name, "000_base", "core starts with 000_base");
    struct version t = migration_kb_resolve(&kb, &(struct version){{3, 7}, 2});
    char text[32];
    version_format(&t, text, sizeof(text));
    is_str(text, "3.7.1", "a minor release is read at its newest patch");
    t = migration_kb_resolve(&kb, &(struct version){{3, 6, 0}, 3});
    version_format(&t, text, sizeof(text));
    is_str(text, "3.6.0", "a patch release as given");
    t = migration_kb_resolve(&kb, &(struct version){{3, 10}, 2});
    ok(!version_is_set(&t), "3.10 (Enterprise) is not in the knowledge");
    /* acme's 003_350_to_360 gained its teardown in 3.7.0. */
    const struct migration_subsystem *acme = migration_kb_subsystem(&kb, "acme");
    const struct migration *m = NULL;
    for (size_t i = 0; acme && i < acme->count; i++)
        if (!strcmp(acme->items[i].name, "003_350_to_360"))
            m = &acme->items[i];
    struct version at36 = v("3.6.1"), at37 = v("3.7.0");
    ok(m && !migration_has_teardown(m, &at36) && migration_has_teardown(m, &at37),
       "a teardown counts from the release that has it");
}

static void test_arrays(void)
{
    struct meta_state s;
    meta_state_init(&s);
    struct meta_row *row = meta_state_add(&s, "core", "b");
    is_int(meta_row_add_array(&s, row, false, "{a,b}"), 0, "a plain array");
    is_int(row->nexecuted, 2, "two names");
    is_int(meta_row_add_array(&s, row, true, "{\"x y\",\"q\\\"z\"}"), 0, "quoted elements");
    ok(row->npending == 2 && !strcmp(row->pending[0], "x y") && !strcmp(row->pending[1], "q\"z"),
       "quotes and escapes taken off");
    is_int(meta_row_add_array(&s, row, true, "{}"), 0, "an empty array");
    is_int(row->npending, 2, "adds nothing");
    is_int(meta_row_add_array(&s, row, true, "a,b"), -2, "no braces: refused");
    is_int(meta_row_add_array(&s, row, true, "{a,b"), -2, "unclosed: refused");
    is_int(meta_row_add_array(&s, row, true, "{a,,b}"), -2, "an empty element: refused");
    is_int(meta_row_add_array(&s, row, true, "{a}x"), -2, "text after the array: refused");
    is_int(meta_row_add_array(&s, row, true, "{\"a}"), -2, "an unclosed quote: refused");
    meta_state_release(&s);
}

/* A database whose subsystem rows hold every migration of `at` (bootstrapped there); core only
 * when core_only. */
static void bootstrapped(struct meta_state *s, const char *at, bool core_only)
{
    struct version r = v(at);
    meta_state_init(s);
    s->has_table = true;
    for (size_t i = 0; i < (core_only ? 1 : kb.count); i++) {
        const struct migration_subsystem *sub = &kb.subsystems[i];
        struct meta_row *row = NULL;
        for (size_t k = 0; k < sub->count; k++) {
            if (!migration_in(&sub->items[k], &r))
                continue;
            if (!row)
                row = meta_state_add(s, sub->name, NULL);
            meta_row_add(s, row, false, sub->items[k].name);
            row->last_executed = sub->items[k].name;
        }
    }
}

static size_t count_rule(const struct diag_sink *sink, enum rule_id rule)
{
    size_t n = 0;
    for (size_t i = 0; i < sink->count; i++)
        n += sink->items[i].rule == rule;
    return n;
}

static const struct diag *find_rule(const struct diag_sink *sink, enum rule_id rule,
                                    const char *path)
{
    for (size_t i = 0; i < sink->count; i++)
        if (sink->items[i].rule == rule && !strcmp(sink->items[i].path, path))
            return &sink->items[i];
    return NULL;
}

static void check(const struct meta_state *s, const char *to, struct diag_sink *sink,
                  struct db_status_outcome *out)
{
    struct db_status_request req = {.migrations = &kb, .state = s, .to_text = to};
    if (to)
        req.to = v(to);
    gh_error err = {0};
    diag_sink_init(sink, 1000);
    ok(db_status_check(&req, sink, out, &err) == 0, "checked (%s)", err.message);
}

static void test_identify(void)
{
    struct meta_state s;
    struct diag_sink sink;
    struct db_status_outcome out;
    bootstrapped(&s, "3.4.2", false);
    check(&s, NULL, &sink, &out);
    ok(out.known, "a 3.4 database is known");
    is_str(out.summary, "the database holds the migrations of Kong 3.4", "as 3.4");
    is_int(sink.count, 0, "and nothing to say without a target");
    diag_sink_release(&sink);
    meta_state_release(&s);

    bootstrapped(&s, "3.8.0", false);
    check(&s, NULL, &sink, &out);
    is_str(out.summary, "the database holds the migrations of Kong 3.7 to 3.8",
           "3.8 added none: 3.7 to 3.8");
    diag_sink_release(&sink);
    meta_state_release(&s);

    bootstrapped(&s, "3.6.1", false);
    check(&s, NULL, &sink, &out);
    is_str(out.summary, "the database holds the migrations of Kong 3.6.1",
           "3.6.1 added opentelemetry's migration: a database that ran it is named by the patch");
    diag_sink_release(&sink);
    meta_state_release(&s);

    /* Without that row it may be a 3.6.0 database, or a 3.6.1 one whose nodes never loaded
     * opentelemetry: Kong counts a plugin with no row as never migrated. */
    bootstrapped(&s, "3.6.0", false);
    check(&s, NULL, &sink, &out);
    is_str(out.summary, "the database holds the migrations of Kong 3.6",
           "without it, 3.6 (either patch)");
    diag_sink_release(&sink);
    meta_state_release(&s);
}

static void test_new_and_missing(void)
{
    struct meta_state s;
    struct diag_sink sink;
    struct db_status_outcome out;
    bootstrapped(&s, "3.4.2", true);
    /* Take 019 out of core: before the last executed (020), so Kong counts it missing. */
    struct meta_row *core = &s.rows[0];
    size_t k = 0;
    for (size_t i = 0; i < core->nexecuted; i++)
        if (strcmp(core->executed[i], "019_320_to_330"))
            core->executed[k++] = core->executed[i];
    core->nexecuted = k;
    check(&s, "3.5", &sink, &out);
    const struct diag *missing = find_rule(&sink, R_HOP4607, "/schema_meta/core");
    ok(missing && strstr(missing->message, "019_320_to_330"), "019 is missing (HOP4607)");
    const struct diag *news = find_rule(&sink, R_HOP4603, "/schema_meta/core");
    ok(news && strstr(news->message, "runs 1 migration of 'core': 021_340_to_350") &&
           !strstr(news->message, "019"),
       "and up runs only what comes after the last executed: 021");
    ok(find_rule(&sink, R_HOP4603, "/schema_meta/acl") != NULL,
       "a plugin with no row: all its migrations run");
    is_int(count_rule(&sink, R_HOP4604), 0, "no jump check without the plan's knowledge");
    diag_sink_release(&sink);
    meta_state_release(&s);
}

static void test_pending_and_newer(void)
{
    struct meta_state s;
    struct diag_sink sink;
    struct db_status_outcome out;
    bootstrapped(&s, "3.7.1", true);
    meta_row_add(&s, &s.rows[0], true, "016_280_to_300");
    check(&s, NULL, &sink, &out);
    const struct diag *p = find_rule(&sink, R_HOP4602, "/schema_meta/core");
    ok(p && p->severity == GH_WARNING, "pending without a target: a warning");
    diag_sink_release(&sink);
    check(&s, "3.4", &sink, &out);
    p = find_rule(&sink, R_HOP4602, "/schema_meta/core");
    ok(p && p->severity == GH_ERROR, "pending before another up: an error");
    const struct diag *newer = find_rule(&sink, R_HOP4605, "/schema_meta/core");
    ok(newer && strstr(newer->message, "021_340_to_350, 022_350_to_360, 023_360_to_370"),
       "3.7's core migrations are newer than 3.4 (HOP4605)");
    diag_sink_release(&sink);
    meta_state_release(&s);

    meta_state_init(&s);
    check(&s, "3.4", &sink, &out);
    is_int(count_rule(&sink, R_HOP4601), 1, "no schema_meta table: HOP4601");
    diag_sink_release(&sink);
    meta_state_release(&s);
}

static void test_json(void)
{
    struct arena a;
    arena_init(&a, 4096);
    const char *why = NULL;
    const char *text = "{\"id\": \"x\", \"n\": -12, \"f\": 1.5e3, \"t\": true, \"z\": null,"
                       " \"list\": [1, \"a\\\"b\\u00e9\\ud83d\\ude00\"], \"empty\": {}}";
    struct node *n = json_node_parse(&a, text, strlen(text), &why);
    ok(n && n->kind == NODE_MAPPING && n->count == 7, "a row (%s)", why ? why : "");
    const struct node *id = node_map_get(n, "id"), *num = node_map_get(n, "n");
    const struct node *f = node_map_get(n, "f"), *list = node_map_get(n, "list");
    ok(id && !strcmp(id->u.text, "x") && num && num->type == SCALAR_INT && num->v.i == -12,
       "strings and integers");
    ok(f && f->type == SCALAR_FLOAT && f->v.f == 1500.0, "a float with an exponent");
    ok(node_map_get(n, "t")->type == SCALAR_BOOL && node_map_get(n, "z")->type == SCALAR_NULL,
       "true and null");
    ok(list && list->count == 2 &&
           !strcmp(list->u.items[1]->u.text, "a\"b\xc3\xa9\xf0\x9f\x98\x80"),
       "escapes, \\u and a surrogate pair decoded");
    ok(node_map_get(n, "empty")->count == 0, "an empty mapping");
    const char *bad[] = {"{\"a\" 1}", "[1,]",        "\"open", "01",      "{1: 2}",
                         "[1] x",     "\"\\ud800\"", "tru",    "\"a\tb\""};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        why = NULL;
        bool refused = !json_node_parse(&a, bad[i], strlen(bad[i]), &why);
        ok(refused && why, "refused: %s (%s)", bad[i], why ? why : "no reason");
    }
    char deep[2 * JSON_NODE_DEPTH + 8];
    memset(deep, '[', JSON_NODE_DEPTH + 2);
    memset(deep + JSON_NODE_DEPTH + 2, ']', JSON_NODE_DEPTH + 2);
    ok(!json_node_parse(&a, deep, 2 * JSON_NODE_DEPTH + 4, &why), "nesting past the limit");
    arena_release(&a);
}

int main(void)
{
    test_json();
    test_knowledge();
    test_arrays();
    test_identify();
    test_new_and_missing();
    test_pending_and_newer();
    migration_kb_release(&kb);
    return done();
}
