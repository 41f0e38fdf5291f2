/* rts_limits.c -- fitting a C host's GHC RTS into the process's resource
 * limits, so that a limit never turns into a fatal exit at RTS start-up.
 *
 * Owns the two things hsomp does around hs_init_ghc (rts_glue.c) when the
 * process has a thread or address-space limit: the RTS starts no thread
 * and workers stay unbound (Note [Capabilities under a thread limit]),
 * and the heap reservation leaves the address space to the host (Note
 * [The heap reservation under ulimit -v]).  Without such limits both are
 * no-ops. */
#include "hsomp.h"
#include "rts_glue.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* Note [Capabilities under a thread limit]
 * The threaded RTS keeps one OS thread of its own per Capability: those of
 * Capabilities 1.. start inside hs_init_ghc, Capability 0's when a worker
 * bound to it first gives it back (rts_unlock), and a thread it cannot
 * create is fatal either way ("failed to create OS thread", exit 1).  A
 * worker's binding also mallocs the RTS's Task on the worker's thread,
 * which gives that thread a glibc arena of its own (64 MiB of address
 * space each; libgomp's workers never malloc).  Under RLIMIT_NPROC (which
 * counts every thread of the user) or an address-space limit, those
 * threads and arenas took the room the host's threads and hsomp's workers
 * need: 16 threads under ulimit -v 1 GB left the host's own malloc
 * failing.  So under such a limit a C host's RTS boots with -N1 and the
 * workers are not bound to a Capability (hsomp_get_capability answers -1
 * for them): the RTS then starts no thread at all, and a worker costs what
 * libgomp's costs, its stack.  A worker hsomp still cannot create only
 * shrinks the team, with one warning (Note [Fewer threads than asked],
 * pool.c).  The Capabilities are bookkeeping for a C host -- its workers
 * run C code holding none -- so nothing else changes. */

/* Note [A cgroup's thread limit]
 * A cgroup's pids.max bounds the threads of every process in the cgroup
 * and in the cgroups below it, root included, and pthread_create fails
 * with EAGAIN beyond it, like under RLIMIT_NPROC: an RTS thread refused
 * was fatal ("failed to create OS thread"), and the RTS's threads took
 * the room of the team's workers.  So the process's cgroups (the pids
 * controller's hierarchy of cgroup v1, or the unified hierarchy of v2)
 * and their ancestors up to the mount point are read once, at RTS
 * start-up, from /proc/self/cgroup and /proc/self/mountinfo: the least
 * room any of them leaves (pids.max - pids.current) counts as a thread
 * limit of that many threads.  Limits set later, or in cgroups the
 * process cannot see, are not known: a worker they refuse only shrinks
 * the team. */
#define HSOMP_THREAD_LIMIT_BINDS 16384

/* Reads the unsigned number at the start of file dir/name into *out. */
static bool read_number(const char *dir, const char *name, unsigned long *out) {
  char path[4096];
  if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
    return false;
  FILE *f = fopen(path, "re");
  if (!f)
    return false;
  bool ok = fscanf(f, "%lu", out) == 1; /* "max": no number, no limit */
  fclose(f);
  return ok;
}

/* The least room under pids.max in dir and its parents up to `top'. */
static unsigned long room_from(char *dir, size_t top) {
  unsigned long room = ULONG_MAX;
  for (;;) {
    unsigned long max, current;
    if (read_number(dir, "pids.max", &max) && read_number(dir, "pids.current", &current))
      if ((max > current ? max - current : 0) < room)
        room = max > current ? max - current : 0;
    char *slash = strrchr(dir, '/');
    if (!slash || (size_t)(slash - dir) < top)
      return room;
    *slash = '\0';
  }
}

/* The mount point and root of the cgroup v2 hierarchy (v2) or of the
 * pids controller's v1 hierarchy, from /proc/self/mountinfo. */
static bool cgroup_mount(bool v2, char *point, char *root, size_t len) {
  FILE *f = fopen("/proc/self/mountinfo", "re");
  if (!f)
    return false;
  char line[4096];
  bool found = false;
  while (!found && fgets(line, sizeof line, f)) {
    char *dash = strstr(line, " - ");
    char mroot[1024], mpoint[1024], fstype[64], source[256], opts[1024];
    if (!dash || sscanf(line, "%*s %*s %*s %1023s %1023s", mroot, mpoint) != 2 ||
        sscanf(dash + 3, "%63s %255s %1023s", fstype, source, opts) != 3)
      continue;
    if (v2 ? strcmp(fstype, "cgroup2") != 0 : strcmp(fstype, "cgroup") != 0)
      continue;
    if (!v2) { /* the pids controller among the super options */
      bool pids = false;
      char *save = NULL;
      for (char *o = strtok_r(opts, ",", &save); o && !pids; o = strtok_r(NULL, ",", &save))
        pids = strcmp(o, "pids") == 0;
      if (!pids)
        continue;
    }
    found = strlen(mpoint) < len && strlen(mroot) < len;
    if (found) {
      strcpy(point, mpoint);
      strcpy(root, mroot);
    }
  }
  fclose(f);
  return found;
}

