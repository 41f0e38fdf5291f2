/* OMPT: parallel regions.  Per region of n threads: one parallel_begin and
 * parallel_end on the encountering thread with the same parallel data and
 * the call site in main(); n implicit_task begin/end, indices 0..n-1; the
 * closing barrier (barrier_implicit_parallel) and its wait begin and end on
 * every member, inside the implicit task; parallel_end only after every
 * member's implicit_task end.  Also a nested region (max-active-levels 2),
 * a serialized one (if(0)) and the thread events. */
// TEST-HSOMP-ONLY
// TEST-LIBS: -rdynamic -pthread
// TEST-TIMEOUT: 30
#include "ompt_tool.h"

#include <omp.h>

static int last_index_of(int from, int kind, int endpoint) {
  int last = -1;
  for (int i = from; i < nevents; i++)
    if (events[i].kind == kind && (endpoint == ANY || events[i].endpoint == endpoint))
      last = i;
  return last;
}

static void *host_thread(void *arg) {
#pragma omp parallel num_threads(2)
  __asm__ volatile("");
  return arg;
}

int main(void) {
  EXPECT(tool_initialized, "the tool was not initialized");
  EXPECT(count_from(0, EV_THREAD_BEGIN, ANY, ompt_thread_initial) == 1,
         "one initial thread_begin before main");
  EXPECT(count_from(0, EV_IMPLICIT_TASK, ompt_scope_begin, ompt_task_initial) == 1,
         "the initial task began");
  EXPECT(set_results[ompt_callback_parallel_begin] == ompt_set_always, "parallel_begin: always");

  for (int round = 0; round < 3; round++) {
    int m = mark();
    int n = 0;
#pragma omp parallel num_threads(4)
    {
#pragma omp single
      n = omp_get_num_threads();
    }
    EXPECT(n == 4, "team of 4, got %d", n);
    EXPECT(count_from(m, EV_PARALLEL_BEGIN, ANY, ANY) == 1, "one parallel_begin");
    EXPECT(count_from(m, EV_PARALLEL_END, ANY, ANY) == 1, "one parallel_end");
    EXPECT(count_from(m, EV_IMPLICIT_TASK, ompt_scope_begin, ompt_task_implicit) == 4,
           "4 implicit task begins, got %d",
           count_from(m, EV_IMPLICIT_TASK, ompt_scope_begin, ompt_task_implicit));
    EXPECT(count_from(m, EV_IMPLICIT_TASK, ompt_scope_end, ompt_task_implicit) == 4,
           "4 implicit task ends");
    for (int k = 0; k < 2; k++) {
      int kind = k ? EV_SYNC_WAIT : EV_SYNC;
      EXPECT(count_from(m, kind, ompt_scope_begin, ompt_sync_region_barrier_implicit_parallel) ==
                 4,
             "4 %s begins of the closing barrier", ev_names[kind]);
      EXPECT(count_from(m, kind, ompt_scope_end, ompt_sync_region_barrier_implicit_parallel) == 4,
             "4 %s ends of the closing barrier", ev_names[kind]);
    }
    /* The parallel data and the call site. */
    struct event *b = NULL, *e = NULL;
    unsigned seen_index = 0;
    for (int i = m; i < nevents; i++) {
      if (events[i].kind == EV_PARALLEL_BEGIN)
        b = &events[i];
      if (events[i].kind == EV_PARALLEL_END)
        e = &events[i];
      if (events[i].kind == EV_IMPLICIT_TASK && events[i].endpoint == ompt_scope_begin) {
        EXPECT(b && events[i].data2 == b->data, "implicit task in the region's parallel data");
        EXPECT((events[i].arg >> 32) == 4, "actual parallelism 4");
        seen_index |= 1u << (events[i].arg & 31);
      }
    }
    EXPECT(seen_index == 0xf, "implicit task indices 0..3, got mask %#x", seen_index);
    if (b && e) {
      EXPECT(b->data == e->data, "parallel_end has parallel_begin's data");
      EXPECT(b->thread == e->thread, "begin and end on the encountering thread");
      EXPECT(b->arg == 4, "requested parallelism 4, got %llu", (unsigned long long)b->arg);
      EXPECT(in_main(b->codeptr) && b->codeptr == e->codeptr, "codeptr_ra in main");
      EXPECT(b->sub == (int)(ompt_parallel_invoker_program | ompt_parallel_team), "flags");
    }
    EXPECT(last_index_of(m, EV_IMPLICIT_TASK, ompt_scope_end) < last_index_of(m, EV_PARALLEL_END, ANY),
           "parallel_end after every implicit task end");
  }

  /* Nested: 2 x 2. */
  omp_set_max_active_levels(2);
  int m = mark();
#pragma omp parallel num_threads(2)
  {
#pragma omp parallel num_threads(2)
    {
      __asm__ volatile("");
    }
  }
  EXPECT(count_from(m, EV_PARALLEL_BEGIN, ANY, ANY) == 3, "3 parallel regions");
  EXPECT(count_from(m, EV_IMPLICIT_TASK, ompt_scope_begin, ompt_task_implicit) == 6,
         "6 implicit tasks, got %d",
         count_from(m, EV_IMPLICIT_TASK, ompt_scope_begin, ompt_task_implicit));
  EXPECT(count_from(m, EV_IMPLICIT_TASK, ompt_scope_end, ompt_task_implicit) == 6,
         "6 implicit task ends");

  /* Serialized: a team of one still reports the region. */
  m = mark();
  int flag = 0;
#pragma omp parallel if (flag)
  {
    __asm__ volatile("");
  }
  EXPECT(count_from(m, EV_PARALLEL_BEGIN, ANY, ANY) == 1, "serialized region begins");
  EXPECT(count_from(m, EV_IMPLICIT_TASK, ompt_scope_begin, ompt_task_implicit) == 1,
         "one implicit task");
  EXPECT(count_from(m, EV_PARALLEL_END, ANY, ANY) == 1, "and ends");

  /* Workers: at least 3 began (the pool), none ended. */
  EXPECT(count_from(0, EV_THREAD_BEGIN, ANY, ompt_thread_worker) >= 3, "worker thread_begin");
  EXPECT(count_from(0, EV_THREAD_END, ANY, ANY) == 0, "no thread ends before exit");

  /* Another host thread is an initial thread of its own: it begins with
   * its first OpenMP call and ends when it exits. */
  m = mark();
  pthread_t other;
  pthread_create(&other, NULL, host_thread, NULL);
  pthread_join(other, NULL);
  EXPECT(count_from(m, EV_THREAD_BEGIN, ANY, ompt_thread_initial) == 1, "a second initial thread");
  EXPECT(count_from(m, EV_IMPLICIT_TASK, ompt_scope_begin, ompt_task_initial) == 1 &&
             count_from(m, EV_IMPLICIT_TASK, ompt_scope_end, ompt_task_initial) == 1,
         "its initial task begins and ends");
  EXPECT(count_from(m, EV_THREAD_END, ANY, ANY) == 1, "it ends when it exits");
  EXPECT(count_from(m, EV_PARALLEL_BEGIN, ANY, ANY) == 1, "its region");
  return finish("ompt.parallel", 0);
}
