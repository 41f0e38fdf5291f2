/* foreign_jobs.c -- the C side of LinearSliceSpec's foreign-job tests
 * (HsOmp.Slice.Linear.runForeign).
 *
 * fj_rendezvous is a C job that can finish only while a Haskell job of the
 * same plan runs: it fills its own part, then signals through the Haskell
 * part's last element (an address the test hands over with fj_set_other,
 * outside the types, only to observe the other job) and waits for the
 * Haskell job's answer in that part's first element.  Run one after the
 * other, either job times out instead of hanging. */
#include <time.h>

static double *other;
static long other_len;

void fj_set_other(double *p, long n) {
  other = p;
  other_len = n;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* 1: the Haskell job answered within 10 s; 0: it did not. */
int fj_rendezvous(double *mine, long n) {
  for (long i = 0; i < n; i++)
    mine[i] = 3.0;
  double one = 1.0, two = 2.0, seen;
  __atomic_store(&other[other_len - 1], &one, __ATOMIC_RELEASE);
  double until = now() + 10;
  do {
    __atomic_load(&other[0], &seen, __ATOMIC_ACQUIRE);
    if (seen == two)
      return 1;
  } while (now() < until);
  return 0;
}

/* A plain C kernel for a part: x[i] = 2 * x[i]. */
void fj_double(double *x, long n) {
#pragma omp parallel for
  for (long i = 0; i < n; i++)
    x[i] *= 2;
}
