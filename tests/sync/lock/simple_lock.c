/* omp_lock_t: 4 bytes; omp_set_lock/omp_unset_lock exclude each other in
 * teams of 1, 2, 3 and 8 threads (a non-atomic read-pause-write counter
 * loses updates without the lock); omp_test_lock fails while another
 * thread holds the lock and succeeds once it is free. */
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

static int check_exclusion(int n, int use_test_lock) {
  const int per_thread = 20000;
  omp_lock_t lock;
  omp_init_lock(&lock);
  counter = 0;
  int team = 0;
#pragma omp parallel num_threads(n)
  {
#pragma omp master
    team = omp_get_num_threads();
#pragma omp barrier
    for (int i = 0; i < per_thread; i++) {
      if (use_test_lock) {
        while (!omp_test_lock(&lock))
          ;
      } else {
        omp_set_lock(&lock);
      }
      slow_increment();
      omp_unset_lock(&lock);
    }
  }
  omp_destroy_lock(&lock);
  if (counter != (long)team * per_thread || team != n) {
    fprintf(stderr, "%s, %d threads (got %d): counter %ld, expected %ld\n",
            use_test_lock ? "omp_test_lock" : "omp_set_lock", n, team, counter,
            (long)n * per_thread);
    return 1;
  }
  return 0;
}

/* Thread 0 holds the lock while thread 1 tests it, then releases it. */
static int check_test_lock(void) {
  omp_lock_t lock;
  omp_init_lock(&lock);
  int held_result = -1, free_result = -1;
#pragma omp parallel num_threads(2)
  {
    if (omp_get_thread_num() == 0)
      omp_set_lock(&lock);
#pragma omp barrier
    if (omp_get_thread_num() == 1)
      held_result = omp_test_lock(&lock);
#pragma omp barrier
    if (omp_get_thread_num() == 0)
      omp_unset_lock(&lock);
#pragma omp barrier
    if (omp_get_thread_num() == 1) {
      free_result = omp_test_lock(&lock);
      if (free_result)
        omp_unset_lock(&lock);
    }
  }
  /* And from the initial thread alone. */
  int solo = omp_test_lock(&lock);
  int again_free = 0;
  if (solo) {
    omp_unset_lock(&lock);
    again_free = omp_test_lock(&lock);
    if (again_free)
      omp_unset_lock(&lock);
  }
  omp_destroy_lock(&lock);
  if (held_result != 0 || free_result == 0 || !solo || !again_free) {
    fprintf(stderr, "omp_test_lock: held %d (want 0), free %d, solo %d, again %d (want non-0)\n",
            held_result, free_result, solo, again_free);
    return 1;
  }
  return 0;
}

int main(void) {
  if (sizeof(omp_lock_t) != 4 || sizeof(omp_nest_lock_t) != 16) {
    fprintf(stderr, "sizeof omp_lock_t %zu, omp_nest_lock_t %zu\n", sizeof(omp_lock_t),
            sizeof(omp_nest_lock_t));
    return 1;
  }
  int bad = 0;
  int sizes[] = {1, 2, 3, 8};
  for (int i = 0; i < 4; i++) {
    bad |= check_exclusion(sizes[i], 0);
    bad |= check_exclusion(sizes[i], 1);
  }
  bad |= check_test_lock();
  return bad;
}
