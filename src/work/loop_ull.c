/* loop_ull.c -- the worksharing loop entry points for `unsigned long long`
 * iteration variables (libgomp loop_ull.c): GOMP_loop_ull_*_start/next for
 * every schedule, ordered and doacross loops, and the OpenMP 5
 * GOMP_loop_ull_start forms.  `up` tells the direction: a loop counting
 * down passes its negative increment as a two's complement value.  These
 * loops end with GOMP_loop_end* (loop.c). */
#include "iter.h"
#include "ompt_internal.h"

typedef unsigned long long ull;

static inline bool give(const struct hsomp_work_share *ws, uint64_t lo, uint64_t hi, ull *istart,
                        ull *iend) {
  HSOMP_OMPT(loop_chunk(ws, lo, hi));
  *istart = hsomp_iter_value(ws, lo);
  *iend = hsomp_iter_value(ws, hi);
  return true;
}

static inline struct hsomp_loop_args loop_args(bool up, ull s, ull e, ull incr, int sched,
                                               uint64_t chunk) {
  return (struct hsomp_loop_args){.begin = s, .end = e, .incr = incr, .ull = true, .up = up,
                                  .sched = sched, .chunk = chunk};
}

static bool next_chunk(struct hsomp_thread *self, ull *istart, ull *iend) {
  uint64_t lo, hi;
  return hsomp_iter_next(self, self->ts.ws, &lo, &hi) && give(self->ts.ws, lo, hi, istart, iend);
}

static bool next_ordered_chunk(struct hsomp_thread *self, ull *istart, ull *iend) {
  uint64_t lo, hi;
  return hsomp_iter_ordered_next(self, &lo, &hi) && give(self->ts.ws, lo, hi, istart, iend);
}

static HSOMP_OMPT_INLINE bool start(const struct hsomp_loop_args *a, ull *istart, ull *iend) {
  struct hsomp_thread *self = hsomp_self();
  hsomp_loop_begin(self, a);
  HSOMP_OMPT(work(ompt_work_loop, ompt_scope_begin, HSOMP_OMPT_RA));
  if (!istart)
    return true;
  return a->ordered ? next_ordered_chunk(self, istart, iend) : next_chunk(self, istart, iend);
}

static HSOMP_OMPT_INLINE bool start_sched(bool up, ull s, ull e, ull incr, int sched, ull chunk,
                                          bool ordered, ull *istart, ull *iend) {
  struct hsomp_loop_args a = loop_args(up, s, e, incr, sched, hsomp_chunk_from_ull(sched, chunk));
  a.ordered = ordered;
  return start(&a, istart, iend);
}

static HSOMP_OMPT_INLINE bool start_runtime(bool up, ull s, ull e, ull incr, bool ordered,
                                            ull *istart, ull *iend) {
  uint64_t chunk;
  int sched = hsomp_sched_runtime(hsomp_self(), &chunk);
  struct hsomp_loop_args a = loop_args(up, s, e, incr, sched, chunk);
  a.ordered = ordered;
  return start(&a, istart, iend);
}

static int abi_sched(long sched, ull chunk, uint64_t *c) {
  bool from_icv;
  int kind = hsomp_sched_from_abi(hsomp_self(), sched, &from_icv, c);
  if (!from_icv)
    *c = hsomp_chunk_from_ull(kind, chunk);
  return kind;
}

/* ------------------------------------------------------------------ */
/* Plain loops.                                                         */

