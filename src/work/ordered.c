/* ordered.c -- the ordered construct in loops with an `ordered` clause
 * (GOMP_ordered_start/end), and the progress waits that ordered and
 * doacross loops share. */
#include "iter.h"
#include "ompt_internal.h"

#include <limits.h>

/* Note [Ordered by position]
 * Every chunk of a loop is a range [lo, hi) of logical iterations, and the
 * chunks partition 0..count-1 whatever the schedule.  The work share keeps
 * `ordered_pos`: every iteration below it has finished its ordered region
 * (or never will run one).  A thread holding the chunk [lo, hi) may run
 * its ordered regions once ordered_pos == lo; since it runs its own
 * iterations in order, the regions of the whole loop then run in
 * iteration order.  When it gives the chunk up (asking for the next one,
 * or at the end of the loop), it waits for ordered_pos == lo, if it has not
 * already, and moves it to hi, which lets the holder of the next chunk in.
 * Nothing depends on which thread got which chunk or when, so the
 * dynamic and guided claims stay lock-free; only the hand-over is
 * sequential, as ordered demands.  A holder never waits for a later chunk,
 * and every earlier chunk was claimed by a running thread that will give
 * it up, so the chain cannot deadlock.
 *
 * A chunk of a single iteration can hand over at GOMP_ordered_end already:
 * an iteration runs at most one ordered region (OpenMP 5.1, 2.19.9), so
 * the next chunk's region need not wait for the rest of this iteration.
 * (libgomp always holds the chunk until the thread asks for the next.) */

void hsomp_ordered_reset(struct hsomp_work_share *ws) {
  atomic_store_explicit(&ws->ordered_pos, 0, memory_order_relaxed);
}

void hsomp_ordered_hold(struct hsomp_thread *self, uint64_t lo, uint64_t hi) {
  self->ts.ordered_lo = lo;
  self->ts.ordered_hi = hi;
  self->ts.ordered_held = true;
}

struct position_wait {
  struct hsomp_work_share *ws;
  uint64_t lo;
};

static bool position_reached(void *arg) {
  const struct position_wait *w = arg;
  return atomic_load_explicit(&w->ws->ordered_pos, memory_order_seq_cst) >= w->lo;
}

static void wait_for_turn(struct hsomp_thread *self) {
  struct position_wait w = {self->ts.ws, self->ts.ordered_lo};
  if (HSOMP_LIKELY(atomic_load_explicit(&w.ws->ordered_pos, memory_order_acquire) >= w.lo))
    return;
  hsomp_progress_wait(self, w.ws, position_reached, &w);
}

void hsomp_ordered_release(struct hsomp_thread *self) {
  if (!self->ts.ordered_held)
    return;
  wait_for_turn(self);
  self->ts.ordered_held = false;
  struct hsomp_work_share *ws = self->ts.ws;
  atomic_store_explicit(&ws->ordered_pos, self->ts.ordered_hi, memory_order_seq_cst);
  hsomp_progress_notify(ws);
}

void GOMP_ordered_start(void) {
  struct hsomp_thread *self = hsomp_self();
  /* Not in a chunk of an ordered loop (an orphaned ordered, or a
   * non-conforming second region in one iteration): nothing to order. */
  HSOMP_OMPT(mutex_acquire(ompt_mutex_ordered, 0, self->ts.ws, HSOMP_OMPT_RA));
  if (self->ts.ordered_held)
    wait_for_turn(self);
  HSOMP_OMPT(mutex_acquired(ompt_mutex_ordered, self->ts.ws, HSOMP_OMPT_RA));
}

void GOMP_ordered_end(void) {
  struct hsomp_thread *self = hsomp_self();
  if (self->ts.ordered_held && self->ts.ordered_hi - self->ts.ordered_lo == 1)
    hsomp_ordered_release(self);
  HSOMP_OMPT(mutex_released(ompt_mutex_ordered, self->ts.ws, HSOMP_OMPT_RA));
}

/* ------------------------------------------------------------------ */
/* Waiting for other threads' progress.                                 */

/* Note [Progress waits]
 * Ordered hand-overs and doacross posts publish a 64-bit word that
 * waiters compare against (`ready`).  Waiters spin for the team's budget,
 * then sleep on the work share's wait word `progress' (Note [Sleeping
 * without lost wake-ups], wait.h).  A publisher stores its word with
 * seq_cst order and, only if someone sleeps, bumps the wait word and
 * wakes everyone.  So the common case, nobody asleep, costs the publisher
 * one load. */
void hsomp_progress_wait(struct hsomp_thread *self, struct hsomp_work_share *ws,
                         bool (*ready)(void *), void *arg) {
  struct hsomp_team *team = self->ts.team;
  struct hsomp_spin spin = hsomp_spin_of(self, team, team ? team->spins : 0);
  struct hsomp_until u = {.done = ready, .arg = arg};
  hsomp_wait_until(&ws->progress, &spin, &u);
}

void hsomp_progress_notify(struct hsomp_work_share *ws) { hsomp_wake_bump(&ws->progress); }
