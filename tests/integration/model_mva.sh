#!/bin/sh
# SPDX-License-Identifier: MIT
# hotpath model mva --json: every figure of the document against a second
# solver in exact arithmetic (Buzen's convolution with Python's Fraction,
# load-dependent stations, multi-server or by a rate table, by their rate
# factors), to 1e-9 relative; the
# bounds by their formulas; a tie for the bottleneck names both stations;
# the --users curve; an open station exactly at capacity is called that.
#   model_mva.sh HOTPATH DATA_DIR
set -eu
H=$1
D=$2
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cat > "$t/three.yaml" <<'Y'
stations:
  - {name: lb, type: delay, demand: 2ms}
  - {name: web, demand: 7ms}
  - {name: app, demand: 11ms}
  - {name: db, demand: 13ms}
workload: {users: 40, think: 250ms}
Y
cat > "$t/shop.yaml" <<'Y'
stations:
  - {name: lb, type: delay, demand: 1ms}
  - {name: web, demand: 8ms, servers: 2}
  - {name: db, demand: 12ms}
workload: {users: 50, think: 500ms}
Y
cat > "$t/tie.yaml" <<'Y'
stations:
  - {name: api, demand: 10ms}
  - {name: db, demand: 10ms}
  - {name: cache, demand: 2ms}
workload: {users: 30, think: 100ms}
Y
cat > "$t/rates.yaml" <<'Y'
stations:
  - {name: lb, type: delay, demand: 2ms}
  - {name: pool, demand: 9ms, rates: [1, 1.8, 2.4, 2.8]}
  - {name: db, demand: 6ms}
workload: {users: 30, think: 100ms}
Y
for m in three shop tie rates; do
    "$H" model mva "$t/$m.yaml" --users 1..5 --json "$t/$m.json" > "$t/$m.out" ||
        fail "$m: exit $?: $(cat "$t/$m.out")"
done
cat > "$t/solver.py" <<'PY'
from fractions import Fraction as F

def exact(stations, n_users, think):
    """Buzen's convolution, exact: g(n) over the stations one by one; the
    delay (think time plus delay stations) first, as Z^n / n!; a station
    with c servers by its rate factors beta(j) = prod min(i, c)."""
    z = F(think) + sum(F(d) for kind, d, c in stations if kind == "delay")
    g = [F(1)]
    for n in range(1, n_users + 1):
        g.append(g[-1] * z / n)
    def alpha(c, j):
        """the rate with j present: min(j, c) for c servers, or the table's"""
        if isinstance(c, list):
            return F(c[min(j, len(c)) - 1])
        return min(j, c)
    def fold(g, d, c):
        out = []
        for n in range(n_users + 1):
            s, beta = F(0), F(1)
            for j in range(n + 1):
                if j > 0:
                    beta *= alpha(c, j)
                s += d ** j / beta * g[n - j]
            out.append(s)
        return out
    gs = {}
    for i, (kind, d, c) in enumerate(stations):
        if kind == "queue":
            # the network without station i, for its marginal probabilities
            rest = [F(1)]
            for n in range(1, n_users + 1):
                rest.append(rest[-1] * z / n)
            for k, (kind2, d2, c2) in enumerate(stations):
                if kind2 == "queue" and k != i:
                    rest = fold(rest, F(d2), c2)
            gs[i] = rest
    full = g
    for kind, d, c in stations:
        if kind == "queue":
            full = fold(full, F(d), c)
    N = n_users
    x = full[N - 1] / full[N]
    res = {}
    for i, (kind, d, c) in enumerate(stations):
        d = F(d)
        if kind == "delay":
            q = x * d
        else:
            # P(j at i) = d^j / beta(j) * G_-i(N - j) / G(N)
            q, beta = F(0), F(1)
            for j in range(1, N + 1):
                beta *= alpha(c, j)
                q += j * d ** j / beta * gs[i][N - j] / full[N]
        cap = max(F(v) for v in c) if isinstance(c, list) else c
        res[i] = (q, q / x, x * d / cap)
    return x, res

