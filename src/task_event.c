/* task_event.c -- detach events: the handles GOMP_task gives out for a
 * `detach' clause, omp_fulfill_event, and how a detached task's completion
 * meets its event's fulfilment.
 *
 * The handles index a table of event slots owned by this file (never a
 * task record), so that any handle a program may hold stays safe to pass
 * to omp_fulfill_event: see Note [Detach events]. */
#include "task_internal.h"

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
 *                 task record is gone, only the event is still pending.
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
 * 32-byte slot for the life of the process.
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
};

struct hsomp_event {
  _Atomic uint64_t word;                  /* generation << 32 | EV_* */
  _Atomic(struct hsomp_task *) task;      /* deferred: the record */
  _Atomic(struct hsomp_team *) team;      /* included: whom to wake */
  _Atomic uint32_t wake;                  /* included: 1 once fulfilled (futex word) */
  uint32_t next_free;                     /* free list: index + 1, 0 = end */
};

/* The table grows by chunks that are never freed (a stale handle may
 * still look at its slot), up to 64 M slots; the chunk array is BSS, so
 * only the pages of the chunks in use are touched. */
#define EVENT_CHUNK_BITS 10
#define EVENT_CHUNK (1u << EVENT_CHUNK_BITS)
#define EVENT_CHUNKS 65536u

static _Atomic(struct hsomp_event *) event_chunks[EVENT_CHUNKS];
static _Atomic uint32_t event_count; /* slots ever handed out */
static hsomp_mutex event_lock;       /* guards the free list and growth */
static uint32_t event_free_head;     /* index + 1 of a free slot, 0 = none */

static struct hsomp_event *event_slot(uint32_t index) {
  struct hsomp_event *chunk =
      atomic_load_explicit(&event_chunks[index >> EVENT_CHUNK_BITS], memory_order_acquire);
  return &chunk[index & (EVENT_CHUNK - 1)];
}

/* A slot in state `bits' for `task' (or `team'); returns its handle. */
static uintptr_t event_new(struct hsomp_task *task, struct hsomp_team *team, uint32_t bits) {
  hsomp_mutex_lock(&event_lock);
  uint32_t index;
  if (event_free_head) {
    index = event_free_head - 1;
    event_free_head = event_slot(index)->next_free;
  } else {
    index = atomic_load_explicit(&event_count, memory_order_relaxed);
    if (index % EVENT_CHUNK == 0) {
      if (index / EVENT_CHUNK >= EVENT_CHUNKS)
        hsomp_fatal("more than %u detach events outstanding", EVENT_CHUNKS * EVENT_CHUNK);
      struct hsomp_event *chunk = calloc(EVENT_CHUNK, sizeof *chunk);
      if (!chunk)
        hsomp_fatal("out of memory allocating detach events");
      atomic_store_explicit(&event_chunks[index / EVENT_CHUNK], chunk, memory_order_release);
    }
    atomic_store_explicit(&event_count, index + 1, memory_order_release);
  }
  struct hsomp_event *ev = event_slot(index);
  uint64_t gen = atomic_load_explicit(&ev->word, memory_order_relaxed) >> 32;
  if (gen == 0)
    gen = 1; /* a fresh slot: handles are never 0 */
  atomic_store_explicit(&ev->task, task, memory_order_relaxed);
  atomic_store_explicit(&ev->team, team, memory_order_relaxed);
  atomic_store_explicit(&ev->wake, 0, memory_order_relaxed);
  atomic_store_explicit(&ev->word, gen << 32 | bits, memory_order_release);
  hsomp_mutex_unlock(&event_lock);
  return (uintptr_t)(gen << 32 | index);
}

/* The slot's event is over: a new generation, back on the free list. */
static void event_free(uint32_t index) {
  struct hsomp_event *ev = event_slot(index);
  hsomp_mutex_lock(&event_lock);
  uint64_t gen = (atomic_load_explicit(&ev->word, memory_order_relaxed) >> 32) + 1;
  if (gen > UINT32_MAX)
    gen = 1;
  atomic_store_explicit(&ev->word, gen << 32, memory_order_release);
  atomic_store_explicit(&ev->task, NULL, memory_order_relaxed);
  atomic_store_explicit(&ev->team, NULL, memory_order_relaxed);
  ev->next_free = event_free_head;
  event_free_head = index + 1;
  hsomp_mutex_unlock(&event_lock);
}

static uint32_t handle_index(uintptr_t handle) { return (uint32_t)handle; }

uintptr_t hsomp_event_deferred(struct hsomp_task *t) {
  uintptr_t handle = event_new(t, t->team, EV_EVENT | EV_BODY);
  t->event = handle_index(handle);
  return handle;
}

