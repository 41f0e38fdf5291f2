/* The scope construct: private and reduction clauses, many
 * scopes in a row (with nowait), nested in worksharing loops' regions,
 * with 1, 2, 3 and 8 threads.  (A scope without task reductions needs no
 * runtime call but the barrier; with reduction(task, ...) it is
 * GOMP_scope_start.) */
#include "hsomp_test.h"

#include <omp.h>

int main(void) {
  static const int threads[] = {1, 2, 3, 8};
  for (int t = 0; t < 4; t++) {
    int nthr = threads[t];
    int sum = 0, prod = 1, seen = 0;
    int arr[64] = {0};
#pragma omp parallel num_threads(nthr)
    {
      int id = omp_get_thread_num();
      for (int r = 0; r < 10; r++) {
#pragma omp scope reduction(+ : sum) reduction(* : prod)
        {
          sum += id + r;
          if (r == 0)
            prod *= 2;
        }
      }
      int tmp = -1;
#pragma omp scope private(tmp) nowait
      {
        tmp = 1 << id % 16;
        __atomic_fetch_add(&seen, tmp, __ATOMIC_RELAXED);
      }
      HT_CHECK(tmp == -1, "scope private(tmp) changed the outer tmp");
#pragma omp for schedule(dynamic)
      for (int i = 0; i < 64; i++)
        arr[i]++;
    }
    int want = 0;
    for (int r = 0; r < 10; r++)
      for (int id = 0; id < nthr; id++)
        want += id + r;
    HT_CHECK(sum == want, "%d threads: sum %d, want %d", nthr, sum, want);
    HT_CHECK(prod == 1 << nthr, "%d threads: prod %d", nthr, prod);
    int wseen = 0;
    for (int id = 0; id < nthr; id++)
      wseen += 1 << id % 16;
    HT_CHECK(seen == wseen, "%d threads: %x ran the nowait scope, want %x", nthr, seen, wseen);
    for (int i = 0; i < 64; i++)
      HT_CHECK(arr[i] == 1, "%d threads: iteration %d ran %d times", nthr, i, arr[i]);
  }
  return 0;
}
