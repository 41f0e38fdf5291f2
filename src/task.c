/* task.c -- explicit tasks: GOMP_task, included tasks, completion,
 * taskwait, taskyield, taskgroups, omp_in_final, the wait loop every
 * task-aware wait uses, and the hook through which the team's barrier
 * and join run tasks (hsomp_task_help_until).
 *
 * The records and their counting are described in Note [Task records]
 * (task_internal.h); scheduling (deques, stealing) is in task_sched.c,
 * dependences in task_deps.c, detach events in task_event.c. */
#include "task_internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* An included task is run at once instead of deferred when the creating
 * thread's deque already holds this many tasks, or when the creating task
 * has this many unfinished children per team member (those may be blocked
 * on dependences, so the deque alone does not bound them).  Either bound
 * keeps memory flat however many tasks a loop creates. */
#define HSOMP_CUTOFF_DEQUE 128
#define HSOMP_CUTOFF_KIDS_PER_THREAD 128

/* The implicit task of a thread outside any team. */
static __thread struct hsomp_task orphan_implicit;

void *hsomp_task_owner_slow(struct hsomp_thread *self) { return self->ts.task->owner; }

/* ------------------------------------------------------------------ */
/* The team's tasking state.                                            */

static void tasking_free(struct hsomp_tasking *tk) {
  for (unsigned i = 0; i < tk->cap; i++) {
    struct hsomp_deque *dq = &tk->member[i].dq;
    hsomp_deque_free_retired(dq);
    free(atomic_load_explicit(&dq->buf, memory_order_relaxed));
  }
  free(tk->heap);
  free(tk);
}

/* Made by the first thread of a region that needs it; several may race,
 * one CAS wins.  A structure too small for the team (teams are reused with
 * other sizes) is replaced, and kept on `retired' until the region ends,
 * because other threads may still be reading its size. */
static struct hsomp_tasking *tasking_install(struct hsomp_team *team, struct hsomp_tasking *old) {
  unsigned cap = team->capacity > team->nthreads ? team->capacity : team->nthreads;
  size_t size = sizeof(struct hsomp_tasking) + (size_t)cap * sizeof(struct hsomp_task_member);
  struct hsomp_tasking *tk = NULL;
  if (posix_memalign((void **)&tk, HSOMP_CACHELINE, size) != 0)
    hsomp_fatal("out of memory allocating the task queues of a team of %u threads", cap);
  memset(tk, 0, size);
  tk->cap = cap;
  for (unsigned i = 0; i < cap; i++) {
    hsomp_deque_init(&tk->member[i].dq);
    tk->member[i].rng = 2654435761u * (i + 1);
  }
  tk->retired = old;
  if (atomic_compare_exchange_strong_explicit(&team->tasking, &old, tk, memory_order_acq_rel,
                                              memory_order_acquire))
    return tk;
  tk->retired = NULL;
  tasking_free(tk);
  return old;
}

struct hsomp_tasking *hsomp_tasking_get(struct hsomp_team *team) {
  struct hsomp_tasking *tk = atomic_load_explicit(&team->tasking, memory_order_acquire);
  while (HSOMP_UNLIKELY(!tk || tk->cap < team->nthreads))
    tk = tasking_install(team, tk);
  return tk;
}

/* ------------------------------------------------------------------ */
/* Records.                                                             */

static struct hsomp_task *implicit_attach(struct hsomp_thread *self) {
  struct hsomp_team *team = self->ts.team;
  struct hsomp_task *t;
  if (team) {
    struct hsomp_tasking *tk = hsomp_tasking_get(team);
    t = &tk->member[self->ts.team_id].implicit;
    memset(t, 0, sizeof *t);
    t->owner = &team->members[self->ts.team_id];
    t->taskgroup = team->parent.child_taskgroup;
  } else {
    t = &orphan_implicit;
    memset(t, 0, sizeof *t);
    t->owner = self;
  }
  t->team = team;
  t->flags = HSOMP_TASK_IMPLICIT;
  atomic_init(&t->pending, 1);
  self->ts.task = t;
  return t;
}

struct hsomp_task *hsomp_task_current(struct hsomp_thread *self) {
  struct hsomp_task *t = self->ts.task;
  return HSOMP_LIKELY(t != NULL) ? t : implicit_attach(self);
}

/* Copy a stack record (and the stack records above it) to the heap; see
 * Note [Task records].  The copy counts in its parent's live units like
 * a child, and in its creator's taskgroup if the stack record would have. */
