// SPDX-License-Identifier: MIT
/* src/cmd_job.c - `hotpath job --for k8s|slurm|nomad --parts N -- LOAD-ARGS`:
 * a split load test as a job of an existing scheduler (a Kubernetes
 * Indexed Job with a collector Job that merges, a Slurm job array, a Nomad
 * batch job), printed for the user to apply. Each part runs `hotpath load
 * --segment auto/N --start-at T --json RESULTS/part-INDEX.json LOAD-ARGS`. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmds.h"
#include "core/clock.h"
#include "core/units.h"

enum { O_FOR = 1, O_PARTS, O_IMAGE, O_NAME, O_NAMESPACE, O_CPU, O_MEMORY, O_START_IN, O_START_AT,
       O_RESULTS, O_CLAIM, O_DEADLINE };

#define MAX_ARGS 128

static const struct cli_opt job_opts[] = {
    {O_FOR, "for", 0, "k8s|slurm|nomad",
     "The scheduler: a Kubernetes Indexed Job (and a collector Job that merges), a Slurm job "
     "array (sbatch script), a Nomad batch job (HCL)."},
    {O_PARTS, "parts", 'n', "N", "How many parts (pods, array tasks, allocations)."},
    {O_IMAGE, "image", 0, "IMAGE",
     "k8s, nomad: the container image with hotpath (the repository's Containerfile builds "
     "one). Default hotpath:latest."},
    {O_NAME, "name", 0, "NAME", "The job's name. Default hotpath-load."},
    {O_NAMESPACE, "namespace", 0, "NS", "k8s: the namespace. Default: none (kubectl's)."},
    {O_CPU, "cpu", 0, "N", "CPUs per part (requests and limits). Default 2."},
    {O_MEMORY, "memory", 0, "SIZE", "Memory per part, e.g. 512MiB, 2GiB. Default 1GiB."},
    {O_START_IN, "start-in", 0, "DURATION",
     "The parts start together this long after the job is printed (--start-at now + this): "
     "time to apply it and pull the image. Default 2m."},
    {O_START_AT, "start-at", 0, "TIME", "The parts start together at this time (RFC 3339)."},
    {O_RESULTS, "results", 0, "DIR",
     "Where each part writes part-INDEX.json and the collector all.json: a shared volume "
     "mounted here (k8s: the claim below; nomad: a host volume), or a shared file system "
     "(slurm). Default /results."},
    {O_CLAIM, "claim", 0, "NAME",
     "k8s: the PersistentVolumeClaim (ReadWriteMany) mounted at --results in every pod. "
     "Default hotpath-results."},
    {O_DEADLINE, "deadline", 0, "DURATION",
     "k8s: how long the collector waits for every part before it gives up. Default 2h."},
    {0, NULL, 0, NULL, NULL},
};

struct job {
    const char *sched, *image, *name, *ns, *results, *claim;
    int parts, cpu;
    int64_t memory_bytes, deadline_ns;
    char start_at[40];
    const char *args[MAX_ARGS]; /* load's, as given after -- */
    int n_args;
};

