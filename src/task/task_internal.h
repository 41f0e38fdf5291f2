/* task_internal.h -- the tasking engine's private interface.
 *
 * Shared by task.c (task records, running, completion, waiting),
 * task_create.c (GOMP_task, taskwait, taskgroups),
 * task_sched.c (per-member deques, the team's shared queue, finding work),
 * task_deps.c (dependences), task_event.c (detach events), taskloop.c,
 * task_reduction.c and cancel.c.  Nothing outside those files includes
 * it: the team reaches tasking through hsomp_task_help_until (hsomp.h). */
#ifndef HSOMP_TASK_INTERNAL_H
#define HSOMP_TASK_INTERNAL_H

#include "hsomp.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* ------------------------------------------------------------------ */
/* Task records.                                                        */

/* Note [Task records]
 * A task record exists for every explicit task that is deferred (heap,
 * with its arguments and dependence entries in the same block), for
 * every implicit task that needed one (it lives in the team's per-member
 * slot, or in thread-local storage outside any team), and for every
 * included task (if(0), final, cut-off) -- the latter on the C stack of
 * the thread that runs it, filled with plain stores only.
 *
 * self->ts.task is the record of the task the thread runs now; NULL means
 * the implicit task, before anything asked for its record.
 *
 * A record on the stack cannot be the parent of a deferred task: the
 * stack frame is gone when the included task returns, while its children
 * may still run.  So before a task creates its first deferred child, its
 * record (and every stack record above it) is "materialised": copied to
 * the heap, with the stack record pointing at the copy (`shadow').  The
 * included task's epilogue then completes the heap copy like any other
 * record; the copy lives on until its subtree is done.
 *
 * Counting.  `pending' packs four things into one 64-bit word so that
 * the common completion is one atomic operation on the parent:
 *   bits 0..29   live: 1 while the task itself has not completed, plus one
 *                for every child record whose subtree is not done yet;
 *   bit  30      a settling waiter (barrier, join: unconstrained) sleeps
 *                until live <= 1;
 *   bit  31      a taskwait (constrained) sleeps until kids == 0;
 *   bits 32..63  kids: deferred children that have not completed (what
 *                taskwait waits for -- children only, not grandchildren).
 * When live reaches 0 the subtree is done: the parent's live count drops
 * by one, the record's counted taskgroup (if any) drops by one, and the
 * record is freed.  An implicit task never gives up its own unit, so its
 * live count is 1 exactly when all its descendants are done: that is what
 * a barrier waits for before the thread arrives (Note [Task-aware
 * barrier] in barrier.c). */
#define HSOMP_LIVE_MASK 0x3fffffffull
#define HSOMP_SETTLER (1ull << 30)
#define HSOMP_WAITER (1ull << 31)
#define HSOMP_KID (1ull << 32)
static inline uint32_t hsomp_live(uint64_t v) { return (uint32_t)(v & HSOMP_LIVE_MASK); }
static inline uint32_t hsomp_kids(uint64_t v) { return (uint32_t)(v >> 32); }

enum {
  HSOMP_TASK_DEFERRED = 1u << 0,  /* a deferred child: counted in parent's kids */
  HSOMP_TASK_FINAL = 1u << 1,
  HSOMP_TASK_ON_STACK = 1u << 2,  /* an included task's stack record */
  HSOMP_TASK_IMPLICIT = 1u << 3,
  HSOMP_TASK_COPIED = 1u << 4,    /* cpyfn ran: run even when cancelled */
  HSOMP_TASK_DETACH = 1u << 5,
  HSOMP_TASK_DEP_WAITER = 1u << 6, /* a pseudo-task waiting for dependences */
  HSOMP_TASK_HEAP_COPY = 1u << 7, /* a materialised included task */
  HSOMP_TASK_UNTIED = 1u << 8,
  HSOMP_TASK_BLOCK = 1u << 9,     /* in a recycled block (Note [Recycled task records]) */
  HSOMP_TASK_DEPEND = 1u << 10,   /* has dependence entries (ndeps > 0): its dependence fields are set */
  HSOMP_TASK_PARENT = 1u << 11,   /* a child record counted in its units: `pending' may be more than 1 */
  HSOMP_TASK_DEP_PROXY = 1u << 12, /* (with DEPEND) made from a description: its dependences are dep_origin's */
};

struct hsomp_dep_table;
struct hsomp_dep_rec;

/* A set of task records as 128 bits, four per record (Note [Stealing
 * only what may run] in task_sched.c). */
struct hsomp_tie_sig {
  uint64_t lo, hi;
};

/* One depend clause item of a task (task_deps.c). */
enum { HSOMP_DEP_OUT = 0, HSOMP_DEP_IN = 1, HSOMP_DEP_SET = 2,
       HSOMP_DEP_ALL = 3 /* out/inout: omp_all_memory, never listed by address */ };
struct hsomp_dep_entry {
  struct hsomp_dep_rec *rec;      /* the address's record; NULL: not in the table */
  struct hsomp_dep_entry *prev, *next; /* in rec's list of its kind */
  struct hsomp_task *task;
  void *addr;
  int kind;                       /* HSOMP_DEP_* */
};

#define HSOMP_SUCC_INLINE 4

/* Note [Compact task records]
 * A deferred task's record is written by the thread that makes it and
 * read by the one that runs it, often another: every line of the record
 * that the runner reads costs a transfer there, and another when the
 * record's next maker writes that line again (the runner's copy must be
 * invalidated).  So the first line of a heap record (blocks and heap
 * records are aligned to a line) holds everything that running and
 * completing a common task reads -- the function, its arguments'
 * address, the parent, the count, the counted taskgroup, the ICVs'
 * address, the flags, the depth and the children's dependence table --
 * and nothing there or elsewhere in the record is written by the runner
 * (Note [Recycled task records]: the cache of free records does not
 * link through them).  What only some tasks read lies in the lines after
 * it: line 1, what a task's children are made from (its ancestors'
 * signature, its taskgroup), the team and the owner (for wake-ups from
 * outside the team and nest locks); line 2, the task's own copy of the
 * ICVs (below); then the dependence fields (written and read only for a
 * task with a depend clause, HSOMP_TASK_DEPEND) and the tool's data.
 * The arguments follow the record (and its dependence entries).  The
 * count has a line of its own (line 1): the children's completions change
 * it, and the fields that the task's thread reads to make each child must
 * not move with it; a task that never counted a child (HSOMP_TASK_PARENT
 * unset: a leaf) is completed without reading it.  HSOMP_TASK_PARENT is
 * written once, by the task's thread before its first child is queued
 * (other threads read a queued task's parent's flags).
 *
 * ICVs: a deferred task's data environment is its creator's ICVs, 64
 * bytes that used to be copied into every record and read by every
 * runner.  Most tasks have their parent's ICVs (a program rarely sets an
 * ICV inside a task), and the parent's record outlives its children
 * (each holds a live unit of it), so a new task points at its parent's
 * ICVs when the creating thread's current ICVs are the same, and only
 * otherwise at a copy in its own record (`icv_own').  An implicit or
 * materialised parent gets its copy at its first deferred child.  The
 * runners of a task's children then read one block that nobody writes
 * while they run. */
