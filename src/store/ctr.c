#include "store/ctr.h"

#include <dirent.h>
#include <errno.h>
#include <sys/file.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "store/cstore.h"
#include "image/store.h"
#include "util/paths.h"
#include "util/cleanup.h"
#include "util/du.h"
#include "util/fs.h"
#include "util/proc.h"
#include "util/time.h"
#include "util/xalloc.h"
#include "util/strv.h"

const char *md_ctr_status_name(enum md_ctr_status s)
{
    static const char *const n[] = {"created", "running", "paused", "restarting", "exited", "dead"};
    return n[s];
}

static struct json_object *jpath(struct json_object *o, const char *path)
{
    char key[128];
    while (o && *path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        if (n >= sizeof(key)) return NULL;
        memcpy(key, path, n);
        key[n] = '\0';
        if (!json_object_object_get_ex(o, key, &o)) return NULL;
        path += n + (dot ? 1 : 0);
    }
    return o;
}

const char *md_ctr_str(const struct md_ctr *c, const char *path)
{
    struct json_object *v = jpath(c->record, path);
    return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static char *run_dir(const char *id)
{
    char *p = NULL;
    return asprintf(&p, "%s/containers/%s", md_run_root(), id) < 0 ? NULL : p;
}

static struct json_object *read_json(const char *dir, const char *name)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    cleanup_free char *text = NULL;
    if (md_read_file(path, &text, NULL, NULL) < 0) return NULL;
    return json_tokener_parse(text);
}

static int64_t jint(struct json_object *o, const char *k)
{
    struct json_object *v;
    return o && json_object_object_get_ex(o, k, &v) ? json_object_get_int64(v) : 0;
}

static void status_from_record(struct md_ctr *c)
{
    const char *s = md_ctr_str(c, "State.Status");
    c->exit_code = (int)jint(jpath(c->record, "State"), "ExitCode");
    c->started_ns = md_parse_rfc3339(md_ctr_str(c, "State.StartedAt"));
    c->finished_ns = md_parse_rfc3339(md_ctr_str(c, "State.FinishedAt"));
    c->status = MD_CTR_CREATED;
    if (s && strcmp(s, "exited") == 0)
        c->status = MD_CTR_EXITED;
    else if (s && strcmp(s, "restarting") == 0)
        c->status = MD_CTR_RESTARTING;
    else if (s && strcmp(s, "dead") == 0)
        c->status = MD_CTR_DEAD;
    else if (s && (strcmp(s, "running") == 0 || strcmp(s, "paused") == 0)) {
        /* the record says running but no runtime state exists (host reboot,
         * or the owner was killed): the process is gone */
        c->status = MD_CTR_EXITED;
        if (c->exit_code == 0) c->exit_code = MD_EXIT_KILLED;
    }
}

static struct json_object *read_record(const struct md_ctr *c)
{
    struct json_object *rec = NULL;
    if (c->dir && c->summary) rec = md_ctr_summary_read(c->dir);
    /* no summary: a record written before summaries, or one being written now */
    return rec || c->dir == NULL ? rec : read_json(c->dir, "container.json");
}

static void reload_record(struct md_ctr *c)
{
    /* the record changes under us (the monitor's container-exited) */
    struct json_object *rec = read_record(c);
    if (rec) {
        json_object_put(c->record);
        c->record = rec;
    }
    status_from_record(c);
}

/* container-exited saves the record before it clears the runtime state, so
 * when the runtime state is gone, a second look at the record is final. */
static int record_says_live(struct md_ctr *c)
{
    const char *s = md_ctr_str(c, "State.Status");
    return s && (strcmp(s, "running") == 0 || strcmp(s, "paused") == 0);
}

static void exit_path(const struct md_ctr *c, char *out, size_t len)
{
    snprintf(out, len, "%s/exit", c->rundir);
}

