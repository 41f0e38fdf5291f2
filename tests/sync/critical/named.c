/* Named critical sections: one name excludes all threads (1, 2, 3, 8),
 * and two different names do not exclude each other.  Thread 0 stays in
 * critical(alpha) until thread 1 has been inside critical(beta): if the
 * names shared a lock, thread 1 could not enter and thread 0 gives up
 * after a few seconds (reported as a failure, not a hang). */
// TEST-TIMEOUT: 30
#include <omp.h>
#include <stdio.h>
#include <time.h>

static volatile long counter_a, counter_b;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void slow_increment(volatile long *c) {
  long v = *c;
  for (int k = 0; k < 20; k++)
    __asm__ volatile("" ::: "memory");
  *c = v + 1;
}

int main(void) {
  const int per_thread = 10000;
  int sizes[] = {1, 2, 3, 8};
  for (int i = 0; i < 4; i++) {
    int n = sizes[i], team = 0;
    counter_a = counter_b = 0;
#pragma omp parallel num_threads(n)
    {
#pragma omp master
      team = omp_get_num_threads();
#pragma omp barrier
      for (int k = 0; k < per_thread; k++) {
#pragma omp critical(alpha)
        slow_increment(&counter_a);
#pragma omp critical(beta)
        slow_increment(&counter_b);
      }
    }
    if (team != n || counter_a != (long)n * per_thread || counter_b != (long)n * per_thread) {
      fprintf(stderr, "%d threads (got %d): counters %ld %ld, expected %ld\n", n, team, counter_a,
              counter_b, (long)n * per_thread);
      return 1;
    }
  }

  int beta_entered = 0, timed_out = 0;
#pragma omp parallel num_threads(2)
  {
    if (omp_get_thread_num() == 0) {
#pragma omp critical(alpha)
      {
        double give_up = now() + 5.0;
        int seen;
        do {
#pragma omp atomic read
          seen = beta_entered;
        } while (!seen && now() < give_up);
        timed_out = !seen;
      }
    } else {
      /* Let thread 0 take alpha first (it may not have yet: then this
       * check passes trivially, which is rare). */
      double until = now() + 0.05;
      while (now() < until)
        ;
#pragma omp critical(beta)
      {
#pragma omp atomic write
        beta_entered = 1;
      }
    }
  }
  if (timed_out) {
    fprintf(stderr, "critical(beta) could not be entered while critical(alpha) was held\n");
    return 1;
  }
  /* The unnamed section is distinct from named ones too. */
  beta_entered = timed_out = 0;
#pragma omp parallel num_threads(2)
  {
    if (omp_get_thread_num() == 0) {
#pragma omp critical
      {
        double give_up = now() + 5.0;
        int seen;
        do {
#pragma omp atomic read
          seen = beta_entered;
        } while (!seen && now() < give_up);
        timed_out = !seen;
      }
    } else {
      double until = now() + 0.05;
      while (now() < until)
        ;
#pragma omp critical(beta)
      {
#pragma omp atomic write
        beta_entered = 1;
      }
    }
  }
  if (timed_out) {
    fprintf(stderr, "critical(beta) could not be entered while the unnamed critical was held\n");
    return 1;
  }
  return 0;
}
