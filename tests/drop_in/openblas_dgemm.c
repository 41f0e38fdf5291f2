/* A real client: Debian's OpenBLAS, OpenMP variant (built by Debian
 * against libgomp; linked here explicitly from its openblas-openmp
 * directory), computes DGEMMs.  Under hsomp-run OpenBLAS's parallel regions
 * run on hsomp: the results match a naive reference, and the work is
 * parallel -- threads other than the caller (under hsomp: the workers named
 * hsomp-w*) accumulate CPU time comparable to the caller's.  CPU time, not
 * wall time: it does not depend on what else the machine runs.  The
 * passive-wait variants make sure spinning is not mistaken for work. */
// TEST-REQUIRES-FILE: /usr/lib/x86_64-linux-gnu/openblas-openmp/libopenblas.so.0
// TEST-LIBS: /usr/lib/x86_64-linux-gnu/openblas-openmp/libopenblas.so.0 -Wl,-rpath,/usr/lib/x86_64-linux-gnu/openblas-openmp
// TEST-ENV: OMP_NUM_THREADS=1
// TEST-ENV: OMP_NUM_THREADS=2 OMP_WAIT_POLICY=passive
// TEST-ENV: OMP_NUM_THREADS=3 OMP_WAIT_POLICY=passive
// TEST-ENV: OMP_NUM_THREADS=2
// TEST-TIMEOUT: 120
#include "hsomp_test.h"

#include <math.h>
#include <omp.h>

/* From OpenBLAS's cblas.h (LP64: blasint is int). */
enum { RowMajor = 101, ColMajor = 102, NoTrans = 111, Trans = 112 };
void cblas_dgemm(int order, int transa, int transb, int m, int n, int k, double alpha,
                 const double *a, int lda, const double *b, int ldb, double beta, double *c,
                 int ldc);
int openblas_get_parallel(void);

static double value(unsigned long i, unsigned long salt) {
  unsigned long h = (i + 1) * 0x9E3779B97F4A7C15ul ^ salt * 0xBF58476D1CE4E5B9ul;
  h ^= h >> 29;
  h *= 0x94D049BB133111EBul;
  h ^= h >> 32;
  return (double)(h % 2001) / 1000.0 - 1.0;
}

/* C = alpha op(A) op(B) + beta C, row-major, against the naive formula. */
static void check_shape(int m, int n, int k, int ta, int tb, double alpha, double beta) {
  int lda = ta == NoTrans ? k : m, ldb = tb == NoTrans ? n : k;
  double *a = malloc(sizeof(double) * m * k), *b = malloc(sizeof(double) * k * n);
  double *c = malloc(sizeof(double) * m * n), *c0 = malloc(sizeof(double) * m * n);
  HT_CHECK(a && b && c && c0, "out of memory");
  for (long i = 0; i < (long)m * k; i++)
    a[i] = value(i, 1);
  for (long i = 0; i < (long)k * n; i++)
    b[i] = value(i, 2);
  for (long i = 0; i < (long)m * n; i++)
    c[i] = c0[i] = value(i, 3);
  cblas_dgemm(RowMajor, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, n);
  for (int i = 0; i < m; i++)
    for (int j = 0; j < n; j++) {
      double ref = 0;
      for (int l = 0; l < k; l++)
        ref += (ta == NoTrans ? a[(long)i * lda + l] : a[(long)l * lda + i]) *
               (tb == NoTrans ? b[(long)l * ldb + j] : b[(long)j * ldb + l]);
      ref = alpha * ref + beta * c0[(long)i * n + j];
      double got = c[(long)i * n + j];
      HT_CHECK(fabs(got - ref) <= 1e-12 * (k + 1) * (fabs(alpha) + fabs(beta) + 1),
               "DGEMM %dx%dx%d: C[%d][%d] = %.17g, expected %.17g", m, n, k, i, j, got, ref);
    }
  free(a), free(b), free(c), free(c0);
}