bool GOMP_loop_ull_static_start(bool up, ull s, ull e, ull incr, ull chunk, ull *istart,
                                ull *iend) {
  return start_sched(up, s, e, incr, HSOMP_SCHED_STATIC, chunk, false, istart, iend);
}
bool GOMP_loop_ull_dynamic_start(bool up, ull s, ull e, ull incr, ull chunk, ull *istart,
                                 ull *iend) {
  return start_sched(up, s, e, incr, HSOMP_SCHED_DYNAMIC, chunk, false, istart, iend);
}
bool GOMP_loop_ull_guided_start(bool up, ull s, ull e, ull incr, ull chunk, ull *istart,
                                ull *iend) {
  return start_sched(up, s, e, incr, HSOMP_SCHED_GUIDED, chunk, false, istart, iend);
}
bool GOMP_loop_ull_nonmonotonic_dynamic_start(bool up, ull s, ull e, ull incr, ull chunk,
                                              ull *istart, ull *iend) {
  return start_sched(up, s, e, incr, HSOMP_SCHED_DYNAMIC, chunk, false, istart, iend);
}
bool GOMP_loop_ull_nonmonotonic_guided_start(bool up, ull s, ull e, ull incr, ull chunk,
                                             ull *istart, ull *iend) {
  return start_sched(up, s, e, incr, HSOMP_SCHED_GUIDED, chunk, false, istart, iend);
}
bool GOMP_loop_ull_runtime_start(bool up, ull s, ull e, ull incr, ull *istart, ull *iend) {
  return start_runtime(up, s, e, incr, false, istart, iend);
}
bool GOMP_loop_ull_nonmonotonic_runtime_start(bool up, ull s, ull e, ull incr, ull *istart,
                                              ull *iend) {
  return start_runtime(up, s, e, incr, false, istart, iend);
}
bool GOMP_loop_ull_maybe_nonmonotonic_runtime_start(bool up, ull s, ull e, ull incr,
                                                    ull *istart, ull *iend) {
  return start_runtime(up, s, e, incr, false, istart, iend);
}

bool GOMP_loop_ull_start(bool up, ull s, ull e, ull incr, long sched, ull chunk, ull *istart,
                         ull *iend, uintptr_t *reductions, void **mem) {
  uint64_t c;
  int kind = abi_sched(sched, chunk, &c);
  struct hsomp_loop_args a = loop_args(up, s, e, incr, kind, c);
  a.reductions = reductions;
  a.mem = mem;
  return start(&a, istart, iend);
}

bool GOMP_loop_ull_static_next(ull *istart, ull *iend) {
  struct hsomp_thread *self = hsomp_self();
  uint64_t lo, hi;
  return hsomp_iter_static_next(self, self->ts.ws, &lo, &hi) &&
         give(self->ts.ws, lo, hi, istart, iend);
}
bool GOMP_loop_ull_dynamic_next(ull *istart, ull *iend) {
  struct hsomp_work_share *ws = hsomp_self()->ts.ws;
  uint64_t lo, hi;
  return hsomp_iter_dynamic_next(ws, &lo, &hi) && give(ws, lo, hi, istart, iend);
}
bool GOMP_loop_ull_guided_next(ull *istart, ull *iend) {
  struct hsomp_work_share *ws = hsomp_self()->ts.ws;
  uint64_t lo, hi;
  return hsomp_iter_guided_next(ws, &lo, &hi) && give(ws, lo, hi, istart, iend);
}
bool GOMP_loop_ull_nonmonotonic_dynamic_next(ull *istart, ull *iend) {
  return GOMP_loop_ull_dynamic_next(istart, iend);
}
bool GOMP_loop_ull_nonmonotonic_guided_next(ull *istart, ull *iend) {
  return GOMP_loop_ull_guided_next(istart, iend);
}
bool GOMP_loop_ull_runtime_next(ull *istart, ull *iend) {
  return next_chunk(hsomp_self(), istart, iend);
}
bool GOMP_loop_ull_nonmonotonic_runtime_next(ull *istart, ull *iend) {
  return next_chunk(hsomp_self(), istart, iend);
}
bool GOMP_loop_ull_maybe_nonmonotonic_runtime_next(ull *istart, ull *iend) {
  return next_chunk(hsomp_self(), istart, iend);
}

/* ------------------------------------------------------------------ */
/* Ordered loops.                                                       */

