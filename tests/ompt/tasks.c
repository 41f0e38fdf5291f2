/* OMPT: explicit tasks.  Per task: one task_create (explicit, with the
 * encountering task's data and the call site in the program), then on the
 * thread that runs it a task_schedule switch into it and a complete out of
 * it; if(0) tasks are created undeferred and run at once; taskwait and
 * taskgroup are sync regions with a wait; depend clauses report their
 * dependences and each ordering edge (task_dependence); a detached task
 * reports detach or complete at its body's end and its event's early or
 * late fulfilment; taskloop is a work
 * construct whose tasks are created inside it. */
// TEST-HSOMP-ONLY
// TEST-LIBS: -rdynamic
// TEST-TIMEOUT: 30
#include "ompt_tool.h"

#include <omp.h>
#include <stdatomic.h>

#define T 4
#define NT 40
static volatile long sink;

/* Every created task is switched to once and completed once. */
static void expect_task_lifecycles(const char *what, int m, int ntasks) {
  EXPECT(count_from(m, EV_TASK_CREATE, ANY, ANY) == ntasks, "%s: %d tasks created, want %d", what,
         count_from(m, EV_TASK_CREATE, ANY, ANY), ntasks);
  int bad = 0;
  for (int i = m; i < nevents; i++) {
    if (events[i].kind != EV_TASK_CREATE)
      continue;
    uint64_t id = events[i].data;
    int in = 0, out = 0;
    for (int j = i + 1; j < nevents; j++) {
      if (events[j].kind != EV_TASK_SCHEDULE)
        continue;
      in += events[j].sub == ompt_task_switch && events[j].data2 == id;
      out += events[j].sub == ompt_task_complete && events[j].data == id;
    }
    bad += in != 1 || out != 1;
    bad += !in_main(events[i].codeptr);
  }
  EXPECT(bad == 0, "%s: %d tasks without one switch-in and one completion", what, bad);
}

