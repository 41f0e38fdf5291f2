/* GOMP_barrier: no thread passes barrier k before every thread has reached
 * it.  Each thread writes its slot of phase k, then after the barrier reads
 * every slot of phase k; a thread that ran ahead would see a stale value.
 * Many phases, several team sizes, and barriers inside nested regions. */
// TEST-ENV: OMP_NUM_THREADS=2
// TEST-ENV: OMP_NUM_THREADS=3
// TEST-ENV: OMP_NUM_THREADS=8
// TEST-ENV: OMP_NUM_THREADS=4 OMP_WAIT_POLICY=passive
#include "hsomp_test.h"
#include <omp.h>

#define PHASES 2000
#define MAXT 16

static int run_phases(int n) {
  static _Atomic int slot[2][MAXT][MAXT]; /* per nesting level */
  int bad = 0;
  int lvl = omp_get_level() >= 1; /* called from inside an outer region */
#pragma omp parallel num_threads(n) reduction(+ : bad)
  {
    int me = omp_get_thread_num(), nt = omp_get_num_threads();
    /* each outer thread of a nested test owns its row of slots */
    _Atomic int *row = slot[lvl][lvl ? omp_get_ancestor_thread_num(1) % MAXT : 0];
    for (int k = 1; k <= PHASES; k++) {
      row[me] = k;
#pragma omp barrier
      for (int t = 0; t < nt; t++)
        if (row[t] < k)
          bad++;
#pragma omp barrier
    }
  }
  return bad;
}

int main(void) {
  for (int n = 1; n <= 8; n++) {
    int bad = run_phases(n);
    HT_CHECK(bad == 0, "team of %d: %d reads saw a thread behind the barrier", n, bad);
  }
  /* nested: two teams of 3 barrier independently */
  omp_set_max_active_levels(2);
  int bad = 0;
#pragma omp parallel num_threads(2) reduction(+ : bad)
  bad += run_phases(3);
  HT_CHECK(bad == 0, "nested teams: %d stale reads", bad);
  return 0;
}
