// SPDX-License-Identifier: MIT
/* load/script.c - wrk-compatible Lua scripting (see script.h).
 *
 * The wrk table's Lua side (headers whose names fold to lower case, and
 * wrk.format) is a short bootstrap below; lookup, connect, thread objects,
 * addresses and the statistics objects of done() are C. Values cross
 * between states (thread:set/get) by copying: nil, booleans, numbers,
 * strings and tables of those, as wrk allows. */
#include "load/script.h"

#include <arpa/inet.h>
#include <errno.h>
#include <lauxlib.h>
#include <lua.h>
#include <luajit.h>
#include <lualib.h>
#include <math.h>
#include <netdb.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "http/http_req.h"

#define ADDR_MT "hotpath.addr"
#define THREAD_MT "hotpath.thread"
#define STATS_MT "hotpath.stats"
#define MAX_COPY_DEPTH 32

struct tstate {
    lua_State *L;
    struct hp_addr addr;
    _Atomic bool stopped;
    int ref_pending;     /* main state: the values thread:set() gave this thread */
    char *prebuilt;      /* wrk.format() after init(), for scripts without request() */
    size_t prebuilt_len;
};

struct hp_script {
    char path[256];
    lua_State *main;
    int n;
    struct tstate *th;
    const struct hp_script_target *target;
    bool has_setup, has_init, has_request, has_response, has_delay, has_done;
    int pipeline;
    bool head;
    /* thread 0's first request, as sent: what the result document records */
    char first_method[32];
    char first_target[HP_URL_MAX];
    int64_t first_body_bytes;
    _Atomic bool failed;
    char error[HP_ERR_MSG_MAX];
    /* Past this (hp_now_ns), a thread's script that is still running is
     * stopped by its instruction-count hook. INT64_MAX: no limit yet. */
    _Atomic int64_t deadline_ns;
    _Atomic int halt_reason; /* 0 the test's end, 1 a stop request */
};

#define HOOK_INSTRUCTIONS 1000
#define SCRIPT_KEY "hotpath.script"

/* Every HOOK_INSTRUCTIONS VM instructions of a thread's state: past the
 * deadline, the running function is stopped with an error that names it
 * (luaL_error prefixes the current line). */
static void deadline_hook(lua_State *L, lua_Debug *ar)
{
    lua_getfield(L, LUA_REGISTRYINDEX, SCRIPT_KEY);
    const struct hp_script *s = lua_touserdata(L, -1);
    lua_pop(L, 1);
    if (!s || hp_now_ns() <= atomic_load_explicit(&s->deadline_ns, memory_order_relaxed))
        return;
    const char *why = atomic_load(&s->halt_reason) ? "after the stop request (Ctrl-C)"
                                                   : "at the end of the test";
    if (lua_getinfo(L, "Sl", ar) && ar->currentline > 0)
        lua_pushfstring(L, "%s:%d: stopped: still running %s", ar->short_src, ar->currentline,
                        why);
    else
        lua_pushfstring(L, "stopped: still running %s", why);
    lua_error(L);
}

/* The Lua half of the wrk table. `wrk` is a global made in C first. */
static const char bootstrap[] =
    "local fold = {\n"
    "  __newindex = function(t, k, v)\n"
    "    rawset(t, type(k) == 'string' and k:lower() or k, v)\n"
    "  end,\n"
    "  __index = function(t, k)\n"
    "    return rawget(t, type(k) == 'string' and k:lower() or k)\n"
    "  end,\n"
    "}\n"
    "local given = wrk.headers\n"
    "wrk.headers = setmetatable({}, fold)\n"
    "for k, v in pairs(given) do wrk.headers[k] = v end\n"
    "function wrk.format(method, path, headers, body)\n"
    "  method = method or wrk.method\n"
    "  path = path or wrk.path\n"
    "  headers = headers or wrk.headers\n"
    "  body = body or wrk.body\n"
    "  local h = setmetatable({}, fold)\n"
    "  for k, v in pairs(headers) do h[k] = v end\n"
    "  if h.host == nil then h.host = wrk.headers.host end\n"
    "  if body then h['content-length'] = #body else h['content-length'] = nil end\n"
    "  local lines = {method .. ' ' .. path .. ' HTTP/1.1'}\n"
    "  for k, v in pairs(h) do lines[#lines + 1] = k .. ': ' .. tostring(v) end\n"
    "  lines[#lines + 1] = ''\n"
    "  lines[#lines + 1] = body or ''\n"
    "  return table.concat(lines, '\\r\\n')\n"
    "end\n"
    "function wrk.resolve(host, service)\n"
    "  local addrs = wrk.lookup(host, service)\n"
    "  for i = #addrs, 1, -1 do\n"
    "    if not wrk.connect(addrs[i]) then table.remove(addrs, i) end\n"
    "  end\n"
    "  wrk.addrs = addrs\n"
    "end\n";

