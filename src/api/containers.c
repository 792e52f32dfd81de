/* containers: list, inspect, start, stop, restart, kill, delete, logs */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api/api.h"
#include "api/proc.h"
#include "cli/docs.h"
#include "cli/ps_filters.h"
#include "engine/cgctl.h"
#include "engine/health.h"
#include "engine/lifecycle.h"
#include "engine/start.h"
#include "net/net.h"
#include "store/ctr.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/signal.h"
#include "util/strv.h"
#include "util/time.h"
#include "util/xalloc.h"

/* the container of the route, or a 404 answered (*ret) */
static struct md_ctr *load(struct api_req *r, enum MHD_Result *ret)
{
    struct md_ctr *c = NULL;
    md_error_t *err = NULL;
    if (md_ctr_load(r->id, &c, &err) == 0) return c;
    *ret = api_error(r, MHD_HTTP_NOT_FOUND, "No such container: %s", r->id);
    md_error_free(&err);
    return NULL;
}

static enum MHD_Result engine_error(struct api_req *r, md_error_t **err)
{
    const char *msg = *err && (*err)->msg ? (*err)->msg : "failed";
    enum MHD_Result ret = api_error(r, api_status_of(msg), "%s", msg);
    md_error_free(err);
    return ret;
}

enum MHD_Result api_container_inspect(struct api_req *r)
{
    enum MHD_Result ret;
    struct md_ctr *c = load(r, &ret);
    if (c == NULL) return ret;
    ret = api_json(r, MHD_HTTP_OK, md_container_doc(c));
    md_ctr_free(c);
    return ret;
}

/* a member of the record, shared (no copy), or a new empty one */
static struct json_object *shared(struct json_object *o, const char *key, int array)
{
    struct json_object *v = NULL;
    if (o && json_object_object_get_ex(o, key, &v) && v) return json_object_get(v);
    return array ? json_object_new_array() : json_object_new_object();
}

static void add_port(struct json_object *list, const char *ip, int priv, int pub, const char *proto)
{
    struct json_object *e = json_object_new_object();
    if (ip) json_object_object_add(e, "IP", json_object_new_string(ip));
    json_object_object_add(e, "PrivatePort", json_object_new_int(priv));
    if (pub) json_object_object_add(e, "PublicPort", json_object_new_int(pub));
    json_object_object_add(e, "Type", json_object_new_string(proto));
    json_object_array_add(list, e);
}

/* docker's Ports of a list entry: a running container's published ports ("80/tcp" ->
 * HostIp:HostPort) and its exposed ones without a binding; none once it stopped */
static struct json_object *summary_ports(const struct md_ctr *c)
{
    struct json_object *list = json_object_new_array(), *ns = NULL, *ports = NULL;
    if (c->status != MD_CTR_RUNNING && c->status != MD_CTR_PAUSED) return list;
    json_object_object_get_ex(c->record, "NetworkSettings", &ns);
    if (!ns || !json_object_object_get_ex(ns, "Ports", &ports) ||
        !json_object_is_type(ports, json_type_object))
        return list;
    json_object_object_foreach(ports, key, binds)
    {
        char proto[16] = "tcp";
        int priv = 0;
        if (sscanf(key, "%d/%15s", &priv, proto) < 1) continue;
        size_t n = binds ? json_object_array_length(binds) : 0;
        if (n == 0) add_port(list, NULL, priv, 0, proto);
        for (size_t i = 0; i < n; i++) {
            struct json_object *b = json_object_array_get_idx(binds, i), *ip = NULL, *hp = NULL;
            json_object_object_get_ex(b, "HostIp", &ip);
            json_object_object_get_ex(b, "HostPort", &hp);
            add_port(list, ip ? json_object_get_string(ip) : "", priv,
                     hp ? atoi(json_object_get_string(hp)) : 0, proto);
        }
    }
    return list;
}

/* one entry of GET /containers/json, docker's shape; built from the record's own members
 * (no copy of the whole record: a list of many containers is mostly this) */
