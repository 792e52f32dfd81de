/* port CONTAINER [PRIVATE_PORT[/PROTO]]: the published ports, from the record. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "store/ctr.h"

int cmd_port(int argc, char **argv)
{
    if (argc < 2 || argc > 3 || strcmp(argv[1], "--help") == 0) {
        fputs("Usage:  mydocker port CONTAINER [PRIVATE_PORT[/PROTO]]\n\n"
              "List port mappings or a specific mapping for the container\n",
              argc < 2 ? stderr : stdout);
        return argc < 2 || argc > 3 ? 1 : 0;
    }
    md_error_t *err = NULL;
    struct md_ctr *c = NULL;
    if (md_ctr_load(argv[1], &c, &err) < 0) return md_error_report(&err);
    char want[32] = "";
    if (argc == 3)
        snprintf(want, sizeof(want), "%s%s", argv[2], strchr(argv[2], '/') ? "" : "/tcp");
    struct json_object *ports = NULL;
    json_object_object_get_ex(c->record, "NetworkSettings", &ports);
    json_object_object_get_ex(ports, "Ports", &ports);
    int live = c->status == MD_CTR_RUNNING || c->status == MD_CTR_PAUSED, found = 0;
    /* json-c's foreach dereferences its object: never hand it NULL */
    struct json_object *none = json_object_new_object();
    if (!live || ports == NULL || !json_object_is_type(ports, json_type_object)) ports = none;
    json_object_object_foreach(ports, key, arr)
    {
        if (want[0] && strcmp(want, key) != 0) continue;
        for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
            struct json_object *b = json_object_array_get_idx(arr, i), *ip, *hp;
            json_object_object_get_ex(b, "HostIp", &ip);
            json_object_object_get_ex(b, "HostPort", &hp);
            if (want[0])
                printf("%s:%s\n", json_object_get_string(ip), json_object_get_string(hp));
            else
                printf("%s -> %s:%s\n", key, json_object_get_string(ip),
                       json_object_get_string(hp));
            found = 1;
        }
    }
    json_object_put(none);
    int rc = 0;
    if (want[0] && !found) {
        fprintf(stderr, "mydocker: No public port '%s' published for %s\n", want, c->name);
        rc = 1;
    }
    md_ctr_free(c);
    return rc;
}
