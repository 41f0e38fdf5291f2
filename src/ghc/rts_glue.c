/* rts_glue.c -- GHC RTS glue: boot or join the RTS, bind workers to
 * Capabilities.  The only file that includes Rts.h (see rts_glue.h). */
#include "rts_glue.h"
#include "hsomp.h"

#include <Rts.h>
#include <rts/EventLogFormat.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

/* DerivedConstants.h redefines a few block macros of Rts.h; we only need
 * the offset of Capability.no, which GHC publishes for Cmm code. */
#undef BLOCK_SIZE
#undef MBLOCK_SIZE
#undef BLOCKS_PER_MBLOCK
#include <DerivedConstants.h>
/* the RTS calls below go to the program's own RTS (Note [One RTS]) */
#include "rts_program.h"

static pthread_mutex_t boot_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_bool booted;
static bool joined_haskell_host;
static bool boot_refused; /* the process's limits leave the RTS no room */
static void install_exit_hook(void); /* below, with the exit hook */
static bool bind_workers = true; /* false under a resource limit: workers stay unbound */
/* Note [Handing the Capability back]: unchecked until a worker binds */
enum { HAND_BACK_UNCHECKED, HAND_BACK_ON, HAND_BACK_OFF };
static _Atomic int hand_back = HAND_BACK_UNCHECKED;
static long my_task_offset; /* Note [Finding the calling thread's Task] */
static void check_task_slot(Capability *held);

/* Note [Booting or joining the RTS]
 * A Haskell host has initialised the RTS before any foreign code runs, so
 * enabled_capabilities is non-zero, and we leave it alone: hs_init_ghc
 * would only bump its reference count, and the host's own hs_exit at the
 * end of `main` would then return early, before flushing the program's
 * stdout and stderr (its buffered output was lost).  A C host has no RTS
 * yet: we boot one with -N set to the nthreads ICV, without GHC's signal handlers
 * (a C program keeps its own SIGINT behaviour) and without the idle GC
 * (no Haskell heap work happens while OpenMP workers sleep).  We never call
 * hs_exit: workers may still run C code when the process exits, and the OS
 * reclaims everything; see Note [Process exit] in team.c. */

/* Note [RTS options of a C host]
 * The RTS a C host gets takes its options from hsomp alone: rts_opts
 * (always applied) holds hsomp's and the HSOMP_RTS_OPTS words that
 * rts_options.c accepted, and RtsOptsIgnoreAll makes the RTS ignore both
 * GHCRTS and the command line.  GHCRTS is meant for Haskell programs: a
 * C program run with GHCRTS=-xc would print the RTS usage and exit 1,
 * and valid values would apply silently. */

/* Note [The host's locale]
 * hs_init_ghc calls setlocale(LC_CTYPE, "") for the Haskell program it
 * expects to start: a C program's locale, which is "C" until the program
 * says otherwise, would become the environment's (LANG=C.UTF-8: MB_CUR_MAX
 * 1 -> 6), and one the program chose would be overwritten.  The whole
 * locale (every category, as setlocale(LC_ALL, NULL) names it) is saved
 * before and put back after, under boot_lock, on whichever thread boots.
 * A thread's own uselocale() locale is never touched by setlocale. */
static char saved_locale[1024];

