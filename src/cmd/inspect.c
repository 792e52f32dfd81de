/* inspect: docker-shaped JSON for containers (and images), --format access. */
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/getopt.h"
#include "cmd/cmd.h"
#include "store/ctr.h"
#include "cli/docs.h"
#include "cli/format.h"
#include "image/store.h"
#include "util/cleanup.h"

static struct json_object *image_doc(md_image_t *img)
{
    struct json_object *doc = NULL;
    json_object_deep_copy(img->config, &doc, NULL);
    struct json_object *cfg = NULL;
    if (json_object_object_get_ex(doc, "config", &cfg))
        json_object_object_add(doc, "Config", json_object_get(cfg));
    json_object_object_add(doc, "Id", json_object_new_string(img->id));
    struct json_object *tags = json_object_new_array();
    if (img->name) json_object_array_add(tags, json_object_new_string(img->name));
    json_object_object_add(doc, "RepoTags", tags);
    return doc;
}

int cmd_inspect(int argc, char **argv)
{
    static const struct option lo[] = {{"format", required_argument, NULL, 'f'},
                                       {"type", required_argument, NULL, 'T'},
                                       {"size", no_argument, NULL, 's'},
                                       {NULL, 0, NULL, 0}};
    const char *fmt = NULL, *type = NULL;
    int ch;
    optind = 0;
    opterr = 0;
    while ((ch = md_getopt_long(argc, argv, "f:s", lo, NULL)) != -1) {
        if (ch == 'f')
            fmt = optarg;
        else if (ch == 'T')
            type = optarg;
        else if (ch != 's') {
            fprintf(stderr, "mydocker: unknown flag: %.*s\n", MD_FLAG_NAME(argv[optind - 1]));
            return MD_EXIT_ENGINE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "mydocker: \"inspect\" requires at least 1 argument.\n");
        return 1;
    }
    struct json_object *out = json_object_new_array();
    int failed = 0;
    for (int i = optind; i < argc; i++) {
        struct md_ctr *c = NULL;
        md_image_t *img = NULL;
        struct json_object *doc = NULL;
        if ((type == NULL || strcmp(type, "container") == 0) && md_ctr_load(argv[i], &c, NULL) == 0)
            doc = md_container_doc(c);
        else if ((type == NULL || strcmp(type, "image") == 0) &&
                 md_image_lookup(argv[i], &img, NULL) == 0)
            doc = image_doc(img);
        md_ctr_free(c);
        md_image_free(img);
        if (doc == NULL) {
            fprintf(stderr, "mydocker: No such object: %s\n", argv[i]);
            failed = 1;
            continue;
        }
        if (fmt) {
            char *line = NULL;
            md_error_t *err = NULL;
            if (md_template_render(fmt, doc, &line, &err) < 0) {
                json_object_put(doc);
                json_object_put(out);
                md_error_report(&err);
                return 1;
            }
            puts(line);
            free(line);
            json_object_put(doc);
        } else {
            json_object_array_add(out, doc);
        }
    }
    if (!fmt)
        puts(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                     JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(out);
    return failed;
}
