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
/* Local source addresses (`load --source-addrs`): a list "10.0.0.1,10.0.0.2"
 * (IPv4 or IPv6, no ports), an IPv4 range "127.0.0.2-127.0.0.200", or
 * both, comma-separated; at most HP_ADDR_MAX_SOURCES. *out is an array of
 * *n (hp_free). 0, or HP_EPARSE with err naming the item. */
#define HP_ADDR_MAX_SOURCES 65536
int hp_addr_parse_sources(const char *text, struct hp_addr **out, int *n, struct hp_err *err);

/* Port of an inet address, 0 for unix sockets. */
int hp_addr_port(const struct hp_addr *a);

#endif
