/*
 * Knowledge for editors, through the public API only (gatehop.h): lints small files written
 * here, then asks what a key at a place is (gh_result_describe) and which keys a mapping there
 * may hold (gh_result_keys), for Kong (declarative and decK), APISIX and ADC files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gatehop.h"
#include "tap.h"

static const char kong_file[] = "_format_version: \"3.0\"\n"
                                "services:\n"
                                "- name: orders\n"
                                "  url: http://orders.internal\n"
                                "  routes:\n"
                                "  - name: orders-api\n"
                                "    paths: [/orders]\n"
                                "    plugins:\n"
                                "    - name: rate-limiting\n"
                                "      config: {minute: 5}\n";

static const char apisix_file[] = "routes:\n"
                                  "  - id: 1\n"
                                  "    uri: /a\n"
                                  "    plugins:\n"
                                  "      limit-count: {count: 2, time_window: 60}\n"
                                  "    upstream:\n"
                                  "      type: roundrobin\n"
                                  "      nodes: {\"127.0.0.1:80\": 1}\n"
                                  "#END\n";

static const char adc_file[] = "services:\n"
                               "  - name: orders\n"
                               "    upstream:\n"
                               "      nodes: [{host: orders.internal, port: 80, weight: 1}]\n"
                               "    routes:\n"
                               "      - name: orders-api\n"
                               "        uris: [/orders]\n";

/* Steps of a place: K("paths") a key, I(NULL) an item, I("acl") an item named acl. */
#define K(k)                                                                                       \
    {                                                                                              \
        (k), NULL                                                                                  \
    }
#define I(n)                                                                                       \
    {                                                                                              \
        NULL, (n)                                                                                  \
    }
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Lints text as the file o.display_name; NULL (and a failed test) when it cannot. */
static gh_result *lint_with(gh_engine *engine, const char *text, gh_lint_options o)
{
    char path[] = "/tmp/gatehop-fields-XXXXXX";
    int fd = mkstemp(path);
    bool written = fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text);
    if (fd >= 0)
        close(fd);
    o.config = ""; /* no project config from /tmp */
    gh_result *r = NULL;
    gh_error err = {0};
    ok(written && gh_lint_path(engine, path, &o, &r, &err) == 0, "lints %s: %s", o.display_name,
       err.message);
    if (fd >= 0)
        unlink(path);
    return r;
}

static gh_result *lint_text(gh_engine *engine, const char *text, const char *name, const char *from,
                            const char *to)
{
    gh_lint_options o = {0};
    o.from = from;
    o.to = to;
    o.display_name = name;
    return lint_with(engine, text, o);
}

/* gh_result_describe() of a place, which must be known (1). */
static bool known(const gh_result *r, const gh_place_step *place, size_t n, gh_field_info *out,
                  const char *what)
{
    memset(out, 0x55, sizeof(*out)); /* nothing left over from an earlier answer */
    return ok(gh_result_describe(r, place, n, out) == 1, "%s is known", what);
}

static void unknown(const gh_result *r, const gh_place_step *place, size_t n, const char *what)
{
    gh_field_info out;
    is_int(gh_result_describe(r, place, n, &out), 0, what);
}

/* The keys gh_result_keys() hands out, joined as " a b c ". */
struct listing {
    char keys[8192];
    size_t calls;
    bool all_in_target;
};

static void collect(void *ctx, const gh_field_info *field)
{
    struct listing *l = ctx;
    size_t used = strlen(l->keys);
    snprintf(l->keys + used, sizeof(l->keys) - used, "%s ", field->name);
    l->calls++;
    l->all_in_target &= field->in_target;
}

static size_t list_keys(const gh_result *r, const gh_place_step *place, size_t n, struct listing *l)
{
    memset(l, 0, sizeof(*l));
    l->keys[0] = ' ';
    l->all_in_target = true;
    size_t count = gh_result_keys(r, place, n, collect, l);
    is_int(count, l->calls, "the count is the number of calls");
    ok(l->all_in_target, "every key listed is in the target");
    return count;
}

static bool listed(const struct listing *l, const char *key)
{
    char word[160];
    snprintf(word, sizeof(word), " %s ", key);
    return strstr(l->keys, word) != NULL;
}

