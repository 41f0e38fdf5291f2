/* The unnamed critical section excludes every thread of the process: the
 * threads of one team (1, 2, 3, 8 threads), and those of two nested
 * inner teams, which share no team state. */
// TEST-TIMEOUT: 30
#include <omp.h>
#include <stdio.h>

static volatile long counter;

static void slow_increment(void) {
  long v = counter;
  for (int k = 0; k < 20; k++)
    __asm__ volatile("" ::: "memory");
  counter = v + 1;
}

int main(void) {
  const int per_thread = 20000;
  int sizes[] = {1, 2, 3, 8};
  for (int i = 0; i < 4; i++) {
    int n = sizes[i], team = 0;
    counter = 0;
#pragma omp parallel num_threads(n)
    {
#pragma omp master
      team = omp_get_num_threads();
#pragma omp barrier
      for (int k = 0; k < per_thread; k++) {
#pragma omp critical
        slow_increment();
      }
    }
    if (team != n || counter != (long)n * per_thread) {
      fprintf(stderr, "%d threads (got %d): counter %ld, expected %ld\n", n, team, counter,
              (long)n * per_thread);
      return 1;
    }
  }

  /* Two inner teams of 2 under an outer team of 2: four threads, two teams. */
  omp_set_max_active_levels(2);
  counter = 0;
  int threads = 0;
#pragma omp parallel num_threads(2)
#pragma omp parallel num_threads(2)
  {
#pragma omp atomic
    threads++;
    for (int k = 0; k < per_thread / 2; k++) {
#pragma omp critical
      slow_increment();
    }
  }
  if (counter != (long)threads * (per_thread / 2)) {
    fprintf(stderr, "nested: counter %ld, expected %ld\n", counter,
            (long)threads * (per_thread / 2));
    return 1;
  }
  return 0;
}
