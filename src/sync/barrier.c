/* barrier.c -- the team barrier: GOMP_barrier, GOMP_barrier_cancel, and
 * hsomp_barrier_wait for the barriers of worksharing constructs.
 *
 * Owns the tree barrier every team uses (Note [Tree barrier]), its
 * cancellation, and its task-awareness: a barrier completes only when
 * every task of the team is done, and waiting threads run those tasks.
 * The algorithm is private to this file and to the two words it keeps in
 * each thread record (hsomp.h: bar_arrived, bar_release). */
#include "hsomp.h"
#include "ompt_internal.h"

#include <stddef.h>

/* Every barrier is a team's (hsomp.h: struct hsomp_team::barrier). */
static struct hsomp_team *barrier_team(struct hsomp_barrier *b) {
  return (struct hsomp_team *)((char *)b - offsetof(struct hsomp_team, barrier));
}

/* Tags make every team region's barrier values unique (Note [Tree
 * barrier]); 0 is never a tag. */
static HSOMP_OWN_LINE(_Atomic uint32_t, last_tag_line); /* Note [Hot globals own their line] */
#define last_tag (last_tag_line.value)

void hsomp_barrier_init(struct hsomp_barrier *b) {
  b->tag = atomic_fetch_add_explicit(&last_tag, 1, memory_order_relaxed) + 1;
  if (HSOMP_UNLIKELY(b->tag == 0))
    b->tag = atomic_fetch_add_explicit(&last_tag, 1, memory_order_relaxed) + 1;
  if (atomic_load_explicit(&b->cancelled, memory_order_relaxed))
    atomic_store_explicit(&b->cancelled, false, memory_order_relaxed);
}

/* Note [Task-aware barrier]
 * A thread arriving at the barrier first waits until the descendants of
 * its own implicit task are done (Note [Task records]: its record's live
 * count is back to 1), running tasks of the team meanwhile -- any of
 * them, a barrier imposes no scheduling constraint.  Only then does it
 * take part in the gather, and it keeps running tasks while it waits.
 * When the gather reaches the root every implicit task's descendants are
 * done and no implicit task can create more (they are all at the
 * barrier), so no task of the team is left: the barrier may complete.
 * Without tasks the first step is one load.
 *
 * Note [Tree barrier]
 * Thread i's children are 4i+1 .. 4i+4 (those below nthreads), its parent
 * (i-1)/4 (branching 4, hsomp_barrier_arity).  Gather: a thread waits
 * until each child's `bar_arrived` holds this barrier's value, then
 * stores the value into its own `bar_arrived`.
 * Release: thread 0, once its children have arrived, stores the value into
 * the team's `root_release` (Note [Root release word]); every other thread
 * waits for its parent's release word to hold the value, then stores it
 * into its own `bar_release` for its children.  The two words live in two
 * lines of the thread's own record that only the thread writes (one line
 * would make the children re-read it after the gather store too), so a
 * barrier costs about 4 line transfers per thread, and the longest chain
 * is about two per level of a tree of depth log4(nthreads) -- against a
 * central counter's N dependent RMWs.
 *
 * The value is (tag << 32 | phase): the region's tag (unique per region,
 * set at its start by hsomp_barrier_init; each thread gets it with its
 * start signal, ts.bar_tag, so nobody reads the team record for it) and
 * the thread's count of the region's barriers (ts.bar_phase, from 1;
 * every member meets the same barriers in the same order; the join uses
 * a phase of its own, HSOMP_JOIN_PHASE).  A value left over from another region or
 * team therefore never matches.  The stores are release (seq_cst, for the
 * wake-up pairing), the loads acquire, so what any thread did before the
 * barrier happens before what every thread does after it, through the
 * chain up to thread 0 and down again.  Waiters sleep on the team's
 * event word (Note [Waiting for tasks] in task.c) through
 * hsomp_task_help_until, which runs the team's tasks while it waits (the
 * barrier reaches tasking only through it); every store is followed by
 * hsomp_team_wake, which costs a fence and a load when nobody sleeps.
 *
 * A team larger than the CPUs uses one level (hsomp_barrier_arity): its
 * threads take turns on the CPUs, and every level of a tree is one more
 * thread that must be scheduled before the next can go on.
 *
 * Cancellation (GOMP_cancel for parallel) sets `cancelled' and wakes every
 * sleeper; cancellable waits then return true at once: the threads head
 * for the end of the region, which does not use this barrier, and the next
 * region gets a new tag. */

