/* wait.h -- the one way hsomp threads wait (musl's __wait is the model).
 *
 * Owns the wait word (a futex word and the count of threads asleep on it)
 * and hsomp_wait_until, the loop every wait of the runtime runs: the
 * barrier, the join, task waits, ordered and doacross progress, work-share
 * set-up, detach events and the mutexes' spinning.  It polls a condition,
 * spinning with the policy of spin.c, then sleeps on a wait word until a
 * waker changes what the condition reads and calls hsomp_wake or
 * hsomp_wake_bump.  Defined inline so that each caller's condition is
 * compiled into its copy of the loop; the out-of-line waits are in wait.c,
 * the system calls in os_linux.c. */
#ifndef HSOMP_WAIT_H
#define HSOMP_WAIT_H

#include "os.h"

#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define HSOMP_WAIT_INTERNAL __attribute__((visibility("hidden")))

struct hsomp_thread;
struct hsomp_team;

/* A futex word and the threads asleep on it: wakers skip the system call
 * while `sleepers' is 0.  See Note [Sleeping without lost wake-ups]. */
struct hsomp_waitword {
  _Atomic uint32_t value;
  _Atomic uint32_t sleepers;
};

/* ------------------------------------------------------------------ */
/* Spinning (spin.c).                                                   */

/* How one wait spins before it sleeps.  The yield and spread decisions
 * (Note [Yielding while spinning], spin.c) look at the team whose members
 * the waiter may be waiting for, or with none at `peer_cpu'. */
struct hsomp_spin {
  unsigned long rounds;          /* rounds to spin before sleeping */
  unsigned long budget;          /* the team's budget: picks the yield policy */
  struct hsomp_thread *self;     /* the waiter; NULL: not an hsomp thread */
  struct hsomp_team *team;       /* the waiter's team; NULL: none */
  int peer_cpu;                  /* without a team: the awaited thread's CPU, -1 unknown */
  bool near_peer;                /* decided at round HSOMP_SPIN_YIELD_AFTER */
  unsigned threads_in_regions;   /* without a team: the last team's count (crowd.c), 0 unknown */
};

static inline struct hsomp_spin hsomp_spin_of(struct hsomp_thread *self, struct hsomp_team *team,
                                              unsigned long rounds) {
  return (struct hsomp_spin){rounds, rounds, self, team, -1, false, 0};
}

#ifndef HSOMP_SPIN_YIELD_AFTER /* -D for experiments */
#define HSOMP_SPIN_YIELD_AFTER 32 /* rounds (~0.8 us) before the first yield */
#define HSOMP_SPIN_YIELD_EVERY 32 /* rounds between yields after that */
#endif
#define HSOMP_SPIN_YIELD_ALWAYS_BELOW 2000 /* budgets this small always yield */

/* The spin budget for a waiting thread when `nthreads` threads are in
 * teams (Note [Spin budget], spin.c; Note [A crowded process], team.c). */
unsigned long hsomp_spin_budget(unsigned long nthreads) HSOMP_WAIT_INTERNAL;
/* More threads in teams than this many per CPU: waits spin at most
 * HSOMP_CROWDED_SPINS rounds (each a yield) before they sleep. */
#define HSOMP_CROWDED_PER_CPU 8
#ifndef HSOMP_CROWDED_SPINS /* -D for experiments */
#define HSOMP_CROWDED_SPINS 8
#endif
void hsomp_spin_slow(struct hsomp_spin *s, unsigned long round) HSOMP_WAIT_INTERNAL;
/* Round `round` (from 0) of a spin: the first HSOMP_SPIN_YIELD_AFTER rounds
 * only pause, later ones may yield (spin.c). */
static inline void hsomp_spin_round(struct hsomp_spin *s, unsigned long round) {
  if (__builtin_expect(round < HSOMP_SPIN_YIELD_AFTER && s->budget >= HSOMP_SPIN_YIELD_ALWAYS_BELOW,
                       1))
    hsomp_cpu_relax();
  else
    hsomp_spin_slow(s, round);
}

/* ------------------------------------------------------------------ */
/* Waiting and waking.                                                  */

/* What a wait waits for.  done(arg) is the condition.  The optional hooks:
 * work(arg) does something useful instead of spinning (runs a task) and
 * returns true if it did, which starts the spin over; may_sleep(arg) is a
 * last check before sleeping (false: look again instead); arm(arg) tells
 * whoever will make done() true that a sleeper needs a wake-up (when that
 * party does not always call hsomp_wake_bump), disarm(arg) undoes it. */
struct hsomp_until {
  bool (*done)(void *arg);
  void *arg;
  bool (*work)(void *arg);
  bool (*may_sleep)(void *arg);
  void (*arm)(void *arg);
  void (*disarm)(void *arg);
};

/* Note [Sleeping without lost wake-ups]
 * A waiter that gives up spinning reads the wait word, announces itself
 * (sleepers += 1, seq_cst) and only then checks its condition once more
 * (seq_cst loads) before FUTEX_WAIT on the value it read.  A waker makes
 * the condition true (a seq_cst store, or a store followed by a seq_cst
 * fence), and only then reads sleepers (seq_cst); if there are any, it
 * changes the word (hsomp_wake_bump; or the word was what it changed,
 * hsomp_wake) and wakes them.  In the single total order of seq_cst
 * operations either the waiter's check sees the condition true (it does
 * not sleep), or the waker's read sees the announcement (it changes the
 * word after the waiter read it, so FUTEX_WAIT, which re-checks the value
 * in the kernel, returns at once or is woken). */
