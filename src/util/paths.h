/* Where mydocker keeps its state, in one place: the library root (images,
 * containers, volumes, networks; $MYDOCKER_ROOT, default /var/lib/mydocker)
 * and the run root (what lives until reboot: runtime state, locks, caches;
 * $MYDOCKER_RUN_ROOT, default /run/mydocker). Tests point both at private
 * directories. See docs/state.md. */
#ifndef MD_UTIL_PATHS_H
#define MD_UTIL_PATHS_H

#include <stddef.h>

#define MD_LIB_ROOT_DEFAULT "/var/lib/mydocker"
#define MD_RUN_ROOT_DEFAULT "/run/mydocker"

const char *md_lib_root(void);
const char *md_run_root(void);
/* "<run root>/<sub>" into buf; -1 when it does not fit. */
int md_run_path(char *buf, size_t len, const char *sub);

#endif
