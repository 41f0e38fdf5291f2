/* task_deps.c -- task dependences (depend clauses, depobj, omp_all_memory,
 * taskwait with depend).
 *
 * Owns the per-parent dependence table: for every address some child
 * task depends on, which children later siblings may have to order
 * after; the edges from predecessor to successor (each task's own
 * successor list); releasing successors when a task completes; and
 * waiting for predecessors in the undeferred cases. */
#include "task_internal.h"
#include "ompt_internal.h"

#include <stdlib.h>
#include <string.h>

/* Note [Dependence table]
 * Dependences only order sibling tasks, so each parent task has its own
 * table (hash by address).  Per address the table keeps the children
 * that later siblings may have to wait for:
 *
 *   out     the newest out/inout/mutexinoutset entry (mutexinoutset is
 *           ordered like inout, which OpenMP permits: the tasks then run
 *           one after the other in creation order);
 *   in      the `in' entries created after it;
 *   set     the `inoutset' entries created after it.
 *
 * A new entry depends on: (out) everything listed -- the old out only if
 * both lists are empty, since every listed entry already follows it --
 * and then replaces all of it, which the later tasks reach transitively;
 * (in) the out entry and the inoutset list; (inoutset) the out entry and
 * the in list.  So readers do not wait for readers, and the cost of an
 * entry is the number of edges it needs.  A task lists its out-like
 * entries first, so a second clause on the same address (e.g. in after
 * out) is recognised as redundant instead of making the task wait for
 * itself.  A task with depend(out/inout: omp_all_memory) depends on every
 * entry of the table and on the previous such task, then empties the
 * table and becomes `all_memory', on which every later sibling with
 * dependences depends (libgomp's rule).
 *
 * Completed tasks stay listed until a later out entry on their address
 * replaces them or a sweep prunes them (Note [Dependences without the
 * parent's lock]): an edge from a completed task
 * is simply not made, and a listed entry that completed implies that the
 * out entry it follows completed too (it was released by it, or found it
 * complete), so "the old out only if both lists are empty" stays right
 * with completed entries in the lists. */

/* Note [Dependences without the parent's lock]
 * Only one thread at a time runs a task, so only one thread at a time
 * creates its children: the parent's table is touched by that thread
 * alone (registering a child, an undeferred child's or taskwait depend's
 * wait, and freeing the table once every child is done) and needs no
 * lock.  Completing children never touch it.  What the creator and the
 * completers share is per task:
 *
 *   succ_lock  each task's own lock, over its successor list and the
 *              setting of dep_done.  The creator takes a predecessor's
 *              lock to add an edge; the predecessor's completer takes it
 *              once to set dep_done and take the list.  So an edge is
 *              either in the list the completer takes, or the creator saw
 *              dep_done under the lock and made none: no successor is
 *              lost, none is released twice.  Siblings completing at once
 *              take different locks; the creator and a completer meet only
 *              on the one task both touch.  The creator reads dep_done
 *              first without the lock (acquire, paired with the release
 *              store under it) to skip completed tasks cheaply; seeing it
 *              set orders the task's effects before the new sibling's
 *              scheduling.
 *   npred      a successor's count of unfinished predecessors, 1 more
 *              while its edges are being added (acq_rel decrements: whoever
 *              brings it to 0 schedules the task and has seen every
 *              predecessor's effects and the creator's registration).  A
 *              waiter (an undeferred task's or taskwait depend's stack
 *              pseudo-task) is not scheduled: the completer that brings its
 *              count to 0 wakes the team's task_done word after the
 *              decrement (hsomp_task_wake: a seq_cst fence, then the bump),
 *              and the waiter re-reads the count before it sleeps on that
 *              word (Note [Two sleep words] in task.c), so the wake-up is
 *              not lost; the completer reads the waiter's flags and team
 *              before the decrement, after which the waiter may be gone.
 *   dep_hold   the table refers to completed children until the creator
 *              drops them (when a later out entry on the address replaces
 *              them, or in a sweep of the whole table once it holds twice
 *              as many entries as after the last sweep, plus 64 and four
 *              per thread of the team: the completed ones listed stay
 *              within a constant factor of the unfinished ones, plus that
 *              slack; Note [Sweeps in a big team]), so a record in the table must
 *              outlive its completion.  A registered task's dep_hold is 2:
 *              one for the completion path (task.c's record_free, through
 *              hsomp_deps_may_free), one for the table (dropped when the
 *              task's last entry, counted in dep_in_table by the creator
 *              alone, leaves the table).  Whichever brings it to 0 (acq_rel)
 *              frees the record, after everything the other did with it;
 *              a party whose acquire load already reads 1 knows the other
 *              let go and frees it without the decrement.  For a task
 *              that ran as a proxy (Note [Tasks with dependences described
 *              in the hand-off]) the completion path is the proxy's.
 * The table's memory is freed when the parent's record is, after all its
 * children are done, or between regions for implicit tasks; completed
 * children still listed are freed with it. */

