/* taskloop over long and unsigned long long ranges, checked against
 * sequential sums and per-iteration counts: grainsize, num_tasks and
 * their strict modifiers (task sizes checked), nogroup (followed by
 * taskwait), reduction, negative and large
 * steps, bounds near the limits of the types, collapse(2), if(0), final,
 * priority, and taskloops made by every thread at once. */
// TEST-TIMEOUT: 60
#include "hsomp_test.h"
#include <limits.h>
#include <omp.h>
#include <stdio.h>
#include <string.h>


#define N 10007
static int hits[N];

static void check_hits(const char *what, int team, long lo, long hi, long step) {
  for (long i = 0; i < N; i++) {
    int want = 0;
    if (i >= lo && i < hi && (i - lo) % step == 0)
      want = 1;
    if (hits[i] != want) {
      HT_FAIL("%s team %d: iteration %ld ran %d times", what, team, i, hits[i]);
      return;
    }
  }
}

/* Each iteration records its task's first iteration; the sizes of the
 * tasks follow.  Returns the number of tasks, sizes in size[]. */
static long owner[N];
static int task_sizes(long n, int *size, int max) {
  int k = 0;
  for (long i = 0; i < n; i++) {
    if (i == 0 || owner[i] != owner[i - 1]) {
      if (owner[i] != i || k == max)
        return -1; /* not contiguous chunks in order */
      size[k++] = 0;
    }
    size[k - 1]++;
  }
  return k;
}

#define TASKLOOP_OWNERS(CLAUSE, n)                                                                 \
  _Pragma("omp parallel num_threads(team)") _Pragma("omp single") {                               \
    long first = -1;                                                                               \
    _Pragma(CLAUSE) for (long i = 0; i < (n); i++) {                                               \
      if (first < 0)                                                                               \
        first = i;                                                                                 \
      owner[i] = first;                                                                            \
    }                                                                                              \
  }

static void chunks_check(int team) {
  int size[N], k;
  /* grainsize(strict: 300) over 1000: 300, 300, 300, 100. */
  TASKLOOP_OWNERS("omp taskloop grainsize(strict: 300) firstprivate(first)", 1000)
  k = task_sizes(1000, size, N);
  if (k != 4 || size[0] != 300 || size[1] != 300 || size[2] != 300 || size[3] != 100)
    HT_FAIL("grainsize(strict: 300) team %d: %d tasks, sizes %d %d %d %d", team, k, size[0], size[1],
         size[2], size[3]);
  /* grainsize(100) over 5002: 50 tasks of 100 to 199 iterations. */
  TASKLOOP_OWNERS("omp taskloop grainsize(100) firstprivate(first)", 5002)
  k = task_sizes(5002, size, N);
  if (k != 50)
    HT_FAIL("grainsize(100) over 5002, team %d: %d tasks", team, k);
  for (int j = 0; j < k; j++)
    if (size[j] < 100 || size[j] > 199)
      HT_FAIL("grainsize(100) team %d: task %d has %d iterations", team, j, size[j]);
  /* num_tasks(strict: 7) over 100: 7 tasks of 14 or 15. */
  TASKLOOP_OWNERS("omp taskloop num_tasks(strict: 7) firstprivate(first)", 100)
  k = task_sizes(100, size, N);
  if (k != 7)
    HT_FAIL("num_tasks(strict: 7) team %d: %d tasks", team, k);
  for (int j = 0; j < k; j++)
    if (size[j] < 14 || size[j] > 15)
      HT_FAIL("num_tasks(strict: 7) team %d: task %d has %d iterations", team, j, size[j]);
  /* num_tasks larger than the iteration count: one per iteration. */
  TASKLOOP_OWNERS("omp taskloop num_tasks(500) firstprivate(first)", 20)
  k = task_sizes(20, size, N);
  if (k != 20)
    HT_FAIL("num_tasks(500) over 20, team %d: %d tasks", team, k);
}

