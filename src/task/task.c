/* task.c -- task records and their life: the team's tasking state, the
 * records of implicit and included tasks, running a task, completing and
 * releasing records, the wait loop every task-aware wait uses, and the
 * hook through which the team's barrier and join run tasks
 * (hsomp_task_help_until).
 *
 * The records and their counting are described in Note [Task records]
 * (task_internal.h).  Creating tasks and waiting for them (GOMP_task,
 * taskwait, taskgroups) is task_create.c; scheduling (deques, stealing)
 * task_sched.c, dependences task_deps.c, detach events task_event.c. */
#include "task_internal.h"
#include "ompt_internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

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
  free(tk->hand);
  free(tk);
}

static struct hsomp_task *record_remake(struct hsomp_thread *self, struct hsomp_team *team,
                                        const struct hsomp_hand_desc *d, const uint64_t *entry,
                                        struct hsomp_tie_sig ancestors);

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
  tk->record_remake = record_remake; /* Note [Tasks described in the hand-off] */
  tk->record_free = hsomp_record_free;
  if (cap > HSOMP_TASK_BIG_TEAM) {
    if (posix_memalign((void **)&tk->hand, HSOMP_CACHELINE, (size_t)cap * sizeof *tk->hand) != 0)
      hsomp_fatal("out of memory allocating the hand-off lines of a team of %u threads", cap);
    memset(tk->hand, 0, (size_t)cap * sizeof *tk->hand);
  }
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

/* Note [Recycled task records]
 * Most tasks need a record of a few hundred bytes (the record, a few
 * dependence entries, small arguments), and a task program makes and
 * frees them at a high rate.  A record that fits HSOMP_RECORD_BLOCK bytes
 * is allocated as a block of exactly that size, aligned to a line (flag
 * HSOMP_TASK_BLOCK; block_new), and the thread that frees it keeps it in its own
 * cache (at most HSOMP_RECORD_CACHE blocks) for its next task: no lock,
 * no shared line, and the block is cache-warm when the same thread runs
 * and frees most of what it made (depth-first tasks).  Blocks move
 * between threads' caches freely: they are all alike.  The cache is an
 * array of pointers in memory of the thread's own, not a list linked
 * through the blocks: a runner that freed a record it did not make would
 * otherwise write the record's first line, which its maker wrote and
 * reads (Note [Compact task records]).  And a free record's count reads
 * 1, as a new record's must: a task that made no child never touched
 * its count, and the thread that brings a count to 0 (and so frees the
 * record) sets it back to 1, in a line it holds; so a maker does not
 * write the count's line, which the previous task's children may have
 * changed.  (A fresh block and a depot batch's own block get theirs in
 * hsomp_record_alloc.)  The cache goes back to malloc when its thread's
 * record goes away.  A batch handed to a waiting thread as a description
 * leaves its records with their maker, and its receiver makes its own
 * (Note [Tasks described in the hand-off] in task_handoff.c).
 *
 * Note [The record depot]
 * When one thread makes the tasks and others run them (a producer in
 * `single' or `master'), the blocks pile up in the runners' caches and
 * the producer's stays empty: every task then cost the producer a malloc
 * and a runner a free of a block from the producer's arena (glibc takes
 * that arena's lock, the producer's malloc takes it too).  So a thread
 * whose cache is full hands a batch of HSOMP_RECORD_BATCH blocks to the
 * process's depot (one CAS), and a thread whose cache is empty takes a
 * batch from the depot (one exchange) before it calls malloc.  A batch
 * is one of its blocks holding the addresses of the others (struct
 * record_batch): a batch costs the lines of that one block and a few
 * atomic operations on the depot's line.  The depot is a stack of
 * batches; a taker exchanges the whole stack for NULL, keeps one batch
 * and pushes the others back, so the stack is never popped one element
 * at a time and needs no counter against ABA.  The depot keeps at most
 * HSOMP_RECORD_DEPOT blocks (its count is a hint, updated apart from the
 * stack); past that a full cache's batch goes back to malloc.  The depot
 * outlives every thread, and nothing in it refers to a thread record. */
#define HSOMP_RECORD_CACHE 256 /* HSOMP_THROTTLE (task_create.c): a full deque's worth comes back */
#define HSOMP_RECORD_DEPOT 8192
_Static_assert(sizeof(struct hsomp_task) <= HSOMP_RECORD_BLOCK, "a bare record fits a block");

/* A batch in the depot: a block that holds the next batch and the
 * addresses of `count' other blocks. */
