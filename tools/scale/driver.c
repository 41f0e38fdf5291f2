/* driver.c -- the constructs `./run scale` measures in the coherence
 * simulator (sim.c), on a team of HSOMP_ASSUME_NCPUS threads: one line
 * `scale: CONSTRUCT N transfers T critical C (...)` each, then the same
 * for the model kernels of libgomp's and libomp's algorithms (kernels.c).
 *
 * Every measurement runs WARM untimed repetitions, then a window over REPS
 * repetitions, and reports per repetition.  Constructs inside a region are
 * measured by the primary thread from just after a barrier to just after
 * the last repetition, so each includes what it implies (the implicit
 * barrier of a loop or single); CRITICAL and the task rounds, which imply
 * none, share one closing barrier among their REPS rounds.  Work in loop
 * iterations and tasks is sim_delay (virtual time, no memory traffic). */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define WARM 2
#define REPS 4

static int N;
static const char *only;

static void emit(const char *name, const struct sim_result *r) {
  printf("scale: %s %d transfers %.0f critical %.0f   (rmw %.0f inval %.0f remote %.0f futex %.1f"
         " time %.2f us)\n",
         name, N, r->transfers, r->critical, r->rmw, r->inval, r->remote, r->futex, r->us);
  fflush(stdout);
}

/* `only' names the constructs to run, or a prefix of their names
 * (TASK: every TASK_ construct). */
static int wanted(const char *name) {
  if (!only || !*only)
    return 1;
  return strstr(only, name) != NULL || strncmp(name, only, strlen(only)) == 0;
}

static void measure_parallel(void) {
  for (int r = 0; r < WARM; r++) {
#pragma omp parallel num_threads(N)
    sim_delay(100);
  }
  sim_window_begin();
  for (int r = 0; r < REPS; r++) {
#pragma omp parallel num_threads(N)
    sim_delay(100);
  }
  struct sim_result res;
  sim_window_end("PARALLEL", N, REPS, &res);
  emit("PARALLEL", &res);
}

/* The join alone: every thread leaves a barrier, works 20 us; the primary
 * opens the window at 10 us, when the barrier's release is over. */
static void measure_join(void) {
  struct sim_result sum = {0}, one;
  for (int r = 0; r < WARM + REPS; r++) {
#pragma omp parallel num_threads(N)
    {
#pragma omp barrier
      if (omp_get_thread_num() == 0) {
        sim_delay(10000);
        if (r >= WARM)
          sim_window_begin();
        sim_delay(10000);
      } else {
        sim_delay(20000);
      }
    }
    if (r >= WARM) {
      sim_window_end(NULL, N, 1, &one);
      sum.transfers += one.transfers / REPS;
      sum.critical += one.critical / REPS;
      sum.rmw += one.rmw / REPS;
      sum.inval += one.inval / REPS;
      sum.remote += one.remote / REPS;
      sum.futex += one.futex / REPS;
      sum.us += (one.us - 10.0) / REPS;
    }
  }
  emit("JOIN", &sum);
}

/* Runs `body(r)` for r = 0 .. WARM+REPS-1 inside one region; the window
 * spans the last REPS, closed by a barrier when `closing_barrier`. */
#define IN_REGION(NAME, CLOSING_BARRIER, BODY)                                                  \
  do {                                                                                         \
    struct sim_result res;                                                                     \
    _Pragma("omp parallel num_threads(N)")                                                     \
    {                                                                                          \
      for (int r = 0; r < WARM + REPS; r++) {                                                  \
        if (r == WARM) {                                                                       \
          _Pragma("omp barrier")                                                               \
          if (omp_get_thread_num() == 0)                                                       \
            sim_window_begin();                                                                \
        }                                                                                      \
        BODY;                                                                                  \
      }                                                                                        \
      if (CLOSING_BARRIER) {                                                                   \
        _Pragma("omp barrier")                                                                 \
      }                                                                                        \
      if (omp_get_thread_num() == 0)                                                           \
        sim_window_end(NAME, N, REPS, &res);                                                   \
    }                                                                                          \
    emit(NAME, &res);                                                                          \
  } while (0)

