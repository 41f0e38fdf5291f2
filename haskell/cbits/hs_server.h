/* hs_server.h -- the Haskell server threads that run callbacks for OpenMP
 * threads (hs_server.c); used by hs_callback.c.  Internal to the package. */
#ifndef HSOMP_HS_SERVER_H
#define HSOMP_HS_SERVER_H

#include <HsFFI.h>

/* Run the Haskell function (Ptr () -> IO ()) behind `fn` on `arg` on the
 * calling thread's server: 1 if it completed, 0 if not (it threw, or the
 * server's thread was killed while it ran), -1 if it did not run: this
 * thread has no server for it now, or the server ended before the job
 * started (the caller enters Haskell the ordinary way). */
int hsomp_hs_server_call(HsStablePtr fn, void *arg);

/* Called by HsOmp.Callback (once) with the server's loop,
 * serverLoop :: Ptr () -> IO (); and by the loop between jobs (a safe
 * call): hands the last job's result back, returns when the next job is
 * there (1) or the server is to end (0). */
void hsomp_hs_server_set_loop(HsStablePtr loop);
int hsomp_hs_server_next(void *server, int last_ok);
/* Called by a callback (HsOmp.Callback's newCallback) when its code is about
 * to run under its own exception handler. */
void hsomp_hs_server_job_started(void);
/* How many servers have started, in all threads, since the program began. */
long hsomp_hs_servers_started(void);

/* Hooks the runtime calls (weak references in src/ghc/rts_glue.c): the start
 * and the end of a host thread's outermost region, a worker thread about
 * to give its RTS Task back, and the RTS's exit. */
void hsomp_hs_server_region_begin(void);
void hsomp_hs_server_region_end(void);
void hsomp_hs_server_thread_end(void);
/* The RTS's exit hook (hs_exit): end the servers of the calling thread's
 * idle workers (Note [Callback servers at hs_exit]). */
void hsomp_hs_servers_at_exit(void);

/* hs_callback.c: run the IO action io in a new Haskell thread locked to
 * the Capability *cap the caller holds, to its end (rts_evalLazyIO, but
 * the thread is never moved: Note [Entries stay on their Capability]). */
struct Capability_;
struct StgClosure_;
void hsomp_hs_eval_locked(struct Capability_ **cap, struct StgClosure_ *io);

/* hs_callback.c: a thread bound to no Capability prefers the one its team
 * uses least (Note [Which Capability a team's primary thread enters on]). */
void hsomp_hs_prefer_team_capability(void);

#endif
