/* Counts kept in batches (hsomp: Note [Counting children in advance] in
 * task.c, Note [Handing tasks in pairs] in task_handoff.c, Note
 * [Completions counted in batches] in task.c): a producer counts its
 * children's units in advance, waiting threads get a producer's tasks in
 * pairs, and a thread that runs siblings one after another releases their
 * units in one operation.  The waits must still see exact counts, and no
 * thread may hold units while it runs something that another wait needs.
 * Teams of 12 and 24 threads, many rounds of:
 *   - a producer in a single makes tasks, waits for them (taskwait) and
 *     finds every one done; then the same inside a taskgroup;
 *   - a binary tree of tasks (explicit parents, counted one at a time);
 *   - thread 1 makes a task B that spins until a flag is set, while the
 *     producer makes short tasks in a taskgroup and sets the flag after
 *     the taskgroup's end: a thread that ran some of the short tasks and
 *     then B (another parent) must have released their units before it
 *     started B (else the taskgroup never ends and B spins until the time
 *     limit).
 * Fails on a count off or the time limit.  Run as it is (crowded CPUs: no
 * hand-offs) and with HSOMP_ASSUME_NCPUS=128 (the team fits). */
// TEST-TIMEOUT: 240
// TEST-ENV: HSOMP_TEST_VARIANT=crowded
// TEST-ENV: HSOMP_ASSUME_NCPUS=128
#include <omp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "task_tree.h"

enum { ROUNDS = 40, PRODUCED = 200, SHORT = 64 };

static int failures;

static void fail(const char *what, int n, int round, int got, int want) {
#pragma omp critical
  {
    fprintf(stderr, "FAIL: team of %d, round %d: %s: %d, expected %d\n", n, round, what, got, want);
    failures++;
  }
}

static void producer_round(int n, int round) {
#pragma omp parallel num_threads(n)
  {
#pragma omp single
    {
      atomic_int ran = 0;
      for (int k = 0; k < PRODUCED; k++) {
#pragma omp task shared(ran)
        {
          work(20);
          atomic_fetch_add(&ran, 1);
        }
      }
#pragma omp taskwait
      if (atomic_load(&ran) != PRODUCED)
        fail("tasks done at the taskwait", n, round, atomic_load(&ran), PRODUCED);
      atomic_store(&ran, 0);
#pragma omp taskgroup
      {
        for (int k = 0; k < PRODUCED; k++) {
#pragma omp task shared(ran)
          {
            work(20);
            atomic_fetch_add(&ran, 1);
          }
        }
      }
      if (atomic_load(&ran) != PRODUCED)
        fail("tasks done at the taskgroup's end", n, round, atomic_load(&ran), PRODUCED);
    }
  }
}

static void tree_round(int n, int round) {
  atomic_int ran = 0;
#pragma omp parallel num_threads(n)
#pragma omp single
  tree(&ran, 6, 100);
  if (atomic_load(&ran) != (1 << 7) - 1)
    fail("tree nodes run", n, round, atomic_load(&ran), (1 << 7) - 1);
}

static void spinner_round(int n, int round) {
  atomic_int flag = 0, ran = 0, gave_up = 0;
#pragma omp parallel num_threads(n)
  {
    if (omp_get_thread_num() == 1) {
#pragma omp task shared(flag, gave_up)
      {
        double until = omp_get_wtime() + 60;
        while (!atomic_load(&flag)) {
          if (omp_get_wtime() > until) {
            atomic_store(&gave_up, 1);
            break;
          }
          work(50);
        }
      }
    }
    if (omp_get_thread_num() == 0) {
#pragma omp taskgroup
      {
        for (int k = 0; k < SHORT; k++) {
#pragma omp task shared(ran)
          {
            work(200);
            atomic_fetch_add(&ran, 1);
          }
        }
      }
      atomic_store(&flag, 1);
      if (atomic_load(&ran) != SHORT)
        fail("short tasks done at the taskgroup's end", n, round, atomic_load(&ran), SHORT);
    }
  }
  if (atomic_load(&gave_up))
    fail("the taskgroup did not end while a sibling spun (60 s)", n, round, 0, 1);
}

int main(void) {
  static const int sizes[] = {12, 24};
  omp_set_dynamic(0);
  for (unsigned s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
    for (int round = 0; round < ROUNDS && !failures; round++) {
      producer_round(sizes[s], round);
      tree_round(sizes[s], round);
      spinner_round(sizes[s], round);
    }
  if (failures)
    return 1;
  printf("ok\n");
  return 0;
}
