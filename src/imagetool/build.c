/* build: stages, the instruction dispatch, ARG scoping, FROM and the export (build.h) */
#include "imagetool/build.h"

#include <ctype.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/store.h"
#include "imagetool/build_int.h"
#include "imagetool/image_write.h"
#include "imagetool/pull.h"
#include "manifest.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"
#include "util/xalloc.h"

/* ---- progress ---- */

double md_build_secs(const struct build *b)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - b->t0.tv_sec) + (double)(t.tv_nsec - b->t0.tv_nsec) / 1e9;
}

void md_build_emit(struct build *b, enum md_build_ev_type type, const char *text)
{
    if (b->o->progress == NULL) return;
    struct md_build_event ev = {.type = type, .n = b->n, .text = text, .secs = md_build_secs(b)};
    b->o->progress(b->o->data, &ev);
}

static const char *stage_label(struct build *b, struct build_stage *s, char *buf, size_t len)
{
    if (b->n_st == 1) return NULL;
    if (s->name) return s->name;
    snprintf(buf, len, "stage-%d", (int)(s - b->st));
    return buf;
}

void md_build_step(struct build *b, struct build_stage *s, const char *text)
{
    char label[32];
    b->n++;
    s->step++;
    clock_gettime(CLOCK_MONOTONIC, &b->t0);
    if (b->o->progress == NULL) return;
    struct md_build_event ev = {.type = MD_BEV_STEP,
                                .n = b->n,
                                .k = s->step,
                                .total = s->steps,
                                .text = text,
                                .name = stage_label(b, s, label, sizeof(label))};
    b->o->progress(b->o->data, &ev);
}

void md_build_history(struct build *b, struct build_stage *s, const char *created_by)
{
    json_object *h, *e = json_object_new_object();
    if (!json_object_object_get_ex(s->root, "history", &h)) {
        h = json_object_new_array();
        json_object_object_add(s->root, "history", h);
    }
    char now[64];
    if (b->created)
        snprintf(now, sizeof(now), "%s", b->created);
    else
        md_rfc3339_now(now, sizeof(now));
    json_object_object_add(e, "created", json_object_new_string(now));
    json_object_object_add(e, "created_by", json_object_new_string(created_by));
    json_object_object_add(e, "comment", json_object_new_string("buildkit.dockerfile.v0"));
    json_object_object_add(e, "empty_layer", json_object_new_boolean(1));
    json_object_array_add(h, e);
    s->dirty = 1;
}

/* ---- ARG ---- */

static const char *kv_find(char *const *v, const char *name, size_t len)
{
    for (; v && *v; v++)
        if (strncmp(*v, name, len) == 0 && ((*v)[len] == '=' || (*v)[len] == '\0')) return *v;
    return NULL;
}

static void kv_set(char ***v, const char *name, const char *val)
{
    size_t len = strlen(name);
    cleanup_free char *kv = NULL;
    if (asprintf(&kv, "%s=%s", name, val) < 0) md_oom();
    for (char **p = *v; p && *p; p++)
        if (strncmp(*p, name, len) == 0 && (*p)[len] == '=') {
            free(*p);
            *p = md_steal_ptr(&kv);
            return;
        }
    md_strv_append(v, kv);
}

/* --build-arg K=V, or K alone: its value from our environment (unset: not given) */
static const char *build_arg(struct build *b, const char *name)
{
    const char *kv = kv_find(b->o->build_args, name, strlen(name));
    if (kv == NULL) return NULL;
    if (!kv_find(b->used_args, name, strlen(name))) md_strv_append(&b->used_args, name);
    return kv[strlen(name)] == '=' ? kv + strlen(name) + 1 : getenv(name);
}