struct record_batch {
  struct record_batch *next_batch;
  unsigned long count;
  void *block[(HSOMP_RECORD_BLOCK - 2 * sizeof(void *)) / sizeof(void *)];
};
_Static_assert(sizeof(struct record_batch) <= HSOMP_RECORD_BLOCK, "a batch fits a block");
#define HSOMP_RECORD_BATCH (1 + sizeof(((struct record_batch *)0)->block) / sizeof(void *))
_Static_assert(HSOMP_RECORD_BATCH <= HSOMP_RECORD_CACHE, "a batch fits a cache");

struct record_depot {
  struct record_batch *_Atomic top;
  _Atomic unsigned long count; /* blocks in it: a hint */
};
static HSOMP_OWN_LINE(struct record_depot, depot); /* Note [Hot globals own their line] */

static void records_release(struct hsomp_thread *self);

static void depot_push(struct record_batch *first, struct record_batch *last) {
  struct record_batch *old = atomic_load_explicit(&depot.value.top, memory_order_relaxed);
  do
    last->next_batch = old;
  while (!atomic_compare_exchange_weak_explicit(&depot.value.top, &old, first, memory_order_release,
                                                memory_order_relaxed));
}

/* One batch of the depot goes into this thread's (empty) cache: all are
 * taken, the others go back. */
static bool depot_take(struct hsomp_task_cache *c) {
  if (!atomic_load_explicit(&depot.value.top, memory_order_relaxed))
    return false;
  struct record_batch *b = atomic_exchange_explicit(&depot.value.top, NULL, memory_order_acquire);
  if (!b)
    return false;
  if (b->next_batch) {
    struct record_batch *last = b->next_batch;
    while (last->next_batch)
      last = last->next_batch;
    depot_push(b->next_batch, last);
  }
  unsigned long n = b->count;
  atomic_fetch_sub_explicit(&depot.value.count, n + 1, memory_order_relaxed);
  for (unsigned long i = 0; i < n; i++)
    c->slot[i] = b->block[i];
  atomic_init(&((struct hsomp_task *)b)->pending, 1); /* Note [Recycled task records] */
  c->slot[n] = b; /* the batch's own block, taken first */
  c->count = (unsigned)n + 1;
  return true;
}

/* A block comes from malloc with a line's room to align it (a
 * posix_memalign costs a free of the part before); the address malloc
 * gave lies just past the block's HSOMP_RECORD_BLOCK bytes. */
static void *block_new(void) {
  char *raw = malloc(HSOMP_RECORD_BLOCK + HSOMP_CACHELINE);
  if (!raw)
    hsomp_fatal("out of memory allocating a task record");
  char *p = (char *)(((uintptr_t)raw + HSOMP_CACHELINE - 1) & ~(uintptr_t)(HSOMP_CACHELINE - 1));
  _Static_assert(HSOMP_CACHELINE - 16 + sizeof(void *) <= HSOMP_CACHELINE, "malloc aligns to 16 bytes: the slack holds the address");
  memcpy(p + HSOMP_RECORD_BLOCK, &raw, sizeof raw);
  return p;
}

static void block_free(void *p) {
  void *raw;
  memcpy(&raw, (char *)p + HSOMP_RECORD_BLOCK, sizeof raw);
  free(raw);
}

static void cache_init(struct hsomp_thread *self, struct hsomp_task_cache *c) {
  if (!(c->slot = malloc(HSOMP_RECORD_CACHE * sizeof *c->slot)))
    hsomp_fatal("out of memory allocating a task record cache");
  c->count = 0;
  self->release_task_records = records_release;
}

void *hsomp_record_alloc(struct hsomp_thread *self, size_t size, bool *block) {
  *block = size <= HSOMP_RECORD_BLOCK;
  void *p = NULL;
  if (*block) {
    struct hsomp_task_cache *c = &self->task_records;
    if (HSOMP_LIKELY(c->count != 0))
      return c->slot[--c->count];
    if (!c->slot)
      cache_init(self, c);
    if (depot_take(c)) /* Note [The record depot] */
      return c->slot[--c->count];
    p = block_new();
  } else if (posix_memalign(&p, HSOMP_CACHELINE, size) != 0) {
    hsomp_fatal("out of memory allocating a task (%zu bytes)", size);
  }
  atomic_init(&((struct hsomp_task *)p)->pending, 1); /* Note [Recycled task records] */
  return p;
}

/* Hand a batch of the thread's full cache to the depot, or to malloc
 * past the depot's bound. */
