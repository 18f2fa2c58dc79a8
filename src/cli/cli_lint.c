/*
 * gatehop lint [--from P@V] [--to P@V] [--format F] [--fail-on S] FILE|- ...
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

struct lint_args {
    struct cli_common common; /* first: the shared options' offsets hold for this struct */
    struct plugin_names {
        const char **names;
        size_t count;
    } plugins;
};

static int opt_custom_plugin(void *member, const char *v)
{
    struct plugin_names *list = member;
    const char **p = realloc(list->names, (list->count + 1) * sizeof(*p));
    if (!p)
        return -1;
    p[list->count++] = v;
    list->names = p;
    return 0;
}

static int opt_max_findings(void *member, const char *v)
{
    char *end;
    errno = 0;
    unsigned long n = strtoul(v, &end, 10);
    if (*v == '\0' || *end != '\0' || errno || n == 0) {
        cli_error("--max-findings takes a positive number, not '%s'", v);
        return -1;
    }
    *(size_t *)member = n;
    return 0;
}

#define LINT_CALL(name, letter, member, apply)                                                     \
    CLI_CALL_OPTION(struct lint_args, name, letter, member, apply)

static const struct cli_option lint_options[] = {
    LINT_CALL("custom-plugin", 0, plugins, opt_custom_plugin),
    LINT_CALL("output", 0, common.outputs, cli_add_output),
    LINT_CALL("max-findings", 0, common.lint.max_findings, opt_max_findings),
};

static void lint_usage(FILE *out)
{
    fputs("usage: gatehop lint [options] FILE|- ...\n\n"
          "  --from P@V            the version the file was written for (kong@2.8); default: "
          "from the file\n"
          "  --to P@V              check against this version instead\n"
          "  --format F            text (default), json, sarif, junit, github or checkstyle\n"
          "  --output F=PATH       also write the report in format F to PATH (repeatable)\n"
          "  --fail-on S           exit 1 on findings of this severity or worse: error "
          "(default), warning, info\n"
          "  --input-flavor F      kong, dbexport, deck, apisix or adc; default: "
          "detect\n"
          "  --router-flavor F     traditional, traditional_compatible or expressions; default: "
          "the version's\n"
          "  --custom-plugin NAME  a plugin the gateway loads besides the bundled ones "
          "(repeatable)\n"
          "  --stdin-filename N    the name reports use for '-' (standard input)\n"
          "  --max-findings N      report at most N findings per file (default 100000)\n"
          "  --no-excerpts         text: no source line and caret under findings\n"
          "  --schema-dir DIR      read knowledge from DIR instead of the built-in copy\n"
          "  -q, --quiet           no notes on standard error\n"
          "\nexit status: 0 nothing at or above --fail-on, 1 findings, 2 an input could not "
          "be read or a bad option\n",
          out);
}

static const char *flavor_phrase(const char *flavor)
{
    static const char *const phrases[][2] = {
        {"kong", "Kong declarative config"}, {"dbexport", "kong config db_export dump"},
        {"deck", "decK state file"},         {"adc", "ADC file"},
        {"adc-legacy", "legacy ADC file"},   {"apisix", "APISIX standalone file"},
    };
    for (size_t i = 0; i < sizeof(phrases) / sizeof(phrases[0]); i++)
        if (!strcmp(phrases[i][0], flavor))
            return phrases[i][1];
    return "unrecognised file";
}

void cli_note_detection(const gh_result *r)
{
    gh_input_info info;
    gh_result_info(r, &info);
    fprintf(stderr, "gatehop: %s: %s", info.file, flavor_phrase(info.flavor));
    if (info.format_version[0])
        fprintf(stderr, ", _format_version \"%s\"", info.format_version);
    if (info.version[0])
        fprintf(stderr, "; checked against %s %s", info.product, info.version);
    if (info.version[0] && info.router_flavor[0])
        fprintf(stderr, " (router_flavor %s)", info.router_flavor);
    if (info.note[0])
        fprintf(stderr, "; %s", info.note);
    fputc('\n', stderr);
    if (info.unchecked_plugins[0])
        fprintf(stderr,
                "gatehop: %s: plugin configuration not checked (no schema in gatehop yet): %s\n",
                info.file, info.unchecked_plugins);
}

