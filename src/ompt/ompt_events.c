/* ompt_events.c -- the OMPT events: what the hooks in the construct files
 * (HSOMP_OMPT(...), ompt_internal.h) report to the tool, with the tool's
 * data for the thread, the parallel region and the task.  Only reached
 * while a tool is attached; each emitter does nothing if the tool did not
 * register that callback.
 *
 * Note [OMPT event order]
 * Per thread, events nest as the constructs do, and every begin has its
 * end on the same thread:
 *   parallel_begin (encountering thread), then on each member
 *     implicit_task begin [work begin, dispatch..., work end]...
 *     sync_region begin, sync_region_wait begin  (region's closing barrier)
 *     sync_region_wait end, sync_region end, implicit_task end
 *   parallel_end (encountering thread).
 * A worker reports the end of its implicit task before it joins the team,
 * so parallel_end comes after every member's implicit_task end (unlike
 * LLVM's libomp, where workers may report theirs later).  Worksharing
 * barriers follow the work end of their construct.  Combined constructs
 * (parallel for/sections) report their work begin right after each
 * member's implicit_task begin, since no member calls a *_start entry. */
#include "iter.h"
#include "ompt_internal.h"
#include "task_internal.h"

#include <string.h>

#define CB(type, event) HSOMP_OMPT_CB(ompt_callback_##type##_t, ompt_callback_##event)

/* Set by ompt.c (a tool) or ompt_eventlog.c (the eventlog client). */
bool hsomp_ompt_enabled;
void (*hsomp_ompt_callbacks[64])(void);

ompt_data_t *hsomp_ompt_task_data(struct hsomp_thread *self) {
  struct hsomp_task *t = self->ts.task;
  if (t && !(t->flags & HSOMP_TASK_IMPLICIT))
    return &t->ompt_task;
  return &self->ts.ompt_task;
}

/* The explicit task `*level' levels out from the current task, or NULL
 * with *level reduced by the explicit tasks passed (ompt.c continues
 * with the implicit tasks). */
ompt_data_t *hsomp_ompt_explicit_task_info(struct hsomp_thread *self, int *level, int *flags) {
  for (struct hsomp_task *t = self->ts.task; t && !(t->flags & HSOMP_TASK_IMPLICIT);
       t = t->parent) {
    if (*level == 0) {
      *flags = ompt_task_explicit;
      return &t->ompt_task;
    }
    --*level;
  }
  return NULL;
}

static ompt_data_t *parallel_data(struct hsomp_thread *self) {
  return self->ts.team ? &self->ts.team->ompt_parallel : &self->ompt_initial_parallel;
}

static int work_state(struct hsomp_thread *self) {
  return self->ts.team ? ompt_state_work_parallel : ompt_state_work_serial;
}

void hsomp_ompt_codeptr(const void *ra) { hsomp_self()->ompt_codeptr = ra; }

/* Note [Constructs without an end call]
 * GCC compiles `single' (without copyprivate) and `scope' to a start call
 * only: the thread that runs the body calls nothing when it leaves it.
 * Its work end is reported at the first point where the thread has
 * certainly left the body: the next barrier of the team, the next
 * worksharing construct of the team (worksharing constructs cannot be
 * closely nested), or the end of the implicit task.  `ts.ompt_open_work'
 * remembers the construct; it lives in the team state, so a parallel
 * region nested in the body keeps its own.  Begin and end stay paired;
 * the end may be reported a little late (after a `nowait' single, at
 * the thread's next construct). */
static void close_open_work(struct hsomp_thread *self, const void *ra) {
  int wstype = self->ts.ompt_open_work;
  if (!wstype)
    return;
  self->ts.ompt_open_work = 0;
  if (CB(work, work))
    CB(work, work)
    ((ompt_work_t)wstype, ompt_scope_end, parallel_data(self), hsomp_ompt_task_data(self), 1,
     ra ? ra : self->ompt_codeptr);
}

/* ------------------------------------------------------------------ */
/* Threads, regions, implicit tasks.                                    */