struct hsomp_task {
  /* Line 0: what the runner reads (Note [Compact task records]). */
  void (*fn)(void *);
  void *data;
  struct hsomp_task *parent;
  struct hsomp_taskgroup *counted_tg; /* taskgroup whose count includes this subtree */
  const struct hsomp_icv *icv;    /* deferred tasks: the data environment's ICVs; NULL: none yet */
  /* The dependence table of this task's children (Note [Dependences
   * without the parent's lock] in task_deps.c): only the thread running
   * this task uses it. */
  struct hsomp_dep_table *deps;
  struct hsomp_task *handed_next; /* the rest of a batch handed to a waiting thread (task_handoff.c) */
  uint32_t flags;
  uint32_t depth;                 /* 0 for implicit tasks */

  /* Line 1: the count, which the children's completions change. */
  union {
    _Atomic uint64_t pending;     /* see Note [Task records] */
    char line1_[HSOMP_CACHELINE];
  };

  /* Line 2: read when the task makes children, and off the common path. */
  union {
    struct {
      struct hsomp_tie_sig ancestors; /* heap records: tie bits of every ancestor (Note [Stealing only what may run]) */
      struct hsomp_taskgroup *taskgroup; /* innermost taskgroup the task is in */
      struct hsomp_team *team;    /* NULL outside any team */
      void *owner;                /* identity for nest locks (hsomp_current_task_owner) */
      union {
        struct hsomp_task *shadow; /* ON_STACK: the heap copy, once materialised */
        /* Deferred records: the bytes of arguments at `data' (Note [Tasks
         * described in the hand-off], task_handoff.c). */
        size_t arg_size;
      };
      int priority;
      uint32_t event;             /* DETACH: its slot in the event table (task_event.c) */
      bool taskgroup_own;         /* `taskgroup' was started by this task */
      /* The interval between the team's barriers the task runs in, as a
       * count of the region's barriers left complete (Note [Describing
       * after a barrier], task_handoff.c): a child's is its parent's; an
       * implicit task's record holds the count its thread has left (set
       * when it is attached and as the thread enters each barrier, for
       * after it: an implicit task makes children only outside them). */
      uint32_t interval;
    };
    char line2_[HSOMP_CACHELINE];
  };

  /* Line 3: `icv' points here when no ancestor's will do. */
  struct hsomp_icv icv_own;

  /* This task's own dependences (HSOMP_TASK_DEPEND only; Note
   * [Dependences without the parent's lock] in task_deps.c). */
  _Atomic uint32_t npred;         /* unfinished predecessors (+1 while registering) */
  uint32_t ndeps;
  union {
    struct hsomp_dep_entry *dep;  /* ndeps entries, in the same allocation (read at registration) */
    /* DEP_PROXY: the maker's record, which holds the dependences (Note
     * [Tasks with dependences described in the hand-off], task_deps.c);
     * NULL once the proxy's completion has nothing more to do with it */
    struct hsomp_task *dep_origin;
    /* After registration, the maker's record of a task handed in a batch
     * whose completion is signalled per batch (Note [Completion signalled
     * per batch], task_deps.c): the batch, the task's place in it and
     * what its creator knows, in the low bits (0 there: `dep' still). */
    uintptr_t dep_in_batch;
  };
  uint32_t dep_in_table;          /* its entries in the parent's table (the creator's count) */
  hsomp_mutex succ_lock;          /* guards succ, nsucc, succ_cap and the setting of dep_done */
  _Atomic bool dep_done;          /* completed: takes no successor any more */
  _Atomic uint32_t dep_hold;      /* 1; 2 while the parent's table also refers to the record */
  struct hsomp_task **succ;       /* tasks waiting for this one */
  uint32_t nsucc, succ_cap;
  union {
    struct hsomp_task *succ_inline[HSOMP_SUCC_INLINE]; /* succ's first room */
    /* DEP_PROXY (which has no successor list): its batch and its place in
     * it, or 0 (Note [Completion signalled per batch], task_deps.c) */
    uintptr_t dep_proxy_batch;
  };

  ompt_data_t ompt_task;          /* OMPT: the tool's data of the task */
};
_Static_assert(offsetof(struct hsomp_task, pending) == HSOMP_CACHELINE &&
                   offsetof(struct hsomp_task, ancestors) == 2 * HSOMP_CACHELINE &&
                   offsetof(struct hsomp_task, icv_own) == 3 * HSOMP_CACHELINE &&
                   sizeof(struct hsomp_icv) == HSOMP_CACHELINE,
               "Note [Compact task records]: the record's lines");

/* The size of a recycled record block (Note [Recycled task records] in
 * task.c). */
#define HSOMP_RECORD_BLOCK 512

/* `p' is about to count a child (Note [Compact task records]): its thread
 * sets HSOMP_TASK_PARENT once, before the first child is queued, since
 * other threads read the flags of a queued task's parent. */
static inline void hsomp_task_mark_parent(struct hsomp_task *p) {
  if (!(p->flags & HSOMP_TASK_PARENT))
    p->flags |= HSOMP_TASK_PARENT;
}

static inline bool hsomp_icv_equal(const struct hsomp_icv *a, const struct hsomp_icv *b) {
#ifdef __SSE2__
  const __m128i *x = (const __m128i *)a, *y = (const __m128i *)b;
  __m128i d = _mm_or_si128(_mm_or_si128(_mm_xor_si128(_mm_loadu_si128(x), _mm_loadu_si128(y)),
                                        _mm_xor_si128(_mm_loadu_si128(x + 1), _mm_loadu_si128(y + 1))),
                           _mm_or_si128(_mm_xor_si128(_mm_loadu_si128(x + 2), _mm_loadu_si128(y + 2)),
                                        _mm_xor_si128(_mm_loadu_si128(x + 3), _mm_loadu_si128(y + 3))));
  return _mm_movemask_epi8(_mm_cmpeq_epi8(d, _mm_setzero_si128())) == 0xffff;
#else
  return memcmp(a, b, sizeof *a) == 0;
#endif
}