/* BuildKit's automatic platform ARGs: a declaration without a value gets this host's */
static const char *platform_arg(const char *name)
{
    static const char *const v[][2] = {{"TARGETPLATFORM", "linux/amd64"},
                                       {"TARGETOS", "linux"},
                                       {"TARGETARCH", "amd64"},
                                       {"TARGETVARIANT", ""},
                                       {"BUILDPLATFORM", "linux/amd64"},
                                       {"BUILDOS", "linux"},
                                       {"BUILDARCH", "amd64"},
                                       {"BUILDVARIANT", ""}};
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
        if (strcmp(v[i][0], name) == 0) return v[i][1];
    return NULL;
}

int md_build_proxy_arg(const char *kv)
{
    static const char *const names[] = {"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy",
                                        "FTP_PROXY",  "ftp_proxy",  "NO_PROXY",    "no_proxy",
                                        "ALL_PROXY",  "all_proxy",  NULL};
    size_t n = strcspn(kv, "=");
    for (const char *const *p = names; *p; p++)
        if (strlen(*p) == n && strncmp(*p, kv, n) == 0) return 1;
    return 0;
}

/* ARG a[=default] b ... : inside a stage a bare name takes the global ARG's value */
static int do_arg(struct build *b, char ***scope, json_object *cfg, const char *args,
                  md_error_t **err)
{
    cleanup_strv char **words = NULL;
    if (md_changes_words(args, cfg, *scope, &words, err) < 0) return -1;
    if (words[0] == NULL) return md_error(err, 0, "ARG requires exactly one argument");
    for (char **w = words; *w; w++) {
        char *eq = strchr(*w, '=');
        if (eq) *eq = '\0';
        const char *given = build_arg(b, *w);
        const char *global =
            scope != &b->global_args ? kv_find(b->global_args, *w, strlen(*w)) : NULL;
        const char *val = given                           ? given
                          : eq                            ? eq + 1
                          : global && strchr(global, '=') ? strchr(global, '=') + 1
                                                          : platform_arg(*w);
        if (val) kv_set(scope, *w, val);
    }
    return 0;
}

/* ---- stages ---- */

/* "image [AS name]" of a FROM, expanded with the global ARGs */
static int from_words(struct build *b, const char *args, char ***words, md_error_t **err)
{
    json_object *none = json_object_new_object();
    int r = md_changes_words(args, none, b->global_args, words, err);
    json_object_put(none);
    if (r < 0) return r;
    size_t n = md_strv_len(*words);
    if (n == 1 || (n == 3 && strcasecmp((*words)[1], "as") == 0)) return 0;
    return md_error(err, 0, "FROM requires either one or three arguments");
}

static struct build_stage *stage_named(struct build *b, const char *name, size_t before)
{
    for (size_t i = 0; i < before && i < b->n_st; i++)
        if (b->st[i].name && strcasecmp(b->st[i].name, name) == 0) return &b->st[i];
    char *end;
    unsigned long i = strtoul(name, &end, 10);
    if (*name && *end == '\0' && i < before) return &b->st[i];
    return NULL;
}

static int plan_stages(struct build *b, md_error_t **err)
{
    for (size_t i = 0; i < b->df.n; i++) {
        struct md_df_instr *in = &b->df.v[i];
        if (strcmp(in->cmd, "from") != 0) {
            if (b->n_st == 0 && strcmp(in->cmd, "arg") != 0)
                return md_error(err, 0, "no build stage in current context");
            if (b->n_st &&
                (!strcmp(in->cmd, "run") || !strcmp(in->cmd, "copy") || !strcmp(in->cmd, "add")))
                b->st[b->n_st - 1].steps++;
            if (b->n_st) b->st[b->n_st - 1].last = i + 1;
            continue;
        }
        b->st = realloc(b->st, (b->n_st + 1) * sizeof(*b->st));
        if (b->st == NULL) md_oom();
        struct build_stage *s = &b->st[b->n_st++];
        *s = (struct build_stage){.first = i, .last = i + 1, .steps = 1};
        cleanup_strv char **w = NULL;
        if (md_changes_words(in->args, NULL, NULL, &w, err) < 0) return -1;
        if (md_strv_len(w) == 3) {
            s->name = md_xstrdup(w[2]);
            for (char *p = s->name; *p; p++)
                *p = (char)tolower((unsigned char)*p);
        }
    }
    if (b->n_st == 0) return md_error(err, 0, "no build stage in current context");
    return 0;
}

