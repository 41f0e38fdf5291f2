/* stencil.c -- demonstration kernel: Jacobi relaxation of the 2-D heat
 * equation, one parallel region around all sweeps, a worksharing loop and
 * its barrier per sweep (the pattern of most OpenMP solvers).
 * RESULT: a checksum of the final grid.  Every point is computed from the
 * previous grid alone, so the result is bitwise the same whatever the
 * schedule or runtime. */
#include "demo.h"

#include <math.h>
#include <stdint.h>

enum { N = 1024, SWEEPS = 100, REPS = 3 };

static double grid_a[N][N], grid_b[N][N];

static void initialise(void) {
  memset(grid_a, 0, sizeof grid_a);
  for (int i = 0; i < N; i++) {
    grid_a[0][i] = 100.0;                 /* hot top edge */
    grid_a[i][0] = 50.0 * i / (N - 1);    /* warm left edge */
  }
  memcpy(grid_b, grid_a, sizeof grid_a);
}

int main(void) {
  demo_print_runtime("stencil");
  struct demo_member members[DEMO_MAX_THREADS];
  double busy[DEMO_MAX_THREADS];
  int nthreads = 1;
  double best = 1e30;
  for (int rep = 0; rep < REPS; rep++) {
    initialise();
    double t0 = demo_now();
#pragma omp parallel
    {
      double my_busy = 0;
      for (int s = 0; s < SWEEPS; s++) {
        double (*from)[N] = s % 2 ? grid_b : grid_a;
        double (*to)[N] = s % 2 ? grid_a : grid_b;
        double b0 = demo_now();
#pragma omp for schedule(static) nowait
        for (int i = 1; i < N - 1; i++)
          for (int j = 1; j < N - 1; j++)
            to[i][j] = 0.25 * (from[i - 1][j] + from[i + 1][j] + from[i][j - 1] + from[i][j + 1]);
        my_busy += demo_now() - b0;
#pragma omp barrier
      }
      int id = omp_get_thread_num();
      if (id < DEMO_MAX_THREADS) {
        busy[id] = my_busy;
        demo_member_record(members);
      }
#pragma omp single nowait
      nthreads = omp_get_num_threads();
    }
    double t = demo_now() - t0;
    if (t < best)
      best = t;
  }

  double (*final)[N] = SWEEPS % 2 ? grid_b : grid_a;
  double sum = 0;
  uint64_t hash = 1469598103934665603ull;
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      uint64_t bits;
      memcpy(&bits, &final[i][j], sizeof bits);
      hash = (hash ^ bits) * 1099511628211ull;
      sum += final[i][j];
    }
  printf("time each OpenMP thread spent computing (last repetition, %d sweeps):\n", SWEEPS);
  for (int i = 0; i < nthreads && i < DEMO_MAX_THREADS; i++) {
    char what[64];
    snprintf(what, sizeof what, "%.3f s", busy[i]);
    demo_member_print(i, &members[i], what);
  }
  if (!isfinite(sum)) {
    printf("ERROR: the grid diverged\n");
    return 1;
  }
  printf("RESULT heat=%.6f hash=%016llx\n", sum, (unsigned long long)hash);
  demo_print_time(best);
  return 0;
}
