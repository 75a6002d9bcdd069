// SPDX-License-Identifier: MIT
/* guard/bisect.c - see bisect.h. */
#include "guard/bisect.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <limits.h>
#include <math.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/spawn.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/file.h"
#include "stat/compare.h"
#include "stat/stats.h"

extern char **environ;

/* The run command, in a worktree, with $HOTPATH_RESULT set: $1 the folder,
 * $2 the command, $3 the result file. */
#define RUN_SCRIPT "cd \"$1\" || exit 125; HOTPATH_RESULT=$3; export HOTPATH_RESULT; eval \"$2\""

enum mode { M_WALL, M_STDOUT, M_DOC };

struct ctx {
    const struct hp_bisect_opts *o;
    const struct hp_bisect_hooks *h;
    struct hp_bisect *b;
    struct hp_err *err;
    enum mode mode;
    char good_dir[640], test_dir[640], log[640], out_path[640], result_path[640];
    bool good_added, test_added;
    struct hp_spawner *sp;
    cpu_set_t saved; /* our affinity, while runs are pinned to o->cpu */
    bool pinned;
    double *g, *t; /* a step's samples: the good build's and the step's */
    size_t ng, nt, cap;
};

static void note(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct ctx *c, const char *fmt, ...)
{
    if (!c->h || !c->h->note)
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    c->h->note(c->h->ud, msg);
}

/* ---- processes ------------------------------------------------------------ */

/* Run argv (PATH looked up); stdout into *out (hp_free; NUL ended) when out
 * is non-NULL, else appended to log with stderr. The exit status, 128 + the
 * signal that ended it, or -errno when it could not start. */
