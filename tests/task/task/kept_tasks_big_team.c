/* The tasks a thread keeps after a push in a team of more than 8 threads
 * (an implicit task's two newest) are not advertised for thieves while the
 * team fits its CPUs and nobody sleeps (Note [Kept tasks are not
 * advertised] in task_handoff.c): idle threads find them only at their
 * occasional look at unadvertised deques, and a push while members sleep
 * advertises them for the thread it wakes.  Here the primary makes 1, 2 or
 * 3 tasks and then spins outside any task scheduling point until other
 * threads have run them all:
 *   - while the others wait at the barrier (spinning, or asleep under
 *     OMP_WAIT_POLICY=passive, where each push must wake one and the
 *     woken thread must find the task);
 *   - after the others have slept at the barrier for a while (the primary
 *     sleeps 5 ms first), so that the pushes meet sleepers under any wait
 *     policy.
 * Teams of 12, 24 and 70 threads.  A task nobody else runs fails the test
 * after 60 s; a task run twice or not at all fails it too.  Prints the
 * longest wait of each kind.  Run as it is (crowded CPUs: kept tasks
 * advertised as before), with HSOMP_ASSUME_NCPUS=128 (the team fits) and
 * with that and passive waits. */
// TEST-TIMEOUT: 300
// TEST-ENV: HSOMP_TEST_VARIANT=crowded
// TEST-ENV: HSOMP_ASSUME_NCPUS=128
// TEST-ENV: HSOMP_ASSUME_NCPUS=128,OMP_WAIT_POLICY=passive
#include <omp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

enum { ROUNDS = 10, MOST = 3 };

/* Seconds the primary waited for its `k' tasks, which it makes after
 * sleeping `nap_ms', or -1 if they did not all run elsewhere within 60 s or
 * one ran twice. */
static double kept_round(int nthreads, int k, int nap_ms) {
  atomic_int ran[MOST], elsewhere = 0, failed = 0;
  double waited = 0;
  for (int i = 0; i < MOST; i++)
    atomic_init(&ran[i], 0);
#pragma omp parallel num_threads(nthreads) shared(ran, elsewhere, failed, waited)
  {
    if (omp_get_thread_num() == 0 && omp_get_num_threads() > 1) {
      if (nap_ms) {
        struct timespec ts = {0, nap_ms * 1000000L};
        nanosleep(&ts, NULL);
      }
      for (int i = 0; i < k; i++) {
#pragma omp task firstprivate(i) shared(ran, elsewhere)
        {
          atomic_fetch_add(&ran[i], 1);
          if (omp_get_thread_num() != 0)
            atomic_fetch_add(&elsewhere, 1);
        }
      }
      double start = omp_get_wtime();
      while (atomic_load(&elsewhere) < k)
        if (omp_get_wtime() - start > 60) {
          atomic_store(&failed, 1);
          break;
        }
      waited = omp_get_wtime() - start;
    }
#pragma omp barrier
  }
  if (atomic_load(&failed))
    return -1;
  for (int i = 0; i < k; i++)
    if (atomic_load(&ran[i]) != 1) {
      fprintf(stderr, "task %d of %d ran %d times\n", i, k, atomic_load(&ran[i]));
      return -1;
    }
  return waited;
}

int main(void) {
  static const int sizes[] = {12, 24, 70};
  omp_set_dynamic(0);
  for (unsigned s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
    int n = sizes[s];
    double most[2] = {0, 0};
    for (int round = 0; round < ROUNDS; round++)
      for (int k = 1; k <= MOST; k++)
        for (int nap = 0; nap < 2; nap++) {
          double w = kept_round(n, k, nap ? 5 : 0);
          if (w < 0) {
            fprintf(stderr,
                    "FAIL: team of %d, round %d: the primary's %d task(s)%s did not all run once "
                    "on other threads while it waited (60 s)\n",
                    n, round, k, nap ? " made after the others slept" : "");
            return 1;
          }
          if (w > most[nap])
            most[nap] = w;
        }
    printf("team of %d: longest wait %.6f s (others at the barrier), %.6f s (after they "
           "slept)\n",
           n, most[0], most[1]);
  }
  printf("ok\n");
  return 0;
}
