/* mydocker-image: the heavy image commands (libarchive, libcrypto), exec'd by
 * `mydocker` so that its hot paths never load those libraries. */
#ifndef MD_IMAGETOOL_TOOL_H
#define MD_IMAGETOOL_TOOL_H

#include "util/error.h"

/* Each takes argv[0] = the command name and returns the process exit code. */
int md_cmd_import(int argc, char **argv);
int md_cmd_images(int argc, char **argv);
int md_cmd_rmi(int argc, char **argv);
int md_cmd_tag(int argc, char **argv);
int md_cmd_pull(int argc, char **argv);
int md_cmd_push(int argc, char **argv);
int md_cmd_save(int argc, char **argv);
int md_cmd_load(int argc, char **argv);
int md_cmd_commit(int argc, char **argv);
int md_cmd_build(int argc, char **argv);
int md_cmd_builder(int argc, char **argv);
int md_cmd_export(int argc, char **argv);
int md_cmd_cp(int argc, char **argv);
int md_cmd_history(int argc, char **argv);
int md_cmd_image(int argc, char **argv); /* `image inspect|prune|ls|...` */
/* `login [-u USER] [-p PASS | --password-stdin] [SERVER]`, `logout [SERVER]` */
int md_cmd_login(int argc, char **argv);
int md_cmd_logout(int argc, char **argv);

/* docker's exit code for a command that failed (not a flag error) */
#define MD_TOOL_EXIT_FAIL 1

/* Print "mydocker: <msg>" and "See 'mydocker <cmd> --help'." like docker's flag
 * errors; returns 125. */
int md_tool_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Report getopt's '?' (unknown flag) or ':' (missing value; the optstring must
 * start with ':') for cmd, in docker's words; returns 125. */
int md_tool_bad_flag(const char *cmd, int c, int argc, char **argv);
struct md_filters;
/* label=/label!= filters on an image's config labels (true without them) */
int md_tool_labels_match(const struct md_filters *f, const char *image_id);

/* Write through fn to file (FILE.tmp-<pid>, renamed when complete) or, when
 * file is NULL, to stdout unless it is a terminal (docker's refusal). */
int md_tool_to_output(const char *file, int (*fn)(int fd, void *arg, md_error_t **err), void *arg,
                      md_error_t **err);

#endif