static void set_error(struct hp_script *s, const char *where, const char *msg)
{
    bool expected = false;
    if (atomic_compare_exchange_strong(&s->failed, &expected, true))
        snprintf(s->error, sizeof s->error, "%s (in %s)", msg ? msg : "error", where);
}

/* ---- addresses ---------------------------------------------------------- */

static void push_addr(lua_State *L, const struct hp_addr *a)
{
    struct hp_addr *u = lua_newuserdata(L, sizeof *u);
    *u = *a;
    luaL_getmetatable(L, ADDR_MT);
    lua_setmetatable(L, -2);
}

static int addr_tostring(lua_State *L)
{
    struct hp_addr *a = luaL_checkudata(L, 1, ADDR_MT);
    char buf[160];
    hp_addr_format(a, buf, sizeof buf);
    lua_pushstring(L, buf);
    return 1;
}

static int wrk_lookup(lua_State *L)
{
    const char *host = luaL_checkstring(L, 1), *service = luaL_checkstring(L, 2);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res, *p;
    int rc = getaddrinfo(host, service, &hints, &res);
    if (rc != 0) {
        lua_pushnil(L);
        lua_pushstring(L, gai_strerror(rc));
        return 2;
    }
    lua_newtable(L);
    int i = 1;
    for (p = res; p; p = p->ai_next) {
        struct hp_addr a = {.len = p->ai_addrlen};
        memcpy(&a.ss, p->ai_addr, p->ai_addrlen);
        push_addr(L, &a);
        lua_rawseti(L, -2, i++);
    }
    freeaddrinfo(res);
    return 1;
}

static int wrk_connect(lua_State *L)
{
    struct hp_addr *a = luaL_checkudata(L, 1, ADDR_MT);
    int fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    bool ok = false;
    if (fd >= 0) {
        int rc = connect(fd, (struct sockaddr *)&a->ss, a->len);
        if (rc == 0) {
            ok = true;
        } else if (errno == EINPROGRESS) {
            struct pollfd pf = {.fd = fd, .events = POLLOUT};
            int err = 0;
            socklen_t len = sizeof err;
            ok = poll(&pf, 1, 2000) == 1 &&
                 getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0;
        }
        close(fd);
    }
    lua_pushboolean(L, ok);
    return 1;
}

/* ---- copying values between states -------------------------------------- */

static bool copy_value(lua_State *from, int idx, lua_State *to, int depth)
{
    idx = idx < 0 ? lua_gettop(from) + idx + 1 : idx;
    switch (lua_type(from, idx)) {
    case LUA_TNIL:
        lua_pushnil(to);
        return true;
    case LUA_TBOOLEAN:
        lua_pushboolean(to, lua_toboolean(from, idx));
        return true;
    case LUA_TNUMBER:
        lua_pushnumber(to, lua_tonumber(from, idx));
        return true;
    case LUA_TSTRING: {
        size_t len;
        const char *str = lua_tolstring(from, idx, &len);
        lua_pushlstring(to, str, len);
        return true;
    }
    case LUA_TTABLE:
        if (depth >= MAX_COPY_DEPTH)
            break;
        lua_newtable(to);
        lua_pushnil(from);
        while (lua_next(from, idx)) {
            if (!copy_value(from, -2, to, depth + 1) || !copy_value(from, -1, to, depth + 1)) {
                lua_pop(from, 2);
                lua_pop(to, 1);
                return false;
            }
            lua_rawset(to, -3);
            lua_pop(from, 1);
        }
        return true;
    default:
        break;
    }
    return false;
}

/* ---- thread objects ----------------------------------------------------- */

struct thread_ud {
    struct hp_script *s;
    int i;
    bool in_thread; /* this object lives in the thread's own state (wrk.thread) */
};

