#include "engine/create.h"
#include "util/trace.h"
#include "engine/storage_quota.h"
#include "engine/record_fields.h"
#include "engine/labels.h"
#include "engine/lifecycle.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "store/cstore.h"
#include "store/ctr.h"
#include "engine/resources.h"
#include "engine/specgen.h"
#include "engine/user.h"
#include "engine/volumes.h"
#include "image/store.h"
#include "net/net.h"
#include "runtime/container.h"
#include "runtime/io.h"
#include "runtime/caps.h"
#include "store/events.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/time.h"
#include "util/xalloc.h"
#include "util/strv.h"

struct run_ctx {
    struct md_run_opts *o;
    char id[65];
    char *name;
    int name_reserved;
    char *hostname;
    char *dir;
    char *rootfs, *upper, *work, *lower;
    int host_root;
    md_image_t *image;
    struct md_user user;
    struct json_object *doc;    /* config.json */
    struct json_object *record; /* container.json */
    int autoremove_fd;
    struct md_vmount *vmounts;
    size_t n_vmounts;
    struct json_object *resources; /* linux.resources from the flags, or NULL */
};

/* The image's file as the container will see it: the top-most layer that has
 * it wins; each layer is opened as its own root so no symlink escapes. */
static FILE *open_image_file(struct run_ctx *c, const char *path)
{
    if (c->host_root || c->o->rootfs) {
        cleanup_close int root =
            open(c->host_root ? "/" : c->o->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        int fd = root < 0 ? -1 : md_openat_in_root(root, path, O_RDONLY, 0, NULL);
        return fd < 0 ? NULL : fdopen(fd, "re");
    }
    size_t n = md_strv_len(c->image->layer_dirs);
    for (size_t i = n; i-- > 0;) {
        cleanup_close int root = open(c->image->layer_dirs[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
        int fd = root < 0 ? -1 : md_openat_in_root(root, path, O_RDONLY | O_NONBLOCK, 0, NULL);
        if (fd < 0) continue;
        struct stat st;
        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) return fdopen(fd, "re");
        close(fd); /* an overlay whiteout (char 0/0): deleted in this layer */
        return NULL;
    }
    return NULL;
}

static struct json_object *image_config(struct run_ctx *c)
{
    struct json_object *cfg = NULL;
    if (c->image && c->image->config) json_object_object_get_ex(c->image->config, "config", &cfg);
    return cfg;
}

static int resolve_user(struct run_ctx *c, md_error_t **err)
{
    const char *spec = c->o->user;
    struct json_object *u;
    if (spec == NULL && image_config(c) && json_object_object_get_ex(image_config(c), "User", &u))
        spec = json_object_get_string(u);
    cleanup_fclose FILE *pw = open_image_file(c, "/etc/passwd");
    cleanup_fclose FILE *gr = open_image_file(c, "/etc/group");
    int r = md_user_resolve(spec, pw, gr, &c->user, err);
    if (r == 0) r = md_user_add_groups(&c->user, c->o->sys.group_add, gr, err);
    return r;
}

static int resolve_source(struct run_ctx *c, md_error_t **err)
{
    struct md_run_opts *o = c->o;
    if (o->image && o->image[0] == '/') {
        /* the seeds' `run -it /bin/sh`: the host's root, fresh namespaces */
        c->host_root = 1;
        char **args = NULL;
        if (md_strv_append(&args, o->image) < 0) return md_error(err, ENOMEM, "args");
        for (char **a = o->args; a && *a; a++)
            md_strv_append(&args, *a);
        md_strv_free(o->args);
        o->args = args;
        o->entrypoint_set = 1;
        free(o->entrypoint);
        o->entrypoint = md_xstrdup("");
        return 0;
    }
    if (o->rootfs) {
        struct stat st;
        if (stat(o->rootfs, &st) < 0 || !S_ISDIR(st.st_mode))
            return md_error(err, errno ? errno : ENOTDIR, "rootfs %s", o->rootfs);
        return 0;
    }
    int r = md_image_lookup(o->image, &c->image, err);
    if (r < 0 && err && *err) {
        cleanup_free char *norm = md_image_normalize_ref(o->image, NULL);
        md_error_free(err);
        if (norm == NULL) return md_error(err, 0, "invalid reference format: %s", o->image);
        md_error(err, 0, "Unable to find image '%s' locally", norm);
        return r == -ENOENT ? MD_ENGINE_NO_IMAGE : -EINVAL;
    }
    return r;
}

static char *join_lower(char **dirs)
{
    size_t n = md_strv_len(dirs), len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(dirs[i]) + 1;
    char *s = calloc(1, len);
    if (s == NULL) return NULL;
    for (size_t i = n; i-- > 0;) { /* overlay wants the top-most first */
        strcat(s, dirs[i]);
        if (i) strcat(s, ":");
    }
    return s;
}

static int sub(char **out, const char *dir, const char *name)
{
    return asprintf(out, "%s/%s", dir, name) < 0 ? -ENOMEM : 0;
}

/* docker's HostConfig.StorageOpt: {"size": "10G"}, null without */
static struct json_object *storage_opt_object(char *const *opts)
{
    struct json_object *o = opts && *opts ? json_object_new_object() : NULL;
    for (; opts && *opts; opts++) {
        cleanup_free char *k = md_xstrdup(*opts);
        char *eq = strchr(k, '=');
        if (eq) *eq = '\0';
        json_object_object_add(o, k, json_object_new_string(eq ? eq + 1 : ""));
    }
    return o;
}

/* the image's init layer goes on top of its layers (overlay's lowerdir lists the top first) */
static int add_init_layer(struct run_ctx *c, md_error_t **err)
{
    cleanup_free char *init = NULL;
    int r = md_image_init_layer(c->image, &init, err);
    if (r <= 0) return r;
    char *lower = NULL;
    if (asprintf(&lower, "%s:%s", init, c->lower) < 0) return md_error(err, ENOMEM, "lowerdir");
    free(c->lower);
    c->lower = lower;
    return 0;
}

static int prepare_dirs(struct run_ctx *c, md_error_t **err)
{
    c->dir = md_container_dir(c->id);
    if (c->dir == NULL) return md_error(err, ENOMEM, "container dir");
    int r = md_mkdir_p(c->dir, 0700, err);
    if (r < 0) return r;
    uint64_t quota = 0;
    if (md_storage_opts_parse(c->o->storage_opts, &quota, err) < 0) return -1;
    if (quota && (c->host_root || c->o->rootfs))
        return md_error(err, 0, "--storage-opt size= needs an image's storage, not --rootfs");
    /* before upper and work exist: they inherit the project */
    if (quota && md_storage_quota_apply(c->dir, c->id, quota, err) < 0) return -1;
    if (c->host_root) {
        c->rootfs = md_xstrdup("/");
        return 0;
    }
    if (c->o->rootfs) {
        c->rootfs = realpath(c->o->rootfs, NULL);
        return c->rootfs ? 0 : md_error(err, errno, "rootfs %s", c->o->rootfs);
    }
    if (md_strv_len(c->image->layer_dirs) == 0)
        return md_error(err, 0, "image %s has no layers", c->o->image);
    if (sub(&c->rootfs, c->dir, "rootfs") < 0 || sub(&c->upper, c->dir, "upper") < 0 ||
        sub(&c->work, c->dir, "work") < 0 || (c->lower = join_lower(c->image->layer_dirs)) == NULL)
        return md_error(err, ENOMEM, "container dir");
    if (mkdir(c->rootfs, 0755) < 0 || mkdir(c->upper, 0755) < 0 || mkdir(c->work, 0700) < 0)
        return md_error(err, errno, "create %s", c->dir);
    return add_init_layer(c, err);
}

static int reserve_name(struct run_ctx *c, md_error_t **err)
{
    for (int i = 0; c->o->name == NULL && i < 10; i++) {
        free(c->name);
        c->name = md_generate_name(i);
        if (c->name && md_name_reserve(c->name, c->id, NULL) == 0) {
            c->name_reserved = 1;
            return 0;
        }
    }
    if (c->o->name == NULL) return md_error(err, 0, "could not generate a container name");
    c->name = md_xstrdup(c->o->name + (c->o->name[0] == '/')); /* docker accepts "/web" */
    int r = md_name_reserve(c->name, c->id, err);
    c->name_reserved = r == 0;
    return r;
}

static char *host_hostname(void)
{
    char buf[256] = "";
    gethostname(buf, sizeof(buf) - 1);
    return strdup(buf);
}

static int build_spec(struct run_ctx *c, md_error_t **err)
{
    cleanup_free char *cgpath = md_res_cgroups_path(&c->o->res, c->id);
    if (cgpath == NULL) return md_error(err, ENOMEM, "cgroups path");
    struct winsize ws = {0};
    if (c->o->tty) ioctl(STDIN_FILENO, TIOCGWINSZ, &ws);
    struct md_specgen_in in = {
        .opts = c->o,
        .hostname = c->hostname,
        .image_config = image_config(c),
        .rootfs = c->rootfs,
        .overlay_lower = c->lower,
        .overlay_upper = c->upper,
        .overlay_work = c->work,
        .etc_dir = c->host_root ? NULL : c->dir,
        .user = &c->user,
        .host_root = c->host_root,
        .rows = ws.ws_row,
        .cols = ws.ws_col,
        .host_caps = md_caps_host_bounding(),
        .cgroups_path = cgpath,
        .resources = c->resources,
        .vmounts = c->vmounts,
        .n_vmounts = c->n_vmounts,
    };
    int r = md_specgen(&in, &c->doc, err);
    if (r < 0) return r;
    cleanup_free char *path = NULL;
    if (sub(&path, c->dir, "config.json") < 0) return md_error(err, ENOMEM, "config.json");
    const char *text = json_object_to_json_string_ext(c->doc, JSON_C_TO_STRING_PLAIN |
                                                                  JSON_C_TO_STRING_NOSLASHESCAPE);
    return md_write_file_atomic(path, text, strlen(text), 0600, 0, err);
}

static char *now_rfc3339(void)
{
    return md_time_rfc3339(md_now_ns());
}

static void jset_str(struct json_object *o, const char *k, const char *v)
{
    json_object_object_add(o, k, v ? json_object_new_string(v) : NULL);
}

static struct json_object *restart_policy_json(const char *spec)
{
    struct json_object *p = json_object_new_object();
    char name[32] = "no";
    int max = 0;
    if (spec) {
        snprintf(name, sizeof(name), "%.*s", (int)strcspn(spec, ":"), spec);
        if (strchr(spec, ':')) max = atoi(strchr(spec, ':') + 1);
    }
    jset_str(p, "Name", name);
    json_object_object_add(p, "MaximumRetryCount", json_object_new_int(max));
    return p;
}

static struct json_object *log_config_json(const struct md_run_opts *o)
{
    struct json_object *lc = json_object_new_object(), *cfg = json_object_new_object();
    jset_str(lc, "Type", o->log_driver ? o->log_driver : "json-file");
    for (char **kv = o->log_opts; kv && *kv; kv++) {
        char *eq = strchr(*kv, '=');
        cleanup_free char *k = md_xstrndup(*kv, (size_t)(eq - *kv));
        json_object_object_add(cfg, k, json_object_new_string(eq + 1));
    }
    json_object_object_add(lc, "Config", cfg);
    return lc;
}

/* docker's Config.Labels: the image's, then the container's (-l wins) */
static struct json_object *labels_json(struct json_object *image_cfg, char **labels)
{
    struct json_object *il = NULL;
    if (image_cfg) json_object_object_get_ex(image_cfg, "Labels", &il);
    return md_labels_json(il, labels);
}

static struct json_object *record_new(struct run_ctx *c)
{
    struct json_object *r = json_object_new_object(), *cfg = json_object_new_object();
    struct json_object *hc = json_object_new_object(), *st = json_object_new_object(), *proc;
    cleanup_free char *now = now_rfc3339(), *nm = NULL;
    if (asprintf(&nm, "/%s", c->name) < 0) nm = NULL;
    jset_str(r, "Id", c->id);
    jset_str(r, "Created", now);
    json_object_object_get_ex(c->doc, "process", &proc);
    struct json_object *args = NULL, *env = NULL;
    json_object_object_get_ex(proc, "args", &args);
    json_object_object_get_ex(proc, "env", &env);
    jset_str(r, "Path", json_object_get_string(json_object_array_get_idx(args, 0)));
    struct json_object *rest = json_object_new_array();
    for (size_t i = 1; i < json_object_array_length(args); i++)
        json_object_array_add(rest, json_object_get(json_object_array_get_idx(args, i)));
    json_object_object_add(r, "Args", rest);
    jset_str(r, "Image", c->image ? c->image->id : "");
    jset_str(r, "image_id", c->image ? c->image->id : "");
    /* ours too: the exit, rm, stats and pause need it, and config.json is 10 kB to parse */
    struct json_object *lx = NULL, *cgp = NULL;
    if (json_object_object_get_ex(c->doc, "linux", &lx) &&
        json_object_object_get_ex(lx, "cgroupsPath", &cgp))
        json_object_object_add(r, "cgroup_path", json_object_get(cgp));
    jset_str(r, "Name", nm);
    jset_str(cfg, "Hostname", c->hostname);
    jset_str(cfg, "Image", c->o->image ? c->o->image : c->o->rootfs);
    json_object_object_add(cfg, "Env", json_object_get(env));
    json_object_object_add(cfg, "Cmd", json_object_get(args));
    json_object_object_add(cfg, "Tty", json_object_new_boolean(c->o->tty));
    json_object_object_add(cfg, "OpenStdin", json_object_new_boolean(c->o->interactive));
    jset_str(cfg, "StopSignal", c->o->stop_signal);
    json_object_object_add(cfg, "Labels", labels_json(image_config(c), c->o->labels));
    struct json_object *hcheck = md_health_config(&c->o->health, image_config(c));
    if (hcheck) json_object_object_add(cfg, "Healthcheck", hcheck);
    json_object_object_add(r, "Config", cfg);
    json_object_object_add(hc, "AutoRemove", json_object_new_boolean(c->o->rm));
    json_object_object_add(hc, "StorageOpt", storage_opt_object(c->o->storage_opts));
    json_object_object_add(hc, "Runtime",
                           json_object_new_string(c->o->runtime ? c->o->runtime : "runc"));
    json_object_object_add(hc, "Privileged", json_object_new_boolean(c->o->privileged));
    json_object_object_add(hc, "ReadonlyRootfs", json_object_new_boolean(c->o->read_only));
    json_object_object_add(hc, "Init", json_object_new_boolean(c->o->init));
    jset_str(hc, "NetworkMode", c->o->network ? c->o->network : "none");
    json_object_object_add(hc, "RestartPolicy", restart_policy_json(c->o->restart));
    json_object_object_add(hc, "LogConfig", log_config_json(c->o));
    md_res_to_hostconfig(&c->o->res, hc);
    md_sys_to_hostconfig(&c->o->sys, hc);
    jset_str(cfg, "Domainname", c->o->sys.domainname ? c->o->sys.domainname : "");
    if (c->o->sys.has_stop_timeout)
        json_object_object_add(cfg, "StopTimeout", json_object_new_int(c->o->sys.stop_timeout));
    json_object_object_add(r, "RestartCount", json_object_new_int(0));
    json_object_object_add(cfg, "AttachStdin",
                           json_object_new_boolean(c->o->interactive && !c->o->detach));
    json_object_object_add(cfg, "StdinOnce",
                           json_object_new_boolean(c->o->interactive && !c->o->detach));
    json_object_object_add(r, "HostConfig", hc);
    json_object_object_add(r, "Mounts", md_vmounts_record(c->vmounts, c->n_vmounts));
    struct md_record_paths paths = {c->dir, c->lower, c->upper, c->work, c->rootfs};
    md_record_fields(r, c->o, image_config(c), &paths);
    jset_str(st, "Status", "created");
    json_object_object_add(r, "State", st);
    return r;
}

static void run_ctx_free(struct run_ctx *c)
{
    free(c->name);
    free(c->hostname);
    free(c->dir);
    free(c->rootfs);
    free(c->upper);
    free(c->work);
    free(c->lower);
    md_image_free(c->image);
    md_user_clear(&c->user);
    md_vmounts_free(c->vmounts, c->n_vmounts);
    json_object_put(c->doc);
    json_object_put(c->record);
    json_object_put(c->resources);
}

/* Undo whatever part of the container exists. */
static void discard(struct run_ctx *c)
{
    md_error_t *e = NULL;
    if (c->dir) md_rm_rf(c->dir, &e);
    md_error_free(&e);
    if (c->name_reserved) md_name_release(c->name);
    for (size_t i = 0; i < c->n_vmounts; i++)
        if (c->vmounts[i].anonymous) md_volume_remove(c->vmounts[i].name, 1, NULL);
    if (c->autoremove_fd >= 0) md_autoremove_release(c->id, c->autoremove_fd);
    c->autoremove_fd = -1;
}

/* --network given more than once: the others as `network connect` does to a created one */
static int connect_more(struct run_ctx *c, md_error_t **err)
{
    struct md_ctr *made = NULL;
    int r = md_ctr_load_id(c->id, &made, err);
    for (char **n = c->o->networks; r == 0 && *n; n++)
        r = md_net_connect(made, *n, NULL, NULL, err);
    if (r == 0) r = md_ctr_save(made, err);
    if (r == 0) { /* the record saved here is the one the start reads */
        json_object_put(c->record);
        c->record = json_object_get(made->record);
    }
    md_ctr_free(made);
    return r;
}

static int create_container(struct run_ctx *c, md_error_t **err)
{
    int r = resolve_source(c, err);
    md_trace("create: source");
    if (r == 0) r = md_new_container_id(c->id, err);
    if (r == 0) r = reserve_name(c, err);
    if (r < 0) return r;
    int host_uts = (c->o->network && strcmp(c->o->network, "host") == 0) ||
                   (c->o->sys.uts && strcmp(c->o->sys.uts, "host") == 0);
    c->hostname = c->o->hostname ? strdup(c->o->hostname)
                  : host_uts     ? host_hostname()
                                 : strndup(c->id, 12);
    if (c->o->rm && !c->o->detach) c->autoremove_fd = r = md_autoremove_hold(c->id, err);
    md_trace("create: named");
    if (r >= 0) r = prepare_dirs(c, err);
    md_trace("create: dirs");
    if (r == 0 && !c->host_root)
        r = md_write_etc_files(c->dir, c->hostname,
                               c->o->network && strcmp(c->o->network, "host") == 0, err);
    if (r == 0 && !c->host_root) r = md_net_etc_files(c->dir, &c->o->net, err);
    md_trace("create: etc files");
    if (r == 0) r = resolve_user(c, err);
    if (r == 0 && !c->host_root)
        r = md_volumes_resolve(c->o, image_config(c), &c->vmounts, &c->n_vmounts, err);
    md_trace("create: volumes");
    if (r == 0) r = build_spec(c, err);
    md_trace("create: spec");
    if (r == 0 && (c->record = record_new(c)) == NULL)
        r = md_error(err, ENOMEM, "container record");
    if (r == 0) r = md_net_record_init(c->record, c->o->network, &c->o->net, image_config(c), err);
    md_trace("create: record built");
    if (r == 0) r = md_ctr_write_record(c->dir, c->record, err);
    md_trace("create: record written");
    if (r == 0 && c->o->networks) r = connect_more(c, err);
    if (r == 0) {
        struct md_ctr made = {.name = c->name, .record = c->record};
        memcpy(made.id, c->id, sizeof(made.id));
        md_event_container(&made, "create", NULL);
    }
    return r;
}

static int check_opts(struct md_run_opts *o, md_error_t **err)
{
    if (o->rm && o->restart && strcmp(o->restart, "no") != 0)
        return md_error(err, 0, "Conflicting options: --restart and --rm");
    if (md_net_check_opts(&o->network, o->hostname, &o->net, err) < 0) return -1;
    if (md_health_opts_check(&o->health, err) < 0) return -1;
    return md_sys_opts_check(&o->sys, o->hostname, o->network, err);
}

int md_engine_create(struct md_run_opts *o, char id[65], int *autoremove_fd, md_error_t **err)
{
    return md_engine_create_made(o, id, autoremove_fd, NULL, err);
}

void md_made_clear(struct md_made *m)
{
    json_object_put(m->record);
    json_object_put(m->spec);
    free(m->name);
    memset(m, 0, sizeof(*m));
}

int md_engine_create_made(struct md_run_opts *o, char id[65], int *autoremove_fd,
                          struct md_made *made, md_error_t **err)
{
    struct run_ctx c = {.o = o, .autoremove_fd = -1};
    md_autoremove_sweep();
    /* the seeds' `run -it /bin/sh`: a new network namespace with only lo */
    if (o->image && o->image[0] == '/' && o->network == NULL) o->network = strdup("none");
    int r = check_opts(o, err);
    for (char **w = o->warnings; r == 0 && w && *w; w++)
        md_warn(&o->warn, "%s", *w);
    if (r == 0) /* every resource flag is checked before anything exists */
        r = md_res_prepare(&o->res, &o->warn, &c.resources, err);
    if (r == 0) r = create_container(&c, err);
    if (r < 0)
        discard(&c);
    else
        memcpy(id, c.id, 65);
    if (r == 0 && made) {
        made->record = json_object_get(c.record);
        made->spec = json_object_get(c.doc);
        made->name = md_xstrdup(c.name);
    }
    if (r == 0 && o->created.fn) o->created.fn(o->created.data, id);
    if (autoremove_fd)
        *autoremove_fd = c.autoremove_fd;
    else if (c.autoremove_fd >= 0)
        close(c.autoremove_fd);
    run_ctx_free(&c);
    return r;
}
