/*
 * Replays a recorded Language Server Protocol session against `gatehop lsp` and checks every
 * message the server sends back.
 *
 * usage: lsp_replay GATEHOP CASE_DIR
 *
 * CASE_DIR/session holds the exchange, one step per line (blank lines and # comments skipped):
 *   > JSON          a message sent to the server
 *   >> "TEXT"       raw bytes sent as they are (a JSON string: framing errors and the like)
 *   < JSON          the next message the server sends (window/logMessage skipped) must match
 *   close           the server's input ends
 *   exit N          the server must exit, with code N
 * The server runs in CASE_DIR. Before a line is parsed, ${DIR} becomes CASE_DIR's absolute path;
 * after, a string "@file:NAME" becomes the text of CASE_DIR/NAME (a didOpen's text).
 *
 * Matching: an expected object's members must be in the actual object and match (others may be
 * there too); an expected array must have as many items as the actual one, each matching;
 * "@any" matches any value, "@absent" a member that is not there, "@contains:TEXT" a string
 * holding TEXT; anything else must be equal. Each wait for the server gives up after 30 s.
 */
#define _DEFAULT_SOURCE /* realpath, usleep */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lsp/lsp_rpc.h"

#define WAIT_MS 30000

struct session {
    const char *dir;
    pid_t pid;
    FILE *to_server;
    struct rpc_reader from_server;
    unsigned line;
};

