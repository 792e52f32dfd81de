/* A container's filesystem as one tar (docker export). */
#ifndef MD_IMAGETOOL_EXPORT_H
#define MD_IMAGETOOL_EXPORT_H

#include "util/error.h"

int md_ctr_export(const char *ctr, int fd, md_error_t **err);

#endif
