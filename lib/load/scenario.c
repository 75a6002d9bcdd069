// SPDX-License-Identifier: MIT
/* load/scenario.c - scenario files (see scenario.h and docs/scenarios.md).
 *
 * Keys that a scenario may set and the file may set for all (headers,
 * think, data, timeout, threads) are looked up in the scenario first, then
 * at the top. A file without `scenarios:` is one scenario named "default"
 * whose keys sit at the top. Each request becomes two templates: the head
 * (request line, Host, headers) and the body; the load engine adds
 * Content-Length between them per request, since variables change it. */
#include "load/scenario.h"

#include <ctype.h>
#include <stdlib.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/file.h"
#include "core/units.h"
#include "core/ydoc.h"
#include "core/clock.h"
#include "http/http_token.h"

#define MAX_HEADERS 32
#define MAX_BODY_BYTES (16u * 1024 * 1024)

static const char *const root_keys[] = {
    "base_url", "headers", "think", "data", "timeout", "threads", "scenarios", "thresholds",
};
static const char *const scenario_keys[] = {
    "executor", "connections", "rate", "stages", "duration", "start", "threads", "arrival",
    "think", "data", "requests", "headers", "timeout", "pipeline",
};
/* A file without scenarios: the top is the scenario. */
static const char *const single_keys[] = {
    "base_url", "headers", "think", "data", "timeout", "threads", "thresholds", "executor",
    "connections", "rate", "stages", "duration", "start", "arrival", "requests", "pipeline",
};
static const char *const request_keys[] = {"name", "method", "path", "url", "headers", "body",
                                           "weight", "checks", "tags"};
static const char *const check_keys[] = {"name", "status", "header", "equals", "contains",
                                         "matches", "body_contains", "body_matches"};
static const char *const data_keys[] = {"file", "pick"};
static const char *const threshold_keys[] = {"threshold", "abort_on_fail", "delay_abort_eval"};

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))

struct ctx {
    struct hp_ydoc y;
    struct hp_scenario_file *f;
    char dir[256];          /* of the scenario file, for relative paths */
    const yaml_node_t *root;
    bool single;
};

/* Column of a position inside a scalar: quoted scalars start one later. */
static int col_in(const yaml_node_t *n, int col_in_text)
{
    int quote = n->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                n->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
    return (int)n->start_mark.column + 1 + quote + col_in_text - 1;
}

static int error_in_scalar(struct ctx *x, const yaml_node_t *n, int col, const char *what,
                           const char *msg)
{
    /* Positions inside one-line plain or quoted scalars are exact; block
     * scalars get the node's start. */
    bool exact = n->start_mark.line == n->end_mark.line &&
                 (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ||
                  n->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                  n->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE);
    return hp_err_at(x->y.err, HP_EPARSE, x->y.name, (int)n->start_mark.line + 1,
                     exact && col > 0 ? col_in(n, col) : (int)n->start_mark.column + 1, "%s: %s",
                     what, msg);
}

/* The value of key in the scenario, or else at the top (inheritable keys). */
static yaml_node_t *lookup(struct ctx *x, const yaml_node_t *sc, const char *key, bool inherit)
{
    yaml_node_t *n = hp_ydoc_get(&x->y, sc, key);
    if (!n && inherit && sc != x->root)
        n = hp_ydoc_get(&x->y, x->root, key);
    return n;
}

static int need_scalar(struct ctx *x, const yaml_node_t *n, const char *what, const char **out)
{
    *out = hp_ydoc_scalar(n);
    if (!*out)
        return hp_ydoc_error(&x->y, n, "%s must be a single value, not a list or a map", what);
    return 0;
}

static int duration_of(struct ctx *x, const yaml_node_t *n, const char *what, int64_t *ns)
{
    const char *v;
    struct hp_err e;
    int rc = need_scalar(x, n, what, &v);
    if (rc == 0 && hp_parse_duration(v, ns, &e) < 0)
        rc = hp_ydoc_error(&x->y, n, "%s: %s", what, e.msg);
    return rc;
}

static int int_of(struct ctx *x, const yaml_node_t *n, const char *what, int64_t lo, int64_t hi,
                  int64_t *out)
{
    const char *v;
    int rc = need_scalar(x, n, what, &v);
    if (rc < 0)
        return rc;
    char *end = NULL;
    errno = 0;
    long long k = strtoll(v, &end, 10);
    if (errno || end == v || *end || k < lo || k > hi)
        return hp_ydoc_error(&x->y, n, "%s: expected a whole number from %lld to %lld, not '%s'",
                             what, (long long)lo, (long long)hi, v);
    *out = k;
    return 0;
}

/* path relative to the scenario file's folder unless absolute. */
static void resolve(const struct ctx *x, const char *path, char *buf, size_t size)
{
    int n = path[0] == '/' || !x->dir[0] ? snprintf(buf, size, "%s", path)
                                         : snprintf(buf, size, "%s/%s", x->dir, path);
    if (n < 0 || (size_t)n >= size)
        buf[0] = '\0'; /* too long: reported as a missing file */
}

/* ---- requests ---------------------------------------------------------- */

struct header_set {
    int n;
    const char *name[MAX_HEADERS];
    size_t name_len[MAX_HEADERS];
    const yaml_node_t *value[MAX_HEADERS];
};

/* Add map's headers, replacing those of the same name (any case). */
static int add_headers(struct ctx *x, const yaml_node_t *map, struct header_set *hs)
{
    if (!map)
        return 0;
    if (map->type != YAML_MAPPING_NODE)
        return hp_ydoc_error(&x->y, map, "headers must be a map of 'Name: value'");
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        const yaml_node_t *k = hp_ydoc_node(&x->y, p->key);
        const yaml_node_t *v = hp_ydoc_node(&x->y, p->value);
        const char *name = hp_ydoc_scalar(k);
        if (!name || !*name)
            return hp_ydoc_error(&x->y, k, "a header name must be text");
        for (const char *c = name; *c; c++)
            if (!hp_http_is_tchar((unsigned char)*c))
                return hp_ydoc_error(&x->y, k, "header name '%s': '%c' is not allowed in a "
                                               "header name", name, *c);
        if (!hp_ydoc_scalar(v))
            return hp_ydoc_error(&x->y, v, "header %s: the value must be text", name);
        if (strpbrk(hp_ydoc_scalar(v), "\r\n"))
            return hp_ydoc_error(&x->y, v, "header %s: a line break inside a header value", name);
        int i = 0;
        while (i < hs->n && strcasecmp(hs->name[i], name) != 0)
            i++;
        if (i == hs->n) {
            if (hs->n >= MAX_HEADERS)
                return hp_ydoc_error(&x->y, k, "more than %d headers", MAX_HEADERS);
            hs->n++;
        }
        hs->name[i] = name;
        hs->value[i] = v;
    }
    return 0;
}

