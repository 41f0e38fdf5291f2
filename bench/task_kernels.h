/* task_kernels.h -- the task-shaped kernels that the EPCC taskbench
 * (tasks.c) times and taskcost/task_cost.c counts instructions of: EPCC's
 * branch and leaf task trees and Fibonacci with a task per call.  The
 * includer defines TASK_KERNEL_WORK(), the work of one tree node. */
#ifndef HSOMP_BENCH_TASK_KERNELS_H
#define HSOMP_BENCH_TASK_KERNELS_H

/* A branch tree: every inner node works after making its two children. */
static void branch_tree(int level) {
  if (level > 0) {
#pragma omp task
    branch_tree(level - 1);
#pragma omp task
    branch_tree(level - 1);
    TASK_KERNEL_WORK();
  }
}

/* A leaf tree: only the leaves work. */
static void leaf_tree(int level) {
  if (level <= 0) {
    TASK_KERNEL_WORK();
  } else {
#pragma omp task
    leaf_tree(level - 1);
#pragma omp task
    leaf_tree(level - 1);
  }
}

/* fib(n) with a task per call and a taskwait, no cut-off. */
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

#endif
