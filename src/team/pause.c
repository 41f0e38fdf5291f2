/* pause.c -- omp_pause_resource and omp_pause_resource_all: giving the
 * runtime's threads back to the system between parallel regions.
 *
 * The entry points only: retiring the idle workers a thread has hired is
 * the worker pool's (hsomp_pool_retire_idle, team.c).  A soft and a hard pause do the same on
 * the host, as in libgomp: hsomp keeps no other resource (threadprivate
 * data lives in the program's TLS and survives both).  The next parallel
 * region hires fresh workers, so a paused program simply goes on. */
#include "hsomp.h"

#include <omp.h>
#include <stdlib.h>

/* libgomp refuses (returns -1) inside a parallel region, active or not:
 * the team's workers are busy. */
static int pause_host(void) {
  struct hsomp_thread *self = hsomp_self();
  if (self->ts.level > 0)
    return -1;
  hsomp_pool_retire_idle(self);
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
