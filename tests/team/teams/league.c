/* Host teams (GOMP_teams_reg): every team number runs exactly once, the
 * league queries are right inside the teams and inside parallel regions
 * nested in them, a team is a new contention group (level 0, not in
 * parallel), distribute covers every iteration once and teams reductions
 * are exact -- for leagues of 1, 2, 3 and 8 teams and the default size. */
// TEST-ENV: OMP_NUM_THREADS=1
// TEST-ENV: OMP_NUM_THREADS=2
// TEST-ENV: OMP_NUM_THREADS=3
// TEST-ENV: OMP_NUM_THREADS=8
// TEST-ENV: OMP_NUM_THREADS=2 OMP_NUM_TEAMS=5
#include "hsomp_test.h"

#include <omp.h>

#define MAXT 16
static int ran[MAXT], wrong[MAXT];

/* The API calls a teams region may not make directly (GCC checks). */
__attribute__((noinline)) static void check_team(int nteams) {
  int t = omp_get_team_num();
  if (t < 0 || t >= MAXT || omp_get_num_teams() != nteams || omp_get_level() != 0 ||
      omp_in_parallel() || omp_get_ancestor_thread_num(0) != 0)
    __atomic_add_fetch(&wrong[t >= 0 && t < MAXT ? t : 0], 1, __ATOMIC_RELAXED);
  else
    __atomic_add_fetch(&ran[t], 1, __ATOMIC_RELAXED);
}

__attribute__((noinline)) static void nested_parallel(int nteams) {
  int team = omp_get_team_num(), bad = 0, size = 0;
#pragma omp parallel num_threads(2) reduction(+ : bad, size)
  {
    size = 1;
    if (omp_get_team_num() != team || omp_get_num_teams() != nteams || omp_get_level() != 1)
      bad = 1;
  }
  if (bad || size != 2)
    __atomic_add_fetch(&wrong[team], 1, __ATOMIC_RELAXED);
}

static void run_league(int nteams, int expect) {
  memset(ran, 0, sizeof ran);
  memset(wrong, 0, sizeof wrong);
  long sum = 0;
  static int hits[1000];
  memset(hits, 0, sizeof hits);
  if (nteams) {
#pragma omp teams num_teams(nteams) reduction(+ : sum)
    {
      check_team(nteams);
      nested_parallel(nteams);
#pragma omp distribute
      for (int i = 0; i < 1000; i++) {
        hits[i]++;
        sum += i;
      }
    }
  } else {
#pragma omp teams reduction(+ : sum)
    {
      check_team(expect);
      nested_parallel(expect);
#pragma omp distribute
      for (int i = 0; i < 1000; i++) {
        hits[i]++;
        sum += i;
      }
    }
  }
  for (int t = 0; t < MAXT; t++) {
    HT_CHECK(wrong[t] == 0, "league of %d: team %d saw wrong state %d times", expect, t, wrong[t]);
    HT_CHECK(ran[t] == (t < expect), "league of %d: team %d ran %d times", expect, t, ran[t]);
  }
  for (int i = 0; i < 1000; i++)
    HT_CHECK(hits[i] == 1, "league of %d: iteration %d ran %d times", expect, i, hits[i]);
  HT_CHECK(sum == 999L * 1000 / 2, "league of %d: reduction gave %ld", expect, sum);
}

int main(void) {
  int sizes[] = {1, 2, 3, 8};
  for (int round = 0; round < 20; round++)
    for (int k = 0; k < 4; k++)
      run_league(sizes[k], sizes[k]);
  const char *env = getenv("OMP_NUM_TEAMS");
  int dflt = env ? atoi(env) : 3; /* libgomp's default league is 3 teams */
  HT_CHECK(omp_get_max_teams() == (env ? dflt : 0), "omp_get_max_teams() = %d",
           omp_get_max_teams());
  run_league(0, dflt);
  /* Outside teams: one team, number 0. */
  HT_CHECK(omp_get_num_teams() == 1 && omp_get_team_num() == 0, "outside teams: %d/%d",
           omp_get_team_num(), omp_get_num_teams());
  return 0;
}
