/* bench_main.c -- the benchmark program: `hsomp-bench GROUP [--quick]
 * [--only NAME,...]`, one ordinary gcc -fopenmp binary that the driver
 * (bench/run-bench.py) runs on libgomp, on LLVM's libomp and on hsomp.
 * Also owns the calibration and the SAMPLES output of bench.h. */
#include "bench.h"

#include <math.h>

int bench_outer = 20;
double bench_target_s = 1e-3;
int bench_delay_len = 100;
int bench_nthreads = 1;

static double time_body(bench_body body, int inner) {
  double t0 = bench_now();
  body(inner);
  return bench_now() - t0;
}

void bench_overhead(const char *group, const char *name, bench_body test, bench_body ref,
                    int multiple) {
  if (multiple < 1)
    multiple = 1;
  /* Calibrate: double inner until one test loop takes bench_target_s. */
  int inner = multiple;
  test(inner); /* warm up (first use of threads, pages) */
  while (inner < (1 << 24)) {
    if (time_body(test, inner) >= bench_target_s)
      break;
    inner *= 2;
  }
  /* Each repetition times the reference right before the test, so that a
   * change of the machine's load affects both sides of a difference. */
  double *v = malloc(sizeof *v * (size_t)bench_outer);
  double ref_min = 1e30, test_min = 1e30;
  for (int r = 0; r < bench_outer; r++) {
    double ref_t = time_body(ref, inner);
    double test_t = time_body(test, inner);
    v[r] = (test_t - ref_t) / inner * 1e6;
    ref_min = ref_t < ref_min ? ref_t : ref_min;
    test_min = test_t < test_min ? test_t : test_min;
  }
  /* Interference (other processes, preemption) only ever adds time: the
   * difference of the fastest test and the fastest reference estimates
   * the overhead on a quiet machine. */
  printf("BEST %s %s us %.4f\n", group, name, (test_min - ref_min) / inner * 1e6);
  bench_samples(group, name, "us", v, bench_outer);
  free(v);
}

void bench_samples(const char *group, const char *name, const char *unit, const double *v, int n) {
  printf("SAMPLES %s %s %s", group, name, unit);
  for (int i = 0; i < n; i++)
    printf(" %.4f", v[i]);
  printf("\n");
  fflush(stdout);
}

int bench_selected(const char *only, const char *name) {
  if (!only)
    return 1;
  size_t len = strlen(name);
  for (const char *p = only; *p;) {
    const char *end = strchr(p, ',');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    if (n == len && strncmp(p, name, n) == 0)
      return 1;
    if (!end)
      break;
    p = end + 1;
  }
  return 0;
}

static void usage(void) {
  fprintf(stderr, "usage: hsomp-bench sync|schedule|tasks|teamsize|idle|naive_dgemm|crowded "
                  "[--quick] [--outer N] [--only NAME,...]\n");
  exit(2);
}

int main(int argc, char **argv) {
  if (argc < 2)
    usage();
  const char *group = argv[1];
  const char *only = NULL;
  for (int i = 2; i < argc; i++) {
    if (strcmp(argv[i], "--quick") == 0) {
      bench_outer = 8;
      bench_target_s = 0.5e-3;
    } else if (strcmp(argv[i], "--outer") == 0 && i + 1 < argc) {
      bench_outer = atoi(argv[++i]);
    } else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
      only = argv[++i];
    } else {
      usage();
    }
  }
  if (bench_outer < 1)
    usage();
  bench_nthreads = omp_get_max_threads();
  if (strcmp(group, "sync") == 0)
    bench_sync(only);
  else if (strcmp(group, "schedule") == 0)
    bench_schedule(only);
  else if (strcmp(group, "tasks") == 0)
    bench_tasks(only);
  else if (strcmp(group, "teamsize") == 0)
    bench_teamsize(only);
  else if (strcmp(group, "idle") == 0)
    bench_idle(only);
  else if (strcmp(group, "naive_dgemm") == 0)
    bench_naive_dgemm(only);
  else if (strcmp(group, "crowded") == 0)
    bench_crowded(only);
  else
    usage();
  return 0;
}
