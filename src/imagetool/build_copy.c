/* build's COPY and ADD: sources from the context (less .dockerignore's), from a stage or an
 * image (--from), or heredocs; a staging directory becomes the layer, keyed by what it holds */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>

#include "engine/user.h"
#include "image/store.h"
#include "imagetool/build_fetch.h"
#include "imagetool/build_files.h"
#include "imagetool/build_int.h"
#include "imagetool/layer.h"
#include "imagetool/pull.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"
#include "util/xalloc.h"

struct copy_job {
    struct build *b;
    struct build_stage *s;
    struct md_df_instr *in;
    int add;
    char **srcs;
    char *dest;     /* absolute, in the image; a trailing "/" kept */
    char *src_root; /* the context, or a view of --from */
    char *view;     /* the stage's own image, for owners and parent directories */
    char *staging;
    int from_context;
    struct md_copy c;
    md_sha256_t hash;
};

static const char *flag_of(struct md_df_instr *in, const char *name)
{
    size_t n = strlen(name);
    for (char **f = in->flags; f && *f; f++)
        if (strncmp(*f, name, n) == 0 && (*f)[n] == '=') return *f + n + 1;
    return NULL;
}

static int check_flags(struct copy_job *j, md_error_t **err)
{
    static const char *const copy_ok[] = {"--from", "--chown", "--chmod", "--link", NULL};
    static const char *const add_ok[] = {"--chown", "--chmod", "--link", "--checksum", NULL};
    for (char **f = j->in->flags; f && *f; f++) {
        size_t n = strcspn(*f, "=");
        int ok = 0;
        for (const char *const *k = j->add ? add_ok : copy_ok; *k && !ok; k++)
            ok = strlen(*k) == n && strncmp(*f, *k, n) == 0;
        if (!ok)
            return md_error(err, 0, "%s %.*s is not supported", j->add ? "ADD" : "COPY", (int)n,
                            *f);
    }
    const char *mode = flag_of(j->in, "--chmod");
    if (mode) {
        char *end;
        j->c.mode = (mode_t)strtoul(mode, &end, 8);
        if (*mode == '\0' || *end || j->c.mode > 07777)
            return md_error(err, 0, "invalid chmod parameter: '%s'", mode);
        j->c.chmod = 1;
    }
    return 0;
}

static json_object *cfg_of(struct build_stage *s)
{
    json_object *cfg = NULL;
    json_object_object_get_ex(s->root, "config", &cfg);
    return cfg;
}

/* the words, the destination made absolute against WORKDIR */
static int parse_args(struct copy_job *j, md_error_t **err)
{
    cleanup_strv char **w = NULL;
    json_object *a = j->in->args[0] == '[' ? json_tokener_parse(j->in->args) : NULL;
    if (a && json_object_is_type(a, json_type_array)) {
        w = md_strv_dup(NULL);
        for (size_t i = 0; i < json_object_array_length(a); i++)
            md_strv_append(&w, json_object_get_string(json_object_array_get_idx(a, i)));
    } else if (md_changes_words(j->in->args, cfg_of(j->s), j->s->args, &w, err) < 0) {
        json_object_put(a);
        return -1;
    }
    json_object_put(a);
    size_t n = md_strv_len(w);
    if (n < 2)
        return md_error(err, 0,
                        "%s requires at least two arguments, but only one was provided. "
                        "Destination could not be determined.",
                        j->add ? "ADD" : "COPY");
    const char *d = w[n - 1];
    json_object *wd = NULL;
    json_object_object_get_ex(cfg_of(j->s), "WorkingDir", &wd);
    const char *base = wd && json_object_get_string(wd)[0] ? json_object_get_string(wd) : "/";
    if (d[0] == '/' || asprintf(&j->dest, "%s%s%s", base, base[strlen(base) - 1] == '/' ? "" : "/",
                                strcmp(d, ".") == 0 ? "" : d) < 0)
        j->dest = md_xstrdup(d);
    free(w[n - 1]);
    w[n - 1] = NULL;
    j->srcs = md_steal_ptr(&w);
    return 0;
}

