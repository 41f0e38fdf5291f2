/* rts_glue.c -- GHC RTS glue: boot or join the RTS, bind workers to
 * Capabilities.  The only file that includes Rts.h (see rts_glue.h). */
#include "rts_glue.h"

#include <Rts.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>

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
void hsomp_rts_ensure(unsigned ncaps) {
  if (atomic_load_explicit(&booted, memory_order_acquire))
    return;
  pthread_mutex_lock(&boot_lock);
  if (!atomic_load_explicit(&booted, memory_order_relaxed)) {
    hsomp_program_rts_choose(); /* Note [One RTS] (rts_program.c) */
    joined_haskell_host = enabled_capabilities > 0;
    if (!joined_haskell_host) {
      char nflag[32];
      snprintf(nflag, sizeof nflag, "-N%u", ncaps ? ncaps : 1);
      char *args[] = {"hsomp", "+RTS", nflag, "-I0", "--install-signal-handlers=no", "-RTS", NULL};
      int argc = 6;
      char **argv = args;
      RtsConfig conf = defaultRtsConfig;
      conf.rts_opts_enabled = RtsOptsAll;
      hs_init_ghc(&argc, &argv, conf);
    }
    atomic_store_explicit(&booted, true, memory_order_release);
  }
  pthread_mutex_unlock(&boot_lock);
}

unsigned hsomp_rts_capabilities(void) { return enabled_capabilities; }

bool hsomp_rts_hosted_by_haskell(void) { return joined_haskell_host; }

int hsomp_rts_bind_worker(unsigned cap) {
  /* The Task created for this OS thread remembers the preferred
   * Capability; the lock/unlock pair registers it with the scheduler. */
  rts_setInCallCapability((int)cap, 0);
  Capability *c = rts_lock();
  int no = (int)*(uint32_t *)((char *)c + OFFSET_Capability_no);
  rts_unlock(c);
  return no;
}

/* The eventlog's locked global buffer (rts/eventlog/EventLog.c): present
 * only in the eventlog flavours of the RTS (-eventlog), hence weak. */
extern void postMsg(char *msg, va_list ap) __attribute__((weak));

bool hsomp_rts_eventlog_running(void) {
  return postMsg && atomic_load_explicit(&booted, memory_order_acquire) &&
         eventLogStatus() == EVENTLOG_RUNNING;
}

void hsomp_rts_eventlog_message(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  postMsg((char *)fmt, ap);
  va_end(ap);
}

/* omp_pause_resource (team.c): the Task rts_lock created for this OS thread is
 * freed; the thread must not call into the RTS again. */
void hsomp_rts_unbind_worker(void) { hs_thread_done(); }

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

unsigned hsomp_rts_busy_capabilities(void) {
  void ***caps = hsomp_program_rts.capabilities;
  if (!caps || !*caps)
    return 0;
  unsigned n = enabled_capabilities, busy = 0;
  for (unsigned i = 0; i < n; i++) {
    char *c = (*caps)[i];
    void *volatile *running = (void *volatile *)((char *)c + CAPABILITY_RUNNING_TASK_OFFSET);
    busy += *running != NULL;
  }
  return busy;
}

bool hsomp_rts_gc_pending(void) {
  volatile unsigned long *pending = hsomp_program_rts.pending_sync;
  return pending && *pending != 0;
}
