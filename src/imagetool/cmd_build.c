/* `mydocker build`: docker's flags, BuildKit's plain progress on stderr (build.c does the work) */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/getopt.h"
#include "imagetool/build.h"
#include "tool.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"

struct build_cli {
    struct md_build_opts o;
    const char *file, *iidfile, *progress;
    int quiet;
    char *text;
};

/* data: our stderr, a copy made before the build (a RUN step's output borrows fds 1 and 2) */
static void progress(void *data, const struct md_build_event *ev)
{
    FILE *err = data;
    switch (ev->type) {
    case MD_BEV_STEP:
        if (ev->name)
            fprintf(err, "#%d [%s %d/%d] %s\n", ev->n, ev->name, ev->k, ev->total, ev->text);
        else
            fprintf(err, "#%d [%d/%d] %s\n", ev->n, ev->k, ev->total, ev->text);
        break;
    case MD_BEV_CACHED:
        fprintf(err, "#%d CACHED\n", ev->n);
        break;
    case MD_BEV_LINE:
        fprintf(err, "#%d %.3f %s\n", ev->n, ev->secs, ev->text);
        break;
    case MD_BEV_DONE:
        fprintf(err, "#%d DONE %.1fs\n", ev->n, ev->secs);
        break;
    case MD_BEV_ERROR:
        fprintf(err, "#%d ERROR: %s\n", ev->n, ev->text);
        break;
    case MD_BEV_WARN:
        fprintf(err, "WARNING: %s\n", ev->text);
        break;
    case MD_BEV_EXPORT:
        fprintf(err, "#%d exporting to image\n#%d writing image %s done\n", ev->n, ev->n, ev->text);
        break;
    case MD_BEV_FAILED_AT: /* BuildKit's excerpt of the Dockerfile */
        fprintf(err,
                "------\n > [%d] %s:\n------\nDockerfile:%d\n--------------------\n%4d | %s\n"
                "--------------------\n",
                ev->n, ev->text, ev->k, ev->k, ev->text);
        break;
    case MD_BEV_TAG:
        fprintf(err, "#%d naming to docker.io/%s%s done\n", ev->n,
                strchr(ev->text, '/') ? "" : "library/", ev->text);
        break;
    }
    fflush(err);
}

static const char usage_text[] =
    "Usage:  mydocker build [OPTIONS] PATH | -\n\n"
    "Build an image from a Dockerfile\n\n"
    "Options:\n"
    "      --build-arg list          Set build-time variables\n"
    "  -f, --file string             Name of the Dockerfile (default: \"PATH/Dockerfile\")\n"
    "      --iidfile string          Write the image ID to the file\n"
    "      --label list              Set metadata for an image\n"
    "      --network string          Set the networking mode for the RUN instructions\n"
    "      --no-cache                Do not use cache when building the image\n"
    "      --platform string         Set target platform for build (linux/amd64)\n"
    "      --progress string         Set type of progress output (auto, plain, tty, quiet)\n"
    "      --pull                    Always attempt to pull a newer version of the image\n"
    "      --secret stringArray      Secret to expose to the build (id=X,src=FILE|env=VAR)\n"
    "  -q, --quiet                   Suppress the build output and print image ID on success\n"
    "  -t, --tag list                Name and optionally a tag in the \"name:tag\" format\n"
    "      --target string           Set the target build stage to build\n";

enum {
    O_BUILD_ARG = 256,
    O_SECRET,
    O_IIDFILE,
    O_LABEL,
    O_NETWORK,
    O_NO_CACHE,
    O_PLATFORM,
    O_PROGRESS,
    O_PULL,
    O_TARGET,
    O_RM,
    O_FORCE_RM,
    O_HELP
};

static int set_flag(struct build_cli *b, int c, md_error_t **err)
{
    switch (c) {
    case 't':
        return md_strv_append(&b->o.tags, optarg);
    case 'f':
        b->file = optarg;
        return 0;
    case 'q':
        b->quiet = 1;
        return 0;
    case O_SECRET:
        return md_strv_append(&b->o.secrets, optarg);
    case O_BUILD_ARG:
        return md_strv_append(&b->o.build_args, optarg);
    case O_LABEL:
        return md_strv_append(&b->o.labels, optarg);
    case O_IIDFILE:
        b->iidfile = optarg;
        return 0;
    case O_TARGET:
        b->o.target = optarg;
        return 0;
    case O_NO_CACHE:
        b->o.no_cache = 1;
        return 0;
    case O_PULL:
        b->o.pull = 1;
        return 0;
    case O_RM:
    case O_FORCE_RM:
        return 0; /* the classic builder's: RUN containers always go */
    case O_NETWORK:
        if (strcmp(optarg, "default") && strcmp(optarg, "bridge") && strcmp(optarg, "host") &&
            strcmp(optarg, "none"))
            return md_error(err, 0, "network mode \"%s\" not supported by buildkit", optarg);
        b->o.network = strcmp(optarg, "host") && strcmp(optarg, "none") ? NULL : optarg;
        return 0;
    case O_PLATFORM:
        if (strcmp(optarg, "linux/amd64") && strcmp(optarg, "linux"))
            return md_error(err, 0, "--platform %s: only linux/amd64 builds here", optarg);
        return 0;
    case O_PROGRESS:
        if (strcmp(optarg, "auto") && strcmp(optarg, "plain") && strcmp(optarg, "tty") &&
            strcmp(optarg, "quiet"))
            return md_error(err, 0, "invalid progress mode \"%s\"", optarg);
        b->progress = optarg;
        return 0;
    }
    return 1;
}

