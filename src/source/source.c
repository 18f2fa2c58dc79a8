#include "source.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util_buf.h"
#include "util/util_error.h"
#include "util/util_swar.h"
#include "util/util_utf8.h"

/* The APISIX standalone format closes with "#END", possibly followed by blank space. */
static bool ends_with_end_marker(const unsigned char *bytes, size_t n)
{
    while (n > 0 && (bytes[n - 1] == ' ' || bytes[n - 1] == '\t' || bytes[n - 1] == '\n' ||
                     bytes[n - 1] == '\r'))
        n--;
    return n >= 4 && memcmp(bytes + n - 4, "#END", 4) == 0;
}

/* Reads the last bytes of an open file without moving its offset (pread), so the stream
 * reading it from the front is not disturbed. */
static bool read_end_marker(FILE *fp, uint64_t size)
{
    unsigned char buf[SOURCE_TAIL];
    uint64_t from = size > SOURCE_TAIL ? size - SOURCE_TAIL : 0;
    ssize_t n = pread(fileno(fp), buf, (size_t)(size - from), (off_t)from);
    return n > 0 && ends_with_end_marker(buf, (size_t)n);
}

static void reset_stats(struct source *src)
{
    memset(&src->stats, 0, sizeof(src->stats));
    src->line = 1;
    src->last_byte = -1;
    src->tail_len = 0;
}

/* The spool, written, becomes what the source reads. */
static void spool_ready(struct source *src, FILE *spool)
{
    src->size = (uint64_t)ftell(spool);
    rewind(spool); /* flushes what fwrite buffered, before pread looks at the end */
    src->end_marker = read_end_marker(spool, src->size);
    src->spool = spool;
    src->fp = spool;
}

/*
 * Copies a stream (standard input, a pipe, a FIFO such as /dev/stdin) into a temporary file,
 * so that it can be read more than once and from its end; `what` names it in errors.
 */
static int spool_stream(struct source *src, FILE *in, const char *what, gh_error *err)
{
    FILE *spool = tmpfile();
    if (!spool)
        return error_set(err, GH_EIO, "cannot create a temporary file for %s: %s", what,
                         strerror(errno));
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), in)) > 0) {
        if (fwrite(chunk, 1, n, spool) != n) {
            fclose(spool);
            return error_set(err, GH_EIO, "cannot spool %s: %s", what, strerror(errno));
        }
    }
    if (ferror(in)) {
        fclose(spool);
        return error_set(err, GH_EIO, "cannot read %s: %s", what, strerror(errno));
    }
    spool_ready(src, spool);
    return 0;
}

/* Text held in memory (an editor's buffer) is spooled too: every later pass reads a file. */
static int spool_text(struct source *src, const char *text, size_t len, gh_error *err)
{
    FILE *spool = tmpfile();
    if (!spool)
        return error_set(err, GH_EIO, "cannot create a temporary file for %s: %s", src->name,
                         strerror(errno));
    if (len && fwrite(text, 1, len, spool) != len) {
        fclose(spool);
        return error_set(err, GH_EIO, "cannot spool %s: %s", src->name, strerror(errno));
    }
    spool_ready(src, spool);
    return 0;
}

static void early_release(struct source *src)
{
    free(src->early.bytes);
    memset(&src->early, 0, sizeof(src->early));
}

/*
 * Reads a small regular file whole, asking for one byte more than its size: a regular file's
 * read stops short only at its end, so a short read is the whole file, and neither a second
 * read to find the end nor a read of the last bytes apart is needed. A file that grew since
 * it was measured gives more: what was read is handed out first, then the rest as usual.
 * When the bytes cannot be read this way (no memory, a failed read), nothing is kept, and
 * source_read() reads them from the descriptor as for a larger file.
 */
static void read_small(struct source *src, int fd, uint64_t size)
{
    size_t want = (size_t)size + 1;
    unsigned char *bytes = malloc(want);
    if (!bytes)
        return;
    ssize_t n;
    do
        n = read(fd, bytes, want);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        free(bytes);
        return;
    }
    src->early.bytes = bytes;
    src->early.len = (size_t)n;
    src->early.whole = (size_t)n < want;
}

/* The end marker of a file just opened: from its bytes when they were all read, else read
 * from its end. */
static bool find_end_marker(struct source *src, FILE *fp, uint64_t size)
{
    if (src->early.whole)
        return ends_with_end_marker(src->early.bytes, src->early.len);
    return read_end_marker(fp, size);
}

/* A path that is not a regular file (a pipe, /dev/stdin, a process substitution) cannot be
 * reopened or read from its end: it is spooled like standard input and forgotten as a path. */
