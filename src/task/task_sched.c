/* task_sched.c -- where ready tasks wait and how threads find them.
 *
 * Owns the per-member work-stealing deques (Chase-Lev), the team's shared
 * priority queue, and hsomp_task_find: the one place that decides which
 * task a thread starts next, honouring priorities and the Task Scheduling
 * Constraint.  In teams of more than 8 threads, tasks are also handed to
 * waiting threads (task_handoff.c). */
#include "task_internal.h"

#include <stdlib.h>
#include <string.h>

#define HSOMP_DEQUE_INITIAL 256

/* ------------------------------------------------------------------ */
/* Deques.                                                              */

/* Note [Work-stealing deque]
 * The Chase-Lev deque in the C11 formulation of Lê, Pop, Cohen and Zappa
 * Nardelli ("Correct and Efficient Work-Stealing for Weak Memory Models",
 * PPoPP 2013).  The owner pushes and takes at `bottom'; thieves CAS `top'.
 * Indices only grow (top's one step back, the owner's put-back, moves a
 * count in its high bits forward: Note [Put-backs count in top]), so a
 * CAS on top never suffers ABA, and a thief whose CAS succeeds owns the
 * element it read before the CAS.  The owner and a
 * thief race only for the last element, and both then go through the CAS
 * on top.  When the ring is full the owner copies it into one twice as
 * large and publishes it with release order; the old ring stays readable
 * (a thief may still be reading it) until the region ends. */
void hsomp_deque_init(struct hsomp_deque *dq) {
  struct hsomp_deque_buf *a =
      malloc(sizeof *a + HSOMP_DEQUE_INITIAL * sizeof(struct hsomp_deque_slot));
  if (!a)
    hsomp_fatal("out of memory allocating a task deque");
  a->cap = HSOMP_DEQUE_INITIAL;
  a->older = NULL;
  atomic_init(&dq->top, 0);
  atomic_init(&dq->bottom, 0);
  atomic_init(&dq->buf, a);
  dq->pushes = 0;
  atomic_init(&dq->top_seen, 0);
}

void hsomp_deque_free_retired(struct hsomp_deque *dq) {
  struct hsomp_deque_buf *a = atomic_load_explicit(&dq->buf, memory_order_relaxed);
  struct hsomp_deque_buf *old = a->older;
  a->older = NULL;
  while (old) {
    struct hsomp_deque_buf *next = old->older;
    free(old);
    old = next;
  }
}

static struct hsomp_deque_buf *deque_grow(struct hsomp_deque *dq, struct hsomp_deque_buf *a,
                                          uint64_t top, uint64_t bottom) {
  int64_t cap = a->cap * 2;
  struct hsomp_deque_buf *b = malloc(sizeof *b + (size_t)cap * sizeof(struct hsomp_deque_slot));
  if (!b)
    hsomp_fatal("out of memory growing a task deque to %lld entries", (long long)cap);
  b->cap = cap;
  b->older = a;
  for (uint64_t i = top; i != bottom; i++) {
    struct hsomp_deque_slot *from = &a->slot[i & (a->cap - 1)], *to = &b->slot[i & (cap - 1)];
    atomic_store_explicit(&to->task, atomic_load_explicit(&from->task, memory_order_relaxed),
                          memory_order_relaxed);
    atomic_store_explicit(&to->ancestors_lo,
                          atomic_load_explicit(&from->ancestors_lo, memory_order_relaxed),
                          memory_order_relaxed);
    atomic_store_explicit(&to->ancestors_hi,
                          atomic_load_explicit(&from->ancestors_hi, memory_order_relaxed),
                          memory_order_relaxed);
    atomic_store_explicit(&to->depth, atomic_load_explicit(&from->depth, memory_order_relaxed),
                          memory_order_relaxed);
    atomic_store_explicit(&to->parent, atomic_load_explicit(&from->parent, memory_order_relaxed),
                          memory_order_relaxed);
  }
  atomic_store_explicit(&dq->buf, b, memory_order_release);
  return b;
}

/* The push, with the signature of t's ancestors given. */
static inline __attribute__((always_inline)) void deque_push_sig(struct hsomp_deque *dq,
                                                                 struct hsomp_task *t,
                                                                 struct hsomp_tie_sig sig) {
  uint64_t b = atomic_load_explicit(&dq->bottom, memory_order_relaxed);
  uint64_t top = atomic_load_explicit(&dq->top, memory_order_acquire);
  struct hsomp_deque_buf *a = atomic_load_explicit(&dq->buf, memory_order_relaxed);
  if (HSOMP_UNLIKELY(hsomp_deque_span(top, b) > a->cap - 1))
    a = deque_grow(dq, a, top, b);
  struct hsomp_deque_slot *s = &a->slot[b & (a->cap - 1)];
  atomic_store_explicit(&s->task, t, memory_order_relaxed);
  atomic_store_explicit(&s->parent, t->parent, memory_order_relaxed);
  atomic_store_explicit(&s->ancestors_lo, sig.lo, memory_order_relaxed);
  atomic_store_explicit(&s->ancestors_hi, sig.hi, memory_order_relaxed);
  atomic_store_explicit(&s->depth, t->depth, memory_order_relaxed);
  /* The paper's release fence + relaxed store, as one release store:
   * the same code on x86, and ThreadSanitizer (which ignores fences)
   * then sees a thief's acquire load of bottom order the task's
   * initialisation before the thief runs it. */
  atomic_store_explicit(&dq->bottom, b + 1, memory_order_release);
  dq->pushes++; /* Note [Idle thieves and tiny tasks] */
}

void hsomp_deque_push(struct hsomp_deque *dq, struct hsomp_task *t) {
  deque_push_sig(dq, t, t->ancestors);
}

/* Note [Empty takes write nothing]
 * The paper's take writes `bottom' before it knows whether the deque is
 * empty, and an idle thread takes from its empty deque on every round of
 * its wait: each round then took the line holding `bottom' away from the
 * thieves that read it.  Indices only grow and only the owner adds, so
 * top >= bottom, read by the owner, means empty until the owner pushes:
 * that case returns before writing anything.  The same holds for a
 * thief's look (deque_steal): sizes are read with plain loads first, and
 * the fence and the CAS happen only on a deque that looked non-empty. */
/* Whether a signature lacks one of w's bits. */
static inline bool sig_lacks(uint64_t lo, uint64_t hi, const struct hsomp_task *w) {
  struct hsomp_tie_sig need = hsomp_task_tie_bits(w);
  return (lo & need.lo) != need.lo || (hi & need.hi) != need.hi;
}

/* The slot's task cannot be a descendant of the constraint w (NULL: any
 * task goes).  Note [Stealing only what may run]: a child is known by its
 * parent, a task no deeper than a child that is not one is excluded, and
 * a deeper one by its signature. */
static inline bool slot_excluded(struct hsomp_deque_slot *s, const struct hsomp_task *w) {
  if (!w || atomic_load_explicit(&s->parent, memory_order_relaxed) == w)
    return false;
  if (atomic_load_explicit(&s->depth, memory_order_relaxed) <= w->depth + 1)
    return true;
  return sig_lacks(atomic_load_explicit(&s->ancestors_lo, memory_order_relaxed),
                   atomic_load_explicit(&s->ancestors_hi, memory_order_relaxed), w);
}

