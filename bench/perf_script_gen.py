#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A synthetic `perf script` text: N samples of cpu-clock, each a call stack
DEPTH frames deep (leaf first, as perf prints them), drawn from a seeded
random call tree (each function calls one of a few children, with skew), so
the flame graph has the shape of a real program's: a few hot paths, a long
tail. Usage: perf_script_gen.py SAMPLES DEPTH OUT [SEED]"""
import random
import sys


def main():
    n, depth, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
    libs = ["/usr/bin/app", "/usr/lib/x86_64-linux-gnu/libc.so.6",
            "/usr/lib/x86_64-linux-gnu/libssl.so.3", "[kernel.kallsyms]"]
    names = ["handle_request", "parse_headers", "route", "render_json", "db_query",
             "hash_lookup", "memcpy", "malloc", "free", "write_response", "compress",
             "encrypt_block", "read_socket", "epoll_wait", "tcp_sendmsg", "copy_user",
             "schedule", "json_escape", "strlen", "vfprintf", "sort_keys", "lock_acquire",
             "lock_release", "crc32", "inflate", "deflate", "ssl_write", "ssl_read"]
    children = {}

    def child(path_key, level):
        # each node has 1-4 children; the first is the hot one
        if path_key not in children:
            k = rng.randint(1, 4)
            children[path_key] = ["%s_%d" % (rng.choice(names), rng.randint(0, 9)) for _ in range(k)]
        c = children[path_key]
        r = rng.random()
        return c[0] if r < 0.6 or len(c) == 1 else c[1 + int((r - 0.6) / 0.4 * (len(c) - 1))]

    with open(out, "w") as f:
        t = 1000.0
        for i in range(n):
            stack = ["main"]
            key = "main"
            for level in range(depth - 1):
                fn = child(key, level)
                stack.append(fn)
                key = key + ";" + fn
            t += 0.001
            f.write("app  4242 [%03d] %.6f:    1001001 cpu-clock:pppH: \n" % (i % 2, t))
            for j, fn in enumerate(reversed(stack)):
                lib = libs[3] if j < 2 and fn.startswith(("tcp", "copy", "schedule")) else libs[j % 3]
                f.write("\t%16x %s+0x%x (%s)\n" % (0x400000 + j * 64, fn, j * 4 + 1, lib))
            f.write("\n")


if __name__ == "__main__":
    main()
