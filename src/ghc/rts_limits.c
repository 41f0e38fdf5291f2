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

#include <stdio.h>
#include <stdlib.h>
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

/* A thread limit that can bind: RLIMIT_NPROC below 16384 (distributions
 * set it to half the system's thread maximum by default) for a user it
 * applies to (root is exempt). */
static bool thread_limited(void) {
  struct rlimit r;
  return getrlimit(RLIMIT_NPROC, &r) == 0 && r.rlim_cur < 16384 && geteuid() != 0;
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
