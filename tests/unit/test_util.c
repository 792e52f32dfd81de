/* src/util (error convention, file helpers, string vectors) and the pure
 * parts of src/engine/cstore.c (names, container ids). Files live in a temp
 * directory that is removed at the end. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/cstore.h"
#include "store/ctr.h"
#include "unit.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/size.h"
#include "util/strv.h"

static md_error_t *err;
static char tmp[] = "/tmp/md-unit-util-XXXXXX";

static const char *errmsg(void)
{
    return err && err->msg ? err->msg : "(no error)";
}

static char *at(const char *rel)
{
    static char bufs[8][512];
    static int n;
    char *b = bufs[n++ % 8];
    snprintf(b, 512, "%s/%s", tmp, rel);
    return b;
}

static void put(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
        UNIT_FAIL("cannot write %s: %s", path, strerror(errno));
    if (fd >= 0) close(fd);
}

static int is_dir(const char *p)
{
    struct stat st;
    return lstat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int exists(const char *p)
{
    struct stat st;
    return lstat(p, &st) == 0;
}

/* ---- error.c ---------------------------------------------------------- */

static void test_error(void)
{
    md_error_t *e = NULL;
    CHECK_INT(md_error(&e, 0, "bad %s %d", "thing", 7), -1);
    CHECK(e != NULL);
    if (e) {
        CHECK_STR(e->msg, "bad thing 7");
        CHECK_INT(e->errnum, 0);
        CHECK_INT(e->exit_code, MD_EXIT_ENGINE);
    }
    /* a second error replaces the first */
    CHECK_INT(md_error(&e, ENOENT, "open %s", "/x"), -ENOENT);
    if (e) {
        CHECK_STR(e->msg, "open /x: No such file or directory");
        CHECK_INT(e->errnum, ENOENT);
        CHECK_INT(e->exit_code, 125);
    }
    /* prefixes stack and keep errnum and exit code */
    CHECK_INT(md_error_prefix(&e, "load %s", "cfg"), -ENOENT);
    CHECK_INT(md_error_prefix(&e, "start"), -ENOENT);
    if (e) {
        CHECK_STR(e->msg, "start: load cfg: open /x: No such file or directory");
        CHECK_INT(e->errnum, ENOENT);
        CHECK_INT(e->exit_code, 125);
    }
    md_error_free(&e);
    CHECK(e == NULL);
    md_error_free(&e); /* twice is fine */
    md_error_free(NULL);

    /* explicit exit codes */
    CHECK_INT(md_error_code(&e, MD_EXIT_NOT_FOUND, 0,
                            "exec: \"%s\": executable file not found in $PATH", "x"),
              -1);
    if (e) {
        CHECK_INT(e->exit_code, 127);
        CHECK_STR(e->msg, "exec: \"x\": executable file not found in $PATH");
    }
    CHECK_INT(md_error_prefix(&e, "ctx"), -1);
    if (e) CHECK_INT(e->exit_code, 127);
    CHECK_INT(md_error_code(&e, MD_EXIT_CANNOT_INVOKE, EACCES, "exec %s", "/etc"), -EACCES);
    if (e) {
        CHECK_INT(e->exit_code, 126);
        CHECK_INT(e->errnum, EACCES);
        CHECK_STR(e->msg, "exec /etc: Permission denied");
    }
    md_error_free(&e);

    /* no error slot: the value is still returned */
    CHECK_INT(md_error(NULL, EIO, "x"), -EIO);
    CHECK_INT(md_error(NULL, 0, "x"), -1);
    CHECK_INT(md_error_code(NULL, 127, ENOENT, "x"), -ENOENT);
    /* prefix with nothing to prefix */
    CHECK_INT(md_error_prefix(NULL, "x"), -1);
    CHECK_INT(md_error_prefix(&e, "x"), -1);
    CHECK(e == NULL);

    /* md_error_report prints "mydocker: msg" once and hands back the code */
    char path[64] = "/tmp/md-unit-stderr-XXXXXX";
    int fd = mkstemp(path);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    md_error_code(&e, 126, 0, "permission denied");
    int code = md_error_report(&e);
    int code2 = md_error_report(&e); /* nothing left: 125, prints nothing */
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    CHECK_INT(code, 126);
    CHECK_INT(code2, 125);
    CHECK(e == NULL);
    char *text = NULL;
    CHECK_INT(md_read_file(path, &text, NULL, NULL), 0);
    CHECK_STR(text, "mydocker: permission denied\n");
    free(text);
    close(fd);
    unlink(path);
}

