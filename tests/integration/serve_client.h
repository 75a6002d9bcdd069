/* SPDX-License-Identifier: MIT */
/* tests/integration/serve_client.h - helpers for tests that start
 * `hotpath serve` and talk to it: spawn it on a free port, plain blocking
 * HTTP/1.1 clients, responses parsed with nodejs/http-parser. */
#ifndef HP_SERVE_CLIENT_H
#define HP_SERVE_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct served {
    pid_t pid;
    int port;
    int out_fd;         /* the server's stdout, after its first line */
    char addr[128];     /* "127.0.0.1:PORT" or "unix:PATH" */
};

/* Start `HOTPATH serve ARGS... --listen 127.0.0.1:0` (unless args has
 * --listen) and read the bound address from its first line. */
void served_start(struct served *s, const char *hotpath, const char *const *args);
/* SIGTERM (or sig), wait; returns the exit status; stdout rest into out. */
int served_stop(struct served *s, int sig, char *out, size_t out_size);

int client_connect(int port);
int client_connect_unix(const char *path);
void client_send(int fd, const char *data, size_t len);

struct http_resp {
    int status;
    int64_t body_len;
    char body[256];   /* first bytes of the body */
    bool keep_alive;
    int interim;      /* 1xx responses seen before this one */
};

/* Read n responses (pipelined or not) from fd, for requests whose methods
 * were HEAD when is_head[i] (NULL: none). Returns how many arrived before
 * EOF. */
int client_read(int fd, struct http_resp *out, int n, const bool *is_head);
/* One request, one response, on a fresh connection. */
struct http_resp client_get(int port, const char *path);

#endif
