/* sibling_pair.h -- a pair of sibling tasks that only two threads can
 * finish: SET sets a flag, SPIN waits for it.  Made after a taskwait (the
 * maker's deque empty, so both are queued, not throttled), SPIN is the
 * maker's newest task and the one it takes at the barrier; SPIN can end
 * only when the other thread takes SET.  A SPIN that waited SPIN_LIMIT_S
 * gives up and is counted: the other thread never took SET. */
#ifndef HSOMP_TEST_SIBLING_PAIR_H
#define HSOMP_TEST_SIBLING_PAIR_H

#include <omp.h>
#include <stdatomic.h>
#include <stdio.h>

#define SPIN_LIMIT_S 20.0

static atomic_int set_runs, spin_runs, spin_timeouts;
static atomic_int flag;

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

/* Before each region. */
static void sibling_pair_reset(void) {
  atomic_store(&set_runs, 0);
  atomic_store(&spin_runs, 0);
  atomic_store(&flag, 0);
}

/* In a task region of 2 threads, by one of them. */
static void sibling_pair_make(void) {
#pragma omp taskwait
#pragma omp task
  {
    atomic_fetch_add(&set_runs, 1);
    atomic_store_explicit(&flag, 1, memory_order_release);
  }
#pragma omp task
  spin_for_flag();
}

/* After region r: each of the pair ran once. */
static void sibling_pair_check(int r, int *fails) {
  if ((atomic_load(&set_runs) != 1 || atomic_load(&spin_runs) != 1) && (*fails)++ < 5)
    fprintf(stderr, "region %d: SET ran %d times, SPIN %d times\n", r, atomic_load(&set_runs),
            atomic_load(&spin_runs));
}

/* After every region: no SPIN gave up. */
static void sibling_pair_check_timeouts(int *fails) {
  if (atomic_load(&spin_timeouts)) {
    fprintf(stderr, "%d times the task waiting for its sibling waited %.0f s: the idle thread "
                    "never took the sibling\n",
            atomic_load(&spin_timeouts), SPIN_LIMIT_S);
    (*fails)++;
  }
}

#endif