/* --chown=user[:group], names from the stage's /etc/passwd and /etc/group */
static int owner(struct copy_job *j, md_error_t **err)
{
    const char *spec = flag_of(j->in, "--chown");
    if (spec == NULL) return 0;
    cleanup_free char *pw = NULL, *gr = NULL;
    if (asprintf(&pw, "%s/etc/passwd", j->view) < 0 || asprintf(&gr, "%s/etc/group", j->view) < 0)
        md_oom();
    cleanup_fclose FILE *p = fopen(pw, "re");
    cleanup_fclose FILE *g = fopen(gr, "re");
    struct md_user u;
    if (md_user_resolve(spec, p, g, &u, err) < 0)
        return md_error_prefix(err, "unable to convert uid/gid chown string to host mapping");
    j->c.chown = 1;
    j->c.uid = u.uid;
    j->c.gid = u.gid;
    md_user_clear(&u);
    return 0;
}

/* --from=stage|image: a view of its image */
static int from_source(struct copy_job *j, md_error_t **err)
{
    const char *from = flag_of(j->in, "--from");
    if (from == NULL) {
        j->src_root = md_xstrdup(j->b->o->context);
        j->from_context = 1;
        return 0;
    }
    return md_build_view_of(j->b, j->s, from, &j->src_root, err);
}

/* a source pattern, cleaned; "../" out of the root refused as docker does */
static char *clean_source(const char *s, md_error_t **err)
{
    int escapes;
    char *c = md_path_clean_rel(s, &escapes);
    if (!escapes) return c;
    free(c);
    md_error(err, 0, "forbidden path outside the build context: %s", s);
    return NULL;
}

/* ADD's local archives: a tar (any compression) is unpacked into the destination */
static int is_archive(const char *path)
{
    struct archive *a = archive_read_new();
    archive_read_support_filter_all(a);
    archive_read_support_format_tar(a);
    struct archive_entry *e;
    int ok = archive_read_open_filename(a, path, 16384) == ARCHIVE_OK &&
             archive_read_next_header(a, &e) == ARCHIVE_OK;
    archive_read_free(a);
    return ok;
}

static int add_archive(struct copy_job *j, const char *src, const char *dst, md_error_t **err)
{
    cleanup_close int fd = open(src, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return md_error(err, errno, "open %s", src);
    static char buf[1 << 16];
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) > 0)
        md_sha256_update(&j->hash, buf, (size_t)n, NULL);
    lseek(fd, 0, SEEK_SET);
    if (md_mkdir_p(dst, 0755, err) < 0) return -1;
    return md_layer_extract(fd, dst, err);
}

static int copy_one(struct copy_job *j, const char *path, const char *rel, int to_dir,
                    md_error_t **err)
{
    cleanup_free char *copy = md_xstrdup(rel), *dst = NULL;
    const char *name = basename(copy);
    struct stat st;
    if (lstat(path, &st) < 0) return md_error(err, errno, "stat %s", path);
    int dir = S_ISDIR(st.st_mode);
    if (asprintf(&dst, "%s%s%s%s", j->staging, j->dest, to_dir && !dir ? "/" : "",
                 to_dir && !dir ? name : "") < 0)
        md_oom();
    if (j->add && !dir && S_ISREG(st.st_mode) && is_archive(path)) {
        /* into the destination directory itself (a file destination: its directory) */
        cleanup_free char *into = NULL;
        if (asprintf(&into, "%s%s", j->staging, j->dest) < 0) md_oom();
        return add_archive(j, path, to_dir ? into : dirname(into), err);
    }
    return md_copy_entry(&j->c, path, rel, dst, err);
}

/* the file of a heredoc source, named by its delimiter when the destination is a directory */
static int copy_heredoc(struct copy_job *j, struct md_df_heredoc *h, int to_dir, md_error_t **err)
{
    cleanup_free char *dst = NULL;
    if (asprintf(&dst, "%s%s%s%s", j->staging, j->dest, to_dir ? "/" : "", to_dir ? h->name : "") <
        0)
        md_oom();
    cleanup_close int fd = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || md_write_all(fd, h->body, strlen(h->body)) < 0)
        return md_error(err, errno, "write %s", dst);
    md_sha256_update(&j->hash, h->name, strlen(h->name) + 1, NULL);
    md_sha256_update(&j->hash, h->body, strlen(h->body), NULL);
    if ((j->c.chmod && fchmod(fd, j->c.mode) < 0) ||
        (j->c.chown && fchown(fd, j->c.uid, j->c.gid) < 0))
        return md_error(err, errno, "set the owner and mode of %s", dst);
    return 0;
}

