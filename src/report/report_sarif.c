/*
 * SARIF 2.1.0, as GitHub code scanning and other SARIF consumers read it: one run whose driver
 * lists every rule of the catalogue (so a rule's ruleIndex is the same in every report), those
 * that fired with their documentation page as help; one result per finding, with its region, the
 * JSON pointer of the value as a logical location, and a fingerprint that survives edits elsewhere
 * in the file.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "util/util_buf.h"
#include "util/util_sha1.h"
#include "util/util_strmap.h"

#ifndef GATEHOP_RULES_URL
/* Where the rule pages (docs/rules/<code>.md) are published; a build may point elsewhere. */
#define GATEHOP_RULES_URL "https://github.com/gatehop/gatehop/blob/main/docs/rules"
#endif

struct sarif_state {
    FILE *out;
    json_t *root, *results, *artifacts;
    json_t *rules; /* the driver's, borrowed from root */
};

static const char *sarif_level(enum gh_severity s)
{
    static const char *const levels[] = {
        [GH_INFO] = "note", [GH_WARNING] = "warning", [GH_ERROR] = "error"};
    return levels[s];
}

static json_t *rule_descriptor(const gh_rule *r)
{
    char uri[256];
    snprintf(uri, sizeof(uri), "%s/%s.md", GATEHOP_RULES_URL, r->code);
    json_t *rule = json_pack("{s:s, s:s, s:{s:s}, s:s, s:{s:s}}", "id", r->code, "name", r->name,
                             "shortDescription", "text", r->summary, "helpUri", uri,
                             "defaultConfiguration", "level", sarif_level(r->severity));
    return rule;
}

/* A ruleset's rule: its description, if any, and no page of gatehop's. */
static json_t *custom_descriptor(const gh_rule *r)
{
    return json_pack("{s:s, s:s, s:{s:s}, s:{s:s}}", "id", r->code, "name", r->name,
                     "shortDescription", "text", r->summary ? r->summary : r->code,
                     "defaultConfiguration", "level", sarif_level(r->severity));
}

static json_t *driver(void)
{
    json_t *rules = json_array();
    for (size_t i = 0; rules && i < gh_rule_count(); i++)
        if (json_array_append_new(rules, rule_descriptor(gh_rule_at(i))) < 0) {
            json_decref(rules);
            return NULL;
        }
    return rules ? json_pack("{s:s, s:s, s:s, s:o}", "name", "gatehop", "version", GATEHOP_VERSION,
                             "informationUri", GATEHOP_RULES_URL, "rules", rules)
                 : NULL;
}

static void *sarif_begin(FILE *out, const gh_report_options *opt)
{
    (void)opt;
    struct sarif_state *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->out = out;
    s->results = json_array();
    s->artifacts = json_array();
    json_t *tool = driver();
    s->rules = json_object_get(tool, "rules");
    s->root = s->results && s->artifacts && tool
                  ? json_pack("{s:s, s:s, s:[{s:{s:o}}]}", "$schema",
                              "https://json.schemastore.org/sarif-2.1.0.json", "version", "2.1.0",
                              "runs", "tool", "driver", tool)
                  : NULL;
    if (!s->root) {
        json_decref(s->results);
        json_decref(s->artifacts);
        free(s);
        return NULL;
    }
    return s;
}

/* A file name as a URI reference: unreserved characters and '/' kept, the rest %-encoded; an
 * absolute path becomes a file:// URI. */
static char *file_uri(const char *name)
{
    struct buf b;
    buf_init(&b, 4096);
    if (name[0] == '/')
        buf_append(&b, "file://", 7);
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~/", *p))
            buf_append(&b, (const char *)p, 1);
        else
            buf_printf(&b, "%%%02X", *p);
    }
    char *uri = b.data ? strdup(buf_cstr(&b)) : NULL;
    buf_release(&b);
    return uri;
}

/*
 * The fingerprint of a finding: its rule, file and JSON pointer (not its line, so it survives
 * edits above it), and how many findings of that rule came before it at that pointer.
 */
static void fingerprint(const char *uri, const struct diag *d, unsigned occurrence,
                        char out[SHA1_HEX_SIZE])
{
    char count[16];
    snprintf(count, sizeof(count), "%u", occurrence);
    const char *code = diag_rule(d)->code;
    const char *pieces[] = {code, "\n", uri, "\n", d->path, "\n", count};
    size_t lens[7];
    for (size_t i = 0; i < 7; i++)
        lens[i] = strlen(pieces[i]);
    sha1_hex(pieces, lens, 7, out);
}

/* How many findings of the same rule at the same pointer came before this one in the file. */
struct occurrences {
    struct strmap seen; /* "<rule>:<pointer>" -> findings so far */
    struct buf key;     /* reused for each finding's key */
};

