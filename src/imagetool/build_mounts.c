/* RUN --mount (BuildKit's): bind (the context, or a stage or image with from=), cache (a
 * directory kept across builds under <image root>/buildmounts), tmpfs, secret (a file of
 * --secret, read-only, never in a layer). Each becomes a mount of the step's container; the
 * mount points the step's container needed that the image lacked are removed from the layer
 * afterwards, as BuildKit leaves none. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/store.h"
#include "imagetool/build_files.h"
#include "imagetool/build_int.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"
#include "util/xalloc.h"

struct mount_opts {
    char *type, *target, *source, *from, *id, *mode, *uid, *gid, *size;
    int readonly, required;
};

static void opts_clear(struct mount_opts *m)
{
    free(m->type), free(m->target), free(m->source), free(m->from), free(m->id);
    free(m->mode), free(m->uid), free(m->gid), free(m->size);
}

static int set_opt(struct mount_opts *m, const char *k, const char *v, md_error_t **err)
{
    static const char *const names[] = {"type", "target", "dst", "destination", "source",
                                        "src",  "from",   "id",  "mode",        "uid",
                                        "gid",  "size",   NULL};
    char **slots[] = {&m->type, &m->target, &m->target, &m->target, &m->source, &m->source,
                      &m->from, &m->id,     &m->mode,   &m->uid,    &m->gid,    &m->size};
    int yes = v == NULL || strcmp(v, "true") == 0;
    if (!strcmp(k, "readonly") || !strcmp(k, "ro")) return m->readonly = yes, 0;
    if (!strcmp(k, "rw") || !strcmp(k, "readwrite")) return m->readonly = !yes, 0;
    if (!strcmp(k, "required")) return m->required = yes, 0;
    if (!strcmp(k, "sharing")) return 0; /* one build at a time uses a cache dir here */
    for (size_t i = 0; names[i]; i++)
        if (strcmp(k, names[i]) == 0 && v) {
            free(*slots[i]);
            *slots[i] = md_xstrdup(v);
            return 0;
        }
    return md_error(err, 0, "unexpected key '%s' in '--mount'", k);
}