int main(void) {
  int m = mark();
#pragma omp parallel num_threads(T)
#pragma omp single
  {
    for (int i = 0; i < NT; i++) {
#pragma omp task
      sink += i;
    }
#pragma omp taskwait
  }
  expect_task_lifecycles("tasks", m, NT);
  EXPECT(count_from(m, EV_TASK_CREATE, ANY, ompt_task_explicit) == NT, "explicit flags");
  EXPECT(count_from(m, EV_SYNC, ompt_scope_begin, ompt_sync_region_taskwait) == 1, "taskwait");
  EXPECT(count_from(m, EV_SYNC_WAIT, ompt_scope_end, ompt_sync_region_taskwait) == 1,
         "taskwait wait");

  /* taskwait depend(...) waits for the sibling tasks it names: reported
   * as a taskwait (sync region and wait), after which that task is done. */
  m = mark();
  static volatile int produced;
#pragma omp parallel num_threads(T)
#pragma omp single
  {
    int x = 0;
#pragma omp task depend(out : x) shared(x)
    {
      x = 1;
      produced = 1;
    }
#pragma omp taskwait depend(in : x)
    EXPECT(produced == 1, "taskwait depend waited for its producer");
  }
  EXPECT(count_from(m, EV_SYNC, ompt_scope_begin, ompt_sync_region_taskwait) == 1 &&
             count_from(m, EV_SYNC, ompt_scope_end, ompt_sync_region_taskwait) == 1,
         "taskwait depend: one taskwait region");
  EXPECT(count_from(m, EV_SYNC_WAIT, ompt_scope_end, ompt_sync_region_taskwait) == 1,
         "taskwait depend: its wait");

  m = mark();
#pragma omp parallel num_threads(T)
#pragma omp single
  {
    for (int i = 0; i < 5; i++) {
#pragma omp task if (0)
      sink += i;
    }
  }
  expect_task_lifecycles("if(0)", m, 5);
  EXPECT(count_from(m, EV_TASK_CREATE, ANY, ompt_task_explicit | ompt_task_undeferred) == 5,
         "undeferred flag");

  m = mark();
#pragma omp parallel num_threads(T)
#pragma omp single
  {
#pragma omp taskgroup
    {
      for (int i = 0; i < 8; i++) {
#pragma omp task
        sink += i;
      }
    }
  }
  expect_task_lifecycles("taskgroup", m, 8);
  EXPECT(count_from(m, EV_SYNC, ompt_scope_begin, ompt_sync_region_taskgroup) == 1, "taskgroup");
  EXPECT(count_from(m, EV_SYNC, ompt_scope_end, ompt_sync_region_taskgroup) == 1,
         "taskgroup end");
  EXPECT(count_from(m, EV_SYNC_WAIT, ompt_scope_begin, ompt_sync_region_taskgroup) == 1,
         "taskgroup wait");

  /* a -> b -> c through one variable; d reads it too after c.  The first
   * task waits until all four exist, so that no task is done before a
   * later one that depends on it is created (then it needs no edge). */
  m = mark();
  int x = 0;
  _Atomic int all_created = 0;
#pragma omp parallel num_threads(T)
#pragma omp single
  {
#pragma omp task depend(out : x) shared(all_created)
    {
      while (!atomic_load(&all_created))
        ;
      x = 1;
    }
#pragma omp task depend(inout : x)
    x += 1;
#pragma omp task depend(in : x)
    sink += x;
#pragma omp task depend(in : x)
    sink += x;
    atomic_store(&all_created, 1);
  }
  expect_task_lifecycles("depend", m, 4);
  EXPECT(count_from(m, EV_DEPENDENCES, ANY, ANY) == 4, "4 dependences callbacks");
  EXPECT(count_from(m, EV_DEPENDENCES, ANY, ompt_dependence_type_in) == 2, "2 in");
  int edges = count_from(m, EV_TASK_DEPENDENCE, ANY, ANY);
  /* out->inout, inout->in, inout->in */
  EXPECT(edges == 3, "%d dependence pairs", edges);

  /* detach: a body that fulfils its own event is fulfilled early, then
   * completes; a task whose event is fulfilled after its body ended
   * reports detach at the body's end, then the late fulfilment (from the
   * fulfilling thread, which here waits for the detach report). */
  m = mark();
  omp_event_handle_t ev_late;
#pragma omp parallel num_threads(T)
#pragma omp single
  {
    omp_event_handle_t ev_early;
#pragma omp task detach(ev_early)
    omp_fulfill_event(ev_early);
#pragma omp task detach(ev_late)
    sink += 1;
    double t0 = omp_get_wtime();
    while (count_from(m, EV_TASK_SCHEDULE, ANY, ompt_task_detach) == 0 &&
           omp_get_wtime() - t0 < 10.0)
      ;
    omp_fulfill_event(ev_late);
#pragma omp taskwait
  }
  {
    uint64_t ids[2] = {0, 0};
    int k = 0;
    for (int i = m; i < nevents && k < 2; i++)
      if (events[i].kind == EV_TASK_CREATE)
        ids[k++] = events[i].data;
    int complete[2] = {0, 0}, detach[2] = {0, 0}, early[2] = {0, 0}, late[2] = {0, 0};
    for (int i = m; i < nevents; i++)
      for (int j = 0; j < 2; j++)
        if (events[i].kind == EV_TASK_SCHEDULE && events[i].data == ids[j]) {
          complete[j] += events[i].sub == ompt_task_complete;
          detach[j] += events[i].sub == ompt_task_detach;
          early[j] += events[i].sub == ompt_task_early_fulfill;
          late[j] += events[i].sub == ompt_task_late_fulfill;
        }
    EXPECT(k == 2, "detach: %d tasks created, want 2", k);
    EXPECT(early[0] == 1 && complete[0] == 1 && detach[0] == 0 && late[0] == 0,
           "detach, fulfilled in its body: early %d complete %d detach %d late %d", early[0],
           complete[0], detach[0], late[0]);
    EXPECT(detach[1] == 1 && late[1] == 1 && complete[1] == 0 && early[1] == 0,
           "detach, fulfilled after its body: detach %d late %d complete %d early %d", detach[1],
           late[1], complete[1], early[1]);
  }

  m = mark();
#pragma omp parallel num_threads(T)
#pragma omp single
  {
#pragma omp taskloop num_tasks(6)
    for (int i = 0; i < 600; i++)
      sink += i;
  }
  expect_task_lifecycles("taskloop", m, 6);
  EXPECT(count_from(m, EV_WORK, ompt_scope_begin, ompt_work_taskloop) == 1, "taskloop begins");
  EXPECT(count_from(m, EV_WORK, ompt_scope_end, ompt_work_taskloop) == 1, "taskloop ends");

  return finish("ompt.tasks", 0);
}
