/* num_threads(k) gives k threads when dynamic adjustment is off, even when k
 * exceeds the CPUs (and, on hsomp, the GHC Capabilities). */
#include <omp.h>
#include <stdio.h>

int main(void) {
  omp_set_dynamic(0);
  for (int k = 1; k <= 32; k *= 2) {
    int got = 0, ran = 0;
#pragma omp parallel num_threads(k)
    {
#pragma omp atomic
      ran++;
#pragma omp barrier
      if (omp_get_thread_num() == 0)
        got = omp_get_num_threads();
    }
    if (got != k || ran != k) {
      fprintf(stderr, "num_threads(%d): team of %d, %d ran\n", k, got, ran);
      return 1;
    }
  }
  return 0;
}
