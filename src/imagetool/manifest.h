/* Image manifests: the four kinds a registry serves (OCI manifest and index,
 * docker v2 schema 2 manifest and manifest list), platform selection, and the
 * manifest of a local image (what push and save send). */
#ifndef MD_IMAGETOOL_MANIFEST_H
#define MD_IMAGETOOL_MANIFEST_H

#include <json-c/json.h>
#include <stddef.h>

#include "util/error.h"

#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"
#define MT_OCI_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define MT_OCI_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define MT_DOCKER_LAYER_GZIP "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define MT_DOCKER_SCHEMA1 "application/vnd.docker.distribution.manifest.v1"

/* What pull accepts, in order of preference. */
#define MT_ACCEPT_ALL MT_OCI_INDEX ", " MT_DOCKER_LIST ", " MT_OCI_MANIFEST ", " MT_DOCKER_MANIFEST

#define JSON_COMPACT (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

typedef struct md_desc {
    char *media_type;
    char *digest; /* "sha256:<hex>", checked */
    long long size;
} md_desc_t;

typedef struct md_manifest {
    char *media_type;
    int is_index;
    md_desc_t config;  /* manifests */
    md_desc_t *layers; /* manifests: n entries */
    size_t n;
    json_object *doc;
} md_manifest_t;

/* Parse a manifest or index. The media type comes from the document, else from
 * the HTTP Content-Type (may be NULL); schema 1 and unknown types are refused. */
int md_manifest_parse(const char *text, size_t len, const char *content_type, md_manifest_t *out,
                      md_error_t **err);
void md_manifest_clear(md_manifest_t *m);
void md_desc_clear(md_desc_t *d);

/* The Go names of this host's platform ("amd64", variant "v7" or NULL). */
void md_host_platform(const char **arch, const char **variant);
/* Pick the entry of an index for os/arch[/variant] (platform NULL: linux and the
 * host's); *out gets copies. "no matching manifest for linux/amd64" otherwise. */
int md_index_select(const md_manifest_t *index, const char *platform, md_desc_t *out,
                    md_error_t **err);

/* True when a layer media type is one we can unpack. */
int md_layer_type_ok(const char *media_type);

/* The local manifest of image id: the record's manifest, or for an index the
 * entry whose config is id. *text and *digest malloc'd; -ENOENT (no error) when
 * the store has none for it. */
int md_local_manifest(const char *id, char **text, char **digest, md_error_t **err);

/* Where layer i of a local image comes from. */
typedef struct md_layer_src {
    char diff_id[72];
    char *media_type;
    char digest[72]; /* blob digest: a compressed blob from the manifest, or the diff_id */
    long long size;  /* -1 when no blob holds it (then the layer dir must be tarred) */
    char *layer_dir; /* unpacked dir */
} md_layer_src_t;

/* Layers of image id (bottom first) with their blobs where the store has them. */
int md_image_layer_srcs(const char *id, json_object *config, md_layer_src_t **out, size_t *n,
                        md_error_t **err);
void md_layer_srcs_free(md_layer_src_t *l, size_t n);

/* RFC 3339 UTC with nanoseconds, like Go's RFC3339Nano. */
void md_rfc3339_now(char *buf, size_t len);
/* Write a blob ("sha256:<hex>" of text) into the store unless present. */
int md_store_put_blob(const char *text, size_t len, const char *hex, md_error_t **err);
/* Read a whole blob of the store (*out NUL-terminated). */
int md_store_read_blob(const char *digest, char **out, size_t *len, md_error_t **err);

#endif
