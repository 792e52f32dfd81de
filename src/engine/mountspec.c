#include "mountspec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/size.h"

void md_mount_req_clear(struct md_mount_req *r)
{
    free(r->source);
    free(r->destination);
    free(r->tmpfs_opts);
    memset(r, 0, sizeof(*r));
}

int md_mount_dest_valid(const char *dst, md_error_t **err)
{
    if (dst == NULL || dst[0] != '/')
        return md_error(err, 0,
                        "invalid mount config: the mount destination %s is not an absolute path",
                        dst ? dst : "(none)");
    if (strcmp(dst, "/") == 0)
        return md_error(err, 0, "invalid specification: destination can't be '/'");
    return 0;
}

static int fill(struct md_mount_req *out, enum md_mount_kind kind, const char *src, const char *dst,
                md_error_t **err)
{
    out->kind = kind;
    out->source = src ? strdup(src) : NULL;
    out->destination = strdup(dst);
    if ((src && out->source == NULL) || out->destination == NULL) {
        md_mount_req_clear(out);
        return md_error(err, ENOMEM, "mount");
    }
    return 0;
}

/* the options of -v: ro/rw, nocopy, and the SELinux and propagation words
 * docker accepts (we label nothing and keep rprivate) */
static int volume_opts(const char *opts, int *rw, int *nocopy, md_error_t **err)
{
    *rw = 1;
    *nocopy = 0;
    for (const char *o = opts; *o;) {
        size_t len = strcspn(o, ",");
        if (len == 2 && strncmp(o, "ro", 2) == 0)
            *rw = 0;
        else if (len == 6 && strncmp(o, "nocopy", 6) == 0)
            *nocopy = 1;
        else if (!(len == 2 && strncmp(o, "rw", 2) == 0) &&
                 !(len == 1 && (*o == 'z' || *o == 'Z')) &&
                 !(len >= 5 && strstr(o, "slave") && len <= 7) &&
                 !(len >= 6 && strstr(o, "shared")) && !(len >= 7 && strstr(o, "private")))
            return md_error(err, 0, "invalid mode: %s", opts);
        o += len + (o[len] == ',');
    }
    return 0;
}

int md_volume_flag_parse(const char *spec, struct md_mount_req *out, md_error_t **err)
{
    memset(out, 0, sizeof(*out));
    cleanup_free char *s = strdup(spec);
    if (s == NULL) return md_error(err, ENOMEM, "volume");
    char *parts[3] = {s, NULL, NULL};
    int n = 1;
    for (char *p = s; *p && n < 3; p++)
        if (*p == ':') {
            *p = '\0';
            parts[n++] = p + 1;
        }
    const char *src = n >= 2 ? parts[0] : NULL, *dst = n >= 2 ? parts[1] : parts[0];
    int rw, nocopy;
    int r = volume_opts(n == 3 ? parts[2] : "", &rw, &nocopy, err);
    if (r == 0) r = md_mount_dest_valid(dst, err);
    if (r < 0) return r;
    if (src && (src[0] == '.' || src[0] == '\0'))
        return md_error(
            err, 0, "invalid volume specification: '%s': a bind source must be an absolute path",
            spec);
    r = fill(out, src && src[0] == '/' ? MD_MOUNT_BIND : MD_MOUNT_VOLUME, src, dst, err);
    out->rw = rw;
    out->nocopy = nocopy;
    out->create_source = 1;
    return r;
}

struct mount_kv {
    const char *type, *src, *dst, *tmpfs_size, *tmpfs_mode;
    int ro, nocopy;
};

static int mount_key(struct mount_kv *kv, char *k, char *v, md_error_t **err)
{
    if (strcmp(k, "type") == 0)
        kv->type = v ? v : "";
    else if (strcmp(k, "source") == 0 || strcmp(k, "src") == 0)
        kv->src = v;
    else if (strcmp(k, "target") == 0 || strcmp(k, "destination") == 0 || strcmp(k, "dst") == 0)
        kv->dst = v;
    else if (strcmp(k, "readonly") == 0 || strcmp(k, "ro") == 0)
        kv->ro = v == NULL || strcmp(v, "true") == 0 || strcmp(v, "1") == 0;
    else if (strcmp(k, "volume-nocopy") == 0)
        kv->nocopy = v == NULL || strcmp(v, "true") == 0;
    else if (strcmp(k, "tmpfs-size") == 0)
        kv->tmpfs_size = v;
    else if (strcmp(k, "tmpfs-mode") == 0)
        kv->tmpfs_mode = v;
    else if (strcmp(k, "bind-propagation") != 0 && strcmp(k, "consistency") != 0)
        return md_error(err, 0, "invalid field '%s' must be a key=value pair", k);
    return 0;
}

static int tmpfs_req(const struct mount_kv *kv, struct md_mount_req *out, md_error_t **err)
{
    char opts[128] = "";
    long long size = kv->tmpfs_size ? md_parse_size(kv->tmpfs_size) : 0;
    if (size < 0) return md_error(err, 0, "invalid tmpfs-size: %s", kv->tmpfs_size);
    if (kv->tmpfs_size) snprintf(opts, sizeof(opts), "size=%lld", size);
    if (kv->tmpfs_mode)
        snprintf(opts + strlen(opts), sizeof(opts) - strlen(opts), "%smode=%s", *opts ? "," : "",
                 kv->tmpfs_mode);
    int r = fill(out, MD_MOUNT_TMPFS, NULL, kv->dst, err);
    if (r == 0 && (out->tmpfs_opts = strdup(opts)) == NULL) {
        md_mount_req_clear(out);
        return md_error(err, ENOMEM, "tmpfs");
    }
    return r;
}

int md_mount_flag_parse(const char *spec, struct md_mount_req *out, md_error_t **err)
{
    memset(out, 0, sizeof(*out));
    cleanup_free char *s = strdup(spec);
    if (s == NULL) return md_error(err, ENOMEM, "mount");
    struct mount_kv kv = {.type = "volume"};
    for (char *save = NULL, *t = strtok_r(s, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(t, '=');
        if (eq) *eq++ = '\0';
        int r = mount_key(&kv, t, eq, err);
        if (r < 0) return r;
    }
    int r = md_mount_dest_valid(kv.dst, err);
    if (r < 0) return r;
    if (strcmp(kv.type, "tmpfs") == 0) return tmpfs_req(&kv, out, err);
    if (strcmp(kv.type, "bind") == 0 && kv.src == NULL)
        return md_error(err, 0,
                        "invalid mount config for type \"bind\": field Source must not be empty");
    if (strcmp(kv.type, "bind") != 0 && strcmp(kv.type, "volume") != 0)
        return md_error(err, 0, "invalid mount config: mount type unknown: \"%s\"", kv.type);
    r = fill(out, strcmp(kv.type, "bind") == 0 ? MD_MOUNT_BIND : MD_MOUNT_VOLUME, kv.src, kv.dst,
             err);
    out->rw = !kv.ro;
    out->nocopy = kv.nocopy;
    return r;
}
