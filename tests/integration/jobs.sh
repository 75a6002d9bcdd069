#!/bin/sh
# SPDX-License-Identifier: MIT
# hotpath job's manifests, checked offline and run as their schedulers would
# run them, against hotpath serve's own count (--truth):
#  - k8s: both Jobs pass a check against the batch/v1 Job schema
#    (k8s_job_schema.py); then N processes, each with JOB_COMPLETION_INDEX
#    set and $(VAR) expanded in its args as the kubelet does, and the
#    collector's shell command, which merges once every part is there;
#  - slurm: the sbatch script run N times with SLURM_ARRAY_TASK_ID and
#    SLURM_ARRAY_TASK_COUNT, then the merge its comment gives;
#  - nomad: the job's args run N times with NOMAD_ALLOC_INDEX interpolated.
# Each merged count is the server's for that run; a job without load's
# arguments, or one that sets --segment itself, is a usage error.
#   jobs.sh HOTPATH SRCDIR
set -u
hotpath=$1
src=$2
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && { kill "$pid"; wait "$pid"; } 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "jobs: $*" >&2; exit 1; }
# the manifests call hotpath by name, as in the image
mkdir -p "$work/bin"
ln -s "$(cd "$(dirname "$hotpath")" && pwd)/$(basename "$hotpath")" "$work/bin/hotpath"
PATH="$work/bin:$PATH"
export PATH

. "$(dirname "$0")/serve_lib.sh"
same_count() { # merged document, truth file
    python3 - "$1" "$2" <<'PY' || fail "$1: the merged count is not the server's"
import json, sys
whole, truth = (json.load(open(f)) for f in sys.argv[1:])
a, b = whole["metrics"]["requests"]["value"], truth["metrics"]["requests"]["value"]
assert a == b and a > 0, (a, b)
assert whole["config"]["merged"]["parts"] == 3
PY
}

# ---- Kubernetes ------------------------------------------------------------
serve_to "$work/t-k8s.json"
mkdir -p "$work/k8s"
"$hotpath" job --for k8s --parts 3 --name shop-test --results "$work/k8s" --start-at "$(soon 2)" \
    -- -t 1 -c 6 -d 1s "http://127.0.0.1:$port/" >"$work/job.yaml" || fail "job --for k8s"
python3 "$src/tests/integration/k8s_job_schema.py" "$work/job.yaml" >"$work/jobs.txt" ||
    fail "the manifest does not fit the batch/v1 Job schema"
