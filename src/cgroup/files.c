/* Reading and writing cgroupfs files. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "util/cleanup.h"
#include "util/fs.h"

char *cg_join(const char *a, const char *b)
{
    char *s = NULL;
    if (asprintf(&s, "%s/%s", a, b) < 0) return NULL;
    return s;
}

void cg_usleep(long us)
{
    struct timespec ts = {.tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

int cg_wopen(cg_wfile_t *w, const char *dir, const char *file, md_error_t **err)
{
    w->dir = dir;
    w->file = file;
    cleanup_free char *p = cg_join(dir, file);
    if (p == NULL) return md_error(err, ENOMEM, "open %s/%s", dir, file);
    /* O_TRUNC is meaningless to cgroupfs but lets a fake tree record
     * exactly what one call wrote. */
    w->fd = open(p, O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (w->fd < 0) return md_error(err, errno, "open %s", p);
    return 0;
}

static int wfile_write(cg_wfile_t *w, const char *buf, size_t len, md_error_t **err)
{
    /* cgroupfs takes one record per write(2): never split or merge them. */
    ssize_t n;
    do
        n = write(w->fd, buf, len);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        int e = errno;
        int vl = (int)len;
        while (vl > 0 && buf[vl - 1] == '\n')
            vl--;
        return md_error(err, e, "write '%.*s' to %s/%s", vl, buf, w->dir, w->file);
    }
    return 0;
}

int cg_wline(cg_wfile_t *w, md_error_t **err, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
    va_end(ap);
    if (len < 0 || len >= (int)sizeof(buf) - 1)
        return md_error(err, EINVAL, "write %s/%s: value too long", w->dir, w->file);
    /* Every cgroup file accepts echo's trailing newline; on a fake tree it
     * keeps the records apart. */
    buf[len++] = '\n';
    return wfile_write(w, buf, (size_t)len, err);
}

void cg_wclose(cg_wfile_t *w)
{
    if (w->fd >= 0) close(w->fd);
    w->fd = -1;
}

int cg_write(const char *dir, const char *file, const char *val, md_error_t **err)
{
    cg_wfile_t w;
    int r = cg_wopen(&w, dir, file, err);
    if (r < 0) return r;
    r = wfile_write(&w, val, strlen(val), err);
    cg_wclose(&w);
    return r;
}

int cg_writef(md_error_t **err, const char *dir, const char *file, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (len < 0 || len >= (int)sizeof(buf))
        return md_error(err, EINVAL, "write %s/%s: value too long", dir, file);
    return cg_write(dir, file, buf, err);
}

int cg_has(const char *dir, const char *file)
{
    cleanup_free char *p = cg_join(dir, file);
    return p != NULL && access(p, F_OK) == 0;
}

int cg_read(const char *dir, const char *file, char **out, md_error_t **err)
{
    cleanup_free char *p = cg_join(dir, file);
    if (p == NULL) return md_error(err, ENOMEM, "read %s/%s", dir, file);
    size_t len = 0;
    int r = md_read_file(p, out, &len, err);
    if (r < 0) return r;
    while (len > 0 && isspace((unsigned char)(*out)[len - 1]))
        (*out)[--len] = '\0';
    return 0;
}

static int parse_u64(const char *s, uint64_t *out)
{
    if (strcmp(s, "max") == 0) {
        *out = MD_CGROUP_UNLIMITED;
        return 0;
    }
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || (*end != '\0' && !isspace((unsigned char)*end))) return -EINVAL;
    /* v1 reports "no limit" as PAGE_COUNTER_MAX pages: 2^63 - page size. */
    *out = v >= (1ULL << 62) ? MD_CGROUP_UNLIMITED : (uint64_t)v;
    return 0;
}

int cg_read_u64(const char *dir, const char *file, uint64_t *out)
{
    cleanup_free char *s = NULL;
    int r = cg_read(dir, file, &s, NULL);
    if (r < 0) return r;
    return parse_u64(s, out);
}

