/* naive_dgemm.c -- real kernel: a naive DGEMM (C = A B, i-k-j loop order,
 * rows shared out by a static worksharing loop), the time of one
 * multiplication in ms.  The result is checked against a serial run. */
#include "bench.h"

#include <math.h>

enum { N = 512 };
static double a[N][N], b[N][N], c[N][N], check[N][N];

static void multiply(double (*out)[N], int parallel) {
#pragma omp parallel for schedule(static) if (parallel)
  for (int i = 0; i < N; i++) {
    for (int j = 0; j < N; j++)
      out[i][j] = 0;
    for (int k = 0; k < N; k++) {
      double aik = a[i][k];
      for (int j = 0; j < N; j++)
        out[i][j] += aik * b[k][j];
    }
  }
}

void bench_naive_dgemm(const char *only) {
  if (!bench_selected(only, "NAIVE_DGEMM"))
    return;
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      a[i][j] = (double)((i * 7 + j * 3) % 17) - 8;
      b[i][j] = (double)((i * 5 + j * 11) % 13) - 6;
    }
  multiply(check, 0);
  multiply(c, 1); /* warm-up: the runtime starts its threads */
  int reps = bench_outer < 10 ? 3 : 5;
  double v[5];
  for (int r = 0; r < reps; r++) {
    double t0 = bench_now();
    multiply(c, 1);
    v[r] = (bench_now() - t0) * 1e3;
  }
  if (memcmp(c, check, sizeof c) != 0)
    fprintf(stderr, "NAIVE_DGEMM: the parallel result differs from the serial one\n");
  bench_samples("kernels", "NAIVE_DGEMM", "ms", v, reps);
}
