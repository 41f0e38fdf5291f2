/* The Fortran entry points, called the way gfortran calls them (every
 * argument by reference, INTEGER(4) or, in the _8_ forms, INTEGER(8)):
 * they reach the same ICVs as the C routines, clamp 64-bit arguments into
 * int range, hide the monotonic bit from omp_get_schedule_, and the lock
 * routines work on Fortran lock variables (omp_lock_kind 4 holding the
 * lock, omp_nest_lock_kind 8 holding a pointer to it), also in their
 * OpenMP 2.5 versions (name_@OMP_1.0, found with dlvsym). */
#include "hsomp_test.h"

#include <limits.h>
#include <omp.h>
#include <dlfcn.h>
#include <stdint.h>

void omp_set_num_threads_(const int32_t *);
void omp_set_num_threads_8_(const int64_t *);
int32_t omp_get_max_threads_(void);
int32_t omp_get_num_threads_(void);
int32_t omp_get_thread_num_(void);
int32_t omp_in_parallel_(void);
int32_t omp_get_num_procs_(void);
void omp_set_dynamic_(const int32_t *);
void omp_set_dynamic_8_(const int64_t *);
int32_t omp_get_dynamic_(void);
void omp_set_nested_(const int32_t *);
void omp_set_nested_8_(const int64_t *);
int32_t omp_get_nested_(void);
void omp_set_schedule_(const int32_t *, const int32_t *);
void omp_set_schedule_8_(const int32_t *, const int64_t *);
void omp_get_schedule_(int32_t *, int32_t *);
void omp_get_schedule_8_(int32_t *, int64_t *);
int32_t omp_get_thread_limit_(void);
void omp_set_max_active_levels_(const int32_t *);
void omp_set_max_active_levels_8_(const int64_t *);
int32_t omp_get_max_active_levels_(void);
int32_t omp_get_supported_active_levels_(void);
int32_t omp_get_level_(void);
int32_t omp_get_active_level_(void);
int32_t omp_get_ancestor_thread_num_(const int32_t *);
int32_t omp_get_ancestor_thread_num_8_(const int64_t *);
int32_t omp_get_team_size_(const int32_t *);
int32_t omp_get_team_size_8_(const int64_t *);
int32_t omp_get_cancellation_(void);
int32_t omp_get_proc_bind_(void);
int32_t omp_get_max_task_priority_(void);
void omp_set_default_device_(const int32_t *);
void omp_set_default_device_8_(const int64_t *);
int32_t omp_get_default_device_(void);
int32_t omp_get_num_devices_(void);
int32_t omp_get_initial_device_(void);
int32_t omp_get_device_num_(void);
int32_t omp_is_initial_device_(void);
double omp_get_wtime_(void);
double omp_get_wtick_(void);

void omp_init_lock_(int32_t *);
void omp_destroy_lock_(int32_t *);
void omp_set_lock_(int32_t *);
void omp_unset_lock_(int32_t *);
int32_t omp_test_lock_(int32_t *);
void omp_init_nest_lock_(int64_t *);
void omp_destroy_nest_lock_(int64_t *);
void omp_set_nest_lock_(int64_t *);
void omp_unset_nest_lock_(int64_t *);
int32_t omp_test_nest_lock_(int64_t *);

