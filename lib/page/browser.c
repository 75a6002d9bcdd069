// SPDX-License-Identifier: MIT
/* page/browser.c - see browser.h. */
#include "page/browser.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "page/cdp.h"

#define SLICE_MS 100 /* the stop flag is looked at this often */
#define STASH 32     /* answers kept for commands not being waited for */
#define CLOSE_GRACE_NS (INT64_C(2) * 1000000000)

struct hp_browser {
    pid_t pid;
    int to_fd, from_fd;
    bool gone;       /* the pipe closed or the process was reaped */
    int status;      /* its wait status once reaped */
    struct hp_cdp_reader rd;
    int64_t next_id;
    char dir[PATH_MAX]; /* the profile directory, removed at close */
    char version[128];
    json_t *early[STASH];  /* answers that came while another was awaited (hp_browser_send) */
    int n_early;
    json_t **q;      /* events waiting for hp_browser_event, oldest at q[qhead] */
    size_t qhead, qlen, qcap;
    volatile sig_atomic_t *stop;
};

static bool executable(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0;
}

/* The browser to start: the option, $HOTPATH_BROWSER, or the first of the
 * usual names on PATH. */
static bool find_browser(const char *want, char *out, size_t size)
{
    const char *env = getenv("HOTPATH_BROWSER");
    if (!want && env && *env)
        want = env;
    if (want && strchr(want, '/')) {
        snprintf(out, size, "%s", want);
        return executable(out);
    }
    static const char *const names[] = {"chromium", "chromium-browser", "google-chrome",
                                        "google-chrome-stable", NULL};
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    for (int i = 0; names[i]; i++) {
        const char *name = want ? want : names[i];
        for (const char *p = path; *p;) {
            const char *end = strchr(p, ':');
            size_t n = end ? (size_t)(end - p) : strlen(p);
            if (n > 0 && (size_t)snprintf(out, size, "%.*s/%s", (int)n, p, name) < size &&
                executable(out))
                return true;
            p += n + (end ? 1 : 0);
        }
        if (want)
            break;
    }
    return false;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (flag == FTW_DP)
        rmdir(path);
    else
        unlink(path);
    return 0;
}

/* The last line the browser wrote to its log, for an error message. */
static void last_log_line(const struct hp_browser *b, char *out, size_t size)
{
    char path[PATH_MAX + 16], line[512];
    out[0] = '\0';
    snprintf(path, sizeof path, "%s/browser.log", b->dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        size_t n = strcspn(line, "\r\n");
        line[n] = '\0';
        /* DBus complaints are every headless start's noise, not a cause */
        if (n > 0 && !strstr(line, "dbus") && !strstr(line, "DBus"))
            snprintf(out, size, "%.300s", line);
    }
    fclose(f);
}

static void describe_exit(const struct hp_browser *b, char *out, size_t size)
{
    char last[400];
    last_log_line(b, last, sizeof last);
    if (!b->gone || b->pid <= 0)
        snprintf(out, size, "the browser closed its pipe");
    else if (WIFSIGNALED(b->status))
        snprintf(out, size, "the browser was killed by signal %d", WTERMSIG(b->status));
    else
        snprintf(out, size, "the browser exited with status %d", WEXITSTATUS(b->status));
    if (last[0]) {
        size_t n = strlen(out);
        snprintf(out + n, size - n, " (it said: %.300s)", last);
    }
}

static void reap(struct hp_browser *b, bool wait)
{
    if (b->pid <= 0 || b->status != -1)
        return;
    int st;
    pid_t r = waitpid(b->pid, &st, wait ? 0 : WNOHANG);
    if (r == b->pid) {
        b->status = st;
        b->gone = true;
    }
}

static int gone_error(struct hp_browser *b, struct hp_err *err)
{
    char why[512];
    b->gone = true;
    for (int i = 0; i < 20 && b->status == -1; i++) { /* it is exiting: let it finish */
        reap(b, false);
        if (b->status == -1) {
            struct timespec ts = {0, 10 * 1000000};
            nanosleep(&ts, NULL);
        }
    }
    describe_exit(b, why, sizeof why);
    return hp_err_set(err, -EPIPE, "%s", why);
}

