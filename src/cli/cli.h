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
    CLI_CALL    /* --name VALUE hands VALUE to `apply`, which checks and stores it */
};

/* One option of a subcommand: --name VALUE, --name=VALUE, or a flag. */
struct cli_option {
    const char *name;
    char letter; /* short form, or 0 */
    enum cli_option_kind kind;
    size_t offset;
    int (*apply)(void *ctx, const char *value);
};

/* Parses argv against the table; positional arguments go to `positional`. */
int cli_parse(int argc, char **argv, const struct cli_option *options, size_t count, void *ctx,
              char ***positional, size_t *npositional);

void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_report_error(const gh_error *err);

int cli_lint(int argc, char **argv);
int cli_explain(int argc, char **argv);
int cli_rules(int argc, char **argv);
int cli_versions(int argc, char **argv);

#endif
