/* Drop-in proof, part 2: the OpenMP threads are hsomp's workers.  Inside a
 * parallel region, thread 0 is the program's own (host) thread, bound to no
 * GHC Capability; every other thread is a pool worker named hsomp-w<K>
 * (its /proc/thread-self/comm) bound to Capability K mod nCaps; workers of
 * a team that fits the Capabilities are on distinct Capabilities; and the
 * process's task list holds those named workers. */
// TEST-HSOMP-ONLY
// TEST-ENV: OMP_NUM_THREADS=1
// TEST-ENV: OMP_NUM_THREADS=2
// TEST-ENV: OMP_NUM_THREADS=3
// TEST-ENV: OMP_NUM_THREADS=8
#include "hsomp_test.h"

#include <omp.h>

enum { MAXT = 8 };

struct member {
  int tid;
  int capability;
  char name[16];
};

int main(void) {
  int (*capability)(void) = ht_hsomp_capability_fn();
  int (*ncaps_fn)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, "hsomp_get_num_capabilities");
  HT_CHECK(capability && ncaps_fn, "hsomp's extensions are missing: not running on hsomp");
  HT_CHECK(capability() == -1, "the host thread reports Capability %d outside a region",
           capability());
  char main_name[16];
  ht_thread_name(main_name, sizeof main_name);
  int main_tid = gettid();

  static const int sizes[] = {1, 2, 3, 8, 2};
  for (unsigned s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
    int n = sizes[s];
    struct member m[MAXT];
    memset(m, 0, sizeof m);
    int team = 0, named_workers = 0;
#pragma omp parallel num_threads(n)
    {
      int id = omp_get_thread_num();
      m[id].tid = gettid();
      m[id].capability = capability();
      ht_thread_name(m[id].name, sizeof m[id].name);
#pragma omp barrier
#pragma omp single
      {
        team = omp_get_num_threads();
        struct ht_task tasks[256];
        int ntasks = ht_tasks_snapshot(tasks, 256);
        for (int i = 0; i < ntasks; i++)
          named_workers += strncmp(tasks[i].name, "hsomp-w", 7) == 0;
      }
    }
    HT_CHECK(team == n, "num_threads(%d) gave a team of %d", n, team);
    int ncaps = ncaps_fn();
    HT_CHECK(ncaps >= 1, "hsomp reports %d GHC Capabilities", ncaps);
    HT_CHECK(m[0].tid == main_tid, "thread 0 is not the program's thread");
    HT_CHECK(strcmp(m[0].name, main_name) == 0, "thread 0 is named %s", m[0].name);
    HT_CHECK(m[0].capability == -1, "thread 0 (host) reports Capability %d", m[0].capability);
    int cap_used[MAXT * 8] = {0};
    for (int i = 1; i < n; i++) {
      unsigned k;
      char rest;
      HT_CHECK(sscanf(m[i].name, "hsomp-w%u%c", &k, &rest) == 1,
               "thread %d of %d is named '%s', not hsomp-w<N>", i, n, m[i].name);
      for (int j = 0; j < i; j++)
        HT_CHECK(m[j].tid != m[i].tid, "threads %d and %d are the same OS thread", j, i);
      HT_CHECK(m[i].capability == (int)(k % (unsigned)ncaps),
               "worker %s reports Capability %d, expected %u mod %d", m[i].name,
               m[i].capability, k, ncaps);
      if (n - 1 <= ncaps && m[i].capability < MAXT * 8) {
        HT_CHECK(!cap_used[m[i].capability], "two workers of a %d-thread team share Capability %d"
                 " (%d Capabilities)", n, m[i].capability, ncaps);
        cap_used[m[i].capability] = 1;
      }
    }
    HT_CHECK(named_workers >= n - 1, "%d threads named hsomp-w* for a team of %d", named_workers,
             n);
  }
  return 0;
}