static int run_cmd(char *const argv[], const char *log, char **out)
{
    int pfd[2] = {-1, -1};
    if (out && pipe2(pfd, O_CLOEXEC) < 0)
        return -errno;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (out)
        posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
    else
        posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (out)
        close(pfd[1]);
    if (rc != 0) {
        if (out)
            close(pfd[0]);
        return -rc;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    if (out) {
        for (;;) {
            if (len + 4096 + 1 > cap) {
                cap = cap ? 2 * cap : 8192;
                char *nb = hp_realloc(buf, cap);
                if (!nb)
                    break;
                buf = nb;
            }
            ssize_t k = read(pfd[0], buf + len, cap - len - 1);
            if (k < 0 && errno == EINTR)
                continue;
            if (k <= 0)
                break;
            len += (size_t)k;
        }
        close(pfd[0]);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            hp_free(buf);
            return -errno;
        }
    if (out) {
        if (!buf) {
            *out = NULL;
            return -ENOMEM;
        }
        buf[len] = '\0';
        *out = buf;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Empty the log before a command whose words an error may quote. */
static void log_reset(const char *log)
{
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0)
        close(fd);
}

/* The last lines of a log, for an error message. */
static void log_tail(const char *log, char *buf, size_t size)
{
    buf[0] = '\0';
    FILE *f = fopen(log, "r");
    if (!f)
        return;
    char line[256], last[3][256] = {"", "", ""};
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (!*line)
            continue;
        memmove(last[0], last[1], sizeof last[0] * 2);
        snprintf(last[2], sizeof last[2], "%s", line);
    }
    fclose(f);
    snprintf(buf, size, "%.180s%s%.180s%s%.180s", last[0], *last[0] ? " | " : "", last[1],
             *last[1] ? " | " : "", last[2]);
}

/* run_cmd with the log emptied first; on a failure, its last lines in
 * tail. */
static int run_logged(struct ctx *c, char *const argv[], char **out, char *tail, size_t size)
{
    log_reset(c->log);
    int rc = run_cmd(argv, c->log, out);
    if (rc != 0)
        log_tail(c->log, tail, size);
    return rc;
}

/* git -C repo ARGS... into *out (may be NULL). The exit status or -errno;
 * a failure is put in err with git's own words. */
static int git(struct ctx *c, char **out, const char *what, ...)
{
    const char *argv[24] = {"git", "-C", c->o->repo ? c->o->repo : "."};
    int n = 3;
    va_list ap;
    va_start(ap, what);
    for (const char *a; n < 23 && (a = va_arg(ap, const char *));)
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    char *buf = NULL, tail[600];
    int rc = run_logged(c, (char *const *)argv, &buf, tail, sizeof tail);
    if (rc != 0) {
        hp_free(buf);
        if (rc < 0)
            return hp_err_set(c->err, rc, "git: %s", strerror(-rc));
        return hp_err_set(c->err, HP_EUSAGE, "%s: git says: %s", what,
                          *tail ? tail : "(nothing)");
    }
    if (out)
        *out = buf;
    else
        hp_free(buf);
    return 0;
}

/* ---- the search --------------------------------------------------------- */

static int push_step(struct hp_bisect *b, struct hp_bisect_step **s)
{
    if (b->nsteps == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 16;
        struct hp_bisect_step *n = hp_realloc(b->steps, cap * sizeof *n);
        if (!n)
            return -ENOMEM;
        b->steps = n;
        b->cap = cap;
    }
    *s = &b->steps[b->nsteps++];
    memset(*s, 0, sizeof **s);
    return 0;
}

/* Build dir as the build command says; its output goes to the log. 0, or
 * the command's status (with why filled). */
static int build(struct ctx *c, const char *dir, double *secs, char *why, size_t size)
{
    char *argv[] = {"sh", "-c", "cd \"$1\" && eval \"$2\"", "sh", (char *)dir,
                    (char *)c->o->build, NULL};
    char tail[400];
    int64_t t0 = hp_now_ns();
    int rc = run_logged(c, argv, NULL, tail, sizeof tail);
    *secs = (double)(hp_now_ns() - t0) / 1e9;
    if (rc != 0) {
        if (rc < 0)
            snprintf(why, size, "the build could not start: %s", strerror(-rc));
        else
            snprintf(why, size, "the build exited %d%s%.200s", rc, *tail ? ": " : "", tail);
    }
    return rc;
}

bool hp_bisect_last_number(const char *text, size_t len, double *v)
{
    bool found = false;
    char tok[128];
    size_t i = 0;
    while (i < len) {
        while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' ||
                           text[i] == '\r' || text[i] == '\v' || text[i] == '\f'))
            i++;
        size_t n = 0;
        while (i < len && !(text[i] == ' ' || text[i] == '\t' || text[i] == '\n' ||
                            text[i] == '\r' || text[i] == '\v' || text[i] == '\f')) {
            if (n + 1 < sizeof tok)
                tok[n++] = text[i] ? text[i] : '?';
            i++;
        }
        if (n == 0)
            break;
        tok[n] = '\0';
        char *end;
        double x = strtod(tok, &end);
        if (end != tok && (*end == '\0' || strchr("%,;)", *end)) && isfinite(x)) {
            *v = x;
            found = true;
        }
    }
    return found;
}

/* The last number in a file (what the run command printed): its last 64
 * KiB. */
static bool last_number(const char *path, double *v)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    static char buf[65536];
    off_t size = lseek(fd, 0, SEEK_END);
    off_t from = size > (off_t)sizeof buf ? size - (off_t)sizeof buf : 0;
    ssize_t n = size >= 0 ? pread(fd, buf, sizeof buf, from) : -1;
    close(fd);
    return n > 0 && hp_bisect_last_number(buf, (size_t)n, v);
}

/* One run of the run command in dir; its value in *v. 0, 1 when the
 * command failed or gave no value (why says so), or a negative error. */
static int one_run(struct ctx *c, const char *dir, double *v, char *why, size_t size)
{
    char *argv[] = {"sh", "-c", RUN_SCRIPT, "sh", (char *)dir, (char *)c->o->run,
                    c->result_path, NULL};
    if (c->mode == M_DOC)
        unlink(c->result_path);
    struct hp_run r;
    int rc = hp_spawn_run(c->sp, argv, &r, c->err);
    if (rc < 0)
        return rc;
    if (!hp_run_ok(&r)) {
        if (r.signal)
            snprintf(why, size, "the run command was killed by signal %d", r.signal);
        else
            snprintf(why, size, "the run command exited %d", r.exit_code);
        return 1;
    }
    if (c->mode == M_WALL) {
        *v = r.wall_s - c->b->shell_s;
        return 0;
    }
    if (c->mode == M_STDOUT) {
        if (!last_number(c->out_path, v)) {
            snprintf(why, size, "the run command printed no number");
            return 1;
        }
        return 0;
    }
    struct hp_result *doc;
    struct hp_err e = {0};
    if (hp_result_load(c->result_path, &doc, &e) < 0) {
        snprintf(why, size, "no result document in $HOTPATH_RESULT: %.200s", e.msg);
        return 1;
    }
    bool ok = hp_result_get_metric(doc, c->o->metric, v, NULL) && isfinite(*v);
    hp_result_free(doc);
    if (!ok) {
        snprintf(why, size, "the result document has no metric %s", c->o->metric);
        return 1;
    }
    return 0;
}

