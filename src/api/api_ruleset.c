/*
 * Organisation rulesets (gh_lint_options.rulesets, docs/rulesets.md): loaded once per engine,
 * whichever thread asks first, and run over each linted file after gatehop's own checks.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "api_internal.h"
#include "reader/reader.h"
#include "ruleset/ruleset_run.h"
#include "util/util_error.h"
#include "util/util_fspath.h"

struct loaded_ruleset {
    char *path;
    struct ruleset *rs;
};

struct ruleset_cache {
    pthread_mutex_t mu;
    struct loaded_ruleset *items;
    size_t count;
};

int api_rulesets_init(gh_engine *e)
{
    e->rulesets = calloc(1, sizeof(*e->rulesets));
    if (!e->rulesets)
        return -1;
    if (pthread_mutex_init(&e->rulesets->mu, NULL) != 0) {
        free(e->rulesets);
        e->rulesets = NULL;
        return -1;
    }
    return 0;
}

void api_rulesets_release(gh_engine *e)
{
    struct ruleset_cache *c = e->rulesets;
    if (!c)
        return;
    for (size_t i = 0; i < c->count; i++) {
        free(c->items[i].path);
        ruleset_free(c->items[i].rs);
    }
    free(c->items);
    pthread_mutex_destroy(&c->mu);
    free(c);
    e->rulesets = NULL;
}

static int cache_add(struct ruleset_cache *c, const char *path, struct ruleset *rs, gh_error *err)
{
    struct loaded_ruleset *items = realloc(c->items, (c->count + 1) * sizeof(*items));
    char *copy = strdup(path);
    if (!items || !copy) {
        free(copy);
        if (items)
            c->items = items;
        ruleset_free(rs);
        return error_set(err, GH_ENOMEM, "out of memory");
    }
    c->items = items;
    c->items[c->count++] = (struct loaded_ruleset){copy, rs};
    return 0;
}

/* The ruleset at path, loaded the first time it is asked for (a failure is not kept: the
 * next file says it again, and the CLI stops at the first). */
static int ruleset_for(gh_engine *e, const char *path, const struct ruleset **out, gh_error *err)
{
    struct ruleset_cache *c = e->rulesets;
    pthread_mutex_lock(&c->mu);
    int rc = 0;
    *out = NULL;
    for (size_t i = 0; i < c->count && !*out; i++)
        if (!strcmp(c->items[i].path, path))
            *out = c->items[i].rs;
    if (!*out) {
        struct ruleset *rs;
        if ((rc = ruleset_load(path, &rs, err)) == 0 && (rc = cache_add(c, path, rs, err)) == 0)
            *out = rs;
    }
    pthread_mutex_unlock(&c->mu);
    return rc;
}

/* A reader over a copy of the input, from its first byte (the check has read it already). */
static int open_again(gh_result *r, struct source *copy, struct reader *rd,
                      struct diag_sink *ignored, gh_error *err)
{
    if (source_open_copy(&r->src, copy, err) < 0)
        return -1;
    struct reader_options opt;
    reader_options_default(&opt);
    /* read as the check read it: a file only tinyyaml (APISIX) or decK's templates make
     * readable is read with the same plan, not stopped at its first refusal */
    opt.lenient = r->lenient;
    /* the check reported what the reader finds; this pass keeps none of it */
    diag_sink_init(ignored, 1);
    if (reader_open(rd, copy, &opt, ignored, err) < 0) {
        diag_sink_release(ignored);
        source_close(copy);
        return -1;
    }
    return 0;
}

static void close_again(struct source *copy, struct reader *rd, struct diag_sink *ignored)
{
    reader_close(rd);
    diag_sink_release(ignored);
    source_close(copy);
}

/* Every top-level entry of the input to each pass, one at a time: memory stays flat. A file
 * that stops reading early (a syntax error, already reported) gives what was read. */
static int stream_entries(gh_result *r, struct rs_pass **passes, size_t n, gh_error *err)
{
    struct source copy;
    struct reader rd;
    struct diag_sink ignored;
    if (open_again(r, &copy, &rd, &ignored, err) < 0)
        return -1;
    struct reader_entry e;
    gh_error read_err = {0};
    while (reader_next(&rd, &e, &read_err) == 0 && e.kind != ENTRY_END) {
        bool item = e.kind == ENTRY_ITEM;
        if (item || e.kind == ENTRY_VALUE)
            for (size_t i = 0; i < n; i++)
                rs_pass_entry(passes[i], e.key, e.value, item, item ? e.index : 0);
    }
    close_again(&copy, &rd, &ignored);
    return 0;
}

/* The input as one tree, for the paths that need it; NULL when it cannot be read so. */
static int run_on_document(gh_result *r, struct rs_pass **passes, size_t n, gh_error *err)
{
    struct source copy;
    struct reader rd;
    struct diag_sink ignored;
    if (open_again(r, &copy, &rd, &ignored, err) < 0)
        return -1;
    struct node *root = NULL;
    gh_error load_err = {0};
    bool loaded = reader_load(&rd, &root, &load_err) == 0 && root;
    for (size_t i = 0; i < n; i++) {
        if (loaded)
            rs_pass_document(passes[i], root);
        else
            rs_pass_no_document(passes[i],
                                "its given path needs the file as one tree, and the file could "
                                "not be read whole (too large, or not read to its end)");
    }
    close_again(&copy, &rd, &ignored);
    return 0;
}

int api_rulesets_run(gh_engine *e, const gh_lint_options *o, gh_result *r, gh_error *err)
{
    if (!o->ruleset_count || !r->src_open)
        return 0;
    if (!e->rulesets) /* gh_engine_forget_files() ran out of memory */
        return error_set(err, GH_ENOMEM, "out of memory");
    struct rs_pass **passes = calloc(o->ruleset_count, sizeof(*passes));
    if (!passes)
        return error_set(err, GH_ENOMEM, "out of memory");
    /* the secrets the checks found, in order, so that no ruleset message shows them */
    diag_sort(&r->sink);
    int rc = 0;
    /* the file as the rulesets' overrides match it: its path, or the name standard input is
     * given */
    char *abs = fspath_absolute(r->src.path ? r->src.path : r->file);
    for (size_t i = 0; i < o->ruleset_count && rc == 0; i++) {
        const struct ruleset *rs;
        if ((rc = ruleset_for(e, o->rulesets[i], &rs, err)) == 0 &&
            !(passes[i] = rs_pass_begin(rs, abs, &r->sink)))
            rc = error_set(err, GH_ENOMEM, "out of memory");
    }
    free(abs);
    if (rc == 0)
        rc = stream_entries(r, passes, o->ruleset_count, err);
    /* after streaming: it tells which paths met a whole top-level list */
    bool document = false;
    for (size_t i = 0; i < o->ruleset_count && rc == 0; i++)
        document |= rs_pass_needs_document(passes[i]);
    if (rc == 0 && document)
        rc = run_on_document(r, passes, o->ruleset_count, err);
    for (size_t i = 0; i < o->ruleset_count; i++)
        rs_pass_end(passes[i]);
    free(passes);
    return rc;
}