/* Note [No ticker, no I/O manager in a C host]
 * A Haskell program's RTS starts a ticker thread (reading a timerfd) and,
 * in the threaded RTS, I/O manager threads (one epoll loop per Capability
 * and a timer manager, each with an epoll fd, eventfds and a pipe, each
 * blocking in a safe foreign call, so each an OS thread of its own).  A C
 * host's workers only run C code and need none of them, and they cost the
 * host what it owns: 6 threads and 12 file descriptors for a team of 2,
 * process slots under RLIMIT_NPROC (the ticker's failed pthread_create
 * was an "internal error ... report this as a GHC bug" abort), and fds a
 * daemon's close-all sweep closes under them (the I/O manager then read
 * the program's own pipe, reusing fd 3).  So:
 *  - -V0 turns the RTS clock off: no ticker thread, no timerfd.  It only
 *    drives context switches between Haskell threads and the idle GC,
 *    and a C host runs no Haskell threads (-I0 was already set).
 *  - ioManagerStart, the last step of hs_init_ghc, starts the I/O manager
 *    only if the RTS has no wake-up fd for it yet; we give it INT_MAX for
 *    both, a number no descriptor can have (the kernel caps descriptors
 *    well below it), so it starts nothing, and the only writes the RTS
 *    would aim at them (a Haskell signal handler's wake-up, hs_exit's
 *    shutdown) never happen here, or fail with EBADF if they did.
 * What is left are the RTS's own worker threads, one per Capability, and
 * no descriptor.  initScheduler starts those of Capabilities 1.. eagerly;
 * Capability 0's starts when it is first released with no spare worker,
 * which the I/O manager's start-up used to do inside hs_init_ghc.  We do
 * that release at boot too (one rts_lock/rts_unlock), so the RTS starts
 * all its threads while it boots, under the limits rts_limits.c checked,
 * and never later in a worker's rts_unlock, where a thread the system
 * refuses is fatal (a region under a tight address-space cap did that). */
static bool boot_c_host_rts(unsigned ncaps) {
  char opts[640];
  snprintf(opts, sizeof opts, "-N%u -I0 -V0 --install-signal-handlers=no %s",
           hsomp_rts_fit_capabilities(ncaps ? ncaps : 1, &bind_workers),
           hsomp_rts_user_options());
  setTimerManagerControlFd(INT_MAX);
  setIOManagerWakeupFd(INT_MAX);
  char *args[] = {"hsomp", NULL};
  int argc = 1;
  char **argv = args;
  RtsConfig conf = defaultRtsConfig;
  conf.rts_opts_enabled = RtsOptsIgnoreAll;
  conf.rts_opts = opts;
  /* (a composite LC_ALL name too long for the buffer: LC_CTYPE alone,
   * the one category the RTS sets) */
  int category = LC_ALL;
  const char *locale = setlocale(LC_ALL, NULL);
  if (locale && strlen(locale) >= sizeof saved_locale) {
    category = LC_CTYPE;
    locale = setlocale(LC_CTYPE, NULL);
  }
  bool restore = locale && strlen(locale) < sizeof saved_locale;
  if (restore)
    strcpy(saved_locale, locale);
  struct rlimit address_space;
  int lowered = hsomp_rts_limit_reservation(&address_space);
  if (lowered < 0) {
    hsomp_warn("the address space limit (ulimit -v) is too low for the GHC runtime: "
               "every parallel region runs on one thread");
    return false;
  }
  hs_init_ghc(&argc, &argv, conf);
  if (lowered)
    hsomp_rts_restore_reservation_limit(&address_space);
  /* Capability 0's RTS thread, now rather than when a worker first
   * releases Capability 0 (Note [No ticker, no I/O manager in a C host]). */
  if (bind_workers) {
    rts_setInCallCapability(0, 0);
    rts_unlock(rts_lock());
  }
  if (restore)
    setlocale(category, saved_locale);
  return true;
}

bool hsomp_rts_ensure(unsigned ncaps) {
  if (atomic_load_explicit(&booted, memory_order_acquire))
    return !boot_refused;
  pthread_mutex_lock(&boot_lock);
  if (!atomic_load_explicit(&booted, memory_order_relaxed)) {
    hsomp_program_rts_choose(); /* Note [One RTS] (rts_program.c) */
    joined_haskell_host = enabled_capabilities > 0;
    /* Note [Handing the Capability back]: only callers from Haskell */
    if (!joined_haskell_host || !hsomp_program_rts_task_slot(&my_task_offset))
      atomic_store_explicit(&hand_back, HAND_BACK_OFF, memory_order_relaxed);
    if (!joined_haskell_host)
      boot_refused = !boot_c_host_rts(ncaps);
    if (!boot_refused)
      install_exit_hook();
    atomic_store_explicit(&booted, true, memory_order_release);
  }
  pthread_mutex_unlock(&boot_lock);
  return !boot_refused;
}

