/* The omp_* ICV setters and queries: libgomp's clamping of bad arguments,
 * the nesting rules of omp_set_nested / omp_set_max_active_levels, the
 * per-task scope of the setters (a thread's calls inside a region do not
 * reach its teammates or the master's later regions), devices, time.
 * With OMP_THREAD_LIMIT=7 a team of 8 gets 7 threads. */
// TEST-ENV:
// TEST-ENV: OMP_THREAD_LIMIT=7
#include "hsomp_test.h"

#include <limits.h>
#include <omp.h>
#include <sched.h>
#include <time.h>

static int thread_limit = INT_MAX;

/* The team a region asking for n threads gets. */
static int team_of(int n) { return n < thread_limit ? n : thread_limit; }

static void setters_clamp(void) {
  omp_set_num_threads(0);
  HT_CHECK(omp_get_max_threads() == 1, "num_threads(0) -> %d", omp_get_max_threads());
  omp_set_num_threads(-4);
  HT_CHECK(omp_get_max_threads() == 1, "num_threads(-4) -> %d", omp_get_max_threads());
  omp_set_num_threads(INT_MAX);
  HT_CHECK(omp_get_max_threads() == INT_MAX, "num_threads(INT_MAX) -> %d", omp_get_max_threads());
  omp_set_num_threads(3);
  HT_CHECK(omp_get_max_threads() == 3, "num_threads(3)");

  omp_set_dynamic(5);
  HT_CHECK(omp_get_dynamic() == 1, "set_dynamic(5) -> %d", omp_get_dynamic());
  omp_set_dynamic(0);
  HT_CHECK(omp_get_dynamic() == 0, "set_dynamic(0)");

  omp_set_max_active_levels(-1);
  HT_CHECK(omp_get_max_active_levels() == 1, "negative max levels must be ignored");
  omp_set_max_active_levels(1000);
  HT_CHECK(omp_get_max_active_levels() == omp_get_supported_active_levels(), "clamped");
  HT_CHECK(omp_get_supported_active_levels() == 255, "supported levels %d",
           omp_get_supported_active_levels());
  HT_CHECK(omp_get_nested() == 1, "nested with 255 levels");
  omp_set_max_active_levels(0);
  HT_CHECK(omp_get_max_active_levels() == 0 && omp_get_nested() == 0, "0 levels");
  omp_set_nested(0);
  HT_CHECK(omp_get_max_active_levels() == 0, "set_nested(0) keeps 0 levels");
  omp_set_nested(1);
  HT_CHECK(omp_get_max_active_levels() == 255 && omp_get_nested() == 1, "set_nested(1)");
  omp_set_max_active_levels(3);
  omp_set_nested(7);
  HT_CHECK(omp_get_max_active_levels() == 255, "set_nested(true) allows every level");
  omp_set_nested(0);
  HT_CHECK(omp_get_max_active_levels() == 1 && omp_get_nested() == 0, "set_nested(0)");

  HT_CHECK(omp_get_thread_limit() == thread_limit, "thread limit %d, want %d",
           omp_get_thread_limit(), thread_limit);

  omp_set_default_device(-5);
  HT_CHECK(omp_get_default_device() == 0, "negative device -> %d", omp_get_default_device());
  omp_set_default_device(7);
  HT_CHECK(omp_get_default_device() == 7, "device 7");
  omp_set_default_device(0);
}

static void devices_and_constants(void) {
  HT_CHECK(omp_get_num_devices() == 0, "no offload devices, got %d", omp_get_num_devices());
  HT_CHECK(omp_get_initial_device() == omp_get_num_devices(), "initial device");
  HT_CHECK(omp_get_device_num() == omp_get_initial_device(), "device num on the host");
  HT_CHECK(omp_is_initial_device() == 1, "on the host");
  HT_CHECK(omp_get_cancellation() == 0, "cancellation off by default");
  HT_CHECK(omp_get_max_task_priority() == 0, "priority 0 by default");
  HT_CHECK(omp_get_proc_bind() == omp_proc_bind_false, "no binding by default");
  HT_CHECK(omp_get_num_teams() == 1 && omp_get_team_num() == 0, "one league of one team");
  cpu_set_t set;
  HT_CHECK(sched_getaffinity(0, sizeof set, &set) == 0, "sched_getaffinity");
  HT_CHECK(omp_get_num_procs() == CPU_COUNT(&set), "num_procs %d, affinity %d",
           omp_get_num_procs(), CPU_COUNT(&set));
}

