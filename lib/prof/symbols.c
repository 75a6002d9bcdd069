// SPDX-License-Identifier: MIT
/* prof/symbols.c - see symbols.h. */
#include "prof/symbols.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"

struct sym {
    uint64_t start, size;
    uint32_t name; /* offset in the table's pool */
};

/* Functions by address, with their names in one pool. */
struct symtab {
    struct sym *v;
    size_t n, cap;
    char *pool;
    size_t pool_len, pool_cap;
};

struct load {
    uint64_t offset, vaddr, filesz;
};

struct file {
    char *path;
    bool loaded, ok;
    struct load *loads;
    size_t nloads;
    struct symtab syms;
};

struct map {
    int pid;
    uint32_t seq; /* later mappings win */
    uint64_t start, end, pgoff;
    uint32_t file;
};

/* A JIT's own map of its code (/tmp/perf-PID.map: "START SIZE name" a
 * line, in hex), as Node's --perf-basic-prof and the JVM's perf-map-agent
 * write it. */
struct jit {
    int pid;
    bool ok;
    struct symtab syms;
};

struct hp_syms {
    struct jit *jits;
    size_t njits, jits_cap;
    struct map *maps;
    size_t nmaps, maps_cap;
    bool sorted;
    struct file *files;
    size_t nfiles, files_cap;
    struct symtab kernel;
    bool kernel_read, kernel_ok;
};

int hp_syms_new(struct hp_syms **out)
{
    *out = hp_calloc(1, sizeof **out);
    if (!*out)
        return -ENOMEM;
    elf_version(EV_CURRENT);
    return 0;
}

static void symtab_free(struct symtab *t)
{
    hp_free(t->v);
    hp_free(t->pool);
}

void hp_syms_free(struct hp_syms *y)
{
    if (!y)
        return;
    for (size_t i = 0; i < y->nfiles; i++) {
        hp_free(y->files[i].path);
        hp_free(y->files[i].loads);
        symtab_free(&y->files[i].syms);
    }
    hp_free(y->files);
    for (size_t i = 0; i < y->njits; i++)
        symtab_free(&y->jits[i].syms);
    hp_free(y->jits);
    hp_free(y->maps);
    symtab_free(&y->kernel);
    hp_free(y);
}

/* ---- symbol tables ----------------------------------------------------- */

static int symtab_add(struct symtab *t, uint64_t start, uint64_t size, const char *name)
{
    size_t len = strlen(name);
    if (t->pool_len + len + 1 > UINT32_MAX || HP_GROW(t->v, t->cap, t->n + 1, 1024) < 0 ||
        HP_GROW(t->pool, t->pool_cap, t->pool_len + len + 1, 65536) < 0)
        return -ENOMEM;
    memcpy(t->pool + t->pool_len, name, len + 1);
    t->v[t->n++] = (struct sym){start, size, (uint32_t)t->pool_len};
    t->pool_len += len + 1;
    return 0;
}

static int by_start(const void *a, const void *b)
{
    const struct sym *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->size > y->size ? -1 : x->size < y->size; /* the sized one first */
}

/* Sorted, one symbol per address (the first, sized, one kept). */
static void symtab_sort(struct symtab *t)
{
    if (t->n == 0)
        return;
    qsort(t->v, t->n, sizeof *t->v, by_start);
    size_t k = 1;
    for (size_t i = 1; i < t->n; i++)
        if (t->v[i].start != t->v[k - 1].start)
            t->v[k++] = t->v[i];
    t->n = k;
}

/* The symbol covering addr: within its size, or for a symbol without size,
 * anywhere before the next one. */
