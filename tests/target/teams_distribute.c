/* `target teams distribute parallel for` compiled by gcc 12 without an
 * offload compiler: the teams of the target region run through
 * GOMP_teams4, each iteration exactly once, with the right league size and
 * team numbers, and the same results as a sequential loop. */
// TEST-ENV: OMP_NUM_THREADS=1
// TEST-ENV: OMP_NUM_THREADS=2
// TEST-ENV: OMP_NUM_THREADS=3
// TEST-ENV: OMP_NUM_THREADS=8
#include "hsomp_test.h"

#include <omp.h>

#define N 10000

static int team_of[N], hits[N];

__attribute__((noinline)) static int team_num(void) { return omp_get_team_num(); }
__attribute__((noinline)) static int num_teams(void) { return omp_get_num_teams(); }

int main(void) {
  static double x[N], y[N];
  for (int i = 0; i < N; i++) {
    x[i] = i * 0.5;
    y[i] = N - i;
  }
  int teams_seen = 0;
  int sizes[] = {1, 2, 3, 8};
  for (int k = 0; k < 4; k++) {
    int nt = sizes[k];
    memset(hits, 0, sizeof hits);
    double dot = 0;
#pragma omp target teams distribute parallel for num_teams(nt) thread_limit(4) \
    map(to : x, y) map(tofrom : hits, team_of, teams_seen) reduction(+ : dot)
    for (int i = 0; i < N; i++) {
#pragma omp atomic
      hits[i]++;
      team_of[i] = team_num();
      if (i == 0)
        teams_seen = num_teams();
      dot += x[i] * y[i];
    }
    double expect = 0;
    for (int i = 0; i < N; i++)
      expect += x[i] * y[i];
    HT_CHECK(dot == expect || (dot - expect) / expect < 1e-12, "num_teams(%d): dot %g, want %g",
             nt, dot, expect);
    HT_CHECK(teams_seen == nt, "num_teams(%d): omp_get_num_teams() = %d", nt, teams_seen);
    int used[8] = {0};
    for (int i = 0; i < N; i++) {
      HT_CHECK(hits[i] == 1, "num_teams(%d): iteration %d ran %d times", nt, i, hits[i]);
      HT_CHECK(team_of[i] >= 0 && team_of[i] < nt, "iteration %d in team %d", i, team_of[i]);
      used[team_of[i]] = 1;
      /* distribute's static schedule: iterations of a team are contiguous
       * and teams come in order. */
      if (i)
        HT_CHECK(team_of[i] >= team_of[i - 1], "team order broken at %d", i);
    }
    for (int t = 0; t < nt; t++)
      HT_CHECK(used[t], "num_teams(%d): team %d got no iterations", nt, t);
  }
  /* A lower bound: libgomp and hsomp create the lower number of teams. */
  int got = 0;
#pragma omp target teams num_teams(2 : 7) map(from : got)
  {
    if (team_num() == 0)
      got = num_teams();
  }
  HT_CHECK(got == 2, "num_teams(2:7) gave %d teams", got);
  /* No clause: one team. */
#pragma omp target teams map(from : got)
  {
    if (team_num() == 0)
      got = num_teams();
  }
  HT_CHECK(got == 1, "target teams without num_teams gave %d teams", got);
  return 0;
}
