/* maxrss CMD...: run CMD (posix_spawn, so no copy of a parent's memory is
 * counted) and print the peak RSS in KB of it and every descendant it
 * waited for (wait4's rusage), then exit with its status. */
#include <spawn.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>

extern char **environ;

int main(int argc, char **argv)
{
    pid_t pid;
    if (argc < 2 || posix_spawnp(&pid, argv[1], NULL, NULL, argv + 1, environ) != 0) return 127;
    int st;
    struct rusage ru;
    if (wait4(pid, &st, 0, &ru) < 0) return 127;
    printf("%ld\n", ru.ru_maxrss);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
