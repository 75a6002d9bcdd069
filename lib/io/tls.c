/* SPDX-License-Identifier: MIT */
/* io/tls.c - see tls.h. Plain TCP does the socket work (hp_transport_tcp);
 * this file adds OpenSSL's session on top, non-blocking throughout. */
#include "io/tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <sys/socket.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "io/poll.h"

struct hp_tls {
    SSL_CTX *ctx;
    bool server, resume, insecure;
    char servername[256];
    bool name_is_ip; /* servername is an address: no SNI, checked as an IP */
    X509 *cert; /* ours (server), for the fingerprint; NULL otherwise */
    pthread_mutex_t lock;
    SSL_SESSION *last; /* client, resume: the newest session the server gave */
    _Atomic int64_t handshakes, resumed;
    unsigned char alpn[64]; /* wire format: length-prefixed names */
    unsigned alpn_len;
};

struct conn {
    SSL *ssl;
    struct hp_tls *t;
    bool tcp_ok;    /* the TCP connect completed */
    bool done;      /* the handshake completed */
    bool drained;   /* a short read: the socket is empty until it says otherwise */
    int fd;
    char error[256];
};

/* ---- errors ----------------------------------------------------------- */

/* OpenSSL's queue, first reason, into buf (and the queue emptied). */
static void ssl_reason(char *buf, size_t size, const char *fallback)
{
    unsigned long e = ERR_get_error();
    if (e) {
        const char *r = ERR_reason_error_string(e);
        snprintf(buf, size, "%s", r ? r : "TLS error");
    } else {
        snprintf(buf, size, "%s", fallback);
    }
    ERR_clear_error();
}

static int fail(struct hp_err *err, int rc, const char *what)
{
    char why[200];
    ssl_reason(why, sizeof why, "failed");
    return hp_err_set(err, rc, "TLS: %s: %s", what, why);
}

/* ---- a throw-away certificate ------------------------------------------ */

/* An EC P-256 key and a certificate for localhost and 127.0.0.1 / ::1,
 * valid for a day, signed by itself. */
static int self_signed(SSL_CTX *ctx, X509 **cert_out, struct hp_err *err)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    int rc = 0;
    if (!key || !x) {
        rc = fail(err, -ENOMEM, "making a key");
        goto out;
    }
    X509_set_version(x, 2);
    unsigned char serial[16];
    if (RAND_bytes(serial, sizeof serial) != 1) {
        rc = fail(err, -EIO, "a serial number");
        goto out;
    }
    serial[0] &= 0x7f;
    BIGNUM *bn = BN_bin2bn(serial, sizeof serial, NULL);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_set_pubkey(x, key);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"localhost", -1,
                               -1, 0);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                               (const unsigned char *)"hotpath serve --tls-self-signed", -1, -1,
                               0);
    X509_set_issuer_name(x, name);
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
    X509_EXTENSION *san = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name,
                                              "DNS:localhost,IP:127.0.0.1,IP:::1");
    if (!san || !X509_add_ext(x, san, -1)) {
        X509_EXTENSION_free(san);
        rc = fail(err, -EIO, "the certificate's names");
        goto out;
    }
    X509_EXTENSION_free(san);
    if (!X509_sign(x, key, EVP_sha256()) || SSL_CTX_use_certificate(ctx, x) != 1 ||
        SSL_CTX_use_PrivateKey(ctx, key) != 1) {
        rc = fail(err, -EIO, "signing the certificate");
        goto out;
    }
    *cert_out = x;
    x = NULL;
out:
    X509_free(x);
    EVP_PKEY_free(key);
    return rc;
}

/* ---- the context -------------------------------------------------------- */

/* "h2,http/1.1" in ALPN's wire format. false if it does not fit or a name
 * is empty or longer than 255 bytes. */
static bool alpn_wire(const char *list, unsigned char *out, unsigned cap, unsigned *len)
{
    *len = 0;
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        if (n == 0 || n > 255 || *len + 1 + n > cap)
            return false;
        out[(*len)++] = (unsigned char)n;
        memcpy(out + *len, p, n);
        *len += (unsigned)n;
        p += n + (p[n] == ',');
    }
    return *len > 0;
}

