/* teamsize.c -- changing team sizes: parallel regions whose size cycles
 * 1, 2, 3, 1, 2, 3, ... (the pattern OpenBLAS's LAPACK calls produce:
 * every call picks its own thread count), overhead per region against the
 * delays alone.  A runtime that rebuilds its team on every size change
 * pays for it here. */
#include "bench.h"

static void ref_delay(int inner) {
  for (int j = 0; j < inner; j++)
    delay(bench_delay_len);
}

static void test_cycle(int inner) {
  for (int j = 0; j < inner; j++) {
#pragma omp parallel num_threads(1 + j % 3)
    delay(bench_delay_len);
  }
}

void bench_teamsize(const char *only) {
  if (bench_selected(only, "SIZES_1_2_3"))
    bench_overhead("teamsize", "SIZES_1_2_3", test_cycle, ref_delay, 3);
}
