/* A thief at a barrier that has stolen only tiny tasks pauses between
 * steals (hsomp: Note [Idle thieves and tiny tasks] in task_sched.c), and
 * the pause must neither lose nor repeat a task nor keep it from taking a
 * task that only it can run.  A team of 2, many regions (the thief's
 * estimate carries over from one region to the next):
 *   - thread 0 makes TINY tasks of a few instructions each while thread 1
 *     waits at the region's barrier, stealing them (and, on hsomp, learns
 *     that they are tiny and pauses);
 *   - after a taskwait (its deque empty, so the next two are queued, not
 *     throttled), thread 0 makes a task SET that sets a flag, then a task
 *     SPIN that waits for the flag, and goes to the barrier: it takes its
 *     newest task, SPIN, which can end only when thread 1 steals SET.
 * A thief whose pause did not end would leave SPIN waiting: it gives up
 * after SPIN_LIMIT_S and the test fails.  Every task must run exactly
 * once. */
// TEST-TIMEOUT: 120
#include <omp.h>
#include <stdatomic.h>
#include <stdio.h>

#include "sibling_pair.h"

enum { REGIONS = 40, TINY = 20000 };

static atomic_int runs[TINY];

static void tiny(int k) { atomic_fetch_add_explicit(&runs[k], 1, memory_order_relaxed); }

int main(void) {
  int fails = 0, regions_of_two = 0;
  omp_set_dynamic(0);
  for (int r = 0; r < REGIONS; r++) {
    for (int k = 0; k < TINY; k++)
      atomic_store(&runs[k], 0);
    sibling_pair_reset();
    int two = 0;
#pragma omp parallel num_threads(2) shared(two)
    {
      if (omp_get_thread_num() == 0) {
        two = omp_get_num_threads() == 2;
        for (int k = 0; k < TINY; k++) {
#pragma omp task firstprivate(k)
          tiny(k);
        }
        if (two)
          sibling_pair_make();
      }
    }
    regions_of_two += two;
    for (int k = 0; k < TINY; k++)
      if (atomic_load(&runs[k]) != 1 && fails++ < 5)
        fprintf(stderr, "region %d: tiny task %d ran %d times\n", r, k, atomic_load(&runs[k]));
    if (two)
      sibling_pair_check(r, &fails);
  }
  sibling_pair_check_timeouts(&fails);
  if (!regions_of_two) {
    fprintf(stderr, "no region had two threads\n");
    fails++;
  }
  printf("%d regions of 2 threads, %d failures\n", regions_of_two, fails);
  return fails != 0;
}
