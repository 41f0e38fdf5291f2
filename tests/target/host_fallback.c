/* Target regions run on the host (the initial device): mapped data is the
 * host's, firstprivate variables are copies taken at the construct, the
 * region starts as a new initial thread (level 0, the initial ICVs, its
 * own thread_limit), nested inside parallel regions of 1, 2, 3 and 8
 * threads, and the data constructs keep the values where they are. */
// TEST-ENV: OMP_NUM_THREADS=2
// TEST-ENV: OMP_NUM_THREADS=3 OMP_DYNAMIC=false
#include "hsomp_test.h"

#include <omp.h>

__attribute__((noinline)) static void inside(int *r) {
  r[0] = omp_is_initial_device();
  r[1] = omp_get_level();
  r[2] = omp_in_parallel();
  r[3] = omp_get_max_threads();
  r[4] = omp_get_thread_limit();
  r[5] = omp_get_num_teams();
  r[6] = omp_get_device_num();
}

int main(void) {
  int initial_max = omp_get_max_threads();
  HT_CHECK(omp_get_num_devices() == 0 && omp_get_initial_device() == 0,
           "devices %d, initial %d", omp_get_num_devices(), omp_get_initial_device());

  /* map(tofrom) is the host variable; firstprivate a copy. */
  int x = 1, y = 5, a[100];
  for (int i = 0; i < 100; i++)
    a[i] = i;
#pragma omp target map(tofrom : x, a) firstprivate(y)
  {
    x = x * 10 + y;
    y = 99;
    for (int i = 0; i < 100; i++)
      a[i] *= 2;
  }
  HT_CHECK(x == 15 && y == 5, "x=%d y=%d", x, y);
  for (int i = 0; i < 100; i++)
    HT_CHECK(a[i] == 2 * i, "a[%d]=%d", i, a[i]);

  /* A large firstprivate array is copied too. */
  struct big {
    double v[512];
  } b;
  for (int i = 0; i < 512; i++)
    b.v[i] = i;
  double got = 0;
#pragma omp target firstprivate(b) map(from : got)
  {
    for (int i = 0; i < 512; i++)
      got += b.v[i];
    b.v[0] = -1;
  }
  HT_CHECK(got == 511.0 * 512 / 2 && b.v[0] == 0, "firstprivate array: %g, %g", got, b.v[0]);

  /* The region's ICVs are the initial ones, not the encountering task's. */
  omp_set_num_threads(1);
  int r[7];
#pragma omp target map(from : r)
  inside(r);
  HT_CHECK(r[0] == 1 && r[1] == 0 && r[2] == 0 && r[3] == initial_max && r[5] == 1 && r[6] == 0,
           "in target: initial=%d level=%d in_parallel=%d max_threads=%d teams=%d dev=%d", r[0],
           r[1], r[2], r[3], r[5], r[6]);
  HT_CHECK(omp_get_max_threads() == 1, "the encountering task's ICV changed");
  omp_set_num_threads(initial_max);
#pragma omp target thread_limit(3) map(from : r)
  inside(r);
  HT_CHECK(r[4] == 3, "thread_limit(3) gave %d", r[4]);

  /* Target regions inside parallel regions: each is its own initial
   * thread and can run a parallel region of its own. */
  int sizes[] = {1, 2, 3, 8};
  for (int k = 0; k < 4; k++) {
    int n = sizes[k], bad = 0, inner_total = 0;
#pragma omp parallel num_threads(n) reduction(+ : bad, inner_total)
    {
      int me = omp_get_thread_num(), level = -1, inner = 0, value = me;
#pragma omp target map(tofrom : level, inner, value)
      {
        level = omp_get_level();
        value += 1000;
#pragma omp parallel num_threads(2) reduction(+ : inner)
        inner = 1;
      }
      if (level != 0 || value != me + 1000 || omp_get_level() != 1)
        bad++;
      inner_total += inner;
    }
    HT_CHECK(bad == 0 && inner_total == 2 * n, "%d threads: bad=%d inner=%d", n, bad,
             inner_total);
  }

  /* Data constructs: the host's memory is the device's. */
  int d[10];
  for (int i = 0; i < 10; i++)
    d[i] = i;
#pragma omp target data map(tofrom : d)
  {
#pragma omp target update to(d)
#pragma omp target enter data map(to : d[0 : 4])
#pragma omp target
    for (int i = 0; i < 10; i++)
      d[i] += 100;
#pragma omp target exit data map(from : d[0 : 4])
#pragma omp target update from(d)
  }
  for (int i = 0; i < 10; i++)
    HT_CHECK(d[i] == i + 100, "d[%d]=%d", i, d[i]);
  /* if(false) and an explicit host device. */
  int z = 0;
#pragma omp target if (0) map(tofrom : z)
  z += 1;
#pragma omp target device(0) map(tofrom : z)
  z += 2;
  HT_CHECK(z == 3, "z=%d", z);
  return 0;
}