unsigned hsomp_rts_capabilities(void) { return enabled_capabilities; }

bool hsomp_rts_hosted_by_haskell(void) { return joined_haskell_host; }

int hsomp_rts_bind_worker(unsigned cap) {
  if (!bind_workers) /* Note [Capabilities under a thread limit] */
    return -1;
  /* The Task created for this OS thread remembers the preferred
   * Capability; the lock/unlock pair registers it with the scheduler. */
  rts_setInCallCapability((int)cap, 0);
  Capability *c = rts_lock();
  int no = (int)*(uint32_t *)((char *)c + OFFSET_Capability_no);
  if (atomic_load_explicit(&hand_back, memory_order_relaxed) == HAND_BACK_UNCHECKED)
    check_task_slot(c);
  rts_unlock(c);
  return no;
}

/* The eventlog's locked global buffer (rts/eventlog/EventLog.c): present
 * only in the eventlog flavours of the RTS (-eventlog), hence weak. */
extern void postMsg(char *msg, va_list ap) __attribute__((weak));

/* The clock of the RTS's event time stamps (rts/Stats.c, hidden but in the
 * program's static RTS) and the configuration hs_init_ghc was given, whose
 * eventlog writer +RTS -l starts (RtsStartup.c); in libhsomp.so's shared
 * RTS neither resolves, and neither does postMsg. */
extern Time stat_getElapsedTime(void) __attribute__((weak));
extern RtsConfig rtsConfig __attribute__((weak));
_Static_assert(HSOMP_EVENT_BLOCK_MARKER == EVENT_BLOCK_MARKER, "GHC's eventlog format");
_Static_assert(HSOMP_EVENT_USER_MSG == EVENT_USER_MSG, "GHC's eventlog format");
_Static_assert(TIME_RESOLUTION == 1000000000, "the eventlog's time stamps are nanoseconds");

bool hsomp_rts_eventlog_running(void) {
  return postMsg && stat_getElapsedTime && &rtsConfig && rtsConfig.eventlog_writer &&
         atomic_load_explicit(&booted, memory_order_acquire) &&
         eventLogStatus() == EVENTLOG_RUNNING;
}

void hsomp_rts_eventlog_message(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  postMsg((char *)fmt, ap);
  va_end(ap);
}


extern void hsomp_hs_servers_at_exit(void) __attribute__((weak));

/* Chained before the program's own exit hook (hs_exit calls it first
 * thing, before the eventlog's last blocks and its end), once the RTS is
 * booted or joined (hsomp_rts_ensure): the Haskell package's callback
 * servers end (Note [Callback servers at hs_exit], haskell/cbits/
 * hs_server.c), then the eventlog's last blocks are written. */
static void (*_Atomic eventlog_exit)(void);
static void (*program_exit_hook)(void);
static void exit_hook(void) {
  if (hsomp_hs_servers_at_exit)
    hsomp_hs_servers_at_exit();
  void (*eventlog_fn)(void) = atomic_load(&eventlog_exit);
  if (eventlog_fn)
    eventlog_fn();
  if (program_exit_hook)
    program_exit_hook();
}

static void install_exit_hook(void) {
  if (!&rtsConfig)
    return;
  program_exit_hook = rtsConfig.onExitHook;
  rtsConfig.onExitHook = exit_hook;
}

void hsomp_rts_eventlog_at_exit(void (*fn)(void)) { atomic_store(&eventlog_exit, fn); }

uint64_t hsomp_rts_eventlog_time(void) { return (uint64_t)stat_getElapsedTime(); }

void hsomp_rts_eventlog_write(const void *blocks, size_t n) {
  const EventLogWriter *w = rtsConfig.eventlog_writer;
  if (w && w->writeEventLog && eventLogStatus() == EVENTLOG_RUNNING)
    w->writeEventLog((void *)blocks, n);
}

