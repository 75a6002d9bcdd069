/* SPDX-License-Identifier: MIT */
/* io/tls.h - TLS (OpenSSL 3) behind the transport seam of io/transport.h.
 *
 * A struct hp_tls is one SSL_CTX and the run's choices, shared by every
 * connection of every worker (OpenSSL's contexts are thread-safe once
 * built). hp_transport_tls's connect() makes the TCP socket; finish() runs
 * the handshake without blocking, asking for HP_POLL_IN or HP_POLL_OUT as
 * OpenSSL wants; send() and recv() go through the session. A failed
 * handshake is -EPROTO, and the transport's error() says why in OpenSSL's
 * words (with the certificate check's result when that is what failed).
 *
 * Memory: SSL_MODE_RELEASE_BUFFERS frees a connection's 16 KiB record
 * buffers whenever they are empty, which is most of the time. */
#ifndef HP_IO_TLS_H
#define HP_IO_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "io/transport.h"

struct hp_tls_opts {
    bool server;
    /* client */
    bool insecure;          /* no certificate or host name check (-k) */
    const char *cafile;     /* trust these (PEM) instead of the system's store */
    const char *servername; /* SNI and the name checked; the URL's host by default */
    bool resume;            /* offer the last session (ticket or ID) on new connections */
    /* both: a certificate and its key (PEM); the client's is sent when asked */
    const char *cert, *key;
    bool self_signed; /* server: a throw-away key and certificate made in memory */
    int version;      /* 0: 1.2 or 1.3; 12 or 13: only that one */
    const char *ciphers; /* TLS 1.2 cipher list and TLS 1.3 suites, OpenSSL's syntax */
    /* ALPN protocols in order of preference ("h2,http/1.1"), or NULL */
    const char *alpn;
};

struct hp_tls;

/* 0, or a negative errno / HP_EINPUT (an unreadable file) / HP_EUSAGE (a
 * bad option) with err naming what was wrong, in OpenSSL's words. */
int hp_tls_new(const struct hp_tls_opts *o, struct hp_tls **out, struct hp_err *err);
void hp_tls_free(struct hp_tls *t); /* NULL is fine */

/* The server certificate's SHA-256 fingerprint, "AB:CD:...". */
void hp_tls_fingerprint(const struct hp_tls *t, char *buf, size_t size);

/* What a connection negotiated, once its handshake is done. */
struct hp_tls_info {
    char version[16]; /* "TLSv1.3" */
    char cipher[64];
    char alpn[32];    /* "" when none was agreed */
    bool resumed;
};
void hp_tls_info(const struct hp_sock *s, struct hp_tls_info *out);
/* Did the handshake agree on this ALPN protocol ("h2")? */
bool hp_tls_alpn_is(const struct hp_sock *s, const char *proto);

/* Sessions the context's connections resumed and handshakes they made. */
void hp_tls_counts(const struct hp_tls *t, int64_t *handshakes, int64_t *resumed);

#endif