static int open_path(struct source *src, const char *path, gh_error *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return error_set(err, GH_EIO, "cannot open '%s': %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode)) {
        src->path = strdup(path);
        if (!src->path) {
            fclose(fp);
            return error_set(err, GH_ENOMEM, "out of memory");
        }
        src->fp = fp;
        src->size = (uint64_t)st.st_size;
        if (src->size <= SOURCE_SMALL)
            read_small(src, fileno(fp), src->size);
        src->end_marker = find_end_marker(src, fp, src->size);
        return 0;
    }
    int rc = spool_stream(src, fp, path, err);
    fclose(fp);
    return rc;
}

static int open_parts(struct source *src, const char *path, const char *display_name, gh_error *err)
{
    reset_stats(src);
    bool is_stdin = strcmp(path, "-") == 0;
    src->name = strdup(display_name ? display_name : (is_stdin ? "<stdin>" : path));
    if (!src->name)
        return error_set(err, GH_ENOMEM, "out of memory");
    return is_stdin ? spool_stream(src, stdin, "standard input", err) : open_path(src, path, err);
}

/* A half-opened source is closed here, so callers never clean up after a failure. */
int source_open(struct source *src, const char *path, const char *display_name, gh_error *err)
{
    memset(src, 0, sizeof(*src));
    int rc = open_parts(src, path, display_name, err);
    if (rc < 0)
        source_close(src);
    return rc;
}

int source_open_text(struct source *src, const char *text, size_t len, const char *name,
                     gh_error *err)
{
    memset(src, 0, sizeof(*src));
    reset_stats(src);
    int rc = (src->name = strdup(name)) ? spool_text(src, text, len, err)
                                        : error_set(err, GH_ENOMEM, "out of memory");
    if (rc < 0)
        source_close(src);
    return rc;
}

void source_done_reading(struct source *src)
{
    early_release(src);
    if (src->fp && src->fp != src->spool)
        fclose(src->fp);
    src->fp = NULL;
}

static FILE *open_again(const struct source *src);

int source_rewind(struct source *src, gh_error *err)
{
    early_release(src);
    if (src->fp && src->fp != src->spool)
        fclose(src->fp);
    src->fp = NULL;
    if (src->spool) {
        rewind(src->spool);
        src->fp = src->spool;
    } else if (!(src->fp = open_again(src))) {
        return error_set(err, GH_EIO, "cannot read '%s' again: %s", src->name, strerror(errno));
    }
    reset_stats(src);
    memset(&src->json, 0, sizeof(src->json));
    return 0;
}

void source_close(struct source *src)
{
    if (src->fp && src->fp != src->spool)
        fclose(src->fp);
    if (src->spool)
        fclose(src->spool);
    early_release(src);
    free(src->name);
    free(src->path);
    memset(src, 0, sizeof(*src));
}

static int open_copy_parts(const struct source *src, struct source *copy, gh_error *err)
{
    reset_stats(copy);
    copy->name = strdup(src->name);
    /* The copy reopens by path, standard input's spool through /dev/fd. */
    char spool_path[64] = "";
    if (!src->path && src->spool)
        snprintf(spool_path, sizeof(spool_path), "/dev/fd/%d", fileno(src->spool));
    copy->path = strdup(src->path ? src->path : spool_path);
    copy->size = src->size;
    copy->end_marker = src->end_marker;
    if (!copy->name || !copy->path)
        return error_set(err, GH_ENOMEM, "out of memory");
    copy->fp = open_again(src);
    if (!copy->fp)
        return error_set(err, GH_EIO, "cannot read '%s' again: %s", src->name, strerror(errno));
    return 0;
}

