// SPDX-License-Identifier: MIT
/* Integration tests of `hotpath serve`: each starts the real binary on a free
 * loopback port and talks HTTP to it. Bounds on time here are orders of
 * magnitude wide (a stall of 400 ms must delay a request by more than 250 ms;
 * 10,000 one-second delays must not take a minute), never tight timings. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/result.h"
#include "stat/hist_result.h"
#include "serve_client.h"
#include "testutil.h"

static const char *hotpath;
static char tmpdir[] = "/tmp/hp_test_serve.XXXXXX";

static void tmp_path(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", tmpdir, name);
}

static void serve_answers_every_route(void **state)
{
    (void)state;
    struct served s;
    const char *args[] = {"-t", "2", NULL};
    served_start(&s, hotpath, args);

    struct http_resp r = client_get(s.port, "/");
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body_len, 13);
    assert_string_equal(r.body, "Hello, World!");
    assert_true(r.keep_alive);

    r = client_get(s.port, "/bytes/100000");
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body_len, 100000);
    r = client_get(s.port, "/bytes/64KiB");
    assert_int_equal(r.body_len, 65536);
    r = client_get(s.port, "/bytes/0");
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body_len, 0);
    r = client_get(s.port, "/bytes/lots");
    assert_int_equal(r.status, 400);

    r = client_get(s.port, "/status/404");
    assert_int_equal(r.status, 404);
    r = client_get(s.port, "/status/503?x=1");
    assert_int_equal(r.status, 503);
    r = client_get(s.port, "/status/204");
    assert_int_equal(r.status, 204);
    assert_int_equal(r.body_len, 0);
    r = client_get(s.port, "/status/103");
    assert_int_equal(r.interim, 1);
    assert_int_equal(r.status, 200);
    r = client_get(s.port, "/status/99");
    assert_int_equal(r.status, 400);
    r = client_get(s.port, "/nope");
    assert_int_equal(r.status, 404);

    int64_t t0 = hp_now_ns();
    r = client_get(s.port, "/delay/fixed:50ms");
    assert_int_equal(r.status, 200);
    assert_true(hp_now_ns() - t0 >= 50 * HP_NS_PER_MS);
    r = client_get(s.port, "/delay/lognormal:1ms:0.5");
    assert_int_equal(r.status, 200);
    r = client_get(s.port, "/delay/gamma:1ms");
    assert_int_equal(r.status, 400);

    /* HEAD: the headers of GET, no body. */
    int fd = client_connect(s.port);
    const char *head = "HEAD /bytes/500 HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n";
    bool is_head[2] = {true, false};
    struct http_resp two[2];
    client_send(fd, head, strlen(head));
    assert_int_equal(client_read(fd, two, 2, is_head), 2);
    assert_int_equal(two[0].status, 200);
    assert_int_equal(two[0].body_len, 0);
    assert_int_equal(two[1].body_len, 13);
    close(fd);
    assert_int_equal(served_stop(&s, SIGTERM, NULL, 0), 0);
}

static void serve_pipelines_in_order(void **state)
{
    (void)state;
    struct served s;
    served_start(&s, hotpath, NULL);
    enum { N = 300 };
    char *req = malloc(N * 128);
    size_t len = 0;
    for (int i = 0; i < N; i++) {
        /* A slow one first: later requests wait behind it, in order. */
        if (i == 0)
            len += (size_t)sprintf(req + len, "GET /delay/fixed:100ms HTTP/1.1\r\nHost: t\r\n\r\n");
        else
            len += (size_t)sprintf(req + len, "GET /bytes/%d HTTP/1.1\r\nHost: t\r\n\r\n", i * 37);
    }
    int fd = client_connect(s.port);
    client_send(fd, req, len);
    struct http_resp *r = calloc(N, sizeof *r);
    assert_int_equal(client_read(fd, r, N, NULL), N);
    assert_int_equal(r[0].body_len, 3); /* "OK\n" */
    for (int i = 1; i < N; i++) {
        assert_int_equal(r[i].status, 200);
        assert_int_equal(r[i].body_len, i * 37);
    }
    close(fd);
    free(r);
    free(req);
    assert_int_equal(served_stop(&s, SIGTERM, NULL, 0), 0);
}

