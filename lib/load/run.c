/* SPDX-License-Identifier: MIT */
/* load/run.c - see run.h. */
#include "load/run.h"

#include <errno.h>
#include <time.h>

#include "core/clock.h"

/* Wait one tick for a stop signal (or just sleep); true when one came. */
static bool wait_tick(const sigset_t *stop_signals)
{
    struct timespec ts = {0, HP_RUN_TICK_NS};
    if (!stop_signals) {
        nanosleep(&ts, NULL);
        return false;
    }
    return sigtimedwait(stop_signals, NULL, &ts) > 0;
}

int hp_run_go(struct hp_run *r, struct hp_err *err)
{
    int64_t t0 = hp_now_ns();
    bool stopping = false;
    int rc = 0;

    r->interrupted = r->stopped = false;
    r->started_wall_ns = hp_wall_ns();
    for (;;) {
        int64_t now = hp_now_ns();
        bool all_done = true;
        for (int i = 0; i < r->n; i++) {
            struct hp_run_engine *e = &r->engines[i];
            if (!e->started && !stopping && now - t0 >= e->start_ns) {
                int s = hp_load_start(e->load, err);
                if (s < 0) {
                    rc = rc ? rc : s;
                    stopping = true;
                } else {
                    e->started = true;
                    e->offset_s = (double)(hp_now_ns() - t0) / 1e9;
                }
            }
            if (!e->started) {
                all_done &= stopping;
                continue;
            }
            if (stopping)
                hp_load_stop(e->load);
            const struct hp_load_figures *f;
            int got;
            while (!e->finished && (got = hp_load_poll(e->load, &f)) != 0) {
                if (got < 0) {
                    e->finished = true;
                    break;
                }
                int h = r->hooks.interval ? r->hooks.interval(r->hooks.ctx, i, f) : 0;
                if (h < 0 && !stopping) {
                    rc = rc ? rc : h;
                    stopping = true;
                    hp_load_stop(e->load);
                }
            }
            all_done &= e->finished;
        }
        if (all_done)
            break;
        int hrc = 0;
        if (!stopping && r->hooks.tick &&
            r->hooks.tick(r->hooks.ctx, (double)(hp_now_ns() - t0) / 1e9, &hrc)) {
            r->stopped = hrc == 0;
            rc = rc ? rc : hrc;
            stopping = true;
            continue; /* stop the engines at once, not after a tick's sleep */
        }
        if (wait_tick(r->stop_signals) && !stopping) {
            r->interrupted = true;
            stopping = true;
        }
    }
    r->elapsed_s = (double)(hp_now_ns() - t0) / 1e9;
    return rc;
}
