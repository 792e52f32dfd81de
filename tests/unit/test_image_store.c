/* Image store: reference normalization, lookup by name / id / prefix, listing,
 * tagging, removal and garbage collection, on a fake store under MYDOCKER_ROOT. */
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/store.h"
#include "unit.h"
#include "util/fs.h"
#include "util/strv.h"

/* fake digests: the read side never recomputes them */
#define HEX_A "aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111"
#define HEX_B "aaaa2222bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222"
#define HEX_C "cccc3333cccc3333cccc3333cccc3333cccc3333cccc3333cccc3333cccc3333"
#define HEX_L1 "1111111111111111111111111111111111111111111111111111111111111111"
#define HEX_L2 "2222222222222222222222222222222222222222222222222222222222222222"
#define HEX_L3 "3333333333333333333333333333333333333333333333333333333333333333"
#define HEX_M "4444444444444444444444444444444444444444444444444444444444444444"
#define HEX_JUNK "5555555555555555555555555555555555555555555555555555555555555555"

#define CONFIG_B                                                                                   \
    "{\"created\":\"2024-01-03T00:00:00+01:00\",\"rootfs\":{\"type\":\"layers\","                  \
    "\"diff_ids\":[\"sha256:" HEX_L2 "\"]}}"

static char root[256];

static void check_norm(const char *in, const char *want)
{
    md_error_t *err = NULL;
    char *got = md_image_normalize_ref(in, &err);
    if (want == NULL) {
        if (got == NULL && err != NULL)
            unit_passed++;
        else
            UNIT_FAIL("normalize(\"%s\"): got \"%s\", want an error", in, got ? got : "(null)");
    } else {
        CHECK_STR(got, want);
        if (got == NULL) printf("  (input \"%s\": %s)\n", in, err && err->msg ? err->msg : "?");
    }
    free(got);
    md_error_free(&err);
}

static void test_normalize(void)
{
    check_norm("busybox", "busybox:latest");
    check_norm("busybox:1.36", "busybox:1.36");
    check_norm("library/busybox", "busybox:latest");
    check_norm("docker.io/library/busybox:1.36", "busybox:1.36");
    check_norm("index.docker.io/library/busybox", "busybox:latest");
    check_norm("docker.io/foo/bar", "foo/bar:latest");
    check_norm("localhost:5000/a/b", "localhost:5000/a/b:latest");
    check_norm("localhost/a", "localhost/a:latest");
    check_norm("ghcr.io/o/r:v1.2_x-y", "ghcr.io/o/r:v1.2_x-y");
    check_norm("my-app__x.y", "my-app__x.y:latest");
    check_norm("my_dom.io/z", NULL); /* a domain may not have '_' */
    check_norm("busybox@sha256:" HEX_A, "busybox@sha256:" HEX_A);
    check_norm("Busybox", NULL);
    check_norm("library/BusyBox:1", NULL);
    check_norm("", NULL);
    check_norm("a:b:c", NULL);
    check_norm("busybox:", NULL);
    check_norm(":tag", NULL);
    check_norm("a//b", NULL);
    check_norm("a/", NULL);
    check_norm("-a", NULL);
    check_norm("a..b", NULL);
    check_norm("a___b", NULL);
    check_norm("busybox:-x", NULL);
    check_norm("busybox@sha256:abc", NULL);
    check_norm(HEX_A, NULL);

    md_image_ref_t r;
    md_error_t *err = NULL;
    CHECK_INT(md_image_ref_parse("busybox", &r, &err), 0);
    CHECK_STR(r.domain, "docker.io");
    CHECK_STR(r.path, "library/busybox");
    CHECK_STR(r.familiar, "busybox");
    CHECK_STR(r.tag, "latest");
    CHECK(r.digest == NULL);
    md_image_ref_clear(&r);
    CHECK_INT(md_image_ref_parse("localhost:5000/a/b:v2", &r, &err), 0);
    CHECK_STR(r.domain, "localhost:5000");
    CHECK_STR(r.path, "a/b");
    CHECK_STR(r.tag, "v2");
    md_image_ref_clear(&r);
    CHECK(md_image_ref_parse("UPPER", &r, &err) < 0);
    CHECK(err && strstr(err->msg, "must be lowercase"));
    md_error_free(&err);
}

