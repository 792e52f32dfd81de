#include "store/cstore.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/store.h"
#include "util/paths.h"
#include "util/cleanup.h"
#include "util/trace.h"
#include "util/fs.h"
#include "util/proc.h"

int md_new_container_id(char out[65], md_error_t **err)
{
    unsigned char b[32];
    if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b)) return md_error(err, errno, "getrandom");
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
    return 0;
}

char *md_generate_name(int retry)
{
    /* ~100 x ~100 pairs: with fewer, a store of a few dozen containers made a retry (and
     * its digit) common */
    static const char *const adj[] = {
        "admiring",  "affectionate", "agitated",      "amazing",   "angry",         "awesome",
        "beautiful", "blissful",     "bold",          "boring",    "brave",         "busy",
        "charming",  "clever",       "compassionate", "competent", "condescending", "confident",
        "cool",      "cranky",       "crazy",         "dazzling",  "determined",    "distracted",
        "dreamy",    "eager",        "ecstatic",      "elastic",   "elated",        "elegant",
        "eloquent",  "epic",         "exciting",      "fervent",   "festive",       "flamboyant",
        "focused",   "friendly",     "frosty",        "funny",     "gallant",       "gifted",
        "goofy",     "gracious",     "great",         "happy",     "hardcore",      "heuristic",
        "hopeful",   "hungry",       "infallible",    "inspiring", "intelligent",   "interesting",
        "jolly",     "jovial",       "keen",          "kind",      "laughing",      "loving",
        "lucid",     "magical",      "modest",        "musing",    "mystifying",    "naughty",
        "nervous",   "nice",         "nifty",         "nostalgic", "objective",     "optimistic",
        "peaceful",  "pedantic",     "pensive",       "practical", "priceless",     "quirky",
        "quizzical", "recursing",    "relaxed",       "reverent",  "romantic",      "sad",
        "serene",    "sharp",        "silly",         "sleepy",    "stoic",         "strange",
        "stupefied", "suspicious",   "sweet",         "tender",    "thirsty",       "trusting",
        "unruffled", "upbeat",       "vibrant",       "vigilant",  "vigorous",      "wizardly",
        "wonderful", "xenodochial",  "youthful",      "zealous",   "zen",
    };
    static const char *const names[] = {
        "agnesi",   "albattani",     "allen",       "archimedes", "ardinghelli", "aryabhata",
        "babbage",  "banach",        "bardeen",     "bartik",     "bassi",       "bell",
        "bhabha",   "bhaskara",      "blackwell",   "bohr",       "booth",       "borg",
        "bose",     "boyd",          "brahmagupta", "brattain",   "brown",       "carson",
        "cerf",     "chandrasekhar", "chaum",       "clarke",     "colden",      "cori",
        "cray",     "curie",         "darwin",      "davinci",    "dijkstra",    "dirac",
        "einstein", "elbakyan",      "elgamal",     "elion",      "engelbart",   "euclid",
        "euler",    "faraday",       "fermat",      "fermi",      "feynman",     "franklin",
        "galileo",  "gates",         "gauss",       "germain",    "goldberg",    "goodall",
        "gould",    "hamilton",      "hawking",     "heisenberg", "hermann",     "hertz",
        "hodgkin",  "hoover",        "hopper",      "hugle",      "hypatia",     "jackson",
        "jennings", "johnson",       "joliot",      "kalam",      "kepler",      "khorana",
        "kilby",    "knuth",         "lalande",     "lamarr",     "lamport",     "leakey",
        "leavitt",  "lehmann",       "lewin",       "liskov",     "lovelace",    "lumiere",
        "mahavira", "mayer",         "maxwell",     "mccarthy",   "mcclintock",  "meitner",
        "mendel",   "merkle",        "minsky",      "mirzakhani", "morse",       "napier",
        "newton",   "nobel",         "noether",     "pascal",     "pasteur",     "perlman",
        "pike",     "planck",        "poincare",    "ptolemy",    "raman",       "ramanujan",
        "ride",     "ritchie",       "rosalind",    "sagan",      "shannon",     "shockley",
        "sinoussi", "stallman",      "swartz",      "tesla",      "thompson",    "torvalds",
        "turing",   "vaughan",       "volhard",     "wescoff",    "wiles",       "williams",
        "wilson",   "wozniak",       "wright",      "yalow",      "yonath",
    };
    unsigned int r[3] = {0, 0, 0};
    if (getrandom(r, sizeof(r), 0) < 0) r[0] = (unsigned)getpid();
    char *s = NULL, num[16] = "";
    /* a retry gets docker's digit, then more: the pairs alone run out at a thousand containers */
    if (retry > 0)
        snprintf(num, sizeof(num), "%u", r[2] % (retry < 3 ? 10 : retry < 6 ? 1000 : 1000000));
    if (asprintf(&s, "%s_%s%s", adj[r[0] % (sizeof(adj) / sizeof(*adj))],
                 names[r[1] % (sizeof(names) / sizeof(*names))], num) < 0)
        return NULL;
    return s;
}

