/* A tree of tasks with taskwaits made by a member other than the master
 * with nothing between it and the region's end (`masked filter(n - 1)'),
 * in teams that fit their CPUs (HSOMP_ASSUME_NCPUS=128: the join's tree
 * has branching 4, and teams of more than 8 hand tasks to waiting
 * threads).  The master reaches its join at once, so the other workers
 * leave before the first task (Note [Workers stay for late tasks],
 * join.c), and the tree runs on the producer, the master and the workers
 * still waiting in the join's gather, every one of them soon suspended
 * in a taskwait.  A task offered to a waiting thread that nobody took
 * used to go back at the bottom of its deque, above the children of the
 * task its owner ran, where neither that owner's taskwait nor a thief
 * reaches them: the master and two workers slept in taskwaits for good
 * (Note [A task not handed goes back where it was], task_handoff.c).
 * A worker waiting in the gather could also leave with a task in its
 * deque (Note [Workers that ran tasks on their way out], join.c).  Every
 * round must end, and every node must run once; a hang is caught by the
 * test's timeout.  The passive variant (sleeping threads open no hand-off
 * word) did not hang before; it covers the join with sleeping workers. */
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