/* ---- fs.c ------------------------------------------------------------- */

static void test_mkdir_p(void)
{
    CHECK_INT(md_mkdir_p(at("a/b/c/d"), 0755, &err), 0);
    CHECK(is_dir(at("a/b/c/d")));
    CHECK_INT(md_mkdir_p(at("a/b/c/d"), 0755, &err), 0); /* exists: fine */
    CHECK_INT(md_mkdir_p(at("a/b"), 0755, &err), 0);
    CHECK_INT(md_mkdir_p(at("t/u/"), 0755, &err), 0); /* trailing slash */
    CHECK(is_dir(at("t/u")));
    CHECK_INT(md_mkdir_p(at("s//v"), 0755, &err), 0); /* double slash */
    CHECK(is_dir(at("s/v")));
    mode_t old = umask(0);
    CHECK_INT(md_mkdir_p(at("m/n"), 0700, &err), 0);
    umask(old);
    struct stat st;
    CHECK(stat(at("m/n"), &st) == 0 && (st.st_mode & 07777) == 0700);
    CHECK(stat(at("m"), &st) == 0 && (st.st_mode & 07777) == 0700);

    /* a file in the way */
    put(at("file"), "x");
    md_error_free(&err);
    CHECK_INT(md_mkdir_p(at("file/sub"), 0755, &err), -ENOTDIR);
    char want[600];
    snprintf(want, sizeof(want), "mkdir %s: Not a directory", at("file/sub"));
    CHECK_STR(errmsg(), want);
    /* the path itself is a file: not a directory afterwards, so not success
     * (mkdir -p: "File exists") */
    md_error_free(&err);
    int r = md_mkdir_p(at("file"), 0755, &err);
    if (r < 0)
        unit_passed++;
    else
        UNIT_FAIL("md_mkdir_p(<existing regular file>) returned %d, want an error (EEXIST or "
                  "ENOTDIR): the caller is told a directory exists where there is none",
                  r);
    md_error_free(&err);
}

