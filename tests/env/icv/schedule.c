/* run-sched-var: OMP_SCHEDULE's value (EXPECT_KIND / EXPECT_CHUNK give
 * what omp_get_schedule must say at start-up), omp_set_schedule /
 * omp_get_schedule round trips with libgomp's chunk rules (below 1 means
 * "unspecified": 0 for static, 1 otherwise; auto keeps its chunk; unknown
 * kinds change nothing), the monotonic modifier kept, and a
 * schedule(runtime) loop following the ICV. */
// TEST-ENV: EXPECT_KIND=2 EXPECT_CHUNK=1
// TEST-ENV: OMP_SCHEDULE=static EXPECT_KIND=0x80000001 EXPECT_CHUNK=0
// TEST-ENV: OMP_SCHEDULE=guided,7 EXPECT_KIND=3 EXPECT_CHUNK=7
// TEST-ENV: OMP_SCHEDULE=monotonic:dynamic,3 EXPECT_KIND=0x80000002 EXPECT_CHUNK=3
// TEST-ENV: OMP_SCHEDULE=nonmonotonic:static,4 EXPECT_KIND=1 EXPECT_CHUNK=4
// TEST-ENV: OMP_SCHEDULE=AUTO EXPECT_KIND=4 EXPECT_CHUNK=1
#include "hsomp_test.h"

#include <limits.h>
#include <omp.h>

static void expect_schedule(unsigned kind, int chunk, const char *after) {
  omp_sched_t k;
  int c;
  omp_get_schedule(&k, &c);
  HT_CHECK((unsigned)k == kind && c == chunk, "after %s: got %#x,%d want %#x,%d", after,
           (unsigned)k, c, kind, chunk);
}

static void round_trips(void) {
  static const unsigned kinds[] = {omp_sched_static, omp_sched_dynamic, omp_sched_guided};
  static const int chunks[] = {-5, 0, 1, 7, INT_MAX};
  for (int m = 0; m < 2; m++)
    for (int i = 0; i < 3; i++)
      for (int j = 0; j < 5; j++) {
        unsigned kind = kinds[i] | (m ? (unsigned)omp_sched_monotonic : 0);
        int chunk = chunks[j];
        omp_set_schedule((omp_sched_t)kind, chunk);
        int want = chunk >= 1 ? chunk : kinds[i] == omp_sched_static ? 0 : 1;
        expect_schedule(kind, want, "omp_set_schedule");
      }
  omp_set_schedule(omp_sched_guided, 9);
  omp_set_schedule(omp_sched_auto, 3);
  expect_schedule(omp_sched_auto, 9, "auto keeps the chunk");
  omp_set_schedule((omp_sched_t)(omp_sched_auto | omp_sched_monotonic), -1);
  expect_schedule(omp_sched_auto | omp_sched_monotonic, 9, "monotonic auto");
  static const unsigned bad_kinds[] = {0, 5, 7, 0x40000000u, 0x80000000u, 0xffffffffu};
  for (int i = 0; i < 6; i++) {
    omp_set_schedule((omp_sched_t)bad_kinds[i], 5);
    expect_schedule(omp_sched_auto | omp_sched_monotonic, 9, "an unknown kind");
  }
}

/* schedule(runtime) with static,chunk: iteration i belongs to thread
 * (i / chunk) % n, and each runs exactly once. */
static void runtime_loop_follows(int n, int chunk) {
  enum { N = 257 };
  int owner[N];
  for (int i = 0; i < N; i++)
    owner[i] = -1;
  omp_set_schedule(omp_sched_static, chunk);
  int twice = 0;
#pragma omp parallel num_threads(n)
  {
#pragma omp for schedule(runtime)
    for (int i = 0; i < N; i++) {
      if (owner[i] != -1)
#pragma omp atomic
        twice++;
      owner[i] = omp_get_thread_num();
    }
  }
  HT_CHECK(twice == 0, "iterations ran twice");
  for (int i = 0; i < N; i++)
    HT_CHECK(owner[i] == (i / chunk) % n, "static,%d with %d threads: iteration %d ran on %d",
             chunk, n, i, owner[i]);
}

int main(void) {
  const char *k = getenv("EXPECT_KIND"), *c = getenv("EXPECT_CHUNK");
  HT_CHECK(k && c, "EXPECT_KIND / EXPECT_CHUNK not set");
  expect_schedule((unsigned)strtoul(k, NULL, 0), atoi(c), "start-up");
  round_trips();
  static const int sizes[] = {1, 2, 3, 8};
  for (int i = 0; i < 4; i++) {
    runtime_loop_follows(sizes[i], 1);
    runtime_loop_follows(sizes[i], 5);
  }
  return 0;
}
