/* A producer whose tasks turn out long queues past the throttle's usual
 * bound, and a thread waiting in a taskwait pauses between steals that
 * gave it only tiny tasks (hsomp: Note [Producers whose tasks are worth
 * sharing] in task_create.c, Note [Idle thieves and tiny tasks] in
 * task_sched.c).  Neither may lose or repeat a task or break the Task
 * Scheduling Constraint.  A team of 2, several regions:
 *   - LONG: thread 0, in a single, makes KIDS tasks of a few microseconds
 *     (more than the usual bound of 256 queued tasks), each of which makes
 *     two tiny children and waits for them; the thief's steals are long,
 *     so the producer's deque mark rises;
 *   - TINY: then tiny tasks only, which bring the thieves' verdict down
 *     again (and make them pause at the barrier), followed by a task SET
 *     and a task SPIN that waits for SET: the thread that takes SPIN can
 *     finish only when the other one takes SET, however it pauses.
 * Every task checks, when it starts, that each task its thread is
 * suspended in (a taskwait) is one of its ancestors: a tied task's thread
 * may start only descendants of the tasks it has suspended. */
// TEST-TIMEOUT: 120
#include <omp.h>
#include <stdatomic.h>
#include <stdio.h>

#include "sibling_pair.h"

enum { REGIONS = 6, KIDS = 3000, TINY = 20000, DEPTH_MAX = 8 };

/* Task ids: 1 + k for a LONG task, 1 + KIDS + 2k + j for its children. */
enum { NIDS = 1 + 3 * KIDS };
static int parent_of[NIDS];
static atomic_int runs[NIDS], tiny_runs[TINY];
static atomic_int tsc_violations;

/* The tasks this thread is suspended in, innermost last. */
static __thread int suspended[DEPTH_MAX], nsuspended;

static int is_ancestor(int a, int id) {
  for (int p = parent_of[id]; p; p = parent_of[p])
    if (p == a)
      return 1;
  return 0;
}

static void task_starts(int id) {
  for (int i = 0; i < nsuspended; i++)
    if (!is_ancestor(suspended[i], id) && atomic_fetch_add(&tsc_violations, 1) < 5)
      fprintf(stderr, "task %d started on a thread suspended in task %d, not its ancestor\n", id,
              suspended[i]);
  atomic_fetch_add_explicit(&runs[id], 1, memory_order_relaxed);
}

static void busy_us(double us) {
  double end = omp_get_wtime() + us * 1e-6;
  while (omp_get_wtime() < end)
    ;
}

static void long_task(int k) {
  int id = 1 + k;
  task_starts(id);
  busy_us(3.0);
  for (int j = 0; j < 2; j++) {
#pragma omp task firstprivate(j)
    task_starts(1 + KIDS + 2 * k + j);
  }
  suspended[nsuspended++] = id;
#pragma omp taskwait
  nsuspended--;
}

int main(void) {
  int fails = 0, regions_of_two = 0;
  omp_set_dynamic(0);
  for (int k = 0; k < KIDS; k++) {
    parent_of[1 + k] = 0;
    parent_of[1 + KIDS + 2 * k] = parent_of[1 + KIDS + 2 * k + 1] = 1 + k;
  }
  for (int r = 0; r < REGIONS; r++) {
    for (int i = 0; i < NIDS; i++)
      atomic_store(&runs[i], 0);
    for (int k = 0; k < TINY; k++)
      atomic_store(&tiny_runs[k], 0);
    sibling_pair_reset();
    int two = 0;
#pragma omp parallel num_threads(2) shared(two)
    {
#pragma omp single
      {
        two = omp_get_num_threads() == 2;
        for (int k = 0; k < KIDS; k++) {
#pragma omp task firstprivate(k)
          long_task(k);
        }
      }
      /* the single's barrier: every LONG task is done */
      if (omp_get_thread_num() == 0) {
        for (int k = 0; k < TINY; k++) {
#pragma omp task firstprivate(k)
          atomic_fetch_add_explicit(&tiny_runs[k], 1, memory_order_relaxed);
        }
        if (two)
          sibling_pair_make();
      }
    }
    regions_of_two += two;
    for (int i = 1; i < NIDS; i++)
      if (atomic_load(&runs[i]) != 1 && fails++ < 5)
        fprintf(stderr, "region %d: task %d ran %d times\n", r, i, atomic_load(&runs[i]));
    for (int k = 0; k < TINY; k++)
      if (atomic_load(&tiny_runs[k]) != 1 && fails++ < 5)
        fprintf(stderr, "region %d: tiny task %d ran %d times\n", r, k, atomic_load(&tiny_runs[k]));
    if (two)
      sibling_pair_check(r, &fails);
  }
  if (atomic_load(&tsc_violations)) {
    fprintf(stderr, "%d tasks broke the Task Scheduling Constraint\n", atomic_load(&tsc_violations));
    fails++;
  }
  sibling_pair_check_timeouts(&fails);
  if (!regions_of_two) {
    fprintf(stderr, "no region had two threads\n");
    fails++;
  }
  printf("%d regions of 2 threads, %d failures\n", regions_of_two, fails);
  return fails != 0;
}
