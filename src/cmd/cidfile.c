/* run/create --cidfile: docker's CLI refuses a file that exists (another
 * container may own it), writes the id once the container exists, and
 * removes the file again when the create failed. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "engine/opts.h"
#include "util/write_all.h"

static void write_id(void *data, const char *id)
{
    struct md_cidfile *f = data;
    f->written = md_write_all_fd(f->fd, id, strlen(id)) == 0;
}

int md_cidfile_open(struct md_cidfile *f, struct md_run_opts *o, md_error_t **err)
{
    f->fd = -1;
    f->written = 0;
    f->path = o->cidfile;
    if (f->path == NULL) return 0;
    f->fd = open(f->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (f->fd < 0 && errno == EEXIST)
        return md_error(err, 0,
                        "Container ID file found, make sure the other container isn't running or "
                        "delete %s",
                        f->path);
    if (f->fd < 0) return md_error(err, errno, "failed to create the container ID file");
    o->created.fn = write_id;
    o->created.data = f;
    return 0;
}

void md_cidfile_close(struct md_cidfile *f)
{
    if (f->fd < 0) return;
    close(f->fd);
    if (!f->written) unlink(f->path);
    f->fd = -1;
}
