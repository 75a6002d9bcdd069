// SPDX-License-Identifier: MIT
/* sys/monitor.c - see monitor.h. Every file is read whole into one buffer
 * per sample; nothing is allocated after hp_mon_new. */
#include "sys/monitor.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/units.h"

#define BUF_BYTES (256 * 1024)

struct disk_raw {
    char name[32];
    uint64_t ios, rd_sec, wr_sec, ms, io_ticks, weighted;
};

struct net_raw {
    char name[32];
    uint64_t rx, tx, drops, errs;
};

struct raw {
    int64_t t_ns;
    uint64_t busy[HP_MON_MAX_CPUS + 1], total[HP_MON_MAX_CPUS + 1]; /* [0]: all CPUs */
    uint64_t psi[3];                                                /* µs, "some total" */
    bool psi_ok[3];
    uint64_t majflt, swap;
    struct disk_raw disks[HP_MON_MAX_DEVS];
    int ndisks;
    struct net_raw nets[HP_MON_MAX_DEVS];
    int nnets;
    uint64_t retrans, out_segs;
    uint64_t proc_ticks, vcs, ivcs;
    bool proc;
    double runq; /* procs_running */
};

#define MAX_THREADS 256

struct thread_ticks {
    int tid;
    uint64_t ticks;
};

struct hp_mon {
    int pid;
    struct thread_ticks threads[2][MAX_THREADS]; /* the last sample's, and this one's */
    int nthreads[2], cur_threads;
    long ticks;
    int ncpu;
    char disk_names[HP_MON_MAX_DEVS][32];
    int ndisk_names;
    bool primed;
    int64_t t0_ns;
    struct raw prev, cur;
    char *buf;
};

/* The file into m->buf, NUL-terminated; its length, or -1. */
static ssize_t slurp(struct hp_mon *m, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t n = 0;
    for (;;) {
        ssize_t r = read(fd, m->buf + n, BUF_BYTES - 1 - n);
        if (r <= 0)
            break;
        n += (size_t)r;
        if (n == BUF_BYTES - 1)
            break;
    }
    close(fd);
    m->buf[n] = '\0';
    return (ssize_t)n;
}

int hp_mon_new(int pid, struct hp_mon **out)
{
    struct hp_mon *m = hp_calloc(1, sizeof *m);
    if (!m || !(m->buf = hp_malloc(BUF_BYTES))) {
        hp_free(m);
        return -ENOMEM;
    }
    m->pid = pid;
    m->ticks = sysconf(_SC_CLK_TCK);
    if (m->ticks <= 0)
        m->ticks = 100;
    if (pid > 0) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/stat", pid);
        if (access(path, R_OK) != 0) {
            hp_mon_free(m);
            return -ESRCH;
        }
    }
    DIR *d = opendir("/sys/block"); /* whole disks: not loop or ram devices */
    struct dirent *e;
    while (d && (e = readdir(d)) && m->ndisk_names < HP_MON_MAX_DEVS) {
        if (e->d_name[0] == '.' || strncmp(e->d_name, "loop", 4) == 0 ||
            strncmp(e->d_name, "ram", 3) == 0 || strlen(e->d_name) >= 32)
            continue;
        strcpy(m->disk_names[m->ndisk_names++], e->d_name);
    }
    if (d)
        closedir(d);
    *out = m;
    return 0;
}

void hp_mon_free(struct hp_mon *m)
{
    if (!m)
        return;
    hp_free(m->buf);
    hp_free(m);
}

/* ---- reading ----------------------------------------------------------- */