/* Note [Empty deques in one line]
 * A thief's look at a victim read its two index lines, `top' and
 * `bottom', and in a big team most looks find the deque empty: the
 * one-in-HSOMP_UNADVERTISED_EVERY looks at unadvertised deques (Note
 * [Offering tasks to waiting threads], task_handoff.c) go to random
 * victims, most of which are between the batches handed to them.  Both
 * lines change with every batch a thread runs (its pushes and takes move
 * `bottom', the take of its last task moves `top'), so such a look cost a
 * transfer for each (coherence model, TASK_DEPS at 64 threads: 156
 * transfers a round of 256 tasks, 1.6 a look).  So in teams of more than
 * HSOMP_TASK_BIG_TEAM threads the owner also keeps, in the line of
 * `bottom', `top_seen': a value `top' had when the owner last found its
 * deque empty -- at the end of each of its looks for work
 * (find_in_big_team: after it took its last task, found none, or stole
 * one) -- or put a task back on top.  It writes it only when it changes,
 * into a line it writes at every push and take anyway (the look's reads
 * of its own indices are those its take made a moment before).  A thief
 * in such a team reads `top_seen' and `bottom' first and goes no further
 * when bottom − top_seen <= 0: one line.  The code that small teams run
 * is unchanged (the big-team looks are steal_in_big_team's).
 *
 * Why that never calls a deque empty that holds a task: `top' only moves
 * forward (Note [Put-backs count in top]: a put-back moves it forward by
 * HSOMP_DEQUE_PUT_BACK − 1 and `bottom' by HSOMP_DEQUE_PUT_BACK), and
 * `top_seen' is a value `top' had, so at any moment top_seen <= top and
 * bottom − top_seen >= bottom − top, the number of queued tasks.  The
 * owner writes `top_seen' after the `bottom' that went with it, and the
 * thief reads `top_seen' (acquire) before `bottom', so it reads a
 * `bottom' at least as new as the one the owner saw empty: a task pushed
 * since makes the difference positive.  A stale `top_seen' only makes a
 * deque look fuller than it is, and the thief then reads `top' as before.
 * The lag stays small (the owner refreshes it at each look for work that
 * finds its deque empty and at each put-back), far from the 2^63 at which
 * the difference would wrap.  And
 * the filter is a hint like the advert: the steal itself (deque_steal)
 * reads both indices as before, and a thread about to sleep reads every
 * deque's two indices (hsomp_task_any_queued), not this word, so the
 * argument of Note [Waiting for tasks] for why a task pushed while others
 * sleep still runs is unchanged.  Teams of up to HSOMP_TASK_BIG_TEAM
 * threads neither write nor read it. */
static inline void deque_saw_top(struct hsomp_deque *dq, uint64_t top) {
  if (atomic_load_explicit(&dq->top_seen, memory_order_relaxed) != top)
    atomic_store_explicit(&dq->top_seen, top, memory_order_release);
}

/* The owner, after its look for work in a big team: if its deque is
 * empty, the top it saw so. */
static inline void deque_note_empty(struct hsomp_deque *dq) {
  uint64_t top = atomic_load_explicit(&dq->top, memory_order_relaxed);
  if (hsomp_deque_span(top, atomic_load_explicit(&dq->bottom, memory_order_relaxed)) <= 0)
    deque_saw_top(dq, top);
}

/* Whether a look at a deque of a big team may stop at its bottom's line
 * (Note [Empty deques in one line]). */
static inline bool deque_looks_empty(struct hsomp_deque *dq) {
  uint64_t seen = atomic_load_explicit(&dq->top_seen, memory_order_acquire);
  return hsomp_deque_span(seen, atomic_load_explicit(&dq->bottom, memory_order_relaxed)) <= 0;
}

/* The owner's take at the bottom; NULL if empty, or (constrained) if the bottom
 * task cannot be a descendant of the constraint, without writing. */
static inline __attribute__((always_inline)) struct hsomp_task *
deque_take(struct hsomp_deque *dq, const struct hsomp_task *w) {
  uint64_t b = atomic_load_explicit(&dq->bottom, memory_order_relaxed);
  if (hsomp_deque_span(atomic_load_explicit(&dq->top, memory_order_relaxed), b) <= 0) {
    /* Note [Offering tasks to waiting threads] (task_handoff.c) */
    if (HSOMP_UNLIKELY(atomic_load_explicit(&dq->advert, memory_order_relaxed)))
      atomic_store_explicit(&dq->advert, 0, memory_order_relaxed);
    return NULL;
  }
  b -= 1;
  struct hsomp_deque_buf *a = atomic_load_explicit(&dq->buf, memory_order_relaxed);
  struct hsomp_deque_slot *s = &a->slot[b & (a->cap - 1)];
  if (slot_excluded(s, w))
    return NULL; /* Note [Stealing only what may run] */
  atomic_store_explicit(&dq->bottom, b, memory_order_relaxed);
  atomic_thread_fence(memory_order_seq_cst);
  uint64_t top = atomic_load_explicit(&dq->top, memory_order_relaxed);
  int64_t left = hsomp_deque_span(top, b);
  if (left < 0) {
    atomic_store_explicit(&dq->bottom, b + 1, memory_order_relaxed);
    return NULL;
  }
  struct hsomp_task *t = atomic_load_explicit(&s->task, memory_order_relaxed);
  if (left == 0) {
    if (!atomic_compare_exchange_strong_explicit(&dq->top, &top, top + 1, memory_order_seq_cst,
                                                 memory_order_relaxed))
      t = NULL;
    atomic_store_explicit(&dq->bottom, b + 1, memory_order_relaxed);
  }
  return t;
}

/* NULL if empty, or if the oldest task cannot descend from the
 * constraint (as for deque_take); *lost set if another thread won
 * the race. */
static struct hsomp_task *deque_steal(struct hsomp_deque *dq, const struct hsomp_task *w,
                                      bool *lost) {
  if (hsomp_deque_size(dq) <= 0)
    return NULL; /* Note [Empty takes write nothing] */
  uint64_t top = atomic_load_explicit(&dq->top, memory_order_acquire);
  atomic_thread_fence(memory_order_seq_cst);
  uint64_t b = atomic_load_explicit(&dq->bottom, memory_order_acquire);
  if (hsomp_deque_span(top, b) <= 0)
    return NULL;
  struct hsomp_deque_buf *a = atomic_load_explicit(&dq->buf, memory_order_acquire);
  struct hsomp_deque_slot *s = &a->slot[top & (a->cap - 1)];
  if (slot_excluded(s, w))
    return NULL; /* Note [Stealing only what may run] */
  struct hsomp_task *t = atomic_load_explicit(&s->task, memory_order_relaxed);
  if (!atomic_compare_exchange_strong_explicit(&dq->top, &top, top + 1, memory_order_seq_cst,
                                               memory_order_relaxed)) {
    *lost = true;
    return NULL;
  }
  return t;
}

