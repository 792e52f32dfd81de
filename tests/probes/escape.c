/* Escape probes, run inside a container by tests/integration/test_security.sh.
 * Static, libc only: the busybox image has no libc of its own.
 *
 * Each probe tries one thing a default container must not be able to do and
 * prints one line: "ESCAPED <probe>: ..." with exit 0 when it worked, or
 * "refused <probe>: errno=N (text)" with exit 1 when the kernel said no.
 * A test asserts the exit code and, for seccomp, errno EPERM. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

static int verdict(const char *probe, long rc)
{
    if (rc >= 0) {
        printf("ESCAPED %s: it worked (%ld)\n", probe, rc);
        return 0;
    }
    int e = errno;
    printf("refused %s: errno=%d (%s)\n", probe, e, strerror(e));
    return 1;
}

/* mknod is allowed (docker's "c *:* m"); opening the node must not be */
static int probe_dev(const char *type, const char *maj, const char *min)
{
    const char *path = "/tmp/.probe-dev";
    unlink(path);
    mode_t m = (type[0] == 'b' ? S_IFBLK : S_IFCHR) | 0600;
    if (mknod(path, m, makedev(atoi(maj), atoi(min))) < 0) return verdict("mknod", -1);
    int fd = open(path, O_RDONLY);
    char c;
    long rc = fd;
    if (fd >= 0 && read(fd, &c, 1) < 0) rc = -1;
    unlink(path);
    return verdict("open-device", rc);
}

/* the cwd we were started in must be reachable from our root */
static int probe_cwd(void)
{
    char buf[4096];
    if (getcwd(buf, sizeof(buf)) == NULL || buf[0] != '/') {
        printf("ESCAPED cwd: outside the root (%s)\n", getcwd(buf, sizeof(buf)) ? buf : "?");
        return 0;
    }
    printf("refused cwd: inside the root at %s\n", buf);
    return 1;
}

/* CVE-2019-5736: open /proc/<pid>/exe of every process, over and over, for
 * SECONDS or until /tmp/.probe-stop exists; a host binary (given as device
 * and inode) must never open */
static int probe_exe(int seconds, const char *dev, const char *ino)
{
    dev_t want_dev = (dev_t)strtoull(dev, NULL, 10);
    ino_t want_ino = (ino_t)strtoull(ino, NULL, 10);
    time_t end = time(NULL) + seconds;
    long opened = 0, tried = 0;
    while (time(NULL) < end && access("/tmp/.probe-stop", F_OK) < 0) {
        DIR *d = opendir("/proc");
        struct dirent *de;
        while (d && (de = readdir(d)) != NULL) {
            if (de->d_name[0] < '1' || de->d_name[0] > '9') continue;
            char p[300];
            snprintf(p, sizeof(p), "/proc/%s/exe", de->d_name);
            int fd = open(p, O_RDONLY | O_CLOEXEC);
            tried++;
            if (fd < 0) continue;
            opened++;
            struct stat st;
            if (fstat(fd, &st) == 0 && st.st_dev == want_dev && st.st_ino == want_ino) {
                printf("ESCAPED exe: opened the host binary as %s\n", p);
                return 0;
            }
            close(fd);
        }
        if (d) closedir(d);
    }
    printf("refused exe: %ld opens of %ld tries, none of the host binary\n", opened, tried);
    return 1;
}

static int probe_syscall(const char *name)
{
    if (strcmp(name, "io_uring") == 0) {
        struct io_uring_params p;
        memset(&p, 0, sizeof(p));
        return verdict(name, syscall(SYS_io_uring_setup, 1, &p));
    }
    if (strcmp(name, "vsock") == 0) return verdict(name, socket(AF_VSOCK, SOCK_STREAM, 0));
    if (strcmp(name, "personality") == 0) return verdict(name, personality(READ_IMPLIES_EXEC));
    if (strcmp(name, "keyctl") == 0) /* KEYCTL_JOIN_SESSION_KEYRING */
        return verdict(name, syscall(SYS_keyctl, 1, NULL));
    if (strcmp(name, "userfaultfd") == 0) return verdict(name, syscall(SYS_userfaultfd, 0));
    if (strcmp(name, "unshare-user") == 0) return verdict(name, unshare(CLONE_NEWUSER));
    if (strcmp(name, "mount") == 0) return verdict(name, mount("none", "/tmp", "tmpfs", 0, NULL));
    if (strcmp(name, "module") == 0) return verdict(name, syscall(SYS_init_module, NULL, 0, ""));
    if (strcmp(name, "close_range") == 0)
        return verdict(name, syscall(SYS_close_range, 1000, 1001, 0));
    fprintf(stderr, "unknown probe %s\n", name);
    return 2;
}

int main(int argc, char **argv)
{
    if (argc >= 5 && strcmp(argv[1], "dev") == 0) return probe_dev(argv[2], argv[3], argv[4]);
    if (argc >= 2 && strcmp(argv[1], "cwd") == 0) return probe_cwd();
    if (argc >= 5 && strcmp(argv[1], "exe") == 0) return probe_exe(atoi(argv[2]), argv[3], argv[4]);
    if (argc >= 3 && strcmp(argv[1], "write") == 0)
        return verdict("write", open(argv[2], O_WRONLY));
    if (argc >= 3 && strcmp(argv[1], "syscall") == 0) return probe_syscall(argv[2]);
    fprintf(stderr, "usage: escape dev b|c MAJ MIN | cwd | exe SECONDS DEV INO | write PATH | "
                    "syscall NAME\n");
    return 2;
}
