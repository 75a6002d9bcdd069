// SPDX-License-Identifier: MIT
/* src/cli.c - option parsing, suggestions and help rendering. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/file.h"
#include "core/units.h"
#include "io/tls.h"

void cli_init(struct cli_parser *p, const struct hp_cmd *cmd, int argc, char **argv)
{
    p->cmd = cmd;
    p->argc = argc;
    p->argv = argv;
    p->i = 1;
    p->only_positional = false;
    p->short_rest = NULL;
}

/* One error line on stderr, with what came from outside (arguments, file
 * contents) made safe for a terminal: control bytes and bytes that are not
 * UTF-8 are written as \xNN instead of being echoed. */
static void put_error_line(const struct hp_cmd *cmd, const char *text)
{
    /* Built whole, then written at once: stderr is unbuffered, and a reader
     * should never see half a line. */
    char line[8 * HP_ERR_MSG_MAX];
    size_t o = (size_t)snprintf(line, sizeof line, "hotpath%s%s: ", cmd ? " " : "",
                                cmd ? cmd->name : "");
    const unsigned char *p = (const unsigned char *)text;
    while (*p && o + 8 < sizeof line) {
        int len = *p < 0x80                ? 1
                  : (*p & 0xe0) == 0xc0   ? 2
                  : (*p & 0xf0) == 0xe0   ? 3
                  : (*p & 0xf8) == 0xf0   ? 4
                                          : 0;
        bool ok = len > 0 && (*p >= 0x20 || *p == '\t') && *p != 0x7f;
        for (int k = 1; ok && k < len; k++)
            ok = (p[k] & 0xc0) == 0x80;
        if (!ok) {
            o += (size_t)snprintf(line + o, sizeof line - o, "\\x%02x", *p++);
            continue;
        }
        memcpy(line + o, p, (size_t)len);
        o += (size_t)len;
        p += len;
    }
    line[o++] = '\n';
    fwrite(line, 1, o, stderr);
}

