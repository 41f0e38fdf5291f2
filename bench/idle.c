/* idle.c -- idle burn: one short parallel region every 10 ms for a few
 * seconds (a program that mostly waits for input), reporting the
 * process's CPU time over wall time in per cent.  A runtime whose workers
 * keep spinning between regions shows ~100 % per spinning worker here;
 * the useful work is well under 1 %. */
#include "bench.h"

#include <sys/resource.h>
#include <unistd.h>

static double cpu_seconds(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
         (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
}

void bench_idle(const char *only) {
  if (!bench_selected(only, "IDLE_BURN"))
    return;
  /* --quick: 1 s; otherwise 3 s, in 1-s samples. */
  int seconds = bench_outer < 10 ? 1 : 3;
  double v[3];
  static double data[4096];
#pragma omp parallel for /* start the workers before measuring */
  for (int i = 0; i < 4096; i++)
    data[i] = i;
  for (int s = 0; s < seconds; s++) {
    double c0 = cpu_seconds(), t0 = bench_now();
    for (int k = 0; k < 100; k++) {
#pragma omp parallel for
      for (int i = 0; i < 4096; i++)
        data[i] = data[i] * 0.5 + 1.0;
      usleep(10000);
    }
    v[s] = 100.0 * (cpu_seconds() - c0) / (bench_now() - t0);
  }
  bench_samples("idle", "IDLE_BURN", "pct", v, seconds);
}
