/* build's RUN (a container of the engine's, its upper dir the layer) and HEALTHCHECK */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/create.h"
#include "engine/lifecycle.h"
#include "engine/opts.h"
#include "engine/start.h"
#include "imagetool/build_int.h"
#include "imagetool/image_write.h"
#include "store/ctr.h"
#include "tarwrite.h"
#include "util/cleanup.h"
#include "util/duration.h"
#include "util/strv.h"
#include "util/xalloc.h"

int md_build_commit_dir(struct build *b, struct build_stage *s, int dirfd, int whiteouts,
                        const char *created_by, md_error_t **err)
{
    char id[72];
    struct md_image_write w = {.parent_id = s->image_id,
                               .root = s->root,
                               .layer_fd = dirfd,
                               .tar_flags = (whiteouts ? MD_TAR_WHITEOUTS : 0) | MD_TAR_SOURCE_DATE,
                               .exclude = whiteouts ? md_image_mount_points : NULL,
                               .created = b->created,
                               .created_by = created_by,
                               .comment = "buildkit.dockerfile.v0"};
    if (md_image_write(&w, id, err) < 0) return -1;
    free(s->image_id);
    s->image_id = md_xstrdup(id);
    s->dirty = 0;
    return 0;
}

/* ---- the command ---- */

static json_object *config_obj(struct build_stage *s)
{
    json_object *cfg = NULL;
    json_object_object_get_ex(s->root, "config", &cfg);
    return cfg;
}

static const char *config_str(struct build_stage *s, const char *key)
{
    json_object *v = NULL;
    json_object_object_get_ex(config_obj(s), key, &v);
    const char *t = v ? json_object_get_string(v) : NULL;
    return t && *t ? t : NULL;
}

/* a heredoc alone is the script; with a command, the shell reads the heredocs itself */
static char *shell_script(struct md_df_instr *in)
{
    if (in->n_heredocs == 1 && strcmp(in->args, in->heredocs[0].token) == 0)
        return md_xstrdup(in->heredocs[0].body);
    char *buf = NULL;
    size_t size = 0;
    FILE *o = open_memstream(&buf, &size);
    if (o == NULL) md_oom();
    fputs(in->args, o);
    for (size_t i = 0; i < in->n_heredocs; i++)
        fprintf(o, "\n%s%s", in->heredocs[i].body, in->heredocs[i].name);
    fclose(o);
    return buf;
}

static char **run_argv(struct build_stage *s, struct md_df_instr *in)
{
    json_object *a = in->args[0] == '[' ? json_tokener_parse(in->args) : NULL;
    if (a == NULL || !json_object_is_type(a, json_type_array)) {
        json_object_put(a);
        cleanup_free char *script = shell_script(in);
        a = md_changes_shell_form(config_obj(s), script);
    }
    char **argv = md_strv_dup(NULL);
    for (size_t i = 0; i < json_object_array_length(a); i++)
        md_strv_append(&argv, json_object_get_string(json_object_array_get_idx(a, i)));
    json_object_put(a);
    return argv;
}

static int env_has(char *const *env, const char *kv)
{
    size_t n = strcspn(kv, "=");
    for (; env && *env; env++)
        if (strncmp(*env, kv, n) == 0 && (*env)[n] == '=') return 1;
    return 0;
}

/* the config's Env, then the build args in scope it does not set (ENV wins) */
static char **run_env(struct build_stage *s)
{
    char **env = md_strv_dup(NULL);
    json_object *e = NULL;
    json_object_object_get_ex(config_obj(s), "Env", &e);
    for (size_t i = 0; e && i < json_object_array_length(e); i++)
        md_strv_append(&env, json_object_get_string(json_object_array_get_idx(e, i)));
    for (char **a = s->args; a && *a; a++)
        if (!env_has(env, *a)) md_strv_append(&env, *a);
    return env;
}

/* --build-arg HTTP_PROXY=... and the like: in RUN's env without an ARG, and, as docker's, out
 * of the cache key (a proxy does not change what a step makes) */
static void proxy_env(struct build *b, char ***env)
{
    for (char **a = b->o->build_args; a && *a; a++)
        if (md_build_proxy_arg(*a) && strchr(*a, '=') && !env_has(*env, *a))
            md_strv_append(env, *a);
}

/* ---- the container ---- */

/* The step's output, line by line, to the progress: a process of its own (forked before the
 * container is: the runtime forks again and a thread here could hold a lock its child needs) */
static pid_t start_relay(struct build *b, int p[2])
{
    pid_t pid = fork();
    if (pid != 0) return pid;
    close(p[1]);
    FILE *f = fdopen(p[0], "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while (f && (n = getline(&line, &cap, f)) > 0) {
        if (line[n - 1] == '\n') line[n - 1] = '\0';
        md_build_emit(b, MD_BEV_LINE, line);
    }
    _exit(0);
}

