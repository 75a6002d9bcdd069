/* SPDX-License-Identifier: MIT */
/* io/tcp.c - the plain transport of io/transport.h: TCP with Nagle off
 * (requests and answers are whole messages written at once) and unix
 * stream sockets. Each call is one system call. */
#include "io/transport.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "io/poll.h"

static void no_delay(int fd, const struct hp_addr *a)
{
    if (a->ss.ss_family != AF_UNIX) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
}

static int tcp_connect(struct hp_sock *s, const struct hp_addr *a, const struct hp_addr *from,
                       void *ctx)
{
    (void)ctx;
    int fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    no_delay(fd, a);
    s->fd = fd;
    int rc;
    if (from) {
        /* the port is picked at connect, per (source, destination): each
         * source address has the whole ephemeral range to one target */
        int one = 1;
        setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        if (bind(fd, (const struct sockaddr *)&from->ss, from->len) < 0) {
            rc = -errno;
            close(fd);
            s->fd = -1;
            return rc;
        }
    }
    if (connect(fd, (const struct sockaddr *)&a->ss, a->len) == 0)
        return 0;
    rc = -errno;
    if (rc == -EINPROGRESS) {
        s->want = HP_POLL_OUT;
        return rc;
    }
    close(fd);
    s->fd = -1;
    return rc;
}

static int tcp_finish(struct hp_sock *s)
{
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
        return -errno;
    return -err;
}

static int tcp_accept(struct hp_sock *s, int fd, const struct hp_addr *local, void *ctx)
{
    (void)ctx;
    no_delay(fd, local);
    s->fd = fd;
    return 0;
}

static ssize_t tcp_send(struct hp_sock *s, const void *buf, size_t len)
{
    for (;;) {
        ssize_t n = send(s->fd, buf, len, MSG_NOSIGNAL);
        if (n >= 0)
            return n;
        if (errno != EINTR)
            return -errno;
    }
}

static ssize_t tcp_sendv(struct hp_sock *s, const struct iovec *iov, int n_iov)
{
    struct msghdr msg = {.msg_iov = (struct iovec *)iov, .msg_iovlen = (size_t)n_iov};
    for (;;) {
        ssize_t n = sendmsg(s->fd, &msg, MSG_NOSIGNAL);
        if (n >= 0)
            return n;
        if (errno != EINTR)
            return -errno;
    }
}

static ssize_t tcp_recv(struct hp_sock *s, void *buf, size_t len)
{
    for (;;) {
        ssize_t n = read(s->fd, buf, len);
        if (n >= 0)
            return n;
        if (errno != EINTR)
            return -errno;
    }
}

static int tcp_shutdown(struct hp_sock *s)
{
    return shutdown(s->fd, SHUT_WR) < 0 ? -errno : 0;
}

static void tcp_close(struct hp_sock *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    s->want = 0;
}

static const char *tcp_error(const struct hp_sock *s)
{
    (void)s;
    return "";
}

const struct hp_transport_ops hp_transport_tcp = {
    .name = "tcp",
    .connect = tcp_connect,
    .finish = tcp_finish,
    .accept = tcp_accept,
    .send = tcp_send,
    .sendv = tcp_sendv,
    .recv = tcp_recv,
    .shutdown = tcp_shutdown,
    .close = tcp_close,
    .error = tcp_error,
};
