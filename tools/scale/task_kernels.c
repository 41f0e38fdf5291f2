/* task_kernels.c -- model kernels of the task schedulers of GCC's libgomp
 * and LLVM's libomp, running driver.c's TASK_TREE and TASK_STEAL in the
 * same simulator as hsomp, so that README "Scale" can compare the task
 * rows too.  Models, not the libraries: each reproduces the shared-memory
 * traffic of its algorithm (which lines a task push, a take, a steal, a
 * completion and the waits read and write), from the sources named below,
 * with the simplifications listed.
 *
 *   libgomp (task.c, config/linux/bar.c, mutex.c, sem.c of GCC 12): one
 *   team-wide task queue under one lock.  GOMP_task writes the new record,
 *   takes `task_lock', links the task first into its parent's children
 *   list and last into the team queue (circular doubly linked lists: the
 *   neighbours' records are written), counts it, sets the barrier word's
 *   task-pending bit and, while fewer tasks run than threads, wakes one
 *   sleeper (a futex call).  A thread at the team barrier spins on the
 *   barrier word (do_wait) and, seeing the pending bit, enters
 *   gomp_barrier_handle_tasks: under the lock it takes the queue's first
 *   task, unlinks it, clears the bit when the queue empties, runs it, and
 *   under the lock again removes it from its parent's children (posting
 *   the parent's taskwait semaphore when that was the last child the
 *   parent waits for) and counts it done; the last completion ends the
 *   barrier.  GOMP_taskwait runs the parent's own children first (the
 *   newest), and for a child that runs elsewhere waits on a semaphore in
 *   its frame.  `single' is one compare-and-swap per thread on the team's
 *   count.  Spins only: the spin count of libgomp's default wait policy
 *   (300 000 rounds) outlasts every wait here, as in kernels.c.  Records
 *   are two lines (links and state; function, argument and ICVs) where
 *   libgomp's are about five; a freed record goes to the freeing thread's
 *   list (glibc's per-thread cache).
 *
 *   libomp (kmp_tasking.cpp, kmp_wait_release.h, kmp_barrier.cpp of LLVM
 *   14): a deque per thread (a ticket lock in a line of its own; indices
 *   and count in another; a ring of task pointers), pushed and popped at
 *   the tail by its owner and stolen at the head, each under the lock.  A
 *   new task's record counts itself in its parent's allocated and
 *   incomplete child counts (one line of the parent's record); a
 *   completion decrements both.  Every wait -- taskwait on the incomplete
 *   count, the hyper barrier's gather and release flags, the primary's
 *   wait for the task team's count of unfinished threads -- runs
 *   __kmp_execute_tasks between polls: its own deque, then the thread it
 *   last stole from or one random victim, whose count it reads before it
 *   takes the lock; a thread in taskwait only takes descendants of its
 *   task (the task scheduling constraint: it walks the candidate's parent
 *   chain).  A thread in the barrier's final spin that finds nothing
 *   decrements the task team's unfinished count once (and increments it
 *   again when it steals); two task teams alternate between barriers.
 *   After every task it ran, a thread yields (KMP_YIELD in throughput mode,
 *   the default).  `single' reads the team's construct count, then
 *   compare-and-swaps it.  Records are four lines (header, ICVs, child
 *   counts, the task and its argument); a freed record goes to the freeing
 *   thread's list (libomp returns it to its allocating thread's list,
 *   which would cost more).
 *
 * The constructs are driver.c's: TASK_TREE is `single' making a binary
 * tree of depth ceil(log2 N) (N leaves of 500 ns, 2N - 2 tasks, a taskwait
 * per inner task), TASK_STEAL is `single' making 2N tasks of 500 ns, each
 * closed by the single's barrier; WARM rounds, then REPS in the window. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <linux/futex.h>
#include <sched.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kernels.h"

#define LEAF_NS 500
#define POOL_RECORDS 64 /* records each thread allocates before it uses the heap */

static int tree_depth;
static struct sim_result task_result;

static void futex_wake(void *word, int count) {
  syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, count, NULL, NULL, 0);
}

/* ------------------------------------------------------------------ */
/* libgomp */

#define BAR_TASK_PENDING 1u
#define BAR_WAS_LAST 1u
#define BAR_WAITING_FOR_TASK 2u
#define BAR_INCR 8u

