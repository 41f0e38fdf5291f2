/* sort.c -- SORT: merge sort of random integers with a parallel merge.
 * Sorting splits the array in halves, one task each; merging two sorted
 * runs splits the larger at its middle, finds that value's place in the
 * other by binary search, and merges the two pairs of pieces in two
 * tasks.  The results of each level go to the other buffer, so no level
 * copies.  Below the cut-offs the same code runs without tasks. */
#include "taskapps.h"

enum { SORT_CUT = 2048, MERGE_CUT = 2048, SMALL = 24 };

static long n;
static int *input, *a, *scratch, *expect;

static void insertion_sort(int *x, long len) {
  for (long i = 1; i < len; i++) {
    int v = x[i];
    long j = i;
    while (j > 0 && x[j - 1] > v) {
      x[j] = x[j - 1];
      j--;
    }
    x[j] = v;
  }
}

static void merge_serial(const int *x, long nx, const int *y, long ny, int *out) {
  long i = 0, j = 0, k = 0;
  while (i < nx && j < ny)
    out[k++] = y[j] < x[i] ? y[j++] : x[i++];
  while (i < nx)
    out[k++] = x[i++];
  while (j < ny)
    out[k++] = y[j++];
}

/* The first index of y whose value is >= v. */
static long lower_bound(const int *y, long ny, int v) {
  long lo = 0, hi = ny;
  while (lo < hi) {
    long mid = lo + (hi - lo) / 2;
    if (y[mid] < v)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

static void merge(const int *x, long nx, const int *y, long ny, int *out, int tasks) {
  if (nx < ny) {
    const int *t = x;
    x = y;
    y = t;
    long tn = nx;
    nx = ny;
    ny = tn;
  }
  if (nx + ny <= MERGE_CUT || ny == 0) {
    merge_serial(x, nx, y, ny, out);
    return;
  }
  long mx = nx / 2, my = lower_bound(y, ny, x[mx]);
  if (tasks) {
#pragma omp task
    merge(x, mx, y, my, out, 1);
#pragma omp task
    merge(x + mx, nx - mx, y + my, ny - my, out + mx + my, 1);
#pragma omp taskwait
  } else {
    merge(x, mx, y, my, out, 0);
    merge(x + mx, nx - mx, y + my, ny - my, out + mx + my, 0);
  }
}

/* Sort src[0..len); the result goes to dst if to_dst, else stays in src. */
static void sort(int *src, int *dst, long len, int to_dst, int tasks) {
  if (len <= SORT_CUT) {
    if (len <= SMALL) {
      insertion_sort(src, len);
      if (to_dst)
        memcpy(dst, src, (size_t)len * sizeof *src);
      return;
    }
    long h = len / 2;
    sort(src, dst, h, !to_dst, 0);
    sort(src + h, dst + h, len - h, !to_dst, 0);
    if (to_dst)
      merge_serial(src, h, src + h, len - h, dst);
    else
      merge_serial(dst, h, dst + h, len - h, src);
    return;
  }
  long h = len / 2;
  if (tasks) {
#pragma omp task
    sort(src, dst, h, !to_dst, 1);
#pragma omp task
    sort(src + h, dst + h, len - h, !to_dst, 1);
#pragma omp taskwait
  } else {
    sort(src, dst, h, !to_dst, 0);
    sort(src + h, dst + h, len - h, !to_dst, 0);
  }
  if (to_dst)
    merge(src, h, src + h, len - h, dst, tasks);
  else
    merge(dst, h, dst + h, len - h, src, tasks);
}

static void setup(enum taskapp_size size) {
  n = size == TASKAPP_TINY ? 50000 : 1l << 22;
  input = taskapp_alloc((size_t)n * sizeof *input);
  a = taskapp_alloc((size_t)n * sizeof *a);
  scratch = taskapp_alloc((size_t)n * sizeof *a);
  expect = taskapp_alloc((size_t)n * sizeof *a);
  uint64_t s = 16;
  for (long i = 0; i < n; i++)
    input[i] = (int)(taskapp_rand(&s) % 1000000007u) - 500000000;
  memcpy(expect, input, (size_t)n * sizeof *a);
  sort(expect, scratch, n, 0, 0);
}

static void prepare(void) { memcpy(a, input, (size_t)n * sizeof *a); }

static void run(void) {
#pragma omp parallel
#pragma omp single
  sort(a, scratch, n, 0, 1);
}

static int check(void) {
  for (long i = 1; i < n; i++)
    if (expect[i - 1] > expect[i])
      return 0; /* the serial version itself is wrong */
  return memcmp(a, expect, (size_t)n * sizeof *a) == 0;
}

static void teardown(void) {
  free(input);
  free(a);
  free(scratch);
  free(expect);
}

const struct taskapp taskapp_sort = {"SORT", "merge sort with a parallel merge", setup, prepare, run, check,
                                     teardown};
