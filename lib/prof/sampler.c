// SPDX-License-Identifier: MIT
/* prof/sampler.c - see sampler.h. */
#include "prof/sampler.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xxhash.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/u64map.h"
#include "prof/symbols.h"

#define RING_PAGES 128 /* 512 KiB a CPU: a second of 999 Hz samples 127 frames deep */
#define MAX_CPUS 1024
#define MAX_COMMS 4096

/* A distinct raw stack: the process, the callchain as the kernel gave it
 * (context markers and all), and how many samples had it. */
struct raw {
    uint64_t hash, count;
    uint64_t preempted; /* off-CPU: ns spent runnable, not blocked */
    uint64_t off; /* in ips */
    uint32_t nr;
    int pid;
};

struct comm {
    int pid;
    char name[24]; /* the kernel's 16, or "pid N" */
};

struct state {
    struct raw *raw;
    size_t nraw, raw_cap;
    uint64_t *ips;
    size_t nips, ips_cap;
    struct hp_u64map index; /* hash (+ probe) -> raw */
    struct comm comms[MAX_COMMS];
    int ncomms;
    struct hp_syms *syms;
    uint64_t samples, lost;
    /* off-CPU: switches out (with their stack) and in, paired at the end
     * by thread in time order (a thread may leave on one CPU's ring and
     * come back on another's) */
    bool off_cpu;
    struct swev {
        uint64_t time;
        uint32_t tid, raw; /* raw: the stack of a switch out */
        uint8_t kind;      /* SW_FLAG (preempted?), SW_OUT (the stack), SW_IN */
        uint8_t preempt;
    } *ev;
    size_t nev, ev_cap;
    /* the ring buffers: one per CPU */
    struct ring {
        int fd;
        void *base;
        size_t size; /* data area */
    } rings[MAX_CPUS];
    int nrings;
    int *fds;
    size_t nfds, fds_cap;
    unsigned char wrap[65536]; /* a record split by the ring's end */
    /* CPU-wide (-p as root): the events see every process; these are the
     * ones followed, the target and the processes it starts (fork records) */
    bool wide;
    int *pids;
    size_t npids, pids_cap;
};

static bool followed(const struct state *st, int pid)
{
    if (!st->wide)
        return true;
    for (size_t i = 0; i < st->npids; i++)
        if (st->pids[i] == pid)
            return true;
    return false;
}

static int follow(struct state *st, int pid)
{
    if (followed(st, pid) && st->npids > 0)
        return 0;
    if (st->npids == st->pids_cap) {
        size_t cap = st->pids_cap ? 2 * st->pids_cap : 16;
        int *p = hp_realloc(st->pids, cap * sizeof *p);
        if (!p)
            return -ENOMEM;
        st->pids = p;
        st->pids_cap = cap;
    }
    st->pids[st->npids++] = pid;
    return 0;
}

static long perf_event_open(struct perf_event_attr *a, pid_t pid, int cpu, int group,
                            unsigned long flags)
{
    return syscall(SYS_perf_event_open, a, pid, cpu, group, flags);
}

/* ---- raw stacks -------------------------------------------------------- */

enum { SW_FLAG, SW_OUT, SW_IN };
#define MAX_SWITCHES 20000000 /* 480 MB of events at most */

/* Add weight to the raw stack, made if new; its index into *at. */
static int raw_add_w(struct state *st, int pid, const uint64_t *ips, uint32_t nr,
                     uint64_t weight, uint32_t *at);

static int raw_add(struct state *st, int pid, const uint64_t *ips, uint32_t nr)
{
    uint32_t at;
    return raw_add_w(st, pid, ips, nr, 1, &at);
}

