/* Loading images from an archive (docker load): md_image_load, and the
 * internals shared by load.c (reading the archive into temp blobs) and
 * load_formats.c (docker-archive and OCI layout). */
#ifndef MD_IMAGETOOL_LOAD_H
#define MD_IMAGETOOL_LOAD_H

#include <json-c/json.h>
#include <limits.h>

#include "digest.h"
#include "util/error.h"

struct load_file {
    char *name;         /* path in the archive, normalized ("a/b", no "./") */
    char *link;         /* a link: the path it points to; no content of its own */
    char tmp[PATH_MAX]; /* temp blob holding the content ("" once placed) */
    char hex[MD_SHA256_HEX_LEN + 1];
    long long size;
    char *layer_dir; /* unpacked into this temp dir (until placed) */
    char diff_id[72];
    int layer_ok; /* the store had the layer; content checked */
    int used;
};

struct load {
    char dir[PATH_MAX]; /* blobs/sha256 */
    struct load_file *files;
    size_t n;
    char *buf;
    char **report; /* "Loaded image: ..." lines */
};

/* The regular file at name, following links in the archive; NULL when absent. */
struct load_file *md_load_find(struct load *l, const char *name);
int md_load_read_json(struct load *l, struct load_file *f, char **text, json_object **doc,
                      md_error_t **err);
/* Unpack f as the layer diff_id (checked), unless the store has that layer. */
int md_load_unpack(struct load *l, struct load_file *f, const char *diff_id, md_error_t **err);
/* Lock held: rename f's blob and layer dir into the store. */
int md_load_place(struct load *l, struct load_file *f, md_error_t **err);

/* Reads a docker-archive or an OCI layout (plain or compressed) from fd and
 * stores its images; *report (when not NULL) gets docker's "Loaded image: ..."
 * lines (free with md_strv_free). */
int md_image_load(int fd, char ***report, md_error_t **err);

int md_load_docker(struct load *l, md_error_t **err);
int md_load_oci(struct load *l, md_error_t **err);

#endif
