/* --storage-opt size=: docker's overlay2 quota, an XFS project quota over a container's
 * directory (its upper and work dirs inherit the project), only where that directory's
 * filesystem is XFS with project quotas on (mounted pquota), as docker's. */
#ifndef MD_ENGINE_STORAGE_QUOTA_H
#define MD_ENGINE_STORAGE_QUOTA_H

#include <stdint.h>

#include "util/error.h"

/* "size=10G" entries: the size in bytes (0 when none), or docker's error for other keys */
int md_storage_opts_parse(char *const *opts, uint64_t *size, md_error_t **err);
/* Put dir (empty yet) in a project of its own, limited to size bytes. docker's error when the
 * filesystem cannot do it. */
int md_storage_quota_apply(const char *dir, const char *id, uint64_t size, md_error_t **err);

#endif
