/* network create | ls | inspect | rm | connect | disconnect | prune */
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/getopt.h"
#include "cmd/cmd.h"
#include "cmd/network.h"
#include "store/ctr.h"
#include "cli/format.h"
#include "net/net.h"
#include "net/store.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"
#include "util/strv.h"

static void usage(FILE *f)
{
    fputs("Usage:  mydocker network COMMAND\n\n"
          "Manage networks\n\n"
          "Commands:\n"
          "  connect     Connect a container to a network\n"
          "  create      Create a network\n"
          "  disconnect  Disconnect a container from a network\n"
          "  inspect     Display detailed information on one or more networks\n"
          "  ls          List networks\n"
          "  prune       Remove all unused networks\n"
          "  rm          Remove one or more networks\n",
          f);
}

int md_network_bad_flag(const char *verb, char **argv)
{
    fprintf(stderr, "mydocker: unknown flag: %.*s\nSee 'mydocker network %s --help'.\n",
            MD_FLAG_NAME(argv[optind - 1]), verb);
    return MD_EXIT_ENGINE;
}

static int need_args(const char *verb, int argc, int n, const char *what)
{
    if (argc - optind >= n) return 0;
    fprintf(stderr, "mydocker: \"network %s\" requires %s.\nSee 'mydocker network %s --help'.\n",
            verb, what, verb);
    return MD_EXIT_ENGINE;
}

static int net_create(int argc, char **argv)
{
    static const struct option lo[] = {{"driver", required_argument, NULL, 'd'},
                                       {"subnet", required_argument, NULL, 's'},
                                       {"gateway", required_argument, NULL, 'g'},
                                       {"internal", no_argument, NULL, 'i'},
                                       {"opt", required_argument, NULL, 'o'},
                                       {"label", required_argument, NULL, 'l'},
                                       {NULL, 0, NULL, 0}};
    struct md_network_create o = {0};
    cleanup_strv char **labels = NULL;
    int ch;
    while ((ch = md_getopt_long(argc, argv, "d:o:", lo, NULL)) != -1) {
        switch (ch) {
        case 'd':
            o.driver = optarg;
            break;
        case 's':
            o.subnet = optarg;
            break;
        case 'g':
            o.gateway = optarg;
            break;
        case 'i':
            o.internal = 1;
            break;
        case 'o':
            break; /* driver options: accepted, none is used */
        case 'l':
            md_strv_append(&labels, optarg);
            break;
        default:
            return md_network_bad_flag("create", argv);
        }
    }
    if (need_args("create", argc, 1, "exactly 1 argument")) return MD_EXIT_ENGINE;
    o.name = argv[optind];
    o.labels = labels;
    md_error_t *err = NULL;
    cleanup_free char *id = NULL;
    if (md_network_create(&o, &id, &err) < 0) return md_error_report(&err);
    printf("%s\n", id);
    return 0;
}

static struct json_object *inspect_one(const char *ref)
{
    cleanup_free char *name = md_network_resolve(ref);
    struct md_network *n = NULL;
    if (name == NULL && strcmp(ref, MD_DEFAULT_NETWORK) == 0) name = strdup(ref);
    if (name == NULL || md_network_open(name, &n, NULL) < 0) return NULL;
    md_error_t *err = NULL;
    if (md_ipam_load(n, &err) < 0) md_error_free(&err);
    struct json_object *o = md_network_inspect(n);
    md_network_free(n);
    return o;
}

