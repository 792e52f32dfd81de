/* md_du (util/du.h). nftw has no user pointer: the walk's state is static,
 * which is fine for single-threaded commands. */
#include "util/du.h"

#include <errno.h>
#include <ftw.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "util/xalloc.h"

static struct {
    long long total;
    struct {
        dev_t dev;
        ino_t ino;
    } * seen;
    size_t n, cap;
} du;

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)path;
    (void)ftw;
    if (type == FTW_D || type == FTW_DP || type == FTW_NS || S_ISDIR(st->st_mode)) return 0;
    if (st->st_nlink > 1) {
        for (size_t i = 0; i < du.n; i++)
            if (du.seen[i].dev == st->st_dev && du.seen[i].ino == st->st_ino) return 0;
        if (du.n == du.cap) {
            du.cap = du.cap ? du.cap * 2 : 64;
            du.seen = md_xrealloc(du.seen, du.cap * sizeof(*du.seen));
        }
        du.seen[du.n].dev = st->st_dev;
        du.seen[du.n++].ino = st->st_ino;
    }
    du.total += st->st_size;
    return 0;
}

int md_du(const char *dir, int one_fs, long long *size)
{
    du.total = 0;
    du.n = 0;
    int r = nftw(dir, visit, 64, FTW_PHYS | (one_fs ? FTW_MOUNT : 0));
    int e = errno;
    free(du.seen);
    du.seen = NULL;
    du.cap = du.n = 0;
    if (r != 0) return -(e ? e : EIO);
    *size = du.total;
    return 0;
}