/* Check that text is a valid template over the scenario's columns, with the
 * error placed inside the YAML scalar. */
static int check_template(struct ctx *x, struct hp_scenario *sc, const yaml_node_t *n,
                          const char *text, const char *what)
{
    struct hp_template t;
    struct hp_err e = {0};
    int rc = hp_template_parse(text, strlen(text), (const char *const *)sc->data.names,
                               sc->has_data ? sc->data.cols : 0, &t, &e);
    hp_template_fini(&t);
    if (rc < 0)
        return error_in_scalar(x, n, e.col, what, e.msg);
    return 0;
}

/* Columns that fill a head may not hold line breaks (they would end the
 * header), and those in the path no spaces either. */
static int check_columns(struct ctx *x, struct hp_scenario *sc, const yaml_node_t *n,
                         const char *text, bool in_path, const char *what)
{
    if (!sc->has_data)
        return 0;
    for (int c = 0; c < sc->data.cols; c++) {
        char ref[80];
        snprintf(ref, sizeof ref, "${%s}", sc->data.names[c]);
        if (!strstr(text, ref))
            continue;
        for (int64_t r = 0; r < sc->data.rows; r++) {
            const char *v = sc->data.cells[r * sc->data.cols + c];
            if (strpbrk(v, in_path ? "\r\n \t" : "\r\n"))
                return hp_ydoc_error(&x->y, n, "%s: column '%s' of %s has %s in row %lld, which "
                                               "cannot go %s", what, sc->data.names[c],
                                     sc->data_file, in_path ? "a space or line break"
                                                            : "a line break",
                                     (long long)r + 1, in_path ? "into a path" : "into a header");
        }
    }
    return 0;
}

static int read_body(struct ctx *x, const yaml_node_t *n, const char *v, char **out,
                     size_t *len)
{
    if (v[0] != '@') {
        *out = hp_strdup(v);
        *len = strlen(v);
        return *out ? 0 : hp_err_set(x->y.err, -ENOMEM, "out of memory");
    }
    char path[512];
    struct hp_err e;
    resolve(x, v + 1, path, sizeof path);
    if (hp_file_read(path, MAX_BODY_BYTES, out, len, &e) < 0)
        return hp_ydoc_error(&x->y, n, "body %s: %s", v, e.msg);
    if (memchr(*out, '\0', *len)) {
        hp_free(*out);
        *out = NULL;
        return hp_ydoc_error(&x->y, n, "body %s: a NUL byte (binary bodies are not supported)",
                             v);
    }
    return 0;
}

/* One item of a request's checks: status | header [equals|contains|matches]
 * | body_contains | body_matches, and an optional name. */
static int parse_check(struct ctx *x, struct hp_scenario *sc, const yaml_node_t *n)
{
    int rc;
    if (!n || n->type != YAML_MAPPING_NODE)
        return hp_ydoc_error(&x->y, n, "a check is a map such as {status: 200} or "
                                       "{body_contains: ok}");
    if ((rc = hp_ydoc_check_keys(&x->y, n, check_keys, N(check_keys), "a check")) < 0)
        return rc;
    if (sc->n_checks >= HP_SCENARIO_MAX_CHECKS)
        return hp_ydoc_error(&x->y, n, "more than %d checks in scenario '%s'",
                             HP_SCENARIO_MAX_CHECKS, sc->name);
    struct hp_check *c = &sc->checks[sc->n_checks];
    memset(c, 0, sizeof *c);
    const yaml_node_t *st = hp_ydoc_get(&x->y, n, "status");
    const yaml_node_t *hd = hp_ydoc_get(&x->y, n, "header");
    const yaml_node_t *bc = hp_ydoc_get(&x->y, n, "body_contains");
    const yaml_node_t *bm = hp_ydoc_get(&x->y, n, "body_matches");
    const yaml_node_t *eq = hp_ydoc_get(&x->y, n, "equals");
    const yaml_node_t *co = hp_ydoc_get(&x->y, n, "contains");
    const yaml_node_t *ma = hp_ydoc_get(&x->y, n, "matches");
    if (!!st + !!hd + !!bc + !!bm != 1)
        return hp_ydoc_error(&x->y, n, "a check judges one thing: status, header, "
                                       "body_contains or body_matches");
    if (!hd && (eq || co || ma))
        return hp_ydoc_error(&x->y, eq ? eq : co ? co : ma, "equals, contains and matches go "
                                                          "with header");
    if (!!eq + !!co + !!ma > 1)
        return hp_ydoc_error(&x->y, n, "a header check takes one of equals, contains or matches");
    const char *v = NULL, *what = "";
    struct hp_err e = {0};
    const yaml_node_t *vn = st ? st : hd ? (eq ? eq : co ? co : ma) : bc ? bc : bm;
    if (vn && (rc = need_scalar(x, vn, st ? "status" : "the check's value", &v)) < 0)
        return rc;
    if (st) {
        if (hp_check_set_status(c, v, &e) < 0)
            return hp_ydoc_error(&x->y, st, "%s", e.msg);
        snprintf(c->name, sizeof c->name, "status is %.80s", v);
    } else if (hd) {
        const char *h = hp_ydoc_scalar(hd);
        if (!h || !*h || strlen(h) >= sizeof c->header)
            return hp_ydoc_error(&x->y, hd, "header: a header name");
        snprintf(c->header, sizeof c->header, "%s", h);
        c->kind = HP_CHECK_HEADER;
        if (!eq && !co && !ma) {
            c->cmp = HP_CMP_PRESENT;
            snprintf(c->name, sizeof c->name, "has header %s", h);
        } else {
            what = eq ? "equals" : co ? "contains" : "matches";
            snprintf(c->name, sizeof c->name, "%s %s %.50s", h, what, v);
        }
    } else {
        c->kind = HP_CHECK_BODY;
        what = bc ? "contains" : "matches";
        snprintf(c->name, sizeof c->name, "body %s %.70s", what, v);
    }
    if (ma || bm) {
        if (hp_check_set_regex(c, v, &e) < 0)
            return error_in_scalar(x, vn, e.col, ma ? "matches" : "body_matches", e.msg);
    } else if (eq || co || bc) {
        c->cmp = eq ? HP_CMP_EQUALS : HP_CMP_CONTAINS;
        if (hp_check_set_text(c, v) < 0)
            return hp_err_set(x->y.err, -ENOMEM, "out of memory");
    }
    sc->n_checks++; /* owned by the scenario from here: fini frees it */
    const yaml_node_t *nm = hp_ydoc_get(&x->y, n, "name");
    if (nm) {
        const char *name = hp_ydoc_scalar(nm);
        if (!name || !*name || strlen(name) >= sizeof c->name)
            return hp_ydoc_error(&x->y, nm, "name: text of 1 to %d characters",
                                 (int)sizeof c->name - 1);
        snprintf(c->name, sizeof c->name, "%s", name);
    }
    return 0;
}

