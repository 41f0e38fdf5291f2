/* threadprivate variables persist per thread across regions (same team
 * size, dynamic off), and copyin copies the master's value into every
 * thread's copy before the region body (GCC emits the copies followed by
 * GOMP_barrier). */
// TEST-ENV: OMP_NUM_THREADS=2 OMP_DYNAMIC=false
// TEST-ENV: OMP_NUM_THREADS=3 OMP_DYNAMIC=false
// TEST-ENV: OMP_NUM_THREADS=8 OMP_DYNAMIC=false
#include "hsomp_test.h"
#include <omp.h>

static int counter;
static double vec[4];
#pragma omp threadprivate(counter, vec)

int main(void) {
  int n = omp_get_max_threads();
  for (int round = 1; round <= 50; round++) {
    counter = 1000 * round; /* master's copy */
    vec[2] = round + 0.5;
    int bad = 0;
#pragma omp parallel copyin(counter, vec) reduction(+ : bad)
    {
      if (counter != 1000 * round || vec[2] != round + 0.5)
        bad++;
      counter += omp_get_thread_num(); /* diverge per thread */
    }
    HT_CHECK(bad == 0, "round %d: %d threads missed the copyin", round, bad);
    /* Without copyin each thread keeps its own copy from the last region. */
    int persisted = 0;
#pragma omp parallel reduction(+ : persisted)
    if (counter == 1000 * round + omp_get_thread_num())
      persisted++;
    HT_CHECK(persisted == n, "round %d: %d of %d threads kept their threadprivate value",
             round, persisted, n);
  }
  return 0;
}
