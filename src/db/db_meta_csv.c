#include "db_meta_csv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_status.h"
#include "util/util_array.h"
#include "util/util_buf.h"
#include "util/util_error.h"

enum column { COL_KEY, COL_SUBSYSTEM, COL_LAST, COL_EXECUTED, COL_PENDING, COL_COUNT };

static const char *const column_names[COL_COUNT] = {"key", "subsystem", "last_executed", "executed",
                                                    "pending"};

#define FIELDS_MAX  16
#define FIELD_BYTES (64 * 1024)

/* One CSV record (RFC 4180: quoted fields, "" inside quotes, line breaks inside quotes).
 * Returns the field count, 0 at the end of the file, -1 when malformed or too large. */
static int read_record(FILE *fp, struct buf fields[FIELDS_MAX], unsigned *line)
{
    int n = 0, c = getc(fp);
    if (c == EOF)
        return 0;
    buf_clear(&fields[0]);
    bool quoted = false, was_quoted = false;
    for (;; c = getc(fp)) {
        if (quoted) {
            if (c == EOF)
                return -1;
            if (c == '"') {
                int d = getc(fp);
                if (d != '"') {
                    quoted = false;
                    c = d;
                } else if (buf_putc(&fields[n], '"') < 0) {
                    return -1;
                }
                if (quoted)
                    continue;
            } else {
                if (c == '\n')
                    (*line)++;
                if (buf_putc(&fields[n], (char)c) < 0)
                    return -1;
                continue;
            }
        }
        if (c == '"' && fields[n].len == 0 && !was_quoted) {
            quoted = was_quoted = true;
        } else if (c == ',') {
            if (++n == FIELDS_MAX)
                return -1;
            buf_clear(&fields[n]);
            was_quoted = false;
        } else if (c == '\n' || c == EOF) {
            (*line)++;
            if (n > 0 || fields[0].len > 0)
                return n + 1;
            return c == EOF ? 0 : -1; /* a blank line */
        } else if (c != '\r' && buf_putc(&fields[n], (char)c) < 0) {
            return -1;
        }
    }
}

static int find_columns(struct buf fields[FIELDS_MAX], int n, int where[COL_COUNT])
{
    for (int k = 0; k < COL_COUNT; k++) {
        where[k] = -1;
        for (int i = 0; i < n; i++)
            if (!strcmp(buf_cstr(&fields[i]), column_names[k]))
                where[k] = i;
        if (where[k] < 0)
            return k;
    }
    return -1;
}

static const char *field(struct buf fields[FIELDS_MAX], int n, int at)
{
    return at < n ? buf_cstr(&fields[at]) : "";
}

static int add_record(struct meta_state *state, struct buf fields[FIELDS_MAX], int n,
                      const int where[COL_COUNT])
{
    if (strcmp(field(fields, n, where[COL_KEY]), "schema_meta"))
        return 0;
    const char *last = field(fields, n, where[COL_LAST]);
    struct meta_row *row =
        meta_state_add(state, field(fields, n, where[COL_SUBSYSTEM]), *last ? last : NULL);
    if (!row)
        return -1;
    const char *executed = field(fields, n, where[COL_EXECUTED]);
    const char *pending = field(fields, n, where[COL_PENDING]);
    int rc = *executed ? meta_row_add_array(state, row, false, executed) : 0;
    if (rc == 0 && *pending)
        rc = meta_row_add_array(state, row, true, pending);
    return rc;
}

static int read_all(FILE *fp, const char *path, struct meta_state *state,
                    struct buf fields[FIELDS_MAX], gh_error *err)
{
    unsigned line = 0;
    int where[COL_COUNT];
    int n = read_record(fp, fields, &line);
    if (n <= 0)
        return error_set_at(err, GH_EUSAGE, path, 1, 1,
                            "not a schema_meta CSV file: it has no header line");
    int lacking = find_columns(fields, n, where);
    if (lacking >= 0)
        return error_set_at(err, GH_EUSAGE, path, 1, 1,
                            "not a schema_meta CSV file: the header has no '%s' column",
                            column_names[lacking]);
    state->has_table = true;
    while ((n = read_record(fp, fields, &line)) > 0) {
        int rc = add_record(state, fields, n, where);
        if (rc == -1)
            return error_set(err, GH_ENOMEM, "out of memory");
        if (rc < 0)
            return error_set_at(err, GH_EUSAGE, path, line, 1,
                                "executed and pending must be PostgreSQL arrays ({a,b})");
    }
    if (n < 0)
        return error_set_at(err, GH_EUSAGE, path, line + 1, 1,
                            "not a schema_meta CSV file: a record is malformed or too long");
    return 0;
}

