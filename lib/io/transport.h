/* SPDX-License-Identifier: MIT */
/* io/transport.h - the transport seam: how a connection's bytes travel,
 * behind one table of functions per kind (wrk keeps plain and TLS sockets
 * behind one `struct sock` the same way). A worker holds one table for all
 * its connections; each connection holds a struct hp_sock, the per-
 * connection state every kind needs (a descriptor, and a pointer a kind
 * such as TLS hangs its session on).
 *
 * Kinds: plain TCP and unix sockets (io/tcp.c). TLS is a new file that
 * fills the same table: connect() makes the socket, finish() runs the
 * handshake until it is done, send()/recv() go through the session.
 *
 * Every call returns what the engines need and nothing they must decode:
 * a byte count, 0 for done (or end of stream from recv), -EAGAIN for "would
 * block: wait for s->want", or another negative errno. No call raises
 * SIGPIPE. */
#ifndef HP_IO_TRANSPORT_H
#define HP_IO_TRANSPORT_H

#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "io/addr.h"

struct hp_sock {
    int fd;        /* -1 when closed */
    uint32_t want; /* after -EAGAIN from finish(): HP_POLL_IN or HP_POLL_OUT */
    void *session; /* the kind's own per-connection state (TLS), or NULL */
};

struct hp_transport_ops {
    const char *name;
    /* Client: make a non-blocking socket to a and start connecting, from
     * the local address `from` when not NULL (its port chosen at connect,
     * so each source address has its own ephemeral ports). 0 when
     * connected at once, -EINPROGRESS when under way (wait for HP_POLL_OUT,
     * then finish()), another negative errno when it failed (s->fd is then
     * -1). ctx: the kind's shared context (TLS: struct hp_tls), or NULL. */
    int (*connect)(struct hp_sock *s, const struct hp_addr *a, const struct hp_addr *from,
                   void *ctx);
    /* Client, once writable: the connect's outcome and any handshake. 0
     * ready; -EAGAIN: wait for s->want; a negative errno (-ECONNREFUSED...). */
    int (*finish)(struct hp_sock *s);
    /* Server: adopt an accepted non-blocking descriptor. 0 ready;
     * -EINPROGRESS: a handshake to run with finish() (TLS) first; or
     * -errno. */
    int (*accept)(struct hp_sock *s, int fd, const struct hp_addr *local, void *ctx);
    ssize_t (*send)(struct hp_sock *s, const void *buf, size_t len);
    ssize_t (*sendv)(struct hp_sock *s, const struct iovec *iov, int n_iov);
    /* > 0 bytes, 0 at the end of the stream, -EAGAIN, or -errno. */
    ssize_t (*recv)(struct hp_sock *s, void *buf, size_t len);
    /* End our side of the stream (the peer reads to its end); 0 or -errno. */
    int (*shutdown)(struct hp_sock *s);
    /* Close and forget; s->fd becomes -1. Safe on a closed one. */
    void (*close)(struct hp_sock *s);
    /* Why the last call on s failed, in the kind's words (TLS: OpenSSL's
     * reason and the certificate check's), or "" when the errno says it
     * all. Valid until the next call on s. */
    const char *(*error)(const struct hp_sock *s);
};

static inline void hp_sock_init(struct hp_sock *s)
{
    s->fd = -1;
    s->want = 0;
    s->session = NULL;
}

/* Plain TCP (TCP_NODELAY) and unix stream sockets; no context. */
extern const struct hp_transport_ops hp_transport_tcp;
/* TLS (io/tls.h), its context a struct hp_tls. */
extern const struct hp_transport_ops hp_transport_tls;

#endif