PY
python3 - "$t" <<'PY' || fail "against the exact solution"
import json, sys
from fractions import Fraction as F
t = sys.argv[1]
exec(open(t + "/solver.py").read())
def close(a, b, what):
    a, b = float(a), float(b)
    assert abs(a - b) <= 1e-9 * abs(b), "%s: %r, exact %r" % (what, a, b)

nets = {
    "three": ([("delay", "0.002", 1), ("queue", "0.007", 1), ("queue", "0.011", 1),
               ("queue", "0.013", 1)], 40, "0.25", ["lb", "web", "app", "db"]),
    "shop": ([("delay", "0.001", 1), ("queue", "0.008", 2), ("queue", "0.012", 1)], 50, "0.5",
             ["lb", "web", "db"]),
    "tie": ([("queue", "0.010", 1), ("queue", "0.010", 1), ("queue", "0.002", 1)], 30, "0.1",
            ["api", "db", "cache"]),
    "rates": ([("delay", "0.002", 1), ("queue", "0.009", ["1", "1.8", "2.4", "2.8"]),
               ("queue", "0.006", 1)], 30, "0.1", ["lb", "pool", "db"]),
}
for name, (st, n, z, names) in nets.items():
    d = json.load(open("%s/%s.json" % (t, name)))
    m = {k: v["value"] for k, v in d["metrics"].items()}
    x, res = exact(st, n, z)
    close(m["throughput_per_s"], x, name + " X")
    close(m["response_s"], F(n) / x - F(z), name + " R")
    for i, s in enumerate(names):
        q, r, u = res[i]
        close(m["%s/utilisation" % s], u, "%s %s U" % (name, s))
        close(m["requests/%s/queue" % s], q, "%s %s Q" % (name, s))
        close(m["requests/%s/residence_s" % s], r, "%s %s residence" % (name, s))
    # bounds, by their formulas
    D = sum(F(dd) for kind, dd, c in st)
    Dmax = max(F(dd) / (max(F(v) for v in c) if isinstance(c, list) else c)
               for kind, dd, c in st if kind == "queue")
    close(m["bound_throughput_per_s"], min(F(n) / (D + F(z)), 1 / Dmax), name + " X bound")
    close(m["bound_response_s"], max(D, n * Dmax - F(z)), name + " R bound")
    close(m["n_star"], (D + F(z)) / Dmax, name + " N*")
    assert m["bound_throughput_per_s"] >= m["throughput_per_s"]
    # the curve: X(n) for n = 1..5, each an exact solution of its own
    pts = d["series"]["throughput_per_s"]["points"]
    assert [p[0] for p in pts] == [1, 2, 3, 4, 5], pts
    for users, xv in pts:
        close(xv, exact(st, int(users), z)[0], "%s X(%d)" % (name, users))
    assert d["config"]["method"] == ("load-dependent" if name in ("shop", "rates") else "exact"), \
        d["config"]
tie = json.load(open("%s/tie.json" % t))
assert tie["bottlenecks"] == ["api", "db"], tie["bottlenecks"]
assert json.load(open("%s/three.json" % t))["bottlenecks"] == ["db"]
PY
grep -q "api .*<- bottleneck (tie)" "$t/tie.out" && grep -q "db .*<- bottleneck (tie)" "$t/tie.out" &&
    grep -q "a tie between api and db" "$t/tie.out" || fail "tie: $(cat "$t/tie.out")"
grep -q "N\* = (D+Z)/D_max" "$t/three.out" || fail "bounds: $(cat "$t/three.out")"

# routing: visit probabilities instead of visits; the visits solved from
# them (v = e + P^T v: app and db 1.6 each, by hand) give the same network,
# figure for figure, as the demands written out
cat > "$t/route.yaml" <<'Y'
stations:
  - {name: lb, type: delay, service: 1ms}
  - {name: web, service: 4ms}
  - {name: app, service: 5ms}
  - {name: db, service: 2ms}
routing:
  entry: {lb: 1}
  lb: {web: 1}
  web: {app: 0.8}
  app: {db: 1}
  db: {app: 0.5}
