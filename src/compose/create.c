/* One container of a service: its flags through the engine's `run` parser, created (pulling
 * or building its image when missing), its other networks connected, started. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/run_opts.h"
#include "compose/compose_int.h"
#include "compose/up.h"
#include "engine/create.h"
#include "engine/lifecycle.h"
#include "engine/start.h"
#include "image/store.h"
#include "net/net.h"
#include "store/ctr.h"
#include "util/cleanup.h"
#include "util/strv.h"
#include "util/xalloc.h"

static int image_present(const char *ref)
{
    char *id = NULL, *name = NULL;
    int r = md_image_resolve(ref, &id, &name, NULL);
    free(id);
    free(name);
    return r == 0;
}

int md_compose_build_service(struct md_compose_project *p, const char *service,
                             struct json_object *svc, md_error_t **err)
{
    struct json_object *b = md_compose_get(svc, "build");
    cleanup_free char *image = md_compose_image_name(p, service, svc);
    cleanup_strv char **args = NULL;
    md_strv_append(&args, "build");
    md_strv_append(&args, "-t"), md_strv_append(&args, image);
    cleanup_free char *df = NULL;
    const char *dockerfile = json_object_get_string(md_compose_get(b, "dockerfile"));
    if (dockerfile[0] == '/')
        df = md_xstrdup(dockerfile);
    else if (asprintf(&df, "%s/%s", json_object_get_string(md_compose_get(b, "context")),
                      dockerfile) < 0)
        md_oom();
    md_strv_append(&args, "-f"), md_strv_append(&args, df);
    json_object_object_foreach(md_compose_mapping(md_compose_get(b, "args")), k, v)
    {
        cleanup_free char *kv = NULL;
        if (!v) continue;
        if (asprintf(&kv, "%s=%s", k, json_object_get_string(v)) < 0) md_oom();
        md_strv_append(&args, "--build-arg"), md_strv_append(&args, kv);
    }
    json_object_object_foreach(md_compose_mapping(md_compose_get(b, "labels")), lk, lv)
    {
        cleanup_free char *kv = NULL;
        if (asprintf(&kv, "%s=%s", lk, json_object_get_string(lv)) < 0) md_oom();
        md_strv_append(&args, "--label"), md_strv_append(&args, kv);
    }
    if (md_compose_get(b, "target"))
        md_strv_append(&args, "--target"),
            md_strv_append(&args, json_object_get_string(md_compose_get(b, "target")));
    if (md_compose_get(b, "network"))
        md_strv_append(&args, "--network"),
            md_strv_append(&args, json_object_get_string(md_compose_get(b, "network")));
    if (json_object_get_boolean(md_compose_get(b, "no_cache"))) md_strv_append(&args, "--no-cache");
    md_strv_append(&args, "-q");
    md_strv_append(&args, json_object_get_string(md_compose_get(b, "context")));
    md_compose_progress("Service", service, "Building");
    if (md_compose_tool("mydocker-image", args, 1) != 0)
        return md_error(err, 0, "failed to build service %s", service);
    md_compose_progress("Service", service, "Built");
    return 0;
}

/* the image there before the create: built (a build service without the image, or --build),
 * or pulled (missing; pull_policy always) */
int md_compose_ensure_image(struct md_compose_project *p, const char *service,
                            struct json_object *svc, int build, md_error_t **err)
{
    cleanup_free char *image = md_compose_image_name(p, service, svc);
    const char *policy = json_object_get_string(md_compose_get(svc, "pull_policy"));
    int present = image_present(image);
    if (md_compose_get(svc, "build") &&
        (build || (!present && !(policy && strcmp(policy, "always") == 0))))
        return md_compose_build_service(p, service, svc, err);
    if (present && !(policy && strcmp(policy, "always") == 0)) return 0;
    if (policy && strcmp(policy, "never") == 0) return md_error(err, 0, "No such image: %s", image);
    char *args[] = {"pull", "-q", image, NULL};
    md_compose_progress("Image", image, "Pulling");
    if (md_compose_tool("mydocker-image", args, 1) != 0)
        return md_error(
            err, 0,
            "pull access denied for %s, repository does not exist or may require authorization",
            image);
    md_compose_progress("Image", image, "Pulled");
    return 0;
}

static void warn_sink(void *data, const char *msg)
{
    (void)data;
    fprintf(stderr, "WARNING: %s\n", msg);
}

/* the service's networks after the first: connected before the start */
static int connect_others(struct md_compose_project *p, struct json_object *svc, const char *id,
                          const char *service, md_error_t **err)
{
    struct json_object *nets = md_compose_get(svc, "networks");
    if (nets == NULL || json_object_object_length(nets) < 2) return 0;
    struct md_ctr *c = NULL;
    if (md_ctr_load_id(id, &c, err) < 0) return -1;
    int r = 0, first = 1;
    json_object_object_foreach(md_compose_mapping(nets), key, cfg)
    {
        if (first || r < 0) {
            first = 0;
            continue;
        }
        cleanup_strv char **aliases = NULL;
        md_strv_append(&aliases, service);
        struct json_object *al = md_compose_get(cfg, "aliases");
        for (size_t i = 0; al && i < json_object_array_length(al); i++)
            md_strv_append(&aliases, json_object_get_string(json_object_array_get_idx(al, i)));
        struct json_object *ip = md_compose_get(cfg, "ipv4_address");
        r = md_net_connect(c, md_compose_resource_name(p->model, "networks", key),
                           ip ? json_object_get_string(ip) : NULL, aliases, err);
    }
    if (r == 0) r = md_ctr_save(c, err);
    md_ctr_free(c);
    return r;
}

int md_compose_create(struct md_compose_project *p, const char *service, struct json_object *svc,
                      const struct md_compose_ctr_spec *spec, int start, char id[65],
                      md_error_t **err)
{
    cleanup_strv char **argv = md_compose_run_argv(p, service, svc, spec);
    struct md_run_opts o;
    int r = md_run_opts_parse((int)md_strv_len(argv), argv, &o, err);
    if (r == 1) r = md_error(err, 0, "unexpected help");
    o.warn = (md_warn_t){warn_sink, NULL};
    if (r == 0) r = md_engine_create(&o, id, NULL, err);
    md_run_opts_free(&o);
    if (r == 0 && connect_others(p, svc, id, service, err) < 0) {
        /* not left half made: the container goes with the network that refused it */
        struct md_ctr *c = NULL;
        if (md_ctr_load_id(id, &c, NULL) == 0 && md_engine_rm(c, 1, NULL, NULL) == 0)
            md_engine_remove_anon_volumes(c, NULL);
        md_ctr_free(c);
        r = -1;
    }
    md_compose_progress("Container", spec->name, r == 0 ? "Created" : "Error");
    if (r < 0 || !start) return r;
    return md_compose_start_id(id, spec->name, err);
}

int md_compose_start_id(const char *id, const char *name, md_error_t **err)
{
    struct md_ctr *c = NULL;
    md_compose_progress("Container", name, "Starting");
    int r = md_ctr_load_id(id, &c, err);
    if (r == 0) r = md_engine_start_detached(c, err);
    md_ctr_free(c);
    md_compose_progress("Container", name, r == 0 ? "Started" : "Error");
    return r;
}