static void put(const char *rel, const char *text)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    md_error_t *err = NULL;
    *strrchr(path, '/') = '\0';
    md_mkdir_p(path, 0700, NULL);
    path[strlen(path)] = '/';
    if (md_write_file_atomic(path, text, strlen(text), 0600, 0, &err) < 0)
        UNIT_FAIL("write %s: %s", path, err->msg);
    md_error_free(&err);
}

static int exists(const char *rel)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    return md_path_exists(path);
}

static void make_store(void)
{
    char path[PATH_MAX];
    const char *dirs[] = {"image/blobs/sha256", "image/layers/" HEX_L1, "image/layers/" HEX_L2,
                          "image/layers/" HEX_L3, "image/layers/" HEX_JUNK};
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", root, dirs[i]);
        CHECK_INT(md_mkdir_p(path, 0700, NULL), 0);
    }
    put("image/blobs/sha256/" HEX_A,
        "{\"created\":\"2024-01-02T03:04:05.5Z\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"sh\"]},"
        "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:" HEX_L1 "\",\"sha256:" HEX_L2
        "\"]}}");
    put("image/blobs/sha256/" HEX_B, CONFIG_B);
    put("image/blobs/sha256/" HEX_C, "{\"created\":\"2023-12-31T00:00:00Z\",\"rootfs\":{"
                                     "\"type\":\"layers\",\"diff_ids\":[\"sha256:" HEX_L3 "\"]}}");
    put("image/blobs/sha256/" HEX_M,
        "{\"schemaVersion\":2,\"config\":{\"digest\":\"sha256:" HEX_A "\"},"
        "\"layers\":[{\"digest\":\"sha256:" HEX_L1 "\"},{\"digest\":\"sha256:" HEX_L2 "\"}]}");
    put("image/blobs/sha256/" HEX_L1, "tar1");
    put("image/blobs/sha256/" HEX_JUNK, "junk");
    /* the documented format, as another tool may write it: tags only, plus one untagged record */
    put("image/repositories.json",
        "{\"busybox:latest\":{\"id\":\"sha256:" HEX_A "\",\"manifest\":\"sha256:" HEX_M "\"},"
        "\"busybox:1.36\":{\"id\":\"sha256:" HEX_A "\",\"manifest\":\"sha256:" HEX_M "\"},"
        "\"localhost:5000/a/b:latest\":{\"id\":\"sha256:" HEX_B "\"},"
        "\"cccc:latest\":{\"id\":\"sha256:" HEX_B "\"},"
        "\"sha256:" HEX_C "\":{\"id\":\"sha256:" HEX_C "\",\"size\":1234}}");
}

static void check_lookup(const char *ref, const char *want_id, const char *want_name)
{
    md_image_t *img = NULL;
    md_error_t *err = NULL;
    int r = md_image_lookup(ref, &img, &err);
    if (r < 0) {
        UNIT_FAIL("lookup(\"%s\"): %s", ref, err && err->msg ? err->msg : "?");
        md_error_free(&err);
        return;
    }
    CHECK_STR(img->id, want_id);
    if (want_name)
        CHECK_STR(img->name, want_name);
    else
        CHECK(img->name == NULL);
    CHECK(img->config != NULL && img->layer_dirs != NULL && img->layer_dirs[0] != NULL);
    md_image_free(img);
}

static void check_lookup_fails(const char *ref, const char *want_msg)
{
    md_image_t *img = NULL;
    md_error_t *err = NULL;
    CHECK(md_image_lookup(ref, &img, &err) < 0);
    CHECK(img == NULL);
    if (err == NULL || err->msg == NULL || strstr(err->msg, want_msg) == NULL)
        UNIT_FAIL("lookup(\"%s\"): message \"%s\" lacks \"%s\"", ref,
                  err && err->msg ? err->msg : "(none)", want_msg);
    md_error_free(&err);
}

