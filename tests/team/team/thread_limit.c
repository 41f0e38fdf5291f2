/* OMP_THREAD_LIMIT bounds a contention group: the threads of nested teams
 * count against the limit together (libgomp's threads_busy), reserved
 * threads come back when a nested team ends, and each team of a host
 * teams construct is a group of its own under its thread_limit. */
// TEST-ENV: OMP_THREAD_LIMIT=6
#include "hsomp_test.h"

#include <omp.h>

static int inner_size[3];
static int started;

/* Three outer threads each start a nested team of 4 and wait until all
 * three nested teams exist, so that their threads are busy at once: 3
 * outer threads plus the extra inner ones may not exceed 6. */
static int nested_round(void) {
  __atomic_store_n(&started, 0, __ATOMIC_SEQ_CST);
#pragma omp parallel num_threads(3)
  {
    int outer = omp_get_thread_num();
#pragma omp parallel num_threads(4)
    {
#pragma omp master
      {
        inner_size[outer] = omp_get_num_threads();
        __atomic_fetch_add(&started, 1, __ATOMIC_SEQ_CST);
        while (__atomic_load_n(&started, __ATOMIC_SEQ_CST) < 3)
          ;
      }
    }
  }
  return inner_size[0] + inner_size[1] + inner_size[2];
}

int main(void) {
  HT_CHECK(omp_get_thread_limit() == 6, "thread limit %d, expected 6", omp_get_thread_limit());
  omp_set_dynamic(0);
  omp_set_max_active_levels(2);

  int n = 0;
#pragma omp parallel num_threads(8)
  {
#pragma omp single
    n = omp_get_num_threads();
  }
  HT_CHECK(n == 6, "a team of 8 under OMP_THREAD_LIMIT=6 has %d threads", n);

  /* The first nested team takes 4 (6 - 3 + 1), the others one each; a
   * second round sees the same, as the first round's threads were given
   * back. */
  for (int round = 0; round < 2; round++) {
    int total = nested_round();
    HT_CHECK(total == 6, "round %d: nested teams of %d+%d+%d threads", round, inner_size[0],
             inner_size[1], inner_size[2]);
  }

  /* Each team of a league is a contention group of its own. */
  int sizes[2] = {0, 0};
#pragma omp teams num_teams(2) thread_limit(2)
  {
    int t = omp_get_team_num();
#pragma omp parallel num_threads(4)
    {
#pragma omp master
      sizes[t] = omp_get_num_threads() * 10 + omp_get_thread_limit();
    }
  }
  HT_CHECK(sizes[0] == 22 && sizes[1] == 22, "teams thread_limit(2): team size*10+limit %d, %d", sizes[0],
           sizes[1]);
  return 0;
}
