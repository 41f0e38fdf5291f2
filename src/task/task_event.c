/* task_event.c -- detach events: the handles GOMP_task gives out for a
 * `detach' clause, their fulfilment (omp_fulfill_event, task.c, calls
 * hsomp_event_fulfil), and how a detached task's completion meets its
 * event's fulfilment.
 *
 * The handles index a table of event slots owned by this file (never a
 * task record), so that any handle a program may hold stays safe to pass
 * to omp_fulfill_event: see Note [Detach events]. */
#include "handles.h"
#include "task_internal.h"
#include "ompt_internal.h"

#include <limits.h>
#include <pthread.h>
#include <stdlib.h>

/* Note [Detach events]
 * A handle is (generation << 32) | index into the event table; the slot
 * at `index' holds `word' = (generation << 32) | state bits:
 *
 *   EV_EVENT      the event has not been fulfilled yet;
 *   EV_BODY       a deferred task's body has not finished (or the task
 *                 has not been discarded) yet;
 *   EV_INCLUDED   the task is an included task, whose creating thread
 *                 waits (on `wake') for the event, then frees the slot;
 *   EV_DISCARDED  cancellation discarded the task before it started: the
 *                 task record is gone, only the event is still pending;
 *   EV_DETACHING  the body's thread is reporting ompt_task_detach to a tool
 *                 (Note [Detach events and tools]).
 *
 * Whoever clears the last of EVENT/BODY (one atomic operation on `word',
 * so exactly one party) completes a deferred task and frees its slot: the
 * thread that ran the body, or the fulfilling thread -- any thread at all,
 * inside the team, in another team, or not an OpenMP thread.
 *
 * Cancellation.  A task discarded before it started is complete at once,
 * as in libgomp: its dependants may start, and taskwait, the taskgroup's
 * end and the region's end do not wait for its event (OpenMP's
 * cancellation discards the task; libgomp never waits for such an event,
 * and a program written for it may well never fulfil one).  The record is
 * freed, but the slot stays, DISCARDED, until the program fulfils the
 * event -- a harmless no-op that frees the slot.  A task that has started
 * is not discarded: its completion waits for its event as usual.  A
 * `task detach' encountered after its taskgroup or region was cancelled
 * is not created at all (libgomp returns without writing the handle);
 * hsomp writes the handle of a DISCARDED slot, so a later fulfilment is a
 * no-op there too.  A discarded event that is never fulfilled keeps its
 * 40-byte slot for the life of the process.
 *
 * Errors.  Fulfilling an event twice is non-conforming (OpenMP 5.1,
 * omp_fulfill_event), as is passing anything but a handle from a detach
 * clause.  Freeing a slot bumps its generation, so a second fulfilment of
 * a completed task's event, a handle of 0, or one whose index was never
 * handed out, is a fatal error with one line on stderr (libgomp: "event
 * is invalid or has already been fulfilled", when it notices at all),
 * never a write to freed memory.  (A generation wraps after 2^32 uses of
 * one slot; a stale handle that old could fulfil a newer event.)
 *
 * Memory order.  The fulfiller's CAS and the body's fetch_and are acq_rel
 * read-modify-writes of the same word, so whoever clears the last bit has
 * seen everything the other party did before clearing its own -- the
 * task's record included, whatever channel (a variable of the program,
 * unseen by the runtime) the handle travelled through.  Slot fields other
 * than `word' are atomics with relaxed order: a stale handle may read them
 * while the slot is reused (and then fails the CAS). */
enum {
  EV_EVENT = 1u << 0,
  EV_BODY = 1u << 1,
  EV_INCLUDED = 1u << 2,
  EV_DISCARDED = 1u << 3,
  EV_DETACHING = 1u << 4,
};

struct hsomp_event {
  _Atomic uint64_t word;                  /* generation << 32 | EV_* */
  _Atomic(struct hsomp_task *) task;      /* deferred: the record */
  _Atomic(struct hsomp_team *) team;      /* included: whom to wake */
  struct hsomp_waitword wake;             /* included: 1 once fulfilled */
  uint32_t next_free;                     /* free: index + 1 of the next, 0 = end */
};

