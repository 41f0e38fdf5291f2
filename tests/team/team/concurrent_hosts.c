/* Parallel regions started at the same time from several host threads:
 * each gets its own team, with its own work shares and barriers. */
#include <omp.h>
#include <pthread.h>
#include <stdio.h>

#define HOSTS 4
#define REGIONS 300
#define N 1000

static void *host(void *arg) {
  long id = (long)arg;
  long bad = 0;
  for (int r = 0; r < REGIONS; r++) {
    int hits[N] = {0};
    long sum = 0;
    int size = 1 + (int)((id + r) % 3);
#pragma omp parallel num_threads(size) reduction(+ : sum)
    {
      if (omp_get_num_threads() != size)
        sum += 1000000;
#pragma omp for schedule(dynamic, 7)
      for (int i = 0; i < N; i++) {
        hits[i]++;
        sum += i;
      }
#pragma omp barrier
#pragma omp for schedule(static) nowait
      for (int i = 0; i < N; i++)
        hits[i]++;
    }
    if (sum != (long)N * (N - 1) / 2)
      bad++;
    for (int i = 0; i < N; i++)
      if (hits[i] != 2)
        bad++;
  }
  return (void *)bad;
}

int main(void) {
  pthread_t t[HOSTS];
  for (long i = 0; i < HOSTS; i++)
    pthread_create(&t[i], NULL, host, (void *)i);
  long bad = 0;
  for (int i = 0; i < HOSTS; i++) {
    void *r;
    pthread_join(t[i], &r);
    bad += (long)r;
  }
  if (bad)
    fprintf(stderr, "%ld wrong results\n", bad);
  return bad != 0;
}
