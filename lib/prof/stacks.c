// SPDX-License-Identifier: MIT
/* prof/stacks.c - see stacks.h. */
#include "prof/stacks.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "core/alloc.h"
#include "core/lines.h"

#define NONE UINT32_MAX

int hp_stacks_init(struct hp_stacks *s)
{
    memset(s, 0, sizeof *s);
    s->name_mask = 1023;
    s->name_slots = hp_calloc(s->name_mask + 1, sizeof *s->name_slots);
    s->nodes_cap = 1024;
    s->nodes = hp_malloc(s->nodes_cap * sizeof *s->nodes);
    if (!s->name_slots || !s->nodes || hp_u64map_init(&s->kids) < 0) {
        hp_stacks_fini(s);
        return -ENOMEM;
    }
    uint32_t all = hp_stacks_intern(s, "all", 3);
    if (all == NONE) {
        hp_stacks_fini(s);
        return -ENOMEM;
    }
    s->nodes[0] = (struct hp_snode){.name = all, .parent = NONE, .child = NONE, .sibling = NONE};
    s->nnodes = 1;
    return 0;
}

void hp_stacks_fini(struct hp_stacks *s)
{
    hp_free(s->pool);
    hp_free(s->name_off);
    hp_free(s->name_slots);
    hp_free(s->nodes);
    hp_u64map_fini(&s->kids);
    memset(s, 0, sizeof *s);
}

/* ---- names ------------------------------------------------------------- */

static int names_grow(struct hp_stacks *s)
{
    uint32_t size = (s->name_mask + 1) * 2;
    uint32_t *fresh = hp_calloc(size, sizeof *fresh);
    if (!fresh)
        return -ENOMEM;
    for (uint32_t i = 0; i <= s->name_mask; i++) {
        uint32_t id = s->name_slots[i];
        if (!id)
            continue;
        const char *n = s->pool + s->name_off[id - 1];
        uint32_t at = (uint32_t)XXH3_64bits(n, strlen(n)) & (size - 1);
        while (fresh[at])
            at = (at + 1) & (size - 1);
        fresh[at] = id;
    }
    hp_free(s->name_slots);
    s->name_slots = fresh;
    s->name_mask = size - 1;
    return 0;
}

uint32_t hp_stacks_intern(struct hp_stacks *s, const char *name, size_t len)
{
    uint32_t at = (uint32_t)XXH3_64bits(name, len) & s->name_mask;
    for (;; at = (at + 1) & s->name_mask) {
        uint32_t id = s->name_slots[at];
        if (!id)
            break;
        const char *n = s->pool + s->name_off[id - 1];
        if (strncmp(n, name, len) == 0 && n[len] == '\0')
            return id - 1;
    }
    if (s->nnames >= (1u << 30) || s->pool_len + len + 1 > UINT32_MAX)
        return NONE;
    if (HP_GROW(s->name_off, s->names_cap, (size_t)s->nnames + 1, 1024) < 0 ||
        HP_GROW(s->pool, s->pool_cap, s->pool_len + len + 1, 65536) < 0)
        return NONE;
    memcpy(s->pool + s->pool_len, name, len);
    s->pool[s->pool_len + len] = '\0';
    s->name_off[s->nnames] = (uint32_t)s->pool_len;
    s->pool_len += len + 1;
    s->name_slots[at] = ++s->nnames;
    if ((uint64_t)s->nnames * 2 > s->name_mask && names_grow(s) < 0)
        return NONE; /* interned, but the next lookup would find no free slot */
    return s->nnames - 1;
}

/* ---- the tree ---------------------------------------------------------- */

static uint32_t child_of(struct hp_stacks *s, uint32_t parent, uint32_t name)
{
    uint64_t key = (uint64_t)parent << 32 | name;
    uint32_t v = hp_u64map_get(&s->kids, key);
    if (v != HP_U64MAP_NONE)
        return v;
    if (s->nnodes == s->nodes_cap) {
        if (s->nodes_cap >= (1u << 30))
            return NONE;
        struct hp_snode *n = hp_realloc(s->nodes, (size_t)s->nodes_cap * 2 * sizeof *n);
        if (!n)
            return NONE;
        s->nodes = n;
        s->nodes_cap *= 2;
    }
    v = s->nnodes;
    if (hp_u64map_put(&s->kids, key, v) < 0)
        return NONE;
    s->nnodes++;
    struct hp_snode *p = &s->nodes[parent];
    s->nodes[v] = (struct hp_snode){
        .name = name, .parent = parent, .child = NONE, .sibling = p->child, .depth = p->depth + 1};
    p->child = v;
    return v;
}

