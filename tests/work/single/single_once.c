/* Every single construct runs exactly once per team encounter: with the
 * implied barrier, with nowait (thousands in a row, so fast threads run
 * far ahead of slow ones), in nested teams, and orphaned outside any
 * parallel region.  Teams of 1, 2, 3 and 8 threads. */
// TEST-TIMEOUT: 30
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROUNDS 3000

static int runs[ROUNDS];

static void orphaned_single(int *count) {
#pragma omp single
  {
#pragma omp atomic
    (*count)++;
  }
}

static int check_team(int n) {
  memset(runs, 0, sizeof runs);
  int team = 0, after_barrier_bad = 0;
#pragma omp parallel num_threads(n)
  {
#pragma omp master
    team = omp_get_num_threads();
    /* With the barrier: every thread sees the body's effect right after. */
    for (int r = 0; r < 100; r++) {
#pragma omp single
      runs[r]++;
      if (runs[r] != 1) {
#pragma omp atomic
        after_barrier_bad++;
      }
    }
    /* nowait: slow threads (odd ids pause) fall behind the fast ones. */
    for (int r = 100; r < ROUNDS; r++) {
      if (omp_get_thread_num() & 1)
        for (volatile int k = 0; k < 50; k++)
          ;
#pragma omp single nowait
      {
#pragma omp atomic
        runs[r]++;
      }
    }
  }
  int bad = 0;
  for (int r = 0; r < ROUNDS; r++)
    if (runs[r] != 1) {
      if (bad < 5)
        fprintf(stderr, "%d threads: single %d ran %d times\n", n, r, runs[r]);
      bad++;
    }
  if (team != n || after_barrier_bad) {
    fprintf(stderr, "%d threads (got %d): %d threads saw the single unfinished after its barrier\n",
            n, team, after_barrier_bad);
    bad++;
  }
  return bad != 0;
}

int main(void) {
  int sizes[] = {1, 2, 3, 8};
  int bad = 0;
  for (int i = 0; i < 4; i++)
    bad |= check_team(sizes[i]);

  /* Orphaned, outside any region: the initial thread always executes it. */
  int count = 0;
  for (int r = 0; r < 10; r++)
    orphaned_single(&count);
  if (count != 10) {
    fprintf(stderr, "orphaned single outside a region ran %d times of 10\n", count);
    bad = 1;
  }

  /* Nested: each inner team of 3 runs its single once; orphaned calls
   * inside a team bind to that team. */
  omp_set_max_active_levels(2);
  int inner_runs = 0, orphan_runs = 0;
#pragma omp parallel num_threads(2)
  {
#pragma omp parallel num_threads(3)
    {
      for (int r = 0; r < 50; r++) {
#pragma omp single nowait
        {
#pragma omp atomic
          inner_runs++;
        }
      }
      orphaned_single(&orphan_runs);
    }
  }
  if (inner_runs != 2 * 50) {
    fprintf(stderr, "nested: inner singles ran %d times, expected 100\n", inner_runs);
    bad = 1;
  }
  if (orphan_runs != 2) {
    fprintf(stderr, "nested orphaned singles ran %d times, expected 2\n", orphan_runs);
    bad = 1;
  }
  return bad;
}