void hsomp_ompt_thread_begin(struct hsomp_thread *self, int type) {
  self->ompt_state = type == ompt_thread_worker ? ompt_state_idle : ompt_state_work_serial;
  if (CB(thread_begin, thread_begin))
    CB(thread_begin, thread_begin)((ompt_thread_t)type, &self->ompt_thread);
}

void hsomp_ompt_thread_end(struct hsomp_thread *self) {
  if (CB(thread_end, thread_end))
    CB(thread_end, thread_end)(&self->ompt_thread);
}

/* A work construct whose end GCC does not call: Note [Constructs without
 * an end call]. */
void hsomp_ompt_work_open(int wstype, const void *ra) {
  hsomp_ompt_work(wstype, ompt_scope_begin, ra);
  hsomp_self()->ts.ompt_open_work = wstype;
}

/* The initial task of a host thread, in its implicit parallel region. */
void hsomp_ompt_initial_task(struct hsomp_thread *self, int endpoint) {
  if (CB(implicit_task, implicit_task))
    CB(implicit_task, implicit_task)
    ((ompt_scope_endpoint_t)endpoint,
     endpoint == ompt_scope_begin ? &self->ompt_initial_parallel : NULL, &self->ts.ompt_task,
     endpoint == ompt_scope_begin, 1, ompt_task_initial);
}

/* A host thread (the initial one or a later pthread) begins and ends
 * with its initial task. */
void hsomp_ompt_host_begin(struct hsomp_thread *self) {
  hsomp_ompt_thread_begin(self, ompt_thread_initial);
  hsomp_ompt_initial_task(self, ompt_scope_begin);
}

void hsomp_ompt_host_end(struct hsomp_thread *self) {
  hsomp_ompt_initial_task(self, ompt_scope_end);
  hsomp_ompt_thread_end(self);
}

/* Note [A league in OMPT]
 * A host `teams' construct runs its teams on an internal team of threads
 * (Note [Real leagues on the host], teams.c).  A tool sees what the
 * specification describes instead: a region flagged ompt_parallel_league
 * (requested parallelism: the number of teams), and in it one initial
 * task per team (implicit_task with ompt_task_initial, index = the team
 * number), on whichever thread runs the team; the internal team's own
 * implicit tasks and closing barrier are not reported. */
static int region_flags(const struct hsomp_team *team) {
  return ompt_parallel_invoker_program |
         (team->ompt_league ? ompt_parallel_league : ompt_parallel_team);
}

void hsomp_ompt_league_team(struct hsomp_thread *self, struct hsomp_team *league, unsigned team,
                            int endpoint) {
  if (CB(implicit_task, implicit_task))
    CB(implicit_task, implicit_task)
    ((ompt_scope_endpoint_t)endpoint, endpoint == ompt_scope_begin ? &league->ompt_parallel : NULL,
     &self->ts.ompt_task, endpoint == ompt_scope_begin ? league->ompt_league : 0, team,
     ompt_task_initial);
}

/* Called by the encountering thread before any member starts, with
 * self->ts still the encountering task's. */
void hsomp_ompt_parallel_begin(struct hsomp_thread *self, struct hsomp_team *team,
                               unsigned requested) {
  team->ompt_parallel.value = 0;
  team->ompt_codeptr = self->ompt_codeptr;
  self->ompt_codeptr = NULL;
  team->ompt_league = self->ompt_league;
  self->ompt_league = 0;
  static const ompt_frame_t frame; /* frames are not tracked */
  if (CB(parallel_begin, parallel_begin))
    CB(parallel_begin, parallel_begin)
    (hsomp_ompt_task_data(self), &frame, &team->ompt_parallel,
     team->ompt_league ? team->ompt_league : requested, region_flags(team), team->ompt_codeptr);
}

/* Called by the encountering thread after the join, with self->ts back
 * to the encountering task's. */
void hsomp_ompt_parallel_end(struct hsomp_thread *self, struct hsomp_team *team) {
  self->ompt_state = work_state(self);
  if (CB(parallel_end, parallel_end))
    CB(parallel_end, parallel_end)
    (&team->ompt_parallel, hsomp_ompt_task_data(self), region_flags(team), team->ompt_codeptr);
}

