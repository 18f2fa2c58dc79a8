#include "ruleset.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "reader/reader.h"
#include "util/util_buf.h"
#include "util/util_error.h"
#include "util/util_fspath.h"
#include "util/util_glob.h"

#define MAX_EXTENDS_DEPTH 16
#define MAX_RULESET_BYTES (16u << 20)
#define MAX_ALIAS_DEPTH   16

/* How an extended ruleset's rules start out (Spectral's second element of an extends pair). */
enum extend_mode { EXTEND_RECOMMENDED, EXTEND_ALL, EXTEND_OFF };

struct loader {
    struct ruleset *rs;
    gh_error *err;
    const char *chain[MAX_EXTENDS_DEPTH]; /* the files being loaded, outermost first */
    size_t depth;
    bool builtin_extended; /* a spectral: ruleset was extended: overrides may name its rules */
    const char *text;      /* the root ruleset's text, when given rather than read */
    size_t text_len;
};

/* What one file brings: its aliases and custom functions, for its own rules. */
struct file_ctx {
    const char *path;
    const struct node *aliases;   /* mapping or NULL */
    const struct node *functions; /* sequence of names or NULL */
    const struct node *formats;   /* the file's formats, its rules' default, or NULL */
};

static int fail_at(struct loader *L, const char *file, const struct node *n, const char *fmt, ...)
    GH_PRINTF(4, 5);
