/* unsigned long long loops (GOMP_loop_ull_*): every iteration exactly
 * once for every schedule, with 1, 2, 3 and 8 threads, counting up and
 * down, with steps other than 1, empty, and next to 0 and ULLONG_MAX;
 * ordered ones in order too. */
// TEST-ENV: OMP_WAIT_POLICY=passive
#include "hsomp_test.h"

#include <limits.h>
#include <omp.h>

typedef unsigned long long ull;

#define N 1000
static int hits[N];
static ull order_log[N];
static int order_len;

#define PRAGMA(x) _Pragma(#x)
#define DEFINE_LOOP(name, ...)                                                   \
  static void name(int nthr, ull lo, ull hi, ull step, int up) {                 \
    PRAGMA(omp parallel num_threads(nthr))                                       \
    {                                                                            \
      if (up) {                                                                  \
        PRAGMA(omp for schedule(__VA_ARGS__))                                    \
        for (ull i = lo; i < hi; i += step)                                      \
          __atomic_fetch_add(&hits[(i - lo) / step], 1, __ATOMIC_RELAXED);       \
      } else {                                                                   \
        PRAGMA(omp for schedule(__VA_ARGS__))                                    \
        for (ull i = lo; i > hi; i -= step)                                      \
          __atomic_fetch_add(&hits[(lo - i) / step], 1, __ATOMIC_RELAXED);       \
      }                                                                          \
    }                                                                            \
  }
/* Ordered: the ordered regions log the iterations; the log must be the
 * iterations in order. */
#define DEFINE_ORDERED(name, ...)                                                \
  static void name(int nthr, ull lo, ull hi, ull step, int up) {                 \
    PRAGMA(omp parallel num_threads(nthr))                                       \
    {                                                                            \
      if (up) {                                                                  \
        PRAGMA(omp for ordered schedule(__VA_ARGS__))                            \
        for (ull i = lo; i < hi; i += step) {                                    \
          __atomic_fetch_add(&hits[(i - lo) / step], 1, __ATOMIC_RELAXED);       \
          PRAGMA(omp ordered)                                                    \
          order_log[order_len++] = i;                                            \
        }                                                                        \
      } else {                                                                   \
        PRAGMA(omp for ordered schedule(__VA_ARGS__) nowait)                     \
        for (ull i = lo; i > hi; i -= step) {                                    \
          __atomic_fetch_add(&hits[(lo - i) / step], 1, __ATOMIC_RELAXED);       \
          PRAGMA(omp ordered)                                                    \
          order_log[order_len++] = i;                                            \
        }                                                                        \
      }                                                                          \
    }                                                                            \
  }

DEFINE_LOOP(u_static, static)
DEFINE_LOOP(u_dynamic, dynamic)
DEFINE_LOOP(u_dynamic7, dynamic, 7)
DEFINE_LOOP(u_mdynamic128, monotonic: dynamic, 128)
DEFINE_LOOP(u_guided, guided)
DEFINE_LOOP(u_guided7, monotonic: guided, 7)
DEFINE_LOOP(u_runtime, runtime)
DEFINE_LOOP(u_mruntime, monotonic: runtime)
DEFINE_LOOP(u_nmruntime, nonmonotonic: runtime)
DEFINE_ORDERED(o_static, static)
DEFINE_ORDERED(o_static7, static, 7)
DEFINE_ORDERED(o_dynamic, dynamic)
DEFINE_ORDERED(o_dynamic7, dynamic, 7)
DEFINE_ORDERED(o_guided, guided, 3)
DEFINE_ORDERED(o_runtime, runtime)

static const struct {
  const char *name;
  void (*run)(int, ull, ull, ull, int);
  int ordered;
} loops[] = {
    {"static", u_static, 0},          {"dynamic", u_dynamic, 0},
    {"dynamic,7", u_dynamic7, 0},     {"monotonic:dynamic,128", u_mdynamic128, 0},
    {"guided", u_guided, 0},          {"monotonic:guided,7", u_guided7, 0},
    {"runtime", u_runtime, 0},        {"monotonic:runtime", u_mruntime, 0},
    {"nonmonotonic:runtime", u_nmruntime, 0},
    {"ordered static", o_static, 1},  {"ordered static,7", o_static7, 1},
    {"ordered dynamic", o_dynamic, 1}, {"ordered dynamic,7", o_dynamic7, 1},
    {"ordered guided,3", o_guided, 1}, {"ordered runtime", o_runtime, 1},
};

static const struct {
  ull lo, hi, step;
  int up;
} ranges[] = {
    {0, N, 1, 1},
    {7, 7 + 3 * N, 3, 1},
    {N, 0, 1, 0},
    {0, 0, 1, 1},
    {5, 2, 1, 1},
    {2, 5, 1, 0},
    {ULLONG_MAX - N, ULLONG_MAX, 1, 1},          /* up to the last value */
    {ULLONG_MAX - 1 - 5 * N, ULLONG_MAX - 1, 5, 1},
    {ULLONG_MAX, ULLONG_MAX - N, 1, 0},          /* from the last value down */
    {N, 0, 1, 0},
    {4 * N, 3, 4, 0},
    {(ull)LLONG_MAX - N / 2, (ull)LLONG_MAX + N / 2, 1, 1}, /* across 2^63 */
};

static ull expected(ull lo, ull hi, ull step, int up) {
  if (up)
    return lo < hi ? (hi - lo + step - 1) / step : 0;
  return lo > hi ? (lo - hi + step - 1) / step : 0;
}

int main(void) {
  static const int threads[] = {1, 2, 3, 8};
  omp_set_schedule(omp_sched_dynamic, 5);
  for (unsigned l = 0; l < sizeof loops / sizeof *loops; l++)
    for (int t = 0; t < 4; t++)
      for (unsigned r = 0; r < sizeof ranges / sizeof *ranges; r++) {
        ull lo = ranges[r].lo, hi = ranges[r].hi, step = ranges[r].step;
        int up = ranges[r].up;
        ull n = expected(lo, hi, step, up);
        memset(hits, 0, sizeof hits);
        order_len = 0;
        loops[l].run(threads[t], lo, hi, step, up);
        for (ull k = 0; k < N; k++)
          HT_CHECK(hits[k] == (k < n),
                   "schedule(%s), %d threads, loop %llu..%llu step %llu %s: iteration %llu ran "
                   "%d times",
                   loops[l].name, threads[t], lo, hi, step, up ? "up" : "down", k, hits[k]);
        if (loops[l].ordered) {
          HT_CHECK((ull)order_len == n, "%s: %d ordered regions, not %llu", loops[l].name,
                   order_len, n);
          for (ull k = 0; k < n; k++) {
            ull want = up ? lo + k * step : lo - k * step;
            HT_CHECK(order_log[k] == want,
                     "%s, %d threads, loop %llu..%llu: ordered region %llu ran iteration %llu, "
                     "not %llu",
                     loops[l].name, threads[t], lo, hi, k, order_log[k], want);
          }
        }
      }
  return 0;
}
