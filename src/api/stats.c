/* GET /containers/{id}/stats: docker's stats document from the engine's sample (the cgroup's
 * counters, the host's CPU time, the container's interfaces); stream=true: one a second while
 * the container runs; stream=false: after a second sample a second later (precpu, as dockerd
 * fills it), unless one-shot=true */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "cgroup/cgroup.h"
#include "engine/cgctl.h"
#include "store/ctr.h"
#include "util/cleanup.h"
#include "util/time.h"
#include "util/xalloc.h"

struct stats_stream {
    char id[65], name[256];
    int stream, one_shot, sent;
    struct md_stats_sample prev;
    char *prev_read;
    char *buf;
    size_t len, off;
};

static struct json_object *u64(uint64_t v)
{
    return json_object_new_int64((int64_t)v);
}

static struct json_object *cpu_doc(const struct md_stats_sample *s)
{
    struct json_object *c = json_object_new_object(), *u = json_object_new_object();
    json_object_object_add(u, "total_usage", u64(s->cg.cpu_usage_ns));
    json_object_object_add(u, "usage_in_kernelmode", u64(s->cg.cpu_system_ns));
    json_object_object_add(u, "usage_in_usermode", u64(s->cg.cpu_user_ns));
    json_object_object_add(c, "cpu_usage", u);
    json_object_object_add(c, "system_cpu_usage", u64(s->system_ns));
    json_object_object_add(c, "online_cpus", json_object_new_int(s->online_cpus));
    json_object_object_add(c, "throttling_data", json_object_new_object());
    return c;
}

static struct json_object *blkio_doc(const struct md_stats_sample *s)
{
    struct json_object *b = json_object_new_object(), *a = json_object_new_array();
    const char *ops[] = {"read", "write"};
    uint64_t v[] = {s->cg.blkio_read_bytes, s->cg.blkio_write_bytes};
    for (int i = 0; i < 2; i++) {
        struct json_object *e = json_object_new_object();
        json_object_object_add(e, "major", json_object_new_int(0));
        json_object_object_add(e, "minor", json_object_new_int(0));
        json_object_object_add(e, "op", json_object_new_string(ops[i]));
        json_object_object_add(e, "value", u64(v[i]));
        json_object_array_add(a, e);
    }
    json_object_object_add(b, "io_service_bytes_recursive", a);
    return b;
}

static char *document(struct stats_stream *st, const struct md_stats_sample *cur, const char *read)
{
    struct json_object *d = json_object_new_object(), *mem = json_object_new_object(),
                       *ms = json_object_new_object(), *pids = json_object_new_object(),
                       *nets = json_object_new_object(), *eth = json_object_new_object();
    json_object_object_add(d, "read", json_object_new_string(read));
    json_object_object_add(
        d, "preread",
        json_object_new_string(st->prev_read ? st->prev_read : "0001-01-01T00:00:00Z"));
    json_object_object_add(pids, "current", u64(cur->cg.pids_current));
    if (cur->cg.pids_limit != MD_CGROUP_UNLIMITED)
        json_object_object_add(pids, "limit", u64(cur->cg.pids_limit));
    json_object_object_add(d, "pids_stats", pids);
    json_object_object_add(d, "blkio_stats", blkio_doc(cur));
    json_object_object_add(d, "num_procs", json_object_new_int(0));
    json_object_object_add(d, "storage_stats", json_object_new_object());
    json_object_object_add(d, "cpu_stats", cpu_doc(cur));
    json_object_object_add(d, "precpu_stats", cpu_doc(&st->prev));
    json_object_object_add(mem, "usage", u64(cur->cg.mem_usage));
    uint64_t limit = cur->cg.mem_limit == MD_CGROUP_UNLIMITED ? cur->host_mem : cur->cg.mem_limit;
    json_object_object_add(mem, "limit", u64(limit));
    json_object_object_add(ms, "inactive_file", u64(cur->cg.mem_inactive_file));
    json_object_object_add(mem, "stats", ms);
    json_object_object_add(d, "memory_stats", mem);
    json_object_object_add(d, "name", json_object_new_string(st->name));
    json_object_object_add(d, "id", json_object_new_string(st->id));
    json_object_object_add(eth, "rx_bytes", u64(cur->net_rx));
    json_object_object_add(eth, "tx_bytes", u64(cur->net_tx));
    json_object_object_add(nets, "eth0", eth);
    json_object_object_add(d, "networks", nets);
    char *text = NULL;
    if (asprintf(&text, "%s\n", json_object_to_json_string_ext(d, JSON_C_TO_STRING_PLAIN)) < 0)
        md_oom();
    json_object_put(d);
    return text;
}

/* a sample now; 0 when the container is gone or stopped (docker shows zeros, then ends) */
static int sample(struct stats_stream *st, struct md_stats_sample *s)
{
    struct md_ctr *c = NULL;
    memset(s, 0, sizeof(*s));
    if (md_ctr_load_id(st->id, &c, NULL) < 0) return 0;
    int live = c->status == MD_CTR_RUNNING || c->status == MD_CTR_PAUSED;
    if (live) md_stats_sample(c, s);
    md_ctr_free(c);
    return live;
}

static ssize_t body(void *cls, uint64_t pos, char *out, size_t max)
{
    struct stats_stream *st = cls;
    (void)pos;
    if (st->off >= st->len) {
        if (st->sent && !st->stream) return MHD_CONTENT_READER_END_OF_STREAM;
        if (st->sent || !st->one_shot) sleep(1); /* precpu is the sample a second before */
        struct md_stats_sample cur;
        int live = sample(st, &cur);
        if (st->sent && !live) return MHD_CONTENT_READER_END_OF_STREAM;
        cleanup_free char *read = md_time_rfc3339_nano(md_now_ns());
        free(st->buf);
        st->buf = document(st, &cur, read ? read : "");
        st->len = strlen(st->buf);
        st->off = 0;
        st->sent = 1;
        st->prev = cur;
        free(st->prev_read);
        st->prev_read = read ? md_xstrdup(read) : NULL;
    }
    size_t n = st->len - st->off < max ? st->len - st->off : max;
    memcpy(out, st->buf + st->off, n);
    st->off += n;
    return (ssize_t)n;
}

static void stream_free(void *cls)
{
    struct stats_stream *st = cls;
    free(st->buf);
    free(st->prev_read);
    free(st);
}

enum MHD_Result api_container_stats(struct api_req *r)
{
    struct md_ctr *c = NULL;
    md_error_t *err = NULL;
    if (md_ctr_load(r->id, &c, &err) < 0) {
        md_error_free(&err);
        return api_error(r, MHD_HTTP_NOT_FOUND, "No such container: %s", r->id);
    }
    struct stats_stream *st = calloc(1, sizeof(*st));
    if (st == NULL) md_oom();
    snprintf(st->id, sizeof(st->id), "%s", c->id);
    snprintf(st->name, sizeof(st->name), "/%s", c->name);
    md_ctr_free(c);
    st->stream = api_query_bool(r, "stream", 1);
    st->one_shot = api_query_bool(r, "one-shot", 0);
    if (!st->one_shot) {
        sample(st, &st->prev);
        cleanup_free char *read = md_time_rfc3339_nano(md_now_ns());
        st->prev_read = read ? md_xstrdup(read) : NULL;
    }
    return api_stream(r, "application/json", body, st, stream_free);
}