static int parse_request(struct ctx *x, struct hp_scenario *sc, const yaml_node_t *scn,
                         const yaml_node_t *rq)
{
    int k = sc->n_requests, rc;
    const char *method = "GET", *path = NULL, *v;
    struct hp_url url;
    struct header_set hs = {0};
    char *body = NULL, *head = NULL;
    size_t body_len = 0;

    if (!rq || rq->type != YAML_MAPPING_NODE)
        return hp_ydoc_error(&x->y, rq, "a request must be a map (method, path, headers, body, "
                                        "weight, name)");
    if (k >= HP_LOAD_MAX_MIX)
        return hp_ydoc_error(&x->y, rq, "more than %d requests in scenario '%s'",
                             HP_LOAD_MAX_MIX, sc->name);
    if ((rc = hp_ydoc_check_keys(&x->y, rq, request_keys, N(request_keys), "a request")) < 0)
        return rc;
    const yaml_node_t *mn = hp_ydoc_get(&x->y, rq, "method");
    if (mn) {
        if ((rc = need_scalar(x, mn, "method", &method)) < 0)
            return rc;
        for (const char *c = method; *c; c++)
            if (!hp_http_is_tchar((unsigned char)*c) || !*method)
                return hp_ydoc_error(&x->y, mn, "method '%s' is not an HTTP token", method);
    }
    const yaml_node_t *pn = hp_ydoc_get(&x->y, rq, "path");
    const yaml_node_t *un = hp_ydoc_get(&x->y, rq, "url");
    if (!!pn == !!un)
        return hp_ydoc_error(&x->y, rq, "a request needs a path (or a url), and not both");
    const yaml_node_t *where = pn ? pn : un;
    if ((rc = need_scalar(x, where, pn ? "path" : "url", &path)) < 0)
        return rc;
    if (un) {
        struct hp_err e;
        /* One connection pool per scenario: one host. */
        if (hp_url_parse(path, &url, &e) < 0)
            return hp_ydoc_error(&x->y, un, "url: %s", e.msg);
        if (strcmp(url.authority, x->f->base.authority) != 0)
            return hp_ydoc_error(&x->y, un, "url: %s is not on the base URL's host %s (a "
                                            "scenario talks to one host)", url.authority,
                                 x->f->base.authority);
        path = strstr(path, "://") ? strchr(strstr(path, "://") + 3, '/') : path;
        if (!path)
            path = "/";
    }
    if (path[0] != '/')
        return hp_ydoc_error(&x->y, where, "path '%s' must start with '/'", path);
    for (const char *c = path; *c; c++)
        if ((unsigned char)*c <= ' ' || *c == 0x7f)
            return error_in_scalar(x, where, (int)(c - path) + 1, "path",
                                   "a space or control character (encode it: %20)");
    if ((rc = check_template(x, sc, where, path, "path")) < 0 ||
        (rc = check_columns(x, sc, where, path, true, "path")) < 0)
        return rc;

    /* Headers: the file's, the scenario's, the request's; later ones win. */
    if ((rc = add_headers(x, hp_ydoc_get(&x->y, x->root, "headers"), &hs)) < 0 ||
        (scn != x->root && (rc = add_headers(x, hp_ydoc_get(&x->y, scn, "headers"), &hs)) < 0) ||
        (rc = add_headers(x, hp_ydoc_get(&x->y, rq, "headers"), &hs)) < 0)
        return rc;
    for (int i = 0; i < hs.n; i++) {
        const char *hv = hp_ydoc_scalar(hs.value[i]);
        if ((rc = check_template(x, sc, hs.value[i], hv, hs.name[i])) < 0 ||
            (rc = check_columns(x, sc, hs.value[i], hv, false, hs.name[i])) < 0)
            return rc;
        if (strcasecmp(hs.name[i], "Content-Length") == 0 ||
            strcasecmp(hs.name[i], "Transfer-Encoding") == 0)
            return hp_ydoc_error(&x->y, hs.value[i], "%s is set by hotpath from the body",
                                 hs.name[i]);
    }

    const yaml_node_t *bn = hp_ydoc_get(&x->y, rq, "body");
    if (bn) {
        if ((rc = need_scalar(x, bn, "body", &v)) < 0 || (rc = read_body(x, bn, v, &body,
                                                                           &body_len)) < 0)
            return rc;
        if (v[0] != '@' && (rc = check_template(x, sc, bn, body, "body")) < 0)
            goto out;
        if (v[0] == '@') {
            struct hp_template t;
            struct hp_err e = {0};
            rc = hp_template_parse(body, body_len, (const char *const *)sc->data.names,
                                   sc->has_data ? sc->data.cols : 0, &t, &e);
            hp_template_fini(&t);
            if (rc < 0) {
                rc = hp_ydoc_error(&x->y, bn, "body %s, byte %d: %s", v, e.col, e.msg);
                goto out;
            }
        }
    }
    double weight = 1;
    const yaml_node_t *wn = hp_ydoc_get(&x->y, rq, "weight");
    if (wn) {
        const char *wv = hp_ydoc_scalar(wn);
        if (!wv || hp_parse_number(wv, &weight, NULL) < 0 || !(weight > 0)) {
            rc = hp_ydoc_error(&x->y, wn, "weight: expected a number above 0, not '%s'",
                               wv ? wv : "(a list or map)");
            goto out;
        }
    }
    char name[HP_SCENARIO_NAME_MAX * 2];
    const yaml_node_t *nn = hp_ydoc_get(&x->y, rq, "name");
    if (nn) {
        const char *nv = hp_ydoc_scalar(nn);
        if (!nv || !*nv || strlen(nv) >= HP_SCENARIO_NAME_MAX) {
            rc = hp_ydoc_error(&x->y, nn, "name: expected text of 1 to %d characters",
                               HP_SCENARIO_NAME_MAX - 1);
            goto out;
        }
        snprintf(name, sizeof name, "%s", nv);
    } else {
        snprintf(name, sizeof name, "%s %.50s", method, path);
    }
    for (int i = 0; i < k; i++)
        if (strcmp(sc->request_names[i], name) == 0) {
            rc = hp_ydoc_error(&x->y, nn ? nn : rq, "request name '%s' is used twice in "
                                                    "scenario '%s' (give each a name)",
                               name, sc->name);
            goto out;
        }

    /* The head: request line, Host unless given, headers. */
    size_t cap = strlen(method) + strlen(path) + strlen(x->f->base.authority) + 64;
    for (int i = 0; i < hs.n; i++)
        cap += strlen(hs.name[i]) + strlen(hp_ydoc_scalar(hs.value[i])) + 4;
    head = hp_malloc(cap);
    sc->request_names[k] = hp_strdup(name);
    if (!head || !sc->request_names[k]) {
        rc = hp_err_set(x->y.err, -ENOMEM, "out of memory");
        goto out;
    }
    size_t n = (size_t)snprintf(head, cap, "%s %s HTTP/1.1\r\n", method, path);
    bool has_host = false;
    for (int i = 0; i < hs.n; i++)
        has_host |= strcasecmp(hs.name[i], "Host") == 0;
    if (!has_host)
        n += (size_t)snprintf(head + n, cap - n, "Host: %s\r\n", x->f->base.authority);
    for (int i = 0; i < hs.n; i++)
        n += (size_t)snprintf(head + n, cap - n, "%s: %s\r\n", hs.name[i],
                              hp_ydoc_scalar(hs.value[i]));
    const char *const *cols = (const char *const *)sc->data.names;
    int ncols = sc->has_data ? sc->data.cols : 0;
    if ((rc = hp_template_parse(head, n, cols, ncols, &sc->heads[k], x->y.err)) < 0 ||
        (rc = hp_template_parse(body ? body : "", body_len, cols, ncols, &sc->bodies[k],
                                x->y.err)) < 0)
        goto out;
    const yaml_node_t *tn = hp_ydoc_get(&x->y, rq, "tags");
    if (tn && tn->type != YAML_MAPPING_NODE) {
        rc = hp_ydoc_error(&x->y, tn, "tags: a map such as {type: api}");
        goto out;
    }
    for (yaml_node_pair_t *p = tn ? tn->data.mapping.pairs.start : NULL;
         tn && p < tn->data.mapping.pairs.top; p++) {
        const yaml_node_t *tk = hp_ydoc_node(&x->y, p->key), *tv = hp_ydoc_node(&x->y, p->value);
        const char *key = hp_ydoc_scalar(tk), *val = hp_ydoc_scalar(tv);
        bool ident = key && *key && strlen(key) < 16 && (isalpha((unsigned char)key[0]) ||
                                                         key[0] == '_');
        for (const char *c = key; ident && *c; c++)
            ident = isalnum((unsigned char)*c) || *c == '_';
        if (!ident || !strcmp(key, "name") || !strcmp(key, "scenario") || !strcmp(key, "check")) {
            rc = hp_ydoc_error(&x->y, tk, "tag key '%s': letters, digits and '_', up to 15, and "
                                          "not name, scenario or check", key ? key : "");
            goto out;
        }
        if (!val || !*val || strlen(val) >= HP_THRESHOLD_TAG_MAX) {
            rc = hp_ydoc_error(&x->y, tv, "tag %s: a value of 1 to %d characters", key,
                               HP_THRESHOLD_TAG_MAX - 1);
            goto out;
        }
        int t = sc->n_tags[k];
        if (t >= HP_SCENARIO_MAX_TAGS) {
            rc = hp_ydoc_error(&x->y, tk, "more than %d tags on a request", HP_SCENARIO_MAX_TAGS);
            goto out;
        }
        sc->tag_key[k][t] = hp_strdup(key);
        sc->tag_value[k][t] = hp_strdup(val);
        sc->n_tags[k]++;
        if (!sc->tag_key[k][t] || !sc->tag_value[k][t]) {
            rc = hp_err_set(x->y.err, -ENOMEM, "out of memory");
            goto out;
        }
    }
    int first_check = sc->n_checks, count = 0;
    const yaml_node_t *cn = hp_ydoc_get(&x->y, rq, "checks");
    yaml_node_item_t *items = hp_ydoc_items(cn, &count);
    if (cn && !items) {
        rc = hp_ydoc_error(&x->y, cn, "checks: a list of checks such as [{status: 200}]");
        goto out;
    }
    for (int i = 0; i < count; i++)
        if ((rc = parse_check(x, sc, hp_ydoc_node(&x->y, items[i]))) < 0)
            goto out;
    sc->n_requests++;
    sc->mix[k] = (struct hp_load_request){
        .checks = &sc->checks[first_check],
        .n_checks = sc->n_checks - first_check,
        .name = sc->request_names[k],
        .weight = weight,
        .head_method = strcmp(method, "HEAD") == 0,
        .wants_length = body_len > 0 || strcmp(method, "POST") == 0 ||
                        strcmp(method, "PUT") == 0 || strcmp(method, "PATCH") == 0,
        .head = &sc->heads[k],
        .body = &sc->bodies[k],
    };
out:
    hp_free(head);
    hp_free(body);
    return rc;
}

