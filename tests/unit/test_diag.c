// SPDX-License-Identifier: MIT
/* Unit tests for diag/diag.c on figures made up for each case: the knee
 * of closed and open sweeps, off-CPU stacks sorted by what they wait for,
 * the functions whose CPU grew, and the cause named first for a full pool,
 * one busy thread, full CPUs, a lock, the disk, a leak, the load generator
 * and a healthy service. */
#include <stdlib.h>
#include <string.h>

#include "diag/diag.h"
#include "testutil.h"

/* ---- off-CPU stacks ---------------------------------------------------------- */

static enum hp_off_kind kind(const char *a, const char *b, const char *c)
{
    const char *f[3] = {a, b, c};
    return hp_diag_off_kind(f, 3);
}

static void off_kinds_by_what_they_wait_for(void **state)
{
    (void)state;
    assert_int_equal(kind("serve", "__lll_lock_wait", "futex_wait"), HP_OFF_LOCK);
    assert_int_equal(kind("serve", "pthread_mutex_lock", "schedule"), HP_OFF_LOCK);
    /* a condition wait is futex too, but waiting for work */
    assert_int_equal(kind("pool", "pthread_cond_wait", "futex_wait"), HP_OFF_IDLE);
    assert_int_equal(kind("serve", "epoll_pwait2", "do_epoll_wait"), HP_OFF_IDLE);
    assert_int_equal(kind("serve", "fdatasync", "jbd2_log_wait_commit"), HP_OFF_IO);
    assert_int_equal(kind("serve", "clock_nanosleep", "hrtimer_nanosleep"), HP_OFF_SLEEP);
    assert_int_equal(kind("serve", "hp_serve_planted_cpu", "[runnable: preempted]"),
                     HP_OFF_PREEMPTED);
    assert_int_equal(kind("serve", "read", "pipe_read"), HP_OFF_OTHER);
    assert_string_equal(hp_off_kind_name(HP_OFF_LOCK), "lock");
}

static void add(struct hp_stacks *s, int which, uint64_t count, int n, ...)
{
    uint32_t ids[16];
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++) {
        const char *name = va_arg(ap, const char *);
        ids[i] = hp_stacks_intern(s, name, strlen(name));
    }
    va_end(ap);
    assert_int_equal(hp_stacks_add(s, ids, n, count, which), 0);
}

static void off_split_sums_the_time_by_kind(void **state)
{
    (void)state;
    struct hp_stacks s;
    assert_int_equal(hp_stacks_init(&s), 0);
    add(&s, 0, 700, 3, "serve", "run", "__lll_lock_wait");
    add(&s, 0, 300, 3, "serve", "run", "clock_nanosleep");
    add(&s, 0, 50, 3, "serve", "loop", "epoll_wait");
    add(&s, 1, 999, 3, "serve", "loop", "epoll_wait"); /* the other counts: left alone */
    double ns[HP_OFF_KINDS];
    hp_diag_off_split(&s, 0, ns);
    assert_close(ns[HP_OFF_LOCK], 700, 0, 0);
    assert_close(ns[HP_OFF_SLEEP], 300, 0, 0);
    assert_close(ns[HP_OFF_IDLE], 50, 0, 0);
    assert_close(ns[HP_OFF_IO] + ns[HP_OFF_OTHER] + ns[HP_OFF_PREEMPTED], 0, 0, 0);
    hp_stacks_fini(&s);
}

/* ---- grown functions ---------------------------------------------------------- */

static void grown_orders_by_added_cpu(void **state)
{
    (void)state;
    struct hp_stacks s;
    assert_int_equal(hp_stacks_init(&s), 0);
    /* below: 2 s at 100 Hz; at the knee: 1 s */
    add(&s, 0, 50, 3, "serve", "main", "work");  /* 0.25 cores */
    add(&s, 0, 40, 3, "serve", "main", "parse"); /* 0.20 */
    add(&s, 1, 90, 3, "serve", "main", "work");  /* 0.90 */
    add(&s, 1, 10, 3, "serve", "main", "parse"); /* 0.10 */
    /* recursion: work -> work counts once in work's total */
    add(&s, 1, 100, 4, "serve", "main", "work", "work"); /* +1.0 */
    double secs[2] = {2, 1};
    struct hp_diag_grown g[8];
    int n = hp_diag_grown(&s, secs, 100, g, 8);
    assert_int_equal(n, 2); /* main has no self time: not listed */
    assert_string_equal(g[0].name, "work");
    assert_close(g[0].before_cores, 0.25, 1e-12, 0);
    assert_close(g[0].after_cores, 1.9, 1e-12, 0);
    assert_close(g[0].after_share, 190.0 / 200, 1e-12, 0);
    assert_close(g[0].total_share, 190.0 / 200, 1e-12, 0); /* not 290 */
    assert_string_equal(g[1].name, "parse"); /* shrank: last */
    assert_close(g[1].after_cores - g[1].before_cores, -0.1, 1e-12, 0);
    /* max is honoured */
    assert_int_equal(hp_diag_grown(&s, secs, 100, g, 1), 1);
    hp_stacks_fini(&s);
}