static inline void hsomp_sleep_once(struct hsomp_waitword *ww, const struct hsomp_until *u) {
  uint32_t seen = atomic_load_explicit(&ww->value, memory_order_seq_cst);
  if (u->arm)
    u->arm(u->arg);
  atomic_fetch_add_explicit(&ww->sleepers, 1, memory_order_seq_cst);
  if (!u->done(u->arg) && (!u->may_sleep || u->may_sleep(u->arg)))
    hsomp_futex_wait(&ww->value, seen);
  atomic_fetch_sub_explicit(&ww->sleepers, 1, memory_order_relaxed);
  if (u->disarm)
    u->disarm(u->arg);
}

/* The wait: until u->done(u->arg), spinning s->rounds rounds (started
 * over whenever u->work did something), then sleeping on ww.  ww may be
 * NULL with `sleep' false: then it only spins, and returns false if the
 * condition still does not hold. */
static inline bool hsomp_wait_phases(struct hsomp_waitword *ww, struct hsomp_spin *s,
                                     const struct hsomp_until *u, bool sleep) {
  unsigned long round = 0;
  for (;;) {
    if (u->done(u->arg))
      return true;
    if (u->work && u->work(u->arg)) {
      round = 0;
      continue;
    }
    if (round < s->rounds) {
      hsomp_spin_round(s, round++);
      continue;
    }
    if (!sleep)
      return false;
    hsomp_sleep_once(ww, u);
  }
}

static inline void hsomp_wait_until(struct hsomp_waitword *ww, struct hsomp_spin *s,
                                    const struct hsomp_until *u) {
  (void)hsomp_wait_phases(ww, s, u, true);
}

/* Only the spinning: true if u->done(u->arg) came to hold. */
static inline bool hsomp_spin_until(struct hsomp_spin *s, const struct hsomp_until *u) {
  return hsomp_wait_phases(NULL, s, u, false);
}

/* Wait while ww->value == old. */
void hsomp_wait_change(struct hsomp_waitword *ww, uint32_t old, struct hsomp_spin *s)
    HSOMP_WAIT_INTERNAL;
/* The same for a parked worker, whose spin adapts to how soon it is woken:
 * *budget is its own, at most s->rounds (Note [Adaptive idle spinning]).
 * It sleeps on `sleep_on' (ww itself, or a word its wakers bump after
 * changing ww: Note [Docks for big teams], team.c). */
void hsomp_wait_change_adaptive(struct hsomp_waitword *ww, uint32_t old,
                                struct hsomp_waitword *sleep_on, struct hsomp_spin *s,
                                unsigned long *budget) HSOMP_WAIT_INTERNAL;

/* After changing ww->value (seq_cst): wake every sleeper; true if there
 * were any. */
static inline bool hsomp_wake(struct hsomp_waitword *ww) {
  if (atomic_load_explicit(&ww->sleepers, memory_order_seq_cst) == 0)
    return false;
  hsomp_futex_wake(&ww->value, INT_MAX);
  return true;
}

/* After making a condition true (seq_cst, or followed by a seq_cst fence):
 * if anyone sleeps on ww, bump it and wake them all; true if anyone did. */
static inline bool hsomp_wake_bump(struct hsomp_waitword *ww) {
  if (atomic_load_explicit(&ww->sleepers, memory_order_seq_cst) == 0)
    return false;
  atomic_fetch_add_explicit(&ww->value, 1, memory_order_seq_cst);
  hsomp_futex_wake(&ww->value, INT_MAX);
  return true;
}

/* ------------------------------------------------------------------ */
/* The internal mutex (wait.c).                                         */

/* A 4-byte mutex (0 free, 1 locked, 2 locked with sleepers): the layout
 * of omp_lock_t and of the pointer-sized slot of a named critical
 * section.  State 2 is the wait word's sleeper count folded into the
 * word (Drepper's "Futexes are tricky", mutex 2). */
typedef _Atomic uint32_t hsomp_mutex;
void hsomp_mutex_lock_slow(hsomp_mutex *m) HSOMP_WAIT_INTERNAL;
static inline bool hsomp_mutex_trylock(hsomp_mutex *m) {
  uint32_t expected = 0;
  return atomic_compare_exchange_strong_explicit(m, &expected, 1, memory_order_acquire,
                                                 memory_order_relaxed);
}
static inline void hsomp_mutex_lock(hsomp_mutex *m) {
  if (__builtin_expect(hsomp_mutex_trylock(m), 1))
    return;
  hsomp_mutex_lock_slow(m);
}
static inline void hsomp_mutex_unlock(hsomp_mutex *m) {
  if (__builtin_expect(atomic_exchange_explicit(m, 0, memory_order_release) == 2, 0))
    hsomp_futex_wake(m, 1);
}

#endif
