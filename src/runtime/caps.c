#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "caps.h"

static int last_cap(void)
{
    static int last = -1;
    if (last < 0) {
        last = (int)cap_max_bits() - 1;
        if (last < 0 || last > 63) last = CAP_LAST_CAP;
    }
    return last;
}

uint64_t md_caps_host_bounding(void)
{
    uint64_t m = 0;
    for (int c = 0; c <= last_cap(); c++)
        if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1) m |= 1ULL << c;
    return m;
}

int md_caps_drop_bounding(const struct md_process *p, md_error_t **err)
{
    if (!p->has_caps) return 0;
    for (int c = 0; c <= last_cap(); c++) {
        if (p->cap_bounding & (1ULL << c)) continue;
        if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
            return md_error(err, errno, "drop capability %d from the bounding set", c);
    }
    return 0;
}

int md_switch_user(const struct md_process *p, md_error_t **err)
{
    /* keep the permitted set across setuid so capset below decides, not the kernel */
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
        return md_error(err, errno, "prctl(PR_SET_KEEPCAPS)");
    if (setgroups(p->n_gids, p->gids) < 0) return md_error(err, errno, "setgroups");
    if (setresgid(p->gid, p->gid, p->gid) < 0)
        return md_error(err, errno, "setgid %u", (unsigned)p->gid);
    if (setresuid(p->uid, p->uid, p->uid) < 0)
        return md_error(err, errno, "setuid %u", (unsigned)p->uid);
    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
        return md_error(err, errno, "prctl(PR_SET_KEEPCAPS)");
    return 0;
}

static int set_flag(cap_t c, cap_flag_t flag, uint64_t mask)
{
    cap_value_t v[64];
    int n = 0;
    for (int i = 0; i <= last_cap(); i++)
        if (mask & (1ULL << i)) v[n++] = i;
    return n ? cap_set_flag(c, flag, n, v, CAP_SET) : 0;
}

int md_caps_apply(const struct md_process *p, md_error_t **err)
{
    if (!p->has_caps) return 0;
    uint64_t want = p->cap_effective | p->cap_permitted | p->cap_inheritable | p->cap_ambient;
    uint64_t missing = want & ~md_caps_host_bounding() & ((1ULL << (last_cap() + 1)) - 1);
    if (missing) {
        int c = __builtin_ctzll(missing);
        char *name = cap_to_name(c);
        md_error(err, EPERM, "capability %s is not in the host's bounding set", name ? name : "?");
        cap_free(name);
        return -EPERM;
    }
    cap_t c = cap_init();
    if (c == NULL) return md_error(err, errno, "cap_init");
    int r = set_flag(c, CAP_EFFECTIVE, p->cap_effective);
    if (r == 0) r = set_flag(c, CAP_PERMITTED, p->cap_permitted);
    if (r == 0) r = set_flag(c, CAP_INHERITABLE, p->cap_inheritable);
    if (r == 0) r = cap_set_proc(c);
    int e = errno;
    cap_free(c);
    if (r < 0) return md_error(err, e, "set capabilities");
    /* the kernel raises an ambient capability only when it is both
     * permitted and inheritable; runc skips the others (its default spec
     * lists ambient capabilities without inheritable ones), and so do we,
     * so that a bundle gives the same process under both runtimes */
    uint64_t ambient = p->cap_ambient & p->cap_permitted & p->cap_inheritable;
    for (int i = 0; i <= last_cap(); i++) {
        if (!(ambient & (1ULL << i))) continue;
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, i, 0, 0) < 0)
            return md_error(err, errno, "raise ambient capability %d", i);
    }
    return 0;
}

int md_rlimits_apply(const struct md_process *p, md_error_t **err)
{
    for (size_t i = 0; i < p->n_rlimits; i++) {
        struct rlimit rl = {p->rlimits[i].soft, p->rlimits[i].hard};
        if (setrlimit(p->rlimits[i].resource, &rl) < 0)
            return md_error(err, errno, "setrlimit %d (soft %llu, hard %llu)",
                            p->rlimits[i].resource, (unsigned long long)rl.rlim_cur,
                            (unsigned long long)rl.rlim_max);
    }
    return 0;
}