/* ---- scenario keys ----------------------------------------------------- */

static int parse_data(struct ctx *x, struct hp_scenario *sc, const yaml_node_t *n)
{
    const char *file = hp_ydoc_scalar(n), *pick = "sequential";
    const yaml_node_t *fnode = n, *pnode = NULL;
    int rc;
    if (!file) {
        if (!n || n->type != YAML_MAPPING_NODE)
            return hp_ydoc_error(&x->y, n, "data: expected a file name or {file, pick}");
        if ((rc = hp_ydoc_check_keys(&x->y, n, data_keys, N(data_keys), "data")) < 0)
            return rc;
        fnode = hp_ydoc_get(&x->y, n, "file");
        if (!fnode || !(file = hp_ydoc_scalar(fnode)))
            return hp_ydoc_error(&x->y, n, "data needs file: the CSV file with a header row");
        pnode = hp_ydoc_get(&x->y, n, "pick");
        if (pnode && (rc = need_scalar(x, pnode, "pick", &pick)) < 0)
            return rc;
    }
    if (strcmp(pick, "sequential") == 0)
        sc->cfg.data_pick = HP_DATA_SEQUENTIAL;
    else if (strcmp(pick, "random") == 0)
        sc->cfg.data_pick = HP_DATA_RANDOM;
    else if (strcmp(pick, "unique") == 0)
        sc->cfg.data_pick = HP_DATA_UNIQUE;
    else
        return hp_ydoc_error(&x->y, pnode, "pick: '%s' (expected sequential, random or unique)",
                             pick);
    resolve(x, file, sc->data_file, sizeof sc->data_file);
    struct hp_err e = {0};
    if (hp_table_load(sc->data_file, &sc->data, &e) < 0) {
        if (e.line > 0) { /* the error is inside the CSV: keep its own position */
            *x->y.err = e;
            return HP_EPARSE;
        }
        return hp_ydoc_error(&x->y, fnode, "data: %s", e.msg);
    }
    sc->has_data = true;
    sc->cfg.data = &sc->data;
    return 0;
}