int cg_read_keyed(const char *dir, const char *file, const char *key, uint64_t *out)
{
    cleanup_free char *s = NULL;
    int r = cg_read(dir, file, &s, NULL);
    if (r < 0) return r;
    size_t kl = strlen(key);
    for (char *line = s; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = '\0';
        if (strncmp(line, key, kl) == 0 && line[kl] == ' ') return parse_u64(line + kl + 1, out);
        line = nl ? nl + 1 : NULL;
    }
    return -ENOENT;
}

int cg_read_pids(const char *dir, pid_t **pids, size_t *n, md_error_t **err)
{
    cleanup_free char *s = NULL;
    *pids = NULL;
    *n = 0;
    int r = cg_read(dir, "cgroup.procs", &s, err);
    if (r < 0) return r;
    size_t cap = 0;
    for (char *p = s; *p;) {
        char *end = NULL;
        long v = strtol(p, &end, 10);
        if (end == p) break;
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            pid_t *np = realloc(*pids, cap * sizeof(pid_t));
            if (np == NULL) {
                free(*pids);
                *pids = NULL;
                return md_error(err, ENOMEM, "read %s/cgroup.procs", dir);
            }
            *pids = np;
        }
        (*pids)[(*n)++] = (pid_t)v;
        p = end;
        while (*p && isspace((unsigned char)*p))
            p++;
    }
    return 0;
}

int cg_kill_procs(const char *dir, md_error_t **err)
{
    pid_t *pids = NULL;
    size_t n = 0;
    md_error_t *e = NULL;
    int r = cg_read_pids(dir, &pids, &n, &e);
    if (r == -ENOENT) { /* removed meanwhile: nothing left to kill */
        md_error_free(&e);
        return 0;
    }
    if (r < 0) {
        if (err) {
            md_error_free(err);
            *err = e;
        } else {
            md_error_free(&e);
        }
        return r;
    }
    int killed = 0;
    for (size_t i = 0; i < n; i++) {
        if (pids[i] > 0 && kill(pids[i], SIGKILL) == 0) killed++;
    }
    free(pids);
    return killed;
}

static bool has_child_cgroups(const char *dir)
{
    cleanup_dir DIR *d = opendir(dir);
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL)
        if (de->d_type == DT_DIR && de->d_name[0] != '.') return true;
    return false;
}

int cg_rmdir(const char *dir, md_error_t **err)
{
    /* Killed tasks leave the cgroup asynchronously, so rmdir may see EBUSY
     * for a moment after the kill; about 1 s in all. */
    long delay = 100;
    for (int i = 0;; i++) {
        if (rmdir(dir) == 0 || errno == ENOENT) return 0;
        if (errno != EBUSY || i >= 40) return md_error(err, errno, "rmdir %s", dir);
        /* EBUSY also means child cgroups, which waiting will not remove */
        if (has_child_cgroups(dir))
            return md_error(err, EBUSY, "rmdir %s: it has child cgroups", dir);
        cg_kill_procs(dir, NULL);
        cg_usleep(delay);
        if (delay < 50000) delay *= 2;
    }
}

int cg_mkdir_levels(md_cgroup_t *cg, const char *root, cg_level_fn level, md_error_t **err)
{
    cleanup_free char *dir = cg_join(root, cg->path);
    if (dir == NULL) return md_error(err, ENOMEM, "mkdir cgroup");
    size_t rl = strlen(root);
    char *s = dir + rl + 1;
    for (;;) {
        char *slash = strchr(s, '/');
        if (slash) *slash = '\0';
        if (mkdir(dir, 0755) < 0 && errno != EEXIST) return md_error(err, errno, "mkdir %s", dir);
        if (level != NULL) {
            char *cut = strrchr(dir, '/');
            *cut = '\0';
            cleanup_free char *parent = strdup(dir);
            *cut = '/';
            if (parent == NULL) return md_error(err, ENOMEM, "mkdir %s", dir);
            int r = level(cg, parent, dir, slash == NULL, err);
            if (r < 0) return r;
        }
        if (slash == NULL) return 0;
        *slash = '/';
        s = slash + 1;
    }
}
