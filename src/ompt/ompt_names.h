/* ompt_names.h -- the one spelling of OMPT's worksharing and
 * synchronization kinds, for the two places that show them to people:
 * the GHC eventlog's OpenMP messages (ompt_eventlog.c, in the runtime) and
 * the timeline tool's spans (tools/trace, a separate tool library).  Header
 * only, so that each binary carries its own copy of the same table. */
#ifndef HSOMP_OMPT_NAMES_H
#define HSOMP_OMPT_NAMES_H

#include "omp-tools.h"

static inline const char *hsomp_ompt_work_name(int wstype) {
  switch (wstype) {
  case ompt_work_loop:
    return "loop";
  case ompt_work_sections:
    return "sections";
  case ompt_work_single_executor:
    return "single";
  case ompt_work_single_other:
    return "single (skipped)";
  case ompt_work_workshare:
    return "workshare";
  case ompt_work_distribute:
    return "distribute";
  case ompt_work_taskloop:
    return "taskloop";
  case ompt_work_scope:
    return "scope";
  default:
    return "worksharing";
  }
}

static inline const char *hsomp_ompt_sync_name(int kind) {
  switch (kind) {
  case ompt_sync_region_barrier_implicit_parallel:
    return "barrier (region end)";
  case ompt_sync_region_barrier_implicit_workshare:
    return "barrier (construct end)";
  case ompt_sync_region_barrier_implementation:
    return "barrier (copyprivate)";
  case ompt_sync_region_taskwait:
    return "taskwait";
  case ompt_sync_region_taskgroup:
    return "taskgroup";
  case ompt_sync_region_reduction:
    return "reduction";
  default:
    return "barrier";
  }
}

#endif