static void warn_sink(void *data, const char *msg)
{
    md_build_emit(data, MD_BEV_WARN, msg);
}

/* start the container with its output (both streams) going to the progress, one line at a
 * time; stdin is /dev/null. Returns the exit status or -1. */
static int run_attached(struct build *b, struct md_ctr *c, md_error_t **err)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) return md_error(err, errno, "pipe");
    pid_t relay = start_relay(b, p);
    close(p[0]);
    if (relay < 0) {
        close(p[1]);
        return md_error(err, errno, "fork");
    }
    int saved[3] = {dup(0), dup(1), dup(2)}, null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    dup2(null, 0), dup2(p[1], 1), dup2(p[1], 2);
    close(p[1]), close(null);
    int status = md_engine_start_foreground(c, 0, err);
    for (int fd = 0; fd < 3; fd++) {
        dup2(saved[fd], fd);
        close(saved[fd]);
    }
    waitpid(relay, NULL, 0);
    return status;
}

/* the mount points made for --mount targets the image lacks leave the layer */
static void unmark(struct build *b, struct build_stage *s, struct md_build_mounts *m,
                   const char *upper)
{
    char *view = NULL;
    if (m->targets == NULL || md_build_mount(b, s->image_id, &view, NULL) < 0) return;
    md_build_mounts_unmark(m, view, upper);
    md_build_umount(view);
}

static int run_container(struct build *b, struct build_stage *s, char **argv, const char *net,
                         struct md_build_mounts *mounts, const char *by, md_error_t **err)
{
    struct md_run_opts o;
    memset(&o, 0, sizeof(o));
    o.image = md_xstrdup(s->image_id);
    o.args = md_strv_dup(argv);
    o.entrypoint = md_xstrdup(""); /* RUN ignores the ENTRYPOINT */
    o.entrypoint_set = 1;
    o.env = run_env(s);
    proxy_env(b, &o.env);
    o.user = config_str(s, "User") ? md_xstrdup(config_str(s, "User")) : NULL;
    o.workdir = config_str(s, "WorkingDir") ? md_xstrdup(config_str(s, "WorkingDir")) : NULL;
    o.network = net ? md_xstrdup(net) : NULL;
    o.mounts = md_strv_dup(mounts->specs);
    o.warn = (md_warn_t){.fn = warn_sink, .data = b};
    char id[65];
    struct md_ctr *c = NULL;
    int r = md_engine_create(&o, id, NULL, err);
    if (r == 0) r = md_ctr_load_id(id, &c, err);
    int status = r == 0 ? run_attached(b, c, err) : -1;
    if (status > 0) {
        cleanup_free char *cmd = md_strv_join(argv, " ");
        r = md_error_code(err, 1, 0, "process \"%s\" did not complete successfully: exit code: %d",
                          cmd, status);
    } else if (status < 0) {
        r = -1;
    }
    cleanup_free char *upper = NULL;
    if (r == 0 && asprintf(&upper, "%s/upper", c->dir) < 0) md_oom();
    if (upper) unmark(b, s, mounts, upper);
    cleanup_close int ufd = upper ? open(upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    if (r == 0 && ufd < 0) r = md_error(err, errno, "open %s", upper);
    if (r == 0) r = md_build_commit_dir(b, s, ufd, 1, by, err);
    if (c) md_engine_rm(c, 1, NULL, NULL);
    md_ctr_free(c);
    md_run_opts_free(&o);
    return r;
}

static const char *run_flag(struct md_df_instr *in, const char *name, md_error_t **err, int *bad)
{
    size_t n = strlen(name);
    const char *v = NULL;
    for (char **f = in->flags; f && *f; f++) {
        if (strncmp(*f, name, n) == 0 && (*f)[n] == '=') {
            v = *f + n + 1;
        } else if (strncmp(*f, "--network=", 10) != 0 && strncmp(*f, "--mount=", 8) != 0) {
            *bad = 1;
            md_error(err, 0, "RUN %.*s is not supported", (int)strcspn(*f, "="), *f);
        }
    }
    return v;
}

static int run_step(struct build *b, struct build_stage *s, struct md_df_instr *in, const char *net,
                    struct md_build_mounts *mounts, const char *mhex, md_error_t **err)
{
    cleanup_strv char **argv = run_argv(s, in), **env = run_env(s);
    cleanup_free char *cmd = md_strv_join(argv, " "), *envs = md_strv_join(env, "\n"), *what = NULL,
                      *by = NULL;
    if (asprintf(&what, "run\n%s\n%s\n%s\n%s", cmd, envs, net ? net : "", mhex) < 0 ||
        asprintf(&by, "RUN %s # buildkit", cmd) < 0)
        md_oom();
    char key[65], id[72];
    md_build_key(key, s->key, what);
    if (md_build_cache_get(b, key, id) == 0) {
        md_build_emit(b, MD_BEV_CACHED, NULL);
        memcpy(s->key, key, sizeof(key));
        return md_build_adopt(s, id, err);
    }
    if (s->image_id == NULL)
        return md_error(err, 0, "RUN needs a filesystem: the stage has no layers (FROM scratch)");
    if (run_container(b, s, argv, net, mounts, by, err) < 0) return -1;
    md_build_cache_put(key, s->image_id);
    memcpy(s->key, key, sizeof(key));
    md_build_emit(b, MD_BEV_DONE, NULL);
    return 0;
}

int md_build_run(struct build *b, struct build_stage *s, struct md_df_instr *in, md_error_t **err)
{
    int bad = 0;
    const char *net = run_flag(in, "--network", err, &bad);
    if (bad) return -1;
    if (net && strcmp(net, "default") == 0) net = NULL;
    if (net && strcmp(net, "none") != 0 && strcmp(net, "host") != 0)
        return md_error(err, 0, "RUN --network=%s: none, host or default", net);
    if (net == NULL) net = b->o->network;
    md_build_step(b, s, in->text);
    struct md_build_mounts mounts;
    char mhex[65];
    int r = md_build_mounts(b, s, in->flags, &mounts, mhex, err);
    if (r == 0) r = run_step(b, s, in, net, &mounts, mhex, err);
    if (r < 0) md_build_emit(b, MD_BEV_ERROR, *err ? (*err)->msg : "failed");
    md_build_mounts_clear(&mounts);
    return r;
}

/* ---- HEALTHCHECK ---- */

static int health_flag(json_object *hc, const char *flag, md_error_t **err)
{
    static const char *const names[][2] = {{"--interval", "Interval"},
                                           {"--timeout", "Timeout"},
                                           {"--start-period", "StartPeriod"},
                                           {"--start-interval", "StartInterval"},
                                           {"--retries", "Retries"}};
    size_t n = strcspn(flag, "=");
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strlen(names[i][0]) != n || strncmp(flag, names[i][0], n) != 0 || flag[n] != '=')
            continue;
        const char *v = flag + n + 1;
        if (i == 4) {
            char *end;
            long k = strtol(v, &end, 10);
            if (*v == '\0' || *end || k < 1)
                return md_error(err, 0, "--retries must be at least 1 (not %s)", v);
            json_object_object_add(hc, names[i][1], json_object_new_int(k));
            return 0;
        }
        int64_t ns;
        if (md_parse_duration(v, &ns) < 0)
            return md_error(err, 0, "time: invalid duration \"%s\"", v);
        json_object_object_add(hc, names[i][1], json_object_new_int64(ns));
        return 0;
    }
    return md_error(err, 0, "unknown flag: %.*s", (int)n, flag);
}