/* s as a double-quoted string for YAML, HCL and JSON alike. */
static void quoted(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", out);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

/* s for a POSIX shell, single-quoted where needed. */
static void shell_word(FILE *out, const char *s)
{
    bool plain = *s != 0;
    for (const char *p = s; *p; p++)
        plain &= isalnum((unsigned char)*p) || strchr("@%+=:,./_-", *p);
    if (plain) {
        fputs(s, out);
        return;
    }
    fputc('\'', out);
    for (; *s; s++)
        if (*s == '\'')
            fputs("'\\''", out);
        else
            fputc(*s, out);
    fputc('\'', out);
}

/* The part's command line after "hotpath": index is how the scheduler
 * names this part's index in a path. */
static int part_argv(const struct job *j, const char *index, const char **argv, char *json,
                     size_t size, char *seg, size_t seg_size)
{
    int n = 0;
    snprintf(seg, seg_size, "auto/%d", j->parts);
    snprintf(json, size, "%s/part-%s.json", j->results, index);
    argv[n++] = "load";
    argv[n++] = "--segment";
    argv[n++] = seg;
    argv[n++] = "--start-at";
    argv[n++] = j->start_at;
    argv[n++] = "--json";
    argv[n++] = json;
    for (int i = 0; i < j->n_args; i++)
        argv[n++] = j->args[i];
    return n;
}

/* A batch/v1 Job's head: its name, the namespace, the test's labels. */
static void job_head(const struct job *j, const char *name)
{
    printf("apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: ");
    quoted(stdout, name);
    if (j->ns) {
        printf("\n  namespace: ");
        quoted(stdout, j->ns);
    }
    printf("\n  labels:\n    app.kubernetes.io/name: hotpath\n    hotpath/test: ");
    quoted(stdout, j->name);
}

static void k8s(const struct job *j)
{
    const char *argv[MAX_ARGS + 8];
    char json[512], seg[32];
    int n = part_argv(j, "$(JOB_COMPLETION_INDEX)", argv, json, sizeof json, seg, sizeof seg);
    char mem[32];
    snprintf(mem, sizeof mem, "%lldMi", (long long)((j->memory_bytes + (1 << 20) - 1) >> 20));
    printf("# hotpath load in %d parts: a Kubernetes Indexed Job, one pod per part, and a\n"
           "# collector Job that waits for every part's document and merges them.\n"
           "# The parts start together at %s (--start-at): apply this before then.\n"
           "# Results: the PersistentVolumeClaim %s (ReadWriteMany), mounted at %s in every\n"
           "# pod; the whole test is %s/all.json once %s-merge completes.\n"
           "#   kubectl apply -f job.yaml && kubectl wait --for=condition=complete "
           "job/%s-merge --timeout=-1s\n",
           j->parts, j->start_at, j->claim, j->results, j->results, j->name, j->name);
    job_head(j, j->name);
    printf("\nspec:\n  completionMode: Indexed\n  completions: %d\n  parallelism: %d\n"
           "  backoffLimit: 0\n  template:\n    metadata:\n      labels:\n"
           "        app.kubernetes.io/name: hotpath\n        hotpath/test: ",
           j->parts, j->parts);
    quoted(stdout, j->name);
    printf("\n        hotpath/role: part\n    spec:\n      restartPolicy: Never\n"
           "      # one part per node where the cluster has the nodes: two generators on one\n"
           "      # node measure that node, not the target\n"
           "      affinity:\n        podAntiAffinity:\n"
           "          preferredDuringSchedulingIgnoredDuringExecution:\n"
           "            - weight: 100\n              podAffinityTerm:\n"
           "                topologyKey: kubernetes.io/hostname\n"
           "                labelSelector:\n                  matchLabels:\n"
           "                    hotpath/role: part\n                    hotpath/test: ");
    quoted(stdout, j->name);
    printf("\n      containers:\n        - name: load\n          image: ");
    quoted(stdout, j->image);
    printf("\n          command: [\"hotpath\"]\n          args:\n");
    for (int i = 0; i < n; i++) {
        printf("            - ");
        quoted(stdout, argv[i]);
        printf("\n");
    }
    printf("          resources:\n            requests: {cpu: \"%d\", memory: \"%s\"}\n"
           "            limits: {cpu: \"%d\", memory: \"%s\"}\n"
           "          volumeMounts:\n            - {name: results, mountPath: ",
           j->cpu, mem, j->cpu, mem);
    quoted(stdout, j->results);
    printf("}\n      volumes:\n        - name: results\n          persistentVolumeClaim:\n"
           "            claimName: ");
    quoted(stdout, j->claim);
    /* the collector */
    char wait[1024];
    snprintf(wait, sizeof wait,
             "until [ \"$(ls %s/part-*.json 2>/dev/null | wc -l)\" -ge %d ]; do sleep 5; done; "
             "exec hotpath merge %s/part-*.json -o %s/all.json",
             j->results, j->parts, j->results, j->results);
    char merge_name[200];
    snprintf(merge_name, sizeof merge_name, "%s-merge", j->name);
    printf("\n---\n");
    job_head(j, merge_name);
    printf("\nspec:\n  backoffLimit: 0\n  activeDeadlineSeconds: %lld\n  template:\n"
           "    metadata:\n      labels:\n        app.kubernetes.io/name: hotpath\n"
           "        hotpath/role: merge\n    spec:\n      restartPolicy: Never\n"
           "      containers:\n        - name: merge\n          image: ",
           (long long)(j->deadline_ns / HP_NS_PER_S));
    quoted(stdout, j->image);
    printf("\n          command: [\"sh\", \"-c\"]\n          args:\n            - ");
    quoted(stdout, wait);
    printf("\n          resources:\n            requests: {cpu: \"1\", memory: \"%s\"}\n"
           "          volumeMounts:\n            - {name: results, mountPath: ",
           mem);
    quoted(stdout, j->results);
    printf("}\n      volumes:\n        - name: results\n          persistentVolumeClaim:\n"
           "            claimName: ");
    quoted(stdout, j->claim);
    printf("\n");
}

static void slurm(const struct job *j)
{
    const char *argv[MAX_ARGS + 8];
    char json[512], seg[32];
    int n = part_argv(j, "${SLURM_ARRAY_TASK_ID}", argv, json, sizeof json, seg, sizeof seg);
    printf("#!/bin/sh\n");
    printf("#SBATCH --job-name=%s\n#SBATCH --array=0-%d\n#SBATCH --ntasks=1\n"
           "#SBATCH --cpus-per-task=%d\n#SBATCH --mem=%lldM\n#SBATCH --output=%s-%%a.out\n",
           j->name, j->parts - 1, j->cpu, (long long)((j->memory_bytes + (1 << 20) - 1) >> 20),
           j->name);
    printf("#SBATCH --exclusive\n"); /* a node per part: two generators on one node measure it */
    printf("# hotpath load in %d parts as a Slurm job array, one task per part, starting\n"
           "# together at %s (--start-at): submit it before then. %s must be on a file\n"
           "# system every node shares. When the array is done, merge the parts:\n"
           "#   jobid=$(sbatch --parsable %s.sh)\n"
           "#   sbatch --dependency=afterany:$jobid --wrap 'hotpath merge %s/part-*.json -o "
           "%s/all.json'\n",
           j->parts, j->start_at, j->results, j->name, j->results, j->results);
    printf("mkdir -p ");
    shell_word(stdout, j->results);
    printf("\nexec hotpath");
    for (int i = 0; i < n; i++) {
        fputc(' ', stdout);
        if (argv[i] == json) { /* the index expands; the rest of the path is quoted */
            char dir[512];
            snprintf(dir, sizeof dir, "%s/part-", j->results);
            shell_word(stdout, dir);
            fputs("\"${SLURM_ARRAY_TASK_ID}\".json", stdout);
        } else {
            shell_word(stdout, argv[i]);
        }
    }
    printf("\n");
}

static void nomad(const struct job *j)
{
    const char *argv[MAX_ARGS + 8];
    char json[512], seg[32];
    int n = part_argv(j, "${NOMAD_ALLOC_INDEX}", argv, json, sizeof json, seg, sizeof seg);
    printf("# hotpath load in %d parts as a Nomad batch job, one allocation per part\n"
           "# (NOMAD_ALLOC_INDEX), starting together at %s (--start-at): run it before then.\n"
           "# Results: the host volume \"results\" (a shared file system) mounted at %s;\n"
           "# when every allocation is done: hotpath merge %s/part-*.json -o %s/all.json\n",
           j->parts, j->start_at, j->results, j->results, j->results);
    printf("job ");
    quoted(stdout, j->name);
    printf(" {\n  type = \"batch\"\n  group \"parts\" {\n    count = %d\n"
           "    spread {\n      attribute = \"${node.unique.id}\"\n    }\n"
           "    restart {\n      attempts = 0\n      mode = \"fail\"\n    }\n"
           "    volume \"results\" {\n      type = \"host\"\n      source = \"results\"\n    }\n"
           "    task \"load\" {\n      driver = \"docker\"\n      config {\n        image = ",
           j->parts);
    quoted(stdout, j->image);
    printf("\n        command = \"hotpath\"\n        args = [");
    for (int i = 0; i < n; i++) {
        printf("%s\n          ", i ? "," : "");
        quoted(stdout, argv[i]);
    }
    printf("\n        ]\n      }\n      volume_mount {\n        volume = \"results\"\n"
           "        destination = ");
    quoted(stdout, j->results);
    printf("\n      }\n      resources {\n        cores = %d\n        memory = %lld\n      }\n"
           "    }\n  }\n}\n",
           j->cpu, (long long)((j->memory_bytes + (1 << 20) - 1) >> 20));
}

static int run_job(const struct hp_cmd *cmd, int argc, char **argv)
{
    struct cli_parser p;
    const char *v, *start_at = NULL;
    int id;
    int64_t n64, start_in = 120 * HP_NS_PER_S;
    struct job j = {.image = "hotpath:latest", .name = "hotpath-load", .results = "/results",
                    .claim = "hotpath-results", .cpu = 2, .memory_bytes = 1LL << 30,
                    .deadline_ns = 7200 * HP_NS_PER_S};
    struct hp_err err;

    cli_init(&p, cmd, argc, argv);
    while ((id = cli_next(&p, &v)) != CLI_DONE) {
        switch (id) {
        case CLI_ERROR:
            return HP_EXIT_USAGE;
        case CLI_HELP:
            cli_print_help(cmd, stdout);
            return HP_EXIT_OK;
        case CLI_POSITIONAL:
            if (!p.only_positional)
                return cli_usage_error(cmd, "'%s': load's flags and URL go after -- (hotpath job "
                                            "--for k8s --parts 4 -- --rate 8k -d 5m URL)",
                                       v);
            if (j.n_args == MAX_ARGS)
                return cli_usage_error(cmd, "at most %d arguments for load", MAX_ARGS);
            j.args[j.n_args++] = v;
            break;
        case O_FOR:
            if (strcmp(v, "k8s") != 0 && strcmp(v, "slurm") != 0 && strcmp(v, "nomad") != 0)
                return cli_usage_error(cmd, "--for %s: expected k8s, slurm or nomad", v);
            j.sched = v;
            break;
        case O_PARTS:
            if (!cli_int(cmd, "parts", v, 1, 4096, &n64))
                return HP_EXIT_USAGE;
            j.parts = (int)n64;
            break;
        case O_IMAGE:
            j.image = v;
            break;
        case O_NAME:
            for (const char *c = v; *c; c++)
                if (!(islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '-') ||
                    c - v >= 52)
                    return cli_usage_error(cmd, "--name %s: lower-case letters, digits and '-', "
                                                "at most 52 (a Kubernetes name with room for "
                                                "-merge)",
                                           v);
            if (!*v || *v == '-')
                return cli_usage_error(cmd, "--name: a name that starts with a letter or digit");
            j.name = v;
            break;
        case O_NAMESPACE:
            j.ns = v;
            break;
        case O_CPU:
            if (!cli_int(cmd, "cpu", v, 1, 1024, &n64))
                return HP_EXIT_USAGE;
            j.cpu = (int)n64;
            break;
        case O_MEMORY:
            if (hp_parse_size(v, &j.memory_bytes, &err) < 0 || j.memory_bytes < (16 << 20))
                return cli_usage_error(cmd, "--memory %s: a size of 16MiB or more", v);
            break;
        case O_START_IN:
            if (!cli_duration(cmd, "start-in", v, &start_in))
                return HP_EXIT_USAGE;
            break;
        case O_START_AT:
            start_at = v;
            break;
        case O_RESULTS:
            if (v[0] != '/' || strpbrk(v, "\"'\\$`*? "))
                return cli_usage_error(cmd, "--results %s: an absolute path without quotes, "
                                            "spaces or shell characters",
                                       v);
            j.results = v;
            break;
        case O_CLAIM:
            j.claim = v;
            break;
        case O_DEADLINE:
            if (!cli_duration(cmd, "deadline", v, &j.deadline_ns))
                return HP_EXIT_USAGE;
            break;
        }
    }
    if (!j.sched)
        return cli_usage_error(cmd, "which scheduler? (--for k8s, slurm or nomad)");
    if (j.parts < 1)
        return cli_usage_error(cmd, "how many parts? (--parts N)");
    if (j.n_args == 0)
        return cli_usage_error(cmd, "what to run? load's flags and URL (or scenario file) go "
                                    "after --");
    static const char *const ours[] = {"--segment", "--execution-segment", "--start-at",
                                       "--json", "--execution-segment-sequence", NULL};
    for (int i = 0; i < j.n_args; i++)
        for (int k = 0; ours[k]; k++) {
            size_t len = strlen(ours[k]);
            if (strncmp(j.args[i], ours[k], len) == 0 &&
                (j.args[i][len] == 0 || j.args[i][len] == '='))
                return cli_usage_error(cmd, "%s: the job sets it for each part", ours[k]);
        }
    int64_t at_ns;
    if (start_at) {
        double t;
        if (hp_parse_time(start_at, &t, &err) < 0)
            return cli_usage_error(cmd, "--start-at %s", err.msg);
        at_ns = (int64_t)llround(t * 1e9);
    } else {
        at_ns = hp_wall_ns() + start_in;
        at_ns -= at_ns % HP_NS_PER_S; /* a round second reads better */
    }
    hp_format_rfc3339(at_ns, j.start_at, sizeof j.start_at);
    if (strcmp(j.sched, "k8s") == 0)
        k8s(&j);
    else if (strcmp(j.sched, "slurm") == 0)
        slurm(&j);
    else
        nomad(&j);
    return fflush(stdout) == 0 ? HP_EXIT_OK : HP_EXIT_FAIL;
}

const struct hp_cmd hp_cmd_job = {
    .name = "job",
    .summary = "Print a split load test as a Kubernetes, Slurm or Nomad job (then hotpath merge).",
    .usage = "job --for k8s|slurm|nomad --parts N [options] -- LOAD-ARGS...",
    .description =
        "Prints a job for an existing scheduler that runs one load test in N parts on as many "
        "machines: each part runs hotpath load --segment auto/N --start-at T --json "
        "RESULTS/part-INDEX.json LOAD-ARGS, the index coming from the scheduler "
        "(JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID, NOMAD_ALLOC_INDEX), and hotpath merge "
        "joins the parts' documents into the whole's.\n\n"
        "--for k8s: a batch/v1 Indexed Job (completionMode: Indexed, completions and "
        "parallelism N, restartPolicy Never, backoffLimit 0: a part that fails is not run "
        "again half-way), its pods spread over nodes by a preferred pod anti-affinity, with "
        "CPU and memory requests and limits, writing to a ReadWriteMany "
        "PersistentVolumeClaim mounted at --results; and a collector Job that waits for the N "
        "documents and runs hotpath merge into RESULTS/all.json. --for slurm: an sbatch script "
        "for a job array (--array=0-(N-1)) on a shared file system, with the merge to submit "
        "after it. --for nomad: a batch job (HCL) of N allocations spread over nodes, on a "
        "host volume.\n\n"
        "The parts start together at --start-at (default: two minutes after printing, on a "
        "round second), so apply the job before then; each document records how late its "
        "part started and merge warns when parts started more than 100 ms apart. load's "
        "--segment, --json and --start-at are the job's to set.",
    .opts = job_opts,
    .examples = "  hotpath job --for k8s --parts 4 --image registry.example/hotpath:1 -- "
                "--rate 8k -c 400 -d 5m http://shop.internal/ > job.yaml\n"
                "  kubectl apply -f job.yaml\n"
                "  hotpath job --for slurm --parts 8 --results /shared/run1 -- -c 2000 -d 10m "
                "http://10.0.0.5/ > run1.sh\n",
    .run = run_job,
};
