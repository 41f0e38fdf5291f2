/* schedule.c -- EPCC schedbench: the overhead of one worksharing loop of
 * ITERS_PER_THREAD iterations per thread (one delay() each) under
 * schedule(static), static(n), dynamic(n) and guided(n), n = 1..128,
 * inside one parallel region, against one thread's share of the delays.
 * The overhead includes the loop's closing barrier. */
#include "bench.h"

enum { ITERS_PER_THREAD = 128 };
static int chunk;

static void ref_loop(int inner) {
  for (int j = 0; j < inner; j++)
    for (int i = 0; i < ITERS_PER_THREAD; i++)
      delay(bench_delay_len);
}

static void test_static(int inner) {
  int n = ITERS_PER_THREAD * bench_nthreads;
#pragma omp parallel
  for (int j = 0; j < inner; j++) {
#pragma omp for schedule(static)
    for (int i = 0; i < n; i++)
      delay(bench_delay_len);
  }
}

static void test_static_n(int inner) {
  int n = ITERS_PER_THREAD * bench_nthreads;
#pragma omp parallel
  for (int j = 0; j < inner; j++) {
#pragma omp for schedule(static, chunk)
    for (int i = 0; i < n; i++)
      delay(bench_delay_len);
  }
}

static void test_dynamic_n(int inner) {
  int n = ITERS_PER_THREAD * bench_nthreads;
#pragma omp parallel
  for (int j = 0; j < inner; j++) {
#pragma omp for schedule(dynamic, chunk)
    for (int i = 0; i < n; i++)
      delay(bench_delay_len);
  }
}

static void test_guided_n(int inner) {
  int n = ITERS_PER_THREAD * bench_nthreads;
#pragma omp parallel
  for (int j = 0; j < inner; j++) {
#pragma omp for schedule(guided, chunk)
    for (int i = 0; i < n; i++)
      delay(bench_delay_len);
  }
}

void bench_schedule(const char *only) {
  if (bench_selected(only, "STATIC"))
    bench_overhead("schedule", "STATIC", test_static, ref_loop, 1);
  struct {
    const char *kind;
    bench_body test;
  } k[] = {{"STATIC", test_static_n}, {"DYNAMIC", test_dynamic_n}, {"GUIDED", test_guided_n}};
  for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
    for (chunk = 1; chunk <= 128; chunk *= 2) {
      char name[32];
      snprintf(name, sizeof name, "%s_%d", k[i].kind, chunk);
      if (bench_selected(only, name) || bench_selected(only, k[i].kind))
        bench_overhead("schedule", name, k[i].test, ref_loop, 1);
    }
}
