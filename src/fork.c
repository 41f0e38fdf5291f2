/* fork.c -- fork() safety: a child process may use OpenMP.
 *
 * Owns every pthread_atfork handler of the runtime (one registration, so
 * the order of the steps is written here, not left to registration
 * order).  After fork() only the forking thread exists in the child;
 * libgomp's child keeps believing in its pool and hangs in its next
 * parallel region.  hsomp's child forgets every worker (team.c),
 * re-initialises the locks another thread may have held at the moment of
 * the fork (the allocator registry, alloc.c; the detach-event table,
 * task_event.c), and hires new workers on demand.  The parent is not
 * touched.
 *
 * Note [Forking with the GHC RTS]
 * The RTS the parent booted (or the Haskell program that hosts us) is
 * copied into the child with its Capabilities free: hsomp's workers hold
 * none while they wait (they bind once, with one rts_lock/rts_unlock), so
 * the child's new workers can bind as the parent's did.  The RTS's own
 * threads (its worker per Capability) are not in the child; hsomp never
 * needs them, since the workers only run C code.
 *
 * Note [Registering the fork handler]
 * A constructor alone is not enough: in a static archive (the Haskell
 * package links the runtime that way) an object file nothing refers to is
 * not linked at all, constructor included, and the child of forkProcess
 * then hung in its first region, waiting for workers that were never
 * there.  So pool.c calls hsomp_fork_handlers_register before it creates
 * a worker: that keeps this file linked wherever teams are (and with it
 * its constructor, which registers the handlers at load), and registers
 * them if no constructor ran.  pthread_once makes it happen once.  The
 * files whose state the handlers fix (alloc.c, task_event.c, thread.c,
 * target.c) do not call this file: it calls them (tests/arch). */
#include "hsomp.h"

#include <pthread.h>

static void before_fork(void) { hsomp_alloc_before_fork(); }

static void in_parent(void) { hsomp_alloc_after_fork(); }

static void in_child(void) {
  hsomp_alloc_after_fork();
  hsomp_event_after_fork();
  hsomp_pool_forget_after_fork();
  hsomp_target_after_fork();
}

static pthread_once_t registered = PTHREAD_ONCE_INIT;

static void register_handlers(void) { pthread_atfork(before_fork, in_parent, in_child); }

void hsomp_fork_handlers_register(void) { pthread_once(&registered, register_handlers); }

__attribute__((constructor)) static void register_at_load(void) {
  hsomp_fork_handlers_register();
}
