#include "nft.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net/store.h"
#include "util/paths.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/proc.h"

struct nft_api {
    struct nft_ctx *(*ctx_new)(uint32_t flags);
    void (*ctx_free)(struct nft_ctx *ctx);
    int (*buffer_output)(struct nft_ctx *ctx);
    int (*buffer_error)(struct nft_ctx *ctx);
    const char *(*get_error)(struct nft_ctx *ctx);
    int (*run)(struct nft_ctx *ctx, const char *buf);
};

static int nft_load(struct nft_api *api, md_error_t **err)
{
    static void *lib;
    if (lib == NULL) lib = dlopen("libnftables.so.1", RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL)
        return md_error(err, 0, "firewall: cannot load libnftables.so.1 (install libnftables1): %s",
                        dlerror());
    *(void **)&api->ctx_new = dlsym(lib, "nft_ctx_new");
    *(void **)&api->ctx_free = dlsym(lib, "nft_ctx_free");
    *(void **)&api->buffer_output = dlsym(lib, "nft_ctx_buffer_output");
    *(void **)&api->buffer_error = dlsym(lib, "nft_ctx_buffer_error");
    *(void **)&api->get_error = dlsym(lib, "nft_ctx_get_error_buffer");
    *(void **)&api->run = dlsym(lib, "nft_run_cmd_from_buffer");
    if (!api->ctx_new || !api->ctx_free || !api->buffer_output || !api->buffer_error ||
        !api->get_error || !api->run)
        return md_error(err, 0, "firewall: libnftables lacks a symbol mydocker needs");
    return 0;
}

static int run_inproc(const char *cmds, md_error_t **err)
{
    struct nft_api api = {0};
    int r = nft_load(&api, err);
    if (r < 0) return r;
    struct nft_ctx *ctx = api.ctx_new(NFT_CTX_DEFAULT);
    if (ctx == NULL) return md_error(err, ENOMEM, "firewall");
    api.buffer_output(ctx);
    api.buffer_error(ctx);
    if (api.run(ctx, cmds) != 0) {
        const char *e = api.get_error(ctx);
        /* the first line is enough: the rest repeats the command with carets */
        int len = e ? (int)strcspn(e, "\n") : 0;
        r = md_error(err, 0, "firewall: %.*s", len, e ? e : "failed");
    }
    /* no nft_ctx_free: its close of the socket is the slow part (below), and
     * the process ends right after reporting; exit releases everything */
    return r;
}

/* the grandchild's report on fd: {failed, message length}, the message */
static void report_result(int fd, int r, md_error_t *e)
{
    const char *m = r < 0 && e && e->msg ? e->msg : "";
    uint32_t len = (uint32_t)strlen(m), hdr[2] = {(uint32_t)(r < 0), len};
    if (md_write_all(fd, hdr, sizeof(hdr)) == 0) md_write_all(fd, m, len);
}

int md_nft_helper_main(void)
{
    cleanup_free char *cmds = NULL;
    md_error_t *e = NULL;
    int r = md_read_fd(STDIN_FILENO, &cmds, NULL, &e);
    if (r == 0) r = run_inproc(cmds, &e);
    report_result(STDOUT_FILENO, r, e);
    md_error_free(&e);
    return 0;
}

/* The work is done in a detached grandchild that reports its result and only
 * then exits: closing an nfnetlink socket after a transaction that deleted
 * something waits for an RCU grace period (~7 ms measured here), which
 * nobody needs to wait for. It also keeps libnftables out of our address
 * space. */
int md_nft_run(const char *cmds, md_error_t **err)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) return md_error(err, errno, "pipe");
    /* a threaded caller's grandchild execs `mydocker __nft-run` (util/proc.h): the commands on
     * its stdin, from a memfd made here, its report on stdout */
    const char *helper = md_helper_binary();
    int in = helper ? memfd_create("mydocker-nft", MFD_CLOEXEC) : -1;
    if (in >= 0 && (md_write_all(in, cmds, strlen(cmds)) < 0 || lseek(in, 0, SEEK_SET) < 0)) {
        close(in);
        in = -1;
    }
    pid_t mid = fork();
    if (mid == 0) {
        close(p[0]);
        if (fork() != 0) _exit(0);
        if (in >= 0) {
            dup2(in, STDIN_FILENO);
            dup2(p[1], STDOUT_FILENO);
            execl(helper, "mydocker", "__nft-run", (char *)NULL);
            _exit(127);
        }
        md_error_t *e = NULL;
        int r = run_inproc(cmds, &e);
        report_result(p[1], r, e);
        _exit(0);
    }
    if (in >= 0) close(in);
    close(p[1]);
    if (mid < 0) {
        close(p[0]);
        return md_error(err, errno, "fork");
    }
    while (waitpid(mid, NULL, 0) < 0 && errno == EINTR)
        ;
    uint32_t hdr[2];
    int r = md_read_exact(p[0], hdr, sizeof(hdr));
    char msg[512] = "";
    if (r == 0 && hdr[1] > 0)
        r = md_read_exact(p[0], msg, hdr[1] < sizeof(msg) - 1 ? hdr[1] : sizeof(msg) - 1);
    close(p[0]);
    if (r < 0) return md_error(err, -r, "firewall helper");
    return hdr[0] ? md_error(err, 0, "%s", msg) : 0;
}

