# SPDX-License-Identifier: MIT
"""What the load benchmarks share: a client run pinned to CPU 0 (the
server under test is on CPU 1), read back as the requests it had answered,
the CPU seconds it used (utime + stime from wait4) and its peak RSS."""
import os
import re
import subprocess
import sys


def run(cmd, must_succeed=False):
    """cmd on CPU 0: (requests answered, CPU seconds, max RSS in KiB, output).
    Exits with the output when no "N requests in" line came (h2load's "N
    succeeded"), or when
    must_succeed and the exit status was not 0."""
    p = subprocess.Popen(["taskset", "-c", "0"] + cmd, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    n = re.search(r"(\d+) requests in", out) or re.search(r"(\d+) succeeded", out)  # h2load
    if not n or (must_succeed and status != 0):
        sys.exit("bench: %s failed:\n%s" % (" ".join(cmd), out))
    return int(n.group(1)), ru.ru_utime + ru.ru_stime, ru.ru_maxrss, out