/* The table grows by chunks that are never freed (a stale handle may
 * still look at its slot), up to 64 M slots; the chunk array is BSS, so
 * only the pages of the chunks in use are touched. */
#define EVENT_CHUNK_BITS 10
#define EVENT_CHUNK (1u << EVENT_CHUNK_BITS)
#define EVENT_CHUNKS 65536u
#define EVENT_BATCH 32u /* slots moved between a thread and the shared pool at once */

/* The slots (a handle table, Note [Handle tables] in handles.h).  Each
 * chunk's trailer holds entries of the shared stack of full batches (the
 * index + 1 of each batch's first slot): there are never more full
 * batches than slots made / EVENT_BATCH, so entry `p' lies in a chunk
 * that exists. */
HSOMP_HANDLES(event_slots, struct hsomp_event, EVENT_CHUNK_BITS, EVENT_CHUNKS,
              EVENT_CHUNK / EVENT_BATCH * sizeof(uint32_t));
static hsomp_mutex event_lock;       /* guards the shared pool and growth */
static uint32_t event_batch_top;     /* full batches on the shared stack */
static uint32_t event_loose;         /* index + 1 of a list of odd free slots */

static struct hsomp_event *event_slot(uint32_t index) {
  return hsomp_handles_slot(&event_slots, index);
}

static uint32_t *event_batch_entry(uint32_t p) {
  uint32_t *batch = hsomp_handles_extra(&event_slots, p * EVENT_BATCH);
  return &batch[p % (EVENT_CHUNK / EVENT_BATCH)];
}

/* Note [Per-thread free slots]
 * Taking and freeing a slot under event_lock each time would take the
 * lock twice per detached task.  So each thread keeps free slots of its
 * own in its record (hsomp_thread.events: Bonwick's magazines): `cur', up to EVENT_BATCH
 * slots, and `full', none or exactly EVENT_BATCH, each a list linked
 * through the slots' next_free.  A thread takes from and frees to `cur';
 * when `cur' is empty it swaps in `full' (or, with none, takes a batch
 * from the shared pool), and when `cur' is full it becomes `full' (the
 * previous `full' going to the shared stack).  So event_lock is taken at
 * most once per EVENT_BATCH slots taken or freed, never back and forth
 * at a batch's edge, and the lists are never walked: taking a slot reads
 * its next_free, in the line that the new event writes anyway.  A thread
 * frees a slot to its own magazines, whoever took it: where one thread
 * creates the tasks and others fulfil them, slots travel back through the
 * shared stack a batch at a time.  The last slot freed is the next taken,
 * as with the single locked free list before, so a burst of tasks walks
 * its slots in address order (200,000 tasks span 6.4 MB of slots).
 *
 * Safety does not depend on where a free slot sits.  Exactly one party
 * frees a slot (Note [Detach events]) and it bumps the generation before
 * the slot goes anywhere, with no lock: no one else writes `word' then (a
 * stale fulfiller's CAS fails, its generation being older, and a current
 * one finds EV_EVENT clear).  A slot moves between threads only through
 * the shared pool, under event_lock, which orders the freeing thread's
 * writes (next_free included) before the taking thread's; inside one
 * thread, program order does.  No handle reaches a slot's memory except
 * through the table, which is never freed.
 *
 * Leaks.  A thread record that goes away (a host thread's exit, a retired
 * worker) gives its slots to the shared pool's loose list
 * (events_release, through hsomp_thread_release_caches).  In a fork
 * child the other threads' slots are lost (at most 2 * EVENT_BATCH
 * slots, 40 bytes each, per thread that
 * existed), and the forking thread drops its own (event_after_fork):
 * fork() may have interrupted it in a signal handler, and the child must
 * not trust magazines caught half-updated.  The shared pool changes by
 * one store of its top or head once the slots are linked, so a fork
 * leaves it whole (a batch moving in another thread is lost, not torn). */