static int push_sample(struct ctx *c, double **a, size_t *n, double v)
{
    if (c->ng == c->cap || c->nt == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        double *g = hp_realloc(c->g, cap * sizeof *g);
        if (!g)
            return -ENOMEM;
        c->g = g;
        double *t = hp_realloc(c->t, cap * sizeof *t);
        if (!t)
            return -ENOMEM;
        c->t = t;
        c->cap = cap;
    }
    (*a)[(*n)++] = v;
    return 0;
}

static double median_of(const double *v, size_t n)
{
    double *w = hp_malloc(n * sizeof *w);
    if (!w)
        return NAN;
    memcpy(w, v, n * sizeof *w);
    double m = hp_quantile(w, n, 0.5);
    hp_free(w);
    return m;
}

/* With --cpu, this process (and so what it starts) runs on that CPU only
 * while it measures; builds run anywhere. */
static int pin(struct ctx *c)
{
    if (c->o->cpu < 0 || c->pinned)
        return 0;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(c->o->cpu, &one);
    if (sched_getaffinity(0, sizeof c->saved, &c->saved) < 0 ||
        sched_setaffinity(0, sizeof one, &one) < 0)
        return hp_err_set(c->err, -errno, "--cpu %d: %s", c->o->cpu, strerror(errno));
    c->pinned = true;
    return 0;
}

static void unpin(struct ctx *c)
{
    if (c->pinned)
        sched_setaffinity(0, sizeof c->saved, &c->saved);
    c->pinned = false;
}

/* Round i: one run of the good build and one of the step's, the good one
 * first in even rounds. 0, 1 when the step's run failed (why says how; a
 * failure of the good build is an error), or a negative error. */
static int round_of_two(struct ctx *c, int i, bool warm, char *why, size_t size)
{
    for (int k = 0; k < 2; k++) {
        bool good = (k == 0) == (i % 2 == 0);
        double v;
        int rc = one_run(c, good ? c->good_dir : c->test_dir, &v, why, size);
        if (rc < 0)
            return rc;
        if (rc > 0 && good)
            return hp_err_set(c->err, -EIO, "on the good commit %.12s: %s", c->b->good_sha, why);
        if (rc > 0)
            return 1;
        if (!warm && (rc = good ? push_sample(c, &c->g, &c->ng, v)
                                : push_sample(c, &c->t, &c->nt, v)) < 0)
            return rc;
    }
    return 0;
}

/* n more rounds (warm: not kept), pinned to --cpu; stops early when asked. */
static int rounds(struct ctx *c, int n, bool warm, char *why, size_t size)
{
    int rc = pin(c);
    for (int i = 0; i < n && rc == 0 && !(c->o->stop && *c->o->stop); i++)
        rc = round_of_two(c, i, warm, why, size);
    unpin(c);
    return rc;
}

/* Judge the step's samples. */
static void judge(struct ctx *c, struct hp_bisect_step *s, bool last_try)
{
    const struct hp_bisect_opts *o = c->o;
    s->runs = (int)c->nt;
    s->good_median = median_of(c->g, c->ng);
    s->median = median_of(c->t, c->nt);
    s->change = s->good_median != 0 ? s->median / s->good_median - 1 : NAN;
    struct hp_mw mw = {.p = 1};
    struct hp_shift sh = {0};
    if (hp_mann_whitney(c->t, c->nt, c->g, c->ng, &mw) < 0 ||
        hp_hodges_lehmann(c->g, c->ng, c->t, c->nt, 0.95, &sh) < 0) {
        mw.p = NAN;
        sh.estimate = sh.lo = sh.hi = NAN;
    }
    double base = fabs(s->good_median);
    s->p = mw.p;
    s->shift = sh.estimate / base;
    s->shift_lo = sh.lo / base;
    s->shift_hi = sh.hi / base;
    /* in the worse direction */
    double est = o->higher_better ? -s->shift : s->shift;
    double worst = o->higher_better ? -s->shift_lo : s->shift_hi;
    s->low_confidence = false;
    if (mw.p < o->alpha && est >= o->threshold)
        s->verdict = HP_BV_BAD;
    else if (worst < o->threshold)
        s->verdict = HP_BV_GOOD;
    else if (last_try) {
        s->verdict = est >= o->threshold ? HP_BV_BAD : HP_BV_GOOD;
        s->low_confidence = true;
    } else {
        s->verdict = HP_BV_UNTESTED; /* not clear yet */
    }
}

