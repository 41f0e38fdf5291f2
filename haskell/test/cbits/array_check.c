/* array_check.c -- OpenMP C helpers for the zero-copy array tests
 * (test/ArraySpec.hs) and benchmark (bench/ArrayBench.hs).
 *
 * Compiled with gcc -fopenmp, linked with no libgomp: the regions run on
 * the hsomp runtime of the hsomp package.  The check pattern is shared with
 * the Haskell side (ArraySpec.patternF64 / patternI64): element i of a
 * vector made with seed s is s + (i mod 1024) / 4 (doubles, exact) or
 * s + (i mod 1024) (64-bit integers). */
#include <omp.h>
#include <stdint.h>
#include <time.h>

static inline double pattern_f64(double seed, long i) { return seed + (double)(i % 1024) * 0.25; }
static inline int64_t pattern_i64(int64_t seed, long i) { return seed + (int64_t)(i % 1024); }

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The address C received, as an integer. */
uintptr_t ac_address(const void *p) { return (uintptr_t)p; }

/* p[i] = scale * i on a team; returns the address written to. */
uintptr_t ac_fill_index_f64(double *p, long n, double scale) {
#pragma omp parallel for schedule(static)
  for (long i = 0; i < n; i++)
    p[i] = scale * (double)i;
  return (uintptr_t)p;
}

/* p[i] += k * i on a team (reads what Haskell put there, writes back). */
void ac_add_index_i64(int64_t *p, long n, int64_t k) {
#pragma omp parallel for schedule(static)
  for (long i = 0; i < n; i++)
    p[i] += k * (int64_t)i;
}

/* Sum of p[0..n) on a team. */
double ac_sum_f64(const double *p, long n) {
  double s = 0;
#pragma omp parallel for reduction(+ : s) schedule(static)
  for (long i = 0; i < n; i++)
    s += p[i];
  return s;
}

/* The GC-storm check: pass after pass over p[0..n) on a team of nthreads,
 * counting the elements that differ from the pattern, until at least
 * min_passes passes and `seconds` have gone by.  Returns the number of
 * mismatches over all passes; *passes gets the passes made, *last_sum the
 * sum of the last pass.  One definition per element type:
 *   long ac_check_f64(const double *p, long n, double seed, ...)
 *   long ac_check_i64(const int64_t *p, long n, int64_t seed, ...) */
#define DEFINE_CHECK(NAME, T, PATTERN)                                                                 \
  long NAME(const T *p, long n, T seed, int nthreads, long min_passes, double seconds, long *passes,   \
            T *last_sum) {                                                                             \
    double end = now() + seconds;                                                                      \
    long bad = 0, pass = 0;                                                                            \
    T sum = 0;                                                                                         \
    do {                                                                                               \
      long bad_pass = 0;                                                                               \
      T s = 0;                                                                                         \
      _Pragma("omp parallel for num_threads(nthreads) reduction(+ : bad_pass, s) schedule(static)")   \
      for (long i = 0; i < n; i++) {                                                                   \
        T x = p[i];                                                                                    \
        bad_pass += x != PATTERN(seed, i);                                                             \
        s += x;                                                                                        \
      }                                                                                                \
      bad += bad_pass;                                                                                 \
      sum = s;                                                                                         \
      pass++;                                                                                          \
    } while (pass < min_passes || now() < end);                                                        \
    *passes = pass;                                                                                    \
    *last_sum = sum;                                                                                   \
    return bad;                                                                                        \
  }

DEFINE_CHECK(ac_check_f64, double, pattern_f64)
DEFINE_CHECK(ac_check_i64, int64_t, pattern_i64)