/* Send raw bytes; read the whole answer until the server closes. */
static void raw_exchange(int port, const char *req, size_t len, char *out, size_t size)
{
    int fd = client_connect(port);
    size_t got = 0;
    client_send(fd, req, len);
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        assert_true(poll(&p, 1, 5000) == 1); /* the server must close, not hang */
        ssize_t n = recv(fd, out + got, size - 1 - got, 0);
        if (n <= 0)
            break;
        got += (size_t)n;
        if (got >= size - 1)
            break;
    }
    out[got] = '\0';
    close(fd);
}

static void serve_refuses_bad_requests_and_closes(void **state)
{
    (void)state;
    struct served s;
    served_start(&s, hotpath, NULL);
    static const struct { const char *req; const char *status; } cases[] = {
        {"GARBAGE\r\n\r\n", "HTTP/1.1 400 "},
        {"GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 400 "},
        {"GET / HTTP/2.0\r\nHost: t\r\n\r\n", "HTTP/1.1 505 "},
        {"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\nxx", "HTTP/1.1 400 "},
        {"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabc",
         "HTTP/1.1 400 "},
        {"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n", "HTTP/1.1 400 "},
        {"GET / HTTP/1.1\r\nHost: t\r\nBad Header: x\r\n\r\n", "HTTP/1.1 400 "},
    };
    char out[4096];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        raw_exchange(s.port, cases[i].req, strlen(cases[i].req), out, sizeof out);
        if (strncmp(out, cases[i].status, strlen(cases[i].status)) != 0)
            fail_msg("case %zu: got '%.40s'", i, out);
        assert_non_null(strstr(out, "Connection: close"));
    }
    /* Headers over 8 KiB: 431, even when the client keeps sending. */
    size_t big = 20000;
    char *req = malloc(big);
    memcpy(req, "GET / HTTP/1.1\r\nHost: t\r\nX-Big: ", 32);
    memset(req + 32, 'a', big - 32);
    raw_exchange(s.port, req, big, out, sizeof out);
    assert_memory_equal(out, "HTTP/1.1 431 ", 13);
    free(req);
    /* Bodies are read and discarded, by length or chunked. */
    const char *ok = "POST /status/201 HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello"
                     "PUT / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "3;x=y\r\nabc\r\n0\r\nTrailer: 1\r\n\r\n"
                     "GET /status/202 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
    int fd = client_connect(s.port);
    struct http_resp r[3];
    client_send(fd, ok, strlen(ok));
    assert_int_equal(client_read(fd, r, 3, NULL), 3);
    assert_int_equal(r[0].status, 201);
    assert_int_equal(r[1].status, 200);
    assert_int_equal(r[2].status, 202);
    assert_false(r[2].keep_alive);
    close(fd);
    /* Expect: 100-continue gets its interim response. */
    const char *expect = "POST / HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n"
                         "Content-Length: 2\r\n\r\n";
    fd = client_connect(s.port);
    client_send(fd, expect, strlen(expect));
    char buf[64];
    ssize_t n = recv(fd, buf, sizeof buf - 1, 0);
    assert_true(n > 0);
    buf[n] = '\0';
    assert_memory_equal(buf, "HTTP/1.1 100 Continue\r\n\r\n", 25);
    client_send(fd, "ok", 2);
    assert_int_equal(client_read(fd, r, 1, NULL), 1);
    assert_int_equal(r[0].status, 200);
    close(fd);
    /* The server is still well after all that. */
    assert_int_equal(client_get(s.port, "/").status, 200);
    assert_int_equal(served_stop(&s, SIGTERM, NULL, 0), 0);
}

static int thread_count(pid_t pid)
{
    char path[64], line[256];
    int threads = -1;
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "Threads: %d", &threads) == 1)
            break;
    if (f)
        fclose(f);
    return threads;
}

