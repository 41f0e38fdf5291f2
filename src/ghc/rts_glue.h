/* rts_glue.h -- the only interface between hsomp and the GHC runtime system.
 *
 * Everything that touches GHC's RTS goes through the calls below, so the
 * reader sees in one place where the RTS is involved:
 *   - booting the RTS from a C host, or joining the RTS a Haskell host
 *     runs, and asking which of the two happened;
 *   - how many Capabilities it has;
 *   - binding a worker OS thread to a Capability once, after which the
 *     worker runs C code holding no Capability (GC never waits for it),
 *     and giving the thread's RTS Task back when the worker ends;
 *   - which Capabilities are busy and whether a GC is synchronising them
 *     (hints for the thread budget, crowd.c and spin.c).
 * The RTS these go to is the program's own when it has one
 * (rts_program.c, Note [One RTS]). */
#ifndef HSOMP_RTS_GLUE_H
#define HSOMP_RTS_GLUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Make sure the RTS runs.  From a C host this boots it with -N<ncaps>
 * (fewer under resource limits); from a Haskell host it only takes a
 * reference (hs_init_ghc counts).  False if the RTS cannot run under the
 * process's limits: teams then have the calling thread alone. */
bool hsomp_rts_ensure(unsigned ncaps) __attribute__((visibility("hidden")));
/* Number of Capabilities the RTS has enabled (0 before it runs). */
unsigned hsomp_rts_capabilities(void) __attribute__((visibility("hidden")));
/* Bind the calling OS thread to Capability `cap`: one rts_lock/rts_unlock.
 * Returns the Capability number the RTS gave the thread. */
int hsomp_rts_bind_worker(unsigned cap) __attribute__((visibility("hidden")));
/* A worker thread that is about to end (omp_pause_resource)
 * gives its RTS Task back (hs_thread_done). */
void hsomp_rts_unbind_worker(void) __attribute__((visibility("hidden")));
/* True if the RTS was already running when hsomp first needed it. */
bool hsomp_rts_hosted_by_haskell(void) __attribute__((visibility("hidden")));
/* The GHC eventlog (ompt_eventlog.c): whether the RTS writes one now (a
 * program linked with -eventlog and run with +RTS -l), and a message into
 * it from any thread, Capability or not (the RTS's own locked global
 * buffer: Note [OpenMP in the eventlog]). */
bool hsomp_rts_eventlog_running(void) __attribute__((visibility("hidden")));
void hsomp_rts_eventlog_message(const char *fmt, ...) __attribute__((visibility("hidden")))
__attribute__((format(printf, 1, 2)));
/* The eventlog's clock: nanoseconds since the RTS started, the time stamp
 * of the RTS's own events. */
uint64_t hsomp_rts_eventlog_time(void) __attribute__((visibility("hidden")));
/* Whole blocks of events, appended through the RTS's eventlog writer
 * under its lock (nothing if the eventlog has stopped). */
void hsomp_rts_eventlog_write(const void *blocks, size_t n) __attribute__((visibility("hidden")));
/* Call fn when the RTS exits (hs_exit), before it ends the eventlog. */
void hsomp_rts_eventlog_at_exit(void (*fn)(void)) __attribute__((visibility("hidden")));
/* The Capability the calling thread's RTS Task holds or, in a foreign
 * call, released and will take back; -1 if it has no Task or hsomp cannot
 * see it.  Only while the eventlog runs (it reads the symbol table once). */
int hsomp_rts_caller_capability(void) __attribute__((visibility("hidden")));
/* Event types of GHC's rts/EventLogFormat.h (rts_glue.c checks them). */
#define HSOMP_EVENT_BLOCK_MARKER 18
#define HSOMP_EVENT_USER_MSG 19

/* How many Capabilities a Task holds right now (running Haskell or a
 * GC), and whether the RTS is stopping them for a GC: racy hints for the
 * spin policy (Note [What the RTS says about its Capabilities]); 0 and
 * false where the RTS does not let us see them. */
unsigned hsomp_rts_busy_capabilities(void) __attribute__((visibility("hidden")));
bool hsomp_rts_gc_pending(void) __attribute__((visibility("hidden")));
/* At the start of a host thread's outermost region: the hsomp package's
 * callback servers note the thread's newest RTS in-call (Note [A Haskell
 * server per OpenMP thread], haskell/cbits/hs_server.c). */
void hsomp_rts_host_region_begin(void) __attribute__((visibility("hidden")));
/* At the end of a host thread's outermost region: end the thread's
 * Haskell callback server, if the hsomp package started one; then, if the thread is a
 * Haskell thread's safe call whose Capability another Haskell thread now
 * runs on, ask that thread to give it back at its next heap check (Note
 * [Handing the Capability back]). */
void hsomp_rts_hand_back_capability(void) __attribute__((visibility("hidden")));
/* The calling thread, in a safe foreign call, is about to take its
 * Capability back (a callback server's wait returning): if another Task
 * holds that Capability, ask the Haskell thread running there to return to
 * the scheduler at its next heap check, as the timer's tick does; true if
 * asked (Note [Handing the Capability back]). */
bool hsomp_rts_hurry_capability(void) __attribute__((visibility("hidden")));

/* The newest RTS in-call of the calling thread's Task (NULL if it has
 * none), read as the hand-back reads Task.cap (the field after it); false
 * where that reading is not known to be right (the hand-back is off).  For
 * the hsomp package's callback servers (haskell/cbits/hs_server.c), which
 * may only resume while their in-call is the newest. */
bool hsomp_rts_task_incall(void **incall) __attribute__((visibility("hidden")));

/* rts_options.c: the HSOMP_RTS_OPTS words that passed the check, joined
 * by spaces ("" if none); fixed once the library constructor has run. */
const char *hsomp_rts_user_options(void) __attribute__((visibility("hidden")));

/* rts_limits.c: the Capabilities a C host's RTS can have under the
 * process's thread and address-space limits (ncaps when there are none);
 * *bind_workers false (and 1) under such a limit; Note [Capabilities
 * under a thread limit]. */
unsigned hsomp_rts_fit_capabilities(unsigned ncaps, bool *bind_workers)
    __attribute__((visibility("hidden")));
/* rts_limits.c: around hs_init_ghc, under RLIMIT_AS, lower the soft limit
 * so that the RTS's heap reservation leaves most of the room to the host:
 * 1 if lowered (*saved is what to restore), 0 if nothing to do, -1 if the
 * limit is too low for the RTS to start at all; Note [The heap
 * reservation under ulimit -v]. */
/* rts_limits.c: whether RLIMIT_AS is set (then no worker should malloc
 * on its own thread: each would get a 64 MiB glibc arena). */
bool hsomp_rts_address_space_limited(void) __attribute__((visibility("hidden")));
struct rlimit;
int hsomp_rts_limit_reservation(struct rlimit *saved) __attribute__((visibility("hidden")));
void hsomp_rts_restore_reservation_limit(const struct rlimit *saved)
    __attribute__((visibility("hidden")));

#endif
