/* -u/--user resolution against an image's /etc/passwd and /etc/group
 * (src/engine/user.c), with runc's rules; the files are fmemopen buffers. */
#include <errno.h>
#include <stdlib.h>

#include "engine/user.h"
#include "unit.h"
#include "util/error.h"

static md_error_t *err;

static const char passwd_text[] = "root:x:0:0:root:/root:/bin/sh\n"
                                  "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
                                  "# a comment line\n"
                                  "broken line without fields\n"
                                  "bad:x:notanumber:0::/bad:/bin/sh\n"
                                  "alice:x:1000:1000:Alice:/home/alice:/bin/sh\n"
                                  "bob:x:1001:1001::/home/bob:/bin/ash\n"
                                  "www:x:33:33:www:/var/www:/usr/sbin/nologin\n"
                                  "nohome:x:2000:2000:::/bin/sh";
static const char group_text[] = "root:x:0:root\n"
                                 "wheel:x:10:root,alice\n"
                                 "# comment:x:11:alice\n"
                                 "staff:x:50:bob,alice\n"
                                 "alice:x:1000:\n"
                                 "bob:x:1001:\n"
                                 "docker:x:999:bob\n"
                                 "www-data:x:33:\n"
                                 "alicefans:x:70:alice2,xalice\n"
                                 "audio:x:29:alice";

static FILE *pw, *gr;

static void open_files(void)
{
    pw = fmemopen((void *)passwd_text, sizeof(passwd_text) - 1, "r");
    gr = fmemopen((void *)group_text, sizeof(group_text) - 1, "r");
}

static const char *errmsg(void)
{
    return err && err->msg ? err->msg : "(no error)";
}

static char *gids_str(const struct md_user *u)
{
    static char buf[256];
    buf[0] = '\0';
    for (size_t i = 0; i < u->n_gids; i++)
        snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%u", i ? "," : "",
                 (unsigned)u->gids[i]);
    return buf;
}

/* resolve and compare everything in one go */
static void check_user(const char *spec, FILE *p, FILE *g, unsigned uid, unsigned gid,
                       const char *gids, const char *home)
{
    struct md_user u;
    md_error_free(&err);
    int r = md_user_resolve(spec, p, g, &u, &err);
    if (r != 0) {
        UNIT_FAIL("md_user_resolve(\"%s\"): %d %s", spec ? spec : "(null)", r, errmsg());
        return;
    }
    if (u.uid == uid && u.gid == gid && strcmp(gids_str(&u), gids) == 0 && u.home &&
        strcmp(u.home, home) == 0)
        unit_passed++;
    else
        UNIT_FAIL("md_user_resolve(\"%s\"): got uid=%u gid=%u gids=[%s] home=%s, "
                  "want uid=%u gid=%u gids=[%s] home=%s",
                  spec ? spec : "(null)", (unsigned)u.uid, (unsigned)u.gid, gids_str(&u),
                  u.home ? u.home : "(null)", uid, gid, gids, home);
    md_user_clear(&u);
    CHECK(u.gids == NULL && u.home == NULL && u.n_gids == 0);
}

static void check_error(const char *spec, FILE *p, FILE *g, const char *want)
{
    struct md_user u;
    md_error_free(&err);
    int r = md_user_resolve(spec, p, g, &u, &err);
    CHECK(r < 0);
    CHECK_STR(errmsg(), want);
    md_user_clear(&u); /* a failed resolve may leave fields set (home) */
}

static void test_defaults(void)
{
    /* no user: root, with root's home and the groups listing root */
    check_user(NULL, pw, gr, 0, 0, "0,10", "/root");
    check_user("", pw, gr, 0, 0, "0,10", "/root");
    /* no passwd/group files in the image */
    check_user(NULL, NULL, NULL, 0, 0, "", "/");
    check_user("0", NULL, NULL, 0, 0, "", "/");
}