/* The whole table in one transaction. `create table` makes it fail as a
 * whole when the table exists already, so two racing creators cannot both
 * add the rules. Rules (constant, whatever the number of containers):
 *  prerouting/output: DNAT to a published port (map lookup; a miss ends the rule)
 *  postrouting: masquerade host loopback sources (route_localnet), hairpin
 *               traffic, and containers' outbound traffic
 *  forward: internal networks and inter-network isolation (docker's) */
static const char table_cmds[] =
    "create table " MD_NFT_TABLE "\n"
    "add set " MD_NFT_TABLE " bridges { type ifname; }\n"
    "add set " MD_NFT_TABLE " internal { type ifname; }\n"
    "add set " MD_NFT_TABLE " same { type ifname . ifname; }\n"
    "add set " MD_NFT_TABLE " subnets { type ipv4_addr; flags interval; }\n"
    "add set " MD_NFT_TABLE " nat_subnets { type ipv4_addr; flags interval; }\n"
    "add map " MD_NFT_TABLE
    " ports_any { type inet_proto . inet_service : ipv4_addr . inet_service; }\n"
    "add map " MD_NFT_TABLE
    " ports_ip { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }\n"
    "add chain " MD_NFT_TABLE
    " prerouting { type nat hook prerouting priority dstnat; policy accept; }\n"
    "add chain " MD_NFT_TABLE " output { type nat hook output priority -100; policy accept; }\n"
    "add chain " MD_NFT_TABLE
    " postrouting { type nat hook postrouting priority srcnat; policy accept; }\n"
    "add chain " MD_NFT_TABLE
    " forward { type filter hook forward priority filter; policy accept; }\n"
    "add rule " MD_NFT_TABLE
    " prerouting fib daddr type local dnat ip to ip daddr . meta l4proto . th dport map @ports_ip\n"
    "add rule " MD_NFT_TABLE " prerouting meta nfproto ipv4 fib daddr type local dnat ip to meta "
    "l4proto . th dport map @ports_any\n"
    "add rule " MD_NFT_TABLE
    " output fib daddr type local dnat ip to ip daddr . meta l4proto . th dport map @ports_ip\n"
    "add rule " MD_NFT_TABLE " output meta nfproto ipv4 fib daddr type local dnat ip to meta "
    "l4proto . th dport map @ports_any\n"
    "add rule " MD_NFT_TABLE " postrouting ip saddr 127.0.0.0/8 oifname @bridges masquerade\n"
    "add rule " MD_NFT_TABLE
    " postrouting ct status dnat ip saddr @subnets oifname @bridges masquerade\n"
    "add rule " MD_NFT_TABLE " postrouting ip saddr @nat_subnets oifname != @bridges masquerade\n"
    "add rule " MD_NFT_TABLE " forward ct status dnat accept\n"
    "add rule " MD_NFT_TABLE " forward iifname @internal iifname . oifname != @same drop\n"
    "add rule " MD_NFT_TABLE " forward oifname @internal iifname . oifname != @same drop\n"
    "add rule " MD_NFT_TABLE
    " forward iifname @bridges oifname @bridges iifname . oifname != @same drop\n";

/* Guards, in base chains of their own so that a table made by an older
 * mydocker gets them too (each `create chain` batch fails as a whole when its
 * chain exists):
 *  guard_input: CVE-2020-8558. route_localnet (set on our bridges so that
 *    published ports work on 127.0.0.1) also lets a neighbour on the bridge
 *    send packets to 127.0.0.1 and reach the host's loopback-only services.
 *    New connections to 127.0.0.0/8 that did not come in on lo are dropped.
 *  guard_forward: docker's filter. From outside the host, a container is
 *    reachable through its published ports (DNAT) only, not at its address:
 *    into a bridge goes what is a reply, what was DNATed, or what comes from
 *    a bridge (the isolation rules above decide between networks). */
