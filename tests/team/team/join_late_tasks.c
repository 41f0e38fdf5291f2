/* A worker that reaches the end of the region before any task exists
 * still runs the tasks the master makes afterwards (Note [Workers stay
 * for late tasks] in join.c).  This is `parallel' around `single' with a
 * task producer, where GCC drops the single's barrier: a worker that left
 * the team at the join made the master run every task alone.
 *
 * Each round, the worker finishes its implicit task at once; the master
 * waits until it has, gives it time to reach the join, then makes two
 * tasks, each of which waits (up to WAIT_S) until a task has started on
 * the worker.  A runtime whose worker left runs both on the master, each
 * waiting in vain: the round fails.  The default wait policy and a
 * passive one (the worker then sleeps at the join: the first task's push
 * must wake it). */
// TEST-ENV: OMP_NUM_THREADS=2
// TEST-ENV: OMP_NUM_THREADS=2 OMP_WAIT_POLICY=passive
#include <omp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

enum { ROUNDS = 5, WAIT_S = 10 };

static atomic_int worker_done, on_worker;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void task_body(void) {
  if (omp_get_thread_num() != 0)
    atomic_store(&on_worker, 1);
  double end = now() + WAIT_S;
  while (!atomic_load(&on_worker) && now() < end)
    usleep(100);
}

int main(void) {
  for (int r = 0; r < ROUNDS; r++) {
    atomic_store(&worker_done, 0);
    atomic_store(&on_worker, 0);
    int nthreads = 0;
#pragma omp parallel num_threads(2)
    {
      if (omp_get_thread_num() != 0) {
        atomic_store(&worker_done, 1);
      } else {
        nthreads = omp_get_num_threads();
        while (nthreads == 2 && !atomic_load(&worker_done))
          usleep(100);
        usleep(20000); /* the worker is at the join by now */
        for (int k = 0; k < 2; k++) {
#pragma omp task
          task_body();
        }
      }
    }
    if (nthreads != 2) {
      fprintf(stderr, "join_late_tasks: a team of %d threads, not 2\n", nthreads);
      return 1;
    }
    if (!atomic_load(&on_worker)) {
      fprintf(stderr, "join_late_tasks: round %d: no task ran on the worker\n", r);
      return 1;
    }
  }
  printf("join_late_tasks: ok\n");
  return 0;
}