static struct hsomp_task *materialise_stack(struct hsomp_task *r) {
  struct hsomp_task *p = r->parent;
  if (p->flags & HSOMP_TASK_ON_STACK)
    p = p->shadow ? p->shadow : materialise_stack(p);
  struct hsomp_task *h = malloc(sizeof *h);
  if (!h)
    hsomp_fatal("out of memory allocating a task");
  memset(h, 0, sizeof *h);
  h->parent = p;
  h->team = r->team;
  h->owner = r->owner;
  h->taskgroup = r->taskgroup;
  h->taskgroup_own = r->taskgroup_own;
  h->counted_tg = r->counted_tg;
  h->depth = r->depth;
  h->flags = (r->flags & ~(uint32_t)HSOMP_TASK_ON_STACK) | HSOMP_TASK_HEAP_COPY;
  h->priority = r->priority;
  atomic_init(&h->pending, 1);
  atomic_fetch_add_explicit(&p->pending, 1, memory_order_relaxed);
  if (h->counted_tg)
    atomic_fetch_add_explicit(&h->counted_tg->live, 1, memory_order_relaxed);
  r->shadow = h;
  return h;
}

struct hsomp_task *hsomp_task_materialise(struct hsomp_thread *self) {
  struct hsomp_task *t = hsomp_task_current(self);
  if (HSOMP_LIKELY(!(t->flags & HSOMP_TASK_ON_STACK)))
    return t;
  t = materialise_stack(t);
  self->ts.task = t;
  return t;
}

static void record_free(struct hsomp_task *t) {
  if (t->deps)
    hsomp_deps_table_free(t);
  free(t->succ);
  free(t);
}

static void taskgroup_release(struct hsomp_team *team, struct hsomp_taskgroup *tg) {
  uint32_t old = atomic_fetch_sub_explicit(&tg->live, 1, memory_order_acq_rel);
  HSOMP_ASSERT((old & 0x7fffffffu) >= 1);
  if ((old & 0x7fffffffu) == 1 && (old & 0x80000000u))
    hsomp_task_wake(team);
}

/* Note [Releasing a record]
 * Whoever brings a record's live count to 0 owns the record: nobody else
 * can reach it any more (its children have all released it, it is in no
 * queue and no dependence table, and its thread has finished it).  That
 * thread frees it and passes one live unit up to the parent, which may in
 * turn reach 0.  Nothing touches a record after its release: a wake-up
 * goes through the team's event word, never through the record. */
void hsomp_task_release(struct hsomp_team *team, struct hsomp_task *t, uint64_t amount) {
  while (t) {
    uint64_t old = atomic_fetch_sub_explicit(&t->pending, amount, memory_order_acq_rel);
    uint64_t now = old - amount;
    /* Note [Task records]: neither count goes below 0. */
    HSOMP_ASSERT(hsomp_live(old) >= hsomp_live(amount) && hsomp_kids(old) >= hsomp_kids(amount));
    if ((old & HSOMP_WAITER) && (hsomp_kids(now) == 0 || hsomp_live(now) <= 1))
      hsomp_task_wake(team);
    if (hsomp_live(now) != 0)
      return;
    struct hsomp_task *parent = t->parent;
    struct hsomp_taskgroup *tg = t->counted_tg;
    record_free(t);
    if (tg)
      taskgroup_release(team, tg);
    t = parent;
    amount = 1;
  }
}

void hsomp_task_complete(struct hsomp_thread *self, struct hsomp_team *team, struct hsomp_task *t) {
  if (t->ndeps)
    hsomp_deps_release(self, t);
  struct hsomp_task *parent = t->parent;
  if (atomic_load_explicit(&t->pending, memory_order_acquire) == 1) {
    /* No child record is alive (each would hold a unit), so nobody else
     * can change the count: the subtree is done with the task. */
    struct hsomp_taskgroup *tg = t->counted_tg;
    record_free(t);
    if (tg)
      taskgroup_release(team, tg);
    hsomp_task_release(team, parent, HSOMP_KID | 1);
  } else {
    hsomp_task_release(team, parent, HSOMP_KID);
    hsomp_task_release(team, t, 1);
  }
}


void hsomp_task_run(struct hsomp_thread *self, struct hsomp_task *t) {
  struct hsomp_team *team = t->team;
  bool discarded = hsomp_task_cancelled(team, t);
  if (HSOMP_LIKELY(!discarded)) {
    struct hsomp_task *prev = self->ts.task;
    struct hsomp_icv saved = self->icv;
    self->ts.task = t;
    self->icv = t->icv;
    t->fn(t->data);
    self->icv = saved;
    self->ts.task = prev;
  }
  /* The event may still be outstanding: then its fulfiller completes the
   * task, unless it was discarded (Note [Detach events]). */
  if ((t->flags & HSOMP_TASK_DETACH) && !hsomp_event_body_done(self, t, discarded))
    return;
  hsomp_task_complete(self, team, t);
}

