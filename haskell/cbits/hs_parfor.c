/* hs_parfor.c -- a parallel for whose body is Haskell, run on the OpenMP
 * team (the C half of HsOmp.Callback.parallelFor).
 *
 * Owns: the region function that takes chunks from the team's work share
 * through the libgomp loop entry points (so every schedule, including
 * schedule(runtime) and OMP_SCHEDULE, means what it means in C) and enters
 * Haskell once per chunk. */
#include "hs_callback.h"

#include <stdbool.h>

/* The libgomp loop ABI (GCC's libgomp_g.h). */
bool GOMP_loop_static_start(long, long, long, long, long *, long *);
bool GOMP_loop_dynamic_start(long, long, long, long, long *, long *);
bool GOMP_loop_guided_start(long, long, long, long, long *, long *);
bool GOMP_loop_runtime_start(long, long, long, long *, long *);
bool GOMP_loop_static_next(long *, long *);
bool GOMP_loop_dynamic_next(long *, long *);
bool GOMP_loop_guided_next(long *, long *);
bool GOMP_loop_runtime_next(long *, long *);
void GOMP_loop_end_nowait(void);
void GOMP_parallel(void (*)(void *), void *, unsigned, unsigned);

struct parfor {
  HsStablePtr body;                 /* Haskell body, or NULL for c_fn */
  void (*c_fn)(void *, long);
  void *c_arg;
  long lo, hi, chunk;
  int sched;
};

static bool loop_start(const struct parfor *f, long *s, long *e) {
  switch (f->sched) {
  case 0: return GOMP_loop_static_start(f->lo, f->hi, 1, f->chunk > 0 ? f->chunk : 0, s, e);
  case 1: return GOMP_loop_dynamic_start(f->lo, f->hi, 1, f->chunk > 0 ? f->chunk : 1, s, e);
  case 2: return GOMP_loop_guided_start(f->lo, f->hi, 1, f->chunk > 0 ? f->chunk : 1, s, e);
  default: return GOMP_loop_runtime_start(f->lo, f->hi, 1, s, e);
  }
}

static bool loop_next(const struct parfor *f, long *s, long *e) {
  switch (f->sched) {
  case 0: return GOMP_loop_static_next(s, e);
  case 1: return GOMP_loop_dynamic_next(s, e);
  case 2: return GOMP_loop_guided_next(s, e);
  default: return GOMP_loop_runtime_next(s, e);
  }
}

/* Every thread of the team runs this.  The session keeps the Capability
 * from one chunk to the next (taking the next chunk never blocks) and is
 * ended before the loop's end, so that no thread holds a Capability while
 * it waits for the others: see Note [Entering Haskell from an OpenMP
 * thread] in hs_callback.c. */
static void parfor_region(void *p) {
  const struct parfor *f = p;
  long s, e;
  struct hsomp_hs_session session;
  hsomp_hs_session_begin(&session);
  for (bool more = loop_start(f, &s, &e); more; more = loop_next(f, &s, &e)) {
    if (f->body)
      hsomp_hs_session_call_range(&session, f->body, s, e);
    else
      for (long i = s; i < e; i++)
        f->c_fn(f->c_arg, i);
  }
  hsomp_hs_session_end(&session);
  GOMP_loop_end_nowait(); /* the region's join is the barrier */
}

void hsomp_hs_parallel_for(HsStablePtr body, long lo, long hi, int sched, long chunk,
                           unsigned nthreads) {
  if (hi <= lo)
    return;
  struct parfor f = {.body = body, .lo = lo, .hi = hi, .chunk = chunk, .sched = sched};
  GOMP_parallel(parfor_region, &f, nthreads, 0);
}

void hsomp_hs_parallel_for_c(void (*fn)(void *, long), void *arg, long lo, long hi, int sched,
                             long chunk, unsigned nthreads) {
  if (hi <= lo)
    return;
  struct parfor f = {.c_fn = fn, .c_arg = arg, .lo = lo, .hi = hi, .chunk = chunk, .sched = sched};
  GOMP_parallel(parfor_region, &f, nthreads, 0);
}

/* ------------------------------------------------------------------ */
/* A parallel region whose every thread runs a Haskell action once.     */
int omp_get_thread_num(void);
int omp_get_num_threads(void);

static void region_body(void *p) {
  HsStablePtr body = p;
  struct hsomp_hs_session session;
  hsomp_hs_session_begin(&session);
  hsomp_hs_session_call_range(&session, body, omp_get_thread_num(), omp_get_num_threads());
  hsomp_hs_session_end(&session);
}

void hsomp_hs_parallel(HsStablePtr body, unsigned nthreads) {
  GOMP_parallel(region_body, body, nthreads, 0);
}