/* Check out commit i into the test worktree, build it, measure it against
 * the good build. */
static int step(struct ctx *c, size_t i, struct hp_bisect_step **out)
{
    struct hp_bisect *b = c->b;
    struct hp_bisect_step *s;
    int rc = push_step(b, &s);
    if (rc < 0)
        return hp_err_set(c->err, rc, "out of memory");
    *out = s;
    s->commit = i;
    const struct hp_bisect_commit *cm = &b->commits[i];
    note(c, "step %zu: commit %zu of %zu, %.12s %s: building", b->nsteps, i + 1, b->ncommits,
         cm->sha, cm->subject);
    if ((rc = git(c, NULL, "checking out", "-C", c->test_dir, "checkout", "--quiet", "--force",
                  "--detach", cm->sha, NULL)) < 0)
        return rc;
    if (build(c, c->test_dir, &s->build_s, s->why, sizeof s->why) != 0) {
        s->verdict = HP_BV_SKIP;
        return 0;
    }
    c->ng = c->nt = 0;
    int n = c->o->runs;
    note(c, "step %zu: measuring %.12s against %.12s, %d runs each", b->nsteps, cm->sha,
         b->good_sha, n);
    if ((rc = rounds(c, c->o->warmup, true, s->why, sizeof s->why)) != 0)
        goto ran;
    rc = rounds(c, n, false, s->why, sizeof s->why);
    while (rc == 0 && !(c->o->stop && *c->o->stop)) {
        bool last = (int)c->nt * 2 > c->o->max_runs;
        judge(c, s, last);
        if (s->verdict != HP_BV_UNTESTED)
            break;
        note(c, "step %zu: not clear (%+.1f%%, p = %.2g): %zu more runs each", b->nsteps,
             100 * s->change, s->p, c->nt);
        rc = rounds(c, (int)c->nt, false, s->why, sizeof s->why);
    }
ran:
    if (rc > 0) { /* the step's build did not run */
        s->verdict = HP_BV_SKIP;
        return 0;
    }
    if (rc < 0)
        return rc;
    if (c->o->stop && *c->o->stop) {
        b->interrupted = true;
        if (c->nt > 0 && c->ng > 0)
            judge(c, s, true);
        else
            s->verdict = HP_BV_UNTESTED;
    }
    return 0;
}

static void step_done(struct ctx *c, const struct hp_bisect_step *s)
{
    c->b->commits[s->commit].verdict = s->verdict;
    if (c->h && c->h->step)
        c->h->step(c->h->ud, c->b, s);
}

/* The commit to test in (lo, hi) nearest its middle that was not skipped,
 * or -1. */
static long pick(const struct hp_bisect *b, long lo, long hi)
{
    long mid = lo + (hi - lo) / 2;
    for (long d = 0; d < hi - lo; d++) {
        long cand[2] = {mid + d, mid - d};
        for (int k = 0; k < (d ? 2 : 1); k++)
            if (cand[k] > lo && cand[k] < hi && b->commits[cand[k]].verdict != HP_BV_SKIP)
                return cand[k];
    }
    return -1;
}

