/* Images as a docker-archive tar (docker save). */
#ifndef MD_IMAGETOOL_SAVE_H
#define MD_IMAGETOOL_SAVE_H

#include "util/error.h"

/* Writes the images refs[0..n) as one docker-archive to fd. */
int md_image_save(char **refs, int n, int fd, md_error_t **err);

#endif
