/* /proc/<pid> facts that identify a process across pid reuse. */
#ifndef MD_UTIL_PROC_H
#define MD_UTIL_PROC_H

#include <stdint.h>
#include <sys/types.h>

/* Start time of a pid from /proc/<pid>/stat (field 22, clock ticks since
 * boot); 0 when it is gone or a zombie. */
uint64_t md_proc_starttime(pid_t pid);

#endif
