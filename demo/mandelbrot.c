/* mandelbrot.c -- demonstration kernel: the Mandelbrot set, one row per
 * dynamically scheduled chunk (rows near the set cost far more than rows
 * far from it, so schedule(dynamic) balances the load).
 * RESULT: total iteration count and a hash of the image (exact integers,
 * independent of which thread computed which row). */
#include "demo.h"

#include <stdint.h>

enum { WIDTH = 1000, HEIGHT = 640, MAX_ITER = 500, REPS = 3 };

static uint16_t image[HEIGHT][WIDTH];

static int escape_time(double cr, double ci) {
  double zr = 0, zi = 0;
  int k = 0;
  while (k < MAX_ITER && zr * zr + zi * zi <= 4.0) {
    double t = zr * zr - zi * zi + cr;
    zi = 2 * zr * zi + ci;
    zr = t;
    k++;
  }
  return k;
}

int main(void) {
  demo_print_runtime("mandelbrot");
  struct demo_member members[DEMO_MAX_THREADS];
  long rows_by[DEMO_MAX_THREADS];
  int nthreads = 1;
  double best = 1e30;
  for (int rep = 0; rep < REPS; rep++) {
    memset(rows_by, 0, sizeof rows_by);
    double t0 = demo_now();
#pragma omp parallel
    {
      long mine = 0;
#pragma omp for schedule(dynamic, 2) nowait
      for (int y = 0; y < HEIGHT; y++) {
        double ci = -1.2 + 2.4 * y / (HEIGHT - 1);
        for (int x = 0; x < WIDTH; x++)
          image[y][x] = (uint16_t)escape_time(-2.2 + 3.2 * x / (WIDTH - 1), ci);
        mine++;
      }
      int id = omp_get_thread_num();
      if (id < DEMO_MAX_THREADS) {
        rows_by[id] = mine;
        demo_member_record(members);
      }
#pragma omp single nowait
      nthreads = omp_get_num_threads();
    }
    double t = demo_now() - t0;
    if (t < best)
      best = t;
  }

  uint64_t total = 0, hash = 1469598103934665603ull; /* FNV-1a */
  for (int y = 0; y < HEIGHT; y++)
    for (int x = 0; x < WIDTH; x++) {
      total += image[y][x];
      hash = (hash ^ image[y][x]) * 1099511628211ull;
    }
  long rows = 0;
  printf("rows computed by each OpenMP thread (last repetition):\n");
  for (int i = 0; i < nthreads && i < DEMO_MAX_THREADS; i++) {
    char what[64];
    snprintf(what, sizeof what, "%ld rows", rows_by[i]);
    demo_member_print(i, &members[i], what);
    rows += rows_by[i];
  }
  if (rows != HEIGHT) {
    printf("ERROR: %ld rows computed, expected %d\n", rows, HEIGHT);
    return 1;
  }
  printf("RESULT iterations=%llu hash=%016llx\n", (unsigned long long)total,
         (unsigned long long)hash);
  demo_print_time(best);
  return 0;
}
