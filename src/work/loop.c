/* loop.c -- the worksharing loop entry points for `long` iteration
 * variables (libgomp loop.c): GOMP_loop_*_start/next for every schedule,
 * ordered and doacross loops, the OpenMP 5 GOMP_loop_start forms, the
 * combined GOMP_parallel_loop_* and the GOMP_loop_end family.  They only
 * translate between the ABI's long values and the logical iteration space
 * of iter.c. */
#include "iter.h"
#include "ompt_internal.h"

/* Hands the logical chunk [lo, hi) to the caller as loop values. */
static inline bool give(const struct hsomp_work_share *ws, uint64_t lo, uint64_t hi, long *istart,
                        long *iend) {
  HSOMP_OMPT(loop_chunk(ws, lo, hi));
  *istart = (long)hsomp_iter_value(ws, lo);
  *iend = (long)hsomp_iter_value(ws, hi);
  return true;
}

static inline struct hsomp_loop_args loop_args(long start, long end, long incr, int sched,
                                               uint64_t chunk) {
  return (struct hsomp_loop_args){.begin = (uint64_t)start, .end = (uint64_t)end,
                                  .incr = (uint64_t)incr, .sched = sched, .chunk = chunk};
}

static bool next_chunk(struct hsomp_thread *self, long *istart, long *iend) {
  uint64_t lo, hi;
  return hsomp_iter_next(self, self->ts.ws, &lo, &hi) && give(self->ts.ws, lo, hi, istart, iend);
}

static bool next_ordered_chunk(struct hsomp_thread *self, long *istart, long *iend) {
  uint64_t lo, hi;
  return hsomp_iter_ordered_next(self, &lo, &hi) && give(self->ts.ws, lo, hi, istart, iend);
}

/* Joins the construct, then claims the caller's first chunk.  A NULL
 * istart (GCC does this for inscan reductions, which partition the loop
 * themselves) only joins. */
static HSOMP_OMPT_INLINE bool start(const struct hsomp_loop_args *a, long *istart, long *iend) {
  struct hsomp_thread *self = hsomp_self();
  hsomp_loop_begin(self, a);
  HSOMP_OMPT(work(ompt_work_loop, ompt_scope_begin, HSOMP_OMPT_RA));
  if (!istart)
    return true;
  return a->ordered ? next_ordered_chunk(self, istart, iend) : next_chunk(self, istart, iend);
}

static HSOMP_OMPT_INLINE bool start_sched(long s, long e, long incr, int sched, long chunk,
                                          long *istart, long *iend) {
  struct hsomp_loop_args a = loop_args(s, e, incr, sched, hsomp_chunk_from_long(sched, chunk));
  return start(&a, istart, iend);
}

static HSOMP_OMPT_INLINE bool start_runtime(long s, long e, long incr, bool ordered, long *istart,
                                            long *iend) {
  uint64_t chunk;
  int sched = hsomp_sched_runtime(hsomp_self(), &chunk);
  struct hsomp_loop_args a = loop_args(s, e, incr, sched, chunk);
  a.ordered = ordered;
  return start(&a, istart, iend);
}

/* ------------------------------------------------------------------ */
/* Plain loops.                                                         */

bool GOMP_loop_static_start(long s, long e, long incr, long chunk, long *istart, long *iend) {
  return start_sched(s, e, incr, HSOMP_SCHED_STATIC, chunk, istart, iend);
}
bool GOMP_loop_dynamic_start(long s, long e, long incr, long chunk, long *istart, long *iend) {
  return start_sched(s, e, incr, HSOMP_SCHED_DYNAMIC, chunk, istart, iend);
}
bool GOMP_loop_guided_start(long s, long e, long incr, long chunk, long *istart, long *iend) {
  return start_sched(s, e, incr, HSOMP_SCHED_GUIDED, chunk, istart, iend);
}
/* Our dynamic and guided schedules are monotonic, which nonmonotonic
 * permits. */
bool GOMP_loop_nonmonotonic_dynamic_start(long s, long e, long incr, long chunk, long *istart,
                                          long *iend) {
  return start_sched(s, e, incr, HSOMP_SCHED_DYNAMIC, chunk, istart, iend);
}
bool GOMP_loop_nonmonotonic_guided_start(long s, long e, long incr, long chunk, long *istart,
                                         long *iend) {
  return start_sched(s, e, incr, HSOMP_SCHED_GUIDED, chunk, istart, iend);
}
bool GOMP_loop_runtime_start(long s, long e, long incr, long *istart, long *iend) {
  return start_runtime(s, e, incr, false, istart, iend);
}
bool GOMP_loop_nonmonotonic_runtime_start(long s, long e, long incr, long *istart, long *iend) {
  return start_runtime(s, e, incr, false, istart, iend);
}
bool GOMP_loop_maybe_nonmonotonic_runtime_start(long s, long e, long incr, long *istart,
                                                long *iend) {
  return start_runtime(s, e, incr, false, istart, iend);
}

