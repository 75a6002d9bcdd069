// SPDX-License-Identifier: MIT
/* core/result.c - result documents on jansson. */
#include "core/result.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/file.h"
#include "hotpath_version.h"

struct hp_result {
    json_t *root;
};

/* jansson allocates through hp_malloc so allocation-failure sweeps and leak
 * counts cover documents too. */
static void use_hp_alloc(void)
{
    json_set_alloc_funcs(hp_malloc, hp_free);
}

static const char *const secret_names[] = {
    "authorization", "proxy-authorization", "cookie", "set-cookie", "password", "passwd",
    "pass", "secret", "token", "access_token", "refresh_token", "api_key", "apikey", "api-key",
    "x-api-key", "x-auth-token", "client_secret", "private_key", NULL,
};

/* Words of a name (split at - _ .) that make it secret: whole words, and
 * words that begin so. X-Amz-Signature, X-Amz-Credential, X-Goog-Signature,
 * Azure's sig, AWSAccessKeyId, session_id, auth, jwt... */
static const char *const secret_words[] = {"key", "sig", "pwd", "pass", "apikey", "jwt",
                                           "awsaccesskeyid", NULL};
static const char *const secret_starts[] = {"token", "secret", "passw", "credential", "auth",
                                            "session", "signature", "cookie", "private", NULL};

/* Names added with hp_redact_add (--redact), process-wide. */
static char extra_names[32][64];
static int n_extra;

int hp_redact_add(const char *name)
{
    if (n_extra >= 32 || strlen(name) >= sizeof extra_names[0])
        return -ENOSPC;
    snprintf(extra_names[n_extra++], sizeof extra_names[0], "%s", name);
    return 0;
}

static bool secret_word(const char *w, size_t n)
{
    for (const char *const *s = secret_words; *s; s++)
        if (strlen(*s) == n && strncasecmp(w, *s, n) == 0)
            return true;
    for (const char *const *s = secret_starts; *s; s++)
        if (n >= strlen(*s) && strncasecmp(w, *s, strlen(*s)) == 0)
            return true;
    return false;
}

bool hp_is_secret_name(const char *name)
{
    for (const char *const *s = secret_names; *s; s++)
        if (strcasecmp(name, *s) == 0)
            return true;
    for (int i = 0; i < n_extra; i++)
        if (strcasecmp(name, extra_names[i]) == 0)
            return true;
    for (const char *p = name; *p;) {
        size_t n = strcspn(p, "-_.");
        if (n && secret_word(p, n))
            return true;
        p += n;
        if (*p)
            p++;
    }
    return false;
}

/* URL: replace the password in user:pass@ and values of secret query keys. */
static char *redact_url(const char *value)
{
    size_t len = strlen(value);
    /* Worst case every character becomes the marker; bound generously. */
    size_t cap = len * (sizeof HP_REDACTED) + 1;
    char *out = hp_malloc(cap);
    const char *scheme = strstr(value, "://");
    size_t o = 0;
    const char *p = value;

    if (!out)
        return NULL;
    if (scheme) {
        const char *auth = scheme + 3;
        const char *at = strpbrk(auth, "@/?#");
        const char *colon = at && *at == '@' ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
        if (colon) {
            memcpy(out, value, (size_t)(colon + 1 - value));
            o = (size_t)(colon + 1 - value);
            memcpy(out + o, HP_REDACTED, sizeof HP_REDACTED - 1);
            o += sizeof HP_REDACTED - 1;
            p = at;
        }
    }
    const char *q = strchr(p, '?');
    if (!q) {
        memcpy(out + o, p, strlen(p) + 1);
        return out;
    }
    memcpy(out + o, p, (size_t)(q + 1 - p));
    o += (size_t)(q + 1 - p);
    p = q + 1;
    while (*p && *p != '#') {
        size_t plen = strcspn(p, "&#");
        const char *eq = memchr(p, '=', plen);
        char name[64];
        size_t nlen = eq ? (size_t)(eq - p) : plen;
        snprintf(name, sizeof name, "%.*s", (int)(nlen < sizeof name ? nlen : 0), p);
        if (eq && hp_is_secret_name(name)) {
            memcpy(out + o, p, nlen + 1);
            o += nlen + 1;
            memcpy(out + o, HP_REDACTED, sizeof HP_REDACTED - 1);
            o += sizeof HP_REDACTED - 1;
        } else {
            memcpy(out + o, p, plen);
            o += plen;
        }
        p += plen;
        if (*p == '&')
            out[o++] = *p++;
    }
    memcpy(out + o, p, strlen(p) + 1);
    return out;
}