static int read_commits(struct ctx *c)
{
    struct hp_bisect *b = c->b;
    const struct hp_bisect_opts *o = c->o;
    char *out = NULL, range[200];
    int rc;
    char good_rev[160], bad_rev[160];
    snprintf(good_rev, sizeof good_rev, "%s^{commit}", o->good);
    snprintf(bad_rev, sizeof bad_rev, "%s^{commit}", o->bad);
    char bad_sha[41], what[200];
    snprintf(what, sizeof what, "--good %.150s", o->good);
    if ((rc = git(c, &out, what, "rev-parse", "--verify", good_rev, NULL)) < 0)
        return rc;
    snprintf(b->good_sha, sizeof b->good_sha, "%.40s", out);
    hp_free(out);
    snprintf(what, sizeof what, "--bad %.150s", o->bad);
    if ((rc = git(c, &out, what, "rev-parse", "--verify", bad_rev, NULL)) < 0)
        return rc;
    snprintf(bad_sha, sizeof bad_sha, "%.40s", out);
    hp_free(out);
    if (strcmp(b->good_sha, bad_sha) == 0)
        return hp_err_set(c->err, HP_EUSAGE, "--good and --bad are the same commit (%.12s)",
                          bad_sha);
    char *argv[] = {"git", "-C", (char *)(o->repo ? o->repo : "."), "merge-base", "--is-ancestor",
                    b->good_sha, bad_sha, NULL};
    rc = run_cmd(argv, c->log, NULL);
    if (rc == 1)
        return hp_err_set(c->err, HP_EUSAGE,
                          "--good %s is not an ancestor of --bad %s: the search needs good "
                          "before bad on one line of history",
                          o->good, o->bad);
    if (rc != 0)
        return hp_err_set(c->err, -EIO, "git merge-base failed (%d)", rc);
    if ((rc = git(c, &out, "--good", "log", "-1", "--format=%s", b->good_sha, NULL)) < 0)
        return rc;
    snprintf(b->good_subject, sizeof b->good_subject, "%.*s", (int)strcspn(out, "\n"), out);
    hp_free(out);
    snprintf(range, sizeof range, "%s..%s", b->good_sha, bad_sha);
    if ((rc = git(c, &out, "listing the commits", "log", "--reverse", "--first-parent",
                  "--format=%H %s", range, NULL)) < 0)
        return rc;
    size_t n = 0;
    for (const char *p = out; *p; p++)
        n += *p == '\n';
    b->commits = hp_calloc(n ? n : 1, sizeof *b->commits);
    if (!b->commits) {
        hp_free(out);
        return hp_err_set(c->err, -ENOMEM, "out of memory");
    }
    for (char *line = out, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
        *nl = '\0';
        struct hp_bisect_commit *cm = &b->commits[b->ncommits++];
        snprintf(cm->sha, sizeof cm->sha, "%.40s", line);
        snprintf(cm->subject, sizeof cm->subject, "%s", strlen(line) > 41 ? line + 41 : "");
    }
    hp_free(out);
    if (b->ncommits == 0 || strcmp(b->commits[b->ncommits - 1].sha, bad_sha) != 0)
        return hp_err_set(c->err, HP_EUSAGE,
                          "--bad %s is not on the first-parent line from --good %s", o->bad,
                          o->good);
    return 0;
}

/* Wall time of the shell that wraps every run, with ':' for a command. */
static int shell_startup(struct ctx *c)
{
    char *argv[] = {"sh", "-c", RUN_SCRIPT, "sh", c->good_dir, ":", c->result_path, NULL};
    double sum = 0;
    const int n = 20;
    for (int i = 0; i < n; i++) {
        struct hp_run r;
        int rc = hp_spawn_run(c->sp, argv, &r, c->err);
        if (rc < 0)
            return rc;
        sum += r.wall_s;
    }
    c->b->shell_s = sum / n;
    return 0;
}

/* --profile: the run command in a loop for about 2 s under `hotpath
 * profile`, at the last good and the first bad commit, then `hotpath flame
 * --diff`. */
