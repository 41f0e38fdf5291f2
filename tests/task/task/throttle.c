/* throttle: tasks made while the creating thread's deque is full run at
 * once, included (Note [Throttled tasks] in task_create.c).  Many tasks
 * from one producer, so that most are past the bound, in teams of 1..4:
 * taskwait inside such a task still waits for its own children (some of
 * which thieves leave deferred), a taskgroup for every descendant, a
 * dependence chain keeps its order, task reductions add up, final /
 * untied / mergeable keep their meaning (omp_in_final), and cancelling a
 * taskgroup from a task drops what follows.  hsomp only: a task with a
 * depend clause is not made included by the deque bound, so a
 * predecessor that waits for a later sibling does not deadlock its
 * creator (libgomp makes such a task undeferred past 64 queued tasks per
 * thread, and waits there). */
// TEST-ENV: OMP_CANCELLATION=true
// TEST-ENV: OMP_CANCELLATION=false
// TEST-TIMEOUT: 120
#include "hsomp_test.h"
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N 4000 /* tasks per producer: far past the bound (64 per deque) */

static int leaf[N * 3], mark[N];

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Each task makes three children and waits for them: its taskwait must
 * see all three done, whether they ran included or were stolen. */
static void taskwait_inside(int team) {
  memset(leaf, 0, sizeof leaf);
  memset(mark, 0, sizeof mark);
#pragma omp parallel num_threads(team)
#pragma omp single
  {
    for (int i = 0; i < N; i++) {
#pragma omp task firstprivate(i)
      {
        if (omp_in_final())
          HT_FAIL("team %d: task %d is final", team, i);
        for (int k = 0; k < 3; k++) {
#pragma omp task firstprivate(i, k)
          __atomic_store_n(&leaf[i * 3 + k], 1, __ATOMIC_RELEASE);
        }
#pragma omp taskwait
        for (int k = 0; k < 3; k++)
          if (!__atomic_load_n(&leaf[i * 3 + k], __ATOMIC_ACQUIRE))
            HT_FAIL("team %d: task %d's taskwait returned before child %d", team, i, k);
        __atomic_store_n(&mark[i], 1, __ATOMIC_RELEASE);
      }
    }
#pragma omp taskwait
    for (int i = 0; i < N; i++)
      if (!__atomic_load_n(&mark[i], __ATOMIC_ACQUIRE)) {
        HT_FAIL("team %d: taskwait returned before task %d", team, i);
        break;
      }
  }
}

/* A taskgroup waits for grandchildren too; a taskgroup inside a task
 * (included or not) for that task's descendants only. */
static void taskgroups(int team) {
  int count = 0;
#pragma omp parallel num_threads(team)
#pragma omp single
  {
#pragma omp taskgroup
    for (int i = 0; i < N; i++) {
#pragma omp task shared(count)
      {
        int mine = 0;
#pragma omp taskgroup
        for (int k = 0; k < 2; k++) {
#pragma omp task shared(count, mine)
          {
#pragma omp task shared(count, mine)
            {
#pragma omp atomic
              mine++;
#pragma omp atomic
              count++;
            }
          }
        }
        if (__atomic_load_n(&mine, __ATOMIC_SEQ_CST) != 2)
          HT_FAIL("team %d: inner taskgroup ended with %d of 2 grandchildren", team, mine);
      }
    }
    if (__atomic_load_n(&count, __ATOMIC_SEQ_CST) != 2 * N)
      HT_FAIL("team %d: taskgroup ended with %d of %d descendants done", team, count, 2 * N);
  }
}

/* A dependence chain made while the deque is full of independent tasks:
 * each link sees its predecessor's value. */
static void chain(int team) {
  int x = 0, filler = 0;
#pragma omp parallel num_threads(team)
#pragma omp single
  {
    for (int i = 0; i < 300; i++) {
#pragma omp task shared(filler)
      {
#pragma omp atomic
        filler++;
      }
    }
    for (int i = 0; i < N; i++) {
#pragma omp task depend(inout : x) shared(x) firstprivate(i)
      {
        if (x != i)
          HT_FAIL("team %d: link %d saw %d", team, i, x);
        x = i + 1;
      }
    }
#pragma omp taskwait
    if (x != N || filler != 300)
      HT_FAIL("team %d: chain ended at %d of %d, %d of 300 fillers", team, x, N, filler);
  }
}

/* A predecessor that waits for a flag set by a task created after its
 * successor.  Deferred, the successor waits in the queues and the creator
 * goes on to set the flag; included, the creator would wait for the
 * predecessor, which waits for the creator. */