static int parse_mount(const char *spec, struct mount_opts *m, md_error_t **err)
{
    cleanup_free char *s = md_xstrdup(spec);
    *m = (struct mount_opts){0};
    for (char *save = NULL, *t = strtok_r(s, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(t, '=');
        if (eq) *eq++ = '\0';
        if (set_opt(m, t, eq, err) < 0) return -1;
    }
    if (m->type == NULL) m->type = md_xstrdup("bind");
    if (strcmp(m->type, "bind") == 0 && !strstr(spec, "rw")) m->readonly = 1; /* BuildKit's */
    if (strcmp(m->type, "bind") && strcmp(m->type, "cache") && strcmp(m->type, "tmpfs") &&
        strcmp(m->type, "secret"))
        return md_error(err, 0, "RUN --mount=type=%s is not supported", m->type);
    if (m->target == NULL && strcmp(m->type, "secret") != 0)
        return md_error(err, 0, "mount target must be specified: %s", spec);
    return 0;
}

struct run_mounts_ctx {
    struct build *b;
    struct build_stage *s;
    struct md_build_mounts *out;
    md_sha256_t *hash;
};

static void add_spec(struct md_build_mounts *out, const char *type, const char *src,
                     const char *dst, int ro)
{
    cleanup_free char *spec = NULL;
    if (asprintf(&spec, "type=%s%s%s,target=%s%s", type, src ? ",source=" : "", src ? src : "", dst,
                 ro ? ",readonly" : "") < 0)
        md_oom();
    md_strv_append(&out->specs, spec);
    md_strv_append(&out->targets, dst);
}

/* bind: a path of the context, or of a stage's or an image's view (from=); its content keys */
static int bind_mount(struct run_mounts_ctx *c, struct mount_opts *m, md_error_t **err)
{
    const char *root = c->b->o->context;
    if (m->from) {
        char *view = NULL;
        if (md_build_view_of(c->b, c->s, m->from, &view, err) < 0) return -1;
        md_strv_append(&c->out->views, view);
        root = view;
        free(view);
    }
    int escapes;
    cleanup_free char *rel = md_path_clean_rel(m->source ? m->source : ".", &escapes), *src = NULL;
    if (escapes) return md_error(err, 0, "forbidden path outside the build context: %s", m->source);
    if (asprintf(&src, "%s%s%s", root, *rel ? "/" : "", rel) < 0) md_oom();
    struct stat st;
    if (stat(src, &st) < 0)
        return md_error(err, errno, "failed to compute cache key: \"/%s\": not found", rel);
    struct md_copy hc = {.hash = c->hash, .ignore = m->from ? NULL : &c->b->ignore};
    if (md_copy_entry(&hc, src, rel, NULL, err) < 0) return -1;
    add_spec(c->out, "bind", src, m->target, m->readonly);
    return 0;
}

/* cache: <image root>/buildmounts/<sha256 of its id>, made with mode, uid, gid */
static int cache_mount(struct run_mounts_ctx *c, struct mount_opts *m, md_error_t **err)
{
    char dir[4096], hex[MD_SHA256_HEX_LEN + 1];
    const char *id = m->id ? m->id : m->target;
    if (md_sha256_buf(id, strlen(id), hex, err) < 0) return -1;
    if (md_image_path(dir, sizeof(dir), "buildmounts") < 0)
        return md_error(err, ENAMETOOLONG, "cache");
    mkdir(dir, 0700);
    cleanup_free char *path = NULL;
    if (asprintf(&path, "%s/%s", dir, hex) < 0) md_oom();
    mode_t mode = m->mode ? (mode_t)strtoul(m->mode, NULL, 8) : 0755;
    if (mkdir(path, mode) == 0 &&
        (chmod(path, mode) < 0 ||
         chown(path, m->uid ? (uid_t)atoi(m->uid) : 0, m->gid ? (gid_t)atoi(m->gid) : 0) < 0))
        return md_error(err, errno, "cache mount %s", path);
    add_spec(c->out, "bind", path, m->target, m->readonly);
    return 0;
}

/* secret: --secret id=X,src=FILE (or env=VAR), at target or /run/secrets/<id> */
static int secret_mount(struct run_mounts_ctx *c, struct mount_opts *m, md_error_t **err)
{
    const char *id = m->id;
    if (id == NULL && m->target)
        id = strrchr(m->target, '/') ? strrchr(m->target, '/') + 1 : m->target;
    if (id == NULL) return md_error(err, 0, "secret mount: no id and no target");
    cleanup_free char *file = NULL, *dst = NULL;
    if (md_build_secret_file(c->b, id, &file, err) < 0) return -1;
    if (file == NULL) {
        if (m->required) return md_error(err, 0, "secret %s: not provided", id);
        return 0;
    }
    if (m->target == NULL && asprintf(&dst, "/run/secrets/%s", id) < 0) md_oom();
    md_sha256_update(c->hash, id, strlen(id) + 1, NULL); /* the id, never the content */
    add_spec(c->out, "bind", file, m->target ? m->target : dst, 1);
    return 0;
}

static int one_mount(struct run_mounts_ctx *c, const char *spec, md_error_t **err)
{
    struct mount_opts m;
    int r = parse_mount(spec, &m, err);
    if (r == 0) {
        md_sha256_update(c->hash, spec, strlen(spec) + 1, NULL);
        if (!strcmp(m.type, "bind"))
            r = bind_mount(c, &m, err);
        else if (!strcmp(m.type, "cache"))
            r = cache_mount(c, &m, err);
        else if (!strcmp(m.type, "tmpfs"))
            r = (add_spec(c->out, "tmpfs", NULL, m.target, 0), 0);
        else if (!strcmp(m.type, "secret"))
            r = secret_mount(c, &m, err);
        else
            r = md_error(err, 0, "RUN --mount=type=%s is not supported", m.type);
    }
    opts_clear(&m);
    return r;
}

int md_build_mounts(struct build *b, struct build_stage *s, char *const *flags,
                    struct md_build_mounts *out, char hex[65], md_error_t **err)
{
    md_sha256_t h;
    *out = (struct md_build_mounts){0};
    hex[0] = '\0';
    if (md_sha256_init(&h, err) < 0) return -1;
    struct run_mounts_ctx c = {b, s, out, &h};
    int r = 0;
    for (char *const *f = flags; r == 0 && f && *f; f++)
        if (strncmp(*f, "--mount=", 8) == 0) r = one_mount(&c, *f + 8, err);
    if (r == 0)
        r = md_sha256_final(&h, hex, err);
    else
        md_sha256_abort(&h);
    return r;
}

void md_build_mounts_clear(struct md_build_mounts *m)
{
    for (char **v = m->views; v && *v; v++)
        md_build_umount(md_xstrdup(*v));
    md_strv_free(m->specs), md_strv_free(m->targets), md_strv_free(m->views);
    *m = (struct md_build_mounts){0};
}

/* mount points the runtime made in the step's upper dir for targets the image lacked */
void md_build_mounts_unmark(struct md_build_mounts *m, const char *view, const char *upper)
{
    for (char **t = m->targets; t && *t; t++) {
        cleanup_free char *in_image = NULL, *in_upper = NULL;
        if (asprintf(&in_image, "%s%s", view, *t) < 0 || asprintf(&in_upper, "%s%s", upper, *t) < 0)
            md_oom();
        struct stat st;
        if (lstat(in_image, &st) == 0 || lstat(in_upper, &st) < 0) continue;
        if (S_ISDIR(st.st_mode) ? rmdir(in_upper) < 0 : (st.st_size == 0 && unlink(in_upper) < 0))
            continue;
        /* and the parents made for it, while empty and absent from the image */
        for (char *slash = strrchr(in_upper, '/'); slash && slash > in_upper + strlen(upper);
             slash = strrchr(in_upper, '/')) {
            *slash = '\0';
            in_image[strlen(view) + (size_t)(slash - in_upper - (long)strlen(upper))] = '\0';
            if (lstat(in_image, &st) == 0 || rmdir(in_upper) < 0) break;
        }
    }
}

/* "id=X,src=FILE", "id=X,env=VAR", or "id=X" (the variable X, else the file X), as buildx */
int md_build_secret_file(struct build *b, const char *id, char **file, md_error_t **err)
{
    *file = NULL;
    for (char **sp = b->o->secrets; sp && *sp; sp++) {
        cleanup_free char *copy = md_xstrdup(*sp), *sid = NULL, *src = NULL, *env = NULL;
        for (char *save = NULL, *t = strtok_r(copy, ",", &save); t;
             t = strtok_r(NULL, ",", &save)) {
            char *eq = strchr(t, '=');
            if (eq == NULL) continue;
            *eq++ = '\0';
            char **slot = !strcmp(t, "id")                            ? &sid
                          : !strcmp(t, "src") || !strcmp(t, "source") ? &src
                          : !strcmp(t, "env")                         ? &env
                                                                      : NULL;
            if (slot) free(*slot), *slot = md_xstrdup(eq);
        }
        if (sid == NULL || strcmp(sid, id) != 0) continue;
        const char *val = env ? getenv(env) : src ? NULL : getenv(id);
        if (val == NULL && src == NULL && env == NULL) src = md_xstrdup(id);
        if (val == NULL && src) {
            *file = realpath(src, NULL);
            return *file ? 0 : md_error(err, errno, "secret %s: %s", id, src);
        }
        if (val == NULL) return md_error(err, 0, "secret %s: the variable %s is not set", id, env);
        if (asprintf(file, "%s/secret-%s", b->mnt_root, id) < 0) md_oom();
        cleanup_close int fd = open(*file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0400);
        if (fd < 0 || md_write_all(fd, val, strlen(val)) < 0)
            return md_error(err, errno, "secret %s", id);
        return 0;
    }
    return 0;
}
