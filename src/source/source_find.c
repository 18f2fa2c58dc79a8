#define _DEFAULT_SOURCE /* readdir's d_type and its DT_ names */
#include "source_find.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "util/util_error.h"
#include "util/util_fspath.h"
#include "util/util_glob.h"

void found_files_init(struct found_files *f)
{
    memset(f, 0, sizeof(*f));
    strmap_init(&f->seen);
}

void found_files_release(struct found_files *f)
{
    for (size_t i = 0; i < f->count; i++)
        free(f->items[i].path);
    free(f->items);
    strmap_release(&f->seen);
    memset(f, 0, sizeof(*f));
}

static int grow(struct found_files *f)
{
    if (f->count < f->cap)
        return 0;
    size_t cap = f->cap ? f->cap * 2 : 16;
    struct found_file *items = realloc(f->items, cap * sizeof(*items));
    if (!items)
        return -1;
    f->items = items;
    f->cap = cap;
    return 0;
}

/* Lists a file once, however it is spelt ("k/a.yml", "./k/a.yml"); *named counts it either
 * way. */
static int add_file(struct found_files *f, const char *path, bool searched, size_t *named,
                    gh_error *err)
{
    (*named)++;
    char *key = strcmp(path, "-") != 0 ? fspath_absolute(path) : strdup(path);
    int put = key ? strmap_put(&f->seen, key, strlen(key), 0, NULL) : -1;
    free(key);
    if (put == 0)
        return 0;
    char *copy = put < 0 || grow(f) < 0 ? NULL : strdup(path);
    if (!copy)
        return error_set(err, GH_ENOMEM, "out of memory");
    f->items[f->count++] = (struct found_file){copy, searched};
    return 0;
}

/* ---- walking directories ------------------------------------------------------------------ */

/* What a search keeps: a directory's configuration files, or whatever a glob matches. */
struct search {
    struct found_files *f;
    const char *pattern; /* NULL: a directory search */
    size_t max_depth;
    size_t named;
    gh_error *err;
};

/* *.yml, *.yaml or *.json, in any case (KONG.YML). */
static bool is_config_name(const char *name)
{
    static const char *const extensions[] = {".yml", ".yaml", ".json"};
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof(extensions) / sizeof(extensions[0]); i++) {
        size_t e = strlen(extensions[i]);
        if (n > e && !strcasecmp(name + n - e, extensions[i]))
            return true;
    }
    return false;
}

/* A directory's entry, with what readdir says it is (DT_UNKNOWN where the file system does
 * not say), so that most entries need no stat of their own. */
struct dir_entry {
    char *name;
    unsigned char type;
};

static int compare_names(const void *a, const void *b)
{
    return strcmp(((const struct dir_entry *)a)->name, ((const struct dir_entry *)b)->name);
}

/* The entries of a directory but the hidden ones, sorted; NULL with *n 0 when empty. */
static int read_names(const char *dir, struct dir_entry **entries, size_t *n, gh_error *err)
{
    *entries = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return error_set(err, GH_EIO, "cannot read directory '%s': %s", dir, strerror(errno));
    size_t cap = 0;
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 32;
            struct dir_entry *grown = realloc(*entries, cap * sizeof(**entries));
            if (!grown) {
                rc = error_set(err, GH_ENOMEM, "out of memory");
                break;
            }
            *entries = grown;
        }
        struct dir_entry *entry = &(*entries)[*n];
        entry->type = e->d_type;
        if (!(entry->name = strdup(e->d_name)))
            rc = error_set(err, GH_ENOMEM, "out of memory");
        else
            (*n)++;
    }
    closedir(d);
    if (*n)
        qsort(*entries, *n, sizeof(**entries), compare_names);
    return rc;
}

/* dir/name, with no "./" in front when the search started at the working directory. */
static char *child_path(const char *dir, const char *name)
{
    size_t d = strlen(dir), n = strlen(name);
    char *p = malloc(d + n + 2);
    if (!p)
        return NULL;
    if (d) {
        memcpy(p, dir, d);
        if (dir[d - 1] != '/')
            p[d++] = '/';
    }
    memcpy(p + d, name, n + 1);
    return p;
}

static int walk(struct search *s, const char *dir, size_t depth);

/* What an entry is, as the walk needs it: a regular file, a directory (not reached through a
 * link), or neither. readdir's type answers without a stat for all but links and file
 * systems that do not say; thousands of files in a folder otherwise cost two stats each. */
enum entry_kind { ENTRY_OTHER, ENTRY_FILE, ENTRY_DIR, ENTRY_DIR_LINK };

