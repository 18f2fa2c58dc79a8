/*
 * gatehop lsp: the language server, on standard input and output (docs/editors.md).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "lsp/lsp.h"

static const char usage[] =
    "usage: gatehop lsp [--stdio] [--log FILE] [--schema-dir DIR]\n"
    "\n"
    "Serves the Language Server Protocol on standard input and output; an editor starts it.\n"
    "  --stdio            the transport (the only one; accepted because editors pass it)\n"
    "  --log FILE         write a trace of what the server does to FILE\n"
    "  --schema-dir DIR   read knowledge from DIR instead of the built-in copy";

int cli_lsp(int argc, char **argv)
{
    struct lsp_options o = {.in_fd = STDIN_FILENO, .out = stdout};
    const char *log_path = NULL;
    for (int i = 0; i < argc; i++) {
        bool has_value = i + 1 < argc;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("%s\n", usage);
            return EXIT_CLEAN;
        } else if (!strcmp(argv[i], "--stdio")) {
            continue;
        } else if (!strcmp(argv[i], "--log") && has_value) {
            log_path = argv[++i];
        } else if (!strcmp(argv[i], "--schema-dir") && has_value) {
            o.schema_dir = argv[++i];
        } else {
            cli_error("unknown option '%s'\n%s", argv[i], usage);
            return EXIT_TROUBLE;
        }
    }
    if (log_path && !(o.log = fopen(log_path, "a"))) {
        cli_error("cannot open '%s' for the log", log_path);
        return EXIT_TROUBLE;
    }
    int rc = lsp_serve(&o);
    if (o.log)
        fclose(o.log);
    return rc;
}