static int net_inspect(int argc, char **argv)
{
    static const struct option lo[] = {{"format", required_argument, NULL, 'f'},
                                       {"verbose", no_argument, NULL, 'v'},
                                       {NULL, 0, NULL, 0}};
    const char *fmt = NULL;
    int ch, failed = 0;
    while ((ch = md_getopt_long(argc, argv, "f:v", lo, NULL)) != -1) {
        if (ch == 'f')
            fmt = optarg;
        else if (ch != 'v')
            return md_network_bad_flag("inspect", argv);
    }
    if (need_args("inspect", argc, 1, "at least 1 argument")) return MD_EXIT_ENGINE;
    struct json_object *out = json_object_new_array();
    for (int i = optind; i < argc; i++) {
        struct json_object *doc = inspect_one(argv[i]);
        if (doc == NULL) {
            fprintf(stderr, "mydocker: network %s not found\n", argv[i]);
            failed = 1;
            continue;
        }
        if (fmt) {
            char *line = NULL;
            md_error_t *err = NULL;
            if (md_template_render(fmt, doc, &line, &err) < 0) {
                json_object_put(doc);
                json_object_put(out);
                return md_error_report(&err);
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

static int net_rm(int argc, char **argv)
{
    int ch, failed = 0;
    while ((ch = md_getopt_long(argc, argv, "f", NULL, NULL)) != -1)
        if (ch != 'f') return md_network_bad_flag("rm", argv);
    if (need_args("rm", argc, 1, "at least 1 argument")) return MD_EXIT_ENGINE;
    for (int i = optind; i < argc; i++) {
        cleanup_free char *name = md_network_resolve(argv[i]);
        md_error_t *err = NULL;
        if (md_network_remove(name ? name : argv[i], &err) < 0) {
            md_error_report(&err);
            failed = 1;
        } else {
            printf("%s\n", argv[i]);
        }
    }
    return failed;
}

/* connect / disconnect: the container's record changes under its lock */
static int net_connect(int argc, char **argv, int disconnect)
{
    static const struct option lo[] = {{"ip", required_argument, NULL, 'i'},
                                       {"alias", required_argument, NULL, 'a'},
                                       {"force", no_argument, NULL, 'f'},
                                       {NULL, 0, NULL, 0}};
    const char *ip = NULL, *verb = disconnect ? "disconnect" : "connect";
    cleanup_strv char **aliases = NULL;
    int ch;
    while ((ch = md_getopt_long(argc, argv, disconnect ? "f" : "", lo, NULL)) != -1) {
        if (ch == 'i' && !disconnect)
            ip = optarg;
        else if (ch == 'a' && !disconnect)
            md_strv_append(&aliases, optarg);
        else if (ch != 'f')
            return md_network_bad_flag(verb, argv);
    }
    if (need_args(verb, argc, 2, "exactly 2 arguments")) return MD_EXIT_ENGINE;
    md_error_t *err = NULL;
    cleanup_free char *net = md_network_resolve(argv[optind]);
    struct md_ctr *c = NULL;
    if (md_ctr_load(argv[optind + 1], &c, &err) < 0) return md_error_report(&err);
    int lock = md_ctr_lock(c, &err), r = lock;
    const char *name = net ? net : argv[optind];
    if (lock >= 0) {
        md_ctr_read_and_settle(c);
        r = disconnect ? md_net_disconnect(c, name, &err)
                       : md_net_connect(c, name, ip, aliases, &err);
        if (r == 0) r = md_ctr_save(c, &err);
        close(lock);
    }
    md_ctr_free(c);
    return r < 0 ? md_error_report(&err) : 0;
}

int cmd_network(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 1 : 0;
    }
    const char *verb = argv[1];
    optind = 0; /* getopt starts at argv[1] = the verb, as for a command */
    opterr = 0;
    argc--, argv++;
    if (strcmp(verb, "create") == 0) return net_create(argc, argv);
    if (strcmp(verb, "ls") == 0 || strcmp(verb, "list") == 0) return md_network_ls(argc, argv);
    if (strcmp(verb, "inspect") == 0) return net_inspect(argc, argv);
    if (strcmp(verb, "rm") == 0 || strcmp(verb, "remove") == 0) return net_rm(argc, argv);
    if (strcmp(verb, "connect") == 0) return net_connect(argc, argv, 0);
    if (strcmp(verb, "disconnect") == 0) return net_connect(argc, argv, 1);
    if (strcmp(verb, "prune") == 0) return md_network_prune(argc, argv);
    fprintf(stderr, "mydocker: 'network %s' is not a mydocker command.\n", verb);
    usage(stderr);
    return 1;
}
