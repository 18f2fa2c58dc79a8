#define _GNU_SOURCE /* sched_getaffinity: how many CPUs this process may run on */
#include "check_feed.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "util/util_error.h"

/* How much of the next item the checker asks the cache for: an item of the benchmark's file
 * takes a few KiB; a larger one is fetched as it is walked, as before. */
enum { PREFETCH_MAX = 16 * 1024 };

struct slot {
    struct feed_entry fe;
    struct arena arena;
    int rc; /* of reader_next(): below 0, the feed's err says why, and no slot follows */
};

/*
 * One side of the ring: the count it has moved (the reader: slots filled; the checker: slots
 * released), the other side's count as it last read it, and whether it sleeps waiting for the
 * other side. The count is on a cache line of its own, written by its side only; the other side
 * reads it only when its copy says it may not go on, so the line crosses between the cores about
 * once a batch, not once an entry (every crossing costs 120-480 ns on the benchmark's machine).
 * The sleeping flag is on another line: it changes seldom, and is read after every entry.
 */
struct side {
    _Alignas(64) atomic_size_t count;
    size_t other_seen; /* this side's alone */
    _Alignas(64) atomic_bool sleeping;
};

struct feed {
    struct reader *reader;
    const struct source *src;
    bool threaded;
    /* FEED_SLOTS when threaded, else one: a feed is made for every file, and thousands of
     * small files must not each pay for a ring. */
    struct slot *slots;
    size_t nslots;
    gh_error err; /* why reading failed: written once, by the side that reads */
    /* Threaded: slots [checker.count, reader.count) are filled and not yet released. Only the
     * reader writes reader.count, only the checker writes checker.count. */
    struct side reader_side, checker_side;
    _Alignas(64) atomic_bool stop;
    /* feed_look_ahead(): asked by the checker; taken by the reader once the ring is empty. */
    _Alignas(64) _Atomic(feed_look_fn) look_asked;
    void *_Atomic look_ctx;
    feed_look_fn look; /* the reader's own copy, once it took the work over */
    void *look_for;
    bool thread_started, sync_ready;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t changed;
};

static void read_into(struct feed *f, struct slot *s)
{
    reader_lend_item_arena(f->reader, &s->arena);
    s->rc = reader_next(f->reader, &s->fe.e, &f->err);
    s->fe.placeholder = f->src->stats.placeholder;
    s->fe.dollar = f->src->stats.dollar;
    s->fe.read = f->src->stats.bytes;
    s->fe.looked = false;
    if (f->look && s->rc >= 0) {
        f->look(f->look_for, &s->fe);
        s->fe.looked = true;
    }
}

static bool last(const struct slot *s)
{
    return s->rc < 0 || s->fe.e.kind == ENTRY_END;
}

/* ---- waiting ------------------------------------------------------------------------------- */

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* The checker may take a slot: the reader filled one. */
static bool checker_may_go(struct feed *f)
{
    return atomic_load(&f->reader_side.count) != atomic_load(&f->checker_side.count);
}

/*
 * Whether the reader has a free slot, by its copy of the checker's count first. A full ring
 * waits until a batch is free (reader_may_go()): moving in step with the checker, slot by slot,
 * would bring the checker's count across for every entry.
 */
static bool reader_has_room(struct feed *f, size_t filled_count)
{
    struct side *me = &f->reader_side;
    if (filled_count - me->other_seen < FEED_SLOTS)
        return true;
    me->other_seen = atomic_load(&f->checker_side.count);
    return filled_count - me->other_seen < FEED_SLOTS;
}

/* Whether the slot the checker takes next is filled, by its copy of the reader's count first. */
static bool checker_has_entry(struct feed *f, size_t taken_count)
{
    struct side *me = &f->checker_side;
    if (me->other_seen != taken_count)
        return true;
    me->other_seen = atomic_load(&f->reader_side.count);
    return me->other_seen != taken_count;
}

/*
 * Waits until ready(f): a short spin first (the other side usually moves within microseconds,
 * and a sleep and a wakeup cost more than that), then sleeps. The sleeper sets its flag before
 * it looks again, and the other side looks at the flag after it moved (both sequentially
 * consistent), so a wakeup is never lost.
 */
static void wait_for(struct feed *f, struct side *me, bool (*ready)(struct feed *))
{
    for (int i = 0; i < FEED_SPIN; i++) {
        if (ready(f))
            return;
        cpu_relax();
    }
    pthread_mutex_lock(&f->mu);
    atomic_store(&me->sleeping, true);
    while (!ready(f))
        pthread_cond_wait(&f->changed, &f->mu);
    atomic_store(&me->sleeping, false);
    pthread_mutex_unlock(&f->mu);
}

/* Wakes the other side when it sleeps and may go now. */
static void wake(struct feed *f, struct side *other, bool (*ready)(struct feed *))
{
    if (!atomic_load(&other->sleeping) || !ready(f))
        return;
    pthread_mutex_lock(&f->mu);
    pthread_cond_broadcast(&f->changed);
    pthread_mutex_unlock(&f->mu);
}

/* The checker sleeps until a batch is ready (or the last entry): one wakeup per batch. */
static bool batch_ready(struct feed *f)
{
    size_t filled = atomic_load(&f->reader_side.count) - atomic_load(&f->checker_side.count);
    return filled >= FEED_BATCH;
}

/* The reader sleeps until a batch of slots is free again. */
static bool room_ready(struct feed *f)
{
    size_t filled = atomic_load(&f->reader_side.count) - atomic_load(&f->checker_side.count);
    return FEED_SLOTS - filled >= FEED_BATCH;
}