static int raw_add_w(struct state *st, int pid, const uint64_t *ips, uint32_t nr,
                     uint64_t weight, uint32_t *at)
{
    uint64_t h = XXH3_64bits_withSeed(ips, nr * sizeof *ips, (uint64_t)(unsigned)pid);
    for (;; h++) { /* a 64-bit hash clash probes on to the next key */
        uint32_t i = hp_u64map_get(&st->index, h);
        if (i == HP_U64MAP_NONE)
            break;
        struct raw *r = &st->raw[i];
        if (r->pid == pid && r->nr == nr && memcmp(st->ips + r->off, ips, nr * sizeof *ips) == 0) {
            r->count += weight;
            *at = i;
            return 0;
        }
    }
    if (HP_GROW(st->raw, st->raw_cap, st->nraw + 1, 4096) < 0 ||
        HP_GROW(st->ips, st->ips_cap, st->nips + nr, 65536) < 0)
        return -ENOMEM;
    if (hp_u64map_put(&st->index, h, (uint32_t)st->nraw) < 0)
        return -ENOMEM;
    memcpy(st->ips + st->nips, ips, nr * sizeof *ips);
    *at = (uint32_t)st->nraw;
    st->raw[st->nraw++] = (struct raw){h, weight, 0, st->nips, nr, pid};
    st->nips += nr;
    return 0;
}

static int sw_add(struct state *st, uint64_t time, uint32_t tid, uint32_t raw, int kind,
                  bool preempt)
{
    if (st->nev >= MAX_SWITCHES) {
        st->lost++;
        return 0;
    }
    if (HP_GROW(st->ev, st->ev_cap, st->nev + 1, 65536) < 0)
        return -ENOMEM;
    st->ev[st->nev++] = (struct swev){time, tid, raw, (uint8_t)kind, preempt};
    return 0;
}

static int cmp_swev(const void *a, const void *b)
{
    const struct swev *x = a, *y = b;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    return (x->kind > y->kind) - (x->kind < y->kind);
}

/* Pair each thread's switch out with its next switch in: the time between
 * is the stack's, blocked or (preempted) runnable. */
static void pair_switches(struct state *st, struct hp_prof_result *res)
{
    if (st->nev == 0) /* nothing switched (or the profile was stopped at once) */
        return;
    qsort(st->ev, st->nev, sizeof *st->ev, cmp_swev);
    struct hp_u64map pend; /* tid -> index of its pending switch out */
    if (hp_u64map_init(&pend) < 0)
        return;
    for (size_t i = 0; i < st->nev; i++) {
        struct swev *e = &st->ev[i];
        uint32_t p = hp_u64map_get(&pend, e->tid);
        bool pending = p != HP_U64MAP_NONE && st->ev[p].kind == SW_OUT;
        if (e->kind == SW_OUT) {
            if (hp_u64map_put(&pend, e->tid, (uint32_t)i) < 0)
                break;
            res->switches++;
        } else if (e->kind == SW_FLAG) {
            /* the switch record and the sample come nanoseconds apart,
             * either first: the flag marks the out it is nearest */
            if (pending && e->time - st->ev[p].time < 100000)
                st->ev[p].preempt = e->preempt;
            else if (i + 1 < st->nev && st->ev[i + 1].tid == e->tid &&
                     st->ev[i + 1].kind == SW_OUT && st->ev[i + 1].time - e->time < 100000)
                st->ev[i + 1].preempt = e->preempt;
        } else if (pending) {
            struct swev *out = &st->ev[p];
            uint64_t dt = e->time - out->time;
            struct raw *r = &st->raw[out->raw];
            if (out->preempt) {
                r->preempted += dt;
                res->preempted_ns += dt;
            } else {
                r->count += dt;
                res->off_cpu_ns += dt;
            }
            out->kind = 0xff; /* paired */
        }
    }
    hp_u64map_fini(&pend);
}

