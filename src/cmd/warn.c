/* The CLI's sink for engine warnings. docker's CLI prints a create
 * response's Warnings on stderr, each as "WARNING: <msg>". */
#include <stdio.h>

#include "cmd/cmd.h"

static void warn_stderr(void *data, const char *msg)
{
    (void)data;
    fprintf(stderr, "WARNING: %s\n", msg);
}

const md_warn_t md_cli_warn = {.fn = warn_stderr, .data = NULL};