static int parse_think(struct ctx *x, struct hp_scenario *sc, const yaml_node_t *n)
{
    const char *v;
    char spec[128];
    int64_t ns;
    struct hp_err e = {0};
    int rc = need_scalar(x, n, "think", &v);
    if (rc < 0)
        return rc;
    /* "500ms" is a fixed pause; "exp:500ms", "uniform:1s:3s"... a distribution. */
    if (hp_parse_duration(v, &ns, NULL) == 0)
        snprintf(spec, sizeof spec, "fixed:%s", v);
    else
        snprintf(spec, sizeof spec, "%s", v);
    if (hp_dist_parse(spec, strlen(spec), &sc->cfg.think_dist, &e) < 0)
        return hp_ydoc_error(&x->y, n, "think: %s (a duration such as 500ms, or a distribution "
                                       "such as exp:500ms or uniform:1s:3s)", e.msg);
    sc->cfg.think = true;
    return 0;
}

static int parse_stages(struct ctx *x, struct hp_scenario *sc, const yaml_node_t *n)
{
    char text[2048];
    size_t len = 0;
    struct hp_err e = {0};
    const char *v = hp_ydoc_scalar(n);
    if (v) {
        snprintf(text, sizeof text, "%s", v);
    } else {
        /* k6's form: a list of {duration, target}. */
        int count;
        yaml_node_item_t *items = hp_ydoc_items(n, &count);
        if (!items || count == 0)
            return hp_ydoc_error(&x->y, n, "stages: expected '30s:100,1m:100' or a list of "
                                           "{duration: 30s, target: 100}");
        for (int i = 0; i < count; i++) {
            const yaml_node_t *st = hp_ydoc_node(&x->y, items[i]);
            static const char *const keys[] = {"duration", "target"};
            int rc = hp_ydoc_check_keys(&x->y, st, keys, 2, "a stage");
            if (rc < 0)
                return rc;
            const char *d = hp_ydoc_scalar(hp_ydoc_get(&x->y, st, "duration"));
            const char *t = hp_ydoc_scalar(hp_ydoc_get(&x->y, st, "target"));
            if (!d || !t)
                return hp_ydoc_error(&x->y, st, "a stage needs duration and target");
            len += (size_t)snprintf(text + len, sizeof text - len, "%s%s:%s", i ? "," : "", d, t);
            if (len >= sizeof text)
                return hp_ydoc_error(&x->y, n, "stages: too many");
        }
    }
    if (hp_stages_parse(text, &sc->cfg.stages, &e) < 0)
        return hp_ydoc_error(&x->y, n, "stages: %s", e.msg);
    return 0;
}

