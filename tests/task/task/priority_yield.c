/* priority and taskyield.
 * - omp_get_max_task_priority reflects OMP_MAX_TASK_PRIORITY; with a
 *   positive maximum, tasks queued on a team of one thread start in order
 *   of priority (clamped to the maximum) at the taskwait that runs them;
 *   without it the clause is accepted and ignored.  Every task runs once.
 * - taskyield inside tasks: a yielding task may run others on its stack,
 *   which must not disturb its own state (results checked); one task
 *   waits, yielding, for a flag another task sets (teams of 2+). */
// TEST-ENV: OMP_MAX_TASK_PRIORITY=10
// TEST-ENV: OMP_MAX_TASK_PRIORITY=0
// TEST-TIMEOUT: 60
#include "hsomp_test.h"
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

#define NT 48


static void priorities(void) {
  const char *env = getenv("OMP_MAX_TASK_PRIORITY");
  int want_max = env ? atoi(env) : 0;
  int max = omp_get_max_task_priority();
  if (max != want_max)
    HT_FAIL("omp_get_max_task_priority() = %d, expected %d", max, want_max);
  int order[NT], prio[NT], next = 0;
  unsigned s = 12345;
  for (int i = 0; i < NT; i++) {
    s = s * 1103515245u + 12345u;
    prio[i] = (int)((s >> 16) % 16) - 2; /* -2..13: some negative, some above 10 */
  }
#pragma omp parallel num_threads(1)
#pragma omp single
  {
    for (int i = 0; i < NT; i++)
#pragma omp task priority(prio[i] < 0 ? 0 : prio[i]) firstprivate(i) shared(order, next)
      order[next++] = i;
#pragma omp taskwait
  }
  if (next != NT) {
    HT_FAIL("%d of %d tasks with priorities ran", next, NT);
    return;
  }
  if (max <= 0)
    return;
  for (int k = 1; k < NT; k++) {
    int a = prio[order[k - 1]], b = prio[order[k]];
    a = a < 0 ? 0 : a > max ? max : a;
    b = b < 0 ? 0 : b > max ? max : b;
    if (a < b) {
      HT_FAIL("task %d (priority %d) started before task %d (priority %d)", order[k - 1], a,
           order[k], b);
      return;
    }
  }
}

static long work(int i) {
  long acc = i;
  for (int k = 0; k < 5; k++) {
    acc = acc * 7 + k;
#pragma omp taskyield
  }
  return acc;
}

static void yields(int team) {
  long results[400], expect[400];
  for (int i = 0; i < 400; i++) {
    long acc = i;
    for (int k = 0; k < 5; k++)
      acc = acc * 7 + k;
    expect[i] = acc;
  }
  int flag = 0, waited = 0;
#pragma omp parallel num_threads(team)
#pragma omp single
  {
    if (omp_get_num_threads() > 1) {
#pragma omp task shared(flag, waited)
      {
        while (!__atomic_load_n(&flag, __ATOMIC_ACQUIRE)) {
#pragma omp taskyield
        }
        waited = 1;
      }
    } else {
      waited = 1;
    }
    for (int i = 0; i < 400; i++)
#pragma omp task firstprivate(i) shared(results)
      results[i] = work(i);
#pragma omp task shared(flag)
    __atomic_store_n(&flag, 1, __ATOMIC_RELEASE);
  }
  for (int i = 0; i < 400; i++)
    if (results[i] != expect[i]) {
      HT_FAIL("team %d: yielding task %d computed %ld, expected %ld", team, i, results[i], expect[i]);
      break;
    }
  if (!waited)
    HT_FAIL("team %d: the yielding waiter never finished", team);
}

int main(void) {
  priorities();
  for (int team = 1; team <= 4; team++)
    yields(team);
  return ht_failures ? 1 : 0;
}