/* "host=db password=s3cret dbname=shop" (libpq's key=value strings): the
 * values of secret keys, quoted ('a b') or not, become the marker. NULL when
 * there is no secret key in value (nothing to change), or on ENOMEM with
 * *oom set. */
static char *redact_pairs(const char *value, bool *oom)
{
    size_t len = strlen(value), o = 0;
    char *out = NULL;
    const char *p = value;
    while (*p) {
        const char *tok = p, *eq = NULL;
        while (*p && *p != ' ' && *p != '\t' && *p != '=')
            p++;
        if (*p == '=')
            eq = p++;
        const char *v = p;
        if (eq && *p == '\'') { /* a quoted value runs to its closing quote */
            for (p++; *p && *p != '\''; p++)
                if (*p == '\\' && p[1])
                    p++;
            if (*p)
                p++;
        } else {
            while (*p && *p != ' ' && *p != '\t')
                p++;
        }
        char name[64];
        size_t nlen = eq ? (size_t)(eq - tok) : 0;
        snprintf(name, sizeof name, "%.*s", (int)(nlen < sizeof name ? nlen : 0), tok);
        if (eq && hp_is_secret_name(name)) {
            if (!out) {
                /* each secret costs its '=' at least: the marker fits per byte */
                out = hp_malloc(len * sizeof HP_REDACTED + 1);
                if (!out) {
                    *oom = true;
                    return NULL;
                }
                memcpy(out, value, (size_t)(v - value));
                o = (size_t)(v - value);
            } else {
                memcpy(out + o, tok, (size_t)(v - tok));
                o += (size_t)(v - tok);
            }
            memcpy(out + o, HP_REDACTED, sizeof HP_REDACTED - 1);
            o += sizeof HP_REDACTED - 1;
        } else if (out) {
            memcpy(out + o, tok, (size_t)(p - tok));
            o += (size_t)(p - tok);
        }
        const char *ws = p;
        while (*p == ' ' || *p == '\t')
            p++;
        if (out) {
            memcpy(out + o, ws, (size_t)(p - ws));
            o += (size_t)(p - ws);
        }
    }
    if (out)
        out[o] = '\0';
    return out;
}

char *hp_redact_value(const char *key, const char *value)
{
    const char *colon;

    if (key && hp_is_secret_name(key))
        return hp_strdup(HP_REDACTED);
    /* A header line "Name: value". */
    colon = strchr(value, ':');
    if (colon && colon != value && strcspn(value, " \t/") >= (size_t)(colon - value)) {
        char name[64];
        size_t nlen = (size_t)(colon - value);
        if (nlen < sizeof name) {
            memcpy(name, value, nlen);
            name[nlen] = '\0';
            if (hp_is_secret_name(name)) {
                size_t need = nlen + 2 + sizeof HP_REDACTED;
                char *out = hp_malloc(need);
                if (out)
                    snprintf(out, need, "%s: %s", name, HP_REDACTED);
                return out;
            }
        }
    }
    if (strstr(value, "://"))
        return redact_url(value);
    if (strchr(value, '=')) {
        bool oom = false;
        char *out = redact_pairs(value, &oom);
        if (out || oom)
            return out;
    }
    return hp_strdup(value);
}

static json_t *host_info(void)
{
    struct utsname u;
    char hostname[256] = "";
    json_t *host = json_object();

    if (!host)
        return NULL;
    gethostname(hostname, sizeof hostname - 1);
    if (uname(&u) < 0)
        memset(&u, 0, sizeof u);
    if (json_object_set_new(host, "hostname", json_string(hostname)) < 0 ||
        json_object_set_new(host, "cpus", json_integer(sysconf(_SC_NPROCESSORS_ONLN))) < 0 ||
        json_object_set_new(host, "kernel", json_string(u.release)) < 0 ||
        json_object_set_new(host, "os", json_string(u.sysname)) < 0 ||
        json_object_set_new(host, "arch", json_string(u.machine)) < 0) {
        json_decref(host);
        return NULL;
    }
    return host;
}

