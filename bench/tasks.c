/* tasks.c -- EPCC taskbench: the overhead per task of parallel task
 * generation (every thread creates tasks), master task generation (one
 * thread creates them all; also while the others are busy, and with
 * dependences), task + taskwait, task + barrier, nested tasks (from every
 * thread and from the master), undeferred `if(0)` tasks and binary task
 * trees (work in the branches or in the leaves), each task one delay(),
 * against the delays alone; then recursive Fibonacci with a task per call (no
 * cut-off) and with a serial cut-off, as the time of one run in ms. */
#include "bench.h"

#define TASK_KERNEL_WORK() delay(bench_delay_len)
#include "task_kernels.h"

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

/* EPCC's MASTER_TASK_BUSY_SLAVES: the master creates the tasks while the
 * other threads are busy with delays of their own (a loop of `inner'
 * delays each), then join the master in running them. */
static void test_master_task_busy(int inner) {
#pragma omp parallel
  {
    if (omp_get_thread_num() == 0) {
      for (int j = 0; j < inner; j++) {
#pragma omp task
        delay(bench_delay_len);
      }
    } else {
      for (int j = 0; j < inner; j++)
        delay(bench_delay_len);
    }
  }
}

/* EPCC's NESTED_MASTER_TASK: the master creates a task per thread and
 * iteration, each of which creates the thread count of delay tasks. */
static void test_nested_master_task(int inner) {
#pragma omp parallel
#pragma omp master
  {
    int nthr = omp_get_num_threads();
    for (int j = 0; j < inner; j++) {
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

/* EPCC's BRANCH_TASK_TREE and LEAF_TASK_TREE: binary trees of tasks of
 * depth TREE_DEPTH, every thread making inner >> TREE_DEPTH of them; in
 * a branch tree every inner node delays after creating its two children,
 * in a leaf tree only the leaves delay.  Both put 2^TREE_DEPTH delays
 * (near enough) per tree, as the reference loop does. */
enum { TREE_DEPTH = 5 };

static void test_branch_task_tree(int inner) {
#pragma omp parallel
  for (int j = 0; j < inner >> TREE_DEPTH; j++) {
#pragma omp task
    branch_tree(TREE_DEPTH);
  }
}

static void test_leaf_task_tree(int inner) {
#pragma omp parallel
  for (int j = 0; j < inner >> TREE_DEPTH; j++)
    leaf_tree(TREE_DEPTH);
}

/* MASTER_TASK_DEPS: the master creates the tasks, each with
 * depend(inout) on one of DEP_CHAINS variables in turn: that many
 * independent chains, each task released by its predecessor. */
enum { DEP_CHAINS = 8 };

static void test_master_task_deps(int inner) {
  static char chain[DEP_CHAINS] __attribute__((unused)); /* GCC 12 sees no use in depend() */
#pragma omp parallel
#pragma omp master
  {
    int n = inner * omp_get_num_threads();
    for (int j = 0; j < n; j++) {
#pragma omp task depend(inout : chain[j % DEP_CHAINS])
      delay(bench_delay_len);
    }
  }
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
      {"MASTER_TASK_BUSY_SLAVES", test_master_task_busy, 1},
      {"NESTED_MASTER_TASK", test_nested_master_task, 1},
      {"BRANCH_TASK_TREE", test_branch_task_tree, 1 << TREE_DEPTH},
      {"LEAF_TASK_TREE", test_leaf_task_tree, 1 << TREE_DEPTH},
      {"MASTER_TASK_DEPS", test_master_task_deps, 1},
  };
  for (size_t i = 0; i < sizeof b / sizeof b[0]; i++)
    if (bench_selected(only, b[i].name))
      bench_overhead("tasks", b[i].name, b[i].test, ref_delay, b[i].multiple);
  if (bench_selected(only, "FIB_NO_CUTOFF"))
    time_fib("FIB_NO_CUTOFF", fib_tasks, FIB_PLAIN, fib_serial(FIB_PLAIN));
  if (bench_selected(only, "FIB_CUTOFF"))
    time_fib("FIB_CUTOFF", fib_cutoff, FIB_CUT, fib_serial(FIB_CUT));
}
