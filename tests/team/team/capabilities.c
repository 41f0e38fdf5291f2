/* hsomp binds pool worker w to GHC Capability w mod nCaps: with a team that
 * fits the Capabilities, distinct workers report distinct Capabilities, and
 * the host thread (the initial thread) holds none. */
// TEST-HSOMP-ONLY
// TEST-ENV: OMP_NUM_THREADS=3
#include <dlfcn.h>
#include <omp.h>
#include <stdio.h>

int main(void) {
  int (*cap_of)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, "hsomp_get_capability");
  int (*ncaps)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, "hsomp_get_num_capabilities");
  if (!cap_of || !ncaps) {
    fprintf(stderr, "not running on hsomp\n");
    return 1;
  }
  int caps[3] = {-2, -2, -2};
#pragma omp parallel
  caps[omp_get_thread_num()] = cap_of();
  int n = ncaps();
  if (n != 3) {
    fprintf(stderr, "RTS booted with %d Capabilities, expected -N3\n", n);
    return 1;
  }
  if (caps[0] != -1 || caps[1] < 0 || caps[2] < 0 || caps[1] == caps[2] || caps[1] >= n ||
      caps[2] >= n) {
    fprintf(stderr, "capabilities: %d %d %d\n", caps[0], caps[1], caps[2]);
    return 1;
  }
  return 0;
}
