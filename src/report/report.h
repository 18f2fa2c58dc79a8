/*
 * Reports: the findings of every input, written in one format. Each format is a writer with
 * begin, file and end (one call per input, in file-name order), so adding a format is adding a
 * row to the table in report.c and a file report_<format>.c.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stdio.h>

#include "check/check.h"
#include "diag/diag.h"
#include "gatehop.h"
#include "plan/plan.h"
#include "source/source.h"

struct report_file {
    const char *name;
    const struct diag_sink *sink; /* sorted */
    const struct source *src;     /* for excerpts; NULL when the input could not be read */
    const struct check_info *info;
    const struct rw_log *log; /* convert: the changes made, hop by hop; NULL for lint */
    enum gh_severity fail_on; /* findings at or above it fail the run */
};

/* The changes of one hop, in file order (the log keeps them in the order they were made). */
size_t report_hop_changes(const struct rw_log *log, size_t hop, const struct rw_change **out,
                          size_t max);

struct report_totals {
    size_t files;
    size_t by_severity[3];
    size_t suppressed; /* by comments and baselines */
};

struct report_writer {
    const char *name;
    enum gh_format format;
    void *(*begin)(FILE *out, const gh_report_options *opt);
    int (*file)(void *state, const struct report_file *f);
    int (*end)(void *state, const struct report_totals *totals);
};

const struct report_writer *report_writer_for(enum gh_format format);
const struct report_writer *report_writer_named(const char *name);
/* Writes every file (sorted by name) through the writer for format. */
int report_write(FILE *out, enum gh_format format, struct report_file *files, size_t count,
                 const gh_report_options *opt);

extern const struct report_writer report_text_writer;
extern const struct report_writer report_json_writer;
extern const struct report_writer report_sarif_writer;
extern const struct report_writer report_junit_writer;
/* Why the XML reports cannot be written (libxml2, loaded on first use, is missing), or NULL. */
const char *report_xml_problem(void);
extern const struct report_writer report_checkstyle_writer;
extern const struct report_writer report_github_writer;

/* The rule's documentation page (Markdown, embedded from docs/rules/), or NULL. */
const char *report_rule_doc(const gh_rule *rule);

/* An upgrade plan, as text or JSON (other formats write text). */
int report_plan_write(FILE *out, enum gh_format format, const struct upgrade_plan *plan);

/* Masks secret values (and values of secret-looking keys) in a source line for excerpts. */
void report_mask_line(const struct diag_sink *sink, uint32_t line, char *text, size_t len);

#endif
