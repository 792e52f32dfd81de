#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cli/run_opts.h"
#include "engine/run.h"
#include "engine/start.h"
#include "store/ctr.h"

/* -a without a stream: docker shows the container's output only on the attached
 * ones (the log keeps both); our own messages still reach the real stderr */
struct detached_fds {
    int saved[3];
};

static void attach_streams(const struct md_run_opts *o, struct detached_fds *d)
{
    static const int bit[3] = {MD_ATTACH_STDIN, MD_ATTACH_STDOUT, MD_ATTACH_STDERR};
    for (int fd = 0; fd < 3; fd++) {
        d->saved[fd] = -1;
        if (o->attach == 0 || (o->attach & bit[fd])) continue;
        int null = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY | O_CLOEXEC);
        d->saved[fd] = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (null >= 0) dup2(null, fd);
        if (null >= 0) close(null);
    }
}

static void restore_streams(struct detached_fds *d)
{
    fflush(stdout);
    for (int fd = 0; fd < 3; fd++)
        if (d->saved[fd] >= 0) {
            dup2(d->saved[fd], fd);
            close(d->saved[fd]);
        }
}

/* --detach-keys, --sig-proxy=false: the container must outlive this client, so it runs
 * under a monitor and this process attaches to it, as docker's CLI does to the daemon (the
 * default path keeps the container our child: one process less on every run) */
static int through_monitor(const struct md_run_opts *o)
{
    return !o->detach && (o->detach_keys || (o->sig_proxy_set && !o->sig_proxy));
}

static int attached_session(struct md_run_opts *o, const char *id, struct md_attach_conn *conn)
{
    struct md_ctr *c = NULL;
    md_error_t *err = NULL;
    if (md_ctr_load_id(id, &c, &err) < 0) md_error_free(&err); /* --rm may have taken it */
    struct md_attach_req req = {.sock = conn->sock,
                                .tty = o->tty,
                                .no_stdin = !o->interactive,
                                .sig_proxy = !o->sig_proxy_set || o->sig_proxy,
                                .keys = o->detach_keys,
                                .c = c};
    int code = c ? md_attach_started(&req, conn) : (md_attach_conn_close(conn), 0);
    md_ctr_free(c);
    return code;
}

int cmd_run(int argc, char **argv)
{
    struct md_run_opts o;
    md_error_t *err = NULL;
    int r = md_run_opts_parse(argc, argv, &o, &err);
    if (r == 1) {
        md_run_opts_free(&o);
        return 0;
    }
    o.warn = md_cli_warn;
    char id[65];
    struct md_cidfile cid = {.fd = -1};
    if (r == 0) r = md_run_opts_check_tty(&o, &err);
    if (r == 0) r = md_cidfile_open(&cid, &o, &err);
    if (r == 0 && o.attach && !(o.attach & MD_ATTACH_STDIN)) o.interactive = 0;
    struct detached_fds saved;
    attach_streams(&o, &saved);
    struct md_attach_conn conn = {-1, -1};
    if (through_monitor(&o)) o.monitor_conn = &conn;
    if (r == 0) r = md_cli_create_pulling(&o, id, md_engine_run, &err);
    if (r == 0 && o.monitor_conn) r = attached_session(&o, id, &conn);
    restore_streams(&saved);
    md_cidfile_close(&cid);
    if (r == 0 && o.detach) printf("%s\n", id);
    md_run_opts_free(&o);
    fflush(stdout);
    return r < 0 ? md_error_report(&err) : r;
}