/* ------------------------------------------------------------------ */
/* Waking and waiting.                                                  */

/* Note [Waiting for tasks]
 * Every wait of the tasking engine (barriers, taskwait, taskgroup end,
 * dependences of included tasks, detach events, the end of a region) is
 * hsomp_wait_until (wait.h) with running tasks as its work: while the
 * condition is false, run a task this thread may run, else spin a
 * little, else sleep on the team's event word.  Anyone who makes a
 * condition true or queues a task changes the state first, then calls
 * hsomp_task_wake (hsomp_team_wake), which after a seq_cst fence reads
 * the word's sleepers and, if there are any, bumps it and wakes them
 * (Note [Sleeping without lost wake-ups]).  Before sleeping, a waiter
 * that is not constrained also checks that no queue holds a task.
 * Conditions on a record or a taskgroup count are cheaper still: the
 * waiter sets the WAITER bit in the counted word itself (arm), and a
 * releaser wakes only when it sees that bit and the count reaches the
 * waited-for value, so running tasks do not touch the event word at all
 * in the common case.
 *
 * A thread suspended in a tied task (taskwait, taskgroup end, dependence
 * wait) may only start descendants of that task (the Task Scheduling
 * Constraint); at a barrier any task of the team may run.  Such a
 * constrained thread cannot sleep on "some queue is non-empty" (the tasks
 * there may be ones it may not run); it relies instead on the threads that
 * queued them, which can always run what they queued. */
struct task_waiter {
  struct hsomp_thread *self;
  struct hsomp_team *team;
  struct hsomp_task *constraint;
  const struct hsomp_wait *w;
};

static bool waiter_done(void *arg) {
  const struct task_waiter *tw = arg;
  return tw->w->done(tw->w->arg);
}
static bool waiter_run_one(void *arg) {
  const struct task_waiter *tw = arg;
  struct hsomp_task *t = hsomp_task_find(tw->self, tw->team, tw->constraint);
  if (!t)
    return false;
  hsomp_task_run(tw->self, t);
  return true;
}
static bool waiter_may_sleep(void *arg) {
  const struct task_waiter *tw = arg;
  return tw->constraint || !hsomp_task_any_queued(tw->team);
}
static void waiter_arm(void *arg) {
  const struct task_waiter *tw = arg;
  if (tw->w->arm)
    tw->w->arm(tw->w->arg);
}
static void waiter_disarm(void *arg) {
  const struct task_waiter *tw = arg;
  if (tw->w->disarm)
    tw->w->disarm(tw->w->arg);
}

static void task_wait(struct hsomp_thread *self, struct hsomp_team *team,
                      struct hsomp_task *constraint, const struct hsomp_wait *w,
                      unsigned long spins) {
  struct task_waiter tw = {self, team, constraint, w};
  struct hsomp_until u = {.done = waiter_done,
                          .arg = &tw,
                          .work = waiter_run_one,
                          .may_sleep = waiter_may_sleep,
                          .arm = waiter_arm,
                          .disarm = waiter_disarm};
  struct hsomp_spin s = hsomp_spin_of(self, team, spins);
  hsomp_wait_until(&team->event, &s, &u);
}

void hsomp_task_wait(struct hsomp_thread *self, struct hsomp_team *team,
                     struct hsomp_task *constraint, const struct hsomp_wait *w) {
  task_wait(self, team, constraint, w, team->spins);
}

static void pending_arm(void *arg) {
  struct hsomp_task *t = arg;
  atomic_fetch_or_explicit(&t->pending, HSOMP_WAITER, memory_order_seq_cst);
}
static void pending_disarm(void *arg) {
  struct hsomp_task *t = arg;
  atomic_fetch_and_explicit(&t->pending, ~HSOMP_WAITER, memory_order_relaxed);
}
static bool kids_done(void *arg) {
  struct hsomp_task *t = arg;
  return hsomp_kids(atomic_load_explicit(&t->pending, memory_order_seq_cst)) == 0;
}

/* ------------------------------------------------------------------ */
/* The tasking hook: the team's barrier and join.                       */

/* Settling: the implicit task `own' has no live descendants (its live
 * count is back to its own unit), or the caller's condition holds. */
struct settle {
  struct hsomp_task *own;
  bool (*done)(void *);
  void *arg;
};