static void comm_set(struct state *st, int pid, const char *name)
{
    int i = 0;
    while (i < st->ncomms && st->comms[i].pid != pid)
        i++;
    if (i == MAX_COMMS)
        return;
    if (i == st->ncomms)
        st->ncomms++;
    st->comms[i].pid = pid;
    size_t n = strnlen(name, sizeof st->comms[i].name - 1);
    memcpy(st->comms[i].name, name, n);
    st->comms[i].name[n] = '\0';
}

static const char *comm_of(struct state *st, int pid)
{
    for (int i = 0; i < st->ncomms; i++)
        if (st->comms[i].pid == pid)
            return st->comms[i].name;
    char path[64], name[32] = "";
    snprintf(path, sizeof path, "/proc/%d/comm", pid);
    FILE *f = fopen(path, "re");
    if (f && fgets(name, sizeof name, f))
        name[strcspn(name, "\n")] = '\0';
    if (f)
        fclose(f);
    if (!name[0])
        snprintf(name, sizeof name, "pid %d", pid);
    comm_set(st, pid, name);
    return comm_of(st, pid);
}

/* ---- the ring buffers -------------------------------------------------- */

static int record(struct state *st, const struct perf_event_header *h)
{
    const unsigned char *p = (const unsigned char *)(h + 1);
    size_t body = h->size - sizeof *h;
    switch (h->type) {
    case PERF_RECORD_SAMPLE: { /* ip, pid/tid, [time (off-CPU),] nr, ips[nr] */
        size_t at_nr = st->off_cpu ? 24 : 16;
        if (body < at_nr + 8)
            return 0;
        uint32_t pid, tid;
        uint64_t time = 0, nr;
        memcpy(&pid, p + 8, 4);
        memcpy(&tid, p + 12, 4);
        if (st->off_cpu)
            memcpy(&time, p + 16, 8);
        memcpy(&nr, p + at_nr, 8);
        if (nr > (body - at_nr - 8) / 8 || !followed(st, (int)pid))
            return 0;
        st->samples++;
        uint64_t ips[PERF_MAX_STACK_DEPTH + 8];
        if (nr > sizeof ips / sizeof ips[0])
            nr = sizeof ips / sizeof ips[0];
        memcpy(ips, p + at_nr + 8, nr * 8);
        if (nr == 0) { /* no callchain: the ip alone */
            memcpy(ips, p, 8);
            nr = 1;
        }
        if (!st->off_cpu)
            return raw_add(st, (int)pid, ips, (uint32_t)nr);
        uint32_t at; /* a switch out, with its stack */
        int rc = raw_add_w(st, (int)pid, ips, (uint32_t)nr, 0, &at);
        return rc < 0 ? rc : sw_add(st, time, tid, at, SW_OUT, false);
    }
    case PERF_RECORD_MMAP: { /* pid, tid, addr, len, pgoff, filename */
        if (body < 33)
            return 0;
        uint32_t pid;
        uint64_t addr, len, pgoff;
        memcpy(&pid, p, 4);
        memcpy(&addr, p + 8, 8);
        memcpy(&len, p + 16, 8);
        memcpy(&pgoff, p + 24, 8);
        if (!followed(st, (int)pid))
            return 0;
        char name[4096];
        size_t n = body - 32 < sizeof name - 1 ? body - 32 : sizeof name - 1;
        memcpy(name, p + 32, n);
        name[n] = '\0';
        return hp_syms_add_map(st->syms, (int)pid, addr, len, pgoff, name);
    }
    case PERF_RECORD_COMM: { /* pid, tid, comm */
        if (body < 9)
            return 0;
        uint32_t pid, tid;
        memcpy(&pid, p, 4);
        memcpy(&tid, p + 4, 4);
        char name[17];
        size_t n = body - 8 < 16 ? body - 8 : 16;
        memcpy(name, p + 8, n);
        name[n] = '\0';
        if (pid == tid && followed(st, (int)pid)) /* the process's name, not a thread's */
            comm_set(st, (int)pid, name);
        return 0;
    }
    case PERF_RECORD_FORK: { /* pid, ppid, tid, ptid, time: a process the target starts */
        if (!st->wide || body < 16)
            return 0;
        uint32_t pid, ppid;
        memcpy(&pid, p, 4);
        memcpy(&ppid, p + 4, 4);
        if (pid != ppid && followed(st, (int)ppid)) {
            int rc = follow(st, (int)pid);
            if (rc == 0)
                hp_syms_read_maps(st->syms, (int)pid); /* its parent's, inherited */
            return rc;
        }
        return 0;
    }
    case PERF_RECORD_SWITCH: { /* sample_id: pid/tid, time */
        if (!st->off_cpu || body < 16)
            return 0;
        uint32_t tid;
        uint64_t time;
        memcpy(&tid, p + 4, 4);
        memcpy(&time, p + 8, 8);
        if (h->misc & PERF_RECORD_MISC_SWITCH_OUT)
            return sw_add(st, time, tid, 0, SW_FLAG,
                          (h->misc & PERF_RECORD_MISC_SWITCH_OUT_PREEMPT) != 0);
        return sw_add(st, time, tid, 0, SW_IN, false);
    }
    case PERF_RECORD_LOST: { /* id, lost */
        if (body >= 16) {
            uint64_t lost;
            memcpy(&lost, p + 8, 8);
            st->lost += lost;
        }
        return 0;
    }
    default: return 0;
    }
}

