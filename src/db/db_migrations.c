#include "db_migrations.h"

#include <stdlib.h>
#include <string.h>

#include "model/model_node.h"
#include "reader/reader.h"
#include "util/util_array.h"
#include "util/util_embed.h"
#include "util/util_error.h"

#define KNOWLEDGE_PATH "schemas/kong/migrations.yaml"

/* ---- the knowledge -------------------------------------------------------------------------- */

static int malformed(gh_error *err, const struct node *n, const char *what)
{
    return error_set_at(err, GH_ESCHEMA, KNOWLEDGE_PATH, n ? n->span.line : 1,
                        n ? n->span.column : 1, "%s", what);
}

static bool version_of(const struct node *n, struct version *out)
{
    return node_is_string(n) && version_parse(n->u.text, n->count, out);
}

static int load_migration(struct migration_kb *kb, const struct node *n, struct migration *m,
                          gh_error *err)
{
    const struct node *name = node_map_get(n, "name");
    const struct node *teardown = node_map_get(n, "teardown");
    if (n->kind != NODE_MAPPING || !node_is_string(name))
        return malformed(err, n, "a migration needs a name");
    if (!version_of(node_map_get(n, "since"), &m->since))
        return malformed(err, n, "a migration needs the release it came with (since)");
    memset(&m->teardown, 0, sizeof(m->teardown));
    if (teardown && !version_of(teardown, &m->teardown))
        return malformed(err, teardown, "teardown must be a release");
    if (!(m->name = arena_strdup(&kb->arena, name->u.text)))
        return error_set(err, GH_ENOMEM, "out of memory");
    return 0;
}

