/* task_cost.c -- kernels for counting the instructions a runtime spends
 * per task on the thread that makes it (bench/taskcost/task_cost.sh runs
 * them under callgrind on libgomp and hsomp and prints the difference of
 * two sizes per task).  `task_cost KERNEL N':
 *   cond    N `if(0)' tasks per thread
 *   branch  N task trees per thread, EPCC's BRANCH_TASK_TREE shape (each
 *           root a task, 63 tasks per tree, work in the inner nodes)
 *   leaf    N trees per thread, EPCC's LEAF_TASK_TREE shape (62 tasks)
 *   nested  N tasks per thread, each making a task per thread + taskwait
 *   fib     fib(N) with a task per call and a taskwait (one producer)
 * The work in a task is one store to a per-thread slot. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile int never;
static struct {
  volatile long v;
  char pad[56];
} sink[256];

static void work(void) { sink[omp_get_thread_num() & 255].v++; }

#define TASK_KERNEL_WORK() work()
#include "../task_kernels.h"

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: task_cost cond|branch|leaf|nested|fib N\n");
    return 2;
  }
  const char *k = argv[1];
  int n = atoi(argv[2]);
  long r = 0;
#pragma omp parallel /* the runtime starts its threads */
  work();
  if (!strcmp(k, "cond")) {
#pragma omp parallel
    for (int j = 0; j < n; j++) {
#pragma omp task if (never)
      work();
    }
  } else if (!strcmp(k, "branch")) {
#pragma omp parallel
    for (int j = 0; j < n; j++) {
#pragma omp task
      branch_tree(5);
    }
  } else if (!strcmp(k, "leaf")) {
#pragma omp parallel
    for (int j = 0; j < n; j++)
      leaf_tree(5);
  } else if (!strcmp(k, "nested")) {
#pragma omp parallel
    {
      int nthr = omp_get_num_threads();
      for (int j = 0; j < n; j++) {
#pragma omp task
        {
          for (int i = 0; i < nthr; i++) {
#pragma omp task
            work();
          }
#pragma omp taskwait
        }
      }
    }
  } else if (!strcmp(k, "fib")) {
#pragma omp parallel
#pragma omp single
    r = fib_tasks(n);
  } else {
    fprintf(stderr, "task_cost: unknown kernel %s\n", k);
    return 2;
  }
  printf("%s %d %ld\n", k, n, r);
  return 0;
}
