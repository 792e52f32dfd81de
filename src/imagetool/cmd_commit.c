/* `mydocker commit [-a AUTHOR] [-m MSG] [-c CHANGE]... CONTAINER [REPO[:TAG]]`:
 * flags, usage and output; the commit itself is commit.c's. */
#include <getopt.h>
#include <stdio.h>

#include <json-c/json.h>

#include "commit.h"
#include "store/ctr.h"
#include "store/events.h"
#include "cli/getopt.h"
#include "tool.h"
#include "util/error.h"
#include "util/strv.h"

static int parse_args(int argc, char **argv, struct md_commit_opts *o)
{
    static const struct option lo[] = {
        {"author", required_argument, NULL, 'a'}, {"message", required_argument, NULL, 'm'},
        {"change", required_argument, NULL, 'c'}, {"pause", optional_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},         {0}};
    int ch;
    optind = 1;
    opterr = 0;
    while ((ch = md_getopt_long(argc, argv, ":a:m:c:ph", lo, NULL)) != -1) {
        if (ch == 'a')
            o->author = optarg;
        else if (ch == 'm')
            o->message = optarg;
        else if (ch == 'c' && md_strv_append(&o->changes, optarg) < 0)
            return md_tool_usage_error("commit", "out of memory");
        else if (ch == 'p')
            continue;
        else if (ch == 'h')
            return printf("Usage:  mydocker commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]\n\n"
                          "Create a new image from a container's changes\n\nOptions:\n"
                          "  -a, --author string    Author\n"
                          "  -c, --change list      Apply Dockerfile instruction to the created "
                          "image\n"
                          "  -m, --message string   Commit message\n"),
                   -1;
        else if (ch != 'c')
            return md_tool_bad_flag("commit", ch, argc, argv);
    }
    if (argc - optind < 1 || argc - optind > 2)
        return md_tool_usage_error("commit",
                                   "\"commit\" requires at least 1 and at most 2 arguments.");
    o->container = argv[optind];
    o->ref = argc - optind == 2 ? argv[optind + 1] : NULL;
    return 0;
}

/* docker's container "commit" event: comment, imageID, imageRef */
static void commit_event(const struct md_commit_opts *o, const char *id)
{
    struct md_ctr *c = NULL;
    if (md_ctr_load(o->container, &c, NULL) < 0) return;
    struct json_object *a = json_object_new_object();
    json_object_object_add(a, "comment", json_object_new_string(o->message ? o->message : ""));
    json_object_object_add(a, "imageID", json_object_new_string(id));
    json_object_object_add(a, "imageRef", json_object_new_string(o->ref ? o->ref : ""));
    md_event_container(c, "commit", a);
    md_ctr_free(c);
}

int md_cmd_commit(int argc, char **argv)
{
    struct md_commit_opts o = {0};
    int r = parse_args(argc, argv, &o);
    if (r != 0) {
        md_strv_free(o.changes);
        return r < 0 ? 0 : r;
    }
    md_error_t *err = NULL;
    char id[72];
    r = md_image_commit(&o, id, &err);
    md_strv_free(o.changes);
    if (r < 0) return md_error_report(&err), MD_TOOL_EXIT_FAIL;
    commit_event(&o, id);
    printf("%s\n", id);
    return 0;
}
