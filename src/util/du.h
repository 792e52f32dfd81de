/* Disk usage as docker measures it (pkg/directory.Size): the sizes of what
 * is not a directory, a file with several links counted once, symlinks
 * counted and never followed. */
#ifndef MD_UTIL_DU_H
#define MD_UTIL_DU_H

/* one_fs: do not descend into other mounts (a volume's submounts) */
int md_du(const char *dir, int one_fs, long long *size);

#endif
