/* team.c -- workers and teams: the fork and the join of a parallel region.
 *
 * Owns: pool workers (their creation, their loop, their retirement), each
 * master's pool of hired workers, team objects and their reuse, the
 * contention groups' thread counts, and the fork/join of a parallel
 * region (GOMP_parallel, GOMP_parallel_start/end), running the region's
 * remaining tasks at the join through the tasking hook.  The thread
 * records themselves are thread.c's.  Worker w is bound to GHC Capability
 * w mod nCaps (see rts_glue.c) and runs C code holding none. */
#include "hsomp.h"
#include "ompt_internal.h"
#include "rts_glue.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Atomic unsigned next_worker_index = 1;

/* ------------------------------------------------------------------ */
/* Workers.                                                             */

/* Note [Process exit]
 * Nothing here is torn down at exit: no destructor frees teams or stops
 * workers, and the RTS is never shut down by hsomp.  A program may call
 * exit() from inside a parallel region while other workers still run its
 * code, or while workers sleep on their futexes; in both cases the other
 * threads simply disappear with the process.  Freeing shared state in an
 * atexit handler would turn that into a use-after-free. */

/* Note [Worker life cycle]
 * A worker is created by the first master that needs it, binds itself to
 * its Capability once, and then waits for its `start` word to move.  Its
 * parent in the team's tree (Note [Tree fork]) fills in
 * fn/data/start_team/start_id/start_tag/start_icv and then bumps `start`
 * with seq_cst order (release for the fields; the Dekker pairing of Note
 * [Sleeping without lost wake-ups], wait.h, for the wake-up).  The worker
 * starts its own children, runs the implicit task, joins (Note [Tree
 * join]), and waits again.  Once it has joined the worker touches the
 * team only to wake its parent: the master may already reuse it for the
 * next region. */
static void worker_join(struct hsomp_thread *self, struct hsomp_team *team);
static void worker_retire(struct hsomp_thread *self);

/* Note [Tree fork]
 * Thread i of a team starts its children in the barrier tree, 4i+1 ..
 * 4i+4 (Note [Tree barrier], barrier.c), before it runs the region: it
 * writes their fn/data/start_team/start_id/start_icv and bumps their
 * `start` (seq_cst: release for the fields, and the pairing of Note
 * [Sleeping without lost wake-ups] for the wake-up).  The master only
 * starts its own children, so the fork's longest chain is about two line
 * transfers per level of a tree of depth log4(nthreads), not nthreads-1
 * dependent RMWs by the master; the master fills members[] (and, with a
 * place list, every member's place and ICVs, team->placed) before it
 * starts anyone, so every forking thread finds its children there.  A
 * field is written only when it changes: a region like the last one
 * (same function, data, team and ICVs) leaves the children's lines
 * shared, and costs each worker one transfer of its `start` line.  A
 * thread that had to wake a sleeping child marks the team woke_sleepers
 * (Note [Cold joins]). */

/* Note [Docks for big teams]
 * A parked worker sleeps on its own `start' word, and its forker wakes
 * it there: one FUTEX_WAKE per sleeping child.  In a team larger than
 * the CPUs the master forks every worker itself (one level, Note [Tree
 * barrier]), and thousands of wake-ups, one system call each, made the
 * fork a chain in which every woken worker could preempt the master on
 * its CPU (libgomp wakes a whole team with one call).  So a worker
 * whose last team was big (docks_workers) parks on that team's dock instead: a wait word in
 * a static table, chosen by the team's serial number, so it never goes
 * away under a sleeper (team records are reused and freed).  Its
 * condition is still its own `start' changing.  It says where it sleeps
 * in `parked_on' (seq_cst, before it announces itself on the word), and
 * a forker, after bumping a child's `start' (seq_cst), reads it: the
 * child's own word gets hsomp_wake as before; a dock is bumped and woken
 * once (hsomp_wake_bump), after all the children that sleep there have
 * been started, so a big team's fork is one system call.  If the forker
 * reads a `parked_on' about to change, the worker's own check of `start',
 * after its store, sees the bump (Note [Sleeping without lost
 * wake-ups], with `parked_on' and `start' as the pair of seq_cst
 * accesses on each side).  Teams whose serials share a dock wake each
 * other's sleepers: they look at their `start', and sleep again.
 * Workers created for a big team have had no team yet: they park on the
 * `newcomers' dock until their first region (Note [Starting many workers
 * at once]), so the first region of a big team is one wake-up too.  (A
 * child of fork() inherits the parent's sleeper counts on the docks: its
 * wake-ups there may make a needless system call, nothing worse.) */
