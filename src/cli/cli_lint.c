/*
 * gatehop lint [--from P@V] [--to P@V] [--format F] [--fail-on S] FILE|DIR|GLOB|- ...
 */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct lint_args {
    struct cli_common common; /* first: the shared options' offsets hold for this struct */
    size_t jobs;
    bool ignore_unknown;
    bool separate_files;
    const char *write_baseline;
    const char *env_file;             /* read as KONG_* variables whatever its name */
    struct cli_plugin_names rulesets; /* --ruleset, in the order given */
};

static int opt_jobs(void *member, const char *v)
{
    return cli_positive_number("--jobs", v, 256, member);
}

#define LINT_CALL(name, letter, member, apply)                                                     \
    CLI_CALL_OPTION(struct lint_args, name, letter, member, apply)

static const struct cli_option lint_options[] = {
    LINT_CALL("output", 0, common.outputs, cli_add_output),
    LINT_CALL("jobs", 'j', jobs, opt_jobs),
    CLI_FLAG_OPTION(struct lint_args, "ignore-unknown", 0, ignore_unknown),
    CLI_FLAG_OPTION(struct lint_args, "separate-files", 0, separate_files),
    CLI_STRING_OPTION(struct lint_args, "write-baseline", 0, write_baseline),
    CLI_STRING_OPTION(struct lint_args, "env-file", 0, env_file),
    LINT_CALL("ruleset", 0, rulesets, cli_list_add),
};

static void lint_usage(FILE *out)
{
    fputs("usage: gatehop lint [options] FILE|DIR|GLOB|- ...\n"
          "       gatehop lint [options] --pg URL\n\n"
          "  --env-file F          also check F as KONG_* environment variables (Kong's node\n"
          "                        settings; kong.conf, *.env and .env files are found by name)\n"
          "  --from P@V            the version the file was written for (kong@2.8); default: "
          "from the file\n"
          "  --to P@V              check against this version instead\n"
          "  --pg URL              check the configuration a Kong database holds (a libpq\n"
          "                        connection string or postgres:// URL; none: PG* variables)\n"
          "  --format F            text (default), json, sarif, junit, github or checkstyle\n"
          "  --output F=PATH       also write the report in format F to PATH (repeatable)\n"
          "  --fail-on S           exit 1 on findings of this severity or worse: error "
          "(default), warning, info\n"
          "  --input-flavor F      kong, dbexport, deck, apisix or adc; default: "
          "detect\n"
          "  --router-flavor F     traditional, traditional_compatible or expressions; default: "
          "the version's\n"
          "  --edition E           kong: oss or enterprise; default: oss up to 3.9, enterprise "
          "after\n"
          "  --custom-plugin NAME  a plugin the gateway loads besides the bundled ones "
          "(repeatable)\n"
          "  --ruleset FILE        also run this Spectral ruleset's rules (repeatable; "
          "docs/rulesets.md)\n"
          "  --placeholders K      values filled in before the gateway reads the file, left "
          "unchecked:\n"
          "                        deck (${{ env \"DECK_X\" }}, the default), envsubst (also "
          "$NAME, ${NAME})\n"
          "                        or none\n"
          "  --config FILE         the project config to use (default: the .gatehop.yml in "
          "each file's\n"
          "                        directory or above it)\n"
          "  --no-config           use no project config\n"
          "  --baseline FILE       findings listed in FILE are accepted (default: the config's "
          "baseline)\n"
          "  --write-baseline FILE also write every finding to FILE as the new baseline; exit 0\n"
          "  --strict              a file in a format gatehop recognises but does not check "
          "(legacy\n"
          "                        ADC, Konnect 0.1) is an error, not a note\n"
          "  --ignore-unknown      skip files that configure no gateway gatehop knows, as it "
          "does\n"
          "                        for files found in directories and globs\n"
          "  --separate-files      each file is a whole configuration (DB-less Kong): its "
          "references\n"
          "                        must resolve in it; default: the files are one, as decK "
          "reads them\n"
          "  -j, --jobs N          check N files at a time (the output is the same)\n"
          "  --stdin-filename N    the name reports use for '-' (standard input)\n"
          "  --max-findings N      report at most N findings per file (default 100000)\n"
          "  --no-excerpts         text: no source line and caret under findings\n"
          "  --schema-dir DIR      read knowledge from DIR instead of the built-in copy\n"
          "  -q, --quiet           no notes on standard error\n"
          "\nA directory stands for its *.yml, *.yaml and *.json files; quote a glob "
          "('kong/**/*.yaml') to\nhave gatehop expand it.\n"
          "\nexit status: 0 nothing at or above --fail-on, 1 findings, 2 an input could not "
          "be read,\nnothing matched, or a bad option or project config\n",
          out);
}

