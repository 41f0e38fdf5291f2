/* The OpenMP 2.5 lock entry points (symbol version OMP_1.0), which
 * programs linked before GCC 4.4 still call: simple locks on the same
 * 4-byte lock, nestable locks on the old 8-byte {owner, count} layout,
 * owned by a thread.  Found with dlvsym, as the dynamic linker would bind
 * an old binary's references. */
// TEST-LIBS: dl
// TEST-TIMEOUT: 30
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* dlvsym */
#endif
#include <dlfcn.h>
#include <omp.h>
#include <stdio.h>

typedef struct { int words[2]; } nest_lock_25;

static void (*init_lock)(omp_lock_t *), (*destroy_lock)(omp_lock_t *);
static void (*set_lock)(omp_lock_t *), (*unset_lock)(omp_lock_t *);
static int (*test_lock)(omp_lock_t *);
static void (*init_nest)(nest_lock_25 *), (*destroy_nest)(nest_lock_25 *);
static void (*set_nest)(nest_lock_25 *), (*unset_nest)(nest_lock_25 *);
static int (*test_nest)(nest_lock_25 *);

static int find(void *slot, const char *name, const char *version) {
  void *p = dlvsym(RTLD_DEFAULT, name, version);
  if (!p) {
    fprintf(stderr, "%s@%s not found: %s\n", name, version, dlerror());
    return 1;
  }
  *(void **)slot = p;
  return 0;
}

/* One counter per lock: each is guarded by its own lock only. */
static volatile long by_lock, by_nest;

static void slow_increment(volatile long *counter) {
  long v = *counter;
  for (int k = 0; k < 20; k++)
    __asm__ volatile("" ::: "memory");
  *counter = v + 1;
}

static int check_exclusion(int n) {
  const int per_thread = 5000;
  omp_lock_t lock;
  nest_lock_25 nest;
  init_lock(&lock);
  init_nest(&nest);
  by_lock = by_nest = 0;
  int team = 0, bad_counts = 0;
#pragma omp parallel num_threads(n)
  {
#pragma omp master
    team = omp_get_num_threads();
#pragma omp barrier
    for (int i = 0; i < per_thread; i++) {
      set_lock(&lock);
      slow_increment(&by_lock);
      unset_lock(&lock);
      set_nest(&nest);
      int c = test_nest(&nest); /* we own it: count 2 */
      slow_increment(&by_nest);
      if (c != 2) {
#pragma omp atomic
        bad_counts++;
      }
      unset_nest(&nest);
      unset_nest(&nest);
    }
  }
  destroy_lock(&lock);
  destroy_nest(&nest);
  long want = (long)n * per_thread;
  if (team != n || by_lock != want || by_nest != want || bad_counts) {
    fprintf(stderr, "%d threads (got %d): counters %ld (lock) %ld (nest lock), expected %ld; "
                    "%d wrong nest counts\n",
            n, team, by_lock, by_nest, want, bad_counts);
    return 1;
  }
  return 0;
}

static int check_test(void) {
  omp_lock_t lock;
  nest_lock_25 nest;
  init_lock(&lock);
  init_nest(&nest);
  int simple_held = -1, nest_held = -1, simple_free = -1, nest_free = -1;
#pragma omp parallel num_threads(2)
  {
    int me = omp_get_thread_num();
    if (me == 0) {
      set_lock(&lock);
      set_nest(&nest);
      set_nest(&nest);
    }
#pragma omp barrier
    if (me == 1) {
      simple_held = test_lock(&lock);
      nest_held = test_nest(&nest);
    }
#pragma omp barrier
    if (me == 0) {
      unset_lock(&lock);
      unset_nest(&nest);
      unset_nest(&nest);
    }
#pragma omp barrier
    if (me == 1) {
      simple_free = test_lock(&lock);
      nest_free = test_nest(&nest);
      if (simple_free)
        unset_lock(&lock);
      if (nest_free)
        unset_nest(&nest);
    }
  }
  destroy_lock(&lock);
  destroy_nest(&nest);
  if (simple_held != 0 || nest_held != 0 || simple_free == 0 || nest_free != 1) {
    fprintf(stderr, "held: simple %d nest %d (want 0 0); free: simple %d nest %d (want 1 1)\n",
            simple_held, nest_held, simple_free, nest_free);
    return 1;
  }
  return 0;
}

int main(void) {
  if (find(&init_lock, "omp_init_lock", "OMP_1.0") |
      find(&destroy_lock, "omp_destroy_lock", "OMP_1.0") |
      find(&set_lock, "omp_set_lock", "OMP_1.0") |
      find(&unset_lock, "omp_unset_lock", "OMP_1.0") |
      find(&test_lock, "omp_test_lock", "OMP_1.0") |
      find(&init_nest, "omp_init_nest_lock", "OMP_1.0") |
      find(&destroy_nest, "omp_destroy_nest_lock", "OMP_1.0") |
      find(&set_nest, "omp_set_nest_lock", "OMP_1.0") |
      find(&unset_nest, "omp_unset_nest_lock", "OMP_1.0") |
      find(&test_nest, "omp_test_nest_lock", "OMP_1.0"))
    return 1;
  /* The default versions are there too. */
  void *cur = dlvsym(RTLD_DEFAULT, "omp_set_nest_lock", "OMP_3.0");
  if (!cur) {
    fprintf(stderr, "omp_set_nest_lock@@OMP_3.0 not found\n");
    return 1;
  }
  int bad = check_test();
  int sizes[] = {1, 2, 3, 8};
  for (int i = 0; i < 4; i++)
    bad |= check_exclusion(sizes[i]);
  return bad;
}
