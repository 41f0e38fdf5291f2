/* main.c -- `hsomp-taskapps [--tiny] [--reps N] [--list] [NAME ...]`: runs
 * the task-workload programs (all, or those named), each first at least
 * once untimed (threads start, pages fault in), then --reps timed runs.
 * Every run is checked against the serial answer; a mismatch prints a line
 * and the exit status is 1.  Output: bench.h's SAMPLES and BEST lines in
 * milliseconds per run (BEST: the fastest run), for bench/run-bench.py. */
#include "taskapps.h"

#include <time.h>

static const struct taskapp *const apps[] = {
    &taskapp_sort,      &taskapp_sparselu_single, &taskapp_sparselu_for, &taskapp_strassen,
    &taskapp_fft,       &taskapp_nqueens,         &taskapp_nqueens_cutoff, &taskapp_fib_cutoff,
    &taskapp_floorplan, &taskapp_health,          &taskapp_uts_geo,      &taskapp_uts_bin,
    &taskapp_alignment,
};
enum { NAPPS = sizeof apps / sizeof apps[0], MAX_REPS = 100 };

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int run_app(const struct taskapp *a, enum taskapp_size size, int reps) {
  double v[MAX_REPS], best = 1e30;
  int bad = 0;
  a->setup(size);
  if (a->prepare)
    a->prepare();
  a->run();
  if (!a->check()) {
    fprintf(stderr, "hsomp-taskapps: %s: wrong result (warm-up run)\n", a->name);
    bad = 1;
  }
  for (int r = 0; r < reps && !bad; r++) {
    if (a->prepare)
      a->prepare();
#ifdef TASKAPPS_TRACE
    taskapp_trace_region_begin();
#endif
    double t0 = now();
    a->run();
    v[r] = (now() - t0) * 1e3;
#ifdef TASKAPPS_TRACE
    taskapp_trace_region_end(a->name);
#endif
    best = v[r] < best ? v[r] : best;
    if (!a->check()) {
      fprintf(stderr, "hsomp-taskapps: %s: wrong result (run %d)\n", a->name, r + 1);
      bad = 1;
    }
  }
  a->teardown();
  if (bad)
    return 1;
  if (reps > 0) {
    printf("BEST taskapps %s ms %.4f\n", a->name, best);
    printf("SAMPLES taskapps %s ms", a->name);
    for (int r = 0; r < reps; r++)
      printf(" %.4f", v[r]);
    printf("\n");
  } else {
    printf("%s: ok\n", a->name);
  }
  fflush(stdout);
  return 0;
}

static void usage(void) {
  fprintf(stderr, "usage: hsomp-taskapps [--tiny] [--reps N] [--list] [NAME ...]\n");
  exit(2);
}

int main(int argc, char **argv) {
  enum taskapp_size size = TASKAPP_BENCH;
  int reps = -1, nnames = 0, bad = 0;
  const char *names[64];
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--tiny") == 0) {
      size = TASKAPP_TINY;
    } else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc) {
      reps = atoi(argv[++i]);
      if (reps < 1 || reps > MAX_REPS)
        usage();
    } else if (strcmp(argv[i], "--list") == 0) {
      for (int k = 0; k < NAPPS; k++)
        printf("%s\t%s\n", apps[k]->name, apps[k]->what);
      return 0;
    } else if (argv[i][0] == '-' || nnames == 64) {
      usage();
    } else {
      names[nnames++] = argv[i];
    }
  }
  if (reps < 0) /* the tiny size checks results, it does not time */
    reps = size == TASKAPP_TINY ? 0 : 5;
  for (int n = 0; n < nnames; n++) {
    int k = 0;
    while (k < NAPPS && strcmp(apps[k]->name, names[n]) != 0)
      k++;
    if (k == NAPPS) {
      fprintf(stderr, "hsomp-taskapps: no program named %s (see --list)\n", names[n]);
      return 2;
    }
  }
  for (int k = 0; k < NAPPS; k++) {
    int selected = nnames == 0;
    for (int n = 0; n < nnames; n++)
      selected |= strcmp(apps[k]->name, names[n]) == 0;
    if (selected)
      bad |= run_app(apps[k], size, reps);
  }
  return bad;
}