enum { GOMP_TASK_WAITING, GOMP_TASK_TIED };

struct gtask;
struct gnode {
  struct gtask *next, *prev;
};
struct gwait { /* struct gomp_taskwait, in the waiter's frame */
  _Atomic int32_t sem;
  bool in_taskwait;
} __attribute__((aligned(LINE)));

struct gtask {
  /* line 0: what the queues, the lock holders and the waits touch */
  struct gnode cnode, tnode; /* pnode[PQ_CHILDREN], pnode[PQ_TEAM] */
  struct gtask *children;    /* children_queue */
  struct gtask *parent;
  struct gwait *taskwait;
  uint32_t kind;
  /* line 1: what the task runs */
  int depth __attribute__((aligned(LINE)));
  void (*fn)(int tid, struct gtask *self);
  uint64_t icv[6];
} __attribute__((aligned(LINE)));

static struct {
  _Atomic int32_t lock; /* task_lock */
  struct gtask *queue;  /* task_queue */
  uint32_t task_count, queued_count, running_count;
} __attribute__((aligned(LINE))) gteam;
static struct {
  _Atomic uint32_t total, generation, awaited;
} __attribute__((aligned(LINE))) gbar;
static struct {
  _Atomic unsigned long count;
} __attribute__((aligned(LINE))) gsingle;

struct gthread { /* per thread, private: gomp_thread */
  struct gtask *task;
  struct gtask *free;
  unsigned long single_count;
  long leaves; /* leaf tasks run, to check the kernel */
  struct gtask implicit;
} __attribute__((aligned(LINE)));
static struct gthread *gthr;

static void gmutex_lock(_Atomic int32_t *m) {
  int32_t old = 0;
  while (!atomic_compare_exchange_strong_explicit(m, &old, 1, memory_order_acquire,
                                                  memory_order_relaxed)) {
    while (atomic_load_explicit(m, memory_order_relaxed) == 1) /* do_spin */
      hsomp_sim_pause();
    old = 0;
  }
}

static void gmutex_unlock(_Atomic int32_t *m) {
  atomic_exchange_explicit(m, 0, memory_order_release);
}

/* priority_list_insert / _remove on one circular list, through the node
 * at offset `node' of each record. */
#define GNODE(t, off) ((struct gnode *)((char *)(t) + (off)))
static void glist_insert(struct gtask **list, struct gtask *t, size_t off, bool at_begin) {
  struct gnode *nd = GNODE(t, off);
  if (*list) {
    nd->next = *list;
    nd->prev = GNODE(*list, off)->prev;
    GNODE(nd->prev, off)->next = t;
    GNODE(*list, off)->prev = t;
    if (at_begin)
      *list = t;
  } else {
    nd->next = nd->prev = t;
    *list = t;
  }
}

/* Returns whether the list is empty now. */
static bool glist_remove(struct gtask **list, struct gtask *t, size_t off) {
  struct gnode *nd = GNODE(t, off);
  if (nd->next == t) {
    *list = NULL;
    return true;
  }
  GNODE(nd->prev, off)->next = nd->next;
  GNODE(nd->next, off)->prev = nd->prev;
  if (*list == t)
    *list = nd->next;
  return false;
}
#define CNODE offsetof(struct gtask, cnode)
#define TNODE offsetof(struct gtask, tnode)

static struct gtask *galloc(int tid) {
  struct gthread *me = &gthr[tid];
  struct gtask *t = me->free;
  if (t) {
    me->free = t->parent;
    return t;
  }
  return aligned_alloc(LINE, sizeof *t);
}

static void gfree(int tid, struct gtask *t) {
  t->parent = gthr[tid].free;
  gthr[tid].free = t;
}

/* GOMP_task, deferred, no dependences. */
static void gomp_task(int tid, void (*fn)(int, struct gtask *), int depth) {
  struct gthread *me = &gthr[tid];
  struct gtask *parent = me->task, *t = galloc(tid);
  t->parent = parent; /* gomp_init_task */
  t->children = NULL;
  t->taskwait = NULL;
  t->kind = GOMP_TASK_WAITING;
  t->fn = fn;
  t->depth = depth;
  memcpy(t->icv, parent->icv, sizeof t->icv);
  gmutex_lock(&gteam.lock);
  glist_insert(&parent->children, t, CNODE, true);
  glist_insert(&gteam.queue, t, TNODE, false);
  gteam.task_count++;
  gteam.queued_count++;
  atomic_store_explicit(&gbar.generation,
                        atomic_load_explicit(&gbar.generation, memory_order_relaxed) |
                            BAR_TASK_PENDING,
                        memory_order_relaxed); /* gomp_team_barrier_set_task_pending */
  bool do_wake = gteam.running_count + 1 < (uint32_t)n; /* + !parent->in_tied_task */
  gmutex_unlock(&gteam.lock);
  if (do_wake)
    futex_wake(&gbar.generation, 1);
}

