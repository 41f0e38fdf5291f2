/* Loops with data-sharing clauses that make GCC use the OpenMP 5 entry
 * points and their shared `mem` buffer: reduction, lastprivate,
 * lastprivate(conditional) and inscan reductions (GOMP_loop_start with a
 * NULL istart), with 1, 2, 3 and 8 threads; loops outside any parallel
 * region and in nested regions. */
#include "hsomp_test.h"

#include <omp.h>

#define N 1000
static int a[N], scan_out[N];

int main(void) {
  static const int threads[] = {1, 2, 3, 8};
  for (int i = 0; i < N; i++)
    a[i] = (i * 7919) % 101;
  for (int t = 0; t < 4; t++) {
    int nthr = threads[t];
    long sum = 0, want = 0;
    int last = -1, cond = -1, cond2 = -1, maxv = -1;
    for (int i = 0; i < N; i++)
      want += a[i];
#pragma omp parallel num_threads(nthr)
    {
#pragma omp for schedule(dynamic, 7) reduction(+ : sum) lastprivate(last)
      for (int i = 0; i < N; i++) {
        sum += a[i];
        last = i;
      }
#pragma omp for schedule(guided) reduction(max : maxv)
      for (int i = 0; i < N; i++)
        if (a[i] > maxv)
          maxv = a[i];
      /* The last iteration that assigns cond is the one with a[i] > 95. */
#pragma omp for lastprivate(conditional : cond)
      for (int i = 0; i < N; i++)
        if (a[i] > 95)
          cond = i;
#pragma omp for lastprivate(conditional : cond2) schedule(dynamic, 3)
      for (int i = 0; i < N; i++)
        if (a[i] < 3)
          cond2 = i;
    }
    int wcond = -1, wcond2 = -1, wmax = -1;
    for (int i = 0; i < N; i++) {
      if (a[i] > 95)
        wcond = i;
      if (a[i] < 3)
        wcond2 = i;
      if (a[i] > wmax)
        wmax = a[i];
    }
    HT_CHECK(sum == want, "%d threads: reduction %ld, want %ld", nthr, sum, want);
    HT_CHECK(last == N - 1, "%d threads: lastprivate %d", nthr, last);
    HT_CHECK(maxv == wmax, "%d threads: max %d, want %d", nthr, maxv, wmax);
    HT_CHECK(cond == wcond, "%d threads: lastprivate(conditional) %d, want %d", nthr, cond,
             wcond);
    HT_CHECK(cond2 == wcond2, "%d threads: lastprivate(conditional) dynamic %d, want %d", nthr,
             cond2, wcond2);

    /* Inclusive scan. */
    int run = 0;
#pragma omp parallel for num_threads(nthr) reduction(inscan, + : run)
    for (int i = 0; i < N; i++) {
      run += a[i];
#pragma omp scan inclusive(run)
      scan_out[i] = run;
    }
    int acc = 0;
    for (int i = 0; i < N; i++) {
      acc += a[i];
      HT_CHECK(scan_out[i] == acc, "%d threads: scan[%d] = %d, want %d", nthr, i, scan_out[i],
               acc);
    }
    HT_CHECK(run == acc, "%d threads: scan total %d, want %d", nthr, run, acc);

    /* Nested: every outer thread runs an inner team with its own loop. */
    int nested[4][N / 10];
    memset(nested, 0, sizeof nested);
    omp_set_max_active_levels(2);
#pragma omp parallel num_threads(2)
    {
      int o = omp_get_thread_num();
#pragma omp parallel num_threads(nthr)
      {
#pragma omp for schedule(dynamic, 3) nowait
        for (int i = 0; i < N / 10; i++)
          __atomic_fetch_add(&nested[o][i], 1, __ATOMIC_RELAXED);
#pragma omp for schedule(guided)
        for (int i = 0; i < N / 10; i++)
          __atomic_fetch_add(&nested[o + 2][i], 1, __ATOMIC_RELAXED);
      }
    }
    for (int o = 0; o < 4; o++)
      for (int i = 0; i < N / 10; i++)
        HT_CHECK(nested[o][i] == 1, "nested team %d, %d threads: iteration %d ran %d times", o,
                 nthr, i, nested[o][i]);
  }

  /* Orphaned loops: outside any parallel region the encountering thread
   * is a team of one. */
  static int orphan[N];
#pragma omp for schedule(dynamic, 5)
  for (int i = 0; i < N; i++)
    orphan[i]++;
#pragma omp for schedule(runtime) ordered
  for (int i = 0; i < N; i++) {
#pragma omp ordered
    orphan[i]++;
  }
  for (int i = 0; i < N; i++)
    HT_CHECK(orphan[i] == 2, "orphaned loops: iteration %d ran %d times", i, orphan[i]);
  return 0;
}
