/*
 * The server's loop and lifecycle: messages in, handlers by method, answers out.
 *
 * Diagnostics are debounced the way editors' own servers do it: every message already waiting
 * is handled before any document is linted, so a burst of edits costs one lint; and a document
 * is linted once its text has been still for as long as its last lint took (at most a quarter
 * of a second; initializationOptions.debounceMs fixes it). A small file is linted within
 * milliseconds of each keystroke; a 60 MB dump waits until typing pauses.
 */
#define _GNU_SOURCE /* vsnprintf into the log */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lsp_internal.h"
#include "util/util_utf8.h"

double lsp_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- talking to the client ---------------------------------------------------------------- */

static void send(struct lsp_server *s, json_t *message)
{
    if (message && rpc_write(s->options->out, message) < 0)
        s->exiting = true; /* the client is gone */
    json_decref(message);
}

void lsp_reply(struct lsp_server *s, json_t *id, json_t *result)
{
    send(s, json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", id, "result",
                      result ? result : json_null()));
}

void lsp_reply_error(struct lsp_server *s, json_t *id, int code, const char *message)
{
    send(s, json_pack("{s:s, s:O, s:{s:i, s:s}}", "jsonrpc", "2.0", "id", id ? id : json_null(),
                      "error", "code", code, "message", message));
}

void lsp_notify(struct lsp_server *s, const char *method, json_t *params)
{
    send(s, json_pack("{s:s, s:s, s:o}", "jsonrpc", "2.0", "method", method, "params", params));
}

void lsp_log(struct lsp_server *s, const char *fmt, ...)
{
    if (!s->options->log)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(s->options->log, fmt, ap);
    va_end(ap);
    fputc('\n', s->options->log);
    fflush(s->options->log);
}

void lsp_show_error(struct lsp_server *s, const gh_error *err)
{
    char text[sizeof(s->last_error)];
    if (err->file[0])
        snprintf(text, sizeof(text), "gatehop: %s:%u:%u: %s", err->file, err->line, err->column,
                 err->message);
    else
        snprintf(text, sizeof(text), "gatehop: %s", err->message);
    lsp_log(s, "%s", text);
    if (strcmp(text, s->last_error) == 0)
        return;
    snprintf(s->last_error, sizeof(s->last_error), "%s", text);
    lsp_notify(s, "window/showMessage", json_pack("{s:i, s:s}", "type", 1, "message", text));
}

json_t *lsp_text_json(const char *text)
{
    size_t len = strlen(text), bad;
    if (utf8_valid(text, len, &bad))
        return json_stringn(text, len);
    /* A message cut inside a character, or a value's stray byte: each bad byte becomes '?'. */
    char *copy = malloc(len + 1);
    if (!copy)
        return NULL;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_sequence_length((const unsigned char *)text + i, len - i);
        if (n == 0) {
            copy[i++] = '?';
            continue;
        }
        memcpy(copy + i, text + i, n);
        i += n;
    }
    json_t *j = json_stringn(copy, len);
    free(copy);
    return j;
}

/* ---- settings ----------------------------------------------------------------------------- */

static const char *string_setting(json_t *json, const char *key)
{
    json_t *v = json_object_get(json, key);
    return json_is_string(v) && json_string_length(v) ? json_string_value(v) : NULL;
}

/* Takes the client's settings: initializationOptions, or a didChangeConfiguration's
 * settings (the whole object, or its "gatehop" member). Unknown keys are ignored. */
static void settings_take(struct lsp_settings *st, json_t *json)
{
    json_t *own = json_object_get(json, "gatehop");
    json = json_is_object(own) ? own : json;
    free(st->custom_plugins);
    json_decref(st->json);
    memset(st, 0, sizeof(*st));
    st->debounce_ms = -1;
    if (!json_is_object(json))
        return;
    st->json = json_incref(json);
    st->from = string_setting(json, "from");
    st->to = string_setting(json, "to");
    st->input_flavor = string_setting(json, "inputFlavor");
    st->edition = string_setting(json, "edition");
    st->config = string_setting(json, "config");
    json_t *debounce = json_object_get(json, "debounceMs");
    if (json_is_number(debounce) && json_number_value(debounce) >= 0)
        st->debounce_ms = json_number_value(debounce);
    json_t *plugins = json_object_get(json, "customPlugins");
    size_t n = json_is_array(plugins) ? json_array_size(plugins) : 0;
    if (n && (st->custom_plugins = calloc(n, sizeof(char *)))) {
        for (size_t i = 0; i < n; i++)
            if (json_is_string(json_array_get(plugins, i)))
                st->custom_plugins[st->custom_plugin_count++] =
                    json_string_value(json_array_get(plugins, i));
    }
}

void lsp_lint_options(const struct lsp_server *s, const struct lsp_doc *doc, gh_lint_options *o)
{
    const struct lsp_settings *st = &s->settings;
    memset(o, 0, sizeof(*o));
    o->from = st->from;
    o->to = st->to;
    o->input_flavor = st->input_flavor;
    o->edition = st->edition;
    o->custom_plugins = st->custom_plugins;
    o->custom_plugin_count = st->custom_plugin_count;
    o->display_name = doc->path;
    o->place_as = doc->path;
    /* A buffer that is no file has no folder to find a project config in. */
    o->config = st->config ? st->config : doc->on_disk ? NULL : "";
}