static int profile(struct ctx *c)
{
    struct hp_bisect *b = c->b;
    const struct hp_bisect_opts *o = c->o;
    char folded[2][700];
    double secs;
    char why[256];
    for (int k = 0; k < 2; k++) {
        long i = k == 0 ? b->last_good : b->first_bad;
        const char *dir = c->test_dir;
        if (i < 0) {
            dir = c->good_dir;
        } else {
            int rc = git(c, NULL, "checking out", "-C", c->test_dir, "checkout", "--quiet",
                         "--force", "--detach", b->commits[i].sha, NULL);
            if (rc < 0)
                return rc;
            if (build(c, c->test_dir, &secs, why, sizeof why) != 0)
                return hp_err_set(c->err, -EIO, "--profile: %s", why);
        }
        snprintf(folded[k], sizeof folded[k], "%s/%s-%.12s.folded", b->workdir,
                 k == 0 ? "last-good" : "first-bad", i < 0 ? b->good_sha : b->commits[i].sha);
        note(c, "profiling the %s commit", k == 0 ? "last good" : "first bad");
        char *argv[] = {(char *)o->hotpath, "profile", "-o", folded[k], "--",
                        "sh", "-c",
                        "cd \"$1\" || exit 125; HOTPATH_RESULT=$3; export HOTPATH_RESULT; "
                        "end=$(($(date +%s) + 3)); while [ $(date +%s) -lt $end ]; do "
                        "eval \"$2\" >\"$4\" 2>&1; done",
                        "sh", (char *)dir, (char *)o->run, c->result_path, c->out_path, NULL};
        char tail[400];
        if (run_logged(c, argv, NULL, tail, sizeof tail) != 0)
            return hp_err_set(c->err, -EIO, "--profile: hotpath profile: %s", tail);
    }
    char *argv[] = {(char *)o->hotpath, "flame", "--diff", folded[0], folded[1], "-o",
                    (char *)o->profile_out, NULL};
    char tail[400];
    if (run_logged(c, argv, NULL, tail, sizeof tail) != 0)
        return hp_err_set(c->err, -EIO, "--profile: hotpath flame --diff: %s", tail);
    snprintf(b->profile_svg, sizeof b->profile_svg, "%s", o->profile_out);
    return 0;
}

static int search(struct ctx *c)
{
    struct hp_bisect *b = c->b;
    const struct hp_bisect_opts *o = c->o;
    int rc = read_commits(c);
    if (rc < 0)
        return rc;
    snprintf(c->good_dir, sizeof c->good_dir, "%s/good", b->workdir);
    snprintf(c->test_dir, sizeof c->test_dir, "%s/step", b->workdir);
    if ((rc = git(c, NULL, "making a worktree", "worktree", "add", "--detach", "--force",
                  c->good_dir, b->good_sha, NULL)) < 0)
        return rc;
    c->good_added = true;
    if ((rc = git(c, NULL, "making a worktree", "worktree", "add", "--detach", "--force",
                  c->test_dir, b->commits[b->ncommits - 1].sha, NULL)) < 0)
        return rc;
    c->test_added = true;
    note(c, "building the good commit %.12s %s", b->good_sha, b->good_subject);
    double secs;
    char why[256];
    if (build(c, c->good_dir, &secs, why, sizeof why) != 0)
        return hp_err_set(c->err, -EIO, "the good commit %.12s does not build: %s",
                          b->good_sha, why);
    if (c->mode == M_WALL && (rc = shell_startup(c)) < 0)
        return rc;

    /* the bad commit first: is there anything to find? */
    struct hp_bisect_step *s;
    long hi = (long)b->ncommits - 1, lo = -1;
    if ((rc = step(c, (size_t)hi, &s)) < 0)
        return rc;
    if (s->verdict == HP_BV_SKIP)
        return hp_err_set(c->err, -EIO, "the bad commit %.12s cannot be measured: %s",
                          b->commits[hi].sha, s->why);
    step_done(c, s);
    b->first_bad = b->last_good = -1;
    if (b->interrupted)
        return 0;
    if (s->verdict != HP_BV_BAD)
        return 0; /* nothing above the threshold between good and bad */
    b->regressed = true;
    while (hi - lo > 1) {
        long i = pick(b, lo, hi);
        if (i < 0) {
            b->unbuildable_range = true;
            break;
        }
        if ((rc = step(c, (size_t)i, &s)) < 0)
            return rc;
        step_done(c, s);
        if (b->interrupted)
            return 0;
        if (s->verdict == HP_BV_BAD)
            hi = i;
        else if (s->verdict == HP_BV_GOOD)
            lo = i;
    }
    b->first_bad = hi;
    b->last_good = lo;
    if (o->profile && (rc = profile(c)) < 0)
        return rc;
    return 0;
}

