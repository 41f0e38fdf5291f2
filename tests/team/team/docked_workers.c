/* Workers that park on a big team's dock (Note [Docks for big teams] in
 * team.c) are started again whatever team hires them next: regions of
 * sizes around the dock threshold and far beyond the CPUs alternate with
 * small ones (a docked worker hired into a team of 2 is woken through its
 * old dock), big teams nest in big teams (idle workers move between
 * masters' pools), and omp_pause_resource retires docked workers in the
 * middle.  Every region must get its whole team, every member must run
 * once; a lost wake-up hangs and the timeout fails the test. */
// TEST-TIMEOUT: 120
#include <omp.h>
#include <stdio.h>

#include "hsomp_test.h"

static const int sizes[] = {20, 3, 20, 64, 9, 2, 33, 64, 1, 17, 20, 8, 40};
#define NSIZES (int)(sizeof sizes / sizeof sizes[0])

/* One region of n threads: every member checks in once. */
static void region(int n, const char *what) {
  long members = 0, ids = 0;
  int team = 0;
#pragma omp parallel num_threads(n) reduction(+ : members, ids)
  {
    members++;
    ids += omp_get_thread_num();
#pragma omp single nowait
    team = omp_get_num_threads();
  }
  long want_ids = (long)n * (n - 1) / 2;
  HT_CHECK(team == n && members == n && ids == want_ids,
           "%s: team of %d, %ld members, id sum %ld (want %d, %d, %ld)", what, team, members, ids,
           n, n, want_ids);
}

int main(void) {
  omp_set_dynamic(0);
  for (int round = 0; round < 40; round++) {
    for (int i = 0; i < NSIZES; i++)
      region(sizes[(i + round) % NSIZES], "flat");
    if (round == 20) /* retire the idle workers, docked ones among them */
      omp_pause_resource_all(omp_pause_soft);
  }
  omp_set_max_active_levels(2);
  for (int round = 0; round < 10; round++) {
    long inner_ok = 0;
#pragma omp parallel num_threads(12) reduction(+ : inner_ok)
    {
      int n = (omp_get_thread_num() + round) % 3 == 0 ? 2 : 10 + omp_get_thread_num() % 3;
      long members = 0;
#pragma omp parallel num_threads(n) reduction(+ : members)
      members++;
      inner_ok += members == n;
    }
    HT_CHECK(inner_ok == 12, "nested round %d: %ld of 12 inner teams complete", round, inner_ok);
  }
  if (ht_failures)
    return 1;
  puts("ok");
  return 0;
}
