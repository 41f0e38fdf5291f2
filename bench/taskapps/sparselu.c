/* sparselu.c -- SPARSELU_SINGLE and SPARSELU_FOR: LU factorisation (no
 * pivoting) of a sparse matrix of NB x NB blocks of BS x BS floats, where
 * absent blocks are NULL and fill-in allocates them.  Step kk factors the
 * diagonal block, then one task per non-empty block of row kk (forward
 * substitution) and of column kk (division), then one task per updated
 * block of the trailing matrix.  SPARSELU_SINGLE: one thread creates
 * every task (`single`); SPARSELU_FOR: the tasks of a step are created
 * by a worksharing loop, a producer per iteration.  Each block sees the
 * same operations in the same order as in the serial version, so the
 * results must match it bit for bit. */
#include "taskapps.h"

static int nb, bs;
static float **mat, **expect; /* nb*nb block pointers */

static int block_present(int i, int j) {
  if (i == j || i == j + 1 || j == i + 1)
    return 1;
  return taskapp_mix((uint64_t)i * 1000003u + (uint64_t)j) % 100 < 12;
}

static float *new_block(void) { return taskapp_alloc((size_t)bs * bs * sizeof(float)); }

static void generate(float **m) {
  for (int i = 0; i < nb; i++)
    for (int j = 0; j < nb; j++) {
      m[i * nb + j] = NULL;
      if (!block_present(i, j))
        continue;
      float *b = m[i * nb + j] = new_block();
      uint64_t s = (uint64_t)i * nb + j + 1;
      for (int k = 0; k < bs * bs; k++)
        b[k] = (float)(taskapp_rand(&s) % 1000) / 1000.0f;
      if (i == j)
        for (int k = 0; k < bs; k++)
          b[k * bs + k] += 2.0f * (float)(bs * nb) / 8.0f;
    }
}

static void release(float **m) {
  for (int k = 0; k < nb * nb; k++) {
    free(m[k]);
    m[k] = NULL;
  }
}

static void lu0(float *d) {
  for (int k = 0; k < bs; k++)
    for (int i = k + 1; i < bs; i++) {
      d[i * bs + k] /= d[k * bs + k];
      float f = d[i * bs + k];
      for (int j = k + 1; j < bs; j++)
        d[i * bs + j] -= f * d[k * bs + j];
    }
}

/* Row block: solve L * X = B in place (L unit lower of diag). */
static void fwd(const float *d, float *b) {
  for (int k = 0; k < bs; k++)
    for (int i = k + 1; i < bs; i++) {
      float f = d[i * bs + k];
      for (int j = 0; j < bs; j++)
        b[i * bs + j] -= f * b[k * bs + j];
    }
}

/* Column block: solve X * U = B in place (U upper of diag). */
static void bdiv(const float *d, float *b) {
  for (int i = 0; i < bs; i++)
    for (int k = 0; k < bs; k++) {
      b[i * bs + k] /= d[k * bs + k];
      float f = b[i * bs + k];
      for (int j = k + 1; j < bs; j++)
        b[i * bs + j] -= f * d[k * bs + j];
    }
}

/* Trailing update: c -= a * b. */
static void bmod(const float *a, const float *b, float *c) {
  for (int i = 0; i < bs; i++)
    for (int k = 0; k < bs; k++) {
      float f = a[i * bs + k];
      for (int j = 0; j < bs; j++)
        c[i * bs + j] -= f * b[k * bs + j];
    }
}

static float *fill_in(float **m, int i, int j) {
  if (!m[i * nb + j]) {
    m[i * nb + j] = new_block();
    memset(m[i * nb + j], 0, (size_t)bs * bs * sizeof(float));
  }
  return m[i * nb + j];
}