/* Note [Tasks with dependences described in the hand-off]
 * In a team that hands tasks (more than 8 threads), a producer's batch of
 * common tasks goes to a waiting thread as a description, from which the
 * receiver makes records of its own (Note [Tasks described in the
 * hand-off], task_handoff.c): the receiver then reads no line of the
 * maker's records, and the maker does not take lines back from the
 * receiver's cache when it reuses them.  A task with a depend clause
 * went as its record, since its parent's table and its successors refer
 * to that record: in the coherence model (TASK_DEPS at 256 threads) the
 * runner's read of the record's first line and the maker's rewrite of it
 * cost 2 of about 7 transfers per task.  Now such a batch is described
 * too, each task's entry carrying its record's address (`origin'), and
 * the receiver's record is a proxy (HSOMP_TASK_DEPEND | DEP_PROXY,
 * dep_origin): it runs the task, and its completion completes the
 * origin's dependences (hsomp_deps_release on the origin: its lock,
 * dep_done, its successors) and lets go of the origin's completion hold
 * (hsomp_deps_may_free: the origin's dep_hold, as the origin's own
 * completion path would; the proxy itself is freed by its completer as
 * usual).  So the origin lives exactly as before -- the table's hold and
 * one completion hold, whichever goes last frees it -- only the
 * completion hold has moved to the proxy, and the maker, which used to
 * free a described batch's records at once, leaves a batch with
 * dependences alone once it is handed: after the CAS that hands it, the
 * origins may be completed and freed by the receiver (it reads the
 * batch's flags from its own copy of the description).  The origin is
 * never queued or run once handed (it was taken off the maker's deque),
 * and a batch not handed goes back to the deque as records, which run
 * and complete as before.  Edges added to the origin before the hand-off
 * are seen by the receiver's lock (the hand-off's release and acquire);
 * edges added after it go under the origin's lock as before.  A proxy is
 * not described again (DEP_PROXY is not a common flag): a receiver that
 * hands it on hands its record.  The maker's table, its completed()
 * reads and its letting go are unchanged; what the dependences cost per
 * task in the model is the completer's lock (it takes the origin's
 * dependence line) and the maker's read of dep_done (Note [The creator
 * takes a completed task's line]). */

/* Note [Completion signalled per batch]
 * With one predecessor per task, the dependence handshake costs two line
 * transfers per task (README "Scale"): the completer takes the
 * predecessor's dependence line for its succ_lock, and the creator takes
 * it back when it reads dep_done before the successor's edge (Note [The
 * creator takes a completed task's line]).  Neither is needed for a task
 * that completes before anybody asks: its creator only has to learn that
 * it did, and that can be learnt for a whole batch at once.  So a batch
 * of tasks with dependences described in a hand-off (Note [Tasks with
 * dependences described in the hand-off]) by the thread that runs their
 * parent -- the owner of the table -- gets a `struct hsomp_dep_batch':
 * a word, `state', in a line of its own, and the maker's records
 * (`origin'), in lines the completers read only when they must.  The
 * description carries the batch instead of the records' addresses (one
 * line for a batch of argument-less tasks of one function).  Per task k
 * of the batch (at most 16), three bits:
 *
 *   DONE(k)   set by the completer of k's proxy (fetch_or, acq_rel: after
 *             the task ran, before anything else of its completion);
 *   WATCH(k)  set by the creator (fetch_or, acq_rel) the first time it
 *             must know about k for good -- before an edge from k, or
 *             when the table lets go of k -- or before the hand-off, when
 *             k has successors already or the table let go of it before.
 *             A sweep's look (table_sweep) only reads the word, and
 *             settles k only if DONE(k) is set: watching every listed task
 *             there sent the batches in flight the old way (in the model,
 *             TASK_DEPS at 256 threads, 137 of 1024 tasks a round, the
 *             table's periodic sweeps finding the newest tasks running);
 *   FREED(k)  nobody will read the batch for k any more (below).
 *
 * DONE(k) and WATCH(k) are set by RMWs on one word, so one of them comes
 * first, and each side learns from the other's bit which one:
 *   - DONE(k) first: k completed *quietly*.  Its completer stops at its
 *     fetch_or: no succ_lock, no dep_done, no successor list (nobody can
 *     have registered one: an edge is only added after WATCH(k)), no
 *     letting go of the record's completion hold -- it never reads the
 *     maker's record, nor its address (the proxy's dep_origin stays
 *     NULL, so hsomp_deps_may_free lets go of nothing).  The creator,
 *     whose RMW (or a sweep's acquire load) reads DONE(k) without its own
 *     WATCH(k), knows k complete (its acquire sees the task's effects, so
 *     a successor needs no edge) and that the completion path let go:
 *     when the table lets go of k too, it frees the record, without a
 *     look at dep_hold.
 *   - WATCH(k) first: the completer's fetch_or reads it, takes the
 *     record's address from the batch and completes it as before
 *     (hsomp_deps_release on the maker's record, then its completion
 *     hold); the creator knows that and treats k as before (dep_done
 *     under the lock, dep_hold).  A successor registered before k
 *     completes is thus released: its edge is added after WATCH(k), and
 *     the completer that comes after WATCH(k) takes the successor list
 *     under the lock, as in Note [Dependences without the parent's lock].
 * What the creator learnt is kept in the record's dep_in_batch (the low
 * bits: PENDING, QUIET, WATCHED; the creator's alone, as the table is;
 * `dep' is read only at registration, before any hand-off).  A task that
 * has successors before the hand-off, or that the table has let go of
 * already (its completion hold is the last: its completer frees the
 * record), is watched from the start, and its record is not marked; the
 * others are marked before the hand-off's CAS and unmarked if the batch
 * is not handed (its records then run and complete as themselves).
 *
 * The batch's lifetime: the creator needs it until it has settled every
 * task (learnt QUIET or WATCHED), a quiet completer until its fetch_or, a
 * watched one until it has read the record's address.  FREED(k) says
 * that k's completer is done with it: a watched completer sets it (a
 * second fetch_or, on the line its first took) after reading `origin';
 * for a quiet one the creator sets it, with LAST, at its last settle
 * (`settled', `count', `quiet': the creator's, in the state's line, which
 * its RMW has just taken).  Whoever's fetch_or makes the word hold LAST
 * and every FREED bit (places past the batch's count are set from the
 * start) lets the batch go -- the creator to the table's free list, for
 * its next batch, a completer with free() -- exactly once, and nobody
 * touches it after that.  A table is freed only after all its children
 * completed, when its batches are all on its free list.
 *
 * In the coherence model (TASK_DEPS: batches of about 15 tasks, whose
 * successors are made 256 tasks later) a batch's word costs about two
 * transfers -- the completer's first fetch_or and the creator's first --
 * where the handshake cost two per task, and the records' addresses no
 * longer travel in the receiver's lines (about three more per batch). */