static void fail(const struct session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void fail(const struct session *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "session:%u: ", s->line);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    if (s->pid > 0)
        kill(s->pid, SIGKILL);
    exit(1);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *text = malloc(cap);
    size_t got;
    while (text && (got = fread(text + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            char *grown = realloc(text, cap * 2);
            if (!grown) {
                free(text);
                text = NULL;
                break;
            }
            text = grown;
            cap *= 2;
        }
    }
    fclose(f);
    if (text)
        text[n] = '\0';
    *len = n;
    return text;
}

/* The line with ${DIR} replaced. */
static char *expand(const struct session *s, const char *line)
{
    size_t dir_len = strlen(s->dir), n = 0, cap = strlen(line) * 2 + dir_len + 1;
    char *out = malloc(cap);
    for (const char *p = line; out && *p;) {
        if (!strncmp(p, "${DIR}", 6)) {
            if (n + dir_len + 1 > cap && !(out = realloc(out, cap = (n + dir_len) * 2 + 1)))
                break;
            memcpy(out + n, s->dir, dir_len);
            n += dir_len;
            p += 6;
        } else {
            if (n + 2 > cap && !(out = realloc(out, cap *= 2)))
                break;
            out[n++] = *p++;
        }
    }
    if (!out)
        fail(s, "out of memory");
    out[n] = '\0';
    return out;
}

/* Strings "@file:NAME" become the file's text. */
static void load_files(const struct session *s, json_t *v)
{
    if (json_is_object(v)) {
        const char *key;
        json_t *member;
        json_object_foreach(v, key, member)
        {
            const char *text = json_string_value(member);
            if (text && !strncmp(text, "@file:", 6)) {
                char path[PATH_MAX];
                size_t len;
                snprintf(path, sizeof(path), "%s/%s", s->dir, text + 6);
                char *content = read_file(path, &len);
                if (!content)
                    fail(s, "cannot read %s", path);
                json_object_set_new(v, key, json_stringn(content, len));
                free(content);
            } else {
                load_files(s, member);
            }
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item) load_files(s, item);
    }
}

static json_t *parse_step(const struct session *s, const char *text)
{
    char *expanded = expand(s, text);
    json_error_t error;
    json_t *v = json_loads(expanded, JSON_DECODE_ANY, &error);
    free(expanded);
    if (!v)
        fail(s, "not JSON: %s", error.text);
    load_files(s, v);
    return v;
}

/* ---- matching ------------------------------------------------------------------------------ */

static bool matches(const json_t *want, const json_t *got);

static bool object_matches(const json_t *want, const json_t *got)
{
    if (!json_is_object(got))
        return false;
    const char *key;
    json_t *w;
    json_object_foreach((json_t *)want, key, w)
    {
        json_t *g = json_object_get(got, key);
        bool absent = json_is_string(w) && !strcmp(json_string_value(w), "@absent");
        if (absent ? g != NULL : !g || !matches(w, g))
            return false;
    }
    return true;
}

static bool array_matches(const json_t *want, const json_t *got)
{
    if (!json_is_array(got) || json_array_size(want) != json_array_size(got))
        return false;
    for (size_t i = 0; i < json_array_size(want); i++)
        if (!matches(json_array_get(want, i), json_array_get(got, i)))
            return false;
    return true;
}

static bool matches(const json_t *want, const json_t *got)
{
    const char *w = json_string_value(want);
    if (w && !strcmp(w, "@any"))
        return true;
    if (w && !strncmp(w, "@contains:", 10))
        return json_is_string(got) && strstr(json_string_value(got), w + 10);
    if (json_is_object(want))
        return object_matches(want, got);
    if (json_is_array(want))
        return array_matches(want, got);
    if (json_is_number(want) && json_is_number(got))
        return json_number_value(want) == json_number_value(got);
    return json_equal((json_t *)want, (json_t *)got);
}

/* ---- the server ---------------------------------------------------------------------------- */

static void start(struct session *s, const char *gatehop)
{
    int in[2], out[2];
    if (pipe(in) < 0 || pipe(out) < 0)
        fail(s, "pipe: %s", strerror(errno));
    s->pid = fork();
    if (s->pid < 0)
        fail(s, "fork: %s", strerror(errno));
    if (s->pid == 0) {
        dup2(in[0], STDIN_FILENO);
        dup2(out[1], STDOUT_FILENO);
        close(in[0]), close(in[1]), close(out[0]), close(out[1]);
        if (chdir(s->dir) < 0)
            _exit(127);
        execl(gatehop, gatehop, "lsp", (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    s->to_server = fdopen(in[1], "w");
    rpc_reader_init(&s->from_server, out[0]);
}

/* The next message the server sends that is not a log line. */
static json_t *next_message(struct session *s)
{
    for (;;) {
        json_t *m;
        enum rpc_take got = rpc_take(&s->from_server, &m);
        if (got == RPC_MESSAGE) {
            const char *method = json_string_value(json_object_get(m, "method"));
            if (method && !strcmp(method, "window/logMessage")) {
                json_decref(m);
                continue;
            }
            return m;
        }
        if (got != RPC_NONE)
            fail(s, "the server sent something that is no message (%d)", (int)got);
        int filled = rpc_fill(&s->from_server, WAIT_MS);
        if (filled == 0)
            fail(s, "no message from the server within %d s", WAIT_MS / 1000);
        if (filled < 0)
            fail(s, "the server's output ended");
    }
}

static void expect(struct session *s, const char *text)
{
    json_t *want = parse_step(s, text);
    json_t *got = next_message(s);
    if (!matches(want, got)) {
        char *w = json_dumps(want, JSON_INDENT(1) | JSON_SORT_KEYS);
        char *g = json_dumps(got, JSON_INDENT(1) | JSON_SORT_KEYS);
        fprintf(stderr, "expected:\n%s\ngot:\n%s\n", w, g);
        free(w);
        free(g);
        fail(s, "the message does not match");
    }
    json_decref(want);
    json_decref(got);
}

static void send_raw(struct session *s, const char *bytes, size_t n)
{
    if (fwrite(bytes, 1, n, s->to_server) != n || fflush(s->to_server) != 0)
        fail(s, "the server's input is closed");
}

static void send_message(struct session *s, const char *text)
{
    json_t *m = parse_step(s, text);
    if (rpc_write(s->to_server, m) < 0)
        fail(s, "the server's input is closed");
    json_decref(m);
}

static void send_bytes(struct session *s, const char *text)
{
    json_t *raw = parse_step(s, text);
    if (!json_is_string(raw))
        fail(s, ">> takes a JSON string");
    send_raw(s, json_string_value(raw), json_string_length(raw));
    json_decref(raw);
}

static void expect_exit(struct session *s, const char *code)
{
    int status = 0;
    for (int waited = 0; waited < WAIT_MS; waited += 10) {
        pid_t done = waitpid(s->pid, &status, WNOHANG);
        if (done == s->pid) {
            s->pid = 0;
            int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            if (rc != atoi(code))
                fail(s, "the server exited %d, not %s", rc, code);
            return;
        }
        usleep(10000);
    }
    fail(s, "the server did not exit");
}

static void step(struct session *s, char *line)
{
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    if (!n || line[0] == '#')
        return;
    if (!strncmp(line, ">> ", 3))
        send_bytes(s, line + 3);
    else if (!strncmp(line, "> ", 2))
        send_message(s, line + 2);
    else if (!strncmp(line, "< ", 2))
        expect(s, line + 2);
    else if (!strcmp(line, "close"))
        fclose(s->to_server), s->to_server = NULL;
    else if (!strncmp(line, "exit ", 5))
        expect_exit(s, line + 5);
    else
        fail(s, "unknown step '%s'", line);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: lsp_replay GATEHOP CASE_DIR\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    char dir[PATH_MAX], gatehop[PATH_MAX], path[PATH_MAX + 16];
    if (!realpath(argv[2], dir) || !realpath(argv[1], gatehop)) {
        fprintf(stderr, "lsp_replay: %s\n", strerror(errno));
        return 2;
    }
    struct session s = {.dir = dir};
    snprintf(path, sizeof(path), "%s/session", dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "lsp_replay: cannot read %s\n", path);
        return 2;
    }
    start(&s, gatehop);
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) >= 0) {
        s.line++;
        step(&s, line);
    }
    free(line);
    fclose(f);
    if (s.pid > 0)
        fail(&s, "the session ended and the server still runs (end it with 'exit N')");
    rpc_reader_release(&s.from_server);
    if (s.to_server)
        fclose(s.to_server);
    return 0;
}
