/*
 * JSONPath for organisation rulesets (a rule's `given`): RFC 9535 plus the JSONPath-Plus forms
 * Spectral users write.
 *
 *   $.routes[*]   $..plugins[?(@.name == 'key-auth')].config   $.services[0:2]
 *   $['a b'][-1]  $.routes[?(@.paths && @.protocols[0] != 'https')]   $..[?(@property =~ /^x-/)]
 *
 * Filters follow Spectral's (JavaScript) reading where RFC 9535 and JavaScript differ: a bare
 * `@.enabled` is true when the value is truthy, not merely present; `==` and `!=` convert
 * between numbers, strings and booleans as JavaScript's do (`===` and `!==` do not), and
 * undefined (a missing member) == null; `@.paths.length` is a string's or array's length;
 * the string methods match(/re/), startsWith(), endsWith() and includes() (also on arrays).
 * `@property` is the name or index under which the filtered value sits, `@parentProperty` the
 * one under which its collection sits. Beyond Spectral: `=~` matches a string against a
 * /regex/flags literal or a string, and RFC 9535's functions length(), count(), match(),
 * search() and value(). Regexes are PCRE2's, which read the patterns rules use as JavaScript's
 * do.
 *
 * Invariants: a parsed path lives in the arena given to jpath_parse() (regexes are freed by
 * jpath_free_regexes()); evaluation never allocates on the heap, visits matches in document
 * order, and stops after JPATH_VISIT_BUDGET node visits (a path through aliases of aliases could
 * otherwise take time exponential in the file): *exhausted says so.
 */
#ifndef RULESET_PATH_H
#define RULESET_PATH_H

#include <stdbool.h>
#include <stddef.h>

#include "model/model_node.h"
#include "model/model_path.h"
#include "util/util_arena.h"

#define JPATH_VISIT_BUDGET 50000000u

struct jpath;

struct jpath_error {
    size_t offset; /* in the path's text, 0-based */
    char message[160];
};

/* 0, or -1 with err filled. Regexes compiled here are registered in *regexes (a list the
 * caller frees with jpath_free_regexes once every path that uses them is gone). */
struct jpath_regexes {
    void **items;
    size_t count, cap;
};
int jpath_parse(const char *text, struct arena *a, struct jpath_regexes *regexes,
                const struct jpath **out, struct jpath_error *err);
void jpath_free_regexes(struct jpath_regexes *regexes);

/* One match: the node, where it is (a pointer from the document's root), and its parent. */
struct jpath_match {
    const struct node *node;
    const struct node *parent; /* NULL for the root */
    struct path *where;
};

typedef void (*jpath_visit_fn)(void *ctx, const struct jpath_match *m);

/*
 * Calls visit for every node the path selects in the document `root`, in document order (a
 * node selected twice, through a union or `..`, is visited twice, as Spectral does). `where`
 * starts as the caller set it (usually empty) and is restored on return.
 */
void jpath_eval(const struct jpath *p, const struct node *root, struct path *where,
                jpath_visit_fn visit, void *ctx, bool *exhausted);

/*
 * Streaming: whether the path can be run on one top-level entry at a time (an item of a
 * top-level list, or a top-level value that is not a list) and find there just what it finds
 * in the whole document. Not the root itself ($), nor a path that reads the root in a filter
 * or counts from the end of a list.
 */
bool jpath_streamable(const struct jpath *p);

/*
 * Runs a streamable path on one entry: the top-level key and either its value (item false) or
 * one item of its list, at index. Matches come with their pointers in the whole document.
 * *whole_list is set (and nothing visited for it) where the path would take the top-level list
 * itself, or filter it as a value: that match needs the document (jpath_eval, keeping the
 * matches that are top-level lists).
 */
void jpath_eval_entry(const struct jpath *p, const struct node *key, const struct node *value,
                      bool item, size_t index, struct path *where, jpath_visit_fn visit, void *ctx,
                      bool *exhausted, bool *whole_list);

#endif