#define HSOMP_DOCKS 256
#define HSOMP_DOCK_MIN_TEAM 8 /* smaller teams: every worker sleeps on its own word */
static struct dock {
  struct hsomp_waitword ww HSOMP_ALIGNED;
} docks[HSOMP_DOCKS], newcomers;

static bool docks_workers(unsigned nthreads) {
  return nthreads > HSOMP_DOCK_MIN_TEAM && hsomp_barrier_arity(nthreads) >= nthreads - 1;
}

static struct hsomp_waitword *team_dock(const struct hsomp_team *team) {
  return &docks[team->serial % HSOMP_DOCKS].ww;
}

static void fork_children(struct hsomp_team *team, unsigned id, uint32_t tag, void (*fn)(void *),
                          void *data, const struct hsomp_icv *icv) {
  unsigned n = team->nthreads, arity = hsomp_barrier_arity(n), first = arity * id + 1;
  bool copy_icv = !team->placed, woke = false;
  struct hsomp_waitword *dock = NULL; /* woken after the loop */
  for (unsigned c = first; c < n && c - first < arity; c++) {
    struct hsomp_thread *w = team->members[c];
    if (w->fn != fn)
      w->fn = fn;
    if (w->data != data)
      w->data = data;
    if (w->start_team != team)
      w->start_team = team;
    if (w->start_id != c)
      w->start_id = c;
    w->start_tag = tag;
    if (copy_icv) {
      if (memcmp(&w->start_icv, icv, sizeof *icv) != 0)
        w->start_icv = *icv;
      if (w->start_place != w->place)
        w->start_place = w->place;
    }
    atomic_fetch_add_explicit(&w->start.value, 1, memory_order_seq_cst);
    /* Note [Docks for big teams] */
    struct hsomp_waitword *parked = atomic_load_explicit(&w->parked_on, memory_order_seq_cst);
    if (!parked || parked == &w->start) {
      woke |= hsomp_wake(&w->start);
    } else if (parked != dock) {
      if (dock)
        woke |= hsomp_wake_bump(dock);
      dock = parked;
    }
  }
  if (dock)
    woke |= hsomp_wake_bump(dock);
  if (woke && !atomic_load_explicit(&team->woke_sleepers, memory_order_relaxed))
    atomic_store_explicit(&team->woke_sleepers, true, memory_order_relaxed);
}

static void *worker_main(void *arg) {
  struct hsomp_thread *self = arg;
  hsomp_tls = self;
  unsigned ncaps = hsomp_rts_capabilities();
  self->capability = hsomp_rts_bind_worker(ncaps ? self->index % ncaps : 0);
  char name[16];
  snprintf(name, sizeof name, "hsomp-w%u", self->index);
  pthread_setname_np(pthread_self(), name);
  HSOMP_OMPT(thread_begin(self, ompt_thread_worker));
  uint32_t seen = 0;
  unsigned long idle_budget = self->idle_spins;
  int master_cpu = -1; /* the last master's, for the idle wait's spin */
  unsigned threads_in_regions = 0; /* the last team's (Note [Crowded CPUs]) */
  /* Note [Docks for big teams]: a new worker may start on the newcomers' */
  struct hsomp_waitword *park = atomic_load_explicit(&self->parked_on, memory_order_relaxed);
  if (!park)
    park = &self->start;
  for (;;) {
    /* The spin budget for the next region is not known yet: at most the
     * one of the last team (a region usually follows one of the same
     * size), less if regions have been sparse (Note [Adaptive idle
     * spinning], wait.c).  A docked worker does not spin: its big team's
     * next region waits for every member's join first (Note [Docks for
     * big teams]). */
    struct hsomp_spin spin = hsomp_spin_of(self, NULL, park == &self->start ? self->idle_spins : 0);
    spin.peer_cpu = master_cpu;
    spin.threads_in_regions = threads_in_regions;
    if (atomic_load_explicit(&self->parked_on, memory_order_relaxed) != park)
      atomic_store_explicit(&self->parked_on, park, memory_order_seq_cst);
    hsomp_wait_change_adaptive(&self->start, seen, park, &spin, &idle_budget);
    seen = atomic_load_explicit(&self->start.value, memory_order_acquire);

    struct hsomp_team *team = self->start_team;
    fork_children(team, self->start_id, self->start_tag, self->fn, self->data, &self->start_icv);
    unsigned long spins = team->spins;
    master_cpu = team->master_cpu;
    threads_in_regions = team->threads_in_regions;
    /* read now: once joined, the team is not ours to read */
    park = docks_workers(team->nthreads) ? team_dock(team) : &self->start;
    self->icv = self->start_icv;
    self->ts = (struct hsomp_team_state){
        .team = team,
        .team_id = self->start_id,
        .bar_tag = self->start_tag,
        .level = team->level,
        .active_level = team->active_level,
    };
    /* Note [Keeping threads spread] (spin.c): where we run, for the
     * waits of the region and the next idle wait. */
    hsomp_note_cpu(self, hsomp_os_cpu());
    hsomp_team_state_enter_first_ws(&self->ts);
    /* Move to the place the master chose; OMP_DISPLAY_AFFINITY. */
    if (HSOMP_UNLIKELY(self->start_place != self->place || hsomp_settings.display_affinity))
      hsomp_affinity_enter(self);
    HSOMP_OMPT(implicit_task_begin(self));
    self->fn(self->data);

    /* Run the region's remaining tasks, then join; once joined the worker
     * never touches the team (Note [Region end with tasks]). */
    self->idle_spins = spins;
    HSOMP_OMPT(join_begin(self));
    worker_join(self, team);
    /* omp_pause_resource retires idle workers through one region; see
     * Note [Retiring workers]. */
    if (self->retiring) {
      HSOMP_OMPT(thread_end(self));
      worker_retire(self);
      return NULL;
    }
  }
  return NULL;
}

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