static void serve_holds_ten_thousand_delays_on_two_threads(void **state)
{
    (void)state;
    enum { N = 10000 };
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_max < N + 100) {
        skip(); /* cannot open 10k sockets here */
    }
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);

    struct served s;
    const char *args[] = {"-t", "2", NULL};
    served_start(&s, hotpath, args);
    int *fds = malloc(N * sizeof *fds);
    const char *req = "GET /delay/fixed:1s HTTP/1.1\r\nHost: t\r\n\r\n";
    int64_t t0 = hp_now_ns();
    for (int i = 0; i < N; i++) {
        fds[i] = client_connect(s.port);
        client_send(fds[i], req, strlen(req));
    }
    /* All 10,000 wait inside two worker threads (plus the main thread). */
    assert_int_equal(thread_count(s.pid), 3);
    int ep = epoll_create1(0), done = 0, ok = 0;
    for (int i = 0; i < N; i++) {
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
        epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
    }
    while (done < N) {
        struct epoll_event evs[256];
        int n = epoll_wait(ep, evs, 256, 30000);
        assert_true(n > 0);
        for (int k = 0; k < n; k++) {
            int fd = fds[evs[k].data.u32];
            char buf[512];
            ssize_t got = recv(fd, buf, sizeof buf - 1, 0);
            if (got > 12 && memcmp(buf, "HTTP/1.1 200", 12) == 0)
                ok++;
            epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
            close(fd);
            done++;
        }
    }
    int64_t elapsed = hp_now_ns() - t0;
    assert_int_equal(ok, N);
    /* In flight together: 10,000 one-second waits in well under a minute. */
    assert_true(elapsed >= HP_NS_PER_S);
    assert_true(elapsed < 60 * HP_NS_PER_S);
    close(ep);
    free(fds);
    assert_int_equal(served_stop(&s, SIGTERM, NULL, 0), 0);
}

static void serve_stall_pauses_everything(void **state)
{
    (void)state;
    struct served s;
    const char *args[] = {"--stall", "1s:400ms", "-t", "2", NULL};
    served_start(&s, hotpath, args);
    int fd = client_connect(s.port);
    const char *req = "GET / HTTP/1.1\r\nHost: t\r\n\r\n";
    int64_t start = hp_now_ns(), worst = 0;
    int n = 0;
    /* A closed-loop client, one request at a time, across the first stall. */
    while (hp_now_ns() - start < 1600 * HP_NS_PER_MS) {
        struct http_resp r;
        int64_t t = hp_now_ns();
        client_send(fd, req, strlen(req));
        assert_int_equal(client_read(fd, &r, 1, NULL), 1);
        int64_t took = hp_now_ns() - t;
        if (took > worst)
            worst = took;
        n++;
    }
    close(fd);
    /* One request waited through most of the 400 ms pause. */
    assert_true(worst >= 250 * HP_NS_PER_MS);
    assert_true(n > 10);
    char out[2048];
    assert_int_equal(served_stop(&s, SIGTERM, out, sizeof out), 0);
    assert_non_null(strstr(out, "stalls "));
}