/* The ICVs of a deferred child `t' of `parent' (a heap or member record)
 * made now by `self' (Note [Compact task records]): the parent's when
 * they are the thread's current ones (an implicit or materialised parent
 * takes its copy now, once), else a copy in t's own record. */
static inline const struct hsomp_icv *hsomp_task_child_icv(struct hsomp_thread *self,
                                                           struct hsomp_task *parent,
                                                           struct hsomp_task *t) {
  const struct hsomp_icv *p = parent->icv;
  if (HSOMP_UNLIKELY(!p)) {
    memcpy(&parent->icv_own, &self->icv, sizeof parent->icv_own);
    parent->icv = p = &parent->icv_own;
  }
  if (HSOMP_LIKELY(hsomp_icv_equal(p, &self->icv)))
    return p;
  memcpy(&t->icv_own, &self->icv, sizeof t->icv_own);
  return &t->icv_own;
}

/* A taskgroup (GOMP_taskgroup_start .. end, a taskloop without nogroup,
 * a worksharing construct with task reductions). */
struct hsomp_taskgroup {
  _Atomic uint32_t live;          /* counted subtrees not done; bit 31: a waiter */
  _Atomic bool cancelled;
  bool workshare;                 /* made by a worksharing construct's reductions */
  bool prev_own;                  /* the owner's taskgroup_own before this group */
  struct hsomp_taskgroup *prev;
  uintptr_t *reductions;          /* task_reduction data, see task_reduction.c */
};

/* ------------------------------------------------------------------ */
/* The team's tasking state (task_sched.c).                             */

/* A queued task and its ancestors' tie bits, which thieves read before
 * they take it (Note [Stealing only what may run] in task_sched.c). */
struct hsomp_deque_slot {
  _Atomic(struct hsomp_task *) task;
  _Atomic(struct hsomp_task *) parent; /* compared, never followed */
  _Atomic uint32_t depth;
  _Atomic uint64_t ancestors_lo, ancestors_hi;
};

struct hsomp_deque_buf {
  int64_t cap;                    /* a power of two */
  struct hsomp_deque_buf *older;  /* retired buffers, freed between regions */
  struct hsomp_deque_slot slot[];
};

/* A Chase-Lev work-stealing deque: the owner pushes and takes at the
 * bottom, thieves steal at the top.  See task_sched.c. */
struct hsomp_deque {
  /* Indices, counted modulo 2^64 with the owner's put-backs on top in
   * their high bits (Note [Put-backs count in top] in task_sched.c):
   * compare them through hsomp_deque_span only. */
  _Atomic uint64_t top HSOMP_ALIGNED;
  _Atomic uint64_t bottom HSOMP_ALIGNED;
  _Atomic(struct hsomp_deque_buf *) buf;
  /* Tasks the owner has pushed, read by the owner only (Note [Idle
   * thieves and tiny tasks] in task_sched.c): in the line every push
   * writes anyway. */
  uint64_t pushes;
  /* Teams of more than 8: a value `top' had when the owner last found the
   * deque empty (or put a task back on top), written by the owner only,
   * in the line of `bottom', which it writes anyway: bottom − top_seen <= 0
   * means empty, and a thief's look at an empty deque reads this line
   * only (Note [Empty deques in one line] in task_sched.c). */
  _Atomic uint64_t top_seen;
  /* Teams of more than 8: the deque may hold a task that was offered to
   * no waiting thread; written by the owner only, when it changes, and
   * read by thieves before the indices (Note [Offering tasks to waiting
   * threads] in task_sched.c). */
  _Atomic uint32_t advert HSOMP_ALIGNED;
};

/* A member's `handoff' word (Note [Offering tasks to waiting threads]). */
#define HSOMP_HAND_CLOSED ((uintptr_t)0)
#define HSOMP_HAND_OPEN ((uintptr_t)1)

/* A batch of tasks described in a waiting member's hand-off lines
 * (Note [Tasks described in the hand-off], task_handoff.c): what its
 * tasks share, then per task its function (unless they all have `fn')
 * and `words' words of arguments, in its slots (struct hsomp_hand_lines). */
struct hsomp_hand_desc {
  uint16_t flags;                 /* HSOMP_TASK_FINAL, HSOMP_TASK_UNTIED */
  uint16_t offset;                /* the arguments' offset in a record */
  uint8_t count, words;           /* tasks, argument words of each */
  uint16_t depth;
  struct hsomp_task *parent;
  struct hsomp_taskgroup *taskgroup, *counted_tg;
  const struct hsomp_icv *icv;
  void (*fn)(void *);             /* every task's; NULL: each entry's first word */
};
#define HSOMP_HAND_LINES 8        /* the description's lines */
#define HSOMP_HAND_HEAD (8 + sizeof(struct hsomp_hand_desc)) /* `busy' and `d' */
#define HSOMP_HAND_SLOTS ((HSOMP_HAND_LINES * HSOMP_CACHELINE - HSOMP_HAND_HEAD) / 8)
#define HSOMP_HAND_ARG_WORDS 8    /* arguments of at most 64 bytes */
/* A member's description lines: a batch described to it, in lines of
 * their own (not its word's, which it re-reads while it waits), written
 * by the thread that reserved them (`busy') and read by the member once
 * its word says HSOMP_HAND_DESC (Note [Tasks described in the hand-off],
 * task_handoff.c). */
struct hsomp_hand_lines {
  /* reserved (bit 0) by a thread that writes the rest; above it, the
   * region's tag and the interval of the tasks last described to the
   * member (Note [Describing after a barrier], task_handoff.c) */
  _Atomic uint64_t busy;
  struct hsomp_hand_desc d;
  uint64_t slot[HSOMP_HAND_SLOTS];
} HSOMP_ALIGNED;
_Static_assert(offsetof(struct hsomp_hand_lines, slot) == HSOMP_HAND_HEAD &&
                   sizeof(struct hsomp_hand_lines) == HSOMP_HAND_LINES * HSOMP_CACHELINE,
               "a description fills its lines");

