/* critical.c -- the critical and atomic constructs: GOMP_critical_start/end
 * (the unnamed critical section), GOMP_critical_name_start/end (named ones,
 * `critical (name) hint (...)` included: GCC drops the hint) and
 * GOMP_atomic_start/end (atomics GCC cannot do with one instruction, such
 * as long double or __int128 updates).  Critical sections are queue locks
 * (Note [Queued critical sections]); the atomic lock is the internal
 * mutex. */
#include "hsomp.h"
#include "ompt_internal.h"

#include <stdlib.h>

/* Note [Queued critical sections]
 * A critical section is an MCS queue lock: the lock word points at the
 * node of the last thread queued (NULL: free).  A thread queues its node
 * with one exchange on the word; if there was a predecessor, it links its
 * node into the predecessor's `next` and waits on its own node's `go`
 * word (spinning with its team's budget, then asleep on that word).  The
 * holder leaving hands the lock to its successor by clearing the
 * successor's `go` and waking that thread alone; with no successor it
 * swings the word back to NULL with a compare-and-swap.  A hand-over thus
 * costs a fixed handful of line transfers however many threads wait, and
 * waiters enter in the order they came.  (A test-and-set lock pulls its
 * line to every waiter at every hand-over -- O(N) per hand-over, O(N^2)
 * for N threads entering once each -- and lets a waiter barge in again
 * and again while others starve.)  A successor that has exchanged the
 * word but not linked itself yet is waited for by the leaving holder:
 * a few instructions, unless the successor is preempted right there.
 *
 * The hand-over needs no reset of the waiter's node: its `go' word's bit
 * 0 flips at each hand-over, and the waiter, which read the bit before it
 * queued, tells its predecessor that bit in the link (bit 0 of `next',
 * nodes being aligned), so the holder leaving writes `go' with one
 * exchange; bit 1 of `go' says that the waiter may sleep on the word
 * (Drepper's mutex 2, for one waiter), and the exchange returns it, so
 * the holder makes a FUTEX_WAKE call only then.  The holder clears its
 * own `next' when it reads it.  So a node's lines are written once each
 * per hand-over, and nothing touches a node after the hand-over: the
 * successor may leave and reuse or free its node at once.
 *
 * Note [Critical sections on crowded CPUs]
 * A queue hands the lock to the next thread in line even when that
 * thread is not running: with more threads than CPUs (hsomp_crowded)
 * every hand-over may wait for a time slice or a wake-up, and the queue
 * keeps the running threads waiting behind the sleeping ones: a convoy
 * that lasts as long as threads keep coming (README "Scale").
 * So a thread that finds the lock held while the CPUs are crowded does
 * not queue: it polls for a free lock (with the crowded spin policy: a few
 * yields), then sleeps on the lock word itself, as the internal mutex
 * does (Drepper's mutex 2): it sets CRIT_SLEEPERS in the word and calls
 * FUTEX_WAIT on the word's low half, which holds that bit.  The holder
 * that frees a word carrying the bit wakes one poller; a poller that
 * slept takes the lock with the bit set again (others may sleep); a
 * thread queuing in the ordinary way replaces the word, bit included,
 * and wakes every poller to look again.  Clearing the bit always changes
 * the low half (the bit is in it), so a poller never sleeps through a
 * change it missed.  The lock is free only as the word 0, so pollers and
 * queued threads exclude each other; pollers may overtake the queue.
 * Threads of a small team (at most HSOMP_CRIT_POLL_MAX) and threads in
 * no team poll too: with a few waiters a hand-over of a polled lock costs
 * about as many line transfers as a queue's, and a thread leaving may
 * enter again at once with the line still in its cache instead of
 * waiting for its turn.
 *
 * The lock word is the ABI's: a static word for the unnamed critical
 * section, and for a named one the pointer-sized common symbol GCC
 * passes (Note [Named critical sections]); zero is a free lock.  Nodes:
 * a thread's critical sections nest properly (they are structured
 * blocks; a task run inside one at a scheduling point leaves its own
 * before the thread goes on), so each thread keeps a stack of nodes in
 * its record, HSOMP_CRIT_NODES deep; deeper ones come from the heap and
 * go back when the thread leaves. */
