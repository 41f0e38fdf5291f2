/* Every queued task wakes a sleeping thread: with waits that sleep at
 * once (no spinning), a team of 4 whose workers are asleep at the end of
 * a `single' gets 3 tasks from its master, one at a time, and each task
 * waits until all 3 run at the same time -- which needs 3 threads woken
 * by 3 pushes (the master then waits at the barrier, and may be one of
 * them).  A lost wake-up leaves a task waiting: the test gives up after
 * 10 s and fails.  The same with the tasks queued by a task (its creator
 * then waits in a taskwait, a constrained waiter) and with a burst of 64
 * tasks of which 3 must meet.  Also: many rounds of small bursts, every
 * task counted. */
// TEST-ENV: OMP_WAIT_POLICY=passive
// TEST-ENV: GOMP_SPINCOUNT=10
// TEST-TIMEOUT: 90
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static int gave_up; /* one task gave up: the others need not wait */

static int meet(int *arrived, int want) {
  int n, g;
#pragma omp atomic capture
  n = ++*arrived;
  double t0 = now();
  while (n < want) {
#pragma omp atomic read
    g = gave_up;
    if (g || now() - t0 > 10.0) {
#pragma omp atomic write
      gave_up = 1;
      return 0;
    }
    usleep(100);
#pragma omp atomic read
    n = *arrived;
  }
  return 1;
}

int main(void) {
  int fails = 0;
  if (omp_get_max_threads() < 4)
    omp_set_num_threads(4);

  for (int variant = 0; variant < 3; variant++) {
    int arrived = 0, ok = 1, nthreads = 0;
#pragma omp parallel num_threads(4) shared(arrived, ok, nthreads)
    {
#pragma omp single
      {
        nthreads = omp_get_num_threads();
        usleep(50000); /* the others go to sleep at the barrier */
        int ntasks = variant == 2 ? 64 : 3;
        if (variant == 1) {
#pragma omp task shared(arrived, ok)
          {
            for (int k = 0; k < 3; k++) {
              usleep(2000);
#pragma omp task shared(arrived, ok)
              if (!meet(&arrived, 3))
                ok = 0;
            }
#pragma omp taskwait
          }
        } else {
          for (int k = 0; k < ntasks; k++) {
            usleep(variant == 2 ? 10 : 2000);
#pragma omp task shared(arrived, ok) firstprivate(k)
            if (k < 3 && !meet(&arrived, 3))
              ok = 0;
          }
        }
      }
    }
    if (nthreads < 4) {
      printf("skipped: a team of %d\n", nthreads);
      return 0;
    }
    if (!ok) {
      fprintf(stderr, "variant %d: the tasks never ran together (a lost wake-up?)\n", variant);
      fails++;
    }
  }

  /* Many small bursts: every task runs exactly once. */
  long ran = 0;
#pragma omp parallel num_threads(4) shared(ran)
#pragma omp single
  for (int round = 0; round < 200; round++) {
    for (int k = 0; k < 1 + round % 5; k++) {
#pragma omp task shared(ran)
      {
#pragma omp atomic
        ran++;
      }
    }
    if (round % 7 == 0)
      usleep(200);
#pragma omp taskwait
  }
  long want = 0;
  for (int round = 0; round < 200; round++)
    want += 1 + round % 5;
  if (ran != want) {
    fprintf(stderr, "bursts: %ld tasks ran, expected %ld\n", ran, want);
    fails++;
  }
  return fails != 0;
}
