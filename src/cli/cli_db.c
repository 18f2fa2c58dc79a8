/*
 * gatehop db status [--pg URL | --schema-meta FILE] [--to P@V] [--format F] [--fail-on S]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct db_args {
    gh_db_options db;
    enum gh_format format;
    const char *schema_dir;
    bool quiet, help;
};

#define DB_STRING(name, member) CLI_STRING_OPTION(struct db_args, name, 0, member)

static const struct cli_option db_options[] = {
    DB_STRING("pg", db.pg),
    DB_STRING("schema-meta", db.schema_meta),
    DB_STRING("to", db.to),
    DB_STRING("schema-dir", schema_dir),
    CLI_CALL_OPTION(struct db_args, "fail-on", 0, db.fail_on, cli_set_fail_on),
    CLI_CALL_OPTION(struct db_args, "format", 'f', format, cli_set_format),
    CLI_FLAG_OPTION(struct db_args, "quiet", 'q', quiet),
    CLI_FLAG_OPTION(struct db_args, "help", 'h', help),
};

static void db_usage(FILE *out)
{
    fputs("usage: gatehop db status [--pg URL | --schema-meta FILE] [--to kong@V] [options]\n\n"
          "  --pg URL            a libpq connection string or postgres:// URL; without it,\n"
          "                      libpq's PG* environment variables (PGHOST, PGDATABASE, ...)\n"
          "  --schema-meta FILE  schema_meta as psql writes it, instead of a connection:\n"
          "                      \\copy schema_meta to 'FILE' csv header\n"
          "  --to kong@V         the release to upgrade to: what its kong migrations up runs,\n"
          "                      and what stands in the way\n"
          "  --format F          text (default), json, sarif, junit, github, checkstyle\n"
          "  --fail-on S         error (default), warning or info\n"
          "  -q, --quiet         no summary on standard error\n"
          "\nThe database is only read, in one read-only transaction.\n"
          "exit status: 0 nothing at or above --fail-on; 1 findings; 2 no connection, a bad\n"
          "option or an unknown release\n",
          out);
}

static void note(const gh_result *r)
{
    gh_input_info info;
    gh_result_info(r, &info);
    fprintf(stderr, "gatehop: %s: Kong database; %s", info.file, info.note);
    fputc('\n', stderr);
}

static void summary(const gh_result *r)
{
    size_t e = gh_result_severity_count(r, GH_ERROR), w = gh_result_severity_count(r, GH_WARNING);
    fprintf(stderr, "gatehop: %zu error%s, %zu warning%s, %zu info\n", e, e == 1 ? "" : "s", w,
            w == 1 ? "" : "s", gh_result_severity_count(r, GH_INFO));
}

static int db_status(struct db_args *args)
{
    gh_error err = {0};
    gh_engine *engine = gh_engine_new(args->schema_dir, &err);
    gh_result *result = NULL;
    int rc;
    if (!engine || gh_db_status(engine, &args->db, &result, &err) < 0) {
        cli_report_error(&err);
        rc = EXIT_TROUBLE;
    } else {
        if (!args->quiet)
            note(result);
        gh_report_options ro = {false, false};
        if (gh_report_write(stdout, args->format, &result, 1, &ro, &err) < 0) {
            cli_report_error(&err);
            rc = EXIT_TROUBLE;
        } else {
            rc = cli_result_fails(result) ? EXIT_FINDINGS : EXIT_CLEAN;
        }
        if (!args->quiet)
            summary(result);
    }
    gh_result_free(result);
    gh_engine_free(engine);
    return rc;
}

int cli_db(int argc, char **argv)
{
    struct db_args args = {.format = GH_FORMAT_TEXT};
    char **positional = NULL;
    size_t npositional = 0;
    int rc = cli_parse_own(argc, argv, db_options, sizeof(db_options) / sizeof(db_options[0]),
                           &args, &positional, &npositional);
    const char *what = npositional ? positional[0] : NULL;
    bool one_word = npositional == 1;
    free(positional);
    if (rc < 0) {
        db_usage(stderr);
        return EXIT_TROUBLE;
    }
    if (args.help) {
        db_usage(stdout);
        return EXIT_CLEAN;
    }
    if (!what || !one_word || strcmp(what, "status")) {
        cli_error("db takes one command: status (gatehop db status --pg URL)");
        return EXIT_TROUBLE;
    }
    return db_status(&args);
}
