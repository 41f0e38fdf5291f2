/* fib.c -- FIB_CUTOFF: the n-th Fibonacci number by the doubly recursive
 * definition, a task per call while n > CUTOFF and serial calls below
 * (a manual cut-off), summed after a taskwait.  Checked against the
 * iterative value. */
#include "taskapps.h"

enum { CUTOFF = 20 };

static int n;
static long result;

static long fib_serial(int k) { return k < 2 ? k : fib_serial(k - 1) + fib_serial(k - 2); }

static long fib(int k) {
  if (k <= CUTOFF)
    return fib_serial(k);
  long x, y;
#pragma omp task shared(x)
  x = fib(k - 1);
#pragma omp task shared(y)
  y = fib(k - 2);
#pragma omp taskwait
  return x + y;
}

static void setup(enum taskapp_size size) { n = size == TASKAPP_TINY ? 26 : 38; }

static void run(void) {
  result = -1;
#pragma omp parallel
#pragma omp single
  result = fib(n);
}

static int check(void) {
  long a = 0, b = 1;
  for (int k = 0; k < n; k++) {
    long c = a + b;
    a = b;
    b = c;
  }
  return result == a;
}

static void teardown(void) {}

const struct taskapp taskapp_fib_cutoff = {"FIB_CUTOFF", "Fibonacci, a task per call above a cut-off",
                                           setup, NULL, run, check, teardown};
