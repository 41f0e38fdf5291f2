/* single.c -- the single construct: GOMP_single_start (no copyprivate) and
 * GOMP_single_copy_start/end (with copyprivate). */
#include "hsomp.h"
#include "ompt_internal.h"

/* Note [Single without a work share]
 * Every thread counts the single constructs it has met (ts.single_count);
 * the team counts the ones that have been claimed (team->single_count).
 * A thread at its k-th single tries to move the team count from k to k+1;
 * the one whose CAS succeeds runs the body.  The team count only ever goes
 * up by one, from k to k+1 exactly once, so exactly one thread wins each
 * construct.  A thread can never be ahead of the team count: when it
 * passed its single k-1, either it claimed it or someone had already
 * claimed it, so the count is at least k.  Nothing is released afterwards,
 * so any number of consecutive `nowait` singles needs no other state. */
bool GOMP_single_start(void) {
  struct hsomp_thread *self = hsomp_self();
  struct hsomp_team *team = self->ts.team;
  bool executor = true;
  if (team) {
    unsigned long mine = self->ts.single_count++;
    /* Look first: once the construct is claimed, the others only read. */
    executor = atomic_load_explicit(&team->single_count, memory_order_relaxed) == mine &&
               atomic_compare_exchange_strong_explicit(&team->single_count, &mine, mine + 1,
                                                       memory_order_relaxed, memory_order_relaxed);
  }
  HSOMP_OMPT(single(executor, HSOMP_OMPT_RA));
  return executor;
}

/* Note [Copyprivate protocol]
 * `single copyprivate (a, b)` compiles to
 *     p = GOMP_single_copy_start ();
 *     if (p == NULL) { body; fill a struct s with &a, &b; GOMP_single_copy_end (&s); }
 *     else { copy a, b from the struct at p; }
 *     GOMP_barrier ();
 * The first thread to claim the construct's work share runs the body (it
 * gets NULL); the others wait at the team barrier.  The executing thread
 * publishes the address of its struct in the work share before it joins
 * that barrier, so after it every other thread reads the address, copies
 * the values, and GCC's trailing GOMP_barrier keeps the executing thread's
 * struct (on its stack) alive until all copies are done.  The barrier
 * orders the write of `copyprivate` before the reads.  Every thread leaves
 * the work share once it no longer needs the record. */
void *GOMP_single_copy_start(void) {
  struct hsomp_thread *self = hsomp_self();
  if (hsomp_work_share_begin(self)) {
    hsomp_work_share_init_done(self);
    HSOMP_OMPT(work(ompt_work_single_executor, ompt_scope_begin, HSOMP_OMPT_RA));
    return NULL;
  }
  HSOMP_OMPT(single_copy_other(HSOMP_OMPT_RA));
  struct hsomp_team *team = self->ts.team;
  hsomp_barrier_wait(&team->barrier, team->nthreads, false);
  void *data = self->ts.ws->copyprivate;
  HSOMP_OMPT(sync(ompt_sync_region_barrier_implementation, ompt_scope_end, NULL));
  hsomp_work_share_end(self, true);
  return data;
}

void GOMP_single_copy_end(void *data) {
  HSOMP_OMPT(work(ompt_work_single_executor, ompt_scope_end, HSOMP_OMPT_RA));
  struct hsomp_thread *self = hsomp_self();
  struct hsomp_team *team = self->ts.team;
  if (team) {
    self->ts.ws->copyprivate = data;
    HSOMP_OMPT(sync(ompt_sync_region_barrier_implementation, ompt_scope_begin, NULL));
    hsomp_barrier_wait(&team->barrier, team->nthreads, false);
    HSOMP_OMPT(sync(ompt_sync_region_barrier_implementation, ompt_scope_end, NULL));
  }
  hsomp_work_share_end(self, true);
}
