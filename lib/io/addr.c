// SPDX-License-Identifier: MIT
/* io/addr.c - parse and print socket addresses. */
#include "io/addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

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
