/* Healthcheck configuration as docker merges it (image HEALTHCHECK, then
 * the flags field by field) and Go's durations. */
#include <json-c/json.h>
#include <stdlib.h>

#include "engine/health.h"
#include "unit.h"
#include "util/duration.h"

static const char *cfg_text(const struct md_health_opts *o, const char *image)
{
    static char buf[1024];
    struct json_object *ic = image ? json_tokener_parse(image) : NULL;
    struct json_object *h = md_health_config(o, ic);
    snprintf(buf, sizeof(buf), "%s",
             h ? json_object_to_json_string_ext(h, JSON_C_TO_STRING_PLAIN |
                                                       JSON_C_TO_STRING_NOSLASHESCAPE)
               : "null");
    json_object_put(h);
    json_object_put(ic);
    return buf;
}

static int64_t dur(const char *s)
{
    int64_t ns = -42;
    return md_parse_duration(s, &ns) < 0 ? -42 : ns;
}

static const char *dtext(int64_t ns)
{
    static char buf[64];
    md_duration_text(ns, buf, sizeof(buf));
    return buf;
}

int main(void)
{
    static const char image[] =
        "{\"Healthcheck\":{\"Test\":[\"CMD\",\"/ok\"],\"Interval\":5000000000,"
        "\"Retries\":4}}";
    struct md_health_opts o = {0};
    CHECK_STR(cfg_text(&o, NULL), "null");
    CHECK_STR(cfg_text(&o, image),
              "{\"Test\":[\"CMD\",\"/ok\"],\"Interval\":5000000000,\"Retries\":4}");
    o.interval = 1000000000;
    CHECK_STR(cfg_text(&o, image),
              "{\"Test\":[\"CMD\",\"/ok\"],\"Interval\":1000000000,\"Retries\":4}");
    o.cmd = "curl -f localhost";
    o.retries = 1;
    CHECK_STR(
        cfg_text(&o, image),
        "{\"Test\":[\"CMD-SHELL\",\"curl -f localhost\"],\"Interval\":1000000000,\"Retries\":1}");
    struct md_health_opts none = {.none = 1};
    CHECK_STR(cfg_text(&none, image), "{\"Test\":[\"NONE\"]}");
    md_error_t *err = NULL;
    struct md_health_opts bad = {.none = 1, .retries = 2};
    CHECK(md_health_opts_check(&bad, &err) < 0);
    md_error_free(&err);

    CHECK_INT(dur("300ms"), 300000000);
    CHECK_INT(dur("1.5h"), 5400000000000LL);
    CHECK_INT(dur("2h45m"), 9900000000000LL);
    CHECK_INT(dur("1µs"), 1000);
    CHECK_INT(dur("-1s"), -1000000000);
    CHECK_INT(dur("0"), 0);
    CHECK_INT(dur("5"), -42);
    CHECK_INT(dur("5x"), -42);
    CHECK_INT(dur(""), -42);
    CHECK_INT(dur(".s"), -42);
    CHECK_STR(dtext(300000000), "300ms");
    CHECK_STR(dtext(30000000000LL), "30s");
    CHECK_STR(dtext(90000000000LL), "1m30s");
    CHECK_STR(dtext(3600000000000LL), "1h0m0s");
    CHECK_STR(dtext(1500), "1.5µs");
    CHECK_STR(dtext(0), "0s");
    return UNIT_END("health");
}