/* fresh: the record was read just now (a load), not read again */
static void read_state(struct md_ctr *c, int fresh)
{
    c->pid = 0;
    c->monitor = 0;
    c->monitor_start = 0;
    c->unrecorded_exit = 0;
    if (fresh)
        status_from_record(c);
    else
        reload_record(c);
    struct json_object *st = read_json(c->rundir, "state.json");
    if (st == NULL) {
        if (record_says_live(c)) reload_record(c);
        return;
    }
    c->pid = (pid_t)jint(st, "pid");
    c->pid_start = (uint64_t)jint(st, "pid_start");
    c->monitor = (pid_t)jint(st, "monitor");
    c->monitor_start = (uint64_t)jint(st, "monitor_start");
    c->started_ns = jint(st, "started_ns");
    json_object_put(st);
    char path[4200];
    exit_path(c, path, sizeof(path));
    cleanup_free char *exit_text = NULL;
    if (md_read_file(path, &exit_text, NULL, NULL) == 0) {
        long long code = 0, sec = 0, nsec = 0;
        sscanf(exit_text, "%lld %lld.%lld", &code, &sec, &nsec);
        c->status = MD_CTR_EXITED;
        c->exit_code = (int)code;
        c->finished_ns = sec * 1000000000LL + nsec;
        c->pid = 0;
        return;
    }
    if (c->pid > 0 && md_proc_starttime(c->pid) == c->pid_start) {
        snprintf(path, sizeof(path), "%s/paused", c->rundir);
        c->status = md_path_exists(path) ? MD_CTR_PAUSED : MD_CTR_RUNNING;
        return;
    }
    if (md_ctr_monitor_alive(c)) {
        /* PID 1 is gone (or a zombie) and its monitor is about to say how
         * it ended: not over until then (`wait` must not guess 137) */
        c->status = MD_CTR_RUNNING;
        return;
    }
    /* the monitor may have finished (and cleared the state) just now */
    if (!md_path_exists(path) && (reload_record(c), !record_says_live(c))) return;
    /* killed from outside with its monitor: never shown as Up */
    c->status = MD_CTR_EXITED;
    c->exit_code = MD_EXIT_KILLED;
    c->pid = 0;
    c->finished_ns = md_now_ns();
    c->unrecorded_exit = 1;
}

void md_ctr_read_state(struct md_ctr *c)
{
    read_state(c, 0);
}

void md_ctr_settle(struct md_ctr *c)
{
    if (!c->unrecorded_exit) return;
    /* written down once, so that the verdict and its time do not drift
     * from one command to the next */
    char path[4200], text[64];
    exit_path(c, path, sizeof(path));
    int n = snprintf(text, sizeof(text), "%d %lld.%09lld\n", c->exit_code,
                     (long long)(c->finished_ns / 1000000000LL),
                     (long long)(c->finished_ns % 1000000000LL));
    md_write_file_atomic(path, text, (size_t)n, 0600, 0, NULL);
    c->unrecorded_exit = 0;
}

void md_ctr_read_and_settle(struct md_ctr *c)
{
    md_ctr_read_state(c);
    md_ctr_settle(c);
}

int md_ctr_monitor_alive(const struct md_ctr *c)
{
    return c->monitor > 0 && c->monitor_start && md_proc_starttime(c->monitor) == c->monitor_start;
}

static int load_id(const char *id, int summary, struct md_ctr **out, md_error_t **err)
{
    struct md_ctr *c = calloc(1, sizeof(*c));
    if (c == NULL) return md_error(err, ENOMEM, "container");
    snprintf(c->id, sizeof(c->id), "%s", id);
    c->summary = summary;
    c->dir = md_container_dir(id);
    c->rundir = run_dir(id);
    c->record = read_record(c);
    if (c->record == NULL) {
        md_ctr_free(c);
        return md_error(err, 0, "No such container: %s", id);
    }
    const char *n = md_ctr_str(c, "Name");
    c->name = strdup(n ? n + (n[0] == '/') : "");
    read_state(c, 1);
    md_ctr_settle(c);
    *out = c;
    return 0;
}

int md_ctr_from_record(const char *id, const char *name, struct json_object *record,
                       struct md_ctr **out, md_error_t **err)
{
    struct md_ctr *c = calloc(1, sizeof(*c));
    if (c == NULL) return md_error(err, ENOMEM, "container");
    snprintf(c->id, sizeof(c->id), "%s", id);
    c->dir = md_container_dir(id);
    c->rundir = run_dir(id);
    c->record = json_object_get(record);
    c->name = strdup(name);
    if (c->dir == NULL || c->rundir == NULL || c->name == NULL) {
        md_ctr_free(c);
        return md_error(err, ENOMEM, "container");
    }
    read_state(c, 1);
    *out = c;
    return 0;
}

