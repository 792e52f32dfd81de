/* Container creation: flags + image -> container dir, name, config.json and
 * container.json in state "created". Every step is undone on failure. */
#ifndef MD_ENGINE_CREATE_H
#define MD_ENGINE_CREATE_H

#include "engine/opts.h"

/* With --rm and no -d, *autoremove_fd gets the lock the caller must hold
 * while it owns the container (see cstore.h). */
int md_engine_create(struct md_run_opts *o, char id[65], int *autoremove_fd, md_error_t **err);

/* What a create made, for a start in the same process (`run`): the record and the spec it
 * wrote, so that the start reads neither back (references; md_made_clear drops them). */
struct md_made {
    struct json_object *record, *spec;
    char *name;
};
int md_engine_create_made(struct md_run_opts *o, char id[65], int *autoremove_fd,
                          struct md_made *made, md_error_t **err);
void md_made_clear(struct md_made *m);

#endif
