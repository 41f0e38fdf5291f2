/* The device-wide teams ICVs: nteams-var (omp_set_num_teams /
 * omp_get_max_teams, OMP_NUM_TEAMS) sizes a league without num_teams,
 * teams-thread-limit-var (omp_set/get_teams_thread_limit,
 * OMP_TEAMS_THREAD_LIMIT) is each team's thread-limit-var without a
 * thread_limit clause, explicit clauses win, the encountering task's
 * thread limit is back after the league, and negative settings are
 * ignored. */
// TEST-ENV: OMP_NUM_THREADS=2
// TEST-ENV: OMP_NUM_THREADS=3 OMP_NUM_TEAMS=4 OMP_TEAMS_THREAD_LIMIT=2
#include "hsomp_test.h"

#include <omp.h>

enum { MAXT = 16 };
static int ran[MAXT], limit_seen[MAXT], team_size[MAXT], nteams_seen;

static void reset(void) {
  memset(ran, 0, sizeof ran);
  memset(limit_seen, 0, sizeof limit_seen);
  memset(team_size, 0, sizeof team_size);
  nteams_seen = 0;
}

/* What one team records (outlined: GCC restricts what may sit directly
 * in a teams region). */
__attribute__((noinline)) static void record(void) {
  int t = omp_get_team_num();
  if (t < 0 || t >= MAXT)
    return;
  __atomic_add_fetch(&ran[t], 1, __ATOMIC_RELAXED);
  limit_seen[t] = omp_get_thread_limit();
  if (t == 0)
    nteams_seen = omp_get_num_teams();
  int size = 0;
#pragma omp parallel num_threads(4) reduction(+ : size)
  size++;
  team_size[t] = size;
}

static void check_league(const char *what, int nteams, int limit) {
  HT_CHECK(nteams_seen == nteams, "%s: omp_get_num_teams() = %d, expected %d", what,
           nteams_seen, nteams);
  for (int t = 0; t < MAXT; t++) {
    HT_CHECK(ran[t] == (t < nteams), "%s: team %d ran %d times", what, t, ran[t]);
    if (t < nteams && limit) {
      HT_CHECK(limit_seen[t] == limit, "%s: team %d has thread limit %d, expected %d", what, t,
               limit_seen[t], limit);
      HT_CHECK(team_size[t] >= 1 && team_size[t] <= limit,
               "%s: team %d's parallel region has %d threads, limit %d", what, t, team_size[t],
               limit);
    }
  }
  reset();
}

int main(void) {
  const char *env_teams = getenv("OMP_NUM_TEAMS");
  const char *env_limit = getenv("OMP_TEAMS_THREAD_LIMIT");
  int teams0 = env_teams ? atoi(env_teams) : 0, limit0 = env_limit ? atoi(env_limit) : 0;
  int host_limit = omp_get_thread_limit();
  HT_CHECK(omp_get_max_teams() == teams0, "initial omp_get_max_teams() = %d, expected %d",
           omp_get_max_teams(), teams0);
  HT_CHECK(omp_get_teams_thread_limit() == limit0,
           "initial omp_get_teams_thread_limit() = %d, expected %d",
           omp_get_teams_thread_limit(), limit0);

  /* The initial settings (libgomp's default league is 3 teams). */
#pragma omp teams
  record();
  check_league("initial ICVs", teams0 ? teams0 : 3, limit0);
  HT_CHECK(omp_get_thread_limit() == host_limit, "thread limit %d after the league, was %d",
           omp_get_thread_limit(), host_limit);

  /* Set through the API. */
  omp_set_num_teams(5);
  omp_set_teams_thread_limit(3);
  HT_CHECK(omp_get_max_teams() == 5, "omp_get_max_teams() = %d after setting 5",
           omp_get_max_teams());
  HT_CHECK(omp_get_teams_thread_limit() == 3, "omp_get_teams_thread_limit() = %d after 3",
           omp_get_teams_thread_limit());
#pragma omp teams
  record();
  check_league("set 5 teams, limit 3", 5, 3);
  HT_CHECK(omp_get_thread_limit() == host_limit, "thread limit %d after the league, was %d",
           omp_get_thread_limit(), host_limit);

  /* Clauses win over the ICVs. */
#pragma omp teams num_teams(2) thread_limit(1)
  record();
  check_league("num_teams(2) thread_limit(1)", 2, 1);

  /* Negative values are not OpenMP's to set: ignored. */
  omp_set_num_teams(-1);
  omp_set_teams_thread_limit(-4);
  HT_CHECK(omp_get_max_teams() == 5 && omp_get_teams_thread_limit() == 3,
           "negative settings changed the ICVs to %d, %d", omp_get_max_teams(),
           omp_get_teams_thread_limit());

  /* The ICVs are device-wide: a setting made in a parallel region stays. */
#pragma omp parallel num_threads(2)
#pragma omp single
  omp_set_num_teams(6);
  HT_CHECK(omp_get_max_teams() == 6, "omp_set_num_teams(6) in a region gave %d",
           omp_get_max_teams());
#pragma omp teams
  record();
  check_league("set 6 teams in a region", 6, 3);
  return 0;
}
