#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "engine/start.h"
#include "util/cleanup.h"

/* compose is a binary of its own (build/mydocker-compose, docs/compose.md): libyaml and
 * libcrypto stay out of this one, which every `run` loads */
int cmd_compose(int argc, char **argv)
{
    (void)argc;
    cleanup_free char *tool = md_self_path("mydocker-compose");
    if (tool == NULL) return MD_EXIT_ENGINE;
    fflush(stdout);
    execv(tool, argv);
    fprintf(stderr, "mydocker: exec %s: %s\n", tool, strerror(errno));
    return MD_EXIT_ENGINE;
}
