#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static int cli_help(int argc, char **argv);

static const struct command commands[] = {
    {"lint", cli_lint, "check configuration files against a gateway version"},
    {"convert", cli_convert, "rewrite a configuration file for a later gateway version"},
    {"plan", cli_plan, "list the hops and steps of an upgrade from one version to another"},
    {"db", cli_db, "read a Kong database's migrations: db status --pg URL [--to kong@V]"},
    {"lsp", cli_lsp, "serve the Language Server Protocol to an editor (docs/editors.md)"},
    {"explain", cli_explain, "print the documentation of a rule code"},
    {"rules", cli_rules, "list every rule code"},
    {"versions", cli_versions, "list the products and versions gatehop knows"},
    {"help", cli_help, "show this help"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: gatehop <command> [options] [arguments]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'gatehop <command> --help' describes a command's options.\n");
}

static int cli_help(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    usage(stdout);
    return EXIT_CLEAN;
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("gatehop: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void cli_report_error(const gh_error *err)
{
    if (err->file[0])
        cli_error("%s:%u:%u: %s", err->file, err->line, err->column, err->message);
    else
        cli_error("%s", err->message);
}

int cli_set_format(void *member, const char *value)
{
    if (gh_format_from_name(value, member) == 0)
        return 0;
    cli_error("unknown format '%s' (text, json, sarif, junit, github, checkstyle)", value);
    return -1;
}

int cli_add_output(void *member, const char *value)
{
    struct cli_outputs *o = member;
    const char *eq = strchr(value, '=');
    char name[32];
    size_t len = eq ? (size_t)(eq - value) : 0;
    if (!eq || len == 0 || len >= sizeof(name) || !eq[1]) {
        cli_error("--output takes FORMAT=PATH, e.g. sarif=results.sarif, not '%s'", value);
        return -1;
    }
    if (o->count == CLI_MAX_OUTPUTS) {
        cli_error("at most %d --output reports", CLI_MAX_OUTPUTS);
        return -1;
    }
    memcpy(name, value, len);
    name[len] = '\0';
    if (cli_set_format(&o->items[o->count].format, name) < 0)
        return -1;
    o->items[o->count++].path = eq + 1;
    return 0;
}

int cli_write_reports(FILE *out, const struct cli_common *c, gh_result *const *results, size_t n,
                      const gh_report_options *ro)
{
    gh_error err = {0};
    int rc = 0;
    if (gh_report_write(out, c->format, results, n, ro, &err) < 0) {
        cli_report_error(&err);
        rc = -1;
    }
    for (size_t i = 0; i < c->outputs.count; i++) {
        const struct cli_output *o = &c->outputs.items[i];
        FILE *f = fopen(o->path, "w");
        if (!f) {
            cli_error("cannot write '%s': %s", o->path, strerror(errno));
            rc = -1;
            continue;
        }
        gh_error ferr = {0};
        bool ok = gh_report_write(f, o->format, results, n, ro, &ferr) == 0;
        if (fclose(f) != 0 || !ok) {
            cli_error("cannot write '%s'", o->path);
            rc = -1;
        }
    }
    return rc;
}

int cli_set_fail_on(void *member, const char *value)
{
    enum gh_severity unused;
    if (gh_severity_from_name(value, &unused) == 0) {
        memcpy(member, &value, sizeof(value));
        return 0;
    }
    cli_error("--fail-on takes error, warning or info, not '%s'", value);
    return -1;
}

/* --no-config: the library reads "" as "use no project config". */
static int cli_set_no_config(void *member, const char *unused)
{
    static const char *const none = "";
    (void)unused;
    memcpy(member, &none, sizeof(none));
    return 0;
}

static const struct cli_option *find_option(const struct cli_option *options, size_t count,
                                            const char *name, size_t len, char letter)
{
    for (size_t i = 0; i < count; i++) {
        if (letter && options[i].letter == letter)
            return &options[i];
        if (!letter && strlen(options[i].name) == len && !strncmp(options[i].name, name, len))
            return &options[i];
    }
    return NULL;
}

static int apply_option(const struct cli_option *o, void *ctx, const char *value)
{
    char *member = (char *)ctx + o->offset;
    bool on = true;
    switch (o->kind) {
    case CLI_STRING:
        memcpy(member, &value, sizeof(value));
        return 0;
    case CLI_FLAG:
        memcpy(member, &on, sizeof(on));
        return 0;
    case CLI_CALL:
    case CLI_ACTION:
        return o->apply(member, value);
    }
    return -1;
}

int cli_positive_number(const char *option, const char *v, unsigned long max, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long n = strtoul(v, &end, 10);
    if (*v == '\0' || *v == '-' || *end != '\0' || errno || n == 0 || n > max) {
        cli_error("%s takes a number from 1 to %lu, not '%s'", option, max, v);
        return -1;
    }
    *out = n;
    return 0;
}

static int opt_max_findings(void *member, const char *v)
{
    return cli_positive_number("--max-findings", v, 100000000UL, member);
}

int cli_list_add(void *member, const char *v)
{
    struct cli_plugin_names *list = member;
    const char **p = realloc(list->names, (list->count + 1) * sizeof(*p));
    if (!p)
        return -1;
    p[list->count++] = v;
    list->names = p;
    return 0;
}

void cli_common_release(struct cli_common *c)
{
    free(c->plugins.names);
    c->plugins.names = NULL;
    c->plugins.count = 0;
}

#define COMMON_STRING(name, letter, member)                                                        \
    CLI_STRING_OPTION(struct cli_common, name, letter, member)
#define COMMON_FLAG(name, letter, member) CLI_FLAG_OPTION(struct cli_common, name, letter, member)

static const struct cli_option common_options[] = {
    COMMON_STRING("from", 0, lint.from),
    COMMON_STRING("to", 0, lint.to),
    CLI_CALL_OPTION(struct cli_common, "format", 'f', format, cli_set_format),
    CLI_CALL_OPTION(struct cli_common, "fail-on", 0, lint.fail_on, cli_set_fail_on),
    COMMON_STRING("config", 0, lint.config),
    CLI_ACTION_OPTION(struct cli_common, "no-config", 0, lint.config, cli_set_no_config),
    COMMON_STRING("input-flavor", 0, lint.input_flavor),
    COMMON_STRING("router-flavor", 0, lint.router_flavor),
    COMMON_STRING("edition", 0, lint.edition),
    COMMON_STRING("placeholders", 0, lint.placeholders),
    CLI_CALL_OPTION(struct cli_common, "custom-plugin", 0, plugins, cli_list_add),
    CLI_CALL_OPTION(struct cli_common, "max-findings", 0, lint.max_findings, opt_max_findings),
    COMMON_STRING("baseline", 0, lint.baseline),
    COMMON_STRING("schema-dir", 0, schema_dir),
    COMMON_STRING("stdin-filename", 0, stdin_name),
    COMMON_STRING("pg", 0, pg),
    COMMON_FLAG("no-excerpts", 0, no_excerpts),
    COMMON_FLAG("strict", 0, lint.strict),
    COMMON_FLAG("quiet", 'q', quiet),
    COMMON_FLAG("help", 'h', help),
};

/* Parses argv against the command's own table and, after it, a shared one (or none). */
static int parse_with(int argc, char **argv, const struct cli_option *options, size_t count,
                      const struct cli_option *common, size_t ncommon, void *ctx,
                      char ***positional, size_t *npositional)
{
    *positional = calloc((size_t)argc + 1, sizeof(**positional));
    *npositional = 0;
    if (!*positional)
        return -1;
    bool only_positional = false;
    for (int i = 0; i < argc; i++) {
        char *arg = argv[i];
        if (only_positional || arg[0] != '-' || !strcmp(arg, "-")) {
            (*positional)[(*npositional)++] = arg;
            continue;
        }
        if (!strcmp(arg, "--")) {
            only_positional = true;
            continue;
        }
        bool is_long = arg[1] == '-';
        const char *name = arg + (is_long ? 2 : 1);
        /* --name=VALUE, and a short option's value may follow its letter: -j4 */
        const char *eq = is_long ? strchr(name, '=') : name[1] ? name : NULL;
        size_t len = is_long ? (eq ? (size_t)(eq - name) : strlen(name)) : 1;
        char letter = is_long ? 0 : name[0];
        const struct cli_option *o = find_option(options, count, name, len, letter);
        if (!o)
            o = find_option(common, ncommon, name, len, letter);
        if (!o) {
            cli_error("unknown option '%s'", arg);
            return -1;
        }
        const char *value = NULL;
        bool takes_value = o->kind == CLI_STRING || o->kind == CLI_CALL;
        if (takes_value) {
            if (eq)
                value = eq + 1;
            else if (i + 1 < argc)
                value = argv[++i];
            else {
                cli_error("option '--%s' needs a value", o->name);
                return -1;
            }
        } else if (eq) {
            cli_error("option '%s' takes no value", arg);
            return -1;
        }
        if (apply_option(o, ctx, value) < 0)
            return -1;
    }
    return 0;
}

int cli_parse(int argc, char **argv, const struct cli_option *options, size_t count, void *ctx,
              char ***positional, size_t *npositional)
{
    int rc = parse_with(argc, argv, options, count, common_options,
                        sizeof(common_options) / sizeof(common_options[0]), ctx, positional,
                        npositional);
    struct cli_common *c = ctx;
    c->lint.custom_plugins = c->plugins.names;
    c->lint.custom_plugin_count = c->plugins.count;
    return rc;
}

int cli_parse_own(int argc, char **argv, const struct cli_option *options, size_t count, void *ctx,
                  char ***positional, size_t *npositional)
{
    return parse_with(argc, argv, options, count, NULL, 0, ctx, positional, npositional);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_TROUBLE;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("gatehop %s\n", GATEHOP_VERSION);
        return EXIT_CLEAN;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
        return cli_help(0, NULL);
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (!strcmp(commands[i].name, argv[1]))
            return commands[i].run(argc - 2, argv + 2);
    cli_error("unknown command '%s'", argv[1]);
    usage(stderr);
    return EXIT_TROUBLE;
}