int hp_stacks_add(struct hp_stacks *s, const uint32_t *frames, int n, uint64_t count, int which)
{
    uint32_t v = HP_STACKS_ROOT;
    s->nodes[v].total[which] += count;
    if (n > HP_STACKS_MAX_DEPTH)
        n = HP_STACKS_MAX_DEPTH;
    int i = 0;
    for (; i < n && i < s->last_n && frames[i] == s->last_frames[i]; i++) {
        v = s->last_nodes[i]; /* the same caller chain as the last stack: no lookups */
        s->nodes[v].total[which] += count;
    }
    for (; i < n; i++) {
        v = child_of(s, v, frames[i]);
        if (v == NONE) {
            s->last_n = 0;
            return -ENOMEM;
        }
        s->nodes[v].total[which] += count;
        s->last_frames[i] = frames[i];
        s->last_nodes[i] = v;
    }
    s->last_n = n;
    s->nodes[v].self[which] += count;
    return 0;
}

/* ---- sorting ----------------------------------------------------------- */

static _Thread_local const struct hp_stacks *sorting; /* qsort has no context */

static int by_name(const void *a, const void *b)
{
    const struct hp_snode *x = &sorting->nodes[*(const uint32_t *)a];
    const struct hp_snode *y = &sorting->nodes[*(const uint32_t *)b];
    return strcmp(hp_stacks_name(sorting, x->name), hp_stacks_name(sorting, y->name));
}

int hp_stacks_sort(struct hp_stacks *s)
{
    uint32_t *buf = hp_malloc(((size_t)s->nnodes + 1) * sizeof *buf);
    if (!buf)
        return -ENOMEM;
    sorting = s;
    for (uint32_t v = 0; v < s->nnodes; v++) {
        uint32_t n = 0;
        for (uint32_t c = s->nodes[v].child; c != NONE; c = s->nodes[c].sibling)
            buf[n++] = c;
        if (n < 2)
            continue;
        qsort(buf, n, sizeof *buf, by_name);
        s->nodes[v].child = buf[0];
        for (uint32_t i = 0; i < n; i++)
            s->nodes[buf[i]].sibling = i + 1 < n ? buf[i + 1] : NONE;
    }
    sorting = NULL;
    hp_free(buf);
    return 0;
}

/* ---- reading ----------------------------------------------------------- */

enum mode { UNKNOWN, FOLDED, PERF };

struct reader {
    struct hp_stacks *s;
    const char *name;
    struct hp_err *err;
    int which;
    enum mode mode;
    int64_t line;
    /* perf script: the sample being read */
    bool in_sample, skip;
    uint32_t comm;
    uint32_t frames[HP_STACKS_MAX_DEPTH + 1]; /* leaf first, after frames[0] */
    int n;
};

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

static uint32_t intern_clean(struct reader *r, const char *name, size_t len);

