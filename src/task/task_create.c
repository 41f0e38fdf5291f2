/* task_create.c -- creating tasks and waiting for them: GOMP_task
 * (deferred and included tasks, with dependences and detach events),
 * taskwait (also with depend), taskyield, taskgroups, omp_in_final and
 * omp_fulfill_event.
 *
 * Built on task.c's records, running and waiting (Note [Task records] in
 * task_internal.h, Note [Waiting for tasks] in task.c). */
#include "task_internal.h"
#include "ompt_internal.h"

#include <stdlib.h>
#include <string.h>

/* Note [Throttled tasks]
 * A new task runs at once, included (Note [Cheap included tasks]), when
 * the creating thread's own deque is throttled (below), or when the
 * creating task has HSOMP_CUTOFF_KIDS_PER_THREAD unfinished children per
 * team member (those may be blocked on dependences, so the deque alone
 * does not bound them).  OpenMP lets any task be undeferred; libgomp does
 * the same past 64 queued tasks per thread of the team, libomp when the
 * thread's deque (256 tasks) is full.  Either bound keeps memory flat
 * however many tasks a loop creates, and a deep or wide task tree then
 * costs little more than its function calls: its tasks past the bound
 * make no record on the heap, touch no queue and write nothing shared.
 * The bound is checked first thing in GOMP_task (deque_throttled: the
 * owner's two deque indices, a write only when the state below changes),
 * so a throttled task costs about what an if(0) task does.
 *
 * The throttle has two marks.  A deque that reaches HSOMP_THROTTLE tasks
 * (or a creating task at its bound of children) throttles its owner
 * (`tasks_throttled', the owner's own flag), and it stays throttled until
 * thieves have drained the deque to HSOMP_THROTTLE_RESUME; then the owner
 * queues its new tasks again.  With
 * one mark, every steal made room that the owner's next task filled
 * again: past the bound a producer alternated, task by task, between a
 * task it queued and one it ran itself.  That scattered a producer's
 * consecutive tasks over the threads -- in a blocked factorisation
 * (SPARSELU), the task that updates a block went to the producer in one
 * step and to a thief in the next, so the block moved between caches --
 * and it made every steal cost the producer a queued task (a record, a
 * push, the thief's transfers) in the middle of its run of cheap included
 * ones.  With two marks the producer runs a long stretch of its newest
 * tasks itself while thieves take its oldest, and queues a batch when
 * they are short of work: a thief's tasks and the producer's stay long
 * runs of consecutive tasks, as when nothing is throttled (thieves take
 * the oldest, the producer at its taskwait the newest).  The marks are
 * libomp's deque size and a quarter of it: a thief that has drained the
 * deque to the low mark still has tasks to run while the owner, at its
 * next task, notices and queues more.
 *
 * A task with a depend clause is exempt from the deque bound (only the
 * children bound makes it included): included, it would have to wait for
 * its predecessors inside the creating task, which then cannot go on to
 * create what those predecessors may be waiting for (a detached
 * predecessor whose event a later task fulfils, a predecessor that waits
 * for a flag a later sibling sets) -- a deadlock that no deferral would
 * cause.  Detached tasks are never throttled: their completion is the
 * event's, not the body's.
 *
 * Nested tasks -- made by an explicit (or included) task, not by an
 * implicit one -- have a lower bound of their own, one mark: a new one
 * runs at once while the deque holds HSOMP_THROTTLE_NESTED_PER_THREAD
 * tasks per team member (at least HSOMP_THROTTLE_NESTED), enough for
 * every thief to find one.
 * Recursive parallelism (trees, divide and conquer, search) makes tasks
 * that make tasks: thieves take the oldest, biggest ones, and a deeper
 * queue of the newest, smallest ones only costs each of them a record, a
 * push and a take, about five times an included task (EPCC's task trees
 * with a few hundred roots per thread were deferred almost whole under
 * the two marks).  A producer in an implicit task (single, master, a
 * worksharing loop) keeps the two marks, whose long runs its thieves'
 * locality needs, and a nested task never sets or clears its flag.  With
 * OMP_CANCELLATION on the nested bound is not used: a cancelled taskgroup
 * drops the tasks that have not started, and an included one has. */
