/* A barrier followed at once by a nested region (Note [Root release word]
 * in src/sync/barrier.c): the outer team's threads that wait in the
 * barrier fall asleep (one thread comes late), and every thread, once
 * released, opens an inner team with barriers of its own.  A thread that
 * released its outer children through a word it then reused for the inner
 * team's barriers left a child asleep waiting for a value that was gone:
 * the program hung.  With HSOMP_ASSUME_NCPUS=16 the outer team of 6 is a
 * tree of two levels (thread 1 releases thread 5), otherwise one level. */
// TEST-ENV: OMP_NUM_THREADS=2
// TEST-ENV: OMP_NUM_THREADS=6 HSOMP_ASSUME_NCPUS=16
// TEST-ENV: OMP_NUM_THREADS=6 OMP_WAIT_POLICY=passive
// TEST-TIMEOUT: 60
#include "hsomp_test.h"

#include <omp.h>
#include <unistd.h>

#define ROUNDS 200

int main(void) {
  omp_set_max_active_levels(2);
  omp_set_dynamic(0);
  int rounds_done = 0, inner_bad = 0;
  for (int r = 0; r < ROUNDS; r++) {
#pragma omp parallel
    {
      int n = omp_get_num_threads();
      /* The late thread: thread 0 in half the rounds, a tree parent (1)
       * or a leaf in the others, so the others sleep in the barrier. */
      int late = r % 4 < 2 ? 0 : r % 4 == 2 ? 1 % n : n - 1;
      if (omp_get_thread_num() == late)
        usleep(1000);
#pragma omp barrier
#pragma omp parallel num_threads(2)
      {
        int seen = 0;
        for (int k = 0; k < 4; k++) {
#pragma omp atomic
          seen++;
#pragma omp barrier
        }
        if (seen != 4) {
#pragma omp atomic
          inner_bad++;
        }
      }
#pragma omp barrier
#pragma omp master
      rounds_done++;
    }
  }
  HT_CHECK(rounds_done == ROUNDS, "%d rounds of %d", rounds_done, ROUNDS);
  HT_CHECK(inner_bad == 0, "%d inner teams miscounted", inner_bad);
  return 0;
}
