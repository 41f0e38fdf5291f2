/* pool.c -- each master's pool of workers: hiring them (from the idle
 * workers of the process, or by starting new worker threads), the number a
 * team really gets, and giving unused ones back.  Starting a worker's
 * thread is here; what the thread then runs, the worker loop, is team.c's
 * and is passed in (hsomp_pool_hire's worker_main), so that this file
 * calls nothing above it.  Also the GHC Capabilities the workers are bound
 * to: how many to boot (Note [How many Capabilities to boot]) and hsomp's
 * extensions that report them (include/hsomp_ext.h). */
#include "hsomp.h"
#include "ompt_internal.h"
#include "rts_glue.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static _Atomic unsigned next_worker_index = 1;

/* Set once a worker could not be created with the requested stack size. */
static atomic_bool stacksize_refused;
/* Set once a worker could not be created at all (warned once). */
static atomic_bool thread_creation_failed;

/* Note [How many Capabilities to boot]
 * A C host's RTS gets -N from the nthreads ICV, but never more than the
 * thread limit allows, nor more than max(CPUs, 64): every Capability
 * costs the RTS memory and start-up time (seconds and hundreds of MB for
 * thousands of Capabilities), so OMP_NUM_THREADS=100000 with a thread limit
 * of 4 would stall the first region for minutes.  Workers beyond the
 * Capability count share Capabilities (w mod nCaps) as always. */
static unsigned boot_capabilities(void) {
  unsigned long n = hsomp_initial_icv.nthreads_var;
  unsigned most = hsomp_settings.ncpus > 64 ? hsomp_settings.ncpus : 64;
  if (n > hsomp_initial_icv.thread_limit_var)
    n = hsomp_initial_icv.thread_limit_var;
  return n > most ? most : (unsigned)n;
}

/* Starts the worker's thread on a detached thread with a stack of `stacksize`
 * bytes (0: the default); pthread_create's result. */
/* Note [Records touched first by their workers]
 * On a NUMA machine a page lives on the node of the CPU that first
 * touches it.  A worker's record is read and written mostly by the
 * worker itself (its barrier words, its task state), so the worker
 * allocates and zeroes it: the spawning thread passes a small boot
 * record, and waits until the new thread has published its record there.
 * Both hold a reference to the boot record; the last one to let go frees
 * it, so neither touches it after the other may have freed it.  The
 * spawning thread waits for the records only after it has started every
 * worker it needs (Note [Starting many workers at once]). */
struct worker_boot {
  struct hsomp_waitword ready; /* value 1 once rec is set */
  void *(*worker_main)(void *); /* what the thread runs once booted (team.c's loop) */
  struct hsomp_thread *rec;
  unsigned index;
  _Atomic uint32_t refs;
  struct hsomp_waitword *first_park; /* a dock, or NULL (hsomp_newcomers_dock) */
  struct worker_boot *next;          /* the spawning thread's list (pool_reserve) */
};

static void boot_release(struct worker_boot *b) {
  if (atomic_fetch_sub_explicit(&b->refs, 1, memory_order_acq_rel) == 1)
    free(b);
}

static void *worker_boot_main(void *arg) {
  struct worker_boot *b = arg;
  struct hsomp_thread *w = b->rec ? b->rec : hsomp_thread_new();
  w->is_worker = true;
  if (b->first_park)
    atomic_store_explicit(&w->parked_on, b->first_park, memory_order_relaxed);
  w->index = b->index;
  /* A new worker waits for its first region (Note [A crowded process],
   * team.c); in a crowded process it sleeps at once: its master is still
   * starting the others (Note [Starting many workers at once]). */
  unsigned long workers = (unsigned long)w->index + 1;
  w->idle_spins = workers > HSOMP_CROWDED_PER_CPU * (unsigned long)hsomp_settings.ncpus
                      ? 0
                      : hsomp_spin_budget(workers);
  void *(*worker_main)(void *) = b->worker_main;
  b->rec = w;
  atomic_store_explicit(&b->ready.value, 1, memory_order_seq_cst);
  hsomp_wake(&b->ready);
  boot_release(b);
  return worker_main(w);
}

static int start_worker_thread(struct worker_boot *w, unsigned long stacksize) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  if (stacksize) {
    int rc = pthread_attr_setstacksize(&attr, stacksize);
    if (rc != 0)
      hsomp_warn("cannot use OMP_STACKSIZE=%lu bytes (%s); using the default", stacksize,
                 strerror(rc));
  }
  pthread_t tid;
  int rc = pthread_create(&tid, &attr, worker_boot_main, w);
  pthread_attr_destroy(&attr);
  return rc;
}

