#include "user.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/xalloc.h"

static int parse_id(const char *s, unsigned long *out)
{
    char *end;
    if (*s < '0' || *s > '9') return -1;
    errno = 0;
    *out = strtoul(s, &end, 10);
    return (errno || *end || *out > 0x7fffffffUL) ? -1 : 0;
}

/* Split a colon-separated line in place; returns the number of fields. */
static int split(char *line, char **f, int max)
{
    int n = 0;
    line[strcspn(line, "\n")] = '\0';
    f[n++] = line;
    for (char *p = line; *p && n < max; p++)
        if (*p == ':') {
            *p = '\0';
            f[n++] = p + 1;
        }
    return n;
}

/* Find a passwd entry by name (or by uid when name is NULL). */
static int find_passwd(FILE *pw, const char *name, unsigned long uid, struct md_user *u,
                       char **uname)
{
    if (pw == NULL) return 0;
    rewind(pw);
    char *line = NULL;
    size_t cap = 0;
    int found = 0;
    while (!found && getline(&line, &cap, pw) >= 0) {
        char *f[7];
        unsigned long id, gid;
        if (line[0] == '#' || split(line, f, 7) < 7 || parse_id(f[2], &id) < 0 ||
            parse_id(f[3], &gid) < 0)
            continue;
        if (name ? strcmp(f[0], name) != 0 : id != uid) continue;
        u->uid = (uid_t)id;
        u->gid = (gid_t)gid;
        free(u->home);
        u->home = md_xstrdup(f[5]);
        *uname = md_xstrdup(f[0]);
        found = 1;
    }
    free(line);
    return found;
}

static int find_group(FILE *gr, const char *name, unsigned long *gid)
{
    if (gr == NULL) return 0;
    rewind(gr);
    char *line = NULL;
    size_t cap = 0;
    int found = 0;
    while (!found && getline(&line, &cap, gr) >= 0) {
        char *f[4];
        unsigned long id;
        if (line[0] == '#' || split(line, f, 4) < 3 || parse_id(f[2], &id) < 0) continue;
        if (strcmp(f[0], name) == 0) {
            *gid = id;
            found = 1;
        }
    }
    free(line);
    return found;
}

static int member_of(char *members, const char *user)
{
    for (char *save = NULL, *m = strtok_r(members, ",", &save); m; m = strtok_r(NULL, ",", &save))
        if (strcmp(m, user) == 0) return 1;
    return 0;
}

static int supplementary(FILE *gr, const char *user, struct md_user *u)
{
    if (gr == NULL || user == NULL) return 0;
    rewind(gr);
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, gr) >= 0) {
        char *f[4];
        unsigned long id;
        if (line[0] == '#' || split(line, f, 4) < 4 || parse_id(f[2], &id) < 0) continue;
        if (!member_of(f[3], user)) continue;
        gid_t *n = realloc(u->gids, (u->n_gids + 1) * sizeof(gid_t));
        if (n == NULL) {
            free(line);
            return -ENOMEM;
        }
        u->gids = n;
        u->gids[u->n_gids++] = (gid_t)id;
    }
    free(line);
    return 0;
}

int md_user_resolve(const char *spec, FILE *passwd, FILE *group, struct md_user *u,
                    md_error_t **err)
{
    memset(u, 0, sizeof(*u));
    cleanup_free char *s = strdup(spec ? spec : "");
    cleanup_free char *uname = NULL;
    char *grp = strchr(s, ':');
    if (grp) *grp++ = '\0';
    unsigned long id;
    if (*s == '\0') {
        find_passwd(passwd, NULL, 0, u, &uname);
        u->uid = 0;
        u->gid = 0;
    } else if (parse_id(s, &id) == 0) {
        if (!find_passwd(passwd, NULL, id, u, &uname)) {
            u->uid = (uid_t)id;
            u->gid = 0;
        }
    } else if (!find_passwd(passwd, s, 0, u, &uname)) {
        return md_error(err, 0, "unable to find user %s: no matching entries in passwd file", s);
    }
    if (grp && *grp) {
        unsigned long gid;
        if (parse_id(grp, &gid) < 0 && !find_group(group, grp, &gid)) {
            md_user_clear(u);
            return md_error(err, 0, "unable to find group %s: no matching entries in group file",
                            grp);
        }
        u->gid = (gid_t)gid;
    } else if (supplementary(group, uname, u) < 0) {
        return md_error(err, ENOMEM, "groups");
    }
    if (u->home == NULL) u->home = strdup("/");
    return 0;
}

int md_user_add_groups(struct md_user *u, char *const *groups, FILE *group, md_error_t **err)
{
    for (char *const *g = groups; g && *g; g++) {
        unsigned long gid;
        if (parse_id(*g, &gid) < 0 && !find_group(group, *g, &gid))
            return md_error(err, 0, "Unable to find group %s: no matching entries in group file",
                            *g);
        u->gids = md_xrealloc(u->gids, (u->n_gids + 1) * sizeof(gid_t));
        u->gids[u->n_gids++] = (gid_t)gid;
    }
    return 0;
}

void md_user_clear(struct md_user *u)
{
    free(u->gids);
    free(u->home);
    memset(u, 0, sizeof(*u));
}