static void barrier_body(void) {
#pragma omp barrier
}

static void for_static(void) {
#pragma omp for schedule(static)
  for (int i = 0; i < 4 * N; i++)
    sim_delay(200);
}

static void for_dynamic(void) {
#pragma omp for schedule(dynamic, 4)
  for (int i = 0; i < 4 * N; i++)
    sim_delay(200);
}

static void for_guided(void) {
#pragma omp for schedule(guided)
  for (int i = 0; i < 4 * N; i++)
    sim_delay(200);
}

static void single_body(void) {
#pragma omp single
  sim_delay(200);
}

static double reduction_sum;
static void reduction_body(void) {
#pragma omp for reduction(+ : reduction_sum)
  for (int i = 0; i < N; i++)
    reduction_sum += i;
}

static long critical_count;
static void critical_body(void) {
#pragma omp critical
  critical_count++;
}

static void task_spawn_wait_body(void) {
  for (int k = 0; k < 2; k++) {
#pragma omp task
    sim_delay(500);
  }
#pragma omp taskwait
}

static void task_steal_body(void) {
#pragma omp single
  for (int k = 0; k < 2 * N; k++) {
#pragma omp task
    sim_delay(500);
  }
}

static void tree(int depth) {
  if (depth == 0) {
    sim_delay(500);
    return;
  }
#pragma omp task
  tree(depth - 1);
#pragma omp task
  tree(depth - 1);
#pragma omp taskwait
}

static int tree_depth;
static void task_tree_body(void) {
#pragma omp single
  tree(tree_depth);
}

/* TASK_DEPS: one producer makes 4N tasks, each depend(inout) on one of N
 * variables in turn (N chains of 4, EPCC's MASTER_TASK_DEPS shape): every
 * task but the first of its chain is released by its predecessor's
 * completion, on whichever thread ran it, while the producer is still
 * making its siblings. */
static char dep_chain[256];
static void task_deps_body(void) {
#pragma omp single
  for (int k = 0; k < 4 * N; k++) {
#pragma omp task depend(inout: dep_chain[k % N % 256])
    sim_delay(500);
  }
}

void kernels_run(int n, const char *only);

int main(void) {
  N = sim_ncpus();
  only = getenv("HSOMP_SCALE_ONLY");
  omp_set_dynamic(0);
  tree_depth = 1;
  while ((1 << tree_depth) < N)
    tree_depth++;
#pragma omp parallel num_threads(N) /* create the workers */
  sim_delay(100);
  if (wanted("PARALLEL"))
    measure_parallel();
  if (wanted("JOIN"))
    measure_join();
  if (wanted("BARRIER"))
    IN_REGION("BARRIER", 0, barrier_body());
  if (wanted("FOR_STATIC"))
    IN_REGION("FOR_STATIC", 0, for_static());
  if (wanted("FOR_DYNAMIC"))
    IN_REGION("FOR_DYNAMIC", 0, for_dynamic());
  if (wanted("FOR_GUIDED"))
    IN_REGION("FOR_GUIDED", 0, for_guided());
  if (wanted("SINGLE"))
    IN_REGION("SINGLE", 0, single_body());
  if (wanted("REDUCTION"))
    IN_REGION("REDUCTION", 0, reduction_body());
  if (wanted("CRITICAL"))
    IN_REGION("CRITICAL", 1, critical_body());
  if (wanted("TASK_SPAWN_WAIT"))
    IN_REGION("TASK_SPAWN_WAIT", 1, task_spawn_wait_body());
  if (wanted("TASK_STEAL"))
    IN_REGION("TASK_STEAL", 0, task_steal_body());
  if (wanted("TASK_TREE"))
    IN_REGION("TASK_TREE", 0, task_tree_body());
  if (wanted("TASK_DEPS"))
    IN_REGION("TASK_DEPS", 0, task_deps_body());
  kernels_run(N, only);
  return 0;
}
