/* fortran.c -- the Fortran entry points: omp_NAME_ for every omp_* routine
 * of icv.c and of the lock API, and omp_NAME_8_
 * where libgomp has one (for programs compiled with -fdefault-integer-8).
 * gfortran passes every argument by reference; INTEGER and LOGICAL are
 * int32_t, or int64_t in the _8_ forms, whose values are clamped into int
 * range (INT_MIN..INT_MAX) as libgomp does.
 *
 * Locks, as libgomp on Linux maps them: omp_lock_kind is 4, so a Fortran
 * simple lock *is* the 4-byte omp_lock_t; omp_nest_lock_kind is 8, too
 * small for the 16-byte omp_nest_lock_t, so the Fortran variable holds a
 * pointer to one, allocated by omp_init_nest_lock_ and freed by
 * omp_destroy_nest_lock_.  The OpenMP 2.5 entry points (version OMP_1.0)
 * use 2.5's 8-byte nest lock, which fits in place. */
#include "hsomp.h"

#include <limits.h>
#include <omp.h>
#include <stdlib.h>

#define TO_INT(x) ((x) < INT_MIN ? INT_MIN : (x) > INT_MAX ? INT_MAX : (int)(x))

/* The Fortran logical .true. may be any non-zero value. */
#define TO_BOOL(x) ((x) != 0)

/* ------------------------------------------------------------------ */
/* ICVs and queries (icv.c).                                            */

void omp_set_num_threads_(const int32_t *n) { omp_set_num_threads(*n); }
void omp_set_num_threads_8_(const int64_t *n) { omp_set_num_threads(TO_INT(*n)); }
int32_t omp_get_num_threads_(void) { return omp_get_num_threads(); }
int32_t omp_get_max_threads_(void) { return omp_get_max_threads(); }
int32_t omp_get_thread_num_(void) { return omp_get_thread_num(); }
int32_t omp_get_num_procs_(void) { return omp_get_num_procs(); }
int32_t omp_in_parallel_(void) { return omp_in_parallel(); }

void omp_set_dynamic_(const int32_t *dynamic) { omp_set_dynamic(TO_BOOL(*dynamic)); }
void omp_set_dynamic_8_(const int64_t *dynamic) { omp_set_dynamic(TO_BOOL(*dynamic)); }
int32_t omp_get_dynamic_(void) { return omp_get_dynamic(); }

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
void omp_set_nested_(const int32_t *nested) { omp_set_nested(TO_BOOL(*nested)); }
void omp_set_nested_8_(const int64_t *nested) { omp_set_nested(TO_BOOL(*nested)); }
int32_t omp_get_nested_(void) { return omp_get_nested(); }
#pragma GCC diagnostic pop

void omp_set_schedule_(const int32_t *kind, const int32_t *chunk) {
  omp_set_schedule((omp_sched_t)*kind, *chunk);
}
void omp_set_schedule_8_(const int32_t *kind, const int64_t *chunk) {
  omp_set_schedule((omp_sched_t)*kind, TO_INT(*chunk));
}
/* Fortran code written for OpenMP 4.5 does not expect the monotonic
 * modifier bit, so it is masked off here (as libgomp does). */
void omp_get_schedule_(int32_t *kind, int32_t *chunk) {
  omp_sched_t k;
  int c;
  omp_get_schedule(&k, &c);
  *kind = (int32_t)((int)k & ~HSOMP_SCHED_MONOTONIC);
  *chunk = c;
}
void omp_get_schedule_8_(int32_t *kind, int64_t *chunk) {
  omp_sched_t k;
  int c;
  omp_get_schedule(&k, &c);
  *kind = (int32_t)((int)k & ~HSOMP_SCHED_MONOTONIC);
  *chunk = c;
}

