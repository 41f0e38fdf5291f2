/* env_display.c -- OMP_DISPLAY_ENV and omp_display_env: the initial ICVs
 * and settings, printed to stderr in libgomp 12's exact format (names,
 * order, quoting, _OPENMP = '201511'; `verbose` adds the GOMP_* lines).
 * Like libgomp it shows the values the program started with, not what
 * omp_set_* calls changed since; OMP_WAIT_POLICY shows PASSIVE unless it
 * was set to ACTIVE, and GOMP_SPINCOUNT hsomp's own spin count. */
#include "env_internal.h"

#include <stdio.h>
#include <stdlib.h>

unsigned long hsomp_env_stacksize_shown;

static const char *bind_name(int bind) {
  switch (bind) {
  case HSOMP_BIND_FALSE: return "FALSE";
  case HSOMP_BIND_TRUE: return "TRUE";
  case HSOMP_BIND_PRIMARY: return "MASTER"; /* libgomp 12 still says MASTER */
  case HSOMP_BIND_CLOSE: return "CLOSE";
  case HSOMP_BIND_SPREAD: return "SPREAD";
  default: return "";
  }
}

static void print_schedule(FILE *f, int sched, int chunk) {
  int kind = sched & ~HSOMP_SCHED_MONOTONIC;
  bool monotonic = (sched & HSOMP_SCHED_MONOTONIC) != 0;
  /* Only the modifier that differs from the kind's default is shown. */
  if (monotonic && kind != HSOMP_SCHED_STATIC)
    fputs("MONOTONIC:", f);
  else if (!monotonic && kind == HSOMP_SCHED_STATIC)
    fputs("NONMONOTONIC:", f);
  switch (kind) {
  case HSOMP_SCHED_STATIC:
    fputs("STATIC", f);
    if (chunk != 0)
      fprintf(f, ",%d", chunk);
    break;
  case HSOMP_SCHED_DYNAMIC:
  case HSOMP_SCHED_GUIDED:
    fputs(kind == HSOMP_SCHED_DYNAMIC ? "DYNAMIC" : "GUIDED", f);
    if (chunk != 1)
      fprintf(f, ",%d", chunk);
    break;
  case HSOMP_SCHED_AUTO:
    fputs("AUTO", f);
    break;
  }
}

static const char *allocator_name(uintptr_t allocator) {
  static const char *const names[] = {
      "omp_default_mem_alloc", "omp_large_cap_mem_alloc", "omp_const_mem_alloc",
      "omp_high_bw_mem_alloc", "omp_low_lat_mem_alloc",   "omp_cgroup_mem_alloc",
      "omp_pteam_mem_alloc",   "omp_thread_mem_alloc"};
  return allocator >= 1 && allocator <= 8 ? names[allocator - 1] : "";
}

static void print_env(FILE *f, bool verbose) {
  const struct hsomp_icv *icv = &hsomp_initial_icv;
  const struct hsomp_settings *st = &hsomp_settings;
  fputs("\nOPENMP DISPLAY ENVIRONMENT BEGIN\n", f);
  fputs("  _OPENMP = '201511'\n", f);
  fprintf(f, "  OMP_DYNAMIC = '%s'\n", icv->dyn_var ? "TRUE" : "FALSE");
  fprintf(f, "  OMP_NESTED = '%s'\n", icv->max_active_levels_var > 1 ? "TRUE" : "FALSE");

  fprintf(f, "  OMP_NUM_THREADS = '%lu", icv->nthreads_var);
  for (unsigned i = 1; i < st->nthreads_list_len; i++)
    fprintf(f, ",%lu", st->nthreads_list[i]);
  fputs("'\n", f);

  fputs("  OMP_SCHEDULE = '", f);
  print_schedule(f, icv->run_sched_var, icv->run_sched_chunk);
  fputs("'\n", f);

  fprintf(f, "  OMP_PROC_BIND = '%s", bind_name(icv->bind_var));
  for (unsigned i = 1; i < st->bind_list_len; i++)
    fprintf(f, ",%s", bind_name(st->bind_list[i]));
  fputs("'\n", f);
  fprintf(f, "  OMP_PLACES = '%s'\n", st->places_string ? st->places_string : "");

  fprintf(f, "  OMP_STACKSIZE = '%lu'\n", hsomp_env_stacksize_shown);
  fprintf(f, "  OMP_WAIT_POLICY = '%s'\n", st->wait_policy > 0 ? "ACTIVE" : "PASSIVE");
  fprintf(f, "  OMP_THREAD_LIMIT = '%u'\n", icv->thread_limit_var);
  fprintf(f, "  OMP_MAX_ACTIVE_LEVELS = '%u'\n", icv->max_active_levels_var);
  fprintf(f, "  OMP_NUM_TEAMS = '%u'\n", (unsigned)st->nteams_var);
  fprintf(f, "  OMP_TEAMS_THREAD_LIMIT = '%u'\n", (unsigned)st->teams_thread_limit_var);

  fprintf(f, "  OMP_CANCELLATION = '%s'\n", st->cancellation ? "TRUE" : "FALSE");
  fprintf(f, "  OMP_DEFAULT_DEVICE = '%d'\n", icv->default_device_var);
  fprintf(f, "  OMP_MAX_TASK_PRIORITY = '%d'\n", st->max_task_priority);
  fprintf(f, "  OMP_DISPLAY_AFFINITY = '%s'\n", st->display_affinity ? "TRUE" : "FALSE");
  fprintf(f, "  OMP_AFFINITY_FORMAT = '%s'\n", st->affinity_format ? st->affinity_format : "");
  fprintf(f, "  OMP_ALLOCATOR = '%s'\n", allocator_name(st->default_allocator));
  static const char *const offload[] = {"DEFAULT", "MANDATORY", "DISABLED"};
  fprintf(f, "  OMP_TARGET_OFFLOAD = '%s'\n",
          st->target_offload >= 0 && st->target_offload <= 2 ? offload[st->target_offload] : "");

  if (verbose) {
    fputs("  GOMP_CPU_AFFINITY = ''\n", f);
    fprintf(f, "  GOMP_STACKSIZE = '%lu'\n", hsomp_env_stacksize_shown);
    fprintf(f, "  GOMP_SPINCOUNT = '%lu'\n", st->spin_count);
  }
  fputs("OPENMP DISPLAY ENVIRONMENT END\n", f);
}

/* The text is built first and written with one call, so that it is not
 * interleaved with what other threads print meanwhile. */
void hsomp_display_env(bool verbose) {
  char *text = NULL;
  size_t size = 0;
  FILE *f = open_memstream(&text, &size);
  if (!f) {
    print_env(stderr, verbose);
    return;
  }
  print_env(f, verbose);
  if (fclose(f) == 0) {
    fwrite(text, 1, size, stderr);
    fflush(stderr);
  }
  free(text);
}