/* The owner takes its own deque's oldest task (a hand-off), or NULL. */
static struct hsomp_task *deque_take_oldest(struct hsomp_deque *dq) {
  for (int attempt = 0; attempt < 4; attempt++) {
    bool lost = false;
    struct hsomp_task *t = deque_steal(dq, NULL, &lost);
    if (t || !lost)
      return t;
  }
  return NULL;
}

static bool deque_nonempty(struct hsomp_deque *dq) {
  uint64_t top = atomic_load_explicit(&dq->top, memory_order_acquire);
  return hsomp_deque_span(top, atomic_load_explicit(&dq->bottom, memory_order_acquire)) > 0;
}

/* ------------------------------------------------------------------ */
/* The Task Scheduling Constraint.                                      */

/* May a thread suspended in task `w' start task `t'?  Only descendants of
 * w (OpenMP 5.1, 2.12.6). */
static bool eligible(struct hsomp_task *t, struct hsomp_task *w) { return hsomp_task_descends(t, w); }

/* ------------------------------------------------------------------ */
/* The shared queue: a binary heap under a lock.                        */

static bool before(const struct hsomp_shared_item *a, const struct hsomp_shared_item *b) {
  return a->priority > b->priority || (a->priority == b->priority && a->seq < b->seq);
}

static void heap_up(struct hsomp_shared_item *h, size_t i) {
  while (i > 0) {
    size_t p = (i - 1) / 2;
    if (!before(&h[i], &h[p]))
      break;
    struct hsomp_shared_item x = h[i];
    h[i] = h[p];
    h[p] = x;
    i = p;
  }
}

static void heap_down(struct hsomp_shared_item *h, size_t n, size_t i) {
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < n && before(&h[l], &h[m]))
      m = l;
    if (r < n && before(&h[r], &h[m]))
      m = r;
    if (m == i)
      return;
    struct hsomp_shared_item x = h[i];
    h[i] = h[m];
    h[m] = x;
    i = m;
  }
}

void hsomp_shared_push(struct hsomp_tasking *tk, struct hsomp_task *t) {
  /* Once queued, t may be taken, run and freed by another thread at any
   * moment: read what the wake-up needs first. */
  struct hsomp_team *team = t->team;
  hsomp_mutex_lock(&tk->shared_lock);
  if (tk->heap_len == tk->heap_cap) {
    size_t cap = tk->heap_cap ? 2 * tk->heap_cap : 64;
    struct hsomp_shared_item *h = realloc(tk->heap, cap * sizeof *h);
    if (!h)
      hsomp_fatal("out of memory growing the shared task queue");
    tk->heap = h;
    tk->heap_cap = cap;
  }
  size_t i = tk->heap_len++;
  tk->heap[i] = (struct hsomp_shared_item){t->priority, tk->shared_seq++, t};
  heap_up(tk->heap, i);
  atomic_store_explicit(&tk->shared_ancestors_lo,
                        atomic_load_explicit(&tk->shared_ancestors_lo, memory_order_relaxed) |
                            t->ancestors.lo,
                        memory_order_relaxed);
  atomic_store_explicit(&tk->shared_ancestors_hi,
                        atomic_load_explicit(&tk->shared_ancestors_hi, memory_order_relaxed) |
                            t->ancestors.hi,
                        memory_order_relaxed);
  atomic_store_explicit(&tk->shared_count, (uint32_t)tk->heap_len, memory_order_relaxed);
  hsomp_mutex_unlock(&tk->shared_lock);
  hsomp_task_wake_one(team);
}

/* Whether the shared queue may hold a task for a thread of this tie: the
 * union of its tasks' ancestors has the bits (Note [Stealing only what
 * may run]); a task queued meanwhile wakes the thread or is seen at its
 * next look. */
static inline bool shared_may_hold(struct hsomp_tasking *tk, const struct hsomp_task *w) {
  return !w || !sig_lacks(atomic_load_explicit(&tk->shared_ancestors_lo, memory_order_relaxed),
                          atomic_load_explicit(&tk->shared_ancestors_hi, memory_order_relaxed), w);
}

/* Note [Polling the shared queue in a big team]
 * Every idle thread looks at the shared queue first (Note [Finding a
 * task]), and in a team of more than HSOMP_TASK_BIG_TEAM threads a task
 * there made every poller that saw the count take the lock: with 256
 * threads, one task a failed hand-off had put there (Note [A task not
 * handed goes back where it was]) lined up about 250 threads on the lock,
 * each hand of which was preceded by the failed compare-and-swaps of the
 * others spinning for it -- in the coherence model about 21 us a hand,
 * 254 hands, while every poller's read of the count (in the lock's line)
 * waited behind them: the task tree at 256 threads went from 4000 line
 * transfers a round to 38000, and threads at the barrier timed out their
 * spin and slept (README "Scale", "A second mode of the task tree").
 * So in a big team a poller takes the lock only if it looks free and its
 * one compare-and-swap gets it; otherwise it looks elsewhere and comes
 * back at its next round: at most one failed CAS per poller and task, and
 * nobody spins on the lock.  Nothing is lost by skipping: the count stays
 * non-zero until the task is taken, so an unconstrained waiter does not
 * sleep (hsomp_task_any_queued reads it), and a constrained one takes the
 * lock itself before it sleeps (hsomp_task_shared_eligible).  Smaller
 * teams, where the queue is only used for priorities and readied tasks,
 * wait for the lock as before. */
/* The shared queue's best task `constraint' may run, or NULL; the caller
 * holds the lock, which this releases. */
static inline __attribute__((always_inline)) struct hsomp_task *
shared_pick(struct hsomp_tasking *tk, struct hsomp_task *constraint) {
  size_t n = tk->heap_len, pick = n;
  if (n && eligible(tk->heap[0].task, constraint)) {
    pick = 0;
  } else {
    for (size_t i = 1; i < n; i++)
      if (eligible(tk->heap[i].task, constraint) && (pick == n || before(&tk->heap[i], &tk->heap[pick])))
        pick = i;
  }
  struct hsomp_task *t = NULL;
  if (pick < n) {
    t = tk->heap[pick].task;
    tk->heap[pick] = tk->heap[--n];
    tk->heap_len = n;
    if (pick < n) {
      heap_down(tk->heap, n, pick);
      heap_up(tk->heap, pick);
    }
    if (n == 0) {
      atomic_store_explicit(&tk->shared_ancestors_lo, 0, memory_order_relaxed);
      atomic_store_explicit(&tk->shared_ancestors_hi, 0, memory_order_relaxed);
    }
    atomic_store_explicit(&tk->shared_count, (uint32_t)n, memory_order_relaxed);
  }
  hsomp_mutex_unlock(&tk->shared_lock);
  return t;
}

static __attribute__((noinline)) struct hsomp_task *shared_take(struct hsomp_tasking *tk,
                                                                struct hsomp_task *constraint) {
  hsomp_mutex_lock(&tk->shared_lock);
  return shared_pick(tk, constraint);
}

