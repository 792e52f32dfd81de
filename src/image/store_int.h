/* Shared between store.c (read side) and store_write.c; not a public interface. */
#ifndef MD_IMAGE_STORE_INT_H
#define MD_IMAGE_STORE_INT_H

#include <json-c/json.h>

#include "store.h"

#define MD_IMAGE_ID_PREFIX "sha256:"
#define MD_IMAGE_ID_LEN (7 + 64)

/* Hand the error in *src to the caller's err (which may be NULL: then it is dropped). */
static inline void md_error_move(md_error_t **dst, md_error_t **src)
{
    if (dst == NULL) {
        md_error_free(src);
        return;
    }
    md_error_free(dst);
    *dst = *src;
    *src = NULL;
}

/* Parse image/repositories.json; a missing file is an empty store. */
int md_repos_load(json_object **out, md_error_t **err);
/* Write repositories.json atomically (lock held). */
int md_repos_save(json_object *repos, md_error_t **err);
/* Give id its own record (lock held), so that it survives losing its last tag. */
int md_repos_ensure_record(json_object *repos, const char *id);
/* The image_id of every container that has one (NULL-terminated vector). */
int md_image_container_images(char ***iids, md_error_t **err);
/* The "id" of a repositories.json entry, or NULL when it has none. */
const char *md_repos_entry_id(json_object *entry);
/* Resolve ref against a loaded repositories.json: *id points into repos, *name is the
 * matching tag key (malloc'd) or NULL. Unknown: "No such image: <ref>". */
int md_repos_resolve(json_object *repos, const char *ref, const char **id, char **name,
                     md_error_t **err);
/* True when key is an image record ("sha256:<hex>") rather than a tag. */
int md_repos_key_is_record(const char *key);
/* Read and parse a JSON blob by digest. */
int md_image_read_blob_json(const char *digest, json_object **out, md_error_t **err);

#endif
