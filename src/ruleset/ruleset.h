/*
 * Organisation rulesets in Spectral's format (docs/rulesets.md): the rules teams already run with
 * `deck file lint` or Spectral, read from YAML or JSON files and run on gateway configs.
 *
 *   extends: [./base.yaml]                 # local files; [file, all|recommended|off] too
 *   aliases: {Routes: [$.routes[*], $.services[*].routes[*]]}
 *   rules:
 *     route-has-tags:
 *       description: every route is tagged
 *       message: "{{property}} is missing: {{error}}"
 *       severity: error                     # error, warn, info, hint, off, 0-3
 *       given: "#Routes"
 *       then: {field: tags, function: truthy}
 *     base-rule: off                        # an inherited rule's severity, or false
 *
 * Invariants: a ruleset loads whole or not at all: any error (bad YAML, an unknown key or
 * function, a JSONPath that does not parse, an extends loop) is a GH_EUSAGE with the file, line
 * and column. A loaded ruleset is never changed, so threads share it; its rules' gh_rule records
 * (code and name: the rule's name; summary: its description) live as long as it does, and the
 * findings that point at them must not outlive it.
 */
#ifndef RULESET_H
#define RULESET_H

#include <stdbool.h>
#include <stddef.h>

#include "gatehop.h"
#include "model/model_node.h"
#include "ruleset/ruleset_func.h"
#include "ruleset/ruleset_path.h"
#include "util/util_arena.h"

/* One entry of a rule's `then`. */
struct rs_then {
    const char *field;                     /* NULL: the given value itself */
    const struct jpath *field_path;        /* a field written as a JSONPath ($...) */
    const struct path_segment *field_segs; /* a field written as a property path (a.b[0]) */
    size_t nfield_segs;
    bool field_keys;            /* field "@key": each key of the given mapping */
    const struct rs_func *func; /* NULL: a custom function, not run (rs_rule.skipped) */
    const void *prepared;
};

struct rs_rule {
    gh_rule info; /* code and name: the rule's name; severity; summary: its description */
    bool off;
    bool hint;                 /* Spectral's hint, reported as info */
    const char *message;       /* the template, or NULL: the function's own message */
    const char *description;   /* or NULL */
    const char *documentation; /* documentationUrl, or NULL */
    const struct jpath **given;
    const char **given_text;
    size_t ngiven;
    struct rs_then *then;
    size_t nthen;
    const char *skipped; /* why the rule is not run (a custom function), or NULL */
    bool has_formats;    /* formats: given; no gateway config is one of Spectral's formats */
    const char *formats; /* their names, for the note that the rule did not run */
    const char *file;    /* where the rule is defined */
    struct span span;
};

/* A severity as a ruleset sets it: gatehop's severity, Spectral's hint, or off. */
struct rs_severity {
    enum gh_severity severity;
    bool hint, off;
};

/* Spectral's overrides: for the files its globs match (relative to the folder of the ruleset
 * that wrote it), rules take other severities. Applied in order, a later one winning. */
struct rs_override {
    const char *dir; /* absolute */
    const char **files;
    size_t nfiles;
    const char **rule_names;
    struct rs_severity *severities;
    size_t nrules;
};

struct ruleset {
    struct arena arena;
    struct jpath_regexes regexes;
    struct rs_rule **rules; /* by name, the last definition or override winning */
    size_t nrules;
    struct rs_override *overrides;
    size_t noverrides;
    const char *path;
};

/* What the overrides make of each rule's severity for the file at abs_path (severities[i] for
 * rules[i]). */
void ruleset_severities_for(const struct ruleset *rs, const char *abs_path,
                            struct rs_severity *severities);

/* Loads the ruleset at path (and what it extends); 0, or a GH_EUSAGE / GH_ENOMEM error. */
int ruleset_load(const char *path, struct ruleset **out, gh_error *err);
/* The same, from text in memory named path (what it extends is read relative to path). */
int ruleset_load_text(const char *path, const char *text, size_t len, struct ruleset **out,
                      gh_error *err);
void ruleset_free(struct ruleset *rs);

#endif