static void read_stat(struct hp_mon *m, struct raw *r)
{
    if (slurp(m, "/proc/stat") < 0)
        return;
    m->ncpu = 0;
    for (char *line = m->buf; line && *line;) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (strncmp(line, "cpu", 3) == 0) {
            int idx = 0;
            char *p = line + 3;
            if (*p != ' ') {
                idx = atoi(p) + 1;
                if (idx > HP_MON_MAX_CPUS) {
                    line = next;
                    continue;
                }
                if (idx > m->ncpu)
                    m->ncpu = idx;
            }
            while (*p && *p != ' ')
                p++;
            unsigned long long v[10] = {0};
            sscanf(p, "%llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4],
                   &v[5], &v[6], &v[7]);
            uint64_t idle = v[3] + v[4], total = 0;
            for (int i = 0; i < 8; i++)
                total += v[i];
            r->busy[idx] = total - idle;
            r->total[idx] = total;
        } else if (strncmp(line, "procs_running ", 14) == 0) {
            r->runq = atof(line + 14);
        }
        line = next;
    }
}

static void read_psi(struct hp_mon *m, struct raw *r)
{
    static const char *const files[3] = {"/proc/pressure/cpu", "/proc/pressure/memory",
                                         "/proc/pressure/io"};
    for (int i = 0; i < 3; i++) {
        r->psi_ok[i] = false;
        if (slurp(m, files[i]) < 0)
            continue;
        const char *p = strstr(m->buf, "some ");
        const char *t = p ? strstr(p, "total=") : NULL;
        if (t) {
            r->psi[i] = strtoull(t + 6, NULL, 10);
            r->psi_ok[i] = true;
        }
    }
}

static uint64_t field_after(const char *buf, const char *key)
{
    const char *p = strstr(buf, key);
    return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

static void read_mem(struct hp_mon *m, struct raw *r, struct hp_mon_point *pt)
{
    if (slurp(m, "/proc/meminfo") >= 0) {
        pt->mem_total = (double)field_after(m->buf, "MemTotal:") * 1024;
        pt->mem_available = (double)field_after(m->buf, "MemAvailable:") * 1024;
    }
    if (slurp(m, "/proc/vmstat") >= 0) {
        r->majflt = field_after(m->buf, "\npgmajfault ");
        r->swap = field_after(m->buf, "\npswpin ") + field_after(m->buf, "\npswpout ");
    }
}

static void read_disks(struct hp_mon *m, struct raw *r)
{
    r->ndisks = 0;
    if (slurp(m, "/proc/diskstats") < 0)
        return;
    for (char *line = m->buf; line && *line;) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        unsigned maj, min;
        char name[64];
        unsigned long long f[11] = {0};
        if (sscanf(line, "%u %u %63s %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &maj,
                   &min, name, &f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6], &f[7], &f[8], &f[9],
                   &f[10]) == 14) {
            for (int i = 0; i < m->ndisk_names && r->ndisks < HP_MON_MAX_DEVS; i++)
                if (strcmp(name, m->disk_names[i]) == 0) {
                    struct disk_raw *d = &r->disks[r->ndisks++];
                    strcpy(d->name, m->disk_names[i]);
                    d->ios = f[0] + f[4];
                    d->rd_sec = f[2];
                    d->wr_sec = f[6];
                    d->ms = f[3] + f[7];
                    d->io_ticks = f[9];
                    d->weighted = f[10];
                }
        }
        line = next;
    }
}

