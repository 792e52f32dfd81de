/* volume create | ls | inspect | rm | prune */
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "store/cstore.h"
#include "cli/format.h"
#include "engine/volumes.h"
#include "util/cleanup.h"
#include "util/fs.h"

static int volume_create(int argc, char **argv)
{
    char name[65];
    md_error_t *err = NULL;
    const char *n = argc > 1 ? argv[argc - 1] : NULL;
    if (n == NULL || n[0] == '-') {
        if (md_new_container_id(name, &err) < 0) return md_error_report(&err);
        n = name;
    }
    if (md_volume_create(n, 0, NULL, &err) < 0) return (md_error_report(&err), 1);
    puts(n);
    return 0;
}

static int volume_ls(int argc, char **argv)
{
    int quiet = argc > 1 && (strcmp(argv[1], "-q") == 0 || strcmp(argv[1], "--quiet") == 0);
    cleanup_strv char **names = md_volume_list();
    if (!quiet) printf("%-10s%s\n", "DRIVER", "VOLUME NAME");
    for (char **v = names; v && *v; v++)
        quiet ? puts(*v) : printf("%-10s%s\n", "local", *v);
    return 0;
}

static int volume_inspect(int argc, char **argv)
{
    const char *fmt = NULL;
    int i = 1, failed = 0;
    if (argc > 2 && (strcmp(argv[1], "-f") == 0 || strcmp(argv[1], "--format") == 0)) {
        fmt = argv[2];
        i = 3;
    }
    struct json_object *out = json_object_new_array();
    for (; i < argc; i++) {
        struct json_object *v = md_volume_inspect(argv[i]);
        if (v == NULL) {
            fprintf(stderr, "mydocker: get %s: no such volume\n", argv[i]);
            failed = 1;
            continue;
        }
        if (fmt) {
            char *line = NULL;
            if (md_template_render(fmt, v, &line, NULL) == 0) puts(line);
            free(line);
            json_object_put(v);
        } else {
            json_object_array_add(out, v);
        }
    }
    if (!fmt)
        puts(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                     JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(out);
    return failed;
}

static int volume_rm(int argc, char **argv)
{
    int force = 0, failed = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-f") == 0 || strcmp(argv[i], "--force") == 0) {
            force = 1;
            continue;
        }
        md_error_t *err = NULL;
        if (md_volume_remove(argv[i], force, &err) < 0) {
            md_error_report(&err);
            failed = 1;
        } else {
            puts(argv[i]);
        }
    }
    return failed;
}

/* docker prunes only anonymous volumes unless -a */
static int volume_prune(int argc, char **argv)
{
    int all = 0;
    for (int i = 1; i < argc; i++)
        all |= strcmp(argv[i], "-a") == 0 || strcmp(argv[i], "--all") == 0;
    cleanup_strv char **names = md_volume_list();
    puts("Deleted Volumes:");
    for (char **v = names; v && *v; v++) {
        struct json_object *o = md_volume_inspect(*v), *anon;
        int is_anon =
            o && json_object_object_get_ex(o, "Anonymous", &anon) && json_object_get_boolean(anon);
        json_object_put(o);
        if (!all && !is_anon) continue;
        if (md_volume_remove(*v, 0, NULL) == 0) puts(*v);
    }
    return 0;
}

int cmd_volume(int argc, char **argv)
{
    static const struct {
        const char *n;
        int (*fn)(int, char **);
    } t[] = {{"create", volume_create},   {"ls", volume_ls}, {"list", volume_ls},
             {"inspect", volume_inspect}, {"rm", volume_rm}, {"remove", volume_rm},
             {"prune", volume_prune}};
    if (argc < 2) {
        fputs("Usage:  mydocker volume COMMAND\n\nCommands:\n  create  ls  inspect  rm  prune\n",
              stderr);
        return 1;
    }
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (strcmp(argv[1], t[i].n) == 0) return t[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "mydocker: unknown volume command: %s\n", argv[1]);
    return 1;
}