workload: {users: 20, think: 1s}
Y
cat > "$t/direct.yaml" <<'Y'
stations:
  - {name: lb, type: delay, demand: 1ms}
  - {name: web, demand: 4ms}
  - {name: app, demand: 8ms}
  - {name: db, demand: 3.2ms}
workload: {users: 20, think: 1s}
Y
"$H" model mva "$t/route.yaml" --json "$t/route.json" > "$t/route.out" || fail "routing: $(cat "$t/route.out")"
"$H" model mva "$t/direct.yaml" --json "$t/direct.json" > "$t/direct.out" || fail "direct"
grep -q "visits per request, solved from the routing: lb 1, web 1, app 1.6, db 1.6" "$t/route.out" ||
    fail "visits: $(cat "$t/route.out")"
python3 - "$t/route.json" "$t/direct.json" <<'PY' || fail "routing differs from the demands"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
for k, v in b["metrics"].items():
    x, y = a["metrics"][k]["value"], v["value"]
    assert abs(x - y) <= 1e-12 * abs(y), (k, x, y)
assert [s["visits"] for s in a["stations"]] == [1, 1, 1.6, 1.6] or \
    all(abs(s["visits"] - w) < 1e-12 for s, w in zip(a["stations"], [1, 1, 1.6, 1.6]))
PY
for case in "no way out|app: {db: 1}|db: {app: 1}|can never leave" \
            "entry short|entry: {lb: 0.5}|lb: {web: 1}|add up to 1" \
            "unvisited|lb: {web: 1}|web: {web: 0.5}|station 'app' is never visited" \
            "unknown|lb: {web: 1}|web: {exit: 1}|no station 'exit'"; do
    name=${case%%|*}; rest=${case#*|}; l1=${rest%%|*}; rest=${rest#*|}; l2=${rest%%|*}; words=${rest#*|}
    {
        printf 'stations:\n  - {name: lb, type: delay, service: 1ms}\n  - {name: web, service: 4ms}\n'
        printf '  - {name: app, service: 5ms}\n  - {name: db, service: 2ms}\nrouting:\n'
        case $l1 in entry*) printf '  %s\n' "$l1" ;; *) printf '  entry: {lb: 1}\n  %s\n' "$l1" ;; esac
        printf '  %s\nworkload: {users: 5, think: 1s}\n' "$l2"
    } > "$t/bad.yaml"
    rc=0
    "$H" model mva "$t/bad.yaml" > "$t/bad.out" 2>&1 || rc=$?
    [ $rc -eq 2 ] && grep -q "$words" "$t/bad.out" || fail "routing, $name: exit $rc: $(cat "$t/bad.out")"
done

# PDQ's passport office (Gunther, PPA 1998, ch. 3), an open network given by
# its routing: the response time, window 3's utilisation and window 2's
# residence time against the exact values in the published-PDQ reference
# file (tests/data/mva_pdq_published.csv)
cat > "$t/passport.yaml" <<'Y'
stations:
  - {name: window1, service: 20s}
  - {name: window2, service: 600s}
  - {name: window3, service: 300s}
  - {name: window4, service: 60s}
routing:
  entry: {window1: 1}
  window1: {window2: 0.3, window3: 0.7}
  window2: {window3: 0.2, window4: 0.8}
  window3: {window2: 0.1, window4: 0.9}
  window4: {}
workload: {arrival_rate: 0.00427}
Y
"$H" model mva "$t/passport.yaml" --json "$t/passport.json" > "$t/passport.out" ||
    fail "passport: $(cat "$t/passport.out")"
python3 - "$t/passport.json" "$D/mva_pdq_published.csv" <<'PY' || fail "passport against PDQ's"
import csv, json, sys
d = json.load(open(sys.argv[1]))
m = {k: v["value"] for k, v in d["metrics"].items()}
ref = {r["metric"]: float(r["exact_reference_value"])
       for r in csv.DictReader(open(sys.argv[2])) if r["model"] == "passport"}
