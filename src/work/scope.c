/* scope.c -- the scope construct with task reductions (GOMP_scope_start).
 * A scope without them compiles to no runtime call at all (its barrier is
 * a GOMP_barrier). */
#include "iter.h"
#include "ompt_internal.h"

/* Note [Scope as a work share]
 * A scope with reduction(task, ...) uses a work share only to pick the
 * thread that sets the task reductions up and to hand its array to the
 * others (as libgomp does).  The compiler then emits the barrier and
 * GOMP_workshare_task_reduction_unregister, and never an end call for the
 * work share.  So every thread leaves the record (nowait) as soon as it
 * has what it needs: a record left in use would block the work-share
 * ring HSOMP_WS_RING constructs later (Note [Work-share ring]). */
void GOMP_scope_start(uintptr_t *reductions) {
  HSOMP_OMPT(work_open(ompt_work_scope, HSOMP_OMPT_RA));
  struct hsomp_thread *self = hsomp_self();
  if (hsomp_work_share_begin(self)) {
    self->ts.ws->task_reductions = NULL;
    if (reductions)
      hsomp_ws_task_reductions(self->ts.ws, true, reductions);
    hsomp_work_share_init_done(self);
  } else if (reductions) {
    hsomp_ws_task_reductions(self->ts.ws, false, reductions);
  }
  hsomp_work_share_end(self, true);
}
