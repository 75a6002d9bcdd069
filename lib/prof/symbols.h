/* SPDX-License-Identifier: MIT */
/* prof/symbols.h - addresses to function names. User addresses through the
 * process's executable mappings (from perf's mmap records, or read from
 * /proc/PID/maps) and the ELF symbol tables of the mapped files (libelf:
 * .symtab, else .dynsym; a file's separate debug file under
 * /usr/lib/debug/.build-id when installed), PIE executables and shared
 * libraries alike; kernel addresses through /proc/kallsyms. An address no
 * symbol covers is named after its file, "[libfoo.so.1]", as perf does.
 * C++ names are demangled (libstdc++'s __cxa_demangle). A file the
 * profiler cannot open at its path is looked for under /proc/PID/root (a
 * container's). Code no file backs (a JIT's) is named through
 * /tmp/perf-PID.map when the runtime writes one (node --perf-basic-prof,
 * the JVM's perf-map-agent).
 * Not thread-safe. */
#ifndef HP_PROF_SYMBOLS_H
#define HP_PROF_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hp_syms;

/* 0 or -ENOMEM. */
int hp_syms_new(struct hp_syms **out);
void hp_syms_free(struct hp_syms *y); /* NULL is fine */

/* An executable mapping of pid: [start, start + len) maps file `path` from
 * file offset pgoff. Later mappings over the same addresses win. 0 or
 * -ENOMEM. */
int hp_syms_add_map(struct hp_syms *y, int pid, uint64_t start, uint64_t len, uint64_t pgoff,
                    const char *path);
/* Every executable mapping in /proc/PID/maps. 0, or a negative errno. */
int hp_syms_read_maps(struct hp_syms *y, int pid);

/* The function at a user address of pid; written into buf. Returns buf. */
const char *hp_syms_user(struct hp_syms *y, int pid, uint64_t addr, char *buf, size_t size);
/* The kernel function at addr (kallsyms read on first use). */
const char *hp_syms_kernel(struct hp_syms *y, uint64_t addr, char *buf, size_t size);

/* False when a kernel address was asked for and kallsyms gave no symbols
 * (it shows zero addresses under kptr_restrict unless privileged). */
bool hp_syms_have_kernel(const struct hp_syms *y);

/* name demangled if it is a C++ (or legacy Rust) symbol ("_Z..."), into
 * buf; else name itself. Returns what to show. */
const char *hp_syms_demangle(const char *name, char *buf, size_t size);

/* Functions in a file by address, for tests: the symbol covering the ELF
 * virtual address vaddr of path, or NULL. */
const char *hp_syms_elf_lookup(struct hp_syms *y, const char *path, uint64_t vaddr);

#endif
