/* exec: docker's create / start (the upgrade) / inspect / resize. An exec is `mydocker exec`
 * run by the server, its stdio the hijacked connection's: a pty relayed raw with Tty, else
 * pipes relayed as docker's 8-byte frames. Exec instances live in this process, as dockerd's
 * live in the daemon. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "api/api.h"
#include "engine/start.h"
#include "store/cstore.h"
#include "store/ctr.h"
#include "util/cleanup.h"
#include "util/strv.h"
#include "util/xalloc.h"

struct exec {
    char id[65], ctr[65];
    char **argv; /* mydocker exec FLAGS CTR CMD... */
    int tty, in, running, has_code, code, master;
    pid_t pid;
    struct exec *next;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct exec *execs;

static struct exec *find(const char *id)
{
    for (struct exec *e = execs; e; e = e->next)
        if (strcmp(e->id, id) == 0) return e;
    return NULL;
}

static void add_flag(char ***v, const char *flag, struct json_object *val)
{
    if (val == NULL || json_object_get_string(val)[0] == '\0') return;
    md_strv_append(v, flag);
    md_strv_append(v, json_object_get_string(val));
}

static char **exec_argv(struct json_object *b, const char *ctr, struct exec *e)
{
    struct json_object *v = NULL, *cmd = NULL;
    char **argv = md_strv_dup(NULL);
    cleanup_free char *self = md_engine_binary();
    md_strv_append(&argv, self ? self : "mydocker");
    md_strv_append(&argv, "exec");
    e->in = json_object_object_get_ex(b, "AttachStdin", &v) && json_object_get_boolean(v);
    e->tty = json_object_object_get_ex(b, "Tty", &v) && json_object_get_boolean(v);
    if (e->in) md_strv_append(&argv, "-i");
    if (e->tty) md_strv_append(&argv, "-t");
    if (json_object_object_get_ex(b, "Privileged", &v) && json_object_get_boolean(v))
        md_strv_append(&argv, "--privileged");
    add_flag(&argv, "-u", json_object_object_get_ex(b, "User", &v) ? v : NULL);
    add_flag(&argv, "-w", json_object_object_get_ex(b, "WorkingDir", &v) ? v : NULL);
    struct json_object *env = NULL;
    json_object_object_get_ex(b, "Env", &env);
    for (size_t i = 0; env && i < json_object_array_length(env); i++)
        add_flag(&argv, "-e", json_object_array_get_idx(env, i));
    md_strv_append(&argv, ctr);
    json_object_object_get_ex(b, "Cmd", &cmd);
    for (size_t i = 0; cmd && i < json_object_array_length(cmd); i++)
        md_strv_append(&argv, json_object_get_string(json_object_array_get_idx(cmd, i)));
    return argv;
}

enum MHD_Result api_exec_create(struct api_req *r)
{
    struct md_ctr *c = NULL;
    md_error_t *err = NULL;
    if (md_ctr_load(r->id, &c, &err) < 0) {
        md_error_free(&err);
        return api_error(r, MHD_HTTP_NOT_FOUND, "No such container: %s", r->id);
    }
    int running = c->status == MD_CTR_RUNNING;
    struct exec *e = calloc(1, sizeof(*e));
    if (e == NULL) md_oom();
    snprintf(e->ctr, sizeof(e->ctr), "%s", c->id);
    md_ctr_free(c);
    if (!running) {
        free(e);
        return api_error(r, MHD_HTTP_CONFLICT, "Container %s is not running", r->id);
    }
    struct json_object *b = json_tokener_parse(r->body), *cmd = NULL;
    if (b == NULL || !json_object_object_get_ex(b, "Cmd", &cmd) ||
        json_object_array_length(cmd) == 0) {
        json_object_put(b);
        free(e);
        return api_error(r, MHD_HTTP_BAD_REQUEST, "No exec command specified");
    }
    e->argv = exec_argv(b, e->ctr, e);
    json_object_put(b);
    e->master = -1;
    md_new_container_id(e->id, NULL);
    pthread_mutex_lock(&mu);
    e->next = execs;
    execs = e;
    pthread_mutex_unlock(&mu);
    struct json_object *doc = json_object_new_object();
    json_object_object_add(doc, "Id", json_object_new_string(e->id));
    return api_json(r, MHD_HTTP_CREATED, doc);
}