static void read_net(struct hp_mon *m, struct raw *r)
{
    r->nnets = 0;
    if (slurp(m, "/proc/net/dev") >= 0) {
        for (char *line = m->buf; line && *line;) {
            char *next = strchr(line, '\n');
            if (next)
                *next++ = '\0';
            char *colon = strchr(line, ':');
            if (colon && r->nnets < HP_MON_MAX_DEVS) {
                *colon = '\0';
                char *name = line;
                while (*name == ' ')
                    name++;
                unsigned long long v[16] = {0};
                if (sscanf(colon + 1,
                           "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
                           &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9],
                           &v[10], &v[11], &v[12], &v[13]) >= 12 &&
                    strlen(name) < 32) {
                    struct net_raw *n = &r->nets[r->nnets++];
                    strcpy(n->name, name);
                    n->rx = v[0];
                    n->tx = v[8];
                    n->errs = v[2] + v[10];
                    n->drops = v[3] + v[11];
                }
            }
            line = next;
        }
    }
    if (slurp(m, "/proc/net/snmp") >= 0) { /* "Tcp: names..." then "Tcp: values..." */
        char *h = strstr(m->buf, "\nTcp: ");
        char *v = h ? strstr(h + 1, "\nTcp: ") : NULL;
        if (h && v) {
            char *he = strchr(h + 1, '\n'), *ve = strchr(v + 1, '\n');
            if (he)
                *he = '\0';
            if (ve)
                *ve = '\0';
            char *hs, *vs, *ht = strtok_r(h + 6, " ", &hs), *vt = strtok_r(v + 6, " ", &vs);
            while (ht && vt) {
                if (strcmp(ht, "RetransSegs") == 0)
                    r->retrans = strtoull(vt, NULL, 10);
                else if (strcmp(ht, "OutSegs") == 0)
                    r->out_segs = strtoull(vt, NULL, 10);
                ht = strtok_r(NULL, " ", &hs);
                vt = strtok_r(NULL, " ", &vs);
            }
        }
    }
}

static bool read_proc(struct hp_mon *m, struct raw *r, struct hp_mon_point *pt)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", m->pid);
    if (slurp(m, path) < 0)
        return false;
    char *p = strrchr(m->buf, ')');
    if (!p)
        return false;
    /* fields from the 3rd (state) on */
    unsigned long long f[20] = {0};
    int k = 0;
    for (char *s = p + 2; *s && k < 20; k++) {
        f[k] = strtoull(s, &s, 10);
        if (k == 0) { /* the state letter */
            while (*s && *s != ' ')
                s++;
        }
        while (*s == ' ')
            s++;
    }
    r->proc_ticks = f[11] + f[12];
    pt->proc_threads = (double)f[17];
    snprintf(path, sizeof path, "/proc/%d/status", m->pid);
    if (slurp(m, path) >= 0) {
        pt->proc_rss = (double)field_after(m->buf, "VmRSS:") * 1024;
        r->vcs = field_after(m->buf, "\nvoluntary_ctxt_switches:");
        r->ivcs = field_after(m->buf, "\nnonvoluntary_ctxt_switches:");
    }
    snprintf(path, sizeof path, "/proc/%d/fd", m->pid);
    DIR *d = opendir(path);
    pt->proc_fds = -1;
    if (d) {
        int n = 0;
        struct dirent *e;
        while ((e = readdir(d)))
            n += e->d_name[0] != '.';
        closedir(d);
        pt->proc_fds = n;
    }
    snprintf(path, sizeof path, "/proc/%d/limits", m->pid);
    pt->proc_fd_limit = -1;
    if (slurp(m, path) >= 0) {
        const char *l = strstr(m->buf, "Max open files");
        if (l)
            pt->proc_fd_limit = atof(l + 14);
    }
    return true;
}

static double rate(uint64_t now, uint64_t before, double secs)
{
    return now >= before && secs > 0 ? (double)(now - before) / secs : 0;
}

/* utime + stime of /proc/PID/task/TID/stat (or /proc/PID/stat), or 0. */
static uint64_t stat_ticks(struct hp_mon *m, const char *path)
{
    if (slurp(m, path) < 0)
        return 0;
    char *p = strrchr(m->buf, ')');
    unsigned long long u = 0, s = 0;
    if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &u, &s) == 2)
        return u + s;
    return 0;
}

/* Every thread's CPU ticks (the busiest is named) and context switches
 * (/proc/PID/status counts the first thread's only: r gets the sum). */
