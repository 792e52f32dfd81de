/* networks and volumes: list (with filters), create, inspect, delete; network connect and
 * disconnect. The documents are the CLI's `network inspect` and `volume inspect` ones. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "cli/filters.h"
#include "engine/volume_store.h"
#include "net/net.h"
#include "net/store.h"
#include "store/cstore.h"
#include "store/ctr.h"
#include "util/cleanup.h"
#include "util/strv.h"
#include "util/xalloc.h"

static enum MHD_Result fail(struct api_req *r, md_error_t **err)
{
    const char *m = *err && (*err)->msg ? (*err)->msg : "failed";
    enum MHD_Result ret = api_error(r, api_status_of(m), "%s", m);
    md_error_free(err);
    return ret;
}

static struct json_object *field(struct json_object *o, const char *k)
{
    struct json_object *v = NULL;
    return o && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

/* name=, id= (prefixes or substrings as docker), driver=, label= of a network or volume doc */
static int doc_selected(const struct md_filters *f, struct json_object *doc, const char *idkey)
{
    struct {
        const char *key, *field;
    } keys[] = {{"name", "Name"}, {"id", idkey}, {"driver", "Driver"}};
    for (size_t k = 0; k < 3; k++) {
        if (!md_filters_has(f, keys[k].key)) continue;
        struct json_object *v = field(doc, keys[k].field);
        const char *have = v ? json_object_get_string(v) : "";
        int any = 0;
        for (size_t i = 0; f->keys && f->keys[i]; i++)
            if (strcmp(f->keys[i], keys[k].key) == 0)
                any |=
                    k == 2 ? strcmp(have, f->values[i]) == 0 : strstr(have, f->values[i]) != NULL;
        if (!any) return 0;
    }
    return md_filters_labels(f, field(doc, "Labels"));
}

static struct json_object *network_doc(const char *name)
{
    struct md_network *n = NULL;
    if (md_network_open(name, &n, NULL) < 0) return NULL;
    md_error_t *err = NULL;
    if (md_ipam_load(n, &err) < 0) md_error_free(&err);
    struct json_object *o = md_network_inspect(n);
    md_network_free(n);
    return o;
}

static struct json_object *builtin_doc(const char *name, const char *driver)
{
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "Name", json_object_new_string(name));
    json_object_object_add(o, "Id", json_object_new_string(name));
    json_object_object_add(o, "Driver", json_object_new_string(driver));
    json_object_object_add(o, "Scope", json_object_new_string("local"));
    json_object_object_add(o, "Labels", json_object_new_object());
    json_object_object_add(o, "Containers", json_object_new_object());
    return o;
}

enum MHD_Result api_networks_list(struct api_req *r)
{
    static const char *const keys[] = {"name", "id", "driver", "label", "label!", NULL};
    struct md_filters f;
    cleanup_free char *msg = NULL;
    if (api_filters(r, keys, &f, &msg) < 0) return api_error(r, MHD_HTTP_BAD_REQUEST, "%s", msg);
    struct json_object *out = json_object_new_array(), *d;
    if ((d = network_doc(MD_DEFAULT_NETWORK))) json_object_put(d); /* made on first use */
    cleanup_strv char **names = md_network_names();
    for (char **nm = names; nm && *nm; nm++)
        if ((d = network_doc(*nm)) != NULL) {
            if (doc_selected(&f, d, "Id"))
                json_object_array_add(out, d);
            else
                json_object_put(d);
        }
    static const char *const builtins[][2] = {{"host", "host"}, {"none", "null"}};
    for (int i = 0; i < 2; i++) {
        d = builtin_doc(builtins[i][0], builtins[i][1]);
        if (doc_selected(&f, d, "Id"))
            json_object_array_add(out, d);
        else
            json_object_put(d);
    }
    md_filters_free(&f);
    return api_json(r, MHD_HTTP_OK, out);
}

