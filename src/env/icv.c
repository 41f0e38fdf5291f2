/* icv.c -- the omp_* routines that read and set ICVs, query the team
 * nest and the devices, and tell the time (libgomp's icv.c, icv-device.c,
 * the queries of parallel.c, proc.c and time.c).
 *
 * Setters change the calling task's ICVs only (hsomp_icv()), so a call
 * inside a parallel region affects that thread's later regions and not its
 * teammates.  Out-of-range arguments are clamped or ignored exactly as
 * libgomp does; none is an error.  The league queries (omp_get_num_teams,
 * omp_get_team_num) are in teams.c, the place queries in affinity.c. */
#include "env_internal.h"

#include <omp.h>
#include <time.h>

/* ------------------------------------------------------------------ */
/* Threads and nesting.                                                 */

void omp_set_num_threads(int n) { hsomp_icv()->nthreads_var = n > 0 ? (unsigned long)n : 1; }

int omp_get_max_threads(void) {
  unsigned long n = hsomp_icv()->nthreads_var;
  return n > INT_MAX ? INT_MAX : (int)n;
}

int omp_get_num_threads(void) {
  struct hsomp_team *team = hsomp_self()->ts.team;
  return team ? (int)team->nthreads : 1;
}

int omp_get_thread_num(void) { return (int)hsomp_self()->ts.team_id; }

/* Since OpenMP 3.0: inside an active region (more than one thread). */
int omp_in_parallel(void) { return hsomp_self()->ts.active_level > 0; }

int omp_get_level(void) { return (int)hsomp_self()->ts.level; }

int omp_get_active_level(void) { return (int)hsomp_self()->ts.active_level; }

/* The team state of the calling thread's ancestor at `level` (0 is the
 * initial task), or NULL if there is no such level.  Each team keeps the
 * state its master had outside it, so the walk goes up one team per
 * level. */
static const struct hsomp_team_state *ancestor_state(int level) {
  const struct hsomp_team_state *ts = &hsomp_self()->ts;
  if (level < 0 || (unsigned)level > ts->level)
    return NULL;
  for (unsigned up = ts->level - (unsigned)level; up > 0; up--)
    ts = &ts->team->parent;
  return ts;
}

int omp_get_ancestor_thread_num(int level) {
  const struct hsomp_team_state *ts = ancestor_state(level);
  return ts ? (int)ts->team_id : -1;
}

int omp_get_team_size(int level) {
  const struct hsomp_team_state *ts = ancestor_state(level);
  if (!ts)
    return -1;
  return ts->team ? (int)ts->team->nthreads : 1;
}

int omp_get_thread_limit(void) {
  unsigned limit = hsomp_icv()->thread_limit_var;
  return limit > INT_MAX ? INT_MAX : (int)limit;
}

/* Note [Nesting is max-active-levels]
 * Since OpenMP 5.0 nest-var is gone: nesting is on when more than one
 * level may be active.  omp_set_nested(true) allows every supported
 * level, omp_set_nested(false) one; omp_get_nested says whether a region
 * started here could still be active (libgomp 12). */
void omp_set_nested(int nested) {
  struct hsomp_icv *icv = hsomp_icv();
  if (nested)
    icv->max_active_levels_var = HSOMP_SUPPORTED_ACTIVE_LEVELS;
  else if (icv->max_active_levels_var > 1)
    icv->max_active_levels_var = 1;
}

int omp_get_nested(void) {
  unsigned levels = hsomp_icv()->max_active_levels_var;
  return levels > 1 && levels > hsomp_self()->ts.active_level;
}

void omp_set_max_active_levels(int levels) {
  if (levels < 0)
    return;
  hsomp_icv()->max_active_levels_var =
      levels > HSOMP_SUPPORTED_ACTIVE_LEVELS ? HSOMP_SUPPORTED_ACTIVE_LEVELS : (unsigned)levels;
}

int omp_get_max_active_levels(void) { return (int)hsomp_icv()->max_active_levels_var; }

int omp_get_supported_active_levels(void) { return HSOMP_SUPPORTED_ACTIVE_LEVELS; }

void omp_set_dynamic(int dynamic) { hsomp_icv()->dyn_var = dynamic != 0; }

int omp_get_dynamic(void) { return hsomp_icv()->dyn_var; }

/* ------------------------------------------------------------------ */
/* The runtime schedule.                                                */

/* Chunk sizes below 1 mean "unspecified": 0 for static, 1 otherwise;
 * auto keeps the chunk it had; an unknown kind changes nothing. */
void omp_set_schedule(omp_sched_t kind, int chunk) {
  struct hsomp_icv *icv = hsomp_icv();
  switch ((int)kind & ~HSOMP_SCHED_MONOTONIC) {
  case HSOMP_SCHED_STATIC:
    icv->run_sched_chunk = chunk < 1 ? 0 : chunk;
    break;
  case HSOMP_SCHED_DYNAMIC:
  case HSOMP_SCHED_GUIDED:
    icv->run_sched_chunk = chunk < 1 ? 1 : chunk;
    break;
  case HSOMP_SCHED_AUTO:
    break;
  default:
    return;
  }
  icv->run_sched_var = (int)kind;
}

/* The kind includes omp_sched_monotonic when it is set (as in libgomp). */
void omp_get_schedule(omp_sched_t *kind, int *chunk) {
  const struct hsomp_icv *icv = hsomp_icv();
  if (kind)
    *kind = (omp_sched_t)icv->run_sched_var;
  if (chunk)
    *chunk = icv->run_sched_chunk;
}

/* ------------------------------------------------------------------ */
/* Process-wide settings and devices.                                   */

int omp_get_cancellation(void) { return hsomp_settings.cancellation; }

int omp_get_max_task_priority(void) { return hsomp_settings.max_task_priority; }

omp_proc_bind_t omp_get_proc_bind(void) { return (omp_proc_bind_t)hsomp_icv()->bind_var; }

/* The CPUs the calling thread may run on; once a place list exists
 * threads get bound to places, so the process's count at start-up. */
int omp_get_num_procs(void) {
  if (!hsomp_settings.places) {
    cpu_set_t set;
    if (hsomp_os_allowed_cpus(sizeof set, &set) && CPU_COUNT(&set) > 0)
      return CPU_COUNT(&set);
  }
  return (int)hsomp_settings.ncpus;
}

/* No offload devices: the host is the initial device, numbered
 * omp_get_num_devices() == 0. */
int omp_get_num_devices(void) { return 0; }

int omp_get_initial_device(void) { return omp_get_num_devices(); }

int omp_get_device_num(void) { return omp_get_initial_device(); }

int omp_is_initial_device(void) { return 1; }

void omp_set_default_device(int device) {
  hsomp_icv()->default_device_var = device >= 0 ? device : 0;
}

int omp_get_default_device(void) { return hsomp_icv()->default_device_var; }

void omp_display_env(int verbose) { hsomp_display_env(verbose != 0); }

/* ------------------------------------------------------------------ */
/* Time: a monotonic clock, in seconds.                                 */

double omp_get_wtime(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
    clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double omp_get_wtick(void) {
  struct timespec ts;
  if (clock_getres(CLOCK_MONOTONIC, &ts) != 0)
    clock_getres(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
