/*
 * The feed of entries from the reader to the checks.
 *
 * Small inputs are read inline. Large ones are read by a second thread that runs ahead into a
 * ring of slots, each slot lending the reader its own item arena, so parsing and checking
 * overlap on two cores while memory stays bounded by the ring (FEED_SLOTS items). The ring
 * has one writer and one reader of each count, so handing over an entry takes no lock. A side
 * with nothing to do spins a little, then sleeps; a sleeping side is woken for a batch, not for
 * every entry: a wakeup costs more than the checks themselves. Where the process may run on
 * one CPU only, the reader is not a thread: two threads on one CPU only add switches.
 *
 * Discipline: feed_next(), use the entry, feed_release(), in that order, one entry at a time.
 * A VALUE or LIST entry's nodes live in the reader's document arena and outlive the release;
 * an ITEM's nodes live in its slot and are gone after feed_release(). The reader (its flags,
 * its findings) may be looked at only after feed_close().
 *
 * Look-ahead: a caller may hand the reader thread work to do on every entry before it is
 * handed over (feed_look_ahead()), work that needs nothing but the entry as read and state of
 * its own, so that work moves off the checking thread. The entries already in the ring when
 * it is asked were not looked at (feed_entry.looked is false): the caller does that work for
 * them itself. The thread takes over only once the ring is empty, so the work sees the entries
 * in order, each once, never two at a time. Its state may be read only after feed_close().
 */
#ifndef CHECK_FEED_H
#define CHECK_FEED_H

#include <stdbool.h>

#include "reader/reader.h"
#include "source/source.h"

/* A slot the reader fills again was last read by the checker on the other core, and taking a
 * cache line back from another core is slow (120-480 ns a round trip on the benchmark's
 * 2-vCPU machine): a ring of 256 leaves time for those lines to leave the checker's cache.
 * Measured on 100,000 services against 64 slots: lint 12-20% faster (YAML, JSON), for about
 * 2 MB more peak RSS; 1,024 slots gained little more for 8 MB. */
#define FEED_SLOTS            256
#define FEED_BATCH            32  /* a sleeping side is woken once per this many entries */
#define FEED_SPIN             500 /* polls of the other side before sleeping (a few microseconds) */
#define FEED_THREAD_MIN_BYTES (1u << 20)

struct feed_entry {
    struct reader_entry e;
    bool placeholder; /* the input had shown "${{" by the time this entry was read */
    bool dollar;      /* ... or any '$' */
    bool looked;      /* the look-ahead work has been done on it (feed_look_ahead()) */
    uint64_t read;    /* bytes of the input read by then */
};

typedef void (*feed_look_fn)(void *ctx, const struct feed_entry *fe);

struct feed;

int feed_open(struct feed **out, struct reader *r, const struct source *src, bool threaded,
              gh_error *err);
int feed_next(struct feed *f, const struct feed_entry **out, gh_error *err);
void feed_release(struct feed *f);
/* Asks the reader thread to run look(ctx, entry) on the entries it reads from now on. Returns
 * false when there is no reader thread (the caller does the work itself). */
bool feed_look_ahead(struct feed *f, feed_look_fn look, void *ctx);
/* Stops and joins the reader thread (if any) and frees the feed. */
void feed_close(struct feed *f);

#endif