/* Starts a worker thread that runs worker_main once booted, first
 * parking on `first_park' (NULL: its own start word); its boot record,
 * or NULL if no thread could be created.  spawn_finish collects the
 * worker's record. */
static struct worker_boot *spawn_start(void *(*worker_main)(void *),
                                       struct hsomp_waitword *first_park) {
  hsomp_fork_handlers_register(); /* Note [Registering the fork handler] (fork.c) */
  /* Note [Records touched first by their workers] */
  struct worker_boot *w = calloc(1, sizeof *w);
  if (!w)
    hsomp_fatal("out of memory starting a worker");
  w->index = atomic_fetch_add_explicit(&next_worker_index, 1, memory_order_relaxed);
  w->worker_main = worker_main;
  w->first_park = first_park;
  atomic_init(&w->refs, 2);
  /* Under an address-space limit the spawning thread allocates the record:
   * a thread's first malloc gives it a glibc arena of 64 MiB of address
   * space (Note [Capabilities under a thread limit], rts_limits.c). */
  if (hsomp_rts_address_space_limited())
    w->rec = hsomp_thread_new();
  bool own_stack = hsomp_settings.stacksize &&
                   !atomic_load_explicit(&stacksize_refused, memory_order_relaxed);
  int rc = start_worker_thread(w, own_stack ? hsomp_settings.stacksize : 0);
  if (rc != 0 && own_stack) {
    /* The stack size that env.c accepted does not fit (any more): say
     * so once and go on with the default size, rather than fail. */
    if (!atomic_exchange_explicit(&stacksize_refused, true, memory_order_relaxed))
      hsomp_warn("cannot create a thread with the OMP_STACKSIZE/GOMP_STACKSIZE stack of %lu "
                 "bytes (%s); using the default from now on",
                 hsomp_settings.stacksize, strerror(rc));
    rc = start_worker_thread(w, 0);
  }
  if (rc != 0) {
    /* Note [Fewer threads than asked]: no thread, no crash. */
    if (!atomic_exchange_explicit(&thread_creation_failed, true, memory_order_relaxed))
      hsomp_warn("cannot create another OpenMP thread (%s): teams get the threads that exist",
                 strerror(rc));
    free(w->rec);
    free(w);
    return NULL;
  }
  return w;
}

/* Waits until the worker started by spawn_start has published its record,
 * and returns it.  `spins': the budget of the wait. */
static struct hsomp_thread *spawn_finish(struct worker_boot *w, unsigned long spins) {
  struct hsomp_spin spin = hsomp_spin_of(NULL, NULL, spins);
  hsomp_wait_change(&w->ready, 0, &spin);
  struct hsomp_thread *rec = w->rec;
  boot_release(w);
  return rec;
}

/* Hire workers until `self` has `n` (fewer if the system will not create
 * more threads: Note [Fewer threads than asked]).
 *
 * Note [Starting many workers at once]
 * A master that must create workers first starts all of them, then
 * collects their records (Note [Records touched first by their workers])
 * in the same order.  Waiting for each record before starting the next
 * thread would make the first region of a big team a chain of thread
 * start-up latencies, each a spin (with yields, among thousands of
 * runnable new threads) or a sleep of the master; this way the new
 * threads boot while the master creates the others, and by the time it
 * looks most records are there.  The wait for one that is not spins as
 * an uncrowded wait (which sleeps early in a crowded process), or only a
 * few rounds when the threads being started crowd the CPUs themselves.
 * Workers created for a big team park on a dock until their first region
 * (Note [Docks for big teams], team.c). */
static void pool_reserve(struct hsomp_thread *self, unsigned n, void *(*worker_main)(void *),
                         struct hsomp_waitword *first_park) {
  if (self->pool_len >= n)
    return;
  if (n > self->pool_cap) {
    unsigned cap = self->pool_cap ? self->pool_cap : 4;
    while (cap < n)
      cap *= 2;
    struct hsomp_thread **p = realloc(self->pool, cap * sizeof *p);
    if (!p)
      hsomp_fatal("out of memory growing the thread pool");
    self->pool = p;
    self->pool_cap = cap;
  }
  self->pool_len += hsomp_idle_workers_take(self->pool + self->pool_len, n - self->pool_len);
  /* Note [Starting many workers at once] */
  struct worker_boot *first = NULL, **last = &first;
  unsigned started = 0;
  while (self->pool_len + started < n) {
    struct worker_boot *w = spawn_start(worker_main, first_park);
    if (!w)
      break;
    *last = w;
    last = &w->next;
    started++;
  }
  unsigned long spins = started + 1 > HSOMP_CROWDED_PER_CPU * (unsigned long)hsomp_settings.ncpus
                            ? HSOMP_CROWDED_SPINS
                            : hsomp_settings.spin_count;
  for (struct worker_boot *w = first, *next; w; w = next) {
    next = w->next; /* before spawn_finish lets go of w */
    self->pool[self->pool_len++] = spawn_finish(w, spins);
  }
}

