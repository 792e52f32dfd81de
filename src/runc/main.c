/* mydocker-runc: global flags, the command table, logging. Flags are read
 * as runc's (Go) parser reads them: "--flag value", "--flag=value" and
 * "-flag", and stop at the first argument that is not a flag. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "runtime/spec.h"

#include "runc/runc.h"
#include "util/fs.h"
#include "util/cleanup.h"
#include "util/time.h"

#define OCI_VERSION "1.0.2"

struct runc_global runc_g = {.root = "/run/mydocker-runc"};

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *summary;
} commands[] = {
    {"checkpoint", runc_cmd_unsupported, "checkpoint a running container (not supported)"},
    {"create", runc_cmd_create, "create a container"},
    {"delete", runc_cmd_delete, "delete any resources held by the container"},
    {"events", runc_cmd_events, "display container events and resource usage statistics"},
    {"exec", runc_cmd_exec, "execute new process inside the container"},
    {"kill", runc_cmd_kill, "send a signal (default: SIGTERM) to the container's init process"},
    {"list", runc_cmd_list, "list containers started with the given root"},
    {"pause", runc_cmd_pause, "suspend all processes inside the container"},
    {"ps", runc_cmd_ps, "display the processes running inside a container"},
    {"restore", runc_cmd_unsupported, "restore a container from a checkpoint (not supported)"},
    {"resume", runc_cmd_resume, "resume all processes that have been previously paused"},
    {"run", runc_cmd_run, "create and run a container"},
    {"spec", runc_cmd_spec, "create a new specification file"},
    {"start", runc_cmd_start, "execute the user defined process in a created container"},
    {"state", runc_cmd_state, "output the state of a container"},
    {"update", runc_cmd_update, "update container resource constraints"},
    {"features", runc_cmd_features, "show the enabled features"},
};

static void json_escape(FILE *f, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
}

const char *runc_abspath(const char *path, char *buf, size_t len)
{
    char cwd[4096];
    if (path[0] == '/' || getcwd(cwd, sizeof(cwd)) == NULL)
        snprintf(buf, len, "%s", path);
    else
        snprintf(buf, len, "%s/%s", cwd, path);
    return buf;
}

void runc_now(char *buf, size_t len)
{
    cleanup_free char *t = md_time_rfc3339(md_now_ns());
    snprintf(buf, len, "%s", t ? t : "");
}

void runc_warn_unknown_caps(const struct md_process *p)
{
    if (p->unknown_caps == NULL || p->unknown_caps[0] == NULL) return;
    char list[1024] = "";
    for (size_t i = 0; p->unknown_caps[i]; i++)
        snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? " " : "",
                 p->unknown_caps[i]);
    if (runc_g.log)
        runc_log("warning", "ignoring unknown or unavailable capabilities: [%s]", list);
    else
        fprintf(stderr, "%s: warning: ignoring unknown or unavailable capabilities: [%s]\n",
                md_progname, list);
}

void runc_log(const char *level, const char *fmt, ...)
{
    if (runc_g.log == NULL || (strcmp(level, "debug") == 0 && !runc_g.debug)) return;
    /* O_APPEND: containerd and conmon read this file while we write it */
    int fd = open(runc_g.log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    FILE *f = fd < 0 ? NULL : fdopen(fd, "a");
    if (f == NULL) {
        if (fd >= 0) close(fd);
        return;
    }
    char *msg = NULL, now[64];
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0) msg = NULL;
    va_end(ap);
    runc_now(now, sizeof(now));
    if (runc_g.log_json) {
        fprintf(f, "{\"level\":\"%s\",\"msg\":\"", level);
        json_escape(f, msg ? msg : "");
        fprintf(f, "\",\"time\":\"%s\"}\n", now);
    } else {
        fprintf(f, "time=\"%s\" level=%s msg=\"", now, level);
        json_escape(f, msg ? msg : "");
        fputs("\"\n", f);
    }
    free(msg);
    fclose(f);
}

int runc_fail(md_error_t **err)
{
    const char *m = err && *err && (*err)->msg ? (*err)->msg : "unknown error";
    runc_log("error", "%s", m);
    fprintf(stderr, "%s: %s\n", md_progname, m);
    md_error_free(err);
    return 1;
}

int runc_usage_error(const char *cmd, const char *fmt, ...)
{
    char *msg = NULL;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0) msg = NULL;
    va_end(ap);
    md_error_t *err = NULL;
    md_error(&err, 0, "%s: %s", cmd, msg ? msg : "usage error");
    free(msg);
    return runc_fail(&err);
}