/* Server: the first of our protocols the client offers. */
static int alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                       const unsigned char *in, unsigned inlen, void *arg)
{
    (void)ssl;
    struct hp_tls *t = arg;
    unsigned char *sel = NULL;
    if (SSL_select_next_proto(&sel, outlen, t->alpn, t->alpn_len, in, inlen) !=
        OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_NOACK;
    *out = sel;
    return SSL_TLSEXT_ERR_OK;
}

static int t_index = -1;
static pthread_once_t t_once = PTHREAD_ONCE_INIT;

static void t_index_make(void)
{
    t_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

/* Client, resume: keep the newest session (ours to free: return 1). */
static int new_session(SSL *ssl, SSL_SESSION *sess)
{
    struct hp_tls *t = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), t_index);
    pthread_mutex_lock(&t->lock);
    SSL_SESSION_free(t->last);
    t->last = sess;
    pthread_mutex_unlock(&t->lock);
    return 1;
}

static bool is_ip(const char *host)
{
    unsigned char buf[16];
    return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

int hp_tls_new(const struct hp_tls_opts *o, struct hp_tls **out, struct hp_err *err)
{
    pthread_once(&t_once, t_index_make);
    struct hp_tls *t = hp_calloc(1, sizeof *t);
    if (!t)
        return hp_err_set(err, -ENOMEM, "out of memory");
    pthread_mutex_init(&t->lock, NULL);
    t->server = o->server;
    t->resume = o->resume;
    t->insecure = o->insecure;
    snprintf(t->servername, sizeof t->servername, "%s", o->servername ? o->servername : "");
    t->name_is_ip = is_ip(t->servername);
    int rc = 0;
    t->ctx = SSL_CTX_new(o->server ? TLS_server_method() : TLS_client_method());
    if (!t->ctx) {
        rc = fail(err, -ENOMEM, "a context");
        goto bad;
    }
    SSL_CTX_set_ex_data(t->ctx, t_index, t);
    SSL_CTX_set_mode(t->ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                                 SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    /* A read takes what the socket holds, not one record's 5-byte header
     * and then its body: a 10-stream connection's answers arrive as ten
     * records, and two reads each were a third of the client's CPU. The buffer
     * is still released when it empties; whoever finishes a handshake
     * reads at once, as what followed it may wait in the session now. */
    SSL_CTX_set_read_ahead(t->ctx, 1);
    int lo = o->version == 13 ? TLS1_3_VERSION : TLS1_2_VERSION;
    int hi = o->version == 12 ? TLS1_2_VERSION : TLS1_3_VERSION;
    if (o->version != 0 && o->version != 12 && o->version != 13) {
        rc = hp_err_set(err, HP_EUSAGE, "--tls-version %d: 1.2 or 1.3", o->version);
        goto bad;
    }
    SSL_CTX_set_min_proto_version(t->ctx, lo);
    SSL_CTX_set_max_proto_version(t->ctx, hi);
    if (o->ciphers) { /* either list may take it: 1.2 names or 1.3 suites */
        bool ok12 = SSL_CTX_set_cipher_list(t->ctx, o->ciphers) == 1;
        ERR_clear_error();
        bool ok13 = SSL_CTX_set_ciphersuites(t->ctx, o->ciphers) == 1;
        ERR_clear_error();
        if (!ok12 && !ok13) {
            rc = hp_err_set(err, HP_EUSAGE, "--ciphers '%s': OpenSSL knows none of them",
                            o->ciphers);
            goto bad;
        }
    }
    if (o->alpn && !alpn_wire(o->alpn, t->alpn, sizeof t->alpn, &t->alpn_len)) {
        rc = hp_err_set(err, HP_EUSAGE, "ALPN list '%s' is not valid", o->alpn);
        goto bad;
    }
    if (o->self_signed) {
        if ((rc = self_signed(t->ctx, &t->cert, err)) < 0)
            goto bad;
    } else if (o->cert || o->key) {
        const char *cert = o->cert ? o->cert : o->key, *key = o->key ? o->key : o->cert;
        if (SSL_CTX_use_certificate_chain_file(t->ctx, cert) != 1) {
            rc = fail(err, HP_EINPUT, cert);
            goto bad;
        }
        if (SSL_CTX_use_PrivateKey_file(t->ctx, key, SSL_FILETYPE_PEM) != 1) {
            rc = fail(err, HP_EINPUT, key);
            goto bad;
        }
        if (SSL_CTX_check_private_key(t->ctx) != 1) {
            rc = fail(err, HP_EUSAGE, "the key does not match the certificate");
            goto bad;
        }
        X509 *x = SSL_CTX_get0_certificate(t->ctx);
        if (x && X509_up_ref(x))
            t->cert = x;
    } else if (o->server) {
        rc = hp_err_set(err, HP_EUSAGE, "a TLS server needs a certificate and a key");
        goto bad;
    }
    if (o->server) {
        static const unsigned char sid[] = "hotpath";
        SSL_CTX_set_session_id_context(t->ctx, sid, sizeof sid - 1);
        if (t->alpn_len)
            SSL_CTX_set_alpn_select_cb(t->ctx, alpn_select, t);
    } else {
        if (t->alpn_len && SSL_CTX_set_alpn_protos(t->ctx, t->alpn, t->alpn_len) != 0) {
            rc = fail(err, -ENOMEM, "ALPN");
            goto bad;
        }
        if (!o->insecure) {
            SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER, NULL);
            if (o->cafile) {
                if (SSL_CTX_load_verify_locations(t->ctx, o->cafile, NULL) != 1) {
                    rc = fail(err, HP_EINPUT, o->cafile);
                    goto bad;
                }
            } else if (SSL_CTX_set_default_verify_paths(t->ctx) != 1) {
                rc = fail(err, -EIO, "the system's certificate store");
                goto bad;
            }
        }
        if (o->resume) {
            SSL_CTX_set_session_cache_mode(t->ctx, SSL_SESS_CACHE_CLIENT |
                                                       SSL_SESS_CACHE_NO_INTERNAL_STORE);
            SSL_CTX_sess_set_new_cb(t->ctx, new_session);
        } else {
            /* Not resuming, so no tickets either: what OpenSSL keeps of a
             * TLS 1.3 server's tickets was half of a connection's memory
             * (measured: 20 KiB, and 10.8 KiB without, at 4,000). */
            SSL_CTX_set_session_cache_mode(t->ctx, SSL_SESS_CACHE_OFF);
            SSL_CTX_set_options(t->ctx, SSL_OP_NO_TICKET);
        }
    }
    *out = t;
    return 0;
bad:
    hp_tls_free(t);
    return rc;
}

void hp_tls_free(struct hp_tls *t)
{
    if (!t)
        return;
    SSL_SESSION_free(t->last);
    X509_free(t->cert);
    SSL_CTX_free(t->ctx);
    pthread_mutex_destroy(&t->lock);
    hp_free(t);
}

void hp_tls_fingerprint(const struct hp_tls *t, char *buf, size_t size)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    buf[0] = '\0';
    if (!t->cert || X509_digest(t->cert, EVP_sha256(), md, &n) != 1)
        return;
    size_t at = 0;
    for (unsigned i = 0; i < n && at + 4 <= size; i++)
        at += (size_t)snprintf(buf + at, size - at, "%s%02X", i ? ":" : "", md[i]);
}

