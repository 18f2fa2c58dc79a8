#include "lsp_rpc.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define READ_CHUNK 65536

void rpc_reader_init(struct rpc_reader *r, int fd)
{
    memset(r, 0, sizeof(*r));
    r->fd = fd;
    r->max_message = RPC_MAX_MESSAGE;
}

void rpc_reader_release(struct rpc_reader *r)
{
    free(r->buf);
    memset(r, 0, sizeof(*r));
}

static size_t available(const struct rpc_reader *r)
{
    return r->len - r->start;
}

static void drop(struct rpc_reader *r, size_t n)
{
    r->start += n;
    if (r->start == r->len)
        r->start = r->len = 0;
}

/* Where the header block ends (just past its empty line) in the unread bytes, or 0. Clients
 * write CRLF; a bare LF is taken too, as other servers take it. */
static size_t header_end(const struct rpc_reader *r)
{
    if (available(r) == 0)
        return 0; /* nothing read yet: buf may be NULL */
    const char *p = r->buf + r->start;
    size_t n = available(r) < RPC_MAX_HEADER ? available(r) : RPC_MAX_HEADER;
    for (size_t i = 0; i + 1 < n; i++) {
        if (p[i] != '\n')
            continue;
        if (p[i + 1] == '\n')
            return i + 2;
        if (p[i + 1] == '\r' && i + 2 < n && p[i + 2] == '\n')
            return i + 3;
    }
    return 0;
}

/* The Content-Length the header block gives, or -1 when it gives none that is a number. */
static long long content_length(const char *header, size_t n)
{
    static const char name[] = "content-length:";
    const size_t name_len = sizeof(name) - 1;
    for (size_t line = 0; line < n;) {
        const char *eol = memchr(header + line, '\n', n - line);
        size_t line_len = eol ? (size_t)(eol - (header + line)) : n - line;
        if (line_len > name_len && strncasecmp(header + line, name, name_len) == 0) {
            const char *v = header + line + name_len;
            const char *end = header + line + line_len;
            while (v < end && (*v == ' ' || *v == '\t'))
                v++;
            long long value = 0;
            const char *digits = v;
            for (; v < end && *v >= '0' && *v <= '9'; v++) /* saturates: a huge length is huge */
                value = value > LLONG_MAX / 16 ? value : value * 10 + (*v - '0');
            while (v < end && (*v == ' ' || *v == '\t' || *v == '\r'))
                v++;
            return v == end && v > digits ? value : -1;
        }
        line += line_len + 1;
    }
    return -1;
}

/* Makes room for `need` unread bytes in the buffer, moving them to its start. */
static bool reserve(struct rpc_reader *r, size_t need)
{
    if (r->start) {
        memmove(r->buf, r->buf + r->start, available(r));
        r->len -= r->start;
        r->start = 0;
    }
    if (need <= r->cap)
        return true;
    size_t cap = r->cap ? r->cap : READ_CHUNK;
    while (cap < need)
        cap *= 2;
    char *grown = realloc(r->buf, cap);
    if (!grown)
        return false;
    r->buf = grown;
    r->cap = cap;
    return true;
}

enum rpc_take rpc_take(struct rpc_reader *r, json_t **out)
{
    *out = NULL;
    if (r->skip) {
        size_t n = r->skip < available(r) ? r->skip : available(r);
        drop(r, n);
        r->skip -= n;
        if (r->skip)
            return RPC_NONE;
    }
    size_t head = header_end(r);
    if (!head) {
        if (available(r) < RPC_MAX_HEADER)
            return RPC_NONE;
        drop(r, available(r)); /* no header ends here: what came is no message */
        return RPC_BAD_FRAME;
    }
    long long length = content_length(r->buf + r->start, head);
    if (length < 0) {
        drop(r, head);
        return RPC_BAD_FRAME;
    }
    if ((unsigned long long)length > r->max_message) {
        drop(r, head);
        r->skip = (unsigned long long)length > SIZE_MAX / 2 ? SIZE_MAX / 2 : (size_t)length;
        return RPC_TOO_LARGE;
    }
    if (available(r) < head + (size_t)length) {
        reserve(r, head + (size_t)length + READ_CHUNK);
        return RPC_NONE;
    }
    json_error_t error;
    *out = json_loadb(r->buf + r->start + head, (size_t)length, JSON_ALLOW_NUL, &error);
    drop(r, head + (size_t)length);
    return *out ? RPC_MESSAGE : RPC_BAD_JSON;
}

int rpc_fill(struct rpc_reader *r, int timeout_ms)
{
    if (r->eof)
        return -1;
    struct pollfd p = {.fd = r->fd, .events = POLLIN};
    int ready;
    do
        ready = poll(&p, 1, timeout_ms);
    while (ready < 0 && errno == EINTR);
    if (ready == 0)
        return 0;
    if (ready < 0 || !reserve(r, available(r) + READ_CHUNK)) {
        r->eof = true;
        return -1;
    }
    ssize_t n;
    do
        n = read(r->fd, r->buf + r->len, r->cap - r->len);
    while (n < 0 && errno == EINTR);
    if (n <= 0) {
        r->eof = true;
        return -1;
    }
    r->len += (size_t)n;
    return 1;
}

bool rpc_waiting(const struct rpc_reader *r)
{
    if (available(r) > 0)
        return true;
    struct pollfd p = {.fd = r->fd, .events = POLLIN};
    return !r->eof && poll(&p, 1, 0) > 0;
}

int rpc_write(FILE *out, const json_t *message)
{
    char *body = json_dumps(message, JSON_COMPACT | JSON_ENSURE_ASCII);
    if (!body)
        return -1;
    size_t n = strlen(body);
    int rc = fprintf(out, "Content-Length: %zu\r\n\r\n", n) < 0 || fwrite(body, 1, n, out) != n ||
                     fflush(out) != 0
                 ? -1
                 : 0;
    free(body);
    return rc;
}