/* What a task's child needs beside the word's bits (Note [A task's child
 * described beside its receiver's word], task_handoff.c): the rest of the
 * hand-off word's line. */
#define HSOMP_HAND_INLINE_WORDS 2 /* arguments of at most 16 bytes */
struct hsomp_hand_inline {
  void (*fn)(void *);
  struct hsomp_task *parent;
  const struct hsomp_icv *icv;
  struct hsomp_tie_sig ancestors;
  uint64_t arg[HSOMP_HAND_INLINE_WORDS];
};

struct hsomp_task_member {
  struct hsomp_deque dq;
  /* The owner's, written at its looks for work: not in the line of
   * `bottom' and `buf', which every thief's look reads. */
  uint32_t rng HSOMP_ALIGNED;     /* victim selection */
  unsigned last_victim;           /* whom it last stole from (its own index: nobody) */
  unsigned backoff, skip;         /* idle looks at others' deques (Note [Idle thieves back off]) */
  bool hot;                       /* its last look at others' deques found a task */
  /* Note [Idle thieves and tiny tasks] (task_sched.c): the steal being
   * timed was made in a constrained wait; Note [Producers whose tasks are
   * worth sharing] (task_create.c): its average says the tasks it steals
   * are long (counted in the team's `long_thieves'), and how many steals
   * that average has seen (up to HSOMP_LONG_STEAL_SEEN); HSOMP_SHARE_WEIGHT
   * times that long-memory average of the ticks a steal gave it (each
   * counted up to 2^20, so it fits).  In the hole after `hot': with the
   * fields below, the line is full and the members stay 12 lines long. */
  bool stole_nested, steals_long;
  uint8_t share_n;
  uint32_t share_gain;
  /* Note [Idle thieves and tiny tasks] (task_sched.c): ticks at its last
   * timed steal (0: none being timed), the end of its pause in ticks, 256
   * times the average ticks a steal at a barrier gave it (0: none yet),
   * and its deque's `pushes' at the steal. */
  uint64_t stole_at, pause_until, steal_gain, stole_pushes;
  bool waiting : 1;               /* its hand-off word is open (Note [Offering tasks to waiting threads]) */
  bool in_set : 1;                /* its bit is in its block's waiting word (Note [Sticky waiting bits]) */
  /* Its last hand-off came without a look at its word (a task's child):
   * its looks take the word's line first (Note [The receiver takes its
   * word's line], task_handoff.c). */
  bool looks_take_line : 1;
  /* Its implicit task's children are handed in batches of 2 << hand_shift;
   * hand_seen: the members of its block handed one since the size last
   * changed (Note [Batches that grow], task_handoff.c). */
  uint8_t hand_shift, hand_seen;
  /* Its designated receivers (Note [Designated receivers],
   * task_handoff.c): the place it plays in the binomial tree over the team
   * ids (bits HSOMP_DESIG_SHIFT up; its own id unless a task came in place
   * of another member, Note [Claims in place]) and the next distance a
   * task's child goes to, as its log2 + 1 (the bits below; 0: none left). */
  uint32_t desig;
  /* HSOMP_HAND_OPEN while it waits for a task; a task handed to it (CAS
   * from open by the thread that hands), which the owner takes; anything
   * but open is closed.  Its own line: the owner's fields above are
   * written at every look for work.  */
  _Atomic uintptr_t handoff HSOMP_ALIGNED;
  /* A task's child described beside the word (Note [A task's child
   * described beside its receiver's word], task_handoff.c): written by a
   * thread that reserved the member's descriptions (`busy' of its lines in
   * tk->hand) and then read the word open, read by the member once the
   * word says HSOMP_HAND_INLINE, before it reopens it. */
  struct hsomp_hand_inline inl;
  /* In members 0 .. (nthreads-1)/8: members 8k .. 8k+7 that may wait for
   * a task, a bit each, set by its member only, cleared by it or by a
   * claim (Note [Sticky waiting bits], task_handoff.c). */
  _Atomic uint64_t waiting_bits HSOMP_ALIGNED;
  struct hsomp_task implicit HSOMP_ALIGNED;
} HSOMP_ALIGNED;
/* The owner's fields fill one line: a field more moves the hand-off word
 * and everything after it a line down, and the members' stride with them
 * (13 lines instead of 12 made EPCC's NESTED_TASK some 10 % slower at 2
 * threads: README, Task workloads, tenth pass). */
_Static_assert(offsetof(struct hsomp_task_member, handoff) ==
                   offsetof(struct hsomp_task_member, rng) + HSOMP_CACHELINE,
               "the owner's fields of a member fill one line");
_Static_assert(offsetof(struct hsomp_task_member, waiting_bits) ==
                   offsetof(struct hsomp_task_member, handoff) + HSOMP_CACHELINE,
               "a task's child described beside the word fills the word's line");

struct hsomp_shared_item {
  int priority;
  uint64_t seq;
  struct hsomp_task *task;
};

struct hsomp_tasking {
  unsigned cap;                   /* member[] length */
  struct hsomp_tasking *retired;  /* smaller predecessors, freed between regions */
  /* The shared queue: tasks with a priority, tasks made ready by threads
   * outside the team, and tasks a constrained thread stole but could not
   * run.  A binary heap on (priority desc, seq asc) under a lock; idle
   * threads look at `shared_count' first, so an empty queue costs a load. */
  _Atomic uint32_t shared_count HSOMP_ALIGNED;
  /* The union of the queued tasks' `ancestors' (0 when empty), which a
   * constrained thread reads before it takes the lock (Note [Stealing
   * only what may run]). */
  _Atomic uint64_t shared_ancestors_lo, shared_ancestors_hi;
  hsomp_mutex shared_lock;
  uint64_t shared_seq;
  struct hsomp_shared_item *heap;
  size_t heap_len, heap_cap;
  /* Members whose steals are long (Note [Producers whose tasks are worth
   * sharing], task_create.c): written when a thief's average crosses the
   * mark, read by a producer whose deque or children pass the throttle's
   * bound; in a line with the fields below, which are written once. */
  _Atomic uint32_t long_thieves;
  /* task.c's record functions, which task_handoff.c (below it) calls for a
   * batch described in a hand-off (Note [Tasks described in the
   * hand-off]): a record made from the description, and a record freed. */
  struct hsomp_task *(*record_remake)(struct hsomp_thread *self, struct hsomp_team *team,
                                      const struct hsomp_hand_desc *d, const uint64_t *entry,
                                      struct hsomp_tie_sig ancestors);
  void (*record_free)(struct hsomp_task *t);
  /* cap description lines in teams that hand tasks (cap > HSOMP_TASK_BIG_TEAM),
   * else NULL: smaller teams' members stay as they were. */
  struct hsomp_hand_lines *hand;
  struct hsomp_task_member member[];
};

