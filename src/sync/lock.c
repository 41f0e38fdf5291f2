/* lock.c -- the OpenMP lock API: simple and nestable locks (omp_*_lock,
 * omp_*_nest_lock, the *_with_hint initialisers), in the layouts of GCC's
 * omp.h, plus the OpenMP 2.5 entry points libgomp still exports under the
 * hidden version OMP_1.0 for programs linked before OpenMP 3.0.
 *
 * omp_lock_t (4 bytes) is an hsomp_mutex.  omp_nest_lock_t (16 bytes) is
 * a mutex, a nesting count and the owning task. */
#include "hsomp.h"
#include "ompt_internal.h"

#include <omp.h>
#include <string.h>

/* The OpenMP 3.0+ nestable lock, laid over GCC's omp_nest_lock_t. */
struct nest_lock {
  hsomp_mutex mutex;
  int count;                   /* written only by the owner */
  void *_Atomic owner;         /* hsomp_current_task_owner(), or NULL */
};
_Static_assert(sizeof(omp_lock_t) == sizeof(hsomp_mutex), "omp_lock_t is a 4-byte mutex");
_Static_assert(_Alignof(omp_lock_t) >= _Alignof(hsomp_mutex), "omp_lock_t alignment");
_Static_assert(sizeof(omp_nest_lock_t) == sizeof(struct nest_lock), "omp_nest_lock_t layout");
_Static_assert(_Alignof(omp_nest_lock_t) >= _Alignof(struct nest_lock),
               "omp_nest_lock_t alignment");

#define AS_MUTEX(lock) ((hsomp_mutex *)(void *)(lock))
#define AS_NEST(lock) ((struct nest_lock *)(void *)(lock))

/* Note [Lock symbol versions]
 * libgomp exports each lock routine twice: name@@OMP_3.0 (the default,
 * what programs link against today) and name@OMP_1.0 (OpenMP 2.5, for
 * programs linked before GCC 4.4).  Two definitions cannot share one C
 * name, so the implementations have internal names (hsomp_<name>_30,
 * hsomp_<name>_25, hidden by the map's `local: *`) and the symver
 * attribute gives them their exported names and versions.  The simple
 * lock is the same in both versions: one function carries both names.
 * libhsomp.map lists the names in both nodes, as GNU ld requires. */
/* Note [Symbol versions in the Haskell package]
 * The Haskell package (haskell/) compiles this file into a GHC program or
 * into libHShsomp.so, neither linked with libhsomp.map: GNU ld then refuses
 * a versioned definition ("symbol omp_init_lock has undefined version
 * OMP_3.0"), and GHCi's loader cannot link it either.  Built with
 * -DHSOMP_NO_SYMBOL_VERSIONS, the OpenMP 3.0 implementations carry the
 * plain names and the 2.5 ones keep their internal names: the only callers
 * are programs compiled against today's omp.h (and a dlopen()ed library's
 * versioned references bind to a plain definition). */
#ifdef HSOMP_NO_SYMBOL_VERSIONS
#define NEW_VERSION(name)
#define OLD_VERSION(name)
#define hsomp_init_lock_30 omp_init_lock
#define hsomp_destroy_lock_30 omp_destroy_lock
#define hsomp_set_lock_30 omp_set_lock
#define hsomp_unset_lock_30 omp_unset_lock
#define hsomp_test_lock_30 omp_test_lock
#define hsomp_init_nest_lock_30 omp_init_nest_lock
#define hsomp_destroy_nest_lock_30 omp_destroy_nest_lock
#define hsomp_set_nest_lock_30 omp_set_nest_lock
#define hsomp_unset_nest_lock_30 omp_unset_nest_lock
#define hsomp_test_nest_lock_30 omp_test_nest_lock
#else
#  define NEW_VERSION(name) __attribute__((symver(#name "@@OMP_3.0")))
#  define OLD_VERSION(name) __attribute__((symver(#name "@OMP_1.0")))
#endif
#define BOTH_VERSIONS(name) NEW_VERSION(name) OLD_VERSION(name)