static void cache_give_back(struct hsomp_task_cache *c) {
  unsigned n = HSOMP_RECORD_BATCH;
  c->count -= n;
  void **from = &c->slot[c->count];
  if (atomic_load_explicit(&depot.value.count, memory_order_relaxed) + n <= HSOMP_RECORD_DEPOT) {
    struct record_batch *b = from[0];
    b->count = n - 1;
    for (unsigned i = 1; i < n; i++)
      b->block[i - 1] = from[i];
    atomic_fetch_add_explicit(&depot.value.count, n, memory_order_relaxed);
    depot_push(b, b);
  } else {
    for (unsigned i = 0; i < n; i++)
      block_free(from[i]);
  }
}

void hsomp_record_free(struct hsomp_task *t) {
  struct hsomp_thread *self = hsomp_tls;
  if (!(t->flags & HSOMP_TASK_BLOCK)) {
    free(t);
    return;
  }
  if (HSOMP_UNLIKELY(!self)) {
    block_free(t);
    return;
  }
  struct hsomp_task_cache *c = &self->task_records;
  if (HSOMP_UNLIKELY(!c->slot))
    cache_init(self, c);
  else if (c->count == HSOMP_RECORD_CACHE)
    cache_give_back(c); /* Note [The record depot] */
  c->slot[c->count++] = t;
}

/* A record, in this thread's memory, for a task of a batch described in a
 * hand-off, `entry' its words (Note [Tasks described in the hand-off] in
 * task_handoff.c): the task as its maker's record described it, counted
 * already.  task_handoff.c, below this file, reaches it through the
 * tasking state (tasking_install). */
static struct hsomp_task *record_remake(struct hsomp_thread *self, struct hsomp_team *team,
                                        const struct hsomp_hand_desc *d, const uint64_t *entry,
                                        struct hsomp_tie_sig ancestors) {
  size_t arg_size = (size_t)d->words * 8;
  bool block;
  struct hsomp_task *t = hsomp_record_alloc(self, d->offset + arg_size, &block);
  HSOMP_ASSERT(block);
  void (*fn)(void *) = d->fn;
  if (!fn)
    memcpy(&fn, entry++, sizeof fn);
  t->fn = fn;
  t->data = (char *)t + d->offset;
  for (unsigned w = 0; w < d->words; w++)
    memcpy((char *)t->data + 8 * w, &entry[w], 8);
  t->parent = d->parent;
  t->team = team;
  t->owner = t;
  t->taskgroup = d->taskgroup;
  t->counted_tg = d->counted_tg;
  t->arg_size = arg_size;
  t->depth = d->depth;
  t->ancestors = ancestors;
  t->flags = HSOMP_TASK_DEFERRED | HSOMP_TASK_BLOCK | d->flags;
  t->priority = 0;
  t->taskgroup_own = false;
  /* t->pending is 1 already (Note [Recycled task records] in task.c) */
  t->deps = NULL;
  t->icv = d->icv;
  return t;
}

/* The thread record goes away (hsomp_thread_release_caches). */
static void records_release(struct hsomp_thread *self) {
  struct hsomp_task_cache *c = &self->task_records;
  for (unsigned i = 0; i < c->count; i++)
    block_free(c->slot[i]);
  free(c->slot);
  *c = (struct hsomp_task_cache){0};
}

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
  t->interval = self->ts.bar_passed; /* Note [Describing after a barrier] (task_handoff.c) */
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
  bool block;
  struct hsomp_task *h = hsomp_record_alloc(hsomp_self(), sizeof *h, &block);
  memset(h, 0, sizeof *h);
  h->parent = p;
  h->team = r->team;
  h->owner = r->owner;
  h->taskgroup = r->taskgroup;
  h->taskgroup_own = r->taskgroup_own;
  h->counted_tg = r->counted_tg;
  h->depth = r->depth;
  h->ancestors = hsomp_task_child_ancestors(p);
  h->interval = p->interval;
  h->flags = (r->flags & ~(uint32_t)HSOMP_TASK_ON_STACK) | HSOMP_TASK_HEAP_COPY |
             (block ? HSOMP_TASK_BLOCK : 0);
  h->ompt_task = r->ompt_task;
  h->priority = r->priority;
  atomic_init(&h->pending, 1);
  hsomp_task_mark_parent(p);
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
  if (t->flags & HSOMP_TASK_DEPEND) { /* Note [Compact task records] */
    if (t->succ != t->succ_inline)
      free(t->succ);
    if (!hsomp_deps_may_free(t))
      return; /* its parent's dependence table frees it (task_deps.c) */
  }
  hsomp_record_free(t);
}