static void test_kong_route(const gh_result *r)
{
    gh_field_info f;
    const gh_place_step paths[] = {K("services"), I(NULL), K("routes"), I(NULL), K("paths")};
    if (known(r, paths, COUNT(paths), &f, "a nested route's paths")) {
        is_str(f.name, "paths", "its name");
        is_str(f.type, "array", "paths is an array");
        ok(f.in_target, "paths is in kong 3.4");
        is_str(f.owner, "route", "a route holds it");
        is_str(f.default_json, "", "paths has no default");
        is_str(f.since, "", "every release has paths");
        is_str(f.until, "", "no release removed paths");
        is_str(f.deprecated, "", "paths is not deprecated");
    }
    const gh_place_step prio[] = {K("routes"), I(NULL), K("regex_priority")};
    if (known(r, prio, COUNT(prio), &f, "a top-level route's regex_priority")) {
        is_str(f.type, "integer", "regex_priority is an integer");
        is_str(f.default_json, "0", "its default is 0");
        ok(!f.required, "it is not required");
    }
    const gh_place_step strip[] = {K("routes"), I(NULL), K("strip_path")};
    if (known(r, strip, COUNT(strip), &f, "strip_path")) {
        ok(f.required, "strip_path is required (from 2.4)");
        is_str(f.default_json, "true", "its default is true");
        is_str(f.type, "boolean", "a boolean");
    }
    const gh_place_step dest[] = {K("routes"), I(NULL), K("destinations"), I(NULL), K("port")};
    if (known(r, dest, COUNT(dest), &f, "a route's destinations item's port")) {
        is_str(f.type, "integer", "port is an integer");
        is_str(f.owner, "route's destinations", "the destinations record holds it");
    }
    const gh_place_step nope[] = {K("routes"), I(NULL), K("no_such_key")};
    unknown(r, nope, COUNT(nope), "a key no release has is not known");
    const gh_place_step svc_paths[] = {K("services"), I(NULL), K("paths")};
    unknown(r, svc_paths, COUNT(svc_paths), "a route's key is not a service's");
    const gh_place_step no_item[] = {K("routes"), K("paths")};
    unknown(r, no_item, COUNT(no_item), "a list's key without its item is nowhere");
    const gh_place_step item_last[] = {K("routes"), I(NULL)};
    unknown(r, item_last, COUNT(item_last), "a list item names no key");
    unknown(r, paths, 0, "no step names no key");

    struct listing l;
    const gh_place_step route[] = {K("services"), I(NULL), K("routes"), I(NULL)};
    ok(list_keys(r, route, COUNT(route), &l) > 10, "a route has many keys: %s", l.keys);
    ok(listed(&l, "paths") && listed(&l, "strip_path"), "among them paths and strip_path");
    ok(listed(&l, "plugins"), "and its nested plugins");
    ok(!listed(&l, "whitelist") && !listed(&l, "url"), "not whitelist, nor a service's url");
    ok(strstr(l.keys, " id ") < strstr(l.keys, " paths "), "in the order the knowledge lists");
    const gh_place_step routes_list[] = {K("routes")};
    is_int(gh_result_keys(r, routes_list, 1, collect, &l), 0, "a list is no mapping");
}

static void test_kong_document(const gh_result *r)
{
    gh_field_info f;
    const gh_place_step fv[] = {K("_format_version")};
    if (known(r, fv, 1, &f, "_format_version")) {
        is_str(f.type, "string", "a string");
        ok(f.required, "required");
        is_str(f.owner, "the top level", "held by the top level");
    }
    const gh_place_step services[] = {K("services")};
    if (known(r, services, 1, &f, "services")) {
        is_str(f.type, "array", "a collection is an array");
        ok(f.in_target, "in the target");
    }
    const gh_place_step info[] = {K("_info")};
    if (known(r, info, 1, &f, "decK's _info in a Kong declarative file")) {
        ok(!f.in_target, "is not in the target: only decK files have it");
        is_str(f.type, "record", "a record");
    }
    const gh_place_step creds[] = {K("keyauth_credentials")};
    if (known(r, creds, 1, &f, "key-auth credentials, a flat collection too"))
        ok(f.in_target, "in the target");
    const gh_place_step paths[] = {K("paths")};
    unknown(r, paths, 1, "a route's key is no top-level key");
    const gh_place_step vaults[] = {K("vaults_beta")};
    if (known(r, vaults, 1, &f, "2.x's vaults_beta")) {
        ok(!f.in_target, "is not in 3.4");
        is_str(f.until, "3.0", "3.0 removed it");
        is_str(f.since, "2.8", "2.8 added it");
    }
    struct listing l;
    ok(list_keys(r, NULL, 0, &l) > 5, "the top level lists keys: %s", l.keys);
    ok(listed(&l, "_format_version") && listed(&l, "services") && listed(&l, "routes"),
       "_format_version, services and routes");
    ok(!listed(&l, "_info"), "not decK's _info");
}

