/* hs_callback.h -- entering Haskell from OpenMP threads (hs_callback.c)
 * and the parallel-for driver (hs_parfor.c). */
#ifndef HSOMP_HS_CALLBACK_H
#define HSOMP_HS_CALLBACK_H

#include <HsFFI.h>
#include <stdbool.h>

#define HSOMP_HS_CACHE_SLOTS 256 /* must match prims.cmm */

struct Capability_;

/* A run of Haskell entries from one OS thread that keeps its Capability
 * in between; see Note [Entering Haskell from an OpenMP thread]. */
struct hsomp_hs_session {
  struct Capability_ *cap; /* NULL until the first entry */
};

void hsomp_hs_session_begin(struct hsomp_hs_session *s);
void hsomp_hs_session_end(struct hsomp_hs_session *s);
/* Run the Haskell function (Ptr () -> IO ()) behind `fn` on `arg`.  False
 * if it did not complete: the RTS is shutting down (or the entry's thread
 * was killed); do not enter again. */
bool hsomp_hs_session_call_ptr(struct hsomp_hs_session *s, HsStablePtr fn, void *arg);
/* Run the Haskell function (Int -> Int -> IO ()) behind `fn` on lo hi;
 * false as for hsomp_hs_session_call_ptr. */
bool hsomp_hs_session_call_range(struct hsomp_hs_session *s, HsStablePtr fn, long lo, long hi);
/* One entry: callable from any thread, as a void (*)(HsStablePtr, void *);
 * on the thread's Haskell server when it has one (hs_server.c), else in a
 * session of its own.  fn must catch its own exceptions (HsOmp.Callback's
 * callbacks do). */
void hsomp_hs_call(HsStablePtr fn, void *arg);

/* Run body (Ptr () -> IO (), reading the two C longs {l, h} at its
 * argument: HsOmp.Callback's pairJob) on [lo, hi) split into chunks by the
 * schedule, on a team of nthreads (0: the nthreads ICV), entering Haskell
 * once per chunk.  sched: 0 static, 1 dynamic, 2 guided, 3 runtime;
 * chunk <= 0 means the schedule's default.  Returns 1 if the loop was
 * stopped before every chunk ran (an asynchronous exception to the calling
 * Haskell thread, or the RTS shutting down: Note [Interrupting a Haskell
 * parallel for] in hs_parfor.c), 0 otherwise. */
int hsomp_hs_parallel_for(HsStablePtr body, long lo, long hi, int sched, long chunk,
                          unsigned nthreads);
/* The same loop with C calls instead of Haskell entries: a per-element
 * C function fn(arg, i), for measuring the entry cost. */
void hsomp_hs_parallel_for_c(void (*fn)(void *, long), void *arg, long lo, long hi, int sched,
                             long chunk, unsigned nthreads);
/* Run body (a pairJob, as above) on {tid, nthreads} on every thread
 * of a new team of nthreads (0: the nthreads ICV). */
void hsomp_hs_parallel(HsStablePtr body, unsigned nthreads);
#endif