#define HSOMP_CRIT_POLL_MAX 8
typedef _Atomic uintptr_t crit_lock;
#define CRIT_SLEEPERS ((uintptr_t)2)
#define CRIT_NODE(w) ((struct hsomp_crit_node *)((w) & ~(uintptr_t)(HSOMP_CACHELINE - 1)))
_Static_assert(_Alignof(struct hsomp_crit_node) >= 4, "node addresses leave the low bits free");

/* The half of the lock word that holds CRIT_SLEEPERS: the futex word. */
static _Atomic uint32_t *crit_futex(crit_lock *lock) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ || UINTPTR_MAX == UINT32_MAX
  return (_Atomic uint32_t *)(void *)lock;
#else
  return (_Atomic uint32_t *)(void *)lock + 1;
#endif
}

static struct hsomp_crit_node *crit_push(struct hsomp_thread *self) {
  unsigned depth = self->crit_depth++;
  if (depth < HSOMP_CRIT_NODES)
    return &self->crit_nodes[depth];
  void *p = NULL;
  if (posix_memalign(&p, HSOMP_CACHELINE, sizeof(struct hsomp_crit_node)) != 0)
    hsomp_fatal("out of memory entering a critical section nested %u deep", depth + 1);
  struct hsomp_crit_node *n = p;
  atomic_init(&n->go, 0);
  atomic_init(&n->next, 0);
  n->polled = false;
  n->outer = self->crit_heap;
  self->crit_heap = n;
  return n;
}

static struct hsomp_crit_node *crit_top(struct hsomp_thread *self) {
  unsigned depth = self->crit_depth - 1;
  return depth < HSOMP_CRIT_NODES ? &self->crit_nodes[depth] : self->crit_heap;
}

static void crit_pop(struct hsomp_thread *self, struct hsomp_crit_node *n) {
  if (--self->crit_depth >= HSOMP_CRIT_NODES) {
    self->crit_heap = n->outer;
    free(n);
  }
}

struct handover {
  _Atomic uint32_t *go;
  uint32_t waiting; /* bit 0 of go until the hand-over */
};

static bool handed_over(void *arg) {
  struct handover *h = arg;
  return (atomic_load_explicit(h->go, memory_order_acquire) & 1) != h->waiting;
}

struct poll {
  crit_lock *lock;
  uintptr_t mine;
};

static bool taken_free(void *arg) {
  struct poll *p = arg;
  uintptr_t w = 0;
  return atomic_load_explicit(p->lock, memory_order_relaxed) == 0 &&
         atomic_compare_exchange_strong_explicit(p->lock, &w, p->mine, memory_order_acquire,
                                                 memory_order_relaxed);
}

/* Note [Critical sections on crowded CPUs]. */
static void crit_poll(crit_lock *lock, struct hsomp_crit_node *me, struct hsomp_spin *s) {
  struct poll p = {lock, (uintptr_t)me};
  struct hsomp_until u = {.done = taken_free, .arg = &p};
  if (hsomp_spin_until(s, &u))
    return;
  uintptr_t w = atomic_load_explicit(lock, memory_order_relaxed);
  for (;;) {
    if (w == 0) {
      if (atomic_compare_exchange_weak_explicit(lock, &w, (uintptr_t)me | CRIT_SLEEPERS,
                                                memory_order_acquire, memory_order_relaxed))
        return;
      continue;
    }
    if (!(w & CRIT_SLEEPERS) &&
        !atomic_compare_exchange_weak_explicit(lock, &w, w | CRIT_SLEEPERS, memory_order_relaxed,
                                               memory_order_relaxed))
      continue;
    hsomp_futex_wait(crit_futex(lock), (uint32_t)(w | CRIT_SLEEPERS));
    w = atomic_load_explicit(lock, memory_order_relaxed);
  }
}

