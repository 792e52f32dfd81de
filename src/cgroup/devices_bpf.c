/* cgroup v2 has no devices.allow/deny: access to device nodes is decided by
 * a BPF_PROG_TYPE_CGROUP_DEVICE program attached to the cgroup. We build it
 * from the rules with raw bpf(2) (no libbpf: the program is tiny).
 *
 * The program walks the rules from the LAST to the first and returns the
 * verdict of the first that matches, so the last matching rule wins; with
 * no match the access is denied. An allow rule matches when every requested
 * access is among its own; a deny rule when any requested access is. */
#include <errno.h>
#include <inttypes.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

/* registers of the program */
enum { R0 = 0, R1 = 1, R_TYPE = 3, R_ACC = 4, R_MAJ = 5, R_MIN = 6, R_TMP = 7 };

#define INSN(c, d, s, o, i)                                                                        \
    ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define LDX_W(d, s, o) INSN(BPF_LDX | BPF_W | BPF_MEM, d, s, o, 0)
#define MOV32_REG(d, s) INSN(BPF_ALU | BPF_MOV | BPF_X, d, s, 0, 0)
#define ALU32_IMM(op, d, i) INSN(BPF_ALU | (op) | BPF_K, d, 0, 0, i)
#define JMP_IMM(op, d, i) INSN(BPF_JMP | (op) | BPF_K, d, 0, 0, i) /* offset patched */
#define MOV64_IMM(d, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

struct prog {
    struct bpf_insn *insns;
    size_t n, cap;
    int oom;
};

static size_t emit(struct prog *p, struct bpf_insn in)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 64;
        struct bpf_insn *ni = realloc(p->insns, cap * sizeof(*ni));
        if (ni == NULL) {
            p->oom = 1;
            return p->n;
        }
        p->insns = ni;
        p->cap = cap;
    }
    p->insns[p->n] = in;
    return p->n++;
}

static int access_mask(const char *acc)
{
    int m = 0;
    for (; *acc; acc++)
        m |= *acc == 'r'   ? BPF_DEVCG_ACC_READ
             : *acc == 'w' ? BPF_DEVCG_ACC_WRITE
             : *acc == 'm' ? BPF_DEVCG_ACC_MKNOD
                           : 0;
    return m;
}

#define ACC_ALL (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD)

/* One rule: a run of "goto next rule unless it matches", then the verdict. */
static void emit_rule(struct prog *p, const struct md_device_rule *d)
{
    size_t jumps[6], nj = 0;
    if (d->type != 'a') {
        int type = d->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR;
        jumps[nj++] = emit(p, JMP_IMM(BPF_JNE, R_TYPE, type));
        int acc = access_mask(d->access);
        if (acc != ACC_ALL) {
            emit(p, MOV32_REG(R_TMP, R_ACC));
            if (d->allow) {
                emit(p, ALU32_IMM(BPF_AND, R_TMP, ACC_ALL & ~acc));
                jumps[nj++] = emit(p, JMP_IMM(BPF_JNE, R_TMP, 0));
            } else {
                emit(p, ALU32_IMM(BPF_AND, R_TMP, acc));
                jumps[nj++] = emit(p, JMP_IMM(BPF_JEQ, R_TMP, 0));
            }
        }
        if (d->major >= 0) jumps[nj++] = emit(p, JMP_IMM(BPF_JNE, R_MAJ, (int32_t)d->major));
        if (d->minor >= 0) jumps[nj++] = emit(p, JMP_IMM(BPF_JNE, R_MIN, (int32_t)d->minor));
    }
    emit(p, MOV64_IMM(R0, d->allow ? 1 : 0));
    emit(p, EXIT());
    for (size_t i = 0; i < nj && !p->oom; i++)
        p->insns[jumps[i]].off = (int16_t)(p->n - jumps[i] - 1);
}

static int build(struct prog *p, const struct md_device_rule *rules, size_t n, md_error_t **err)
{
    for (size_t i = 0; i < n; i++) {
        const struct md_device_rule *d = &rules[i];
        if (d->major > INT32_MAX || d->minor > INT32_MAX)
            return md_error(err, EINVAL, "device %" PRId64 ":%" PRId64 " out of range", d->major,
                            d->minor);
    }
    /* ctx: struct bpf_cgroup_dev_ctx { access_type = access << 16 | type,
     * major, minor } */
    emit(p, LDX_W(R_TYPE, R1, 0));
    emit(p, MOV32_REG(R_ACC, R_TYPE));
    emit(p, ALU32_IMM(BPF_AND, R_TYPE, 0xffff));
    emit(p, ALU32_IMM(BPF_RSH, R_ACC, 16));
    emit(p, LDX_W(R_MAJ, R1, 4));
    emit(p, LDX_W(R_MIN, R1, 8));
    /* An 'a' rule matches everything: the rules before it can never be
     * reached, and the verifier rejects unreachable code. */
    bool open_end = true;
    for (size_t i = n; i-- > 0 && open_end;) {
        emit_rule(p, &rules[i]);
        open_end = rules[i].type != 'a';
    }
    if (open_end) {
        emit(p, MOV64_IMM(R0, 0));
        emit(p, EXIT());
    }
    if (p->oom) return md_error(err, ENOMEM, "build device filter");
    if (p->n > 4096) return md_error(err, E2BIG, "too many device rules (%zu)", n);
    return 0;
}

