#include "timens.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spec_json.h"
#include "util/cleanup.h"

int md_timens_offsets_parse(struct json_object *offsets, char **out, md_error_t **err)
{
    char buf[256];
    size_t len = 0;
    *out = NULL;
    if (!json_object_is_type(offsets, json_type_object)) return 0;
    json_object_object_foreach(offsets, clock, v)
    {
        if (strcmp(clock, "monotonic") != 0 && strcmp(clock, "boottime") != 0)
            return md_error(err, 0, "config: linux.timeOffsets: unknown clock %s", clock);
        if (len >= sizeof(buf)) break;
        len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s %lld %lld\n", clock,
                                (long long)json_object_get_int64(md_jpath(v, "secs", NULL)),
                                (long long)json_object_get_int64(md_jpath(v, "nanosecs", NULL)));
    }
    if (len == 0) return 0;
    *out = strdup(buf);
    return *out ? 0 : md_error(err, ENOMEM, "config: linux.timeOffsets");
}

int md_timens_offsets_write(const char *text, md_error_t **err)
{
    if (text == NULL) return 0;
    size_t len = strlen(text);
    cleanup_close int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, text, len) != (ssize_t)len)
        return md_error(err, errno, "write timens_offsets");
    return 0;
}