static void serve_truth_counts_exactly(void **state)
{
    (void)state;
    char truth[256];
    tmp_path(truth, sizeof truth, "truth.json");
    struct served s;
    const char *args[] = {"--error-rate", "20%", "--truth", truth, "-t", "2", NULL};
    served_start(&s, hotpath, args);
    enum { N = 2000 };
    int fd = client_connect(s.port), errors = 0, ok = 0;
    char *req = malloc(N * 64);
    size_t len = 0;
    for (int i = 0; i < N; i++)
        len += (size_t)sprintf(req + len, "GET %s HTTP/1.1\r\nHost: t\r\n\r\n",
                               i % 2 ? "/" : "/delay/exp:100us");
    client_send(fd, req, len);
    struct http_resp *r = calloc(N, sizeof *r);
    assert_int_equal(client_read(fd, r, N, NULL), N);
    for (int i = 0; i < N; i++) {
        errors += r[i].status == 500;
        ok += r[i].status == 200;
    }
    assert_int_equal(errors + ok, N);
    /* 20% of 2000 is 400; 5 standard deviations (sqrt(2000*.2*.8) = 17.9) either side. */
    assert_true(errors > 400 - 90 && errors < 400 + 90);
    close(fd);
    free(r);
    free(req);
    assert_int_equal(served_stop(&s, SIGINT, NULL, 0), 0);

    struct hp_result *doc = NULL;
    struct hp_err err;
    double v;
    assert_int_equal(hp_result_load(truth, &doc, &err), 0);
    assert_string_equal(hp_result_kind(doc), "serve");
    assert_true(hp_result_get_metric(doc, "requests", &v, NULL));
    assert_close(v, N, 0, 0);
    assert_true(hp_result_get_metric(doc, "status_500", &v, NULL));
    assert_close(v, errors, 0, 0);
    assert_true(hp_result_get_metric(doc, "injected_errors", &v, NULL));
    assert_close(v, errors, 0, 0);
    assert_true(hp_result_get_metric(doc, "status_200", &v, NULL));
    assert_close(v, ok, 0, 0);
    assert_true(hp_result_get_metric(doc, "route_delay", &v, NULL));
    assert_close(v, N / 2, 0, 0);
    struct hp_hist *h = NULL;
    assert_int_equal(hp_result_get_histogram(doc, "service_time", &h, &err), 0);
    assert_int_equal(h->total_count, N);
    /* Half the requests waited ~100us on average: the median is small, the
     * top is at least a delay long. */
    assert_true(hp_hist_max(h) > 1000);
    hp_hist_free(h);
    hp_result_free(doc);
}

/* --workers 2 and six 100 ms requests at once: two are served, four wait,
 * so the answers come in three waves and the last cannot arrive before
 * 300 ms (without the limit all six take 100 ms). The truth counts the four
 * that waited. A request closed while it waits, or while it is served, gives
 * its place back: a later request is still answered. */