static const char guard_input_cmds[] =
    "create chain " MD_NFT_TABLE
    " guard_input { type filter hook input priority filter; policy accept; }\n"
    "add rule " MD_NFT_TABLE
    " guard_input iifname != \"lo\" ip daddr 127.0.0.0/8 ct state new,invalid,untracked drop\n";
static const char guard_forward_cmds[] =
    "create chain " MD_NFT_TABLE
    " guard_forward { type filter hook forward priority filter; policy accept; }\n"
    "add rule " MD_NFT_TABLE " guard_forward oifname @bridges ct state established,related accept\n"
    "add rule " MD_NFT_TABLE " guard_forward oifname @bridges ct status dnat accept\n"
    "add rule " MD_NFT_TABLE " guard_forward oifname @bridges iifname != @bridges drop\n";

static char *network_elements(const char *verb, const struct md_network *n)
{
    cleanup_free char *sub = md_ip_str(n->subnet);
    char *s = NULL;
    const char *b = n->bridge;
    int r;
    if (n->internal)
        r = asprintf(&s,
                     "%s element " MD_NFT_TABLE " bridges { \"%s\" }\n"
                     "%s element " MD_NFT_TABLE " same { \"%s\" . \"%s\" }\n"
                     "%s element " MD_NFT_TABLE " internal { \"%s\" }\n",
                     verb, b, verb, b, b, verb, b);
    else
        r = asprintf(&s,
                     "%s element " MD_NFT_TABLE " bridges { \"%s\" }\n"
                     "%s element " MD_NFT_TABLE " same { \"%s\" . \"%s\" }\n"
                     "%s element " MD_NFT_TABLE " subnets { %s/%d }\n"
                     "%s element " MD_NFT_TABLE " nat_subnets { %s/%d }\n",
                     verb, b, verb, b, b, verb, sub, n->prefix, verb, sub, n->prefix);
    return r < 0 ? NULL : s;
}

/* one batch whose first command is a `create`: "exists" is success */
static int run_create(const char *cmds, md_error_t **err)
{
    md_error_t *e = NULL;
    if (md_nft_run(cmds, &e) == 0) return 0;
    if (e && e->msg && strstr(e->msg, "File exists")) {
        md_error_free(&e);
        return 0;
    }
    *err = e;
    return -1;
}

/* Under the run root: gone with a reboot, as the ruleset is. */
#define GUARD_MARK "nft-guards-1"

int md_nft_table_ensure(md_error_t **err)
{
    int r = run_create(table_cmds, err);
    if (r == 0) r = run_create(guard_input_cmds, err);
    if (r == 0) r = run_create(guard_forward_cmds, err);
    char mark[512];
    if (r == 0 && md_run_path(mark, sizeof(mark), GUARD_MARK) == 0) {
        md_error_t *e = NULL;
        if (md_mkdir_p(md_run_root(), 0700, &e) == 0)
            md_write_file_atomic(mark, "", 0, 0600, 0, &e);
        md_error_free(&e);
    }
    return r;
}

int md_nft_guards_ensure(md_error_t **err)
{
    char mark[512];
    if (md_run_path(mark, sizeof(mark), GUARD_MARK) == 0 && access(mark, F_OK) == 0) return 0;
    return md_nft_table_ensure(err);
}

int md_nft_network_add(const struct md_network *n, md_error_t **err)
{
    if (md_nft_table_ensure(err) < 0) return -1;
    cleanup_free char *cmds = network_elements("add", n);
    if (cmds == NULL) return md_error(err, ENOMEM, "firewall");
    return md_nft_run(cmds, err);
}

int md_nft_network_del(const struct md_network *n, md_error_t **err)
{
    cleanup_free char *cmds = network_elements("delete", n);
    if (cmds == NULL) return md_error(err, ENOMEM, "firewall");
    md_error_t *e = NULL;
    if (md_nft_run(cmds, &e) == 0) return 0;
    /* some were gone already (a reboot, a flushed ruleset): delete one by one */
    md_error_free(&e);
    for (char *save = NULL, *l = strtok_r(cmds, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        md_nft_run(l, &e);
        md_error_free(&e);
    }
    (void)err;
    return 0;
}