/* Note [Counting children in advance]
 * Every deferred child adds a unit to its parent's kids and live counts
 * (Note [Task records]), and the children's completions, often on other
 * threads, take them away: a parent that makes many children (a producer
 * in `single') had its count's line taken from it by a completion between
 * each two of its children, and read it again for the children bound
 * (Note [Throttled tasks], task_create.c).  So the thread that makes the
 * children adds their units in batches, 1, 1, 2, 4 and then 8 children
 * at a time, and keeps the units not used yet (`kid_credit', for the task
 * `kid_credit_task') for its next children of the same task; the
 * children bound (Note [Throttled tasks], task_create.c) is read only
 * when a batch is counted.  Only implicit tasks count so (the producers
 * of `single', `master' and worksharing loops): an explicit task mostly
 * makes a few children (a tree's two), which this would only make
 * dearer.  A count too high by the units kept is safe: it keeps the
 * record alive and makes waits on it wait; and only the thread that runs
 * an implicit task waits on its kids or live count (a taskwait, a
 * taskgroup end, a barrier's or the join's settling: all through
 * task_wait).  So the thread gives its units back (one release, as for
 * that many completed children) at the start of every task wait and when
 * it makes a child of another task (an implicit task of a nested team);
 * then the counts are exact whenever anyone waits on them.  Taskgroup
 * counts are not counted in advance.  In teams of more than
 * HSOMP_TASK_BIG_TEAM threads the batches grow to half the team, at least
 * 32 children: there the children bound (HSOMP_CUTOFF_KIDS_PER_THREAD per
 * thread) is 256 times a batch, and the count's line is taken by the
 * completions of many runners, 2 transfers per batch in the model, so a
 * producer's count costs O(tasks / N) rather than O(tasks / 32) (at 256
 * threads a round of 1024 tasks counted 31 batches, now 7). */
#define HSOMP_KID_CREDIT_MAX 8
#define HSOMP_KID_CREDIT_MAX_BIG 32

void hsomp_task_return_credit_slow(struct hsomp_thread *self) {
  struct hsomp_task *t = self->kid_credit_task;
  uint64_t units = self->kid_credit;
  self->kid_credit = 0;
  hsomp_task_release(t->team, t, units * (HSOMP_KID | 1));
}

void hsomp_task_count_child_slow(struct hsomp_thread *self, struct hsomp_task *parent) {
  /* Here the credit is spent, or for another task. */
  uint32_t step = 0;
  if (self->kid_credit_task == parent)
    step = self->kid_credit_step;
  else
    hsomp_task_return_credit(self);
  uint32_t use = step ? step : 1;
  atomic_fetch_add_explicit(&parent->pending, use * (HSOMP_KID | 1), memory_order_relaxed);
  self->kid_credit_task = parent;
  self->kid_credit = use - 1;
  uint32_t most = HSOMP_KID_CREDIT_MAX;
  if (parent->team && parent->team->nthreads > HSOMP_TASK_BIG_TEAM)
    most = parent->team->nthreads / 2 > HSOMP_KID_CREDIT_MAX_BIG ? parent->team->nthreads / 2
                                                                 : HSOMP_KID_CREDIT_MAX_BIG;
  self->kid_credit_step = step == 0 ? 1 : (2 * step < most ? 2 * step : most);
}

static void taskgroup_release_n(struct hsomp_team *team, struct hsomp_taskgroup *tg, uint32_t n) {
  uint32_t old = atomic_fetch_sub_explicit(&tg->live, n, memory_order_acq_rel);
  HSOMP_ASSERT((old & 0x7fffffffu) >= n);
  if ((old & 0x7fffffffu) == n && (old & 0x80000000u))
    hsomp_task_wake(team);
}
static void taskgroup_release(struct hsomp_team *team, struct hsomp_taskgroup *tg) {
  taskgroup_release_n(team, tg, 1);
}

/* Note [Releasing a record]
 * Whoever brings a record's live count to 0 owns the record: nobody else
 * can reach it any more (its children have all released it, it is in no
 * queue, and its thread has finished it), except its parent's dependence
 * table, which may still list it and then frees it itself (Note
 * [Dependences without the parent's lock] in task_deps.c).  That thread
 * frees it and passes one live unit up to the parent, which may in
 * turn reach 0.  Nothing touches a record after its release: a wake-up
 * goes through the team's event word, never through the record. */