static bool settled(void *arg) {
  struct settle *st = arg;
  return hsomp_live(atomic_load_explicit(&st->own->pending, memory_order_seq_cst)) <= 1 ||
         (st->done && st->done(st->arg));
}
static void settle_arm(void *arg) { pending_arm(((struct settle *)arg)->own); }
static void settle_disarm(void *arg) { pending_disarm(((struct settle *)arg)->own); }

void hsomp_task_help_until(struct hsomp_thread *self, struct hsomp_team *team, bool settle,
                           bool (*done)(void *), void *arg, unsigned long spins) {
  if (!settle) {
    struct hsomp_wait w = {done, NULL, NULL, arg};
    task_wait(self, team, NULL, &w, spins);
    return;
  }
  struct settle st = {self->ts.task, done, arg};
  if (!st.own || hsomp_live(atomic_load_explicit(&st.own->pending, memory_order_acquire)) <= 1)
    return;
  struct hsomp_wait w = {settled, settle_arm, settle_disarm, &st};
  task_wait(self, team, NULL, &w, spins);
}

/* Between regions (every task done, every helper gone): drop the
 * implicit tasks' dependence tables (their records are reused by the
 * next region), forget the region's flag and free what was retired
 * during it. */
void hsomp_task_region_end(struct hsomp_team *team) {
  struct hsomp_tasking *tk = atomic_load_explicit(&team->tasking, memory_order_relaxed);
  if (tk) {
    unsigned n = team->nthreads < tk->cap ? team->nthreads : tk->cap;
    for (unsigned i = 0; i < n; i++)
      if (tk->member[i].implicit.deps)
        hsomp_deps_table_free(&tk->member[i].implicit);
    while (tk->retired) {
      struct hsomp_tasking *old = tk->retired;
      tk->retired = old->retired;
      old->retired = NULL;
      tasking_free(old);
    }
    for (unsigned i = 0; i < tk->cap; i++)
      hsomp_deque_free_retired(&tk->member[i].dq);
  }
  atomic_store_explicit(&team->tasks_used, false, memory_order_relaxed);
}

/* ------------------------------------------------------------------ */
/* Creating tasks.                                                      */


bool hsomp_task_over_cutoff(struct hsomp_thread *self, struct hsomp_team *team, struct hsomp_task *cur,
                            unsigned long more) {
  /* Acquire: another member may have just installed it (tasking_install). */
  struct hsomp_tasking *tk = atomic_load_explicit(&team->tasking, memory_order_acquire);
  if (!tk || tk->cap < team->nthreads)
    return more > (unsigned long)HSOMP_CUTOFF_KIDS_PER_THREAD * team->nthreads;
  if (hsomp_deque_size(&tk->member[self->ts.team_id].dq) + (int64_t)more > HSOMP_CUTOFF_DEQUE + 1)
    return true;
  uint64_t kids = cur ? hsomp_kids(atomic_load_explicit(&cur->pending, memory_order_relaxed)) : 0;
  return kids + more > (uint64_t)HSOMP_CUTOFF_KIDS_PER_THREAD * team->nthreads;
}

/* The stack record of an included task; see Note [Task records]. */
void hsomp_included_begin(struct hsomp_thread *self, struct hsomp_team *team, struct hsomp_task *rec,
                           struct hsomp_task *parent, unsigned flags, int priority) {
  rec->parent = parent;
  rec->team = team;
  rec->owner = rec;
  rec->taskgroup = parent->taskgroup;
  rec->taskgroup_own = false;
  rec->counted_tg = parent->taskgroup_own ? parent->taskgroup : NULL;
  rec->shadow = NULL;
  rec->depth = parent->depth + 1;
  rec->flags = HSOMP_TASK_ON_STACK;
  if ((flags & GOMP_TASK_FLAG_FINAL) || (parent->flags & HSOMP_TASK_FINAL))
    rec->flags |= HSOMP_TASK_FINAL;
  rec->priority = priority;
  rec->deps = NULL;
  rec->ndeps = 0;
  atomic_init(&rec->pending, 1);
  self->ts.task = rec;
}

void hsomp_included_end(struct hsomp_thread *self, struct hsomp_team *team, struct hsomp_task *rec,
                           struct hsomp_task *parent) {
  struct hsomp_task *h = rec->shadow;
  if (h) {
    self->ts.task = h->parent;
    hsomp_task_release(team, h, 1);
  } else {
    self->ts.task = parent;
  }
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
  hsomp_included_begin(self, team, &rec, parent, flags, priority);
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
  hsomp_included_end(self, team, &rec, parent);
}

