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

enum { REGIONS = 40, TINY = 20000 };
#define SPIN_LIMIT_S 20.0

static atomic_int runs[TINY];
static atomic_int set_runs, spin_runs, spin_timeouts;
static atomic_int flag;

static void tiny(int k) { atomic_fetch_add_explicit(&runs[k], 1, memory_order_relaxed); }

static void spin_for_flag(void) {
  double start = omp_get_wtime();
  while (!atomic_load_explicit(&flag, memory_order_acquire)) {
    if (omp_get_wtime() - start > SPIN_LIMIT_S) {
      atomic_fetch_add(&spin_timeouts, 1);
      break;
    }
  }
  atomic_fetch_add(&spin_runs, 1);
}

int main(void) {
  int fails = 0, regions_of_two = 0;
  omp_set_dynamic(0);
  for (int r = 0; r < REGIONS; r++) {
    for (int k = 0; k < TINY; k++)
      atomic_store(&runs[k], 0);
    atomic_store(&set_runs, 0);
    atomic_store(&spin_runs, 0);
    atomic_store(&flag, 0);
    int two = 0;
#pragma omp parallel num_threads(2) shared(two)
    {
      if (omp_get_thread_num() == 0) {
        two = omp_get_num_threads() == 2;
        for (int k = 0; k < TINY; k++) {
#pragma omp task firstprivate(k)
          tiny(k);
        }
        if (two) {
#pragma omp taskwait
#pragma omp task
          {
            atomic_fetch_add(&set_runs, 1);
            atomic_store_explicit(&flag, 1, memory_order_release);
          }
#pragma omp task
          spin_for_flag();
        }
      }
    }
    regions_of_two += two;
    for (int k = 0; k < TINY; k++)
      if (atomic_load(&runs[k]) != 1 && fails++ < 5)
        fprintf(stderr, "region %d: tiny task %d ran %d times\n", r, k, atomic_load(&runs[k]));
    if (two && (atomic_load(&set_runs) != 1 || atomic_load(&spin_runs) != 1) && fails++ < 5)
      fprintf(stderr, "region %d: SET ran %d times, SPIN %d times\n", r, atomic_load(&set_runs),
              atomic_load(&spin_runs));
  }
  if (atomic_load(&spin_timeouts)) {
    fprintf(stderr, "%d times the task waiting for its sibling waited %.0f s: the idle thread "
                    "never took the sibling\n",
            atomic_load(&spin_timeouts), SPIN_LIMIT_S);
    fails++;
  }
  if (!regions_of_two) {
    fprintf(stderr, "no region had two threads\n");
    fails++;
  }
  printf("%d regions of 2 threads, %d failures\n", regions_of_two, fails);
  return fails != 0;
}
