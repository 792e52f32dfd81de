/* The image tool's pure parts: WWW-Authenticate challenges, base64, manifest
 * parsing (the four kinds, schema 1 and bad digests refused), platform
 * selection, and repo digests in the store (pull by digest, register keeps them). */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/store.h"
#include "imagetool/auth.h"
#include "imagetool/manifest.h"
#include "unit.h"
#include "util/fs.h"
#include "util/strv.h"

#define H64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define H64B "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

static void test_challenge(void)
{
    md_challenge_t c;
    CHECK_INT(md_challenge_parse("Bearer realm=\"https://auth.docker.io/token\",service=\"registry."
                                 "docker.io\",scope=\"repository:library/busybox:pull,push\"",
                                 &c),
              0);
    CHECK_STR(c.scheme, "Bearer");
    CHECK_STR(c.realm, "https://auth.docker.io/token");
    CHECK_STR(c.service, "registry.docker.io");
    CHECK_STR(c.scope, "repository:library/busybox:pull,push"); /* comma inside quotes */
    md_challenge_clear(&c);
    CHECK_INT(md_challenge_parse("Basic realm=\"basic-realm\"", &c), 0);
    CHECK_STR(c.scheme, "Basic");
    CHECK_STR(c.realm, "basic-realm");
    CHECK(c.service == NULL);
    md_challenge_clear(&c);
    CHECK_INT(md_challenge_parse("Bearer realm=http://x/t, error=\"insufficient_scope\"", &c), 0);
    CHECK_STR(c.realm, "http://x/t");
    CHECK_STR(c.error, "insufficient_scope");
    md_challenge_clear(&c);
    CHECK(md_challenge_parse("", &c) < 0);
    char *b = md_base64("alice:secret", 12);
    CHECK_STR(b, "YWxpY2U6c2VjcmV0");
    free(b);
}

static const char *oci_manifest =
    "{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_MANIFEST
    "\",\"config\":{\"mediaType\":\"" MT_OCI_CONFIG "\",\"digest\":\"sha256:" H64
    "\",\"size\":12},\"layers\":[{\"mediaType\":\"" MT_OCI_LAYER_GZIP "\",\"digest\":\"sha256:" H64B
    "\",\"size\":34}]}";

static const char *docker_list =
    "{\"schemaVersion\":2,\"mediaType\":\"" MT_DOCKER_LIST "\",\"manifests\":["
    "{\"mediaType\":\"" MT_DOCKER_MANIFEST "\",\"digest\":\"sha256:" H64 "\",\"size\":1,"
    "\"platform\":{\"os\":\"linux\",\"architecture\":\"arm\",\"variant\":\"v7\"}},"
    "{\"mediaType\":\"" MT_DOCKER_MANIFEST "\",\"digest\":\"sha256:" H64B "\",\"size\":2,"
    "\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}";

static void test_manifest(void)
{
    md_manifest_t m;
    md_error_t *err = NULL;
    CHECK_INT(md_manifest_parse(oci_manifest, strlen(oci_manifest), NULL, &m, &err), 0);
    CHECK(!m.is_index);
    CHECK_STR(m.config.digest, "sha256:" H64);
    CHECK_INT(m.config.size, 12);
    CHECK_INT(m.n, 1);
    CHECK_STR(m.layers[0].media_type, MT_OCI_LAYER_GZIP);
    CHECK(md_layer_type_ok(m.layers[0].media_type));
    md_manifest_clear(&m);

    CHECK_INT(md_manifest_parse(docker_list, strlen(docker_list), NULL, &m, &err), 0);
    CHECK(m.is_index);
    CHECK_INT(m.n, 2);
    md_desc_t d = {0};
    CHECK_INT(md_index_select(&m, "linux/amd64", &d, &err), 0);
    CHECK_STR(d.digest, "sha256:" H64B);
    md_desc_clear(&d);
    CHECK_INT(md_index_select(&m, "linux/arm/v7", &d, &err), 0);
    CHECK_STR(d.digest, "sha256:" H64);
    md_desc_clear(&d);
    CHECK(md_index_select(&m, "linux/arm/v6", &d, &err) < 0);
    CHECK(err && strstr(err->msg, "no matching manifest for linux/arm/v6"));
    md_error_free(&err);
    CHECK(md_index_select(&m, "linux/s390x", &d, &err) < 0);
    md_error_free(&err);
    md_manifest_clear(&m);

    /* no mediaType in the document: OCI, told by its fields; the HTTP type wins when given */
    const char *bare = "{\"schemaVersion\":2,\"manifests\":[]}";
    CHECK_INT(md_manifest_parse(bare, strlen(bare), NULL, &m, &err), 0);
    CHECK_STR(m.media_type, MT_OCI_INDEX);
    md_manifest_clear(&m);
    const char *s1 = "{\"schemaVersion\":1,\"name\":\"x\"}";
    CHECK(md_manifest_parse(s1, strlen(s1), MT_DOCKER_SCHEMA1 "+prettyjws", &m, &err) < 0);
    CHECK(err && strstr(err->msg, "schema 1"));
    md_error_free(&err);
    const char *bad = "{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"config\":{\"digest\":\"sha256:12\","
                      "\"size\":1},\"layers\":[]}";
    CHECK(md_manifest_parse(bad, strlen(bad), NULL, &m, &err) < 0);
    md_error_free(&err);
    CHECK(md_manifest_parse("not json", 8, NULL, &m, &err) < 0);
    md_error_free(&err);
    CHECK(!md_layer_type_ok("application/x-evil"));
}

static void test_repo_digests(void)
{
    char root[] = "/tmp/mydocker-unit-imagetool.XXXXXX";
    if (mkdtemp(root) == NULL) {
        UNIT_FAIL("mkdtemp");
        return;
    }
    setenv("MYDOCKER_ROOT", root, 1);
    md_error_t *err = NULL;
    const char *id = "sha256:" H64;
    CHECK_INT(md_image_store_init(&err), 0);
    CHECK_INT(md_image_register(id, "sha256:" H64B, 10, "localhost:5000/a:1", &err), 0);
    CHECK_INT(md_image_add_repo_digest(id, "localhost:5000/a@sha256:" H64B, &err), 0);
    char *found = NULL;
    CHECK_INT(md_image_resolve("localhost:5000/a@sha256:" H64B, &found, NULL, &err), 0);
    CHECK_STR(found, id);
    free(found);
    /* a newer digest of the same repository replaces the old one */
    CHECK_INT(md_image_add_repo_digest(id, "localhost:5000/a@sha256:" H64, &err), 0);
    CHECK_INT(md_image_register(id, NULL, -1, NULL, &err), 0); /* keeps repo_digests */
    md_image_info_t *list = NULL;
    size_t n = 0;
    CHECK_INT(md_image_list(&list, &n, &err), 0);
    CHECK_INT(n, 1);
    if (n == 1) {
        CHECK_INT(md_strv_len(list[0].digests), 1);
        CHECK_STR(list[0].digests[0], "localhost:5000/a@sha256:" H64);
    }
    md_image_list_free(list, n);
    md_error_free(&err);
    md_rm_rf(root, NULL);
}

int main(void)
{
    test_challenge();
    test_manifest();
    test_repo_digests();
    return UNIT_END("imagetool");
}