/* "a;b;c 42": the frames root first, then a count. */
static int folded_line(struct reader *r, const char *s, size_t n)
{
    size_t sp = n;
    while (sp > 0 && !is_space(s[sp - 1]))
        sp--;
    uint64_t count = 0;
    bool ok = sp > 0 && sp < n && n - sp <= 15;
    for (size_t i = sp; ok && i < n; i++) {
        ok = s[i] >= '0' && s[i] <= '9';
        count = count * 10 + (uint64_t)(s[i] - '0');
    }
    if (!ok)
        return hp_err_at(r->err, HP_EPARSE, r->name, (int)r->line, 0,
                         "not a folded stack (\"main;f;g 42\": frames separated by ';', a "
                         "space, then a count of samples)");
    size_t end = sp - 1, start = 0;
    while (end > 0 && is_space(s[end - 1]))
        end--;
    while (start < end && is_space(s[start]))
        start++;
    int nf = 0;
    for (size_t a = start; a < end;) {
        const char *semi = memchr(s + a, ';', end - a);
        size_t b = semi ? (size_t)(semi - s) : end, next = b + 1;
        while (a < b && is_space(s[a])) /* frames are trimmed */
            a++;
        while (b > a && is_space(s[b - 1]))
            b--;
        if (b > a && nf == 0 && s[a] == '#')
            return 0; /* a comment, however it is dressed (";# 3" as "# 3") */
        if (b > a && nf < HP_STACKS_MAX_DEPTH) { /* empty frames (";;") are skipped */
            uint32_t id = intern_clean(r, s + a, b - a);
            if (id == NONE)
                return hp_err_set(r->err, -ENOMEM, "out of memory");
            r->frames[nf++] = id;
        }
        a = next;
    }
    if (nf == 0) /* no frame at all (";; 3"): nothing to draw */
        return 0;
    if (hp_stacks_add(r->s, r->frames, nf, count, r->which) < 0)
        return hp_err_set(r->err, -ENOMEM, "out of memory");
    return 0;
}

/* A name as read, its ';' made ':' (as stackcollapse-perf.pl does: ';'
 * separates frames in the folded form) and control bytes '?' (a NUL would
 * cut it), blanks around it trimmed ("?" when nothing is left); names over
 * 4 KiB are cut. */
static uint32_t intern_clean(struct reader *r, const char *name, size_t len)
{
    static _Thread_local char buf[4096]; /* threads may read at once */
    /* the folded form trims frames: a name must not start or end with a
     * blank, nor be empty (";;" is no frame), or it would not read back */
    if (len > sizeof buf)
        len = sizeof buf;
    while (len > 0 && is_space(name[len - 1]))
        len--;
    while (len > 0 && is_space(name[0])) {
        name++;
        len--;
    }
    if (len == 0)
        return hp_stacks_intern(r->s, "?", 1);
    bool clean = true;
    for (size_t i = 0; i < len && clean; i++)
        clean = name[i] != ';' && ((unsigned char)name[i] >= 0x20 || name[i] == '\t');
    if (clean)
        return hp_stacks_intern(r->s, name, len);
    for (size_t i = 0; i < len; i++)
        buf[i] = name[i] == ';'                                     ? ':'
                 : (unsigned char)name[i] < 0x20 && name[i] != '\t' ? '?'
                                                                    : name[i];
    return hp_stacks_intern(r->s, buf, len);
}

static int perf_flush(struct reader *r)
{
    if (!r->in_sample)
        return 0;
    r->in_sample = false;
    if (r->skip)
        return 0;
    /* frames[1..n] are leaf first: root first is the command, then reversed */
    uint32_t stack[HP_STACKS_MAX_DEPTH];
    int k = 0;
    stack[k++] = r->comm;
    for (int i = r->n; i >= 1 && k < HP_STACKS_MAX_DEPTH; i--)
        stack[k++] = r->frames[i];
    if (hp_stacks_add(r->s, stack, k, 1, r->which) < 0)
        return hp_err_set(r->err, -ENOMEM, "out of memory");
    return 0;
}

/* "comm pid/tid [cpu] time: period event: ...": the command is everything
 * before the first whole number after it (commands may hold spaces); the
 * event, the first word ending in ':' after the time, up to its first ':'. */
