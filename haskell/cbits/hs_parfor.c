/* hs_parfor.c -- a parallel for whose body is Haskell, run on the OpenMP
 * team (the C half of HsOmp.Callback.parallelFor).
 *
 * Owns: the region function that takes chunks from the team's work share
 * through the libgomp loop entry points (so every schedule, including
 * schedule(runtime) and OMP_SCHEDULE, means what it means in C) and enters
 * Haskell once per chunk. */
#include "hs_callback.h"
#include "hs_server.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

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
  atomic_int stop;                  /* Note [Interrupting a Haskell parallel for] */
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

/* Note [Interrupting a Haskell parallel for]
 * HsOmp.Callback.parallelFor waits in an *interruptible* foreign call.
 * When another Haskell thread throws to the waiting one (killThread,
 * timeout, Ctrl-C's UserInterrupt to the main thread, the RTS killing
 * every thread as the program exits), GHC marks the exception pending and
 * sends SIGPIPE to the OS thread in the call (pthread_kill: interruptOSThread
 * in the RTS), then raises the exception when the call returns.  That OS
 * thread is the team's primary thread: its `interrupted` points at the
 * loop's `stop` while the loop runs, and our SIGPIPE handler sets it.
 * Every thread of the team checks `stop` before it enters Haskell for a
 * chunk: chunks already running finish, the rest are skipped (their
 * iterations are still taken from the work share, which costs nanoseconds
 * per chunk, so every schedule leaves its work share as it expects), the
 * call returns and the RTS re-throws.  A chunk entry that fails (the RTS
 * is shutting down: Note [Entering Haskell from an OpenMP thread]) sets
 * `stop` too, so a program that exits while loops run elsewhere stops
 * them at once, quietly.
 *
 * The handler is installed over whatever handled SIGPIPE (GHC's empty
 * handler by default) the first time a loop runs, and hands every other
 * SIGPIPE on: a write to a closed pipe is sent by the kernel (SI_USER), the
 * RTS's interruption by tgkill from this process (SI_TKILL), and only the
 * latter, on a thread inside a loop, is ours.  Without a handler
 * (--install-signal-handlers=no left SIG_DFL) GHC's interruption would
 * kill the process; ours makes it safe.  If SIGPIPE is ignored (SIG_IGN),
 * the signal never arrives and loops are not interruptible: they run to
 * the end as before, and the exception is raised then. */
static __thread atomic_int *interrupted;
static struct sigaction previous_sigpipe;
static pthread_once_t sigpipe_once = PTHREAD_ONCE_INIT;

static void on_sigpipe(int sig, siginfo_t *info, void *uc) {
  atomic_int *flag = interrupted;
  if (flag && info && info->si_code == SI_TKILL && info->si_pid == getpid()) {
    atomic_store_explicit(flag, 1, memory_order_relaxed);
    return;
  }
  if (previous_sigpipe.sa_flags & SA_SIGINFO) {
    previous_sigpipe.sa_sigaction(sig, info, uc);
  } else if (previous_sigpipe.sa_handler == SIG_DFL) {
    signal(SIGPIPE, SIG_DFL);
    raise(SIGPIPE);
  } else if (previous_sigpipe.sa_handler != SIG_IGN) {
    previous_sigpipe.sa_handler(sig);
  }
}

static void install_sigpipe_handler(void) {
  struct sigaction now;
  if (sigaction(SIGPIPE, NULL, &now) != 0 ||
      (!(now.sa_flags & SA_SIGINFO) && now.sa_handler == SIG_IGN))
    return;
  previous_sigpipe = now;
  struct sigaction ours;
  memset(&ours, 0, sizeof ours);
  ours.sa_sigaction = on_sigpipe;
  ours.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&ours.sa_mask);
  sigaction(SIGPIPE, &ours, NULL);
}

