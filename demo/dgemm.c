/* dgemm.c -- demonstration kernel: a real OpenMP client library.  Debian's
 * OpenBLAS, OpenMP variant (built by Debian against libgomp, linked here
 * from /usr/lib/x86_64-linux-gnu/openblas-openmp), multiplies two matrices;
 * the program itself contains no OpenMP region in the timed part.  Under
 * hsomp-run OpenBLAS's parallel regions run on hsomp's workers.
 * RESULT: a checksum of C, after checking sampled entries against a naive
 * dot product. */
#include "demo.h"

#include <math.h>
#include <stdint.h>

/* From OpenBLAS's cblas.h (LP64 build: blasint is int). */
enum { CblasRowMajor = 101, CblasNoTrans = 111 };
void cblas_dgemm(int order, int transa, int transb, int m, int n, int k, double alpha,
                 const double *a, int lda, const double *b, int ldb, double beta, double *c,
                 int ldc);
int openblas_get_parallel(void); /* 2: OpenMP build */

enum { N = 1200, REPS = 3, SAMPLES = 2000 };

static double a[N * N], b[N * N], c[N * N];

static double entry(uint64_t i, uint64_t salt) {
  uint64_t h = (i + 1) * 0x9E3779B97F4A7C15ull ^ salt;
  h ^= h >> 31;
  h *= 0xBF58476D1CE4E5B9ull;
  h ^= h >> 27;
  return (double)(h % 2001) / 1000.0 - 1.0; /* in [-1, 1] */
}

int main(void) {
  demo_print_runtime("dgemm");
  if (openblas_get_parallel() != 2) {
    printf("ERROR: this OpenBLAS is not the OpenMP variant (openblas_get_parallel() = %d)\n",
           openblas_get_parallel());
    return 1;
  }
  for (long i = 0; i < (long)N * N; i++) {
    a[i] = entry(i, 1);
    b[i] = entry(i, 2);
  }
  struct demo_task_cpu before[256], after[256];
  int nb = demo_task_cpu_snapshot(before, 256);
  double best = 1e30;
  for (int rep = 0; rep < REPS; rep++) {
    double t0 = demo_now();
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, N, N, 1.0, a, N, b, N, 0.0, c, N);
    double t = demo_now() - t0;
    if (t < best)
      best = t;
  }
  int na = demo_task_cpu_snapshot(after, 256);

  /* Which Capability each named thread is bound to: ask the team. */
  struct demo_member members[DEMO_MAX_THREADS];
  int nthreads = 1;
#pragma omp parallel
  {
    demo_member_record(members);
#pragma omp single nowait
    nthreads = omp_get_num_threads();
  }
  printf("CPU time of the threads that ran OpenBLAS's %d DGEMMs:\n", REPS);
  for (int i = 0; i < na; i++) {
    double prev = 0;
    for (int j = 0; j < nb; j++)
      if (before[j].tid == after[i].tid)
        prev = before[j].cpu;
    double used = after[i].cpu - prev;
    if (used < 0.01)
      continue;
    int cap = -3; /* -3: not a team member */
    for (int m = 0; m < nthreads && m < DEMO_MAX_THREADS; m++)
      if (strcmp(members[m].name, after[i].name) == 0)
        cap = members[m].capability;
    char where[48] = "";
    if (cap >= 0)
      snprintf(where, sizeof where, ", GHC Capability %d", cap);
    else if (cap == -1)
      snprintf(where, sizeof where, ", host thread");
    printf("  %s (tid %d%s): %.2f s CPU\n", after[i].name, after[i].tid, where, used);
  }

  double max_err = 0;
  for (int s = 0; s < SAMPLES; s++) {
    int i = (int)(entry(s, 3) * 0.5 * (N - 1) + 0.5 * (N - 1));
    int j = (int)(entry(s, 4) * 0.5 * (N - 1) + 0.5 * (N - 1));
    double ref = 0;
    for (int k = 0; k < N; k++)
      ref += a[(long)i * N + k] * b[(long)k * N + j];
    double err = fabs(c[(long)i * N + j] - ref);
    if (err > max_err)
      max_err = err;
  }
  double sum = 0;
  for (long i = 0; i < (long)N * N; i++)
    sum += c[i];
  printf("%d sampled entries checked against a naive dot product: max error %.2e\n", SAMPLES,
         max_err);
  printf("%.1f GFLOP/s\n", 2.0 * N * N * N / best * 1e-9);
  if (!(max_err < 1e-9)) {
    printf("ERROR: DGEMM disagrees with the reference\n");
    return 1;
  }
  printf("RESULT checksum=%.9e verified=%d\n", sum, SAMPLES);
  demo_print_time(best);
  return 0;
}
