/* omp_nest_lock_t: the owner may set it again (the count goes up), other
 * threads are excluded until the count returns to 0; omp_test_nest_lock
 * returns the new nesting count, or 0 when another thread holds it.
 * Teams of 1, 2, 3 and 8 threads. */
// TEST-TIMEOUT: 30
#include <omp.h>
#include <stdio.h>

static volatile long counter;

static void slow_increment(void) {
  long v = counter;
  for (int k = 0; k < 20; k++)
    __asm__ volatile("" ::: "memory");
  counter = v + 1;
}

/* Each thread takes the lock `depth` deep (set or test), bumps the
 * counter at every level, and releases it as many times.  The test form
 * checks the nesting count it gets at every level. */
static void nested(omp_nest_lock_t *lock, int level, int depth, int use_test, int *bad_count) {
  if (level > depth)
    return;
  if (use_test) {
    int c;
    while ((c = omp_test_nest_lock(lock)) == 0)
      ;
    if (c != level) {
#pragma omp atomic
      (*bad_count)++;
    }
  } else {
    omp_set_nest_lock(lock);
  }
  slow_increment();
  nested(lock, level + 1, depth, use_test, bad_count);
  omp_unset_nest_lock(lock);
}

static int check_exclusion(int n, int use_test) {
  const int per_thread = 5000, depth = 3;
  omp_nest_lock_t lock;
  omp_init_nest_lock(&lock);
  counter = 0;
  int team = 0, bad_count = 0;
#pragma omp parallel num_threads(n)
  {
#pragma omp master
    team = omp_get_num_threads();
#pragma omp barrier
    for (int i = 0; i < per_thread; i++)
      nested(&lock, 1, depth, use_test, &bad_count);
  }
  omp_destroy_nest_lock(&lock);
  if (team != n || counter != (long)n * per_thread * depth || bad_count) {
    fprintf(stderr, "%s, %d threads (got %d): counter %ld, expected %ld, %d wrong counts\n",
            use_test ? "omp_test_nest_lock" : "omp_set_nest_lock", n, team, counter,
            (long)n * per_thread * depth, bad_count);
    return 1;
  }
  return 0;
}

static int check_counts(void) {
  int bad = 0;
  omp_nest_lock_t lock;
  omp_init_nest_lock(&lock);
  /* The initial thread alone: counts 1, 2, 3, then set (4) and release. */
  for (int want = 1; want <= 3; want++) {
    int got = omp_test_nest_lock(&lock);
    if (got != want) {
      fprintf(stderr, "omp_test_nest_lock returned %d, expected %d\n", got, want);
      bad = 1;
    }
  }
  omp_set_nest_lock(&lock);
  if (omp_test_nest_lock(&lock) != 5) {
    fprintf(stderr, "omp_test_nest_lock after set: not 5\n");
    bad = 1;
  }
  for (int i = 0; i < 5; i++)
    omp_unset_nest_lock(&lock);

  /* Thread 0 holds it twice; thread 1 must fail until both are released. */
  int r_held2 = -1, r_held1 = -1, r_free = -1, r_free2 = -1;
#pragma omp parallel num_threads(2)
  {
    int me = omp_get_thread_num();
    if (me == 0) {
      omp_set_nest_lock(&lock);
      omp_set_nest_lock(&lock);
    }
#pragma omp barrier
    if (me == 1)
      r_held2 = omp_test_nest_lock(&lock);
#pragma omp barrier
    if (me == 0)
      omp_unset_nest_lock(&lock);
#pragma omp barrier
    if (me == 1)
      r_held1 = omp_test_nest_lock(&lock);
#pragma omp barrier
    if (me == 0)
      omp_unset_nest_lock(&lock);
#pragma omp barrier
    if (me == 1) {
      r_free = omp_test_nest_lock(&lock);
      r_free2 = omp_test_nest_lock(&lock);
      omp_unset_nest_lock(&lock);
      omp_unset_nest_lock(&lock);
    }
  }
  if (r_held2 != 0 || r_held1 != 0 || r_free != 1 || r_free2 != 2) {
    fprintf(stderr, "two threads: held twice %d, held once %d (want 0 0), free %d %d (want 1 2)\n",
            r_held2, r_held1, r_free, r_free2);
    bad = 1;
  }
  /* Free again for the initial thread. */
  if (omp_test_nest_lock(&lock) != 1) {
    fprintf(stderr, "lock not free at the end\n");
    bad = 1;
  } else {
    omp_unset_nest_lock(&lock);
  }
  omp_destroy_nest_lock(&lock);
  return bad;
}

int main(void) {
  int bad = check_counts();
  int sizes[] = {1, 2, 3, 8};
  for (int i = 0; i < 4; i++) {
    bad |= check_exclusion(sizes[i], 0);
    bad |= check_exclusion(sizes[i], 1);
  }
  return bad;
}
