// SPDX-License-Identifier: MIT
/* tests/integration/serve_client.c - see serve_client.h. */
#include "serve_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <http_parser.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what)
{
    fprintf(stderr, "serve_client: %s: %s\n", what, strerror(errno));
    abort();
}

void served_start(struct served *s, const char *hotpath, const char *const *args)
{
    const char *argv[64];
    int n = 0, pipefd[2];
    bool has_listen = false;

    argv[n++] = hotpath;
    argv[n++] = "serve";
    for (; args && *args && n < 60; args++) {
        if (strcmp(*args, "--listen") == 0)
            has_listen = true;
        argv[n++] = *args;
    }
    if (!has_listen) {
        argv[n++] = "--listen";
        argv[n++] = "127.0.0.1:0";
    }
    argv[n] = NULL;
    if (pipe(pipefd) < 0)
        die("pipe");
    s->pid = fork();
    if (s->pid < 0)
        die("fork");
    if (s->pid == 0) {
        /* A failed assertion ends the test without served_stop(): the server
         * must not outlive it (and hold meson's output pipe open). */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(pipefd[1], STDOUT_FILENO);
        close(pipefd[0]);
        close(pipefd[1]);
        execv(hotpath, (char *const *)argv);
        _exit(127);
    }
    close(pipefd[1]);
    s->out_fd = pipefd[0];
    /* First line: "listening on http://127.0.0.1:PORT (N threads)". */
    char line[256];
    size_t len = 0;
    while (len < sizeof line - 1) {
        struct pollfd p = {.fd = s->out_fd, .events = POLLIN};
        if (poll(&p, 1, 10000) <= 0)
            die("no listening line from hotpath serve within 10s");
        if (read(s->out_fd, line + len, 1) != 1)
            die("hotpath serve exited before listening");
        if (line[len] == '\n')
            break;
        len++;
    }
    line[len] = '\0';
    const char *at = strstr(line, "listening on ");
    if (!at) {
        fprintf(stderr, "unexpected first line: %s\n", line);
        abort();
    }
    at += strlen("listening on ");
    if (strncmp(at, "http://", 7) == 0)
        at += 7;
    snprintf(s->addr, sizeof s->addr, "%.*s", (int)strcspn(at, " "), at);
    const char *colon = strrchr(s->addr, ':');
    s->port = strncmp(s->addr, "unix:", 5) == 0 ? 0 : atoi(colon + 1);
}

int served_stop(struct served *s, int sig, char *out, size_t out_size)
{
    int status = 0;
    size_t len = 0;
    kill(s->pid, sig);
    for (;;) {
        ssize_t n = read(s->out_fd, out ? out + len : (char[256]){0},
                         out ? out_size - 1 - len : 256);
        if (n <= 0)
            break;
        if (out)
            len += (size_t)n;
        if (out && len >= out_size - 1)
            break;
    }
    if (out)
        out[len] = '\0';
    close(s->out_fd);
    waitpid(s->pid, &status, 0);
    return status;
}

int client_connect(int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0)
        die("connect");
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

int client_connect_unix(const char *path)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0)
        die("connect unix");
    return fd;
}

void client_send(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("send");
        }
        data += n;
        len -= (size_t)n;
    }
}

struct read_state {
    struct http_resp *out;
    int want, got;
    const bool *is_head;
    int interim;
};

static int on_headers_complete(http_parser *p)
{
    struct read_state *st = p->data;
    if (p->status_code >= 100 && p->status_code < 200) {
        st->interim++;
        return 0;
    }
    struct http_resp *r = &st->out[st->got];
    memset(r, 0, sizeof *r);
    r->status = (int)p->status_code;
    r->keep_alive = http_should_keep_alive(p) != 0;
    r->interim = st->interim;
    st->interim = 0;
    /* 1: a response to HEAD has no body whatever its headers say. */
    return st->is_head && st->is_head[st->got] ? 1 : 0;
}

static int on_body(http_parser *p, const char *at, size_t len)
{
    struct read_state *st = p->data;
    struct http_resp *r = &st->out[st->got];
    size_t room = sizeof r->body - 1 - (size_t)(r->body_len < 255 ? r->body_len : 255);
    if (r->body_len < 255)
        memcpy(r->body + r->body_len, at, len < room ? len : room);
    r->body_len += (int64_t)len;
    return 0;
}

static int on_message_complete(http_parser *p)
{
    struct read_state *st = p->data;
    if (p->status_code >= 100 && p->status_code < 200)
        return 0;
    st->got++;
    if (st->got >= st->want)
        http_parser_pause(p, 1);
    return 0;
}

int client_read(int fd, struct http_resp *out, int n, const bool *is_head)
{
    static http_parser_settings settings;
    http_parser p;
    struct read_state st = {.out = out, .want = n, .is_head = is_head};
    char buf[65536];

    settings.on_headers_complete = on_headers_complete;
    settings.on_body = on_body;
    settings.on_message_complete = on_message_complete;
    http_parser_init(&p, HTTP_RESPONSE);
    p.data = &st;
    while (st.got < n) {
        ssize_t len = recv(fd, buf, sizeof buf, 0);
        if (len < 0 && errno == EINTR)
            continue;
        if (len <= 0) {
            http_parser_execute(&p, &settings, buf, 0); /* EOF ends a close-delimited body */
            break;
        }
        size_t used = http_parser_execute(&p, &settings, buf, (size_t)len);
        if (HTTP_PARSER_ERRNO(&p) == HPE_PAUSED)
            break;
        if (HTTP_PARSER_ERRNO(&p) != HPE_OK || used != (size_t)len) {
            fprintf(stderr, "client_read: %s\n", http_errno_name(HTTP_PARSER_ERRNO(&p)));
            break;
        }
    }
    return st.got;
}

struct http_resp client_get(int port, const char *path)
{
    char req[512];
    struct http_resp r = {0};
    int fd = client_connect(port);
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: test\r\n\r\n", path);
    client_send(fd, req, (size_t)n);
    if (client_read(fd, &r, 1, NULL) != 1)
        r.status = -1;
    close(fd);
    return r;
}
