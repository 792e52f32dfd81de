/* docker export: the container's merged filesystem as
 * one flat tar. Running: read through /proc/<pid>/root; stopped: its overlay
 * mounted in a private mount namespace (ctrroot.c). Other mounts inside the
 * container (/proc, /sys, /dev, bound files, volumes) are not descended into:
 * their mount points are written empty, as docker exports the container's
 * own filesystem only. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctrroot.h"
#include "tarwrite.h"
#include "export.h"
#include "util/cleanup.h"

static int export_root(int rootfd, void *arg, md_error_t **err)
{
    int out = *(int *)arg;
    return md_tar_dir(rootfd, MD_TAR_ONE_MOUNT, NULL, out, NULL, NULL, err);
}

int md_ctr_export(const char *ctr, int fd, md_error_t **err)
{
    return md_ctr_with_root(ctr, export_root, &fd, err);
}