/* gomp_task_run_pre: the task leaves the queues' waiting part. */
static void gtask_run_pre(struct gtask *t) {
  struct gtask *parent = t->parent;
  if (parent && parent->children == t) /* priority_list_downgrade_task */
    parent->children = t->cnode.next;
  glist_remove(&gteam.queue, t, TNODE);
  t->tnode.next = t->tnode.prev = NULL;
  t->kind = GOMP_TASK_TIED;
  if (--gteam.queued_count == 0)
    atomic_store_explicit(&gbar.generation,
                          atomic_load_explicit(&gbar.generation, memory_order_relaxed) &
                              ~BAR_TASK_PENDING,
                          memory_order_relaxed);
}

static void gsem_post(_Atomic int32_t *sem) {
  int32_t c = atomic_load_explicit(sem, memory_order_relaxed);
  while (!atomic_compare_exchange_weak_explicit(sem, &c, c + 2, memory_order_release,
                                                memory_order_relaxed))
    ;
}

static void gsem_wait(_Atomic int32_t *sem) {
  for (;;) {
    int32_t c = atomic_load_explicit(sem, memory_order_acquire);
    if (c > 0 && atomic_compare_exchange_weak_explicit(sem, &c, c - 2, memory_order_acquire,
                                                       memory_order_relaxed))
      return;
    while (atomic_load_explicit(sem, memory_order_relaxed) == 0) /* do_spin */
      hsomp_sim_pause();
  }
}

/* gomp_task_run_post_remove_parent */
static void gtask_remove_parent(struct gtask *t) {
  struct gtask *parent = t->parent;
  if (glist_remove(&parent->children, t, CNODE) && parent->taskwait &&
      parent->taskwait->in_taskwait) {
    parent->taskwait->in_taskwait = false;
    gsem_post(&parent->taskwait->sem);
  }
}

static void grun(int tid, struct gtask *t) {
  struct gthread *me = &gthr[tid];
  struct gtask *was = me->task;
  me->task = t;
  t->fn(tid, t);
  me->task = was;
}

static void gbarrier_done(uint32_t state) {
  atomic_store_explicit(&gbar.generation, (state & -BAR_INCR) + BAR_INCR, memory_order_release);
}

/* gomp_barrier_handle_tasks */
static void ghandle_tasks(int tid, uint32_t state) {
  struct gtask *child = NULL, *to_free = NULL;
  gmutex_lock(&gteam.lock);
  if (state & BAR_WAS_LAST) {
    if (gteam.task_count == 0) {
      gbarrier_done(state);
      gmutex_unlock(&gteam.lock);
      futex_wake(&gbar.generation, 0x7fffffff);
      return;
    }
    atomic_store_explicit(&gbar.generation,
                          atomic_load_explicit(&gbar.generation, memory_order_relaxed) |
                              BAR_WAITING_FOR_TASK,
                          memory_order_relaxed); /* gomp_team_barrier_set_waiting_for_tasks */
  }
  for (;;) {
    uint32_t gen = atomic_load_explicit(&gbar.generation, memory_order_relaxed);
    if (gteam.queue) {
      child = gteam.queue;
      gtask_run_pre(child);
      gteam.running_count++;
    } else if (gteam.task_count == 0 && (gen & BAR_WAITING_FOR_TASK)) {
      gbarrier_done(state);
      gmutex_unlock(&gteam.lock);
      futex_wake(&gbar.generation, 0x7fffffff);
      if (to_free)
        gfree(tid, to_free);
      return;
    }
    gmutex_unlock(&gteam.lock);
    if (to_free) {
      gfree(tid, to_free);
      to_free = NULL;
    }
    if (!child)
      return;
    grun(tid, child);
    gmutex_lock(&gteam.lock);
    gtask_remove_parent(child);
    to_free = child;
    gteam.running_count--;
    child = NULL;
    gen = atomic_load_explicit(&gbar.generation, memory_order_relaxed);
    if (--gteam.task_count == 0 && (gen & BAR_WAITING_FOR_TASK)) {
      gbarrier_done(state);
      gmutex_unlock(&gteam.lock);
      futex_wake(&gbar.generation, 0x7fffffff);
      gmutex_lock(&gteam.lock);
    }
  }
}