/* Note [Polling the shared queue in a big team] */
static __attribute__((noinline)) struct hsomp_task *shared_take_polled(struct hsomp_tasking *tk,
                                                                       struct hsomp_task *constraint) {
  HSOMP_SIM_EVENT("shared_take-try");
  if (atomic_load_explicit(&tk->shared_lock, memory_order_relaxed) ||
      !hsomp_mutex_trylock(&tk->shared_lock))
    return NULL;
  return shared_pick(tk, constraint);
}

/* ------------------------------------------------------------------ */
/* Finding work.                                                        */

/* Note [Finding a task]
 * In order: the shared queue (tasks with a priority run before the rest;
 * it is normally empty and then costs one load), the thread's own deque
 * (newest first: depth-first, cache-warm), then other members' deques
 * (oldest first: big pieces of work): the victim it last stole from, as
 * long as that one had a task at every look (an idle thread that kept
 * looking at one producer re-read its indices after every push and steal:
 * with every thief doing so, N reads per task), then up to
 * HSOMP_STEAL_TRIES others picked at random, near ones first (Note
 * [Stealing near first], affinity.c).  A look at a victim
 * reads its two indices and goes no further when they say empty (Note
 * [Empty takes write nothing]), so an idle thread costs each victim a
 * read miss at most, and a bounded number of them per round however big
 * the team: the wait loop comes back soon enough, and before it sleeps
 * it looks at every queue (hsomp_task_any_queued).  A constrained thread
 * (Note [Waiting for tasks]) takes only what it may run (Note [Stealing
 * only what may run]).
 *
 * Note [Stealing only what may run]
 * A thread in a taskwait, a taskgroup end or a dependence wait may start
 * only descendants of the task it waits in (the Task Scheduling
 * Constraint).  It must decide before it takes a task: a thief that
 * takes a task it may not run has to put it somewhere, and the shared
 * queue, the only place a thread can put another's task, is a lock that
 * every finder then takes -- with many waiting thieves that lock was
 * most of what a task cost.  But a thief cannot read a queued task's
 * record before it owns it: another thief may take, run and free it
 * meanwhile.  So every queue slot carries, next to the task, a copy of
 * the task's depth and `ancestors': four of 128 bits, picked by a hash
 * of the record's address, for each of its ancestors
 * (hsomp_task_tie_bits), set when the record is made from its parent's
 * (hsomp_task_child_ancestors; implicit tasks have none).  The owner
 * writes them before it publishes the slot (release store of bottom),
 * the slots stay readable (retired rings live until the region ends),
 * and a thief reads them with plain loads: a task no deeper than the
 * waited-in one, or whose signature lacks one of that task's bits,
 * cannot be its descendant, and the thief leaves it without writing
 * anything.  A task that passes is a descendant, or rarely a look-alike
 * (the bits of unrelated ancestors): the thief takes it and checks the
 * ancestry on the record it now owns; a look-alike goes to the shared
 * queue as before.  The shared queue keeps the union of its tasks'
 * signatures next to its count, so a constrained thread takes its lock
 * only when it may hold a task for it.  Stale
 * reads do no harm: the CAS on top fails when the slot was reused.
 * The owner reads its bottom slot the same way before it writes bottom.
 *
 * Why a waiter misses no task it needs, and waits for nothing that
 * cannot come: (1) the filter has no false negatives -- every ancestor's
 * bits are in a descendant's signature -- so every task a waiter may run
 * is still taken from any deque whose end holds it; (2) the tasks it
 * declines are not its to run, and it does not need them to move: they
 * are run by their deque's owner, whose own pushes, made while it ran
 * deeper frames, are always eligible when it comes back down to a frame
 * (Note [Readied tasks and the Task Scheduling Constraint]), or by
 * threads whose constraint allows them; (3) the one way a deque can hold
 * an eligible task under an ineligible newest one is a task readied on
 * top of the owner's older children by an event fulfilled from the
 * implicit task: so a constrained owner whose bottom is not its to run
 * also looks at its deque's other end (the oldest task), as a thief does.
 * Declining never blocks: the waiter goes on to spin and sleep as in
 * Note [Waiting for tasks], and the wake-ups that end its wait come from
 * completions, which do not depend on what it declined. */
#define HSOMP_STEAL_TRIES 4

/* Note [Idle thieves back off]
 * Each look at a victim reads its two index lines, and each of those reads
 * is a transfer when the victim pushed, took or was stolen from since this
 * thief last looked.  Every idle thread of a team looks, HSOMP_STEAL_TRIES
 * victims a round, so a victim that produces tasks had its lines read by
 * ever more threads per task as the team grew.  So in a team of more than
 * HSOMP_BACKOFF_PER threads, a thread whose look at other deques found
 * nothing skips that part of its next rounds, 1, 3, 7 ... rounds, up to
 * N/HSOMP_BACKOFF_PER (at most HSOMP_BACKOFF_MAX), and looks at one
 * victim only, in its block of near ones or anywhere, at random, unless
 * its previous look found a task (a thread's first look is one too): the
 * reads of all idle threads together then stay near a constant number
 * per round whatever the team's size, and any deque is still looked at
 * by everyone in time.  A task found anywhere starts it over at full
 * speed.  Smaller teams never skip: their threads look at every round, as
 * before.  The thread's own deque and the shared queue are looked at
 * every round.  The skipped rounds only delay a look: nothing is missed,
 * since a victim keeps its task until someone takes it (its owner runs it
 * otherwise), and a thread about to sleep looks at every queue first
 * (hsomp_task_any_queued).  The cap stays below the simulator's spinner
 * detection (tools/scale, Note [Spinners sleep]), so the model sees every
 * look. */
#define HSOMP_BACKOFF_PER HSOMP_TASK_BIG_TEAM
/* Note [Offering tasks to waiting threads] (task_handoff.c): one look in
 * this many reads a victim's indices whatever its advert says. */
#define HSOMP_UNADVERTISED_EVERY 128
#define HSOMP_BACKOFF_MAX 31

