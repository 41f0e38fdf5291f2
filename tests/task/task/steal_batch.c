/* Thieves that claim several tasks in one steal (Note [Stealing tiny
 * tasks in batches] in task_sched.c) while the producer takes its own
 * newest ones: every task runs exactly once, and a taskwait or barrier
 * sees every task it waits for complete.  Teams of 2, 3 and 4; in each
 * round one thread in `single' makes thousands of tiny tasks (far faster
 * than a thief runs them, so its deque stays deep and batches are on)
 * and every so often:
 *   - waits for its children in a taskwait, so that it takes its own
 *     deque from the bottom down to empty while thieves claim batches
 *     from the top (the boundary where the owner must use the CAS);
 *   - makes an included task whose deferred children it waits for (a
 *     constrained owner whose deque's oldest tasks are not its to run);
 *   - makes a task with children of its own (a thief that runs a stolen
 *     task while its batch's other tasks wait on its deque, where the
 *     other thieves may steal them).
 * The tasks write plain ints, one each, so that ThreadSanitizer checks
 * that a steal, a taskwait and the barrier order each task's write
 * before the reads below. */
// TEST-TIMEOUT: 120
#include <omp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

enum { N = 6000, ROUNDS = 40, KIDS = 3, EPISODES = 20000, EPISODE = 48 };

static int ran[N];
static int kid_ran[N][KIDS];
static atomic_int kid_fails;

static void tiny(long i) { ran[i]++; }

static void parent(long i) {
  for (int k = 0; k < KIDS; k++) {
#pragma omp task firstprivate(i, k)
    kid_ran[i][k]++;
  }
#pragma omp taskwait
  for (int k = 0; k < KIDS; k++)
    if (kid_ran[i][k] != 1) {
      fprintf(stderr, "task %ld: child %d ran %d times at its taskwait\n", i, k, kid_ran[i][k]);
      atomic_fetch_add(&kid_fails, 1);
    }
  ran[i]++;
}

static int one_round(int nthreads, int round) {
  int fails = 0;
  memset(ran, 0, sizeof ran);
  memset(kid_ran, 0, sizeof kid_ran);
#pragma omp parallel num_threads(nthreads) reduction(+ : fails)
#pragma omp single
  {
    long waited = 0; /* tasks [0, waited) must be done */
    for (long i = 0; i < N; i++) {
      if (i % 211 == 17) {
#pragma omp task firstprivate(i)
        parent(i);
      } else if (i % 499 == 250) {
        /* an included task with deferred children of its own */
#pragma omp task if (0) firstprivate(i)
        parent(i);
        if (ran[i] != 1) {
          fprintf(stderr, "round %d: included task %ld ran %d times\n", round, i, ran[i]);
          fails++;
        }
      } else {
#pragma omp task firstprivate(i)
        tiny(i);
      }
      if (i % (997 + round) == 996) {
#pragma omp taskwait
        for (long j = waited; j <= i; j++)
          if (ran[j] != 1) {
            fprintf(stderr, "round %d, %d threads: after a taskwait task %ld ran %d times\n", round,
                    nthreads, j, ran[j]);
            fails++;
            break;
          }
        waited = i + 1;
      }
    }
  }
  for (long i = 0; i < N; i++) {
    if (ran[i] != 1) {
      fprintf(stderr, "round %d, %d threads: task %ld ran %d times\n", round, nthreads, i, ran[i]);
      return fails + 1;
    }
    if (i % 211 == 17 || i % 499 == 250)
      for (int k = 0; k < KIDS; k++)
        if (kid_ran[i][k] != 1) {
          fprintf(stderr, "round %d: task %ld's child %d ran %d times\n", round, i, k, kid_ran[i][k]);
          return fails + 1;
        }
  }
  return fails;
}

/* Short bursts: a deque just deep enough for batches, emptied at once by
 * its owner's taskwait while the thieves claim from its top. */
static int bursts(int nthreads) {
  int fails = 0;
#pragma omp parallel num_threads(nthreads) reduction(+ : fails)
#pragma omp single
  for (int e = 0; e < EPISODES; e++) {
    for (long i = 0; i < EPISODE; i++) {
#pragma omp task firstprivate(i)
      tiny(i);
    }
#pragma omp taskwait
    for (long i = 0; i < EPISODE; i++) {
      if (ran[i] != 1) {
        fprintf(stderr, "burst %d, %d threads: task %ld ran %d times\n", e, nthreads, i, ran[i]);
        fails++;
      }
      ran[i] = 0;
    }
  }
  return fails;
}

int main(void) {
  int fails = 0;
  memset(ran, 0, sizeof ran);
  for (int nthreads = 2; nthreads <= 4; nthreads++)
    fails += bursts(nthreads);
  for (int nthreads = 2; nthreads <= 4; nthreads++)
    for (int round = 0; round < ROUNDS; round++)
      fails += one_round(nthreads, round);
  fails += atomic_load(&kid_fails);
  if (fails) {
    fprintf(stderr, "steal_batch: %d failures\n", fails);
    return 1;
  }
  printf("steal_batch: ok\n");
  return 0;
}