int main(void) {
  /* The OpenMP build of OpenBLAS, from the openblas-openmp directory. */
  Dl_info info;
  HT_CHECK(dladdr((void *)cblas_dgemm, &info) && info.dli_fname, "dladdr(cblas_dgemm) failed");
  char real[4096];
  HT_CHECK(realpath(info.dli_fname, real) && strstr(real, "/openblas-openmp/"),
           "cblas_dgemm comes from %s, not the OpenMP OpenBLAS", info.dli_fname);
  HT_CHECK(openblas_get_parallel() == 2, "openblas_get_parallel() = %d, expected 2 (OpenMP)",
           openblas_get_parallel());
  int on_hsomp = ht_hsomp_capability_fn() != NULL;
  HT_CHECK(on_hsomp == ht_expect_hsomp(), "running on %s, expected the other runtime",
           on_hsomp ? "hsomp" : "libgomp");

  /* Results: small and odd shapes, transposes, alpha and beta. */
  check_shape(1, 1, 1, NoTrans, NoTrans, 1.0, 0.0);
  check_shape(37, 53, 29, NoTrans, Trans, -0.5, 2.0);
  check_shape(300, 200, 250, Trans, NoTrans, 1.25, 0.5);
  check_shape(257, 263, 129, Trans, Trans, 1.0, 1.0);

  /* Parallelism: CPU time of the caller and of the other threads while
   * OpenBLAS multiplies 1000x1000 matrices. */
  enum { N = 1000 };
  double *a = malloc(sizeof(double) * N * N), *b = malloc(sizeof(double) * N * N);
  double *c = malloc(sizeof(double) * N * N);
  HT_CHECK(a && b && c, "out of memory");
  for (long i = 0; i < (long)N * N; i++)
    a[i] = value(i, 4), b[i] = value(i, 5);
  static struct ht_task before[512], after[512];
  int nbefore = ht_tasks_snapshot(before, 512);
  const struct ht_task *me0 = ht_task_find(before, nbefore, gettid());
  HT_CHECK(me0, "the calling thread is not in /proc/self/task");
  double my_start = me0->cpu, my_cpu = 0;
  int reps = 0, nafter = 0;
  do {
    cblas_dgemm(RowMajor, NoTrans, NoTrans, N, N, N, 1.0, a, N, b, N, 0.0, c, N);
    reps++;
    nafter = ht_tasks_snapshot(after, 512);
    const struct ht_task *me = ht_task_find(after, nafter, gettid());
    HT_CHECK(me, "the calling thread vanished from /proc/self/task");
    my_cpu = me->cpu - my_start;
  } while (my_cpu < 0.3 && reps < 40);

  double others = 0, workers = 0, stray = 0;
  for (int i = 0; i < nafter; i++) {
    if (after[i].tid == gettid())
      continue;
    const struct ht_task *old = ht_task_find(before, nbefore, after[i].tid);
    double used = after[i].cpu - (old ? old->cpu : 0);
    others += used;
    if (strncmp(after[i].name, "hsomp-w", 7) == 0)
      workers += used;
    else
      stray += used;
  }
  int nthreads = omp_get_max_threads();
  printf("%d DGEMMs of %dx%d on %d threads (%s): caller %.3f s CPU, other threads %.3f s "
         "(hsomp workers %.3f s)\n",
         reps, N, N, nthreads, on_hsomp ? "hsomp" : "libgomp", my_cpu, others, workers);
  if (nthreads == 1) {
    HT_CHECK(others < 0.1 * my_cpu, "with one thread other threads used %.3f s CPU", others);
  } else {
    HT_CHECK(others > 0.3 * my_cpu, "not parallel: other threads used %.3f s CPU, caller %.3f s",
             others, my_cpu);
    if (on_hsomp)
      HT_CHECK(workers > 0.3 * my_cpu && stray < 0.1 * my_cpu,
               "the work was not done by hsomp's workers (hsomp-w*: %.3f s, others %.3f s)",
               workers, stray);
  }
  /* The big product is right too: a few entries. */
  for (int s = 0; s < 50; s++) {
    int i = (int)(value(s, 6) * 499.5 + 499.5), j = (int)(value(s, 7) * 499.5 + 499.5);
    double ref = 0;
    for (int l = 0; l < N; l++)
      ref += a[(long)i * N + l] * b[(long)l * N + j];
    HT_CHECK(fabs(c[(long)i * N + j] - ref) < 1e-9, "C[%d][%d] = %.17g, expected %.17g", i, j,
             c[(long)i * N + j], ref);
  }
  free(a), free(b), free(c);
  return 0;
}