static void counts(int team) {
  /* grainsize: every iteration once; tasks have between g and 2g-1. */
  memset(hits, 0, sizeof hits);
#pragma omp parallel num_threads(team)
#pragma omp single
#pragma omp taskloop grainsize(100)
  for (long i = 3; i < N; i += 2) {
    __atomic_add_fetch(&hits[i], 1, __ATOMIC_RELAXED);
  }
  check_hits("grainsize(100)", team, 3, N, 2);

  /* num_tasks: exactly that many tasks (counted by distinct starts). */
  memset(hits, 0, sizeof hits);
  int nstarts = 0;
#pragma omp parallel num_threads(team)
#pragma omp single
#pragma omp taskloop num_tasks(37)
  for (long i = 0; i < N; i++) {
    __atomic_add_fetch(&hits[i], 1, __ATOMIC_RELAXED);
  }
  check_hits("num_tasks(37)", team, 0, N, 1);
  /* Count tasks via a firstprivate-per-task trick: a task's first
   * iteration is where a fresh private flag is unset. */
  nstarts = 0;
#pragma omp parallel num_threads(team)
#pragma omp single
  {
    int fresh = 1;
#pragma omp taskloop num_tasks(37) firstprivate(fresh) shared(nstarts)
    for (long i = 0; i < N; i++) {
      if (fresh) {
        fresh = 0;
#pragma omp atomic
        nstarts++;
      }
    }
  }
  if (nstarts != 37)
    HT_FAIL("num_tasks(37) team %d: %d tasks", team, nstarts);
  nstarts = 0;
#pragma omp parallel num_threads(team)
#pragma omp single
  {
    int fresh = 1;
#pragma omp taskloop grainsize(1000) firstprivate(fresh) shared(nstarts)
    for (long i = 0; i < N; i++) {
      if (fresh) {
        fresh = 0;
#pragma omp atomic
        nstarts++;
      }
    }
  }
  if (nstarts != N / 1000)
    HT_FAIL("grainsize(1000) team %d: %d tasks, expected %d", team, nstarts, N / 1000);
  chunks_check(team);

  /* nogroup: the taskloop does not wait; a taskwait does. */
  memset(hits, 0, sizeof hits);
  int seen_all = 0;
#pragma omp parallel num_threads(team)
#pragma omp single
  {
#pragma omp taskloop nogroup grainsize(64)
    for (long i = N - 1; i >= 10; i -= 3) {
      __atomic_add_fetch(&hits[i], 1, __ATOMIC_RELAXED);
    }
#pragma omp taskwait
    int c = 0;
    for (long i = N - 1; i >= 10; i -= 3)
      c += __atomic_load_n(&hits[i], __ATOMIC_RELAXED);
    seen_all = c;
  }
  long expect_cnt = 0;
  for (long i = N - 1; i >= 10; i -= 3)
    expect_cnt++;
  if (seen_all != expect_cnt)
    HT_FAIL("nogroup team %d: %d of %ld iterations done at taskwait", team, seen_all, expect_cnt);
}

static void sums(int team) {
  /* reduction over long with a negative step. */
  long s = 0, want = 0;
  for (long i = 1000000; i > -1000; i -= 7)
    want += i;
#pragma omp parallel num_threads(team)
#pragma omp single
#pragma omp taskloop reduction(+: s) grainsize(50)
  for (long i = 1000000; i > -1000; i -= 7)
    s += i;
  if (s != want)
    HT_FAIL("long reduction team %d: %ld, expected %ld", team, s, want);

  /* Bounds near the limits of long: the end must not overflow. */
  long cnt = 0, last = 0;
#pragma omp parallel num_threads(team)
#pragma omp single
#pragma omp taskloop reduction(+: cnt) reduction(max: last) num_tasks(7)
  for (long i = LONG_MAX - 1000; i < LONG_MAX; i++) {
    cnt++;
    if (i > last)
      last = i;
  }
  if (cnt != 1000 || last != LONG_MAX - 1)
    HT_FAIL("near LONG_MAX team %d: %ld iterations, last %ld", team, cnt, last);
  cnt = 0;
#pragma omp parallel num_threads(team)
#pragma omp single
#pragma omp taskloop reduction(+: cnt) grainsize(3)
  for (long i = LONG_MIN; i < LONG_MIN + 100; i++)
    cnt++;
  if (cnt != 100)
    HT_FAIL("near LONG_MIN team %d: %ld iterations", team, cnt);

  /* unsigned long long: big steps, values above LONG_MAX, downward. */
  unsigned long long us = 0, uwant = 0;
  const unsigned long long ubase = 1ull << 63, ustep = 1ull << 40;
  for (unsigned long long i = ubase; i < ubase + 5000 * ustep; i += ustep)
    uwant += i >> 20;
#pragma omp parallel num_threads(team)
#pragma omp single
#pragma omp taskloop reduction(+: us) num_tasks(13)
  for (unsigned long long i = ubase; i < ubase + 5000 * ustep; i += ustep)
    us += i >> 20;
  if (us != uwant)
    HT_FAIL("ull reduction team %d: %llu, expected %llu", team, us, uwant);
  unsigned long long ucnt = 0, umin = ~0ull;
#pragma omp parallel num_threads(team)
#pragma omp single
#pragma omp taskloop reduction(+: ucnt) reduction(min: umin) grainsize(10)
  for (unsigned long long i = ~0ull - 1; i > ~0ull - 2000; i -= 3) {
    ucnt++;
    if (i < umin)
      umin = i;
  }
  unsigned long long wcnt = 0, wmin = ~0ull;
  for (unsigned long long i = ~0ull - 1; i > ~0ull - 2000; i -= 3) {
    wcnt++;
    wmin = i;
  }
  if (ucnt != wcnt || umin != wmin)
    HT_FAIL("ull downward team %d: %llu iterations (want %llu), min %llu (want %llu)", team, ucnt,
         wcnt, umin, wmin);

  /* collapse(2), if(0), final, priority: same sums. */
  long c2 = 0;
#pragma omp parallel num_threads(team)
#pragma omp single
#pragma omp taskloop collapse(2) reduction(+: c2) grainsize(7)
  for (int i = 0; i < 50; i++)
    for (int j = 0; j < 30; j++)
      c2 += i * 100 + j;
  long w2 = 0;
  for (int i = 0; i < 50; i++)
    for (int j = 0; j < 30; j++)
      w2 += i * 100 + j;
  if (c2 != w2)
    HT_FAIL("collapse(2) team %d: %ld, expected %ld", team, c2, w2);
  for (int variant = 0; variant < 3; variant++) {
    long v = 0;
    int finals = 0;
#pragma omp parallel num_threads(team)
#pragma omp single
    {
      if (variant == 0) {
#pragma omp taskloop if (0) reduction(+: v) num_tasks(5)
        for (long i = 0; i < 1000; i++)
          v += i;
      } else if (variant == 1) {
#pragma omp taskloop final(1) reduction(+: v) num_tasks(5) shared(finals)
        for (long i = 0; i < 1000; i++) {
          v += i;
          if (!omp_in_final()) {
#pragma omp atomic
            finals++;
          }
        }
      } else {
#pragma omp taskloop priority(3) reduction(+: v) grainsize(10)
        for (long i = 0; i < 1000; i++)
          v += i;
      }
    }
    if (v != 499500 || finals)
      HT_FAIL("variant %d team %d: %ld (want 499500), %d iterations not in final", variant, team, v,
           finals);
  }
}

