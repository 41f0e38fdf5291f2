/* fill.c -- the DGEMM inputs of the OpenBLAS demonstration, shared by the
 * Haskell test (linked in) and the libgomp reference program. */
#include <math.h>

void hsomp_fill_matrices(int n, double *a, double *b) {
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      a[i * n + j] = sin(0.37 * i + 0.11 * j);
      b[i * n + j] = cos(0.13 * i - 0.29 * j);
    }
}
