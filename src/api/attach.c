/* attach (the connection upgrade docker's clients use) and wait. An attach to a container that
 * is not running yet registers a session before its 101 goes out; the start then goes through
 * the monitor with a connection made before the container runs (md_engine_start_attached), so
 * the client sees the output from its first byte, and the exit code the monitor hands over
 * reaches wait (the container may be gone by then: --rm). */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "api/api.h"
#include "engine/lifecycle.h"
#include "engine/start.h"
#include "store/cstore.h"
#include "store/ctr.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"

enum { WAITING, STARTED, DONE };

struct session {
    char id[65];
    int state, want_stdin, exit_code, has_code;
    struct md_attach_conn conn;
    time_t done_at;
    struct session *next;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static struct session *sessions;

/* finished sessions are kept a minute for a late wait */
static void reap_locked(void)
{
    time_t now = time(NULL);
    for (struct session **p = &sessions; *p;) {
        if ((*p)->state == DONE && now - (*p)->done_at > 60) {
            struct session *s = *p;
            *p = s->next;
            free(s);
        } else {
            p = &(*p)->next;
        }
    }
}

static struct session *find_locked(const char *id, int state)
{
    for (struct session *s = sessions; s; s = s->next)
        if (strcmp(s->id, id) == 0 && (state < 0 || s->state == state)) return s;
    return NULL;
}

int api_session_start(const char *id, int *handled, char **errmsg)
{
    pthread_mutex_lock(&mu);
    struct session *s = find_locked(id, WAITING);
    *handled = s != NULL;
    int r = 0;
    if (s) {
        struct md_ctr *c = NULL;
        md_error_t *err = NULL;
        r = md_ctr_load_id(id, &c, &err);
        if (r == 0) r = md_engine_start_attached(c, &s->conn, &err);
        if (r < 0) *errmsg = md_xstrdup(err && err->msg ? err->msg : "start failed");
        md_error_free(&err);
        md_ctr_free(c);
        s->state = r < 0 ? DONE : STARTED;
        s->done_at = time(NULL);
        pthread_cond_broadcast(&cv);
    }
    pthread_mutex_unlock(&mu);
    return r;
}

int api_session_wait_known(const char *ref)
{
    pthread_mutex_lock(&mu);
    int known = 0;
    for (struct session *s = sessions; s && !known; s = s->next)
        known = strncmp(s->id, ref, strlen(ref)) == 0;
    pthread_mutex_unlock(&mu);
    return known;
}

int api_session_wait(const char *id, int *code)
{
    pthread_mutex_lock(&mu);
    struct session *s = find_locked(id, -1);
    while (s && !s->has_code && s->state != DONE)
        pthread_cond_wait(&cv, &mu);
    int r = s && s->has_code ? 0 : -1;
    if (r == 0) *code = s->exit_code;
    pthread_mutex_unlock(&mu);
    return r;
}

/* bytes both ways until the monitor closes; the client's end of input half-closes ours */
static void relay(int client, int mon, int want_stdin, const char *extra, size_t extra_len)
{
    char buf[65536];
    int in_open = want_stdin;
    if (want_stdin && extra_len) (void)!write(mon, extra, extra_len);
    for (;;) {
        struct pollfd p[2] = {{mon, POLLIN, 0}, {in_open ? client : -1, POLLIN, 0}};
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR) continue;
            return;
        }
        if (p[1].revents) {
            ssize_t n = read(client, buf, sizeof(buf));
            if (n <= 0) {
                in_open = 0;
                shutdown(mon, SHUT_WR);
            } else if (send(mon, buf, (size_t)n, MSG_NOSIGNAL) < 0) {
                in_open = 0;
            }
        }
        if (p[0].revents) {
            ssize_t n = read(mon, buf, sizeof(buf));
            if (n <= 0) return;
            for (ssize_t off = 0; off < n;) {
                ssize_t w = send(client, buf + off, (size_t)(n - off), MSG_NOSIGNAL);
                if (w <= 0) return;
                off += w;
            }
        }
    }
}

static int connect_monitor(const char *rundir)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/attach.sock", rundir);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

struct upgrade_ctx {
    char id[65];
    char *rundir;
    int want_stdin, running;
    struct session *s;
};

static void on_upgrade(void *cls, struct MHD_Connection *conn, void *con_cls, const char *extra,
                       size_t extra_len, MHD_socket sock, struct MHD_UpgradeResponseHandle *urh)
{
    (void)conn, (void)con_cls;
    struct upgrade_ctx *u = cls;
    if (u->running) {
        int mon = connect_monitor(u->rundir);
        if (mon >= 0) relay(sock, mon, u->want_stdin, extra, extra_len);
        if (mon >= 0) close(mon);
    } else {
        struct session *s = u->s;
        pthread_mutex_lock(&mu);
        while (s->state == WAITING) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += 200000000;
            if (until.tv_nsec >= 1000000000) until.tv_sec++, until.tv_nsec -= 1000000000;
            pthread_cond_timedwait(&cv, &mu, &until);
            /* a client that left before the start: the session ends, the connection closes */
            struct pollfd p = {sock, POLLRDHUP, 0};
            if (s->state == WAITING && poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP))) {
                s->state = DONE;
                s->done_at = time(NULL);
                pthread_cond_broadcast(&cv);
            }
        }
        pthread_mutex_unlock(&mu);
        if (s->conn.sock >= 0) relay(sock, s->conn.sock, u->want_stdin, extra, extra_len);
        int code = s->conn.exit_fd >= 0 ? md_attach_conn_status(&s->conn) : -1;
        md_attach_conn_close(&s->conn);
        pthread_mutex_lock(&mu);
        s->exit_code = code;
        s->has_code = code >= 0;
        s->state = DONE;
        s->done_at = time(NULL);
        pthread_cond_broadcast(&cv);
        pthread_mutex_unlock(&mu);
    }
    MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
    free(u->rundir);
    free(u);
}