#define HSOMP_THROTTLE 256
#define HSOMP_THROTTLE_RESUME 64
#define HSOMP_THROTTLE_NESTED 4
#define HSOMP_THROTTLE_NESTED_PER_THREAD 2
#define HSOMP_CUTOFF_KIDS_PER_THREAD 128
/* Note [Producers whose tasks are worth sharing]
 * The two marks above are right for a producer whose tasks are short --
 * past the mark a task runs included for the price of a call, and a
 * thief that took it would cost the producer more than the task (Note
 * [Idle thieves and tiny tasks], task_sched.c) -- and wrong for one
 * whose tasks are long.  Such a producer, throttled, runs its next task
 * included however long it is, and its loop -- every later task -- waits
 * behind it: in unbalanced tree search (UTS_BIN: 10 000 children of the
 * root from one producer in a single, most of them leaves, a few with a
 * fifth of the tree below them) a giant child included by the producer
 * leaves the other thread nothing but the giant's own narrow subtree,
 * shared one tiny task at a time, and the run takes 75 ms instead of 30;
 * which thread gets the giant was a race of 0.1 ms (README, Task
 * workloads, eighth pass (d)), so anything that moved the thief by that
 * much changed the program's time by 1.5-2.5x.  Queueing all of them
 * instead (help-first) lets the thief take the oldest while the producer
 * goes on making them, and then runs the newest at its taskwait.
 * Whether a producer's tasks are long is what the thieves measure (Note
 * [Idle thieves and tiny tasks], task_sched.c): the ticks each steal of a
 * child of an implicit task gave a thief at a barrier (the task and its
 * subtree, up to the thief's next look at others' deques).  A thief whose
 * long-memory average of those (about its last HSOMP_SHARE_WEIGHT
 * steals, each counted up to 0.4 ms, none spanning the end of a barrier,
 * after at least HSOMP_LONG_STEAL_SEEN of them) is at least
 * HSOMP_LONG_STEAL_TICKS, four times the tiny mark, counts itself in the
 * team's `long_thieves'.  While that is non-zero, an implicit task's
 * children bound is HSOMP_CUTOFF_KIDS_LONG_PER_THREAD per thread and its
 * deque's mark HSOMP_THROTTLE_LONG, bounds of memory only.  The word is
 * read where the usual children bound is passed (kids_over_bound, after
 * a task is queued), which also sets the thread's `throttle_raised', the
 * amount by which GOMP_task's first test (deque_throttled) lets the deque
 * grow past HSOMP_THROTTLE; so GOMP_task reads one field more, and only
 * past HSOMP_THROTTLE (its usual test stays a compare with a constant),
 * and nothing shared.  The field is 16 bits, in the hole after
 * `tasks_throttled': with a 32-bit one, which moved the thread's later
 * fields by 4-8 bytes, and the sum in the usual test, EPCC's
 * CONDITIONAL_TASK (`if(0)' tasks, which never reach the test) took
 * some 2 ns more per task (README, ninth pass (d)).  It is written only when a thief's verdict
 * changes.  Nested tasks keep their own bound: their tasks are split by
 * the thieves that take them.  EPCC's constructs, whose tasks are all
 * shorter than the mark, never raise it; a program that made long tasks
 * in one phase and tiny ones in the next has its thieves' average come
 * down within a few thousand steals. */
#define HSOMP_THROTTLE_LONG 16384
#define HSOMP_CUTOFF_KIDS_LONG_PER_THREAD 8192
_Static_assert(HSOMP_THROTTLE_LONG - HSOMP_THROTTLE <= UINT16_MAX, "throttle_raised is 16 bits");

/* Whether a thief of the team found its steals long (Note [Producers
 * whose tasks are worth sharing]); read only past the throttle's bound. */
static inline bool team_steals_long(struct hsomp_tasking *tk) {
  return atomic_load_explicit(&tk->long_thieves, memory_order_relaxed) != 0;
}

/* Whether `more' new tasks of this thread find its own deque `dq'
 * throttled (Note [Throttled tasks]): the one rule of GOMP_task's first
 * test and over_cutoff.  Reads the owner's two indices; writes the
 * thread's flag when it changes. */
static inline __attribute__((always_inline)) bool deque_throttled(struct hsomp_thread *self,
                                                                  struct hsomp_deque *dq,
                                                                  int64_t more, bool nested,
                                                                  unsigned nthreads) {
  int64_t size = hsomp_deque_size(dq);
  /* Note [Throttled tasks]: nested tasks */
  if (nested && size + more > HSOMP_THROTTLE_NESTED &&
      size + more > (int64_t)HSOMP_THROTTLE_NESTED_PER_THREAD * nthreads)
    return true;
  if (self->tasks_throttled) {
    if (size > HSOMP_THROTTLE_RESUME)
      return true;
    self->tasks_throttled = false;
    return false;
  }
  if (size + more <= HSOMP_THROTTLE)
    return false;
  /* past the usual mark only: the test above stays one compare */
  if (HSOMP_UNLIKELY(size + more <= HSOMP_THROTTLE + (int64_t)self->throttle_raised))
    return false;
  self->tasks_throttled = true;
  return true;
}

