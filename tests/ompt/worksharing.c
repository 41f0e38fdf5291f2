/* OMPT: worksharing constructs of a team of 4, each checked for exact
 * counts: work begin/end per member (with the iteration count), the chunks
 * handed out (ompt_dispatch_ws_loop_chunk, OpenMP 5.2) covering every
 * iteration once, sections dispatched once each, single's executor and
 * others, and the closing barriers (implicit_workshare for loops and
 * sections, explicit for GOMP_barrier, which GCC also emits after single).
 * Every event pairs per thread (check_pairing). */
// TEST-HSOMP-ONLY
// TEST-LIBS: -rdynamic
// TEST-TIMEOUT: 30
#include "ompt_tool.h"

#include <omp.h>

#define N 1000
#define T 4
static volatile long sink;

static void expect_loop(const char *what, int m, int barrier) {
  EXPECT(count_from(m, EV_WORK, ompt_scope_begin, ompt_work_loop) == T, "%s: %d loop begins", what,
         count_from(m, EV_WORK, ompt_scope_begin, ompt_work_loop));
  EXPECT(count_from(m, EV_WORK, ompt_scope_end, ompt_work_loop) == T, "%s: loop ends", what);
  EXPECT(sum_arg_from(m, EV_DISPATCH, ompt_dispatch_ws_loop_chunk) == N,
         "%s: chunks cover %llu iterations", what,
         (unsigned long long)sum_arg_from(m, EV_DISPATCH, ompt_dispatch_ws_loop_chunk));
  EXPECT(count_from(m, EV_SYNC, ompt_scope_begin, ompt_sync_region_barrier_implicit_workshare) ==
             (barrier ? T : 0),
         "%s: closing barrier", what);
  EXPECT(count_from(m, EV_SYNC_WAIT, ompt_scope_end, ompt_sync_region_barrier_implicit_workshare) ==
             (barrier ? T : 0),
         "%s: closing barrier wait", what);
  for (int i = m; i < nevents; i++)
    if (events[i].kind == EV_WORK && events[i].sub == ompt_work_loop) {
      EXPECT(events[i].arg == N, "%s: work count %llu", what, (unsigned long long)events[i].arg);
      EXPECT(in_main(events[i].codeptr), "%s: codeptr_ra in main", what);
      break;
    }
}