static void time_goes_on(void) {
  double tick = omp_get_wtick();
  HT_CHECK(tick > 0 && tick < 0.01, "wtick %g", tick);
  double t0 = omp_get_wtime();
  struct timespec ten_ms = {0, 10 * 1000 * 1000};
  nanosleep(&ten_ms, NULL);
  double t1 = omp_get_wtime();
  HT_CHECK(t1 - t0 >= 0.009 && t1 - t0 < 5, "10 ms measured as %g s", t1 - t0);
  double prev = omp_get_wtime();
  for (int i = 0; i < 1000; i++) {
    double now = omp_get_wtime();
    HT_CHECK(now >= prev, "wtime went backwards");
    prev = now;
  }
}

/* Setters inside a region change only the calling thread's task. */
static void setters_are_per_task(int ask) {
  int n = team_of(ask);
  omp_set_num_threads(ask);
  int wrong = 0, seen = 0, arrived = 0;
#pragma omp parallel
  {
    int id = omp_get_thread_num();
    HT_CHECK(omp_get_num_threads() == n, "team of %d, want %d", omp_get_num_threads(), n);
    omp_set_num_threads(10 + id);
    omp_set_dynamic(id & 1);
    omp_set_schedule(id & 1 ? omp_sched_guided : omp_sched_static, id + 1);
    omp_set_max_active_levels(id + 2);
    /* Wait until every thread has set its ICVs (by hand: this test
     * should not depend on GOMP_barrier). */
    __atomic_add_fetch(&arrived, 1, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&arrived, __ATOMIC_SEQ_CST) < n)
      sched_yield();
    omp_sched_t kind;
    int chunk;
    omp_get_schedule(&kind, &chunk);
    if (omp_get_max_threads() != 10 + id || omp_get_dynamic() != (id & 1) ||
        kind != (id & 1 ? omp_sched_guided : omp_sched_static) || chunk != id + 1 ||
        omp_get_max_active_levels() != id + 2)
#pragma omp atomic
      wrong++;
#pragma omp atomic
    seen++;
  }
  HT_CHECK(wrong == 0 && seen == n, "%d of %d threads saw another thread's ICVs", wrong, seen);
  /* Thread 0's task is the initial task's own: the master's setters
   * inside the region last only for the region. */
  omp_sched_t kind;
  int chunk;
  omp_get_schedule(&kind, &chunk);
  HT_CHECK(omp_get_max_threads() == ask && omp_get_dynamic() == 0 &&
               omp_get_max_active_levels() == 1 && kind == omp_sched_dynamic && chunk == 1,
           "the region's setters leaked out: max=%d dyn=%d levels=%d sched=%d,%d",
           omp_get_max_threads(), omp_get_dynamic(), omp_get_max_active_levels(), (int)kind,
           chunk);
}

static void levels_and_parallel(int ask) {
  int n = team_of(ask);
  HT_CHECK(!omp_in_parallel() && omp_get_level() == 0 && omp_get_active_level() == 0 &&
               omp_get_num_threads() == 1 && omp_get_thread_num() == 0,
           "outside any region");
  int bad = 0;
#pragma omp parallel num_threads(ask)
  {
    if (omp_in_parallel() != (n > 1) || omp_get_level() != 1 || omp_get_active_level() != (n > 1) ||
        omp_get_num_threads() != n || omp_get_thread_num() >= n)
#pragma omp atomic
      bad++;
    /* With one active level allowed, a nested region is inactive. */
#pragma omp parallel num_threads(2)
    if (omp_get_num_threads() != (n > 1 ? 1 : 2) || omp_get_level() != 2 ||
        omp_in_parallel() != 1)
#pragma omp atomic
      bad++;
  }
  HT_CHECK(bad == 0, "%d wrong answers in a team of %d", bad, n);
}

int main(void) {
  if (getenv("OMP_THREAD_LIMIT"))
    thread_limit = atoi(getenv("OMP_THREAD_LIMIT"));
  setters_clamp();
  devices_and_constants();
  time_goes_on();
  static const int sizes[] = {1, 2, 3, 8};
  for (int i = 0; i < 4; i++) {
    setters_are_per_task(sizes[i]);
    levels_and_parallel(sizes[i]);
  }
  return 0;
}
