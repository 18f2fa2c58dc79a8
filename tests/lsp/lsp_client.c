#define _DEFAULT_SOURCE /* usleep */
#include "lsp_client.h"

#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

const char *client_start(struct lsp_client *c, const char *gatehop, const char *dir)
{
    memset(c, 0, sizeof(*c));
    int in[2], out[2];
    if (pipe(in) < 0 || pipe(out) < 0)
        return strerror(errno);
    c->pid = fork();
    if (c->pid < 0)
        return strerror(errno);
    if (c->pid == 0) {
        dup2(in[0], STDIN_FILENO);
        dup2(out[1], STDOUT_FILENO);
        close(in[0]), close(in[1]), close(out[0]), close(out[1]);
        if (chdir(dir) < 0)
            _exit(127);
        execl(gatehop, gatehop, "lsp", (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    c->to_server = fdopen(in[1], "w");
    rpc_reader_init(&c->from_server, out[0]);
    return c->to_server ? NULL : "fdopen failed";
}

const char *client_send(struct lsp_client *c, const json_t *message)
{
    return c->to_server && rpc_write(c->to_server, message) == 0 ? NULL
                                                                 : "the server's input is closed";
}

const char *client_send_raw(struct lsp_client *c, const char *bytes, size_t n)
{
    bool sent = c->to_server && fwrite(bytes, 1, n, c->to_server) == n && fflush(c->to_server) == 0;
    return sent ? NULL : "the server's input is closed";
}

static bool is_log(const json_t *m)
{
    const char *method = json_string_value(json_object_get(m, "method"));
    return method && !strcmp(method, "window/logMessage");
}

json_t *client_next(struct lsp_client *c, int wait_ms, const char **why)
{
    for (;;) {
        json_t *m;
        enum rpc_take got = rpc_take(&c->from_server, &m);
        if (got == RPC_MESSAGE && is_log(m)) {
            json_decref(m);
            continue;
        }
        if (got == RPC_MESSAGE)
            return m;
        if (got != RPC_NONE) {
            *why = "the server sent something that is no message";
            return NULL;
        }
        int filled = rpc_fill(&c->from_server, wait_ms);
        if (filled <= 0) {
            *why = filled == 0 ? "no message from the server in time" : "the server's output ended";
            return NULL;
        }
    }
}

static bool is_published(json_t *m, const char *uri, json_int_t version)
{
    json_t *params = json_object_get(m, "params");
    const char *method = json_string_value(json_object_get(m, "method"));
    const char *from = json_string_value(json_object_get(params, "uri"));
    return method && !strcmp(method, "textDocument/publishDiagnostics") &&
           json_object_get(params, "diagnostics") && (!uri || (from && !strcmp(from, uri))) &&
           (version < 0 || json_integer_value(json_object_get(params, "version")) == version);
}

json_t *client_published(struct lsp_client *c, const char *uri, json_int_t version, int wait_ms,
                         const char **why)
{
    for (;;) {
        json_t *m = client_next(c, wait_ms, why);
        if (!m)
            return NULL;
        if (is_published(m, uri, version)) {
            json_t *params = json_incref(json_object_get(m, "params"));
            json_decref(m);
            return params;
        }
        json_decref(m);
    }
}

int client_wait_exit(struct lsp_client *c, int wait_ms)
{
    for (int waited = 0; c->pid > 0 && waited < wait_ms; waited += 10) {
        int status;
        if (waitpid(c->pid, &status, WNOHANG) == c->pid) {
            c->pid = 0;
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        usleep(10000);
    }
    return -1;
}

void client_stop(struct lsp_client *c)
{
    if (c->to_server)
        fclose(c->to_server);
    c->to_server = NULL;
    if (c->pid > 0) {
        kill(c->pid, SIGKILL);
        waitpid(c->pid, NULL, 0);
        c->pid = 0;
    }
    if (c->from_server.fd > 0)
        close(c->from_server.fd);
    rpc_reader_release(&c->from_server);
}

long client_rss_kb(const struct lsp_client *c)
{
    char path[64], line[256];
    snprintf(path, sizeof(path), "/proc/%d/status", (int)c->pid);
    FILE *f = fopen(path, "r");
    long kb = -1;
    while (f && fgets(line, sizeof(line), f))
        if (!strncmp(line, "VmRSS:", 6))
            kb = strtol(line + 6, NULL, 10);
    if (f)
        fclose(f);
    return kb;
}

char *client_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0, got;
    char *text = malloc(cap);
    while (text && (got = fread(text + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        char *grown = n + 1 < cap ? text : realloc(text, cap *= 2);
        if (!grown)
            free(text);
        text = grown;
    }
    bool failed = ferror(f);
    fclose(f);
    if (!text || failed) {
        free(text);
        return NULL;
    }
    text[n] = '\0';
    *len = n;
    return text;
}