static void test_write_read(void)
{
    const char *p = at("w/f.json");
    CHECK_INT(md_mkdir_p(at("w"), 0755, NULL), 0);
    mode_t old = umask(022);
    CHECK_INT(md_write_file_atomic(p, "hello", 5, 0640, 0, &err), 0);
    struct stat st;
    CHECK(stat(p, &st) == 0 && (st.st_mode & 07777) == 0640 && st.st_size == 5);
    CHECK_INT(md_write_file_atomic(p, "new content", 11, 0600, 1, &err), 0);
    umask(old);
    char *text = NULL;
    size_t len = 0;
    CHECK_INT(md_read_file(p, &text, &len, &err), 0);
    CHECK_STR(text, "new content");
    CHECK_INT(len, 11);
    free(text);
    /* no temp file is left behind */
    DIR *d = opendir(at("w"));
    int entries = 0;
    for (struct dirent *de; d && (de = readdir(d));)
        entries += de->d_name[0] != '.';
    if (d) closedir(d);
    CHECK_INT(entries, 1);

    /* the write replaces a symlink, never writes through it */
    put(at("w/target"), "precious");
    CHECK_INT(symlink(at("w/target"), at("w/link")), 0);
    CHECK_INT(md_write_file_atomic(at("w/link"), "replaced", 8, 0644, 0, &err), 0);
    CHECK_INT(md_read_file(at("w/target"), &text, NULL, &err), 0);
    CHECK_STR(text, "precious");
    free(text);
    struct stat lst;
    CHECK(lstat(at("w/link"), &lst) == 0 && S_ISREG(lst.st_mode));

    /* empty content */
    CHECK_INT(md_write_file_atomic(at("w/empty"), "", 0, 0644, 0, &err), 0);
    text = NULL;
    CHECK_INT(md_read_file(at("w/empty"), &text, &len, &err), 0);
    CHECK(text != NULL && text[0] == '\0' && len == 0);
    free(text);

    /* a directory that does not exist */
    md_error_free(&err);
    CHECK_INT(md_write_file_atomic(at("nodir/f"), "x", 1, 0644, 0, &err), -ENOENT);
    CHECK(strncmp(errmsg(), "create ", 7) == 0 &&
          strstr(errmsg(), "No such file or directory") != NULL);

    /* large (several buffer growths) and binary content */
    size_t big = 300000;
    char *buf = malloc(big);
    for (size_t i = 0; i < big; i++)
        buf[i] = (char)(i % 251);
    CHECK_INT(md_write_file_atomic(at("w/big"), buf, big, 0644, 0, &err), 0);
    text = NULL;
    CHECK_INT(md_read_file(at("w/big"), &text, &len, &err), 0);
    CHECK_INT(len, big);
    CHECK(text && memcmp(text, buf, big) == 0 && text[big] == '\0');
    free(text);
    free(buf);

    /* missing file */
    md_error_free(&err);
    CHECK_INT(md_read_file(at("w/missing"), &text, NULL, &err), -ENOENT);
    char want[600];
    snprintf(want, sizeof(want), "open %s: No such file or directory", at("w/missing"));
    CHECK_STR(errmsg(), want);

    /* md_read_fd on a pipe */
    int pfd[2];
    CHECK_INT(pipe(pfd), 0);
    CHECK_INT(md_write_all(pfd[1], "through a pipe", 14), 0);
    close(pfd[1]);
    text = NULL;
    CHECK_INT(md_read_fd(pfd[0], &text, &len, &err), 0);
    CHECK_STR(text, "through a pipe");
    free(text);
    close(pfd[0]);

    /* md_read_exact: exact reads, early EOF is -EPIPE */
    CHECK_INT(pipe(pfd), 0);
    CHECK_INT(md_write_all(pfd[1], "abcdef", 6), 0);
    close(pfd[1]);
    char got[8] = "";
    CHECK_INT(md_read_exact(pfd[0], got, 4), 0);
    CHECK(memcmp(got, "abcd", 4) == 0);
    CHECK_INT(md_read_exact(pfd[0], got, 4), -EPIPE);
    close(pfd[0]);
    CHECK_INT(md_write_all(-1, "x", 1), -EBADF);

    CHECK(md_path_exists(at("w/big")));
    CHECK(!md_path_exists(at("w/nothing")));
}

static void test_rm_rf(void)
{
    /* an outside directory reachable through symlinks inside the tree */
    CHECK_INT(md_mkdir_p(at("outside/keep"), 0755, NULL), 0);
    put(at("outside/keep/file"), "keep me");
    put(at("outside/lone"), "keep me too");

    CHECK_INT(md_mkdir_p(at("tree/a/b/c"), 0755, NULL), 0);
    CHECK_INT(md_mkdir_p(at("tree/empty"), 0755, NULL), 0);
    put(at("tree/f1"), "1");
    put(at("tree/a/f2"), "2");
    put(at("tree/a/b/c/f3"), "3");
    CHECK_INT(symlink(at("outside"), at("tree/dirlink")), 0);
    CHECK_INT(symlink(at("outside/lone"), at("tree/a/filelink")), 0);
    CHECK_INT(symlink("../../outside", at("tree/a/rellink")), 0);
    CHECK_INT(symlink("/nonexistent", at("tree/dangling")), 0);
    CHECK_INT(mkfifo(at("tree/a/fifo"), 0600), 0);
    /* a directory without permissions (root ignores them; still removed) */
    if (geteuid() == 0) {
        CHECK_INT(md_mkdir_p(at("tree/locked/inner"), 0755, NULL), 0);
        chmod(at("tree/locked"), 0);
    }

    CHECK_INT(md_rm_rf(at("tree"), &err), 0);
    CHECK(!exists(at("tree")));
    CHECK(is_dir(at("outside/keep")));
    char *text = NULL;
    CHECK_INT(md_read_file(at("outside/keep/file"), &text, NULL, NULL), 0);
    CHECK_STR(text, "keep me");
    free(text);
    CHECK(exists(at("outside/lone")));

    /* missing path: fine */
    CHECK_INT(md_rm_rf(at("tree"), &err), 0);
    /* a plain file */
    put(at("plain"), "x");
    CHECK_INT(md_rm_rf(at("plain"), &err), 0);
    CHECK(!exists(at("plain")));
    /* the path itself a symlink to a directory: the link goes, not the target */
    CHECK_INT(symlink(at("outside"), at("toplink")), 0);
    CHECK_INT(md_rm_rf(at("toplink"), &err), 0);
    CHECK(!exists(at("toplink")));
    CHECK(exists(at("outside/keep/file")));
}

