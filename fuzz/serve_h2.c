// SPDX-License-Identifier: MIT
/* fuzz/serve_h2.c - the embedded server's HTTP/2 (serve/serve_h2.c) against
 * any bytes a client may send after the connection preface: one worker and
 * one connection on a socketpair, the input fed in pieces of 1-128 bytes
 * (the first byte picks the size), what the server writes read back and
 * dropped, every delay timer fired. Invariants: nothing crashes or leaks
 * (ASan); the server said something (its SETTINGS) unless the peer broke
 * the session at once; it answered no more requests than it was sent
 * HEADERS frames for; once closed, the connection holds no session. */
#include <gsl/gsl_rng.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/alloc.h"
#include "fuzz.h"
#include "io/poll.h"
#include "serve/serve_int.h"

static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

static void drain(int fd)
{
    char buf[65536];
    while (read(fd, buf, sizeof buf) > 0)
        ;
}

static void fire_timers(struct worker *w)
{
    struct hp_timer *t;
    while ((t = hp_timer_heap_pop_due(&w->h2_timers, INT64_MAX / 2)) != NULL)
        hp_serve_h2_timer(t, INT64_MAX / 2);
}

/* HEADERS frames in the input (type 1 at a frame boundary), as an upper
 * bound on the requests that can be answered. */
static int64_t headers_frames(const uint8_t *p, size_t n)
{
    int64_t count = 0;
    size_t at = 0;
    while (at + 9 <= n) {
        size_t len = (size_t)p[at] << 16 | (size_t)p[at + 1] << 8 | p[at + 2];
        count += p[at + 3] == 1;
        at += 9 + len;
    }
    return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t step = (size_t)1 << (data[0] & 7);
    data++;
    size--;

    struct hp_serve srv = {0};
    srv.cfg.h2c = true;
    srv.cfg.seed = 1;
    srv.cfg.error_rate = 0.1;
    srv.cfg.workers = 2; /* streams queue for two service slots */
    struct worker w = {0};
    struct hp_err err;
    w.srv = &srv;
    w.tx = &hp_transport_tcp;
    hp_timer_heap_init(&w.h2_timers);
    hp_worker_clear(&w.wk);
    if (hp_worker_init(&w.wk, 16, 4, &err) < 0 || hp_hist_new_latency(&w.st.service_ns) < 0 ||
        !(w.rng = gsl_rng_alloc(gsl_rng_mt19937)))
        abort();
    w.date_len = (size_t)snprintf(w.date, sizeof w.date, "Date: Mon, 07 Dec 2026 00:00:00 GMT\r\n");
    int sv[2];
    FUZZ_ASSERT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);

    /* a worker's buffer pool, and the connection's block from it */
    w.pool = hp_calloc(SERVE_POOL_MAX, sizeof *w.pool);
    struct conn *c = hp_calloc(1, sizeof *c);
    c->rbuf = hp_malloc(SERVE_RBUF_BYTES + SERVE_WBUF_BYTES);
    c->wbuf = c->rbuf + SERVE_RBUF_BYTES;
    c->w = &w;
    hp_sock_init(&c->sk);
    hp_timer_init(&c->timer);
    c->sk.fd = sv[0];
    c->events = HP_POLL_IN;
    FUZZ_ASSERT(hp_poller_add(&w.wk.poller, sv[0], HP_POLL_IN, c) == 0);
    w.live = c;
    w.nconns = 1;
    /* The preface and the first piece arrive together, as a client's first read. */
    size_t first = size < step ? size : step;
    memcpy(c->rbuf, preface, sizeof preface - 1);
    memcpy(c->rbuf + sizeof preface - 1, data, first);
    c->rlen = sizeof preface - 1 + first;
    int rc = hp_serve_h2_start(c);
    size_t pos = first;
    while (rc == 0 && c->sk.fd >= 0 && pos < size) {
        size_t n = size - pos < step ? size - pos : step;
        ssize_t k = write(sv[1], data + pos, n);
        if (k > 0)
            pos += (size_t)k;
        hp_serve_h2_io(c, HP_POLL_IN | HP_POLL_OUT);
        drain(sv[1]);
        if (c->sk.fd >= 0)
            fire_timers(&w);
    }
    if (c->sk.fd >= 0) {
        fire_timers(&w);
        hp_serve_h2_io(c, HP_POLL_OUT);
    }
    drain(sv[1]);
    FUZZ_ASSERT(w.st.bytes_out > 0 || w.st.h2_errors > 0 || c->sk.fd < 0);
    FUZZ_ASSERT(w.st.requests <= headers_frames(data, size));
    if (c->sk.fd >= 0)
        hp_serve_conn_close(c); /* it goes to w.spare */
    FUZZ_ASSERT(c->h2 == NULL && w.h2_timers.len == 0);
    close(sv[1]);
    hp_free(c->rbuf); /* NULL once closed: the block went back to the pool */
    hp_free(c);
    for (int i = 0; i < w.n_pool; i++)
        hp_free(w.pool[i]);
    hp_free(w.pool);
    hp_timer_heap_fini(&w.h2_timers);
    hp_hist_free(w.st.service_ns);
    gsl_rng_free(w.rng);
    hp_worker_fini(&w.wk);
    return 0;
}