int md_ctr_load_id(const char *id, struct md_ctr **out, md_error_t **err)
{
    return load_id(id, 0, out, err);
}

int md_ctr_load_summary(const char *id, struct md_ctr **out, md_error_t **err)
{
    return load_id(id, 1, out, err);
}

static int is_hex(const char *s)
{
    if (*s == '\0') return 0;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f'))) return 0;
    return 1;
}

int md_ctr_load(const char *ref, struct md_ctr **out, md_error_t **err)
{
    char path[4200], target[80];
    snprintf(path, sizeof(path), "%s/names/%s", md_lib_root(), ref[0] == '/' ? ref + 1 : ref);
    ssize_t n = strchr(ref + 1, '/') ? -1 : readlink(path, target, sizeof(target) - 1);
    if (n == 64) {
        target[n] = '\0';
        if (md_ctr_load_id(target, out, NULL) == 0) return 0;
    }
    if (!is_hex(ref) || strlen(ref) > 64) return md_error(err, 0, "No such container: %s", ref);
    cleanup_strv char **ids = md_ctr_list_ids();
    const char *found = NULL;
    size_t rl = strlen(ref);
    for (char **i = ids; i && *i; i++) {
        if (strncmp(*i, ref, rl) != 0) continue;
        if (found) return md_error(err, 0, "multiple IDs found with provided prefix: %s", ref);
        found = *i;
    }
    if (found == NULL) return md_error(err, 0, "No such container: %s", ref);
    return md_ctr_load_id(found, out, err);
}

static int by_created_desc(const void *a, const void *b)
{
    const struct md_ctr *x = *(struct md_ctr *const *)a, *y = *(struct md_ctr *const *)b;
    const char *cx = md_ctr_str(x, "Created"), *cy = md_ctr_str(y, "Created");
    return strcmp(cy ? cy : "", cx ? cx : "");
}

struct load_range {
    char **ids;
    struct md_ctr **v;
    size_t from, to;
};

/* v[i] stays NULL for a container that went away meanwhile */
static void *load_range(void *arg)
{
    struct load_range *r = arg;
    for (size_t i = r->from; i < r->to; i++)
        if (md_ctr_load_summary(r->ids[i], &r->v[i], NULL) < 0) r->v[i] = NULL;
    return NULL;
}

size_t md_ctr_load_summaries(struct md_ctr ***out)
{
    cleanup_strv char **ids = md_ctr_list_ids();
    size_t n = 0, cap = md_strv_len(ids);
    struct md_ctr **v = md_xcalloc(cap + 1, sizeof(*v));
    /* Many containers: a second thread reads and parses half the summaries (each a few
     * system calls and a parse; with 1,000, 500 running, `ps -a` took 52 ms on one CPU) */
    struct load_range all = {ids, v, 0, cap}, half = {ids, v, cap / 2, cap};
    pthread_t t;
    int two = cap >= 256 && sysconf(_SC_NPROCESSORS_ONLN) > 1 &&
              pthread_create(&t, NULL, load_range, &half) == 0;
    if (two) all.to = cap / 2;
    load_range(&all);
    if (two) pthread_join(t, NULL);
    for (size_t i = 0; i < cap; i++)
        if (v[i]) v[n++] = v[i];
    /* the records' times have nine digits after the second: they sort as text */
    qsort(v, n, sizeof(*v), by_created_desc);
    *out = v;
    return n;
}

void md_ctrs_free(struct md_ctr **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        md_ctr_free(v[i]);
    free(v);
}

void md_ctr_free(struct md_ctr *c)
{
    if (c == NULL) return;
    free(c->name);
    free(c->dir);
    free(c->rundir);
    json_object_put(c->record);
    free(c);
}

char **md_ctr_list_ids(void)
{
    char dir[4200];
    snprintf(dir, sizeof(dir), "%s/containers", md_lib_root());
    char **ids = md_xcalloc(1, sizeof(char *));
    cleanup_dir DIR *d = opendir(dir);
    struct dirent *de;
    while (ids && d && (de = readdir(d)) != NULL)
        if (strlen(de->d_name) == 64 && is_hex(de->d_name)) md_strv_append(&ids, de->d_name);
    return ids;
}

