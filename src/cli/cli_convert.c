/*
 * gatehop convert [--from P@V] --to P@V [-o OUT | --in-place] [--diff] [--reformat]
 *                 [--output-format yaml|json] FILE
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

struct convert_args {
    struct cli_common common; /* first: the shared options' offsets hold for this struct */
    const char *output_path;
    const char *output_format;
    bool in_place, diff, reformat;
};

static int opt_output_format(void *member, const char *v)
{
    if (strcmp(v, "yaml") && strcmp(v, "json")) {
        cli_error("--output-format takes yaml or json, not '%s'", v);
        return -1;
    }
    *(const char **)member = v;
    return 0;
}

#define CONVERT_STRING(name, letter, member)                                                       \
    CLI_STRING_OPTION(struct convert_args, name, letter, member)
#define CONVERT_FLAG(name, letter, member)                                                         \
    CLI_FLAG_OPTION(struct convert_args, name, letter, member)
#define CONVERT_CALL(name, letter, member, apply)                                                  \
    CLI_CALL_OPTION(struct convert_args, name, letter, member, apply)

static const struct cli_option convert_options[] = {
    CONVERT_STRING("output", 'o', output_path),
    CONVERT_FLAG("in-place", 'i', in_place),
    CONVERT_FLAG("diff", 0, diff),
    CONVERT_FLAG("reformat", 0, reformat),
    CONVERT_CALL("output-format", 0, output_format, opt_output_format),
};

static void convert_usage(FILE *out)
{
    fputs("usage: gatehop convert [options] --to P@V FILE|-\n"
          "       gatehop convert [options] --to P@V --pg URL\n\n"
          "  --from P@V            the version the file was written for; default: from the "
          "file\n"
          "  --to P@V              the version to convert to (required, unless the project "
          "config\n"
          "                        gives one)\n"
          "  -o, --output FILE     write the result to FILE (default: standard output)\n"
          "  --pg URL              convert the configuration a Kong database holds (written as\n"
          "                        YAML unless --output-format json)\n"
          "  -i, --in-place        replace FILE with the result (atomically)\n"
          "  --diff                write a unified diff instead of the result\n"
          "  --reformat            re-emit the whole document instead of editing its text\n"
          "  --output-format F     yaml or json (a format other than the input's implies "
          "--reformat)\n"
          "  --format F            the change log and findings on standard error: text or "
          "json\n"
          "  --fail-on S           exit 1 when findings of this severity or worse remain "
          "(default: error)\n"
          "  --input-flavor F      kong, dbexport, deck, apisix or adc; default: detect\n"
          "  --router-flavor F     traditional, traditional_compatible or expressions\n"
          "  --edition E           kong: oss or enterprise; default: oss up to 3.9, enterprise "
          "after\n"
          "  --custom-plugin NAME  a plugin the gateway loads besides the bundled ones "
          "(repeatable)\n"
          "  --placeholders K      values filled in before the gateway reads the file, kept "
          "and left\n"
          "                        unchecked: deck (the default), envsubst ($NAME, ${NAME} too) "
          "or none\n"
          "  --baseline FILE       remaining findings listed in FILE are accepted\n"
          "  --max-findings N      report at most N findings (default 100000)\n"
          "  --strict              a file gatehop recognises but does not convert is an error\n"
          "  --config FILE         the project config to use (default: the .gatehop.yml in "
          "the\n"
          "                        file's directory or above it)\n"
          "  --no-config           use no project config\n"
          "  --stdin-filename N    the name reports use for '-' (standard input)\n"
          "  --no-excerpts         text: no source line and caret under findings\n"
          "  --schema-dir DIR      read knowledge from DIR instead of the built-in copy\n"
          "  -q, --quiet           no notes on standard error\n"
          "\nexit status: 0 converted, nothing left at or above --fail-on; 1 findings remain "
          "(manual actions) or the file could not be converted; 2 an input could not be read "
          "or a bad option\n",
          out);
}

static bool ends_with_json(const char *name)
{
    size_t n = strlen(name);
    return n >= 5 && !strcmp(name + n - 5, ".json");
}

static gh_output output_kind(const struct convert_args *a, const char *name)
{
    if (a->diff)
        return GH_OUTPUT_DIFF;
    bool json_in = ends_with_json(name);
    bool json_out = a->output_format ? !strcmp(a->output_format, "json") : json_in;
    if (a->reformat || json_out != json_in)
        return json_out ? GH_OUTPUT_JSON : GH_OUTPUT_YAML;
    return GH_OUTPUT_PATCH;
}

