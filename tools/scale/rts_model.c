/* rts_model.c -- the simulator build's stand-in for rts_glue.c.
 *
 * The coherence simulator (README "Scale") models hsomp's own
 * synchronisation; the GHC RTS is not part of it.  A worker binds to a
 * Capability once, when it is created, and then runs C code holding none,
 * so no construct the simulator measures touches the RTS.  Booting the
 * real RTS under the virtual scheduler would also run its own threads
 * (the timer, GC workers) that the model cannot schedule, so this file
 * answers the calls of rts_glue.h without one (no Capability busy with
 * Haskell work, never a GC): as many Capabilities
 * as asked, worker w on Capability w mod nCaps. */
#include "rts_glue.h"

#include <stdatomic.h>

static _Atomic unsigned capabilities;

bool hsomp_rts_ensure(unsigned ncaps) {
  unsigned none = 0;
  atomic_compare_exchange_strong(&capabilities, &none, ncaps ? ncaps : 1);
  return true;
}
unsigned hsomp_rts_capabilities(void) { return atomic_load(&capabilities); }
bool hsomp_rts_hosted_by_haskell(void) { return false; }
int hsomp_rts_bind_worker(unsigned cap) { return (int)cap; }
void hsomp_rts_unbind_worker(void) {}
unsigned hsomp_rts_busy_capabilities(void) { return 0; }
bool hsomp_rts_gc_pending(void) { return false; }
void hsomp_rts_hand_back_capability(void) {}
/* No Haskell callers, so no in-calls for the package's callback servers. */
void hsomp_rts_host_region_begin(void) {}
bool hsomp_rts_task_incall(void **incall) { (void)incall; return false; }
/* No eventlog in the model (ompt_eventlog.c never attaches). */
bool hsomp_rts_eventlog_running(void) { return false; }
void hsomp_rts_eventlog_message(const char *fmt, ...) {}
uint64_t hsomp_rts_eventlog_time(void) { return 0; }
int hsomp_rts_caller_capability(void) { return -1; }
void hsomp_rts_eventlog_at_exit(void (*fn)(void)) {}
void hsomp_rts_eventlog_write(const void *blocks, size_t n) {}
