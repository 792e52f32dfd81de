/* Devices of an engine container: docker's default device cgroup allowlist,
 * --device, --device-cgroup-rule and --privileged, as linux.devices (the
 * nodes the runtime makes) and linux.resources.devices (the cgroup rules).
 *
 * Why the allowlist matters: without device rules a container's root can
 * mknod any host disk and open it (mknod + debugfs is a full escape). The
 * rules start with "deny all"; mknod itself stays allowed (c *:* m, b *:* m,
 * as docker's runtime adds) because creating a node grants nothing when
 * opening it is refused. */
#include "devices.h"

#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "util/cleanup.h"

struct rule {
    int allow;
    char type;            /* 'a', 'b', 'c' */
    int64_t major, minor; /* -1: any */
    const char *access;
};

/* moby oci/defaults.go DefaultLinuxSpec and daemon/oci_linux.go, plus the
 * runtime's own (runc AllowedDevices): the pty devices and mknod. fuse
 * (10:229) is denied, as docker's default; --device /dev/fuse allows it. */
static const struct rule default_rules[] = {
    {0, 'a', -1, -1, "rwm"},  {1, 'c', 1, 5, "rwm"},                           /* zero */
    {1, 'c', 1, 3, "rwm"},                                                     /* null */
    {1, 'c', 1, 9, "rwm"},                                                     /* urandom */
    {1, 'c', 1, 8, "rwm"},                                                     /* random */
    {1, 'c', 5, 0, "rwm"},                                                     /* tty */
    {1, 'c', 5, 1, "rwm"},                                                     /* console */
    {0, 'c', 10, 229, "rwm"},                                                  /* fuse */
    {1, 'c', -1, -1, "m"},    {1, 'b', -1, -1, "m"}, {1, 'c', 136, -1, "rwm"}, /* pts */
    {1, 'c', 5, 2, "rwm"},                                                     /* ptmx */
    {1, 'c', 1, 7, "rwm"},                                                     /* full */
};

static struct json_object *rule_json(int allow, char type, int64_t major, int64_t minor,
                                     const char *access)
{
    struct json_object *r = json_object_new_object();
    char t[2] = {type, '\0'};
    json_object_object_add(r, "allow", json_object_new_boolean(allow));
    if (type != 'a') json_object_object_add(r, "type", json_object_new_string(t));
    if (major >= 0) json_object_object_add(r, "major", json_object_new_int64(major));
    if (minor >= 0) json_object_object_add(r, "minor", json_object_new_int64(minor));
    json_object_object_add(r, "access", json_object_new_string(access));
    return r;
}

static int valid_access(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 3) return 0;
    for (size_t i = 0; i < n; i++)
        if (strchr("rwm", s[i]) == NULL || strchr(s + i + 1, s[i]) != NULL) return 0;
    return 1;
}

int md_device_parse(const char *spec, struct md_device_map *out, md_error_t **err)
{
    memset(out, 0, sizeof(*out));
    cleanup_free char *copy = strdup(spec);
    if (copy == NULL) return md_error(err, ENOMEM, "--device");
    char *parts[4] = {0};
    int n = 0;
    for (char *save = NULL, *t = strtok_r(copy, ":", &save); t && n < 4;
         t = strtok_r(NULL, ":", &save))
        parts[n++] = t;
    const char *src = parts[0], *dst = NULL, *perm = "rwm";
    if (n == 3) {
        dst = parts[1];
        perm = parts[2];
    } else if (n == 2) {
        if (valid_access(parts[1]))
            perm = parts[1];
        else
            dst = parts[1];
    }
    if (n < 1 || n > 3 || (n == 3 && !valid_access(perm)) || (dst && dst[0] != '/') ||
        src[0] == '\0')
        return md_error(err, 0,
                        "invalid argument \"%s\" for \"--device\" flag: bad format for "
                        "path: %s",
                        spec, spec);
    out->host = strdup(src);
    out->container = strdup(dst ? dst : src);
    snprintf(out->access, sizeof(out->access), "%s", perm);
    if (out->host == NULL || out->container == NULL) return md_error(err, ENOMEM, "--device");
    return 0;
}

void md_device_map_free(struct md_device_map *d)
{
    free(d->host);
    free(d->container);
    memset(d, 0, sizeof(*d));
}

/* docker's regex: ^([acb]) ([0-9]+|\*):([0-9]+|\*) ([rwm]{1,3})$ */
static int parse_number(const char *s, size_t len, int64_t *out)
{
    if (len == 1 && s[0] == '*') {
        *out = -1;
        return 0;
    }
    if (len == 0 || len > 9) return -1;
    *out = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        *out = *out * 10 + (s[i] - '0');
    }
    return 0;
}

int md_device_cgroup_rule_check(const char *rule, md_error_t **err)
{
    struct json_object *j = NULL;
    int r = md_device_cgroup_rule_json(rule, &j, err);
    json_object_put(j);
    return r;
}