static void read_threads(struct hp_mon *m, struct raw *r, double secs, struct hp_mon_point *p)
{
    uint64_t vcs = 0, ivcs = 0;
    char path[96];
    snprintf(path, sizeof path, "/proc/%d/task", m->pid);
    DIR *d = opendir(path);
    if (!d)
        return;
    int now = 1 - m->cur_threads, n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < MAX_THREADS) {
        int tid = atoi(e->d_name);
        if (tid <= 0)
            continue;
        snprintf(path, sizeof path, "/proc/%d/task/%d/stat", m->pid, tid);
        m->threads[now][n++] = (struct thread_ticks){tid, stat_ticks(m, path)};
        snprintf(path, sizeof path, "/proc/%d/task/%d/status", m->pid, tid);
        if (slurp(m, path) >= 0) {
            vcs += field_after(m->buf, "\nvoluntary_ctxt_switches:");
            ivcs += field_after(m->buf, "\nnonvoluntary_ctxt_switches:");
        }
    }
    closedir(d);
    if (n > 0) {
        r->vcs = vcs;
        r->ivcs = ivcs;
    }
    m->nthreads[now] = n;
    const struct thread_ticks *before = m->threads[m->cur_threads];
    for (int i = 0; secs > 0 && i < n; i++)
        for (int j = 0; j < m->nthreads[m->cur_threads]; j++)
            if (before[j].tid == m->threads[now][i].tid) {
                double cpu =
                    rate(m->threads[now][i].ticks, before[j].ticks, secs) / (double)m->ticks;
                if (cpu > p->thread_max_cpu) {
                    p->thread_max_cpu = cpu;
                    p->thread_max_tid = m->threads[now][i].tid;
                }
                break;
            }
    m->cur_threads = now;
    if (p->thread_max_tid) {
        snprintf(path, sizeof path, "/proc/%d/task/%d/comm", m->pid, p->thread_max_tid);
        if (slurp(m, path) > 0) {
            m->buf[strcspn(m->buf, "\n")] = '\0';
            snprintf(p->thread_max_name, sizeof p->thread_max_name, "%.15s", m->buf);
        }
    }
}

/* ---- sampling ---------------------------------------------------------- */

int hp_mon_sample(struct hp_mon *m, int64_t now_ns, struct hp_mon_point *p)
{
    memset(p, 0, sizeof *p);
    struct raw *r = &m->cur;
    memset(r, 0, sizeof *r);
    r->t_ns = now_ns;
    read_stat(m, r);
    p->runq = r->runq;
    read_psi(m, r);
    read_mem(m, r, p);
    read_disks(m, r);
    read_net(m, r);
    bool gone = false;
    if (m->pid > 0) {
        r->proc = read_proc(m, r, p);
        gone = !r->proc;
    }
    double secs = m->primed ? (double)(now_ns - m->prev.t_ns) / 1e9 : 0;
    if (r->proc)
        read_threads(m, r, secs, p);
    if (!m->primed) {
        m->primed = true;
        m->t0_ns = now_ns;
        m->prev = *r;
        return gone ? -ESRCH : 0;
    }
    const struct raw *a = &m->prev;
    p->t_s = (double)(now_ns - m->t0_ns) / 1e9;
    p->ncpu = m->ncpu;
    for (int i = 0; i <= m->ncpu; i++) {
        uint64_t dt = r->total[i] - a->total[i], db = r->busy[i] - a->busy[i];
        double u = r->total[i] > a->total[i] ? (double)db / (double)dt : 0;
        if (i == 0)
            p->cpu_util = u;
        else
            p->cpu[i - 1] = u;
    }
    double *psi[3] = {&p->psi_cpu, &p->psi_mem, &p->psi_io};
    for (int i = 0; i < 3; i++)
        *psi[i] = r->psi_ok[i] && a->psi_ok[i] ? rate(r->psi[i], a->psi[i], secs) / 1e6 : -1;
    p->major_faults_per_s = rate(r->majflt, a->majflt, secs);
    p->swap_pages_per_s = rate(r->swap, a->swap, secs);
    for (int i = 0; i < r->ndisks; i++)
        for (int j = 0; j < a->ndisks; j++) {
            const struct disk_raw *x = &r->disks[i], *y = &a->disks[j];
            if (strcmp(x->name, y->name) != 0)
                continue;
            struct hp_mon_disk *d = &p->disks[p->ndisks++];
            strcpy(d->name, x->name);
            d->util = rate(x->io_ticks, y->io_ticks, secs) / 1e3;
            d->util = d->util > 1 ? 1 : d->util;
            d->queue = rate(x->weighted, y->weighted, secs) / 1e3;
            d->await_ms = x->ios > y->ios ? (double)(x->ms - y->ms) / (double)(x->ios - y->ios) : 0;
            d->read_bps = rate(x->rd_sec, y->rd_sec, secs) * 512;
            d->write_bps = rate(x->wr_sec, y->wr_sec, secs) * 512;
        }
    for (int i = 0; i < r->nnets; i++)
        for (int j = 0; j < a->nnets; j++) {
            const struct net_raw *x = &r->nets[i], *y = &a->nets[j];
            if (strcmp(x->name, y->name) != 0)
                continue;
            struct hp_mon_net *n = &p->nets[p->nnets++];
            strcpy(n->name, x->name);
            n->rx_bps = rate(x->rx, y->rx, secs);
            n->tx_bps = rate(x->tx, y->tx, secs);
            n->drops_per_s = rate(x->drops, y->drops, secs);
            n->errors_per_s = rate(x->errs, y->errs, secs);
        }
    p->retrans_per_s = rate(r->retrans, a->retrans, secs);
    p->out_segs_per_s = rate(r->out_segs, a->out_segs, secs);
    if (r->proc && a->proc) {
        p->proc = true;
        p->proc_cpu = rate(r->proc_ticks, a->proc_ticks, secs) / (double)m->ticks;
        p->proc_vcs_per_s = rate(r->vcs, a->vcs, secs);
        p->proc_ivcs_per_s = rate(r->ivcs, a->ivcs, secs);
    }
    m->prev = *r;
    return gone ? -ESRCH : 1;
}

