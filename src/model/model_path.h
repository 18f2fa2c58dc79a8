/*
 * A JSON pointer ("/services/3/routes/0/paths/1") kept as a stack of segments while a walk
 * descends and returns, and rendered to text only when asked (a finding needs it), since
 * pushing and popping happen for every value of every file.
 *
 * Invariants: path_pop() undoes exactly one push. A key segment points at text owned by the
 * caller, which must outlive the push. Past PATH_MAX_DEPTH segments the extra pushes are
 * counted but not kept, and the text ends in "/...". Keys are escaped as RFC 6901 says.
 */
#ifndef MODEL_PATH_H
#define MODEL_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PATH_MAX_TEXT  1024
#define PATH_MAX_DEPTH 128

struct path_segment {
    const char *key; /* NULL for an index */
    size_t len_or_index;
};

struct path {
    struct path_segment seg[PATH_MAX_DEPTH];
    size_t depth;
    char text[PATH_MAX_TEXT];
};

void path_init(struct path *p);
void path_push_key(struct path *p, const char *key, size_t len);
void path_push_index(struct path *p, size_t index);
void path_pop(struct path *p);
/* The pointer as text; valid until the next call that changes or renders the path. */
const char *path_text(struct path *p);

#endif