static void test_by_name(void)
{
    /* the primary group from passwd, supplementary groups from the member
     * lists (exact names only: "xalice" and "alice2" are not alice) */
    check_user("alice", pw, gr, 1000, 1000, "10,50,29", "/home/alice");
    check_user("bob", pw, gr, 1001, 1001, "50,999", "/home/bob");
    check_user("daemon", pw, gr, 1, 1, "", "/usr/sbin");
    check_user("www", pw, gr, 33, 33, "", "/var/www");
    /* an empty home field stays empty rather than becoming "/" */
    struct md_user u;
    CHECK_INT(md_user_resolve("nohome", pw, gr, &u, &err), 0);
    CHECK_INT(u.uid, 2000);
    CHECK(u.home != NULL);
    md_user_clear(&u);
    /* no group file: no supplementary groups, no error */
    check_user("alice", pw, NULL, 1000, 1000, "", "/home/alice");
}

static void test_by_uid(void)
{
    /* a known uid is that user, with its groups and home */
    check_user("1000", pw, gr, 1000, 1000, "10,50,29", "/home/alice");
    check_user("0", pw, gr, 0, 0, "0,10", "/root");
    /* an unknown uid is fine: gid 0, home "/", no groups */
    check_user("4242", pw, gr, 4242, 0, "", "/");
    check_user("4242", NULL, NULL, 4242, 0, "", "/");
}

static void test_with_group(void)
{
    /* an explicit group replaces the primary one and drops the
     * supplementary groups (runc: only in the implicit form) */
    check_user("alice:staff", pw, gr, 1000, 50, "", "/home/alice");
    check_user("alice:docker", pw, gr, 1000, 999, "", "/home/alice");
    check_user("alice:777", pw, gr, 1000, 777, "", "/home/alice");
    check_user("1000:50", pw, gr, 1000, 50, "", "/home/alice");
    check_user("4242:4242", pw, gr, 4242, 4242, "", "/");
    check_user("4242:staff", pw, gr, 4242, 50, "", "/");
    check_user("4242:4242", NULL, NULL, 4242, 4242, "", "/");
    check_user("bob:www-data", pw, gr, 1001, 33, "", "/home/bob");
    /* "user:" (empty group) is the implicit form */
    check_user("alice:", pw, gr, 1000, 1000, "10,50,29", "/home/alice");
}

static void test_errors(void)
{
    check_error("nobody", pw, gr, "unable to find user nobody: no matching entries in passwd file");
    check_error("nobody:staff", pw, gr,
                "unable to find user nobody: no matching entries in passwd file");
    check_error("alice", NULL, gr, "unable to find user alice: no matching entries in passwd file");
    /* a comment line is not a user */
    check_error("# a comment line", pw, gr,
                "unable to find user # a comment line: no matching entries in passwd file");
    check_error("alice:nogroup", pw, gr,
                "unable to find group nogroup: no matching entries in group file");
    check_error("alice:staff", pw, NULL,
                "unable to find group staff: no matching entries in group file");
    check_error("4242:nogroup", pw, gr,
                "unable to find group nogroup: no matching entries in group file");
    /* the error's value follows the convention: negative, exit code 125 */
    struct md_user u;
    md_error_free(&err);
    CHECK(md_user_resolve("ghost", pw, gr, &u, &err) < 0);
    CHECK(err != NULL && err->exit_code == MD_EXIT_ENGINE);
    md_user_clear(&u);
}

static void test_reuse_files(void)
{
    /* the same FILEs serve several lookups (they are rewound) */
    check_user("bob", pw, gr, 1001, 1001, "50,999", "/home/bob");
    check_user("bob", pw, gr, 1001, 1001, "50,999", "/home/bob");
    check_user("root", pw, gr, 0, 0, "0,10", "/root");
}

int main(void)
{
    open_files();
    test_defaults();
    test_by_name();
    test_by_uid();
    test_with_group();
    test_errors();
    test_reuse_files();
    fclose(pw);
    fclose(gr);
    md_error_free(&err);
    return UNIT_END("user");
}
