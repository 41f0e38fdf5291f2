/* OMPT: cancellation.  `cancel for' in one thread reports ompt_cancel_loop |
 * activated once on that thread; `cancel parallel', `cancel sections' and
 * `cancel taskgroup' likewise with their construct; a cancellation point
 * that sees a cancellation reports it as detected; every task the
 * cancelled taskgroup drops before it starts reports
 * ompt_cancel_discarded_task on its own data (no schedule events), so
 * created = run + discarded. */
// TEST-HSOMP-ONLY
// TEST-LIBS: -rdynamic
// TEST-TIMEOUT: 30
// TEST-ENV: OMP_CANCELLATION=true
#include "ompt_tool.h"

#include <omp.h>

int main(void) {
  int m = mark();
  int detected = 0;
#pragma omp parallel num_threads(4) reduction(+ : detected)
  {
#pragma omp barrier
    if (omp_get_thread_num() == 0) {
#pragma omp cancel parallel
    }
#pragma omp barrier
    detected += 1;
#pragma omp cancellation point parallel
    detected += 100;
  }
  int activated = count_from(m, EV_CANCEL, ANY, ompt_cancel_parallel | ompt_cancel_activated);
  int seen = count_from(m, EV_CANCEL, ANY, ompt_cancel_parallel | ompt_cancel_detected);
  EXPECT(activated == 1, "one activation, got %d", activated);
  /* The other three see it at the cancellable barrier (a cancellation
   * point), none gets past it. */
  EXPECT(detected == 0, "no thread passed the barrier, got %d", detected);
  EXPECT(seen == 3, "3 detections reported, got %d", seen);
  for (int i = m; i < nevents; i++)
    if (events[i].kind == EV_CANCEL)
      EXPECT(in_main(events[i].codeptr), "cancel codeptr_ra in the program");

  m = mark();
#pragma omp parallel num_threads(4)
  {
#pragma omp for schedule(dynamic)
    for (int i = 0; i < 1000; i++) {
      if (i == 10) {
#pragma omp cancel for
      }
#pragma omp cancellation point for
    }
  }
  EXPECT(count_from(m, EV_CANCEL, ANY, ompt_cancel_loop | ompt_cancel_activated) == 1,
         "one loop cancellation");
  EXPECT(count_from(m, EV_WORK, ompt_scope_begin, ompt_work_loop) ==
             count_from(m, EV_WORK, ompt_scope_end, ompt_work_loop),
         "the cancelled loop's work ends pair");

  m = mark();
#pragma omp parallel num_threads(4)
#pragma omp sections
  {
#pragma omp section
    {
#pragma omp cancel sections
    }
#pragma omp section
    {
#pragma omp cancellation point sections
    }
  }
  EXPECT(count_from(m, EV_CANCEL, ANY, ompt_cancel_sections | ompt_cancel_activated) == 1,
         "one sections cancellation");
  EXPECT(count_from(m, EV_WORK, ompt_scope_begin, ompt_work_sections) == 4 &&
             count_from(m, EV_WORK, ompt_scope_end, ompt_work_sections) == 4,
         "the cancelled sections' work begins and ends");

  /* A taskgroup of 40 tasks (under the runtime's cut-off: all deferred);
   * none starts its work before all exist, then the first to start
   * cancels the taskgroup: the tasks not yet started are dropped. */
  m = mark();
  static volatile int all_created, cancelled;
#pragma omp parallel num_threads(2)
#pragma omp single
#pragma omp taskgroup
  {
    for (int i = 0; i < 40; i++) {
#pragma omp task
      {
        while (!__atomic_load_n(&all_created, __ATOMIC_ACQUIRE))
          ;
        if (__atomic_exchange_n(&cancelled, 1, __ATOMIC_SEQ_CST) == 0) {
#pragma omp cancel taskgroup
        }
      }
    }
    __atomic_store_n(&all_created, 1, __ATOMIC_RELEASE);
  }
  int created = count_from(m, EV_TASK_CREATE, ANY, ANY);
  int ran = 0, discarded = 0;
  for (int i = m; i < nevents; i++) {
    if (events[i].kind == EV_TASK_SCHEDULE && events[i].sub == ompt_task_complete)
      ran++;
    if (events[i].kind == EV_CANCEL &&
        events[i].sub == (ompt_cancel_discarded_task | ompt_cancel_taskgroup))
      discarded++;
  }
  EXPECT(count_from(m, EV_CANCEL, ANY, ompt_cancel_taskgroup | ompt_cancel_activated) == 1,
         "one taskgroup cancellation");
  EXPECT(created == 40, "40 tasks created, got %d", created);
  EXPECT(ran + discarded == created && discarded > 0, "%d ran + %d discarded = %d created", ran,
         discarded, created);
  return finish("ompt.cancel", 0);
}
