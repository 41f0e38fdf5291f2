/* An OpenMP C kernel of the user's program (compiled with -fopenmp only;
 * the GOMP_* calls resolve to hsomp inside the Haskell package). */
#include <omp.h>

double vsum(const double *x, long n, int *team) {
  double s = 0;
  int size = 0;
#pragma omp parallel reduction(+ : s)
  {
#pragma omp single
    size = omp_get_num_threads();
#pragma omp for
    for (long i = 0; i < n; i++)
      s += x[i];
  }
  *team = size;
  return s;
}