static void icvs(void) {
  int32_t four = 4, yes = 1, no = 0;
  int64_t huge = (int64_t)1 << 40, tiny = -((int64_t)1 << 40), three8 = 3;
  omp_set_num_threads_(&four);
  HT_CHECK(omp_get_max_threads() == 4 && omp_get_max_threads_() == 4, "num threads 4");
  omp_set_num_threads_8_(&huge);
  HT_CHECK(omp_get_max_threads_() == INT_MAX, "_8_ clamps to INT_MAX: %d", omp_get_max_threads_());
  omp_set_num_threads_8_(&tiny);
  HT_CHECK(omp_get_max_threads_() == 1, "_8_ clamps to INT_MIN, then 1: %d",
           omp_get_max_threads_());
  omp_set_num_threads_8_(&three8);
  HT_CHECK(omp_get_max_threads() == 3, "num threads 3");

  int64_t big_true = (int64_t)1 << 33; /* non-zero, but 0 in its low 32 bits */
  omp_set_dynamic_8_(&big_true);
  HT_CHECK(omp_get_dynamic_() == 1, "a 64-bit .true. is true");
  omp_set_dynamic_(&no);
  HT_CHECK(omp_get_dynamic_() == 0 && omp_get_dynamic() == 0, "dynamic off");

  omp_set_nested_(&yes);
  HT_CHECK(omp_get_nested_() == 1 && omp_get_max_active_levels_() == 255, "nested on");
  omp_set_nested_8_(&three8);
  HT_CHECK(omp_get_nested_() == 1, "nested on (_8_)");
  omp_set_nested_(&no);
  HT_CHECK(omp_get_nested_() == 0 && omp_get_max_active_levels() == 1, "nested off");
  int32_t two = 2;
  omp_set_max_active_levels_(&two);
  HT_CHECK(omp_get_max_active_levels_() == 2, "max levels 2");
  omp_set_max_active_levels_8_(&huge);
  HT_CHECK(omp_get_max_active_levels_() == omp_get_supported_active_levels_(), "clamped");
  omp_set_max_active_levels_(&two);

  /* The schedule: the monotonic bit is visible in C, not in Fortran. */
  int32_t kind = omp_sched_dynamic | omp_sched_monotonic, chunk = 6, k;
  int32_t c;
  omp_set_schedule_(&kind, &chunk);
  omp_sched_t ck;
  int cc;
  omp_get_schedule(&ck, &cc);
  HT_CHECK((unsigned)ck == (omp_sched_dynamic | omp_sched_monotonic) && cc == 6, "C view");
  omp_get_schedule_(&k, &c);
  HT_CHECK(k == omp_sched_dynamic && c == 6, "Fortran view %#x,%d", (unsigned)k, c);
  int32_t guided = omp_sched_guided;
  omp_set_schedule_8_(&guided, &huge);
  int64_t c8;
  omp_get_schedule_8_(&k, &c8);
  HT_CHECK(k == omp_sched_guided && c8 == INT_MAX, "_8_: %d,%lld", k, (long long)c8);

  HT_CHECK(omp_get_level_() == 0 && omp_get_active_level_() == 0 && omp_in_parallel_() == 0 &&
               omp_get_num_threads_() == 1 && omp_get_thread_num_() == 0,
           "outside any region");
  HT_CHECK(omp_get_num_procs_() == omp_get_num_procs() && omp_get_num_procs_() >= 1, "procs");
  HT_CHECK(omp_get_thread_limit_() == omp_get_thread_limit(), "thread limit");
  HT_CHECK(omp_get_cancellation_() == 0 && omp_get_proc_bind_() == 0 &&
               omp_get_max_task_priority_() == 0,
           "defaults");
  int32_t dev = 5, neg = -3;
  omp_set_default_device_(&dev);
  HT_CHECK(omp_get_default_device_() == 5, "device 5");
  omp_set_default_device_(&neg);
  HT_CHECK(omp_get_default_device_() == 0, "negative device");
  omp_set_default_device_8_(&three8);
  HT_CHECK(omp_get_default_device() == 3, "device 3");
  HT_CHECK(omp_get_num_devices_() == 0 && omp_get_initial_device_() == 0 &&
               omp_get_device_num_() == 0 && omp_is_initial_device_() == 1,
           "host only");
  HT_CHECK(omp_get_wtick_() > 0 && omp_get_wtime_() > 0, "time");

  int bad = 0;
#pragma omp parallel num_threads(3)
  {
    int32_t l1 = 1, l0 = 0, l5 = 5;
    int64_t l1_8 = 1, far = (int64_t)1 << 35;
    if (omp_get_level_() != 1 || omp_get_num_threads_() != 3 ||
        omp_get_thread_num_() != omp_get_thread_num() ||
        omp_get_ancestor_thread_num_(&l1) != omp_get_thread_num() ||
        omp_get_ancestor_thread_num_8_(&l1_8) != omp_get_thread_num() ||
        omp_get_ancestor_thread_num_(&l0) != 0 || omp_get_team_size_(&l1) != 3 ||
        omp_get_team_size_8_(&l1_8) != 3 || omp_get_team_size_(&l5) != -1 ||
        omp_get_team_size_8_(&far) != -1 || omp_in_parallel_() != 1)
#pragma omp atomic
      bad++;
  }
  HT_CHECK(bad == 0, "%d threads got wrong answers", bad);
}