/* The children bound of Note [Throttled tasks]: whether `more' new
 * children of `cur' pass its bound of unfinished children; past it the
 * thread is throttled as for a full deque, until the deque drains. */
static inline __attribute__((always_inline)) bool kids_over_bound(struct hsomp_thread *self,
                                                                  struct hsomp_team *team,
                                                                  struct hsomp_task *cur,
                                                                  uint64_t more) {
  if (hsomp_task_has_credit(self, cur, more)) /* Note [Counting children in advance] (task.c) */
    return false;
  /* a task that never counted a child has none (Note [Compact task records]) */
  uint64_t kids = cur && (cur->flags & HSOMP_TASK_PARENT)
                      ? hsomp_kids(atomic_load_explicit(&cur->pending, memory_order_relaxed))
                      : 0;
  if (HSOMP_LIKELY(kids + more <= (uint64_t)HSOMP_CUTOFF_KIDS_PER_THREAD * team->nthreads))
    return false;
  /* Note [Producers whose tasks are worth sharing]: the deque's mark
   * follows the verdict here, where the children bound is passed (the
   * deque's mark is tested in GOMP_task's first lines) */
  if (cur && (cur->flags & HSOMP_TASK_IMPLICIT)) {
    struct hsomp_tasking *tk = atomic_load_explicit(&team->tasking, memory_order_acquire);
    bool lng = tk && tk->cap >= team->nthreads && team_steals_long(tk);
    self->throttle_raised = lng ? HSOMP_THROTTLE_LONG - HSOMP_THROTTLE : 0;
    if (lng && kids + more <= (uint64_t)HSOMP_CUTOFF_KIDS_LONG_PER_THREAD * team->nthreads)
      return false;
  }
  self->tasks_throttled = true;
  return true;
}

/* ------------------------------------------------------------------ */
/* Creating tasks.                                                      */


/* Inlined into GOMP_task: it runs for every task created. */
static inline __attribute__((always_inline)) bool over_cutoff(struct hsomp_thread *self,
                                                              struct hsomp_team *team,
                                                              struct hsomp_task *cur,
                                                              unsigned long more,
                                                              bool deque_bound) {
  /* Acquire: another member may have just installed it (tasking_install). */
  struct hsomp_tasking *tk = atomic_load_explicit(&team->tasking, memory_order_acquire);
  if (!tk || tk->cap < team->nthreads)
    return more > (unsigned long)HSOMP_CUTOFF_KIDS_PER_THREAD * team->nthreads;
  if (deque_bound && deque_throttled(self, &tk->member[self->ts.team_id].dq, (int64_t)more,
                                     cur && !(cur->flags & HSOMP_TASK_IMPLICIT) &&
                                         !hsomp_settings.cancellation,
                                     team->nthreads))
    return true;
  return kids_over_bound(self, team, cur, more);
}

bool hsomp_task_over_cutoff(struct hsomp_thread *self, struct hsomp_team *team, struct hsomp_task *cur,
                            unsigned long more) {
  return over_cutoff(self, team, cur, more, true);
}

/* The stack record of an included task; see Note [Task records]. */
static inline __attribute__((always_inline)) void
included_begin(struct hsomp_thread *self, struct hsomp_team *team, struct hsomp_task *rec,
               struct hsomp_task *parent, unsigned flags, int priority) {
  rec->parent = parent;
  rec->team = team;
  rec->owner = rec;
  rec->taskgroup = parent->taskgroup;
  rec->taskgroup_own = false;
  rec->counted_tg = parent->taskgroup_own ? parent->taskgroup : NULL;
  rec->shadow = NULL;
  rec->depth = parent->depth + 1;
  rec->flags = HSOMP_TASK_ON_STACK | (((flags & GOMP_TASK_FLAG_FINAL) ||
                                       (parent->flags & HSOMP_TASK_FINAL)) ? HSOMP_TASK_FINAL : 0);
  rec->priority = priority;
  rec->deps = NULL;
  rec->ndeps = 0;
  atomic_init(&rec->pending, 1);
  self->ts.task = rec;
  HSOMP_OMPT(included_begin(self, rec, parent));
}

static inline __attribute__((always_inline)) void
included_end(struct hsomp_thread *self, struct hsomp_team *team, struct hsomp_task *rec,
             struct hsomp_task *parent) {
  HSOMP_OMPT(included_end(self, rec, parent));
  struct hsomp_task *h = rec->shadow;
  if (HSOMP_UNLIKELY(h != NULL)) {
    self->ts.task = h->parent;
    hsomp_task_release(team, h, 1);
  } else {
    self->ts.task = parent;
  }
}