static int drain(struct state *st, struct ring *r)
{
    struct perf_event_mmap_page *pg = r->base;
    unsigned char *data = (unsigned char *)r->base + pg->data_offset;
    uint64_t head = __atomic_load_n(&pg->data_head, __ATOMIC_ACQUIRE), tail = pg->data_tail;
    int rc = 0;
    while (tail < head && rc == 0) {
        size_t at = tail % r->size;
        struct perf_event_header h;
        for (size_t i = 0; i < sizeof h; i++)
            ((unsigned char *)&h)[i] = data[(at + i) % r->size];
        if (h.size < sizeof h)
            break; /* cannot be: give up on this buffer's rest */
        const struct perf_event_header *rec;
        if (at + h.size <= r->size) {
            rec = (const struct perf_event_header *)(data + at);
        } else { /* split by the end: copied together */
            size_t first = r->size - at;
            memcpy(st->wrap, data + at, first);
            memcpy(st->wrap + first, data, h.size - first);
            rec = (const struct perf_event_header *)st->wrap;
        }
        rc = record(st, rec);
        tail += h.size;
    }
    __atomic_store_n(&pg->data_tail, head, __ATOMIC_RELEASE);
    return rc;
}

/* ---- opening ----------------------------------------------------------- */

static int cpus_online(void)
{
    long n = sysconf(_SC_NPROCESSORS_CONF);
    return n < 1 ? 1 : n > MAX_CPUS ? MAX_CPUS : (int)n;
}

/* The threads of pid, into *out (allocated). How many, or a negative errno. */
static int threads_of(int pid, int **out)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", pid);
    DIR *d = opendir(path);
    if (!d)
        return -errno;
    int n = 0, cap = 64, *v = hp_malloc((size_t)cap * sizeof *v);
    struct dirent *e;
    while (v && (e = readdir(d))) {
        int tid = atoi(e->d_name);
        if (tid <= 0)
            continue;
        if (n == cap) {
            int *w = hp_realloc(v, (size_t)cap * 2 * sizeof *w);
            if (!w) {
                hp_free(v);
                v = NULL;
                break;
            }
            v = w;
            cap *= 2;
        }
        v[n++] = tid;
    }
    closedir(d);
    if (!v)
        return -ENOMEM;
    *out = v;
    return n;
}

static int paranoid(void)
{
    FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "re");
    int v = 2;
    if (f) {
        if (fscanf(f, "%d", &v) != 1)
            v = 2;
        fclose(f);
    }
    return v;
}