/* The hsomp package's Haskell callback servers (haskell/cbits/hs_server.c,
 * Note [A Haskell server per OpenMP thread]): a thread's server holds an
 * in-call of the thread's Task, so it ends before the Task is given back,
 * and a host thread's ends with its outermost region, before the safe call
 * that started the region returns to Haskell.  Absent (NULL) from
 * libhsomp.so and from programs that use no callbacks. */
extern void hsomp_hs_server_thread_end(void) __attribute__((weak));
extern void hsomp_hs_server_region_end(void) __attribute__((weak));
extern void hsomp_hs_server_region_begin(void) __attribute__((weak));

void hsomp_rts_host_region_begin(void) {
  if (hsomp_hs_server_region_begin)
    hsomp_hs_server_region_begin();
}

/* omp_pause_resource (team.c): the Task rts_lock created for this OS thread is
 * freed; the thread must not call into the RTS again. */
void hsomp_rts_unbind_worker(void) {
  if (hsomp_hs_server_thread_end)
    hsomp_hs_server_thread_end();
  if (bind_workers)
    hs_thread_done();
}

/* Note [What the RTS says about its Capabilities]
 * Two facts of the scheduler that only a runtime inside the GHC program
 * can use (crowd.c, wait.c): which Capabilities are held by a Task at the
 * moment -- running Haskell code, or a GC -- and whether the RTS is
 * synchronising them for a GC.  Neither has an API: the Capability array
 * and `pending_sync` are RTS globals (Capability.c), declared weak here
 * because the shared RTS does not export them (libhsomp.so then reads
 * nothing: a C host runs no Haskell beside its regions; rts_program.c
 * finds them in a GHC executable that carries its own RTS).  `running_task`
 * sits right after `no` and `node` (two uint32_t) in GHC 9.0's struct
 * Capability_, whose offset of `no` DerivedConstants.h publishes; the
 * Haskell test "busy Capabilities" checks the reading against the
 * scheduler.  Both are read racily: hints for spinning, never for
 * correctness. */
#define CAPABILITY_RUNNING_TASK_OFFSET (OFFSET_Capability_no + 8)

/* The Task that holds Capability `cap' now, NULL if none. */
static void *capability_owner(void *cap) {
  return *(void *volatile *)((char *)cap + CAPABILITY_RUNNING_TASK_OFFSET);
}

unsigned hsomp_rts_busy_capabilities(void) {
  void ***caps = hsomp_program_rts.capabilities;
  if (!caps || !*caps)
    return 0;
  unsigned n = enabled_capabilities, busy = 0;
  for (unsigned i = 0; i < n; i++) {
    busy += capability_owner((*caps)[i]) != NULL;
  }
  return busy;
}

bool hsomp_rts_gc_pending(void) {
  volatile unsigned long *pending = hsomp_program_rts.pending_sync;
  return pending && *pending != 0;
}

/* Note [Handing the Capability back]
 * A Haskell thread that calls OpenMP C through a safe foreign call gives
 * its Capability up for the call, and another Haskell thread may run on
 * it meanwhile.  When the call returns, GHC 9.0's resumeThread queues
 * the caller's Task on that Capability and waits; the Haskell thread
 * running there is not told (nothing sets its context-switch flag), so
 * it gives the Capability back only when it blocks, makes a call itself,
 * or at the next context-switch tick (-C): a thread that does not
 * allocate reaches no GC, so a region of microseconds can keep its caller
 * waiting for a tick (README "Composing with Haskell", scenario returns).
 * libgomp and libomp cannot know this; we can: when a host thread's
 * outermost region ends, if its Task (Note [Finding the calling thread's
 * Task]) owns no Capability but remembers one that another Task holds,
 * we do what the
 * RTS's own timer does to it (contextSwitchCapability: HpLim to NULL and
 * the context_switch flag), so the Haskell thread there returns to the
 * scheduler at its next heap check, which hands the Capability to the
 * returning Task first.  If the caller does not return at once (more C
 * code, another region), the Haskell thread has only been rescheduled:
 * one extra context switch, the cost of a timer tick.  A thread with no
 * Task, or whose Task is not in a call (it holds its Capability, or none
 * is recorded), is left alone.  The Task's `cap` is read at the offset
 * GHC 9.0's struct Task_ gives it (after id, node, cond, lock, wakeup),
 * and only after a worker's bind checked both the TLS slot and that
 * offset against the Capability rts_lock just gave it; any mismatch
 * turns the hand-back off. */
