/* SPDX-License-Identifier: MIT */
/* src/cli.h - the command table, option parsing and help for the hotpath
 * CLI. Each command describes itself once (struct hp_cmd); `hotpath help
 * CMD`, `CMD --help` and docs/commands/CMD.md are all printed from that. */
#ifndef HP_CLI_H
#define HP_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"
#include "core/names.h"

#define CLI_HELP (-100) /* id every command gives its -h/--help */

struct cli_opt {
    int id;            /* > 0, returned by cli_next */
    const char *name;  /* long name without "--" */
    char short_name;   /* 0 when none */
    const char *arg;   /* metavariable ("ADDR") or NULL for a flag */
    const char *help;  /* one or more sentences; shown wrapped */
};

struct hp_cmd {
    const char *name;
    const char *summary;     /* one line, for `hotpath help` */
    const char *usage;       /* after "hotpath ": "serve [options]" */
    const char *description; /* paragraphs separated by blank lines */
    const struct cli_opt *opts;
    const char *examples;    /* lines: "command  # comment" */
    int (*run)(const struct hp_cmd *cmd, int argc, char **argv);
};

/* All commands, NULL-terminated. */
extern const struct hp_cmd *const hp_commands[];
const struct hp_cmd *hp_cmd_find(const char *name);

enum { CLI_DONE = 0, CLI_POSITIONAL = -1, CLI_ERROR = -2 };

struct cli_parser {
    const struct hp_cmd *cmd;
    int argc;
    char **argv;
    int i;
    bool only_positional; /* after "--" */
    const char *short_rest; /* rest of a "-abc" cluster */
};

void cli_init(struct cli_parser *p, const struct hp_cmd *cmd, int argc, char **argv);
/* Next option id (value set for options with an argument), CLI_POSITIONAL
 * (value is the argument), CLI_DONE, or CLI_ERROR after printing a one-line
 * error that suggests the nearest option name. */
int cli_next(struct cli_parser *p, const char **value);


/* Print "hotpath CMD: message" on stderr; returns exit code 2 (usage). */
int cli_usage_error(const struct hp_cmd *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Print the hp_err as "hotpath CMD: FILE:LINE:COL: msg"; returns
 * hp_exit_code(code). */
int cli_fail(const struct hp_cmd *cmd, int code, const struct hp_err *err);

/* Option value parsers: on bad input they print the error and return false. */
bool cli_duration(const struct hp_cmd *cmd, const char *opt, const char *v, int64_t *out_ns);
bool cli_int(const struct hp_cmd *cmd, const char *opt, const char *v, int64_t min, int64_t max,
             int64_t *out);
bool cli_percent(const struct hp_cmd *cmd, const char *opt, const char *v, double *out);

/* Split the comma-separated value of --opt into at most max items, copied
 * into buf. Returns the number of items, or -1 after printing an error (too
 * many, an empty item, or longer than buf). */
int cli_split(const struct hp_cmd *cmd, const char *opt, const char *v, char *buf, size_t size,
              char **items, int max);

/* Whether s ends with suffix (an output's extension: ".svg"). */
bool cli_ends_with(const char *s, const char *suffix);
/* A command's words (NULL-terminated) joined by spaces into buf, cut to
 * size: how a started command is named in output and documents. */
void cli_join_words(char *const *words, char *buf, size_t size);

/* Options that only store their value, described by a table instead of a
 * case each: where the value goes (offsetof into the caller's struct) and
 * how it is read. A duration or whole number out of [min, max] is refused;
 * a duration of 0 is refused when min is 1. */
/* CLI_DURATION_S takes a bare number as seconds, CLI_COUNT "1k" for 1000
 * (wrk's -d 30 and -c 1k). */
enum cli_kind { CLI_STR = 1, CLI_FLAG, CLI_INT, CLI_INT64, CLI_DURATION, CLI_DURATION_S,
                CLI_COUNT };
struct cli_field {
    int id;
    enum cli_kind kind;
    size_t offset;
    int64_t min, max;
};
/* Store option id's value v as its field says. 1 when stored, 0 when id has
 * no field, -1 after printing an error. */
int cli_store(const struct hp_cmd *cmd, const struct cli_field *fields, int id, const char *v,
              void *base);

/* The TLS flags every command that speaks HTTP takes, as option ids
 * base..base+6 (CLI_TLS_COUNT of them): put CLI_TLS_OPTS(base) in the
 * command's table and hand each option to cli_tls_store. */
#define CLI_TLS_COUNT 7
#define CLI_TLS_OPTS(b)                                                                        \
    {(b) + 0, "insecure", 'k', NULL,                                                           \
     "https: do not check the server's certificate or its name (self-signed test servers)."}, \
    {(b) + 1, "cacert", 0, "FILE",                                                             \
     "https: trust the certificates in FILE (PEM) instead of the system's store."},            \
    {(b) + 2, "cert", 0, "FILE", "https: a client certificate (PEM) to send when asked."},     \
    {(b) + 3, "key", 0, "FILE", "https: the client certificate's key (PEM)."},                 \
    {(b) + 4, "tls-version", 0, "1.2|1.3", "https: only this TLS version."},                   \
    {(b) + 5, "ciphers", 0, "LIST",                                                            \
     "https: the TLS 1.2 ciphers or TLS 1.3 suites to offer, in OpenSSL's syntax."},           \
    {(b) + 6, "servername", 0, "NAME",                                                         \
     "https: the name sent in SNI and checked in the certificate (default the URL's host)."}
struct hp_tls_opts;
/* Option id, if one of the TLS flags at base, into o. 1 stored, 0 not one
 * of them, -1 after printing a usage error. */
int cli_tls_store(const struct hp_cmd *cmd, int id, int base, const char *v, struct hp_tls_opts *o);

void cli_print_help(const struct hp_cmd *cmd, FILE *out);
void cli_print_markdown(const struct hp_cmd *cmd, FILE *out);

#endif
