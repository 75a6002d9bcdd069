# SPDX-License-Identifier: MIT
# Fill in each oracleGeneral record's next access (the index of the next
# request of its key, -1 for none), as libCacheSim's Belady needs.
#   fill_next.py IN OUT
import struct, sys
d = bytearray(open(sys.argv[1], 'rb').read())
n = len(d) // 24
last = {}
for i in range(n - 1, -1, -1):
    t, k, z, nx = struct.unpack_from('<IQIq', d, 24 * i)
    struct.pack_into('<IQIq', d, 24 * i, t, k, z, last.get(k, -1))
    last[k] = i
open(sys.argv[2], 'wb').write(d)
