#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "util/util_error.h"
#include "util/util_fspath.h"
#include "util/util_glob.h"

/* A project config is a few lines; anything this large is a mistake, not a config. */
#define CONFIG_MAX_BYTES (1024 * 1024)

struct loader {
    struct config *c;
    yaml_document_t doc;
    gh_error *err;
};

/* ---- reading the YAML ---------------------------------------------------------------------- */

static int fail_at(struct loader *L, const yaml_node_t *n, const char *fmt, ...) GH_PRINTF(3, 4);
static int fail_at(struct loader *L, const yaml_node_t *n, const char *fmt, ...)
{
    char message[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    return error_set_at(L->err, GH_EUSAGE, L->c->path, (unsigned)n->start_mark.line + 1,
                        (unsigned)n->start_mark.column + 1, "%s", message);
}

static yaml_node_t *node(struct loader *L, int index)
{
    return yaml_document_get_node(&L->doc, index);
}

static const char *text_of(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int need_string(struct loader *L, const yaml_node_t *n, const char *key, const char **out)
{
    const char *t = text_of(n);
    if (!t || !*t)
        return fail_at(L, n, "'%s' takes a string", key);
    *out = arena_strdup(&L->c->arena, t);
    return *out ? 0 : error_set(L->err, GH_ENOMEM, "out of memory");
}

/* A string or a list of strings, as a list. */
static int need_strings(struct loader *L, const yaml_node_t *n, const char *key, const char ***out,
                        size_t *count)
{
    bool single = n->type == YAML_SCALAR_NODE;
    if (!single && n->type != YAML_SEQUENCE_NODE)
        return fail_at(L, n, "'%s' takes a string or a list of strings", key);
    size_t total = single ? 1 : (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    *out = arena_calloc(&L->c->arena, total ? total : 1, sizeof(**out));
    if (!*out)
        return error_set(L->err, GH_ENOMEM, "out of memory");
    *count = total;
    for (size_t i = 0; i < total; i++) {
        const yaml_node_t *item = single ? n : node(L, n->data.sequence.items.start[i]);
        int rc = need_string(L, item, key, &(*out)[i]);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int need_one_of(struct loader *L, const yaml_node_t *n, const char *key,
                       const char *const *allowed, const char **out)
{
    int rc = need_string(L, n, key, out);
    if (rc < 0)
        return rc;
    for (size_t i = 0; allowed[i]; i++)
        if (!strcmp(allowed[i], *out))
            return 0;
    return fail_at(L, n, "'%s' cannot be '%s'", key, *out);
}

/* ---- the keys -------------------------------------------------------------------------------- */

enum { AT_TOP = 1, IN_OVERRIDE = 2 };

struct key_reader {
    const char *key;
    unsigned where;
    int (*read)(struct loader *L, struct config_section *s, const yaml_node_t *value);
};

static int read_from(struct loader *L, struct config_section *s, const yaml_node_t *v)
{
    return need_string(L, v, "from", &s->settings.from);
}

static int read_to(struct loader *L, struct config_section *s, const yaml_node_t *v)
{
    return need_string(L, v, "to", &s->settings.to);
}

static int read_router_flavor(struct loader *L, struct config_section *s, const yaml_node_t *v)
{
    static const char *const flavors[] = {"traditional", "traditional_compatible", "expressions",
                                          NULL};
    return need_one_of(L, v, "router-flavor", flavors, &s->settings.router_flavor);
}

/* Checked against the product when a file is linted: editions are knowledge, not syntax. */
static int read_edition(struct loader *L, struct config_section *s, const yaml_node_t *v)
{
    return need_string(L, v, "edition", &s->settings.edition);
}

static int read_placeholders(struct loader *L, struct config_section *s, const yaml_node_t *v)
{
    static const char *const kinds[] = {"deck", "envsubst", "none", NULL};
    return need_one_of(L, v, "placeholders", kinds, &s->settings.placeholders);
}

static int read_input_flavor(struct loader *L, struct config_section *s, const yaml_node_t *v)
{
    static const char *const flavors[] = {"kong", "dbexport", "deck", "apisix", "adc", NULL};
    return need_one_of(L, v, "input-flavor", flavors, &s->settings.input_flavor);
}

static int read_fail_on(struct loader *L, struct config_section *s, const yaml_node_t *v)
{
    const char *t = text_of(v);
    enum gh_severity sev;
    if (!t || gh_severity_from_name(t, &sev) < 0)
        return fail_at(L, v, "'fail-on' takes error, warning or info");
    s->settings.fail_on = (int)sev;
    return 0;
}

/* off, on (the rule's own severity), or a severity. */
static int rule_setting(const char *text, signed char *out)
{
    static const struct {
        const char *word;
        signed char setting;
    } words[] = {{"off", RULE_OFF},
                 {"on", RULE_KEEP},
                 {"error", GH_ERROR},
                 {"warning", GH_WARNING},
                 {"info", GH_INFO}};
    for (size_t i = 0; text && i < sizeof(words) / sizeof(words[0]); i++)
        if (!strcmp(words[i].word, text)) {
            *out = words[i].setting;
            return 0;
        }
    return -1;
}

static int read_rules(struct loader *L, struct config_section *s, const yaml_node_t *v)
{
    if (v->type != YAML_MAPPING_NODE)
        return fail_at(L, v,
                       "'rules' takes a mapping of rule codes to off, on, error, warning "
                       "or info");
    for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
        const yaml_node_t *key = node(L, p->key), *value = node(L, p->value);
        const char *code = text_of(key);
        int rule = code ? rule_lookup(code) : -1;
        if (rule < 0)
            return fail_at(L, key, "'%s' is not a gatehop rule (see 'gatehop rules')",
                           code ? code : "?");
        signed char setting;
        if (rule_setting(text_of(value), &setting) < 0)
            return fail_at(L, value, "rule %s: expected off, on, error, warning or info", code);
        /* "on" is recorded as a setting of its own so that an override can undo an "off". */
        s->settings.rules[rule] =
            setting == RULE_KEEP ? (signed char)rule_info(rule)->severity : setting;
    }
    return 0;
}

/* A file the config names, relative to its directory, made absolute and normal in the config's
 * arena (the config applies from anywhere); NULL when out of memory. */
static const char *path_from_config(struct loader *L, const char *name)
{
    char *abs = name[0] == '/' ? fspath_absolute(name) : fspath_join(L->c->dir, name);
    char *normal = abs ? fspath_absolute(abs) : NULL;
    const char *kept = normal ? arena_strdup(&L->c->arena, normal) : NULL;
    free(abs);
    free(normal);
    return kept;
}

static int read_rulesets(struct loader *L, struct config_section *s, const yaml_node_t *v)
{
    int rc = need_strings(L, v, "rulesets", &s->settings.rulesets, &s->settings.nrulesets);
    for (size_t i = 0; rc == 0 && i < s->settings.nrulesets; i++)
        if (!(s->settings.rulesets[i] = path_from_config(L, s->settings.rulesets[i])))
            rc = error_set(L->err, GH_ENOMEM, "out of memory");
    return rc;
}

static int read_custom_plugins(struct loader *L, struct config_section *s, const yaml_node_t *v)
{
    (void)s;
    return need_strings(L, v, "custom-plugins", &L->c->custom_plugins, &L->c->ncustom_plugins);
}

/*
 * Globs are relative to the config's directory, so "./kong", "/kong" and "kong/" all mean
 * "kong": written any of those ways they would otherwise match nothing, silently.
 */
static void tidy_globs(const char **globs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *g = (char *)globs[i]; /* the loader's own copy, in its arena */
        while (g[0] == '.' && g[1] == '/')
            g += 2;
        while (g[0] == '/')
            g++;
        size_t len = strlen(g);
        while (len > 1 && g[len - 1] == '/')
            g[--len] = '\0';
        globs[i] = g;
    }
}

static int read_exclude(struct loader *L, struct config_section *s, const yaml_node_t *v)
{
    (void)s;
    int rc = need_strings(L, v, "exclude", &L->c->exclude, &L->c->nexclude);
    if (rc == 0)
        tidy_globs(L->c->exclude, L->c->nexclude);
    return rc;
}

static int read_baseline(struct loader *L, struct config_section *s, const yaml_node_t *v)
{
    (void)s;
    const char *name;
    int rc = need_string(L, v, "baseline", &name);
    if (rc < 0)
        return rc;
    L->c->baseline = path_from_config(L, name);
    return L->c->baseline ? 0 : error_set(L->err, GH_ENOMEM, "out of memory");
}

static int read_files(struct loader *L, struct config_section *s, const yaml_node_t *v)
{
    int rc = need_strings(L, v, "files", &s->files, &s->nfiles);
    if (rc == 0)
        tidy_globs(s->files, s->nfiles);
    if (rc == 0 && s->nfiles == 0)
        rc = fail_at(L, v, "'files' names no file");
    return rc;
}

static int read_overrides(struct loader *L, struct config_section *s, const yaml_node_t *v);

static const struct key_reader key_readers[] = {
    {"from", AT_TOP | IN_OVERRIDE, read_from},
    {"to", AT_TOP | IN_OVERRIDE, read_to},
    {"router-flavor", AT_TOP | IN_OVERRIDE, read_router_flavor},
    {"input-flavor", AT_TOP | IN_OVERRIDE, read_input_flavor},
    {"edition", AT_TOP | IN_OVERRIDE, read_edition},
    {"placeholders", AT_TOP | IN_OVERRIDE, read_placeholders},
    {"fail-on", AT_TOP | IN_OVERRIDE, read_fail_on},
    {"rules", AT_TOP | IN_OVERRIDE, read_rules},
    {"rulesets", AT_TOP | IN_OVERRIDE, read_rulesets},
    {"custom-plugins", AT_TOP, read_custom_plugins},
    {"exclude", AT_TOP, read_exclude},
    {"baseline", AT_TOP, read_baseline},
    {"overrides", AT_TOP, read_overrides},
    {"files", IN_OVERRIDE, read_files},
};

static const struct key_reader *key_reader_for(const char *key, unsigned where)
{
    for (size_t i = 0; key && i < sizeof(key_readers) / sizeof(key_readers[0]); i++)
        if (!strcmp(key_readers[i].key, key) && (key_readers[i].where & where))
            return &key_readers[i];
    return NULL;
}

static void section_init(struct config_section *s)
{
    memset(s, 0, sizeof(*s));
    s->settings.fail_on = -1;
    memset(s->settings.rules, RULE_KEEP, sizeof(s->settings.rules));
}

static int read_section(struct loader *L, struct config_section *s, const yaml_node_t *map,
                        unsigned where)
{
    if (map->type != YAML_MAPPING_NODE)
        return fail_at(L, map, "%s",
                       where == AT_TOP ? "a .gatehop.yml is a mapping of settings"
                                       : "an override is a mapping with 'files'");
    section_init(s);
    bool seen[sizeof(key_readers) / sizeof(key_readers[0])] = {false};
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        const yaml_node_t *key = node(L, p->key);
        const struct key_reader *r = key_reader_for(text_of(key), where);
        if (!r)
            return fail_at(L, key, "unknown setting '%s'%s", text_of(key) ? text_of(key) : "?",
                           where == AT_TOP ? "" : " in an override");
        if (seen[r - key_readers])
            return fail_at(L, key, "'%s' is set twice", r->key);
        seen[r - key_readers] = true;
        int rc = r->read(L, s, node(L, p->value));
        if (rc < 0)
            return rc;
    }
    if (where == IN_OVERRIDE && !s->files)
        return fail_at(L, map, "an override needs 'files', the globs it applies to");
    return 0;
}

static int read_overrides(struct loader *L, struct config_section *s, const yaml_node_t *v)
{
    (void)s;
    if (v->type != YAML_SEQUENCE_NODE)
        return fail_at(L, v, "'overrides' takes a list");
    size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    L->c->overrides = arena_calloc(&L->c->arena, n ? n : 1, sizeof(*L->c->overrides));
    if (!L->c->overrides)
        return error_set(L->err, GH_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        int rc = read_section(L, &L->c->overrides[i], node(L, v->data.sequence.items.start[i]),
                              IN_OVERRIDE);
        if (rc < 0)
            return rc;
        L->c->noverrides++;
    }
    return 0;
}

/* ---- loading ------------------------------------------------------------------------------- */

static int read_text(const char *path, char **text, size_t *len, gh_error *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return error_set(err, GH_EIO, "cannot open '%s': %s", path, strerror(errno));
    *text = malloc(CONFIG_MAX_BYTES + 1);
    *len = *text ? fread(*text, 1, CONFIG_MAX_BYTES + 1, fp) : 0;
    bool failed = *text && ferror(fp);
    fclose(fp);
    if (!*text)
        return error_set(err, GH_ENOMEM, "out of memory");
    if (failed || *len > CONFIG_MAX_BYTES) {
        free(*text);
        return failed ? error_set(err, GH_EIO, "cannot read '%s'", path)
                      : error_set(err, GH_EUSAGE,
                                  "'%s' is larger than a project config can be "
                                  "(1 MiB)",
                                  path);
    }
    return 0;
}

static int parse(struct loader *L, const char *text, size_t len)
{
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return error_set(L->err, GH_ENOMEM, "out of memory");
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    int rc = 0;
    if (!yaml_parser_load(&parser, &L->doc)) {
        rc = error_set_at(L->err, GH_EUSAGE, L->c->path, (unsigned)parser.problem_mark.line + 1,
                          (unsigned)parser.problem_mark.column + 1, "not valid YAML: %s",
                          parser.problem ? parser.problem : "unknown problem");
        memset(&L->doc, 0, sizeof(L->doc));
    }
    yaml_parser_delete(&parser);
    return rc;
}

static int load_into(struct loader *L, const char *path)
{
    struct config *c = L->c;
    section_init(&c->top);
    arena_init(&c->arena, 4096);
    c->path = fspath_absolute(path);
    c->dir = c->path ? fspath_parent(c->path) : NULL;
    if (!c->dir)
        return error_set(L->err, GH_ENOMEM, "out of memory");
    char *text = NULL;
    size_t len = 0;
    int rc = read_text(path, &text, &len, L->err);
    if (rc < 0)
        return rc;
    rc = parse(L, text, len);
    free(text);
    if (rc < 0)
        return rc;
    yaml_node_t *root = yaml_document_get_root_node(&L->doc);
    return root ? read_section(L, &c->top, root, AT_TOP) : 0; /* an empty file sets nothing */
}

int config_load(const char *path, struct config **out, gh_error *err)
{
    *out = NULL;
    struct config *c = calloc(1, sizeof(*c));
    if (!c)
        return error_set(err, GH_ENOMEM, "out of memory");
    struct loader L = {.c = c, .err = err};
    int rc = load_into(&L, path);
    yaml_document_delete(&L.doc);
    if (rc < 0) {
        config_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

void config_free(struct config *c)
{
    if (!c)
        return;
    arena_release(&c->arena);
    free(c->path);
    free(c->dir);
    free(c);
}

/* ---- what applies to a file ---------------------------------------------------------------- */

/*
 * Whether a glob takes in a path relative to the config's directory: the path itself or a
 * directory on it; a glob without '/' is tried on each name along the path.
 */
static bool takes_in(const char *glob, const char *rel)
{
    bool by_name = strchr(glob, '/') == NULL;
    char prefix[4096];
    size_t n = strlen(rel);
    if (n >= sizeof(prefix))
        return false;
    const char *start = rel;
    for (size_t i = 0; i <= n; i++) {
        if (rel[i] != '/' && rel[i] != '\0')
            continue;
        const char *candidate = by_name ? start : rel;
        size_t len = by_name ? (size_t)(rel + i - start) : i;
        memcpy(prefix, candidate, len);
        prefix[len] = '\0';
        if (glob_match(glob, prefix))
            return true;
        start = rel + i + 1;
    }
    return false;
}

static bool any_takes_in(const char *const *globs, size_t n, const char *rel)
{
    for (size_t i = 0; i < n; i++)
        if (takes_in(globs[i], rel))
            return true;
    return false;
}

/* The path from the config's directory, or NULL when the file is not below it. */
static char *relative_to(const struct config *c, const char *abs_path)
{
    char *rel = fspath_relative(c->dir, abs_path);
    if (rel && (!strncmp(rel, "../", 3) || !strcmp(rel, "..") || !strcmp(rel, "."))) {
        free(rel);
        return NULL;
    }
    return rel;
}

static void overlay(struct config_settings *out, const struct config_settings *s)
{
    const char **strings[] = {&out->from,         &out->to,      &out->router_flavor,
                              &out->input_flavor, &out->edition, &out->placeholders};
    const char *const given[] = {s->from,         s->to,      s->router_flavor,
                                 s->input_flavor, s->edition, s->placeholders};
    for (size_t i = 0; i < sizeof(given) / sizeof(given[0]); i++)
        if (given[i])
            *strings[i] = given[i];
    if (s->fail_on >= 0)
        out->fail_on = s->fail_on;
    for (size_t r = 0; r < RULE_COUNT; r++)
        if (s->rules[r] != RULE_KEEP)
            out->rules[r] = s->rules[r];
    if (s->nrulesets) {
        out->rulesets = s->rulesets;
        out->nrulesets = s->nrulesets;
    }
}

void config_settings_for(const struct config *c, const char *abs_path, struct config_settings *out)
{
    *out = c->top.settings;
    char *rel = relative_to(c, abs_path);
    for (size_t i = 0; rel && i < c->noverrides; i++)
        if (any_takes_in(c->overrides[i].files, c->overrides[i].nfiles, rel))
            overlay(out, &c->overrides[i].settings);
    free(rel);
}

bool config_excludes(const struct config *c, const char *abs_path)
{
    char *rel = relative_to(c, abs_path);
    bool out = rel && any_takes_in(c->exclude, c->nexclude, rel);
    free(rel);
    return out;
}

/* ---- finding them -------------------------------------------------------------------------- */

void config_cache_init(struct config_cache *cache)
{
    memset(cache, 0, sizeof(*cache));
    pthread_mutex_init(&cache->lock, NULL);
    strmap_init(&cache->dirs);
}

void config_cache_release(struct config_cache *cache)
{
    for (size_t i = 0; i < cache->count; i++)
        config_free(cache->configs[i]);
    free(cache->configs);
    for (size_t i = 0; i < cache->nbaselines; i++)
        baseline_free(cache->baselines[i]);
    free(cache->baselines);
    strmap_release(&cache->dirs);
    pthread_mutex_destroy(&cache->lock);
}

/* Loads a config once per file: its index + 1 in the cache. */
static int load_once(struct config_cache *cache, const char *path, uint32_t *slot, gh_error *err)
{
    char *abs = fspath_absolute(path);
    if (!abs)
        return error_set(err, GH_ENOMEM, "out of memory");
    for (size_t i = 0; i < cache->count; i++)
        if (!strcmp(cache->configs[i]->path, abs)) {
            free(abs);
            *slot = (uint32_t)i + 1;
            return 0;
        }
    free(abs);
    if (cache->count == cache->cap) {
        size_t cap = cache->cap ? cache->cap * 2 : 4;
        struct config **grown = realloc(cache->configs, cap * sizeof(*grown));
        if (!grown)
            return error_set(err, GH_ENOMEM, "out of memory");
        cache->configs = grown;
        cache->cap = cap;
    }
    struct config *c;
    int rc = config_load(path, &c, err);
    if (rc < 0)
        return rc;
    cache->configs[cache->count++] = c;
    *slot = (uint32_t)cache->count;
    return 0;
}

static const char *const config_names[] = {".gatehop.yml", ".gatehop.yaml"};

/* The config in one directory itself: its slot, or 0. */
static int config_in(struct config_cache *cache, const char *dir, uint32_t *slot, gh_error *err)
{
    *slot = 0;
    for (size_t i = 0; i < sizeof(config_names) / sizeof(config_names[0]); i++) {
        char *path = fspath_join(dir, config_names[i]);
        if (!path)
            return error_set(err, GH_ENOMEM, "out of memory");
        struct stat st;
        int rc =
            stat(path, &st) == 0 && S_ISREG(st.st_mode) ? load_once(cache, path, slot, err) : 0;
        free(path);
        if (rc < 0 || *slot)
            return rc;
    }
    return 0;
}

/* Walks up from dir until a directory whose answer is known or that holds a config. */
static int find_from(struct config_cache *cache, const char *dir, uint32_t *slot, gh_error *err)
{
    const uint32_t *known = strmap_get(&cache->dirs, dir, strlen(dir));
    if (known) {
        *slot = *known;
        return 0;
    }
    int rc = config_in(cache, dir, slot, err);
    if (rc == 0 && !*slot && strcmp(dir, "/") != 0) {
        char *parent = fspath_parent(dir);
        rc = parent ? find_from(cache, parent, slot, err)
                    : error_set(err, GH_ENOMEM, "out of memory");
        free(parent);
    }
    if (rc == 0 && strmap_put(&cache->dirs, dir, strlen(dir), *slot, NULL) < 0)
        rc = error_set(err, GH_ENOMEM, "out of memory");
    return rc;
}

int config_cache_find(struct config_cache *cache, const char *abs_path, const struct config **out,
                      gh_error *err)
{
    *out = NULL;
    char *dir = fspath_parent(abs_path);
    if (!dir)
        return error_set(err, GH_ENOMEM, "out of memory");
    uint32_t slot = 0;
    pthread_mutex_lock(&cache->lock);
    int rc = find_from(cache, dir, &slot, err);
    if (rc == 0 && slot)
        *out = cache->configs[slot - 1];
    pthread_mutex_unlock(&cache->lock);
    free(dir);
    return rc;
}

int config_cache_load(struct config_cache *cache, const char *path, const struct config **out,
                      gh_error *err)
{
    uint32_t slot = 0;
    pthread_mutex_lock(&cache->lock);
    int rc = load_once(cache, path, &slot, err);
    *out = rc == 0 ? cache->configs[slot - 1] : NULL;
    pthread_mutex_unlock(&cache->lock);
    return rc;
}

static int baseline_once(struct config_cache *cache, const char *path, const struct baseline **out,
                         gh_error *err)
{
    char *abs = fspath_absolute(path);
    if (!abs)
        return error_set(err, GH_ENOMEM, "out of memory");
    for (size_t i = 0; i < cache->nbaselines && !*out; i++)
        if (!strcmp(cache->baselines[i]->path, abs))
            *out = cache->baselines[i];
    free(abs);
    if (*out)
        return 0;
    struct baseline **grown =
        realloc(cache->baselines, (cache->nbaselines + 1) * sizeof(*cache->baselines));
    if (!grown)
        return error_set(err, GH_ENOMEM, "out of memory");
    cache->baselines = grown;
    struct baseline *b;
    int rc = baseline_load(path, &b, err);
    if (rc == 0)
        *out = cache->baselines[cache->nbaselines++] = b;
    return rc;
}

int config_cache_baseline(struct config_cache *cache, const char *path, const struct baseline **out,
                          gh_error *err)
{
    *out = NULL;
    pthread_mutex_lock(&cache->lock);
    int rc = baseline_once(cache, path, out, err);
    pthread_mutex_unlock(&cache->lock);
    return rc;
}