struct phase {
  struct hsomp_barrier *b;
  struct hsomp_team *team;
  _Atomic uint64_t *parent_release;
  uint64_t value;
  unsigned next_child, end_child;
  bool cancellable;
};

static bool cancelled(const struct phase *p) {
  return p->cancellable && atomic_load_explicit(&p->b->cancelled, memory_order_seq_cst);
}

static bool cancelled_arg(void *arg) { return cancelled(arg); }

static bool children_arrived(void *arg) {
  struct phase *p = arg;
  struct hsomp_thread **members = p->team->members;
  while (p->next_child < p->end_child) {
    if (atomic_load_explicit(&members[p->next_child]->bar_arrived, memory_order_seq_cst) !=
        p->value)
      return cancelled(p);
    p->next_child++;
  }
  return true;
}

static bool released(void *arg) {
  struct phase *p = arg;
  return atomic_load_explicit(p->parent_release, memory_order_seq_cst) == p->value ||
         cancelled(p);
}

/* Note [Root release word]
 * Thread 0 of a team releases its children through a word of the team
 * record (root_release), every other member through its own record's
 * `bar_release`.  A thread's own word serves the one team it is a worker
 * of; thread 0 is the team's master, a thread that may be a member of an
 * outer team too.  If it released through its own word, a master that
 * left a barrier of the outer team and then opened a nested region would
 * overwrite its outer release value with the inner team's before its
 * outer children had read it (one asleep in the barrier wakes too late),
 * and they would wait forever.  A worker's word is written again only at
 * its team's next barrier, which its children reach after they have read
 * it (the join uses `bar_arrived` only); the team's word likewise. */
static _Atomic uint64_t *release_word(struct hsomp_team *team, unsigned id) {
  return id == 0 ? &team->root_release : &team->members[id]->bar_release;
}

bool hsomp_barrier_wait(struct hsomp_barrier *b, unsigned nthreads, bool cancellable) {
  struct hsomp_team *team = barrier_team(b);
  struct hsomp_thread *self = hsomp_self();
  struct phase p = {.b = b, .team = team, .cancellable = cancellable};
  if (cancelled(&p))
    return true;
  /* Note [Task-aware barrier]: settle first (nothing to settle while the
   * implicit task has no record: it made no task). */
  if (self->ts.task) {
    hsomp_task_help_until(self, team, true, cancelled_arg, &p, team->spins);
    if (cancelled(&p))
      return true;
  }
  if (nthreads <= 1)
    return cancelled(&p);
  /* Where we run, for the team mates' waits (Note [Keeping threads
   * spread], spin.c). */
  if (team->master_cpu >= 0)
    hsomp_note_cpu(self, hsomp_os_cpu());
  unsigned id = self->ts.team_id;
  p.value = (uint64_t)self->ts.bar_tag << 32 | ++self->ts.bar_phase;
  /* Gather (Note [Tree barrier]). */
  unsigned arity = hsomp_barrier_arity(nthreads), first = id * arity + 1;
  if (first < nthreads) {
    p.next_child = first;
    p.end_child = nthreads - first < arity ? nthreads : first + arity;
    if (!children_arrived(&p))
      hsomp_task_help_until(self, team, false, children_arrived, &p, team->spins);
    if (cancelled(&p))
      return true;
  }
  if (id == 0) {
    if (atomic_load_explicit(&team->ws_cancelled, memory_order_relaxed))
      atomic_store_explicit(&team->ws_cancelled, false, memory_order_relaxed);
  } else {
    atomic_store_explicit(&self->bar_arrived, p.value, memory_order_seq_cst);
    hsomp_team_wake(team);
    p.parent_release = release_word(team, (id - 1) / arity);
    if (!released(&p))
      hsomp_task_help_until(self, team, false, released, &p, team->spins);
    if (cancelled(&p))
      return true;
  }
  /* Release the children. */
  if (first < nthreads) {
    /* its own word: no read of the team's members array for it */
    atomic_store_explicit(id == 0 ? &team->root_release : &self->bar_release, p.value,
                          memory_order_seq_cst);
    hsomp_team_wake(team);
  }
  /* complete: every task of the team made before it is done (Note
   * [Task-aware barrier]; Note [Describing after a barrier], task_handoff.c) */
  self->ts.bar_passed++;
  return cancelled(&p);
}

