#include <stdio.h>

#include "cmd/cmd.h"
#include "cli/run_opts.h"
#include "engine/run.h"

int cmd_run(int argc, char **argv)
{
    struct md_run_opts o;
    md_error_t *err = NULL;
    int r = md_run_opts_parse(argc, argv, &o, &err);
    if (r == 1) {
        md_run_opts_free(&o);
        return 0;
    }
    o.warn = md_cli_warn;
    char id[65];
    struct md_cidfile cid = {.fd = -1};
    if (r == 0) r = md_run_opts_check_tty(&o, &err);
    if (r == 0) r = md_cidfile_open(&cid, &o, &err);
    if (r == 0) r = md_cli_create_pulling(&o, id, md_engine_run, &err);
    md_cidfile_close(&cid);
    if (r == 0 && o.detach) printf("%s\n", id);
    md_run_opts_free(&o);
    fflush(stdout);
    return r < 0 ? md_error_report(&err) : r;
}