#define BATCH_PENDING ((uintptr_t)1) /* dep_in_batch: handed, not settled */
#define BATCH_QUIET ((uintptr_t)2)   /* completed quietly: complete, its completion hold gone */
#define BATCH_WATCHED ((uintptr_t)3) /* completes as before (dep_done, dep_hold) */
#define BATCH_STATE ((uintptr_t)3)
#define BATCH_PLACE_SHIFT 2
#define BATCH_MAX 16
#define BATCH_DONE(k) ((uint64_t)1 << (k))
#define BATCH_WATCH(k) ((uint64_t)1 << (BATCH_MAX + (k)))
#define BATCH_FREED(k) ((uint64_t)1 << (2 * BATCH_MAX + (k)))
#define BATCH_ALL_FREED (((uint64_t)1 << (3 * BATCH_MAX)) - ((uint64_t)1 << (2 * BATCH_MAX)))
#define BATCH_LAST ((uint64_t)1 << (3 * BATCH_MAX))

struct hsomp_dep_batch {
  _Atomic uint64_t state;          /* DONE, WATCH and FREED bits, LAST */
  /* the creator's (the table's thread): */
  struct hsomp_dep_table *table;
  struct hsomp_dep_batch *next;    /* the table's free list */
  uint8_t count, settled;
  uint16_t quiet;                  /* the places settled quiet */
  /* the maker's records, written before the hand-off, read by a
   * completer that must complete its task's record */
  struct hsomp_task *origin[BATCH_MAX] HSOMP_ALIGNED;
};
_Static_assert(HSOMP_CACHELINE >= (BATCH_MAX << BATCH_PLACE_SHIFT), "a place in a batch's address bits");

/* Records are held in the table's buckets; an emptied record stays until
 * the next sweep (it is usually refilled by the next task on the address). */
struct hsomp_dep_rec {
  void *addr;
  struct hsomp_dep_rec *hnext;
  struct hsomp_dep_entry *out;
  struct hsomp_dep_entry *list[3]; /* indexed by kind: [HSOMP_DEP_IN], [HSOMP_DEP_SET] */
};

struct hsomp_dep_table {
  const struct hsomp_dep_batch_fns *batch_fns; /* first: task_internal.h's hsomp_deps_batch_fns */
  size_t mask;
  size_t nrecs;
  size_t nentries;                 /* entries listed (completed ones too) */
  size_t sweep_at;                 /* prune the whole table at this many */
  size_t slack;                    /* Note [Sweeps in a big team] */
  struct hsomp_task *all_memory;   /* newest depend(inout: omp_all_memory) child */
  void (*record_free)(struct hsomp_task *); /* task.c's, passed down: it lies above this file */
  struct hsomp_dep_rec *free_recs;
  struct hsomp_dep_batch *free_batches; /* Note [Completion signalled per batch] */
  struct hsomp_dep_rec **bucket;
};

enum { TABLE_MIN = 16, SWEEP_SLACK = 64, SWEEP_SLACK_PER_THREAD = 4 };

/* Note [Sweeps in a big team]
 * A sweep looks at every listed task, and the newest ones are mostly
 * still running; in a team that hands tasks in batches (Note [Completion
 * signalled per batch]) a look at a running task takes its batch's line
 * from the threads completing the batch, which take it back at their
 * next completion.  With a slack of 64 alone, a table as big as a team of
 * 256 threads keeps in flight (TASK_DEPS in the coherence model: 256
 * addresses, one entry each) was swept every hundred tasks or so, each
 * sweep finding the last few batches running: about four transfers per
 * batch, as much as everything else of the handshake.  The slack is
 * therefore 64 plus four per thread of the team (the table's creator's,
 * at its first child with dependences): a team of up to 16 threads keeps
 * about the old slack, and a bigger one sweeps once its table holds more
 * than it can have in flight. */

static size_t hash_addr(void *addr, size_t mask) {
  uint64_t x = (uint64_t)(uintptr_t)addr;
  x ^= x >> 29;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 32;
  return (size_t)x & mask;
}

static struct hsomp_dep_rec **buckets_new(size_t n) {
  struct hsomp_dep_rec **b = calloc(n, sizeof *b);
  if (!b)
    hsomp_fatal("out of memory allocating a dependence table");
  return b;
}

static const struct hsomp_dep_batch_fns batch_fns;

static struct hsomp_dep_table *table_new(void (*record_free)(struct hsomp_task *), size_t slack) {
  struct hsomp_dep_table *tb = calloc(1, sizeof *tb);
  if (!tb)
    hsomp_fatal("out of memory allocating a dependence table");
  tb->batch_fns = &batch_fns;
  tb->record_free = record_free;
  tb->bucket = buckets_new(TABLE_MIN);
  tb->mask = TABLE_MIN - 1;
  tb->slack = slack;
  tb->sweep_at = slack;
  return tb;
}