/* the child: stdio from fds[0..2], then `mydocker exec` */
static void child(struct exec *e, int fds[3])
{
    setsid();
    if (e->tty) ioctl(fds[0], TIOCSCTTY, 0);
    for (int i = 0; i < 3; i++)
        dup2(fds[i], i);
    signal(SIGPIPE, SIG_DFL);
    execv(e->argv[0], e->argv);
    _exit(126);
}

static void frame_to(int sock, int stream, const char *buf, size_t n)
{
    unsigned char h[8] = {(unsigned char)stream,
                          0,
                          0,
                          0,
                          (unsigned char)(n >> 24),
                          (unsigned char)(n >> 16),
                          (unsigned char)(n >> 8),
                          (unsigned char)n};
    send(sock, h, 8, MSG_NOSIGNAL);
    send(sock, buf, n, MSG_NOSIGNAL);
}

/* sock <-> the exec: raw over a pty, else frames from the stdout/stderr pipes */
static void relay(struct exec *e, int sock, int in_w, int out_r, int err_r)
{
    char buf[65536];
    int in_open = in_w >= 0;
    for (;;) {
        struct pollfd p[3] = {
            {out_r, POLLIN, 0}, {err_r, POLLIN, 0}, {in_open ? sock : -1, POLLIN, 0}};
        if (out_r < 0 && err_r < 0) return;
        if (poll(p, 3, -1) < 0) {
            if (errno == EINTR) continue;
            return;
        }
        for (int s = 0; s < 2; s++) {
            if (!p[s].revents) continue;
            ssize_t n = read(p[s].fd, buf, sizeof(buf));
            if (n <= 0) {
                if (s == 0)
                    out_r = -1;
                else
                    err_r = -1;
                continue;
            }
            if (e->tty)
                send(sock, buf, (size_t)n, MSG_NOSIGNAL);
            else
                frame_to(sock, s + 1, buf, (size_t)n);
        }
        if (p[2].revents) {
            ssize_t n = read(sock, buf, sizeof(buf));
            if (n <= 0) {
                in_open = 0;
                if (!e->tty) close(in_w);
            } else if (write(in_w, buf, (size_t)n) < 0) {
                in_open = 0;
            }
        }
    }
}

static int run_exec(struct exec *e, int sock)
{
    int fds[3], in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1}, slave = -1;
    if (e->tty) {
        if (openpty(&e->master, &slave, NULL, NULL, NULL) < 0) return -1;
        fds[0] = fds[1] = fds[2] = slave;
    } else {
        if ((e->in && pipe2(in, O_CLOEXEC) < 0) || pipe2(out, O_CLOEXEC) < 0 ||
            pipe2(err, O_CLOEXEC) < 0) {
            int *ends[] = {in, out, err}; /* this server lives on: nothing leaks */
            for (int k = 0; k < 3; k++)
                for (int j = 0; j < 2; j++)
                    if (ends[k][j] >= 0) close(ends[k][j]);
            return -1;
        }
        fds[0] = e->in ? in[0] : open("/dev/null", O_RDONLY | O_CLOEXEC);
        fds[1] = out[1];
        fds[2] = err[1];
    }
    pid_t pid = fork();
    if (pid == 0) child(e, fds);
    pthread_mutex_lock(&mu);
    e->pid = pid;
    e->running = pid > 0;
    pthread_mutex_unlock(&mu);
    if (e->tty) {
        close(slave);
        relay(e, sock, e->in ? e->master : -1, e->master, -1);
    } else {
        close(fds[0]), close(out[1]), close(err[1]);
        relay(e, sock, in[1], out[0], err[0]);
        close(out[0]), close(err[0]);
        if (in[1] >= 0) close(in[1]);
    }
    int st = 0;
    if (pid > 0) waitpid(pid, &st, 0);
    pthread_mutex_lock(&mu);
    e->running = 0;
    e->has_code = 1;
    e->code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    if (e->master >= 0) close(e->master);
    e->master = -1;
    pthread_mutex_unlock(&mu);
    return 0;
}