/* The four bits of a task's record address in its descendants'
 * `ancestors', two in each half (Note [Stealing only what may run] in
 * task_sched.c). */
static inline struct hsomp_tie_sig hsomp_task_tie_bits(const struct hsomp_task *w) {
  uint64_t h = (uint64_t)(uintptr_t)w * 0x9e3779b97f4a7c15ull;
  return (struct hsomp_tie_sig){(1ull << (h >> 58)) | (1ull << ((h >> 52) & 63)),
                                (1ull << ((h >> 46) & 63)) | (1ull << ((h >> 40) & 63))};
}
/* A child's `ancestors': its parent's and the parent's own bits. */
static inline struct hsomp_tie_sig hsomp_task_child_ancestors(const struct hsomp_task *parent) {
  struct hsomp_tie_sig b = hsomp_task_tie_bits(parent);
  return (struct hsomp_tie_sig){parent->ancestors.lo | b.lo, parent->ancestors.hi | b.hi};
}

/* Whether t is w or one of w's descendants (w NULL: any task).  `t' is
 * queued or about to be, so its ancestors are all alive (each still
 * counts it in its live units). */
static inline bool hsomp_task_descends(const struct hsomp_task *t, const struct hsomp_task *w) {
  if (!w)
    return true;
  uint32_t depth = w->depth;
  while (t->depth > depth)
    t = t->parent;
  return t == w;
}

/* ------------------------------------------------------------------ */
/* Cancellation as tasks see it (cancel.c sets the flags).              */

/* A taskgroup is cancelled, or the worksharing construct's taskgroup it
 * belongs to (tg->prev) is. */
static inline bool hsomp_taskgroup_cancelled(const struct hsomp_taskgroup *tg) {
  return atomic_load_explicit(&tg->cancelled, memory_order_acquire) ||
         (tg->workshare && tg->prev &&
          atomic_load_explicit(&tg->prev->cancelled, memory_order_acquire));
}
/* Whether a task about to start must be dropped (cancellation). */
static inline bool hsomp_task_cancelled(struct hsomp_team *team, struct hsomp_task *t) {
  if (HSOMP_LIKELY(!hsomp_settings.cancellation) || (t->flags & HSOMP_TASK_COPIED))
    return false;
  if (team && atomic_load_explicit(&team->barrier.cancelled, memory_order_acquire))
    return true;
  struct hsomp_taskgroup *tg = t->taskgroup;
  return tg && hsomp_taskgroup_cancelled(tg);
}

/* Whether the current task may not create tasks (cancelled parallel or
 * taskgroup); only meaningful when OMP_CANCELLATION is on. */
static inline bool hsomp_task_creation_cancelled(struct hsomp_thread *self) {
  struct hsomp_team *team = self->ts.team;
  if (team && atomic_load_explicit(&team->barrier.cancelled, memory_order_acquire))
    return true;
  struct hsomp_task *t = self->ts.task;
  struct hsomp_taskgroup *tg = t ? t->taskgroup : (team ? team->parent.child_taskgroup : NULL);
  return tg && hsomp_taskgroup_cancelled(tg);
}

/* A waiter sleeps until kids == 0 (HSOMP_WAITER) or live <= 1
 * (HSOMP_SETTLER): tell the releasers (Note [Waiting for tasks] in
 * task.c). */
static inline void hsomp_task_arm_waiter(struct hsomp_task *t, uint64_t bit) {
  atomic_fetch_or_explicit(&t->pending, bit, memory_order_seq_cst);
}
static inline void hsomp_task_disarm_waiter(struct hsomp_task *t, uint64_t bit) {
  atomic_fetch_and_explicit(&t->pending, ~bit, memory_order_relaxed);
}

/* Note [Counting children in advance] (task.c): count one more deferred
 * child of `parent' (the thread's current task) in its count. */
void hsomp_task_count_child_slow(struct hsomp_thread *self, struct hsomp_task *parent) HSOMP_INTERNAL;
static inline void hsomp_task_count_child(struct hsomp_thread *self, struct hsomp_task *parent) {
  if (!(parent->flags & HSOMP_TASK_IMPLICIT))
    atomic_fetch_add_explicit(&parent->pending, HSOMP_KID | 1, memory_order_relaxed);
  else if (self->kid_credit != 0 && self->kid_credit_task == parent)
    self->kid_credit--;
  else
    hsomp_task_count_child_slow(self, parent);
}
/* Whether `more' children of `cur' are counted already (then they are
 * within the children bound, which was checked when they were counted). */
static inline bool hsomp_task_has_credit(const struct hsomp_thread *self, const struct hsomp_task *cur,
                                         uint64_t more) {
  return self->kid_credit >= more && self->kid_credit_task == cur;
}
/* Give the units counted in advance back, before the thread waits, or
 * completes the task they were counted in. */
void hsomp_task_return_credit_slow(struct hsomp_thread *self) HSOMP_INTERNAL;
static inline void hsomp_task_return_credit(struct hsomp_thread *self) {
  if (HSOMP_UNLIKELY(self->kid_credit != 0))
    hsomp_task_return_credit_slow(self);
}
/* The children of `t' it has made and not seen complete: its kids, less
 * the units this thread counted in advance. */
static inline uint32_t hsomp_task_kids_made(const struct hsomp_thread *self, const struct hsomp_task *t) {
  uint32_t kids = hsomp_kids(atomic_load_explicit(&t->pending, memory_order_relaxed));
  return self->kid_credit_task == t ? kids - self->kid_credit : kids;
}

/* ------------------------------------------------------------------ */
/* task.c, task_create.c */
/* Memory for a task record of `size' bytes: a recycled block when it fits
 * one (*block true; Note [Recycled task records]), else malloc; and back. */
void *hsomp_record_alloc(struct hsomp_thread *self, size_t size, bool *block) HSOMP_INTERNAL;
void hsomp_record_free(struct hsomp_task *t) HSOMP_INTERNAL;
struct hsomp_tasking *hsomp_tasking_get(struct hsomp_team *team) HSOMP_INTERNAL;
/* The current task's record, materialised (on the heap or in the
 * member slot) so that it can be a parent. */