got = {"response_time_s": m["response_s"],
       "window3 utilization_pct": 100 * m["window3/utilisation"],
       "window2 residence_s": m["requests/window2/residence_s"]}
assert set(got) == set(ref), (sorted(ref), sorted(got))
for k, v in got.items():
    assert abs(v - ref[k]) <= 1e-9 * abs(ref[k]), (k, v, ref[k])
PY

# a mixed network: one closed class and one open class. The closed class
# alone with each station's demand stretched by 1 / (1 - U_open), solved by
# the exact convolution above; the open class's residence D (1 + Q_closed) /
# (1 - U_open) (Lazowska et al. 1984, 7.4); and with the open class at rate
# 0 the figures are the closed network's own
cat > "$t/mixed.yaml" <<'Y'
stations:
  - {name: cpu}
  - {name: disk}
  - {name: net, type: delay}
classes:
  - {name: oltp, users: 10, think: 1s, demands: {cpu: 40ms, disk: 60ms, net: 5ms}}
  - {name: batch, arrival_rate: 5, demands: {cpu: 50ms, disk: 30ms, net: 2ms}}
Y
sed 's/arrival_rate: 5,/arrival_rate: 0,/' "$t/mixed.yaml" > "$t/mixed0.yaml"
cat > "$t/closedonly.yaml" <<'Y'
stations:
  - {name: cpu, demand: 40ms}
  - {name: disk, demand: 60ms}
  - {name: net, type: delay, demand: 5ms}
workload: {users: 10, think: 1s}
Y
for m in mixed mixed0 closedonly; do
    "$H" model mva "$t/$m.yaml" --json "$t/$m.json" > "$t/$m.out" || fail "$m: $(cat "$t/$m.out")"
done
python3 - "$t" <<'PY' || fail "mixed network"
import json, sys
from fractions import Fraction as F
t = sys.argv[1]
def load(n):
    return {k: v["value"] for k, v in json.load(open("%s/%s.json" % (t, n)))["metrics"].items()}
m = load("mixed")
lam = F(5)
uo = {"cpu": lam * F("0.050"), "disk": lam * F("0.030")}
# the closed class by the convolution with stretched demands
exec(open(t + "/solver.py").read())
x, res = exact([("delay", "0.005", 1), ("queue", F("0.040") / (1 - uo["cpu"]), 1),
                ("queue", F("0.060") / (1 - uo["disk"]), 1)], 10, "1")
def close(a, b, what):
    assert abs(float(a) - float(b)) <= 1e-9 * abs(float(b)), (what, a, float(b))
close(m["oltp/throughput_per_s"], x, "X")
q = {"net": res[0][0], "cpu": res[1][0], "disk": res[2][0]}
for s in ("cpu", "disk"):
    close(m["oltp/%s/queue" % s], q[s], "Q " + s)
    d = {"cpu": F("0.050"), "disk": F("0.030")}[s]
    close(m["batch/%s/residence_s" % s], d * (1 + q[s]) / (1 - uo[s]), "batch R " + s)
close(m["batch/net/residence_s"], F("0.002"), "batch at the delay")
close(m["cpu/utilisation"], uo["cpu"] + x * F("0.040"), "U cpu")
a, b = load("mixed0"), load("closedonly")
for k in ("cpu/utilisation", "disk/utilisation"):
    close(a[k], b[k], "rate 0: " + k)
close(a["oltp/throughput_per_s"], b["throughput_per_s"], "rate 0: X")
PY

# several classes and a two-server station, asked to use Seidmann's
# approximation: said, and figure for figure the network with the station
# split by hand into a server of demand D/2 and a delay of D/2 (parts added
# back)
cat > "$t/mc2.yaml" <<'Y'
stations:
  - {name: web, servers: 2}
  - {name: db}
classes:
  - {name: a, users: 6, think: 1s, demands: {web: 80ms, db: 30ms}}
  - {name: b, users: 4, think: 2s, demands: {web: 40ms, db: 90ms}}
Y
cat > "$t/mc2split.yaml" <<'Y'
stations:
  - {name: web}
  - {name: db}
  - {name: webdelay, type: delay}
