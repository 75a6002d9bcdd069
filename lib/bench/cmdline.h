/* SPDX-License-Identifier: MIT */
/* bench/cmdline.h - the commands `hotpath bench` runs, as hyperfine makes
 * them: a command line split into words without a shell (-N), and the
 * commands a parameter scan (-P NAME MIN MAX [-D STEP]) or parameter lists
 * (-L NAME A,B,C, repeatable) expand to, with `{NAME}` replaced. */
#ifndef HP_BENCH_CMDLINE_H
#define HP_BENCH_CMDLINE_H

#include <stddef.h>

#include "core/err.h"

/* Split a command line into words by the POSIX shell's quoting rules
 * (hyperfine uses the shell-words crate for the same): blanks separate words;
 * '...' is literal; in "..." a backslash escapes $ ` " \ and a newline only;
 * elsewhere a backslash escapes the next character (a newline: removed); a
 * # that begins a word begins a comment. No expansion of any kind. On
 * success *argv (argc words and a NULL) is one allocation (hp_free). An
 * unterminated quote is HP_EPARSE with the column. */
int hp_shell_split(const char *line, char ***argv, int *argc, struct hp_err *err);

#define HP_PARAM_MAX 8         /* parameters per command */
#define HP_PARAM_VALUES 100000 /* hyperfine's limit on a scan */

struct hp_param {
    const char *name;
    char *value; /* owned */
};

/* One command to benchmark: its line and name with the parameters in. */
struct hp_bench_cmd {
    char *line; /* owned */
    char *name; /* owned: -n's, or the line */
    int nparams;
    struct hp_param params[HP_PARAM_MAX]; /* sorted by name, as hyperfine's */
};

struct hp_param_list {
    const char *name;
    const char *values; /* "a,b,c"; \, and \\ escape */
};

struct hp_cmd_spec {
    const char *const *lines; /* the commands as given */
    int nlines;
    const char *const *names; /* -n, in order */
    int nnames;
    /* -P NAME MIN MAX [-D STEP]: scan_name set */
    const char *scan_name, *scan_min, *scan_max, *scan_step;
    const struct hp_param_list *lists; /* -L, in order */
    int nlists;
};

/* Expand spec into commands, in hyperfine's order: for a scan, each value in
 * turn with every command; for lists, the commands vary fastest, then the
 * first list, then the next. Errors (HP_EUSAGE) in hyperfine's terms: an
 * empty range, a zero step, a decimal range without -D, more than
 * HP_PARAM_VALUES values, a repeated parameter name, a count of -n that is
 * neither 1 nor the number of commands. */
int hp_bench_cmds(const struct hp_cmd_spec *spec, struct hp_bench_cmd **out, int *n,
                  struct hp_err *err);
void hp_bench_cmds_free(struct hp_bench_cmd *cmds, int n);

/* text with every {NAME} of params replaced, left to right, never inside a
 * replacement (hyperfine's rule). Returns a new string (hp_free) or NULL. */
char *hp_param_subst(const char *text, const struct hp_param *params, int n);

#endif
