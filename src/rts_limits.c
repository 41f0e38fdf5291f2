/* rts_limits.c -- fitting a C host's GHC RTS into the process's resource
 * limits, so that a limit never turns into a fatal exit at RTS start-up.
 *
 * Owns the two things hsomp does around hs_init_ghc (rts_glue.c) when the
 * process has a thread or address-space limit: how many Capabilities the
 * RTS may have (Note [Capabilities under a thread limit]) and how much
 * address space its heap reservation may take (Note [The heap reservation
 * under ulimit -v]).  Without such limits both are no-ops. */
#include "hsomp.h"
#include "rts_glue.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

/* Note [Capabilities under a thread limit]
 * The threaded RTS keeps one OS thread of its own per Capability: those of
 * Capabilities 1.. start inside hs_init_ghc, Capability 0's when a worker
 * bound to it first gives it back (rts_unlock), and a thread it cannot
 * create is fatal either way ("failed to create OS thread", exit 1).
 * Under RLIMIT_NPROC (which counts every thread of the user) or an
 * address-space limit (each stack and glibc arena is address space) the
 * process may have room for only a few more threads, and hsomp's workers
 * need room too: a team of n needs n-1 of them, and a worker hsomp cannot
 * create only shrinks the team (Note [Fewer threads than asked],
 * team.c).  So when such a limit is set we count the room first: start up
 * to ncaps + workers threads that wait on a condition variable (default
 * attributes, as the RTS's), let them go, and boot with as many
 * Capabilities as leave the workers the room they need first.  With no
 * room left for a single RTS thread, workers are not bound to any
 * Capability (hsomp_get_capability answers -1) and the RTS, booted with
 * -N1, starts no thread at all.  Workers share Capabilities (w mod nCaps)
 * as always.  The count is a snapshot: other processes of the same user
 * may take slots meanwhile (README, Limits). */

static pthread_mutex_t probe_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t probe_go = PTHREAD_COND_INITIALIZER;
static bool probe_released;

static void *probe_thread(void *arg) {
  (void)arg;
  pthread_mutex_lock(&probe_lock);
  while (!probe_released)
    pthread_cond_wait(&probe_go, &probe_lock);
  pthread_mutex_unlock(&probe_lock);
  return NULL;
}

/* A thread limit worth counting the room under: RLIMIT_NPROC below 16384
 * (distributions set it to half the system's thread maximum by default,
 * where counting would only cost time), for a user it applies to (root
 * is exempt). */
static bool thread_limited(void) {
  struct rlimit r;
  return getrlimit(RLIMIT_NPROC, &r) == 0 && r.rlim_cur < 16384 && geteuid() != 0;
}

/* How many more threads the process can start now, up to `most`. */
static unsigned thread_room(unsigned most) {
  pthread_t *t = calloc(most, sizeof *t);
  if (!t)
    return 0;
  probe_released = false;
  unsigned n = 0;
  while (n < most && pthread_create(&t[n], NULL, probe_thread, NULL) == 0)
    n++;
  pthread_mutex_lock(&probe_lock);
  probe_released = true;
  pthread_cond_broadcast(&probe_go);
  pthread_mutex_unlock(&probe_lock);
  for (unsigned i = 0; i < n; i++)
    pthread_join(t[i], NULL);
  free(t);
  return n;
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

/* How many RTS threads an eighth of the free address space holds: each
 * costs its stack and, as it mallocs, a glibc arena (64 MiB of address
 * space); the other eighth of the RTS's quarter is the heap reservation's
 * (Note [The heap reservation under ulimit -v]). */
static unsigned long threads_in_address_space(void) {
  struct rlimit as;
  if (getrlimit(RLIMIT_AS, &as) != 0 || as.rlim_cur == RLIM_INFINITY)
    return ULONG_MAX;
  unsigned long used = address_space_used();
  unsigned long free_space = used < as.rlim_cur ? as.rlim_cur - used : 0;
  return free_space / 8 / (default_stack_size() + (64ul << 20));
}

unsigned hsomp_rts_fit_capabilities(unsigned ncaps, bool *bind_workers) {
  *bind_workers = true;
  bool count_room = thread_limited();
  if (ncaps <= 1 && !count_room)
    return ncaps;
  unsigned workers = ncaps > 1 ? ncaps - 1 : 1;
  unsigned long rts_threads = ncaps;
  if (count_room) {
    unsigned room = thread_room(workers + ncaps);
    rts_threads = room > workers ? room - workers : 0;
  }
  unsigned long fit = threads_in_address_space();
  if (rts_threads > fit)
    rts_threads = fit;
  if (rts_threads == 0) {
    *bind_workers = false;
    return 1;
  }
  return rts_threads < ncaps ? (unsigned)rts_threads : ncaps;
}

/* Note [The heap reservation under ulimit -v]
 * The RTS reserves its heap's address space at start-up: 1 TiB, or under
 * RLIMIT_AS the limit itself, shrinking the request by 1/8 until mmap
 * succeeds -- so it takes nearly all the address space the limit leaves,
 * and every thread stack and malloc arena after it fails: hsomp's workers,
 * the RTS's own mallocs ("out of memory", exit 1) and the host's.  So
 * while hs_init_ghc runs, the soft limit is lowered to what the process
 * uses now plus half of what is left (lowering and raising a soft limit up
 * to the hard one needs no privilege), then put back: the reservation, and
 * the RTS threads started before it, take at most that half; the other
 * half stays the host's and the workers'.  A C host's heap holds next to
 * nothing (the nurseries, -A per Capability).  A limit the RTS would
 * refuse outright (below 9 default thread stacks: it reserves 2/3 of the
 * limit and exits unless 3 stacks fit beside) is not tried: hsomp then
 * runs every region on the calling thread alone, with one warning
 * (rts_glue.c).  Another thread of the host
 * that maps memory during those milliseconds sees the lower limit. */

int hsomp_rts_limit_reservation(struct rlimit *saved) {
  if (getrlimit(RLIMIT_AS, saved) != 0 || saved->rlim_cur == RLIM_INFINITY)
    return 0;
  /* The RTS refuses to start under a limit below 9 default stacks (it
   * reserves 2/3 of the limit and wants 3 stacks' room beside it). */
  unsigned long least = 9 * default_stack_size() + (1ul << 20);
  if (saved->rlim_cur < least)
    return -1;
  unsigned long used = address_space_used();
  if (!used || used >= saved->rlim_cur)
    return 0;
  struct rlimit lower = *saved;
  lower.rlim_cur = used + (saved->rlim_cur - used) / 4;
  if (lower.rlim_cur < least)
    lower.rlim_cur = least;
  return setrlimit(RLIMIT_AS, &lower) == 0;
}

void hsomp_rts_restore_reservation_limit(const struct rlimit *saved) {
  setrlimit(RLIMIT_AS, saved);
}