/* The OpenMP 5 forms' schedule argument and chunk. */
static int abi_sched(long sched, long chunk, uint64_t *c) {
  bool from_icv;
  int kind = hsomp_sched_from_abi(hsomp_self(), sched, &from_icv, c);
  if (!from_icv)
    *c = hsomp_chunk_from_long(kind, chunk);
  return kind;
}

bool GOMP_loop_start(long s, long e, long incr, long sched, long chunk, long *istart,
                     long *iend, uintptr_t *reductions, void **mem) {
  uint64_t c;
  int kind = abi_sched(sched, chunk, &c);
  struct hsomp_loop_args a = loop_args(s, e, incr, kind, c);
  a.reductions = reductions;
  a.mem = mem;
  return start(&a, istart, iend);
}

bool GOMP_loop_static_next(long *istart, long *iend) {
  struct hsomp_thread *self = hsomp_self();
  uint64_t lo, hi;
  return hsomp_iter_static_next(self, self->ts.ws, &lo, &hi) &&
         give(self->ts.ws, lo, hi, istart, iend);
}
bool GOMP_loop_dynamic_next(long *istart, long *iend) {
  struct hsomp_work_share *ws = hsomp_self()->ts.ws;
  uint64_t lo, hi;
  return hsomp_iter_dynamic_next(ws, &lo, &hi) && give(ws, lo, hi, istart, iend);
}
bool GOMP_loop_guided_next(long *istart, long *iend) {
  struct hsomp_work_share *ws = hsomp_self()->ts.ws;
  uint64_t lo, hi;
  return hsomp_iter_guided_next(ws, &lo, &hi) && give(ws, lo, hi, istart, iend);
}
bool GOMP_loop_nonmonotonic_dynamic_next(long *istart, long *iend) {
  return GOMP_loop_dynamic_next(istart, iend);
}
bool GOMP_loop_nonmonotonic_guided_next(long *istart, long *iend) {
  return GOMP_loop_guided_next(istart, iend);
}
bool GOMP_loop_runtime_next(long *istart, long *iend) {
  return next_chunk(hsomp_self(), istart, iend);
}
bool GOMP_loop_nonmonotonic_runtime_next(long *istart, long *iend) {
  return next_chunk(hsomp_self(), istart, iend);
}
bool GOMP_loop_maybe_nonmonotonic_runtime_next(long *istart, long *iend) {
  return next_chunk(hsomp_self(), istart, iend);
}

/* ------------------------------------------------------------------ */
/* Ordered loops.                                                       */

static HSOMP_OMPT_INLINE bool start_ordered(long s, long e, long incr, int sched, long chunk,
                                            long *istart, long *iend) {
  struct hsomp_loop_args a = loop_args(s, e, incr, sched, hsomp_chunk_from_long(sched, chunk));
  a.ordered = true;
  return start(&a, istart, iend);
}

bool GOMP_loop_ordered_static_start(long s, long e, long incr, long chunk, long *istart,
                                    long *iend) {
  return start_ordered(s, e, incr, HSOMP_SCHED_STATIC, chunk, istart, iend);
}
bool GOMP_loop_ordered_dynamic_start(long s, long e, long incr, long chunk, long *istart,
                                     long *iend) {
  return start_ordered(s, e, incr, HSOMP_SCHED_DYNAMIC, chunk, istart, iend);
}
bool GOMP_loop_ordered_guided_start(long s, long e, long incr, long chunk, long *istart,
                                    long *iend) {
  return start_ordered(s, e, incr, HSOMP_SCHED_GUIDED, chunk, istart, iend);
}
bool GOMP_loop_ordered_runtime_start(long s, long e, long incr, long *istart, long *iend) {
  return start_runtime(s, e, incr, true, istart, iend);
}

bool GOMP_loop_ordered_start(long s, long e, long incr, long sched, long chunk, long *istart,
                             long *iend, uintptr_t *reductions, void **mem) {
  uint64_t c;
  int kind = abi_sched(sched, chunk, &c);
  struct hsomp_loop_args a = loop_args(s, e, incr, kind, c);
  a.ordered = true;
  a.reductions = reductions;
  a.mem = mem;
  return start(&a, istart, iend);
}