/* Note [Idle thieves and tiny tasks]
 * A steal costs its victim more than the thief: the thief's CAS takes the
 * line of `top' away from the owner, which reads it for its next push or
 * its throttle test (Note [Throttled tasks], task_create.c), and a
 * throttled owner refills its drained deque with records and pushes where
 * it would have run the tasks included, writing slots and records whose
 * lines the thief then takes.  On a 2-vCPU VM that came to 0.24-0.29 us
 * of the owner's time per stolen task (README, Task workloads, seventh
 * pass (c)); stealing a batch in one CAS would save only the first of
 * those transfers (a throttle test that read `top' at every 32nd task
 * only, tried there, left 0.16-0.20 us).  A task shorter than that
 * is better left to its owner: EPCC's MASTER_TASK_BUSY_SLAVES, a producer
 * of 50 ns tasks whose partner arrives at the barrier when the producer
 * is almost done, stole ~2000 of them one by one and delayed the producer
 * by five times the work it took away.
 * So a thief at a barrier (unconstrained, in a team of at most
 * HSOMP_TASK_BIG_TEAM threads) times what each steal of a child of an
 * implicit task (depth 1: a producer's task in a single, a master, a
 * worksharing loop or a parallel region) gave it: the ticks from the
 * steal to its next look at others' deques, which is the stolen task and
 * everything it left in the thief's own deque (its children, their
 * children), so a task that starts a subtree counts for the subtree.
 * While the average of those is under HSOMP_TINY_STEAL_TICKS, each look
 * that closes a timed steal starts a pause of HSOMP_TINY_PAUSE_TICKS in
 * which the thief does not look at others' deques: one steal per pause,
 * so the owner loses a few per cent of its time to it at most, and the
 * thief still samples, and steals at full speed again once the average
 * has risen.  The average has a long memory (about the last
 * HSOMP_STEAL_GAIN_WEIGHT steals, starting from a generous
 * HSOMP_STEAL_GAIN_START): the gains can be heavy-tailed.  In unbalanced
 * tree search (UTS_BIN: 10 000 children of the root, made by the implicit
 * task, most of them leaves of 0.2-0.4 us, a few with big subtrees) the
 * average gain is some 3-5 times the mark but runs of leaves are common:
 * a thief that paused when the average of its last 16 steals fell below
 * the mark paused at 12 % of its steals and the program ran 15 % longer,
 * and one that paused on a one-sided CUSUM of the shortfall (some 40
 * leaves' worth) still paused at 8 % -- between two big subtrees the
 * leaves do cost the victim more than they give, but a thief that waits
 * finds the next subtree later.  A producer of 50 ns tasks brings the
 * average down in about 600 steals, once per team (the average stays
 * with the thread's tasking state from region to region).  A gain of
 * HSOMP_STEAL_GAIN_DROP ticks or more is dropped, not averaged: it is the
 * time between two regions (a steal closed by the next region's first
 * look), a preemption, or a subtree big enough that nobody minds.
 * Deeper tasks (made by explicit tasks: recursive programs) are not
 * timed at a barrier and never start a pause there: their subtrees vary
 * the most, and the losses this addresses are producers in implicit
 * tasks.  For the same reason a timed task that queued children of its
 * own (the thief's deque counts its pushes, in the line each push writes
 * anyway) sets the average back to HSOMP_STEAL_GAIN_START: the producer's
 * tasks are recursive, and in a critical branching process such as
 * UTS_BIN's tree the average of what the last few hundred steals gave
 * says little about the next: the mean subtree (250 nodes) comes from
 * rare huge ones.  A steal still being timed when the thread's wait at
 * the barrier ends is not counted (task_wait): what follows is the
 * program's, not the task's.
 * Nothing is lost: the pause ends by itself (the thread is at a barrier,
 * and it does not sleep while a queue holds a task:
 * hsomp_task_any_queued), and the owner runs what nobody takes.
 *
 * A constrained thread (taskwait, taskgroup, dependences) waits for its
 * own descendants, which it may have to take back, so it keeps no average
 * and never stops taking from its own deque; but a steal of its that gave
 * it less than HSOMP_TINY_STEAL_TICKS (a leaf of a subtree some other
 * thread is running) starts a pause of HSOMP_TINY_PAUSE_TICKS before its
 * next look at others' deques.  Without it two threads split a deep,
 * narrow subtree one leaf at a time: in UTS_BIN the producer, at the
 * root's taskwait (constrained: every task of the tree descends from the
 * root), took the leaves of the subtree the other thread ran, each steal
 * costing that thread more than the leaf, and a subtree of 607 000 nodes
 * that one thread runs in 8-9 ms took 16-33 ms on two (README, Task
 * workloads, eighth pass (d), ninth pass (b)).  A steal that gives more
 * (a subtree) ends no pause, so the splitting of a subtree among threads
 * that each take a big part goes on at full speed.  The wait's condition
 * is tested as before while the thread pauses (hsomp_wait_until), so a
 * paused waiter leaves its taskwait as soon as its children are done. */
#define HSOMP_TINY_STEAL_TICKS 1024u           /* ~0.4 us at 2.6 GHz */
#define HSOMP_TINY_PAUSE_TICKS 16384u          /* ~6 us */
#define HSOMP_STEAL_GAIN_WEIGHT 256u
#define HSOMP_STEAL_GAIN_START (8u * HSOMP_TINY_STEAL_TICKS)
#define HSOMP_STEAL_GAIN_DROP (1u << 20)       /* ~0.4 ms */
/* Note [Producers whose tasks are worth sharing] (task_create.c) */
#define HSOMP_LONG_STEAL_TICKS (4u * HSOMP_TINY_STEAL_TICKS)
#define HSOMP_LONG_STEAL_SEEN 64u
#define HSOMP_SHARE_WEIGHT 1024u

/* Note [Idle thieves and tiny tasks]: time a steal from now. */
static void thief_stole(struct hsomp_task_member *mine, const struct hsomp_task *constraint) {
  mine->stole_pushes = mine->dq.pushes;
  mine->stole_nested = constraint != NULL;
  mine->stole_at = hsomp_ticks() | 1;
}

/* Note [Idle thieves and tiny tasks]: close the timing of the last steal,
 * if any; whether the thief pauses now. */
static __attribute__((noinline)) bool thief_pauses(struct hsomp_tasking *tk,
                                                    struct hsomp_task_member *mine) {
  uint64_t now = hsomp_ticks();
  if (mine->stole_at) {
    uint64_t gain = now - mine->stole_at, avg = mine->steal_gain; /* x WEIGHT */
    mine->stole_at = 0;
    if (mine->stole_nested) {
      bool tiny = gain < HSOMP_TINY_STEAL_TICKS;
      mine->pause_until = tiny ? now + HSOMP_TINY_PAUSE_TICKS : 0;
      return tiny;
    }
    bool queued = mine->dq.pushes != mine->stole_pushes;
    if (!avg || queued)
      avg = (uint64_t)HSOMP_STEAL_GAIN_START * HSOMP_STEAL_GAIN_WEIGHT;
    else if (gain < HSOMP_STEAL_GAIN_DROP)
      avg = avg - avg / HSOMP_STEAL_GAIN_WEIGHT + gain;
    mine->steal_gain = avg;
    /* Note [Producers whose tasks are worth sharing] (task_create.c) */
    uint32_t share = mine->share_gain; /* x HSOMP_SHARE_WEIGHT, < 2^30 */
    mine->share_gain = share - share / HSOMP_SHARE_WEIGHT +
                       (uint32_t)(gain < HSOMP_STEAL_GAIN_DROP ? gain : HSOMP_STEAL_GAIN_DROP);
    if (mine->share_n < HSOMP_LONG_STEAL_SEEN)
      mine->share_n++;
    bool lng = mine->share_n >= HSOMP_LONG_STEAL_SEEN &&
               mine->share_gain >= HSOMP_LONG_STEAL_TICKS * HSOMP_SHARE_WEIGHT;
    if (lng != mine->steals_long) {
      mine->steals_long = lng;
      if (lng)
        atomic_fetch_add_explicit(&tk->long_thieves, 1, memory_order_relaxed);
      else
        atomic_fetch_sub_explicit(&tk->long_thieves, 1, memory_order_relaxed);
    }
    bool tiny = avg < (uint64_t)HSOMP_TINY_STEAL_TICKS * HSOMP_STEAL_GAIN_WEIGHT;
    mine->pause_until = tiny ? now + HSOMP_TINY_PAUSE_TICKS : 0;
    return tiny;
  }
  if (now < mine->pause_until)
    return true;
  mine->pause_until = 0;
  return false;
}

