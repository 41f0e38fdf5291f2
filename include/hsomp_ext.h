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

#ifdef __cplusplus
}
#endif

#endif