static const char *flag_value(char *const *flags, const char *name)
{
    size_t n = strlen(name);
    for (; flags && *flags; flags++)
        if (strncmp(*flags, name, n) == 0 && (*flags)[n] == '=') return *flags + n + 1;
    return NULL;
}

/* the stages the target needs: itself, the stages its FROM and COPY --from name */
static void mark_needed(struct build *b, size_t k)
{
    struct build_stage *s = &b->st[k];
    if (s->needed) return;
    s->needed = 1;
    for (size_t i = s->first; i < s->last; i++) {
        struct md_df_instr *in = &b->df.v[i];
        const char *from = strcmp(in->cmd, "from") == 0 ? NULL : flag_value(in->flags, "--from");
        cleanup_strv char **w = NULL;
        if (strcmp(in->cmd, "from") == 0 && md_changes_words(in->args, NULL, NULL, &w, NULL) == 0 &&
            w[0])
            from = w[0];
        struct build_stage *dep = from ? stage_named(b, from, k) : NULL;
        if (dep) mark_needed(b, (size_t)(dep - b->st));
    }
}

static int target_stage(struct build *b, size_t *k, md_error_t **err)
{
    *k = b->n_st - 1;
    if (b->o->target == NULL) return 0;
    struct build_stage *s = stage_named(b, b->o->target, b->n_st);
    if (s == NULL || s->name == NULL)
        return md_error(err, 0, "failed to reach build target %s in Dockerfile", b->o->target);
    *k = (size_t)(s - b->st);
    return 0;
}

/* ---- FROM ---- */

static json_object *scratch_root(void)
{
    return json_tokener_parse("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},"
                              "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"history\":[]}");
}

static int base_image(struct build *b, const char *ref, char **id, md_error_t **err)
{
    md_error_t *miss = NULL;
    if (!b->o->pull && md_image_resolve(ref, id, NULL, &miss) == 0) return 0;
    md_error_free(&miss);
    struct md_pull_opts po = {0};
    if (md_image_pull(ref, &po, NULL, err) < 0) return -1;
    return md_image_resolve(ref, id, NULL, err);
}

int md_build_adopt(struct build_stage *s, const char *id, md_error_t **err)
{
    cleanup_free char *text = NULL;
    size_t len;
    if (md_store_read_blob(id, &text, &len, err) < 0) return -1;
    json_object *root = json_tokener_parse(text);
    if (root == NULL) return md_error(err, 0, "image %s: bad config", id);
    json_object_put(s->root);
    s->root = root;
    free(s->image_id);
    s->image_id = md_xstrdup(id);
    s->dirty = 0;
    return 0;
}

static json_object *config_of(struct build_stage *s)
{
    json_object *cfg;
    if (!json_object_object_get_ex(s->root, "config", &cfg) ||
        !json_object_is_type(cfg, json_type_object)) {
        cfg = json_object_new_object();
        json_object_object_add(s->root, "config", cfg);
    }
    return cfg;
}

static int dispatch(struct build *b, struct build_stage *s, struct md_df_instr *in,
                    md_error_t **err);

/* the base image's ONBUILD triggers run right after the FROM, then are dropped */
static int run_onbuild(struct build *b, struct build_stage *s, md_error_t **err)
{
    json_object *cfg = config_of(s), *ob = NULL;
    if (!json_object_object_get_ex(cfg, "OnBuild", &ob) ||
        !json_object_is_type(ob, json_type_array))
        return 0;
    json_object_get(ob);
    json_object_object_del(cfg, "OnBuild");
    int r = 0;
    for (size_t i = 0; r == 0 && i < json_object_array_length(ob); i++) {
        struct md_df_instr in;
        r = md_df_parse_line(json_object_get_string(json_object_array_get_idx(ob, i)), &in, err);
        if (r == 0) r = dispatch(b, s, &in, err);
        md_df_instr_clear(&in);
    }
    json_object_put(ob);
    return r;
}