void hsomp_ompt_implicit_task_begin(struct hsomp_thread *self) {
  struct hsomp_team *team = self->ts.team;
  self->ompt_state = ompt_state_work_parallel;
  self->ts.ompt_task.value = 0;
  if (team->ompt_league)
    return; /* Note [A league in OMPT] */
  if (CB(implicit_task, implicit_task))
    CB(implicit_task, implicit_task)
    (ompt_scope_begin, &team->ompt_parallel, &self->ts.ompt_task, team->nthreads, self->ts.team_id,
     ompt_task_implicit);
  if (team->first_ws_ready) /* a combined construct: its work begins now */
    hsomp_ompt_work(team->ws[0].ompt_work, ompt_scope_begin, team->ompt_codeptr);
}

void hsomp_ompt_implicit_task_end(struct hsomp_thread *self) {
  close_open_work(self, NULL);
  if (CB(implicit_task, implicit_task) && !self->ts.team->ompt_league)
    CB(implicit_task, implicit_task)
    (ompt_scope_end, NULL, &self->ts.ompt_task, 0, self->ts.team_id, ompt_task_implicit);
  self->ompt_state = self->is_worker ? ompt_state_idle : ompt_state_work_serial;
}

/* The closing barrier of a region, around the join: the implicit
 * task ends right after it (a worker: before it joins). */
void hsomp_ompt_join_begin(struct hsomp_thread *self) {
  close_open_work(self, NULL);
  if (!self->ts.team->ompt_league)
    hsomp_ompt_sync(ompt_sync_region_barrier_implicit_parallel, ompt_scope_begin,
                  self->ts.team->ompt_codeptr);
}

void hsomp_ompt_join_end(struct hsomp_thread *self) {
  if (!self->ts.team->ompt_league)
    hsomp_ompt_sync(ompt_sync_region_barrier_implicit_parallel, ompt_scope_end, NULL);
  hsomp_ompt_implicit_task_end(self);
}

/* ------------------------------------------------------------------ */
/* Worksharing.                                                         */

void hsomp_ompt_work(int wstype, int endpoint, const void *ra) {
  struct hsomp_thread *self = hsomp_self();
  self->ompt_codeptr = ra;
  if (endpoint == ompt_scope_begin)
    close_open_work(self, ra);
  uint64_t count = 1;
  if (wstype == ompt_work_loop || wstype == ompt_work_sections)
    count = self->ts.ws ? self->ts.ws->count : 0;
  if (CB(work, work))
    CB(work, work)
    ((ompt_work_t)wstype, (ompt_scope_endpoint_t)endpoint, parallel_data(self),
     hsomp_ompt_task_data(self), count, ra);
}

/* single without copyprivate: the executor's end comes later (Note
 * [Constructs without an end call]); the others are done at once. */
void hsomp_ompt_single(bool executor, const void *ra) {
  if (executor) {
    hsomp_ompt_work_open(ompt_work_single_executor, ra);
  } else {
    hsomp_ompt_work(ompt_work_single_other, ompt_scope_begin, ra);
    hsomp_ompt_work(ompt_work_single_other, ompt_scope_end, ra);
  }
}

/* single copyprivate, a thread that does not run the body: it waits in
 * the construct for the executor's values. */
void hsomp_ompt_single_copy_other(const void *ra) {
  hsomp_ompt_work(ompt_work_single_other, ompt_scope_begin, ra);
  hsomp_ompt_work(ompt_work_single_other, ompt_scope_end, ra);
  hsomp_ompt_sync(ompt_sync_region_barrier_implementation, ompt_scope_begin, ra);
}

void hsomp_ompt_loop_chunk(const struct hsomp_work_share *ws, uint64_t lo, uint64_t hi) {
  if (!CB(dispatch, dispatch))
    return;
  struct hsomp_thread *self = hsomp_self();
  ompt_dispatch_chunk_t chunk = {hsomp_iter_value(ws, lo), hi - lo};
  ompt_data_t instance = {.ptr = &chunk};
  CB(dispatch, dispatch)
  (parallel_data(self), hsomp_ompt_task_data(self), ompt_dispatch_ws_loop_chunk, instance);
}