static void depend_not_throttled(int team) {
  static int flag;
  int d __attribute__((unused)) = 0, bad = 0; /* GCC 12 sees no use in depend() */
  __atomic_store_n(&flag, 0, __ATOMIC_SEQ_CST);
#pragma omp parallel num_threads(team)
#pragma omp single
  {
    /* Fill this thread's deque with another task's children, which do
     * not count as this task's unfinished children (the other bound). */
#pragma omp task if (0)
    for (int i = 0; i < 300; i++) {
#pragma omp task /* a body: GCC drops empty tasks */
      __atomic_fetch_add(&flag, 0, __ATOMIC_RELAXED);
    }
#pragma omp task depend(out : d) shared(bad)
    {
      double t0 = now();
      while (!__atomic_load_n(&flag, __ATOMIC_ACQUIRE))
        if (now() - t0 > 20) {
          bad = 1;
          break;
        }
    }
#pragma omp task depend(in : d)
    (void)0;
#pragma omp task
    __atomic_store_n(&flag, 1, __ATOMIC_RELEASE);
#pragma omp taskwait
  }
  if (bad)
    HT_FAIL("team %d: the predecessor waited 20 s for a flag its creator never set", team);
}

/* Task reductions over many tasks, most of them included. */
static void reductions(int team) {
  long sum = 0;
#pragma omp parallel num_threads(team)
#pragma omp single
  {
#pragma omp taskgroup task_reduction(+ : sum)
    for (int i = 0; i < N; i++) {
#pragma omp task in_reduction(+ : sum) firstprivate(i)
      sum += i;
    }
  }
  if (sum != (long)N * (N - 1) / 2)
    HT_FAIL("team %d: task reduction gave %ld, expected %ld", team, sum, (long)N * (N - 1) / 2);
}

/* final, untied and mergeable tasks past the bound: omp_in_final is true
 * exactly in final tasks and their descendants. */
static void clauses(int team) {
  int wrong = 0, ran = 0;
#pragma omp parallel num_threads(team)
#pragma omp single
  {
    for (int i = 0; i < N; i++) {
      int fin = i % 7 == 0;
#pragma omp task final(fin) untied mergeable firstprivate(fin) shared(wrong, ran)
      {
        if (omp_in_final() != fin) {
#pragma omp atomic
          wrong++;
        }
#pragma omp task firstprivate(fin) shared(wrong, ran)
        {
          if (omp_in_final() != fin) {
#pragma omp atomic
            wrong++;
          }
#pragma omp atomic
          ran++;
        }
      }
    }
#pragma omp taskwait
  }
  if (wrong)
    HT_FAIL("team %d: omp_in_final wrong in %d tasks", team, wrong);
  if (ran != N)
    HT_FAIL("team %d: %d of %d grandchildren ran", team, ran, N);
}

/* A task creates N tasks in a taskgroup and cancels the taskgroup half
 * way: with cancellation on, no task it creates afterwards runs (the cancel
 * construct ends its region); an included task that cancels its own
 * taskgroup stops its creator's later tasks too. */
static int ran_after[N];
static void cancel(int team, int on) {
  int cut = N / 2;
  memset(ran_after, 0, sizeof ran_after);
#pragma omp parallel num_threads(team)
#pragma omp single
  {
#pragma omp taskgroup
    {
#pragma omp task firstprivate(cut)
      {
        for (int i = 0; i < N; i++) {
#pragma omp task firstprivate(i)
          __atomic_store_n(&ran_after[i], 1, __ATOMIC_RELAXED);
          if (i == cut) {
#pragma omp cancel taskgroup
          }
        }
      }
    }
#pragma omp taskgroup
    {
      for (int i = 0; i < N; i++) {
#pragma omp task firstprivate(i)
        {
          if (i == cut) {
#pragma omp cancel taskgroup
          }
        }
      }
    }
  }
  int late = 0, all = 0;
  for (int i = 0; i < N; i++) {
    all += ran_after[i];
    late += i > cut && ran_after[i];
  }
  if (on && late)
    HT_FAIL("team %d: %d tasks created after the cancel ran", team, late);
  if (!on && all != N)
    HT_FAIL("team %d, cancellation off: %d of %d tasks ran", team, all, N);
}

int main(void) {
  int on = omp_get_cancellation();
  for (int team = 1; team <= 4; team++) {
    taskwait_inside(team);
    taskgroups(team);
    chain(team);
    if (ht_expect_hsomp())
      depend_not_throttled(team);
    reductions(team);
    clauses(team);
    cancel(team, on);
  }
  if (ht_failures)
    return 1;
  printf("throttle: ok\n");
  return 0;
}