static int parse_scenario(struct ctx *x, struct hp_scenario *sc, const yaml_node_t *n)
{
    struct hp_load_config *cfg = &sc->cfg;
    const yaml_node_t *v;
    const char *exec = NULL;
    int64_t k;
    int rc;

    if (!n || n->type != YAML_MAPPING_NODE)
        return hp_ydoc_error(&x->y, n, "scenario '%s' must be a map (executor, requests...)",
                             sc->name);
    if (!x->single &&
        (rc = hp_ydoc_check_keys(&x->y, n, scenario_keys, N(scenario_keys), "a scenario")) < 0)
        return rc;
    hp_load_config_defaults(cfg);
    cfg->mix = sc->mix;

    /* The data file first: the templates are checked against its columns. */
    if ((v = lookup(x, n, "data", true)) && (rc = parse_data(x, sc, v)) < 0)
        return rc;
    if ((v = lookup(x, n, "think", true)) && (rc = parse_think(x, sc, v)) < 0)
        return rc;
    if ((v = lookup(x, n, "timeout", true)) && (rc = duration_of(x, v, "timeout",
                                                                 &cfg->timeout_ns)) < 0)
        return rc;
    if (cfg->timeout_ns <= 0)
        return hp_ydoc_error(&x->y, v, "timeout must be above 0");
    if ((v = lookup(x, n, "threads", true)) &&
        (rc = int_of(x, v, "threads", 1, HP_LOAD_MAX_THREADS, &k)) < 0)
        return rc;
    if (v)
        cfg->threads = (int)k;
    if ((v = lookup(x, n, "pipeline", false)) &&
        (rc = int_of(x, v, "pipeline", 1, HP_LOAD_MAX_PIPELINE, &k)) < 0)
        return rc;
    if (v)
        cfg->pipeline = (int)k;
    if ((v = lookup(x, n, "start", false)) && (rc = duration_of(x, v, "start", &sc->start_ns)) < 0)
        return rc;

    const yaml_node_t *en = lookup(x, n, "executor", false);
    const yaml_node_t *rate_n = lookup(x, n, "rate", false);
    const yaml_node_t *stages_n = lookup(x, n, "stages", false);
    const yaml_node_t *dur_n = lookup(x, n, "duration", false);
    const yaml_node_t *conn_n = lookup(x, n, "connections", false);
    const yaml_node_t *arr_n = lookup(x, n, "arrival", false);
    if (en && (rc = need_scalar(x, en, "executor", &exec)) < 0)
        return rc;
    bool open;
    if (!exec)
        open = rate_n != NULL;
    else if (strcmp(exec, "closed") == 0 || strcmp(exec, "constant-vus") == 0 ||
             strcmp(exec, "ramping-vus") == 0)
        open = false;
    else if (strcmp(exec, "open") == 0 || strcmp(exec, "constant-arrival-rate") == 0 ||
             strcmp(exec, "ramping-arrival-rate") == 0)
        open = true;
    else
        return hp_ydoc_error(&x->y, en, "executor: '%s' (expected closed or open; k6's "
                                        "constant-vus, ramping-vus, constant-arrival-rate and "
                                        "ramping-arrival-rate are understood too)", exec);
    cfg->open_model = open;
    if (!open && rate_n)
        return hp_ydoc_error(&x->y, rate_n, "rate is for open executors (executor: open); a "
                                            "closed executor's load is its connections");
    if (open && cfg->think)
        return hp_ydoc_error(&x->y, lookup(x, n, "think", true),
                             "think time is for closed executors: an open executor's arrivals "
                             "follow its rate, whatever the answers");
    if (!open && arr_n)
        return hp_ydoc_error(&x->y, arr_n, "arrival is for open executors");
    if (conn_n && (rc = int_of(x, conn_n, "connections", 1, 10000000, &k)) < 0)
        return rc;
    if (conn_n)
        cfg->connections = (int)k;
    else if (open)
        cfg->connections = 100;
    if (dur_n && stages_n)
        return hp_ydoc_error(&x->y, dur_n, "duration and stages both set the duration: keep "
                                           "one");
    if (dur_n && (rc = duration_of(x, dur_n, "duration", &cfg->duration_ns)) < 0)
        return rc;
    if (dur_n && cfg->duration_ns <= 0)
        return hp_ydoc_error(&x->y, dur_n, "duration must be above 0");
    if (stages_n) {
        if (rate_n)
            return hp_ydoc_error(&x->y, rate_n, "rate and stages both set the rate: keep one");
        if ((rc = parse_stages(x, sc, stages_n)) < 0)
            return rc;
        cfg->duration_ns = (int64_t)(hp_stages_duration_s(&cfg->stages) * 1e9 + 0.5);
        if (!open && hp_stages_max(&cfg->stages) > 10000000)
            return hp_ydoc_error(&x->y, stages_n, "stages go up to %g connections (at most "
                                                  "10000000)", hp_stages_max(&cfg->stages));
        if (!open) {
            cfg->ramp_connections = true;
            if (!conn_n)
                cfg->connections = (int)(hp_stages_max(&cfg->stages) + 0.5);
            else if (hp_stages_max(&cfg->stages) > cfg->connections)
                return hp_ydoc_error(&x->y, stages_n, "stages go up to %g connections but "
                                                      "connections is %d",
                                     hp_stages_max(&cfg->stages), cfg->connections);
            if (cfg->connections < 1)
                cfg->connections = 1;
        }
    } else if (open) {
        const char *rv;
        struct hp_err e = {0};
        double rate;
        if (!rate_n)
            return hp_ydoc_error(&x->y, en ? en : n, "an open executor needs rate (e.g. "
                                                     "200/s) or stages");
        if ((rc = need_scalar(x, rate_n, "rate", &rv)) < 0)
            return rc;
        if (hp_parse_rate(rv, &rate, &e) < 0 || !(rate > 0))
            return hp_ydoc_error(&x->y, rate_n, "rate: %s", e.msg[0] ? e.msg : "must be above 0");
        hp_stages_constant(&cfg->stages, rate, (double)cfg->duration_ns / 1e9);
    }
    if (open) {
        double secs = (double)cfg->duration_ns / 1e9;
        sc->target_rate = hp_stages_count_at(&cfg->stages, secs) / secs;
    }
    if (arr_n) {
        const char *av;
        if ((rc = need_scalar(x, arr_n, "arrival", &av)) < 0)
            return rc;
        if (strcmp(av, "poisson") == 0)
            cfg->poisson = true;
        else if (strcmp(av, "constant") != 0)
            return hp_ydoc_error(&x->y, arr_n, "arrival: '%s' (expected constant or poisson)",
                                 av);
    }
    struct hp_err why = {0};
    if (hp_load_config_check(cfg, &why) < 0)
        return hp_ydoc_error(&x->y, conn_n ? conn_n : n, "%s", why.msg);

    const yaml_node_t *reqs = hp_ydoc_get(&x->y, n, "requests");
    int count;
    yaml_node_item_t *items = hp_ydoc_items(reqs, &count);
    if (!items || count == 0)
        return hp_ydoc_error(&x->y, reqs ? reqs : n, "scenario '%s' needs requests: a list "
                                                     "of {method, path, ...}", sc->name);
    for (int i = 0; i < count; i++)
        if ((rc = parse_request(x, sc, n, hp_ydoc_node(&x->y, items[i]))) < 0)
            return rc;
    cfg->n_mix = sc->n_requests;
    return 0;
}

/* ---- thresholds -------------------------------------------------------- */

bool hp_scenario_request_tagged(const struct hp_scenario *sc, int k, const char *key,
                                const char *value)
{
    if (strcmp(key, "name") == 0)
        return strcmp(sc->request_names[k], value) == 0;
    for (int t = 0; t < sc->n_tags[k]; t++)
        if (strcmp(sc->tag_key[k][t], key) == 0 && strcmp(sc->tag_value[k][t], value) == 0)
            return true;
    return false;
}

