/* Layer tars: decompression to a content-addressed blob, and safe unpacking
 * into a directory usable as an overlay lowerdir (see docs/images.md). */
#ifndef MD_IMAGETOOL_LAYER_H
#define MD_IMAGETOOL_LAYER_H

#include "digest.h"
#include "util/error.h"

/* Copy the uncompressed bytes of a tar stream (plain, gzip, bzip2, xz, lzma or
 * zstd) from in_fd to out_fd; hex gets their sha256 (the layer's diff_id) and
 * *size their length. */
int md_layer_decompress(int in_fd, int out_fd, char hex[MD_SHA256_HEX_LEN + 1], long long *size,
                        md_error_t **err);

/* Unpack a layer tar (any of those compressions) read from tar_fd into the
 * existing directory dest. Entries cannot land outside dest (no "..", no
 * absolute paths, no extraction through symlinks); OCI whiteouts become overlay
 * whiteouts (".wh.NAME" -> char device 0:0 "NAME", ".wh..wh..opq" -> xattr
 * trusted.overlay.opaque=y on its directory); overlay xattrs carried by the tar
 * itself are dropped. Owners are numeric, as in the tar. */
int md_layer_extract(int tar_fd, const char *dest, md_error_t **err);
/* The same into an open directory (consumed: closed when done). */
int md_layer_extract_at(int tar_fd, int destfd, md_error_t **err);

/* md_layer_extract into a fresh temp dir "<root>/image/layers/.tmp-<pid>-XXXXXX"
 * (*tmpdir, malloc'd), removed again on failure: the caller renames it to
 * layers/<diffid> once complete, so an interrupted unpack leaves nothing a
 * reader trusts. */
int md_layer_unpack_tmp(int tar_fd, char **tmpdir, md_error_t **err);

/* docker's size of an unpacked layer: apparent sizes of everything but
 * directories, each hard-linked inode once. */
int md_layer_du(const char *dir, long long *size, md_error_t **err);

#endif