bool GOMP_loop_ordered_static_next(long *istart, long *iend) {
  return next_ordered_chunk(hsomp_self(), istart, iend);
}
bool GOMP_loop_ordered_dynamic_next(long *istart, long *iend) {
  return next_ordered_chunk(hsomp_self(), istart, iend);
}
bool GOMP_loop_ordered_guided_next(long *istart, long *iend) {
  return next_ordered_chunk(hsomp_self(), istart, iend);
}
bool GOMP_loop_ordered_runtime_next(long *istart, long *iend) {
  return next_ordered_chunk(hsomp_self(), istart, iend);
}

/* ------------------------------------------------------------------ */
/* Doacross loops: the loop runs 0..counts[0]-1; counts[1..] are the
 * sizes of the ordered(n) inner loops, for GOMP_doacross_post/wait.    */

static HSOMP_OMPT_INLINE bool start_doacross(unsigned ncounts, long *counts, int sched,
                                             uint64_t chunk, uintptr_t *reductions, void **mem,
                                             long *istart, long *iend) {
  struct hsomp_loop_args a = loop_args(0, ncounts ? counts[0] : 0, 1, sched, chunk);
  a.ncounts = ncounts;
  a.counts_long = counts;
  a.reductions = reductions;
  a.mem = mem;
  return start(&a, istart, iend);
}

bool GOMP_loop_doacross_static_start(unsigned ncounts, long *counts, long chunk, long *istart,
                                     long *iend) {
  return start_doacross(ncounts, counts, HSOMP_SCHED_STATIC,
                        hsomp_chunk_from_long(HSOMP_SCHED_STATIC, chunk), NULL, NULL, istart,
                        iend);
}
bool GOMP_loop_doacross_dynamic_start(unsigned ncounts, long *counts, long chunk, long *istart,
                                      long *iend) {
  return start_doacross(ncounts, counts, HSOMP_SCHED_DYNAMIC,
                        hsomp_chunk_from_long(HSOMP_SCHED_DYNAMIC, chunk), NULL, NULL, istart,
                        iend);
}
bool GOMP_loop_doacross_guided_start(unsigned ncounts, long *counts, long chunk, long *istart,
                                     long *iend) {
  return start_doacross(ncounts, counts, HSOMP_SCHED_GUIDED,
                        hsomp_chunk_from_long(HSOMP_SCHED_GUIDED, chunk), NULL, NULL, istart,
                        iend);
}
bool GOMP_loop_doacross_runtime_start(unsigned ncounts, long *counts, long *istart,
                                      long *iend) {
  uint64_t chunk;
  int sched = hsomp_sched_runtime(hsomp_self(), &chunk);
  return start_doacross(ncounts, counts, sched, chunk, NULL, NULL, istart, iend);
}
bool GOMP_loop_doacross_start(unsigned ncounts, long *counts, long sched, long chunk,
                              long *istart, long *iend, uintptr_t *reductions, void **mem) {
  uint64_t c;
  int kind = abi_sched(sched, chunk, &c);
  return start_doacross(ncounts, counts, kind, c, reductions, mem, istart, iend);
}

/* ------------------------------------------------------------------ */
/* Combined parallel loops: the team starts with the loop's work share
 * ready-made, and every thread goes straight to GOMP_loop_*_next.     */

static void parallel_loop_ws_init(struct hsomp_work_share *ws, unsigned nthreads,
                                  const void *arg) {
  hsomp_iter_init(ws, nthreads, arg);
  ws->ompt_work = ompt_work_loop;
}

static HSOMP_OMPT_INLINE void parallel_loop_begin(void (*fn)(void *), void *data,
                                                  unsigned num_threads, long s, long e, long incr,
                                                  int sched, uint64_t chunk, unsigned flags) {
  HSOMP_OMPT_CODEPTR();
  struct hsomp_thread *self = hsomp_self();
  struct hsomp_loop_args a = loop_args(s, e, incr, sched, chunk);
  hsomp_team_begin(fn, data, hsomp_resolve_nthreads(self, num_threads), flags,
                   parallel_loop_ws_init, &a);
}

static HSOMP_OMPT_INLINE void parallel_loop(void (*fn)(void *), void *data, unsigned num_threads,
                                            long s, long e, long incr, int sched, long chunk,
                                            unsigned flags) {
  parallel_loop_begin(fn, data, num_threads, s, e, incr, sched, hsomp_chunk_from_long(sched, chunk),
                      flags);
  fn(data);
  hsomp_team_end();
}

static HSOMP_OMPT_INLINE void parallel_loop_runtime(void (*fn)(void *), void *data,
                                                    unsigned num_threads, long s, long e, long incr,
                                                    unsigned flags, bool call) {
  uint64_t chunk;
  int sched = hsomp_sched_runtime(hsomp_self(), &chunk);
  parallel_loop_begin(fn, data, num_threads, s, e, incr, sched, chunk, flags);
  if (call) {
    fn(data);
    hsomp_team_end();
  }
}