static void test_lookup(void)
{
    char l1[PATH_MAX], l2[PATH_MAX];
    md_image_t *img = NULL;
    CHECK_INT(md_image_lookup("busybox", &img, NULL), 0);
    if (img) {
        snprintf(l1, sizeof(l1), "%s/image/layers/%s", root, HEX_L1);
        snprintf(l2, sizeof(l2), "%s/image/layers/%s", root, HEX_L2);
        CHECK_INT(md_strv_len(img->layer_dirs), 2);
        CHECK_STR(img->layer_dirs[0], l1);
        CHECK_STR(img->layer_dirs[1], l2);
        json_object *cfg, *cmd;
        CHECK(json_object_object_get_ex(img->config, "config", &cfg) &&
              json_object_object_get_ex(cfg, "Cmd", &cmd));
        md_image_free(img);
    }
    check_lookup("busybox", "sha256:" HEX_A, "busybox:latest");
    check_lookup("busybox:1.36", "sha256:" HEX_A, "busybox:1.36");
    check_lookup("docker.io/library/busybox:latest", "sha256:" HEX_A, "busybox:latest");
    check_lookup("library/busybox:1.36", "sha256:" HEX_A, "busybox:1.36");
    check_lookup("busybox@sha256:" HEX_M, "sha256:" HEX_A, "busybox:latest");
    check_lookup("localhost:5000/a/b", "sha256:" HEX_B, "localhost:5000/a/b:latest");
    check_lookup("sha256:" HEX_A, "sha256:" HEX_A, NULL);
    check_lookup(HEX_B, "sha256:" HEX_B, NULL);
    check_lookup("aaaa1", "sha256:" HEX_A, NULL);
    check_lookup("sha256:aaaa2", "sha256:" HEX_B, NULL);
    check_lookup("ccc", "sha256:" HEX_C, NULL);           /* untagged image by prefix */
    check_lookup("cccc", "sha256:" HEX_B, "cccc:latest"); /* a name wins over an id prefix */
    check_lookup_fails("aaaa", "multiple IDs found with provided prefix: aaaa");
    check_lookup_fails("nope", "No such image: nope");
    check_lookup_fails("busybox:9", "No such image: busybox:9");
    check_lookup_fails("sha256:" HEX_JUNK, "No such image");
    check_lookup_fails("Bad:Ref", "invalid reference format");

    md_error_t *err = NULL;
    CHECK(md_image_lookup("nope", &img, &err) == -ENOENT && err && err->errnum == ENOENT);
    md_error_free(&err);
}

static void test_list(void)
{
    md_image_info_t *list = NULL;
    size_t n = 0;
    CHECK_INT(md_image_list(&list, &n, NULL), 0);
    CHECK_INT(n, 3);
    if (n == 3) {
        /* B (2024-01-02T23:00Z) newer than A (2024-01-02T03:04:05Z) newer than C */
        CHECK_STR(list[0].id, "sha256:" HEX_B);
        CHECK_STR(list[1].id, "sha256:" HEX_A);
        CHECK_STR(list[2].id, "sha256:" HEX_C);
        CHECK_INT(list[1].created, 1704164645);
        CHECK_INT(list[0].created, 1704236400);
        CHECK_STR(list[0].tags[0], "cccc:latest");
        CHECK_STR(list[0].tags[1], "localhost:5000/a/b:latest");
        CHECK_STR(list[1].tags[0], "busybox:1.36");
        CHECK_STR(list[1].tags[1], "busybox:latest");
        CHECK_STR(list[1].manifest, "sha256:" HEX_M);
        CHECK(list[2].tags[0] == NULL);
        CHECK_INT(list[2].size, 1234);
        CHECK_INT(list[1].size, -1);
    }
    md_image_list_free(list, n);
}

static void check_remove(const char *ref, int force, const char *want_report, int want_ok)
{
    char **lines = NULL;
    md_error_t *err = NULL;
    int r = md_image_remove(ref, force, &lines, &err);
    if ((r == 0) != want_ok)
        UNIT_FAIL("rmi %s: r=%d (%s)", ref, r, err && err->msg ? err->msg : "");
    else
        unit_passed++;
    char joined[1024] = "";
    for (size_t i = 0; lines && lines[i]; i++)
        snprintf(joined + strlen(joined), sizeof(joined) - strlen(joined), "%s%s", i ? "|" : "",
                 lines[i]);
    CHECK_STR(joined, want_report);
    md_strv_free(lines);
    md_error_free(&err);
}