/* Empty ranges: no task, reductions keep the original values. */
static volatile long empty_count = 0;
static void empty(int team, long n) {
  long s = 5;
  double m = 1;
  unsigned long long u = 7;
#pragma omp parallel num_threads(team)
#pragma omp single
  {
#pragma omp taskloop reduction(+: s) reduction(*: m)
    for (long i = 0; i < n; i++) {
      s += i;
      m *= 2;
    }
#pragma omp taskloop reduction(+: u) grainsize(4)
    for (unsigned long long i = 10; i < 10 + (unsigned long long)n; i++)
      u += i;
#pragma omp taskgroup task_reduction(+: s)
    {
#pragma omp taskloop in_reduction(+: s) nogroup
      for (long i = 0; i < n; i++)
        s += i;
    }
  }
  if (s != 5 || u != 7 || m != 1)
    HT_FAIL("empty taskloops team %d: %ld %llu %g", team, s, u, m);
}

/* Every thread runs its own taskloop at once; and taskloops inside tasks. */
static void concurrent(int team) {
  long total = 0;
#pragma omp parallel num_threads(team) reduction(+: total)
  {
    long mine = 0;
#pragma omp taskloop reduction(+: mine) grainsize(16)
    for (long i = 0; i < 3000; i++)
      mine += i;
    total += mine;
  }
  long nth = 0;
#pragma omp parallel num_threads(team)
#pragma omp single
  nth = omp_get_num_threads();
  if (total != nth * (2999L * 3000 / 2))
    HT_FAIL("concurrent team %d: %ld", team, total);
  long in_tasks = 0;
#pragma omp parallel num_threads(team)
#pragma omp single
  for (int t = 0; t < 8; t++)
#pragma omp task shared(in_tasks)
    {
      long part = 0;
#pragma omp taskloop reduction(+: part) num_tasks(4)
      for (long i = 0; i < 1000; i++)
        part += i;
#pragma omp atomic
      in_tasks += part;
    }
  if (in_tasks != 8 * 499500L)
    HT_FAIL("taskloops in tasks team %d: %ld", team, in_tasks);
}

int main(void) {
  for (int team = 1; team <= 4; team++) {
    counts(team);
    sums(team);
    concurrent(team);
    empty(team, empty_count); /* 0, unknown to the compiler */
  }
  return ht_failures ? 1 : 0;
}