int md_name_valid(const char *n)
{
    /* docker: [a-zA-Z0-9][a-zA-Z0-9_.-]+ */
    if (n == NULL || n[0] == '\0' || n[1] == '\0' || strlen(n) > 200) return 0;
    for (const char *c = n; *c; c++) {
        int alnum =
            (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9');
        if (!alnum && (c == n || !strchr("_.-", *c))) return 0;
    }
    return 1;
}

static char *name_path(const char *name)
{
    char *p = NULL;
    return asprintf(&p, "%s/names/%s", md_lib_root(), name) < 0 ? NULL : p;
}

int md_name_reserve(const char *name, const char *id, md_error_t **err)
{
    if (!md_name_valid(name))
        return md_error(err, 0,
                        "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
                        name);
    cleanup_free char *p = name_path(name);
    cleanup_free char *dir = NULL;
    if (p == NULL || asprintf(&dir, "%s/names", md_lib_root()) < 0)
        return md_error(err, ENOMEM, "name");
    for (int attempt = 0; attempt < 2; attempt++) {
        if (symlink(id, p) == 0) return 0;
        if (errno == ENOENT && attempt == 0 && md_mkdir_p(dir, 0700, err) == 0) continue;
        if (errno != EEXIST) return md_error(err, errno, "reserve name %s", name);
        char other[80] = "";
        ssize_t n = readlink(p, other, sizeof(other) - 1);
        other[n > 0 ? n : 0] = '\0';
        return md_error(err, 0,
                        "Conflict. The container name \"/%s\" is already in use by container "
                        "\"%s\". You have to remove (or rename) that container to be able to "
                        "reuse that name.",
                        name, other);
    }
    return md_error(err, EEXIST, "reserve name %s", name);
}

void md_name_release(const char *name)
{
    cleanup_free char *p = name ? name_path(name) : NULL;
    if (p) unlink(p);
}

char *md_container_dir(const char *id)
{
    char *p = NULL;
    return asprintf(&p, "%s/containers/%s", md_lib_root(), id) < 0 ? NULL : p;
}

static int write_str(const char *dir, const char *name, const char *text, md_error_t **err)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return md_write_file_atomic(path, text, strlen(text), 0644, 0, err);
}

/* the host's resolvers minus loopback ones, which mean nothing in the container */
static char *container_resolv_conf(void)
{
    cleanup_free char *host = NULL;
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    if (f == NULL) return NULL;
    int servers = 0;
    if (md_read_file("/etc/resolv.conf", &host, NULL, NULL) == 0) {
        for (char *save = NULL, *l = strtok_r(host, "\n", &save); l;
             l = strtok_r(NULL, "\n", &save)) {
            if (strncmp(l, "nameserver", 10) == 0) {
                const char *a = l + 10;
                while (*a == ' ' || *a == '\t')
                    a++;
                if (strncmp(a, "127.", 4) == 0 || strcmp(a, "::1") == 0) continue;
                servers++;
            }
            fprintf(f, "%s\n", l);
        }
    }
    if (servers == 0) fputs("nameserver 8.8.8.8\nnameserver 8.8.4.4\n", f);
    fclose(f);
    return out;
}

int md_write_etc_files(const char *dir, const char *hostname, int host_net, md_error_t **err)
{
    static const char hosts[] = "127.0.0.1\tlocalhost\n"
                                "::1\tlocalhost ip6-localhost ip6-loopback\n"
                                "fe00::0\tip6-localnet\n"
                                "ff00::0\tip6-mcastprefix\n"
                                "ff02::1\tip6-allnodes\n"
                                "ff02::2\tip6-allrouters\n";
    cleanup_free char *hn = NULL, *host_hosts = NULL, *resolv = NULL;
    if (asprintf(&hn, "%s\n", hostname) < 0) return md_error(err, ENOMEM, "hostname");
    if (host_net) md_read_file("/etc/hosts", &host_hosts, NULL, NULL);
    resolv = host_net ? NULL : container_resolv_conf();
    if (host_net && md_read_file("/etc/resolv.conf", &resolv, NULL, NULL) < 0) resolv = strdup("");
    int r = write_str(dir, "hostname", hn, err);
    if (r == 0) r = write_str(dir, "hosts", host_hosts ? host_hosts : hosts, err);
    if (r == 0) r = write_str(dir, "resolv.conf", resolv ? resolv : "", err);
    return r;
}

#define TRASH_PREFIX ".removing-"

/* the removed directories under containers/: this one's, and any a killed deleter left */
static void empty_trash(void *base)
{
    cleanup_dir DIR *d = opendir(base);
    struct dirent *de;
    char path[4200];
    while (d && (de = readdir(d)) != NULL) {
        if (strncmp(de->d_name, TRASH_PREFIX, strlen(TRASH_PREFIX)) != 0) continue;
        snprintf(path, sizeof(path), "%s/%s", (const char *)base, de->d_name);
        md_rm_rf(path, NULL);
    }
}

