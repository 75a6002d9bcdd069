// SPDX-License-Identifier: MIT
/* bench/spawn.c - see spawn.h. */
#include "bench/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/clock.h"

extern char **environ;

#define HP_SPAWN_FIELDS 12 /* src/hotpath_spawn.c's answer */

struct hp_spawner {
    struct hp_spawn_io io;
    int null_fd;
    pid_t helper;        /* hotpath-spawn, or 0: commands start from here */
    int sock;            /* its fd 3 */
    int out_pipe;        /* HP_OUT_PIPE: what the commands print, read and dropped */
    char last_name[256]; /* the PATH lookup kept: name and where it is */
    char last_path[PATH_MAX];
};

/* hotpath-spawn: $HOTPATH_SPAWN, or beside this program. Started with the
 * streams the commands should have; on failure commands start from here. */
static void start_helper(struct hp_spawner *s)
{
    char path[PATH_MAX];
    const char *env = getenv("HOTPATH_SPAWN");
    if (env && *env) {
        if (strcmp(env, "none") == 0)
            return;
        snprintf(path, sizeof path, "%s", env);
    } else {
        ssize_t n = readlink("/proc/self/exe", path, sizeof path - 32);
        if (n <= 0)
            return;
        path[n] = '\0';
        char *slash = strrchr(path, '/');
        if (!slash)
            return;
        strcpy(slash + 1, "hotpath-spawn");
    }
    if (access(path, X_OK) != 0)
        return;
    int sv[2], pp[2] = {-1, -1};
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        return;
    if (s->io.output == HP_OUT_PIPE && pipe2(pp, O_CLOEXEC) < 0) {
        close(sv[0]);
        close(sv[1]);
        return;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, s->null_fd, 0);
    int out = s->io.output == HP_OUT_PIPE      ? pp[1]
              : s->io.output == HP_OUT_INHERIT ? -1
                                               : s->null_fd;
    if (out >= 0) {
        posix_spawn_file_actions_adddup2(&fa, out, 1);
        posix_spawn_file_actions_adddup2(&fa, out, 2);
    }
    posix_spawn_file_actions_adddup2(&fa, sv[1], 3);
    char *argv[6];
    int k = 0;
    argv[k++] = path;
    if (s->io.input) {
        argv[k++] = (char *)"--input";
        argv[k++] = (char *)s->io.input;
    }
    if (s->io.output == HP_OUT_FILE) {
        argv[k++] = (char *)"--output";
        argv[k++] = (char *)s->io.output_path;
    }
    argv[k] = NULL;
    pid_t pid;
    int rc = posix_spawn(&pid, path, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(sv[1]);
    if (pp[1] >= 0)
        close(pp[1]);
    if (rc != 0) {
        close(sv[0]);
        if (pp[0] >= 0)
            close(pp[0]);
        return;
    }
    s->helper = pid;
    s->sock = sv[0];
    s->out_pipe = pp[0];
}

static void fill(struct hp_run *out, const int64_t *ans)
{
    memset(out, 0, sizeof *out);
    out->wall_s = (double)ans[0] / 1e9;
    out->user_s = (double)ans[1] / 1e9;
    out->system_s = (double)ans[2] / 1e9;
    out->max_rss_bytes = ans[3] * 1024;
    out->voluntary_cs = ans[4];
    out->involuntary_cs = ans[5];
    out->minor_faults = ans[6];
    out->major_faults = ans[7];
    out->exit_code = (int)ans[8];
    out->signal = (int)ans[9];
}

/* count runs through the helper, each handed to each() as its answer comes.
 * Between reads hotpath sleeps a little, so that the helper and the command
 * are not preempted to wake it for every answer. */
static int helper_repeat(struct hp_spawner *s, const char *path, char *const argv[], int64_t count,
                         bool stop_on_fail, hp_spawn_each each, void *ud, struct hp_err *err)
{
    size_t len = 8 + strlen(path) + 1;
    for (int i = 0; argv[i]; i++)
        len += strlen(argv[i]) + 1;
    if (len > (4u << 20))
        return hp_err_set(err, -E2BIG, "'%s': the command line is too long", argv[0]);
    char *req = hp_malloc(len + 4);
    if (!req)
        return hp_err_set(err, -ENOMEM, "out of memory");
    uint32_t head[3] = {(uint32_t)len, (uint32_t)(count > UINT32_MAX ? UINT32_MAX : count),
                        stop_on_fail ? 1u : 0u};
    memcpy(req, head, sizeof head);
    size_t at = sizeof head;
    memcpy(req + at, path, strlen(path) + 1);
    at += strlen(path) + 1;
    for (int i = 0; argv[i]; i++) {
        memcpy(req + at, argv[i], strlen(argv[i]) + 1);
        at += strlen(argv[i]) + 1;
    }
    ssize_t w = 0;
    for (size_t done = 0; done < at; done += (size_t)w)
        if ((w = write(s->sock, req + done, at - done)) < 0 && errno != EINTR)
            break;
        else if (w < 0)
            w = 0;
    hp_free(req);
    if (w < 0)
        return hp_err_set(err, -EPIPE, "hotpath-spawn went away");
    int64_t ans[64][HP_SPAWN_FIELDS];
    size_t got = 0;
    bool last = false, told = false;
    int rc = 0;
    while (!last) {
        struct pollfd pf[2] = {{.fd = s->sock, .events = POLLIN},
                               {.fd = s->out_pipe, .events = POLLIN}};
        if (poll(pf, s->out_pipe >= 0 ? 2 : 1, -1) < 0 && errno != EINTR)
            return hp_err_set(err, -errno, "poll: %s", strerror(errno));
        if (s->out_pipe >= 0 && (pf[1].revents & (POLLIN | POLLHUP))) {
            char buf[16384];
            if (read(s->out_pipe, buf, sizeof buf) == 0) {
                close(s->out_pipe);
                s->out_pipe = -1;
            }
        }
        if (pf[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t n = read(s->sock, (char *)ans + got, sizeof ans - got);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return hp_err_set(err, -EPIPE, "hotpath-spawn went away");
            got += (size_t)n;
            size_t whole = got / sizeof ans[0];
            for (size_t k = 0; k < whole && !last; k++) {
                last = ans[k][11] != 0;
                if (ans[k][10] == ECANCELED)
                    continue; /* stopped: no run */
                if (ans[k][10] != 0 && rc == 0) {
                    rc = hp_err_set(err, (int)-ans[k][10], "'%s': %s", argv[0],
                                    strerror((int)ans[k][10]));
                    continue;
                }
                struct hp_run r;
                fill(&r, ans[k]);
                if (rc == 0 && !each(ud, &r) && !told && !last) {
                    kill(s->helper, SIGINT); /* stop after the run under way */
                    told = true;
                }
            }
            memmove(ans, (char *)ans + whole * sizeof ans[0], got - whole * sizeof ans[0]);
            got -= whole * sizeof ans[0];
        }
        if (!last && count > 1) {
            struct timespec nap = {0, 5000000};
            nanosleep(&nap, NULL);
        }
    }
    return rc;
}

int hp_spawner_new(const struct hp_spawn_io *io, struct hp_spawner **out, struct hp_err *err)
{
    struct hp_spawner *s = hp_calloc(1, sizeof *s);
    if (!s)
        return hp_err_set(err, -ENOMEM, "out of memory");
    s->io = *io;
    s->null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (s->null_fd < 0) {
        int e = -errno;
        hp_free(s);
        return hp_err_set(err, e, "/dev/null: %s", strerror(-e));
    }
    s->sock = s->out_pipe = -1;
    start_helper(s);
    *out = s;
    return 0;
}

void hp_spawner_free(struct hp_spawner *s)
{
    if (!s)
        return;
    if (s->helper > 0) {
        close(s->sock); /* it reads the end and leaves */
        while (waitpid(s->helper, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    if (s->out_pipe >= 0)
        close(s->out_pipe);
    close(s->null_fd);
    hp_free(s);
}

bool hp_spawner_helped(const struct hp_spawner *s)
{
    return s->helper > 0;
}

/* execvp's search, done here once per name instead of in every child. */
static int lookup(struct hp_spawner *s, const char *name, const char **path)
{
    if (strchr(name, '/')) {
        *path = name;
        return 0;
    }
    if (strcmp(name, s->last_name) == 0) {
        *path = s->last_path;
        return 0;
    }
    if (strlen(name) >= sizeof s->last_name || !*name)
        return -ENOENT;
    const char *p = getenv("PATH");
    if (!p)
        p = "/usr/local/bin:/usr/bin:/bin";
    int found = -ENOENT;
    while (*p) {
        const char *end = strchr(p, ':');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char cand[PATH_MAX];
        if (snprintf(cand, sizeof cand, "%.*s%s%s", (int)len, p, len ? "/" : "./", name) <
            (int)sizeof cand) {
            struct stat st;
            if (stat(cand, &st) == 0 && S_ISREG(st.st_mode)) {
                if (access(cand, X_OK) == 0) {
                    snprintf(s->last_path, sizeof s->last_path, "%s", cand);
                    snprintf(s->last_name, sizeof s->last_name, "%s", name);
                    *path = s->last_path;
                    return 0;
                }
                found = -EACCES;
            }
        }
        p += len + (end != NULL);
        if (!end)
            break;
    }
    return found;
}

/* lookup, and what was wrong in err */
static int resolve(struct hp_spawner *s, const char *name, const char **path, struct hp_err *err)
{
    int rc = lookup(s, name, path);
    if (rc < 0)
        return hp_err_set(err, rc, "'%s': %s", name,
                          rc == -ENOENT ? "no such program (not found in PATH)" : strerror(-rc));
    return 0;
}

static int64_t tv_ns(struct timeval tv)
{
    return (int64_t)tv.tv_sec * 1000000000 + (int64_t)tv.tv_usec * 1000;
}

static bool keep_one(void *ud, const struct hp_run *r)
{
    *(struct hp_run *)ud = *r;
    return true;
}

int hp_spawn_run(struct hp_spawner *s, char *const argv[], struct hp_run *out, struct hp_err *err)
{
    const char *path;
    int rc = resolve(s, argv[0], &path, err);
    if (rc < 0)
        return rc;
    if (s->helper > 0)
        return helper_repeat(s, path, argv, 1, false, keep_one, out, err);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    int pipefd[2] = {-1, -1};
    if (s->io.input)
        posix_spawn_file_actions_addopen(&fa, 0, s->io.input, O_RDONLY, 0);
    else
        posix_spawn_file_actions_adddup2(&fa, s->null_fd, 0);
    switch (s->io.output) {
    case HP_OUT_NULL:
        posix_spawn_file_actions_adddup2(&fa, s->null_fd, 1);
        posix_spawn_file_actions_adddup2(&fa, s->null_fd, 2);
        break;
    case HP_OUT_PIPE:
        if (pipe2(pipefd, O_CLOEXEC) < 0) {
            rc = -errno;
            posix_spawn_file_actions_destroy(&fa);
            return hp_err_set(err, rc, "a pipe: %s", strerror(-rc));
        }
        posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
        posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
        break;
    case HP_OUT_FILE:
        posix_spawn_file_actions_addopen(&fa, 1, s->io.output_path, O_WRONLY | O_CREAT | O_TRUNC,
                                         0644);
        posix_spawn_file_actions_adddup2(&fa, 1, 2);
        break;
    case HP_OUT_INHERIT: break;
    }
    pid_t pid;
    int64_t t0 = hp_now_ns();
    rc = posix_spawn(&pid, path, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (pipefd[1] >= 0)
        close(pipefd[1]);
    if (rc != 0) {
        if (pipefd[0] >= 0)
            close(pipefd[0]);
        if (rc == ENOENT && s->io.input)
            return hp_err_set(err, -rc, "'%s' or --input %s: %s", argv[0], s->io.input,
                              strerror(rc));
        return hp_err_set(err, -rc, "'%s': %s", argv[0], strerror(rc));
    }
    if (pipefd[0] >= 0) {
        char buf[16384];
        ssize_t n;
        while ((n = read(pipefd[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
            ;
        close(pipefd[0]);
    }
    int status;
    struct rusage ru;
    pid_t w;
    while ((w = wait4(pid, &status, 0, &ru)) < 0 && errno == EINTR)
        ;
    int64_t t1 = hp_now_ns();
    if (w < 0) {
        rc = -errno;
        return hp_err_set(err, rc, "waiting for '%s': %s", argv[0], strerror(-rc));
    }
    memset(out, 0, sizeof *out);
    out->wall_s = (double)(t1 - t0) / 1e9;
    out->user_s = (double)tv_ns(ru.ru_utime) / 1e9;
    out->system_s = (double)tv_ns(ru.ru_stime) / 1e9;
    out->max_rss_bytes = (int64_t)ru.ru_maxrss * 1024;
    out->voluntary_cs = ru.ru_nvcsw;
    out->involuntary_cs = ru.ru_nivcsw;
    out->minor_faults = ru.ru_minflt;
    out->major_faults = ru.ru_majflt;
    if (WIFSIGNALED(status)) {
        out->exit_code = -1;
        out->signal = WTERMSIG(status);
    } else {
        out->exit_code = WEXITSTATUS(status);
    }
    return 0;
}

int64_t hp_spawn_rss_floor(const struct hp_spawner *s)
{
    char path[64];
    if (s->helper > 0)
        snprintf(path, sizeof path, "/proc/%d/status", (int)s->helper);
    else
        snprintf(path, sizeof path, "/proc/self/status");
    FILE *f = fopen(path, "re");
    if (!f)
        return 0;
    char line[256];
    long long kb = 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %lld kB", &kb) == 1)
            break;
    fclose(f);
    return (int64_t)kb * 1024;
}

int hp_spawn_repeat(struct hp_spawner *s, char *const argv[], int64_t count, bool stop_on_fail,
                    hp_spawn_each each, void *ud, struct hp_err *err)
{
    if (s->helper > 0) {
        const char *path;
        int rc = resolve(s, argv[0], &path, err);
        if (rc < 0)
            return rc;
        return helper_repeat(s, path, argv, count, stop_on_fail, each, ud, err);
    }
    for (int64_t k = 0; k < count; k++) {
        struct hp_run r;
        int rc = hp_spawn_run(s, argv, &r, err);
        if (rc < 0)
            return rc;
        if (!each(ud, &r) || (stop_on_fail && !hp_run_ok(&r)))
            break;
    }
    return 0;
}

int hp_spawn_which(struct hp_spawner *s, const char *name, struct hp_err *err)
{
    const char *path;
    int rc = resolve(s, name, &path, err);
    if (rc == 0 && strchr(name, '/') && access(name, X_OK) != 0)
        return hp_err_set(err, -errno, "'%s': %s", name, strerror(errno));
    return rc;
}