classes:
  - {name: a, users: 6, think: 1s, demands: {web: 40ms, db: 30ms, webdelay: 40ms}}
  - {name: b, users: 4, think: 2s, demands: {web: 20ms, db: 90ms, webdelay: 20ms}}
Y
"$H" model mva "$t/mc2.yaml" --method seidmann --json "$t/mc2.json" > "$t/mc2.out" ||
    fail "mc2: $(cat "$t/mc2.out")"
"$H" model mva "$t/mc2split.yaml" --json "$t/mc2split.json" > "$t/mc2split.out" || fail "mc2split"
grep -q "Seidmann's approximation" "$t/mc2.out" || fail "not said: $(cat "$t/mc2.out")"
python3 - "$t/mc2.json" "$t/mc2split.json" <<'PY' || fail "Seidmann's split"
import json, sys
a, b = ({k: v["value"] for k, v in json.load(open(f))["metrics"].items()} for f in sys.argv[1:])
assert json.load(open(sys.argv[1]))["config"]["seidmann_approximation"] is True
def close(x, y, what):
    assert abs(x - y) <= 1e-12 * abs(y), (what, x, y)
for c in ("a", "b"):
    close(a[c + "/throughput_per_s"], b[c + "/throughput_per_s"], c + " X")
    close(a[c + "/web/residence_s"], b[c + "/web/residence_s"] + b[c + "/webdelay/residence_s"], c)
    close(a[c + "/web/queue"], b[c + "/web/queue"] + b[c + "/webdelay/queue"], c + " Q")
    close(a[c + "/db/residence_s"], b[c + "/db/residence_s"], c + " db")
close(a["web/utilisation"], b["web/utilisation"], "U web") # per server: X D / 2 both ways
PY

# several classes with multi-server and rate-table stations: exact
# load-dependent MVA, checked against the product form computed exactly: the
# normalising constant G(n) over every population vector by convolving the
# stations' factors f(m) = |m|! prod_c D_c^m_c / m_c! / prod_j alpha(j) in
# Fractions; X_c = G(N - 1_c) / G(N), Q_ck from the marginal distribution
cat > "$t/mcld.yaml" <<'Y'
stations:
  - {name: lb, type: delay}
  - {name: web, servers: 3}
  - {name: pool, rates: [1, 1.7, 2.2]}
  - {name: db}
classes:
  - {name: a, users: 4, think: 1s, demands: {lb: 5ms, web: 300ms, pool: 150ms, db: 90ms}}
  - {name: b, users: 3, think: 500ms, demands: {lb: 2ms, web: 120ms, pool: 400ms, db: 200ms}}
  - {name: c, users: 2, think: 0s, demands: {web: 50ms, pool: 20ms, db: 250ms}}
Y
"$H" model mva "$t/mcld.yaml" --json "$t/mcld.json" > "$t/mcld.out" || fail "mcld: $(cat "$t/mcld.out")"
grep -q "exact load-dependent MVA" "$t/mcld.out" || fail "mcld method: $(cat "$t/mcld.out")"
python3 - "$t/mcld.json" <<'PY' || fail "multi-class load-dependent MVA against the product form"
import json, sys
from fractions import Fraction as F
from itertools import product
from math import factorial
def mc_exact(stations, pops, thinks):
    C = len(pops)
    vecs = list(product(*[range(p + 1) for p in pops]))
    def alpha(c, j):
        return F(c[min(j, len(c)) - 1]) if isinstance(c, list) else F(min(j, c))
    def f(kind, d, c, m):
        v = F(1)
        for i in range(C):
            v *= F(d[i]) ** m[i] / factorial(m[i])
        if kind == "delay":
            return v
        v *= factorial(sum(m))
        for j in range(1, sum(m) + 1):
            v /= alpha(c, j)
        return v
    def conv(g, kind, d, c):
        return {n: sum(f(kind, d, c, m) * g[tuple(a - b for a, b in zip(n, m))]
                       for m in product(*[range(x + 1) for x in n])) for n in vecs}
    allst = [("delay", thinks, 1)] + stations
    def G(skip=None):
        g = {n: F(1) if sum(n) == 0 else F(0) for n in vecs}
        for i, (kind, d, c) in enumerate(allst):
            if i != skip:
                g = conv(g, kind, d, c)
        return g
    full, N = G(), tuple(pops)
    X = [full[tuple(N[i] - (i == c) for i in range(C))] / full[N] for c in range(C)]
    Q = []
    for i in range(1, len(allst)):
        kind, d, c = allst[i]
        rest, q = G(skip=i), [F(0)] * C
        for m in product(*[range(x + 1) for x in N]):
            p = f(kind, d, c, m) * rest[tuple(a - b for a, b in zip(N, m))] / full[N]
            for cl in range(C):
                q[cl] += m[cl] * p
        Q.append(q)
    return X, Q