void hsomp_included_begin(struct hsomp_thread *self, struct hsomp_team *team, struct hsomp_task *rec,
                          struct hsomp_task *parent, unsigned flags, int priority) {
  included_begin(self, team, rec, parent, flags, priority);
}

void hsomp_included_end(struct hsomp_thread *self, struct hsomp_team *team, struct hsomp_task *rec,
                        struct hsomp_task *parent) {
  included_end(self, team, rec, parent);
}

static bool preds_done(void *arg) {
  struct hsomp_task *w = arg;
  return atomic_load_explicit(&w->npred, memory_order_seq_cst) == 0;
}

/* Wait until the sibling tasks `depend' conflicts with are done. */
static void deps_wait(struct hsomp_thread *self, struct hsomp_task *parent, void **depend) {
  struct hsomp_team *team = self->ts.team;
  if (!parent->deps || !team)
    return;
  struct hsomp_task w;
  memset(&w, 0, sizeof w);
  if (!hsomp_deps_waiter(&w, parent, team, depend))
    return;
  struct hsomp_wait wait = {preds_done, NULL, NULL, &w};
  hsomp_task_wait(self, team, parent, &wait);
}

static bool included_fulfilled(void *arg) { return hsomp_event_included_fulfilled(arg); }

/* An included detached task completes when its event is fulfilled; until
 * then the thread runs the task's own descendants. */
static void included_event_wait(struct hsomp_thread *self, struct hsomp_team *team,
                                struct hsomp_task *rec) {
  if (!hsomp_event_included_fulfilled(rec)) {
    if (team) {
      struct hsomp_wait w = {included_fulfilled, NULL, NULL, rec};
      hsomp_task_wait(self, team, self->ts.task, &w);
    } else {
      struct hsomp_spin spin = hsomp_spin_of(self, NULL, 0);
      hsomp_wait_change(hsomp_event_included_word(rec), 0, &spin);
    }
  }
  hsomp_event_included_free(self, rec);
}

static void task_included(struct hsomp_thread *self, struct hsomp_team *team, void (*fn)(void *),
                          void *data, void (*cpyfn)(void *, void *), long arg_size, long arg_align,
                          unsigned flags, void **depend, int priority, void *detach) {
  struct hsomp_task *parent = hsomp_task_current(self);
  if ((flags & GOMP_TASK_FLAG_DEPEND) && parent->deps)
    deps_wait(self, parent, depend);
  struct hsomp_task rec;
  included_begin(self, team, &rec, parent, flags, priority);
  if (flags & GOMP_TASK_FLAG_DETACH) {
    /* The handle also goes to the first word of the arguments (GCC's
     * firstprivate copy of the event variable), as libgomp does. */
    rec.flags |= HSOMP_TASK_DETACH;
    uintptr_t handle = hsomp_event_included(self, &rec, team);
    *(uintptr_t *)detach = handle;
    if (data)
      *(uintptr_t *)data = handle;
  }
  struct hsomp_icv saved = self->icv;
  if (HSOMP_UNLIKELY(cpyfn != NULL)) {
    char buf[arg_size + arg_align - 1];
    char *arg = (char *)(((uintptr_t)buf + arg_align - 1) & ~(uintptr_t)(arg_align - 1));
    cpyfn(arg, data);
    fn(arg);
  } else {
    fn(data);
  }
  if (flags & GOMP_TASK_FLAG_DETACH)
    included_event_wait(self, team, &rec);
  self->icv = saved;
  included_end(self, team, &rec, parent);
}