static void locks(int n) {
  int32_t lock;
  int64_t nest;
  omp_init_lock_(&lock);
  omp_init_nest_lock_(&nest);
  HT_CHECK(nest != 0, "the nest lock variable holds a pointer");
  long counter = 0, nested_counter = 0;
  int depth_bad = 0;
#pragma omp parallel num_threads(n)
  for (int i = 0; i < 2000; i++) {
    omp_set_lock_(&lock);
    long v = counter; /* a torn update shows if exclusion fails */
    counter = v + 1;
    omp_unset_lock_(&lock);
    while (!omp_test_lock_(&lock))
      ;
    counter++;
    omp_unset_lock_(&lock);

    omp_set_nest_lock_(&nest);
    int depth = omp_test_nest_lock_(&nest);
    if (depth != 2)
#pragma omp atomic
      depth_bad++;
    nested_counter++;
    omp_unset_nest_lock_(&nest);
    omp_unset_nest_lock_(&nest);
  }
  HT_CHECK(counter == 4000L * n, "counter %ld, want %ld", counter, 4000L * n);
  HT_CHECK(nested_counter == 2000L * n && depth_bad == 0, "nest lock: %ld, %d bad depths",
           nested_counter, depth_bad);
  omp_destroy_lock_(&lock);
  omp_destroy_nest_lock_(&nest);
}

/* The OpenMP 2.5 Fortran locks: a thread-owned nest lock of 8 bytes
 * held in the Fortran variable itself. */
static void old_locks(void) {
  typedef void (*nest_fn)(int64_t *);
  typedef void (*lock_fn)(int32_t *);
#define OLD(type, name) ((type)dlvsym(RTLD_DEFAULT, name, "OMP_1.0"))
  nest_fn init = OLD(nest_fn, "omp_init_nest_lock_"), set = OLD(nest_fn, "omp_set_nest_lock_"),
          unset = OLD(nest_fn, "omp_unset_nest_lock_"),
          destroy = OLD(nest_fn, "omp_destroy_nest_lock_");
  int32_t (*test)(int64_t *) = OLD(int32_t(*)(int64_t *), "omp_test_nest_lock_");
  lock_fn init1 = OLD(lock_fn, "omp_init_lock_"), set1 = OLD(lock_fn, "omp_set_lock_"),
          unset1 = OLD(lock_fn, "omp_unset_lock_");
  HT_CHECK(init && set && unset && test && destroy && init1 && set1 && unset1,
           "the OMP_1.0 Fortran lock routines are missing");
  int64_t nest = -1;
  init(&nest);
  long counter = 0;
  int bad = 0;
#pragma omp parallel num_threads(3)
  for (int i = 0; i < 1000; i++) {
    set(&nest);
    if (test(&nest) != 2)
#pragma omp atomic
      bad++;
    counter++;
    unset(&nest);
    unset(&nest);
  }
  HT_CHECK(counter == 3000 && bad == 0, "OMP_1.0 nest lock: %ld, %d bad", counter, bad);
  destroy(&nest);
  int32_t lock;
  init1(&lock);
  counter = 0;
#pragma omp parallel num_threads(3)
  for (int i = 0; i < 1000; i++) {
    set1(&lock);
    counter++;
    unset1(&lock);
  }
  HT_CHECK(counter == 3000, "OMP_1.0 simple lock: %ld", counter);
}

int main(void) {
  icvs();
  old_locks();
  static const int sizes[] = {1, 2, 3, 8};
  for (int i = 0; i < 4; i++)
    locks(sizes[i]);
  return 0;
}