static int do_from(struct build *b, struct build_stage *s, struct md_df_instr *in, md_error_t **err)
{
    const char *platform = flag_value(in->flags, "--platform");
    if (platform && strcmp(platform, "linux/amd64") != 0 && strcmp(platform, "linux") != 0)
        return md_error(err, 0, "FROM --platform=%s: only linux/amd64 images run here", platform);
    cleanup_strv char **w = NULL;
    if (from_words(b, in->args, &w, err) < 0) return -1;
    cleanup_free char *text = NULL;
    if (asprintf(&text, "FROM %s", w[0]) < 0) md_oom();
    md_build_step(b, s, text);
    struct build_stage *prev = stage_named(b, w[0], (size_t)(s - b->st));
    cleanup_free char *id = NULL;
    if (prev) {
        if (prev->dirty || prev->image_id == NULL) {
            json_object_deep_copy(prev->root, &s->root, NULL);
            s->image_id = prev->image_id ? md_xstrdup(prev->image_id) : NULL;
            s->dirty = 1;
        } else if (md_build_adopt(s, prev->image_id, err) < 0) {
            return -1;
        }
        memcpy(s->key, prev->key, sizeof(s->key));
    } else if (strcasecmp(w[0], "scratch") == 0) {
        s->root = scratch_root();
        md_build_key(s->key, "", "scratch");
    } else {
        if (base_image(b, w[0], &id, err) < 0) return -1;
        if (md_build_adopt(s, id, err) < 0) return -1;
        md_build_key(s->key, "", id);
    }
    md_build_emit(b, MD_BEV_DONE, NULL);
    return run_onbuild(b, s, err);
}

/* ---- the other instructions ---- */

static int do_config(struct build *b, struct build_stage *s, struct md_df_instr *in,
                     md_error_t **err)
{
    cleanup_free char *line = NULL;
    if (asprintf(&line, "%s %s", in->cmd, in->args) < 0) md_oom();
    s->ctx.args = s->args;
    if (md_changes_apply_one(config_of(s), line, &s->ctx, err) < 0) return -1;
    md_build_key(s->key, s->key, in->text);
    md_build_history(b, s, in->text);
    return 0;
}

static int do_string_list(struct build *b, struct build_stage *s, struct md_df_instr *in,
                          const char *key, md_error_t **err)
{
    json_object *a = json_tokener_parse(in->args);
    if (a == NULL || !json_object_is_type(a, json_type_array)) {
        json_object_put(a);
        return md_error(err, 0, "%s requires the arguments to be in JSON form", in->cmd);
    }
    json_object_object_add(config_of(s), key, a);
    md_build_key(s->key, s->key, in->text);
    md_build_history(b, s, in->text);
    return 0;
}

static int do_onbuild(struct build *b, struct build_stage *s, struct md_df_instr *in,
                      md_error_t **err)
{
    struct md_df_instr trig;
    if (md_df_parse_line(in->args, &trig, err) < 0) return -1;
    int bad = !strcmp(trig.cmd, "onbuild") || !strcmp(trig.cmd, "from") ||
              !strcmp(trig.cmd, "maintainer");
    if (bad) md_error(err, 0, "%s isn't allowed as an ONBUILD trigger", trig.cmd);
    md_df_instr_clear(&trig);
    if (bad) return -1;
    json_object *cfg = config_of(s), *ob;
    if (!json_object_object_get_ex(cfg, "OnBuild", &ob) ||
        !json_object_is_type(ob, json_type_array)) {
        ob = json_object_new_array();
        json_object_object_add(cfg, "OnBuild", ob);
    }
    json_object_array_add(ob, json_object_new_string(in->args));
    md_build_key(s->key, s->key, in->text);
    md_build_history(b, s, in->text);
    return 0;
}

