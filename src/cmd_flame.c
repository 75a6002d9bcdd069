// SPDX-License-Identifier: MIT
/* src/cmd_flame.c - `hotpath flame`: folded stacks or `perf script` output
 * into an interactive SVG flame graph (or icicle, or a differential one), or
 * back into folded stacks. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmds.h"
#include "core/file.h"
#include "prof/flame.h"
#include "prof/stacks.h"

enum { O_OUTPUT = 1, O_ICICLE, O_DIFF, O_TITLE, O_WIDTH, O_FOLDED, O_MIN_WIDTH };

static const struct cli_opt flame_opts[] = {
    {O_OUTPUT, "output", 'o', "FILE",
     "Where to write (default: standard output). FILE.svg is a flame graph; FILE.folded or "
     "FILE.txt, folded stacks (also --folded)."},
    {O_ICICLE, "icicle", 0, NULL, "Draw the root at the top, callees below their callers."},
    {O_DIFF, "diff", 0, NULL,
     "Two inputs, BEFORE and AFTER: draw AFTER, each frame coloured by the change in its share "
     "of all samples (red grew, blue shrank, the deeper the more; grey unchanged). Shares, not "
     "counts, so profiles of different lengths compare."},
    {O_TITLE, "title", 0, "TEXT", "The graph's title."},
    {O_WIDTH, "width", 0, "PIXELS", "The image's width (default 1200)."},
    {O_MIN_WIDTH, "min-width", 0, "PIXELS",
     "Leave out frames narrower than this (default 0.1): keeps huge profiles' files small."},
    {O_FOLDED, "folded", 0, NULL, "Write folded stacks (merged, sorted) instead of an SVG."},
    {0, NULL, 0, NULL, NULL},
};

#define MAX_INPUTS 64

static int run_flame(const struct hp_cmd *cmd, int argc, char **argv)
{
    struct cli_parser p;
    cli_init(&p, cmd, argc, argv);
    const char *output = NULL, *v, *files[MAX_INPUTS];
    struct hp_flame_opts o = {0};
    bool folded = false;
    int n = 0, id;
    int64_t width = 1200;
    while ((id = cli_next(&p, &v)) != CLI_DONE) {
        switch (id) {
        case CLI_ERROR: return HP_EXIT_USAGE;
        case CLI_HELP: cli_print_help(cmd, stdout); return HP_EXIT_OK;
        case CLI_POSITIONAL:
            if (n == MAX_INPUTS)
                return cli_usage_error(cmd, "at most %d inputs", MAX_INPUTS);
            files[n++] = v;
            break;
        case O_OUTPUT: output = v; break;
        case O_ICICLE: o.icicle = true; break;
        case O_DIFF: o.diff = true; break;
        case O_TITLE: o.title = v; break;
        case O_FOLDED: folded = true; break;
        case O_WIDTH:
            if (!cli_int(cmd, "width", v, 200, 100000, &width))
                return HP_EXIT_USAGE;
            break;
        case O_MIN_WIDTH: {
            char *end;
            o.min_width = strtod(v, &end);
            if (*end || !(o.min_width >= 0 && o.min_width <= 100))
                return cli_usage_error(cmd, "--min-width %s: pixels, from 0 to 100", v);
            break;
        }
        }
    }
    o.width = (int)width;
    if (n == 0)
        return cli_usage_error(cmd, "folded stacks or perf script output to draw are needed "
                                    "(- for standard input)");
    if (o.diff && n != 2)
        return cli_usage_error(cmd, "--diff takes two inputs, BEFORE and AFTER (got %d)", n);
    if (output && (cli_ends_with(output, ".folded") || cli_ends_with(output, ".txt")))
        folded = true;
    if (folded && o.diff)
        return cli_usage_error(cmd, "--diff draws a graph: folded output has no colours");
    struct hp_stacks s;
    if (hp_stacks_init(&s) < 0)
        return cli_fail(cmd, -ENOMEM, NULL);
    struct hp_err err = {0};
    int code = HP_EXIT_OK, rc = 0;
    bool any_perf = false;
    for (int i = 0; i < n && rc == 0; i++) {
        bool perf = false;
        rc = hp_stacks_read(&s, files[i], o.diff ? i : 0, &perf, &err);
        any_perf |= perf;
    }
    char *buf = NULL;
    size_t len = 0;
    uint64_t frames = 0;
    FILE *mem = NULL;
    if (rc < 0) {
        code = cli_fail(cmd, rc, &err);
        goto out;
    }
    if (s.nodes[HP_STACKS_ROOT].total[o.diff ? 1 : 0] == 0) {
        code = cli_fail(cmd, HP_EPARSE,
                        &(struct hp_err){.msg = "no samples in the input: nothing to draw"});
        goto out;
    }
    if (s.other_events)
        fprintf(stderr,
                "hotpath flame: %llu samples of other events than %s left out (the first event "
                "the script shows is drawn)\n",
                (unsigned long long)s.other_events, s.event);
    mem = open_memstream(&buf, &len);
    if (!mem || hp_stacks_sort(&s) < 0) {
        code = cli_fail(cmd, -ENOMEM, NULL);
        goto out;
    }
    char sub[160];
    if (!folded && !o.diff) {
        snprintf(sub, sizeof sub, "%llu %s%s from %s%s",
                 (unsigned long long)s.nodes[HP_STACKS_ROOT].total[0],
                 any_perf && s.event[0] ? s.event : "samples",
                 any_perf && s.event[0] ? " samples" : "", n == 1 ? files[0] : "several inputs",
                 any_perf ? " (perf script)" : "");
        o.subtitle = sub;
    } else if (o.diff) {
        snprintf(sub, sizeof sub, "%s against %s: red grew, blue shrank", files[1], files[0]);
        o.subtitle = sub;
    }
    rc = folded ? hp_stacks_write_folded(&s, 0, mem) : hp_flame_svg(&s, &o, mem, &frames);
    if (fclose(mem) != 0 || rc < 0) {
        mem = NULL;
        code = cli_fail(cmd, -EIO, NULL);
        goto out;
    }
    mem = NULL;
    if (!output || strcmp(output, "-") == 0) {
        if (fwrite(buf, 1, len, stdout) != len || fflush(stdout) != 0)
            code = cli_fail(cmd, -EIO, NULL);
    } else if ((rc = hp_file_write_atomic(output, buf, len, &err)) < 0) {
        code = cli_fail(cmd, rc, &err);
    } else if (!folded) {
        printf("%s: %llu samples, %llu frames drawn\n", output,
               (unsigned long long)s.nodes[HP_STACKS_ROOT].total[o.diff ? 1 : 0],
               (unsigned long long)frames);
    }
out:
    if (mem)
        fclose(mem);
    free(buf);
    hp_stacks_fini(&s);
    return code;
}

const struct hp_cmd hp_cmd_flame = {
    .name = "flame",
    .summary = "Draw folded stacks or perf script output as an interactive flame graph",
    .usage = "flame [options] FOLDED|PERF-SCRIPT... [-o out.svg]",
    .description =
        "Merges the stacks of its inputs and draws them as a flame graph: a box per function, "
        "as wide as the samples that passed through it, above its caller; the x axis is sorted "
        "by name, not time. Inputs are folded stacks (Brendan Gregg's \"main;f;g 42\" lines, "
        "as hotpath profile, stackcollapse-perf.pl and many profilers write them) or the text "
        "of `perf script`, told apart by their first line, plain, gzip or zstd; - reads "
        "standard input, so `perf script | hotpath flame - -o out.svg` replaces "
        "stackcollapse-perf.pl and flamegraph.pl.\n\n"
        "The SVG is interactive in a browser: hover a frame for its function, samples and "
        "share; click to zoom into it (Reset zoom or Escape to come back); Search (or Ctrl-F) "
        "highlights the functions that match a regular expression and shows their share of "
        "all samples. A URL ending in #search=REGEX searches on load.",
    .opts = flame_opts,
    .examples = "  hotpath flame profile.folded -o flame.svg\n"
                "  perf script | hotpath flame - -o flame.svg\n"
                "  hotpath flame --icicle profile.folded -o icicle.svg\n"
                "  hotpath flame --diff before.folded after.folded -o diff.svg\n"
                "  hotpath flame a.folded b.folded -o merged.folded\n",
    .run = run_flame,
};