enum MHD_Result api_network_inspect(struct api_req *r)
{
    cleanup_free char *name = md_network_resolve(r->id);
    struct json_object *d = network_doc(name ? name : r->id);
    if (d == NULL && (!strcmp(r->id, "host") || !strcmp(r->id, "none")))
        d = builtin_doc(r->id, strcmp(r->id, "host") == 0 ? "host" : "null");
    if (d == NULL) return api_error(r, MHD_HTTP_NOT_FOUND, "network %s not found", r->id);
    return api_json(r, MHD_HTTP_OK, d);
}

static char **labels_of(struct json_object *o)
{
    char **v = md_strv_dup(NULL);
    if (o == NULL || !json_object_is_type(o, json_type_object)) return v;
    json_object_object_foreach(o, k, val)
    {
        cleanup_free char *kv = NULL;
        if (asprintf(&kv, "%s=%s", k, json_object_get_string(val)) < 0) md_oom();
        md_strv_append(&v, kv);
    }
    return v;
}

enum MHD_Result api_network_create(struct api_req *r)
{
    struct json_object *b = json_tokener_parse(r->body), *cfg = NULL;
    const char *name = b && field(b, "Name") ? json_object_get_string(field(b, "Name")) : NULL;
    if (name == NULL || *name == '\0') {
        json_object_put(b);
        return api_error(r, MHD_HTTP_BAD_REQUEST, "network name must be given");
    }
    struct json_object *ipam = field(b, "IPAM"), *configs = field(ipam, "Config");
    if (configs && json_object_array_length(configs) > 0)
        cfg = json_object_array_get_idx(configs, 0);
    cleanup_strv char **labels = labels_of(field(b, "Labels"));
    const char *driver = field(b, "Driver") ? json_object_get_string(field(b, "Driver")) : NULL;
    struct md_network_create o = {
        .name = name,
        .driver = driver && *driver ? driver : NULL,
        .subnet = field(cfg, "Subnet") ? json_object_get_string(field(cfg, "Subnet")) : NULL,
        .gateway = field(cfg, "Gateway") ? json_object_get_string(field(cfg, "Gateway")) : NULL,
        .internal = field(b, "Internal") && json_object_get_boolean(field(b, "Internal")),
        .labels = labels};
    cleanup_free char *id = NULL;
    md_error_t *err = NULL;
    int rc = md_network_create(&o, &id, &err);
    json_object_put(b);
    if (rc < 0) return fail(r, &err);
    struct json_object *d = json_object_new_object();
    json_object_object_add(d, "Id", json_object_new_string(id));
    json_object_object_add(d, "Warning", json_object_new_string(""));
    return api_json(r, MHD_HTTP_CREATED, d);
}

enum MHD_Result api_network_delete(struct api_req *r)
{
    cleanup_free char *name = md_network_resolve(r->id);
    md_error_t *err = NULL;
    if (name == NULL) return api_error(r, MHD_HTTP_NOT_FOUND, "network %s not found", r->id);
    return md_network_remove(name, &err) < 0 ? fail(r, &err) : api_empty(r, MHD_HTTP_NO_CONTENT);
}

/* {"Container": ID, "EndpointConfig": {"Aliases": [...], "IPAMConfig": {"IPv4Address": ...}}} */
static enum MHD_Result connect_common(struct api_req *r, int disconnect)
{
    struct json_object *b = json_tokener_parse(r->body);
    const char *ref =
        b && field(b, "Container") ? json_object_get_string(field(b, "Container")) : NULL;
    cleanup_free char *net = md_network_resolve(r->id);
    struct md_ctr *c = NULL;
    md_error_t *err = NULL;
    if (net == NULL) {
        json_object_put(b);
        return api_error(r, MHD_HTTP_NOT_FOUND, "network %s not found", r->id);
    }
    if (ref == NULL || md_ctr_load(ref, &c, &err) < 0) {
        json_object_put(b);
        md_error_free(&err);
        return api_error(r, MHD_HTTP_NOT_FOUND, "No such container: %s", ref ? ref : "");
    }
    struct json_object *ep = field(b, "EndpointConfig"), *ipam = field(ep, "IPAMConfig");
    const char *ip =
        field(ipam, "IPv4Address") ? json_object_get_string(field(ipam, "IPv4Address")) : NULL;
    cleanup_strv char **aliases = NULL;
    struct json_object *al = field(ep, "Aliases");
    for (size_t i = 0; al && i < json_object_array_length(al); i++)
        md_strv_append(&aliases, json_object_get_string(json_object_array_get_idx(al, i)));
    int lock = md_ctr_lock(c, &err), rc = lock;
    if (lock >= 0) {
        md_ctr_read_and_settle(c);
        rc = disconnect ? md_net_disconnect(c, net, &err)
                        : md_net_connect(c, net, ip && *ip ? ip : NULL, aliases, &err);
        if (rc == 0) rc = md_ctr_save(c, &err);
        close(lock);
    }
    md_ctr_free(c);
    json_object_put(b);
    return rc < 0 ? fail(r, &err) : api_empty(r, MHD_HTTP_OK);
}

