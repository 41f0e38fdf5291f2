/* masked / masked filter(k) / master (GCC inlines them as a compare with
 * omp_get_thread_num()): exactly the selected thread runs the body, for
 * every k in the team, none when k is outside it; no implied barrier.
 * Teams of 1, 2, 3 and 8 threads, and a nested inner team. */
#include <omp.h>
#include <stdio.h>
#include <string.h>

static int runs_by[8][9]; /* [thread][filter], filter 8 = plain masked */

int main(void) {
  int sizes[] = {1, 2, 3, 8};
  int bad = 0;
  for (int i = 0; i < 4; i++) {
    int n = sizes[i], team = 0, master_runs = 0, master_id = -1, out_of_team = 0;
    memset(runs_by, 0, sizeof runs_by);
#pragma omp parallel num_threads(n)
    {
      int me = omp_get_thread_num();
#pragma omp masked
      {
        team = omp_get_num_threads();
        runs_by[me][8]++;
      }
      for (int k = 0; k < 8; k++) {
#pragma omp masked filter(k)
        runs_by[me][k]++;
      }
#pragma omp masked filter(n + 5)
      {
#pragma omp atomic
        out_of_team++;
      }
#pragma omp master
      {
        master_runs++;
        master_id = me;
      }
    }
    if (team != n || master_runs != 1 || master_id != 0 || out_of_team != 0) {
      fprintf(stderr, "%d threads (got %d): master ran %d times on %d; filter outside ran %d\n", n,
              team, master_runs, master_id, out_of_team);
      bad = 1;
    }
    for (int t = 0; t < 8; t++)
      for (int k = 0; k <= 8; k++) {
        int want = (k == 8) ? (t == 0) : (t == k && k < n);
        if (runs_by[t][k] != want) {
          fprintf(stderr, "%d threads: thread %d ran filter %d %d times, expected %d\n", n, t, k,
                  runs_by[t][k], want);
          bad = 1;
        }
      }
  }

  /* No implied barrier: thread 0, inside masked, waits for thread 1 to
   * get past the construct (with a barrier at its end, it could not). */
  int flag = 0, timed_out = 0;
#pragma omp parallel num_threads(2)
  {
#pragma omp masked
    {
      double give_up = omp_get_wtime() + 5.0;
      int f = 0;
      while (!f && omp_get_wtime() < give_up) {
#pragma omp atomic read
        f = flag;
      }
      timed_out = !f;
    }
    if (omp_get_thread_num() == 1) {
#pragma omp atomic write
      flag = 1;
    }
  }
  if (timed_out) {
    fprintf(stderr, "thread 1 did not get past a masked construct\n");
    bad = 1;
  }

  /* In an inner team, the filter refers to the inner thread numbers. */
  omp_set_max_active_levels(2);
  int inner_runs[2][3] = {{0}};
#pragma omp parallel num_threads(2)
  {
    int outer = omp_get_thread_num();
#pragma omp parallel num_threads(3)
    {
#pragma omp masked filter(2)
      inner_runs[outer][omp_get_thread_num()]++;
    }
  }
  for (int o = 0; o < 2; o++)
    for (int t = 0; t < 3; t++)
      if (inner_runs[o][t] != (t == 2)) {
        fprintf(stderr, "nested: outer %d inner thread %d ran masked filter(2) %d times\n", o, t,
                inner_runs[o][t]);
        bad = 1;
      }
  return bad;
}
