/* SPDX-License-Identifier: MIT */
/* bench/spawn.h - run one command and measure it: wall time on
 * CLOCK_MONOTONIC around posix_spawn and wait4, and what wait4's rusage
 * says about the child (CPU times, peak RSS, context switches, faults).
 *
 * posix_spawn (glibc: clone with CLONE_VM | CLONE_VFORK) costs the parent
 * little whatever its size. The kernel's peak RSS of a child is never below
 * the RSS of the process it was started from (Linux carries the old memory
 * map's high-water mark across exec), so commands start from hotpath-spawn,
 * a small helper, when it is installed beside hotpath; a figure at or below
 * hp_spawn_rss_floor() says "at most this" rather than "this". */
#ifndef HP_BENCH_SPAWN_H
#define HP_BENCH_SPAWN_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

/* Where the child's standard streams go. */
enum hp_spawn_out { HP_OUT_NULL, HP_OUT_PIPE, HP_OUT_INHERIT, HP_OUT_FILE };

struct hp_spawn_io {
    const char *input;        /* a file for stdin; NULL: the null device */
    enum hp_spawn_out output; /* stdout and stderr */
    const char *output_path;  /* HP_OUT_FILE: truncated by every run (hyperfine's) */
};

struct hp_run {
    double wall_s, user_s, system_s;
    int64_t max_rss_bytes;
    int64_t voluntary_cs, involuntary_cs;
    int64_t minor_faults, major_faults;
    int exit_code; /* -1 when a signal ended it */
    int signal;    /* the signal that ended it, 0 if none */
    bool outlier;  /* set by hp_bench_summarise */
};

/* What every run shares: the null device, open once. */
struct hp_spawner;
int hp_spawner_new(const struct hp_spawn_io *io, struct hp_spawner **out, struct hp_err *err);
void hp_spawner_free(struct hp_spawner *s);

/* Start argv, wait, measure. argv[0] without a slash is looked up in PATH
 * (once: the answer is kept for the next run of the same name). 0, or
 * -errno with err saying what failed (a program not found is -ENOENT).
 * With HP_OUT_PIPE, the output is read and dropped while the command runs. */
int hp_spawn_run(struct hp_spawner *s, char *const argv[], struct hp_run *out, struct hp_err *err);

/* 0 when name can be started (found in PATH, or a path that exists), else
 * -ENOENT or -EACCES with err saying so. */
int hp_spawn_which(struct hp_spawner *s, const char *name, struct hp_err *err);

/* count runs of argv one after the other, each handed to each() (false:
 * stop after the run under way); with stop_on_fail, the first run that
 * does not exit 0 is the last. Through hotpath-spawn the runs need no word
 * from hotpath in between. 0 or -errno as hp_spawn_run. */
typedef bool (*hp_spawn_each)(void *ud, const struct hp_run *r);
int hp_spawn_repeat(struct hp_spawner *s, char *const argv[], int64_t count, bool stop_on_fail,
                    hp_spawn_each each, void *ud, struct hp_err *err);

/* Whether commands start from hotpath-spawn (src/hotpath_spawn.c): a
 * process of about 1 MiB, so that peak RSS is the command's own. */
bool hp_spawner_helped(const struct hp_spawner *s);

/* The peak RSS (VmHWM) of the process commands start from, the floor of
 * every command's. */
int64_t hp_spawn_rss_floor(const struct hp_spawner *s);

/* Whether the run ended with status 0. */
static inline bool hp_run_ok(const struct hp_run *r)
{
    return r->signal == 0 && r->exit_code == 0;
}

#endif