static int parse(int argc, char **argv, struct build_cli *b)
{
    static const struct option lo[] = {{"tag", required_argument, NULL, 't'},
                                       {"file", required_argument, NULL, 'f'},
                                       {"quiet", no_argument, NULL, 'q'},
                                       {"build-arg", required_argument, NULL, O_BUILD_ARG},
                                       {"label", required_argument, NULL, O_LABEL},
                                       {"iidfile", required_argument, NULL, O_IIDFILE},
                                       {"target", required_argument, NULL, O_TARGET},
                                       {"no-cache", no_argument, NULL, O_NO_CACHE},
                                       {"pull", no_argument, NULL, O_PULL},
                                       {"network", required_argument, NULL, O_NETWORK},
                                       {"platform", required_argument, NULL, O_PLATFORM},
                                       {"progress", required_argument, NULL, O_PROGRESS},
                                       {"secret", required_argument, NULL, O_SECRET},
                                       {"rm", no_argument, NULL, O_RM},
                                       {"force-rm", no_argument, NULL, O_FORCE_RM},
                                       {"help", no_argument, NULL, O_HELP},
                                       {0}};
    int c;
    optind = 1;
    opterr = 0;
    md_error_t *err = NULL;
    while ((c = md_getopt_long(argc, argv, ":t:f:q", lo, NULL)) != -1) {
        if (c == O_HELP) return printf("%s", usage_text), -1;
        int r = set_flag(b, c, &err);
        if (r < 0) return md_error_report(&err), MD_TOOL_EXIT_FAIL;
        if (r > 0) return md_tool_bad_flag("build", c, argc, argv);
    }
    if (argc - optind != 1)
        return md_tool_usage_error("build", "\"build\" requires exactly 1 argument.");
    return 0;
}

/* the Dockerfile: -f FILE (relative to the current directory, as docker's CLI), -f - or
 * `build -` (stdin), else CONTEXT/Dockerfile */
static int read_dockerfile(struct build_cli *b, const char *context, md_error_t **err)
{
    cleanup_free char *path = NULL;
    const char *f = b->file;
    if (strcmp(context, "-") == 0 || (f && strcmp(f, "-") == 0)) {
        size_t len;
        return md_read_fd(STDIN_FILENO, &b->text, &len, err);
    }
    if (f == NULL && asprintf(&path, "%s/Dockerfile", context) < 0)
        return md_error(err, ENOMEM, "path");
    if (md_read_file(f ? f : path, &b->text, NULL, err) < 0)
        return md_error(err, 0, "failed to read dockerfile: open %s: no such file or directory",
                        f ? f : "Dockerfile");
    return 0;
}

static int check_context(const char *context, char **dir, md_error_t **err)
{
    if (strcmp(context, "-") == 0) { /* no context: an empty directory */
        *dir = NULL;
        return 0;
    }
    if (strstr(context, "://") || strncmp(context, "git@", 4) == 0)
        return md_error(err, 0, "a remote build context (%s) is not supported", context);
    struct stat st;
    if (stat(context, &st) < 0 || !S_ISDIR(st.st_mode))
        return md_error(err, 0, "unable to prepare context: path \"%s\" not found", context);
    *dir = realpath(context, NULL);
    return *dir ? 0 : md_error(err, errno, "%s", context);
}

int md_cmd_build(int argc, char **argv)
{
    struct build_cli b = {0};
    int p = parse(argc, argv, &b);
    if (p != 0) return p < 0 ? 0 : p;
    const char *context = argv[optind];
    md_error_t *err = NULL;
    cleanup_free char *dir = NULL;
    char empty[] = "/tmp/mydocker-build-ctx-XXXXXX", id[72];
    int r = check_context(context, &dir, &err);
    if (r == 0 && dir == NULL && mkdtemp(empty)) dir = strdup(empty);
    if (r == 0) r = read_dockerfile(&b, context, &err);
    b.o.context = dir;
    b.o.dockerfile = b.text;
    int quiet = b.quiet || (b.progress && strcmp(b.progress, "quiet") == 0);
    b.o.progress = quiet ? NULL : progress;
    int errfd = quiet ? -1 : fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
    b.o.data = errfd >= 0 ? fdopen(errfd, "w") : NULL;
    if (b.o.data == NULL) b.o.progress = NULL;
    if (r == 0) r = md_build(&b.o, id, &err);
    if (strcmp(context, "-") == 0 && dir) rmdir(dir);
    if (b.o.data) fclose(b.o.data);
    free(b.text);
    md_strv_free(b.o.tags), md_strv_free(b.o.build_args), md_strv_free(b.o.labels);
    md_strv_free(b.o.secrets);
    if (r < 0) {
        fprintf(stderr, "ERROR: failed to solve: %s\n", err && err->msg ? err->msg : "failed");
        md_error_free(&err);
        return MD_TOOL_EXIT_FAIL;
    }
    if (b.iidfile) {
        cleanup_close int fd = open(b.iidfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || md_write_all(fd, id, strlen(id)) < 0)
            return fprintf(stderr, "mydocker: write %s: %s\n", b.iidfile, strerror(errno)),
                   MD_TOOL_EXIT_FAIL;
    }
    if (quiet) printf("%s\n", id);
    return 0;
}
