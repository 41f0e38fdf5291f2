/* Cancellation of taskgroups, parallel regions, loops and sections, with
 * OMP_CANCELLATION on (work not yet started is dropped, cancellation
 * points report it) and off (cancel and cancellation point do nothing:
 * GOMP_cancel and GOMP_cancellation_point return false, everything runs). */
// TEST-ENV: OMP_CANCELLATION=true
// TEST-ENV: OMP_CANCELLATION=false
// TEST-TIMEOUT: 60
#include "hsomp_test.h"
#include <omp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

bool GOMP_cancel(int which, bool do_cancel);
bool GOMP_cancellation_point(int which);

static int on;

#define KIDS 50

/* A task makes KIDS children in its taskgroup, then cancels it: on one
 * thread none of them can have started, so none runs; tasks of an outer
 * taskgroup and of a sibling taskgroup are not affected. */
static void taskgroup_cancel(int team) {
  int ran = 0, outer_ran = 0, after_cancel = 0, sibling = 0;
#pragma omp parallel num_threads(team)
#pragma omp single
  {
#pragma omp taskgroup
    {
#pragma omp task shared(outer_ran)
      {
#pragma omp atomic
        outer_ran++;
      }
#pragma omp taskgroup
      {
#pragma omp task shared(ran, after_cancel)
        {
          for (int k = 0; k < KIDS; k++)
#pragma omp task shared(ran)
            {
#pragma omp atomic
              ran++;
#pragma omp cancellation point taskgroup
            }
#pragma omp cancel taskgroup
#pragma omp atomic write
          after_cancel = 1;
        }
      }
#pragma omp taskgroup
      for (int k = 0; k < 10; k++)
#pragma omp task shared(sibling)
        {
#pragma omp atomic
          sibling++;
        }
    }
  }
  if (outer_ran != 1 || sibling != 10)
    HT_FAIL("team %d: tasks of other taskgroups dropped (%d/1, %d/10)", team, outer_ran, sibling);
  if (!on && (ran != KIDS || !after_cancel))
    HT_FAIL("team %d, cancellation off: %d of %d tasks ran, canceller %s", team, ran, KIDS,
         after_cancel ? "went on" : "stopped");
  if (on && after_cancel)
    HT_FAIL("team %d: the cancelling task went on after cancel taskgroup", team);
  if (on && team == 1 && ran != 0)
    HT_FAIL("team 1: %d tasks of a cancelled taskgroup ran", ran);
  if (ran > KIDS)
    HT_FAIL("team %d: %d tasks ran, more than made", team, ran);
}

/* Thread 0 cancels the region; the others leave at a cancellation point
 * or at the cancellable barrier. */
static void parallel_cancel(int team) {
  int after[8] = {0}, tasks_ran = 0;
  double t0 = omp_get_wtime();
#pragma omp parallel num_threads(team)
  {
    int me = omp_get_thread_num();
    if (me == 0) {
#pragma omp cancel parallel
    } else {
      while (omp_get_wtime() - t0 < (on ? 20.0 : 0.05)) {
#pragma omp cancellation point parallel
      }
    }
    /* Not reached when cancelled (the barrier is cancellable here). */
#pragma omp barrier
    after[me] = 1;
    /* Tasks made before noticing: dropped or run, but not twice. */
#pragma omp task shared(tasks_ran)
    {
#pragma omp atomic
      tasks_ran++;
    }
  }
  int reached = 0;
  for (int i = 0; i < team; i++)
    reached += after[i];
  if (on && reached)
    HT_FAIL("team %d: %d threads went past a cancelled region's barrier", team, reached);
  if (!on && (reached != team || tasks_ran != team))
    HT_FAIL("team %d, cancellation off: %d threads past the barrier, %d tasks", team, reached,
         tasks_ran);
  if (omp_get_wtime() - t0 > 10.0)
    HT_FAIL("team %d: waited for the time limit, the cancellation was not seen", team);
}

/* Tasks queued when the region is cancelled are dropped (on one thread
 * none can have started), and the region still ends. */
static void parallel_cancel_tasks(int team) {
  int ran = 0;
#pragma omp parallel num_threads(team)
  {
    if (omp_get_thread_num() == 0) {
      for (int i = 0; i < 40; i++)
#pragma omp task shared(ran)
        {
#pragma omp atomic
          ran++;
        }
#pragma omp cancel parallel
    }
#pragma omp barrier
  }
  if (!on && ran != 40)
    HT_FAIL("team %d, cancellation off: %d of 40 tasks ran", team, ran);
  if (on && team == 1 && ran != 0)
    HT_FAIL("team 1: %d tasks of a cancelled region ran", ran);
}

static void for_cancel(int team) {
  const int n = 200000;
  int done = 0, again = 0;
#pragma omp parallel num_threads(team)
  {
#pragma omp for schedule(dynamic, 1)
    for (int i = 0; i < n; i++) {
      if (i == 10) {
#pragma omp cancel for
      }
#pragma omp cancellation point for
#pragma omp atomic
      done++;
    }
    /* A second loop in the same region is not cancelled. */
#pragma omp for reduction(+: again)
    for (int i = 0; i < 100; i++)
      again++;
  }
  if (again != 100)
    HT_FAIL("team %d: the loop after a cancelled one ran %d of 100", team, again);
  if (on && done >= n - 1)
    HT_FAIL("team %d: %d of %d iterations after cancel for", team, done, n);
  if (!on && done != n)
    HT_FAIL("team %d, cancellation off: %d of %d iterations", team, done, n);
}

static void sections_cancel(int team) {
  int first = 0, second = 0;
#pragma omp parallel num_threads(team)
  {
#pragma omp sections
    {
#pragma omp section
      {
        first = 1;
#pragma omp cancel sections
      }
#pragma omp section
      {
        double t0 = omp_get_wtime();
        while (omp_get_wtime() - t0 < (on ? 20.0 : 0.01)) {
#pragma omp cancellation point sections
        }
        second = 1;
      }
    }
  }
  if (!first || (!on && !second))
    HT_FAIL("team %d: sections ran %d %d", team, first, second);
  if (on && second)
    HT_FAIL("team %d: the second section went on after cancel sections", team);
}

int main(void) {
  const char *env = getenv("OMP_CANCELLATION");
  on = env && (env[0] == 't' || env[0] == 'T');
  if (omp_get_cancellation() != on)
    HT_FAIL("omp_get_cancellation() = %d with OMP_CANCELLATION=%s", omp_get_cancellation(),
         env ? env : "(unset)");
  /* Outside a construct with cancellation off both entry points say no. */
  if (!on) {
    if (GOMP_cancel(8, true) || GOMP_cancel(1, true) || GOMP_cancellation_point(8) ||
        GOMP_cancellation_point(2))
      HT_FAIL("GOMP_cancel / GOMP_cancellation_point returned true with cancellation off");
  }
  for (int team = 1; team <= 4; team++) {
    taskgroup_cancel(team);
    parallel_cancel(team);
    parallel_cancel_tasks(team);
    for_cancel(team);
    sections_cancel(team);
  }
  return ht_failures ? 1 : 0;
}