struct hsomp_task *hsomp_task_materialise(struct hsomp_thread *self) HSOMP_INTERNAL;
/* The current task's record, possibly on the stack; never NULL. */
struct hsomp_task *hsomp_task_current(struct hsomp_thread *self) HSOMP_INTERNAL;
/* A deferred task in three steps: allocate (t->data points at room for
 * the arguments), fill the arguments, submit (count it, record its
 * dependences, queue it). */
struct hsomp_task *hsomp_task_new(struct hsomp_thread *self, struct hsomp_team *team,
                                  struct hsomp_task *parent, void (*fn)(void *), long arg_size,
                                  long arg_align, size_t ndeps, unsigned flags,
                                  int priority) HSOMP_INTERNAL;
void hsomp_task_fill(struct hsomp_thread *self, struct hsomp_task *t, void *data,
                     void (*cpyfn)(void *, void *), long arg_size) HSOMP_INTERNAL;
void hsomp_task_submit(struct hsomp_thread *self, struct hsomp_team *team, struct hsomp_task *t,
                       void **depend) HSOMP_INTERNAL;
/* An included task: fill the stack record `rec' and make it current; after
 * the body, restore `parent' (or complete the record's heap copy). */
void hsomp_included_begin(struct hsomp_thread *self, struct hsomp_team *team, struct hsomp_task *rec,
                          struct hsomp_task *parent, unsigned flags, int priority) HSOMP_INTERNAL;
void hsomp_included_end(struct hsomp_thread *self, struct hsomp_team *team, struct hsomp_task *rec,
                          struct hsomp_task *parent) HSOMP_INTERNAL;
/* OMP_MAX_TASK_PRIORITY bounds priorities; negative ones count as 0. */
int hsomp_task_clamp_priority(int priority) HSOMP_INTERNAL;
/* Whether a new task of the current one would better run at once. */
bool hsomp_task_over_cutoff(struct hsomp_thread *self, struct hsomp_team *team,
                            struct hsomp_task *cur, unsigned long more) HSOMP_INTERNAL;
/* Run a task taken from a queue on this thread, then complete it. */
void hsomp_task_run(struct hsomp_thread *self, struct hsomp_task *t) HSOMP_INTERNAL;
/* A ready task goes to this thread's deque or the team's shared queue. */
void hsomp_task_schedule(struct hsomp_thread *self, struct hsomp_team *team,
                         struct hsomp_task *t) HSOMP_INTERNAL;
/* The same for a task made ready by a completion (dependences, detach):
 * see Note [Readied tasks and the Task Scheduling Constraint]. */
void hsomp_task_schedule_readied(struct hsomp_thread *self, struct hsomp_team *team,
                                 struct hsomp_task *t) HSOMP_INTERNAL;
/* Wake the team's constrained waiters (taskwait, taskgroup end,
 * dependences, detach) if any sleep: after making a condition of theirs
 * true (Note [Two sleep words] in task.c). */
static inline void hsomp_task_wake(struct hsomp_team *team) {
  atomic_thread_fence(memory_order_seq_cst);
  hsomp_wake_bump(&team->task_done);
}
/* After queueing one task: wake one of the threads that may run any task,
 * if one sleeps; else the constrained ones (Note [One wake-up per task]
 * in task.c). */
static inline void hsomp_task_wake_one(struct hsomp_team *team) {
  atomic_thread_fence(memory_order_seq_cst);
  if (atomic_load_explicit(&team->event.sleepers, memory_order_relaxed) != 0) {
    atomic_fetch_add_explicit(&team->event.value, 1, memory_order_seq_cst);
    hsomp_futex_wake(&team->event.value, 1);
  } else if (atomic_load_explicit(&team->task_done.sleepers, memory_order_relaxed) != 0) {
    atomic_fetch_add_explicit(&team->task_done.value, 1, memory_order_seq_cst);
    hsomp_futex_wake(&team->task_done.value, INT_MAX);
  }
}
/* The task-aware wait: run tasks (descendants of `constraint' only,
 * unless it is NULL) until done(arg) holds; spin, then sleep on the
 * team's event word (Note [Waiting for tasks] in task.c).  arm(arg) announces a sleeper to whoever will make done() true
 * (NULL when that party always calls hsomp_task_wake); disarm undoes it. */
struct hsomp_wait {
  bool (*done)(void *arg);
  void (*arm)(void *arg);
  void (*disarm)(void *arg);
  void *arg;
};
void hsomp_task_wait(struct hsomp_thread *self, struct hsomp_team *team,
                     struct hsomp_task *constraint, const struct hsomp_wait *w) HSOMP_INTERNAL;
/* A taskwait's condition: no child of t is left; and the same for a wait
 * (task.c; a big team's wait looks at it its own way: Note [A task wait
 * that takes its count]). */
static inline bool hsomp_task_no_kids(const struct hsomp_task *t) {
  return hsomp_kids(atomic_load_explicit(&t->pending, memory_order_seq_cst)) == 0;
}
bool hsomp_task_kids_done(void *arg) HSOMP_INTERNAL;
/* A deferred task has finished its body (and its detach event, if any),
 * or was discarded: release its dependants, parent and taskgroup. */
void hsomp_task_complete(struct hsomp_thread *self, struct hsomp_team *team,
                         struct hsomp_task *t) HSOMP_INTERNAL;
/* Decrement a record's pending word; handles wake-ups and subtree ends. */
void hsomp_task_release(struct hsomp_team *team, struct hsomp_task *t, uint64_t amount) HSOMP_INTERNAL;
/* Start / end a taskgroup in the current task (GOMP_taskgroup_start/end). */
struct hsomp_taskgroup *hsomp_taskgroup_begin(struct hsomp_thread *self) HSOMP_INTERNAL;
void hsomp_taskgroup_end(struct hsomp_thread *self) HSOMP_INTERNAL;

/* task_event.c: detach events, see Note [Detach events]. */
/* The handle of a deferred task's event (body and event outstanding). */
uintptr_t hsomp_event_deferred(struct hsomp_thread *self, struct hsomp_task *t) HSOMP_INTERNAL;
/* The handle of an included task's event; its creator waits for it with
 * hsomp_event_included_wait after the body. */