/* Under event_lock: a batch of free slots for `c->cur' (empty, as is
 * `c->full'): a full one from the shared stack, else loose slots, else
 * fresh ones. */
__attribute__((noinline)) static void event_refill_locked(struct hsomp_event_cache *c) {
  HSOMP_ASSERT_MUTEX_HELD(&event_lock);
  HSOMP_ASSERT(c->cur_n == 0 && c->full_n == 0);
  if (event_batch_top) {
    c->cur = *event_batch_entry(--event_batch_top);
    c->cur_n = EVENT_BATCH;
    return;
  }
  if (event_loose) {
    uint32_t head = event_loose, last = head - 1, n = 1;
    while (n < EVENT_BATCH && event_slot(last)->next_free) {
      last = event_slot(last)->next_free - 1;
      n++;
    }
    event_loose = event_slot(last)->next_free;
    event_slot(last)->next_free = 0;
    c->cur = head;
    c->cur_n = n;
    return;
  }
  uint32_t first, n = hsomp_handles_grow(&event_slots, EVENT_BATCH, &first);
  if (n == 0)
    hsomp_fatal("out of memory allocating detach events, or more than %u outstanding",
                EVENT_CHUNKS * EVENT_CHUNK);
  for (uint32_t i = first; i < first + n; i++)
    event_slot(i)->next_free = i + 2; /* ascending */
  event_slot(first + n - 1)->next_free = 0;
  c->cur = first + 1;
  c->cur_n = n;
}

/* A slot in state `bits' for `task' (or `team'); returns its handle. */
static void events_release(struct hsomp_thread *self);

static uintptr_t event_new(struct hsomp_thread *self, struct hsomp_task *task,
                           struct hsomp_team *team, uint32_t bits) {
  struct hsomp_event_cache *c = &self->events;
  self->release_events = events_release;
  if (HSOMP_UNLIKELY(c->cur_n == 0)) {
    if (c->full_n) {
      c->cur = c->full;
      c->cur_n = c->full_n;
      c->full_n = 0;
    } else {
      hsomp_mutex_lock(&event_lock);
      event_refill_locked(c);
      hsomp_mutex_unlock(&event_lock);
    }
  }
  uint32_t index = c->cur - 1;
  struct hsomp_event *ev = event_slot(index);
  c->cur = ev->next_free;
  c->cur_n--;
  uint64_t gen = atomic_load_explicit(&ev->word, memory_order_relaxed) >> 32;
  if (gen == 0)
    gen = 1; /* a fresh slot: handles are never 0 */
  atomic_store_explicit(&ev->task, task, memory_order_relaxed);
  atomic_store_explicit(&ev->team, team, memory_order_relaxed);
  atomic_store_explicit(&ev->wake.value, 0, memory_order_relaxed);
  atomic_store_explicit(&ev->word, gen << 32 | bits, memory_order_release);
  return (uintptr_t)(gen << 32 | index);
}

/* A full batch of free slots onto the shared stack. */
__attribute__((noinline)) static void event_push_batch(uint32_t head) {
  hsomp_mutex_lock(&event_lock);
  *event_batch_entry(event_batch_top) = head;
  event_batch_top++;
  hsomp_mutex_unlock(&event_lock);
}

/* The slot's event is over: a new generation, into this thread's
 * magazines (Note [Per-thread free slots]). */
static void event_free(struct hsomp_thread *self, uint32_t index) {
  struct hsomp_event *ev = event_slot(index);
  uint64_t gen = (atomic_load_explicit(&ev->word, memory_order_relaxed) >> 32) + 1;
  if (gen > UINT32_MAX)
    gen = 1;
  atomic_store_explicit(&ev->task, NULL, memory_order_relaxed);
  atomic_store_explicit(&ev->team, NULL, memory_order_relaxed);
  atomic_store_explicit(&ev->word, gen << 32, memory_order_release);
  struct hsomp_event_cache *c = &self->events;
  self->release_events = events_release;
  if (HSOMP_UNLIKELY(c->cur_n == EVENT_BATCH)) {
    if (c->full_n)
      event_push_batch(c->full);
    c->full = c->cur;
    c->full_n = EVENT_BATCH;
    c->cur_n = 0;
  }
  ev->next_free = c->cur_n ? c->cur : 0;
  c->cur = index + 1;
  c->cur_n++;
}