struct json_object *api_container_summary(struct md_ctr *c)
{
    struct json_object *e = json_object_new_object(), *names = json_object_new_array();
    struct json_object *cfg = NULL;
    cleanup_free char *slashed = NULL, *status = md_health_status_text(c);
    if (asprintf(&slashed, "/%s", c->name) < 0) md_oom();
    json_object_array_add(names, json_object_new_string(slashed));
    json_object_object_get_ex(c->record, "Config", &cfg);
    json_object_object_add(e, "Id", json_object_new_string(c->id));
    json_object_object_add(e, "Names", names);
    const char *image = md_ctr_str(c, "Config.Image");
    json_object_object_add(e, "Image", json_object_new_string(image ? image : ""));
    json_object_object_add(e, "ImageID", json_object_new_string(md_ctr_str(c, "Image") ?: ""));
    char *cmd = md_ctr_command_line(c);
    json_object_object_add(e, "Command", json_object_new_string(cmd));
    free(cmd);
    const char *created = md_ctr_str(c, "Created");
    json_object_object_add(
        e, "Created", json_object_new_int64(created ? md_parse_rfc3339(created) / 1000000000 : 0));
    json_object_object_add(e, "Ports", summary_ports(c));
    json_object_object_add(e, "Labels", shared(cfg, "Labels", 0));
    json_object_object_add(e, "State", json_object_new_string(md_ctr_status_name(c->status)));
    json_object_object_add(e, "Status", json_object_new_string(status ? status : ""));
    struct json_object *hc = json_object_new_object();
    json_object_object_add(
        hc, "NetworkMode",
        json_object_new_string(md_ctr_str(c, "HostConfig.NetworkMode") ?: "default"));
    json_object_object_add(e, "HostConfig", hc);
    json_object_object_add(e, "NetworkSettings", shared(c->record, "NetworkSettings", 0));
    json_object_object_add(e, "Mounts", shared(c->record, "Mounts", 1));
    return e;
}

enum MHD_Result api_containers_list(struct api_req *r)
{
    struct md_filters f;
    cleanup_free char *msg = NULL;
    md_error_t *err = NULL;
    if (api_filters(r, md_ps_filter_keys, &f, &msg) < 0)
        return api_error(r, MHD_HTTP_BAD_REQUEST, "%s", msg);
    if (md_ps_filter_check(&f, &err) < 0) {
        md_filters_free(&f);
        return engine_error(r, &err);
    }
    /* as docker's daemon: a status or exited filter looks at stopped containers too */
    int all =
        api_query_bool(r, "all", 0) || md_filters_has(&f, "status") || md_filters_has(&f, "exited");
    const char *lim = api_query(r, "limit");
    long limit = lim ? atol(lim) : -1;
    struct md_ctr **v = NULL;
    size_t n = md_ctr_load_summaries(&v); /* newest first, as docker's */
    struct json_object *list = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        int live = v[i]->status == MD_CTR_RUNNING || v[i]->status == MD_CTR_PAUSED;
        if ((all || live) && md_ps_matches(v[i], &f) &&
            (limit < 0 || (long)json_object_array_length(list) < limit))
            json_object_array_add(list, api_container_summary(v[i]));
    }
    md_ctrs_free(v, n);
    md_filters_free(&f);
    return api_json(r, MHD_HTTP_OK, list);
}

enum MHD_Result api_container_start(struct api_req *r)
{
    enum MHD_Result ret;
    struct md_ctr *c = load(r, &ret);
    if (c == NULL) return ret;
    if (c->status == MD_CTR_RUNNING || c->status == MD_CTR_PAUSED) {
        md_ctr_free(c);
        return api_empty(r, MHD_HTTP_NOT_MODIFIED);
    }
    int handled = 0;
    cleanup_free char *msg = NULL;
    md_error_t *err = NULL;
    /* an attach waiting for this start takes the output from its first byte */
    int rc = api_session_start(c->id, &handled, &msg);
    if (!handled) rc = md_engine_start_detached(c, &err);
    md_ctr_free(c);
    if (rc < 0 && msg) return api_error(r, api_status_of(msg), "%s", msg);
    if (rc < 0) return engine_error(r, &err);
    return api_empty(r, MHD_HTTP_NO_CONTENT);
}

static int query_int(struct api_req *r, const char *key, int def)
{
    const char *v = api_query(r, key);
    return v && *v ? atoi(v) : def;
}

enum MHD_Result api_container_stop(struct api_req *r)
{
    enum MHD_Result ret;
    struct md_ctr *c = load(r, &ret);
    if (c == NULL) return ret;
    if (c->status != MD_CTR_RUNNING && c->status != MD_CTR_PAUSED &&
        c->status != MD_CTR_RESTARTING) {
        md_ctr_free(c);
        return api_empty(r, MHD_HTTP_NOT_MODIFIED);
    }
    md_error_t *err = NULL;
    const char *sig = api_query(r, "signal");
    int rc = md_engine_stop_signal(c, query_int(r, "t", -1), sig ? md_signal_parse(sig) : 0, &err);
    md_ctr_free(c);
    return rc < 0 ? engine_error(r, &err) : api_empty(r, MHD_HTTP_NO_CONTENT);
}

enum MHD_Result api_container_restart(struct api_req *r)
{
    enum MHD_Result ret;
    struct md_ctr *c = load(r, &ret);
    if (c == NULL) return ret;
    md_error_t *err = NULL;
    int rc = 0;
    if (c->status == MD_CTR_RUNNING || c->status == MD_CTR_PAUSED)
        rc = md_engine_stop_signal(c, query_int(r, "t", -1), 0, &err);
    if (rc == 0) {
        md_ctr_read_and_settle(c);
        rc = md_engine_start_detached(c, &err);
    }
    md_ctr_free(c);
    return rc < 0 ? engine_error(r, &err) : api_empty(r, MHD_HTTP_NO_CONTENT);
}

