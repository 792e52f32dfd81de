/* The project's containers are those with its com.docker.compose.project label (docker
 * compose's own way: no state of ours beside the engine's records). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "compose/compose_int.h"
#include "compose/up.h"
#include "store/ctr.h"
#include "util/cleanup.h"
#include "util/strv.h"
#include "util/xalloc.h"

const char *md_compose_label(struct md_ctr *c, const char *key)
{
    struct json_object *cfg = NULL, *labels = NULL, *v = NULL;
    if (json_object_object_get_ex(c->record, "Config", &cfg) &&
        json_object_object_get_ex(cfg, "Labels", &labels) &&
        json_object_object_get_ex(labels, key, &v))
        return json_object_get_string(v);
    return NULL;
}

static int by_service_number(const void *a, const void *b)
{
    const struct md_compose_ctr *x = a, *y = b;
    int s = strcmp(x->service, y->service);
    return s ? s : x->number - y->number;
}

int md_compose_find(const char *project, const char *service, int oneoff,
                    struct md_compose_ctrs *out)
{
    out->v = NULL;
    out->n = 0;
    cleanup_strv char **ids = md_ctr_list_ids();
    for (char **id = ids; id && *id; id++) {
        struct md_ctr *c = NULL;
        if (md_ctr_load_id(*id, &c, NULL) < 0) continue;
        const char *proj = md_compose_label(c, "com.docker.compose.project");
        const char *svc = md_compose_label(c, "com.docker.compose.service");
        const char *one = md_compose_label(c, "com.docker.compose.oneoff");
        int is_oneoff = one && strcmp(one, "True") == 0;
        if (!proj || strcmp(proj, project) || !svc || (service && strcmp(svc, service)) ||
            (is_oneoff && !oneoff)) {
            md_ctr_free(c);
            continue;
        }
        out->v = md_xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
        const char *num = md_compose_label(c, "com.docker.compose.container-number");
        out->v[out->n++] =
            (struct md_compose_ctr){.c = c,
                                    .service = svc,
                                    .hash = md_compose_label(c, "com.docker.compose.config-hash"),
                                    .number = num ? atoi(num) : 0,
                                    .oneoff = is_oneoff};
    }
    if (out->n) qsort(out->v, out->n, sizeof(*out->v), by_service_number);
    return 0;
}

void md_compose_ctrs_free(struct md_compose_ctrs *l)
{
    for (size_t i = 0; i < l->n; i++)
        md_ctr_free(l->v[i].c);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

char **md_compose_projects(void)
{
    char **names = md_xcalloc(1, sizeof(char *));
    cleanup_strv char **ids = md_ctr_list_ids();
    for (char **id = ids; id && *id; id++) {
        struct md_ctr *c = NULL;
        if (md_ctr_load_id(*id, &c, NULL) < 0) continue;
        const char *proj = md_compose_label(c, "com.docker.compose.project");
        if (proj && !md_strv_contains(names, proj)) md_strv_append(&names, proj);
        md_ctr_free(c);
    }
    return names;
}

char *md_compose_config_hash(struct json_object *svc)
{
    const char *s = json_object_to_json_string_ext(svc, JSON_C_TO_STRING_PLAIN);
    unsigned char md[32];
    unsigned int n = 0;
    char *hex = md_xcalloc(65, 1);
    if (EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL) != 1) return hex;
    for (unsigned int i = 0; i < n && i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    return hex;
}

char *md_compose_image_name(struct md_compose_project *p, const char *service,
                            struct json_object *svc)
{
    struct json_object *img = NULL;
    char *n = NULL;
    if (json_object_object_get_ex(svc, "image", &img))
        return md_xstrdup(json_object_get_string(img));
    if (asprintf(&n, "%s-%s", p->name, service) < 0) md_oom();
    return n;
}

void md_compose_progress(const char *kind, const char *name, const char *state)
{
    fprintf(stderr, " %s %s  %s\n", kind, name, state);
}

int md_compose_report(md_error_t **err)
{
    if (*err) md_error_report(err);
    return MD_COMPOSE_FAILED;
}