uintptr_t hsomp_event_discarded(void) { return event_new(NULL, NULL, EV_EVENT | EV_DISCARDED); }

bool hsomp_event_body_done(struct hsomp_task *t, bool discarded) {
  struct hsomp_event *ev = event_slot(t->event);
  uint64_t old = atomic_load_explicit(&ev->word, memory_order_relaxed);
  uint64_t now;
  do {
    now = old & ~(uint64_t)EV_BODY;
    if (discarded && (old & EV_EVENT))
      now |= EV_DISCARDED;
  } while (!atomic_compare_exchange_weak_explicit(&ev->word, &old, now, memory_order_acq_rel,
                                                  memory_order_relaxed));
  if (old & EV_EVENT) {
    /* Still pending: the fulfiller completes the task, or (discarded)
     * only frees the slot; a discarded task completes now. */
    return discarded;
  }
  event_free(t->event);
  return true;
}

/* ------------------------------------------------------------------ */
/* Included tasks.                                                      */

uintptr_t hsomp_event_included(struct hsomp_task *rec, struct hsomp_team *team) {
  uintptr_t handle = event_new(NULL, team, EV_EVENT | EV_INCLUDED);
  rec->event = handle_index(handle);
  return handle;
}

static bool included_fulfilled(void *arg) {
  struct hsomp_event *ev = arg;
  return atomic_load_explicit(&ev->wake, memory_order_seq_cst) != 0;
}

/* The fulfiller's last access to the slot is its store to `wake' (its
 * futex wake-up and the team's may come later: at worst a spurious
 * wake-up of the slot's next user), so the slot is freed only after. */
void hsomp_event_included_wait(struct hsomp_thread *self, struct hsomp_team *team,
                               struct hsomp_task *rec) {
  struct hsomp_event *ev = event_slot(rec->event);
  if (!included_fulfilled(ev)) {
    if (team) {
      struct hsomp_wait w = {included_fulfilled, NULL, NULL, ev};
      hsomp_task_wait(self, team, self->ts.task, &w);
    } else {
      while (atomic_load_explicit(&ev->wake, memory_order_acquire) == 0)
        hsomp_futex_wait(&ev->wake, 0);
    }
  }
  event_free(rec->event);
}

/* ------------------------------------------------------------------ */
/* Fulfilment.                                                          */

_Noreturn static void bad_handle(uintptr_t handle) {
  hsomp_fatal("omp_fulfill_event: event %#lx is invalid or has already been fulfilled",
              (unsigned long)handle);
}

void omp_fulfill_event(uintptr_t handle) {
  uint32_t index = handle_index(handle);
  uint64_t gen = (uint64_t)handle >> 32;
  if (gen == 0 || index >= atomic_load_explicit(&event_count, memory_order_acquire))
    bad_handle(handle);
  struct hsomp_event *ev = event_slot(index);
  uint64_t old = atomic_load_explicit(&ev->word, memory_order_acquire);
  struct hsomp_team *team;
  do {
    if ((old >> 32) != gen || !(old & EV_EVENT))
      bad_handle(handle);
    team = atomic_load_explicit(&ev->team, memory_order_relaxed);
  } while (!atomic_compare_exchange_weak_explicit(&ev->word, &old, old & ~(uint64_t)EV_EVENT,
                                                  memory_order_acq_rel, memory_order_acquire));
  if (old & EV_BODY)
    return; /* the body's end completes the task */
  if (old & EV_DISCARDED) {
    event_free(index);
    return;
  }
  if (old & EV_INCLUDED) {
    atomic_store_explicit(&ev->wake, 1, memory_order_seq_cst);
    hsomp_futex_wake(&ev->wake, INT_MAX);
    if (team)
      hsomp_task_wake(team);
    return;
  }
  struct hsomp_task *t = atomic_load_explicit(&ev->task, memory_order_relaxed);
  event_free(index);
  hsomp_task_complete(hsomp_self(), t->team, t);
}

/* Fortran: omp_lib declares the handle `value' (libgomp passes it so too). */
void omp_fulfill_event_(uintptr_t handle) { omp_fulfill_event(handle); }

/* After fork() only the forking thread exists: another may have held the
 * lock (Note [Forking with the GHC RTS] in fork.c for the rest). */
static void event_after_fork(void) { atomic_store_explicit(&event_lock, 0, memory_order_relaxed); }

__attribute__((constructor)) static void event_register_fork_handler(void) {
  pthread_atfork(NULL, NULL, event_after_fork);
}
