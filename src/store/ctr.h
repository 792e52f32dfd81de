/* A container as the engine's short-lived commands see it: its record
 * (container.json), its runtime state under /run/mydocker/containers/<id>/
 * (state.json written at start, `exit` written by the monitor), and the
 * truth about its process (pid + start time, so a recycled pid is never
 * taken for the container). See docs/lifecycle.md. */
#ifndef MD_STORE_CTR_H
#define MD_STORE_CTR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"
#include "util/proc.h"
#include "util/signal.h"
#include "util/time.h"

struct json_object;

enum md_ctr_status {
    MD_CTR_CREATED,
    MD_CTR_RUNNING,
    MD_CTR_PAUSED,
    MD_CTR_RESTARTING,
    MD_CTR_EXITED,
    MD_CTR_DEAD,
};

struct md_ctr {
    char id[65];
    char *name;                 /* without the leading '/' */
    char *dir;                  /* /var/lib/mydocker/containers/<id> */
    char *rundir;               /* /run/mydocker/containers/<id> */
    struct json_object *record; /* container.json (owned) */
    enum md_ctr_status status;
    pid_t pid;          /* host pid of PID 1 while running */
    uint64_t pid_start; /* its start time (clock ticks since boot) */
    pid_t monitor;      /* the process that records the end (monitor, or `run`) */
    uint64_t monitor_start;
    int exit_code;
    int64_t started_ns, finished_ns;
    int unrecorded_exit; /* read_state found it killed with its monitor; settle records it */
    int summary;         /* record holds summary.json only (md_ctr_load_summary): never saved */
};

/* By full id, unique id prefix, or name. Not found: "No such container: X". */
int md_ctr_load(const char *ref, struct md_ctr **out, md_error_t **err);
int md_ctr_load_id(const char *id, struct md_ctr **out, md_error_t **err);
/* A container its creator holds the record of (a reference is taken): nothing read back. */
int md_ctr_from_record(const char *id, const char *name, struct json_object *record,
                       struct md_ctr **out, md_error_t **err);
/* For lists: the record is the container's summary (store/summary.c), a few members of
 * container.json, and refuses md_ctr_save. Status and pid as md_ctr_load_id. */
int md_ctr_load_summary(const char *id, struct md_ctr **out, md_error_t **err);
void md_ctr_free(struct md_ctr *c);
/* Every container's summary, newest first (docker's order for lists); md_ctrs_free. */
size_t md_ctr_load_summaries(struct md_ctr ***out);
void md_ctrs_free(struct md_ctr **v, size_t n);
/* Every container id (sorted newest first by Created); NULL-terminated. */
char **md_ctr_list_ids(void);
int md_ctr_save(struct md_ctr *c, md_error_t **err);
/* Write a record (container.json) and its summary into a container's directory. */
int md_ctr_write_record(const char *dir, struct json_object *record, md_error_t **err);
/* The members of a record that lists read (summary.json), sharing the record's objects. */
struct json_object *md_ctr_summary_of(struct json_object *record);
/* A container directory's summary.json, parsed (NULL: none). With the cache on (a long-lived
 * process: the API server), a file read before is not read again while a stat says it is the
 * same; each call gets its own copy. */
struct json_object *md_ctr_summary_read(const char *dir);
void md_ctr_summary_cache_enable(void);
/* Exclusive flock on the container (held by start/stop/rm/...). Returns the fd. */
int md_ctr_lock(struct md_ctr *c, md_error_t **err);
/* Re-read the record and the runtime state (status, pid, exit code); writes
 * nothing. A container killed from outside together with its monitor reads
 * as exited (137) with unrecorded_exit set. */
void md_ctr_read_state(struct md_ctr *c);
/* Write down the exit found by md_ctr_read_state, if it was unrecorded. */
void md_ctr_settle(struct md_ctr *c);
/* Both: what every command that acts on a container or shows it uses
 * (md_ctr_load does it too). */
void md_ctr_read_and_settle(struct md_ctr *c);
const char *md_ctr_status_name(enum md_ctr_status s);
/* "Up 3 seconds", "Exited (0) 2 minutes ago", "Created", ... */
char *md_ctr_status_text(const struct md_ctr *c);
/* "Path Args..." joined by spaces, as docker's Command of a container list (malloc'd) */
char *md_ctr_command_line(const struct md_ctr *c);
/* Bytes of the container's writable layer (docker's SizeRw); 0 without one */
long long md_ctr_rw_size(const struct md_ctr *c);
/* Whether the container's monitor (its recorder) still lives. */
int md_ctr_monitor_alive(const struct md_ctr *c);
/* A pidfd for the container's PID 1, after checking it is still the same
 * process (start time); -ESRCH when it is gone. */
int md_ctr_pidfd(const struct md_ctr *c);
int md_ctr_signal(const struct md_ctr *c, int sig, md_error_t **err);
const char *md_ctr_str(const struct md_ctr *c, const char *path); /* "Config.Image" style lookup */

#endif
