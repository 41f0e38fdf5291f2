/* iter.c -- the iteration space of worksharing loops and how threads
 * claim chunks of it: iteration counts, schedule resolution, and the
 * static, dynamic and guided schedules.  Shared by long loops (loop.c),
 * unsigned long long loops (loop_ull.c), doacross loops and sections. */
#include "iter.h"

#include <limits.h>

/* Note [Logical iteration space]
 * A loop `for (v = begin; v < end; v += incr)` (or counting down) is
 * stored as its iteration count and handed out as logical ranges [lo, hi)
 * of 0..count-1; the value of logical iteration k is begin + k*incr,
 * computed in unsigned 64-bit arithmetic.  Because two's complement
 * multiplication and addition wrap the same way for signed and unsigned
 * words, this gives the right long *and* unsigned long long values, up or
 * down, for ranges right up to LONG_MIN/LONG_MAX or 0/ULLONG_MAX, with no
 * signed overflow anywhere.  The count itself is computed from the span
 * |end - begin|, which always fits in 64 unsigned bits.
 *
 * The end of the chunk holding the last iteration is the loop's own bound
 * (not begin + count*incr, which may lie past the type's range): the
 * compiler's inner loop `for (v = istart; v cond iend; v += incr)` then
 * stops exactly where the serial loop would. */

static uint64_t ceil_div(uint64_t span, uint64_t step) {
  return span / step + (span % step != 0);
}

uint64_t hsomp_count_long(long start, long end, long incr) {
  if (incr > 0)
    return start < end ? ceil_div((uint64_t)end - (uint64_t)start, (uint64_t)incr) : 0;
  if (incr < 0)
    return start > end ? ceil_div((uint64_t)start - (uint64_t)end, -(uint64_t)incr) : 0;
  if (start != end)
    hsomp_warn("worksharing loop with increment 0 (from %ld to %ld): running no iterations",
               start, end);
  return 0;
}

uint64_t hsomp_count_ull(bool up, unsigned long long start, unsigned long long end,
                         unsigned long long incr) {
  if (incr == 0) {
    if (start != end)
      hsomp_warn("worksharing loop with increment 0 (from %llu to %llu): running no iterations",
                 start, end);
    return 0;
  }
  if (up)
    return start < end ? ceil_div(end - start, incr) : 0;
  return start > end ? ceil_div(start - end, -incr) : 0;
}

/* ------------------------------------------------------------------ */
/* Schedules.                                                           */

/* Chunk sizes as OpenMP defines them: static without a (positive) chunk
 * splits the iterations evenly; dynamic and guided use at least 1. */
uint64_t hsomp_chunk_from_long(int sched, long chunk) {
  if (sched == HSOMP_SCHED_STATIC)
    return chunk > 0 ? (uint64_t)chunk : 0;
  return chunk > 0 ? (uint64_t)chunk : 1;
}

uint64_t hsomp_chunk_from_ull(int sched, unsigned long long chunk) {
  if (sched == HSOMP_SCHED_STATIC)
    return chunk;
  return chunk ? chunk : 1;
}

/* The run-sched ICV (schedule(runtime)); auto is static. */
int hsomp_sched_runtime(struct hsomp_thread *self, uint64_t *chunk) {
  int kind = self->icv.run_sched_var & ~HSOMP_SCHED_MONOTONIC;
  switch (kind) {
  case HSOMP_SCHED_STATIC:
  case HSOMP_SCHED_DYNAMIC:
  case HSOMP_SCHED_GUIDED:
    *chunk = hsomp_chunk_from_long(kind, self->icv.run_sched_chunk);
    return kind;
  default: /* auto, or anything the ICV code may add */
    *chunk = 0;
    return HSOMP_SCHED_STATIC;
  }
}

/* GOMP_loop_start's `sched`: libgomp's GFS_RUNTIME (0), GFS_STATIC (1),
 * GFS_DYNAMIC (2), GFS_GUIDED (3) and GFS_AUTO (4, which GCC passes for
 * schedule(nonmonotonic: runtime)), maybe with the monotonic bit. */
int hsomp_sched_from_abi(struct hsomp_thread *self, long sched, bool *from_icv,
                         uint64_t *icv_chunk) {
  int kind = (int)(sched & 0x7fffffff);
  *from_icv = false;
  switch (kind) {
  case HSOMP_SCHED_STATIC:
  case HSOMP_SCHED_DYNAMIC:
  case HSOMP_SCHED_GUIDED:
    return kind;
  case 0:
  case HSOMP_SCHED_AUTO:
    *from_icv = true;
    return hsomp_sched_runtime(self, icv_chunk);
  default:
    hsomp_warn("unknown loop schedule %ld; using static", sched);
    *from_icv = true;
    *icv_chunk = 0;
    return HSOMP_SCHED_STATIC;
  }
}

/* ------------------------------------------------------------------ */
/* Setting up a work share.                                             */

