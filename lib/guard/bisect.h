/* SPDX-License-Identifier: MIT */
/* guard/bisect.h - the commit that made it slower: a binary search over a
 * range of commits in which every step is a measurement against the good
 * commit's build, not a guess.
 *
 * The good commit and each step's commit are checked out into two git
 * worktrees of their own (the user's checkout is never touched) and built
 * there with the build command. A step runs the good build and the step's
 * build in alternating rounds (warm-up first), so that drift hits both
 * alike, and compares them as `hotpath compare` does: Mann-Whitney's
 * p-value and the Hodges-Lehmann shift with its confidence interval, as a
 * share of the good build's median. A step is
 *  - bad when the change is significant (p < alpha) and its estimate is at
 *    least the threshold in the worse direction;
 *  - good when the interval's worse end is below the threshold;
 *  - else not clear: it is measured again with twice the runs, up to
 *    max_runs a side, and then decided by the estimate (low confidence).
 * A commit that does not build is skipped, as `git bisect skip` does: the
 * next one towards the middle is tried instead.
 *
 * What is measured: the run command's wall time (the shell's own start-up
 * measured beforehand and taken out), the last number it prints (metric
 * "stdout"), or a metric of the result document it writes to the file
 * named by $HOTPATH_RESULT (any other name: `hotpath bench --json
 * "$HOTPATH_RESULT" ...`). */
#ifndef HP_GUARD_BISECT_H
#define HP_GUARD_BISECT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/result.h"

struct hp_bisect_opts {
    const char *repo;          /* a git checkout (default ".") */
    const char *good, *bad;    /* revisions */
    const char *build, *run;   /* shell commands, run in the worktree */
    const char *metric;        /* NULL or "wall_s", "stdout", or a document's metric */
    double threshold;          /* a share: 0.05 */
    double alpha;              /* 0.05 */
    int runs, max_runs;        /* a side per step: first, and at most after retries */
    int warmup;                /* a side per step */
    bool higher_better;        /* for metrics where more is better */
    int cpu;                   /* >= 0: runs on this CPU only (taskset's -c); -1 anywhere */
    const char *workdir;       /* where the worktrees go; NULL: a new temporary folder */
    bool keep;                 /* leave the worktrees and logs */
    bool profile;              /* a differential flame graph, last good to first bad */
    const char *profile_out;   /* its SVG */
    const char *hotpath;       /* this program, for `profile` and `flame` */
    volatile sig_atomic_t *stop;
};

enum hp_bisect_verdict { HP_BV_UNTESTED, HP_BV_GOOD, HP_BV_BAD, HP_BV_SKIP };

struct hp_bisect_commit {
    char sha[41];
    char subject[96];
    enum hp_bisect_verdict verdict;
};

struct hp_bisect_step {
    size_t commit; /* index into commits */
    enum hp_bisect_verdict verdict;
    bool low_confidence; /* decided by the estimate after the most runs */
    int runs;            /* a side */
    double good_median, median;
    double change;             /* median / good_median - 1 */
    double shift, shift_lo, shift_hi; /* Hodges-Lehmann, a share of good_median, 95% */
    double p;
    double build_s;
    char why[256]; /* a skip's reason */
};

struct hp_bisect {
    char good_sha[41], good_subject[96];
    struct hp_bisect_commit *commits; /* good..bad, oldest first; the last is bad */
    size_t ncommits;
    struct hp_bisect_step *steps;
    size_t nsteps, cap;
    long first_bad;   /* index into commits; -1: none named */
    long last_good;   /* index into commits; -1: the good commit itself */
    bool regressed;   /* bad measured worse than good (else the search stops there) */
    bool interrupted;
    bool unbuildable_range; /* the first bad is among commits that do not build */
    double shell_s;   /* the start-up taken out of every wall time */
    char workdir[512];
    char profile_svg[512]; /* written with --profile */
};

struct hp_bisect_hooks {
    void *ud;
    void (*note)(void *ud, const char *msg);          /* progress: "building abc1234" */
    void (*step)(void *ud, const struct hp_bisect *b, const struct hp_bisect_step *s);
};

/* Run the search. 0 when it ran to its end (b->first_bad says what it
 * named) or was interrupted (b->interrupted); -errno / HP_E* with err when
 * it could not (not a repository, a revision unknown, good not an ancestor
 * of bad, the good or the bad commit does not build, the run command
 * fails on the good build). b is filled as far as it got either way;
 * free it with hp_bisect_fini. */
int hp_bisect_run(const struct hp_bisect_opts *o, const struct hp_bisect_hooks *h,
                  struct hp_bisect *b, struct hp_err *err);
void hp_bisect_fini(struct hp_bisect *b);

const char *hp_bisect_verdict_name(enum hp_bisect_verdict v);

/* The last number in text (what a run command printed, metric "stdout"):
 * the last whitespace-separated word that is a finite number, or a number
 * followed by one of "%,;)". false when there is none. */
bool hp_bisect_last_number(const char *text, size_t len, double *v);

/* The result document (kind "bisect"). 0 or -ENOMEM. */
int hp_bisect_doc(const struct hp_bisect *b, const struct hp_bisect_opts *o,
                  struct hp_result **out);

#endif