/* gomp_team_barrier_wait: _start, then _end. */
static void gteam_barrier(int tid) {
  uint32_t state = atomic_load_explicit(&gbar.generation, memory_order_acquire) & -BAR_INCR;
  if (atomic_fetch_sub_explicit(&gbar.awaited, 1, memory_order_acq_rel) == 1)
    state |= BAR_WAS_LAST;
  if (state & BAR_WAS_LAST) {
    atomic_store_explicit(&gbar.awaited, (uint32_t)n, memory_order_relaxed);
    if (gteam.task_count) {
      ghandle_tasks(tid, state);
      state &= ~BAR_WAS_LAST;
    } else {
      state += BAR_INCR - BAR_WAS_LAST;
      atomic_store_explicit(&gbar.generation, state, memory_order_release);
      futex_wake(&gbar.generation, 0x7fffffff);
      return;
    }
  }
  uint32_t generation = state, gen;
  do {
    while (atomic_load_explicit(&gbar.generation, memory_order_relaxed) == generation)
      hsomp_sim_pause(); /* do_wait */
    gen = atomic_load_explicit(&gbar.generation, memory_order_acquire);
    if (gen & BAR_TASK_PENDING) {
      ghandle_tasks(tid, state);
      gen = atomic_load_explicit(&gbar.generation, memory_order_acquire);
    }
    generation |= gen & BAR_WAITING_FOR_TASK;
  } while (gen != state + BAR_INCR);
}

/* GOMP_taskwait */
static void gomp_taskwait(int tid) {
  struct gtask *task = gthr[tid].task, *child = NULL, *to_free = NULL;
  struct gwait taskwait = {0};
  if (!task->children)
    return;
  gmutex_lock(&gteam.lock);
  for (;;) {
    if (!task->children) {
      task->taskwait = NULL;
      gmutex_unlock(&gteam.lock);
      if (to_free)
        gfree(tid, to_free);
      return;
    }
    struct gtask *next = task->children;
    if (next->kind == GOMP_TASK_WAITING) {
      child = next;
      gtask_run_pre(child);
    } else {
      task->taskwait = &taskwait;
      taskwait.in_taskwait = true;
    }
    gmutex_unlock(&gteam.lock);
    if (to_free) {
      gfree(tid, to_free);
      to_free = NULL;
    }
    if (child)
      grun(tid, child);
    else
      gsem_wait(&taskwait.sem);
    gmutex_lock(&gteam.lock);
    if (child) {
      glist_remove(&task->children, child, CNODE);
      to_free = child;
      child = NULL;
      gteam.task_count--;
    }
  }
}

static bool gomp_single_start(int tid) {
  unsigned long c = gthr[tid].single_count++;
  unsigned long want = c;
  return atomic_compare_exchange_strong(&gsingle.count, &want, c + 1);
}

/* ------------------------------------------------------------------ */
/* libomp */

#define DEQUE_SIZE 256 /* INITIAL_TASK_DEQUE_SIZE */

struct otask { /* kmp_taskdata_t and its kmp_task_t */
  /* line 0: header */
  struct otask *parent;
  int level;
  _Atomic uint32_t executing;
  int taskwait_thread;
  bool tied;
  /* line 1: ICVs */
  uint64_t icv[8] __attribute__((aligned(LINE)));
  /* line 2: child counts */
  _Atomic int32_t allocated __attribute__((aligned(LINE)));
  _Atomic int32_t incomplete;
  /* line 3: the task and its argument */
  void (*fn)(int tid, struct otask *self) __attribute__((aligned(LINE)));
  int depth;
  struct otask *free_next;
} __attribute__((aligned(LINE)));

struct odeque {
  _Atomic uint32_t next_ticket __attribute__((aligned(LINE))); /* td_deque_lock */
  _Atomic uint32_t now_serving;
  struct otask **ring __attribute__((aligned(LINE)));
  uint32_t head, tail;
  _Atomic uint32_t ntasks;
  int last_stolen;
} __attribute__((aligned(LINE)));

