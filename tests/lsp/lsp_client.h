/*
 * A test client of `gatehop lsp`: starts the server on pipes, sends messages, takes the ones it
 * sends back, and waits for it to exit. Used by the session replayer, the soak test and the
 * latency benchmark. Failures return an error text; nothing here exits.
 */
#ifndef LSP_CLIENT_H
#define LSP_CLIENT_H

#include <jansson.h>
#include <stdio.h>
#include <sys/types.h>

#include "lsp/lsp_rpc.h"

struct lsp_client {
    pid_t pid; /* 0 once it exited */
    FILE *to_server;
    struct rpc_reader from_server;
};

/* Starts `GATEHOP lsp` in dir; NULL, or why it could not start. */
const char *client_start(struct lsp_client *c, const char *gatehop, const char *dir);
/* NULL, or why the message could not be sent. */
const char *client_send(struct lsp_client *c, const json_t *message);
const char *client_send_raw(struct lsp_client *c, const char *bytes, size_t n);
/* The next message that is no log line, waiting up to wait_ms; NULL and *why when none came. */
json_t *client_next(struct lsp_client *c, int wait_ms, const char **why);
/*
 * The next diagnostics the server publishes for uri (any, when NULL) at version (any, when
 * negative), skipping every other message: the notification's params (the caller frees them),
 * or NULL and *why when a wait of wait_ms for the next message ran out.
 */
json_t *client_published(struct lsp_client *c, const char *uri, json_int_t version, int wait_ms,
                         const char **why);
/* Waits up to wait_ms for the server to exit: its exit code (128 + a signal's number), or -1. */
int client_wait_exit(struct lsp_client *c, int wait_ms);
/* Kills the server if it still runs, and frees the client. */
void client_stop(struct lsp_client *c);
/* A whole file's bytes, NUL-terminated (*len without the NUL), or NULL; the caller frees. */
char *client_read_file(const char *path, size_t *len);
/* The server's resident memory in kB (VmRSS), or -1. */
long client_rss_kb(const struct lsp_client *c);

#endif