static void serve_workers_queue_requests_in_order(void **state)
{
    (void)state;
    char truth[256];
    tmp_path(truth, sizeof truth, "workers.json");
    struct served s;
    const char *args[] = {"--workers", "2", "--truth", truth, NULL};
    served_start(&s, hotpath, args);
    enum { N = 6 };
    const char *req = "GET /delay/fixed:100ms HTTP/1.1\r\nHost: t\r\n\r\n";
    int fds[N];
    int64_t t0 = hp_now_ns();
    for (int i = 0; i < N; i++) {
        fds[i] = client_connect(s.port);
        client_send(fds[i], req, strlen(req));
    }
    int64_t last = 0;
    for (int i = 0; i < N; i++) {
        struct http_resp r;
        assert_int_equal(client_read(fds[i], &r, 1, NULL), 1);
        assert_int_equal(r.status, 200);
        int64_t at = hp_now_ns() - t0;
        last = at > last ? at : last;
        close(fds[i]);
    }
    assert_true(last >= 300 * HP_NS_PER_MS);
    assert_true(last < 5 * HP_NS_PER_S);

    /* Two hold the slots for 10 s and a third waits; all three clients
     * reset their connections. Each must give its place back: a fourth
     * request is then answered at once (with a lost slot it would wait
     * forever; with a stale queue entry ASan would catch the use). */
    const char *slow = "GET /delay/fixed:10s HTTP/1.1\r\nHost: t\r\n\r\n";
    for (int i = 0; i < 3; i++) {
        fds[i] = client_connect(s.port);
        client_send(fds[i], slow, strlen(slow));
    }
    usleep(100000);
    for (int i = 2; i >= 0; i--) {
        struct linger reset = {.l_onoff = 1, .l_linger = 0};
        setsockopt(fds[i], SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
        close(fds[i]);
    }
    usleep(100000);
    int fd = client_connect(s.port);
    struct timeval tv = {.tv_sec = 5};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    const char *fast = "GET /delay/fixed:10ms HTTP/1.1\r\nHost: t\r\n\r\n";
    client_send(fd, fast, strlen(fast));
    struct http_resp r;
    assert_int_equal(client_read(fd, &r, 1, NULL), 1);
    assert_int_equal(r.status, 200);
    close(fd);
    assert_int_equal(served_stop(&s, SIGTERM, NULL, 0), 0);

    struct hp_result *doc = NULL;
    struct hp_err err;
    double v;
    assert_int_equal(hp_result_load(truth, &doc, &err), 0);
    assert_true(hp_result_get_metric(doc, "queued", &v, NULL));
    assert_close(v, 4 + 1, 0, 0); /* four in the first round, one in the second */
    assert_true(hp_result_get_metric(doc, "requests", &v, NULL));
    assert_close(v, N + 1, 0, 0); /* the reset ones were never answered */
    hp_result_free(doc);
}

static void serve_listens_on_unix_sockets(void **state)
{
    (void)state;
    char path[256], listen[300];
    tmp_path(path, sizeof path, "serve.sock");
    snprintf(listen, sizeof listen, "unix:%s", path);
    struct served s;
    const char *args[] = {"--listen", listen, NULL};
    served_start(&s, hotpath, args);
    assert_string_equal(s.addr, listen);
    int fd = client_connect_unix(path);
    const char *req = "GET /bytes/10 HTTP/1.1\r\nHost: t\r\n\r\n";
    struct http_resp r;
    client_send(fd, req, strlen(req));
    assert_int_equal(client_read(fd, &r, 1, NULL), 1);
    assert_int_equal(r.body_len, 10);
    close(fd);
    assert_int_equal(served_stop(&s, SIGTERM, NULL, 0), 0);
    assert_int_equal(access(path, F_OK), -1); /* removed at exit */
}

static int run(const char *const *argv, char *err, size_t size)
{
    int pipefd[2], status;
    if (pipe(pipefd) < 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(pipefd[1], STDERR_FILENO);
        dup2(pipefd[1], STDOUT_FILENO);
        close(pipefd[0]);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(pipefd[1]);
    size_t got = 0;
    for (;;) { /* all of it, however many writes it came in */
        ssize_t n = read(pipefd[0], err + got, size - 1 - got);
        if (n <= 0)
            break;
        got += (size_t)n;
        if (got == size - 1)
            break;
    }
    err[got] = '\0';
    close(pipefd[0]);
    waitpid(pid, &status, 0);
    return WEXITSTATUS(status);
}

static void serve_stops_cleanly_with_delays_pending(void **state)
{
    (void)state;
    struct served s;
    served_start(&s, hotpath, NULL);
    int fd = client_connect(s.port);
    const char *req = "GET /delay/fixed:30s HTTP/1.1\r\nHost: t\r\n\r\n";
    client_send(fd, req, strlen(req));
    usleep(100000); /* let it arm its timer */
    /* Under ASan this also checks nothing is touched after it is freed. */
    assert_int_equal(served_stop(&s, SIGTERM, NULL, 0), 0);
    close(fd);
}

/* Blocks until fd has an end of stream (the server closed it) or waits
 * ms; true at the end of stream. */
static bool closed_within(int fd, int ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    char buf[256];
    while (poll(&p, 1, ms) == 1) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0)
            return true;
    }
    return false;
}

/* Slowloris: clients that send a head a byte at a time, or nothing, hold
 * every connection the server allows; the header timeout frees them, and
 * the idle timeout frees a connection that says nothing between requests.
 * Both counted in the truth file. */