/* A task from victim v (which may be the thread itself: its oldest
 * task), or NULL.  A stolen look-alike goes to the shared queue. */
static struct hsomp_task *steal_from(struct hsomp_tasking *tk, unsigned v,
                                     struct hsomp_task *constraint) {
  for (int attempt = 0; attempt < 4; attempt++) {
    bool lost = false;
    struct hsomp_task *t = deque_steal(&tk->member[v].dq, constraint, &lost);
    if (t) {
      if (eligible(t, constraint))
        return t;
      HSOMP_SIM_EVENT("stolen-lookalike-shared");
      hsomp_shared_push(tk, t);
      return NULL;
    }
    if (!lost)
      return NULL;
  }
  return NULL;
}

/* A thief's look at victim v in a big team: steal_from, after the look at
 * one line (Note [Empty deques in one line]). */
static inline struct hsomp_task *look_in_big_team(struct hsomp_tasking *tk, unsigned v,
                                                  struct hsomp_task *constraint) {
  if (deque_looks_empty(&tk->member[v].dq))
    return NULL;
  return steal_from(tk, v, constraint);
}

/* A look at other members' deques in a team of more than
 * HSOMP_TASK_BIG_TEAM threads (Note [Finding a task]): as in smaller teams
 * but with the back-off of idle thieves (Note [Idle thieves back off]),
 * adverts (Note [Offering tasks to waiting threads], task_handoff.c) and
 * one-line looks (Note [Empty deques in one line]), without the timing of
 * steals (Note [Idle thieves and tiny tasks]). */
static __attribute__((noinline)) struct hsomp_task *
steal_in_big_team(struct hsomp_tasking *tk, struct hsomp_task_member *mine, unsigned me,
                  unsigned n, struct hsomp_task *constraint) {
  struct hsomp_task *t;
  if (mine->skip) { /* Note [Idle thieves back off] */
    mine->skip--;
    return NULL;
  }
  unsigned last = mine->last_victim;
  if (last != me && last < n) {
    if (atomic_load_explicit(&tk->member[last].dq.advert, memory_order_relaxed) &&
        (t = look_in_big_team(tk, last, constraint)))
      return t;
    mine->last_victim = me; /* Note [Finding a task]: forgotten once it had nothing */
  }
  unsigned tries = n - 1 < HSOMP_STEAL_TRIES ? n - 1 : HSOMP_STEAL_TRIES;
  bool again = !mine->hot; /* Note [Idle thieves back off] */
  if (again)
    tries = 1;
  uint32_t r = mine->rng;
  for (unsigned i = 0; i < tries; i++) {
    r ^= r << 13;
    r ^= r >> 17;
    r ^= r << 5;
    /* Note [Stealing near first]; a look again: near or anywhere, at random */
    unsigned v = hsomp_steal_victim(me, n, r, again && (r >> 31) ? HSOMP_STEAL_TRIES : i);
    if (v == last)
      continue; /* looked at already */
    if ((r & (HSOMP_UNADVERTISED_EVERY - 1)) &&
        !atomic_load_explicit(&tk->member[v].dq.advert, memory_order_relaxed))
      continue; /* Note [Offering tasks to waiting threads] */
    if ((t = look_in_big_team(tk, v, constraint))) {
      mine->rng = r;
      mine->last_victim = v;
      mine->backoff = 0;
      mine->hot = true;
      return t;
    }
  }
  mine->rng = r;
  unsigned most = n / HSOMP_BACKOFF_PER < HSOMP_BACKOFF_MAX ? n / HSOMP_BACKOFF_PER : HSOMP_BACKOFF_MAX;
  mine->backoff = 2 * mine->backoff + 1 < most ? 2 * mine->backoff + 1 : most;
  mine->skip = mine->backoff;
  mine->hot = false;
  return NULL;
}

static inline __attribute__((always_inline)) struct hsomp_task *
find_queued(struct hsomp_thread *self, struct hsomp_team *team, struct hsomp_tasking *tk,
            struct hsomp_task *constraint, bool big) {
  struct hsomp_task *t;
  if (atomic_load_explicit(&tk->shared_count, memory_order_relaxed) &&
      shared_may_hold(tk, constraint) &&
      (t = big ? shared_take_polled(tk, constraint) : shared_take(tk, constraint))) {
    HSOMP_SIM_EVENT(constraint ? "shared_take-constrained" : "shared_take-free");
    return t;
  }
  unsigned me = self->ts.team_id, n = team->nthreads;
  struct hsomp_task_member *mine = &tk->member[me];
  if ((t = deque_take(&mine->dq, constraint))) {
    if (eligible(t, constraint))
      return t;
    hsomp_deque_push(&mine->dq, t); /* a look-alike: everything below is older */
  }
  /* Note [Stealing only what may run], (3) */
  if (constraint && hsomp_deque_size(&mine->dq) > 1 && (t = steal_from(tk, me, constraint)))
    return t;
  if (n <= 1)
    return NULL;
  if (big) /* Note [Idle thieves back off], Note [Empty deques in one line] */
    return steal_in_big_team(tk, mine, me, n, constraint);
  if (mine->skip) { /* Note [Idle thieves back off] */
    mine->skip--;
    return NULL;
  }
  /* Note [Idle thieves and tiny tasks] */
  bool timed = n <= HSOMP_TASK_BIG_TEAM;
  if (timed && (mine->stole_at | mine->pause_until) && thief_pauses(tk, mine))
    return NULL;
  unsigned last = mine->last_victim;
  if (last != me && last < n) {
    if ((n <= HSOMP_TASK_BIG_TEAM ||
         atomic_load_explicit(&tk->member[last].dq.advert, memory_order_relaxed)) &&
        (t = steal_from(tk, last, constraint))) {
      if (timed && (constraint || t->depth == 1)) /* Note [Idle thieves and tiny tasks] */
        thief_stole(mine, constraint);
      return t;
    }
    mine->last_victim = me; /* Note [Finding a task]: forgotten once it had nothing */
  }
  unsigned tries = n - 1 < HSOMP_STEAL_TRIES ? n - 1 : HSOMP_STEAL_TRIES;
  bool again = !mine->hot && n > HSOMP_BACKOFF_PER; /* Note [Idle thieves back off] */
  if (again)
    tries = 1;
  uint32_t r = mine->rng;
  for (unsigned i = 0; i < tries; i++) {
    r ^= r << 13;
    r ^= r >> 17;
    r ^= r << 5;
    /* Note [Stealing near first]; a look again: near or anywhere, at random */
    unsigned v = hsomp_steal_victim(me, n, r, again && (r >> 31) ? HSOMP_STEAL_TRIES : i);
    if (v == last)
      continue; /* looked at already */
    if (n > HSOMP_TASK_BIG_TEAM && (r & (HSOMP_UNADVERTISED_EVERY - 1)) &&
        !atomic_load_explicit(&tk->member[v].dq.advert, memory_order_relaxed))
      continue; /* Note [Offering tasks to waiting threads] */
    if ((t = steal_from(tk, v, constraint))) {
      mine->rng = r;
      mine->last_victim = v;
      mine->backoff = 0;
      mine->hot = true;
      if (timed && (constraint || t->depth == 1)) /* Note [Idle thieves and tiny tasks] */
        thief_stole(mine, constraint);
      return t;
    }
  }
  mine->rng = r;
  unsigned most = n / HSOMP_BACKOFF_PER < HSOMP_BACKOFF_MAX ? n / HSOMP_BACKOFF_PER : HSOMP_BACKOFF_MAX;
  mine->backoff = 2 * mine->backoff + 1 < most ? 2 * mine->backoff + 1 : most;
  mine->skip = mine->backoff;
  mine->hot = false;
  return NULL;
}

