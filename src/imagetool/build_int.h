/* build's internals, shared by build*.c */
#ifndef MD_IMAGETOOL_BUILD_INT_H
#define MD_IMAGETOOL_BUILD_INT_H

#include <json-c/json.h>
#include <time.h>

#include "imagetool/build.h"
#include "imagetool/changes.h"
#include "imagetool/dockerfile.h"
#include "imagetool/dockerignore.h"

struct build_stage {
    char *name;         /* AS name (lower case), NULL without */
    size_t first, last; /* its instructions [first, last): first is its FROM */
    int needed, built;
    int steps, step;   /* steps shown ([k/steps]) and the current one */
    char *image_id;    /* the latest stored image of the stage: NULL while it has no layers */
    json_object *root; /* the image config as it stands */
    int dirty;         /* root changed since image_id was written */
    char key[65];      /* the cache key of the stage so far */
    char **args;       /* ARG values in scope, "K=V" */
    struct md_changes_ctx ctx;
};

struct build {
    const struct md_build_opts *o;
    struct md_dockerfile df;
    struct build_stage *st;
    size_t n_st;
    char **global_args; /* ARGs before the first FROM */
    char **used_args;   /* build args some ARG declared */
    struct md_ignore ignore;
    int n;               /* the last step number given */
    struct timespec t0;  /* the current step's start */
    const char *created; /* SOURCE_DATE_EPOCH as RFC 3339, or NULL: now */
    char created_buf[64];
    char *mnt_root; /* where image views are mounted (a private mount namespace) */
};

void md_build_emit(struct build *b, enum md_build_ev_type type, const char *text);
void md_build_step(struct build *b, struct build_stage *s, const char *text);
double md_build_secs(const struct build *b);
/* HTTP_PROXY and the like: docker's predefined build args */
int md_build_proxy_arg(const char *kv);
/* a history entry for an instruction that makes no layer */
void md_build_history(struct build *b, struct build_stage *s, const char *created_by);

/* cache (build_cache.c): key = sha256(parent key, what); lookup / store an image id */
void md_build_key(char out[65], const char *parent, const char *what);
int md_build_cache_get(const struct build *b, const char *key, char id[72]);
void md_build_cache_put(const char *key, const char *id);
/* the stage's state from a cached image */
int md_build_adopt(struct build_stage *s, const char *id, md_error_t **err);

/* a layer from a directory onto the stage (md_image_write), created_by its history */
int md_build_commit_dir(struct build *b, struct build_stage *s, int dirfd, int whiteouts,
                        const char *created_by, md_error_t **err);

/* image views (build_mount.c): a read-only overlay of an image's layers, for COPY --from and
 * for the owner and parent directories COPY reads; *dir malloc'd, md_build_umount after */
int md_build_mount(struct build *b, const char *image_id, char **dir, md_error_t **err);
void md_build_umount(char *dir);

/* a view of --from's stage (by name or index, built before s) or image (pulled when missing);
 * the stage's key takes in what it names */
int md_build_view_of(struct build *b, struct build_stage *s, const char *from, char **view,
                     md_error_t **err);

/* RUN --mount (build_mounts.c): the specs for the step's container (engine --mount syntax),
 * their targets, the views they hold mounted; hex: what the cache key takes from them */
struct md_build_mounts {
    char **specs, **targets, **views;
};
int md_build_mounts(struct build *b, struct build_stage *s, char *const *flags,
                    struct md_build_mounts *out, char hex[65], md_error_t **err);
void md_build_mounts_clear(struct md_build_mounts *m);
void md_build_mounts_unmark(struct md_build_mounts *m, const char *view, const char *upper);
/* --secret id's file (an env secret written to one of the build's), *file NULL when not given */
int md_build_secret_file(struct build *b, const char *id, char **file, md_error_t **err);

int md_build_run(struct build *b, struct build_stage *s, struct md_df_instr *in, md_error_t **err);
/* HEALTHCHECK's flags and CMD/NONE into the config (build_run.c) */
int md_build_healthcheck(struct build *b, struct build_stage *s, struct md_df_instr *in,
                         md_error_t **err);
int md_build_copy(struct build *b, struct build_stage *s, struct md_df_instr *in, md_error_t **err);

#endif