void GOMP_parallel_loop_static(void (*fn)(void *), void *data, unsigned num_threads, long s,
                               long e, long incr, long chunk, unsigned flags) {
  parallel_loop(fn, data, num_threads, s, e, incr, HSOMP_SCHED_STATIC, chunk, flags);
}
void GOMP_parallel_loop_dynamic(void (*fn)(void *), void *data, unsigned num_threads, long s,
                                long e, long incr, long chunk, unsigned flags) {
  parallel_loop(fn, data, num_threads, s, e, incr, HSOMP_SCHED_DYNAMIC, chunk, flags);
}
void GOMP_parallel_loop_guided(void (*fn)(void *), void *data, unsigned num_threads, long s,
                               long e, long incr, long chunk, unsigned flags) {
  parallel_loop(fn, data, num_threads, s, e, incr, HSOMP_SCHED_GUIDED, chunk, flags);
}
void GOMP_parallel_loop_nonmonotonic_dynamic(void (*fn)(void *), void *data,
                                             unsigned num_threads, long s, long e, long incr,
                                             long chunk, unsigned flags) {
  parallel_loop(fn, data, num_threads, s, e, incr, HSOMP_SCHED_DYNAMIC, chunk, flags);
}
void GOMP_parallel_loop_nonmonotonic_guided(void (*fn)(void *), void *data, unsigned num_threads,
                                            long s, long e, long incr, long chunk,
                                            unsigned flags) {
  parallel_loop(fn, data, num_threads, s, e, incr, HSOMP_SCHED_GUIDED, chunk, flags);
}
void GOMP_parallel_loop_runtime(void (*fn)(void *), void *data, unsigned num_threads, long s,
                                long e, long incr, unsigned flags) {
  parallel_loop_runtime(fn, data, num_threads, s, e, incr, flags, true);
}
void GOMP_parallel_loop_nonmonotonic_runtime(void (*fn)(void *), void *data,
                                             unsigned num_threads, long s, long e, long incr,
                                             unsigned flags) {
  parallel_loop_runtime(fn, data, num_threads, s, e, incr, flags, true);
}
void GOMP_parallel_loop_maybe_nonmonotonic_runtime(void (*fn)(void *), void *data,
                                                   unsigned num_threads, long s, long e,
                                                   long incr, unsigned flags) {
  parallel_loop_runtime(fn, data, num_threads, s, e, incr, flags, true);
}

/* The GOMP 1.0 forms: the caller runs fn itself and then calls
 * GOMP_parallel_end. */
void GOMP_parallel_loop_static_start(void (*fn)(void *), void *data, unsigned num_threads,
                                     long s, long e, long incr, long chunk) {
  parallel_loop_begin(fn, data, num_threads, s, e, incr, HSOMP_SCHED_STATIC,
                      hsomp_chunk_from_long(HSOMP_SCHED_STATIC, chunk), 0);
}
void GOMP_parallel_loop_dynamic_start(void (*fn)(void *), void *data, unsigned num_threads,
                                      long s, long e, long incr, long chunk) {
  parallel_loop_begin(fn, data, num_threads, s, e, incr, HSOMP_SCHED_DYNAMIC,
                      hsomp_chunk_from_long(HSOMP_SCHED_DYNAMIC, chunk), 0);
}
void GOMP_parallel_loop_guided_start(void (*fn)(void *), void *data, unsigned num_threads,
                                     long s, long e, long incr, long chunk) {
  parallel_loop_begin(fn, data, num_threads, s, e, incr, HSOMP_SCHED_GUIDED,
                      hsomp_chunk_from_long(HSOMP_SCHED_GUIDED, chunk), 0);
}
void GOMP_parallel_loop_runtime_start(void (*fn)(void *), void *data, unsigned num_threads,
                                      long s, long e, long incr) {
  parallel_loop_runtime(fn, data, num_threads, s, e, incr, 0, false);
}

/* ------------------------------------------------------------------ */
/* The end of a loop (also of unsigned long long loops).                */

void GOMP_loop_end(void) {
  HSOMP_OMPT(work(ompt_work_loop, ompt_scope_end, HSOMP_OMPT_RA));
  hsomp_loop_end(hsomp_self(), false);
}
void GOMP_loop_end_nowait(void) {
  HSOMP_OMPT(work(ompt_work_loop, ompt_scope_end, HSOMP_OMPT_RA));
  hsomp_loop_end(hsomp_self(), true);
}
bool GOMP_loop_end_cancel(void) {
  HSOMP_OMPT(work(ompt_work_loop, ompt_scope_end, HSOMP_OMPT_RA));
  return hsomp_loop_end_cancel(hsomp_self());
}
