/* `login [-u USER] [-p PASS | --password-stdin] [SERVER]` and `logout [SERVER]`:
 * flags, prompts and output; the credentials are auth.c's. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "auth.h"
#include "cli/getopt.h"
#include "tool.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/xalloc.h"

static char *read_line(FILE *f, int hide)
{
    struct termios old, quiet;
    int tty = hide && isatty(fileno(f)) && tcgetattr(fileno(f), &old) == 0;
    if (tty) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(fileno(f), TCSANOW, &quiet);
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, f);
    if (tty) {
        tcsetattr(fileno(f), TCSANOW, &old);
        fputc('\n', stderr);
    }
    if (n < 0) {
        free(line);
        return NULL;
    }
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    return line;
}

struct login_opts {
    const char *user, *pass, *server;
    int pass_stdin;
};

static int parse_login(int argc, char **argv, struct login_opts *o)
{
    static const struct option lo[] = {{"username", required_argument, NULL, 'u'},
                                       {"password", required_argument, NULL, 'p'},
                                       {"password-stdin", no_argument, NULL, 'S'},
                                       {"help", no_argument, NULL, 'h'},
                                       {0}};
    int c;
    optind = 1;
    opterr = 0;
    while ((c = md_getopt_long(argc, argv, ":u:p:h", lo, NULL)) != -1) {
        if (c == 'u')
            o->user = optarg;
        else if (c == 'p')
            o->pass = optarg;
        else if (c == 'S')
            o->pass_stdin = 1;
        else if (c == 'h')
            return printf("Usage:  mydocker login [OPTIONS] [SERVER]\n\n"
                          "Log in to a registry\n\nOptions:\n"
                          "  -p, --password string   Password\n"
                          "      --password-stdin    Take the password from stdin\n"
                          "  -u, --username string   Username\n"),
                   -1;
        else
            return md_tool_bad_flag("login", c, argc, argv);
    }
    if (argc - optind > 1)
        return md_tool_usage_error("login", "\"login\" requires at most 1 argument.");
    o->server = optind < argc ? argv[optind] : NULL;
    if (o->pass && o->pass_stdin)
        return md_tool_usage_error("login",
                                   "--password and --password-stdin are mutually exclusive");
    if (o->pass_stdin && o->user == NULL)
        return md_tool_usage_error("login", "Must provide --username with --password-stdin");
    return 0;
}

int md_cmd_login(int argc, char **argv)
{
    struct login_opts o = {0};
    int r = parse_login(argc, argv, &o);
    if (r != 0) return r < 0 ? 0 : r;
    cleanup_free char *user = o.user ? md_xstrdup(o.user) : NULL, *pass = NULL;
    cleanup_free char *domain = md_auth_server_domain(o.server);
    if (o.pass) {
        fprintf(stderr,
                "WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n");
        pass = md_xstrdup(o.pass);
    } else if (o.pass_stdin) {
        pass = read_line(stdin, 0);
    }
    if (user == NULL) {
        fprintf(stderr, "Username: ");
        user = read_line(stdin, 0);
    }
    if (pass == NULL && !o.pass_stdin) {
        fprintf(stderr, "Password: ");
        pass = read_line(stdin, 1);
    }
    md_error_t *err = NULL;
    if (user == NULL || *user == '\0' || pass == NULL || *pass == '\0') {
        md_error(&err, 0,
                 "Error: Cannot perform an interactive login without a username and password");
        return md_error_report(&err), MD_TOOL_EXIT_FAIL;
    }
    r = md_auth_login(domain, user, pass, &err);
    explicit_bzero(pass, strlen(pass));
    if (r < 0) return md_error_report(&err), MD_TOOL_EXIT_FAIL;
    printf("Login Succeeded\n");
    return 0;
}

int md_cmd_logout(int argc, char **argv)
{
    if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
        if (argc == 2 && strcmp(argv[1], "--help") == 0)
            return printf("Usage:  mydocker logout [SERVER]\n\nLog out from a registry\n"), 0;
        return md_tool_usage_error("logout", "\"logout\" requires at most 1 argument.");
    }
    cleanup_free char *domain = md_auth_server_domain(argc == 2 ? argv[1] : NULL);
    md_error_t *err = NULL;
    int r = md_auth_remove(domain, &err);
    if (r == -ENOENT) {
        printf("Not logged in to %s\n", domain);
        return 0;
    }
    if (r < 0) return md_error_report(&err), MD_TOOL_EXIT_FAIL;
    printf("Removing login credentials for %s\n", domain);
    return 0;
}
