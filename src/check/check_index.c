#include "check_index.h"

#include <stdlib.h>
#include <string.h>

#define KEY_MAX KEYSET_KEY_MAX

void index_init(struct index *ix)
{
    memset(ix, 0, sizeof(*ix));
    keyset_init(&ix->keys);
    arena_init(&ix->strings, 64 * 1024);
}

int index_reserve(struct index *ix, size_t n)
{
    return keyset_reserve(&ix->keys, n);
}

void index_release(struct index *ix)
{
    keyset_release(&ix->keys);
    free(ix->pending);
    arena_release(&ix->strings);
    memset(ix, 0, sizeof(*ix));
}

/* Values longer than the key buffer are cut: two such values differing only past the cut
 * would count as equal, which for names and ids of this length does not happen in practice. */
static size_t make_key(char *key, uint8_t entity, unsigned kind, const char *value, size_t len)
{
    if (len > KEY_MAX - 2)
        len = KEY_MAX - 2;
    key[0] = (char)entity;
    key[1] = (char)kind;
    memcpy(key + 2, value, len);
    return len + 2;
}

int index_define(struct index *ix, uint8_t entity, unsigned kind, const char *value, size_t len,
                 uint32_t line, uint32_t *first_line)
{
    char key[KEY_MAX];
    size_t n = make_key(key, entity, kind, value, len);
    return keyset_put(&ix->keys, key, n, line, first_line);
}

bool index_has(const struct index *ix, uint8_t entity, unsigned kind, const char *value, size_t len)
{
    char key[KEY_MAX];
    size_t n = make_key(key, entity, kind, value, len);
    return keyset_get(&ix->keys, key, n, NULL);
}

bool index_resolves(const struct index *ix, uint8_t entity, const char *value, size_t len)
{
    return index_has(ix, entity, INDEX_ID, value, len) ||
           index_has(ix, entity, INDEX_ENDPOINT, value, len);
}

int index_defer(struct index *ix, const struct pending_ref *ref)
{
    if (ix->npending == ix->pending_cap) {
        size_t cap = ix->pending_cap ? ix->pending_cap * 2 : 64;
        struct pending_ref *p = realloc(ix->pending, cap * sizeof(*p));
        if (!p)
            return -1;
        ix->pending = p;
        ix->pending_cap = cap;
    }
    struct pending_ref copy = *ref;
    copy.value = arena_strndup(&ix->strings, ref->value, ref->len);
    copy.path = arena_strdup(&ix->strings, ref->path ? ref->path : "");
    copy.entity = arena_strdup(&ix->strings, ref->entity ? ref->entity : "");
    copy.if_resolved = ref->if_resolved ? arena_strdup(&ix->strings, ref->if_resolved) : NULL;
    if (!copy.value || !copy.path || !copy.entity || (ref->if_resolved && !copy.if_resolved))
        return -1;
    ix->pending[ix->npending++] = copy;
    return 0;
}

void index_resolve(struct index *ix, struct diag_sink *sink, bool elsewhere)
{
    for (size_t i = 0; i < ix->npending; i++) {
        const struct pending_ref *r = &ix->pending[i];
        bool found = index_resolves(ix, r->target, r->value, r->len);
        if (found && r->if_resolved)
            diag_add(sink, R_HOP3004, -1, &r->span, r->path, r->entity, "%s", r->if_resolved);
        if (found)
            continue;
        if (elsewhere) {
            diag_add(sink, R_HOP9005, -1, &r->span, r->path, r->entity,
                     "'%s': not checked: %s '%.200s' is not in this file; decK looks it up in "
                     "the gateway it syncs to (default_lookup_tags, or entities it does not "
                     "manage) and in the other state files it is given",
                     r->field, r->target_singular, r->value);
            continue;
        }
        diag_add(sink, R_HOP3001, -1, &r->span, r->path, r->entity,
                 "'%s' refers to %s '%.200s', which is not in this file", r->field,
                 r->target_singular, r->value);
    }
}
