// SPDX-License-Identifier: MIT
/* src/hotpath_spawn.c - hotpath-spawn, the small process `hotpath bench`
 * starts its commands from. Linux counts a child's peak RSS from the RSS of
 * the process that started it (the old memory map's high-water mark is kept
 * across exec), and hotpath itself holds about 10 MiB of libraries; this
 * program links libc only, so what a command's peak RSS says is the
 * command's own down to about 1 MiB.
 *
 * It is not meant to be run by hand. On fd 3 (a stream socket) it reads
 * requests, each a 32-bit length, a 32-bit run count, 32-bit flags (1: stop
 * at the first run that does not exit 0) and NUL-terminated strings: the
 * program's path, then argv. It starts the program that many times, one
 * after the other, with its own standard streams (or --input FILE /
 * --output FILE, opened afresh for every run), and after each run answers
 * with HP_SPAWN_FIELDS 64-bit numbers: wall ns (CLOCK_MONOTONIC around
 * posix_spawn and wait4), user ns, system ns, peak RSS KiB, voluntary and
 * involuntary context switches, minor and major faults, exit code, signal,
 * the errno of a start that failed, and 1 on the request's last answer.
 * SIGINT (Ctrl-C reaches it with hotpath, or hotpath sends it) ends the
 * request after the run under way. Runs in a row need no word from hotpath
 * in between, so its own wake-ups stay out of the runs' way. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define HP_SPAWN_FIELDS 12
#define MAX_REQUEST (4u << 20)
#define MAX_ARGS 65536

extern char **environ;

static int full(int fd, void *buf, size_t n, int out)
{
    char *p = buf;
    while (n > 0) {
        ssize_t k = out ? write(fd, p, n) : read(fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t tv_ns(struct timeval tv)
{
    return (int64_t)tv.tv_sec * 1000000000 + (int64_t)tv.tv_usec * 1000;
}

static void run(char **args, const char *input, const char *output, posix_spawnattr_t *attr,
                int64_t *ans)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (input)
        posix_spawn_file_actions_addopen(&fa, 0, input, O_RDONLY, 0);
    if (output) {
        posix_spawn_file_actions_addopen(&fa, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_adddup2(&fa, 1, 2);
    }
    posix_spawn_file_actions_addclose(&fa, 3);
    pid_t pid;
    int64_t t0 = now_ns();
    int rc = posix_spawn(&pid, args[0], &fa, attr, args + 1, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        ans[10] = rc;
        return;
    }
    int status;
    struct rusage ru;
    pid_t w;
    while ((w = wait4(pid, &status, 0, &ru)) < 0 && errno == EINTR)
        ;
    int64_t t1 = now_ns();
    if (w < 0) {
        ans[10] = errno;
        return;
    }
    ans[0] = t1 - t0;
    ans[1] = tv_ns(ru.ru_utime);
    ans[2] = tv_ns(ru.ru_stime);
    ans[3] = ru.ru_maxrss;
    ans[4] = ru.ru_nvcsw;
    ans[5] = ru.ru_nivcsw;
    ans[6] = ru.ru_minflt;
    ans[7] = ru.ru_majflt;
    ans[8] = WIFSIGNALED(status) ? -1 : WEXITSTATUS(status);
    ans[9] = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

static volatile sig_atomic_t stop;
static void on_int(int sig)
{
    (void)sig;
    stop = 1;
}

int main(int argc, char **argv)
{
    const char *input = NULL, *output = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--input") == 0)
            input = argv[i + 1];
        else if (strcmp(argv[i], "--output") == 0)
            output = argv[i + 1];
    }
    /* Ctrl-C ends the request after the run under way; the commands get
     * the default actions back (a caught signal's are, at exec). */
    struct sigaction sa = {.sa_handler = on_int};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGTERM, SIG_IGN);
    posix_spawnattr_t attr;
    sigset_t dflt;
    sigemptyset(&dflt);
    sigaddset(&dflt, SIGINT);
    sigaddset(&dflt, SIGTERM);
    posix_spawnattr_init(&attr);
    posix_spawnattr_setsigdefault(&attr, &dflt);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
    char *req = malloc(MAX_REQUEST + 1);
    char **args = malloc((MAX_ARGS + 1) * sizeof *args);
    if (!req || !args)
        return 1;
    for (;;) {
        uint32_t len, count, flags;
        if (full(3, &len, sizeof len, 0) < 0 || len < 8 || len > MAX_REQUEST ||
            full(3, req, len, 0) < 0)
            return 0; /* hotpath went away: done */
        memcpy(&count, req, 4);
        memcpy(&flags, req + 4, 4);
        req[len] = '\0';
        int n = 0;
        for (char *p = req + 8; p < req + len && n < MAX_ARGS; p += strlen(p) + 1)
            args[n++] = p;
        args[n] = NULL;
        for (uint32_t k = 0; k < count; k++) {
            int64_t ans[HP_SPAWN_FIELDS] = {0};
            if (k > 0 && stop)
                count = k; /* told to stop: this answer is the last */
            if (n < 2) {
                ans[10] = EINVAL;
            } else if (count > k) {
                run(args, input, output, &attr, ans);
            } else {
                ans[10] = ECANCELED;
            }
            bool last =
                k + 1 >= count || ans[10] != 0 || ((flags & 1) && (ans[8] != 0 || ans[9] != 0));
            ans[11] = last;
            if (full(3, ans, sizeof ans, 1) < 0)
                return 0;
            if (last) {
                stop = 0;
                break;
            }
        }
    }
}
