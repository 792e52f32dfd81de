/* mydocker: the docker-style CLI. Global flags, then one subcommand from the table. */
#include "util/trace.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "engine/start.h"
#include "net/nft.h"
#include "util/error.h"

const struct md_command md_commands[] = {
    {"run", cmd_run, "Create and run a new container from an image"},
    {"create", cmd_create, "Create a new container"},
    {"start", cmd_start, "Start one or more stopped containers"},
    {"restart", cmd_restart, "Restart one or more containers"},
    {"stop", cmd_stop, "Stop one or more running containers"},
    {"kill", cmd_kill, "Kill one or more running containers"},
    {"rm", cmd_rm, "Remove one or more containers"},
    {"wait", cmd_wait, "Block until containers stop, then print their exit codes"},
    {"rename", cmd_rename, "Rename a container"},
    {"ps", cmd_ps, "List containers"},
    {"logs", cmd_logs, "Fetch the logs of a container"},
    {"inspect", cmd_inspect, "Return low-level information on containers or images"},
    {"exec", cmd_exec, "Execute a command in a running container"},
    {"stats", cmd_stats, "Display a live stream of container(s) resource usage statistics"},
    {"update", cmd_update, "Update configuration of one or more containers"},
    {"pause", cmd_pause, "Pause all processes within one or more containers"},
    {"unpause", cmd_unpause, "Unpause all processes within one or more containers"},
    {"top", cmd_top, "Display the running processes of a container"},
    {"volume", cmd_volume, "Manage volumes"},
    {"attach", cmd_attach,
     "Attach local standard input, output, and error streams to a running container"},
    {"container", cmd_container, "Manage containers (prune, ls, and the container verbs)"},
    {"build", cmd_image_tool, "Build an image from a Dockerfile"},
    {"builder", cmd_image_tool, "Manage builds (prune the build cache)"},
    {"images", cmd_image_tool, "List images"},
    {"import", cmd_image_tool, "Import the contents from a tarball to create a filesystem image"},
    {"rmi", cmd_image_tool, "Remove one or more images"},
    {"tag", cmd_image_tool, "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE"},
    {"pull", cmd_image_tool, "Download an image from a registry"},
    {"push", cmd_image_tool, "Upload an image to a registry"},
    {"save", cmd_image_tool, "Save one or more images to a tar archive"},
    {"load", cmd_image_tool, "Load an image from a tar archive or STDIN"},
    {"commit", cmd_image_tool, "Create a new image from a container's changes"},
    {"export", cmd_image_tool, "Export a container's filesystem as a tar archive"},
    {"cp", cmd_image_tool, "Copy files/folders between a container and the local filesystem"},
    {"history", cmd_image_tool, "Show the history of an image"},
    {"image", cmd_image_tool, "Manage images"},
    {"login", cmd_image_tool, "Log in to a registry"},
    {"logout", cmd_image_tool, "Log out from a registry"},
    {"network", cmd_network, "Manage networks"},
    {"port", cmd_port, "List port mappings or a specific mapping for the container"},
    {"info", cmd_info, "Display system-wide information"},
    {"events", cmd_events, "Get real time events from the server"},
    {"diff", cmd_diff, "Inspect changes to files or directories on a container's filesystem"},
    {"system", cmd_system, "Manage mydocker (df, prune, info, events)"},
    {"compose", cmd_compose, "Define and run multi-container applications"},
    {"version", cmd_version, "Show the mydocker version information"},
    {NULL, NULL, NULL},
};

static void usage(FILE *f)
{
    fputs("Usage:  mydocker [OPTIONS] COMMAND\n\n"
          "A small, fast, daemonless container engine\n\n"
          "Options:\n"
          "  -h, --help       Print usage\n"
          "  -v, --version    Print version information and quit\n\n"
          "Commands:\n",
          f);
    for (const struct md_command *c = md_commands; c->name; c++)
        fprintf(f, "  %-10s %s\n", c->name, c->summary);
    fputs("\nRun 'mydocker COMMAND --help' for more information on a command.\n", f);
}

/* docker's commands that mydocker does not have, each with the reason (docs/cli.md) */
static int unsupported_command(const char *verb)
{
    static const char *const swarm[] = {"swarm",  "node",   "service", "stack",
                                        "secret", "config", NULL};
    static const char *const other[][2] = {
        {"plugin", "plugins extend a daemon; mydocker has none"},
        {"context", "there is one engine, this machine's (-H/DOCKER_HOST name it)"},
        {"trust", "content trust needs a Notary server"},
        {"checkpoint", "checkpoint/restore (CRIU) is not built"},
        {"manifest", "manifest lists are made by `push` of a single platform only"},
        {"search", "registries' search API is not built (Docker Hub's v1 search)"},
        {"buildx", "there is one builder, `build`"},
        {"init", "docker init's project templates are not built"},
    };
    for (const char *const *s = swarm; *s; s++)
        if (strcmp(*s, verb) == 0) {
            /* docker's daemon answers the same on a machine outside any swarm */
            fputs("mydocker: This node is not a swarm manager. mydocker has no swarm mode: one "
                  "machine, no orchestrator.\n",
                  stderr);
            return 1;
        }
    for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++)
        if (strcmp(other[i][0], verb) == 0) {
            fprintf(stderr, "mydocker: '%s' is not supported: %s\n", verb, other[i][1]);
            return 1;
        }
    fprintf(stderr, "mydocker: '%s' is not a mydocker command.\nSee 'mydocker --help'\n", verb);
    return 1;
}