uintptr_t hsomp_event_included(struct hsomp_thread *self, struct hsomp_task *rec,
                               struct hsomp_team *team) HSOMP_INTERNAL;
bool hsomp_event_included_fulfilled(struct hsomp_task *rec) HSOMP_INTERNAL;
/* The word its creator sleeps on outside a team; the slot is freed by
 * the creator once it has seen the event fulfilled. */
struct hsomp_waitword *hsomp_event_included_word(struct hsomp_task *rec) HSOMP_INTERNAL;
void hsomp_event_included_free(struct hsomp_thread *self, struct hsomp_task *rec) HSOMP_INTERNAL;
/* Fulfil the event of `handle' (fatal if it is not a live event); the
 * task whose completion now falls to the caller, or NULL.  `early' is set
 * when a deferred task's body was still running, with a copy of the
 * task's tool data in `*early_data' if a tool is attached (Note [Detach
 * events and tools]). */
struct hsomp_task *hsomp_event_fulfil(uintptr_t handle, bool *early,
                                      ompt_data_t *early_data) HSOMP_INTERNAL;
/* Whether a deferred detached task's event is still unfulfilled (read
 * by the thread running its body, before hsomp_event_body_done). */
bool hsomp_event_detach_begin(struct hsomp_task *t) HSOMP_INTERNAL;
/* The handle for a detached task that cancellation kept from being
 * created: fulfilling it is a no-op. */
uintptr_t hsomp_event_discarded(struct hsomp_thread *self) HSOMP_INTERNAL;
/* A deferred detached task's body finished, or (discarded) the task was
 * dropped unstarted; true if the caller must complete the task now. */
bool hsomp_event_body_done(struct hsomp_thread *self, struct hsomp_task *t,
                           bool discarded) HSOMP_INTERNAL;

/* task_sched.c */
void hsomp_deque_init(struct hsomp_deque *dq) HSOMP_INTERNAL;
void hsomp_deque_push(struct hsomp_deque *dq, struct hsomp_task *t) HSOMP_INTERNAL;
/* bottom − top: the number of queued tasks (negative for a moment during
 * a take; hugely negative for a moment during a put-back on top). */
static inline int64_t hsomp_deque_span(uint64_t top, uint64_t bottom) {
  return (int64_t)(bottom - top);
}
static inline int64_t hsomp_deque_size(struct hsomp_deque *dq) {
  return hsomp_deque_span(atomic_load_explicit(&dq->top, memory_order_relaxed),
                          atomic_load_explicit(&dq->bottom, memory_order_relaxed));
}
void hsomp_deque_free_retired(struct hsomp_deque *dq) HSOMP_INTERNAL;
void hsomp_shared_push(struct hsomp_tasking *tk, struct hsomp_task *t) HSOMP_INTERNAL;
/* Find a task this thread may start now (eligible for `constraint'). */
struct hsomp_task *hsomp_task_find(struct hsomp_thread *self, struct hsomp_team *team,
                                   struct hsomp_task *constraint) HSOMP_INTERNAL;
/* A thread that waited for a task handed to it stops waiting at the end
 * of a task wait and before it sleeps; a task handed to it meanwhile is
 * scheduled (Note [Offering tasks to waiting threads] in task_sched.c). */
void hsomp_task_stop_waiting_slow(struct hsomp_thread *self, struct hsomp_team *team,
                                  struct hsomp_tasking *tk) HSOMP_INTERNAL;
#define HSOMP_TASK_BIG_TEAM 8 /* more threads than this: Note [Idle thieves back off] and that Note */
#define HSOMP_HAND_PAIR_KEEP 2 /* an implicit task's thread keeps 2 and hands the rest (Note [Handing tasks in pairs]) */
/* The team's tasking state if this thread may take part in hand-offs
 * (a team of more than HSOMP_TASK_BIG_TEAM threads, with a member record
 * for it), else NULL. */
static inline struct hsomp_tasking *hsomp_task_handoff_team(struct hsomp_thread *self,
                                                            struct hsomp_team *team) {
  if (team->nthreads <= HSOMP_TASK_BIG_TEAM)
    return NULL;
  struct hsomp_tasking *tk = atomic_load_explicit(&team->tasking, memory_order_acquire);
  return tk && self->ts.team_id < tk->cap ? tk : NULL;
}
static inline void hsomp_task_stop_waiting(struct hsomp_thread *self, struct hsomp_team *team) {
  struct hsomp_tasking *tk = hsomp_task_handoff_team(self, team);
  if (tk && tk->member[self->ts.team_id].waiting)
    hsomp_task_stop_waiting_slow(self, team, tk);
}
/* A thread about to sleep takes its bit out of the waiting set (Note
 * [Sticky waiting bits] in task_handoff.c). */
void hsomp_task_leave_set_slow(struct hsomp_tasking *tk, unsigned me) HSOMP_INTERNAL;
static inline void hsomp_task_leave_set(struct hsomp_thread *self, struct hsomp_team *team) {
  struct hsomp_tasking *tk = hsomp_task_handoff_team(self, team);
  if (tk && tk->member[self->ts.team_id].in_set)
    hsomp_task_leave_set_slow(tk, self->ts.team_id);
}
/* task_handoff.c (Note [Offering tasks to waiting threads]), below
 * task_sched.c, which passes its deque operations down. */
void hsomp_task_start_waiting(struct hsomp_tasking *tk, unsigned me) HSOMP_INTERNAL;
/* A task handed to waiting member `me' (it then waits no more), or NULL;
 * the rest of its batch follows it through handed_next. */
struct hsomp_task *hsomp_task_handed(struct hsomp_thread *self, struct hsomp_team *team,
                                     struct hsomp_tasking *tk, unsigned me) HSOMP_INTERNAL;
/* Member `me' stops waiting; a task handed to it meanwhile, or NULL. */
struct hsomp_task *hsomp_task_withdraw(struct hsomp_thread *self, struct hsomp_team *team,
                                       struct hsomp_tasking *tk, unsigned me) HSOMP_INTERNAL;
/* A member's `desig': its place in the binomial tree of designated
 * receivers, shifted, and the log2 + 1 of its next distance below (Note
 * [Designated receivers], Note [Claims in place], task_handoff.c). */
