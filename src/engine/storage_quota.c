#include "engine/storage_quota.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/dqblk_xfs.h>
#include <linux/fs.h>
#include <linux/quota.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/size.h"

#define XFS_MAGIC 0x58465342

static const char unsupported[] =
    "--storage-opt is supported only for overlay over xfs with 'pquota' mount option";

int md_storage_opts_parse(char *const *opts, uint64_t *size, md_error_t **err)
{
    *size = 0;
    for (; opts && *opts; opts++) {
        const char *eq = strchr(*opts, '=');
        if (eq == NULL) return md_error(err, 0, "invalid storage option %s", *opts);
        if ((size_t)(eq - *opts) != 4 || strncasecmp(*opts, "size", 4) != 0)
            return md_error(err, 0, "Unknown option %.*s", (int)(eq - *opts), *opts);
        long long n = md_parse_size(eq + 1);
        if (n <= 0) return md_error(err, 0, "invalid size: '%s'", eq + 1);
        *size = (uint64_t)n;
    }
    return 0;
}

/* quotactl_fd(2) (Linux 5.14): by a directory's fd, with no block device path to find */
static int quotactl_at(int fd, int cmd, uint32_t id, void *addr)
{
    return (int)syscall(SYS_quotactl_fd, fd, QCMD(cmd, PRJQUOTA), id, addr);
}

static int supported(int fd)
{
    struct statfs sf;
    struct fs_quota_stat qs = {.qs_version = FS_QSTAT_VERSION};
    if (fstatfs(fd, &sf) < 0 || (unsigned long)sf.f_type != XFS_MAGIC) return 0;
    if (quotactl_at(fd, Q_XGETQSTAT, 0, &qs) < 0) return 0;
    return (qs.qs_flags & FS_QUOTA_PDQ_ACCT) && (qs.qs_flags & FS_QUOTA_PDQ_ENFD);
}

/* one project per container, from its random id; 0 is the default project of every file */
static uint32_t project_of(const char *id)
{
    char hex[9] = "";
    strncat(hex, id, 8);
    return ((uint32_t)strtoul(hex, NULL, 16) & 0x7fffffff) | 1;
}

int md_storage_quota_apply(const char *dir, const char *id, uint64_t size, md_error_t **err)
{
    cleanup_close int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return md_error(err, errno, "open %s", dir);
    if (!supported(fd)) return md_error(err, 0, "%s", unsupported);
    struct fsxattr fsx;
    uint32_t project = project_of(id);
    if (ioctl(fd, FS_IOC_FSGETXATTR, &fsx) < 0) return md_error(err, errno, "FSGETXATTR %s", dir);
    fsx.fsx_projid = project;
    /* what is made below dir (upper, work, every copied-up file) joins the project */
    fsx.fsx_xflags |= FS_XFLAG_PROJINHERIT;
    if (ioctl(fd, FS_IOC_FSSETXATTR, &fsx) < 0) return md_error(err, errno, "FSSETXATTR %s", dir);
    struct fs_disk_quota q = {
        .d_version = FS_DQUOT_VERSION,
        .d_flags = FS_PROJ_QUOTA,
        .d_fieldmask = FS_DQ_BSOFT | FS_DQ_BHARD,
        .d_id = project,
        .d_blk_hardlimit = size / 512, /* basic blocks */
        .d_blk_softlimit = size / 512,
    };
    if (quotactl_at(fd, Q_XSETQLIM, project, &q) < 0)
        return md_error(err, errno, "set the quota of %s", dir);
    return 0;
}
