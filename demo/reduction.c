/* reduction.c -- demonstration kernel: reductions.  The Basel sum
 * sum 1/k^2 (which tends to pi^2/6), an exact integer count (odd numbers up
 * to N divisible by none of 9, 25, 49) and the maximum of a hash, in one
 * worksharing loop with reduction(+) and reduction(max) clauses.
 * RESULT: the integer results exactly and the floating-point sum to 9
 * significant digits (the order in which the runtime combines the threads'
 * partial sums may differ; the value must not, beyond rounding). */
#include "demo.h"

#include <math.h>

enum { REPS = 3 };
static const long N = 40000000;

int main(void) {
  demo_print_runtime("reduction");
  struct demo_member members[DEMO_MAX_THREADS];
  long counted[DEMO_MAX_THREADS];
  int nthreads = 1;
  double best = 1e30, basel = 0;
  long squarefree_odd = 0;
  unsigned long maxmix = 0;
  for (int rep = 0; rep < REPS; rep++) {
    double sum = 0;
    long count = 0;
    unsigned long mx = 0;
    double t0 = demo_now();
#pragma omp parallel
    {
      long mine = 0;
#pragma omp for schedule(static) reduction(+ : sum, count) reduction(max : mx)
      for (long k = 1; k <= N; k++) {
        sum += 1.0 / ((double)k * (double)k);
        /* odd numbers not divisible by 9, 25 or 49 */
        count += (k & 1) && k % 9 && k % 25 && k % 49;
        unsigned long h = (unsigned long)k * 0x9E3779B97F4A7C15ul;
        h ^= h >> 29;
        if (h > mx)
          mx = h;
        mine++;
      }
      int id = omp_get_thread_num();
      if (id < DEMO_MAX_THREADS) {
        counted[id] = mine;
        demo_member_record(members);
      }
#pragma omp single nowait
      nthreads = omp_get_num_threads();
    }
    double t = demo_now() - t0;
    if (t < best)
      best = t;
    basel = sum;
    squarefree_odd = count;
    maxmix = mx;
  }
  printf("terms summed by each OpenMP thread:\n");
  long total = 0;
  for (int i = 0; i < nthreads && i < DEMO_MAX_THREADS; i++) {
    char what[64];
    snprintf(what, sizeof what, "%ld terms", counted[i]);
    demo_member_print(i, &members[i], what);
    total += counted[i];
  }
  double exact = M_PI * M_PI / 6 - 1.0 / (double)N; /* tail ~ 1/N */
  printf("sum 1/k^2 = %.15f (pi^2/6 - 1/N = %.15f)\n", basel, exact);
  if (total != N || fabs(basel - exact) > 1e-9) {
    printf("ERROR: wrong reduction (terms %ld, sum %.15f)\n", total, basel);
    return 1;
  }
  printf("RESULT basel=%.9e count=%ld max=%016lx\n", basel, squarefree_odd, maxmix);
  demo_print_time(best);
  return 0;
}