void hsomp_task_stop_waiting_slow(struct hsomp_thread *self, struct hsomp_team *team,
                                  struct hsomp_tasking *tk) {
  struct hsomp_task *h = hsomp_task_withdraw(self, team, tk, self->ts.team_id);
  while (h) { /* Note [Handing tasks in pairs] */
    struct hsomp_task *next = h->handed_next; /* h may run and go once scheduled */
    hsomp_task_schedule(self, team, h); /* like a new task */
    h = next;
  }
}

/* hsomp_task_find in a team of more than HSOMP_TASK_BIG_TEAM threads. */
static __attribute__((noinline)) struct hsomp_task *
find_in_big_team(struct hsomp_thread *self, struct hsomp_team *team, struct hsomp_tasking *tk,
                 struct hsomp_task *constraint) {
  unsigned me = self->ts.team_id;
  struct hsomp_task_member *mine = &tk->member[me];
  struct hsomp_task *t;
  /* Note [Offering tasks to waiting threads] (task_handoff.c) */
  if (mine->waiting && (t = hsomp_task_handed(self, team, tk, me))) {
    mine->backoff = mine->skip = 0;
    for (struct hsomp_task *r = t->handed_next, *next; r; r = next) {
      next = r->handed_next; /* r may be stolen and run once pushed */
      /* Note [Handing tasks in pairs]: the signature from the parent (in a
       * line nobody writes now), not from r's line 2, which the receiver
       * would read for nothing else */
      deque_push_sig(&mine->dq, r, hsomp_task_child_ancestors(r->parent));
    }
    return t;
  }
  t = find_queued(self, team, tk, constraint, true);
  deque_note_empty(&mine->dq); /* Note [Empty deques in one line] */
  if (mine->waiting) {
    if (t)
      hsomp_task_stop_waiting_slow(self, team, tk);
  } else if (!t && !constraint && !hsomp_crowded_with(team->threads_in_regions)) {
    /* not on crowded CPUs: a thread without a CPU would hold the task */
    hsomp_task_start_waiting(tk, me);
  }
  return t;
}

struct hsomp_task *hsomp_task_find(struct hsomp_thread *self, struct hsomp_team *team,
                                   struct hsomp_task *constraint) {
  if (!atomic_load_explicit(&team->tasks_used, memory_order_acquire))
    return NULL;
  struct hsomp_tasking *tk = atomic_load_explicit(&team->tasking, memory_order_acquire);
  if (HSOMP_UNLIKELY(team->nthreads > HSOMP_TASK_BIG_TEAM))
    return find_in_big_team(self, team, tk, constraint);
  return find_queued(self, team, tk, constraint, false);
}

bool hsomp_task_any_queued(struct hsomp_team *team) {
  if (!atomic_load_explicit(&team->tasks_used, memory_order_seq_cst))
    return false;
  struct hsomp_tasking *tk = atomic_load_explicit(&team->tasking, memory_order_acquire);
  if (atomic_load_explicit(&tk->shared_count, memory_order_seq_cst))
    return true;
  for (unsigned i = 0; i < team->nthreads; i++)
    if (deque_nonempty(&tk->member[i].dq))
      return true;
  return false;
}

/* A constrained waiter's last look before it sleeps (Note [Two sleep
 * words] in task.c): the records in the heap are alive while the lock is
 * held, so their ancestry may be read. */
bool hsomp_task_shared_eligible(struct hsomp_team *team, struct hsomp_task *constraint) {
  if (!atomic_load_explicit(&team->tasks_used, memory_order_seq_cst))
    return false;
  struct hsomp_tasking *tk = atomic_load_explicit(&team->tasking, memory_order_acquire);
  if (!atomic_load_explicit(&tk->shared_count, memory_order_seq_cst))
    return false;
  bool found = false;
  HSOMP_SIM_EVENT("shared_eligible-lock");
  hsomp_mutex_lock(&tk->shared_lock);
  for (size_t i = 0; i < tk->heap_len && !found; i++)
    found = eligible(tk->heap[i].task, constraint);
  hsomp_mutex_unlock(&tk->shared_lock);
  return found;
}

/* ------------------------------------------------------------------ */
/* Scheduling a ready task.                                             */

/* Note [Putting a task back on top]
 * The owner took t off its deque's top (deque_take_oldest: a thief's CAS
 * of top from u to u + 1) to hand it, and nobody took it.  It goes back
 * to index u, where it was, by the reverse CAS, if nothing moved
 * meanwhile: top is still the value the owner's take left (no thief took
 * the next task) and the slot of index u still holds t.  Between the
 * take and this CAS the owner pushed nothing (the callers put back before
 * their next push, and a batch goes back newest first), so slot u, its
 * parent, depth and signature are those of t's push, and the ring is the
 * same (it grows only in a push).
 *
 * Top going down breaks what Note [Work-stealing deque] relies on: a
 * thief that read top = u + 1 (slot u + 1 holding t2) and is slow to CAS
 * could succeed later, after the owner took t2 at the bottom with no CAS
 * (top u is below it), pushed t3 into slot u + 1 and a thief took t
 * again (top u + 1 once more): it would run t2 twice and lose t3.  So the
 * put-back does not give top its old value (Note [Put-backs count in
 * top]); the slow thief's CAS fails, as does that of a thief that read
 * top = u before the owner's take, and both look again.  If the check
 * fails (a thief took index u + 1, or the slot was overwritten), false:
 * the caller puts t elsewhere.
 *
 * Note [Put-backs count in top]
 * top and bottom count modulo 2^64, and a put-back on top adds
 * HSOMP_DEQUE_PUT_BACK - 1 to top (one index back, one put-back more in
 * the bits from 52 up) and then HSOMP_DEQUE_PUT_BACK to bottom, so
 * bottom − top is still the number of queued tasks, every comparison of
 * the two is that difference (hsomp_deque_span), and a slot's index is
 * either value's low bits (rings are far smaller than 2^52).  Top takes a
 * value again only after 4096 put-backs (the count wraps): an ABA would
 * need a thief to stall between its read of top and its CAS while the
 * owner puts back 4096 tasks, each after a failed hand-off, and the index
 * comes back to where it was.  Between the two writes a thief or a
 * waiter that reads the new top and the old bottom sees a hugely
 * negative size: empty, as the deque looked while t was out for its
 * hand-off (the owner runs t itself if nobody else does); one that reads
 * the old top and the new bottom sees a size too large, and its CAS of
 * the old top fails.  The owner reads both of its own writes. */
