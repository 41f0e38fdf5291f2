/* fft.c -- FFT: a recursive radix-2 decimation-in-time fast Fourier
 * transform of n complex doubles.  Each level transforms its even and odd
 * samples in two tasks, then combines the halves with butterflies, split
 * into tasks of CUT butterflies when there are more.  Below CUT points
 * the recursion runs without tasks.  The serial version runs the same
 * arithmetic, so the spectra must match bit for bit. */
#include "taskapps.h"

#include <complex.h>
#include <math.h>

enum { CUT = 1024 };

static long n;
static int serial_ok;
static double complex *in, *out, *expect, *twiddle; /* twiddle[k] = e^(-2 pi i k / n) */

static void butterflies(double complex *o, long half, long from, long to, long tstride) {
  for (long k = from; k < to; k++) {
    double complex e = o[k], t = twiddle[k * tstride] * o[k + half];
    o[k] = e + t;
    o[k + half] = e - t;
  }
}

/* o[0..m) = DFT of x[0], x[stride], ..., x[(m-1)*stride]. */
static void fft(const double complex *x, double complex *o, long m, long stride, int tasks) {
  if (m == 1) {
    o[0] = x[0];
    return;
  }
  long half = m / 2, tstride = n / m;
  if (tasks && m > CUT) {
#pragma omp task
    {
      TASKAPP_USER_BEGIN();
      fft(x, o, half, 2 * stride, 1);
      TASKAPP_USER_END();
    }
#pragma omp task
    {
      TASKAPP_USER_BEGIN();
      fft(x + stride, o + half, half, 2 * stride, 1);
      TASKAPP_USER_END();
    }
    TASKAPP_TASKWAIT();
    for (long from = 0; from < half; from += CUT) {
#pragma omp task firstprivate(from)
      {
        TASKAPP_USER_BEGIN();
        butterflies(o, half, from, from + CUT < half ? from + CUT : half, tstride);
        TASKAPP_USER_END();
      }
    }
    TASKAPP_TASKWAIT();
  } else {
    fft(x, o, half, 2 * stride, 0);
    fft(x + stride, o + half, half, 2 * stride, 0);
    butterflies(o, half, 0, half, tstride);
  }
}

static void setup(enum taskapp_size size) {
  n = size == TASKAPP_TINY ? 1l << 14 : 1l << 21;
  in = taskapp_alloc((size_t)n * sizeof *in);
  out = taskapp_alloc((size_t)n * sizeof *in);
  expect = taskapp_alloc((size_t)n * sizeof *in);
  twiddle = taskapp_alloc((size_t)n / 2 * sizeof *in);
  for (long k = 0; k < n / 2; k++)
    twiddle[k] = cexp(-2.0 * M_PI * I * (double)k / (double)n);
  uint64_t s = 99;
  for (long k = 0; k < n; k++)
    in[k] = (double)(taskapp_rand(&s) % 2001) / 1000.0 - 1.0 +
            I * ((double)(taskapp_rand(&s) % 2001) / 1000.0 - 1.0);
  fft(in, expect, n, 1, 0);
  /* Spot-check the serial spectrum against the definition. */
  serial_ok = 1;
  for (int t = 0; t < 4; t++) {
    long f = (t * 7919) % n;
    double complex sum = 0;
    for (long k = 0; k < n; k++) {
      long e = (long)(((uint64_t)f * (uint64_t)k) % (uint64_t)n);
      sum += in[k] * (e < n / 2 ? twiddle[e] : -twiddle[e - n / 2]);
    }
    if (cabs(sum - expect[f]) > 1e-9 * (double)n)
      serial_ok = 0;
  }
}

static void run(void) {
#pragma omp parallel
#pragma omp single
  {
    TASKAPP_USER_BEGIN();
    fft(in, out, n, 1, 1);
    TASKAPP_USER_END();
  }
}

static int check(void) {
  if (!serial_ok)
    return 0;
  return memcmp(out, expect, (size_t)n * sizeof *out) == 0;
}

static void teardown(void) {
  free(in);
  free(out);
  free(expect);
  free(twiddle);
}

const struct taskapp taskapp_fft = {"FFT", "recursive radix-2 fast Fourier transform", setup, NULL,
                                    run, check, teardown};
