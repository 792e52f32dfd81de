/* A container's state: <root>/<id>/state.json, written atomically (temp +
 * rename) under an flock on the directory, and exec.fifo while it is
 * created but not started. The status is never stored: it is read from
 * the init process (alive, same start time, not a zombie), the fifo and
 * the paused flag, so that a container whose init died is "stopped"
 * whoever noticed first. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "runc/runc.h"
#include "runtime/cgroup_setup.h"
#include "runtime/hooks.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/proc.h"
#include "util/xalloc.h"

int runc_valid_id(const char *id, md_error_t **err)
{
    /* runc's rule: [\w+-.]+, and not "." or ".." (it becomes a directory name) */
    int ok = id && *id && strcmp(id, ".") != 0 && strcmp(id, "..") != 0 && strlen(id) < 1024;
    for (const char *p = id; ok && *p; p++)
        ok = isalnum((unsigned char)*p) || strchr("_+-.", *p);
    return ok ? 0 : md_error(err, 0, "invalid container id format: %s", id ? id : "");
}

char *runc_dir(const char *id)
{
    char *d = NULL;
    if (asprintf(&d, "%s/%s", runc_g.root, id) < 0) return NULL;
    return d;
}

static const char *jstr(struct json_object *o, const char *k)
{
    struct json_object *v;
    return o && json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : NULL;
}

static char *jdup(struct json_object *o, const char *k)
{
    const char *s = jstr(o, k);
    return s ? strdup(s) : NULL;
}

void runc_state_free(struct runc_state *st)
{
    if (st == NULL) return;
    if (st->lock_fd >= 0) close(st->lock_fd);
    free(st->id);
    free(st->dir);
    free(st->bundle);
    free(st->rootfs);
    free(st->created);
    free(st->cgroup);
    json_object_put(st->config);
    free(st);
}

static int parse_state(struct runc_state *st, const char *text, md_error_t **err)
{
    struct json_object *o = json_tokener_parse(text), *v;
    if (o == NULL) return md_error(err, 0, "container %s: state.json is corrupt", st->id);
    st->pid = json_object_object_get_ex(o, "pid", &v) ? json_object_get_int(v) : 0;
    st->start = json_object_object_get_ex(o, "pid_start", &v) ? json_object_get_uint64(v) : 0;
    st->paused = json_object_object_get_ex(o, "paused", &v) && json_object_get_boolean(v);
    st->bundle = jdup(o, "bundle");
    st->rootfs = jdup(o, "rootfs");
    st->created = jdup(o, "created");
    st->cgroup = jdup(o, "cgroup");
    if (json_object_object_get_ex(o, "config", &v)) st->config = json_object_get(v);
    json_object_put(o);
    return 0;
}

int runc_state_load(const char *id, int lock, struct runc_state **out, md_error_t **err)
{
    *out = NULL;
    int r = runc_valid_id(id, err);
    if (r < 0) return r;
    struct runc_state *st = calloc(1, sizeof(*st));
    if (st == NULL) return md_error(err, ENOMEM, "state");
    st->lock_fd = -1;
    st->id = md_xstrdup(id);
    st->dir = runc_dir(id);
    st->lock_fd = open(st->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (st->lock_fd < 0) {
        r = errno == ENOENT ? md_error(err, 0, "container does not exist")
                            : md_error(err, errno, "open %s", st->dir);
        runc_state_free(st);
        return r;
    }
    if (lock && flock(st->lock_fd, LOCK_EX) < 0) {
        r = md_error(err, errno, "lock %s", st->dir);
        runc_state_free(st);
        return r;
    }
    char path[4200];
    snprintf(path, sizeof(path), "%s/state.json", st->dir);
    cleanup_free char *text = NULL;
    r = md_read_file(path, &text, NULL, NULL);
    if (r < 0)
        r = md_error(err, 0, "container does not exist");
    else
        r = parse_state(st, text, err);
    if (r < 0) {
        runc_state_free(st);
        return r;
    }
    *out = st;
    return 0;
}

int runc_state_save(struct runc_state *st, md_error_t **err)
{
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_string(st->id));
    json_object_object_add(o, "pid", json_object_new_int(st->pid));
    json_object_object_add(o, "pid_start", json_object_new_uint64(st->start));
    json_object_object_add(o, "bundle", json_object_new_string(st->bundle ? st->bundle : ""));
    json_object_object_add(o, "rootfs", json_object_new_string(st->rootfs ? st->rootfs : ""));
    json_object_object_add(o, "created", json_object_new_string(st->created ? st->created : ""));
    if (st->cgroup) json_object_object_add(o, "cgroup", json_object_new_string(st->cgroup));
    json_object_object_add(o, "paused", json_object_new_boolean(st->paused));
    if (st->config) json_object_object_add(o, "config", json_object_get(st->config));
    const char *text =
        json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    char path[4200];
    snprintf(path, sizeof(path), "%s/state.json", st->dir);
    /* /run is a tmpfs: no fsync, a reboot takes it all anyway */
    int r = md_write_file_atomic(path, text, strlen(text), 0600, 0, err);
    json_object_put(o);
    return r;
}

