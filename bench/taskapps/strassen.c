/* strassen.c -- STRASSEN: Strassen's matrix multiplication of two n x n
 * matrices of doubles.  Each level computes its seven half-size products
 * in seven tasks (each with its own temporaries, allocated in the task)
 * and combines them after a taskwait; below CUT an ordinary triple loop
 * multiplies.  The serial version runs the same recursion without tasks,
 * so the products must match bit for bit. */
#include "taskapps.h"

enum { CUT = 64 };

static int n;
static double *ma, *mb, *mc, *expect;

static void mul_naive(double *c, int ldc, const double *a, int lda, const double *b, int ldb,
                      int m) {
  for (int i = 0; i < m; i++) {
    double *ci = c + (size_t)i * ldc;
    for (int j = 0; j < m; j++)
      ci[j] = 0.0;
    for (int k = 0; k < m; k++) {
      double f = a[(size_t)i * lda + k];
      const double *bk = b + (size_t)k * ldb;
      for (int j = 0; j < m; j++)
        ci[j] += f * bk[j];
    }
  }
}

/* r = x + sign * y (m x m; r dense with leading dimension m). */
static void add(double *r, const double *x, int ldx, const double *y, int ldy, double sign, int m) {
  for (int i = 0; i < m; i++)
    for (int j = 0; j < m; j++)
      r[(size_t)i * m + j] = x[(size_t)i * ldx + j] + sign * y[(size_t)i * ldy + j];
}

static void strassen(double *c, int ldc, const double *a, int lda, const double *b, int ldb, int m,
                     int tasks);

/* One operand of a product: x, or x + sign * y. */
struct operand {
  const double *x, *y;
  int ldx, ldy;
  double sign;
};

/* p = l * r, dense m x m. */
static void product(double *p, struct operand l, struct operand r, int m, int tasks) {
  double *tl = NULL, *tr = NULL;
  const double *lm = l.x, *rm = r.x;
  int ldl = l.ldx, ldr = r.ldx;
  if (l.y) {
    tl = taskapp_alloc((size_t)m * m * sizeof *tl);
    add(tl, l.x, l.ldx, l.y, l.ldy, l.sign, m);
    lm = tl;
    ldl = m;
  }
  if (r.y) {
    tr = taskapp_alloc((size_t)m * m * sizeof *tr);
    add(tr, r.x, r.ldx, r.y, r.ldy, r.sign, m);
    rm = tr;
    ldr = m;
  }
  strassen(p, m, lm, ldl, rm, ldr, m, tasks);
  free(tl);
  free(tr);
}

static void strassen(double *c, int ldc, const double *a, int lda, const double *b, int ldb, int m,
                     int tasks) {
  if (m <= CUT) {
    mul_naive(c, ldc, a, lda, b, ldb, m);
    return;
  }
  int h = m / 2;
  const double *a11 = a, *a12 = a + h, *a21 = a + (size_t)h * lda, *a22 = a21 + h;
  const double *b11 = b, *b12 = b + h, *b21 = b + (size_t)h * ldb, *b22 = b21 + h;
  size_t hh = (size_t)h * h;
  double *p = taskapp_alloc(7 * hh * sizeof *p);
#define ONE(X, LD) ((struct operand){X, NULL, LD, 0, 0.0})
#define SUM(X, LDX, Y, LDY, S) ((struct operand){X, Y, LDX, LDY, S})
  struct operand left[7] = {
      SUM(a11, lda, a22, lda, 1.0), SUM(a21, lda, a22, lda, 1.0), ONE(a11, lda),
      ONE(a22, lda),                SUM(a11, lda, a12, lda, 1.0), SUM(a21, lda, a11, lda, -1.0),
      SUM(a12, lda, a22, lda, -1.0)};
  struct operand right[7] = {
      SUM(b11, ldb, b22, ldb, 1.0), ONE(b11, ldb),                SUM(b12, ldb, b22, ldb, -1.0),
      SUM(b21, ldb, b11, ldb, -1.0), ONE(b22, ldb),               SUM(b11, ldb, b12, ldb, 1.0),
      SUM(b21, ldb, b22, ldb, 1.0)};
#undef ONE
#undef SUM
  for (int k = 0; k < 7; k++) {
    if (tasks) {
#pragma omp task firstprivate(k)
      {
        TASKAPP_USER_BEGIN();
        product(p + k * hh, left[k], right[k], h, 1);
        TASKAPP_USER_END();
      }
    } else {
      product(p + k * hh, left[k], right[k], h, 0);
    }
  }
  if (tasks)
    TASKAPP_TASKWAIT();
  const double *m1 = p, *m2 = p + hh, *m3 = p + 2 * hh, *m4 = p + 3 * hh, *m5 = p + 4 * hh,
               *m6 = p + 5 * hh, *m7 = p + 6 * hh;
  for (int i = 0; i < h; i++)
    for (int j = 0; j < h; j++) {
      size_t q = (size_t)i * h + j;
      double *c11 = c + (size_t)i * ldc + j, *c12 = c11 + h, *c21 = c11 + (size_t)h * ldc,
             *c22 = c21 + h;
      *c11 = m1[q] + m4[q] - m5[q] + m7[q];
      *c12 = m3[q] + m5[q];
      *c21 = m2[q] + m4[q];
      *c22 = m1[q] - m2[q] + m3[q] + m6[q];
    }
  free(p);
}

static void setup(enum taskapp_size size) {
  n = size == TASKAPP_TINY ? 256 : 1024;
  size_t nn = (size_t)n * n;
  ma = taskapp_alloc(nn * sizeof *ma);
  mb = taskapp_alloc(nn * sizeof *ma);
  mc = taskapp_alloc(nn * sizeof *ma);
  expect = taskapp_alloc(nn * sizeof *ma);
  uint64_t s = 7;
  for (size_t i = 0; i < nn; i++) {
    ma[i] = (double)(taskapp_rand(&s) % 2001) / 1000.0 - 1.0;
    mb[i] = (double)(taskapp_rand(&s) % 2001) / 1000.0 - 1.0;
  }
  strassen(expect, n, ma, n, mb, n, n, 0);
}

static void run(void) {
#pragma omp parallel
#pragma omp single
  {
    TASKAPP_USER_BEGIN();
    strassen(mc, n, ma, n, mb, n, n, 1);
    TASKAPP_USER_END();
  }
}

static int check(void) {
  /* Spot-check the serial product against the definition, then compare. */
  for (int t = 0; t < 16; t++) {
    int i = (t * 37) % n, j = (t * 101) % n;
    double s = 0.0;
    for (int k = 0; k < n; k++)
      s += ma[(size_t)i * n + k] * mb[(size_t)k * n + j];
    double d = s - expect[(size_t)i * n + j];
    if (d > 1e-6 || d < -1e-6)
      return 0;
  }
  return memcmp(mc, expect, (size_t)n * n * sizeof *mc) == 0;
}

static void teardown(void) {
  free(ma);
  free(mb);
  free(mc);
  free(expect);
}

const struct taskapp taskapp_strassen = {"STRASSEN", "Strassen matrix multiplication", setup, NULL,
                                         run, check, teardown};
