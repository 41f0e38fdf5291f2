/* omp_get_ancestor_thread_num / omp_get_team_size / omp_get_level /
 * omp_get_active_level / omp_in_parallel / omp_get_nested in nested
 * regions, with inactive (one-thread) levels in between and with
 * max-active-levels cutting the nest short: every innermost thread sees a
 * distinct chain of ancestors, and every chain appears exactly once. */
#include "hsomp_test.h"

#include <omp.h>

#define MAXT 8

static int seen[MAXT * MAXT * MAXT];
static int bad;

static void fail(const char *what) {
#pragma omp critical
  {
    fprintf(stderr, "level %d thread %d: %s\n", omp_get_level(), omp_get_thread_num(), what);
    bad++;
  }
}

/* asked: the num_threads of each level; got: the team sizes expected. */
static void run(int levels_allowed, const int asked[3], const int got[3]) {
  memset(seen, 0, sizeof seen);
  omp_set_max_active_levels(levels_allowed);
  int active[4] = {0}; /* active levels inside level k */
  for (int k = 1; k <= 3; k++)
    active[k] = active[k - 1] + (got[k - 1] > 1);
#pragma omp parallel num_threads(asked[0])
#pragma omp parallel num_threads(asked[1])
#pragma omp parallel num_threads(asked[2])
  {
    if (omp_get_level() != 3 || omp_get_active_level() != active[3])
      fail("level / active level");
    if (omp_in_parallel() != (active[3] > 0))
      fail("omp_in_parallel");
    if (omp_get_nested() != (levels_allowed > 1 && levels_allowed > active[3]))
      fail("omp_get_nested");
    if (omp_get_ancestor_thread_num(0) != 0 || omp_get_team_size(0) != 1)
      fail("level 0 is the initial thread alone");
    if (omp_get_ancestor_thread_num(3) != omp_get_thread_num() ||
        omp_get_team_size(3) != omp_get_num_threads())
      fail("the current level is the thread's own");
    if (omp_get_ancestor_thread_num(4) != -1 || omp_get_team_size(4) != -1 ||
        omp_get_ancestor_thread_num(-1) != -1 || omp_get_team_size(-1) != -1 ||
        omp_get_ancestor_thread_num(1 << 30) != -1)
      fail("levels outside 0..level give -1");
    int id[3];
    for (int k = 1; k <= 3; k++) {
      id[k - 1] = omp_get_ancestor_thread_num(k);
      if (omp_get_team_size(k) != got[k - 1] || id[k - 1] < 0 || id[k - 1] >= got[k - 1])
        fail("ancestor / team size");
    }
    if (!bad) {
#pragma omp atomic
      seen[(id[0] * got[1] + id[1]) * got[2] + id[2]]++;
    }
  }
  int total = got[0] * got[1] * got[2];
  for (int i = 0; i < total && !bad; i++)
    if (seen[i] != 1) {
      fprintf(stderr, "ancestor chain %d seen %d times\n", i, seen[i]);
      bad++;
    }
  HT_CHECK(bad == 0, "asked %d,%d,%d with %d active levels", asked[0], asked[1], asked[2],
           levels_allowed);
}

int main(void) {
  static const struct {
    int levels;
    int asked[3], got[3];
  } cases[] = {
      {3, {2, 3, 1}, {2, 3, 1}}, {3, {3, 1, 2}, {3, 1, 2}}, {3, {1, 2, 8}, {1, 2, 8}},
      {3, {8, 1, 1}, {8, 1, 1}}, {3, {2, 2, 2}, {2, 2, 2}}, {2, {2, 2, 2}, {2, 2, 1}},
      {2, {1, 3, 2}, {1, 3, 2}}, {1, {3, 2, 2}, {3, 1, 1}}, {0, {3, 2, 2}, {1, 1, 1}},
      {255, {2, 1, 3}, {2, 1, 3}},
  };
  for (int round = 0; round < 2; round++)
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
      run(cases[i].levels, cases[i].asked, cases[i].got);
  return 0;
}