static const char *symtab_find(const struct symtab *t, uint64_t addr)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) { /* the first symbol starting after addr */
        size_t mid = lo + (hi - lo) / 2;
        if (t->v[mid].start <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    const struct sym *s = &t->v[lo - 1];
    if (s->size ? addr < s->start + s->size : true)
        return t->pool + s->name;
    return NULL;
}

/* ---- ELF files --------------------------------------------------------- */

/* The functions of an ELF file's .symtab and .dynsym into t. */
static int elf_symbols(Elf *e, struct symtab *t)
{
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(e, scn))) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM) ||
            sh.sh_entsize == 0)
            continue;
        Elf_Data *d = elf_getdata(scn, NULL);
        if (!d)
            continue;
        size_t n = sh.sh_size / sh.sh_entsize;
        for (size_t i = 0; i < n; i++) {
            GElf_Sym s;
            if (!gelf_getsym(d, (int)i, &s))
                break;
            int type = GELF_ST_TYPE(s.st_info);
            if ((type != STT_FUNC && type != STT_GNU_IFUNC) || s.st_value == 0 ||
                s.st_shndx == SHN_UNDEF)
                continue;
            const char *name = elf_strptr(e, sh.sh_link, s.st_name);
            if (name && *name && symtab_add(t, s.st_value, s.st_size, name) < 0)
                return -ENOMEM;
        }
    }
    return 0;
}

/* /usr/lib/debug/.build-id/xx/yyyy.debug for the file's build id, if any. */
static bool debug_file(Elf *e, char *out, size_t size)
{
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(e, scn))) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
            continue;
        Elf_Data *d = elf_getdata(scn, NULL);
        GElf_Nhdr nh;
        size_t off = 0, name_off, desc_off;
        while (d && (off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
            if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 ||
                memcmp((char *)d->d_buf + name_off, "GNU", 4) != 0 || nh.n_descsz < 2 ||
                nh.n_descsz > 64)
                continue;
            const unsigned char *id = (const unsigned char *)d->d_buf + desc_off;
            int k = snprintf(out, size, "/usr/lib/debug/.build-id/%02x/", id[0]);
            for (size_t i = 1; i < nh.n_descsz && k > 0 && (size_t)k + 3 < size; i++)
                k += snprintf(out + k, size - (size_t)k, "%02x", id[i]);
            if (k > 0 && (size_t)k + 7 < size)
                memcpy(out + k, ".debug", 7);
            struct stat st;
            return k > 0 && stat(out, &st) == 0;
        }
    }
    return false;
}

/* The file as the process sees it: its own path, or through
 * /proc/PID/root when it lives in another mount namespace (a container). */
static void load_file(struct file *f, int pid)
{
    f->loaded = true;
    int fd = open(f->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && pid > 0 && f->path[0] == '/') {
        char alt[4200];
        snprintf(alt, sizeof alt, "/proc/%d/root%s", pid, f->path);
        fd = open(alt, O_RDONLY | O_CLOEXEC);
    }
    if (fd < 0)
        return;
    Elf *e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
    size_t nph = 0;
    if (!e || elf_kind(e) != ELF_K_ELF || elf_getphdrnum(e, &nph) != 0)
        goto out;
    f->loads = hp_calloc(nph ? nph : 1, sizeof *f->loads);
    if (!f->loads)
        goto out;
    for (size_t i = 0; i < nph; i++) {
        GElf_Phdr ph;
        if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_LOAD)
            f->loads[f->nloads++] = (struct load){ph.p_offset, ph.p_vaddr, ph.p_filesz};
    }
    char dbg[512];
    int rc = -1;
    if (debug_file(e, dbg, sizeof dbg)) { /* its symbols, at the same addresses */
        int dfd = open(dbg, O_RDONLY | O_CLOEXEC);
        Elf *de = dfd >= 0 ? elf_begin(dfd, ELF_C_READ_MMAP, NULL) : NULL;
        if (de && elf_kind(de) == ELF_K_ELF)
            rc = elf_symbols(de, &f->syms);
        if (de)
            elf_end(de);
        if (dfd >= 0)
            close(dfd);
    }
    if (rc < 0 || f->syms.n == 0)
        rc = elf_symbols(e, &f->syms);
    symtab_sort(&f->syms);
    f->ok = rc == 0;
out:
    if (e)
        elf_end(e);
    close(fd);
}

