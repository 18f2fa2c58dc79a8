/*
 * The XML reports, written with libxml2's text writer (which escapes every attribute and text
 * node): checkstyle (a <file> per input, an <error> per finding) and JUnit (a <testsuite> per
 * input; a <testcase> per finding, failing when the finding is at or above --fail-on, and one
 * passing test case for a file without findings).
 *
 * libxml2 is loaded when an XML report is first asked for, not linked: loading it (and the ICU
 * and C++ libraries it pulls in) at every start costs about 6 ms, more than the rest of a
 * one-file lint (issue 17's start-up figure).
 */
#include <dlfcn.h>
#include <libxml/xmlwriter.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

/* The functions used, each under its libxml2 name. */
static struct {
    xmlBufferPtr (*BufferCreate)(void);
    void (*BufferFree)(xmlBufferPtr);
    const xmlChar *(*BufferContent)(const xmlBuffer *);
    int (*BufferLength)(const xmlBuffer *);
    xmlTextWriterPtr (*NewTextWriterMemory)(xmlBufferPtr, int);
    void (*FreeTextWriter)(xmlTextWriterPtr);
    int (*SetIndent)(xmlTextWriterPtr, int);
    int (*SetIndentString)(xmlTextWriterPtr, const xmlChar *);
    int (*StartDocument)(xmlTextWriterPtr, const char *, const char *, const char *);
    int (*EndDocument)(xmlTextWriterPtr);
    int (*StartElement)(xmlTextWriterPtr, const xmlChar *);
    int (*EndElement)(xmlTextWriterPtr);
    int (*WriteAttribute)(xmlTextWriterPtr, const xmlChar *, const xmlChar *);
    int (*WriteString)(xmlTextWriterPtr, const xmlChar *);
} lx;

static const struct {
    const char *name;
    void **slot;
} lx_symbols[] = {
    {"xmlBufferCreate", (void **)&lx.BufferCreate},
    {"xmlBufferFree", (void **)&lx.BufferFree},
    {"xmlBufferContent", (void **)&lx.BufferContent},
    {"xmlBufferLength", (void **)&lx.BufferLength},
    {"xmlNewTextWriterMemory", (void **)&lx.NewTextWriterMemory},
    {"xmlFreeTextWriter", (void **)&lx.FreeTextWriter},
    {"xmlTextWriterSetIndent", (void **)&lx.SetIndent},
    {"xmlTextWriterSetIndentString", (void **)&lx.SetIndentString},
    {"xmlTextWriterStartDocument", (void **)&lx.StartDocument},
    {"xmlTextWriterEndDocument", (void **)&lx.EndDocument},
    {"xmlTextWriterStartElement", (void **)&lx.StartElement},
    {"xmlTextWriterEndElement", (void **)&lx.EndElement},
    {"xmlTextWriterWriteAttribute", (void **)&lx.WriteAttribute},
    {"xmlTextWriterWriteString", (void **)&lx.WriteString},
};

/* The library's names across releases: 2.9 to 2.13 (Debian 12: .so.2), 2.14 on (.so.16). */
static const char *const lx_files[] = {"libxml2.so.2", "libxml2.so.16", "libxml2.so"};

static pthread_once_t lx_once = PTHREAD_ONCE_INIT;
static char lx_problem[256]; /* empty once loaded */

static void lx_load(void)
{
    void *lib = NULL;
    for (size_t i = 0; !lib && i < sizeof(lx_files) / sizeof(lx_files[0]); i++)
        lib = dlopen(lx_files[i], RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char *why = dlerror();
        snprintf(lx_problem, sizeof(lx_problem), "cannot load libxml2 (%s)", why ? why : "");
        return;
    }
    for (size_t i = 0; i < sizeof(lx_symbols) / sizeof(lx_symbols[0]); i++)
        if (!(*lx_symbols[i].slot = dlsym(lib, lx_symbols[i].name))) {
            snprintf(lx_problem, sizeof(lx_problem), "libxml2 has no %s", lx_symbols[i].name);
            return;
        }
}

const char *report_xml_problem(void)
{
    pthread_once(&lx_once, lx_load);
    return lx_problem[0] ? lx_problem : NULL;
}

struct xml_state {
    FILE *out;
    xmlBufferPtr buffer;
    xmlTextWriterPtr w;
    int rc;
};

#define X(s) ((const xmlChar *)(s))

static void check(struct xml_state *s, int rc)
{
    if (rc < 0)
        s->rc = -1;
}

static void attr(struct xml_state *s, const char *name, const char *value)
{
    check(s, lx.WriteAttribute(s->w, X(name), X(value)));
}

static void attr_number(struct xml_state *s, const char *name, size_t value)
{
    char text[32];
    snprintf(text, sizeof(text), "%zu", value);
    attr(s, name, text);
}

static struct xml_state *xml_begin(FILE *out, const char *root)
{
    if (report_xml_problem())
        return NULL;
    struct xml_state *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->out = out;
    s->buffer = lx.BufferCreate();
    s->w = s->buffer ? lx.NewTextWriterMemory(s->buffer, 0) : NULL;
    if (!s->w) {
        if (s->buffer)
            lx.BufferFree(s->buffer);
        free(s);
        return NULL;
    }
    lx.SetIndent(s->w, 1);
    lx.SetIndentString(s->w, X("  "));
    check(s, lx.StartDocument(s->w, "1.0", "UTF-8", NULL));
    check(s, lx.StartElement(s->w, X(root)));
    return s;
}

