/* compose ps, ls, images: docker compose's tables (or -q ids, --services, --format json) */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/format.h"
#include "cli/table.h"
#include "compose/cmds.h"
#include "compose/up.h"
#include "engine/health.h"
#include "net/net.h"
#include "store/ctr.h"
#include "util/cleanup.h"
#include "util/strv.h"
#include "util/time.h"
#include "util/xalloc.h"

/* a top-level or Config member of the record, "" when absent */
static const char *field(struct md_ctr *c, const char *path)
{
    const char *v = md_ctr_str(c, path);
    return v ? v : "";
}

static char **row(struct md_ctr *c, const char *service)
{
    char **r = NULL;
    cleanup_free char *cmd = md_command_column(c, 0), *status = md_health_status_text(c),
                      *created = NULL;
    int live = c->status == MD_CTR_RUNNING || c->status == MD_CTR_PAUSED;
    cleanup_free char *ports = md_net_ports_text(c->record, live);
    created = md_time_ago(md_parse_rfc3339(field(c, "Created")));
    md_strv_append(&r, c->name);
    md_strv_append(&r, field(c, "Config.Image"));
    md_strv_append(&r, cmd);
    md_strv_append(&r, service);
    md_strv_append(&r, created ? created : "");
    md_strv_append(&r, status ? status : "");
    md_strv_append(&r, ports ? ports : "");
    return r;
}

static struct json_object *json_row(struct md_ctr *c, const char *service, int number)
{
    struct json_object *o = json_object_new_object();
    cleanup_free char *status = md_health_status_text(c);
    json_object_object_add(o, "ID", json_object_new_string(c->id));
    json_object_object_add(o, "Name", json_object_new_string(c->name));
    json_object_object_add(o, "Image", json_object_new_string(field(c, "Config.Image")));
    json_object_object_add(o, "Service", json_object_new_string(service));
    json_object_object_add(o, "Number", json_object_new_int(number));
    json_object_object_add(o, "State", json_object_new_string(md_ctr_status_name(c->status)));
    json_object_object_add(o, "Status", json_object_new_string(status ? status : ""));
    const char *h = md_health_status(c->record);
    json_object_object_add(o, "Health", json_object_new_string(h ? h : ""));
    json_object_object_add(o, "ExitCode",
                           json_object_new_int(c->status == MD_CTR_EXITED ? c->exit_code : 0));
    return o;
}

int md_compose_cmd_ps(struct md_compose_project *p, int argc, char **argv)
{
    static const struct option lo[] = {{"all", no_argument, NULL, 'a'},
                                       {"quiet", no_argument, NULL, 'q'},
                                       {"services", no_argument, NULL, 's'},
                                       {"format", required_argument, NULL, 'f'},
                                       {"status", required_argument, NULL, 'S'},
                                       {"filter", required_argument, NULL, 'F'},
                                       {NULL, 0, NULL, 0}};
    int c, all = 0, quiet = 0, services = 0;
    const char *format = "table";
    cleanup_strv char **statuses = NULL;
    while ((c = getopt_long(argc, argv, "+aq", lo, NULL)) != -1) {
        switch (c) {
        case 'a':
            all = 1;
            break;
        case 'q':
            quiet = 1;
            break;
        case 's':
            services = 1;
            break;
        case 'f':
            format = optarg;
            break;
        case 'S':
            md_strv_append(&statuses, optarg);
            break;
        case 'F':
            if (strncmp(optarg, "status=", 7)) {
                fprintf(stderr, "invalid filter '%s'\n", optarg);
                return MD_COMPOSE_FAILED;
            }
            md_strv_append(&statuses, optarg + 7);
            break;
        default:
            return MD_COMPOSE_FAILED;
        }
    }
    if (strcmp(format, "table") && strcmp(format, "json")) {
        fprintf(stderr, "mydocker: compose ps --format %s: only table and json\n", format);
        return MD_COMPOSE_FAILED;
    }
    struct md_compose_ctrs l;
    md_compose_find(p->name, NULL, 0, &l);
    cleanup_strv char **seen = NULL;
    char ***rows = md_xcalloc(l.n + 2, sizeof(char **));
    size_t n = 0;
    rows[n++] =
        (char *[]){"NAME", "IMAGE", "COMMAND", "SERVICE", "CREATED", "STATUS", "PORTS", NULL};
    struct json_object *js = json_object_new_array();
    for (size_t i = 0; i < l.n; i++) {
        struct md_ctr *x = l.v[i].c;
        int live = x->status == MD_CTR_RUNNING || x->status == MD_CTR_PAUSED;
        if (optind < argc && !md_strv_contains(argv + optind, l.v[i].service)) continue;
        if (statuses ? !md_strv_contains(statuses, md_ctr_status_name(x->status)) : (!all && !live))
            continue;
        if (quiet) {
            printf("%s\n", x->id);
        } else if (services) {
            if (!md_strv_contains(seen, l.v[i].service)) printf("%s\n", l.v[i].service);
            md_strv_append(&seen, l.v[i].service);
        } else if (strcmp(format, "json") == 0) {
            json_object_array_add(js, json_row(x, l.v[i].service, l.v[i].number));
        } else {
            rows[n++] = row(x, l.v[i].service);
        }
    }
    if (!quiet && !services && strcmp(format, "json") == 0)
        printf("%s\n", json_object_to_json_string_ext(js, JSON_C_TO_STRING_PLAIN |
                                                              JSON_C_TO_STRING_NOSLASHESCAPE));
    else if (!quiet && !services)
        md_table_write(stdout, rows, n, 7, 0, 3, "\n");
    json_object_put(js);
    for (size_t i = 1; i < n; i++)
        md_strv_free(rows[i]);
    free(rows);
    md_compose_ctrs_free(&l);
    return 0;
}