/* ------------------------------------------------------------------ */
/* Holding completed children (Note [Dependences without the parent's lock]). */

static bool hold_let_go(struct hsomp_task *t) {
  if (atomic_load_explicit(&t->dep_hold, memory_order_acquire) == 1)
    return true; /* the table let go already: nobody else refers to it */
  return atomic_fetch_sub_explicit(&t->dep_hold, 1, memory_order_acq_rel) == 1;
}

bool hsomp_deps_may_free(struct hsomp_task *t) {
  if (HSOMP_UNLIKELY(t->flags & HSOMP_TASK_DEP_PROXY)) {
    /* Note [Tasks with dependences described in the hand-off]: the
     * proxy's completion path lets go of its maker's record, and the
     * proxy itself is the completer's to free. */
    struct hsomp_task *origin = t->dep_origin;
    /* NULL: completed quietly (Note [Completion signalled per batch]) */
    if (origin && hold_let_go(origin)) /* task.c's free, through the team's tasking state (task.c lies above) */
      atomic_load_explicit(&t->team->tasking, memory_order_acquire)->record_free(origin);
    return true;
  }
  return hold_let_go(t);
}

/* The creator learns whether t, handed in a batch and not settled yet,
 * completed quietly, and with `watch' watches it if not: t's dep_in_batch
 * after that, still PENDING when t has not completed and is not watched
 * (Note [Completion signalled per batch]). */
static uintptr_t settle(struct hsomp_task *t, bool watch) {
  uintptr_t v = t->dep_in_batch;
  struct hsomp_dep_batch *b = (struct hsomp_dep_batch *)(v & ~(uintptr_t)(HSOMP_CACHELINE - 1));
  unsigned k = (unsigned)(v >> BATCH_PLACE_SHIFT) & (BATCH_MAX - 1);
  uint64_t old;
  if (watch) {
    old = atomic_fetch_or_explicit(&b->state, BATCH_WATCH(k), memory_order_acq_rel);
  } else { /* a look (a sweep's): the line as the fetch_or would take it */
    hsomp_prefetch_for_write(&b->state);
    old = atomic_load_explicit(&b->state, memory_order_acquire);
    if (!(old & BATCH_DONE(k)))
      return v;
  }
  bool quiet = old & BATCH_DONE(k);
  v = (v & ~BATCH_STATE) | (quiet ? BATCH_QUIET : BATCH_WATCHED);
  t->dep_in_batch = v;
  HSOMP_SIM_EVENT(quiet ? "dep-settle-quiet" : "dep-settle-watched");
  /* A quiet completer is done with the batch: its place is free, which
   * the last settle says with LAST (a watched completer frees its own). */
  if (quiet)
    b->quiet |= (uint16_t)(1u << k);
  if (++b->settled == b->count) {
    uint64_t more = BATCH_LAST | (uint64_t)b->quiet << (2 * BATCH_MAX);
    old = atomic_fetch_or_explicit(&b->state, more, memory_order_acq_rel) | more;
    if ((old & BATCH_ALL_FREED) == BATCH_ALL_FREED) { /* else its last completer frees it */
      b->next = b->table->free_batches;
      b->table->free_batches = b;
    }
  }
  return v;
}

/* One of t's entries (or its all-memory slot) left the table. */
static void let_go(struct hsomp_dep_table *tb, struct hsomp_task *t) {
  HSOMP_ASSERT(t->dep_in_table >= 1);
  if (--t->dep_in_table != 0)
    return;
  uintptr_t v = t->dep_in_batch;
  if (HSOMP_UNLIKELY(v & BATCH_STATE)) { /* Note [Completion signalled per batch] */
    if ((v & BATCH_STATE) == BATCH_PENDING)
      v = settle(t, true);
    if ((v & BATCH_STATE) == BATCH_QUIET) {
      tb->record_free(t); /* completed, and its completion path let go */
      return;
    }
  }
  if (hold_let_go(t))
    tb->record_free(t); /* completed, and its completion path let go */
}

/* Note [The creator takes a completed task's line]
 * A task's dependence fields (its record's fifth line) are written by
 * its creator when it registers the task and when it adds edges, then
 * once by its completer (the succ_lock, dep_done, dep_hold), and then by
 * the creator again: it drops the task's entries from the table
 * (dep_in_table, and dep_hold's acquire load), and most often frees the
 * record into its own cache and makes its next task in the same block.
 * The creator reads dep_done first: a plain read of the line the
 * completer wrote shares it, and the write that follows must then take
 * it from the completer's cache once more (in the coherence model, two
 * transfers per task: README "Scale").  So the creator asks for the line
 * exclusively before it reads dep_done (hsomp_prefetch_for_write, a
 * hint): one transfer.  A task not completed yet still has the line in
 * the creator's cache (its completer has not touched it), where the
 * prefetch costs nothing. */
static bool completed(struct hsomp_task *t, bool watch) {
  uintptr_t v = t->dep_in_batch;
  if (HSOMP_UNLIKELY(v & BATCH_STATE)) { /* Note [Completion signalled per batch] */
    if ((v & BATCH_STATE) == BATCH_PENDING)
      v = settle(t, watch);
    if ((v & BATCH_STATE) != BATCH_WATCHED)
      return (v & BATCH_STATE) == BATCH_QUIET; /* PENDING: not yet */
  }
  hsomp_prefetch_for_write(&t->dep_done);
  return atomic_load_explicit(&t->dep_done, memory_order_acquire);
}