void hsomp_task_release(struct hsomp_team *team, struct hsomp_task *t, uint64_t amount) {
  while (t) {
    uint64_t old = atomic_fetch_sub_explicit(&t->pending, amount, memory_order_acq_rel);
    uint64_t now = old - amount;
    /* Note [Task records]: neither count goes below 0. */
    HSOMP_ASSERT(hsomp_live(old) >= hsomp_live(amount) && hsomp_kids(old) >= hsomp_kids(amount));
    /* Note [Two sleep words] */
    if ((old & HSOMP_WAITER) && hsomp_kids(now) == 0)
      hsomp_task_wake(team);
    if ((old & HSOMP_SETTLER) && hsomp_live(now) <= 1)
      hsomp_team_wake(team);
    if (hsomp_live(now) != 0)
      return;
    struct hsomp_task *parent = t->parent;
    struct hsomp_taskgroup *tg = t->counted_tg;
    atomic_store_explicit(&t->pending, 1, memory_order_relaxed); /* Note [Recycled task records] */
    record_free(t);
    if (tg)
      taskgroup_release(team, tg);
    t = parent;
    amount = 1;
  }
}

/* Note [Completions counted in batches]
 * In a team of more than HSOMP_TASK_BIG_TEAM threads, a thread that runs
 * tasks in a task wait does not release each finished task's units in
 * its parent and taskgroup at once: it counts them in its wait (struct
 * done_batch) while the tasks it runs next have the same parent and
 * counted taskgroup -- siblings handed to it together (Note [Handing
 * tasks in pairs], task_handoff.c), or taken one after another -- and
 * releases them in one operation on each count.  The parent's count line
 * then moves once per batch, not once per task.  A batch is released
 * before the thread runs a task with another parent or taskgroup, when
 * its look for a task finds none, before it checks its own wait's
 * condition when that condition is the batch's parent's children (a
 * taskwait, a taskgroup end), before it sleeps and when its wait ends.
 * Holding the units never blocks anyone: while it holds them the thread
 * runs only siblings with the same parent and taskgroup, and whatever
 * waits on those counts waits for that sibling too; when it runs out of
 * such work it releases them before it does anything else.  Only the
 * common completion is counted so (no child record alive); the units of
 * a task whose children still run are released at once.  Smaller teams
 * release at once, as before. */
struct done_batch {
  struct hsomp_task *parent;
  struct hsomp_taskgroup *tg;
  uint64_t n;                     /* completed children of `parent' not released yet */
};

static void batch_release(struct hsomp_team *team, struct done_batch *b) {
  uint64_t n = b->n;
  b->n = 0;
  if (b->tg)
    taskgroup_release_n(team, b->tg, (uint32_t)n);
  hsomp_task_release(team, b->parent, n * (HSOMP_KID | 1));
}

/* hsomp_task_complete; with a batch `b' (NULL: none), the common case's
 * units are counted in it (Note [Completions counted in batches]). */
static inline __attribute__((always_inline)) void task_complete(struct hsomp_thread *self,
                                                                struct hsomp_team *team,
                                                                struct hsomp_task *t,
                                                                struct done_batch *b) {
  if (t->flags & HSOMP_TASK_DEPEND)
    hsomp_deps_release(self, t);
  struct hsomp_task *parent = t->parent;
  /* Note [Compact task records]: a task that never counted a child
   * leaves its count's line alone. */
  if (!(t->flags & HSOMP_TASK_PARENT) || atomic_load_explicit(&t->pending, memory_order_acquire) == 1) {
    /* No child record is alive (each would hold a unit), so nobody else
     * can change the count: the subtree is done with the task. */
    struct hsomp_taskgroup *tg = t->counted_tg;
    record_free(t);
    if (b) { /* emptied by waiter_run_batched unless it holds t's siblings */
      HSOMP_ASSERT(b->n == 0 || (b->parent == parent && b->tg == tg));
      b->parent = parent;
      b->tg = tg;
      b->n++;
      return;
    }
    if (tg)
      taskgroup_release(team, tg);
    hsomp_task_release(team, parent, HSOMP_KID | 1);
  } else {
    hsomp_task_release(team, parent, HSOMP_KID);
    hsomp_task_release(team, t, 1);
  }
}

void hsomp_task_complete(struct hsomp_thread *self, struct hsomp_team *team, struct hsomp_task *t) {
  task_complete(self, team, t, NULL);
}


/* Run t, a task of `team' (the thread's team: t->team, which lies
 * outside the line the runner reads, Note [Compact task records]). */
