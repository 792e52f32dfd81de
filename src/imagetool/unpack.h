/* Unpacking a (possibly compressed) layer blob in a worker process while the
 * parent goes on downloading: decompression and extraction run on two
 * threads of the worker, joined by a pipe, and the uncompressed bytes are
 * hashed on the way so that the diff_id is checked against the config. */
#ifndef MD_IMAGETOOL_UNPACK_H
#define MD_IMAGETOOL_UNPACK_H

#include <sys/types.h>

#include "digest.h"
#include "util/error.h"

typedef struct md_unpack_job {
    pid_t pid;
    int status_fd;    /* the worker's report, read by md_unpack_wait */
    char diff_id[72]; /* expected "sha256:<hex>" */
    char *dir;        /* on success: the unpacked layer, named ".tmp-<our pid>-..." */
} md_unpack_job_t;

/* Start a worker unpacking blob_fd (read from offset 0) into a temp dir under
 * layers/, named for the calling process so garbage collection leaves it alone
 * while we live. */
int md_unpack_start(md_unpack_job_t *job, int blob_fd, const char *diff_id, md_error_t **err);
/* 1 when the job has finished (0: still running, with nohang), < 0 when it failed. */
int md_unpack_wait(md_unpack_job_t *job, int nohang, md_error_t **err);
/* Kill a running worker and remove what it made. */
void md_unpack_abort(md_unpack_job_t *job);

/* In this process: unpack blob_fd into a new temp dir (*dir) and check that the
 * uncompressed stream has digest diff_id (NULL: *diff_hex gets it). */
int md_unpack_blob(int blob_fd, const char *diff_id, char **dir,
                   char diff_hex[MD_SHA256_HEX_LEN + 1], md_error_t **err);

#endif
