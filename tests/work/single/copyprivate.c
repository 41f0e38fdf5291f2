/* single copyprivate: the body runs on exactly one thread per construct,
 * and every thread of the team leaves with that thread's values of all
 * the listed variables (an int, a double, an array, a struct, a pointer).
 * Many consecutive constructs, mixed with nowait singles; teams of 1, 2,
 * 3 and 8 threads; nested teams; and orphaned outside any region. */
// TEST-TIMEOUT: 30
#include <omp.h>
#include <stdio.h>

#define ROUNDS 200

struct pair {
  long a;
  short b;
};

static int body_runs[ROUNDS];

static int check_team(int n) {
  int team = 0, wrong = 0;
  /* Oversubscribed teams pay a sleep per barrier: fewer rounds. */
  const int rounds = n > 2 ? ROUNDS / 4 : ROUNDS;
  for (int r = 0; r < ROUNDS; r++)
    body_runs[r] = 0;
#pragma omp parallel num_threads(n)
  {
#pragma omp master
    team = omp_get_num_threads();
    for (int r = 0; r < rounds; r++) {
      int executor = -1;
      double x = -1.0;
      int arr[5] = {0};
      struct pair p = {0, 0};
      int *ptr = NULL;
#pragma omp single copyprivate(executor, x, arr, p, ptr)
      {
#pragma omp atomic
        body_runs[r]++;
        executor = omp_get_thread_num();
        x = r * 0.5 + executor;
        for (int k = 0; k < 5; k++)
          arr[k] = r * 10 + k;
        p.a = -(long)r;
        p.b = (short)(r & 0x7fff);
        ptr = &body_runs[r];
      }
      int ok = executor >= 0 && executor < n && x == r * 0.5 + executor && p.a == -(long)r &&
               p.b == (short)(r & 0x7fff) && ptr == &body_runs[r];
      for (int k = 0; k < 5; k++)
        ok &= arr[k] == r * 10 + k;
      if (!ok) {
#pragma omp atomic
        wrong++;
      }
      if (r % 7 == 0) {
#pragma omp single nowait
        {
        }
      }
    }
  }
  int bad = team != n || wrong != 0;
  for (int r = 0; r < ROUNDS; r++)
    if (body_runs[r] != (r < rounds)) {
      if (bad < 5)
        fprintf(stderr, "%d threads: copyprivate body %d ran %d times\n", n, r, body_runs[r]);
      bad++;
    }
  if (bad)
    fprintf(stderr, "%d threads (got %d): %d thread-rounds with wrong copied values\n", n, team,
            wrong);
  return bad != 0;
}

static int orphan_value(int v) {
  int out = 0;
#pragma omp single copyprivate(out)
  out = v * 3;
  return out;
}

int main(void) {
  int sizes[] = {1, 2, 3, 8};
  int bad = 0;
  for (int i = 0; i < 4; i++)
    bad |= check_team(sizes[i]);

  if (orphan_value(7) != 21) {
    fprintf(stderr, "orphaned copyprivate outside a region gave %d\n", orphan_value(7));
    bad = 1;
  }

  /* Nested: two inner teams of 2 each broadcast their own value. */
  omp_set_max_active_levels(2);
  int wrong = 0, runs = 0;
#pragma omp parallel num_threads(2)
  {
    int outer = omp_get_thread_num();
#pragma omp parallel num_threads(2)
    {
      for (int r = 0; r < 100; r++) {
        int v = -1;
#pragma omp single copyprivate(v)
        {
#pragma omp atomic
          runs++;
          v = outer * 1000 + r;
        }
        if (v != outer * 1000 + r || orphan_value(r) != 3 * r) {
#pragma omp atomic
          wrong++;
        }
      }
    }
  }
  if (wrong || runs != 200) {
    fprintf(stderr, "nested: %d wrong values, %d body runs (expected 200)\n", wrong, runs);
    bad = 1;
  }
  return bad;
}
