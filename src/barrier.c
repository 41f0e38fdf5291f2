/* barrier.c -- the team barrier: GOMP_barrier, GOMP_barrier_cancel, and
 * hsomp_barrier_wait for the barriers of worksharing constructs.
 *
 * Owns the centralised counter barrier every team uses, its cancellation,
 * and its task-awareness: a barrier completes only when every task of
 * the team is done, and waiting threads run those tasks.  The algorithm
 * is private to this file, so it can be swapped for a tree or
 * dissemination barrier for large teams without touching callers. */
#include "hsomp.h"

#include <stddef.h>

/* Every barrier is a team's (hsomp.h: struct hsomp_team::barrier). */
static struct hsomp_team *barrier_team(struct hsomp_barrier *b) {
  return (struct hsomp_team *)((char *)b - offsetof(struct hsomp_team, barrier));
}

void hsomp_barrier_init(struct hsomp_barrier *b) {
  atomic_store_explicit(&b->arrived, 0, memory_order_relaxed);
  atomic_store_explicit(&b->cancelled, false, memory_order_relaxed);
  /* generation keeps counting across uses; only its changes matter. */
}

/* Note [Task-aware barrier]
 * A thread arriving at the barrier first waits until the descendants of
 * its own implicit task are done (Note [Task records]: its record's live
 * count is back to 1), running tasks of the team meanwhile -- any of
 * them, a barrier imposes no scheduling constraint.  Only then does it
 * count itself in `arrived', and it keeps running tasks while it waits for
 * the others.  When the last thread arrives every implicit task's
 * descendants are done and no implicit task can create more (they are
 * all at the barrier), so no task of the team is left: the barrier may
 * complete.  Without tasks the first step is one load.
 *
 * Note [Why the barrier cannot deadlock or mix phases]
 * Each thread reads the generation before it arrives.  The generation can
 * only move once all `nthreads' threads of this phase have arrived, so the
 * value read is the current phase's.  The last arriver resets `arrived'
 * *before* it publishes the new generation with release order; a thread
 * that sees the new generation (acquire) and races ahead into the next
 * phase therefore increments an already-reset counter.  Waiters sleep on
 * the team's event word (Note [Waiting for tasks] in task.c), which
 * the last arriver bumps after publishing the generation.  The barrier
 * reaches tasking only through hsomp_task_help_until (hsomp.h), which
 * runs the team's tasks while it waits.
 *
 * Cancellation (GOMP_cancel for parallel) sets `cancelled' and wakes every
 * sleeper; cancellable waits then return true at once, leaving the count
 * as it is: the threads head for the end of the region, which does not use
 * this barrier, and the next region re-initialises it. */
struct phase {
  struct hsomp_barrier *b;
  uint32_t gen;
  bool cancellable;
};

static bool cancelled(const struct phase *p) {
  return p->cancellable && atomic_load_explicit(&p->b->cancelled, memory_order_seq_cst);
}

static bool cancelled_arg(void *arg) { return cancelled(arg); }

static bool phase_over(void *arg) {
  struct phase *p = arg;
  return atomic_load_explicit(&p->b->generation, memory_order_seq_cst) != p->gen || cancelled(p);
}

bool hsomp_barrier_wait(struct hsomp_barrier *b, unsigned nthreads, bool cancellable) {
  struct hsomp_team *team = barrier_team(b);
  struct hsomp_thread *self = hsomp_self();
  struct phase p = {b, 0, cancellable};
  if (cancelled(&p))
    return true;
  /* Note [Task-aware barrier]: settle first. */
  hsomp_task_help_until(self, team, true, cancelled_arg, &p, team->spins);
  if (cancelled(&p))
    return true;
  if (nthreads <= 1)
    return cancelled(&p);
  /* Where we run, for the team mates' waits (Note [Keeping threads
   * spread], spin.c). */
  if (team->master_cpu >= 0)
    atomic_store_explicit(&self->cpu, hsomp_os_cpu(), memory_order_relaxed);
  p.gen = atomic_load_explicit(&b->generation, memory_order_acquire);
  uint32_t arrived = atomic_fetch_add_explicit(&b->arrived, 1, memory_order_acq_rel);
  HSOMP_ASSERT(arrived < nthreads); /* Note [Why the barrier cannot deadlock or mix phases] */
  if (arrived == nthreads - 1) {
    atomic_store_explicit(&b->arrived, 0, memory_order_relaxed);
    if (atomic_load_explicit(&team->ws_cancelled, memory_order_relaxed))
      atomic_store_explicit(&team->ws_cancelled, false, memory_order_relaxed);
    atomic_store_explicit(&b->generation, p.gen + 1, memory_order_seq_cst);
    hsomp_team_wake(team);
  } else {
    hsomp_task_help_until(self, team, false, phase_over, &p, team->spins);
  }
  return cancelled(&p);
}

void hsomp_barrier_cancel(struct hsomp_barrier *b) {
  atomic_store_explicit(&b->cancelled, true, memory_order_seq_cst);
  hsomp_team_wake(barrier_team(b));
}

void GOMP_barrier(void) {
  struct hsomp_team *team = hsomp_self()->ts.team;
  if (team)
    hsomp_barrier_wait(&team->barrier, team->nthreads, false);
}

bool GOMP_barrier_cancel(void) {
  struct hsomp_team *team = hsomp_self()->ts.team;
  if (!team)
    return false;
  return hsomp_barrier_wait(&team->barrier, team->nthreads, true);
}