static int permission_error(struct hp_err *err, int e, int pid)
{
    int level = paranoid();
    if (e == ESRCH)
        return hp_err_set(err, -ESRCH, "no process %d", pid);
    char path[64];
    struct stat st;
    snprintf(path, sizeof path, "/proc/%d", pid);
    if (pid > 0 && stat(path, &st) == 0 && st.st_uid != geteuid())
        return hp_err_set(err, -e,
                          "perf_event_open on process %d (user %u, not you): %s. Another "
                          "user's process needs root, or CAP_PERFMON with CAP_SYS_PTRACE for "
                          "hotpath (setcap cap_perfmon,cap_sys_ptrace+ep; Yama's "
                          "kernel.yama.ptrace_scope must allow it)",
                          pid, (unsigned)st.st_uid, strerror(e));
    return hp_err_set(err, -e,
                      "perf_event_open: %s (kernel.perf_event_paranoid is %d). Sampling needs "
                      "root, or CAP_PERFMON (Linux 5.8+; CAP_SYS_ADMIN before) for hotpath "
                      "(setcap cap_perfmon+ep), or sysctl kernel.perf_event_paranoid=2 for your "
                      "own processes' user stacks, =1 with their kernel stacks too",
                      strerror(e), level);
}

static int add_fd(struct state *st, int fd)
{
    if (HP_GROW(st->fds, st->fds_cap, st->nfds + 1, 64) < 0)
        return -ENOMEM;
    st->fds[st->nfds++] = fd;
    return 0;
}

/* One event per CPU and thread, a ring per CPU. 0, or a negative errno
 * (err set). attr's exclude_kernel and event may be changed on the way. */
static int open_all(struct state *st, struct perf_event_attr *attr, const int *tids, int ntids,
                    int pid, struct hp_err *err)
{
    int ncpu = cpus_online();
    long page = sysconf(_SC_PAGESIZE);
    for (int c = 0; c < ncpu; c++) {
        int leader = -1;
        for (int t = 0; t < ntids; t++) {
            int fd = (int)perf_event_open(attr, tids[t], c, -1, PERF_FLAG_FD_CLOEXEC);
            if (fd < 0 && c == 0 && t == 0) {
                int e = errno;
                if ((e == ENOENT || e == EOPNOTSUPP || e == EINVAL) &&
                    attr->type == PERF_TYPE_HARDWARE) { /* no cycles here: the clock */
                    attr->type = PERF_TYPE_SOFTWARE;
                    attr->config = PERF_COUNT_SW_CPU_CLOCK;
                    t--;
                    continue;
                }
                if ((e == EACCES || e == EPERM) && !attr->exclude_kernel) { /* user only */
                    attr->exclude_kernel = 1;
                    attr->exclude_callchain_kernel = 1;
                    t--;
                    continue;
                }
                return permission_error(err, e, pid);
            }
            if (fd < 0) {
                if (errno == ESRCH)
                    continue; /* a thread that ended meanwhile */
                if (errno == ENODEV || errno == EINVAL)
                    break; /* a CPU that is offline */
                return hp_err_set(err, -errno, "perf_event_open (CPU %d, thread %d): %s", c,
                                  tids[t], strerror(errno));
            }
            if (add_fd(st, fd) < 0) {
                close(fd);
                return hp_err_set(err, -ENOMEM, "out of memory");
            }
            if (leader < 0) {
                size_t len = (size_t)page * (RING_PAGES + 1);
                void *base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
                if (base == MAP_FAILED)
                    return hp_err_set(err, -errno,
                                      "mmap of the sample buffer: %s (perf_event_mlock_kb too "
                                      "small?)",
                                      strerror(errno));
                st->rings[st->nrings++] = (struct ring){fd, base, (size_t)page * RING_PAGES};
                leader = fd;
            } else if (ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, leader) < 0) {
                return hp_err_set(err, -errno, "PERF_EVENT_IOC_SET_OUTPUT: %s", strerror(errno));
            }
        }
    }
    return st->nrings > 0 ? 0 : hp_err_set(err, -ESRCH, "no thread of %d could be followed", pid);
}

