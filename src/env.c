/* env.c -- ICVs and the environment: OMP_* and GOMP_* variables, their
 * defaults, OMP_DISPLAY_ENV, and the runtime's warning/fatal messages. */
#include "hsomp.h"

#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct hsomp_settings hsomp_settings;
struct hsomp_icv hsomp_initial_icv;

void hsomp_warn(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("hsomp: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

void hsomp_fatal(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("hsomp: fatal: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  abort();
}

static unsigned count_cpus(void) {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
    return (unsigned)CPU_COUNT(&set);
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? (unsigned)n : 1;
}

void hsomp_env_init(void) {
  hsomp_settings.ncpus = count_cpus();
  hsomp_settings.wait_policy = -1;
  hsomp_settings.spin_count = 20000;
  hsomp_settings.throttled_spin_count = 100;
  hsomp_initial_icv = (struct hsomp_icv){
      .nthreads_var = hsomp_settings.ncpus,
      .run_sched_var = HSOMP_SCHED_DYNAMIC,
      .run_sched_chunk = 1,
      .thread_limit_var = UINT_MAX,
      .dyn_var = false,
      .bind_var = HSOMP_BIND_FALSE,
      .default_device_var = 0,
      .max_active_levels_var = 1,
  };
}

__attribute__((constructor)) static void hsomp_initialize(void) { hsomp_env_init(); }
