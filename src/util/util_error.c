#include "util_error.h"

#include <stdio.h>
#include <string.h>

void error_clear(gh_error *err)
{
    if (err)
        memset(err, 0, sizeof(*err));
}

static int error_vset(gh_error *err, int status, const char *file, unsigned line, unsigned column,
                      const char *fmt, va_list ap) GH_PRINTF(6, 0);

static int error_vset(gh_error *err, int status, const char *file, unsigned line, unsigned column,
                      const char *fmt, va_list ap)
{
    if (!err || err->status != 0)
        return status;
    err->status = status;
    snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
    err->line = line;
    err->column = column;
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    return status;
}

int error_set(gh_error *err, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_vset(err, status, NULL, 0, 0, fmt, ap);
    va_end(ap);
    return status;
}

int error_set_at(gh_error *err, int status, const char *file, unsigned line, unsigned column,
                 const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_vset(err, status, file, line, column, fmt, ap);
    va_end(ap);
    return status;
}