static int thread_get(lua_State *L)
{
    struct thread_ud *t = luaL_checkudata(L, 1, THREAD_MT);
    const char *name = luaL_checkstring(L, 2);
    lua_State *TL = t->s->th[t->i].L;
    if (t->in_thread || !TL) {
        lua_getglobal(L, name);
        return 1;
    }
    lua_getglobal(TL, name);
    bool ok = copy_value(TL, -1, L, 0);
    lua_pop(TL, 1);
    if (!ok)
        return luaL_error(L, "thread:get('%s'): only nil, booleans, numbers, strings and "
                             "tables of those cross between threads", name);
    return 1;
}

static int thread_set(lua_State *L)
{
    struct thread_ud *t = luaL_checkudata(L, 1, THREAD_MT);
    const char *name = luaL_checkstring(L, 2);
    luaL_checkany(L, 3);
    if (t->in_thread) {
        lua_pushvalue(L, 3);
        lua_setglobal(L, name);
        return 0;
    }
    int t3 = lua_type(L, 3);
    if (t3 != LUA_TNIL && t3 != LUA_TBOOLEAN && t3 != LUA_TNUMBER && t3 != LUA_TSTRING &&
        t3 != LUA_TTABLE)
        return luaL_error(L, "thread:set('%s'): only nil, booleans, numbers, strings and "
                             "tables of those cross between threads", name);
    /* Kept in the main state until the thread's state exists. */
    lua_rawgeti(L, LUA_REGISTRYINDEX, t->s->th[t->i].ref_pending);
    lua_pushvalue(L, 3);
    lua_setfield(L, -2, name);
    lua_pop(L, 1);
    return 0;
}

static int thread_stop(lua_State *L)
{
    struct thread_ud *t = luaL_checkudata(L, 1, THREAD_MT);
    atomic_store(&t->s->th[t->i].stopped, true);
    return 0;
}

static int thread_index(lua_State *L)
{
    struct thread_ud *t = luaL_checkudata(L, 1, THREAD_MT);
    const char *k = luaL_checkstring(L, 2);
    if (strcmp(k, "addr") == 0)
        push_addr(L, &t->s->th[t->i].addr);
    else if (strcmp(k, "get") == 0)
        lua_pushcfunction(L, thread_get);
    else if (strcmp(k, "set") == 0)
        lua_pushcfunction(L, thread_set);
    else if (strcmp(k, "stop") == 0)
        lua_pushcfunction(L, thread_stop);
    else
        lua_pushnil(L);
    return 1;
}

static int thread_newindex(lua_State *L)
{
    struct thread_ud *t = luaL_checkudata(L, 1, THREAD_MT);
    const char *k = luaL_checkstring(L, 2);
    if (strcmp(k, "addr") != 0)
        return luaL_error(L, "a thread has no field '%s' to set (only addr)", k);
    struct hp_addr *a = luaL_checkudata(L, 3, ADDR_MT);
    t->s->th[t->i].addr = *a;
    return 0;
}

static void push_thread(lua_State *L, struct hp_script *s, int i, bool in_thread)
{
    struct thread_ud *t = lua_newuserdata(L, sizeof *t);
    *t = (struct thread_ud){s, i, in_thread};
    luaL_getmetatable(L, THREAD_MT);
    lua_setmetatable(L, -2);
}

/* ---- statistics objects (done) ------------------------------------------ */

struct stats_ud {
    const struct hp_hist *h; /* latency: ns, shown in us; or NULL */
    double *v;               /* requests: per-thread rates, sorted */
    int n;
};

static double stats_percentile_of(const struct stats_ud *st, double p)
{
    if (st->h)
        return (double)hp_hist_value_at_percentile(st->h, p) / 1e3;
    if (st->n == 0)
        return 0;
    int k = (int)ceil(p / 100 * st->n) - 1;
    return st->v[k < 0 ? 0 : k >= st->n ? st->n - 1 : k];
}

static int stats_percentile(lua_State *L)
{
    struct stats_ud *st = luaL_checkudata(L, 1, STATS_MT);
    double p = luaL_checknumber(L, 2);
    if (!(p >= 0 && p <= 100))
        return luaL_error(L, "percentile(%f): expected 0 to 100", p);
    lua_pushnumber(L, stats_percentile_of(st, p));
    return 1;
}

