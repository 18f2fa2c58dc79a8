/*
 * The reader: libyaml events in, positioned nodes out, one top-level item at a time.
 *
 * A gateway config is a mapping of collections (services: [...], routes: [...]). The reader
 * walks the top-level mapping and hands out entries: a key whose value is not a list comes
 * whole (ENTRY_VALUE); a list comes as ENTRY_LIST_BEGIN, one ENTRY_ITEM per element, and
 * ENTRY_LIST_END. Each item is built in an arena that is reset before the next item, so memory
 * follows the largest item, not the file. Top-level keys and values, and anchored nodes, live
 * in a document arena until reader_close().
 *
 * JSON is YAML's flow syntax, so every node has a position in JSON files too; with json_strict,
 * syntax that only YAML accepts is reported. A json_strict input that is strict JSON is read by
 * a JSON reader of its own (reader_json.h), which gives libyaml's events several times faster;
 * whatever it does not read exactly as libyaml does is read by libyaml, decided before reading.
 *
 * Findings go to the diagnostics sink: syntax errors, duplicate keys, limits, invalid UTF-8, a
 * byte order mark, mixed line endings, empty files, several documents. Scalars that YAML 1.1
 * and 1.2 read differently are only counted per entry (reader_entry.yaml11): which gateway
 * reads the file, and so what to say about them, is decided later (check_yaml.c). After a
 * syntax error or a hard limit the reader stops and reader_incomplete() is true; the entries
 * handed out before stay valid findings. Operational errors (I/O, memory) are the return value.
 *
 * A quoted key followed directly by ':' ("127.0.0.1:1980":1) is refused by libyaml but read by
 * tinyyaml (APISIX 2.15 to 3.9). With lenient_probe, a file libyaml refuses is looked at again
 * for such keys (reader_lenient.h): when a space after each makes it readable, the reader
 * still reports the refusal and stops, and reader_take_lenient() hands out the plan; reading
 * the file again with that plan as `lenient` reads it as tinyyaml does, every position still
 * the file's own. Which gateway takes the file so is for the checks to say (check_yaml.c).
 *
 * Limits exist because libyaml 0.2.5 has none: depth, values per item, the size of a single
 * value (enforced on the raw input too, before libyaml buffers it), and alias expansion (a
 * "billion laughs" file is stopped at the limit, not expanded).
 */
#ifndef READER_H
#define READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag/diag.h"
#include "model/model_node.h"
#include "reader_lenient.h"
#include "source/source.h"

struct reader_limits {
    uint32_t max_depth;
    uint32_t max_item_nodes;
    size_t max_value_bytes;
    uint64_t max_alias_nodes;
};

void reader_limits_default(struct reader_limits *limits);

enum reader_entry_kind {
    ENTRY_END,
    ENTRY_VALUE,      /* a top-level key and its whole value; key is NULL for a non-mapping root */
    ENTRY_LIST_BEGIN, /* a top-level key whose value is a list; value is a childless stand-in */
    ENTRY_ITEM,       /* one element; value is NULL when the element could not be read */
    ENTRY_LIST_END
};

struct reader_entry {
    enum reader_entry_kind kind;
    const struct node *key;
    const struct node *value;
    size_t index;
    uint32_t yaml11; /* NODE_YAML11 scalars below value (VALUE, ITEM; not the key) */
    bool stopped;    /* ENTRY_END: reading stopped early, or the file held no document */
};

/*
 * YAML that some gateways' loaders do not support (tinyyaml has no anchors, aliases or merge
 * keys): how often the document used each, and where first. Counted as the file is read.
 */
struct reader_yaml_uses {
    uint32_t anchors, aliases, merges;
    struct span first_anchor, first_alias, first_merge;
};

struct reader_impl;

struct reader {
    struct reader_impl *impl;
};

struct reader_options {
    struct reader_limits limits;
    bool json_strict;   /* the input is a .json file: report YAML-only syntax */
    bool meta_only;     /* skip top-level lists unread (each a LIST_BEGIN with no value, no
                           items and no LIST_END): a quick pass for the metadata keys */
    bool lenient_probe; /* on a syntax error, look for a plan that reads the file (above) */
    const struct lenient_plan *lenient; /* read with the plan's spaces inserted; outlives r */
};

void reader_options_default(struct reader_options *options);

int reader_open(struct reader *r, struct source *src, const struct reader_options *options,
                struct diag_sink *sink, gh_error *err);
/* Reads from memory; name is used in findings. */
int reader_open_memory(struct reader *r, const char *data, size_t len,
                       const struct reader_options *options, struct diag_sink *sink, gh_error *err);
int reader_next(struct reader *r, struct reader_entry *entry, gh_error *err);
/*
 * Knowledge text (a schemas/ file): its first document as a tree copied into arena `a`, which
 * must hold a mapping. Any reader finding is GH_ESCHEMA at path's line and column.
 */
int reader_load_knowledge(const char *path, const char *data, size_t len, struct arena *a,
                          struct node **out, gh_error *err);
/* Builds the whole first document as one tree in the document arena (for small files). */
int reader_load(struct reader *r, struct node **root, gh_error *err);
/*
 * Builds the next items in arena a (reset before each item) instead of the reader's own, so a
 * caller can keep several items alive at once, e.g. while another thread checks them. The
 * document arena (top-level keys, values, anchors) stays the reader's. NULL returns to its own.
 */
void reader_lend_item_arena(struct reader *r, struct arena *a);
bool reader_incomplete(const struct reader *r);
/* The anchors, aliases and merge keys the document used so far (read it after the feed). */
const struct reader_yaml_uses *reader_yaml_uses(const struct reader *r);
/* lenient_probe found a plan that makes the refused file readable: the caller's to free
 * (lenient_plan_free), or NULL. */
/* The list items whose first key is quoted on the "- " line (lenient_dash_quoted_keys), found
 * by reading the input again: *out (free it) and *count; 0, or GH_ENOMEM. */
int reader_dash_quoted_keys(struct reader *r, struct lenient_key **out, size_t *count);
struct lenient_plan *reader_take_lenient(struct reader *r);
void reader_close(struct reader *r);

#endif
