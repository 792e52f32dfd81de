/* Parsing `run` / `create` argv into struct md_run_opts (engine/opts.h). */
#ifndef MD_CLI_RUN_OPTS_H
#define MD_CLI_RUN_OPTS_H

#include "engine/opts.h"

/* argv[0] is "run"; parsing stops at the image. Errors are docker-worded.
 * Returns 1 after printing --help. */
int md_run_opts_parse(int argc, char **argv, struct md_run_opts *o, md_error_t **err);
/* -it with a stdin that is not a terminal: docker's "the input device is not a TTY" */
int md_run_opts_check_tty(const struct md_run_opts *o, md_error_t **err);
/* "1024" or "1024:2048" for name=...; names as docker (nofile, nproc, core...) */
int md_ulimit_parse(const char *spec, struct md_ulimit *u, md_error_t **err);
void md_run_usage(void);
/* -e: KEY=VALUE, or KEY alone taking our value (dropped when we have none) */
void md_env_add(char ***env, const char *kv);
/* an --env-file line (or exec's -e) into *(char ***)env: the same, and an
 * empty name is docker's error */
int md_env_entry(void *env, const char *s, md_error_t **err);
/* docker's --env-file and --label-file: fn for each entry, one per line;
 * leading blanks, blank lines and # comments skipped */
int md_cli_read_entries(const char *path, int (*fn)(void *ctx, const char *s, md_error_t **err),
                        void *ctx, md_error_t **err);

#endif
