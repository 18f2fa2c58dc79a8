#include "source.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/util_buf.h"
#include "util/util_error.h"
#include "util/util_utf8.h"

static char *dup_string(const char *s)
{
    size_t n = strlen(s);
    char *p = malloc(n + 1);
    if (p)
        memcpy(p, s, n + 1);
    return p;
}

static void reset_stats(struct source *src)
{
    memset(&src->stats, 0, sizeof(src->stats));
    src->line = 1;
    src->last_byte = -1;
    src->tail_len = 0;
}

/* Copies standard input into a temporary file so it can be read more than once. */
static int spool_stdin(struct source *src, gh_error *err)
{
    FILE *spool = tmpfile();
    if (!spool)
        return error_set(err, GH_EIO, "cannot create a temporary file for standard input: %s",
                         strerror(errno));
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0) {
        if (fwrite(chunk, 1, n, spool) != n) {
            fclose(spool);
            return error_set(err, GH_EIO, "cannot spool standard input: %s", strerror(errno));
        }
    }
    if (ferror(stdin)) {
        fclose(spool);
        return error_set(err, GH_EIO, "cannot read standard input: %s", strerror(errno));
    }
    rewind(spool);
    src->spool = spool;
    src->fp = spool;
    return 0;
}

int source_open(struct source *src, const char *path, const char *display_name, gh_error *err)
{
    memset(src, 0, sizeof(*src));
    reset_stats(src);
    bool is_stdin = strcmp(path, "-") == 0;
    src->name = dup_string(display_name ? display_name : (is_stdin ? "<stdin>" : path));
    if (!src->name)
        return error_set(err, GH_ENOMEM, "out of memory");
    if (is_stdin)
        return spool_stdin(src, err);
    src->path = dup_string(path);
    if (!src->path)
        return error_set(err, GH_ENOMEM, "out of memory");
    src->fp = fopen(path, "rb");
    if (!src->fp)
        return error_set(err, GH_EIO, "cannot open '%s': %s", path, strerror(errno));
    return 0;
}

void source_close(struct source *src)
{
    if (src->fp && src->fp != src->spool)
        fclose(src->fp);
    if (src->spool)
        fclose(src->spool);
    free(src->name);
    free(src->path);
    memset(src, 0, sizeof(*src));
}

static FILE *open_again(const struct source *src);

int source_open_copy(const struct source *src, struct source *copy, gh_error *err)
{
    memset(copy, 0, sizeof(*copy));
    reset_stats(copy);
    copy->name = dup_string(src->name);
    if (!copy->name)
        return error_set(err, GH_ENOMEM, "out of memory");
    copy->fp = open_again(src);
    if (!copy->fp)
        return error_set(err, GH_EIO, "cannot read '%s' again: %s", src->name, strerror(errno));
    return 0;
}

int source_rewind(struct source *src, gh_error *err)
{
    if (fseek(src->fp, 0, SEEK_SET) != 0)
        return error_set(err, GH_EIO, "cannot read '%s' again: %s", src->name, strerror(errno));
    clearerr(src->fp);
    reset_stats(src);
    return 0;
}

static void note_line_break(struct source *src, bool crlf)
{
    if (crlf) {
        if (!src->stats.crlf_count++)
            src->stats.first_crlf_line = src->line;
    } else {
        if (!src->stats.lf_count++)
            src->stats.first_lf_line = src->line;
    }
    src->line++;
}

/* Keeps statistics on the bytes as they pass; a CR is decided by the byte after it. */
static void observe(struct source *src, const unsigned char *p, size_t n)
{
    if (src->stats.bytes == 0 && n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
        src->stats.bom = true;
    for (size_t i = 0; i < n; i++) {
        int c = p[i];
        if (src->last_byte == '\r')
            note_line_break(src, c == '\n');
        else if (c == '\n')
            note_line_break(src, false);
        if (c == 0)
            src->stats.nul = true;
        src->last_byte = c;
    }
    src->stats.bytes += n;
    if (n >= SOURCE_TAIL) {
        memcpy(src->tail, p + n - SOURCE_TAIL, SOURCE_TAIL);
        src->tail_len = SOURCE_TAIL;
    } else {
        size_t keep = src->tail_len + n > SOURCE_TAIL ? SOURCE_TAIL - n : src->tail_len;
        memmove(src->tail, src->tail + src->tail_len - keep, keep);
        memcpy(src->tail + keep, p, n);
        src->tail_len = keep + n;
    }
}

long source_read(struct source *src, unsigned char *buffer, size_t size)
{
    size_t n = fread(buffer, 1, size, src->fp);
    if (n == 0) {
        if (ferror(src->fp))
            return -1;
        if (src->last_byte == '\r') {
            note_line_break(src, false);
            src->last_byte = -1;
        }
        return 0;
    }
    observe(src, buffer, n);
    return (long)n;
}

bool source_ends_with_end_marker(const struct source *src)
{
    size_t n = src->tail_len;
    while (n > 0 && (src->tail[n - 1] == ' ' || src->tail[n - 1] == '\t' ||
                     src->tail[n - 1] == '\n' || src->tail[n - 1] == '\r'))
        n--;
    return n >= 4 && memcmp(src->tail + n - 4, "#END", 4) == 0;
}

static FILE *open_again(const struct source *src)
{
    if (src->path)
        return fopen(src->path, "rb");
    /* A duplicate of the spool's descriptor would share its offset; reopen via /dev/fd. */
    char name[64];
    snprintf(name, sizeof(name), "/dev/fd/%d", fileno(src->spool));
    return fopen(name, "rb");
}

int source_fetch_lines(const struct source *src, const uint32_t *lines, size_t count,
                       size_t max_len, source_line_fn fn, void *ctx)
{
    if (count == 0)
        return 0;
    FILE *fp = open_again(src);
    if (!fp)
        return -1;
    struct buf line;
    buf_init(&line, max_len + 1);
    uint32_t current = 1;
    size_t next = 0;
    int c;
    bool cut = false;
    while (next < count && (c = getc(fp)) != EOF) {
        if (c == '\n' || c == '\r') {
            if (c == '\r') {
                int d = getc(fp);
                if (d != '\n' && d != EOF)
                    ungetc(d, fp);
            }
            while (next < count && lines[next] == current)
                fn(ctx, current, buf_cstr(&line), line.len), next++;
            buf_clear(&line);
            cut = false;
            current++;
            continue;
        }
        if (next < count && lines[next] == current && !cut && buf_putc(&line, (char)c) < 0)
            cut = true;
    }
    while (next < count && lines[next] == current)
        fn(ctx, current, buf_cstr(&line), line.len), next++;
    buf_release(&line);
    fclose(fp);
    return 0;
}

int source_locate_offset(const struct source *src, uint64_t offset, uint32_t *line,
                         uint32_t *column)
{
    FILE *fp = open_again(src);
    if (!fp)
        return -1;
    uint32_t l = 1;
    char text[4096];
    size_t text_len = 0;
    int c;
    for (uint64_t i = 0; i < offset && (c = getc(fp)) != EOF; i++) {
        if (c == '\n') {
            l++;
            text_len = 0;
        } else if (text_len < sizeof(text)) {
            text[text_len++] = (char)c;
        }
    }
    fclose(fp);
    *line = l;
    *column = (uint32_t)utf8_count(text, text_len) + 1;
    return 0;
}
