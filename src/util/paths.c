/* The state roots (util/paths.h). */
#include "paths.h"

#include <stdio.h>
#include <stdlib.h>

const char *md_lib_root(void)
{
    const char *r = getenv("MYDOCKER_ROOT");
    return r && *r ? r : MD_LIB_ROOT_DEFAULT;
}

const char *md_run_root(void)
{
    const char *r = getenv("MYDOCKER_RUN_ROOT");
    return r && *r ? r : MD_RUN_ROOT_DEFAULT;
}

int md_run_path(char *buf, size_t len, const char *sub)
{
    int n = snprintf(buf, len, "%s/%s", md_run_root(), sub);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}
