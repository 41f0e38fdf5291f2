/* loop_common.c -- the life cycle of a loop construct's work share, shared
 * by the long (loop.c) and unsigned long long (loop_ull.c) entry points,
 * sections and scope: joining and initialising the record (task
 * reductions, the compiler's `mem` buffer, ordered and doacross state),
 * claiming chunks of ordered loops, and ending the construct. */
#include "iter.h"

#include <stdlib.h>
#include <string.h>

void hsomp_ws_task_reductions(struct hsomp_work_share *ws, bool first, uintptr_t *reductions) {
  if (first) {
    hsomp_workshare_task_reduction_register(reductions, NULL);
    ws->task_reductions = reductions;
  } else {
    hsomp_workshare_task_reduction_register(reductions, ws->task_reductions);
  }
}

void hsomp_loop_begin(struct hsomp_thread *self, const struct hsomp_loop_args *a) {
  self->ts.static_trip = 0;
  self->ts.ordered_held = false;
  if (hsomp_work_share_begin(self)) {
    struct hsomp_work_share *ws = self->ts.ws;
    hsomp_iter_init(ws, self->ts.team ? self->ts.team->nthreads : 1, a);
    size_t extra = a->mem ? (size_t)(uintptr_t)*a->mem : 0;
    if (a->ncounts)
      hsomp_doacross_init(ws, a, extra);
    else if (a->mem)
      ws->mem = hsomp_ws_scratch(ws, extra);
    if (a->reductions)
      hsomp_ws_task_reductions(ws, true, a->reductions);
    hsomp_work_share_init_done(self);
  } else if (a->reductions) {
    hsomp_ws_task_reductions(self->ts.ws, false, a->reductions);
  }
  if (a->mem)
    *a->mem = self->ts.ws->mem;
}

bool hsomp_iter_ordered_next(struct hsomp_thread *self, uint64_t *lo, uint64_t *hi) {
  hsomp_ordered_release(self);
  if (!hsomp_iter_next(self, self->ts.ws, lo, hi))
    return false;
  hsomp_ordered_hold(self, *lo, *hi);
  return true;
}

void hsomp_loop_end(struct hsomp_thread *self, bool nowait) {
  if (self->ts.ordered_held)
    hsomp_ordered_release(self);
  hsomp_work_share_end(self, nowait);
}

bool hsomp_loop_end_cancel(struct hsomp_thread *self) {
  if (self->ts.ordered_held)
    hsomp_ordered_release(self);
  return hsomp_work_share_end_cancel(self);
}
