/* task_reduction.c -- task reductions: task_reduction on taskgroup,
 * reduction on taskloop, in_reduction on tasks, and the task modifier of
 * reduction on parallel and worksharing constructs.
 *
 * Owns GOMP_taskgroup_reduction_register/unregister,
 * GOMP_task_reduction_remap, GOMP_parallel_reductions,
 * GOMP_workshare_task_reduction_unregister and the worksharing
 * constructs' registration (hsomp_workshare_task_reduction_register). */
#include "task_internal.h"
#include "ompt_internal.h"

#include <stdlib.h>
#include <string.h>

/* Note [Task reduction data]
 * The compiler describes the reduction variables of one construct in an
 * array of uintptr_t (GCC's layout, libgomp task.c):
 *   d[0] number of variables     d[1] bytes of private data per thread
 *   d[2] alignment, replaced by the address of the private copies
 *   d[3] allocator (-1: malloc)  d[4] next array of the same construct
 *   d[5], d[6] ours: d[5] != 0 marks the first array of a registration,
 *        d[6] the end of the private copies
 *   then per variable: its original address, its offset in a thread's
 *   block, one word of ours.
 * Registering allocates nthreads zeroed blocks of d[1] bytes (the private
 * copies carry the compiler's "initialised" flag, which must start
 * false), and chains the registration in front of the enclosing
 * taskgroup's: the last array's d[4] points to the older registration.
 * A task with in_reduction asks GOMP_task_reduction_remap for its thread's
 * copy of each variable, given either the original address or the address
 * of some thread's copy; the search walks the chain from the innermost
 * registration outwards.  The compiler itself combines the copies after
 * the construct, then calls the unregister entry point, which frees the
 * blocks of that registration only. */

void hsomp_reduction_register(uintptr_t *data, uintptr_t *old, unsigned nthreads) {
  uintptr_t *d = data;
  for (;;) {
    size_t align = d[2] < sizeof(void *) ? sizeof(void *) : (size_t)d[2];
    size_t size = (size_t)d[1] * nthreads;
    void *p = NULL;
    if ((align & (align - 1)) != 0 || posix_memalign(&p, align, size ? size : 1) != 0)
      hsomp_fatal("cannot allocate %zu bytes aligned to %zu for task reductions", size, align);
    memset(p, 0, size);
    d[2] = (uintptr_t)p;
    d[6] = d[2] + size;
    d[5] = d == data ? (uintptr_t)data : 0;
    if (d[4] == 0) {
      d[4] = (uintptr_t)old;
      return;
    }
    d = (uintptr_t *)d[4];
  }
}

static unsigned team_size(struct hsomp_thread *self) {
  return self->ts.team ? self->ts.team->nthreads : 1;
}

void GOMP_taskgroup_reduction_register(uintptr_t *data) {
  struct hsomp_thread *self = hsomp_self();
  struct hsomp_task *t = hsomp_task_current(self);
  if (!t->taskgroup || !t->taskgroup_own)
    hsomp_taskgroup_begin(self); /* misuse, but keep the data somewhere */
  struct hsomp_taskgroup *tg = t->taskgroup;
  hsomp_reduction_register(data, tg->reductions, team_size(self));
  tg->reductions = data;
}

void GOMP_taskgroup_reduction_unregister(uintptr_t *data) {
  uintptr_t *d = data;
  do {
    free((void *)d[2]);
    d = (uintptr_t *)d[4];
  } while (d && !d[5]);
}

static void *remap_one(uintptr_t *data, void *p, unsigned id, void **orig) {
  for (uintptr_t *d = data; d; d = (uintptr_t *)d[4])
    for (uintptr_t j = 0; j < d[0]; j++)
      if (d[7 + 3 * j] == (uintptr_t)p) {
        *orig = p;
        return (void *)(d[2] + id * d[1] + d[8 + 3 * j]);
      }
  for (uintptr_t *d = data; d; d = (uintptr_t *)d[4]) {
    if ((uintptr_t)p < d[2] || (uintptr_t)p >= d[6])
      continue;
    uintptr_t off = ((uintptr_t)p - d[2]) % d[1];
    *orig = NULL;
    for (uintptr_t j = 0; j < d[0]; j++)
      if (d[8 + 3 * j] == off)
        *orig = (void *)d[7 + 3 * j];
    return (void *)(d[2] + id * d[1] + off);
  }
  return NULL;
}

