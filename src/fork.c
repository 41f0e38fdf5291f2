/* fork.c -- fork() safety: a child process may use OpenMP.
 *
 * Owns the pthread_atfork handler.  After fork() only the forking thread
 * exists in the child; libgomp's child keeps believing in its pool and
 * hangs in its next parallel region.  hsomp's child forgets every worker
 * (team.c), re-initialises the locks another thread may have held at the
 * moment of the fork, and hires new workers on demand.  The parent is
 * not touched.
 *
 * Note [Forking with the GHC RTS]
 * The RTS the parent booted (or the Haskell program that hosts us) is
 * copied into the child with its Capabilities free: hsomp's workers hold
 * none while they wait (they bind once, with one rts_lock/rts_unlock), so
 * the child's new workers can bind as the parent's did.  The RTS's own
 * threads (ticker, I/O manager) are not in the child; hsomp never needs
 * them, since the workers only run C code. */
#include "hsomp.h"

#include <pthread.h>

static void in_child(void) {
  hsomp_pool_forget_after_fork();
  hsomp_target_after_fork();
}

__attribute__((constructor)) static void register_fork_handler(void) {
  pthread_atfork(NULL, NULL, in_child);
}