bool hp_scenario_selects(const struct hp_scenario_file *f, const struct hp_threshold *t,
                         char *why, size_t size)
{
    const char *key = t->tag_key, *value = t->tag_value;
    bool check = strcmp(key, "check") == 0;
    if (!key[0])
        return true;
    if (check && strcmp(hp_threshold_metric_name(t), "checks") != 0) {
        snprintf(why, size, "{check:...} selects checks: use it with the checks metric");
        return false;
    }
    const char *metric = hp_threshold_metric_name(t);
    bool phase = false;
    for (int i = 0; i < HP_PHASE_COUNT; i++)
        phase |= strcmp(metric, hp_load_phase_name((enum hp_load_phase)i)) == 0;
    if (phase && strcmp(key, "scenario") != 0) {
        snprintf(why, size, "%s is kept for the whole run and per scenario, not per request: "
                            "select with {scenario:...}", metric);
        return false;
    }
    for (int i = 0; i < f->n; i++) {
        const struct hp_scenario *sc = f->sc[i];
        if (strcmp(key, "scenario") == 0 && strcmp(sc->name, value) == 0)
            return true;
        for (int c = 0; check && c < sc->n_checks; c++)
            if (strcmp(sc->checks[c].name, value) == 0)
                return true;
        for (int k = 0; !check && k < sc->n_requests; k++)
            if (hp_scenario_request_tagged(sc, k, key, value))
                return true;
    }
    snprintf(why, size, "no %s is %s '%s'",
             check                           ? "check"
             : strcmp(key, "name") == 0      ? "request"
             : strcmp(key, "scenario") == 0 ? "scenario"
                                             : "request",
             check || !strcmp(key, "name") || !strcmp(key, "scenario") ? "called" : "tagged",
             value);
    if (strcmp(key, "name") && strcmp(key, "scenario") && !check)
        snprintf(why + strlen(why), size - strlen(why), " with %s", key);
    return false;
}

static int add_threshold(struct ctx *x, const yaml_node_t *key, const char *metric,
                         const yaml_node_t *item)
{
    struct hp_scenario_file *f = x->f;
    const yaml_node_t *expr_n = item;
    bool abort_on_fail = false;
    int64_t delay = 0;
    int rc;
    if (f->n_thresholds >= HP_SCENARIO_MAX_THRESHOLDS)
        return hp_ydoc_error(&x->y, item, "more than %d thresholds", HP_SCENARIO_MAX_THRESHOLDS);
    if (item && item->type == YAML_MAPPING_NODE) {
        if ((rc = hp_ydoc_check_keys(&x->y, item, threshold_keys, N(threshold_keys),
                                     "a threshold")) < 0)
            return rc;
        expr_n = hp_ydoc_get(&x->y, item, "threshold");
        const yaml_node_t *a = hp_ydoc_get(&x->y, item, "abort_on_fail");
        const char *av = hp_ydoc_scalar(a);
        if (a && (!av || (strcmp(av, "true") != 0 && strcmp(av, "false") != 0)))
            return hp_ydoc_error(&x->y, a, "abort_on_fail: expected true or false");
        abort_on_fail = av && strcmp(av, "true") == 0;
        const yaml_node_t *d = hp_ydoc_get(&x->y, item, "delay_abort_eval");
        if (d && (rc = duration_of(x, d, "delay_abort_eval", &delay)) < 0)
            return rc;
    }
    const char *expr = hp_ydoc_scalar(expr_n);
    if (!expr)
        return hp_ydoc_error(&x->y, expr_n ? expr_n : item, "a threshold is text such as "
                                                            "'p(99) < 300ms'");
    struct hp_threshold *t = &f->thresholds[f->n_thresholds];
    struct hp_err e = {0};
    if (hp_threshold_parse_expr(metric, expr, t, &e) < 0) {
        if (strstr(e.msg, "metric") || strstr(e.msg, "tag"))
            return hp_ydoc_error(&x->y, key, "%s", e.msg);
        return error_in_scalar(x, expr_n, e.col, metric, e.msg);
    }
    if (abort_on_fail) {
        t->abort_on_fail = true;
        t->abort_delay_ns = delay;
    }
    /* A tag must select something that exists. */
    char why[200];
    if (!hp_scenario_selects(f, t, why, sizeof why))
        return hp_ydoc_error(&x->y, key, "%s: %s", metric, why);
    f->n_thresholds++;
    return 0;
}

static int parse_thresholds(struct ctx *x, const yaml_node_t *n)
{
    if (!n)
        return 0;
    if (n->type != YAML_MAPPING_NODE)
        return hp_ydoc_error(&x->y, n, "thresholds: expected a map of metric: [conditions]");
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = hp_ydoc_node(&x->y, p->key);
        const yaml_node_t *v = hp_ydoc_node(&x->y, p->value);
        const char *metric = hp_ydoc_scalar(k);
        int rc, count;
        if (!metric)
            return hp_ydoc_error(&x->y, k, "a threshold's key is a metric name");
        yaml_node_item_t *items = hp_ydoc_items(v, &count);
        if (!items) {
            if ((rc = add_threshold(x, k, metric, v)) < 0)
                return rc;
            continue;
        }
        for (int i = 0; i < count; i++)
            if ((rc = add_threshold(x, k, metric, hp_ydoc_node(&x->y, items[i]))) < 0)
                return rc;
    }
    return 0;
}

/* ---- the file ---------------------------------------------------------- */

static void scenario_free(struct hp_scenario *sc)
{
    if (!sc)
        return;
    for (int i = 0; i < HP_LOAD_MAX_MIX; i++) {
        for (int t = 0; t < HP_SCENARIO_MAX_TAGS; t++) {
            hp_free(sc->tag_key[i][t]);
            hp_free(sc->tag_value[i][t]);
        }
        hp_free(sc->request_names[i]);
        hp_template_fini(&sc->heads[i]);
        hp_template_fini(&sc->bodies[i]);
    }
    for (int i = 0; i < sc->n_checks; i++)
        hp_check_fini(&sc->checks[i]);
    hp_table_fini(&sc->data);
    hp_free(sc);
}

void hp_scenario_free(struct hp_scenario_file *f)
{
    if (!f)
        return;
    for (int i = 0; i < f->n; i++)
        scenario_free(f->sc[i]);
    hp_free(f);
}

