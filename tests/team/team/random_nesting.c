/* Randomly shaped nests of parallel regions (sizes 1..4, depth up to 3):
 * each innermost implicit task runs exactly once. */
// TEST-TIMEOUT: 120
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

static long leaves;

static void nest(unsigned seed, int depth) {
  if (depth == 0) {
#pragma omp atomic
    leaves++;
    return;
  }
  int n = 1 + (int)(seed % 4);
#pragma omp parallel num_threads(n)
  nest(seed * 1103515245u + 12345u + (unsigned)omp_get_thread_num(), depth - 1);
}

static long expected(unsigned seed, int depth) {
  if (depth == 0)
    return 1;
  int n = 1 + (int)(seed % 4);
  long total = 0;
  for (int t = 0; t < n; t++)
    total += expected(seed * 1103515245u + 12345u + (unsigned)t, depth - 1);
  return total;
}

int main(void) {
  omp_set_max_active_levels(4);
  for (unsigned seed = 1; seed <= 200; seed++) {
    int depth = 1 + (int)(seed % 3);
    leaves = 0;
    nest(seed, depth);
    long want = expected(seed, depth);
    if (leaves != want) {
      fprintf(stderr, "seed %u depth %d: %ld leaves, expected %ld\n", seed, depth, leaves, want);
      return 1;
    }
  }
  return 0;
}