static uint32_t file_of(struct hp_syms *y, const char *path)
{
    for (size_t i = 0; i < y->nfiles; i++)
        if (strcmp(y->files[i].path, path) == 0)
            return (uint32_t)i;
    if (HP_GROW(y->files, y->files_cap, y->nfiles + 1, 32) < 0)
        return UINT32_MAX;
    char *p = hp_strdup(path);
    if (!p)
        return UINT32_MAX;
    y->files[y->nfiles] = (struct file){.path = p};
    return (uint32_t)y->nfiles++;
}

const char *hp_syms_elf_lookup(struct hp_syms *y, const char *path, uint64_t vaddr)
{
    uint32_t i = file_of(y, path);
    if (i == UINT32_MAX)
        return NULL;
    struct file *f = &y->files[i];
    if (!f->loaded)
        load_file(f, 0);
    return f->ok ? symtab_find(&f->syms, vaddr) : NULL;
}

/* ---- names -------------------------------------------------------------- */

/* libstdc++'s demangler (the C++ ABI's), as perf and gdb use it */
char *__cxa_demangle(const char *mangled, char *out, size_t *len, int *status);

const char *hp_syms_demangle(const char *name, char *buf, size_t size)
{
    if (name[0] != '_' || name[1] != 'Z')
        return name;
    int status = 0;
    char *d = __cxa_demangle(name, NULL, NULL, &status);
    if (!d || status != 0) {
        free(d); /* malloc'd by libstdc++, not by hp_malloc */
        return name;
    }
    snprintf(buf, size, "%s", d);
    free(d);
    return buf;
}

/* ---- mappings ---------------------------------------------------------- */

int hp_syms_add_map(struct hp_syms *y, int pid, uint64_t start, uint64_t len, uint64_t pgoff,
                    const char *path)
{
    uint32_t file = file_of(y, path);
    if (file == UINT32_MAX)
        return -ENOMEM;
    if (HP_GROW(y->maps, y->maps_cap, y->nmaps + 1, 256) < 0)
        return -ENOMEM;
    y->maps[y->nmaps] = (struct map){pid, (uint32_t)y->nmaps, start, start + len, pgoff, file};
    y->nmaps++;
    y->sorted = false;
    return 0;
}

int hp_syms_read_maps(struct hp_syms *y, int pid)
{
    char path[64], line[4352];
    snprintf(path, sizeof path, "/proc/%d/maps", pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return -errno;
    int rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        unsigned long long a, b, off;
        char perms[8];
        int name_at = 0;
        if (sscanf(line, "%llx-%llx %7s %llx %*s %*s %n", &a, &b, perms, &off, &name_at) < 4 ||
            perms[2] != 'x' || name_at == 0)
            continue;
        char *name = line + name_at;
        name[strcspn(name, "\n")] = '\0';
        rc = hp_syms_add_map(y, pid, a, b - a, off, *name ? name : "[anon]");
    }
    fclose(f);
    return rc;
}

