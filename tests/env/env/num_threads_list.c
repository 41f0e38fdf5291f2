/* A list-valued OMP_NUM_THREADS gives each nesting level its own
 * nthreads-var (entries past the end keep the last level's), turns
 * nesting on unless OMP_NESTED=false or OMP_MAX_ACTIVE_LEVELS says
 * otherwise, and regions without num_threads get exactly those sizes.
 * EXPECT_TEAMS: the team sizes at levels 1..3; EXPECT_MAX: what
 * omp_get_max_threads() says at levels 0..3. */
// TEST-ENV: OMP_NUM_THREADS=3,2 EXPECT_TEAMS=3,2,2 EXPECT_MAX=3,2,2,2
// TEST-ENV: OMP_NUM_THREADS=2,3,1 EXPECT_TEAMS=2,3,1 EXPECT_MAX=2,3,1,1
// TEST-ENV: OMP_NUM_THREADS=3,2 OMP_NESTED=false EXPECT_TEAMS=3,1,1 EXPECT_MAX=3,2,2,2
// TEST-ENV: OMP_NUM_THREADS=2,2 OMP_MAX_ACTIVE_LEVELS=2 EXPECT_TEAMS=2,2,1 EXPECT_MAX=2,2,2,2
// TEST-ENV: OMP_NUM_THREADS=8,1 EXPECT_TEAMS=8,1,1 EXPECT_MAX=8,1,1,1
// TEST-ENV: OMP_NUM_THREADS=1,3 EXPECT_TEAMS=1,3,3 EXPECT_MAX=1,3,3,3
// TEST-ENV: OMP_NUM_THREADS=2 EXPECT_TEAMS=2,1,1 EXPECT_MAX=2,2,2,2
#include "hsomp_test.h"

#include <omp.h>

static int teams[3], maxes[4];
static int leaves, bad;

static void parse_list(const char *name, int *out, int n) {
  const char *s = getenv(name);
  HT_CHECK(s, "%s is not set", name);
  for (int i = 0; i < n; i++) {
    char *end;
    out[i] = (int)strtol(s, &end, 10);
    HT_CHECK(end != s, "%s: malformed", name);
    s = *end == ',' ? end + 1 : end;
  }
}

static void check(int level) {
  int ok = omp_get_level() == level && omp_get_max_threads() == maxes[level] &&
           omp_get_num_threads() == teams[level - 1] &&
           omp_get_thread_num() < omp_get_num_threads();
  for (int k = 1; k <= level; k++)
    ok = ok && omp_get_team_size(k) == teams[k - 1] &&
         omp_get_ancestor_thread_num(k) < teams[k - 1];
  if (!ok) {
#pragma omp critical
    {
      fprintf(stderr, "level %d (thread %d): level=%d max=%d team=%d\n", level,
              omp_get_thread_num(), omp_get_level(), omp_get_max_threads(),
              omp_get_num_threads());
      bad++;
    }
  }
}

int main(void) {
  parse_list("EXPECT_TEAMS", teams, 3);
  parse_list("EXPECT_MAX", maxes, 4);
  HT_CHECK(omp_get_max_threads() == maxes[0], "initial max threads %d, want %d",
           omp_get_max_threads(), maxes[0]);
  for (int round = 0; round < 3; round++) {
    leaves = 0;
#pragma omp parallel
    {
      check(1);
#pragma omp parallel
      {
        check(2);
#pragma omp parallel
        {
          check(3);
#pragma omp atomic
          leaves++;
        }
      }
    }
    HT_CHECK(bad == 0, "%d threads saw wrong ICVs", bad);
    HT_CHECK(leaves == teams[0] * teams[1] * teams[2], "%d innermost threads, want %d", leaves,
             teams[0] * teams[1] * teams[2]);
    HT_CHECK(omp_get_max_threads() == maxes[0], "the list changed the initial task's ICV");
  }
  return 0;
}
