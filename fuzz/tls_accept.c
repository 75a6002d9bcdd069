// SPDX-License-Identifier: MIT
/* fuzz/tls_accept.c - the TLS transport as a server (io/tls.c) fed any bytes
 * as the client's side of a connection: accept, then the handshake through
 * finish() until it needs more than the input has, then recv and close.
 * Invariants: finish() returns 0, -EAGAIN or a negative errno and nothing
 * else; a failure has a reason; nothing leaks (ASan). The input goes
 * through a socketpair, as a peer's bytes would. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz.h"
#include "io/tls.h"

static struct hp_tls *tls;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!tls) {
        struct hp_tls_opts o = {.server = true, .self_signed = true, .alpn = "h2,http/1.1"};
        FUZZ_ASSERT(hp_tls_new(&o, &tls, NULL) == 0);
    }
    if (size > 60000) /* what one socket buffer surely holds */
        return 0;
    int sv[2];
    FUZZ_ASSERT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0);
    if (size > 0)
        FUZZ_ASSERT(write(sv[1], data, size) == (ssize_t)size);
    shutdown(sv[1], SHUT_WR);
    struct hp_addr local = {.len = sizeof(sa_family_t)};
    local.ss.ss_family = AF_UNIX;
    struct hp_sock s;
    hp_sock_init(&s);
    int rc = hp_transport_tls.accept(&s, sv[0], &local, tls);
    FUZZ_ASSERT(rc == -EINPROGRESS);
    for (int i = 0; i < 8; i++) {
        rc = hp_transport_tls.finish(&s);
        FUZZ_ASSERT(rc <= 0);
        if (rc != -EAGAIN)
            break;
    }
    if (rc < 0 && rc != -EAGAIN)
        FUZZ_ASSERT(hp_transport_tls.error(&s)[0] != '\0');
    if (rc == 0) {
        char buf[4096];
        (void)hp_transport_tls.recv(&s, buf, sizeof buf);
    }
    hp_transport_tls.close(&s);
    close(sv[1]);
    return 0;
}
