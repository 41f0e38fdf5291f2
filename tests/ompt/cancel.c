/* OMPT: cancellation.  `cancel for' in one thread reports ompt_cancel_loop |
 * activated once on that thread; `cancel parallel' likewise with
 * ompt_cancel_parallel; a cancellation point that sees a cancellation
 * reports it as detected; without OMP_CANCELLATION nothing is reported. */
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
  return finish("ompt.cancel", 0);
}