/* Starts worker_main(w) on a detached thread with a stack of `stacksize`
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
  struct hsomp_thread *rec;
  unsigned index;
  _Atomic uint32_t refs;
  bool newcomer_dock;       /* park on the newcomers' dock (Note [Docks for big teams]) */
  struct worker_boot *next; /* the spawning thread's list (pool_reserve) */
};

static void boot_release(struct worker_boot *b) {
  if (atomic_fetch_sub_explicit(&b->refs, 1, memory_order_acq_rel) == 1)
    free(b);
}

static void *worker_boot_main(void *arg) {
  struct worker_boot *b = arg;
  struct hsomp_thread *w = b->rec ? b->rec : hsomp_thread_new();
  w->is_worker = true;
  if (b->newcomer_dock)
    atomic_store_explicit(&w->parked_on, &newcomers.ww, memory_order_relaxed);
  w->index = b->index;
  /* A new worker waits for its first region (Note [A crowded process]);
   * in a crowded process it sleeps at once: its master is still starting
   * the others (Note [Starting many workers at once]). */
  unsigned long workers = (unsigned long)w->index + 1;
  w->idle_spins = workers > HSOMP_CROWDED_PER_CPU * (unsigned long)hsomp_settings.ncpus
                      ? 0
                      : hsomp_spin_budget(workers);
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

/* Starts a worker thread; its boot record, or NULL if no thread could
 * be created.  spawn_finish collects the worker's record. */
static struct worker_boot *spawn_start(bool newcomer_dock) {
  hsomp_fork_handlers_register(); /* Note [Registering the fork handler] (fork.c) */
  /* Note [Records touched first by their workers] */
  struct worker_boot *w = calloc(1, sizeof *w);
  if (!w)
    hsomp_fatal("out of memory starting a worker");
  w->index = atomic_fetch_add_explicit(&next_worker_index, 1, memory_order_relaxed);
  atomic_init(&w->refs, 2);
  w->newcomer_dock = newcomer_dock;
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
 * looks most records are there.  The wait for one that is not spins as an uncrowded wait (which
 * sleeps early in a crowded process), or only a few rounds when the
 * threads being started crowd the CPUs themselves. */
static void pool_reserve(struct hsomp_thread *self, unsigned n) {
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
  bool newcomer_dock = docks_workers(n - self->pool_len + 1);
  while (self->pool_len + started < n) {
    struct worker_boot *w = spawn_start(newcomer_dock);
    if (!w)
      break;
    *last = w;
    last = &w->next;
    started++;
  }
  /* Spin as a team of these threads would; a crowded wait sleeps after
   * its first rounds (hsomp_spin_slow). */
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
 * (Note [Worker life cycle]): a master that hires one fills its fields in
 * before it bumps `go`, as this master would have. */
static void pool_release_unused(struct hsomp_thread *self) {
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
static unsigned clamp_to_available_workers(struct hsomp_thread *self, unsigned nthreads) {
  /* A master that starts a nested region while its outer team runs
   * uses its pool as a stack: the outer team's workers are the first
   * pool_in_use entries, the nested team's come after them.  (No RTS
   * under the process's limits: no worker, rts_limits.c.) */
  if (HSOMP_LIKELY(hsomp_rts_ensure(boot_capabilities())))
    pool_reserve(self, self->pool_in_use + nthreads - 1);
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
/* Retiring workers (omp_pause_resource, pause.c).                      */

/* The body of the retiring region, run by each worker in it. */
static void mark_retiring(void *arg) {
  (void)arg;
  hsomp_self()->retiring = true;
}

/* Note [Retiring workers]
 * The workers to retire are the idle ones of the caller's pool: entries
 * pool_in_use..pool_len-1 (the first pool_in_use serve teams the caller
 * is running right now, when it pauses from inside a target region).  We
 * run one region with exactly those workers, through the ordinary
 * fork/join, whose body marks the worker `retiring`; the worker joins as
 * usual and then, seeing its mark, leaves its loop instead of waiting for
 * the next region (worker_main calls worker_retire).
 * The mark must be set by the worker itself inside that region: set by
 * the master beforehand, a worker still finishing the previous region
 * (it has joined, so the master went on) could see it too early and
 * leave without taking part in the retiring region, which would then
 * never be joined.  Once joined, the caller drops the workers from its
 * pool.  A worker that hired workers of its own (it was the master of
 * nested regions) retires those first.
 *
 * Who frees a retired worker's hsomp_thread: both sides use it until
 * their own end of the region -- the master may still be waking the
 * worker in hsomp_team_begin (reading its start word's sleepers) while the worker
 * has already run the body, joined and begun to retire.  So the state
 * has two owners (retire_refs = 2, set before the region), each drops
 * one when it is done with it, and the last one frees it. */
static void drop_retired(struct hsomp_thread *w) {
  if (atomic_fetch_sub_explicit(&w->retire_refs, 1, memory_order_acq_rel) == 1)
    free(w);
}

void hsomp_pool_retire_idle(struct hsomp_thread *self) {
  unsigned idle = self->pool_len - self->pool_in_use;
  if (idle == 0)
    return;
  for (unsigned i = self->pool_in_use; i < self->pool_len; i++)
    atomic_store_explicit(&self->pool[i]->retire_refs, 2, memory_order_relaxed);
  /* The master does not run the body: it only starts and joins. */
  hsomp_team_begin(mark_retiring, NULL, idle + 1, 0, NULL, NULL);
  hsomp_team_end();
  for (unsigned i = self->pool_in_use; i < self->pool_len; i++)
    drop_retired(self->pool[i]);
  self->pool_len = self->pool_in_use;
}

static void worker_retire(struct hsomp_thread *self) {
  hsomp_pool_retire_idle(self);
  hsomp_thread_release_caches(self);
  free(self->pool);
  if (self->cached_team) {
    free(self->cached_team->members);
    free(self->cached_team);
  }
  hsomp_tls = NULL;
  hsomp_rts_unbind_worker();
  drop_retired(self);
}

/* ------------------------------------------------------------------ */
/* Teams.                                                               */

static struct hsomp_team *team_get(struct hsomp_thread *self, unsigned nthreads) {
  struct hsomp_team *team = self->cached_team;
  self->cached_team = NULL;
  if (!team)
    team = hsomp_free_team_take();
  if (!team) {
    static _Atomic uint32_t last_serial;
    team = hsomp_xcalloc_aligned(sizeof *team);
    team->serial = atomic_fetch_add_explicit(&last_serial, 1, memory_order_relaxed) + 1;
    for (unsigned i = 0; i < HSOMP_WS_RING; i++)
      atomic_store_explicit(&team->ws[i].index, i, memory_order_relaxed);
  }
  if (team->capacity < nthreads) {
    free(team->members);
    team->members = calloc(nthreads, sizeof *team->members);
    if (!team->members)
      hsomp_fatal("out of memory allocating a team of %u threads", nthreads);
    team->capacity = nthreads;
  }
  return team;
}

/* Only called once every worker has joined: nobody else uses the team. */
static void team_put(struct hsomp_thread *self, struct hsomp_team *team) {
  /* Work-share slots are left in a consistent state by their last user
   * (Note [Work-share ring]); rewind their indices for the next region. */
  for (unsigned i = 0; i < HSOMP_WS_RING; i++)
    atomic_store_explicit(&team->ws[i].index, i, memory_order_relaxed);
  if (!self->cached_team) {
    self->cached_team = team;
    return;
  }
  hsomp_free_team_put(team);
}

/* Note [Contention groups]
 * OMP_THREAD_LIMIT, and the thread_limit of teams and target constructs,
 * bound the threads of a contention group: an initial thread (the
 * program's, a target region's, one team of a league) and every thread of
 * the teams nested in it.  As in libgomp (gomp_resolve_num_threads), the
 * group counts its busy threads; here the counter lives in the group's
 * top-level team (group_busy_count), which outlives every team nested in it, and
 * nested teams point at it (group_busy).  A thread starting a nested team
 * reserves threads with a compare-and-swap, at most limit - busy + 1 (it
 * is busy itself already), and the team gives them back when it ends;
 * the team's members have joined by then, so the count never falls below
 * the threads really running.  The reservation reaches the team through
 * the starting thread's group_reserving: a team started without
 * hsomp_resolve_nthreads (pause.c's, a league's runners) reserves
 * nothing.  With no limit (UINT_MAX, the default) nothing is counted. */

/* libgomp's gomp_resolve_num_threads. */
unsigned hsomp_resolve_nthreads(struct hsomp_thread *self, unsigned requested) {
  struct hsomp_icv *icv = &self->icv;
  if (requested == 1)
    return 1;
  if (self->ts.active_level >= icv->max_active_levels_var)
    return 1;
  unsigned long n = requested ? requested : icv->nthreads_var;
  if (icv->dyn_var && n > hsomp_settings.ncpus)
    n = hsomp_settings.ncpus;
  if (icv->dyn_var && n > 1) { /* Note [Crowded CPUs]: the master's CPU is its own */
    unsigned free_cpus = hsomp_crowd_free_cpus() + (self->ts.team ? 1 : 0);
    if (n > free_cpus)
      n = free_cpus;
  }
  if (n > 0xFFFFu)
    n = 0xFFFFu; /* a sane bound on one team; see README "Limits" */
  if (n <= 1)
    return 1;
  unsigned long limit = icv->thread_limit_var;
  if (HSOMP_LIKELY(limit == UINT_MAX))
    return (unsigned)n;
  if (!self->ts.team) /* the group is this thread alone */
    return (unsigned)(n > limit ? limit : n);
  _Atomic unsigned long *busy = self->ts.team->group_busy;
  unsigned long seen = atomic_load_explicit(busy, memory_order_relaxed);
  unsigned long take;
  do {
    unsigned long room = seen < limit ? limit - seen + 1 : 1;
    take = n < room ? n : room;
  } while (!atomic_compare_exchange_weak_explicit(busy, &seen, seen + take - 1,
                                                  memory_order_relaxed, memory_order_relaxed));
  self->group_reserving = take - 1;
  return (unsigned)take;
}

/* Note [A crowded process]
 * How long a wait spins depends on whether the threads it waits for have
 * CPUs of their own (Note [Spin budget], wait.c), and that is a matter of
 * every team running in the process, not of the waiter's team alone:
 * 16-deep nesting with teams of 2 runs 2^16 threads, every team of them
 * "fitting" 2 CPUs, and each spun its full budget with a yield every few
 * rounds -- 40 s for 13 levels where libgomp took 1.4 s.  So the budget of
 * a new team comes from the number of threads in all running regions
 * (crowd.c's count, Note [Crowded CPUs]: each team adds its threads at
 * its start and takes them back at its end).  Far beyond
 * the CPUs (HSOMP_CROWDED_PER_CPU) even the throttled budget, where every
 * round yields, is too much: with 5000 threads on 2 CPUs a yield almost
 * never hands the CPU to the thread we wait for, and 100 yields per wait
 * per thread took 9 s for three regions (libgomp, which pauses its 100
 * rounds, 0.9 s), so such teams spin HSOMP_CROWDED_SPINS rounds and sleep.
 * And a nested team's master gives its idle workers back to the idle list
 * when its team ends in a crowded process, so that other masters hire them
 * instead of creating more: each master used to keep the workers it ever
 * hired, and 16-deep nesting wanted 2^16 threads at once, more than the
 * system's 32768 process ids (libgomp's nested threads exit after their
 * region).  Outside a crowded process a nested master keeps its workers
 * for its next region, as before.  The count is a relaxed hint. */

/* Note [Unchanged team fields]
 * Every member reads the team record's fields (nthreads, level, spins,
 * the barrier's tag, ...) when it starts a region.  A line the master
 * writes at every fork costs one transfer per member and region even
 * when the value stays the same, so team_begin writes a field only when
 * it changes: back-to-back regions of one team then leave those lines
 * shared in every member's cache. */
#define SET_IF_CHANGED(lhs, value)                                                              \
  do {                                                                                          \
    __typeof__(lhs) new_value_ = (value);                                                       \
    if ((lhs) != new_value_)                                                                    \
      (lhs) = new_value_;                                                                       \
  } while (0)

void hsomp_team_begin(void (*fn)(void *), void *data, unsigned nthreads, unsigned flags,
                      hsomp_ws_init_fn ws_init, const void *ws_arg) {
  struct hsomp_thread *self = hsomp_self();
  if (nthreads > 1)
    nthreads = clamp_to_available_workers(self, nthreads);
  struct hsomp_team *team = team_get(self, nthreads);
  /* Note [Unchanged team fields]: the fields the members read are
   * written only when they change. */
  SET_IF_CHANGED(team->nthreads, nthreads);
  if (memcmp(&team->parent, &self->ts, sizeof self->ts) != 0)
    team->parent = self->ts;
  if (memcmp(&team->parent_icv, &self->icv, sizeof self->icv) != 0)
    team->parent_icv = self->icv;
  SET_IF_CHANGED(team->level, self->ts.level + 1);
  SET_IF_CHANGED(team->active_level, self->ts.active_level + (nthreads > 1));
  /* Note [Crowded CPUs] (crowd.c), Note [A crowded process]: the master
   * is counted already when it runs in a team itself. */
  SET_IF_CHANGED(team->threads_in_regions,
                 hsomp_crowd_enter(self->ts.team ? nthreads - 1 : nthreads));
  SET_IF_CHANGED(team->spins, hsomp_spin_budget(team->threads_in_regions));
  /* Note [Keeping threads spread] (spin.c): only teams that fit the
   * CPUs, and no place list. */
  SET_IF_CHANGED(team->master_cpu, nthreads > 1 && team->spins >= HSOMP_SPIN_YIELD_ALWAYS_BELOW &&
                                           !hsomp_settings.places
                                       ? hsomp_os_cpu()
                                       : -1);
  hsomp_note_cpu(self, team->master_cpu);
  if (atomic_load_explicit(&team->woke_sleepers, memory_order_relaxed))
    atomic_store_explicit(&team->woke_sleepers, false, memory_order_relaxed);
  atomic_store_explicit(&team->single_count, 0, memory_order_relaxed);
  if (atomic_load_explicit(&team->joined, memory_order_relaxed))
    atomic_store_explicit(&team->joined, 0, memory_order_relaxed);
  hsomp_barrier_init(&team->barrier);
  /* Note [Contention groups] */
  if (self->ts.team) {
    SET_IF_CHANGED(team->group_busy, self->ts.team->group_busy);
    SET_IF_CHANGED(team->group_reserved, self->group_reserving);
    self->group_reserving = 0;
  } else {
    SET_IF_CHANGED(team->group_busy, &team->group_busy_count);
    if (atomic_load_explicit(&team->group_busy_count, memory_order_relaxed) != nthreads)
      atomic_store_explicit(&team->group_busy_count, nthreads, memory_order_relaxed);
    SET_IF_CHANGED(team->group_reserved, 0);
  }
  SET_IF_CHANGED(team->members[0], self);
  /* Combined constructs (GOMP_parallel_loop_*, GOMP_parallel_sections)
   * hand the team its first work share ready-made: the threads go
   * straight to GOMP_loop_*_next without a *_start call. */
  SET_IF_CHANGED(team->first_ws_ready, ws_init != NULL);
  if (ws_init) {
    struct hsomp_work_share *ws = &team->ws[0];
    ws_init(ws, nthreads, ws_arg);
    atomic_store_explicit(&ws->state.value, 2, memory_order_relaxed);
  }

  /* The implicit tasks' ICVs: the parent's, with the next entries of the
   * OMP_NUM_THREADS and OMP_PROC_BIND lists (OpenMP 5.1, 2.6.1). */
  struct hsomp_icv icv = self->icv;
  if (team->level < hsomp_settings.nthreads_list_len)
    icv.nthreads_var = hsomp_settings.nthreads_list[team->level];
  /* A proc_bind clause sets bind-var, unless binding is off (false);
   * a list entry for the level takes precedence (libgomp's team start). */
  if (icv.bind_var != HSOMP_BIND_FALSE && (flags & 7) != HSOMP_BIND_FALSE)
    icv.bind_var = (int)(flags & 7);
  if (team->level < hsomp_settings.bind_list_len)
    icv.bind_var = hsomp_settings.bind_list[team->level];
  /* The places of the members under the proc_bind policy,
   * when a place list is in use (affinity.c). */
  struct hsomp_placement placement;
  hsomp_placement_begin(&placement, self, nthreads, flags & 7, &icv);
  HSOMP_OMPT(parallel_begin(self, team, nthreads));

  if (nthreads > 1) {
    /* Every member is in members[] before any starts: the tree barrier
     * reads its children's records from there (Note [Tree barrier]). */
    for (unsigned i = 1; i < nthreads; i++)
      SET_IF_CHANGED(team->members[i], self->pool[self->pool_in_use + i - 1]);
    /* host-abi: with a place list, each member's place and partition. */
    SET_IF_CHANGED(team->placed, placement.active);
    if (HSOMP_UNLIKELY(placement.active))
      for (unsigned i = 1; i < nthreads; i++) {
        struct hsomp_thread *w = team->members[i];
        w->start_icv = icv;
        hsomp_placement_assign(&placement, i, w);
      }
    fork_children(team, 0, team->barrier.tag, fn, data, &icv); /* Note [Tree fork] */
    self->pool_in_use += nthreads - 1;
  }
  self->icv = icv;
  self->ts = (struct hsomp_team_state){
      .team = team,
      .team_id = 0,
      .bar_tag = team->barrier.tag,
      .level = team->level,
      .active_level = team->active_level,
  };
  hsomp_team_state_enter_first_ws(&self->ts);
  if (team->master_cpu >= 0) /* claim the CPU as a member (Note [Who ran on a CPU last]) */
    hsomp_note_cpu(self, team->master_cpu);
  if (HSOMP_UNLIKELY(hsomp_settings.display_affinity))
    hsomp_affinity_display_changes(self);
  HSOMP_OMPT(implicit_task_begin(self));
}

/* ------------------------------------------------------------------ */
/* The join.                                                            */

/* Note [Region end with tasks]
 * A region ends when every implicit task has finished and every task of
 * the team is done.  Without tasks (team->tasks_used still false when a
 * worker finishes) a worker just joins (Note [Tree join]) and goes back
 * to its pool.  Once tasks were made, a finishing thread first waits
 * until its own implicit task's descendants are done ("settles"), running
 * any of the team's tasks meanwhile; a worker then counts itself in
 * `helpers', joins, and keeps running tasks until everybody has settled
 * (the master has seen everyone join and set `joined' to nthreads - 1, and
 * master_settled), when no task can be left anywhere: every task descends
 * from some implicit task, and a settled thread's implicit task cannot
 * make new ones.  The master settles, waits for the join, then for the
 * helpers to leave, and only then resets the team's tasking state.  Every
 * wait here runs tasks through the tasking hook, hsomp_task_help_until.
 *
 * A worker that saw tasks_used == false had made no task itself, so it has
 * nothing to settle; it merely does not help.  If the master saw false
 * but a worker set it later, the master notices after the join is
 * complete (the worker set it before joining) and settles then.
 *
 * Note [Tree join]
 * The join is the gather half of the tree barrier (hsomp_barrier_gather):
 * a thread waits until its children have joined, then stores its own
 * `bar_arrived'; the master's gather completes when every worker has
 * joined.  No counter every worker RMWs: the longest chain is about two
 * transfers per level of the tree.  A worker that has joined touches the
 * team only to wake its parent (the team record outlives the region), and
 * a worker never joins before its children, so the master's gather
 * completing means every worker has. */
static bool all_settled(void *arg) {
  struct hsomp_team *team = arg;
  return atomic_load_explicit(&team->joined, memory_order_seq_cst) == team->nthreads - 1 &&
         atomic_load_explicit(&team->master_settled, memory_order_seq_cst);
}
static bool helpers_gone(void *arg) {
  struct hsomp_team *team = arg;
  return atomic_load_explicit(&team->helpers, memory_order_seq_cst) == 0;
}

static void worker_join(struct hsomp_thread *self, struct hsomp_team *team) {
  HSOMP_ASSERT(self->ts.team == team && self->ts.team_id > 0 && team->members[self->ts.team_id] == self);
  if (!atomic_load_explicit(&team->tasks_used, memory_order_acquire)) {
    /* OMPT: before the gather, after which the team is not ours to read. */
    HSOMP_OMPT(join_end(self));
    hsomp_barrier_gather(self, team, team->spins);
    self->ts.team = NULL;
    return;
  }
  hsomp_task_help_until(self, team, true, NULL, NULL, team->spins);
  atomic_fetch_add_explicit(&team->helpers, 1, memory_order_seq_cst);
  hsomp_barrier_gather(self, team, team->spins);
  hsomp_task_help_until(self, team, false, all_settled, team, team->spins);
  HSOMP_OMPT(join_end(self));
  self->ts.team = NULL;
  atomic_fetch_sub_explicit(&team->helpers, 1, memory_order_seq_cst);
  hsomp_team_wake(team);
}

static void master_settle(struct hsomp_thread *self, struct hsomp_team *team, unsigned long spins) {
  hsomp_task_help_until(self, team, true, NULL, NULL, spins);
  atomic_store_explicit(&team->master_settled, true, memory_order_seq_cst);
  hsomp_team_wake(team);
}

/* Note [Cold joins]
 * Workers the master had to wake from their futex at the fork are slow
 * to come: waking an idle CPU of a virtual machine alone takes tens of
 * microseconds, and a busy machine may keep them off a CPU for longer.
 * A master that spins its whole budget at the join meanwhile burns CPU
 * time for nothing in a program that runs one short region now and then
 * (bench/idle.c).  So such a join spins only HSOMP_COLD_JOIN_SPINS
 * rounds, then sleeps until the last worker wakes it.  Regions whose
 * workers were awake (back to back regions) are not affected, nor any
 * wait inside a region. */
#define HSOMP_COLD_JOIN_SPINS 64

static void master_join(struct hsomp_thread *self, struct hsomp_team *team) {
  unsigned long spins = team->spins;
  if (atomic_load_explicit(&team->woke_sleepers, memory_order_relaxed) &&
      spins > HSOMP_COLD_JOIN_SPINS)
    spins = HSOMP_COLD_JOIN_SPINS;
  bool used = atomic_load_explicit(&team->tasks_used, memory_order_acquire);
  if (used)
    master_settle(self, team, spins);
  if (team->nthreads > 1)
    hsomp_barrier_gather(self, team, spins);
  if (!used && atomic_load_explicit(&team->tasks_used, memory_order_acquire)) {
    master_settle(self, team, spins);
    used = true;
  }
  if (used) {
    atomic_store_explicit(&team->joined, team->nthreads - 1, memory_order_seq_cst);
    hsomp_team_wake(team);
    if (!helpers_gone(team))
      hsomp_task_help_until(self, team, false, helpers_gone, team, spins);
    hsomp_task_region_end(team);
    atomic_store_explicit(&team->master_settled, false, memory_order_relaxed);
  }
  if (atomic_load_explicit(&team->ws_cancelled, memory_order_relaxed))
    atomic_store_explicit(&team->ws_cancelled, false, memory_order_relaxed);
}

void hsomp_team_end(void) {
  struct hsomp_thread *self = hsomp_self();
  struct hsomp_team *team = self->ts.team;
  /* Only the master of a region ends it. */
  HSOMP_ASSERT(team && self->ts.team_id == 0 && team->members[0] == self);
  unsigned nthreads = team->nthreads;
  HSOMP_OMPT(join_begin(self));
  master_join(self, team);
  HSOMP_OMPT(join_end(self));
  if (team->group_reserved) { /* Note [Contention groups] */
    HSOMP_ASSERT(atomic_load_explicit(team->group_busy, memory_order_relaxed) >= team->group_reserved);
    atomic_fetch_sub_explicit(team->group_busy, team->group_reserved, memory_order_relaxed);
  }
  if (nthreads > 1)
    self->pool_in_use -= nthreads - 1;
  unsigned busy = hsomp_crowd_leave(team->parent.team ? nthreads - 1 : nthreads);
  if (team->level > 1 && self->pool_len > self->pool_in_use &&
      busy > HSOMP_CROWDED_PER_CPU * hsomp_settings.ncpus)
    pool_release_unused(self); /* Note [A crowded process] */
  self->ts = team->parent;
  self->icv = team->parent_icv;
  HSOMP_OMPT(parallel_end(self, team));
  team_put(self, team);
}

void hsomp_parallel(void (*fn)(void *), void *data, unsigned nthreads, unsigned flags) {
  hsomp_team_begin(fn, data, nthreads, flags, NULL, NULL);
  fn(data);
  hsomp_team_end();
}

/* ------------------------------------------------------------------ */
/* Entry points (libgomp parallel.c).                                   */

void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned flags) {
  HSOMP_OMPT_CODEPTR();
  struct hsomp_thread *self = hsomp_self();
  hsomp_parallel(fn, data, hsomp_resolve_nthreads(self, num_threads), flags);
}

void GOMP_parallel_start(void (*fn)(void *), void *data, unsigned num_threads) {
  HSOMP_OMPT_CODEPTR();
  struct hsomp_thread *self = hsomp_self();
  hsomp_team_begin(fn, data, hsomp_resolve_nthreads(self, num_threads), 0, NULL, NULL);
}

void GOMP_parallel_end(void) { hsomp_team_end(); }

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