static void test_write(void)
{
    md_error_t *err = NULL;
    CHECK_INT(md_image_tag("busybox", "mine:v1", &err), 0);
    check_lookup("mine:v1", "sha256:" HEX_A, "mine:v1");
    CHECK(md_image_tag("busybox", "sha256:" HEX_B, &err) < 0);
    md_error_free(&err);
    CHECK(md_image_tag("nope", "x", &err) < 0 && err && strstr(err->msg, "No such image"));
    md_error_free(&err);
    /* retag cccc onto A: B keeps its other tag */
    CHECK_INT(md_image_tag("busybox", "cccc", &err), 0);
    check_lookup("cccc", "sha256:" HEX_A, "cccc:latest");

    /* a container uses C: plain rmi by id refuses, -f removes the record only */
    put("containers/c0ffee0000000000/container.json",
        "{\"id\":\"c0ffee0000000000\",\"image_id\":\"sha256:" HEX_C "\"}");
    check_remove("ccc", 0, "", 0);
    check_remove("busybox:9", 0, "", 0);
    check_remove("aaaa1", 0, "", 0); /* 4 tags: must be forced */
    check_remove("busybox", 0, "Untagged: busybox:latest", 1);
    check_remove("localhost:5000/a/b", 0,
                 "Untagged: localhost:5000/a/b:latest|Deleted: sha256:" HEX_B, 1);
    check_remove("ccc", 1, "Deleted: sha256:" HEX_C, 1);
    CHECK(exists("image/blobs/sha256/" HEX_C)); /* kept for the container */
    CHECK(exists("image/layers/" HEX_L3));
    CHECK(!exists("image/blobs/sha256/" HEX_B)); /* collected */
    CHECK(!exists("image/blobs/sha256/" HEX_JUNK));
    CHECK(!exists("image/layers/" HEX_JUNK));
    CHECK(exists("image/layers/" HEX_L2)); /* still used by A */
    CHECK(exists("image/blobs/sha256/" HEX_M));

    put("image/blobs/sha256/" HEX_B, CONFIG_B); /* as a new import would */
    CHECK_INT(md_image_register("sha256:" HEX_B, NULL, 42, "b:1", &err), 0);
    check_lookup("b:1", "sha256:" HEX_B, "b:1");
    check_remove("sha256:" HEX_A, 1,
                 "Untagged: busybox:1.36|Untagged: cccc:latest|Untagged: mine:v1|"
                 "Deleted: sha256:" HEX_A,
                 1);
    CHECK(!exists("image/layers/" HEX_L1));
    CHECK(!exists("image/blobs/sha256/" HEX_L1));
    CHECK(!exists("image/blobs/sha256/" HEX_M));
    CHECK(exists("image/layers/" HEX_L2)); /* B uses it too */
    check_remove("b:1", 0, "Untagged: b:1|Deleted: sha256:" HEX_B, 1);
    CHECK(!exists("image/layers/" HEX_L2));

    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/containers", root);
    md_rm_rf(path, NULL);
    CHECK_INT(md_image_store_lock(&err) >= 0, 1);
    CHECK_INT(md_image_gc(&err), 0);
    CHECK(!exists("image/layers/" HEX_L3));
    CHECK(!exists("image/blobs/sha256/" HEX_C));
    md_image_info_t *list = NULL;
    size_t n = 99;
    CHECK_INT(md_image_list(&list, &n, NULL), 0);
    CHECK_INT(n, 0);
    md_image_list_free(list, n);
}

int main(void)
{
    snprintf(root, sizeof(root), "/tmp/md-unit-image-XXXXXX");
    if (mkdtemp(root) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    setenv("MYDOCKER_ROOT", root, 1);
    CHECK_STR(md_lib_root(), root);
    test_normalize();
    make_store();
    test_lookup();
    test_list();
    test_write();
    md_rm_rf(root, NULL);
    return UNIT_END("image_store");
}