/* The last slot of a list of free slots (ours: no lock). */
static uint32_t event_list_last(uint32_t head) {
  uint32_t last = head - 1;
  while (event_slot(last)->next_free)
    last = event_slot(last)->next_free - 1;
  return last;
}

static void events_release(struct hsomp_thread *self) {
  struct hsomp_event_cache *c = &self->events;
  uint32_t head = 0;
  if (c->full_n) {
    head = c->full;
    c->full_n = 0;
  }
  if (c->cur_n) {
    if (head)
      event_slot(event_list_last(c->cur))->next_free = head;
    head = c->cur;
    c->cur_n = 0;
  }
  if (!head)
    return;
  uint32_t last = event_list_last(head);
  hsomp_mutex_lock(&event_lock);
  event_slot(last)->next_free = event_loose;
  event_loose = head;
  hsomp_mutex_unlock(&event_lock);
}


uintptr_t hsomp_event_deferred(struct hsomp_thread *self, struct hsomp_task *t) {
  uintptr_t handle = event_new(self, t, t->team, EV_EVENT | EV_BODY);
  t->event = hsomp_handle_index(handle);
  return handle;
}

uintptr_t hsomp_event_discarded(struct hsomp_thread *self) {
  return event_new(self, NULL, NULL, EV_EVENT | EV_DISCARDED);
}

bool hsomp_event_body_done(struct hsomp_thread *self, struct hsomp_task *t, bool discarded) {
  struct hsomp_event *ev = event_slot(t->event);
  uint64_t old = atomic_load_explicit(&ev->word, memory_order_relaxed);
  uint64_t now;
  do {
    HSOMP_ASSERT(old & EV_BODY); /* Note [Detach events]: the body ends once */
    now = old & ~(uint64_t)(EV_BODY | EV_DETACHING);
    if (discarded && (old & EV_EVENT))
      now |= EV_DISCARDED;
  } while (!atomic_compare_exchange_weak_explicit(&ev->word, &old, now, memory_order_acq_rel,
                                                  memory_order_relaxed));
  if (old & EV_EVENT) {
    /* Still pending: the fulfiller completes the task, or (discarded)
     * only frees the slot; a discarded task completes now. */
    return discarded;
  }
  event_free(self, t->event);
  return true;
}

/* ------------------------------------------------------------------ */
/* Included tasks.                                                      */

uintptr_t hsomp_event_included(struct hsomp_thread *self, struct hsomp_task *rec,
                               struct hsomp_team *team) {
  uintptr_t handle = event_new(self, NULL, team, EV_EVENT | EV_INCLUDED);
  rec->event = hsomp_handle_index(handle);
  return handle;
}

bool hsomp_event_included_fulfilled(struct hsomp_task *rec) {
  return atomic_load_explicit(&event_slot(rec->event)->wake.value, memory_order_seq_cst) != 0;
}

struct hsomp_waitword *hsomp_event_included_word(struct hsomp_task *rec) {
  return &event_slot(rec->event)->wake;
}

/* The fulfiller's last accesses to the slot are its store to `wake' and
 * the read of its sleepers (the wake-ups may come later: at worst a
 * spurious wake-up of the slot's next user), so the creator frees the
 * slot only once it has seen the store. */
void hsomp_event_included_free(struct hsomp_thread *self, struct hsomp_task *rec) {
  event_free(self, rec->event);
}

/* ------------------------------------------------------------------ */
/* Fulfilment.                                                          */

_Noreturn static void bad_handle(uintptr_t handle) {
  hsomp_fatal("omp_fulfill_event: event %#lx is invalid or has already been fulfilled",
              (unsigned long)handle);
}

