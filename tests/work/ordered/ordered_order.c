/* The ordered regions of a loop run in iteration order, one at a time,
 * for every schedule, with 1, 2, 3 and 8 threads, up and down loops,
 * iterations that skip their ordered region, lagging threads, and
 * several ordered loops in a row (nowait). */
#include "hsomp_test.h"

#include <omp.h>

#define N 400
static long log_[N];
static int len;
static int inside; /* threads inside an ordered region now */
static int hits[N];

static void enter(long i) {
  HT_CHECK(__atomic_fetch_add(&inside, 1, __ATOMIC_SEQ_CST) == 0,
           "two threads in ordered regions at once");
  log_[len++] = i;
  __atomic_fetch_sub(&inside, 1, __ATOMIC_SEQ_CST);
}

/* Iteration i has an ordered region when `every` divides it. */
#define PRAGMA(x) _Pragma(#x)
#define DEFINE_ORDERED(name, ...)                                            \
  static void name(int nthr, long lo, long hi, long step, long every) {      \
    PRAGMA(omp parallel num_threads(nthr))                                   \
    {                                                                        \
      int lag = omp_get_thread_num() == 1;                                   \
      if (step > 0) {                                                        \
        PRAGMA(omp for ordered schedule(__VA_ARGS__) nowait)                 \
        for (long i = lo; i < hi; i += step) {                               \
          __atomic_fetch_add(&hits[(i - lo) / step], 1, __ATOMIC_RELAXED);   \
          if (lag)                                                           \
            for (volatile int s = 0; s < 200; s++)                           \
              ;                                                              \
          if (i % every == 0) {                                              \
            PRAGMA(omp ordered)                                              \
            enter(i);                                                        \
          }                                                                  \
        }                                                                    \
      } else {                                                               \
        PRAGMA(omp for ordered schedule(__VA_ARGS__))                        \
        for (long i = lo; i > hi; i += step) {                               \
          __atomic_fetch_add(&hits[(lo - i) / -step], 1, __ATOMIC_RELAXED);  \
          if (i % every == 0) {                                              \
            PRAGMA(omp ordered)                                              \
            enter(i);                                                        \
          }                                                                  \
          if (lag)                                                           \
            for (volatile int s = 0; s < 200; s++)                           \
              ;                                                              \
        }                                                                    \
      }                                                                      \
    }                                                                        \
  }

DEFINE_ORDERED(o_static, static)
DEFINE_ORDERED(o_static1, static, 1)
DEFINE_ORDERED(o_static7, static, 7)
DEFINE_ORDERED(o_dynamic, dynamic)
DEFINE_ORDERED(o_dynamic7, dynamic, 7)
DEFINE_ORDERED(o_dynamic128, dynamic, 128)
DEFINE_ORDERED(o_guided, guided)
DEFINE_ORDERED(o_guided7, guided, 7)
DEFINE_ORDERED(o_runtime, runtime)
DEFINE_ORDERED(o_auto, auto)

static const struct {
  const char *name;
  void (*run)(int, long, long, long, long);
} loops[] = {
    {"static", o_static},       {"static,1", o_static1},     {"static,7", o_static7},
    {"dynamic", o_dynamic},     {"dynamic,7", o_dynamic7},   {"dynamic,128", o_dynamic128},
    {"guided", o_guided},       {"guided,7", o_guided7},     {"runtime", o_runtime},
    {"auto", o_auto},
};

static const struct {
  long lo, hi, step, every;
} ranges[] = {
    {0, N, 1, 1}, {0, N, 1, 3}, {-50, 3 * N - 50, 3, 1}, {N, 0, -1, 1}, {N, 0, -2, 5},
    {0, 0, 1, 1}, {0, 1, 1, 1}, {0, 5, 1, 1},
};

int main(void) {
  static const int threads[] = {1, 2, 3, 8};
  for (int rs = 0; rs < 3; rs++) {
    static const omp_sched_t kinds[] = {omp_sched_static, omp_sched_dynamic, omp_sched_guided};
    omp_set_schedule(kinds[rs], rs + 1);
    for (unsigned l = 0; l < sizeof loops / sizeof *loops; l++) {
      if (rs > 0 && loops[l].run != o_runtime)
        continue;
      for (int t = 0; t < 4; t++)
        for (unsigned r = 0; r < sizeof ranges / sizeof *ranges; r++) {
          long lo = ranges[r].lo, hi = ranges[r].hi, step = ranges[r].step;
          long every = ranges[r].every;
          len = 0;
          memset(hits, 0, sizeof hits);
          loops[l].run(threads[t], lo, hi, step, every);
          int k = 0;
          for (long i = lo; step > 0 ? i < hi : i > hi; i += step, k++) {
            HT_CHECK(hits[k] == 1, "%s: iteration %ld ran %d times", loops[l].name, i, hits[k]);
            hits[k] = 0;
          }
          for (k = 0; k < N; k++)
            HT_CHECK(hits[k] == 0, "%s: iteration index %d out of the loop ran", loops[l].name,
                     k);
          int j = 0;
          for (long i = lo; step > 0 ? i < hi : i > hi; i += step) {
            if (i % every != 0)
              continue;
            HT_CHECK(j < len && log_[j] == i,
                     "schedule(%s) %d threads, loop %ld..%ld step %ld every %ld: ordered region "
                     "%d ran iteration %ld, expected %ld",
                     loops[l].name, threads[t], lo, hi, step, every, j, j < len ? log_[j] : -1,
                     i);
            j++;
          }
          HT_CHECK(j == len, "%s: %d ordered regions ran, expected %d", loops[l].name, len, j);
        }
    }
  }
  return 0;
}
