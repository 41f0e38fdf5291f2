/* Teams of more than 8 threads hand tasks to waiting threads (Note
 * [Offering tasks to waiting threads] in task_sched.c): an idle thread at a
 * barrier joins a waiting set, a thread that pushes a task hands its oldest
 * to one of them, and thieves read only the deques that advertise a task
 * nobody was offered.  On any CPU count (here mostly more threads than
 * CPUs), for teams of 12, 24 and 70 threads (one, three and nine waiting
 * words), many rounds of:
 *   - one producer in a single makes many tasks; every task runs once;
 *   - a binary tree of tasks with taskwaits; every node runs once;
 *   - the primary makes one task and then waits, outside any task
 *     scheduling point, until one of the threads waiting at the barrier
 *     has run it: a task that is neither handed nor advertised must
 *     still be stolen (a runtime that left it in the deque would fail
 *     after the time limit);
 *   - every thread makes a few tasks and waits for them, then a barrier.
 * Fails on a lost task (a count off), a task run twice, or a hang.  Run as
 * it is (on a small machine: crowded CPUs, where nobody waits for a
 * hand-off) and with HSOMP_ASSUME_NCPUS=128 (the team fits: hand-offs). */
// TEST-TIMEOUT: 240
// TEST-ENV: HSOMP_TEST_VARIANT=crowded
// TEST-ENV: HSOMP_ASSUME_NCPUS=128
#include <omp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "task_tree.h"

enum { ROUNDS = 30, PRODUCED = 600, DEPTH = 7 };

static atomic_int seen[PRODUCED];

static int produce_round(int nthreads) {
  atomic_int ran = 0;
  for (int i = 0; i < PRODUCED; i++)
    atomic_store(&seen[i], 0);
#pragma omp parallel num_threads(nthreads) shared(ran)
  {
#pragma omp single
    for (int i = 0; i < PRODUCED; i++) {
#pragma omp task firstprivate(i) shared(ran)
      {
        work(50);
        atomic_fetch_add(&seen[i], 1);
        atomic_fetch_add(&ran, 1);
      }
    }
  }
  for (int i = 0; i < PRODUCED; i++)
    if (atomic_load(&seen[i]) != 1) {
      fprintf(stderr, "task %d ran %d times\n", i, atomic_load(&seen[i]));
      return -1;
    }
  return atomic_load(&ran);
}

static int tree_round(int nthreads) {
  atomic_int ran = 0;
#pragma omp parallel num_threads(nthreads) shared(ran)
#pragma omp single
  tree(&ran, DEPTH, 100);
  return atomic_load(&ran);
}

/* The primary's one task must be run by another thread while the primary
 * spins outside any scheduling point. */
static int stolen_round(int nthreads) {
  atomic_int done = 0, failed = 0;
#pragma omp parallel num_threads(nthreads) shared(done, failed)
  {
    if (omp_get_thread_num() == 0 && omp_get_num_threads() > 1) {
#pragma omp task shared(done)
      atomic_store(&done, 1);
      double start = omp_get_wtime();
      while (!atomic_load(&done))
        if (omp_get_wtime() - start > 60) {
          atomic_store(&failed, 1);
          break;
        }
    }
#pragma omp barrier
  }
  return atomic_load(&failed) ? -1 : 1;
}

/* Tasks that did not run, after every thread made 3 tasks in each of 4
 * rounds. */
static int spawn_round(int nthreads) {
  atomic_int ran = 0, made = 0;
#pragma omp parallel num_threads(nthreads) shared(ran, made)
  {
    atomic_fetch_add(&made, 12);
    for (int r = 0; r < 4; r++) {
      for (int k = 0; k < 3; k++) {
#pragma omp task shared(ran)
        {
          work(30);
          atomic_fetch_add(&ran, 1);
        }
      }
#pragma omp taskwait
    }
#pragma omp barrier
  }
  return atomic_load(&made) - atomic_load(&ran);
}

int main(void) {
  static const int sizes[] = {12, 24, 70};
  omp_set_dynamic(0);
  for (unsigned s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
    int n = sizes[s];
    for (int round = 0; round < ROUNDS; round++) {
      int got = produce_round(n);
      if (got != PRODUCED) {
        fprintf(stderr, "FAIL: team of %d, round %d: %d of %d produced tasks ran\n", n, round, got,
                PRODUCED);
        return 1;
      }
      got = tree_round(n);
      if (got != (1 << (DEPTH + 1)) - 1) {
        fprintf(stderr, "FAIL: team of %d, round %d: %d of %d tree nodes ran\n", n, round, got,
                (1 << (DEPTH + 1)) - 1);
        return 1;
      }
      got = stolen_round(n);
      if (got != 1) {
        fprintf(stderr, "FAIL: team of %d, round %d: the primary's task did not run while it "
                        "waited (60 s)\n", n, round);
        return 1;
      }
      got = spawn_round(n);
      if (got != 0) {
        fprintf(stderr, "FAIL: team of %d, round %d: %d spawned tasks did not run\n", n, round, got);
        return 1;
      }
    }
  }
  printf("ok\n");
  return 0;
}
