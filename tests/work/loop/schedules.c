/* Every iteration of a worksharing loop runs exactly once, for every
 * schedule clause GCC turns into a runtime call (dynamic, guided and
 * runtime, monotonic or not, with chunk sizes 1, 7 and 128; static and
 * auto too), with 1, 2, 3 and 8 threads, for loops counting up and down,
 * with steps other than 1, and for empty loops. */
// TEST-ENV: OMP_WAIT_POLICY=passive
#include "hsomp_test.h"

#include <limits.h>
#include <omp.h>

#define N 1200
static int hits[N];

#define PRAGMA(x) _Pragma(#x)

/* One function per schedule: run the loop [lo, hi) by step (or down to hi,
 * exclusive, when step < 0), counting each iteration by its index. */
#define DEFINE_LOOP(name, ...)                                                     \
  static void name(int nthr, long lo, long hi, long step) {                       \
    PRAGMA(omp parallel num_threads(nthr))                                        \
    {                                                                             \
      if (step > 0) {                                                             \
        PRAGMA(omp for schedule(__VA_ARGS__))                                        \
        for (long i = lo; i < hi; i += step)                                      \
          __atomic_fetch_add(&hits[((unsigned long)i - (unsigned long)lo) / step], 1, \
                             __ATOMIC_RELAXED);                                   \
      } else {                                                                    \
        PRAGMA(omp for schedule(__VA_ARGS__) nowait)                                 \
        for (long i = lo; i > hi; i += step)                                      \
          __atomic_fetch_add(&hits[((unsigned long)lo - (unsigned long)i) / -step], 1, \
                             __ATOMIC_RELAXED);                                   \
      }                                                                           \
    }                                                                             \
  }

DEFINE_LOOP(l_static, static)
DEFINE_LOOP(l_static1, static, 1)
DEFINE_LOOP(l_static7, static, 7)
DEFINE_LOOP(l_dynamic, dynamic)
DEFINE_LOOP(l_dynamic7, dynamic, 7)
DEFINE_LOOP(l_dynamic128, dynamic, 128)
DEFINE_LOOP(l_mdynamic7, monotonic: dynamic, 7)
DEFINE_LOOP(l_nmdynamic1, nonmonotonic: dynamic, 1)
DEFINE_LOOP(l_guided, guided)
DEFINE_LOOP(l_guided7, guided, 7)
DEFINE_LOOP(l_guided128, guided, 128)
DEFINE_LOOP(l_mguided7, monotonic: guided, 7)
DEFINE_LOOP(l_runtime, runtime)
DEFINE_LOOP(l_mruntime, monotonic: runtime)
DEFINE_LOOP(l_nmruntime, nonmonotonic: runtime)
DEFINE_LOOP(l_auto, auto)

static const struct {
  const char *name;
  void (*run)(int, long, long, long);
} loops[] = {
    {"static", l_static},         {"static,1", l_static1},
    {"static,7", l_static7},      {"dynamic", l_dynamic},
    {"dynamic,7", l_dynamic7},    {"dynamic,128", l_dynamic128},
    {"monotonic:dynamic,7", l_mdynamic7}, {"nonmonotonic:dynamic,1", l_nmdynamic1},
    {"guided", l_guided},         {"guided,7", l_guided7},
    {"guided,128", l_guided128},  {"monotonic:guided,7", l_mguided7},
    {"runtime", l_runtime},       {"monotonic:runtime", l_mruntime},
    {"nonmonotonic:runtime", l_nmruntime}, {"auto", l_auto},
};

static const struct {
  long lo, hi, step;
} ranges[] = {
    {0, N, 1},          {-17, 1000, 3},  {5, 5 + N * 7 - 3, 7}, {1000, 0, -1},
    {N, -N, -2},        {0, 0, 1},       {10, 3, 1},            {3, 10, -1},
    {0, 1, 1},          {0, 2, 5},       {0, 11, 128},
    {LONG_MAX - N, LONG_MAX, 1},         {LONG_MIN + N, LONG_MIN, -1},
    /* (the loop variable itself must not overflow, as in serial code) */
    {LONG_MAX - 2 - 3 * N, LONG_MAX - 2, 3}, {LONG_MIN + 1 + 5 * N, LONG_MIN + 1, -5},
};

static unsigned long expected(long lo, long hi, long step) {
  if (step > 0)
    return lo < hi ? ((unsigned long)hi - (unsigned long)lo + step - 1) / step : 0;
  return lo > hi ? ((unsigned long)lo - (unsigned long)hi + -step - 1) / -step : 0;
}

static const struct {
  omp_sched_t kind;
  int chunk;
} runtime_schedules[] = {
    {omp_sched_static, 0},  {omp_sched_static, 7},  {omp_sched_dynamic, 1},
    {omp_sched_dynamic, 7}, {omp_sched_guided, 1},  {omp_sched_guided, 128},
    {omp_sched_auto, 0},    {omp_sched_dynamic | omp_sched_monotonic, 3},
};

int main(void) {
  static const int threads[] = {1, 2, 3, 8};
  for (unsigned rs = 0; rs < sizeof runtime_schedules / sizeof *runtime_schedules; rs++) {
    omp_set_schedule(runtime_schedules[rs].kind, runtime_schedules[rs].chunk);
    for (unsigned l = 0; l < sizeof loops / sizeof *loops; l++) {
      /* Only the runtime loops depend on the run-sched ICV. */
      if (rs > 0 && strstr(loops[l].name, "runtime") == NULL)
        continue;
      for (unsigned t = 0; t < 4; t++)
        for (unsigned r = 0; r < sizeof ranges / sizeof *ranges; r++) {
          long lo = ranges[r].lo, hi = ranges[r].hi, step = ranges[r].step;
          unsigned long n = expected(lo, hi, step);
          memset(hits, 0, sizeof hits);
          loops[l].run(threads[t], lo, hi, step);
          for (unsigned long k = 0; k < N; k++)
            HT_CHECK(hits[k] == (k < n),
                     "schedule(%s) [runtime %d,%d], %d threads, loop %ld..%ld step %ld: "
                     "iteration %lu ran %d times",
                     loops[l].name, (int)runtime_schedules[rs].kind, runtime_schedules[rs].chunk,
                     threads[t], lo, hi, step, k, hits[k]);
        }
    }
  }
  return 0;
}