int md_compose_cmd_ls(int argc, char **argv)
{
    static const struct option lo[] = {{"all", no_argument, NULL, 'a'},
                                       {"quiet", no_argument, NULL, 'q'},
                                       {"format", required_argument, NULL, 'f'},
                                       {NULL, 0, NULL, 0}};
    int c, all = 0, quiet = 0;
    optind = 0;
    while ((c = getopt_long(argc, argv, "+aq", lo, NULL)) != -1) {
        if (c == 'a')
            all = 1;
        else if (c == 'q')
            quiet = 1;
        else if (c != 'f' || strcmp(optarg, "table")) {
            if (c == 'f') fprintf(stderr, "mydocker: compose ls --format %s: only table\n", optarg);
            return MD_COMPOSE_FAILED;
        }
    }
    cleanup_strv char **names = md_compose_projects();
    size_t n = md_strv_len(names), k = 0;
    char ***rows = md_xcalloc(n + 2, sizeof(char **));
    rows[k++] = (char *[]){"NAME", "STATUS", "CONFIG FILES", NULL};
    for (size_t i = 0; i < n; i++) {
        struct md_compose_ctrs l;
        md_compose_find(names[i], NULL, 0, &l);
        int running = 0, exited = 0;
        const char *files = "";
        for (size_t j = 0; j < l.n; j++) {
            if (l.v[j].c->status == MD_CTR_RUNNING)
                running++;
            else
                exited++;
            const char *f = md_compose_label(l.v[j].c, "com.docker.compose.project.config_files");
            if (f) files = f;
        }
        if (running || all) {
            char status[64] = "";
            int len = 0;
            if (running) len = snprintf(status, sizeof(status), "running(%d)", running);
            if (exited)
                snprintf(status + len, sizeof(status) - (size_t)len, "%sexited(%d)",
                         len ? ", " : "", exited);
            if (quiet) {
                printf("%s\n", names[i]);
            } else {
                char **r = NULL;
                md_strv_append(&r, names[i]), md_strv_append(&r, status), md_strv_append(&r, files);
                rows[k++] = r;
            }
        }
        md_compose_ctrs_free(&l);
    }
    if (!quiet) md_table_write(stdout, rows, k, 3, 0, 3, "\n");
    for (size_t i = 1; i < k; i++)
        md_strv_free(rows[i]);
    free(rows);
    return 0;
}

int md_compose_cmd_images(struct md_compose_project *p, int argc, char **argv)
{
    (void)argc, (void)argv;
    struct md_compose_ctrs l;
    md_compose_find(p->name, NULL, 0, &l);
    char ***rows = md_xcalloc(l.n + 2, sizeof(char **));
    size_t k = 0;
    rows[k++] = (char *[]){"CONTAINER", "REPOSITORY", "TAG", "IMAGE ID", NULL};
    for (size_t i = 0; i < l.n; i++) {
        cleanup_free char *ref = md_xstrdup(field(l.v[i].c, "Config.Image"));
        char *colon = strrchr(ref, ':');
        const char *tag = "latest";
        if (colon && !strchr(colon, '/')) *colon = '\0', tag = colon + 1;
        const char *id = field(l.v[i].c, "Image");
        char shortid[13];
        snprintf(shortid, sizeof(shortid), "%s", strncmp(id, "sha256:", 7) == 0 ? id + 7 : id);
        char **r = NULL;
        md_strv_append(&r, l.v[i].c->name), md_strv_append(&r, ref);
        md_strv_append(&r, tag), md_strv_append(&r, shortid);
        rows[k++] = r;
    }
    md_table_write(stdout, rows, k, 4, 0, 3, "\n");
    for (size_t i = 1; i < k; i++)
        md_strv_free(rows[i]);
    free(rows);
    md_compose_ctrs_free(&l);
    return 0;
}