static int stats_index(lua_State *L)
{
    struct stats_ud *st = luaL_checkudata(L, 1, STATS_MT);
    const char *k = luaL_checkstring(L, 2);
    double v = 0, sum = 0, sq = 0;
    if (strcmp(k, "percentile") == 0) {
        lua_pushcfunction(L, stats_percentile);
        return 1;
    }
    if (st->h) {
        if (strcmp(k, "min") == 0)
            v = (double)hp_hist_min(st->h) / 1e3;
        else if (strcmp(k, "max") == 0)
            v = (double)hp_hist_max(st->h) / 1e3;
        else if (strcmp(k, "mean") == 0)
            v = hp_hist_mean(st->h) / 1e3;
        else if (strcmp(k, "stdev") == 0)
            v = hp_hist_stddev(st->h) / 1e3;
        else if (strcmp(k, "total") == 0)
            v = (double)st->h->total_count;
        else
            return lua_pushnil(L), 1;
        lua_pushnumber(L, v);
        return 1;
    }
    for (int i = 0; i < st->n; i++) {
        sum += st->v[i];
        sq += st->v[i] * st->v[i];
    }
    double mean = st->n ? sum / st->n : 0;
    if (strcmp(k, "min") == 0)
        v = st->n ? st->v[0] : 0;
    else if (strcmp(k, "max") == 0)
        v = st->n ? st->v[st->n - 1] : 0;
    else if (strcmp(k, "mean") == 0)
        v = mean;
    else if (strcmp(k, "stdev") == 0)
        v = st->n > 1 ? sqrt(fmax(0, (sq - st->n * mean * mean) / (st->n - 1))) : 0;
    else if (strcmp(k, "total") == 0)
        v = st->n;
    else
        return lua_pushnil(L), 1;
    lua_pushnumber(L, v);
    return 1;
}

