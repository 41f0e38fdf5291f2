/* rts_program.h -- which GHC RTS hsomp's RTS calls go to (rts_program.c).
 *
 * Included by rts_glue.c only, after Rts.h: the macros below send the
 * RTS calls a worker makes (and the reads of the RTS's Capability state)
 * through a table that points at the program's own RTS when the program
 * has one, and at the RTS libhsomp.so is linked with otherwise.  See
 * Note [One RTS] in rts_program.c. */
#ifndef HSOMP_RTS_PROGRAM_H
#define HSOMP_RTS_PROGRAM_H

struct hsomp_program_rts {
  void (*set_in_call_capability)(int, int);
  void *(*lock)(void);
  void (*unlock)(void *);
  void (*thread_done)(void);
  unsigned *enabled_capabilities;
  void ***capabilities;          /* NULL: not visible */
  volatile unsigned long *pending_sync; /* NULL: not visible */
};
extern struct hsomp_program_rts hsomp_program_rts __attribute__((visibility("hidden")));

/* Once, under the boot lock, before the RTS is first used: point the
 * table at the program's RTS if it has its own (or say once why it
 * cannot be used). */
void hsomp_program_rts_choose(void) __attribute__((visibility("hidden")));

/* The calling thread's RTS Task slot (the RTS's my_task), NULL if the
 * program's symbols do not show it (Note [The Capability of the thread
 * that started a region]). */
void *const *hsomp_program_task_slot(void) __attribute__((visibility("hidden")));

#ifndef HSOMP_RTS_PROGRAM_TABLE /* (rts_program.c fills the table) */
#define rts_setInCallCapability (*hsomp_program_rts.set_in_call_capability)
#define rts_lock() ((Capability *)hsomp_program_rts.lock())
#define rts_unlock(c) (hsomp_program_rts.unlock((void *)(c)))
#define hs_thread_done (*hsomp_program_rts.thread_done)
#define enabled_capabilities (*hsomp_program_rts.enabled_capabilities)
#endif

#endif