/* ---- saturation -------------------------------------------------------- */

bool hp_mon_saturated(const struct hp_mon_point *p, char *what, size_t ws, char *ev, size_t es)
{
    int ncpu = p->ncpu > 0 ? p->ncpu : 1;
    if (p->proc) {
        double cores = p->proc_threads < ncpu ? p->proc_threads : ncpu;
        if (cores >= 1 && p->proc_cpu >= 0.9 * cores) {
            snprintf(what, ws, "process CPU");
            snprintf(ev, es, "%.2f CPUs busy: all that its %.0f thread%s can use on %d CPU%s",
                     p->proc_cpu, p->proc_threads, p->proc_threads == 1 ? "" : "s", ncpu,
                     ncpu == 1 ? "" : "s");
            return true;
        }
        if (p->thread_max_cpu >= 0.9 && p->proc_threads > 1) { /* an event loop at its limit */
            snprintf(what, ws, "process thread");
            snprintf(ev, es, "thread %d (%s) %.0f%% of a CPU busy, the process %.2f CPUs",
                     p->thread_max_tid, p->thread_max_name, 100 * p->thread_max_cpu, p->proc_cpu);
            return true;
        }
        if (p->proc_fd_limit > 0 && p->proc_fds >= 0.9 * p->proc_fd_limit) {
            snprintf(what, ws, "file descriptors");
            snprintf(ev, es, "%.0f open of a limit of %.0f", p->proc_fds, p->proc_fd_limit);
            return true;
        }
    }
    if (p->cpu_util >= 0.9 || p->runq > ncpu + 1 || p->psi_cpu >= 0.2) {
        snprintf(what, ws, "CPU");
        snprintf(ev, es, "%.0f%% busy, %.0f runnable on %d CPUs%s", 100 * p->cpu_util, p->runq,
                 ncpu, p->psi_cpu >= 0.2 ? ", tasks stalled waiting for a CPU" : "");
        return true;
    }
    if ((p->mem_total > 0 && p->mem_available < 0.1 * p->mem_total) ||
        p->major_faults_per_s > 100 || p->swap_pages_per_s > 100 || p->psi_mem >= 0.1) {
        snprintf(what, ws, "memory");
        snprintf(ev, es, "%.0f%% available, %.0f major faults/s, %.0f pages swapped/s",
                 p->mem_total > 0 ? 100 * p->mem_available / p->mem_total : 0,
                 p->major_faults_per_s, p->swap_pages_per_s);
        return true;
    }
    for (int i = 0; i < p->ndisks; i++)
        if (p->disks[i].util >= 0.9) {
            snprintf(what, ws, "disk %s", p->disks[i].name);
            snprintf(ev, es, "%.0f%% busy, queue %.1f, await %.1f ms", 100 * p->disks[i].util,
                     p->disks[i].queue, p->disks[i].await_ms);
            return true;
        }
    if (p->psi_io >= 0.2) {
        snprintf(what, ws, "disk I/O");
        snprintf(ev, es, "tasks stalled on I/O %.0f%% of the time", 100 * p->psi_io);
        return true;
    }
    for (int i = 0; i < p->nnets; i++)
        if (p->nets[i].drops_per_s > 0) {
            snprintf(what, ws, "network %s", p->nets[i].name);
            snprintf(ev, es, "%.0f packets dropped/s", p->nets[i].drops_per_s);
            return true;
        }
    if (p->retrans_per_s > 10 && p->retrans_per_s > 0.01 * p->out_segs_per_s) {
        snprintf(what, ws, "network");
        snprintf(ev, es, "%.0f TCP retransmits/s (%.1f%% of segments sent)", p->retrans_per_s,
                 100 * p->retrans_per_s / p->out_segs_per_s);
        return true;
    }
    return false;
}