int md_ctr_save(struct md_ctr *c, md_error_t **err)
{
    /* a summary written as the record would lose every member it does not hold */
    if (c->summary) return md_error(err, EINVAL, "container %.12s: a summary is not saved", c->id);
    return md_ctr_write_record(c->dir, c->record, err);
}

/* The lock is a flock on the container's directory itself, not on a file in it: a file was one
 * more inode made by every create, and inodes cost ~0.1 ms each on these hosts' ext4 (no journal:
 * the allocator reads inode table blocks to skip recently freed inodes). The fd follows the
 * directory when `rm` renames it out of the store, so after the lock is taken the record is
 * looked up by path again. */
int md_ctr_lock(struct md_ctr *c, md_error_t **err)
{
    char rec[4200];
    snprintf(rec, sizeof(rec), "%s/container.json", c->dir);
    int fd = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) return md_error(err, 0, "No such container: %s", c->id);
    if (fd < 0) return md_error(err, errno, "open %s", c->dir);
    while (flock(fd, LOCK_EX) < 0) {
        if (errno == EINTR) continue;
        int e = errno;
        close(fd);
        return md_error(err, e, "lock %s", c->dir);
    }
    /* removed meanwhile: the rename out of the store happens under this lock */
    if (!md_path_exists(rec)) {
        close(fd);
        return md_error(err, 0, "No such container: %s", c->id);
    }
    return fd;
}

char *md_ctr_status_text(const struct md_ctr *c)
{
    char *out = NULL;
    int64_t now = md_now_ns();
    cleanup_free char *d = NULL;
    switch (c->status) {
    case MD_CTR_RUNNING:
    case MD_CTR_PAUSED:
        d = md_human_duration(now - c->started_ns);
        return asprintf(&out, "Up %s%s", d ? d : "",
                        c->status == MD_CTR_PAUSED ? " (Paused)" : "") < 0
                   ? NULL
                   : out;
    case MD_CTR_EXITED:
        d = md_human_duration(now - c->finished_ns);
        return asprintf(&out, "Exited (%d) %s ago", c->exit_code, d ? d : "") < 0 ? NULL : out;
    case MD_CTR_RESTARTING:
        d = md_human_duration(now - c->finished_ns);
        return asprintf(&out, "Restarting (%d) %s ago", c->exit_code, d ? d : "") < 0 ? NULL : out;
    case MD_CTR_DEAD:
        return strdup("Dead");
    default:
        return strdup("Created");
    }
}

int md_ctr_pidfd(const struct md_ctr *c)
{
    if (c->pid <= 0) return -ESRCH;
    int fd = (int)syscall(SYS_pidfd_open, c->pid, 0);
    if (fd < 0) return -errno;
    /* the pidfd pins the process; if the start time still matches now, it
     * is the container's and cannot be recycled under us */
    if (md_proc_starttime(c->pid) != c->pid_start) {
        close(fd);
        return -ESRCH;
    }
    return fd;
}

int md_ctr_signal(const struct md_ctr *c, int sig, md_error_t **err)
{
    cleanup_close int fd = md_ctr_pidfd(c);
    if (fd < 0) return md_error(err, 0, "Container %s is not running", c->id);
    if (syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) < 0)
        return md_error(err, errno, "kill container %.12s", c->id);
    return 0;
}

long long md_ctr_rw_size(const struct md_ctr *c)
{
    char upper[4200];
    long long size = 0;
    snprintf(upper, sizeof(upper), "%s/upper", c->dir);
    return md_du(upper, 1, &size) < 0 ? 0 : size;
}

char *md_ctr_command_line(const struct md_ctr *c)
{
    const char *path = md_ctr_str(c, "Path");
    char *cmd = md_xstrdup(path ? path : "");
    struct json_object *args = NULL;
    json_object_object_get_ex(c->record, "Args", &args);
    for (size_t i = 0; args && i < json_object_array_length(args); i++) {
        char *n = NULL;
        if (asprintf(&n, "%s %s", cmd, json_object_get_string(json_object_array_get_idx(args, i))) <
            0)
            md_oom();
        free(cmd);
        cmd = n;
    }
    return cmd;
}