static void test_openat_in_root(void)
{
    CHECK_INT(md_mkdir_p(at("root/etc"), 0755, NULL), 0);
    CHECK_INT(md_mkdir_p(at("root/sub/dir"), 0755, NULL), 0);
    put(at("root/etc/passwd"), "inside\n");
    CHECK_INT(symlink("/etc/passwd", at("root/abs")), 0);
    CHECK_INT(symlink("../../../../../../../etc/passwd", at("root/sub/dir/rel")), 0);
    CHECK_INT(symlink("/", at("root/sub/toroot")), 0);
    CHECK_INT(symlink("/etc", at("root/etclink")), 0);
    int root = open(at("root"), O_PATH | O_DIRECTORY | O_CLOEXEC);
    CHECK(root >= 0);

    const char *paths[] = {"etc/passwd",     "/etc/passwd",           "abs",
                           "/abs",           "sub/dir/rel",           "../../../etc/passwd",
                           "/../etc/passwd", "sub/toroot/etc/passwd", "sub/toroot/../../etc/passwd",
                           "etclink/passwd", "etclink/../etc/passwd", NULL};
    for (const char **p = paths; *p; p++) {
        md_error_free(&err);
        int fd = md_openat_in_root(root, *p, O_RDONLY, 0, &err);
        char buf[64] = "";
        ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
        if (fd >= 0 && n == 7 && strcmp(buf, "inside\n") == 0)
            unit_passed++;
        else
            UNIT_FAIL("md_openat_in_root(\"%s\"): fd=%d read \"%s\" (%s), want the root's "
                      "etc/passwd",
                      *p, fd, buf, fd < 0 ? errmsg() : "ok");
        if (fd >= 0) {
            CHECK((fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
            close(fd);
        }
    }

    /* the root itself */
    int fd = md_openat_in_root(root, "/", O_RDONLY | O_DIRECTORY, 0, &err);
    CHECK(fd >= 0);
    struct stat a, b;
    CHECK(fd >= 0 && fstat(fd, &a) == 0 && stat(at("root"), &b) == 0 && a.st_ino == b.st_ino);
    if (fd >= 0) close(fd);

    /* create inside, through an absolute symlink to a directory */
    fd = md_openat_in_root(root, "/etclink/created", O_WRONLY | O_CREAT | O_EXCL, 0600, &err);
    CHECK(fd >= 0);
    if (fd >= 0) close(fd);
    CHECK(exists(at("root/etc/created")));
    CHECK(!exists("/etc/created"));

    /* missing */
    md_error_free(&err);
    CHECK_INT(md_openat_in_root(root, "/no/such", O_RDONLY, 0, &err), -ENOENT);
    CHECK_STR(errmsg(), "open no/such: No such file or directory");
    close(root);
}

static void test_lock_file(void)
{
    const char *p = at("lockfile");
    int a = md_lock_file(p, 1, 1, &err);
    CHECK(a >= 0);
    CHECK(exists(p));
    /* flock belongs to the open file: a second open conflicts */
    md_error_free(&err);
    int b = md_lock_file(p, 1, 1, &err);
    CHECK_INT(b, -EWOULDBLOCK);
    CHECK(err != NULL);
    int c = md_lock_file(p, 0, 1, NULL);
    CHECK_INT(c, -EWOULDBLOCK);
    close(a);
    b = md_lock_file(p, 0, 1, &err);
    c = md_lock_file(p, 0, 1, &err); /* shared + shared */
    CHECK(b >= 0 && c >= 0);
    CHECK_INT(md_lock_file(p, 1, 1, NULL), -EWOULDBLOCK);
    close(b);
    close(c);
    CHECK_INT(md_lock_file(at("nodir/lock"), 1, 1, NULL), -ENOENT);
}

static void test_strv(void)
{
    CHECK_INT(md_strv_len(NULL), 0);
    char **v = NULL;
    CHECK_INT(md_strv_append(&v, "a"), 0);
    CHECK_INT(md_strv_append(&v, ""), 0);
    char s[] = "copied";
    CHECK_INT(md_strv_append(&v, s), 0);
    s[0] = 'X'; /* append copies */
    CHECK_INT(md_strv_len(v), 3);
    CHECK_STR(v[0], "a");
    CHECK_STR(v[1], "");
    CHECK_STR(v[2], "copied");
    CHECK(v[3] == NULL);
    char **d = md_strv_dup(v);
    CHECK(d != NULL && d != v);
    CHECK_INT(md_strv_len(d), 3);
    CHECK(d && d[2] != v[2] && strcmp(d[2], "copied") == 0);
    md_strv_free(v);
    md_strv_free(d);
    d = md_strv_dup(NULL);
    CHECK(d != NULL && d[0] == NULL);
    md_strv_free(d);
    md_strv_free(NULL);
    char *lit[] = {"x", "y", NULL};
    d = md_strv_dup(lit);
    CHECK(d && md_strv_len(d) == 2 && strcmp(d[1], "y") == 0);
    md_strv_free(d);
    /* many appends */
    v = NULL;
    int ok = 1;
    for (int i = 0; i < 1000; i++) {
        char b[16];
        snprintf(b, sizeof(b), "%d", i);
        ok &= md_strv_append(&v, b) == 0;
    }
    CHECK(ok);
    CHECK_INT(md_strv_len(v), 1000);
    CHECK_STR(v[999], "999");
    md_strv_free(v);
}

/* ---- cstore.c --------------------------------------------------------- */

static void test_names(void)
{
    const char *good[] = {"web", "ab",    "a1",    "1a",  "my_app.v1-2", "Web-01",
                          "x__", "a.b.c", "UPPER", "9_9", NULL};
    const char *bad[] = {"",    "a",  "_x",          "-x",    ".x",  "a b", "a/b",
                         "a:b", "a$", "caf\xc3\xa9", "web\n", "a@b", "..",  NULL};
    for (const char **n = good; *n; n++)
        if (md_name_valid(*n))
            unit_passed++;
        else
            UNIT_FAIL("md_name_valid(\"%s\") = 0, want 1", *n);
    for (const char **n = bad; *n; n++)
        if (!md_name_valid(*n))
            unit_passed++;
        else
            UNIT_FAIL("md_name_valid(\"%s\") = 1, want 0", *n);
    CHECK(!md_name_valid(NULL));
    char longname[256];
    memset(longname, 'a', sizeof(longname));
    longname[200] = '\0';
    CHECK(md_name_valid(longname));
    longname[200] = 'a';
    longname[201] = '\0';
    CHECK(!md_name_valid(longname));
}

static void test_container_id(void)
{
    char a[65], b[65];
    memset(a, 'Z', sizeof(a));
    CHECK_INT(md_new_container_id(a, &err), 0);
    CHECK_INT(md_new_container_id(b, &err), 0);
    CHECK_INT(strlen(a), 64);
    CHECK_INT(strlen(b), 64);
    int hex = 1;
    for (int i = 0; i < 64; i++)
        hex &= (a[i] >= '0' && a[i] <= '9') || (a[i] >= 'a' && a[i] <= 'f');
    CHECK(hex);
    CHECK(strcmp(a, b) != 0);
    /* 100 more draws: all well-formed, no repeats of the previous one */
    char prev[65];
    memcpy(prev, a, 65);
    int distinct = 1, allhex = 1;
    for (int i = 0; i < 100; i++) {
        char c[65];
        md_new_container_id(c, NULL);
        distinct &= strcmp(c, prev) != 0;
        for (int j = 0; j < 64; j++)
            allhex &= (c[j] >= '0' && c[j] <= '9') || (c[j] >= 'a' && c[j] <= 'f');
        allhex &= c[64] == '\0';
        memcpy(prev, c, 65);
    }
    CHECK(distinct);
    CHECK(allhex);

    char *n = md_generate_name(0);
    CHECK(n != NULL && md_name_valid(n) && strchr(n, '_') != NULL);
    CHECK(n != NULL && strpbrk(n, "0123456789") == NULL); /* docker's plain pair first */
    free(n);
    n = md_generate_name(7); /* a late retry: a number on the pair, still a valid name */
    CHECK(n != NULL && md_name_valid(n) && n[strlen(n) - 1] >= '0' && n[strlen(n) - 1] <= '9');
    free(n);
}

/* A container whose PID 1 and monitor were both killed from outside:
 * reading says exited (137) and writes nothing; settling writes the exit
 * record once, and the next read finds that record with the same time. */
static void test_ctr_read_settle(void)
{
    static const char rec[] = "{\"State\":{\"Status\":\"running\"}}";
    static const char st[] = "{\"pid\":999999999,\"pid_start\":1,\"monitor\":0}";
    CHECK(md_mkdir_p(at("ctr/lib"), 0700, &err) == 0 && md_mkdir_p(at("ctr/run"), 0700, &err) == 0);
    CHECK(md_write_file_atomic(at("ctr/lib/container.json"), rec, strlen(rec), 0600, 0, &err) == 0);
    CHECK(md_write_file_atomic(at("ctr/run/state.json"), st, strlen(st), 0600, 0, &err) == 0);
    struct md_ctr c = {.id = "x", .dir = at("ctr/lib"), .rundir = at("ctr/run")};
    md_ctr_read_state(&c);
    CHECK_INT(c.status, MD_CTR_EXITED);
    CHECK_INT(c.exit_code, MD_EXIT_KILLED);
    CHECK_INT(c.unrecorded_exit, 1);
    CHECK_INT(md_path_exists(at("ctr/run/exit")), 0);
    int64_t when = c.finished_ns;
    md_ctr_settle(&c);
    CHECK_INT(md_path_exists(at("ctr/run/exit")), 1);
    md_ctr_read_state(&c);
    CHECK_INT(c.unrecorded_exit, 0);
    CHECK_INT(c.exit_code, MD_EXIT_KILLED);
    CHECK(c.finished_ns == when);
    json_object_put(c.record);
}

static void test_parse_size(void)
{
    CHECK(md_parse_size("100") == 100);
    CHECK(md_parse_size("1k") == 1024);
    CHECK(md_parse_size("1.5m") == 1572864);
    CHECK(md_parse_size("2GB") == 2147483648LL);
    CHECK(md_parse_size("1x") == -1);
    CHECK(md_parse_size("-1") == -1);
    CHECK(md_parse_size("") == -1);
    /* out of range or not a number: refused, never converted */
    CHECK(md_parse_size("1e77") == -1);
    CHECK(md_parse_size("9e16k") == -1);
    CHECK(md_parse_size("nan") == -1);
    CHECK(md_parse_size("infm") == -1);
}

int main(void)
{
    if (mkdtemp(tmp) == NULL) {
        UNIT_FAIL("mkdtemp: %s", strerror(errno));
        return UNIT_END("util");
    }
    test_error();
    test_mkdir_p();
    test_write_read();
    test_rm_rf();
    test_openat_in_root();
    test_lock_file();
    test_strv();
    test_names();
    test_container_id();
    test_ctr_read_settle();
    test_parse_size();
    md_error_free(&err);
    chmod(at("tree/locked"), 0755);
    if (md_rm_rf(tmp, NULL) < 0) UNIT_FAIL("cannot remove %s", tmp);
    return UNIT_END("util");
}