/* ---- lifecycle ---------------------------------------------------------------------------- */

/* The position encoding: UTF-8 or UTF-32 where the client offers it (no conversion needed),
 * else UTF-16, the protocol's default. */
static enum text_encoding choose_encoding(json_t *params)
{
    json_t *offered = json_object_get(
        json_object_get(json_object_get(params, "capabilities"), "general"), "positionEncodings");
    size_t i;
    json_t *e;
    json_array_foreach(offered, i, e)
    {
        if (json_is_string(e) && strcmp(json_string_value(e), "utf-8") == 0)
            return ENC_UTF8;
        if (json_is_string(e) && strcmp(json_string_value(e), "utf-32") == 0)
            return ENC_UTF32;
    }
    return ENC_UTF16;
}

static const char *encoding_name(enum text_encoding e)
{
    static const char *const names[] = {
        [ENC_UTF16] = "utf-16", [ENC_UTF8] = "utf-8", [ENC_UTF32] = "utf-32"};
    return names[e];
}

static void on_initialize(struct lsp_server *s, json_t *id, json_t *params)
{
    if (s->initialized) {
        lsp_reply_error(s, id, RPC_INVALID_REQUEST, "initialize was already sent");
        return;
    }
    s->initialized = true;
    s->encoding = choose_encoding(params);
    json_t *watch =
        json_object_get(json_object_get(json_object_get(params, "capabilities"), "workspace"),
                        "didChangeWatchedFiles");
    s->can_watch = json_is_true(json_object_get(watch, "dynamicRegistration"));
    settings_take(&s->settings, json_object_get(params, "initializationOptions"));
    json_t *caps =
        json_pack("{s:s, s:{s:b, s:i, s:{s:b}}, s:{s:[s, s], s:b}, s:b, s:{s:b}}",
                  "positionEncoding", encoding_name(s->encoding), "textDocumentSync", "openClose",
                  1, "change", 2, "save", "includeText", 0, "codeActionProvider", "codeActionKinds",
                  "quickfix", "source.gatehop.convert", "resolveProvider", 0, "hoverProvider", 1,
                  "completionProvider", "resolveProvider", 0);
    lsp_reply(s, id,
              json_pack("{s:o, s:{s:s, s:s}}", "capabilities", caps, "serverInfo", "name",
                        "gatehop", "version", GATEHOP_VERSION));
}

/* Asks the client to say when a project config changes on disk (where it can be asked). */
static void on_initialized(struct lsp_server *s, json_t *id, json_t *params)
{
    (void)id, (void)params;
    if (!s->can_watch)
        return;
    json_t *watchers = json_pack("[{s:s}, {s:s}]", "globPattern", "**/.gatehop.yml", "globPattern",
                                 "**/.gatehop.yaml");
    send(s, json_pack("{s:s, s:s, s:s, s:{s:[{s:s, s:s, s:{s:o}}]}}", "jsonrpc", "2.0", "id",
                      "gatehop-watch", "method", "client/registerCapability", "params",
                      "registrations", "id", "gatehop-config-files", "method",
                      "workspace/didChangeWatchedFiles", "registerOptions", "watchers", watchers));
}

static void on_shutdown(struct lsp_server *s, json_t *id, json_t *params)
{
    (void)params;
    s->shut_down = true;
    docs_free_all(s);
    lsp_reply(s, id, json_null());
}

static void on_exit_request(struct lsp_server *s, json_t *id, json_t *params)
{
    (void)id, (void)params;
    s->exiting = true;
    s->exit_code = s->shut_down ? 0 : 1;
}

static void on_configuration(struct lsp_server *s, json_t *id, json_t *params)
{
    (void)id;
    json_t *settings = json_object_get(params, "settings");
    if (json_is_object(settings) && json_object_size(settings))
        settings_take(&s->settings, settings);
    docs_touch_all(s);
}

/* A project config, a baseline or a ruleset may have changed on disk: the engine reads them
 * again, and every document is linted again. */
static void reload_files(struct lsp_server *s)
{
    docs_forget_results(s);
    gh_engine_forget_files(s->engine);
    docs_touch_all(s);
}

static void on_watched_files(struct lsp_server *s, json_t *id, json_t *params)
{
    (void)id, (void)params;
    reload_files(s);
}

/* A project config saved from the editor itself: as if the client had watched it. */
static void on_save(struct lsp_server *s, json_t *id, json_t *params)
{
    (void)id;
    const char *uri =
        json_string_value(json_object_get(json_object_get(params, "textDocument"), "uri"));
    const char *name = uri ? strrchr(uri, '/') : NULL;
    if (name && (!strcmp(name, "/.gatehop.yml") || !strcmp(name, "/.gatehop.yaml")))
        reload_files(s);
}