static int occurrence(struct occurrences *o, const struct diag *d, unsigned *out)
{
    buf_clear(&o->key);
    int rc = buf_printf(&o->key, "%s:%s", diag_rule(d)->code, d->path) < 0
                 ? -1
                 : strmap_put(&o->seen, o->key.data, o->key.len, 0, NULL);
    uint32_t *count = rc >= 0 ? strmap_get(&o->seen, o->key.data, o->key.len) : NULL;
    if (!count)
        return -1;
    *out = (*count)++;
    return 0;
}

/* The rule's page as its help, added once the rule has a result (every page in every report
 * would add some 200 KB). */
static void add_help(struct sarif_state *s, enum rule_id id)
{
    json_t *rule = json_array_get(s->rules, (size_t)id);
    const char *doc = report_rule_doc(rule_info(id));
    if (rule && doc && !json_object_get(rule, "help"))
        json_object_set_new(rule, "help", json_pack("{s:s, s:s}", "text", doc, "markdown", doc));
}

static json_t *location(const char *uri, size_t artifact, const struct diag *d)
{
    json_t *physical =
        json_pack("{s:{s:s, s:I}}", "artifactLocation", "uri", uri, "index", (json_int_t)artifact);
    if (physical && d->span.line > 0)
        json_object_set_new(physical, "region",
                            json_pack("{s:I, s:I, s:I, s:I}", "startLine", (json_int_t)d->span.line,
                                      "startColumn", (json_int_t)d->span.column, "endLine",
                                      (json_int_t)d->span.end_line, "endColumn",
                                      (json_int_t)d->span.end_column));
    json_t *loc = json_pack("{s:o}", "physicalLocation", physical);
    if (loc && d->path[0])
        json_object_set_new(
            loc, "logicalLocations",
            json_pack("[{s:s, s:s}]", "fullyQualifiedName", d->path, "kind", "element"));
    return loc;
}

/* Where the finding's rule is in the driver's list: gatehop's by number, a ruleset's added
 * after them the first time one of its findings comes. -1 when out of memory. */
static json_int_t rule_index(struct sarif_state *s, const struct diag *d)
{
    if (!d->custom)
        return (json_int_t)d->rule;
    size_t count = json_array_size(s->rules);
    for (size_t i = RULE_COUNT; i < count; i++)
        if (!strcmp(json_string_value(json_object_get(json_array_get(s->rules, i), "id")),
                    d->custom->code))
            return (json_int_t)i;
    return json_array_append_new(s->rules, custom_descriptor(d->custom)) == 0 ? (json_int_t)count
                                                                              : -1;
}

static json_t *result(struct sarif_state *s, const char *uri, size_t artifact, const struct diag *d,
                      unsigned nth)
{
    char print[SHA1_HEX_SIZE];
    fingerprint(uri, d, nth, print);
    json_int_t index = rule_index(s, d);
    if (index < 0)
        return NULL;
    return json_pack("{s:s, s:I, s:s, s:{s:s}, s:[o], s:{s:s}}", "ruleId", diag_rule(d)->code,
                     "ruleIndex", index, "level", sarif_level(d->severity), "message", "text",
                     d->message, "locations", location(uri, artifact, d), "partialFingerprints",
                     "gatehop/v1", print);
}

static int sarif_file(void *state, const struct report_file *f)
{
    struct sarif_state *s = state;
    char *uri = file_uri(f->name);
    size_t artifact = json_array_size(s->artifacts);
    int rc = uri && json_array_append_new(s->artifacts,
                                          json_pack("{s:{s:s}}", "location", "uri", uri)) == 0
                 ? 0
                 : -1;
    struct occurrences seen;
    strmap_init(&seen.seen);
    buf_init(&seen.key, BUF_DEFAULT_MAX);
    for (size_t i = 0; rc == 0 && i < f->sink->count; i++) {
        unsigned nth;
        json_t *r = occurrence(&seen, &f->sink->items[i], &nth) == 0
                        ? result(s, uri, artifact, &f->sink->items[i], nth)
                        : NULL;
        rc = r ? json_array_append_new(s->results, r) : -1;
        if (!f->sink->items[i].custom)
            add_help(s, f->sink->items[i].rule);
    }
    strmap_release(&seen.seen);
    buf_release(&seen.key);
    free(uri);
    return rc;
}

static int sarif_end(void *state, const struct report_totals *t)
{
    (void)t;
    struct sarif_state *s = state;
    json_t *run = json_array_get(json_object_get(s->root, "runs"), 0);
    json_object_set_new(run, "artifacts", s->artifacts);
    json_object_set_new(run, "results", s->results);
    int rc = json_dumpf(s->root, s->out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0 ? -1 : 0;
    if (rc == 0 && fputc('\n', s->out) == EOF)
        rc = -1;
    json_decref(s->root);
    free(s);
    return rc;
}

const struct report_writer report_sarif_writer = {"sarif", GH_FORMAT_SARIF, sarif_begin, sarif_file,
                                                  sarif_end};