static inline __attribute__((always_inline)) void task_run(struct hsomp_thread *self,
                                                           struct hsomp_team *team,
                                                           struct hsomp_task *t,
                                                           struct done_batch *b) {
  HSOMP_ASSERT(team == t->team);
  bool discarded = hsomp_task_cancelled(team, t);
  if (HSOMP_LIKELY(!discarded)) {
    struct hsomp_task *prev = self->ts.task;
    /* The ICVs as blocks: a struct copy goes field by field. */
    unsigned char saved[sizeof(struct hsomp_icv)];
    memcpy(saved, &self->icv, sizeof saved);
    HSOMP_OMPT(task_switch(self, t));
    self->ts.task = t;
    memcpy(&self->icv, t->icv, sizeof saved);
    t->fn(t->data);
    memcpy(&self->icv, saved, sizeof saved);
    self->ts.task = prev;
    /* Note [Detach events and tools] (task_event.c) */
    if ((t->flags & HSOMP_TASK_DETACH) && HSOMP_UNLIKELY(hsomp_ompt_enabled) &&
        hsomp_event_detach_begin(t))
      hsomp_ompt_task_detached(self, t);
    else
      HSOMP_OMPT(task_complete(self, t));
  } else {
    HSOMP_OMPT(task_discarded(t));
  }
  /* The event may still be outstanding: then its fulfiller completes the
   * task, unless it was discarded (Note [Detach events]). */
  if ((t->flags & HSOMP_TASK_DETACH) && !hsomp_event_body_done(self, t, discarded))
    return;
  task_complete(self, team, t, b);
}

void hsomp_task_run(struct hsomp_thread *self, struct hsomp_task *t) {
  task_run(self, self->ts.team, t, NULL);
}

/* ------------------------------------------------------------------ */
/* Waking and waiting.                                                  */

/* Note [One wake-up per task]
 * Queueing a task wakes one sleeper, not all of them (a condition made
 * true still wakes all: every waiter may be waiting for it).  One task
 * needs one thread; waking the whole team per task made every sleeper
 * look at the queues, so a burst of n tasks in a team of N cost up to
 * n * N wake-ups and scans.  The word is bumped as for any wake, so a
 * waiter on its way to sleep looks again instead.  The wake-up goes to
 * a thread that may run any task (Note [Two sleep words]); only when none
 * sleeps are the constrained sleepers woken, all of them, since the task
 * may be one that only some of them may run. */

/* Note [Waiting for tasks]
 * Every wait of the tasking engine (barriers, taskwait, taskgroup end,
 * dependences of included tasks, detach events, the end of a region) is
 * hsomp_wait_until (wait.h) with running tasks as its work: while the
 * condition is false, run a task this thread may run, else spin a
 * little, else sleep on one of the team's two words (Note [Two sleep
 * words]).  Anyone who makes a condition true or queues a task changes
 * the state first, then calls hsomp_task_wake / hsomp_team_wake /
 * hsomp_task_wake_one, which after a seq_cst fence read the word's
 * sleepers and, if there are any, bump it and wake them (Note [Sleeping
 * without lost wake-ups]).  Before sleeping, a waiter that is not
 * constrained also checks that no queue holds a task.
 * Conditions on a record or a taskgroup count are cheaper still: the
 * waiter sets a bit in the counted word itself (arm: HSOMP_WAITER for a
 * taskwait, HSOMP_SETTLER for a barrier or the join settling its
 * implicit task, bit 31 of a taskgroup's count), and a releaser wakes
 * only when it sees that bit and the count reaches the waited-for value,
 * so running tasks do not touch the sleep words at all in the common
 * case.
 *
 * A thread suspended in a tied task (taskwait, taskgroup end, dependence
 * wait) may only start descendants of that task (the Task Scheduling
 * Constraint); at a barrier any task of the team may run.  Such a
 * constrained thread cannot sleep on "some queue is non-empty" (the tasks
 * there may be ones it may not run); it relies instead on the threads that
 * queued tasks on their deques, which can always run what they queued,
 * and before sleeping it looks in the shared queue for a task it may run
 * (tasks readied by threads outside the team go there, and their
 * readier may be no member at all).
 *
 * Note [Two sleep words]
 * The team has two sleep words.  `event': the waits that may run any of
 * the team's tasks -- barriers, the join, the settling of an implicit
 * task -- woken by queued tasks (one thread per task), by barrier and
 * join steps, by cancellation and by a settled implicit task
 * (HSOMP_SETTLER).  `task_done': the constrained waits -- taskwait,
 * taskgroup end, dependence waits, included detached tasks -- woken by
 * the completions they wait for (HSOMP_WAITER, a taskgroup's bit, a
 * dependence waiter's last predecessor, a fulfilled event).  With one
 * word, a barrier step woke every thread in a taskwait, a completion woke
 * every thread at a barrier, and the one wake-up of a queued task could
 * go to a thread in a taskwait that may not run the task, while a thread
 * at the barrier slept on.  No wake-up is lost by the split: each kind of
 * waiter sleeps on the word that its own conditions' wakers bump; a
 * queued task wakes an unconstrained sleeper (which may run it) or, when
 * there is none, every constrained one; and a constrained waiter checks
 * the shared queue itself after announcing its sleep (above), the one
 * queue whose tasks nobody awake may be bound to run. */
