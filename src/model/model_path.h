/*
 * A JSON pointer ("/services/3/routes/0/paths/1") built up and torn down as a walk descends
 * and returns. Keys are escaped as RFC 6901 says (~ as ~0, / as ~1).
 *
 * Invariants: text is always NUL-terminated; path_pop() undoes exactly one push. A path that
 * would pass the cap keeps growing in length bookkeeping only, so pushes and pops stay paired;
 * its text then ends in "/...".
 */
#ifndef MODEL_PATH_H
#define MODEL_PATH_H

#include <stddef.h>
#include <stdint.h>

#define PATH_MAX_TEXT 1024
#define PATH_MAX_DEPTH 256

struct path {
    char text[PATH_MAX_TEXT];
    size_t len;
    size_t depth;
    size_t marks[PATH_MAX_DEPTH];
};

void path_init(struct path *p);
void path_push_key(struct path *p, const char *key, size_t len);
void path_push_index(struct path *p, size_t index);
void path_pop(struct path *p);
const char *path_text(const struct path *p);

#endif