int runc_cmd_unsupported(int argc, char **argv)
{
    md_error_t *err = NULL;
    md_error(&err, EOPNOTSUPP, "%s is not supported by mydocker-runc", argv[0]);
    return runc_fail(&err);
}

static void usage(FILE *f)
{
    fputs("NAME:\n   mydocker-runc - Open Container Initiative runtime (runc's command line)\n\n"
          "USAGE:\n   mydocker-runc [global options] command [command options] [arguments...]\n\n"
          "COMMANDS:\n",
          f);
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "   %-11s %s\n", commands[i].name, commands[i].summary);
    fputs("\nGLOBAL OPTIONS:\n"
          "   --debug             enable debug logging\n"
          "   --log value         set the log file to write logs to\n"
          "   --log-format value  set the log format ('text' (default), or 'json')\n"
          "   --root value        root directory for storage of container state (default: "
          "\"/run/mydocker-runc\")\n"
          "   --systemd-cgroup    not supported (cgroupfs only)\n"
          "   --help, -h          show help\n"
          "   --version, -v       print the version\n",
          f);
}

static void version(void)
{
    const struct scmp_version *v = seccomp_version();
    printf("mydocker-runc version %s\nspec: %s\nlibseccomp: %u.%u.%u\n", MD_VERSION, OCI_VERSION,
           v->major, v->minor, v->micro);
}

enum { OPT_ROOT = 1, OPT_LOG, OPT_LOG_FORMAT, OPT_DEBUG, OPT_SYSTEMD, OPT_CRIU, OPT_ROOTLESS };

/* 0: go on with the command; 1: done (--help, --version); -1: bad flag */
static int parse_global(int argc, char **argv)
{
    static char log_path[4096]; /* absolute: create and run chdir to the bundle */
    static const struct option opts[] = {
        {"root", required_argument, NULL, OPT_ROOT},
        {"log", required_argument, NULL, OPT_LOG},
        {"log-format", required_argument, NULL, OPT_LOG_FORMAT},
        {"debug", no_argument, NULL, OPT_DEBUG},
        {"systemd-cgroup", no_argument, NULL, OPT_SYSTEMD},
        {"criu", required_argument, NULL, OPT_CRIU},
        {"rootless", required_argument, NULL, OPT_ROOTLESS},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'v'},
        {NULL, 0, NULL, 0},
    };
    int c, systemd = 0;
    opterr = 0;
    while ((c = getopt_long_only(argc, argv, "+hv", opts, NULL)) != -1) {
        switch (c) {
        case OPT_ROOT:
            runc_g.root = optarg;
            break;
        case OPT_LOG:
            runc_g.log = runc_abspath(optarg, log_path, sizeof(log_path));
            break;
        case OPT_LOG_FORMAT:
            if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0)
                return runc_usage_error("--log-format", "unknown format %s (text or json)", optarg),
                       -1;
            runc_g.log_json = strcmp(optarg, "json") == 0;
            break;
        case OPT_DEBUG:
            runc_g.debug = 1;
            break;
        case OPT_SYSTEMD:
            systemd = 1;
            break;
        case OPT_CRIU:
        case OPT_ROOTLESS:
            break; /* accepted for compatibility; nothing to do */
        case 'h':
            usage(stdout);
            return 1; /* done: exit 0 */
        case 'v':
            version();
            return 1;
        default:
            return runc_usage_error("mydocker-runc", "flag provided but not defined: %s",
                                    argv[optind - 1]),
                   -1;
        }
    }
    if (systemd)
        return runc_usage_error("--systemd-cgroup",
                                "the systemd cgroup driver is not supported; use cgroupfs "
                                "(cgroupsPath \"/parent/name\")"),
               -1;
    return 0;
}

int main(int argc, char **argv)
{
    md_progname = "mydocker-runc";
    int g = parse_global(argc, argv);
    if (g != 0) return g < 0 ? 1 : 0;
    if (optind >= argc) {
        usage(stderr);
        return 1;
    }
    const char *verb = argv[optind];
    if (strcmp(verb, "help") == 0 || strcmp(verb, "h") == 0) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(commands[i].name, verb) != 0) continue;
        int sub_argc = argc - optind;
        char **sub_argv = argv + optind;
        optind = 0; /* reinitialise getopt for the command's own flags */
        runc_log("debug", "command %s", verb);
        return commands[i].fn(sub_argc, sub_argv);
    }
    return runc_usage_error("mydocker-runc", "No help topic for '%s'", verb);
}
