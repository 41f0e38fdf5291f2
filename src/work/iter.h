/* iter.h -- the interface shared by the worksharing-loop files (iter.c,
 * loop.c, loop_ull.c, ordered.c, doacross.c, sections.c, scope.c).
 *
 * Every loop, long or unsigned long long, is turned into a logical
 * iteration space 0..count-1 (Note [Logical iteration space] in iter.c);
 * chunks are claimed as logical ranges [lo, hi) and turned back into the
 * caller's values with hsomp_iter_value. */
#ifndef HSOMP_ITER_H
#define HSOMP_ITER_H

#include "hsomp.h"

/* A loop construct as the entry points describe it. */
struct hsomp_loop_args {
  uint64_t begin, end, incr;     /* the caller's values, as 64-bit words */
  bool ull, up;                  /* unsigned long long loop, counting up? */
  int sched;                     /* resolved: STATIC, DYNAMIC or GUIDED */
  uint64_t chunk;                /* iterations; 0 with STATIC: unchunked */
  bool ordered;                  /* the loop has an `ordered` clause */
  unsigned ncounts;              /* doacross: ordered(n) loop counts, else 0 */
  const long *counts_long;       /* ... as the long entry points give them */
  const unsigned long long *counts_ull;
  uintptr_t *reductions;         /* task reductions, or NULL */
  void **mem;                    /* the compiler's scratch request, or NULL */
};

/* Iteration counts; loops that run no iteration give 0. */
uint64_t hsomp_count_long(long start, long end, long incr) HSOMP_INTERNAL;
uint64_t hsomp_count_ull(bool up, unsigned long long start, unsigned long long end,
                         unsigned long long incr) HSOMP_INTERNAL;

/* Schedules: the run-sched ICV, and GOMP_loop_start's `sched` argument
 * (libgomp's GFS_* values, maybe with the monotonic bit). */
int hsomp_sched_runtime(struct hsomp_thread *self, uint64_t *chunk) HSOMP_INTERNAL;
int hsomp_sched_from_abi(struct hsomp_thread *self, long sched, bool *from_icv,
                         uint64_t *icv_chunk) HSOMP_INTERNAL;
uint64_t hsomp_chunk_from_long(int sched, long chunk) HSOMP_INTERNAL;
uint64_t hsomp_chunk_from_ull(int sched, unsigned long long chunk) HSOMP_INTERNAL;

/* Fills the loop fields of a work share (also for combined constructs,
 * before the team runs: hence nthreads rather than the caller's team). */
void hsomp_iter_init(struct hsomp_work_share *ws, unsigned nthreads,
                     const struct hsomp_loop_args *a) HSOMP_INTERNAL;

/* Joins the work share of a loop construct, initialising it if the caller
 * is first (task reductions, the compiler's `mem` buffer, ordered and
 * doacross state included).  Claims nothing. */
void hsomp_loop_begin(struct hsomp_thread *self, const struct hsomp_loop_args *a) HSOMP_INTERNAL;

/* Claiming chunks: true with [*lo, *hi) if the caller got one. */
bool hsomp_iter_static_next(struct hsomp_thread *self, struct hsomp_work_share *ws,
                            uint64_t *lo, uint64_t *hi) HSOMP_INTERNAL;
bool hsomp_iter_dynamic_next_cas(struct hsomp_work_share *ws, uint64_t *lo,
                                 uint64_t *hi) HSOMP_INTERNAL;
bool hsomp_iter_guided_next(struct hsomp_work_share *ws, uint64_t *lo, uint64_t *hi) HSOMP_INTERNAL;

/* Note [Dynamic fast path]
 * When count + (nthreads+1)*chunk fits in 64 bits (fetch_add_ok), a chunk
 * is one relaxed fetch_add: every thread adds at most once more after
 * `next` has passed count (it then returns false and stops asking), so
 * the counter cannot wrap.  The record's fields were published by the
 * release/acquire on its state word, so relaxed order suffices here. */
static inline bool hsomp_iter_dynamic_next(struct hsomp_work_share *ws, uint64_t *lo,
                                           uint64_t *hi) {
  if (HSOMP_LIKELY(ws->fetch_add_ok)) {
    uint64_t c = ws->chunk, n = ws->count;
    uint64_t s = atomic_fetch_add_explicit(&ws->next, c, memory_order_relaxed);
    if (s >= n)
      return false;
    *lo = s;
    *hi = n - s > c ? s + c : n;
    return true;
  }
  return hsomp_iter_dynamic_next_cas(ws, lo, hi);
}

/* Any schedule, as recorded in the work share. */
bool hsomp_iter_next(struct hsomp_thread *self, struct hsomp_work_share *ws, uint64_t *lo,
                     uint64_t *hi) HSOMP_INTERNAL;
/* Same, for loops with an ordered clause: hands the chunk held so far on
 * (Note [Ordered by position]) and holds the new one. */
bool hsomp_iter_ordered_next(struct hsomp_thread *self, uint64_t *lo, uint64_t *hi) HSOMP_INTERNAL;

/* The caller's value of logical iteration k (k == count: the loop's end). */
static inline uint64_t hsomp_iter_value(const struct hsomp_work_share *ws, uint64_t k) {
  return k == ws->count ? ws->end : ws->begin + k * ws->incr;
}

/* Ends the construct for the caller: hands on a held ordered chunk, then
 * leaves the work share (barrier unless nowait). */
void hsomp_loop_end(struct hsomp_thread *self, bool nowait) HSOMP_INTERNAL;
bool hsomp_loop_end_cancel(struct hsomp_thread *self) HSOMP_INTERNAL;


/* Task reductions of a worksharing construct (see hsomp.h). */
void hsomp_ws_task_reductions(struct hsomp_work_share *ws, bool first,
                              uintptr_t *reductions) HSOMP_INTERNAL;

/* ordered.c */
void hsomp_ordered_reset(struct hsomp_work_share *ws) HSOMP_INTERNAL;
void hsomp_ordered_hold(struct hsomp_thread *self, uint64_t lo, uint64_t hi) HSOMP_INTERNAL;
void hsomp_ordered_release(struct hsomp_thread *self) HSOMP_INTERNAL;
/* Waiting for progress of other threads (ordered position, doacross
 * slots): `ready` is evaluated with seq_cst loads. */
void hsomp_progress_wait(struct hsomp_thread *self, struct hsomp_work_share *ws,
                         bool (*ready)(void *), void *arg) HSOMP_INTERNAL;
void hsomp_progress_notify(struct hsomp_work_share *ws) HSOMP_INTERNAL;

/* doacross.c: sets up ws->doacross (and ws->mem from `extra` bytes). */
void hsomp_doacross_init(struct hsomp_work_share *ws, const struct hsomp_loop_args *a,
                         size_t extra) HSOMP_INTERNAL;

#endif
