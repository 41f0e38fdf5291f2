/* taskapps_trace.h -- where a task program's threads spend a region:
 * the optional accounting of `hsomp-taskapps-trace' (the same sources
 * built with -DTASKAPPS_TRACE; `hsomp-taskapps' compiles the marks below
 * to nothing).
 *
 * A program marks the bodies of its tasks (TASKAPP_USER_BEGIN/END) and
 * writes its taskwaits as TASKAPP_TASKWAIT().  Each thread then counts
 * the time it spends in user code -- inside a task body and not waiting
 * in a taskwait -- as wall time and as its own CPU time.  What is left of
 * nthreads x the region's wall time is the runtime's: finding tasks,
 * spinning, sleeping, the region's start and end.  The CPU time of user
 * code does not depend on what else runs on the machine (apart from the
 * caches), its wall time does (preemption), so the two separate a
 * runtime's idle time from a loaded machine's.  Only STRASSEN, FFT,
 * NQUEENS, NQUEENS_CUTOFF and ALIGNMENT are marked. */
#ifndef HSOMP_TASKAPPS_TRACE_H
#define HSOMP_TASKAPPS_TRACE_H

#ifdef TASKAPPS_TRACE
#include <stdbool.h>
#include <stdint.h>

/* A task body's span; `outer' when the thread was not in user code. */
struct taskapp_span {
  bool outer;
};
void taskapp_span_begin(struct taskapp_span *s);
void taskapp_span_end(const struct taskapp_span *s);
bool taskapp_wait_begin(void);
void taskapp_wait_end(bool was_user);
void taskapp_trace_region_begin(void);
/* Prints the region's line: TRACE taskapps NAME ... */
void taskapp_trace_region_end(const char *name);

#define TASKAPP_USER_BEGIN()                                                                       \
  struct taskapp_span taskapp_span_;                                                               \
  taskapp_span_begin(&taskapp_span_)
#define TASKAPP_USER_END() taskapp_span_end(&taskapp_span_)
#define TASKAPP_TASKWAIT()                                                                         \
  do {                                                                                             \
    bool taskapp_was_user_ = taskapp_wait_begin();                                                 \
    _Pragma("omp taskwait") taskapp_wait_end(taskapp_was_user_);                                   \
  } while (0)
#else
#define TASKAPP_USER_BEGIN() ((void)0)
#define TASKAPP_USER_END() ((void)0)
#define TASKAPP_TASKWAIT()                                                                         \
  do {                                                                                             \
    _Pragma("omp taskwait")                                                                        \
  } while (0)
#endif

#endif