/* ---- the result document ----------------------------------------------- */

int hp_mon_record(struct hp_result *r, const struct hp_mon_point *p, double t0_s)
{
    double t = t0_s + p->t_s;
    char name[96];
    int rc = hp_result_series_point(r, "cpu_util", "ratio", t, p->cpu_util);
    rc = rc ? rc : hp_result_series_point(r, "cpu_runnable", "count", t, p->runq);
    for (int i = 0; i < p->ncpu && i < 64 && rc == 0; i++) {
        snprintf(name, sizeof name, "cpu%d_util", i);
        rc = hp_result_series_point(r, name, "ratio", t, p->cpu[i]);
    }
    if (p->psi_cpu >= 0) {
        rc = rc ? rc : hp_result_series_point(r, "psi_cpu_some", "ratio", t, p->psi_cpu);
        rc = rc ? rc : hp_result_series_point(r, "psi_memory_some", "ratio", t, p->psi_mem);
        rc = rc ? rc : hp_result_series_point(r, "psi_io_some", "ratio", t, p->psi_io);
    }
    rc = rc ? rc
            : hp_result_series_point(r, "mem_used_bytes", "bytes", t,
                                     p->mem_total - p->mem_available);
    rc = rc ? rc : hp_result_series_point(r, "mem_available_bytes", "bytes", t, p->mem_available);
    rc = rc ? rc : hp_result_series_point(r, "major_faults_per_s", "1/s", t, p->major_faults_per_s);
    rc = rc ? rc : hp_result_series_point(r, "swap_pages_per_s", "1/s", t, p->swap_pages_per_s);
    for (int i = 0; i < p->ndisks && rc == 0; i++) {
        const struct hp_mon_disk *d = &p->disks[i];
        snprintf(name, sizeof name, "disk_%s_util", d->name);
        rc = hp_result_series_point(r, name, "ratio", t, d->util);
        snprintf(name, sizeof name, "disk_%s_await_ns", d->name);
        rc = rc ? rc : hp_result_series_point(r, name, "ns", t, d->await_ms * 1e6);
        snprintf(name, sizeof name, "disk_%s_queue", d->name);
        rc = rc ? rc : hp_result_series_point(r, name, "count", t, d->queue);
        snprintf(name, sizeof name, "disk_%s_bytes_per_s", d->name);
        rc = rc ? rc : hp_result_series_point(r, name, "bytes/s", t, d->read_bps + d->write_bps);
    }
    for (int i = 0; i < p->nnets && rc == 0; i++) {
        const struct hp_mon_net *n = &p->nets[i];
        snprintf(name, sizeof name, "net_%s_rx_bytes_per_s", n->name);
        rc = hp_result_series_point(r, name, "bytes/s", t, n->rx_bps);
        snprintf(name, sizeof name, "net_%s_tx_bytes_per_s", n->name);
        rc = rc ? rc : hp_result_series_point(r, name, "bytes/s", t, n->tx_bps);
        snprintf(name, sizeof name, "net_%s_drops_per_s", n->name);
        rc = rc ? rc : hp_result_series_point(r, name, "1/s", t, n->drops_per_s);
    }
    rc = rc ? rc : hp_result_series_point(r, "tcp_retransmits_per_s", "1/s", t, p->retrans_per_s);
    if (p->proc) {
        rc = rc ? rc : hp_result_series_point(r, "proc_cpu", "count", t, p->proc_cpu);
        rc = rc ? rc : hp_result_series_point(r, "proc_rss_bytes", "bytes", t, p->proc_rss);
        rc = rc ? rc : hp_result_series_point(r, "proc_threads", "count", t, p->proc_threads);
        rc = rc ? rc
                : hp_result_series_point(r, "proc_busiest_thread_cpu", "count", t,
                                         p->thread_max_cpu);
        rc = rc ? rc
                : hp_result_series_point(r, "proc_voluntary_switches_per_s", "1/s", t,
                                         p->proc_vcs_per_s);
        rc = rc ? rc
                : hp_result_series_point(r, "proc_involuntary_switches_per_s", "1/s", t,
                                         p->proc_ivcs_per_s);
        if (p->proc_fds >= 0)
            rc = rc ? rc : hp_result_series_point(r, "proc_fds", "count", t, p->proc_fds);
    }
    return rc;
}