enum MHD_Result api_container_kill(struct api_req *r)
{
    enum MHD_Result ret;
    struct md_ctr *c = load(r, &ret);
    if (c == NULL) return ret;
    const char *s = api_query(r, "signal");
    int sig = s && *s ? md_signal_parse(s) : SIGKILL;
    md_error_t *err = NULL;
    int rc = sig < 0 ? md_error(&err, 0, "invalid signal: %s", s) : md_engine_kill(c, sig, &err);
    md_ctr_free(c);
    return rc < 0 ? engine_error(r, &err) : api_empty(r, MHD_HTTP_NO_CONTENT);
}

enum MHD_Result api_container_delete(struct api_req *r)
{
    enum MHD_Result ret;
    struct md_ctr *c = load(r, &ret);
    if (c == NULL) return ret;
    md_error_t *err = NULL;
    int force = api_query_bool(r, "force", 0);
    if (!force && (c->status == MD_CTR_RUNNING || c->status == MD_CTR_PAUSED)) {
        md_ctr_free(c);
        return api_error(r, MHD_HTTP_CONFLICT,
                         "You cannot remove a running container %s. Stop the container before "
                         "attempting removal or force remove",
                         r->id);
    }
    int rc = md_engine_rm(c, force, NULL, &err);
    if (rc == 0 && api_query_bool(r, "v", 0)) md_engine_remove_anon_volumes(c, NULL);
    md_ctr_free(c);
    return rc < 0 ? engine_error(r, &err) : api_empty(r, MHD_HTTP_NO_CONTENT);
}

/* the json-file log as docker's stream: 8-byte frames without a tty, raw bytes with one */
static void frame(FILE *o, int tty, int stream, const char *text, size_t n)
{
    if (!tty) {
        unsigned char h[8] = {(unsigned char)stream,
                              0,
                              0,
                              0,
                              (unsigned char)(n >> 24),
                              (unsigned char)(n >> 16),
                              (unsigned char)(n >> 8),
                              (unsigned char)n};
        fwrite(h, 1, 8, o);
    }
    fwrite(text, 1, n, o);
}

/* logs: the file's entries as frames; with follow, more as they come while the container runs */
struct logs {
    FILE *in;
    char id[65];
    int tty, out, err, follow;
    char *buf;
    size_t len, off;
    struct timespec checked;
};

static int still_running(struct logs *l)
{
    struct md_ctr *c = NULL;
    if (md_ctr_load_id(l->id, &c, NULL) < 0) return 0;
    int live = c->status == MD_CTR_RUNNING || c->status == MD_CTR_PAUSED ||
               c->status == MD_CTR_RESTARTING || md_ctr_monitor_alive(c);
    md_ctr_free(c);
    return live;
}

/* the next entry's frame into l->buf; 0 at the end of the file */
static int next_entry(struct logs *l)
{
    char *line = NULL;
    size_t cap = 0;
    int got = 0;
    while (!got && getline(&line, &cap, l->in) > 0) {
        struct json_object *e = json_tokener_parse(line), *log = NULL, *stream = NULL;
        if (e && json_object_object_get_ex(e, "log", &log) &&
            json_object_object_get_ex(e, "stream", &stream)) {
            int is_err = strcmp(json_object_get_string(stream), "stderr") == 0;
            if (is_err ? l->err : l->out) {
                free(l->buf);
                size_t size = 0;
                FILE *o = open_memstream(&l->buf, &size);
                frame(o, l->tty, is_err ? 2 : 1, json_object_get_string(log),
                      (size_t)json_object_get_string_len(log));
                fclose(o);
                l->len = size;
                l->off = 0;
                got = 1;
            }
        }
        json_object_put(e);
    }
    free(line);
    clearerr(l->in); /* a follower reads on past EOF */
    return got;
}

static ssize_t logs_body(void *cls, uint64_t pos, char *out, size_t max)
{
    struct logs *l = cls;
    (void)pos;
    while (l->off >= l->len) {
        if (next_entry(l)) break;
        if (!l->follow || !still_running(l)) {
            if (next_entry(l)) break; /* what came before the end */
            return MHD_CONTENT_READER_END_OF_STREAM;
        }
        usleep(50000);
    }
    size_t n = l->len - l->off < max ? l->len - l->off : max;
    memcpy(out, l->buf + l->off, n);
    l->off += n;
    return (ssize_t)n;
}

static void logs_free(void *cls)
{
    struct logs *l = cls;
    if (l->in) fclose(l->in);
    free(l->buf);
    free(l);
}

