/* wait.c -- the waits that are not inline: a word's change, a parked
 * worker's adaptive wait, and the internal mutex's slow path.
 *
 * All are hsomp_wait_until (wait.h) with a condition of their own; the
 * spin policy is spin.c's, the system calls os_linux.c's. */
#include "hsomp.h"

struct change {
  struct hsomp_waitword *ww;
  uint32_t old;
};

static bool changed(void *arg) {
  struct change *c = arg;
  return atomic_load_explicit(&c->ww->value, memory_order_seq_cst) != c->old;
}

void hsomp_wait_change(struct hsomp_waitword *ww, uint32_t old, struct hsomp_spin *s) {
  struct change c = {ww, old};
  struct hsomp_until u = {.done = changed, .arg = &c};
  hsomp_wait_until(ww, s, &u);
}

/* Note [Adaptive idle spinning]
 * A parked worker waits for its next region.  Spinning pays off only when
 * the next region comes within the spin budget; a program that runs one
 * short region every few milliseconds (an event loop, a solver with serial
 * phases) would otherwise burn the whole budget after every region.
 * So the worker keeps its own budget (*budget, at most s->rounds, the
 * team's): a wait that ends in the futex halves it (down to
 * HSOMP_IDLE_SPIN_MIN rounds) unless the wake-up came so soon that spinning
 * s->rounds rounds would have caught it, in which case it doubles; a wait
 * that ends while spinning keeps it.  Back-to-back regions therefore keep
 * the full budget, sparse ones converge to a few microseconds of spinning
 * within ten regions.  Times are TSC ticks: only their ratios matter. */
#define HSOMP_IDLE_SPIN_MIN 64
void hsomp_wait_change_adaptive(struct hsomp_waitword *ww, uint32_t old,
                                struct hsomp_waitword *sleep_on, struct hsomp_spin *s,
                                unsigned long *budget) {
  unsigned long cap = s->rounds;
  unsigned long spins = *budget < cap ? *budget : cap;
  if (spins < HSOMP_IDLE_SPIN_MIN)
    spins = cap < HSOMP_IDLE_SPIN_MIN ? cap : HSOMP_IDLE_SPIN_MIN;
  struct change c = {ww, old};
  struct hsomp_until u = {.done = changed, .arg = &c};
  uint64_t t0 = hsomp_ticks();
  s->rounds = spins; /* s->budget stays the team's: the yield policy is its */
  if (hsomp_spin_until(s, &u)) {
    *budget = spins;
    return;
  }
  uint64_t t1 = hsomp_ticks();
  s->rounds = 0;
  hsomp_wait_until(sleep_on, s, &u);
  uint64_t slept = hsomp_ticks() - t1;
  /* What spinning up to `cap` rounds would have added, at this rate. */
  double per_round = spins ? (double)(t1 - t0) / (double)spins : 0.0;
  double more = per_round * (double)(cap - spins);
  if ((double)slept < more)
    *budget = spins * 2 < cap ? spins * 2 : cap;
  else
    *budget = spins / 2 > HSOMP_IDLE_SPIN_MIN ? spins / 2 : HSOMP_IDLE_SPIN_MIN;
}

/* Note [Spinning for a contended mutex]
 * A critical section or omp_set_lock is usually held for far less than a
 * futex round trip (a sleeping waiter costs its holder a FUTEX_WAKE system
 * call and itself a context switch: microseconds).  So a waiter spins with
 * the budget of the team it runs in (the whole spin policy applies: yield
 * when oversubscribed, Note [Spin budget] in spin.c) before it marks the
 * mutex contended (2) and sleeps, as libgomp's mutex does.  Spinning only
 * reads the word, so it does not take the cache line from the holder; the
 * holder's unlock finds state 1 and makes no system call.  The sleeping
 * side is Drepper's: the word itself says that someone may sleep (2), so
 * it has no separate sleeper count. */
static bool mutex_taken(void *arg) {
  hsomp_mutex *m = arg;
  return atomic_load_explicit(m, memory_order_relaxed) == 0 && hsomp_mutex_trylock(m);
}

void hsomp_mutex_lock_slow(hsomp_mutex *m) {
  struct hsomp_thread *self = hsomp_tls;
  struct hsomp_team *team = self ? self->ts.team : NULL;
  struct hsomp_spin s = hsomp_spin_of(self, team, team ? team->spins : hsomp_spin_budget(1));
  struct hsomp_until u = {.done = mutex_taken, .arg = (void *)m};
  if (hsomp_spin_until(&s, &u))
    return;
  while (atomic_exchange_explicit(m, 2, memory_order_acquire) != 0)
    hsomp_futex_wait(m, 2);
}
