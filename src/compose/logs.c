/* compose logs, exec, run, top, port: what a container shows is `mydocker`'s own front end's
 * (its logs, its exec with a tty, its run), one process per container; compose adds the
 * container picked by service and index, and the name prefix of each log line. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compose/cmds.h"
#include "compose/logs.h"
#include "compose/up.h"
#include "store/ctr.h"
#include "util/cleanup.h"
#include "util/strv.h"
#include "util/xalloc.h"

struct stream {
    pid_t pid;
    int fd;
    char prefix[300];
    char *buf;
    size_t len;
};

static void emit_lines(struct stream *s, int flush)
{
    char *start = s->buf, *nl;
    while ((nl = memchr(start, '\n', s->len - (size_t)(start - s->buf))) != NULL) {
        printf("%s%.*s\n", s->prefix, (int)(nl - start), start);
        start = nl + 1;
    }
    size_t rest = s->len - (size_t)(start - s->buf);
    if (flush && rest) {
        printf("%s%.*s\n", s->prefix, (int)rest, start);
        rest = 0;
    }
    memmove(s->buf, start, rest);
    s->len = rest;
    fflush(stdout);
}

static void logs_args(const struct md_compose_logs_opts *o, const char *id, char ***args)
{
    md_strv_append(args, "logs");
    if (o->follow) md_strv_append(args, "--follow");
    if (o->timestamps) md_strv_append(args, "--timestamps");
    if (o->tail) md_strv_append(args, "--tail"), md_strv_append(args, o->tail);
    if (o->since) md_strv_append(args, "--since"), md_strv_append(args, o->since);
    if (o->until) md_strv_append(args, "--until"), md_strv_append(args, o->until);
    md_strv_append(args, id);
}

static size_t start_streams(struct md_compose_project *p, const struct md_compose_logs_opts *o,
                            struct stream **out)
{
    struct md_compose_ctrs l;
    md_compose_find(p->name, NULL, 0, &l);
    size_t width = 0, n = 0;
    for (size_t i = 0; i < l.n; i++)
        if (strlen(l.v[i].c->name) > width) width = strlen(l.v[i].c->name);
    struct stream *s = md_xcalloc(l.n + 1, sizeof(*s));
    int color = isatty(STDOUT_FILENO);
    for (size_t i = 0; i < l.n; i++) {
        if (o->services && !md_strv_contains(o->services, l.v[i].service)) continue;
        int pfd[2];
        if (pipe2(pfd, O_CLOEXEC) < 0) continue;
        cleanup_strv char **args = NULL;
        logs_args(o, l.v[i].c->id, &args);
        s[n].pid = md_compose_spawn("mydocker", args, pfd[1]);
        close(pfd[1]);
        s[n].fd = pfd[0];
        if (o->no_prefix)
            s[n].prefix[0] = '\0';
        else if (color)
            snprintf(s[n].prefix, sizeof(s[n].prefix), "\033[%dm%-*s  |\033[0m ", 31 + (int)(n % 6),
                     (int)width, l.v[i].c->name);
        else
            snprintf(s[n].prefix, sizeof(s[n].prefix), "%-*s  | ", (int)width, l.v[i].c->name);
        n++;
    }
    md_compose_ctrs_free(&l);
    *out = s;
    return n;
}

static void end_stream(struct stream *s)
{
    emit_lines(s, 1);
    close(s->fd);
    s->fd = -1;
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        waitpid(s->pid, NULL, 0);
    }
}

int md_compose_follow(struct md_compose_project *p, const struct md_compose_logs_opts *o)
{
    struct stream *s = NULL;
    size_t n = start_streams(p, o, &s), open_n = n;
    struct pollfd *pf = md_xcalloc(n + 1, sizeof(*pf));
    while (open_n > 0 && !(o->interrupted && *o->interrupted)) {
        for (size_t i = 0; i < n; i++)
            pf[i] = (struct pollfd){s[i].fd, POLLIN, 0};
        if (poll(pf, n, 200) < 0 && errno != EINTR) break;
        for (size_t i = 0; i < n; i++) {
            if (s[i].fd < 0 || !pf[i].revents) continue;
            s[i].buf = md_xrealloc(s[i].buf, s[i].len + 65536);
            ssize_t r = read(s[i].fd, s[i].buf + s[i].len, 65536);
            if (r > 0) {
                s[i].len += (size_t)r;
                emit_lines(&s[i], 0);
                continue;
            }
            end_stream(&s[i]);
            open_n--;
            if (o->stop_on_first) open_n = 0;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i].fd >= 0) end_stream(&s[i]);
        free(s[i].buf);
    }
    free(s);
    free(pf);
    return 0;
}

int md_compose_cmd_logs(struct md_compose_project *p, int argc, char **argv)
{
    static const struct option lo[] = {
        {"follow", no_argument, NULL, 'f'},        {"timestamps", no_argument, NULL, 't'},
        {"tail", required_argument, NULL, 'n'},    {"since", required_argument, NULL, 's'},
        {"until", required_argument, NULL, 'u'},   {"no-color", no_argument, NULL, 'C'},
        {"no-log-prefix", no_argument, NULL, 'P'}, {NULL, 0, NULL, 0}};
    struct md_compose_logs_opts o = {0};
    int c;
    while ((c = getopt_long(argc, argv, "+ftn:", lo, NULL)) != -1) {
        switch (c) {
        case 'f':
            o.follow = 1;
            break;
        case 't':
            o.timestamps = 1;
            break;
        case 'n':
            o.tail = optarg;
            break;
        case 's':
            o.since = optarg;
            break;
        case 'u':
            o.until = optarg;
            break;
        case 'C':
            break;
        case 'P':
            o.no_prefix = 1;
            break;
        default:
            return MD_COMPOSE_FAILED;
        }
    }
    cleanup_strv char **only = NULL;
    for (int i = optind; i < argc; i++) {
        if (md_compose_service(p, argv[i]) == NULL) {
            fprintf(stderr, "no such service: %s\n", argv[i]);
            return MD_COMPOSE_FAILED;
        }
        md_strv_append(&only, argv[i]);
    }
    o.services = only;
    return md_compose_follow(p, &o);
}

/* the container of a service by its index (1 by default) */
static struct md_ctr *service_ctr(struct md_compose_project *p, const char *service, int index,
                                  struct md_compose_ctrs *l)
{
    if (md_compose_service(p, service) == NULL) {
        fprintf(stderr, "no such service: %s\n", service);
        return NULL;
    }
    md_compose_find(p->name, service, 0, l);
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].number == index) return l->v[i].c;
    fprintf(stderr, "service \"%s\" is not running\n", service);
    return NULL;
}