struct hsomp_task *hsomp_task_new(struct hsomp_thread *self, struct hsomp_team *team,
                                  struct hsomp_task *parent, void (*fn)(void *), long arg_size,
                                  long arg_align, size_t ndeps, unsigned flags, int priority) {
  size_t arg_off = sizeof(struct hsomp_task) + ndeps * sizeof(struct hsomp_dep_entry);
  bool block;
  struct hsomp_task *t =
      hsomp_record_alloc(self, arg_off + (size_t)arg_size + (size_t)arg_align - 1, &block);
  t->fn = fn;
  t->data = (char *)(((uintptr_t)t + arg_off + arg_align - 1) & ~(uintptr_t)(arg_align - 1));
  t->parent = parent;
  t->team = team;
  t->owner = t;
  t->taskgroup = parent->taskgroup;
  t->counted_tg = parent->taskgroup_own ? parent->taskgroup : NULL;
  t->arg_size = (size_t)arg_size; /* in the place of an included record's `shadow' */
  t->depth = parent->depth + 1;
  t->ancestors = hsomp_task_child_ancestors(parent);
  t->interval = parent->interval;
  t->flags = HSOMP_TASK_DEFERRED | (block ? HSOMP_TASK_BLOCK : 0);
  if (flags & GOMP_TASK_FLAG_FINAL)
    t->flags |= HSOMP_TASK_FINAL;
  if (flags & GOMP_TASK_FLAG_UNTIED)
    t->flags |= HSOMP_TASK_UNTIED;
  t->priority = priority;
  t->taskgroup_own = false;
  /* t->pending is 1 already (Note [Recycled task records] in task.c) */
  t->deps = NULL;
  if (ndeps) { /* Note [Compact task records]: set only when used */
    t->flags |= HSOMP_TASK_DEPEND;
    atomic_init(&t->npred, 0);
    t->dep_in_table = 0;
    t->succ_lock = 0;
    atomic_init(&t->dep_done, false);
    atomic_init(&t->dep_hold, 1);
    t->ndeps = (uint32_t)ndeps;
    t->dep = (struct hsomp_dep_entry *)(t + 1);
    t->succ = NULL;
    t->nsucc = t->succ_cap = 0;
  }
  t->icv = hsomp_task_child_icv(self, parent, t);
  hsomp_task_mark_parent(parent);
  return t;
}

/* Copy the arguments: with cpyfn (firstprivate C++ objects) the copy
 * constructors run as part of the new task, which then has to run even if
 * its taskgroup is cancelled, so that the destructors do too. */
void hsomp_task_fill(struct hsomp_thread *self, struct hsomp_task *t, void *data,
                     void (*cpyfn)(void *, void *), long arg_size) {
  if (HSOMP_UNLIKELY(cpyfn != NULL)) {
    struct hsomp_task *prev = self->ts.task;
    self->ts.task = t;
    cpyfn(t->data, data);
    self->ts.task = prev;
    t->flags |= HSOMP_TASK_COPIED;
  } else if (arg_size > 0) {
    memcpy(t->data, data, (size_t)arg_size); /* data may be NULL when arg_size is 0 */
  }
}

void hsomp_task_submit(struct hsomp_thread *self, struct hsomp_team *team, struct hsomp_task *t,
                       void **depend) {
  struct hsomp_task *parent = t->parent;
  HSOMP_OMPT(task_create(self, t, depend));
  hsomp_task_count_child(self, parent); /* Note [Counting children in advance] (task.c) */
  if (t->counted_tg)
    atomic_fetch_add_explicit(&t->counted_tg->live, 1, memory_order_relaxed);
  if (!atomic_load_explicit(&team->tasks_used, memory_order_relaxed))
    atomic_store_explicit(&team->tasks_used, true, memory_order_seq_cst);
  if ((t->flags & HSOMP_TASK_DEPEND) && hsomp_deps_register(parent, t, depend, hsomp_record_free))
    return; /* the last predecessor schedules it */
  hsomp_task_schedule(self, team, t);
}

static void task_deferred(struct hsomp_thread *self, struct hsomp_team *team, void (*fn)(void *),
                          void *data, void (*cpyfn)(void *, void *), long arg_size, long arg_align,
                          unsigned flags, void **depend, int priority, void *detach) {
  struct hsomp_task *parent = hsomp_task_materialise(self);
  hsomp_tasking_get(team);
  size_t ndeps = (flags & GOMP_TASK_FLAG_DEPEND) ? hsomp_deps_count(depend) : 0;
  struct hsomp_task *t =
      hsomp_task_new(self, team, parent, fn, arg_size, arg_align, ndeps, flags, priority);
  if (flags & GOMP_TASK_FLAG_DETACH) {
    t->flags |= HSOMP_TASK_DETACH;
    uintptr_t handle = hsomp_event_deferred(self, t);
    *(uintptr_t *)detach = handle;
    if (data)
      *(uintptr_t *)data = handle;
  }
  hsomp_task_fill(self, t, data, cpyfn, arg_size);
  if (HSOMP_UNLIKELY(hsomp_settings.cancellation) && !(t->flags & HSOMP_TASK_COPIED) &&
      hsomp_task_creation_cancelled(self)) {
    /* Never submitted: its event (if any) stays, discarded. */
    if (t->flags & HSOMP_TASK_DETACH)
      (void)hsomp_event_body_done(self, t, true);
    hsomp_record_free(t);
    return;
  }
  hsomp_task_submit(self, team, t, depend);
}

int hsomp_task_clamp_priority(int p) {
  if (p < 0)
    return 0;
  return p > hsomp_settings.max_task_priority ? hsomp_settings.max_task_priority : p;
}

