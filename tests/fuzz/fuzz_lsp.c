/*
 * libFuzzer target for the language server (src/lsp): the input is a client's side of a
 * session, message bodies separated by 0x1E (a body that is no JSON is sent as it is, and an
 * input without 0x1E is sent as raw bytes, framing and all), played to a server that starts
 * from nothing. Whatever comes, the server must answer without crashing, leaking or hanging,
 * and end when its input does. Seeds: tests/fuzz/lsp, one per session under tests/lsp/cases: its
 * "> " messages in order, ${DIR} and ${TMP} written /tmp/gatehop-fuzz and "@file:" texts inlined.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lsp/lsp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The bodies, each framed as a client frames it, or the input as it is. */
static void write_session(FILE *in, const uint8_t *data, size_t size)
{
    if (!memchr(data, 0x1E, size)) {
        fwrite(data, 1, size, in);
        return;
    }
    for (size_t at = 0; at <= size;) {
        const uint8_t *end = memchr(data + at, 0x1E, size - at);
        size_t n = end ? (size_t)(end - (data + at)) : size - at;
        fprintf(in, "Content-Length: %zu\r\n\r\n", n);
        fwrite(data + at, 1, n, in);
        at += n + 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *in = tmpfile(), *out = fopen("/dev/null", "w");
    if (in && out) {
        write_session(in, data, size);
        fflush(in);
        rewind(in);
        struct lsp_options o = {.in_fd = fileno(in), .out = out};
        lsp_serve(&o);
    }
    if (in)
        fclose(in);
    if (out)
        fclose(out);
    return 0;
}
