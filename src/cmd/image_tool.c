#include <errno.h>
#include <limits.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"

/* The helper lives next to this binary; resolve through /proc/self/exe so a
 * symlinked or relative mydocker still finds it. Only host-side tools go this
 * way: nothing re-executes the host binary into a container. */
int cmd_image_tool(int argc, char **argv)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n < 0) {
        fprintf(stderr, "mydocker: readlink /proc/self/exe: %s\n", strerror(errno));
        return MD_EXIT_ENGINE;
    }
    self[n] = '\0';
    char tool[PATH_MAX + 32];
    snprintf(tool, sizeof(tool), "%s/mydocker-image", dirname(self));
    (void)argc;
    execv(tool, argv - 0);
    fprintf(stderr, "mydocker: exec %s: %s\n", tool, strerror(errno));
    return MD_EXIT_ENGINE;
}