/* Note [Cheap included tasks]
 * Most undeferred tasks (if(0), inside a final task, past the cut-off)
 * have no depend clause, no detach event and no copy constructor: they
 * need a stack record (Note [Task records]) around the call and the ICVs
 * put back after it, nothing more -- no allocation, no queue, no
 * counting, no shared line written.  GOMP_task tests for if(0), final
 * and the throttle (Note [Throttled tasks]) first, and runs such a task in
 * its own frame (this body is inlined there: one frame for the test and
 * the task); task_general's calls go through the noinline included_plain.
 * The ICVs are copied as one block (a struct copy is split into its
 * fields). */
static inline __attribute__((always_inline)) void
included_plain_body(struct hsomp_thread *self, struct hsomp_task *cur, void (*fn)(void *), void *data,
                    unsigned flags, int priority, bool tool) {
  struct hsomp_task rec;
  rec.parent = cur;
  rec.team = self->ts.team;
  rec.owner = &rec;
  rec.taskgroup = cur->taskgroup;
  rec.taskgroup_own = false;
  rec.counted_tg = cur->taskgroup_own ? cur->taskgroup : NULL;
  rec.shadow = NULL;
  rec.depth = cur->depth + 1;
  _Static_assert(GOMP_TASK_FLAG_FINAL == HSOMP_TASK_FINAL, "final is the same bit in both");
  rec.flags = HSOMP_TASK_ON_STACK | ((flags | cur->flags) & HSOMP_TASK_FINAL);
  rec.priority = priority;
  rec.deps = NULL;
  rec.ndeps = 0;
  atomic_init(&rec.pending, 1);
  if (HSOMP_UNLIKELY(tool))
    hsomp_ompt_included_begin(self, &rec, cur);
  unsigned char saved[sizeof(struct hsomp_icv)];
  memcpy(saved, &self->icv, sizeof saved);
  self->ts.task = &rec;
  fn(data);
  memcpy(&self->icv, saved, sizeof saved);
  if (HSOMP_UNLIKELY(tool))
    hsomp_ompt_included_end(self, &rec, cur);
  if (HSOMP_UNLIKELY(rec.shadow != NULL)) {
    self->ts.task = rec.shadow->parent;
    hsomp_task_release(rec.team, rec.shadow, 1);
  } else {
    self->ts.task = cur;
  }
}

/* With a tool attached: GOMP_task's call site, for task_general. */
static __thread const void *task_codeptr HSOMP_TLS_MODEL;

static __attribute__((noinline)) void included_plain(struct hsomp_thread *self,
                                                     struct hsomp_task *cur, void (*fn)(void *),
                                                     void *data, unsigned flags, int priority) {
  included_plain_body(self, cur, fn, data, flags, priority, hsomp_ompt_enabled);
}

/* Every other task: the general path of GOMP_task. */
static __attribute__((noinline)) void task_general(void (*fn)(void *), void *data,
                                                   void (*cpyfn)(void *, void *), long arg_size,
                                                   long arg_align, bool if_clause, unsigned flags,
                                                   void **depend, int priority_arg, void *detach) {
  struct hsomp_thread *self = hsomp_self();
  struct hsomp_team *team = self->ts.team;
  if (HSOMP_UNLIKELY(hsomp_ompt_enabled))
    self->ompt_codeptr = task_codeptr;
  if (HSOMP_UNLIKELY(hsomp_settings.cancellation) && hsomp_task_creation_cancelled(self)) {
    /* Not created (as in libgomp), but the handle is one that the program
     * may fulfil harmlessly: Note [Detach events]. */
    if (flags & GOMP_TASK_FLAG_DETACH)
      *(uintptr_t *)detach = hsomp_event_discarded(self);
    return;
  }
  int priority = (flags & GOMP_TASK_FLAG_PRIORITY) ? hsomp_task_clamp_priority(priority_arg) : 0;
  if (arg_align < 1)
    arg_align = 1;
  if (arg_size < 0)
    arg_size = 0;
  struct hsomp_task *cur = self->ts.task;
  if (!if_clause || !team || (cur && (cur->flags & HSOMP_TASK_FINAL)) ||
      (!(flags & GOMP_TASK_FLAG_DETACH) &&
       over_cutoff(self, team, cur, 1, !(flags & GOMP_TASK_FLAG_DEPEND)))) {
    if (!(flags & (GOMP_TASK_FLAG_DEPEND | GOMP_TASK_FLAG_DETACH)) && !cpyfn)
      included_plain(self, hsomp_task_current(self), fn, data, flags, priority);
    else
      task_included(self, team, fn, data, cpyfn, arg_size, arg_align, flags, depend, priority,
                    detach);
  } else {
    task_deferred(self, team, fn, data, cpyfn, arg_size, arg_align, flags, depend, priority, detach);
  }
}

