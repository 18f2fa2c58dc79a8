/*
 * Unit tests for src/lsp: the framing of messages (split reads, LF-only headers, a message too
 * large skipped as it streams past), positions in the three encodings and edits of a text, and
 * the places read from a YAML text's indentation for hover and completion.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lsp/lsp_internal.h"
#include "lsp/lsp_place.h"
#include "lsp/lsp_rpc.h"
#include "lsp/lsp_text.h"
#include "tap.h"

/* ---- framing ---- */

/* Feeds bytes through a pipe, in pieces of `piece` bytes, and takes what comes out. */
static enum rpc_take take_after(struct rpc_reader *r, int wfd, const char *bytes, size_t piece,
                                json_t **out)
{
    size_t n = strlen(bytes);
    for (size_t at = 0; at < n; at += piece) {
        size_t len = n - at < piece ? n - at : piece;
        if (write(wfd, bytes + at, len) != (ssize_t)len)
            return RPC_BAD_FRAME;
        enum rpc_take got = rpc_take(r, out);
        if (got != RPC_NONE)
            return got;
        rpc_fill(r, 1000);
    }
    return rpc_take(r, out);
}

static void test_framing(void)
{
    int fds[2];
    if (pipe(fds) < 0) {
        ok(0, "pipe");
        return;
    }
    struct rpc_reader r;
    rpc_reader_init(&r, fds[0]);
    json_t *m = NULL;
    enum rpc_take got = take_after(&r, fds[1], "Content-Length: 12\r\n\r\n{\"id\": 1234}", 3, &m);
    is_int(got, RPC_MESSAGE, "a message read three bytes at a time");
    is_int(json_integer_value(json_object_get(m, "id")), 1234, "its body");
    json_decref(m);
    got = take_after(&r, fds[1], "content-length:2\n\n[]", 64, &m);
    is_int(got, RPC_MESSAGE, "LF-only lines and a lowercase name are taken");
    json_decref(m);
    got = take_after(&r, fds[1], "Content-Type: x\r\n\r\n", 64, &m);
    is_int(got, RPC_BAD_FRAME, "a header without Content-Length is thrown away");
    got = take_after(&r, fds[1], "Content-Length: 4\r\n\r\n{]]}", 64, &m);
    is_int(got, RPC_BAD_JSON, "a body that is not JSON");
    r.max_message = 8;
    got = take_after(&r, fds[1], "Content-Length: 19\r\n\r\n", 64, &m);
    is_int(got, RPC_TOO_LARGE, "a message over the limit");
    got = take_after(&r, fds[1], "{\"a\": \"0123456789\"}Content-Length: 2\r\n\r\n{}", 5, &m);
    is_int(got, RPC_MESSAGE, "its body is skipped as it comes, the next message is read");
    ok(json_is_object(m) && json_object_size(m) == 0, "the next message is whole");
    json_decref(m);
    ok(r.cap < 1024 * 1024, "the buffer stayed small (%zu)", r.cap);
    rpc_reader_release(&r);
    close(fds[0]);
    close(fds[1]);
}

/* ---- positions ---- */

static void test_positions(void)
{
    struct lsp_text t;
    text_init(&t);
    /* "a😀b" then CRLF, "é" then a lone CR, then "x" */
    const char text[] = "a\xF0\x9F\x98\x80"
                        "b\r\n\xC3\xA9\rx";
    text_set(&t, text, sizeof(text) - 1);
    is_int(t.nlines, 3, "LF, CRLF and a lone CR each end a line");
    struct text_pos b16 = {0, 3}, b8 = {0, 5}, b32 = {0, 2};
    is_int(text_offset(&t, b16, ENC_UTF16), 5, "utf-16: the emoji is two units");
    is_int(text_offset(&t, b8, ENC_UTF8), 5, "utf-8: four bytes");
    is_int(text_offset(&t, b32, ENC_UTF32), 5, "utf-32: one code point");
    struct text_pos inside = {0, 2};
    is_int(text_offset(&t, inside, ENC_UTF16), 1, "inside a surrogate pair: the character's start");
    struct text_pos past = {0, 99};
    is_int(text_offset(&t, past, ENC_UTF16), 6, "past the line's end: its end, before CRLF");
    struct text_pos below = {9, 0};
    is_int(text_offset(&t, below, ENC_UTF16), t.len, "past the last line: the text's end");
    struct text_pos p = text_position(&t, 11, ENC_UTF16);
    ok(p.line == 2 && p.character == 0, "the line after a lone CR (%u:%u)", p.line, p.character);
    p = text_from_gatehop(&t, 1, 3, ENC_UTF16);
    ok(p.line == 0 && p.character == 3, "gatehop's column 3 (after the emoji) is utf-16 3");
    p = text_from_gatehop(&t, 1, 3, ENC_UTF32);
    ok(p.line == 0 && p.character == 2, "and utf-32 2");
    struct text_pos from = {0, 1}, to = {0, 3};
    text_replace(&t, from, to, "=", 1, ENC_UTF16);
    is_str(t.bytes, "a=b\r\n\xC3\xA9\rx", "the emoji replaced");
    struct text_pos at = {1, 1};
    text_replace(&t, at, at, "\n", 1, ENC_UTF16);
    is_int(t.nlines, 4, "a line break inserted makes a line");
    text_release(&t);
}

/* ---- places ---- */