static unsigned long cgroup_thread_room(void) {
  FILE *f = fopen("/proc/self/cgroup", "re");
  if (!f)
    return ULONG_MAX;
  unsigned long room = ULONG_MAX;
  char line[2048];
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = '\0';
    char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c2)
      continue;
    *c1 = *c2 = '\0';
    const char *controllers = c1 + 1, *path = c2 + 1;
    bool v2 = strcmp(line, "0") == 0 && !*controllers;
    bool pids = false;
    char list[256];
    snprintf(list, sizeof list, "%s", controllers);
    char *save = NULL;
    for (char *o = strtok_r(list, ",", &save); o && !pids; o = strtok_r(NULL, ",", &save))
      pids = strcmp(o, "pids") == 0;
    char point[1024], root[1024], dir[4096];
    if ((!v2 && !pids) || !cgroup_mount(v2, point, root, sizeof point))
      continue;
    /* path is relative to the hierarchy's root; the mount shows `root' */
    size_t rl = strcmp(root, "/") == 0 ? 0 : strlen(root);
    if (rl && (strncmp(path, root, rl) != 0 || (path[rl] && path[rl] != '/')))
      continue;
    if (snprintf(dir, sizeof dir, "%s%s", point, path + rl) >= (int)sizeof dir)
      continue;
    size_t len = strlen(dir);
    if (len > 1 && dir[len - 1] == '/')
      dir[len - 1] = '\0';
    unsigned long r = room_from(dir, strlen(point));
    if (r < room)
      room = r;
  }
  fclose(f);
  return room;
}

/* A thread limit that can bind: RLIMIT_NPROC below 16384 (distributions
 * set it to half the system's thread maximum by default) for a user it
 * applies to (root is exempt), or a cgroup leaving room for fewer threads
 * (Note [A cgroup's thread limit]). */
static bool thread_limited(void) {
  struct rlimit r;
  if (getrlimit(RLIMIT_NPROC, &r) == 0 && r.rlim_cur < HSOMP_THREAD_LIMIT_BINDS && geteuid() != 0)
    return true;
  return cgroup_thread_room() < HSOMP_THREAD_LIMIT_BINDS;
}

static bool address_space_limited(void) {
  struct rlimit r;
  return getrlimit(RLIMIT_AS, &r) == 0 && r.rlim_cur != RLIM_INFINITY;
}

bool hsomp_rts_address_space_limited(void) { return address_space_limited(); }

unsigned hsomp_rts_fit_capabilities(unsigned ncaps, bool *bind_workers) {
  *bind_workers = !thread_limited() && !address_space_limited();
  return *bind_workers ? ncaps : 1;
}

/* Address space in use now (bytes), from /proc/self/statm. */
static unsigned long address_space_used(void) {
  FILE *f = fopen("/proc/self/statm", "re");
  unsigned long pages = 0;
  if (f) {
    if (fscanf(f, "%lu", &pages) != 1)
      pages = 0;
    fclose(f);
  }
  return pages * (unsigned long)sysconf(_SC_PAGESIZE);
}

static unsigned long default_stack_size(void) {
  struct rlimit stack;
  if (getrlimit(RLIMIT_STACK, &stack) == 0 && stack.rlim_cur != RLIM_INFINITY)
    return stack.rlim_cur;
  return 8ul << 20;
}

/* Note [The heap reservation under ulimit -v]
 * The RTS reserves its heap's address space at start-up: 1 TiB, or under
 * RLIMIT_AS 2/3 of the limit, shrinking the request by 1/8 until mmap
 * succeeds -- so it takes nearly all the address space the limit leaves,
 * and every thread stack and malloc arena after it fails: hsomp's workers,
 * the RTS's own mallocs ("out of memory", exit 1) and the host's.  So
 * while hs_init_ghc runs, the soft limit is lowered to what the process
 * uses now plus an eighth of what is left (lowering a soft limit, and
 * raising it back up to the hard one, needs no privilege), then put
 * back: the reservation takes at most that eighth, the rest stays the
 * host's and the workers'.  A C host's heap holds next to nothing (one
 * nursery, -A).  The RTS refuses to start under a limit below 9 default
 * thread stacks (it wants 3 stacks' room beside its 2/3), so the lowered
 * limit is never below that, and a limit below that is not tried at all:
 * every region then runs on the calling thread alone, with one warning
 * (rts_glue.c).  Another thread of the host that maps memory during those
 * milliseconds sees the lower limit (README, Limits). */

int hsomp_rts_limit_reservation(struct rlimit *saved) {
  if (getrlimit(RLIMIT_AS, saved) != 0 || saved->rlim_cur == RLIM_INFINITY)
    return 0;
  unsigned long least = 9 * default_stack_size() + (1ul << 20);
  if (saved->rlim_cur < least)
    return -1;
  unsigned long used = address_space_used();
  if (!used || used >= saved->rlim_cur)
    return 0;
  struct rlimit lower = *saved;
  lower.rlim_cur = used + (saved->rlim_cur - used) / 8;
  if (lower.rlim_cur < least)
    lower.rlim_cur = least;
  return setrlimit(RLIMIT_AS, &lower) == 0;
}

void hsomp_rts_restore_reservation_limit(const struct rlimit *saved) {
  setrlimit(RLIMIT_AS, saved);
}
