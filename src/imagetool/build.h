/* `build`: a Dockerfile to an image, daemonless (docs/build.md). Each RUN is a container of
 * the engine's (the runtime core of `run`, default confinement, the stage's env, user and
 * workdir) whose upper dir becomes the layer; COPY/ADD write their layer directly; the other
 * instructions change the config. Layer steps are cached by a key chained from the base
 * image and every instruction before (file contents for COPY/ADD): a rebuild with nothing
 * changed starts no container. Progress goes to a callback, never to a stream. */
#ifndef MD_IMAGETOOL_BUILD_H
#define MD_IMAGETOOL_BUILD_H

#include <stdint.h>

#include "util/error.h"

enum md_build_ev_type {
    MD_BEV_STEP,   /* a step starts: n, name, k/total, text */
    MD_BEV_CACHED, /* the step came from the cache */
    MD_BEV_LINE,   /* a line of a RUN's output (text), secs since the step began */
    MD_BEV_DONE,   /* the step ended: secs */
    MD_BEV_ERROR,  /* the step failed: text */
    MD_BEV_WARN,   /* a warning of the build (text) */
    MD_BEV_EXPORT, /* the image is written: text = its id; tags follow as MD_BEV_TAG */
    MD_BEV_TAG,
    MD_BEV_FAILED_AT, /* the instruction that failed: k = its line, text = it */
};

struct md_build_event {
    enum md_build_ev_type type;
    int n;            /* BuildKit's step number (#n) */
    const char *name; /* the stage's name ("builder", or "stage-1"), NULL for a single stage */
    int k, total;     /* [k/total] within the stage */
    const char *text;
    double secs;
};

struct md_build_opts {
    const char *context;         /* the context directory */
    const char *dockerfile;      /* its text */
    const char *dockerfile_name; /* for .dockerignore exceptions and messages */
    char **tags;                 /* -t, as given */
    char **build_args;           /* --build-arg K=V or K (from the environment) */
    char **labels;               /* --label K=V */
    char **secrets;              /* --secret id=X[,src=FILE|,env=VAR] */
    const char *target;          /* --target: the last stage otherwise */
    const char *network;         /* RUN's network: NULL (bridge), "host", "none" */
    int no_cache, pull;
    void (*progress)(void *data, const struct md_build_event *ev);
    void *data;
};

/* id gets the image's "sha256:..." */
int md_build(const struct md_build_opts *o, char id[72], md_error_t **err);

/* The images the build cache points at (ids; `images` hides them without -a, as docker hides
 * intermediate images; `image prune` without -a leaves them) */
char **md_build_cache_images(void);
/* `builder prune`: the cache entries last used before until_ns (0: all) go, and the images only
 * they held; *deleted gets those images' ids, *reclaimed the bytes freed */
int md_build_cache_prune(int64_t until_ns, char ***deleted, long long *reclaimed, md_error_t **err);

#endif
