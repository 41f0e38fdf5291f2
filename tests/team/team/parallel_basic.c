/* Every thread of a team runs the region exactly once, with distinct ids. */
// TEST-ENV: OMP_NUM_THREADS=2
// TEST-ENV: OMP_NUM_THREADS=3
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  for (int n = 1; n <= 8; n++) {
    int seen[8] = {0};
    int team = -1;
#pragma omp parallel num_threads(n)
    {
#pragma omp atomic
      seen[omp_get_thread_num()]++;
#pragma omp single
      team = omp_get_num_threads();
    }
    if (team != n) {
      fprintf(stderr, "num_threads(%d) gave %d threads\n", n, team);
      return 1;
    }
    for (int i = 0; i < n; i++)
      if (seen[i] != 1) {
        fprintf(stderr, "thread %d ran %d times\n", i, seen[i]);
        return 1;
      }
  }
  return 0;
}