/* The common deferred task, as GOMP_task found it: in a team whose
 * tasking state is there, no depend, detach, priority or copy
 * constructor, no cancellation, no tool; the parent's child count may
 * still make it included (over_cutoff's second bound). */
static __attribute__((noinline, flatten)) void task_deferred_plain(struct hsomp_thread *self,
                                                          struct hsomp_team *team,
                                                          void (*fn)(void *), void *data,
                                                          long arg_size, long arg_align,
                                                          unsigned flags) {
  struct hsomp_task *parent = hsomp_task_materialise(self);
  if (HSOMP_UNLIKELY(kids_over_bound(self, team, parent, 1))) {
    included_plain(self, parent, fn, data, flags, 0);
    return;
  }
  if (arg_align < 1)
    arg_align = 1;
  if (arg_size < 0)
    arg_size = 0;
  struct hsomp_task *t = hsomp_task_new(self, team, parent, fn, arg_size, arg_align, 0, flags, 0);
  if (arg_size > 0 && arg_size <= 64 && (arg_size & 7) == 0) {
    /* GCC's argument blocks are mostly a few words: no call for those. */
    for (long i = 0; i < arg_size; i += 8) {
      uint64_t w;
      memcpy(&w, (char *)data + i, 8);
      memcpy((char *)t->data + i, &w, 8);
    }
  } else if (arg_size > 0) {
    memcpy(t->data, data, (size_t)arg_size);
  }
  hsomp_task_submit(self, team, t, NULL);
}

/* Not a tail call to task_general: GCC then loads the four arguments on
 * the stack into saved registers at entry and stores them back, on every
 * path; as a call, the paths above save two registers fewer. */
__attribute__((optimize("no-optimize-sibling-calls"))) void
GOMP_task(void (*fn)(void *), void *data, void (*cpyfn)(void *, void *), long arg_size,
          long arg_align, bool if_clause, unsigned flags, void **depend, int priority_arg,
          void *detach) {
  /* Note [Cheap included tasks], Note [Throttled tasks] */
  struct hsomp_thread *self = hsomp_tls;
  struct hsomp_task *cur;
  if (HSOMP_LIKELY(self != NULL) && (cur = self->ts.task) != NULL &&
      !(flags & (GOMP_TASK_FLAG_DEPEND | GOMP_TASK_FLAG_DETACH | GOMP_TASK_FLAG_PRIORITY)) &&
      cpyfn == NULL && !hsomp_settings.cancellation && !hsomp_ompt_enabled) {
    struct hsomp_team *team = self->ts.team;
    if (!if_clause || (cur->flags & HSOMP_TASK_FINAL) || !team) {
    included:
      /* inlined here: one frame for the test and the task */
      included_plain_body(self, cur, fn, data, flags, 0, false);
      return;
    }
    /* Acquire: another member may have just installed it (tasking_install). */
    struct hsomp_tasking *tk = atomic_load_explicit(&team->tasking, memory_order_acquire);
    if (tk && tk->cap >= team->nthreads) {
      if (deque_throttled(self, &tk->member[self->ts.team_id].dq, 1,
                          !(cur->flags & HSOMP_TASK_IMPLICIT), team->nthreads))
        goto included;
      task_deferred_plain(self, team, fn, data, arg_size, arg_align, flags);
      return;
    }
  }
  /* Here: task_general's return address is not the program's (a plain
   * store, no call). */
  if (HSOMP_UNLIKELY(hsomp_ompt_enabled))
    task_codeptr = HSOMP_OMPT_RA;
  task_general(fn, data, cpyfn, arg_size, arg_align, if_clause, flags, depend, priority_arg, detach);
}

/* ------------------------------------------------------------------ */
/* Waiting for children, taskgroups.                                    */

static void pending_arm(void *arg) { hsomp_task_arm_waiter(arg, HSOMP_WAITER); }
static void pending_disarm(void *arg) { hsomp_task_disarm_waiter(arg, HSOMP_WAITER); }

void GOMP_taskwait(void) {
  struct hsomp_thread *self = hsomp_self();
  struct hsomp_task *t = self->ts.task;
  HSOMP_OMPT(sync(ompt_sync_region_taskwait, ompt_scope_begin, HSOMP_OMPT_RA));
  if (t && !hsomp_task_no_kids(t)) {
    struct hsomp_wait w = {hsomp_task_kids_done, pending_arm, pending_disarm, t};
    hsomp_task_wait(self, self->ts.team, t, &w);
  }
  HSOMP_OMPT(sync(ompt_sync_region_taskwait, ompt_scope_end, HSOMP_OMPT_RA));
}

