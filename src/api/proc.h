/* Running a command for a request (api/proc.c) */
#ifndef MD_API_PROC_H
#define MD_API_PROC_H

#include <stddef.h>

/* argv (execvp) with in[0..in_len) on its stdin; *out its stdout (NUL-terminated, malloc'd,
 * *out_len its length); err: its stderr apart, or NULL to have it with stdout. Returns the exit
 * status, 128+N for a signal, -1 when it could not run. */
int api_run(char *const *argv, const char *in, size_t in_len, char **out, size_t *out_len,
            char **err);
/* the same for `mydocker ARGS...` and `mydocker-image ARGS...` (the server's siblings) */
int api_mydocker(char *const *args, const char *in, size_t in_len, char **out, size_t *out_len,
                 char **err);
int api_image_tool(char *const *args, const char *in, size_t in_len, char **out, size_t *out_len,
                   char **err);

#endif
