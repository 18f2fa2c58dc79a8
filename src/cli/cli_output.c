/*
 * Output files the commands replace (convert -o and --in-place, db export -o): written to a
 * temporary file beside the target and renamed over it only once complete, so that a failed
 * run never leaves half a file. A target that exists and is not a regular file (/dev/null, a
 * FIFO, a terminal) is written directly instead: renaming over it would replace the device
 * or pipe itself with a regular file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* A temporary file beside target, so the final rename stays on one file system. */
static FILE *open_beside(const char *target, char **tmp_path)
{
    size_t n = strlen(target) + 16;
    *tmp_path = malloc(n);
    if (!*tmp_path)
        return NULL;
    snprintf(*tmp_path, n, "%s.XXXXXX", target);
    int fd = mkstemp(*tmp_path);
    FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (!f) {
        if (fd >= 0)
            close(fd);
        free(*tmp_path);
        *tmp_path = NULL;
    }
    return f;
}

int cli_output_open(struct cli_output_file *o, const char *target)
{
    struct stat st;
    memset(o, 0, sizeof(*o));
    o->target = target;
    if (stat(target, &st) == 0 && !S_ISREG(st.st_mode)) {
        o->f = fopen(target, "wb");
        if (!o->f)
            cli_error("cannot write '%s': %s", target, strerror(errno));
        return o->f ? 0 : -1;
    }
    o->f = open_beside(target, &o->tmp);
    if (!o->f)
        cli_error("cannot create a file beside '%s': %s", target, strerror(errno));
    return o->f ? 0 : -1;
}

/* Keeps the mode of a file being replaced (or the input's, for a new file). */
static void copy_mode(const char *from, const char *to)
{
    struct stat st;
    if (from && stat(from, &st) == 0)
        (void)chmod(to, st.st_mode & 07777);
}

int cli_output_close(struct cli_output_file *o, bool keep, const char *mode_from)
{
    int rc = 0;
    bool closed = fclose(o->f) == 0;
    if (keep && !closed) {
        cli_error("cannot write '%s': %s", o->target, strerror(errno));
        rc = -1;
    }
    if (keep && closed && o->tmp) {
        copy_mode(access(o->target, F_OK) == 0 ? o->target : mode_from, o->tmp);
        if (rename(o->tmp, o->target) != 0) {
            cli_error("cannot replace '%s': %s", o->target, strerror(errno));
            rc = -1;
        }
    }
    if (o->tmp && (!keep || rc < 0))
        remove(o->tmp);
    free(o->tmp);
    memset(o, 0, sizeof(*o));
    return rc;
}
