/* eventlog_kernel.c -- the OpenMP program of test/EventlogSpec.hs: `rounds'
 * parallel regions of `threads' threads, each with a dynamic loop of 100
 * iterations (chunks of 10) and three tasks made by a single. */
#include <omp.h>

static volatile long sink;

int eventlog_kernel(int rounds, int threads) {
  for (int r = 0; r < rounds; r++) {
#pragma omp parallel num_threads(threads)
    {
#pragma omp for schedule(dynamic, 10)
      for (int i = 0; i < 100; i++)
        sink += i;
#pragma omp single
      for (int t = 0; t < 3; t++) {
#pragma omp task
        sink += t;
      }
    }
  }
  return omp_get_max_threads() >= 1 ? 0 : 1;
}