int md_device_cgroup_rule_json(const char *rule, struct json_object **out, md_error_t **err)
{
    *out = NULL;
    const char *colon = strchr(rule, ':'), *sp2 = colon ? strchr(colon, ' ') : NULL;
    int64_t major, minor;
    if (strchr("acb", rule[0]) == NULL || rule[0] == '\0' || rule[1] != ' ' || colon == NULL ||
        sp2 == NULL || parse_number(rule + 2, (size_t)(colon - rule - 2), &major) < 0 ||
        parse_number(colon + 1, (size_t)(sp2 - colon - 1), &minor) < 0 || !valid_access(sp2 + 1))
        return md_error(err, 0,
                        "invalid argument \"%s\" for \"--device-cgroup-rule\" flag: "
                        "invalid device cgroup format '%s'",
                        rule, rule);
    *out = rule_json(1, rule[0], major, minor, sp2 + 1);
    return 0;
}

static struct json_object *device_json(const char *path, const struct stat *st)
{
    struct json_object *e = json_object_new_object();
    json_object_object_add(e, "path", json_object_new_string(path));
    json_object_object_add(e, "type", json_object_new_string(S_ISCHR(st->st_mode) ? "c" : "b"));
    json_object_object_add(e, "major", json_object_new_int64(major(st->st_rdev)));
    json_object_object_add(e, "minor", json_object_new_int64(minor(st->st_rdev)));
    json_object_object_add(e, "fileMode", json_object_new_int(st->st_mode & 07777));
    json_object_object_add(e, "uid", json_object_new_int64(st->st_uid));
    json_object_object_add(e, "gid", json_object_new_int64(st->st_gid));
    return e;
}

static int add_node(const char *host, const char *ctr, const char *access, struct json_object *devs,
                    struct json_object *rules, int depth, md_error_t **err);

/* docker: a directory gives every device below it, at the same place */
static int add_dir(const char *host, const char *ctr, const char *access, struct json_object *devs,
                   struct json_object *rules, int depth, md_error_t **err)
{
    cleanup_dir DIR *d = opendir(host);
    if (d == NULL)
        return md_error(err, errno,
                        "error gathering device information while adding custom "
                        "device \"%s\"",
                        host);
    struct dirent *de;
    int r = 0;
    while (r == 0 && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
        char h[PATH_MAX], c[PATH_MAX];
        snprintf(h, sizeof(h), "%s/%s", host, de->d_name);
        snprintf(c, sizeof(c), "%s/%s", ctr, de->d_name);
        r = add_node(h, c, access, devs, rules, depth + 1, err);
    }
    return r;
}

static int add_node(const char *host, const char *ctr, const char *access, struct json_object *devs,
                    struct json_object *rules, int depth, md_error_t **err)
{
    struct stat st;
    if (stat(host, &st) < 0)
        return md_error(err, errno,
                        "error gathering device information while adding custom "
                        "device \"%s\"",
                        host);
    if (S_ISDIR(st.st_mode))
        return depth < 8 ? add_dir(host, ctr, access, devs, rules, depth, err) : 0;
    if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode)) {
        if (depth > 0) return 0; /* a file in a device directory: skipped, as docker */
        return md_error(err, 0,
                        "error gathering device information while adding custom device "
                        "\"%s\": not a device node",
                        host);
    }
    json_object_array_add(devs, device_json(ctr, &st));
    json_object_array_add(rules, rule_json(1, S_ISCHR(st.st_mode) ? 'c' : 'b', major(st.st_rdev),
                                           minor(st.st_rdev), access));
    return 0;
}

static void host_devices(struct json_object *devs)
{
    cleanup_dir DIR *d = opendir("/dev");
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
        char path[300];
        struct stat st;
        snprintf(path, sizeof(path), "/dev/%s", de->d_name);
        if (lstat(path, &st) < 0 || !(S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))) continue;
        /* the container has its own console and ptys */
        if (strcmp(de->d_name, "console") == 0 || strcmp(de->d_name, "ptmx") == 0 ||
            strncmp(de->d_name, "tty", 3) == 0)
            continue;
        json_object_array_add(devs, device_json(path, &st));
    }
}

int md_devices_json(const struct md_devices_in *in, struct json_object **devs,
                    struct json_object **rules, md_error_t **err)
{
    *devs = json_object_new_array();
    *rules = json_object_new_array();
    int r = 0;
    if (in->privileged) {
        host_devices(*devs);
        json_object_array_add(*rules, rule_json(1, 'a', -1, -1, "rwm"));
        return 0;
    }
    for (size_t i = 0; i < sizeof(default_rules) / sizeof(default_rules[0]); i++) {
        const struct rule *d = &default_rules[i];
        json_object_array_add(*rules, rule_json(d->allow, d->type, d->major, d->minor, d->access));
    }
    for (size_t i = 0; r == 0 && in->devices && in->devices[i]; i++) {
        struct md_device_map m;
        r = md_device_parse(in->devices[i], &m, err);
        if (r == 0) r = add_node(m.host, m.container, m.access, *devs, *rules, 0, err);
        md_device_map_free(&m);
    }
    for (size_t i = 0; r == 0 && in->cgroup_rules && in->cgroup_rules[i]; i++) {
        struct json_object *j = NULL;
        r = md_device_cgroup_rule_json(in->cgroup_rules[i], &j, err);
        if (r == 0) json_object_array_add(*rules, j);
    }
    if (r < 0) {
        json_object_put(*devs);
        json_object_put(*rules);
        *devs = *rules = NULL;
    }
    return r;
}