struct otask_team { /* kmp_base_task_team_t: each in a line of its own */
  _Atomic int32_t unfinished __attribute__((aligned(LINE))); /* tt_unfinished_threads */
  _Atomic uint32_t active __attribute__((aligned(LINE)));    /* tt_active */
} __attribute__((aligned(LINE)));

static struct otask_team oteams[2];
static struct {
  _Atomic uint32_t construct;
} __attribute__((aligned(LINE))) oconstruct;

struct othread { /* per thread, private: kmp_info_t */
  struct otask *current;
  struct otask *free;
  uint32_t this_construct;
  uint32_t task_state; /* which task team */
  uint64_t rand;
  long leaves;
  struct otask implicit;
} __attribute__((aligned(LINE)));
static struct othread *othr;
static struct odeque *odeq;

static void olock(struct odeque *d) {
  uint32_t ticket = atomic_fetch_add_explicit(&d->next_ticket, 1, memory_order_relaxed);
  while (atomic_load_explicit(&d->now_serving, memory_order_acquire) != ticket)
    hsomp_sim_pause();
}

static void ounlock(struct odeque *d) {
  atomic_fetch_add_explicit(&d->now_serving, 1, memory_order_release);
}

static struct otask *oalloc(int tid) {
  struct othread *me = &othr[tid];
  struct otask *t = me->free;
  if (t) {
    me->free = t->free_next;
    return t;
  }
  return aligned_alloc(LINE, sizeof *t);
}

static void ofree(int tid, struct otask *t) {
  t->free_next = othr[tid].free;
  othr[tid].free = t;
}

/* __kmp_task_alloc + __kmp_push_task */
static void omp_task(int tid, void (*fn)(int, struct otask *), int depth) {
  struct othread *me = &othr[tid];
  struct otask *parent = me->current, *t = oalloc(tid);
  t->parent = parent;
  t->level = parent->level + 1;
  t->tied = true;
  atomic_store_explicit(&t->executing, 0, memory_order_relaxed);
  t->taskwait_thread = 0;
  memcpy(t->icv, parent->icv, sizeof t->icv);
  atomic_store_explicit(&t->allocated, 1, memory_order_relaxed);
  atomic_store_explicit(&t->incomplete, 0, memory_order_relaxed);
  t->fn = fn;
  t->depth = depth;
  atomic_fetch_add_explicit(&parent->allocated, 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&parent->incomplete, 1, memory_order_relaxed);
  struct odeque *d = &odeq[tid];
  olock(d);
  d->ring[d->tail] = t;
  d->tail = (d->tail + 1) % DEQUE_SIZE;
  atomic_store_explicit(&d->ntasks, atomic_load_explicit(&d->ntasks, memory_order_relaxed) + 1,
                        memory_order_relaxed);
  ounlock(d);
}

/* __kmp_task_is_allowed: the task scheduling constraint of a tied task
 * waiting in taskwait (only its descendants). */
static bool oallowed(int tid, bool constrained, struct otask *t) {
  struct otask *current = othr[tid].current;
  if (!constrained || current->taskwait_thread <= 0)
    return true;
  int level = current->level;
  struct otask *p = t->parent;
  while (p != current && p->level > level)
    p = p->parent;
  return p == current;
}

/* __kmp_remove_my_task */
static struct otask *oremove_my_task(int tid, bool constrained) {
  struct odeque *d = &odeq[tid];
  if (atomic_load_explicit(&d->ntasks, memory_order_relaxed) == 0)
    return NULL;
  olock(d);
  struct otask *t = NULL;
  if (atomic_load_explicit(&d->ntasks, memory_order_relaxed) != 0) {
    uint32_t tail = (d->tail + DEQUE_SIZE - 1) % DEQUE_SIZE;
    t = d->ring[tail];
    if (oallowed(tid, constrained, t)) {
      d->tail = tail;
      atomic_store_explicit(&d->ntasks,
                            atomic_load_explicit(&d->ntasks, memory_order_relaxed) - 1,
                            memory_order_relaxed);
    } else {
      t = NULL;
    }
  }
  ounlock(d);
  return t;
}

/* __kmp_steal_task (the head task only: the search deeper in the deque
 * for an allowed task is left out) */