struct hsomp_task *hsomp_task_new(struct hsomp_thread *self, struct hsomp_team *team,
                                  struct hsomp_task *parent, void (*fn)(void *), long arg_size,
                                  long arg_align, size_t ndeps, unsigned flags, int priority) {
  size_t arg_off = sizeof(struct hsomp_task) + ndeps * sizeof(struct hsomp_dep_entry);
  struct hsomp_task *t = malloc(arg_off + (size_t)arg_size + (size_t)arg_align - 1);
  if (!t)
    hsomp_fatal("out of memory allocating a task with %ld bytes of arguments", arg_size);
  t->fn = fn;
  t->data = (char *)(((uintptr_t)t + arg_off + arg_align - 1) & ~(uintptr_t)(arg_align - 1));
  t->parent = parent;
  t->team = team;
  t->owner = t;
  t->taskgroup = parent->taskgroup;
  t->counted_tg = parent->taskgroup_own ? parent->taskgroup : NULL;
  t->shadow = NULL;
  t->depth = parent->depth + 1;
  t->flags = HSOMP_TASK_DEFERRED;
  if (flags & GOMP_TASK_FLAG_FINAL)
    t->flags |= HSOMP_TASK_FINAL;
  if (flags & GOMP_TASK_FLAG_UNTIED)
    t->flags |= HSOMP_TASK_UNTIED;
  t->priority = priority;
  t->taskgroup_own = false;
  atomic_init(&t->pending, 1);
  t->dep_lock = 0;
  t->deps = NULL;
  atomic_init(&t->npred, 0);
  t->ndeps = (uint32_t)ndeps;
  t->dep = (struct hsomp_dep_entry *)(t + 1);
  t->succ = NULL;
  t->nsucc = t->succ_cap = 0;
  t->icv = self->icv;
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
  atomic_fetch_add_explicit(&parent->pending, HSOMP_KID | 1, memory_order_relaxed);
  if (t->counted_tg)
    atomic_fetch_add_explicit(&t->counted_tg->live, 1, memory_order_relaxed);
  if (!atomic_load_explicit(&team->tasks_used, memory_order_relaxed))
    atomic_store_explicit(&team->tasks_used, true, memory_order_seq_cst);
  if (t->ndeps && hsomp_deps_register(parent, t, depend))
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
    free(t);
    return;
  }
  hsomp_task_submit(self, team, t, depend);
}

int hsomp_task_clamp_priority(int p) {
  if (p < 0)
    return 0;
  return p > hsomp_settings.max_task_priority ? hsomp_settings.max_task_priority : p;
}

void GOMP_task(void (*fn)(void *), void *data, void (*cpyfn)(void *, void *), long arg_size,
               long arg_align, bool if_clause, unsigned flags, void **depend, int priority_arg,
               void *detach) {
  struct hsomp_thread *self = hsomp_self();
  struct hsomp_team *team = self->ts.team;
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
      (!(flags & GOMP_TASK_FLAG_DETACH) && hsomp_task_over_cutoff(self, team, cur, 1)))
    task_included(self, team, fn, data, cpyfn, arg_size, arg_align, flags, depend, priority, detach);
  else
    task_deferred(self, team, fn, data, cpyfn, arg_size, arg_align, flags, depend, priority, detach);
}

/* ------------------------------------------------------------------ */
/* Waiting for children, taskgroups.                                    */

void GOMP_taskwait(void) {
  struct hsomp_thread *self = hsomp_self();
  struct hsomp_task *t = self->ts.task;
  if (!t || kids_done(t))
    return;
  struct hsomp_wait w = {kids_done, pending_arm, pending_disarm, t};
  hsomp_task_wait(self, self->ts.team, t, &w);
}

void GOMP_taskwait_depend(void **depend) {
  struct hsomp_thread *self = hsomp_self();
  if (HSOMP_UNLIKELY(hsomp_settings.cancellation) && hsomp_task_creation_cancelled(self))
    return;
  struct hsomp_task *t = self->ts.task;
  if (t && t->deps)
    deps_wait(self, t, depend);
}

/* A detached task's event (Note [Detach events], task_event.c). */
void omp_fulfill_event(omp_event_handle_t event) {
  struct hsomp_task *t = hsomp_event_fulfil((uintptr_t)event);
  if (t)
    hsomp_task_complete(hsomp_self(), t->team, t);
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

void GOMP_taskgroup_start(void) { hsomp_taskgroup_begin(hsomp_self()); }

void GOMP_taskgroup_end(void) { hsomp_taskgroup_end(hsomp_self()); }

int omp_in_final(void) {
  struct hsomp_task *t = hsomp_self()->ts.task;
  return t && (t->flags & HSOMP_TASK_FINAL) ? 1 : 0;
}