/* Note [A spin budget in time]
 * The team's budget is a number of spin rounds, but a round of a task
 * wait includes a look for work, which costs more in a bigger team (and
 * more still when the thread is preempted in between).  So a task wait
 * also measures the time since it last found a task, and once that
 * exceeds the budget at HSOMP_TICKS_PER_ROUND ticks a round (about 2.5 ms
 * at the default budget) it stops spinning early: it sets its rounds to 0,
 * so that hsomp_wait_until goes to sleep.  Running a task starts both
 * counts over.  The clock is read every HSOMP_TIME_CHECK_EVERY idle
 * rounds only. */
#define HSOMP_TICKS_PER_ROUND 64
#define HSOMP_TIME_CHECK_EVERY 16

struct task_waiter {
  struct hsomp_thread *self;
  struct hsomp_team *team;
  struct hsomp_task *constraint;
  const struct hsomp_wait *w;
  struct hsomp_spin *spin;       /* its rounds go to 0 when the time is up */
  unsigned long rounds;          /* the budget in rounds */
  uint64_t idle_since;           /* ticks when it last found no task after one; 0: busy */
  unsigned idle_rounds;
  struct done_batch *batch;      /* big teams: Note [Completions counted in batches]; else NULL */
};

static bool waiter_done(void *arg) {
  const struct task_waiter *tw = arg;
  return tw->w->done(tw->w->arg);
}
/* Note [A task wait that takes its count]
 * A task whose child ran on another thread (a tree's subtree, handed:
 * Note [Designated receivers], task_handoff.c) finds it complete in its
 * count's line, which the child's completion wrote.  A load there takes
 * the line shared, and the next write to it -- the task's thread again,
 * counting the first child of the next task made in that record (Note
 * [Recycled task records]) -- must take it from the child's thread once
 * more.  So in a big team a taskwait looks at its count with an atomic
 * add of 0: the look takes the line for the waiter, once per completion
 * that wrote it, and the record's next life counts its first child in a
 * line its thread holds (in the model, a tree at 256 threads: the count's
 * line three transfers a move -> two).  It is a locked instruction on a
 * line the waiter mostly holds, and returns what a load would.  Only
 * this path of a big team's wait knows it (the condition is
 * hsomp_task_kids_done, by address): a small team's taskwait, and its
 * first look before it waits, are loads as before. */
bool hsomp_task_kids_done(void *arg) { return hsomp_task_no_kids(arg); }
static bool kids_done_taken(void *arg) {
  struct hsomp_task *t = arg;
  return hsomp_kids(atomic_fetch_add_explicit(&t->pending, 0, memory_order_seq_cst)) == 0;
}

/* The same in a big team (Note [Completions counted in batches]). */
static bool waiter_done_batched(void *arg) {
  const struct task_waiter *tw = arg;
  if (tw->batch->n && tw->batch->parent == tw->constraint)
    batch_release(tw->team, tw->batch);
  if (tw->w->done == hsomp_task_kids_done) /* Note [A task wait that takes its count] */
    return kids_done_taken(tw->w->arg);
  return tw->w->done(tw->w->arg);
}
/* Note [Completions counted in batches]: run t (found by the waiter in a
 * big team) counting its completion in the wait's batch. */
static __attribute__((noinline)) void waiter_run_batched(struct task_waiter *tw, struct hsomp_task *t) {
  struct done_batch *b = tw->batch;
  if (b->n && (t->parent != b->parent || t->counted_tg != b->tg))
    batch_release(tw->team, b);
  task_run(tw->self, tw->team, t, b);
}

