/* hsomp_ext.h -- hsomp's own extensions to the OpenMP API (symbol version
 * HSOMP_0.1 of libhsomp.so; not part of libgomp's ABI).  Installed with
 * the library; C and Haskell code (the hsomp package's cbits) include it
 * instead of declaring these themselves. */
#ifndef HSOMP_EXT_H
#define HSOMP_EXT_H

#ifdef __cplusplus
extern "C" {
#endif

/* The GHC Capability the calling OpenMP thread is bound to: worker w runs
 * on Capability w mod nCaps; a host thread (the initial thread, or a
 * Haskell thread calling in through a safe foreign call) is bound to none
 * and gets -1. */
int hsomp_get_capability(void);

/* The number of GHC Capabilities the workers are bound to (boots the RTS
 * first if no team has yet). */
int hsomp_get_num_capabilities(void);

/* For a thread bound to no Capability (the primary thread of a team
 * started from Haskell): the Capability the fewest other members of its
 * team are bound to (ties: the first from the thread's number in the team,
 * mod the Capabilities), so that a team's threads entering Haskell do not
 * queue for one Capability.  -1 when the calling thread is bound to a
 * Capability, or is not in a team of more than one thread.  The hsomp
 * package's callbacks enter Haskell there (Note [Which Capability a
 * team's primary thread enters on] in haskell/cbits/hs_callback.c). */
int hsomp_get_least_used_capability(void);

#ifdef __cplusplus
}
#endif

#endif
