#include "run.h"

#include <fcntl.h>
#include <unistd.h>

#include "engine/create.h"
#include "engine/lifecycle.h"
#include "store/cstore.h"
#include "engine/start.h"
#include "util/trace.h"

static void stdin_from_null(void)
{
    int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        dup2(fd, STDIN_FILENO);
        close(fd);
    }
}

static void remove_unstarted(const char *id, const md_warn_t *warn)
{
    struct md_ctr *left = NULL;
    /* the foreground path may have removed it already */
    if (md_ctr_load_id(id, &left, NULL) < 0) return;
    md_engine_rm(left, 1, warn, NULL);
    md_ctr_free(left);
}

int md_engine_run(struct md_run_opts *o, char id[65], md_error_t **err)
{
    int autoremove_fd = -1;
    id[0] = '\0';
    md_trace("run");
    struct md_made made = {0};
    int r = md_engine_create_made(o, id, &autoremove_fd, &made, err);
    md_trace("created");
    if (r < 0) return r;
    struct md_ctr *c = NULL;
    /* the record and spec just written, not read back */
    r = md_ctr_from_record(id, made.name, made.record, &c, err);
    md_trace("loaded");
    if (r == 0 && o->monitor_conn) {
        r = md_engine_start_attached(c, o->monitor_conn, err);
    } else if (r == 0 && o->detach) {
        r = md_engine_start_detached(c, err);
    } else if (r == 0) {
        if (!o->interactive) stdin_from_null(); /* docker: without -i the container reads EOF */
        r = md_engine_run_foreground(c, made.spec, o->interactive, err);
        made.spec = NULL; /* taken over */
    }
    md_made_clear(&made);
    /* --rm: a container that could not start goes too (docker's daemon removes an
     * AutoRemove container whose start failed), e.g. --network container:X of a
     * stopped X; a record nobody will ever start must not be left "Created" */
    if (r < 0 && o->rm && c) remove_unstarted(id, &o->warn);
    md_ctr_free(c);
    if (autoremove_fd >= 0) md_autoremove_release(id, autoremove_fd);
    md_trace("done");
    return r;
}
