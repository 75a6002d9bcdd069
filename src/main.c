// SPDX-License-Identifier: MIT
/* src/main.c - `hotpath COMMAND [options] [args]`: dispatch, help, version. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmds.h"
#include "hotpath_version.h"

const struct hp_cmd *const hp_commands[] = {
    &hp_cmd_bench,
    &hp_cmd_bisect,
    &hp_cmd_cache,
    &hp_cmd_compare,
    &hp_cmd_flame,
    &hp_cmd_history,
    &hp_cmd_job,
    &hp_cmd_load,
    &hp_cmd_merge,
    &hp_cmd_model,
    &hp_cmd_monitor,
    &hp_cmd_page,
    &hp_cmd_profile,
    &hp_cmd_report,
    &hp_cmd_serve,
    &hp_cmd_sql,
    &hp_cmd_sweep,
    &hp_cmd_diagnose,
    &hp_cmd_help,
    &hp_cmd_version,
    NULL,
};

const struct hp_cmd *hp_cmd_find(const char *name)
{
    for (const struct hp_cmd *const *c = hp_commands; *c; c++)
        if (strcmp((*c)->name, name) == 0)
            return *c;
    return NULL;
}

static void print_overview(FILE *out)
{
    fprintf(out,
            "hotpath %s - measure, model and guard performance.\n\n"
            "Usage: hotpath COMMAND [options] [args]\n\nCommands:\n",
            HP_VERSION);
    for (const struct hp_cmd *const *c = hp_commands; *c; c++)
        fprintf(out, "  %-10s %s\n", (*c)->name, (*c)->summary);
    fprintf(out, "\n'hotpath help COMMAND' or 'hotpath COMMAND --help' describes a command.\n"
                 "Exit codes: 0 ok, 1 run failed, 2 usage or input error, 99 a threshold, "
                 "budget or regression check failed.\n");
}

static int unknown_command(const char *name)
{
    const char *names[32];
    int n = 0;
    for (const struct hp_cmd *const *c = hp_commands; *c && n < 32; c++)
        names[n++] = (*c)->name;
    const char *near = hp_nearest(name, names, n);
    if (near)
        return cli_usage_error(NULL, "unknown command '%s' (did you mean '%s'?)", name, near);
    return cli_usage_error(NULL, "unknown command '%s' (see 'hotpath help')", name);
}

enum { O_MARKDOWN = 1 };
static const struct cli_opt help_opts[] = {
    {O_MARKDOWN, "markdown", 0, NULL, "Print the command's page as Markdown (docs/commands/)."},
    {0, NULL, 0, NULL, NULL},
};

static int run_help(const struct hp_cmd *cmd, int argc, char **argv)
{
    struct cli_parser p;
    const char *v, *topic = NULL;
    bool markdown = false;
    int id;

    cli_init(&p, cmd, argc, argv);
    while ((id = cli_next(&p, &v)) != CLI_DONE) {
        if (id == CLI_ERROR)
            return HP_EXIT_USAGE;
        if (id == CLI_HELP) {
            cli_print_help(cmd, stdout);
            return HP_EXIT_OK;
        }
        if (id == O_MARKDOWN)
            markdown = true;
        else if (!topic)
            topic = v;
        else
            return cli_usage_error(cmd, "unexpected argument '%s' (one command at a time)", v);
    }
    if (!topic) {
        print_overview(stdout);
        return HP_EXIT_OK;
    }
    const struct hp_cmd *c = hp_cmd_find(topic);
    if (!c)
        return unknown_command(topic);
    if (markdown)
        cli_print_markdown(c, stdout);
    else
        cli_print_help(c, stdout);
    return HP_EXIT_OK;
}

const struct hp_cmd hp_cmd_help = {
    .name = "help",
    .summary = "Describe hotpath or one of its commands.",
    .usage = "help [--markdown] [COMMAND]",
    .description = "Without a command, lists the commands. With one, prints the same page as "
                   "'hotpath COMMAND --help'.",
    .opts = help_opts,
    .examples = "  hotpath help serve\n",
    .run = run_help,
};

static int run_version(const struct hp_cmd *cmd, int argc, char **argv)
{
    struct cli_parser p;
    const char *v;
    int id;

    cli_init(&p, cmd, argc, argv);
    while ((id = cli_next(&p, &v)) != CLI_DONE) {
        if (id == CLI_ERROR)
            return HP_EXIT_USAGE;
        if (id == CLI_HELP) {
            cli_print_help(cmd, stdout);
            return HP_EXIT_OK;
        }
        return cli_usage_error(cmd, "unexpected argument '%s'", v);
    }
    printf("hotpath %s\n", HP_VERSION);
    return HP_EXIT_OK;
}

static const struct cli_opt no_opts[] = {{0, NULL, 0, NULL, NULL}};

const struct hp_cmd hp_cmd_version = {
    .name = "version",
    .summary = "Print hotpath's version.",
    .usage = "version",
    .description = "Prints 'hotpath VERSION'. Result documents record the same version in "
                   "hotpath_version.",
    .opts = no_opts,
    .examples = "",
    .run = run_version,
};

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_overview(stderr);
        return HP_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        print_overview(stdout);
        return HP_EXIT_OK;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0)
        name = "version";
    const struct hp_cmd *cmd = hp_cmd_find(name);
    if (!cmd) {
        if (name[0] == '-')
            return cli_usage_error(NULL, "unknown option '%s' (expected a command first; see "
                                         "'hotpath help')", name);
        return unknown_command(name);
    }
    return cmd->run(cmd, argc - 1, argv + 1);
}
