#include "check_feed.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/util_error.h"

struct slot {
    struct feed_entry fe;
    struct arena arena;
    int rc;
    gh_error err;
};

struct feed {
    struct reader *reader;
    const struct source *src;
    bool threaded;
    struct slot slots[FEED_SLOTS];
    /* Threaded: slots [head, tail) are filled and not yet released; the reader fills at tail. */
    size_t head, tail;
    bool stop, thread_started, sync_ready;
    bool reader_waits, checker_waits, reader_done;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t changed;
};

static void read_into(struct feed *f, struct slot *s)
{
    reader_lend_item_arena(f->reader, &s->arena);
    memset(&s->err, 0, sizeof(s->err));
    s->rc = reader_next(f->reader, &s->fe.e, &s->err);
    s->fe.placeholder = f->src->stats.placeholder;
    s->fe.dollar = f->src->stats.dollar;
}

static bool last(const struct slot *s)
{
    return s->rc < 0 || s->fe.e.kind == ENTRY_END;
}

static void *run_reader(void *arg)
{
    struct feed *f = arg;
    for (;;) {
        pthread_mutex_lock(&f->mu);
        while (!f->stop && f->tail - f->head == FEED_SLOTS) {
            f->reader_waits = true;
            pthread_cond_wait(&f->changed, &f->mu);
            f->reader_waits = false;
        }
        bool stop = f->stop;
        struct slot *s = &f->slots[f->tail % FEED_SLOTS];
        pthread_mutex_unlock(&f->mu);
        if (stop)
            return NULL;
        read_into(f, s);
        bool done = last(s);
        pthread_mutex_lock(&f->mu);
        f->tail++;
        f->reader_done = done;
        if (f->checker_waits && (done || f->tail - f->head >= FEED_BATCH))
            pthread_cond_broadcast(&f->changed);
        pthread_mutex_unlock(&f->mu);
        if (done)
            return NULL;
    }
}

int feed_open(struct feed **out, struct reader *r, const struct source *src, bool threaded,
              gh_error *err)
{
    struct feed *f = calloc(1, sizeof(*f));
    *out = f;
    if (!f)
        return error_set(err, GH_ENOMEM, "out of memory");
    f->reader = r;
    f->src = src;
    for (size_t i = 0; i < FEED_SLOTS; i++)
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
        pthread_mutex_lock(&f->mu);
        while (f->head == f->tail) {
            f->checker_waits = true;
            pthread_cond_wait(&f->changed, &f->mu);
            f->checker_waits = false;
        }
        s = &f->slots[f->head % FEED_SLOTS];
        pthread_mutex_unlock(&f->mu);
    }
    if (s->rc < 0) {
        *err = s->err;
        return s->rc;
    }
    *out = &s->fe;
    return 0;
}

void feed_release(struct feed *f)
{
    if (!f->threaded)
        return;
    pthread_mutex_lock(&f->mu);
    f->head++;
    if (f->reader_waits && FEED_SLOTS - (f->tail - f->head) >= FEED_BATCH)
        pthread_cond_broadcast(&f->changed);
    pthread_mutex_unlock(&f->mu);
}

void feed_close(struct feed *f)
{
    if (!f)
        return;
    if (f->thread_started) {
        pthread_mutex_lock(&f->mu);
        f->stop = true;
        pthread_cond_broadcast(&f->changed);
        pthread_mutex_unlock(&f->mu);
        pthread_join(f->thread, NULL);
    }
    if (f->sync_ready) {
        pthread_cond_destroy(&f->changed);
        pthread_mutex_destroy(&f->mu);
    }
    reader_lend_item_arena(f->reader, NULL);
    for (size_t i = 0; i < FEED_SLOTS; i++)
        arena_release(&f->slots[i].arena);
    free(f);
}
