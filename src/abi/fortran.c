/* fortran.c -- the Fortran entry points: omp_NAME_ for every omp_* routine
 * (ICVs and queries, locks, teams, places and affinity, the affinity
 * format, pause, allocators), and omp_NAME_8_ where libgomp has one (for
 * programs compiled with -fdefault-integer-8), as gfortran's omp_lib
 * calls them.  gfortran passes every argument by reference; INTEGER and
 * LOGICAL are int32_t, or int64_t in the _8_ forms, whose values are
 * clamped into int range (INT_MIN..INT_MAX) as libgomp does; character
 * arguments come as a pointer plus a hidden size_t length at the end of
 * the argument list, are not NUL-terminated, and are padded with blanks
 * on output.
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
#include <string.h>

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

/* ------------------------------------------------------------------ */
/* Teams, places and affinity, the affinity format, pause, allocators. */

/* Teams. */
void omp_set_num_teams_(const int32_t *n) { omp_set_num_teams(*n); }
void omp_set_num_teams_8_(const int64_t *n) { omp_set_num_teams(TO_INT(*n)); }
int32_t omp_get_max_teams_(void) { return omp_get_max_teams(); }
int32_t omp_get_num_teams_(void) { return omp_get_num_teams(); }
int32_t omp_get_team_num_(void) { return omp_get_team_num(); }
void omp_set_teams_thread_limit_(const int32_t *n) { omp_set_teams_thread_limit(*n); }
void omp_set_teams_thread_limit_8_(const int64_t *n) { omp_set_teams_thread_limit(TO_INT(*n)); }
int32_t omp_get_teams_thread_limit_(void) { return omp_get_teams_thread_limit(); }

/* Places. */
int32_t omp_get_num_places_(void) { return omp_get_num_places(); }
int32_t omp_get_place_num_procs_(const int32_t *place) { return omp_get_place_num_procs(*place); }
int32_t omp_get_place_num_procs_8_(const int64_t *place) {
  return omp_get_place_num_procs(TO_INT(*place));
}
void omp_get_place_proc_ids_(const int32_t *place, int32_t *ids) {
  omp_get_place_proc_ids(*place, (int *)ids);
}
void omp_get_place_proc_ids_8_(const int64_t *place, int64_t *ids) {
  hsomp_get_place_proc_ids_8(TO_INT(*place), ids);
}
int32_t omp_get_place_num_(void) { return omp_get_place_num(); }
int32_t omp_get_partition_num_places_(void) { return omp_get_partition_num_places(); }
void omp_get_partition_place_nums_(int32_t *nums) { omp_get_partition_place_nums((int *)nums); }
void omp_get_partition_place_nums_8_(int64_t *nums) { hsomp_get_partition_place_nums_8(nums); }

/* The affinity format.  A Fortran string becomes a C string (NULL: no
 * memory, already reported). */
static char *c_string(const char *s, size_t len) {
  char *c = malloc(len + 1);
  if (!c) {
    hsomp_warn("out of memory converting a Fortran string of %zu characters", len);
    return NULL;
  }
  memcpy(c, s, len);
  c[len] = '\0';
  return c;
}

/* Copies a C string into a blank-padded Fortran buffer. */
static void to_fortran(char *buffer, size_t buffer_len, const char *s, size_t len) {
  if (len >= buffer_len) {
    memcpy(buffer, s, buffer_len);
  } else {
    memcpy(buffer, s, len);
    memset(buffer + len, ' ', buffer_len - len);
  }
}

void omp_set_affinity_format_(const char *format, size_t format_len) {
  char *c = c_string(format, format_len);
  if (c)
    omp_set_affinity_format(c);
  free(c);
}

int32_t omp_get_affinity_format_(char *buffer, size_t buffer_len) {
  size_t len = omp_get_affinity_format(NULL, 0);
  char *c = malloc(len + 1);
  if (!c) {
    hsomp_warn("omp_get_affinity_format: out of memory");
    return 0;
  }
  omp_get_affinity_format(c, len + 1);
  to_fortran(buffer, buffer_len, c, len);
  free(c);
  return (int32_t)len;
}

/* An empty (or all-blank: Fortran's "") format means affinity-format-var,
 * as for a NULL or "" format in C. */
void omp_display_affinity_(const char *format, size_t format_len) {
  char *c = c_string(format, format_len);
  if (c)
    omp_display_affinity(c);
  free(c);
}

int32_t omp_capture_affinity_(char *buffer, const char *format, size_t buffer_len,
                              size_t format_len) {
  char *c = c_string(format, format_len);
  if (!c)
    return 0;
  size_t len = omp_capture_affinity(NULL, 0, c);
  char *out = malloc(len + 1);
  if (out) {
    omp_capture_affinity(out, len + 1, c);
    to_fortran(buffer, buffer_len, out, len);
  }
  free(out);
  free(c);
  return (int32_t)len;
}

/* Pause. */
int32_t omp_pause_resource_(const int32_t *kind, const int32_t *device_num) {
  return omp_pause_resource((omp_pause_resource_t)*kind, *device_num);
}
int32_t omp_pause_resource_all_(const int32_t *kind) {
  return omp_pause_resource_all((omp_pause_resource_t)*kind);
}

/* Allocators (the trait type has the C layout: c_int key, c_intptr_t
 * value). */
intptr_t omp_init_allocator_(const intptr_t *memspace, const int32_t *ntraits,
                             const omp_alloctrait_t *traits) {
  return (intptr_t)omp_init_allocator((omp_memspace_handle_t)*memspace, *ntraits, traits);
}
intptr_t omp_init_allocator_8_(const intptr_t *memspace, const int64_t *ntraits,
                               const omp_alloctrait_t *traits) {
  return (intptr_t)omp_init_allocator((omp_memspace_handle_t)*memspace, TO_INT(*ntraits), traits);
}
void omp_destroy_allocator_(const intptr_t *allocator) {
  omp_destroy_allocator((omp_allocator_handle_t)*allocator);
}
void omp_set_default_allocator_(const intptr_t *allocator) {
  omp_set_default_allocator((omp_allocator_handle_t)*allocator);
}
intptr_t omp_get_default_allocator_(void) { return (intptr_t)omp_get_default_allocator(); }

/* ------------------------------------------------------------------ */
/* Tasks.                                                               */

/* omp_lib declares the event handle `value' (libgomp passes it so too). */
void omp_fulfill_event_(uintptr_t handle) { omp_fulfill_event((omp_event_handle_t)handle); }
int32_t omp_in_final_(void) { return omp_in_final(); }
