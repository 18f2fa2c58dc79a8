/*
 * Unit tests for src/check/check_feed: the ring hands over every entry once and in order, and
 * the look-ahead work (feed_look_ahead()) is done on each entry exactly once, by the checker
 * for the entries read before the reader thread took it over and by the reader thread after,
 * never out of order, whatever the point at which it is asked for.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check/check_feed.h"
#include "diag/diag.h"
#include "tap.h"
#include "util/util_buf.h"

enum { MAX_ENTRIES = 8192 };

/* Who did the look-ahead work on each entry, in the order it was done. */
struct looks {
    int by_reader[MAX_ENTRIES]; /* entry numbers (the item's index) */
    size_t nreader;
};

static void look_on_reader(void *ctx, const struct feed_entry *fe)
{
    struct looks *l = ctx;
    if (fe->e.kind == ENTRY_ITEM && l->nreader < MAX_ENTRIES)
        l->by_reader[l->nreader++] = (int)fe->e.index;
}

/* A file of `items` services, written to a temporary file. */
static char *write_services(size_t items)
{
    static char path[] = "/tmp/gatehop-test-feed-XXXXXX";
    strcpy(path + strlen(path) - 6, "XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        return NULL;
    FILE *fp = fdopen(fd, "w");
    fputs("_format_version: \"3.0\"\nservices:\n", fp);
    for (size_t i = 0; i < items; i++)
        fprintf(fp, "- name: s%zu\n  url: http://h%zu.test\n", i, i);
    fclose(fp);
    return path;
}

/*
 * Reads a file of `items` items through a threaded feed, asking for the look-ahead when the
 * item numbered `ask_at` is handed over (-1: never). Checks that every item came once, in
 * order, and that the checker's looks and the reader's together cover them in order.
 */
static void run(size_t items, long ask_at, const char *what)
{
    char *path = write_services(items);
    struct source src;
    gh_error err = {0};
    struct diag_sink sink;
    diag_sink_init(&sink, 10);
    struct reader r;
    struct feed *f = NULL;
    if (!ok(path && source_open(&src, path, path, &err) == 0, "%s: the file opens", what))
        return;
    int rc = reader_open(&r, &src, NULL, &sink, &err);
    if (rc == 0)
        rc = feed_open(&f, &r, &src, true, &err);
    static struct looks looks;
    memset(&looks, 0, sizeof(looks));
    size_t next_item = 0, checker_looked = 0;
    bool in_order = true, asked = false, taken = true;
    long first_by_reader = -1;
    while (rc == 0) {
        const struct feed_entry *fe;
        rc = feed_next(f, &fe, &err);
        if (rc < 0)
            break;
        enum reader_entry_kind kind = fe->e.kind;
        if (kind == ENTRY_ITEM) {
            in_order &= fe->e.index == next_item;
            next_item++;
            if (!fe->looked && asked) {
                /* The checker looks at what was read before the reader took over, only. */
                taken &= first_by_reader < 0;
                checker_looked++;
            } else if (fe->looked && first_by_reader < 0) {
                first_by_reader = (long)fe->e.index;
            }
            if ((long)fe->e.index == ask_at) {
                asked = feed_look_ahead(f, look_on_reader, &looks);
                checker_looked++; /* this one was read before the request */
            }
        }
        feed_release(f);
        if (kind == ENTRY_END)
            break;
    }
    feed_close(f);
    reader_close(&r);
    source_close(&src);
    diag_sink_release(&sink);
    unlink(path);
    is_int(rc, 0, what);
    is_int((long)next_item, (long)items, "every item is handed over");
    ok(in_order, "in the order read");
    if (ask_at < 0) {
        is_int((long)looks.nreader, 0, "no look-ahead work without a request");
        return;
    }
    if (!asked) { /* one CPU: the reader is no thread, and the caller does all the work */
        printf("# %s: the feed has no reader thread here (one CPU)\n", what);
        return;
    }
    ok(taken, "the checker never looks again once the reader has taken over");
    /* With more items to come than the ring holds, the reader has not finished: it stops
     * reading until the ring is empty, then takes the work over. */
    if ((long)items - ask_at > FEED_SLOTS + 1)
        ok(looks.nreader > 0, "the reader thread took the work over");
    size_t total = checker_looked + looks.nreader;
    is_int((long)total, (long)items - ask_at, "each item after the request is looked at once");
    bool reader_in_order = true;
    for (size_t i = 0; i < looks.nreader; i++)
        reader_in_order &= looks.by_reader[i] == (int)(items - looks.nreader + i);
    ok(reader_in_order, "the reader looks at the last items, in order");
}

int main(void)
{
    /* A deadlock is a failure, not a hang of the suite (and the lines before it are shown). */
    setvbuf(stdout, NULL, _IOLBF, 0);
    alarm(60);
    run(3000, -1, "a feed without look-ahead");
    /* Asked at once: the reader has filled at most the ring, and may be asleep waiting for
     * room, or the checker for a batch. */
    run(3000, 0, "look-ahead asked at the first item");
    run(3000, 1000, "look-ahead asked in the middle");
    /* Fewer items than a batch: the checker sleeps until woken for them (the deadlock the
     * first version had). */
    run(20, 0, "look-ahead asked with fewer items than a batch");
    run(3000, 2999, "look-ahead asked at the last item");
    struct feed *f = NULL;
    gh_error err = {0};
    struct reader r;
    struct diag_sink sink;
    diag_sink_init(&sink, 10);
    const char *yaml = "services:\n- name: a\n";
    reader_open_memory(&r, yaml, strlen(yaml), NULL, &sink, &err);
    struct source dummy;
    memset(&dummy, 0, sizeof(dummy));
    feed_open(&f, &r, &dummy, false, &err);
    ok(!feed_look_ahead(f, look_on_reader, NULL), "no reader thread: the caller does the work");
    feed_close(f);
    reader_close(&r);
    diag_sink_release(&sink);
    return done();
}
