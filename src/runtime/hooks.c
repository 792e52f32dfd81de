/* Hooks: one program per entry, the state JSON on stdin, waited for with an
 * optional timeout. posix_spawn rather than fork: the container's init runs
 * createContainer and startContainer hooks too, and a vfork-style spawn
 * copies nothing of it. */
#include "hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"

static const char *const hook_kinds[] = {"prestart",       "createRuntime", "createContainer",
                                         "startContainer", "poststart",     "poststop"};

char *md_hook_state_json(const struct md_hook_state *st)
{
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "ociVersion", json_object_new_string("1.0.2"));
    json_object_object_add(o, "id", json_object_new_string(st->id ? st->id : ""));
    json_object_object_add(o, "status", json_object_new_string(st->status ? st->status : ""));
    if (st->pid > 0) json_object_object_add(o, "pid", json_object_new_int(st->pid));
    json_object_object_add(o, "bundle", json_object_new_string(st->bundle ? st->bundle : ""));
    if (st->annotations) json_object_object_add(o, "annotations", json_object_get(st->annotations));
    char *s = strdup(
        json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    return s;
}

static struct json_object *hook_list(struct json_object *hooks, const char *kind)
{
    struct json_object *v;
    if (hooks && json_object_object_get_ex(hooks, kind, &v) &&
        json_object_is_type(v, json_type_array))
        return v;
    return NULL;
}

int md_hooks_present(struct json_object *hooks, const char *kind)
{
    struct json_object *l = hook_list(hooks, kind);
    return l && json_object_array_length(l) > 0;
}

static int strv_of(struct json_object *arr, char ***out)
{
    *out = NULL;
    size_t n = arr ? json_object_array_length(arr) : 0;
    char **v = calloc(n + 1, sizeof(char *));
    if (v == NULL) return -ENOMEM;
    for (size_t i = 0; i < n; i++)
        v[i] = (char *)json_object_get_string(json_object_array_get_idx(arr, i)); /* borrowed */
    *out = v;
    return 0;
}

/* stdin for the hook: a pipe already holding the whole state, its write end
 * closed, so the hook never blocks us and we never get SIGPIPE from it. */
static int state_pipe(const char *state, md_error_t **err)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) return md_error(err, errno, "hook: pipe");
    size_t len = strlen(state);
    if (len > 60000) fcntl(p[1], F_SETPIPE_SZ, (int)len + 4096);
    int r = md_write_all(p[1], state, len);
    close(p[1]);
    if (r < 0) {
        close(p[0]);
        return md_error(err, -r, "hook: write state");
    }
    return p[0];
}

static int wait_hook(pid_t pid, int timeout, const char *path, md_error_t **err)
{
    int st;
    if (timeout > 0) {
        cleanup_close int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
        struct pollfd p = {pfd, POLLIN, 0};
        int n;
        do
            n = poll(&p, 1, timeout * 1000);
        while (n < 0 && errno == EINTR);
        if (pfd >= 0 && n == 0) {
            kill(pid, SIGKILL);
            while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
                ;
            return md_error(err, ETIMEDOUT, "hook %s timed out after %d s", path, timeout);
        }
    }
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) return md_error(err, errno, "hook %s: wait", path);
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return 0;
    if (WIFEXITED(st))
        return md_error(err, 0, "hook %s failed: exit status %d", path, WEXITSTATUS(st));
    return md_error(err, 0, "hook %s killed by signal %d", path, WTERMSIG(st));
}

static int run_one(struct json_object *h, const char *state, md_error_t **err)
{
    struct json_object *v;
    const char *path = json_object_object_get_ex(h, "path", &v) ? json_object_get_string(v) : NULL;
    if (path == NULL) return md_error(err, 0, "hook without a path");
    int timeout = json_object_object_get_ex(h, "timeout", &v) ? json_object_get_int(v) : 0;
    cleanup_free char **argv = NULL, **envp = NULL;
    struct json_object *args = NULL, *env = NULL;
    json_object_object_get_ex(h, "args", &args);
    json_object_object_get_ex(h, "env", &env);
    if (strv_of(args, &argv) < 0 || strv_of(env, &envp) < 0)
        return md_error(err, ENOMEM, "hook %s", path);
    char *argv0[] = {(char *)path, NULL};
    cleanup_close int in = state_pipe(state, err);
    if (in < 0) return in;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in, STDIN_FILENO);
    pid_t pid;
    int e = posix_spawn(&pid, path, &fa, NULL, argv[0] ? argv : argv0, envp);
    posix_spawn_file_actions_destroy(&fa);
    if (e != 0) return md_error(err, e, "hook %s", path);
    return wait_hook(pid, timeout, path, err);
}

int md_hooks_run(struct json_object *hooks, const char *kind, const struct md_hook_state *st,
                 md_error_t **err)
{
    struct json_object *l = hook_list(hooks, kind);
    size_t n = l ? json_object_array_length(l) : 0;
    if (n == 0) return 0;
    cleanup_free char *state = md_hook_state_json(st);
    if (state == NULL) return md_error(err, ENOMEM, "%s hooks", kind);
    for (size_t i = 0; i < n; i++) {
        int r = run_one(json_object_array_get_idx(l, i), state, err);
        if (r < 0) {
            md_error_prefix(err, "%s hook #%zu", kind, i);
            return r;
        }
    }
    return 0;
}

static int validate_hook(struct json_object *h, const char *kind, size_t i, md_error_t **err)
{
    struct json_object *v;
    if (!json_object_is_type(h, json_type_object) || !json_object_object_get_ex(h, "path", &v) ||
        !json_object_is_type(v, json_type_string) || json_object_get_string(v)[0] != '/')
        return md_error(err, 0, "config: hooks.%s[%zu]: path must be an absolute path", kind, i);
    if (json_object_object_get_ex(h, "timeout", &v) &&
        (!json_object_is_type(v, json_type_int) || json_object_get_int(v) <= 0))
        return md_error(err, 0, "config: hooks.%s[%zu]: timeout must be a positive integer", kind,
                        i);
    static const char *const lists[] = {"args", "env"};
    for (size_t k = 0; k < 2; k++) {
        if (!json_object_object_get_ex(h, lists[k], &v)) continue;
        if (!json_object_is_type(v, json_type_array))
            return md_error(err, 0, "config: hooks.%s[%zu].%s must be an array", kind, i, lists[k]);
        for (size_t j = 0; j < json_object_array_length(v); j++)
            if (!json_object_is_type(json_object_array_get_idx(v, j), json_type_string))
                return md_error(err, 0, "config: hooks.%s[%zu].%s: not a string", kind, i,
                                lists[k]);
    }
    return 0;
}

int md_hooks_validate(struct json_object *hooks, md_error_t **err)
{
    if (hooks == NULL) return 0;
    json_object_object_foreach(hooks, key, val)
    {
        size_t k = 0;
        while (k < sizeof(hook_kinds) / sizeof(hook_kinds[0]) && strcmp(key, hook_kinds[k]) != 0)
            k++;
        if (k == sizeof(hook_kinds) / sizeof(hook_kinds[0]))
            return md_error(err, 0, "config: unknown hook kind %s", key);
        if (!json_object_is_type(val, json_type_array))
            return md_error(err, 0, "config: hooks.%s must be an array", key);
        for (size_t i = 0; i < json_object_array_length(val); i++) {
            int r = validate_hook(json_object_array_get_idx(val, i), key, i, err);
            if (r < 0) return r;
        }
    }
    return 0;
}
