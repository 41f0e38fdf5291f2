/* A tree of tasks with taskwaits made by a member other than the master
 * with nothing between it and the region's end (`masked filter(n - 1)'),
 * in teams that fit their CPUs (HSOMP_ASSUME_NCPUS=128: the join's tree
 * has branching 4, so members 1 and 2 of a team of 12 wait in the gather
 * for children, and big teams hand tasks to waiting threads).  The other
 * workers reach the join before the first task exists and may leave
 * then (Note [Workers stay for late tasks], join.c); a worker that
 * waits in the gather for its children meanwhile runs the tasks made by
 * then.  It used to leave with a task in its own deque (handed to it as
 * its wait ended, or the child of a task it ran), and the threads in
 * taskwaits for that task slept for good: the master and two workers
 * asleep in taskwaits, the rest of the team back in its pool (Note
 * [Workers that ran tasks on their way out]).  Every round must end, and
 * every node must run once; a hang is caught by the test's timeout. */
// TEST-TIMEOUT: 120
// TEST-ENV: HSOMP_ASSUME_NCPUS=128
// TEST-ENV: HSOMP_ASSUME_NCPUS=128 OMP_WAIT_POLICY=passive
#include <omp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

enum { ROUNDS = 150, DEPTH = 7 };

static atomic_int ran;

static void work(int n) {
  volatile int x = 0;
  for (int i = 0; i < n; i++)
    x += i;
}

static void node(int depth) {
  atomic_fetch_add(&ran, 1);
  if (depth == 0) {
    work(50);
    return;
  }
#pragma omp task
  node(depth - 1);
#pragma omp task
  node(depth - 1);
#pragma omp taskwait
}

int main(void) {
  static const int sizes[] = {12, 16, 24};
  omp_set_dynamic(0);
  for (unsigned s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
    for (int round = 0; round < ROUNDS; round++) {
      int n = sizes[s];
      atomic_store(&ran, 0);
#pragma omp parallel num_threads(n)
#pragma omp masked filter(n - 1)
      node(DEPTH);
      if (atomic_load(&ran) != (2 << DEPTH) - 1) {
        fprintf(stderr, "FAIL: team of %d, round %d: %d of %d nodes ran\n", n, round,
                atomic_load(&ran), (2 << DEPTH) - 1);
        return 1;
      }
    }
  printf("ok\n");
  return 0;
}