static bool usage_ok(const struct convert_args *a, char **paths, size_t n)
{
    if (a->common.pg && (n || a->in_place || a->diff))
        cli_error("--pg converts the database's configuration: no file, --in-place or --diff");
    else if (a->common.pg)
        return true;
    else if (n != 1)
        cli_error("convert takes one file (or '-' for standard input)");
    else if (a->in_place && (a->output_path || a->diff))
        cli_error("--in-place cannot be combined with --output or --diff");
    else if (a->in_place && !strcmp(paths[0], "-"))
        cli_error("--in-place needs a file, not standard input");
    else if (a->diff && (a->reformat || a->output_format))
        cli_error("--diff shows edits of the text; it cannot be combined with --reformat or "
                  "--output-format");
    else
        return true;
    return false;
}

/*
 * Converts into the output file (cli_output.c) and keeps it only when the conversion wrote a
 * complete result, so a failed run never leaves a half-written file.
 */
/* The file's conversion, or with --pg the database's configuration's. */
static int convert_into(gh_engine *engine, const char *pg, const char *input,
                        const gh_convert_options *o, FILE *out, bool *written, gh_result **r,
                        gh_error *err)
{
    return pg ? gh_convert_pg(engine, pg, o, out, written, r, err)
              : gh_convert_path(engine, input, o, out, written, r, err);
}

static int convert_to_file(gh_engine *engine, const char *pg, const char *input, const char *target,
                           const gh_convert_options *o, gh_result **r, bool *written)
{
    struct cli_output_file out;
    if (cli_output_open(&out, target) < 0)
        return -1;
    gh_error err = {0};
    int rc = convert_into(engine, pg, input, o, out.f, written, r, &err);
    if (rc < 0)
        cli_report_error(&err);
    if (cli_output_close(&out, rc == 0 && *written, pg ? NULL : input) < 0)
        rc = -1;
    return rc;
}

static void summary(const gh_result *r, bool written)
{
    size_t errors = gh_result_severity_count(r, GH_ERROR);
    size_t warnings = gh_result_severity_count(r, GH_WARNING);
    size_t changes = gh_result_change_count(r);
    fprintf(stderr, "gatehop: %zu change%s; left to do: %zu error%s, %zu warning%s%s\n", changes,
            changes == 1 ? "" : "s", errors, errors == 1 ? "" : "s", warnings,
            warnings == 1 ? "" : "s", written ? "" : "; nothing was written");
}

static int run(gh_engine *engine, struct convert_args *a, const char *path)
{
    gh_convert_options o = {a->common.lint, GH_OUTPUT_PATCH};
    o.lint.display_name = !strcmp(path, "-") ? a->common.stdin_name : NULL;
    const char *shown = o.lint.display_name ? o.lint.display_name : path;
    o.output = output_kind(a, shown);
    /* A database's configuration comes as JSON: written out as YAML unless JSON is asked for. */
    if (a->common.pg)
        o.output =
            a->output_format && !strcmp(a->output_format, "json") ? GH_OUTPUT_JSON : GH_OUTPUT_YAML;
    gh_result *r = NULL;
    bool written = false;
    const char *target = a->in_place ? path : a->output_path;
    int rc;
    if (target) {
        rc = convert_to_file(engine, a->common.pg, path, target, &o, &r, &written);
    } else {
        gh_error err = {0};
        rc = convert_into(engine, a->common.pg, path, &o, stdout, &written, &r, &err);
        if (rc < 0)
            cli_report_error(&err);
        if (rc == 0 && fflush(stdout) != 0) {
            cli_error("cannot write the output: %s", strerror(errno));
            rc = -1;
        }
    }
    if (rc < 0)
        return EXIT_TROUBLE;
    if (!a->common.quiet)
        cli_note_detection(r);
    gh_report_options ro = {false, !a->common.no_excerpts};
    gh_error err = {0};
    int status = EXIT_CLEAN;
    if (gh_report_write(stderr, a->common.format, &r, 1, &ro, &err) < 0) {
        cli_report_error(&err);
        status = EXIT_TROUBLE;
    }
    if (!a->common.quiet)
        summary(r, written);
    if (status == EXIT_CLEAN && (cli_result_fails(r) || !written))
        status = EXIT_FINDINGS;
    gh_result_free(r);
    return status;
}

int cli_convert(int argc, char **argv)
{
    struct convert_args a = {0};
    a.common.format = GH_FORMAT_TEXT;
    char **paths;
    size_t npaths;
    if (cli_parse(argc, argv, convert_options, sizeof(convert_options) / sizeof(convert_options[0]),
                  &a, &paths, &npaths) < 0) {
        cli_common_release(&a.common);
        return EXIT_TROUBLE;
    }
    int status = EXIT_TROUBLE;
    if (a.common.help) {
        convert_usage(stdout);
        status = EXIT_CLEAN;
    } else if (!usage_ok(&a, paths, npaths)) {
        convert_usage(stderr);
    } else {
        gh_error err = {0};
        gh_engine *engine = gh_engine_new(a.common.schema_dir, &err);
        if (!engine) {
            cli_report_error(&err);
        } else {
            status = run(engine, &a, a.common.pg ? "" : paths[0]);
            gh_engine_free(engine);
        }
    }
    free(paths);
    cli_common_release(&a.common);
    return status;
}
