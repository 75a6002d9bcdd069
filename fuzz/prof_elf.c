// SPDX-License-Identifier: MIT
/* fuzz/prof_elf.c - the profiler's ELF symbol reader (libelf underneath) on
 * any bytes, as a mapped file would be: lookups at a few addresses either
 * name a function or give nothing, and never crash, whatever the headers,
 * sections and string tables claim. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "prof/symbols.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("elf", 0);
    if (fd < 0 || write(fd, data, size) != (ssize_t)size)
        abort();
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    struct hp_syms *y;
    if (hp_syms_new(&y) < 0)
        abort();
    static const uint64_t addrs[] = {0, 0x10, 0x1000, 0x1139, 0x401000, UINT64_MAX};
    for (size_t i = 0; i < sizeof addrs / sizeof addrs[0]; i++) {
        const char *name = hp_syms_elf_lookup(y, path, addrs[i]);
        FUZZ_ASSERT(!name || strlen(name) > 0);
    }
    /* and through a mapping, as samples are named */
    FUZZ_ASSERT(hp_syms_add_map(y, 1, 0x400000, 0x10000, 0, path) == 0);
    for (size_t i = 0; i < sizeof addrs / sizeof addrs[0]; i++)
        FUZZ_ASSERT(strlen(hp_syms_user(y, 1, 0x400000 + (addrs[i] & 0xffff), buf, sizeof buf)) >
                    0);
    hp_syms_free(y);
    close(fd);
    return 0;
}