static void serve_times_out_slow_heads_and_idle_connections(void **state)
{
    (void)state;
    char truth[256];
    tmp_path(truth, sizeof truth, "timeouts.json");
    struct served s;
    const char *args[] = {"-t", "1", "--max-conns", "4", "--header-timeout", "1s",
                          "--idle-timeout", "2s", "--truth", truth, NULL};
    served_start(&s, hotpath, args);
    int slow[4];
    for (int i = 0; i < 4; i++) {
        slow[i] = client_connect(s.port);
        if (i < 2)
            client_send(slow[i], "GET / HTTP/1.1\r\nHo", strlen("GET / HTTP/1.1\r\nHo"));
    }
    /* Every slot is taken: a normal client is turned away now... */
    usleep(100 * 1000);
    int normal = client_connect(s.port);
    assert_true(closed_within(normal, 800));
    close(normal);
    /* ...and served once the slow ones were cut off. */
    for (int i = 0; i < 4; i++) {
        assert_true(closed_within(slow[i], 5000));
        close(slow[i]);
    }
    int fd = client_connect(s.port);
    const char *get = "GET / HTTP/1.1\r\nHost: t\r\n\r\n"; /* then nothing */
    client_send(fd, get, strlen(get));
    struct http_resp r;
    assert_int_equal(client_read(fd, &r, 1, NULL), 1);
    assert_int_equal(r.status, 200);
    /* Kept alive, then silent: closed by the idle timeout, not the header's. */
    int64_t t0 = hp_now_ns();
    assert_true(closed_within(fd, 8000));
    assert_true(hp_now_ns() - t0 >= 1500 * HP_NS_PER_MS);
    close(fd);
    assert_int_equal(served_stop(&s, SIGINT, NULL, 0), 0);
    struct hp_result *doc = NULL;
    assert_int_equal(hp_result_load(truth, &doc, NULL), 0);
    double header = -1, idle = -1, refused = -1;
    hp_result_get_metric(doc, "header_timeouts", &header, NULL);
    hp_result_get_metric(doc, "idle_timeouts", &idle, NULL);
    hp_result_get_metric(doc, "connections_refused", &refused, NULL);
    hp_result_free(doc);
    assert_int_equal((int)header, 4);
    assert_int_equal((int)idle, 1);
    assert_int_equal((int)refused, 1);
}

static void serve_reports_a_busy_port(void **state)
{
    (void)state;
    struct served s;
    served_start(&s, hotpath, NULL);
    char addr[64], out[1024];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", s.port);
    /* SO_REUSEPORT lets two hotpath servers share a port, so take one with
     * a plain socket that does not set it. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t alen = sizeof a;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(fd, 1), 0);
    getsockname(fd, (struct sockaddr *)&a, &alen);
    snprintf(addr, sizeof addr, "127.0.0.1:%d", ntohs(a.sin_port));
    const char *argv[] = {hotpath, "serve", "--listen", addr, "-d", "1s", NULL};
    assert_int_equal(run(argv, out, sizeof out), 1);
    assert_non_null(strstr(out, "hotpath serve: listen 127.0.0.1:"));
    assert_non_null(strstr(out, "address in use"));
    close(fd);
    /* Another hotpath serve on the first one's port (both would set
     * SO_REUSEPORT) is refused too, unless --reuse-port asks to share. */
    snprintf(addr, sizeof addr, "127.0.0.1:%d", s.port);
    assert_int_equal(run(argv, out, sizeof out), 1);
    assert_non_null(strstr(out, "address in use"));
    assert_non_null(strstr(out, "--reuse-port"));
    const char *share[] = {hotpath, "serve", "--listen", addr, "-d", "300ms", "--reuse-port",
                           "-q", NULL};
    assert_int_equal(run(share, out, sizeof out), 0);
    assert_int_equal(served_stop(&s, SIGTERM, NULL, 0), 0);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PATH-TO-HOTPATH\n", argv[0]);
        return 2;
    }
    hotpath = argv[1];
    if (!mkdtemp(tmpdir))
        return 1;
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(serve_answers_every_route),
        cmocka_unit_test(serve_pipelines_in_order),
        cmocka_unit_test(serve_refuses_bad_requests_and_closes),
        cmocka_unit_test(serve_holds_ten_thousand_delays_on_two_threads),
        cmocka_unit_test(serve_stall_pauses_everything),
        cmocka_unit_test(serve_truth_counts_exactly),
        cmocka_unit_test(serve_workers_queue_requests_in_order),
        cmocka_unit_test(serve_listens_on_unix_sockets),
        cmocka_unit_test(serve_stops_cleanly_with_delays_pending),
        cmocka_unit_test(serve_times_out_slow_heads_and_idle_connections),
        cmocka_unit_test(serve_reports_a_busy_port),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        rc = 1;
    return rc;
}