void hp_tls_counts(const struct hp_tls *t, int64_t *handshakes, int64_t *resumed)
{
    *handshakes = atomic_load(&t->handshakes);
    *resumed = atomic_load(&t->resumed);
}

/* ---- the socket under the session --------------------------------------- */

/* OpenSSL's socket BIO, less a system call per record: with read-ahead a
 * read asks for the whole record buffer, and one that comes back short has
 * emptied the socket, so the session's next read until the caller tries
 * again (the poller said so) answers "retry" without asking the kernel.
 * Over 10 streams, reads fall from two per answer (header, then body) to
 * about one per connection and wake. */
static int sock_read(BIO *b, char *buf, int len)
{
    struct conn *c = BIO_get_data(b);
    BIO_clear_retry_flags(b);
    if (c->drained) {
        BIO_set_retry_read(b);
        return -1;
    }
    ssize_t n;
    do
        n = recv(c->fd, buf, (size_t)len, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        c->drained = true;
        BIO_set_retry_read(b);
        return -1;
    }
    if (n >= 0 && n < len)
        c->drained = true;
    return (int)n;
}

static int sock_write(BIO *b, const char *buf, int len)
{
    struct conn *c = BIO_get_data(b);
    BIO_clear_retry_flags(b);
    ssize_t n;
    do
        n = send(c->fd, buf, (size_t)len, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        BIO_set_retry_write(b);
    return (int)n;
}

static long sock_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    (void)b, (void)num, (void)ptr;
    return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static BIO_METHOD *sock_method;
static void make_sock_method(void)
{
    BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "hotpath socket");
    if (m && (!BIO_meth_set_read(m, sock_read) || !BIO_meth_set_write(m, sock_write) ||
              !BIO_meth_set_ctrl(m, sock_ctrl))) {
        BIO_meth_free(m);
        m = NULL;
    }
    sock_method = m;
}