static int load_subsystem(struct migration_kb *kb, const struct node_pair *p,
                          struct migration_subsystem *s, gh_error *err)
{
    if (!node_is_string(p->key) || p->value->kind != NODE_SEQUENCE)
        return malformed(err, p->value, "a subsystem is a list of migrations");
    s->name = arena_strdup(&kb->arena, p->key->u.text);
    s->count = p->value->count;
    s->items = arena_calloc(&kb->arena, s->count ? s->count : 1, sizeof(*s->items));
    if (!s->name || !s->items)
        return error_set(err, GH_ENOMEM, "out of memory");
    for (size_t i = 0; i < s->count; i++) {
        int rc = load_migration(kb, p->value->u.items[i], &s->items[i], err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int load_releases(struct migration_kb *kb, const struct node *list, gh_error *err)
{
    if (!list || list->kind != NODE_SEQUENCE || list->count == 0)
        return malformed(err, list, "releases must list the release tags read");
    kb->nreleases = list->count;
    if (!(kb->releases = arena_calloc(&kb->arena, list->count, sizeof(*kb->releases))))
        return error_set(err, GH_ENOMEM, "out of memory");
    for (size_t i = 0; i < list->count; i++)
        if (!version_of(list->u.items[i], &kb->releases[i]) ||
            (i && version_compare(&kb->releases[i - 1], &kb->releases[i]) >= 0))
            return malformed(err, list->u.items[i], "releases must be versions, oldest first");
    return 0;
}

static int load_tree(struct migration_kb *kb, const struct node *root, gh_error *err)
{
    const struct node *subsystems = node_map_get(root, "subsystems");
    int rc = load_releases(kb, node_map_get(root, "releases"), err);
    if (rc < 0)
        return rc;
    if (!subsystems || subsystems->kind != NODE_MAPPING || subsystems->count == 0 ||
        !node_text_equals(subsystems->u.pairs[0].key, "core"))
        return malformed(err, subsystems, "subsystems must map names to migrations, core first");
    kb->count = subsystems->count;
    if (!(kb->subsystems = arena_calloc(&kb->arena, kb->count, sizeof(*kb->subsystems))))
        return error_set(err, GH_ENOMEM, "out of memory");
    for (size_t i = 0; i < kb->count && rc == 0; i++)
        rc = load_subsystem(kb, &subsystems->u.pairs[i], &kb->subsystems[i], err);
    return rc;
}

int migration_kb_load(struct migration_kb *kb, gh_error *err)
{
    memset(kb, 0, sizeof(*kb));
    arena_init(&kb->arena, 16 * 1024);
    const struct embedded_file *f = embedded_find(KNOWLEDGE_PATH);
    if (!f)
        return error_set(err, GH_ESCHEMA, "the binary holds no %s", KNOWLEDGE_PATH);
    struct node *root = NULL;
    int rc = reader_load_knowledge(KNOWLEDGE_PATH, f->data, f->size, &kb->arena, &root, err);
    if (rc == 0)
        rc = load_tree(kb, root, err);
    if (rc < 0)
        migration_kb_release(kb);
    return rc;
}

void migration_kb_release(struct migration_kb *kb)
{
    arena_release(&kb->arena);
    memset(kb, 0, sizeof(*kb));
}

const struct migration_subsystem *migration_kb_subsystem(const struct migration_kb *kb,
                                                         const char *name)
{
    for (size_t i = 0; i < kb->count; i++)
        if (!strcmp(kb->subsystems[i].name, name))
            return &kb->subsystems[i];
    return NULL;
}

bool migration_in(const struct migration *m, const struct version *at)
{
    return version_compare(&m->since, at) <= 0;
}

bool migration_has_teardown(const struct migration *m, const struct version *at)
{
    return version_is_set(&m->teardown) && version_compare(&m->teardown, at) <= 0;
}

struct version migration_kb_resolve(const struct migration_kb *kb, const struct version *v)
{
    return version_tag_for(kb->releases, kb->nreleases, v);
}

/* ---- what the database says ----------------------------------------------------------------- */

void meta_state_init(struct meta_state *s)
{
    memset(s, 0, sizeof(*s));
    arena_init(&s->arena, 4096);
}

void meta_state_release(struct meta_state *s)
{
    for (size_t i = 0; i < s->count; i++) {
        free(s->rows[i].executed);
        free(s->rows[i].pending);
    }
    free(s->rows);
    arena_release(&s->arena);
    memset(s, 0, sizeof(*s));
}

struct meta_row *meta_state_add(struct meta_state *s, const char *subsystem,
                                const char *last_executed)
{
    struct meta_row *rows = array_grow(s->rows, &s->cap, s->count, sizeof(*rows), 8);
    if (!rows)
        return NULL;
    s->rows = rows;
    struct meta_row *row = &rows[s->count];
    memset(row, 0, sizeof(*row));
    row->subsystem = arena_strdup(&s->arena, subsystem);
    if (last_executed)
        row->last_executed = arena_strdup(&s->arena, last_executed);
    if (!row->subsystem || (last_executed && !row->last_executed))
        return NULL;
    s->count++;
    return row;
}

int meta_row_add(struct meta_state *s, struct meta_row *row, bool pending, const char *name)
{
    const char ***list = pending ? &row->pending : &row->executed;
    size_t *n = pending ? &row->npending : &row->nexecuted;
    /* One more at a time: a row holds a few dozen names at most. */
    const char **grown = realloc(*list, (*n + 1) * sizeof(**list));
    if (!grown)
        return -1;
    *list = grown;
    if (!(grown[*n] = arena_strdup(&s->arena, name)))
        return -1;
    (*n)++;
    return 0;
}

const struct meta_row *meta_state_row(const struct meta_state *s, const char *subsystem)
{
    for (size_t i = 0; i < s->count; i++)
        if (!strcmp(s->rows[i].subsystem, subsystem))
            return &s->rows[i];
    return NULL;
}

/* One element of an array literal from *p: quoted (backslash escapes) or bare up to ',' or '}'.
 * Returns its length in out (NUL-terminated), or -2 when malformed. */
static int array_element(const char **p, char *out, size_t size)
{
    const char *s = *p;
    size_t n = 0;
    bool quoted = *s == '"';
    if (quoted)
        s++;
    for (;; s++) {
        char c = *s;
        if (!c)
            return -2;
        if (quoted && c == '"') {
            s++;
            break;
        }
        if (!quoted && (c == ',' || c == '}'))
            break;
        if (quoted && c == '\\' && !(c = *++s))
            return -2;
        if (n + 1 >= size)
            return -2; /* no migration name is this long */
        out[n++] = c;
    }
    out[n] = '\0';
    *p = s;
    return quoted || n ? 0 : -2;
}

int meta_row_add_array(struct meta_state *s, struct meta_row *row, bool pending, const char *text)
{
    const char *p = text;
    if (*p++ != '{')
        return -2;
    if (*p == '}')
        return p[1] ? -2 : 0;
    for (;;) {
        char name[256];
        if (array_element(&p, name, sizeof(name)) < 0)
            return -2;
        if (meta_row_add(s, row, pending, name) < 0)
            return -1;
        if (*p == '}')
            return p[1] ? -2 : 0;
        if (*p++ != ',')
            return -2;
    }
}