/* An entry leaves the table (its record's lists are the caller's care). */
static void drop(struct hsomp_dep_table *tb, struct hsomp_dep_entry *e) {
  e->rec = NULL;
  tb->nentries--;
  let_go(tb, e->task);
}

/* ------------------------------------------------------------------ */
/* The hash table of address records.                                   */

static void table_grow(struct hsomp_dep_table *tb) {
  size_t mask = tb->mask * 2 + 1;
  struct hsomp_dep_rec **b = calloc(mask + 1, sizeof *b);
  if (!b)
    return; /* a fuller table is only slower */
  for (size_t i = 0; i <= tb->mask; i++)
    for (struct hsomp_dep_rec *r = tb->bucket[i], *next; r; r = next) {
      next = r->hnext;
      size_t h = hash_addr(r->addr, mask);
      r->hnext = b[h];
      b[h] = r;
    }
  free(tb->bucket);
  tb->bucket = b;
  tb->mask = mask;
}

static struct hsomp_dep_rec *table_find(struct hsomp_dep_table *tb, void *addr) {
  for (struct hsomp_dep_rec *r = tb->bucket[hash_addr(addr, tb->mask)]; r; r = r->hnext)
    if (r->addr == addr)
      return r;
  return NULL;
}

static struct hsomp_dep_rec *table_insert(struct hsomp_dep_table *tb, void *addr) {
  struct hsomp_dep_rec *r = table_find(tb, addr);
  if (r)
    return r;
  if (tb->nrecs > 2 * (tb->mask + 1))
    table_grow(tb);
  r = tb->free_recs;
  if (r)
    tb->free_recs = r->hnext;
  else if (!(r = malloc(sizeof *r)))
    hsomp_fatal("out of memory in a dependence table");
  memset(r, 0, sizeof *r);
  r->addr = addr;
  size_t h = hash_addr(addr, tb->mask);
  r->hnext = tb->bucket[h];
  tb->bucket[h] = r;
  tb->nrecs++;
  return r;
}

static bool rec_empty(const struct hsomp_dep_rec *r) {
  return !r->out && !r->list[HSOMP_DEP_IN] && !r->list[HSOMP_DEP_SET];
}

/* Completed entries leave r. */
static void rec_prune(struct hsomp_dep_table *tb, struct hsomp_dep_rec *r) {
  if (r->out && completed(r->out->task, false)) {
    struct hsomp_dep_entry *e = r->out;
    r->out = NULL;
    drop(tb, e);
  }
  for (int k = HSOMP_DEP_IN; k <= HSOMP_DEP_SET; k++)
    for (struct hsomp_dep_entry *e = r->list[k], *next; e; e = next) {
      next = e->next;
      if (!completed(e->task, false))
        continue;
      if (e->prev)
        e->prev->next = e->next;
      else
        r->list[k] = e->next;
      if (e->next)
        e->next->prev = e->prev;
      drop(tb, e);
    }
}

/* Every entry of r leaves the table, after visit(e) if given. */
static void rec_clear(struct hsomp_dep_table *tb, struct hsomp_dep_rec *r,
                      struct hsomp_task *succ, void (*visit)(struct hsomp_task *, struct hsomp_task *)) {
  if (r->out) {
    struct hsomp_dep_entry *e = r->out;
    r->out = NULL;
    if (visit)
      visit(e->task, succ);
    drop(tb, e);
  }
  if (!r->list[HSOMP_DEP_IN] && !r->list[HSOMP_DEP_SET])
    return;
  for (int k = HSOMP_DEP_IN; k <= HSOMP_DEP_SET; k++) {
    struct hsomp_dep_entry *e = r->list[k], *next;
    r->list[k] = NULL;
    for (; e; e = next) {
      next = e->next; /* e's record may be freed by drop */
      if (visit)
        visit(e->task, succ);
      drop(tb, e);
    }
  }
}

/* Completed entries leave the whole table, and emptied records go. */
static void table_sweep(struct hsomp_dep_table *tb) {
  for (size_t i = 0; i <= tb->mask; i++)
    for (struct hsomp_dep_rec **p = &tb->bucket[i], *r; (r = *p);) {
      rec_prune(tb, r);
      if (rec_empty(r)) {
        *p = r->hnext;
        r->hnext = tb->free_recs;
        tb->free_recs = r;
        tb->nrecs--;
      } else {
        p = &r->hnext;
      }
    }
  tb->sweep_at = 2 * tb->nentries + tb->slack;
}

void hsomp_deps_table_free(struct hsomp_task *t) {
  struct hsomp_dep_table *tb = t->deps;
  t->deps = NULL;
  for (size_t i = 0; i <= tb->mask; i++)
    for (struct hsomp_dep_rec *r = tb->bucket[i], *next; r; r = next) {
      next = r->hnext;
      rec_clear(tb, r, NULL, NULL);
      free(r);
    }
  for (struct hsomp_dep_rec *r = tb->free_recs, *next; r; r = next) {
    next = r->hnext;
    free(r);
  }
  if (tb->all_memory)
    let_go(tb, tb->all_memory);
  /* every child completed: every batch is settled and done, and back */
  for (struct hsomp_dep_batch *b = tb->free_batches, *next; b; b = next) {
    next = b->next;
    free(b);
  }
  free(tb->bucket);
  free(tb);
}

