/* Tasks wherever they may be made: in a single, by every thread of a
 * team, in nested regions (inner teams' tasks, and an inner region inside
 * a task), in orphaned code called both inside and outside any region,
 * and from several host pthreads at once, each running its own regions.
 * Every task adds a known amount; taskwait, taskgroup, barriers and the
 * regions' ends must have seen all of it. */
// TEST-TIMEOUT: 60
// TEST-LIBS: -pthread
#include "hsomp_test.h"
#include <omp.h>
#include <pthread.h>
#include <stdio.h>


/* Orphaned: makes n tasks adding 1..n to *sum, waits for them. */
static long orphan_tasks(long *sum, int n) {
  for (int i = 1; i <= n; i++)
#pragma omp task shared(sum) firstprivate(i)
    {
#pragma omp atomic
      *sum += i;
    }
#pragma omp taskwait
  long s;
#pragma omp atomic read
  s = *sum;
  return s;
}

static void single_and_all(int team) {
  long sum = 0;
#pragma omp parallel num_threads(team)
  {
#pragma omp single
    for (int i = 0; i < 1000; i++)
#pragma omp task shared(sum)
      {
#pragma omp atomic
        sum += 1;
      }
    /* The single's barrier completed the tasks. */
    long s;
#pragma omp atomic read
    s = sum;
    if (s != 1000)
      HT_FAIL("team %d: %ld of 1000 tasks of the single done after its barrier", team, s);
#pragma omp barrier
    for (int i = 0; i < 500; i++)
#pragma omp task shared(sum)
      {
#pragma omp atomic
        sum += 2;
      }
#pragma omp barrier
#pragma omp atomic read
    s = sum;
    if (s != 1000 + 1000L * omp_get_num_threads())
      HT_FAIL("team %d: sum %ld after tasks from every thread and a barrier", team, s);
  }
}

static void nested(int outer, int inner) {
  long total = 0;
  omp_set_max_active_levels(2);
#pragma omp parallel num_threads(outer) shared(total)
  {
#pragma omp parallel num_threads(inner) shared(total)
    {
      long mine = 0;
#pragma omp single
      {
        long s = orphan_tasks(&mine, 50);
        if (s != 50 * 51 / 2)
          HT_FAIL("nested %dx%d: inner taskwait saw %ld", outer, inner, s);
      }
#pragma omp atomic
      total += mine;
    }
    /* A region inside a task. */
#pragma omp single
    {
#pragma omp task shared(total)
      {
        long inner_sum = 0;
#pragma omp parallel num_threads(inner) shared(inner_sum)
        {
#pragma omp for
          for (int i = 0; i < 100; i++)
#pragma omp task shared(inner_sum) firstprivate(i)
            {
#pragma omp atomic
              inner_sum += i;
            }
        }
        if (inner_sum != 4950)
          HT_FAIL("nested %dx%d: region in a task summed %ld", outer, inner, inner_sum);
#pragma omp atomic
        total += inner_sum;
      }
    }
  }
  /* One inner single per outer thread, plus the region in a task. */
  long expect = (long)outer * 1275 + 4950;
  if (total != expect)
    HT_FAIL("nested %dx%d: total %ld, expected %ld", outer, inner, total, expect);
}

static void *host_thread(void *arg) {
  int id = (int)(long)arg;
  for (int round = 0; round < 30; round++) {
    long sum = 0;
#pragma omp parallel num_threads(2 + id % 2)
#pragma omp single
    {
#pragma omp taskgroup
      for (int i = 0; i < 200; i++)
#pragma omp task shared(sum) firstprivate(i)
        {
#pragma omp task shared(sum) firstprivate(i)
          {
#pragma omp atomic
            sum += i;
          }
        }
      long s;
#pragma omp atomic read
      s = sum;
      if (s != 199 * 200 / 2)
        HT_FAIL("host thread %d round %d: taskgroup end saw %ld", id, round, s);
    }
  }
  return NULL;
}

int main(void) {
  /* Orphaned, outside any region: tasks run at once (or later), taskwait works. */
  long sum = 0;
  if (orphan_tasks(&sum, 100) != 5050)
    HT_FAIL("outside any region: %ld", sum);
  for (int team = 1; team <= 4; team++)
    single_and_all(team);
  nested(2, 2);
  nested(3, 2);
  nested(2, 3);
  pthread_t th[4];
  for (long i = 0; i < 4; i++)
    pthread_create(&th[i], NULL, host_thread, (void *)i);
  for (int i = 0; i < 4; i++)
    pthread_join(th[i], NULL);
  return ht_failures ? 1 : 0;
}