/* ---- summaries --------------------------------------------------------- */

void hp_mon_summary_add(struct hp_mon_summary *s, const struct hp_mon_point *p)
{
    s->n++;
    s->cpu_sum += p->cpu_util;
    s->cpu_max = p->cpu_util > s->cpu_max ? p->cpu_util : s->cpu_max;
    s->runq_max = p->runq > s->runq_max ? p->runq : s->runq_max;
    double used = p->mem_total - p->mem_available;
    s->mem_used_max = used > s->mem_used_max ? used : s->mem_used_max;
    s->majflt_max = p->major_faults_per_s > s->majflt_max ? p->major_faults_per_s : s->majflt_max;
    for (int i = 0; i < p->ndisks; i++)
        if (p->disks[i].util > s->disk_max || !s->disk_max_name[0]) {
            s->disk_max = p->disks[i].util;
            snprintf(s->disk_max_name, sizeof s->disk_max_name, "%s", p->disks[i].name);
        }
    s->retrans_sum += p->retrans_per_s;
    for (int i = 0; i < p->nnets; i++)
        s->drops_sum += p->nets[i].drops_per_s;
    if (p->proc) {
        s->proc_n++;
        s->proc_cpu_sum += p->proc_cpu;
        s->proc_cpu_max = p->proc_cpu > s->proc_cpu_max ? p->proc_cpu : s->proc_cpu_max;
        s->rss_max = p->proc_rss > s->rss_max ? p->proc_rss : s->rss_max;
        s->fds_max = p->proc_fds > s->fds_max ? p->proc_fds : s->fds_max;
        s->threads_max = p->proc_threads > s->threads_max ? p->proc_threads : s->threads_max;
    }
    if (!s->saturated &&
        hp_mon_saturated(p, s->what, sizeof s->what, s->evidence, sizeof s->evidence)) {
        s->saturated = true;
        s->saturated_at = p->t_s;
    }
}

