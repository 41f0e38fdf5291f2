/* 10^5 short regions in a row, alternating team sizes 1, 2 and 3 (the
 * pattern LAPACK-on-OpenBLAS produces): every thread of every region runs. */
// TEST-TIMEOUT: 120
#include <omp.h>
#include <stdio.h>

int main(void) {
  long runs = 0, expected = 0;
  for (int r = 0; r < 100000; r++) {
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