int cli_usage_error(const struct hp_cmd *cmd, const char *fmt, ...)
{
    char buf[2 * HP_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    put_error_line(cmd, buf);
    return HP_EXIT_USAGE;
}

int cli_fail(const struct hp_cmd *cmd, int code, const struct hp_err *err)
{
    char buf[HP_ERR_MSG_MAX + HP_ERR_FILE_MAX + 32];
    if (err && err->msg[0])
        hp_err_format(err, buf, sizeof buf);
    else
        snprintf(buf, sizeof buf, "%s", hp_strerror(code));
    put_error_line(cmd, buf);
    return hp_exit_code(code);
}

static const struct cli_opt help_opt = {CLI_HELP, "help", 'h', NULL, "Show this help."};

static const struct cli_opt *find_long(const struct hp_cmd *cmd, const char *name, size_t len)
{
    if (len == 4 && strncmp(name, "help", 4) == 0)
        return &help_opt;
    for (const struct cli_opt *o = cmd->opts; o && o->id; o++)
        if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
            return o;
    return NULL;
}

static const struct cli_opt *find_short(const struct hp_cmd *cmd, char c)
{
    if (c == 'h')
        return &help_opt;
    for (const struct cli_opt *o = cmd->opts; o && o->id; o++)
        if (o->short_name == c)
            return o;
    return NULL;
}

static int unknown_long(struct cli_parser *p, const char *name, size_t len)
{
    const char *names[64];
    int n = 0;
    char word[64];
    snprintf(word, sizeof word, "%.*s", (int)len, name);
    for (const struct cli_opt *o = p->cmd->opts; o && o->id && n < 63; o++)
        names[n++] = o->name;
    names[n++] = "help";
    const char *near = hp_nearest(word, names, n);
    if (near)
        cli_usage_error(p->cmd, "unknown option '--%s' (did you mean --%s?)", word, near);
    else
        cli_usage_error(p->cmd, "unknown option '--%s' (see 'hotpath %s --help')", word,
                        p->cmd->name);
    return CLI_ERROR;
}

/* Options that name a file to write: checked as they are read, so that a
 * missing folder is found before the run, not after it. */
static const char *const output_opts[] = {
    "json",        "output",          "truth",      "junit", "summary-md", "hdr-log", "csv",
    "export-json", "export-markdown", "export-csv", NULL};

static int checked(const struct cli_parser *p, const struct cli_opt *o, const char *value)
{
    struct hp_err err = {0};
    for (const char *const *n = output_opts; *n; n++) {
        if (strcmp(o->name, *n) != 0)
            continue;
        if (hp_file_check_output(value, &err) < 0) {
            cli_usage_error(p->cmd, "--%s %s: %s", o->name, value, err.msg);
            return CLI_ERROR;
        }
        break;
    }
    return o->id;
}

int cli_next(struct cli_parser *p, const char **value)
{
    const struct cli_opt *o;

    *value = NULL;
    if (p->short_rest && *p->short_rest) {
        char c = *p->short_rest++;
        o = find_short(p->cmd, c);
        if (!o) {
            cli_usage_error(p->cmd, "unknown option '-%c' (see 'hotpath %s --help')", c,
                            p->cmd->name);
            return CLI_ERROR;
        }
        if (o->arg) {
            if (*p->short_rest) {
                *value = p->short_rest;
            } else if (p->i < p->argc) {
                *value = p->argv[p->i++];
            } else {
                cli_usage_error(p->cmd, "option '-%c' needs a value (%s)", c, o->arg);
                return CLI_ERROR;
            }
            p->short_rest = NULL;
            return checked(p, o, *value);
        }
        return o->id;
    }
    p->short_rest = NULL;
    if (p->i >= p->argc)
        return CLI_DONE;
    char *a = p->argv[p->i++];
    if (p->only_positional || a[0] != '-' || a[1] == '\0') {
        *value = a;
        return CLI_POSITIONAL;
    }
    if (strcmp(a, "--") == 0) {
        p->only_positional = true;
        return cli_next(p, value);
    }
    if (a[1] != '-') {
        p->short_rest = a + 1;
        return cli_next(p, value);
    }
    const char *name = a + 2;
    const char *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    o = find_long(p->cmd, name, len);
    if (!o)
        return unknown_long(p, name, len);
    if (!o->arg) {
        if (eq) {
            cli_usage_error(p->cmd, "option '--%s' takes no value", o->name);
            return CLI_ERROR;
        }
        return o->id;
    }
    if (o->arg[0] == '[') { /* "[=VALUE]": a value only when joined by '=' */
        *value = eq ? eq + 1 : NULL;
        return o->id;
    }
    if (eq) {
        *value = eq + 1;
    } else if (p->i < p->argc) {
        *value = p->argv[p->i++];
    } else {
        cli_usage_error(p->cmd, "option '--%s' needs a value (%s)", o->name, o->arg);
        return CLI_ERROR;
    }
    return checked(p, o, *value);
}

bool cli_duration(const struct hp_cmd *cmd, const char *opt, const char *v, int64_t *out_ns)
{
    struct hp_err err;
    if (hp_parse_duration(v, out_ns, &err) == 0)
        return true;
    cli_usage_error(cmd, "--%s: %s", opt, err.msg);
    return false;
}

bool cli_int(const struct hp_cmd *cmd, const char *opt, const char *v, int64_t min, int64_t max,
             int64_t *out)
{
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (!*v || *end || errno) {
        cli_usage_error(cmd, "--%s: '%s' is not a whole number", opt, v);
        return false;
    }
    if (n < min || n > max) {
        cli_usage_error(cmd, "--%s: %lld is out of range (expected %lld-%lld)", opt, n,
                        (long long)min, (long long)max);
        return false;
    }
    *out = n;
    return true;
}

int cli_tls_store(const struct hp_cmd *cmd, int id, int base, const char *v, struct hp_tls_opts *o)
{
    switch (id - base) {
    case 0: o->insecure = true; return 1;
    case 1: o->cafile = v; return 1;
    case 2: o->cert = v; return 1;
    case 3: o->key = v; return 1;
    case 4:
        if (strcmp(v, "1.2") != 0 && strcmp(v, "1.3") != 0) {
            cli_usage_error(cmd, "--tls-version: '%s' (expected 1.2 or 1.3)", v);
            return -1;
        }
        o->version = v[2] == '2' ? 12 : 13;
        return 1;
    case 5: o->ciphers = v; return 1;
    case 6: o->servername = v; return 1;
    default: return 0;
    }
}

int cli_store(const struct hp_cmd *cmd, const struct cli_field *fields, int id, const char *v,
              void *base)
{
    const char *name = "";
    for (const struct cli_opt *o = cmd->opts; o && o->name; o++)
        if (o->id == id)
            name = o->name;
    for (const struct cli_field *f = fields; f->id; f++) {
        if (f->id != id)
            continue;
        void *dst = (char *)base + f->offset;
        int64_t n;
        switch (f->kind) {
        case CLI_STR: *(const char **)dst = v; return 1;
        case CLI_FLAG: *(bool *)dst = true; return 1;
        case CLI_INT:
        case CLI_INT64:
            if (!cli_int(cmd, name, v, f->min, f->max, &n))
                return -1;
            if (f->kind == CLI_INT)
                *(int *)dst = (int)n;
            else
                *(int64_t *)dst = n;
            return 1;
        case CLI_COUNT: {
            struct hp_err e;
            if (hp_parse_count(v, &n, &e) < 0) {
                cli_usage_error(cmd, "--%s: %s", name, e.msg);
                return -1;
            }
            if (n < f->min || n > f->max) {
                cli_usage_error(cmd, "--%s: %lld is out of range (expected %lld-%lld)", name,
                                (long long)n, (long long)f->min, (long long)f->max);
                return -1;
            }
            *(int *)dst = (int)n;
            return 1;
        }
        case CLI_DURATION:
        case CLI_DURATION_S:
            if (f->kind == CLI_DURATION_S) {
                struct hp_err e;
                if (hp_parse_duration_bare(v, INT64_C(1000000000), &n, &e) < 0) {
                    cli_usage_error(cmd, "--%s: %s", name, e.msg);
                    return -1;
                }
            } else if (!cli_duration(cmd, name, v, &n)) {
                return -1;
            }
            if (n < f->min) {
                cli_usage_error(cmd, "--%s: must be above 0", name);
                return -1;
            }
            *(int64_t *)dst = n;
            return 1;
        }
    }
    return 0;
}

bool cli_percent(const struct hp_cmd *cmd, const char *opt, const char *v, double *out)
{
    struct hp_err err;
    if (hp_parse_percent(v, out, &err) == 0)
        return true;
    cli_usage_error(cmd, "--%s: %s", opt, err.msg);
    return false;
}

int cli_split(const struct hp_cmd *cmd, const char *opt, const char *v, char *buf, size_t size,
              char **items, int max)
{
    int n = 0;
    if ((size_t)snprintf(buf, size, "%s", v) >= size) {
        cli_usage_error(cmd, "--%s: longer than %zu characters", opt, size - 1);
        return -1;
    }
    for (char *item = buf; item;) {
        char *next = strchr(item, ',');
        if (next)
            *next++ = '\0';
        if (!*item) {
            cli_usage_error(cmd, "--%s: '%s' has an empty item", opt, v);
            return -1;
        }
        if (n >= max) {
            cli_usage_error(cmd, "--%s: at most %d values", opt, max);
            return -1;
        }
        items[n++] = item;
        item = next;
    }
    return n;
}

/* Print text wrapped at `width`, each line indented by `indent` (the first
 * line's indent is assumed already printed when `first_done`). */
static void wrap(FILE *out, const char *text, int indent, int col, int width)
{
    const char *p = text;
    while (*p) {
        const char *word_end = p + strcspn(p, " \n");
        int wlen = (int)(word_end - p);
        if (col > indent && col + 1 + wlen > width) {
            fprintf(out, "\n%*s", indent, "");
            col = indent;
        } else if (col > indent) {
            fputc(' ', out);
            col++;
        }
        fprintf(out, "%.*s", wlen, p);
        col += wlen;
        p = word_end;
        if (*p == '\n' && p[1] == '\n') { /* paragraph break */
            fprintf(out, "\n\n%*s", indent, "");
            col = indent;
            p += 2;
        }
        while (*p == ' ' || *p == '\n')
            p++;
    }
    fputc('\n', out);
}

static void opt_label(const struct cli_opt *o, char *buf, size_t size)
{
    if (o->short_name)
        snprintf(buf, size, "-%c, --%s%s%s", o->short_name, o->name,
                 o->arg && o->arg[0] != '[' ? " " : "",
                 o->arg ? o->arg : "");
    else
        snprintf(buf, size, "    --%s%s%s", o->name, o->arg && o->arg[0] != '[' ? " " : "",
                 o->arg ? o->arg : "");
}

void cli_print_help(const struct hp_cmd *cmd, FILE *out)
{
    fprintf(out, "Usage: hotpath %s\n\n", cmd->usage);
    wrap(out, cmd->description, 0, 0, 80);
    if (cmd->opts) {
        fprintf(out, "\nOptions:\n");
        for (const struct cli_opt *o = cmd->opts; o->id; o++) {
            char label[64];
            opt_label(o, label, sizeof label);
            if (strlen(label) > 24)
                fprintf(out, "  %s\n%*s", label, 28, "");
            else
                fprintf(out, "  %-24s  ", label);
            wrap(out, o->help, 28, 28, 100);
        }
        fprintf(out, "  %-24s  %s\n", "-h, --help", help_opt.help);
    }
    if (cmd->examples && *cmd->examples)
        fprintf(out, "\nExamples:\n%s", cmd->examples);
}

void cli_print_markdown(const struct hp_cmd *cmd, FILE *out)
{
    fprintf(out, "# hotpath %s\n\n", cmd->name);
    fprintf(out,
            "<!-- Generated by `hotpath help --markdown %s`; edit src/cmd_%s.c instead. -->"
            "\n\n",
            cmd->name, cmd->name);
    fprintf(out, "%s\n\n```\nhotpath %s\n```\n\n", cmd->summary, cmd->usage);
    fprintf(out, "%s\n", cmd->description);
    if (cmd->opts) {
        fprintf(out, "\n## Options\n\n| option | meaning |\n| --- | --- |\n");
        for (const struct cli_opt *o = cmd->opts; o->id; o++) {
            char label[64];
            opt_label(o, label, sizeof label);
            const char *l = label;
            while (*l == ' ')
                l++;
            fprintf(out, "| `%s` | %s |\n", l, o->help);
        }
        fprintf(out, "| `-h, --help` | %s |\n", help_opt.help);
    }
    if (cmd->examples && *cmd->examples)
        fprintf(out, "\n## Examples\n\n```\n%s```\n", cmd->examples);
}

bool cli_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

void cli_join_words(char *const *words, char *buf, size_t size)
{
    size_t k = 0;
    buf[0] = '\0';
    for (char *const *w = words; *w && k + 1 < size; w++) {
        int n = snprintf(buf + k, size - k, "%s%s", w == words ? "" : " ", *w);
        if (n < 0)
            break;
        k += (size_t)n;
    }
}