int32_t omp_get_thread_limit_(void) { return omp_get_thread_limit(); }
void omp_set_max_active_levels_(const int32_t *levels) { omp_set_max_active_levels(*levels); }
void omp_set_max_active_levels_8_(const int64_t *levels) {
  omp_set_max_active_levels(TO_INT(*levels));
}
int32_t omp_get_max_active_levels_(void) { return omp_get_max_active_levels(); }
int32_t omp_get_supported_active_levels_(void) { return omp_get_supported_active_levels(); }
int32_t omp_get_level_(void) { return omp_get_level(); }
int32_t omp_get_active_level_(void) { return omp_get_active_level(); }
int32_t omp_get_ancestor_thread_num_(const int32_t *level) {
  return omp_get_ancestor_thread_num(*level);
}
int32_t omp_get_ancestor_thread_num_8_(const int64_t *level) {
  return omp_get_ancestor_thread_num(TO_INT(*level));
}
int32_t omp_get_team_size_(const int32_t *level) { return omp_get_team_size(*level); }
int32_t omp_get_team_size_8_(const int64_t *level) { return omp_get_team_size(TO_INT(*level)); }

int32_t omp_get_cancellation_(void) { return omp_get_cancellation(); }
int32_t omp_get_proc_bind_(void) { return omp_get_proc_bind(); }
int32_t omp_get_max_task_priority_(void) { return omp_get_max_task_priority(); }

void omp_set_default_device_(const int32_t *device) { omp_set_default_device(*device); }
void omp_set_default_device_8_(const int64_t *device) { omp_set_default_device(TO_INT(*device)); }
int32_t omp_get_default_device_(void) { return omp_get_default_device(); }
int32_t omp_get_num_devices_(void) { return omp_get_num_devices(); }
int32_t omp_get_initial_device_(void) { return omp_get_initial_device(); }
int32_t omp_get_device_num_(void) { return omp_get_device_num(); }
int32_t omp_is_initial_device_(void) { return omp_is_initial_device(); }

double omp_get_wtime_(void) { return omp_get_wtime(); }
double omp_get_wtick_(void) { return omp_get_wtick(); }

void omp_display_env_(const int32_t *verbose) { omp_display_env(TO_BOOL(*verbose)); }
void omp_display_env_8_(const int64_t *verbose) { omp_display_env(TO_BOOL(*verbose)); }

/* ------------------------------------------------------------------ */
/* Locks (lock.c).                                                      */

/* omp_lock_kind == sizeof(omp_lock_t): the Fortran variable is the lock. */
_Static_assert(sizeof(omp_lock_t) == 4, "a Fortran simple lock holds omp_lock_t in place");
/* omp_nest_lock_kind is 8: the Fortran variable holds a pointer. */
_Static_assert(sizeof(omp_nest_lock_t) > 8 && sizeof(omp_nest_lock_t *) <= 8,
               "a Fortran nest lock holds a pointer to omp_nest_lock_t");
typedef omp_nest_lock_t *fortran_nest_lock;

/* Note [Fortran lock symbol versions]
 * Like the C lock routines (Note [Lock symbol versions] in lock.c), the
 * Fortran ones exist twice: name_@@OMP_3.0 for today's programs and
 * name_@OMP_1.0 for programs linked against OpenMP 2.5's libgomp.  The
 * simple lock is the same in both, so one definition carries both names;
 * the 2.5 nest lock calls lock.c's 2.5 implementation. */
/* Without symbol versions (Note [Symbol versions in the Haskell package]
 * in lock.c) the current routines carry the plain names. */
#ifdef HSOMP_NO_SYMBOL_VERSIONS
#define NEW_VERSION(name)
#define OLD_VERSION(name)
#define hsomp_fortran_init_lock omp_init_lock_
#define hsomp_fortran_destroy_lock omp_destroy_lock_
#define hsomp_fortran_set_lock omp_set_lock_
#define hsomp_fortran_unset_lock omp_unset_lock_
#define hsomp_fortran_test_lock omp_test_lock_
#define hsomp_fortran_init_nest_lock omp_init_nest_lock_
#define hsomp_fortran_destroy_nest_lock omp_destroy_nest_lock_
#define hsomp_fortran_set_nest_lock omp_set_nest_lock_
#define hsomp_fortran_unset_nest_lock omp_unset_nest_lock_
#define hsomp_fortran_test_nest_lock omp_test_nest_lock_
#else
#  define NEW_VERSION(name) __attribute__((symver(#name "@@OMP_3.0")))
#  define OLD_VERSION(name) __attribute__((symver(#name "@OMP_1.0")))
#endif
#define BOTH_VERSIONS(name) NEW_VERSION(name) OLD_VERSION(name)