/* ------------------------------------------------------------------ */
/* Reading GOMP_task's depend array.                                    */

/* depend[0] != 0: depend[0] items, the first depend[1] of them out/inout,
 *   addresses from depend[2];
 * depend[0] == 0: depend[1] items: depend[2] out/inout, depend[3]
 *   mutexinoutset, depend[4] in, addresses from depend[5], then the rest
 *   are pointers to omp_depend_t objects ({address, kind}).
 * An out/inout item with a NULL address is omp_all_memory (GCC's
 * encoding, as libgomp reads it): HSOMP_DEP_ALL. */
size_t hsomp_deps_count(void **depend) {
  return (uintptr_t)(depend[0] ? depend[0] : depend[1]);
}

static inline void dep_item(void **depend, size_t i, void **addr, int *kind) {
  if (depend[0]) {
    *addr = depend[2 + i];
    *kind = i < (uintptr_t)depend[1] ? (*addr ? HSOMP_DEP_OUT : HSOMP_DEP_ALL) : HSOMP_DEP_IN;
    return;
  }
  size_t nout = (uintptr_t)depend[2] + (uintptr_t)depend[3];
  size_t normal = nout + (uintptr_t)depend[4];
  if (i < normal) {
    *addr = depend[5 + i];
    *kind = i < nout ? HSOMP_DEP_OUT : HSOMP_DEP_IN;
    if (i < (uintptr_t)depend[2] && !*addr)
      *kind = HSOMP_DEP_ALL; /* out/inout, not mutexinoutset */
    return;
  }
  void **obj = (void **)depend[5 + i];
  *addr = obj[0];
  switch ((uintptr_t)obj[1]) {
  case GOMP_DEPEND_IN:
    *kind = HSOMP_DEP_IN;
    break;
  case GOMP_DEPEND_OUT:
  case GOMP_DEPEND_INOUT:
    *kind = *addr ? HSOMP_DEP_OUT : HSOMP_DEP_ALL;
    break;
  case GOMP_DEPEND_MUTEXINOUTSET:
    *kind = HSOMP_DEP_OUT;
    break;
  case GOMP_DEPEND_INOUTSET:
    *kind = HSOMP_DEP_SET;
    break;
  default:
    hsomp_fatal("unknown omp_depend_t dependence type %d (an uninitialised depobj?)",
                (int)(uintptr_t)obj[1]);
  }
}

/* ------------------------------------------------------------------ */
/* Edges (Note [Dependences without the parent's lock]).                */

/* succ must wait for pred, unless pred has completed. */
static void add_edge(struct hsomp_task *pred, struct hsomp_task *succ) {
  if (pred == succ || completed(pred, true))
    return;
  hsomp_mutex_lock(&pred->succ_lock);
  if (atomic_load_explicit(&pred->dep_done, memory_order_relaxed) ||
      (pred->nsucc && pred->succ[pred->nsucc - 1] == succ)) {
    hsomp_mutex_unlock(&pred->succ_lock);
    return;
  }
  if (pred->nsucc == pred->succ_cap) {
    /* The record's own slots first, so most tasks never allocate here. */
    uint32_t cap = pred->succ_cap ? 2 * pred->succ_cap : HSOMP_SUCC_INLINE;
    struct hsomp_task **s;
    if (!pred->succ_cap) {
      s = pred->succ_inline;
    } else if (pred->succ == pred->succ_inline) {
      if ((s = malloc(cap * sizeof *s)))
        memcpy(s, pred->succ_inline, sizeof pred->succ_inline);
    } else {
      s = realloc(pred->succ, cap * sizeof *s);
    }
    if (!s)
      hsomp_fatal("out of memory recording a task dependence");
    pred->succ = s;
    pred->succ_cap = cap;
  }
  pred->succ[pred->nsucc++] = succ;
  atomic_fetch_add_explicit(&succ->npred, 1, memory_order_relaxed);
  hsomp_mutex_unlock(&pred->succ_lock);
  /* pred stays allocated: the table still lists it. */
  HSOMP_OMPT(task_dependence(pred, succ));
}

/* The edges a new entry of `kind' on record r needs, into `succ'. */
static void edges_for(struct hsomp_dep_rec *r, int kind, struct hsomp_task *succ) {
  if (kind == HSOMP_DEP_OUT) {
    bool lists = r->list[HSOMP_DEP_IN] || r->list[HSOMP_DEP_SET];
    if (r->out && !lists)
      add_edge(r->out->task, succ);
    for (int k = HSOMP_DEP_IN; k <= HSOMP_DEP_SET; k++)
      for (struct hsomp_dep_entry *e = r->list[k]; e; e = e->next)
        add_edge(e->task, succ);
    return;
  }
  if (r->out)
    add_edge(r->out->task, succ);
  int other = kind == HSOMP_DEP_IN ? HSOMP_DEP_SET : HSOMP_DEP_IN;
  for (struct hsomp_dep_entry *e = r->list[other]; e; e = e->next)
    add_edge(e->task, succ);
}

/* The edges from every listed entry, for an omp_all_memory waiter. */
static void edges_from_all(struct hsomp_dep_table *tb, struct hsomp_task *succ) {
  for (size_t i = 0; i <= tb->mask; i++)
    for (struct hsomp_dep_rec *r = tb->bucket[i]; r; r = r->hnext) {
      if (r->out)
        add_edge(r->out->task, succ);
      for (int k = HSOMP_DEP_IN; k <= HSOMP_DEP_SET; k++)
        for (struct hsomp_dep_entry *e = r->list[k]; e; e = e->next)
          add_edge(e->task, succ);
    }
}

