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
 * so any number of consecutive `nowait` singles needs no other state.
 * Singles right after a barrier do not take part: see the next Note.
 *
 * Note [Single right after a barrier]
 * The first single a thread meets after a barrier (or in its region, when
 * there has been no barrier yet; `nowait` loops between do not matter) is
 * run by thread 0, and nobody touches a shared word for it; the later
 * singles before the next barrier (`single nowait` chains) use the claim
 * above.  The claim costs N-1 transfers of one line in a team of N.
 *  - Every member meets the same barriers and singles in the same order,
 *    so each thread decides "first single since the last barrier" alike,
 *    from its own state: ts.bar_phase (counts barriers, barrier.c) against
 *    ts.single_phase (bar_phase + 1 at the last such single; both are 0 at
 *    the region's start, so its first single qualifies; a wrap-around is
 *    the same for everyone).
 *  - These singles are not counted in either single_count; since all
 *    agree which they are, the claim's numbering stays the same for every
 *    thread and its invariant holds.
 *  - Thread 0 is the root of the barrier's release (Note [Tree barrier]):
 *    it leaves a barrier first, and it starts the region, so it is the
 *    thread that would usually have won the claim anyway; the others now
 *    skip the line instead of reading it.
 *  - With OMP_CANCELLATION a cancelled barrier returns before bar_phase
 *    moves, and threads may then disagree: every single claims then.
 * copyprivate singles (below) use a work share and are unchanged. */
bool GOMP_single_start(void) {
  struct hsomp_thread *self = hsomp_self();
  struct hsomp_team *team = self->ts.team;
  bool executor = true;
  if (team) {
    uint32_t after_barrier = self->ts.bar_phase + 1;
    if (self->ts.single_phase != after_barrier && !hsomp_settings.cancellation) {
      self->ts.single_phase = after_barrier;
      executor = self->ts.team_id == 0;
    } else {
      unsigned long mine = self->ts.single_count++;
      /* Look first: once the construct is claimed, the others only read. */
      executor =
          atomic_load_explicit(&team->single_count, memory_order_relaxed) == mine &&
          atomic_compare_exchange_strong_explicit(&team->single_count, &mine, mine + 1,
                                                  memory_order_relaxed, memory_order_relaxed);
    }
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
