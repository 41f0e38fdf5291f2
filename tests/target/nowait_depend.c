/* Deferred target tasks (nowait) and depend clauses on target, target
 * update and target enter/exit data: chains of dependent target regions
 * and host tasks run in order, firstprivate values are captured when the
 * construct is encountered, and taskwait waits for the target tasks --
 * in teams of 1, 2, 3 and 8 threads. */
// TEST-ENV: OMP_NUM_THREADS=2
#include "hsomp_test.h"

#include <omp.h>

#define LINKS 64

int main(void) {
  int sizes[] = {1, 2, 3, 8};
  for (int k = 0; k < 4; k++) {
    int n = sizes[k];
    unsigned long chain = 0;
    long sum = 0;
    int order[LINKS], pos = 0, bad = 0;
#pragma omp parallel num_threads(n) shared(chain, sum, order, pos, bad)
#pragma omp single
    {
      /* A chain of target tasks alternating with host tasks: every link
       * depends on the previous one through `chain`. */
      for (int i = 0; i < LINKS; i++) {
        int step = i; /* firstprivate: the value now, not later */
        if (i % 2) {
#pragma omp target nowait depend(inout : chain) map(tofrom : chain, order, pos) firstprivate(step)
          {
            chain = chain * 3 + step;
            order[pos++] = step;
          }
        } else {
#pragma omp task depend(inout : chain) shared(chain, order, pos) firstprivate(step)
          {
            chain = chain * 3 + step;
            order[pos++] = step;
          }
        }
        step = -1;
      }
      /* Independent target tasks summed at the end. */
      for (int i = 1; i <= 100; i++)
#pragma omp target nowait map(tofrom : sum) firstprivate(i)
        {
#pragma omp atomic
          sum += i;
        }
      /* update / enter / exit data with depend still order the graph. */
#pragma omp target update to(chain) depend(inout : chain) nowait
#pragma omp target enter data map(to : chain) depend(inout : chain)
#pragma omp task depend(in : chain) shared(chain, bad)
      {
        unsigned long expect = 0;
        for (int i = 0; i < LINKS; i++)
          expect = expect * 3 + i;
        if (chain != expect)
          bad = 1;
      }
#pragma omp target exit data map(release : chain) depend(inout : chain) nowait
#pragma omp taskwait
    }
    unsigned long expect = 0;
    for (int i = 0; i < LINKS; i++)
      expect = expect * 3 + i;
    HT_CHECK(chain == expect && !bad, "%d threads: chain %lu, want %lu", n, chain, expect);
    HT_CHECK(pos == LINKS, "%d threads: %d links ran", n, pos);
    for (int i = 0; i < LINKS; i++)
      HT_CHECK(order[i] == i, "%d threads: link %d ran as %d", n, i, order[i]);
    HT_CHECK(sum == 5050, "%d threads: sum %ld", n, sum);
  }
  /* nowait outside any parallel region, then taskwait. */
  int v = 0;
#pragma omp target nowait map(tofrom : v)
  v = 42;
#pragma omp taskwait
  HT_CHECK(v == 42, "orphaned nowait target: v=%d", v);
  return 0;
}
