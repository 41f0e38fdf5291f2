/* The throttle's two marks (hsomp: Note [Throttled tasks]): a thread
 * whose deque has filled runs its new tasks itself, included, until its
 * deque has drained to a low mark well below the full one, and only then
 * queues new tasks again -- not as soon as one queued task has gone (that
 * made a producer alternate between queued and included tasks, task by
 * task).  Thread 0 makes tasks while thread 1 spins in its own code (so
 * nobody steals): a task that has run when its `#pragma omp task'
 * returns was included.  It fills its deque until a task is included
 * (the full mark), then drains the deque one task at a time with
 * taskyield (hsomp runs one queued task per taskyield) and makes a probe
 * task after each: probes must be included while the deque is above the
 * low mark, at most half the full one.  Every task must run exactly once.
 * hsomp-only: taskyield runs nothing in libgomp. */
// TEST-HSOMP-ONLY
// TEST-TIMEOUT: 60
#include <omp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

enum { MAX_TASKS = 4096 };

static atomic_int runs[MAX_TASKS];
static atomic_int go;

static void body(int k) { atomic_fetch_add_explicit(&runs[k], 1, memory_order_relaxed); }

/* Make task k; 1 if it ran before the construct returned (included). */
static int make(int k) {
#pragma omp task firstprivate(k)
  body(k);
  return atomic_load_explicit(&runs[k], memory_order_relaxed) != 0;
}

int main(void) {
  int full = -1, low = -1, made = 0, queued = 0, fails = 0;
  omp_set_dynamic(0);
#pragma omp parallel num_threads(2)
  {
    if (omp_get_thread_num() == 1) {
      while (!atomic_load_explicit(&go, memory_order_acquire))
        ;
    } else if (omp_get_num_threads() == 2) {
      /* Fill: queued tasks until the first included one. */
      while (made < MAX_TASKS / 2) {
        int k = made++;
        if (make(k)) {
          full = queued;
          break;
        }
        queued++;
      }
      /* Drain one by one; a probe after each. */
      while (full > 0 && queued > 0 && made < MAX_TASKS) {
#pragma omp taskyield
        queued--;
        int k = made++;
        if (!make(k)) {
          low = queued; /* queued at this deque size: the low mark */
          break;
        }
      }
      atomic_store_explicit(&go, 1, memory_order_release);
    }
  }
  for (int k = 0; k < made; k++)
    if (atomic_load(&runs[k]) != 1) {
      if (fails++ < 5)
        fprintf(stderr, "task %d ran %d times\n", k, atomic_load(&runs[k]));
    }
  printf("full mark %d, low mark %d, %d tasks\n", full, low, made);
  if (full < 8) {
    fprintf(stderr, "the deque never filled (full mark %d)\n", full);
    return 1;
  }
  if (low < 0 || low > full / 2) {
    fprintf(stderr, "queued again at deque size %d: expected at most half the full mark %d\n", low,
            full);
    return 1;
  }
  return fails != 0;
}
