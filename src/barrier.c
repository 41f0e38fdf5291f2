/* barrier.c -- the team barrier.
 *
 * Owns the centralised barrier every team uses for GOMP_barrier, the
 * barriers inside worksharing constructs and cancellation of barriers.
 * The algorithm is private to this file, so it can be swapped for a tree
 * or dissemination barrier for large teams without touching callers. */
#include "hsomp.h"

void hsomp_barrier_init(struct hsomp_barrier *b) {
  atomic_store_explicit(&b->arrived, 0, memory_order_relaxed);
  atomic_store_explicit(&b->cancelled, false, memory_order_relaxed);
  /* generation keeps counting across uses; only its changes matter. */
}

/* Note [Why the barrier cannot deadlock or mix phases]
 * Each thread reads the generation before it arrives.  The generation can
 * only move once all `nthreads` threads of this phase have arrived, so the
 * value read is the current phase's.  The last arriver resets `arrived`
 * *before* it publishes the new generation with release order; a thread
 * that sees the new generation (acquire) and races ahead into the next
 * phase therefore increments an already-reset counter.  Waiters sleep only
 * on the generation word, with the protocol of Note [Sleeping without lost
 * wake-ups], so the last arriver's wake cannot be missed. */
bool hsomp_barrier_wait(struct hsomp_barrier *b, unsigned nthreads, bool cancellable) {
  if (nthreads <= 1)
    return cancellable && atomic_load_explicit(&b->cancelled, memory_order_relaxed);
  uint32_t gen = atomic_load_explicit(&b->generation, memory_order_acquire);
  if (cancellable && atomic_load_explicit(&b->cancelled, memory_order_relaxed))
    return true;
  if (atomic_fetch_add_explicit(&b->arrived, 1, memory_order_acq_rel) == nthreads - 1) {
    atomic_store_explicit(&b->arrived, 0, memory_order_relaxed);
    atomic_store_explicit(&b->generation, gen + 1, memory_order_seq_cst);
    hsomp_wake_all(&b->generation, &b->sleepers);
  } else {
    unsigned long spins = hsomp_spin_budget(nthreads);
    hsomp_wait_change(&b->generation, gen, &b->sleepers, spins);
  }
  return cancellable && atomic_load_explicit(&b->cancelled, memory_order_acquire);
}

void hsomp_barrier_cancel(struct hsomp_barrier *b) {
  atomic_store_explicit(&b->cancelled, true, memory_order_release);
}
