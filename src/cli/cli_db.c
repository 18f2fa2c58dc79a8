/*
 * gatehop db status [--pg URL | --schema-meta FILE] [--to P@V] [--format F] [--fail-on S]
 * gatehop db export [--pg URL] [-o FILE] [--workspace NAME] [--output-format yaml|json]
 *                   [--from P@V]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct db_args {
    gh_db_options db;
    enum gh_format format;
    const char *schema_dir;
    bool quiet, help;
    /* export */
    const char *output, *output_format, *from, *workspace;
};

#define DB_STRING(name, member) CLI_STRING_OPTION(struct db_args, name, 0, member)

static const struct cli_option db_options[] = {
    DB_STRING("pg", db.pg),
    DB_STRING("schema-meta", db.schema_meta),
    DB_STRING("plugins", db.plugins),
    DB_STRING("to", db.to),
    DB_STRING("schema-dir", schema_dir),
    CLI_CALL_OPTION(struct db_args, "fail-on", 0, db.fail_on, cli_set_fail_on),
    CLI_CALL_OPTION(struct db_args, "format", 'f', format, cli_set_format),
    CLI_FLAG_OPTION(struct db_args, "quiet", 'q', quiet),
    CLI_STRING_OPTION(struct db_args, "output", 'o', output),
    DB_STRING("output-format", output_format),
    DB_STRING("from", from),
    DB_STRING("workspace", workspace),
    CLI_FLAG_OPTION(struct db_args, "help", 'h', help),
};

static void db_usage(FILE *out)
{
    fputs("usage: gatehop db status [--pg URL | --schema-meta FILE] [--to kong@V] [options]\n"
          "       gatehop db export [--pg URL] [-o FILE] [options]\n\n"
          "  --pg URL            a libpq connection string or postgres:// URL; without it,\n"
          "                      libpq's PG* environment variables (PGHOST, PGDATABASE, ...)\n"
          "  --schema-meta FILE  schema_meta as psql writes it, instead of a connection:\n"
          "                      \\copy schema_meta to 'FILE' csv header\n"
          "  --plugins FILE      with --schema-meta: the plugins in use, as psql writes them:\n"
          "                      \\copy (SELECT name, count(*) FROM plugins GROUP BY name)\n"
          "                      to 'FILE' csv header\n"
          "  --to kong@V         the release to upgrade to: what its kong migrations up runs,\n"
          "                      and what stands in the way\n"
          "  --format F          text (default), json, sarif, junit, github, checkstyle\n"
          "  --fail-on S         error (default), warning or info\n"
          "  -q, --quiet         no summary on standard error\n"
          "export writes the database's entities as kong config db_export does:\n"
          "  -o, --output FILE   write to FILE (replaced only once complete); default stdout\n"
          "  --output-format F   yaml (default) or json\n"
          "  --workspace NAME    the workspace to export; default: the default one\n"
          "  --from kong@V       the database's release, when its migrations do not say\n"
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

static int io_failure(gh_error *err, const char *what, const char *path)
{
    err->status = GH_EIO;
    snprintf(err->message, sizeof(err->message), "%s '%s': %s", what, path, strerror(errno));
    return -1;
}

static void export_note(const struct db_args *args, const gh_db_export_info *info)
{
    if (args->quiet)
        return;
    fprintf(stderr, "gatehop: %s: exported %zu entit%s in %zu collection%s for Kong %s",
            info->source, info->entities, info->entities == 1 ? "y" : "ies", info->collections,
            info->collections == 1 ? "" : "s", info->release);
    if (info->workspace[0])
        fprintf(stderr, ", workspace '%s'", info->workspace);
    if (info->workspaces > 1)
        fprintf(stderr, " (the database has %zu workspaces: --workspace NAME exports another)",
                info->workspaces);
    fputc('\n', stderr);
}

static int db_export(struct db_args *args)
{
    gh_db_export_options o = {.db = args->db, .from = args->from, .workspace = args->workspace};
    if (args->output_format && strcmp(args->output_format, "yaml") &&
        strcmp(args->output_format, "json")) {
        cli_error("--output-format takes yaml or json, not '%s'", args->output_format);
        return EXIT_TROUBLE;
    }
    o.json = args->output_format && !strcmp(args->output_format, "json");
    struct cli_output_file file = {0};
    if (args->output && cli_output_open(&file, args->output) < 0)
        return EXIT_TROUBLE;
    FILE *out = args->output ? file.f : stdout;
    gh_error err = {0};
    gh_db_export_info info;
    gh_engine *engine = gh_engine_new(args->schema_dir, &err);
    int rc = engine ? gh_db_export(engine, &o, out, &info, &err) : -1;
    if (rc == 0 && !args->output && fflush(stdout) != 0)
        rc = io_failure(&err, "cannot write", "standard output");
    if (rc < 0)
        cli_report_error(&err);
    if (args->output && cli_output_close(&file, rc == 0, NULL) < 0)
        rc = -2; /* said already */
    gh_engine_free(engine);
    if (rc < 0)
        return EXIT_TROUBLE;
    export_note(args, &info);
    return EXIT_CLEAN;
}

/* The options only export takes, refused for status. */
static bool export_only_given(const struct db_args *args)
{
    return args->output || args->output_format || args->from || args->workspace;
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
    if (one_word && !strcmp(what, "export"))
        return db_export(&args);
    if (!one_word || strcmp(what, "status")) {
        cli_error("db takes one command: status or export (gatehop db status --pg URL)");
        return EXIT_TROUBLE;
    }
    if (export_only_given(&args)) {
        cli_error("-o, --output-format, --from and --workspace are options of db export");
        return EXIT_TROUBLE;
    }
    return db_status(&args);
}
