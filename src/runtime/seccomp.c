/* linux.seccomp of the runtime spec, compiled by libseccomp. */
#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <seccomp.h>
#include <stdio.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/paths.h"

#include "seccomp.h"
#include "spec_json.h"

static int parse_action(const char *a, struct json_object *errno_ret, int default_errno,
                        uint32_t *out)
{
    int e = errno_ret ? json_object_get_int(errno_ret) : default_errno;
    if (a == NULL) return -EINVAL;
    if (strcmp(a, "SCMP_ACT_ALLOW") == 0)
        *out = SCMP_ACT_ALLOW;
    else if (strcmp(a, "SCMP_ACT_ERRNO") == 0)
        *out = SCMP_ACT_ERRNO((uint32_t)e);
    else if (strcmp(a, "SCMP_ACT_KILL") == 0 || strcmp(a, "SCMP_ACT_KILL_THREAD") == 0)
        *out = SCMP_ACT_KILL_THREAD;
    else if (strcmp(a, "SCMP_ACT_KILL_PROCESS") == 0)
        *out = SCMP_ACT_KILL_PROCESS;
    else if (strcmp(a, "SCMP_ACT_TRAP") == 0)
        *out = SCMP_ACT_TRAP;
    else if (strcmp(a, "SCMP_ACT_TRACE") == 0)
        *out = SCMP_ACT_TRACE((uint32_t)e);
    else if (strcmp(a, "SCMP_ACT_LOG") == 0)
        *out = SCMP_ACT_LOG;
    else
        return -EINVAL;
    return 0;
}

static int parse_op(const char *op, enum scmp_compare *out)
{
    static const struct {
        const char *n;
        enum scmp_compare c;
    } t[] = {{"SCMP_CMP_NE", SCMP_CMP_NE},
             {"SCMP_CMP_LT", SCMP_CMP_LT},
             {"SCMP_CMP_LE", SCMP_CMP_LE},
             {"SCMP_CMP_EQ", SCMP_CMP_EQ},
             {"SCMP_CMP_GE", SCMP_CMP_GE},
             {"SCMP_CMP_GT", SCMP_CMP_GT},
             {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ}};
    for (size_t i = 0; op && i < sizeof(t) / sizeof(t[0]); i++)
        if (strcmp(op, t[i].n) == 0) {
            *out = t[i].c;
            return 0;
        }
    return -EINVAL;
}

static int export_filter(scmp_filter_ctx ctx, struct md_seccomp_prog *out, md_error_t **err)
{
    int fd = memfd_create("seccomp", MFD_CLOEXEC);
    if (fd < 0) return md_error(err, errno, "seccomp: memfd");
    int r = seccomp_export_bpf(ctx, fd);
    if (r < 0) {
        close(fd);
        return md_error(err, -r, "seccomp: export filter");
    }
    lseek(fd, 0, SEEK_SET);
    r = md_read_fd(fd, &out->insns, &out->len, err);
    close(fd);
    return r;
}

static const char *jstr(struct json_object *o, const char *k)
{
    struct json_object *v;
    return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : NULL;
}

static int add_archs(scmp_filter_ctx ctx, struct json_object *archs, md_error_t **err)
{
    for (size_t i = 0; archs && i < json_object_array_length(archs); i++) {
        const char *a = json_object_get_string(json_object_array_get_idx(archs, i));
        char name[32];
        if (a == NULL) continue;
        if (strncmp(a, "SCMP_ARCH_", 10) == 0) a += 10;
        size_t j = 0;
        for (; a[j] && j < sizeof(name) - 1; j++)
            name[j] = (char)tolower((unsigned char)a[j]);
        name[j] = '\0';
        uint32_t arch = seccomp_arch_resolve_name(name);
        if (arch == 0) return md_error(err, 0, "seccomp: unknown architecture %s", a);
        int r = seccomp_arch_add(ctx, arch);
        if (r < 0 && r != -EEXIST) return md_error(err, -r, "seccomp: add architecture %s", a);
    }
    return 0;
}