int main(void) {
  int m;
  omp_set_dynamic(0);

  m = mark();
#pragma omp parallel num_threads(T)
#pragma omp for schedule(dynamic, 7)
  for (int i = 0; i < N; i++)
    sink += 0;
  expect_loop("dynamic", m, 1);
  EXPECT(count_from(m, EV_DISPATCH, ANY, ompt_dispatch_ws_loop_chunk) == (N + 6) / 7,
         "dynamic,7: %d chunks", (N + 6) / 7);

  m = mark();
#pragma omp parallel num_threads(T)
#pragma omp for schedule(guided, 5) nowait
  for (int i = 0; i < N; i++)
    sink += 0;
  expect_loop("guided nowait", m, 0);

  omp_set_schedule(omp_sched_dynamic, 10);
  m = mark();
#pragma omp parallel num_threads(T)
#pragma omp for schedule(runtime)
  for (long i = 0; i < N; i++)
    sink += 0;
  expect_loop("runtime", m, 1);
  EXPECT(count_from(m, EV_DISPATCH, ANY, ompt_dispatch_ws_loop_chunk) == N / 10, "runtime chunks");

  m = mark();
#pragma omp parallel num_threads(T)
#pragma omp for schedule(dynamic) ordered
  for (int i = 0; i < N; i++) {
#pragma omp ordered
    sink += i;
  }
  expect_loop("ordered", m, 1);
  EXPECT(count_from(m, EV_MUTEX_ACQUIRE, ANY, ompt_mutex_ordered) == N, "ordered acquires");
  EXPECT(count_from(m, EV_MUTEX_ACQUIRED, ANY, ompt_mutex_ordered) == N, "ordered acquired");
  EXPECT(count_from(m, EV_MUTEX_RELEASED, ANY, ompt_mutex_ordered) == N, "ordered released");

  m = mark();
#pragma omp parallel num_threads(T)
#pragma omp for schedule(dynamic, 16)
  for (unsigned long long i = 0; i < N; i++)
    sink += 0;
  expect_loop("unsigned long long", m, 1);

  /* Doacross: one source per iteration, one sink per wait (GCC skips the
   * sink of iteration 0, which lies outside the iteration space). */
  m = mark();
#pragma omp parallel num_threads(T)
#pragma omp for schedule(dynamic, 4) ordered(1)
  for (int i = 0; i < N; i++) {
#pragma omp ordered depend(sink : i - 1)
    sink += i;
#pragma omp ordered depend(source)
  }
  expect_loop("doacross", m, 1);
  EXPECT(count_from(m, EV_DEPENDENCES, ANY, ompt_dependence_type_source) == N, "%d sources",
         count_from(m, EV_DEPENDENCES, ANY, ompt_dependence_type_source));
  EXPECT(count_from(m, EV_DEPENDENCES, ANY, ompt_dependence_type_sink) == N - 1, "%d sinks",
         count_from(m, EV_DEPENDENCES, ANY, ompt_dependence_type_sink));

  /* Combined: the members start inside the loop (no *_start call). */
  m = mark();
#pragma omp parallel for num_threads(T) schedule(dynamic, 3)
  for (int i = 0; i < N; i++)
    sink += 0;
  expect_loop("parallel for", m, 0);

  /* schedule(static): GCC expands it inline, with no runtime call but the
   * closing GOMP_barrier; nothing to report as work. */
  m = mark();
#pragma omp parallel num_threads(T)
#pragma omp for schedule(static)
  for (int i = 0; i < N; i++)
    sink += 0;
  EXPECT(count_from(m, EV_WORK, ANY, ompt_work_loop) == 0, "static: no work events");
  EXPECT(count_from(m, EV_SYNC, ompt_scope_begin, ompt_sync_region_barrier_explicit) == T,
         "static: its GOMP_barrier");

  m = mark();
#pragma omp parallel num_threads(T)
#pragma omp sections
  {
#pragma omp section
    sink += 1;
#pragma omp section
    sink += 2;
#pragma omp section
    sink += 3;
  }
  EXPECT(count_from(m, EV_WORK, ompt_scope_begin, ompt_work_sections) == T, "sections begin");
  EXPECT(count_from(m, EV_WORK, ompt_scope_end, ompt_work_sections) == T, "sections end");
  EXPECT(count_from(m, EV_DISPATCH, ANY, ompt_dispatch_section) == 3, "3 sections dispatched");
  EXPECT(count_from(m, EV_SYNC, ompt_scope_end, ompt_sync_region_barrier_implicit_workshare) == T,
         "sections barrier");

  m = mark();
#pragma omp parallel sections num_threads(T)
  {
#pragma omp section
    sink += 1;
#pragma omp section
    sink += 2;
  }
  EXPECT(count_from(m, EV_WORK, ompt_scope_begin, ompt_work_sections) == T,
         "parallel sections begin");
  EXPECT(count_from(m, EV_WORK, ompt_scope_end, ompt_work_sections) == T, "parallel sections end");
  EXPECT(count_from(m, EV_DISPATCH, ANY, ompt_dispatch_section) == 2, "2 sections dispatched");

  m = mark();
#pragma omp parallel num_threads(T)
  {
#pragma omp single
    sink += 1;
#pragma omp single nowait
    sink += 1;
  }
  EXPECT(count_from(m, EV_WORK, ompt_scope_begin, ompt_work_single_executor) == 2, "2 executors");
  EXPECT(count_from(m, EV_WORK, ompt_scope_end, ompt_work_single_executor) == 2,
         "2 executor ends");
  EXPECT(count_from(m, EV_WORK, ompt_scope_begin, ompt_work_single_other) == 2 * (T - 1),
         "others");
  EXPECT(count_from(m, EV_WORK, ompt_scope_end, ompt_work_single_other) == 2 * (T - 1),
         "other ends");
  EXPECT(count_from(m, EV_SYNC, ompt_scope_begin, ompt_sync_region_barrier_explicit) == T,
         "single's GOMP_barrier");

  m = mark();
  int value = 0;
#pragma omp parallel num_threads(T) firstprivate(value)
  {
#pragma omp single copyprivate(value)
    value = 42;
    sink += value;
  }
  EXPECT(count_from(m, EV_WORK, ompt_scope_begin, ompt_work_single_executor) == 1, "copy executor");
  EXPECT(count_from(m, EV_WORK, ompt_scope_end, ompt_work_single_executor) == 1, "its end");
  EXPECT(count_from(m, EV_WORK, ompt_scope_end, ompt_work_single_other) == T - 1, "copy others");

  m = mark();
  int total = 0;
#pragma omp parallel num_threads(T) shared(total)
  {
#pragma omp scope reduction(task, + : total)
    {
#pragma omp task in_reduction(+ : total)
      total += 1;
    }
  }
  EXPECT(total == T, "scope reduction: %d", total);
  EXPECT(count_from(m, EV_WORK, ompt_scope_begin, ompt_work_scope) == T, "scope begins");
  EXPECT(count_from(m, EV_WORK, ompt_scope_end, ompt_work_scope) == T, "scope ends");

  return finish("ompt.worksharing", 0);
}