static int xml_end(struct xml_state *s)
{
    check(s, lx.EndDocument(s->w)); /* closes the open elements */
    lx.FreeTextWriter(s->w);
    int rc = s->rc;
    if (rc == 0 && fwrite(lx.BufferContent(s->buffer), 1, (size_t)lx.BufferLength(s->buffer),
                          s->out) != (size_t)lx.BufferLength(s->buffer))
        rc = -1;
    lx.BufferFree(s->buffer);
    free(s);
    return rc;
}

/* "HOP2001 unknown-field": the rule as a source or type name. */
static void rule_label(const struct diag *d, char *out, size_t size)
{
    const gh_rule *rule = diag_rule(d);
    snprintf(out, size, "%s %s", rule->code, rule->name);
}

/* ---- checkstyle -------------------------------------------------------------------------- */

static void *checkstyle_begin(FILE *out, const gh_report_options *opt)
{
    (void)opt; /* XML reports have no options */
    struct xml_state *s = xml_begin(out, "checkstyle");
    if (s)
        attr(s, "version", "4.3");
    return s;
}

static int checkstyle_file(void *state, const struct report_file *f)
{
    struct xml_state *s = state;
    check(s, lx.StartElement(s->w, X("file")));
    attr(s, "name", f->name);
    for (size_t i = 0; i < f->sink->count; i++) {
        const struct diag *d = &f->sink->items[i];
        char source[96];
        snprintf(source, sizeof(source), "gatehop.%s", diag_rule(d)->code);
        check(s, lx.StartElement(s->w, X("error")));
        attr_number(s, "line", d->span.line);
        if (d->span.line > 0)
            attr_number(s, "column", d->span.column);
        attr(s, "severity", gh_severity_name(d->severity));
        attr(s, "message", d->message);
        attr(s, "source", source);
        check(s, lx.EndElement(s->w));
    }
    check(s, lx.EndElement(s->w));
    return s->rc;
}

static int checkstyle_end(void *state, const struct report_totals *t)
{
    (void)t;
    return xml_end(state);
}

const struct report_writer report_checkstyle_writer = {
    "checkstyle", GH_FORMAT_CHECKSTYLE, checkstyle_begin, checkstyle_file, checkstyle_end};

/* ---- JUnit ------------------------------------------------------------------------------- */

static void *junit_begin(FILE *out, const gh_report_options *opt)
{
    (void)opt; /* XML reports have no options */
    struct xml_state *s = xml_begin(out, "testsuites");
    if (s)
        attr(s, "name", "gatehop");
    return s;
}

static size_t failures_in(const struct report_file *f)
{
    size_t n = 0;
    for (int sev = (int)f->fail_on; sev <= GH_ERROR; sev++)
        n += f->sink->by_severity[sev];
    return n;
}

static void junit_case(struct xml_state *s, const struct report_file *f, const struct diag *d)
{
    char name[128], text[1200];
    rule_label(d, name, sizeof(name));
    snprintf(text, sizeof(text), "%s:%u:%u: %s: %s [%s]", f->name, d->span.line, d->span.column,
             gh_severity_name(d->severity), d->message, diag_rule(d)->code);
    check(s, lx.StartElement(s->w, X("testcase")));
    char full[1100];
    snprintf(full, sizeof(full), "%s at %s", name, d->path[0] ? d->path : "/");
    attr(s, "name", full);
    attr(s, "classname", f->name);
    attr(s, "file", f->name);
    attr_number(s, "line", d->span.line);
    bool failing = d->severity >= f->fail_on;
    check(s, lx.StartElement(s->w, X(failing ? "failure" : "system-out")));
    if (failing) {
        attr(s, "message", d->message);
        attr(s, "type", diag_rule(d)->code);
    }
    check(s, lx.WriteString(s->w, X(text)));
    check(s, lx.EndElement(s->w));
    check(s, lx.EndElement(s->w));
}

static int junit_file(void *state, const struct report_file *f)
{
    struct xml_state *s = state;
    size_t count = f->sink->count;
    check(s, lx.StartElement(s->w, X("testsuite")));
    attr(s, "name", f->name);
    attr_number(s, "tests", count ? count : 1);
    attr_number(s, "failures", failures_in(f));
    attr_number(s, "errors", 0);
    attr_number(s, "skipped", 0);
    for (size_t i = 0; i < count; i++)
        junit_case(s, f, &f->sink->items[i]);
    if (count == 0) {
        check(s, lx.StartElement(s->w, X("testcase")));
        attr(s, "name", "gatehop lint");
        attr(s, "classname", f->name);
        attr(s, "file", f->name);
        check(s, lx.EndElement(s->w));
    }
    check(s, lx.EndElement(s->w));
    return s->rc;
}

static int junit_end(void *state, const struct report_totals *t)
{
    (void)t;
    return xml_end(state);
}

const struct report_writer report_junit_writer = {"junit", GH_FORMAT_JUNIT, junit_begin, junit_file,
                                                  junit_end};