/* ---- the knee ------------------------------------------------------------------ */

static struct hp_diag_level lv_closed(double c, double x, double p99_ms)
{
    return (struct hp_diag_level){.level = c, .concurrency = c, .throughput_per_s = x,
                                  .mean_ns = c / x * 1e9, .p99_ns = p99_ms * 1e6};
}

static void knee_of_closed_and_open_sweeps(void **state)
{
    (void)state;
    struct hp_diag_level c[5] = {lv_closed(1, 100, 10), lv_closed(2, 199, 10),
                                 lv_closed(4, 390, 11), lv_closed(8, 420, 20),
                                 lv_closed(16, 421, 40)};
    int below;
    enum hp_diag_knee_why why;
    assert_int_equal(hp_diag_knee(c, 5, false, 0, &below, &why), 3);
    assert_int_equal(below, 2);
    assert_int_equal(why, HP_KNEE_THROUGHPUT);
    /* an objective that breaks first */
    assert_int_equal(hp_diag_knee(c, 5, false, 10500000, &below, &why), 2);
    assert_int_equal(why, HP_KNEE_SLO);
    /* a sweep that never stops scaling: none, and the top two levels */
    assert_int_equal(hp_diag_knee(c, 3, false, 0, &below, &why), -1);
    assert_int_equal(below, 1);
    assert_int_equal(why, HP_KNEE_NONE);
    /* open: a rate answered under 95%, or p99 jumping past 5x its lowest */
    struct hp_diag_level o[3] = {{.level = 100, .throughput_per_s = 100, .p99_ns = 1e6},
                                 {.level = 200, .throughput_per_s = 199, .p99_ns = 1.2e6},
                                 {.level = 400, .throughput_per_s = 370, .p99_ns = 2e6}};
    assert_int_equal(hp_diag_knee(o, 3, true, 0, &below, &why), 2);
    assert_int_equal(why, HP_KNEE_RATE);
    o[1].p99_ns = 6e6;
    o[2].p99_ns = 9e6;
    o[2].throughput_per_s = 400;
    assert_int_equal(hp_diag_knee(o, 3, true, 0, &below, &why), 1);
    assert_int_equal(below, 0);
    assert_int_equal(why, HP_KNEE_LATENCY);
    /* the same jump once, p99 back at the next level: a passing stall */
    o[2].p99_ns = 1.1e6;
    assert_int_equal(hp_diag_knee(o, 3, true, 0, &below, &why), -1);
    o[2].throughput_per_s = 370;
    /* the first level itself */
    o[0].throughput_per_s = 50;
    assert_int_equal(hp_diag_knee(o, 3, true, 0, &below, &why), 0);
    assert_int_equal(below, -1);
}

/* ---- the cause named first ----------------------------------------------------- */

/* A closed sweep that stops at 8 connections, every level's use set to u. */
static void sweep_with(struct hp_diag_level *lv, const struct hp_diag_level *u)
{
    double x[5] = {100, 200, 400, 410, 410};
    for (int i = 0; i < 5; i++) {
        lv[i] = *u;
        double c = 1 << i;
        lv[i].level = lv[i].concurrency = c;
        lv[i].throughput_per_s = x[i];
        lv[i].mean_ns = c / x[i] * 1e9;
        lv[i].p99_ns = 1.2 * lv[i].mean_ns;
        lv[i].samples = 4;
        lv[i].t_first = 10.0 * i;
        lv[i].t_last = 10.0 * i + 1;
        lv[i].rss_first = lv[i].rss_last = 20e6;
    }
}

static struct hp_diag_level idle_use(void)
{
    return (struct hp_diag_level){.cpu_util = 0.05, .proc_cpu = 0.04, .thread_max_cpu = 0.03,
                                  .threads = 3, .loader_cpu = 0.02, .mem_available_ratio = 0.8,
                                  .disk_util = 0.01, .runq = 1};
}

