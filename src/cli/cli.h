/*
 * The command-line tool: a thin layer over gatehop.h. Only this layer prints or exits.
 */
#ifndef CLI_H
#define CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "gatehop.h"

/* Exit codes, the contract of docs/cli.md. */
enum cli_exit { EXIT_CLEAN = 0, EXIT_FINDINGS = 1, EXIT_TROUBLE = 2 };

/* What an option does with the subcommand's argument struct. */
enum cli_option_kind {
    CLI_STRING, /* --name VALUE stores VALUE in the const char * member at `offset` */
    CLI_FLAG,   /* --name sets the bool member at `offset` */
    CLI_CALL,   /* --name VALUE hands the member at `offset` and VALUE to `apply` */
    CLI_ACTION  /* --name hands the member at `offset` and NULL to `apply` */
};

/* One option of a subcommand: --name VALUE, --name=VALUE, or a flag. */
struct cli_option {
    const char *name;
    char letter; /* short form, or 0 */
    enum cli_option_kind kind;
    size_t offset;
    int (*apply)(void *member, const char *value);
};

/* Rows of an option table, for a subcommand whose arguments are a struct of type T. */
#define CLI_STRING_OPTION(T, name, letter, member)                                                 \
    {                                                                                              \
        name, letter, CLI_STRING, offsetof(T, member), NULL                                        \
    }
#define CLI_FLAG_OPTION(T, name, letter, member)                                                   \
    {                                                                                              \
        name, letter, CLI_FLAG, offsetof(T, member), NULL                                          \
    }
#define CLI_CALL_OPTION(T, name, letter, member, apply)                                            \
    {                                                                                              \
        name, letter, CLI_CALL, offsetof(T, member), apply                                         \
    }
#define CLI_ACTION_OPTION(T, name, letter, member, apply)                                          \
    {                                                                                              \
        name, letter, CLI_ACTION, offsetof(T, member), apply                                       \
    }

/* Appliers shared by subcommands: an enum gh_format; --fail-on's name, checked. */
int cli_set_format(void *member, const char *value);
int cli_set_fail_on(void *member, const char *value);
/* --output FORMAT=PATH into a struct cli_outputs (lint; convert's -o is its output file). */
int cli_add_output(void *member, const char *value);

/*
 * The options lint and convert share (--from, --to, --format, --fail-on, flavours, ...): the
 * first member of both commands' argument structs, parsed by cli_parse().
 */
/* --output FORMAT=PATH, repeatable: more reports of the same findings, each to its file. */
#define CLI_MAX_OUTPUTS 8
struct cli_outputs {
    struct cli_output {
        enum gh_format format;
        const char *path;
    } items[CLI_MAX_OUTPUTS];
    size_t count;
};

/* --custom-plugin NAME, repeatable. */
struct cli_plugin_names {
    const char **names;
    size_t count;
};
/* A repeatable option's value added to its list (a struct cli_plugin_names). */
int cli_list_add(void *member, const char *v);

struct cli_common {
    gh_lint_options lint; /* --from, --to, --fail-on, --config, ... as the library takes them */
    struct cli_plugin_names plugins; /* lint.custom_plugins, once parsing is done */
    enum gh_format format;
    struct cli_outputs outputs;
    const char *schema_dir;
    const char *stdin_name;
    const char *pg; /* --pg: the configuration a Kong database holds, instead of files */
    bool quiet, no_excerpts, help;
};

/* Writes the findings in --format to `out`, then each --output to its file; -1 when any report
 * could not be written (already said). */
int cli_write_reports(FILE *out, const struct cli_common *c, gh_result *const *results, size_t n,
                      const gh_report_options *ro);

/*
 * Parses argv against the command's table and the common options (ctx must start with a
 * struct cli_common); positional arguments go to `positional`.
 */
int cli_parse(int argc, char **argv, const struct cli_option *options, size_t count, void *ctx,
              char ***positional, size_t *npositional);
/* Frees what cli_parse() allocated in the shared options. */
void cli_common_release(struct cli_common *c);
/* A positive count no larger than max, for the option named; -1 (said) when it is not. */
int cli_positive_number(const char *option, const char *v, unsigned long max, size_t *out);

/* The same for a command that shares none of lint's options (ctx is the command's own). */
int cli_parse_own(int argc, char **argv, const struct cli_option *options, size_t count, void *ctx,
                  char ***positional, size_t *npositional);

void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_report_error(const gh_error *err);

/* "gatehop: FILE: what it is; what it was checked against; how that was chosen" */
void cli_note_detection(const gh_result *r);
/* Whether a result has findings at or above its fail-on severity. */
bool cli_result_fails(const gh_result *r);

/* A file a command writes and replaces only once complete (cli_output.c). */
struct cli_output_file {
    FILE *f;
    const char *target;
    char *tmp; /* the temporary file beside target; NULL when target is written directly */
};
/* Opens the output for target; -1 (said on standard error) when it cannot. */
int cli_output_open(struct cli_output_file *o, const char *target);
/* Closes it: with keep, renames the temporary file over target (with the mode of target, or
 * of mode_from for a new one); without, removes it. -1 (said) when writing failed. */
int cli_output_close(struct cli_output_file *o, bool keep, const char *mode_from);

int cli_lint(int argc, char **argv);
int cli_convert(int argc, char **argv);
int cli_plan(int argc, char **argv);
int cli_db(int argc, char **argv);
int cli_lsp(int argc, char **argv);
int cli_explain(int argc, char **argv);
int cli_rules(int argc, char **argv);
int cli_versions(int argc, char **argv);

#endif
