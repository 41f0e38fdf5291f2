/* cancel.c -- cancellation: GOMP_cancel and GOMP_cancellation_point.
 *
 * Inert unless OMP_CANCELLATION=true (hsomp_settings.cancellation), as in
 * libgomp: then both return false without looking at anything.
 *
 *   parallel   the team barrier's `cancelled' flag: cancellable barriers
 *              return true at once (and wake sleepers), tasks not yet
 *              started are dropped, no new task is created;
 *   for,       team->ws_cancelled, until the next barrier of the team
 *   sections   completes (the construct's end barrier);
 *   taskgroup  the innermost taskgroup of the current task (for the
 *              taskgroup a worksharing construct opens for its task
 *              reductions, the enclosing one): its tasks not yet started
 *              are dropped, and no task is created in it any more. */
#include "task_internal.h"
#include "ompt_internal.h"

static struct hsomp_taskgroup *current_taskgroup(struct hsomp_thread *self) {
  struct hsomp_task *t = self->ts.task;
  if (t)
    return t->taskgroup;
  return self->ts.team ? self->ts.team->parent.child_taskgroup : NULL;
}

static bool cancellation_point(int which) {
  if (!hsomp_settings.cancellation)
    return false;
  struct hsomp_thread *self = hsomp_self();
  struct hsomp_team *team = self->ts.team;
  if (which & (GOMP_CANCEL_LOOP | GOMP_CANCEL_SECTIONS))
    return team && atomic_load_explicit(&team->ws_cancelled, memory_order_acquire);
  if (which & GOMP_CANCEL_TASKGROUP) {
    struct hsomp_taskgroup *tg = current_taskgroup(self);
    if (tg && hsomp_taskgroup_cancelled(tg))
      return true;
    /* cancel parallel cancels the explicit tasks too: fall through. */
  }
  return team && atomic_load_explicit(&team->barrier.cancelled, memory_order_acquire);
}

/* OMPT: a cancellation seen here is `detected' (Note [OMPT event order]). */
static bool detected(int which, const void *ra) {
  HSOMP_OMPT(cancel(which, ompt_cancel_detected, ra));
  return true;
}

bool GOMP_cancellation_point(int which) {
  return cancellation_point(which) && detected(which, HSOMP_OMPT_RA);
}

bool GOMP_cancel(int which, bool do_cancel) {
  if (!hsomp_settings.cancellation)
    return false;
  if (!do_cancel)
    return cancellation_point(which) && detected(which, HSOMP_OMPT_RA);
  HSOMP_OMPT(cancel(which, ompt_cancel_activated, HSOMP_OMPT_RA));
  struct hsomp_thread *self = hsomp_self();
  struct hsomp_team *team = self->ts.team;
  if (which & (GOMP_CANCEL_LOOP | GOMP_CANCEL_SECTIONS)) {
    /* Orphaned (no team): only this thread's construct, which it leaves. */
    if (team)
      atomic_store_explicit(&team->ws_cancelled, true, memory_order_release);
    return true;
  }
  if (which & GOMP_CANCEL_TASKGROUP) {
    struct hsomp_taskgroup *tg = current_taskgroup(self);
    if (tg) {
      if (tg->workshare && tg->prev)
        tg = tg->prev;
      atomic_store_explicit(&tg->cancelled, true, memory_order_release);
    }
    return true;
  }
  if (team)
    hsomp_barrier_cancel(&team->barrier);
  return true;
}