int hp_bisect_run(const struct hp_bisect_opts *o, const struct hp_bisect_hooks *h,
                  struct hp_bisect *b, struct hp_err *err)
{
    memset(b, 0, sizeof *b);
    b->first_bad = b->last_good = -1;
    struct ctx c = {.o = o, .h = h, .b = b, .err = err};
    c.mode = !o->metric || strcmp(o->metric, "wall_s") == 0 ? M_WALL
             : strcmp(o->metric, "stdout") == 0             ? M_STDOUT
                                                            : M_DOC;
    if (o->workdir) {
        if (mkdir(o->workdir, 0755) < 0 && errno != EEXIST)
            return hp_err_set(err, -errno, "%s: %s", o->workdir, strerror(errno));
        if (!realpath(o->workdir, b->workdir))
            return hp_err_set(err, -errno, "%s: %s", o->workdir, strerror(errno));
    } else {
        const char *tmp = getenv("TMPDIR");
        snprintf(b->workdir, sizeof b->workdir, "%s/hotpath-bisect-XXXXXX",
                 tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(b->workdir))
            return hp_err_set(err, -errno, "%s: %s", b->workdir, strerror(errno));
    }
    snprintf(c.log, sizeof c.log, "%s/log.txt", b->workdir);
    snprintf(c.out_path, sizeof c.out_path, "%s/run.out", b->workdir);
    snprintf(c.result_path, sizeof c.result_path, "%s/result.json", b->workdir);
    struct hp_spawn_io io = {.output = c.mode == M_STDOUT ? HP_OUT_FILE : HP_OUT_NULL,
                             .output_path = c.out_path};
    int rc = pin(&c); /* hotpath-spawn, which starts every run, stays on --cpu */
    rc = rc ? rc : hp_spawner_new(&io, &c.sp, err);
    unpin(&c);
    if (rc == 0)
        rc = search(&c);
    hp_spawner_free(c.sp);
    hp_free(c.g);
    hp_free(c.t);
    if (!o->keep) {
        const char *dirs[2] = {c.good_added ? c.good_dir : NULL, c.test_added ? c.test_dir : NULL};
        for (int k = 0; k < 2; k++) {
            if (!dirs[k])
                continue;
            char *argv[] = {"git", "-C", (char *)(o->repo ? o->repo : "."), "worktree", "remove",
                            "--force", (char *)dirs[k], NULL};
            run_cmd(argv, c.log, NULL);
        }
        char *prune[] = {"git", "-C", (char *)(o->repo ? o->repo : "."), "worktree", "prune",
                         NULL};
        run_cmd(prune, c.log, NULL);
        char *rm[] = {"rm", "-rf", "--", b->workdir, NULL};
        if (run_cmd(rm, c.log, NULL) == 0)
            b->workdir[0] = '\0';
    }
    return rc;
}

void hp_bisect_fini(struct hp_bisect *b)
{
    hp_free(b->commits);
    hp_free(b->steps);
    b->commits = NULL;
    b->steps = NULL;
    b->ncommits = b->nsteps = b->cap = 0;
}

const char *hp_bisect_verdict_name(enum hp_bisect_verdict v)
{
    switch (v) {
    case HP_BV_GOOD: return "good";
    case HP_BV_BAD: return "bad";
    case HP_BV_SKIP: return "skip";
    default: return "untested";
    }
}

/* ---- the document ----------------------------------------------------------- */