static bool is_directory(const char *path)
{
    struct stat st;
    return strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Lints every input; a file that cannot be read is reported and the rest go on. */
static bool lint_inputs(gh_engine *engine, struct lint_args *a, char **paths, size_t n,
                        gh_result **results, size_t *nresults)
{
    bool trouble = false;
    for (size_t i = 0; i < n; i++) {
        if (is_directory(paths[i])) {
            cli_error("'%s' is a directory; name the files to check", paths[i]);
            trouble = true;
            continue;
        }
        gh_lint_options o = a->common.lint;
        o.custom_plugins = a->plugins.names;
        o.custom_plugin_count = a->plugins.count;
        o.display_name = !strcmp(paths[i], "-") ? a->common.stdin_name : NULL;
        gh_error err = {0};
        gh_result *r;
        if (gh_lint_path(engine, paths[i], &o, &r, &err) < 0) {
            cli_report_error(&err);
            trouble = true;
            if (err.status == GH_EUSAGE || err.status == GH_EVERSION)
                break; /* the same option would fail for every file */
            continue;
        }
        results[(*nresults)++] = r;
        if (!a->common.quiet)
            cli_note_detection(r);
    }
    return trouble;
}

static int exit_status(gh_result **results, size_t n, enum gh_severity fail_on, bool trouble)
{
    if (trouble)
        return EXIT_TROUBLE;
    for (size_t i = 0; i < n; i++) {
        bool any;
        enum gh_severity worst = gh_result_worst(results[i], &any);
        if (any && worst >= fail_on)
            return EXIT_FINDINGS;
    }
    return EXIT_CLEAN;
}

static void summary(gh_result **results, size_t n)
{
    size_t counts[3] = {0, 0, 0};
    for (size_t i = 0; i < n; i++)
        for (int s = GH_INFO; s <= GH_ERROR; s++)
            counts[s] += gh_result_severity_count(results[i], (enum gh_severity)s);
    fprintf(stderr, "gatehop: %zu error%s, %zu warning%s, %zu info in %zu file%s\n",
            counts[GH_ERROR], counts[GH_ERROR] == 1 ? "" : "s", counts[GH_WARNING],
            counts[GH_WARNING] == 1 ? "" : "s", counts[GH_INFO], n, n == 1 ? "" : "s");
}

int cli_lint(int argc, char **argv)
{
    struct lint_args a = {0};
    a.common.format = GH_FORMAT_TEXT;
    a.common.fail_on = GH_ERROR;
    char **paths;
    size_t npaths;
    int status = EXIT_TROUBLE;
    if (cli_parse(argc, argv, lint_options, sizeof(lint_options) / sizeof(lint_options[0]), &a,
                  &paths, &npaths) < 0) {
        free(a.plugins.names);
        return EXIT_TROUBLE;
    }
    if (a.common.help) {
        lint_usage(stdout);
        status = EXIT_CLEAN;
    } else if (npaths == 0) {
        cli_error("no input: name files to check, or '-' for standard input");
        lint_usage(stderr);
    } else {
        gh_error err = {0};
        gh_engine *engine = gh_engine_new(a.common.schema_dir, &err);
        if (!engine) {
            cli_report_error(&err);
        } else {
            gh_result **results = calloc(npaths, sizeof(*results));
            size_t nresults = 0;
            bool trouble = !results || lint_inputs(engine, &a, paths, npaths, results, &nresults);
            gh_report_options ro = {false, !a.common.no_excerpts, a.common.fail_on};
            if (results && cli_write_reports(stdout, &a.common, results, nresults, &ro) < 0)
                trouble = true;
            if (!a.common.quiet && results)
                summary(results, nresults);
            status = exit_status(results, nresults, a.common.fail_on, trouble);
            for (size_t i = 0; i < nresults; i++)
                gh_result_free(results[i]);
            free(results);
            gh_engine_free(engine);
        }
    }
    free(paths);
    free(a.plugins.names);
    return status;
}
