/*
 * gatehop plan --from P@V --to P@V [--mode M] [--edition E] [--format text|json]
 * gatehop plan --pg URL --to P@V ...: from the release a Kong database is at
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

struct plan_args {
    gh_plan_options plan;
    enum gh_format format;
    const char *schema_dir;
    const char *pg;
    bool help;
};

#define PLAN_STRING(name, member) CLI_STRING_OPTION(struct plan_args, name, 0, member)

static const struct cli_option plan_options[] = {
    PLAN_STRING("from", plan.from),
    PLAN_STRING("to", plan.to),
    PLAN_STRING("mode", plan.mode),
    PLAN_STRING("edition", plan.edition),
    PLAN_STRING("schema-dir", schema_dir),
    PLAN_STRING("pg", pg),
    CLI_CALL_OPTION(struct plan_args, "format", 'f', format, cli_set_format),
    CLI_FLAG_OPTION(struct plan_args, "help", 'h', help),
};

static void plan_usage(FILE *out)
{
    fputs("usage: gatehop plan --from P@V --to P@V [options]\n\n"
          "  --from P@V          the release running now (api7@3.4, apisix@2.15, ...)\n"
          "  --to P@V            the release to arrive at\n"
          "  --mode M            the deployment mode; default: the product's first\n"
          "                      (api7: hybrid; apisix: traditional, decoupled, standalone)\n"
          "  --edition E         the edition, for products that have several\n"
          "  --pg URL            start from the release a Kong database is at, and say first\n"
          "                      what its migrations show (gatehop db status --to)\n"
          "  --format F          text (default) or json\n"
          "  --schema-dir DIR    read knowledge from DIR instead of the built-in copy\n"
          "\nexit status: 0 the plan was written; 2 a bad option or an unknown release\n",
          out);
}

/*
 * --pg: the database's state (gatehop db status against the target) on standard error, and
 * its release as the plan's start. Returns -1 (said) when the database cannot be read or its
 * release is not known.
 */
static int start_from_database(gh_engine *engine, struct plan_args *args, char *from, size_t size)
{
    gh_db_options o = {.pg = args->pg, .to = args->plan.to};
    gh_result *r = NULL;
    gh_error err = {0};
    if (gh_db_status(engine, &o, &r, &err) < 0) {
        cli_report_error(&err);
        return -1;
    }
    gh_input_info info;
    gh_result_info(r, &info);
    fprintf(stderr, "gatehop: %s: Kong database; %s\n", info.file, info.note);
    gh_report_options ro = {false, false};
    int rc = gh_report_write(stderr, GH_FORMAT_TEXT, &r, 1, &ro, &err) < 0 ? -1 : 0;
    if (rc == 0 && !info.version[0]) {
        cli_error("the database's release is not known: give --from instead of --pg");
        rc = -1;
    }
    snprintf(from, size, "kong@%s", info.version);
    gh_result_free(r);
    return rc;
}

int cli_plan(int argc, char **argv)
{
    struct plan_args args = {.format = GH_FORMAT_TEXT};
    char **positional = NULL;
    size_t npositional = 0;
    int rc = cli_parse_own(argc, argv, plan_options, sizeof(plan_options) / sizeof(plan_options[0]),
                           &args, &positional, &npositional);
    free(positional);
    if (rc < 0) {
        plan_usage(stderr);
        return EXIT_TROUBLE;
    }
    if (args.help) {
        plan_usage(stdout);
        return EXIT_CLEAN;
    }
    if (npositional) {
        cli_error("plan reads no files: it works from --from and --to alone");
        return EXIT_TROUBLE;
    }
    if (args.pg && args.plan.from) {
        cli_error("--pg says where the plan starts: give it or --from, not both");
        return EXIT_TROUBLE;
    }
    gh_error err = {0};
    gh_engine *engine = gh_engine_new(args.schema_dir, &err);
    gh_plan *plan = NULL;
    char from[64];
    if (engine && args.pg) {
        if (start_from_database(engine, &args, from, sizeof(from)) < 0) {
            gh_engine_free(engine);
            return EXIT_TROUBLE;
        }
        args.plan.from = from;
    }
    if (!engine || gh_plan_new(engine, &args.plan, &plan, &err) < 0 ||
        gh_plan_write(stdout, args.format, plan, &err) < 0) {
        cli_report_error(&err);
        rc = EXIT_TROUBLE;
    } else {
        rc = EXIT_CLEAN;
    }
    gh_plan_free(plan);
    gh_engine_free(engine);
    return rc;
}
