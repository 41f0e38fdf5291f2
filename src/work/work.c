/* work.c -- work-share records: the shared state of one worksharing
 * construct (loop, sections, single with copyprivate, scope).
 *
 * Owns the per-team ring of records and how threads claim, initialise and
 * release them.  What a record holds for each kind of construct is filled
 * in by loop.c, sections.c and single.c. */
#include "hsomp.h"
#include "ompt_internal.h"

#include <stdlib.h>
#include <string.h>

/* Note [Work-share ring]
 * Each team has HSOMP_WS_RING records.  A thread counts the worksharing
 * constructs it has started (ts.ws_count); its k-th construct uses record
 * k mod RING.  Record r serves construct `index` (initially r): the first
 * thread to arrive CASes `state` 0->1, fills the record and publishes it
 * with state=2 (release); the others wait for 2 (acquire).  Every thread
 * leaves the record when it is done with the construct; the last to leave
 * resets it and only then advances `index` by RING (release), so a thread
 * that ran RING `nowait` constructs ahead waits for the slow ones instead
 * of clobbering a record still in use.  Because all state is per team and
 * per construct, consecutive nowait constructs and nested teams never
 * share anything. */

/* A thread outside any team (an orphaned construct) has a team of one:
 * it uses a record of its own. */
static __thread struct hsomp_work_share solo_ws;

bool hsomp_work_share_begin(struct hsomp_thread *self) {
  struct hsomp_team *team = self->ts.team;
  if (!team) {
    self->ts.ws = &solo_ws;
    return true;
  }
  unsigned long idx = self->ts.ws_count++;
  struct hsomp_work_share *ws = &team->ws[idx % HSOMP_WS_RING];
  self->ts.ws = ws;
  if (HSOMP_UNLIKELY(atomic_load_explicit(&ws->index, memory_order_acquire) != idx)) {
    /* Rare: we are RING constructs ahead of the slowest thread. */
    for (unsigned spin = 0; atomic_load_explicit(&ws->index, memory_order_acquire) != idx; spin++) {
      if (spin < 1000)
        hsomp_cpu_relax();
      else
        hsomp_os_yield();
    }
  }
  /* Look before the compare-and-swap: a failing CAS takes the line
   * exclusively all the same, and all but one of the team would fail. */
  uint32_t st = atomic_load_explicit(&ws->state.value, memory_order_acquire);
  if (st == 0 && atomic_compare_exchange_strong_explicit(&ws->state.value, &st, 1,
                                                         memory_order_acquire,
                                                         memory_order_acquire))
    return true;
  while ((st = atomic_load_explicit(&ws->state.value, memory_order_acquire)) != 2) {
    struct hsomp_spin spin = hsomp_spin_of(self, team, team->spins);
    hsomp_wait_change(&ws->state, st, &spin);
  }
  return false;
}

void hsomp_work_share_init_done(struct hsomp_thread *self) {
  struct hsomp_work_share *ws = self->ts.ws;
  if (!self->ts.team)
    return;
  /* Note [Work-share ring]: 0 -> 1 (claimed) -> 2 (ready) -> 0 (reset). */
  HSOMP_ASSERT(atomic_load_explicit(&ws->state.value, memory_order_relaxed) == 1);
  atomic_store_explicit(&ws->state.value, 2, memory_order_seq_cst);
  hsomp_wake(&ws->state);
}

static void work_share_leave(struct hsomp_thread *self) {
  struct hsomp_team *team = self->ts.team;
  if (!team)
    return;
  struct hsomp_work_share *ws = self->ts.ws;
  unsigned long idx = atomic_load_explicit(&ws->index, memory_order_relaxed);
  uint32_t left = atomic_fetch_add_explicit(&ws->left, 1, memory_order_acq_rel);
  HSOMP_ASSERT(left < team->nthreads);
  if (left == team->nthreads - 1) {
    atomic_store_explicit(&ws->left, 0, memory_order_relaxed);
    atomic_store_explicit(&ws->state.value, 0, memory_order_relaxed);
    atomic_store_explicit(&ws->index, idx + HSOMP_WS_RING, memory_order_release);
  }
}

void hsomp_work_share_end(struct hsomp_thread *self, bool nowait) {
  if (!nowait && self->ts.team) {
    HSOMP_OMPT(sync(ompt_sync_region_barrier_implicit_workshare, ompt_scope_begin, NULL));
    hsomp_barrier_wait(&self->ts.team->barrier, self->ts.team->nthreads, false);
    HSOMP_OMPT(sync(ompt_sync_region_barrier_implicit_workshare, ompt_scope_end, NULL));
  }
  work_share_leave(self);
}

/* For GOMP_loop_end_cancel and friends: returns true if cancelled. */
bool hsomp_work_share_end_cancel(struct hsomp_thread *self) {
  bool cancelled = false;
  if (self->ts.team) {
    HSOMP_OMPT(sync(ompt_sync_region_barrier_implicit_workshare, ompt_scope_begin, NULL));
    cancelled = hsomp_barrier_wait(&self->ts.team->barrier, self->ts.team->nthreads, true);
    HSOMP_OMPT(sync(ompt_sync_region_barrier_implicit_workshare, ompt_scope_end, NULL));
  }
  work_share_leave(self);
  return cancelled;
}

/* Note [Work-share scratch memory]
 * Doacross slots and the `mem` buffers GCC asks for (lastprivate
 * conditional, inscan reductions: a zeroed area shared by the team for the
 * construct's duration) live in one buffer per work-share record.  It is
 * grown, never shrunk, and reused by the record's later constructs, so a
 * program that runs such a loop many times allocates once.  Only the
 * initialising thread calls this, and the ring guarantees that every
 * thread has left the record's previous construct (Note [Work-share ring]),
 * so nobody still uses the old buffer. */
void *hsomp_ws_scratch(struct hsomp_work_share *ws, size_t size) {
  if (size < HSOMP_CACHELINE)
    size = HSOMP_CACHELINE;
  size = (size + HSOMP_CACHELINE - 1) & ~(size_t)(HSOMP_CACHELINE - 1);
  if (size > ws->scratch_size) {
    void *p = NULL;
    if (posix_memalign(&p, HSOMP_CACHELINE, size) != 0)
      hsomp_fatal("out of memory allocating %zu bytes for a worksharing construct", size);
    free(ws->scratch);
    ws->scratch = p;
    ws->scratch_size = size;
  }
  return memset(ws->scratch, 0, size);
}
