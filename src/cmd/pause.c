/* pause / unpause: freeze or thaw every process of each container named
 * (the cgroup freezer), as docker does; one line per failure, exit 1. */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "engine/cgctl.h"

static int each(int argc, char **argv, const char *verb, int (*fn)(struct md_ctr *, md_error_t **))
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("Usage:  mydocker %s CONTAINER [CONTAINER...]\n\n%s all processes within one or "
               "more containers\n",
               verb, strcmp(verb, "pause") == 0 ? "Pause" : "Unpause");
        return 0;
    }
    if (argc < 2) {
        fprintf(stderr,
                "mydocker: \"%s\" requires at least 1 argument.\nSee 'mydocker %s --help'.\n", verb,
                verb);
        return 1;
    }
    int failed = 0;
    for (int i = 1; i < argc; i++) {
        struct md_ctr *c = NULL;
        md_error_t *err = NULL;
        int r = md_ctr_load(argv[i], &c, &err);
        if (r == 0) r = fn(c, &err);
        if (r < 0) {
            md_error_report(&err);
            failed = 1;
        } else {
            puts(argv[i]);
        }
        md_ctr_free(c);
    }
    return failed;
}

int cmd_pause(int argc, char **argv)
{
    return each(argc, argv, "pause", md_engine_pause);
}

int cmd_unpause(int argc, char **argv)
{
    return each(argc, argv, "unpause", md_engine_unpause);
}
