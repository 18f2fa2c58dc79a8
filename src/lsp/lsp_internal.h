/*
 * The server's state, shared by its parts: the loop and lifecycle (lsp_server.c), the open
 * documents and their diagnostics (lsp_docs.c), code actions (lsp_actions.c), hover and
 * completion (lsp_knowledge.c), and where a position stands in a YAML text (lsp_place.c).
 *
 * One thread: a message is handled to its end before the next is read, so handlers never race.
 * Every request is answered, with a result or an error; nothing a client sends stops the
 * server but `exit` or the end of its input.
 */
#ifndef LSP_INTERNAL_H
#define LSP_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "lsp.h"
#include "lsp_rpc.h"
#include "lsp_text.h"

/* JSON-RPC and LSP error codes. */
enum {
    RPC_PARSE_ERROR = -32700,
    RPC_INVALID_REQUEST = -32600,
    RPC_METHOD_NOT_FOUND = -32601,
    RPC_INVALID_PARAMS = -32602,
    RPC_INTERNAL_ERROR = -32603,
    LSP_SERVER_NOT_INITIALIZED = -32002,
    LSP_REQUEST_FAILED = -32803
};

/* A conversion of a document's text, kept while the text stays the same: code actions are
 * asked for every time the cursor moves. */
struct doc_conversion {
    int64_t version; /* of the text converted; -1: none kept */
    gh_result *result;
    char *text; /* the converted text, or NULL when nothing was written */
    size_t len;
    char target[64];
};

struct lsp_doc {
    char *uri;
    char *path;   /* the file the URI names, or the URI itself when it names none */
    bool on_disk; /* a file: URI, whose folders may hold a .gatehop.yml */
    struct lsp_text text;
    int64_t version;
    gh_result *result; /* the lint of the text as it is, once linted */
    gh_result *known;  /* the last lint that recognised a gateway config (may be result) */
    bool dirty;        /* changed since the last lint */
    double due_ms;     /* when a dirty document is linted (the debounce) */
    double cost_ms;    /* how long its last lint took */
    bool gateway;      /* some lint recognised it as a gateway config */
    struct doc_conversion conversion;
};

struct lsp_settings {
    json_t *json; /* the client's initializationOptions / settings, owned; NULL when none */
    const char *from, *to, *input_flavor, *edition, *config;
    const char **custom_plugins;
    size_t custom_plugin_count;
    double debounce_ms; /* < 0: as long as the document's last lint took, at most a quarter s */
};

struct lsp_server {
    const struct lsp_options *options;
    gh_engine *engine;
    struct rpc_reader in;
    enum text_encoding encoding;
    bool initialized, shut_down, exiting;
    bool can_watch; /* the client registers file watchers the server asks for */
    int exit_code;
    struct lsp_settings settings;
    struct lsp_doc **docs;
    size_t ndocs, docs_cap;
    char last_error[1024]; /* the last operational error shown, not repeated */
};

/* ---- lsp_server.c: talking to the client ---- */
double lsp_now_ms(void);
void lsp_reply(struct lsp_server *s, json_t *id, json_t *result);
void lsp_reply_error(struct lsp_server *s, json_t *id, int code, const char *message);
void lsp_notify(struct lsp_server *s, const char *method, json_t *params);
void lsp_log(struct lsp_server *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A JSON string of text, valid UTF-8 whatever the text holds (a bad byte becomes '?'). */
json_t *lsp_text_json(const char *text);
/* Shows an operational error (a broken .gatehop.yml) once, until another one comes. */
void lsp_show_error(struct lsp_server *s, const gh_error *err);
/* The lint options of a document, from the settings. */
void lsp_lint_options(const struct lsp_server *s, const struct lsp_doc *doc, gh_lint_options *o);

/* ---- lsp_docs.c: open documents ---- */
struct lsp_doc *docs_find(struct lsp_server *s, const char *uri);
/* The document a request's params.textDocument.uri names, linted if it changed. */
struct lsp_doc *docs_current(struct lsp_server *s, json_t *params);
void docs_open(struct lsp_server *s, json_t *params);
void docs_change(struct lsp_server *s, json_t *params);
void docs_close(struct lsp_server *s, json_t *params);
void docs_free_all(struct lsp_server *s);
/* Every open document is linted again (the settings or a project config changed). */
void docs_touch_all(struct lsp_server *s);
/* Drops every lint and conversion kept (before the engine forgets the files they used). */
void docs_forget_results(struct lsp_server *s);
/* Milliseconds until the next dirty document is due (0: now), or -1 when none is dirty. */
int docs_next_due(const struct lsp_server *s);
/* Lints and publishes the documents that are due. */
void docs_lint_due(struct lsp_server *s);
/* The document's text converted to the target (settings, project config, else the newest
 * release of its product): kept until the text changes; NULL when it cannot be converted. */
const struct doc_conversion *docs_conversion(struct lsp_server *s, struct lsp_doc *doc);
/* A protocol range of a finding's 1-based span. */
json_t *docs_range(const struct lsp_server *s, const struct lsp_doc *doc, unsigned line,
                   unsigned column, unsigned end_line, unsigned end_column);
json_t *docs_position_json(struct text_pos p);
/* What was written to a temporary file, read back from its start (NULL when it cannot be). */
char *docs_read_back(FILE *f, size_t *len);
bool docs_position_from(json_t *position, struct text_pos *out);

/* ---- lsp_actions.c ---- */
void actions_code_action(struct lsp_server *s, json_t *id, json_t *params);

/* ---- lsp_knowledge.c ---- */
void knowledge_hover(struct lsp_server *s, json_t *id, json_t *params);
void knowledge_completion(struct lsp_server *s, json_t *id, json_t *params);

#endif