static int dispatch(struct build *b, struct build_stage *s, struct md_df_instr *in,
                    md_error_t **err)
{
    const char *c = in->cmd;
    if (!strcmp(c, "run")) return md_build_run(b, s, in, err);
    if (!strcmp(c, "copy") || !strcmp(c, "add")) return md_build_copy(b, s, in, err);
    if (!strcmp(c, "arg")) return do_arg(b, &s->args, config_of(s), in->args, err);
    if (!strcmp(c, "shell")) return do_string_list(b, s, in, "Shell", err);
    if (!strcmp(c, "onbuild")) return do_onbuild(b, s, in, err);
    if (!strcmp(c, "healthcheck")) return md_build_healthcheck(b, s, in, err);
    if (!strcmp(c, "maintainer")) {
        json_object_object_add(s->root, "author", json_object_new_string(in->args));
        md_build_history(b, s, in->text);
        return 0;
    }
    static const char *const config[] = {"env",    "label", "expose",     "user",       "workdir",
                                         "volume", "cmd",   "entrypoint", "stopsignal", NULL};
    for (const char *const *k = config; *k; k++)
        if (!strcmp(c, *k)) return do_config(b, s, in, err);
    if (!strcmp(c, "from")) return do_from(b, s, in, err);
    return md_error(err, 0, "unknown instruction: %s", in->text);
}

static int build_stage(struct build *b, struct build_stage *s, md_error_t **err)
{
    for (size_t i = s->first; i < s->last; i++) {
        struct md_df_instr *in = &b->df.v[i];
        if (dispatch(b, s, in, err) < 0) {
            if (b->o->progress) {
                struct md_build_event ev = {
                    .type = MD_BEV_FAILED_AT, .n = b->n, .k = in->line, .text = in->text};
                b->o->progress(b->o->data, &ev);
            }
            return -1;
        }
    }
    s->built = 1;
    return 0;
}

/* ---- export ---- */

static int apply_labels(struct build *b, struct build_stage *s, md_error_t **err)
{
    for (char **l = b->o->labels; l && *l; l++) {
        json_object *cfg = config_of(s), *labels;
        if (!json_object_object_get_ex(cfg, "Labels", &labels) || labels == NULL) {
            labels = json_object_new_object();
            json_object_object_add(cfg, "Labels", labels);
        }
        const char *eq = strchr(*l, '=');
        cleanup_free char *k = strndup(*l, eq ? (size_t)(eq - *l) : strlen(*l));
        if (k == NULL) md_oom();
        json_object_object_add(labels, k, json_object_new_string(eq ? eq + 1 : ""));
        md_build_key(s->key, s->key, *l);
        s->dirty = 1;
    }
    (void)err;
    return 0;
}

static int export_image(struct build *b, struct build_stage *s, char id[72], md_error_t **err)
{
    b->n++;
    clock_gettime(CLOCK_MONOTONIC, &b->t0);
    if (apply_labels(b, s, err) < 0) return -1;
    char key[65];
    md_build_key(key, s->key, "export");
    if (!s->dirty && s->image_id) {
        snprintf(id, 72, "%s", s->image_id);
    } else if (b->o->no_cache || md_build_cache_get(b, key, id) < 0) {
        struct md_image_write w = {.parent_id = s->image_id,
                                   .root = s->root,
                                   .layer_fd = -1,
                                   .created = b->created,
                                   .no_history = 1};
        if (md_image_write(&w, id, err) < 0) return -1;
        md_build_cache_put(key, id);
    }
    md_build_emit(b, MD_BEV_EXPORT, id);
    for (char **t = b->o->tags; t && *t; t++) {
        cleanup_free char *name = md_image_normalize_ref(*t, err);
        if (name == NULL || md_image_tag(id, name, err) < 0) return -1;
        md_build_emit(b, MD_BEV_TAG, name);
    }
    md_build_emit(b, MD_BEV_DONE, NULL);
    return 0;
}