/* The join's value is the region's last phase, which no barrier reaches
 * and which does not depend on how many barriers a thread met (after a
 * cancellation, threads may have met different numbers). */
#define HSOMP_JOIN_PHASE UINT32_MAX

static struct phase join_phase(struct hsomp_thread *self, struct hsomp_team *team) {
  return (struct phase){.b = &team->barrier,
                        .team = team,
                        .cancellable = false,
                        .value = (uint64_t)self->ts.bar_tag << 32 | HSOMP_JOIN_PHASE};
}

bool hsomp_barrier_gather_children(struct hsomp_thread *self, struct hsomp_team *team,
                                   unsigned long spins) {
  unsigned id = self->ts.team_id, nthreads = team->nthreads;
  struct phase p = join_phase(self, team);
  unsigned arity = hsomp_barrier_arity(nthreads), first = id * arity + 1;
  if (first < nthreads) {
    p.next_child = first;
    p.end_child = nthreads - first < arity ? nthreads : first + arity;
    if (!children_arrived(&p)) {
      hsomp_task_help_until(self, team, false, children_arrived, &p, spins);
      return true;
    }
  }
  return false;
}

void hsomp_barrier_gather_arrive(struct hsomp_thread *self, struct hsomp_team *team) {
  if (self->ts.team_id != 0) {
    atomic_store_explicit(&self->bar_arrived, join_phase(self, team).value, memory_order_seq_cst);
    hsomp_team_wake(team);
  }
}

void hsomp_barrier_gather(struct hsomp_thread *self, struct hsomp_team *team,
                          unsigned long spins) {
  hsomp_barrier_gather_children(self, team, spins);
  hsomp_barrier_gather_arrive(self, team);
}

void hsomp_barrier_cancel(struct hsomp_barrier *b) {
  atomic_store_explicit(&b->cancelled, true, memory_order_seq_cst);
  hsomp_team_wake(barrier_team(b));
}

/* OMPT: GCC emits GOMP_barrier for `#pragma omp barrier' and for the
 * implicit barriers of the constructs it expands inline (static loops,
 * single, scope): all are reported as explicit barriers, and a cancelled
 * cancellable one as a detected cancellation. */
static bool reported_barrier(bool cancellable, const void *ra) {
  struct hsomp_team *team = hsomp_self()->ts.team;
  hsomp_ompt_sync(ompt_sync_region_barrier_explicit, ompt_scope_begin, ra);
  bool cancelled = team && hsomp_barrier_wait(&team->barrier, team->nthreads, cancellable);
  hsomp_ompt_sync(ompt_sync_region_barrier_explicit, ompt_scope_end, ra);
  if (cancelled)
    hsomp_ompt_cancel(GOMP_CANCEL_PARALLEL, ompt_cancel_detected, ra);
  return cancelled;
}

void GOMP_barrier(void) {
  if (HSOMP_UNLIKELY(hsomp_ompt_enabled)) {
    reported_barrier(false, HSOMP_OMPT_RA);
    return;
  }
  struct hsomp_team *team = hsomp_self()->ts.team;
  if (team)
    hsomp_barrier_wait(&team->barrier, team->nthreads, false);
}

bool GOMP_barrier_cancel(void) {
  if (HSOMP_UNLIKELY(hsomp_ompt_enabled))
    return reported_barrier(true, HSOMP_OMPT_RA);
  struct hsomp_team *team = hsomp_self()->ts.team;
  if (!team)
    return false;
  return hsomp_barrier_wait(&team->barrier, team->nthreads, true);
}