static void test_kong_service(const gh_result *r)
{
    gh_field_info f;
    const gh_place_step url[] = {K("services"), I(NULL), K("url")};
    if (known(r, url, COUNT(url), &f, "a service's url")) {
        is_str(f.type, "string", "url is a string");
        ok(f.in_target, "in the target");
        is_str(f.owner, "service", "a service holds it");
    }
    const gh_place_step routes[] = {K("services"), I(NULL), K("routes")};
    if (known(r, routes, COUNT(routes), &f, "a service's nested routes")) {
        is_str(f.type, "array", "an array");
        is_str(f.owner, "service", "held by the service");
    }
}

static void test_kong_plugins(const gh_result *r)
{
    gh_field_info f;
    const gh_place_step minute[] = {K("services"), I(NULL),      K("routes"),
                                    I(NULL),       K("plugins"), I("rate-limiting"),
                                    K("config"),   K("minute")};
    if (known(r, minute, COUNT(minute), &f, "rate-limiting's config minute")) {
        is_str(f.type, "number", "minute is a number");
        is_str(f.owner, "plugin rate-limiting's config", "held by the plugin's config");
        ok(f.in_target, "in the target");
    }
    const gh_place_step wl[] = {K("plugins"), I("acl"), K("config"), K("whitelist")};
    if (known(r, wl, COUNT(wl), &f, "acl's whitelist in a 3.4 file")) {
        ok(!f.in_target, "is not in 3.4");
        is_str(f.until, "2.1", "2.1 removed it");
        is_str(f.since, "", "every release before had it");
        is_str(f.type, "array", "it was an array");
    }
    const gh_place_step redis[] = {K("plugins"), I("rate-limiting"), K("config"), K("redis")};
    if (known(r, redis, COUNT(redis), &f, "rate-limiting's redis record in 3.4")) {
        ok(!f.in_target, "is not in 3.4");
        is_str(f.since, "3.6", "3.6 added it");
        is_str(f.until, "", "and it stays");
    }
    const gh_place_step host[] = {K("plugins"), I("rate-limiting"), K("config"), K("redis"),
                                  K("host")};
    unknown(r, host, COUNT(host), "nothing below a record 3.4 does not have");
    const gh_place_step wrong[] = {K("plugins"), I("acl"), K("config"), K("minute")};
    unknown(r, wrong, COUNT(wrong), "rate-limiting's key is not acl's");
    const gh_place_step unnamed[] = {K("plugins"), I(NULL), K("config"), K("minute")};
    unknown(r, unnamed, COUNT(unnamed), "a plugin entry without its name has no known config");
    const gh_place_step nosuch[] = {K("plugins"), I("no-such-plugin"), K("config"), K("minute")};
    unknown(r, nosuch, COUNT(nosuch), "nor has an unknown plugin's");

    struct listing l;
    const gh_place_step entry[] = {K("plugins"), I("rate-limiting")};
    list_keys(r, entry, COUNT(entry), &l);
    ok(listed(&l, "name") && listed(&l, "config") && listed(&l, "protocols") &&
           listed(&l, "enabled"),
       "a plugin entry's own fields: %s", l.keys);
    const gh_place_step conf[] = {K("plugins"), I("rate-limiting"), K("config")};
    list_keys(r, conf, COUNT(conf), &l);
    ok(listed(&l, "minute") && listed(&l, "policy") && listed(&l, "redis_host"),
       "rate-limiting's config keys in 3.4: %s", l.keys);
    ok(!listed(&l, "redis"), "not 3.6's redis record");
}

static void test_kong_nested(const gh_result *r)
{
    gh_field_info f;
    const gh_place_step key[] = {K("consumers"), I(NULL), K("keyauth_credentials"), I(NULL),
                                 K("key")};
    if (known(r, key, COUNT(key), &f, "a consumer's nested key-auth credential's key")) {
        is_str(f.type, "string", "a string");
        ok(strstr(f.owner, "credential") != NULL, "held by the credential: %s", f.owner);
    }
    const gh_place_step plugin[] = {K("consumers"),     I(NULL),     K("plugins"),
                                    I("rate-limiting"), K("config"), K("hour")};
    if (known(r, plugin, COUNT(plugin), &f, "a consumer's plugin's config key"))
        is_str(f.owner, "plugin rate-limiting's config", "held by the plugin's config");
    const gh_place_step svc[] = {K("consumers"), I(NULL), K("routes")};
    unknown(r, svc, COUNT(svc), "routes do not nest in consumers");
}

