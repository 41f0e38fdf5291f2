/* taskapps_trace.c -- the accounting of taskapps_trace.h: per thread, the
 * wall and CPU time spent in user code during one region, and the line
 * that `hsomp-taskapps-trace' prints per run.  Compiled to nothing in
 * `hsomp-taskapps'. */
#ifdef TASKAPPS_TRACE
#include "taskapps.h"

#include <time.h>

enum { TRACE_THREADS = 64 };

/* Per thread of the team, written only by that thread during the region. */
static struct {
  double user_ms, user_cpu_ms;
  long spans;
  char pad[40];
} acc[TRACE_THREADS];

static __thread bool in_user;
static __thread uint64_t mark_ns, mark_cpu_ns;
static uint64_t region_ns;

static uint64_t ns(clockid_t c) {
  struct timespec ts;
  clock_gettime(c, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void user_start(void) {
  mark_ns = ns(CLOCK_MONOTONIC);
  mark_cpu_ns = ns(CLOCK_THREAD_CPUTIME_ID);
  in_user = true;
}

static void user_stop(void) {
  int t = omp_get_thread_num();
  if (t >= 0 && t < TRACE_THREADS) {
    acc[t].user_cpu_ms += (double)(ns(CLOCK_THREAD_CPUTIME_ID) - mark_cpu_ns) * 1e-6;
    acc[t].user_ms += (double)(ns(CLOCK_MONOTONIC) - mark_ns) * 1e-6;
    acc[t].spans++;
  }
  in_user = false;
}

/* A task body inside user code (an included task, or one a thread runs
 * inside its own task body) adds nothing: its time is already counted. */
void taskapp_span_begin(struct taskapp_span *s) {
  s->outer = !in_user;
  if (s->outer)
    user_start();
}

void taskapp_span_end(const struct taskapp_span *s) {
  if (s->outer)
    user_stop();
}

/* A taskwait is the runtime's time, apart from the task bodies it runs. */
bool taskapp_wait_begin(void) {
  bool was = in_user;
  if (was)
    user_stop();
  return was;
}

void taskapp_wait_end(bool was_user) {
  if (was_user)
    user_start();
}

void taskapp_trace_region_begin(void) {
  memset(acc, 0, sizeof acc);
  region_ns = ns(CLOCK_MONOTONIC);
}

void taskapp_trace_region_end(const char *name) {
  double wall = (double)(ns(CLOCK_MONOTONIC) - region_ns) * 1e-6;
  int n = omp_get_max_threads() < TRACE_THREADS ? omp_get_max_threads() : TRACE_THREADS;
  double user = 0, cpu = 0;
  long spans = 0;
  for (int t = 0; t < n; t++) {
    user += acc[t].user_ms;
    cpu += acc[t].user_cpu_ms;
    spans += acc[t].spans;
  }
  if (spans == 0) {
    printf("TRACE taskapps %s wall_ms %.3f (no task bodies marked)\n", name, wall);
    return;
  }
  /* idle: the share of threads x wall outside user code (the runtime's);
   * preempted: the share of user code's wall time its thread was off the CPU. */
  printf("TRACE taskapps %s wall_ms %.3f user_ms %.3f user_cpu_ms %.3f idle_pct %.2f preempted_pct %.2f",
         name, wall, user, cpu, 100.0 * (1.0 - user / ((double)n * wall)),
         user > 0 ? 100.0 * (1.0 - cpu / user) : 0.0);
  for (int t = 0; t < n; t++)
    printf(" t%d %.3f/%.3f/%ld", t, acc[t].user_ms, acc[t].user_cpu_ms, acc[t].spans);
  printf("\n");
}
#endif