static void entry_add(struct hsomp_dep_table *tb, struct hsomp_dep_entry *e) {
  struct hsomp_dep_rec *r = table_insert(tb, e->addr);
  struct hsomp_task *t = e->task;
  if (r->out && r->out->task == t)
    return; /* redundant: t already orders this address as out */
  if (e->kind != HSOMP_DEP_OUT && r->list[e->kind] && r->list[e->kind]->task == t)
    return;
  /* Completed entries are not pruned here: an out entry drops them all
   * below, and table_sweep the readers' lists. */
  edges_for(r, e->kind, t);
  if (e->kind == HSOMP_DEP_OUT) {
    /* Never one of t's own entries: its out-like ones come first, and a
     * second out on the address returned above. */
    if (r->list[HSOMP_DEP_IN] || r->list[HSOMP_DEP_SET])
      rec_clear(tb, r, NULL, NULL);
    else if (r->out)
      drop(tb, r->out);
    r->out = e;
  } else {
    e->prev = NULL;
    e->next = r->list[e->kind];
    if (e->next)
      e->next->prev = e;
    r->list[e->kind] = e;
  }
  e->rec = r;
  tb->nentries++;
  t->dep_in_table++;
}

/* t (depend(out/inout: omp_all_memory)) follows every listed entry and
 * the previous such task, and every later sibling follows t. */
static void entry_add_all(struct hsomp_dep_table *tb, struct hsomp_task *t) {
  if (tb->all_memory) {
    add_edge(tb->all_memory, t);
    let_go(tb, tb->all_memory);
  }
  for (size_t i = 0; i <= tb->mask; i++) {
    for (struct hsomp_dep_rec *r = tb->bucket[i], *next; r; r = next) {
      next = r->hnext;
      rec_clear(tb, r, t, add_edge);
      r->hnext = tb->free_recs;
      tb->free_recs = r;
    }
    tb->bucket[i] = NULL;
  }
  tb->nrecs = 0;
  if (tb->mask + 1 > TABLE_MIN) { /* later omp_all_memory tasks walk it all */
    free(tb->bucket);
    tb->bucket = buckets_new(TABLE_MIN);
    tb->mask = TABLE_MIN - 1;
  }
  tb->sweep_at = tb->slack;
  tb->all_memory = t;
  t->dep_in_table = 1;
}

/* ------------------------------------------------------------------ */

bool hsomp_deps_register(struct hsomp_task *parent, struct hsomp_task *t, void **depend,
                         void (*record_free)(struct hsomp_task *)) {
  size_t n = t->ndeps, k = 0;
  bool all = false;
  atomic_store_explicit(&t->npred, 1, memory_order_relaxed);
  /* Out-like entries first: Note [Dependence table]. */
  for (int pass = 0; pass < 2; pass++)
    for (size_t i = 0; i < n; i++) {
      void *addr;
      int kind;
      dep_item(depend, i, &addr, &kind);
      if ((kind == HSOMP_DEP_OUT || kind == HSOMP_DEP_ALL) != (pass == 0))
        continue;
      all |= kind == HSOMP_DEP_ALL;
      struct hsomp_dep_entry *e = &t->dep[k++];
      e->rec = NULL;
      e->prev = e->next = NULL;
      e->task = t;
      e->addr = addr;
      e->kind = kind;
    }
  struct hsomp_dep_table *tb = parent->deps;
  if (!tb)
    tb = parent->deps = table_new(record_free, SWEEP_SLACK + SWEEP_SLACK_PER_THREAD *
                                                                (t->team ? t->team->nthreads : 1));
  if (HSOMP_UNLIKELY(all)) {
    entry_add_all(tb, t);
  } else {
    if (HSOMP_UNLIKELY(tb->all_memory != NULL)) {
      if (completed(tb->all_memory, false)) {
        let_go(tb, tb->all_memory);
        tb->all_memory = NULL;
      } else {
        add_edge(tb->all_memory, t);
      }
    }
    for (size_t i = 0; i < n; i++)
      entry_add(tb, &t->dep[i]);
    if (tb->nentries >= tb->sweep_at)
      table_sweep(tb);
  }
  /* The table now refers to t until its creator lets go; t cannot run
   * (and complete) before the decrement below. */
  if (t->dep_in_table)
    atomic_store_explicit(&t->dep_hold, 2, memory_order_relaxed);
  return atomic_fetch_sub_explicit(&t->npred, 1, memory_order_acq_rel) != 1;
}

