/* dgemm_ref.c -- the reference for the OpenBLAS demonstration: the same
 * DGEMM as the Haskell test, in a plain C program linked against Debian's
 * OpenBLAS-openmp and so running on GCC's libgomp.  Writes the n*n result
 * as raw doubles to argv[3], and prints "libgomp-mapped" if libgomp.so.1
 * is in its memory map (it must be: this is the libgomp run). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cblas_dgemm(int, int, int, int, int, int, double, const double *, int, const double *, int,
                 double, double *, int);
void openblas_set_num_threads(int);
void hsomp_fill_matrices(int n, double *a, double *b);

int main(int argc, char **argv) {
  if (argc != 4)
    return 2;
  int threads = atoi(argv[1]), n = atoi(argv[2]);
  double *a = malloc(sizeof(double) * n * n), *b = malloc(sizeof(double) * n * n),
         *c = malloc(sizeof(double) * n * n);
  hsomp_fill_matrices(n, a, b);
  openblas_set_num_threads(threads);
  cblas_dgemm(101, 111, 111, n, n, n, 1.0, a, n, b, n, 0.0, c, n);
  FILE *f = fopen(argv[3], "wb");
  if (!f || fwrite(c, sizeof(double), (size_t)n * n, f) != (size_t)n * n)
    return 3;
  fclose(f);
  FILE *m = fopen("/proc/self/maps", "r");
  char line[4096];
  while (m && fgets(line, sizeof line, m))
    if (strstr(line, "libgomp.so.1")) {
      puts("libgomp-mapped");
      break;
    }
  return 0;
}
