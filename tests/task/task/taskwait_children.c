/* taskwait waits for the current task's children only, never for its
 * grandchildren: a child creates a grandchild with a detach clause whose
 * event only the waiting task fulfils, after its taskwait returns -- a
 * taskwait that waited for grandchildren would never return (the time
 * limit fails the test).  It does wait for every child (their effects are
 * visible after it), including children whose own children are still
 * running.  A taskgroup, by contrast, waits for every descendant, and the
 * final barrier for the detached grandchildren.  Finally, a task that
 * makes some unrelated task ready (fulfilling another task's event
 * readies its dependants) must still find its own children at its
 * taskwait, even on a team of one thread. */
// TEST-TIMEOUT: 30
#include <omp.h>
#include <stdio.h>

#define KIDS 8
#define ROUNDS 200

static int child_done[KIDS], grand_done[KIDS];
static omp_event_handle_t y_event;
static int y_ready, y_dep;

int main(void) {
  int fails = 0;
  for (int team = 1; team <= 4; team++)
    for (int round = 0; round < ROUNDS / team; round++) {
      for (int k = 0; k < KIDS; k++)
        child_done[k] = grand_done[k] = 0;
      omp_event_handle_t ev[KIDS];
      int bad = 0;
#pragma omp parallel num_threads(team) shared(ev, bad)
#pragma omp single
      {
#pragma omp task shared(ev, bad)
        { /* the waiting task */
          for (int k = 0; k < KIDS; k++) {
#pragma omp task shared(ev) firstprivate(k)
            {
              omp_event_handle_t e;
#pragma omp task detach(e) firstprivate(k)
              grand_done[k] = 1;
              ev[k] = e;
#pragma omp atomic write
              child_done[k] = 1;
            }
          }
#pragma omp taskwait
          for (int k = 0; k < KIDS; k++) {
            int c;
#pragma omp atomic read
            c = child_done[k];
            if (!c)
              bad = 1;
            omp_fulfill_event(ev[k]);
          }
        }
      }
      /* The region's end waited for the grandchildren (their events). */
      for (int k = 0; k < KIDS; k++)
        if (!grand_done[k])
          bad = 2;
      if (bad) {
        fprintf(stderr, "team %d round %d: %s\n", team, round,
                bad == 1 ? "a child was not done after taskwait" : "a grandchild never ran");
        fails++;
      }
    }

  /* A taskgroup waits for grandchildren too. */
  for (int team = 1; team <= 4; team++) {
    int grand = 0, seen = -1;
#pragma omp parallel num_threads(team)
#pragma omp single
    {
#pragma omp taskgroup
      {
        for (int k = 0; k < KIDS; k++)
#pragma omp task shared(grand)
          {
#pragma omp task shared(grand)
            {
              for (volatile int s = 0; s < 100000; s++)
                ;
#pragma omp atomic
              grand++;
            }
          }
      }
#pragma omp atomic read
      seen = grand;
    }
    if (seen != KIDS) {
      fprintf(stderr, "team %d: taskgroup ended with %d of %d grandchildren done\n", team, seen, KIDS);
      fails++;
    }
  }
  /* X makes a child E, then fulfils the event of Y (whose body has run:
   * on one thread hsomp starts the newest task first, so Y before X),
   * which readies Y's dependant S -- not X's to run.  X's taskwait must
   * still run E. */
  for (int team = 1; team <= 3; team++) {
    int e_ran = 0, s_ran = 0, seen = -1;
    y_ready = 0;
#pragma omp parallel num_threads(team)
#pragma omp single
    {
#pragma omp task shared(e_ran, seen) /* X */
      {
#pragma omp task shared(e_ran) /* E */
        e_ran = 1;
        /* On one thread Y exists by now; on more, wait for its creator. */
        while (!__atomic_load_n(&y_ready, __ATOMIC_ACQUIRE))
          ;
        omp_fulfill_event(y_event);
#pragma omp taskwait
        seen = e_ran;
      }
      omp_event_handle_t ev;
#pragma omp task detach(ev) depend(out: y_dep) /* Y */
      { }
      y_event = ev;
      __atomic_store_n(&y_ready, 1, __ATOMIC_RELEASE);
#pragma omp task depend(in: y_dep) shared(s_ran) /* S */
      s_ran = 1;
    }
    if (seen != 1 || !s_ran) {
      fprintf(stderr, "team %d: X's taskwait saw its child %s, S %s\n", team,
              seen == 1 ? "done" : "not done", s_ran ? "ran" : "never ran");
      fails++;
    }
  }
  return fails ? 1 : 0;
}
