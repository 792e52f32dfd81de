/* mydocker-api: `mydocker system service [--time SECONDS] [unix:///path | tcp://127.0.0.1:PORT]`.
 * libmicrohttpd serves the socket (a thread per connection: wait, logs and attach block; the
 * connection upgrade attach needs); the server exits after --time seconds without a connection
 * (0: never). Containers live under their monitors, not under this process. */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include "api/api.h"
#include "engine/start.h"
#include "store/ctr.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/paths.h"
#include "util/proc.h"

static atomic_int active;
static atomic_llong last_seen;
static volatile sig_atomic_t stop;

static long long now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    (void)cls, (void)c, (void)socket_context;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) active++;
    if (code == MHD_CONNECTION_NOTIFY_CLOSED) active--;
    last_seen = now_s();
}

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static struct stat bound; /* the socket file this server made */

static int listen_unix(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(sa.sun_path)) return -ENAMETOOLONG;
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
    char dir[sizeof(sa.sun_path)];
    snprintf(dir, sizeof(dir), "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) *slash = '\0', md_mkdir_p(dir, 0755, NULL);
    unlink(path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    /* the socket is root's: whoever may use it may run any container (docker's docker.sock) */
    mode_t old = umask(0077);
    int r = fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 64) < 0;
    umask(old);
    if (r) {
        int e = errno;
        if (fd >= 0) close(fd);
        return -e;
    }
    stat(path, &bound);
    return fd;
}

/* the socket file only if it is still this server's: a second server on the same path (it
 * unlinked ours and made its own) keeps its socket when the first one goes */
static void unlink_own(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0 && st.st_ino == bound.st_ino && st.st_dev == bound.st_dev)
        unlink(path);
}

/* tcp://127.0.0.1:PORT only: the API is root on this machine, never on the network */
static int listen_tcp(const char *addr)
{
    const char *colon = strrchr(addr, ':');
    if (colon == NULL || strncmp(addr, "127.0.0.1:", 10) != 0) return -EINVAL;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(colon + 1))};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    if (fd < 0) return -errno;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 64) < 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    return fd;
}

static int usage(FILE *f)
{
    fputs("Usage:  mydocker system service [OPTIONS] [URI]\n\n"
          "Serve the Docker Engine API (unix:///run/mydocker/docker.sock by default)\n\n"
          "Options:\n  -t, --time int   Seconds without a connection before exiting, 0 for "
          "never (default 5)\n",
          f);
    return f == stdout ? 0 : MD_EXIT_ENGINE;
}

int main(int argc, char **argv)
{
    md_progname = "mydocker";
    long idle = 5;
    const char *uri = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return usage(stdout);
        if ((!strcmp(argv[i], "--time") || !strcmp(argv[i], "-t")) && i + 1 < argc) {
            char *end;
            idle = strtol(argv[++i], &end, 10);
            if (*end || idle < 0)
                return fprintf(stderr, "mydocker: invalid --time %s\n", argv[i]), MD_EXIT_ENGINE;
        } else if (!strncmp(argv[i], "--time=", 7)) {
            idle = atol(argv[i] + 7);
        } else if (argv[i][0] == '-' || uri) {
            return usage(stderr);
        } else {
            uri = argv[i];
        }
    }
    char def[4200];
    snprintf(def, sizeof(def), "unix://%s/docker.sock", md_run_root());
    if (uri == NULL) uri = def;
    /* systemd's socket activation (docs/api.md): the listening socket is fd 3 */
    const char *lfds = getenv("LISTEN_FDS"), *lpid = getenv("LISTEN_PID");
    int activated = lfds && lpid && atoi(lfds) == 1 && atoi(lpid) == (int)getpid();
    int fd = activated                         ? 3
             : strncmp(uri, "unix://", 7) == 0 ? listen_unix(uri + 7)
             : strncmp(uri, "tcp://", 6) == 0  ? listen_tcp(uri + 6)
                                               : -EINVAL;
    if (fd < 0) {
        fprintf(stderr, "mydocker: cannot listen on %s: %s\n", uri,
                fd == -EINVAL ? "unix:///path or tcp://127.0.0.1:PORT" : strerror(-fd));
        return MD_EXIT_ENGINE;
    }
    signal(SIGPIPE, SIG_IGN);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    last_seen = now_s();
    /* a thread per connection: forked helpers exec mydocker before any library code */
    char *self = md_engine_binary();
    md_set_helper_binary(self);
    /* from this thread, which lives as long as the server (the helper's PR_SET_PDEATHSIG) */
    md_engine_start_helper_spawn(self);
    md_ctr_summary_cache_enable(); /* each list reads every summary */
    free(self);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_ALLOW_UPGRADE, 0,
        NULL, NULL, api_dispatch, NULL, MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_NOTIFY_CONNECTION,
        on_connection, NULL, MHD_OPTION_NOTIFY_COMPLETED, api_request_done, NULL,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)0, MHD_OPTION_END);
    if (d == NULL) {
        fprintf(stderr, "mydocker: cannot start the API server on %s\n", uri);
        return MD_EXIT_ENGINE;
    }
    while (!stop && (idle == 0 || active > 0 || now_s() - last_seen < idle))
        usleep(100000);
    /* not MHD_stop_daemon: it joins every connection's thread, and a client's wait or attach may
     * block for as long as its container lives; the server holds no state, so it just goes */
    if (!activated && strncmp(uri, "unix://", 7) == 0) unlink_own(uri + 7);
    _exit(0);
}