/* The internal names must keep omp.h's prototypes. */
#define SAME_TYPE(impl, name)                                                \
  _Static_assert(__builtin_types_compatible_p(__typeof__(impl), __typeof__(name)), \
                 #impl " has the prototype of " #name)

/* ------------------------------------------------------------------ */
/* Simple locks.  A mutex may be released by any thread, so these serve
 * both the OpenMP 3.0 (task-owned) and 2.5 (thread-owned) entry points. */

BOTH_VERSIONS(omp_init_lock) void hsomp_init_lock_30(omp_lock_t *lock) {
  atomic_store_explicit(AS_MUTEX(lock), 0, memory_order_relaxed);
  HSOMP_OMPT(lock_init(ompt_mutex_lock, 0, lock, HSOMP_OMPT_RA));
}

/* Hints are permitted to be ignored (OpenMP 5.1, 3.9.2): the futex mutex
 * is already cheap uncontended and sleeps when contended.  Speculative
 * (transactional) locks are not offered. */
void omp_init_lock_with_hint(omp_lock_t *lock, omp_sync_hint_t hint) {
  atomic_store_explicit(AS_MUTEX(lock), 0, memory_order_relaxed);
  HSOMP_OMPT(lock_init(ompt_mutex_lock, (unsigned)hint, lock, HSOMP_OMPT_RA));
}

BOTH_VERSIONS(omp_destroy_lock) void hsomp_destroy_lock_30(omp_lock_t *lock) {
  if (HSOMP_UNLIKELY(atomic_load_explicit(AS_MUTEX(lock), memory_order_relaxed) != 0))
    hsomp_warn("omp_destroy_lock: the lock is still set");
  HSOMP_OMPT(lock_destroy(ompt_mutex_lock, lock, HSOMP_OMPT_RA));
}

BOTH_VERSIONS(omp_set_lock) void hsomp_set_lock_30(omp_lock_t *lock) {
  HSOMP_OMPT_INSTEAD(lock(ompt_mutex_lock, AS_MUTEX(lock), HSOMP_OMPT_RA));
  hsomp_mutex_lock(AS_MUTEX(lock));
}

BOTH_VERSIONS(omp_unset_lock) void hsomp_unset_lock_30(omp_lock_t *lock) {
  uint32_t old = atomic_exchange_explicit(AS_MUTEX(lock), 0, memory_order_release);
  if (old == 2)
    hsomp_futex_wake(AS_MUTEX(lock), 1);
  else if (HSOMP_UNLIKELY(old == 0))
    hsomp_warn("omp_unset_lock: the lock is not set");
  HSOMP_OMPT(mutex_released(ompt_mutex_lock, lock, HSOMP_OMPT_RA));
}

BOTH_VERSIONS(omp_test_lock) int hsomp_test_lock_30(omp_lock_t *lock) {
  HSOMP_OMPT(mutex_acquire(ompt_mutex_test_lock, 0, lock, HSOMP_OMPT_RA));
  bool taken = hsomp_mutex_trylock(AS_MUTEX(lock));
  HSOMP_OMPT(mutex_tested(ompt_mutex_test_lock, taken, lock, HSOMP_OMPT_RA));
  return taken;
}

SAME_TYPE(hsomp_init_lock_30, omp_init_lock);
SAME_TYPE(hsomp_destroy_lock_30, omp_destroy_lock);
SAME_TYPE(hsomp_set_lock_30, omp_set_lock);
SAME_TYPE(hsomp_unset_lock_30, omp_unset_lock);
SAME_TYPE(hsomp_test_lock_30, omp_test_lock);

/* ------------------------------------------------------------------ */
/* Nestable locks (OpenMP 3.0: owned by a task). */

/* Note [Nest lock ownership]
 * `owner` is read without the mutex by any task that tries the lock.  It
 * equals a task's own identity only if that task stored it (while holding
 * the mutex) and has not yet cleared it: another task can never make it
 * equal to ours.  So "owner == me" is a race-free test of ownership, and
 * only the owner touches `count`.  The owner clears `owner` before it
 * releases the mutex, so the next holder never sees a stale identity. */

NEW_VERSION(omp_init_nest_lock) void hsomp_init_nest_lock_30(omp_nest_lock_t *lock) {
  memset(lock, 0, sizeof *lock);
  HSOMP_OMPT(lock_init(ompt_mutex_nest_lock, 0, lock, HSOMP_OMPT_RA));
}

void omp_init_nest_lock_with_hint(omp_nest_lock_t *lock, omp_sync_hint_t hint) {
  memset(lock, 0, sizeof *lock);
  HSOMP_OMPT(lock_init(ompt_mutex_nest_lock, (unsigned)hint, lock, HSOMP_OMPT_RA));
}

NEW_VERSION(omp_destroy_nest_lock) void hsomp_destroy_nest_lock_30(omp_nest_lock_t *lock) {
  struct nest_lock *l = AS_NEST(lock);
  if (HSOMP_UNLIKELY(atomic_load_explicit(&l->mutex, memory_order_relaxed) != 0))
    hsomp_warn("omp_destroy_nest_lock: the lock is still set");
  HSOMP_OMPT(lock_destroy(ompt_mutex_nest_lock, lock, HSOMP_OMPT_RA));
}

NEW_VERSION(omp_set_nest_lock) void hsomp_set_nest_lock_30(omp_nest_lock_t *lock) {
  struct nest_lock *l = AS_NEST(lock);
  void *me = hsomp_current_task_owner();
  HSOMP_OMPT(mutex_acquire(ompt_mutex_nest_lock, 0, lock, HSOMP_OMPT_RA));
  if (atomic_load_explicit(&l->owner, memory_order_relaxed) != me) {
    hsomp_mutex_lock(&l->mutex);
    atomic_store_explicit(&l->owner, me, memory_order_relaxed);
    l->count = 0;
  }
  l->count++;
  HSOMP_OMPT(mutex_tested(ompt_mutex_nest_lock, l->count, lock, HSOMP_OMPT_RA));
}

NEW_VERSION(omp_unset_nest_lock) void hsomp_unset_nest_lock_30(omp_nest_lock_t *lock) {
  struct nest_lock *l = AS_NEST(lock);
  if (HSOMP_UNLIKELY(atomic_load_explicit(&l->owner, memory_order_relaxed) !=
                     hsomp_current_task_owner())) {
    hsomp_warn("omp_unset_nest_lock: the lock is not owned by the calling task");
    return;
  }
  int left = --l->count;
  if (left == 0) {
    atomic_store_explicit(&l->owner, NULL, memory_order_relaxed);
    hsomp_mutex_unlock(&l->mutex);
  }
  HSOMP_OMPT(nest_unlocked(left, lock, HSOMP_OMPT_RA));
}

NEW_VERSION(omp_test_nest_lock) int hsomp_test_nest_lock_30(omp_nest_lock_t *lock) {
  struct nest_lock *l = AS_NEST(lock);
  void *me = hsomp_current_task_owner();
  HSOMP_OMPT(mutex_acquire(ompt_mutex_test_nest_lock, 0, lock, HSOMP_OMPT_RA));
  int count = 0;
  if (atomic_load_explicit(&l->owner, memory_order_relaxed) == me) {
    count = ++l->count;
  } else if (hsomp_mutex_trylock(&l->mutex)) {
    atomic_store_explicit(&l->owner, me, memory_order_relaxed);
    count = l->count = 1;
  }
  HSOMP_OMPT(mutex_tested(ompt_mutex_test_nest_lock, count, lock, HSOMP_OMPT_RA));
  return count;
}

SAME_TYPE(hsomp_init_nest_lock_30, omp_init_nest_lock);
SAME_TYPE(hsomp_destroy_nest_lock_30, omp_destroy_nest_lock);
SAME_TYPE(hsomp_set_nest_lock_30, omp_set_nest_lock);
SAME_TYPE(hsomp_unset_nest_lock_30, omp_unset_nest_lock);
SAME_TYPE(hsomp_test_nest_lock_30, omp_test_nest_lock);

/* ------------------------------------------------------------------ */
/* OpenMP 2.5 entry points (version OMP_1.0).  Programs linked against
 * libgomp before GCC 4.4 call these.  The simple lock is the same mutex;
 * the nestable lock then had the layout {int owner; int count} and was
 * owned by a *thread*, identified by a non-zero integer. */

struct nest_lock_25 {
  _Atomic uint32_t owner;      /* thread id of the holder, 0 if free */
  int count;
};

/* A thread's identity for these locks: a number drawn once per thread
 * from a process-wide counter.  Unlike the kernel thread id (libgomp's
 * choice) it is never reused, not even by a thread created in a forked
 * child after the thread that took it exited. */
static _Atomic uint32_t last_thread_id;
static __thread uint32_t my_thread_id;

static uint32_t thread_id(void) {
  if (HSOMP_UNLIKELY(my_thread_id == 0))
    my_thread_id = atomic_fetch_add_explicit(&last_thread_id, 1, memory_order_relaxed) + 1;
  return my_thread_id;
}

OLD_VERSION(omp_init_nest_lock) void hsomp_init_nest_lock_25(struct nest_lock_25 *lock) {
  atomic_store_explicit(&lock->owner, 0, memory_order_relaxed);
  lock->count = 0;
}

OLD_VERSION(omp_destroy_nest_lock) void hsomp_destroy_nest_lock_25(struct nest_lock_25 *lock) {
  if (HSOMP_UNLIKELY(atomic_load_explicit(&lock->owner, memory_order_relaxed) != 0))
    hsomp_warn("omp_destroy_nest_lock: the lock is still set");
}

/* Note [OpenMP 2.5 nest lock]
 * The owner word is the lock: 0 free, else the holder's thread id.  A
 * waiter sleeps on the futex while the word still holds the id it saw;
 * the releasing owner stores 0 and wakes one sleeper.  A woken thread
 * that loses the race to a newcomer sleeps again on the new owner's id,
 * and that owner's release wakes the next one, so no release is lost. */
OLD_VERSION(omp_set_nest_lock) void hsomp_set_nest_lock_25(struct nest_lock_25 *lock) {
  uint32_t me = thread_id();
  for (unsigned spins = 0;; spins++) {
    uint32_t holder = 0;
    if (atomic_compare_exchange_strong_explicit(&lock->owner, &holder, me, memory_order_acquire,
                                                memory_order_relaxed)) {
      lock->count = 1;
      return;
    }
    if (holder == me) {
      lock->count++;
      return;
    }
    if (spins < 100)
      hsomp_cpu_relax();
    else
      hsomp_futex_wait(&lock->owner, holder);
  }
}

OLD_VERSION(omp_unset_nest_lock) void hsomp_unset_nest_lock_25(struct nest_lock_25 *lock) {
  if (HSOMP_UNLIKELY(atomic_load_explicit(&lock->owner, memory_order_relaxed) != thread_id())) {
    hsomp_warn("omp_unset_nest_lock: the lock is not owned by the calling thread");
    return;
  }
  if (--lock->count == 0) {
    atomic_store_explicit(&lock->owner, 0, memory_order_release);
    hsomp_futex_wake(&lock->owner, 1);
  }
}

OLD_VERSION(omp_test_nest_lock) int hsomp_test_nest_lock_25(struct nest_lock_25 *lock) {
  uint32_t me = thread_id();
  uint32_t holder = 0;
  if (atomic_compare_exchange_strong_explicit(&lock->owner, &holder, me, memory_order_acquire,
                                              memory_order_relaxed)) {
    lock->count = 1;
    return 1;
  }
  return holder == me ? ++lock->count : 0;
}