enum MHD_Result api_container_logs(struct api_req *r)
{
    enum MHD_Result ret;
    struct md_ctr *c = load(r, &ret);
    if (c == NULL) return ret;
    struct logs *l = calloc(1, sizeof(*l));
    if (l == NULL) md_oom();
    snprintf(l->id, sizeof(l->id), "%s", c->id);
    l->out = api_query_bool(r, "stdout", 0);
    l->err = api_query_bool(r, "stderr", 0);
    l->follow = api_query_bool(r, "follow", 0);
    struct json_object *cfg = NULL, *t = NULL;
    if (json_object_object_get_ex(c->record, "Config", &cfg) &&
        json_object_object_get_ex(cfg, "Tty", &t))
        l->tty = json_object_get_boolean(t);
    cleanup_free char *path = NULL;
    if (asprintf(&path, "%s/%s-json.log", c->dir, c->id) < 0) md_oom();
    md_ctr_free(c);
    l->in = fopen(path, "re");
    if (l->in == NULL) l->in = fopen("/dev/null", "re");
    const char *type =
        l->tty ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream";
    return api_stream(r, type, logs_body, l, logs_free);
}

/* a container's pty belongs to its monitor: the size stays the one it was made with */
enum MHD_Result api_container_resize(struct api_req *r)
{
    enum MHD_Result ret;
    struct md_ctr *c = load(r, &ret);
    if (c == NULL) return ret;
    md_ctr_free(c);
    return api_empty(r, MHD_HTTP_OK);
}

enum MHD_Result api_container_pause(struct api_req *r)
{
    enum MHD_Result ret;
    struct md_ctr *c = load(r, &ret);
    if (c == NULL) return ret;
    md_error_t *err = NULL;
    int rc = strstr(r->path, "/unpause") ? md_engine_unpause(c, &err) : md_engine_pause(c, &err);
    md_ctr_free(c);
    return rc < 0 ? engine_error(r, &err) : api_empty(r, MHD_HTTP_NO_CONTENT);
}

enum MHD_Result api_container_rename(struct api_req *r)
{
    enum MHD_Result ret;
    struct md_ctr *c = load(r, &ret);
    if (c == NULL) return ret;
    const char *name = api_query(r, "name");
    md_error_t *err = NULL;
    int rc = name && *name ? md_engine_rename(c, name[0] == '/' ? name + 1 : name, &err)
                           : md_error(&err, 0, "invalid name: the new name must be given");
    md_ctr_free(c);
    return rc < 0 ? engine_error(r, &err) : api_empty(r, MHD_HTTP_NO_CONTENT);
}

/* GET /containers/{id}/top?ps_args=: `mydocker top` (its /proc reading, docker's columns),
 * its table as docker's {"Titles": [...], "Processes": [[...]]}: the last column keeps its
 * spaces */
enum MHD_Result api_container_top(struct api_req *r)
{
    enum MHD_Result ret;
    struct md_ctr *c = load(r, &ret);
    if (c == NULL) return ret;
    int live = c->status == MD_CTR_RUNNING || c->status == MD_CTR_PAUSED;
    md_ctr_free(c);
    if (!live) return api_error(r, MHD_HTTP_CONFLICT, "Container %s is not running", r->id);
    cleanup_strv char **argv = md_strv_dup(NULL);
    md_strv_append(&argv, "top");
    md_strv_append(&argv, r->id);
    const char *ps_args = api_query(r, "ps_args");
    cleanup_free char *args = md_xstrdup(ps_args ? ps_args : "");
    for (char *save = NULL, *t = strtok_r(args, " ", &save); t; t = strtok_r(NULL, " ", &save))
        md_strv_append(&argv, t);
    cleanup_free char *out = NULL;
    if (api_mydocker(argv, NULL, 0, &out, NULL, NULL) != 0)
        return api_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", out ? out : "top failed");
    struct json_object *doc = json_object_new_object(), *titles = json_object_new_array(),
                       *procs = json_object_new_array();
    size_t ncol = 0;
    for (char *save = NULL, *line = out ? strtok_r(out, "\n", &save) : NULL; line;
         line = strtok_r(NULL, "\n", &save)) {
        struct json_object *row = ncol ? json_object_new_array() : titles;
        size_t k = 0;
        for (char *p2 = line; *p2;) {
            p2 += strspn(p2, " ");
            if (*p2 == '\0') break;
            size_t n = ncol && k == ncol - 1 ? strlen(p2) : strcspn(p2, " ");
            json_object_array_add(row, json_object_new_string_len(p2, (int)n));
            p2 += n;
            k++;
        }
        if (ncol == 0)
            ncol = k;
        else
            json_object_array_add(procs, row);
    }
    json_object_object_add(doc, "Titles", titles);
    json_object_object_add(doc, "Processes", procs);
    return api_json(r, MHD_HTTP_OK, doc);
}
