/* OMPT: a host league (`teams' outside any target region).  The tool sees
 * what OpenMP 5.1 describes, whatever threads hsomp runs the teams on: one
 * region flagged ompt_parallel_league, requested parallelism = the number
 * of teams, and in it one initial task per team (implicit_task with
 * ompt_task_initial, index = the team number, actual parallelism = the
 * number of teams), each team's own parallel regions nested in it; no
 * implicit tasks or barriers of the threads that carry the teams.  Checked
 * with two threads carrying three teams and with one thread carrying
 * them all. */
// TEST-HSOMP-ONLY
// TEST-LIBS: -rdynamic
// TEST-TIMEOUT: 30
#include "ompt_tool.h"

#include <omp.h>

#define TEAMS 3
static volatile long sink;

static void expect_league(const char *what, int m) {
  int leagues = 0, teams_regions = 0;
  for (int i = m; i < nevents; i++)
    if (events[i].kind == EV_PARALLEL_BEGIN) {
      if (events[i].sub & ompt_parallel_league) {
        leagues++;
        EXPECT(events[i].arg == TEAMS, "%s: league requested %llu", what,
               (unsigned long long)events[i].arg);
        EXPECT(in_main(events[i].codeptr), "%s: league codeptr_ra in the program", what);
      } else {
        teams_regions++;
      }
    }
  EXPECT(leagues == 1, "%s: one league region, got %d", what, leagues);
  EXPECT(teams_regions == TEAMS, "%s: each team's parallel region, got %d", what, teams_regions);
  EXPECT(count_from(m, EV_PARALLEL_END, ANY, ANY) == TEAMS + 1, "%s: every region ends", what);
  int seen[TEAMS] = {0}, initial_begins = 0, initial_ends = 0;
  for (int i = m; i < nevents; i++)
    if (events[i].kind == EV_IMPLICIT_TASK && (events[i].sub & ompt_task_initial)) {
      if (events[i].endpoint == ompt_scope_begin) {
        unsigned index = (unsigned)events[i].arg, n = (unsigned)(events[i].arg >> 32);
        EXPECT(n == TEAMS && index < TEAMS, "%s: team %u of %u", what, index, n);
        if (index < TEAMS)
          seen[index]++;
        initial_begins++;
      } else {
        initial_ends++;
      }
    }
  EXPECT(initial_begins == TEAMS && initial_ends == TEAMS, "%s: %d team initial tasks begin, %d end",
         what, initial_begins, initial_ends);
  for (int t = 0; t < TEAMS; t++)
    EXPECT(seen[t] == 1, "%s: team %d's initial task once (%d)", what, t, seen[t]);
  /* The implicit tasks and closing barriers are the teams' regions' only. */
  EXPECT(count_from(m, EV_IMPLICIT_TASK, ompt_scope_begin, ompt_task_implicit) == 2 * TEAMS,
         "%s: implicit tasks of the teams' regions (%d)", what,
         count_from(m, EV_IMPLICIT_TASK, ompt_scope_begin, ompt_task_implicit));
  EXPECT(count_from(m, EV_SYNC, ompt_scope_begin, ompt_sync_region_barrier_implicit_parallel) ==
             2 * TEAMS,
         "%s: closing barriers of the teams' regions only", what);
}

static void league(void) {
#pragma omp teams num_teams(TEAMS)
  {
    int team = omp_get_team_num();
#pragma omp parallel num_threads(2)
    sink += team;
  }
}

int main(void) {
  omp_set_dynamic(0);
  omp_set_max_active_levels(4);

  omp_set_num_threads(2);
  int m = mark();
  league();
  expect_league("2 threads", m);

  omp_set_num_threads(1);
  m = mark();
  league();
  expect_league("1 thread", m);

  return finish("ompt.teams", 0);
}
