/* detach + cancellation under stress: a team of 4 makes thousands of
 * detached tasks while two plain pthreads fulfil their events as soon as
 * the handles appear -- before, while or after the tasks run, or after
 * cancellation (of the taskgroup, or of the region) discarded them, or
 * kept them from being created -- with the cancel at a different point
 * each round.  Every handle is fulfilled exactly once; the taskgroup's or
 * region's end must not return before the events of the tasks that did
 * start are fulfilled.  Nothing may crash or touch freed memory (asan).
 * hsomp-only: in libgomp, fulfilling a discarded task's event is a
 * use-after-free. */
// TEST-HSOMP-ONLY
// TEST-ENV: OMP_CANCELLATION=true
// TEST-TIMEOUT: 120
// TEST-LIBS: -pthread
#include "hsomp_test.h"
#include <omp.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>

#define N 3000
#define ROUNDS 12
#define TEAM 4

static omp_event_handle_t events[N];
static int posted[N], fulfilled[N], ran[N];
static int creating_done;

struct fulfiller {
  int first; /* fulfils first, first + 2, ... */
};

static void *fulfil(void *arg) {
  int first = ((struct fulfiller *)arg)->first;
  unsigned rng = 12345u + (unsigned)first;
  for (int k = first; k < N; k += 2) {
    while (!__atomic_load_n(&posted[k], __ATOMIC_ACQUIRE)) {
      if (__atomic_load_n(&creating_done, __ATOMIC_ACQUIRE) &&
          !__atomic_load_n(&posted[k], __ATOMIC_ACQUIRE))
        return NULL;
      sched_yield();
    }
    rng = rng * 1103515245u + 12345u;
    if ((rng >> 16) % 8 == 0)
      sched_yield();
    __atomic_store_n(&fulfilled[k], 1, __ATOMIC_RELEASE);
    omp_fulfill_event(events[k]);
  }
  return NULL;
}

static void post(int k, omp_event_handle_t ev) {
  events[k] = ev;
  __atomic_store_n(&posted[k], 1, __ATOMIC_RELEASE);
}

/* Tasks that started must have had their events fulfilled by the time
 * the construct that waits for them ends. */
static void check_started(int round, const char *what) {
  for (int k = 0; k < N; k++)
    if (__atomic_load_n(&ran[k], __ATOMIC_ACQUIRE) &&
        !__atomic_load_n(&fulfilled[k], __ATOMIC_ACQUIRE)) {
      HT_FAIL("round %d: %s ended before started task %d's event was fulfilled", round, what, k);
      return;
    }
}

static void round_taskgroup(int round, int cancel_at) {
#pragma omp parallel num_threads(TEAM)
#pragma omp single
  {
#pragma omp taskgroup
    {
      for (int k = 0; k < N; k++) {
        omp_event_handle_t ev;
#pragma omp task detach(ev) firstprivate(k)
        __atomic_store_n(&ran[k], 1, __ATOMIC_RELEASE);
        post(k, ev);
        if (k == cancel_at) {
#pragma omp task
          {
#pragma omp cancel taskgroup
          }
        }
      }
    }
    check_started(round, "the taskgroup");
  }
}

static void round_parallel(int round, int cancel_at) {
#pragma omp parallel num_threads(TEAM)
  {
    if (omp_get_thread_num() == 0) {
      for (int k = 0; k < N; k++) {
        omp_event_handle_t ev;
#pragma omp task detach(ev) firstprivate(k)
        __atomic_store_n(&ran[k], 1, __ATOMIC_RELEASE);
        post(k, ev);
        if (k == cancel_at) {
#pragma omp cancel parallel
        }
      }
    } else {
#pragma omp cancellation point parallel
    }
  }
  check_started(round, "the region");
}

int main(void) {
  int discarded = 0, started = 0;
  for (int round = 0; round < ROUNDS; round++) {
    memset(posted, 0, sizeof posted);
    memset(fulfilled, 0, sizeof fulfilled);
    memset(ran, 0, sizeof ran);
    creating_done = 0;
    pthread_t th[2];
    struct fulfiller f[2] = {{0}, {1}};
    for (int i = 0; i < 2; i++)
      pthread_create(&th[i], NULL, fulfil, &f[i]);
    int cancel_at = (round * 977) % N;
    if (round % 2 == 0)
      round_taskgroup(round, cancel_at);
    else
      round_parallel(round, cancel_at);
    __atomic_store_n(&creating_done, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < 2; i++)
      pthread_join(th[i], NULL);
    for (int k = 0; k < N; k++) {
      started += ran[k];
      discarded += posted[k] && !ran[k];
    }
  }
  if (getenv("HT_VERBOSE"))
    printf("%d tasks started, %d discarded or not created\n", started, discarded);
  HT_CHECK(started > 0, "no detached task ever started");
  return ht_failures ? 1 : 0;
}
