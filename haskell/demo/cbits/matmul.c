/* matmul.c -- the dense kernel of hsomp-dataparallel (demo/DataParallel.hs):
 * a blocked matrix multiply C = A * B of n x n row-major doubles, as OpenMP
 * C.  A, B and C are Haskell Storable vectors passed with HsOmp.Array (no
 * copy); the region runs on the hsomp runtime compiled into the program.
 *
 * Each thread takes blocks of BI rows of C (dynamic schedule) and computes
 * them block by block over k and j, so a BK x BJ block of B (256 KB) stays
 * in cache while the rows sweep over it; the innermost loop is a
 * contiguous c[j] += a * b[j] that the compiler vectorises. */
#include <string.h>

/* -O3 (cabal check refuses -O flags in cc-options; Cabal itself passes -O2) */
#pragma GCC optimize("O3")

#define BI 16
#define BK 128
#define BJ 256

static inline long min_l(long a, long b) { return a < b ? a : b; }

void dp_matmul_blocked(const double *restrict A, const double *restrict B, double *restrict C, long n,
                       int nthreads) {
#pragma omp parallel for num_threads(nthreads) schedule(dynamic, 1)
  for (long ii = 0; ii < n; ii += BI) {
    long iend = min_l(ii + BI, n);
    for (long i = ii; i < iend; i++)
      memset(C + i * n, 0, (size_t)n * sizeof(double));
    for (long kk = 0; kk < n; kk += BK) {
      long kend = min_l(kk + BK, n);
      for (long jj = 0; jj < n; jj += BJ) {
        long jend = min_l(jj + BJ, n);
        for (long i = ii; i < iend; i++) {
          double *restrict c = C + i * n;
          for (long k = kk; k < kend; k++) {
            double a = A[i * n + k];
            const double *restrict b = B + k * n;
            for (long j = jj; j < jend; j++)
              c[j] += a * b[j];
          }
        }
      }
    }
  }
}