/* ---- connections ------------------------------------------------------- */

static struct conn *conn_new(struct hp_sock *s, struct hp_tls *t)
{
    struct conn *c = hp_calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->t = t;
    c->fd = s->fd;
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, make_sock_method);
    c->ssl = SSL_new(t->ctx);
    BIO *b = c->ssl && sock_method ? BIO_new(sock_method) : NULL;
    if (!b) {
        SSL_free(c->ssl);
        hp_free(c);
        ERR_clear_error();
        return NULL;
    }
    BIO_set_data(b, c);
    BIO_set_init(b, 1);
    SSL_set_bio(c->ssl, b, b);
    s->session = c;
    return c;
}


static int tls_connect(struct hp_sock *s, const struct hp_addr *a, const struct hp_addr *from,
                       void *ctx)
{
    struct hp_tls *t = ctx;
    int rc = hp_transport_tcp.connect(s, a, from, NULL);
    if (rc < 0 && rc != -EINPROGRESS)
        return rc;
    struct conn *c = conn_new(s, t);
    if (!c) {
        hp_transport_tcp.close(s);
        return -ENOMEM;
    }
    c->tcp_ok = rc == 0;
    const char *name = t->servername;
    if (name[0]) {
        if (!t->name_is_ip) /* SNI carries host names only (RFC 6066) */
            SSL_set_tlsext_host_name(c->ssl, name);
        if (!t->insecure) {
            X509_VERIFY_PARAM *vp = SSL_get0_param(c->ssl);
            if (t->name_is_ip)
                X509_VERIFY_PARAM_set1_ip_asc(vp, name);
            else
                SSL_set1_host(c->ssl, name);
        }
    }
    if (t->resume) {
        pthread_mutex_lock(&t->lock);
        if (t->last)
            SSL_set_session(c->ssl, t->last);
        pthread_mutex_unlock(&t->lock);
    }
    SSL_set_connect_state(c->ssl);
    s->want = HP_POLL_OUT;
    return -EINPROGRESS;
}

static int tls_accept(struct hp_sock *s, int fd, const struct hp_addr *local, void *ctx)
{
    int rc = hp_transport_tcp.accept(s, fd, local, NULL);
    if (rc < 0)
        return rc;
    struct conn *c = conn_new(s, ctx);
    if (!c)
        return -ENOMEM;
    c->tcp_ok = true;
    SSL_set_accept_state(c->ssl);
    s->want = HP_POLL_IN;
    return -EINPROGRESS; /* the handshake runs in finish() */
}

/* What a failed SSL call means for the engines: -EAGAIN (with s->want) or
 * an errno, and the reason kept. */
static int ssl_failure(struct hp_sock *s, struct conn *c, int ret)
{
    int e = SSL_get_error(c->ssl, ret);
    switch (e) {
    case SSL_ERROR_WANT_READ: s->want = HP_POLL_IN; return -EAGAIN;
    case SSL_ERROR_WANT_WRITE: s->want = HP_POLL_OUT; return -EAGAIN;
    case SSL_ERROR_ZERO_RETURN: return 0;
    case SSL_ERROR_SYSCALL:
        if (ERR_peek_error() == 0) {
            int en = errno;
            ERR_clear_error();
            snprintf(c->error, sizeof c->error, "%s",
                     en ? strerror(en) : "the peer closed the connection");
            if (en)
                return -en;
            /* closed without close_notify: after the handshake the end of
             * the stream, as over TCP; during it, a reset */
            return c->done ? 0 : -ECONNRESET;
        }
        /* fall through */
    default: {
        long v = SSL_get_verify_result(c->ssl);
        ssl_reason(c->error, sizeof c->error, "TLS error");
        if (v != X509_V_OK && !c->done) {
            size_t n = strlen(c->error);
            snprintf(c->error + n, sizeof c->error - n, ": %s",
                     X509_verify_cert_error_string(v));
        }
        return -EPROTO;
    }
    }
}

