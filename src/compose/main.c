/* mydocker-compose: `mydocker compose [OPTIONS] COMMAND` (mydocker execs this binary, so
 * libyaml and libcrypto stay off run's path). docker compose's global options, then one
 * subcommand on the loaded project. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compose/cmds.h"
#include "util/error.h"
#include "util/strv.h"

static void usage(FILE *f)
{
    fputs(
        "Usage:  mydocker compose [OPTIONS] COMMAND\n\n"
        "Define and run multi-container applications with mydocker\n\n"
        "Options:\n"
        "      --env-file stringArray       Specify an alternate environment file\n"
        "  -f, --file stringArray           Compose configuration files\n"
        "      --profile stringArray        Specify a profile to enable\n"
        "      --progress string            Set type of progress output (auto, tty, plain, quiet)\n"
        "      --project-directory string   Specify an alternate working directory\n"
        "  -p, --project-name string        Project name\n\n"
        "Commands:\n"
        "  build, config, create, down, exec, images, kill, logs, ls, pause, port, ps, pull,\n"
        "  push, restart, rm, run, start, stop, top, unpause, up, version\n",
        f);
}

struct command {
    const char *name;
    int (*fn)(struct md_compose_project *p, int argc, char **argv);
};

static const struct command commands[] = {
    {"up", md_compose_cmd_up},         {"create", md_compose_cmd_create},
    {"down", md_compose_cmd_down},     {"start", md_compose_cmd_each},
    {"stop", md_compose_cmd_each},     {"restart", md_compose_cmd_each},
    {"kill", md_compose_cmd_each},     {"pause", md_compose_cmd_each},
    {"unpause", md_compose_cmd_each},  {"rm", md_compose_cmd_rm},
    {"ps", md_compose_cmd_ps},         {"logs", md_compose_cmd_logs},
    {"exec", md_compose_cmd_exec},     {"run", md_compose_cmd_run},
    {"config", md_compose_cmd_config}, {"build", md_compose_cmd_build},
    {"pull", md_compose_cmd_pull},     {"push", md_compose_cmd_push},
    {"images", md_compose_cmd_images}, {"port", md_compose_cmd_port},
    {"top", md_compose_cmd_top},
};

/* the global options; returns the index of the subcommand, or -1 (printed) */
static int global_opts(int argc, char **argv, struct md_compose_opts *o)
{
    static const struct option lo[] = {{"file", required_argument, NULL, 'f'},
                                       {"project-name", required_argument, NULL, 'p'},
                                       {"profile", required_argument, NULL, 'P'},
                                       {"env-file", required_argument, NULL, 'e'},
                                       {"project-directory", required_argument, NULL, 'd'},
                                       {"progress", required_argument, NULL, 'g'},
                                       {"ansi", required_argument, NULL, 'a'},
                                       {"parallel", required_argument, NULL, 'l'},
                                       {"help", no_argument, NULL, 'h'},
                                       {"dry-run", no_argument, NULL, 'D'},
                                       {"compatibility", no_argument, NULL, 'C'},
                                       {NULL, 0, NULL, 0}};
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+f:p:h", lo, NULL)) != -1) {
        switch (c) {
        case 'f':
            md_strv_append(&o->files, optarg);
            break;
        case 'p':
            o->project_name = optarg;
            break;
        case 'P':
            md_strv_append(&o->profiles, optarg);
            break;
        case 'e':
            md_strv_append(&o->env_files, optarg);
            break;
        case 'd':
            o->project_dir = optarg;
            break;
        case 'g':
        case 'a':
        case 'l':
            break; /* output and parallelism: ours is plain and sequential */
        case 'h':
            usage(stdout);
            return -2;
        case 'D':
        case 'C':
            fprintf(stderr, "mydocker: compose --%s is not supported\n", argv[optind - 1] + 2);
            return -1;
        default:
            fprintf(stderr, "unknown flag: %s\n", argv[optind - 1]);
            return -1;
        }
    }
    return optind;
}

int main(int argc, char **argv)
{
    md_progname = "mydocker";
    struct md_compose_opts o = {0};
    int i = global_opts(argc, argv, &o);
    if (i < 0) return i == -2 ? 0 : MD_COMPOSE_FAILED;
    if (i >= argc) {
        usage(stderr);
        return MD_COMPOSE_FAILED;
    }
    const char *name = argv[i];
    if (strcmp(name, "version") == 0) {
        printf("mydocker compose version v%s\n", MD_COMPOSE_VERSION);
        return 0;
    }
    if (strcmp(name, "ls") == 0) return md_compose_cmd_ls(argc - i, argv + i);
    const struct command *cmd = NULL;
    for (size_t k = 0; k < sizeof(commands) / sizeof(commands[0]); k++)
        if (strcmp(commands[k].name, name) == 0) cmd = &commands[k];
    if (cmd == NULL) {
        fprintf(stderr, "unknown docker command: \"compose %s\"\n", name);
        return MD_COMPOSE_FAILED;
    }
    struct md_compose_project p;
    md_error_t *err = NULL;
    if (md_compose_project_load(&o, &p, &err) < 0) {
        md_compose_project_free(&p);
        return md_compose_report(&err);
    }
    optind = 0;
    int rc = cmd->fn(&p, argc - i, argv + i);
    md_compose_project_free(&p);
    md_strv_free(o.files);
    md_strv_free(o.profiles);
    md_strv_free(o.env_files);
    return rc;
}
