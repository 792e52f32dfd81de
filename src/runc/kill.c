/* kill, delete, pause, resume. Signals go through a pidfd opened after
 * checking the init's start time, so a recycled pid is never signalled. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "runc/runc.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/signal.h"

static int open_cgroup(struct runc_state *st, md_cgroup_t **cg, md_error_t **err)
{
    if (st->cgroup == NULL) return md_error(err, 0, "container %s has no cgroup", st->id);
    return md_cgroup_open(NULL, st->cgroup, MD_CGROUP_AUTO, cg, err);
}

static int kill_all(struct runc_state *st, int sig, md_error_t **err)
{
    md_cgroup_t *cg = NULL;
    int r = open_cgroup(st, &cg, err);
    if (r == 0 && sig == SIGKILL) {
        r = md_cgroup_kill_all(cg, err);
    } else if (r == 0) {
        pid_t *pids = NULL;
        size_t n = 0;
        r = md_cgroup_pids(cg, &pids, &n, err);
        for (size_t i = 0; r == 0 && i < n; i++)
            if (kill(pids[i], sig) < 0 && errno != ESRCH)
                r = md_error(err, errno, "kill %d", (int)pids[i]);
        free(pids);
    }
    md_cgroup_free(cg);
    return r;
}

int runc_cmd_kill(int argc, char **argv)
{
    static const struct option opts[] = {{"all", no_argument, NULL, 'a'}, {NULL, 0, NULL, 0}};
    int all = 0, c;
    while ((c = getopt_long_only(argc, argv, "+a", opts, NULL)) != -1) {
        if (c != 'a')
            return runc_usage_error("kill", "flag provided but not defined: %s", argv[optind - 1]);
        all = 1;
    }
    if (argc - optind < 1 || argc - optind > 2)
        return runc_usage_error("kill", "requires 1 or 2 arguments (the container id, the signal)");
    int sig = argc - optind == 2 ? md_signal_parse(argv[optind + 1]) : SIGTERM;
    if (sig < 0) return runc_usage_error("kill", "unknown signal \"%s\"", argv[optind + 1]);
    md_error_t *err = NULL;
    struct runc_state *st = NULL;
    int r = runc_state_load(argv[optind], 0, &st, &err);
    cleanup_close int pidfd = r == 0 ? runc_pidfd(st) : -1;
    if (r == 0 && pidfd < 0 && !all) r = md_error(&err, 0, "container not running");
    if (r == 0 && all)
        r = kill_all(st, sig, &err);
    else if (r == 0 && syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
        r = md_error(&err, errno, "kill container %s", st->id);
    runc_state_free(st);
    return r < 0 ? runc_fail(&err) : 0;
}

int runc_cmd_delete(int argc, char **argv)
{
    static const struct option opts[] = {{"force", no_argument, NULL, 'f'}, {NULL, 0, NULL, 0}};
    int force = 0, c;
    while ((c = getopt_long_only(argc, argv, "+f", opts, NULL)) != -1) {
        if (c != 'f')
            return runc_usage_error("delete", "flag provided but not defined: %s",
                                    argv[optind - 1]);
        force = 1;
    }
    if (optind != argc - 1)
        return runc_usage_error("delete", "requires exactly 1 argument (the container id)");
    const char *id = argv[optind];
    md_error_t *err = NULL;
    struct runc_state *st = NULL;
    int r = runc_state_load(id, 1, &st, &err);
    if (r < 0 && force && runc_valid_id(id, NULL) == 0) {
        /* runc's rule: --force on a missing container succeeds, and removes
         * what an aborted create may have left */
        md_error_free(&err);
        cleanup_free char *dir = runc_dir(id);
        r = md_rm_rf(dir, &err);
        return r < 0 ? runc_fail(&err) : 0;
    }
    if (r == 0) {
        enum runc_status s = runc_status(st);
        if ((s == RUNC_RUNNING || s == RUNC_PAUSED) && !force)
            r = md_error(&err, 0, "cannot delete container %s that is not stopped: %s", id,
                         runc_status_name(s));
    }
    if (r == 0) r = runc_destroy(st, &err);
    runc_state_free(st);
    return r < 0 ? runc_fail(&err) : 0;
}

static int pause_resume(int argc, char **argv, int freeze)
{
    if (argc != 2 || argv[1][0] == '-')
        return runc_usage_error(argv[0], "requires exactly 1 argument (the container id)");
    md_error_t *err = NULL;
    struct runc_state *st = NULL;
    md_cgroup_t *cg = NULL;
    int r = runc_state_load(argv[1], 1, &st, &err);
    if (r == 0) {
        enum runc_status s = runc_status(st);
        if (freeze && s != RUNC_RUNNING && s != RUNC_CREATED)
            r = md_error(&err, 0, "container not running");
        else if (!freeze && s != RUNC_PAUSED)
            r = md_error(&err, 0, "container not paused");
    }
    if (r == 0) r = open_cgroup(st, &cg, &err);
    if (r == 0) r = md_cgroup_freeze(cg, freeze, &err);
    if (r == 0) {
        st->paused = freeze;
        r = runc_state_save(st, &err);
    }
    md_cgroup_free(cg);
    runc_state_free(st);
    return r < 0 ? runc_fail(&err) : 0;
}

int runc_cmd_pause(int argc, char **argv)
{
    return pause_resume(argc, argv, 1);
}

int runc_cmd_resume(int argc, char **argv)
{
    return pause_resume(argc, argv, 0);
}
