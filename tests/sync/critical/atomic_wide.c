/* Atomics GCC cannot do in one instruction (long double, __float128,
 * __int128 without -mcx16) compile to GOMP_atomic_start/end.  Updates from
 * 1, 2, 3 and 8 threads all land; captured old values are all distinct;
 * and an atomic inside a critical section does not deadlock. */
// TEST-TIMEOUT: 30
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

static long double ld;
static __float128 q;
static __int128 wide;

int main(void) {
  const int per_thread = 5000;
  int sizes[] = {1, 2, 3, 8};
  for (int i = 0; i < 4; i++) {
    int n = sizes[i], team = 0;
    long total = (long)n * per_thread;
    ld = 0;
    q = 0;
    wide = 0;
    char *seen = calloc(total, 1);
#pragma omp parallel num_threads(n)
    {
#pragma omp master
      team = omp_get_num_threads();
#pragma omp barrier
      for (int k = 0; k < per_thread; k++) {
        long double old;
#pragma omp atomic capture
        {
          old = ld;
          ld += 1.0L;
        }
        long slot = (long)old;
        if (slot >= 0 && slot < total)
          seen[slot]++; /* distinct slots: no race unless capture is broken */
#pragma omp atomic
        q += 2;
#pragma omp atomic
        wide += (__int128)1 << 70;
#pragma omp critical
        {
#pragma omp atomic
          q -= 1;
        }
      }
    }
    long missing = 0;
    for (long s = 0; s < total; s++)
      missing += seen[s] != 1;
    free(seen);
    if (team != n || ld != (long double)total || q != (__float128)total ||
        wide != ((__int128)total << 70) || missing) {
      fprintf(stderr, "%d threads (got %d): long double %.1Lf, float128 %.1f, int128>>70 %ld, "
                      "expected %ld; %ld captured values wrong\n",
              n, team, ld, (double)q, (long)(wide >> 70), total, missing);
      return 1;
    }
  }
  return 0;
}
