/* Recursive task trees checked against sequential results: Fibonacci
 * (tasks + taskwait) and n-queens (one task per placement, counts summed
 * with atomics), each without a cut-off, with an if() cut-off (undeferred
 * tasks below a depth), with final() (included tasks below a depth,
 * omp_in_final checked) and with mergeable; teams of 1, 2, 3 and 8
 * threads, tasks created from a single and from every thread at once. */
// TEST-TIMEOUT: 60
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

enum cutoff { NONE, IF_CLAUSE, FINAL_CLAUSE, MERGEABLE };

static long fib_seq(int n) { return n < 2 ? n : fib_seq(n - 1) + fib_seq(n - 2); }

static int final_violations;

static long fib(int n, int depth, enum cutoff c) {
  if (n < 2)
    return n;
  long a = 0, b = 0;
  if (c == FINAL_CLAUSE && depth > 6 && !omp_in_final()) {
#pragma omp atomic
    final_violations++;
  }
  switch (c) {
  case NONE:
#pragma omp task shared(a)
    a = fib(n - 1, depth + 1, c);
#pragma omp task shared(b)
    b = fib(n - 2, depth + 1, c);
    break;
  case IF_CLAUSE:
#pragma omp task shared(a) if (depth < 6)
    a = fib(n - 1, depth + 1, c);
#pragma omp task shared(b) if (depth < 6)
    b = fib(n - 2, depth + 1, c);
    break;
  case FINAL_CLAUSE:
#pragma omp task shared(a) final(depth >= 5)
    a = fib(n - 1, depth + 1, c);
#pragma omp task shared(b) final(depth >= 5)
    b = fib(n - 2, depth + 1, c);
    break;
  case MERGEABLE:
#pragma omp task shared(a) mergeable final(depth >= 4)
    a = fib(n - 1, depth + 1, c);
#pragma omp task shared(b) mergeable
    b = fib(n - 2, depth + 1, c);
    break;
  }
#pragma omp taskwait
  return a + b;
}

#define MAXN 10
static long queens_seq(int n, int row, int *cols) {
  if (row == n)
    return 1;
  long count = 0;
  for (int c = 0; c < n; c++) {
    int ok = 1;
    for (int r = 0; r < row && ok; r++)
      if (cols[r] == c || abs(cols[r] - c) == row - r)
        ok = 0;
    if (ok) {
      cols[row] = c;
      count += queens_seq(n, row + 1, cols);
    }
  }
  return count;
}

static long queens_total;

static void queens(int n, int row, const int *cols_in, enum cutoff c) {
  if (row == n) {
#pragma omp atomic
    queens_total++;
    return;
  }
  for (int col = 0; col < n; col++) {
    int ok = 1;
    for (int r = 0; r < row && ok; r++)
      if (cols_in[r] == col || abs(cols_in[r] - col) == row - r)
        ok = 0;
    if (!ok)
      continue;
    int cols[MAXN];
    for (int r = 0; r < row; r++)
      cols[r] = cols_in[r];
    cols[row] = col;
    /* firstprivate array: each task gets its own copy of the board. */
    switch (c) {
    case NONE:
#pragma omp task firstprivate(cols)
      queens(n, row + 1, cols, c);
      break;
    case IF_CLAUSE:
#pragma omp task firstprivate(cols) if (row < 3)
      queens(n, row + 1, cols, c);
      break;
    case FINAL_CLAUSE:
#pragma omp task firstprivate(cols) final(row >= 2)
      queens(n, row + 1, cols, c);
      break;
    case MERGEABLE:
#pragma omp task firstprivate(cols) mergeable final(row >= 3)
      queens(n, row + 1, cols, c);
      break;
    }
  }
  /* No taskwait: the region's end (or the taskgroup) waits for all. */
}

int main(void) {
  const int teams[] = {1, 2, 3, 8};
  const int fib_n = 22;
  long fib_expect = fib_seq(fib_n);
  int cols[MAXN];
  int fails = 0;
  for (int qn = 6; qn <= 8; qn++) {
    long qexpect = queens_seq(qn, 0, cols);
    for (unsigned ti = 0; ti < sizeof teams / sizeof *teams; ti++)
      for (int c = NONE; c <= MERGEABLE; c++) {
        queens_total = 0;
#pragma omp parallel num_threads(teams[ti])
#pragma omp single
        queens(qn, 0, cols, (enum cutoff)c);
        if (queens_total != qexpect) {
          fprintf(stderr, "queens(%d) team %d cutoff %d: %ld, expected %ld\n", qn, teams[ti], c,
                  queens_total, qexpect);
          fails++;
        }
        /* The same inside a taskgroup, which must wait for every descendant. */
        queens_total = 0;
        long seen = -1;
#pragma omp parallel num_threads(teams[ti])
#pragma omp single
        {
#pragma omp taskgroup
          queens(qn, 0, cols, (enum cutoff)c);
          seen = queens_total;
        }
        if (seen != qexpect) {
          fprintf(stderr, "queens(%d) in taskgroup, team %d cutoff %d: %ld at taskgroup end, expected %ld\n",
                  qn, teams[ti], c, seen, qexpect);
          fails++;
        }
      }
  }
  for (unsigned ti = 0; ti < sizeof teams / sizeof *teams; ti++)
    for (int c = NONE; c <= MERGEABLE; c++) {
      long r = -1;
#pragma omp parallel num_threads(teams[ti])
#pragma omp single
      r = fib(fib_n, 0, (enum cutoff)c);
      if (r != fib_expect) {
        fprintf(stderr, "fib(%d) team %d cutoff %d: %ld, expected %ld\n", fib_n, teams[ti], c, r,
                fib_expect);
        fails++;
      }
      /* Every thread starts its own tree at once. */
      long results[8];
      int nth = 0;
#pragma omp parallel num_threads(teams[ti])
      {
        results[omp_get_thread_num()] = fib(fib_n - 4, 0, (enum cutoff)c);
#pragma omp single
        nth = omp_get_num_threads();
      }
      for (int i = 0; i < nth; i++)
        if (results[i] != fib_seq(fib_n - 4)) {
          fprintf(stderr, "fib(%d) on thread %d of %d, cutoff %d: %ld\n", fib_n - 4, i, nth, c,
                  results[i]);
          fails++;
        }
    }
  if (final_violations) {
    fprintf(stderr, "omp_in_final() false %d times below a final task\n", final_violations);
    fails++;
  }
  if (omp_in_final()) {
    fprintf(stderr, "omp_in_final() true outside any task\n");
    fails++;
  }
  return fails ? 1 : 0;
}
