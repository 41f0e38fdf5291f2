/* team.c -- workers and teams: the fork of a parallel region.
 *
 * Owns: the worker loop (a pool worker waits for a region, starts its
 * children in the fork tree, runs the region, joins, and retires when
 * told to), team objects, the contention groups' thread counts, and the
 * start of a team (hsomp_team_begin; GOMP_parallel, GOMP_parallel_start/
 * end).  Hiring workers and starting their threads is pool.c's, the join
 * and the region's end join.c's, the thread records thread.c's.  Worker w
 * is bound to GHC Capability w mod nCaps (see rts_glue.c) and runs C code
 * holding none. */
#include "hsomp.h"
#include "ompt_internal.h"
#include "rts_glue.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
 * (Note [Cold joins], join.c). */

/* Note [Docks for big teams]
 * A parked worker sleeps on its own `start' word, and its forker wakes
 * it there: one FUTEX_WAKE per sleeping child.  In a team larger than
 * the CPUs the master forks every worker itself (one level, Note [Tree
 * barrier]), and thousands of wake-ups, one system call each, made the
 * fork a chain in which every woken worker could preempt the master on
 * its CPU (libgomp wakes a whole team with one call).  So a worker
 * whose last team was big (docks_workers) parks on that team's dock
 * instead: a wait word in a static table, chosen by the team's serial
 * number, so it never goes away under a sleeper (team records are
 * reused and freed).  Its
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
 * `newcomers' dock until their first region (hsomp_pool_hire's
 * first_park; Note [Starting many workers at once], pool.c), so the
 * first region of a big team is one wake-up too.  (A child of fork()
 * inherits the parent's sleeper counts on the docks: its wake-ups there
 * may make a needless system call, nothing worse.) */
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
     * never touches the team (Note [Region end with tasks], join.c). */
    self->idle_spins = spins;
    HSOMP_OMPT(join_begin(self));
    hsomp_join_worker(self, team);
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
 * CPUs of their own (Note [Spin budget], spin.c), and that is a matter of
 * every team running in the process, not of the waiter's team alone:
 * 16-deep nesting with teams of 2 runs 2^16 threads, every team of them
 * "fitting" 2 CPUs, and each would spin its full budget with a yield every
 * few rounds.  So the budget of a new team comes from the number of
 * threads in all running regions (crowd.c's count, Note [Crowded CPUs]:
 * each team adds its threads at its start and takes them back at its
 * end).  Far beyond the CPUs (HSOMP_CROWDED_PER_CPU) even the throttled
 * budget, where every round yields, is too much: with thousands of threads
 * per CPU a yield almost never hands the CPU to the thread we wait for, so
 * such teams spin HSOMP_CROWDED_SPINS rounds and sleep.  And a nested
 * team's master gives its idle workers back to the idle list when its team
 * ends in a crowded process, so that other masters hire them instead of
 * creating more: a master that kept every worker it ever hired would make
 * 16-deep nesting want 2^16 threads at once, more than a system's process
 * ids may allow (libgomp's nested threads exit after their region).
 * Outside a crowded process a nested master keeps its workers for its next
 * region.  The count is a relaxed hint.  Measurements: README "Big and
 * deep teams" and bench/crowded.c. */

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
    nthreads = hsomp_pool_hire(self, nthreads, worker_main,
                               docks_workers(nthreads) ? &newcomers.ww : NULL);
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
    /* With a place list, each member's place and partition. */
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
  if (!self->ts.team) /* a host thread's outermost region */
    hsomp_rts_host_region_begin();
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
