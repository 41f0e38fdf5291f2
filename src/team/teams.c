/* teams.c -- the teams construct on the host.
 *
 * Owns: host leagues (GOMP_teams_reg, the OpenMP 5.0 `teams` outside any
 * target region), the teams of a target region executed on the host
 * (GOMP_teams4, and the GOMP 4.0 GOMP_teams), the league queries
 * omp_get_num_teams / omp_get_team_num, and the device-wide nteams-var and
 * teams-thread-limit-var (omp_set_num_teams, omp_get_max_teams,
 * omp_set/get_teams_thread_limit; OMP_NUM_TEAMS and OMP_TEAMS_THREAD_LIMIT
 * give their initial values, see env.c).
 *
 * A task's league is kept in its ICVs (league_size, team_num in struct
 * hsomp_icv): every implicit task of a parallel region nested in a team,
 * and every explicit task, inherits it from its parent like the ICVs. */
#include "hsomp.h"
#include "ompt_internal.h"

#include <limits.h>
#include <omp.h>

/* libgomp's default league when neither num_teams nor OMP_NUM_TEAMS /
 * omp_set_num_teams says how many teams: keep it, so a program prints the
 * same omp_get_num_teams() under hsomp as under libgomp. */
#define DEFAULT_NUM_TEAMS 3

static unsigned clamp_thread_limit(unsigned limit) {
  return limit > INT_MAX ? UINT_MAX : limit;
}

/* ------------------------------------------------------------------ */
/* Host leagues.                                                        */

struct league {
  void (*fn)(void *);
  void *data;
  unsigned size;
  _Atomic unsigned next_team;     /* the next team number to run */
  struct hsomp_icv icv;           /* each team's initial task's ICVs */
};

/* Note [Real leagues on the host]
 * libgomp runs the teams of a host league one after another on the
 * encountering thread.  hsomp runs them concurrently: the encountering
 * thread starts an internal team of L threads (L = min(num_teams,
 * nthreads-var)) and each of them takes team numbers from
 * league->next_team until all num_teams teams have run, so every team
 * number runs exactly once and teams never wait for each other (teams may
 * not synchronise with one another, so a team may run on any thread at
 * any time).  While it runs a team, a thread is the initial thread of a
 * new contention group: no enclosing team (level 0, not in parallel), the
 * ICVs of the encountering task with the team's thread limit, and the
 * league in its ICVs.  A parallel region inside the team makes that
 * thread its master, with a pool of its own.  The internal team itself is
 * invisible: its state is saved before the first team and restored after
 * the last.  GCC merges teams reductions under GOMP_atomic_start, so
 * concurrent teams are safe for compiled code. */
static void run_league_member(void *arg) {
  struct league *league = arg;
  struct hsomp_thread *self = hsomp_self();
  struct hsomp_team_state outer_ts = self->ts;
  struct hsomp_icv outer_icv = self->icv;
  for (;;) {
    unsigned team = atomic_fetch_add_explicit(&league->next_team, 1, memory_order_relaxed);
    if (team >= league->size)
      break;
    self->ts = (struct hsomp_team_state){0};
    self->icv = league->icv;
    self->icv.team_num = team;
    HSOMP_OMPT(league_team(self, outer_ts.team, team, ompt_scope_begin));
    league->fn(league->data);
    HSOMP_OMPT(league_team(self, outer_ts.team, team, ompt_scope_end));
  }
  self->ts = outer_ts;
  self->icv = outer_icv;
}

