#include "config_baseline.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "util/util_error.h"
#include "util/util_fspath.h"

static int compare_entries(const void *a, const void *b)
{
    const struct baseline_entry *x = a, *y = b;
    int c = strcmp(x->file, y->file);
    if (!c)
        c = strcmp(x->code, y->code);
    return c ? c : strcmp(x->path, y->path);
}

/* One {"file", "code", "path"} object; -1 when it is not one. */
static int read_entry(struct baseline *b, json_t *item, struct baseline_entry *out)
{
    const char *fields[3];
    static const char *const names[3] = {"file", "code", "path"};
    if (!json_is_object(item))
        return -1;
    for (size_t i = 0; i < 3; i++) {
        json_t *v = json_object_get(item, names[i]);
        if (!json_is_string(v) || !(fields[i] = arena_strdup(&b->arena, json_string_value(v))))
            return -1;
    }
    *out = (struct baseline_entry){fields[0], fields[1], fields[2]};
    return 0;
}

static int read_findings(struct baseline *b, json_t *root, gh_error *err)
{
    json_t *version = json_object_get(root, "version");
    json_t *findings = json_object_get(root, "findings");
    if (!json_is_integer(version) || json_integer_value(version) != 1 || !json_is_array(findings))
        return error_set(err, GH_EUSAGE,
                         "'%s' is not a gatehop baseline (expected {\"version\": 1, "
                         "\"findings\": [...]})",
                         b->path);
    size_t n = json_array_size(findings);
    b->entries = arena_calloc(&b->arena, n ? n : 1, sizeof(*b->entries));
    if (!b->entries)
        return error_set(err, GH_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        if (read_entry(b, json_array_get(findings, i), &b->entries[i]) < 0)
            return error_set(err, GH_EUSAGE,
                             "'%s': finding %zu is not {\"file\", \"code\", \"path\"} strings",
                             b->path, i + 1);
    b->count = n;
    qsort(b->entries, n, sizeof(*b->entries), compare_entries);
    return 0;
}

int baseline_load(const char *path, struct baseline **out, gh_error *err)
{
    *out = NULL;
    struct baseline *b = calloc(1, sizeof(*b));
    if (!b)
        return error_set(err, GH_ENOMEM, "out of memory");
    arena_init(&b->arena, 16 * 1024);
    b->path = fspath_absolute(path);
    b->dir = b->path ? fspath_parent(b->path) : NULL;
    int rc = b->dir ? 0 : error_set(err, GH_ENOMEM, "out of memory");
    json_error_t jerr;
    json_t *root = rc == 0 ? json_load_file(path, JSON_REJECT_DUPLICATES, &jerr) : NULL;
    if (rc == 0 && !root)
        rc = jerr.line > 0
                 ? error_set_at(err, GH_EUSAGE, path, (unsigned)jerr.line, (unsigned)jerr.column,
                                "baseline: %s", jerr.text)
                 : error_set(err, GH_EIO, "cannot read baseline '%s': %s", path, jerr.text);
    if (rc == 0)
        rc = read_findings(b, root, err);
    json_decref(root);
    if (rc < 0) {
        baseline_free(b);
        return rc;
    }
    *out = b;
    return 0;
}

void baseline_free(struct baseline *b)
{
    if (!b)
        return;
    arena_release(&b->arena);
    free(b->path);
    free(b->dir);
    free(b);
}

const struct baseline_entry *baseline_for_file(const struct baseline *b, const char *file,
                                               size_t *count)
{
    size_t lo = 0, hi = b->count;
    while (lo < hi) { /* the first entry not before `file` */
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(b->entries[mid].file, file) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < b->count && !strcmp(b->entries[end].file, file))
        end++;
    *count = end - lo;
    return *count ? &b->entries[lo] : NULL;
}

/* A JSON string literal for s, written to out. */
static int put_string(FILE *out, const char *s)
{
    json_t *j = json_string(s);
    int rc = j ? json_dumpf(j, out, JSON_ENCODE_ANY) : -1;
    json_decref(j);
    return rc;
}

int baseline_write(FILE *out, struct baseline_entry *entries, size_t count)
{
    qsort(entries, count, sizeof(*entries), compare_entries);
    int rc = fputs("{\"version\": 1, \"findings\": [\n", out) < 0 ? -1 : 0;
    for (size_t i = 0; rc == 0 && i < count; i++) {
        const struct baseline_entry *e = &entries[i];
        fputs("  {\"file\": ", out);
        rc |= put_string(out, e->file);
        fputs(", \"code\": ", out);
        rc |= put_string(out, e->code);
        fputs(", \"path\": ", out);
        rc |= put_string(out, e->path);
        fputs(i + 1 < count ? "},\n" : "}\n", out);
    }
    if (fputs("]}\n", out) < 0 || ferror(out))
        rc = -1;
    return rc;
}