int source_open_copy(const struct source *src, struct source *copy, gh_error *err)
{
    memset(copy, 0, sizeof(*copy));
    int rc = open_copy_parts(src, copy, err);
    if (rc < 0)
        source_close(copy);
    return rc;
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

/* Counts line breaks in a chunk with no CR in it. The input's first LF is noted with its line;
 * after it, only the counts change, and the rest of the chunk is counted at once. */
static void count_lf_only(struct source *src, const unsigned char *p, size_t n)
{
    const unsigned char *end = p + n;
    while (!src->stats.lf_count && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        note_line_break(src, false);
        p++;
    }
    if (!p)
        return;
    size_t lfs = bytes_count(p, (size_t)(end - p), '\n');
    src->stats.lf_count += lfs;
    src->line += (uint32_t)lfs;
}

void source_watch_json(struct source *src)
{
    memset(&src->json, 0, sizeof(src->json));
    src->json.on = true;
    src->json.line = 1;
    src->json.column = 1;
}

static void json_problem(struct source *src, const char *what, uint32_t line, uint32_t column)
{
    if (src->stats.json_problem)
        return;
    src->stats.json_problem = what;
    src->stats.json_line = line;
    src->stats.json_column = column;
}

/* One byte outside a string: commas before a closing bracket, and comments, are YAML only. */
static void json_outside_string(struct source *src, struct json_watch *j, unsigned char c)
{
    bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
    if (j->slash && (c == '/' || c == '*'))
        json_problem(src, "a // or /* comment", j->line, j->column - 1);
    j->slash = c == '/';
    if (space)
        return;
    if (j->comma && (c == ']' || c == '}'))
        json_problem(src, "a trailing comma", j->comma_line, j->comma_column);
    j->comma = c == ',';
    if (j->comma) {
        j->comma_line = j->line;
        j->comma_column = j->column;
    }
    if (c == '#')
        json_problem(src, "a # comment", j->line, j->column);
    if (c == '"')
        j->in_string = true;
}

static void watch_json(struct source *src, const unsigned char *p, size_t n)
{
    struct json_watch *j = &src->json;
    for (size_t i = 0; i < n && !src->stats.json_problem; i++) {
        unsigned char c = p[i];
        if (j->in_string) {
            if (j->escape)
                j->escape = false;
            else if (c == '\\')
                j->escape = true;
            else if (c == '"')
                j->in_string = false;
        } else {
            json_outside_string(src, j, c);
        }
        if (c == '\n') {
            j->line++;
            j->column = 1;
        } else if (c != '\r' && (c & 0xC0) != 0x80) {
            j->column++;
        }
    }
}

/* Looks for "${{", also across the boundary with the previous chunk (kept in the tail). */
static void note_placeholder(struct source *src, const unsigned char *p, size_t n)
{
    unsigned char joined[2 + 3];
    size_t keep = src->tail_len < 2 ? src->tail_len : 2;
    memcpy(joined, src->tail + src->tail_len - keep, keep);
    memcpy(joined + keep, p, n < 3 ? n : 3);
    size_t jn = keep + (n < 3 ? n : 3);
    for (size_t i = 0; i + 2 < jn; i++)
        if (joined[i] == '$' && joined[i + 1] == '{' && joined[i + 2] == '{')
            src->stats.placeholder = true;
    const unsigned char *end = p + n;
    for (const unsigned char *q = p; !src->stats.placeholder && q < end; q++) {
        q = memchr(q, '$', (size_t)(end - q));
        if (!q)
            break;
        if (end - q >= 3 && q[1] == '{' && q[2] == '{')
            src->stats.placeholder = true;
    }
}

/* Looks for "gatehop:" (a suppression comment may follow), also across the chunk boundary. */
static void note_marker(struct source *src, const unsigned char *p, size_t n)
{
    static const char marker[] = "gatehop:";
    const size_t len = sizeof(marker) - 1;
    unsigned char joined[2 * (sizeof(marker) - 2)];
    size_t keep = src->tail_len < len - 1 ? src->tail_len : len - 1;
    size_t take = n < len - 1 ? n : len - 1;
    memcpy(joined, src->tail + src->tail_len - keep, keep);
    memcpy(joined + keep, p, take);
    src->stats.marker =
        bytes_find(joined, keep + take, marker, len) || bytes_find(p, n, marker, len);
}

static void note_opening(struct source *src, const unsigned char *p, size_t n)
{
    size_t i = src->stats.bytes == 0 && src->stats.bom ? 3 : 0;
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
        i++;
    if (i < n)
        src->stats.opening = p[i];
}

/* Keeps statistics on the bytes as they pass; a CR is decided by the byte after it. */
static void observe(struct source *src, const unsigned char *p, size_t n)
{
    if (src->stats.bytes == 0 && n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
        src->stats.bom = true;
    if (memchr(p, '\0', n))
        src->stats.nul = true;
    if (!src->stats.dollar)
        src->stats.dollar = memchr(p, '$', n) != NULL;
    if (!src->stats.placeholder && src->stats.dollar)
        note_placeholder(src, p, n);
    if (!src->stats.marker)
        note_marker(src, p, n);
    if (!src->stats.opening)
        note_opening(src, p, n);
    if (src->json.on)
        watch_json(src, p, n);
    bool cr = src->last_byte == '\r' || memchr(p, '\r', n) != NULL;
    if (!cr) {
        count_lf_only(src, p, n);
    } else {
        for (size_t i = 0; i < n; i++) {
            int c = p[i];
            if (src->last_byte == '\r')
                note_line_break(src, c == '\n');
            else if (c == '\n')
                note_line_break(src, false);
            src->last_byte = c;
        }
    }
    if (n)
        src->last_byte = p[n - 1];
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

/* Hands out what was read when the file was opened: how many bytes, 0 at a whole file's end,
 * or -1 when the descriptor is to be read (nothing was read early, or all of it is given and
 * the file may hold more). */
static ssize_t take_early(struct source *src, unsigned char *buffer, size_t size)
{
    if (!src->early.bytes)
        return -1;
    size_t left = src->early.len - src->early.given;
    if (left == 0) {
        bool whole = src->early.whole;
        early_release(src);
        return whole ? 0 : -1;
    }
    size_t n = left < size ? left : size;
    memcpy(buffer, src->early.bytes + src->early.given, n);
    src->early.given += n;
    return (ssize_t)n;
}

/* Reads the descriptor itself: stdio's buffer would only add a copy, and its first read a
 * stat and a second read past the end, per file (thousands of small files in a run). Nothing
 * reads src->fp through stdio, so the two cannot disagree about the offset. */
long source_read(struct source *src, unsigned char *buffer, size_t size)
{
    ssize_t n = take_early(src, buffer, size);
    if (n < 0) {
        do
            n = read(fileno(src->fp), buffer, size);
        while (n < 0 && errno == EINTR);
    }
    if (n <= 0) {
        if (n < 0)
            return -1;
        if (src->last_byte == '\r') {
            note_line_break(src, false);
            src->last_byte = -1;
        }
        return 0;
    }
    observe(src, buffer, (size_t)n);
    return (long)n;
}

static FILE *open_again(const struct source *src)
{
    if (src->path)
        return fopen(src->path, "rb");
    if (!src->spool)
        return NULL;
    /* A duplicate of the spool's descriptor would share its offset; reopen via /dev/fd. */
    char name[64];
    snprintf(name, sizeof(name), "/dev/fd/%d", fileno(src->spool));
    return fopen(name, "rb");
}

/* The lines given (sorted, may repeat), or every line when lines is NULL, each to fn. */
static int scan_lines(const struct source *src, const uint32_t *lines, size_t count, size_t max_len,
                      source_line_fn fn, void *ctx)
{
    FILE *fp = open_again(src);
    if (!fp)
        return -1;
    struct buf line;
    buf_init(&line, max_len + 1);
    uint32_t current = 1;
    size_t next = 0;
    int c;
    bool cut = false;
    bool every = lines == NULL;
    while ((every || next < count) && (c = getc(fp)) != EOF) {
        if (c == '\n' || c == '\r') {
            if (c == '\r') {
                int d = getc(fp);
                if (d != '\n' && d != EOF)
                    ungetc(d, fp);
            }
            if (every)
                fn(ctx, current, buf_cstr(&line), line.len);
            while (!every && next < count && lines[next] == current)
                fn(ctx, current, buf_cstr(&line), line.len), next++;
            buf_clear(&line);
            cut = false;
            current++;
            continue;
        }
        bool wanted = every || (next < count && lines[next] == current);
        if (wanted && !cut && buf_putc(&line, (char)c) < 0)
            cut = true;
    }
    if (every && line.len)
        fn(ctx, current, buf_cstr(&line), line.len);
    while (!every && next < count && lines[next] == current)
        fn(ctx, current, buf_cstr(&line), line.len), next++;
    bool failed = ferror(fp) != 0;
    buf_release(&line);
    fclose(fp);
    return failed ? -1 : 0;
}

int source_fetch_lines(const struct source *src, const uint32_t *lines, size_t count,
                       size_t max_len, source_line_fn fn, void *ctx)
{
    return count == 0 ? 0 : scan_lines(src, lines, count, max_len, fn, ctx);
}

int source_each_line(const struct source *src, size_t max_len, source_line_fn fn, void *ctx)
{
    return scan_lines(src, NULL, 0, max_len, fn, ctx);
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

size_t source_bytes_at(const struct source *src, uint64_t offset, unsigned char *out, size_t n)
{
    FILE *fp = open_again(src);
    if (!fp)
        return 0;
    size_t got = 0;
    if (fseek(fp, (long)offset, SEEK_SET) == 0)
        got = fread(out, 1, n, fp);
    fclose(fp);
    return got;
}

bool source_has_end_marker(const struct source *src)
{
    return src->end_marker;
}
