/* hs_callback.c -- OpenMP threads calling Haskell (the C half of
 * HsOmp.Callback).
 *
 * Owns: entering Haskell from an OpenMP thread (a worker bound to its
 * Capability, or the primary thread of a team started from Haskell), the
 * "session" that keeps a Capability across consecutive entries, the
 * parallel-for driver that runs a Haskell body once per chunk on the
 * OpenMP team, and the cache behind the Cmm thread-number primitive. */
#include "hs_callback.h"
#include "hs_server.h"
#include "hsomp_ext.h"

#include <Rts.h>

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>

#define HS_LIKELY_SUCCESS(st) __builtin_expect((st) == Success, 1)

/* {TSO id, OpenMP thread number} per Capability; see
 * Note [OpenMP thread number without a foreign call] in prims.cmm. */
StgWord hsomp_hs_thread_num_cache[HSOMP_HS_CACHE_SLOTS * 2];

/* Note [Entering Haskell from an OpenMP thread]
 * A C thread runs Haskell code by taking a Capability (rts_lock), creating
 * a Haskell thread for the closure and scheduling it until it finishes
 * (rts_evalLazyIO), and giving the Capability back (rts_unlock).  This is what
 * the stub of a `foreign import ccall "wrapper"` FunPtr does on every
 * call, plus the adjustor's argument shuffling and the packing of each
 * argument into a heap closure.
 *
 * Three things make our entries cheaper:
 *
 *  - A thread that calls back repeatedly (every worker of hsomp; a host
 *    thread from its second entry in a region) has a Haskell server
 *    thread that runs its entries one after the other, so no Haskell
 *    thread is created per entry: Note [A Haskell server per OpenMP
 *    thread] in hs_server.c.  hsomp_hs_call goes there first.
 *
 *  - No adjustor, no wrapper stub: the closure is reached through a
 *    StablePtr (deRefStablePtr is one load) and applied to unboxed
 *    arguments packed with rts_mkInt / rts_mkPtr.
 *
 *  - A session keeps the Capability between consecutive entries made by
 *    the same OS thread with only short, non-blocking C code in between
 *    (the parallel-for driver asking the work share for its next chunk).
 *    rts_lock/rts_unlock are paid once per session instead of once per
 *    entry.  Holding a Capability while running C code delays a GC that
 *    another Capability requests until the next entry (rts_evalLazyIO runs the
 *    scheduler, which yields to a pending GC) or the end of the session:
 *    so a session must be ended before anything that may block, such as
 *    an OpenMP barrier, or the GC and the barrier could wait for each
 *    other.
 *
 * OpenMP workers were bound to their Capability once when they started
 * (rts_setInCallCapability in rts_glue.c), so rts_lock asks for that
 * Capability and, when no Haskell thread runs there, gets it at once.
 *
 * Every Haskell closure entered here catches its own exceptions (the
 * Haskell side wraps user code and re-throws in the thread that started the
 * region), so a failing status here means that the RTS is shutting down
 * (the program's `main` returned while loops ran elsewhere: the scheduler
 * kills every Haskell thread, ours included) or that the entry's thread
 * was killed.  Neither is worth a line per entry -- a loop still running
 * at exit used to print one per remaining chunk, hundreds of thousands --
 * so the entry only reports it to its caller, which stops entering
 * (Note [Interrupting a Haskell parallel for], hs_parfor.c).  Only heap
 * exhaustion is said, once. */

static bool check_status(Capability *cap, SchedulerStatus st) {
  (void)cap;
  if (HS_LIKELY_SUCCESS(st))
    return true;
  static atomic_flag said = ATOMIC_FLAG_INIT;
  if (st == HeapExhausted && !atomic_flag_test_and_set(&said))
    fprintf(stderr, "hsomp: a Haskell callback ran out of heap\n");
  return false;
}

void hsomp_hs_session_begin(struct hsomp_hs_session *s) { s->cap = NULL; }

void hsomp_hs_session_end(struct hsomp_hs_session *s) {
  if (s->cap) {
    rts_unlock(s->cap);
    s->cap = NULL;
  }
}