static int perf_header(struct reader *r, const char *s, size_t n)
{
    int rc = perf_flush(r);
    if (rc < 0)
        return rc;
    size_t i = 0, comm_end = 0;
    bool found = false;
    while (i < n) {
        while (i < n && is_space(s[i]))
            i++;
        size_t a = i;
        while (i < n && !is_space(s[i]))
            i++;
        bool num = a > 0 && i > a;
        for (size_t k = a; num && k < i; k++)
            num = (s[k] >= '0' && s[k] <= '9') || (s[k] == '/' && k > a);
        if (num) {
            found = true;
            break;
        }
        comm_end = i;
    }
    if (!found || comm_end == 0)
        return hp_err_at(r->err, HP_EPARSE, r->name, (int)r->line, 0,
                         "not a perf script sample header (\"comm pid [cpu] time: event:\"), "
                         "nor a frame (an indented line)");
    r->comm = intern_clean(r, s, comm_end);
    if (r->comm == NONE)
        return hp_err_set(r->err, -ENOMEM, "out of memory");
    /* the event: words after the pid that end in ':', the time's first */
    const char *ev = NULL;
    size_t evlen = 0;
    int colons = 0;
    while (i < n && !ev) {
        while (i < n && is_space(s[i]))
            i++;
        size_t a = i;
        while (i < n && !is_space(s[i]))
            i++;
        if (i > a && s[i - 1] == ':' && ++colons == 2) {
            ev = s + a;
            const char *c = memchr(ev, ':', i - a);
            evlen = (size_t)(c - ev);
        }
    }
    r->in_sample = true;
    r->skip = false;
    r->n = 0;
    if (ev && evlen < sizeof r->s->event) {
        if (!r->s->event[0]) {
            memcpy(r->s->event, ev, evlen);
            r->s->event[evlen] = '\0';
        } else if (strlen(r->s->event) != evlen || memcmp(r->s->event, ev, evlen) != 0) {
            r->skip = true; /* another event than the first: left out, counted */
            r->s->other_events++;
        }
    }
    return 0;
}

/* "\taddr symbol+0xoff (dso)" */
static int perf_frame(struct reader *r, const char *s, size_t n)
{
    if (!r->in_sample)
        return hp_err_at(r->err, HP_EPARSE, r->name, (int)r->line, 0,
                         "a frame (an indented line) before any sample header");
    if (r->skip || r->n >= HP_STACKS_MAX_DEPTH)
        return 0;
    size_t i = 0;
    while (i < n && is_space(s[i]))
        i++;
    while (i < n && !is_space(s[i])) /* the address */
        i++;
    while (i < n && is_space(s[i]))
        i++;
    size_t a = i, b = n, dso_a = n, dso_b = n;
    if (n > a && s[n - 1] == ')') { /* " (dso)" at the end */
        size_t k = n - 1;
        while (k > a && s[k] != '(')
            k--;
        if (s[k] == '(' && k > a && is_space(s[k - 1])) {
            dso_a = k + 1;
            dso_b = n - 1;
            b = k - 1;
        } else if (s[k] == '(' && k == a) { /* no symbol at all: "(dso)" */
            dso_a = k + 1;
            dso_b = n - 1;
            b = a;
        }
    }
    while (b > a && is_space(s[b - 1]))
        b--;
    /* drop "+0x1f" */
    for (size_t k = b; k > a + 1; k--)
        if (s[k - 1] == '+' && k + 1 < b && s[k] == '0' && s[k + 1] == 'x') {
            b = k - 1;
            break;
        }
    while (b > a && is_space(s[b - 1]))
        b--;
    char buf[512];
    const char *name = s + a;
    size_t len = b - a;
    if ((len == 0 || (len == 9 && memcmp(name, "[unknown]", 9) == 0)) && dso_b > dso_a &&
        !(dso_b - dso_a == 9 && memcmp(s + dso_a, "[unknown]", 9) == 0)) {
        size_t base = dso_b; /* "[libc.so.6]": the file, for want of a symbol */
        while (base > dso_a && s[base - 1] != '/')
            base--;
        int m = snprintf(buf, sizeof buf, "[%.*s]", (int)(dso_b - base), s + base);
        name = buf;
        len = (size_t)m < sizeof buf ? (size_t)m : sizeof buf - 1;
    } else if (len == 0) {
        name = "[unknown]";
        len = 9;
    }
    uint32_t id = intern_clean(r, name, len);
    if (id == NONE)
        return hp_err_set(r->err, -ENOMEM, "out of memory");
    r->frames[++r->n] = id;
    return 0;
}

static int each_line(void *ctx, const char *s, size_t n)
{
    struct reader *r = ctx;
    r->line++;
    if (n > 0 && s[n - 1] == '\r')
        n--;
    size_t lead = 0;
    while (lead < n && is_space(s[lead]))
        lead++;
    if (lead == n) { /* blank: a perf sample ends */
        return r->mode == PERF ? perf_flush(r) : 0;
    }
    if (s[lead] == '#') /* a comment, indented or not */
        return 0;
    if (r->mode == UNKNOWN) { /* folded lines end in " COUNT" and are not indented */
        size_t k = n;
        while (k > 0 && s[k - 1] >= '0' && s[k - 1] <= '9')
            k--;
        r->mode = lead == 0 && k < n && k > 0 && is_space(s[k - 1]) ? FOLDED : PERF;
    }
    if (r->mode == FOLDED)
        return folded_line(r, s, n);
    return lead > 0 ? perf_frame(r, s, n) : perf_header(r, s, n);
}