/* Note [Detach events and tools]
 * OMPT reports a detached task's end in two parts: at the end of its body
 * a task_schedule with status ompt_task_detach if the event is still
 * pending (else ompt_task_complete), and, from the fulfilling thread,
 * ompt_task_late_fulfill (the body had ended) or ompt_task_early_fulfill
 * (it had not).  A tool must never see detach followed by early, so the
 * body's thread sets EV_DETACHING, in one CAS with its check that EV_EVENT
 * is still set, before its callback, and clears it with EV_BODY after it;
 * a fulfiller that finds EV_DETACHING waits for both to clear (the length
 * of the tool's callback) and then fulfils late.  The record is alive for
 * the detach callback, since EV_BODY is still set.  A late fulfiller
 * completes the task, so the record is alive for its callback too.  An
 * early fulfiller may not touch the record after its CAS (the body's end
 * may complete and free it at once), so it copies the task's tool data
 * before the CAS, while EV_EVENT, which only it clears, keeps the task
 * from completing; the tool gets a pointer to that copy.  Included
 * detached tasks report ompt_task_complete only. */
bool hsomp_event_detach_begin(struct hsomp_task *t) {
  struct hsomp_event *ev = event_slot(t->event);
  uint64_t old = atomic_load_explicit(&ev->word, memory_order_acquire);
  do {
    if (!(old & EV_EVENT))
      return false;
  } while (!atomic_compare_exchange_weak_explicit(&ev->word, &old, old | EV_DETACHING,
                                                  memory_order_acq_rel, memory_order_acquire));
  return true;
}

struct hsomp_task *hsomp_event_fulfil(uintptr_t handle, bool *early, ompt_data_t *early_data) {
  *early = false;
  uint32_t index = hsomp_handle_index(handle);
  uint64_t gen = (uint64_t)handle >> 32;
  if (gen == 0 || !hsomp_handles_made(&event_slots, index))
    bad_handle(handle);
  struct hsomp_event *ev = event_slot(index);
  uint64_t old = atomic_load_explicit(&ev->word, memory_order_acquire);
  struct hsomp_team *team;
  for (;;) {
    if ((old >> 32) != gen || !(old & EV_EVENT))
      bad_handle(handle);
    if (old & EV_DETACHING) { /* Note [Detach events and tools] */
      hsomp_cpu_relax();
      old = atomic_load_explicit(&ev->word, memory_order_acquire);
      continue;
    }
    team = atomic_load_explicit(&ev->team, memory_order_relaxed);
    if (HSOMP_UNLIKELY(hsomp_ompt_enabled) && (old & EV_BODY) &&
        !(old & (EV_INCLUDED | EV_DISCARDED))) {
      struct hsomp_task *t = atomic_load_explicit(&ev->task, memory_order_relaxed);
      *early_data = t->ompt_task; /* Note [Detach events and tools] */
    }
    if (atomic_compare_exchange_weak_explicit(&ev->word, &old, old & ~(uint64_t)EV_EVENT,
                                              memory_order_acq_rel, memory_order_acquire))
      break;
  }
  if (old & EV_BODY) {
    *early = !(old & EV_INCLUDED);
    return NULL; /* the body's end completes the task */
  }
  if (old & EV_DISCARDED) {
    event_free(hsomp_self(), index);
    return NULL;
  }
  if (old & EV_INCLUDED) {
    atomic_store_explicit(&ev->wake.value, 1, memory_order_seq_cst);
    hsomp_wake(&ev->wake);
    if (team)
      hsomp_task_wake(team);
    return NULL;
  }
  struct hsomp_task *t = atomic_load_explicit(&ev->task, memory_order_relaxed);
  event_free(hsomp_self(), index);
  return t;
}

/* After fork() only the forking thread exists: another may have held the
 * lock (Note [Forking with the GHC RTS] in fork.c for the rest), and its
 * own free slots are dropped (Note [Per-thread free slots]).  fork.c's
 * child handler calls this. */
void hsomp_event_after_fork(void) {
  atomic_store_explicit(&event_lock, 0, memory_order_relaxed);
  if (hsomp_tls)
    hsomp_tls->events = (struct hsomp_event_cache){0};
}
