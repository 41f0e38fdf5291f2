/* join.c -- the end of a parallel region: the join of the team's
 * threads (Note [Tree join]), the region's remaining tasks run through the
 * tasking hook (Note [Region end with tasks]), and the master's return to
 * the enclosing team (hsomp_team_end), giving the team record back for
 * reuse.  The fork is team.c's. */
#include "hsomp.h"
#include "ompt_internal.h"
#include "rts_glue.h"

#include <stdlib.h>

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
 * nothing to settle; it merely does not help -- once the master has
 * reached its join (Note [Workers stay for late tasks]).  If the master
 * saw false but a worker set it later, the master notices after the join
 * is complete (the worker set it before joining) and settles then.
 *
 * Note [Workers stay for late tasks]
 * `#pragma omp parallel' around `#pragma omp single' (or `master') that
 * makes the tasks: GCC drops the single's barrier, since the region's end
 * follows, so the workers come to the join at once, while the producer
 * has not made its first task yet.  A worker that then saw tasks_used ==
 * false and left would leave the producer to run the whole task tree
 * alone (the master's own join waits in a task-aware gather, a worker
 * that has gone does not come back).  So a worker that finds no task yet
 * waits, before it counts itself in the join (so the team cannot end
 * under it), until the master reaches its join (`master_joining') or a
 * task is made, then joins as above.  It spins the team's budget, then
 * sleeps on the team's event word (the first task's push wakes it, the
 * master's arrival too) -- unless the CPUs are crowded (Note [Crowded
 * CPUs], crowd.c): there a sleeping worker would cost the master a
 * wake-up at every join, and the next fork wakes it anyway, so it leaves
 * as before.  A task producer other than the master (a worker that won
 * the single) still finds the master's task-aware gather and the workers
 * that had not left before the master arrived.  The wait costs a region
 * without tasks, when a worker arrives first, the master's store and a
 * wake check and the worker's arrival one line transfer later; so it is
 * made only when the team's last region made tasks, or the team is new
 * (`tasks_unlikely', written by the master after the join, only when it
 * changes): a run of regions without tasks pays it once.
 *
 * Note [Workers that ran tasks on their way out]
 * A worker that saw tasks_used == false at its join still waits in the
 * gather for its children in the join's tree (a team that fits its CPUs:
 * branching 4, so members 1 and 2 of a team of 12 have children), and
 * that wait runs the team's tasks once some exist -- a producer other
 * than the master (`masked filter', a `single' won by a worker) may make
 * them meanwhile, and be one of the children waited for.  Such a worker
 * may so end its wait with tasks in its own deque: the children of a
 * task it ran that did not wait for them, or (in a big team) a task
 * handed to it, which its wait's end takes from its word and schedules
 * (Note [Offering tasks to waiting threads], task_handoff.c).  It used
 * to leave the team then, and a task in the deque of a thread that has
 * left is run only by a thread that steals it: the master's settling
 * does, but threads suspended in a taskwait for a descendant of it
 * sleep on `task_done' once they find nothing, and only a completion
 * (or the thread that queued the task, which runs what it queued) wakes
 * them, so a team whose remaining threads are all in such taskwaits
 * (the master's included) would wait for good.  (Found by reading, for
 * a hang of that shape -- a tree of tasks with taskwaits made by the last
 * member of a team of 12 -- whose cause was another, Note [A task not
 * handed goes back where it was] in task_handoff.c.)  So the gather is
 * split: a worker that did not have to wait for its children ran no
 * task (only that wait runs them) and arrives and leaves as before;
 * one that waited reads tasks_used again (seq_cst); if it is still false, it ran
 * no task and holds none (hsomp_task_find returns nothing while the flag
 * is false, a thread opens its hand-off word only in a look that found it
 * true, and the flag is never cleared before the region's end, which
 * waits for this worker's arrival), so it arrives and leaves as before.
 * If it is true, the worker counts itself in `helpers' before it
 * arrives (so the master, which reads `helpers' only after its gather is
 * complete, waits for it) and then helps as a worker that saw the flag
 * at once does, until all_settled: once every implicit task has settled
 * no task is left anywhere, so nothing remains in its deque or word when
 * it goes.  Its own implicit task made no task (it saw the flag false
 * after it ended), so it has nothing to settle.  A region without tasks
 * pays nothing more where no worker waits for children (teams of up to
 * 5 that fit their CPUs, every crowded team: the re-read, of a line the
 * master writes at its join, made EPCC's CONDITIONAL_TASK 1-2 ns per
 * task slower at 2 threads), else that one read per waiting worker.
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
static bool master_joining_or_tasks(void *arg) {
  struct hsomp_team *team = arg;
  return atomic_load_explicit(&team->tasks_used, memory_order_seq_cst) ||
         atomic_load_explicit(&team->master_joining, memory_order_seq_cst);
}
static bool helpers_gone(void *arg) {
  struct hsomp_team *team = arg;
  return atomic_load_explicit(&team->helpers, memory_order_seq_cst) == 0;
}

void hsomp_join_worker(struct hsomp_thread *self, struct hsomp_team *team) {
  HSOMP_ASSERT(self->ts.team == team && self->ts.team_id > 0 && team->members[self->ts.team_id] == self);
  if (!atomic_load_explicit(&team->tasks_unlikely, memory_order_relaxed) &&
      !master_joining_or_tasks(team)) { /* Note [Workers stay for late tasks] */
    struct hsomp_spin s = hsomp_spin_of(self, team, team->spins);
    struct hsomp_until u = {.done = master_joining_or_tasks, .arg = team};
    if (!hsomp_spin_until(&s, &u) && !hsomp_crowded_with(team->threads_in_regions))
      hsomp_task_help_until(self, team, false, master_joining_or_tasks, team, 0);
  }
  if (!atomic_load_explicit(&team->tasks_used, memory_order_acquire)) {
    bool waited = hsomp_barrier_gather_children(self, team, team->spins);
    /* Note [Workers that ran tasks on their way out] */
    if (!waited || !atomic_load_explicit(&team->tasks_used, memory_order_seq_cst)) {
      /* OMPT: before the arrival, after which the team is not ours to read. */
      HSOMP_OMPT(join_end(self));
      hsomp_barrier_gather_arrive(self, team);
      self->ts.team = NULL;
      return;
    }
    atomic_fetch_add_explicit(&team->helpers, 1, memory_order_seq_cst);
    hsomp_barrier_gather_arrive(self, team);
  } else {
    hsomp_task_help_until(self, team, true, NULL, NULL, team->spins);
    atomic_fetch_add_explicit(&team->helpers, 1, memory_order_seq_cst);
    hsomp_barrier_gather(self, team, team->spins);
  }
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
  /* Note [Workers stay for late tasks] */
  bool stay = team->nthreads > 1 && !atomic_load_explicit(&team->tasks_unlikely, memory_order_relaxed);
  if (stay) {
    atomic_store_explicit(&team->master_joining, true, memory_order_seq_cst);
    hsomp_team_wake(team);
  }
  bool used = atomic_load_explicit(&team->tasks_used, memory_order_acquire);
  if (used)
    master_settle(self, team, spins);
  if (team->nthreads > 1)
    hsomp_barrier_gather(self, team, spins);
  /* Every worker has joined: none reads these two any more. */
  if (stay)
    atomic_store_explicit(&team->master_joining, false, memory_order_relaxed);
  if (!used && atomic_load_explicit(&team->tasks_used, memory_order_acquire)) {
    master_settle(self, team, spins);
    used = true;
  }
  if (atomic_load_explicit(&team->tasks_unlikely, memory_order_relaxed) == used)
    atomic_store_explicit(&team->tasks_unlikely, !used, memory_order_relaxed);
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
  if (team->group_reserved) { /* Note [Contention groups] (team.c) */
    HSOMP_ASSERT(atomic_load_explicit(team->group_busy, memory_order_relaxed) >= team->group_reserved);
    atomic_fetch_sub_explicit(team->group_busy, team->group_reserved, memory_order_relaxed);
  }
  if (nthreads > 1)
    self->pool_in_use -= nthreads - 1;
  unsigned busy = hsomp_crowd_leave(team->parent.team ? nthreads - 1 : nthreads);
  if (team->level > 1 && self->pool_len > self->pool_in_use &&
      busy > HSOMP_CROWDED_PER_CPU * hsomp_settings.ncpus)
    hsomp_pool_release_unused(self); /* Note [A crowded process] (team.c) */
  self->ts = team->parent;
  self->icv = team->parent_icv;
  HSOMP_OMPT(parallel_end(self, team));
  team_put(self, team);
  if (!self->ts.team) /* the caller may be about to return to Haskell */
    hsomp_rts_hand_back_capability();
}
