/* detach: a task with a detach clause completes only when its event is
 * fulfilled, whoever fulfils it: a plain pthread outside OpenMP, another
 * member of the team (from inside a task), or the task's own body.  Until
 * then its dependent tasks do not start, taskwait and the region's end
 * wait for it.  Also undeferred (if(0)) detached tasks, whose encountering
 * thread waits for the event, and detached tasks outside any region. */
// TEST-TIMEOUT: 60
// TEST-LIBS: -pthread
#include "hsomp_test.h"
#include <omp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define N 64

static omp_event_handle_t events[N];
static int posted[N], fulfilled[N], ran_after[N];
static int deps[N]; /* dependence addresses only */


static void nap(long ns) {
  struct timespec ts = {0, ns};
  nanosleep(&ts, NULL);
}

/* Fulfils events[0..n) in reverse order, each once it is posted. */
struct fulfiller {
  int n;
};
static void *fulfil_all(void *arg) {
  int n = ((struct fulfiller *)arg)->n;
  for (int k = n - 1; k >= 0; k--) {
    while (!__atomic_load_n(&posted[k], __ATOMIC_ACQUIRE))
      nap(10000);
    nap(20000);
    __atomic_store_n(&fulfilled[k], 1, __ATOMIC_RELEASE);
    omp_fulfill_event(events[k]);
  }
  return NULL;
}

static void reset(void) {
  for (int k = 0; k < N; k++)
    posted[k] = fulfilled[k] = ran_after[k] = 0;
}

/* Deferred detached tasks fulfilled by a pthread; successors by depend. */
static void from_pthread(int team) {
  reset();
  pthread_t th;
  struct fulfiller f = {N};
  pthread_create(&th, NULL, fulfil_all, &f);
#pragma omp parallel num_threads(team)
#pragma omp single
  {
    for (int k = 0; k < N; k++) {
      omp_event_handle_t ev;
#pragma omp task detach(ev) depend(out: deps[k]) firstprivate(k)
      {
        events[k] = ev;
        __atomic_store_n(&posted[k], 1, __ATOMIC_RELEASE);
      }
#pragma omp task depend(in: deps[k]) firstprivate(k)
      {
        if (!__atomic_load_n(&fulfilled[k], __ATOMIC_ACQUIRE))
          HT_FAIL("team %d: successor of detached task %d ran before its event was fulfilled", team, k);
        ran_after[k] = 1;
      }
    }
    /* taskwait waits for the detached children too. */
#pragma omp taskwait
    for (int k = 0; k < N; k++)
      if (!__atomic_load_n(&fulfilled[k], __ATOMIC_ACQUIRE) || !ran_after[k])
        HT_FAIL("team %d: taskwait returned before task %d's event / successor", team, k);
  }
  pthread_join(th, NULL);
}

/* Events fulfilled by another task, possibly on another thread: each
 * detached task's body makes a child that fulfils the parent's event
 * (after a delay, so the parent's body has long returned); the region's
 * end waits for all. */
static void from_task(int team) {
  int done[N] = {0}, kids[N] = {0};
#pragma omp parallel num_threads(team)
#pragma omp single
  {
    for (int k = 0; k < N; k++) {
      omp_event_handle_t ev;
#pragma omp task detach(ev) shared(done, kids) firstprivate(k)
      {
        omp_event_handle_t mine = ev;
        done[k] = 1;
#pragma omp task firstprivate(mine, k) shared(kids)
        {
          nap(20000);
          kids[k] = 1;
          omp_fulfill_event(mine);
        }
      }
    }
  }
  for (int k = 0; k < N; k++)
    if (!done[k] || !kids[k])
      HT_FAIL("team %d: detached task %d or its fulfilling child never ran", team, k);
}

/* The body fulfils its own event. */
static void self_fulfil(int team) {
  int count = 0;
#pragma omp parallel num_threads(team)
  {
    for (int k = 0; k < N; k++) {
      omp_event_handle_t ev;
#pragma omp task detach(ev) shared(count)
      {
#pragma omp atomic
        count++;
        omp_fulfill_event(ev);
      }
    }
  }
  if (count != team * N)
    HT_FAIL("team %d: %d of %d self-fulfilling tasks ran", team, count, team * N);
}

/* if(0) detach: the encountering thread waits for the event (fulfilled
 * by a pthread a little later), inside a region and outside any. */
static void *fulfil_one(void *arg) {
  int k = *(int *)arg;
  while (!__atomic_load_n(&posted[k], __ATOMIC_ACQUIRE))
    nap(10000);
  nap(2000000);
  __atomic_store_n(&fulfilled[k], 1, __ATOMIC_RELEASE);
  omp_fulfill_event(events[k]);
  return NULL;
}

static void undeferred(int team, int in_region) {
  reset();
#pragma omp parallel num_threads(team) if (in_region)
#pragma omp single
  {
    for (int k = 0; k < 4; k++) {
      pthread_t th;
      pthread_create(&th, NULL, fulfil_one, &k);
      omp_event_handle_t ev;
#pragma omp task detach(ev) if (0) firstprivate(k)
      {
        events[k] = ev;
        __atomic_store_n(&posted[k], 1, __ATOMIC_RELEASE);
      }
      if (!__atomic_load_n(&fulfilled[k], __ATOMIC_ACQUIRE))
        HT_FAIL("team %d%s: undeferred detached task %d completed before its event", team,
             in_region ? "" : " (no region)", k);
      pthread_join(th, NULL);
    }
  }
}

int main(void) {
  for (int team = 1; team <= 4; team++) {
    from_pthread(team);
    from_task(team);
    self_fulfil(team);
  }
  for (int team = 1; team <= 3; team++)
    undeferred(team, 1);
  undeferred(1, 0);
  return ht_failures ? 1 : 0;
}
