/* crowded.c -- far more threads than CPUs (Note [A crowded process] in
 * src/team/team.c): the time of one region of 5000 threads, and of regions
 * nested 13 deep with teams of 2 (8192 threads at the leaves), in ms.
 * Each sample is one run after a warm-up run (the threads exist). */
#include "bench.h"

static long leaves;

static void nest(int depth) {
  if (depth == 0) {
#pragma omp atomic
    leaves++;
    return;
  }
#pragma omp parallel num_threads(2)
  nest(depth - 1);
}

static void big_region(void) {
  long n = 0;
#pragma omp parallel num_threads(5000) reduction(+ : n)
  n++;
  if (n != 5000)
    printf("crowded: a team of %ld\n", n);
}

void bench_crowded(const char *only) {
  int samples = bench_outer < 10 ? 3 : 5;
  double v[5];
  if (bench_selected(only, "REGION_5000_THREADS")) {
    big_region();
    for (int s = 0; s < samples; s++) {
      double t0 = bench_now();
      big_region();
      v[s] = 1e3 * (bench_now() - t0);
    }
    bench_samples("crowded", "REGION_5000_THREADS", "ms", v, samples);
  }
  if (bench_selected(only, "NESTED_13_DEEP")) {
    omp_set_max_active_levels(13);
    nest(13);
    for (int s = 0; s < samples; s++) {
      leaves = 0;
      double t0 = bench_now();
      nest(13);
      v[s] = 1e3 * (bench_now() - t0);
      if (leaves != 1L << 13)
        printf("crowded: %ld leaves\n", leaves);
    }
    bench_samples("crowded", "NESTED_13_DEEP", "ms", v, samples);
  }
}