static bool waiter_run_one(void *arg) {
  struct task_waiter *tw = arg;
  struct hsomp_task *t = hsomp_task_find(tw->self, tw->team, tw->constraint);
  if (!t) {
    if (HSOMP_UNLIKELY(tw->batch != NULL) && tw->batch->n)
      batch_release(tw->team, tw->batch); /* Note [Completions counted in batches] */
    /* Note [A spin budget in time] */
    if (++tw->idle_rounds % HSOMP_TIME_CHECK_EVERY == 0) {
      uint64_t now = hsomp_ticks();
      if (!tw->idle_since)
        tw->idle_since = now;
      else if (now - tw->idle_since > (uint64_t)tw->rounds * HSOMP_TICKS_PER_ROUND)
        tw->spin->rounds = 0;
    }
    return false;
  }
  if (HSOMP_UNLIKELY(tw->batch != NULL))
    waiter_run_batched(tw, t);
  else
    task_run(tw->self, tw->team, t, NULL);
  tw->idle_since = 0;
  tw->idle_rounds = 0;
  tw->spin->rounds = tw->rounds;
  return true;
}
static bool waiter_may_sleep(void *arg) {
  const struct task_waiter *tw = arg;
  if (HSOMP_UNLIKELY(tw->batch != NULL) && tw->batch->n) {
    batch_release(tw->team, tw->batch); /* Note [Completions counted in batches] */
    return false; /* look at the condition again first */
  }
  if (tw->constraint)
    return !hsomp_task_shared_eligible(tw->team, tw->constraint);
  hsomp_task_stop_waiting(tw->self, tw->team); /* Note [Offering tasks to waiting threads] */
  hsomp_task_leave_set(tw->self, tw->team); /* Note [Sticky waiting bits] (task_handoff.c) */
  return !hsomp_task_any_queued(tw->team);
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
  hsomp_task_return_credit(self); /* Note [Counting children in advance] */
  struct hsomp_spin s = hsomp_spin_of(self, team, spins);
  struct done_batch batch;
  struct task_waiter tw = {self, team, constraint, w, &s, spins, 0, 0, NULL};
  bool big = team->nthreads > HSOMP_TASK_BIG_TEAM;
  if (HSOMP_UNLIKELY(big)) { /* Note [Completions counted in batches] */
    batch.n = 0;
    tw.batch = &batch;
    /* Note [Batches that grow], Note [Designated receivers] (task_handoff.c) */
    hsomp_task_hand_reset(self, team, constraint && (constraint->flags & HSOMP_TASK_IMPLICIT));
  }
  struct hsomp_until u = {.done = big ? waiter_done_batched : waiter_done,
                          .arg = &tw,
                          .work = waiter_run_one,
                          .may_sleep = waiter_may_sleep,
                          .arm = waiter_arm,
                          .disarm = waiter_disarm};
  hsomp_wait_until(constraint ? &team->task_done : &team->event, &s, &u); /* Note [Two sleep words] */
  if (!constraint) { /* Note [Idle thieves and tiny tasks] (task_sched.c): not the time after */
    /* acquire: another member may have installed it (tasking_install) */
    struct hsomp_tasking *tk = atomic_load_explicit(&team->tasking, memory_order_acquire);
    if (tk && self->ts.team_id < tk->cap)
      tk->member[self->ts.team_id].stole_at = 0;
  }
  if (HSOMP_UNLIKELY(big) && batch.n)
    batch_release(team, &batch); /* Note [Completions counted in batches] */
  hsomp_task_stop_waiting(self, team); /* Note [Offering tasks to waiting threads] */
}

void hsomp_task_wait(struct hsomp_thread *self, struct hsomp_team *team,
                     struct hsomp_task *constraint, const struct hsomp_wait *w) {
  task_wait(self, team, constraint, w, team->spins);
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
static void settle_arm(void *arg) { hsomp_task_arm_waiter(((struct settle *)arg)->own, HSOMP_SETTLER); }
static void settle_disarm(void *arg) {
  hsomp_task_disarm_waiter(((struct settle *)arg)->own, HSOMP_SETTLER);
}

void hsomp_task_help_until(struct hsomp_thread *self, struct hsomp_team *team, bool settle,
                           bool (*done)(void *), void *arg, unsigned long spins) {
  if (!settle) {
    struct hsomp_wait w = {done, NULL, NULL, arg};
    task_wait(self, team, NULL, &w, spins);
    return;
  }
  struct settle st = {self->ts.task, done, arg};
  /* The implicit task's children made after this barrier (or the join)
   * belong to the next interval (Note [Describing after a barrier],
   * task_handoff.c). */
  if (st.own)
    st.own->interval = self->ts.bar_passed + 1;
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
