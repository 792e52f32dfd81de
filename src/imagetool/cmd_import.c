/* `mydocker import [-c CHANGE]... [-m MSG] FILE|- [REPO[:TAG]]`: flags, usage
 * and output; the import itself is import.c's. */
#include <getopt.h>
#include <stdio.h>

#include "import.h"
#include "cli/getopt.h"
#include "tool.h"
#include "util/error.h"
#include "util/strv.h"

static int parse_args(int argc, char **argv, struct md_import_opts *o)
{
    static const struct option longopts[] = {
        {"change", required_argument, NULL, 'c'},
        {"message", required_argument, NULL, 'm'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    int c;
    optind = 1;
    opterr = 0;
    while ((c = md_getopt_long(argc, argv, ":c:m:h", longopts, NULL)) != -1) {
        if (c == 'c' && md_strv_append(&o->changes, optarg) < 0)
            return md_tool_usage_error("import", "out of memory");
        else if (c == 'm')
            o->message = optarg;
        else if (c == 'h') {
            printf("Usage:  mydocker import [OPTIONS] file|- [REPOSITORY[:TAG]]\n\n"
                   "Import the contents from a tarball to create a filesystem image\n\n"
                   "Options:\n"
                   "  -c, --change list      Apply Dockerfile instruction to the created image\n"
                   "  -m, --message string   Set commit message for imported image\n");
            return -1;
        } else if (c == '?' || c == ':')
            return md_tool_bad_flag("import", c, argc, argv);
    }
    int n = argc - optind;
    if (n < 1 || n > 2) {
        fprintf(stderr,
                "%s: \"import\" requires at least 1 and at most 2 arguments.\n"
                "See 'mydocker import --help'.\n",
                "mydocker");
        return MD_TOOL_EXIT_FAIL;
    }
    o->src = argv[optind];
    o->ref = n == 2 ? argv[optind + 1] : NULL;
    return 0;
}

int md_cmd_import(int argc, char **argv)
{
    struct md_import_opts o = {0};
    int r = parse_args(argc, argv, &o);
    if (r == 0) {
        md_error_t *err = NULL;
        char id[72];
        if (md_image_import(&o, id, &err) < 0) {
            md_error_report(&err);
            r = MD_TOOL_EXIT_FAIL;
        } else {
            printf("%s\n", id);
        }
    }
    md_strv_free(o.changes);
    return r < 0 ? 0 : r;
}