int md_build_healthcheck(struct build *b, struct build_stage *s, struct md_df_instr *in,
                         md_error_t **err)
{
    json_object *hc = json_object_new_object(), *test = json_object_new_array();
    json_object_object_add(hc, "Test", test);
    int r = 0;
    for (char **f = in->flags; r == 0 && f && *f; f++)
        r = health_flag(hc, *f, err);
    const char *a = in->args;
    if (r == 0 && strcasecmp(a, "none") == 0) {
        json_object_array_add(test, json_object_new_string("NONE"));
    } else if (r == 0 && strncasecmp(a, "cmd", 3) == 0 && (a[3] == ' ' || a[3] == '\t')) {
        a += 3 + strspn(a + 3, " \t");
        json_object *j = a[0] == '[' ? json_tokener_parse(a) : NULL;
        json_object_array_add(test, json_object_new_string(j ? "CMD" : "CMD-SHELL"));
        for (size_t i = 0; j && i < json_object_array_length(j); i++)
            json_object_array_add(test, json_object_get(json_object_array_get_idx(j, i)));
        if (j == NULL) json_object_array_add(test, json_object_new_string(a));
        json_object_put(j);
    } else if (r == 0) {
        r = md_error(err, 0, "Unknown type \"%.*s\" in HEALTHCHECK (try CMD)",
                     (int)strcspn(a, " \t"), a);
    }
    if (r < 0) {
        json_object_put(hc);
        return r;
    }
    json_object *cfg = NULL;
    json_object_object_get_ex(s->root, "config", &cfg);
    json_object_object_add(cfg, "Healthcheck", hc);
    md_build_key(s->key, s->key, in->text);
    md_build_history(b, s, in->text);
    return 0;
}