void hsomp_deps_release(struct hsomp_thread *self, struct hsomp_task *t) {
  if (HSOMP_UNLIKELY(t->flags & HSOMP_TASK_DEP_PROXY)) {
    uintptr_t pb = t->dep_proxy_batch;
    if (pb) { /* Note [Completion signalled per batch] */
      struct hsomp_dep_batch *b = (struct hsomp_dep_batch *)(pb & ~(uintptr_t)(HSOMP_CACHELINE - 1));
      unsigned k = (unsigned)pb & (BATCH_MAX - 1);
      uint64_t old = atomic_fetch_or_explicit(&b->state, BATCH_DONE(k), memory_order_acq_rel);
      if (!(old & BATCH_WATCH(k))) { /* quiet: dep_origin stays NULL */
        HSOMP_SIM_EVENT("dep-done-quiet");
        return;
      }
      /* watched: its place is not free yet, so the batch is still there */
      t->dep_origin = b->origin[k];
      old = atomic_fetch_or_explicit(&b->state, BATCH_FREED(k), memory_order_acq_rel) | BATCH_FREED(k);
      if ((old & BATCH_LAST) && (old & BATCH_ALL_FREED) == BATCH_ALL_FREED)
        free(b); /* its creator has settled every task: nobody needs it any more */
    }
    HSOMP_SIM_EVENT(pb ? "dep-done-watched" : "dep-done-proxy-alone");
    t = t->dep_origin; /* Note [Tasks with dependences described in the hand-off] */
  } else {
    HSOMP_SIM_EVENT("dep-done-record");
  }
  hsomp_mutex_lock(&t->succ_lock);
  atomic_store_explicit(&t->dep_done, true, memory_order_release);
  struct hsomp_task **succ = t->succ;
  uint32_t nsucc = t->nsucc;
  t->succ = NULL;
  t->nsucc = t->succ_cap = 0;
  hsomp_mutex_unlock(&t->succ_lock);
  for (uint32_t i = 0; i < nsucc; i++) {
    struct hsomp_task *s = succ[i];
    /* Read before the decrement: a waiter may be gone right after it. */
    bool waiter = s->flags & HSOMP_TASK_DEP_WAITER;
    struct hsomp_team *team = s->team;
    uint32_t npred = atomic_fetch_sub_explicit(&s->npred, 1, memory_order_acq_rel);
    HSOMP_ASSERT(npred >= 1);
    if (npred != 1)
      continue;
    if (waiter)
      hsomp_task_wake(team);
    else
      hsomp_task_schedule_readied(self, team, s);
  }
  if (succ != t->succ_inline)
    free(succ);
}

/* An included task (or taskwait depend) waits as if it were a sibling
 * entered into the table, without entering it: nothing can be created
 * after it until it has run, since its parent is suspended meanwhile.  A
 * stack pseudo-task collects the edges.  Runs on the parent's thread, the
 * table's only user. */
bool hsomp_deps_waiter(struct hsomp_task *w, struct hsomp_task *parent, struct hsomp_team *team,
                       void **depend) {
  struct hsomp_dep_table *tb = parent->deps;
  w->flags = HSOMP_TASK_DEP_WAITER;
  w->team = team;
  atomic_init(&w->npred, 1);
  size_t n = hsomp_deps_count(depend);
  bool all = false;
  for (size_t i = 0; i < n && !all; i++) {
    void *addr;
    int kind;
    dep_item(depend, i, &addr, &kind);
    all = kind == HSOMP_DEP_ALL;
  }
  if (tb->all_memory)
    add_edge(tb->all_memory, w);
  if (all) {
    edges_from_all(tb, w);
  } else {
    for (size_t i = 0; i < n; i++) {
      void *addr;
      int kind;
      dep_item(depend, i, &addr, &kind);
      struct hsomp_dep_rec *r = table_find(tb, addr);
      if (r)
        edges_for(r, kind, w);
    }
  }
  return atomic_fetch_sub_explicit(&w->npred, 1, memory_order_acq_rel) != 1;
}

/* ------------------------------------------------------------------ */
/* Batches (Note [Completion signalled per batch]).                     */

static struct hsomp_dep_batch *batch_new(struct hsomp_task *first) {
  struct hsomp_dep_table *tb = first->parent->deps;
  uint64_t state = 0;
  unsigned count = 0, watched = 0;
  for (struct hsomp_task *r = first; r; r = r->handed_next, count++) {
    if (count == BATCH_MAX)
      return NULL;
    HSOMP_ASSERT(!(r->dep_in_batch & BATCH_STATE));
    /* successors already, or the table let go of it (its completion
     * path frees it): it completes as before */
    if (r->nsucc || !r->dep_in_table) {
      state |= BATCH_WATCH(count);
      watched++;
    }
  }
  if (watched == count)
    return NULL;
  struct hsomp_dep_batch *b = tb->free_batches;
  if (b)
    tb->free_batches = b->next;
  else if (!(b = aligned_alloc(HSOMP_CACHELINE, sizeof *b))) /* a multiple of the line */
    return NULL; /* one by one, as before */
  state |= BATCH_ALL_FREED & ~(BATCH_FREED(count) - BATCH_FREED(0)); /* places past the batch */
  atomic_store_explicit(&b->state, state, memory_order_relaxed); /* published by the hand-off */
  b->table = tb;
  b->count = (uint8_t)count;
  b->settled = (uint8_t)watched;
  b->quiet = 0;
  unsigned k = 0;
  for (struct hsomp_task *r = first; r; r = r->handed_next, k++) {
    b->origin[k] = r;
    if (!(state & BATCH_WATCH(k)))
      r->dep_in_batch = (uintptr_t)b | (uintptr_t)k << BATCH_PLACE_SHIFT | BATCH_PENDING;
  }
  return b;
}

static void batch_back(struct hsomp_dep_batch *b, struct hsomp_task *first) {
  for (struct hsomp_task *r = first; r; r = r->handed_next)
    if (r->dep_in_batch & BATCH_STATE)
      r->dep = (struct hsomp_dep_entry *)(r + 1); /* unmarked: it completes as itself */
  struct hsomp_dep_table *tb = b->table;
  b->next = tb->free_batches;
  tb->free_batches = b;
}

static const struct hsomp_dep_batch_fns batch_fns = {batch_new, batch_back};
