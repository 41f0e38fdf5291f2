/* Task reductions against sequential results: taskgroup task_reduction
 * with in_reduction tasks over +, *, min, max and a user-defined
 * reduction (declare reduction on a struct); nested taskgroups reducing
 * different variables, tasks joining the outer one; taskloop with
 * in_reduction; reduction(task, ...) on parallel, for, sections and scope,
 * with tasks made inside joining it.  Teams of 1 to 4 threads. */
// TEST-TIMEOUT: 60
#include "hsomp_test.h"
#include <omp.h>
#include <stdio.h>


struct stats {
  long sum, count, hi;
};
static void stats_merge(struct stats *out, const struct stats *in) {
  out->sum += in->sum;
  out->count += in->count;
  if (in->hi > out->hi)
    out->hi = in->hi;
}
#pragma omp declare reduction(merge : struct stats : stats_merge(&omp_out, &omp_in))           \
    initializer(omp_priv = (struct stats){0, 0, -1000000})

#define NT 300

static void taskgroup_reductions(int team) {
  long sum = 5, mn = 1000000, mx = -1000000;
  double prod = 1.0;
  struct stats st = {0, 0, -1000000};
  long isum = 0, osum = 0;
#pragma omp parallel num_threads(team)
#pragma omp single
  {
#pragma omp taskgroup task_reduction(+: sum) task_reduction(*: prod) task_reduction(min: mn)  \
    task_reduction(max: mx) task_reduction(merge: st)
    {
      for (int i = 0; i < NT; i++) {
#pragma omp task in_reduction(+: sum) in_reduction(min: mn) in_reduction(max: mx) firstprivate(i)
        {
          sum += i;
          long v = (i * 7919L) % 1009 - 500;
          if (v < mn)
            mn = v;
          if (v > mx)
            mx = v;
        }
        if (i % 10 == 0)
#pragma omp task in_reduction(*: prod) in_reduction(merge: st) firstprivate(i)
          {
            prod *= 1.0 + i / 1000.0;
            struct stats one = {i, 1, i};
            stats_merge(&st, &one);
          }
      }
      /* The creator joins too. */
#pragma omp task in_reduction(+: sum)
      sum += 1000000;
    }
    /* Nested: tasks of the inner taskgroup join the outer's reduction. */
#pragma omp taskgroup task_reduction(+: osum)
    {
#pragma omp task in_reduction(+: osum)
      osum += 1;
#pragma omp taskgroup task_reduction(+: isum)
      {
        for (int i = 0; i < 100; i++)
#pragma omp task in_reduction(+: isum, osum) firstprivate(i)
          {
            isum += i;
            osum += 2 * i;
          }
      }
      if (isum != 4950)
        HT_FAIL("team %d: inner taskgroup reduction %ld at its end", team, isum);
    }
  }
  long wsum = 5 + 1000000, wmn = 1000000, wmx = -1000000;
  double wprod = 1.0;
  struct stats wst = {0, 0, -1000000};
  for (int i = 0; i < NT; i++) {
    wsum += i;
    long v = (i * 7919L) % 1009 - 500;
    wmn = v < wmn ? v : wmn;
    wmx = v > wmx ? v : wmx;
    if (i % 10 == 0) {
      wprod *= 1.0 + i / 1000.0;
      struct stats one = {i, 1, i};
      stats_merge(&wst, &one);
    }
  }
  double rel = (prod - wprod) / wprod;
  if (sum != wsum || mn != wmn || mx != wmx || rel > 1e-12 || rel < -1e-12 ||
      st.sum != wst.sum || st.count != wst.count || st.hi != wst.hi)
    HT_FAIL("team %d: sum %ld/%ld min %ld/%ld max %ld/%ld prod %g/%g stats %ld,%ld,%ld/%ld,%ld,%ld",
         team, sum, wsum, mn, wmn, mx, wmx, prod, wprod, st.sum, st.count, st.hi, wst.sum,
         wst.count, wst.hi);
  if (osum != 1 + 9900)
    HT_FAIL("team %d: outer reduction %ld, expected %d", team, osum, 1 + 9900);
}

static void taskloop_in_reduction(int team) {
  long s = 0, m = 1;
#pragma omp parallel num_threads(team)
#pragma omp single
#pragma omp taskgroup task_reduction(+: s) task_reduction(max: m)
  {
#pragma omp taskloop in_reduction(+: s) in_reduction(max: m) grainsize(9)
    for (long i = 0; i < 1000; i++) {
      s += i;
      if (i % 977 > m)
        m = i % 977;
    }
#pragma omp task in_reduction(+: s)
    s += 1;
  }
  if (s != 499501 || m != 976)
    HT_FAIL("taskloop in_reduction team %d: %ld %ld", team, s, m);
}

static void task_modifier(int team) {
  long p = 0, f = 0, sec = 0, sc = 0;
  int nth = 0;
  struct stats st = {0, 0, -1000000};
  /* parallel: implicit tasks and explicit tasks all contribute. */
#pragma omp parallel num_threads(team) reduction(task, +: p) reduction(task, merge: st)
  {
    p += 1000;
#pragma omp single
    nth = omp_get_num_threads();
    for (int i = 0; i < 10; i++)
#pragma omp task in_reduction(+: p) in_reduction(merge: st) firstprivate(i)
      {
        p += i;
        struct stats one = {i, 1, i};
        stats_merge(&st, &one);
      }
  }
  if (p != nth * (1000 + 45) || st.sum != nth * 45 || st.count != nth * 10 || st.hi != 9)
    HT_FAIL("parallel reduction(task) team %d: %ld, stats %ld %ld %ld", team, p, st.sum, st.count,
         st.hi);
#pragma omp parallel num_threads(team)
  {
#pragma omp for reduction(task, +: f) schedule(dynamic, 3)
    for (int i = 0; i < 100; i++) {
      f += 1;
#pragma omp task in_reduction(+: f) firstprivate(i)
      f += i;
    }
#pragma omp sections reduction(task, +: sec)
    {
#pragma omp section
      {
#pragma omp task in_reduction(+: sec)
        sec += 1;
      }
#pragma omp section
      {
        for (int i = 0; i < 10; i++)
#pragma omp task in_reduction(+: sec) firstprivate(i)
          sec += i;
      }
#pragma omp section
      sec += 100;
    }
#pragma omp scope reduction(task, +: sc)
    {
#pragma omp task in_reduction(+: sc)
      sc += 2;
    }
  }
  if (f != 100 + 4950)
    HT_FAIL("for reduction(task) team %d: %ld", team, f);
  if (sec != 1 + 45 + 100)
    HT_FAIL("sections reduction(task) team %d: %ld", team, sec);
  if (sc != 2L * nth)
    HT_FAIL("scope reduction(task) team %d: %ld, expected %d", team, sc, 2 * nth);
}

int main(void) {
  for (int team = 1; team <= 4; team++) {
    for (int r = 0; r < 20; r++)
      taskgroup_reductions(team);
    taskloop_in_reduction(team);
    for (int r = 0; r < 20; r++)
      task_modifier(team);
  }
  return ht_failures ? 1 : 0;
}