void hsomp_ompt_section(unsigned section) {
  if (!CB(dispatch, dispatch) || section == 0)
    return;
  struct hsomp_thread *self = hsomp_self();
  ompt_data_t instance = {.value = section};
  CB(dispatch, dispatch)
  (parallel_data(self), hsomp_ompt_task_data(self), ompt_dispatch_section, instance);
}

/* ------------------------------------------------------------------ */
/* Synchronization regions and mutexes.                                 */

static int wait_state(int kind) {
  switch (kind) {
  case ompt_sync_region_barrier_implicit_parallel:
    return ompt_state_wait_barrier_implicit_parallel;
  case ompt_sync_region_barrier_implicit_workshare:
    return ompt_state_wait_barrier_implicit_workshare;
  case ompt_sync_region_barrier_explicit:
    return ompt_state_wait_barrier_explicit;
  case ompt_sync_region_taskwait:
    return ompt_state_wait_taskwait;
  case ompt_sync_region_taskgroup:
    return ompt_state_wait_taskgroup;
  default:
    return ompt_state_wait_barrier_implementation;
  }
}

void hsomp_ompt_sync(int kind, int endpoint, const void *ra) {
  struct hsomp_thread *self = hsomp_self();
  if (ra)
    self->ompt_codeptr = ra;
  else
    ra = self->ompt_codeptr;
  ompt_data_t *pd = parallel_data(self), *td = hsomp_ompt_task_data(self);
  ompt_sync_region_t k = (ompt_sync_region_t)kind;
  if (endpoint == ompt_scope_begin) {
    if (kind == ompt_sync_region_barrier_explicit ||
        kind == ompt_sync_region_barrier_implicit_workshare)
      close_open_work(self, ra);
    if (CB(sync_region, sync_region))
      CB(sync_region, sync_region)(k, ompt_scope_begin, pd, td, ra);
    self->ompt_state = wait_state(kind);
    if (CB(sync_region, sync_region_wait))
      CB(sync_region, sync_region_wait)(k, ompt_scope_begin, pd, td, ra);
  } else {
    if (CB(sync_region, sync_region_wait))
      CB(sync_region, sync_region_wait)(k, ompt_scope_end, pd, td, ra);
    self->ompt_state = work_state(self);
    if (CB(sync_region, sync_region))
      CB(sync_region, sync_region)(k, ompt_scope_end, pd, td, ra);
  }
}

static int mutex_wait_state(int kind) {
  switch (kind) {
  case ompt_mutex_critical:
    return ompt_state_wait_critical;
  case ompt_mutex_atomic:
    return ompt_state_wait_atomic;
  case ompt_mutex_ordered:
    return ompt_state_wait_ordered;
  default:
    return ompt_state_wait_lock;
  }
}

#define WAIT_ID(p) ((ompt_wait_id_t)(uintptr_t)(p))
#define HSOMP_MUTEX_IMPL 1 /* "hsomp_futex_mutex" (ompt.c) */

void hsomp_ompt_mutex_acquire(int kind, unsigned hint, const void *wait_id, const void *ra) {
  struct hsomp_thread *self = hsomp_self();
  self->ompt_state = mutex_wait_state(kind);
  self->ompt_wait_id = wait_id;
  if (CB(mutex_acquire, mutex_acquire))
    CB(mutex_acquire, mutex_acquire)
    ((ompt_mutex_t)kind, hint, HSOMP_MUTEX_IMPL, WAIT_ID(wait_id), ra);
}

void hsomp_ompt_mutex_acquired(int kind, const void *wait_id, const void *ra) {
  struct hsomp_thread *self = hsomp_self();
  self->ompt_state = work_state(self);
  self->ompt_wait_id = NULL;
  if (CB(mutex, mutex_acquired))
    CB(mutex, mutex_acquired)((ompt_mutex_t)kind, WAIT_ID(wait_id), ra);
}