struct ghc_task_head { /* GHC 9.0, rts/Task.h, threaded RTS */
  pthread_t id;
  uint32_t node;
  pthread_cond_t cond;
  pthread_mutex_t lock;
  bool wakeup;
  void *cap;
};

static void *task_capability(void *task) { return ((struct ghc_task_head *)task)->cap; }

/* GHC 9.0's Task.incall, the thread's newest in-call, follows Task.cap. */
struct ghc_task_incall {
  struct ghc_task_head head;
  void *incall;
};

bool hsomp_rts_task_incall(void **incall) {
  if (atomic_load_explicit(&hand_back, memory_order_relaxed) != HAND_BACK_ON)
    return false;
  struct ghc_task_incall *task = hsomp_program_rts_my_task(my_task_offset);
  *incall = task ? task->incall : NULL;
  return true;
}

static void check_task_slot(Capability *held) {
  void *task = hsomp_program_rts_my_task(my_task_offset);
  bool ok = task && task == capability_owner(held) && task_capability(task) == held;
  int unchecked = HAND_BACK_UNCHECKED;
  atomic_compare_exchange_strong_explicit(&hand_back, &unchecked, ok ? HAND_BACK_ON : HAND_BACK_OFF,
                                          memory_order_relaxed, memory_order_relaxed);
}

void hsomp_rts_hand_back_capability(void) {
  if (hsomp_hs_server_region_end)
    hsomp_hs_server_region_end();
  (void)hsomp_rts_hurry_capability();
}

bool hsomp_rts_hurry_capability(void) {
  if (atomic_load_explicit(&hand_back, memory_order_relaxed) != HAND_BACK_ON)
    return false;
  void *task = hsomp_program_rts_my_task(my_task_offset);
  if (!task)
    return false;
  char *cap = task_capability(task);
  if (!cap)
    return false;
  void *owner = capability_owner(cap);
  if (!owner || owner == task)
    return false;
  /* contextSwitchCapability (rts/Capability.h), as the timer does it */
  *(void *volatile *)(cap + OFFSET_Capability_r + OFFSET_StgRegTable_rHpLim) = NULL;
  *(volatile int *)(cap + OFFSET_Capability_context_switch) = 1;
  return true;
}

/* Note [The Capability of the thread that started a region]
 * The eventlog marks each OpenMP event with the Capability of the thread
 * that made it (ompt_eventlog.c).  A worker is bound to one; the thread
 * that started the region is, in a Haskell program, a Haskell thread in a
 * safe foreign call: its RTS Task released its Capability for the call
 * and keeps pointing at it (Task.cap), to take it back on return.  The
 * RTS's rts_unsafeGetMyCapability would answer, but it dereferences the
 * thread's Task unchecked (a thread the RTS never saw, one a C library
 * started, has none), and under hsomp-run it is the shared RTS's, not the
 * program's.  So we read the Task through the slot of Note [Finding the
 * calling thread's Task] (rts_program.c), which is known once the RTS is
 * booted or joined; no slot (a stripped program, a C host): no Capability
 * to name. */
int hsomp_rts_caller_capability(void) {
  if (!atomic_load_explicit(&booted, memory_order_acquire) ||
      atomic_load_explicit(&hand_back, memory_order_relaxed) == HAND_BACK_OFF)
    return -1; /* my_task_offset is set before booted, or hand_back is OFF */
  void *task = hsomp_program_rts_my_task(my_task_offset);
  char *c = task ? task_capability(task) : NULL;
  return c ? (int)*(uint32_t *)(c + OFFSET_Capability_no) : -1;
}