static int add_rule(scmp_filter_ctx ctx, struct json_object *rule, int default_errno,
                    md_error_t **err)
{
    uint32_t action;
    if (parse_action(jstr(rule, "action"), md_jpath(rule, "errnoRet", NULL), default_errno,
                     &action) < 0)
        return md_error(err, 0, "seccomp: unsupported action %s", jstr(rule, "action"));
    struct json_object *args = md_jpath(rule, "args", NULL), *names = md_jpath(rule, "names", NULL);
    struct scmp_arg_cmp cmp[6];
    unsigned n_args = 0;
    for (size_t i = 0; args && i < json_object_array_length(args) && n_args < 6; i++) {
        struct json_object *a = json_object_array_get_idx(args, i);
        enum scmp_compare op;
        if (parse_op(jstr(a, "op"), &op) < 0)
            return md_error(err, 0, "seccomp: bad operator %s", jstr(a, "op"));
        cmp[n_args].arg = (unsigned)json_object_get_int(md_jpath(a, "index", NULL));
        cmp[n_args].op = op;
        cmp[n_args].datum_a = json_object_get_uint64(md_jpath(a, "value", NULL));
        cmp[n_args].datum_b = json_object_get_uint64(md_jpath(a, "valueTwo", NULL));
        n_args++;
    }
    for (size_t i = 0; names && i < json_object_array_length(names); i++) {
        const char *n = json_object_get_string(json_object_array_get_idx(names, i));
        int nr = n ? seccomp_syscall_resolve_name(n) : __NR_SCMP_ERROR;
        if (nr == __NR_SCMP_ERROR)
            continue; /* unknown to this libseccomp/arch: nothing to filter */
        int r = seccomp_rule_add_array(ctx, action, nr, n_args, cmp);
        /* a rule equal to the default action is refused by libseccomp; harmless */
        if (r < 0 && r != -EACCES && r != -EEXIST)
            return md_error(err, -r, "seccomp: add rule for %s", n);
    }
    return 0;
}

/* Compile the spec's filter with libseccomp into a classic BPF program. */
static int compile_filter(struct json_object *sc, struct md_seccomp_prog *out, md_error_t **err)
{
    struct json_object *der = md_jpath(sc, "defaultErrnoRet", NULL);
    int default_errno = der ? json_object_get_int(der) : EPERM;
    uint32_t def;
    if (parse_action(jstr(sc, "defaultAction"), der, EPERM, &def) < 0)
        return md_error(err, 0, "seccomp: unsupported default action %s",
                        jstr(sc, "defaultAction"));
    scmp_filter_ctx ctx = seccomp_init(def);
    if (ctx == NULL) return md_error(err, ENOMEM, "seccomp_init");
    /* no_new_privs is the spec's decision (process.noNewPrivileges), not libseccomp's */
    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
    /* a binary tree of syscall numbers instead of a list: docker's
     * allowlist has ~370 entries and the filter runs on every syscall */
    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
    int r = add_archs(ctx, md_jpath(sc, "architectures", NULL), err);
    struct json_object *calls = md_jpath(sc, "syscalls", NULL);
    for (size_t i = 0; r == 0 && calls && i < json_object_array_length(calls); i++)
        r = add_rule(ctx, json_object_array_get_idx(calls, i), default_errno, err);
    if (r == 0) r = export_filter(ctx, out, err);
    seccomp_release(ctx);
    return r;
}

/* Compiling a profile with libseccomp costs ~1.5 ms a start. The compiled
 * program depends only on the profile's JSON text and the libseccomp
 * version, so it is cached under /run/mydocker/seccomp (root only). The
 * file is named by a hash of both, but the name only finds the entry: the
 * entry holds the whole text it was compiled from and is used only when that
 * text is byte for byte the profile's. A profile crafted to collide with
 * another's name (mydocker-runc runs any spec) gets a miss and its own
 * compile, never the other's filter. */
#define CACHE_MAGIC "mdseccomp3\n"

static uint64_t fnv1a(const char *s, size_t n, uint64_t h)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* the key: libseccomp's version, then the profile */
static char *cache_key(struct json_object *sc, size_t *len)
{
    const struct scmp_version *v = seccomp_version();
    const char *text = json_object_to_json_string_ext(sc, JSON_C_TO_STRING_PLAIN);
    char *key = NULL;
    int n = asprintf(&key, "libseccomp %u.%u.%u\n%s", v->major, v->minor, v->micro, text);
    *len = n < 0 ? 0 : (size_t)n;
    return n < 0 ? NULL : key;
}