static struct md_df_heredoc *heredoc_source(struct copy_job *j, const char *word)
{
    for (size_t i = 0; strncmp(word, "<<", 2) == 0 && i < j->in->n_heredocs; i++) {
        const char *w = word + 2 + (word[2] == '-');
        if (strcmp(w, j->in->heredocs[i].name) == 0) return &j->in->heredocs[i];
    }
    return NULL;
}

static int is_url(const char *s)
{
    return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0;
}

/* ADD URL: named by the URL's last element in a directory destination */
static int add_url(struct copy_job *j, const char *url, int to_dir, md_error_t **err)
{
    cleanup_free char *name = md_url_basename(url), *dst = NULL;
    if (asprintf(&dst, "%s%s%s%s", j->staging, j->dest, to_dir ? "/" : "", to_dir ? name : "") < 0)
        md_oom();
    md_sha256_update(&j->hash, url, strlen(url) + 1, NULL);
    if (md_build_fetch(url, dst, flag_of(j->in, "--checksum"), &j->hash, err) < 0) return -1;
    if (j->c.chmod && chmod(dst, j->c.mode) < 0) return md_error(err, errno, "chmod %s", dst);
    if (j->c.chown && chown(dst, j->c.uid, j->c.gid) < 0)
        return md_error(err, errno, "chown %s", dst);
    return 0;
}

/* every source's matches (globs in the source root; .dockerignore for the context) */
static int expand_sources(struct copy_job *j, char ***paths, md_error_t **err)
{
    *paths = md_strv_dup(NULL);
    for (char **s = j->srcs; *s; s++) {
        if (heredoc_source(j, *s) || (j->add && is_url(*s))) continue;
        if (strstr(*s, "://") || strncmp(*s, "git@", 4) == 0)
            return md_error(err, 0, "%s of %s is not supported", j->add ? "ADD" : "COPY", *s);
        cleanup_free char *rel = clean_source(*s, err), *pat = NULL;
        if (rel == NULL) return -1;
        if (asprintf(&pat, "%s/%s", j->src_root, rel) < 0) md_oom();
        glob_t g;
        int found = 0;
        if (glob(pat, 0, NULL, &g) == 0) { /* sorted: the same key every time */
            for (size_t i = 0; i < g.gl_pathc; i++) {
                const char *r = g.gl_pathv[i] + strlen(j->src_root) + 1;
                if (j->from_context && *r && md_ignore_excluded(&j->b->ignore, r)) continue;
                md_strv_append(paths, g.gl_pathv[i]);
                found = 1;
            }
            globfree(&g);
        }
        if (!found) return md_error(err, 0, "failed to compute cache key: \"/%s\": not found", rel);
    }
    return 0;
}

