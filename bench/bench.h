/* bench.h -- the EPCC-style measurement harness every benchmark shares.
 *
 * Method (after the EPCC OpenMP microbenchmarks, Bull et al.): a reference
 * loop runs `inner` delays without the construct, the test loop runs the
 * same delays inside the construct; the overhead of one construct is
 * (test time - reference time) / inner.  `inner` is calibrated so that one
 * test loop takes about bench_target_s; the pair (reference, then test)
 * is repeated bench_outer times and every repetition's overhead is
 * printed, so the driver (bench/run-bench.py) can pool repetitions from
 * several processes and report a median with its spread.
 *
 * Output, one line per measurement, everything else is for people:
 *   SAMPLES <group> <name> <unit> <value> <value> ...
 *   BEST <group> <name> <unit> <value>   (overheads: fastest test loop
 *                                         minus fastest reference loop)
 */
#ifndef HSOMP_BENCH_H
#define HSOMP_BENCH_H

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

extern int bench_outer;       /* repetitions per measurement */
extern double bench_target_s; /* length of one test loop */
extern int bench_delay_len;   /* iterations of delay() */
extern int bench_nthreads;    /* omp_get_max_threads() at start-up */

static inline double bench_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* EPCC's delay: a loop the compiler cannot remove (about 0.1 us at the
 * default length). */
static inline void delay(int len) {
  double a = 0.0;
  for (int i = 0; i < len; i++) {
    a += i;
    __asm__ volatile("" : "+x"(a));
  }
  if (a < 0)
    printf("%f\n", a);
}

/* A test or reference body: runs `inner` repetitions. */
typedef void (*bench_body)(int inner);

/* Measure test against ref; print SAMPLES <group> <name> us ... .
 * `multiple`: inner is rounded up to a multiple of it (constructs that
 * share inner among the threads). */
void bench_overhead(const char *group, const char *name, bench_body test, bench_body ref,
                    int multiple);

/* Print one measurement of another unit (times of whole runs). */
void bench_samples(const char *group, const char *name, const char *unit, const double *v, int n);

/* Benchmark groups (one per file). */
void bench_sync(const char *only);
void bench_schedule(const char *only);
void bench_tasks(const char *only);
void bench_teamsize(const char *only);
void bench_idle(const char *only);
void bench_naive_dgemm(const char *only);
void bench_crowded(const char *only);

/* `only` filter: NULL or a comma-separated list of names to run. */
int bench_selected(const char *only, const char *name);

#endif