/* The directory leaves the store at once, by a rename to a dotted name that no list reads
 * (ids are 64 hex digits), and is deleted after the command returns: the deletion was over
 * a millisecond of each `rm` and `run --rm` (more where each freed block is a synchronous
 * discard: ext4 mounted `discard` without a journal, as on these hosts). */
static int remove_dir_later(const char *dir, const char *id, md_error_t **err)
{
    char trash[4400], base[4200];
    snprintf(base, sizeof(base), "%s/containers", md_lib_root());
    if (snprintf(trash, sizeof(trash), "%s/" TRASH_PREFIX "%s", base, id) >= (int)sizeof(trash) ||
        rename(dir, trash) < 0)
        return md_rm_rf(dir, err);
    md_trace("rm: renamed");
    if (md_run_detached(empty_trash, base) == 0) return 0;
    return md_rm_rf(trash, err);
}

static void run_dir_of(const char *id, char *out, size_t len)
{
    snprintf(out, len, "%s/containers/%s", md_run_root(), id);
}

/* the prepared remover's job: the runtime dir of the container it was sent, then the trash */
static void removal_job(void *arg, const char *id)
{
    (void)arg;
    char rundir[600], base[4200], trash[4400];
    run_dir_of(id, rundir, sizeof(rundir));
    md_rm_rf(rundir, NULL);
    snprintf(base, sizeof(base), "%s/containers", md_lib_root());
    snprintf(trash, sizeof(trash), "%s/" TRASH_PREFIX "%s", base, id);
    md_rm_rf(trash, NULL); /* its own first: the sweep below may meet other deleters */
    empty_trash(base);
}

static int removal_fd = -1, removal_held = -1;

/* Forking the remover was half a millisecond of each `run --rm` after its container exited;
 * forked while the container runs, that exit needs only a rename and a message. */
void md_container_removal_prepare(void)
{
    if (removal_fd < 0) removal_fd = md_detached_prepare(removal_job, NULL);
}

void md_container_removal_hold(int fd)
{
    if (removal_held >= 0) close(removal_held);
    removal_held = fd;
}

int md_container_remove_files(const char *id, const char *name, md_error_t **err)
{
    cleanup_free char *dir = md_container_dir(id);
    if (dir == NULL) return md_error(err, ENOMEM, "remove");
    md_name_release(name);
    md_trace("rm: name released");
    char trash[4400];
    int fd = removal_fd, held = removal_held;
    removal_fd = removal_held = -1;
    snprintf(trash, sizeof(trash), "%s/containers/" TRASH_PREFIX "%s", md_lib_root(), id);
    int sent = 0;
    if (fd >= 0 && rename(dir, trash) == 0) {
        sent = md_detached_send(fd, id, held) == 0; /* closes fd and held */
    } else {
        if (fd >= 0) close(fd);
        if (held >= 0) close(held);
    }
    if (sent) return 0;
    char rundir[600];
    run_dir_of(id, rundir, sizeof(rundir));
    md_error_t *e2 = NULL;
    md_rm_rf(rundir, &e2); /* runtime state of an owner that was killed */
    md_error_free(&e2);
    return remove_dir_later(md_path_exists(trash) ? trash : dir, id, err);
}

static char *autoremove_path(const char *id)
{
    char *p = NULL;
    return asprintf(&p, "%s/autoremove/%s", md_run_root(), id) < 0 ? NULL : p;
}

/* The lock file appears already locked: made under a name with a dot (which the sweep skips),
 * locked, then renamed into place. Made and locked in two steps under its final name, a
 * concurrent `run`'s sweep could take the lock in between, fail this run ("Resource temporarily
 * unavailable") and remove the container being made as one whose owner died. */
int md_autoremove_hold(const char *id, md_error_t **err)
{
    cleanup_free char *p = autoremove_path(id), *tmp = NULL;
    if (p == NULL || asprintf(&tmp, "%s.new-%d", p, (int)getpid()) < 0)
        return md_error(err, ENOMEM, "autoremove");
    int fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno == ENOENT) {
        char dir[512];
        if (md_run_path(dir, sizeof(dir), "autoremove") < 0 || md_mkdir_p(dir, 0700, err) < 0)
            return -1;
        fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    }
    if (fd < 0) return md_error(err, errno, "open lock %s", tmp);
    if (flock(fd, LOCK_EX | LOCK_NB) < 0 || rename(tmp, p) < 0) {
        int e = errno;
        unlink(tmp);
        close(fd);
        return md_error(err, e, "lock %s", p);
    }
    return fd;
}

void md_autoremove_release(const char *id, int fd)
{
    cleanup_free char *p = autoremove_path(id);
    if (p) unlink(p);
    if (fd >= 0) close(fd);
}