int hp_result_new(const char *kind, struct hp_result **out)
{
    struct hp_result *r;
    json_t *root;

    if (!kind || !*kind)
        return -EINVAL;
    use_hp_alloc();
    r = hp_calloc(1, sizeof *r);
    if (!r)
        return -ENOMEM;
    root = json_object();
    r->root = root;
    if (!root || json_object_set_new(root, "schema", json_string(HP_RESULT_SCHEMA)) < 0 ||
        json_object_set_new(root, "kind", json_string(kind)) < 0 ||
        json_object_set_new(root, "hotpath_version", json_string(HP_VERSION)) < 0 ||
        json_object_set_new(root, "started_at", json_string("")) < 0 ||
        json_object_set_new(root, "duration_s", json_real(0.0)) < 0 ||
        json_object_set_new(root, "host", host_info()) < 0 ||
        json_object_set_new(root, "config", json_object()) < 0 ||
        json_object_set_new(root, "metrics", json_object()) < 0 ||
        json_object_set_new(root, "series", json_object()) < 0 ||
        json_object_set_new(root, "histograms", json_object()) < 0) {
        hp_result_free(r);
        return -ENOMEM;
    }
    hp_result_set_started(r, hp_wall_ns());
    *out = r;
    return 0;
}

void hp_result_free(struct hp_result *r)
{
    if (!r)
        return;
    json_decref(r->root);
    hp_free(r);
}

json_t *hp_result_json(struct hp_result *r)
{
    return r->root;
}

void hp_result_set_started(struct hp_result *r, int64_t wall_ns)
{
    char buf[40];
    hp_format_rfc3339(wall_ns, buf, sizeof buf);
    json_object_set_new(r->root, "started_at", json_string(buf));
}

void hp_result_set_duration(struct hp_result *r, double duration_s)
{
    json_object_set_new(r->root, "duration_s", json_real(duration_s));
}

static int set_in(struct hp_result *r, const char *section, const char *key, json_t *v)
{
    json_t *obj = json_object_get(r->root, section);
    if (!v)
        return -ENOMEM;
    return json_object_set_new(obj, key, v) < 0 ? -ENOMEM : 0;
}

int hp_result_config_str(struct hp_result *r, const char *key, const char *value)
{
    char *safe = hp_redact_value(key, value);
    if (!safe)
        return -ENOMEM;
    int rc = set_in(r, "config", key, json_string(safe));
    hp_free(safe);
    return rc;
}

int hp_result_config_int(struct hp_result *r, const char *key, int64_t value)
{
    return set_in(r, "config", key, json_integer(value));
}

int hp_result_config_real(struct hp_result *r, const char *key, double value)
{
    return set_in(r, "config", key, json_real(value));
}

int hp_result_config_bool(struct hp_result *r, const char *key, bool value)
{
    return set_in(r, "config", key, json_boolean(value));
}

int hp_result_config_header(struct hp_result *r, const char *header_line)
{
    json_t *config = json_object_get(r->root, "config");
    json_t *headers = json_object_get(config, "headers");
    char *safe;
    int rc;

    if (!headers) {
        rc = set_in(r, "config", "headers", json_array());
        if (rc < 0)
            return rc;
        headers = json_object_get(config, "headers");
    }
    safe = hp_redact_value(NULL, header_line);
    if (!safe)
        return -ENOMEM;
    rc = json_array_append_new(headers, json_string(safe)) < 0 ? -ENOMEM : 0;
    hp_free(safe);
    return rc;
}

