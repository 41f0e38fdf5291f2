/* tasks.c -- EPCC taskbench: the overhead per task of parallel task
 * generation (every thread creates tasks), master task generation (one
 * thread creates them all), task + taskwait, task + barrier, nested tasks
 * and undeferred `if(0)` tasks, each task one delay(), against the
 * delays alone; then recursive Fibonacci with a task per call (no
 * cut-off) and with a serial cut-off, as the time of one run in ms. */
#include "bench.h"

enum { FIB_PLAIN = 22, FIB_CUT = 32, FIB_CUTOFF_BELOW = 20 };

static volatile int never; /* 0, unknown to the compiler */

static void ref_delay(int inner) {
  for (int j = 0; j < inner; j++)
    delay(bench_delay_len);
}

static void test_parallel_task(int inner) {
#pragma omp parallel
  for (int j = 0; j < inner; j++) {
#pragma omp task
    delay(bench_delay_len);
  }
}

static void test_master_task(int inner) {
#pragma omp parallel
#pragma omp master
  {
    int n = inner * omp_get_num_threads();
    for (int j = 0; j < n; j++) {
#pragma omp task
      delay(bench_delay_len);
    }
  }
}

static void test_taskwait(int inner) {
#pragma omp parallel
  for (int j = 0; j < inner; j++) {
#pragma omp task
    delay(bench_delay_len);
#pragma omp taskwait
  }
}

static void test_task_barrier(int inner) {
#pragma omp parallel
  for (int j = 0; j < inner; j++) {
#pragma omp task
    delay(bench_delay_len);
#pragma omp barrier
  }
}

static void test_nested_task(int inner) {
#pragma omp parallel
  {
    int nthr = omp_get_num_threads();
    for (int j = 0; j < inner / nthr; j++) {
#pragma omp task
      {
        for (int i = 0; i < nthr; i++) {
#pragma omp task
          delay(bench_delay_len);
        }
#pragma omp taskwait
      }
    }
  }
}

static void test_conditional_task(int inner) {
#pragma omp parallel
  for (int j = 0; j < inner; j++) {
#pragma omp task if (never)
    delay(bench_delay_len);
  }
}

static long fib_tasks(int n) {
  if (n < 2)
    return n;
  long a, b;
#pragma omp task shared(a)
  a = fib_tasks(n - 1);
#pragma omp task shared(b)
  b = fib_tasks(n - 2);
#pragma omp taskwait
  return a + b;
}

static long fib_serial(int n) { return n < 2 ? n : fib_serial(n - 1) + fib_serial(n - 2); }

static long fib_cutoff(int n) {
  if (n < FIB_CUTOFF_BELOW)
    return fib_serial(n);
  long a, b;
#pragma omp task shared(a)
  a = fib_cutoff(n - 1);
#pragma omp task shared(b)
  b = fib_cutoff(n - 2);
#pragma omp taskwait
  return a + b;
}

static void time_fib(const char *name, long (*fib)(int), int n, long expect) {
  int reps = bench_outer < 10 ? bench_outer : 10;
  double v[10];
#pragma omp parallel /* warm-up: the runtime starts its threads */
#pragma omp single
  fib(n > 12 ? 12 : n);
  for (int r = 0; r < reps; r++) {
    long result = 0;
    double t0 = bench_now();
#pragma omp parallel
#pragma omp single
    result = fib(n);
    v[r] = (bench_now() - t0) * 1e3;
    if (result != expect)
      fprintf(stderr, "%s: fib(%d) = %ld, expected %ld\n", name, n, result, expect);
  }
  bench_samples("tasks", name, "ms", v, reps);
}

void bench_tasks(const char *only) {
  struct {
    const char *name;
    bench_body test;
    int multiple;
  } b[] = {
      {"PARALLEL_TASK", test_parallel_task, 1}, {"MASTER_TASK", test_master_task, 1},
      {"TASKWAIT", test_taskwait, 1},           {"TASK_BARRIER", test_task_barrier, 1},
      {"NESTED_TASK", test_nested_task, bench_nthreads},
      {"CONDITIONAL_TASK", test_conditional_task, 1},
  };
  for (size_t i = 0; i < sizeof b / sizeof b[0]; i++)
    if (bench_selected(only, b[i].name))
      bench_overhead("tasks", b[i].name, b[i].test, ref_delay, b[i].multiple);
  if (bench_selected(only, "FIB_NO_CUTOFF"))
    time_fib("FIB_NO_CUTOFF", fib_tasks, FIB_PLAIN, fib_serial(FIB_PLAIN));
  if (bench_selected(only, "FIB_CUTOFF"))
    time_fib("FIB_CUTOFF", fib_cutoff, FIB_CUT, fib_serial(FIB_CUT));
}
