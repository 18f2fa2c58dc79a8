/*
 * gatehop lsp: a Language Server Protocol (3.17) server over standard input and output.
 *
 * It lints each open document as `gatehop lint` lints the file (the same library call on the
 * editor's text, the file's .gatehop.yml applied) and publishes the findings as diagnostics; it
 * offers convert's rewrites as quick fixes and a "convert this file" source action, the rule
 * pages and the knowledge of a key on hover, and the keys a mapping may hold as completions.
 * docs/editors.md says how editors start it.
 */
#ifndef LSP_H
#define LSP_H

#include "gatehop.h"

struct lsp_options {
    int in_fd;              /* where messages come from (standard input) */
    FILE *out;              /* where they go (standard output) */
    FILE *log;              /* a trace of what the server did, or NULL */
    const char *schema_dir; /* NULL: the knowledge built in */
};

/* Serves until the client says exit, or the input ends. Returns the process's exit code: 0
 * after shutdown and exit, 1 when the input ended or exit came without shutdown (as the
 * protocol asks), 2 when the server could not start. */
int lsp_serve(const struct lsp_options *options);

#endif