/* Router flavours: expressions routes of 3.4 have no paths (3.7 gave them back). */
static void test_kong_expressions(gh_engine *engine)
{
    gh_lint_options o = {0};
    o.from = "kong@3.4";
    o.router_flavor = "expressions";
    o.display_name = "expressions.yml";
    gh_result *r = lint_with(engine,
                             "_format_version: \"3.0\"\n"
                             "routes:\n"
                             "- name: r\n"
                             "  expression: http.path == \"/a\"\n",
                             o);
    if (!r)
        return;
    gh_field_info f;
    const gh_place_step paths[] = {K("routes"), I(NULL), K("paths")};
    if (known(r, paths, COUNT(paths), &f, "paths of an expressions route")) {
        ok(!f.in_target, "not in 3.4 with the expressions router");
        is_str(f.since, "3.7", "3.7 added them to expressions routes");
        is_str(f.type, "array", "an array, from its typedef");
    }
    const gh_place_step expr[] = {K("routes"), I(NULL), K("expression")};
    if (known(r, expr, COUNT(expr), &f, "expression"))
        ok(f.in_target, "in the target");
    gh_result_free(r);
}

static void test_kong_38(gh_engine *engine)
{
    gh_result *r = lint_text(engine, kong_file, "kong.yml", "kong@3.8", NULL);
    if (!r)
        return;
    gh_field_info f;
    const gh_place_step port[] = {K("plugins"), I("rate-limiting"), K("config"), K("redis"),
                                  K("port")};
    if (known(r, port, COUNT(port), &f, "rate-limiting's redis port in 3.8")) {
        is_str(f.type, "integer", "an integer");
        is_str(f.default_json, "6379", "default 6379");
        is_str(f.owner, "plugin rate-limiting's config.redis", "held by the redis record");
        ok(f.in_target, "in the target");
    }
    const gh_place_step host[] = {K("plugins"), I("rate-limiting"), K("config"), K("redis_host")};
    if (known(r, host, COUNT(host), &f, "rate-limiting's redis_host in 3.8")) {
        ok(f.in_target, "still taken, as a shorthand");
        is_str(f.deprecated, "use config.redis.host instead", "and deprecated");
    }
    gh_result_free(r);
}

static void test_apisix(gh_engine *engine)
{
    gh_result *r = lint_text(engine, apisix_file, "apisix.yaml", "apisix@3.9", NULL);
    if (!r)
        return;
    gh_field_info f;
    const gh_place_step count[] = {K("routes"), I(NULL), K("plugins"), K("limit-count"),
                                   K("count")};
    if (known(r, count, COUNT(count), &f, "an APISIX route's limit-count count")) {
        is_str(f.owner, "plugin limit-count's config", "held by the plugin's config");
        ok(f.in_target, "in the target");
        ok(f.required, "required");
    }
    const gh_place_step plugin[] = {K("routes"), I(NULL), K("plugins"), K("limit-count")};
    if (known(r, plugin, COUNT(plugin), &f, "limit-count in a route's plugins")) {
        is_str(f.type, "record", "a configuration is a record");
        ok(f.in_target, "a plugin of 3.9");
    }
    const gh_place_step nosuch[] = {K("routes"), I(NULL), K("plugins"), K("no-such-plugin")};
    unknown(r, nosuch, COUNT(nosuch), "a plugin no release has");
    const gh_place_step minute[] = {K("routes"), I(NULL), K("plugins"), K("limit-count"),
                                    K("minute")};
    unknown(r, minute, COUNT(minute), "Kong's rate-limiting key is not limit-count's");
    const gh_place_step uri[] = {K("routes"), I(NULL), K("uri")};
    if (known(r, uri, COUNT(uri), &f, "a route's uri")) {
        is_str(f.type, "string", "a string");
        is_str(f.owner, "route", "held by the route");
    }
    struct listing l;
    list_keys(r, plugin, COUNT(plugin), &l);
    ok(listed(&l, "count") && listed(&l, "time_window"), "limit-count's keys: %s", l.keys);
    ok(listed(&l, "_meta"), "and the _meta every configuration takes");
    const gh_place_step plugins[] = {K("routes"), I(NULL), K("plugins")};
    ok(list_keys(r, plugins, COUNT(plugins), &l) > 50, "a plugins map lists the plugins");
    ok(listed(&l, "limit-count") && !listed(&l, "rate-limiting"),
       "APISIX's limit-count, not Kong's rate-limiting");
    gh_result_free(r);
}