static int new_scenario(struct ctx *x, const yaml_node_t *key, const char *name,
                        struct hp_scenario **out)
{
    struct hp_scenario_file *f = x->f;
    if (f->n >= HP_SCENARIO_MAX)
        return hp_ydoc_error(&x->y, key, "more than %d scenarios", HP_SCENARIO_MAX);
    if (!*name || strlen(name) >= HP_SCENARIO_NAME_MAX)
        return hp_ydoc_error(&x->y, key, "a scenario name of 1 to %d characters",
                             HP_SCENARIO_NAME_MAX - 1);
    for (const char *c = name; *c; c++)
        if (!isalnum((unsigned char)*c) && *c != '_' && *c != '-' && *c != '.')
            return hp_ydoc_error(&x->y, key, "scenario name '%s': letters, digits, '_', '-' "
                                             "and '.' only", name);
    struct hp_scenario *sc = hp_calloc(1, sizeof *sc);
    if (!sc)
        return hp_err_set(x->y.err, -ENOMEM, "out of memory");
    snprintf(sc->name, sizeof sc->name, "%s", name);
    f->sc[f->n++] = sc;
    *out = sc;
    return 0;
}

static int parse_file(struct ctx *x)
{
    struct hp_scenario_file *f = x->f;
    const yaml_node_t *root = x->root;
    struct hp_scenario *sc;
    int rc;
    if (!root || root->type != YAML_MAPPING_NODE)
        return hp_ydoc_error(&x->y, root, "a scenario file is a map with base_url and "
                                          "scenarios (or requests)");
    const yaml_node_t *scs = hp_ydoc_get(&x->y, root, "scenarios");
    x->single = scs == NULL;
    if (x->single)
        rc = hp_ydoc_check_keys(&x->y, root, single_keys, N(single_keys), "the file");
    else
        rc = hp_ydoc_check_keys(&x->y, root, root_keys, N(root_keys),
                                "the file (executor keys go inside a scenario)");
    if (rc < 0)
        return rc;
    const yaml_node_t *bn = hp_ydoc_get(&x->y, root, "base_url");
    const char *base;
    struct hp_err e = {0};
    if (!bn)
        return hp_ydoc_error(&x->y, root, "base_url is missing (e.g. base_url: "
                                          "http://127.0.0.1:8080)");
    if ((rc = need_scalar(x, bn, "base_url", &base)) < 0)
        return rc;
    if (hp_url_parse(base, &f->base, &e) < 0)
        return hp_ydoc_error(&x->y, bn, "base_url: %s", e.msg);
    if (strcmp(f->base.target, "/") != 0)
        return hp_ydoc_error(&x->y, bn, "base_url: '%s' has a path; give the host only and put "
                                        "paths in requests", base);
    snprintf(f->base_text, sizeof f->base_text, "%s", base);

    if (x->single) {
        if ((rc = new_scenario(x, root, "default", &sc)) < 0)
            return rc;
        if ((rc = parse_scenario(x, sc, root)) < 0)
            return rc;
    } else {
        if (scs->type != YAML_MAPPING_NODE || scs->data.mapping.pairs.top ==
                                                  scs->data.mapping.pairs.start)
            return hp_ydoc_error(&x->y, scs, "scenarios: expected a map of name: {executor, "
                                             "requests...}");
        for (yaml_node_pair_t *p = scs->data.mapping.pairs.start;
             p < scs->data.mapping.pairs.top; p++) {
            const yaml_node_t *k = hp_ydoc_node(&x->y, p->key);
            const char *name = hp_ydoc_scalar(k);
            for (int i = 0; name && i < f->n; i++)
                if (strcmp(f->sc[i]->name, name) == 0)
                    return hp_ydoc_error(&x->y, k, "scenario '%s' appears twice", name);
            if ((rc = new_scenario(x, k, name ? name : "", &sc)) < 0 ||
                (rc = parse_scenario(x, sc, hp_ydoc_node(&x->y, p->value))) < 0)
                return rc;
        }
    }
    return parse_thresholds(x, hp_ydoc_get(&x->y, root, "thresholds"));
}

int hp_scenario_parse(const char *text, size_t len, const char *path,
                      struct hp_scenario_file **out, struct hp_err *err)
{
    struct ctx x = {0};
    char dirbuf[256];
    *out = NULL;
    x.f = hp_calloc(1, sizeof *x.f);
    if (!x.f)
        return hp_err_set(err, -ENOMEM, "out of memory");
    snprintf(x.f->path, sizeof x.f->path, "%s", path);
    snprintf(dirbuf, sizeof dirbuf, "%s", path);
    snprintf(x.dir, sizeof x.dir, "%s", strchr(path, '/') ? dirname(dirbuf) : "");
    int rc = hp_ydoc_parse(&x.y, text, len, path, err);
    if (rc == 0) {
        x.root = hp_ydoc_root(&x.y);
        rc = parse_file(&x);
    }
    hp_ydoc_fini(&x.y);
    if (rc < 0) {
        hp_scenario_free(x.f);
        return rc;
    }
    *out = x.f;
    return 0;
}

int hp_scenario_load(const char *path, struct hp_scenario_file **out, struct hp_err *err)
{
    char *text = NULL;
    size_t len = 0;
    *out = NULL;
    int rc = hp_file_read(path, HP_SCENARIO_MAX_BYTES, &text, &len, err);
    if (rc == 0)
        rc = hp_scenario_parse(text, len, path, out, err);
    hp_free(text);
    return rc;
}

void hp_scenario_describe(const struct hp_scenario *sc, char *buf, size_t size)
{
    const struct hp_load_config *c = &sc->cfg;
    char a[32], b[32], d[32];
    int n;
    if (c->open_model)
        n = snprintf(buf, size, "open at %s%s (%s), at most %d in flight",
                     c->stages.n > 1 ? "stages averaging " : "",
                     hp_format_rate(sc->target_rate, a, sizeof a),
                     c->poisson ? "Poisson arrivals" : "constant spacing", c->connections);
    else if (c->ramp_connections)
        n = snprintf(buf, size, "closed, up to %d connections in stages", c->connections);
    else
        n = snprintf(buf, size, "closed, %d connections", c->connections);
    if (n < 0 || (size_t)n >= size)
        return;
    n += snprintf(buf + n, size - (size_t)n, ", %s", hp_format_duration(c->duration_ns, b, sizeof b));
    if (sc->start_ns > 0 && (size_t)n < size)
        n += snprintf(buf + n, size - (size_t)n, ", from %s",
                      hp_format_duration(sc->start_ns, d, sizeof d));
    if (c->think && (size_t)n < size)
        snprintf(buf + n, size - (size_t)n, ", thinking between requests");
}