static int tls_finish(struct hp_sock *s)
{
    struct conn *c = s->session;
    if (!c->tcp_ok) {
        int rc = hp_transport_tcp.finish(s);
        if (rc < 0)
            return rc;
        c->tcp_ok = true;
    }
    ERR_clear_error();
    c->drained = false;
    int r = SSL_do_handshake(c->ssl);
    if (r == 1) {
        c->done = true;
        atomic_fetch_add(&c->t->handshakes, 1);
        if (SSL_session_reused(c->ssl))
            atomic_fetch_add(&c->t->resumed, 1);
        return 0;
    }
    int rc = ssl_failure(s, c, r);
    return rc == 0 ? -ECONNRESET : rc;
}

static ssize_t tls_send(struct hp_sock *s, const void *buf, size_t len)
{
    struct conn *c = s->session;
    size_t n = 0;
    ERR_clear_error();
    c->drained = false;
    if (len == 0)
        return 0;
    int r = SSL_write_ex(c->ssl, buf, len, &n);
    if (r == 1)
        return (ssize_t)n;
    int rc = ssl_failure(s, c, r);
    return rc == 0 || rc == -ECONNRESET ? -EPIPE : rc;
}

static ssize_t tls_sendv(struct hp_sock *s, const struct iovec *iov, int n_iov)
{
    ssize_t total = 0;
    for (int i = 0; i < n_iov; i++) {
        if (iov[i].iov_len == 0)
            continue;
        ssize_t n = tls_send(s, iov[i].iov_base, iov[i].iov_len);
        if (n < 0)
            return total > 0 ? total : n;
        total += n;
        if ((size_t)n < iov[i].iov_len)
            break;
    }
    return total;
}

/* As much as fits or is there: an edge-triggered reader stops at a short
 * read, so the session is drained until OpenSSL wants the socket again. */
static ssize_t tls_recv(struct hp_sock *s, void *buf, size_t len)
{
    struct conn *c = s->session;
    size_t total = 0;
    ERR_clear_error();
    c->drained = false;
    while (total < len) {
        size_t n = 0;
        int r = SSL_read_ex(c->ssl, (char *)buf + total, len - total, &n);
        if (r == 1) {
            total += n;
            continue;
        }
        int rc = ssl_failure(s, c, r);
        if (total > 0 && (rc == -EAGAIN || rc == 0))
            break;
        return rc;
    }
    return (ssize_t)total;
}

static int tls_shutdown(struct hp_sock *s)
{
    struct conn *c = s->session;
    if (c && c->done)
        SSL_shutdown(c->ssl); /* our close_notify; the peer's is not awaited */
    ERR_clear_error();
    return hp_transport_tcp.shutdown(s);
}

static void tls_close(struct hp_sock *s)
{
    struct conn *c = s->session;
    if (c) {
        /* Closed without a shutdown, OpenSSL counts the session as bad and
         * will not resume it: send close_notify (one write, not awaited). */
        if (c->done)
            SSL_shutdown(c->ssl);
        SSL_free(c->ssl);
        hp_free(c);
        s->session = NULL;
    }
    ERR_clear_error();
    hp_transport_tcp.close(s);
}

void hp_tls_info(const struct hp_sock *s, struct hp_tls_info *out)
{
    const struct conn *c = s->session;
    memset(out, 0, sizeof *out);
    if (!c || !c->done)
        return;
    snprintf(out->version, sizeof out->version, "%s", SSL_get_version(c->ssl));
    snprintf(out->cipher, sizeof out->cipher, "%s", SSL_get_cipher_name(c->ssl));
    const unsigned char *p;
    unsigned n;
    SSL_get0_alpn_selected(c->ssl, &p, &n);
    snprintf(out->alpn, sizeof out->alpn, "%.*s", (int)n, p ? (const char *)p : "");
    out->resumed = SSL_session_reused(c->ssl);
}

bool hp_tls_alpn_is(const struct hp_sock *s, const char *proto)
{
    const struct conn *c = s->session;
    const unsigned char *p = NULL;
    unsigned n = 0;
    if (!c || !c->done)
        return false;
    SSL_get0_alpn_selected(c->ssl, &p, &n);
    return p && n == strlen(proto) && memcmp(p, proto, n) == 0;
}

static const char *tls_error(const struct hp_sock *s)
{
    const struct conn *c = s->session;
    return c ? c->error : "";
}

const struct hp_transport_ops hp_transport_tls = {
    .name = "tls",
    .connect = tls_connect,
    .finish = tls_finish,
    .accept = tls_accept,
    .send = tls_send,
    .sendv = tls_sendv,
    .recv = tls_recv,
    .shutdown = tls_shutdown,
    .close = tls_close,
    .error = tls_error,
};
