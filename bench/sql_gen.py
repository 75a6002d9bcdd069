#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Writes a MySQL 8 slow query log of N statements (seeded): 60 statement
# shapes with random literals, IN lists of varying length, multi-row INSERTs,
# comments, multi-line statements, several users, hosts and databases;
# query times log-normal per shape. About 285 bytes per statement, as the
# logs the issue measured pt-query-digest on.
#   bench/sql_gen.py N OUT.log [SEED]
import datetime
import random
import sys

n = int(sys.argv[1])
out = sys.argv[2]
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)

tables = ["orders", "customers", "order_items", "products", "carts", "sessions", "invoices",
          "payments", "shipments", "reviews"]
cols = ["id", "customer_id", "status", "created_at", "updated_at", "total", "sku", "email",
        "name", "qty", "price", "region"]


def lit():
    r = rng.random()
    if r < 0.5:
        return str(rng.randint(1, 10_000_000))
    if r < 0.7:
        return "'%s'" % rng.choice(["new", "paid", "shipped", "it''s", "a\\'b", "x@example.com"])
    if r < 0.85:
        return "'2026-%02d-%02d %02d:%02d:%02d'" % (rng.randint(1, 12), rng.randint(1, 28),
                                                  rng.randint(0, 23), rng.randint(0, 59),
                                                  rng.randint(0, 59))
    return "%.2f" % (rng.random() * 1000)


def shape(k):
    t = tables[k % len(tables)]
    c1, c2, c3 = cols[k % len(cols)], cols[(k * 7 + 3) % len(cols)], cols[(k * 5 + 1) % len(cols)]
    kind = k % 6
    if kind == 0:
        return lambda: "SELECT * FROM %s WHERE %s = %s" % (t, c1, lit())
    if kind == 1:
        return lambda: "SELECT %s, %s FROM %s WHERE %s IN (%s) ORDER BY %s LIMIT %d" % (
            c1, c2, t, c3, ", ".join(lit() for _ in range(rng.randint(1, 20))), c1,
            rng.randint(1, 100))
    if kind == 2:
        return lambda: ("SELECT %s, COUNT(*), SUM(%s)\n  FROM %s\n WHERE %s > %s -- report\n"
                        " GROUP BY %s\n ORDER BY 2 DESC" % (c1, c2, t, c3, lit(), c1))
    if kind == 3:
        return lambda: "INSERT INTO %s (%s, %s, %s) VALUES %s" % (
            t, c1, c2, c3, ", ".join("(%s, %s, %s)" % (lit(), lit(), lit())
                                     for _ in range(rng.randint(1, 8))))
    if kind == 4:
        return lambda: "UPDATE %s SET %s = %s, %s = %s + 1 WHERE %s = %s /* app:%d */" % (
            t, c1, lit(), c2, c2, c3, lit(), rng.randint(1, 9))
    return lambda: ("SELECT a.%s, b.%s FROM %s a JOIN %s b ON b.%s = a.id WHERE a.%s "
                    "BETWEEN %s AND %s AND b.%s LIKE '%%%s%%'" % (
                        c1, c2, t, tables[(k + 3) % len(tables)], c3, c2, lit(), lit(), c1,
                        rng.choice(["bob", "x", "shoe"])))


shapes = [(shape(k), rng.uniform(-9, -2)) for k in range(60)]
weights = [1.0 / (k + 1) for k in range(60)]  # a few shapes dominate, as in life
users = [("app", "web%d" % i, "10.0.0.%d" % i) for i in range(1, 9)] + [("report", "", "10.0.1.9")]
dbs = ["shop", "shop", "shop", "analytics"]
t = datetime.datetime(2026, 1, 15, 10, 0, 0)
with open(out, "w") as f:
    f.write("/usr/sbin/mysqld, Version: 8.0.32 (MySQL Community Server - GPL). started with:\n"
            "Tcp port: 3306  Unix socket: /var/run/mysqld/mysqld.sock\n"
            "Time                 Id Command    Argument\n")
    db = None
    for i in range(n):
        t += datetime.timedelta(microseconds=rng.randint(0, 40000))
        make, mu = rng.choices(shapes, weights)[0]
        qt = min(rng.lognormvariate(mu, 1.0), 30.0)
        u, host, ip = rng.choice(users)
        sent = rng.randint(0, 50)
        f.write("# Time: %sZ\n" % t.strftime("%Y-%m-%dT%H:%M:%S.%f"))
        f.write("# User@Host: %s[%s] @ %s [%s]  Id: %5d\n" % (u, u, host, ip, rng.randint(1, 500)))
        f.write("# Query_time: %.6f  Lock_time: %.6f Rows_sent: %d  Rows_examined: %d\n" % (
            qt, qt * rng.random() * 0.01, sent, sent * rng.randint(1, 1000)))
        d = rng.choice(dbs)
        if d != db:
            f.write("use %s;\n" % d)
            db = d
        f.write("SET timestamp=%d;\n" % int(t.replace(tzinfo=datetime.timezone.utc).timestamp()))
        f.write(make() + ";\n")