static void unused_args_warning(struct build *b)
{
    cleanup_strv char **unused = md_strv_dup(NULL);
    for (char **a = b->o->build_args; a && *a; a++) {
        size_t n = strcspn(*a, "=");
        cleanup_free char *name = strndup(*a, n);
        if (md_build_proxy_arg(*a)) continue; /* predefined: RUN sees them undeclared */
        if (name && !md_strv_contains(b->used_args, name)) md_strv_append(&unused, name);
    }
    if (md_strv_len(unused) == 0) return;
    cleanup_free char *list = md_strv_join(unused, " "), *text = NULL;
    if (asprintf(&text, "One or more build-args [%s] were not consumed", list) < 0) md_oom();
    md_build_emit(b, MD_BEV_WARN, text);
}

/* mounts of image views die with this process: a namespace of its own */
static int private_mounts(struct build *b, md_error_t **err)
{
    if (unshare(CLONE_NEWNS) < 0) return md_error(err, errno, "unshare mount namespace");
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        return md_error(err, errno, "make mounts private");
    char dir[4096];
    if (md_image_path(dir, sizeof(dir), "tmp") < 0) return md_error(err, ENAMETOOLONG, "tmp");
    mkdir(dir, 0700);
    if (asprintf(&b->mnt_root, "%s/build-%d", dir, (int)getpid()) < 0) md_oom();
    if (mkdir(b->mnt_root, 0700) < 0 && errno != EEXIST)
        return md_error(err, errno, "mkdir %s", b->mnt_root);
    return 0;
}

static void source_date(struct build *b)
{
    const char *e = getenv("SOURCE_DATE_EPOCH");
    char *end;
    long long t = e ? strtoll(e, &end, 10) : -1;
    if (e == NULL || *e == '\0' || *end || t < 0) return;
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(b->created_buf, sizeof(b->created_buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
    b->created = b->created_buf;
}

static int run_build(struct build *b, char id[72], md_error_t **err)
{
    size_t target;
    int r = md_dockerfile_parse(b->o->dockerfile, &b->df, err);
    if (r == 0) r = plan_stages(b, err);
    if (r == 0) r = target_stage(b, &target, err);
    if (r == 0) r = md_ignore_load(b->o->context, &b->ignore, err);
    if (r == 0) r = private_mounts(b, err);
    json_object *none = json_object_new_object();
    for (size_t i = 0; r == 0 && i < b->st[0].first; i++)
        r = do_arg(b, &b->global_args, none, b->df.v[i].args, err);
    json_object_put(none);
    if (r == 0) mark_needed(b, target);
    for (size_t i = 0; r == 0 && i <= target; i++)
        if (b->st[i].needed) r = build_stage(b, &b->st[i], err);
    if (r == 0) r = export_image(b, &b->st[target], id, err);
    if (r == 0) unused_args_warning(b);
    return r;
}

int md_build(const struct md_build_opts *o, char id[72], md_error_t **err)
{
    struct build b = {.o = o};
    clock_gettime(CLOCK_MONOTONIC, &b.t0);
    source_date(&b);
    int r = run_build(&b, id, err);
    for (size_t i = 0; i < b.n_st; i++) {
        free(b.st[i].name), free(b.st[i].image_id);
        json_object_put(b.st[i].root);
        md_strv_free(b.st[i].args);
    }
    free(b.st);
    md_dockerfile_free(&b.df);
    md_strv_free(b.global_args), md_strv_free(b.used_args);
    md_ignore_free(&b.ignore);
    if (b.mnt_root) md_rm_rf(b.mnt_root, NULL); /* the views are unmounted: env secrets */
    free(b.mnt_root);
    return r;
}
