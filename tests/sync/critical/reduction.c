/* reduction clauses as GCC compiles them: scalar +, *, -, min, max, &, |,
 * ^, &&, || (atomics or GOMP_atomic_start/end), array sections and a
 * user-declared reduction (combined under GOMP_atomic_start), on parallel,
 * for (all schedules), sections and nested regions. */
// TEST-ENV: OMP_NUM_THREADS=1
// TEST-ENV: OMP_NUM_THREADS=2
// TEST-ENV: OMP_NUM_THREADS=3
// TEST-ENV: OMP_NUM_THREADS=8
#include "hsomp_test.h"
#include <complex.h>
#include <omp.h>

struct pt { long x, y; };
#pragma omp declare reduction(ptadd : struct pt : omp_out.x += omp_in.x, omp_out.y += omp_in.y) \
    initializer(omp_priv = (struct pt){0, 0})

#define N 100003L

int main(void) {
  long sum = 0, minv = N, maxv = -1, band = -1, bor = 0, bxor = 0;
  double prod = 1.0;
  int land = 1, lor = 0;
  long arr[5] = {0};
  struct pt p = {0, 0};
  double _Complex csum = 0;
#pragma omp parallel for schedule(runtime) reduction(+ : sum) reduction(min : minv) \
    reduction(max : maxv) reduction(& : band) reduction(| : bor) reduction(^ : bxor)  \
    reduction(* : prod) reduction(&& : land) reduction(|| : lor) reduction(+ : arr[1:3]) \
    reduction(ptadd : p) reduction(+ : csum)
  for (long i = 0; i < N; i++) {
    sum += i;
    if (i < minv) minv = i;
    if (i > maxv) maxv = i;
    band &= i | 1L;
    bor |= 1L << (i % 20);
    bxor ^= i;
    prod *= (i % 1000 == 7) ? 2.0 : 1.0;
    land = land && (i >= 0);
    lor = lor || (i == N / 2);
    arr[1 + i % 3] += 1;
    p.x += 1;
    p.y += i % 2;
    csum += (double)(i % 3) + (double)(i % 5) * I;
  }
  long xr = 0, ex = 0, cr = 0, ci = 0;
  for (long i = 0; i < N; i++) {
    xr ^= i; ex += (i % 1000 == 7); cr += i % 3; ci += i % 5;
  }
  HT_CHECK(sum == N * (N - 1) / 2, "sum %ld", sum);
  HT_CHECK(minv == 0 && maxv == N - 1, "min %ld max %ld", minv, maxv);
  HT_CHECK(band == 1, "and %ld", band);
  HT_CHECK(bor == (1L << 20) - 1, "or %lx", bor);
  HT_CHECK(bxor == xr, "xor %ld != %ld", bxor, xr);
  HT_CHECK(prod == __builtin_ldexp(1.0, (int)ex), "prod %g", prod);
  HT_CHECK(land == 1 && lor == 1, "&& %d || %d", land, lor);
  HT_CHECK(arr[0] == 0 && arr[4] == 0 && arr[1] + arr[2] + arr[3] == N && arr[1] == (N + 2) / 3,
           "array section %ld %ld %ld %ld %ld", arr[0], arr[1], arr[2], arr[3], arr[4]);
  HT_CHECK(p.x == N && p.y == N / 2, "user-defined %ld %ld", p.x, p.y);
  HT_CHECK(creal(csum) == cr && cimag(csum) == ci, "complex %g%+gi", creal(csum), cimag(csum));

  /* sections and a plain parallel, nested inside a parallel */
  omp_set_max_active_levels(2);
  long outer = 0;
#pragma omp parallel num_threads(2) reduction(+ : outer)
  {
    long s = 0;
#pragma omp parallel sections reduction(+ : s)
    {
#pragma omp section
      s += 1;
#pragma omp section
      s += 10;
#pragma omp section
      s += 100;
    }
    long t = 0;
#pragma omp parallel num_threads(3) reduction(+ : t)
    t += 1;
    outer += s * 1000 + t;
  }
  HT_CHECK(outer == 2 * (111 * 1000 + 3),
           "nested sections/parallel reductions gave %ld", outer);
  return 0;
}
