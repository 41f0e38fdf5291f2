/* Lost wake-ups between the team's two sleep words (Note [Two sleep
 * words] in task.c): with waits that sleep at once, a team of 4 on a
 * machine of 2 CPUs runs many rounds of
 *   - a producer in a taskwait (a constrained sleeper, woken by the
 *     completion of its children) while its team mates sleep at the
 *     single's barrier (woken by the queued tasks);
 *   - every thread in a taskwait of its own task, whose children queue
 *     grandchildren while nobody sleeps at a barrier (the queued tasks
 *     must reach the constrained sleepers);
 *   - a taskgroup end and an if(0) task waiting for a deferred sibling
 *     through a dependence;
 *   - detached tasks fulfilled by a thread outside the team, whose
 *     dependants are readied there and go to the shared queue, while
 *     the only members that may run them sleep in a taskwait (teams of 1
 *     and 2).
 * A lost wake-up hangs a round: the test's timeout fails it.  Every task
 * is counted. */
// TEST-ENV: OMP_WAIT_POLICY=passive
// TEST-ENV: GOMP_SPINCOUNT=10
// TEST-TIMEOUT: 120
// TEST-LIBS: -pthread
#include <omp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

enum { ROUNDS = 1500 };

static void work(int n) {
  volatile int x = 0;
  for (int i = 0; i < n; i++)
    x += i;
}

static int producer_in_taskwait(void) {
  int ran = 0;
#pragma omp parallel num_threads(4) shared(ran)
#pragma omp single
  {
    for (int k = 0; k < 8; k++) {
#pragma omp task shared(ran)
      {
        work(200);
#pragma omp atomic
        ran++;
      }
    }
#pragma omp taskwait
  }
  return ran == 8;
}

static int all_in_taskwaits(void) {
  int ran = 0;
#pragma omp parallel num_threads(4) shared(ran)
  {
#pragma omp task shared(ran)
    {
#pragma omp task shared(ran)
      {
        usleep(50);
        for (int k = 0; k < 3; k++) {
#pragma omp task shared(ran)
          {
            work(100);
#pragma omp atomic
            ran++;
          }
        }
#pragma omp taskwait
#pragma omp atomic
        ran++;
      }
#pragma omp taskwait
#pragma omp atomic
      ran++;
    }
#pragma omp taskwait
  }
  return ran == 4 * 5;
}

static int groups_and_deps(void) {
  int ran = 0, x = 0, bad = 0;
#pragma omp parallel num_threads(4) shared(ran, x, bad)
#pragma omp single
  {
#pragma omp taskgroup
    {
      for (int k = 0; k < 4; k++) {
#pragma omp task shared(ran)
        {
#pragma omp task shared(ran)
          {
            work(100);
#pragma omp atomic
            ran++;
          }
        }
      }
    }
    if (ran != 4)
      bad = 1;
#pragma omp task depend(out : x) shared(x)
    {
      usleep(20);
      x = 1;
    }
#pragma omp task depend(in : x) shared(x, bad) if (0)
    if (x != 1)
      bad = 1;
  }
  return !bad;
}

static void *fulfil_later(void *arg) {
  usleep(100);
  omp_fulfill_event(*(omp_event_handle_t *)arg);
  return NULL;
}

/* Each member: a detached task whose event a new pthread fulfils, a
 * dependant of it, and a taskwait. */
static int readied_outside(int nthreads) {
  int ran = 0, ok = 1;
#pragma omp parallel num_threads(nthreads) shared(ran, ok)
  {
    int x = 0;
    omp_event_handle_t ev;
    pthread_t th;
#pragma omp task detach(ev) depend(out : x) shared(x)
    x = 1;
    if (pthread_create(&th, NULL, fulfil_later, &ev) != 0) {
#pragma omp atomic write
      ok = 0;
      omp_fulfill_event(ev);
    }
#pragma omp task depend(in : x) shared(x, ran, ok)
    {
      if (x != 1) {
#pragma omp atomic write
        ok = 0;
      }
#pragma omp atomic
      ran++;
    }
#pragma omp taskwait
    if (ok)
      pthread_join(th, NULL);
  }
  return ok && ran == nthreads;
}

int main(void) {
  for (int r = 0; r < ROUNDS; r++) {
    if (!producer_in_taskwait()) {
      printf("round %d: producer_in_taskwait miscounted\n", r);
      return 1;
    }
    if (!all_in_taskwaits()) {
      printf("round %d: all_in_taskwaits miscounted\n", r);
      return 1;
    }
    if (!groups_and_deps()) {
      printf("round %d: groups_and_deps wrong\n", r);
      return 1;
    }
    if (r % 3 == 0 && (!readied_outside(1) || !readied_outside(2))) {
      printf("round %d: readied_outside wrong\n", r);
      return 1;
    }
  }
  printf("ok\n");
  return 0;
}
