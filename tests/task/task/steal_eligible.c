/* A waiter takes only tasks it may run (Note [Stealing only what may run]
 * in task_sched.c), and still misses none.  A team of 2, many rounds:
 *   - thread 0 makes a detached task D and a task R that depends on it,
 *     then waits for both in a taskwait (it runs D's body there);
 *   - thread 1 makes a child C of its own, then fulfils D's event from its
 *     implicit task: D completes there, and R, readied by that completion,
 *     goes to thread 1's deque above C; then thread 1 waits for C.
 * Thread 1's newest task (R) is not one it may run and hides C; thread 0
 * may run R but not C, which is the oldest.  A runtime whose waiters
 * decline what they may not run must let thread 1 reach C from the other
 * end of its deque; otherwise both wait forever (the timeout fails it).
 * Then the same with grandchildren: thread 0 waits in a task whose child
 * makes the grandchildren thread 1 steals. */
// TEST-TIMEOUT: 120
#include <omp.h>
#include <stdatomic.h>
#include <stdio.h>

#include "task_tree.h"

enum { ROUNDS = 300 };

static int fulfil_round(void) {
  atomic_int ran = 0, body_done = 0, published = 0;
  omp_event_handle_t ev;
  int dep = 0;
#pragma omp parallel num_threads(2) shared(ran, body_done, published, ev, dep)
  {
    if (omp_get_num_threads() != 2) {
      if (omp_get_thread_num() == 0)
        atomic_store(&ran, 3); /* a team of one: nothing to check */
    } else if (omp_get_thread_num() == 0) {
      omp_event_handle_t e;
#pragma omp task detach(e) depend(out : dep) shared(ran, body_done)
      {
        atomic_fetch_add(&ran, 1);
        atomic_store(&body_done, 1);
      }
      ev = e;
      atomic_store(&published, 1);
#pragma omp task depend(in : dep) shared(ran)
      atomic_fetch_add(&ran, 1);
#pragma omp taskwait
    } else {
#pragma omp task shared(ran)
      {
        work(100);
        atomic_fetch_add(&ran, 1);
      }
      while (!atomic_load(&published) || !atomic_load(&body_done))
        ;
      omp_fulfill_event(ev);
#pragma omp taskwait
    }
  }
  return atomic_load(&ran);
}

/* Every thread waits in tasks; the grandchildren of one thread's task are
 * what the other may steal. */
static int tree_round(void) {
  atomic_int ran = 0;
#pragma omp parallel num_threads(2) shared(ran)
  {
#pragma omp task shared(ran)
    tree(&ran, 5, 200);
#pragma omp taskwait
  }
  return atomic_load(&ran);
}

int main(void) {
  for (int r = 0; r < ROUNDS; r++) {
    int ran = fulfil_round();
    if (ran != 3) {
      fprintf(stderr, "round %d: %d of 3 tasks ran\n", r, ran);
      return 1;
    }
  }
  int threads = 0;
#pragma omp parallel num_threads(2)
#pragma omp single
  threads = omp_get_num_threads();
  for (int r = 0; r < ROUNDS / 10; r++) {
    int ran = tree_round();
    if (ran != threads * 63) {
      fprintf(stderr, "tree round %d: %d of %d tasks ran\n", r, ran, threads * 63);
      return 1;
    }
  }
  printf("steal_eligible: %d rounds\n", ROUNDS);
  return 0;
}
