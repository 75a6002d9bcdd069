// SPDX-License-Identifier: MIT
/* bench/floor.c - the smallest HTTP/1.1 client that does a load test's work,
 * the physical floor that bench/load_floor.sh holds hotpath load and wrk
 * against: one thread, one epoll, -c keep-alive connections, one request
 * written and one read per answer, answers of a fixed length (learned from
 * the first one's Content-Length) counted and nothing else: no clock reads,
 * no parsing beyond that length, no histograms.
 *   floor HOST PORT CONNECTIONS SECONDS   prints "N requests in S s" */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

static char request[512];
static size_t request_len;

struct conn {
    int fd;
    size_t have; /* bytes of the current answer read so far */
};

/* The whole length of the first answer: head plus Content-Length. */
static size_t answer_length(int fd)
{
    char buf[4096];
    size_t got = 0;
    for (;;) {
        ssize_t n = read(fd, buf + got, sizeof buf - 1 - got);
        if (n <= 0)
            return 0;
        got += (size_t)n;
        buf[got] = '\0';
        char *end = strstr(buf, "\r\n\r\n");
        char *cl = strcasestr(buf, "\r\nContent-Length:");
        if (end && cl) {
            size_t len = (size_t)(end + 4 - buf) + strtoul(cl + 17, NULL, 10);
            if (got >= len)
                return len;
        }
        if (got == sizeof buf - 1)
            return 0;
    }
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: floor HOST PORT CONNECTIONS SECONDS\n");
        return 2;
    }
    int nconns = atoi(argv[3]), secs = atoi(argv[4]);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2]))};
    if (inet_pton(AF_INET, argv[1], &a.sin_addr) != 1 || nconns < 1 || secs < 1) {
        fprintf(stderr, "floor: bad arguments\n");
        return 2;
    }
    request_len = (size_t)snprintf(request, sizeof request,
                                   "GET / HTTP/1.1\r\nHost: %s:%s\r\n\r\n", argv[1], argv[2]);
    signal(SIGPIPE, SIG_IGN);
    struct conn *conns = calloc((size_t)nconns, sizeof *conns);
    int ep = epoll_create1(0), tfd = timerfd_create(CLOCK_MONOTONIC, 0);
    struct itimerspec its = {.it_value = {secs, 0}};
    timerfd_settime(tfd, 0, &its, NULL);
    struct epoll_event tev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &tev);
    size_t len = 0;
    for (int i = 0; i < nconns; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
            perror("floor: connect");
            return 1;
        }
        if (i == 0) { /* learn the answer's length, blocking */
            if (write(fd, request, request_len) != (ssize_t)request_len ||
                !(len = answer_length(fd))) {
                fprintf(stderr, "floor: no usable first answer\n");
                return 1;
            }
        }
        if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0) {
            perror("floor: fcntl");
            return 1;
        }
        conns[i].fd = fd;
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &conns[i]};
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
        if (write(fd, request, request_len) != (ssize_t)request_len)
            return 1;
    }
    char buf[65536];
    long long answers = 0;
    struct epoll_event evs[256];
    for (;;) {
        int n = epoll_wait(ep, evs, 256, -1);
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            if (!c) {
                printf("%lld requests in %d s\n", answers, secs);
                return 0;
            }
            ssize_t got = read(c->fd, buf, sizeof buf);
            if (got <= 0)
                continue;
            c->have += (size_t)got;
            size_t done = c->have / len;
            c->have %= len;
            answers += (long long)done;
            if (done > 0 && c->have == 0 && write(c->fd, request, request_len) < 0)
                return 1;
        }
    }
}