static enum entry_kind entry_kind(const char *path, unsigned char type)
{
    if (type == DT_REG)
        return ENTRY_FILE;
    if (type == DT_DIR)
        return ENTRY_DIR;
    if (type != DT_LNK && type != DT_UNKNOWN)
        return ENTRY_OTHER;
    struct stat link, st;
    if (lstat(path, &link) != 0 || stat(path, &st) != 0)
        return ENTRY_OTHER; /* gone, or a dangling link: not an input */
    if (S_ISDIR(st.st_mode))
        return S_ISLNK(link.st_mode) ? ENTRY_DIR_LINK : ENTRY_DIR;
    return S_ISREG(st.st_mode) ? ENTRY_FILE : ENTRY_OTHER;
}

/* One entry of a walked directory: recurse into a directory (links to them are not followed),
 * keep a file the search wants. */
static int visit(struct search *s, const char *path, const struct dir_entry *e, size_t depth)
{
    switch (entry_kind(path, e->type)) {
    case ENTRY_DIR:
        return depth + 1 >= s->max_depth ? 0 : walk(s, path, depth + 1);
    case ENTRY_FILE: {
        bool wanted = s->pattern ? glob_match(s->pattern, path) : is_config_name(e->name);
        return wanted ? add_file(s->f, path, true, &s->named, s->err) : 0;
    }
    default:
        return 0;
    }
}

static int walk(struct search *s, const char *dir, size_t depth)
{
    struct dir_entry *entries;
    size_t n;
    int rc = read_names(*dir ? dir : ".", &entries, &n, s->err);
    for (size_t i = 0; i < n; i++) {
        char *path = rc == 0 ? child_path(dir, entries[i].name) : NULL;
        if (rc == 0 && !path)
            rc = error_set(s->err, GH_ENOMEM, "out of memory");
        if (rc == 0)
            rc = visit(s, path, &entries[i], depth);
        free(path);
        free(entries[i].name);
    }
    free(entries);
    return rc;
}

/* ---- globs -------------------------------------------------------------------------------- */

/*
 * Where a glob's search starts: its leading segments that hold no metacharacter ("kong" when
 * the pattern starts "kong/" and goes on with stars, "" for "*.yml", "/" for "/x*"), and how
 * deep it may go below there (as deep as searches go with a two-star segment).
 */
static int glob_base(const char *pattern, char **base, size_t *depth)
{
    const char *cut = pattern; /* just past the last literal segment's '/' */
    for (const char *p = pattern; *p;) {
        const char *end = strchr(p, '/');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char segment[1024];
        if (n >= sizeof(segment))
            break;
        memcpy(segment, p, n);
        segment[n] = '\0';
        if (glob_has_magic(segment) || !end)
            break;
        cut = end + 1;
        p = end + 1;
    }
    size_t len = (size_t)(cut - pattern);
    if (len > 1 && pattern[len - 1] == '/')
        len--; /* "kong/" -> "kong"; "/" stays */
    *base = malloc(len + 1);
    if (!*base)
        return -1;
    memcpy(*base, pattern, len);
    (*base)[len] = '\0';
    size_t segments = 1;
    for (const char *p = cut; *p; p++)
        segments += *p == '/';
    *depth = strstr(cut, "**") ? SOURCE_FIND_MAX_DEPTH : segments;
    return 0;
}

static int expand_glob(struct found_files *f, const char *pattern, size_t *named, gh_error *err)
{
    char *base;
    size_t depth;
    if (glob_base(pattern, &base, &depth) < 0)
        return error_set(err, GH_ENOMEM, "out of memory");
    struct search s = {f, pattern, depth, 0, err};
    struct stat st;
    int rc = 0;
    /* A base that is not a directory matches nothing, quietly: the caller says so. */
    if (!*base || (stat(base, &st) == 0 && S_ISDIR(st.st_mode)))
        rc = walk(&s, base, 0);
    free(base);
    *named += s.named;
    return rc;
}

int found_files_add(struct found_files *f, const char *arg, size_t *named, gh_error *err)
{
    *named = 0;
    struct stat st;
    bool exists = strcmp(arg, "-") != 0 && stat(arg, &st) == 0;
    if (exists && S_ISDIR(st.st_mode)) {
        /* "." lists "a.yml", not "./a.yml" */
        const char *dir = !strcmp(arg, ".") || !strcmp(arg, "./") ? "" : arg;
        struct search s = {f, NULL, SOURCE_FIND_MAX_DEPTH, 0, err};
        int rc = walk(&s, dir, 0);
        *named = s.named;
        return rc;
    }
    if (!exists && glob_has_magic(arg))
        return expand_glob(f, arg, named, err);
    return add_file(f, arg, false, named, err);
}