static int fail_at(struct loader *L, const char *file, const struct node *n, const char *fmt, ...)
{
    char message[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    return error_set_at(L->err, GH_EUSAGE, file, n ? n->span.line : 1, n ? n->span.column : 1, "%s",
                        message);
}

static bool is_string(const struct node *n)
{
    return node_is_string(n);
}

/* ---- the file ------------------------------------------------------------------------------ */

static int read_whole(struct loader *L, const char *path, char **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return error_set(L->err, GH_EUSAGE, "ruleset %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_RULESET_BYTES) {
        fclose(f);
        return error_set(L->err, GH_EUSAGE, "ruleset %s: not a regular file of at most %u MB", path,
                         MAX_RULESET_BYTES >> 20);
    }
    *len = (size_t)st.st_size;
    *data = malloc(*len + 1);
    if (!*data) {
        fclose(f);
        return error_set(L->err, GH_ENOMEM, "out of memory");
    }
    size_t got = fread(*data, 1, *len, f);
    fclose(f);
    if (got != *len) {
        free(*data);
        return error_set(L->err, GH_EUSAGE, "ruleset %s: could not be read", path);
    }
    return 0;
}

/*
 * Spectral reads rulesets as YAML 1.2, where yes, no, on, off, y and n are words; gatehop's
 * reader types them as YAML 1.1 does (as Kong's loader does), so they are made strings again:
 * `values: [yes, no]` is two strings to Spectral. (The tree is the ruleset's own copy; depth is
 * bounded by the reader's limits.)
 */
static void words_as_yaml12(struct node *n)
{
    if (n->kind == NODE_SCALAR) {
        if (n->type == SCALAR_BOOL && (n->flags & NODE_YAML11) && !(n->flags & NODE_TAGGED))
            n->type = SCALAR_STRING;
        return;
    }
    for (uint32_t i = 0; i < n->count; i++) {
        if (n->kind == NODE_SEQUENCE) {
            words_as_yaml12(n->u.items[i]);
        } else {
            words_as_yaml12(n->u.pairs[i].key);
            words_as_yaml12(n->u.pairs[i].value);
        }
    }
}

/* The file's tree: from text given (the root ruleset of ruleset_load_text) or read from disk. */
static int parse_file(struct loader *L, const char *path, struct node **root)
{
    char *data = NULL;
    size_t len = 0;
    const char *text = L->text;
    if (text) {
        len = L->text_len;
        L->text = NULL; /* for the root file only */
    } else if (read_whole(L, path, &data, &len) < 0) {
        return -1;
    }
    int rc = reader_load_knowledge(path, text ? text : data, len, &L->rs->arena, root, L->err);
    free(data);
    if (rc == 0)
        words_as_yaml12(*root);
    if (rc < 0 && L->err->status == GH_ESCHEMA)
        L->err->status = GH_EUSAGE; /* the user's file, not gatehop's knowledge */
    return rc;
}

/* ---- rules --------------------------------------------------------------------------------- */

static struct rs_rule *find_rule(struct ruleset *rs, const char *name)
{
    for (size_t i = 0; i < rs->nrules; i++)
        if (!strcmp(rs->rules[i]->info.code, name))
            return rs->rules[i];
    return NULL;
}

static int add_rule(struct loader *L, struct rs_rule *r)
{
    struct ruleset *rs = L->rs;
    for (size_t i = 0; i < rs->nrules; i++)
        if (!strcmp(rs->rules[i]->info.code, r->info.code)) {
            rs->rules[i] = r;
            return 0;
        }
    struct rs_rule **rules = arena_alloc(&rs->arena, (rs->nrules + 1) * sizeof(*rules));
    if (!rules)
        return error_set(L->err, GH_ENOMEM, "out of memory");
    if (rs->nrules)
        memcpy(rules, rs->rules, rs->nrules * sizeof(*rules));
    rules[rs->nrules++] = r;
    rs->rules = rules;
    return 0;
}

static const struct {
    const char *name;
    enum gh_severity severity;
    bool hint, off;
} severity_names[] = {{"error", GH_ERROR, false, false},
                      {"warn", GH_WARNING, false, false},
                      {"info", GH_INFO, false, false},
                      {"hint", GH_INFO, true, false},
                      {"off", GH_INFO, false, true}};

/* Spectral's severities: a name, or 0 (error) to 3 (hint), -1 off. */
/* numbers: Spectral takes 0 to 3 (and -1) in a rule's severity, but only names where a rule
 * is overridden (`name: warn`, overrides). */
static int read_severity(struct loader *L, const char *file, const struct node *n, bool numbers,
                         struct rs_severity *out)
{
    int index = -1;
    if (is_string(n)) {
        for (size_t i = 0; i < sizeof(severity_names) / sizeof(severity_names[0]); i++)
            if (!strcmp(n->u.text, severity_names[i].name))
                index = (int)i;
    } else if (numbers && node_is_scalar(n) && n->type == SCALAR_INT && n->v.i >= -1 &&
               n->v.i <= 3) {
        index = n->v.i < 0 ? 4 : (int)n->v.i;
    }
    if (index < 0)
        return fail_at(L, file, n,
                       numbers ? "severity: expected error, warn, info, hint, off or 0 to 3"
                               : "severity: expected error, warn, info, hint, off, true or "
                                 "false");
    *out = (struct rs_severity){severity_names[index].severity, severity_names[index].hint,
                                severity_names[index].off};
    return 0;
}

static int parse_severity(struct loader *L, const char *file, const struct node *n, bool numbers,
                          struct rs_rule *r)
{
    struct rs_severity sev;
    if (read_severity(L, file, n, numbers, &sev) < 0)
        return -1;
    r->info.severity = sev.severity;
    r->hint = sev.hint;
    r->off = sev.off;
    return 0;
}

/* `#Name` and `#Name.rest` stand for the alias's paths with the rest appended. */
static int expand_given(struct loader *L, const struct file_ctx *fc, const struct node *n,
                        const char *text, int depth, struct rs_rule *r);

static int add_given(struct loader *L, const struct file_ctx *fc, const struct node *n,
                     const char *text, struct rs_rule *r)
{
    struct ruleset *rs = L->rs;
    struct jpath_error perr;
    const struct jpath *p;
    if (jpath_parse(text, &rs->arena, &rs->regexes, &p, &perr) < 0)
        return fail_at(L, fc->path, n, "given '%s': %s (at character %zu)", text, perr.message,
                       perr.offset + 1);
    const struct jpath **given = arena_alloc(&rs->arena, (r->ngiven + 1) * sizeof(*given));
    const char **texts = arena_alloc(&rs->arena, (r->ngiven + 1) * sizeof(*texts));
    if (!given || !texts)
        return error_set(L->err, GH_ENOMEM, "out of memory");
    if (r->ngiven) {
        memcpy(given, r->given, r->ngiven * sizeof(*given));
        memcpy(texts, r->given_text, r->ngiven * sizeof(*texts));
    }
    given[r->ngiven] = p;
    texts[r->ngiven++] = text;
    r->given = given;
    r->given_text = texts;
    return 0;
}

static int expand_alias(struct loader *L, const struct file_ctx *fc, const struct node *n,
                        const char *text, int depth, struct rs_rule *r)
{
    size_t name_len = strcspn(text + 1, ".[");
    const struct node *alias = NULL;
    for (uint32_t i = 0; fc->aliases && i < fc->aliases->count; i++) {
        const struct node *key = fc->aliases->u.pairs[i].key;
        if (key->count == name_len && !memcmp(key->u.text, text + 1, name_len))
            alias = fc->aliases->u.pairs[i].value;
    }
    if (!alias)
        return fail_at(L, fc->path, n, "given '%s': no alias '%.*s' in this ruleset", text,
                       (int)name_len, text + 1);
    if (alias->kind == NODE_MAPPING)
        return fail_at(L, fc->path, n,
                       "given '%s': alias '%.*s' is format-specific (targets), which gatehop does "
                       "not support",
                       text, (int)name_len, text + 1);
    const char *rest = text + 1 + name_len;
    bool list = alias->kind == NODE_SEQUENCE;
    for (uint32_t i = 0; i < (list ? alias->count : 1); i++) {
        const struct node *target = list ? alias->u.items[i] : alias;
        if (!is_string(target))
            return fail_at(L, fc->path, target, "alias: expected a JSONPath string");
        const char *full = arena_printf(&L->rs->arena, "%s%s", target->u.text, rest);
        if (!full)
            return error_set(L->err, GH_ENOMEM, "out of memory");
        if (expand_given(L, fc, n, full, depth + 1, r) < 0)
            return -1;
    }
    return 0;
}

static int expand_given(struct loader *L, const struct file_ctx *fc, const struct node *n,
                        const char *text, int depth, struct rs_rule *r)
{
    if (depth > MAX_ALIAS_DEPTH)
        return fail_at(L, fc->path, n, "given '%s': aliases nest deeper than %d (a loop?)", text,
                       MAX_ALIAS_DEPTH);
    return text[0] == '#' ? expand_alias(L, fc, n, text, depth, r) : add_given(L, fc, n, text, r);
}

static int parse_given(struct loader *L, const struct file_ctx *fc, const struct node *n,
                       struct rs_rule *r)
{
    r->ngiven = 0;
    bool list = n->kind == NODE_SEQUENCE;
    if (list && n->count == 0)
        return fail_at(L, fc->path, n, "given: expected at least one JSONPath");
    for (uint32_t i = 0; i < (list ? n->count : 1); i++) {
        const struct node *item = list ? n->u.items[i] : n;
        if (!is_string(item))
            return fail_at(L, fc->path, item, "given: expected a JSONPath string");
        if (expand_given(L, fc, item, item->u.text, 0, r) < 0)
            return -1;
    }
    return 0;
}

static bool custom_function(const struct file_ctx *fc, const char *name)
{
    for (uint32_t i = 0; fc->functions && i < fc->functions->count; i++)
        if (node_text_equals(fc->functions->u.items[i], name))
            return true;
    return false;
}

/* "a.b[0]" (lodash's toPath): the segments of a property path. */
static int parse_field_segments(struct loader *L, const char *field, struct rs_then *t)
{
    size_t cap = strlen(field) + 1;
    struct path_segment *segs = arena_calloc(&L->rs->arena, cap, sizeof(*segs));
    if (!segs)
        return error_set(L->err, GH_ENOMEM, "out of memory");
    size_t n = 0;
    for (const char *p = field; *p;) {
        if (*p == '.') {
            p++;
            continue;
        }
        if (*p == '[') {
            const char *close = strchr(p, ']');
            size_t len = close ? (size_t)(close - p - 1) : strlen(p + 1);
            const char *inner = p + 1;
            if (len >= 2 && (inner[0] == '\'' || inner[0] == '"') && inner[len - 1] == inner[0]) {
                inner++;
                len -= 2;
            }
            segs[n++] = (struct path_segment){arena_strndup(&L->rs->arena, inner, len), len};
            p = close ? close + 1 : p + strlen(p);
            continue;
        }
        size_t len = strcspn(p, ".[");
        segs[n++] = (struct path_segment){arena_strndup(&L->rs->arena, p, len), len};
        p += len;
    }
    t->field_segs = segs;
    t->nfield_segs = n;
    return 0;
}

static int parse_field(struct loader *L, const struct file_ctx *fc, const struct node *n,
                       struct rs_then *t)
{
    if (!is_string(n))
        return fail_at(L, fc->path, n, "field: expected a string");
    t->field = n->u.text;
    if (!strcmp(t->field, "@key")) {
        t->field_keys = true;
        return 0;
    }
    if (t->field[0] == '$') {
        struct jpath_error perr;
        if (jpath_parse(t->field, &L->rs->arena, &L->rs->regexes, &t->field_path, &perr) < 0)
            return fail_at(L, fc->path, n, "field '%s': %s (at character %zu)", t->field,
                           perr.message, perr.offset + 1);
        return 0;
    }
    return parse_field_segments(L, t->field, t);
}

static int parse_function(struct loader *L, const struct file_ctx *fc, const struct node *fn,
                          const struct node *options, struct rs_then *t, struct rs_rule *r)
{
    if (!is_string(fn))
        return fail_at(L, fc->path, fn, "function: expected a function's name");
    t->func = rs_func_find(fn->u.text);
    if (!t->func) {
        if (!custom_function(fc, fn->u.text))
            return fail_at(L, fc->path, fn,
                           "function '%s' is not one of Spectral's core functions, nor named "
                           "under this ruleset's functions",
                           fn->u.text);
        r->skipped = arena_printf(&L->rs->arena,
                                  "its function '%s' is custom JavaScript, which gatehop does "
                                  "not run",
                                  fn->u.text);
        return 0;
    }
    char why[300];
    const struct node *at = NULL;
    if (rs_func_prepare(t->func, options, &L->rs->arena, &L->rs->regexes, &t->prepared, why,
                        sizeof(why), &at) < 0)
        return fail_at(L, fc->path,
                       at        ? at
                       : options ? options
                                 : fn,
                       "functionOptions of '%s': %s", fn->u.text, why);
    return 0;
}

static int parse_then_one(struct loader *L, const struct file_ctx *fc, const struct node *n,
                          struct rs_then *t, struct rs_rule *r)
{
    if (n->kind != NODE_MAPPING)
        return fail_at(L, fc->path, n,
                       "then: expected a mapping (field, function, "
                       "functionOptions)");
    const struct node *fn = NULL, *options = NULL;
    for (uint32_t i = 0; i < n->count; i++) {
        const struct node *key = n->u.pairs[i].key, *value = n->u.pairs[i].value;
        if (node_text_equals(key, "field")) {
            if (parse_field(L, fc, value, t) < 0)
                return -1;
        } else if (node_text_equals(key, "function")) {
            fn = value;
        } else if (node_text_equals(key, "functionOptions")) {
            options = value;
        } else {
            return fail_at(L, fc->path, key,
                           "then: unknown key '%s' (field, function, "
                           "functionOptions)",
                           key->u.text);
        }
    }
    if (!fn)
        return fail_at(L, fc->path, n, "then: a function is required");
    return parse_function(L, fc, fn, options, t, r);
}

static int parse_then(struct loader *L, const struct file_ctx *fc, const struct node *n,
                      struct rs_rule *r)
{
    bool list = n->kind == NODE_SEQUENCE;
    size_t count = list ? n->count : 1;
    if (count == 0)
        return fail_at(L, fc->path, n, "then: expected at least one function");
    r->then = arena_calloc(&L->rs->arena, count, sizeof(*r->then));
    if (!r->then)
        return error_set(L->err, GH_ENOMEM, "out of memory");
    r->nthen = count;
    r->skipped = NULL;
    for (size_t i = 0; i < count; i++)
        if (parse_then_one(L, fc, list ? n->u.items[i] : n, &r->then[i], r) < 0)
            return -1;
    return 0;
}

static int need_string(struct loader *L, const struct file_ctx *fc, const struct node *value,
                       const char *key, const char **out)
{
    if (!is_string(value))
        return fail_at(L, fc->path, value, "%s: expected a string", key);
    *out = value->u.text;
    return 0;
}

/* Spectral's document formats (oas3, json-schema, ...): a rule bound to any runs only on such
 * documents, which a gateway config is not; kept as text for the note that says so. */
static int read_formats(struct loader *L, const struct file_ctx *fc, const struct node *value,
                        struct rs_rule *r)
{
    if (value->kind != NODE_SEQUENCE)
        return fail_at(L, fc->path, value, "formats: expected a list of format names");
    struct buf names;
    buf_init(&names, 4096);
    for (uint32_t i = 0; i < value->count; i++) {
        if (!is_string(value->u.items[i])) {
            buf_release(&names);
            return fail_at(L, fc->path, value->u.items[i], "formats: expected a format's name");
        }
        buf_printf(&names, "%s%s", i ? ", " : "", value->u.items[i]->u.text);
    }
    r->has_formats = true;
    r->formats = arena_strdup(&L->rs->arena, buf_cstr(&names));
    buf_release(&names);
    return r->formats ? 0 : error_set(L->err, GH_ENOMEM, "out of memory");
}

/* One key of a rule's definition. */
static int rule_key(struct loader *L, const struct file_ctx *fc, const struct node *key,
                    const struct node *value, struct rs_rule *r, bool *recommended)
{
    const char *k = key->u.text;
    if (!strcmp(k, "description"))
        return need_string(L, fc, value, k, &r->description);
    if (!strcmp(k, "message"))
        return need_string(L, fc, value, k, &r->message);
    if (!strcmp(k, "documentationUrl"))
        return need_string(L, fc, value, k, &r->documentation);
    if (!strcmp(k, "severity"))
        return parse_severity(L, fc->path, value, true, r);
    if (!strcmp(k, "given"))
        return parse_given(L, fc, value, r);
    if (!strcmp(k, "then"))
        return parse_then(L, fc, value, r);
    if (!strcmp(k, "formats"))
        return read_formats(L, fc, value, r);
    if (!strcmp(k, "recommended") || !strcmp(k, "resolved")) {
        if (!node_is_scalar(value) || value->type != SCALAR_BOOL)
            return fail_at(L, fc->path, value, "%s: expected true or false", k);
        if (!strcmp(k, "recommended"))
            *recommended = value->v.b;
        return 0; /* resolved: gateway configs have no $ref to resolve */
    }
    return fail_at(L, fc->path, key,
                   "rule '%s': unknown key '%s' (description, message, severity, given, then, "
                   "formats, recommended, resolved, documentationUrl)",
                   r->info.code, k);
}

static int define_rule(struct loader *L, const struct file_ctx *fc, const struct node *name,
                       const struct node *def, enum extend_mode mode)
{
    /* A definition is whole even where it replaces an inherited rule, as Spectral wants it;
     * only a severity or a boolean changes an inherited rule in part (override_rule). */
    if (!node_map_get(def, "given") || !node_map_get(def, "then"))
        return fail_at(L, fc->path, def, "rule '%s': given and then are required", name->u.text);
    struct rs_rule *r = arena_calloc(&L->rs->arena, 1, sizeof(*r));
    if (!r)
        return error_set(L->err, GH_ENOMEM, "out of memory");
    r->info = (gh_rule){name->u.text, name->u.text, GH_WARNING, NULL};
    r->file = fc->path;
    r->span = name->span;
    bool recommended = true;
    if (fc->formats && !node_map_get(def, "formats") && read_formats(L, fc, fc->formats, r) < 0)
        return -1;
    for (uint32_t i = 0; i < def->count; i++)
        if (rule_key(L, fc, def->u.pairs[i].key, def->u.pairs[i].value, r, &recommended) < 0)
            return -1;
    r->info.summary = r->description;
    if (mode == EXTEND_OFF || (mode == EXTEND_RECOMMENDED && !recommended))
        r->off = true;
    return add_rule(L, r);
}

/* `name: off`, `name: info`, `name: false`: an inherited rule's severity (by name only). */
static int override_rule(struct loader *L, const struct file_ctx *fc, const struct node *name,
                         const struct node *value)
{
    struct rs_rule *old = find_rule(L->rs, name->u.text);
    if (!old)
        return L->builtin_extended
                   ? 0 /* a rule of spectral:oas: it never applies to a gateway config */
                   : fail_at(L, fc->path, name,
                             "rule '%s' is not defined here or in what this ruleset extends",
                             name->u.text);
    struct rs_rule *r = arena_alloc(&L->rs->arena, sizeof(*r));
    if (!r)
        return error_set(L->err, GH_ENOMEM, "out of memory");
    *r = *old;
    if (node_is_scalar(value) && value->type == SCALAR_BOOL)
        r->off = !value->v.b;
    else if (parse_severity(L, fc->path, value, false, r) < 0)
        return -1;
    return add_rule(L, r);
}

static int load_rules(struct loader *L, const struct file_ctx *fc, const struct node *rules,
                      enum extend_mode mode)
{
    if (rules->kind != NODE_MAPPING)
        return fail_at(L, fc->path, rules, "rules: expected a mapping of rule names");
    for (uint32_t i = 0; i < rules->count; i++) {
        const struct node *name = rules->u.pairs[i].key, *def = rules->u.pairs[i].value;
        int rc = def->kind == NODE_MAPPING ? define_rule(L, fc, name, def, mode)
                                           : override_rule(L, fc, name, def);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* ---- extends ------------------------------------------------------------------------------- */

/* path: as messages name the file; identity: its absolute path, for finding loops. */
static int load_file(struct loader *L, const char *path, const char *identity,
                     enum extend_mode mode);

static const char *const extend_modes[] = {"recommended", "all", "off"};

static int extend_one(struct loader *L, const struct file_ctx *fc, const struct node *item,
                      enum extend_mode outer)
{
    const struct node *target = item;
    /* a bare path extends its recommended rules; inside an extension that is off, all start off */
    enum extend_mode mode = outer == EXTEND_OFF ? EXTEND_OFF : EXTEND_RECOMMENDED;
    if (item->kind == NODE_SEQUENCE) {
        if (item->count != 2 || !is_string(item->u.items[0]) || !is_string(item->u.items[1]))
            return fail_at(L, fc->path, item, "extends: expected [ruleset, all|recommended|off]");
        target = item->u.items[0];
        bool known = false;
        for (size_t m = 0; m < sizeof(extend_modes) / sizeof(extend_modes[0]); m++)
            if (!strcmp(item->u.items[1]->u.text, extend_modes[m])) {
                mode = outer == EXTEND_OFF ? EXTEND_OFF : (enum extend_mode)m;
                known = true;
            }
        if (!known)
            return fail_at(L, fc->path, item->u.items[1],
                           "extends: expected all, recommended or off");
    }
    if (!is_string(target))
        return fail_at(L, fc->path, target, "extends: expected a ruleset's path");
    const char *name = target->u.text;
    if (!strncmp(name, "spectral:", 9)) {
        /* spectral:oas and the like check OpenAPI or AsyncAPI documents: their rules are all
         * format-bound, so on a gateway config they would never run. */
        L->builtin_extended = true;
        return 0;
    }
    if (strstr(name, "://"))
        return fail_at(L, fc->path, target,
                       "extends '%s': gatehop runs offline and does not fetch rulesets; "
                       "download it and extend the local file",
                       name);
    /* relative to the extending file's folder ("." for a file named without one) */
    const char *slash = strrchr(fc->path, '/');
    char *dir = slash ? strndup(fc->path, (size_t)(slash - fc->path) + (slash == fc->path)) : NULL;
    char *path = name[0] == '/' || !slash ? strdup(name) : dir ? fspath_join(dir, name) : NULL;
    free(dir);
    if (!path)
        return error_set(L->err, GH_ENOMEM, "out of memory");
    /* the chain compares files by their absolute paths: ./a.yaml and a.yaml are one file */
    char *absolute = fspath_absolute(path);
    const char *shown = arena_strdup(&L->rs->arena, path);
    const char *identity = arena_strdup(&L->rs->arena, absolute ? absolute : path);
    free(absolute);
    free(path);
    if (!shown || !identity)
        return error_set(L->err, GH_ENOMEM, "out of memory");
    for (size_t i = 0; i < L->depth; i++)
        if (!strcmp(L->chain[i], identity))
            return fail_at(L, fc->path, target, "extends '%s': the rulesets extend each other",
                           name);
    if (load_file(L, shown, identity, mode) < 0) {
        /* say where the failing file was extended from, unless the error is in that file */
        if (!L->err->file[0])
            fail_at(L, fc->path, target, "extends '%s': %s", name, L->err->message);
        return -1;
    }
    return 0;
}

static int load_extends(struct loader *L, const struct file_ctx *fc, const struct node *ext,
                        enum extend_mode mode)
{
    /* a list is always of rulesets, each a path or a [path, mode] pair, as in Spectral */
    bool list = ext->kind == NODE_SEQUENCE;
    for (uint32_t i = 0; i < (list ? ext->count : 1); i++)
        if (extend_one(L, fc, list ? ext->u.items[i] : ext, mode) < 0)
            return -1;
    return 0;
}

/* ---- one file ------------------------------------------------------------------------------ */

/* ---- overrides ----------------------------------------------------------------------------- */

/* files: globs of whole files; a JSON pointer after '#' scopes a rule to part of a document,
 * which gatehop does not do. */
static int read_override_files(struct loader *L, const char *path, const struct node *files,
                               struct rs_override *o)
{
    if (!files || files->kind != NODE_SEQUENCE || files->count == 0)
        return fail_at(L, path, files, "overrides: each needs files, a list of globs");
    o->files = arena_calloc(&L->rs->arena, files->count, sizeof(*o->files));
    if (!o->files)
        return error_set(L->err, GH_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < files->count; i++) {
        const struct node *g = files->u.items[i];
        if (!is_string(g))
            return fail_at(L, path, g, "overrides: files: expected a glob");
        if (strchr(g->u.text, '#'))
            return fail_at(L, path, g,
                           "overrides: '%s' names part of a document (#/...), which gatehop "
                           "does not support; name whole files",
                           g->u.text);
        o->files[o->nfiles++] =
            g->u.text[0] == '.' && g->u.text[1] == '/' ? g->u.text + 2 : g->u.text;
    }
    return 0;
}

/* rules: severities only (a whole rule defined for some files is not supported). */
static int read_override_rules(struct loader *L, const char *path, const struct node *rules,
                               struct rs_override *o)
{
    if (!rules || rules->kind != NODE_MAPPING)
        return fail_at(L, path, rules,
                       "overrides: each needs rules, a mapping of rule names "
                       "to severities");
    o->rule_names = arena_calloc(&L->rs->arena, rules->count + 1, sizeof(*o->rule_names));
    o->severities = arena_calloc(&L->rs->arena, rules->count + 1, sizeof(*o->severities));
    if (!o->rule_names || !o->severities)
        return error_set(L->err, GH_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < rules->count; i++) {
        const struct node *name = rules->u.pairs[i].key, *value = rules->u.pairs[i].value;
        struct rs_rule *known = find_rule(L->rs, name->u.text);
        if (!known && !L->builtin_extended)
            return fail_at(L, path, name, "overrides: rule '%s' is not defined", name->u.text);
        struct rs_severity *sev = &o->severities[o->nrules];
        if (value->kind == NODE_MAPPING)
            return fail_at(L, path, value,
                           "overrides: a rule defined for some files only is not supported; "
                           "give a severity (or false)");
        if (node_is_scalar(value) && value->type == SCALAR_BOOL)
            *sev = (struct rs_severity){known ? known->info.severity : GH_WARNING,
                                        known && known->hint, !value->v.b};
        else if (read_severity(L, path, value, false, sev) < 0)
            return -1;
        o->rule_names[o->nrules++] = name->u.text;
    }
    return 0;
}

static int read_override(struct loader *L, const char *path, const char *dir,
                         const struct node *item, struct rs_override *o)
{
    if (item->kind != NODE_MAPPING)
        return fail_at(L, path, item, "overrides: expected a mapping with files and rules");
    for (uint32_t i = 0; i < item->count; i++) {
        const struct node *key = item->u.pairs[i].key;
        if (!node_text_equals(key, "files") && !node_text_equals(key, "rules"))
            return fail_at(L, path, key, "overrides: '%s' is not supported (files and rules are)",
                           key->u.text);
    }
    o->dir = dir;
    if (read_override_files(L, path, node_map_get(item, "files"), o) < 0)
        return -1;
    return read_override_rules(L, path, node_map_get(item, "rules"), o);
}

static int load_overrides(struct loader *L, const char *path, const char *identity,
                          const struct node *list)
{
    if (list->kind != NODE_SEQUENCE)
        return fail_at(L, path, list, "overrides: expected a list");
    const char *slash = strrchr(identity, '/');
    const char *dir = arena_strndup(&L->rs->arena, identity,
                                    slash ? (size_t)(slash - identity) + (slash == identity) : 0);
    struct ruleset *rs = L->rs;
    struct rs_override *all =
        arena_calloc(&rs->arena, rs->noverrides + list->count + 1, sizeof(*all));
    if (!dir || !all)
        return error_set(L->err, GH_ENOMEM, "out of memory");
    if (rs->noverrides)
        memcpy(all, rs->overrides, rs->noverrides * sizeof(*all));
    for (uint32_t i = 0; i < list->count; i++)
        if (read_override(L, path, dir, list->u.items[i], &all[rs->noverrides + i]) < 0)
            return -1;
    rs->overrides = all;
    rs->noverrides += list->count;
    return 0;
}

/* A glob of an override against the file's path from the ruleset's folder; a glob without a
 * '/' is also tried against the file's name. */
static bool override_takes(const struct rs_override *o, const char *abs_path)
{
    char *rel = fspath_relative(o->dir, abs_path);
    bool hit = false;
    const char *base = strrchr(abs_path, '/');
    for (size_t i = 0; rel && i < o->nfiles && !hit; i++)
        hit = glob_match(o->files[i], rel) ||
              (!strchr(o->files[i], '/') && base && glob_match(o->files[i], base + 1) &&
               !strchr(rel, '/'));
    free(rel);
    return hit;
}

void ruleset_severities_for(const struct ruleset *rs, const char *abs_path,
                            struct rs_severity *severities)
{
    for (size_t i = 0; i < rs->nrules; i++)
        severities[i] = (struct rs_severity){rs->rules[i]->info.severity, rs->rules[i]->hint,
                                             rs->rules[i]->off};
    for (size_t k = 0; abs_path && k < rs->noverrides; k++) {
        const struct rs_override *o = &rs->overrides[k];
        if (!override_takes(o, abs_path))
            continue;
        for (size_t r = 0; r < o->nrules; r++)
            for (size_t i = 0; i < rs->nrules; i++)
                if (!strcmp(rs->rules[i]->info.code, o->rule_names[r]))
                    severities[i] = o->severities[r];
    }
}

static const char *const top_keys[] = {
    "extends",      "rules",       "aliases",          "formats",       "functions",
    "functionsDir", "description", "documentationUrl", "parserOptions", "overrides"};

static int check_top_keys(struct loader *L, const char *path, const struct node *root)
{
    for (uint32_t i = 0; i < root->count; i++) {
        const struct node *key = root->u.pairs[i].key;
        bool known = false;
        for (size_t k = 0; k < sizeof(top_keys) / sizeof(top_keys[0]); k++)
            known |= node_text_equals(key, top_keys[k]);
        if (!known)
            return fail_at(L, path, key, "unknown key '%s' in a ruleset", key->u.text);
    }
    return 0;
}

static int load_file(struct loader *L, const char *path, const char *identity,
                     enum extend_mode mode)
{
    if (L->depth == MAX_EXTENDS_DEPTH)
        return error_set(L->err, GH_EUSAGE, "ruleset %s: extends nest deeper than %d", path,
                         MAX_EXTENDS_DEPTH);
    struct node *root;
    if (parse_file(L, path, &root) < 0)
        return -1;
    if (check_top_keys(L, path, root) < 0)
        return -1;
    struct file_ctx fc = {path, node_map_get(root, "aliases"), node_map_get(root, "functions"),
                          node_map_get(root, "formats")};
    if (fc.aliases && fc.aliases->kind != NODE_MAPPING)
        return fail_at(L, path, fc.aliases, "aliases: expected a mapping");
    if (fc.functions && fc.functions->kind != NODE_SEQUENCE)
        return fail_at(L, path, fc.functions, "functions: expected a list of names");
    L->chain[L->depth++] = identity;
    const struct node *ext = node_map_get(root, "extends");
    int rc = ext ? load_extends(L, &fc, ext, mode) : 0;
    L->depth--;
    if (rc < 0)
        return rc;
    const struct node *rules = node_map_get(root, "rules");
    /* the root file counts as extended with its recommended rules, as in Spectral: a rule of
     * its own marked recommended: false is off too */
    if (rules && (rc = load_rules(L, &fc, rules, mode)) < 0)
        return rc;
    const struct node *overrides = node_map_get(root, "overrides");
    return overrides ? load_overrides(L, path, identity, overrides) : 0;
}

static int load_root(const char *path, const char *text, size_t len, struct ruleset **out,
                     gh_error *err)
{
    struct ruleset *rs = calloc(1, sizeof(*rs));
    if (!rs)
        return error_set(err, GH_ENOMEM, "out of memory");
    arena_init(&rs->arena, 16 * 1024);
    struct loader L = {.rs = rs, .err = err, .text = text, .text_len = len};
    int rc = -1;
    char *absolute = fspath_absolute(path);
    const char *identity = arena_strdup(&rs->arena, absolute ? absolute : path);
    free(absolute);
    if ((rs->path = arena_strdup(&rs->arena, path)) && identity)
        rc = load_file(&L, rs->path, identity, EXTEND_RECOMMENDED);
    else
        error_set(err, GH_ENOMEM, "out of memory");
    if (rc < 0) {
        ruleset_free(rs);
        return rc;
    }
    *out = rs;
    return 0;
}

int ruleset_load(const char *path, struct ruleset **out, gh_error *err)
{
    return load_root(path, NULL, 0, out, err);
}

int ruleset_load_text(const char *path, const char *text, size_t len, struct ruleset **out,
                      gh_error *err)
{
    return load_root(path, text ? text : "", len, out, err);
}

void ruleset_free(struct ruleset *rs)
{
    if (!rs)
        return;
    jpath_free_regexes(&rs->regexes);
    arena_release(&rs->arena);
    free(rs);
}