__attribute__((noinline)) static void crit_enter_slow(crit_lock *lock, struct hsomp_thread *self) {
  struct hsomp_crit_node *me = crit_push(self);
  struct hsomp_team *team = self->ts.team;
  if (!team || team->nthreads <= HSOMP_CRIT_POLL_MAX || hsomp_crowded_with(team->threads_in_regions)) {
    if (!me->polled)
      me->polled = true;
    struct poll p = {lock, (uintptr_t)me};
    if (taken_free(&p)) /* look first: crit_enter's compare-and-swap may have just failed */
      return;
    struct hsomp_spin s = hsomp_spin_of(self, team, team ? team->spins : hsomp_spin_budget(1));
    crit_poll(lock, me, &s);
    return;
  }
  if (me->polled)
    me->polled = false;
  struct hsomp_spin s = hsomp_spin_of(self, team, team->spins);
  struct handover h = {&me->go, atomic_load_explicit(&me->go, memory_order_relaxed) & 1};
  uintptr_t w = atomic_exchange_explicit(lock, (uintptr_t)me, memory_order_acq_rel);
  if (HSOMP_UNLIKELY(w & CRIT_SLEEPERS)) /* the pollers lost their mark: let them look again */
    hsomp_futex_wake(crit_futex(lock), INT_MAX);
  struct hsomp_crit_node *pred = CRIT_NODE(w);
  if (!pred)
    return;
  atomic_store_explicit(&pred->next, (uintptr_t)me | h.waiting, memory_order_release);
  struct hsomp_until u = {.done = handed_over, .arg = &h};
  if (handed_over(&h) || hsomp_spin_until(&s, &u))
    return;
  uint32_t v;
  while (((v = atomic_load_explicit(&me->go, memory_order_acquire)) & 1) == h.waiting) {
    if (!(v & 2) && !atomic_compare_exchange_strong_explicit(&me->go, &v, v | 2,
                                                             memory_order_acquire,
                                                             memory_order_acquire))
      continue;
    hsomp_futex_wait(&me->go, v | 2);
  }
}

__attribute__((noinline)) static void crit_leave_slow(crit_lock *lock, struct hsomp_thread *self) {
  struct hsomp_crit_node *me = crit_top(self);
  /* Reading and clearing `next': one exchange on the line the successor
   * wrote; a thread that polled rarely has a successor, and its load
   * spares it a locked instruction. */
  uintptr_t link = me->polled ? atomic_load_explicit(&me->next, memory_order_acquire)
                              : atomic_exchange_explicit(&me->next, 0, memory_order_acquire);
  if (link) {
    if (me->polled)
      atomic_store_explicit(&me->next, 0, memory_order_relaxed);
  } else {
    uintptr_t w = (uintptr_t)me; /* the usual word: no successor, no sleeper */
    while (CRIT_NODE(w) == me) {
      if (atomic_compare_exchange_weak_explicit(lock, &w, 0, memory_order_release,
                                                memory_order_relaxed)) {
        crit_pop(self, me);
        if (w & CRIT_SLEEPERS)
          hsomp_futex_wake(crit_futex(lock), 1);
        return;
      }
    }
    /* A successor is between its exchange and its link. */
    for (unsigned spin = 0; !(link = atomic_load_explicit(&me->next, memory_order_acquire));
         spin++) {
      if (spin < 1000)
        hsomp_cpu_relax();
      else
        hsomp_os_yield();
    }
    atomic_store_explicit(&me->next, 0, memory_order_relaxed);
  }
  crit_pop(self, me);
  struct hsomp_crit_node *succ = CRIT_NODE(link);
  if (atomic_exchange_explicit(&succ->go, (uint32_t)(link & 1) ^ 1, memory_order_release) & 2)
    hsomp_futex_wake(&succ->go, 1);
}

/* The usual cases inline: a polling thread (Note [Critical sections on
 * crowded CPUs]) that finds the lock free, and leaves it with nobody
 * behind it. */
