/* C side of the profiled program (test/prof-project/Main.hs): an OpenMP
 * reduction, and the function HsOmp.Inline's batchApply calls. */
#include <stdint.h>

double prof_sum(long n) {
  double s = 0;
#pragma omp parallel for reduction(+ : s)
  for (long i = 0; i < n; i++)
    s += (double)i;
  return s;
}

intptr_t prof_count(void *p) {
  intptr_t *calls = p;
  ++*calls;
  return 1;
}
