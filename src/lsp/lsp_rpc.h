/*
 * JSON-RPC over a byte stream, framed as the Language Server Protocol frames it: a header block
 * ("Content-Length: N", optionally "Content-Type: ...", each line ended by CRLF, then an empty
 * line) and N bytes of JSON.
 *
 * The reader reads the descriptor itself, not through stdio, so that it knows whether a whole
 * message is already waiting (the server coalesces a burst of edits before it lints). Memory is
 * capped: a message longer than RPC_MAX_MESSAGE is skipped as it streams past, never held.
 */
#ifndef LSP_RPC_H
#define LSP_RPC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define RPC_MAX_MESSAGE (64u << 20) /* a didOpen of a 60 MB dump still fits */
#define RPC_MAX_HEADER  8192

struct rpc_reader {
    int fd;
    char *buf;
    size_t start, len, cap; /* unread bytes are buf[start, len) */
    size_t skip;            /* bytes of a too-large message still to throw away */
    size_t max_message;     /* RPC_MAX_MESSAGE (a test makes it smaller) */
    bool eof;
};

enum rpc_take {
    RPC_NONE,      /* no whole message yet: read more */
    RPC_MESSAGE,   /* *out holds one parsed message */
    RPC_BAD_JSON,  /* a message whose body is not JSON (a parse error to answer) */
    RPC_BAD_FRAME, /* a header block without a usable Content-Length, thrown away */
    RPC_TOO_LARGE  /* a message over RPC_MAX_MESSAGE: skipped */
};

void rpc_reader_init(struct rpc_reader *r, int fd);
void rpc_reader_release(struct rpc_reader *r);
/* Takes the next whole message out of what was read; *out is the caller's to json_decref. */
enum rpc_take rpc_take(struct rpc_reader *r, json_t **out);
/* Reads what the descriptor has, waiting up to timeout_ms (-1: until something comes).
 * Returns 1 when bytes came, 0 on timeout, -1 at the end of input or on a read error. */
int rpc_fill(struct rpc_reader *r, int timeout_ms);
/* Bytes are waiting: read but not yet taken, or ready on the descriptor. */
bool rpc_waiting(const struct rpc_reader *r);

/* Writes one message, framed, and flushes; returns 0 or -1 when the output is gone. */
int rpc_write(FILE *out, const json_t *message);

#endif
