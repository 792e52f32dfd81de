/* diff: a container's changes against its image, read from the overlay's
 * upper directory as docker reads it: a whiteout (a 0/0 character device) is
 * "D", a path the image has too is "C", a new one "A"; sorted by path. */
#include <ftw.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "cmd/cmd.h"
#include "store/ctr.h"
#include "util/cleanup.h"
#include "util/strv.h"

/* nftw has no user pointer; this command is single-threaded */
static struct {
    const char *upper, *lower;
    char **lines;
} walk;

/* does some image layer have path (relative, "/x/y")? */
static int in_image(const char *rel)
{
    cleanup_free char *lowers = strdup(walk.lower ? walk.lower : "");
    struct stat st;
    for (char *save = NULL, *d = lowers ? strtok_r(lowers, ":", &save) : NULL; d;
         d = strtok_r(NULL, ":", &save)) {
        char p[8192];
        snprintf(p, sizeof(p), "%s%s", d, rel);
        if (lstat(p, &st) == 0) return 1;
    }
    return 0;
}

/* what the runtime puts there for every container (docker's init layer):
 * not a change of the container's */
static int init_path(const char *rel)
{
    static const char *const paths[] = {"/etc/hostname", "/etc/hosts",  "/etc/resolv.conf",
                                        "/etc/mtab",     "/.dockerenv", "/dev/console",
                                        "/dev/pts",      "/dev/shm",    "/proc",
                                        "/sys",          NULL};
    for (const char *const *p = paths; *p; p++)
        if (strcmp(rel, *p) == 0) return 1;
    return 0;
}

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)type;
    const char *rel = path + strlen(walk.upper);
    if (ftw->level == 0 || init_path(rel)) return 0;
    int whiteout = S_ISCHR(st->st_mode) && major(st->st_rdev) == 0 && minor(st->st_rdev) == 0;
    char line[8192];
    char kind = whiteout ? 'D' : in_image(rel) ? 'C' : 'A';
    /* a trailing '/' marks a changed directory: kept only if something under it changed */
    snprintf(line, sizeof(line), "%c %s%s", kind, rel,
             kind == 'C' && S_ISDIR(st->st_mode) ? "/" : "");
    md_strv_append(&walk.lines, line);
    return 0;
}

/* a "C" directory only holds what changed under it (an init file's parent does not count) */
static int shown(char **lines, size_t n, size_t i)
{
    size_t len = strlen(lines[i]);
    if (lines[i][len - 1] != '/') return 1;
    for (size_t j = 0; j < n; j++)
        if (j != i && strncmp(lines[j] + 2, lines[i] + 2, len - 2) == 0) return 1;
    return 0;
}

/* a path's length without the directory marker */
static size_t path_len(const char *s)
{
    size_t n = strlen(s);
    return n - (n > 0 && s[n - 1] == '/');
}

static int by_path(const void *a, const void *b)
{
    const char *x = *(char *const *)a + 2, *y = *(char *const *)b + 2;
    size_t nx = path_len(x), ny = path_len(y);
    int c = strncmp(x, y, nx < ny ? nx : ny);
    return c ? c : (nx > ny) - (nx < ny);
}

int cmd_diff(int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-') {
        if (argc == 2 && strcmp(argv[1], "--help") == 0)
            return puts(
                       "Usage:  mydocker diff CONTAINER\n\nInspect changes to files or directories "
                       "on a container's filesystem"),
                   0;
        fprintf(stderr,
                "mydocker: \"diff\" requires exactly 1 argument.\nSee 'mydocker diff --help'.\n");
        return 1;
    }
    struct md_ctr *c = NULL;
    md_error_t *err = NULL;
    if (md_ctr_load(argv[1], &c, &err) < 0) return md_error_report(&err), 1;
    walk.upper = md_ctr_str(c, "GraphDriver.Data.UpperDir");
    walk.lower = md_ctr_str(c, "GraphDriver.Data.LowerDir");
    walk.lines = NULL;
    int r = 0;
    if (walk.upper == NULL) {
        fprintf(stderr, "mydocker: container %s has no image layers to compare with (--rootfs)\n",
                c->name);
        r = 1;
    } else if (nftw(walk.upper, visit, 64, FTW_PHYS) != 0) {
        fprintf(stderr, "mydocker: reading the changes of %s failed\n", c->name);
        r = 1;
    }
    size_t n = md_strv_len(walk.lines);
    if (n) qsort(walk.lines, n, sizeof(char *), by_path);
    for (size_t i = 0; r == 0 && i < n; i++) {
        if (!shown(walk.lines, n, i)) continue;
        size_t len = strlen(walk.lines[i]);
        printf("%.*s\n", (int)(len - (walk.lines[i][len - 1] == '/')), walk.lines[i]);
    }
    md_strv_free(walk.lines);
    md_ctr_free(c);
    return r;
}
