/* sync.c -- EPCC syncbench: the overhead of PARALLEL, FOR, PARALLEL FOR,
 * BARRIER, SINGLE, CRITICAL, LOCK/UNLOCK, ATOMIC and REDUCTION, each
 * around (or next to) one delay(), against the delays alone.
 * CRITICAL, LOCK and ATOMIC share `inner` among the threads (every thread
 * runs inner/nthreads of them), as EPCC does.  ATOMIC on a double is
 * inlined by GCC (a compare-and-swap loop): it never calls the runtime and
 * is here as a control. */
#include "bench.h"

static omp_lock_t lock;
static double atomic_target;

static void ref_delay(int inner) {
  for (int j = 0; j < inner; j++)
    delay(bench_delay_len);
}

static void test_parallel(int inner) {
  for (int j = 0; j < inner; j++) {
#pragma omp parallel
    delay(bench_delay_len);
  }
}

static void test_for(int inner) {
#pragma omp parallel
  for (int j = 0; j < inner; j++) {
#pragma omp for
    for (int i = 0; i < bench_nthreads; i++)
      delay(bench_delay_len);
  }
}

static void test_parallel_for(int inner) {
  for (int j = 0; j < inner; j++) {
#pragma omp parallel for
    for (int i = 0; i < bench_nthreads; i++)
      delay(bench_delay_len);
  }
}

static void test_barrier(int inner) {
#pragma omp parallel
  for (int j = 0; j < inner; j++) {
    delay(bench_delay_len);
#pragma omp barrier
  }
}

static void test_single(int inner) {
#pragma omp parallel
  for (int j = 0; j < inner; j++) {
#pragma omp single
    delay(bench_delay_len);
  }
}

static void test_critical(int inner) {
#pragma omp parallel
  {
    int mine = inner / omp_get_num_threads();
    for (int j = 0; j < mine; j++) {
#pragma omp critical
      delay(bench_delay_len);
    }
  }
}

static void test_lock(int inner) {
#pragma omp parallel
  {
    int mine = inner / omp_get_num_threads();
    for (int j = 0; j < mine; j++) {
      omp_set_lock(&lock);
      delay(bench_delay_len);
      omp_unset_lock(&lock);
    }
  }
}

static void ref_atomic(int inner) {
  double a = 0;
  for (int j = 0; j < inner; j++) {
    a += 1.0;
    __asm__ volatile("" : "+x"(a));
  }
  atomic_target += a;
}

static void test_atomic(int inner) {
#pragma omp parallel
  {
    int mine = inner / omp_get_num_threads();
    for (int j = 0; j < mine; j++) {
#pragma omp atomic
      atomic_target += 1.0;
    }
  }
}

static void test_reduction(int inner) {
  int sum = 0;
  for (int j = 0; j < inner; j++) {
#pragma omp parallel reduction(+ : sum)
    {
      delay(bench_delay_len);
      sum += 1;
    }
  }
  if (sum != inner * bench_nthreads && omp_get_max_threads() == bench_nthreads &&
      !omp_get_dynamic())
    fprintf(stderr, "REDUCTION: got %d, expected %d\n", sum, inner * bench_nthreads);
}

void bench_sync(const char *only) {
  struct {
    const char *name;
    bench_body test, ref;
    int multiple;
  } b[] = {
      {"PARALLEL", test_parallel, ref_delay, 1},
      {"FOR", test_for, ref_delay, 1},
      {"PARALLEL_FOR", test_parallel_for, ref_delay, 1},
      {"BARRIER", test_barrier, ref_delay, 1},
      {"SINGLE", test_single, ref_delay, 1},
      {"CRITICAL", test_critical, ref_delay, bench_nthreads},
      {"LOCK", test_lock, ref_delay, bench_nthreads},
      {"ATOMIC", test_atomic, ref_atomic, bench_nthreads},
      {"REDUCTION", test_reduction, ref_delay, 1},
  };
  omp_init_lock(&lock);
  for (size_t i = 0; i < sizeof b / sizeof b[0]; i++)
    if (bench_selected(only, b[i].name))
      bench_overhead("sync", b[i].name, b[i].test, b[i].ref, b[i].multiple);
  omp_destroy_lock(&lock);
}