/* A test that failed: the thread is no longer waiting. */
void hsomp_ompt_mutex_failed(void) {
  struct hsomp_thread *self = hsomp_self();
  self->ompt_state = work_state(self);
  self->ompt_wait_id = NULL;
}

void hsomp_ompt_lock(int kind, hsomp_mutex *m, const void *ra) {
  hsomp_ompt_mutex_acquire(kind, 0, m, ra);
  hsomp_mutex_lock(m);
  hsomp_ompt_mutex_acquired(kind, m, ra);
}

void hsomp_ompt_unlock(int kind, hsomp_mutex *m, const void *ra) {
  hsomp_mutex_unlock(m);
  hsomp_ompt_mutex_released(kind, m, ra);
}

/* The end of a test (or of a nest lock's set): `count' is the nesting
 * count the caller got (0: the lock was not taken). */
void hsomp_ompt_mutex_tested(int kind, int count, const void *wait_id, const void *ra) {
  if (count == 1)
    hsomp_ompt_mutex_acquired(kind, wait_id, ra);
  else
    hsomp_ompt_mutex_failed();
  if (count > 1)
    hsomp_ompt_nest_lock(ompt_scope_begin, wait_id, ra);
}

/* A nest lock's unset, with `left' levels still held. */
void hsomp_ompt_nest_unlocked(int left, const void *wait_id, const void *ra) {
  if (left == 0)
    hsomp_ompt_mutex_released(ompt_mutex_nest_lock, wait_id, ra);
  else
    hsomp_ompt_nest_lock(ompt_scope_end, wait_id, ra);
}

void hsomp_ompt_mutex_released(int kind, const void *wait_id, const void *ra) {
  if (CB(mutex, mutex_released))
    CB(mutex, mutex_released)((ompt_mutex_t)kind, WAIT_ID(wait_id), ra);
}

void hsomp_ompt_nest_lock(int endpoint, const void *wait_id, const void *ra) {
  if (CB(nest_lock, nest_lock))
    CB(nest_lock, nest_lock)((ompt_scope_endpoint_t)endpoint, WAIT_ID(wait_id), ra);
}

void hsomp_ompt_lock_init(int kind, unsigned hint, const void *wait_id, const void *ra) {
  if (CB(mutex_acquire, lock_init))
    CB(mutex_acquire, lock_init)((ompt_mutex_t)kind, hint, HSOMP_MUTEX_IMPL, WAIT_ID(wait_id), ra);
}

void hsomp_ompt_lock_destroy(int kind, const void *wait_id, const void *ra) {
  if (CB(mutex, lock_destroy))
    CB(mutex, lock_destroy)((ompt_mutex_t)kind, WAIT_ID(wait_id), ra);
}

/* ------------------------------------------------------------------ */
/* Cancellation.                                                        */

/* `which' is GOMP_cancel's; `how' ompt_cancel_activated or _detected. */
void hsomp_ompt_cancel(int which, int how, const void *ra) {
  if (!CB(cancel, cancel))
    return;
  int flags = how;
  if (which & GOMP_CANCEL_PARALLEL)
    flags |= ompt_cancel_parallel;
  if (which & GOMP_CANCEL_LOOP)
    flags |= ompt_cancel_loop;
  if (which & GOMP_CANCEL_SECTIONS)
    flags |= ompt_cancel_sections;
  if (which & GOMP_CANCEL_TASKGROUP)
    flags |= ompt_cancel_taskgroup;
  CB(cancel, cancel)(hsomp_ompt_task_data(hsomp_self()), flags, ra);
}

/* The error directive at execution time (GOMP_warning, GOMP_error):
 * before the message is printed, and before the exit of a fatal one.  GCC
 * passes (size_t)-1 as the length of a message that ends with its NUL. */
void hsomp_ompt_error(int severity, const char *msg, size_t len, const void *ra) {
  if (CB(error, error))
    CB(error, error)
    ((ompt_severity_t)severity, msg, msg ? (len == (size_t)-1 ? strlen(msg) : len) : 0, ra);
}