static void close_all(struct state *st)
{
    long page = sysconf(_SC_PAGESIZE);
    for (int i = 0; i < st->nrings; i++)
        munmap(st->rings[i].base, (size_t)page * (RING_PAGES + 1));
    for (size_t i = 0; i < st->nfds; i++)
        close(st->fds[i]);
    st->nrings = 0;
    st->nfds = 0;
}

/* ---- symbolising ------------------------------------------------------- */

static int symbolise(struct state *st, struct hp_prof_result *res)
{
    /* one per call: diagnose names the frames of two profiles at once, on
     * two threads, and a static buffer shared between them mixed one
     * profile's name ids into the other's tree */
    uint32_t frames[HP_STACKS_MAX_DEPTH + 1];
    char buf[512];
    for (size_t i = 0; i < st->nraw; i++) {
        const struct raw *r = &st->raw[i];
        const uint64_t *ips = st->ips + r->off;
        int n = 0, user = 0;
        bool kernel = false, first_user = true;
        uint32_t leaf_first[PERF_MAX_STACK_DEPTH + 8];
        for (uint32_t k = 0; k < r->nr && n < (int)(sizeof leaf_first / sizeof leaf_first[0]);
             k++) {
            uint64_t a = ips[k];
            if (a >= (uint64_t)PERF_CONTEXT_MAX) {
                kernel = a == (uint64_t)PERF_CONTEXT_KERNEL;
                continue;
            }
            const char *name;
            if (kernel) {
                name = hp_syms_kernel(st->syms, a, buf, sizeof buf);
            } else { /* callers' return addresses point after the call: look just before */
                name = hp_syms_user(st->syms, r->pid, first_user ? a : a - 1, buf, sizeof buf);
                first_user = false;
                user++;
            }
            uint32_t id = hp_stacks_intern(&res->stacks, name, strlen(name));
            if (id == UINT32_MAX)
                return -ENOMEM;
            leaf_first[n++] = id;
        }
        if (user > 0) {
            res->user_samples += r->count;
            if (user == 1)
                res->user_shallow += r->count;
        }
        const char *comm = comm_of(st, r->pid);
        int k = 0;
        frames[k] = hp_stacks_intern(&res->stacks, comm, strlen(comm));
        if (frames[k++] == UINT32_MAX)
            return -ENOMEM;
        for (int j = n - 1; j >= 0 && k < HP_STACKS_MAX_DEPTH - 1; j--)
            frames[k++] = leaf_first[j];
        if (r->count > 0 && hp_stacks_add(&res->stacks, frames, k, r->count, 0) < 0)
            return -ENOMEM;
        if (r->preempted > 0) { /* waiting for a CPU, not blocked */
            static const char top[] = "[runnable: preempted]";
            frames[k] = hp_stacks_intern(&res->stacks, top, sizeof top - 1);
            if (frames[k] == UINT32_MAX ||
                hp_stacks_add(&res->stacks, frames, k + 1, r->preempted, 0) < 0)
                return -ENOMEM;
        }
    }
    res->unique_stacks = st->nraw;
    res->kernel_symbols = hp_syms_have_kernel(st->syms);
    return 0;
}

/* ---- running ----------------------------------------------------------- */

static void raise_fd_limit(void)
{
    struct rlimit r;
    if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
        r.rlim_cur = r.rlim_max;
        setrlimit(RLIMIT_NOFILE, &r);
    }
}

void hp_prof_result_fini(struct hp_prof_result *r)
{
    hp_stacks_fini(&r->stacks);
}