ms = F(1, 1000)
st = [("delay", [5 * ms, 2 * ms, 0], 1), ("queue", [300 * ms, 120 * ms, 50 * ms], 3),
      ("queue", [150 * ms, 400 * ms, 20 * ms], [1, F("1.7"), F("2.2")]),
      ("queue", [90 * ms, 200 * ms, 250 * ms], 1)]
X, Q = mc_exact(st, [4, 3, 2], [F(1), F(1, 2), F(0)])
m = {k: v["value"] for k, v in json.load(open(sys.argv[1]))["metrics"].items()}
def close(a, b, what):
    assert abs(a - float(b)) <= 1e-9 * abs(float(b)), (what, a, float(b))
for c, cn in enumerate("abc"):
    close(m[cn + "/throughput_per_s"], X[c], cn + " X")
    for i, sn in enumerate(["lb", "web", "pool", "db"]):
        if Q[i][c] > 0:
            close(m["%s/%s/queue" % (cn, sn)], Q[i][c], "Q %s %s" % (cn, sn))
            close(m["%s/%s/residence_s" % (cn, sn)], Q[i][c] / X[c], "R %s %s" % (cn, sn))
close(m["web/utilisation"], sum(X[c] * st[1][1][c] for c in range(3)) / 3, "U web")
close(m["pool/utilisation"], sum(X[c] * st[2][1][c] for c in range(3)) / F("2.2"), "U pool")
PY

# --users per class: a sweep of one class (another set, the third as in the
# file) gives at each point what solving that population alone gives
"$H" model mva "$t/mcld.yaml" --users a=1..3 --users c=1 --json "$t/sweep.json" > "$t/sweep.out" ||
    fail "sweep: $(cat "$t/sweep.out")"
for n in 1 2 3; do
    "$H" model mva "$t/mcld.yaml" --users a=$n --users c=1 --json "$t/at$n.json" > "$t/at$n.out" ||
        fail "at $n"
done
python3 - "$t" <<'PY' || fail "--users per class against single solutions"
import json, sys
t = sys.argv[1]
s = json.load(open(t + "/sweep.json"))
assert s["config"]["users"] == ["a=1..3", "c=1"], s["config"]
series = s["series"]
for n in (1, 2, 3):
    m = {k: v["value"] for k, v in json.load(open("%s/at%d.json" % (t, n)))["metrics"].items()}
    for cls in "abc":
        for fig in ("throughput_per_s", "response_s"):
            pts = series["%s/%s" % (cls, fig)]["points"]
            p = [p for p in pts if p[0] == n]
            assert len(p) == 1, (cls, fig, n, pts)
            assert abs(p[0][1] - m["%s/%s" % (cls, fig)]) <= 1e-12 * m["%s/%s" % (cls, fig)], \
                (cls, fig, n)
PY

# an open station exactly at capacity
cat > "$t/open.yaml" <<'Y'
stations:
  - {name: db, demand: 10ms}
workload: {arrival_rate: 100}
Y
rc=0
"$H" model mva "$t/open.yaml" > "$t/o.out" 2>&1 || rc=$?
[ $rc -eq 2 ] && grep -q "exactly at capacity" "$t/o.out" || fail "rho = 1: exit $rc: $(cat "$t/o.out")"
echo "model mva: ok"
