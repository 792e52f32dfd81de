/* Layer unpacking workers. A worker is a forked child: libarchive's
 * extraction works relative to the process cwd (see layer.c), so two layers
 * cannot be unpacked on two threads of one process, but two processes can. */
#include "unpack.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/wait.h>
#include <unistd.h>

#include "image/store.h"
#include "layer.h"
#include "util/cleanup.h"
#include "util/fs.h"

struct decomp {
    int in_fd, out_fd, rc;
    char hex[MD_SHA256_HEX_LEN + 1];
    long long size;
    md_error_t *err;
};

static void *decomp_main(void *arg)
{
    struct decomp *d = arg;
    d->rc = md_layer_decompress(d->in_fd, d->out_fd, d->hex, &d->size, &d->err);
    close(d->out_fd);
    return NULL;
}

/* Read what the extractor left unread (the tar's trailing zero blocks), so the
 * decompressor hashes the whole stream. */
static void drain(int fd)
{
    char buf[65536];
    while (read(fd, buf, sizeof(buf)) > 0)
        ;
}

int md_unpack_blob(int blob_fd, const char *diff_id, char **dir,
                   char diff_hex[MD_SHA256_HEX_LEN + 1], md_error_t **err)
{
    int p[2];
    *dir = NULL;
    if (pipe2(p, O_CLOEXEC) < 0) return md_error(err, errno, "pipe");
    if (lseek(blob_fd, 0, SEEK_SET) < 0) {
        close(p[0]), close(p[1]);
        return md_error(err, errno, "seek layer blob");
    }
    struct decomp d = {.in_fd = blob_fd, .out_fd = p[1]};
    pthread_t th;
    if (pthread_create(&th, NULL, decomp_main, &d) != 0) {
        close(p[0]), close(p[1]);
        return md_error(err, EAGAIN, "thread");
    }
    int r = md_layer_unpack_tmp(p[0], dir, err);
    drain(p[0]);
    close(p[0]);
    pthread_join(th, NULL);
    if (r == 0 && d.rc < 0) {
        r = d.rc;
        if (err) *err = d.err, d.err = NULL;
    }
    md_error_free(&d.err);
    if (r == 0 && diff_id && strcmp(d.hex, diff_id + 7) != 0)
        r = md_error(err, 0, "layer %s: uncompressed content has digest sha256:%s", diff_id, d.hex);
    if (r == 0 && diff_hex) memcpy(diff_hex, d.hex, sizeof(d.hex));
    if (r < 0 && *dir) {
        md_rm_rf(*dir, NULL);
        free(*dir);
        *dir = NULL;
    }
    return r;
}

/* Worker: unpack, then rename the dir to carry the parent's pid, and report
 * "OK <path>" or the error message on the status pipe. */
static void worker(int blob_fd, const char *diff_id, pid_t parent, int status_fd)
{
    signal(SIGPIPE, SIG_IGN);
    md_error_t *err = NULL;
    cleanup_free char *dir = NULL;
    int r = md_unpack_blob(blob_fd, diff_id, &dir, NULL, &err);
    char final[PATH_MAX], base[PATH_MAX];
    if (r == 0 && (md_image_path(base, sizeof(base), "layers") < 0 ||
                   snprintf(final, sizeof(final), "%s/.tmp-%d-layer-%s", base, (int)parent,
                            diff_id + 7) >= (int)sizeof(final)))
        r = md_error(&err, ENAMETOOLONG, "layer dir");
    if (r == 0) {
        md_rm_rf(final, NULL); /* a leftover of ours from an earlier attempt */
        if (rename(dir, final) < 0) r = md_error(&err, errno, "rename %s", dir);
    }
    if (r < 0 && dir) md_rm_rf(dir, NULL);
    cleanup_free char *msg = NULL;
    if (asprintf(&msg, "%s %s", r == 0 ? "OK" : "ERR",
                 r == 0 ? final
                 : err  ? err->msg
                        : "failed") > 0)
        md_write_all(status_fd, msg, strlen(msg));
    _exit(r == 0 ? 0 : 1);
}

int md_unpack_start(md_unpack_job_t *job, int blob_fd, const char *diff_id, md_error_t **err)
{
    int p[2];
    snprintf(job->diff_id, sizeof(job->diff_id), "%s", diff_id);
    job->dir = NULL;
    if (pipe2(p, O_CLOEXEC) < 0) return md_error(err, errno, "pipe");
    fflush(NULL);
    pid_t parent = getpid(), pid = fork();
    if (pid < 0) {
        close(p[0]), close(p[1]);
        return md_error(err, errno, "fork");
    }
    if (pid == 0) {
        close(p[0]);
        worker(blob_fd, diff_id, parent, p[1]);
    }
    close(p[1]);
    job->pid = pid;
    job->status_fd = p[0];
    return 0;
}

int md_unpack_wait(md_unpack_job_t *job, int nohang, md_error_t **err)
{
    if (job->pid <= 0) return 1;
    int st;
    pid_t w;
    while ((w = waitpid(job->pid, &st, nohang ? WNOHANG : 0)) < 0 && errno == EINTR)
        ;
    if (w == 0) return 0;
    cleanup_free char *msg = NULL;
    size_t len = 0;
    md_read_fd(job->status_fd, &msg, &len, NULL);
    close(job->status_fd);
    job->status_fd = -1;
    job->pid = 0;
    if (w > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 && msg && strncmp(msg, "OK ", 3) == 0) {
        job->dir = strdup(msg + 3);
        return job->dir ? 1 : md_error(err, ENOMEM, "unpack");
    }
    if (msg && strncmp(msg, "ERR ", 4) == 0) return md_error(err, 0, "%s", msg + 4);
    return md_error(err, 0, "unpack %s: worker died", job->diff_id);
}

/* Remove layers/.tmp-<pid>-* left by a killed worker. */
static void remove_temps_of(pid_t pid)
{
    char dir[PATH_MAX], prefix[32], path[PATH_MAX];
    if (md_image_path(dir, sizeof(dir), "layers") < 0) return;
    snprintf(prefix, sizeof(prefix), ".tmp-%d-", (int)pid);
    cleanup_dir DIR *d = opendir(dir);
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL)
        if (strncmp(de->d_name, prefix, strlen(prefix)) == 0 &&
            snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) < (int)sizeof(path))
            md_rm_rf(path, NULL);
}

void md_unpack_abort(md_unpack_job_t *job)
{
    if (job->pid > 0) {
        kill(job->pid, SIGKILL);
        waitpid(job->pid, NULL, 0);
        /* the worker may have finished and renamed its dir to carry our pid
         * just before the kill: its "OK <dir>" is still in the pipe */
        char msg[PATH_MAX + 8];
        ssize_t n = read(job->status_fd, msg, sizeof(msg) - 1);
        if (n > 3 && strncmp(msg, "OK ", 3) == 0) {
            msg[n] = '\0';
            md_rm_rf(msg + 3, NULL);
        }
        close(job->status_fd);
        remove_temps_of(job->pid);
        job->pid = 0;
    }
    if (job->dir) {
        md_rm_rf(job->dir, NULL);
        free(job->dir);
        job->dir = NULL;
    }
}