static int push_event(struct hp_browser *b, json_t *ev)
{
    if (b->qhead + b->qlen == b->qcap) {
        if (b->qhead > 0) {
            memmove(b->q, b->q + b->qhead, b->qlen * sizeof *b->q);
            b->qhead = 0;
        } else {
            size_t cap = b->qcap ? b->qcap * 2 : 64;
            json_t **q = hp_realloc(b->q, cap * sizeof *q);
            if (!q)
                return -ENOMEM;
            b->q = q;
            b->qcap = cap;
        }
    }
    b->q[b->qhead + b->qlen++] = ev;
    return 0;
}

/* Read what the browser wrote, waiting up to deadline. Messages go to
 * *answer (the one with id `want`; want < 0: none wanted) or the event
 * queue. 1 when the answer came (or, want < 0, any event), 0 at the
 * deadline, or an error. */
static int pump(struct hp_browser *b, int64_t want, bool or_event, json_t **answer,
                int64_t deadline_ns, struct hp_err *err)
{
    for (int i = 0; i < b->n_early; i++) {
        int64_t id;
        hp_cdp_kind(b->early[i], &id);
        if (id == want) {
            *answer = b->early[i];
            memmove(b->early + i, b->early + i + 1, (size_t)(b->n_early - i - 1) * sizeof *b->early);
            b->n_early--;
            return 1;
        }
    }
    for (;;) {
        json_t *msg;
        struct hp_err perr;
        int rc;
        while ((rc = hp_cdp_reader_next(&b->rd, &msg, &perr)) != 0) {
            if (rc == HP_EPARSE)
                continue; /* one bad message: skip it */
            if (rc < 0)
                return hp_err_set(err, rc, "the browser's messages: %s", perr.msg);
            int64_t id;
            enum hp_cdp_kind k = hp_cdp_kind(msg, &id);
            if (k == HP_CDP_EVENT) {
                if (push_event(b, msg) < 0) {
                    json_decref(msg);
                    return hp_err_set(err, -ENOMEM, "out of memory");
                }
                if (want < 0 || or_event)
                    return 2;
            } else if ((k == HP_CDP_RESPONSE || k == HP_CDP_ERROR) && id == want) {
                *answer = msg;
                return 1;
            } else if (k == HP_CDP_RESPONSE || k == HP_CDP_ERROR) {
                /* another command's: sent and awaited later, or given up on */
                if (b->n_early == STASH) {
                    json_decref(b->early[0]);
                    memmove(b->early, b->early + 1, (STASH - 1) * sizeof *b->early);
                    b->n_early--;
                }
                b->early[b->n_early++] = msg;
            } else {
                json_decref(msg);
            }
        }
        if (b->gone)
            return gone_error(b, err);
        if (b->stop && *b->stop)
            return hp_err_set(err, -EINTR, "interrupted");
        int64_t left = deadline_ns - hp_now_ns();
        if (left <= 0)
            return 0;
        int ms = left / 1000000 + 1 > SLICE_MS ? SLICE_MS : (int)(left / 1000000 + 1);
        struct pollfd pfd = {.fd = b->from_fd, .events = POLLIN};
        int n = poll(&pfd, 1, ms);
        if (n < 0 && errno != EINTR)
            return hp_err_set(err, -errno, "poll: %s", strerror(errno));
        if (n <= 0)
            continue;
        char buf[65536];
        ssize_t got = read(b->from_fd, buf, sizeof buf);
        if (got < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (got <= 0) {
            b->gone = true;
            continue;
        }
        if (hp_cdp_reader_feed(&b->rd, buf, (size_t)got) < 0)
            return hp_err_set(err, -ENOMEM, "out of memory");
    }
}

static int send_all(struct hp_browser *b, const char *p, size_t n, struct hp_err *err)
{
    while (n > 0) {
        ssize_t w = write(b->to_fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return errno == EPIPE ? gone_error(b, err)
                                  : hp_err_set(err, -errno, "writing to the browser: %s",
                                               strerror(errno));
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int hp_browser_send(struct hp_browser *b, const char *method, json_t *params,
                    const char *session, int64_t *id, struct hp_err *err)
{
    if (b->gone) {
        json_decref(params);
        return gone_error(b, err);
    }
    char *text;
    size_t len;
    *id = ++b->next_id;
    int rc = hp_cdp_command(*id, method, params, session, &text, &len);
    json_decref(params);
    if (rc < 0)
        return hp_err_set(err, rc, "out of memory");
    rc = send_all(b, text, len, err);
    hp_free(text);
    return rc;
}

/* The answer into *result, or its error. */
static int take_answer(json_t *answer, const char *method, json_t **result, struct hp_err *err)
{
    json_t *e = json_object_get(answer, "error");
    if (e) {
        const char *m = json_string_value(json_object_get(e, "message"));
        hp_err_set(err, HP_EFORMAT, "%s: %s", method, m ? m : "the browser refused it");
        json_decref(answer);
        return HP_EFORMAT;
    }
    if (result) {
        *result = json_incref(json_object_get(answer, "result"));
    }
    json_decref(answer);
    return 0;
}

int hp_browser_wait(struct hp_browser *b, int64_t id, const char *method, int64_t deadline_ns,
                    json_t **result, struct hp_err *err)
{
    if (result)
        *result = NULL;
    json_t *answer = NULL;
    int rc = pump(b, id, true, &answer, b->qlen > 0 ? 0 : deadline_ns, err);
    if (rc == 0 && b->qlen > 0)
        return 2;
    if (rc != 1)
        return rc;
    rc = take_answer(answer, method, result, err);
    return rc < 0 ? rc : 1;
}

int hp_browser_call(struct hp_browser *b, const char *method, json_t *params,
                    const char *session, int64_t deadline_ns, json_t **result,
                    struct hp_err *err)
{
    int64_t id;
    if (result)
        *result = NULL;
    int rc = hp_browser_send(b, method, params, session, &id, err);
    if (rc < 0)
        return rc;
    json_t *answer = NULL;
    rc = pump(b, id, false, &answer, deadline_ns, err);
    if (rc == 0)
        return hp_err_set(err, -ETIMEDOUT, "the browser did not answer %s in time", method);
    if (rc < 0)
        return rc;
    return take_answer(answer, method, result, err);
}

int hp_browser_event(struct hp_browser *b, int64_t deadline_ns, json_t **ev, struct hp_err *err)
{
    if (b->qlen == 0) {
        int rc = pump(b, -1, false, NULL, deadline_ns, err);
        if (rc <= 0)
            return rc;
    }
    *ev = b->q[b->qhead++];
    if (--b->qlen == 0)
        b->qhead = 0;
    return 1;
}

void hp_browser_drain(struct hp_browser *b)
{
    for (size_t i = 0; i < b->qlen; i++)
        json_decref(b->q[b->qhead + i]);
    b->qhead = b->qlen = 0;
}

double hp_browser_cpu_s(const struct hp_browser *b)
{
    double sum = 0;
    long hz = sysconf(_SC_CLK_TCK);
    DIR *d = b->pid > 0 ? opendir("/proc") : NULL;
    struct dirent *e;
    if (!d)
        return 0;
    while ((e = readdir(d))) {
        char path[300], buf[1024];
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n <= 0)
            continue;
        buf[n] = '\0';
        /* after "(comm)": state ppid pgrp ... utime (14th field) stime */
        char *p = strrchr(buf, ')');
        long pgrp;
        unsigned long ut, st;
        if (p && sscanf(p + 2, "%*c %*d %ld %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &pgrp, &ut,
                        &st) == 3 &&
            pgrp == b->pid)
            sum += (double)(ut + st) / (double)hz;
    }
    closedir(d);
    return sum;
}

int hp_browser_settle(struct hp_browser *b, int64_t max_ns)
{
    int64_t until = hp_now_ns() + max_ns;
    double before = hp_browser_cpu_s(b);
    while (hp_now_ns() < until) {
        struct timespec ts = {0, 250 * 1000000};
        nanosleep(&ts, NULL);
        if (b->stop && *b->stop)
            return -EINTR;
        double now = hp_browser_cpu_s(b);
        if (now - before < 0.25 * 0.05) /* under 5% of a CPU */
            return 0;
        before = now;
    }
    return -ETIMEDOUT;
}

const char *hp_browser_version(const struct hp_browser *b)
{
    return b->version;
}

int hp_browser_pid(const struct hp_browser *b)
{
    return (int)b->pid;
}

/* Move fd to at least `min` (so dup2 onto 3 and 4 clobbers nothing). */
static int high_fd(int fd)
{
    return fcntl(fd, F_DUPFD_CLOEXEC, 10);
}

static int spawn(struct hp_browser *b, const char *exe, bool insecure, struct hp_err *err)
{
    int to[2] = {-1, -1}, from[2] = {-1, -1}, in[2] = {-1, -1};
    char udd[PATH_MAX + 32], logp[PATH_MAX + 16];
    snprintf(udd, sizeof udd, "--user-data-dir=%s", b->dir);
    snprintf(logp, sizeof logp, "%s/browser.log", b->dir);
    const char *argv[40];
    int n = 0;
    argv[n++] = exe;
    argv[n++] = "--headless=new";
    argv[n++] = "--remote-debugging-pipe";
    argv[n++] = udd;
    argv[n++] = "--no-first-run";
    argv[n++] = "--no-default-browser-check";
    argv[n++] = "--disable-gpu";
    argv[n++] = "--disable-extensions";
    argv[n++] = "--disable-background-networking";
    argv[n++] = "--disable-component-update";
    argv[n++] = "--disable-default-apps";
    argv[n++] = "--disable-sync";
    argv[n++] = "--disable-breakpad";
    argv[n++] = "--disable-domain-reliability";
    argv[n++] = "--disable-renderer-backgrounding";
    argv[n++] = "--disable-background-timer-throttling";
    argv[n++] = "--disable-backgrounding-occluded-windows";
    argv[n++] = "--disable-features=Translate,MediaRouter,OptimizationHints,"
                "InterestFeedContentSuggestions,AutofillServerCommunication";
    argv[n++] = "--metrics-recording-only";
    argv[n++] = "--mute-audio";
    argv[n++] = "--password-store=basic";
    argv[n++] = "--hide-scrollbars";
    if (geteuid() == 0)
        argv[n++] = "--no-sandbox"; /* Chromium refuses to run as root with it */
    if (insecure)
        argv[n++] = "--ignore-certificate-errors";
    argv[n++] = "about:blank";
    argv[n] = NULL;

    int logfd = open(logp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (logfd < 0)
        return hp_err_set(err, -errno, "%s: %s", logp, strerror(errno));
    if (pipe2(to, O_CLOEXEC) < 0 || pipe2(from, O_CLOEXEC) < 0 || pipe2(in, O_CLOEXEC) < 0) {
        int e = errno;
        close(logfd);
        for (int i = 0; i < 2; i++) {
            if (to[i] >= 0)
                close(to[i]);
            if (from[i] >= 0)
                close(from[i]);
            if (in[i] >= 0)
                close(in[i]);
        }
        return hp_err_set(err, -e, "pipe: %s", strerror(e));
    }
    /* the child's ends above 10, so that placing them at 3 and 4 is safe */
    int child_in = high_fd(to[0]), child_out = high_fd(from[1]);
    close(to[0]);
    close(from[1]);
    pid_t parent = getpid();
    pid_t pid = child_in >= 0 && child_out >= 0 ? fork() : -1;
    if (pid == 0) {
        /* only async-signal-safe calls until exec */
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        if (dup2(in[0], 0) < 0 || dup2(logfd, 1) < 0 || dup2(logfd, 2) < 0 ||
            dup2(child_in, 3) < 0 || dup2(child_out, 4) < 0)
            _exit(127);
        close_range(5, ~0U, 0);
        execv(exe, (char *const *)argv);
        _exit(127);
    }
    int e = errno;
    close(logfd);
    close(in[0]);
    close(in[1]);
    if (child_in >= 0)
        close(child_in);
    if (child_out >= 0)
        close(child_out);
    if (pid < 0) {
        close(to[1]);
        close(from[0]);
        return hp_err_set(err, -e, "starting %s: %s", exe, strerror(e));
    }
    setpgid(pid, pid); /* as the child did: whichever runs first */
    b->pid = pid;
    b->to_fd = to[1];
    b->from_fd = from[0];
    return 0;
}

int hp_browser_launch(const struct hp_browser_opts *o, struct hp_browser **out,
                      struct hp_err *err)
{
    char exe[PATH_MAX];
    *out = NULL;
    if (!find_browser(o->path, exe, sizeof exe)) {
        if (o->path || getenv("HOTPATH_BROWSER"))
            return hp_err_set(err, -ENOENT, "%s: no such browser (or not executable)",
                              o->path ? o->path : getenv("HOTPATH_BROWSER"));
        return hp_err_set(err, -ENOENT,
                          "no Chromium found on PATH (install the chromium package, or give "
                          "--browser PATH)");
    }
    struct hp_browser *b = hp_calloc(1, sizeof *b);
    if (!b)
        return hp_err_set(err, -ENOMEM, "out of memory");
    b->pid = -1;
    b->status = -1;
    b->to_fd = b->from_fd = -1;
    b->stop = o->stop;
    hp_cdp_reader_init(&b->rd, 0);
    const char *tmp = getenv("TMPDIR");
    snprintf(b->dir, sizeof b->dir, "%s/hotpath-browser-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(b->dir)) {
        int e = errno;
        b->dir[0] = '\0';
        hp_browser_close(b);
        return hp_err_set(err, -e, "a profile directory in %s: %s", tmp ? tmp : "/tmp",
                          strerror(e));
    }
    int rc = spawn(b, exe, o->insecure, err);
    if (rc < 0) {
        hp_browser_close(b);
        return rc;
    }
    int64_t limit = o->start_timeout_ns > 0 ? o->start_timeout_ns : HP_BROWSER_START_TIMEOUT_NS;
    json_t *res = NULL;
    rc = hp_browser_call(b, "Browser.getVersion", NULL, NULL, hp_now_ns() + limit, &res, err);
    if (rc < 0) {
        char why[HP_ERR_MSG_MAX];
        snprintf(why, sizeof why, "%s", err ? err->msg : "");
        hp_browser_close(b);
        return hp_err_set(err, rc, "%s did not start: %s", exe, why);
    }
    snprintf(b->version, sizeof b->version, "%s",
             json_string_value(json_object_get(res, "product")) ?: "unknown");
    json_decref(res);
    *out = b;
    return 0;
}

void hp_browser_close(struct hp_browser *b)
{
    if (!b)
        return;
    if (b->pid > 0 && !b->gone) {
        struct hp_err e;
        volatile sig_atomic_t *stop = b->stop;
        b->stop = NULL; /* close even after Ctrl-C */
        hp_browser_call(b, "Browser.close", NULL, NULL, hp_now_ns() + CLOSE_GRACE_NS / 2, NULL,
                        &e);
        b->stop = stop;
        int64_t until = hp_now_ns() + CLOSE_GRACE_NS;
        while (b->status == -1 && hp_now_ns() < until) {
            reap(b, false);
            if (b->status == -1) {
                struct timespec ts = {0, 10 * 1000000};
                nanosleep(&ts, NULL);
            }
        }
    }
    if (b->pid > 0) {
        kill(-b->pid, SIGKILL); /* what it started, and itself if it hung */
        reap(b, true);
    }
    if (b->to_fd >= 0)
        close(b->to_fd);
    if (b->from_fd >= 0)
        close(b->from_fd);
    hp_browser_drain(b);
    for (int i = 0; i < b->n_early; i++)
        json_decref(b->early[i]);
    hp_free(b->q);
    hp_cdp_reader_fini(&b->rd);
    if (b->dir[0])
        nftw(b->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    hp_free(b);
}