static void cache_path(const char *key, size_t len, char *out, size_t outlen)
{
    uint64_t a = fnv1a(key, len, 0xcbf29ce484222325ULL);
    uint64_t b = fnv1a(key, len, 0x84222325cbf29ce4ULL ^ len);
    snprintf(out, outlen, "%s/seccomp/%016llx%016llx.bpf", md_run_root(), (unsigned long long)a,
             (unsigned long long)b);
}

/* entry: magic, the key's length (8 bytes), the key, the program */
static int cache_read(const char *path, const char *key, size_t klen, struct md_seccomp_prog *out)
{
    cleanup_free char *buf = NULL;
    size_t n = 0, ml = sizeof(CACHE_MAGIC) - 1;
    uint64_t stored;
    if (md_read_file(path, &buf, &n, NULL) < 0 || n < ml + 8 || memcmp(buf, CACHE_MAGIC, ml) != 0)
        return -1;
    memcpy(&stored, buf + ml, 8);
    size_t head = ml + 8 + klen;
    if (stored != klen || n <= head || memcmp(buf + ml + 8, key, klen) != 0 ||
        (n - head) % sizeof(struct sock_filter) != 0)
        return -1;
    out->insns = malloc(n - head);
    if (out->insns == NULL) return -1;
    memcpy(out->insns, buf + head, n - head);
    out->len = n - head;
    return 0;
}

static void cache_write(const char *path, const char *key, size_t klen,
                        const struct md_seccomp_prog *p)
{
    size_t ml = sizeof(CACHE_MAGIC) - 1, n = ml + 8 + klen + p->len;
    cleanup_free char *buf = malloc(n);
    md_error_t *e2 = NULL;
    uint64_t kl = klen;
    if (buf == NULL) return;
    memcpy(buf, CACHE_MAGIC, ml);
    memcpy(buf + ml, &kl, 8);
    memcpy(buf + ml + 8, key, klen);
    memcpy(buf + ml + 8 + klen, p->insns, p->len);
    char dir[512];
    if (md_run_path(dir, sizeof(dir), "seccomp") == 0 && md_mkdir_p(dir, 0700, &e2) == 0)
        md_write_file_atomic(path, buf, n, 0600, 0, &e2);
    md_error_free(&e2); /* the cache is only an optimisation */
}

int md_seccomp_prepare(struct json_object *sc, struct md_seccomp_prog *out, md_error_t **err)
{
    memset(out, 0, sizeof(*out));
    if (sc == NULL) return 0;
    size_t klen = 0;
    cleanup_free char *key = cache_key(sc, &klen);
    char path[600];
    if (key != NULL) {
        cache_path(key, klen, path, sizeof(path));
        if (cache_read(path, key, klen, out) == 0) return 0;
    }
    int r = compile_filter(sc, out, err);
    if (r == 0 && key != NULL) cache_write(path, key, klen, out);
    return r;
}

static const struct {
    const char *name;
    unsigned flag;
} flag_names[] = {{"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
                  {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
                  {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW}};

int md_seccomp_flags_parse(struct json_object *sc, unsigned *out, md_error_t **err)
{
    struct json_object *flags = md_jpath(sc, "flags", NULL);
    size_t n = json_object_is_type(flags, json_type_array) ? json_object_array_length(flags) : 0;
    *out = 0;
    for (size_t i = 0; i < n; i++) {
        const char *f = json_object_get_string(json_object_array_get_idx(flags, i));
        size_t k = 0;
        while (k < sizeof(flag_names) / sizeof(flag_names[0]) &&
               strcmp(f ? f : "", flag_names[k].name) != 0)
            k++;
        if (k == sizeof(flag_names) / sizeof(flag_names[0]))
            return md_error(err, 0, "config: linux.seccomp.flags: %s is not supported",
                            f ? f : "?");
        *out |= flag_names[k].flag;
    }
    return 0;
}

int md_seccomp_load(const struct md_seccomp_prog *p, unsigned flags, md_error_t **err)
{
    if (p == NULL || p->insns == NULL) return 0;
    struct sock_fprog prog = {.len = (unsigned short)(p->len / sizeof(struct sock_filter)),
                              .filter = (struct sock_filter *)p->insns};
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog) < 0)
        return flags ? md_error(err, errno, "seccomp: load filter (flags %#x)", flags)
                     : md_error(err, errno, "seccomp: load filter");
    return 0;
}

void md_seccomp_prog_free(struct md_seccomp_prog *p)
{
    free(p->insns);
    p->insns = NULL;
    p->len = 0;
}