static const char *flavor_phrase(const char *flavor)
{
    static const char *const phrases[][2] = {
        {"kong", "Kong declarative config"},
        {"dbexport", "kong config db_export dump"},
        {"deck", "decK state file"},
        {"adc", "ADC file"},
        {"adc-legacy", "legacy ADC file"},
        {"apisix", "APISIX standalone file"},
        {"konnect-legacy", "legacy Konnect file"},
        {"kong-ai-gateway", "Kong AI Gateway file"},
        {"kong.conf", "kong.conf (a node's settings)"},
        {"env", "KONG_* environment file"},
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
    if (info.version[0] && info.edition_shown)
        fprintf(stderr, ", edition %s", info.edition);
    if (info.note[0])
        fprintf(stderr, "; %s", info.note);
    if (info.config[0])
        fprintf(stderr, "; settings from %s", info.config);
    fputc('\n', stderr);
    if (info.unchecked_plugins[0])
        fprintf(stderr,
                "gatehop: %s: plugin configuration not checked (no schema in gatehop yet): %s\n",
                info.file, info.unchecked_plugins);
}

bool cli_result_fails(const gh_result *r)
{
    bool any;
    enum gh_severity worst = gh_result_worst(r, &any);
    return any && worst >= gh_result_fail_on(r);
}

/* The files the arguments name; an argument that names none is an error, the rest go on. */
static bool collect_inputs(char **args, size_t n, gh_inputs *inputs)
{
    bool trouble = false;
    for (size_t i = 0; i < n; i++) {
        gh_error err = {0};
        size_t matched = 0;
        if (gh_inputs_add(inputs, args[i], &matched, &err) < 0) {
            cli_report_error(&err);
            trouble = true;
        } else if (matched == 0) {
            cli_error("no input matched '%s' (a directory stands for its *.yml, *.yaml and "
                      "*.json files)",
                      args[i]);
            trouble = true;
        }
    }
    return trouble;
}

/* One file's outcome, kept in input order so that any -j gives the same output. */
struct lint_job {
    gh_result *result;
    gh_error err;
    int status;
};

struct lint_run {
    gh_engine *engine;
    const struct lint_args *args;
    const gh_inputs *inputs;
    struct lint_job *jobs;
    size_t next;
    pthread_mutex_t lock;
};

static void lint_one(struct lint_run *run, size_t i)
{
    const char *path = gh_inputs_path(run->inputs, i);
    gh_lint_options o = run->args->common.lint;
    o.display_name = !strcmp(path, "-") ? run->args->common.stdin_name : NULL;
    if (run->args->env_file && !strcmp(path, run->args->env_file))
        o.input_flavor = "env";
    if (run->args->write_baseline)
        o.baseline = ""; /* the new baseline records every finding there is */
    /* Several files may be one decK state split up: references resolve across them. */
    o.joined = !run->args->separate_files && gh_inputs_count(run->inputs) > 1;
    struct lint_job *job = &run->jobs[i];
    job->status = gh_lint_path(run->engine, path, &o, &job->result, &job->err);
}

static void *lint_worker(void *arg)
{
    struct lint_run *run = arg;
    size_t total = gh_inputs_count(run->inputs);
    for (;;) {
        pthread_mutex_lock(&run->lock);
        size_t i = run->next++;
        pthread_mutex_unlock(&run->lock);
        if (i >= total)
            return NULL;
        lint_one(run, i);
    }
}

/* Lints every input, on up to `jobs` threads; each outcome lands in its own slot. */
static void lint_all(struct lint_run *run, size_t jobs)
{
    size_t total = gh_inputs_count(run->inputs);
    pthread_t threads[256];
    size_t started = 0;
    pthread_mutex_init(&run->lock, NULL);
    for (size_t t = 1; t < jobs && t < total; t++)
        if (pthread_create(&threads[started], NULL, lint_worker, run) == 0)
            started++;
    lint_worker(run); /* this thread works too, so -j 1 starts no thread at all */
    for (size_t t = 0; t < started; t++)
        pthread_join(threads[t], NULL);
    pthread_mutex_destroy(&run->lock);
}

/*
 * The results live until the process ends: on 2,000 small files with -j 2, freeing them one
 * allocation at a time took 10 to 18 ms of a 90 ms run, no faster on two threads than on one
 * (the frees cross malloc's per-thread arenas), while the exit returns all of it at once.
 * A build that checks for leaks (GATEHOP_LEAK_CHECK, set with the sanitizers) frees them, so
 * a result that is not freed where it should be still shows there.
 */
static void release_results(gh_result **results, size_t count)
{
#ifdef GATEHOP_LEAK_CHECK
    for (size_t i = 0; i < count; i++)
        gh_result_free(results[i]);
#else
    (void)results;
    (void)count;
#endif
}

/*
 * The files of the run taken as one configuration: references one file leaves open that
 * another answers are no findings, and what two files declare is a repeat. Returns whether
 * something went wrong (said on standard error).
 */
static bool join_results(struct lint_run *run)
{
    size_t total = gh_inputs_count(run->inputs);
    gh_result **results = calloc(total + 1, sizeof(*results));
    if (!results) {
        cli_error("out of memory");
        return true;
    }
    for (size_t i = 0; i < total; i++)
        results[i] = run->jobs[i].result;
    gh_error err = {0};
    bool trouble = gh_results_join(results, total, &err) < 0;
    if (trouble)
        cli_report_error(&err);
    free(results);
    return trouble;
}

/* Why a file is left out of the reports, or NULL when it is reported. */
static const char *skip_reason(const struct lint_run *run, size_t i, const gh_input_info *info)
{
    if (info->excluded)
        return "excluded by the project config";
    if (info->unrecognized && (run->args->ignore_unknown || gh_inputs_searched(run->inputs, i)))
        return "configures no gateway gatehop knows";
    return NULL;
}

/*
 * Says what happened to each file, in input order, and keeps the results to report. A bad
 * option or project config fails every file it governs the same way: it is said once.
 */
static bool take_results(struct lint_run *run, gh_result **kept, size_t *nkept)
{
    bool trouble = false;
    const gh_error *said = NULL;
    size_t total = gh_inputs_count(run->inputs);
    for (size_t i = 0; i < total; i++) {
        struct lint_job *job = &run->jobs[i];
        if (job->status < 0) {
            bool repeated = said && !strcmp(said->message, job->err.message) &&
                            !strcmp(said->file, job->err.file);
            if (!repeated)
                cli_report_error(&job->err);
            said = &job->err;
            trouble = true;
            continue;
        }
        gh_input_info info;
        gh_result_info(job->result, &info);
        const char *skip = skip_reason(run, i, &info);
        if (skip) {
            if (!run->args->common.quiet)
                fprintf(stderr, "gatehop: %s: skipped: %s\n", info.file, skip);
            gh_result_free(job->result);
            continue;
        }
        if (!run->args->common.quiet)
            cli_note_detection(job->result);
        kept[(*nkept)++] = job->result;
    }
    return trouble;
}

static int exit_status(gh_result **results, size_t n, bool trouble)
{
    if (trouble)
        return EXIT_TROUBLE;
    for (size_t i = 0; i < n; i++)
        if (cli_result_fails(results[i]))
            return EXIT_FINDINGS;
    return EXIT_CLEAN;
}

static void summary(gh_result **results, size_t n)
{
    size_t counts[3] = {0, 0, 0}, suppressed = 0;
    for (size_t i = 0; i < n; i++) {
        for (int s = GH_INFO; s <= GH_ERROR; s++)
            counts[s] += gh_result_severity_count(results[i], (enum gh_severity)s);
        suppressed += gh_result_suppressed_count(results[i]);
    }
    fprintf(stderr, "gatehop: %zu error%s, %zu warning%s, %zu info in %zu file%s", counts[GH_ERROR],
            counts[GH_ERROR] == 1 ? "" : "s", counts[GH_WARNING],
            counts[GH_WARNING] == 1 ? "" : "s", counts[GH_INFO], n, n == 1 ? "" : "s");
    if (suppressed)
        fprintf(stderr, "; %zu suppressed", suppressed);
    fputc('\n', stderr);
}

/* --write-baseline: the findings go to the file as well. */
static int write_baseline(const struct lint_args *a, gh_result **results, size_t n)
{
    gh_error err = {0};
    size_t written;
    if (gh_baseline_write(a->write_baseline, results, n, &written, &err) < 0) {
        cli_report_error(&err);
        return EXIT_TROUBLE;
    }
    if (!a->common.quiet)
        fprintf(stderr, "gatehop: wrote %zu finding%s of %zu file%s to the baseline '%s'\n",
                written, written == 1 ? "" : "s", n, n == 1 ? "" : "s", a->write_baseline);
    return EXIT_CLEAN;
}

/* The reports; with --write-baseline also the baseline, and then the findings do not fail the
 * run: they are the ones just accepted. */
static int report(const struct lint_args *a, gh_result **results, size_t n, bool trouble)
{
    gh_report_options ro = {false, !a->common.no_excerpts};
    if (cli_write_reports(stdout, &a->common, results, n, &ro) < 0)
        trouble = true;
    if (!a->common.quiet && (n > 0 || !trouble))
        summary(results, n);
    if (a->write_baseline)
        return trouble ? EXIT_TROUBLE : write_baseline(a, results, n);
    return exit_status(results, n, trouble);
}

static int lint_with(gh_engine *engine, struct lint_args *a, char **args, size_t nargs)
{
    gh_inputs *inputs = gh_inputs_new();
    if (!inputs) {
        cli_error("out of memory");
        return EXIT_TROUBLE;
    }
    bool trouble = collect_inputs(args, nargs, inputs);
    if (a->env_file)
        trouble |= collect_inputs((char **)&a->env_file, 1, inputs);
    size_t total = gh_inputs_count(inputs);
    struct lint_run run = {.engine = engine,
                           .args = a,
                           .inputs = inputs,
                           .jobs = calloc(total + 1, sizeof(struct lint_job))};
    gh_result **kept = calloc(total + 1, sizeof(*kept));
    size_t nkept = 0;
    int status = EXIT_TROUBLE;
    if (!run.jobs || !kept) {
        cli_error("out of memory");
    } else {
        lint_all(&run, a->jobs ? a->jobs : 1);
        trouble |= join_results(&run);
        trouble |= take_results(&run, kept, &nkept);
        status = report(a, kept, nkept, trouble);
    }
    release_results(kept, nkept);
    free(kept);
    free(run.jobs);
    gh_inputs_free(inputs);
    return status;
}

/* lint --pg: the database's configuration, exported and linted as one file. */
static int lint_database(gh_engine *engine, struct lint_args *a)
{
    gh_error err = {0};
    gh_result *r = NULL;
    if (gh_lint_pg(engine, a->common.pg, &a->common.lint, &r, &err) < 0) {
        cli_report_error(&err);
        return EXIT_TROUBLE;
    }
    if (!a->common.quiet)
        cli_note_detection(r);
    int status = report(a, &r, 1, false);
    gh_result_free(r);
    return status;
}

int cli_lint(int argc, char **argv)
{
    struct lint_args a = {0};
    a.common.format = GH_FORMAT_TEXT;
    char **paths;
    size_t npaths;
    int status = EXIT_TROUBLE;
    if (cli_parse(argc, argv, lint_options, sizeof(lint_options) / sizeof(lint_options[0]), &a,
                  &paths, &npaths) < 0) {
        cli_common_release(&a.common);
        free(a.rulesets.names);
        return EXIT_TROUBLE;
    }
    a.common.lint.rulesets = a.rulesets.names;
    a.common.lint.ruleset_count = a.rulesets.count;
    if (a.common.help) {
        lint_usage(stdout);
        status = EXIT_CLEAN;
    } else if (a.common.pg && (npaths || a.jobs || a.write_baseline)) {
        cli_error("--pg reads the database, not files (nor -j or --write-baseline)");
    } else if (npaths == 0 && !a.common.pg && !a.env_file) {
        cli_error("no input: name files, directories or globs to check, or '-' for standard "
                  "input");
        lint_usage(stderr);
    } else {
        gh_error err = {0};
        gh_engine *engine = gh_engine_new(a.common.schema_dir, &err);
        if (!engine) {
            cli_report_error(&err);
        } else {
            status = a.common.pg ? lint_database(engine, &a) : lint_with(engine, &a, paths, npaths);
            gh_engine_free(engine);
        }
    }
    free(paths);
    free(a.rulesets.names);
    cli_common_release(&a.common);
    return status;
}