static int by_pid_start(const void *a, const void *b)
{
    const struct map *x = a, *y = b;
    if (x->pid != y->pid)
        return x->pid < y->pid ? -1 : 1;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static const struct map *map_find(struct hp_syms *y, int pid, uint64_t addr)
{
    if (!y->sorted && y->nmaps > 0) {
        qsort(y->maps, y->nmaps, sizeof *y->maps, by_pid_start);
        y->sorted = true;
    }
    size_t lo = 0, hi = y->nmaps;
    while (lo < hi) { /* the first map after (pid, addr) */
        size_t mid = lo + (hi - lo) / 2;
        const struct map *m = &y->maps[mid];
        if (m->pid < pid || (m->pid == pid && m->start <= addr))
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i > 0; i--) { /* the latest of those covering addr */
        const struct map *m = &y->maps[i - 1];
        if (m->pid != pid)
            break;
        if (addr < m->end)
            return m;
        if (lo - i > 8)
            break; /* mappings do not nest deeper than that */
    }
    return NULL;
}

static const char *base_name(const char *path, char *buf, size_t size)
{
    if (path[0] == '[') /* [vdso], [anon], [heap] */
        snprintf(buf, size, "%s", path);
    else {
        const char *b = strrchr(path, '/');
        snprintf(buf, size, "[%s]", b ? b + 1 : path);
    }
    return buf;
}

static const struct symtab *jit_of(struct hp_syms *y, int pid)
{
    for (size_t i = 0; i < y->njits; i++)
        if (y->jits[i].pid == pid)
            return y->jits[i].ok ? &y->jits[i].syms : NULL;
    if (HP_GROW(y->jits, y->jits_cap, y->njits + 1, 8) < 0)
        return NULL;
    struct jit *j = &y->jits[y->njits++];
    *j = (struct jit){.pid = pid};
    char path[64], line[4352];
    snprintf(path, sizeof path, "/tmp/perf-%d.map", pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return NULL;
    while (fgets(line, sizeof line, f)) {
        unsigned long long start, len;
        int name_at = 0;
        if (sscanf(line, "%llx %llx %n", &start, &len, &name_at) < 2 || name_at == 0)
            continue;
        char *name = line + name_at;
        name[strcspn(name, "\n")] = '\0';
        if (*name && symtab_add(&j->syms, start, len, name) < 0)
            break;
    }
    fclose(f);
    symtab_sort(&j->syms);
    j->ok = j->syms.n > 0;
    return j->ok ? &j->syms : NULL;
}

/* Code no file backs: a JIT's, named by its perf map when it has one. */
static bool anonymous(const char *path)
{
    return strncmp(path, "[anon", 5) == 0 || strncmp(path, "//anon", 6) == 0 ||
           strncmp(path, "/memfd:", 7) == 0 || path[0] == '\0';
}

const char *hp_syms_user(struct hp_syms *y, int pid, uint64_t addr, char *buf, size_t size)
{
    const struct map *m = map_find(y, pid, addr);
    if (!m || anonymous(y->files[m->file].path)) {
        const struct symtab *jit = jit_of(y, pid);
        const char *name = jit ? symtab_find(jit, addr) : NULL;
        snprintf(buf, size, "%s", name ? name : m ? "[anon]" : "[unknown]");
        return buf;
    }
    struct file *f = &y->files[m->file];
    if (f->path[0] != '[' && !f->loaded)
        load_file(f, pid);
    if (f->ok) {
        uint64_t off = addr - m->start + m->pgoff, vaddr = off;
        for (size_t i = 0; i < f->nloads; i++)
            if (off >= f->loads[i].offset && off < f->loads[i].offset + f->loads[i].filesz) {
                vaddr = off - f->loads[i].offset + f->loads[i].vaddr;
                break;
            }
        const char *name = symtab_find(&f->syms, vaddr);
        if (name) {
            char tmp[1024];
            snprintf(buf, size, "%s", hp_syms_demangle(name, tmp, sizeof tmp));
            return buf;
        }
    }
    return base_name(f->path, buf, size);
}

/* ---- the kernel -------------------------------------------------------- */

static void read_kallsyms(struct hp_syms *y)
{
    y->kernel_read = true;
    FILE *f = fopen("/proc/kallsyms", "re");
    if (!f)
        return;
    char line[512];
    bool nonzero = false;
    while (fgets(line, sizeof line, f)) {
        unsigned long long a;
        char type, name[256];
        if (sscanf(line, "%llx %c %255s", &a, &type, name) != 3)
            continue;
        if (type != 't' && type != 'T' && type != 'w' && type != 'W')
            continue;
        nonzero |= a != 0;
        if (symtab_add(&y->kernel, a, 0, name) < 0)
            break;
    }
    fclose(f);
    symtab_sort(&y->kernel);
    y->kernel_ok = nonzero && y->kernel.n > 0;
}

const char *hp_syms_kernel(struct hp_syms *y, uint64_t addr, char *buf, size_t size)
{
    if (!y->kernel_read)
        read_kallsyms(y);
    const char *name = y->kernel_ok ? symtab_find(&y->kernel, addr) : NULL;
    snprintf(buf, size, "%s", name ? name : "[kernel]");
    return buf;
}

bool hp_syms_have_kernel(const struct hp_syms *y)
{
    return !y->kernel_read || y->kernel_ok;
}
