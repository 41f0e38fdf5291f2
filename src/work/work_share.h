/* work_share.h -- the work-share record: one per worksharing construct
 * (loops, sections, single, scope, ordered and doacross state), kept in
 * a ring of HSOMP_WS_RING per team (Note [Work-share ring], work.c).
 * Included by hsomp.h (which defines HSOMP_ALIGNED and struct
 * hsomp_waitword first); work.c, iter.c, ordered.c and doacross.c own
 * the fields as the comments say. */
#ifndef HSOMP_WORK_SHARE_H
#define HSOMP_WORK_SHARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HSOMP_WS_RING 8

struct hsomp_work_share {
  /* Note [Work-share lines]: this first line is written while the record
   * is set up and reset, and only read while the construct runs. */
  /* Claiming: the construct index that may use this slot next, and
   * whether it has been initialised for it.  See Note [Work-share ring]. */
  _Atomic unsigned long index HSOMP_ALIGNED;
  struct hsomp_waitword state;   /* 0 empty, 1 being set up, 2 ready */

  /* Loops and sections (iter.c): the iteration space as logical
   * iterations 0..count-1, iteration k being begin + k*incr in 64-bit
   * wrap-around arithmetic, so long and unsigned long long loops share
   * it.  See Note [Logical iteration space] in iter.c. */
  unsigned nthreads;             /* the team's size when initialised */
  uint8_t sched;                 /* HSOMP_SCHED_STATIC/DYNAMIC/GUIDED */
  bool fetch_add_ok;             /* dynamic: fetch_add on next cannot wrap */
  uint64_t begin, incr, end;     /* end: the loop's bound, the last chunk's end */
  uint64_t count;                /* iterations */
  uint64_t chunk;                /* iterations per chunk; 0: static, unchunked */
  /* The claiming line, taken by every thread with an atomic operation. */
  _Atomic uint64_t next HSOMP_ALIGNED; /* dynamic: first unclaimed; guided: chunks claimed */
  _Atomic uint32_t left;         /* threads done with it (nowait constructs) */

  /* ordered (ordered.c): the logical iteration whose chunk may run its
   * ordered regions; doacross: the posted-iteration slots.  Waiters sleep
   * on `progress'.  See Note [Ordered by position] in ordered.c. */
  _Atomic uint64_t ordered_pos HSOMP_ALIGNED;
  struct hsomp_waitword progress; /* Note [Progress waits] in ordered.c */
  struct hsomp_doacross *doacross; /* NULL: not a doacross loop */

  uintptr_t *task_reductions;    /* reductions of the first thread */
  void *copyprivate;
  void *mem;                     /* the compiler's `mem` buffer, zeroed */
  /* Scratch memory the record keeps across constructs (never shrinks):
   * doacross slots and `mem` live in it (iter.c). */
  void *scratch;
  size_t scratch_size;
  int ompt_work;                 /* OMPT work type of a combined construct's */
};

#endif
