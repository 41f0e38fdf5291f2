/* The device memory routines on a machine without offload devices: the
 * host (device 0 = omp_get_initial_device()) allocates, copies and is
 * always "present"; other device numbers allocate nothing and copies to
 * or from them fail with EINVAL; rectangular copies of 1 to 3 dimensions
 * move exactly the sub-volume asked for. */
#include "hsomp_test.h"

#include <errno.h>
#include <limits.h>
#include <omp.h>

int main(void) {
  int host = omp_get_initial_device();
  HT_CHECK(host == 0, "initial device %d", host);

  char *p = omp_target_alloc(64, host);
  HT_CHECK(p != NULL, "omp_target_alloc on the host failed");
  memset(p, 7, 64); /* it is ordinary memory */
  HT_CHECK(omp_target_alloc(64, -1) == NULL, "device -1 allocated");
  HT_CHECK(omp_target_alloc(64, 5) == NULL, "device 5 allocated");
  HT_CHECK(omp_target_is_present(p, host) == 1, "host memory not present on the host");
  HT_CHECK(omp_target_is_present(NULL, 3) == 1, "NULL is always present");
  HT_CHECK(omp_target_is_present(p, -1) == 0 && omp_target_is_present(p, 7) == 0,
           "present on a device that does not exist");

  char src[16] = "abcdefghijklmno", dst[16] = {0};
  HT_CHECK(omp_target_memcpy(dst, src, 5, 2, 3, host, host) == 0, "host copy failed");
  HT_CHECK(memcmp(dst + 2, "defgh", 5) == 0 && dst[0] == 0 && dst[7] == 0, "copied wrongly");
  HT_CHECK(omp_target_memcpy(dst, src, 5, 0, 0, host, -1) == EINVAL, "copy from device -1");
  HT_CHECK(omp_target_memcpy(dst, src, 5, 0, 0, 4, host) == EINVAL, "copy to device 4");
  HT_CHECK(omp_target_memcpy(p, src, 0, 0, 0, host, host) == 0, "empty copy");

  /* Rectangular copies. */
  HT_CHECK(omp_target_memcpy_rect(NULL, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, host, host) ==
               INT_MAX,
           "the number of dimensions supported");
  int a[4][5][6], b[3][4][5];
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 5; j++)
      for (int k = 0; k < 6; k++)
        a[i][j][k] = i * 100 + j * 10 + k;
  memset(b, 0xff, sizeof b);
  size_t volume[3] = {2, 3, 4}, doff[3] = {1, 0, 1}, soff[3] = {2, 1, 2};
  size_t ddim[3] = {3, 4, 5}, sdim[3] = {4, 5, 6};
  HT_CHECK(omp_target_memcpy_rect(b, a, sizeof(int), 3, volume, doff, soff, ddim, sdim, host,
                                  host) == 0,
           "3-d copy failed");
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 4; j++)
      for (int k = 0; k < 5; k++) {
        int in = i >= 1 && i < 3 && j < 3 && k >= 1 && k < 5;
        int want = in ? (i - 1 + 2) * 100 + (j + 1) * 10 + (k - 1 + 2) : -1;
        HT_CHECK(b[i][j][k] == want, "b[%d][%d][%d] = %d, want %d", i, j, k, b[i][j][k], want);
      }
  int row[8] = {0}, from[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  size_t v1 = 3, o1 = 2, s1 = 4, d1 = 8;
  HT_CHECK(omp_target_memcpy_rect(row, from, sizeof(int), 1, &v1, &o1, &s1, &d1, &d1, host,
                                  host) == 0 &&
               row[1] == 0 && row[2] == 5 && row[4] == 7 && row[5] == 0,
           "1-d copy");
  HT_CHECK(omp_target_memcpy_rect(row, from, sizeof(int), 1, &v1, &o1, &s1, &d1, &d1, 2, host) ==
               EINVAL,
           "rect copy to device 2");

  /* Associating host and device memory needs a device. */
  HT_CHECK(omp_target_associate_ptr(src, p, 4, 0, host) == EINVAL, "associate on the host");
  HT_CHECK(omp_target_associate_ptr(src, p, 4, 0, 1) == EINVAL, "associate on device 1");
  HT_CHECK(omp_target_disassociate_ptr(src, host) == EINVAL, "disassociate on the host");

  omp_target_free(p, host);
  omp_target_free(NULL, host);
  omp_target_free(NULL, 9);
  return 0;
}