static void analyse(const struct hp_diag_level *lv, int n, const double *off, double on_cores,
                    struct hp_diag_answer *a)
{
    struct hp_diag_input in = {.levels = lv, .n = n, .ncpu = 2};
    if (off) {
        in.off_cpu = true;
        memcpy(in.off_ns, off, sizeof in.off_ns);
        in.off_secs = 1;
        in.on_cpu_cores = on_cores;
    }
    struct hp_err err = {0};
    assert_int_equal(hp_diag_analyse(&in, a, &err), 0);
    assert_true(a->n_findings >= 1);
    assert_true(a->n_suggestions >= 1);
}

static void pool_full_with_cpus_idle(void **state)
{
    (void)state;
    struct hp_diag_level lv[5], u = idle_use();
    sweep_with(lv, &u);
    double off[HP_OFF_KINDS] = {[HP_OFF_IDLE] = 2.9e9, [HP_OFF_PREEMPTED] = 0.01e9};
    static struct hp_diag_answer a;
    analyse(lv, 5, off, 0.04, &a);
    assert_int_equal(a.knee, 3);
    assert_int_equal(a.findings[0].cause, HP_CAUSE_POOL);
    /* Little: 410/s x the unloaded 10 ms = 4.1 in service */
    assert_close(a.in_service, 4.1, 1e-9, 0);
    assert_non_null(strstr(a.findings[0].evidence, "Little's law"));
    assert_non_null(strstr(a.suggestions[0].what, "More workers"));
}

/* Others filling the machine's CPUs do not make the CPU the cause, unless
 * the service's threads waited for one. */
static void busy_machine_by_others(void **state)
{
    (void)state;
    struct hp_diag_level lv[5], u = idle_use();
    u.cpu_util = 0.99;
    u.runq = 4;
    sweep_with(lv, &u);
    double off[HP_OFF_KINDS] = {[HP_OFF_IDLE] = 2.9e9, [HP_OFF_PREEMPTED] = 0.05e9};
    static struct hp_diag_answer a;
    analyse(lv, 5, off, 0.04, &a);
    assert_int_equal(a.findings[0].cause, HP_CAUSE_POOL);
    assert_non_null(strstr(a.findings[0].evidence, "by other processes"));
    off[HP_OFF_PREEMPTED] = 1.5e9; /* its threads runnable a third of their time */
    analyse(lv, 5, off, 0.04, &a);
    assert_int_equal(a.findings[0].cause, HP_CAUSE_CPU);
}

static void one_thread_busy(void **state)
{
    (void)state;
    struct hp_diag_level lv[5], u = idle_use();
    u.proc_cpu = 1.0;
    u.thread_max_cpu = 0.98;
    u.cpu_util = 0.55;
    snprintf(u.thread_max_name, sizeof u.thread_max_name, "worker-0");
    sweep_with(lv, &u);
    struct hp_diag_grown g[2] = {{.name = "hash", .before_cores = 0.5, .after_cores = 0.9,
                                  .after_share = 0.9},
                                 {.name = "epoll_wait", .before_cores = 0.05,
                                  .after_cores = 0.04, .after_share = 0.04}};
    struct hp_diag_input in = {.levels = lv, .n = 5, .ncpu = 2, .grown = g, .n_grown = 2};
    static struct hp_diag_answer a;
    struct hp_err err = {0};
    assert_int_equal(hp_diag_analyse(&in, &a, &err), 0);
    assert_int_equal(a.findings[0].cause, HP_CAUSE_THREAD_CPU);
    assert_non_null(strstr(a.findings[0].title, "worker-0"));
    /* not the pool: the thread is full */
    for (int i = 0; i < a.n_findings; i++)
        assert_int_not_equal(a.findings[i].cause, HP_CAUSE_POOL);
    assert_non_null(strstr(a.suggestions[0].why, "hash"));
    bool cache = false;
    for (int i = 0; i < a.n_suggestions; i++)
        cache |= strstr(a.suggestions[i].what, "cache") != NULL;
    assert_true(cache); /* one function holds 90% */
}

static void cpus_full_and_the_loader_beside(void **state)
{
    (void)state;
    struct hp_diag_level lv[5], u = idle_use();
    u.proc_cpu = 1.1;
    u.thread_max_cpu = 0.6;
    u.cpu_util = 0.97;
    u.loader_cpu = 0.85;
    u.runq = 4;
    sweep_with(lv, &u);
    static struct hp_diag_answer a;
    analyse(lv, 5, NULL, 0, &a);
    assert_int_equal(a.findings[0].cause, HP_CAUSE_CPU);
    assert_int_equal(a.findings[1].cause, HP_CAUSE_LOADER);
    assert_true(isnan(a.off_share[HP_OFF_LOCK])); /* no off-CPU profile */
}

