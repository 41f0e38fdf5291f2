/* Combined `parallel for` constructs (GOMP_parallel_loop_*: the team
 * starts with the loop's work share ready-made) and the GOMP 1.0 forms
 * GOMP_parallel_loop_*_start + GOMP_parallel_end, called directly: every
 * iteration runs exactly once, with 1, 2, 3 and 8 threads. */
#include "hsomp_test.h"

#include <omp.h>
#include <stdbool.h>

#define N 1000 /* constant bounds: GCC only combines loops it can evaluate early */
static int hits[N];

#define PRAGMA(x) _Pragma(#x)
#define DEFINE_COMBINED(name, ...)                                 \
  static void name(int nthr) {                                     \
    PRAGMA(omp parallel for num_threads(nthr) schedule(__VA_ARGS__)) \
    for (int i = 0; i < N; i++)                                    \
      __atomic_fetch_add(&hits[i], 1, __ATOMIC_RELAXED);           \
  }

DEFINE_COMBINED(c_dynamic, dynamic)
DEFINE_COMBINED(c_dynamic7, dynamic, 7)
DEFINE_COMBINED(c_mdynamic128, monotonic: dynamic, 128)
DEFINE_COMBINED(c_guided, guided)
DEFINE_COMBINED(c_mguided7, monotonic: guided, 7)
DEFINE_COMBINED(c_runtime, runtime)
DEFINE_COMBINED(c_mruntime, monotonic: runtime)
DEFINE_COMBINED(c_nmruntime, nonmonotonic: runtime)

/* The libgomp ABI, for the forms GCC 12 no longer emits. */
typedef bool (*next_fn)(long *, long *);
extern void GOMP_parallel_loop_static(void (*)(void *), void *, unsigned, long, long, long, long,
                                      unsigned);
extern void GOMP_parallel_loop_static_start(void (*)(void *), void *, unsigned, long, long, long,
                                            long);
extern void GOMP_parallel_loop_dynamic_start(void (*)(void *), void *, unsigned, long, long,
                                             long, long);
extern void GOMP_parallel_loop_guided_start(void (*)(void *), void *, unsigned, long, long, long,
                                            long);
extern void GOMP_parallel_loop_runtime_start(void (*)(void *), void *, unsigned, long, long,
                                             long);
extern void GOMP_parallel_end(void);
extern bool GOMP_loop_static_next(long *, long *);
extern bool GOMP_loop_dynamic_next(long *, long *);
extern bool GOMP_loop_guided_next(long *, long *);
extern bool GOMP_loop_runtime_next(long *, long *);
extern void GOMP_loop_end_nowait(void);
extern void GOMP_loop_end(void);

struct body {
  next_fn next;
  long lo, step;
  bool nowait;
};

/* What GCC emits for the body of a combined loop: claim chunks with the
 * *_next call until none is left, then end the loop. */
static void body(void *arg) {
  const struct body *b = arg;
  long s, e;
  while (b->next(&s, &e)) {
    if (b->step > 0)
      for (long i = s; i < e; i += b->step)
        __atomic_fetch_add(&hits[(i - b->lo) / b->step], 1, __ATOMIC_RELAXED);
    else
      for (long i = s; i > e; i += b->step)
        __atomic_fetch_add(&hits[(b->lo - i) / -b->step], 1, __ATOMIC_RELAXED);
  }
  if (b->nowait)
    GOMP_loop_end_nowait();
  else
    GOMP_loop_end();
}

static void check(const char *what, int nthr, int n) {
  for (int i = 0; i < N; i++)
    HT_CHECK(hits[i] == (i < n), "%s, %d threads: iteration %d ran %d times", what, nthr, i,
             hits[i]);
  memset(hits, 0, sizeof hits);
}

int main(void) {
  static const int threads[] = {1, 2, 3, 8};
  static const struct {
    const char *name;
    void (*run)(int);
  } combined[] = {
      {"dynamic", c_dynamic},       {"dynamic,7", c_dynamic7},
      {"monotonic:dynamic,128", c_mdynamic128}, {"guided", c_guided},
      {"monotonic:guided,7", c_mguided7}, {"runtime", c_runtime},
      {"monotonic:runtime", c_mruntime}, {"nonmonotonic:runtime", c_nmruntime},
  };
  omp_set_schedule(omp_sched_guided, 3);
  for (int t = 0; t < 4; t++) {
    int nthr = threads[t];
    for (unsigned c = 0; c < sizeof combined / sizeof *combined; c++) {
      combined[c].run(nthr);
      check(combined[c].name, nthr, N);
    }

    struct body up = {GOMP_loop_static_next, 0, 1, true};
    GOMP_parallel_loop_static(body, &up, nthr, 0, N, 1, 0, 0);
    check("GOMP_parallel_loop_static", nthr, N);
    struct body up7 = {GOMP_loop_static_next, 0, 7, false};
    GOMP_parallel_loop_static(body, &up7, nthr, 0, N * 7, 7, 3, 0);
    check("GOMP_parallel_loop_static step 7 chunk 3", nthr, N);

    struct body down = {GOMP_loop_static_next, 500, -1, true};
    GOMP_parallel_loop_static_start(body, &down, nthr, 500, 0, -1, 5);
    body(&down);
    GOMP_parallel_end();
    check("GOMP_parallel_loop_static_start", nthr, 500);

    struct body dyn = {GOMP_loop_dynamic_next, 0, 1, false};
    GOMP_parallel_loop_dynamic_start(body, &dyn, nthr, 0, N, 1, 7);
    body(&dyn);
    GOMP_parallel_end();
    check("GOMP_parallel_loop_dynamic_start", nthr, N);

    struct body gui = {GOMP_loop_guided_next, 10, 3, true};
    GOMP_parallel_loop_guided_start(body, &gui, nthr, 10, 10 + 3 * 700, 3, 2);
    body(&gui);
    GOMP_parallel_end();
    check("GOMP_parallel_loop_guided_start", nthr, 700);

    struct body rt = {GOMP_loop_runtime_next, 0, 1, false};
    GOMP_parallel_loop_runtime_start(body, &rt, nthr, 0, N, 1);
    body(&rt);
    GOMP_parallel_end();
    check("GOMP_parallel_loop_runtime_start", nthr, N);

    /* An empty combined loop. */
    GOMP_parallel_loop_dynamic_start(body, &dyn, nthr, 0, 0, 1, 7);
    body(&dyn);
    GOMP_parallel_end();
    check("empty GOMP_parallel_loop_dynamic_start", nthr, 0);
  }
  return 0;
}