bool GOMP_loop_ull_ordered_static_start(bool up, ull s, ull e, ull incr, ull chunk, ull *istart,
                                        ull *iend) {
  return start_sched(up, s, e, incr, HSOMP_SCHED_STATIC, chunk, true, istart, iend);
}
bool GOMP_loop_ull_ordered_dynamic_start(bool up, ull s, ull e, ull incr, ull chunk,
                                         ull *istart, ull *iend) {
  return start_sched(up, s, e, incr, HSOMP_SCHED_DYNAMIC, chunk, true, istart, iend);
}
bool GOMP_loop_ull_ordered_guided_start(bool up, ull s, ull e, ull incr, ull chunk, ull *istart,
                                        ull *iend) {
  return start_sched(up, s, e, incr, HSOMP_SCHED_GUIDED, chunk, true, istart, iend);
}
bool GOMP_loop_ull_ordered_runtime_start(bool up, ull s, ull e, ull incr, ull *istart,
                                         ull *iend) {
  return start_runtime(up, s, e, incr, true, istart, iend);
}
bool GOMP_loop_ull_ordered_start(bool up, ull s, ull e, ull incr, long sched, ull chunk,
                                 ull *istart, ull *iend, uintptr_t *reductions, void **mem) {
  uint64_t c;
  int kind = abi_sched(sched, chunk, &c);
  struct hsomp_loop_args a = loop_args(up, s, e, incr, kind, c);
  a.ordered = true;
  a.reductions = reductions;
  a.mem = mem;
  return start(&a, istart, iend);
}

bool GOMP_loop_ull_ordered_static_next(ull *istart, ull *iend) {
  return next_ordered_chunk(hsomp_self(), istart, iend);
}
bool GOMP_loop_ull_ordered_dynamic_next(ull *istart, ull *iend) {
  return next_ordered_chunk(hsomp_self(), istart, iend);
}
bool GOMP_loop_ull_ordered_guided_next(ull *istart, ull *iend) {
  return next_ordered_chunk(hsomp_self(), istart, iend);
}
bool GOMP_loop_ull_ordered_runtime_next(ull *istart, ull *iend) {
  return next_ordered_chunk(hsomp_self(), istart, iend);
}

/* ------------------------------------------------------------------ */
/* Doacross loops (see loop.c).                                         */

static HSOMP_OMPT_INLINE bool start_doacross(unsigned ncounts, ull *counts, int sched,
                                             uint64_t chunk, uintptr_t *reductions, void **mem,
                                             ull *istart, ull *iend) {
  struct hsomp_loop_args a = loop_args(true, 0, ncounts ? counts[0] : 0, 1, sched, chunk);
  a.ncounts = ncounts;
  a.counts_ull = counts;
  a.reductions = reductions;
  a.mem = mem;
  return start(&a, istart, iend);
}

bool GOMP_loop_ull_doacross_static_start(unsigned ncounts, ull *counts, ull chunk, ull *istart,
                                         ull *iend) {
  return start_doacross(ncounts, counts, HSOMP_SCHED_STATIC,
                        hsomp_chunk_from_ull(HSOMP_SCHED_STATIC, chunk), NULL, NULL, istart,
                        iend);
}
bool GOMP_loop_ull_doacross_dynamic_start(unsigned ncounts, ull *counts, ull chunk, ull *istart,
                                          ull *iend) {
  return start_doacross(ncounts, counts, HSOMP_SCHED_DYNAMIC,
                        hsomp_chunk_from_ull(HSOMP_SCHED_DYNAMIC, chunk), NULL, NULL, istart,
                        iend);
}
bool GOMP_loop_ull_doacross_guided_start(unsigned ncounts, ull *counts, ull chunk, ull *istart,
                                         ull *iend) {
  return start_doacross(ncounts, counts, HSOMP_SCHED_GUIDED,
                        hsomp_chunk_from_ull(HSOMP_SCHED_GUIDED, chunk), NULL, NULL, istart,
                        iend);
}
bool GOMP_loop_ull_doacross_runtime_start(unsigned ncounts, ull *counts, ull *istart,
                                          ull *iend) {
  uint64_t chunk;
  int sched = hsomp_sched_runtime(hsomp_self(), &chunk);
  return start_doacross(ncounts, counts, sched, chunk, NULL, NULL, istart, iend);
}
bool GOMP_loop_ull_doacross_start(unsigned ncounts, ull *counts, long sched, ull chunk,
                                  ull *istart, ull *iend, uintptr_t *reductions, void **mem) {
  uint64_t c;
  int kind = abi_sched(sched, chunk, &c);
  return start_doacross(ncounts, counts, kind, c, reductions, mem, istart, iend);
}
