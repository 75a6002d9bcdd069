/* SPDX-License-Identifier: MIT */
/* io/addr.h - socket addresses as people write them: "127.0.0.1:8080",
 * "[::1]:8080", "localhost:0", "unix:/run/x.sock". */
#ifndef HP_IO_ADDR_H
#define HP_IO_ADDR_H

#include <stddef.h>
#include <sys/socket.h>

#include "core/err.h"

struct hp_addr {
    struct sockaddr_storage ss;
    socklen_t len;
};

/* Parse and resolve (numeric or via getaddrinfo, first result). Returns 0,
 * HP_EPARSE, or -EHOSTUNREACH when the name does not resolve. */
int hp_addr_parse(const char *text, struct hp_addr *out, struct hp_err *err);
/* "127.0.0.1:8080", "[::1]:8080" or "unix:/path" into buf (>= 128 bytes). */
char *hp_addr_format(const struct hp_addr *a, char *buf, size_t size);
/* Port of an inet address, 0 for unix sockets. */
int hp_addr_port(const struct hp_addr *a);

#endif
