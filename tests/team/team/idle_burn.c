/* A program that runs one short parallel region every 10 ms must not keep
 * a CPU busy between regions: hsomp's parked workers adapt their spin
 * budget to sparse regions and a master that had to wake its workers
 * sleeps at the join (Notes [Adaptive idle spinning] in wait.c and [Cold
 * joins] in join.c).  Measured on the 2-CPU development machine: hsomp
 * 0.5-1 % CPU time over wall time, libgomp 35-70 %, LLVM's libomp
 * 40-60 % (both spin for milliseconds after each region by design), hsomp
 * without the adaptive budget 5-6 %, without the cold-join cap 10-15 %.
 * hsomp only (libgomp spins by design); release build only (instrumented
 * spin loops cost more CPU); alone (CPU over wall time). */
// TEST-HSOMP-ONLY
// TEST-NO-SANITIZER
// TEST-SERIAL
#include <omp.h>
#include <stdio.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "hsomp_test.h"

static double cpu_seconds(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
         (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(void) {
  static double data[4096];
  omp_set_dynamic(0);
  int team = 0;
#pragma omp parallel num_threads(2) /* start the worker before measuring */
  {
#pragma omp single
    team = omp_get_num_threads();
  }
  HT_CHECK(team == 2, "team of %d threads, expected 2", team);
  /* Best of three: other jobs on a shared machine (CPU time stolen at the
   * wrong moment, a wake-up delayed past the spin budget) can push one
   * measurement over the limit; a runtime that really spins between
   * regions (libgomp's 35-70 %) is over it every time. */
  double best = 100.0;
  for (int attempt = 0; attempt < 3 && best >= 3.0; attempt++) {
    double c0 = cpu_seconds(), t0 = now();
    for (int k = 0; k < 100; k++) {
#pragma omp parallel for num_threads(2)
      for (int i = 0; i < 4096; i++)
        data[i] = data[i] * 0.5 + 1.0;
      usleep(10000);
    }
    double pct = 100.0 * (cpu_seconds() - c0) / (now() - t0);
    printf("CPU time / wall time over 100 regions 10 ms apart: %.2f %%\n", pct);
    if (pct < best)
      best = pct;
  }
  HT_CHECK(best < 3.0, "the runtime kept a CPU %.1f %% busy between regions (limit 3 %%, best of 3)",
           best);
  return 0;
}
