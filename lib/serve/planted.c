// SPDX-License-Identifier: MIT
/* serve/planted.c - see planted.h. */
#include "serve/planted.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/clock.h"

static pthread_mutex_t planted_lock = PTHREAD_MUTEX_INITIALIZER;

__attribute__((noinline)) uint64_t hp_serve_planted_cpu(int64_t ns)
{
    int64_t end = hp_now_ns() + ns;
    uint64_t x = 0x9e3779b97f4a7c15u;
    do {
        for (int i = 0; i < 4096; i++) { /* xorshift: work the optimiser must keep */
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
        }
    } while (hp_now_ns() < end);
    return x;
}

int hp_serve_planted_open(const struct hp_serve_planted *p, struct hp_serve_planted_thread *t,
                          struct hp_err *err)
{
    memset(t, 0, sizeof *t);
    t->fd = -1;
    if (p->fsync_every <= 0)
        return 0;
    if (p->fsync_path) {
        t->fd = open(p->fsync_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    } else {
        const char *dir = getenv("TMPDIR");
        t->fd = open(dir && *dir ? dir : "/tmp", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
    }
    if (t->fd < 0)
        return hp_err_at(err, -errno, p->fsync_path ? p->fsync_path : "$TMPDIR", 0, 0,
                         "cannot open a file for --fsync-every: %s", strerror(errno));
    return 0;
}

void hp_serve_planted_close(struct hp_serve_planted_thread *t)
{
    if (t->fd >= 0)
        close(t->fd);
    t->fd = -1;
    while (t->leaks) {
        void *next = *(void **)t->leaks;
        hp_free(t->leaks);
        t->leaks = next;
    }
}

static void sleep_ns(int64_t ns)
{
    struct timespec ts = {(time_t)(ns / HP_NS_PER_S), (long)(ns % HP_NS_PER_S)};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

void hp_serve_planted_run(const struct hp_serve_planted *p, struct hp_serve_planted_thread *t,
                          gsl_rng *rng)
{
    if (p->cpu_on) {
        int64_t d = hp_dist_sample(&p->cpu, rng), t0 = hp_now_ns();
        if (hp_serve_planted_cpu(d) == 42) /* never: keeps the result alive */
            t->st.cpu_ns++;
        t->st.cpu_ns += hp_now_ns() - t0;
    }
    if (p->lock_on) {
        int64_t d = hp_dist_sample(&p->lock, rng), t0 = hp_now_ns();
        pthread_mutex_lock(&planted_lock);
        int64_t t1 = hp_now_ns();
        sleep_ns(d);
        pthread_mutex_unlock(&planted_lock);
        t->st.lock_wait_ns += t1 - t0;
        t->st.lock_held_ns += hp_now_ns() - t1;
    }
    if (p->fsync_every > 0 && t->fd >= 0 && ++t->count % p->fsync_every == 0) {
        static const char block[4096];
        if (pwrite(t->fd, block, sizeof block, (off_t)((t->st.fsyncs % 256) * 4096)) ==
                (ssize_t)sizeof block &&
            fdatasync(t->fd) == 0)
            t->st.fsyncs++;
    }
    if (p->leak_bytes > 0) {
        size_t n = (size_t)p->leak_bytes < sizeof(void *) ? sizeof(void *) : (size_t)p->leak_bytes;
        char *b = hp_malloc(n);
        if (b) {
            memset(b, 0xa5, n); /* touched: resident, as a real leak grows */
            *(void **)b = t->leaks;
            t->leaks = b;
            t->st.leaked_bytes += (int64_t)n;
        }
    }
}