static struct otask *osteal(int tid, int victim, struct otask_team *tt, bool *finished,
                            bool constrained) {
  struct odeque *d = &odeq[victim];
  if (atomic_load_explicit(&d->ntasks, memory_order_relaxed) == 0)
    return NULL;
  olock(d);
  uint32_t ntasks = atomic_load_explicit(&d->ntasks, memory_order_relaxed);
  struct otask *t = NULL;
  if (ntasks != 0 && oallowed(tid, constrained, d->ring[d->head])) {
    t = d->ring[d->head];
    d->head = (d->head + 1) % DEQUE_SIZE;
    if (*finished) {
      atomic_fetch_add_explicit(&tt->unfinished, 1, memory_order_relaxed);
      *finished = false;
    }
    atomic_store_explicit(&d->ntasks, ntasks - 1, memory_order_relaxed);
  }
  ounlock(d);
  return t;
}

/* __kmp_invoke_task: start, run, finish (__kmp_task_finish and
 * __kmp_free_task_and_ancestors). */
static void oinvoke(int tid, struct otask *t) {
  struct othread *me = &othr[tid];
  struct otask *resumed = me->current;
  atomic_store_explicit(&resumed->executing, 0, memory_order_relaxed);
  atomic_store_explicit(&t->executing, 1, memory_order_relaxed);
  me->current = t;
  t->fn(tid, t);
  atomic_store_explicit(&t->executing, 0, memory_order_relaxed); /* td_flags.complete */
  struct otask *parent = t->parent;
  atomic_fetch_sub_explicit(&parent->incomplete, 1, memory_order_acq_rel);
  if (atomic_fetch_sub_explicit(&t->allocated, 1, memory_order_acq_rel) == 1) {
    ofree(tid, t);
    atomic_fetch_sub_explicit(&parent->allocated, 1, memory_order_acq_rel);
  }
  me->current = resumed;
  atomic_store_explicit(&resumed->executing, 1, memory_order_relaxed);
}

typedef bool (*odone_fn)(const void *ctx);

/* __kmp_execute_tasks_template: returns whether `done' held after a task
 * (a wait that is not a final spin returns then). */
static bool oexecute_tasks(int tid, struct otask_team *tt, bool final_spin, bool *finished,
                           bool constrained, odone_fn done, const void *ctx) {
  struct othread *me = &othr[tid];
  struct odeque *mine = &odeq[tid];
  bool use_own = true, new_victim = false;
  int victim = -2;
  for (;;) {
    struct otask *t = NULL;
    if (use_own)
      t = oremove_my_task(tid, constrained);
    if (!t && n > 1) {
      use_own = false;
      if (victim == -2)
        victim = mine->last_stolen;
      if (victim == -1 && !new_victim) {
        me->rand = me->rand * 6364136223846793005ull + 1442695040888963407ull;
        victim = (int)((me->rand >> 33) % (uint64_t)(n - 1));
        if (victim >= tid)
          victim++;
      }
      if (victim >= 0)
        t = osteal(tid, victim, tt, finished, constrained);
      if (t) {
        if (mine->last_stolen != victim) {
          mine->last_stolen = victim;
          new_victim = true;
        }
      } else {
        if (mine->last_stolen != -1) /* KMP_CHECK_UPDATE */
          mine->last_stolen = -1;
        victim = -2;
      }
    }
    if (!t)
      break;
    oinvoke(tid, t);
    if (!final_spin && done(ctx))
      return true;
    sched_yield(); /* KMP_YIELD(__kmp_library == library_throughput) */
    if (!use_own && atomic_load_explicit(&mine->ntasks, memory_order_relaxed) != 0) {
      use_own = true;
      new_victim = false;
    }
  }
  if (final_spin && atomic_load_explicit(&me->current->incomplete, memory_order_acquire) == 0) {
    if (!*finished) {
      atomic_fetch_sub_explicit(&tt->unfinished, 1, memory_order_acq_rel);
      *finished = true;
    }
    if (done(ctx))
      return true;
  }
  return false;
}

/* __kmp_wait_template: poll, running tasks in between. */
static void owait(int tid, bool final_spin, bool constrained, odone_fn done, const void *ctx) {
  struct otask_team *tt = &oteams[othr[tid].task_state];
  bool finished = false;
  while (!done(ctx)) {
    if (atomic_load_explicit(&tt->active, memory_order_acquire))
      oexecute_tasks(tid, tt, final_spin, &finished, constrained, done, ctx);
    hsomp_sim_pause();
  }
}

