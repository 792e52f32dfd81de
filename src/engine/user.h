/* -u/--user and the image's User against the image's /etc/passwd and
 * /etc/group, with docker's (runc's) rules. Pure: takes open files. */
#ifndef MD_USER_H
#define MD_USER_H

#include <stdio.h>
#include <sys/types.h>

#include "util/error.h"

struct md_user {
    uid_t uid;
    gid_t gid;
    gid_t *gids; /* supplementary groups from /etc/group */
    size_t n_gids;
    char *home;
};

/* spec: NULL/"" (root), "name", "uid", "name:group", "uid:gid", ... passwd or
 * group may be NULL (no such file in the image). */
int md_user_resolve(const char *spec, FILE *passwd, FILE *group, struct md_user *out,
                    md_error_t **err);
/* --group-add: gids or names of the image's /etc/group (group may be NULL) */
int md_user_add_groups(struct md_user *u, char *const *groups, FILE *group, md_error_t **err);
void md_user_clear(struct md_user *u);

#endif