enum MHD_Result api_network_connect(struct api_req *r)
{
    return connect_common(r, 0);
}

enum MHD_Result api_network_disconnect(struct api_req *r)
{
    return connect_common(r, 1);
}

/* ---- volumes ---- */

enum MHD_Result api_volumes_list(struct api_req *r)
{
    static const char *const keys[] = {"name", "driver", "label", "label!", "dangling", NULL};
    struct md_filters f;
    cleanup_free char *msg = NULL;
    if (api_filters(r, keys, &f, &msg) < 0) return api_error(r, MHD_HTTP_BAD_REQUEST, "%s", msg);
    struct json_object *vols = json_object_new_array(), *out = json_object_new_object();
    cleanup_strv char **names = md_volume_list();
    for (char **n = names; n && *n; n++) {
        struct json_object *d = md_volume_inspect(*n);
        if (d == NULL) continue;
        cleanup_strv char **users = md_volume_users(*n);
        int dangling = users == NULL || users[0] == NULL;
        int ok = doc_selected(&f, d, "Name");
        for (size_t i = 0; ok && f.keys && f.keys[i]; i++)
            if (strcmp(f.keys[i], "dangling") == 0) ok = md_filter_bool(f.values[i]) == dangling;
        if (ok)
            json_object_array_add(vols, d);
        else
            json_object_put(d);
    }
    md_filters_free(&f);
    json_object_object_add(out, "Volumes", vols);
    json_object_object_add(out, "Warnings", NULL);
    return api_json(r, MHD_HTTP_OK, out);
}

enum MHD_Result api_volume_create(struct api_req *r)
{
    struct json_object *b = json_tokener_parse(r->body);
    const char *name = b && field(b, "Name") ? json_object_get_string(field(b, "Name")) : NULL;
    cleanup_strv char **labels = labels_of(field(b, "Labels")),
                      **opts = labels_of(field(b, "DriverOpts"));
    const char *driver = field(b, "Driver") ? json_object_get_string(field(b, "Driver")) : NULL;
    struct md_volume_opts o = {
        .driver = driver && *driver ? driver : NULL, .labels = labels, .driver_opts = opts};
    char gen[65];
    int anonymous = name == NULL || *name == '\0';
    if (anonymous && md_new_container_id(gen, NULL) == 0) name = gen;
    md_error_t *err = NULL;
    int rc = md_volume_create(name, anonymous, &o, NULL, &err);
    struct json_object *d = rc == 0 ? md_volume_inspect(name) : NULL;
    json_object_put(b);
    if (rc < 0) return fail(r, &err);
    return api_json(r, MHD_HTTP_CREATED, d ? d : json_object_new_object());
}

enum MHD_Result api_volume_inspect(struct api_req *r)
{
    struct json_object *d = md_volume_inspect(r->id);
    if (d == NULL) return api_error(r, MHD_HTTP_NOT_FOUND, "get %s: no such volume", r->id);
    return api_json(r, MHD_HTTP_OK, d);
}

enum MHD_Result api_volume_delete(struct api_req *r)
{
    md_error_t *err = NULL;
    if (md_volume_remove(r->id, api_query_bool(r, "force", 0), &err) < 0) return fail(r, &err);
    return api_empty(r, MHD_HTTP_NO_CONTENT);
}