#define HSOMP_DEQUE_PUT_BACK ((uint64_t)1 << 52)
static bool deque_put_back_top(struct hsomp_deque *dq, struct hsomp_task *t) {
  uint64_t top = atomic_load_explicit(&dq->top, memory_order_relaxed);
  struct hsomp_deque_buf *a = atomic_load_explicit(&dq->buf, memory_order_relaxed);
  if (atomic_load_explicit(&a->slot[(top - 1) & (uint64_t)(a->cap - 1)].task,
                           memory_order_relaxed) != t)
    return false;
  if (!atomic_compare_exchange_strong_explicit(&dq->top, &top, top + HSOMP_DEQUE_PUT_BACK - 1,
                                               memory_order_seq_cst, memory_order_relaxed))
    return false;
  /* release, as a push's: a thief's acquire of this value orders the
   * slots' writes before its reads */
  atomic_store_explicit(&dq->bottom,
                        atomic_load_explicit(&dq->bottom, memory_order_relaxed) +
                            HSOMP_DEQUE_PUT_BACK,
                        memory_order_release);
  deque_saw_top(dq, top + HSOMP_DEQUE_PUT_BACK - 1); /* Note [Empty deques in one line] */
  return true;
}

/* The tasks of the list from t on, newest first (each read of handed_next
 * before the task is put back, after which it may run and be freed): on
 * top if they must not go to the bottom, else linked into *below, oldest
 * first.  Note [A task not handed goes back where it was]. */
static void put_back_on_top(struct hsomp_tasking *tk, struct hsomp_deque *dq, struct hsomp_task *t,
                            const struct hsomp_task *current, struct hsomp_task **below) {
  if (!t)
    return;
  put_back_on_top(tk, dq, t->handed_next, current, below);
  if (!current || (current->flags & HSOMP_TASK_IMPLICIT) || t->parent == current) {
    t->handed_next = *below;
    *below = t;
  } else if (deque_put_back_top(dq, t)) { /* Note [Putting a task back on top] */
    HSOMP_SIM_EVENT("put_back-top");
  } else {
    HSOMP_SIM_EVENT("put_back-shared");
    hsomp_shared_push(tk, t);
  }
}

/* Note [A task not handed goes back where it was] (task_handoff.c): the
 * list of handed_next, oldest first.  Those on top go first, before any
 * push (Note [Putting a task back on top]). */
static void put_back(struct hsomp_tasking *tk, struct hsomp_deque *dq, struct hsomp_task *t,
                     const struct hsomp_task *current) {
  struct hsomp_task *below = NULL, *next;
  put_back_on_top(tk, dq, t, current, &below);
  for (; below; below = next) {
    next = below->handed_next; /* below may run and go once pushed */
    HSOMP_SIM_EVENT("put_back-deque");
    hsomp_deque_push(dq, below);
  }
}

/* hsomp_task_schedule's push in a team of more than HSOMP_TASK_BIG_TEAM
 * threads (Note [Offering tasks to waiting threads]). */
static __attribute__((noinline)) void schedule_in_big_team(struct hsomp_thread *self,
                                                           struct hsomp_team *team,
                                                           struct hsomp_tasking *tk,
                                                           struct hsomp_task *t) {
  /* Read before the push: from then on t may be taken, run and freed. */
  int64_t keep = HSOMP_HAND_PAIR_KEEP;
  bool first_child = false;
  struct hsomp_task *p = t->parent; /* alive while t is: t counts in its units */
  if (p && !(p->flags & HSOMP_TASK_IMPLICIT)) {
    keep = 1;
    first_child = hsomp_task_kids_made(self, p) == 1; /* Note [Counting children in advance] */
  }
  hsomp_deque_push(&tk->member[self->ts.team_id].dq, t);
  static const struct hsomp_deque_ops ops = {deque_take_oldest, put_back};
  /* Note [Kept tasks are not advertised] (task_handoff.c): in a team that
   * fits its CPUs (by the team's count: hsomp_crowded_with also looks at
   * the RTS's Capabilities) while no member sleeps for tasks */
  bool hide_kept = team->threads_in_regions <= hsomp_settings.ncpus &&
                   !atomic_load_explicit(&team->event.sleepers, memory_order_relaxed);
  if (!hsomp_task_offer_oldest(tk, self->ts.team_id, team->nthreads, keep, first_child, hide_kept,
                               self->ts.task, &ops))
    hsomp_task_wake_one(team); /* else a waiting thread, awake, has it; the newest is ours */
}

void hsomp_task_schedule(struct hsomp_thread *self, struct hsomp_team *team, struct hsomp_task *t) {
  struct hsomp_tasking *tk = atomic_load_explicit(&team->tasking, memory_order_acquire);
  if (t->priority > 0 || self->ts.team != team) {
    hsomp_shared_push(tk, t);
    return;
  }
  if (HSOMP_UNLIKELY(team->nthreads > HSOMP_TASK_BIG_TEAM)) {
    schedule_in_big_team(self, team, tk, t);
    return;
  }
  hsomp_deque_push(&tk->member[self->ts.team_id].dq, t);
  /* Only the team's members sleep on its event word for queued tasks; in
   * a team of one that is this thread, which is awake. */
  if (team->nthreads > 1)
    hsomp_task_wake_one(team);
}

/* Note [Readied tasks and the Task Scheduling Constraint]
 * A constrained thread (Note [Waiting for tasks]) takes from the bottom of
 * its own deque, and when the task there is not one it may run, it stops
 * looking in that deque: normally everything below is older, so not its
 * to run either.  Tasks its own task creates are its descendants, and so
 * are the siblings that their completion readies.  But a task can also
 * ready tasks that are not its descendants -- omp_fulfill_event on some
 * other task's event makes that task's dependants ready -- and those,
 * pushed above its own children, would hide them from its next taskwait:
 * with nobody else to steal them (a team of one), it would wait forever.
 * So a task readied while the thread runs an explicit task that it does
 * not descend from goes to the shared queue, where every thread looks
 * past what it may not run.  The check costs a walk up a few parents and
 * only happens under an explicit task; at a barrier (the implicit task)
 * every readied task goes to the deque. */
void hsomp_task_schedule_readied(struct hsomp_thread *self, struct hsomp_team *team,
                                 struct hsomp_task *t) {
  struct hsomp_task *cur = self->ts.task;
  if (self->ts.team == team && cur && !(cur->flags & HSOMP_TASK_IMPLICIT) &&
      !hsomp_task_descends(t, cur)) {
    hsomp_shared_push(atomic_load_explicit(&team->tasking, memory_order_acquire), t);
    return;
  }
  hsomp_task_schedule(self, team, t);
}
