#include "hosts.h"
#include "net/net.h"
#include "net/netopts.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "net/store.h"
#include "util/cleanup.h"
#include "util/fs.h"

/* text with the lines between "# mydocker network NET" and "# end NET"
 * (markers included) replaced by the new section, or removed */
static char *splice_section(const char *text, const char *net, const char *content)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    if (f == NULL) return NULL;
    char begin[128], end[128];
    snprintf(begin, sizeof(begin), "# mydocker network %s", net);
    snprintf(end, sizeof(end), "# end %s", net);
    int inside = 0;
    for (const char *l = text; l && *l;) {
        const char *nl = strchr(l, '\n');
        size_t n = nl ? (size_t)(nl - l) : strlen(l);
        if (!inside && n == strlen(begin) && strncmp(l, begin, n) == 0)
            inside = 1;
        else if (inside && n == strlen(end) && strncmp(l, end, n) == 0)
            inside = 0;
        else if (!inside)
            fprintf(f, "%.*s\n", (int)n, l);
        l = nl ? nl + 1 : l + n;
    }
    if (content) fprintf(f, "%s\n%s%s\n", begin, content, end);
    fclose(f);
    return out;
}

int md_hosts_set_section(const char *path, const char *net, const char *content, md_error_t **err)
{
    cleanup_close int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return errno == ENOENT ? 0 : md_error(err, errno, "open %s", path);
    if (flock(fd, LOCK_EX) < 0) return md_error(err, errno, "lock %s", path);
    cleanup_free char *text = NULL, *out = NULL;
    int r = md_read_fd(fd, &text, NULL, err);
    if (r < 0) return r;
    out = splice_section(text, net, content);
    if (out == NULL) return md_error(err, ENOMEM, "hosts");
    size_t len = strlen(out);
    /* write first, truncate after: a reader never sees an empty file */
    ssize_t w = pwrite(fd, out, len, 0);
    if (w != (ssize_t)len || ftruncate(fd, (off_t)len) < 0)
        return md_error(err, errno ? errno : EIO, "write %s", path);
    return 0;
}

/* "name alias..." separated by spaces, for the line of one member */
static void names_of(FILE *f, struct json_object *lease, int self)
{
    struct json_object *v;
    const char *sep = "";
    const char *name =
        json_object_object_get_ex(lease, "Name", &v) ? json_object_get_string(v) : NULL;
    const char *host =
        json_object_object_get_ex(lease, "Hostname", &v) ? json_object_get_string(v) : NULL;
    if (self && host) fprintf(f, "%s", host), sep = " ";
    if (name && (!self || !host || strcmp(name, host) != 0))
        fprintf(f, "%s%s", sep, name), sep = " ";
    if (json_object_object_get_ex(lease, "Aliases", &v))
        for (size_t i = 0; i < json_object_array_length(v); i++) {
            const char *a = json_object_get_string(json_object_array_get_idx(v, i));
            if (a && (!name || strcmp(a, name) != 0)) fprintf(f, "%s%s", sep, a), sep = " ";
        }
}

/* the section as member `id` sees it */
static char *section_for(struct json_object *leases, const char *id, int user_net)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    if (f == NULL) return NULL;
    json_object_object_foreach(leases, ip, l)
    {
        struct json_object *c;
        int self = json_object_object_get_ex(l, "Container", &c) &&
                   strcmp(json_object_get_string(c), id) == 0;
        if (!self && !user_net) continue;
        fputs(ip, f);
        fputc('\t', f);
        names_of(f, l, self);
        fputc('\n', f);
    }
    fclose(f);
    return out;
}