/* latency(i): the i-th distinct value recorded (us) and its count. */
static int stats_call(lua_State *L)
{
    struct stats_ud *st = luaL_checkudata(L, 1, STATS_MT);
    lua_Integer want = luaL_checkinteger(L, 2);
    if (st->h) {
        lua_Integer seen = 0;
        for (int i = 0; i < st->h->counts_len; i++) {
            if (!st->h->counts[i])
                continue;
            if (++seen == want) {
                lua_pushnumber(L, (double)hp_hist_value_at_index(st->h, i) / 1e3);
                lua_pushnumber(L, (double)st->h->counts[i]);
                return 2;
            }
        }
    } else if (want >= 1 && want <= st->n) {
        lua_pushnumber(L, st->v[want - 1]);
        lua_pushnumber(L, 1);
        return 2;
    }
    lua_pushnil(L);
    return 1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* ---- states -------------------------------------------------------------- */

static void push_headers(lua_State *L, const struct hp_script_target *t)
{
    lua_newtable(L);
    for (int i = 0; i < t->n_headers; i++) {
        const char *h = t->headers[i], *colon = strchr(h, ':');
        if (!colon)
            continue;
        const char *v = colon + 1;
        while (*v == ' ' || *v == '\t')
            v++;
        lua_pushlstring(L, h, (size_t)(colon - h));
        lua_pushstring(L, v);
        lua_settable(L, -3);
    }
}

/* A state with the libraries, the metatables and the wrk table, the
 * script loaded and its top level run. */
static int new_state(struct hp_script *s, lua_State **out, struct hp_err *err)
{
    const struct hp_script_target *t = s->target;
    lua_State *L = luaL_newstate();
    if (!L)
        return hp_err_set(err, -ENOMEM, "out of memory (Lua)");
    luaL_openlibs(L);
    luaL_newmetatable(L, ADDR_MT);
    lua_pushcfunction(L, addr_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pop(L, 1);
    luaL_newmetatable(L, THREAD_MT);
    lua_pushcfunction(L, thread_index);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, thread_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pop(L, 1);
    luaL_newmetatable(L, STATS_MT);
    lua_pushcfunction(L, stats_index);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, stats_call);
    lua_setfield(L, -2, "__call");
    lua_pop(L, 1);

    lua_newtable(L);
    lua_pushstring(L, t->url->tls ? "https" : "http");
    lua_setfield(L, -2, "scheme");
    lua_pushstring(L, t->url->host);
    lua_setfield(L, -2, "host");
    char port[16];
    snprintf(port, sizeof port, "%d", t->url->port);
    lua_pushstring(L, port);
    lua_setfield(L, -2, "port");
    lua_pushstring(L, t->method);
    lua_setfield(L, -2, "method");
    lua_pushstring(L, t->url->target);
    lua_setfield(L, -2, "path");
    push_headers(L, t);
    lua_setfield(L, -2, "headers");
    if (t->body) {
        lua_pushlstring(L, t->body, t->body_len);
        lua_setfield(L, -2, "body");
    }
    lua_pushcfunction(L, wrk_lookup);
    lua_setfield(L, -2, "lookup");
    lua_pushcfunction(L, wrk_connect);
    lua_setfield(L, -2, "connect");
    lua_setglobal(L, "wrk");
    if (luaL_loadbuffer(L, bootstrap, sizeof bootstrap - 1, "=hotpath") != 0 ||
        lua_pcall(L, 0, 0, 0) != 0) {
        int rc = hp_err_set(err, HP_EPARSE, "Lua bootstrap: %s", lua_tostring(L, -1));
        lua_close(L);
        return rc;
    }
    /* Messages name the script as given ("@path"), so errors read file:line. */
    char chunk[300];
    snprintf(chunk, sizeof chunk, "@%s", s->path);
    FILE *f = fopen(s->path, "r");
    if (!f) {
        int rc = hp_err_set(err, -errno, "%s: %s", s->path, strerror(errno));
        lua_close(L);
        return rc;
    }
    fclose(f);
    if (luaL_loadfile(L, s->path) != 0 || lua_pcall(L, 0, 0, 0) != 0) {
        int rc = hp_err_set(err, HP_EPARSE, "%s", lua_tostring(L, -1));
        lua_close(L);
        return rc;
    }
    *out = L;
    return 0;
}

static bool global_function(lua_State *L, const char *name, struct hp_err *err, const char *path,
                            int *rc)
{
    lua_getglobal(L, name);
    int t = lua_type(L, -1);
    lua_pop(L, 1);
    if (t == LUA_TNIL)
        return false;
    if (t != LUA_TFUNCTION)
        *rc = hp_err_set(err, HP_EPARSE, "%s: the global '%s' is a %s, not a function", path,
                         name, lua_typename(L, t));
    return t == LUA_TFUNCTION;
}

int hp_script_new(const char *path, const struct hp_script_target *t, struct hp_script **out,
                  struct hp_err *err)
{
    struct hp_script *s = hp_calloc(1, sizeof *s);
    int rc = 0;
    if (!s)
        return hp_err_set(err, -ENOMEM, "out of memory");
    snprintf(s->path, sizeof s->path, "%s", path);
    s->target = t;
    atomic_store(&s->deadline_ns, INT64_MAX);
    s->pipeline = 1;
    if ((rc = new_state(s, &s->main, err)) < 0) {
        hp_free(s);
        return rc;
    }
    s->has_setup = global_function(s->main, "setup", err, path, &rc);
    s->has_init = global_function(s->main, "init", err, path, &rc);
    s->has_request = global_function(s->main, "request", err, path, &rc);
    s->has_response = global_function(s->main, "response", err, path, &rc);
    s->has_delay = global_function(s->main, "delay", err, path, &rc);
    s->has_done = global_function(s->main, "done", err, path, &rc);
    if (rc < 0) {
        hp_script_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

/* Requests in a request() string, by our request parser: what wrk's
 * pipelining scripts (several wrk.format() concatenated) rely on. The
 * first one's method, target and body size are kept in s. */
static int count_requests(struct hp_script *s, const char *p, size_t len)
{
    int n = 0;
    while (len > 0) {
        struct hp_http_req req;
        size_t scan = 0;
        int rc = hp_http_parse_request(p, len, HP_HTTP_MAX_HEAD, &scan, &req);
        if (rc <= 0)
            break;
        size_t used = (size_t)rc + (req.content_length > 0 ? (size_t)req.content_length : 0);
        if (used > len)
            break;
        if (n == 0) {
            snprintf(s->first_method, sizeof s->first_method, "%.*s", (int)req.method_len,
                     req.method);
            snprintf(s->first_target, sizeof s->first_target, "%.*s", (int)req.target_len,
                     req.target);
            s->first_body_bytes = req.content_length > 0 ? req.content_length : 0;
        }
        p += used;
        len -= used;
        n++;
    }
    return n;
}

/* wrk.request(): the request wrk.format() made after init(), its upvalue. */
static int prebuilt_request(lua_State *L)
{
    lua_pushvalue(L, lua_upvalueindex(1));
    return 1;
}

int hp_script_setup(struct hp_script *s, int threads, const struct hp_addr *addr,
                    const char *const *args, int n_args, struct hp_err *err)
{
    lua_State *M = s->main;
    int rc = 0;
    if (threads < 1 || threads > HP_SCRIPT_MAX_THREADS)
        return hp_err_set(err, HP_ERANGE, "1-%d threads", HP_SCRIPT_MAX_THREADS);
    s->th = hp_calloc((size_t)threads, sizeof *s->th);
    if (!s->th)
        return hp_err_set(err, -ENOMEM, "out of memory");
    s->n = threads;
    for (int i = 0; i < threads; i++) {
        s->th[i].addr = *addr;
        lua_newtable(M);
        s->th[i].ref_pending = luaL_ref(M, LUA_REGISTRYINDEX);
    }
    /* setup(thread) for each, in the main state, before any thread runs. */
    for (int i = 0; i < threads && s->has_setup; i++) {
        lua_getglobal(M, "setup");
        push_thread(M, s, i, false);
        if (lua_pcall(M, 1, 0, 0) != 0)
            return hp_err_set(err, HP_EPARSE, "%s (in setup())", lua_tostring(M, -1));
    }
    for (int i = 0; i < threads; i++) {
        struct tstate *th = &s->th[i];
        lua_State *L;
        if ((rc = new_state(s, &L, err)) < 0)
            return rc;
        th->L = L;
        /* A script that runs past the test's end must be stoppable: the
         * count hook does it, and LuaJIT runs hooks only when interpreting,
         * so these states are never compiled (see docs/scripting.md). */
        luaJIT_setmode(L, 0, LUAJIT_MODE_ENGINE | LUAJIT_MODE_OFF);
        lua_pushlightuserdata(L, s);
        lua_setfield(L, LUA_REGISTRYINDEX, SCRIPT_KEY);
        lua_sethook(L, deadline_hook, LUA_MASKCOUNT, HOOK_INSTRUCTIONS);
        push_thread(L, s, i, true);
        lua_getglobal(L, "wrk");
        lua_pushvalue(L, -2);
        lua_setfield(L, -2, "thread");
        lua_pop(L, 2);
        /* The Host header, as wrk sets it before init(). */
        lua_getglobal(L, "wrk");
        lua_getfield(L, -1, "headers");
        lua_getfield(L, -1, "host");
        if (lua_isnil(L, -1)) {
            char host[300];
            bool v6 = strchr(s->target->url->host, ':') != NULL;
            snprintf(host, sizeof host, "%s%s%s:%d", v6 ? "[" : "", s->target->url->host,
                     v6 ? "]" : "", s->target->url->port);
            lua_pushstring(L, host);
            lua_setfield(L, -3, "host");
        }
        lua_pop(L, 3);
        /* The globals setup() gave this thread. */
        lua_rawgeti(M, LUA_REGISTRYINDEX, th->ref_pending);
        lua_pushnil(M);
        while (lua_next(M, -2)) {
            if (lua_type(M, -2) == LUA_TSTRING && copy_value(M, -1, L, 0))
                lua_setglobal(L, lua_tostring(M, -2));
            lua_pop(M, 1);
        }
        lua_pop(M, 1);
        if (s->has_init) {
            lua_getglobal(L, "init");
            lua_newtable(L);
            for (int a = 0; a < n_args; a++) {
                lua_pushstring(L, args[a]);
                lua_rawseti(L, -2, a + 1);
            }
            if (lua_pcall(L, 1, 0, 0) != 0)
                return hp_err_set(err, HP_EPARSE, "%s (in init())", lua_tostring(L, -1));
        }
        /* init() may have changed wrk.method, path, headers or body. */
        lua_getglobal(L, "wrk");
        lua_getfield(L, -1, "format");
        if (lua_pcall(L, 0, 1, 0) != 0)
            return hp_err_set(err, HP_EPARSE, "%s (in wrk.format())", lua_tostring(L, -1));
        size_t len;
        const char *req = lua_tolstring(L, -1, &len);
        th->prebuilt = hp_malloc(len ? len : 1);
        if (!th->prebuilt)
            return hp_err_set(err, -ENOMEM, "out of memory");
        memcpy(th->prebuilt, req, len);
        th->prebuilt_len = len;
        /* wrk.request(): that request, as wrk's init leaves it */
        lua_pushcclosure(L, prebuilt_request, 1);
        lua_setfield(L, -2, "request");
        lua_pop(L, 1);
        /* The pipeline depth: requests in the first request() string. */
        if (i == 0) {
            const char *data;
            size_t dlen;
            if (hp_script_request(s, 0, &data, &dlen) < 0)
                return hp_err_set(err, HP_EPARSE, "%s", s->error);
            s->pipeline = count_requests(s, data, dlen);
            s->head = dlen > 5 && memcmp(data, "HEAD ", 5) == 0;
            if (s->pipeline < 1)
                return hp_err_set(err, HP_EPARSE, "%s: request() returned no complete HTTP "
                                                  "request (%zu bytes)", s->path, dlen);
        }
    }
    return 0;
}

void hp_script_set_deadline(struct hp_script *s, int64_t deadline_ns, bool stop_request)
{
    int64_t cur = atomic_load(&s->deadline_ns);
    while (deadline_ns < cur && !atomic_compare_exchange_weak(&s->deadline_ns, &cur, deadline_ns))
        ;
    if (stop_request && deadline_ns <= atomic_load(&s->deadline_ns))
        atomic_store(&s->halt_reason, 1);
}

const struct hp_addr *hp_script_thread_addr(const struct hp_script *s, int i)
{
    return &s->th[i].addr;
}

int hp_script_pipeline(const struct hp_script *s)
{
    return s->pipeline;
}

void hp_script_first_request(const struct hp_script *s, const char **method,
                             const char **target, int64_t *body_bytes)
{
    *method = s->first_method;
    *target = s->first_target;
    *body_bytes = s->first_body_bytes;
}

bool hp_script_is_head(const struct hp_script *s)
{
    return s->head;
}

bool hp_script_has_request(const struct hp_script *s)
{
    return s->has_request;
}

bool hp_script_has_response(const struct hp_script *s)
{
    return s->has_response;
}

bool hp_script_has_delay(const struct hp_script *s)
{
    return s->has_delay;
}

bool hp_script_has_done(const struct hp_script *s)
{
    return s->has_done;
}

int hp_script_request(struct hp_script *s, int i, const char **data, size_t *len)
{
    struct tstate *th = &s->th[i];
    if (!s->has_request) {
        *data = th->prebuilt;
        *len = th->prebuilt_len;
        return 0;
    }
    lua_State *L = th->L;
    lua_settop(L, 0); /* the previous request's string goes */
    lua_getglobal(L, "request");
    if (lua_pcall(L, 0, 1, 0) != 0) {
        set_error(s, "request()", lua_tostring(L, -1));
        atomic_store(&th->stopped, true);
        return -1;
    }
    if (lua_type(L, -1) != LUA_TSTRING) {
        set_error(s, "request()", "request() must return a string (the HTTP request)");
        atomic_store(&th->stopped, true);
        return -1;
    }
    *data = lua_tolstring(L, -1, len);
    return 0;
}

/* The head's fields as a table: name (as sent) -> value. */
static void push_response_headers(lua_State *L, const char *head, size_t len)
{
    lua_newtable(L);
    const char *end = head + len, *line = memchr(head, '\n', len);
    while (line && line + 1 < end) {
        line++;
        const char *eol = memchr(line, '\n', (size_t)(end - line));
        const char *stop = eol ? eol : end, *colon = memchr(line, ':', (size_t)(stop - line));
        if (colon && colon > line) {
            const char *v = colon + 1, *ve = stop;
            while (v < ve && (*v == ' ' || *v == '\t'))
                v++;
            while (ve > v && (ve[-1] == '\r' || ve[-1] == ' '))
                ve--;
            lua_pushlstring(L, line, (size_t)(colon - line));
            lua_pushlstring(L, v, (size_t)(ve - v));
            lua_settable(L, -3);
        }
        line = eol;
    }
}

void hp_script_response(struct hp_script *s, int i, int status, const char *head,
                        size_t head_len, const char *body, size_t body_len)
{
    struct tstate *th = &s->th[i];
    lua_State *L = th->L;
    if (!s->has_response || atomic_load(&th->stopped))
        return;
    int top = lua_gettop(L);
    lua_getglobal(L, "response");
    lua_pushinteger(L, status);
    push_response_headers(L, head, head_len);
    lua_pushlstring(L, body ? body : "", body_len);
    if (lua_pcall(L, 3, 0, 0) != 0) {
        set_error(s, "response()", lua_tostring(L, -1));
        atomic_store(&th->stopped, true);
    }
    lua_settop(L, top);
}

int64_t hp_script_delay_ns(struct hp_script *s, int i)
{
    struct tstate *th = &s->th[i];
    lua_State *L = th->L;
    if (!s->has_delay)
        return 0;
    int top = lua_gettop(L);
    lua_getglobal(L, "delay");
    int64_t ns = 0;
    if (lua_pcall(L, 0, 1, 0) != 0) {
        set_error(s, "delay()", lua_tostring(L, -1));
        atomic_store(&th->stopped, true);
    } else {
        double ms = lua_tonumber(L, -1);
        ns = ms > 0 && ms < 3.6e6 ? (int64_t)(ms * 1e6) : 0;
    }
    lua_settop(L, top);
    return ns;
}

bool hp_script_stopped(const struct hp_script *s, int i)
{
    return atomic_load(&((struct hp_script *)s)->th[i].stopped);
}

const char *hp_script_error(const struct hp_script *s)
{
    return atomic_load(&((struct hp_script *)s)->failed) ? s->error : NULL;
}

int hp_script_done(struct hp_script *s, const struct hp_script_summary *sum,
                   const struct hp_hist *latency, const double *rates, int n_rates,
                   struct hp_err *err)
{
    lua_State *M = s->main;
    if (!s->has_done)
        return 0;
    double *sorted = hp_malloc((size_t)(n_rates > 0 ? n_rates : 1) * sizeof *sorted);
    if (!sorted)
        return hp_err_set(err, -ENOMEM, "out of memory");
    if (n_rates > 0)
        memcpy(sorted, rates, (size_t)n_rates * sizeof *sorted);
    qsort(sorted, (size_t)n_rates, sizeof *sorted, cmp_double);
    lua_getglobal(M, "done");
    lua_newtable(M);
    struct { const char *k; int64_t v; } top[] = {
        {"duration", sum->duration_us}, {"requests", sum->requests}, {"bytes", sum->bytes},
    };
    for (size_t i = 0; i < sizeof top / sizeof top[0]; i++) {
        lua_pushnumber(M, (double)top[i].v);
        lua_setfield(M, -2, top[i].k);
    }
    lua_newtable(M);
    struct { const char *k; int64_t v; } errs[] = {
        {"connect", sum->errors_connect}, {"read", sum->errors_read},
        {"write", sum->errors_write},     {"status", sum->errors_status},
        {"timeout", sum->errors_timeout},
    };
    for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++) {
        lua_pushnumber(M, (double)errs[i].v);
        lua_setfield(M, -2, errs[i].k);
    }
    lua_setfield(M, -2, "errors");
    struct stats_ud *l = lua_newuserdata(M, sizeof *l);
    *l = (struct stats_ud){.h = latency};
    luaL_getmetatable(M, STATS_MT);
    lua_setmetatable(M, -2);
    struct stats_ud *r = lua_newuserdata(M, sizeof *r);
    *r = (struct stats_ud){.v = sorted, .n = n_rates};
    luaL_getmetatable(M, STATS_MT);
    lua_setmetatable(M, -2);
    int rc = 0;
    if (lua_pcall(M, 3, 0, 0) != 0) {
        rc = hp_err_set(err, HP_EPARSE, "%s (in done())", lua_tostring(M, -1));
        lua_pop(M, 1);
    }
    /* The stats objects may outlive the call in a script's globals: empty them. */
    l->h = NULL;
    r->v = NULL;
    r->n = 0;
    hp_free(sorted);
    return rc;
}

void hp_script_free(struct hp_script *s)
{
    if (!s)
        return;
    for (int i = 0; s->th && i < s->n; i++) {
        if (s->th[i].L)
            lua_close(s->th[i].L);
        hp_free(s->th[i].prebuilt);
    }
    hp_free(s->th);
    if (s->main)
        lua_close(s->main);
    hp_free(s);
}