static void lu_serial(float **m) {
  for (int kk = 0; kk < nb; kk++) {
    float *d = m[kk * nb + kk];
    lu0(d);
    for (int jj = kk + 1; jj < nb; jj++)
      if (m[kk * nb + jj])
        fwd(d, m[kk * nb + jj]);
    for (int ii = kk + 1; ii < nb; ii++)
      if (m[ii * nb + kk])
        bdiv(d, m[ii * nb + kk]);
    for (int ii = kk + 1; ii < nb; ii++)
      if (m[ii * nb + kk])
        for (int jj = kk + 1; jj < nb; jj++)
          if (m[kk * nb + jj])
            bmod(m[ii * nb + kk], m[kk * nb + jj], fill_in(m, ii, jj));
  }
}

static void lu_single(float **m) {
#pragma omp parallel
#pragma omp single
  for (int kk = 0; kk < nb; kk++) {
    float *d = m[kk * nb + kk];
    lu0(d);
    for (int jj = kk + 1; jj < nb; jj++)
      if (m[kk * nb + jj]) {
#pragma omp task firstprivate(jj)
        fwd(d, m[kk * nb + jj]);
      }
    for (int ii = kk + 1; ii < nb; ii++)
      if (m[ii * nb + kk]) {
#pragma omp task firstprivate(ii)
        bdiv(d, m[ii * nb + kk]);
      }
#pragma omp taskwait
    for (int ii = kk + 1; ii < nb; ii++)
      if (m[ii * nb + kk])
        for (int jj = kk + 1; jj < nb; jj++)
          if (m[kk * nb + jj]) {
            float *c = fill_in(m, ii, jj);
#pragma omp task firstprivate(ii, jj, c)
            bmod(m[ii * nb + kk], m[kk * nb + jj], c);
          }
#pragma omp taskwait
  }
}

static void lu_for(float **m) {
#pragma omp parallel
  for (int kk = 0; kk < nb; kk++) {
    float *d = m[kk * nb + kk];
#pragma omp single
    lu0(d);
#pragma omp for nowait
    for (int jj = kk + 1; jj < nb; jj++)
      if (m[kk * nb + jj]) {
#pragma omp task firstprivate(jj)
        fwd(d, m[kk * nb + jj]);
      }
#pragma omp for
    for (int ii = kk + 1; ii < nb; ii++)
      if (m[ii * nb + kk]) {
#pragma omp task firstprivate(ii)
        bdiv(d, m[ii * nb + kk]);
      }
    /* The loop's barrier completed the tasks. */
#pragma omp for
    for (int ii = kk + 1; ii < nb; ii++)
      if (m[ii * nb + kk])
        for (int jj = kk + 1; jj < nb; jj++)
          if (m[kk * nb + jj]) {
            float *c = fill_in(m, ii, jj);
#pragma omp task firstprivate(ii, jj, c)
            bmod(m[ii * nb + kk], m[kk * nb + jj], c);
          }
  }
}

static void setup(enum taskapp_size size) {
  nb = size == TASKAPP_TINY ? 8 : 40;
  bs = size == TASKAPP_TINY ? 8 : 32;
  mat = taskapp_alloc((size_t)nb * nb * sizeof *mat);
  expect = taskapp_alloc((size_t)nb * nb * sizeof *mat);
  for (int k = 0; k < nb * nb; k++)
    mat[k] = NULL;
  generate(expect);
  lu_serial(expect);
}

static void prepare(void) {
  release(mat);
  generate(mat);
}

static void run_single(void) { lu_single(mat); }

static void run_for(void) { lu_for(mat); }

static int check(void) {
  for (int k = 0; k < nb * nb; k++) {
    if (!mat[k] != !expect[k])
      return 0;
    if (mat[k] && memcmp(mat[k], expect[k], (size_t)bs * bs * sizeof(float)) != 0)
      return 0;
  }
  return 1;
}

static void teardown(void) {
  release(mat);
  release(expect);
  free(mat);
  free(expect);
}

const struct taskapp taskapp_sparselu_single = {
    "SPARSELU_SINGLE", "blocked sparse LU, every task created in single", setup, prepare, run_single, check,
    teardown};
const struct taskapp taskapp_sparselu_for = {
    "SPARSELU_FOR", "blocked sparse LU, tasks created by a worksharing loop", setup, prepare, run_for, check,
    teardown};