struct oflag {
  _Atomic uint32_t *word;
  uint32_t want;
};
static bool oflag_done(const void *ctx) {
  const struct oflag *f = ctx;
  return atomic_load_explicit(f->word, memory_order_acquire) == f->want;
}
static bool ozero_done(const void *ctx) {
  return atomic_load_explicit((_Atomic int32_t *)ctx, memory_order_acquire) == 0;
}

/* The hyper barrier's waits: the gather's are not final spins, the
 * release's are. */
static void ogather_wait(int tid, _Atomic uint32_t *w, uint32_t want) {
  struct oflag f = {w, want};
  owait(tid, false, false, oflag_done, &f);
}
static void orelease_wait(int tid, _Atomic uint32_t *w, uint32_t want) {
  struct oflag f = {w, want};
  owait(tid, true, false, oflag_done, &f);
}

/* __kmpc_omp_taskwait */
static void omp_taskwait(int tid) {
  struct otask *t = othr[tid].current;
  if (atomic_load_explicit(&t->incomplete, memory_order_acquire) == 0)
    return;
  t->taskwait_thread = tid + 1;
  bool finished = false;
  struct otask_team *tt = &oteams[othr[tid].task_state];
  while (atomic_load_explicit(&t->incomplete, memory_order_acquire) != 0) {
    oexecute_tasks(tid, tt, false, &finished, true, ozero_done, &t->incomplete);
    hsomp_sim_pause();
  }
  t->taskwait_thread = -t->taskwait_thread;
}

/* __kmp_barrier with tasks: the primary sets up the other task team, the
 * hyper gather (waits run tasks), the primary waits for the task team's
 * unfinished count and deactivates it, the hyper release (final spin),
 * then every thread switches task teams (__kmp_task_team_sync). */
static void otask_barrier(int tid) {
  struct othread *me = &othr[tid];
  if (tid == 0) {
    struct otask_team *other = &oteams[1 - me->task_state];
    atomic_store_explicit(&other->unfinished, n, memory_order_relaxed);
    atomic_store_explicit(&other->active, 1, memory_order_release);
  }
  hyper_gather_waiting(tid, ogather_wait);
  if (tid == 0) {
    struct otask_team *tt = &oteams[me->task_state];
    owait(tid, true, false, ozero_done, &tt->unfinished);
    atomic_store_explicit(&tt->active, 0, memory_order_release);
  }
  hyper_release_waiting(tid, orelease_wait);
  me->task_state = 1 - me->task_state;
}

/* __kmp_enter_single */
static bool omp_single_start(int tid) {
  uint32_t old = othr[tid].this_construct++;
  if (atomic_load_explicit(&oconstruct.construct, memory_order_relaxed) != old)
    return false;
  return atomic_compare_exchange_strong(&oconstruct.construct, &old, old + 1);
}

/* ------------------------------------------------------------------ */
/* The constructs, written once for both schedulers */

static enum mode task_mode;

static void leaf_or_tree(int tid, int depth);
static void leaf(int tid);
static void gtree_task(int tid, struct gtask *self) { leaf_or_tree(tid, self->depth); }
static void otree_task(int tid, struct otask *self) { leaf_or_tree(tid, self->depth); }
static void leaf(int tid) {
  sim_delay(LEAF_NS);
  if (task_mode == LIBGOMP)
    gthr[tid].leaves++;
  else
    othr[tid].leaves++;
}
static void gleaf_task(int tid, struct gtask *self) { leaf(tid); }
static void oleaf_task(int tid, struct otask *self) { leaf(tid); }

/* driver.c's tree(depth) */
static void leaf_or_tree(int tid, int depth) {
  if (depth == 0) {
    leaf(tid);
    return;
  }
  for (int k = 0; k < 2; k++)
    if (task_mode == LIBGOMP)
      gomp_task(tid, gtree_task, depth - 1);
    else
      omp_task(tid, otree_task, depth - 1);
  if (task_mode == LIBGOMP)
    gomp_taskwait(tid);
  else
    omp_taskwait(tid);
}

static bool single_start(int tid) {
  return task_mode == LIBGOMP ? gomp_single_start(tid) : omp_single_start(tid);
}

