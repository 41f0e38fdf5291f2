/* Doacross loops (ordered(n) with depend(sink)/depend(source)): wavefront
 * computations whose result is wrong if any sink is not waited for, in one,
 * two and three dimensions, long and unsigned long long, for every
 * schedule, with 1, 2, 3 and 8 threads and lagging threads.
 */
#include "hsomp_test.h"

#include <omp.h>

#define N 64
#define M 48
static unsigned long a[N][M], ref[N][M];
static unsigned long b[N * 4], bref[N * 4];
static unsigned long c3[12][10][8], c3ref[12][10][8];

static void lag(long i) {
  if (i % 3 == 1)
    for (volatile int s = 0; s < 300; s++)
      ;
}

static unsigned long mix(unsigned long x, unsigned long y, unsigned long z) {
  return x * 31 + y * 7 + z + 1;
}

/* a[i][j] depends on a[i-1][j+1] (an earlier row, a later column) and on
 * a[i][j-1] (the thread's own previous iteration). */
static void wave_ref(void) {
  for (int i = 0; i < N; i++)
    for (int j = 0; j < M; j++)
      ref[i][j] = mix(i > 0 && j + 1 < M ? ref[i - 1][j + 1] : 0, j > 0 ? ref[i][j - 1] : 0, i);
}

#define PRAGMA(x) _Pragma(#x)
#define DEFINE_WAVE(name, ...)                                                  \
  static void name(int nthr) {                                                  \
    PRAGMA(omp parallel num_threads(nthr))                                      \
    {                                                                           \
      PRAGMA(omp for ordered(2) schedule(__VA_ARGS__))                          \
      for (int i = 0; i < N; i++)                                               \
        for (int j = 0; j < M; j++) {                                           \
          lag(i);                                                               \
          PRAGMA(omp ordered depend(sink: i - 1, j + 1) depend(sink: i, j - 1)) \
          a[i][j] = mix(i > 0 && j + 1 < M ? a[i - 1][j + 1] : 0,               \
                        j > 0 ? a[i][j - 1] : 0, i);                            \
          PRAGMA(omp ordered depend(source))                                    \
        }                                                                       \
    }                                                                           \
  }

DEFINE_WAVE(w_static, static)
DEFINE_WAVE(w_static1, static, 1)
DEFINE_WAVE(w_static7, static, 7)
DEFINE_WAVE(w_dynamic, dynamic)
DEFINE_WAVE(w_dynamic7, dynamic, 7)
DEFINE_WAVE(w_guided, guided)
DEFINE_WAVE(w_guided3, guided, 3)
DEFINE_WAVE(w_runtime, runtime)

/* One dimension, two sinks, counting down: b[i] needs b[i+1] and b[i+3]. */
static void line_ref(void) {
  for (int i = 4 * N - 1; i >= 0; i--)
    bref[i] = mix(i + 1 < 4 * N ? bref[i + 1] : 0, i + 3 < 4 * N ? bref[i + 3] : 0, i);
}
static void line(int nthr, int dynamic) {
#pragma omp parallel num_threads(nthr)
  {
    if (dynamic) {
#pragma omp for ordered(1) schedule(dynamic, 2)
      for (int i = 4 * N - 1; i >= 0; i--) {
        lag(i);
#pragma omp ordered depend(sink: i + 1) depend(sink: i + 3)
        b[i] = mix(i + 1 < 4 * N ? b[i + 1] : 0, i + 3 < 4 * N ? b[i + 3] : 0, i);
#pragma omp ordered depend(source)
      }
    } else {
#pragma omp for ordered(1)
      for (int i = 4 * N - 1; i >= 0; i--) {
        lag(i);
#pragma omp ordered depend(sink: i + 1) depend(sink: i + 3)
        b[i] = mix(i + 1 < 4 * N ? b[i + 1] : 0, i + 3 < 4 * N ? b[i + 3] : 0, i);
#pragma omp ordered depend(source)
      }
    }
  }
}

/* Three dimensions with unsigned long long variables.  They count from 1:
 * a sink below 0 would wrap around, and gcc 12 then emits a wait for an
 * iteration that never comes (libgomp hangs; GCC's range check of sinks
 * misses the wrap). */
typedef unsigned long long ull;
static unsigned long at3(unsigned long (*x)[10][8], ull i, ull j, ull k) {
  return i - 1 < 12 && j - 1 < 10 && k - 1 < 8 ? x[i - 1][j - 1][k - 1] : 0;
}
static void cube_ref(void) {
  for (ull i = 1; i <= 12; i++)
    for (ull j = 1; j <= 10; j++)
      for (ull k = 1; k <= 8; k++)
        c3ref[i - 1][j - 1][k - 1] =
            mix(at3(c3ref, i - 1, j, k + 1), at3(c3ref, i, j - 1, k + 2),
                at3(c3ref, i, j, k - 1) + i);
}
static void cube(int nthr) {
#pragma omp parallel num_threads(nthr)
  {
#pragma omp for ordered(3) schedule(guided)
    for (ull i = 1; i <= 12; i++)
      for (ull j = 1; j <= 10; j++)
        for (ull k = 1; k <= 8; k++) {
          lag((long)i);
#pragma omp ordered depend(sink: i - 1, j, k + 1) depend(sink: i, j - 1, k + 2) \
    depend(sink: i, j, k - 1)
          c3[i - 1][j - 1][k - 1] = mix(at3(c3, i - 1, j, k + 1), at3(c3, i, j - 1, k + 2),
                                        at3(c3, i, j, k - 1) + i);
#pragma omp ordered depend(source)
        }
  }
}

int main(void) {
  static const int threads[] = {1, 2, 3, 8};
  static const struct {
    const char *name;
    void (*run)(int);
  } waves[] = {
      {"static", w_static},   {"static,1", w_static1},   {"static,7", w_static7},
      {"dynamic", w_dynamic}, {"dynamic,7", w_dynamic7}, {"guided", w_guided},
      {"guided,3", w_guided3}, {"runtime", w_runtime},
  };
  wave_ref();
  line_ref();
  cube_ref();
  omp_set_schedule(omp_sched_dynamic, 3);
  for (int t = 0; t < 4; t++) {
    for (unsigned w = 0; w < sizeof waves / sizeof *waves; w++) {
      memset(a, 0, sizeof a);
      waves[w].run(threads[t]);
      for (int i = 0; i < N; i++)
        for (int j = 0; j < M; j++)
          HT_CHECK(a[i][j] == ref[i][j], "2-d wave, schedule(%s), %d threads: a[%d][%d] wrong",
                   waves[w].name, threads[t], i, j);
    }
    for (int dynamic = 0; dynamic < 2; dynamic++) {
      memset(b, 0, sizeof b);
      line(threads[t], dynamic);
      for (int i = 0; i < 4 * N; i++)
        HT_CHECK(b[i] == bref[i], "1-d line (%s), %d threads: b[%d] wrong",
                 dynamic ? "dynamic,2" : "static", threads[t], i);
    }
    memset(c3, 0, sizeof c3);
    cube(threads[t]);
    HT_CHECK(memcmp(c3, c3ref, sizeof c3) == 0, "3-d cube, %d threads: wrong", threads[t]);
  }
  return 0;
}
