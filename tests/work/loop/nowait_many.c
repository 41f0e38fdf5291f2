/* Many consecutive `nowait` loops (more than the 8 records of the
 * work-share ring) with different schedules, while some threads lag
 * behind: every iteration of every loop still runs exactly once. */
#include "hsomp_test.h"

#include <omp.h>

#define LOOPS 20
#define N 300
static int hits[LOOPS][N];

#define PRAGMA(x) _Pragma(#x)
#define LOOP(k, ...)                                           \
  PRAGMA(omp for schedule(__VA_ARGS__) nowait)                 \
  for (int i = 0; i < N; i++) {                                \
    __atomic_fetch_add(&hits[k][i], 1, __ATOMIC_RELAXED);      \
    if (lag)                                                   \
      for (volatile int s = 0; s < 20; s++)                    \
        ;                                                      \
  }

static void run(int nthr) {
#pragma omp parallel num_threads(nthr)
  {
    /* Thread 1 is slow, so the others run ahead through the ring. */
    int lag = omp_get_thread_num() == 1;
    LOOP(0, dynamic)
    LOOP(1, guided, 7)
    LOOP(2, runtime)
    LOOP(3, dynamic, 128)
    LOOP(4, static, 3)
    LOOP(5, guided)
    LOOP(6, monotonic: dynamic, 7)
    LOOP(7, nonmonotonic: runtime)
    LOOP(8, monotonic: runtime)
    LOOP(9, dynamic, 1)
    LOOP(10, guided, 128)
    LOOP(11, dynamic, 2)
    LOOP(12, runtime)
    LOOP(13, guided, 1)
    LOOP(14, dynamic, 64)
    LOOP(15, static)
    LOOP(16, dynamic)
    LOOP(17, monotonic: guided, 3)
    LOOP(18, runtime)
    LOOP(19, dynamic, 5)
  }
}

int main(void) {
  static const int threads[] = {1, 2, 3, 8};
  for (int rep = 0; rep < 40; rep++) {
    omp_set_schedule(rep % 2 ? omp_sched_dynamic : omp_sched_guided, rep % 5);
    int nthr = threads[rep % 4];
    memset(hits, 0, sizeof hits);
    run(nthr);
    for (int k = 0; k < LOOPS; k++)
      for (int i = 0; i < N; i++)
        HT_CHECK(hits[k][i] == 1, "rep %d, %d threads: loop %d iteration %d ran %d times", rep,
                 nthr, k, i, hits[k][i]);
  }
  return 0;
}
