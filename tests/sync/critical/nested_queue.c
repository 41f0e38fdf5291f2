/* Critical sections nested deeper than the queue nodes a thread keeps in
 * its record (Note [Queued critical sections]: the deeper ones come from
 * the heap), on more threads than CPUs, so waiters go to sleep and are
 * handed the lock: every section excludes the others of its name, at
 * every depth, and no increment is lost. */
// TEST-TIMEOUT: 60
#include <omp.h>
#include <stdio.h>

static volatile long counts[7];

static void slow_increment(volatile long *c) {
  long v = *c;
  for (int k = 0; k < 50; k++)
    __asm__ volatile("" ::: "memory");
  *c = v + 1;
}

int main(void) {
  const int per_thread = 2000;
  int sizes[] = {1, 2, 5, 8};
  for (int i = 0; i < 4; i++) {
    int n = sizes[i];
    for (int d = 0; d < 7; d++)
      counts[d] = 0;
#pragma omp parallel num_threads(n)
    for (int k = 0; k < per_thread; k++) {
#pragma omp critical(d0)
      {
        slow_increment(&counts[0]);
#pragma omp critical(d1)
        {
          slow_increment(&counts[1]);
#pragma omp critical(d2)
          {
            slow_increment(&counts[2]);
#pragma omp critical(d3)
            {
              slow_increment(&counts[3]);
#pragma omp critical(d4)
              {
                slow_increment(&counts[4]);
#pragma omp critical(d5)
                slow_increment(&counts[5]);
              }
            }
          }
        }
      }
      /* Inner names also taken alone, out of the nest: they exclude the
       * nested holders too. */
#pragma omp critical(d5)
      slow_increment(&counts[5]);
#pragma omp critical
      slow_increment(&counts[6]);
    }
    long want = (long)n * per_thread;
    for (int d = 0; d < 7; d++) {
      long w = d == 5 ? 2 * want : want;
      if (counts[d] != w) {
        fprintf(stderr, "%d threads: depth %d counted %ld, expected %ld\n", n, d, counts[d], w);
        return 1;
      }
    }
  }
  return 0;
}