static void lock_waits_over_cpu(void **state)
{
    (void)state;
    struct hp_diag_level lv[5], u = idle_use();
    sweep_with(lv, &u);
    double off[HP_OFF_KINDS] = {[HP_OFF_LOCK] = 0.9e9, [HP_OFF_SLEEP] = 0.95e9,
                                [HP_OFF_IDLE] = 0.1e9};
    static struct hp_diag_answer a;
    analyse(lv, 5, off, 0.05, &a);
    assert_int_equal(a.findings[0].cause, HP_CAUSE_LOCK);
    assert_close(a.off_share[HP_OFF_LOCK], 0.9 / 2.0, 1e-12, 0);
    for (int i = 0; i < a.n_findings; i++) {
        assert_int_not_equal(a.findings[i].cause, HP_CAUSE_POOL);
        assert_int_not_equal(a.findings[i].cause, HP_CAUSE_CPU);
    }
}

static void disk_waits(void **state)
{
    (void)state;
    struct hp_diag_level lv[5], u = idle_use();
    u.disk_util = 0.9;
    snprintf(u.disk, sizeof u.disk, "vda");
    sweep_with(lv, &u);
    double off[HP_OFF_KINDS] = {[HP_OFF_IO] = 0.6e9, [HP_OFF_IDLE] = 0.35e9};
    static struct hp_diag_answer a;
    analyse(lv, 5, off, 0.05, &a);
    assert_int_equal(a.findings[0].cause, HP_CAUSE_DISK);
    assert_non_null(strstr(a.findings[0].evidence, "vda"));
}

static void leak_first(void **state)
{
    (void)state;
    struct hp_diag_level lv[5], u = idle_use();
    sweep_with(lv, &u);
    /* 16 KiB per request at every level; the windows are 1 s */
    double rss = 20e6;
    for (int i = 0; i < 5; i++) {
        lv[i].rss_first = rss;
        rss += 16384 * lv[i].throughput_per_s;
        lv[i].rss_last = rss;
        rss += 1e6; /* the warm-ups between */
    }
    double off[HP_OFF_KINDS] = {[HP_OFF_IDLE] = 2.9e9};
    static struct hp_diag_answer a;
    analyse(lv, 5, off, 0.04, &a);
    assert_int_equal(a.findings[0].cause, HP_CAUSE_MEMORY_GROWTH);
    assert_close(a.leak_bytes_per_request, 16384, 1e-9, 0);
    /* growth that levels off (a pool warming up) is no leak */
    for (int i = 2; i < 5; i++)
        lv[i].rss_last = lv[i].rss_first;
    analyse(lv, 5, off, 0.04, &a);
    for (int i = 0; i < a.n_findings; i++)
        assert_int_not_equal(a.findings[i].cause, HP_CAUSE_MEMORY_GROWTH);
}

static void healthy_says_nothing_saturated(void **state)
{
    (void)state;
    struct hp_diag_level lv[5], u = idle_use();
    sweep_with(lv, &u); /* the first three levels scale */
    double off[HP_OFF_KINDS] = {[HP_OFF_IDLE] = 2.9e9};
    static struct hp_diag_answer a;
    analyse(lv, 3, off, 0.04, &a);
    assert_int_equal(a.knee, -1);
    assert_int_equal(a.n_findings, 1);
    assert_int_equal(a.findings[0].cause, HP_CAUSE_NONE);
    assert_string_equal(a.findings[0].title, "nothing saturated within the range swept");
    assert_non_null(strstr(a.suggestions[0].what, "Sweep further"));
    /* no levels: an error, not an answer */
    struct hp_diag_input in = {.levels = lv, .n = 0, .ncpu = 2};
    struct hp_err err = {0};
    assert_int_equal(hp_diag_analyse(&in, &a, &err), HP_ERANGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(off_kinds_by_what_they_wait_for),
        cmocka_unit_test(off_split_sums_the_time_by_kind),
        cmocka_unit_test(grown_orders_by_added_cpu),
        cmocka_unit_test(knee_of_closed_and_open_sweeps),
        cmocka_unit_test(pool_full_with_cpus_idle),
        cmocka_unit_test(busy_machine_by_others),
        cmocka_unit_test(one_thread_busy),
        cmocka_unit_test(cpus_full_and_the_loader_beside),
        cmocka_unit_test(lock_waits_over_cpu),
        cmocka_unit_test(disk_waits),
        cmocka_unit_test(leak_first),
        cmocka_unit_test(healthy_says_nothing_saturated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