static void test_adc(gh_engine *engine)
{
    gh_result *r = lint_text(engine, adc_file, "adc.yaml", "api7@3.8", NULL);
    if (!r)
        return;
    gh_field_info f;
    const gh_place_step uris[] = {K("services"), I(NULL), K("routes"), I(NULL), K("uris")};
    if (known(r, uris, COUNT(uris), &f, "an ADC service's route's uris")) {
        is_str(f.type, "array", "an array");
        is_str(f.owner, "route", "held by the route");
        ok(f.in_target, "in the target");
    }
    const gh_place_step routes[] = {K("services"), I(NULL), K("routes")};
    if (known(r, routes, COUNT(routes), &f, "an ADC service's routes"))
        is_str(f.owner, "service", "held by the service");
    const gh_place_step conf[] = {K("services"), I(NULL), K("plugins"), K("limit-count"),
                                  K("count")};
    unknown(r, conf, COUNT(conf), "API7 plugins are not known (gatehop has no list of them)");
    const gh_place_step top_routes[] = {K("routes")};
    unknown(r, top_routes, 1, "ADC routes are no top-level list");
    const gh_place_step paths[] = {K("services"), I(NULL), K("routes"), I(NULL), K("paths")};
    unknown(r, paths, COUNT(paths), "Kong's route key is not ADC's");
    struct listing l;
    const gh_place_step route[] = {K("services"), I(NULL), K("routes"), I(NULL)};
    list_keys(r, route, COUNT(route), &l);
    ok(listed(&l, "uris") && listed(&l, "name"), "an ADC route's keys: %s", l.keys);
    ok(!listed(&l, "uri"), "not APISIX's uri");
    ok(!listed(&l, "service"), "nor the service nesting sets");
    const gh_place_step service[] = {K("services"), I(NULL), K("routes"), I(NULL), K("service")};
    unknown(r, service, COUNT(service), "a key only nesting sets is no key to write");
    gh_result_free(r);
}

/* An ADC file for open-source APISIX: ADC's entities, APISIX's plugins. */
static void test_adc_backend(gh_engine *engine)
{
    gh_result *r = lint_text(engine, adc_file, "adc.yaml", NULL, "apisix@3.13");
    if (!r)
        return;
    gh_field_info f;
    const gh_place_step count[] = {K("services"), I(NULL),          K("routes"), I(NULL),
                                   K("plugins"),  K("limit-count"), K("count")};
    if (known(r, count, COUNT(count), &f, "limit-count's count on an ADC route for APISIX")) {
        ok(f.in_target, "in APISIX 3.13");
        is_str(f.owner, "plugin limit-count's config", "held by the plugin's config");
    }
    const gh_place_step uris[] = {K("services"), I(NULL), K("routes"), I(NULL), K("uris")};
    ok(gh_result_describe(r, uris, COUNT(uris), &f) == 1 && f.in_target,
       "the route's keys are still ADC's");
    gh_result_free(r);
}

static void test_not_a_config(gh_engine *engine)
{
    gh_result *r = lint_text(engine, "hello: world\n", "notes.yaml", NULL, NULL);
    if (!r)
        return;
    const gh_place_step services[] = {K("services")};
    unknown(r, services, 1, "a file gatehop does not check knows no keys");
    struct listing l;
    is_int(gh_result_keys(r, NULL, 0, collect, &l), 0, "and lists none");
    gh_result_free(r);
}

int main(void)
{
    gh_error err = {0};
    gh_engine *engine = gh_engine_new(NULL, &err);
    ok(engine != NULL, "the built-in knowledge loads: %s", err.message);
    gh_result *kong = engine ? lint_text(engine, kong_file, "kong.yml", "kong@3.4", NULL) : NULL;
    if (kong) {
        test_kong_route(kong);
        test_kong_document(kong);
        test_kong_service(kong);
        test_kong_plugins(kong);
        test_kong_nested(kong);
        gh_result_free(kong);
    }
    if (engine) {
        test_kong_38(engine);
        test_kong_expressions(engine);
        test_apisix(engine);
        test_adc(engine);
        test_adc_backend(engine);
        test_not_a_config(engine);
    }
    gh_engine_free(engine);
    return done();
}
