/*
 * A tiny test harness: ok(), is_int(), is_str() print TAP lines; done() returns the status.
 */
#ifndef TAP_H
#define TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...)                                                                     \
    tap_is_int((long long)(got), (long long)(want), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(got, want, ...) tap_is_str((got), (want), __FILE__, __LINE__, __VA_ARGS__)

static int tap_ok(int pass, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("%s %d - ", pass ? "ok" : "not ok", ++tap_count);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    if (!pass) {
        printf("#   failed at %s:%d\n", file, line);
        tap_failed++;
    }
    return pass;
}

__attribute__((unused)) static int tap_is_int(long long got, long long want, const char *file,
                                              int line, const char *what)
{
    int pass = tap_ok(got == want, file, line, "%s", what);
    if (!pass)
        printf("#   got %lld, want %lld\n", got, want);
    return pass;
}

__attribute__((unused)) static int tap_is_str(const char *got, const char *want, const char *file,
                                              int line, const char *what)
{
    int pass = tap_ok(got && want && strcmp(got, want) == 0, file, line, "%s", what);
    if (!pass)
        printf("#   got '%s', want '%s'\n", got ? got : "(null)", want ? want : "(null)");
    return pass;
}

static int done(void)
{
    printf("1..%d\n", tap_count);
    return tap_failed ? 1 : 0;
}

#endif
