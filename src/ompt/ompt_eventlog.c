/* ompt_eventlog.c -- OpenMP in the GHC eventlog.  When the program's RTS
 * writes an eventlog (a Haskell program linked with -eventlog, run with
 * +RTS -l) and no OMPT tool is attached, hsomp attaches this internal OMPT
 * client, which posts one eventlog message per OpenMP event: parallel
 * regions, each team thread's implicit task (with the Capability it is
 * bound to), worksharing constructs, barrier and task waits, and tasks.
 * ThreadScope lists them with the Haskell threads' and the GC's events;
 * ghc-events reads them (haskell/test/EventlogSpec.hs).
 *
 * Note [OpenMP in the eventlog]
 * A Capability's eventlog buffer may be written only by the thread that
 * holds the Capability, and hsomp's workers hold none while they run C
 * code (that is what keeps GC from waiting for them).  The RTS has one
 * other buffer, global and guarded by its own mutex, for messages from
 * threads without a Capability (postMsg: EVENT_LOG_MSG).  hsomp writes
 * there, through rts_glue.c, and names the Capability in the message:
 *     hsomp cap=<c> thread=<t> region=<r> <what> <begin|end> [key=value]
 * (cap=-1: a thread bound to none, such as the Haskell thread that started
 * the region).  The RTS stamps each message with the time it is posted;
 * the mutex serializes the posters, which costs a few microseconds per
 * event, paid only while the eventlog is being written.  With the eventlog
 * off nothing is attached and the hooks cost what they cost without a
 * tool (Note [OMPT costs nothing without a tool]). */
#include "ompt_internal.h"
#include "rts_glue.h"

#include <stdatomic.h>

_Atomic bool hsomp_eventlog_checked; /* relaxed: several masters may check at once */
static _Atomic uint64_t next_region = 1;

#define SAY(fmt, ...)                                                                              \
  hsomp_rts_eventlog_message("hsomp cap=%d thread=%u region=%llu " fmt, cap(), thread_num(),      \
                             region_of_thread(), __VA_ARGS__)

static int cap(void) { return hsomp_tls ? hsomp_tls->capability : -1; }
static unsigned thread_num(void) { return hsomp_tls ? hsomp_tls->ts.team_id : 0; }
/* Implicit tasks carry their region's number in their tool data. */
static unsigned long long region_of_thread(void) {
  return hsomp_tls && hsomp_tls->ts.team ? (unsigned long long)hsomp_tls->ts.ompt_task.value : 0;
}

static void on_parallel_begin(ompt_data_t *task, const ompt_frame_t *frame, ompt_data_t *par,
                              unsigned requested, int flags, const void *codeptr) {
  par->value = atomic_fetch_add_explicit(&next_region, 1, memory_order_relaxed);
  hsomp_rts_eventlog_message("hsomp cap=%d region=%llu parallel begin threads=%u", cap(),
                             (unsigned long long)par->value, requested);
}

static void on_parallel_end(ompt_data_t *par, ompt_data_t *task, int flags, const void *codeptr) {
  hsomp_rts_eventlog_message("hsomp cap=%d region=%llu parallel end", cap(),
                             (unsigned long long)par->value);
}

static void on_implicit_task(ompt_scope_endpoint_t ep, ompt_data_t *par, ompt_data_t *task,
                             unsigned n, unsigned index, int flags) {
  if (flags & ompt_task_initial)
    return;
  if (ep == ompt_scope_begin)
    task->value = par->value;
  SAY("implicit-task %s", ep == ompt_scope_begin ? "begin" : "end");
}

static const char *work_name(ompt_work_t w) {
  switch (w) {
  case ompt_work_loop:
    return "loop";
  case ompt_work_sections:
    return "sections";
  case ompt_work_single_executor:
    return "single";
  case ompt_work_single_other:
    return "single-other";
  case ompt_work_taskloop:
    return "taskloop";
  case ompt_work_scope:
    return "scope";
  default:
    return "worksharing";
  }
}

static void on_work(ompt_work_t w, ompt_scope_endpoint_t ep, ompt_data_t *par, ompt_data_t *task,
                    uint64_t count, const void *codeptr) {
  SAY("%s %s count=%llu", work_name(w), ep == ompt_scope_begin ? "begin" : "end",
      (unsigned long long)count);
}

static const char *wait_name(ompt_sync_region_t k) {
  switch (k) {
  case ompt_sync_region_barrier_implicit_parallel:
    return "barrier-wait kind=region-end";
  case ompt_sync_region_barrier_implicit_workshare:
    return "barrier-wait kind=construct-end";
  case ompt_sync_region_taskwait:
    return "taskwait-wait";
  case ompt_sync_region_taskgroup:
    return "taskgroup-wait";
  default:
    return "barrier-wait kind=explicit";
  }
}

static void on_sync_wait(ompt_sync_region_t kind, ompt_scope_endpoint_t ep, ompt_data_t *par,
                         ompt_data_t *task, const void *codeptr) {
  SAY("%s %s", wait_name(kind), ep == ompt_scope_begin ? "begin" : "end");
}

static void on_task_schedule(ompt_data_t *prior, ompt_task_status_t status, ompt_data_t *next) {
  SAY("task %s", status == ompt_task_switch ? "begin" : "end");
}

/* Called once, when a region first needs the RTS (pool.c). */
void hsomp_eventlog_attach(void) {
  /* (two masters' first regions at once: one attaches) */
  if (atomic_exchange_explicit(&hsomp_eventlog_checked, true, memory_order_relaxed))
    return;
  if (hsomp_ompt_enabled || !hsomp_rts_eventlog_running())
    return; /* a tool has the OMPT interface, or there is no eventlog */
#define REG(event, fn) hsomp_ompt_callbacks[event] = (void (*)(void))(fn)
  REG(ompt_callback_parallel_begin, on_parallel_begin);
  REG(ompt_callback_parallel_end, on_parallel_end);
  REG(ompt_callback_implicit_task, on_implicit_task);
  REG(ompt_callback_work, on_work);
  REG(ompt_callback_sync_region_wait, on_sync_wait);
  REG(ompt_callback_task_schedule, on_task_schedule);
#undef REG
  hsomp_rts_eventlog_message("hsomp eventlog attached: OpenMP events follow");
  __atomic_store_n(&hsomp_ompt_enabled, true, __ATOMIC_RELEASE);
}