static int copy_all(struct copy_job *j, md_error_t **err)
{
    cleanup_strv char **paths = NULL;
    if (expand_sources(j, &paths, err) < 0) return -1;
    size_t n = md_strv_len(paths) + j->in->n_heredocs;
    for (char **s = j->srcs; j->add && *s; s++)
        n += is_url(*s);
    size_t dl = strlen(j->dest);
    /* through the image's symlinks: COPY x /link/ writes into the directory /link names */
    char *resolved = md_view_resolve(j->view, j->dest);
    if (j->dest[dl - 1] == '/' && strcmp(resolved, "/") != 0) {
        char *with = NULL;
        if (asprintf(&with, "%s/", resolved) < 0) md_oom();
        free(resolved);
        resolved = with;
    }
    free(j->dest);
    j->dest = resolved;
    int to_dir = j->dest[dl - 1] == '/' || n > 1;
    if (n > 1 && j->dest[dl - 1] != '/')
        return md_error(err, 0,
                        "When using %s with more than one source file, the destination must be "
                        "a directory and end with a /",
                        j->add ? "ADD" : "COPY");
    struct stat st;
    cleanup_free char *there = NULL;
    if (asprintf(&there, "%s%s", j->view, j->dest) < 0) md_oom();
    if (stat(there, &st) == 0 && S_ISDIR(st.st_mode)) to_dir = 1;
    cleanup_free char *dcopy = md_xstrdup(j->dest);
    const char *parent = to_dir ? j->dest : dirname(dcopy);
    if (md_stage_parents(j->staging, j->view, parent, err) < 0) return -1;
    int r = 0;
    for (char **p = paths; r == 0 && *p; p++)
        r = copy_one(j, *p, *p + strlen(j->src_root) + 1, to_dir, err);
    for (char **s = j->srcs; r == 0 && *s; s++) {
        struct md_df_heredoc *h = heredoc_source(j, *s);
        if (h) r = copy_heredoc(j, h, to_dir, err);
        if (!h && j->add && is_url(*s)) r = add_url(j, *s, to_dir, err);
    }
    /* the parents again: copying into them moved their times */
    if (r == 0) r = md_stage_parents(j->staging, j->view, parent, err);
    return r;
}

static int stage_and_commit(struct copy_job *j, md_error_t **err)
{
    struct build *b = j->b;
    struct build_stage *s = j->s;
    char hex[MD_SHA256_HEX_LEN + 1], key[65], id[72];
    if (md_sha256_init(&j->hash, err) < 0) return -1;
    j->c.hash = &j->hash;
    j->c.ignore = j->from_context ? &b->ignore : NULL;
    if (asprintf(&j->staging, "%s/copy-XXXXXX", b->mnt_root) < 0) md_oom();
    if (mkdtemp(j->staging) == NULL) return md_error(err, errno, "mkdtemp %s", j->staging);
    if (owner(j, err) < 0 || copy_all(j, err) < 0) return -1;
    if (md_sha256_final(&j->hash, hex, err) < 0) return -1;
    cleanup_free char *what = NULL, *by = NULL, *flags = md_strv_join(j->in->flags, " ");
    if (asprintf(&what, "%s\n%s\n%s\n%s", j->in->cmd, flags, j->dest, hex) < 0 ||
        asprintf(&by, "%s # buildkit", j->in->text) < 0)
        md_oom();
    md_build_key(key, s->key, what);
    if (md_build_cache_get(b, key, id) == 0) {
        md_build_emit(b, MD_BEV_CACHED, NULL);
        memcpy(s->key, key, sizeof(key));
        return md_build_adopt(s, id, err);
    }
    cleanup_close int fd = open(j->staging, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return md_error(err, errno, "open %s", j->staging);
    if (md_build_commit_dir(b, s, fd, 0, by, err) < 0) return -1;
    md_build_cache_put(key, s->image_id);
    memcpy(s->key, key, sizeof(key));
    md_build_emit(b, MD_BEV_DONE, NULL);
    return 0;
}

int md_build_copy(struct build *b, struct build_stage *s, struct md_df_instr *in, md_error_t **err)
{
    struct copy_job j = {.b = b, .s = s, .in = in, .add = !strcmp(in->cmd, "add")};
    md_build_step(b, s, in->text);
    int r = check_flags(&j, err);
    if (r == 0) r = parse_args(&j, err);
    if (r == 0) r = from_source(&j, err);
    if (r == 0) r = md_build_mount(b, s->image_id, &j.view, err);
    if (r == 0) r = stage_and_commit(&j, err);
    if (r < 0) md_build_emit(b, MD_BEV_ERROR, *err ? (*err)->msg : "failed");
    if (!j.from_context)
        md_build_umount(j.src_root);
    else
        free(j.src_root);
    md_build_umount(j.view);
    if (j.staging) md_rm_rf(j.staging, NULL);
    md_sha256_abort(&j.hash);
    free(j.staging), free(j.dest);
    md_strv_free(j.srcs);
    return r;
}