/* Note [Which Capability a team's primary thread enters on]
 * A worker asks for the Capability it is bound to (rts_glue.c).  The
 * primary thread of a team started from Haskell is bound to none, and
 * rts_lock would hand it the Capability its OS thread last held or the
 * last one freed: often the very one a worker of the same team is bound
 * to (measured: the primary and the one worker of a team of 2 both on
 * Capability 1, Capability 0 idle), so that their Haskell bodies take turns
 * instead of running in parallel.  So a thread bound to no Capability asks
 * for the one used by the fewest other members of its team
 * (hsomp_get_least_used_capability, an extension of the runtime in
 * hsomp_ext.h).  rts_setInCallCapability only records the preference in
 * the OS thread's Task, for its next rts_lock; we set it when it changes. */

static __thread int preferred_cap = -1;

void hsomp_hs_prefer_team_capability(void) {
  int want = hsomp_get_least_used_capability();
  if (want >= 0 && want != preferred_cap) {
    rts_setInCallCapability(want, 0);
    preferred_cap = want;
  }
}

/* Note [Entries stay on their Capability]
 * rts_evalLazyIO creates the entry's Haskell thread and appends it to the
 * Capability's run queue.  If another Haskell thread is queued there too
 * (a busy one, stopped for a moment), the Task that runs that Capability
 * next may give "spare" threads to an idle Capability (schedulePushWork in
 * GHC's Schedule.c): a thread bound to another Task is not spared, so our
 * entry's thread can be moved, its Task follows it, and two threads of one
 * team then run their Haskell bodies on one Capability, taking turns (a
 * callback server moved so would stay there: its safe call returns to the
 * Capability it last ran on).  So the entry's thread is made the way
 * rts_evalLazyIO makes it (createIOThread, scheduleWaitThread: both in the
 * RTS's public rts/Threads.h) and locked to its Capability first, as
 * forkOn locks its threads (TSO_LOCKED, rts/Constants.h). */
void hsomp_hs_eval_locked(Capability **cap, HaskellObj io) {
  StgTSO *tso = createIOThread(*cap, RtsFlags.GcFlags.initialStkSize, io);
  tso->flags |= TSO_LOCKED;
  scheduleWaitThread(tso, NULL, cap);
}

static inline Capability *session_cap(struct hsomp_hs_session *s) {
  if (!s->cap) {
    hsomp_hs_prefer_team_capability();
    s->cap = rts_lock();
  }
  return s->cap;
}

bool hsomp_hs_session_call_ptr(struct hsomp_hs_session *s, HsStablePtr fn, void *arg) {
  Capability *cap = session_cap(s);
  HaskellObj f = (HaskellObj)deRefStablePtr(fn);
  hsomp_hs_eval_locked(&cap, rts_apply(cap, f, rts_mkPtr(cap, arg)));
  s->cap = cap;
  return check_status(cap, rts_getSchedStatus(cap));
}

bool hsomp_hs_session_call_range(struct hsomp_hs_session *s, HsStablePtr fn, long lo, long hi) {
  Capability *cap = session_cap(s);
  HaskellObj f = (HaskellObj)deRefStablePtr(fn);
  HaskellObj app = rts_apply(cap, rts_apply(cap, f, rts_mkInt(cap, lo)), rts_mkInt(cap, hi));
  hsomp_hs_eval_locked(&cap, app);
  s->cap = cap;
  return check_status(cap, rts_getSchedStatus(cap));
}

/* On the thread's Haskell server when it has one (Note [A Haskell server
 * per OpenMP thread], hs_server.c), else in a session of its own. */
void hsomp_hs_call(HsStablePtr fn, void *arg) {
  if (hsomp_hs_server_call(fn, arg) >= 0)
    return;
  struct hsomp_hs_session s;
  hsomp_hs_session_begin(&s);
  hsomp_hs_session_call_ptr(&s, fn, arg);
  hsomp_hs_session_end(&s);
}
