/* A task's data environment and where it runs: ICVs are the creator's at
 * creation time, a task's omp_set_* changes only its own (deferred and
 * undeferred tasks alike, and nested regions inside a task use them);
 * omp_get_thread_num in a task is a member of the team; untied tasks with
 * taskwait and taskyield; and one team reused with changing sizes (1, 8,
 * 2, 16, 3, 1, 12 threads), each region full of tasks. */
// TEST-TIMEOUT: 60
#include "hsomp_test.h"
#include <omp.h>
#include <stdio.h>


static void icvs(int team) {
  omp_set_max_active_levels(2);
#pragma omp parallel num_threads(team)
#pragma omp single
  {
    omp_set_num_threads(5);
    for (int undeferred = 0; undeferred < 2; undeferred++) {
#pragma omp task if (!undeferred)
      {
        if (omp_get_max_threads() != 5)
          HT_FAIL("team %d: task sees max threads %d, creator had 5", team, omp_get_max_threads());
        omp_set_num_threads(2);
        omp_set_schedule(omp_sched_dynamic, 7);
        int inner = 0;
#pragma omp parallel
#pragma omp single
        inner = omp_get_num_threads();
        if (inner != 2)
          HT_FAIL("team %d: region in a task has %d threads, the task set 2", team, inner);
        /* A child inherits the task's own ICVs. */
#pragma omp task
        {
          omp_sched_t k;
          int chunk;
          omp_get_schedule(&k, &chunk);
          if (omp_get_max_threads() != 2 || k != omp_sched_dynamic || chunk != 7)
            HT_FAIL("team %d: grandchild sees %d threads, schedule %d/%d", team,
                 omp_get_max_threads(), (int)k, chunk);
        }
#pragma omp taskwait
      }
#pragma omp taskwait
      if (omp_get_max_threads() != 5)
        HT_FAIL("team %d (%s task): the task's omp_set_num_threads leaked out (%d)", team,
             undeferred ? "undeferred" : "deferred", omp_get_max_threads());
    }
  }
}

static void where(int team) {
  int bad = 0, n = 0;
#pragma omp parallel num_threads(team) shared(bad, n)
  {
#pragma omp single
    n = omp_get_num_threads();
    for (int i = 0; i < 100; i++)
#pragma omp task shared(bad, n)
      {
        int me = omp_get_thread_num();
        if (me < 0 || me >= n || omp_get_num_threads() != n || omp_get_level() != 1)
#pragma omp atomic write
          bad = 1;
      }
  }
  if (bad)
    HT_FAIL("team %d: a task saw a thread number, team size or level outside its team", team);
}

static long fib_untied(int n) {
  if (n < 2)
    return n;
  long a, b;
#pragma omp task untied shared(a)
  a = fib_untied(n - 1);
#pragma omp task untied shared(b)
  {
#pragma omp taskyield
    b = fib_untied(n - 2);
  }
#pragma omp taskwait
  return a + b;
}

static void untied(int team) {
  long r = 0;
#pragma omp parallel num_threads(team)
#pragma omp single
  r = fib_untied(18);
  if (r != 2584)
    HT_FAIL("untied fib(18) team %d: %ld", team, r);
}

static void resized(void) {
  const int sizes[] = {1, 8, 2, 16, 3, 1, 12};
  for (unsigned s = 0; s < sizeof sizes / sizeof *sizes; s++) {
    long count = 0;
    int n = 0;
#pragma omp parallel num_threads(sizes[s]) shared(count, n)
    {
      long chain = 0;
#pragma omp single
      n = omp_get_num_threads();
      for (int i = 0; i < 200; i++)
#pragma omp task depend(inout: chain) shared(chain, count)
        {
          chain++;
#pragma omp atomic
          count++;
        }
#pragma omp taskwait
      if (chain != 200)
        HT_FAIL("size %d: a thread's chain counted %ld of 200", sizes[s], chain);
    }
    if (count != 200L * n || n != sizes[s])
      HT_FAIL("size %d: %ld tasks ran in a team of %d", sizes[s], count, n);
  }
}

int main(void) {
  for (int team = 1; team <= 4; team++) {
    icvs(team);
    where(team);
    untied(team);
  }
  resized();
  return ht_failures ? 1 : 0;
}
