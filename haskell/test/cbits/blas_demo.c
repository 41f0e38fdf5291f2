/* blas_demo.c -- helpers for the OpenBLAS demonstration and the "no
 * libgomp in the process" checks of the Haskell test-suite.
 *
 * Debian's libopenblas0-openmp is built against libgomp: it has
 * DT_NEEDED libgomp.so.1 and versioned references (GOMP_parallel@GOMP_4.0,
 * omp_get_max_threads@OMP_1.0, ...).  The test program exports the hsomp
 * runtime compiled into it (--export-dynamic), and before loading OpenBLAS
 * it loads a shim whose soname is libgomp.so.1: a library with libgomp's
 * version nodes and no code (test/shim).  The dynamic loader then
 * satisfies OpenBLAS's DT_NEEDED with the shim, checks the version names
 * against it, and binds every GOMP_* and omp_* reference through the
 * global scope, where the executable comes first: to hsomp. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

/* The file of the object that defines `name` as the program sees it
 * (RTLD_DEFAULT: the global scope, the same lookup OpenBLAS's references
 * go through).  Returns 0 and fills buf, or -1. */
int k_symbol_object(const char *name, char *buf, int len) {
  void *p = dlsym(RTLD_DEFAULT, name);
  Dl_info info;
  if (!p || !dladdr(p, &info) || !info.dli_fname)
    return -1;
  snprintf(buf, (size_t)len, "%s", info.dli_fname);
  return 0;
}

typedef void (*dgemm_fn)(int, int, int, int, int, int, double, const double *, int,
                         const double *, int, double, double *, int);
static dgemm_fn dgemm;
static void (*set_threads)(int);

/* Load the shim (RTLD_GLOBAL, so its soname answers libgomp.so.1) and then
 * OpenBLAS.  Returns 0, or -1 with the loader's message in err. */
int k_blas_open(const char *shim, const char *blas, char *err, int errlen) {
  if (shim && !dlopen(shim, RTLD_NOW | RTLD_GLOBAL)) {
    snprintf(err, (size_t)errlen, "%s", dlerror());
    return -1;
  }
  void *h = dlopen(blas, RTLD_LAZY | RTLD_GLOBAL);
  if (!h) {
    snprintf(err, (size_t)errlen, "%s", dlerror());
    return -1;
  }
  dgemm = (dgemm_fn)dlsym(h, "cblas_dgemm");
  set_threads = (void (*)(int))dlsym(h, "openblas_set_num_threads");
  if (!dgemm || !set_threads) {
    snprintf(err, (size_t)errlen, "cblas_dgemm or openblas_set_num_threads not found");
    return -1;
  }
  return 0;
}

/* C = A * B for n x n row-major matrices, on `threads` OpenBLAS threads. */
void k_blas_dgemm(int threads, int n, const double *a, const double *b, double *c) {
  set_threads(threads);
  dgemm(101 /* RowMajor */, 111 /* NoTrans */, 111, n, n, n, 1.0, a, n, b, n, 0.0, c, n);
}

/* Read up to len bytes of a file into buf; returns the count or -1. */
long k_read_file(const char *path, void *buf, long len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return -1;
  long n = (long)fread(buf, 1, (size_t)len, f);
  fclose(f);
  return n;
}