static void on_open(struct lsp_server *s, json_t *id, json_t *params)
{
    (void)id;
    docs_open(s, params);
}

static void on_change(struct lsp_server *s, json_t *id, json_t *params)
{
    (void)id;
    docs_change(s, params);
}

static void on_close(struct lsp_server *s, json_t *id, json_t *params)
{
    (void)id;
    docs_close(s, params);
}

static void ignore(struct lsp_server *s, json_t *id, json_t *params)
{
    (void)s, (void)id, (void)params;
}

/* ---- dispatch ----------------------------------------------------------------------------- */

typedef void (*method_fn)(struct lsp_server *s, json_t *id, json_t *params);

static const struct method {
    const char *name;
    method_fn fn;
} methods[] = {
    {"initialize", on_initialize},
    {"initialized", on_initialized},
    {"shutdown", on_shutdown},
    {"exit", on_exit_request},
    {"textDocument/didOpen", on_open},
    {"textDocument/didChange", on_change},
    {"textDocument/didClose", on_close},
    {"textDocument/didSave", on_save},
    {"textDocument/codeAction", actions_code_action},
    {"textDocument/hover", knowledge_hover},
    {"textDocument/completion", knowledge_completion},
    {"workspace/didChangeConfiguration", on_configuration},
    {"workspace/didChangeWatchedFiles", on_watched_files},
    {"$/cancelRequest", ignore}, /* each request is answered before the next is read */
    {"$/setTrace", ignore},
};

static const struct method *method_find(const char *name)
{
    for (size_t i = 0; name && i < sizeof(methods) / sizeof(methods[0]); i++)
        if (strcmp(methods[i].name, name) == 0)
            return &methods[i];
    return NULL;
}

/* Whether the lifecycle lets the method through; answers the request when it does not. */
static bool lifecycle_allows(struct lsp_server *s, const char *name, json_t *id)
{
    bool lifecycle = strcmp(name, "initialize") == 0 || strcmp(name, "exit") == 0;
    if (!s->initialized && !lifecycle) {
        if (id)
            lsp_reply_error(s, id, LSP_SERVER_NOT_INITIALIZED, "initialize first");
        return false;
    }
    if (s->shut_down && strcmp(name, "exit") != 0) {
        if (id)
            lsp_reply_error(s, id, RPC_INVALID_REQUEST, "the server is shut down");
        return false;
    }
    return true;
}

static void handle(struct lsp_server *s, json_t *message)
{
    json_t *id = json_object_get(message, "id");
    json_t *method = json_object_get(message, "method");
    if (!json_is_string(method)) {
        /* A response to a request of ours (none are sent) is dropped; anything else that is
         * not a request (a batch: LSP has none) is answered as invalid. */
        bool response = json_object_get(message, "result") || json_object_get(message, "error");
        if (!response)
            lsp_reply_error(s, id, RPC_INVALID_REQUEST, "a message needs a method");
        return;
    }
    const char *name = json_string_value(method);
    if (!lifecycle_allows(s, name, id))
        return;
    const struct method *m = method_find(name);
    json_t *params = json_object_get(message, "params");
    if (m)
        m->fn(s, id, params);
    else if (id)
        lsp_reply_error(s, id, RPC_METHOD_NOT_FOUND, "gatehop does not serve this method");
    lsp_log(s, "handled %s", name);
}

/* A message that could not be taken: the client hears of it where it can. */
static void refuse(struct lsp_server *s, enum rpc_take what)
{
    if (what == RPC_BAD_JSON)
        lsp_reply_error(s, NULL, RPC_PARSE_ERROR, "the message is not JSON");
    else if (what == RPC_TOO_LARGE)
        lsp_notify(s, "window/showMessage",
                   json_pack("{s:i, s:s}", "type", 1, "message",
                             "gatehop: a message over 64 MiB was skipped"));
    else
        lsp_log(s, "skipped bytes that were no message");
}

static void serve(struct lsp_server *s)
{
    while (!s->exiting) {
        json_t *message;
        enum rpc_take got = rpc_take(&s->in, &message);
        if (got == RPC_MESSAGE) {
            handle(s, message);
            json_decref(message);
            continue;
        }
        if (got != RPC_NONE) {
            refuse(s, got);
            continue;
        }
        int filled = rpc_fill(&s->in, docs_next_due(s));
        if (filled < 0)
            break;
        if (filled == 0)
            docs_lint_due(s);
    }
}

int lsp_serve(const struct lsp_options *options)
{
    struct lsp_server s;
    memset(&s, 0, sizeof(s));
    s.options = options;
    s.exit_code = 1;
    s.settings.debounce_ms = -1;
    gh_error err = {0};
    if (!(s.engine = gh_engine_new(options->schema_dir, &err))) {
        fprintf(stderr, "gatehop: error: %s\n", err.message);
        return 2;
    }
    rpc_reader_init(&s.in, options->in_fd);
    serve(&s);
    docs_free_all(&s);
    free(s.docs);
    settings_take(&s.settings, NULL);
    rpc_reader_release(&s.in);
    gh_engine_free(s.engine);
    return s.exit_code;
}