/* A CSV file read by `each` with the fields it reads records into: opened, closed, and an I/O
 * error said, around it. */
typedef int csv_reader(FILE *fp, const char *path, struct buf fields[FIELDS_MAX], void *ctx,
                       gh_error *err);

static int read_csv(const char *path, csv_reader *each, void *ctx, gh_error *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return error_set(err, GH_EIO, "cannot open '%s': %s", path, strerror(errno));
    struct buf fields[FIELDS_MAX];
    for (int i = 0; i < FIELDS_MAX; i++)
        buf_init(&fields[i], FIELD_BYTES);
    int rc = each(fp, path, fields, ctx, err);
    if (rc == 0 && ferror(fp))
        rc = error_set(err, GH_EIO, "cannot read '%s': %s", path, strerror(errno));
    for (int i = 0; i < FIELDS_MAX; i++)
        buf_release(&fields[i]);
    fclose(fp);
    return rc;
}

static int read_meta(FILE *fp, const char *path, struct buf fields[FIELDS_MAX], void *ctx,
                     gh_error *err)
{
    return read_all(fp, path, ctx, fields, err);
}

int meta_state_read_csv(struct meta_state *state, const char *path, gh_error *err)
{
    return read_csv(path, read_meta, state, err);
}

struct uses {
    struct arena *a;
    struct plugin_use **out;
    size_t *n;
};

static int read_uses(FILE *fp, const char *path, struct buf fields[FIELDS_MAX], void *ctx,
                     gh_error *err)
{
    struct arena *a = ((struct uses *)ctx)->a;
    struct plugin_use **out = ((struct uses *)ctx)->out;
    size_t *n = ((struct uses *)ctx)->n;
    unsigned line = 0;
    size_t cap = 0;
    int r = read_record(fp, fields, &line), name_at = -1, count_at = -1;
    for (int i = 0; i < r; i++) {
        if (!strcmp(buf_cstr(&fields[i]), "name"))
            name_at = i;
        if (!strcmp(buf_cstr(&fields[i]), "count"))
            count_at = i;
    }
    if (name_at < 0 || count_at < 0)
        return error_set_at(err, GH_EUSAGE, path, 1, 1,
                            "not a plugins CSV file: the header needs 'name' and 'count'");
    while ((r = read_record(fp, fields, &line)) > 0) {
        /* Taken at once: a move frees the old array, which the caller frees after a failure. */
        struct plugin_use *grown = array_grow(*out, &cap, *n, sizeof(*grown), 16);
        if (!grown)
            return error_set(err, GH_ENOMEM, "out of memory");
        *out = grown;
        const char *name = field(fields, r, name_at), *count = field(fields, r, count_at);
        char *end;
        unsigned long c = strtoul(count, &end, 10);
        if (!*name || !*count || *end)
            return error_set_at(err, GH_EUSAGE, path, line, 1, "a plugin needs a name and a count");
        if (!(grown[*n].name = arena_strdup(a, name)))
            return error_set(err, GH_ENOMEM, "out of memory");
        grown[(*n)++].count = c;
    }
    return r < 0 ? error_set_at(err, GH_EUSAGE, path, line + 1, 1, "a record is malformed") : 0;
}

int plugin_uses_read_csv(const char *path, struct arena *a, struct plugin_use **out, size_t *n,
                         gh_error *err)
{
    *out = NULL;
    *n = 0;
    struct uses u = {a, out, n};
    return read_csv(path, read_uses, &u, err);
}