static int finish(struct reader *r, int rc, bool *perf)
{
    if (rc == 0 && r->mode == PERF)
        rc = perf_flush(r);
    if (perf)
        *perf = r->mode == PERF;
    return rc;
}

int hp_stacks_read(struct hp_stacks *s, const char *path, int which, bool *perf, struct hp_err *err)
{
    static struct reader r; /* frames are 4 KiB: off the stack */
    memset(&r, 0, sizeof r);
    r.s = s, r.name = path, r.err = err, r.which = which;
    return finish(&r, hp_lines_read(path, each_line, &r, NULL, err), perf);
}

int hp_stacks_parse(struct hp_stacks *s, const char *name, const char *data, size_t len, int which,
                    bool *perf, struct hp_err *err)
{
    static struct reader r;
    memset(&r, 0, sizeof r);
    r.s = s, r.name = name, r.err = err, r.which = which;
    int rc = 0;
    for (size_t a = 0; a < len && rc == 0;) {
        const char *nl = memchr(data + a, '\n', len - a);
        size_t b = nl ? (size_t)(nl - data) : len;
        rc = each_line(&r, data + a, b - a);
        a = b + 1;
    }
    return finish(&r, rc, perf);
}

/* ---- writing ----------------------------------------------------------- */

int hp_stacks_write_folded(const struct hp_stacks *s, int which, FILE *f)
{
    /* depth first, iteratively; the path's names joined as we go */
    static _Thread_local uint32_t path[HP_STACKS_MAX_DEPTH + 2];
    int depth = 0;
    uint32_t v = s->nodes[HP_STACKS_ROOT].child;
    while (v != NONE) {
        const struct hp_snode *x = &s->nodes[v];
        path[depth] = v;
        if (x->self[which] > 0) {
            for (int i = 0; i <= depth; i++) {
                if (i)
                    fputc(';', f);
                fputs(hp_stacks_name(s, s->nodes[path[i]].name), f);
            }
            fprintf(f, " %llu\n", (unsigned long long)x->self[which]);
        }
        if (x->child != NONE && x->total[which] > 0) {
            depth++;
            v = x->child;
            continue;
        }
        while (v != NONE && s->nodes[v].sibling == NONE) { /* up to the next sibling */
            v = s->nodes[v].parent;
            depth--;
            if (v == HP_STACKS_ROOT) {
                v = NONE;
                break;
            }
        }
        if (v != NONE)
            v = s->nodes[v].sibling;
    }
    return ferror(f) ? -EIO : 0;
}

int hp_stacks_folded(const struct hp_stacks *s, int which, char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    FILE *f = open_memstream(out, len);
    if (!f)
        return -ENOMEM;
    int rc = hp_stacks_write_folded(s, which, f);
    if (fclose(f) != 0 || rc < 0) {
        free(*out);
        *out = NULL;
        *len = 0;
        return -ENOMEM;
    }
    return 0;
}

int hp_stacks_merge(struct hp_stacks *dst, const struct hp_stacks *src, int from, int to)
{
    uint32_t frames[HP_STACKS_MAX_DEPTH];
    for (uint32_t v = 1; v < src->nnodes; v++) {
        const struct hp_snode *x = &src->nodes[v];
        if (x->self[from] == 0)
            continue;
        int n = (int)x->depth; /* the root's is 0: its frames are 1..depth */
        uint32_t u = v;
        for (int k = n; k > 0; k--, u = src->nodes[u].parent) {
            const char *name = hp_stacks_name(src, src->nodes[u].name);
            if ((frames[k - 1] = hp_stacks_intern(dst, name, strlen(name))) == UINT32_MAX)
                return -ENOMEM;
        }
        int rc = hp_stacks_add(dst, frames, n, x->self[from], to);
        if (rc < 0)
            return rc;
    }
    return 0;
}
