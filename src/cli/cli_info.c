/*
 * gatehop explain CODE, gatehop rules, gatehop versions: what gatehop knows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* `gatehop CMD --help` (or -h): the usage line on standard output, and exit 0. */
static bool asked_for_help(int argc, char **argv, const char *usage)
{
    if (argc != 1 || (strcmp(argv[0], "--help") != 0 && strcmp(argv[0], "-h") != 0))
        return false;
    printf("%s\n", usage);
    return true;
}

int cli_explain(int argc, char **argv)
{
    static const char usage[] = "usage: gatehop explain CODE (for example HOP2001)";
    if (asked_for_help(argc, argv, usage))
        return EXIT_CLEAN;
    if (argc != 1) {
        cli_error("%s", usage);
        return EXIT_TROUBLE;
    }
    const gh_rule *rule = gh_rule_find(argv[0]);
    if (!rule) {
        cli_error("unknown rule '%s'; 'gatehop rules' lists them", argv[0]);
        return EXIT_TROUBLE;
    }
    const char *doc = gh_rule_doc(rule->code);
    if (!doc) {
        cli_error("rule %s has no documentation page", rule->code);
        return EXIT_TROUBLE;
    }
    fputs(doc, stdout);
    return EXIT_CLEAN;
}

int cli_rules(int argc, char **argv)
{
    static const char usage[] = "usage: gatehop rules";
    if (asked_for_help(argc, argv, usage))
        return EXIT_CLEAN;
    if (argc != 0) {
        cli_error("%s", usage);
        return EXIT_TROUBLE;
    }
    for (size_t i = 0; i < gh_rule_count(); i++) {
        const gh_rule *r = gh_rule_at(i);
        printf("%s  %-7s  %-24s  %s\n", r->code, gh_severity_name(r->severity), r->name,
               r->summary);
    }
    return EXIT_CLEAN;
}

int cli_versions(int argc, char **argv)
{
    static const char usage[] = "usage: gatehop versions [--schema-dir DIR]";
    const char *dir = NULL;
    if (asked_for_help(argc, argv, usage))
        return EXIT_CLEAN;
    if (argc == 2 && !strcmp(argv[0], "--schema-dir")) {
        dir = argv[1];
    } else if (argc != 0) {
        cli_error("%s", usage);
        return EXIT_TROUBLE;
    }
    gh_error err = {0};
    gh_engine *engine = gh_engine_new(dir, &err);
    if (!engine) {
        cli_report_error(&err);
        return EXIT_TROUBLE;
    }
    for (size_t p = 0; p < gh_engine_product_count(engine); p++) {
        printf("%s:", gh_engine_product_name(engine, p));
        for (size_t v = 0; v < gh_engine_version_count(engine, p); v++)
            printf(" %s", gh_engine_version_at(engine, p, v));
        putchar('\n');
    }
    gh_engine_free(engine);
    return EXIT_CLEAN;
}