int md_compose_cmd_exec(struct md_compose_project *p, int argc, char **argv)
{
    static const struct option lo[] = {
        {"detach", no_argument, NULL, 'd'},        {"env", required_argument, NULL, 'e'},
        {"index", required_argument, NULL, 'I'},   {"no-TTY", no_argument, NULL, 'T'},
        {"privileged", no_argument, NULL, 'P'},    {"user", required_argument, NULL, 'u'},
        {"workdir", required_argument, NULL, 'w'}, {"interactive", no_argument, NULL, 'i'},
        {"tty", no_argument, NULL, 't'},           {NULL, 0, NULL, 0}};
    cleanup_strv char **args = NULL;
    md_strv_append(&args, "exec");
    int c, index = 1, tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
    while ((c = getopt_long(argc, argv, "+de:Tu:w:it", lo, NULL)) != -1) {
        switch (c) {
        case 'd':
            md_strv_append(&args, "-d");
            break;
        case 'e':
            md_strv_append(&args, "-e"), md_strv_append(&args, optarg);
            break;
        case 'I':
            index = atoi(optarg);
            break;
        case 'T':
            tty = 0;
            break;
        case 'P':
            md_strv_append(&args, "--privileged");
            break;
        case 'u':
            md_strv_append(&args, "-u"), md_strv_append(&args, optarg);
            break;
        case 'w':
            md_strv_append(&args, "-w"), md_strv_append(&args, optarg);
            break;
        case 'i':
        case 't':
            break; /* docker compose's defaults already */
        default:
            return MD_COMPOSE_FAILED;
        }
    }
    if (argc - optind < 2) {
        fprintf(stderr, "\"docker compose exec\" requires at least 2 arguments.\n");
        return MD_COMPOSE_FAILED;
    }
    struct md_compose_ctrs l;
    struct md_ctr *ctr = service_ctr(p, argv[optind], index, &l);
    if (ctr == NULL) return md_compose_ctrs_free(&l), MD_COMPOSE_FAILED;
    md_strv_append(&args, tty ? "-it" : "-i");
    md_strv_append(&args, ctr->id);
    for (int i = optind + 1; i < argc; i++)
        md_strv_append(&args, argv[i]);
    md_compose_ctrs_free(&l);
    return md_compose_tool("mydocker", args, 0);
}

/* top and port: `mydocker top/port` on the service's containers */
int md_compose_cmd_top(struct md_compose_project *p, int argc, char **argv)
{
    struct md_compose_ctrs l;
    md_compose_find(p->name, NULL, 0, &l);
    int rc = 0;
    for (size_t i = 0; i < l.n; i++) {
        if (argc > 1 && !md_strv_contains(argv + 1, l.v[i].service)) continue;
        if (l.v[i].c->status != MD_CTR_RUNNING) continue;
        printf("%s\n", l.v[i].c->name);
        fflush(stdout);
        char *args[] = {"top", l.v[i].c->id, NULL};
        rc |= md_compose_tool("mydocker", args, 0);
        printf("\n");
    }
    md_compose_ctrs_free(&l);
    return rc;
}

int md_compose_cmd_port(struct md_compose_project *p, int argc, char **argv)
{
    static const struct option lo[] = {{"index", required_argument, NULL, 'I'},
                                       {"protocol", required_argument, NULL, 'p'},
                                       {NULL, 0, NULL, 0}};
    int c, index = 1;
    const char *proto = "tcp";
    while ((c = getopt_long(argc, argv, "+", lo, NULL)) != -1) {
        if (c == 'I')
            index = atoi(optarg);
        else if (c == 'p')
            proto = optarg;
        else
            return MD_COMPOSE_FAILED;
    }
    if (argc - optind != 2) {
        fprintf(stderr, "\"docker compose port\" requires exactly 2 arguments.\n");
        return MD_COMPOSE_FAILED;
    }
    struct md_compose_ctrs l;
    struct md_ctr *ctr = service_ctr(p, argv[optind], index, &l);
    if (ctr == NULL) return md_compose_ctrs_free(&l), MD_COMPOSE_FAILED;
    cleanup_free char *spec = NULL;
    if (asprintf(&spec, "%s/%s", argv[optind + 1], proto) < 0) md_oom();
    char *args[] = {"port", ctr->id, spec, NULL};
    int rc = md_compose_tool("mydocker", args, 0);
    md_compose_ctrs_free(&l);
    return rc;
}