/* The reader may fill a batch of slots, or the checker stopped the feed. */
static bool reader_may_go(struct feed *f)
{
    return atomic_load(&f->stop) || room_ready(f);
}

/* The checker has released every slot the reader filled, or stopped the feed. */
static bool ring_empty(struct feed *f)
{
    return atomic_load(&f->stop) ||
           atomic_load(&f->reader_side.count) == atomic_load(&f->checker_side.count);
}

/*
 * The look-ahead work asked for is taken over once the checker has taken every entry read
 * before: those it looks at itself, and its work on them happens before the reader's on the
 * next (the release of the last slot orders them).
 */
static void take_look_ahead(struct feed *f)
{
    if (f->look || !atomic_load(&f->look_asked))
        return;
    if (!ring_empty(f)) {
        /* The checker may sleep until a whole batch is ready: it must take what there is. */
        wake(f, &f->checker_side, checker_may_go);
        wait_for(f, &f->reader_side, ring_empty);
    }
    f->look_for = atomic_load(&f->look_ctx);
    f->look = atomic_load(&f->look_asked);
}

static void *run_reader(void *arg)
{
    struct feed *f = arg;
    for (;;) {
        take_look_ahead(f);
        size_t n = atomic_load_explicit(&f->reader_side.count, memory_order_relaxed);
        if (!reader_has_room(f, n))
            wait_for(f, &f->reader_side, reader_may_go);
        if (atomic_load(&f->stop))
            return NULL;
        struct slot *s = &f->slots[n % FEED_SLOTS];
        read_into(f, s);
        bool done = last(s);
        atomic_store(&f->reader_side.count, n + 1);
        if (done) {
            if (atomic_load(&f->checker_side.sleeping)) {
                pthread_mutex_lock(&f->mu);
                pthread_cond_broadcast(&f->changed);
                pthread_mutex_unlock(&f->mu);
            }
            return NULL;
        }
        wake(f, &f->checker_side, batch_ready);
    }
}

/* ---- the feed ------------------------------------------------------------------------------ */

/* A second thread only pays where a second CPU runs it. */
static bool two_cpus(void)
{
#ifdef CPU_COUNT
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) == 0)
        return CPU_COUNT(&set) > 1;
#endif
    return true;
}

int feed_open(struct feed **out, struct reader *r, const struct source *src, bool threaded,
              gh_error *err)
{
    struct feed *f = aligned_alloc(64, (sizeof(*f) + 63) / 64 * 64);
    *out = f;
    if (!f)
        return error_set(err, GH_ENOMEM, "out of memory");
    memset(f, 0, sizeof(*f));
    f->reader = r;
    f->src = src;
    threaded = threaded && two_cpus();
    f->nslots = threaded ? FEED_SLOTS : 1;
    f->slots = calloc(f->nslots, sizeof(*f->slots));
    if (!f->slots)
        return error_set(err, GH_ENOMEM, "out of memory");
    for (size_t i = 0; i < f->nslots; i++)
        arena_init(&f->slots[i].arena, 64 * 1024);
    if (!threaded)
        return 0;
    if (pthread_mutex_init(&f->mu, NULL) != 0)
        return 0; /* no thread: read inline instead */
    if (pthread_cond_init(&f->changed, NULL) != 0) {
        pthread_mutex_destroy(&f->mu);
        return 0;
    }
    f->sync_ready = true;
    f->threaded = true;
    if (pthread_create(&f->thread, NULL, run_reader, f) == 0)
        f->thread_started = true;
    else
        f->threaded = false;
    return 0;
}

int feed_next(struct feed *f, const struct feed_entry **out, gh_error *err)
{
    struct slot *s;
    if (!f->threaded) {
        s = &f->slots[0];
        read_into(f, s);
    } else {
        size_t n = atomic_load_explicit(&f->checker_side.count, memory_order_relaxed);
        if (!checker_has_entry(f, n)) {
            wait_for(f, &f->checker_side, checker_may_go);
            f->checker_side.other_seen = atomic_load(&f->reader_side.count);
        }
        s = &f->slots[n % FEED_SLOTS];
        /* The next item's nodes were written on the reader's core: fetched now, they arrive
         * while this item is checked, instead of one cache miss after another when it is. */
        if (f->checker_side.other_seen - n >= 2)
            arena_prefetch(&f->slots[(n + 1) % FEED_SLOTS].arena, PREFETCH_MAX);
    }
    if (s->rc < 0) {
        *err = f->err;
        return s->rc;
    }
    *out = &s->fe;
    return 0;
}

void feed_release(struct feed *f)
{
    if (!f->threaded)
        return;
    size_t n = atomic_load_explicit(&f->checker_side.count, memory_order_relaxed);
    atomic_store(&f->checker_side.count, n + 1);
    wake(f, &f->reader_side, room_ready);
}

bool feed_look_ahead(struct feed *f, feed_look_fn look, void *ctx)
{
    if (!f->threaded)
        return false;
    atomic_store(&f->look_ctx, ctx);
    atomic_store(&f->look_asked, look);
    return true;
}

void feed_close(struct feed *f)
{
    if (!f)
        return;
    if (f->thread_started) {
        atomic_store(&f->stop, true);
        pthread_mutex_lock(&f->mu);
        pthread_cond_broadcast(&f->changed);
        pthread_mutex_unlock(&f->mu);
        pthread_join(f->thread, NULL);
    }
    if (f->sync_ready) {
        pthread_cond_destroy(&f->changed);
        pthread_mutex_destroy(&f->mu);
    }
    reader_lend_item_arena(f->reader, NULL);
    for (size_t i = 0; f->slots && i < f->nslots; i++)
        arena_release(&f->slots[i].arena);
    free(f->slots);
    free(f);
}