void GOMP_taskwait_depend(void **depend) {
  struct hsomp_thread *self = hsomp_self();
  if (HSOMP_UNLIKELY(hsomp_settings.cancellation) && hsomp_task_creation_cancelled(self))
    return;
  struct hsomp_task *t = self->ts.task;
  /* reported as a taskwait: its sync region and wait, whatever it waits for */
  HSOMP_OMPT(sync(ompt_sync_region_taskwait, ompt_scope_begin, HSOMP_OMPT_RA));
  if (t && t->deps)
    deps_wait(self, t, depend);
  HSOMP_OMPT(sync(ompt_sync_region_taskwait, ompt_scope_end, HSOMP_OMPT_RA));
}

/* A detached task's event (Note [Detach events], task_event.c). */
void omp_fulfill_event(omp_event_handle_t event) {
  bool early;
  ompt_data_t early_data = {0};
  struct hsomp_task *t = hsomp_event_fulfil((uintptr_t)event, &early, &early_data);
  if (t) {
    HSOMP_OMPT(task_fulfilled(&t->ompt_task, ompt_task_late_fulfill));
    hsomp_task_complete(hsomp_self(), t->team, t);
  } else if (early) {
    HSOMP_OMPT(task_fulfilled(&early_data, ompt_task_early_fulfill));
  }
}

/* libgomp does nothing here; hsomp runs one task the current task may
 * start (a descendant), which lets `while (!x) taskyield` loops progress
 * on a single thread. */
void GOMP_taskyield(void) {
  struct hsomp_thread *self = hsomp_self();
  struct hsomp_team *team = self->ts.team;
  struct hsomp_task *cur = self->ts.task;
  if (!team || !cur)
    return;
  struct hsomp_task *t = hsomp_task_find(self, team, cur);
  if (t)
    hsomp_task_run(self, t);
}

struct hsomp_taskgroup *hsomp_taskgroup_begin(struct hsomp_thread *self) {
  struct hsomp_task *t = hsomp_task_current(self);
  struct hsomp_taskgroup *tg = malloc(sizeof *tg);
  if (!tg)
    hsomp_fatal("out of memory allocating a taskgroup");
  atomic_init(&tg->live, 0);
  atomic_init(&tg->cancelled, false);
  tg->workshare = false;
  tg->prev = t->taskgroup;
  tg->prev_own = t->taskgroup_own;
  tg->reductions = t->taskgroup ? t->taskgroup->reductions : NULL;
  t->taskgroup = tg;
  t->taskgroup_own = true;
  return tg;
}

static bool taskgroup_done(void *arg) {
  struct hsomp_taskgroup *tg = arg;
  return (atomic_load_explicit(&tg->live, memory_order_seq_cst) & 0x7fffffffu) == 0;
}
static void taskgroup_arm(void *arg) {
  struct hsomp_taskgroup *tg = arg;
  atomic_fetch_or_explicit(&tg->live, 0x80000000u, memory_order_seq_cst);
}
static void taskgroup_disarm(void *arg) {
  struct hsomp_taskgroup *tg = arg;
  atomic_fetch_and_explicit(&tg->live, 0x7fffffffu, memory_order_relaxed);
}

void hsomp_taskgroup_end(struct hsomp_thread *self) {
  struct hsomp_task *t = self->ts.task;
  if (!t || !t->taskgroup || !t->taskgroup_own) {
    hsomp_warn("GOMP_taskgroup_end: the current task has no open taskgroup; ignored");
    return;
  }
  struct hsomp_taskgroup *tg = t->taskgroup;
  if (!taskgroup_done(tg)) {
    struct hsomp_wait w = {taskgroup_done, taskgroup_arm, taskgroup_disarm, tg};
    hsomp_task_wait(self, self->ts.team, t, &w);
  }
  t->taskgroup = tg->prev;
  t->taskgroup_own = tg->prev_own;
  free(tg);
}

void GOMP_taskgroup_start(void) {
  HSOMP_OMPT(taskgroup(ompt_scope_begin, HSOMP_OMPT_RA));
  hsomp_taskgroup_begin(hsomp_self());
}

void GOMP_taskgroup_end(void) {
  HSOMP_OMPT(taskgroup(ompt_scope_end, HSOMP_OMPT_RA));
  hsomp_taskgroup_end(hsomp_self());
  HSOMP_OMPT(sync(ompt_sync_region_taskgroup, ompt_scope_end, HSOMP_OMPT_RA));
}

int omp_in_final(void) {
  struct hsomp_task *t = hsomp_self()->ts.task;
  return t && (t->flags & HSOMP_TASK_FINAL) ? 1 : 0;
}
