/* What the image commands share: docker's flag errors and the -o output. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/getopt.h"
#include "cli/filters.h"
#include "image/store.h"
#include "tool.h"
#include "util/cleanup.h"
#include "util/error.h"

int md_tool_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", md_progname);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nSee '%s %s --help'.\n", md_progname, cmd);
    va_end(ap);
    return MD_EXIT_ENGINE;
}

int md_tool_bad_flag(const char *cmd, int c, int argc, char **argv)
{
    const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "?";
    int is_long = strncmp(arg, "--", 2) == 0;
    if (c == ':' && is_long) return md_tool_usage_error(cmd, "flag needs an argument: %s", arg);
    if (c == ':')
        return md_tool_usage_error(cmd, "flag needs an argument: '%c' in -%c", optopt, optopt);
    if (is_long) return md_tool_usage_error(cmd, "unknown flag: %.*s", MD_FLAG_NAME(arg));
    return md_tool_usage_error(cmd, "unknown shorthand flag: '%c' in %s", optopt, arg);
}

/* Writes through fn to file, or to stdout when file is NULL (refused on a
 * terminal, as docker does). A file is written as FILE.tmp-<pid> and renamed
 * once complete, so a failed save never leaves a truncated archive under the
 * name asked for. */
int md_tool_to_output(const char *file, int (*fn)(int fd, void *arg, md_error_t **err), void *arg,
                      md_error_t **err)
{
    if (file == NULL) {
        if (isatty(1))
            return md_error(err, 0,
                            "cowardly refusing to save to a terminal. Use the -o flag or redirect");
        return fn(1, arg, err);
    }
    cleanup_free char *tmp = NULL;
    if (asprintf(&tmp, "%s.tmp-%d", file, (int)getpid()) < 0)
        return md_error(err, ENOMEM, "%s", file);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return md_error(err, errno, "open %s", tmp);
    int r = fn(fd, arg, err);
    if (r == 0 && fsync(fd) < 0) r = md_error(err, errno, "fsync %s", tmp);
    if (close(fd) < 0 && r == 0) r = md_error(err, errno, "close %s", tmp);
    if (r == 0 && rename(tmp, file) < 0) r = md_error(err, errno, "rename %s", file);
    if (r < 0) unlink(tmp);
    return r;
}

int md_tool_labels_match(const struct md_filters *f, const char *image_id)
{
    if (!md_filters_has(f, "label") && !md_filters_has(f, "label!")) return 1;
    md_image_t *img = NULL;
    if (md_image_lookup(image_id, &img, NULL) < 0) return 0;
    struct json_object *cfg = NULL, *labels = NULL;
    json_object_object_get_ex(img->config, "config", &cfg);
    json_object_object_get_ex(cfg, "Labels", &labels);
    int ok = md_filters_labels(f, labels);
    md_image_free(img);
    return ok;
}