BOTH_VERSIONS(omp_init_lock_) void hsomp_fortran_init_lock(omp_lock_t *lock) {
  omp_init_lock(lock);
}
BOTH_VERSIONS(omp_destroy_lock_) void hsomp_fortran_destroy_lock(omp_lock_t *lock) {
  omp_destroy_lock(lock);
}
BOTH_VERSIONS(omp_set_lock_) void hsomp_fortran_set_lock(omp_lock_t *lock) { omp_set_lock(lock); }
BOTH_VERSIONS(omp_unset_lock_) void hsomp_fortran_unset_lock(omp_lock_t *lock) {
  omp_unset_lock(lock);
}
BOTH_VERSIONS(omp_test_lock_) int32_t hsomp_fortran_test_lock(omp_lock_t *lock) {
  return omp_test_lock(lock);
}

NEW_VERSION(omp_init_nest_lock_) void hsomp_fortran_init_nest_lock(fortran_nest_lock *lock) {
  *lock = malloc(sizeof **lock);
  if (!*lock)
    hsomp_fatal("omp_init_nest_lock: out of memory");
  omp_init_nest_lock(*lock);
}
NEW_VERSION(omp_destroy_nest_lock_) void hsomp_fortran_destroy_nest_lock(fortran_nest_lock *lock) {
  if (!*lock) {
    hsomp_warn("omp_destroy_nest_lock: the lock was not initialised");
    return;
  }
  omp_destroy_nest_lock(*lock);
  free(*lock);
  *lock = NULL;
}

/* A nest lock used before omp_init_nest_lock_ (or after its destruction)
 * holds no pointer: say so instead of crashing. */
static omp_nest_lock_t *nest_lock_of(fortran_nest_lock *lock, const char *routine) {
  if (HSOMP_UNLIKELY(!*lock))
    hsomp_fatal("%s: the lock was not initialised", routine);
  return *lock;
}

NEW_VERSION(omp_set_nest_lock_) void hsomp_fortran_set_nest_lock(fortran_nest_lock *lock) {
  omp_set_nest_lock(nest_lock_of(lock, "omp_set_nest_lock"));
}
NEW_VERSION(omp_unset_nest_lock_) void hsomp_fortran_unset_nest_lock(fortran_nest_lock *lock) {
  omp_unset_nest_lock(nest_lock_of(lock, "omp_unset_nest_lock"));
}
NEW_VERSION(omp_test_nest_lock_) int32_t hsomp_fortran_test_nest_lock(fortran_nest_lock *lock) {
  return omp_test_nest_lock(nest_lock_of(lock, "omp_test_nest_lock"));
}

/* OpenMP 2.5's nest lock (8 bytes, fits omp_nest_lock_kind in place),
 * implemented in lock.c under these internal names. */
struct nest_lock_25;
void hsomp_init_nest_lock_25(struct nest_lock_25 *lock);
void hsomp_destroy_nest_lock_25(struct nest_lock_25 *lock);
void hsomp_set_nest_lock_25(struct nest_lock_25 *lock);
void hsomp_unset_nest_lock_25(struct nest_lock_25 *lock);
int hsomp_test_nest_lock_25(struct nest_lock_25 *lock);

OLD_VERSION(omp_init_nest_lock_) void hsomp_fortran_init_nest_lock_25(struct nest_lock_25 *lock) {
  hsomp_init_nest_lock_25(lock);
}
OLD_VERSION(omp_destroy_nest_lock_) void hsomp_fortran_destroy_nest_lock_25(
    struct nest_lock_25 *lock) {
  hsomp_destroy_nest_lock_25(lock);
}
OLD_VERSION(omp_set_nest_lock_) void hsomp_fortran_set_nest_lock_25(struct nest_lock_25 *lock) {
  hsomp_set_nest_lock_25(lock);
}
OLD_VERSION(omp_unset_nest_lock_) void hsomp_fortran_unset_nest_lock_25(
    struct nest_lock_25 *lock) {
  hsomp_unset_nest_lock_25(lock);
}
OLD_VERSION(omp_test_nest_lock_) int32_t hsomp_fortran_test_nest_lock_25(
    struct nest_lock_25 *lock) {
  return hsomp_test_nest_lock_25(lock);
}
