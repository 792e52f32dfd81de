/* The pod sandbox's process for tests/integration/test_cri.sh (Kubernetes' pause): holds the
 * pod's namespaces, reaps what is reparented to it, and exits 0 at SIGTERM or SIGINT. Static,
 * as the probes are: the sandbox image has no libc of its own to rely on. */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void quit(int sig)
{
    (void)sig;
    _exit(0);
}

static void reap(int sig)
{
    (void)sig;
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
}

int main(void)
{
    signal(SIGTERM, quit);
    signal(SIGINT, quit);
    signal(SIGCHLD, reap);
    for (;;)
        pause();
}