static inline void crit_enter(crit_lock *lock, struct hsomp_thread *self) {
  struct hsomp_team *team = self->ts.team;
  unsigned depth = self->crit_depth;
  if ((!team || team->nthreads <= HSOMP_CRIT_POLL_MAX) && depth < HSOMP_CRIT_NODES) {
    struct hsomp_crit_node *me = &self->crit_nodes[depth];
    uintptr_t w = 0;
    if (me->polled && atomic_compare_exchange_strong_explicit(lock, &w, (uintptr_t)me,
                                                               memory_order_acquire,
                                                               memory_order_relaxed)) {
      self->crit_depth = depth + 1;
      return;
    }
  }
  crit_enter_slow(lock, self);
}

static inline void crit_leave(crit_lock *lock, struct hsomp_thread *self) {
  unsigned depth = self->crit_depth - 1;
  if (depth < HSOMP_CRIT_NODES) {
    struct hsomp_crit_node *me = &self->crit_nodes[depth];
    uintptr_t w = (uintptr_t)me;
    /* The word still naming this node: nobody queued behind it. */
    if (me->polled && atomic_compare_exchange_strong_explicit(lock, &w, 0, memory_order_release,
                                                               memory_order_relaxed)) {
      self->crit_depth = depth;
      return;
    }
  }
  crit_leave_slow(lock, self);
}

/* Entering and leaving, with the OMPT events when a tool listens. */
static HSOMP_OMPT_INLINE void crit_start(crit_lock *lock, const void *ra) {
  struct hsomp_thread *self = hsomp_self();
  if (HSOMP_UNLIKELY(hsomp_ompt_enabled)) {
    hsomp_ompt_mutex_acquire(ompt_mutex_critical, 0, (const void *)lock, ra);
    crit_enter(lock, self);
    hsomp_ompt_mutex_acquired(ompt_mutex_critical, (const void *)lock, ra);
    return;
  }
  crit_enter(lock, self);
}
static HSOMP_OMPT_INLINE void crit_end(crit_lock *lock, const void *ra) {
  crit_leave(lock, hsomp_self());
  if (HSOMP_UNLIKELY(hsomp_ompt_enabled))
    hsomp_ompt_mutex_released(ompt_mutex_critical, (const void *)lock, ra);
}

/* One process-wide lock for all unnamed critical sections, as OpenMP
 * requires (they all exclude each other, across teams), on a line of its
 * own. */
static HSOMP_OWN_LINE(crit_lock, unnamed_critical_line); /* Note [Hot globals own their line] */
#define unnamed_critical (unnamed_critical_line.value)

void GOMP_critical_start(void) { crit_start(&unnamed_critical, HSOMP_OMPT_RA); }
void GOMP_critical_end(void) { crit_end(&unnamed_critical, HSOMP_OMPT_RA); }

/* Note [Named critical sections]
 * For `critical (name)` GCC passes the address of a common symbol
 * `.gomp_critical_user_name`: pointer-sized, zero-initialised, one per
 * name in the whole program (the linker merges the common definitions of
 * all objects, and the dynamic linker those of all modules).  A zero word
 * is a free queue lock, so the symbol itself is the lock: no lazy
 * allocation, no race to initialise it, and two names never share a lock. */
_Static_assert(sizeof(crit_lock) == sizeof(void *), "a queue lock is a named critical slot");

#define NAMED(pptr) ((crit_lock *)(void *)(pptr))
void GOMP_critical_name_start(void **pptr) { crit_start(NAMED(pptr), HSOMP_OMPT_RA); }
void GOMP_critical_name_end(void **pptr) { crit_end(NAMED(pptr), HSOMP_OMPT_RA); }

/* The atomic lock is separate from the unnamed critical section: an
 * atomic update inside one must not deadlock. */
static HSOMP_OWN_LINE(hsomp_mutex, atomic_lock_line);
#define atomic_lock (atomic_lock_line.value)

void GOMP_atomic_start(void) {
  HSOMP_OMPT_INSTEAD(lock(ompt_mutex_atomic, &atomic_lock, HSOMP_OMPT_RA));
  hsomp_mutex_lock(&atomic_lock);
}
void GOMP_atomic_end(void) {
  HSOMP_OMPT_INSTEAD(unlock(ompt_mutex_atomic, &atomic_lock, HSOMP_OMPT_RA));
  hsomp_mutex_unlock(&atomic_lock);
}