static void task_barrier(int tid) {
  if (task_mode == LIBGOMP)
    gteam_barrier(tid);
  else
    otask_barrier(tid);
}

static void tree_round(int tid) {
  if (single_start(tid))
    leaf_or_tree(tid, tree_depth);
  task_barrier(tid);
}

static void steal_round(int tid) {
  if (single_start(tid))
    for (int k = 0; k < 2 * n; k++)
      if (task_mode == LIBGOMP)
        gomp_task(tid, gleaf_task, 0);
      else
        omp_task(tid, oleaf_task, 0);
  task_barrier(tid);
}

static void (*round_body)(int tid);
static char window_name[64]; /* CONSTRUCT@LIB-model, for HSOMP_SCALE_PCS */

/* driver.c's IN_REGION with no closing barrier */
static void task_region_body(int tid) {
  for (int r = 0; r < WARM + REPS; r++) {
    if (r == WARM) {
      task_barrier(tid);
      if (tid == 0)
        sim_window_begin();
    }
    round_body(tid);
  }
  if (tid == 0)
    sim_window_end(window_name, n, REPS, &task_result);
}

static void task_state_init(void) {
  tree_depth = 1;
  while ((1 << tree_depth) < n)
    tree_depth++;
  if (!gthr) {
    /* HSOMP_SCALE_SEED: another sequence of libomp's random victims */
    const char *seed_env = getenv("HSOMP_SCALE_SEED");
    uint64_t seed = seed_env ? strtoull(seed_env, NULL, 10) : 0;
    gthr = aligned_alloc(LINE, sizeof *gthr * (size_t)n);
    othr = aligned_alloc(LINE, sizeof *othr * (size_t)n);
    odeq = aligned_alloc(LINE, sizeof *odeq * (size_t)n);
    memset(gthr, 0, sizeof *gthr * (size_t)n);
    memset(othr, 0, sizeof *othr * (size_t)n);
    memset(odeq, 0, sizeof *odeq * (size_t)n);
    for (int i = 0; i < n; i++) {
      gthr[i].task = &gthr[i].implicit;
      othr[i].current = &othr[i].implicit;
      othr[i].implicit.allocated = 1;
      othr[i].implicit.tied = true;
      othr[i].rand = ((uint64_t)i + seed) * 2654435761u + 1;
      odeq[i].ring = aligned_alloc(LINE, sizeof(struct otask *) * DEQUE_SIZE);
      odeq[i].last_stolen = -1;
      /* each thread's pool of records, as a warm allocator would have */
      for (int k = 0; k < POOL_RECORDS; k++) {
        gfree(i, aligned_alloc(LINE, sizeof(struct gtask)));
        ofree(i, aligned_alloc(LINE, sizeof(struct otask)));
      }
    }
    atomic_store(&gbar.total, (uint32_t)n);
    atomic_store(&gbar.awaited, (uint32_t)n);
    atomic_store(&oteams[0].unfinished, n);
    atomic_store(&oteams[0].active, 1);
  }
}

/* Every leaf ran once: the sum of the threads' counts. */
static void check_leaves(const char *construct, long per_round) {
  long sum = 0;
  for (int i = 0; i < n; i++) {
    sum += task_mode == LIBGOMP ? gthr[i].leaves : othr[i].leaves;
    gthr[i].leaves = othr[i].leaves = 0;
  }
  if (sum != per_round * (WARM + REPS)) {
    fprintf(stderr, "scale: %s model kernel ran %ld leaves, not %ld\n", construct, sum,
            per_round * (WARM + REPS));
    exit(1);
  }
}

void task_kernels_measure(enum mode m) {
  const char *lib = m == LIBGOMP ? "libgomp" : "libomp";
  task_state_init();
  task_mode = m;
  enter_mode(m);
  round_body = steal_round;
  snprintf(window_name, sizeof window_name, "TASK_STEAL@%s-model", lib);
  region(task_region_body, m);
  check_leaves("TASK_STEAL", 2L * n);
  emit("TASK_STEAL", lib, &task_result);
  round_body = tree_round;
  snprintf(window_name, sizeof window_name, "TASK_TREE@%s-model", lib);
  region(task_region_body, m);
  check_leaves("TASK_TREE", 1L << tree_depth);
  emit("TASK_TREE", lib, &task_result);
}