static void on_upgrade(void *cls, struct MHD_Connection *conn, void *con_cls, const char *extra,
                       size_t extra_len, MHD_socket sock, struct MHD_UpgradeResponseHandle *urh)
{
    (void)conn, (void)con_cls, (void)extra, (void)extra_len;
    run_exec(cls, sock);
    MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
}

enum MHD_Result api_exec_start(struct api_req *r)
{
    pthread_mutex_lock(&mu);
    struct exec *e = find(r->id);
    int started = e && (e->running || e->has_code);
    pthread_mutex_unlock(&mu);
    if (e == NULL) return api_error(r, MHD_HTTP_NOT_FOUND, "No such exec instance: %s", r->id);
    if (started) return api_error(r, MHD_HTTP_CONFLICT, "Exec %s has already been started", r->id);
    struct json_object *b = json_tokener_parse(r->body), *v = NULL;
    int detach = b && json_object_object_get_ex(b, "Detach", &v) && json_object_get_boolean(v);
    json_object_put(b);
    if (detach) {
        /* mydocker exec -d: the process runs on, this server keeps nothing of it */
        char **argv = md_strv_dup(NULL);
        for (size_t i = 0; e->argv[i]; i++) {
            if (i >= 2 && (!strcmp(e->argv[i], "-i") || !strcmp(e->argv[i], "-t"))) continue;
            md_strv_append(&argv, e->argv[i]);
            if (i == 1) md_strv_append(&argv, "-d");
        }
        pid_t pid = fork();
        if (pid == 0) {
            int null = open("/dev/null", O_RDWR);
            for (int i = 0; i < 3; i++)
                dup2(null, i);
            execv(argv[0], argv);
            _exit(126);
        }
        int st = 0;
        if (pid > 0) waitpid(pid, &st, 0);
        md_strv_free(argv);
        return api_empty(r, MHD_HTTP_OK);
    }
    return api_upgrade(r, on_upgrade, e);
}

enum MHD_Result api_exec_inspect(struct api_req *r)
{
    pthread_mutex_lock(&mu);
    struct exec *e = find(r->id);
    if (e == NULL) {
        pthread_mutex_unlock(&mu);
        return api_error(r, MHD_HTTP_NOT_FOUND, "No such exec instance: %s", r->id);
    }
    struct json_object *d = json_object_new_object(), *pc = json_object_new_object();
    json_object_object_add(d, "ID", json_object_new_string(e->id));
    json_object_object_add(d, "ContainerID", json_object_new_string(e->ctr));
    json_object_object_add(d, "Running", json_object_new_boolean(e->running));
    json_object_object_add(d, "ExitCode", e->has_code ? json_object_new_int(e->code) : NULL);
    json_object_object_add(d, "OpenStdin", json_object_new_boolean(e->in));
    json_object_object_add(d, "Pid", json_object_new_int(e->running ? e->pid : 0));
    json_object_object_add(pc, "tty", json_object_new_boolean(e->tty));
    json_object_object_add(d, "ProcessConfig", pc);
    pthread_mutex_unlock(&mu);
    return api_json(r, MHD_HTTP_OK, d);
}

enum MHD_Result api_exec_resize(struct api_req *r)
{
    pthread_mutex_lock(&mu);
    struct exec *e = find(r->id);
    const char *h = api_query(r, "h"), *w = api_query(r, "w");
    if (e && e->master >= 0 && h && w) {
        struct winsize ws = {.ws_row = (unsigned short)atoi(h), .ws_col = (unsigned short)atoi(w)};
        ioctl(e->master, TIOCSWINSZ, &ws);
    }
    pthread_mutex_unlock(&mu);
    if (e == NULL) return api_error(r, MHD_HTTP_NOT_FOUND, "No such exec instance: %s", r->id);
    return api_empty(r, MHD_HTTP_OK);
}