/* One entry of a thread of the team: body (HsOmp.Callback's pairJob) on
 * {a, b}.  On the thread's callback server when it has one, which takes
 * its Capability back ahead of the Haskell threads queued there (Note
 * [Callbacks beside a busy Haskell thread] in hs_server.c); else in the
 * session, which keeps the Capability from one entry to the next (taking
 * the next chunk never blocks) and is ended before the loop's end, so that
 * no thread holds a Capability while it waits for the others (Note
 * [Entering Haskell from an OpenMP thread] in hs_callback.c).  A thread's
 * first entry the server refuses runs in a session of its own: a host
 * thread gets its server from its second entry on.  False if the entry
 * did not complete (the RTS is shutting down, or its thread was killed). */
static bool enter_pair(struct hsomp_hs_session *session, unsigned *refused, HsStablePtr body,
                       long a, long b) {
  long pair[2] = {a, b};
  if (!session->cap) {
    int done = hsomp_hs_server_call(body, pair);
    if (done >= 0)
      return done;
  }
  bool ok = hsomp_hs_session_call_ptr(session, body, pair);
  if ((*refused)++ == 0)
    hsomp_hs_session_end(session);
  return ok;
}

/* Every thread of the team runs this. */
static void parfor_region(void *p) {
  struct parfor *f = p;
  long s, e;
  struct hsomp_hs_session session;
  unsigned refused = 0;
  hsomp_hs_session_begin(&session);
  for (bool more = loop_start(f, &s, &e); more; more = loop_next(f, &s, &e)) {
    if (f->body) {
      if (atomic_load_explicit(&f->stop, memory_order_relaxed))
        continue; /* Note [Interrupting a Haskell parallel for] */
      if (!enter_pair(&session, &refused, f->body, s, e))
        atomic_store_explicit(&f->stop, 1, memory_order_relaxed);
    } else {
      for (long i = s; i < e; i++)
        f->c_fn(f->c_arg, i);
    }
  }
  hsomp_hs_session_end(&session);
  GOMP_loop_end_nowait(); /* the region's join is the barrier */
}

/* 1 if the loop was stopped before every chunk ran. */
int hsomp_hs_parallel_for(HsStablePtr body, long lo, long hi, int sched, long chunk,
                          unsigned nthreads) {
  if (hi <= lo)
    return 0;
  pthread_once(&sigpipe_once, install_sigpipe_handler);
  struct parfor f = {.body = body, .lo = lo, .hi = hi, .chunk = chunk, .sched = sched};
  atomic_init(&f.stop, 0);
  atomic_int *outer = interrupted; /* a loop inside a chunk of another */
  interrupted = &f.stop;
  GOMP_parallel(parfor_region, &f, nthreads, 0);
  interrupted = outer;
  return atomic_load_explicit(&f.stop, memory_order_relaxed);
}

void hsomp_hs_parallel_for_c(void (*fn)(void *, long), void *arg, long lo, long hi, int sched,
                             long chunk, unsigned nthreads) {
  if (hi <= lo)
    return;
  struct parfor f = {.c_fn = fn, .c_arg = arg, .lo = lo, .hi = hi, .chunk = chunk, .sched = sched};
  atomic_init(&f.stop, 0);
  GOMP_parallel(parfor_region, &f, nthreads, 0);
}

/* ------------------------------------------------------------------ */
/* A parallel region whose every thread runs a Haskell action once.     */
int omp_get_thread_num(void);
int omp_get_num_threads(void);

static void region_body(void *p) {
  HsStablePtr body = p;
  struct hsomp_hs_session session;
  unsigned refused = 0;
  hsomp_hs_session_begin(&session);
  (void)enter_pair(&session, &refused, body, omp_get_thread_num(), omp_get_num_threads());
  hsomp_hs_session_end(&session);
}

void hsomp_hs_parallel(HsStablePtr body, unsigned nthreads) {
  GOMP_parallel(region_body, body, nthreads, 0);
}