static int sys_bpf(int cmd, union bpf_attr *attr)
{
    return (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static int prog_load(const struct prog *p, md_error_t **err)
{
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    a.insns = (uint64_t)(uintptr_t)p->insns;
    a.insn_cnt = (uint32_t)p->n;
    /* device programs call no helper, so the license gates nothing */
    a.license = (uint64_t)(uintptr_t) "Dual MIT/GPL";
    int fd = sys_bpf(BPF_PROG_LOAD, &a);
    if (fd >= 0) return fd;
    int e = errno;
    /* load again with the verifier log, for the message */
    char log[2048] = "";
    a.log_buf = (uint64_t)(uintptr_t)log;
    a.log_size = sizeof(log);
    a.log_level = 1;
    fd = sys_bpf(BPF_PROG_LOAD, &a);
    if (fd >= 0) return fd;
    log[sizeof(log) - 1] = '\0';
    char *nl = strchr(log, '\n');
    if (nl) *nl = '\0';
    return md_error(err, e, "load eBPF device filter%s%s", log[0] ? ": " : "", log);
}

static int prog_id(int fd, uint32_t *id)
{
    struct bpf_prog_info info;
    union bpf_attr a;
    memset(&info, 0, sizeof(info));
    memset(&a, 0, sizeof(a));
    a.info.bpf_fd = (uint32_t)fd;
    a.info.info_len = sizeof(info);
    a.info.info = (uint64_t)(uintptr_t)&info;
    if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a) < 0) return -errno;
    *id = info.id;
    return 0;
}

/* With BPF_F_ALLOW_MULTI every attached program must allow an access, so
 * the new one is attached first and the old ones detached after: there is
 * no moment without a filter. */
static int detach_others(int dirfd, uint32_t keep, md_error_t **err)
{
    uint32_t ids[64];
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.query.target_fd = (uint32_t)dirfd;
    a.query.attach_type = BPF_CGROUP_DEVICE;
    a.query.prog_ids = (uint64_t)(uintptr_t)ids;
    a.query.prog_cnt = 64;
    if (sys_bpf(BPF_PROG_QUERY, &a) < 0)
        return md_error(err, errno, "query attached device filters");
    for (uint32_t i = 0; i < a.query.prog_cnt && i < 64; i++) {
        if (ids[i] == keep) continue;
        union bpf_attr g;
        memset(&g, 0, sizeof(g));
        g.prog_id = ids[i];
        int fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &g);
        if (fd < 0) continue; /* gone meanwhile */
        union bpf_attr d;
        memset(&d, 0, sizeof(d));
        d.target_fd = (uint32_t)dirfd;
        d.attach_bpf_fd = (uint32_t)fd;
        d.attach_type = BPF_CGROUP_DEVICE;
        int r = sys_bpf(BPF_PROG_DETACH, &d) < 0 ? -errno : 0;
        close(fd);
        if (r < 0 && r != -ENOENT) return md_error(err, -r, "detach old device filter %u", ids[i]);
    }
    return 0;
}

int cg_bpf_devices_apply(int dirfd, const struct md_device_rule *rules, size_t n, md_error_t **err)
{
    struct prog p = {0};
    int r = build(&p, rules, n, err);
    int fd = r < 0 ? r : prog_load(&p, err);
    free(p.insns);
    if (fd < 0) return fd;
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.target_fd = (uint32_t)dirfd;
    a.attach_bpf_fd = (uint32_t)fd;
    a.attach_type = BPF_CGROUP_DEVICE;
    a.attach_flags = BPF_F_ALLOW_MULTI;
    uint32_t id = 0;
    if (sys_bpf(BPF_PROG_ATTACH, &a) < 0)
        r = md_error(err, errno, "attach eBPF device filter");
    else if ((r = prog_id(fd, &id)) < 0)
        r = md_error(err, -r, "eBPF device filter id");
    else
        r = detach_others(dirfd, id, err);
    close(fd);
    return r;
}
