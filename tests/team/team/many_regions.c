/* 10^5 short regions in a row, alternating team sizes 1, 2 and 3 (the
 * pattern LAPACK-on-OpenBLAS produces): every thread of every region runs.
 * The libgomp run (which only keeps the test honest) does 10^4: on a
 * loaded 2-CPU machine libgomp's oversubscribed spinning costs it up to
 * 20 ms per region.  The limit is generous because every region needs its
 * threads scheduled: beside six busy loops and `ctest -j4` the hsomp run
 * took 78-120 s (0.8-1.2 ms a region; libgomp's 10^4 took 49-53 s). */
// TEST-TIMEOUT: 300
#include "hsomp_test.h"
#include <omp.h>
#include <stdio.h>

int main(void) {
  long runs = 0, expected = 0;
  int regions = ht_expect_hsomp() ? 100000 : 10000;
  for (int r = 0; r < regions; r++) {
    int n = 1 + r % 3;
    expected += n;
#pragma omp parallel num_threads(n)
    {
#pragma omp atomic
      runs++;
    }
  }
  if (runs != expected) {
    fprintf(stderr, "ran %ld implicit tasks, expected %ld\n", runs, expected);
    return 1;
  }
  return 0;
}