int hp_prof_run(const struct hp_prof_opts *o, volatile sig_atomic_t *stop,
                struct hp_prof_result *res, struct hp_err *err)
{
    memset(res, 0, sizeof *res);
    res->exit_status = -1;
    if (hp_stacks_init(&res->stacks) < 0)
        return hp_err_set(err, -ENOMEM, "out of memory");
    struct state *st = hp_calloc(1, sizeof *st);
    int rc = 0, *tids = NULL, ntids = 0, go[2] = {-1, -1};
    pid_t child = -1;
    if (!st || hp_u64map_init(&st->index) < 0 || hp_syms_new(&st->syms) < 0) {
        rc = hp_err_set(err, -ENOMEM, "out of memory");
        goto out;
    }
    raise_fd_limit();
    struct perf_event_attr attr = {
        .size = sizeof attr,
        .type = o->event == HP_PROF_CPU_CLOCK ? PERF_TYPE_SOFTWARE : PERF_TYPE_HARDWARE,
        .config =
            o->event == HP_PROF_CPU_CLOCK ? PERF_COUNT_SW_CPU_CLOCK : PERF_COUNT_HW_CPU_CYCLES,
        .sample_freq = (uint64_t)(o->freq > 0 ? o->freq : 99),
        .freq = 1,
        .sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_CALLCHAIN,
        .mmap = 1,
        .comm = 1,
        .inherit = 1,
        .exclude_hv = 1,
        .exclude_kernel = o->user_only,
        .exclude_callchain_kernel = o->user_only,
        .watermark = 1,
        .wakeup_watermark = RING_PAGES * 4096 / 4,
    };
    if (o->off_cpu) { /* every switch out, with its stack; switch records for the ins */
        attr.type = PERF_TYPE_SOFTWARE;
        attr.config = PERF_COUNT_SW_CONTEXT_SWITCHES;
        attr.freq = 0;
        attr.sample_period = 1;
        attr.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
                           PERF_SAMPLE_CALLCHAIN;
        attr.context_switch = 1;
        attr.sample_id_all = 1;
        attr.use_clockid = 1;
        attr.clockid = CLOCK_MONOTONIC;
        st->off_cpu = true;
        res->off_cpu = true;
    }
    if (o->argv) { /* the command waits for its events before exec */
        if (pipe2(go, O_CLOEXEC) < 0) {
            rc = hp_err_set(err, -errno, "pipe: %s", strerror(errno));
            goto out;
        }
        child = fork();
        if (child < 0) {
            rc = hp_err_set(err, -errno, "fork: %s", strerror(errno));
            goto out;
        }
        if (child == 0) {
            char c;
            close(go[1]);
            if (read(go[0], &c, 1) != 1)
                _exit(127); /* the profiler gave up */
            execvp(o->argv[0], o->argv);
            fprintf(stderr, "hotpath profile: cannot run %s: %s\n", o->argv[0], strerror(errno));
            _exit(127);
        }
        close(go[0]);
        go[0] = -1;
        attr.disabled = 1;
        attr.enable_on_exec = 1;
        static _Thread_local int one[1];
        one[0] = child;
        tids = one;
        ntids = 1;
    } else {
        ntids = threads_of(o->pid, &tids);
        if (ntids < 0) {
            rc = ntids == -ENOENT
                     ? hp_err_set(err, -ESRCH, "no process %d", o->pid)
                     : hp_err_set(err, ntids, "/proc/%d/task: %s", o->pid, strerror(-ntids));
            tids = NULL;
            goto out;
        }
        hp_syms_read_maps(st->syms, o->pid); /* what is mapped already */
    }
    res->threads = ntids;
    if (o->pid && !o->off_cpu && !o->per_thread) {
        /* CPU-wide where allowed (root, CAP_PERFMON, perf_event_paranoid <= 0): events that
         * follow the target's threads cost it at every context switch (7% of a server
         * switching 40,000 times a second), one event a CPU costs nothing there */
        struct perf_event_attr wide = attr;
        wide.inherit = 0;
        wide.task = 1;
        wide.sample_type |= PERF_SAMPLE_TID;
        static const int any[1] = {-1};
        st->wide = true;
        if (follow(st, o->pid) < 0) {
            rc = hp_err_set(err, -ENOMEM, "out of memory");
            goto out;
        }
        struct hp_err werr = {0};
        if (open_all(st, &wide, any, 1, o->pid, &werr) == 0) {
            attr = wide;
            res->cpu_wide = true;
        } else { /* not allowed: per thread */
            close_all(st);
            st->nrings = 0;
            st->nfds = 0;
            st->wide = false;
        }
    }
    if (!res->cpu_wide)
        rc = open_all(st, &attr, tids, ntids, o->pid, err);
    if (rc < 0)
        goto out;
    res->kernel = !attr.exclude_kernel;
    snprintf(res->event, sizeof res->event, "%s",
             o->off_cpu                          ? "off-cpu"
             : attr.type == PERF_TYPE_HARDWARE ? "cycles"
                                                 : "cpu-clock");
    int64_t t0 = hp_now_ns(), end = o->duration_ns > 0 ? t0 + o->duration_ns : INT64_MAX;
    if (child > 0) {
        if (write(go[1], "g", 1) != 1) {
            rc = hp_err_set(err, -errno, "cannot start the command: %s", strerror(errno));
            goto out;
        }
        close(go[1]);
        go[1] = -1;
    }
    struct pollfd pfd[MAX_CPUS];
    for (int i = 0; i < st->nrings; i++)
        pfd[i] = (struct pollfd){.fd = st->rings[i].fd, .events = POLLIN};
    bool done = false, signalled = false;
    while (!done && rc == 0) {
        int64_t now = hp_now_ns();
        if (now >= end || (stop && *stop)) {
            if (child > 0 && !signalled) { /* the command is asked to end, then waited for */
                kill(child, SIGINT);
                signalled = true;
                end = now + 5000000000; /* and killed if it is still there 5 s on */
            } else if (child > 0 && now >= end) {
                kill(child, SIGKILL);
                end = INT64_MAX;
            }
            if (child <= 0)
                break;
        }
        poll(pfd, (nfds_t)st->nrings, 100);
        for (int i = 0; i < st->nrings && rc == 0; i++)
            rc = drain(st, &st->rings[i]);
        if (child > 0) {
            int status;
            if (waitpid(child, &status, WNOHANG) == child) {
                res->exit_status = status;
                child = -1;
                done = true;
            }
        } else if (kill(o->pid, 0) < 0 && errno == ESRCH) {
            done = true; /* the process ended */
        }
    }
    res->elapsed_ns = hp_now_ns() - t0;
    for (int i = 0; i < st->nrings && rc == 0; i++)
        rc = drain(st, &st->rings[i]);
    if (rc < 0)
        hp_err_set(err, rc, "out of memory");
    close_all(st);
    res->samples = st->samples;
    res->lost = st->lost;
    if (rc == 0 && st->off_cpu)
        pair_switches(st, res);
    if (rc == 0 && symbolise(st, res) < 0)
        rc = hp_err_set(err, -ENOMEM, "out of memory");
out:
    if (go[1] >= 0)
        close(go[1]); /* a command still waiting reads nothing and exits */
    if (go[0] >= 0)
        close(go[0]);
    if (child > 0) {
        int status;
        if (rc < 0)
            kill(child, SIGKILL);
        if (waitpid(child, &status, 0) == child)
            res->exit_status = status;
    }
    if (st) {
        close_all(st);
        hp_syms_free(st->syms);
        hp_u64map_fini(&st->index);
        hp_free(st->raw);
        hp_free(st->ev);
        hp_free(st->ips);
        hp_free(st->fds);
        hp_free(st->pids);
        hp_free(st);
    }
    if (!o->argv)
        hp_free(tids);
    return rc;
}