[ "$(cat "$work/jobs.txt")" = "shop-test
shop-test-merge" ] || fail "jobs: $(cat "$work/jobs.txt")"
python3 - "$work/job.yaml" "$work" <<'PY' || fail "running the k8s Jobs"
import json, os, re, subprocess, sys, yaml
docs = list(yaml.safe_load_all(open(sys.argv[1])))
part, merge = docs
spec = part["spec"]
assert spec["completionMode"] == "Indexed" and spec["completions"] == spec["parallelism"] == 3
c = spec["template"]["spec"]["containers"][0]
assert c["resources"]["limits"]["cpu"] == "2"
anti = spec["template"]["spec"]["affinity"]["podAntiAffinity"]
assert anti["preferredDuringSchedulingIgnoredDuringExecution"][0]["podAffinityTerm"]["topologyKey"] == "kubernetes.io/hostname"
procs = []
for i in range(3):
    env = dict(os.environ, JOB_COMPLETION_INDEX=str(i))
    # the kubelet expands $(VAR) from the container's environment
    argv = c["command"] + [re.sub(r"\$\((\w+)\)", lambda m: env[m.group(1)], a) for a in c["args"]]
    procs.append(subprocess.Popen(argv, env=env, stdout=open("%s/k8s-%d.out" % (sys.argv[2], i), "w"),
                                  stderr=subprocess.STDOUT))
mc = merge["spec"]["template"]["spec"]["containers"][0]
collector = subprocess.run(mc["command"] + mc["args"], timeout=60, capture_output=True, text=True)
assert all(p.wait() == 0 for p in procs)
assert collector.returncode == 0, collector.stdout + collector.stderr
assert "Merged 3 parts" in collector.stdout, collector.stdout
PY
stop
same_count "$work/k8s/all.json" "$work/t-k8s.json"

# ---- Slurm -----------------------------------------------------------------
serve_to "$work/t-slurm.json"
"$hotpath" job --for slurm --parts 3 --results "$work/slurm" --start-at "$(soon 2)" \
    -- -t 1 --rate 300 -d 1s "http://127.0.0.1:$port/" >"$work/run.sh" || fail "job --for slurm"
grep -q '^#SBATCH --array=0-2$' "$work/run.sh" || fail "no array: $(cat "$work/run.sh")"
ppids=""
for i in 0 1 2; do
    SLURM_ARRAY_TASK_ID=$i SLURM_ARRAY_TASK_COUNT=3 SLURM_ARRAY_TASK_MIN=0 sh "$work/run.sh" \
        >"$work/slurm-$i.out" 2>&1 &
    ppids="$ppids $!"
done
for p in $ppids; do wait "$p" || fail "a Slurm task failed"; done
stop
merge_cmd=$(sed -n "s/^#   sbatch --dependency=afterany:\$jobid --wrap '\(.*\)'\$/\1/p" "$work/run.sh")
[ -n "$merge_cmd" ] || fail "no merge command in the script"
sh -c "$merge_cmd" >"$work/slurm-merge.out" 2>&1 || fail "merge: $(cat "$work/slurm-merge.out")"
same_count "$work/slurm/all.json" "$work/t-slurm.json"
python3 -c "
import json,sys; d=json.load(open(sys.argv[1])); m=d['metrics']
assert m['sent']['value'] + m['unsent']['value'] == 300, m['sent']" "$work/slurm/all.json" ||
    fail "the Slurm parts did not send the schedule once"

# ---- Nomad -----------------------------------------------------------------
serve_to "$work/t-nomad.json"
mkdir -p "$work/nomad"
"$hotpath" job --for nomad --parts 3 --results "$work/nomad" --start-at "$(soon 2)" \
    -- -t 1 -c 3 -d 1s "http://127.0.0.1:$port/" >"$work/job.hcl" || fail "job --for nomad"
grep -q '^    count = 3$' "$work/job.hcl" || fail "no count: $(cat "$work/job.hcl")"
python3 - "$work/job.hcl" "$work" <<'PY' || fail "running the Nomad job"
import json, os, re, subprocess, sys
hcl = open(sys.argv[1]).read()
assert re.search(r'^job "hotpath-load" \{$', hcl, re.M)
assert re.search(r'type = "batch"', hcl) and re.search(r'driver = "docker"', hcl)
# HCL's list of strings is JSON's
args = json.loads("[" + re.search(r"args = \[(.*?)\n\s*\]", hcl, re.S).group(1) + "]")
procs = []
for i in range(3):
    env = dict(os.environ, NOMAD_ALLOC_INDEX=str(i))
    argv = ["hotpath"] + [a.replace("${NOMAD_ALLOC_INDEX}", str(i)) for a in args]
    procs.append(subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT))
assert all(p.wait() == 0 for p in procs)
PY
stop
"$hotpath" merge "$work"/nomad/part-*.json -o "$work/nomad/all.json" >/dev/null 2>&1 ||
    fail "merging the Nomad parts"
same_count "$work/nomad/all.json" "$work/t-nomad.json"

# ---- usage -----------------------------------------------------------------
"$hotpath" job --for k8s --parts 3 >/dev/null 2>&1
[ $? -eq 2 ] || fail "a job without load's arguments was accepted"
"$hotpath" job --for k8s --parts 3 -- --segment 1/3 http://127.0.0.1:1/ >"$work/u.out" 2>&1
[ $? -eq 2 ] || fail "--segment in load's arguments was accepted"
grep -q "the job sets it" "$work/u.out" || fail "$(cat "$work/u.out")"
echo "jobs: ok"