void hp_mon_summary_print(const struct hp_mon_summary *s, int pid, double secs, const char *prefix,
                          FILE *f)
{
    if (s->n == 0)
        return;
    char a[32], b[32];
    fprintf(f,
            "%s%d samples over %.1fs: CPU %.1f%% mean, %.1f%% peak, run queue up to %.0f; "
            "memory used up to %s, major faults up to %.0f/s",
            prefix, s->n, secs, 100 * s->cpu_sum / s->n, 100 * s->cpu_max, s->runq_max,
            hp_format_size((int64_t)s->mem_used_max, a, sizeof a), s->majflt_max);
    if (s->disk_max_name[0])
        fprintf(f, "; disk %s busy up to %.0f%%", s->disk_max_name, 100 * s->disk_max);
    fprintf(f, "; %.0f TCP retransmits, %.0f drops\n", s->retrans_sum * secs / s->n,
            s->drops_sum * secs / s->n);
    if (s->proc_n > 0)
        fprintf(f,
                "%sprocess %d: CPU %.2f mean, %.2f peak (in CPUs); RSS up to %s; up to %.0f "
                "threads, %.0f open files\n",
                prefix, pid, s->proc_cpu_sum / s->proc_n, s->proc_cpu_max,
                hp_format_size((int64_t)s->rss_max, b, sizeof b), s->threads_max, s->fds_max);
    if (s->saturated)
        fprintf(f, "%sfirst to saturate: %s at %.1fs (%s)\n", prefix, s->what, s->saturated_at,
                s->evidence);
    else
        fprintf(f, "%sno resource saturated\n", prefix);
}

int hp_mon_summary_to_doc(const struct hp_mon_summary *s, struct hp_result *r)
{
    int e = 0;
    if (s->n > 0) {
        e = e ? e : hp_result_metric(r, "cpu_util_mean", s->cpu_sum / s->n, "ratio");
        e = e ? e : hp_result_metric(r, "cpu_util_max", s->cpu_max, "ratio");
        e = e ? e : hp_result_metric(r, "mem_used_max_bytes", s->mem_used_max, "bytes");
    }
    if (s->proc_n > 0) {
        e = e ? e : hp_result_metric(r, "proc_cpu_mean", s->proc_cpu_sum / s->proc_n, "count");
        e = e ? e : hp_result_metric(r, "proc_cpu_max", s->proc_cpu_max, "count");
        e = e ? e : hp_result_metric(r, "proc_rss_max_bytes", s->rss_max, "bytes");
    }
    json_t *sat = s->saturated ? json_pack("{s:s, s:f, s:s}", "resource", s->what, "at_s",
                                           s->saturated_at, "evidence", s->evidence)
                               : json_null();
    if (e == 0 && (!sat || json_object_set_new(hp_result_json(r), "saturation", sat)))
        e = -ENOMEM;
    return e;
}

int hp_mon_follow_start(struct hp_mon_follow *f, int pid)
{
    struct hp_mon_point pt;
    memset(f, 0, sizeof *f);
    f->pid = pid;
    int rc = hp_mon_new(pid, &f->mon);
    if (rc < 0)
        return rc;
    int64_t now = hp_now_ns();
    hp_mon_sample(f->mon, now, &pt);
    f->next_ns = now + HP_NS_PER_S;
    return 0;
}

int hp_mon_follow_tick(struct hp_mon_follow *f, int64_t now_ns, struct hp_result *doc)
{
    struct hp_mon_point pt;
    if (!f->mon || f->gone || now_ns < f->next_ns)
        return 0;
    f->next_ns += HP_NS_PER_S;
    int rc = hp_mon_sample(f->mon, now_ns, &pt);
    if (rc == -ESRCH) {
        f->gone = true;
        return -ESRCH;
    }
    if (rc != 1)
        return 0;
    hp_mon_summary_add(&f->sum, &pt);
    return doc ? hp_mon_record(doc, &pt, 0) : 0;
}

void hp_mon_follow_stop(struct hp_mon_follow *f)
{
    hp_mon_free(f->mon);
    f->mon = NULL;
}