void GOMP_teams_reg(void (*fn)(void *), void *data, unsigned num_teams, unsigned thread_limit,
                    unsigned flags) {
  (void)flags; /* reserved by GCC 12 */
  HSOMP_OMPT_CODEPTR();
  struct hsomp_thread *self = hsomp_self();
  if (thread_limit == 0)
    thread_limit = (unsigned)omp_get_teams_thread_limit();
  if (num_teams == 0)
    num_teams = (unsigned)omp_get_max_teams();
  if (num_teams == 0)
    num_teams = DEFAULT_NUM_TEAMS;

  struct league league = {.fn = fn, .data = data, .size = num_teams, .icv = self->icv};
  league.icv.league_size = num_teams;
  if (thread_limit)
    league.icv.thread_limit_var = clamp_thread_limit(thread_limit);

  unsigned long runners = self->icv.nthreads_var ? self->icv.nthreads_var : 1;
  if (runners > num_teams)
    runners = num_teams;
  if (runners > 0xFFFFu)
    runners = 0xFFFFu;
  if (HSOMP_UNLIKELY(hsomp_ompt_enabled)) {
    /* a tool sees the league as a region, even of one thread (Note [A
     * league in OMPT], ompt_events.c) */
    self->ompt_league = num_teams;
    hsomp_parallel(run_league_member, &league, (unsigned)runners, 0);
  } else if (runners == 1) {
    run_league_member(&league);
  } else {
    hsomp_parallel(run_league_member, &league, (unsigned)runners, 0);
  }
}

/* ------------------------------------------------------------------ */
/* Teams inside a target region executed on the host.                   */

/* GCC 12 wraps the body of `teams` nested in `target` in a loop:
 *   for (first = true; GOMP_teams4(lo, hi, limit, first); first = false)
 *     body;
 * so the teams of such a league run one after another on the thread that
 * runs the target region (as in libgomp; the loop lives in the caller's
 * frame, no other thread can run it).  num_teams(lo:hi) gets lo teams. */
bool GOMP_teams4(unsigned num_teams_low, unsigned num_teams_high, unsigned thread_limit,
                 bool first) {
  (void)num_teams_high;
  struct hsomp_icv *icv = hsomp_icv();
  if (first) {
    if (thread_limit)
      icv->thread_limit_var = clamp_thread_limit(thread_limit);
    icv->league_size = num_teams_low ? num_teams_low : 1;
    icv->team_num = 0;
    return true;
  }
  if (icv->team_num + 1 >= icv->league_size)
    return false;
  icv->team_num++;
  return true;
}

/* The GOMP 4.0 form, called once at the start of a target region's teams:
 * one team, with the thread limit applied. */
void GOMP_teams(unsigned num_teams, unsigned thread_limit) {
  (void)num_teams;
  if (thread_limit)
    hsomp_icv()->thread_limit_var = clamp_thread_limit(thread_limit);
}

/* ------------------------------------------------------------------ */
/* The omp_* API.                                                       */

int omp_get_num_teams(void) {
  unsigned n = hsomp_icv()->league_size;
  return n ? (int)n : 1;
}

int omp_get_team_num(void) { return (int)hsomp_icv()->team_num; }

/* nteams-var and teams-thread-limit-var are device-wide ICVs: one value
 * for the whole process (hsomp_settings, where OMP_NUM_TEAMS and
 * OMP_TEAMS_THREAD_LIMIT put them), as in libgomp.  Negative values are
 * ignored; 0 means "unset".  Relaxed atomics: any thread may set them
 * while others read them, and no other data hangs on them. */
void omp_set_num_teams(int num_teams) {
  if (num_teams >= 0)
    __atomic_store_n(&hsomp_settings.nteams_var, num_teams, __ATOMIC_RELAXED);
}

int omp_get_max_teams(void) { return __atomic_load_n(&hsomp_settings.nteams_var, __ATOMIC_RELAXED); }

void omp_set_teams_thread_limit(int thread_limit) {
  if (thread_limit >= 0)
    __atomic_store_n(&hsomp_settings.teams_thread_limit_var, thread_limit, __ATOMIC_RELAXED);
}

int omp_get_teams_thread_limit(void) {
  return __atomic_load_n(&hsomp_settings.teams_thread_limit_var, __ATOMIC_RELAXED);
}
