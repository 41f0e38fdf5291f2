/* critical.c -- the critical and atomic constructs: GOMP_critical_start/end
 * (the unnamed critical section), GOMP_critical_name_start/end (named ones,
 * `critical (name) hint (...)` included: GCC drops the hint) and
 * GOMP_atomic_start/end (atomics GCC cannot do with one instruction, such
 * as long double or __int128 updates). */
#include "hsomp.h"
#include "ompt_internal.h"

/* One process-wide lock for all unnamed critical sections, as OpenMP
 * requires (they all exclude each other, across teams).  The atomic lock
 * is a separate one: an atomic update inside an unnamed critical section
 * must not deadlock. */
static HSOMP_OWN_LINE(hsomp_mutex, unnamed_critical_line); /* Note [Hot globals own their line] */
static HSOMP_OWN_LINE(hsomp_mutex, atomic_lock_line);
#define unnamed_critical (unnamed_critical_line.value)
#define atomic_lock (atomic_lock_line.value)

void GOMP_critical_start(void) {
  HSOMP_OMPT_INSTEAD(lock(ompt_mutex_critical, &unnamed_critical, HSOMP_OMPT_RA));
  hsomp_mutex_lock(&unnamed_critical);
}
void GOMP_critical_end(void) {
  HSOMP_OMPT_INSTEAD(unlock(ompt_mutex_critical, &unnamed_critical, HSOMP_OMPT_RA));
  hsomp_mutex_unlock(&unnamed_critical);
}

/* Note [Named critical sections]
 * For `critical (name)` GCC passes the address of a common symbol
 * `.gomp_critical_user_name`: pointer-sized, zero-initialised, one per
 * name in the whole program (the linker merges the common definitions of
 * all objects, and the dynamic linker those of all modules).  A zero word
 * is an unlocked hsomp_mutex, so the symbol itself is the lock: no lazy
 * allocation, no race to initialise it, and two names never share a lock. */
_Static_assert(sizeof(hsomp_mutex) <= sizeof(void *), "a mutex fits in a named critical slot");
_Static_assert(_Alignof(hsomp_mutex) <= _Alignof(void *), "and is aligned in it");

#define NAMED(pptr) ((hsomp_mutex *)(void *)(pptr))
void GOMP_critical_name_start(void **pptr) {
  HSOMP_OMPT_INSTEAD(lock(ompt_mutex_critical, NAMED(pptr), HSOMP_OMPT_RA));
  hsomp_mutex_lock(NAMED(pptr));
}
void GOMP_critical_name_end(void **pptr) {
  HSOMP_OMPT_INSTEAD(unlock(ompt_mutex_critical, NAMED(pptr), HSOMP_OMPT_RA));
  hsomp_mutex_unlock(NAMED(pptr));
}

void GOMP_atomic_start(void) {
  HSOMP_OMPT_INSTEAD(lock(ompt_mutex_atomic, &atomic_lock, HSOMP_OMPT_RA));
  hsomp_mutex_lock(&atomic_lock);
}
void GOMP_atomic_end(void) {
  HSOMP_OMPT_INSTEAD(unlock(ompt_mutex_atomic, &atomic_lock, HSOMP_OMPT_RA));
  hsomp_mutex_unlock(&atomic_lock);
}