uint64_t runc_proc_start(pid_t pid, char *state_char)
{
    struct md_proc_stat st;
    if (md_proc_stat_read(pid, &st) < 0) return 0;
    if (state_char) *state_char = st.state;
    return st.starttime;
}

static int init_alive(struct runc_state *st)
{
    char c = 0;
    if (st->pid <= 0) return 0;
    uint64_t s = runc_proc_start(st->pid, &c);
    return s != 0 && s == st->start && c != 'Z' && c != 'X';
}

enum runc_status runc_status(struct runc_state *st)
{
    if (!init_alive(st)) return RUNC_STOPPED;
    char fifo[4200];
    snprintf(fifo, sizeof(fifo), "%s/exec.fifo", st->dir);
    if (access(fifo, F_OK) == 0) return RUNC_CREATED;
    return st->paused ? RUNC_PAUSED : RUNC_RUNNING;
}

const char *runc_status_name(enum runc_status s)
{
    static const char *const n[] = {"creating", "created", "running", "paused", "stopped"};
    return n[s];
}

int runc_pidfd(struct runc_state *st)
{
    if (!init_alive(st)) return -1;
    int fd = (int)syscall(SYS_pidfd_open, st->pid, 0);
    /* checked again once we hold the pidfd: the pid cannot be recycled now */
    if (fd >= 0 && !init_alive(st)) {
        close(fd);
        return -1;
    }
    return fd;
}

struct json_object *runc_state_json(struct runc_state *st)
{
    enum runc_status s = runc_status(st);
    struct json_object *o = json_object_new_object(), *ann = NULL;
    json_object_object_add(o, "ociVersion", json_object_new_string("1.0.2"));
    json_object_object_add(o, "id", json_object_new_string(st->id));
    json_object_object_add(o, "pid", json_object_new_int(s == RUNC_STOPPED ? 0 : st->pid));
    json_object_object_add(o, "status", json_object_new_string(runc_status_name(s)));
    json_object_object_add(o, "bundle", json_object_new_string(st->bundle ? st->bundle : ""));
    json_object_object_add(o, "rootfs", json_object_new_string(st->rootfs ? st->rootfs : ""));
    json_object_object_add(o, "created", json_object_new_string(st->created ? st->created : ""));
    if (st->config && json_object_object_get_ex(st->config, "annotations", &ann))
        json_object_object_add(o, "annotations", json_object_get(ann));
    json_object_object_add(o, "owner", json_object_new_string(""));
    return o;
}

int runc_write_pid_file(const char *path, pid_t pid, md_error_t **err)
{
    char buf[16];
    int n = snprintf(buf, sizeof(buf), "%d", (int)pid);
    return md_write_file_atomic(path, buf, (size_t)n, 0644, 0, err);
}

int runc_send_console(const char *path, int fd, md_error_t **err)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(sa.sun_path))
        return md_error(err, ENAMETOOLONG, "console socket %s", path);
    strcpy(sa.sun_path, path);
    cleanup_close int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0)
        return md_error(err, errno, "connect to console socket %s", path);
    /* the payload is the terminal's name, as runc sends it */
    char name[] = "/dev/ptmx";
    struct iovec iov = {name, sizeof(name) - 1};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    memset(&u, 0, sizeof(u));
    struct msghdr mh = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof(int));
    if (sendmsg(s, &mh, MSG_NOSIGNAL) < 0)
        return md_error(err, errno, "send the console to %s", path);
    return 0;
}

/* SIGKILL the init and wait (up to ~10 s) until it is gone; a paused
 * container is thawed by the cgroup's removal, which kills what is left. */
static void kill_init(struct runc_state *st)
{
    cleanup_close int pidfd = runc_pidfd(st);
    if (pidfd < 0) return;
    syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
    if (st->paused && st->cgroup) {
        md_cgroup_t *cg = NULL;
        md_error_t *e = NULL;
        if (md_cgroup_open(NULL, st->cgroup, MD_CGROUP_AUTO, &cg, &e) == 0)
            md_cgroup_freeze(cg, 0, &e);
        md_error_free(&e);
        md_cgroup_free(cg);
    }
    struct pollfd p = {pidfd, POLLIN, 0};
    while (poll(&p, 1, 10000) < 0 && errno == EINTR)
        ;
}

int runc_destroy(struct runc_state *st, md_error_t **err)
{
    kill_init(st);
    if (st->cgroup && md_cgroup_setup_finish(st->cgroup, NULL) < 0)
        return md_error(err, EBUSY, "remove cgroup %s", st->cgroup);
    struct json_object *hooks = NULL, *ann = NULL;
    json_object_object_get_ex(st->config, "hooks", &hooks);
    json_object_object_get_ex(st->config, "annotations", &ann);
    struct md_hook_state hs = {
        .id = st->id, .bundle = st->bundle, .status = "stopped", .annotations = ann};
    md_error_t *herr = NULL;
    /* the spec: a failing poststop hook is a warning, the deletion goes on */
    if (md_hooks_run(hooks, "poststop", &hs, &herr) < 0) {
        runc_log("warning", "%s", herr->msg);
        fprintf(stderr, "%s: warning: %s\n", md_progname, herr->msg);
        md_error_free(&herr);
    }
    return md_rm_rf(st->dir, err);
}