void md_hosts_refresh(struct md_network *n, int user_net, const char *only_id)
{
    struct json_object *leases = NULL;
    json_object_object_get_ex(n->ipam, "Leases", &leases);
    json_object_object_foreach(leases, ip, l)
    {
        (void)ip;
        struct json_object *c;
        if (!json_object_object_get_ex(l, "Container", &c)) continue;
        const char *id = json_object_get_string(c);
        if (only_id && strcmp(id, only_id) != 0) continue;
        struct json_object *h;
        cleanup_free char *sec = section_for(leases, id, user_net);
        const char *path =
            json_object_object_get_ex(l, "Hosts", &h) ? json_object_get_string(h) : NULL;
        if (path == NULL || sec == NULL) continue;
        md_error_t *e = NULL;
        md_hosts_set_section(path, n->name, sec, &e);
        md_error_free(&e); /* a member being removed meanwhile is fine */
    }
}

static int write_resolv(const char *dir, const struct md_net_opts *n, md_error_t **err)
{
    char **dns = n->dns, **search = n->dns_search, **options = n->dns_options;
    cleanup_free char *path = NULL, *old = NULL, *out = NULL;
    size_t len = 0;
    if (asprintf(&path, "%s/resolv.conf", dir) < 0) return md_error(err, ENOMEM, "resolv.conf");
    md_read_file(path, &old, NULL, NULL);
    FILE *f = open_memstream(&out, &len);
    if (f == NULL) return md_error(err, ENOMEM, "resolv.conf");
    for (char *save = NULL, *l = old ? strtok_r(old, "\n", &save) : NULL; l;
         l = strtok_r(NULL, "\n", &save)) {
        if ((dns && strncmp(l, "nameserver", 10) == 0) ||
            (search && strncmp(l, "search", 6) == 0) || (options && strncmp(l, "options", 7) == 0))
            continue;
        fprintf(f, "%s\n", l);
    }
    if (search) {
        fputs("search", f);
        for (char **s = search; *s; s++)
            fprintf(f, " %s", *s);
        fputc('\n', f);
    }
    for (char **s = dns; s && *s; s++)
        fprintf(f, "nameserver %s\n", *s);
    if (options) {
        fputs("options", f);
        for (char **s = options; *s; s++)
            fprintf(f, " %s", *s);
        fputc('\n', f);
    }
    fclose(f);
    return md_write_file_atomic(path, out, strlen(out), 0644, 0, err);
}

/* docker's host-gateway: the default bridge's gateway address */
static char *host_gateway(void)
{
    struct md_network *n = NULL;
    md_error_t *err = NULL;
    if (md_network_open(MD_DEFAULT_NETWORK, &n, &err) < 0) {
        md_error_free(&err);
        return NULL;
    }
    char *ip = md_ip_str(n->gateway);
    md_network_free(n);
    return ip;
}

int md_etc_extra(const char *dir, const struct md_net_opts *n, md_error_t **err)
{
    char **add_hosts = n->add_hosts;
    if (n->dns || n->dns_search || n->dns_options) {
        int r = write_resolv(dir, n, err);
        if (r < 0) return r;
    }
    if (add_hosts == NULL) return 0;
    cleanup_free char *path = NULL, *text = NULL, *out = NULL;
    size_t len = 0;
    if (asprintf(&path, "%s/hosts", dir) < 0) return md_error(err, ENOMEM, "hosts");
    md_read_file(path, &text, NULL, NULL);
    FILE *f = open_memstream(&out, &len);
    if (f == NULL) return md_error(err, ENOMEM, "hosts");
    fputs(text ? text : "", f);
    cleanup_free char *gw = NULL;
    for (char **h = add_hosts; *h; h++) {
        const char *colon = strchr(*h, ':'),
                   *ip = colon ? colon + 1 : ""; /* checked by the parser */
        if (strcmp(ip, "host-gateway") == 0 && gw == NULL && (gw = host_gateway()) == NULL) {
            fclose(f);
            free(out);
            return md_error(err, 0, "unable to derive the IP value for host-gateway");
        }
        if (strcmp(ip, "host-gateway") == 0) ip = gw;
        fprintf(f, "%s\t%.*s\n", ip, colon ? (int)(colon - *h) : 0, *h);
    }
    fclose(f);
    return md_write_file_atomic(path, out, strlen(out), 0644, 0, err);
}