/* A task that a cancellation dropped before it started: no schedule
 * events, but cancel(discarded_task) with its data, so that a tool can
 * close every task it saw created.  Which cancellation: the region's, else
 * its taskgroup's. */
void hsomp_ompt_task_discarded(struct hsomp_task *t) {
  if (!CB(cancel, cancel))
    return;
  bool region = t->team && atomic_load_explicit(&t->team->barrier.cancelled, memory_order_acquire);
  CB(cancel, cancel)
  (&t->ompt_task,
   ompt_cancel_discarded_task | (region ? ompt_cancel_parallel : ompt_cancel_taskgroup), NULL);
}

/* ------------------------------------------------------------------ */
/* Explicit tasks.                                                      */

static ompt_data_t *task_data_of(struct hsomp_thread *self, struct hsomp_task *t) {
  return t && !(t->flags & HSOMP_TASK_IMPLICIT) ? &t->ompt_task : &self->ts.ompt_task;
}

static int task_flags(const struct hsomp_task *t) {
  int f = ompt_task_explicit;
  if (t->flags & HSOMP_TASK_UNTIED)
    f |= ompt_task_untied;
  if (t->flags & HSOMP_TASK_FINAL)
    f |= ompt_task_final;
  if (t->flags & HSOMP_TASK_ON_STACK)
    f |= ompt_task_undeferred;
  return f;
}

/* GOMP_task's depend array in OMPT's terms (the layout is described in
 * task_deps.c, which keeps only what ordering needs: out, in, inoutset). */
static int dependences(void **depend, ompt_dependence_t *out, int max) {
  if (depend[0]) {
    size_t n = (uintptr_t)depend[0], nout = (uintptr_t)depend[1];
    for (size_t i = 0; i < n && (int)i < max; i++)
      out[i] = (ompt_dependence_t){{.ptr = depend[2 + i]},
                                   i < nout ? ompt_dependence_type_inout : ompt_dependence_type_in};
    return (int)n < max ? (int)n : max;
  }
  size_t n = (uintptr_t)depend[1], nout = (uintptr_t)depend[2],
         nmutex = nout + (uintptr_t)depend[3], normal = nmutex + (uintptr_t)depend[4];
  static const ompt_dependence_type_t obj_kinds[] = {ompt_dependence_type_in,
                                                     ompt_dependence_type_in,
                                                     ompt_dependence_type_out,
                                                     ompt_dependence_type_inout,
                                                     ompt_dependence_type_mutexinoutset,
                                                     ompt_dependence_type_inoutset};
  for (size_t i = 0; i < n && (int)i < max; i++) {
    if (i < normal) {
      out[i].variable.ptr = depend[5 + i];
      out[i].dependence_type = i < nout     ? ompt_dependence_type_inout
                               : i < nmutex ? ompt_dependence_type_mutexinoutset
                                            : ompt_dependence_type_in;
    } else {
      void **obj = (void **)depend[5 + i];
      uintptr_t k = (uintptr_t)obj[1];
      out[i].variable.ptr = obj[0];
      out[i].dependence_type = k <= 5 ? obj_kinds[k] : ompt_dependence_type_inout;
    }
  }
  return (int)n < max ? (int)n : max;
}

/* A deferred task is created (before it can run: hsomp_task_submit). */
void hsomp_ompt_task_create(struct hsomp_thread *self, struct hsomp_task *t, void **depend) {
  static const ompt_frame_t frame;
  t->ompt_task.value = 0;
  if (CB(task_create, task_create))
    CB(task_create, task_create)
    (hsomp_ompt_task_data(self), &frame, &t->ompt_task, task_flags(t), (t->flags & HSOMP_TASK_DEPEND) != 0,
     self->ompt_codeptr);
  if ((t->flags & HSOMP_TASK_DEPEND) && depend && CB(dependences, dependences)) {
    ompt_dependence_t deps[64];
    CB(dependences, dependences)(&t->ompt_task, deps, dependences(depend, deps, 64));
  }
}