enum MHD_Result api_container_attach(struct api_req *r)
{
    struct md_ctr *c = NULL;
    md_error_t *err = NULL;
    if (md_ctr_load(r->id, &c, &err) < 0) {
        md_error_free(&err);
        return api_error(r, MHD_HTTP_NOT_FOUND, "No such container: %s", r->id);
    }
    if (!api_query_bool(r, "stream", 0)) {
        md_ctr_free(c);
        return api_error(r, MHD_HTTP_BAD_REQUEST, "attach without stream=1 is not supported");
    }
    struct upgrade_ctx *u = calloc(1, sizeof(*u));
    if (u == NULL) md_oom();
    snprintf(u->id, sizeof(u->id), "%s", c->id);
    u->rundir = md_xstrdup(c->rundir);
    u->want_stdin = api_query_bool(r, "stdin", 0);
    u->running = c->status == MD_CTR_RUNNING || c->status == MD_CTR_PAUSED;
    md_ctr_free(c);
    if (!u->running) {
        /* before the 101: a wait right behind it finds the session */
        struct session *s = calloc(1, sizeof(*s));
        if (s == NULL) md_oom();
        snprintf(s->id, sizeof(s->id), "%s", u->id);
        s->conn = (struct md_attach_conn){-1, -1};
        s->exit_code = -1;
        s->want_stdin = u->want_stdin;
        pthread_mutex_lock(&mu);
        reap_locked();
        s->next = sessions;
        sessions = s;
        pthread_mutex_unlock(&mu);
        u->s = s;
    }
    return api_upgrade(r, on_upgrade, u);
}

struct waiter {
    char id[256], ref[256];
    int removed, found, sent;
    int inotify; /* closed once the answer is out (wait_free) */
    char *text;
    size_t len, off;
};

/* the monitor's container-exited removes an --rm container: the docker CLI's run returns
 * right after the answer, so it comes when the record's directory goes (inotify), not on a
 * poll's next tick; at most 5 s. The inotify instance is closed after the answer: its close
 * waits for an SRCU grace period (the kernel's fsnotify_wait_marks_destroyed), 8 ms here */
static void wait_removed(const char *id, int in)
{
    cleanup_free char *dir = md_container_dir(id);
    int watched = dir && in >= 0 && inotify_add_watch(in, dir, IN_DELETE_SELF | IN_MOVE_SELF) >= 0;
    for (int waited = 0; waited < 5000 && dir && md_path_exists(dir);) {
        struct pollfd p = {in, POLLIN, 0};
        int step = watched ? 100 : 1;
        if (poll(&p, watched, step) > 0) {
            char buf[4096];
            (void)!read(in, buf, sizeof(buf));
        }
        waited += step;
    }
}

/* the blocking part of wait, once the headers are out */
static void do_wait(struct waiter *w)
{
    struct md_ctr *c = NULL;
    md_error_t *err = NULL;
    w->found = md_ctr_load(w->ref, &c, &err) == 0;
    md_error_free(&err);
    snprintf(w->id, sizeof(w->id), "%s", w->found ? c->id : w->ref);
    int code = 0;
    if (api_session_wait(w->id, &code) < 0 && w->found) {
        code = md_engine_wait(c, &err);
        md_error_free(&err);
    }
    if (w->found && w->removed) {
        w->inotify = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        wait_removed(w->id, w->inotify);
    }
    md_ctr_free(c);
    if (asprintf(&w->text, "{\"Error\":null,\"StatusCode\":%d}\n", code) < 0) md_oom();
    w->len = strlen(w->text);
}

static ssize_t wait_body(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct waiter *w = cls;
    (void)pos;
    if (w->text == NULL) do_wait(w);
    if (w->off >= w->len) return MHD_CONTENT_READER_END_OF_STREAM;
    size_t n = w->len - w->off < max ? w->len - w->off : max;
    memcpy(buf, w->text + w->off, n);
    w->off += n;
    return (ssize_t)n;
}

static void wait_free(void *cls)
{
    struct waiter *w = cls;
    if (w->inotify >= 0) close(w->inotify);
    free(w->text);
    free(w);
}

/* docker's wait: the headers at once (the docker CLI starts the container only after they
 * came), {"StatusCode": N} when it ends; condition=removed waits for --rm's removal too */
enum MHD_Result api_container_wait(struct api_req *r)
{
    struct md_ctr *c = NULL;
    md_error_t *err = NULL;
    if (md_ctr_load(r->id, &c, &err) < 0 && api_session_wait_known(r->id) == 0) {
        md_error_free(&err);
        return api_error(r, MHD_HTTP_NOT_FOUND, "No such container: %s", r->id);
    }
    md_error_free(&err);
    md_ctr_free(c);
    struct waiter *w = calloc(1, sizeof(*w));
    if (w == NULL) md_oom();
    w->inotify = -1;
    snprintf(w->ref, sizeof(w->ref), "%s", r->id);
    const char *cond = api_query(r, "condition");
    w->removed = cond && strcmp(cond, "removed") == 0;
    return api_stream(r, "application/json", wait_body, w, wait_free);
}
