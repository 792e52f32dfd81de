/* Facts about a process from /proc/<pid>. */
#include "proc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/fs.h"

uint64_t md_proc_starttime(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    cleanup_free char *text = NULL;
    if (pid <= 0 || md_read_file(path, &text, NULL, NULL) < 0)
        return 0;
    /* the command name may hold spaces and ')': fields start after the last ')' */
    char *p = strrchr(text, ')');
    if (p == NULL)
        return 0;
    p += 2; /* field 3 */
    for (int field = 3; field < 22 && p; field++) {
        p = strchr(p, ' ');
        if (p)
            p++;
    }
    if (p == NULL)
        return 0;
    /* a zombie is as good as gone: it cannot run anything */
    char *st = strrchr(text, ')') + 2;
    if (*st == 'Z' || *st == 'X')
        return 0;
    return strtoull(p, NULL, 10);
}