int hp_bisect_doc(const struct hp_bisect *b, const struct hp_bisect_opts *o,
                  struct hp_result **out)
{
    struct hp_result *r;
    int rc = hp_result_new("bisect", &r);
    if (rc < 0)
        return rc;
    rc = hp_result_config_str(r, "repo", o->repo ? o->repo : ".");
    rc = rc ? rc : hp_result_config_str(r, "good", o->good);
    rc = rc ? rc : hp_result_config_str(r, "bad", o->bad);
    rc = rc ? rc : hp_result_config_str(r, "build", o->build);
    rc = rc ? rc : hp_result_config_str(r, "run", o->run);
    rc = rc ? rc : hp_result_config_str(r, "metric", o->metric ? o->metric : "wall_s");
    rc = rc ? rc : hp_result_config_real(r, "threshold", o->threshold);
    rc = rc ? rc : hp_result_config_real(r, "alpha", o->alpha);
    rc = rc ? rc : hp_result_config_int(r, "runs", o->runs);
    rc = rc ? rc : hp_result_config_int(r, "max_runs", o->max_runs);
    rc = rc ? rc : hp_result_config_int(r, "warmup", o->warmup);
    rc = rc ? rc : hp_result_config_str(r, "better", o->higher_better ? "higher" : "lower");
    rc = rc ? rc : hp_result_config_real(r, "shell_startup_s", b->shell_s);
    rc = rc ? rc : hp_result_config_bool(r, "interrupted", b->interrupted);
    rc = rc ? rc : hp_result_metric(r, "commits", (double)b->ncommits, "count");
    rc = rc ? rc : hp_result_metric(r, "steps", (double)b->nsteps, "count");
    rc = rc ? rc : hp_result_metric(r, "found", b->first_bad >= 0, "count");
    json_t *root = hp_result_json(r);
    json_t *commits = json_array(), *steps = json_array();
    if (!commits || !steps || json_object_set_new(root, "commits", commits) < 0 ||
        json_object_set_new(root, "steps", steps) < 0)
        rc = -ENOMEM;
    json_t *good = json_pack("{s:s, s:s}", "sha", b->good_sha, "subject", b->good_subject);
    if (!good || json_object_set_new(root, "good_commit", good) < 0)
        rc = -ENOMEM;
    for (size_t i = 0; i < b->ncommits && rc == 0; i++) {
        const struct hp_bisect_commit *cm = &b->commits[i];
        json_t *o2 = json_pack("{s:I, s:s, s:s, s:s}", "index", (json_int_t)i + 1, "sha", cm->sha,
                               "subject", cm->subject, "verdict",
                               hp_bisect_verdict_name(cm->verdict));
        if (!o2 || json_array_append_new(commits, o2) < 0)
            rc = -ENOMEM;
    }
    for (size_t i = 0; i < b->nsteps && rc == 0; i++) {
        const struct hp_bisect_step *s = &b->steps[i];
        const struct hp_bisect_commit *cm = &b->commits[s->commit];
        json_t *o2 = json_pack("{s:I, s:I, s:s, s:s, s:s, s:b, s:i, s:o, s:o, s:o, s:o, s:o, "
                               "s:o, s:o, s:o}",
                               "step", (json_int_t)i + 1, "index", (json_int_t)s->commit + 1,
                               "sha", cm->sha, "subject", cm->subject, "verdict",
                               hp_bisect_verdict_name(s->verdict), "low_confidence",
                               s->low_confidence, "runs", s->runs, "good_median",
                               hp_json_number(s->good_median), "median", hp_json_number(s->median), "change",
                               hp_json_number(s->change), "shift", hp_json_number(s->shift), "shift_low",
                               hp_json_number(s->shift_lo), "shift_high", hp_json_number(s->shift_hi), "pvalue",
                               hp_json_number(s->p), "build_s", hp_json_number(s->build_s));
        if (o2 && s->why[0])
            json_object_set_new(o2, "why", json_string(s->why));
        if (!o2 || json_array_append_new(steps, o2) < 0)
            rc = -ENOMEM;
    }
    if (rc == 0) {
        json_t *fb = json_null();
        if (b->first_bad >= 0) {
            const struct hp_bisect_commit *cm = &b->commits[b->first_bad];
            fb = json_pack("{s:I, s:s, s:s, s:b}", "index", (json_int_t)b->first_bad + 1, "sha",
                           cm->sha, "subject", cm->subject, "unbuildable_range",
                           b->unbuildable_range);
            /* its step's figures */
            for (size_t i = 0; fb && i < b->nsteps; i++)
                if ((long)b->steps[i].commit == b->first_bad) {
                    json_object_set_new(fb, "change", hp_json_number(b->steps[i].change));
                    json_object_set_new(fb, "pvalue", hp_json_number(b->steps[i].p));
                }
        }
        if (!fb || json_object_set_new(root, "first_bad", fb) < 0)
            rc = -ENOMEM;
        if (rc == 0 && b->profile_svg[0])
            rc = hp_result_config_str(r, "profile_svg", b->profile_svg);
    }
    if (rc < 0) {
        hp_result_free(r);
        return rc;
    }
    *out = r;
    return 0;
}