/* -H/--host and DOCKER_HOST: daemonless, mydocker drives this machine's
 * engine; a unix:// address names it, anything else (tcp://, ssh://) is
 * another machine's and cannot be reached */
static int check_host(const char *h)
{
    if (h == NULL || *h == '\0' || strncmp(h, "unix://", 7) == 0) return 0;
    fprintf(stderr,
            "mydocker: cannot connect to %s: mydocker is daemonless and drives this machine's "
            "engine only (unix:// addresses)\n",
            h);
    return 1;
}

static int log_level_ok(const char *l)
{
    static const char *const levels[] = {"debug", "info", "warn", "error", "fatal", NULL};
    for (const char *const *x = levels; *x; x++)
        if (strcmp(*x, l) == 0) return 1;
    fprintf(stderr, "mydocker: unable to parse logging level: %s\n", l);
    return 0;
}

/* docker's global flags, before the command: -D/--debug and --log-level
 * (accepted: mydocker has no daemon log to tune), --config DIR (the
 * registry credentials in DIR/config.json), -H/--host. Returns how many
 * arguments they took, -1 on a bad flag, -2 on a host out of reach. */
static int global_flags(int argc, char **argv)
{
    int i = 1;
    while (i < argc && argv[i][0] == '-') {
        const char *a = argv[i], *eq = strchr(a, '=');
        size_t n = eq ? (size_t)(eq - a) : strlen(a);
        const char *val = eq ? eq + 1 : i + 1 < argc ? argv[i + 1] : NULL;
        int takes = !eq;
        /* --tls/--tlsverify: TLS is for tcp:// hosts, which are refused below anyway */
        if (!strcmp(a, "-D") || !strcmp(a, "--debug") || !strcmp(a, "--tls") ||
            !strcmp(a, "--tlsverify")) {
            i++;
            continue;
        }
        int is_level = (n == 11 && !strncmp(a, "--log-level", n)) || !strcmp(a, "-l");
        int is_config = n == 8 && !strncmp(a, "--config", n);
        int is_host = (n == 6 && !strncmp(a, "--host", n)) || !strcmp(a, "-H");
        int is_context = (n == 9 && !strncmp(a, "--context", n)) || !strcmp(a, "-c");
        int is_tls_file = (n == 11 && !strncmp(a, "--tlscacert", n)) ||
                          (n == 9 && !strncmp(a, "--tlscert", n)) ||
                          (n == 8 && !strncmp(a, "--tlskey", n));
        if (!is_level && !is_config && !is_host && !is_context && !is_tls_file) break;
        if (val == NULL) {
            fprintf(stderr, "mydocker: flag needs an argument: %s\n", a);
            return -1;
        }
        if (is_level && !log_level_ok(val)) return -1;
        if (is_host && check_host(val)) return -2; /* docker: cannot connect, exit 1 */
        /* one engine, this machine's: docker's "default" context is the only one */
        if (is_context && strcmp(val, "default") != 0) {
            fprintf(stderr, "mydocker: context \"%s\" does not exist\n", val);
            return -2;
        }
        if (is_config) {
            char path[4200];
            snprintf(path, sizeof(path), "%s/config.json", val);
            setenv("MYDOCKER_AUTH_FILE", path, 1);
        }
        i += takes ? 2 : 1;
    }
    return i - 1;
}

int main(int argc, char **argv)
{
    md_trace("main");
    const char *dc = getenv("DOCKER_CONFIG");
    if (dc && *dc && getenv("MYDOCKER_AUTH_FILE") == NULL) {
        char path[4200];
        snprintf(path, sizeof(path), "%s/config.json", dc);
        setenv("MYDOCKER_AUTH_FILE", path, 1);
    }
    if (check_host(getenv("DOCKER_HOST"))) return 1;
    int g = global_flags(argc, argv);
    if (g < 0) return g == -2 ? 1 : MD_EXIT_ENGINE;
    argc -= g;
    argv += g;
    if (argc < 2) {
        usage(stderr);
        return 0;
    }
    const char *verb = argv[1];
    if (strcmp(verb, "-h") == 0 || strcmp(verb, "--help") == 0 || strcmp(verb, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(verb, "-v") == 0 || strcmp(verb, "--version") == 0)
        return cmd_version(argc - 1, argv + 1);
    if (strcmp(verb, "container-exited") == 0) /* internal: from mydocker-monitor */
        return cmd_container_exited(argc - 1, argv + 1);
    if (strcmp(verb, "health-run") == 0) /* internal: started with a container */
        return cmd_health_run(argc - 1, argv + 1);
    if (strcmp(verb, "__nft-run") == 0) /* internal: the API server's firewall helper */
        return md_nft_helper_main();
    if (strcmp(verb, "__start-helper") == 0 && argc == 3) /* internal: the API server's */
        return md_engine_start_helper_main(atoi(argv[2]));
    if (strcmp(verb, "__become-monitor") == 0 && argc == 14) { /* internal: the API server's */
        int v[11];
        for (int i = 0; i < 11; i++)
            v[i] = atoi(argv[3 + i]);
        return md_engine_become_monitor(argv[2], v) < 0 ? MD_EXIT_ENGINE : 0;
    }
    for (const struct md_command *c = md_commands; c->name; c++)
        if (strcmp(c->name, verb) == 0) return c->fn(argc - 1, argv + 1);
    return unsupported_command(verb);
}
