/* alignment.c -- ALIGNMENT: all-pairs global alignment of nseq protein
 * sequences (Gotoh's algorithm: affine gap costs, a substitution score
 * from a fixed table; the score only, two rows of memory).  A worksharing
 * loop over the first sequence of each pair creates one task per pair
 * (a producer per loop iteration); each task allocates its own rows.
 * Checked against the serial scores. */
#include "taskapps.h"

enum { ALPHABET = 20, GAP_OPEN = 10, GAP_EXTEND = 1 };

static int nseq;
static int *len;
static unsigned char **seq;
static int *score, *expect; /* nseq x nseq, upper triangle */
static int subst[ALPHABET][ALPHABET];

static int align(const unsigned char *a, int la, const unsigned char *b, int lb) {
  /* h: best score of a[0..i) vs b[0..j); e: ... ending in a gap in a;
   * f: ending in a gap in b.  Rows over j. */
  int *h = taskapp_alloc((size_t)(lb + 1) * 3 * sizeof *h), *e = h + lb + 1, *f = e + lb + 1;
  const int minus_inf = -(1 << 28);
  h[0] = 0;
  e[0] = f[0] = minus_inf;
  for (int j = 1; j <= lb; j++) {
    h[j] = -GAP_OPEN - (j - 1) * GAP_EXTEND;
    e[j] = h[j];
    f[j] = minus_inf;
  }
  for (int i = 1; i <= la; i++) {
    int diag = h[0];
    h[0] = -GAP_OPEN - (i - 1) * GAP_EXTEND;
    int left_e = minus_inf;
    for (int j = 1; j <= lb; j++) {
      /* gap in b (vertical): from h[j] / f[j] of the row above */
      int fv = f[j] - GAP_EXTEND, fo = h[j] - GAP_OPEN;
      f[j] = fv > fo ? fv : fo;
      /* gap in a (horizontal): from h[j-1] / e of this row */
      int ev = left_e - GAP_EXTEND, eo = h[j - 1] - GAP_OPEN;
      left_e = ev > eo ? ev : eo;
      int m = diag + subst[a[i - 1]][b[j - 1]];
      diag = h[j];
      int best = m > f[j] ? m : f[j];
      h[j] = best > left_e ? best : left_e;
    }
  }
  int result = h[lb];
  free(h);
  return result;
}

static void setup(enum taskapp_size size) {
  nseq = size == TASKAPP_TINY ? 12 : 60;
  int base = size == TASKAPP_TINY ? 40 : 200;
  uint64_t s = 77;
  for (int x = 0; x < ALPHABET; x++)
    for (int y = 0; y <= x; y++)
      subst[x][y] = subst[y][x] = x == y ? 5 : (int)(taskapp_rand(&s) % 7) - 4;
  len = taskapp_alloc((size_t)nseq * sizeof *len);
  seq = taskapp_alloc((size_t)nseq * sizeof *seq);
  for (int i = 0; i < nseq; i++) {
    len[i] = base + (int)(taskapp_rand(&s) % (uint64_t)base);
    seq[i] = taskapp_alloc((size_t)len[i]);
    for (int k = 0; k < len[i]; k++)
      seq[i][k] = (unsigned char)(taskapp_rand(&s) % ALPHABET);
  }
  score = taskapp_alloc((size_t)nseq * nseq * sizeof *score);
  expect = taskapp_alloc((size_t)nseq * nseq * sizeof *score);
  memset(expect, 0, (size_t)nseq * nseq * sizeof *score);
  for (int i = 0; i < nseq; i++)
    for (int j = i + 1; j < nseq; j++)
      expect[i * nseq + j] = align(seq[i], len[i], seq[j], len[j]);
}

static void prepare(void) { memset(score, 0, (size_t)nseq * nseq * sizeof *score); }

static void run(void) {
#pragma omp parallel
#pragma omp for schedule(dynamic)
  for (int i = 0; i < nseq; i++)
    for (int j = i + 1; j < nseq; j++) {
#pragma omp task firstprivate(i, j)
      {
        TASKAPP_USER_BEGIN();
        score[i * nseq + j] = align(seq[i], len[i], seq[j], len[j]);
        TASKAPP_USER_END();
      }
    }
}

static int check(void) {
  /* Identical sequences score 5 per residue: a check of align itself. */
  if (align(seq[0], len[0], seq[0], len[0]) != 5 * len[0])
    return 0;
  return memcmp(score, expect, (size_t)nseq * nseq * sizeof *score) == 0;
}

static void teardown(void) {
  for (int i = 0; i < nseq; i++)
    free(seq[i]);
  free(seq);
  free(len);
  free(score);
  free(expect);
}

const struct taskapp taskapp_alignment = {"ALIGNMENT",
                                          "all-pairs sequence alignment, tasks from a worksharing loop",
                                          setup, prepare, run, check, teardown};