void hsomp_iter_init(struct hsomp_work_share *ws, unsigned nthreads,
                     const struct hsomp_loop_args *a) {
  ws->sched = a->sched;
  ws->nthreads = nthreads ? nthreads : 1;
  ws->begin = a->begin;
  ws->end = a->end;
  ws->incr = a->incr;
  ws->count = a->ull ? hsomp_count_ull(a->up, a->begin, a->end, a->incr)
                     : hsomp_count_long((long)a->begin, (long)a->end, (long)a->incr);
  ws->chunk = a->chunk;
  if (a->sched != HSOMP_SCHED_STATIC && ws->chunk == 0)
    ws->chunk = 1;
  /* Note [Dynamic fast path] in iter.h. */
  uint64_t margin, limit;
  ws->fetch_add_ok = !__builtin_mul_overflow((uint64_t)ws->nthreads + 1, ws->chunk, &margin) &&
                     !__builtin_add_overflow(ws->count, margin, &limit);
  atomic_store_explicit(&ws->next, 0, memory_order_relaxed);
  ws->doacross = NULL;
  ws->mem = NULL;
  ws->task_reductions = NULL;
  hsomp_ordered_reset(ws);
}

/* ------------------------------------------------------------------ */
/* Claiming chunks.                                                     */

/* Static: thread i of n takes chunks i, i+n, i+2n, ... (chunked), or the
 * i-th of n nearly equal blocks, the first count%n one iteration longer
 * (unchunked).  ts.static_trip counts the chunks taken; ULONG_MAX marks a
 * thread that has none left. */
bool hsomp_iter_static_next(struct hsomp_thread *self, struct hsomp_work_share *ws,
                            uint64_t *lo, uint64_t *hi) {
  unsigned long trip = self->ts.static_trip;
  if (trip == ULONG_MAX)
    return false;
  uint64_t n = ws->count, nth = ws->nthreads, id = self->ts.team_id;
  if (ws->chunk == 0) {
    self->ts.static_trip = ULONG_MAX;
    uint64_t q = n / nth, t = n % nth;
    uint64_t s = id < t ? id * (q + 1) : id * q + t;
    uint64_t e = s + q + (id < t);
    if (s >= e)
      return false;
    *lo = s;
    *hi = e;
    return true;
  }
  uint64_t c = ws->chunk, k, s;
  if (__builtin_mul_overflow((uint64_t)trip, nth, &k) || __builtin_add_overflow(k, id, &k) ||
      __builtin_mul_overflow(k, c, &s) || s >= n) {
    self->ts.static_trip = ULONG_MAX;
    return false;
  }
  uint64_t e = n - s > c ? s + c : n;
  self->ts.static_trip = e == n ? ULONG_MAX : trip + 1;
  *lo = s;
  *hi = e;
  return true;
}

/* Dynamic when fetch_add could wrap the counter (counts near 2^64). */
bool hsomp_iter_dynamic_next_cas(struct hsomp_work_share *ws, uint64_t *lo, uint64_t *hi) {
  uint64_t n = ws->count, c = ws->chunk;
  uint64_t s = atomic_load_explicit(&ws->next, memory_order_relaxed);
  uint64_t e;
  do {
    if (s >= n)
      return false;
    e = n - s > c ? s + c : n;
  } while (!atomic_compare_exchange_weak_explicit(&ws->next, &s, e, memory_order_relaxed,
                                                  memory_order_relaxed));
  *lo = s;
  *hi = e;
  return true;
}

/* Guided: each chunk is the remaining iterations divided by the number of
 * threads (rounded up), but at least the chunk size. */
bool hsomp_iter_guided_next(struct hsomp_work_share *ws, uint64_t *lo, uint64_t *hi) {
  uint64_t n = ws->count, c = ws->chunk, nth = ws->nthreads;
  uint64_t s = atomic_load_explicit(&ws->next, memory_order_relaxed);
  uint64_t e;
  do {
    if (s >= n)
      return false;
    uint64_t left = n - s;
    uint64_t q = left / nth + (left % nth != 0);
    if (q < c)
      q = c;
    e = q < left ? s + q : n;
  } while (!atomic_compare_exchange_weak_explicit(&ws->next, &s, e, memory_order_relaxed,
                                                  memory_order_relaxed));
  *lo = s;
  *hi = e;
  return true;
}

bool hsomp_iter_next(struct hsomp_thread *self, struct hsomp_work_share *ws, uint64_t *lo,
                     uint64_t *hi) {
  switch (ws->sched) {
  case HSOMP_SCHED_DYNAMIC:
    return hsomp_iter_dynamic_next(ws, lo, hi);
  case HSOMP_SCHED_GUIDED:
    return hsomp_iter_guided_next(ws, lo, hi);
  default:
    return hsomp_iter_static_next(self, ws, lo, hi);
  }
}
