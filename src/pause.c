/* pause.c -- omp_pause_resource and omp_pause_resource_all: giving the
 * runtime's threads back to the system between parallel regions.
 *
 * Owns: releasing (retiring) the idle workers a thread has hired, and a
 * retired worker's last steps.  A soft and a hard pause do the same on
 * the host, as in libgomp: hsomp keeps no other resource (threadprivate
 * data lives in the program's TLS and survives both).  The next parallel
 * region hires fresh workers, so a paused program simply goes on. */
#include "hsomp.h"
#include "rts_glue.h"

#include <omp.h>
#include <stdlib.h>

/* The body of the retiring region, run by each worker in it. */
static void mark_retiring(void *arg) {
  (void)arg;
  hsomp_self()->retiring = true;
}

/* Note [Retiring workers]
 * The workers to retire are the idle ones of the caller's pool: entries
 * pool_in_use..pool_len-1 (the first pool_in_use serve teams the caller
 * is running right now, when it pauses from inside a target region).  We
 * run one region with exactly those workers, through the ordinary
 * fork/join, whose body marks the worker `retiring`; the worker joins as
 * usual and then, seeing its mark, leaves its loop instead of waiting for
 * the next region (worker_main in team.c calls hsomp_worker_retire).
 * The mark must be set by the worker itself inside that region: set by
 * the master beforehand, a worker still finishing the previous region
 * (it has joined, so the master went on) could see it too early and
 * leave without taking part in the retiring region, which would then
 * never be joined.  Once joined, the caller drops the workers from its
 * pool.  A worker that hired workers of its own (it was the master of
 * nested regions) retires those first.
 *
 * Who frees a retired worker's hsomp_thread: both sides use it until
 * their own end of the region -- the master may still be waking the
 * worker in hsomp_team_begin (reading its start word's sleepers) while the worker
 * has already run the body, joined and begun to retire.  So the state
 * has two owners (retire_refs = 2, set before the region), each drops
 * one when it is done with it, and the last one frees it. */
static void drop_retired(struct hsomp_thread *w) {
  if (atomic_fetch_sub_explicit(&w->retire_refs, 1, memory_order_acq_rel) == 1)
    free(w);
}

static void retire_idle_workers(struct hsomp_thread *self) {
  unsigned idle = self->pool_len - self->pool_in_use;
  if (idle == 0)
    return;
  for (unsigned i = self->pool_in_use; i < self->pool_len; i++)
    atomic_store_explicit(&self->pool[i]->retire_refs, 2, memory_order_relaxed);
  /* The master does not run the body: it only starts and joins. */
  hsomp_team_begin(mark_retiring, NULL, idle + 1, 0, NULL, NULL);
  hsomp_team_end();
  for (unsigned i = self->pool_in_use; i < self->pool_len; i++)
    drop_retired(self->pool[i]);
  self->pool_len = self->pool_in_use;
}

void hsomp_worker_retire(struct hsomp_thread *self) {
  retire_idle_workers(self);
  hsomp_event_thread_exit(self);
  free(self->pool);
  if (self->cached_team) {
    free(self->cached_team->members);
    free(self->cached_team);
  }
  hsomp_tls = NULL;
  hsomp_rts_unbind_worker();
  drop_retired(self);
}

/* libgomp refuses (returns -1) inside a parallel region, active or not:
 * the team's workers are busy. */
static int pause_host(void) {
  struct hsomp_thread *self = hsomp_self();
  if (self->ts.level > 0)
    return -1;
  retire_idle_workers(self);
  return 0;
}

int omp_pause_resource(omp_pause_resource_t kind, int device_num) {
  (void)kind;
  if (device_num == omp_get_initial_device())
    return pause_host();
  return -1; /* no such device: hsomp has no offload devices */
}

int omp_pause_resource_all(omp_pause_resource_t kind) {
  (void)kind;
  return pause_host();
}