static const char kong[] = "_format_version: \"3.0\"\n" /* 0 */
                           "services:\n"                /* 1 */
                           "- name: orders\n"           /* 2 */
                           "  url: http://orders\n"     /* 3 */
                           "  plugins:\n"               /* 4 */
                           "  - config:\n"              /* 5 */
                           "      minute: 5\n"          /* 6 */
                           "      \n"                   /* 7 */
                           "    name: rate-limiting\n"  /* 8 */
                           "  routes:\n"                /* 9 */
                           "  - paths: [/a]\n"          /* 10 */
                           "    stri\n"                 /* 11 */
                           "  - \n";                    /* 12 */

static size_t offset_of(const struct lsp_text *t, uint32_t line, uint32_t col)
{
    struct text_pos p = {line, col};
    return text_offset(t, p, ENC_UTF8);
}

static void test_places(void)
{
    struct lsp_text t;
    text_init(&t);
    text_set(&t, kong, sizeof(kong) - 1);
    struct place *p = malloc(sizeof(*p));
    ok(place_of_key(&t, offset_of(&t, 6, 8), p), "the key minute has a place");
    is_int(p->n, 6, "services, an item, plugins, an item, config, minute");
    ok(p->steps[1].item && p->steps[3].item, "items where the lists are");
    is_str(p->steps[3].name, "rate-limiting", "the plugin item's name, written after its config");
    is_str(p->steps[5].key, "minute", "the key itself last");
    is_str(p->steps[0].key, "services", "the top-level key first");
    ok(!place_of_key(&t, offset_of(&t, 3, 10), p), "a value is no key");
    ok(place_of_key(&t, offset_of(&t, 2, 3), p) && p->n == 3 && !strcmp(p->steps[1].name, "orders"),
       "a key on the item's dash line: the item, named");
    ok(place_for_completion(&t, offset_of(&t, 11, 8), p), "a half-typed key has a place");
    is_int(p->n, 4, "services, an item, routes, an item");
    ok(p->nkeys == 1 && !strcmp(p->keys[0], "paths"), "the route's other key is known (%zu)",
       p->nkeys);
    is_int(p->word_to - p->word_from, 4, "the partial word 'stri' is what the item replaces");
    ok(place_for_completion(&t, offset_of(&t, 7, 6), p) && p->n == 5 &&
           !strcmp(p->steps[4].key, "config") && p->nkeys == 1,
       "a blank line in config: config's keys (minute there already)");
    ok(place_for_completion(&t, offset_of(&t, 12, 4), p) && p->n == 4 && p->nkeys == 0,
       "a new item: no keys yet, the previous item's are not its");
    ok(!place_for_completion(&t, offset_of(&t, 3, 9), p), "in a value: no completion");
    free(p);
    text_release(&t);
}

/* JSON: the same places, read from its tokens, a string being typed left open. */
static void test_json_places(void)
{
    static const char json[] = "{\"services\": [{\"plugins\": [{\"config\": {\"minute\": 5, "
                               "\"ho\"}, \"name\": \"rate-limiting\"}], \"name\": \"a\"}, "
                               "{\"url\": \"http://b\", }]}";
    struct lsp_text t;
    text_init(&t);
    text_set(&t, json, sizeof(json) - 1);
    struct place *p = malloc(sizeof(*p));
    size_t minute = (size_t)(strstr(json, "\"minute\"") - json) + 2;
    ok(place_of_key(&t, minute, p) && p->n == 6, "a plugin's config key in JSON (%zu steps)", p->n);
    is_str(p->steps[1].name, "a", "the service item, named after its plugins");
    is_str(p->steps[3].name, "rate-limiting", "the plugin item, named after its config");
    is_str(p->steps[5].key, "minute", "the key itself");
    size_t ho = (size_t)(strstr(json, "\"ho\"") - json) + 3;
    ok(place_for_completion(&t, ho, p) && p->n == 5 && p->json, "a key being typed in config");
    ok(p->nkeys == 1 && !strcmp(p->keys[0], "minute"), "config's other key is known");
    is_int(p->word_to - p->word_from, 4, "the typed key, quotes and all, is replaced");
    size_t after = (size_t)(strstr(json, "\"http://b\", ") - json) + 12;
    ok(place_for_completion(&t, after, p) && p->n == 2 && p->steps[1].item && p->nkeys == 1 &&
           p->word_from == p->word_to,
       "after a comma in the second service: its keys, nothing typed yet");
    size_t value = (size_t)(strstr(json, "5,") - json);
    ok(!place_for_completion(&t, value, p), "in a value: no key goes there");
    ok(!place_of_key(&t, value, p), "a value is no key");
    text_set(&t,
             "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[{\"a\": "
             "1}]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
             88);
    ok(!place_of_key(&t, 43, p), "deeper than a place holds: no place, no crash");
    free(p);
    text_release(&t);
}

/* ---- what is sent ---- */

static void test_text_json(void)
{
    json_t *j = lsp_text_json("ok \xC3\xA9");
    is_str(json_string_value(j), "ok \xC3\xA9", "valid UTF-8 is sent as it is");
    json_decref(j);
    j = lsp_text_json("cut \xC3");
    is_str(json_string_value(j), "cut ?", "a character cut short becomes '?'");
    json_decref(j);
    j = lsp_text_json("\xFF\xFEx");
    is_str(json_string_value(j), "??x", "stray bytes become '?'");
    json_decref(j);
}

int main(void)
{
    test_text_json();
    test_framing();
    test_positions();
    test_places();
    test_json_places();
    return done();
}
