/* nqueens.c -- NQUEENS and NQUEENS_CUTOFF: count the placements of n
 * queens on an n x n board.  Every safe square of the next row is tried
 * in a task of its own with a copy of the board so far (NQUEENS: at every
 * row; NQUEENS_CUTOFF: in the first CUTOFF rows only, serial recursion
 * below), and the counts are summed after a taskwait.  Checked against
 * the serial count. */
#include "taskapps.h"

enum { MAXN = 16, CUTOFF = 3 };

static int n, cutoff_rows;
static long expect, result;

static int safe(const signed char *cols, int row, int col) {
  for (int r = 0; r < row; r++) {
    int c = cols[r];
    if (c == col || c - col == row - r || col - c == row - r)
      return 0;
  }
  return 1;
}

static long queens_serial(signed char *cols, int row) {
  if (row == n)
    return 1;
  long count = 0;
  for (int col = 0; col < n; col++)
    if (safe(cols, row, col)) {
      cols[row] = (signed char)col;
      count += queens_serial(cols, row + 1);
    }
  return count;
}

static long queens(const signed char *cols, int row) {
  if (row == n)
    return 1;
  if (row >= cutoff_rows) {
    signed char mine[MAXN];
    memcpy(mine, cols, (size_t)row);
    return queens_serial(mine, row);
  }
  long counts[MAXN];
  for (int col = 0; col < n; col++) {
    counts[col] = 0;
    if (safe(cols, row, col)) {
#pragma omp task firstprivate(col) shared(counts)
      {
        TASKAPP_USER_BEGIN();
        signed char next[MAXN];
        memcpy(next, cols, (size_t)row);
        next[row] = (signed char)col;
        counts[col] = queens(next, row + 1);
        TASKAPP_USER_END();
      }
    }
  }
  TASKAPP_TASKWAIT();
  long count = 0;
  for (int col = 0; col < n; col++)
    count += counts[col];
  return count;
}

static void setup_with(int size_n, int rows) {
  n = size_n;
  cutoff_rows = rows;
  signed char cols[MAXN];
  expect = queens_serial(cols, 0);
}

static void setup_plain(enum taskapp_size size) { setup_with(size == TASKAPP_TINY ? 7 : 11, MAXN); }
static void setup_cutoff(enum taskapp_size size) {
  setup_with(size == TASKAPP_TINY ? 8 : 13, CUTOFF);
}

static void run(void) {
  signed char cols[MAXN];
  result = -1;
#pragma omp parallel
#pragma omp single
  {
    TASKAPP_USER_BEGIN();
    result = queens(cols, 0);
    TASKAPP_USER_END();
  }
}

/* Known counts (OEIS A000170) keep the serial version honest too. */
static int check(void) {
  static const long known[] = {1, 1, 0, 0, 2, 10, 4, 40, 92, 352, 724, 2680, 14200, 73712, 365596};
  return expect == known[n] && result == expect;
}

static void teardown(void) {}

const struct taskapp taskapp_nqueens = {"NQUEENS", "n-queens, a task per safe square at every row",
                                        setup_plain, NULL, run, check, teardown};
const struct taskapp taskapp_nqueens_cutoff = {
    "NQUEENS_CUTOFF", "n-queens, tasks in the first rows only (manual cut-off)", setup_cutoff, NULL,
    run, check, teardown};
