/* Detach event slots recycled across threads: in each round a team of 4
 * makes K detached tasks (from all its threads), whose events stay
 * outstanding until every handle has been checked to differ from the
 * others; then three plain pthreads, started afresh each round, fulfil
 * them -- before or after the bodies ran -- and exit.  The slots freed by
 * those threads must come back (hsomp: a thread's free slots go back to
 * the shared pool when it exits, Note [Per-thread free slots]), so on
 * hsomp the handles' slot indices stay below 2048 over all rounds (K
 * outstanding, 64 in each team thread's hands, batches of 32), where a
 * leak would need up to K fresh slots a round.  Every body runs once and the
 * region's end waits for all events. */
// TEST-TIMEOUT: 120
// TEST-LIBS: -pthread
#include "hsomp_test.h"
#include <omp.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>

/* Fewer tasks than libgomp's throttle (64 per thread), past which it runs
 * a new task at once and its creator waits for the event. */
#define K 200
#define ROUNDS 100
#define TEAM 4
#define FULFILLERS 3

static omp_event_handle_t events[K];
static int posted[K], ran[K], fulfilled[K];
static int go, posted_count, round_now;
static uintptr_t sorted[K];
static uint32_t max_index;

static int cmp_handle(const void *a, const void *b) {
  uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
  return x < y ? -1 : x > y;
}

/* Fulfiller 0, once all K tasks exist: with all K events outstanding,
 * their handles must differ. */
static void check_handles(void) {
  int round = round_now;
  for (int k = 0; k < K; k++) {
    if (!__atomic_load_n(&posted[k], __ATOMIC_ACQUIRE))
      HT_FAIL("round %d: task %d not posted", round, k);
    sorted[k] = (uintptr_t)events[k];
    if ((uint32_t)sorted[k] > max_index)
      max_index = (uint32_t)sorted[k];
  }
  qsort(sorted, K, sizeof sorted[0], cmp_handle);
  for (int k = 1; k < K; k++)
    if (sorted[k] == sorted[k - 1])
      HT_FAIL("round %d: two outstanding events share handle %#lx", round,
              (unsigned long)sorted[k]);
}

static void *fulfil(void *arg) {
  int first = (int)(intptr_t)arg;
  if (first == 0) {
    while (__atomic_load_n(&posted_count, __ATOMIC_ACQUIRE) < K)
      sched_yield();
    check_handles();
    __atomic_store_n(&go, 1, __ATOMIC_RELEASE);
  }
  while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
    sched_yield();
  for (int k = first; k < K; k += FULFILLERS) {
    __atomic_store_n(&fulfilled[k], 1, __ATOMIC_RELEASE);
    omp_fulfill_event(events[k]);
  }
  return NULL;
}

int main(void) {
  for (int round = 0; round < ROUNDS; round++) {
    for (int k = 0; k < K; k++)
      posted[k] = ran[k] = fulfilled[k] = 0;
    go = posted_count = 0;
    round_now = round;
    pthread_t th[FULFILLERS];
    for (int f = 0; f < FULFILLERS; f++)
      HT_CHECK(pthread_create(&th[f], NULL, fulfil, (void *)(intptr_t)f) == 0, "pthread_create");
#pragma omp parallel num_threads(TEAM)
    {
#pragma omp for schedule(dynamic, 7) nowait
      for (int k = 0; k < K; k++) {
        omp_event_handle_t ev;
#pragma omp task detach(ev) firstprivate(k)
        {
          if (__atomic_add_fetch(&ran[k], 1, __ATOMIC_ACQ_REL) != 1)
            HT_FAIL("round %d: task %d ran twice", round, k);
        }
        events[k] = ev;
        __atomic_store_n(&posted[k], 1, __ATOMIC_RELEASE);
        __atomic_add_fetch(&posted_count, 1, __ATOMIC_RELEASE);
      }
      /* No barrier here: it would wait for the tasks, hence the events.
       * Each thread waits for its own tasks (with libgomp of GCC 12, the
       * region's end instead hung here, fulfilments coming from outside
       * the team). */
#pragma omp taskwait
    } /* waits for every task, hence every event */
    for (int k = 0; k < K; k++) {
      if (!__atomic_load_n(&fulfilled[k], __ATOMIC_ACQUIRE))
        HT_FAIL("round %d: region ended before event %d was fulfilled", round, k);
      if (__atomic_load_n(&ran[k], __ATOMIC_ACQUIRE) != 1)
        HT_FAIL("round %d: task %d ran %d times", round, k, ran[k]);
    }
    for (int f = 0; f < FULFILLERS; f++)
      pthread_join(th[f], NULL);
  }
  /* hsomp's handle: generation << 32 | slot index. */
  if (ht_expect_hsomp() && max_index >= 2048)
    HT_FAIL("slot index %u after %d rounds of %d events: freed slots leak", max_index, ROUNDS,
            K);
  return ht_failures ? 1 : 0;
}
