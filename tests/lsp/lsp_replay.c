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
 *   write NAME "TEXT"   TEXT (a JSON string) is written to the scratch folder's file NAME
 *   close           the server's input ends
 *   exit N          the server must exit, with code N
 * The server runs in CASE_DIR. Before a line is parsed, ${DIR} becomes CASE_DIR's absolute path
 * and ${TMP} a scratch folder's (made for the session, removed after it); after, a string
 * "@file:NAME" becomes the text of the file NAME, in CASE_DIR unless absolute (a didOpen's
 * text).
 *
 * Matching: an expected object's members must be in the actual object and match (others may be
 * there too); an expected array must have as many items as the actual one, each matching;
 * "@any" matches any value, "@absent" a member that is not there, "@contains:TEXT" a string
 * holding TEXT; ["@some", A, B] an array with an item matching A and one matching B (in any
 * order, others besides), ["@none", A] an array with no item matching A; anything else must be
 * equal. Each wait for the server gives up after 30 s.
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
#include <unistd.h>

#include "lsp_client.h"

#define WAIT_MS 30000

#define MAX_WRITTEN 16

struct session {
    const char *dir;
    char tmp[64];
    char *written[MAX_WRITTEN]; /* files written to tmp, removed at the end */
    size_t nwritten;
    struct lsp_client server;
    unsigned line;
};

/* The scratch folder goes, with what the session wrote there. */
static void remove_scratch(struct session *s)
{
    for (size_t i = 0; i < s->nwritten; i++)
        unlink(s->written[i]);
    rmdir(s->tmp);
}

static void fail(struct session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(struct session *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "session:%u: ", s->line);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    client_stop(&s->server);
    remove_scratch(s);
    exit(1);
}

/* The line with ${DIR} and ${TMP} replaced. */
static char *expand(struct session *s, const char *line)
{
    size_t n = 0, cap = strlen(line) + 1;
    char *out = malloc(cap);
    for (const char *p = line; out && *p;) {
        const char *value = !strncmp(p, "${DIR}", 6)   ? s->dir
                            : !strncmp(p, "${TMP}", 6) ? s->tmp
                                                       : NULL;
        size_t len = value ? strlen(value) : 1;
        if (n + len + 1 > cap && !(out = realloc(out, cap = (n + len + 1) * 2)))
            break;
        memcpy(out + n, value ? value : p, len);
        n += len;
        p += value ? 6 : 1;
    }
    if (!out)
        fail(s, "out of memory");
    out[n] = '\0';
    return out;
}

/* Strings "@file:NAME" become the file's text. */
static void load_files(struct session *s, json_t *v)
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
                const char *name = text + 6; /* absolute, or in CASE_DIR */
                snprintf(path, sizeof(path), "%s%s%s", name[0] == '/' ? "" : s->dir,
                         name[0] == '/' ? "" : "/", name);
                char *content = client_read_file(path, &len);
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

static json_t *parse_step(struct session *s, const char *text)
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

/* ["@some", A, B]: the actual array holds an item matching A, and one matching B. */
static bool some_match(const json_t *want, const json_t *got)
{
    for (size_t i = 1; i < json_array_size(want); i++) {
        bool found = false;
        for (size_t j = 0; j < json_array_size(got) && !found; j++)
            found = matches(json_array_get(want, i), json_array_get(got, j));
        if (!found)
            return false;
    }
    return true;
}

/* ["@none", A]: no actual item matches A. */
static bool none_match(const json_t *want, const json_t *got)
{
    for (size_t j = 0; j < json_array_size(got); j++)
        if (matches(json_array_get(want, 1), json_array_get(got, j)))
            return false;
    return true;
}

static bool array_matches(const json_t *want, const json_t *got)
{
    const char *mode = json_string_value(json_array_get(want, 0));
    if (json_is_array(got) && mode && !strcmp(mode, "@some"))
        return some_match(want, got);
    if (json_is_array(got) && mode && !strcmp(mode, "@none"))
        return none_match(want, got);
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

/* The next message the server sends that is not a log line. */
static json_t *next_message(struct session *s)
{
    const char *why;
    json_t *m = client_next(&s->server, WAIT_MS, &why);
    if (!m)
        fail(s, "%s (waited %d s)", why, WAIT_MS / 1000);
    return m;
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

static void send_message(struct session *s, const char *text)
{
    json_t *m = parse_step(s, text);
    const char *why = client_send(&s->server, m);
    if (why)
        fail(s, "%s", why);
    json_decref(m);
}

static void send_bytes(struct session *s, const char *text)
{
    json_t *raw = parse_step(s, text);
    const char *why = json_is_string(raw) ? client_send_raw(&s->server, json_string_value(raw),
                                                            json_string_length(raw))
                                          : ">> takes a JSON string";
    if (why)
        fail(s, "%s", why);
    json_decref(raw);
}

static void expect_exit(struct session *s, const char *code)
{
    int rc = client_wait_exit(&s->server, WAIT_MS);
    if (rc < 0)
        fail(s, "the server did not exit");
    if (rc != atoi(code))
        fail(s, "the server exited %d, not %s", rc, code);
}

static void write_scratch(struct session *s, char *args)
{
    char *space = strchr(args, ' ');
    if (!space || s->nwritten == MAX_WRITTEN)
        fail(s, "write takes NAME \"TEXT\" (at most %d files)", MAX_WRITTEN);
    *space = '\0';
    json_t *text = parse_step(s, space + 1);
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", s->tmp, args);
    FILE *f = fopen(path, "wb");
    if (!json_is_string(text) || !f ||
        fwrite(json_string_value(text), 1, json_string_length(text), f) !=
            json_string_length(text) ||
        fclose(f) != 0)
        fail(s, "cannot write %s", path);
    s->written[s->nwritten++] = strdup(path);
    json_decref(text);
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
    else if (!strncmp(line, "write ", 6))
        write_scratch(s, line + 6);
    else if (!strcmp(line, "close"))
        fclose(s->server.to_server), s->server.to_server = NULL;
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
    struct session s = {.dir = dir, .tmp = "/tmp/gatehop-lsp-XXXXXX"};
    if (!mkdtemp(s.tmp)) {
        fprintf(stderr, "lsp_replay: cannot make a scratch folder: %s\n", strerror(errno));
        return 2;
    }
    snprintf(path, sizeof(path), "%s/session", dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "lsp_replay: cannot read %s\n", path);
        return 2;
    }
    const char *why = client_start(&s.server, gatehop, dir);
    if (why)
        fail(&s, "cannot start the server: %s", why);
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) >= 0) {
        s.line++;
        step(&s, line);
    }
    free(line);
    fclose(f);
    if (s.server.pid > 0)
        fail(&s, "the session ended and the server still runs (end it with 'exit N')");
    client_stop(&s.server);
    remove_scratch(&s);
    for (size_t i = 0; i < s.nwritten; i++)
        free(s.written[i]);
    return 0;
}