/* Gives the workers `self` hired but does not use now back to the idle
 * list, for other masters to hire.  They have all joined their last team
 * (Note [Worker life cycle], team.c): a master that hires one fills its fields in
 * before it bumps `start`, as this master would have. */
void hsomp_pool_release_unused(struct hsomp_thread *self) {
  hsomp_idle_workers_put(self->pool + self->pool_in_use, self->pool_len - self->pool_in_use);
  self->pool_len = self->pool_in_use;
}

/* Note [Fewer threads than asked]
 * pthread_create can fail for reasons outside the program's control
 * (EAGAIN: no memory for another stack, a thread or address-space limit).
 * OpenMP lets a team have fewer threads than requested when the
 * implementation cannot supply them, so instead of aborting (libgomp's
 * "Thread creation failed") the team gets the workers that exist, with
 * one warning per process.  This is decided before anything is sized by
 * the team size: the team record, the first work share of a combined
 * construct, the contention group's count (the reservation the team
 * size took from the group is given back). */
unsigned hsomp_pool_hire(struct hsomp_thread *self, unsigned nthreads,
                        void *(*worker_main)(void *), struct hsomp_waitword *first_park) {
  /* A master that starts a nested region while its outer team runs
   * uses its pool as a stack: the outer team's workers are the first
   * pool_in_use entries, the nested team's come after them.  (No RTS
   * under the process's limits: no worker, rts_limits.c.) */
  if (HSOMP_LIKELY(hsomp_rts_ensure(boot_capabilities())))
    pool_reserve(self, self->pool_in_use + nthreads - 1, worker_main, first_park);
  HSOMP_EVENTLOG_ATTACH();
  unsigned available = self->pool_len - self->pool_in_use + 1;
  if (HSOMP_LIKELY(available >= nthreads))
    return nthreads;
  unsigned missing = nthreads - available;
  if (self->group_reserving >= missing) {
    atomic_fetch_sub_explicit(self->ts.team->group_busy, missing, memory_order_relaxed);
    self->group_reserving -= missing;
  }
  return available;
}

/* ------------------------------------------------------------------ */
/* hsomp extensions (version node HSOMP_0.1, not part of libgomp's ABI). */

/* The GHC Capability the calling OpenMP thread is bound to: worker w runs
 * on Capability w mod nCaps; a host thread (the initial thread, or a
 * Haskell thread calling in through a safe foreign call) is bound to none
 * and reports -1. */
int hsomp_get_capability(void) { return hsomp_self()->capability; }

/* The number of GHC Capabilities the workers are bound to.  Before the
 * first team of more than one thread no RTS may be running yet: boot it
 * as that team would (so the answer is the one the workers will see). */
int hsomp_get_num_capabilities(void) {
  (void)hsomp_rts_ensure(boot_capabilities());
  return (int)hsomp_rts_capabilities();
}

/* The most Capabilities hsomp_get_least_used_capability tells apart;
 * beyond, the first ones are used. */
#define MAX_COUNTED_CAPS 256

/* include/hsomp_ext.h.  A worker is bound to Capability (index mod
 * Capabilities) when its thread starts (worker_main, team.c), possibly
 * after this region began: its `capability` field may not be written yet,
 * and is written by another thread, so this counts by its index, written
 * before the worker's thread was created. */
int hsomp_get_least_used_capability(void) {
  struct hsomp_thread *self = hsomp_self();
  struct hsomp_team *team = self->ts.team;
  int ncaps = hsomp_get_num_capabilities();
  if (self->capability >= 0 || !team || team->nthreads <= 1 || ncaps <= 0)
    return -1;
  if (ncaps > MAX_COUNTED_CAPS)
    ncaps = MAX_COUNTED_CAPS;
  unsigned used[MAX_COUNTED_CAPS] = {0};
  for (unsigned i = 0; i < team->nthreads; i++) {
    struct hsomp_thread *m = team->members[i];
    if (m && m != self && m->is_worker)
      used[m->index % (unsigned)ncaps]++;
  }
  int start = (int)(self->ts.team_id % (unsigned)ncaps), best = start;
  for (int k = 0; k < ncaps; k++) {
    int c = (start + k) % ncaps;
    if (used[c] < used[best])
      best = c;
  }
  return best;
}