/* For i < cnt: ptrs[i] (an original list item, or some thread's copy of
 * one) becomes the calling thread's copy; for i < cntorig, ptrs[cnt + i]
 * receives the original's address. */
void GOMP_task_reduction_remap(size_t cnt, size_t cntorig, void **ptrs) {
  struct hsomp_thread *self = hsomp_self();
  struct hsomp_task *t = hsomp_task_current(self);
  uintptr_t *data = t->taskgroup ? t->taskgroup->reductions : NULL;
  unsigned id = self->ts.team_id;
  for (size_t i = 0; i < cnt; i++) {
    void *orig = NULL;
    void *mine = remap_one(data, ptrs[i], id, &orig);
    if (!mine || (i < cntorig && !orig))
      hsomp_fatal("couldn't find matching task_reduction or reduction with task modifier for %p",
                  ptrs[i]);
    ptrs[i] = mine;
    if (i < cntorig)
      ptrs[cnt + i] = orig;
  }
}

/* reduction(task, ...) on a parallel: the implicit tasks of the team all
 * belong to a taskgroup holding the reductions (read by each thread from
 * team->parent.child_taskgroup when it makes its implicit task's record). */
unsigned GOMP_parallel_reductions(void (*fn)(void *), void *data, unsigned num_threads,
                                  unsigned flags) {
  HSOMP_OMPT_CODEPTR();
  struct hsomp_thread *self = hsomp_self();
  unsigned n = hsomp_resolve_nthreads(self, num_threads);
  uintptr_t *rdata = *(uintptr_t **)data;
  hsomp_reduction_register(rdata, NULL, n);
  struct hsomp_taskgroup tg;
  atomic_init(&tg.live, 0);
  atomic_init(&tg.cancelled, false);
  tg.workshare = false;
  tg.prev_own = false;
  tg.prev = NULL;
  tg.reductions = rdata;
  struct hsomp_taskgroup *saved = self->ts.child_taskgroup;
  self->ts.child_taskgroup = &tg;
  hsomp_parallel(fn, data, n, flags);
  self->ts.child_taskgroup = saved;
  return n;
}

/* Worksharing constructs with reduction(task, ...) (GOMP_loop_start and
 * the other OpenMP 5 starts, GOMP_sections2_start, GOMP_scope_start):
 * each thread opens a workshare taskgroup; the first one allocates the
 * private copies, the others share its blocks. */
void hsomp_workshare_task_reduction_register(uintptr_t *reductions, uintptr_t *first) {
  struct hsomp_thread *self = hsomp_self();
  struct hsomp_taskgroup *tg = hsomp_taskgroup_begin(self);
  tg->workshare = true;
  uintptr_t *old = tg->reductions;
  if (!first) {
    hsomp_reduction_register(reductions, old, team_size(self));
  } else {
    uintptr_t *d = reductions, *o = first;
    for (;;) {
      d[2] = o[2];
      d[6] = o[6];
      d[5] = d == reductions ? (uintptr_t)reductions : 0;
      if (d[4] == 0) {
        d[4] = (uintptr_t)old;
        break;
      }
      d = (uintptr_t *)d[4];
      o = (uintptr_t *)o[4];
    }
  }
  tg->reductions = reductions;
}

/* The end of such a construct: every thread closes its taskgroup, thread
 * 0 frees the shared blocks (the compiler has combined them already), and
 * the team meets at a barrier unless the construct was cancelled. */
void GOMP_workshare_task_reduction_unregister(bool cancelled) {
  struct hsomp_thread *self = hsomp_self();
  struct hsomp_task *t = hsomp_task_current(self);
  struct hsomp_taskgroup *tg = t->taskgroup;
  if (!tg || !tg->workshare || !t->taskgroup_own) {
    hsomp_warn("GOMP_workshare_task_reduction_unregister: no worksharing task reduction is open");
    return;
  }
  uintptr_t *data = tg->reductions;
  hsomp_taskgroup_end(self);
  if (self->ts.team_id == 0)
    GOMP_taskgroup_reduction_unregister(data);
  struct hsomp_team *team = self->ts.team;
  if (!cancelled && team)
    hsomp_barrier_wait(&team->barrier, team->nthreads, false);
}
