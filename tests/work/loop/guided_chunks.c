/* The chunks of schedule(guided) really shrink: each is the remaining
 * iterations divided by the number of threads (rounded up), never less
 * than the chunk size (but the last), and they tile the loop in order.
 * Also checks the dynamic chunk sizes.  Uses the libgomp ABI directly to
 * see each chunk's bounds. */
#include "hsomp_test.h"

#include <omp.h>
#include <stdbool.h>

extern bool GOMP_loop_guided_start(long, long, long, long, long *, long *);
extern bool GOMP_loop_guided_next(long *, long *);
extern bool GOMP_loop_dynamic_start(long, long, long, long, long *, long *);
extern bool GOMP_loop_dynamic_next(long *, long *);
extern void GOMP_loop_end(void);

#define MAXC 4096
static long starts[MAXC], ends[MAXC];
static int nchunks;

static void record(long s, long e) {
  int k = __atomic_fetch_add(&nchunks, 1, __ATOMIC_RELAXED);
  HT_CHECK(k < MAXC, "too many chunks");
  starts[k] = s;
  ends[k] = e;
}

static int by_start(const void *a, const void *b) {
  long x = starts[*(const int *)a], y = starts[*(const int *)b];
  return (x > y) - (x < y);
}

/* Checks the chunks of a loop over [0, n): sorted by start they tile it;
 * guided sizes are max(chunk, ceil(left / nthr)), dynamic ones chunk. */
static void check(bool guided, long n, long chunk, int nthr) {
  static int order[MAXC];
  for (int k = 0; k < nchunks; k++)
    order[k] = k;
  qsort(order, nchunks, sizeof *order, by_start);
  long at = 0;
  int shrinking = 0;
  for (int j = 0; j < nchunks; j++) {
    long s = starts[order[j]], e = ends[order[j]];
    HT_CHECK(s == at, "%s n=%ld chunk=%ld %d threads: chunk %d starts at %ld, expected %ld",
             guided ? "guided" : "dynamic", n, chunk, nthr, j, s, at);
    long left = n - s;
    long want = guided ? (left + nthr - 1) / nthr : chunk;
    if (want < chunk)
      want = chunk;
    if (want > left)
      want = left;
    HT_CHECK(e - s == want, "%s n=%ld chunk=%ld %d threads: chunk [%ld,%ld) has size %ld, want %ld",
             guided ? "guided" : "dynamic", n, chunk, nthr, s, e, e - s, want);
    if (j > 0 && e - s < ends[order[j - 1]] - starts[order[j - 1]])
      shrinking++;
    at = e;
  }
  HT_CHECK(at == n, "chunks end at %ld, not %ld", at, n);
  if (guided && nthr > 1 && n >= 100 * chunk)
    HT_CHECK(shrinking > 3, "guided chunks shrank only %d times", shrinking);
}

static void run(bool guided, long n, long chunk, int nthr) {
  nchunks = 0;
#pragma omp parallel num_threads(nthr)
  {
    long s, e;
    bool more = guided ? GOMP_loop_guided_start(0, n, 1, chunk, &s, &e)
                       : GOMP_loop_dynamic_start(0, n, 1, chunk, &s, &e);
    while (more) {
      record(s, e);
      more = guided ? GOMP_loop_guided_next(&s, &e) : GOMP_loop_dynamic_next(&s, &e);
    }
    GOMP_loop_end();
  }
  check(guided, n, chunk, nthr);
}

int main(void) {
  static const int threads[] = {1, 2, 3, 8};
  static const long chunks[] = {1, 7, 128};
  static const long sizes[] = {0, 1, 100, 1000, 20000};
  for (int t = 0; t < 4; t++)
    for (int c = 0; c < 3; c++)
      for (int s = 0; s < 5; s++) {
        run(true, sizes[s], chunks[c], threads[t]);
        if (sizes[s] / chunks[c] < MAXC)
          run(false, sizes[s], chunks[c], threads[t]);
      }
  return 0;
}