void hsomp_ompt_task_dependence(struct hsomp_task *pred, struct hsomp_task *succ) {
  if (CB(task_dependence, task_dependence))
    CB(task_dependence, task_dependence)(&pred->ompt_task, &succ->ompt_task);
}

/* The thread starts running deferred task t (before ts.task = t). */
void hsomp_ompt_task_switch(struct hsomp_thread *self, struct hsomp_task *t) {
  if (CB(task_schedule, task_schedule))
    CB(task_schedule, task_schedule)(hsomp_ompt_task_data(self), ompt_task_switch, &t->ompt_task);
}

/* ... and is done with it (after ts.task is back). */
void hsomp_ompt_task_complete(struct hsomp_thread *self, struct hsomp_task *t) {
  if (CB(task_schedule, task_schedule))
    CB(task_schedule, task_schedule)(&t->ompt_task, ompt_task_complete, hsomp_ompt_task_data(self));
}

/* ... or, detached, its body ended before its event was fulfilled; and
 * the event's fulfilment, late or early (Note [Detach events and tools],
 * task_event.c). */
void hsomp_ompt_task_detached(struct hsomp_thread *self, struct hsomp_task *t) {
  if (CB(task_schedule, task_schedule))
    CB(task_schedule, task_schedule)(&t->ompt_task, ompt_task_detach, hsomp_ompt_task_data(self));
}

void hsomp_ompt_task_fulfilled(ompt_data_t *task, ompt_task_status_t status) {
  if (CB(task_schedule, task_schedule))
    CB(task_schedule, task_schedule)(task, status, NULL);
}

/* An included task (if(0), final, over the cut-off) is created and runs
 * at once on its stack record `rec' (now ts.task). */
void hsomp_ompt_included_begin(struct hsomp_thread *self, struct hsomp_task *rec,
                               struct hsomp_task *parent) {
  static const ompt_frame_t frame;
  rec->ompt_task.value = 0;
  ompt_data_t *pd = task_data_of(self, parent);
  if (CB(task_create, task_create))
    CB(task_create, task_create)
    (pd, &frame, &rec->ompt_task, task_flags(rec), 0, self->ompt_codeptr);
  if (CB(task_schedule, task_schedule))
    CB(task_schedule, task_schedule)(pd, ompt_task_switch, &rec->ompt_task);
}

void hsomp_ompt_included_end(struct hsomp_thread *self, struct hsomp_task *rec,
                             struct hsomp_task *parent) {
  if (CB(task_schedule, task_schedule))
    CB(task_schedule, task_schedule)
    (&rec->ompt_task, ompt_task_complete, task_data_of(self, parent));
}

void hsomp_ompt_doacross(int type, const uint64_t *v, unsigned n) {
  if (!CB(dependences, dependences))
    return;
  ompt_dependence_t deps[16];
  unsigned k = n < 16 ? n : 16;
  for (unsigned i = 0; i < k; i++)
    deps[i] = (ompt_dependence_t){{.value = v[i]}, (ompt_dependence_type_t)type};
  CB(dependences, dependences)(hsomp_ompt_task_data(hsomp_self()), deps, (int)k);
}

/* taskgroup: the region begins at GOMP_taskgroup_start; its end waits. */
void hsomp_ompt_taskgroup(int endpoint, const void *ra) {
  struct hsomp_thread *self = hsomp_self();
  ompt_data_t *pd = parallel_data(self), *td = hsomp_ompt_task_data(self);
  if (endpoint == ompt_scope_begin) {
    if (CB(sync_region, sync_region))
      CB(sync_region, sync_region)(ompt_sync_region_taskgroup, ompt_scope_begin, pd, td, ra);
  } else {
    self->ompt_codeptr = ra;
    self->ompt_state = ompt_state_wait_taskgroup;
    if (CB(sync_region, sync_region_wait))
      CB(sync_region, sync_region_wait)(ompt_sync_region_taskgroup, ompt_scope_begin, pd, td, ra);
  }
}
