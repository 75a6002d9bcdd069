// SPDX-License-Identifier: MIT
/* tests/unit/test_monitor.c - USE samples of this very process are sane,
 * and each saturation rule names its resource. */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#include "core/clock.h"
#include "sys/monitor.h"

static void samples_of_this_process_are_sane(void **state)
{
    (void)state;
    struct hp_mon *m;
    struct hp_mon_point p;
    assert_int_equal(hp_mon_new(getpid(), &m), 0);
    assert_int_equal(hp_mon_sample(m, hp_now_ns(), &p), 0); /* primes */
    int64_t t0 = hp_now_ns();
    volatile double x = 0;
    while (hp_now_ns() - t0 < 200000000) /* 200 ms of our own CPU */
        x += 1;
    assert_int_equal(hp_mon_sample(m, hp_now_ns(), &p), 1);
    assert_true(p.ncpu >= 1);
    assert_true(p.cpu_util > 0 && p.cpu_util <= 1.0001);
    assert_true(p.mem_total > 0 && p.mem_available > 0 && p.mem_available <= p.mem_total);
    assert_true(p.proc);
    assert_true(p.proc_threads >= 1);
    assert_true(p.proc_rss > 0);
    assert_true(p.proc_fds >= 3);
    assert_true(p.proc_cpu > 0.2 && p.proc_cpu < 1.5); /* it spun: loose, the machine is shared */
    assert_true(p.t_s > 0.19);
    hp_mon_free(m);
    assert_int_equal(hp_mon_new(1 << 30, &m), -ESRCH);
}

static void each_saturation_rule_names_its_resource(void **state)
{
    (void)state;
    char what[64], ev[160];
    struct hp_mon_point p = {.ncpu = 4,
                             .cpu_util = 0.3,
                             .runq = 1,
                             .mem_total = 1e9,
                             .mem_available = 5e8,
                             .psi_cpu = -1,
                             .psi_mem = -1,
                             .psi_io = -1};
    assert_false(hp_mon_saturated(&p, what, sizeof what, ev, sizeof ev));
    p.cpu_util = 0.95;
    assert_true(hp_mon_saturated(&p, what, sizeof what, ev, sizeof ev));
    assert_string_equal(what, "CPU");
    p.cpu_util = 0.3;
    p.runq = 6; /* more runnable than CPUs */
    assert_true(hp_mon_saturated(&p, what, sizeof what, ev, sizeof ev));
    assert_string_equal(what, "CPU");
    p.runq = 1;
    p.mem_available = 5e7;
    assert_true(hp_mon_saturated(&p, what, sizeof what, ev, sizeof ev));
    assert_string_equal(what, "memory");
    p.mem_available = 5e8;
    p.ndisks = 1;
    p.disks[0] = (struct hp_mon_disk){.name = "sda", .util = 0.97, .queue = 3};
    assert_true(hp_mon_saturated(&p, what, sizeof what, ev, sizeof ev));
    assert_string_equal(what, "disk sda");
    p.disks[0].util = 0.1;
    p.retrans_per_s = 50;
    p.out_segs_per_s = 1000;
    assert_true(hp_mon_saturated(&p, what, sizeof what, ev, sizeof ev));
    assert_string_equal(what, "network");
    p.retrans_per_s = 0;
    /* a process: all its single thread can do, before the machine's CPUs */
    p.proc = true;
    p.proc_threads = 1;
    p.proc_cpu = 0.97;
    p.cpu_util = 0.95;
    assert_true(hp_mon_saturated(&p, what, sizeof what, ev, sizeof ev));
    assert_string_equal(what, "process CPU");
    p.proc_threads = 8; /* 8 threads on 4 CPUs, 1.5 busy: one thread at its limit */
    p.proc_cpu = 1.5;
    p.thread_max_cpu = 0.99;
    p.thread_max_tid = 42;
    assert_true(hp_mon_saturated(&p, what, sizeof what, ev, sizeof ev));
    assert_string_equal(what, "process thread");
    assert_non_null(strstr(ev, "thread 42"));
    p.thread_max_cpu = 0.3;
    p.cpu_util = 0.3;
    p.proc_fds = 1000;
    p.proc_fd_limit = 1024;
    assert_true(hp_mon_saturated(&p, what, sizeof what, ev, sizeof ev));
    assert_string_equal(what, "file descriptors");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(samples_of_this_process_are_sane),
        cmocka_unit_test(each_saturation_rule_names_its_resource),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
