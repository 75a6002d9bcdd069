// SPDX-License-Identifier: MIT
/* io/addr.c - parse and print socket addresses. */
#include "io/addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "core/alloc.h"

int hp_addr_parse(const char *text, struct hp_addr *out, struct hp_err *err)
{
    char host[256];
    const char *port;
    struct addrinfo hints = {0}, *res = NULL;

    memset(out, 0, sizeof *out);
    if (strncmp(text, "unix:", 5) == 0) {
        struct sockaddr_un *un = (struct sockaddr_un *)&out->ss;
        size_t n = strlen(text + 5);
        if (n == 0 || n >= sizeof un->sun_path)
            return hp_err_set(err, HP_EPARSE, "'%s': unix socket path empty or longer than %zu",
                              text, sizeof un->sun_path - 1);
        un->sun_family = AF_UNIX;
        memcpy(un->sun_path, text + 5, n + 1);
        out->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
        return 0;
    }
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (!close || close[1] != ':')
            return hp_err_set(err, HP_EPARSE, "'%s': expected [IPv6]:PORT", text);
        snprintf(host, sizeof host, "%.*s", (int)(close - text - 1), text + 1);
        port = close + 2;
    } else {
        const char *colon = strrchr(text, ':');
        if (!colon)
            return hp_err_set(err, HP_EPARSE, "'%s': expected HOST:PORT, [IPv6]:PORT or unix:PATH",
                              text);
        snprintf(host, sizeof host, "%.*s", (int)(colon - text), text);
        port = colon + 1;
    }
    char *end;
    long p = strtol(port, &end, 10);
    if (!*port || *end || p < 0 || p > 65535)
        return hp_err_set(err, HP_EPARSE, "'%s': port '%s' is not a number 0-65535", text, port);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | (host[0] ? 0 : AI_PASSIVE);
    int grc = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
    if (grc != 0 || !res)
        return hp_err_set(err, -EHOSTUNREACH, "'%s': cannot resolve '%s': %s", text, host,
                          gai_strerror(grc));
    memcpy(&out->ss, res->ai_addr, res->ai_addrlen);
    out->len = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

int hp_addr_port(const struct hp_addr *a)
{
    if (a->ss.ss_family == AF_INET)
        return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
    if (a->ss.ss_family == AF_INET6)
        return ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port);
    return 0;
}

char *hp_addr_format(const struct hp_addr *a, char *buf, size_t size)
{
    char ip[INET6_ADDRSTRLEN];
    switch (a->ss.ss_family) {
    case AF_INET:
        inet_ntop(AF_INET, &((const struct sockaddr_in *)&a->ss)->sin_addr, ip, sizeof ip);
        snprintf(buf, size, "%s:%d", ip, hp_addr_port(a));
        break;
    case AF_INET6:
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)&a->ss)->sin6_addr, ip, sizeof ip);
        snprintf(buf, size, "[%s]:%d", ip, hp_addr_port(a));
        break;
    case AF_UNIX:
        snprintf(buf, size, "unix:%s", ((const struct sockaddr_un *)&a->ss)->sun_path);
        break;
    default: snprintf(buf, size, "(unknown address family %d)", a->ss.ss_family);
    }
    return buf;
}

/* One numeric address, no port, into a (port 0). */
static bool numeric(const char *text, struct hp_addr *a)
{
    struct sockaddr_in *v4 = (struct sockaddr_in *)&a->ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&a->ss;
    memset(a, 0, sizeof *a);
    if (inet_pton(AF_INET, text, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        a->len = sizeof *v4;
        return true;
    }
    if (inet_pton(AF_INET6, text, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        a->len = sizeof *v6;
        return true;
    }
    return false;
}

int hp_addr_parse_sources(const char *text, struct hp_addr **out, int *n, struct hp_err *err)
{
    struct hp_addr *list = NULL;
    size_t cap = 0;
    int count = 0;
    const char *p = text;
    *out = NULL;
    *n = 0;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char item[100], lo_s[50], hi_s[50];
        if (len == 0 || len >= sizeof item)
            goto bad;
        memcpy(item, p, len);
        item[len] = 0;
        const char *dash = strchr(item, '-');
        struct hp_addr lo, hi;
        uint32_t from, to;
        if (dash) {
            snprintf(lo_s, sizeof lo_s, "%.*s", (int)(dash - item), item);
            snprintf(hi_s, sizeof hi_s, "%s", dash + 1);
            if (!numeric(lo_s, &lo) || !numeric(hi_s, &hi) || lo.ss.ss_family != AF_INET ||
                hi.ss.ss_family != AF_INET)
                goto bad;
            from = ntohl(((struct sockaddr_in *)&lo.ss)->sin_addr.s_addr);
            to = ntohl(((struct sockaddr_in *)&hi.ss)->sin_addr.s_addr);
            if (to < from) {
                hp_free(list);
                return hp_err_set(err, HP_EPARSE, "--source-addrs: '%s' runs backwards", item);
            }
        } else {
            if (!numeric(item, &lo))
                goto bad;
            from = to = 0;
        }
        for (uint64_t v = from; v <= to; v++) {
            if (count == HP_ADDR_MAX_SOURCES) {
                hp_free(list);
                return hp_err_set(err, HP_EPARSE, "--source-addrs: more than %d addresses",
                                  HP_ADDR_MAX_SOURCES);
            }
            if (HP_GROW(list, cap, (size_t)count + 1, 16) < 0) {
                hp_free(list);
                return hp_err_set(err, -ENOMEM, "out of memory");
            }
            list[count] = lo;
            if (dash)
                ((struct sockaddr_in *)&list[count].ss)->sin_addr.s_addr = htonl((uint32_t)v);
            count++;
        }
        if (!comma)
            break;
        p = comma + 1;
        continue;
    bad:
        hp_free(list);
        return hp_err_set(err, HP_EPARSE,
                          "--source-addrs: '%.*s' is not an address or an IPv4 range "
                          "(127.0.0.2-127.0.0.200)",
                          (int)len, p);
    }
    if (count == 0) {
        hp_free(list);
        return hp_err_set(err, HP_EPARSE, "--source-addrs: no address given");
    }
    *out = list;
    *n = count;
    return 0;
}