json_t *hp_json_number(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

int hp_result_metric(struct hp_result *r, const char *name, double value, const char *unit)
{
    json_t *m = json_object();
    if (!m || json_object_set_new(m, "value", hp_json_number(value)) < 0 ||
        json_object_set_new(m, "unit", json_string(unit)) < 0) {
        json_decref(m);
        return -ENOMEM;
    }
    return set_in(r, "metrics", name, m);
}

int hp_result_threshold(struct hp_result *r, const char *text, bool passed, double value,
                        const char *unit)
{
    json_t *list = json_object_get(r->root, "thresholds");
    if (!list) {
        list = json_array();
        if (!list || json_object_set_new(r->root, "thresholds", list) < 0)
            return -ENOMEM;
    }
    json_t *t = json_pack("{s:s,s:b,s:o,s:s}", "threshold", text, "passed", passed, "value",
                          hp_json_number(value), "unit", unit);
    if (!t || json_array_append_new(list, t) < 0)
        return -ENOMEM;
    return 0;
}

int hp_result_series_point(struct hp_result *r, const char *name, const char *unit,
                           double t_s, double value)
{
    json_t *series = json_object_get(r->root, "series");
    json_t *s = json_object_get(series, name);
    json_t *pt;

    if (!s) {
        s = json_object();
        if (!s)
            return -ENOMEM;
        if (json_object_set_new(s, "unit", json_string(unit)) < 0 ||
            json_object_set_new(s, "points", json_array()) < 0) {
            json_decref(s);
            return -ENOMEM;
        }
        if (json_object_set_new(series, name, s) < 0) /* takes s even on failure */
            return -ENOMEM;
    }
    pt = json_pack("[f,o]", t_s, hp_json_number(value));
    if (!pt || json_array_append_new(json_object_get(s, "points"), pt) < 0)
        return -ENOMEM;
    return 0;
}

int hp_result_dumps(const struct hp_result *r, char **out)
{
    char *text;
    use_hp_alloc();
    /* 16 significant digits: every figure to 1e-16 relative (what a model's
     * or a statistic's reader needs), and a value that came from a short
     * decimal (0.1, 15.03) prints as that decimal, which 17 would not. */
    text = json_dumps(r->root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(16));
    if (!text)
        return -ENOMEM;
    *out = text;
    return 0;
}

int hp_result_write(const struct hp_result *r, const char *path, struct hp_err *err)
{
    char *text = NULL;
    int rc = hp_result_dumps(r, &text);

    if (rc < 0)
        return hp_err_at(err, rc, path, 0, 0, "out of memory serialising the result");
    size_t len = strlen(text);
    /* Documents end with a newline like any text file. */
    char *with_nl = hp_realloc(text, len + 2);
    if (!with_nl) {
        hp_free(text);
        return hp_err_at(err, -ENOMEM, path, 0, 0, "out of memory serialising the result");
    }
    with_nl[len] = '\n';
    with_nl[len + 1] = '\0';
    rc = hp_file_write_atomic(path, with_nl, len + 1, err);
    hp_free(with_nl);
    return rc;
}

/* Checks a required member's type; fills err with where and what. */
static int need(json_t *root, const char *key, json_type type, const char *type_name,
                const char *name, struct hp_err *err)
{
    json_t *v = json_object_get(root, key);
    if (!v)
        return hp_err_at(err, HP_EFORMAT, name, 0, 0,
                         "result document lacks \"%s\" (see docs/result-format.md)", key);
    if (json_typeof(v) != type && !(type == JSON_REAL && json_is_number(v)))
        return hp_err_at(err, HP_EFORMAT, name, 0, 0, "\"%s\" must be %s", key, type_name);
    return 0;
}

int hp_result_parse(const char *text, size_t len, const char *name, struct hp_result **out,
                    struct hp_err *err)
{
    json_error_t jerr;
    json_t *root;
    const char *schema;
    struct hp_result *r;
    int rc;

    use_hp_alloc();
    root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return hp_err_at(err, HP_EPARSE, name, jerr.line, jerr.column, "%s", jerr.text);
    if (!json_is_object(root)) {
        rc = hp_err_at(err, HP_EFORMAT, name, 1, 1, "not a result document (expected an object)");
        goto fail;
    }
    schema = json_string_value(json_object_get(root, "schema"));
    if (!schema) {
        rc = hp_err_at(err, HP_EFORMAT, name, 0, 0,
                       "not a hotpath result document (no \"schema\" key)");
        goto fail;
    }
    if (strcmp(schema, HP_RESULT_SCHEMA) != 0) {
        if (strncmp(schema, "hotpath.result/", 15) == 0)
            rc = hp_err_at(err, HP_EFORMAT, name, 0, 0,
                           "schema \"%s\" is not supported by hotpath %s (expected \"%s\")",
                           schema, HP_VERSION, HP_RESULT_SCHEMA);
        else
            rc = hp_err_at(err, HP_EFORMAT, name, 0, 0,
                           "schema \"%s\" is not a hotpath result (expected \"%s\")", schema,
                           HP_RESULT_SCHEMA);
        goto fail;
    }
    if ((rc = need(root, "kind", JSON_STRING, "a string", name, err)) < 0 ||
        (rc = need(root, "hotpath_version", JSON_STRING, "a string", name, err)) < 0 ||
        (rc = need(root, "started_at", JSON_STRING, "a string", name, err)) < 0 ||
        (rc = need(root, "duration_s", JSON_REAL, "a number", name, err)) < 0 ||
        (rc = need(root, "host", JSON_OBJECT, "an object", name, err)) < 0 ||
        (rc = need(root, "config", JSON_OBJECT, "an object", name, err)) < 0 ||
        (rc = need(root, "metrics", JSON_OBJECT, "an object", name, err)) < 0 ||
        (rc = need(root, "series", JSON_OBJECT, "an object", name, err)) < 0 ||
        (rc = need(root, "histograms", JSON_OBJECT, "an object", name, err)) < 0)
        goto fail;
    const char *key;
    json_t *m;
    json_object_foreach(json_object_get(root, "metrics"), key, m) {
        json_t *v = json_object_get(m, "value");
        if (!json_is_object(m) || !(json_is_number(v) || json_is_null(v)) ||
            !json_is_string(json_object_get(m, "unit"))) {
            rc = hp_err_at(err, HP_EFORMAT, name, 0, 0,
                           "metric \"%s\" must be {\"value\": number, \"unit\": string}", key);
            goto fail;
        }
        /* Durations, counts, sizes and rates cannot be below 0: a document
         * that says so was not written by a measurement. */
        const char *unit = json_string_value(json_object_get(m, "unit"));
        if (json_is_number(v) && json_number_value(v) < 0 &&
            (strcmp(unit, "ns") == 0 || strcmp(unit, "count") == 0 ||
             strcmp(unit, "bytes") == 0 || strcmp(unit, "1/s") == 0 ||
             strcmp(unit, "bytes/s") == 0 || strcmp(unit, "s") == 0)) {
            rc = hp_err_at(err, HP_EFORMAT, name, 0, 0,
                           "metric \"%s\" is %g %s: a %s cannot be below 0", key,
                           json_number_value(v), unit,
                           strcmp(unit, "ns") == 0 || strcmp(unit, "s") == 0 ? "duration"
                           : strcmp(unit, "count") == 0                      ? "count"
                                                                             : "size or rate");
            goto fail;
        }
    }
    json_object_foreach(json_object_get(root, "histograms"), key, m) {
        if (!json_is_string(json_object_get(m, "data")) ||
            !json_is_string(json_object_get(m, "unit"))) {
            rc = hp_err_at(err, HP_EFORMAT, name, 0, 0,
                           "histogram \"%s\" lacks its \"data\" or \"unit\" string", key);
            goto fail;
        }
    }
    r = hp_calloc(1, sizeof *r);
    if (!r) {
        rc = -ENOMEM;
        goto fail;
    }
    r->root = root;
    *out = r;
    return 0;
fail:
    json_decref(root);
    return rc;
}

int hp_result_load(const char *path, struct hp_result **out, struct hp_err *err)
{
    char *text = NULL;
    size_t len;
    int rc = hp_file_read(path, HP_RESULT_MAX_BYTES, &text, &len, err);
    if (rc < 0)
        return rc;
    rc = hp_result_parse(text, len, path, out, err);
    hp_free(text);
    return rc;
}

const char *hp_result_kind(const struct hp_result *r)
{
    return json_string_value(json_object_get(r->root, "kind"));
}

bool hp_result_get_metric(const struct hp_result *r, const char *name, double *value,
                          const char **unit)
{
    json_t *m = json_object_get(json_object_get(r->root, "metrics"), name);
    json_t *v = json_object_get(m, "value");
    if (!json_is_number(v))
        return false;
    *value = json_number_value(v);
    if (unit)
        *unit = json_string_value(json_object_get(m, "unit"));
    return true;
}

