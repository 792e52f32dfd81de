/* POST /build: docker's classic build endpoint (the docker CLI without BuildKit, compose):
 * the body is the context as a tar, unpacked by tar(1) into a directory of the server's, then
 * `mydocker build` (the image tool) runs on it; its output comes back as docker's JSON stream
 * ({"stream": ...}, {"aux": {"ID": ...}}, {"errorDetail": ...}) */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api/api.h"
#include "api/proc.h"
#include "engine/start.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/paths.h"
#include "util/strv.h"
#include "util/xalloc.h"

static void add_query_list(struct api_req *r, const char *key, const char *flag, char ***argv)
{
    const char *v = api_query(r, key);
    struct json_object *o = v && *v ? json_tokener_parse(v) : NULL;
    if (o && json_object_is_type(o, json_type_object)) {
        json_object_object_foreach(o, k, val)
        {
            cleanup_free char *kv = NULL;
            if (asprintf(&kv, "%s=%s", k, json_object_get_string(val)) < 0) md_oom();
            md_strv_append(argv, flag);
            md_strv_append(argv, kv);
        }
    }
    json_object_put(o);
}

static char **build_argv(struct api_req *r, const char *dir, const char *iid)
{
    char **argv = md_strv_dup(NULL);
    md_strv_append(&argv, "build");
    md_strv_append(&argv, "--progress=plain");
    md_strv_append(&argv, "--iidfile");
    md_strv_append(&argv, iid);
    const char *df = api_query(r, "dockerfile");
    cleanup_free char *dfpath = NULL;
    if (asprintf(&dfpath, "%s/%s", dir, df && *df ? df : "Dockerfile") < 0) md_oom();
    md_strv_append(&argv, "-f");
    md_strv_append(&argv, dfpath);
    /* t= may be given several times: MHD gives the last one, the one docker's CLI repeats */
    const char *t = api_query(r, "t");
    if (t && *t) md_strv_append(&argv, "-t"), md_strv_append(&argv, t);
    const char *target = api_query(r, "target");
    if (target && *target) md_strv_append(&argv, "--target"), md_strv_append(&argv, target);
    if (api_query_bool(r, "nocache", 0)) md_strv_append(&argv, "--no-cache");
    if (api_query_bool(r, "pull", 0)) md_strv_append(&argv, "--pull");
    const char *net = api_query(r, "networkmode");
    if (net && *net) md_strv_append(&argv, "--network"), md_strv_append(&argv, net);
    add_query_list(r, "buildargs", "--build-arg", &argv);
    add_query_list(r, "labels", "--label", &argv);
    md_strv_append(&argv, dir);
    return argv;
}

static void message(FILE *o, const char *key, const char *text)
{
    struct json_object *m = json_object_new_object();
    if (strcmp(key, "error") == 0) {
        struct json_object *d = json_object_new_object();
        json_object_object_add(d, "message", json_object_new_string(text));
        json_object_object_add(m, "errorDetail", d);
    }
    json_object_object_add(m, key, json_object_new_string(text));
    fprintf(o, "%s\r\n", json_object_to_json_string_ext(m, JSON_C_TO_STRING_PLAIN));
    json_object_put(m);
}

enum MHD_Result api_build(struct api_req *r)
{
    const char *remote = api_query(r, "remote");
    if (remote && *remote)
        return api_error(r, MHD_HTTP_BAD_REQUEST, "a remote build context is not supported");
    char tmp[4200];
    snprintf(tmp, sizeof(tmp), "%s/buildctx-XXXXXX", md_run_root());
    md_mkdir_p(md_run_root(), 0700, NULL);
    if (mkdtemp(tmp) == NULL) return api_error(r, 500, "mkdtemp: %s", strerror(errno));
    cleanup_free char *ctx = NULL, *iid = NULL, *out = NULL, *tout = NULL, *id = NULL;
    if (asprintf(&ctx, "%s/ctx", tmp) < 0 || asprintf(&iid, "%s/iid", tmp) < 0) md_oom();
    mkdir(ctx, 0700);
    char *tar[] = {"tar", "-x", "--no-same-owner", "-C", ctx, "-f", "-", NULL};
    int st = api_run(tar, r->body, r->body_len, &tout, NULL, NULL);
    char *buf = NULL;
    size_t size = 0;
    FILE *o = open_memstream(&buf, &size);
    if (o == NULL) md_oom();
    if (st != 0) {
        message(o, "error", "the build context is not a tar archive");
    } else {
        char **argv = build_argv(r, ctx, iid);
        st = api_image_tool(argv, NULL, 0, &out, NULL, NULL);
        md_strv_free(argv);
        for (char *save = NULL, *l = out ? strtok_r(out, "\n", &save) : NULL; l;
             l = strtok_r(NULL, "\n", &save)) {
            cleanup_free char *line = NULL;
            if (asprintf(&line, "%s\n", l) < 0) md_oom();
            message(o, st != 0 && strncmp(l, "ERROR: ", 7) == 0 ? "error" : "stream",
                    st != 0 && strncmp(l, "ERROR: ", 7) == 0 ? l + 7 : line);
        }
        size_t n = 0;
        if (st == 0 && md_read_file(iid, &id, &n, NULL) == 0) {
            struct json_object *m = json_object_new_object(), *aux = json_object_new_object();
            json_object_object_add(aux, "ID", json_object_new_string(id));
            json_object_object_add(m, "aux", aux);
            fprintf(o, "%s\r\n", json_object_to_json_string_ext(m, JSON_C_TO_STRING_PLAIN));
            json_object_put(m);
            cleanup_free char *done = NULL;
            if (asprintf(&done, "Successfully built %.12s\n", id + 7) < 0) md_oom();
            message(o, "stream", done);
            const char *t = api_query(r, "t");
            cleanup_free char *tagged = NULL;
            if (t && *t &&
                asprintf(&tagged, "Successfully tagged %s%s\n", t,
                         strchr(t, ':') ? "" : ":latest") > 0)
                message(o, "stream", tagged);
        }
    }
    fclose(o);
    md_rm_rf(tmp, NULL);
    return api_bytes(r, MHD_HTTP_OK, "application/json", buf, size);
}