#define HSOMP_DESIG_SHIFT 5
#define HSOMP_DESIG_LOG_MASK ((1u << HSOMP_DESIG_SHIFT) - 1)
/* `desig' for place p in a tasking state of `cap' members (cap > 8): the
 * first distance lowbit(p)/2 (none for an odd p), or for place 0 the
 * largest power of two below cap (places past the team are skipped when
 * handing). */
static inline uint32_t hsomp_task_desig_at(unsigned p, unsigned cap) {
  unsigned log1 = p ? (unsigned)__builtin_ctz(p) : 32 - (unsigned)__builtin_clz(cap - 1);
  return (uint32_t)p << HSOMP_DESIG_SHIFT | log1;
}
/* Member `me' (of a team that hands tasks) hands its tasks' children to
 * the designated receivers of its own place from the first: member t > 0
 * to t + lowbit(t)/2 first, member 0 to the largest power of two below
 * the team's size. */
static inline void hsomp_task_desig_reset(struct hsomp_tasking *tk, unsigned me) {
  tk->member[me].desig = hsomp_task_desig_at(me, tk->cap);
}
/* At a task wait: the thread's next batches start from a pair (Note
 * [Batches that grow] in task_handoff.c), and at its implicit task's its
 * designated receivers from the first (Note [Designated receivers]). */
static inline void hsomp_task_hand_reset(struct hsomp_thread *self, struct hsomp_team *team,
                                         bool implicit) {
  struct hsomp_tasking *tk = hsomp_task_handoff_team(self, team);
  if (tk) {
    struct hsomp_task_member *mine = &tk->member[self->ts.team_id];
    mine->hand_shift = 0;
    mine->hand_seen = 0;
    if (implicit && !hsomp_crowded_with(team->threads_in_regions))
      hsomp_task_desig_reset(tk, self->ts.team_id);
  }
}
struct hsomp_deque_ops {
  struct hsomp_task *(*take_oldest)(struct hsomp_deque *dq); /* the owner's, at the top */
  /* a task not handed (Note [A task not handed goes back where it was]) */
  void (*put_back)(struct hsomp_tasking *tk, struct hsomp_deque *dq, struct hsomp_task *t,
                   const struct hsomp_task *current);
};
/* After member `me' pushed: hand its oldest task to a waiting thread if it
 * holds more than `keep' (or its new task is a first child); set its
 * advert; true if a task was handed.  `hide_kept': the tasks it keeps are
 * not advertised (Note [Kept tasks are not advertised], task_handoff.c).
 * `current': the task the member runs (Note [A task not handed goes back
 * where it was]). */
bool hsomp_task_offer_oldest(struct hsomp_tasking *tk, unsigned me, unsigned n, int64_t keep,
                             bool first_child, bool hide_kept, const struct hsomp_task *current,
                             const struct hsomp_deque_ops *ops) HSOMP_INTERNAL;
/* Member `me' hands its oldest task to its next designated receiver if
 * that one waits (Note [Designated receivers]); true if handed, else the
 * task is put back (Note [A task not handed goes back where it was]). */
bool hsomp_task_hand_designated(struct hsomp_tasking *tk, unsigned me, unsigned n, bool look,
                                const struct hsomp_task *current,
                                const struct hsomp_deque_ops *ops) HSOMP_INTERNAL;
/* Whether any queue of the team may hold a task (for sleeping decisions). */
bool hsomp_task_any_queued(struct hsomp_team *team) HSOMP_INTERNAL;
/* Whether the shared queue holds a task `constraint' may run. */
bool hsomp_task_shared_eligible(struct hsomp_team *team, struct hsomp_task *constraint) HSOMP_INTERNAL;

/* task_deps.c */
/* Record t's dependences among its parent's children (on the parent's
 * thread); returns true if t must wait for predecessors (it is then
 * scheduled by the last one).  The parent's table frees the completed
 * records it lets go of last with record_free (hsomp_record_free, passed
 * down: task.c lies above task_deps.c). */
bool hsomp_deps_register(struct hsomp_task *parent, struct hsomp_task *t, void **depend,
                         void (*record_free)(struct hsomp_task *)) HSOMP_INTERNAL;
/* The number of dependence entries in a GOMP_task depend array. */
size_t hsomp_deps_count(void **depend) HSOMP_INTERNAL;
/* A completed task leaves its parent's table and readies its successors. */
void hsomp_deps_release(struct hsomp_thread *self, struct hsomp_task *t) HSOMP_INTERNAL;
/* Make `w' (a zeroed stack pseudo-task) wait for the sibling tasks
 * `depend' conflicts with (if(0) tasks with depend clauses,
 * GOMP_taskwait_depend); false if there are none left.  The caller then
 * waits until w's npred is 0 (task.c's deps_wait). */
bool hsomp_deps_waiter(struct hsomp_task *w, struct hsomp_task *parent, struct hsomp_team *team,
                       void **depend) HSOMP_INTERNAL;
/* Free a record's dependence table (its children are all done). */
void hsomp_deps_table_free(struct hsomp_task *t) HSOMP_INTERNAL;
/* Whether a completed record with dependences may be freed now; false:
 * its parent's table still refers to it and frees it later. */
bool hsomp_deps_may_free(struct hsomp_task *t) HSOMP_INTERNAL;
/* Note [Completion signalled per batch]: a dependence table (a task's
 * `deps') begins with its batch functions, which task_handoff.c -- below
 * task_deps.c, which readies tasks through task_sched.c -- calls, on the
 * thread running the table's task, for a batch of that task's children
 * with dependences about to be described in a hand-off: batch_new, the
 * batch of `first' (its chain), or NULL when its tasks are to complete
 * one by one; batch_back when the batch was not handed after all. */
struct hsomp_dep_batch;
struct hsomp_dep_batch_fns {
  struct hsomp_dep_batch *(*batch_new)(struct hsomp_task *first);
  void (*batch_back)(struct hsomp_dep_batch *b, struct hsomp_task *first);
};
static inline const struct hsomp_dep_batch_fns *hsomp_deps_batch_fns(const struct hsomp_task *parent) {
  const struct hsomp_dep_batch_fns *const *head = (const void *)parent->deps;
  return head ? *head : NULL;
}

/* Entry points used inside the runtime too. */
void GOMP_taskgroup_reduction_register(uintptr_t *data);
void GOMP_taskgroup_reduction_unregister(uintptr_t *data);

/* task_reduction.c */
void hsomp_reduction_register(uintptr_t *data, uintptr_t *old, unsigned nthreads) HSOMP_INTERNAL;

#endif
