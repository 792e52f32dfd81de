/* docker's -v and --mount values as data: pure parsers (no file system, no
 * volume store), so that they can be fuzzed and unit-tested; volumes.c
 * turns a request into a mount (creates the volume, checks the source). */
#ifndef MD_ENGINE_MOUNTSPEC_H
#define MD_ENGINE_MOUNTSPEC_H

#include "util/error.h"

enum md_mount_kind { MD_MOUNT_VOLUME, MD_MOUNT_BIND, MD_MOUNT_TMPFS };

struct md_mount_req {
    enum md_mount_kind kind;
    char *source;      /* volume name (NULL: anonymous) or host path */
    char *destination; /* absolute, not "/" */
    char *tmpfs_opts;  /* "size=N,mode=M" (tmpfs) */
    int rw, nocopy;
    int create_source; /* -v creates a missing bind source; --mount refuses it */
};

/* -v SRC:DST[:OPTS] | -v DST */
int md_volume_flag_parse(const char *spec, struct md_mount_req *out, md_error_t **err);
/* --mount type=bind|volume|tmpfs,source=...,target=...[,readonly][,...] */
int md_mount_flag_parse(const char *spec, struct md_mount_req *out, md_error_t **err);
void md_mount_req_clear(struct md_mount_req *r);
/* A destination docker accepts: absolute, not "/". */
int md_mount_dest_valid(const char *dst, md_error_t **err);

#endif
